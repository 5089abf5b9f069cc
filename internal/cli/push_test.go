package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/notify"
)

func TestPushSubject(t *testing.T) {
	tests := []struct{ given, publicURL, want string }{
		{"mailto:ops@example.org", "https://commune.example.org", "mailto:ops@example.org"},
		{"", "https://commune.example.org/", "https://commune.example.org"},
		{"", "https://commune.example.org:8443/x", "https://commune.example.org:8443"},
		{"", "http://localhost:8080", "mailto:commune@localhost"},
		{"", "", "mailto:commune@localhost"},
	}
	for _, tc := range tests {
		if got := pushSubject(tc.given, tc.publicURL); got != tc.want {
			t.Errorf("pushSubject(%q, %q): got %q, want %q", tc.given, tc.publicURL, got, tc.want)
		}
	}
}

// TestServePushKey: serve makes the VAPID key in the data directory on
// its first start, private to its user, gives its public half to
// browsers, and keeps it across restarts (browsers subscribed with it).
func TestServePushKey(t *testing.T) {
	dir := newData(t)
	var keys []string
	for range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		base, done, stderr := startServe(t, ctx, dir)
		resp, err := http.Get(base + "/api/v1/push/key")
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Key string }
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 200 || body.Key == "" {
			t.Fatalf("GET /api/v1/push/key: got %d %+v, want 200 and a key", resp.StatusCode, body)
		}
		keys = append(keys, body.Key)
		stopServe(t, cancel, done, stderr)
	}
	path := filepath.Join(dir, VAPIDFile)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v, %v, want mode 0600", path, fi, err)
	}
	k, err := notify.LoadVAPIDKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if keys[0] != k.PublicKey() || keys[1] != keys[0] {
		t.Errorf("keys served: %q, want the key file's %q twice", keys, k.PublicKey())
	}
}

func TestServePushSubjectInvalid(t *testing.T) {
	dir := newData(t)
	for _, lang := range []string{"en", "es"} {
		code, _, errOut := runCLI(t, lang, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--push-subject", "ops@example.org")
		if code != exitUsage || !strings.Contains(errOut, "--push-subject: ") {
			t.Errorf("%s: serve --push-subject ops@example.org: exit %d, %q, want %d and the flag named", lang, code, errOut, exitUsage)
		}
	}
}
