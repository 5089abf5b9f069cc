package pushtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// sign makes a JWT with ecdsa.Sign, for the checker to judge.
func sign(t *testing.T, key *ecdsa.PrivateKey, header string, c any) string {
	t.Helper()
	cj, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	signed := b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString(cj)
	d := sha256.Sum256([]byte(signed))
	r, s, err := ecdsa.Sign(rand.Reader, key, d[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signed + "." + b64.EncodeToString(sig)
}

func TestCheckVAPID(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := key.PublicKey.Bytes()
	k := b64.EncodeToString(pub)
	origin := "http://127.0.0.1:4000"
	now := time.Unix(1_800_000_000, 0)
	es256 := `{"typ":"JWT","alg":"ES256"}`
	good := claims{Aud: origin, Exp: now.Add(12 * time.Hour).Unix(), Sub: "mailto:ops@example.org"}
	with := func(f func(*claims)) claims { c := good; f(&c); return c }
	tests := []struct {
		name   string
		header string
		want   string // "" for accepted
	}{
		{"good", "vapid t=" + sign(t, key, es256, good) + ", k=" + k, ""},
		{"https subject, no typ", "vapid t=" + sign(t, key, `{"alg":"ES256"}`, with(func(c *claims) { c.Sub = "https://example.org/contact" })) + ", k=" + k, ""},
		{"another scheme", "WebPush " + sign(t, key, es256, good), "scheme"},
		{"no k", "vapid t=" + sign(t, key, es256, good), "missing"},
		{"signed by another key", "vapid t=" + sign(t, other, es256, good) + ", k=" + k, "does not verify"},
		{"another algorithm", "vapid t=" + sign(t, key, `{"typ":"JWT","alg":"HS256"}`, good) + ", k=" + k, "alg"},
		{"another audience", "vapid t=" + sign(t, key, es256, with(func(c *claims) { c.Aud = "https://push.example.org" })) + ", k=" + k, "aud"},
		{"expired", "vapid t=" + sign(t, key, es256, with(func(c *claims) { c.Exp = now.Add(-time.Second).Unix() })) + ", k=" + k, "expired"},
		{"more than a day", "vapid t=" + sign(t, key, es256, with(func(c *claims) { c.Exp = now.Add(25 * time.Hour).Unix() })) + ", k=" + k, "24 hours"},
		{"no contact", "vapid t=" + sign(t, key, es256, with(func(c *claims) { c.Sub = "ops@example.org" })) + ", k=" + k, "sub"},
		{"two parts", "vapid t=a.b, k=" + k, "parts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, gotK, err := checkVAPID(tc.header, origin, now)
			if tc.want == "" {
				if err != nil || gotK != k || c.Aud != origin {
					t.Errorf("got %+v, %q, %v, want accepted with k", c, gotK, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error about %q", err, tc.want)
			}
		})
	}
}
