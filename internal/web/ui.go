package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/auth"
)

// The pages are rendered by the server from html/template files in
// templates/, with their words from one catalog file per language in
// locales/ ("en.json", "es.json"). Adding a language is adding one
// catalog file: the language menu lists the catalogs there are, and a
// test checks that each has every key of the English one.

//go:embed templates
var templateFS embed.FS

//go:embed locales
var localeFS embed.FS

// langCookie remembers the language a person chose.
const langCookie = "commune_lang"

// ui holds what pages are made of: the parsed templates, the catalogs
// and the static assets.
type ui struct {
	pages   map[pageKey]*template.Template
	langs   []string                     // "en" first, then the others in order
	catalog map[string]map[string]string // words by language and key
	assets  *assets
}

// pageKey names a page's template in one language: by file name,
// "home.html", and language, whose numbers its functions write.
type pageKey struct{ lang, name string }

func newUI() (*ui, error) {
	u := &ui{pages: map[pageKey]*template.Template{}, catalog: map[string]map[string]string{}}
	var err error
	if u.assets, err = loadAssets(staticFS); err != nil {
		return nil, err
	}
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := fs.ReadFile(localeFS, f)
		if err != nil {
			return nil, err
		}
		words := map[string]string{}
		if err := json.Unmarshal(data, &words); err != nil {
			return nil, fmt.Errorf("web: %s: %w", f, err)
		}
		lang := strings.TrimSuffix(path.Base(f), ".json")
		u.catalog[lang] = words
		u.langs = append(u.langs, lang)
	}
	if u.catalog["en"] == nil {
		return nil, fmt.Errorf("web: locales/en.json is missing")
	}
	slices.SortFunc(u.langs, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "en":
			return -1
		case b == "en":
			return 1
		}
		return strings.Compare(a, b)
	})
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		name := path.Base(p)
		if name == "layout.html" {
			continue
		}
		t, err := template.New(name).Funcs(templateFuncs("en")).ParseFS(templateFS, "templates/layout.html", "templates/parts/*.html", p)
		if err != nil {
			return nil, fmt.Errorf("web: %s: %w", name, err)
		}
		// A copy per language, whose functions write numbers in it.
		for _, lang := range u.langs {
			c, err := t.Clone()
			if err != nil {
				return nil, fmt.Errorf("web: %s: %w", name, err)
			}
			u.pages[pageKey{lang, name}] = c.Funcs(templateFuncs(lang))
		}
	}
	return u, nil
}

// templateFuncs are the few functions templates need beyond page's
// methods, numbers written in lang (numbers.go).
func templateFuncs(lang string) template.FuncMap {
	return template.FuncMap{
		"pct": func(x float64) string { return formatPct(lang, x) },
		// num writes a quantity with at most two decimals: 14, 2.5, 0.33.
		"num": func(x float64) string { return formatNum(lang, x, shownDecimals) },
		// met and share write an amount met of an amount needed, and
		// the share of it: 2210.998 of 2211 is all of it (numbers.go).
		"met":   func(met, need float64) string { return formatMet(lang, met, need) },
		"share": func(met, need float64) string { return formatShare(lang, met, need) },
		"half":  func(x float64) float64 { return x / 2 },
		"div":   func(x, y float64) float64 { return x / y },
		// cell writes values[i] of a chart's series, or a dash where
		// there is none.
		"cell": func(values []float64, i int) string {
			if i >= len(values) || math.IsNaN(values[i]) {
				return "—"
			}
			return formatNum(lang, values[i], shownDecimals)
		},
		// num3 writes a small quantity with three significant decimals.
		"num3": func(x float64) string { return formatNum(lang, x, 3) },
		"list": func(xs ...string) []string { return xs },
	}
}

// t returns the words of key in lang, formatted with args: the English
// ones when lang lacks them, the key itself when English does too (a
// test makes sure that never happens).
func (u *ui) t(lang, key string, args ...any) string {
	s, ok := u.catalog[lang][key]
	if !ok {
		s, ok = u.catalog["en"][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// offlineAssets is the JSON list of the hashed URLs the service worker
// keeps for offline use: every style, script and icon.
func (u *ui) offlineAssets() string {
	var urls []string
	for _, a := range u.assets.byName {
		if ext := path.Ext(a.name); ext == ".css" || ext == ".js" || ext == ".svg" || ext == ".png" {
			if a.name != "sw.js" {
				urls = append(urls, "/static/"+a.hashed)
			}
		}
	}
	slices.Sort(urls)
	b, _ := json.Marshal(urls)
	return string(b)
}

// page is what every template receives.
type page struct {
	ui        *ui
	Lang      string
	Path      string // the request's path, for the language menu
	Principal auth.Principal
	Title     string // a catalog key
	Data      any
	csrf      string // the session's CSRF token, for forms
	// Notice is a catalog key said at the top of the page, after a
	// form sent the browser there (noticeOf).
	Notice string
	// Mail is whether the server sends email: without it, no page
	// offers to sign in with a code by email.
	Mail bool
}

// notices are the words a redirect may ask a page to show, by the
// value of its "done" parameter; any other value shows nothing.
var notices = map[string]string{
	// An email was given: a message went to it (emailconfirm.go).
	"email": "email.sent",
}

// T returns the words of key in the page's language.
func (p *page) T(key string, args ...any) string { return p.ui.t(p.Lang, key, args...) }

// TH is T for words whose arguments hold markup, such as times
// (timeHTML): the words and the other arguments are escaped, the
// template.HTML arguments are not.
func (p *page) TH(key string, args ...any) template.HTML {
	escaped := make([]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case template.HTML:
			escaped[i] = string(a)
		case string:
			escaped[i] = template.HTMLEscapeString(a)
		case int, int64, float64:
			escaped[i] = a // for %d and %f, and nothing to escape
		default:
			escaped[i] = template.HTMLEscapeString(fmt.Sprint(a))
		}
	}
	return template.HTML(p.ui.sayHTML(p.Lang, key, escaped...))
}

// sayHTML is the catalog's text of key in lang, escaped, with args,
// which must be HTML already, in its verbs.
func (u *ui) sayHTML(lang, key string, args ...any) string {
	return fmt.Sprintf(template.HTMLEscapeString(u.t(lang, key)), args...)
}

// timeHTML is how the pages write a time: in UTC, with the instant in
// a time element that app.js rewrites in the reader's own time zone.
func timeHTML(t time.Time) template.HTML {
	t = t.UTC()
	return template.HTML(`<time datetime="` + t.Format(time.RFC3339) + `" data-local>` + t.Format(timeLayout) + ` UTC</time>`)
}

// Asset returns the hashed URL of a static asset.
func (p *page) Asset(name string) (string, error) { return p.ui.assets.url(name) }

// Langs are the language menu's entries.
func (p *page) Langs() []langChoice {
	var out []langChoice
	for _, l := range p.ui.langs {
		q := url.Values{"lang": {l}}
		out = append(out, langChoice{Code: l, Name: p.ui.t(l, "language.name"), URL: p.Path + "?" + q.Encode(), Current: l == p.Lang})
	}
	return out
}

type langChoice struct {
	Code, Name, URL string
	Current         bool
}

// pageLang picks the language of a page: the one chosen before (the
// cookie), else the browser's preference among the catalogs, else
// English.
func (u *ui) pageLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && u.catalog[c.Value] != nil {
		return c.Value
	}
	return preferred(r.Header.Get("Accept-Language"), u.langs)
}

// preferred returns the language of an Accept-Language header (RFC 9110,
// section 12.5.4) with the highest weight among available, matching
// "es-MX" to "es"; the first available when none matches.
func preferred(header string, available []string) string {
	best, bestQ := available[0], 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if slices.Contains(available, base) && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}

// chooseLang handles "?lang=es" on any page: it remembers the choice for
// a year and sends the browser back to the page without the parameter.
// It reports whether it answered.
func (s *Server) chooseLang(w http.ResponseWriter, r *http.Request) bool {
	l := r.URL.Query().Get("lang")
	if l == "" || s.ui.catalog[l] == nil {
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	q := r.URL.Query()
	q.Del("lang")
	target := r.URL.Path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return true
}

// render writes the page made of the template name and data, with the
// headers every page carries: a content security policy that lets the
// page load nothing from any other host and run no inline script.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) error {
	lang := s.ui.pageLang(r)
	t, ok := s.ui.pages[pageKey{lang, name}]
	if !ok {
		return fmt.Errorf("web: no page template %q", name)
	}
	p := &page{ui: s.ui, Lang: lang, Path: r.URL.Path, Title: title, Data: data,
		Notice: notices[r.URL.Query().Get("done")], Mail: s.mailOn()}
	if n, ok := r.Context().Value(noticeKey{}).(string); ok {
		p.Notice = n
	}
	p.Principal, _ = s.principal(r)
	if secret := s.sessionSecret(r); secret != "" {
		p.csrf = auth.CSRFToken(s.store.Key("csrf"), secret)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	pageHeaders(w.Header())
	w.Header().Set("Content-Language", p.Lang)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

// pageHeaders are the headers of every HTML page.
func pageHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; "+
		"form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	// No referrer to other hosts; within the site, the browser sends
	// the page's origin with a form, which joinPost checks (with
	// no-referrer, Chromium sends "Origin: null").
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Cookie")
	h.Add("Vary", "Accept-Language")
}
