package notify

import (
	"strings"
	"testing"
)

func TestEventReminder(t *testing.T) {
	for _, tc := range []struct {
		lang, title string
		hour        bool
		subject     string
		body        string
	}{
		{"en", "May Day march", false, "Tomorrow: May Day march", "starts at 2027-05-01 10:00 PDT (America/Los_Angeles)."},
		{"es", "Marcha del Primero de Mayo", false, "Mañana: Marcha del Primero de Mayo", "empieza a las 2027-05-01 10:00 PDT (America/Los_Angeles)."},
		{"es-MX", "Marcha", true, "En una hora: Marcha", "punto de encuentro"},
		{"fr", "May Day", true, "In an hour: May Day", "meeting point"},
		// A title with line breaks stays one line of subject.
		{"en", "May\r\nBcc: x@example.org", true, "In an hour: May Bcc: x@example.org", "starts"},
	} {
		e := EventReminder("ana@example.org", tc.lang, tc.title, "2027-05-01 10:00 PDT (America/Los_Angeles)", "https://commune.example.org/events/e-1", "id-1", tc.hour)
		if e.Subject != tc.subject {
			t.Errorf("%s %q: subject: got %q, want %q", tc.lang, tc.title, e.Subject, tc.subject)
		}
		if !strings.Contains(e.Body, tc.body) || !strings.Contains(e.Body, "https://commune.example.org/events/e-1") {
			t.Errorf("%s %q: body %q lacks %q or the link", tc.lang, tc.title, e.Body, tc.body)
		}
		if e.ID != "id-1" || e.To != "ana@example.org" {
			t.Errorf("%s: got id %q to %q", tc.lang, e.ID, e.To)
		}
	}
}

// TestEventReminderSMS: a reminder's text message carries the link, says
// when in the member's language, names neither the event nor the place,
// and stays in ASCII, one message of 160 characters.
func TestEventReminderSMS(t *testing.T) {
	link := "https://commune.example.org/events/e-0123456789abcdef"
	for _, tc := range []struct {
		lang string
		hour bool
		want string
	}{
		{"en", false, "within a day"},
		{"en", true, "in an hour"},
		{"es", false, "antes de 24 horas"},
		{"es-MX", true, "en una hora"},
		{"fr", true, "in an hour"},
	} {
		sms := EventReminderSMS(tc.lang, link, tc.hour)
		if !strings.Contains(sms, tc.want) || !strings.HasSuffix(sms, link) {
			t.Errorf("%s hour=%v: %q lacks %q or does not end with the link", tc.lang, tc.hour, sms, tc.want)
		}
		if strings.ContainsFunc(sms, func(r rune) bool { return r > 0x7e }) || len(sms) > 160 {
			t.Errorf("%s hour=%v: %q is not one ASCII message of 160 characters (%d)", tc.lang, tc.hour, sms, len(sms))
		}
	}
}
