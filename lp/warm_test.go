package lp

import (
	"context"
	"math"
	"testing"
)

// TestBarrierWarmStart solves the fast Netlib problems by the barrier,
// then again with the answer as a warm start (Options.StartBarrier): the
// optimum must be the same. These problems' costs are dense, and a start
// without its duals does not pay on them: the barrier must go back to
// its own start within two windows (warmWindow), not hand over to PDHG
// or spend its iterations.
func TestBarrierWarmStart(t *testing.T) {
	eachNetlibFast(t, func(t *testing.T, m *Model, ref float64) {
		o := Options{Method: MethodBarrier}
		cold, err := Builtin{}.Solve(context.Background(), m, o)
		if err != nil {
			t.Fatal(err)
		}
		o.Start, o.StartBarrier = &Solution{X: cold.X}, true
		warm, err := Builtin{}.Solve(context.Background(), m, o)
		if err != nil {
			t.Fatal(err)
		}
		rel := math.Abs(warm.Objective-ref) / (1 + math.Abs(ref))
		if most := cold.Iterations + 2*warmWindow + 1; rel > 1e-6 || warm.Method != MethodBarrier || warm.Iterations > most {
			t.Errorf("warm: objective %.10g (relative error %.1e) by %v in %d iterations, cold in %d; want %.10g within 1e-6 by the barrier in at most %d",
				warm.Objective, rel, warm.Method, warm.Iterations, cold.Iterations, ref, most)
		}
	})
}

// TestWarmStartPlaced: warmStart begins at the start, moved warmShift
// inside its bounds, with the slacks of its rows (so the primal residual
// is only the shift's), and every bound's pair centred at warmCentre; a
// start that breaks a bound by more than the shift is refused.
func TestWarmStartPlaced(t *testing.T) {
	// min −t: x₁ + x₂ ≤ 4, x₁ − 2t ≥ 0, x₂ − t ≥ 0, 0 ≤ x ≤ 3.
	m := &Model{}
	x1 := m.AddCol("x1", 0, 3, 0)
	x2 := m.AddCol("x2", 0, 3, 0)
	tc := m.AddCol("t", 0, Inf, -1)
	m.AddRow("cap", -Inf, 4, []int{x1, x2}, []float64{1, 1})
	m.AddRow("a", 0, Inf, []int{x1, tc}, []float64{1, -2})
	m.AddRow("b", 0, Inf, []int{x2, tc}, []float64{1, -1})
	q, _, cols := newPresolver(m).reduced()
	for _, tc := range []struct {
		start []float64
		taken bool
	}{
		{[]float64{2, 1, 0.5}, true},
		{[]float64{0, 0, 0}, true},
		{[]float64{3.5, 0, 0}, false}, // x₁ above 3
		{[]float64{3, 3, 0}, false},   // the cap row at 6
	} {
		w := newIPM(q, Options{})
		w.warm = make([]float64, len(cols))
		for k, j := range cols {
			w.warm[k] = tc.start[j]
		}
		if got := w.warmStart(); got != tc.taken {
			t.Errorf("start %v: taken %v, want %v", tc.start, got, tc.taken)
			continue
		}
		if !tc.taken {
			continue
		}
		for v := range w.v {
			if w.fixed[v] {
				continue
			}
			if w.hasLo[v] && w.v[v]-w.lo[v] < warmShift*(1-1e-12) || w.hasHi[v] && w.hi[v]-w.v[v] < warmShift*(1-1e-12) {
				t.Errorf("start %v: variable %d at %g, not %g inside [%g, %g]", tc.start, v, w.v[v], warmShift, w.lo[v], w.hi[v])
			}
			if w.hasLo[v] && math.Abs((w.v[v]-w.lo[v])*w.z[v]-warmCentre) > 1e-12 ||
				w.hasHi[v] && math.Abs((w.hi[v]-w.v[v])*w.w[v]-warmCentre) > 1e-12 {
				t.Errorf("start %v: variable %d's pairs not centred", tc.start, v)
			}
		}
		for k := range w.n {
			if d := w.v[k]*w.sc.col[k] - w.warm[k]; math.Abs(d) > 2*warmShift*w.sc.col[k] {
				t.Errorf("start %v: column %d moved by %g", tc.start, cols[k], d)
			}
		}
	}
}

// TestWarmProgressed: the rule that keeps or gives up a warm start, on
// the measures traced on the planner's stages (progressed's comment).
func TestWarmProgressed(t *testing.T) {
	m := func(p, d, gap float64) kktParts {
		return kktParts{presRel: p, dresRel: d, pobj: 0, dobj: gap / (1 - gap)}
	}
	for _, tc := range []struct {
		name  string
		a, b  kktParts
		first bool
		want  bool
	}{
		// First window: the primal residual alone, though the gap rose.
		{"region wanted, first window", m(0.24, 2e-7, 0.48), m(0.013, 2e-5, 0.96), true, true},
		{"primal residual stuck, first window", m(0.085, 0.1, 0.13), m(0.08, 0.1, 0.13), true, false},
		{"primal residual met, first window", m(3e-7, 0.1, 0.4), m(5e-7, 0.1, 0.4), true, true},
		// Later: the largest measure over two windows.
		{"region wanted, slow window kept", m(8.4e-4, 1.4e-6, 0.628), m(2.1e-4, 3e-7, 0.335), false, true},
		{"city basic, given up", m(0.037, 1.3e-6, 0.478), m(7.1e-8, 9.3e-7, 0.395), false, false},
		{"dual residual stuck", m(0.014, 0.23, 0.089), m(0.014, 0.23, 0.017), false, false},
	} {
		if got := progressed(tc.a, tc.b, tc.first, 1e-6); got != tc.want {
			t.Errorf("%s: progressed(%+v, %+v, first %v) = %v, want %v", tc.name, tc.a, tc.b, tc.first, got, tc.want)
		}
	}
}
