package lp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBlockMatchesColumns: a factor whose wide supernodes are computed as
// blocks on two goroutines (block.go) has the entries of the factor
// computed column by column, on random sparse matrices (banded, whose
// nested dissection order has a chain of separators at the top, and
// dense), with blocks down to two columns wide and two rows high, and
// their wide sources' updates as tiles (tile.go); then split into
// subtrees, whose blocks one goroutine each computes. (The sums are taken in
// another order, so the entries agree to rounding, not to the bit.)
func TestBlockMatchesColumns(t *testing.T) {
	keepDissect, keepWidth, keepRows := dissectAbove, blockWidth, blockRows
	keepTileWidth, keepTileCols, keepTileRows := tileMinWidth, tileMinCols, tileMinRows
	keepSplit, keepSoloWidth, keepSoloRows := splitAbove, soloWidth, soloRows
	defer func() {
		dissectAbove, blockWidth, blockRows = keepDissect, keepWidth, keepRows
		tileMinWidth, tileMinCols, tileMinRows = keepTileWidth, keepTileCols, keepTileRows
		splitAbove, soloWidth, soloRows = keepSplit, keepSoloWidth, keepSoloRows
	}()
	dissectAbove, splitAbove = 1, 0
	r := rand.New(rand.NewPCG(7, 8))
	for trial := range 6 {
		rows, cols, band := 2000+r.IntN(1000), 6000, 40
		if trial%3 == 2 {
			rows, cols, band = 300, 600, 0 // a dense factor
		}
		m := emptyModel(rows, cols)
		for j := range cols {
			c := r.IntN(rows)
			for range 3 {
				i := r.IntN(rows)
				if band > 0 {
					i = min(rows-1, max(0, c+r.IntN(band)-band/2))
				}
				m.Set(i, j, r.NormFloat64())
			}
		}
		a := m.Matrix()
		f := newNormal(a, func(int) bool { return false }, 0, true)
		theta, e := normalWeights(r, rows, cols, 1)
		f.assemble(theta, e)
		split := f.split
		f.split, f.blocks = nil, nil
		f.factor()
		want := append([]float64(nil), f.val...)

		blockWidth, blockRows = []int{2, 5, 16}[trial%3], []int{2, 2, 128}[trial%3]
		// Sources as tiles (tile.go) from one column and one row, from
		// a few, and as the factor has them.
		tileMinWidth, tileMinCols, tileMinRows = []int{1, 3, 16}[trial/2], []int{1, 2, 8}[trial/2], []int{1, 5, 16}[trial/2]
		wide := 0
		for s := range len(f.snLo) - 1 {
			k := f.snLo[s]
			if int(f.snLo[s+1]-k) >= blockWidth && f.start[k+1]-f.start[k] >= blockRows {
				wide++
			}
		}
		if wide == 0 {
			t.Fatalf("trial %d: no supernode %d columns wide and %d rows high", trial, blockWidth, blockRows)
		}
		f.blocks = newBlockSpace(rows, 2)
		f.assemble(theta, e)
		// Trials 0 and 3 with the Go kernels (kernel.go), the others
		// with the assembly where the machine runs it.
		avx := hasAVX
		hasAVX = avx && trial%3 != 0
		f.factor()
		hasAVX = avx
		for p, v := range f.val {
			if math.Abs(v-want[p]) > 1e-10*(1+math.Abs(want[p])) {
				t.Fatalf("trial %d (%d rows, %d blocks): entry %d of L is %g, column by column %g", trial, rows, wide, p, v, want[p])
			}
		}
		// Split in two sets of subtrees, whose blocks one goroutine
		// computes each.
		if split == nil {
			t.Fatalf("trial %d: the factor is not split", trial)
		}
		soloWidth, soloRows = blockWidth, blockRows
		f.split = split
		f.assemble(theta, e)
		hasAVX = avx && trial%3 != 1
		f.factor()
		hasAVX = avx
		for p, v := range f.val {
			if math.Abs(v-want[p]) > 1e-10*(1+math.Abs(want[p])) {
				t.Fatalf("trial %d (%d rows, split): entry %d of L is %g, column by column %g", trial, rows, p, v, want[p])
			}
		}
		t.Logf("trial %d: %d rows, %d blocks of at least %d columns and %d rows", trial, rows, wide, blockWidth, blockRows)
	}
}

// TestSplitUnderHeavyChain: a factor whose chain at the top holds most of
// the work (a banded matrix whose rows a few long columns all tie
// together, as the labour arcs tie a region's sites) is still split into
// two sets of subtrees, and its solves are right.
func TestSplitUnderHeavyChain(t *testing.T) {
	keepDissect, keepSplit := dissectAbove, splitAbove
	defer func() { dissectAbove, splitAbove = keepDissect, keepSplit }()
	dissectAbove, splitAbove = 1, 0
	r := rand.New(rand.NewPCG(9, 10))
	rows, cols, band := 3000, 9000, 30
	m := emptyModel(rows, cols)
	for j := range cols {
		c := r.IntN(rows)
		n := 3
		if j%20 == 0 {
			n = 12 // a long column, its rows anywhere
		}
		for range n {
			i := min(rows-1, max(0, c+r.IntN(band)-band/2))
			if n > 3 {
				i = r.IntN(rows)
			}
			m.Set(i, j, r.NormFloat64())
		}
	}
	a := m.Matrix()
	f := newNormal(a, func(int) bool { return false }, 0, true)
	if f.split == nil {
		t.Fatal("the factor is not split")
	}
	work := func(cols []int32) float64 {
		s := 0.0
		for _, k := range cols {
			c := float64(f.start[k+1] - f.start[k])
			s += c * c
		}
		return s
	}
	if chain := work(f.split.serial); 2*chain < f.flops() {
		t.Fatalf("the chain holds %.3g of %.3g: want a chain with most of the work", chain, f.flops())
	}
	theta, e := normalWeights(r, rows, cols, 1)
	f.assemble(theta, e)
	f.factor()
	if i, x, want := solveError(f, a, theta, e, r); i >= 0 {
		t.Fatalf("x[%d] = %g, want %g", i, x, want)
	}
}
