package pushtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// claims are the JWT claims RFC 8292 section 2 requires.
type claims struct {
	Aud string `json:"aud"`
	Exp int64  `json:"exp"`
	Sub string `json:"sub"`
}

// checkVAPID checks an Authorization header of the "vapid" scheme (RFC
// 8292 section 3): the token t is a JWT signed with ES256 by the key k,
// whose audience is this service's origin, which expires after now and
// at most 24 hours after it, and whose subject is a mailto: or https:
// contact. It returns the claims and k.
func checkVAPID(header, origin string, now time.Time) (claims, string, error) {
	var c claims
	scheme, params, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "vapid") {
		return c, "", fmt.Errorf("authorization scheme %q, want vapid", scheme)
	}
	var t, k string
	for _, p := range strings.Split(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(name) {
		case "t":
			t = value
		case "k":
			k = value
		}
	}
	if t == "" || k == "" {
		return c, "", errors.New("t or k missing")
	}
	rawKey, err := b64.DecodeString(k)
	if err != nil {
		return c, "", errors.New("k is not URL-safe base64 without padding")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), rawKey)
	if err != nil {
		return c, "", fmt.Errorf("k: %v", err)
	}

	parts := strings.Split(t, ".")
	if len(parts) != 3 {
		return c, "", fmt.Errorf("token has %d parts, want 3", len(parts))
	}
	var head struct{ Typ, Alg string }
	if err := decodeJSON(parts[0], &head); err != nil {
		return c, "", fmt.Errorf("token header: %v", err)
	}
	if head.Alg != "ES256" || (head.Typ != "" && head.Typ != "JWT") {
		return c, "", fmt.Errorf("token header: alg %q typ %q, want ES256 JWT", head.Alg, head.Typ)
	}
	// RFC 7515 section 5.2 and RFC 7518 section 3.4: the signature is
	// over the first two parts as they are written, and is r and s as
	// 32 bytes each.
	sig, err := b64.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return c, "", fmt.Errorf("signature: %d bytes, want 64", len(sig))
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(pub, digest[:], r, s) {
		return c, "", errors.New("signature does not verify with k")
	}
	if err := decodeJSON(parts[1], &c); err != nil {
		return c, "", fmt.Errorf("token claims: %v", err)
	}
	switch exp := time.Unix(c.Exp, 0); {
	case c.Aud != origin:
		return c, "", fmt.Errorf("aud %q, want %q", c.Aud, origin)
	case !exp.After(now):
		return c, "", fmt.Errorf("expired at %s", exp.UTC())
	case exp.Sub(now) > 24*time.Hour:
		return c, "", fmt.Errorf("exp %s is more than 24 hours away", exp.UTC())
	case !strings.HasPrefix(c.Sub, "mailto:") && !strings.HasPrefix(c.Sub, "https:"):
		return c, "", fmt.Errorf("sub %q, want a mailto: or https: URL", c.Sub)
	}
	return c, k, nil
}

func decodeJSON(part string, v any) error {
	raw, err := b64.DecodeString(part)
	if err != nil {
		return errors.New("not URL-safe base64 without padding")
	}
	return json.Unmarshal(raw, v)
}
