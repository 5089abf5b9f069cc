package web

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"
)

// softKey is a software authenticator's discoverable credential: an
// ECDSA P-256 key pair (COSE algorithm ES256, -7), its id, the user
// handle it was made for and its signature counter.
type softKey struct {
	id     []byte
	key    *ecdsa.PrivateKey
	rpID   string
	handle []byte
	count  uint32
}

// authenticator plays both the browser (it builds clientDataJSON, WebAuthn
// Level 3 section 5.8.1) and the authenticator (authenticator data,
// section 6.1; "none" attestation, section 8.7; assertion signatures,
// section 6.3.3), so that the test runs the real ceremonies of
// go-webauthn with nothing mocked.
type authenticator struct {
	origin string
	keys   []*softKey
	// flags to set in the next response: user present and verified
	// unless a test says otherwise.
	flags byte
}

const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

var b64 = base64.RawURLEncoding

// cbor encodes the few CBOR values WebAuthn needs (RFC 8949): unsigned
// and negative integers, byte and text strings, and maps whose entries
// are given in order (the caller gives them in the canonical order of
// CTAP2: shorter keys first).
func cborHead(major byte, n uint64) []byte {
	switch {
	case n < 24:
		return []byte{major<<5 | byte(n)}
	case n < 1<<8:
		return []byte{major<<5 | 24, byte(n)}
	case n < 1<<16:
		return binary.BigEndian.AppendUint16([]byte{major<<5 | 25}, uint16(n))
	default:
		return binary.BigEndian.AppendUint32([]byte{major<<5 | 26}, uint32(n))
	}
}

func cbor(v any) []byte {
	switch v := v.(type) {
	case int:
		if v >= 0 {
			return cborHead(0, uint64(v))
		}
		return cborHead(1, uint64(-1-v))
	case []byte:
		return append(cborHead(2, uint64(len(v))), v...)
	case string:
		return append(cborHead(3, uint64(len(v))), v...)
	case [][2]any: // a map, in order
		out := cborHead(5, uint64(len(v)))
		for _, kv := range v {
			out = append(out, cbor(kv[0])...)
			out = append(out, cbor(kv[1])...)
		}
		return out
	}
	panic("cbor: unsupported type")
}

// coseKey is the credential public key as a COSE_Key (RFC 9053, section
// 7.1.1): kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
func coseKey(t *testing.T, k *ecdsa.PublicKey) []byte {
	p, err := k.Bytes() // the uncompressed point: 0x04, x, y (SEC 1, section 2.3.3)
	if err != nil || len(p) != 65 {
		t.Fatalf("public key: %d bytes, %v", len(p), err)
	}
	return cbor([][2]any{{1, 2}, {3, -7}, {-1, 1}, {-2, p[1:33]}, {-3, p[33:]}})
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

// create answers navigator.credentials.create with the options the
// server sent.
func (a *authenticator) create(t *testing.T, options []byte) []byte {
	t.Helper()
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			RP        struct {
				ID string `json:"id"`
			} `json:"rp"`
			User struct {
				ID string `json:"id"`
			} `json:"user"`
			Params []struct {
				Alg int `json:"alg"`
			} `json:"pubKeyCredParams"`
			Exclude []struct {
				ID string `json:"id"`
			} `json:"excludeCredentials"`
			Selection struct {
				ResidentKey      string `json:"residentKey"`
				UserVerification string `json:"userVerification"`
			} `json:"authenticatorSelection"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatalf("creation options %s: %v", options, err)
	}
	pk := o.PublicKey
	es256 := false
	for _, p := range pk.Params {
		es256 = es256 || p.Alg == -7
	}
	if !es256 || pk.Selection.ResidentKey != "required" || pk.Selection.UserVerification != "required" {
		t.Fatalf("creation options %s: want ES256, a resident key and user verification", options)
	}
	for _, ex := range pk.Exclude {
		for _, k := range a.keys {
			if ex.ID == b64.EncodeToString(k.id) {
				t.Fatalf("the server asks for a second passkey on an authenticator that has one (excludeCredentials)")
			}
		}
	}
	handle, err := b64.DecodeString(pk.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k := &softKey{id: make([]byte, 16), key: key, rpID: pk.RP.ID, handle: handle}
	rand.Read(k.id)
	a.keys = append(a.keys, k)

	rpHash := sha256.Sum256([]byte(k.rpID))
	authData := append(rpHash[:], a.flags|flagAT)
	authData = binary.BigEndian.AppendUint32(authData, k.count)
	authData = append(authData, make([]byte, 16)...) // AAGUID: none
	authData = binary.BigEndian.AppendUint16(authData, uint16(len(k.id)))
	authData = append(authData, k.id...)
	authData = append(authData, coseKey(t, &key.PublicKey)...)
	attestation := cbor([][2]any{{"fmt", "none"}, {"attStmt", [][2]any{}}, {"authData", authData}})
	resp, _ := json.Marshal(map[string]any{
		"id":    b64.EncodeToString(k.id),
		"rawId": b64.EncodeToString(k.id),
		"type":  "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData("webauthn.create", pk.Challenge, a.origin)),
			"attestationObject": b64.EncodeToString(attestation),
			"transports":        []string{"internal"},
		},
		"clientExtensionResults":  map[string]any{},
		"authenticatorAttachment": "platform",
	})
	return resp
}

// get answers navigator.credentials.get with key k.
func (a *authenticator) get(t *testing.T, options []byte, k *softKey) []byte {
	t.Helper()
	var o struct {
		PublicKey struct {
			Challenge        string `json:"challenge"`
			RPID             string `json:"rpId"`
			UserVerification string `json:"userVerification"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatalf("request options %s: %v", options, err)
	}
	if o.PublicKey.RPID != k.rpID || o.PublicKey.UserVerification != "required" {
		t.Fatalf("request options %s: want rpId %s and user verification", options, k.rpID)
	}
	k.count++
	rpHash := sha256.Sum256([]byte(k.rpID))
	authData := binary.BigEndian.AppendUint32(append(rpHash[:], a.flags), k.count)
	cd := clientData("webauthn.get", o.PublicKey.Challenge, a.origin)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(bytes.Clone(authData), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := json.Marshal(map[string]any{
		"id":    b64.EncodeToString(k.id),
		"rawId": b64.EncodeToString(k.id),
		"type":  "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(authData),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(k.handle),
		},
		"clientExtensionResults":  map[string]any{},
		"authenticatorAttachment": "platform",
	})
	return resp
}

// passkeyLogin runs a sign-in ceremony with key k in a new browser and
// returns the finish response and the browser.
func passkeyLogin(t *testing.T, e *loginEnv, a *authenticator, k *softKey) (response, *browser) {
	t.Helper()
	b := e.browser(t)
	r := b.do(t, "POST", "/api/v1/login/passkey/begin", nil)
	if r.status != 200 {
		t.Fatalf("passkey begin: got %d %s, want 200", r.status, r.body)
	}
	return b.do(t, "POST", "/api/v1/login/passkey/finish", a.get(t, r.body, k)), b
}

func TestPasskeys(t *testing.T) {
	e := newLoginEnv(t, "")
	ctx := context.Background()
	ana := e.member(t, "Ana", "es", "ana@example.org")
	a := &authenticator{origin: "http://localhost:8080", flags: flagUP | flagUV}

	// A member signed in with a code registers a passkey.
	b := e.browser(t)
	b.signIn(t, "ana@example.org", "ana@example.org")
	csrf := b.csrf
	b.csrf = ""
	if r := b.do(t, "POST", "/api/v1/login/passkey/register/begin", nil); r.status != 403 {
		t.Errorf("register without X-CSRF-Token: got %d, want 403", r.status)
	}
	b.csrf = csrf
	r := b.do(t, "POST", "/api/v1/login/passkey/register/begin", nil)
	if r.status != 200 {
		t.Fatalf("register begin: got %d %s, want 200", r.status, r.body)
	}
	created := a.create(t, r.body)
	r = b.do(t, "POST", "/api/v1/login/passkey/register/finish", created)
	if r.status != 201 || decodeAs[map[string]string](t, r)["id"] != b64.EncodeToString(a.keys[0].id) {
		t.Fatalf("register finish: got %d %s, want 201 and the credential id", r.status, r.body)
	}
	if creds, err := e.store.Credentials(ctx, ana.ID); err != nil || len(creds) != 1 || !bytes.Equal(creds[0].ID, a.keys[0].id) {
		t.Fatalf("stored credentials: got %+v, %v, want the new one", creds, err)
	}
	// The same answer again: the ceremony was used.
	if r := b.do(t, "POST", "/api/v1/login/passkey/register/finish", created); r.status != 400 {
		t.Errorf("register finish replayed: got %d %s, want 400", r.status, r.body)
	}
	// The session opened with a code stays a code session.
	if got := decodeAs[sessionBody](t, b.do(t, "GET", "/api/v1/login/session", nil)); got.Passkey {
		t.Error("registering a passkey made the code session a passkey session")
	}
	// A second registration excludes the passkey the member has (the
	// software authenticator fails the test if asked twice).
	r = b.do(t, "POST", "/api/v1/login/passkey/register/begin", nil)
	var opts struct {
		PublicKey struct {
			Exclude []struct{ ID string } `json:"excludeCredentials"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(r.body, &opts); err != nil || len(opts.PublicKey.Exclude) != 1 || opts.PublicKey.Exclude[0].ID != b64.EncodeToString(a.keys[0].id) {
		t.Errorf("second register begin: excludeCredentials %+v (%v), want the first passkey", opts.PublicKey.Exclude, err)
	}

	// Signing in with it, with no username: a passkey session.
	k := a.keys[0]
	r, nb := passkeyLogin(t, e, a, k)
	if r.status != 200 {
		t.Fatalf("passkey finish: got %d %s, want 200", r.status, r.body)
	}
	s := decodeAs[sessionBody](t, r)
	if s.Member != ana.ID || !s.Passkey || s.CSRF == "" || sessionCookie(r, "commune_session") == nil {
		t.Errorf("passkey sign-in: got %+v, want member %s, passkey, CSRF token and cookie", s, ana.ID)
	}
	// With it an organizer may do what a code session may not.
	if err := e.store.SetOrganizer(ctx, ana.ID, true); err != nil {
		t.Fatal(err)
	}
	if r := nb.do(t, "GET", "/api/v1/world", nil); r.status != 200 {
		t.Errorf("GET /api/v1/world with an organizer's passkey session: got %d %s, want 200", r.status, r.body)
	}
	if r := b.do(t, "GET", "/api/v1/world", nil); r.status != 403 {
		t.Errorf("GET /api/v1/world with the same organizer's code session: got %d, want 403", r.status)
	}
	creds, _ := e.store.Credentials(ctx, ana.ID)
	if creds[0].SignCount != k.count || creds[0].Used.IsZero() {
		t.Errorf("after sign-in the stored counter is %d (used %v), want %d", creds[0].SignCount, creds[0].Used, k.count)
	}

	// Answers that must be refused.
	t.Run("replayed assertion", func(t *testing.T) {
		nb := e.browser(t)
		r := nb.do(t, "POST", "/api/v1/login/passkey/begin", nil)
		assertion := a.get(t, r.body, k)
		if r := nb.do(t, "POST", "/api/v1/login/passkey/finish", assertion); r.status != 200 {
			t.Fatalf("first use: got %d %s", r.status, r.body)
		}
		if r := nb.do(t, "POST", "/api/v1/login/passkey/finish", assertion); r.status != 400 {
			t.Errorf("replayed: got %d %s, want 400", r.status, r.body)
		}
	})
	refused := func(t *testing.T, r response) {
		t.Helper()
		if d := errorOf(t, r); r.status != 401 || d.Message != messagesEN[msgPasskeyRefused] || sessionCookie(r, "commune_session") != nil {
			t.Errorf("got %d %+v, want 401 %q and no cookie", r.status, d, messagesEN[msgPasskeyRefused])
		}
	}
	t.Run("bad signature", func(t *testing.T) {
		nb := e.browser(t)
		r := nb.do(t, "POST", "/api/v1/login/passkey/begin", nil)
		var body map[string]any
		json.Unmarshal(a.get(t, r.body, k), &body)
		resp := body["response"].(map[string]any)
		sig, _ := b64.DecodeString(resp["signature"].(string))
		sig[len(sig)-1] ^= 1
		resp["signature"] = b64.EncodeToString(sig)
		data, _ := json.Marshal(body)
		refused(t, nb.do(t, "POST", "/api/v1/login/passkey/finish", data))
	})
	t.Run("another origin", func(t *testing.T) {
		evil := &authenticator{origin: "https://evil.example", flags: flagUP | flagUV, keys: a.keys}
		r, _ := passkeyLogin(t, e, evil, k)
		refused(t, r)
	})
	t.Run("no user verification", func(t *testing.T) {
		lazy := &authenticator{origin: a.origin, flags: flagUP, keys: a.keys}
		r, _ := passkeyLogin(t, e, lazy, k)
		refused(t, r)
	})
	t.Run("unknown user handle", func(t *testing.T) {
		stranger := *k
		stranger.handle = []byte("someone else entirely, 32 bytes")
		r, _ := passkeyLogin(t, e, a, &stranger)
		refused(t, r)
	})
	t.Run("cloned key", func(t *testing.T) {
		clone := *k // a copy of the key that has signed less
		clone.count = 1
		r, _ := passkeyLogin(t, e, a, &clone)
		refused(t, r)
		creds, _ := e.store.Credentials(ctx, ana.ID)
		if !creds[0].CloneWarning {
			t.Error("the clone warning is not stored")
		}
	})
}

// TestPasskeysOff: with a public URL whose host is an IP address,
// which cannot be a relying party, passkeys answer 503 and codes still
// work.
func TestPasskeysOff(t *testing.T) {
	e := newLoginEnv(t, "http://127.0.0.1:8080")
	e.member(t, "Ana", "en", "ana@example.org")
	b := e.browser(t)
	r := b.do(t, "POST", "/api/v1/login/passkey/begin", nil)
	if d := errorOf(t, r); r.status != 503 || d.Message != messagesEN[msgNoPasskeys] {
		t.Errorf("passkey begin: got %d %+v, want 503 %q", r.status, d, messagesEN[msgNoPasskeys])
	}
	if s := b.signIn(t, "ana@example.org", "ana@example.org"); s.Passkey || s.Member == "" {
		t.Errorf("code sign-in without passkeys: got %+v", s)
	}
}
