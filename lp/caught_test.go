package lp

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// recovered runs fn and returns what it panicked with in this goroutine.
// A panic left in a worker goroutine ends the test binary instead.
func recovered(fn func()) (v any) {
	defer func() { v = recover() }()
	fn()
	return nil
}

// TestProductPanicReachesCaller: a worker of a product that panics (here
// on an output too short for its columns) panics in apply's caller, and
// the product works again afterwards.
func TestProductPanicReachesCaller(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	rows, cols := 300, 2000
	m := emptyModel(rows, cols)
	for j := range cols {
		for range 30 {
			m.Set(r.IntN(rows), j, r.NormFloat64())
		}
	}
	a := m.Matrix()
	p := newProduct(a, 2)
	defer p.close()
	if len(p.splits) != 3 {
		t.Fatalf("%d parts, want 2", len(p.splits)-1)
	}
	in := make([]float64, rows)
	for i := range in {
		in[i] = r.NormFloat64()
	}
	short := make([]float64, p.splits[1]) // enough for the caller's part alone
	v := recovered(func() { p.apply(short, in) })
	if v == nil || !strings.Contains(panicText(v), "out of range") {
		t.Fatalf("apply panicked with %v, want the worker's index out of range", v)
	}
	out, want := make([]float64, cols), make([]float64, cols)
	p.apply(out, in)
	a.dotRange(want, in, 0, cols)
	for j := range out {
		if out[j] != want[j] {
			t.Fatalf("after the panic, out[%d] = %g, want %g", j, out[j], want[j])
		}
	}
}

// TestFactorPanicReachesCaller: a panic in one of the two goroutines of a
// split factorisation panics in factor's caller.
func TestFactorPanicReachesCaller(t *testing.T) {
	keep := splitAbove
	defer func() { splitAbove = keep }()
	splitAbove = 0
	r := rand.New(rand.NewPCG(5, 6))
	rows, cols := 3000, 8000
	m := bandedModel(r, rows, cols, 40)
	f := newNormal(m.Matrix(), func(int) bool { return false }, 0, true)
	if f.split == nil {
		t.Fatal("the factor is not split over two cores")
	}
	theta, e := make([]float64, cols), make([]float64, rows)
	for j := range theta {
		theta[j] = 1
	}
	for i := range e {
		e[i] = 1
	}
	f.assemble(theta, e)
	f.split.cols[1] = append(f.split.cols[1], int32(rows+5)) // a column that is not there
	v := recovered(f.factor)
	if v == nil || !strings.Contains(panicText(v), "out of range") {
		t.Fatalf("factor panicked with %v, want the worker's index out of range", v)
	}
}

func panicText(v any) string {
	if err, ok := v.(error); ok {
		return err.Error()
	}
	s, _ := v.(string)
	return s
}
