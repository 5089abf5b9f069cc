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
		{"en", "May Day march", false, "Tomorrow: May Day march", "starts at 2027-05-01 10:00 (UTC)"},
		{"es", "Marcha del Primero de Mayo", false, "Mañana: Marcha del Primero de Mayo", "empieza a las 2027-05-01 10:00 (UTC)"},
		{"es-MX", "Marcha", true, "En una hora: Marcha", "punto de encuentro"},
		{"fr", "May Day", true, "In an hour: May Day", "meeting point"},
		// A title with line breaks stays one line of subject.
		{"en", "May\r\nBcc: x@example.org", true, "In an hour: May Bcc: x@example.org", "starts"},
	} {
		e := EventReminder("ana@example.org", tc.lang, tc.title, "2027-05-01 10:00", "https://commune.example.org/events/e-1", "id-1", tc.hour)
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
