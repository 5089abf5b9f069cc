package notify

import (
	"encoding/json"
	"fmt"
	"strings"
)

// callText is what the channels say about an urgent call in one
// language. It is the same for every call: the place, the kind of call
// and its message are behind the signed link, where only the member who
// opens it sees them. A text message or an email may be read over a
// shoulder, by whoever runs the gateway or the mail server, or on a
// seized phone, and must not tell any of them where people are going.
type callText struct {
	subject string // email subject and push title
	email   string // email body; %s is the link
	sms     string // %s is the link; plain ASCII, so one message holds it
	push    string // push body
}

// callTexts is the catalog of call texts by language; adding a language
// is adding an entry.
var callTexts = map[string]callText{
	"en": {
		subject: "Urgent call near you",
		email:   "There is an urgent call near you.\nOpen this link to see it and answer:\n%s\n",
		sms:     "commune: urgent call near you. Open: %s",
		push:    "Open to see it and answer.",
	},
	"es": {
		subject: "Llamado urgente cerca de usted",
		email:   "Hay un llamado urgente cerca de usted.\nAbra este enlace para verlo y responder:\n%s\n",
		sms:     "commune: llamado urgente cerca de usted. Abra: %s",
		push:    "Abra para verlo y responder.",
	},
}

// verifyTexts is the catalog of what the channels say to a coordinator
// or an organizer who may verify a call another raised; like callTexts,
// the same for every call, the call behind a sign-in.
var verifyTexts = map[string]callText{
	"en": {
		subject: "An urgent call waits for verification",
		email:   "A coordinator raised an urgent call. It reaches members once a second coordinator or an organizer verifies it.\nSign in to see it and verify or close it:\n%s\n",
		sms:     "commune: an urgent call waits for verification. Open: %s",
		push:    "Open to see it and verify it.",
	},
	"es": {
		subject: "Un llamado urgente espera verificación",
		email:   "Una coordinadora o un coordinador levantó un llamado urgente. Llega a los miembros cuando otra persona coordinadora o una organizadora lo verifica.\nEntre para verlo y verificarlo o cerrarlo:\n%s\n",
		sms:     "commune: un llamado urgente espera verificacion. Abra: %s",
		push:    "Abra para verlo y verificarlo.",
	},
}

// textIn returns the texts of a notice (verify: a request to verify) in
// lang ("es", "es-MX", "en"...), or in English when there are none in it.
func textIn(lang string, verify bool) callText {
	catalog := callTexts
	if verify {
		catalog = verifyTexts
	}
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	if t, ok := catalog[primary]; ok {
		return t
	}
	return catalog["en"]
}

// Email is the email that tells to of the notice, carrying its link. Its
// Message-ID derives from the notice's idempotency id, so that a mail
// program drops a repeat.
func (n CallNotice) Email(to string) Email {
	t := textIn(n.Lang, n.Verify)
	return Email{To: to, Subject: t.subject, Body: fmt.Sprintf(t.email, n.Link), ID: n.ID}
}

// SMS is the text message of the notice, carrying its link.
func (n CallNotice) SMS() string {
	return fmt.Sprintf(textIn(n.Lang, n.Verify).sms, n.Link)
}

// Push is the push payload of the notice, carrying its link and its
// idempotency id. It is encrypted end to end, but says no more than the
// email: a notification shows on a locked screen.
func (n CallNotice) Push() []byte {
	t := textIn(n.Lang, n.Verify)
	b, err := json.Marshal(PushMessage{ID: n.ID, Title: t.subject, Body: t.push, URL: n.Link})
	if err != nil {
		panic(err) // strings always marshal
	}
	return b
}

// CallEmail is the email that tells to of an urgent call, in lang,
// carrying the signed link; id is the delivery's idempotency id.
func CallEmail(to, lang, link, id string) Email {
	return CallNotice{ID: id, Lang: lang, Link: link}.Email(to)
}

// CallSMS is the text message of an urgent call, in lang, carrying the
// signed link.
func CallSMS(lang, link string) string {
	return CallNotice{Lang: lang, Link: link}.SMS()
}

// PushMessage is the payload of a push notification, as the service
// worker reads it: it shows Title and Body, opens URL when tapped, and
// drops a message whose ID it has already shown.
type PushMessage struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url"`
}

// CallPush is the push payload of an urgent call, in lang, carrying the
// signed link and the delivery's idempotency id.
func CallPush(lang, link, id string) []byte {
	return CallNotice{ID: id, Lang: lang, Link: link}.Push()
}
