package plan

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/commune-org/commune/lp"
)

// model is the LP of a world. Every stage of the lexicographic sequence
// solves the same rows and columns; only the objective, the bounds of the
// coverage floors t, the right-hand sides of the tier totals, the
// bounds that close what a stage leaves out (openTiers, freeze,
// holdAllocations) and those that keep a tier's later stages on the
// optimal face of its earlier ones (keepFace) change.
//
//	runs[r]   ∈ [0, max_runs]                 times recipe r runs
//	hours[e]  ≥ 0                             labour arc e: node → (site, skill)
//	feed[f]   ≥ 0                             a pool's hours given to a labour node
//	pass[n]   ≥ 0                             hours node n passes to the next band in
//	alloc[d]  ∈ [0, qty_d]                    what demand node d receives
//	flow[f]   ≥ 0                             site → demand node
//	move[m]   ≥ 0                             a transfer of a good site → site
//	t[tier]   ∈ [0, 1]                        the tier's coverage floor
//
//	pool:     Σ feeds of the pool (and the out-flow of its own node) ≤ its members' hours
//	node:     Σ hours of the node's arcs + pass out − pass in − feeds = 0
//	labour:   Σ hours at (site, skill) − Σ labour·runs of the site's recipes ≥ 0
//	balance:  Σ output·runs − Σ input·runs + moves in − moves out − flows ≥ −stock
//	deliver:  Σ flows into d − alloc[d] = 0
//	floor:    alloc[d] − qty_d·t[tier of d] ≥ 0  (for needs some arc reaches)
//	total:    Σ alloc[d] over the tier ≥ the total held from its stage
type model struct {
	g *graph
	m *lp.Model

	runs, hours, alloc, flow, move []int
	feed, pass                     []int // pass: by node, −1 for the innermost
	t                              [3]int
	poolRow, deliverRow, floorRow  []int
	nodeRow                        []int // by node; a pool's row for a node of its own
	totalRow                       [3]int
	labourRow                      map[[2]int]int     // (site, skill)
	hold                           float64            // what a later stage may give back, relative
	balanceRow                     map[[2]int]int     // (site, product)
	colDemand, rowFloor            map[int]int        // by column, by row: demand nodes (merge.go)
	face                           map[int]float64    // by column: the value an earlier stage's optimum fixed (keepFace)
	faceWas                        map[int][2]float64 // by column in face: its bounds before
	faceTier                       int                // the tiers open when face was found (openTiers)
}

func newModel(g *graph, names bool) *model {
	w := g.w
	md := &model{g: g, m: &lp.Model{Name: "commune"}, labourRow: map[[2]int]int{}, balanceRow: map[[2]int]int{},
		face: map[int]float64{}, faceWas: map[int][2]float64{}}
	m := md.m
	name := func(format string, args ...any) string {
		if !names {
			return ""
		}
		return fmt.Sprintf(format, args...)
	}
	balance := func(s, p int) int {
		k := [2]int{s, p}
		r, ok := md.balanceRow[k]
		if !ok {
			r = m.AddRow(name("bal:%s:%s", w.Sites[s].ID, w.Products[p].ID), -g.stock[k], lp.Inf, nil, nil)
			md.balanceRow[k] = r
		}
		return r
	}
	labour := func(s, k int) int {
		key := [2]int{s, k}
		r, ok := md.labourRow[key]
		if !ok {
			r = m.AddRow(name("lab:%s:%s", w.Sites[s].ID, w.Skills[k].ID), 0, lp.Inf, nil, nil)
			md.labourRow[key] = r
		}
		return r
	}
	for _, r := range w.Recipes {
		up := lp.Inf
		if r.MaxRuns != nil {
			up = *r.MaxRuns
		}
		j := m.AddCol(name("run:%s", r.ID), 0, up, 0)
		md.runs = append(md.runs, j)
		s := g.site[r.Site]
		for _, p := range sortedKeys(r.Outputs) {
			m.Set(balance(s, g.product[p]), j, r.Outputs[p])
		}
		for _, p := range sortedKeys(r.Inputs) {
			m.Set(balance(s, g.product[p]), j, -r.Inputs[p])
		}
		for _, k := range sortedKeys(r.Labor) {
			m.Set(labour(s, g.skill[k]), j, -r.Labor[k])
		}
	}
	for p, pl := range g.pools {
		md.poolRow = append(md.poolRow, m.AddRow(name("pool:%d:%s", p, pl.cell), -lp.Inf, pl.hours, nil, nil))
	}
	for n, nd := range g.nodes {
		r := -1
		if nd.pool >= 0 {
			r = md.poolRow[nd.pool]
		} else {
			r = m.AddRow(name("node:%d:%s:%s", n, nd.cell, w.Skills[nd.skill].ID), 0, 0, nil, nil)
		}
		md.nodeRow = append(md.nodeRow, r)
	}
	for _, f := range g.feeds {
		nd := &g.nodes[f.node]
		j := m.AddCol(name("feed:%d:%d:%s", f.pool, f.node, w.Skills[nd.skill].ID), 0, lp.Inf, 0)
		md.feed = append(md.feed, j)
		m.Set(md.poolRow[f.pool], j, 1)
		m.Set(md.nodeRow[f.node], j, -1)
	}
	for n, nd := range g.nodes {
		j := -1
		if nd.inner >= 0 {
			j = m.AddCol(name("pass:%d:%s:%s", n, nd.cell, w.Skills[nd.skill].ID), 0, lp.Inf, 0)
			m.Set(md.nodeRow[n], j, 1)
			m.Set(md.nodeRow[nd.inner], j, -1)
		}
		md.pass = append(md.pass, j)
	}
	for _, a := range g.labor {
		j := m.AddCol(name("work:%s:%s:%s", g.nodes[a.node].cell, w.Sites[a.site].ID, w.Skills[a.skill].ID), 0, lp.Inf, 0)
		md.hours = append(md.hours, j)
		m.Set(md.nodeRow[a.node], j, 1)
		m.Set(labour(a.site, a.skill), j, 1)
	}
	for ti := range md.t {
		md.t[ti] = m.AddCol(name("floor:%d", ti), 0, 0, 0)
		md.totalRow[ti] = m.AddRow(name("total:%d", ti), -lp.Inf, lp.Inf, nil, nil)
	}
	reachable := make([]bool, len(g.demands))
	for _, f := range g.flows {
		reachable[f.demand] = true
	}
	for d, dm := range g.demands {
		j := m.AddCol(name("alloc:%d:%s", d, w.Products[dm.product].ID), 0, dm.qty, 0)
		md.alloc = append(md.alloc, j)
		md.deliverRow = append(md.deliverRow, m.AddRow(name("deliver:%d", d), 0, 0, []int{j}, []float64{-1}))
		// A need nothing can ever reach (no source of its product, or
		// no site offering the service within reach) gets nothing
		// whatever the plan; holding it in the floor would pull the
		// floor of its whole tier to zero and fairness with it.
		if reachable[d] {
			md.floorRow = append(md.floorRow, m.AddRow(name("fair:%d", d), 0, lp.Inf, []int{j, md.t[dm.tier]}, []float64{1, -dm.qty}))
		} else {
			md.floorRow = append(md.floorRow, -1)
		}
		m.Set(md.totalRow[dm.tier], j, 1)
	}
	for _, f := range g.flows {
		p := g.demands[f.demand].product
		j := m.AddCol(name("flow:%s:%d:%s", w.Sites[f.site].ID, f.demand, w.Products[p].ID), 0, lp.Inf, 0)
		md.flow = append(md.flow, j)
		m.Set(balance(f.site, p), j, -1)
		m.Set(md.deliverRow[f.demand], j, 1)
	}
	for _, mv := range g.transfers {
		j := m.AddCol(name("move:%s:%s:%s", w.Sites[mv.from].ID, w.Sites[mv.to].ID, w.Products[mv.product].ID), 0, lp.Inf, 0)
		md.move = append(md.move, j)
		m.Set(balance(mv.from, mv.product), j, -1)
		m.Set(balance(mv.to, mv.product), j, 1)
	}
	return md
}

// sortedKeys makes the LP the same on every run: Go randomises the order
// of maps.
func sortedKeys(m map[string]float64) []string {
	return slices.Sorted(maps.Keys(m))
}

// Objectives of the stages. The LP minimises, so the stages that
// maximise a floor or a total carry negative costs.

func (md *model) setMaxFloor(tier int) {
	clear(md.m.Cost)
	md.m.Cost[md.t[tier]] = -1
	md.m.ColUpper[md.t[tier]] = 1
}

// floor is the coverage floor of tier in sol, within [0, 1].
func (md *model) floor(sol *lp.Solution, tier int) float64 {
	return math.Min(1, math.Max(0, sol.X[md.t[tier]]))
}

func (md *model) setMaxTotal(tier int) {
	clear(md.m.Cost)
	for d, dm := range md.g.demands {
		if dm.tier == tier {
			md.m.Cost[md.alloc[d]] = -1
		}
	}
}

// saturated returns the demand nodes among active whose share cannot
// grow beyond the floor the max-min stage sol reached: those whose floor
// row has a dual price. The prices of the floor rows, weighted by the
// quantities, sum to one (the objective's gradient on t), so at least
// one is positive; a node with no price could, at the margin, grow
// without lowering the floor. This is the progressive filling of
// max-min fairness (Bertsekas and Gallager, Data Networks, §6.5.2), with
// the duals telling which constraints bind instead of one LP per node.
func (md *model) saturated(sol *lp.Solution, active map[int]bool) []int {
	weight := func(d int) float64 { return math.Abs(sol.RowDual[md.floorRow[d]]) * md.g.demands[d].qty }
	top := 0.0
	for d := range active {
		top = math.Max(top, weight(d))
	}
	var out []int
	for d := range active {
		if top > 0 && weight(d) >= 1e-3*top {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

// bound returns the demand nodes among active that sol holds at the
// floor t (their share within hold of it) and that are priced there:
// saturated's rule among those alone. It is for a round that stalled at
// a repaired point (lp.Stalled), whose duals are the repair's small LP's
// where it was solved and PDHG's iterate's elsewhere. The iterate's
// belong to another point: on the region's essential second round it
// sat at the third round's floor (0.3377, a clinic's row broken) and
// priced the needs that bind there, which the repaired point (0.1774)
// gives more than its floor; holding only needs at the floor leaves
// them out, and the cut-off is taken among the needs at the floor so
// that the iterate's large prices elsewhere do not hide theirs.
func (md *model) bound(sol *lp.Solution, active map[int]bool, t float64) []int {
	atFloor := map[int]bool{}
	for d := range active {
		if sol.X[md.alloc[d]] <= (t+md.hold)*md.g.demands[d].qty {
			atFloor[d] = true
		}
	}
	return md.saturated(sol, atFloor)
}

// freeze fixes demand node d's share at t (less what a later stage may
// give back) and takes it out of its tier's floor, so that the next
// max-min round raises the others.
func (md *model) freeze(d int, t float64) {
	q := md.g.demands[d].qty
	md.m.ColLower[md.alloc[d]] = math.Max(0, t-md.hold) * q
	md.m.RowLower[md.floorRow[d]] = -lp.Inf
}

// keepFace fixes, for every later stage, the columns that sol, a
// stage's optimum, proves to sit on a bound in every optimal solution:
// those with a reduced cost (a column whose reduced cost is positive is
// at its lower bound in every optimum, by complementary slackness with
// sol's prices, and one whose reduced cost is negative at its upper). A
// later stage holds what this one achieved (up to hold), so its answers
// are optima of this one and keep these columns where they are: fixed,
// they leave its LP, and the later stage is solved on the optimal face
// of this one instead of on a thin slab around it (the rows that hold
// the floors and totals to within hold of their optimum). A column is
// fixed only where sol has it on its bound, to within hold and a tenth
// of its reduced cost: sol keeps every row with the columns fixed. The
// floors t and the allocations are left as they are: the tier's later
// rounds raise its floor, and freeze and holdAllocations bound what
// needs keep.
//
// The face holds only while the same tiers are open (openTiers forgets
// it): what a tier's stages close makes dead ends of rows whose prices
// are then anything that fits, and the columns into them look costly.
// On a random world a pool's hours into a labour node whose every arc
// served only basic recipes, closed in the essential stages, were priced
// there, fixed at 0, and left a basic need short of what it could have.
func (md *model) keepFace(sol *lp.Solution) {
	m := md.m
	own := make([]bool, m.NumCols()) // the columns other stages bound
	for _, j := range md.t {
		own[j] = true
	}
	for _, j := range md.alloc {
		own[j] = true
	}
	for j, v := range sol.X {
		lo, hi := m.ColLower[j], m.ColUpper[j]
		if lo == hi || own[j] {
			continue
		}
		d := sol.ReducedCost[j]
		switch {
		case d > 0 && v-lo <= math.Min(d/10, md.hold*(1+math.Abs(lo))):
			md.face[j], md.faceWas[j] = lo, [2]float64{lo, hi}
		case d < 0 && hi-v <= math.Min(-d/10, md.hold*(1+math.Abs(hi))):
			md.face[j], md.faceWas[j] = hi, [2]float64{lo, hi}
		}
	}
	md.applyFace()
}

// applyFace fixes the columns keepFace found at their values, over the
// bounds openTiers gives them.
func (md *model) applyFace() {
	for j, v := range md.face {
		md.m.ColLower[j], md.m.ColUpper[j] = v, v
	}
}

// forgetFace gives the columns keepFace fixed their bounds back.
func (md *model) forgetFace() {
	for j, b := range md.faceWas {
		md.m.ColLower[j], md.m.ColUpper[j] = b[0], b[1]
	}
	clear(md.face)
	clear(md.faceWas)
}

// openTiers lets the needs of tiers up to ti receive, and closes the
// later tiers' needs: their allocations and the flows to them are fixed
// at 0, so the solver's presolve takes them out of the LP. A tier's
// stages cannot gain from giving a later tier anything (its flows only
// use up goods and services), so their optima are the same, on an LP
// with less to iterate over: on the city the essential tier's stages
// lose two thirds of the demand nodes and their flows.
func (md *model) openTiers(ti int) {
	m, g := md.m, md.g
	if ti != md.faceTier {
		md.forgetFace()
		md.faceTier = ti
	}
	for d, dm := range g.demands {
		up := dm.qty
		if dm.tier > ti {
			up = 0
		}
		m.ColUpper[md.alloc[d]] = up
	}
	for i, f := range g.flows {
		up := lp.Inf
		if g.demands[f.demand].tier > ti {
			up = 0
		}
		m.ColUpper[md.flow[i]] = up
	}
	// What only the closed tiers could use is closed too: a recipe none
	// of whose outputs an open need can use, directly or as an input of
	// the recipes that make what it needs, only uses up inputs and hours;
	// a move of such a product, or an hour of a skill that no recipe left
	// needs at a site, does nothing for an open need. Fixed at 0 they
	// leave the LP, and each stage's optimal value is the same (the solver
	// may end at another of its optimal points). (On the region of a
	// million members, the essential tier's needs use 90 of the 300
	// products.)
	live, runs := md.usable(ti)
	for r, rc := range g.w.Recipes {
		up := 0.0
		if runs[r] {
			up = lp.Inf
			if rc.MaxRuns != nil {
				up = *rc.MaxRuns
			}
		}
		m.ColUpper[md.runs[r]] = up
	}
	for i, mv := range g.transfers {
		m.ColUpper[md.move[i]] = openIf(live[mv.product])
	}
	worked := map[[2]int]bool{} // (site, skill) that a recipe left needs
	for r, rc := range g.w.Recipes {
		if runs[r] {
			for k := range rc.Labor {
				worked[[2]int{g.site[rc.Site], g.skill[k]}] = true
			}
		}
	}
	for i, a := range g.labor {
		m.ColUpper[md.hours[i]] = openIf(worked[[2]int{a.site, a.skill}])
	}
}

// openIf is the upper bound of a column without one of its own: none if
// open, 0 if not.
func openIf(open bool) float64 {
	if open {
		return lp.Inf
	}
	return 0
}

// usable returns the products that the needs of tiers up to ti can use,
// directly or as inputs (by product), and the recipes that make them (by
// recipe).
func (md *model) usable(ti int) (live, runs []bool) {
	g := md.g
	w := g.w
	live = make([]bool, len(w.Products))
	runs = make([]bool, len(w.Recipes))
	makers := make([][]int, len(w.Products))
	for r, rc := range w.Recipes {
		for p := range rc.Outputs {
			makers[g.product[p]] = append(makers[g.product[p]], r)
		}
	}
	var stack []int
	use := func(p int) {
		if !live[p] {
			live[p] = true
			stack = append(stack, p)
		}
	}
	for _, dm := range g.demands {
		if dm.tier <= ti {
			use(dm.product)
		}
	}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, r := range makers[p] {
			if runs[r] {
				continue
			}
			runs[r] = true
			for q := range w.Recipes[r].Inputs {
				use(g.product[q])
			}
		}
	}
	return live, runs
}

// holdAllocations ends the tier stages: every need keeps, up to hold,
// what it was allocated in x, the solution of the last of them, as a
// lower bound of its own, so no need gets less in the last stage. The
// floors and totals, now implied, leave the LP: the last stage is then a
// plain production and transport problem, without the dense tier rows.
func (md *model) holdAllocations(x []float64) {
	m := md.m
	for d, dm := range md.g.demands {
		j := md.alloc[d]
		m.ColLower[j] = math.Max(0, math.Min(x[j], dm.qty)-md.hold*dm.qty)
	}
	for ti := range md.t {
		m.ColLower[md.t[ti]], m.ColUpper[md.t[ti]] = 0, 0
		m.RowLower[md.totalRow[ti]] = -lp.Inf
	}
}

// Weights of the last stage: an hour of work costs 1, plus a little per
// kilometre between home and site so that, among equal plans, members
// work nearer home; moving a good costs its transport cost per unit and
// kilometre; a run costs a trace so that recipes without labour do not
// run for nothing.
//
// The cost of an hour sits on the labour arcs from the nodes to the
// sites (its kilometres are from the node's cell, the same for every
// pool of the cell); feeding a node and passing hours along a chain cost
// nothing, and since the node rows balance, the hours fed equal the
// hours on the arcs.
//
// The hour's cost of 1 is charged in two parts: arcShare of it on each
// hour of a labour arc, the rest on the recipe runs that use the hour
// (per run, 1 − arcShare times the run's hours of labour). Every arc
// costs more than zero, so at an optimum the hours at each site and
// skill are exactly the hours its runs use, and there both charges add
// up to the same objective: the optimal value and the optimal plans are
// those of charging the whole hour on the arcs. What changes is the
// duals the solver has to find: with the whole hour on the arcs, a
// site's price of labour must climb to the cost of an hour before any
// hour is worth assigning to it, and PDHG climbs there slowly where
// labour is scarce (on a generated world of 30,000 members, a site kept
// a run needing 6.3 driver hours with none assigned for nearly
// 40,000 iterations while the price of its drivers sat at 0.91). Charged
// mostly on the runs, the price of labour only has to cover the share
// and the distance, and the stage took 1.2 (the 100k city) to 2.5 (a
// 10k world) times fewer iterations (docs/BENCHMARKS.md, "What was
// tried").
const (
	hourCost   = 1
	hourKmCost = 1e-3
	runCost    = 1e-4
	arcShare   = 0.1
)

func (md *model) setLeastEffort() {
	g, c := md.g, md.m.Cost
	clear(c)
	for i, a := range g.labor {
		c[md.hours[i]] = arcShare*hourCost + hourKmCost*a.km
	}
	for i, j := range md.runs {
		hours := 0.0
		labor := g.w.Recipes[i].Labor
		for _, k := range sortedKeys(labor) {
			hours += labor[k]
		}
		c[j] = runCost + (1-arcShare)*hourCost*hours
	}
	for i, f := range g.flows {
		p := g.demands[f.demand].product
		if !g.service[p] {
			c[md.flow[i]] = g.w.Products[p].Cost() * f.km
		}
	}
	for i, mv := range g.transfers {
		c[md.move[i]] = g.w.Products[mv.product].Cost() * mv.km
	}
}
