package notify

import (
	"context"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/notify/smtptest"
)

func TestCallEmail(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	m, err := NewMailer(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	link := "https://commune.example.org/calls/answer/a1.xyz.sig"
	for _, tc := range []struct {
		lang, subject, says string
	}{
		{"es", "Llamado urgente cerca de usted", "Hay un llamado urgente cerca de usted."},
		{"en", "Urgent call near you", "There is an urgent call near you."},
	} {
		n := CallNotice{ID: "0f3a9c" + tc.lang, Lang: tc.lang, Link: link}
		// Twice: a retry carries the same Message-ID.
		for range 2 {
			if err := m.Send(context.Background(), CallEmail("rosa@example.org", n)); err != nil {
				t.Fatal(err)
			}
			h, body := srv.Wait(t).Parsed(t)
			if got, want := h["Message-Id"], "<0f3a9c"+tc.lang+"@localhost>"; got != want {
				t.Errorf("%s: Message-ID: got %q, want %q", tc.lang, got, want)
			}
			if h["Subject"] != tc.subject || !strings.HasPrefix(body, tc.says) || !strings.Contains(body, link) {
				t.Errorf("%s: got subject %q body %q, want %q and the link", tc.lang, h["Subject"], body, tc.subject)
			}
		}
	}
	if err := m.Send(context.Background(), CallEmail("rosa@example.org", CallNotice{ID: "a@b", Link: link})); err == nil {
		t.Error("an id with '@' was sent as a Message-ID")
	}
}
