package world

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/geo"
)

func generate(t testing.TB, opt GenOptions) *World {
	t.Helper()
	w, err := Generate(opt)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opt, err)
	}
	return w
}

func encode(t testing.TB, w *World) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, w); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGenerateDeterministic(t *testing.T) {
	for _, area := range []string{"la", "world"} {
		opt := GenOptions{Members: 3000, Sites: 80, Products: 90, Skills: 25, Seed: 7, Area: area}
		a, b := encode(t, generate(t, opt)), encode(t, generate(t, opt))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two worlds from seed 7 differ", area)
		}
		opt.Seed = 8
		if c := encode(t, generate(t, opt)); bytes.Equal(a, c) {
			t.Errorf("%s: seeds 7 and 8 give the same world", area)
		}
	}
}

// TestGenerateValid: worlds of every size the options allow pass
// Validate, read back equal, and have the counts asked for; in
// particular every prefix of the base catalogue and every folding of the
// base skills.
func TestGenerateValid(t *testing.T) {
	opts := []GenOptions{
		{Members: 1000, Sites: 20, Products: 30, Skills: 12, Seed: 1},
		{Members: 0, Sites: 0, Products: 1, Skills: 1, Seed: 1},
		{Members: 5, Sites: 1, Products: 1, Skills: 1, Seed: 2, Area: "world"},
		{Members: 2000, Sites: 300, Products: 300, Skills: 60, Seed: 3, Area: "world"},
		{Members: 500, Sites: 3, Products: 200, Skills: 40, Seed: 4},
	}
	for n := 1; n <= len(baseProducts)+1; n++ {
		opts = append(opts, GenOptions{Members: 60, Sites: 25, Products: n, Skills: 1 + n%(numBaseSkills+2), Seed: uint64(n)})
	}
	for _, opt := range opts {
		w := generate(t, opt)
		if err := w.Validate(); err != nil {
			t.Errorf("%+v: %v", opt, err)
			continue
		}
		if len(w.Members) != opt.Members || len(w.Sites) != opt.Sites || len(w.Products) != opt.Products || len(w.Skills) != opt.Skills {
			t.Errorf("%+v: got %d members, %d sites, %d products, %d skills", opt,
				len(w.Members), len(w.Sites), len(w.Products), len(w.Skills))
		}
		data := encode(t, w)
		back, err := Read(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%+v: read back: %v", opt, err)
		} else if again := encode(t, back); !bytes.Equal(data, again) {
			t.Errorf("%+v: world read back writes differently", opt)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	for _, opt := range []GenOptions{
		{Members: -1, Sites: 1, Products: 1, Skills: 1},
		{Members: 1, Sites: -5, Products: 1, Skills: 1},
		{Members: 1, Sites: 1, Products: 0, Skills: 1},
		{Members: 1, Sites: 1, Products: 1, Skills: 0},
		{Members: 1, Sites: 1, Products: 1, Skills: 1, Area: "mars"},
	} {
		if _, err := Generate(opt); err == nil {
			t.Errorf("%+v: got no error", opt)
		}
	}
}

// TestGenerateShape checks that a world looks like an economy: members
// within the ranges of the issue, needs in every tier, sites with a few
// recipes each, and chains of goods.
func TestGenerateShape(t *testing.T) {
	w := generate(t, GenOptions{Members: 5000, Sites: 200, Products: 60, Skills: 16, Seed: 5})
	needs := map[string]int{}
	tiers := map[Tier]int{}
	needed := map[string]bool{}
	for _, n := range w.Needs {
		if n.Member != "" {
			needs[n.Member]++
		}
		tiers[n.Tier]++
		needed[n.Product] = true
	}
	for _, m := range w.Members {
		c := m.Commitment
		if c.Hours < 0 || c.Hours > 40 || len(c.Skills) < 1 || len(c.Skills) > 3 || c.MaxKm < 2 || c.MaxKm > 30 {
			t.Fatalf("member %s: got hours %v, skills %v, max_km %v; want 0..40, 1 to 3, 2..30", m.ID, c.Hours, c.Skills, c.MaxKm)
		}
		if k := needs[m.ID]; k < 2 || k > 6 {
			t.Fatalf("member %s: got %d needs, want 2 to 6", m.ID, k)
		}
	}
	for _, tier := range Tiers {
		if tiers[tier] == 0 {
			t.Errorf("no %s need", tier)
		}
	}
	kinds := map[ProductKind]int{}
	for _, p := range w.Products {
		kinds[p.Kind]++
	}
	if kinds[Good] == 0 || kinds[Service] == 0 {
		t.Errorf("got %v products by kind, want goods and services", kinds)
	}

	perSite := map[string]int{}
	made := map[string]bool{}
	used := map[string]bool{}
	for _, r := range w.Recipes {
		perSite[r.Site]++
		for p := range r.Outputs {
			made[p] = true
		}
		for p := range r.Inputs {
			used[p] = true
		}
	}
	for _, s := range w.Sites {
		k := perSite[s.ID]
		if s.Kind == Depot && k != 0 || s.Kind != Depot && (k < 1 || k > 4) {
			t.Errorf("site %s (%s): got %d recipes", s.ID, s.Kind, k)
		}
	}
	for _, chain := range [][]string{{"grain", "flour", "bread"}, {"cotton", "cloth", "clothes"},
		{"vegetables", "meal"}, {"timber", "paper", "newspaper"}, {"ink", "newspaper"}, {"meal", "childcare"}} {
		for i := 0; i+1 < len(chain); i++ {
			if !consumes(w, chain[i+1], chain[i]) {
				t.Errorf("no recipe makes %s from %s", chain[i+1], chain[i])
			}
		}
	}
	for _, p := range w.Products {
		if !needed[p.ID] && !used[p.ID] {
			t.Errorf("product %s is neither needed nor used", p.ID)
		}
		if !made[p.ID] && p.ID != "ink" {
			t.Errorf("product %s is not made anywhere", p.ID)
		}
	}
	stocked := map[string]bool{}
	for _, s := range w.Stocks {
		stocked[s.Product] = true
	}
	if !stocked["ink"] || !stocked["grain"] {
		t.Errorf("got stocks of %v, want ink and grain among them", stocked)
	}

	// Los Angeles is about 80 km across; every site lies within it.
	const lat0, lon0 = 34.05, -118.24
	far := 0.0
	for _, s := range w.Sites {
		far = max(far, geo.Distance(lat0, lon0, s.Lat, s.Lon))
	}
	if far < 35 || far > 70 {
		t.Errorf("farthest site from downtown LA: got %.0f km, want 35 to 70", far)
	}
}

// consumes reports whether some recipe makes out from in.
func consumes(w *World, out, in string) bool {
	for _, r := range w.Recipes {
		if _, ok := r.Inputs[in]; ok {
			if _, ok := r.Outputs[out]; ok {
				return true
			}
		}
	}
	return false
}

// continent is a rough box around each continent, enough to tell the
// cities of worldCities apart.
func continent(lat, lon float64) string {
	switch {
	case lon < -30 && lat > 12:
		return "North America"
	case lon < -30:
		return "South America"
	case lat < -11 && lon > 110:
		return "Oceania"
	case lon > 40:
		return "Asia"
	case lat < 33:
		return "Africa"
	}
	return "Europe"
}

func TestGenerateWorldArea(t *testing.T) {
	w := generate(t, GenOptions{Members: 5000, Sites: 400, Products: 40, Skills: 12, Seed: 1, Area: "world"})
	sites, members := map[string]int{}, map[string]int{}
	depots := map[string]int{}
	for _, s := range w.Sites {
		c := continent(s.Lat, s.Lon)
		sites[c]++
		if s.Kind == Depot {
			depots[c]++
		}
	}
	for _, m := range w.Members {
		lat, lon, err := geo.Center(m.Cell)
		if err != nil {
			t.Fatal(err)
		}
		members[continent(lat, lon)]++
	}
	for what, by := range map[string]map[string]int{"sites": sites, "members": members, "depots": depots} {
		if len(by) < 6 {
			t.Errorf("%s on %d continents, want 6: %v", what, len(by), by)
		}
	}
	// Members cluster around the cities: most live within 20 km of a
	// site.
	var pts []geo.Point
	for _, s := range w.Sites {
		pts = append(pts, geo.Point{Lat: s.Lat, Lon: s.Lon})
	}
	ix := geo.NewIndex(pts)
	near := 0
	for _, m := range w.Members {
		lat, lon, _ := geo.Center(m.Cell)
		if len(ix.Nearest(geo.Point{Lat: lat, Lon: lon}, 1, 20)) > 0 {
			near++
		}
	}
	if near < len(w.Members)*9/10 {
		t.Errorf("got %d of %d members within 20 km of a site, want 90%%", near, len(w.Members))
	}
}

// labourValues are the hours embodied in a unit of each product, from the
// average recipe making it: direct labour plus the labour of the inputs.
func labourValues(w *World) map[string]float64 {
	type avg struct {
		labour float64
		in     map[string]float64
		n      int
	}
	by := map[string]*avg{}
	for _, r := range w.Recipes {
		for p, out := range r.Outputs {
			a := by[p]
			if a == nil {
				a = &avg{in: map[string]float64{}}
				by[p] = a
			}
			a.n++
			for _, h := range r.Labor {
				a.labour += h / out
			}
			for q, x := range r.Inputs {
				a.in[q] += x / out
			}
		}
	}
	v := map[string]float64{}
	var value func(p string) float64
	value = func(p string) float64 {
		if x, ok := v[p]; ok {
			return x
		}
		a := by[p]
		if a == nil {
			v[p] = 0
			return 0
		}
		x := a.labour
		for q, k := range a.in {
			x += k * value(q)
		}
		v[p] = x / float64(a.n)
		return v[p]
	}
	for _, p := range w.Products {
		value(p.ID)
	}
	return v
}

// TestGenerateBalance: members commit 1 to 1.6 times the hours meeting
// every need takes, every skill the needs take is offered, and most of
// the hours are committed by members who have work for their skills
// within reach.
func TestGenerateBalance(t *testing.T) {
	for _, opt := range []GenOptions{
		{Members: 20000, Sites: 300, Products: 60, Skills: 16, Seed: 1},
		{Members: 20000, Sites: 600, Products: 120, Skills: 30, Seed: 2, Area: "world"},
	} {
		w := generate(t, opt)
		v := labourValues(w)
		need := 0.0
		for _, n := range w.Needs {
			need += n.Qty * v[n.Product]
		}
		committed := 0.0
		for _, m := range w.Members {
			committed += m.Commitment.Hours
		}
		if r := committed / need; r < 1 || r > 1.6 {
			t.Errorf("%s: committed %.0f hours for %.0f needed: ratio %.2f, want 1 to 1.6", opt.Area, committed, need, r)
		}

		var pts []geo.Point
		skillsAt := make([][]string, len(w.Sites))
		index := map[string]int{}
		for i, s := range w.Sites {
			pts = append(pts, geo.Point{Lat: s.Lat, Lon: s.Lon})
			index[s.ID] = i
		}
		required := map[string]bool{}
		for _, r := range w.Recipes {
			for s := range r.Labor {
				skillsAt[index[r.Site]] = append(skillsAt[index[r.Site]], s)
				required[s] = true
			}
		}
		offered := map[string]bool{}
		ix := geo.NewIndex(pts)
		reachable := 0.0
		for _, m := range w.Members {
			lat, lon, _ := geo.Center(m.Cell)
			for _, s := range m.Commitment.Skills {
				offered[s] = true
			}
			for _, nb := range ix.Within(geo.Point{Lat: lat, Lon: lon}, m.Commitment.MaxKm) {
				if slices.ContainsFunc(m.Commitment.Skills, func(s string) bool { return slices.Contains(skillsAt[nb.I], s) }) {
					reachable += m.Commitment.Hours
					break
				}
			}
		}
		for s := range required {
			if !offered[s] {
				t.Errorf("%s: no member offers %s", opt.Area, s)
			}
		}
		if r := reachable / committed; r < 0.7 {
			t.Errorf("%s: %.0f%% of the committed hours have work within reach, want 70%%", opt.Area, 100*r)
		}
	}
}

// pools counts the labour pools the planner makes: members with the same
// cell, skills and reach.
func pools(w *World) int {
	seen := map[string]bool{}
	var b strings.Builder
	for _, m := range w.Members {
		b.Reset()
		b.WriteString(m.Cell)
		for _, s := range m.Commitment.Skills {
			b.WriteString(" " + s)
		}
		b.WriteString(" " + strconv.FormatFloat(m.Commitment.MaxKm, 'g', -1, 64))
		seen[b.String()] = true
	}
	return len(seen)
}

// TestGeneratePools: members come from few enough occupations, reaches
// and cells that the planner's pools are far fewer than the members.
func TestGeneratePools(t *testing.T) {
	for _, opt := range []GenOptions{
		{Members: 50000, Sites: 200, Products: 60, Skills: 12, Seed: 1},
		{Members: 50000, Sites: 200, Products: 60, Skills: 12, Seed: 1, Area: "world"},
	} {
		w := generate(t, opt)
		if p := pools(w); p > len(w.Members)/2 {
			t.Errorf("%s: got %d pools for %d members, want at most half", opt.Area, p, len(w.Members))
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, bc := range []struct {
		name string
		opt  GenOptions
	}{
		{"city", GenOptions{Members: 100000, Sites: 500, Products: 100, Skills: 12, Seed: 1, Area: "la"}},
		{"region", GenOptions{Members: 1000000, Sites: 5000, Products: 300, Skills: 12, Seed: 1, Area: "la"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var w *World
			for b.Loop() {
				w = generate(b, bc.opt)
			}
			b.ReportMetric(float64(pools(w)), "pools")
			b.ReportMetric(float64(len(w.Needs)), "needs")
		})
	}
}

// TestGenNoDigitCells: the places of the generator, read as cells of 4
// to 6 characters, are never made of digits only outside the areas
// where such a cell may be a home (geo.DigitCountry): a form would take
// those for postcodes.
func TestGenNoDigitCells(t *testing.T) {
	for _, places := range [][]cityPlace{laPlaces, laFarmland, worldCities} {
		for _, p := range places {
			for n := geo.MinCellLen; n <= geo.MaxCellLen; n++ {
				if cell := geo.Encode(p.lat, p.lon, n); geo.AllDigits(cell) && geo.DigitCountry(cell) == "" {
					t.Errorf("%s: cell %s is all digits, in the sea by geo.DigitCountry", p.name, cell)
				}
			}
		}
	}
}
