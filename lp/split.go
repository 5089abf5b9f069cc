package lp

import (
	"container/heap"
	"slices"
	"sync"
)

// The factor on two cores. Column j of L depends only on the columns
// below it in the elimination tree (j's descendants: the tree's parent of
// a column is the first row below its diagonal), so two subtrees that do
// not contain one another can be factorised at once. In nested
// dissection's order the tree branches where the separators do: on the
// region's essential stage, after a chain of 10% of the work, into two
// subtrees of 41% and 49% (as their columns count it; counted where the
// updates land, the chain does 70%, block.go). Minimum degree's order
// leaves the work on one chain ("The barrier", docs/BENCHMARKS.md), and
// its factors are rarely split.

// splitAbove is the factorisation, in multiplications, below which the
// factor stays on one core: a goroutine's start is not worth it.
var splitAbove = 1e8 // the tests change it

// split says which columns each of the two goroutines factorises (in
// increasing order: a column's descendants come before it) and which
// remain for the serial part after both, the ancestors of theirs.
type split struct {
	cols   [2][]int32
	serial []int32
	spaces [2]workSpace
	blocks [2]*blockSpace // each goroutine's, for the blocks of its subtrees
}

// planSplit finds two sets of whole subtrees of the elimination tree, of
// about equal work, by taking apart the heaviest subtree while it alone
// holds more than half of the work left (its root goes to the serial
// part) and then giving each subtree, heaviest first, to the lighter
// set. It leaves f.split nil when the factor is small, or when the
// heaviest subtree can be taken apart down to a leaf (the tree is one
// chain). However much the serial part then holds, its wide supernodes
// are computed on both cores (block.go), so the split is worth making:
// on the region's basic round, where the serial part holds more than
// half of the work, the factor took 9.3 to 9.9 s without a split and 8.1
// to 8.4 s with it column by column, 6.7 to 7.2 s and 5.5 to 5.8 s with
// blocks (docs/BENCHMARKS.md, "The factor's top on two cores").
func (f *normal) planSplit() {
	m := f.m
	if f.flops() < splitAbove {
		return
	}
	parent := make([]int32, m)
	work := make([]float64, m) // the subtree's, by column
	kids := make([][]int32, m)
	var heaviest candidates // roots of the subtrees to share
	for k := range m {
		c := float64(f.start[k+1] - f.start[k])
		work[k] += c * c
		parent[k] = -1
		if f.start[k]+1 < f.start[k+1] {
			p := f.ind[f.start[k]+1]
			parent[k] = p
			work[p] += work[k]
			kids[p] = append(kids[p], int32(k))
		} else {
			heaviest.roots = append(heaviest.roots, int32(k))
		}
	}
	heaviest.work = work
	heap.Init(&heaviest)
	left := 0.0 // the work of the candidates
	for _, c := range heaviest.roots {
		left += work[c]
	}
	serial := make([]bool, m)
	for {
		root := heaviest.roots[0]
		if 2*work[root] <= left {
			break
		}
		if len(kids[root]) == 0 {
			return
		}
		heap.Pop(&heaviest)
		serial[root] = true
		left -= work[root]
		for _, c := range kids[root] {
			heap.Push(&heaviest, c)
			left += work[c]
		}
	}
	cands := heaviest.roots
	slices.SortFunc(cands, func(a, b int32) int {
		switch {
		case work[a] > work[b]:
			return -1
		case work[a] < work[b]:
			return 1
		}
		return 0
	})
	owner := make([]int8, m) // 0, 1, or −1 for the serial part
	var load [2]float64
	for _, c := range cands {
		b := 0
		if load[1] < load[0] {
			b = 1
		}
		load[b] += work[c]
		owner[c] = int8(b) + 1
	}
	sp := &split{}
	for k := m - 1; k >= 0; k-- {
		switch {
		case serial[k]:
			owner[k] = -1
		case owner[k] == 0:
			owner[k] = owner[parent[k]] // the parent is later, set already
		}
	}
	for k := range m {
		if o := owner[k]; o > 0 {
			sp.cols[o-1] = append(sp.cols[o-1], int32(k))
		} else {
			sp.serial = append(sp.serial, int32(k))
		}
	}
	sp.spaces = [2]workSpace{newWorkSpace(m), newWorkSpace(m)}
	sp.blocks = [2]*blockSpace{newBlockSpace(m, 1), newBlockSpace(m, 1)}
	f.split = sp
}

// factorSplit is factor on two cores: each goroutine factorises its
// subtrees with its own work space (their updates to the serial part's
// rows wait in its own lists), and the serial part follows with both
// lists joined.
func (f *normal) factorSplit(big float64) {
	sp := f.split
	var wg sync.WaitGroup
	var failed caught
	for g := range 2 {
		st := &sp.spaces[g]
		st.shifted = st.shifted[:0]
		emptyLists(st.head)
		wg.Go(func() {
			failed.run(func() {
				f.runColumns(sp.cols[g], st, sp.blocks[g], big)
			})
		})
	}
	wg.Wait()
	failed.rethrow()
	// Join the lists of the serial rows: the second's after the first's.
	head0, head1, nxt := sp.spaces[0].head, sp.spaces[1].head, f.nxt
	st := &f.own
	st.shifted = st.shifted[:0]
	emptyLists(st.head)
	for _, r := range sp.serial {
		h := head0[r]
		if h < 0 {
			st.head[r] = head1[r]
			continue
		}
		st.head[r] = h
		for nxt[h] >= 0 {
			h = nxt[h]
		}
		nxt[h] = head1[r]
	}
	f.runColumns(sp.serial, st, f.blocks, big)
	f.shifted = append(append(append(f.shifted[:0], sp.spaces[0].shifted...), sp.spaces[1].shifted...), st.shifted...)
}

// candidates are roots of subtrees, in a heap heaviest first
// (container/heap).
type candidates struct {
	roots []int32
	work  []float64 // by column, its subtree's
}

func (c *candidates) Len() int           { return len(c.roots) }
func (c *candidates) Less(i, j int) bool { return c.work[c.roots[i]] > c.work[c.roots[j]] }
func (c *candidates) Swap(i, j int)      { c.roots[i], c.roots[j] = c.roots[j], c.roots[i] }
func (c *candidates) Push(x any)         { c.roots = append(c.roots, x.(int32)) }
func (c *candidates) Pop() any {
	n := len(c.roots) - 1
	x := c.roots[n]
	c.roots = c.roots[:n]
	return x
}
