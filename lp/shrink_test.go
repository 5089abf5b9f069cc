package lp

import (
	"context"
	"errors"
	"math"
	"testing"
)

// shareModel is a max-min round in miniature: one site makes up to 10
// units (run), sent to two needs of 8 each (flows, allocations), and t
// is the share both get:
//
//	balance:  run − flow₁ − flow₂ ≥ 0
//	deliver:  flowᵢ − allocᵢ = 0
//	fair:     allocᵢ − 8t ≥ 0
//
// Its optimum is t = 10/16. The columns are run, flow₁, flow₂, alloc₁,
// alloc₂, t; nothing at all (x = 0) keeps every row.
func shareModel() *Model {
	m := &Model{}
	run := m.AddCol("run", 0, 10, 0)
	f1 := m.AddCol("flow1", 0, Inf, 0)
	f2 := m.AddCol("flow2", 0, Inf, 0)
	a1 := m.AddCol("alloc1", 0, 8, 0)
	a2 := m.AddCol("alloc2", 0, 8, 0)
	t := m.AddCol("t", 0, 1, -1)
	m.AddRow("balance", 0, Inf, []int{run, f1, f2}, []float64{1, -1, -1})
	m.AddRow("deliver1", 0, 0, []int{f1, a1}, []float64{1, -1})
	m.AddRow("deliver2", 0, 0, []int{f2, a2}, []float64{1, -1})
	m.AddRow("fair1", 0, Inf, []int{a1, t}, []float64{1, -8})
	m.AddRow("fair2", 0, Inf, []int{a2, t}, []float64{1, -8})
	return m
}

// TestShrink moves a point that promises more than the site makes
// toward nothing: the point it gives keeps every row, each column lies
// between the two points, and it keeps all the site makes, shared as
// the fairness rows allow.
func TestShrink(t *testing.T) {
	m := shareModel()
	q := problemOf(m)
	anchor := make([]float64, m.NumCols())
	x := []float64{10, 8, 8, 8, 6, 0.9} // 16 sent, 14 given, t too high
	if r := Measure(m, x, nil); r.Primal < 0.1 {
		t.Fatalf("the point keeps the rows (primal residual %.1e)", r.Primal)
	}
	got, ax := q.shrink(anchor, x, 1e-9)
	if r := Measure(m, got, nil); r.Primal > 1e-9 {
		t.Errorf("the shrunk point %v breaks a row by %.1e", got, r.Primal)
	}
	want := make([]float64, m.NumRows())
	m.Matrix().MulVec(want, got)
	for i := range ax {
		if math.Abs(ax[i]-want[i]) > 1e-12 {
			t.Errorf("row %d: activity %g, A·x %g", i, ax[i], want[i])
		}
	}
	for j := range got {
		lo, hi := math.Min(anchor[j], x[j]), math.Max(anchor[j], x[j])
		if got[j] < lo-1e-12 || got[j] > hi+1e-12 {
			t.Errorf("column %s at %g, outside [%g, %g]", m.ColNames[j], got[j], lo, hi)
		}
	}
	if got[0] != 10 {
		t.Errorf("run %g: it broke no row, and should stay at 10", got[0])
	}
	if given := got[3] + got[4]; math.Abs(given-10) > 1e-9 {
		t.Errorf("%g given, want all 10 made", given)
	}
	if math.Abs(got[5]-10.0/16) > 1e-9 {
		t.Errorf("t = %g, want 10/16", got[5])
	}

	// Past its work every mend moves its columns all the way back: the
	// point still keeps every row, only with less in it.
	saved := shrinkWork
	shrinkWork = 0
	defer func() { shrinkWork = saved }()
	got, _ = q.shrink(anchor, x, 1e-9)
	if r := Measure(m, got, nil); r.Primal > 1e-9 {
		t.Errorf("past its work, the shrunk point %v breaks a row by %.1e", got, r.Primal)
	}
	for j := range got {
		lo, hi := math.Min(anchor[j], x[j]), math.Max(anchor[j], x[j])
		if got[j] < lo-1e-12 || got[j] > hi+1e-12 {
			t.Errorf("past its work, column %s at %g, outside [%g, %g]", m.ColNames[j], got[j], lo, hi)
		}
	}
}

// TestShrinkCycle: goods moved around a cycle of sites, one sending on
// more than it receives and stocks, are mended along the cycle; with the
// work cut to one mend, the later mends move the goods all the way back.
// Both end with a point that keeps every row, the first keeping more.
func TestShrinkCycle(t *testing.T) {
	const n = 5
	m := &Model{}
	moves := make([]int, n)
	for k := range moves {
		moves[k] = m.AddCol("", 0, Inf, 0)
	}
	for k := range moves {
		// site k: what comes in from k-1 covers what goes out to k+1,
		// with a stock of 1.
		m.AddRow("", -1, Inf, []int{moves[(k+n-1)%n], moves[k]}, []float64{1, -1})
	}
	q := problemOf(m)
	x := []float64{10, 9, 8, 7, 6}
	sum := func(v []float64) float64 { return v[0] + v[1] + v[2] + v[3] + v[4] }
	got, _ := q.shrink(make([]float64, n), x, 1e-12)
	if r := Measure(m, got, nil); r.Primal > 1e-12 {
		t.Errorf("the shrunk moves %v break a row by %.1e", got, r.Primal)
	}
	saved := shrinkWork
	shrinkWork = 0
	defer func() { shrinkWork = saved }()
	cut, _ := q.shrink(make([]float64, n), x, 1e-12)
	if r := Measure(m, cut, nil); r.Primal > 1e-12 {
		t.Errorf("with the work cut, the shrunk moves %v break a row by %.1e", cut, r.Primal)
	}
	if sum(cut) >= sum(got) {
		t.Errorf("the mends just enough keep %g moved, all the way %g: want more", sum(got), sum(cut))
	}
}

// TestFallBack: a solve stopped at a limit (here the barrier after one
// iteration, whose point breaks rows), with Repair and a fallback that
// keeps every row, answers with its point moved toward the fallback,
// never worse than it; the same from a start; without either, or
// without Repair, or with a fallback that breaks a row, with the point
// itself.
func TestFallBack(t *testing.T) {
	m := shareModel()
	fb := []float64{4, 2, 2, 2, 2, 0.25} // keeps every row, t = 1/4
	solve := func(o Options) *Solution {
		t.Helper()
		o.Method, o.IterationLimit = MethodBarrier, 1
		sol, err := Solve(context.Background(), m, o)
		if !errors.Is(err, ErrIterationLimit) {
			t.Fatalf("error %v, want the iteration limit", err)
		}
		return sol
	}
	bare := solve(Options{Repair: true})
	if bare.PrimalResidual <= 1e-6 || bare.Shrunk {
		t.Fatalf("one barrier iteration keeps the rows (residual %.1e, shrunk %v): the case is not tested", bare.PrimalResidual, bare.Shrunk)
	}
	for _, c := range []struct {
		name string
		o    Options
	}{
		{"fallback", Options{Repair: true, Fallback: fb}},
		{"start", Options{Repair: true, Start: &Solution{X: fb}}},
	} {
		sol := solve(c.o)
		if !sol.Shrunk || sol.PrimalResidual > 1e-6 {
			t.Errorf("%s: shrunk %v, primal residual %.1e; want a point that keeps the rows", c.name, sol.Shrunk, sol.PrimalResidual)
		}
		if sol.X[5] < 0.25 {
			t.Errorf("%s: t = %g, less than the fallback's 0.25", c.name, sol.X[5])
		}
	}
	for _, c := range []struct {
		name string
		o    Options
	}{
		{"without Repair", Options{Fallback: fb}},
		{"with a fallback that breaks a fairness row", Options{Repair: true, Fallback: []float64{4, 2, 2, 2, 2, 0.5}}},
	} {
		if sol := solve(c.o); sol.Shrunk || sol.PrimalResidual <= 1e-6 {
			t.Errorf("%s: shrunk %v, primal residual %.1e; want the iterate", c.name, sol.Shrunk, sol.PrimalResidual)
		}
	}
	q := problemOf(m)
	if a := q.anchorAt([]float64{4, 2, 2, 2, 2, -0.5}, nil, 1e-9); a == nil || a[5] != 0 {
		t.Errorf("a fallback below t's bound should be moved onto it, got %v", a)
	}
}
