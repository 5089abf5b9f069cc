package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// One-time codes are sent by email for a first login and for recovery:
// six digits, valid for CodeTTL, at most CodeAttempts tries. Six digits
// are guessable offline, so the store keeps an HMAC of the code under the
// server's key (kept outside the database), bound to whom it was sent.
const (
	CodeDigits   = 6
	CodeTTL      = 10 * time.Minute
	CodeAttempts = 5
)

// Code is what the store keeps of a one-time code.
type Code struct {
	Hash     string
	Expires  time.Time
	Attempts int
}

// Errors of Code.Verify; the web layer says all three the same way to
// the person trying, so as not to tell a guesser which it was.
var (
	ErrCodeExpired  = errors.New("auth: code expired")
	ErrCodeWrong    = errors.New("auth: wrong code")
	ErrCodeTooMany  = errors.New("auth: too many attempts")
	errShortCodeKey = errors.New("auth: code key shorter than 32 bytes")
)

// NewCode returns a fresh code to send to subject (a member id) and what
// to store of it.
func NewCode(key []byte, subject string, now time.Time) (string, Code, error) {
	if len(key) < 32 {
		return "", Code{}, errShortCodeKey
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", Code{}, fmt.Errorf("auth: random code: %w", err)
	}
	code := fmt.Sprintf("%0*d", CodeDigits, n.Int64())
	return code, Code{Hash: codeHash(key, subject, code), Expires: now.Add(CodeTTL)}, nil
}

func codeHash(key []byte, subject, code string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(subject))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a code typed for subject. Every call counts as an
// attempt, right or wrong; the caller stores c back (or deletes it on
// success) in the same transaction as it read it.
func (c *Code) Verify(key []byte, subject, code string, now time.Time) error {
	if c.Attempts >= CodeAttempts {
		return ErrCodeTooMany
	}
	c.Attempts++
	if !now.Before(c.Expires) {
		return ErrCodeExpired
	}
	if !hmac.Equal([]byte(codeHash(key, subject, code)), []byte(c.Hash)) {
		return ErrCodeWrong
	}
	return nil
}
