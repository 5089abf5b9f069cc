package plan

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/world"
)

// Network sets how sparse the planner's graph is. Goods reach a need from
// its nearest sources and through the hub layer; workers reach a site only
// within their max_km. The zero value asks for the defaults.
type Network struct {
	// LaborSites: the nearest sites, per labour pool and skill, that the
	// pool may work at (all of them within the pool's reach). Default 12.
	LaborSites int
	// Sources: the nearest sources a need or a consuming site draws a
	// good from directly. Default 4.
	Sources int
	// ServiceSites: the nearest sites within reach a service need may be
	// served by. Default 8.
	ServiceSites int
	// HubLinks: the nearest other hubs each hub is linked to, beside a
	// spanning tree that keeps all hubs connected. Default 3.
	HubLinks int
}

func (n Network) withDefaults() Network {
	def := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	return Network{def(n.LaborSites, 12), def(n.Sources, 4), def(n.ServiceSites, 8), def(n.HubLinks, 3)}
}

// graph is the world indexed for planning: products, skills and sites by
// number, members aggregated into labour pools, needs into demand nodes,
// and the arcs along which work and goods may go.
type graph struct {
	w   *world.World
	net Network

	product map[string]int
	skill   map[string]int
	site    map[string]int
	member  map[string]int

	sitePt  []geo.Point
	cellPt  map[string]geo.Point
	service []bool // by product

	stock map[[2]int]float64 // (site, product) → qty

	pools   []pool
	demands []demand
	hubs    []int // sites that carry goods between regions

	nodes     []laborNode
	labor     []laborArc
	feeds     []feedArc
	flows     []flowArc
	transfers []transferArc
}

// pool is members who share a home cell, a skill set and the sites they
// can reach; any division of the pool's hours among its arcs can be split
// back among its members exactly.
type pool struct {
	cell    string
	skills  []int
	reachKm float64 // the farthest site any arc of the pool may go to
	members []int
	hours   float64
}

// demand is the needs of one product and tier at one place; they share
// every allocation in proportion to their quantities.
type demand struct {
	site    int // the site of a collective's need, or -1 for a cell
	cell    string
	pt      geo.Point
	product int
	tier    int
	qty     float64
	needs   []int
}

// laborNode is where the pools of one cell that offer one skill pool
// their hours for the sites of one band of distance. The sites a pool
// may work at in a skill are a prefix of the cell's nearest sites that
// need it (the nearest LaborSites within the pool's reach), so the pools
// of a cell share one chain of nodes per skill, outermost band first:
// each node has the arcs to the sites of its band and passes the rest of
// its hours to the next band in (inner), and a pool feeds the node of
// the farthest band it reaches. Each (cell, skill, site) arc is then in
// the LP once, instead of once per pool of the cell, and any flow on the
// chain splits back onto the pools (see repair): an hour passed inwards
// may only go nearer the cell.
type laborNode struct {
	cell  string
	skill int
	inner int   // the node of the next band in, or -1
	pool  int   // the node's only feeder when no band outside passes it hours: the pool's row is the node's, or -1
	pools []int // the pools that feed the node
}

// laborArc is a labour arc: hours from a node to a site that needs the
// node's skill, km from the node's cell.
type laborArc struct {
	node, site, skill int
	km                float64
}

// feedArc is the hours pool gives to node (for a node with pool < 0).
type feedArc struct {
	pool, node int
}

type flowArc struct {
	site, demand int
	km           float64
}

type transferArc struct {
	product, from, to int
	km                float64
}

func tierIndex(t world.Tier) int {
	switch t {
	case world.Essential:
		return 0
	case world.Basic:
		return 1
	}
	return 2
}

func newGraph(w *world.World, net Network) (*graph, error) {
	g := &graph{
		w: w, net: net.withDefaults(),
		product: make(map[string]int, len(w.Products)),
		skill:   make(map[string]int, len(w.Skills)),
		site:    make(map[string]int, len(w.Sites)),
		member:  make(map[string]int, len(w.Members)),
		cellPt:  map[string]geo.Point{},
		stock:   map[[2]int]float64{},
	}
	for i, p := range w.Products {
		g.product[p.ID] = i
		g.service = append(g.service, p.Kind == world.Service)
	}
	for i, s := range w.Skills {
		g.skill[s.ID] = i
	}
	for i, s := range w.Sites {
		g.site[s.ID] = i
		g.sitePt = append(g.sitePt, geo.Point{Lat: s.Lat, Lon: s.Lon})
	}
	for i, m := range w.Members {
		g.member[m.ID] = i
		if _, ok := g.cellPt[m.Cell]; !ok {
			lat, lon, err := geo.Center(m.Cell)
			if err != nil {
				return nil, err
			}
			g.cellPt[m.Cell] = geo.Point{Lat: lat, Lon: lon}
		}
	}
	for _, s := range w.Stocks {
		if s.Qty > 0 {
			g.stock[[2]int{g.site[s.Site], g.product[s.Product]}] += s.Qty
		}
	}
	g.buildPools()
	g.buildDemands()
	g.buildHubs()
	g.buildGoods()
	return g, nil
}

// skillSites lists, per skill, the sites whose recipes use it.
func (g *graph) skillSites() [][]int {
	seen := map[[2]int]bool{}
	out := make([][]int, len(g.w.Skills))
	for _, r := range g.w.Recipes {
		s := g.site[r.Site]
		for k := range r.Labor {
			key := [2]int{g.skill[k], s}
			if !seen[key] {
				seen[key] = true
				out[key[0]] = append(out[key[0]], s)
			}
		}
	}
	for _, l := range out {
		slices.Sort(l)
	}
	return out
}

// subIndex is a nearest-neighbour index over a subset of the sites.
type subIndex struct {
	sites []int
	ix    *geo.Index
}

func (g *graph) index(sites []int) subIndex {
	pts := make([]geo.Point, len(sites))
	for i, s := range sites {
		pts[i] = g.sitePt[s]
	}
	return subIndex{sites, geo.NewIndex(pts)}
}

// buildPools groups members by (cell, skill set, farthest useful site in
// reach) and links each pool, per skill, to the nearest sites in reach
// that need the skill, through the chains of labour nodes its cell
// shares (buildChains).
func (g *graph) buildPools() {
	perSkill := g.skillSites()
	ixs := make([]subIndex, len(perSkill))
	for k, sites := range perSkill {
		ixs[k] = g.index(sites)
	}
	// A group is the members of one cell with one skill set; ds are the
	// distances of the useful sites within the largest reach any of them
	// has, ascending. A member's reach picks a prefix of ds, and so their
	// pool.
	type groupKey struct{ cell, skills string }
	type group struct {
		cell   string
		skills []int
		reach  float64
		ds     []float64
	}
	var groups []group
	byGroup := map[groupKey]int{}
	memberGroup := make([]int, len(g.w.Members)) // -1: offers no work
	for i := range g.w.Members {
		m := &g.w.Members[i]
		memberGroup[i] = -1
		if m.Commitment.Hours <= 0 || len(m.Commitment.Skills) == 0 {
			continue
		}
		ks := make([]int, 0, len(m.Commitment.Skills))
		for _, s := range m.Commitment.Skills {
			ks = append(ks, g.skill[s])
		}
		slices.Sort(ks)
		ks = slices.Compact(ks)
		var b strings.Builder
		for _, k := range ks {
			fmt.Fprintf(&b, "%d,", k)
		}
		gk := groupKey{m.Cell, b.String()}
		gi, ok := byGroup[gk]
		if !ok {
			gi = len(groups)
			byGroup[gk] = gi
			groups = append(groups, group{cell: m.Cell, skills: ks})
		}
		groups[gi].reach = math.Max(groups[gi].reach, m.Commitment.MaxKm)
		memberGroup[i] = gi
	}
	for gi := range groups {
		gr := &groups[gi]
		pt := g.cellPt[gr.cell]
		for _, k := range gr.skills {
			for _, nb := range ixs[k].ix.Within(pt, gr.reach) {
				gr.ds = append(gr.ds, nb.Km)
			}
		}
		slices.Sort(gr.ds)
	}
	type poolKey struct {
		group int
		reach float64
	}
	byKey := map[poolKey]int{}
	for i, gi := range memberGroup {
		if gi < 0 {
			continue
		}
		m, gr := &g.w.Members[i], &groups[gi]
		n, _ := slices.BinarySearchFunc(gr.ds, m.Commitment.MaxKm, func(d, r float64) int {
			if d <= r {
				return -1
			}
			return 1
		})
		if n == 0 {
			continue // no site that needs their skills is within reach
		}
		pk := poolKey{gi, gr.ds[n-1]}
		p, ok := byKey[pk]
		if !ok {
			p = len(g.pools)
			byKey[pk] = p
			g.pools = append(g.pools, pool{cell: m.Cell, skills: gr.skills, reachKm: gr.ds[n-1]})
		}
		g.pools[p].members = append(g.pools[p].members, i)
		g.pools[p].hours += m.Commitment.Hours
	}
	g.buildChains(ixs)
}

// buildChains lays, per cell and skill, the chain of labour nodes its
// pools share (see laborNode).
func (g *graph) buildChains(ixs []subIndex) {
	type chainKey struct {
		cell  string
		skill int
	}
	var keys []chainKey
	chains := map[chainKey][]int{}
	for p, pl := range g.pools {
		for _, k := range pl.skills {
			ck := chainKey{pl.cell, k}
			if _, ok := chains[ck]; !ok {
				keys = append(keys, ck)
			}
			chains[ck] = append(chains[ck], p)
		}
	}
	for _, ck := range keys {
		pools := chains[ck]
		reach := 0.0
		for _, p := range pools {
			reach = math.Max(reach, g.pools[p].reachKm)
		}
		// A pool works, in this skill, at the nearest LaborSites sites
		// within its reach: the first n[i] of the nearest LaborSites
		// within the farthest reach of the cell's pools.
		nbs := ixs[ck.skill].ix.Nearest(g.cellPt[ck.cell], g.net.LaborSites, reach)
		n := make([]int, len(pools))
		var bands []int
		for i, p := range pools {
			n[i], _ = slices.BinarySearchFunc(nbs, g.pools[p].reachKm, func(nb geo.Neighbor, r float64) int {
				if nb.Km <= r {
					return -1
				}
				return 1
			})
			if n[i] > 0 {
				bands = append(bands, n[i])
			}
		}
		slices.Sort(bands)
		bands = slices.Compact(bands)
		slices.Reverse(bands)
		first := len(g.nodes)
		for b, hi := range bands {
			lo := 0
			if b+1 < len(bands) {
				lo = bands[b+1]
			}
			node := laborNode{cell: ck.cell, skill: ck.skill, inner: -1, pool: -1}
			if b+1 < len(bands) {
				node.inner = first + b + 1
			}
			for i, p := range pools {
				if n[i] == hi {
					node.pools = append(node.pools, p)
				}
			}
			id := len(g.nodes)
			if b == 0 && len(node.pools) == 1 {
				node.pool = node.pools[0]
			} else {
				for _, p := range node.pools {
					g.feeds = append(g.feeds, feedArc{pool: p, node: id})
				}
			}
			g.nodes = append(g.nodes, node)
			for _, nb := range nbs[lo:hi] {
				g.labor = append(g.labor, laborArc{node: id, site: ixs[ck.skill].sites[nb.I], skill: ck.skill, km: nb.Km})
			}
		}
	}
}

// buildDemands groups needs by (place, product, tier).
func (g *graph) buildDemands() {
	type key struct {
		site          int
		cell          string
		product, tier int
	}
	byKey := map[key]int{}
	for i, n := range g.w.Needs {
		k := key{site: -1, product: g.product[n.Product], tier: tierIndex(n.Tier)}
		var pt geo.Point
		if n.Site != "" {
			k.site = g.site[n.Site]
			pt = g.sitePt[k.site]
		} else {
			k.cell = g.w.Members[g.member[n.Member]].Cell
			pt = g.cellPt[k.cell]
		}
		d, ok := byKey[k]
		if !ok {
			d = len(g.demands)
			byKey[k] = d
			g.demands = append(g.demands, demand{site: k.site, cell: k.cell, pt: pt, product: k.product, tier: k.tier})
		}
		g.demands[d].qty += n.Qty
		g.demands[d].needs = append(g.demands[d].needs, i)
	}
}

// buildHubs picks the sites that carry goods between regions: the depots,
// or where a world has none, the most central site of each geohash-3 cell
// (about 150 km) that holds sites.
func (g *graph) buildHubs() {
	for i, s := range g.w.Sites {
		if s.Kind == world.Depot {
			g.hubs = append(g.hubs, i)
		}
	}
	if len(g.hubs) > 0 {
		return
	}
	regions := map[string][]int{}
	var names []string
	for i, pt := range g.sitePt {
		c := geo.Encode(pt.Lat, pt.Lon, 3)
		if _, ok := regions[c]; !ok {
			names = append(names, c)
		}
		regions[c] = append(regions[c], i)
	}
	if len(regions) < 2 {
		return
	}
	slices.Sort(names)
	for _, c := range names {
		sites := regions[c]
		var lat, lon float64
		for _, s := range sites {
			lat += g.sitePt[s].Lat
			lon += g.sitePt[s].Lon
		}
		mid := geo.Point{Lat: lat / float64(len(sites)), Lon: lon / float64(len(sites))}
		best := slices.MinFunc(sites, func(a, b int) int {
			return cmp.Compare(g.sitePt[a].Distance(mid), g.sitePt[b].Distance(mid))
		})
		g.hubs = append(g.hubs, best)
	}
}

// hubEdges links each hub to its nearest HubLinks hubs and adds a minimum
// spanning tree (Prim) so that every hub reaches every other.
func (g *graph) hubEdges() [][2]int {
	n := len(g.hubs)
	if n < 2 {
		return nil
	}
	seen := map[[2]int]bool{}
	var out [][2]int
	add := func(a, b int) {
		if a > b {
			a, b = b, a
		}
		if !seen[[2]int{a, b}] {
			seen[[2]int{a, b}] = true
			out = append(out, [2]int{a, b})
		}
	}
	hx := g.index(g.hubs)
	for i, h := range g.hubs {
		for _, nb := range hx.ix.Nearest(g.sitePt[h], g.net.HubLinks+1, geo.Unlimited) {
			if nb.I != i {
				add(i, nb.I)
			}
		}
	}
	in := make([]bool, n)
	best := make([]float64, n)
	from := make([]int, n)
	for i := range best {
		best[i] = math.Inf(1)
	}
	best[0] = 0
	for range n {
		u := -1
		for i := range n {
			if !in[i] && (u < 0 || best[i] < best[u]) {
				u = i
			}
		}
		in[u] = true
		if u != 0 {
			add(from[u], u)
		}
		for v := range n {
			if d := g.sitePt[g.hubs[u]].Distance(g.sitePt[g.hubs[v]]); !in[v] && d < best[v] {
				best[v], from[v] = d, u
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]int) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	for i := range out {
		out[i] = [2]int{g.hubs[out[i][0]], g.hubs[out[i][1]]}
	}
	return out
}

// buildGoods lays the arcs along which each product may go: services
// from the sites that produce them to needs within reach; goods from the
// nearest sources to needs and to consuming sites, and between regions
// through the hubs.
func (g *graph) buildGoods() {
	np := len(g.w.Products)
	sources := make([][]int, np)
	consumers := make([][]int, np)
	seenSrc := map[[2]int]bool{}
	seenUse := map[[2]int]bool{}
	staffed := map[[2]int]bool{} // (site, skill) some pool may work
	for _, a := range g.labor {
		staffed[[2]int{a.site, a.skill}] = true
	}
	// A recipe that can never run (no capacity, or a skill no pool
	// reaches) neither supplies nor consumes: linking needs to it would
	// crowd out the sources that can.
	viable := func(r *world.Recipe) bool {
		if r.MaxRuns != nil && *r.MaxRuns <= 0 {
			return false
		}
		for k := range r.Labor {
			if !staffed[[2]int{g.site[r.Site], g.skill[k]}] {
				return false
			}
		}
		return true
	}
	for i := range g.w.Recipes {
		r := &g.w.Recipes[i]
		if !viable(r) {
			continue
		}
		s := g.site[r.Site]
		for p := range r.Outputs {
			k := [2]int{g.product[p], s}
			if !seenSrc[k] {
				seenSrc[k] = true
				sources[k[0]] = append(sources[k[0]], s)
			}
		}
		for p := range r.Inputs {
			k := [2]int{g.product[p], s}
			if !seenUse[k] && !g.service[k[0]] {
				seenUse[k] = true
				consumers[k[0]] = append(consumers[k[0]], s)
			}
		}
	}
	for k := range g.stock {
		sp := [2]int{k[1], k[0]}
		if !seenSrc[sp] && !g.service[sp[0]] {
			seenSrc[sp] = true
			sources[sp[0]] = append(sources[sp[0]], sp[1])
		}
	}
	demandsOf := make([][]int, np)
	for d := range g.demands {
		demandsOf[g.demands[d].product] = append(demandsOf[g.demands[d].product], d)
	}
	var hubIx subIndex
	var hubLinks [][2]int
	if len(g.hubs) > 1 {
		hubIx = g.index(g.hubs)
		hubLinks = g.hubEdges()
	}
	hubOf := func(pt geo.Point) int {
		return g.hubs[hubIx.ix.Nearest(pt, 1, geo.Unlimited)[0].I]
	}
	for p := range np {
		slices.Sort(sources[p])
		slices.Sort(consumers[p])
		if len(sources[p]) == 0 {
			continue
		}
		src := g.index(sources[p])
		if g.service[p] {
			reach := g.w.Products[p].ReachKm
			for _, d := range demandsOf[p] {
				for _, nb := range src.ix.Nearest(g.demands[d].pt, g.net.ServiceSites, reach) {
					g.flows = append(g.flows, flowArc{site: src.sites[nb.I], demand: d, km: nb.Km})
				}
			}
			continue
		}
		flowSeen := map[[2]int]bool{}
		addFlow := func(s, d int) {
			if !flowSeen[[2]int{s, d}] {
				flowSeen[[2]int{s, d}] = true
				g.flows = append(g.flows, flowArc{site: s, demand: d, km: g.sitePt[s].Distance(g.demands[d].pt)})
			}
		}
		moveSeen := map[[2]int]bool{}
		addMove := func(a, b int) {
			if a != b && !moveSeen[[2]int{a, b}] {
				moveSeen[[2]int{a, b}] = true
				g.transfers = append(g.transfers, transferArc{product: p, from: a, to: b, km: g.sitePt[a].Distance(g.sitePt[b])})
			}
		}
		for _, d := range demandsOf[p] {
			for _, nb := range src.ix.Nearest(g.demands[d].pt, g.net.Sources, geo.Unlimited) {
				addFlow(src.sites[nb.I], d)
			}
		}
		for _, c := range consumers[p] {
			for _, nb := range src.ix.Nearest(g.sitePt[c], g.net.Sources+1, geo.Unlimited) {
				addMove(src.sites[nb.I], c)
			}
		}
		if len(hubLinks) == 0 {
			continue
		}
		// The hub layer, only for goods whose places span two regions.
		regions := map[int]bool{}
		for _, s := range sources[p] {
			regions[hubOf(g.sitePt[s])] = true
		}
		for _, c := range consumers[p] {
			regions[hubOf(g.sitePt[c])] = true
		}
		for _, d := range demandsOf[p] {
			regions[hubOf(g.demands[d].pt)] = true
		}
		if len(regions) < 2 {
			continue
		}
		for _, s := range sources[p] {
			addMove(s, hubOf(g.sitePt[s]))
		}
		for _, c := range consumers[p] {
			addMove(hubOf(g.sitePt[c]), c)
		}
		for _, d := range demandsOf[p] {
			addFlow(hubOf(g.demands[d].pt), d)
		}
		for _, e := range hubLinks {
			addMove(e[0], e[1])
			addMove(e[1], e[0])
		}
	}
}
