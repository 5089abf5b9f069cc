package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/world"
)

// Demo is the demo organization: a world for the planner, and what the
// world file does not say about collectives and people.
type Demo struct {
	World       *world.World
	Collectives []Collective
	// People are the world's members, in the same order: their aliases
	// and languages.
	People []Person
	// Coordinators maps each collective to the member who coordinates
	// it.
	Coordinators map[string]string
	// Member, Coordinator and Organizer are the ids of the three people
	// the demo offers to sign in as: a member of Boyle Heights who lives
	// in its heart and takes urgent calls, its coordinator, and an
	// organizer.
	Member, Coordinator, Organizer string
	// Events are the demo's events, Articles its newspaper's, and
	// EditionTitle the title of the edition that prints those published
	// (gatherings.go).
	Events       []Event
	Articles     []Article
	EditionTitle string
}

// Collective is a collective's name and kind (workplace, school,
// neighbourhood), which the world file does not carry; and for a
// school, the hours during which its students count as available for
// urgent calls (in TZ).
type Collective struct {
	ID, Name, Kind string
	SchoolWeek     call.Week
	TZ             string
}

// Person is what a member is called and speaks, and how they take
// urgent calls (calls.go).
type Person struct {
	Alias, Language string
	Calls           CallSettings
}

// seed makes the demo the same on every machine.
const seed = 1886 // the year of the Haymarket affair, whence May Day

// Build returns the demo organization. It is deterministic.
func Build() *Demo {
	r := rand.New(rand.NewPCG(seed, 5))
	d := &Demo{World: &world.World{Format: world.Format, Period: "week"}, Coordinators: map[string]string{}}
	w := d.World
	w.Skills = skills()
	w.Products = products()
	for _, c := range cities {
		s := c.warehouse
		w.Sites = append(w.Sites, world.Site{ID: s.id, Name: s.name, Kind: world.SiteKind(s.kind), Lat: s.lat, Lon: s.lon})
		for _, p := range sortedKeys(c.stocks) {
			w.Stocks = append(w.Stocks, world.Stock{Site: s.id, Product: p, Qty: c.stocks[p]})
		}
	}
	for _, p := range places {
		d.Collectives = append(d.Collectives, Collective{ID: p.id, Name: p.name, Kind: p.kind})
		for _, s := range p.sites {
			w.Sites = append(w.Sites, world.Site{ID: s.id, Name: s.name, Kind: world.SiteKind(s.kind), Lat: s.lat, Lon: s.lon, Collective: p.id})
			for _, rc := range s.recipes {
				w.Recipes = append(w.Recipes, rc.world(s.id))
			}
		}
	}
	aliases := map[string]int{}
	for _, p := range places {
		d.members(r, p, aliases)
	}
	d.newspapers()
	d.Member = memberAt(w, "boyle-heights", d.Coordinators["boyle-heights"])
	d.Coordinator = d.Coordinators["boyle-heights"]
	d.Organizer = d.Coordinators["pico-union"]
	d.calls()
	d.events()
	d.news()
	return d
}

func (rc recipe) world(site string) world.Recipe {
	out := world.Recipe{ID: site + "-" + rc.id, Site: site, Outputs: rc.outputs, Inputs: rc.inputs, Labor: rc.labor}
	if rc.maxRuns > 0 {
		max := rc.maxRuns
		out.MaxRuns = &max
	}
	return out
}

// members adds the collective's members, their commitments and needs.
// The first member of each collective coordinates it.
func (d *Demo) members(r *rand.Rand, p place, aliases map[string]int) {
	w := d.World
	c := cities[p.city]
	// Workers and students live in the neighbourhoods of their city,
	// and belong to their neighbourhood's collective as well.
	var homes []place
	for _, q := range places {
		if q.city == p.city && q.kind == "neighbourhood" {
			homes = append(homes, q)
		}
	}
	for i := 0; i < p.members; i++ {
		home := p
		collectives := []string{p.id}
		if p.kind != "neighbourhood" && len(homes) > 0 {
			home = homes[r.IntN(len(homes))]
			if r.Float64() < 0.5 {
				collectives = append(collectives, home.id)
			}
		}
		lat, lon := jitter(r, home.lat, home.lon, 2.5)
		id := fmt.Sprintf("%s-%03d", p.id, i+1)
		name := c.names[r.IntN(len(c.names))]
		aliases[name]++
		d.People = append(d.People, Person{Alias: fmt.Sprintf("%s %d", name, aliases[name]), Language: c.language(r.Float64())})
		if i == 0 {
			d.Coordinators[p.id] = id
		}
		w.Members = append(w.Members, world.Member{
			ID:          id,
			Cell:        geo.Encode(lat, lon, 5),
			Collectives: collectives,
			Commitment:  commitment(r, p.skills),
		})
		d.needs(r, id, p)
	}
}

// commitment draws hours (a fifth commit nothing this week, most four
// to sixteen, a few up to forty), one to three skills from the
// collective's, most common first, and a reach of 3 to 25 km.
func commitment(r *rand.Rand, skills []string) world.Commitment {
	var hours float64
	switch x := r.Float64(); {
	case x < 0.2:
		hours = 0
	case x < 0.9:
		hours = float64(4 + r.IntN(13))
	default:
		hours = float64(17 + r.IntN(24))
	}
	n := 1 + r.IntN(3)
	var own []string
	for len(own) < n && len(own) < len(skills) {
		// Earlier skills are likelier: the minimum of two draws.
		s := skills[min(r.IntN(len(skills)), r.IntN(len(skills)))]
		if !slices.Contains(own, s) {
			own = append(own, s)
		}
	}
	return world.Commitment{Hours: hours, Skills: own, MaxKm: float64(3 + r.IntN(23))}
}

// needs adds a member's needs: meals for nearly everyone, clinic visits,
// childcare for parents, home repairs, rides, and clothes.
func (d *Demo) needs(r *rand.Rand, member string, p place) {
	w := d.World
	add := func(product string, qty float64, tier world.Tier) {
		w.Needs = append(w.Needs, world.Need{ID: fmt.Sprintf("n-%05d", len(w.Needs)+1), Member: member, Product: product, Qty: qty, Tier: tier})
	}
	if r.Float64() < 0.9 {
		add("meal", float64(5+r.IntN(10)), world.Essential)
	}
	if r.Float64() < 0.15 {
		add("clinic-visit", float64(1+r.IntN(2)), world.Essential)
	}
	if p.kind != "school" && r.Float64() < 0.15 {
		add("childcare-hour", float64(8+r.IntN(25)), world.Basic)
	}
	if r.Float64() < 0.07 {
		add("home-repair", 1, world.Basic)
	}
	if r.Float64() < 0.25 {
		add("ride", float64(2+r.IntN(5)), world.Basic)
	}
	if r.Float64() < 0.3 {
		add("clothes", float64(1+r.IntN(3)), world.Wanted)
	}
}

// newspapers adds each collective's copies of the paper, at its first
// site: one for every member, and a quarter more to hand out.
func (d *Demo) newspapers() {
	w := d.World
	count := map[string]int{}
	for _, m := range w.Members {
		for _, c := range m.Collectives {
			count[c]++
		}
	}
	for _, p := range places {
		if len(p.sites) == 0 {
			continue
		}
		copies := math.Ceil(float64(count[p.id]) * 1.25)
		w.Needs = append(w.Needs, world.Need{ID: fmt.Sprintf("n-%05d", len(w.Needs)+1), Site: p.sites[0].id,
			Product: "newspaper", Qty: copies, Tier: world.Basic})
	}
}

// memberOf returns the first member of the collective other than not.
func memberOf(w *world.World, collective, not string) string {
	for _, m := range w.Members {
		if m.ID != not && slices.Contains(m.Collectives, collective) {
			return m.ID
		}
	}
	return ""
}

// jitter moves a point by a normal draw of sd km in each direction.
func jitter(r *rand.Rand, lat, lon, sd float64) (float64, float64) {
	const kmPerDegree = 111.2
	dLat := r.NormFloat64() * sd / kmPerDegree
	dLon := r.NormFloat64() * sd / (kmPerDegree * math.Cos(lat*math.Pi/180))
	return lat + dLat, lon + dLon
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func skills() []world.Skill {
	return []world.Skill{
		{ID: "cook", Name: world.Names{"en": "Cooking", "es": "Cocina"}},
		{ID: "nurse", Name: world.Names{"en": "Nursing", "es": "Enfermería"}},
		{ID: "care", Name: world.Names{"en": "Childcare", "es": "Cuidado de niños"}},
		{ID: "build", Name: world.Names{"en": "Building and repair", "es": "Construcción y reparación"}},
		{ID: "drive", Name: world.Names{"en": "Driving", "es": "Conducción"}},
		{ID: "print", Name: world.Names{"en": "Printing", "es": "Imprenta"}},
		{ID: "sew", Name: world.Names{"en": "Sewing", "es": "Costura"}},
		{ID: "process", Name: world.Names{"en": "Food processing", "es": "Procesamiento de alimentos"}},
	}
}

func products() []world.Product {
	cost := func(x float64) *float64 { return &x }
	return []world.Product{
		{ID: "rice", Name: world.Names{"en": "Rice", "es": "Arroz"}, Unit: "kg", Kind: world.Good},
		{ID: "beans", Name: world.Names{"en": "Beans", "es": "Frijoles"}, Unit: "kg", Kind: world.Good},
		{ID: "maize", Name: world.Names{"en": "Maize", "es": "Maíz"}, Unit: "kg", Kind: world.Good},
		{ID: "masa", Name: world.Names{"en": "Masa", "es": "Masa"}, Unit: "kg", Kind: world.Good},
		{ID: "tortilla", Name: world.Names{"en": "Tortillas", "es": "Tortillas"}, Unit: "tortilla", Kind: world.Good, TransportCost: cost(0.00002)},
		{ID: "meal", Name: world.Names{"en": "Meal", "es": "Comida"}, Unit: "meal", Kind: world.Good, TransportCost: cost(0.002)},
		{ID: "clinic-visit", Name: world.Names{"en": "Clinic visit", "es": "Consulta médica"}, Unit: "visit", Kind: world.Service, ReachKm: 10},
		{ID: "childcare-hour", Name: world.Names{"en": "Childcare", "es": "Cuidado de niños"}, Unit: "hour", Kind: world.Service, ReachKm: 6},
		{ID: "home-repair", Name: world.Names{"en": "Housing repair", "es": "Reparación de vivienda"}, Unit: "job", Kind: world.Service, ReachKm: 15},
		{ID: "ride", Name: world.Names{"en": "Ride", "es": "Viaje"}, Unit: "ride", Kind: world.Service, ReachKm: 20},
		{ID: "materials", Name: world.Names{"en": "Building materials", "es": "Materiales de construcción"}, Unit: "load", Kind: world.Good},
		{ID: "cloth", Name: world.Names{"en": "Cloth", "es": "Tela"}, Unit: "m", Kind: world.Good},
		{ID: "clothes", Name: world.Names{"en": "Clothes", "es": "Ropa"}, Unit: "piece", Kind: world.Good},
		{ID: "paper", Name: world.Names{"en": "Paper", "es": "Papel"}, Unit: "ream", Kind: world.Good},
		{ID: "ink", Name: world.Names{"en": "Ink", "es": "Tinta"}, Unit: "l", Kind: world.Good},
		{ID: "newspaper", Name: world.Names{"en": "Newspaper", "es": "Periódico"}, Unit: "copy", Kind: world.Good},
	}
}
