package notify

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/notify/pushtest"
)

func b64d(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return b
}

// TestEncryptRFC8291 encrypts the example of RFC 8291 section 5 with its
// ephemeral key and salt and must get its body to the byte.
func TestEncryptRFC8291(t *testing.T) {
	tests := []struct {
		name                                string
		plaintext                           string
		uaPublic, auth, asPrivate, asPublic string
		salt                                string
		body                                string
	}{
		{
			name:      "RFC 8291 section 5 and Appendix A",
			plaintext: "When I grow up, I want to be a watermelon",
			uaPublic:  "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
			auth:      "BTBZMqHH6r4Tts7J_aSIgg",
			asPrivate: "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
			asPublic:  "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8",
			salt:      "DGv6ra1nlYgDCS1FRnbzlw",
			body: "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml" +
				"mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT" +
				"pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ua, err := ecdh.P256().NewPublicKey(b64d(t, tc.uaPublic))
			if err != nil {
				t.Fatal(err)
			}
			as, err := ecdh.P256().NewPrivateKey(b64d(t, tc.asPrivate))
			if err != nil {
				t.Fatal(err)
			}
			if got := base64.RawURLEncoding.EncodeToString(as.PublicKey().Bytes()); got != tc.asPublic {
				t.Fatalf("sender's public key: got %s, want %s", got, tc.asPublic)
			}
			body, err := encrypt([]byte(tc.plaintext), ua, b64d(t, tc.auth), as, b64d(t, tc.salt))
			if err != nil {
				t.Fatal(err)
			}
			if got := base64.RawURLEncoding.EncodeToString(body); got != tc.body {
				t.Errorf("body:\ngot  %s\nwant %s", got, tc.body)
			}
		})
	}
}

// newPusher is a pusher with a fresh key, and a subscription on srv
// bound to that key.
func newPusher(t *testing.T, srv *pushtest.Server) (*Pusher, Subscription) {
	t.Helper()
	key, err := GenerateVAPIDKey()
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPusher(key, "mailto:ops@example.org")
	if err != nil {
		t.Fatal(err)
	}
	p.AllowLoopback = true
	return p, subscription(t, srv.NewSubscription(t, key.PublicKey()))
}

// subscription reads what the test push service gives as a browser's
// JSON, as the API that registers subscriptions will.
func subscription(t *testing.T, ps pushtest.Subscription) Subscription {
	t.Helper()
	var sub Subscription
	if err := json.Unmarshal(ps.JSON(), &sub); err != nil {
		t.Fatal(err)
	}
	if err := sub.Validate(); err != nil {
		t.Fatal(err)
	}
	return sub
}

// TestPushRoundTrip is acceptance item 2 of issue 6: what the pusher
// sends, a push service written from RFC 8291 decrypts into the
// expected payload, after checking the VAPID token.
func TestPushRoundTrip(t *testing.T) {
	link := "https://commune.example.org/c/7f3a?s=Zm9vYmFy"
	tests := []struct {
		name    string
		payload []byte
		id      string
		ttl     time.Duration
		wantTTL int
	}{
		{"a call, in Spanish", CallPush("es", link, "call-1/member-9/push"), "call-1/member-9/push", 0, 3600},
		{"a call, in English, with a TTL", CallPush("en", link, "call-2/member-9/push"), "call-2/member-9/push", 10 * time.Minute, 600},
		{"the largest payload", []byte(strings.Repeat("x", MaxPushPayload)), "big", 0, 3600},
		{"an empty payload, no id", []byte{}, "", 0, 3600},
	}
	srv := pushtest.Start(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, sub := newPusher(t, srv)
			p.TTL = tc.ttl
			if err := p.Send(context.Background(), sub, tc.payload, tc.id); err != nil {
				t.Fatalf("Send: %v; the service refused: %q", err, srv.Rejected())
			}
			m := srv.Wait(t)
			if string(m.Payload) != string(tc.payload) {
				t.Errorf("payload: got %q, want %q", m.Payload, tc.payload)
			}
			wantTopic := ""
			if tc.id != "" {
				wantTopic = topic(tc.id)
			}
			if m.Endpoint != sub.Endpoint || m.TTL != tc.wantTTL || m.Urgency != "high" || m.Topic != wantTopic ||
				m.Subject != "mailto:ops@example.org" || m.Key != p.key.PublicKey() {
				t.Errorf("got endpoint %s TTL %d urgency %q topic %q subject %q key %s, want %s %d high %q mailto:ops@example.org %s",
					m.Endpoint, m.TTL, m.Urgency, m.Topic, m.Subject, m.Key, sub.Endpoint, tc.wantTTL, wantTopic, p.key.PublicKey())
			}
		})
	}

	// The payload a service worker reads.
	p, sub := newPusher(t, srv)
	if err := p.Send(context.Background(), sub, CallPush("es-MX", link, "call-3/m/push"), "call-3/m/push"); err != nil {
		t.Fatal(err)
	}
	var got PushMessage
	if err := json.Unmarshal(srv.Wait(t).Payload, &got); err != nil {
		t.Fatal(err)
	}
	want := PushMessage{ID: "call-3/m/push", Title: "Llamado urgente cerca de usted", Body: "Abra para verlo y responder.", URL: link}
	if got != want {
		t.Errorf("push message: got %+v, want %+v", got, want)
	}
}

// TestPushAnswers maps the push service's answers to errors a
// dispatcher acts on, none of which names the subscription.
func TestPushAnswers(t *testing.T) {
	srv := pushtest.Start(t)
	// The pusher's clock is held still for the Retry-After dates, but
	// the push service checks the token's expiry against its own: a
	// fixed date here made the test fail once that date's tokens expired.
	now := time.Now().UTC().Truncate(time.Second)
	tests := []struct {
		name    string
		prepare func(sub Subscription) Subscription
		status  int
		gone    bool
		retry   bool
		after   time.Duration
	}{
		{"expired subscription", func(sub Subscription) Subscription {
			srv.Expire(pushtest.Subscription{Endpoint: sub.Endpoint})
			return sub
		}, 410, true, false, 0},
		{"unknown subscription", func(sub Subscription) Subscription {
			sub.Endpoint = srv.URL + "/push/nosuchsubscriptionatall"
			return sub
		}, 404, true, false, 0},
		{"too many requests, in seconds", func(sub Subscription) Subscription {
			srv.FailNext(429, "120")
			return sub
		}, 429, false, true, 2 * time.Minute},
		{"unavailable, until a date", func(sub Subscription) Subscription {
			srv.FailNext(503, now.Add(90*time.Second).Format(http.TimeFormat))
			return sub
		}, 503, false, true, 90 * time.Second},
		{"server error, no Retry-After", func(sub Subscription) Subscription {
			srv.FailNext(500, "")
			return sub
		}, 500, false, true, 0},
		{"bad request", func(sub Subscription) Subscription {
			srv.FailNext(400, "")
			return sub
		}, 400, false, false, 0},
		{"another application server key", func(sub Subscription) Subscription {
			other, err := GenerateVAPIDKey()
			if err != nil {
				t.Fatal(err)
			}
			return subscription(t, srv.NewSubscription(t, other.PublicKey()))
		}, 403, false, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, sub := newPusher(t, srv)
			p.now = func() time.Time { return now }
			sub = tc.prepare(sub)
			err := p.Send(context.Background(), sub, CallPush("en", "https://x.example/c/1", "id-1"), "id-1")
			var de *DeliveryError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a *DeliveryError", err)
			}
			retry, after := Retryable(err)
			if de.Status != tc.status || errors.Is(err, ErrGone) != tc.gone || retry != tc.retry || after != tc.after || de.Channel != "push" {
				t.Errorf("got %v (status %d, gone %v, retry %v after %s), want status %d, gone %v, retry %v after %s",
					err, de.Status, errors.Is(err, ErrGone), retry, after, tc.status, tc.gone, tc.retry, tc.after)
			}
			assertNoSecrets(t, err, sub)
		})
	}

	// No answer at all: a push service that is down.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p, sub := newPusher(t, srv)
	sub.Endpoint = "http://" + addr + "/push/" + strings.Repeat("s3cr3tt0k3n", 3)
	err = p.Send(context.Background(), sub, []byte("{}"), "id-2")
	if retry, _ := Retryable(err); err == nil || !retry {
		t.Errorf("a push service that is down: got %v, want a retryable error", err)
	}
	assertNoSecrets(t, err, sub)
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("got %q, want it to name the push service %s", err, addr)
	}
}

// assertNoSecrets fails if err holds the endpoint's path or a key of
// sub: errors are logged, and the endpoint's path is a capability.
func assertNoSecrets(t *testing.T, err error, sub Subscription) {
	t.Helper()
	if err == nil {
		return
	}
	path := sub.Endpoint[strings.Index(sub.Endpoint, "/push/"):]
	token := strings.TrimPrefix(path, "/push/")
	for _, s := range []string{path, token, sub.Keys.P256dh, sub.Keys.Auth} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q holds %q", err, s)
		}
	}
}

func TestSubscriptionValidate(t *testing.T) {
	var ua [65]byte
	ua[0] = 4
	good := Subscription{Endpoint: "https://fcm.googleapis.com/fcm/send/abc:def",
		Keys: SubscriptionKeys{
			P256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
			Auth:   "BTBZMqHH6r4Tts7J_aSIgg"}}
	with := func(f func(*Subscription)) Subscription { s := good; f(&s); return s }
	tests := []struct {
		name string
		sub  Subscription
		want string // "" for valid
	}{
		{"https", good, ""},
		{"http to the loopback", with(func(s *Subscription) { s.Endpoint = "http://127.0.0.1:8080/push/x" }), ""},
		{"http to localhost", with(func(s *Subscription) { s.Endpoint = "http://localhost/push/x" }), ""},
		{"padded standard base64", with(func(s *Subscription) { s.Keys.Auth = "BTBZMqHH6r4Tts7J/aSIgg==" }), ""},
		{"no endpoint", with(func(s *Subscription) { s.Endpoint = "" }), "endpoint: missing"},
		{"relative endpoint", with(func(s *Subscription) { s.Endpoint = "/push/x" }), "endpoint: not an absolute URL"},
		{"http elsewhere", with(func(s *Subscription) { s.Endpoint = "http://push.example.org/x" }), `endpoint: scheme "http", want https`},
		{"another scheme", with(func(s *Subscription) { s.Endpoint = "ftp://push.example.org/x" }), `endpoint: scheme "ftp"`},
		{"user in endpoint", with(func(s *Subscription) { s.Endpoint = "https://u:p@push.example.org/x" }), "endpoint: holds a user name"},
		{"long endpoint", with(func(s *Subscription) { s.Endpoint = "https://push.example.org/" + strings.Repeat("x", 3000) }), "endpoint: longer than"},
		{"a private address", with(func(s *Subscription) { s.Endpoint = "https://10.0.0.5/push/x" }), "endpoint: not a public address"},
		{"a link-local address", with(func(s *Subscription) { s.Endpoint = "https://169.254.169.254/latest" }), "endpoint: not a public address"},
		{"a shared address", with(func(s *Subscription) { s.Endpoint = "https://100.64.1.1/push/x" }), "endpoint: not a public address"},
		{"a private IPv6 address", with(func(s *Subscription) { s.Endpoint = "https://[fd00::1]:8443/push/x" }), "endpoint: not a public address"},
		{"no p256dh", with(func(s *Subscription) { s.Keys.P256dh = "" }), "keys.p256dh: missing"},
		{"p256dh not base64", with(func(s *Subscription) { s.Keys.P256dh = "not base64!" }), "keys.p256dh: not URL-safe base64"},
		{"p256dh compressed", with(func(s *Subscription) { s.Keys.P256dh = base64.RawURLEncoding.EncodeToString(make([]byte, 33)) }), "keys.p256dh: 33 bytes, want 65"},
		{"p256dh off the curve", with(func(s *Subscription) { s.Keys.P256dh = base64.RawURLEncoding.EncodeToString(ua[:]) }), "keys.p256dh: not a point on P-256"},
		{"no auth", with(func(s *Subscription) { s.Keys.Auth = "" }), "keys.auth: missing"},
		{"short auth", with(func(s *Subscription) { s.Keys.Auth = "BTBZMqHH6r4T" }), "keys.auth: 9 bytes, want 16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.sub.Validate()
			if tc.want == "" {
				if err != nil {
					t.Errorf("got %v, want valid", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
			if err != nil && tc.sub.Endpoint != "" && strings.Contains(err.Error(), tc.sub.Endpoint) {
				t.Errorf("error %q repeats the endpoint", err)
			}
		})
	}

	// Send refuses an invalid subscription before any request, for good.
	key, _ := GenerateVAPIDKey()
	p, err := NewPusher(key, "https://commune.example.org/contact")
	if err != nil {
		t.Fatal(err)
	}
	err = p.Send(context.Background(), with(func(s *Subscription) { s.Keys.Auth = "" }), []byte("x"), "id")
	if retry, _ := Retryable(err); err == nil || retry {
		t.Errorf("Send to an invalid subscription: got %v, want a permanent error", err)
	}
	err = p.Send(context.Background(), good, make([]byte, MaxPushPayload+1), "id")
	if retry, _ := Retryable(err); err == nil || retry || !strings.Contains(err.Error(), "payload") {
		t.Errorf("Send of a payload too large: got %v, want a permanent error", err)
	}
}

func TestNewPusher(t *testing.T) {
	key, err := GenerateVAPIDKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		subject string
		ok      bool
	}{
		{"mailto:ops@example.org", true},
		{"https://commune.example.org/contact", true},
		{"ops@example.org", false},
		{"mailto:", false},
		{"http://commune.example.org", false},
		{"https://", false},
	} {
		if _, err := NewPusher(key, tc.subject); (err == nil) != tc.ok {
			t.Errorf("NewPusher(%q): got %v, want ok %v", tc.subject, err, tc.ok)
		}
	}
	if _, err := NewPusher(nil, "mailto:ops@example.org"); err == nil {
		t.Error("NewPusher without a key: want an error")
	}
}

// TestVAPIDTokenReuse: one token serves a push service for hours, a new
// one is signed before it runs out, and each push service has its own.
func TestVAPIDTokenReuse(t *testing.T) {
	key, _ := GenerateVAPIDKey()
	p, err := NewPusher(key, "mailto:ops@example.org")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return now }
	a1, _ := p.authorization("https://push.example.org")
	b1, _ := p.authorization("https://other.example.org")
	now = now.Add(10 * time.Hour)
	a2, _ := p.authorization("https://push.example.org")
	now = now.Add(90 * time.Minute)
	a3, _ := p.authorization("https://push.example.org")
	if a1 != a2 || a1 == b1 || a3 == a2 {
		t.Errorf("got same token after 10 h %v, same for two services %v, new after 11.5 h %v; want true, false, true", a1 == a2, a1 == b1, a3 != a2)
	}
	if !strings.HasPrefix(a1, "vapid t=") || !strings.HasSuffix(a1, ", k="+key.PublicKey()) {
		t.Errorf("header %q, want vapid t=..., k=%s", a1, key.PublicKey())
	}
}

// TestPushInside: a subscription's endpoint comes from whoever
// subscribed, and must not make the server post inside its network.
// Without AllowLoopback the pusher does not connect to a push service
// on this machine, even under a name, and says so for good.
func TestPushInside(t *testing.T) {
	srv := pushtest.Start(t)
	for _, name := range []string{"127.0.0.1", "localhost"} {
		p, sub := newPusher(t, srv)
		p.AllowLoopback = false
		sub.Endpoint = strings.Replace(sub.Endpoint, "127.0.0.1", name, 1)
		err := p.Send(context.Background(), sub, []byte("{}"), "id")
		if retry, _ := Retryable(err); err == nil || retry || !strings.Contains(err.Error(), "not a public address") {
			t.Errorf("%s: got %v, want a permanent error: not a public address", name, err)
		}
		assertNoSecrets(t, err, sub)
	}
	select {
	case m := <-srv.Messages:
		t.Errorf("the push service got a message: %+v", m)
	default:
	}
	if r := srv.Rejected(); len(r) != 0 {
		t.Errorf("the push service was reached: %q", r)
	}
}

// TestPushConcurrent: one pusher serves many senders at once, as the
// outbox's workers use it.
func TestPushConcurrent(t *testing.T) {
	srv := pushtest.Start(t)
	p, sub := newPusher(t, srv)
	const n = 20
	errs := make(chan error, n)
	for i := range n {
		go func() {
			id := fmt.Sprintf("call-1/member-%d/push", i)
			errs <- p.Send(context.Background(), sub, CallPush("en", "https://c.example/c/1", id), id)
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for range n {
		var m PushMessage
		if err := json.Unmarshal(srv.Wait(t).Payload, &m); err != nil {
			t.Fatal(err)
		}
		seen[m.ID] = true
	}
	if len(seen) != n {
		t.Errorf("got %d distinct ids, want %d", len(seen), n)
	}
}
