package lp

import (
	"slices"
	"sync"
)

// The factor's top on two cores. Nested dissection's separators meet at
// the top of the elimination tree, in a chain that no split into subtrees
// shares out (split.go): on the region's essential stage 70% of the
// factor's multiplications are updates of the chain's columns (3.3·10⁹ of
// 4.6·10⁹), and on its basic round it holds more than half of the work.
// The chain is made of wide supernodes (up to 1,235 columns), each of which
// takes the updates of hundreds of earlier ones. A wide supernode is
// therefore computed as one block, by two goroutines that share its rows:
// each takes every update that falls in its own stripes of rows, so they
// never write the same entry, and the updates need no order between them
// (Ng and Peyton 1993, §3, the block form of the left-looking method).
// Then its own columns are factorised a panel at a time: the panel takes
// the updates of the block's columns before it, again by stripes, and
// factorises itself column by column on one goroutine.
//
// Each source's products are summed through the vector kernels of
// kernel.go: a wide source's as tiles of eight rows by four columns
// (tile.go), a narrow one's four columns at a time. The block's rows are
// taken a stripe at a time, every source applied to a stripe before the
// next, so that the stripe's entries stay in cache while the sources come
// and go (on the region's basic round, the scatters of the sums into the
// block took more time than their multiplications when each source went
// over the whole block in turn). The subtrees of a split (split.go)
// compute their wide supernodes as blocks too, each on its own goroutine.

// A supernode is computed as a block when it has at least blockWidth
// columns and its first has at least blockRows rows: narrower or shorter
// ones take too little work to share. (On the region's basic round,
// whose factor was not split then, in one run: 10.1 s a factorisation column
// by column, 7.4 s with blocks of 16 columns or more, 5.9 s with these.)
var blockWidth, blockRows = 8, 128 // the tests change them

// soloWidth and soloRows are blockWidth and blockRows for the blocks of a
// split's subtrees, each computed by one goroutine (ways 1), where a block
// is worth its set-up when its sources can be tiles (tile.go).
var soloWidth, soloRows = 8, 32 // the tests change them

// stripe is the height of the stripes of rows the two goroutines take in
// turn, and of the chunks of rows the kernel takes at a time.
const stripe = 128

// panelWidth is the width of the panels of a block's own columns.
const panelWidth = 32

// source is an earlier supernode with rows among a block's columns: its
// columns k1 ≤ k < k2, read from its row at place off in its first column;
// rows are its rows from there, the first np of them the block's columns.
type source struct {
	k1, k2, off, np int
	rows            []int32
}

// blockSpace is what the two goroutines of a block write apart from L.
type blockSpace struct {
	pos     []int32 // by row: its place among the block's rows
	idx     []int32 // the places of a source's rows, all sources one after another
	idxAt   []int   // where each source's places start in idx
	sources []source
	acc     [2][]float64 // each goroutine's accumulator
	tiles   [2]tileSpace // and its panels (tile.go)
	packed  []float64    // the sources' b panels, if wide (tile.go)
	packAt  []int        // where each source's starts in packed, −1 if narrow
	ways    int          // the goroutines that compute a block: 2, or 1 in a split's subtrees
	every   []int32      // 0, 1, ..., m−1: the columns of a factor not split
}

// all returns the columns 0 to m−1.
func (bs *blockSpace) all(m int) []int32 {
	for len(bs.every) < m {
		bs.every = append(bs.every, int32(len(bs.every)))
	}
	return bs.every[:m]
}

// newBlockSpace makes the space of blocks computed by ways goroutines,
// 1 or 2.
func newBlockSpace(m, ways int) *blockSpace {
	return &blockSpace{pos: make([]int32, m), acc: [2][]float64{make([]float64, stripe), make([]float64, stripe)}, ways: ways}
}

// runColumns factorises the columns cols, in order, with st: the columns
// of a wide supernode, when all of them follow one another in cols, as a
// block on two goroutines (if bs is not nil), the others one by one.
func (f *normal) runColumns(cols []int32, st *workSpace, bs *blockSpace, big float64) {
	for i := 0; i < len(cols); {
		j := int(cols[i])
		s := int(f.sn[j])
		// The supernode's columns from j on: all of them, or those a
		// split's subtree left to the serial part.
		w := int(f.snLo[s+1]) - j
		minWidth, minRows := blockWidth, blockRows
		if bs != nil && bs.ways == 1 {
			minWidth, minRows = soloWidth, soloRows
		}
		if bs != nil && w >= minWidth && f.start[j+1]-f.start[j] >= minRows && i+w <= len(cols) && int(cols[i+w-1]) == j+w-1 {
			f.block(j, j+w, st, bs, big)
			i += w
			continue
		}
		f.column(j, st, big)
		i++
	}
}

// block computes the columns j1 ≤ j < j2, the last of a supernode's (all
// of them or the last few), the updates of the supernodes before them
// included (and of the supernode's earlier columns), on bs.ways
// goroutines.
func (f *normal) block(j1, j2 int, st *workSpace, bs *blockSpace, big float64) {
	start, ind, val := f.start, f.ind, f.val
	head, nxt, rel := st.head, f.nxt, f.rel
	s := int(f.sn[j1])
	width := j2 - j1
	rows := ind[start[j1]:start[j1+1]] // the block's rows; the first width are its columns
	for t, r := range rows {
		bs.pos[r] = int32(t)
	}
	// The supernodes with rows among the block's columns wait in the
	// lists of those rows; each leaves them for the list of its first row
	// below the block.
	bs.sources, bs.idx, bs.idxAt = bs.sources[:0], bs.idx[:0], bs.idxAt[:0]
	for j := j1; j < j2; j++ {
		for src := head[j]; src >= 0; {
			next := nxt[src]
			k1 := int(f.snLo[src])
			base, end := start[k1]+rel[src], start[k1+1]
			sr := ind[base:end]
			np, _ := slices.BinarySearch(sr, int32(j2))
			// The block's own supernode, if it began before j1, is a
			// source with its columns before j1.
			k2 := min(int(f.snLo[src+1]), j1)
			bs.sources = append(bs.sources, source{k1: k1, k2: k2, off: rel[src], np: np, rows: sr})
			bs.idxAt = append(bs.idxAt, len(bs.idx))
			for _, r := range sr {
				bs.idx = append(bs.idx, bs.pos[r])
			}
			rel[src] += np
			if np < len(sr) {
				r := sr[np]
				nxt[src], head[r] = head[r], int32(src)
			}
			src = next
		}
	}
	bs.idxAt = append(bs.idxAt, len(bs.idx))
	f.updateSources(len(rows), bs)
	// The block's own columns. The places of its rows among its rows are
	// the numbers 0, 1, ...: bs.idx is free again for them.
	bs.idx = bs.idx[:0]
	for t := range rows {
		bs.idx = append(bs.idx, int32(t))
	}
	for i0 := 0; i0 < width; i0 += panelWidth {
		i1 := min(i0+panelWidth, width)
		if i0 > 0 {
			sc := source{k1: j1, k2: j1 + i0, off: i0, np: i1 - i0, rows: rows[i0:]}
			f.both(bs, func(g int) { f.updateStripes(sc, bs.idx[i0:], bs, g) })
		}
		for i := i0; i < i1; i++ {
			c := j1 + i
			if i > i0 {
				sc := source{k1: j1 + i0, k2: c, off: i - i0, np: 1, rows: rows[i:]}
				f.updateRows(sc, bs.idx[i:], 0, len(sc.rows), bs.acc[0])
			}
			lo, hi := start[c], start[c+1]
			ljj := f.pivot(c, val[lo], st, big)
			val[lo] = ljj
			inv := 1 / ljj
			for p := lo + 1; p < hi; p++ {
				val[p] *= inv
			}
		}
	}
	// The supernode enters the lists of its rows below the block, unless
	// it began before j1: then it is there already, a source above.
	if width < len(rows) && j1 == int(f.snLo[s]) {
		rel[s] = width
		r := rows[width]
		nxt[s], head[r] = head[r], int32(s)
	}
}

// updateSources applies the updates of bs.sources to a block of n rows,
// on the block's goroutines (bs.ways). On two, each takes every other
// stripe of the block's rows; either applies every source to a stripe
// before the next, so that the stripe's entries stay in cache while the
// sources come and go. The wide sources' b panels (tile.go) are packed
// first, shared out the same way.
func (f *normal) updateSources(n int, bs *blockSpace) {
	bs.packAt = bs.packAt[:0]
	size := 0
	for _, sc := range bs.sources {
		if sc.k2-sc.k1 >= tileMinWidth && sc.np >= tileMinCols {
			bs.packAt = append(bs.packAt, size)
			size += packedSize(sc)
		} else {
			bs.packAt = append(bs.packAt, -1)
		}
	}
	bs.packed = grow(bs.packed, size)
	f.both(bs, func(g int) {
		for i, sc := range bs.sources {
			if at := bs.packAt[i]; at >= 0 && i%bs.ways == g {
				f.packB(sc, bs.packed[at:])
			}
		}
	})
	f.both(bs, func(g int) {
		for b := g; b*stripe < n; b += bs.ways {
			for i, sc := range bs.sources {
				idx := bs.idx[bs.idxAt[i]:bs.idxAt[i+1]]
				if len(idx) == 0 || int(idx[0]) >= (b+1)*stripe || int(idx[len(idx)-1]) < b*stripe {
					continue
				}
				lo, _ := slices.BinarySearch(idx, int32(b*stripe))
				hi, _ := slices.BinarySearch(idx, int32((b+1)*stripe))
				switch at := bs.packAt[i]; {
				case at >= 0 && hi-lo >= tileMinRows:
					f.updateTiles(sc, idx, lo, hi, bs.packed[at:], &bs.tiles[g])
				case lo < hi:
					f.updateRows(sc, idx, lo, hi, bs.acc[g])
				}
			}
		}
	})
}

// both runs fn for each of the block's goroutines: fn(0), or fn(0) and
// fn(1) at once (twice).
func (f *normal) both(bs *blockSpace, fn func(g int)) {
	if bs.ways == 1 {
		fn(0)
		return
	}
	f.twice(fn)
}

// twice runs fn(0) and fn(1) at once, and returns when both are done; a
// panic in either comes back here.
func (f *normal) twice(fn func(g int)) {
	var wg sync.WaitGroup
	var failed caught
	wg.Go(func() { failed.run(func() { fn(1) }) })
	failed.run(func() { fn(0) })
	wg.Wait()
	failed.rethrow()
}

// updateStripes applies source sc to the block's rows in goroutine g's
// stripes (stripe-high bands of the block's rows, every other one); idx
// holds the places of sc.rows among the block's rows, increasing.
func (f *normal) updateStripes(sc source, idx []int32, bs *blockSpace, g int) {
	if len(idx) == 0 {
		return
	}
	wide := sc.k2-sc.k1 >= tileMinWidth && sc.np >= tileMinCols
	packed := false
	ts := &bs.tiles[g]
	first, last := int(idx[0])/stripe, int(idx[len(idx)-1])/stripe
	for b := first + (g-first%bs.ways+bs.ways)%bs.ways; b <= last; b += bs.ways { // the bands b with b%ways == g
		lo, _ := slices.BinarySearch(idx, int32(b*stripe))
		hi, _ := slices.BinarySearch(idx, int32((b+1)*stripe))
		switch {
		case wide && hi-lo >= tileMinRows:
			if !packed {
				ts.b = grow(ts.b, packedSize(sc))
				f.packB(sc, ts.b)
				packed = true
			}
			f.updateTiles(sc, idx, lo, hi, ts.b, ts)
		case lo < hi:
			f.updateRows(sc, idx, lo, hi, bs.acc[g])
		}
	}
}

// updateRows subtracts from the block's columns sc.rows[p], p < sc.np,
// at their rows sc.rows[q], lo ≤ q < hi, q ≥ p, the products
// Σₖ L(rows[q], k)·L(rows[p], k) over the source's columns. At most
// stripe rows at a time, so that the source's columns over them stay in
// cache from one column of the block to the next; the products are
// summed in acc, then scattered to the block's rows.
func (f *normal) updateRows(sc source, idx []int32, lo, hi int, acc []float64) {
	start, val := f.start, f.val
	at := func(k int) int { return start[k] + sc.off - (k - sc.k1) } // rows[0] in column k
	for q0 := lo; q0 < hi; q0 += stripe {
		q1 := min(q0+stripe, hi)
		for p := 0; p < min(sc.np, q1); p++ {
			from := max(p, q0)
			// Column rows[p] of the block holds its rows from its own
			// place on: the block's row t is at t − idx[p] into it.
			tb := start[sc.rows[p]] - int(idx[p])
			a := acc[:q1-from]
			clear(a)
			k := sc.k1
			for ; k+4 <= sc.k2; k += 4 {
				b0, b1, b2, b3 := at(k), at(k+1), at(k+2), at(k+3)
				axpy4(a, val[b0+from:b0+q1], val[b1+from:b1+q1], val[b2+from:b2+q1], val[b3+from:b3+q1],
					val[b0+p], val[b1+p], val[b2+p], val[b3+p])
			}
			// The last one to three columns in one pass.
			switch sc.k2 - k {
			case 3:
				b0, b1, b2 := at(k), at(k+1), at(k+2)
				l0, l1, l2 := val[b0+p], val[b1+p], val[b2+p]
				v0 := val[b0+from : b0+q1]
				v1 := val[b1+from : b1+q1][:len(v0)]
				v2 := val[b2+from : b2+q1][:len(v0)]
				a := a[:len(v0)]
				for q, x := range v0 {
					a[q] += x*l0 + v1[q]*l1 + v2[q]*l2
				}
			case 2:
				b0, b1 := at(k), at(k+1)
				l0, l1 := val[b0+p], val[b1+p]
				v0 := val[b0+from : b0+q1]
				v1 := val[b1+from : b1+q1][:len(v0)]
				a := a[:len(v0)]
				for q, x := range v0 {
					a[q] += x*l0 + v1[q]*l1
				}
			case 1:
				b0 := at(k)
				l0 := val[b0+p]
				v0 := val[b0+from : b0+q1]
				a := a[:len(v0)]
				for q, x := range v0 {
					a[q] += x * l0
				}
			}
			for q, v := range a {
				val[tb+int(idx[from+q])] -= v
			}
		}
	}
}
