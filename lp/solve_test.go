package lp

import (
	"context"
	"errors"
	"math"
	"testing"
)

func tiny() *Model {
	// min -x - y  s.t.  x + 2y ≤ 4,  3x + y ≤ 6,  x, y ≥ 0.
	m := &Model{}
	x := m.AddCol("x", 0, Inf, -1)
	y := m.AddCol("y", 0, Inf, -1)
	m.AddRow("a", -Inf, 4, []int{x, y}, []float64{1, 2})
	m.AddRow("b", -Inf, 6, []int{x, y}, []float64{3, 1})
	return m
}

func TestSolveTiny(t *testing.T) {
	for _, presolve := range []bool{true, false} {
		sol, err := Solve(context.Background(), tiny(), Options{Tolerance: 1e-9, NoPresolve: !presolve})
		if err != nil {
			t.Fatal(err)
		}
		want := struct{ obj, x, y, d1, d2 float64 }{-14.0 / 5, 8.0 / 5, 6.0 / 5, -2.0 / 5, -1.0 / 5}
		got := []float64{sol.Objective, sol.X[0], sol.X[1], sol.RowDual[0], sol.RowDual[1]}
		for k, w := range []float64{want.obj, want.x, want.y, want.d1, want.d2} {
			if math.Abs(got[k]-w) > 1e-7 {
				t.Errorf("presolve=%v: got obj, x, y, duals = %v, want %v", presolve, got, want)
				break
			}
		}
	}
}

func TestInfeasibleAndUnbounded(t *testing.T) {
	cases := []struct {
		name  string
		build func() *Model
		want  Status
		err   error
	}{
		{"rows contradict", func() *Model {
			m := &Model{}
			x := m.AddCol("x", 0, Inf, 1)
			y := m.AddCol("y", 0, Inf, 1)
			m.AddRow("le", -Inf, 1, []int{x, y}, []float64{1, 1})
			m.AddRow("ge", 2, Inf, []int{x, y}, []float64{1, 1})
			return m
		}, Infeasible, ErrInfeasible},
		{"free variables, equalities contradict", func() *Model {
			m := &Model{}
			x := m.AddCol("x", -Inf, Inf, 1)
			y := m.AddCol("y", -Inf, Inf, -1)
			z := m.AddCol("z", 0, 10, 0)
			m.AddRow("e1", 1, 1, []int{x, y, z}, []float64{1, 1, 0.5})
			m.AddRow("e2", 3, 3, []int{x, y}, []float64{2, 2})
			m.AddRow("e3", 0, 0, []int{x, z}, []float64{1, -1})
			return m
		}, Infeasible, ErrInfeasible},
		{"transport short of supply", func() *Model {
			// Two sources of 3 each, two sinks wanting 4 each.
			m := &Model{}
			var f [2][2]int
			for s := 0; s < 2; s++ {
				for d := 0; d < 2; d++ {
					f[s][d] = m.AddCol("", 0, Inf, float64(1+s+d))
				}
			}
			for s := 0; s < 2; s++ {
				m.AddRow("", -Inf, 3, []int{f[s][0], f[s][1]}, []float64{1, 1})
			}
			for d := 0; d < 2; d++ {
				m.AddRow("", 4, Inf, []int{f[0][d], f[1][d]}, []float64{1, 1})
			}
			return m
		}, Infeasible, ErrInfeasible},
		{"ray along (1,1)", func() *Model {
			m := &Model{}
			x := m.AddCol("x", 0, Inf, -1)
			y := m.AddCol("y", 0, Inf, -1)
			m.AddRow("a", -Inf, 1, []int{x, y}, []float64{1, -1})
			m.AddRow("b", -Inf, 1, []int{x, y}, []float64{-1, 1})
			return m
		}, Unbounded, ErrUnbounded},
		{"free variable, equality", func() *Model {
			m := &Model{}
			// x = 1 - y makes the objective 1 - 2y and the row y ≥ 1/4.
			x := m.AddCol("x", -Inf, Inf, 1)
			y := m.AddCol("y", -Inf, Inf, -1)
			m.AddRow("e", 1, 1, []int{x, y}, []float64{1, 1})
			m.AddRow("l", -Inf, 0, []int{x, y}, []float64{1, -3})
			return m
		}, Unbounded, ErrUnbounded},
		{"empty row out of bounds (presolve)", func() *Model {
			m := &Model{}
			m.AddCol("x", 0, 1, 1)
			m.AddRow("r", 1, 2, nil, nil)
			return m
		}, Infeasible, ErrInfeasible},
		{"singleton rows cross (presolve)", func() *Model {
			m := &Model{}
			x := m.AddCol("x", 0, Inf, 1)
			m.AddRow("lo", 5, Inf, []int{x}, []float64{1})
			m.AddRow("hi", -Inf, 4, []int{x}, []float64{2})
			return m
		}, Infeasible, ErrInfeasible},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, presolve := range []bool{true, false} {
				sol, err := Solve(context.Background(), c.build(), Options{IterationLimit: 200000, NoPresolve: !presolve})
				if sol == nil || sol.Status != c.want || !errors.Is(err, c.err) {
					t.Errorf("presolve=%v: got %v, %v; want %v", presolve, sol.Status, err, c.want)
				}
			}
		})
	}
}

// rangesModel has every kind of row and column bound:
// max x + y + z  s.t.  1 ≤ x + y ≤ 3 (range), y - z = 0, z ≤ 1,
// x ∈ [-1, 2], y free, z ∈ [0, 5].  Optimum 4: x = 2, y = z = 1.
func rangesModel() *Model {
	m := &Model{}
	x := m.AddCol("x", -1, 2, -1)
	y := m.AddCol("y", -Inf, Inf, -1)
	z := m.AddCol("z", 0, 5, -1)
	m.AddRow("range", 1, 3, []int{x, y}, []float64{1, 1})
	m.AddRow("eq", 0, 0, []int{y, z}, []float64{1, -1})
	m.AddRow("cap", -Inf, 1, []int{z}, []float64{1})
	return m
}

// TestRangesAndBounds solves rangesModel and checks the optimum found by
// hand.
func TestRangesAndBounds(t *testing.T) {
	sol, err := Solve(context.Background(), rangesModel(), Options{Tolerance: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(sol.Objective+4) > 1e-7 {
		t.Errorf("got objective %g, want -4", sol.Objective)
	}
	if sol.PrimalResidual > 1e-9 || sol.DualResidual > 1e-9 {
		t.Errorf("residuals %g, %g", sol.PrimalResidual, sol.DualResidual)
	}
}

// TestPresolveFreeColumnSingleton: z is free and alone in an equality
// row, so presolve substitutes it out; postsolve must give back z and a
// price for the row that make the dual feasible.
func TestPresolveFreeColumnSingleton(t *testing.T) {
	// min x + 2y + 3z  s.t.  x + y + z = 5,  1 ≤ x + y ≤ 4,  x, y ≥ 0, z free.
	// z = 5 - x - y turns the objective into 15 - 2x - y: x = 4, y = 0, z = 1.
	m := &Model{}
	x := m.AddCol("x", 0, Inf, 1)
	y := m.AddCol("y", 0, Inf, 2)
	z := m.AddCol("z", -Inf, Inf, 3)
	m.AddRow("sum", 5, 5, []int{x, y, z}, []float64{1, 1, 1})
	m.AddRow("xy", 1, 4, []int{x, y}, []float64{1, 1})
	pre := newPresolver(m)
	pre.run()
	if pre.colAlive[z] || pre.rowAlive[0] {
		t.Fatalf("presolve kept the free singleton z (alive %v) or its row (alive %v)", pre.colAlive[z], pre.rowAlive[0])
	}
	sol, err := Solve(context.Background(), m, Options{Tolerance: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	got := []float64{sol.Objective, sol.X[x], sol.X[y], sol.X[z], sol.RowDual[0]}
	want := []float64{7, 4, 0, 1, 3}
	for k := range want {
		if math.Abs(got[k]-want[k]) > 1e-6 {
			t.Fatalf("got objective, x, y, z, price = %v, want %v", got, want)
		}
	}
	if sol.DualResidual > 1e-9 || sol.PrimalResidual > 1e-9 {
		t.Errorf("residuals primal %g, dual %g", sol.PrimalResidual, sol.DualResidual)
	}
	// What the solver iterated on: the row xy over x and y.
	if want := (Size{Rows: 1, Cols: 2, Nonzeros: 2}); sol.Presolved != want {
		t.Errorf("presolved size %+v, want %+v", sol.Presolved, want)
	}
}

// TestAddAfterMatrix: a column or row added after Matrix keeps the
// coefficients set before (AddCol used to drop them).
func TestAddAfterMatrix(t *testing.T) {
	m := &Model{}
	x := m.AddCol("x", 0, 1, 1)
	m.AddRow("r", 1, Inf, []int{x}, []float64{2})
	if got := m.NumNonzeros(); got != 1 {
		t.Fatalf("got %d nonzeros, want 1", got)
	}
	y := m.AddCol("y", 0, 1, 1)
	m.AddRow("s", 0, Inf, nil, nil)
	a := m.Matrix()
	if a.Rows != 2 || a.Cols != 2 || len(a.Val) != 1 || a.Val[0] != 2 {
		t.Errorf("got a %d×%d matrix with values %v, want 2×2 with [2]", a.Rows, a.Cols, a.Val)
	}
	m.Set(1, y, 3)
	if got := m.NumNonzeros(); got != 2 {
		t.Errorf("got %d nonzeros, want 2", got)
	}
}
