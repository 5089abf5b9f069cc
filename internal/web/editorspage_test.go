package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestEditorsPage: an organizer makes a member an editor from the page
// by their alias, sees them listed, and makes them a plain member again;
// an unknown alias comes back by the field, in the page's language; a
// member cannot open the page.
func TestEditorsPage(t *testing.T) {
	w := newNewsWorld(t)
	ctx := context.Background()
	w.do(t, "GET", "/news/editors", w.author, "es", nil).want(t, "a member opens the page", http.StatusForbidden)
	r := w.do(t, "GET", "/news/editors", w.organizer, "es", nil).want(t, "the page", 200)
	if !strings.Contains(string(r.body), "Todavía no hay editoras.") {
		t.Errorf("the page without editors: %.600s", r.body)
	}
	for _, tc := range []struct{ lang, want string }{{"es", "ningún miembro tiene este alias"}, {"en", "no member has this alias"}} {
		r := w.formPost(t, "/news/editors", w.organizer, tc.lang, url.Values{"alias": {"nadie"}}).want(t, "an unknown alias", http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.body), `<p class="error" id="alias-error">`+tc.want+`</p>`) || !strings.Contains(string(r.body), `value="nadie"`) {
			t.Errorf("%s: the form lacks the error by the field or the alias typed: %.900s", tc.lang, r.body)
		}
	}
	w.formPost(t, "/news/editors", w.organizer, "es", url.Values{"alias": {"tijera"}}).want(t, "make an editor", http.StatusSeeOther)
	if ok, err := w.store.IsEditor(ctx, w.editorID); err != nil || !ok {
		t.Fatalf("tijera is an editor: %v, %v; want true", ok, err)
	}
	w.json(t, "GET", "/api/v1/articles/review", w.editor, "").want(t, "the new editor reads the review queue", 200)
	r = w.do(t, "GET", "/news/editors", w.organizer, "en", nil).want(t, "the page", 200)
	if !strings.Contains(string(r.body), "tijera") || !strings.Contains(string(r.body), `aria-label="Remove tijera as an editor"`) {
		t.Errorf("the page does not list tijera with a button: %.900s", r.body)
	}
	w.formPost(t, "/news/editors", w.organizer, "en", url.Values{"remove": {w.editorID}}).want(t, "remove the editor", http.StatusSeeOther)
	if ok, _ := w.store.IsEditor(ctx, w.editorID); ok {
		t.Error("tijera is still an editor")
	}
	if r := w.do(t, "GET", "/", w.organizer, "en", nil); !strings.Contains(string(r.body), `href="/news/editors"`) {
		t.Error("the organizer's home has no link to the editors' page")
	}
}
