package world

import (
	"fmt"
	"slices"
	"strings"
)

// The generator's catalog: the skills, the products with the one way each
// is made, the needs people have for them, and the occupations members
// come from. Quantities are per run and per week; they follow real orders
// of magnitude (a kitchen worker cooks about ten meals an hour, a carer
// looks after four children, a press prints a thousand copies in a few
// hours) so that the labour a world asks for is about what its members
// give.

// siteClass is what a generated site does; several classes share one
// SiteKind.
type siteClass int

const (
	farmSite siteClass = iota
	millSite
	bakerySite
	kitchenSite
	textileSite
	garmentSite
	clinicSite
	childcareSite
	schoolSite
	pressSite
	repairSite
	gardenSite
	depotSite
	numSiteClasses
)

var siteClasses = [numSiteClasses]struct {
	slug, name string
	kind       SiteKind
	weight     float64 // share of the sites of a world
}{
	farmSite:      {"farm", "farm", Workplace, 12},
	millSite:      {"mill", "mill", Workplace, 4},
	bakerySite:    {"bakery", "bakery", Workplace, 8},
	kitchenSite:   {"kitchen", "community kitchen", Workplace, 16},
	textileSite:   {"textile", "textile workshop", Workplace, 4},
	garmentSite:   {"garment", "garment factory", Workplace, 6},
	clinicSite:    {"clinic", "clinic", Workplace, 10},
	childcareSite: {"childcare", "childcare centre", Workplace, 7},
	schoolSite:    {"school", "school", School, 8},
	pressSite:     {"press", "print shop", Workplace, 1.5},
	repairSite:    {"repair", "repair workshop", Workplace, 5},
	gardenSite:    {"garden", "urban farm", Workplace, 6},
	depotSite:     {"depot", "depot", Depot, 0}, // counted apart, see depotCount
}

// sitePriority is the order in which site classes get their first site
// when a world has few sites: food and health first.
var sitePriority = []siteClass{kitchenSite, farmSite, clinicSite, bakerySite, millSite,
	schoolSite, childcareSite, garmentSite, textileSite, pressSite, repairSite, gardenSite}

// Base skills, in fallback order: a world with fewer skills than these
// folds each missing skill into its fallback, which always comes earlier.
const (
	skCook = iota
	skFarm
	skDrive
	skNurse
	skTeach
	skChildcare
	skSew
	skBake
	skMill
	skWeave
	skPrint
	skBuild
	numBaseSkills
)

type skillSpec struct {
	id, en, es string
	parent     int    // base skills: fallback; specialised skills: the skill they refine
	product    string // specialised skills: the product whose recipes need them
}

var baseSkills = [numBaseSkills]skillSpec{
	skCook:      {"cook", "Cooking", "Cocina", -1, ""},
	skFarm:      {"farm", "Farming", "Agricultura", skCook, ""},
	skDrive:     {"drive", "Driving", "Conducción", skFarm, ""},
	skNurse:     {"nurse", "Nursing", "Enfermería", skCook, ""},
	skTeach:     {"teach", "Teaching", "Enseñanza", skNurse, ""},
	skChildcare: {"childcare", "Childcare", "Cuidado infantil", skTeach, ""},
	skSew:       {"sew", "Sewing", "Costura", skCook, ""},
	skBake:      {"bake", "Baking", "Panadería", skCook, ""},
	skMill:      {"mill", "Milling", "Molienda", skFarm, ""},
	skWeave:     {"weave", "Weaving", "Tejeduría", skSew, ""},
	skPrint:     {"print", "Printing", "Imprenta", skDrive, ""},
	skBuild:     {"build", "Building and repair", "Construcción y reparación", skDrive, ""},
}

// specialSkills are added, in order, when a world asks for more skills
// than the base ones; beyond them come numbered specialities.
var specialSkills = []skillSpec{
	{"pastry", "Pastry", "Repostería", skBake, "cake"},
	{"tailoring", "Tailoring", "Sastrería", skSew, "clothes"},
	{"midwifery", "Midwifery", "Partería", skNurse, "clinic-visit"},
	{"irrigation", "Irrigation", "Riego", skFarm, "vegetables"},
	{"carpentry", "Carpentry", "Carpintería", skBuild, "housing-repair"},
	{"typesetting", "Typesetting", "Composición tipográfica", skPrint, "newspaper"},
	{"dairy", "Dairy", "Lechería", skFarm, "milk"},
	{"forklift", "Forklift operation", "Manejo de montacargas", skDrive, "flour"},
	{"plumbing", "Plumbing", "Plomería", skBuild, "housing-repair"},
	{"dyeing", "Dyeing", "Tintorería", skWeave, "cloth"},
	{"early-education", "Early education", "Educación inicial", skChildcare, "childcare"},
	{"special-education", "Special education", "Educación especial", skTeach, "school-lesson"},
	{"pharmacy", "Pharmacy", "Farmacia", skNurse, "clinic-visit"},
	{"nutrition", "Nutrition", "Nutrición", skCook, "meal"},
	{"bookbinding", "Bookbinding", "Encuadernación", skPrint, "book"},
	{"electrical", "Electrical work", "Electricidad", skBuild, "housing-repair"},
	{"machine-repair", "Machine repair", "Reparación de máquinas", skMill, "paper"},
	{"knitting", "Knitting", "Tejido de punto", skWeave, "blanket"},
	{"beekeeping", "Beekeeping", "Apicultura", skFarm, "fruit"},
	{"shoemaking", "Shoemaking", "Zapatería", skSew, "shoes"},
	{"cheesemaking", "Cheesemaking", "Quesería", skCook, "cheese"},
}

type specQty struct {
	id string
	q  float64
}

type specLabour struct {
	skill int // base skill
	h     float64
}

// productSpec is a base product and the one way it is made: per run,
// out units from the inputs and labour hours, at a site of one of the
// makers' classes. Products nobody makes come only from stocks.
type productSpec struct {
	id, en, es, unit string
	service          bool
	reachKm          float64 // services
	cost             float64 // goods: transport cost per unit and km
	makers           []siteClass
	out              float64
	in               []specQty
	labour           []specLabour
}

// baseProducts are in an order where every product's inputs come before
// it, so that the first n form a world of their own.
var baseProducts = []productSpec{
	{"grain", "Grain", "Grano", "kg", false, 0, 0.0002, genClasses(farmSite), 1000, nil, genLabour(skFarm, 20, skDrive, 2)},
	{"flour", "Flour", "Harina", "kg", false, 0, 0.0002, genClasses(millSite), 1000, genInputs("grain", 1250), genLabour(skMill, 6, skDrive, 2)},
	{"bread", "Bread", "Pan", "loaf", false, 0, 0.001, genClasses(bakerySite), 100, genInputs("flour", 50), genLabour(skBake, 6, skDrive, 1)},
	{"vegetables", "Vegetables", "Verduras", "kg", false, 0, 0.0005, genClasses(farmSite, gardenSite), 400, nil, genLabour(skFarm, 30, skDrive, 2)},
	{"rice", "Rice", "Arroz", "kg", false, 0, 0.0002, genClasses(farmSite), 500, nil, genLabour(skFarm, 25, skDrive, 2)},
	{"beans", "Beans", "Frijoles", "kg", false, 0, 0.0002, genClasses(farmSite), 400, nil, genLabour(skFarm, 25, skDrive, 2)},
	{"meal", "Meal", "Comida", "meal", false, 0, 0.002, genClasses(kitchenSite), 100, genInputs("vegetables", 20, "rice", 10, "beans", 8), genLabour(skCook, 10, skDrive, 2)},
	{"clinic-visit", "Clinic visit", "Consulta médica", "visit", true, 10, 0, genClasses(clinicSite), 10, nil, genLabour(skNurse, 5)},
	{"cotton", "Cotton", "Algodón", "kg", false, 0, 0.0003, genClasses(farmSite), 200, nil, genLabour(skFarm, 20, skDrive, 2)},
	{"cloth", "Cloth", "Tela", "m", false, 0, 0.0005, genClasses(textileSite), 100, genInputs("cotton", 40), genLabour(skWeave, 10)},
	{"clothes", "Clothes", "Ropa", "garment", false, 0, 0.001, genClasses(garmentSite), 20, genInputs("cloth", 30), genLabour(skSew, 20)},
	{"childcare", "Childcare", "Cuidado infantil", "child-day", true, 5, 0, genClasses(childcareSite, schoolSite), 10, genInputs("meal", 10), genLabour(skChildcare, 20)},
	{"timber", "Timber", "Madera", "m3", false, 0, 0.02, genClasses(farmSite), 5, nil, genLabour(skFarm, 12, skDrive, 4)},
	{"paper", "Paper", "Papel", "ream", false, 0, 0.002, genClasses(millSite), 150, genInputs("timber", 2), genLabour(skMill, 8)},
	{"ink", "Ink", "Tinta", "l", false, 0, 0.001, nil, 0, nil, nil},
	{"newspaper", "Newspaper", "Periódico", "copy", false, 0, 0.0001, genClasses(pressSite), 1000, genInputs("paper", 20, "ink", 4), genLabour(skPrint, 6, skDrive, 10)},
	{"school-lesson", "School lessons", "Clases escolares", "pupil-day", true, 8, 0, genClasses(schoolSite), 25, genInputs("paper", 0.5), genLabour(skTeach, 5)},
	{"housing-repair", "Housing repair", "Reparación de vivienda", "hour", true, 15, 0, genClasses(repairSite), 8, genInputs("timber", 0.5), genLabour(skBuild, 8)},
	{"maize", "Maize", "Maíz", "kg", false, 0, 0.0002, genClasses(farmSite), 800, nil, genLabour(skFarm, 16, skDrive, 2)},
	{"tortillas", "Tortillas", "Tortillas", "kg", false, 0, 0.001, genClasses(bakerySite, kitchenSite), 70, genInputs("maize", 50), genLabour(skCook, 5)},
	{"milk", "Milk", "Leche", "l", false, 0, 0.001, genClasses(farmSite), 500, nil, genLabour(skFarm, 25)},
	{"eggs", "Eggs", "Huevos", "dozen", false, 0, 0.001, genClasses(farmSite, gardenSite), 200, nil, genLabour(skFarm, 16)},
	{"cake", "Cake", "Pastel", "cake", false, 0, 0.002, genClasses(bakerySite), 40, genInputs("flour", 10, "eggs", 5, "milk", 10), genLabour(skBake, 8)},
	{"cheese", "Cheese", "Queso", "kg", false, 0, 0.001, genClasses(kitchenSite), 10, genInputs("milk", 100), genLabour(skCook, 6)},
	{"fruit", "Fruit", "Fruta", "kg", false, 0, 0.0005, genClasses(farmSite, gardenSite), 300, nil, genLabour(skFarm, 30, skDrive, 2)},
	{"coffee", "Coffee", "Café", "kg", false, 0, 0.0005, genClasses(farmSite), 50, nil, genLabour(skFarm, 40)},
	{"leather", "Leather", "Cuero", "m2", false, 0, 0.0005, genClasses(farmSite), 20, nil, genLabour(skFarm, 15)},
	{"shoes", "Shoes", "Zapatos", "pair", false, 0, 0.001, genClasses(garmentSite), 10, genInputs("leather", 5, "cloth", 2), genLabour(skSew, 15)},
	{"blanket", "Blanket", "Cobija", "blanket", false, 0, 0.002, genClasses(textileSite), 5, genInputs("cloth", 10), genLabour(skWeave, 3)},
	{"book", "Book", "Libro", "book", false, 0, 0.0005, genClasses(pressSite), 10, genInputs("paper", 2, "ink", 0.2), genLabour(skPrint, 5)},
}

func genClasses(c ...siteClass) []siteClass { return c }

func genInputs(kv ...any) []specQty {
	var q []specQty
	for i := 0; i < len(kv); i += 2 {
		q = append(q, specQty{kv[i].(string), toFloat(kv[i+1])})
	}
	return q
}

func genLabour(kv ...float64) []specLabour {
	var l []specLabour
	for i := 0; i < len(kv); i += 2 {
		l = append(l, specLabour{int(kv[i]), kv[i+1]})
	}
	return l
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case int:
		return float64(v)
	case float64:
		return v
	}
	panic(fmt.Sprintf("world: quantity %v is not a number", v))
}

// needSpec is how often a member needs a product in a week (weight, for
// drawing without replacement among the products present) and how much.
type needSpec struct {
	product string
	tier    Tier
	weight  float64
	qty     []float64
}

var needSpecs = []needSpec{
	{"meal", Essential, 60, []float64{7, 10, 14, 14, 21}},
	{"bread", Essential, 0.55, []float64{2, 3, 4}},
	{"vegetables", Essential, 0.4, []float64{2, 3, 5}},
	{"clinic-visit", Essential, 0.5, []float64{1}},
	{"tortillas", Essential, 0.3, []float64{1, 2}},
	{"clothes", Basic, 0.35, []float64{1, 2}},
	{"newspaper", Basic, 0.5, []float64{1}},
	{"childcare", Basic, 0.18, []float64{3, 5}},
	{"school-lesson", Basic, 0.2, []float64{5}},
	{"housing-repair", Basic, 0.12, []float64{2, 4, 8}},
	{"milk", Basic, 0.3, []float64{2, 4}},
	{"shoes", Basic, 0.08, []float64{1}},
	{"blanket", Wanted, 0.08, []float64{1}},
	{"cake", Wanted, 0.12, []float64{1}},
	{"cheese", Wanted, 0.12, []float64{0.5, 1}},
	{"coffee", Wanted, 0.15, []float64{0.25, 0.5}},
	{"fruit", Wanted, 0.25, []float64{2, 3}},
	{"eggs", Wanted, 0.2, []float64{1}},
	{"book", Wanted, 0.08, []float64{1}},
}

// profileSpecs are occupations: the skill sets members offer together.
// Sharing few of them is what lets the planner pool members by
// (cell, skills, reach).
var profileSpecs = [][]int{
	{skCook}, {skCook, skBake}, {skCook, skChildcare}, {skBake}, {skBake, skMill},
	{skFarm}, {skFarm, skDrive}, {skFarm, skMill}, {skMill}, {skMill, skDrive},
	{skDrive}, {skDrive, skBuild}, {skWeave}, {skWeave, skSew}, {skSew},
	{skSew, skChildcare}, {skNurse}, {skNurse, skChildcare}, {skTeach}, {skTeach, skChildcare},
	{skChildcare}, {skPrint}, {skPrint, skDrive}, {skBuild}, {skBuild, skFarm},
	{skCook, skDrive, skFarm}, {skSew, skWeave, skCook}, {skTeach, skPrint}, {skNurse, skTeach, skChildcare}, {skCook, skBake, skChildcare},
}

// Reaches, in km, by how people get to work: on foot, by bike, by bus,
// by car.
var (
	reachNear  = []float64{2, 5, 8}
	reachTown  = []float64{5, 10, 15}
	reachRural = []float64{10, 20, 30}
)

// genProduct is a product of a generated world with its way of being
// made; in and labour use positions in gen.products and gen.skills.
type genProduct struct {
	Product
	spec   int // position in baseProducts
	makers []siteClass
	out    float64
	in     []pqty
	labour []shours
}

type pqty struct {
	p int
	q float64
}

type shours struct {
	s int
	h float64
}

type genProfile struct {
	skills []string // ids, shared by every member of the profile
	idx    []int
	reach  []float64
}

// resolveSkill maps a base skill to the one standing for it in a world
// with only n base skills.
func resolveSkill(b, n int) int {
	for b >= n {
		b = baseSkills[b].parent
	}
	return b
}

// catalog builds the skills, products and profiles of the world.
func (g *generator) catalog() {
	nb := min(g.opt.Skills, numBaseSkills)
	for i := 0; i < nb; i++ {
		s := baseSkills[i]
		g.skills = append(g.skills, Skill{ID: s.id, Name: Names{"en": s.en, "es": s.es}})
	}
	g.skillParent = make([]int, nb)
	for i := range g.skillParent {
		g.skillParent[i] = -1
	}
	for i := nb; i < g.opt.Skills; i++ {
		k := i - numBaseSkills
		var s skillSpec
		if k < len(specialSkills) {
			s = specialSkills[k]
		} else {
			p := k % numBaseSkills
			n := k/numBaseSkills + 1
			b := baseSkills[p]
			s = skillSpec{fmt.Sprintf("%s-spec-%d", b.id, n), fmt.Sprintf("%s, speciality %d", b.en, n),
				fmt.Sprintf("%s, especialidad %d", b.es, n), p, ""}
		}
		g.skills = append(g.skills, Skill{ID: s.id, Name: Names{"en": s.en, "es": s.es}})
		g.skillParent = append(g.skillParent, s.parent)
		g.skillProduct = append(g.skillProduct, s.product)
	}

	np := min(g.opt.Products, len(baseProducts))
	g.byID = make(map[string]int, g.opt.Products)
	for i := 0; i < np; i++ {
		g.addProduct(i, 0)
	}
	g.variants = make([][]int, np)
	g.addVariants(g.opt.Products - np)
	g.addSpecialSkills()
	g.profiles = g.makeProfiles(nb)
}

// addProduct appends base product spec, or its variant v ≥ 2, with the
// inputs of the spec resolved to base products (variants choose theirs
// afterwards).
func (g *generator) addProduct(spec, v int) int {
	s := baseProducts[spec]
	p := Product{ID: s.id, Name: Names{"en": s.en, "es": s.es}, Unit: s.unit, Kind: Good}
	if v > 0 {
		p.ID = fmt.Sprintf("%s-%d", s.id, v)
		p.Name = Names{"en": fmt.Sprintf("%s (variety %d)", s.en, v), "es": fmt.Sprintf("%s (variedad %d)", s.es, v)}
	}
	if s.service {
		p.Kind, p.ReachKm = Service, s.reachKm
	} else {
		c := s.cost
		p.TransportCost = &c
	}
	gp := genProduct{Product: p, spec: spec, makers: s.makers, out: s.out}
	for _, x := range s.in {
		j, ok := g.byID[x.id]
		if !ok {
			panic(fmt.Sprintf("world: base product %q comes before its input %q", s.id, x.id))
		}
		gp.in = append(gp.in, pqty{j, x.q})
	}
	for _, l := range s.labour {
		k := resolveSkill(l.skill, min(g.opt.Skills, numBaseSkills))
		if i := slices.IndexFunc(gp.labour, func(x shours) bool { return x.s == k }); i >= 0 {
			gp.labour[i].h += l.h
		} else {
			gp.labour = append(gp.labour, shours{k, l.h})
		}
	}
	g.byID[p.ID] = len(g.products)
	g.products = append(g.products, gp)
	return len(g.products) - 1
}

// addVariants adds n regional varieties of goods. Each is made like its
// base product from a variety of each input, half the time a new one made
// for it, so that every variety is part of a chain that ends in a need:
// bread-2 from flour or flour-3, flour-3 from grain-2. Varieties are
// created from the goods people need downwards, never as raw materials
// nobody uses.
func (g *generator) addVariants(n int) {
	var finals []int
	for _, ns := range needSpecs {
		if i, ok := g.byID[ns.product]; ok && g.products[i].Kind == Good && len(g.products[i].makers) > 0 {
			finals = append(finals, i)
		}
	}
	if n <= 0 || len(finals) == 0 {
		return
	}
	var create func(b int) int
	create = func(b int) int {
		n--
		v := g.addProduct(b, len(g.variants[b])+2)
		g.variants[b] = append(g.variants[b], v)
		for k, x := range g.products[v].in {
			q := x.p // a base product
			if len(g.products[q].makers) == 0 {
				continue // stocks only: no varieties
			}
			if n > 0 && g.rng.Float64() < 0.5 {
				c := create(q) // appends to g.products: index it afterwards
				g.products[v].in[k].p = c
			} else if r := g.rng.IntN(len(g.variants[q]) + 1); r > 0 {
				g.products[v].in[k].p = g.variants[q][r-1]
			}
		}
		return v
	}
	for i := 0; n > 0; i++ {
		create(finals[i%len(finals)])
	}
}

// addSpecialSkills gives each specialised skill a share of the labour of
// the recipes it refines: its product and that product's varieties, or,
// for numbered specialities, one product after another among those that
// use the parent skill.
func (g *generator) addSpecialSkills() {
	next := make([]int, numBaseSkills)
	for e := numBaseSkills; e < len(g.skills); e++ {
		parent := g.skillParent[e]
		var targets []int
		if id := g.skillProduct[e-numBaseSkills]; id != "" {
			if i, ok := g.byID[id]; ok {
				targets = append([]int{i}, g.variants[g.products[i].spec]...)
			}
		}
		if len(targets) == 0 {
			var users []int
			for i, p := range g.products {
				if slices.ContainsFunc(p.labour, func(x shours) bool { return x.s == parent }) {
					users = append(users, i)
				}
			}
			if len(users) == 0 {
				continue
			}
			targets = []int{users[next[parent]%len(users)]}
			next[parent]++
		}
		for _, t := range targets {
			p := &g.products[t]
			i := slices.IndexFunc(p.labour, func(x shours) bool { return x.s == parent })
			if i < 0 {
				continue
			}
			h := p.labour[i].h / 4
			p.labour[i].h -= h
			p.labour = append(p.labour, shours{e, h})
		}
	}
}

// makeProfiles folds the occupations into the world's skills and adds
// one occupation per specialised skill (the specialist also does the
// general work).
func (g *generator) makeProfiles(nb int) []genProfile {
	var out []genProfile
	seen := map[string]bool{}
	add := func(idx []int) {
		idx = slices.Clone(idx)
		slices.Sort(idx)
		idx = slices.Compact(idx)
		ids := make([]string, len(idx))
		for i, k := range idx {
			ids[i] = g.skills[k].ID
		}
		key := strings.Join(ids, ",")
		if seen[key] {
			return
		}
		seen[key] = true
		p := genProfile{skills: ids, idx: idx, reach: reachNear}
		for _, k := range idx {
			base := k
			if k >= numBaseSkills {
				base = g.skillParent[k]
			}
			switch {
			case base == skFarm || base == skDrive || base == skMill:
				p.reach = reachRural
			case base != skNurse && base != skTeach && base != skChildcare && !slices.Equal(p.reach, reachRural):
				p.reach = reachTown
			}
		}
		out = append(out, p)
	}
	for _, ps := range profileSpecs {
		idx := make([]int, len(ps))
		for i, b := range ps {
			idx[i] = resolveSkill(b, nb)
		}
		add(idx)
	}
	for e := numBaseSkills; e < len(g.skills); e++ {
		add([]int{g.skillParent[e], e})
	}
	return out
}
