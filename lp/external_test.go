package lp

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"
)

func TestExternalSolvers(t *testing.T) {
	// boeing1 has ranges and negative upper bounds, which once tripped
	// CLP's guess of the file format.
	problems := []struct {
		name string
		want float64
	}{{"afiro", -464.75314286}, {"boeing1", -335.21356751}}
	for _, s := range []External{{Program: "clp"}, {Program: "clp", Method: "barrier"}, {Program: "glpk"}, {Program: "highs"}} {
		t.Run(s.Name(), func(t *testing.T) {
			if !s.Available() {
				if s.Program == "highs" {
					t.Skip("HiGHS has no Debian package; the runner is used where it is installed")
				}
				missing(t, s.Program)
			}
			for _, p := range problems {
				m, err := ReadMPSFile(filepath.Join(netlibDir, p.name+".mps.gz"))
				if err != nil {
					missing(t, p.name)
				}
				sol, err := s.Solve(context.Background(), m, Options{})
				if err != nil {
					t.Fatalf("%s: %v", p.name, err)
				}
				if math.Abs(sol.Objective-p.want) > 1e-6*math.Abs(p.want) {
					t.Errorf("%s: got objective %.10g, want %.10g", p.name, sol.Objective, p.want)
				}
				// CLP prints eight significant digits, so its values read
				// back satisfy the rows to about 1e-5; GLPK's are exact.
				if sol.PrimalResidual > 1e-4 || sol.DualResidual > 1e-4 {
					t.Errorf("%s: residuals primal %g, dual %g: the solution was read back wrong", p.name, sol.PrimalResidual, sol.DualResidual)
				}
			}
		})
	}
	t.Run("infeasible", func(t *testing.T) {
		inf := &Model{}
		x := inf.AddCol("x", 0, Inf, 1)
		y := inf.AddCol("y", 0, Inf, 1)
		inf.AddRow("le", -Inf, 1, []int{x, y}, []float64{1, 1})
		inf.AddRow("ge", 2, Inf, []int{x, y}, []float64{1, 1})
		for _, s := range []External{{Program: "clp"}, {Program: "glpk"}} {
			if !s.Available() {
				missing(t, s.Program)
			}
			sol, err := s.Solve(context.Background(), inf, Options{})
			if !errors.Is(err, ErrInfeasible) || sol.Status != Infeasible {
				t.Errorf("%s: got %v, want infeasible", s.Name(), err)
			}
		}
	})
}
