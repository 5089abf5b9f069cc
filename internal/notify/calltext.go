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

// callTextIn returns the texts in lang ("es", "es-MX", "en"...), or in
// English when there are none in it.
func callTextIn(lang string) callText {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	if t, ok := callTexts[primary]; ok {
		return t
	}
	return callTexts["en"]
}

// CallEmail is the email that tells to of an urgent call, in lang,
// carrying the signed link. Its Message-ID derives from id, the
// delivery's idempotency id, so that a mail program drops a repeat.
func CallEmail(to, lang, link, id string) Email {
	t := callTextIn(lang)
	return Email{To: to, Subject: t.subject, Body: fmt.Sprintf(t.email, link), ID: id}
}

// CallSMS is the text message of an urgent call, in lang, carrying the
// signed link.
func CallSMS(lang, link string) string {
	return fmt.Sprintf(callTextIn(lang).sms, link)
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
// signed link and the delivery's idempotency id. It is encrypted end to
// end, but says no more than the email: a notification shows on a
// locked screen.
func CallPush(lang, link, id string) []byte {
	t := callTextIn(lang)
	b, err := json.Marshal(PushMessage{ID: id, Title: t.subject, Body: t.push, URL: link})
	if err != nil {
		panic(err) // strings always marshal
	}
	return b
}
