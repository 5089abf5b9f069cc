package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// A page's form sent when the session changed is refused, since nothing
// proves it comes from our page: its CSRF token is not the session's
// (the member signed in again in another tab, or out and in), or there
// is no session any more (it expired, or they signed out). Refused with
// a bare error page, what they typed, an article or a list of needs,
// would be lost. So every page's form goes through sendAgain first,
// which answers instead with what was typed and what to do:
//
//   - the session changed: the form again, filled in, with the new
//     token and a word at the top (route.again, for the forms that
//     have it), or else a page with each field that was sent, to
//     check and send again;
//   - no session: the same page, which says to sign in first, in
//     another tab, so that the text stays here to copy or to send
//     again once signed in (then the token is stale, and the first
//     case follows).
//
// Nothing is done with what was sent, and it goes nowhere but back into
// the page: not into a URL (the sign-in link carries only the form's
// path), not into the log. A form from another site (its Origin is
// another's) is refused as before: it is not the member's to send.

// noticeKey holds, in a request's context, a catalog key the page says
// at its top (page.Notice), for sendAgain's pages.
type noticeKey struct{}

// againView is the page of the fields of a form that was not sent.
type againView struct {
	Action string       // the form's path
	SignIn string       // the sign-in link, "" when signed in
	Fields []againField // as sent, in order, without the CSRF token
}

type againField struct{ Name, Value string }

// sendAgain answers a page's form refused with err by authorize, as
// above, and reports whether it did.
func (s *Server) sendAgain(w http.ResponseWriter, r *http.Request, rt route, err error) bool {
	var ae *apiError
	if r.Method != http.MethodPost || !errors.As(err, &ae) || (ae.key != msgBadCSRF && ae.code != codeUnauthenticated) {
		return false
	}
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(ct) != "application/x-www-form-urlencoded" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && o != s.login.origin {
		return false
	}
	if r.ParseForm() != nil {
		return false
	}
	status, notice := http.StatusUnauthorized, "again.signin"
	if ae.key == msgBadCSRF {
		status, notice = http.StatusForbidden, "again.changed"
		p, _, perr := s.sessionOwner(r)
		if perr != nil || p.Anonymous() {
			return false
		}
		// Who the session is now may not use the form (another
		// member signed in): the refusal stands.
		ar, aerr := s.authorizeAs(r, rt, p)
		if aerr != nil {
			return false
		}
		r = ar
	}
	r = r.WithContext(context.WithValue(r.Context(), noticeKey{}, notice))
	if rt.again != nil && ae.key == msgBadCSRF {
		f := newForm()
		for k := range r.PostForm {
			if k != "csrf" {
				f.Values[k] = r.PostForm.Get(k)
			}
		}
		// A page that cannot be shown (the article is no longer
		// the member's to change) writes nothing: the fields' page
		// follows, so that the text is still not lost.
		if rt.again(w, r, status, f) == nil {
			return true
		}
	}
	v := againView{Action: r.URL.Path}
	if status == http.StatusUnauthorized {
		v.SignIn = "/login"
		// Back to the form's page after signing in, when it has one
		// at the same path; never with what was typed.
		get := r.Clone(r.Context())
		get.Method = http.MethodGet
		if _, pattern := s.mux.Handler(get); pattern != "" {
			v.SignIn = "/login?" + url.Values{"next": {r.URL.Path}}.Encode()
		}
	}
	names := make([]string, 0, len(r.PostForm))
	for k := range r.PostForm {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if k == "csrf" {
			continue
		}
		for _, x := range r.PostForm[k] {
			v.Fields = append(v.Fields, againField{Name: k, Value: x})
		}
	}
	if err := s.render(w, r, status, "again.html", "again.title", &v); err != nil {
		s.pageError(w, r, err)
	}
	return true
}
