package notify

import (
	"encoding/json"
	"fmt"
	"strings"
)

// eventText is what a reminder of an event says in one language. Like
// the call texts it names no place: the place and the meeting point are
// behind the link, for whoever signs in. The title is the event's own,
// which its organizers chose to show the invited collectives.
type eventText struct {
	subjectDay, subjectHour string // %s is the title
	body                    string // %s the title, then the start with its zone, then the link
	// A push notification shows on a locked screen: it names neither
	// the event nor the place.
	pushDay, pushHour, pushBody string
	// A text message shows on a locked screen too, and may sit in a
	// phone's inbox for years: it says no more than a push, in ASCII
	// (one message of 160 characters, not 70). %s is the link.
	smsDay, smsHour string
}

// eventTexts is the catalog of reminder texts by language.
var eventTexts = map[string]eventText{
	"en": {
		subjectDay:  "Tomorrow: %s",
		subjectHour: "In an hour: %s",
		body:        "A reminder: %s starts at %s.\nOpen this link for your contingent's meeting point:\n%s\n",
		pushDay:     "Tomorrow: an event you are going to",
		pushHour:    "In an hour: an event you are going to",
		pushBody:    "Open to see where your contingent meets.",
		smsDay:      "commune: an event you are going to starts within a day. Your meeting point: %s",
		smsHour:     "commune: an event you are going to starts in an hour. Your meeting point: %s",
	},
	"es": {
		subjectDay:  "Mañana: %s",
		subjectHour: "En una hora: %s",
		body:        "Un recordatorio: %s empieza a las %s.\nAbra este enlace para ver el punto de encuentro de su contingente:\n%s\n",
		pushDay:     "Mañana: un evento al que va",
		pushHour:    "En una hora: un evento al que va",
		pushBody:    "Abra para ver dónde se reúne su contingente.",
		smsDay:      "commune: un evento al que va empieza antes de 24 horas. Su punto de encuentro: %s",
		smsHour:     "commune: un evento al que va empieza en una hora. Su punto de encuentro: %s",
	},
}

// EventReminder is the reminder of an event to to, in lang, the day
// before (hour false) or an hour before (hour true). start is the start
// as the reader should see it, with its time zone; id is the reminder's idempotency id, from
// which the Message-ID derives.
func EventReminder(to, lang, title, start, link, id string, hour bool) Email {
	t := eventTextIn(lang)
	subject := t.subjectDay
	if hour {
		subject = t.subjectHour
	}
	// A title is one line; a subject must stay one.
	title = strings.Join(strings.Fields(title), " ")
	return Email{To: to, Subject: fmt.Sprintf(subject, title), Body: fmt.Sprintf(t.body, title, start, link), ID: id}
}

// EventReminderPush is the push payload of the reminder of an event, in
// lang, the day before (hour false) or an hour before: it opens link,
// and carries the reminder's idempotency id, by which the service worker
// drops a repeat.
func EventReminderPush(lang, link, id string, hour bool) []byte {
	t := eventTextIn(lang)
	title := t.pushDay
	if hour {
		title = t.pushHour
	}
	b, err := json.Marshal(PushMessage{ID: id, Title: title, Body: t.pushBody, URL: link})
	if err != nil {
		panic(err) // strings always marshal
	}
	return b
}

// EventReminderSMS is the text message of the reminder of an event, in
// lang, the day before (hour false) or an hour before, carrying link.
// Like the push it names neither the event nor the place.
func EventReminderSMS(lang, link string, hour bool) string {
	t := eventTextIn(lang)
	if hour {
		return fmt.Sprintf(t.smsHour, link)
	}
	return fmt.Sprintf(t.smsDay, link)
}

// eventTextIn returns the reminder texts in lang, or in English when
// there are none in it.
func eventTextIn(lang string) eventText {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	if t, ok := eventTexts[primary]; ok {
		return t
	}
	return eventTexts["en"]
}
