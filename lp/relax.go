package lp

import "slices"

// Relaxed supernodes (Ashcraft and Grimes, "The influence of relaxed
// supernode partitions on the multifrontal method", ACM TOMS 15, 1989).
// A supernode whose parent in the elimination tree is the supernode that
// follows it can be made one with it: its columns then hold the rows of
// the parent's columns too, the ones they lack as explicit zeros. The
// factor does a few more multiplications (by zero), but its updates come
// from fewer and wider supernodes: fewer scatters of sums into columns,
// and more sources wide enough for the vector tiles (tile.go). On the
// region's basic round, most supernodes are one column wide (60,044 of
// 66,915) and their scatters, not their multiplications, took most of
// the factor's time.

// relaxWidths and relaxZeros: a supernode joins the next when the joined
// supernode is at most relaxWidths[i] columns wide with at most
// relaxZeros[i] of its entries explicit zeros, for some i (the rule of
// CHOLMOD's supernodal analysis, with its defaults).
var (
	relaxWidths = []int{4, 16, 48, 1 << 30}
	relaxZeros  = []float64{1, 0.8, 0.1, 0.05}
)

// relax joins supernodes as above, rewriting start and ind; it must run
// before anything else reads them (the pairs, the supernodes, the split).
func (f *normal) relax() {
	m, start, ind := f.m, f.start, f.ind
	if m == 0 {
		return
	}
	// The fundamental supernodes, as supernodes finds them.
	lo := []int{0}
	for k := 1; k < m; k++ {
		prev := ind[start[k-1]+1 : start[k]]
		if len(prev) == 0 || prev[0] != int32(k) || !slices.Equal(prev[1:], ind[start[k]+1:start[k+1]]) {
			lo = append(lo, k)
		}
	}
	lo = append(lo, m)
	ns := len(lo) - 1
	// Walking back from the last supernode, each group [lo[s], end) of
	// supernodes joined so far has its last column's rows below it
	// (below) and its entries and zeros; a supernode joins the group
	// that begins right after it when that group holds its parent.
	end := make([]int, ns) // by supernode: the end of its group
	gEnd, gEntries, gZeros := m, 0, 0
	below := func(e int) int { return start[e] - start[e-1] - 1 } // rows below column e−1
	joined := false
	for s := ns - 1; s >= 0; s-- {
		k1, k2 := lo[s], lo[s+1]
		own := 0 // the supernode's entries
		for k := k1; k < k2; k++ {
			own += start[k+1] - start[k]
		}
		if s < ns-1 && start[k2-1]+1 < start[k2] && int(ind[start[k2-1]+1]) < gEnd {
			// Its parent, its last column's first row below, is in the
			// group: its columns would hold the group's rows.
			nb := below(gEnd)
			width := gEnd - k1
			entries := gEntries
			for k := k1; k < k2; k++ {
				entries += gEnd - k + nb
			}
			zeros := gZeros + entries - gEntries - own
			if relaxFits(width, float64(zeros)/float64(entries)) {
				gEntries, gZeros = entries, zeros
				end[s] = gEnd
				joined = true
				continue
			}
		}
		gEnd, gEntries, gZeros = k2, own, 0
		end[s] = k2
	}
	if !joined {
		return
	}
	// The new pattern: a column of a group holds its own rows down to
	// the group's end, then the rows below the group's last column.
	newStart := make([]int, m+1)
	for s := range ns {
		e := end[s]
		nb := below(e)
		for k := lo[s]; k < lo[s+1]; k++ {
			newStart[k+1] = e - k + nb
		}
	}
	for k := range m {
		newStart[k+1] += newStart[k]
	}
	newInd := make([]int32, newStart[m])
	for s := range ns {
		e := end[s]
		tail := ind[start[e-1]+1 : start[e]]
		for k := lo[s]; k < lo[s+1]; k++ {
			col := newInd[newStart[k]:newStart[k+1]]
			n := 0
			for r := k; r < e; r++ {
				col[n] = int32(r)
				n++
			}
			copy(col[n:], tail)
		}
	}
	f.start, f.ind = newStart, newInd
}

// relaxFits says whether a joined supernode of width columns with the
// fraction zeros of its entries explicit zeros is allowed.
func relaxFits(width int, zeros float64) bool {
	for i, w := range relaxWidths {
		if width <= w && zeros <= relaxZeros[i] {
			return true
		}
	}
	return false
}
