package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/commune-org/commune/lp"
)

const infeasibleMPS = `NAME infeasible
ROWS
 N cost
 L le
 G ge
COLUMNS
 x cost 1 le 1
 x ge 1
 y cost 1 le 1
 y ge 1
RHS
 rhs le 1 ge 2
ENDATA
`

func runCLI(t *testing.T, lang string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), Config{Lang: lang}, args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestLPSolveJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "en", "lp", "solve", "--json", "../../examples/lp/kitchen.mps")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"status", "objective", "iterations", "seconds", "primal_residual", "dual_residual", "gap", "rows", "cols", "nonzeros", "solver"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, out)
		}
	}
	if rep["status"] != "optimal" || rep["objective"].(float64) > -289.99 || rep["objective"].(float64) < -290.01 {
		t.Errorf("got %v %v, want optimal -290", rep["status"], rep["objective"])
	}
}

func TestLPSolveExitCodes(t *testing.T) {
	dir := t.TempDir()
	inf := filepath.Join(dir, "inf.mps")
	bad := filepath.Join(dir, "bad.mps")
	os.WriteFile(inf, []byte(infeasibleMPS), 0o644)
	os.WriteFile(bad, []byte("NAME x\nROWS\n N c\nCOLUMNS\n x c oops\nENDATA\n"), 0o644)
	cases := []struct {
		name     string
		lang     string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"infeasible", "en", []string{"lp", "solve", inf}, 1, "infeasible", "no optimum"},
		{"infeasible in Spanish", "es", []string{"lp", "solve", inf}, 1, "infactible", "sin óptimo"},
		{"bad file names the line", "en", []string{"lp", "solve", bad}, 2, "", "line 5"},
		{"missing file", "en", []string{"lp", "solve", filepath.Join(dir, "none.mps")}, 2, "", "none.mps: no such file\n"},
		{"missing file in Spanish", "es", []string{"lp", "solve", filepath.Join(dir, "none.mps")}, 2, "", "none.mps: no existe el archivo\n"},
		{"a directory", "es", []string{"lp", "solve", dir}, 2, "", dir + ": es un directorio; se espera un archivo\n"},
		{"two files", "en", []string{"lp", "solve", inf, inf}, 2, "", "exactly one"},
		{"two files in Spanish", "es", []string{"lp", "solve", inf, inf}, 2, "", "exactamente un"},
		{"unknown solver", "en", []string{"lp", "solve", "--solver", "cplex", inf}, 2, "", "unknown solver"},
		{"unknown method", "en", []string{"lp", "solve", "--method", "simplex", inf}, 2, "", "unknown method"},
		{"unknown method in Spanish", "es", []string{"lp", "solve", "--method", "simplex", inf}, 2, "", `método desconocido "simplex"`},
		{"unknown command", "es", []string{"bake"}, 2, "", "comando desconocido"},
		{"negative time limit", "en", []string{"lp", "solve", "--time-limit", "-1s", inf}, 2, "", "--time-limit -1s: a time cannot be negative"},
		{"negative tolerance", "es", []string{"lp", "solve", "--tol", "-1", inf}, 2, "", "--tol -1: se espera una tolerancia relativa mayor que 0"},
		{"tolerance of 0", "en", []string{"lp", "solve", "--tol", "0", inf}, 2, "", "--tol 0: want a relative tolerance above 0"},
		{"help", "en", []string{"help"}, 0, "Usage", ""},
		{"help in Spanish", "es", []string{"help"}, 0, "Uso", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, c.lang, c.args...)
			if code != c.code || !strings.Contains(out, c.inStdout) || !strings.Contains(errOut, c.inStderr) {
				t.Errorf("got exit %d\nstdout %q\nstderr %q\nwant exit %d, stdout with %q, stderr with %q",
					code, out, errOut, c.code, c.inStdout, c.inStderr)
			}
		})
	}
}

// TestLangFromEnv: the language comes from the environment as gettext
// finds it: LANGUAGE first (its first language commune speaks), unless
// the locale is C; then LC_ALL, LC_MESSAGES, LANG, the first set.
func TestLangFromEnv(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LANG": "es_MX.UTF-8"}, "es"},
		{map[string]string{"LC_ALL": "C", "LANG": "es_MX.UTF-8"}, "en"},
		{map[string]string{}, "en"},
		{map[string]string{"LC_ALL": "es", "LANG": "en_US"}, "es"},
		{map[string]string{"LC_MESSAGES": "es_ES.UTF-8", "LANG": "en_US.UTF-8"}, "es"},
		{map[string]string{"LANG": "est_EE"}, "en"},
		// LANGUAGE alone, and before the locale.
		{map[string]string{"LANGUAGE": "es"}, "es"},
		{map[string]string{"LANGUAGE": "es_MX", "LANG": "en_US.UTF-8"}, "es"},
		{map[string]string{"LANGUAGE": "en", "LC_ALL": "es_MX.UTF-8"}, "en"},
		{map[string]string{"LANGUAGE": "fr:es:en", "LANG": "en_US.UTF-8"}, "es"},
		{map[string]string{"LANGUAGE": "fr", "LANG": "es_MX.UTF-8"}, "es"},
		{map[string]string{"LANGUAGE": "", "LANG": "es_MX.UTF-8"}, "es"},
		// A locale of C or POSIX overrides it, as in gettext.
		{map[string]string{"LANGUAGE": "es", "LC_ALL": "C"}, "en"},
		{map[string]string{"LANGUAGE": "es", "LC_MESSAGES": "POSIX"}, "en"},
		// C.UTF-8, the default of many containers, does not.
		{map[string]string{"LANGUAGE": "es", "LANG": "C.UTF-8"}, "es"},
		{map[string]string{"LANG": "C.UTF-8"}, "en"},
	}
	for _, c := range cases {
		if got := LangFromEnv(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("LangFromEnv(%v) = %q, want %q", c.env, got, c.want)
		}
	}
}

// TestLPSolveStdin: "-" reads the MPS file from standard input, as plan
// reads its world; it was a file named "-" that did not exist.
func TestLPSolveStdin(t *testing.T) {
	f, err := os.Open("../../examples/lp/kitchen.mps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stdin := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = stdin }()
	code, out, errOut := runCLI(t, "en", "lp", "solve", "--json", "-")
	if code != 0 || !strings.Contains(out, `"status":"optimal"`) {
		t.Errorf("got exit %d, stdout %q, stderr %q; want 0 and an optimum", code, out, errOut)
	}
}

// TestLPSolveInterrupted: a solve interrupted (Ctrl-C) says so in the
// user's language, and exits 130 as a process stopped by SIGINT; it
// reported the point reached as "time limit", then exited 1.
func TestLPSolveInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	code := Run(ctx, Config{Lang: "es"}, []string{"lp", "solve", "../../examples/lp/kitchen.mps"}, &stdout, &stderr)
	if code != 130 || stdout.Len() != 0 || stderr.String() != "commune: interrumpido\n" {
		t.Errorf("got exit %d, stdout %q, stderr %q; want exit 130 and %q", code, stdout.String(), stderr.String(), "commune: interrumpido\n")
	}
}

// TestLPSolveMPSErrors: a problem in an MPS file is said in the user's
// language, naming the file and the line; it was lp's English
// ("mps: line 6: unknown row ...") in Spanish too.
func TestLPSolveMPSErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.mps")
	os.WriteFile(bad, []byte("NAME t\nROWS\n N obj\n L c1\nCOLUMNS\n x c9 1\nENDATA\n"), 0o644)
	notNumber := filepath.Join(dir, "nan.mps")
	os.WriteFile(notNumber, []byte("NAME t\nROWS\n N obj\n L c1\nCOLUMNS\n x c1 1\nBOUNDS\n UP b x alto\nENDATA\n"), 0o644)
	gz := filepath.Join(dir, "bad.mps.gz")
	os.WriteFile(gz, []byte("\x1f\x8b not gzip"), 0o644)
	for _, c := range []struct{ lang, file, want string }{
		{"en", bad, "commune: " + bad + ": line 6: unknown row \"c9\"\n"},
		{"es", bad, "commune: " + bad + ": línea 6: fila desconocida \"c9\"\n"},
		{"es", notNumber, "commune: " + notNumber + ": línea 8: cota UP de la columna \"x\": \"alto\" no es un número\n"},
		{"es", gz, "commune: " + gz + ": no se puede descomprimir (gzip): "},
	} {
		code, out, errOut := runCLI(t, c.lang, "lp", "solve", c.file)
		if code != exitUsage || out != "" || !strings.HasPrefix(errOut, c.want) {
			t.Errorf("%s lp solve %s: got exit %d, stdout %q, stderr %q; want exit 2 and %q", c.lang, c.file, code, out, errOut, c.want)
		}
	}
}

// TestMPSErrorsComplete: every problem the lp package names has its
// Spanish, with the verbs of its English in the same order.
func TestMPSErrorsComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	for k := lp.MPSErrorKind(1); k.Format() != ""; k++ {
		es, ok := mpsES[k]
		if got, want := verbs.FindAllString(es, -1), verbs.FindAllString(k.Format(), -1); !ok || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("kind %d %q: Spanish %q (%v), verbs %v, want %v", k, k.Format(), es, ok, got, want)
		}
	}
}
