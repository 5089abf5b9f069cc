package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/notify/pushtest"
	"github.com/commune-org/commune/internal/store"
)

const pushSubject = "mailto:ops@commune.example.org"

// newPushEnv is newEnv with push on: a pusher with a new key that may
// reach a push service on this machine (pushtest).
func newPushEnv(t *testing.T) (*env, *notify.Pusher) {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := loopbackPusher(t)
	var log bytes.Buffer
	srv := New(st, slog.New(slog.NewJSONHandler(&log, nil)), Options{Pusher: p})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &env{store: st, srv: srv, http: srv.Handler(), log: &log}, p
}

// loopbackPusher is a pusher with a new key that may reach a push service
// on this machine (pushtest).
func loopbackPusher(t testing.TB) *notify.Pusher {
	t.Helper()
	key, err := notify.GenerateVAPIDKey()
	if err != nil {
		t.Fatal(err)
	}
	p, err := notify.NewPusher(key, pushSubject)
	if err != nil {
		t.Fatal(err)
	}
	p.AllowLoopback = true
	return p
}

// subscribedTo starts a push service on this machine and subscribes a
// browser of member to it, for p's key.
func subscribedTo(t *testing.T, st *store.Store, member string, p *notify.Pusher) *pushtest.Server {
	t.Helper()
	push := pushtest.Start(t)
	sub := push.NewSubscription(t, p.PublicKey())
	if _, err := st.AddPushSubscription(context.Background(), member, store.PushSubscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth}); err != nil {
		t.Fatal(err)
	}
	return push
}

// testPushResult is the answer of POST /api/v1/me/push/test.
type testPushResult struct{ Sent, Gone, Failed int }

func TestPushSubscribeAndTest(t *testing.T) {
	e, pusher := newPushEnv(t)
	ps := pushtest.Start(t)
	id, tok := e.member(t, "Ana")
	e.json(t, "PATCH", "/api/v1/me", tok, map[string]any{"language": "es"}, 200, nil)

	var key struct{ Key string }
	e.json(t, "GET", "/api/v1/push/key", "", nil, 200, &key)
	if key.Key == "" || key.Key != pusher.PublicKey() {
		t.Fatalf("GET /api/v1/push/key: got %q, want the pusher's key %q", key.Key, pusher.PublicKey())
	}

	// The browser subscribes with the server's key and gives the
	// subscription, as PushSubscription.toJSON() writes it; two devices.
	phone, laptop := ps.NewSubscription(t, key.Key), ps.NewSubscription(t, key.Key)
	for _, sub := range []pushtest.Subscription{phone, laptop} {
		r := e.do(t, "POST", "/api/v1/me/push", tok, "", bytes.NewReader(sub.JSON()))
		var got pushBody
		if err := json.Unmarshal(r.body, &got); r.status != 201 || err != nil || got.Endpoint != sub.Endpoint || got.Created.IsZero() {
			t.Fatalf("POST /api/v1/me/push: got %d %s, want 201 and the subscription", r.status, r.body)
		}
	}
	// Sent again (the page does so on each visit), it is renewed, not
	// doubled.
	e.do(t, "POST", "/api/v1/me/push", tok, "", bytes.NewReader(phone.JSON()))
	if subs, err := e.store.PushSubscriptions(context.Background(), id); err != nil || len(subs) != 2 {
		t.Fatalf("subscriptions kept: got %d, %v, want 2", len(subs), err)
	}

	// The test reaches both devices, in Spanish, signed with the
	// server's key, one message id for both.
	var res testPushResult
	e.json(t, "POST", "/api/v1/me/push/test", tok, nil, 200, &res)
	if res != (testPushResult{Sent: 2}) {
		t.Errorf("POST /api/v1/me/push/test: got %+v, want 2 sent", res)
	}
	got := map[string]notify.PushMessage{}
	for range 2 {
		m := ps.Wait(t)
		var pm notify.PushMessage
		if err := json.Unmarshal(m.Payload, &pm); err != nil {
			t.Fatalf("payload %q: %v", m.Payload, err)
		}
		got[m.Endpoint] = pm
		if m.Key != key.Key || m.Subject != pushSubject || m.Urgency != "high" || m.Topic == "" {
			t.Errorf("message to %s: key %q, subject %q, urgency %q, topic %q", m.Endpoint, m.Key, m.Subject, m.Urgency, m.Topic)
		}
	}
	for _, sub := range []pushtest.Subscription{phone, laptop} {
		pm, ok := got[sub.Endpoint]
		want := notify.PushMessage{ID: pm.ID, Title: messagesES[msgPushTestTitle], Body: messagesES[msgPushTestBody], URL: "/me/account"}
		if !ok || pm != want || !strings.HasPrefix(pm.ID, "test-") {
			t.Errorf("message to %s: got %+v (%v), want %+v", sub.Endpoint, pm, ok, want)
		}
	}
	if got[phone.Endpoint].ID != got[laptop.Endpoint].ID {
		t.Errorf("message ids differ: %q, %q", got[phone.Endpoint].ID, got[laptop.Endpoint].ID)
	}

	// The laptop's permission is revoked: its push service answers 410,
	// and the subscription is deleted.
	ps.Expire(laptop)
	e.json(t, "POST", "/api/v1/me/push/test", tok, nil, 200, &res)
	if res != (testPushResult{Sent: 1, Gone: 1}) {
		t.Errorf("after the laptop's subscription expired: got %+v, want 1 sent, 1 gone", res)
	}
	ps.Wait(t)
	var export exportBody
	e.json(t, "GET", "/api/v1/me/export", tok, nil, 200, &export)
	if len(export.Push) != 1 || export.Push[0].Endpoint != phone.Endpoint || export.Push[0].Keys.Auth != phone.Auth {
		t.Errorf("export's push: got %+v, want the phone's subscription only", export.Push)
	}

	// A failure for now is counted and changes nothing.
	ps.FailNext(503, "")
	e.json(t, "POST", "/api/v1/me/push/test", tok, nil, 200, &res)
	if res != (testPushResult{Failed: 1}) {
		t.Errorf("push service answering 503: got %+v, want 1 failed", res)
	}
	if strings.Contains(e.log.String(), strings.TrimPrefix(phone.Endpoint, ps.URL)) {
		t.Errorf("the log holds the endpoint's path: %s", e.log)
	}

	// Taken back: gone from the store, another time not found.
	e.json(t, "DELETE", "/api/v1/me/push", tok, map[string]string{"endpoint": phone.Endpoint}, 204, nil)
	e.json(t, "DELETE", "/api/v1/me/push", tok, map[string]string{"endpoint": phone.Endpoint}, 404, nil)
	e.json(t, "POST", "/api/v1/me/push/test", tok, nil, 200, &res)
	if res != (testPushResult{}) {
		t.Errorf("with no subscription: got %+v, want nothing sent", res)
	}
	e.json(t, "GET", "/api/v1/me/export", tok, nil, 200, &export)
	if export.Push == nil || len(export.Push) != 0 {
		t.Errorf("export's push with none: got %#v, want []", export.Push)
	}

	// Another member cannot take Ana's subscription back.
	e.do(t, "POST", "/api/v1/me/push", tok, "", bytes.NewReader(phone.JSON()))
	_, other := e.member(t, "Bea")
	e.json(t, "DELETE", "/api/v1/me/push", other, map[string]string{"endpoint": phone.Endpoint}, 404, nil)
	if subs, _ := e.store.PushSubscriptions(context.Background(), id); len(subs) != 1 {
		t.Errorf("Ana's subscriptions after Bea's DELETE: %d, want 1", len(subs))
	}
}

func TestPushTestInMemberLanguage(t *testing.T) {
	e, _ := newPushEnv(t)
	ps := pushtest.Start(t)
	_, tok := e.member(t, "Carmen") // language "en"
	sub := ps.NewSubscription(t, "")
	e.json(t, "POST", "/api/v1/me/push", tok, json.RawMessage(sub.JSON()), 201, nil)
	// The member's language, not the request's.
	r := e.do(t, "POST", "/api/v1/me/push/test", tok, "es", nil)
	if r.status != 200 {
		t.Fatalf("POST /api/v1/me/push/test: got %d %s", r.status, r.body)
	}
	var pm notify.PushMessage
	if err := json.Unmarshal(ps.Wait(t).Payload, &pm); err != nil || pm.Title != messagesEN[msgPushTestTitle] || pm.Body != messagesEN[msgPushTestBody] {
		t.Errorf("test push of an English-speaking member: got %+v, %v", pm, err)
	}
}

func TestPushSubscriptionInvalid(t *testing.T) {
	e, _ := newPushEnv(t)
	ps := pushtest.Start(t)
	id, tok := e.member(t, "Dolores")
	good := ps.NewSubscription(t, "")
	body := func(endpoint, p256dh, auth string) string {
		b, _ := json.Marshal(map[string]any{"endpoint": endpoint, "expirationTime": nil, "keys": map[string]string{"p256dh": p256dh, "auth": auth}})
		return string(b)
	}
	tests := []struct {
		name, body string
		key        msgKey // of the first problem, field by field
		field      string
	}{
		{"no endpoint", `{"keys": {"p256dh": "` + good.P256dh + `", "auth": "` + good.Auth + `"}}`, msgFieldRequired, "endpoint"},
		{"no keys", `{"endpoint": "` + good.Endpoint + `"}`, msgFieldRequired, "keys"},
		{"no auth", `{"endpoint": "` + good.Endpoint + `", "keys": {"p256dh": "` + good.P256dh + `"}}`, msgFieldRequired, "keys.auth"},
		{"plain http elsewhere", body("http://push.example.net/p/1", good.P256dh, good.Auth), msgPushEndpoint, "endpoint"},
		{"not a URL", body("push service", good.P256dh, good.Auth), msgPushEndpoint, "endpoint"},
		{"private address", body("https://10.0.0.7/p/1", good.P256dh, good.Auth), msgPushEndpoint, "endpoint"},
		{"p256dh not a point", body(good.Endpoint, strings.Repeat("A", 87), good.Auth), msgPushP256dh, "keys.p256dh"},
		{"p256dh not base64", body(good.Endpoint, "not base64!", good.Auth), msgPushP256dh, "keys.p256dh"},
		{"auth of 12 bytes", body(good.Endpoint, good.P256dh, "AAAAAAAAAAAAAAAA"), msgPushAuth, "keys.auth"},
		{"unknown field", `{"endpoint": "` + good.Endpoint + `", "topic": "x"}`, msgFieldUnknown, "topic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, l := range []struct {
				header string
				lang   lang
			}{{"es-MX", spanish}, {"en", english}} {
				r := e.do(t, "POST", "/api/v1/me/push", tok, l.header, strings.NewReader(tc.body))
				d := errorOf(t, r)
				want := tc.field + ": " + l.lang.t(tc.key)
				if r.status != 400 || d.Code != store.CodeInvalid || len(d.Errors) == 0 || d.Errors[0] != want {
					t.Errorf("%s: got %d %+v, want 400 with %q", l.header, r.status, d, want)
				}
			}
		})
	}
	if subs, err := e.store.PushSubscriptions(context.Background(), id); err != nil || len(subs) != 0 {
		t.Errorf("after bad requests: %d subscriptions, %v, want none", len(subs), err)
	}
	e.json(t, "DELETE", "/api/v1/me/push", tok, map[string]string{}, 400, nil)
}

// TestPushOff: without a pusher the key is not found, no subscription
// is taken, and the answers say so in the caller's language.
func TestPushOff(t *testing.T) {
	e := newEnv(t)
	_, tok := e.member(t, "Elena")
	sub := `{"endpoint": "https://push.example.net/p/1", "keys": {"p256dh": "x", "auth": "y"}}`
	for _, tc := range []struct{ method, target, token, body string }{
		{"GET", "/api/v1/push/key", "", ""},
		{"POST", "/api/v1/me/push", tok, sub},
		{"POST", "/api/v1/me/push/test", tok, ""},
	} {
		r := e.do(t, tc.method, tc.target, tc.token, "es", strings.NewReader(tc.body))
		if d := errorOf(t, r); r.status != 404 || d.Message != messagesES[msgNoPush] {
			t.Errorf("%s %s with push off: got %d %+v, want 404 %q", tc.method, tc.target, r.status, d, messagesES[msgNoPush])
		}
	}
}
