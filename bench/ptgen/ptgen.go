// Package ptgen generates synthetic production-and-transport linear
// programs: the shape of the LPs commune's planner builds, without the
// planner, for benchmarks of the LP solver against others.
//
// Sites are scattered over a square. Each site runs a few recipes (each
// turns inputs and labour of one or two skills into one or two products),
// holds stocks of some raw products, has labour of some skills, and wants
// some products delivered. Goods move along arcs to each site's nearest
// neighbours, at a cost per unit and kilometre. The objective maximises
// the value of deliveries less transport costs; doing nothing is feasible
// and deliveries are bounded, so there is always an optimum.
package ptgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/commune-org/commune/lp"
)

type site struct{ x, y float64 }

// Generate returns a model of about target nonzeros with the given
// numbers of products and skills and transport arcs per site. The same
// arguments give the same model.
func Generate(target, products, skills, arcs int, seed uint64) *lp.Model {
	r := rand.New(rand.NewPCG(seed, 7))
	// Per site: arcs·goods flows (2 nonzeros each), ~3 recipes of ~6
	// nonzeros, ~4 deliveries and the labour columns.
	goods := products * 3 / 4
	perSite := 2*arcs*goods + 3*6 + 4 + skills/2
	n := max(target/perSite, 2)
	side := math.Sqrt(float64(n)) * 10 // about 10 km between neighbours
	sites := make([]site, n)
	for i := range sites {
		sites[i] = site{r.Float64() * side, r.Float64() * side}
	}
	m := &lp.Model{Name: fmt.Sprintf("PT%d", target)}
	// Balance rows: per site and product, what is made, held, received
	// and delivered must cover what is used, sent and delivered.
	bal := make([]int, n*products)
	for s := 0; s < n; s++ {
		for p := 0; p < products; p++ {
			bal[s*products+p] = m.AddRow(fmt.Sprintf("b%d_%d", s, p), 0, lp.Inf, nil, nil)
		}
	}
	// Labour rows: per site and skill, hours used ≤ hours available.
	lab := make([]int, n*skills)
	for s := 0; s < n; s++ {
		for k := 0; k < skills; k++ {
			lab[s*skills+k] = m.AddRow(fmt.Sprintf("l%d_%d", s, k), -lp.Inf, float64(r.IntN(80)), nil, nil)
		}
	}
	// Stocks of raw products (the first quarter) enter as fixed supply
	// columns, so that the balance rows stay homogeneous.
	raw := products / 4
	for s := 0; s < n; s++ {
		for p := 0; p < raw; p++ {
			if r.IntN(3) == 0 {
				c := m.AddCol(fmt.Sprintf("stock%d_%d", s, p), 0, float64(10+r.IntN(200)), 0)
				m.Set(bal[s*products+p], c, 1)
			}
		}
	}
	// Recipes.
	for s := 0; s < n; s++ {
		for k := 0; k < 3; k++ {
			c := m.AddCol(fmt.Sprintf("run%d_%d", s, k), 0, float64(5+r.IntN(50)), 0)
			out := raw + r.IntN(products-raw)
			m.Set(bal[s*products+out], c, 1+float64(r.IntN(10)))
			if r.IntN(3) == 0 {
				if o2 := raw + r.IntN(products-raw); o2 != out {
					m.Set(bal[s*products+o2], c, 1)
				}
			}
			for in := 0; in < 1+r.IntN(3); in++ {
				p := r.IntN(out + 1)
				if p != out {
					m.Set(bal[s*products+p], c, -float64(1+r.IntN(5)))
				}
			}
			for l := 0; l < 1+r.IntN(2); l++ {
				m.Set(lab[s*skills+r.IntN(skills)], c, 0.5+r.Float64()*4)
			}
		}
	}
	// Transport arcs to the nearest sites, for the goods (the first three
	// quarters of the products; the rest are services, delivered in place).
	near := nearest(sites, arcs)
	for s := 0; s < n; s++ {
		for _, t := range near[s] {
			km := math.Hypot(sites[s].x-sites[t].x, sites[s].y-sites[t].y)
			for p := 0; p < goods; p++ {
				c := m.AddCol(fmt.Sprintf("f%d_%d_%d", s, t, p), 0, lp.Inf, 0.001*km)
				m.Set(bal[s*products+p], c, -1)
				m.Set(bal[t*products+p], c, 1)
			}
		}
	}
	// Deliveries: each site wants a few finished products; the objective
	// values them (maximised, so the cost is negative).
	for s := 0; s < n; s++ {
		for k := 0; k < 4; k++ {
			p := raw + r.IntN(products-raw)
			c := m.AddCol(fmt.Sprintf("d%d_%d", s, k), 0, float64(1+r.IntN(100)), -(1 + 9*r.Float64()))
			m.Set(bal[s*products+p], c, -1)
		}
	}
	return m
}

// nearest returns, for each site, the k nearest other sites, found by
// bucketing the square into cells of about k sites each.
func nearest(sites []site, k int) [][]int {
	n := len(sites)
	maxX, maxY := 0.0, 0.0
	for _, s := range sites {
		maxX, maxY = math.Max(maxX, s.x), math.Max(maxY, s.y)
	}
	g := max(1, int(math.Sqrt(float64(n)/float64(k))))
	cell := func(s site) (int, int) {
		return min(g-1, int(s.x/maxX*float64(g))), min(g-1, int(s.y/maxY*float64(g)))
	}
	buckets := make([][]int, g*g)
	for i, s := range sites {
		cx, cy := cell(s)
		buckets[cy*g+cx] = append(buckets[cy*g+cx], i)
	}
	out := make([][]int, n)
	type cand struct {
		i int
		d float64
	}
	for i, s := range sites {
		cx, cy := cell(s)
		var cs []cand
		for rad := 1; len(cs) < k && rad <= g; rad++ {
			cs = cs[:0]
			for yy := max(0, cy-rad); yy <= min(g-1, cy+rad); yy++ {
				for xx := max(0, cx-rad); xx <= min(g-1, cx+rad); xx++ {
					for _, j := range buckets[yy*g+xx] {
						if j != i {
							cs = append(cs, cand{j, math.Hypot(s.x-sites[j].x, s.y-sites[j].y)})
						}
					}
				}
			}
		}
		sort.Slice(cs, func(a, b int) bool { return cs[a].d < cs[b].d })
		for _, c := range cs[:min(k, len(cs))] {
			out[i] = append(out[i], c.i)
		}
	}
	return out
}
