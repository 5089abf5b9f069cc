package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/notify/smtptest"
)

func TestLoginCodeEmail(t *testing.T) {
	tests := []struct {
		name     string
		opt      smtptest.Options
		trust    bool
		lang     string
		subject  string
		body     string
		wantTLS  bool
		fromPart string
	}{
		{"plain, English", smtptest.Options{}, false, "en", "Your commune code",
			"Your code to sign in: 042137\nIt works for 10 minutes.\n", false, "commune@localhost"},
		{"plain, Spanish", smtptest.Options{}, false, "es", "Su código de commune",
			"Su código para entrar: 042137\nSirve durante 10 minutos.\n", false, "commune@localhost"},
		{"STARTTLS and a password", smtptest.Options{TLS: true, User: "relay", Password: "s3cret"}, true, "es",
			"Su código de commune", "Su código para entrar: 042137\nSirve durante 10 minutos.\n", true, "commune@localhost"},
		{"another language is English", smtptest.Options{TLS: true}, true, "fr", "Your commune code",
			"Your code to sign in: 042137\nIt works for 10 minutes.\n", true, "commune@localhost"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, tc.opt)
			m, err := NewMailer(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			if tc.trust {
				m.TLS = srv.ClientTLS
			}
			to := "rosa.organiza@example.org"
			if err := m.Send(context.Background(), LoginCodeEmail(to, tc.lang, "042137", 10*time.Minute)); err != nil {
				t.Fatalf("Send: %v", err)
			}
			msg := srv.Wait(t)
			if msg.TLS != tc.wantTLS || msg.From != tc.fromPart || len(msg.To) != 1 || msg.To[0] != to {
				t.Errorf("envelope: got from %q to %v TLS %v, want from %q to %s TLS %v", msg.From, msg.To, msg.TLS, tc.fromPart, to, tc.wantTLS)
			}
			h, body := msg.Parsed(t)
			if h["Subject"] != tc.subject {
				t.Errorf("subject: got %q, want %q", h["Subject"], tc.subject)
			}
			if body != tc.body {
				t.Errorf("body: got %q, want %q", body, tc.body)
			}
			if h["To"] != "<"+to+">" || !strings.Contains(h["From"], tc.fromPart) || h["Message-Id"] == "" || h["Date"] == "" {
				t.Errorf("headers: got %v", h)
			}
		})
	}
}

func TestSendRefused(t *testing.T) {
	ctx := context.Background()
	to := "rosa.organiza@example.org"
	e := LoginCodeEmail(to, "en", "111111", 10*time.Minute)

	// A certificate the client does not trust: nothing is sent in clear
	// instead.
	srv := smtptest.Start(t, smtptest.Options{TLS: true})
	m, err := NewMailer(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(ctx, e); err == nil || !strings.Contains(err.Error(), "starttls") {
		t.Errorf("Send to an untrusted server: got %v, want a starttls error", err)
	}

	// A wrong password.
	srv = smtptest.Start(t, smtptest.Options{TLS: true, User: "relay", Password: "right"})
	m, err = NewMailer(strings.Replace(srv.URL, "right", "wrong", 1))
	if err != nil {
		t.Fatal(err)
	}
	m.TLS = srv.ClientTLS
	err = m.Send(ctx, e)
	if err == nil || !strings.Contains(err.Error(), "auth") {
		t.Errorf("Send with a wrong password: got %v, want an auth error", err)
	}
	if err != nil && strings.Contains(err.Error(), to) {
		t.Errorf("error %q names the recipient", err)
	}

	// A refused recipient: the server's reply names the address, the
	// error does not.
	srv = smtptest.Start(t, smtptest.Options{RejectRcpt: true})
	if m, err = NewMailer(srv.URL); err != nil {
		t.Fatal(err)
	}
	err = m.Send(ctx, e)
	if err == nil || !strings.Contains(err.Error(), "rcpt to") || !strings.Contains(err.Error(), "550") || strings.Contains(err.Error(), "rosa") {
		t.Errorf("Send to a refused recipient: got %v, want an rcpt error with the code 550 and without the address", err)
	}

	// Bad messages never reach the wire.
	plain := smtptest.Start(t, smtptest.Options{})
	m, err = NewMailer(plain.URL)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]Email{
		"no address":           {To: "rosa", Subject: "s", Body: "b"},
		"header in subject":    {To: to, Subject: "hi\r\nBcc: everyone@example.org", Body: "b"},
		"two addresses":        {To: to + ", other@example.org", Subject: "s", Body: "b"},
		"header in recipient:": {To: to + "\r\nBcc: x@example.org", Subject: "s", Body: "b"},
	} {
		if err := m.Send(ctx, bad); err == nil {
			t.Errorf("%s: sent", name)
		}
	}
	select {
	case msg := <-plain.Messages:
		t.Errorf("a bad message was delivered: %q", msg.Data)
	default:
	}
}

func TestNewMailer(t *testing.T) {
	good := []struct{ url, addr, from string }{
		{"smtp://mail.example.org", "mail.example.org:25", "commune@mail.example.org"},
		{"smtp://127.0.0.1:2525", "127.0.0.1:2525", "commune@localhost"},
		{"smtp://u:p@mail.example.org:587?from=organiza@example.org", "mail.example.org:587", "organiza@example.org"},
	}
	for _, g := range good {
		m, err := NewMailer(g.url)
		if err != nil || m.addr != g.addr || m.from != g.from {
			t.Errorf("NewMailer(%q): got %+v, %v, want %s from %s", g.url, m, err, g.addr, g.from)
		}
	}
	for _, bad := range []string{"", "mail.example.org", "http://mail.example.org", "smtp://", "smtp://h?from=nobody", "smtp://[::1",
		"smtp://organiza:s3cr3t@mail.example.org:25x", "smtp://organiza:s3cr3t@[::1"} {
		_, err := NewMailer(bad)
		if err == nil {
			t.Errorf("NewMailer(%q): want an error", bad)
			continue
		}
		// The error may be printed where the server logs: never the password.
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("NewMailer(%q): the error %q holds the password", bad, err)
		}
	}
}
