package notify

import (
	"fmt"
	"strings"
)

// eventText is what a reminder of an event says in one language. Like
// the call texts it names no place: the place and the meeting point are
// behind the link, for whoever signs in. The title is the event's own,
// which its organizers chose to show the invited collectives.
type eventText struct {
	subjectDay, subjectHour string // %s is the title
	body                    string // %s the title, then the start (UTC), then the link
}

// eventTexts is the catalog of reminder texts by language.
var eventTexts = map[string]eventText{
	"en": {
		subjectDay:  "Tomorrow: %s",
		subjectHour: "In an hour: %s",
		body:        "A reminder: %s starts at %s (UTC).\nOpen this link for your contingent's meeting point:\n%s\n",
	},
	"es": {
		subjectDay:  "Mañana: %s",
		subjectHour: "En una hora: %s",
		body:        "Un recordatorio: %s empieza a las %s (UTC).\nAbra este enlace para ver el punto de encuentro de su contingente:\n%s\n",
	},
}

// EventReminder is the reminder of an event to to, in lang, the day
// before (hour false) or an hour before (hour true). start is the start
// as the reader should see it; id is the reminder's idempotency id, from
// which the Message-ID derives.
func EventReminder(to, lang, title, start, link, id string, hour bool) Email {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	t, ok := eventTexts[primary]
	if !ok {
		t = eventTexts["en"]
	}
	subject := t.subjectDay
	if hour {
		subject = t.subjectHour
	}
	// A title is one line; a subject must stay one.
	title = strings.Join(strings.Fields(title), " ")
	return Email{To: to, Subject: fmt.Sprintf(subject, title), Body: fmt.Sprintf(t.body, title, start, link), ID: id}
}
