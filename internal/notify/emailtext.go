package notify

import (
	"fmt"
	"time"
)

// The two messages that can answer an address a member gave, joining or
// on their account (web/emailconfirm.go): a link that confirms it, or,
// when the address is already a member's, word that someone tried to
// use it. Only whoever reads the mailbox learns which; the person who
// typed the address is told the same either way. Like the login code's,
// the texts name neither the member nor the organization's business.

// ConfirmEmail is the message that carries the link confirming to as a
// member's address, in lang ("es" for Spanish, English otherwise).
func ConfirmEmail(to, lang, link string, ttl time.Duration) Email {
	hours := int(ttl.Round(time.Hour) / time.Hour)
	if lang == "es" {
		return Email{To: to, Subject: "Confirme su correo en commune",
			Body: fmt.Sprintf("Alguien pidió usar esta dirección para entrar en commune.\n"+
				"Si fue usted, abra este enlace para confirmarla (sirve durante %d horas):\n%s\n\n"+
				"Si no fue usted, no haga nada: la dirección no se usará.\n", hours, link)}
	}
	return Email{To: to, Subject: "Confirm your email for commune",
		Body: fmt.Sprintf("Someone asked to use this address to sign in to commune.\n"+
			"If it was you, open this link to confirm it (it works for %d hours):\n%s\n\n"+
			"If it was not you, do nothing: the address will not be used.\n", hours, link)}
}

// EmailInUse is the message to an address that someone gave although
// it is already a member's: nothing was changed, and this is how its
// member signs in.
func EmailInUse(to, lang, loginURL string) Email {
	if lang == "es" {
		return Email{To: to, Subject: "Alguien intentó usar su correo en commune",
			Body: fmt.Sprintf("Alguien pidió usar esta dirección en commune, pero ya pertenece a una cuenta: no se cambió nada.\n"+
				"Si fue usted, ya tiene cuenta: entre con esta dirección en\n%s\n\n"+
				"Si no fue usted, no haga nada.\n", loginURL)}
	}
	return Email{To: to, Subject: "Someone tried to use your email on commune",
		Body: fmt.Sprintf("Someone asked to use this address on commune, but it already belongs to an account: nothing was changed.\n"+
			"If it was you, you already have an account: sign in with this address at\n%s\n\n"+
			"If it was not you, do nothing.\n", loginURL)}
}
