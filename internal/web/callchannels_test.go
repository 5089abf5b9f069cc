package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/store"
)

// TestCallChannels: a call reaches each member on every channel they
// can be reached on, by email (a real SMTP server), by Web Push (a push
// service written from RFC 8291, which decrypts what it gets) and by
// text message (an HTTP server standing in for an SMS provider's API,
// which cannot run here); each says only that there is a call near
// them, with the signed link; a member with no push subscription has
// their push row given up, not retried.
func TestCallChannels(t *testing.T) {
	e := newCallEnv(t, store.Config{DataDir: t.TempDir()}, 2)
	ctx := context.Background()
	if err := e.store.PutCollectiveCallSettings(ctx, "c-garment", store.CollectiveCallSettings{Verify: false}); err != nil {
		t.Fatal(err)
	}
	// Push: a pusher allowed to reach the local push service, and the
	// first member's browser subscribed.
	pusher := loopbackPusher(t)
	push := subscribedTo(t, e.store, e.members[0], pusher)
	// SMS: the stand-in gateway records the forms it is sent.
	var mu sync.Mutex
	var texts []url.Values
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		mu.Lock()
		texts = append(texts, r.PostForm)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer gw.Close()
	sms, err := notify.NewSMS(gw.URL+"/Messages.json", "+15550100")
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range e.members {
		if err := e.store.SetContact(ctx, m, store.Contact{Email: e.emails[i], Phone: "+1 213 555 01" + string(rune('0'+i)) + "0"}); err != nil {
			t.Fatal(err)
		}
	}
	e.srv.calls.channels["push"] = e.srv.pushChannel(pusher)
	e.srv.calls.channels["sms"] = SMSChannel(sms)
	e.srv.calls.names = []string{"email", "push", "sms"}

	var created callStatus
	body := validCall(time.Now().Add(time.Hour))
	body["headcount"] = 1
	e.json(t, "POST", "/api/v1/calls", e.author, body, 201, &created)
	now := time.Now()
	e.srv.CallTick(ctx, now)
	for {
		n, err := e.srv.Dispatch(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	var mailed []string
	for range 2 {
		mailed = append(mailed, e.smtp.Wait(t).To...)
	}
	slices.Sort(mailed)
	if !slices.Equal(mailed, e.emails) {
		t.Errorf("emails to %v, want %v", mailed, e.emails)
	}

	got := push.Wait(t)
	var p notify.PushMessage
	if err := json.Unmarshal(got.Payload, &p); err != nil {
		t.Fatalf("the push payload: %v: %q", err, got.Payload)
	}
	if !strings.Contains(p.URL, "/calls/answer/") || p.ID == "" || p.Title == "" {
		t.Errorf("the push: %+v, want the answer link, an id and a title", p)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(texts) != 2 {
		t.Fatalf("%d text messages, want one to each member", len(texts))
	}
	var to []string
	for _, f := range texts {
		to = append(to, f.Get("To"))
		if b := f.Get("Body"); !strings.Contains(b, "/calls/answer/") || strings.Contains(b, "Norte") || strings.Contains(b, "raid") {
			t.Errorf("text message %q: want the link and nothing of the call", b)
		}
	}
	slices.Sort(to)
	if !slices.Equal(to, []string{"+12135550100", "+12135550110"}) {
		t.Errorf("texts to %v", to)
	}
	box, err := e.store.Outbox(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	classes := map[string]int{}
	for _, r := range box {
		switch {
		case !r.Sent.IsZero():
			classes[r.Channel+" sent"]++
		default:
			classes[r.Channel+" "+r.ErrorClass]++
		}
	}
	want := map[string]int{"email sent": 2, "sms sent": 2, "push sent": 1, "push no-address": 1}
	for k, n := range want {
		if classes[k] != n {
			t.Errorf("outbox: %v, want %v", classes, want)
			break
		}
	}
}
