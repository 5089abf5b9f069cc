// Package pushtest runs a Web Push service on a loopback port for
// tests: it makes subscriptions, as a browser would with a push
// service's help, and for every message posted to one it checks the
// sender's VAPID token (RFC 8292), decrypts the body as the browser
// would (RFC 8291 and RFC 8188, the receiving side), and hands the
// plaintext to the test. It can be told to refuse messages.
//
// It is written from the RFCs apart from the sender in package notify,
// and shares no code with it, so that a mistake in one is not hidden
// by the same mistake in the other. Only tests import it.
package pushtest

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a push service listening on 127.0.0.1 over plain HTTP
// (package notify sends over http only to loopback hosts).
type Server struct {
	// URL is the origin of the service, the audience its VAPID tokens
	// must name.
	URL string
	// Messages receives each message accepted, decrypted, in order.
	Messages chan Message

	mu       sync.Mutex
	subs     map[string]*subscriber // by the token in the endpoint's path
	fail     []answer               // answers to give before any other
	rejected []string
}

// Subscription is a subscription as a browser's PushSubscription.toJSON()
// gives it; JSON returns it in that form.
type Subscription struct {
	Endpoint string
	P256dh   string // the browser's public key, URL-safe base64
	Auth     string // the authentication secret, URL-safe base64
}

// JSON is the subscription as the browser's JSON.
func (s Subscription) JSON() []byte {
	b, _ := json.Marshal(map[string]any{
		"endpoint":       s.Endpoint,
		"expirationTime": nil,
		"keys":           map[string]string{"p256dh": s.P256dh, "auth": s.Auth},
	})
	return b
}

// Message is one message the service accepted.
type Message struct {
	// Endpoint is the subscription's endpoint.
	Endpoint string
	// Payload is the plaintext, after decryption.
	Payload []byte
	// TTL, Urgency and Topic are the request's headers of those names.
	TTL     int
	Urgency string
	Topic   string
	// Subject is the sub claim of the VAPID token.
	Subject string
	// Key is the application server key (k) the token was checked with.
	Key string
}

type subscriber struct {
	endpoint string
	priv     *ecdh.PrivateKey
	auth     []byte
	appKey   string // the applicationServerKey given when subscribing, or ""
	gone     bool
}

type answer struct {
	status     int
	retryAfter string
}

// Start starts a push service that stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{Messages: make(chan Message, 1000), subs: map[string]*subscriber{}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// NewSubscription makes a subscription on the service, as
// PushManager.subscribe does. When appServerKey is not empty (the
// sender's public key, URL-safe base64), only messages signed with that
// key are accepted for it, as browsers' push services do.
func (s *Server) NewSubscription(t testing.TB, appServerKey string) Subscription {
	t.Helper()
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	tok := make([]byte, 24)
	rand.Read(tok)
	token := b64.EncodeToString(tok)
	endpoint := s.URL + "/push/" + token
	s.mu.Lock()
	s.subs[token] = &subscriber{endpoint: endpoint, priv: priv, auth: auth, appKey: appServerKey}
	s.mu.Unlock()
	return Subscription{Endpoint: endpoint, P256dh: b64.EncodeToString(priv.PublicKey().Bytes()), Auth: b64.EncodeToString(auth)}
}

// Expire ends a subscription, as when the member revokes the
// permission: from then on messages to it are answered 410 Gone.
func (s *Server) Expire(sub Subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.subs {
		if x.endpoint == sub.Endpoint {
			x.gone = true
		}
	}
}

// FailNext makes the service answer the next request with status, and
// a Retry-After header when retryAfter is not empty, before looking at
// it. Calls queue up: each answers one request.
func (s *Server) FailNext(status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = append(s.fail, answer{status, retryAfter})
}

// Rejected returns why each message refused so far was refused (a bad
// token, a body that does not decrypt), in order.
func (s *Server) Rejected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rejected...)
}

// Wait returns the next message, failing the test if none comes within
// a minute (a deadline for a broken test, not a measurement).
func (s *Server) Wait(t testing.TB) Message {
	t.Helper()
	select {
	case m := <-s.Messages:
		return m
	case <-time.After(time.Minute):
		t.Fatalf("pushtest: no message within a minute; refused: %q", s.Rejected())
		return Message{}
	}
}

var b64 = base64.RawURLEncoding

// maxBody is what a push service must accept at least (RFC 8030
// section 7.2); this one accepts no more, like the strictest.
const maxBody = 4096

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if len(s.fail) > 0 {
		a := s.fail[0]
		s.fail = s.fail[1:]
		s.mu.Unlock()
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		http.Error(w, http.StatusText(a.status), a.status)
		return
	}
	token, ok := strings.CutPrefix(r.URL.Path, "/push/")
	sub := s.subs[token]
	var gone bool
	if sub != nil {
		gone = sub.gone
	}
	s.mu.Unlock()
	refuse := func(status int, format string, args ...any) {
		s.mu.Lock()
		s.rejected = append(s.rejected, fmt.Sprintf("%d: ", status)+fmt.Sprintf(format, args...))
		s.mu.Unlock()
		http.Error(w, http.StatusText(status), status)
	}
	switch {
	case r.Method != http.MethodPost:
		refuse(http.StatusMethodNotAllowed, "method %s", r.Method)
		return
	case !ok || sub == nil:
		refuse(http.StatusNotFound, "no such subscription")
		return
	case gone:
		refuse(http.StatusGone, "subscription expired")
		return
	}

	// RFC 8292 section 3 and 4: the token and the key.
	claims, key, err := checkVAPID(r.Header.Get("Authorization"), s.URL, time.Now())
	if err != nil {
		refuse(http.StatusUnauthorized, "vapid: %v", err)
		return
	}
	if sub.appKey != "" && key != sub.appKey {
		refuse(http.StatusForbidden, "vapid: the key is not the subscription's application server key")
		return
	}

	// RFC 8030 section 5.2 to 5.4: TTL is required; Urgency and Topic
	// have fixed forms.
	ttl, err := strconv.Atoi(r.Header.Get("TTL"))
	if err != nil || ttl < 0 {
		refuse(http.StatusBadRequest, "TTL %q", r.Header.Get("TTL"))
		return
	}
	urgency := r.Header.Get("Urgency")
	switch urgency {
	case "", "very-low", "low", "normal", "high":
	default:
		refuse(http.StatusBadRequest, "Urgency %q", urgency)
		return
	}
	topic := r.Header.Get("Topic")
	if len(topic) > 32 || strings.Trim(topic, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		refuse(http.StatusBadRequest, "Topic %q", topic)
		return
	}

	// RFC 8291 section 4: the body is aes128gcm, for the subscriber.
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		refuse(http.StatusUnsupportedMediaType, "Content-Encoding %q, want aes128gcm", ce)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		refuse(http.StatusBadRequest, "read body: %v", err)
		return
	}
	if len(body) > maxBody {
		refuse(http.StatusRequestEntityTooLarge, "body longer than %d bytes", maxBody)
		return
	}
	plain, err := Decrypt(body, sub.priv, sub.auth)
	if err != nil {
		refuse(http.StatusBadRequest, "decrypt: %v", err)
		return
	}
	s.Messages <- Message{Endpoint: sub.endpoint, Payload: plain, TTL: ttl, Urgency: urgency, Topic: topic, Subject: claims.Sub, Key: key}
	w.Header().Set("Location", s.URL+"/message/"+token)
	w.WriteHeader(http.StatusCreated)
}
