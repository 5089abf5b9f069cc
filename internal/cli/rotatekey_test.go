package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/store"
)

// TestRotateKey rotates the key of a data directory: the contacts still
// open with the key file, and a copy of the old key file opens none.
func TestRotateKey(t *testing.T) {
	tests := []struct {
		name, lang string
		keyFlag    bool // --key names the key file instead of DIR/key
		want       string
	}{
		{"data directory", "en", false, "key rotated: 3 contacts sealed again under the new key in "},
		{"key file, in Spanish", "es", true, "clave rotada: 3 contactos sellados de nuevo con la clave nueva en "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			cfg := store.Config{DataDir: dir}
			keyFile := filepath.Join(dir, "key")
			if tc.keyFlag {
				keyFile = filepath.Join(t.TempDir(), "commune.key")
				cfg.KeyFile = keyFile
			}
			st, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			contacts := map[string]store.Contact{}
			for i, c := range []store.Contact{
				{Phone: "+52 664 555 0101"},
				{Email: "lupe@example.org"},
				{Phone: "+1 213 555 0147", Email: "rosa@example.org"},
				{}, // no contact: nothing to seal
			} {
				m, err := st.CreateMember(ctx, store.Member{Alias: "member " + string(rune('a'+i)), Language: "es", Cell: "9q5cs", Contact: c})
				if err != nil {
					t.Fatal(err)
				}
				contacts[m.ID] = c
			}
			st.Close()
			oldKey := filepath.Join(t.TempDir(), "old.key")
			if b, err := os.ReadFile(keyFile); err != nil {
				t.Fatal(err)
			} else if err := os.WriteFile(oldKey, b, 0o600); err != nil {
				t.Fatal(err)
			}

			args := []string{"rotate-key", "--data", dir}
			if tc.keyFlag {
				args = append(args, "--key", keyFile)
			}
			code, out, errOut := runCLI(t, tc.lang, args...)
			if want := tc.want + keyFile + "\n"; code != 0 || out != want {
				t.Fatalf("got exit %d, stdout %q, stderr %q; want 0, %q", code, out, errOut, want)
			}

			st, err = store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			for id, c := range contacts {
				if m, err := st.Member(ctx, id); err != nil || m.Contact != c {
					t.Errorf("member %s after rotate-key: got %+v, %v, want contact %+v", id, m, err, c)
				}
			}
			// The old key opens no contact any more: the store refuses
			// it (store.TestOpenWrongKey).
			if old, err := store.Open(ctx, store.Config{DataDir: dir, KeyFile: oldKey}); err == nil {
				old.Close()
				t.Errorf("the old key is still taken: it opens the contacts")
			}
		})
	}
}

func TestRotateKeyErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"an argument", []string{"now"}, exitUsage, "rotate-key takes no arguments, got 1"},
		{"unknown flag", []string{"--force"}, exitUsage, "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "en", append([]string{"rotate-key", "--data", t.TempDir()}, tc.args...)...)
			if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) {
				t.Errorf("got exit %d, stdout %q, stderr %q; want exit %d, stderr with %q", code, out, errOut, tc.code, tc.want)
			}
		})
	}
}

// TestNoDatabase: rotate-key and token on a data directory without a
// database (a mistyped --data) refuse, naming it, and create nothing;
// rotate-key made a new, empty database there and reported the key
// rotated, the real database still under the old key.
func TestNoDatabase(t *testing.T) {
	for _, tc := range []struct {
		lang string
		args []string
		want string
	}{
		{"en", []string{"rotate-key"}, "no database in %s: give the --data directory of the server, or its --db"},
		{"es", []string{"token", "--member", "ana", "--role", "member"}, "no hay base de datos en %s: indique el directorio --data del servidor, o su --db"},
	} {
		dir := filepath.Join(t.TempDir(), "comune-data")
		code, out, errOut := runCLI(t, tc.lang, append(append([]string{}, tc.args...), "--data", dir)...)
		want := "commune: " + strings.Replace(tc.want, "%s", dir, 1) + "\n"
		if code != exitUsage || out != "" || errOut != want {
			t.Errorf("%s %v: got exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.lang, tc.args, code, out, errOut, want)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%s %v: %s was created", tc.lang, tc.args, dir)
		}
	}
}
