package lp

import (
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
	if got == nil {
		t.Fatal("shrink ran out of work")
	}
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
}

// TestShrunkAtLimit: a solve stopped at a point that breaks rows, with
// no repaired point kept, answers with that point moved toward a start
// that keeps every row, never worse than the start; without such a
// start, with the point itself.
func TestShrunkAtLimit(t *testing.T) {
	m := shareModel()
	q := problemOf(m)
	broken := []float64{10, 8, 8, 8, 6, 0.9}
	at := func(anchor []float64) pdResult {
		w := newPDHG(q, Options{Threads: 1, Repair: true})
		defer w.close()
		w.anchor = anchor
		for j, v := range broken {
			w.xn[j] = v / (w.sc.beta * w.sc.col[j])
		}
		w.mulA.apply(w.axn, w.xn)
		cur := w.unscaled(w.xn, w.axn, w.yn, w.atyn, cinf(q))
		return w.atLimit(IterationLimit, cur, 1e-6)
	}
	if r := at(nil); Measure(m, r.x, nil).Primal < 0.1 {
		t.Fatalf("without a start the answer should be the broken point, got %v", r.x)
	}
	start := []float64{4, 2, 2, 2, 2, 0.25} // keeps every row, t = 1/4
	if q.anchorAt(start, 1e-9) == nil {
		t.Fatal("the start keeps every row, but anchorAt refused it")
	}
	r := at(start)
	if r.status != IterationLimit {
		t.Errorf("status %v, want the limit", r.status)
	}
	if res := Measure(m, r.x, nil); res.Primal > 1e-6 {
		t.Errorf("the answer %v breaks a row by %.1e", r.x, res.Primal)
	}
	if r.x[5] < 0.25 {
		t.Errorf("t = %g, less than the start's 0.25", r.x[5])
	}
	if q.anchorAt([]float64{4, 2, 2, 2, 2, 0.5}, 1e-9) != nil {
		t.Error("a start that breaks its fairness rows (t = 0.5 with 2 each) was taken as an anchor")
	}
	if a := q.anchorAt([]float64{4, 2, 2, 2, 2, -0.5}, 1e-9); a == nil || a[5] != 0 {
		t.Errorf("a start below t's bound should be moved onto it, got %v", a)
	}
}
