package lp

import (
	"math/rand/v2"
	"testing"
)

// TestRelax: joined supernodes (relax.go) are fewer, hold every entry of
// the pattern they replace, and their factor solves as the fundamental
// one does.
func TestRelax(t *testing.T) {
	keep := relaxWidths
	defer func() { relaxWidths = keep }()
	r := rand.New(rand.NewPCG(11, 12))
	rows, cols := 3000, 9000
	a := bandedModel(r, rows, cols, 30).Matrix()
	none := func(int) bool { return false }
	relaxWidths = nil
	fund := newNormal(a, none, 0, true)
	relaxWidths = keep
	f := newNormal(a, none, 0, true)
	if len(f.snLo) >= len(fund.snLo) {
		t.Fatalf("%d supernodes joined, %d fundamental: none joined", len(f.snLo)-1, len(fund.snLo)-1)
	}
	for k := range f.m {
		has := map[int32]bool{}
		for _, i := range f.ind[f.start[k]:f.start[k+1]] {
			has[i] = true
		}
		for _, i := range fund.ind[fund.start[k]:fund.start[k+1]] {
			if !has[i] {
				t.Fatalf("column %d lost row %d", k, i)
			}
		}
	}
	theta, e := normalWeights(r, rows, cols, 1)
	f.assemble(theta, e)
	f.factor()
	if i, x, want := solveError(f, a, theta, e, r); i >= 0 {
		t.Fatalf("x[%d] = %g, want %g", i, x, want)
	}
	t.Logf("%d supernodes instead of %d; %d entries instead of %d", len(f.snLo)-1, len(fund.snLo)-1, len(f.ind), len(fund.ind))
}
