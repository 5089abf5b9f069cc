package web

import (
	"bytes"
	"net/http"

	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// putWorld replaces the world with the body, a world v1. The body is
// read and validated whole before anything is stored; every problem is
// reported at once, each naming its field.
func (s *Server) putWorld(w http.ResponseWriter, r *http.Request) error {
	wd, err := world.Read(r.Body)
	if err != nil {
		return err
	}
	if err := s.store.PutWorld(r.Context(), wd); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getWorld answers the current world v1. It names every member, with
// their home cell, commitment and needs, so the read is written to the
// audit log first, and nothing is answered if that fails.
func (s *Server) getWorld(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	if err := s.store.Audit(r.Context(), p.Member, store.AuditReadWorld, ""); err != nil {
		return err
	}
	wd, err := s.store.World(r.Context())
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := world.Write(&b, wd); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
	return nil
}
