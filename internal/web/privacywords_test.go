package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/store"
)

// TestPrivacyWords: what the pages promise about privacy is what the
// code does. Who reads a member's alias: the coordinators of their
// collective and the organizers, not a coordinator of another
// collective, and the first page says so in both languages (it said
// the coordinators only). How big a home is: the footer's sizes are
// those of the cells geo allows, 4 to 6 characters (it said about a
// kilometre).
func TestPrivacyWords(t *testing.T) {
	e := newOrgEnv(t)
	for _, c := range []struct {
		who, token string
		want       int
	}{
		{"the coordinator of c-a", e.coordA, http.StatusOK},
		{"an organizer", e.organizer, http.StatusOK},
		{"the coordinator of c-b", e.coordB, http.StatusForbidden},
		{"a member of c-a", e.memberA, http.StatusForbidden},
	} {
		r := e.do(t, "GET", "/api/v1/collectives/c-a/members", c.token, "en", nil)
		if r.status != c.want || (c.want == http.StatusOK) != strings.Contains(string(r.body), `"alias":"mia"`) {
			t.Errorf("%s reads c-a's members: got %d %s, want %d", c.who, r.status, r.body, c.want)
		}
	}

	// The sizes of a cell at the equator, where it is widest.
	size := func(n int) (w, h float64) {
		latLo, latHi, lonLo, lonHi, err := geo.Bounds(strings.Repeat("s", n))
		if err != nil {
			t.Fatal(err)
		}
		return geo.Distance(0, lonLo, 0, lonHi), geo.Distance(latLo, 0, latHi, 0)
	}
	w6, h6 := size(geo.MaxCellLen)
	w4, h4 := size(geo.MinCellLen)
	say := func(x float64, comma bool) string {
		s := fmt.Sprintf("%.1f", x)
		if x >= 10 {
			s = fmt.Sprint(math.Round(x))
		}
		if comma {
			s = strings.ReplaceAll(s, ".", ",")
		}
		return s
	}
	for _, l := range []struct {
		lang, alias, size string
		comma             bool
	}{
		{"en", "The coordinators of your collectives see your alias, and so do the organizers, who can read the member list of every collective", "a cell of %d to %d characters, from about %s × %s km (%d characters) to %s × %s km (%d)", false},
		{"es", "Ven tu alias quienes coordinan tus colectivos y también las personas organizadoras, que pueden leer la lista de miembros de cualquier colectivo", "una celda de %d a %d caracteres, de unos %s × %s km (%d caracteres) a %s × %s km (%d)", true},
	} {
		page := strings.ReplaceAll(string(e.do(t, "GET", "/", "", l.lang, nil).body), "&#39;", "'")
		if !strings.Contains(page, l.alias) {
			t.Errorf("%s: / does not say who sees an alias as the code does (%q)", l.lang, l.alias)
		}
		want := fmt.Sprintf(l.size, geo.MinCellLen, geo.MaxCellLen, say(w6, l.comma), say(h6, l.comma), geo.MaxCellLen,
			say(w4, l.comma), say(h4, l.comma), geo.MinCellLen)
		if !strings.Contains(page, want) {
			t.Errorf("%s: the footer does not say the size of a home as geo makes it: want %q", l.lang, want)
		}
	}
}

// TestArticleHTMLWords: the writing form says what happens to HTML in
// an article: the stored text keeps it (the API's body gives it back)
// and the article as shown leaves it out (it said HTML is not kept).
func TestArticleHTMLWords(t *testing.T) {
	e := newEnv(t)
	m, err := e.store.CreateMember(context.Background(), store.Member{Alias: "Lupe", Language: "en", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.store.CreateArticle(context.Background(), store.Article{Author: m.ID, Language: "en", Title: "Strike", Body: "A <b>strike</b>"})
	if err != nil {
		t.Fatal(err)
	}
	b := signIn(t, e, m.ID, "en")
	if _, page := b.get(t, "/news/write"); !strings.Contains(page, "HTML is left out when the article is shown; the text keeps what you typed.") {
		t.Errorf("/news/write does not say what happens to HTML")
	}
	body := toArticleBody(auth.Principal{}, a)
	if !strings.Contains(body.Body, "<b>") || strings.Contains(body.HTML, "<b>") {
		t.Errorf("an article's body %q and html %q: want the HTML kept in one and left out of the other", body.Body, body.HTML)
	}
}
