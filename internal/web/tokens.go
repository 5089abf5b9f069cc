package web

import (
	"net/http"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// API tokens as people see them. "commune token" makes them; here each
// member lists and revokes their own (the account page,
// /api/v1/me/tokens), and organizers every member's (the page of API
// tokens, /api/v1/tokens). A token is named by its id, never by the
// token or its hash. Revoking deletes the token, and principal looks up
// the token of every request, so the next request with it is refused
// with 401, as a token never made is.
//
// A member's route takes the id of the token, not of a member: another
// member's token is not found, as a missing one is, so a member can
// neither revoke nor learn of the tokens of others.
//
// Every revocation is written to the audit log (store.AuditRevokeToken)
// with the revocation itself: who revoked, which token, whose it was.

func (s *Server) tokenRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/me/tokens", action: auth.ReadSelf, h: s.getMyTokens},
		{pattern: "DELETE /api/v1/me/tokens/{id}", action: auth.WriteSelf, h: s.deleteMyToken},
		{pattern: "GET /api/v1/tokens", action: auth.ReadAll, h: s.listTokens},
		{pattern: "DELETE /api/v1/tokens/{id}", action: auth.WriteAll, h: s.deleteToken},
		{pattern: "POST /me/tokens/{id}/revoke", action: auth.WriteSelf, page: true, h: s.revokeMyTokenPage},
		{pattern: "GET /tokens", action: auth.ReadAll, page: true, h: s.tokensPage},
		{pattern: "POST /tokens/{id}/revoke", action: auth.WriteAll, page: true, h: s.revokeTokenPage},
	}
}

// tokenBody is one of the caller's API tokens: its id and what it lets
// its holder do, since when.
type tokenBody struct {
	ID         string    `json:"id"`
	Role       string    `json:"role"`
	Collective string    `json:"collective,omitempty"`
	Created    time.Time `json:"created"`
}

func newTokenBody(t store.Token) tokenBody {
	return tokenBody{ID: t.ID, Role: t.Role, Collective: t.Collective, Created: t.Created}
}

// heldTokenBody is a token as organizers see it: whose it is too.
type heldTokenBody struct {
	tokenBody
	Member string `json:"member"`
	Alias  string `json:"alias"`
}

// myTokens returns the caller's tokens as the API answers them.
func (s *Server) myTokens(r *http.Request, member string) ([]tokenBody, error) {
	toks, err := s.store.MemberTokens(r.Context(), member)
	if err != nil {
		return nil, err
	}
	out := []tokenBody{}
	for _, t := range toks {
		out = append(out, newTokenBody(t))
	}
	return out, nil
}

func (s *Server) getMyTokens(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	out, err := s.myTokens(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
	return nil
}

func (s *Server) deleteMyToken(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	if _, err := s.store.RevokeMemberToken(r.Context(), id, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	toks, err := s.store.Tokens(r.Context())
	if err != nil {
		return err
	}
	out := []heldTokenBody{}
	for _, t := range toks {
		out = append(out, heldTokenBody{tokenBody: newTokenBody(t), Member: t.MemberID, Alias: t.Alias})
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
	return nil
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) error {
	by, err := s.self(r)
	if err != nil {
		return err
	}
	if _, err := s.store.RevokeToken(r.Context(), by, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// revokeMyTokenPage revokes one of the member's tokens from their
// account page, and goes back to it.
func (s *Server) revokeMyTokenPage(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	if _, err := s.store.RevokeMemberToken(r.Context(), id, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/me/account", http.StatusSeeOther)
	return nil
}

// tokensView is the organizers' page of API tokens.
type tokensView struct {
	Tokens []store.Token
}

func (tokensView) Date(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) error {
	toks, err := s.store.Tokens(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "tokens.html", "tokens.title", tokensView{Tokens: toks})
}

func (s *Server) revokeTokenPage(w http.ResponseWriter, r *http.Request) error {
	by, err := s.self(r)
	if err != nil {
		return err
	}
	if _, err := s.store.RevokeToken(r.Context(), by, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/tokens", http.StatusSeeOther)
	return nil
}
