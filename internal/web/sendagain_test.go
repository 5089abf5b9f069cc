package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/store"
)

// TestSendAgainStaleToken: a form of a page sent with a CSRF token that
// is not the session's (the member signed in again in another tab) is
// not acted on, and not lost either: the needs form and the article
// form come back filled in, with the session's token and a word that
// says to check and send again, which then works; a form that has no
// page of its own (the commitment) comes back as its fields; a form of
// another site is refused as before; the JSON API is unchanged.
func TestSendAgainStaleToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b, m := lupeOnExample(t, e)
	stale := func(form url.Values) url.Values {
		form.Set("csrf", "stale-token-of-another-session")
		return form
	}
	token := func(page string) string {
		t.Helper()
		got := csrfField.FindStringSubmatch(page)
		if got == nil {
			t.Fatalf("the page has no CSRF token: %s", page)
		}
		return got[1]
	}

	code, page, _ := b.post(t, "", "/me/needs", stale(url.Values{"product": {"meal"}, "qty": {"14"}, "tier": {"essential"}}), false)
	if code != http.StatusForbidden || !strings.Contains(page, "Tu sesión cambió, así que esto no se envió") ||
		!strings.Contains(page, `value="14"`) || !strings.Contains(page, `value="meal" selected`) {
		t.Fatalf("a need with a stale token: got %d, want 403 with the form filled in and the word: %s", code, page)
	}
	if needs, _, err := e.store.MemberNeeds(ctx, m.ID, "", 100); err != nil || len(needs) != 0 {
		t.Fatalf("a need with a stale token was added: %v, %v", needs, err)
	}
	if code, _, _ := b.post(t, "", "/me/needs", url.Values{"product": {"meal"}, "qty": {"14"}, "tier": {"essential"}, "csrf": {token(page)}}, false); code != http.StatusSeeOther {
		t.Errorf("the need sent again with the page's token: got %d, want 303", code)
	}

	text := "Las trabajadoras de la fábrica norte pararon a las seis.\n\nNadie volvió a entrar."
	code, page, _ = b.post(t, "", "/news/write", stale(url.Values{"title": {"Paro"}, "language": {"es"}, "body": {text}}), false)
	if code != http.StatusForbidden || !strings.Contains(page, "Tu sesión cambió") || !strings.Contains(page, `value="Paro"`) ||
		!strings.Contains(page, "Nadie volvió a entrar.</textarea>") {
		t.Fatalf("an article with a stale token: got %d, want 403 with the form filled in: %s", code, page)
	}
	if code, _, loc := b.post(t, "", "/news/write", url.Values{"title": {"Paro"}, "language": {"es"}, "body": {text}, "csrf": {token(page)}}, false); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/news/") {
		t.Errorf("the article sent again: got %d to %q, want 303 to it", code, loc)
	}

	code, page, _ = b.post(t, "", "/me/commitment", stale(url.Values{"hours": {"12"}, "max_km": {"8"}}), false)
	if code != http.StatusForbidden || !strings.Contains(page, "Tu sesión cambió") || !strings.Contains(page, "<code>max_km</code>") ||
		!strings.Contains(page, ">\n12</textarea>") {
		t.Fatalf("the commitment with a stale token: got %d, want 403 with its fields: %s", code, page)
	}
	if code, _, _ := b.post(t, "", "/me/commitment", url.Values{"hours": {"12"}, "max_km": {"8"}, "csrf": {token(page)}}, false); code != http.StatusSeeOther {
		t.Errorf("the commitment sent again from its fields: got %d, want 303", code)
	}

	req := httptest.NewRequest("POST", "/news/write", strings.NewReader(stale(url.Values{"title": {"Falso"}, "body": {"de otro sitio"}}).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", b.cookie)
	req.Header.Set("Origin", "https://evil.example")
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "de otro sitio") || strings.Contains(rec.Body.String(), `name="csrf"`) {
		t.Errorf("a form of another site: got %d, want 403 with neither its text nor a token: %s", rec.Code, rec.Body)
	}

	req = httptest.NewRequest("PATCH", "/api/v1/me", strings.NewReader(`{"alias":"Lupita"}`))
	req.Header.Set("Cookie", b.cookie)
	rec = httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Errorf("the API without a token: got %d %s, want the JSON 403", rec.Code, rec.Header().Get("Content-Type"))
	}
}

// TestSendAgainSignedOut: an article sent after the session ended is
// not lost: the page holds the text to copy or send again, and a link
// to sign in in another tab that carries the form's path only. Signed
// in, the same page's button sends it with the old token, which brings
// the filled form with the new one, and that sends it. The text is in
// no URL and not in the log.
func TestSendAgainSignedOut(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m, err := e.store.CreateMember(ctx, store.Member{Alias: "Rosa", Language: "en", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	text := "The night shift walked out at two.\n\nThe owner called no one."
	form := url.Values{"title": {"Walkout"}, "language": {"en"}, "body": {text}}
	r := e.doForm(t, "/news/write", "", "en", form)
	page := string(r.body)
	if r.status != http.StatusUnauthorized || !strings.Contains(page, "You are not signed in any more") ||
		!strings.Contains(page, "The owner called no one.</textarea>") || !strings.Contains(page, `href="/login?next=%2Fnews%2Fwrite" target="_blank"`) {
		t.Fatalf("an article with no session: got %d, want 401 with the text and a link to sign in: %s", r.status, page)
	}
	if csrfField.MatchString(page) {
		t.Errorf("the signed-out page has a CSRF token")
	}
	if strings.Contains(e.log.String(), "night shift") {
		t.Errorf("the text is in the log: %s", e.log)
	}
	for _, h := range r.header.Values("Location") {
		t.Errorf("a redirect to %q", h)
	}

	// Signed in in another tab, the page's button sends the fields
	// again: no token, so the filled form comes back with the new one.
	b := signIn(t, e, m.ID, "en")
	r = e.doForm(t, "/news/write", b.cookie, "en", form)
	page = string(r.body)
	if r.status != http.StatusForbidden || !strings.Contains(page, "Your session changed, so this was not sent") ||
		!strings.Contains(page, "The owner called no one.</textarea>") {
		t.Fatalf("the article sent again once signed in: got %d, want 403 with the form filled in: %s", r.status, page)
	}
	form.Set("csrf", csrfField.FindStringSubmatch(page)[1])
	if r := e.doForm(t, "/news/write", b.cookie, "en", form); r.status != http.StatusSeeOther {
		t.Errorf("and sent with the page's token: got %d, want 303", r.status)
	}
	if as, err := e.store.Articles(ctx, store.ArticleFilter{Author: m.ID}); err != nil || len(as) != 1 || as[0].Body != text {
		t.Errorf("the member's articles: got %+v, %v, want the one typed", as, err)
	}
}
