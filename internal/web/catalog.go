package web

import (
	"net/http"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/world"
)

// The catalog, skills and products with their names in every language,
// as organizers edit it. Bodies are a skill and a product as a world
// file writes them, checked by the world's rules; a skill or product
// that anything still names is not deleted, and the answer says what
// names it.

func (s *Server) catalogRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/catalog", action: auth.ReadAll, h: s.getCatalog},
		{pattern: "PUT /api/v1/catalog/skills/{skill}", action: auth.WriteAll, h: s.putSkill},
		{pattern: "DELETE /api/v1/catalog/skills/{skill}", action: auth.WriteAll, h: s.deleteSkill},
		{pattern: "PUT /api/v1/catalog/products/{product}", action: auth.WriteAll, h: s.putProduct},
		{pattern: "DELETE /api/v1/catalog/products/{product}", action: auth.WriteAll, h: s.deleteProduct},
	}
}

func (s *Server) getCatalog(w http.ResponseWriter, r *http.Request) error {
	c, err := s.store.Catalog(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Skills   []world.Skill   `json:"skills"`
		Products []world.Product `json:"products"`
	}{c.Skills, c.Products}
	if out.Skills == nil {
		out.Skills = []world.Skill{}
	}
	if out.Products == nil {
		out.Products = []world.Product{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// skillIn is the body of PUT /api/v1/catalog/skills/{skill}.
type skillIn struct {
	ID   *string     `json:"id"`
	Name world.Names `json:"name"`
}

func (s *Server) putSkill(w http.ResponseWriter, r *http.Request) error {
	var in skillIn
	if err := decode(r, &in); err != nil {
		return err
	}
	id := r.PathValue("skill")
	var v invalid
	v.samePath("id", in.ID, id)
	v.required("name", in.Name == nil)
	if err := v.err(); err != nil {
		return err
	}
	sk := world.Skill{ID: id, Name: in.Name}
	created, err := s.store.PutSkill(r.Context(), sk)
	if err != nil {
		return elementProblems(err, language(r.Header.Get("Accept-Language")))
	}
	answerPut(w, created, sk)
	return nil
}

func (s *Server) deleteSkill(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.DeleteSkill(r.Context(), r.PathValue("skill")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// productIn is the body of PUT /api/v1/catalog/products/{product}.
type productIn struct {
	ID            *string     `json:"id"`
	Name          world.Names `json:"name"`
	Unit          *string     `json:"unit"`
	Kind          *string     `json:"kind"`
	TransportCost *float64    `json:"transport_cost"`
	ReachKm       *float64    `json:"reach_km"`
}

func (in *productIn) product(id string) (world.Product, error) {
	var v invalid
	v.samePath("id", in.ID, id)
	v.required("name", in.Name == nil)
	v.required("unit", in.Unit == nil)
	v.required("kind", in.Kind == nil)
	if err := v.err(); err != nil {
		return world.Product{}, err
	}
	p := world.Product{ID: id, Name: in.Name, Unit: *in.Unit, Kind: world.ProductKind(*in.Kind), TransportCost: in.TransportCost}
	if in.ReachKm != nil {
		p.ReachKm = *in.ReachKm
	}
	return p, nil
}

func (s *Server) putProduct(w http.ResponseWriter, r *http.Request) error {
	var in productIn
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := in.product(r.PathValue("product"))
	if err != nil {
		return err
	}
	created, err := s.store.PutProduct(r.Context(), p)
	if err != nil {
		return elementProblems(err, language(r.Header.Get("Accept-Language")))
	}
	answerPut(w, created, p)
	return nil
}

func (s *Server) deleteProduct(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.DeleteProduct(r.Context(), r.PathValue("product")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
