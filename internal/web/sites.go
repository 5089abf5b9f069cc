package web

import (
	"net/http"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// A collective's sites and the recipes at them, as its coordinators and
// the organizers edit them. Bodies are a site and a recipe as a world
// file writes them (docs: spec/world.md); they are checked by the
// world's rules, and every problem names its field in the caller's
// language. A site or recipe of another collective is not found under
// this one, as a member of another is not (collectives.go).

// editRoutes are the routes of sites, recipes and the catalog, and of
// their pages.
func (s *Server) editRoutes() []route {
	rts := []route{
		{pattern: "GET /api/v1/collectives/{id}/sites", action: auth.ReadCollective, collective: "id", h: s.listSites},
		{pattern: "PUT /api/v1/collectives/{id}/sites/{site}", action: auth.WriteCollective, collective: "id", h: s.putSite},
		{pattern: "DELETE /api/v1/collectives/{id}/sites/{site}", action: auth.WriteCollective, collective: "id", h: s.deleteSite},
		{pattern: "PUT /api/v1/collectives/{id}/recipes/{recipe}", action: auth.WriteCollective, collective: "id", h: s.putRecipe},
		{pattern: "DELETE /api/v1/collectives/{id}/recipes/{recipe}", action: auth.WriteCollective, collective: "id", h: s.deleteRecipe},
	}
	rts = append(rts, s.catalogRoutes()...)
	rts = append(rts, s.sitesPageRoutes()...)
	return append(rts, s.catalogPageRoutes()...)
}

func (s *Server) listSites(w http.ResponseWriter, r *http.Request) error {
	sites, err := s.store.CollectiveSites(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if sites == nil {
		sites = []store.SiteRecipes{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sites": sites})
	return nil
}

// siteIn is the body of PUT .../sites/{site}: a site of a world. Its id
// and collective may be left out; given, they must be the path's.
type siteIn struct {
	ID         *string  `json:"id"`
	Name       *string  `json:"name"`
	Kind       *string  `json:"kind"`
	Lat        *float64 `json:"lat"`
	Lon        *float64 `json:"lon"`
	Collective *string  `json:"collective"`
}

// site checks what the world's rules cannot (fields left out, the path)
// and returns the site.
func (in *siteIn) site(id, collective string) (world.Site, error) {
	var v invalid
	v.samePath("id", in.ID, id)
	v.samePath("collective", in.Collective, collective)
	v.required("name", in.Name == nil)
	v.required("kind", in.Kind == nil)
	v.required("lat", in.Lat == nil)
	v.required("lon", in.Lon == nil)
	if err := v.err(); err != nil {
		return world.Site{}, err
	}
	return world.Site{ID: id, Name: *in.Name, Kind: world.SiteKind(*in.Kind), Lat: *in.Lat, Lon: *in.Lon, Collective: collective}, nil
}

// answerPut answers a PUT: 201 for what it created, 200 for what it
// replaced, with the element as stored.
func answerPut(w http.ResponseWriter, created bool, v any) {
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, v)
}

func (s *Server) putSite(w http.ResponseWriter, r *http.Request) error {
	var in siteIn
	if err := decode(r, &in); err != nil {
		return err
	}
	coll := r.PathValue("id")
	st, err := in.site(r.PathValue("site"), coll)
	if err != nil {
		return err
	}
	created, err := s.store.PutSite(r.Context(), coll, st)
	if err != nil {
		return elementProblems(err, language(r.Header.Get("Accept-Language")))
	}
	answerPut(w, created, st)
	return nil
}

func (s *Server) deleteSite(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.DeleteSite(r.Context(), r.PathValue("id"), r.PathValue("site")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// recipeIn is the body of PUT .../recipes/{recipe}: a recipe of a world,
// whose id may be left out.
type recipeIn struct {
	ID      *string            `json:"id"`
	Site    *string            `json:"site"`
	Outputs map[string]float64 `json:"outputs"`
	Inputs  map[string]float64 `json:"inputs"`
	Labor   map[string]float64 `json:"labor"`
	MaxRuns *float64           `json:"max_runs"`
}

func (in *recipeIn) recipe(id string) (world.Recipe, error) {
	var v invalid
	v.samePath("id", in.ID, id)
	v.required("site", in.Site == nil)
	v.required("outputs", in.Outputs == nil)
	if err := v.err(); err != nil {
		return world.Recipe{}, err
	}
	rc := world.Recipe{ID: id, Site: *in.Site, Outputs: in.Outputs, MaxRuns: in.MaxRuns}
	// Empty maps are left out, as a world file writes them.
	if len(in.Inputs) > 0 {
		rc.Inputs = in.Inputs
	}
	if len(in.Labor) > 0 {
		rc.Labor = in.Labor
	}
	return rc, nil
}

func (s *Server) putRecipe(w http.ResponseWriter, r *http.Request) error {
	var in recipeIn
	if err := decode(r, &in); err != nil {
		return err
	}
	rc, err := in.recipe(r.PathValue("recipe"))
	if err != nil {
		return err
	}
	created, err := s.store.PutRecipe(r.Context(), r.PathValue("id"), rc)
	if err != nil {
		return elementProblems(err, language(r.Header.Get("Accept-Language")))
	}
	answerPut(w, created, rc)
	return nil
}

func (s *Server) deleteRecipe(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.DeleteRecipe(r.Context(), r.PathValue("id"), r.PathValue("recipe")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
