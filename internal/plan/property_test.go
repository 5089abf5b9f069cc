package plan

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/world"
	"github.com/commune-org/commune/lp"
)

// randomWorld is a small world with a production chain (grain → flour →
// bread), a good made from labour alone, a service with a reach, stocks,
// capacities, and members and needs scattered over a few kilometres.
func randomWorld(r *rand.Rand) *world.World {
	w := &world.World{Format: world.Format}
	nSkills := 2 + r.IntN(2)
	for k := range nSkills {
		w.Skills = append(w.Skills, world.Skill{ID: fmt.Sprintf("k%d", k), Name: names(fmt.Sprintf("Skill %d", k))})
	}
	good := func(id string) world.Product {
		return world.Product{ID: id, Name: names(id), Unit: "unit", Kind: world.Good, TransportCost: ptr(r.Float64() * 0.01)}
	}
	w.Products = []world.Product{good("grain"), good("flour"), good("bread"), good("cloth"),
		{ID: "care", Name: names("care"), Unit: "hour", Kind: world.Service, ReachKm: 2 + r.Float64()*10}}
	skill := func() string { return w.Skills[r.IntN(nSkills)].ID }
	maybeCap := func() *float64 {
		if r.IntN(2) == 0 {
			return nil
		}
		return ptr(float64(1 + r.IntN(10)))
	}
	nSites := 2 + r.IntN(3)
	templates := []func(site string, i int) world.Recipe{
		func(s string, i int) world.Recipe {
			return world.Recipe{ID: fmt.Sprintf("grow-%d", i), Site: s, Outputs: map[string]float64{"grain": 10 + r.Float64()*20}, Labor: map[string]float64{skill(): 1 + r.Float64()*4}, MaxRuns: maybeCap()}
		},
		func(s string, i int) world.Recipe {
			return world.Recipe{ID: fmt.Sprintf("mill-%d", i), Site: s, Outputs: map[string]float64{"flour": 5 + r.Float64()*5}, Inputs: map[string]float64{"grain": 8 + r.Float64()*4}, Labor: map[string]float64{skill(): 0.5 + r.Float64()}, MaxRuns: maybeCap()}
		},
		func(s string, i int) world.Recipe {
			return world.Recipe{ID: fmt.Sprintf("bake-%d", i), Site: s, Outputs: map[string]float64{"bread": 10 + r.Float64()*10}, Inputs: map[string]float64{"flour": 2 + r.Float64()*3}, Labor: map[string]float64{skill(): 1 + r.Float64()*2}, MaxRuns: maybeCap()}
		},
		func(s string, i int) world.Recipe {
			return world.Recipe{ID: fmt.Sprintf("weave-%d", i), Site: s, Outputs: map[string]float64{"cloth": 1 + r.Float64()*3}, Labor: map[string]float64{skill(): 1 + r.Float64(), skill(): 0.5}, MaxRuns: maybeCap()}
		},
		func(s string, i int) world.Recipe {
			return world.Recipe{ID: fmt.Sprintf("care-%d", i), Site: s, Outputs: map[string]float64{"care": 1 + r.Float64()*2}, Labor: map[string]float64{skill(): 1}, MaxRuns: maybeCap()}
		},
	}
	lat0, lon0 := 34.05, -118.25
	jitter := func(km float64) (float64, float64) {
		return lat0 + (r.Float64()-0.5)*km/111, lon0 + (r.Float64()-0.5)*km/92
	}
	n := 0
	for s := range nSites {
		id := fmt.Sprintf("s%d", s)
		lat, lon := jitter(16)
		w.Sites = append(w.Sites, world.Site{ID: id, Name: id, Kind: world.Workplace, Lat: lat, Lon: lon})
		for range 1 + r.IntN(2) {
			w.Recipes = append(w.Recipes, templates[r.IntN(len(templates))](id, n))
			n++
		}
		if r.IntN(3) == 0 {
			w.Stocks = append(w.Stocks, world.Stock{Site: id, Product: []string{"grain", "flour", "bread"}[r.IntN(3)], Qty: float64(r.IntN(40))})
		}
	}
	for m := range 3 + r.IntN(10) {
		lat, lon := jitter(16)
		skills := []string{skill()}
		if r.IntN(3) == 0 {
			if k := skill(); k != skills[0] {
				skills = append(skills, k)
			}
		}
		w.Members = append(w.Members, world.Member{ID: fmt.Sprintf("m%d", m), Cell: geo.Encode(lat, lon, 5+r.IntN(2)),
			Commitment: world.Commitment{Hours: float64(r.IntN(21)), Skills: skills, MaxKm: 1 + r.Float64()*14}})
	}
	for i := range 2 + r.IntN(10) {
		nd := world.Need{ID: fmt.Sprintf("n%d", i), Product: []string{"grain", "flour", "bread", "cloth", "care"}[r.IntN(5)],
			Qty: 1 + float64(r.IntN(50)), Tier: world.Tiers[r.IntN(3)]}
		if r.IntN(4) == 0 {
			nd.Site = w.Sites[r.IntN(nSites)].ID
		} else {
			nd.Member = w.Members[r.IntN(len(w.Members))].ID
		}
		w.Needs = append(w.Needs, nd)
	}
	return w
}

// referenceTiers solves the lexicographic problem on a formulation that
// shares no code with the planner: one variable per member, site and
// skill, per need and site, per product and pair of sites, no pools, no
// aggregated demands, no sparse network. It returns each tier's floor and
// total.
func referenceTiers(t *testing.T, w *world.World, solver lp.Solver) (share []float64, total [3]float64) {
	t.Helper()
	m := &lp.Model{}
	siteIdx := map[string]int{}
	for i, s := range w.Sites {
		siteIdx[s.ID] = i
	}
	prod := map[string]*world.Product{}
	for i := range w.Products {
		prod[w.Products[i].ID] = &w.Products[i]
	}
	bal := map[[2]string]int{}
	balance := func(site, p string) int {
		k := [2]string{site, p}
		if r, ok := bal[k]; ok {
			return r
		}
		stock := 0.0
		for _, s := range w.Stocks {
			if s.Site == site && s.Product == p {
				stock += s.Qty
			}
		}
		bal[k] = m.AddRow("", -stock, lp.Inf, nil, nil)
		return bal[k]
	}
	lab := map[[2]string]int{}
	labour := func(site, k string) int {
		key := [2]string{site, k}
		if r, ok := lab[key]; ok {
			return r
		}
		lab[key] = m.AddRow("", 0, lp.Inf, nil, nil)
		return lab[key]
	}
	for _, rc := range w.Recipes {
		up := lp.Inf
		if rc.MaxRuns != nil {
			up = *rc.MaxRuns
		}
		j := m.AddCol("", 0, up, 0)
		for p, q := range rc.Outputs {
			m.Set(balance(rc.Site, p), j, q)
		}
		for p, q := range rc.Inputs {
			m.Set(balance(rc.Site, p), j, -q)
		}
		for k, h := range rc.Labor {
			m.Set(labour(rc.Site, k), j, -h)
		}
	}
	for _, mb := range w.Members {
		row := m.AddRow("", -lp.Inf, mb.Commitment.Hours, nil, nil)
		lat, lon, _ := geo.Center(mb.Cell)
		for _, s := range w.Sites {
			if geo.Distance(lat, lon, s.Lat, s.Lon) > mb.Commitment.MaxKm {
				continue
			}
			for _, k := range mb.Commitment.Skills {
				if r, ok := lab[[2]string{s.ID, k}]; ok {
					j := m.AddCol("", 0, lp.Inf, 0)
					m.Set(row, j, 1)
					m.Set(r, j, 1)
				}
			}
		}
	}
	for _, p := range w.Products {
		if p.Kind == world.Service {
			continue
		}
		for _, a := range w.Sites {
			for _, b := range w.Sites {
				if a.ID != b.ID {
					j := m.AddCol("", 0, lp.Inf, 0)
					m.Set(balance(a.ID, p.ID), j, -1)
					m.Set(balance(b.ID, p.ID), j, 1)
				}
			}
		}
	}
	var tcol [3]int
	var totalRow [3]int
	for ti := range 3 {
		tcol[ti] = m.AddCol("", 0, 0, 0)
		totalRow[ti] = m.AddRow("", -lp.Inf, lp.Inf, nil, nil)
	}
	var alloc, fair []int
	for _, n := range w.Needs {
		ti := tierIndex(n.Tier)
		a := m.AddCol("", 0, n.Qty, 0)
		alloc = append(alloc, a)
		deliver := m.AddRow("", 0, 0, []int{a}, []float64{-1})
		fair = append(fair, m.AddRow("", 0, lp.Inf, []int{a, tcol[ti]}, []float64{1, -n.Qty}))
		m.Set(totalRow[ti], a, 1)
		var lat, lon float64
		if n.Site != "" {
			s := w.Sites[siteIdx[n.Site]]
			lat, lon = s.Lat, s.Lon
		} else {
			for _, mb := range w.Members {
				if mb.ID == n.Member {
					lat, lon, _ = geo.Center(mb.Cell)
				}
			}
		}
		for _, s := range w.Sites {
			if p := prod[n.Product]; p.Kind == world.Service && geo.Distance(lat, lon, s.Lat, s.Lon) > p.ReachKm {
				continue
			}
			j := m.AddCol("", 0, lp.Inf, 0)
			m.Set(balance(s.ID, n.Product), j, -1)
			m.Set(deliver, j, 1)
		}
	}
	solve := func() []float64 {
		sol, err := solver.Solve(context.Background(), m, lp.Options{Tolerance: 1e-8})
		if err != nil {
			t.Fatalf("reference: %v", err)
		}
		return sol.X
	}
	// Progressive filling, done exactly: raise the floor of the active
	// needs; a need whose allocation cannot exceed that floor while the
	// others keep it (one LP per need) is frozen there; repeat.
	share = make([]float64, len(w.Needs))
	for ti := range 3 {
		active := map[int]bool{}
		for i, n := range w.Needs {
			if tierIndex(n.Tier) == ti {
				active[i] = true
			}
		}
		if len(active) == 0 {
			continue
		}
		for len(active) > 0 {
			clear(m.Cost)
			m.Cost[tcol[ti]] = -1
			m.ColLower[tcol[ti]], m.ColUpper[tcol[ti]] = 0, 1
			floor := math.Max(0, solve()[tcol[ti]])
			m.ColLower[tcol[ti]] = math.Max(0, floor-1e-7)
			var stuck []int
			for i := range active {
				clear(m.Cost)
				m.Cost[alloc[i]] = -1
				if solve()[alloc[i]] <= (floor+1e-6)*w.Needs[i].Qty {
					stuck = append(stuck, i)
				}
			}
			if len(stuck) == 0 { // cannot happen in exact arithmetic
				for i := range active {
					stuck = append(stuck, i)
				}
			}
			for _, i := range stuck {
				share[i] = floor
				m.ColLower[alloc[i]] = math.Max(0, floor-1e-7) * w.Needs[i].Qty
				m.RowLower[fair[i]] = -lp.Inf
				delete(active, i)
			}
		}
		m.ColLower[tcol[ti]], m.ColUpper[tcol[ti]] = 0, 0
		for i, n := range w.Needs {
			if tierIndex(n.Tier) == ti {
				total[ti] += share[i] * n.Qty
			}
		}
	}
	return share, total
}

// referenceSolver is the solver of the reference fair shares: CLP, which
// the test command installs. Without it the plans are checked against
// the rules only, unless COMMUNE_STRICT is set (as in CI), when the test
// fails: the built-in solver, the one under test, took more than ten
// minutes on the reference's LPs at 1e-8 (PDHG, where the barrier gave
// up), and would not be an independent reference.
func referenceSolver(t *testing.T) lp.Solver {
	if clp := (lp.External{Program: "clp"}); clp.Available() {
		return clp
	}
	if os.Getenv("COMMUNE_STRICT") != "" {
		t.Fatal("clp is not installed (apt-get install coinor-clp)")
	}
	t.Log("clp is not installed: the plans are checked against the rules, not against the reference fair shares")
	return nil
}

// TestRandomWorlds is the property test: on 200 random small worlds every
// plan satisfies the rules (Check), and every need's share and every
// tier's total equal those of max-min fairness computed exactly (one LP
// per need and round) on an independent, fully disaggregated formulation.
func TestRandomWorlds(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 40
	}
	ref := referenceSolver(t)
	r := rand.New(rand.NewPCG(2026, 11))
	for i := range n {
		checkRandomWorld(t, i, randomWorld(r), ref)
	}
}

// TestRandomWorldsSharedCells is the property test on worlds whose
// members live in two cells, with many skill sets and reaches in each:
// the pools of a cell share their labour arcs through a chain of nodes
// by distance (laborNode), and the plan must still keep every member
// within their hours, skills and reach, and reach the same fair shares
// as the disaggregated reference.
func TestRandomWorldsSharedCells(t *testing.T) {
	n := 100
	if testing.Short() {
		n = 20
	}
	ref := referenceSolver(t)
	r := rand.New(rand.NewPCG(2026, 12))
	chains := 0
	for i := range n {
		w := randomWorld(r)
		for range 10 + r.IntN(20) {
			k := w.Skills[r.IntN(len(w.Skills))].ID
			skills := []string{k}
			if k2 := w.Skills[r.IntN(len(w.Skills))].ID; k2 != k && r.IntN(2) == 0 {
				skills = append(skills, k2)
			}
			w.Members = append(w.Members, world.Member{ID: fmt.Sprintf("m%d", len(w.Members)),
				Commitment: world.Commitment{Hours: float64(r.IntN(11)), Skills: skills, MaxKm: 1 + r.Float64()*14}})
		}
		cells := []string{w.Members[0].Cell, w.Members[1].Cell}
		for m := range w.Members {
			w.Members[m].Cell = cells[r.IntN(2)]
		}
		g, err := newGraph(w, Network{})
		if err != nil {
			t.Fatal(err)
		}
		for _, nd := range g.nodes {
			if nd.inner >= 0 {
				chains++
				break
			}
		}
		checkRandomWorld(t, i, w, ref)
	}
	// The test is only worth something if hours do pass along chains.
	if chains < n/4 {
		t.Errorf("only %d of %d worlds have a chain of two or more labour nodes", chains, n)
	}
}

// checkRandomWorld plans w and compares the plan with the rules and, if
// ref is not nil, with the reference's fair shares.
func checkRandomWorld(t *testing.T, i int, w *world.World, ref lp.Solver) {
	t.Helper()
	p, err := Make(context.Background(), w, Options{})
	if err != nil {
		t.Fatalf("world %d: %v", i, err)
	}
	if err := Check(w, p); err != nil {
		t.Fatalf("world %d: the plan breaks the rules:\n%v", i, err)
	}
	if ref == nil {
		return
	}
	share, total := referenceTiers(t, w, ref)
	// Each stage may give back hold (1e-5) of what it achieved, which
	// later tiers may take up: compare within ten times that,
	// relative to all that is needed; shares within 0.2%.
	needed := p.Tiers.Essential.Needed + p.Tiers.Basic.Needed + p.Tiers.Wanted.Needed
	for ti, tier := range world.Tiers {
		got := p.Tiers.Of(tier)
		if got.Needed == 0 {
			continue
		}
		if math.Abs(got.Met-total[ti]) > 1e-4*(1+needed) {
			t.Errorf("world %d, %s: met %.6f, reference %.6f", i, tier, got.Met, total[ti])
		}
	}
	for k, n := range w.Needs {
		if cov := p.Allocations[k].Qty / n.Qty; math.Abs(cov-share[k]) > 2e-3 {
			t.Errorf("world %d, need %s (%s): share %.5f, max-min fair share %.5f", i, n.ID, n.Tier, cov, share[k])
		}
	}
}
