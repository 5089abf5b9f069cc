package lp

// The solves with the factor, M⁻¹x = L⁻ᵀL⁻¹x, several an iteration of
// the barrier (its predictor, correctors and refinement). Column by
// column, each entry of L is a multiply-add into a row found through ind,
// and the factor, 2·10⁷ entries on the region's basic round, is read
// twice a solve. Here the columns go in runs, consecutive columns of one
// supernode whose rows below the run are the same: the forward solve
// sums a run's products into those rows through the vector kernel
// (axpy4) and scatters them once, and the backward solve gathers the
// rows once and takes the run's dot products from them. A split factor
// (split.go) solves its two sets of subtrees at once: going forward, the
// second goroutine writes its updates of the serial part's rows apart,
// added after; going back, the serial part comes first and the subtrees
// then read it and write only their own rows.

// runs returns the runs of cols (increasing, and each column's run
// within one supernode), as pairs [j1, j2) one after another.
func (f *normal) runs(cols []int32) []int32 {
	var out []int32
	for i := 0; i < len(cols); {
		j1 := cols[i]
		end := f.snLo[f.sn[j1]+1]
		i++
		for i < len(cols) && cols[i] == cols[i-1]+1 && cols[i] < end {
			i++
		}
		out = append(out, j1, cols[i-1]+1)
	}
	return out
}

// solveSpace is what one goroutine of a solve writes apart from b.
type solveSpace struct {
	acc []float64
}

// forward solves L·y = b over the runs, in order, into b.
func (f *normal) forward(runs []int32, b []float64, sp *solveSpace) {
	start, ind, val := f.start, f.ind, f.val
	for p := 0; p < len(runs); p += 2 {
		j1, j2 := int(runs[p]), int(runs[p+1])
		for j := j1; j < j2; j++ {
			lo := start[j]
			bj := b[j] / val[lo]
			b[j] = bj
			if bj == 0 {
				continue
			}
			for i, v := range val[lo+1 : lo+j2-j] {
				b[j+1+i] -= v * bj
			}
		}
		rows := ind[start[j2-1]+1 : start[j2]] // below the run
		nb := len(rows)
		if nb == 0 {
			continue
		}
		at := func(j int) []float64 { return val[start[j]+j2-j : start[j+1]] }
		if j2-j1 == 1 {
			bj := b[j1]
			if bj != 0 {
				for q, v := range at(j1) {
					b[rows[q]] -= v * bj
				}
			}
			continue
		}
		if cap(sp.acc) < nb {
			sp.acc = make([]float64, nb)
		}
		acc := sp.acc[:nb]
		clear(acc)
		j := j1
		for ; j+4 <= j2; j += 4 {
			axpy4(acc, at(j), at(j+1), at(j+2), at(j+3), b[j], b[j+1], b[j+2], b[j+3])
		}
		for ; j < j2; j++ {
			bj := b[j]
			for q, v := range at(j)[:nb] {
				acc[q] += v * bj
			}
		}
		for q, r := range rows {
			b[r] -= acc[q]
		}
	}
}

// backward solves Lᵀ·x = b over the runs, last first, into b.
func (f *normal) backward(runs []int32, b []float64, sp *solveSpace) {
	start, ind, val := f.start, f.ind, f.val
	for p := len(runs) - 2; p >= 0; p -= 2 {
		j1, j2 := int(runs[p]), int(runs[p+1])
		rows := ind[start[j2-1]+1 : start[j2]]
		nb := len(rows)
		if cap(sp.acc) < nb {
			sp.acc = make([]float64, nb)
		}
		g := sp.acc[:nb]
		for q, r := range rows {
			g[q] = b[r]
		}
		for j := j2 - 1; j >= j1; j-- {
			lo := start[j]
			s := b[j]
			for i, v := range val[lo+1 : lo+j2-j] {
				s -= v * b[j+1+i]
			}
			s -= dotSums(val[lo+j2-j:start[j+1]], g)
			b[j] = s / val[lo]
		}
	}
}

// solveRuns is what solve needs of the runs: all columns' if the factor
// is not split, else each goroutine's and the serial part's.
type solveRuns struct {
	all, serial []int32
	subs        [2][]int32
	spaces      [2]solveSpace
	b1          []float64 // the second goroutine's copy of b
}

func (f *normal) planSolve() {
	sr := &f.solveRuns
	if f.split == nil {
		every := make([]int32, f.m)
		for j := range every {
			every[j] = int32(j)
		}
		sr.all = f.runs(every)
		return
	}
	sp := f.split
	sr.subs = [2][]int32{f.runs(sp.cols[0]), f.runs(sp.cols[1])}
	sr.serial = f.runs(sp.serial)
	sr.b1 = make([]float64, f.m)
}

// solveFactor solves M·x = b in place, b and x in elimination order.
func (f *normal) solveFactor(b []float64) {
	sr := &f.solveRuns
	if f.split == nil {
		f.forward(sr.all, b, &sr.spaces[0])
		f.backward(sr.all, b, &sr.spaces[0])
		return
	}
	sp, b1 := f.split, sr.b1
	for _, j := range sp.cols[1] {
		b1[j] = b[j]
	}
	for _, r := range sp.serial {
		b1[r] = 0
	}
	vecs := [2][]float64{b, b1}
	f.twice(func(g int) { f.forward(sr.subs[g], vecs[g], &sr.spaces[g]) })
	for _, j := range sp.cols[1] {
		b[j] = b1[j]
	}
	for _, r := range sp.serial {
		b[r] += b1[r]
	}
	f.forward(sr.serial, b, &sr.spaces[0])
	f.backward(sr.serial, b, &sr.spaces[0])
	f.twice(func(g int) { f.backward(sr.subs[g], b, &sr.spaces[g]) })
}

// dotSums is Σ a[i]·b[i], len(b) ≥ len(a), in four sums, which PDHG's
// dot (one sum) is not: the barrier's answers on the planner's tests
// were settled with these roundings (with dot, TestBarrierAfterAllMetFails
// lost the round it needs), and the four sums are the faster.
func dotSums(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}
