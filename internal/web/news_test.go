package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// draftPath returns a path of the authorization test's fixture made
// with a new draft of the member of A.
func draftPath(format string) func(f *fixture) string {
	return func(f *fixture) string {
		a, err := f.store.CreateArticle(context.Background(), store.Article{Author: f.ids[memberA], Language: "en", Title: "Draft", Body: "text"})
		if err != nil {
			panic(err)
		}
		return fmt.Sprintf(format, a.ID)
	}
}

// editionPath returns a path of the fixture made with a new edition of
// one published article.
func editionPath(format string) func(f *fixture) string {
	return func(f *fixture) string {
		ctx := context.Background()
		a, err := f.store.CreateArticle(ctx, store.Article{Author: f.ids[memberA], Language: "en", Title: "Out", Body: "text"})
		if err != nil {
			panic(err)
		}
		for _, to := range []store.ArticleState{store.Review, store.Published} {
			if _, err := f.store.SetArticleState(ctx, a.ID, to); err != nil {
				panic(err)
			}
		}
		e, err := f.store.CreateEdition(ctx, store.Edition{Number: 1, Title: "One", Date: "2027-05-01", Articles: []string{a.ID}})
		if err != nil {
			panic(err)
		}
		return fmt.Sprintf(format, e.ID)
	}
}

// newsPerson makes a member with an API token of the role and returns
// their id and token.
func newsPerson(t *testing.T, e *env, alias string, role auth.Role) (string, string) {
	t.Helper()
	ctx := context.Background()
	m, err := e.store.CreateMember(ctx, store.Member{Alias: alias, Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	tok := auth.NewToken()
	if _, err := e.store.CreateToken(ctx, store.Token{Hash: auth.Hash(tok), MemberID: m.ID, Role: string(role)}); err != nil {
		t.Fatal(err)
	}
	return m.ID, tok
}

// want fails the test unless r has the status.
func (r response) want(t *testing.T, what string, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: got %d %s, want %d", what, r.status, r.body, status)
	}
	return r
}

// publishedPair makes, through the API, an article in Spanish and its
// translation in English, both published by an editor whom an organizer
// named, and returns the ids (es, en) and the env's tokens.
type newsWorld struct {
	*env
	author, editor, organizer, other string // tokens
	authorID, editorID               string
}

func newNewsWorld(t *testing.T) *newsWorld {
	w := &newsWorld{env: newEnv(t)}
	w.authorID, w.author = newsPerson(t, w.env, "pluma", auth.Member)
	w.editorID, w.editor = newsPerson(t, w.env, "tijera", auth.Member)
	_, w.organizer = newsPerson(t, w.env, "org", auth.Organizer)
	_, w.other = newsPerson(t, w.env, "otra", auth.Member)
	return w
}

func (w *newsWorld) json(t *testing.T, method, target, token, body string) response {
	t.Helper()
	var b *strings.Reader
	if body != "" {
		b = strings.NewReader(body)
		return w.do(t, method, target, token, "", b)
	}
	return w.do(t, method, target, token, "", nil)
}

func decodeArticle(t *testing.T, r response) articleBody {
	t.Helper()
	var a articleBody
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return a
}

// publishPair writes an article in Spanish and its translation in
// English and has the editor publish both; it returns their ids.
func (w *newsWorld) publishPair(t *testing.T) (string, string) {
	t.Helper()
	es := decodeArticle(t, w.json(t, "POST", "/api/v1/articles", w.author,
		`{"language": "es", "title": "¡Primero de Mayo!", "body": "Salimos **todas** juntas a las 10."}`).want(t, "write es", 201))
	en := decodeArticle(t, w.json(t, "POST", "/api/v1/articles", w.author,
		fmt.Sprintf(`{"language": "en", "title": "May Day!", "body": "We go out **together** at 10.", "translation": %q}`, es.ID)).want(t, "write en", 201))
	if en.Translation != es.ID || en.Author != "pluma" || en.State != "draft" {
		t.Fatalf("en: got %+v", en)
	}
	w.json(t, "PUT", "/api/v1/editors/"+w.editorID, w.organizer, "").want(t, "name the editor", 204)
	for _, id := range []string{es.ID, en.ID} {
		w.json(t, "POST", "/api/v1/articles/"+id+"/state", w.author, `{"state": "review"}`).want(t, "to review", 200)
		w.json(t, "POST", "/api/v1/articles/"+id+"/state", w.editor, `{"state": "published"}`).want(t, "publish", 200)
	}
	return es.ID, en.ID
}

// TestNewsArticleStates: who may see, change and move an article, as
// the API and the pages answer.
func TestNewsArticleStates(t *testing.T) {
	w := newNewsWorld(t)
	a := decodeArticle(t, w.json(t, "POST", "/api/v1/articles", w.author,
		`{"language": "en", "title": "Picket at the plant", "body": "Bring water."}`).want(t, "write", 201))
	if strings.Contains(string(w.json(t, "GET", "/api/v1/articles/"+a.ID, w.author, "").body), w.authorID) {
		t.Error("an article names its author's member id")
	}
	// The author takes their articles with the rest of their data.
	var export struct {
		Articles []articleBody `json:"articles"`
	}
	if err := json.Unmarshal(w.json(t, "GET", "/api/v1/me/export", w.author, "").want(t, "export", 200).body, &export); err != nil {
		t.Fatal(err)
	}
	if len(export.Articles) != 1 || export.Articles[0].ID != a.ID || !export.Articles[0].Mine {
		t.Errorf("export: articles %+v, want [%s]", export.Articles, a.ID)
	}
	path := "/api/v1/articles/" + a.ID
	steps := []struct {
		what, method, target, token, body string
		status                            int
	}{
		{"anonymous reads a draft", "GET", path, "", "", 404},
		{"another member reads a draft", "GET", path, w.other, "", 404},
		{"the author reads it", "GET", path, w.author, "", 200},
		{"an organizer reads it", "GET", path, w.organizer, "", 200},
		{"another member changes it", "PATCH", path, w.other, `{"title": "Mine"}`, 404},
		{"the author changes it", "PATCH", path, w.author, `{"title": "Picket at the plant, 6am"}`, 200},
		{"an empty title", "PATCH", path, w.author, `{"title": " "}`, 400},
		{"a third language", "PATCH", path, w.author, `{"language": "fr"}`, 400},
		{"the author publishes it", "POST", path + "/state", w.author, `{"state": "published"}`, 409},
		{"the author sends it to review", "POST", path + "/state", w.author, `{"state": "review"}`, 200},
		{"the author changes it in review", "PATCH", path, w.author, `{"title": "x"}`, 409},
		{"the author publishes it from review", "POST", path + "/state", w.author, `{"state": "published"}`, 403},
		{"a member not yet editor publishes it", "POST", path + "/state", w.editor, `{"state": "published"}`, 404},
		{"a member lists the review queue", "GET", "/api/v1/articles/review", w.editor, "", 403},
		{"a member names an editor", "PUT", "/api/v1/editors/" + w.editorID, w.editor, "", 403},
		{"the organizer names an editor", "PUT", "/api/v1/editors/" + w.editorID, w.organizer, "", 204},
		{"the editor lists the review queue", "GET", "/api/v1/articles/review", w.editor, "", 200},
		{"the editor publishes it", "POST", path + "/state", w.editor, `{"state": "published"}`, 200},
		{"anonymous reads it published", "GET", path, "", "", 200},
		{"the author changes it published", "PATCH", path, w.author, `{"title": "y"}`, 409},
		{"the author takes it back", "POST", path + "/state", w.author, `{"state": "draft"}`, 403},
		{"the editor takes it back", "POST", path + "/state", w.editor, `{"state": "draft"}`, 200},
		{"anonymous reads it unpublished", "GET", path, "", "", 404},
		{"the organizer removes the editor", "DELETE", "/api/v1/editors/" + w.editorID, w.organizer, "", 204},
		{"the former editor reads the draft", "GET", path, w.editor, "", 404},
	}
	for _, s := range steps {
		r := w.json(t, s.method, s.target, s.token, s.body)
		if r.status != s.status {
			t.Errorf("%s: %s %s: got %d %s, want %d", s.what, s.method, s.target, r.status, r.body, s.status)
		}
	}
}

// TestNewsTranslationPage: the page of an article links to its
// translation, with hreflang, and the list shows the reader's language.
func TestNewsTranslationPage(t *testing.T) {
	w := newNewsWorld(t)
	es, en := w.publishPair(t)
	r := w.do(t, "GET", "/news/"+en, "", "en", nil).want(t, "the article page", 200)
	body := string(r.body)
	for _, want := range []string{`href="/news/` + es + `" hreflang="es"`, "Read it in Spanish", "<strong>together</strong>", "by pluma"} {
		if !strings.Contains(body, want) {
			t.Errorf("/news/%s lacks %q", en, want)
		}
	}
	r = w.do(t, "GET", "/news", "", "es", nil).want(t, "the list in Spanish", 200)
	if !strings.Contains(string(r.body), "¡Primero de Mayo!") || strings.Contains(string(r.body), "May Day!") {
		t.Errorf("/news in Spanish: want the Spanish article only: %s", r.body)
	}
	// The link is symmetric.
	back := decodeArticle(t, w.json(t, "GET", "/api/v1/articles/"+es, "", ""))
	if back.Translation != en {
		t.Errorf("es.translation: got %q, want %q", back.Translation, en)
	}
}

// TestFeedAtom (issue 7, acceptance item 2): an article published in
// both languages is in both feeds, each parsed by a real Atom parser,
// each entry with a tag: id, its alias as author, its sanitized HTML
// and a link to its translation in the other language.
func TestFeedAtom(t *testing.T) {
	w := newNewsWorld(t)
	es, en := w.publishPair(t)
	for _, tc := range []struct{ lang, id, other, otherLang, title string }{
		{"en", en, es, "es", "May Day!"},
		{"es", es, en, "en", "¡Primero de Mayo!"},
	} {
		r := w.do(t, "GET", "/feeds/"+tc.lang+".atom", "", "", nil).want(t, "feed "+tc.lang, 200)
		if ct := r.header.Get("Content-Type"); ct != "application/atom+xml" {
			t.Errorf("feed %s: Content-Type %q, want application/atom+xml", tc.lang, ct)
		}
		if got := gofeed.DetectFeedType(bytes.NewReader(r.body)); got != gofeed.FeedTypeAtom {
			t.Errorf("feed %s: detected as %v, want Atom", tc.lang, got)
		}
		f, err := (&atom.Parser{}).Parse(bytes.NewReader(r.body))
		if err != nil {
			t.Fatalf("feed %s: %v\n%s", tc.lang, err, r.body)
		}
		if !strings.HasPrefix(f.ID, "tag:") || f.UpdatedParsed == nil || f.Title == "" {
			t.Errorf("feed %s: id %q, updated %v, title %q", tc.lang, f.ID, f.UpdatedParsed, f.Title)
		}
		if len(f.Entries) != 1 {
			t.Fatalf("feed %s: got %d entries, want 1", tc.lang, len(f.Entries))
		}
		e := f.Entries[0]
		if e.Title != tc.title || !strings.HasPrefix(e.ID, "tag:") || !strings.HasSuffix(e.ID, ":article/"+tc.id) {
			t.Errorf("feed %s: entry title %q id %q", tc.lang, e.Title, e.ID)
		}
		if e.UpdatedParsed == nil || e.PublishedParsed == nil {
			t.Errorf("feed %s: entry updated %q published %q", tc.lang, e.Updated, e.Published)
		}
		if len(e.Authors) != 1 || e.Authors[0].Name != "pluma" {
			t.Errorf("feed %s: authors %+v, want pluma", tc.lang, e.Authors)
		}
		if e.Content == nil || e.Content.Type != "html" || !strings.Contains(e.Content.Value, "<strong>") {
			t.Errorf("feed %s: content %+v, want the HTML", tc.lang, e.Content)
		}
		var self, translation bool
		for _, l := range e.Links {
			self = self || l.Rel == "alternate" && l.Hreflang == tc.lang && strings.HasSuffix(l.Href, "/news/"+tc.id)
			translation = translation || l.Rel == "alternate" && l.Hreflang == tc.otherLang && strings.HasSuffix(l.Href, "/news/"+tc.other)
		}
		if !self || !translation {
			t.Errorf("feed %s: links %v: want the article's and its translation's", tc.lang, e.Links)
		}
	}
}

// formPost posts a page's form with a token, in lang.
func (w *newsWorld) formPost(t *testing.T, target, token, lang string, v url.Values) response {
	t.Helper()
	req := httptest.NewRequest("POST", target, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept-Language", lang)
	rec := httptest.NewRecorder()
	w.http.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// TestArticleForm: the writing form keeps what was typed and says what
// is wrong next to the field, in the page's language.
func TestArticleForm(t *testing.T) {
	w := newNewsWorld(t)
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"es", []string{`<p class="error" id="title-error">obligatorio</p>`, "elige inglés o español"}},
		{"en", []string{`<p class="error" id="title-error">required</p>`, "choose English or Spanish"}},
	} {
		r := w.formPost(t, "/news/write", w.author, tc.lang, url.Values{"title": {" "}, "body": {"Texto *guardado*"}, "language": {"fr"}})
		r.want(t, "a form with mistakes", http.StatusUnprocessableEntity)
		for _, want := range append(tc.want, "Texto *guardado*</textarea>") {
			if !strings.Contains(string(r.body), want) {
				t.Errorf("%s: the form lacks %q", tc.lang, want)
			}
		}
	}
	r := w.formPost(t, "/news/write", w.author, "es", url.Values{"title": {"Huelga"}, "body": {"Texto"}, "language": {"es"}})
	r.want(t, "a good form", http.StatusSeeOther)
	id := strings.TrimPrefix(r.header.Get("Location"), "/news/")
	a, err := w.store.Article(context.Background(), id)
	if err != nil || a.Title != "Huelga" || a.State != store.Draft {
		t.Fatalf("saved: %+v, %v", a, err)
	}
	w.formPost(t, "/news/"+id+"/state", w.author, "es", url.Values{"state": {"review"}}).want(t, "to review", http.StatusSeeOther)
	w.formPost(t, "/news/"+id+"/state", w.author, "es", url.Values{"state": {"published"}}).want(t, "the author publishes", http.StatusForbidden)
	w.formPost(t, "/news/"+id+"/state", w.organizer, "es", url.Values{"state": {"published"}}).want(t, "the organizer publishes", http.StatusSeeOther)
	w.formPost(t, "/news/"+id+"/edit", w.author, "es", url.Values{"title": {"x"}, "body": {"y"}, "language": {"es"}}).want(t, "edit a published article", http.StatusConflict)
}

// TestEditionPrint: an edition made from the review page's form prints
// the reader's language first, then the other from a new page, with a
// print style sheet and in the edition's order.
func TestEditionPrint(t *testing.T) {
	w := newNewsWorld(t)
	es, en := w.publishPair(t)
	r := w.formPost(t, "/news/editions", w.editor, "en", url.Values{"number": {"0"}, "date": {"May 1"}, "title": {""}, "order." + en: {"1"}})
	r.want(t, "an edition form with mistakes", http.StatusUnprocessableEntity)
	for _, want := range []string{"a whole number from 1", "a date, such as 2027-05-01", `value="1"`} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("the edition form lacks %q", want)
		}
	}
	r = w.formPost(t, "/news/editions", w.editor, "en", url.Values{"number": {"1"}, "date": {"2027-05-01"}, "title": {"May Day 2027"},
		"order." + en: {"1"}, "order." + es: {"2"}})
	r.want(t, "make an edition", http.StatusSeeOther)
	print := r.header.Get("Location")
	for _, tc := range []struct{ lang, first, second string }{
		{"en", "May Day!", "¡Primero de Mayo!"},
		{"es", "¡Primero de Mayo!", "May Day!"},
	} {
		body := string(w.do(t, "GET", print, "", tc.lang, nil).want(t, "print "+tc.lang, 200).body)
		i, j := strings.Index(body, tc.first), strings.Index(body, tc.second)
		if i < 0 || j < 0 || i > j {
			t.Errorf("print in %s: want %q before %q", tc.lang, tc.first, tc.second)
		}
		if !strings.Contains(body, "news.") || !strings.Contains(body, `class="edition-lang" lang="es"`) {
			t.Errorf("print in %s: want the print style sheet and a Spanish section", tc.lang)
		}
	}
	var got editionBody
	id := strings.TrimSuffix(strings.TrimPrefix(print, "/news/editions/"), "/print")
	if err := json.Unmarshal(w.json(t, "GET", "/api/v1/editions/"+id, "", "").want(t, "edition", 200).body, &got); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, a := range got.Articles {
		order = append(order, a.ID)
	}
	if !slices.Equal(order, []string{en, es}) || got.Number != 1 {
		t.Errorf("edition: got %+v, want articles [%s %s]", got, en, es)
	}
	w.json(t, "POST", "/api/v1/articles/"+en+"/state", w.editor, `{"state": "draft"}`).want(t, "unpublish an article in an edition", http.StatusConflict)
}

// TestEditionPDF: an edition as a PDF, one language per page at least,
// with nothing active in it: no script, no link, no launch action.
func TestEditionPDF(t *testing.T) {
	w := newNewsWorld(t)
	ed := sampleEdition(t, w.store)
	ids := publishPayloads(t, w.store, xssPayloads(t))
	xss, err := w.store.CreateEdition(context.Background(), store.Edition{Number: 13, Title: "XSS", Date: "2027-05-01", Articles: ids})
	if err != nil {
		t.Fatal(err)
	}
	pageCount := regexp.MustCompile(`/Type /Pages\n/Kids \[[^\]]*\]\n/Count (\d+)`)
	for _, tc := range []struct {
		id       string
		minPages int
	}{{ed, 2}, {xss.ID, 2}} {
		for _, lang := range []string{"en", "es"} {
			r := w.do(t, "GET", "/news/editions/"+tc.id+"/pdf", "", lang, nil).want(t, "pdf", 200)
			if ct := r.header.Get("Content-Type"); ct != "application/pdf" || !bytes.HasPrefix(r.body, []byte("%PDF-")) {
				t.Fatalf("pdf: Content-Type %q, starts %q", ct, r.body[:min(len(r.body), 8)])
			}
			m := pageCount.FindSubmatch(r.body)
			if m == nil {
				t.Fatalf("pdf %s: no page tree found", lang)
			}
			if n, _ := strconv.Atoi(string(m[1])); n < tc.minPages {
				t.Errorf("pdf %s: %d pages, want at least %d (one language a page)", lang, n, tc.minPages)
			}
			for _, active := range []string{"/JavaScript", "/JS", "/URI", "/Launch", "/OpenAction", "/AA"} {
				if bytes.Contains(r.body, []byte(active)) {
					t.Errorf("pdf %s of edition %s holds %s", lang, tc.id, active)
				}
			}
		}
	}
}
