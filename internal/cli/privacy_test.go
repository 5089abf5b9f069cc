package cli

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/notify/smtptest"
)

// Acceptance 3 of issue 4: a member's phone number and email, written
// through the API of a running server, appear nowhere in what a seized
// server would give up once stopped: the raw SQLite files (database,
// WAL, shared memory, everything in the data directory), or a pg_dump
// of the PostgreSQL database.

const (
	secretPhone = "+52 55 5555 0199"
	secretEmail = "marisol.organiza@example.net"
	// The alias is not secret: finding it shows the search looks where
	// the member is stored.
	publicAlias = "Marisol del Barrio"
	// A Web Push subscription of her phone: the endpoint names the
	// device, and the auth secret decrypts what is sent to it.
	secretPushToken = "eK3p-marisol-phone-Qz7"
	secretPushURL   = "https://fcm.googleapis.com/fcm/send/" + secretPushToken
	secretPushAuth  = "c2VjcmV0LWF1dGgtMTZiIQ" // "secret-auth-16b!"
)

// secrets are the strings that must not appear, and the parts of them
// that would give them away.
var secrets = []string{secretPhone, secretEmail, "marisol.organiza", "5555 0199", "555 50199", secretPushToken, secretPushAuth}

// pushSubscription is the browser's JSON of a subscription at
// secretPushURL, with a new public key.
func pushSubscription(t *testing.T) map[string]any {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{"endpoint": secretPushURL, "expirationTime": nil,
		"keys": map[string]string{"p256dh": base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), "auth": secretPushAuth}}
}

// meRequest sends a request as token and decodes the JSON answer.
func meRequest(t *testing.T, base, method, path, token string, body any, want int) map[string]any {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: got %d %v, want %d", method, path, resp.StatusCode, out, want)
	}
	return out
}

func TestContactNotInDatabase(t *testing.T) {
	bin := buildCommune(t)
	eachBackend(t, func(t *testing.T, b backend) {
		tok := seed(t, b.cfg, 1)[0]
		mail := smtptest.Start(t, smtptest.Options{})
		args := append(b.args[:len(b.args):len(b.args)], "--smtp", mail.URL)
		srv := startProcess(t, bin, args...)
		meRequest(t, srv.base, "PATCH", "/api/v1/me", tok, map[string]any{"alias": publicAlias,
			"contact": map[string]string{"phone": secretPhone, "email": secretEmail}}, 200)
		// The email waits for its confirmation, sealed too, until the
		// link sent to it is used (web/emailconfirm.go).
		if b.pgBase == "" {
			waiting, where := dataDir(t, b.cfg.DataDir)
			checkAbsent(t, waiting, "with the email waiting, "+where)
		}
		_, body := mail.Wait(t).Parsed(t)
		link := regexp.MustCompile(`/email/confirm/cme_[a-z0-9]+`).FindString(body)
		if link == "" {
			t.Fatalf("no confirmation link in %q", body)
		}
		resp, err := http.Post(srv.base+link, "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("confirming the email: got %d", resp.StatusCode)
		}
		meRequest(t, srv.base, "POST", "/api/v1/me/push", tok, pushSubscription(t), 201)
		if b.pgBase == "" {
			// While the server runs, the write is in the WAL (and the
			// shared memory file) rather than in the database file.
			running, where := dataDir(t, b.cfg.DataDir)
			checkAbsent(t, running, "while running, "+where)
		}
		srv.stop(t)
		for _, s := range secrets {
			if strings.Contains(srv.stderr.String(), s) {
				t.Errorf("the server's log holds %q", s)
			}
		}

		var where string
		var data []byte
		if b.pgBase == "" {
			data, where = dataDir(t, b.cfg.DataDir)
		} else {
			data, where = pgDump(t, b.pgBase, b.schema)
		}
		if !bytes.Contains(data, []byte(publicAlias)) {
			t.Fatalf("%s does not hold the member's alias: the search looks in the wrong place", where)
		}
		checkAbsent(t, data, where)

		// The contact was stored, sealed: a server on the same data
		// opens it again.
		srv = startProcess(t, bin, args...)
		me := meRequest(t, srv.base, "GET", "/api/v1/me", tok, nil, 200)
		if c, _ := me["contact"].(map[string]any); c["phone"] != secretPhone || c["email"] != secretEmail {
			t.Errorf("contact after restart: got %v", me["contact"])
		}
		export := meRequest(t, srv.base, "GET", "/api/v1/me/export", tok, nil, 200)
		if push, _ := export["push"].([]any); len(push) != 1 || push[0].(map[string]any)["endpoint"] != secretPushURL {
			t.Errorf("push subscriptions after restart: got %v", export["push"])
		}
		srv.stop(t)
	})
}

// checkAbsent fails the test if data holds a secret, plain or in hex as
// pg_dump writes bytea.
func checkAbsent(t *testing.T, data []byte, where string) {
	t.Helper()
	for _, s := range secrets {
		for _, form := range []string{s, hex.EncodeToString([]byte(s))} {
			if bytes.Contains(data, []byte(form)) {
				t.Errorf("%s holds %q", where, form)
			}
		}
	}
}

// dataDir returns every file of the data directory, one after another,
// and says which they were.
func dataDir(t *testing.T, dir string) ([]byte, string) {
	t.Helper()
	var all []byte
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		all = append(all, data...)
		names = append(names, d.Name())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("searched %d bytes in %s", len(all), strings.Join(names, ", "))
	return all, "the data directory (" + strings.Join(names, ", ") + ")"
}

// pgDump returns a plain pg_dump of the test's schema.
func pgDump(t *testing.T, base, schema string) ([]byte, string) {
	t.Helper()
	pgdump, err := exec.LookPath("pg_dump")
	if err != nil {
		if os.Getenv("COMMUNE_STRICT") != "" {
			t.Fatal("pg_dump is not on PATH and COMMUNE_STRICT is set")
		}
		t.Skip("pg_dump is not on PATH")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(pgdump, "--no-owner", "--schema="+schema, "--dbname="+base)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pg_dump: %v: %s", err, stderr.String())
	}
	t.Logf("searched a pg_dump of %d bytes", len(out))
	return out, "the pg_dump"
}
