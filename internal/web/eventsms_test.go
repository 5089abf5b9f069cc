package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/notify/pushtest"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
)

// TestEventReminderSMS: a member who keeps only a phone gets an event's
// reminders by text message, once the day before and once the hour
// before, in their language, with the event's link and naming neither
// the event nor the place; a member with an email gets the email and no
// text (texts cost money); a gateway that answers 503 has the reminder
// tried again at the next round, with the same idempotency key. The
// gateway is an HTTP server standing in for an SMS provider's API, which
// cannot run here; the email goes to a real SMTP server.
func TestEventReminderSMS(t *testing.T) {
	mail := smtptest.Start(t, smtptest.Options{})
	mailer, err := notify.NewMailer(mail.URL)
	if err != nil {
		t.Fatal(err)
	}
	w := newEventWorld(t, store.Config{DataDir: t.TempDir()}, mailer)
	ctx := context.Background()

	type text struct{ to, body, key string }
	var (
		mu      sync.Mutex
		texts   []text
		refuse  = 1 // the next answers that are 503
		refused []string
	)
	gw := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(rw, "bad form", http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if refuse > 0 {
			refuse--
			refused = append(refused, r.Header.Get("Idempotency-Key"))
			http.Error(rw, "busy", http.StatusServiceUnavailable)
			return
		}
		texts = append(texts, text{r.PostForm.Get("To"), r.PostForm.Get("Body"), r.Header.Get("Idempotency-Key")})
		rw.WriteHeader(http.StatusCreated)
	}))
	defer gw.Close()
	sms, err := notify.NewSMS(gw.URL+"/Messages.json", "+15550100")
	if err != nil {
		t.Fatal(err)
	}
	w.srv.opt.SMS = sms
	if err := w.store.SetContact(ctx, w.ids["rosa"], store.Contact{Phone: "+1 213 555 0101"}); err != nil {
		t.Fatal(err)
	}
	if err := w.store.SetContact(ctx, w.ids["ana"], store.Contact{Email: "ana@example.org", Phone: "+1 213 555 0102"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	id := w.mayDay(t, start)

	for _, round := range []struct {
		at     time.Time
		want   string // what the one text says, "" for no text
		emails int
	}{
		{start.Add(-30 * time.Hour), "", 0},
		{start.Add(-20 * time.Hour), "", 2}, // the gateway refuses rosa's text, for now
		{start.Add(-19 * time.Hour), "antes de 24 horas", 0},
		{start.Add(-18 * time.Hour), "", 0}, // sent already
		{start.Add(-30 * time.Minute), "en una hora", 2},
	} {
		w.srv.eventRound(ctx, round.at)
		for range round.emails {
			if msg := mail.Wait(t); msg.To[0] == "rosa@example.org" {
				t.Errorf("at %s: an email to rosa, who keeps no email", round.at)
			}
		}
		mu.Lock()
		got := texts
		texts = nil
		mu.Unlock()
		if round.want == "" {
			if len(got) != 0 {
				t.Errorf("at %s: texts %+v, want none", round.at, got)
			}
			continue
		}
		if len(got) != 1 {
			t.Fatalf("at %s: texts %+v, want one, to rosa", round.at, got)
		}
		m := got[0]
		if m.to != "+12135550101" || !strings.Contains(m.body, round.want) || !strings.HasSuffix(m.body, "/events/"+id) {
			t.Errorf("at %s: got %+v, want to rosa saying %q with the event's link", round.at, m, round.want)
		}
		for _, secret := range []string{"Marcha", "May Day", "Soto"} {
			if strings.Contains(m.body, secret) {
				t.Errorf("at %s: the text names the event or the place: %q", round.at, m.body)
			}
		}
		if round.want == "antes de 24 horas" && (len(refused) != 1 || refused[0] != m.key || m.key == "") {
			t.Errorf("the retried text's key %q, the refused one's %q: want the same", m.key, refused)
		}
	}
	select {
	case extra := <-mail.Messages:
		t.Errorf("an extra email to %v", extra.To)
	default:
	}
}

// TestEventReminderPushGone: a member who keeps only a phone and a
// browser subscription that has since gone gets the reminder by text
// message; the reminder was claimed, the push found no browser, and
// nothing was sent, ever.
func TestEventReminderPushGone(t *testing.T) {
	w := newEventWorld(t, store.Config{DataDir: t.TempDir()}, nil)
	ctx := context.Background()
	var (
		mu    sync.Mutex
		texts []string
	)
	gw := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(rw, "bad form", http.StatusBadRequest)
			return
		}
		mu.Lock()
		texts = append(texts, r.PostForm.Get("To")+" "+r.PostForm.Get("Body"))
		mu.Unlock()
		rw.WriteHeader(http.StatusCreated)
	}))
	defer gw.Close()
	sms, err := notify.NewSMS(gw.URL+"/Messages.json", "+15550100")
	if err != nil {
		t.Fatal(err)
	}
	pusher := loopbackPusher(t)
	w.srv.opt.SMS, w.srv.opt.Pusher = sms, pusher
	rosa := w.ids["rosa"]
	if err := w.store.SetContact(ctx, rosa, store.Contact{Phone: "+1 213 555 0101"}); err != nil {
		t.Fatal(err)
	}
	push := subscribedTo(t, w.store, rosa, pusher)
	subs, err := w.store.PushSubscriptions(ctx, rosa)
	if err != nil || len(subs) != 1 {
		t.Fatalf("rosa's subscriptions: %v, %v", subs, err)
	}
	push.Expire(pushtest.Subscription{Endpoint: subs[0].Endpoint})
	start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	w.mayDay(t, start)

	w.srv.eventRound(ctx, start.Add(-20*time.Hour))
	mu.Lock()
	got := texts
	mu.Unlock()
	if len(got) != 1 || !strings.HasPrefix(got[0], "+12135550101 ") || !strings.Contains(got[0], "antes de 24 horas") {
		t.Errorf("texts %q, want the day's reminder to rosa", got)
	}
	if len(push.Messages) != 0 {
		t.Errorf("%d pushes to a subscription that is gone", len(push.Messages))
	}
}
