package web

import (
	"encoding/json"
	"errors"
	"github.com/commune-org/commune/internal/auth"
	"net/http"
	"net/url"
	"strings"

	"github.com/commune-org/commune/internal/store"
)

// pageRoutes are the pages people open in a browser, and what those
// pages load.
func (s *Server) pageRoutes() []route {
	return []route{
		{pattern: "GET /{$}", public: true, page: true, h: s.home},
		{pattern: "GET /login", public: true, page: true, h: s.loginPage},
		{pattern: "GET /collectives", action: auth.ReadSelf, page: true, h: s.collectivesPage},
		{pattern: "GET /static/{file}", public: true, h: s.serveStatic},
		{pattern: "GET /sw.js", public: true, h: s.serveWorker},
		{pattern: "GET /manifest.webmanifest", public: true, h: s.manifest},
	}
}

// home is the first page: for someone not signed in, what commune is and
// how to sign in or join; for a member, where to go next: their own
// page, the pages of the collectives they coordinate, and for an
// organizer all collectives.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	var v homeView
	p, err := s.principal(r)
	if err == nil && !p.Anonymous() {
		prof, err := s.store.Profile(r.Context(), p.Member)
		if err != nil && store.ErrorCode(err) != store.CodeNotFound {
			return err
		}
		if prof != nil {
			for _, m := range prof.Memberships {
				if auth.Allow(p, auth.ReadCollective, m.CollectiveID) {
					v.Coordinates = append(v.Coordinates, m)
				}
			}
		}
		v.Organizer = auth.Allow(p, auth.ReadAll, "")
	}
	return s.render(w, r, http.StatusOK, "home.html", "home.title", &v)
}

// homeView is what the first page shows a member.
type homeView struct {
	Coordinates []store.MemberOf // the collectives whose pages they may open
	Organizer   bool
}

// loginPage offers a passkey or, when the server sends email, a code by
// email; after signing in, the browser goes to ?next= (a path on this
// site) or the first page.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/"
	}
	return s.render(w, r, http.StatusOK, "login.html", "login.title", struct{ Next string }{next})
}

// pageError is writeError for pages: the same codes and statuses, as a
// page in the reader's language.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	code := store.ErrorCode(err)
	var ae *apiError
	if errors.As(err, &ae) {
		code = ae.code
	}
	status, ok := statuses[code]
	if !ok || code == "" {
		code, status = store.CodeInternal, http.StatusInternalServerError
	}
	// Someone not signed in is sent to sign in, and back here after.
	if code == codeUnauthenticated && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?"+url.Values{"next": {r.URL.RequestURI()}}.Encode(), http.StatusSeeOther)
		return
	}
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "page failed", "route", r.Pattern, "code", string(code), "err", err)
	}
	data := struct {
		Status int
		Code   string
	}{status, string(code)}
	if rerr := s.render(w, r, status, "error.html", "error.title", data); rerr != nil {
		s.log.ErrorContext(r.Context(), "error page failed", "err", rerr)
		http.Error(w, http.StatusText(status), status)
	}
}

// manifest answers the web app manifest in the reader's language, so
// that commune can be installed on a phone's home screen.
func (s *Server) manifest(w http.ResponseWriter, r *http.Request) error {
	lang := s.ui.pageLang(r)
	icon := func(name, size string) map[string]string {
		u, _ := s.ui.assets.url(name)
		return map[string]string{"src": u, "sizes": size, "type": s.ui.assets.byName[name].ctype, "purpose": "any maskable"}
	}
	m := map[string]any{
		"name":             s.ui.t(lang, "app.name"),
		"short_name":       "commune",
		"description":      s.ui.t(lang, "app.description"),
		"lang":             lang,
		"start_url":        "/",
		"scope":            "/",
		"display":          "standalone",
		"background_color": "#fbf7f0",
		"theme_color":      "#b3261e",
		"icons":            []map[string]string{icon("icon-192.png", "192x192"), icon("icon-512.png", "512x512"), icon("icon.svg", "any")},
	}
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Add("Vary", "Cookie")
	w.Header().Add("Vary", "Accept-Language")
	return json.NewEncoder(w).Encode(m)
}
