package pushtest

import (
	"crypto/ecdh"
	"strings"
	"testing"
)

// rfc8291 is the example of RFC 8291 section 5, with the receiver's
// private key from its Appendix A.
var rfc8291 = struct {
	uaPrivate, auth, body, plaintext string
}{
	uaPrivate: "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
	auth:      "BTBZMqHH6r4Tts7J_aSIgg",
	body: "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml" +
		"mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT" +
		"pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
	plaintext: "When I grow up, I want to be a watermelon",
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := b64.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return b
}

func TestDecrypt(t *testing.T) {
	priv, err := ecdh.P256().NewPrivateKey(mustB64(t, rfc8291.uaPrivate))
	if err != nil {
		t.Fatal(err)
	}
	// The user agent's public key of the example, as a check that the
	// private key was read right.
	if got, want := b64.EncodeToString(priv.PublicKey().Bytes()),
		"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"; got != want {
		t.Fatalf("public key: got %s, want %s", got, want)
	}
	auth := mustB64(t, rfc8291.auth)
	body := mustB64(t, rfc8291.body)
	flip := func(i int) []byte {
		b := append([]byte(nil), body...)
		b[i] ^= 1
		return b
	}
	otherAuth := append([]byte(nil), auth...)
	otherAuth[0] ^= 1
	tests := []struct {
		name string
		body []byte
		auth []byte
		want string // the plaintext, or a part of the error
		ok   bool
	}{
		{"the RFC 8291 example", body, auth, rfc8291.plaintext, true},
		{"a bit of the ciphertext flipped", flip(100), auth, "record 0", false},
		{"a bit of the tag flipped", flip(len(body) - 1), auth, "record 0", false},
		{"a bit of the salt flipped", flip(0), auth, "record 0", false},
		{"another auth secret", body, otherAuth, "record 0", false},
		{"the key id is not a point", flip(30), auth, "key id", false},
		{"a header cut short", body[:40], auth, "key id", false},
		{"no record", body[:86], auth, "no record", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decrypt(tc.body, priv, tc.auth)
			if tc.ok {
				if err != nil || string(got) != tc.want {
					t.Errorf("got %q, %v, want %q", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, %v, want an error about %q", got, err, tc.want)
			}
		})
	}
}
