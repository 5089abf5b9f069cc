package lp

import "math"

// shrinkWork and shrinkMends bound the mends of a shrink that move
// columns just enough: shrinkWork times the rows in all, and shrinkMends
// times a row (see shrink). shrinkWork is a variable for the tests.
var shrinkWork = 500

const shrinkMends = 2000

// shrink moves x toward anchor, a point that keeps every row and bound of
// p to tol, until x keeps them too, and returns the point and its row
// activities. Both points must keep the column bounds; so do all points
// between them.
//
// A row that x breaks is mended by the columns that pull it the wrong
// way, each moved back toward anchor by the same fraction of its
// distance, just enough: at anchor their pull is gone, and there the row
// holds. Each move may break other rows of the columns moved, which are
// mended in turn. A row mended shrinkMends times, and every row after
// shrinkWork mends a row on average, is mended by moving its columns all
// the way to anchor, so that it ends. Then each
// column moved goes back toward x as far as its rows' slack allows (the
// mends moved some further than the rows needed in the end).
//
// On a later max-min round whose point is far from keeping the rules
// (PDHG's iterate on the region's basic tier breaks 60,000 rows), anchor
// being the last stage's answer, this keeps what the iterate gives where
// the resources allow it and takes back the rest.
func (p *problem) shrink(anchor, x []float64, tol float64) ([]float64, []float64) {
	a := p.a
	at := a.Transpose()
	target := x
	x = append([]float64(nil), x...)
	ax := make([]float64, p.rows())
	a.MulVec(ax, x)
	queued := make([]bool, p.rows())
	var queue []int
	push := func(i int) {
		if !queued[i] {
			if _, rel := p.rowViolation(i, ax[i]); rel > tol {
				queued[i] = true
				queue = append(queue, i)
			}
		}
	}
	for i := range ax {
		push(i)
	}
	moveBy := func(j int, v float64) {
		d := v - x[j]
		x[j] = v
		for k := a.Start[j]; k < a.Start[j+1]; k++ {
			ax[a.Ind[k]] += a.Val[k] * d
		}
	}
	work := shrinkWork * p.rows()
	mends := make([]int32, p.rows())
	for len(queue) > 0 {
		// A row mended shrinkMends times already, or any row past the
		// work, is mended by moving its columns all the way: each column
		// then moves at most once more, and the mends end. (Just enough
		// each time, the moves around a cycle of transfers can shrink
		// geometrically, without end.)
		work--
		i := queue[0]
		queue = queue[1:]
		queued[i] = false
		mends[i]++
		// need > 0: the row must go up by need; < 0: down.
		need := 0.0
		switch {
		case ax[i] < p.lr[i]:
			need = p.lr[i] - ax[i]
		case ax[i] > p.ur[i]:
			need = p.ur[i] - ax[i]
		default:
			continue
		}
		pull := 0.0 // what the columns pulling the wrong way give
		for k := at.Start[i]; k < at.Start[i+1]; k++ {
			j := at.Ind[k]
			if g := at.Val[k] * (anchor[j] - x[j]); g*need > 0 {
				pull += g
			}
		}
		f := 1.0
		if work >= 0 && mends[i] <= shrinkMends && math.Abs(pull) > math.Abs(need) {
			f = need / pull
		}
		for k := at.Start[i]; k < at.Start[i+1]; k++ {
			j := int(at.Ind[k])
			if g := at.Val[k] * (anchor[j] - x[j]); g*need > 0 {
				v := x[j] + f*(anchor[j]-x[j])
				if f == 1 {
					v = anchor[j] // exactly, so that it pulls no more
				}
				moveBy(j, v)
				for kk := a.Start[j]; kk < a.Start[j+1]; kk++ {
					push(int(a.Ind[kk]))
				}
			}
		}
	}
	// Back toward target, each column as far as its rows allow.
	for j, v := range target {
		dir := v - x[j]
		if dir == 0 {
			continue
		}
		s := 1.0
		for k := a.Start[j]; k < a.Start[j+1]; k++ {
			i, g := a.Ind[k], a.Val[k]*dir
			switch {
			case g > 0:
				s = math.Min(s, (p.ur[i]-ax[i])/g)
			case g < 0:
				s = math.Min(s, (p.lr[i]-ax[i])/g)
			}
		}
		if s > 0 {
			moveBy(j, x[j]+s*dir)
		}
	}
	return x, ax
}

// fallBack is r, the answer of a solve of p, unless the solve stopped
// at a limit or stalled with a point that breaks rows (beyond tol) and
// fallback, a point of the model whose columns cols p kept, keeps every
// row (to tol/2, once within the column bounds): then the point is
// moved toward fallback until it keeps them too (shrink), or is
// fallback itself if that is better. The duals are left as they are.
func (p *problem) fallBack(r pdResult, fallback []float64, cols []int, tol float64) pdResult {
	switch r.status {
	case IterationLimit, TimeLimit, Stalled:
	default:
		return r
	}
	if fallback == nil || len(r.x) != p.cols() || p.keeps(r.x, tol) {
		return r
	}
	anchor := p.anchorAt(fallback, cols, tol/2)
	if anchor == nil {
		return r
	}
	x, _ := p.shrink(anchor, r.x, tol/2)
	if dot(p.c, x) > dot(p.c, anchor) {
		x = anchor
	}
	r.x, r.shrunk = x, true
	return r
}

// keeps reports whether x keeps every row of p to tol.
func (p *problem) keeps(x []float64, tol float64) bool {
	ax := make([]float64, p.rows())
	p.a.MulVec(ax, x)
	for i, v := range ax {
		if _, rel := p.rowViolation(i, v); rel > tol {
			return false
		}
	}
	return true
}

// anchorAt returns x, a point of the model whose columns cols p kept
// (nil: p's own), on p's columns and within their bounds if it then
// keeps every row to tol, else nil.
func (p *problem) anchorAt(x []float64, cols []int, tol float64) []float64 {
	a := make([]float64, p.cols())
	for k := range a {
		v := x[k]
		if cols != nil {
			v = x[cols[k]]
		}
		a[k] = clamp(v, p.lc[k], p.uc[k])
	}
	if !p.keeps(a, tol) {
		return nil
	}
	return a
}
