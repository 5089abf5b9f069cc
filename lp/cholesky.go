package lp

import (
	"math"
	"slices"
	"sync/atomic"
)

// normal is the matrix of the interior-point method's normal equations,
//
//	M = A·Θ·Aᵀ + diag(e),
//
// factorised as M = L·Lᵀ in an order that keeps L sparse. The pattern is
// fixed by A alone, so the ordering and L's pattern are computed once and
// every iteration only refills the values and factorises again.
//
// The ordering is minimum degree on the explicit elimination graph
// (Tinney and Walker 1967; George and Liu, "The evolution of the minimum
// degree ordering algorithm", SIAM Review 31, 1989): the node of fewest
// neighbours is eliminated first, and its neighbours become a clique. The
// neighbours a node has when it is eliminated are exactly the rows of its
// column of L, so the ordering gives L's pattern as it goes. On the
// planner's LPs, whose rows meet in few columns, the fill stays small (on
// the city's last stage about twice the nonzeros of A·Aᵀ).
//
// Columns of A with many entries would make M dense; they are left out
// of M and brought back by the Sherman-Morrison-Woodbury formula in
// solve (see ipm.denseCols).
// pivotFloor is the least a pivot may be, relative to M's diagonal
// entry in its row; see factor.
const pivotFloor = 1e-14

type normal struct {
	m           int
	perm, iperm []int32   // perm[k]: the row eliminated k-th; iperm its inverse
	start       []int     // L's columns, in elimination order: start[k] to start[k+1]
	ind         []int32   // row positions in elimination order, the diagonal first
	val         []float64 // L's values, then M's before factor
	diag        []float64 // M's diagonal before factor, by position

	// Assembly: column j of A adds θⱼ·pairVal[q] at val[pairPos[q]] for
	// pairStart[j] ≤ q < pairStart[j+1].
	pairStart []int
	pairPos   []int32
	pairVal   []float64

	// Supernodes: runs of consecutive columns of L with the same pattern
	// below the run, column k of supernode s being snLo[s] ≤ k <
	// snLo[s+1]; sn[k] is k's.
	sn   []int32
	snLo []int32

	// Work space of factor and solve.
	own    workSpace   // the factor's, or the serial part's of a split one
	split  *split      // the columns factorised on two cores, if any
	blocks *blockSpace // for the wide supernodes on two cores (block.go), if the factor is large
	b      []float64
	nxt    []int32 // by supernode: the next in its row's list
	rel    []int   // by supernode: that row's place in its first column

	solveRuns solveRuns // the runs of columns the solves take (trisolve.go)

	// ordered is the multiplications of the ordering's pattern, before
	// relax joined supernodes (what maxFlops bounds).
	ordered float64

	// shifted lists the last factor's shifted pivots (see column), in
	// the order of the work spaces: the factor is of M + Σ δᵣ·eᵣ·eᵣᵀ.
	shifted []pivotShift
}

// pivotShift records that row's pivot had vanished and delta was added
// to it.
type pivotShift struct {
	row   int
	delta float64
}

// maxShifts bounds the pivots one work space of the factor shifts: each
// leaves the factor further from M, for the barrier's conjugate
// gradients to make up (ipm.solveNormal). Beyond it, vanished pivots are
// replaced.
const maxShifts = 16

// workSpace is what one goroutine of the factor writes apart from L.
type workSpace struct {
	w, acc  []float64
	head    []int32 // lists of supernodes by the row they update next
	shifted []pivotShift
}

func newWorkSpace(m int) workSpace {
	return workSpace{w: make([]float64, m), acc: make([]float64, m), head: make([]int32, m)}
}

// newNormal orders the rows of a and builds L's pattern, with nested
// dissection allowed if nested (see orderRows). Columns for which skip
// returns true are left out of M. It gives up, returning nil,
// as soon as the factorisation is seen to need more than maxFlops
// multiplications (see flops); maxFlops ≤ 0 sets no bound.
func newNormal(a *CSC, skip func(j int) bool, maxFlops float64, nested bool) *normal {
	m := a.Rows
	f := &normal{m: m}
	cols := f.orderRows(normalGraph(a, skip), maxFlops, nested)
	if cols == nil {
		return nil
	}

	f.iperm = make([]int32, m)
	for k, v := range f.perm {
		f.iperm[v] = int32(k)
	}
	f.start = make([]int, m+1)
	for k, v := range f.perm {
		f.start[k+1] = f.start[k] + 1 + len(cols[v])
	}
	f.ind = make([]int32, f.start[m])
	for k, v := range f.perm {
		p := f.start[k]
		f.ind[p] = int32(k)
		col := f.ind[p+1 : f.start[k+1]]
		for q, u := range cols[v] {
			col[q] = f.iperm[u]
		}
		slices.Sort(col)
	}
	f.ordered = f.flops()
	f.relax()
	f.val = make([]float64, len(f.ind))
	f.diag = make([]float64, m)

	f.pairStart = make([]int, a.Cols+1)
	for j := 0; j < a.Cols; j++ {
		n := 0
		if !skip(j) {
			c := a.Start[j+1] - a.Start[j]
			n = c * (c + 1) / 2
		}
		f.pairStart[j+1] = f.pairStart[j] + n
	}
	f.pairPos = make([]int32, f.pairStart[a.Cols])
	f.pairVal = make([]float64, f.pairStart[a.Cols])
	for j := 0; j < a.Cols; j++ {
		q := f.pairStart[j]
		if skip(j) {
			continue
		}
		for k1 := a.Start[j]; k1 < a.Start[j+1]; k1++ {
			p1 := f.iperm[a.Ind[k1]]
			for k2 := k1; k2 < a.Start[j+1]; k2++ {
				p2 := f.iperm[a.Ind[k2]]
				f.pairPos[q] = int32(f.at(min(p1, p2), max(p1, p2)))
				f.pairVal[q] = a.Val[k1] * a.Val[k2]
				q++
			}
		}
	}
	f.b = make([]float64, m)
	f.supernodes()
	f.own = newWorkSpace(m)
	f.nxt = make([]int32, len(f.snLo)-1)
	f.rel = make([]int, len(f.snLo)-1)
	f.planSplit()
	f.planSolve()
	if f.flops() >= splitAbove {
		f.blocks = newBlockSpace(m, 2)
	}
	return f
}

// supernodes finds the supernodes of L: column k+1 joins k's when k's
// pattern is k, k+1 and then exactly k+1's.
func (f *normal) supernodes() {
	f.sn = make([]int32, f.m)
	f.snLo = append(f.snLo[:0], 0)
	for k := 1; k < f.m; k++ {
		prev := f.ind[f.start[k-1]+1 : f.start[k]]
		if len(prev) == 0 || prev[0] != int32(k) || !slices.Equal(prev[1:], f.ind[f.start[k]+1:f.start[k+1]]) {
			f.snLo = append(f.snLo, int32(k))
		}
		f.sn[k] = int32(len(f.snLo) - 1)
	}
	f.snLo = append(f.snLo, int32(f.m))
}

// normalGraph is the graph of A·Aᵀ without the columns skip names: rows
// sharing a column are neighbours.
func normalGraph(a *CSC, skip func(j int) bool) [][]int32 {
	m, at := a.Rows, a.Transpose()
	adj := make([][]int32, m)
	mark := make([]int32, m)
	for i := range mark {
		mark[i] = -1
	}
	for i := 0; i < m; i++ {
		mark[i] = int32(i)
		var nb []int32
		for k := at.Start[i]; k < at.Start[i+1]; k++ {
			j := int(at.Ind[k])
			if skip(j) {
				continue
			}
			for q := a.Start[j]; q < a.Start[j+1]; q++ {
				r := a.Ind[q]
				if mark[r] != int32(i) {
					mark[r] = int32(i)
					nb = append(nb, r)
				}
			}
		}
		adj[i] = nb
	}
	return adj
}

// dissectAbove is the factorisation, in multiplications, beyond which
// nested dissection is tried: minimum degree is the better order for the
// smaller LPs (on the city's stages 1.2·10⁸ against 3.7·10⁸ for nested
// dissection), nested dissection for the larger (on the region's
// essential stage 9·10⁹ against 3.7·10¹⁰). The tests change it.
var dissectAbove = 1e9

// orderRows sets f.perm and returns L's pattern as order does: by minimum
// degree, or, if nested and that would need more than dissectAbove
// multiplications, by nested dissection unless minimum degree, carried
// to the end, needs fewer. It returns nil when the order chosen would
// need more than maxFlops (if maxFlops > 0).
//
// Graphs without small separators have no good dissection: on a random
// transport network of 5,000 rows (TestRepairInPDHG's) nested dissection
// needs 8.1·10⁹ multiplications and minimum degree 1.7·10⁹. On the
// planner's LPs nested dissection wins.
//
// Both orders are computed at once, one on each core: minimum degree
// stops as soon as it needs more than nested dissection's order and
// dissectAbove, once that is known, and nested dissection as soon as
// minimum degree ends within dissectAbove. The order chosen is the one
// the rule above chooses, whichever ends first. One after the other
// (minimum degree up to dissectAbove, nested dissection, then minimum
// degree again up to nested dissection's multiplications) they made a
// region stage's setting up and first iteration take 16 to 17 s, and
// at once 11 to 12 s (docs/BENCHMARKS.md, "Optimal faces, and both
// orders at once").
func (f *normal) orderRows(adj [][]int32, maxFlops float64, nested bool) [][]int32 {
	if !nested || maxFlops > 0 && maxFlops <= dissectAbove {
		return f.order(adj, maxFlops, nil)
	}
	kept := make([][]int32, len(adj)) // order consumes adj
	for i, nb := range adj {
		kept[i] = slices.Clone(nb)
	}
	var (
		stop       atomic.Bool   // minimum degree ended within dissectAbove
		beat       atomic.Uint64 // the most minimum degree may need now, as bits
		md, ndCols [][]int32
		ndPerm     []int32
		nd         float64
	)
	beat.Store(math.Float64bits(math.Inf(1)))
	f.twice(func(g int) {
		if g == 1 {
			if ndPerm = dissectUntil(kept, &stop); ndPerm != nil {
				ndCols = symbolic(kept, ndPerm)
				nd = patternFlops(ndCols)
				beat.Store(math.Float64bits(math.Max(nd, dissectAbove)))
			}
			return
		}
		if md = f.order(adj, maxFlops, &beat); md != nil && patternFlops(md) <= dissectAbove {
			stop.Store(true)
		}
	})
	switch {
	case md != nil && (stop.Load() || patternFlops(md) <= nd):
		return md
	case maxFlops > 0 && nd > maxFlops:
		return nil
	}
	f.perm = ndPerm
	return ndCols
}

// patternFlops is flops for L's pattern given as order returns it.
func patternFlops(cols [][]int32) float64 {
	s := 0.0
	for _, c := range cols {
		x := float64(len(c) + 1)
		s += x * x
	}
	return s
}

// flops is the multiplications a factorisation takes: Σ over columns of
// L of their count squared, about.
func (f *normal) flops() float64 {
	s := 0.0
	for k := 0; k < f.m; k++ {
		c := float64(f.start[k+1] - f.start[k])
		s += c * c
	}
	return s
}

// at returns the index in val of L(r, c), r ≥ c in elimination order.
func (f *normal) at(c, r int32) int {
	lo := f.start[c]
	if r == c {
		return lo
	}
	col := f.ind[lo+1 : f.start[c+1]]
	i, ok := slices.BinarySearch(col, r)
	if !ok {
		panic("lp: entry outside the pattern of L")
	}
	return lo + 1 + i
}

// order eliminates the nodes of the graph adj in order of least
// (approximate) degree, ties to the lower index, sets f.perm and returns,
// for each node, its neighbours in the elimination graph when it is
// eliminated: the rows of its column of L. adj is consumed. It returns
// nil as soon as the columns found need more than maxFlops
// multiplications, if maxFlops > 0, or than beat holds (as float64 bits),
// if beat is not nil.
//
// The elimination graph is kept as a quotient graph (George and Liu
// 1989, §4): an eliminated node becomes an element, the clique of its
// neighbours, stored once as a list instead of as edges between them, and
// the elements adjacent to the next node eliminated are absorbed into its
// own. A node's neighbours are its remaining plain neighbours and the
// members of its elements. Degrees are bounded from above as in AMD
// (Amestoy, Davis and Duff, "An approximate minimum degree ordering
// algorithm", SIAM J. Matrix Anal. Appl. 17, 1996): the members of the
// new element, plus the plain neighbours, plus for each other element the
// members not in the new one. The explicit graph, which this replaced,
// rewrote the whole neighbour list of every neighbour at each step: on a
// region of a million members (123,000 rows) it had not finished in four
// minutes.
func (f *normal) order(adj [][]int32, maxFlops float64, beat *atomic.Uint64) [][]int32 {
	m := len(adj)
	f.perm = make([]int32, 0, m)
	cols := make([][]int32, m) // also the members of each element
	elems := make([][]int32, m)
	done := make([]bool, m)     // eliminated: an element
	absorbed := make([]bool, m) // an element inside a later one
	mark := make([]int32, m)
	seen := make([]int32, m) // elements met while computing degrees
	outside := make([]int32, m)
	for i := range mark {
		mark[i], seen[i] = -1, -1
	}
	deg := make([]int, m)
	h := make(minHeap, 0, 2*m)
	for v, nb := range adj {
		deg[v] = len(nb)
		h.push(uint64(len(nb))<<32 | uint64(v))
	}
	flops := 0.0
	for stamp := int32(0); len(f.perm) < m; {
		e := h.pop()
		p, d := int32(e&(1<<32-1)), int(e>>32)
		if done[p] || d != deg[p] {
			continue
		}
		stamp++
		// The new element: the members of p's elements and p's plain
		// neighbours, p left out.
		mark[p] = stamp
		var lp []int32
		for _, el := range elems[p] {
			for _, i := range cols[el] {
				if mark[i] != stamp {
					mark[i] = stamp
					lp = append(lp, i)
				}
			}
			absorbed[el] = true
		}
		for _, i := range adj[p] {
			if !done[i] && mark[i] != stamp {
				mark[i] = stamp
				lp = append(lp, i)
			}
		}
		done[p] = true
		f.perm = append(f.perm, p)
		cols[p] = lp
		c := float64(len(lp) + 1)
		if flops += c * c; maxFlops > 0 && flops > maxFlops || beat != nil && flops > math.Float64frombits(beat.Load()) {
			return nil
		}
		adj[p], elems[p] = nil, nil
		// Each member loses the absorbed elements and the plain
		// neighbours now inside p, and gains p.
		for _, i := range lp {
			ne := elems[i][:0]
			for _, el := range elems[i] {
				if !absorbed[el] {
					ne = append(ne, el)
				}
			}
			elems[i] = append(ne, p)
			na := adj[i][:0]
			for _, j := range adj[i] {
				if !done[j] && mark[j] != stamp {
					na = append(na, j)
				}
			}
			adj[i] = na
		}
		// |Le \ Lp| for the other elements of the members.
		for _, i := range lp {
			for _, el := range elems[i] {
				if el == p {
					continue
				}
				if seen[el] != stamp {
					seen[el] = stamp
					outside[el] = int32(len(cols[el]))
				}
				outside[el]--
			}
		}
		left := m - len(f.perm)
		for _, i := range lp {
			d := len(adj[i]) + len(lp) - 1
			for _, el := range elems[i] {
				if el != p {
					d += int(outside[el])
				}
			}
			d = min(d, left-1)
			if d != deg[i] {
				deg[i] = d
				h.push(uint64(d)<<32 | uint64(i))
			}
		}
	}
	return cols
}

type minHeap []uint64

func (h *minHeap) push(v uint64) {
	*h = append(*h, v)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if s[p] <= s[i] {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *minHeap) pop() uint64 {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	for i := 0; ; {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && s[c+1] < s[c] {
			c++
		}
		if s[i] <= s[c] {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
	return top
}

// assemble sets val to M = A·diag(theta)·Aᵀ + diag(e), over the columns
// newNormal kept, e indexed by row.
func (f *normal) assemble(theta, e []float64) {
	clear(f.val)
	for j, t := range theta {
		if t == 0 {
			continue
		}
		for q := f.pairStart[j]; q < f.pairStart[j+1]; q++ {
			f.val[f.pairPos[q]] += t * f.pairVal[q]
		}
	}
	for i, v := range e {
		f.val[f.start[f.iperm[i]]] += v
	}
	for k := range f.diag {
		f.diag[k] = f.val[f.start[k]]
	}
}

// factor overwrites val with L, column by column (left-looking: column j
// takes the updates of the earlier columns with an entry in its row, found
// through linked lists as in George and Liu, "Computer solution of large
// sparse positive definite systems", 1981, §5.4). The lists hold
// supernodes, not columns: the columns of a supernode have the same rows
// from j down, so their updates to column j are summed in a dense vector
// (contiguous products, four columns at a time) and scattered into j once
// (Ng and Peyton, "Block sparse Cholesky algorithms on advanced
// uniprocessor computers", SIAM J. Sci. Comput. 14, 1993). On the
// planner's LPs most of the work is in a few large supernodes, the last
// one dense. A pivot that has become negligible against M's diagonal
// (rounding has eaten it: late in the barrier, the columns left inside
// make the row almost dependent on the others) is shifted to the row's
// diagonal, and the factor is of M + δ·eᵣ·eᵣᵀ, a preconditioner from
// which the barrier's conjugate gradients reach M's solution
// (ipm.solveNormal). Replaced by a huge value instead, the usual
// treatment, which sets that component of every solution to about zero,
// it broke the barrier's last steps on generated worlds (a max-min round
// whose floor fell from 0.0095 to 0 in one step, near the optimum).
// Beyond maxShifts a work space replaces them that way.
func (f *normal) factor() {
	// A row whose diagonal is nothing against the largest (its columns'
	// θ all tend to zero) is floored against the largest instead.
	big := 0.0
	for _, d := range f.diag {
		big = math.Max(big, d)
	}
	big *= 1e-8
	if f.split == nil {
		f.own.shifted = f.own.shifted[:0]
		emptyLists(f.own.head)
		if f.blocks == nil {
			for j := range f.m {
				f.column(j, &f.own, big)
			}
		} else {
			f.runColumns(f.blocks.all(f.m), &f.own, f.blocks, big)
		}
		f.shifted = append(f.shifted[:0], f.own.shifted...)
		return
	}
	f.factorSplit(big)
}

// column computes column j of L with the work space st; every column of
// an earlier supernode with an entry in row j must be done, and linked
// in st.head.
func (f *normal) column(j int, st *workSpace, big float64) {
	start, ind, val, w := f.start, f.ind, f.val, st.w
	head, nxt, rel := st.head, f.nxt, f.rel
	link := func(s int32, r int32) {
		nxt[s], head[r] = head[r], s
	}
	lo, hi := start[j], start[j+1]
	for p := lo; p < hi; p++ {
		w[ind[p]] = val[p]
	}
	for s := head[j]; s >= 0; {
		sn := nxt[s]
		k1 := int(f.snLo[s])
		k2 := min(int(f.snLo[s+1]), j) // the supernode's columns done
		base, end := start[k1]+rel[s], start[k1+1]
		rows := ind[base:end]
		if k2-k1 == 1 {
			vals := val[base:end:end]
			ljk := vals[0]
			for q, r := range rows {
				w[r] -= vals[q] * ljk
			}
		} else {
			acc := st.acc[:len(rows)]
			clear(acc)
			// Column k's place of row j is rel[s] − (k − k1) into it.
			at := func(k int) []float64 {
				p := start[k] + rel[s] - (k - k1)
				return val[p : p+len(acc)]
			}
			k := k1
			for ; k+4 <= k2; k += 4 {
				v0, v1, v2, v3 := at(k), at(k+1), at(k+2), at(k+3)
				axpy4(acc, v0, v1, v2, v3, v0[0], v1[0], v2[0], v3[0])
			}
			for ; k < k2; k++ {
				v := at(k)
				l := v[0]
				for q, a := range v {
					acc[q] += a * l
				}
			}
			for q, r := range rows {
				w[r] -= acc[q]
			}
		}
		rel[s]++
		if base+1 < end {
			link(s, ind[base+1])
		}
		s = sn
	}
	d := w[j]
	w[j] = 0
	ljj := f.pivot(j, d, st, big)
	val[lo] = ljj
	inv := 1 / ljj
	for p := lo + 1; p < hi; p++ {
		r := ind[p]
		val[p] = w[r] * inv
		w[r] = 0
	}
	// A supernode enters the lists with its first column; its later
	// columns join it where it already is.
	if s := f.sn[j]; int(f.snLo[s]) == j && lo+1 < hi {
		rel[s] = 1
		link(s, ind[lo+1])
	}
}

// pivot returns L(j, j) for the pivot d left after column j's updates: its
// square root, or, if rounding has eaten it (see factor), that of the
// row's diagonal shifted in (recorded in st) or of a replacement.
func (f *normal) pivot(j int, d float64, st *workSpace, big float64) float64 {
	if floor := pivotFloor * math.Max(f.diag[j], big); !(d > floor) {
		switch {
		case len(st.shifted) < maxShifts && !math.IsNaN(d):
			s := math.Max(f.diag[j], big)
			st.shifted = append(st.shifted, pivotShift{row: int(f.perm[j]), delta: s - d})
			d = s
		case d > 0:
			d = floor
		default:
			d = 1e128
		}
	}
	return math.Sqrt(d)
}

// emptyLists sets every list head to −1, no supernode.
func emptyLists(a []int32) {
	for i := range a {
		a[i] = -1
	}
}

// solve overwrites x (indexed by row) with M⁻¹x, M as factorised
// (trisolve.go).
func (f *normal) solve(x []float64) {
	b := f.b
	for k, v := range f.perm {
		b[k] = x[v]
	}
	f.solveFactor(b)
	for k, v := range f.perm {
		x[v] = b[k]
	}
}
