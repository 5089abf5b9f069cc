package world

import (
	"cmp"
	"math"
	"slices"
)

// Sites of a generated world: where they are, what each makes and how
// much it can, what they hold, and what their collectives need.

// capacitySlack is how much more than the needs ask for the sites making
// a product can make together.
const capacitySlack = 1.3

// recipeCounts weighs how many recipes a site has, 1 to 4.
var recipeCounts = []float64{0.3, 0.35, 0.2, 0.15}

// depotStaples are kept at depots, a few weeks' reserve between them.
var depotStaples = []string{"grain", "rice", "beans", "maize", "cotton"}

// sites places the sites: by class in proportion to siteClasses
// weights, every class with something to make getting one before any
// gets a second, then the depots (transport hubs, one to three per
// city). Farms are on farmland, the rest in neighbourhoods by
// population, each neighbourhood with a mix of classes.
func (g *generator) sites() {
	n := g.opt.Sites
	var available [numSiteClasses]bool
	for _, p := range g.products {
		for _, c := range p.makers {
			available[c] = true
		}
	}
	depots := min(8, (n+10)/20)
	if g.opt.Area == "world" { // one per city if there are sites enough, up to three
		depots = min(3*len(g.cities), max(min(len(g.cities), n/4), n/12))
	}
	var weights [numSiteClasses]float64
	for c := range numSiteClasses {
		if available[c] {
			weights[c] = siteClasses[c].weight
		}
	}
	first := make([]int, len(sitePriority))
	for i, c := range sitePriority {
		first[i] = int(c)
	}
	counts := genApportion(n-depots, weights[:], first)

	urban := make([][]int, len(g.cities))
	rural := make([][]int, len(g.cities))
	for i, p := range g.places {
		if p.rural {
			rural[p.city] = append(rural[p.city], i)
		} else {
			urban[p.city] = append(urban[p.city], i)
		}
	}
	type placed struct {
		class siteClass
		place int
		scale float64
	}
	var all []placed
	// Town sites: places drawn by population and sorted, then dealt a
	// sequence of classes interleaved in proportion, so that a place's
	// sites are a mix rather than, by chance, three clinics and no school.
	farms := counts[farmSite]
	counts[farmSite] = 0
	seq := genInterleave(counts)
	at := make([]int, len(seq))
	for i := range at {
		at[i] = g.drawPlace()
		for tries := 0; g.places[at[i]].rural; tries++ {
			if tries == 20 {
				at[i] = urban[g.places[at[i]].city][0]
				break
			}
			at[i] = g.drawPlace()
		}
	}
	slices.Sort(at)
	for i, c := range seq {
		all = append(all, placed{c, at[i], 1})
	}
	for range farms { // on the farmland of a city drawn by population
		city := g.places[g.drawPlace()].city
		all = append(all, placed{farmSite, rural[city][g.rng.IntN(len(rural[city]))], 1})
	}
	bigFirst := make([]int, len(g.cities))
	for i := range bigFirst {
		bigFirst[i] = i
	}
	if g.opt.Area == "world" {
		slices.SortStableFunc(bigFirst, func(a, b int) int { return cmp.Compare(worldCities[b].weight, worldCities[a].weight) })
	}
	for d := range depots {
		city := bigFirst[d%len(bigFirst)]
		all = append(all, placed{depotSite, urban[city][g.rng.IntN(len(urban[city]))], 0.5})
	}

	g.w.Sites = make([]Site, 0, n)
	g.siteClass = make([]siteClass, 0, n)
	seen := map[[2]int]int{}
	for _, s := range all {
		p := &g.places[s.place]
		lat, lon := g.scatter(p, s.scale)
		k := seen[[2]int{int(s.class), s.place}] + 1
		seen[[2]int{int(s.class), s.place}] = k
		cl := siteClasses[s.class]
		g.w.Sites = append(g.w.Sites, Site{
			ID:         cl.slug + "-" + p.slug + "-" + genItoa(k),
			Name:       p.name + " " + cl.name + " " + genItoa(k),
			Kind:       cl.kind,
			Lat:        math.Round(lat*1e4) / 1e4,
			Lon:        math.Round(lon*1e4) / 1e4,
			Collective: p.slug,
		})
		g.siteClass = append(g.siteClass, s.class)
	}
	g.siteNeeds()
}

// siteNeeds are what collectives need at their sites: lunches at
// schools, cloth for dressings and blankets at clinics and childcare
// centres.
func (g *generator) siteNeeds() {
	need := func(site, product string, tier Tier, q float64) {
		if p, ok := g.byID[product]; ok {
			g.addNeed(Need{Site: site, Product: product, Qty: q, Tier: tier}, p)
		}
	}
	for i, c := range g.siteClass {
		id := g.w.Sites[i].ID
		switch c {
		case schoolSite:
			need(id, "meal", Essential, float64(100*(1+g.rng.IntN(3))))
		case clinicSite:
			need(id, "cloth", Basic, float64(20+10*g.rng.IntN(4)))
			need(id, "blanket", Wanted, float64(5+g.rng.IntN(6)))
		case childcareSite:
			need(id, "blanket", Wanted, float64(2+g.rng.IntN(4)))
		}
	}
}

// recipes gives each site 1 to 4 recipes among what its class makes,
// sharing each class's recipe slots among its products by the labour
// they take (every product getting one before any gets two), then sets
// each recipe's capacity to its share of capacitySlack times the runs
// that meet the needs, and fills the stocks.
func (g *generator) recipes() {
	made := make([][]int, len(g.w.Sites)) // products made at each site
	bySite := make([][]int, numSiteClasses)
	for i, c := range g.siteClass {
		bySite[c] = append(bySite[c], i)
	}
	for c := range numSiteClasses {
		sites := bySite[c]
		var prods []int
		var weights []float64
		for p := range g.products {
			gp := &g.products[p]
			if slices.Contains(gp.makers, siteClass(c)) {
				h := 0.0
				for _, l := range gp.labour {
					h += l.h
				}
				prods = append(prods, p)
				weights = append(weights, (g.runs[p]*h+1e-9)/float64(len(gp.makers)))
			}
		}
		if len(sites) == 0 || len(prods) == 0 {
			continue
		}
		g.dealRecipes(sites, prods, weights, made)
	}

	size := make([]float64, len(g.w.Sites))
	for i := range size {
		size[i] = math.Exp(0.5 * g.rng.NormFloat64())
	}
	total := make([]float64, len(g.products))
	for i, ps := range made {
		for _, p := range ps {
			total[p] += size[i]
		}
	}
	g.siteDemand = make([][]shours, len(g.w.Sites))
	for i, ps := range made {
		s := &g.w.Sites[i]
		for _, p := range ps {
			gp := &g.products[p]
			r := Recipe{ID: s.ID + "-" + gp.ID, Site: s.ID, Outputs: map[string]float64{gp.ID: gp.out}}
			if len(gp.in) > 0 {
				r.Inputs = make(map[string]float64, len(gp.in))
				for _, x := range gp.in {
					r.Inputs[g.products[x.p].ID] += x.q
				}
			}
			r.Labor = make(map[string]float64, len(gp.labour))
			for _, l := range gp.labour {
				r.Labor[g.skills[l.s].ID] += max(0.1, math.Round(l.h*(0.85+0.3*g.rng.Float64())*10)/10)
			}
			share := g.runs[p] * size[i] / total[p]
			for _, l := range gp.labour {
				g.siteDemand[i] = append(g.siteDemand[i], shours{l.s, share * l.h})
			}
			runs := math.Max(1, math.Ceil(share*capacitySlack))
			r.MaxRuns = &runs
			g.w.Recipes = append(g.w.Recipes, r)
		}
	}
	g.stocks()
}

// dealRecipes shares the recipe slots of one class's sites among its
// products and deals them out, in rounds so that every site gets one
// before any gets a second, never the same product twice at a site.
func (g *generator) dealRecipes(sites, prods []int, weights []float64, made [][]int) {
	slots := make([]int, len(sites))
	sum := 0
	cum := genCumulative(recipeCounts)
	for i := range slots {
		slots[i] = min(1+genDraw(g.rng.Float64(), cum), len(prods))
		sum += slots[i]
	}
	for i := 0; sum < len(prods) && i < 4*len(sites); i++ {
		if j := i % len(sites); slots[j] < min(4, len(prods)) {
			slots[j]++
			sum++
		}
	}
	order := make([]int, len(prods))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(weights[b], weights[a]) })
	ordered := make([]float64, len(prods))
	for i, j := range order {
		ordered[i] = weights[j]
	}
	counts := genApportion(sum, ordered, nil)
	var tokens []int
	for i, k := range counts {
		for range min(k, len(sites)) {
			tokens = append(tokens, prods[order[i]])
		}
	}
	g.rng.Shuffle(len(tokens), func(i, j int) { tokens[i], tokens[j] = tokens[j], tokens[i] })
	for round := range 4 {
		for i, s := range sites {
			if slots[i] <= round {
				continue
			}
			for j, t := range tokens {
				if !slices.Contains(made[s], t) {
					made[s] = append(made[s], t)
					tokens = slices.Delete(tokens, j, j+1)
					break
				}
			}
		}
	}
}

// stocks: what only stocks provide (ink) at the sites using it, enough
// for their capacity; staples at depots; and at every site, a fifth to
// three fifths of the inputs of a week's expected work already on hand.
func (g *generator) stocks() {
	held := map[[2]string]float64{}
	var order [][2]string
	hold := func(site, product string, q float64) {
		if q = genRoundQty(q); q <= 0 {
			return
		}
		k := [2]string{site, product}
		if _, ok := held[k]; !ok {
			order = append(order, k)
		}
		held[k] += q
	}
	for _, r := range g.w.Recipes {
		expected := *r.MaxRuns / capacitySlack
		for id, q := range genSortedKeys(r.Inputs) {
			if len(g.products[g.byID[id]].makers) == 0 {
				hold(r.Site, id, *r.MaxRuns*q*(0.9+0.3*g.rng.Float64()))
			} else {
				hold(r.Site, id, expected*q*(0.2+0.4*g.rng.Float64()))
			}
		}
	}
	var depots []int
	for i, c := range g.siteClass {
		if c == depotSite {
			depots = append(depots, i)
		}
	}
	for _, d := range depots {
		for _, id := range depotStaples {
			if p, ok := g.byID[id]; ok {
				hold(g.w.Sites[d].ID, id, 0.05*g.gross[p]/float64(len(depots))*(0.5+g.rng.Float64()))
			}
		}
	}
	for _, k := range order {
		g.w.Stocks = append(g.w.Stocks, Stock{Site: k[0], Product: k[1], Qty: held[k]})
	}
}

// genSortedKeys iterates over a map in key order, for determinism.
func genSortedKeys(m map[string]float64) func(func(string, float64) bool) {
	return func(yield func(string, float64) bool) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

// genRoundQty keeps quantities readable: whole units from 10 up, two
// decimals below.
func genRoundQty(q float64) float64 {
	if q >= 10 {
		return math.Round(q)
	}
	return math.Round(q*100) / 100
}

// genApportion shares total among weights by largest remainders, after
// giving one to each entry with a positive weight, in the order first
// lists them (all entries in order when first is nil), while any is left.
func genApportion(total int, weights []float64, first []int) []int {
	counts := make([]int, len(weights))
	if first == nil {
		first = make([]int, len(weights))
		for i := range first {
			first[i] = i
		}
	}
	for _, i := range first {
		if total > 0 && weights[i] > 0 {
			counts[i]++
			total--
		}
	}
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	if total <= 0 || sum <= 0 {
		return counts
	}
	rem := make([]float64, len(weights))
	left := total
	for i, w := range weights {
		q := float64(total) * w / sum
		counts[i] += int(q)
		left -= int(q)
		rem[i] = q - math.Floor(q)
	}
	idx := make([]int, len(weights))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for _, i := range idx[:left] {
		counts[i]++
	}
	return counts
}

// genInterleave returns counts[c] copies of each class c, in an order
// where every prefix holds about its share of each (the class furthest
// behind its share comes next).
func genInterleave(counts []int) []siteClass {
	total := 0
	for _, k := range counts {
		total += k
	}
	out := make([]siteClass, 0, total)
	given := make([]int, len(counts))
	for t := range total {
		best, gap := -1, math.Inf(-1)
		for c, k := range counts {
			if given[c] < k {
				if d := float64(k)*float64(t+1)/float64(total) - float64(given[c]); d > gap {
					best, gap = c, d
				}
			}
		}
		out = append(out, siteClass(best))
		given[best]++
	}
	return out
}

func genItoa(n int) string { return genPadID("", n, 1) }
