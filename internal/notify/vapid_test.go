package notify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadVAPIDKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vapid.key")
	k1, err := LoadVAPIDKey(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode: got %v, want 0600", info.Mode().Perm())
	}
	k2, err := LoadVAPIDKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if k1.PublicKey() != k2.PublicKey() {
		t.Errorf("loaded again: got key %s, want %s", k2.PublicKey(), k1.PublicKey())
	}
	if n := len(b64d(t, k1.PublicKey())); n != 65 {
		t.Errorf("application server key: got %d bytes, want 65", n)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("got %d files in the directory, want the key file alone", len(entries))
	}

	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadVAPIDKey(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("a damaged key file: got %v, want an error naming the file", err)
	}
	if _, err := LoadVAPIDKey(filepath.Join(t.TempDir(), "no", "such", "dir", "vapid.key")); err == nil {
		t.Error("a key file in a missing directory: want an error")
	}
}

func TestParseVAPIDKey(t *testing.T) {
	k, err := GenerateVAPIDKey()
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, err := k.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	// The sender's key of RFC 8291's example, as other tools print a
	// private key, and its public key.
	rfcPriv := "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
	rfcPub := "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
	tests := []struct {
		name string
		data string
		pub  string // "" for an error
	}{
		{"PKCS #8 PEM", string(pemBytes), k.PublicKey()},
		{"raw base64url", rfcPriv + "\n", rfcPub},
		{"raw, padded", rfcPriv + "=", rfcPub},
		{"too short", "yfWPiYE-n46HLnH0", ""},
		{"another PEM", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", ""},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		got, err := ParseVAPIDKey([]byte(tc.data))
		switch {
		case tc.pub == "" && err == nil:
			t.Errorf("%s: got key %s, want an error", tc.name, got.PublicKey())
		case tc.pub != "" && (err != nil || got.PublicKey() != tc.pub):
			t.Errorf("%s: got %v, want public key %s", tc.name, err, tc.pub)
		}
	}
}
