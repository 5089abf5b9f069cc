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
		cols := f.order(cloneAdj(adj), 0)
		samePattern(t, name+", minimum degree", symbolic(adj, f.perm), cols)
	}
	for name, adj := range map[string][][]int32{"grid 150×150": grid(150), "geometric": geometric(r, 12000, 0.02)} {
		nd := patternFlops(symbolic(adj, dissect(cloneAdj(adj))))
		var f normal
		md := patternFlops(f.order(cloneAdj(adj), 0))
		if nd >= md {
			t.Errorf("%s: nested dissection needs %.4g multiplications, minimum degree %.4g", name, nd, md)
		}
		t.Logf("%s: nested dissection %.4g multiplications, minimum degree %.4g", name, nd, md)
	}
}
