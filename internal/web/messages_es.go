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
}
