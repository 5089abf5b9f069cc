package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/store"
)

// TestDeleteArticle: who may delete an article, by the API and by the
// article page's form: its author a draft, an editor a draft or one in
// review; a published one only once taken back to draft, and one in an
// edition never. Its translation loses the link; the page's button is
// there for those who may, in the reader's language.
func TestDeleteArticle(t *testing.T) {
	w := newNewsWorld(t)
	ctx := context.Background()
	write := func(body string) string {
		t.Helper()
		return decodeArticle(t, w.json(t, "POST", "/api/v1/articles", w.author, body).want(t, "write", 201)).ID
	}
	w.json(t, "PUT", "/api/v1/editors/"+w.editorID, w.organizer, "").want(t, "name the editor", 204)

	draft := write(`{"language": "en", "title": "Draft", "body": "text"}`)
	path := "/api/v1/articles/" + draft
	w.json(t, "DELETE", path, "", "").want(t, "anonymous deletes", http.StatusUnauthorized)
	w.json(t, "DELETE", path, w.other, "").want(t, "another member deletes", http.StatusNotFound)
	w.json(t, "DELETE", path, w.author, "").want(t, "the author deletes their draft", http.StatusNoContent)
	w.json(t, "GET", path, w.author, "").want(t, "the deleted draft", http.StatusNotFound)
	w.json(t, "DELETE", path, w.author, "").want(t, "deleted twice", http.StatusNotFound)

	es, en := w.publishPair(t)
	w.json(t, "DELETE", "/api/v1/articles/"+en, w.author, "").want(t, "the author deletes it published", http.StatusConflict)
	w.json(t, "DELETE", "/api/v1/articles/"+en, w.editor, "").want(t, "the editor deletes it published", http.StatusConflict)
	w.json(t, "POST", "/api/v1/articles/"+en+"/state", w.editor, `{"state": "draft"}`).want(t, "take it back", 200)
	w.json(t, "DELETE", "/api/v1/articles/"+en, w.editor, "").want(t, "the editor deletes the draft", http.StatusNoContent)
	if a := decodeArticle(t, w.json(t, "GET", "/api/v1/articles/"+es, "", "").want(t, "the translation", 200)); a.Translation != "" {
		t.Errorf("the Spanish article still links to the deleted one: %q", a.Translation)
	}
	if _, err := w.store.CreateEdition(ctx, store.Edition{Number: 1, Title: "Uno", Date: "2027-05-01", Articles: []string{es}}); err != nil {
		t.Fatal(err)
	}
	if err := w.store.DeleteArticle(ctx, es); !errors.Is(err, store.ErrArticleInEdition) {
		t.Errorf("delete an article in an edition: got %v, want %v", err, store.ErrArticleInEdition)
	}

	// The page: the button, then the form.
	page := write(`{"language": "es", "title": "Borrador", "body": "texto"}`)
	for who, tok := range map[string]string{"the author": w.author, "the editor": w.editor} {
		r := w.do(t, "GET", "/news/"+page, tok, "es", nil).want(t, "the page as "+who, 200)
		if !strings.Contains(string(r.body), `action="/news/`+page+`/delete"`) || !strings.Contains(string(r.body), "Borrar este artículo") {
			t.Errorf("the page as %s has no delete button in Spanish", who)
		}
	}
	w.formPost(t, "/news/"+page+"/delete", w.other, "es", url.Values{}).want(t, "another member deletes by the form", http.StatusNotFound)
	r := w.formPost(t, "/news/"+page+"/delete", w.author, "es", url.Values{}).want(t, "the author deletes by the form", http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/news/write" {
		t.Errorf("after the delete: to %q, want /news/write", loc)
	}
	if _, err := w.store.Article(ctx, page); err == nil {
		t.Error("the article is still there after the form")
	}
}
