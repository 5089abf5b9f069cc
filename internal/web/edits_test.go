package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// worldNow reads the world through the API, as an organizer.
func (f *fixture) worldNow(t *testing.T) []byte {
	t.Helper()
	r := f.do(t, "GET", "/api/v1/world", f.tokens[organizer], "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET /api/v1/world: got %d %s", r.status, r.body)
	}
	return r.body
}

// TestEditSitesAPI: a coordinator's bad sites and recipes are refused
// with every problem named, in their language, and change nothing; so
// are another collective's sites and recipes (404) and a deletion that
// would leave recipes without a site (409, saying which). Good edits
// show in the world and in the next planning run.
func TestEditSitesAPI(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens[coordA]
	before := f.worldNow(t)
	for _, tc := range []struct {
		name, method, path, lang, body string
		status                         int
		want                           []string // in the errors, or the message
	}{
		{"bad site in Spanish", "PUT", "/api/v1/collectives/coll-a/sites/Bakery%20A", "es",
			`{"name": "", "kind": "factory", "lat": 95, "lon": 0}`, 400,
			[]string{`id: el id "Bakery A" solo puede llevar a-z, 0-9 y "-"`, "name: no puede estar vacío",
				`kind: "factory" no es ninguno de: workplace, school, neighborhood, depot, other`, "lat: 95 está fuera de -90 a 90"}},
		{"site without a place", "PUT", "/api/v1/collectives/coll-a/sites/bakery-a", "en",
			`{"name": "Bakery", "kind": "workplace"}`, 400, []string{"lat: required", "lon: required"}},
		{"site of another collective named", "PUT", "/api/v1/collectives/coll-a/sites/bakery-a", "en",
			`{"name": "Bakery", "kind": "workplace", "lat": 34, "lon": -118, "collective": "coll-b"}`, 400,
			[]string{`collective: must be "coll-a", as in the path`}},
		{"misspelt field", "PUT", "/api/v1/collectives/coll-a/sites/bakery-a", "en",
			`{"name": "Bakery", "kind": "workplace", "lat": 34, "lng": -118}`, 400, []string{"lng: unknown field"}},
		{"bad recipe", "PUT", "/api/v1/collectives/coll-a/recipes/bake-a", "en",
			`{"site": "kitchen-b", "outputs": {"mael": 1}, "inputs": {"meal": 0}, "labor": {"cook": -1}}`, 400,
			[]string{`site: unknown site "kitchen-b"`, `outputs.mael: unknown product "mael"`, "inputs.meal: must be greater than 0, got 0",
				"labor.cook: must be greater than 0, got -1"}},
		{"recipe from nothing", "PUT", "/api/v1/collectives/coll-a/recipes/bake-a", "es",
			`{"site": "kitchen-a", "outputs": {"meal": 1}}`, 400, []string{"una receta necesita insumos o trabajo: nada se hace de la nada"}},
		{"B's site through A", "PUT", "/api/v1/collectives/coll-a/sites/kitchen-b", "en",
			`{"name": "Mine", "kind": "workplace", "lat": 34, "lon": -118}`, 404, nil},
		{"B's site deleted through A", "DELETE", "/api/v1/collectives/coll-a/sites/kitchen-b", "en", "", 404, nil},
		{"B's recipe through A", "PUT", "/api/v1/collectives/coll-a/recipes/cook-b", "en",
			`{"site": "kitchen-a", "outputs": {"meal": 1}, "labor": {"cook": 1}}`, 404, nil},
		{"B's recipe deleted through A", "DELETE", "/api/v1/collectives/coll-a/recipes/cook-b", "en", "", 404, nil},
		{"a site in use", "DELETE", "/api/v1/collectives/coll-a/sites/kitchen-a", "es", "", 409,
			[]string{`el sitio "kitchen-a" todavía se usa en las recetas cook-a`}},
	} {
		var body *strings.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		var r response
		if body != nil {
			r = f.do(t, tc.method, tc.path, tok, tc.lang, body)
		} else {
			r = f.do(t, tc.method, tc.path, tok, tc.lang, nil)
		}
		if r.status != tc.status {
			t.Errorf("%s: got %d %s, want %d", tc.name, r.status, r.body, tc.status)
			continue
		}
		d := errorOf(t, r)
		all := d.Message + "\n" + strings.Join(d.Errors, "\n")
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: the answer lacks %q: %s", tc.name, w, r.body)
			}
		}
		if strings.Contains(all, plainB) {
			t.Errorf("%s: the answer names B's member: %s", tc.name, r.body)
		}
	}
	if after := f.worldNow(t); !bytes.Equal(after, before) {
		t.Fatalf("refused edits changed the world")
	}

	// Good edits: a bakery next to A's kitchen, whose recipe makes more
	// meals an hour, so that the planner prefers it.
	for _, tc := range []struct{ method, path, body string }{
		{"PUT", "/api/v1/collectives/coll-a/sites/bakery-a", `{"id": "bakery-a", "name": "Panadería", "kind": "workplace", "lat": 34.033, "lon": -118.205}`},
		{"PUT", "/api/v1/collectives/coll-a/recipes/bake-a", `{"site": "bakery-a", "outputs": {"meal": 20}, "labor": {"cook": 1}, "max_runs": 3}`},
	} {
		r := f.do(t, tc.method, tc.path, tok, "", strings.NewReader(tc.body))
		if r.status != http.StatusCreated {
			t.Fatalf("%s %s: got %d %s, want 201", tc.method, tc.path, r.status, r.body)
		}
		if r := f.do(t, tc.method, tc.path, tok, "", strings.NewReader(tc.body)); r.status != http.StatusOK {
			t.Errorf("%s %s again: got %d %s, want 200", tc.method, tc.path, r.status, r.body)
		}
	}
	w, err := world.Read(bytes.NewReader(f.worldNow(t)))
	if err != nil {
		t.Fatalf("the world after the edits: %v", err)
	}
	if i := slices.IndexFunc(w.Sites, func(s world.Site) bool { return s.ID == "bakery-a" }); i < 0 ||
		w.Sites[i] != (world.Site{ID: "bakery-a", Name: "Panadería", Kind: world.Workplace, Lat: 34.033, Lon: -118.205, Collective: "coll-a"}) {
		t.Errorf("the world's sites: %+v, want bakery-a", w.Sites)
	}
	r := f.do(t, "GET", "/api/v1/collectives/coll-a/sites", tok, "", nil)
	var sites struct{ Sites []store.SiteRecipes }
	if err := json.Unmarshal(r.body, &sites); err != nil || r.status != 200 || len(sites.Sites) != 2 ||
		sites.Sites[1].ID != "bakery-a" || len(sites.Sites[1].Recipes) != 1 || sites.Sites[1].Recipes[0].Outputs["meal"] != 20 {
		t.Errorf("GET sites of A: got %d %s (%v)", r.status, r.body, err)
	}
	if strings.Contains(string(r.body), "kitchen-b") {
		t.Errorf("GET sites of A names B's site: %s", r.body)
	}

	run := f.wait(t, f.tokens[organizer], f.postPlan(t, f.tokens[organizer]))
	if run.Status != store.RunDone {
		t.Fatalf("planning run: %s %s", run.Status, run.Error)
	}
	p, err := plan.Read(bytes.NewReader(run.Plan))
	if err != nil {
		t.Fatal(err)
	}
	if p.World.Sites != 3 || p.World.Recipes != 3 {
		t.Errorf("the plan's world: %+v, want 3 sites and 3 recipes", p.World)
	}
	baked := 0.0
	for _, pr := range p.Production {
		if pr.Recipe == "bake-a" {
			baked = pr.Runs
		}
	}
	if baked <= 0 {
		t.Errorf("the plan does not use the new recipe: production %+v", p.Production)
	}

	// Deleting: the recipe, then its site.
	for _, path := range []string{"/api/v1/collectives/coll-a/recipes/bake-a", "/api/v1/collectives/coll-a/sites/bakery-a"} {
		if r := f.do(t, "DELETE", path, tok, "", nil); r.status != http.StatusNoContent {
			t.Errorf("DELETE %s: got %d %s", path, r.status, r.body)
		}
	}
	if after := f.worldNow(t); !bytes.Equal(after, before) {
		t.Errorf("after deleting what was added, the world differs from the one before")
	}
}

// TestEditCatalogAPI: an organizer's products and skills, checked by
// the world's rules; what is still named is not deleted.
func TestEditCatalogAPI(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens[organizer]
	before := f.worldNow(t)
	for _, tc := range []struct {
		name, method, path, lang, body string
		status                         int
		want                           []string
	}{
		{"service without reach", "PUT", "/api/v1/catalog/products/visit", "es",
			`{"name": {"en": "Clinic visit", "es": ""}, "unit": "visit", "kind": "service", "transport_cost": 1}`, 400,
			[]string{"name.es: no puede estar vacío", "un servicio no se transporta", "reach_km: un servicio necesita reach_km mayor que 0"}},
		{"product without unit", "PUT", "/api/v1/catalog/products/rice", "en", `{"name": {"en": "Rice"}, "kind": "good"}`, 400,
			[]string{"unit: required"}},
		{"skill without name", "PUT", "/api/v1/catalog/skills/sew", "en", `{"name": {}}`, 400,
			[]string{"name: needs a name in at least one language"}},
		{"skill with another id", "PUT", "/api/v1/catalog/skills/sew", "en", `{"id": "knit", "name": {"en": "Sewing"}}`, 400,
			[]string{`id: must be "sew", as in the path`}},
		{"a product in use", "DELETE", "/api/v1/catalog/products/meal", "en", "", 409,
			[]string{`product "meal" is still used by recipes cook-a, cook-b; needs (2)`}},
		{"a skill in use", "DELETE", "/api/v1/catalog/skills/cook", "es", "", 409,
			[]string{`la habilidad "cook" todavía se usa en las recetas cook-a, cook-b; compromisos de miembros (2)`}},
		{"a missing skill", "DELETE", "/api/v1/catalog/skills/swim", "en", "", 404, nil},
	} {
		var r response
		if tc.body != "" {
			r = f.do(t, tc.method, tc.path, tok, tc.lang, strings.NewReader(tc.body))
		} else {
			r = f.do(t, tc.method, tc.path, tok, tc.lang, nil)
		}
		if r.status != tc.status {
			t.Errorf("%s: got %d %s, want %d", tc.name, r.status, r.body, tc.status)
			continue
		}
		d := errorOf(t, r)
		all := d.Message + "\n" + strings.Join(d.Errors, "\n")
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: the answer lacks %q: %s", tc.name, w, r.body)
			}
		}
	}
	if after := f.worldNow(t); !bytes.Equal(after, before) {
		t.Fatalf("refused edits changed the world")
	}
	for _, tc := range []struct{ path, body string }{
		{"/api/v1/catalog/skills/sew", `{"name": {"en": "Sewing", "es": "Costura"}}`},
		{"/api/v1/catalog/products/visit", `{"name": {"en": "Clinic visit"}, "unit": "visit", "kind": "service", "reach_km": 10}`},
	} {
		if r := f.do(t, "PUT", tc.path, tok, "", strings.NewReader(tc.body)); r.status != http.StatusCreated {
			t.Errorf("PUT %s: got %d %s, want 201", tc.path, r.status, r.body)
		}
	}
	if r := f.do(t, "PUT", "/api/v1/catalog/products/meal", tok, "", strings.NewReader(`{"name": {"en": "Meal", "es": "Comida", "tl": "Pagkain"}, "unit": "plate", "kind": "good"}`)); r.status != http.StatusOK {
		t.Errorf("PUT meal: got %d %s, want 200", r.status, r.body)
	}
	r := f.do(t, "GET", "/api/v1/catalog", tok, "", nil)
	var cat struct {
		Skills   []world.Skill
		Products []world.Product
	}
	if err := json.Unmarshal(r.body, &cat); err != nil || len(cat.Skills) != 2 || len(cat.Products) != 2 ||
		cat.Products[0].Unit != "plate" || cat.Products[0].Name["tl"] != "Pagkain" || cat.Products[1].ReachKm != 10 {
		t.Errorf("GET /api/v1/catalog: got %d %s (%v)", r.status, r.body, err)
	}
	if r := f.do(t, "DELETE", "/api/v1/catalog/skills/sew", tok, "", nil); r.status != http.StatusNoContent {
		t.Errorf("DELETE an unused skill: got %d %s", r.status, r.body)
	}
	w, err := world.Read(bytes.NewReader(f.worldNow(t)))
	if err != nil || len(w.Skills) != 1 || len(w.Products) != 2 || w.Products[1].ID != "visit" {
		t.Errorf("the world after the catalog's edits: %v, %+v", err, w)
	}
}

// TestEditPages: a coordinator's site and recipe forms, in Spanish and
// English: a mistake comes back with what was typed and what is wrong
// next to the field or row; "more rows" adds rows and keeps the rest;
// right, the site and recipe are saved. An organizer's catalog shows a
// column a language and marks a missing name.
func TestEditPages(t *testing.T) {
	f := newFixture(t)
	coord := signIn(t, f.env, f.ids[coordA], "es")
	code, page := coord.get(t, "/collectives/coll-a/sites")
	if code != http.StatusOK || !strings.Contains(page, "Sitios y recetas") || !strings.Contains(page, `id="row-site-kitchen-a"`) ||
		!strings.Contains(page, `id="row-recipe-cook-a"`) || strings.Contains(page, "kitchen-b") {
		t.Fatalf("GET the sites page: got %d, want A's sites and recipes in Spanish: %.600s", code, page)
	}
	if _, page := coord.get(t, "/collectives/coll-a"); !strings.Contains(page, `<a href="/collectives/coll-a/sites">Editar sitios y recetas</a>`) {
		t.Errorf("the collective's page does not link to its sites")
	}
	if dump := os.Getenv("COMMUNE_DUMP_PAGES"); dump != "" {
		os.WriteFile(dump+"/sites.html", []byte(page), 0o644)
	}
	// A site typed wrong: every field says what is wrong with it.
	var form string
	code, page, _ = coord.post(t, "/collectives/coll-a/sites", "/collectives/coll-a/sites",
		url.Values{"id": {"Panadería"}, "name": {""}, "kind": {"workplace"}, "lat": {"norte"}, "lon": {""}}, true)
	form = between(page, `id="site-form"`, `id="recipe-form"`)
	for _, want := range []string{`id="site-id-error">el id &#34;Panadería&#34; solo puede llevar a-z, 0-9 y &#34;-&#34;`,
		`id="site-name-error">no puede estar vacío`, `id="site-lat-error">debe ser un número`, `id="site-lon-error">falta (es obligatorio)`,
		`value="norte"`, `value="Panadería"`} {
		if code != http.StatusUnprocessableEntity || !strings.Contains(form, want) {
			t.Errorf("a site typed all wrong: got %d, the form lacks %q: %s", code, want, form)
		}
	}

	code, page, _ = coord.post(t, "/collectives/coll-a/sites", "/collectives/coll-a/sites",
		url.Values{"id": {"panaderia-a"}, "name": {"Panadería del barrio"}, "kind": {"workplace"}, "lat": {"134.5"}, "lon": {"-118,2"}}, true)
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, `value="Panadería del barrio"`) || !strings.Contains(page, `value="134.5"`) ||
		!strings.Contains(page, `id="site-lat-error">134.5 está fuera de -90 a 90`) || strings.Contains(page, `id="site-lon-error"`) {
		t.Errorf("a site with a bad latitude: got %d, want the form again with the error next to lat: %s", code, between(page, `id="site-form"`, `id="recipe-form"`))
	}
	code, _, loc := coord.post(t, "/collectives/coll-a/sites", "/collectives/coll-a/sites",
		url.Values{"id": {"panaderia-a"}, "name": {"Panadería del barrio"}, "kind": {"workplace"}, "lat": {"34.5"}, "lon": {"-118,2"}}, true)
	if code != http.StatusSeeOther || loc != "/collectives/coll-a/sites#row-site-panaderia-a" {
		t.Errorf("a good site: got %d to %q", code, loc)
	}
	// Another collective's site id.
	code, page, _ = coord.post(t, "/collectives/coll-a/sites", "/collectives/coll-a/sites",
		url.Values{"id": {"kitchen-b"}, "name": {"Mía"}, "kind": {"workplace"}, "lat": {"34"}, "lon": {"-118"}}, true)
	if code != http.StatusNotFound || !strings.Contains(page, "Un sitio de otro colectivo tiene este identificador") {
		t.Errorf("B's site id: got %d, want 404 with the form: %s", code, between(page, `id="site-form"`, `id="recipe-form"`))
	}

	// A recipe: more rows keeps what was typed.
	typed := url.Values{"id": {"pan"}, "site": {"panaderia-a"}, "out_id": {"meal", ""}, "out_qty": {"30", ""},
		"lab_id": {"cook", ""}, "lab_qty": {"dos", ""}, "more": {"1"}}
	code, page, _ = coord.post(t, "/collectives/coll-a/sites", "/collectives/coll-a/recipes", typed, true)
	if code != http.StatusOK || strings.Count(between(page, "<legend>Lo que hace una tanda", "</fieldset>"), `name="out_qty"`) != 3 ||
		!strings.Contains(page, `value="dos"`) || !strings.Contains(page, `<option value="panaderia-a" selected>`) {
		t.Errorf("more rows: got %d, want the form as typed with 3 output rows: %s", code, between(page, `id="recipe-form"`, "</form>"))
	}
	typed.Del("more")
	code, page, _ = coord.post(t, "/collectives/coll-a/sites", "/collectives/coll-a/recipes", typed, true)
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, `value="dos"`) || !strings.Contains(page, "debe ser un número") {
		t.Errorf("hours that are not a number: got %d, want the row's error: %s", code, between(page, `id="recipe-form"`, "</form>"))
	}
	typed.Set("lab_qty", "-2")
	code, page, _ = coord.post(t, "/collectives/coll-a/sites", "/collectives/coll-a/recipes", typed, true)
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, `value="-2"`) ||
		!strings.Contains(between(page, "<legend>Trabajo que necesita una tanda", "</fieldset>"), "debe ser mayor que 0, hay -2") {
		t.Errorf("negative hours: got %d, want the error on the labour row: %s", code, between(page, `id="recipe-form"`, "</form>"))
	}
	typed["lab_qty"] = []string{"2", ""}
	code, _, loc = coord.post(t, "/collectives/coll-a/sites", "/collectives/coll-a/recipes", typed, true)
	if code != http.StatusSeeOther || loc != "/collectives/coll-a/sites#row-recipe-pan" {
		t.Errorf("a good recipe: got %d to %q", code, loc)
	}
	sites, err := f.store.CollectiveSites(t.Context(), "coll-a")
	if err != nil || len(sites) != 2 || len(sites[1].Recipes) != 1 || sites[1].Recipes[0].Labor["cook"] != 2 || sites[1].Site.Lon != -118.2 {
		t.Errorf("after the forms: %+v, %v", sites, err)
	}
	// Deleting a site with a recipe says why not.
	code, page, _ = coord.post(t, "/collectives/coll-a/sites", "/collectives/coll-a/sites/panaderia-a/delete", url.Values{}, true)
	if code != http.StatusConflict || !strings.Contains(page, `el sitio &#34;panaderia-a&#34; todavía se usa en las recetas pan`) {
		t.Errorf("deleting a site in use: got %d: %s", code, between(page, "<h1>", `id="sites"`))
	}

	// The English page, and the catalog.
	if err := f.store.SetOrganizer(t.Context(), f.ids[organizer], true); err != nil {
		t.Fatal(err)
	}
	org := signIn(t, f.env, f.ids[organizer], "en")
	if code, page := org.get(t, "/collectives/coll-a/sites?recipe=cook-a"); code != 200 || !strings.Contains(page, "Edit the recipe") ||
		!strings.Contains(page, `value="cook-a" autocapitalize="none" spellcheck="false" readonly`) {
		t.Errorf("the English page editing cook-a: got %d: %s", code, between(page, `id="recipe-form"`, "</form>"))
	}
	code, page = org.get(t, "/catalog")
	if code != http.StatusOK || !strings.Contains(page, `<th scope="col" lang="es">Español</th>`) ||
		!strings.Contains(page, `<span lang="es">Comida</span>`) || strings.Contains(page, "no name in") {
		t.Errorf("the catalog: got %d: %s", code, between(page, "<h1>", `id="product-form"`))
	}
	if code, page := org.get(t, "/"); code != 200 || !strings.Contains(page, `href="/catalog"`) {
		t.Errorf("the organizer's first page lacks the catalog: %d", code)
	}
	code, page, _ = org.post(t, "/catalog", "/catalog/products",
		url.Values{"id": {"visit"}, "name_en": {"Clinic visit"}, "name_es": {""}, "unit": {"visit"}, "kind": {"service"}}, true)
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, `value="Clinic visit"`) ||
		!strings.Contains(page, `id="product-reach_km-error">a service needs reach_km greater than 0`) {
		t.Errorf("a service without reach: got %d: %s", code, between(page, `id="product-form"`, "</form>"))
	}
	code, page, _ = org.post(t, "/catalog", "/catalog/products",
		url.Values{"id": {"visit"}, "name_en": {"Clinic visit"}, "unit": {""}, "reach_km": {"ten"}}, true)
	form = between(page, `id="product-form"`, "</form>")
	for _, want := range []string{`id="product-unit-error">must not be empty`, `id="product-reach_km-error">must be a number`, `<p class="error">required</p>`} {
		if code != http.StatusUnprocessableEntity || !strings.Contains(form, want) {
			t.Errorf("a product typed all wrong: got %d, the form lacks %q: %s", code, want, form)
		}
	}
	code, _, loc = org.post(t, "/catalog", "/catalog/products",
		url.Values{"id": {"visit"}, "name_en": {"Clinic visit"}, "name_es": {""}, "unit": {"visit"}, "kind": {"service"}, "reach_km": {"10"}}, true)
	if code != http.StatusSeeOther || loc != "/catalog#row-product-visit" {
		t.Errorf("a good product: got %d to %q", code, loc)
	}
	// Its Spanish name is missing, and marked so. The languages a
	// sentence names are named in the page's language: it read "no
	// name in Español yet", "Nombre en English".
	code, page = org.get(t, "/catalog")
	if code != 200 || !strings.Contains(between(page, `id="row-product-visit"`, "</tr>"), "no name in Spanish yet") {
		t.Errorf("the catalog after a product without a Spanish name: got %d: %s", code, between(page, `id="row-product-visit"`, "</tr>"))
	}
	for _, want := range []string{`<label for="product-name_en">Name in English</label>`, `<label for="skill-name_es">Name in Spanish</label>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the English catalog lacks %q", want)
		}
	}
	org.lang = "es"
	code, page = org.get(t, "/catalog")
	if code != 200 || !strings.Contains(between(page, `id="row-product-visit"`, "</tr>"), "aún sin nombre en español") {
		t.Errorf("the Spanish catalog after a product without a Spanish name: got %d: %s", code, between(page, `id="row-product-visit"`, "</tr>"))
	}
	for _, want := range []string{`<label for="product-name_en">Nombre en inglés</label>`, `<label for="skill-name_es">Nombre en español</label>`,
		`<th scope="col" lang="en">English</th>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the Spanish catalog lacks %q", want)
		}
	}
	org.lang = "en"
	code, page, _ = org.post(t, "/catalog", "/catalog/skills/cook/delete", url.Values{}, true)
	if code != http.StatusConflict || !strings.Contains(page, "skill &#34;cook&#34; is still used by recipes cook-a, cook-b") {
		t.Errorf("deleting a skill in use: got %d: %s", code, between(page, "<h1>", `id="products"`))
	}
}

// between returns the part of s from the first from to the next to
// after it, for messages.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return s
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j]
}
