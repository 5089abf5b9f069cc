package store

import (
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// A member's Web Push subscriptions: one for each browser (a phone, a
// laptop) where they asked for urgent calls. The endpoint URL names the
// device at its push service and the keys decrypt what is sent to it,
// so the whole subscription is sealed as contacts are (seal.go), with
// its own additional data so that it cannot pass for a contact. Rows are
// found by endpoint_index, an HMAC of the endpoint under a key derived
// from the sealing key (as members.email_index), without opening any.

// PushSubscription is one browser's push subscription, as the browser's
// PushSubscription.toJSON() gives it.
type PushSubscription struct {
	Endpoint string `json:"endpoint"`
	P256dh   string `json:"p256dh"`
	Auth     string `json:"auth"`
	// Created is when it was added, or last replaced; set by the store.
	Created time.Time `json:"-"`
}

// MaxPushSubscriptions is how many subscriptions a member keeps: adding
// one more drops the oldest. Each urgent call is sent to every one, and
// a member has a few devices, not dozens.
const MaxPushSubscriptions = 10

// maxPushField bounds each field of a subscription; browsers' endpoints
// are a few hundred bytes.
const maxPushField = 2048

func pushAdditional(memberID string) []byte { return []byte("commune push/v1 " + memberID) }

func pushIndex(key []byte, endpoint string) string {
	m := hmac.New(sha256.New, deriveKey(key, "push-endpoint-index"))
	m.Write([]byte(endpoint))
	return hex.EncodeToString(m.Sum(nil))
}

func sealPush(aead cipher.AEAD, memberID string, plain []byte) []byte {
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = sealFormat
	rand.Read(out[1:])
	return aead.Seal(out, out[1:], plain, pushAdditional(memberID))
}

func unsealPush(aead cipher.AEAD, memberID string, sealed []byte) (PushSubscription, error) {
	var p PushSubscription
	n := aead.NonceSize()
	if len(sealed) < 1+n+aead.Overhead() || sealed[0] != sealFormat {
		return p, errSealed
	}
	plain, err := aead.Open(nil, sealed[1:1+n], sealed[1+n:], pushAdditional(memberID))
	if err != nil {
		return p, errSealed
	}
	err = json.Unmarshal(plain, &p)
	return p, err
}

// AddPushSubscription adds a subscription of the member, or replaces the
// one with the same endpoint. A browser has one subscription whoever
// signs in on it: if the endpoint was another member's, it is theirs no
// longer (a shared phone shows the calls of whoever subscribed on it
// last). The store checks only that the fields are there and not too
// long; what makes a subscription usable is the caller's to check
// (notify.Subscription.Validate).
func (s *Store) AddPushSubscription(ctx context.Context, memberID string, p PushSubscription) (*PushSubscription, error) {
	for _, f := range []struct{ name, v string }{{"endpoint", p.Endpoint}, {"keys.p256dh", p.P256dh}, {"keys.auth", p.Auth}} {
		switch {
		case f.v == "":
			return nil, Errorf(CodeInvalid, "%s: missing", f.name)
		case len(f.v) > maxPushField:
			return nil, Errorf(CodeInvalid, "%s: longer than %d bytes", f.name, maxPushField)
		}
	}
	plain, err := json.Marshal(PushSubscription{Endpoint: p.Endpoint, P256dh: p.P256dh, Auth: p.Auth})
	if err != nil {
		return nil, fmt.Errorf("store: add push subscription: %w", err)
	}
	out := PushSubscription{Endpoint: p.Endpoint, P256dh: p.P256dh, Auth: p.Auth, Created: s.now().UTC().Truncate(time.Second)}
	// The key may not change between sealing and writing.
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	index := pushIndex(s.key, p.Endpoint)
	sealed := sealPush(s.aead, memberID, plain)
	err = s.write(ctx, "add push subscription", func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM members WHERE id = $1`, memberID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "member %q not found", memberID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE endpoint_index = $1`, index); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO push_subscriptions (endpoint_index, member_id, subscription, created_at)
VALUES ($1, $2, $3, $4)`, index, memberID, sealed, out.Created.Unix()); err != nil {
			return err
		}
		// The newest are kept; on a tie of seconds, the one just added.
		_, err = tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE member_id = $1 AND endpoint_index NOT IN (
SELECT endpoint_index FROM push_subscriptions WHERE member_id = $1
ORDER BY created_at DESC, CASE WHEN endpoint_index = $2 THEN 0 ELSE 1 END, endpoint_index LIMIT $3)`,
			memberID, index, MaxPushSubscriptions)
		return err
	})
	if err != nil {
		if ErrorCode(err) != CodeInternal {
			return nil, err
		}
		return nil, fmt.Errorf("store: add push subscription of %q: %w", memberID, err)
	}
	return &out, nil
}

// PushSubscriptions returns the member's subscriptions, opened, oldest
// first: where to send them a push.
func (s *Store) PushSubscriptions(ctx context.Context, memberID string) ([]PushSubscription, error) {
	type row struct {
		sealed  []byte
		created int64
	}
	var rows []row
	err := s.snapshot(ctx, "push subscriptions", func(tx *sql.Tx) error {
		g := getter{ctx: ctx, tx: tx}
		g.query(`SELECT subscription, created_at FROM push_subscriptions WHERE member_id = $1
ORDER BY created_at, endpoint_index`, func(r *sql.Rows) error {
			var x row
			if err := r.Scan(&x.sealed, &x.created); err != nil {
				return err
			}
			rows = append(rows, x)
			return nil
		}, memberID)
		return g.err
	})
	if err != nil {
		return nil, fmt.Errorf("store: push subscriptions of %q: %w", memberID, err)
	}
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	var out []PushSubscription
	for _, x := range rows {
		p, err := unsealPush(s.aead, memberID, x.sealed)
		if err != nil {
			return nil, fmt.Errorf("store: push subscription of %q: %w", memberID, err)
		}
		p.Created = time.Unix(x.created, 0).UTC()
		out = append(out, p)
	}
	return out, nil
}

// DeletePushSubscription deletes the member's subscription with the
// endpoint; another member's, or none, is not found.
func (s *Store) DeletePushSubscription(ctx context.Context, memberID, endpoint string) error {
	s.keyMu.RLock()
	index := pushIndex(s.key, endpoint)
	s.keyMu.RUnlock()
	var n int64
	err := s.write(ctx, "delete push subscription", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE endpoint_index = $1 AND member_id = $2`, index, memberID)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete push subscription of %q: %w", memberID, err)
	}
	if n == 0 {
		return Errorf(CodeNotFound, "no push subscription of yours has this endpoint")
	}
	return nil
}

// DeletePushSubscriptions deletes every subscription of the member and
// says how many there were.
func (s *Store) DeletePushSubscriptions(ctx context.Context, memberID string) (int, error) {
	var n int64
	err := s.write(ctx, "delete push subscriptions", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE member_id = $1`, memberID)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete push subscriptions of %q: %w", memberID, err)
	}
	return int(n), nil
}

// PushSubscriptionGone deletes the subscription with the endpoint,
// whoever's it is: its push service said it is gone for good
// (notify.ErrGone). None is not an error: another delivery may have
// found it gone first.
func (s *Store) PushSubscriptionGone(ctx context.Context, endpoint string) error {
	s.keyMu.RLock()
	index := pushIndex(s.key, endpoint)
	s.keyMu.RUnlock()
	err := s.write(ctx, "push subscription gone", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE endpoint_index = $1`, index)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: push subscription gone: %w", err)
	}
	return nil
}

// resealPush seals every push subscription again under aead and
// indexes it under key, in RotateKey's transaction; old opens them.
func resealPush(ctx context.Context, tx *sql.Tx, old, aead cipher.AEAD, key []byte) error {
	type row struct {
		index, member string
		sealed        []byte
	}
	var all []row
	g := getter{ctx: ctx, tx: tx}
	g.query(`SELECT endpoint_index, member_id, subscription FROM push_subscriptions`, func(r *sql.Rows) error {
		var x row
		if err := r.Scan(&x.index, &x.member, &x.sealed); err != nil {
			return err
		}
		all = append(all, x)
		return nil
	})
	if g.err != nil {
		return fmt.Errorf("store: rotate key: read push subscriptions: %w", g.err)
	}
	for _, x := range all {
		p, err := unsealPush(old, x.member, x.sealed)
		if err != nil {
			return fmt.Errorf("store: rotate key: push subscription of member %s: %w", x.member, err)
		}
		plain, err := json.Marshal(PushSubscription{Endpoint: p.Endpoint, P256dh: p.P256dh, Auth: p.Auth})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE push_subscriptions SET endpoint_index = $1, subscription = $2 WHERE endpoint_index = $3`,
			pushIndex(key, p.Endpoint), sealPush(aead, x.member, plain), x.index); err != nil {
			return fmt.Errorf("store: rotate key: push subscription of member %s: %w", x.member, err)
		}
	}
	return nil
}
