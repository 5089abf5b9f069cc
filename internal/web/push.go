package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/store"
)

// Web Push, the member's side: the browser asks for the server's VAPID
// public key, subscribes with its push service (static/push.js), and
// gives the subscription to the server, which keeps it sealed
// (store/push.go) for the outbox to send urgent calls to. A member may
// have a subscription on each of their devices, and take any of them
// back. With Options.Pusher nil, push is off: the key is not found and
// no subscription is taken (deleting one still works).

// Messages of push (push.go).
const (
	msgNoPush        msgKey = "no-push"
	msgPushEndpoint  msgKey = "push-endpoint"
	msgPushP256dh    msgKey = "push-p256dh"
	msgPushAuth      msgKey = "push-auth"
	msgPushTestTitle msgKey = "push-test-title"
	msgPushTestBody  msgKey = "push-test-body"
)

func (s *Server) pushRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/push/key", public: true, h: s.getPushKey},
		{pattern: "POST /api/v1/me/push", action: auth.WriteSelf, h: s.postMyPush},
		{pattern: "DELETE /api/v1/me/push", action: auth.WriteSelf, h: s.deleteMyPush},
		{pattern: "POST /api/v1/me/push/test", action: auth.WriteSelf, h: s.testMyPush},
	}
}

// getPushKey answers the VAPID public key, the applicationServerKey a
// browser subscribes with, in URL-safe base64.
func (s *Server) getPushKey(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Pusher == nil {
		return errorf(store.CodeNotFound, msgNoPush)
	}
	writeJSON(w, http.StatusOK, map[string]string{"key": s.opt.Pusher.PublicKey()})
	return nil
}

// pushIn is a browser's PushSubscription.toJSON(). expirationTime is
// taken and ignored: push services end subscriptions with 404 or 410,
// which the sender sees.
type pushIn struct {
	Endpoint       *string `json:"endpoint"`
	ExpirationTime any     `json:"expirationTime"`
	Keys           *struct {
		P256dh *string `json:"p256dh"`
		Auth   *string `json:"auth"`
	} `json:"keys"`
}

// subscription checks the body field by field, in the caller's language,
// with notify's Validate as the last word on what can be sent to.
func (p *pushIn) subscription() (notify.Subscription, error) {
	var v invalid
	var sub notify.Subscription
	if p.Endpoint == nil || *p.Endpoint == "" {
		v.add("endpoint", msgFieldRequired)
	} else {
		sub.Endpoint = *p.Endpoint
	}
	switch {
	case p.Keys == nil:
		v.add("keys", msgFieldRequired)
	default:
		if p.Keys.P256dh == nil || *p.Keys.P256dh == "" {
			v.add("keys.p256dh", msgFieldRequired)
		} else {
			sub.Keys.P256dh = *p.Keys.P256dh
		}
		if p.Keys.Auth == nil || *p.Keys.Auth == "" {
			v.add("keys.auth", msgFieldRequired)
		} else {
			sub.Keys.Auth = *p.Keys.Auth
		}
	}
	if len(v) > 0 {
		return sub, v
	}
	if err := sub.Validate(); err != nil {
		// Validate names the field first: "...: keys.auth: 12 bytes".
		_, rest, _ := strings.Cut(err.Error(), "push subscription: ")
		field, _, _ := strings.Cut(rest, ":")
		switch field {
		case "keys.p256dh":
			v.add(field, msgPushP256dh)
		case "keys.auth":
			v.add(field, msgPushAuth)
		default:
			v.add("endpoint", msgPushEndpoint)
		}
		return sub, v
	}
	return sub, nil
}

// pushBody is one of the caller's subscriptions, as the export shows it.
type pushBody struct {
	Endpoint string    `json:"endpoint"`
	Keys     pushKeys  `json:"keys"`
	Created  time.Time `json:"created"`
}

type pushKeys struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

func newPushBody(p store.PushSubscription) pushBody {
	return pushBody{Endpoint: p.Endpoint, Keys: pushKeys{P256dh: p.P256dh, Auth: p.Auth}, Created: p.Created}
}

// myPush returns the caller's subscriptions, for their export.
func (s *Server) myPush(r *http.Request) ([]pushBody, error) {
	id, err := s.self(r)
	if err != nil {
		return nil, err
	}
	subs, err := s.store.PushSubscriptions(r.Context(), id)
	if err != nil {
		return nil, err
	}
	out := []pushBody{}
	for _, p := range subs {
		out = append(out, newPushBody(p))
	}
	return out, nil
}

// postMyPush takes the subscription of the caller's browser, or renews
// it when the browser sends it again.
func (s *Server) postMyPush(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	if s.opt.Pusher == nil {
		return errorf(store.CodeNotFound, msgNoPush)
	}
	var in pushIn
	if err := decode(r, &in); err != nil {
		return err
	}
	sub, err := in.subscription()
	if err != nil {
		return err
	}
	p, err := s.store.AddPushSubscription(r.Context(), id, store.PushSubscription{Endpoint: sub.Endpoint, P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newPushBody(*p))
	return nil
}

// deleteMyPush takes back the subscription of one of the caller's
// browsers: {"endpoint"}.
func (s *Server) deleteMyPush(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	var in struct {
		Endpoint *string `json:"endpoint"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Endpoint == nil || *in.Endpoint == "" {
		return invalid{{field: "endpoint", key: msgFieldRequired}}
	}
	if err := s.store.DeletePushSubscription(r.Context(), id, *in.Endpoint); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// pushTestTimeout bounds the whole test, whatever the push services do.
const pushTestTimeout = 20 * time.Second

// testMyPush sends a notification to each of the caller's subscriptions,
// in the caller's language, and says how it went: sent, gone (the push
// service says the subscription is no more; it is deleted) and failed.
func (s *Server) testMyPush(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	if s.opt.Pusher == nil {
		return errorf(store.CodeNotFound, msgNoPush)
	}
	ctx := r.Context()
	m, err := s.store.Member(ctx, id)
	if err != nil {
		return err
	}
	// The member's own language, else the request's.
	l := language(r.Header.Get("Accept-Language"))
	if _, ok := apiMessages[lang(m.Language)]; ok {
		l = lang(m.Language)
	}
	subs, err := s.store.PushSubscriptions(ctx, id)
	if err != nil {
		return err
	}
	var b [8]byte
	rand.Read(b[:])
	msg := notify.PushMessage{ID: "test-" + hex.EncodeToString(b[:]), Title: l.t(msgPushTestTitle), Body: l.t(msgPushTestBody), URL: "/me/account"}
	payload, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	out := struct {
		Sent   int `json:"sent"`
		Gone   int `json:"gone"`
		Failed int `json:"failed"`
	}{}
	sctx, cancel := context.WithTimeout(ctx, pushTestTimeout)
	defer cancel()
	for _, p := range subs {
		sub := notify.Subscription{Endpoint: p.Endpoint, Keys: notify.SubscriptionKeys{P256dh: p.P256dh, Auth: p.Auth}}
		err := s.opt.Pusher.Send(sctx, sub, payload, msg.ID)
		switch {
		case err == nil:
			out.Sent++
		case errors.Is(err, notify.ErrGone):
			out.Gone++
			if err := s.store.PushSubscriptionGone(ctx, p.Endpoint); err != nil {
				return err
			}
		default:
			out.Failed++
			// The error names no endpoint path or key (notify's
			// DeliveryError), so it may be logged.
			s.log.WarnContext(ctx, "test push failed", "err", err)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
