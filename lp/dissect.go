package lp

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sync/atomic"
)

// Nested dissection (George, "Nested dissection of a regular finite
// element mesh", SIAM J. Numer. Anal. 10, 1973): split the graph of the
// normal matrix by a small set of nodes, the separator, order both halves
// first, each the same way, and the separator last. The fill of each half
// then stays inside it, and the factor's dense end is the top separator
// instead of the block minimum degree leaves when the graph is a mesh: on
// the planner's LPs of a region the sites are meshed through the cells
// around them, and the factor of the essential stage needs 9.2·10⁹
// multiplications in this order against 3.7·10¹⁰ in minimum degree's.
//
// Each separator is found as multilevel graph partitioners do (Karypis and
// Kumar, "A fast and high quality multilevel scheme for partitioning
// irregular graphs", SIAM J. Sci. Comput. 20, 1998): the graph is
// coarsened by heavy-edge matching, and nodes left alone by it matched
// with one another through a neighbour they share (coarsen); the coarsest
// is split in two by growing one half breadth-first from a few seeds and
// refining the cut by Fiduccia-Mattheyses moves, and the cut edges are
// covered by the fewest nodes (König's theorem, through a maximum
// matching of the cut's bipartite graph), the separator; that separator
// is carried back level by level and made lighter at each by moving its
// nodes into one half, then the other (refineSeparator). Parts of at most
// dissectLeaf nodes are ordered by minimum degree.

const (
	dissectLeaf  = 200   // parts this small are ordered by minimum degree
	coarsenTo    = 100   // coarsening stops at this many nodes
	dissectTries = 6     // separators computed per split of a large part; the smallest is kept
	triesAbove   = 10000 // a part is large above this many nodes
	growTries    = 6     // seeds tried for the coarsest split
	fmStall      = 64    // moves without a better cut before a pass ends
	fmPasses     = 6
	maxImbalance = 0.55 // the heavier half's share of the weight, at most
	twoHopsAbove = 0.1  // the share of nodes left alone by the matching beyond which two hops are tried
)

// wgraph is an undirected graph with weighted nodes and edges, in
// compressed rows: node v's neighbours are nbr[start[v]:start[v+1]].
type wgraph struct {
	start []int32
	nbr   []int32
	ew    []int32 // edge weights, by position in nbr
	vw    []int32 // node weights
}

func (g *wgraph) n() int { return len(g.vw) }

// dissect returns an elimination order of the graph adj (symmetric, without
// self loops) by nested dissection.
func dissect(adj [][]int32) []int32 {
	return dissectUntil(adj, nil)
}

// dissectUntil is dissect, given up (nil) once stop, if not nil, is set.
func dissectUntil(adj [][]int32, stop *atomic.Bool) []int32 {
	d := newDissector(adj, rand.NewPCG(1, 2))
	d.stop = stop
	d.part(d.all())
	if d.stopped() {
		return nil
	}
	return d.out
}

func (d *dissector) stopped() bool { return d.stop != nil && d.stop.Load() }

func newDissector(adj [][]int32, src rand.Source) *dissector {
	d := &dissector{adj: adj, local: make([]int32, len(adj)), rng: rand.New(src)}
	for i := range d.local {
		d.local[i] = -1
	}
	return d
}

// all lists the nodes of the whole graph.
func (d *dissector) all() []int32 {
	all := make([]int32, len(d.adj))
	for i := range all {
		all[i] = int32(i)
	}
	return all
}

type dissector struct {
	stop  *atomic.Bool // given up once set (dissectUntil)
	adj   [][]int32
	local []int32 // a node's index in the part being split, −1 outside it
	out   []int32
	rng   *rand.Rand
}

// induced returns the subgraph of d.adj on nodes, with unit weights.
func (d *dissector) induced(nodes []int32) *wgraph {
	for k, v := range nodes {
		d.local[v] = int32(k)
	}
	g := &wgraph{start: make([]int32, len(nodes)+1), vw: make([]int32, len(nodes))}
	for k, v := range nodes {
		g.vw[k] = 1
		for _, u := range d.adj[v] {
			if l := d.local[u]; l >= 0 {
				g.nbr = append(g.nbr, l)
			}
		}
		g.start[k+1] = int32(len(g.nbr))
	}
	g.ew = make([]int32, len(g.nbr))
	for i := range g.ew {
		g.ew[i] = 1
	}
	for _, v := range nodes {
		d.local[v] = -1
	}
	return g
}

// part appends an order of nodes to d.out: its connected components one
// after the other, each small one by minimum degree, each large one split.
func (d *dissector) part(nodes []int32) {
	if d.stopped() {
		return
	}
	g := d.induced(nodes)
	if len(nodes) <= dissectLeaf {
		d.leaf(nodes, g)
		return
	}
	comp := components(g)
	if ncomp := int(slices.Max(comp)) + 1; ncomp > 1 {
		groups := make([][]int32, ncomp)
		for k, c := range comp {
			groups[c] = append(groups[c], nodes[k])
		}
		for _, grp := range groups {
			d.part(grp)
		}
		return
	}
	var side []int8
	best := -1
	tries := 1
	if g.n() > triesAbove {
		tries = dissectTries
	}
	for range tries {
		s := d.separate(g)
		size := 0
		for _, x := range s {
			if x == 2 {
				size++
			}
		}
		if best < 0 || size < best {
			side, best = s, size
		}
	}
	var halves [2][]int32
	var sep []int32
	for k, s := range side {
		if s == 2 {
			sep = append(sep, nodes[k])
		} else {
			halves[s] = append(halves[s], nodes[k])
		}
	}
	if len(halves[0]) == 0 || len(halves[1]) == 0 {
		// No split worth the name (a near clique): minimum degree.
		d.leaf(nodes, g)
		return
	}
	d.part(halves[0])
	d.part(halves[1])
	d.out = append(d.out, sep...)
}

// leaf orders nodes, whose induced graph is g, by minimum degree.
func (d *dissector) leaf(nodes []int32, g *wgraph) {
	adj := make([][]int32, g.n())
	for v := range adj {
		adj[v] = slices.Clone(g.nbr[g.start[v]:g.start[v+1]])
	}
	var f normal
	f.order(adj, 0, nil)
	for _, v := range f.perm {
		d.out = append(d.out, nodes[v])
	}
}

// components labels the connected components of g 0, 1, ...
func components(g *wgraph) []int32 {
	comp := make([]int32, g.n())
	for i := range comp {
		comp[i] = -1
	}
	var queue []int32
	c := int32(0)
	for s := range comp {
		if comp[s] >= 0 {
			continue
		}
		comp[s] = c
		queue = append(queue[:0], int32(s))
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			for _, u := range g.nbr[g.start[v]:g.start[v+1]] {
				if comp[u] < 0 {
					comp[u] = c
					queue = append(queue, u)
				}
			}
		}
		c++
	}
	return comp
}

// separate splits the connected graph g: 0 and 1 for the halves, 2 for the
// separator.
func (d *dissector) separate(g *wgraph) []int8 {
	levels := []*wgraph{g}
	var maps [][]int32
	for c := g; c.n() > coarsenTo; {
		cmap, coarse := d.coarsen(c)
		if coarse.n() > c.n()*19/20 {
			break
		}
		levels, maps = append(levels, coarse), append(maps, cmap)
		c = coarse
	}
	side := cover(levels[len(levels)-1], d.grow(levels[len(levels)-1]))
	for l := len(levels) - 1; ; l-- {
		refineSeparator(levels[l], side)
		if l == 0 {
			return side
		}
		fine := make([]int8, levels[l-1].n())
		for v, c := range maps[l-1] {
			fine[v] = side[c]
		}
		side = fine
	}
}

// refineSeparator moves nodes out of the separator (side 2) of g, in the
// manner of Fiduccia and Mattheyses: a separator node moved into half s
// pulls its neighbours in the other half into the separator, and gains
// its weight less theirs. Each pass moves nodes into one half only, the
// lighter first and then each in turn (METIS's one-sided refinement):
// one at a time, the node of the best gain while that half stays within
// maxImbalance, locked once moved; in the end the pass keeps its moves up
// to the lightest separator seen. Refinement stops after two passes in a
// row, one into each half, that find no lighter separator. Moving into
// either half at each step, the better of the two, made the factors of
// the region's stages 4 to 13% larger, and of the 300,000-member world's
// 4 to 44%.
func refineSeparator(g *wgraph, side []int8) {
	n := g.n()
	var pw [3]int64
	total, maxVW := int64(0), int64(0)
	for v, w := range g.vw {
		pw[side[v]] += int64(w)
		total += int64(w)
		maxVW = max(maxVW, int64(w))
	}
	limit := max(int64(maxImbalance*float64(total-pw[2])), (total-pw[2]+1)/2+maxVW)
	locked := make([]bool, n)
	// gainInto(v, s): v's weight less its neighbours' in the other half.
	gainInto := func(v int32, s int8) int64 {
		gn := int64(g.vw[v])
		for _, u := range g.nbr[g.start[v]:g.start[v+1]] {
			if side[u] == 1-s {
				gn -= int64(g.vw[u])
			}
		}
		return gn
	}
	type change struct {
		v    int32
		from int8
	}
	var log []change
	to := int8(0) // the half the last pass moved into: the heavier at first
	if pw[0] < pw[1] {
		to = 1
	}
	idle := 0 // passes in a row without a lighter separator
	for range 2 * fmPasses {
		to = 1 - to
		from := 1 - to
		var heap gainHeap
		clear(locked)
		for v := range n {
			if side[v] == 2 {
				heap.push(gainItem{gainInto(int32(v), to), int32(v)})
			}
		}
		log = log[:0]
		best, bestAt, moves := pw[2], 0, 0
		for moves-bestAt < fmStall {
			for len(heap) > 0 {
				it := heap[0]
				if locked[it.v] || side[it.v] != 2 || it.gain != gainInto(it.v, to) {
					heap.pop()
					continue
				}
				break
			}
			if len(heap) == 0 || pw[to]+int64(g.vw[heap[0].v]) > limit {
				break
			}
			v := heap.pop().v
			side[v], locked[v] = to, true
			log = append(log, change{v, 2})
			pw[2] -= int64(g.vw[v])
			pw[to] += int64(g.vw[v])
			moves++
			for _, u := range g.nbr[g.start[v]:g.start[v+1]] {
				if side[u] != from {
					continue
				}
				side[u] = 2
				log = append(log, change{u, from})
				pw[from] -= int64(g.vw[u])
				pw[2] += int64(g.vw[u])
				heap.push(gainItem{gainInto(u, to), u})
				for _, w := range g.nbr[g.start[u]:g.start[u+1]] {
					if side[w] == 2 && !locked[w] {
						heap.push(gainItem{gainInto(w, to), w})
					}
				}
			}
			if pw[2] < best {
				best, bestAt = pw[2], moves
			}
		}
		// Undo the moves after the best, the last first.
		for moves > bestAt {
			c := log[len(log)-1]
			log = log[:len(log)-1]
			pw[side[c.v]] -= int64(g.vw[c.v])
			pw[c.from] += int64(g.vw[c.v])
			if c.from == 2 {
				moves--
			}
			side[c.v] = c.from
		}
		if bestAt > 0 {
			idle = 0
		} else if idle++; idle == 2 {
			return
		}
	}
}

// coarsen matches each node with its unmatched neighbour over the
// heaviest edge, in random order, and returns the map from g's nodes to
// the coarse graph's and the coarse graph, whose weights are sums.
func (d *dissector) coarsen(g *wgraph) ([]int32, *wgraph) {
	n := g.n()
	total := int32(0)
	for _, w := range g.vw {
		total += w
	}
	limit := max(1, 3*total/(2*coarsenTo)) // no coarse node heavier
	match := make([]int32, n)
	for i := range match {
		match[i] = -1
	}
	for _, v := range d.rng.Perm(n) {
		if match[v] >= 0 {
			continue
		}
		best, bw := int32(v), int32(-1)
		for k := g.start[v]; k < g.start[v+1]; k++ {
			u := g.nbr[k]
			if match[u] < 0 && u != int32(v) && g.ew[k] > bw && g.vw[v]+g.vw[u] <= limit {
				best, bw = u, g.ew[k]
			}
		}
		match[v], match[best] = best, int32(v)
	}
	d.twoHops(g, match, limit)
	cmap := make([]int32, n)
	cn := int32(0)
	for v := range n {
		if u := match[v]; int32(v) <= u {
			cmap[v], cmap[u] = cn, cn
			cn++
		}
	}
	c := &wgraph{start: make([]int32, cn+1), vw: make([]int32, cn)}
	pos := make([]int32, cn) // where a neighbour sits in the coarse node's list, −1 if not yet
	for i := range pos {
		pos[i] = -1
	}
	for v := range n {
		u := match[v]
		if int32(v) > u {
			continue
		}
		cv := cmap[v]
		first := int32(len(c.nbr))
		members := []int32{int32(v), u}
		if u == int32(v) {
			members = members[:1]
		}
		for _, x := range members {
			c.vw[cv] += g.vw[x]
			for k := g.start[x]; k < g.start[x+1]; k++ {
				cu := cmap[g.nbr[k]]
				if cu == cv {
					continue
				}
				if p := pos[cu]; p >= 0 {
					c.ew[p] += g.ew[k]
				} else {
					pos[cu] = int32(len(c.nbr))
					c.nbr = append(c.nbr, cu)
					c.ew = append(c.ew, g.ew[k])
				}
			}
		}
		for _, cu := range c.nbr[first:] {
			pos[cu] = -1
		}
		c.start[cv+1] = int32(len(c.nbr))
	}
	return cmap, c
}

// twoHops matches nodes left alone by the heavy-edge matching (match[v] ==
// v) with one another, two hops apart, when more than twoHopsAbove of g's
// nodes are left, in METIS's sequence (Karypis, METIS 5's Match_2Hop):
// nodes of one or two neighbours that share one; then nodes whose
// neighbours are the same (of at most 64); and, while many are still
// left, nodes of three neighbours, then any. In the normal matrix of a
// planner's LP many small rows (a need's delivery, a labour pool) hang on
// a few large ones (a site's balance of a product); once those are
// matched, the small ones had no one left, heavy-edge matching alone
// shrank the region's graphs by a tenth a level and stopped at 11,000
// nodes instead of 100, and a split grown from a seed on that found poor
// separators. Matching any two small rows at once, most alike or not,
// made the essential stages' factors worse (1.05·10¹⁰ multiplications
// instead of 9.2·10⁹ on the region's).
func (d *dissector) twoHops(g *wgraph, match []int32, limit int32) {
	n := g.n()
	left := func() int {
		c := 0
		for v := range n {
			if match[v] == int32(v) {
				c++
			}
		}
		return c
	}
	if float64(left()) <= twoHopsAbove*float64(n) {
		return
	}
	deg := func(v int32) int32 { return g.start[v+1] - g.start[v] }
	// shared pairs the nodes left of at most maxDeg neighbours that
	// hang on the same node, two by two.
	shared := func(maxDeg int32) {
		for u := range n {
			pending := int32(-1) // a neighbour of u left alone, waiting for another
			for _, x := range g.nbr[g.start[u]:g.start[u+1]] {
				if match[x] != x || deg(x) > maxDeg {
					continue
				}
				if pending >= 0 && g.vw[pending]+g.vw[x] <= limit {
					match[pending], match[x] = x, pending
					pending = -1
				} else {
					pending = x
				}
			}
		}
	}
	// alike pairs the nodes left, of 2 to 64 neighbours, whose
	// neighbours are the same: by a sum of their ids first, then
	// compared.
	alike := func() {
		type keyed struct {
			key uint64
			v   int32
		}
		var cand []keyed
		for v := range int32(n) {
			if match[v] != v || deg(v) < 2 || deg(v) > 64 {
				continue
			}
			k := uint64(0)
			for _, u := range g.nbr[g.start[v]:g.start[v+1]] {
				k += uint64(u)
			}
			cand = append(cand, keyed{k, v})
		}
		slices.SortFunc(cand, func(a, b keyed) int {
			if c := cmp.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.v, b.v)
		})
		var sa, sb []int32
		same := func(a, b int32) bool {
			if deg(a) != deg(b) {
				return false
			}
			sa = append(sa[:0], g.nbr[g.start[a]:g.start[a+1]]...)
			sb = append(sb[:0], g.nbr[g.start[b]:g.start[b+1]]...)
			slices.Sort(sa)
			slices.Sort(sb)
			return slices.Equal(sa, sb)
		}
		for i, c := range cand {
			a := c.v
			if match[a] != a {
				continue
			}
			for _, o := range cand[i+1:] {
				if o.key != c.key {
					break
				}
				if b := o.v; match[b] == b && g.vw[a]+g.vw[b] <= limit && same(a, b) {
					match[a], match[b] = b, a
					break
				}
			}
		}
	}
	shared(2)
	alike()
	if float64(left()) > 1.5*twoHopsAbove*float64(n) {
		shared(3)
	}
	if float64(left()) > 2*twoHopsAbove*float64(n) {
		shared(int32(n))
	}
}

// grow splits the small graph g in two: half its weight reached
// breadth-first from a seed, refined; the smallest cut of a few seeds.
func (d *dissector) grow(g *wgraph) []int8 {
	n := g.n()
	total := int64(0)
	for _, w := range g.vw {
		total += int64(w)
	}
	var best []int8
	bestCut := int64(-1)
	for range growTries {
		side := make([]int8, n)
		for i := range side {
			side[i] = 1
		}
		seed := int32(d.rng.IntN(n))
		side[seed] = 0
		queue := []int32{seed}
		w := int64(g.vw[seed])
		for len(queue) > 0 && 2*w < total {
			v := queue[0]
			queue = queue[1:]
			for _, u := range g.nbr[g.start[v]:g.start[v+1]] {
				if side[u] == 1 && 2*w < total {
					side[u] = 0
					w += int64(g.vw[u])
					queue = append(queue, u)
				}
			}
		}
		refine(g, side)
		if c := cut(g, side); bestCut < 0 || c < bestCut {
			best, bestCut = side, c
		}
	}
	return best
}

func cut(g *wgraph, side []int8) int64 {
	c := int64(0)
	for v := range g.n() {
		for k := g.start[v]; k < g.start[v+1]; k++ {
			if side[g.nbr[k]] != side[v] {
				c += int64(g.ew[k])
			}
		}
	}
	return c / 2
}

// refine moves nodes between the halves of side (Fiduccia and Mattheyses,
// "A linear-time heuristic for improving network partitions", 1982): each
// pass moves, one at a time, the node whose move lowers the cut most,
// from the heavier half or either while both stay within maxImbalance,
// locks it, and in the end keeps the moves up to the least cut seen.
func refine(g *wgraph, side []int8) {
	n := g.n()
	var pw [2]int64
	total := int64(0)
	maxVW := int64(0)
	for v, w := range g.vw {
		pw[side[v]] += int64(w)
		total += int64(w)
		maxVW = max(maxVW, int64(w))
	}
	limit := max(int64(maxImbalance*float64(total)), (total+1)/2+maxVW)
	gain := make([]int64, n)
	locked := make([]bool, n)
	var moved []int32
	for range fmPasses {
		var heaps [2]gainHeap
		for v := range n {
			locked[v] = false
			gain[v] = 0
			boundary := false
			for k := g.start[v]; k < g.start[v+1]; k++ {
				if side[g.nbr[k]] != side[v] {
					gain[v] += int64(g.ew[k])
					boundary = true
				} else {
					gain[v] -= int64(g.ew[k])
				}
			}
			if boundary {
				heaps[side[v]].push(gainItem{gain[v], int32(v)})
			}
		}
		moved = moved[:0]
		delta, bestDelta, bestAt := int64(0), int64(0), 0
		// A pass that starts out of balance counts any move toward it.
		balanced := pw[0] <= limit && pw[1] <= limit
		for len(moved)-bestAt < fmStall {
			from := -1
			for s := range 2 {
				h := &heaps[s]
				for len(*h) > 0 {
					top := (*h)[0]
					if locked[top.v] || side[top.v] != int8(s) || gain[top.v] != top.gain {
						h.pop()
						continue
					}
					break
				}
			}
			for s := range 2 {
				if len(heaps[s]) == 0 || pw[1-s]+int64(g.vw[heaps[s][0].v]) > limit && pw[s] <= limit {
					continue
				}
				if from < 0 || heaps[s][0].gain > heaps[from][0].gain || pw[s] > limit {
					from = s
				}
			}
			if from < 0 {
				break
			}
			v := heaps[from].pop().v
			to := int8(1 - from)
			side[v], locked[v] = to, true
			pw[from] -= int64(g.vw[v])
			pw[to] += int64(g.vw[v])
			delta -= gain[v]
			moved = append(moved, v)
			for k := g.start[v]; k < g.start[v+1]; k++ {
				u, w := g.nbr[k], int64(g.ew[k])
				if side[u] == to {
					gain[u] -= 2 * w
				} else {
					gain[u] += 2 * w
				}
				if !locked[u] {
					heaps[side[u]].push(gainItem{gain[u], u})
				}
			}
			nowBalanced := pw[0] <= limit && pw[1] <= limit
			if nowBalanced && (delta < bestDelta || !balanced) {
				bestDelta, bestAt, balanced = delta, len(moved), true
			}
		}
		for _, v := range slices.Backward(moved[bestAt:]) {
			s := side[v]
			side[v] = 1 - s
			pw[s] -= int64(g.vw[v])
			pw[1-s] += int64(g.vw[v])
		}
		if bestAt == 0 {
			break
		}
	}
}

type gainItem struct {
	gain int64
	v    int32
}

// gainHeap is a max-heap by gain; stale items are skipped when popped.
type gainHeap []gainItem

func (h *gainHeap) push(it gainItem) {
	*h = append(*h, it)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if s[p].gain >= s[i].gain {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *gainHeap) pop() gainItem {
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
		if c+1 < n && s[c+1].gain > s[c].gain {
			c++
		}
		if s[i].gain >= s[c].gain {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
	return top
}

// cover turns the edge split side of g into a node separator: the fewest
// nodes that touch every cut edge, found from a maximum matching of the
// cut's bipartite graph (König), marked 2. It counts nodes, not their
// weights: on the coarsest graph, where it is used, refineSeparator then
// makes the separator lighter.
func cover(g *wgraph, side []int8) []int8 {
	n := g.n()
	mate := make([]int32, n)
	for i := range mate {
		mate[i] = -1
	}
	var left []int32 // the cut's nodes in half 0
	for v := range n {
		if side[v] != 0 {
			continue
		}
		for _, u := range g.nbr[g.start[v]:g.start[v+1]] {
			if side[u] == 1 {
				left = append(left, int32(v))
				break
			}
		}
	}
	// Greedy matching first, then augmenting paths (Kuhn) by depth-first
	// search, iteratively, from each left node still free.
	for _, v := range left {
		for _, u := range g.nbr[g.start[v]:g.start[v+1]] {
			if side[u] == 1 && mate[u] < 0 {
				mate[v], mate[u] = u, v
				break
			}
		}
	}
	visit := make([]int32, n) // the search that last reached a right node
	for i := range visit {
		visit[i] = -1
	}
	type frame struct{ v, k int32 }
	var stack []frame
	for s, root := range left {
		if mate[root] >= 0 {
			continue
		}
		stack = append(stack[:0], frame{root, g.start[root]})
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			v := top.v
			if top.k == g.start[v+1] {
				stack = stack[:len(stack)-1]
				continue
			}
			u := g.nbr[top.k]
			top.k++
			if side[u] != 1 || visit[u] == int32(s) {
				continue
			}
			visit[u] = int32(s)
			if w := mate[u]; w >= 0 {
				stack = append(stack, frame{w, g.start[w]})
				continue
			}
			// An augmenting path: flip it along the stack.
			for i := len(stack) - 1; i >= 0; i-- {
				x := stack[i].v
				next := mate[x]
				mate[x], mate[u] = u, x
				u = next
			}
			stack = stack[:0]
		}
	}
	// König: Z is what alternating paths reach from the free left nodes;
	// the cover is the left nodes outside Z and the right nodes in Z.
	inZ := make([]bool, n)
	var queue []int32
	for _, v := range left {
		if mate[v] < 0 {
			inZ[v] = true
			queue = append(queue, v)
		}
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, u := range g.nbr[g.start[v]:g.start[v+1]] {
			if side[u] != 1 || inZ[u] || mate[v] == u {
				continue
			}
			inZ[u] = true
			if w := mate[u]; w >= 0 && !inZ[w] {
				inZ[w] = true
				queue = append(queue, w)
			}
		}
	}
	out := slices.Clone(side)
	for _, v := range left {
		if !inZ[v] {
			out[v] = 2
		}
	}
	for v := range n {
		if side[v] == 1 && inZ[v] {
			out[v] = 2
		}
	}
	return out
}

// symbolic returns, for each node of adj, the later nodes in its column
// of L when the nodes are eliminated in the order perm: the nodes of its
// neighbours' and of its children's columns in the elimination tree
// (Liu, "The role of elimination trees in sparse factorization", SIAM J.
// Matrix Anal. Appl. 11, 1990), each child's column read once.
func symbolic(adj [][]int32, perm []int32) [][]int32 {
	m := len(adj)
	iperm := make([]int32, m)
	for k, v := range perm {
		iperm[v] = int32(k)
	}
	head, next, mark := make([]int32, m), make([]int32, m), make([]int32, m)
	for i := range head {
		head[i], next[i], mark[i] = -1, -1, -1
	}
	pos := make([][]int32, m) // by elimination position, in positions
	for k := range m {
		mark[k] = int32(k)
		var col []int32
		add := func(p int32) {
			if p > int32(k) && mark[p] != int32(k) {
				mark[p] = int32(k)
				col = append(col, p)
			}
		}
		for _, u := range adj[perm[k]] {
			add(iperm[u])
		}
		for c := head[k]; c >= 0; c = next[c] {
			for _, p := range pos[c] {
				add(p)
			}
		}
		if len(col) > 0 {
			parent := slices.Min(col)
			next[k], head[parent] = head[parent], int32(k)
		}
		pos[k] = col
	}
	cols := make([][]int32, m)
	for k, col := range pos {
		for i, p := range col {
			col[i] = perm[p]
		}
		cols[perm[k]] = col
	}
	return cols
}
