package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strings"
)

// Prefixes make a leaked secret recognizable (by a scanner, or by a person
// who pastes one where it does not belong) and say what it is.
const (
	TokenPrefix   = "cmt_" // API token
	SessionPrefix = "cms_" // session identifier, in a cookie
	InvitePrefix  = "cmi_" // invite code, in a link or a QR code
	EmailPrefix   = "cme_" // secret of a link that confirms an email
	SignInPrefix  = "cml_" // secret of a sign-in link the server's operator made
)

// encoding is base32 without padding, lower-case: easy to copy, no
// characters that URLs or shells treat specially.
var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSecret returns prefix and 32 random bytes (256 bits), encoded.
func newSecret(prefix string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("auth: the system's random source failed: " + err.Error())
	}
	return prefix + strings.ToLower(encoding.EncodeToString(b[:]))
}

// NewToken returns a new API token. Show it once; store only Hash(token).
func NewToken() string { return newSecret(TokenPrefix) }

// NewSession returns a new session identifier for a cookie; store only
// Hash(id).
func NewSession() string { return newSecret(SessionPrefix) }

// NewInvite returns a new invite code for a link to join a collective;
// store only Hash(code).
func NewInvite() string { return newSecret(InvitePrefix) }

// NewEmailConfirm returns a new secret for the link that confirms an
// email a member gave; store only Hash(secret).
func NewEmailConfirm() string { return newSecret(EmailPrefix) }

// NewSignInLink returns a new secret for a link that signs a member in
// once ("commune signin-link"); store only Hash(secret).
func NewSignInLink() string { return newSecret(SignInPrefix) }

// Hash is what the store keeps of a token, session identifier, invite
// code, email confirmation or sign-in link: its SHA-256, in hex. The secrets carry
// 256 bits of randomness, so a fast hash is enough (a slow one is for
// guessable passwords, and there are none here): a stolen database does
// not give anyone a way in.
func Hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Matches reports in constant time whether secret hashes to hash.
func Matches(secret, hash string) bool {
	return hmac.Equal([]byte(Hash(secret)), []byte(hash))
}

// ErrMalformed is returned for a secret that cannot be one of ours.
var ErrMalformed = errors.New("auth: malformed secret")

// CheckFormat rejects, before any database lookup, a string that is not
// a token or session identifier of the given prefix.
func CheckFormat(secret, prefix string) error {
	rest, ok := strings.CutPrefix(secret, prefix)
	if !ok {
		return ErrMalformed
	}
	b, err := encoding.DecodeString(strings.ToUpper(rest))
	if err != nil || len(b) != 32 {
		return ErrMalformed
	}
	return nil
}
