package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/world"
)

// TestGen writes a world to a file and reads it back: valid, of the size
// asked for, and the same as the one written to standard output.
func TestGen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.json")
	args := []string{"gen", "--members", "300", "--sites", "40", "--products", "45", "--skills", "14", "--seed", "9", "--area", "world"}
	code, out, errOut := runCLI(t, "en", append(args, "--out", file)...)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	w, err := world.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(w.Members) != 300 || len(w.Sites) != 40 || len(w.Products) != 45 || len(w.Skills) != 14 {
		t.Errorf("got %d members, %d sites, %d products, %d skills; want 300, 40, 45, 14",
			len(w.Members), len(w.Sites), len(w.Products), len(w.Skills))
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "en", args...); code != 0 || !bytes.Equal([]byte(out), data) {
		t.Errorf("exit %d; standard output differs from the file", code)
	}
	if _, err := os.Stat(file + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left behind: %v", err)
	}
}

func TestGenDefaults(t *testing.T) {
	code, out, errOut := runCLI(t, "en", "gen")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	w, err := world.Read(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Members) != 1000 || len(w.Sites) != 20 || len(w.Products) != 30 || len(w.Skills) != 12 {
		t.Errorf("got %d members, %d sites, %d products, %d skills; want 1000, 20, 30, 12",
			len(w.Members), len(w.Sites), len(w.Products), len(w.Skills))
	}
}

func TestGenBadUsage(t *testing.T) {
	for _, c := range []struct {
		lang string
		args []string
		want string
	}{
		{"en", []string{"gen", "--members", "-3"}, "--members -3: a count cannot be negative"},
		{"es", []string{"gen", "--sites", "-1"}, "--sites -1: una cantidad no puede ser negativa"},
		{"es", []string{"gen", "--products", "0"}, "--products 0: se necesita al menos 1"},
		// Members and sites as products and skills: at least one of
		// each. --sites 0 and --members 0 were taken.
		{"en", []string{"gen", "--sites", "0"}, "--sites 0: want at least 1"},
		{"es", []string{"gen", "--members", "0"}, "--members 0: se necesita al menos 1"},
		{"en", []string{"gen", "--skills", "0"}, "--skills 0: want at least 1"},
		{"en", []string{"gen", "--area", "mars"}, `--area "mars": want la or world`},
		{"es", []string{"gen", "--area", "mars"}, `--area "mars": use la o world`},
		{"en", []string{"gen", "world.json"}, "takes no arguments"},
		{"es", []string{"gen", "world.json"}, "no recibe argumentos"},
		{"en", []string{"gen", "--members", "many"}, "invalid value"},
	} {
		code, out, errOut := runCLI(t, c.lang, c.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: got exit %d, stdout %q, stderr %q; want 2 and %q", c.args, code, out, errOut, c.want)
		}
	}
}

func TestGenHelp(t *testing.T) {
	for lang, want := range map[string]string{"en": "usage: commune gen", "es": "uso: commune gen"} {
		code, _, errOut := runCLI(t, lang, "gen", "-h")
		if code != 0 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "-members") {
			t.Errorf("%s: got exit %d, %q", lang, code, errOut)
		}
	}
}

// TestGenOutputErrors: --out into a missing directory, or naming a
// directory, is a usage error in the user's language; it was a failure
// naming gen's temporary file (".commune-123...").
func TestGenOutputErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ lang, out, want string }{
		{"en", filepath.Join(dir, "none", "w.json"), "commune: cannot write " + filepath.Join(dir, "none", "w.json") + ": there is no directory " + filepath.Join(dir, "none") + "\n"},
		{"es", dir, "commune: no se puede escribir " + dir + ": es un directorio; se espera un nombre de archivo\n"},
	} {
		code, out, errOut := runCLI(t, c.lang, "gen", "--members", "10", "--out", c.out)
		if code != exitUsage || out != "" || errOut != c.want {
			t.Errorf("%s gen --out %s: got exit %d, stdout %q, stderr %q; want exit 2 and %q", c.lang, c.out, code, out, errOut, c.want)
		}
	}
}
