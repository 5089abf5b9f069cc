package notify

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/notify/smtptest"
)

// TestCallTexts: every text, of a call and of a request to verify one,
// exists in both languages, carries the link, and says nothing else
// about the call: with the link taken out, it is the same for any call.
func TestCallTexts(t *testing.T) {
	for _, verify := range []bool{false, true} {
		t.Run(map[bool]string{false: "call", true: "verify"}[verify], func(t *testing.T) { testCallTexts(t, verify) })
	}
	for _, lang := range []string{"en", "es"} {
		if a, v := CallEmail("r@example.org", lang, "L", "i"), (CallNotice{Lang: lang, Link: "L", Verify: true}).Email("r@example.org"); a.Subject == v.Subject {
			t.Errorf("%s: a call and a request to verify one have the same subject %q", lang, a.Subject)
		}
	}
	for _, catalog := range []map[string]callText{callTexts, verifyTexts} {
		if len(catalog) < 2 {
			t.Errorf("got %d languages, want at least es and en", len(catalog))
		}
		for lang, c := range catalog {
			if c.subject == "" || c.push == "" || strings.Count(c.email, "%s") != 1 || strings.Count(c.sms, "%s") != 1 {
				t.Errorf("%s: incomplete: %+v", lang, c)
			}
		}
	}
}

func testCallTexts(t *testing.T, verify bool) {
	links := []string{"https://commune.example.org/c/7f3a?s=Zm9v", "https://c.example/c/0001?s=YmFy"}
	texts := func(lang, link string) map[string]string {
		n := CallNotice{ID: "id-" + link, Lang: lang, Link: link, Verify: verify}
		e := n.Email("rosa@example.org")
		var p PushMessage
		if err := json.Unmarshal(n.Push(), &p); err != nil {
			t.Fatal(err)
		}
		if p.ID != "id-"+link || p.URL != link {
			t.Errorf("push %s: got id %q url %q, want id-%s and the link", lang, p.ID, p.URL, link)
		}
		return map[string]string{
			"email subject": e.Subject, "email body": e.Body, "sms": n.SMS(),
			"push title": p.Title, "push body": p.Body + " " + p.URL,
		}
	}
	tests := []struct {
		lang, as string // asked for, and the language expected
		word     string // a word of the expected language
	}{
		{"en", "en", "urgent"},
		{"es", "es", "urgente"},
		{"es-MX", "es", "urgente"},
		{"ES", "es", "urgente"},
		{"fr", "en", "urgent"},
		{"", "en", "urgent"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			first := texts(tc.lang, links[0])
			second := texts(tc.lang, links[1])
			want := texts(tc.as, links[0])
			for name, text := range first {
				if text != want[name] {
					t.Errorf("%s: got %q, want the %s text %q", name, text, tc.as, want[name])
				}
				if !strings.Contains(strings.ToLower(text), tc.word) && name != "push body" {
					t.Errorf("%s: %q does not say %q", name, text, tc.word)
				}
				generic := strings.ReplaceAll(text, links[0], "LINK")
				if other := strings.ReplaceAll(second[name], links[1], "LINK"); generic != other {
					t.Errorf("%s: got %q for one call and %q for another, want the same text", name, generic, other)
				}
			}
			for _, name := range []string{"email body", "sms", "push body"} {
				if !strings.Contains(first[name], links[0]) {
					t.Errorf("%s: %q does not carry the link", name, first[name])
				}
			}
			// A text message in the GSM alphabet's ASCII part stays one
			// message of 160 characters instead of 70.
			if sms := first["sms"]; strings.ContainsFunc(sms, func(r rune) bool { return r > 0x7e }) {
				t.Errorf("sms %q holds characters beyond ASCII", sms)
			}
		})
	}
}

// TestCallEmail sends a call's email through a real SMTP server: the
// body carries the link, and two attempts with the same id have the
// same Message-ID, which another id does not.
func TestCallEmail(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	m, err := NewMailer(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	link := "https://commune.example.org/c/7f3a?s=Zm9v"
	ids := []string{"call-1/member-9/email", "call-1/member-9/email", "call-1/member-10/email"}
	var msgIDs []string
	for _, id := range ids {
		if err := m.Send(context.Background(), CallEmail("rosa@example.org", "es", link, id)); err != nil {
			t.Fatal(err)
		}
		h, body := srv.Wait(t).Parsed(t)
		if h["Subject"] != "Llamado urgente cerca de usted" || !strings.Contains(body, link) {
			t.Errorf("got subject %q body %q, want the Spanish call text with the link", h["Subject"], body)
		}
		msgIDs = append(msgIDs, h["Message-Id"])
		if strings.Contains(h["Message-Id"], "member") {
			t.Errorf("Message-ID %q shows the id", h["Message-Id"])
		}
	}
	if msgIDs[0] != msgIDs[1] || msgIDs[0] == msgIDs[2] || msgIDs[0] == "" {
		t.Errorf("Message-IDs: got %q, want the first two equal and the third different", msgIDs)
	}
}

// TestEmailErrors: the Mailer's errors classify like the other
// channels'.
func TestEmailErrors(t *testing.T) {
	e := CallEmail("rosa.organiza@example.org", "en", "https://c.example/c/1", "id")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "smtp://" + ln.Addr().String()
	ln.Close()
	tests := []struct {
		name   string
		url    string
		email  Email
		status int
		retry  bool
	}{
		{"recipient refused for good", smtptest.Start(t, smtptest.Options{RejectRcpt: true}).URL, e, 550, false},
		{"recipient deferred", smtptest.Start(t, smtptest.Options{DeferRcpt: true}).URL, e, 451, true},
		{"server down", down, e, 0, true},
		{"not an address", smtptest.Start(t, smtptest.Options{}).URL, Email{To: "rosa", Subject: "s", Body: "b"}, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMailer(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			err = m.Send(context.Background(), tc.email)
			var de *DeliveryError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a *DeliveryError", err)
			}
			if retry, _ := Retryable(err); de.Status != tc.status || retry != tc.retry || de.Channel != "email" {
				t.Errorf("got %v: status %d retry %v, want status %d retry %v", err, de.Status, retry, tc.status, tc.retry)
			}
			if strings.Contains(err.Error(), "rosa") {
				t.Errorf("error %q names the recipient", err)
			}
		})
	}
}
