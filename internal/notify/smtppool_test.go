package notify

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/notify/smtptest"
)

func testEmail(i int) Email {
	return Email{To: fmt.Sprintf("m%03d@example.org", i), Subject: "Urgent call", Body: "Open commune.\n", ID: fmt.Sprint(i)}
}

// waitOpen waits until the server holds want connections open; the
// minute is a deadline for a broken test, not a measurement.
func waitOpen(t *testing.T, srv *smtptest.Server, want int) {
	t.Helper()
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		_, open := srv.Connections()
		if open == want {
			return
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("open connections: got %d, want %d", open, want)
		}
	}
}

func TestMailerReusesConnections(t *testing.T) {
	tests := []struct {
		name        string
		opt         smtptest.Options
		maxMessages int
		send        int
		wantOpened  int
	}{
		{"one connection for many messages", smtptest.Options{}, 0, 10, 1},
		{"STARTTLS and a login once", smtptest.Options{TLS: true, User: "relay", Password: "s3cret"}, 0, 10, 1},
		{"a new connection after MaxMessages", smtptest.Options{}, 3, 7, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, tc.opt)
			m, err := NewMailer(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			m.TLS = srv.ClientTLS
			m.MaxMessages = tc.maxMessages
			for i := range tc.send {
				if err := m.Send(context.Background(), testEmail(i)); err != nil {
					t.Fatalf("Send %d: %v", i, err)
				}
				msg := srv.Wait(t)
				if len(msg.To) != 1 || msg.To[0] != testEmail(i).To || msg.TLS != tc.opt.TLS {
					t.Errorf("message %d: got to %v TLS %v, want to %s TLS %v", i, msg.To, msg.TLS, testEmail(i).To, tc.opt.TLS)
				}
			}
			if opened, _ := srv.Connections(); opened != tc.wantOpened {
				t.Errorf("connections opened: got %d, want %d", opened, tc.wantOpened)
			}
		})
	}
}

func TestMailerConcurrentSends(t *testing.T) {
	const n, senders = 90, 12
	srv := smtptest.Start(t, smtptest.Options{})
	m, err := NewMailer(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.MaxConns = 3
	got := map[string]int{}
	done := make(chan struct{})
	go func() {
		for range n {
			msg := srv.Wait(t)
			got[msg.To[0]]++
		}
		close(done)
	}()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range senders {
		wg.Go(func() {
			for i := w; i < n; i += senders {
				if err := m.Send(context.Background(), testEmail(i)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Send: %v", err)
	}
	<-done
	for i := range n {
		if c := got[testEmail(i).To]; c != 1 {
			t.Errorf("%s: got %d messages, want 1", testEmail(i).To, c)
		}
	}
	if opened, _ := srv.Connections(); opened > 3 {
		t.Errorf("connections opened: got %d, want at most MaxConns 3", opened)
	}
}

func TestMailerReplacesBrokenConnection(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	m, err := NewMailer(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	if err := m.Send(ctx, testEmail(1)); err != nil {
		t.Fatal(err)
	}
	srv.Wait(t)
	// The server ends the idle connection (a restart, its timeout): the
	// next message goes on a new one, and the caller sees no error.
	srv.Drop()
	waitOpen(t, srv, 0)
	for i := 2; i <= 3; i++ {
		if err := m.Send(ctx, testEmail(i)); err != nil {
			t.Fatalf("Send %d after the server dropped the connection: %v", i, err)
		}
		if msg := srv.Wait(t); msg.To[0] != testEmail(i).To {
			t.Errorf("got a message to %v, want %s", msg.To, testEmail(i).To)
		}
	}
	if opened, open := srv.Connections(); opened != 2 || open != 1 {
		t.Errorf("connections: got %d opened and %d open, want 2 and 1", opened, open)
	}
}

// A refusal is a reply on a healthy connection: the error keeps its
// class and the connection serves the next message.
func TestMailerRefusalKeepsConnection(t *testing.T) {
	tests := []struct {
		name      string
		opt       smtptest.Options
		status    int
		wantRetry bool
	}{
		{"deferred", smtptest.Options{DeferRcpt: true}, 451, true},
		{"refused", smtptest.Options{RejectRcpt: true}, 550, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, tc.opt)
			m, err := NewMailer(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			for i := range 3 {
				err := m.Send(context.Background(), testEmail(i))
				retry, _ := Retryable(err)
				de, ok := err.(*DeliveryError)
				if !ok || de.Status != tc.status || retry != tc.wantRetry {
					t.Fatalf("Send %d: got %v (retry %v), want a DeliveryError %d with retry %v", i, err, retry, tc.status, tc.wantRetry)
				}
			}
			if opened, _ := srv.Connections(); opened != 1 {
				t.Errorf("connections opened: got %d, want 1", opened)
			}
		})
	}
}

func TestMailerClosesIdleConnections(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	m, err := NewMailer(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	m.IdleTimeout = 20 * time.Millisecond
	if err := m.Send(context.Background(), testEmail(1)); err != nil {
		t.Fatal(err)
	}
	srv.Wait(t)
	waitOpen(t, srv, 0)
	if err := m.Send(context.Background(), testEmail(2)); err != nil {
		t.Fatalf("Send after the idle connection closed: %v", err)
	}
	srv.Wait(t)
	if opened, _ := srv.Connections(); opened != 2 {
		t.Errorf("connections opened: got %d, want 2", opened)
	}
}

func TestMailerClose(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	m, err := NewMailer(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := m.Send(ctx, testEmail(1)); err != nil {
		t.Fatal(err)
	}
	srv.Wait(t)
	if _, open := srv.Connections(); open != 1 {
		t.Fatalf("open connections after a send: got %d, want 1", open)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	waitOpen(t, srv, 0)
	// A closed Mailer still sends, and keeps nothing open.
	if err := m.Send(ctx, testEmail(2)); err != nil {
		t.Fatalf("Send after Close: %v", err)
	}
	srv.Wait(t)
	waitOpen(t, srv, 0)
}

func TestMailMax(t *testing.T) {
	for params, want := range map[string]int{
		"":                          0,
		"RCPTMAX=50":                0,
		"MAILMAX=20 RCPTMAX=50":     20,
		"RCPTMAX=50 mailmax=7":      7,
		"MAILMAX=0":                 0,
		"MAILMAX=lots":              0,
		"RCPTDOMAINMAX=3 MAILMAX=1": 1,
	} {
		if got := mailMax(params); got != want {
			t.Errorf("mailMax(%q): got %d, want %d", params, got, want)
		}
	}
}
