package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/store"
)

// TestCallAnswerPagePlace: the page a notice links to is where a member
// who got a text or an email learns what the notice leaves out, the
// place first of all: a call at a site names the site, a call at a cell
// gives the cell.
func TestCallAnswerPagePlace(t *testing.T) {
	e := newCallEnv(t, store.Config{DataDir: t.TempDir()}, 3)
	for _, tc := range []struct {
		name  string
		place map[string]any
		want  string
	}{
		{"site", map[string]any{"site": "fabrica-norte"}, "Fábrica Norte"},
		{"cell", map[string]any{"cell": "9q5ctr1"}, "9q5ctr1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"collective": "c-garment", "kind": "raid", "headcount": 1,
				"until": time.Now().Add(time.Hour).Format(time.RFC3339), "message": map[string]string{"es": "Vengan ya", "en": "Come now"}}
			for k, v := range tc.place {
				body[k] = v
			}
			id := e.verifiedCall(t, body)
			got := e.drain(t, time.Now())
			m, ok := got[e.emails[0]]
			if !ok {
				t.Fatalf("the nearest member got no message: %v", sortedKeys(got))
			}
			status, page := e.get(t, linkOf(t, m))
			if status != 200 || !strings.Contains(page, tc.want) {
				t.Errorf("answer page: got %d, want the place %q in %.600s", status, tc.want, page)
			}
			if _, err := e.store.CloseCall(t.Context(), id, time.Now()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCallAnswerPageLanguage: the page a member's link opens speaks the
// member's language, whatever the browser prefers, unless the browser
// chose one on this site (its cookie).
func TestCallAnswerPageLanguage(t *testing.T) {
	e := newCallEnv(t, store.Config{DataDir: t.TempDir()}, 3)
	body := validCall(time.Now().Add(time.Hour))
	body["headcount"] = 1
	e.verifiedCall(t, body)
	got := e.drain(t, time.Now())
	for email, m := range got {
		member, err := e.store.MemberByEmail(t.Context(), email)
		if err != nil {
			t.Fatal(err)
		}
		other := map[string]string{"es": "en", "en": "es"}[member.Language]
		for _, c := range []struct{ cookie, want string }{{"", member.Language}, {other, other}} {
			req, err := http.NewRequest("GET", e.web.URL+linkOf(t, m), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept-Language", other)
			if c.cookie != "" {
				req.AddCookie(&http.Cookie{Name: langCookie, Value: c.cookie})
			}
			resp, err := e.web.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if lang := resp.Header.Get("Content-Language"); resp.StatusCode != 200 || lang != c.want {
				t.Errorf("a %s member's link, browser asking for %s, cookie %q: got %d in %q, want %q",
					member.Language, other, c.cookie, resp.StatusCode, lang, c.want)
			}
		}
	}
	if len(got) == 0 {
		t.Fatal("no member got the call")
	}
}
