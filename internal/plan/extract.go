package plan

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/commune-org/commune/internal/world"
	"github.com/commune-org/commune/lp"
)

// negligible is the size below which a value of the LP solution is
// solver noise: a plan does not assign 1e-12 hours.
const negligible = 1e-9

// shrinkBy is how far below a limit a scaled value lands, so that sums
// recomputed in another order still stay within it.
const shrinkBy = 1 - 1e-12

// traceRounds bounds the solves of withoutTraces.
const traceRounds = 2

// withoutTraces solves the last stage again with every column that the
// first answer's reduced costs put at its lower bound fixed there (a
// reduced cost ten times the distance to the bound), and returns that
// answer, or nil if the stage cannot be solved so (the first
// answer then stands). A second answer may still hold traces where the
// first left the columns free, so this is repeated, at most traceRounds
// times, while it fixes more columns.
//
// An interior point leaves a trace on every way a good or an hour could
// go, about μ over the reduced cost each: on the example neighbourhood,
// eleven members were given between 10⁻⁹ and 10⁻⁶ of an hour at sites
// where their hours cost more than others'. Which columns carry only a
// trace is told by the indicator of El-Bakry, Tapia and Zhang (SIAM
// Review 36, 1994): the distance to the bound smaller than the reduced
// cost; where both are about √μ the column is left free (on the
// 10,000-member world, fixing those made the stage infeasible). Dropping
// the traces from the answer would leave the rows they fed
// short (on the 10,000-member world, 1,476 needs lost 10⁻⁴ of their share
// in the repair); solved again without them, the other columns carry
// what the traces did, and presolve takes the fixed columns out, so the
// second solve is the smaller. Its optimum is the first's whenever the
// traces are not in any optimum, which is what their reduced costs say.
func (md *model) withoutTraces(sol *lp.Solution, tol float64, solve func(string, float64) (*lp.Solution, error)) *lp.Solution {
	m := md.m
	up := slices.Clone(m.ColUpper)
	defer copy(m.ColUpper, up)
	var clean *lp.Solution
	for round := 2; round <= traceRounds+1; round++ {
		fixed := 0
		for j, v := range sol.X {
			if lo := m.ColLower[j]; m.ColUpper[j] != lo && 10*(v-lo) < sol.ReducedCost[j] {
				m.ColUpper[j] = lo
				fixed++
			}
		}
		if fixed == 0 {
			break
		}
		next, err := solve(fmt.Sprintf("cost-%d", round), tol)
		if err != nil {
			break
		}
		clean, sol = next, next
	}
	return clean
}

// repair turns an LP solution, which the solver satisfies to about 1e-6,
// into one that satisfies the rules of the plan exactly: values are
// clipped to their bounds, pools to their members' hours and deliveries
// to the need; the hours on the labour arcs are split back onto the
// pools that feed them (decompose), less any the pools cannot cover;
// goods moved round in a circle stay where they were (cancelCycles);
// then, until nothing changes, wherever a site uses more hours or goods
// than it has, the uses are scaled down (deliveries and moves first, then
// the recipe runs that consume). Every change only lowers a value, and
// with no circle of moves a shortfall travels only downstream, so it
// ends; it moves the plan by about the solver's accuracy.
func (md *model) repair(sol []float64) ([]float64, []share) {
	m := md.m
	x := make([]float64, len(sol))
	for j, v := range sol {
		v = math.Min(math.Max(v, m.ColLower[j]), m.ColUpper[j])
		if math.Abs(v) < negligible {
			v = 0
		}
		x[j] = v
	}
	a := m.Matrix()
	at := a.Transpose()
	limitRow := func(r int) { // a row Σ x ≤ upper over columns with coefficient 1
		sum := 0.0
		for k := at.Start[r]; k < at.Start[r+1]; k++ {
			sum += x[at.Ind[k]] * at.Val[k]
		}
		if up := m.RowUpper[r]; sum > up {
			f := up / sum * shrinkBy
			for k := at.Start[r]; k < at.Start[r+1]; k++ {
				x[at.Ind[k]] *= f
			}
		}
	}
	for _, r := range md.poolRow {
		limitRow(r)
	}
	work := md.decompose(x)
	md.cancelCycles(x)
	isRun := make([]bool, len(x))
	for _, j := range md.runs {
		isRun[j] = true
	}
	// Deliveries: the flows into a need at most its quantity.
	for d, r := range md.deliverRow {
		sum := 0.0
		for k := at.Start[r]; k < at.Start[r+1]; k++ {
			if at.Val[k] > 0 {
				sum += x[at.Ind[k]]
			}
		}
		if q := md.g.demands[d].qty; sum > q {
			f := q / sum * shrinkBy
			for k := at.Start[r]; k < at.Start[r+1]; k++ {
				if at.Val[k] > 0 {
					x[at.Ind[k]] *= f
				}
			}
		}
	}
	// Labour and balance rows: Σ supply − Σ use ≥ lower (lower ≤ 0).
	var rows []int
	for _, r := range md.labourRow {
		rows = append(rows, r)
	}
	for _, r := range md.balanceRow {
		rows = append(rows, r)
	}
	slices.Sort(rows)
	queued := make([]bool, m.NumRows())
	for _, r := range rows {
		queued[r] = true
	}
	watched := make([]bool, m.NumRows())
	for _, r := range rows {
		watched[r] = true
	}
	lowered := func(j int) { // x[j] went down: rows it supplies may now fall short
		for k := a.Start[j]; k < a.Start[j+1]; k++ {
			if r := int(a.Ind[k]); a.Val[k] > 0 && watched[r] && !queued[r] {
				queued[r] = true
				rows = append(rows, r)
			}
		}
	}
	for len(rows) > 0 {
		r := rows[0]
		rows = rows[1:]
		queued[r] = false
		supply, outflow, consumed := -m.RowLower[r], 0.0, 0.0
		for k := at.Start[r]; k < at.Start[r+1]; k++ {
			j, v := at.Ind[k], at.Val[k]
			switch {
			case v > 0:
				supply += v * x[j]
			case isRun[j]:
				consumed -= v * x[j]
			default:
				outflow -= v * x[j]
			}
		}
		if outflow+consumed <= supply {
			continue
		}
		scaleOut, scaleRun := 0.0, 1.0
		if consumed <= supply {
			scaleOut = (supply - consumed) / outflow * shrinkBy
		} else {
			scaleRun = supply / consumed * shrinkBy
		}
		for k := at.Start[r]; k < at.Start[r+1]; k++ {
			j, v := int(at.Ind[k]), at.Val[k]
			if v >= 0 || x[j] == 0 {
				continue
			}
			f := scaleOut
			if isRun[j] {
				f = scaleRun
			}
			if f < 1 {
				if x[j] *= f; x[j] < negligible {
					x[j] = 0
				}
				lowered(j)
			}
		}
		if !queued[r] { // check the row again: rounding may leave it short
			queued[r] = true
			rows = append(rows, r)
		}
	}
	return x, work
}

// cancelCycles lowers, by the least of them, the moves of every circle of
// moves of a product (site a to b, b to c, ..., back to a), until none
// is left: every site keeps what it had, and the transport costs less.
// An optimal plan has no such circle, but an interior-point solution
// moves a trace of each good every way; left in, each circle would pass
// the repair's rounding round it forever.
func (md *model) cancelCycles(x []float64) {
	g := md.g
	byProduct := map[int][]int{}
	for i, mv := range g.transfers {
		if x[md.move[i]] > 0 {
			byProduct[mv.product] = append(byProduct[mv.product], i)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(byProduct)) {
		arcs := byProduct[p]
		for {
			cycle := findCycle(arcs, x, md, g)
			if cycle == nil {
				break
			}
			least := math.Inf(1)
			for _, i := range cycle {
				least = math.Min(least, x[md.move[i]])
			}
			for _, i := range cycle {
				j := md.move[i]
				if x[j] -= least; x[j] < negligible {
					x[j] = 0
				}
			}
		}
	}
}

// findCycle returns the transfers (among arcs, those still positive in
// x) of a directed circle, or nil: a depth-first search that meets a site
// still on its path.
func findCycle(arcs []int, x []float64, md *model, g *graph) []int {
	out := map[int][]int{}
	for _, i := range arcs {
		if x[md.move[i]] > 0 {
			out[g.transfers[i].from] = append(out[g.transfers[i].from], i)
		}
	}
	const (
		unseen = iota
		onPath
		finished
	)
	state := map[int]int{}
	var path []int // transfers from the root to the current site
	var visit func(site int) []int
	visit = func(site int) []int {
		state[site] = onPath
		for _, i := range out[site] {
			to := g.transfers[i].to
			switch state[to] {
			case onPath:
				// The circle is the path from to's arrival, plus i.
				start := 0
				for k, e := range path {
					if g.transfers[e].from == to {
						start = k
						break
					}
				}
				return append(slices.Clone(path[start:]), i)
			case unseen:
				path = append(path, i)
				if c := visit(to); c != nil {
					return c
				}
				path = path[:len(path)-1]
			}
		}
		state[site] = finished
		return nil
	}
	for _, site := range slices.Sorted(maps.Keys(out)) {
		if state[site] == unseen {
			if c := visit(site); c != nil {
				return c
			}
		}
	}
	return nil
}

// share is the hours of one pool on one labour arc.
type share struct {
	pool, arc int
	hours     float64
}

// decompose splits the hours on each chain's labour arcs (see laborNode)
// among the pools that feed the chain, from the outermost band in: the
// arcs of a band take hours from any pool that reaches the band, those
// of the band itself or of one farther out, and a pool's hours go no
// further than what it gives the chain (its feed, or for a node of its
// own the node's out-flow). Every pool that may serve a band may serve
// every band inside it, so taking them in any order succeeds whenever
// the flows on the chain balance (a pass of hours inwards is never
// negative); where the solver's rounding leaves a band short, its arcs
// are lowered to what its pools can give, and every arc ends with
// exactly the hours of its shares.
func (md *model) decompose(x []float64) []share {
	g := md.g
	arcsOf := make([][]int, len(g.nodes))
	for e, a := range g.labor {
		arcsOf[a.node] = append(arcsOf[a.node], e)
	}
	feedsOf := make([][]int, len(g.nodes))
	for f, fa := range g.feeds {
		feedsOf[fa.node] = append(feedsOf[fa.node], f)
	}
	type avail struct {
		pool int
		left float64
	}
	var open []avail
	var out []share
	for n, nd := range g.nodes {
		if n == 0 || g.nodes[n-1].inner != n {
			open = open[:0] // a new chain
		}
		if nd.pool >= 0 {
			v := 0.0
			for _, e := range arcsOf[n] {
				v += x[md.hours[e]]
			}
			if j := md.pass[n]; j >= 0 {
				v += x[j]
			}
			open = append(open, avail{nd.pool, v})
		}
		for _, f := range feedsOf[n] {
			open = append(open, avail{g.feeds[f].pool, x[md.feed[f]]})
		}
		demand, supply := 0.0, 0.0
		for _, e := range arcsOf[n] {
			demand += x[md.hours[e]]
		}
		for _, o := range open {
			supply += o.left
		}
		if demand > supply {
			f := supply / demand * shrinkBy
			for _, e := range arcsOf[n] {
				if x[md.hours[e]] *= f; x[md.hours[e]] < negligible {
					x[md.hours[e]] = 0
				}
			}
		}
		for _, e := range arcsOf[n] {
			need := x[md.hours[e]]
			for need > 0 && len(open) > 0 {
				h := math.Min(need, open[0].left)
				if h > 0 {
					out = append(out, share{pool: open[0].pool, arc: e, hours: h})
				}
				need -= h
				if open[0].left -= h; open[0].left <= 0 {
					open = open[1:]
				}
			}
			if need > 0 {
				x[md.hours[e]] -= need
			}
		}
	}
	return out
}

// fill writes the repaired solution x into the plan: production, each
// pool's hours split among its members, flows split among the needs of
// each demand node, transfers, allocations and the tiers.
func (p *Plan) fill(g *graph, md *model, x []float64, work []share) {
	w := g.w
	p.World = Counts{Members: len(w.Members), Sites: len(w.Sites), Products: len(w.Products), Recipes: len(w.Recipes), Needs: len(w.Needs)}
	p.Production = []Production{}
	for r, j := range md.runs {
		if x[j] > 0 {
			p.Production = append(p.Production, Production{Recipe: w.Recipes[r].ID, Runs: x[j]})
		}
	}
	p.Assignments = split(g, work)
	for _, m := range w.Members {
		p.Labor.CommittedHours += m.Commitment.Hours
	}
	for _, a := range p.Assignments {
		p.Labor.AssignedHours += a.Hours
	}

	alloc := make([]float64, len(w.Needs))
	// One flow per need of each demand node a flow reaches, listed by the
	// need's id and, for one need, in the order of the arcs. On the region
	// of a million members there are 17 million: they are counted by need
	// first and then put in place, where a stable sort of them took 21 s,
	// and appending would hold up to 1.8 times as many while it grows.
	rank := idOrder(w.Needs)
	at := make([]int, len(w.Needs)+1) // by rank: where the need's flows begin
	shares := func(do func(f flowArc, n int, share float64)) {
		for i, f := range g.flows {
			q := x[md.flow[i]]
			if q == 0 {
				continue
			}
			d := &g.demands[f.demand]
			for _, n := range d.needs {
				if share := q * w.Needs[n].Qty / d.qty; share > 0 {
					do(f, n, share)
				}
			}
		}
	}
	shares(func(_ flowArc, n int, _ float64) { at[rank[n]+1]++ })
	for r := range len(w.Needs) {
		at[r+1] += at[r]
	}
	p.Flows = make([]Flow, at[len(w.Needs)])
	shares(func(f flowArc, n int, share float64) {
		alloc[n] += share
		p.Flows[at[rank[n]]] = Flow{Product: w.Products[g.demands[f.demand].product].ID, From: w.Sites[f.site].ID, ToNeed: w.Needs[n].ID, Qty: share, Km: f.km}
		at[rank[n]]++
	})
	p.Transfers = []Transfer{}
	for i, mv := range g.transfers {
		if q := x[md.move[i]]; q > 0 {
			p.Transfers = append(p.Transfers, Transfer{Product: w.Products[mv.product].ID, From: w.Sites[mv.from].ID, To: w.Sites[mv.to].ID, Qty: q, Km: mv.km})
		}
	}
	p.Allocations = make([]Allocation, len(w.Needs))
	minCov := [3]float64{1, 1, 1}
	for i, n := range w.Needs {
		p.Allocations[i] = Allocation{Need: n.ID, Qty: alloc[i]}
		t := p.Tiers.Of(n.Tier)
		t.Needed += n.Qty
		t.Met += alloc[i]
		ti := tierIndex(n.Tier)
		minCov[ti] = math.Min(minCov[ti], alloc[i]/n.Qty)
	}
	for ti, tier := range world.Tiers {
		p.Tiers.Of(tier).MinCoverage = minCov[ti]
	}
}

// split divides each pool's hours among its members: members in the
// order of the world, each filling the pool's shares of the labour arcs
// in turn, never beyond what they committed. Every member of a pool
// offers all the pool's skills and reaches all its sites, so any
// division is allowed.
func split(g *graph, work []share) []Assignment {
	w := g.w
	shares := make([][]share, len(g.pools))
	for _, s := range work {
		shares[s.pool] = append(shares[s.pool], s)
	}
	out := []Assignment{}
	for p, pl := range g.pools {
		k := 0
		left := 0.0
		if len(shares[p]) > 0 {
			left = shares[p][0].hours
		}
		for _, mi := range pl.members {
			m := &w.Members[mi]
			// sum is the member's hours so far, added in the order of the
			// plan file, so that anyone summing them gets the same number,
			// never above the commitment, not even by rounding.
			sum, free := 0.0, m.Commitment.Hours
			for k < len(shares[p]) && free > 0 {
				h := math.Min(free, left)
				for h > 0 && sum+h > m.Commitment.Hours {
					h = math.Nextafter(h, 0)
				}
				if h > 0 {
					a := g.labor[shares[p][k].arc]
					out = append(out, Assignment{Member: m.ID, Site: w.Sites[a.site].ID, Skill: w.Skills[a.skill].ID, Hours: h})
				}
				sum += h
				free = m.Commitment.Hours - sum
				left -= h
				if left <= 0 || h == 0 {
					k++
					if k < len(shares[p]) {
						left = shares[p][k].hours
					}
				}
			}
		}
	}
	return out
}

// idOrder gives each need its place in the order of their ids (which
// are unique, as the world reader checks): the identity when they come
// in that order already, as generated worlds have them.
func idOrder(needs []world.Need) []int {
	rank := make([]int, len(needs))
	byID := make([]int, len(needs))
	for i := range byID {
		byID[i] = i
	}
	less := func(a, b int) int { return cmp.Compare(needs[a].ID, needs[b].ID) }
	if !slices.IsSortedFunc(byID, less) {
		slices.SortFunc(byID, less)
	}
	for r, i := range byID {
		rank[i] = r
	}
	return rank
}
