package lp

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// transportModel is a feasible transport problem: each of s sources ships
// at most its supply along k random arcs, each of d sinks receives at least
// its demand, and arcs cost their length.
func transportModel(s, d, k int, seed uint64) *Model {
	r := rand.New(rand.NewPCG(seed, 1))
	m := &Model{}
	supply := make([][]int, s)
	demand := make([][]int, d)
	for i := 0; i < s; i++ {
		for a := 0; a < k; a++ {
			j := r.IntN(d)
			col := m.AddCol("", 0, Inf, 1+9*r.Float64())
			supply[i] = append(supply[i], col)
			demand[j] = append(demand[j], col)
		}
	}
	for i := 0; i < s; i++ {
		m.AddRow("", -Inf, float64(2*k), supply[i], ones(len(supply[i])))
	}
	for j := 0; j < d; j++ {
		if len(demand[j]) > 0 {
			m.AddRow("", 1, Inf, demand[j], ones(len(demand[j])))
		}
	}
	return m
}

// TestTransportMatchesCLP solves a transport problem with PDHG (the
// default) and with the barrier, and compares both with CLP.
func TestTransportMatchesCLP(t *testing.T) {
	m := transportModel(300, 200, 8, 7)
	clp := External{Program: "clp"}
	if !clp.Available() {
		missing(t, "clp")
	}
	ref, err := clp.Solve(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{}, {Method: MethodBarrier, Tolerance: 1e-8}} {
		sol, err := Solve(context.Background(), m, o)
		if err != nil {
			t.Fatalf("%v: %v", o.Method, err)
		}
		if rel := math.Abs(sol.Objective-ref.Objective) / math.Max(1, math.Abs(ref.Objective)); rel > 1e-6 {
			t.Errorf("%v: got objective %.10g, CLP %.10g: relative difference %.1e", o.Method, sol.Objective, ref.Objective, rel)
		}
	}
}

// TestIterationAllocatesNothing holds the solver to its promise that an
// iteration, restart checks included, allocates nothing, on one goroutine
// and on two.
func TestIterationAllocatesNothing(t *testing.T) {
	for _, c := range []struct {
		name    string
		model   *Model
		threads int
	}{
		{"serial", transportModel(50, 40, 4, 1), 1},
		{"parallel", transportModel(6000, 4000, 8, 2), 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, _, _ := newPresolver(c.model).reduced()
			w := newPDHG(q, Options{Threads: c.threads})
			defer w.close()
			if c.threads > 1 && len(w.mulA.splits) < 3 {
				t.Fatalf("a %d-nonzero problem should use two goroutines", len(q.a.Val))
			}
			adaptive := func() {
				for k := 0; k < restartPeriod; k++ {
					w.step()
				}
				w.average()
				w.unscaled(w.x, w.ax, w.y, w.aty, 1)
				w.certificate(w.xn, w.axn, w.yn, w.atyn)
				w.maybeRestart()
			}
			halpern := func() {
				for k := 0; k < restartPeriod; k++ {
					w.halpernStep(k < restartPeriod-1)
				}
				w.unscaled(w.xn, w.axn, w.yn, w.atyn, 1)
				w.certificate(w.xa, w.axa, w.ya, w.atya)
				w.halpernRestart()
			}
			for _, period := range []func(){adaptive, halpern} {
				period()
				if n := testing.AllocsPerRun(5, period); n != 0 {
					t.Errorf("got %v allocations per %d iterations, want 0", n, restartPeriod)
				}
			}
		})
	}
}

// BenchmarkIteration measures one Halpern PDHG iteration (two sparse
// products and the vector updates) on a transport problem of about 10⁵ nonzeros. Run
// with -benchmem: it reports 0 allocs/op.
func BenchmarkIteration(b *testing.B) {
	q, _, _ := newPresolver(transportModel(12000, 8000, 4, 3)).reduced()
	w := newPDHG(q, Options{})
	defer w.close()
	b.ReportAllocs()
	b.ResetTimer()
	w.eta = 0.998 / w.normA()
	for b.Loop() {
		w.halpernStep(true)
	}
	b.ReportMetric(float64(len(q.a.Val)), "nonzeros")
}

// allMetModel maximises a floor t ≤ 1 on the shares of the sinks of a
// transport problem, as a planner's max-min round does, where every sink
// can be fully served: its arcs carry exactly its need. The optimum is
// t = 1, held by t's bound, so y = 0 is an optimal dual.
func allMetModel() *Model {
	m := transportModel(300, 200, 8, 7)
	clear(m.Cost)
	a := m.Matrix()
	sink := func(i int) bool { return m.RowLower[i] == 1 }
	deg := make([]int, m.NumRows())
	for _, i := range a.Ind {
		deg[i]++
	}
	for j := 0; j < a.Cols; j++ {
		for k := a.Start[j]; k < a.Start[j+1]; k++ {
			if i := int(a.Ind[k]); sink(i) {
				m.ColUpper[j] = 1 / float64(deg[i])
			}
		}
	}
	floor := m.AddCol("t", 0, 1, -1)
	for i := range m.RowLower {
		if sink(i) { // its arcs - t ≥ 0
			m.RowLower[i] = 0
			m.Set(i, floor, -1)
		}
	}
	return m
}

// TestZeroDualDone: a feasible point ends the solve paired with y = 0
// exactly when y = 0 is an optimal dual.
func TestZeroDualDone(t *testing.T) {
	for _, c := range []struct {
		name  string
		model *Model
		pobj  float64 // of a feasible point
		want  bool
	}{
		{"every sink served", allMetModel(), -1, true},
		{"half of every sink served", allMetModel(), -0.5, false},
		{"transport with costs", transportModel(300, 200, 8, 7), 250, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, _, _ := newPresolver(c.model).reduced()
			w := newPDHG(q, Options{Threads: 1})
			defer w.close()
			k := kktParts{pobj: c.pobj}
			if got := w.zeroDualDone(k, 1e-6); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestAllMetSolves solves allMetModel with both variants.
func TestAllMetSolves(t *testing.T) {
	m := allMetModel()
	for _, method := range []Method{MethodHalpern, MethodAdaptive} {
		t.Run(method.String(), func(t *testing.T) {
			const tol = 1e-6
			sol, err := Solve(context.Background(), m, Options{Tolerance: tol, Method: method})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(sol.Objective+1) > tol {
				t.Errorf("got objective %.10g, want -1", sol.Objective)
			}
			if r := Measure(m, sol.X, sol.RowDual); r.Primal > tol || r.Dual > tol || r.Gap > tol {
				t.Errorf("got residuals primal %.1e, dual %.1e, gap %.1e, want each at most %g", r.Primal, r.Dual, r.Gap, tol)
			}
		})
	}
}

// TestWarmStart solves a transport problem, raises a few demands, and
// solves it again from the first solution: PDHG must reach the same
// optimum as from zero in far fewer iterations; from its primal side
// alone, the same optimum. A start of another shape is ignored.
func TestWarmStart(t *testing.T) {
	for _, method := range []Method{MethodHalpern, MethodAdaptive} {
		t.Run(method.String(), func(t *testing.T) {
			m := transportModel(300, 200, 8, 7)
			o := Options{Method: method}
			first, err := Solve(context.Background(), m, o)
			if err != nil {
				t.Fatal(err)
			}
			for i := m.NumRows() - 10; i < m.NumRows(); i++ {
				m.RowLower[i] *= 1.2
			}
			cold, err := Solve(context.Background(), m, o)
			if err != nil {
				t.Fatal(err)
			}
			o.Start = first
			warm, err := Solve(context.Background(), m, o)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("cold %d iterations, warm %d", cold.Iterations, warm.Iterations)
			if rel := math.Abs(warm.Objective-cold.Objective) / math.Max(1, math.Abs(cold.Objective)); rel > 1e-5 {
				t.Errorf("warm objective %.10g, cold %.10g", warm.Objective, cold.Objective)
			}
			if 2*warm.Iterations > cold.Iterations {
				t.Errorf("warm start took %d iterations, cold %d: no gain", warm.Iterations, cold.Iterations)
			}
			// Without its duals the start still counts: y begins at 0.
			o.Start = &Solution{X: first.X}
			primal, err := Solve(context.Background(), m, o)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("warm without duals %d iterations", primal.Iterations)
			if rel := math.Abs(primal.Objective-cold.Objective) / math.Max(1, math.Abs(cold.Objective)); rel > 1e-5 {
				t.Errorf("warm without duals: objective %.10g, cold %.10g", primal.Objective, cold.Objective)
			}
			if primal.Iterations == cold.Iterations {
				t.Errorf("warm start without duals took %d iterations, as cold: not used", primal.Iterations)
			}
			o.Start = &Solution{X: []float64{1}}
			other, err := Solve(context.Background(), m, o)
			if err != nil {
				t.Fatal(err)
			}
			if other.Iterations != cold.Iterations {
				t.Errorf("a start of another shape changed the solve: %d iterations, %d without", other.Iterations, cold.Iterations)
			}
		})
	}
}

// TestNormA checks the Lanczos estimate of ‖A‖₂ against the power
// iteration run to convergence, on a scaled transport problem and on a
// matrix whose norm is known: both estimates are lower bounds, so the
// Lanczos one must not be below the power iteration's, nor above the
// true norm.
func TestNormA(t *testing.T) {
	power := func(w *pdhg) float64 {
		v, av := make([]float64, len(w.x)), make([]float64, len(w.y))
		for j := range v {
			v[j] = 1 + float64(j%7)*0.1
		}
		norm := 0.0
		for range 20000 {
			scaleTo(v, 1/math.Sqrt(dot(v, v)), v)
			w.mulA.apply(av, v)
			w.mulAT.apply(v, av)
			norm = math.Sqrt(math.Sqrt(dot(v, v)))
		}
		return norm
	}
	q, _, _ := newPresolver(transportModel(300, 200, 8, 7)).reduced()
	w := newPDHG(q, Options{Threads: 1})
	defer w.close()
	got, ref := w.normA(), power(w)
	if got < ref*(1-1e-9) || got > ref*(1+1e-6) {
		t.Errorf("transport: Lanczos %.12g, power iteration %.12g", got, ref)
	}

	// A diagonal matrix diag(1, 2, ..., 50) after scaling is not known,
	// so build the problem unscaled: ‖A‖₂ = 50.
	m := &Model{}
	for j := 1; j <= 50; j++ {
		c := m.AddCol("", 0, 1, 1)
		m.AddRow("", 0, 1, []int{c}, []float64{float64(j)})
	}
	p := problemOf(m)
	w2 := newState(p, p, &scaling{row: ones(50), col: ones(50), beta: 1, gamma: 1},
		newProduct(p.a.Transpose(), 1), newProduct(p.a, 1), Options{})
	defer w2.close()
	if got := w2.normA(); math.Abs(got-50) > 1e-9 {
		t.Errorf("diag(1..50): Lanczos %.12g, want 50", got)
	}
}

// TestHalpernStepOnTwoCores: the Halpern step's passes, run on each part
// of the products on its own goroutine, give the iterates of the step on
// one goroutine, but for the order of the sums' parts.
func TestHalpernStepOnTwoCores(t *testing.T) {
	q, _, _ := newPresolver(transportModel(6000, 4000, 8, 2)).reduced()
	one, two := newPDHG(q, Options{Threads: 1}), newPDHG(q, Options{Threads: 2})
	defer one.close()
	defer two.close()
	if len(two.mulA.splits) != 3 || len(two.mulAT.splits) != 3 {
		t.Fatalf("%d and %d parts, want 2 each", len(two.mulA.splits)-1, len(two.mulAT.splits)-1)
	}
	eta := 0.998 / one.normA()
	one.eta, two.eta = eta, eta
	for k := range 200 {
		next := k%restartPeriod != restartPeriod-1
		one.halpernStep(next)
		two.halpernStep(next)
	}
	for _, c := range []struct {
		name string
		a, b []float64
	}{{"x", one.x, two.x}, {"y", one.y, two.y}, {"Ax", one.ax, two.ax}, {"Aᵀy", one.aty, two.aty}} {
		for i := range c.a {
			if d := math.Abs(c.a[i] - c.b[i]); d > 1e-9*(1+math.Abs(c.a[i])) {
				t.Fatalf("%s[%d]: %g on one goroutine, %g on two", c.name, i, c.a[i], c.b[i])
			}
		}
	}
	if d := math.Abs(one.res2 - two.res2); d > 1e-9*(1+math.Abs(one.res2)) {
		t.Errorf("the residual: %g on one goroutine, %g on two", one.res2, two.res2)
	}
}
