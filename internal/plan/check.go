package plan

import (
	"errors"
	"fmt"
	"math"

	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/world"
)

// checkTol is the relative slack the checker allows: floating-point
// rounding in sums, far below anything a person would notice.
const checkTol = 1e-9

// Check verifies that a plan satisfies the rules of the plan file v1 for
// the world it was made from (shared/spec/world.md, "What a plan must
// satisfy"), and returns every violation found, or nil:
//
//  1. members' hours, skills and reach;
//  2. labour at each site covers its recipes' runs, runs within max_runs;
//  3. goods balance at every site; services never transferred;
//  4. allocations are the sums of their flows, within the need, and
//     services within reach;
//  5. the tier figures agree with the allocations (that the floors and
//     totals are the best possible needs an LP solve to show: the tests
//     compare them with an independent formulation);
//  6. labour values satisfy v = l + Aᵀv over the recipes used.
func Check(w *world.World, p *Plan) error {
	c := checker{w: w, p: p}
	c.index()
	c.members()
	c.labour()
	c.balance()
	c.allocations()
	c.tiers()
	c.values()
	return errors.Join(c.errs...)
}

type checker struct {
	w    *world.World
	p    *Plan
	errs []error

	product map[string]*world.Product
	site    map[string]*world.Site
	member  map[string]*world.Member
	need    map[string]*world.Need
	recipe  map[string]*world.Recipe
}

func (c *checker) fail(rule int, format string, args ...any) {
	if len(c.errs) < 100 {
		c.errs = append(c.errs, fmt.Errorf("rule %d: "+format, append([]any{rule}, args...)...))
	}
}

func within(got, limit, scale float64) bool { return got <= limit+checkTol*(1+math.Abs(scale)) }

func (c *checker) index() {
	w := c.w
	c.product = map[string]*world.Product{}
	c.site = map[string]*world.Site{}
	c.member = map[string]*world.Member{}
	c.need = map[string]*world.Need{}
	c.recipe = map[string]*world.Recipe{}
	for i := range w.Products {
		c.product[w.Products[i].ID] = &w.Products[i]
	}
	for i := range w.Sites {
		c.site[w.Sites[i].ID] = &w.Sites[i]
	}
	for i := range w.Members {
		c.member[w.Members[i].ID] = &w.Members[i]
	}
	for i := range w.Needs {
		c.need[w.Needs[i].ID] = &w.Needs[i]
	}
	for i := range w.Recipes {
		c.recipe[w.Recipes[i].ID] = &w.Recipes[i]
	}
}

func (c *checker) members() {
	hours := map[string]float64{}
	for _, a := range c.p.Assignments {
		m, s := c.member[a.Member], c.site[a.Site]
		if m == nil || s == nil {
			c.fail(1, "assignment of %q at %q: unknown member or site", a.Member, a.Site)
			continue
		}
		if a.Hours < 0 {
			c.fail(1, "member %s: negative hours %g", a.Member, a.Hours)
		}
		hours[a.Member] += a.Hours
		offers := false
		for _, k := range m.Commitment.Skills {
			offers = offers || k == a.Skill
		}
		if !offers {
			c.fail(1, "member %s assigned skill %q they do not offer", a.Member, a.Skill)
		}
		lat, lon, _ := geo.Center(m.Cell)
		if d := geo.Distance(lat, lon, s.Lat, s.Lon); d > m.Commitment.MaxKm {
			c.fail(1, "member %s assigned to site %s at %.3f km, beyond max_km %g", a.Member, a.Site, d, m.Commitment.MaxKm)
		}
	}
	for id, h := range hours {
		// Exactly: a member never works more than committed, not even by
		// rounding (the planner's split guarantees it for sums in the
		// order of the file).
		if lim := c.member[id].Commitment.Hours; h > lim {
			c.fail(1, "member %s assigned %.12g hours, committed %g", id, h, lim)
		}
	}
}

func (c *checker) labour() {
	type key struct{ site, skill string }
	needed, scale := map[key]float64{}, map[key]float64{}
	runs := map[string]float64{}
	for _, pr := range c.p.Production {
		r := c.recipe[pr.Recipe]
		if r == nil {
			c.fail(2, "production of unknown recipe %q", pr.Recipe)
			continue
		}
		if !(pr.Runs >= 0) || math.IsInf(pr.Runs, 0) {
			c.fail(2, "recipe %s runs %.12g times", pr.Recipe, pr.Runs)
		}
		runs[pr.Recipe] += pr.Runs
		if r.MaxRuns != nil && !within(runs[pr.Recipe], *r.MaxRuns, *r.MaxRuns) {
			c.fail(2, "recipe %s runs %.12g times, more than max_runs %g", pr.Recipe, runs[pr.Recipe], *r.MaxRuns)
		}
		for k, h := range r.Labor {
			needed[key{r.Site, k}] += h * pr.Runs
			scale[key{r.Site, k}] += h * pr.Runs
		}
	}
	assigned := map[key]float64{}
	for _, a := range c.p.Assignments {
		assigned[key{a.Site, a.Skill}] += a.Hours
	}
	for k, n := range needed {
		if !within(n, assigned[k], scale[k]) {
			c.fail(2, "site %s needs %.12g %s hours for its runs, %.12g assigned", k.site, n, k.skill, assigned[k])
		}
	}
}

func (c *checker) balance() {
	type key struct{ site, product string }
	net, scale := map[key]float64{}, map[key]float64{}
	add := func(k key, v float64) {
		net[k] += v
		scale[k] += math.Abs(v)
	}
	for _, s := range c.w.Stocks {
		add(key{s.Site, s.Product}, s.Qty)
	}
	for _, pr := range c.p.Production {
		r := c.recipe[pr.Recipe]
		if r == nil {
			continue
		}
		for p, q := range r.Outputs {
			add(key{r.Site, p}, q*pr.Runs)
		}
		for p, q := range r.Inputs {
			add(key{r.Site, p}, -q*pr.Runs)
		}
	}
	for _, t := range c.p.Transfers {
		if c.site[t.From] == nil || c.site[t.To] == nil {
			c.fail(3, "transfer from %q to %q: unknown site", t.From, t.To)
		}
		if pr := c.product[t.Product]; pr == nil || pr.Kind == world.Service {
			c.fail(3, "transfer of %q from %s to %s: services and unknown products are never transferred", t.Product, t.From, t.To)
		}
		if t.Qty < 0 {
			c.fail(3, "transfer of %s from %s to %s: negative quantity", t.Product, t.From, t.To)
		}
		add(key{t.From, t.Product}, -t.Qty)
		add(key{t.To, t.Product}, t.Qty)
	}
	for _, f := range c.p.Flows {
		if f.Qty < 0 {
			c.fail(3, "flow of %s from %s: negative quantity", f.Product, f.From)
		}
		add(key{f.From, f.Product}, -f.Qty)
	}
	for k, v := range net {
		if !within(0, v, scale[k]) {
			c.fail(3, "site %s uses or sends %.12g more %s than it has", k.site, -v, k.product)
		}
	}
}

func (c *checker) allocations() {
	got := map[string]float64{}
	for _, f := range c.p.Flows {
		n, s := c.need[f.ToNeed], c.site[f.From]
		if n == nil || s == nil {
			c.fail(4, "flow from %q to need %q: unknown site or need", f.From, f.ToNeed)
			continue
		}
		if n.Product != f.Product {
			c.fail(4, "flow of %s to need %s, which needs %s", f.Product, f.ToNeed, n.Product)
		}
		got[f.ToNeed] += f.Qty
		if pr := c.product[f.Product]; pr != nil && pr.Kind == world.Service {
			var lat, lon float64
			if n.Site != "" {
				lat, lon = c.site[n.Site].Lat, c.site[n.Site].Lon
			} else {
				lat, lon, _ = geo.Center(c.member[n.Member].Cell)
			}
			if d := geo.Distance(lat, lon, s.Lat, s.Lon); d > pr.ReachKm {
				c.fail(4, "service %s delivered to need %s from %s at %.3f km, beyond its reach %g", f.Product, f.ToNeed, f.From, d, pr.ReachKm)
			}
		}
	}
	seen := map[string]bool{}
	for _, a := range c.p.Allocations {
		n := c.need[a.Need]
		if n == nil {
			c.fail(4, "allocation to unknown need %q", a.Need)
			continue
		}
		if seen[a.Need] {
			c.fail(4, "need %s has more than one allocation", a.Need)
		}
		seen[a.Need] = true
		if math.Abs(a.Qty-got[a.Need]) > checkTol*(1+a.Qty) {
			c.fail(4, "need %s allocated %.12g, its flows sum to %.12g", a.Need, a.Qty, got[a.Need])
		}
		if a.Qty < 0 || !within(a.Qty, n.Qty, n.Qty) {
			c.fail(4, "need %s allocated %.12g of %g", a.Need, a.Qty, n.Qty)
		}
	}
	for _, n := range c.w.Needs {
		if !seen[n.ID] {
			c.fail(4, "need %s has no allocation", n.ID)
		}
	}
}

func (c *checker) tiers() {
	alloc := map[string]float64{}
	for _, a := range c.p.Allocations {
		alloc[a.Need] = a.Qty
	}
	for _, tier := range world.Tiers {
		var needed, met float64
		minCov := 1.0
		for _, n := range c.w.Needs {
			if n.Tier == tier {
				needed += n.Qty
				met += alloc[n.ID]
				minCov = math.Min(minCov, alloc[n.ID]/n.Qty)
			}
		}
		got := *c.p.Tiers.Of(tier)
		if math.Abs(got.Needed-needed) > checkTol*(1+needed) || math.Abs(got.Met-met) > checkTol*(1+met) || math.Abs(got.MinCoverage-minCov) > checkTol {
			c.fail(5, "tier %s reports needed %g, met %g, min coverage %g; the allocations give %g, %g, %g",
				tier, got.Needed, got.Met, got.MinCoverage, needed, met, minCov)
		}
	}
}

func (c *checker) values() {
	l, a := valueSystem(c.w, c.p.Production)
	for p, v := range c.p.LaborValues {
		if _, ok := l[p]; !ok || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			c.fail(6, "labour value %g for %s: the plan does not produce it, or it is not a finite number of hours", v, p)
		}
	}
	diverges := divergent(l, a)
	for p, lp := range l {
		v, ok := c.p.LaborValues[p]
		if !ok {
			if !diverges[p] {
				c.fail(6, "no labour value for %s, which the plan produces", p)
			}
			continue
		}
		want := lp
		for i, q := range a[p] {
			want += q * c.p.LaborValues[i]
		}
		if math.Abs(v-want) > 1e-9*(1+math.Abs(want)) {
			c.fail(6, "labour value of %s is %.12g; direct labour plus inputs give %.12g", p, v, want)
		}
	}
}

// divergent finds the products whose labour value is infinite: those that
// take part in, or draw on, a cycle of recipes that uses up more than it
// makes (a meal made from two b, each b from two meals, fed by a stock).
// It iterates v ← l + Aᵀv by Jacobi sweeps from zero, an iteration of its
// own: for a non-negative A, Jacobi and Gauss–Seidel converge or diverge
// together (Stein–Rosenberg), so this agrees with the planner on which
// values exist without sharing its code.
func divergent(l map[string]float64, a map[string]map[string]float64) map[string]bool {
	v := map[string]float64{}
	for range 20000 {
		next := map[string]float64{}
		for p, lp := range l {
			s := lp
			for i, q := range a[p] {
				s += q * v[i]
			}
			next[p] = s
		}
		v = next
	}
	out := map[string]bool{}
	for p, x := range v {
		if math.IsInf(x, 0) || math.IsNaN(x) || x > 1e12 {
			out[p] = true
		}
	}
	return out
}
