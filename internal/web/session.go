package web

import (
	"net/http"
	"strings"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// A browser session is a random secret (auth.NewSession) in a cookie
// that scripts cannot read (HttpOnly), sent only to this host, only
// over https when the server is public (Secure, __Host-), and not with
// requests other sites start, except plain navigation (SameSite=Lax).
// The store keeps only its hash.
//
// Since a browser sends the cookie by itself, a request that changes
// something must also prove it comes from our own pages: the header
// X-CSRF-Token must hold auth.CSRFToken of the session, which our pages
// learn from the sign-in answer or GET /api/v1/login/session and other
// sites cannot (the synchronizer token pattern). API tokens are not sent
// by browsers on their own, so Bearer requests need no such header.

// sessionBody answers a sign-in and GET /api/v1/login/session.
type sessionBody struct {
	Member      string    `json:"member"`
	Role        auth.Role `json:"role,omitempty"`
	Coordinates []string  `json:"coordinates,omitempty"`
	Passkey     bool      `json:"passkey"`
	// CSRF is the token to send as X-CSRF-Token; empty for a request
	// authenticated with an API token.
	CSRF string `json:"csrf,omitempty"`
}

// safeMethod reports whether requests with the method change nothing
// (RFC 9110, section 9.2.1), and so need no CSRF token.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sessionSecret returns the well-formed session secret of r's cookie, or
// "".
func (s *Server) sessionSecret(r *http.Request) string {
	c, err := r.Cookie(s.login.cookie)
	if err != nil || auth.CheckFormat(c.Value, auth.SessionPrefix) != nil {
		return ""
	}
	return c.Value
}

// csrfOf returns the CSRF token a request carries: the X-CSRF-Token
// header of scripts, or the csrf field of a page's form.
func csrfOf(r *http.Request) string {
	if h := r.Header.Get("X-CSRF-Token"); h != "" {
		return h
	}
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(ct) == "application/x-www-form-urlencoded" {
		return r.PostFormValue("csrf")
	}
	return ""
}

// sessionPrincipal returns who r's session cookie belongs to, with the
// roles the database gives them now: organizer if the member is in
// organizers, else coordinator of the collectives where their membership
// says so, else member. A missing, unknown or expired session is
// anonymous (the route then answers 401 if it needs someone). An unsafe
// method without the session's CSRF token is refused.
func (s *Server) sessionPrincipal(r *http.Request) (auth.Principal, error) {
	p, secret, err := s.sessionOwner(r)
	if err != nil || p.Anonymous() {
		return p, err
	}
	if !safeMethod(r.Method) && !auth.CheckCSRF(s.store.Key("csrf"), secret, csrfOf(r)) {
		return auth.Principal{}, errorf(store.CodeForbidden, msgBadCSRF)
	}
	return p, nil
}

// sessionOwner is sessionPrincipal without the CSRF check, and the
// session's secret: who the session cookie belongs to, which only
// sendAgain asks of a request refused for its CSRF token, to show the
// form again rather than act on it.
func (s *Server) sessionOwner(r *http.Request) (auth.Principal, string, error) {
	secret := s.sessionSecret(r)
	if secret == "" {
		return auth.Principal{}, "", nil
	}
	ss, err := s.store.SessionByHash(r.Context(), auth.Hash(secret), s.login.now())
	if store.ErrorCode(err) == store.CodeNotFound {
		return auth.Principal{}, "", nil
	}
	if err != nil {
		return auth.Principal{}, "", err
	}
	p := auth.Principal{Member: ss.MemberID, Role: auth.Member, Coordinates: ss.Coordinates, Passkey: ss.Passkey}
	switch {
	case ss.Organizer:
		p.Role = auth.Organizer
	case len(ss.Coordinates) > 0:
		p.Role = auth.Coordinator
	}
	return p, secret, nil
}

// startSession opens a session for the member, sets its cookie, and
// answers 200 {"member", "passkey", "csrf"}. A session the request
// already had is closed: one browser, one session.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, member string, passkey bool) error {
	secret, err := s.openSession(w, r, member, passkey)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sessionBody{Member: member, Passkey: passkey, CSRF: auth.CSRFToken(s.store.Key("csrf"), secret)})
	return nil
}

// openSession opens a session for the member and sets its cookie,
// closing the one the request had, and returns the session's secret.
func (s *Server) openSession(w http.ResponseWriter, r *http.Request, member string, passkey bool) (string, error) {
	if old := s.sessionSecret(r); old != "" {
		if err := s.store.DeleteSession(r.Context(), auth.Hash(old)); err != nil && store.ErrorCode(err) != store.CodeNotFound {
			return "", err
		}
	}
	secret := auth.NewSession()
	if _, err := s.store.CreateSession(r.Context(), auth.Hash(secret), member, passkey, s.login.now()); err != nil {
		return "", err
	}
	http.SetCookie(w, s.cookie(secret, int(store.SessionMaxAge.Seconds())))
	return secret, nil
}

// cookie is the session cookie holding value for maxAge seconds (-1
// deletes it).
func (s *Server) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     s.login.cookie,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.login.secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// getSession answers GET /api/v1/login/session: who the caller is, their
// role, whether they signed in with a passkey, and, for a browser, the
// CSRF token its pages need (a page reloaded has lost the one the
// sign-in gave).
func (s *Server) getSession(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	b := sessionBody{Member: p.Member, Role: p.Role, Coordinates: p.Coordinates, Passkey: p.Passkey}
	if r.Header.Get("Authorization") == "" {
		b.CSRF = auth.CSRFToken(s.store.Key("csrf"), s.sessionSecret(r))
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

// logout answers POST /api/v1/logout: the session is deleted (not
// flagged) and its cookie cleared. With an API token it does nothing: a
// token is revoked where it was made.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if secret := s.sessionSecret(r); secret != "" && r.Header.Get("Authorization") == "" {
		if err := s.store.DeleteSession(r.Context(), auth.Hash(secret)); err != nil && store.ErrorCode(err) != store.CodeNotFound {
			return err
		}
		s.forgetBrowser(w)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// forgetPages is the Clear-Site-Data header that makes the browser
// forget the member's pages kept for offline reading (sw.js keeps them
// in Cache Storage) when they sign out or erase their data, so that the
// next person on a shared phone cannot read them.
const forgetPages = `"cache", "storage"`

// forgetBrowser ends the browser's session cookie and has it forget the
// pages it kept, on signing out or erasing oneself.
func (s *Server) forgetBrowser(w http.ResponseWriter) {
	http.SetCookie(w, s.cookie("", -1))
	w.Header().Set("Clear-Site-Data", forgetPages)
}

// logoutPage signs out from the form every page carries, and sends the
// browser to the first page.
func (s *Server) logoutPage(w http.ResponseWriter, r *http.Request) error {
	if secret := s.sessionSecret(r); secret != "" {
		if err := s.store.DeleteSession(r.Context(), auth.Hash(secret)); err != nil && store.ErrorCode(err) != store.CodeNotFound {
			return err
		}
	}
	s.forgetBrowser(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
