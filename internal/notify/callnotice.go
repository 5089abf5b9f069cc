package notify

import "fmt"

// CallNotice is the notification of an urgent call to one member: the
// link that opens it (signed, so that one tap answers without signing
// in), an idempotency id that is the same on every attempt so that the
// receiver can drop a repeat, and the member's language. It says
// nothing else: whoever reads the message over a shoulder, or runs the
// server that carries it, learns only that there is an urgent call
// nearby; where, what and how many are behind the link.
type CallNotice struct {
	ID   string
	Lang string // "es" for Spanish, English otherwise
	Link string
}

// Subject is the notice's title, for an email subject or a push
// notification's title.
func (n CallNotice) Subject() string {
	if n.Lang == "es" {
		return "Llamado urgente cerca de usted"
	}
	return "Urgent call near you"
}

// Text is the notice's text with its link, for an email body or an SMS.
func (n CallNotice) Text() string {
	if n.Lang == "es" {
		return fmt.Sprintf("Hay un llamado urgente cerca de usted. Ábralo para ver los detalles y responder:\n%s\n", n.Link)
	}
	return fmt.Sprintf("There is an urgent call near you. Open it to see the details and answer:\n%s\n", n.Link)
}

// CallEmail is the email of a call notice to the address to.
func CallEmail(to string, n CallNotice) Email {
	return Email{To: to, Subject: n.Subject(), Body: n.Text(), ID: n.ID}
}
