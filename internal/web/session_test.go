package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

func TestSessionExpiry(t *testing.T) {
	e := newLoginEnv(t, "")
	e.member(t, "Ana", "en", "ana@example.org")
	tests := []struct {
		name  string
		steps []time.Duration // waits between requests, each followed by GET /api/v1/login/session
		last  int             // the status of the last
	}{
		{"used within the idle time", []time.Duration{11 * time.Hour, 11 * time.Hour, 11 * time.Hour}, 200},
		{"idle too long", []time.Duration{time.Hour, store.SessionIdle}, 401},
		{"used, but too old", nil, 401}, // filled below
	}
	// Every 11 hours for 715 hours, then 6 more: 721 hours, a little
	// over SessionMaxAge, never idle for SessionIdle.
	var steps []time.Duration
	for range 65 {
		steps = append(steps, 11*time.Hour)
	}
	tests[2].steps = append(steps, 6*time.Hour)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser(t)
			b.signIn(t, "ana@example.org", "ana@example.org")
			var r response
			for i, d := range tc.steps {
				e.clock.add(d)
				r = b.do(t, "GET", "/api/v1/login/session", nil)
				if i < len(tc.steps)-1 && r.status != 200 {
					t.Fatalf("request %d: got %d, want 200", i+1, r.status)
				}
			}
			if r.status != tc.last {
				t.Errorf("got %d %s, want %d", r.status, r.body, tc.last)
			}
			if tc.last == 401 {
				// An expired cookie is no one: public routes still answer.
				if r := b.do(t, "GET", "/healthz", nil); r.status != 200 {
					t.Errorf("GET /healthz with an expired cookie: got %d", r.status)
				}
			}
		})
	}
}

// TestSessionReplaced: signing in again closes the session the browser
// had, so a browser holds one session at a time.
func TestSessionReplaced(t *testing.T) {
	e := newLoginEnv(t, "")
	e.member(t, "Ana", "en", "ana@example.org")
	b := e.browser(t)
	b.signIn(t, "ana@example.org", "ana@example.org")
	u := mustURL(t, e.url)
	old := b.c.Jar.Cookies(u)[0].Value
	b.signIn(t, "ana@example.org", "ana@example.org")
	if now := b.c.Jar.Cookies(u)[0].Value; now == old {
		t.Fatal("the session secret did not change")
	}
	if _, err := e.store.SessionByHash(context.Background(), auth.Hash(old), e.clock.now()); store.ErrorCode(err) != store.CodeNotFound {
		t.Errorf("the first session after signing in again: got %v, want not found", err)
	}
}

// TestSessionHTTPS: behind an https public URL the cookie is
// __Host-commune_session and Secure.
func TestSessionHTTPS(t *testing.T) {
	e := newLoginEnv(t, "https://commune.example.org")
	e.member(t, "Ana", "en", "ana@example.org")
	b := e.browser(t)
	code := b.code(t, "ana@example.org", "ana@example.org")
	req := httptest.NewRequest("POST", "/api/v1/login/code/verify",
		strings.NewReader(`{"email": "ana@example.org", "code": "`+code+`"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	r := response{rec.Code, rec.Header(), rec.Body.Bytes()}
	c := sessionCookie(r, "__Host-commune_session")
	if r.status != 200 || c == nil || !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("verify over https: got %d, cookie %+v, want __Host-commune_session, Secure, HttpOnly, Path=/, no Domain", r.status, c)
	}
	// The cookie of the http name is not read.
	req = httptest.NewRequest("GET", "/api/v1/login/session", nil)
	req.AddCookie(&http.Cookie{Name: "commune_session", Value: c.Value})
	rec = httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Errorf("the session under the http name: got %d, want 401", rec.Code)
	}
	req = httptest.NewRequest("GET", "/api/v1/login/session", nil)
	req.AddCookie(c)
	rec = httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("the session under its name: got %d %s, want 200", rec.Code, rec.Body)
	}
}

// TestSessionBearer: requests with an API token need no CSRF token, and
// the token wins over a cookie.
func TestSessionBearer(t *testing.T) {
	e := newLoginEnv(t, "")
	ana := e.member(t, "Ana", "en", "ana@example.org")
	tok := e.token(t, "olga", auth.Organizer, "")
	b := e.browser(t)
	b.signIn(t, "ana@example.org", "ana@example.org")
	cookie := b.c.Jar.Cookies(mustURL(t, e.url))[0]
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/v1/login/session", 200},
		{"POST", "/api/v1/logout", 204},
	} {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		e.http.ServeHTTP(rec, req)
		if rec.Code != tc.status {
			t.Fatalf("%s %s with a token: got %d %s, want %d", tc.method, tc.path, rec.Code, rec.Body, tc.status)
		}
		if tc.method == "GET" {
			got := decodeAs[sessionBody](t, response{rec.Code, rec.Header(), rec.Body.Bytes()})
			if got.Member == ana.ID || got.Role != auth.Organizer || !got.Passkey || got.CSRF != "" {
				t.Errorf("session of a token: got %+v, want the token's organizer, no CSRF token", got)
			}
		}
	}
	// Logging out with a token left the browser's session alone.
	if r := b.do(t, "GET", "/api/v1/login/session", nil); r.status != 200 {
		t.Errorf("the browser's session after a token's logout: got %d, want 200", r.status)
	}
}
