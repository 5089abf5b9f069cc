package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// VAPIDKey is the application server's key pair of Voluntary
// Application Server Identification (RFC 8292): an ECDSA key on P-256.
// Browsers are given its public half when they subscribe
// (applicationServerKey), and a push service then accepts messages for
// that subscription only when they carry a token signed with it. It is
// kept in a key file in the data directory: losing it means every
// member has to subscribe again.
type VAPIDKey struct {
	priv *ecdsa.PrivateKey
	pub  []byte // the uncompressed point, 65 bytes
}

// GenerateVAPIDKey makes a new key pair.
func GenerateVAPIDKey() (*VAPIDKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("notify: vapid key: %w", err)
	}
	return newVAPIDKey(priv)
}

func newVAPIDKey(priv *ecdsa.PrivateKey) (*VAPIDKey, error) {
	if priv.Curve != elliptic.P256() {
		return nil, errors.New("notify: vapid key: not a P-256 key")
	}
	pub, err := priv.PublicKey.Bytes()
	if err != nil {
		return nil, fmt.Errorf("notify: vapid key: %w", err)
	}
	return &VAPIDKey{priv: priv, pub: pub}, nil
}

// ParseVAPIDKey reads a private key as LoadVAPIDKey finds it in a file:
// PEM ("PRIVATE KEY", PKCS #8, as MarshalPEM writes; or "EC PRIVATE
// KEY", SEC 1), or the raw 32-byte private scalar in URL-safe base64,
// the form other Web Push tools print.
func ParseVAPIDKey(data []byte) (*VAPIDKey, error) {
	if block, _ := pem.Decode(data); block != nil {
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			return nil, fmt.Errorf("notify: vapid key: PEM block %q, want PRIVATE KEY", block.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("notify: vapid key: %w", err)
		}
		priv, ok := key.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("notify: vapid key: a %T, want an ECDSA key", key)
		}
		return newVAPIDKey(priv)
	}
	raw, err := decodeBase64URL(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, errors.New("notify: vapid key: neither PEM nor URL-safe base64")
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), raw)
	if err != nil {
		return nil, fmt.Errorf("notify: vapid key: %d bytes of base64 are not a P-256 private key", len(raw))
	}
	return newVAPIDKey(priv)
}

// MarshalPEM returns the private key as a PKCS #8 PEM block.
func (k *VAPIDKey) MarshalPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		return nil, fmt.Errorf("notify: vapid key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// PublicKey is the application server key to give to browsers
// (PushManager.subscribe's applicationServerKey): the uncompressed
// public point in URL-safe base64 without padding.
func (k *VAPIDKey) PublicKey() string {
	return base64.RawURLEncoding.EncodeToString(k.pub)
}

// LoadVAPIDKey reads the key file at path, or, when there is none,
// makes a key and writes it there with mode 0600. The file is written
// under a temporary name and linked into place, so that two processes
// starting at once end up with the same key.
func LoadVAPIDKey(path string) (*VAPIDKey, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		k, gerr := GenerateVAPIDKey()
		if gerr != nil {
			return nil, gerr
		}
		pemBytes, gerr := k.MarshalPEM()
		if gerr != nil {
			return nil, gerr
		}
		err = createFile(path, pemBytes)
		if err == nil {
			return k, nil
		}
		if errors.Is(err, fs.ErrExist) { // another process made it first
			data, err = os.ReadFile(path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("notify: vapid key file: %w", err)
	}
	k, err := ParseVAPIDKey(data)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return k, nil
}

// createFile writes data to a new file at path with mode 0600, synced,
// all at once; it fails with fs.ErrExist if path exists.
func createFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// maxTokenLife is how far in the future a token's exp may be: RFC 8292
// section 2 forbids more than 24 hours from the request.
const maxTokenLife = 24 * time.Hour

// token is the JWT of RFC 8292 section 2 for one push service (aud, its
// origin), signed with ES256 (RFC 7518 section 3.4: the signature is
// r and s, 32 bytes each, not DER), valid until exp, naming the
// operator's contact sub.
func (k *VAPIDKey) token(aud, sub string, exp time.Time) (string, error) {
	claims, err := json.Marshal(struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}{aud, exp.Unix(), sub})
	if err != nil {
		return "", err
	}
	b64 := base64.RawURLEncoding
	signed := b64.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`)) + "." + b64.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signed))
	der, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		return "", fmt.Errorf("notify: vapid: sign: %w", err)
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		return "", fmt.Errorf("notify: vapid: sign: %w", err)
	}
	sig := make([]byte, 64)
	rs.R.FillBytes(sig[:32])
	rs.S.FillBytes(sig[32:])
	return signed + "." + b64.EncodeToString(sig), nil
}

// authorization is the Authorization header value of RFC 8292 section 3.
func (k *VAPIDKey) authorization(token string) string {
	return "vapid t=" + token + ", k=" + k.PublicKey()
}

// decodeBase64URL decodes URL-safe base64 with or without padding, and
// standard base64 too: browsers give the first, hand-copied keys are
// sometimes the second.
func decodeBase64URL(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	return base64.RawURLEncoding.DecodeString(s)
}
