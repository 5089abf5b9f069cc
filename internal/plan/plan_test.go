package plan

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/world"
	"github.com/commune-org/commune/lp"
)

func ptr(v float64) *float64 { return &v }

func names(en string) world.Names { return world.Names{"en": en, "es": en} }

// kitchenWorld is a neighbourhood: a kitchen that cooks rice into meals,
// a clinic, and a print shop, with members around them in Boyle Heights.
func kitchenWorld() *world.World {
	home := geo.Encode(34.0330, -118.2050, 6)
	w := &world.World{
		Format: world.Format,
		Skills: []world.Skill{{ID: "cook", Name: names("Cooking")}, {ID: "nurse", Name: names("Nursing")}, {ID: "print", Name: names("Printing")}},
		Products: []world.Product{
			{ID: "rice", Name: names("Rice"), Unit: "kg", Kind: world.Good},
			{ID: "meal", Name: names("Meal"), Unit: "meal", Kind: world.Good, TransportCost: ptr(0.002)},
			{ID: "clinic-visit", Name: names("Clinic visit"), Unit: "visit", Kind: world.Service, ReachKm: 10},
			{ID: "paper", Name: names("Paper"), Unit: "ream", Kind: world.Good},
			{ID: "bulletin", Name: names("Bulletin"), Unit: "copy", Kind: world.Good},
		},
		Sites: []world.Site{
			{ID: "kitchen", Name: "Kitchen", Kind: world.Neighborhood, Lat: 34.0335, Lon: -118.2045},
			{ID: "clinic", Name: "Clinic", Kind: world.Workplace, Lat: 34.0400, Lon: -118.2100},
			{ID: "press", Name: "Print shop", Kind: world.Workplace, Lat: 34.0450, Lon: -118.2300},
		},
		Recipes: []world.Recipe{
			{ID: "cook-meals", Site: "kitchen", Outputs: map[string]float64{"meal": 100}, Inputs: map[string]float64{"rice": 8}, Labor: map[string]float64{"cook": 6}, MaxRuns: ptr(40)},
			{ID: "visits", Site: "clinic", Outputs: map[string]float64{"clinic-visit": 4}, Labor: map[string]float64{"nurse": 2}},
			{ID: "print-run", Site: "press", Outputs: map[string]float64{"bulletin": 100}, Inputs: map[string]float64{"paper": 1}, Labor: map[string]float64{"print": 2}, MaxRuns: ptr(3)},
		},
		Stocks: []world.Stock{{Site: "kitchen", Product: "rice", Qty: 500}, {Site: "press", Product: "paper", Qty: 10}},
	}
	for i := range 30 {
		skills := []string{"cook"}
		switch i % 3 {
		case 1:
			skills = []string{"nurse"}
		case 2:
			skills = []string{"print", "cook"}
		}
		id := "m-" + string(rune('a'+i/10)) + string(rune('0'+i%10))
		w.Members = append(w.Members, world.Member{ID: id, Cell: home, Commitment: world.Commitment{Hours: float64(4 + i%5), Skills: skills, MaxKm: 8}})
		w.Needs = append(w.Needs,
			world.Need{ID: "meal-" + id, Member: id, Product: "meal", Qty: 14, Tier: world.Essential},
			world.Need{ID: "visit-" + id, Member: id, Product: "clinic-visit", Qty: 1, Tier: world.Essential},
		)
	}
	w.Needs = append(w.Needs, world.Need{ID: "bulletins", Site: "kitchen", Product: "bulletin", Qty: 300, Tier: world.Basic})
	return w
}

func mustPlan(t *testing.T, w *world.World) *Plan {
	t.Helper()
	p, err := Make(context.Background(), w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(w, p); err != nil {
		t.Fatalf("the plan breaks the rules:\n%v", err)
	}
	return p
}

func TestKitchenWorld(t *testing.T) {
	p := mustPlan(t, kitchenWorld())
	if got := p.Tiers.Essential.MinCoverage; got < 1-1e-4 {
		t.Errorf("essential min coverage: got %g, want 1", got)
	}
	if got := p.Tiers.Basic.Met; math.Abs(got-300) > 0.01 {
		t.Errorf("bulletins: got %g, want 300", got)
	}
	if len(p.Assignments) == 0 {
		t.Fatal("no assignments")
	}
}

// TestFairnessWhenShort: with rice for half the meals the essential needs
// ask for, every meal need gets half, not some all and others nothing.
func TestFairnessWhenShort(t *testing.T) {
	w := kitchenWorld()
	w.Needs = w.Needs[:0]
	total := 0.0
	for i, m := range w.Members {
		q := float64(7 + 3*(i%6))
		total += q
		w.Needs = append(w.Needs, world.Need{ID: "meal-" + m.ID, Member: m.ID, Product: "meal", Qty: q, Tier: world.Essential})
	}
	// Each run turns 8 kg of rice into 100 meals: stock rice for half.
	w.Stocks = []world.Stock{{Site: "kitchen", Product: "rice", Qty: total / 2 / 100 * 8}}
	p := mustPlan(t, w)
	for i, a := range p.Allocations {
		if cov := a.Qty / w.Needs[i].Qty; cov < 0.499 || cov > 0.501 {
			t.Errorf("need %s: coverage %.4f, want between 0.499 and 0.501", a.Need, cov)
		}
	}
	if len(p.Shortfalls) != len(w.Needs) {
		t.Fatalf("got %d shortfalls, want %d", len(p.Shortfalls), len(w.Needs))
	}
	if r := p.Shortfalls[0].Reason; !strings.Contains(r, "rice") {
		t.Errorf("shortfall reason %q does not name the rice", r)
	}
}

// TestReach: the only cooks live 40 km from the kitchen and travel at
// most 10 km: nobody is assigned, and the shortfall names cook hours and
// the kitchen's place.
func TestReach(t *testing.T) {
	w := kitchenWorld()
	far := geo.Encode(34.0330+40.0/111.2, -118.2050, 5) // 40 km north
	for i := range w.Members {
		w.Members[i].Cell = far
		w.Members[i].Commitment = world.Commitment{Hours: 20, Skills: []string{"cook"}, MaxKm: 10}
	}
	w.Needs = []world.Need{{ID: "meals", Site: "clinic", Product: "meal", Qty: 500, Tier: world.Essential}}
	p := mustPlan(t, w)
	if len(p.Assignments) != 0 {
		t.Errorf("got %d assignments, want none: %+v", len(p.Assignments), p.Assignments[0])
	}
	if len(p.Shortfalls) != 1 {
		t.Fatalf("got shortfalls %+v, want one", p.Shortfalls)
	}
	place := geo.Encode(w.Sites[0].Lat, w.Sites[0].Lon, 5)
	want := "not enough cook hours within reach of " + place + " (site kitchen)"
	if got := p.Shortfalls[0].Reason; got != want {
		t.Errorf("reason: got %q, want %q", got, want)
	}
}

// TestLaborValuesChain: wheat → flour → bread, by hand. A farm grows 100
// kg of wheat in 10 hours (0.1 h/kg); a mill turns 10 kg of wheat into 8
// kg of flour in 1 hour (1/8 + 10·0.1/8 = 0.25 h/kg); a bakery makes 20
// loaves from 5 kg of flour in 3 hours (3/20 + 5·0.25/20 = 0.2125 h).
func TestLaborValuesChain(t *testing.T) {
	w := &world.World{
		Format: world.Format,
		Skills: []world.Skill{{ID: "farm", Name: names("Farming")}, {ID: "mill", Name: names("Milling")}, {ID: "bake", Name: names("Baking")}},
		Products: []world.Product{
			{ID: "wheat", Name: names("Wheat"), Unit: "kg", Kind: world.Good},
			{ID: "flour", Name: names("Flour"), Unit: "kg", Kind: world.Good},
			{ID: "bread", Name: names("Bread"), Unit: "loaf", Kind: world.Good},
		},
		Sites: []world.Site{
			{ID: "farm", Name: "Farm", Kind: world.Workplace, Lat: 34.10, Lon: -118.30},
			{ID: "mill", Name: "Mill", Kind: world.Workplace, Lat: 34.08, Lon: -118.25},
			{ID: "bakery", Name: "Bakery", Kind: world.Workplace, Lat: 34.05, Lon: -118.22},
		},
		Recipes: []world.Recipe{
			{ID: "grow", Site: "farm", Outputs: map[string]float64{"wheat": 100}, Labor: map[string]float64{"farm": 10}},
			{ID: "grind", Site: "mill", Outputs: map[string]float64{"flour": 8}, Inputs: map[string]float64{"wheat": 10}, Labor: map[string]float64{"mill": 1}},
			{ID: "bake", Site: "bakery", Outputs: map[string]float64{"bread": 20}, Inputs: map[string]float64{"flour": 5}, Labor: map[string]float64{"bake": 3}},
		},
	}
	home := geo.Encode(34.07, -118.25, 5)
	for i, k := range []string{"farm", "mill", "bake"} {
		w.Members = append(w.Members, world.Member{ID: "m" + k, Cell: home, Commitment: world.Commitment{Hours: 40, Skills: []string{k}, MaxKm: 30}})
		_ = i
	}
	w.Needs = []world.Need{{ID: "bread", Member: "mbake", Product: "bread", Qty: 40, Tier: world.Essential}}
	p := mustPlan(t, w)
	want := map[string]float64{"wheat": 0.1, "flour": 0.25, "bread": 0.2125}
	for k, v := range want {
		if got := p.LaborValues[k]; math.Abs(got-v) > 1e-9 {
			t.Errorf("labour value of %s: got %.12g, want %g", k, got, v)
		}
	}
}

func TestPlanFileRoundTrip(t *testing.T) {
	p := mustPlan(t, kitchenWorld())
	b, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Read(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !reflect.DeepEqual(p, q) {
		t.Errorf("plan changed through its file")
	}
	if err := Check(kitchenWorld(), q); err != nil {
		t.Errorf("the plan read back breaks the rules: %v", err)
	}
}

// TestDeterministic: the same world gives the same plan file, byte for
// byte, although the default solver races two goroutines.
func TestDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 5 {
		w := randomWorld(r)
		var first []byte
		for range 3 {
			p, err := Make(context.Background(), w, Options{})
			if err != nil {
				t.Fatal(err)
			}
			p.Solver.Seconds = 0
			for i := range p.Solver.Stages {
				p.Solver.Stages[i].Seconds = 0
			}
			b, err := Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = b
			} else if !bytes.Equal(first, b) {
				t.Fatal("two plans of the same world differ")
			}
		}
	}
}

// TestReachAtZeroKm: a member whose only useful site in reach sits at
// the very centre of their cell (0 km) is linked to that site only, not
// to every site as if there were no limit.
func TestReachAtZeroKm(t *testing.T) {
	w := kitchenWorld()
	lat, lon, _ := geo.Center("9q5cs")
	w.Sites = []world.Site{
		{ID: "near", Name: "Near", Kind: world.Workplace, Lat: lat, Lon: lon},
		{ID: "far", Name: "Far", Kind: world.Workplace, Lat: lat + 0.5, Lon: lon},
	}
	w.Recipes = []world.Recipe{
		{ID: "cook-near", Site: "near", Outputs: map[string]float64{"meal": 10}, Labor: map[string]float64{"cook": 1}, MaxRuns: ptr(1)},
		{ID: "cook-far", Site: "far", Outputs: map[string]float64{"meal": 10}, Labor: map[string]float64{"cook": 1}},
	}
	w.Stocks = nil
	w.Members = []world.Member{{ID: "m1", Cell: "9q5cs", Commitment: world.Commitment{Hours: 10, Skills: []string{"cook"}, MaxKm: 3}}}
	w.Needs = []world.Need{{ID: "n1", Site: "far", Product: "meal", Qty: 100, Tier: world.Essential}}
	p := mustPlan(t, w)
	for _, a := range p.Assignments {
		if a.Site != "near" {
			t.Errorf("assignment at %s, 55 km beyond the member's max_km", a.Site)
		}
	}
}

// testModel validates w and builds its model on the default network.
func testModel(t *testing.T, w *world.World) *model {
	t.Helper()
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	g, err := newGraph(w, Network{})
	if err != nil {
		t.Fatal(err)
	}
	return newModel(g, false)
}

// TestOpenTiersClosesUnusable: in the kitchen world the bulletins (basic)
// are all that print shop makes, so while only the essential tier is open
// the print run, the printers' hours there and the move of paper from
// the clinic (which here holds some) are fixed at 0; opening the basic
// tier gives them back their bounds (the print run its max_runs). The
// meals' and visits' recipes and hours, and the move of rice from the
// clinic to the kitchen, stay open throughout.
func TestOpenTiersClosesUnusable(t *testing.T) {
	w := kitchenWorld()
	w.Stocks = append(w.Stocks, world.Stock{Site: "clinic", Product: "paper", Qty: 5}, world.Stock{Site: "clinic", Product: "rice", Qty: 50})
	md := testModel(t, w)
	g, m := md.g, md.m
	check := func(ti int) {
		t.Helper()
		md.openTiers(ti)
		for r, rc := range w.Recipes {
			want := lp.Inf
			if rc.MaxRuns != nil {
				want = *rc.MaxRuns
			}
			if rc.ID == "print-run" && ti == 0 {
				want = 0
			}
			if got := m.ColUpper[md.runs[r]]; got != want {
				t.Errorf("tiers up to %d open: recipe %s may run %g times, want %g", ti, rc.ID, got, want)
			}
		}
		printing := 0
		for i, a := range g.labor {
			want := lp.Inf
			if w.Skills[a.skill].ID == "print" {
				printing++
				if ti == 0 {
					want = 0
				}
			}
			if got := m.ColUpper[md.hours[i]]; got != want {
				t.Errorf("tiers up to %d open: hours of %s at %s bounded by %g, want %g", ti, w.Skills[a.skill].ID, w.Sites[a.site].ID, got, want)
			}
		}
		if printing == 0 {
			t.Fatal("no printers' arcs: the case is not tested")
		}
		moved := map[string]bool{}
		for i, mv := range g.transfers {
			p := w.Products[mv.product].ID
			moved[p] = true
			want := lp.Inf
			if ti == 0 && (p == "paper" || p == "bulletin") {
				want = 0
			}
			if got := m.ColUpper[md.move[i]]; got != want {
				t.Errorf("tiers up to %d open: move of %s bounded by %g, want %g", ti, p, got, want)
			}
		}
		if !moved["paper"] || !moved["rice"] {
			t.Fatalf("moves of %v, want paper and rice: the case is not tested", moved)
		}
	}
	check(0)
	check(1)
	check(0)
	check(2)
}

// TestCauseNamed: a cause names products and skills as the world does
// in the language asked, else in English, and by id when no world is
// given (Message, the plan file's reason) or it names them in neither.
func TestCauseNamed(t *testing.T) {
	w := &world.World{
		Skills:   []world.Skill{{ID: "cook", Name: world.Names{"en": "Cooking", "es": "Cocina"}}},
		Products: []world.Product{{ID: "maize", Name: world.Names{"en": "Maize", "es": "Maíz"}}, {ID: "ink", Name: world.Names{"en": "Ink"}}},
	}
	for _, c := range []struct {
		cause Cause
		lang  string
		w     *world.World
		want  string
	}{
		{Cause{Kind: LaborShort, Skill: "cook", Place: "9q5cs", Site: "k"}, "es", w, "faltan horas de Cocina al alcance de 9q5cs (sitio k)"},
		{Cause{Kind: LaborShort, Skill: "cook", Place: "9q5cs", Site: "k"}, "en", w, "not enough Cooking hours within reach of 9q5cs (site k)"},
		{Cause{Kind: InputShort, Product: "maize", Site: "k"}, "es", w, "falta el insumo Maíz en el sitio k"},
		{Cause{Kind: NoRecipe, Product: "ink"}, "es", w, `ninguna receta produce el producto "Ink"`},
		{Cause{Kind: NoRecipe, Product: "radio"}, "es", w, `ninguna receta produce el producto "radio"`},
		{Cause{Kind: NoRecipe, Product: "ink"}, "en", w, `no recipe produces product "Ink"`},
		{Cause{Kind: InputShort, Product: "maize", Site: "k"}, "es", nil, "falta el insumo maize en el sitio k"},
	} {
		if got := c.cause.Named(c.lang, c.w); got != c.want {
			t.Errorf("%+v in %s: got %q, want %q", c.cause, c.lang, got, c.want)
		}
	}
}
