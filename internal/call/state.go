package call

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/geo"
)

// Call is an urgent call and where it is in its life.
type Call struct {
	ID        string
	Author    string // the member who reported it
	Place     geo.Point
	Kind      Kind
	Headcount int
	Until     time.Time
	Message   Message
	Status    Status
	Created   time.Time
	// VerifiedBy is the member who verified it, "" if nobody did (or
	// verification was off).
	VerifiedBy string
	Closed     time.Time // when it closed or expired
}

// UnverifiedTTL is how long a call may wait for verification before it
// expires, if it does not end sooner: a report nobody could confirm in
// half an hour is stale, and spreading it would only spread fear.
const UnverifiedTTL = 30 * time.Minute

// Errors of the life of a call.
var (
	ErrOwnCall     = errors.New("call: nobody verifies their own call")
	ErrNotVerify   = errors.New("call: only an unverified call can be verified")
	ErrNotOpen     = errors.New("call: the call is over")
	ErrNotAnswered = errors.New("call: a call reaches members only once verified")
)

// New returns a call made from a checked request at place, by author at
// now. It is open at once when verify is false (the collective turned
// verification off), unverified otherwise.
func New(id, author string, req *Request, place geo.Point, verify bool, now time.Time) *Call {
	c := &Call{ID: id, Author: author, Place: place, Kind: req.Kind, Headcount: req.Headcount,
		Until: req.Until, Message: req.Message, Status: Open, Created: now}
	if verify {
		c.Status = Unverified
	}
	return c
}

// Verify opens an unverified call on the word of by, who must not be
// its author. That by is a coordinator or an organizer is for auth.Allow
// to say.
func (c *Call) Verify(by string, now time.Time) error {
	c.Tick(now)
	switch {
	case c.Status != Unverified:
		return ErrNotVerify
	case by == c.Author:
		return ErrOwnCall
	}
	c.Status, c.VerifiedBy = Open, by
	return nil
}

// Close ends an open or unverified call.
func (c *Call) Close(now time.Time) error {
	c.Tick(now)
	if c.Status == Closed || c.Status == Expired {
		return ErrNotOpen
	}
	c.Status, c.Closed = Closed, now
	return nil
}

// Tick moves the call on with time: an open call closes at Until; an
// unverified one expires at Until or after UnverifiedTTL, whichever
// comes first. It reports whether the status changed.
func (c *Call) Tick(now time.Time) bool {
	switch c.Status {
	case Open:
		if !now.Before(c.Until) {
			c.Status, c.Closed = Closed, c.Until
			return true
		}
	case Unverified:
		end := c.Created.Add(UnverifiedTTL)
		if c.Until.Before(end) {
			end = c.Until
		}
		if !now.Before(end) {
			c.Status, c.Closed = Expired, end
			return true
		}
	}
	return false
}

// Answerable reports whether members may answer the call now.
func (c *Call) Answerable(now time.Time) error {
	c.Tick(now)
	switch c.Status {
	case Open:
		return nil
	case Unverified:
		return ErrNotAnswered
	}
	return ErrNotOpen
}

// Signed links: a notification carries a link that lets its recipient
// answer without signing in, "/calls/answer/<token>". The token names
// the call and the member (both random, pseudonymous ids) and carries an
// HMAC of them under the server's key, so it cannot be made for another
// member or another call. It needs no expiry of its own: once the
// call's retention is over, its recipients are deleted, and the token
// finds nobody.

// linkVersion prefixes tokens so that the scheme can change.
const linkVersion = "a1"

// SignLink returns the answer token of member for call.
func SignLink(key []byte, callID, member string) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(callID + "\x00" + member))
	return linkVersion + "." + payload + "." + mac(key, payload)
}

// VerifyLink reads a token made by SignLink, returning the call and the member.
func VerifyLink(key []byte, token string) (callID, member string, err error) {
	errBad := errors.New("call: not a valid answer link")
	version, rest, ok := strings.Cut(token, ".")
	if !ok || version != linkVersion {
		return "", "", errBad
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(mac(key, payload))) {
		return "", "", errBad
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return "", "", errBad
	}
	callID, member, ok = strings.Cut(string(raw), "\x00")
	if !ok || callID == "" || member == "" {
		return "", "", errBad
	}
	return callID, member, nil
}

func mac(key []byte, payload string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("commune answer link/v1\x00"))
	h.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}
