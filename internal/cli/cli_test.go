package cli

import (
	"strings"
	"testing"
)

// TestFlagErrors: a wrong flag is said once, after the usage, in the
// user's language; the flag package alone said it twice, in English.
func TestFlagErrors(t *testing.T) {
	for _, c := range []struct {
		lang string
		args []string
		want string
	}{
		{"en", []string{"lp", "solve", "--bogus", "x.mps"}, "commune: flag provided but not defined: -bogus\n"},
		{"es", []string{"lp", "solve", "--bogus", "x.mps"}, "commune: opción desconocida: -bogus\n"},
		{"es", []string{"gen", "--out"}, "commune: a la opción le falta su valor: -out\n"},
		{"es", []string{"plan", "--time-limit", "soon", "x.json"}, `commune: valor "soon" no válido para la opción -time-limit: no se puede leer` + "\n"},
		{"es", []string{"gen", "--members", "99999999999999999999"}, "valor fuera de rango"},
		{"es", []string{"plan", "--json=maybe", "x.json"}, `valor "maybe" no válido para la opción -json`},
		{"es", []string{"plan", "---json", "x.json"}, "opción mal escrita: ---json"},
	} {
		code, out, errOut := runCLI(t, c.lang, c.args...)
		if code != exitUsage || out != "" || !strings.HasSuffix(errOut, "\n") || !strings.Contains(errOut, c.want) {
			t.Errorf("%s %v: got exit %d, stdout %q, stderr %q; want exit 2 and %q", c.lang, c.args, code, out, errOut, c.want)
			continue
		}
		if !strings.HasSuffix(errOut, c.want) && strings.HasSuffix(c.want, "\n") {
			t.Errorf("%s %v: the error is not the last line of %q", c.lang, c.args, errOut)
		}
		if msg := strings.TrimSuffix(strings.TrimPrefix(c.want, "commune: "), "\n"); strings.Count(errOut, msg) != 1 {
			t.Errorf("%s %v: %q said %d times, want once:\n%s", c.lang, c.args, msg, strings.Count(errOut, msg), errOut)
		}
		if c.lang == "es" && (strings.Contains(errOut, "flag ") || strings.Contains(errOut, "(default ")) {
			t.Errorf("%s %v: English in %q", c.lang, c.args, errOut)
		}
	}
}
