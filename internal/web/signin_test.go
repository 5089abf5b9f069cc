package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// TestSignInLink: a sign-in link made for a member ("commune
// signin-link") opens a page that names the account and changes
// nothing; its button signs the member in once, with a code's session,
// not a passkey's, and leads to the account page; the link then, or
// once expired, says it no longer works, in the reader's language. A
// form from another site signs no one in.
func TestSignInLink(t *testing.T) {
	e := newLoginEnv(t, "")
	ctx := context.Background()
	carla, err := e.store.CreateMember(ctx, store.Member{Alias: "Carla", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetOrganizer(ctx, carla.ID, true); err != nil {
		t.Fatal(err)
	}
	link := func() string {
		t.Helper()
		tok := auth.NewSignInLink()
		now := e.clock.now()
		if err := e.store.PutSignInLink(ctx, carla.ID, auth.Hash(tok), now.Add(store.SignInLinkTTL), now); err != nil {
			t.Fatal(err)
		}
		return "/signin/" + tok
	}
	path := link()

	b := e.browser(t)
	for lang, want := range map[string]string{"en": "This link signs in the account Carla, once.", "es": "Este enlace abre la cuenta Carla, una sola vez."} {
		b.lang = lang
		r := b.do(t, "GET", path, nil)
		if r.status != http.StatusOK || !strings.Contains(string(r.body), want) || !strings.Contains(string(r.body), `action="`+path+`"`) {
			t.Errorf("%s: GET the link: got %d %.800s; want the page naming the account, with its button", lang, r.status, r.body)
		}
	}
	if s := b.do(t, "GET", "/api/v1/login/session", nil); s.status != http.StatusUnauthorized {
		t.Errorf("opening the link signed in: GET /api/v1/login/session got %d, want 401", s.status)
	}

	// A form of another site.
	req, _ := http.NewRequest("POST", e.url+path, nil)
	req.Header.Set("Origin", "https://evil.example")
	if r := send(t, b.c, req); r.status != http.StatusForbidden {
		t.Errorf("a form of another site: got %d, want 403", r.status)
	}

	b.lang = "en"
	r := b.do(t, "POST", path, nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `action="/me/account"`) {
		t.Fatalf("sign in: got %d %.500s; want the account page", r.status, r.body)
	}
	s := decodeAs[sessionBody](t, b.do(t, "GET", "/api/v1/login/session", nil))
	if s.Member != carla.ID || s.Passkey {
		t.Errorf("the session: got %+v; want Carla's, not a passkey's", s)
	}
	// An organizer acts as one with a passkey only.
	if r := b.do(t, "GET", "/api/v1/world", nil); r.status != http.StatusForbidden {
		t.Errorf("GET /api/v1/world with the link's session: got %d, want 403", r.status)
	}

	// Used: it no longer works.
	other := e.browser(t)
	for lang, want := range map[string]string{"en": "This sign-in link no longer works", "es": "Este enlace de entrada ya no sirve"} {
		other.lang = lang
		for _, method := range []string{"GET", "POST"} {
			if r := other.do(t, method, path, nil); r.status != http.StatusGone || !strings.Contains(string(r.body), want) {
				t.Errorf("%s %s of a used link: got %d; want 410 saying %q", lang, method, r.status, want)
			}
		}
	}
	if r := other.do(t, "GET", "/signin/cml_nothing", nil); r.status != http.StatusGone {
		t.Errorf("a malformed link: got %d, want 410", r.status)
	}
	// Expired.
	path = link()
	e.clock.add(store.SignInLinkTTL)
	if r := other.do(t, "POST", path, nil); r.status != http.StatusGone {
		t.Errorf("an expired link: got %d, want 410", r.status)
	}
	if s := other.do(t, "GET", "/api/v1/login/session", nil); s.status != http.StatusUnauthorized {
		t.Errorf("after the refused links: GET /api/v1/login/session got %d, want 401", s.status)
	}
}
