package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/store"
)

// TestStoreOpenErrors: a database that cannot be opened, or a key file
// that is not the database's, is said in the user's language, naming the
// file; the store's reasons came out in English alone.
func TestStoreOpenErrors(t *testing.T) {
	ctx := context.Background()
	// Two organizations, each with a contact sealed under its own key.
	var dirs [2]string
	for i := range dirs {
		dirs[i] = t.TempDir()
		st, err := store.Open(ctx, store.Config{DataDir: dirs[i]})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateMember(ctx, store.Member{Alias: "lupe", Language: "es", Cell: "9q5cs",
			Contact: store.Contact{Email: "lupe@example.org"}}); err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
	otherKey := filepath.Join(dirs[1], "key")
	// The first's database beside the second's key.
	mixed := t.TempDir()
	for from, to := range map[string]string{filepath.Join(dirs[0], store.DBFile): store.DBFile, otherKey: "key"} {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mixed, to), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, store.DBFile), []byte(strings.Repeat("not a database ", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang string
		args []string
		want string
	}{
		{"es", []string{"token", "--data", mixed, "--member", "lupe", "--role", "member"},
			"commune: el archivo de clave " + filepath.Join(mixed, "key") + " no abre los contactos sellados en esta base de datos: indique la clave de su servidor (--data o --key)\n"},
		{"en", []string{"rotate-key", "--data", dirs[0], "--key", otherKey},
			"commune: the key file " + otherKey + " does not open the contacts sealed in this database: give the key of its server (--data or --key)\n"},
		{"es", []string{"rotate-key", "--data", broken},
			"commune: no se puede abrir la base de datos " + filepath.Join(broken, store.DBFile) + ": "},
	} {
		code, out, errOut := runCLI(t, c.lang, c.args...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, c.want) {
			t.Errorf("%s %s: got exit %d, stdout %q, stderr %q; want exit 1 and %q", c.lang, strings.Join(c.args, " "), code, out, errOut, c.want)
		}
	}
}
