package web

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/store"
)

// TestLocalesComplete: every catalog has every key of the English one
// and no other; every key a template uses, and every error code's page
// title, is in English.
func TestLocalesComplete(t *testing.T) {
	u, err := newUI()
	if err != nil {
		t.Fatal(err)
	}
	if len(u.langs) < 2 || u.langs[0] != "en" {
		t.Fatalf("languages: got %v, want English first and at least one more", u.langs)
	}
	en := u.catalog["en"]
	for _, l := range u.langs[1:] {
		for k := range en {
			if _, ok := u.catalog[l][k]; !ok {
				t.Errorf("locales/%s.json lacks %q", l, k)
			}
		}
		for k := range u.catalog[l] {
			if _, ok := en[k]; !ok {
				t.Errorf("locales/%s.json has %q, which English lacks", l, k)
			}
		}
	}
	for code := range statuses {
		if _, ok := en["error."+string(code)]; !ok {
			t.Errorf("locales/en.json lacks error.%s, the title of its error page", code)
		}
	}
	used := regexp.MustCompile(`\.T "([^"]+)"`)
	err = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		for _, m := range used.FindAllSubmatch(data, -1) {
			if _, ok := en[string(m[1])]; !ok {
				t.Errorf("%s uses %q, which locales/en.json lacks", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPreferred(t *testing.T) {
	langs := []string{"en", "es"}
	for _, tc := range []struct{ header, want string }{
		{"", "en"},
		{"es-MX,es;q=0.9,en;q=0.8", "es"},
		{"fr-FR, en;q=0.5, es;q=0.7", "es"},
		{"de", "en"},
		{"en-US,en;q=0.9", "en"},
		{"es;q=abc, en;q=0.1", "en"},
	} {
		if got := preferred(tc.header, langs); got != tc.want {
			t.Errorf("preferred(%q): got %q, want %q", tc.header, got, tc.want)
		}
	}
}

// localRef matches the URLs a page loads or links to.
var localRef = regexp.MustCompile(`(?:src|href)="([^"]*)"`)

// TestPages: the first page in English and Spanish, chosen by the
// browser or by the menu and then remembered, with a policy that loads
// nothing from other hosts, and every asset it names served.
func TestPages(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ accept, lang, heading string }{
		{"en-US,en;q=0.9", "en", "From each according to their commitment"},
		{"es-MX,es;q=0.9", "es", "De cada quien según su compromiso"},
	} {
		r := e.do(t, "GET", "/", "", tc.accept, nil)
		body := string(r.body)
		if r.status != http.StatusOK || !strings.Contains(body, `<html lang="`+tc.lang+`">`) || !strings.Contains(body, tc.heading) {
			t.Errorf("GET / (%s): got %d %.200s, want the page in %s", tc.accept, r.status, body, tc.lang)
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET /: Content-Security-Policy %q", csp)
		}
		for _, m := range localRef.FindAllStringSubmatch(body, -1) {
			ref := m[1]
			if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") {
				t.Errorf("GET /: %q is not a path on this host", ref)
				continue
			}
			if strings.HasPrefix(ref, "/static/") {
				a := e.do(t, "GET", ref, "", "", nil)
				if a.status != http.StatusOK || !strings.Contains(a.header.Get("Cache-Control"), "immutable") {
					t.Errorf("GET %s: got %d, cache %q; want 200, immutable", ref, a.status, a.header.Get("Cache-Control"))
				}
			}
		}
	}

	// The menu's choice is remembered in a cookie, over the browser's.
	r := e.do(t, "GET", "/?lang=es", "", "en", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("GET /?lang=es: got %d to %q, want 303 to /me", r.status, r.header.Get("Location"))
	}
	cookie := r.header.Get("Set-Cookie")
	if !strings.HasPrefix(cookie, langCookie+"=es") {
		t.Fatalf("GET /?lang=es: cookie %q", cookie)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", strings.Split(cookie, ";")[0])
	req.Header.Set("Accept-Language", "en")
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), `<html lang="es">`) {
		t.Errorf("GET / with the cookie: got %.200s, want Spanish", rec.Body.String())
	}
	// An unknown language changes nothing.
	if r := e.do(t, "GET", "/?lang=xx", "", "", nil); r.status != http.StatusOK {
		t.Errorf("GET /?lang=xx: got %d, want 200", r.status)
	}
}

// TestPageErrors: a person lost on the site gets a page in their
// language; a program lost in the API gets JSON.
func TestPageErrors(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, "GET", "/no/such/page", "", "es", nil)
	if r.status != http.StatusNotFound || !strings.Contains(string(r.body), "Esta página no existe") ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /no/such/page: got %d %q %.200s, want a 404 page in Spanish", r.status, r.header.Get("Content-Type"), r.body)
	}
	r = e.do(t, "GET", "/api/v1/nothing", "", "", nil)
	if r.status != http.StatusNotFound || errorOf(t, r).Code != "not_found" {
		t.Errorf("GET /api/v1/nothing: got %d %s, want a JSON 404", r.status, r.body)
	}
	r = e.do(t, "GET", "/static/app.css", "", "", nil)
	if r.status != http.StatusNotFound {
		t.Errorf("GET /static/app.css (not hashed): got %d, want 404", r.status)
	}
}

// TestManifest: the app can be installed: a manifest in the reader's
// language whose icons are served.
func TestManifest(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, "GET", "/manifest.webmanifest", "", "es", nil)
	var m struct {
		Name, Lang, StartURL string
		Icons                []struct{ Src, Sizes string }
	}
	if err := json.Unmarshal(r.body, &m); err != nil || r.status != 200 || m.Lang != "es" || !strings.Contains(m.Name, "planificar") {
		t.Fatalf("GET /manifest.webmanifest: got %d %s (%v)", r.status, r.body, err)
	}
	for _, ic := range m.Icons {
		if a := e.do(t, "GET", ic.Src, "", "", nil); a.status != 200 {
			t.Errorf("icon %s (%s): got %d, want 200", ic.Src, ic.Sizes, a.status)
		}
	}
	w := e.do(t, "GET", "/sw.js", "", "", nil)
	if w.status != 200 || !strings.Contains(string(w.body), "const ASSETS = [\"/static/") {
		t.Errorf("GET /sw.js: got %d %.100s, want the worker with its assets", w.status, w.body)
	}
	// The worker gets the policy its script comes with, not the pages'.
	if csp := w.header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'self';") || strings.Contains(csp, "unsafe") {
		t.Errorf("GET /sw.js: Content-Security-Policy %q, want default-src 'self'", csp)
	}
}

// TestDemoSignIn: in demo mode, a link signs in as the demo's
// coordinator with a passkey's powers; without demo mode, the link is
// not there.
func TestDemoSignIn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.store.CreateCollective(ctx, store.Collective{ID: "c-1", Name: "Plant", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	m, err := e.store.CreateMember(ctx, store.Member{Alias: "Carla", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddMembership(ctx, m.ID, "c-1", store.RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	e.srv.opt.Demo.Coordinator = m.ID
	r := e.do(t, "GET", "/demo/coordinator", "", "", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/me" {
		t.Fatalf("GET /demo/coordinator: got %d to %q, want 303 to /me", r.status, r.header.Get("Location"))
	}
	cookie := strings.Split(r.header.Get("Set-Cookie"), ";")[0]
	req := httptest.NewRequest("GET", "/api/v1/collectives/c-1/members", nil)
	req.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Carla") {
		t.Errorf("the coordinator's members list after the demo link: got %d %s", rec.Code, rec.Body)
	}
	if r := e.do(t, "GET", "/demo/organizer", "", "", nil); r.status != http.StatusNotFound {
		t.Errorf("GET /demo/organizer with no organizer: got %d, want 404", r.status)
	}
	e.srv.opt.Demo.Organizer = m.ID
	if r := e.do(t, "GET", "/demo/organizer", "", "", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/collectives" {
		t.Errorf("GET /demo/organizer: got %d to %q, want 303 to /collectives", r.status, r.header.Get("Location"))
	}

	st, err := store.Open(ctx, store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	plain := New(st, e.srv.log, Options{})
	rec = httptest.NewRecorder()
	plain.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/demo/coordinator", nil))
	if rec.Code != http.StatusNotFound || rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("GET /demo/coordinator outside demo mode: got %d, cookie %q; want 404 and none", rec.Code, rec.Header().Get("Set-Cookie"))
	}
}

// TestLoginPage: the sign-in page in both languages, sending back only
// to a path of this site.
func TestLoginPage(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ target, lang, words, next string }{
		{"/login", "en", "Sign in with a passkey", "/"},
		{"/login?next=/me/plan", "es", "Entrar con llave de acceso", "/me/plan"},
		{"/login?next=//evil.example/x", "en", "Sign in with a passkey", "/"},
		{"/login?next=https://evil.example/", "en", "Sign in with a passkey", "/"},
		{`/login?next=/\evil.example`, "en", "Sign in with a passkey", "/"},
	} {
		r := e.do(t, "GET", tc.target, "", tc.lang, nil)
		body := string(r.body)
		if r.status != 200 || !strings.Contains(body, tc.words) || !strings.Contains(body, `data-next="`+tc.next+`"`) {
			t.Errorf("GET %s: got %d, want the page in %s going back to %s: %.300s", tc.target, r.status, tc.lang, tc.next, body)
		}
	}
}

// TestNoUntranslatedText: what pages show comes from the catalogs. A
// template's text outside {{...}} may hold no word (only marks, numbers
// and the few symbols below), and every catalog key Go code names
// ("account.alias.taken") is in English, and so, by TestLocalesComplete,
// in every language.
func TestNoUntranslatedText(t *testing.T) {
	u, err := newUI()
	if err != nil {
		t.Fatal(err)
	}
	actions := regexp.MustCompile(`(?s){{.*?}}`)
	tags := regexp.MustCompile(`(?s)<[^>]*>`)
	word := regexp.MustCompile(`\p{L}{2,}`)
	allowed := map[string]bool{"commune": true, "km": true}
	err = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		text := tags.ReplaceAllString(actions.ReplaceAllString(string(data), " "), " ")
		for _, w := range word.FindAllString(text, -1) {
			if !allowed[w] {
				t.Errorf("%s shows %q, which is not from a catalog", p, w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Keys named in Go: string literals shaped like keys whose first
	// part is a namespace of the catalogs.
	spaces := map[string]bool{}
	for k := range u.catalog["en"] {
		ns, _, _ := strings.Cut(k, ".")
		spaces[ns] = true
	}
	key := regexp.MustCompile(`"([a-z]+)\.([a-z0-9_.-]+)"`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(src), -1) {
			if !spaces[m[1]] || strings.HasSuffix(m[0], `.html"`) || strings.HasSuffix(m[0], `.json"`) ||
				strings.HasSuffix(m[0], `.js"`) || strings.HasSuffix(m[0], `.css"`) || strings.HasSuffix(m[0], `.png"`) || strings.HasSuffix(m[0], `.svg"`) {
				continue
			}
			named++
			if _, ok := u.catalog["en"][m[1]+"."+m[2]]; !ok {
				t.Errorf("%s names the catalog key %s, which locales/en.json lacks", f, m[0])
			}
		}
	}
	if named < 10 {
		t.Errorf("found %d catalog keys in Go code: the search is broken", named)
	}
}

// TestSpanishRegister: the Spanish catalog speaks as the rest of it
// does to Latin American workers. The API's messages, like the emails,
// say usted, so none of them uses the tú forms below; and a button is
// tapped ("toca"), never pressed the way Spain says it ("pulsa").
func TestSpanishRegister(t *testing.T) {
	u, err := newUI()
	if err != nil {
		t.Fatal(err)
	}
	tu := regexp.MustCompile(`(?i)\b(tienes|puedes|quieres|necesitas|vuelve|intenta)\b`)
	spain := regexp.MustCompile(`(?i)\bpuls(a|ar|e|ad)\b`)
	for k, v := range u.catalog["es"] {
		if w := tu.FindString(v); strings.HasPrefix(k, "api.") && w != "" && !strings.HasPrefix(k, "api.push-test-") {
			t.Errorf("es %s says %q, tú in a message that says usted: %q", k, w, v)
		}
		if w := spain.FindString(v); w != "" {
			t.Errorf("es %s says %q, as in Spain; the catalog says \"toca\": %q", k, w, v)
		}
	}
}
