package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// CSRFToken is the token a form carries for the session: an HMAC of the
// session identifier under the server's key, so that it needs no storage
// and a page from another site, which cannot read the cookie, cannot
// forge it (the synchronizer token pattern, keyed instead of stored).
func CSRFToken(key []byte, session string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("csrf\x00"))
	m.Write([]byte(session))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports in constant time whether token belongs to session.
func CheckCSRF(key []byte, session, token string) bool {
	if session == "" || token == "" {
		return false
	}
	return hmac.Equal([]byte(CSRFToken(key, session)), []byte(token))
}
