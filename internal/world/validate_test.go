package world

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func readSmall(t testing.TB) *World {
	t.Helper()
	w, err := ReadFile("testdata/small.json")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestValidateValid(t *testing.T) {
	if err := readSmall(t).Validate(); err != nil {
		t.Errorf("got %v, want nil", err)
	}
}

// Validate sees worlds that were never JSON: numbers that are not finite,
// and everything left at its zero value.
func TestValidateInvalid(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name   string
		change func(w *World)
		want   []string
	}{
		{
			name:   "zero world",
			change: func(w *World) { *w = World{} },
			want:   []string{`format: not a world v1 file: format is "", want "commune.world/v1"`},
		},
		{
			name: "numbers that are not finite",
			change: func(w *World) {
				w.Products[1].TransportCost = &inf
				w.Products[2].ReachKm = nan
				w.Sites[0].Lat = inf
				w.Sites[0].Lon = nan
				w.Recipes[0].Outputs["meal"] = -inf
				w.Recipes[0].MaxRuns = &nan
				w.Stocks[0].Qty = nan
				w.Members[0].Commitment.Hours = nan
				w.Members[0].Commitment.MaxKm = inf
				w.Needs[0].Qty = inf
			},
			want: []string{
				`products[1].transport_cost: must be a finite number`,
				`products[2].reach_km: must be a finite number`,
				`sites[0].lat: must be a finite number`,
				`sites[0].lon: must be a finite number`,
				`recipes[0].outputs.meal: must be a finite number`,
				`recipes[0].max_runs: must be a finite number`,
				`stocks[0].qty: must be a finite number`,
				`members[0].commitment.hours: must be a finite number`,
				`members[0].commitment.max_km: must be a finite number`,
				`needs[0].qty: must be a finite number`,
			},
		},
		{
			// A product of unknown kind had its transport_cost and
			// reach_km left unchecked: fixing the kind showed the next
			// error, not all of them at once.
			name: "unknown kind with bad numbers",
			change: func(w *World) {
				cost := -1.0
				w.Products[1].Kind = "thing"
				w.Products[1].TransportCost = &cost
				w.Products[1].ReachKm = nan
			},
			want: []string{
				`products[1].kind: "thing" is not one of: good, service`,
				`products[1].transport_cost: must not be negative, got -1`,
				`products[1].reach_km: must be a finite number`,
			},
		},
		{
			// Beyond MaxQuantity the planner could not hold the tiers'
			// shares (a world with needs, hours and a stock of 10¹² never
			// finished its first round); nobody commits more hours than a
			// week has.
			name: "numbers too large",
			change: func(w *World) {
				big := 1e12
				w.Products[1].TransportCost = &big
				w.Recipes[0].Outputs["meal"] = 2e9
				w.Recipes[0].MaxRuns = &big
				w.Stocks[0].Qty = 1e15
				w.Members[0].Commitment.Hours = 169
				w.Members[1].Commitment.Hours = 1e15
				w.Members[0].Commitment.MaxKm = 1e10
				w.Needs[0].Qty = 1e12
			},
			want: []string{
				`products[1].transport_cost: must be at most 1e+09, got 1e+12`,
				`recipes[0].outputs.meal: must be at most 1e+09, got 2e+09`,
				`recipes[0].max_runs: must be at most 1e+09, got 1e+12`,
				`stocks[0].qty: must be at most 1e+09, got 1e+15`,
				`members[0].commitment.hours: must be at most 168, got 169`,
				`members[0].commitment.max_km: must be at most 1e+09, got 1e+10`,
				`members[1].commitment.hours: must be at most 168, got 1e+15`,
				`needs[0].qty: must be at most 1e+09, got 1e+12`,
			},
		},
		{
			name: "zero values",
			change: func(w *World) {
				w.Skills[0] = Skill{}
				w.Products[0] = Product{}
				w.Sites[4] = Site{}
				w.Members[1] = Member{}
				w.Needs[7] = Need{}
			},
			want: []string{
				`skills[0].id: must not be empty`,
				`skills[0].name: needs a name in at least one language`,
				`products[0].id: must not be empty`,
				`products[0].name: needs a name in at least one language`,
				`products[0].unit: must not be empty`,
				`products[0].kind: "" is not one of: good, service`,
				`sites[4].id: must not be empty`,
				`sites[4].name: must not be empty`,
				`sites[4].kind: "" is not one of: workplace, school, neighborhood, depot, other`,
				`recipes[0].inputs.beans: unknown product "beans"`,
				`recipes[0].labor.cook: unknown skill "cook"`,
				`stocks[0].site: unknown site "depot-olympic"`,
				`stocks[1].site: unknown site "depot-olympic"`,
				`stocks[1].product: unknown product "beans"`,
				`members[0].commitment.skills[0]: unknown skill "cook"`,
				`members[1].id: must not be empty`,
				`members[1].cell: "" is not a geohash cell of 4 to 6 characters`,
				`members[2].commitment.skills[0]: unknown skill "cook"`,
				`needs[7].id: must not be empty`,
				`needs[7]: needs a member or a site`,
				`needs[7].product: unknown product ""`,
				`needs[7].qty: must be greater than 0, got 0`,
				`needs[7].tier: "" is not one of: essential, basic, wanted`,
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := readSmall(t)
			c.change(w)
			err := w.Validate()
			errs, ok := err.(Errors)
			if !ok {
				t.Fatalf("got %v, want Errors", err)
			}
			if got := strings.Split(errs.Error(), "\n"); !slices.Equal(got, c.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
			}
		})
	}
}

func TestIsLanguage(t *testing.T) {
	for s, want := range map[string]bool{
		"en": true, "es": true, "ast": true, "es-MX": true, "zh-Hant-TW": true, "es-419": true,
		"": false, "e": false, "engl": false, "EN": false, "es-": false, "es_MX": false, "-es": false,
		"es-abcdefgh": true, "es-abcdefghi": false, "es--MX": false,
	} {
		if got := isLanguage(s); got != want {
			t.Errorf("isLanguage(%q): got %v, want %v", s, got, want)
		}
	}
}

// Every rule and phrase declared in errors.go has a message in both
// languages, and both take the same arguments.
func TestCatalogs(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	neutral := map[phrase]bool{phraseColon: true}
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range spec.Names {
			if i >= len(spec.Values) {
				break
			}
			lit, ok := spec.Values[i].(*ast.BasicLit)
			if !ok {
				continue
			}
			value, _ := strconv.Unquote(lit.Value)
			switch {
			case strings.HasPrefix(name.Name, "rule"):
				m, ok := rules[value]
				if !ok {
					t.Errorf("%s (%q) has no message", name.Name, value)
					continue
				}
				en, es := verbs.FindAllString(m[0], -1), verbs.FindAllString(m[1], -1)
				if !slices.Equal(en, es) || m[0] == m[1] {
					t.Errorf("%s: English %q and Spanish %q do not match", name.Name, m[0], m[1])
				}
			case strings.HasPrefix(name.Name, "phrase") && len(value) > 0:
				if _, ok := phrases[phrase(value)]; !ok && !neutral[phrase(value)] {
					t.Errorf("%s (%q) has no Spanish", name.Name, value)
				}
			}
		}
		return true
	})
}

func TestFieldErrorUnknownRule(t *testing.T) {
	e := &FieldError{Path: "needs[0]", Rule: "made-up", Args: []any{1, "x"}}
	if got, want := e.Error(), "needs[0]: made-up 1 x"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestCheckElement: each element's check applies Validate's rules to the
// element alone, with paths relative to it.
func TestCheckElement(t *testing.T) {
	runs := -1.0
	for _, tc := range []struct {
		name string
		err  error
		want []string // paths and rules
	}{
		{"good site", CheckSite(Site{ID: "k-1", Name: "Kitchen", Kind: Workplace, Lat: 34, Lon: -118}), nil},
		{"bad site", CheckSite(Site{ID: "K 1", Kind: "factory", Lat: 91, Lon: -181}),
			[]string{"id bad-id", "name empty", "kind not-one-of", "lat out-of-range", "lon out-of-range"}},
		{"good recipe", CheckRecipe(Recipe{ID: "r", Site: "k", Outputs: map[string]float64{"meal": 2}, Labor: map[string]float64{"cook": 1}},
			[]string{"cook"}, []string{"meal"}, []string{"k"}), nil},
		{"bad recipe", CheckRecipe(Recipe{ID: "r", Site: "x", Outputs: map[string]float64{"meal": -2, "mael": 1},
			Inputs: map[string]float64{"meal": 1}, MaxRuns: &runs}, []string{"cook"}, []string{"meal"}, []string{"k"}),
			[]string{"site unknown-ref", "outputs.mael unknown-ref", "outputs.meal not-positive", "inputs.meal input-and-output", "max_runs negative"}},
		{"nothing in", CheckRecipe(Recipe{ID: "r", Site: "k", Outputs: map[string]float64{"meal": 2}}, nil, []string{"meal"}, []string{"k"}),
			[]string{" no-inputs-or-labor"}},
		{"service without reach", CheckProduct(Product{ID: "visit", Name: Names{"en": "Visit"}, Unit: "visit", Kind: Service}),
			[]string{"reach_km service-without-reach"}},
		{"skill without name", CheckSkill(Skill{ID: "cook", Name: Names{"en": "", "EN": "x"}}),
			[]string{"name.EN bad-language", "name.en empty"}},
	} {
		var got []string
		if tc.err != nil {
			for _, e := range tc.err.(Errors) {
				got = append(got, e.Path+" "+e.Rule)
			}
		}
		if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
