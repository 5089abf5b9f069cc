package web

import (
	"net/http"

	"github.com/commune-org/commune/internal/store"
)

// DemoPeople are the members "commune demo" offers one-click sign-in
// links for. The links exist only when Options.Demo is set, which only
// the demo command does: on a real server, anyone could sign in as
// anyone through them.
type DemoPeople struct {
	Member, Coordinator, Organizer string
	// Collective is the one the coordinator coordinates, whose page
	// their link opens.
	Collective string
}

// demoRoutes serves the demo's sign-in links, in demo mode only.
func (s *Server) demoRoutes() []route {
	if s.opt.Demo == nil {
		return nil
	}
	return []route{{pattern: "GET /demo/{who}", public: true, page: true, h: s.demoSignIn}}
}

// demoSignIn answers GET /demo/member, /demo/coordinator and
// /demo/organizer: a session for that person, counted as a passkey's so
// that a coordinator's and an organizer's powers work, and their page:
// the member's own, the coordinator's collective's, every collective for
// the organizer.
func (s *Server) demoSignIn(w http.ResponseWriter, r *http.Request) error {
	member, next := "", "/me"
	switch r.PathValue("who") {
	case "member":
		member = s.opt.Demo.Member
	case "coordinator":
		member = s.opt.Demo.Coordinator
		if c := s.opt.Demo.Collective; c != "" {
			next = "/collectives/" + c
		}
	case "organizer":
		member, next = s.opt.Demo.Organizer, "/collectives"
	}
	if member == "" {
		return errorf(store.CodeNotFound, msgNotFound)
	}
	if _, err := s.openSession(w, r, member, true); err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}
