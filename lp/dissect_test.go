package lp

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// grid is the graph of a k×k mesh, each node joined to the four beside it.
func grid(k int) [][]int32 {
	adj := make([][]int32, k*k)
	for r := range k {
		for c := range k {
			v := r*k + c
			for _, d := range [][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				if rr, cc := r+d[0], c+d[1]; rr >= 0 && rr < k && cc >= 0 && cc < k {
					adj[v] = append(adj[v], int32(rr*k+cc))
				}
			}
		}
	}
	return adj
}

// geometric is the graph of n random points in the unit square, each
// joined to those within radius, like sites joined to the sites near them.
func geometric(r *rand.Rand, n int, radius float64) [][]int32 {
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i], ys[i] = r.Float64(), r.Float64()
	}
	adj := make([][]int32, n)
	for i := range n {
		for j := i + 1; j < n; j++ {
			if dx, dy := xs[i]-xs[j], ys[i]-ys[j]; dx*dx+dy*dy < radius*radius {
				adj[i] = append(adj[i], int32(j))
				adj[j] = append(adj[j], int32(i))
			}
		}
	}
	return adj
}

// union is the graph of a and b side by side, b's nodes after a's.
func union(a, b [][]int32) [][]int32 {
	adj := cloneAdj(a)
	for _, nb := range b {
		shifted := make([]int32, len(nb))
		for k, u := range nb {
			shifted[k] = u + int32(len(a))
		}
		adj = append(adj, shifted)
	}
	return adj
}

func cloneAdj(adj [][]int32) [][]int32 {
	c := make([][]int32, len(adj))
	for i, nb := range adj {
		c[i] = slices.Clone(nb)
	}
	return c
}

// eliminate returns L's pattern for the order perm by eliminating the
// nodes one by one in an explicit graph: each node's later neighbours,
// which then become a clique.
func eliminate(adj [][]int32, perm []int32) [][]int32 {
	nb := make([]map[int32]bool, len(adj))
	for v, list := range adj {
		nb[v] = map[int32]bool{}
		for _, u := range list {
			nb[v][u] = true
		}
	}
	cols := make([][]int32, len(adj))
	done := make([]bool, len(adj))
	for _, v := range perm {
		for u := range nb[v] {
			if !done[u] {
				cols[v] = append(cols[v], u)
			}
		}
		for _, a := range cols[v] {
			for _, b := range cols[v] {
				if a != b {
					nb[a][b] = true
				}
			}
		}
		done[v] = true
	}
	return cols
}

func samePattern(t *testing.T, name string, got, want [][]int32) {
	t.Helper()
	for v := range want {
		g, w := slices.Sorted(slices.Values(got[v])), slices.Sorted(slices.Values(want[v]))
		if !slices.Equal(g, w) {
			t.Fatalf("%s: column of node %d is %v, want %v", name, v, g, w)
		}
	}
}

// TestDissect: nested dissection orders every node once; symbolic gives
// the pattern that eliminating the nodes in that order makes, as it does
// for minimum degree's order; and on meshes, where it is meant to, it
// needs fewer multiplications than minimum degree.
func TestDissect(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	small := map[string][][]int32{
		"grid 25×25":   grid(25),
		"geometric":    geometric(r, 700, 0.07),
		"disconnected": union(grid(15), geometric(r, 300, 0.1)),
	}
	for name, adj := range small {
		perm := dissect(cloneAdj(adj))
		got := slices.Sorted(slices.Values(perm))
		for i, v := range got {
			if v != int32(i) || len(got) != len(adj) {
				t.Fatalf("%s: the order is not a permutation of the %d nodes", name, len(adj))
			}
		}
		samePattern(t, name+", nested dissection", symbolic(adj, perm), eliminate(adj, perm))
		var f normal
		cols := f.order(cloneAdj(adj), 0, nil)
		samePattern(t, name+", minimum degree", symbolic(adj, f.perm), cols)
	}
	for name, adj := range map[string][][]int32{"grid 150×150": grid(150), "geometric": geometric(r, 12000, 0.02)} {
		nd := patternFlops(symbolic(adj, dissect(cloneAdj(adj))))
		var f normal
		md := patternFlops(f.order(cloneAdj(adj), 0, nil))
		if nd >= md {
			t.Errorf("%s: nested dissection needs %.4g multiplications, minimum degree %.4g", name, nd, md)
		}
		t.Logf("%s: nested dissection %.4g multiplications, minimum degree %.4g", name, nd, md)
	}
}

// hubs is a k×k mesh of hubs, the large rows of a planner's normal
// matrix (a site's balance of a product), with small rows hanging on
// them, as needs' deliveries and labour pools do: on each hub leaves
// of one neighbour, and between each hub and the next in its row
// nodes of two, and around each square of four hubs nodes joined to
// all four, whose neighbours are the same.
func hubs(k, leaves, pairs, quads int) [][]int32 {
	adj := grid(k)
	join := func(v int32, nb ...int32) {
		for _, u := range nb {
			adj[v] = append(adj[v], u)
			adj[u] = append(adj[u], v)
		}
	}
	node := func() int32 {
		adj = append(adj, nil)
		return int32(len(adj) - 1)
	}
	for r := range k {
		for c := range k {
			h := int32(r*k + c)
			for range leaves {
				join(node(), h)
			}
			if c+1 < k {
				for range pairs {
					join(node(), h, h+1)
				}
			}
			if r+1 < k && c+1 < k {
				for range quads {
					join(node(), h, h+1, h+int32(k), h+int32(k)+1)
				}
			}
		}
	}
	return adj
}

// TestCoarsenTwoHops: on a graph where most nodes hang on a few, one
// level of coarsening halves it, about, as it does a mesh: the small
// nodes are matched two hops apart, and those whose neighbours are the
// same with one another. Heavy-edge matching alone matches each hub with
// one of its small nodes and leaves the rest.
func TestCoarsenTwoHops(t *testing.T) {
	adj := hubs(20, 6, 4, 4)
	d := newDissector(adj, rand.NewPCG(1, 2))
	g := d.induced(d.all())
	cmap, coarse := d.coarsen(g)
	if coarse.n() > g.n()*6/10 {
		t.Errorf("one level of coarsening left %d of %d nodes", coarse.n(), g.n())
	}
	// The nodes around a square of hubs are paired among themselves.
	k := int32(20)
	members := map[int32][]int32{}
	for v, c := range cmap {
		members[c] = append(members[c], int32(v))
	}
	quadsPaired, quads := 0, 0
	for v := k * k; v < int32(len(adj)); v++ {
		if len(adj[v]) != 4 {
			continue
		}
		quads++
		for _, u := range members[cmap[v]] {
			if u != v && slices.Equal(slices.Sorted(slices.Values(adj[u])), slices.Sorted(slices.Values(adj[v]))) {
				quadsPaired++
			}
		}
	}
	if quadsPaired < quads*8/10 {
		t.Errorf("%d of %d nodes around a square of hubs are paired with one alike", quadsPaired, quads)
	}
	t.Logf("%d nodes coarsened to %d; %d of %d alike nodes paired", g.n(), coarse.n(), quadsPaired, quads)
}

// TestSeparatorRefined: the separators found on a mesh, refined one
// half at a time, separate (no edge joins the halves), keep the halves
// within maxImbalance, and are no more than twice the mesh's side, the
// straight cut.
func TestSeparatorRefined(t *testing.T) {
	for _, adj := range [][][]int32{grid(60), hubs(30, 4, 2, 2)} {
		d := newDissector(adj, rand.NewPCG(5, 6))
		g := d.induced(d.all())
		side := d.separate(g)
		var count [3]int
		for v, s := range side {
			count[s]++
			for _, u := range g.nbr[g.start[v]:g.start[v+1]] {
				if s < 2 && side[u] == 1-s {
					t.Fatalf("%d nodes: nodes %d and %d are joined across the separator", len(adj), v, u)
				}
			}
		}
		if h := max(count[0], count[1]); float64(h) > maxImbalance*float64(count[0]+count[1])+1 {
			t.Errorf("%d nodes: halves of %d and %d", len(adj), count[0], count[1])
		}
		if count[2] > 120 {
			t.Errorf("%d nodes: a separator of %d", len(adj), count[2])
		}
		t.Logf("%d nodes: halves of %d and %d, separator %d", len(adj), count[0], count[1], count[2])
	}
}

// TestOrderBetterOfBoth: where minimum degree needs more than
// dissectAbove, the rows are ordered by whichever of nested dissection
// and minimum degree needs fewer multiplications: minimum degree on a
// random transport network, which has no small separators (nested
// dissection alone needed 8.1·10⁹ there, four times more), nested
// dissection on a mesh.
func TestOrderBetterOfBoth(t *testing.T) {
	keep := dissectAbove
	defer func() { dissectAbove = keep }()
	none := func(int) bool { return false }
	mesh := emptyModel(150*150, 2*150*149)
	j := 0
	for v, nb := range grid(150) {
		for _, u := range nb {
			if int(u) > v {
				mesh.Set(v, j, 1)
				mesh.Set(int(u), j, -1)
				j++
			}
		}
	}
	q, _, _ := newPresolver(transportModel(3000, 2000, 8, 7)).reduced()
	for _, c := range []struct {
		name  string
		a     *CSC
		above float64
	}{{"transport", q.a, keep}, {"mesh", mesh.Matrix(), 1}} {
		dissectAbove = c.above
		md := newNormal(c.a, none, 0, false).ordered
		got := newNormal(c.a, none, 0, true).ordered
		nd := patternFlops(symbolic(normalGraph(c.a, none), dissect(normalGraph(c.a, none))))
		if got > md || got > 1.05*nd {
			t.Errorf("%s: the order needs %.4g multiplications; minimum degree %.4g, nested dissection %.4g", c.name, got, md, nd)
		}
		t.Logf("%s: minimum degree %.4g, nested dissection %.4g", c.name, md, nd)
	}
}
