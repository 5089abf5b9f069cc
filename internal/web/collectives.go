package web

import (
	"net/http"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// Collectives, their members, invites, coverage and the audit log.
//
// A route whose object belongs to a collective names the collective in
// its path ({id}), so that authorize checks the caller's rights on that
// very collective; its handler then asks the store for the object within
// that collective ({member}, {invite}), which answers not_found for an
// object of another. Together they keep a coordinator inside their
// collectives: rights are checked on the collective in the path, and the
// object must be in it.
//
// Roles are checked only by auth.Allow, through authorize or, where a
// route serves several roles differently, in the handler. Whether the
// caller is a member of a collective is data, not a role: the handler
// that shows a collective to its members reads it from the store, as
// the /me routes read the caller's own rows.

// collectiveRoutes are the routes of collectives and what hangs off them.
func (s *Server) collectiveRoutes() []route {
	return []route{
		// Any member: organizers get every collective, others their own.
		{pattern: "GET /api/v1/collectives", action: auth.ReadSelf, h: s.listCollectives},
		{pattern: "POST /api/v1/collectives", action: auth.WriteAll, h: s.createCollective},
		// Any member may ask; the handler answers only members of the
		// collective, its coordinators and organizers.
		{pattern: "GET /api/v1/collectives/{id}", action: auth.ReadSelf, collective: "id", h: s.getCollective},
		{pattern: "PATCH /api/v1/collectives/{id}", action: auth.WriteCollective, collective: "id", h: s.patchCollective},

		{pattern: "GET /api/v1/collectives/{id}/members", action: auth.ReadCollective, collective: "id", h: s.listMembers},
		{pattern: "PATCH /api/v1/collectives/{id}/members/{member}", action: auth.WriteCollective, collective: "id", h: s.patchMember},
		{pattern: "DELETE /api/v1/collectives/{id}/members/{member}", action: auth.WriteCollective, collective: "id", h: s.removeMember},

		{pattern: "POST /api/v1/collectives/{id}/invites", action: auth.WriteCollective, collective: "id", h: s.createInvite},
		{pattern: "GET /api/v1/collectives/{id}/invites", action: auth.ReadCollective, collective: "id", h: s.listInvites},
		{pattern: "DELETE /api/v1/collectives/{id}/invites/{invite}", action: auth.WriteCollective, collective: "id", h: s.deleteInvite},
		{pattern: "POST /api/v1/invites/{code}/accept", action: auth.WriteSelf, h: s.acceptInvite},

		{pattern: "GET /api/v1/collectives/{id}/coverage", action: auth.ReadCollective, collective: "id", h: s.getCoverage},
		{pattern: "GET /api/v1/audit", action: auth.ReadAll, h: s.listAudit},
	}
}

// caller returns who makes the request, which authorize has already
// allowed (and kept in the request's context); handlers that serve
// several roles differently need it.
func (s *Server) caller(r *http.Request) (auth.Principal, error) {
	p, err := s.principal(r)
	if err == nil && p.Anonymous() {
		err = errorf(codeUnauthenticated, msgUnauthenticated)
	}
	return p, err
}

// collectiveBody is a collective in the API. Role is the caller's role
// in it, for a member's own collectives.
type collectiveBody struct {
	ID      string               `json:"id"`
	Name    string               `json:"name"`
	Kind    store.CollectiveKind `json:"kind"`
	Created time.Time            `json:"created"`
	Role    store.Role           `json:"role,omitempty"`
}

func collectiveOf(c store.Collective, role store.Role) collectiveBody {
	return collectiveBody{ID: c.ID, Name: c.Name, Kind: c.Kind, Created: c.Created, Role: role}
}

// listCollectives answers every collective to an organizer and the
// caller's own collectives, with their role, to anyone else.
func (s *Server) listCollectives(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	after, limit, err := pageOf(r)
	if err != nil {
		return err
	}
	out := []collectiveBody{}
	var next string
	if auth.Allow(p, auth.ReadAll, "") {
		var cs []store.Collective
		cs, next, err = s.store.Collectives(r.Context(), after, limit)
		for _, c := range cs {
			out = append(out, collectiveOf(c, ""))
		}
	} else {
		var cs []store.MemberCollective
		cs, next, err = s.store.MemberCollectives(r.Context(), p.Member, after, limit)
		for _, c := range cs {
			out = append(out, collectiveOf(c.Collective, c.Role))
		}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"collectives": out, "next": next})
	return nil
}

// collectiveInput is the body of POST and PATCH /api/v1/collectives.
type collectiveInput struct {
	ID   string                `json:"id"`
	Name *string               `json:"name"`
	Kind *store.CollectiveKind `json:"kind"`
}

func (s *Server) createCollective(w http.ResponseWriter, r *http.Request) error {
	var in collectiveInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return store.Errorf(store.CodeInvalid, "name: required")
	}
	if in.Kind == nil {
		return store.Errorf(store.CodeInvalid, "kind: required")
	}
	c, err := s.store.CreateCollective(r.Context(), store.Collective{ID: in.ID, Name: *in.Name, Kind: *in.Kind})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/collectives/"+c.ID)
	writeJSON(w, http.StatusCreated, collectiveOf(*c, ""))
	return nil
}

// getCollective answers a collective to its coordinators, organizers and
// its members. Anyone else is refused as forbidden whether or not the
// collective exists, so that the answer does not tell which ids exist.
func (s *Server) getCollective(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	role, err := s.store.MemberRole(r.Context(), p.Member, id)
	switch {
	case store.ErrorCode(err) == store.CodeNotFound:
		if !auth.Allow(p, auth.ReadCollective, id) {
			return errorf(store.CodeForbidden, msgForbidden)
		}
	case err != nil:
		return err
	}
	c, err := s.store.Collective(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, collectiveOf(*c, role))
	return nil
}

func (s *Server) patchCollective(w http.ResponseWriter, r *http.Request) error {
	var in collectiveInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.ID != "" {
		return store.Errorf(store.CodeInvalid, "id: a collective's id does not change")
	}
	c, err := s.store.UpdateCollective(r.Context(), r.PathValue("id"), store.CollectiveChange{Name: in.Name, Kind: in.Kind})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, collectiveOf(*c, ""))
	return nil
}

// memberBody is a member as a collective's list shows them: alias and
// role, never a contact or a cell.
type memberBody struct {
	ID    string     `json:"id"`
	Alias string     `json:"alias"`
	Role  store.Role `json:"role"`
}

// listMembers answers a page of a collective's members. The read is
// written to the audit log first, and nothing is answered if that fails:
// no list of people leaves the server unrecorded.
func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	after, limit, err := pageOf(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.store.Collective(r.Context(), id); err != nil {
		return err
	}
	if err := s.store.Audit(r.Context(), p.Member, store.AuditListMembers, id); err != nil {
		return err
	}
	ms, next, err := s.store.CollectiveMembers(r.Context(), id, after, limit)
	if err != nil {
		return err
	}
	out := make([]memberBody, len(ms))
	for i, m := range ms {
		out[i] = memberBody{ID: m.MemberID, Alias: m.Alias, Role: m.Role}
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": out, "next": next})
	return nil
}

// patchMember changes a member's role in the collective. A coordinator
// may make another member of their collective a coordinator, or take the
// role back: they act on a person they know, inside their own boundary.
// (An invite is different: its code is a bearer secret that can leak, so
// only organizers make invites that grant the coordinator role.)
func (s *Server) patchMember(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Role *store.Role `json:"role"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Role == nil {
		return store.Errorf(store.CodeInvalid, "role: required")
	}
	m, err := s.store.SetRole(r.Context(), r.PathValue("id"), r.PathValue("member"), *in.Role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, memberBody{ID: m.MemberID, Alias: m.Alias, Role: m.Role})
	return nil
}

// removeMember takes a member out of the collective; their account stays.
func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.RemoveMembership(r.Context(), r.PathValue("id"), r.PathValue("member")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
