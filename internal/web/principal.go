package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// authorize finds who makes the request and asks auth.Allow, the one
// place where roles are checked, whether they may do what rt does. It
// returns the request with the principal in its context, so that the
// handler's own calls to principal cost no second lookup.
func (s *Server) authorize(r *http.Request, rt route) (*http.Request, error) {
	if rt.public {
		return r, nil
	}
	p, err := s.principal(r)
	if err != nil {
		return r, err
	}
	return s.authorizeAs(r, rt, p)
}

// authorizeAs is authorize for the principal p: r with p in its context
// if p may use the route.
func (s *Server) authorizeAs(r *http.Request, rt route, p auth.Principal) (*http.Request, error) {
	if p.Anonymous() {
		return r, errorf(codeUnauthenticated, msgUnauthenticated)
	}
	var err error
	var collective string
	if rt.collective != "" {
		collective = r.PathValue(rt.collective)
	}
	if rt.action == auth.Edit {
		if p.Editor, err = s.store.IsEditor(r.Context(), p.Member); err != nil {
			return r, err
		}
	}
	if !auth.Allow(p, rt.action, collective) {
		return r, errorf(store.CodeForbidden, msgForbidden)
	}
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), nil
}

// principalKey holds the principal authorize found in a request's
// context.
type principalKey struct{}

// principal reads an API token from "Authorization: Bearer cmt_...".
// Without the header or a session the request is anonymous; with a header that is
// not a well-formed, known token it is refused, so that a script with a
// mistyped token learns so instead of being treated as anonymous.
//
// The format is checked before the database is asked, so that garbage
// costs no query. The lookup is by hash (auth.Hash): the database holds
// no token, and comparing hashes leaks nothing useful about a token by
// timing, since the attacker does not control the hash.
//
// An API token counts as a passkey (Passkey: true). auth.Allow asks for
// a passkey so that a coordinator's or organizer's powers are not one
// phished or intercepted email code away. A token is not phishable in
// that way: it is 256 random bits, created only by someone who can run
// "commune token" against the server's own database (which already
// gives them everything), shown once, and bound to one role and at most
// one collective. Requiring a browser ceremony for scripts would make
// tokens useless for coordinators and organizers, which is what they
// are for.
//
// Without the header, the session cookie of a browser is read
// (sessionPrincipal, session.go); a request with both is the token's.
func (s *Server) principal(r *http.Request) (auth.Principal, error) {
	if p, ok := r.Context().Value(principalKey{}).(auth.Principal); ok {
		return p, nil
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return s.sessionPrincipal(r)
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return auth.Principal{}, errorf(codeUnauthenticated, msgBadToken)
	}
	secret = strings.TrimSpace(secret)
	if err := auth.CheckFormat(secret, auth.TokenPrefix); err != nil {
		return auth.Principal{}, errorf(codeUnauthenticated, msgBadToken)
	}
	tok, err := s.store.TokenByHash(r.Context(), auth.Hash(secret))
	if store.ErrorCode(err) == store.CodeNotFound {
		return auth.Principal{}, errorf(codeUnauthenticated, msgBadToken)
	}
	if err != nil {
		return auth.Principal{}, err
	}
	p := auth.Principal{Member: tok.MemberID, Role: auth.Role(tok.Role), Passkey: true}
	// A lapsed token's member no longer coordinates its collective: the
	// token keeps only what any member may do.
	if p.Role == auth.Coordinator && tok.Collective != "" && !tok.Lapsed {
		p.Coordinates = []string{tok.Collective}
	}
	return p, nil
}
