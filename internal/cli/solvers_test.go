package cli

import (
	"strings"
	"testing"
)

// TestExternalSolverErrors: an external solver that is not installed, or
// a method it does not have, is a usage error in the user's language,
// found before the input is read; it was lp's English ("lp: solver
// program not installed: highs"), exit 1, and for plan only once the
// world was read and its first stage built.
func TestExternalSolverErrors(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no solver program is found
	kitchen := "../../examples/lp/kitchen.mps"
	for _, c := range []struct {
		lang string
		args []string
		want string
	}{
		{"en", []string{"plan", "--solver", "highs", example}, "commune: --solver highs: the solver is not installed (its program is not on PATH)\n"},
		{"es", []string{"plan", "--solver", "clp", example}, "commune: --solver clp: el solucionador no está instalado (su programa no está en PATH)\n"},
		{"en", []string{"lp", "solve", "--solver", "glpk", kitchen}, "commune: --solver glpk: the solver is not installed (its program is not on PATH)\n"},
		{"en", []string{"lp", "solve", "--solver", "clp", "--method", "simplex", kitchen}, "commune: unknown method \"simplex\" of clp: want dual, primal or barrier\n"},
		{"es", []string{"lp", "solve", "--solver", "highs", "--method", "barrier", kitchen}, "commune: método desconocido \"barrier\" de highs: use simplex, ipm o pdlp\n"},
		{"es", []string{"lp", "solve", "--solver", "glpk", "--method", "dual", kitchen}, "commune: método desconocido \"dual\" de glpk: use simplex o interior\n"},
	} {
		code, out, errOut := runCLI(t, c.lang, c.args...)
		if code != exitUsage || out != "" || errOut != c.want {
			t.Errorf("%s %s: got exit %d, stdout %q, stderr %q; want exit 2 and %q", c.lang, strings.Join(c.args, " "), code, out, errOut, c.want)
		}
	}
}
