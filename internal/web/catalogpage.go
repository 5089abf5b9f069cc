package web

import (
	"net/http"
	"strings"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// The organizers' page of the catalog: every product and skill with its
// name in each language of the pages (a column a language, so that a
// new catalog file adds a column), a name still missing marked as such;
// forms to add and edit them, and to delete what nothing uses. The
// checks are the API's (catalog.go).

func (s *Server) catalogPageRoutes() []route {
	return []route{
		{pattern: "GET /catalog", action: auth.ReadAll, page: true, h: s.catalogPage},
		{pattern: "POST /catalog/products", action: auth.WriteAll, page: true, h: s.putProductPage},
		{pattern: "POST /catalog/products/{product}/delete", action: auth.WriteAll, page: true, h: s.deleteProductPage},
		{pattern: "POST /catalog/skills", action: auth.WriteAll, page: true, h: s.putSkillPage},
		{pattern: "POST /catalog/skills/{skill}/delete", action: auth.WriteAll, page: true, h: s.deleteSkillPage},
	}
}

// catalogView is what the page shows.
type catalogView struct {
	Langs    []langCol
	Products []catalogRow[world.Product]
	Skills   []catalogRow[world.Skill]
	Product  form
	Skill    form
	Problem  string // what keeps a deletion from happening
}

// langCol is a language of the pages, a column of names: Name is its
// name in itself, for the column's head, and InPage its name in the
// page's language, for the page's sentences ("Name in Spanish", "Nombre
// en inglés", not "Nombre en English").
type langCol struct{ Code, Name, InPage string }

// catalogRow is a product or skill with its names in the page's
// languages, in the order of the columns; an empty one is missing.
type catalogRow[T any] struct {
	Item  T
	Names []nameCell
}

type nameCell struct {
	Lang langCol
	Text string
}

// langCols are the languages of the pages, named in themselves and in
// the page's language, page. A catalog names each language under
// "language." and its code; one a catalog does not name yet (a language
// just added) is named in itself.
func (s *Server) langCols(page string) []langCol {
	var out []langCol
	for _, l := range s.ui.langs {
		c := langCol{Code: l, Name: s.ui.t(l, "language.name")}
		c.InPage = s.ui.catalog[page]["language."+l]
		if c.InPage == "" {
			c.InPage = c.Name
		}
		out = append(out, c)
	}
	return out
}

func cells(cols []langCol, n world.Names) []nameCell {
	out := make([]nameCell, len(cols))
	for i, c := range cols {
		out[i] = nameCell{Lang: c, Text: n[c.Code]}
	}
	return out
}

func (s *Server) catalogPage(w http.ResponseWriter, r *http.Request) error {
	v := &catalogView{Product: newForm(), Skill: newForm()}
	cat, err := s.store.Catalog(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	for _, p := range cat.Products {
		if p.ID == q.Get("product") {
			v.Product = productForm(p)
		}
	}
	for _, sk := range cat.Skills {
		if sk.ID == q.Get("skill") {
			v.Skill.Values["id"], v.Skill.Values["editing"] = sk.ID, "1"
			for l, n := range sk.Name {
				v.Skill.Values["name_"+l] = n
			}
		}
	}
	return s.renderCatalog(w, r, http.StatusOK, v, cat)
}

// productForm is the product form filled with a product as stored.
func productForm(p world.Product) form {
	f := newForm()
	f.Values["id"], f.Values["unit"], f.Values["kind"], f.Values["editing"] = p.ID, p.Unit, string(p.Kind), "1"
	for l, n := range p.Name {
		f.Values["name_"+l] = n
	}
	if p.ReachKm != 0 {
		f.Values["reach_km"] = fmtNum(p.ReachKm)
	}
	if p.TransportCost != nil {
		f.Values["transport_cost"] = fmtNum(*p.TransportCost)
	}
	return f
}

func (s *Server) renderCatalog(w http.ResponseWriter, r *http.Request, status int, v *catalogView, cat *store.Catalog) error {
	if cat == nil {
		var err error
		if cat, err = s.store.Catalog(r.Context()); err != nil {
			return err
		}
	}
	v.Langs = s.langCols(s.ui.pageLang(r))
	for _, p := range cat.Products {
		v.Products = append(v.Products, catalogRow[world.Product]{Item: p, Names: cells(v.Langs, p.Name)})
	}
	for _, sk := range cat.Skills {
		v.Skills = append(v.Skills, catalogRow[world.Skill]{Item: sk, Names: cells(v.Langs, sk.Name)})
	}
	return s.render(w, r, status, "catalog.html", "catalog.title", v)
}

// namesOf reads the name fields of a form (name_en, name_es...) into f
// and returns the names: those typed, and those the item already has in
// languages the pages do not offer, which the form cannot show.
func (s *Server) namesOf(r *http.Request, f form, old world.Names) world.Names {
	names := world.Names{}
	for l, n := range old {
		if s.ui.catalog[l] == nil {
			names[l] = n
		}
	}
	for _, l := range s.ui.langs {
		t := strings.TrimSpace(r.PostFormValue("name_" + l))
		f.Values["name_"+l] = t
		if t != "" {
			names[l] = t
		}
	}
	return names
}

// placeNames puts problems of names next to the name fields: name.es on
// name_es, name (none given) on the first language's.
func (s *Server) placeNames(bad invalid) invalid {
	out := make(invalid, len(bad))
	for i, p := range bad {
		switch {
		case p.field == "name":
			p.field = "name_" + s.ui.langs[0]
		case strings.HasPrefix(p.field, "name."):
			p.field = "name_" + strings.TrimPrefix(p.field, "name.")
		}
		out[i] = p
	}
	return out
}

func (s *Server) putProductPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lang := s.ui.pageLang(r)
	cat, err := s.store.Catalog(ctx)
	if err != nil {
		return err
	}
	f := newForm()
	for _, k := range []string{"id", "unit", "kind", "reach_km", "transport_cost", "editing"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	var old world.Names
	for _, p := range cat.Products {
		if p.ID == f.Values["id"] {
			old = p.Name
		}
	}
	p := world.Product{ID: f.Values["id"], Name: s.namesOf(r, f, old), Unit: f.Values["unit"], Kind: world.ProductKind(f.Values["kind"])}
	var bad invalid
	reach := formNumber(r, "reach_km", &bad)
	p.TransportCost = formNumber(r, "transport_cost", &bad)
	if reach != nil {
		p.ReachKm = *reach
	}
	bad.required("kind", f.Values["kind"] == "")
	if len(bad) > 0 {
		// The other fields are told what is wrong with them too.
		if err := world.CheckProduct(p); err != nil {
			v, _ := asInvalid(elementProblems(err, langOf(lang)))
			bad = append(bad, v...)
		}
	} else {
		_, err := s.store.PutProduct(ctx, p)
		iu, inUse := store.IsInUse(err)
		switch {
		case err == nil:
			http.Redirect(w, r, "/catalog#row-product-"+p.ID, http.StatusSeeOther)
			return nil
		case inUse:
			f.Errors["kind"] = strings.TrimPrefix(inUseText(langOf(lang), iu), iu.Field+": ")
		default:
			v, ok := asInvalid(elementProblems(err, langOf(lang)))
			if !ok {
				return err
			}
			bad = v
		}
	}
	f.problems(s.placeNames(bad), lang)
	status := http.StatusUnprocessableEntity
	if len(bad) == 0 {
		status = http.StatusConflict
	}
	return s.renderCatalog(w, r, status, &catalogView{Product: f, Skill: newForm()}, cat)
}

func (s *Server) putSkillPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lang := s.ui.pageLang(r)
	cat, err := s.store.Catalog(ctx)
	if err != nil {
		return err
	}
	f := newForm()
	f.Values["id"], f.Values["editing"] = strings.TrimSpace(r.PostFormValue("id")), r.PostFormValue("editing")
	var old world.Names
	for _, sk := range cat.Skills {
		if sk.ID == f.Values["id"] {
			old = sk.Name
		}
	}
	sk := world.Skill{ID: f.Values["id"], Name: s.namesOf(r, f, old)}
	_, err = s.store.PutSkill(ctx, sk)
	if err == nil {
		http.Redirect(w, r, "/catalog#row-skill-"+sk.ID, http.StatusSeeOther)
		return nil
	}
	bad, ok := asInvalid(elementProblems(err, langOf(lang)))
	if !ok {
		return err
	}
	f.problems(s.placeNames(bad), lang)
	return s.renderCatalog(w, r, http.StatusUnprocessableEntity, &catalogView{Product: newForm(), Skill: f}, cat)
}

// deleted answers a deletion from the page: back to the page, or the
// page saying what still uses the thing.
func (s *Server) deleted(w http.ResponseWriter, r *http.Request, err error) error {
	if iu, ok := store.IsInUse(err); ok {
		v := &catalogView{Product: newForm(), Skill: newForm(), Problem: inUseText(langOf(s.ui.pageLang(r)), iu)}
		return s.renderCatalog(w, r, http.StatusConflict, v, nil)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/catalog", http.StatusSeeOther)
	return nil
}

func (s *Server) deleteProductPage(w http.ResponseWriter, r *http.Request) error {
	return s.deleted(w, r, s.store.DeleteProduct(r.Context(), r.PathValue("product")))
}

func (s *Server) deleteSkillPage(w http.ResponseWriter, r *http.Request) error {
	return s.deleted(w, r, s.store.DeleteSkill(r.Context(), r.PathValue("skill")))
}
