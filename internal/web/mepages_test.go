package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// pageBrowser is a signed-in browser: its session cookie, its CSRF token and
// its language.
type pageBrowser struct {
	e      *env
	cookie string
	lang   string
}

// signIn signs the member in through the demo link, as a browser would.
func signIn(t *testing.T, e *env, member, lang string) *pageBrowser {
	t.Helper()
	e.srv.opt.Demo.Member = member
	r := e.do(t, "GET", "/demo/member", "", "", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign in: got %d", r.status)
	}
	return &pageBrowser{e: e, cookie: strings.Split(r.header.Get("Set-Cookie"), ";")[0], lang: lang}
}

// lupeOnExample puts the example world in e's store, makes Lupe, a
// member at home in 9q5cs who reads Spanish, and signs her in; it
// returns her browser and her member as stored.
func lupeOnExample(t *testing.T, e *env) (*pageBrowser, *store.Member) {
	t.Helper()
	putExample(t, e.store)
	m, err := e.store.CreateMember(context.Background(), store.Member{Alias: "Lupe", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	return signIn(t, e, m.ID, "es"), m
}

// signInOrganizer makes an organizer, Rosa, and signs her in through
// the demo link, as a browser would; it returns her browser and id.
func signInOrganizer(t *testing.T, e *env, lang string) (*pageBrowser, string) {
	t.Helper()
	ctx := context.Background()
	org, err := e.store.CreateMember(ctx, store.Member{Alias: "Rosa", Language: lang, Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetOrganizer(ctx, org.ID, true); err != nil {
		t.Fatal(err)
	}
	e.srv.opt.Demo.Organizer = org.ID
	r := e.do(t, "GET", "/demo/organizer", "", "", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign in as an organizer: got %d", r.status)
	}
	return &pageBrowser{e: e, cookie: strings.Split(r.header.Get("Set-Cookie"), ";")[0], lang: lang}, org.ID
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *pageBrowser) get(t *testing.T, target string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	req.Header.Set("Cookie", b.cookie)
	req.Header.Set("Accept-Language", b.lang)
	rec := httptest.NewRecorder()
	b.e.http.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// post sends a form as the page at from would, with its CSRF token
// unless csrf is false.
func (b *pageBrowser) post(t *testing.T, from, target string, form url.Values, csrf bool) (int, string, string) {
	t.Helper()
	if csrf {
		_, page := b.get(t, from)
		m := csrfField.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%s has no form with a CSRF token", from)
		}
		form.Set("csrf", m[1])
	}
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", b.cookie)
	req.Header.Set("Accept-Language", b.lang)
	rec := httptest.NewRecorder()
	b.e.http.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec.Header().Get("Location")
}

// TestMemberPages walks a member's pages in Spanish: a need typed wrong
// comes back with what was typed and what is wrong next to the field;
// right, it is added; the commitment is saved; after a plan, the first
// page shows the work and what the member receives, from where; a form
// without the CSRF token is refused.
func TestMemberPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b, m := lupeOnExample(t, e)

	code, page := b.get(t, "/me")
	if code != 200 || !strings.Contains(page, "Hola, Lupe") || !strings.Contains(page, "Todavía no hay plan") {
		t.Fatalf("GET /me: got %d %.400s", code, page)
	}
	code, page, _ = b.post(t, "/me/needs", "/me/needs", url.Values{"product": {"meal"}, "qty": {"-3"}, "tier": {"essential"}}, true)
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, `value="-3"`) ||
		!regexp.MustCompile(`id="qty-error">debe ser &gt; 0<`).MatchString(page) || !strings.Contains(page, `value="meal" selected`) {
		t.Errorf("a need with qty -3: got %d, want 422 with the values kept and the error in Spanish by the field: %s", code, page)
	}
	code, _, loc := b.post(t, "/me/needs", "/me/needs", url.Values{"product": {"meal"}, "qty": {"14"}, "tier": {"essential"}}, true)
	if code != http.StatusSeeOther || loc != "/me/needs" {
		t.Fatalf("a good need: got %d to %q, want 303 to /me/needs", code, loc)
	}
	if code, page := b.get(t, "/me/needs"); code != 200 || !strings.Contains(page, "14 ·") || !strings.Contains(page, "Comida") {
		t.Errorf("GET /me/needs after adding: got %d %.600s", code, page)
	}
	code, _, _ = b.post(t, "/me/commitment", "/me/commitment", url.Values{"hours": {"12"}, "max_km": {"8"}, "skills": {"cook"}}, true)
	if code != http.StatusSeeOther {
		t.Fatalf("the commitment: got %d", code)
	}
	if c, err := e.store.Commitment(ctx, m.ID); err != nil || c.Hours != 12 || c.MaxKm != 8 || len(c.Skills) != 1 {
		t.Errorf("the stored commitment: got %+v, %v", c, err)
	}
	if code, _, _ := b.post(t, "/me/commitment", "/me/commitment", url.Values{"hours": {"1"}, "max_km": {"1"}}, false); code != http.StatusForbidden {
		t.Errorf("a form without its CSRF token: got %d, want 403", code)
	}

	// A plan: the member's work and what they receive, in Spanish.
	planStored(t, e.store)
	code, page = b.get(t, "/me")
	if code != 200 || !strings.Contains(page, "Lo que recibes") || !strings.Contains(page, "<meter") ||
		!strings.Contains(page, "Comida") || !strings.Contains(page, "Boyle Heights community kitchen") {
		t.Errorf("GET /me after a plan: got %d %s", code, page)
	}

	// The account, then erasure.
	code, page, _ = b.post(t, "/me/account", "/me/account", url.Values{"alias": {"Lupe"}, "language": {"es"}, "cell": {"9q5ca"}}, true)
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, `value="9q5ca"`) || !strings.Contains(page, `id="cell-error"`) {
		t.Errorf("a bad cell: got %d, want 422 with the cell kept and its error: %.300s", code, page)
	}
	if code, _, _ := b.post(t, "/me/account", "/me/erase", url.Values{}, true); code != http.StatusUnprocessableEntity {
		t.Errorf("erase without the box ticked: got %d, want 422", code)
	}
	code, _, loc = b.post(t, "/me/account", "/me/erase", url.Values{"sure": {"yes"}}, true)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/") {
		t.Fatalf("erase: got %d to %q", code, loc)
	}
	if _, err := e.store.Member(ctx, m.ID); store.ErrorCode(err) != store.CodeNotFound {
		t.Errorf("after erasure the member is still there: %v", err)
	}
	if code, _ := b.get(t, "/me"); code != http.StatusSeeOther {
		t.Errorf("GET /me after erasure: got %d, want 303 to sign in", code)
	}
}

// TestNeedFormInSpanish: the needs form's errors are in Spanish through
// and through; they read "se espera a number" for a quantity that is not
// one, and `"" no es ninguno de: essential, basic, wanted` when no tier
// was chosen.
func TestNeedFormInSpanish(t *testing.T) {
	e := newEnv(t)
	putExample(t, e.store)
	m, err := e.store.CreateMember(context.Background(), store.Member{Alias: "Lupe", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	b := signIn(t, e, m.ID, "es")
	code, page, _ := b.post(t, "/me/needs", "/me/needs", url.Values{"product": {"meal"}, "qty": {"catorce"}}, true)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("a need without a number or a tier: got %d, want 422", code)
	}
	for _, want := range []string{`id="qty-error">debe ser un número<`, `<p class="error">falta (es obligatorio)</p>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	for _, not := range []string{"a number", "essential, basic", "ninguno de"} {
		if strings.Contains(page, not) {
			t.Errorf("the form says %q", not)
		}
	}
	code, page, _ = b.post(t, "/me/needs", "/me/needs", url.Values{"product": {"meal"}, "qty": {"2"}, "tier": {"urgent"}}, true)
	if want := `"urgent" no es ninguno de: essential (esencial), basic (básica), wanted (deseada)`; code != http.StatusUnprocessableEntity ||
		!strings.Contains(page, strings.ReplaceAll(want, `"`, "&#34;")) {
		t.Errorf("a tier of no tier: got %d, want 422 with %q", code, want)
	}
}

// TestUnitsInPageLanguage: the built-in units are said in the page's
// language, in the plural after a quantity other than one; the pages
// read "Comida (meal)" and "14 de 14 meal". A unit the catalogs do not
// know is shown as stored.
func TestUnitsInPageLanguage(t *testing.T) {
	e := newEnv(t)
	b, _ := lupeOnExample(t, e)
	if code, _, _ := b.post(t, "/me/needs", "/me/needs", url.Values{"product": {"meal"}, "qty": {"14"}, "tier": {"essential"}}, true); code != http.StatusSeeOther {
		t.Fatalf("a need: got %d", code)
	}
	if _, page := b.get(t, "/me/needs"); !strings.Contains(page, "Comida (comida)") || strings.Contains(page, "(meal)") {
		t.Errorf("the needs page does not say the unit in Spanish: %s", between(page, "<ul", "</ul>"))
	}
	planStored(t, e.store)
	if _, page := b.get(t, "/me"); !strings.Contains(page, "de 14 comidas ·") || strings.Contains(page, " meal") {
		t.Errorf("/me does not say the unit in Spanish, in the plural: %s", between(page, "<ul", "</ul>"))
	}
	b.lang = "en"
	if _, page := b.get(t, "/me"); !strings.Contains(page, "of 14 meals ·") {
		t.Errorf("/me does not say the unit in English, in the plural: %s", between(page, "<ul", "</ul>"))
	}
	u, err := newUI()
	if err != nil {
		t.Fatal(err)
	}
	p := &page{ui: u, Lang: "es"}
	for _, c := range []struct {
		unit string
		qty  []float64
		want string
	}{
		{"hour", nil, "hora"}, {"hour", []float64{1}, "hora"}, {"hour", []float64{15}, "horas"}, {"hour", []float64{0.5}, "horas"},
		{"copy", []float64{2}, "ejemplares"}, {"sacos", []float64{2}, "sacos"}, {"bolsa", nil, "bolsa"},
	} {
		if got := p.Unit(c.unit, c.qty...); got != c.want {
			t.Errorf("Unit(%q, %v) in Spanish: got %q, want %q", c.unit, c.qty, got, c.want)
		}
	}
}

// TestLogoutPage: the sign-out button of every page ends the session,
// clears the cookie and asks the browser to forget the pages it kept
// for offline reading; the member's pages then ask to sign in.
func TestLogoutPage(t *testing.T) {
	e := newEnv(t)
	m, err := e.store.CreateMember(context.Background(), store.Member{Alias: "Lupe", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	b := signIn(t, e, m.ID, "es")
	if code, page := b.get(t, "/me"); code != http.StatusOK || !strings.Contains(page, `action="/logout"`) || !strings.Contains(page, "Salir") {
		t.Fatalf("GET /me: got %d, want the page with its sign-out button", code)
	}
	_, page := b.get(t, "/me")
	csrf := csrfField.FindStringSubmatch(page)[1]
	req := httptest.NewRequest("POST", "/logout", strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", b.cookie)
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		t.Errorf("POST /logout: got %d to %q, want 303 to /", rec.Code, rec.Header().Get("Location"))
	}
	if got := rec.Header().Get("Clear-Site-Data"); got != `"cache", "storage"` {
		t.Errorf("Clear-Site-Data: got %q", got)
	}
	if c := rec.Header().Get("Set-Cookie"); !strings.Contains(c, "Max-Age=0") {
		t.Errorf("the cookie: got %q, want it cleared", c)
	}
	if code, _ := b.get(t, "/me"); code != http.StatusSeeOther {
		t.Errorf("GET /me with the old cookie: got %d, want 303 to sign in", code)
	}
}

// TestDeleteMeAPIFromBrowser: DELETE /api/v1/me from a browser's session
// (its cookie, not a token) also clears the cookie and the pages the
// browser kept, as the erasure from the page does.
func TestDeleteMeAPIFromBrowser(t *testing.T) {
	e := newEnv(t)
	m, err := e.store.CreateMember(context.Background(), store.Member{Alias: "Lupe", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	b := signIn(t, e, m.ID, "es")
	_, page := b.get(t, "/me")
	req := httptest.NewRequest("DELETE", "/api/v1/me", nil)
	req.Header.Set("Cookie", b.cookie)
	req.Header.Set("X-CSRF-Token", csrfField.FindStringSubmatch(page)[1])
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE /api/v1/me: got %d %s, want 204", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Clear-Site-Data"); got != forgetPages {
		t.Errorf("Clear-Site-Data: got %q, want %q", got, forgetPages)
	}
	if c := rec.Header().Get("Set-Cookie"); !strings.Contains(c, "Max-Age=0") {
		t.Errorf("the cookie: got %q, want it cleared", c)
	}
	if _, err := e.store.Member(context.Background(), m.ID); store.ErrorCode(err) != store.CodeNotFound {
		t.Errorf("the member after the erasure: %v, want not found", err)
	}
}

// TestShownPart: the member page lists no work, delivery, source or
// shortfall that would read as 0: the solver's traces.
func TestShownPart(t *testing.T) {
	p := shownPart(myPlanBody{
		Assignments: []assignmentBody{{Site: "k", Skill: "cook", Hours: 3}, {Site: "k", Skill: "drive", Hours: 1e-9}},
		Allocations: []allocationBody{
			{Need: "n1", Qty: 10, From: []fromBody{{Site: "k", Qty: 10, Km: 1}, {Site: "far", Qty: 0.004, Km: 900}}},
			{Need: "n2", Qty: 2e-9, From: []fromBody{{Site: "k", Qty: 2e-9, Km: 1}}},
		},
		Shortfalls: []myShortfallBody{{Need: "n2", Missing: 4}, {Need: "n1", Missing: 1e-7}},
	})
	var got []string
	for _, a := range p.Assignments {
		got = append(got, "work "+a.Skill)
	}
	for _, a := range p.Allocations {
		got = append(got, "get "+a.Need)
		for _, f := range a.From {
			got = append(got, "from "+f.Site)
		}
	}
	for _, s := range p.Shortfalls {
		got = append(got, "short "+s.Need)
	}
	if want := []string{"work cook", "get n1", "from k", "short n2"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestNeedCeiling: a need's quantity is at most world.MaxQuantity, the
// world format's ceiling, which the form says as a person writes it:
// 1000000000, not 1e+09.
func TestNeedCeiling(t *testing.T) {
	e := newEnv(t)
	_, tok := e.member(t, "Chayo")
	var n needBody
	e.json(t, "POST", "/api/v1/me/needs", tok, map[string]any{"product": "rice", "qty": world.MaxQuantity, "tier": "basic"}, 201, &n)
	// Above it, the API refuses (TestMyNeeds's "huge qty"), and so does
	// the form.
	b, _ := lupeOnExample(t, e)
	code, page, _ := b.post(t, "/me/needs", "/me/needs", url.Values{"product": {"meal"}, "qty": {"1e10"}, "tier": {"essential"}}, true)
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, `id="qty-error">debe ser como mucho 1000000000<`) {
		t.Errorf("the form with qty 1e10: got %d, want 422 saying at most 1000000000 in Spanish: %s", code, page)
	}
}
