package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// The page where a collective's coordinators edit its sites and the
// recipes at them. Forms post to the page; one with a mistake comes
// back with what was typed and, next to each field (or row), what is
// wrong in the reader's language. A recipe's outputs, inputs and labour
// are rows of a select and a quantity; "more rows" adds empty ones
// without any script. The checks are the API's (sites.go).

func (s *Server) sitesPageRoutes() []route {
	return []route{
		{pattern: "GET /collectives/{id}/sites", action: auth.ReadCollective, collective: "id", page: true, h: s.sitesPage},
		{pattern: "POST /collectives/{id}/sites", action: auth.WriteCollective, collective: "id", page: true, h: s.putSitePage},
		{pattern: "POST /collectives/{id}/sites/{site}/delete", action: auth.WriteCollective, collective: "id", page: true, h: s.deleteSitePage},
		{pattern: "POST /collectives/{id}/recipes", action: auth.WriteCollective, collective: "id", page: true, h: s.putRecipePage},
		{pattern: "POST /collectives/{id}/recipes/{recipe}/delete", action: auth.WriteCollective, collective: "id", page: true, h: s.deleteRecipePage},
	}
}

// siteKinds are the kinds of a site, in the order the form offers them.
var siteKinds = []world.SiteKind{world.Workplace, world.School, world.Neighborhood, world.Depot, world.OtherSite}

// sitesView is what the page shows.
type sitesView struct {
	Collective *store.Collective
	Sites      []store.SiteRecipes
	Catalog    *store.Catalog
	Products   map[string]world.Product
	Skills     map[string]world.Skill
	Kinds      []world.SiteKind
	Site       form // the site form
	Recipe     recipeForm
	// Problem is what keeps a deletion from happening, said at the top.
	Problem string
	// Map shows the collective's sites on the map where a click puts
	// the site of the form (static/pick.js).
	Map *mapData
}

// recipeForm is the recipe form: its fields, and its rows of outputs,
// inputs and labour.
type recipeForm struct {
	form
	Outputs, Inputs, Labor []amountRow
}

// amountRow is one row: a product or skill, a quantity, and what is
// wrong with them.
type amountRow struct {
	ID, Qty, Error string
	N              int // its number in its list, from 1, for screen readers
}

// emptyRows are added to each list of a form, and again by "more rows".
const emptyRows = 2

func (s *Server) sitesPage(w http.ResponseWriter, r *http.Request) error {
	v := &sitesView{Site: newForm(), Recipe: recipeForm{form: newForm()}}
	q := r.URL.Query()
	sites, err := s.store.CollectiveSites(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	for _, st := range sites {
		if st.ID == q.Get("site") {
			v.Site.Values["id"], v.Site.Values["name"], v.Site.Values["kind"] = st.ID, st.Name, string(st.Kind)
			v.Site.Values["lat"], v.Site.Values["lon"] = fmtNum(st.Lat), fmtNum(st.Lon)
			v.Site.Values["editing"] = "1"
		}
		for _, rc := range st.Recipes {
			if rc.ID == q.Get("recipe") {
				v.Recipe = recipeFormOf(rc)
			}
		}
	}
	if at := q.Get("at"); at != "" && v.Recipe.Values["site"] == "" {
		v.Recipe.Values["site"] = at
	}
	return s.renderSites(w, r, http.StatusOK, v)
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// recipeFormOf is the form filled with a recipe as stored.
func recipeFormOf(rc world.Recipe) recipeForm {
	f := recipeForm{form: newForm()}
	f.Values["id"], f.Values["site"], f.Values["editing"] = rc.ID, rc.Site, "1"
	if rc.MaxRuns != nil {
		f.Values["max_runs"] = fmtNum(*rc.MaxRuns)
	}
	rows := func(m map[string]float64) []amountRow {
		var out []amountRow
		for k, x := range m {
			out = append(out, amountRow{ID: k, Qty: fmtNum(x)})
		}
		slices.SortFunc(out, func(a, b amountRow) int { return strings.Compare(a.ID, b.ID) })
		return out
	}
	f.Outputs, f.Inputs, f.Labor = rows(rc.Outputs), rows(rc.Inputs), rows(rc.Labor)
	return f
}

// renderSites fills what every view of the page needs and writes it;
// each list of rows gets empty rows to type in.
func (s *Server) renderSites(w http.ResponseWriter, r *http.Request, status int, v *sitesView) error {
	ctx := r.Context()
	var err error
	id := r.PathValue("id")
	if v.Collective, err = s.store.Collective(ctx, id); err != nil {
		return err
	}
	if v.Sites == nil {
		if v.Sites, err = s.store.CollectiveSites(ctx, id); err != nil {
			return err
		}
	}
	if v.Catalog, err = s.store.Catalog(ctx); err != nil {
		return err
	}
	v.Products, v.Skills, v.Kinds = map[string]world.Product{}, map[string]world.Skill{}, siteKinds
	for _, p := range v.Catalog.Products {
		v.Products[p.ID] = p
	}
	for _, sk := range v.Catalog.Skills {
		v.Skills[sk.ID] = sk
	}
	v.Map = sitesMap(v.Sites)
	for _, rows := range []*[]amountRow{&v.Recipe.Outputs, &v.Recipe.Inputs, &v.Recipe.Labor} {
		for range emptyRows {
			*rows = append(*rows, amountRow{})
		}
		for i := range *rows {
			(*rows)[i].N = i + 1
		}
	}
	return s.render(w, r, status, "sites.html", "sites.title", v)
}

func (s *Server) putSitePage(w http.ResponseWriter, r *http.Request) error {
	coll := r.PathValue("id")
	lang := s.ui.pageLang(r)
	f := newForm()
	for _, k := range []string{"id", "name", "kind", "lat", "lon", "editing"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	var bad invalid
	lat, lon := formNumber(r, "lat", &bad), formNumber(r, "lon", &bad)
	bad.required("lat", lat == nil && f.Values["lat"] == "")
	bad.required("lon", lon == nil && f.Values["lon"] == "")
	bad.required("kind", f.Values["kind"] == "")
	status := http.StatusUnprocessableEntity
	st := world.Site{ID: f.Values["id"], Name: f.Values["name"], Kind: world.SiteKind(f.Values["kind"])}
	if len(bad) > 0 {
		// The other fields are told what is wrong with them too.
		if err := world.CheckSite(st); err != nil {
			v, _ := asInvalid(elementProblems(err, langOf(lang)))
			bad = append(bad, v...)
		}
	} else {
		st.Lat, st.Lon = *lat, *lon
		_, err := s.store.PutSite(r.Context(), coll, st)
		switch {
		case err == nil:
			http.Redirect(w, r, "/collectives/"+coll+"/sites#row-site-"+st.ID, http.StatusSeeOther)
			return nil
		case store.ErrorCode(err) == store.CodeNotFound:
			// A site of another collective has the id.
			f.Errors["id"] = s.ui.t(lang, "sites.id.taken")
			status = http.StatusNotFound
		default:
			v, ok := asInvalid(elementProblems(err, langOf(lang)))
			if !ok {
				return err
			}
			bad = v
		}
	}
	f.problems(bad, lang)
	return s.renderSites(w, r, status, &sitesView{Site: f, Recipe: recipeForm{form: newForm()}})
}

func (s *Server) deleteSitePage(w http.ResponseWriter, r *http.Request) error {
	coll := r.PathValue("id")
	err := s.store.DeleteSite(r.Context(), coll, r.PathValue("site"))
	if iu, ok := store.IsInUse(err); ok {
		v := &sitesView{Site: newForm(), Recipe: recipeForm{form: newForm()}, Problem: inUseText(langOf(s.ui.pageLang(r)), iu)}
		return s.renderSites(w, r, http.StatusConflict, v)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/collectives/"+coll+"/sites", http.StatusSeeOther)
	return nil
}

// readRows reads the rows of one list of the recipe form (the fields
// prefix_id and prefix_qty, repeated) into the rows as typed and the
// map they say; a problem of a row is put on the row.
func readRows(r *http.Request, prefix string, l lang) ([]amountRow, map[string]float64) {
	ids, qtys := r.PostForm[prefix+"_id"], r.PostForm[prefix+"_qty"]
	var rows []amountRow
	m := map[string]float64{}
	for i := range max(len(ids), len(qtys)) {
		var row amountRow
		if i < len(ids) {
			row.ID = strings.TrimSpace(ids[i])
		}
		if i < len(qtys) {
			row.Qty = strings.TrimSpace(qtys[i])
		}
		if row.ID == "" && row.Qty == "" {
			continue
		}
		x, err := strconv.ParseFloat(strings.ReplaceAll(row.Qty, ",", "."), 64)
		switch {
		case row.ID == "":
			row.Error = l.t(msgFieldRequired)
		case row.Qty == "":
			row.Error = l.t(msgFieldRequired)
		case err != nil:
			row.Error = l.t(msgFieldNumber)
		default:
			if _, dup := m[row.ID]; dup {
				row.Error = problem{key: msgFieldRepeated, args: []any{row.ID}}.text(l)
			}
			m[row.ID] = x
		}
		rows = append(rows, row)
	}
	return rows, m
}

func (s *Server) putRecipePage(w http.ResponseWriter, r *http.Request) error {
	coll := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		return errorf(store.CodeInvalid, msgInvalid)
	}
	lang := s.ui.pageLang(r)
	l := langOf(lang)
	f := recipeForm{form: newForm()}
	for _, k := range []string{"id", "site", "max_runs", "editing"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	var outputs, inputs, labor map[string]float64
	f.Outputs, outputs = readRows(r, "out", l)
	f.Inputs, inputs = readRows(r, "in", l)
	f.Labor, labor = readRows(r, "lab", l)
	v := &sitesView{Site: newForm(), Recipe: f}
	if r.PostFormValue("more") != "" {
		// More rows: the form again, as typed, with more empty rows.
		return s.renderSites(w, r, http.StatusOK, v)
	}
	var bad invalid
	maxRuns := formNumber(r, "max_runs", &bad)
	rowBad := false
	for _, rows := range [][]amountRow{f.Outputs, f.Inputs, f.Labor} {
		for _, row := range rows {
			rowBad = rowBad || row.Error != ""
		}
	}
	status := http.StatusUnprocessableEntity
	if len(bad) == 0 && !rowBad {
		rc := world.Recipe{ID: f.Values["id"], Site: f.Values["site"], Outputs: outputs, MaxRuns: maxRuns}
		if len(inputs) > 0 {
			rc.Inputs = inputs
		}
		if len(labor) > 0 {
			rc.Labor = labor
		}
		_, err := s.store.PutRecipe(r.Context(), coll, rc)
		switch {
		case err == nil:
			http.Redirect(w, r, "/collectives/"+coll+"/sites#row-recipe-"+rc.ID, http.StatusSeeOther)
			return nil
		case store.ErrorCode(err) == store.CodeNotFound:
			// A recipe of another collective has the id.
			f.Errors["id"] = s.ui.t(lang, "sites.recipe.taken")
			status = http.StatusNotFound
		default:
			pr, ok := asInvalid(elementProblems(err, l))
			if !ok {
				return err
			}
			bad = pr
		}
	}
	v.Recipe = f
	v.Recipe.place(bad, l)
	return s.renderSites(w, r, status, v)
}

// place puts each problem next to its field or row: "outputs.meal" on
// the row of meal, "outputs" above the outputs, "" (the recipe as a
// whole) above the form.
func (f *recipeForm) place(bad invalid, l lang) {
	lists := map[string][]amountRow{"outputs": f.Outputs, "inputs": f.Inputs, "labor": f.Labor}
	for _, p := range bad {
		text := problem{key: p.key, args: p.args}.text(l)
		field := p.field
		if field == "" {
			field = "recipe"
		}
		list, key, isRow := strings.Cut(field, ".")
		if rows, ok := lists[list]; ok && isRow {
			placed := false
			for i := range rows {
				if rows[i].ID == key && rows[i].Error == "" {
					rows[i].Error, placed = text, true
					break
				}
			}
			if placed {
				continue
			}
			field = list
		}
		if _, ok := f.Errors[field]; !ok {
			f.Errors[field] = text
		}
	}
}

func (s *Server) deleteRecipePage(w http.ResponseWriter, r *http.Request) error {
	coll := r.PathValue("id")
	if err := s.store.DeleteRecipe(r.Context(), coll, r.PathValue("recipe")); err != nil {
		return err
	}
	http.Redirect(w, r, "/collectives/"+coll+"/sites", http.StatusSeeOther)
	return nil
}

// formNumber reads a form field as a number, with a comma or a point
// before the decimals; a field that is not one is a problem of the
// field, and nil. An empty field is nil.
func formNumber(r *http.Request, field string, v *invalid) *float64 {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		return nil
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil {
		v.add(field, msgFieldNumber)
		return nil
	}
	return &x
}

// sitesMap is the map's data of the collective's sites: where they are,
// and nothing of any plan.
func sitesMap(sites []store.SiteRecipes) *mapData {
	d := mapData{Sites: []mapSite{}, Flows: []mapFlow{}, Coverage: []mapPlace{}, Products: map[string]mapProduct{}}
	for _, st := range sites {
		d.Sites = append(d.Sites, mapSite{ID: st.ID, Name: st.Name, Kind: st.Kind, Lat: st.Lat, Lon: st.Lon, Collective: st.Collective})
	}
	d.Bounds = bounds(d)
	return &d
}
