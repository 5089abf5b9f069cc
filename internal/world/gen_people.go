package world

import (
	"math"
	"slices"
	"sort"

	"github.com/commune-org/commune/internal/geo"
)

// Members of a generated world: where they live, what they need, and
// what they commit.

// Cell lengths of members' homes: mostly 5 characters (about 5 km),
// some 6 (about 1 km) and some 4 (about 30 km).
const (
	fineCellShare   = 0.03
	coarseCellShare = 0.05
)

// Committed hours are drawn from these (most people give a few hours a
// week, some a full week); then, if that is more than hoursRatio times
// the hours the needs take, some members commit nothing this week, and
// if it is less, everyone's hours are scaled up.
var (
	hourValues  = []float64{0, 2, 4, 6, 8, 10, 12, 16, 20, 30, 40}
	hourWeights = []float64{15, 16, 17, 14, 12, 8, 6, 4, 3, 3, 2}
)

const hoursRatio = 1.25

// activeNeed is a need spec whose product is in the world.
type activeNeed struct {
	spec    *needSpec
	product int // the base product
	varies  []int
}

// members places every member and draws their needs; commitments come
// later, once the labour the needs take is known.
func (g *generator) members() {
	n := g.opt.Members
	ids := newGenIDs("m-", n, genIDWidth(n))
	g.needWidth = genIDWidth(6*n + 3*g.opt.Sites)
	g.demand = make([]float64, len(g.products))
	g.w.Members = make([]Member, n)
	g.memberPlace = make([]int32, n)
	g.w.Needs = make([]Need, 0, 4*n+n/100+3*g.opt.Sites) // 4 a member on average

	var active []activeNeed
	for i := range needSpecs {
		if p, ok := g.byID[needSpecs[i].product]; ok {
			active = append(active, activeNeed{&needSpecs[i], p, g.variantsOf(p)})
		}
	}
	for i := range n {
		pi := g.drawPlace()
		p := &g.places[pi]
		lat, lon := g.scatter(p, 1)
		length := 5
		switch r := g.rng.Float64(); {
		case r < fineCellShare:
			length = 6
		case r > 1-coarseCellShare:
			length = 4
		}
		m := &g.w.Members[i]
		m.ID = ids.at(i)
		m.Cell = geo.Encode(lat, lon, length)
		m.Collectives = p.collective
		g.memberPlace[i] = int32(pi)
		g.memberNeeds(m.ID, pi, active)
	}
}

func (g *generator) variantsOf(p int) []int {
	if p < len(g.variants) {
		return g.variants[p]
	}
	return nil
}

// memberNeeds draws 2 to 6 needs (fewer if the world has fewer products
// to need), without replacement, weighted by how common each need is.
// A need for a good with varieties is for the base product half the
// time, else mostly for the variety the member's neighbourhood prefers.
func (g *generator) memberNeeds(member string, place int, active []activeNeed) {
	k := min(2+g.rng.IntN(5), len(active))
	total := 0.0
	for _, a := range active {
		total += a.spec.weight
	}
	var taken uint64
	for ; k > 0; k-- {
		u := g.rng.Float64() * total
		j := 0
		for ; j < len(active)-1; j++ {
			if taken&(1<<j) != 0 {
				continue
			}
			if u -= active[j].spec.weight; u < 0 {
				break
			}
		}
		for taken&(1<<j) != 0 { // rounding at the end of the list
			j--
		}
		taken |= 1 << j
		total -= active[j].spec.weight
		a := &active[j]
		p := a.product
		if v := a.varies; len(v) > 0 {
			switch r := g.rng.Float64(); {
			case r < 0.35:
				p = v[(place*7+j)%len(v)]
			case r < 0.5:
				p = v[g.rng.IntN(len(v))]
			}
		}
		q := a.spec.qty[g.rng.IntN(len(a.spec.qty))]
		g.addNeed(Need{Member: member, Product: g.products[p].ID, Qty: q, Tier: a.spec.tier}, p)
	}
}

// addNeed adds a need, numbered once all are made.
func (g *generator) addNeed(n Need, p int) {
	g.w.Needs = append(g.w.Needs, n)
	g.demand[p] += n.Qty
}

// drawPlace draws a place by the number of people living there.
func (g *generator) drawPlace() int { return genDraw(g.rng.Float64(), g.placeCum) }

// commitments gives every member an occupation, a reach and hours, so
// that the hours committed add up to hoursRatio times the hours the needs
// take, and the occupations of the people of each place follow the work
// to be done near it.
func (g *generator) commitments() {
	n := len(g.w.Members)
	if n == 0 {
		return
	}
	want := g.localDemand()
	cum := make([][]float64, len(g.places))
	for pi := range g.places {
		cum[pi] = genCumulative(g.fitProfiles(want[pi]))
	}
	raw := make([]float64, n)
	idle := make([]float64, n) // a member commits nothing if idle < the idle share
	hourCum := genCumulative(hourWeights)
	for i := range g.w.Members {
		pi := g.memberPlace[i]
		p := &g.profiles[genDraw(g.rng.Float64(), cum[pi])]
		c := &g.w.Members[i].Commitment
		c.Skills = p.skills
		c.MaxKm = p.reach[g.reachIndex(pi, len(p.reach))]
		raw[i] = hourValues[genDraw(g.rng.Float64(), hourCum)]
		idle[i] = g.rng.Float64()
	}
	need := 0.0
	for _, h := range g.skillHours {
		need += h
	}
	share, f := calibrate(raw, idle, hoursRatio*need)
	for i := range g.w.Members {
		if idle[i] >= share {
			g.w.Members[i].Commitment.Hours = min(40, math.Round(raw[i]*f))
		}
	}
}

// localKm is the distance over which the work of a site draws workers
// (the work near a place counts for its people with weight e^(-d/localKm)).
const localKm = 10

// localDemand returns, for each place, the share of each skill in the
// work to be done near it: the hours the sites' recipes take to meet the
// needs, weighted by distance, mixed with a little of the whole world's
// shares and a floor, so that every skill is offered somewhere. It takes
// places × sites distances, a few million at most.
func (g *generator) localDemand() [][]float64 {
	ns := len(g.skills)
	global := g.shares(g.skillHours)
	want := make([][]float64, len(g.places))
	for pi := range g.places {
		p := &g.places[pi]
		local := make([]float64, ns)
		for si, d := range g.siteDemand {
			if len(d) == 0 {
				continue
			}
			s := &g.w.Sites[si]
			k := math.Exp(-geo.Distance(p.lat, p.lon, s.Lat, s.Lon) / localKm)
			for _, x := range d {
				local[x.s] += k * x.h
			}
		}
		local = g.shares(local)
		for s := range local {
			local[s] = 0.002 + 0.2*global[s] + 0.8*local[s]
		}
		want[pi] = local
	}
	return want
}

// shares returns hours as shares of their total (zeros if there are none).
func (g *generator) shares(hours []float64) []float64 {
	x := slices.Clone(hours)
	genNormalize(x)
	return x
}

// fitProfiles returns drawing weights of the occupations under which the
// hours offered in each skill are shared as want says, members spreading
// their hours evenly over their skills (iterative proportional fitting).
func (g *generator) fitProfiles(want []float64) []float64 {
	want = g.shares(want)
	w := make([]float64, len(g.profiles))
	for i := range w {
		w[i] = 1
	}
	have := make([]float64, len(want))
	for range 60 {
		clear(have)
		for i := range g.profiles {
			p := &g.profiles[i]
			for _, s := range p.idx {
				have[s] += w[i] / float64(len(p.idx))
			}
		}
		genNormalize(have)
		for i := range g.profiles {
			lf := 0.0
			for _, s := range g.profiles[i].idx {
				lf += math.Log(want[s] / have[s])
			}
			w[i] *= math.Exp(lf / float64(len(g.profiles[i].idx)))
		}
		genNormalize(w)
	}
	return w
}

// reachIndex draws the position of a member's reach among their
// occupation's: how far people go depends on the transport where they
// live, so most of a place's members take its usual one.
func (g *generator) reachIndex(place int32, n int) int {
	if g.rng.Float64() < 0.6 {
		return min(int(g.places[place].transport), n-1)
	}
	return g.rng.IntN(n)
}

// calibrate returns the idle share and the scale factor that bring the
// total of the drawn hours to target: a share of idle members if there
// are more hours than needed, a factor above 1 (hours capped at 40) if
// there are fewer. Both totals are monotone, so bisection finds them.
func calibrate(raw, idle []float64, target float64) (share, f float64) {
	total := func(share, f float64) float64 {
		s := 0.0
		for i, h := range raw {
			if idle[i] >= share {
				s += min(40, math.Round(h*f))
			}
		}
		return s
	}
	if total(0, 1) <= target {
		lo, hi := 1.0, 20.0
		for range 40 {
			mid := (lo + hi) / 2
			if total(0, mid) < target {
				lo = mid
			} else {
				hi = mid
			}
		}
		return 0, hi
	}
	lo, hi := 0.0, 1.0 // total(lo) > target >= total(hi)
	for range 40 {
		mid := (lo + hi) / 2
		if total(mid, 1) > target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, 1
}

func genNormalize(x []float64) {
	s := 0.0
	for _, v := range x {
		s += v
	}
	if s > 0 {
		for i := range x {
			x[i] /= s
		}
	}
}

func genCumulative(w []float64) []float64 {
	c := slices.Clone(w)
	for i := 1; i < len(c); i++ {
		c[i] += c[i-1]
	}
	return c
}

// genDraw picks a position of a cumulative weight list with u uniform in
// [0, 1).
func genDraw(u float64, cum []float64) int {
	x := u * cum[len(cum)-1]
	return min(sort.Search(len(cum), func(i int) bool { return cum[i] > x }), len(cum)-1)
}
