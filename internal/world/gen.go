package world

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// GenOptions are the size and place of a synthetic world.
type GenOptions struct {
	Members, Sites, Products, Skills int
	// Seed picks the world: the same options and seed give the same
	// world, byte for byte.
	Seed uint64
	// Area is "la" (neighbourhoods of Los Angeles, about 80 km across) or
	// "world" (cities on every continent); empty means "la".
	Area string
}

// Generate returns a synthetic world that looks like a small economy:
// farms, urban farms, mills, bakeries, kitchens, textile workshops,
// garment factories, clinics, childcare centres, schools, print shops,
// repair workshops and depots, making goods in chains (grain, flour,
// bread; cotton, cloth, clothes; vegetables, rice and beans, meals;
// timber, paper and ink, the newspaper) and services within a reach
// (clinic visits, childcare, school lessons, housing repair); members
// who come from a few dozen occupations, more often those of the work
// near their homes, commit 0 to 40 hours within 2 to 30 km of home, and
// need 2 to 6 things a week in the three tiers.
//
// Supply is set to meet demand with some room: the members commit about
// a quarter more hours than the recipes need to meet every need, sites
// can run about a third more than that, and hold some of their inputs;
// but not everyone lives near the work they can do, nor every need near
// a service. Products beyond the base catalogue are regional varieties
// that form chains of their own (bread-2 from flour-3, flour-3 from
// grain-2); skills beyond the base ones are specialities that recipes
// ask for.
//
// Generation takes time and memory linear in the number of members and
// needs, plus places × sites distances.
func Generate(opt GenOptions) (*World, error) {
	if opt.Area == "" {
		opt.Area = "la"
	}
	switch {
	case opt.Members < 0 || opt.Sites < 0 || opt.Products < 0 || opt.Skills < 0:
		return nil, fmt.Errorf("world: generate: negative count (members %d, sites %d, products %d, skills %d)",
			opt.Members, opt.Sites, opt.Products, opt.Skills)
	case opt.Products < 1 || opt.Skills < 1:
		return nil, fmt.Errorf("world: generate: want at least one product and one skill, got %d and %d", opt.Products, opt.Skills)
	case opt.Area != "la" && opt.Area != "world":
		return nil, fmt.Errorf("world: generate: unknown area %q: want la or world", opt.Area)
	}
	g := &generator{opt: opt, w: &World{Format: Format, Period: "week"}}
	g.phase(1)
	g.catalog()
	g.phase(2)
	g.layOut()
	g.phase(3)
	g.members()
	g.phase(4)
	g.sites()
	g.grossDemand()
	g.phase(5)
	g.recipes()
	ids := newGenIDs("n-", len(g.w.Needs), g.needWidth)
	for i := range g.w.Needs {
		g.w.Needs[i].ID = ids.at(i)
	}
	g.phase(6)
	g.commitments()

	g.w.Skills = g.skills
	g.w.Products = make([]Product, len(g.products))
	for i := range g.products {
		g.w.Products[i] = g.products[i].Product
	}
	return g.w, nil
}

// generator holds a world being made and what making it needs.
type generator struct {
	opt GenOptions
	rng *rand.Rand
	w   *World

	skills       []Skill
	skillParent  []int    // base skills: -1; specialised: the base skill refined
	skillProduct []string // specialised skills: the product they are for
	products     []genProduct
	byID         map[string]int
	variants     [][]int // base product position -> positions of its varieties
	profiles     []genProfile

	cities   []string
	places   []genPlace
	placeCum []float64 // cumulative place weights, to draw homes

	memberPlace []int32 // each member's place
	needWidth   int     // digits of need ids
	siteClass   []siteClass

	demand     []float64  // per product: needs
	gross      []float64  // per product: needs plus inputs of the runs that meet them
	runs       []float64  // per product: runs of its recipe that meet the needs
	skillHours []float64  // per skill: hours those runs take
	siteDemand [][]shours // per site: hours its share of those runs takes
}

// phase starts a random stream of its own for each step, so that what
// one step draws does not depend on how much the steps before it drew.
func (g *generator) phase(n uint64) {
	g.rng = rand.New(rand.NewPCG(g.opt.Seed, 0x9e3779b97f4a7c15*n))
}

// grossDemand works out, from the final demand, how many runs of each
// product's recipe meeting every need takes, what they consume, and the
// hours of each skill they take. Consumers are visited before their
// inputs (reverse topological order of the input graph).
func (g *generator) grossDemand() {
	n := len(g.products)
	g.gross = append([]float64(nil), g.demand...)
	g.runs = make([]float64, n)
	g.skillHours = make([]float64, len(g.skills))
	order := make([]int, 0, n)
	state := make([]uint8, n)
	var visit func(p int)
	visit = func(p int) {
		if state[p] != 0 {
			if state[p] == 1 {
				panic("world: generated products form a cycle")
			}
			return
		}
		state[p] = 1
		for _, x := range g.products[p].in {
			visit(x.p)
		}
		state[p] = 2
		order = append(order, p) // inputs first
	}
	for p := range n {
		visit(p)
	}
	for i := n - 1; i >= 0; i-- {
		p := &g.products[order[i]]
		if p.out == 0 {
			continue // from stocks only
		}
		r := g.gross[order[i]] / p.out
		g.runs[order[i]] = r
		for _, x := range p.in {
			g.gross[x.p] += r * x.q
		}
		for _, l := range p.labour {
			g.skillHours[l.s] += r * l.h
		}
	}
}

// genIDWidth is the number of digits of ids numbered up to n, at least 4.
func genIDWidth(n int) int {
	w := len(strconv.Itoa(n))
	return max(w, 4)
}

// genPadID returns prefix followed by n in width digits, with one allocation.
func genPadID(prefix string, n, width int) string {
	var buf [48]byte
	return string(genAppendID(buf[:0], prefix, n, width))
}

func genAppendID(b []byte, prefix string, n, width int) []byte {
	var d [20]byte
	ds := strconv.AppendInt(d[:0], int64(n), 10)
	b = append(b, prefix...)
	for i := len(ds); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, ds...)
}

// genIDs are the ids prefix1 to prefixN, zero-padded to the same width,
// kept as one string: a million ids are one allocation, not a million,
// which spares the garbage collector most of its work.
type genIDs struct {
	all string
	l   int
}

func newGenIDs(prefix string, n, width int) genIDs {
	width = max(width, len(strconv.Itoa(n)))
	var b strings.Builder
	l := len(prefix) + width
	b.Grow(n * l)
	var buf [48]byte
	for i := 1; i <= n; i++ {
		b.Write(genAppendID(buf[:0], prefix, i, width))
	}
	return genIDs{b.String(), l}
}

// at returns the id numbered i+1.
func (ids genIDs) at(i int) string { return ids.all[i*ids.l : (i+1)*ids.l] }
