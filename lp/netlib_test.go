package lp

import (
	"bufio"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// netlibDir is where the Netlib LP set lives, beside the repository.
const netlibDir = "../../shared/data/netlib"

// strict reports whether tests must fail, not skip, when reference data or
// an external program is missing. The test command sets it.
func strict() bool { return os.Getenv("COMMUNE_STRICT") != "" }

func missing(t *testing.T, what string) {
	t.Helper()
	if strict() {
		t.Fatalf("%s is missing and COMMUNE_STRICT is set", what)
	}
	t.Skipf("%s is missing", what)
}

// netlibOptima reads optima.tsv: problem name → reference optimum.
func netlibOptima(t testing.TB) map[string]float64 {
	f, err := os.Open(filepath.Join(netlibDir, "optima.tsv"))
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		v, err := strconv.ParseFloat(fs[1], 64)
		if err != nil {
			t.Fatalf("optima.tsv: %q: %v", sc.Text(), err)
		}
		out[fs[0]] = v
	}
	return out
}

// netlibFast are problems the built-in solver finishes in well under a
// second each; the whole set runs in bench/netlib.
var netlibFast = []string{
	"afiro", "sc50a", "blend", "sc205", "recipe", "stocfor1", "boeing2", "scagr7",
	"agg3", "degen2", "grow7", "israel", "brandy", "sctap1", "sctap3", "seba",
	"standata", "standmps", "scsd1", "share2b", "boeing1", "bandm",
}

// netlibTest returns the reference optima for a test on the Netlib set,
// or skips it in -short mode or when the set is missing (fails under
// COMMUNE_STRICT).
func netlibTest(t *testing.T) map[string]float64 {
	t.Helper()
	if testing.Short() {
		t.Skip("Netlib set skipped in -short mode")
	}
	optima := netlibOptima(t)
	if optima == nil {
		missing(t, netlibDir)
	}
	return optima
}

// eachNetlibFast runs check on every problem of netlibFast, in parallel
// subtests, with the problem read and its reference optimum.
func eachNetlibFast(t *testing.T, check func(t *testing.T, m *Model, ref float64)) {
	optima := netlibTest(t)
	for _, name := range netlibFast {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, err := ReadMPSFile(filepath.Join(netlibDir, name+".mps.gz"))
			if err != nil {
				t.Fatal(err)
			}
			check(t, m, optima[name])
		})
	}
}

func TestNetlibFast(t *testing.T) {
	eachNetlibFast(t, func(t *testing.T, m *Model, ref float64) {
		sol, err := Solve(context.Background(), m, Options{TimeLimit: 60 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		rel := math.Abs(sol.Objective-ref) / math.Max(1, math.Abs(ref))
		if rel > 1e-6 || sol.PrimalResidual > 1e-6 {
			t.Errorf("got objective %.10g (relative error %.1e), primal residual %.1e; want %.10g within 1e-6",
				sol.Objective, rel, sol.PrimalResidual, ref)
		}
		// The reported residuals must be what Measure finds.
		r := Measure(m, sol.X, sol.RowDual)
		if r.Primal != sol.PrimalResidual || r.Dual != sol.DualResidual || r.Gap != sol.Gap {
			t.Errorf("reported residuals %g %g %g differ from measured %g %g %g",
				sol.PrimalResidual, sol.DualResidual, sol.Gap, r.Primal, r.Dual, r.Gap)
		}
	})
}
