package web

var messagesES = map[msgKey]string{
	msgNotFound:         "no encontrado",
	msgInvalid:          "solicitud incorrecta",
	msgForbidden:        "no tiene permiso para hacer esto",
	msgConflict:         "está en conflicto con el estado actual",
	msgUnavailable:      "el servicio no está disponible; inténtelo más tarde",
	msgInternal:         "error interno",
	msgUnauthenticated:  "inicie sesión o envíe un token de API",
	msgNoRoute:          "no existe esa ruta",
	msgBadToken:         "el token de API está mal formado o no existe",
	msgBadWorld:         "el mundo no es válido",
	msgTooLarge:         "el cuerpo de la solicitud es demasiado grande",
	msgMethodNotAllowed: "la ruta no admite este método",
	// Invites and coverage (invites.go, reports.go).
	msgInviteExpired: "la invitación ha caducado",
	msgInviteUsedUp:  "la invitación ya se usó todas las veces que permite",
	msgInviteUnknown: "ninguna invitación tiene este código",
	msgAlreadyMember: "ya es miembro de este colectivo",
	msgInviteRole:    "solo los organizadores pueden crear invitaciones que otorgan el rol de coordinador",
	msgNoPlanDone:    "todavía no hay ninguna planificación terminada",

	msgTooManyRequests: "demasiados intentos; espere unos minutos y vuelva a intentarlo",
	msgCodeWrong:       "el código es incorrecto o ha caducado; pida uno nuevo",
	msgBadCSRF:         "falta la cabecera X-CSRF-Token o es incorrecta; vuelva a cargar la página",
	msgNoEmail:         "este servidor no tiene configurado el acceso por correo electrónico",
	msgBadEmail:        "email: no es una dirección de correo electrónico",
	msgNotJSON:         "envíe el cuerpo de la solicitud como application/json",
	msgOtherOrigin:     "la solicitud viene de otro sitio",
	msgNoPasskeys:      "las llaves de acceso no están disponibles: la URL pública del servidor debe ser un nombre de dominio",
	msgPasskeyRefused:  "la llave de acceso no fue aceptada",
	msgCeremonyUnknown: "la solicitud de llave de acceso no existe o ha caducado; empiece de nuevo",
}
