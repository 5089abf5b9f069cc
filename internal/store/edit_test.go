package store

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/world"
)

// editWorld has two collectives, each with a kitchen; A's kitchen holds
// a stock and a collective's need, and a depot of A nothing.
const editWorld = `{
  "format": "commune.world/v1",
  "skills": [{"id": "cook", "name": {"en": "Cooking", "es": "Cocina"}}, {"id": "drive", "name": {"en": "Driving"}}],
  "products": [
    {"id": "meal", "name": {"en": "Meal", "es": "Comida"}, "unit": "meal", "kind": "good"},
    {"id": "rice", "name": {"en": "Rice"}, "unit": "kg", "kind": "good"},
    {"id": "salt", "name": {"en": "Salt"}, "unit": "kg", "kind": "good"}
  ],
  "sites": [
    {"id": "kitchen-a", "name": "Kitchen A", "kind": "workplace", "lat": 34.03, "lon": -118.2, "collective": "coll-a"},
    {"id": "depot-a", "name": "Depot A", "kind": "depot", "lat": 34.04, "lon": -118.21, "collective": "coll-a"},
    {"id": "kitchen-b", "name": "Kitchen B", "kind": "workplace", "lat": 34.05, "lon": -118.28, "collective": "coll-b"},
    {"id": "hall", "name": "Hall", "kind": "other", "lat": 34.06, "lon": -118.29}
  ],
  "recipes": [
    {"id": "cook-a", "site": "kitchen-a", "outputs": {"meal": 10}, "inputs": {"rice": 1}, "labor": {"cook": 2}},
    {"id": "cook-b", "site": "kitchen-b", "outputs": {"meal": 10}, "labor": {"cook": 2}, "max_runs": 5}
  ],
  "stocks": [{"site": "kitchen-a", "product": "rice", "qty": 50}],
  "members": [{"id": "m-1", "cell": "9q5cs", "collectives": ["coll-a"], "commitment": {"hours": 8, "skills": ["cook"], "max_km": 10}}],
  "needs": [
    {"id": "n-1", "member": "m-1", "product": "meal", "qty": 7, "tier": "essential"},
    {"id": "n-2", "site": "kitchen-a", "product": "meal", "qty": 3, "tier": "basic"}
  ]
}`

func editStore(t *testing.T, fresh func(t *testing.T) Config) *Store {
	t.Helper()
	s := open(t, fresh(t))
	w, err := world.Read(strings.NewReader(editWorld))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutWorld(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	return s
}

// paths returns the paths of the world errors in err, or nil.
func paths(err error) []string {
	var out []string
	if es, ok := err.(*Error); ok {
		if we, ok := es.Err.(world.Errors); ok {
			for _, e := range we {
				out = append(out, e.Path)
			}
		}
	}
	return out
}

// worldOf reads the store's world and fails unless it is valid.
func worldOf(t *testing.T, s *Store) *world.World {
	t.Helper()
	w, err := s.World(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Validate(); err != nil {
		t.Fatalf("the store's world is not valid after an edit: %v", err)
	}
	return w
}

func testSiteEdits(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := editStore(t, fresh)
	before := worldOf(t, s)

	// Bad sites and recipes are refused with the field and rule, and
	// change nothing.
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"bad site", second(s.PutSite(ctx, "coll-a", world.Site{ID: "New Site", Kind: "factory", Lat: 91, Lon: 0})),
			[]string{"id", "name", "kind", "lat"}},
		{"recipe with unknown things", second(s.PutRecipe(ctx, "coll-a", world.Recipe{ID: "r-x", Site: "kitchen-a",
			Outputs: map[string]float64{"mael": 1}, Labor: map[string]float64{"cook": -1, "swim": 1}})),
			[]string{"outputs.mael", "labor.cook", "labor.swim"}},
		{"recipe at another collective's site", second(s.PutRecipe(ctx, "coll-a", world.Recipe{ID: "r-y", Site: "kitchen-b",
			Outputs: map[string]float64{"meal": 1}, Labor: map[string]float64{"cook": 1}})), []string{"site"}},
		{"recipe from nothing", second(s.PutRecipe(ctx, "coll-a", world.Recipe{ID: "r-z", Site: "kitchen-a",
			Outputs: map[string]float64{"meal": 1}})), []string{""}},
	} {
		wantCode(t, tc.name, tc.err, CodeInvalid)
		if got := paths(tc.err); !slices.Equal(got, tc.want) {
			t.Errorf("%s: paths %q, want %q", tc.name, got, tc.want)
		}
	}
	_, err := s.PutSite(ctx, "coll-a", world.Site{ID: "x", Name: "X", Kind: world.Depot, Collective: "coll-b"})
	wantCode(t, "a site naming another collective", err, CodeInvalid)
	_, err = s.PutSite(ctx, "coll-a", world.Site{ID: "x", Name: "X\x00", Kind: world.Depot})
	wantCode(t, "a NUL in a name", err, CodeInvalid)

	// Another collective's site, or one of none, is not found through
	// this one: neither edited, nor deleted, nor given a recipe.
	_, err = s.PutSite(ctx, "coll-a", world.Site{ID: "kitchen-b", Name: "Mine now", Kind: world.Depot, Lat: 1, Lon: 1})
	wantCode(t, "put B's site through A", err, CodeNotFound)
	_, err = s.PutSite(ctx, "coll-a", world.Site{ID: "hall", Name: "Mine now", Kind: world.Depot, Lat: 1, Lon: 1})
	wantCode(t, "put a site of no collective through A", err, CodeNotFound)
	wantCode(t, "delete B's site through A", s.DeleteSite(ctx, "coll-a", "kitchen-b"), CodeNotFound)
	wantCode(t, "delete a missing site", s.DeleteSite(ctx, "coll-a", "nowhere"), CodeNotFound)
	_, err = s.PutRecipe(ctx, "coll-a", world.Recipe{ID: "cook-b", Site: "kitchen-a", Outputs: map[string]float64{"meal": 1}, Labor: map[string]float64{"cook": 1}})
	wantCode(t, "put B's recipe through A", err, CodeNotFound)
	wantCode(t, "delete B's recipe through A", s.DeleteRecipe(ctx, "coll-a", "cook-b"), CodeNotFound)
	_, err = s.PutSite(ctx, "coll-z", world.Site{ID: "z", Name: "Z", Kind: world.Depot})
	wantCode(t, "a missing collective", err, CodeNotFound)
	if after := worldOf(t, s); !reflect.DeepEqual(after, before) {
		t.Errorf("refused edits changed the world:\n%+v\nwant\n%+v", after, before)
	}

	// Deleting a site that recipes, stocks and needs name says which.
	err = s.DeleteSite(ctx, "coll-a", "kitchen-a")
	wantCode(t, "delete a site in use", err, CodeConflict)
	if e, ok := IsInUse(err); !ok || !slices.Equal(e.Recipes, []string{"cook-a"}) || !slices.Equal(e.Stocks, []string{"rice"}) || e.Needs != 1 {
		t.Errorf("delete a site in use: got %v, want recipe cook-a, stock of rice, 1 need", err)
	}

	// Good edits: a new site goes last; an edited one keeps its place;
	// a new recipe, an edited one moved to the new site.
	created, err := s.PutSite(ctx, "coll-a", world.Site{ID: "bakery-a", Name: "Bakery", Kind: world.Workplace, Lat: 34.01, Lon: -118.1})
	if err != nil || !created {
		t.Fatalf("PutSite new: %v, %v", created, err)
	}
	created, err = s.PutSite(ctx, "coll-a", world.Site{ID: "depot-a", Name: "Depósito A", Kind: world.Depot, Lat: -33.9, Lon: 18.4, Collective: "coll-a"})
	if err != nil || created {
		t.Fatalf("PutSite existing: %v, %v", created, err)
	}
	runs := 12.0
	created, err = s.PutRecipe(ctx, "coll-a", world.Recipe{ID: "bake", Site: "bakery-a", Outputs: map[string]float64{"meal": 4},
		Inputs: map[string]float64{"rice": 1, "salt": 0.1}, Labor: map[string]float64{"cook": 1, "drive": 0.5}, MaxRuns: &runs})
	if err != nil || !created {
		t.Fatalf("PutRecipe new: %v, %v", created, err)
	}
	if created, err = s.PutRecipe(ctx, "coll-a", world.Recipe{ID: "cook-a", Site: "bakery-a", Outputs: map[string]float64{"meal": 8},
		Labor: map[string]float64{"cook": 3}}); err != nil || created {
		t.Fatalf("PutRecipe existing: %v, %v", created, err)
	}
	w := worldOf(t, s)
	var ids []string
	for _, st := range w.Sites {
		ids = append(ids, st.ID)
	}
	if want := []string{"kitchen-a", "depot-a", "kitchen-b", "hall", "bakery-a"}; !slices.Equal(ids, want) {
		t.Errorf("sites: got %v, want %v", ids, want)
	}
	if got := w.Sites[1]; got != (world.Site{ID: "depot-a", Name: "Depósito A", Kind: world.Depot, Lat: -33.9, Lon: 18.4, Collective: "coll-a"}) {
		t.Errorf("edited site: got %+v", got)
	}
	wantRecipes := []world.Recipe{
		{ID: "cook-a", Site: "bakery-a", Outputs: map[string]float64{"meal": 8}, Labor: map[string]float64{"cook": 3}},
		w.Recipes[1],
		{ID: "bake", Site: "bakery-a", Outputs: map[string]float64{"meal": 4}, Inputs: map[string]float64{"rice": 1, "salt": 0.1},
			Labor: map[string]float64{"cook": 1, "drive": 0.5}, MaxRuns: &runs},
	}
	if !reflect.DeepEqual(w.Recipes, wantRecipes) || w.Recipes[1].ID != "cook-b" {
		t.Errorf("recipes: got %+v, want %+v", w.Recipes, wantRecipes)
	}

	sites, err := s.CollectiveSites(ctx, "coll-a")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range sites {
		var rs []string
		for _, r := range st.Recipes {
			rs = append(rs, r.ID)
		}
		got = append(got, st.ID+":"+strings.Join(rs, ","))
	}
	if want := []string{"kitchen-a:", "depot-a:", "bakery-a:cook-a,bake"}; !slices.Equal(got, want) {
		t.Errorf("CollectiveSites(coll-a): got %v, want %v", got, want)
	}
	if !reflect.DeepEqual(sites[2].Recipes[1], wantRecipes[2]) {
		t.Errorf("CollectiveSites: recipe %+v, want %+v", sites[2].Recipes[1], wantRecipes[2])
	}
	_, err = s.CollectiveSites(ctx, "coll-z")
	wantCode(t, "sites of a missing collective", err, CodeNotFound)

	// Deletions.
	if err := s.DeleteSite(ctx, "coll-a", "depot-a"); err != nil {
		t.Errorf("delete an unused site: %v", err)
	}
	if err := s.DeleteRecipe(ctx, "coll-a", "bake"); err != nil {
		t.Errorf("delete a recipe: %v", err)
	}
	wantCode(t, "delete a recipe twice", s.DeleteRecipe(ctx, "coll-a", "bake"), CodeNotFound)
	w = worldOf(t, s)
	if len(w.Sites) != 4 || len(w.Recipes) != 2 {
		t.Errorf("after deletions: %d sites, %d recipes; want 4 and 2", len(w.Sites), len(w.Recipes))
	}
	var n int
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM recipe_inputs WHERE recipe_id = 'bake'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("inputs of a deleted recipe: %d rows (%v), want 0", n, err)
	}
}

func testCatalogEdits(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := editStore(t, fresh)
	before := worldOf(t, s)
	cost := -1.0
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"bad skill", second(s.PutSkill(ctx, world.Skill{ID: "Sew", Name: world.Names{}})), []string{"id", "name"}},
		{"bad product", second(s.PutProduct(ctx, world.Product{ID: "cloth", Name: world.Names{"es": ""}, Kind: world.Good, TransportCost: &cost})),
			[]string{"name.es", "unit", "transport_cost"}},
		{"service without reach", second(s.PutProduct(ctx, world.Product{ID: "visit", Name: world.Names{"en": "Visit"}, Unit: "visit", Kind: world.Service})),
			[]string{"reach_km"}},
	} {
		wantCode(t, tc.name, tc.err, CodeInvalid)
		if got := paths(tc.err); !slices.Equal(got, tc.want) {
			t.Errorf("%s: paths %q, want %q", tc.name, got, tc.want)
		}
	}
	// A stocked good does not become a service.
	_, err := s.PutProduct(ctx, world.Product{ID: "rice", Name: world.Names{"en": "Rice"}, Unit: "kg", Kind: world.Service, ReachKm: 3})
	wantCode(t, "a stocked product made a service", err, CodeConflict)
	if e, ok := IsInUse(err); !ok || e.Field != "kind" || !slices.Equal(e.Stocks, []string{"kitchen-a"}) {
		t.Errorf("a stocked product made a service: got %v", err)
	}
	// Deleting what is named says by what.
	for _, tc := range []struct {
		name string
		err  error
		want InUseError
	}{
		{"product in recipes and needs", s.DeleteProduct(ctx, "meal"), InUseError{What: "product", ID: "meal", Recipes: []string{"cook-a", "cook-b"}, Needs: 2}},
		{"product in a recipe and a stock", s.DeleteProduct(ctx, "rice"), InUseError{What: "product", ID: "rice", Recipes: []string{"cook-a"}, Stocks: []string{"kitchen-a"}}},
		{"skill in recipes and a commitment", s.DeleteSkill(ctx, "cook"), InUseError{What: "skill", ID: "cook", Recipes: []string{"cook-a", "cook-b"}, Commitments: 1}},
	} {
		wantCode(t, tc.name, tc.err, CodeConflict)
		if e, ok := IsInUse(tc.err); !ok || !reflect.DeepEqual(*e, tc.want) {
			t.Errorf("%s: got %v, want %+v", tc.name, tc.err, tc.want)
		}
	}
	wantCode(t, "delete a missing skill", s.DeleteSkill(ctx, "swim"), CodeNotFound)
	wantCode(t, "delete a missing product", s.DeleteProduct(ctx, "gold"), CodeNotFound)
	if after := worldOf(t, s); !reflect.DeepEqual(after, before) {
		t.Errorf("refused edits changed the world")
	}

	// Good edits: a new skill and product go last; edited ones keep
	// their place; unused ones are deleted.
	if created, err := s.PutSkill(ctx, world.Skill{ID: "sew", Name: world.Names{"en": "Sewing", "es": "Costura"}}); err != nil || !created {
		t.Fatalf("PutSkill new: %v, %v", created, err)
	}
	if created, err := s.PutSkill(ctx, world.Skill{ID: "cook", Name: world.Names{"en": "Cooking", "es": "Cocina", "tl": "Pagluluto"}}); err != nil || created {
		t.Fatalf("PutSkill existing: %v, %v", created, err)
	}
	if created, err := s.PutProduct(ctx, world.Product{ID: "visit", Name: world.Names{"en": "Clinic visit"}, Unit: "visit", Kind: world.Service, ReachKm: 10}); err != nil || !created {
		t.Fatalf("PutProduct new: %v, %v", created, err)
	}
	low := 0.0005
	if created, err := s.PutProduct(ctx, world.Product{ID: "meal", Name: world.Names{"en": "Meal", "es": "Comida"}, Unit: "plate", Kind: world.Good, TransportCost: &low}); err != nil || created {
		t.Fatalf("PutProduct existing: %v, %v", created, err)
	}
	if err := s.DeleteProduct(ctx, "salt"); err != nil {
		t.Errorf("delete an unused product: %v", err)
	}
	if err := s.DeleteSkill(ctx, "drive"); err != nil {
		t.Errorf("delete an unused skill: %v", err)
	}
	w := worldOf(t, s)
	want := []world.Skill{{ID: "cook", Name: world.Names{"en": "Cooking", "es": "Cocina", "tl": "Pagluluto"}}, {ID: "sew", Name: world.Names{"en": "Sewing", "es": "Costura"}}}
	if !reflect.DeepEqual(w.Skills, want) {
		t.Errorf("skills: got %+v, want %+v", w.Skills, want)
	}
	wantP := []world.Product{
		{ID: "meal", Name: world.Names{"en": "Meal", "es": "Comida"}, Unit: "plate", Kind: world.Good, TransportCost: &low},
		{ID: "rice", Name: world.Names{"en": "Rice"}, Unit: "kg", Kind: world.Good},
		{ID: "visit", Name: world.Names{"en": "Clinic visit"}, Unit: "visit", Kind: world.Service, ReachKm: 10},
	}
	if !reflect.DeepEqual(w.Products, wantP) {
		t.Errorf("products: got %+v, want %+v", w.Products, wantP)
	}
}

// second returns the error of a call that also returns a value.
func second[T any](_ T, err error) error { return err }
