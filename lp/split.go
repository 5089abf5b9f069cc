package lp

import (
	"slices"
	"sync"
)

// The factor on two cores. Column j of L depends only on the columns
// below it in the elimination tree (j's descendants: the tree's parent of
// a column is the first row below its diagonal), so two subtrees that do
// not contain one another can be factorised at once. In nested
// dissection's order the tree branches where the separators do: on the
// region's essential stage, after a chain of 10% of the work, into two
// subtrees of 41% and 49%. Minimum degree's order leaves the work on one
// chain ("The barrier", docs/BENCHMARKS.md), and its factors stay on one
// core.

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
}

// planSplit finds two sets of whole subtrees of the elimination tree, of
// about equal work, by taking apart the heaviest subtree while it alone
// holds more than half of the work left (its root goes to the serial
// part) and then giving each subtree, heaviest first, to the lighter
// set. It leaves f.split nil when the serial part would hold half of the
// work or more, or the factor is small.
func (f *normal) planSplit() {
	m := f.m
	if f.flops() < splitAbove {
		return
	}
	parent := make([]int32, m)
	work := make([]float64, m) // the subtree's, by column
	kids := make([][]int32, m)
	var cands []int32 // roots of the subtrees to share
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
			cands = append(cands, int32(k))
		}
	}
	total := f.flops()
	serial := make([]bool, m)
	serialWork := 0.0
	for {
		left := 0.0
		h := 0
		for i, c := range cands {
			left += work[c]
			if work[c] > work[cands[h]] {
				h = i
			}
		}
		root := cands[h]
		if 2*work[root] <= left {
			break
		}
		own := work[root]
		for _, c := range kids[root] {
			own -= work[c]
		}
		serial[root] = true
		if serialWork += own; 2*serialWork >= total || len(kids[root]) == 0 {
			return
		}
		cands = append(slices.Delete(cands, h, h+1), kids[root]...)
	}
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
				f.runColumns(sp.cols[g], st, nil, big)
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
