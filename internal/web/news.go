package web

import (
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// The newspaper's API: articles, editions and editors. Anyone reads
// published articles and editions; members write articles, which only
// their author changes while a draft; editors (named by organizers) and
// organizers review, publish and make editions. The route says the
// least a caller must be (auth.Allow); what depends on the article (its
// author, its state) is asked of auth.Allow again here, for Edit.

// newsRoutes are the newspaper's: its API, pages (newspage.go) and
// feeds (feeds.go).
func (s *Server) newsRoutes() []route {
	rts := []route{
		{pattern: "GET /api/v1/articles", public: true, h: s.listArticles},
		{pattern: "POST /api/v1/articles", action: auth.WriteSelf, h: s.createArticle},
		{pattern: "GET /api/v1/articles/review", action: auth.Edit, h: s.reviewArticles},
		{pattern: "GET /api/v1/articles/{id}", public: true, h: s.getArticle},
		{pattern: "PATCH /api/v1/articles/{id}", action: auth.WriteSelf, h: s.patchArticle},
		{pattern: "POST /api/v1/articles/{id}/state", action: auth.WriteSelf, h: s.moveArticle},
		{pattern: "DELETE /api/v1/articles/{id}", action: auth.WriteSelf, h: s.deleteArticle},
		{pattern: "GET /api/v1/me/articles", action: auth.ReadSelf, h: s.myArticles},
		{pattern: "GET /api/v1/editions", public: true, h: s.listEditions},
		{pattern: "POST /api/v1/editions", action: auth.Edit, h: s.createEdition},
		{pattern: "GET /api/v1/editions/{id}", public: true, h: s.getEdition},
		{pattern: "PUT /api/v1/editions/{id}", action: auth.Edit, h: s.putEdition},
		{pattern: "GET /api/v1/editors", action: auth.ReadAll, h: s.listEditors},
		{pattern: "PUT /api/v1/editors/{member}", action: auth.WriteAll, h: s.putEditor},
		{pattern: "DELETE /api/v1/editors/{member}", action: auth.WriteAll, h: s.deleteEditor},
	}
	rts = append(rts, s.newsPageRoutes()...)
	return append(rts, s.feedRoutes()...)
}

// newsPrincipal is the request's principal with Editor looked up, for
// the checks that depend on an article.
func (s *Server) newsPrincipal(r *http.Request) (auth.Principal, error) {
	p, err := s.principal(r)
	if err != nil || p.Anonymous() || p.Editor {
		return p, err
	}
	p.Editor, err = s.store.IsEditor(r.Context(), p.Member)
	return p, err
}

// mayEdit says whether p edits the newspaper.
func mayEdit(p auth.Principal) bool { return auth.Allow(p, auth.Edit, "") }

// mayRead says whether p may read a: anyone once published, its author
// and editors before.
func mayRead(p auth.Principal, a *store.Article) bool {
	return a.State == store.Published || (!p.Anonymous() && a.Author == p.Member) || mayEdit(p)
}

// mayChange says whether p may change a's text or links: its author
// while a draft, editors while it is not published.
func mayChange(p auth.Principal, a *store.Article) bool {
	switch a.State {
	case store.Draft:
		return a.Author == p.Member || mayEdit(p)
	case store.Review:
		return mayEdit(p)
	}
	return false
}

// mayMove says whether p may move a to state to: its author sends a
// draft to review and takes it back; editors publish and unpublish.
func mayMove(p auth.Principal, a *store.Article, to store.ArticleState) bool {
	author := !p.Anonymous() && a.Author == p.Member
	switch {
	case a.State == store.Draft && to == store.Review,
		a.State == store.Review && to == store.Draft:
		return author || mayEdit(p)
	}
	return mayEdit(p)
}

// articleBody is an article as the API shows it: signed by alias, never
// by member id.
type articleBody struct {
	ID          string     `json:"id"`
	Author      string     `json:"author"`
	Mine        bool       `json:"mine,omitempty"`
	Language    string     `json:"language"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	HTML        string     `json:"html"`
	State       string     `json:"state"`
	Translation string     `json:"translation,omitempty"`
	Created     time.Time  `json:"created"`
	Updated     time.Time  `json:"updated"`
	Published   *time.Time `json:"published,omitempty"`
}

func toArticleBody(p auth.Principal, a *store.Article) articleBody {
	b := articleBody{ID: a.ID, Author: a.Alias, Mine: !p.Anonymous() && a.Author == p.Member,
		Language: a.Language, Title: a.Title, Body: a.Body, HTML: string(renderArticle(a.Body)),
		State: string(a.State), Translation: a.Translation, Created: a.Created, Updated: a.Updated}
	if !a.Published.IsZero() {
		t := a.Published
		b.Published = &t
	}
	return b
}

func toArticleBodies(p auth.Principal, as []store.Article) []articleBody {
	out := []articleBody{}
	for i := range as {
		out = append(out, toArticleBody(p, &as[i]))
	}
	return out
}

// articleIn is what a writer sends; PATCH takes any subset.
type articleIn struct {
	Language    *string `json:"language"`
	Title       *string `json:"title"`
	Body        *string `json:"body"`
	Translation *string `json:"translation"`
}

func (in articleIn) check(create bool) error {
	var v invalid
	if in.Language == nil && create {
		v.add("language", msgFieldRequired)
	} else if in.Language != nil && !slices.Contains(store.NewsLanguages, *in.Language) {
		v.add("language", msgFieldOneOf, *in.Language, strings.Join(store.NewsLanguages, ", "))
	}
	if in.Title == nil && create || in.Title != nil && strings.TrimSpace(*in.Title) == "" {
		v.add("title", msgFieldRequired)
	} else if in.Title != nil && len([]rune(*in.Title)) > store.MaxArticleTitle {
		v.add("title", msgFieldLength, store.MaxArticleTitle)
	}
	if in.Body == nil && create || in.Body != nil && strings.TrimSpace(*in.Body) == "" {
		v.add("body", msgFieldRequired)
	}
	return v.err()
}

// listArticles answers the published articles, newest first, in the
// language of ?lang= (both without it).
func (s *Server) listArticles(w http.ResponseWriter, r *http.Request) error {
	lang := r.URL.Query().Get("lang")
	if lang != "" && !slices.Contains(store.NewsLanguages, lang) {
		return invalid{{field: "lang", key: msgFieldOneOf, args: []any{lang, strings.Join(store.NewsLanguages, ", ")}}}
	}
	as, err := s.store.Articles(r.Context(), store.ArticleFilter{State: store.Published, Language: lang})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"articles": toArticleBodies(auth.Principal{}, as)})
	return nil
}

func (s *Server) reviewArticles(w http.ResponseWriter, r *http.Request) error {
	p, _ := s.principal(r)
	as, err := s.store.Articles(r.Context(), store.ArticleFilter{State: store.Review})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"articles": toArticleBodies(p, as)})
	return nil
}

func (s *Server) myArticles(w http.ResponseWriter, r *http.Request) error {
	p, _ := s.principal(r)
	as, err := s.store.Articles(r.Context(), store.ArticleFilter{Author: p.Member})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"articles": toArticleBodies(p, as)})
	return nil
}

// readableArticle returns the article of the path's id if p may read
// it; one p may not read is not found, so that drafts are not probed.
func (s *Server) readableArticle(r *http.Request, p auth.Principal) (*store.Article, error) {
	a, err := s.store.Article(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if !mayRead(p, a) {
		return nil, store.Errorf(store.CodeNotFound, "article %q not found", a.ID)
	}
	return a, nil
}

func (s *Server) getArticle(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newsPrincipal(r)
	if err != nil {
		return err
	}
	a, err := s.readableArticle(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toArticleBody(p, a))
	return nil
}

func (s *Server) createArticle(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newsPrincipal(r)
	if err != nil {
		return err
	}
	var in articleIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := in.check(true); err != nil {
		return err
	}
	a, err := s.store.CreateArticle(r.Context(), store.Article{Author: p.Member, Language: *in.Language, Title: *in.Title, Body: *in.Body})
	if err != nil {
		return err
	}
	if in.Translation != nil && *in.Translation != "" {
		if a, err = s.linkTranslation(r, p, a, *in.Translation); err != nil {
			return err
		}
	}
	w.Header().Set("Location", "/api/v1/articles/"+a.ID)
	writeJSON(w, http.StatusCreated, toArticleBody(p, a))
	return nil
}

// linkTranslation links a to the article other, which p must be able to
// read; "" unlinks.
func (s *Server) linkTranslation(r *http.Request, p auth.Principal, a *store.Article, other string) (*store.Article, error) {
	if other != "" {
		o, err := s.store.Article(r.Context(), other)
		if store.ErrorCode(err) == store.CodeNotFound || err == nil && !mayRead(p, o) {
			return nil, store.Errorf(store.CodeInvalid, "translation: article %q not found", other)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := s.store.LinkTranslation(r.Context(), a.ID, other); err != nil {
		return nil, err
	}
	return s.store.Article(r.Context(), a.ID)
}

func (s *Server) patchArticle(w http.ResponseWriter, r *http.Request) error {
	p, a, err := s.changeable(r)
	if err != nil {
		return err
	}
	var in articleIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := in.check(false); err != nil {
		return err
	}
	if in.Language != nil || in.Title != nil || in.Body != nil {
		up := *a
		if in.Language != nil {
			up.Language = *in.Language
		}
		if in.Title != nil {
			up.Title = *in.Title
		}
		if in.Body != nil {
			up.Body = *in.Body
		}
		if a, err = s.store.UpdateArticle(r.Context(), up); err != nil {
			return err
		}
	}
	if in.Translation != nil {
		if a, err = s.linkTranslation(r, p, a, *in.Translation); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, toArticleBody(p, a))
	return nil
}

// deleteArticle deletes an article its reader may still change: its
// author a draft, an editor a draft or one in review. A published one is
// taken back to draft first, by an editor.
func (s *Server) deleteArticle(w http.ResponseWriter, r *http.Request) error {
	if err := s.removeArticle(r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeArticle deletes the article of the request's path if its reader
// may (see deleteArticle), for the API and the page.
func (s *Server) removeArticle(r *http.Request) error {
	_, a, err := s.changeable(r)
	if err != nil {
		return err
	}
	err = s.store.DeleteArticle(r.Context(), a.ID)
	if err == nil {
		s.log.Info("article deleted", "article", a.ID)
	}
	return err
}

func (s *Server) moveArticle(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newsPrincipal(r)
	if err != nil {
		return err
	}
	a, err := s.readableArticle(r, p)
	if err != nil {
		return err
	}
	var in struct {
		State *string `json:"state"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	states := []string{string(store.Draft), string(store.Review), string(store.Published)}
	if in.State == nil {
		return invalid{{field: "state", key: msgFieldRequired}}
	}
	if !slices.Contains(states, *in.State) {
		return invalid{{field: "state", key: msgFieldOneOf, args: []any{*in.State, strings.Join(states, ", ")}}}
	}
	to := store.ArticleState(*in.State)
	if !store.CanMove(a.State, to) {
		return store.ErrArticleTransition
	}
	if !mayMove(p, a, to) {
		return errorf(store.CodeForbidden, msgForbidden)
	}
	if a, err = s.store.SetArticleState(r.Context(), a.ID, to); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toArticleBody(p, a))
	return nil
}

// editionBody is an edition as the API shows it, with its published
// articles in order.
type editionBody struct {
	ID       string        `json:"id"`
	Number   int           `json:"number"`
	Title    string        `json:"title"`
	Date     string        `json:"date"`
	Articles []articleBody `json:"articles,omitempty"`
}

type editionIn struct {
	Number   *int     `json:"number"`
	Title    *string  `json:"title"`
	Date     *string  `json:"date"`
	Articles []string `json:"articles"`
}

func (in editionIn) edition() (store.Edition, error) {
	var v invalid
	if in.Number == nil {
		v.add("number", msgFieldRequired)
	} else if *in.Number < 1 {
		v.add("number", msgFieldPositive)
	}
	if in.Title == nil || strings.TrimSpace(*in.Title) == "" {
		v.add("title", msgFieldRequired)
	}
	if in.Date == nil {
		v.add("date", msgFieldRequired)
	} else if _, err := time.Parse(time.DateOnly, *in.Date); err != nil {
		v.add("date", msgFieldType, "YYYY-MM-DD")
	}
	if err := v.err(); err != nil {
		return store.Edition{}, err
	}
	return store.Edition{Number: *in.Number, Title: *in.Title, Date: *in.Date, Articles: in.Articles}, nil
}

// editionView is an edition with its articles, for the API and the
// print view.
type editionView struct {
	store.Edition
	Articles []store.Article
}

// HTML renders an article of the edition.
func (editionView) HTML(a store.Article) template.HTML { return renderArticle(a.Body) }

func (s *Server) loadEdition(r *http.Request, id string) (*editionView, error) {
	e, err := s.store.Edition(r.Context(), id)
	if err != nil {
		return nil, err
	}
	v := &editionView{Edition: *e}
	for _, aid := range e.Articles {
		a, err := s.store.Article(r.Context(), aid)
		if err != nil {
			return nil, err
		}
		v.Articles = append(v.Articles, *a)
	}
	return v, nil
}

func (v *editionView) body() editionBody {
	b := editionBody{ID: v.ID, Number: v.Number, Title: v.Title, Date: v.Date, Articles: []articleBody{}}
	for i := range v.Articles {
		b.Articles = append(b.Articles, toArticleBody(auth.Principal{}, &v.Articles[i]))
	}
	return b
}

func (s *Server) listEditions(w http.ResponseWriter, r *http.Request) error {
	es, err := s.store.Editions(r.Context())
	if err != nil {
		return err
	}
	out := []editionBody{}
	for _, e := range es {
		out = append(out, editionBody{ID: e.ID, Number: e.Number, Title: e.Title, Date: e.Date})
	}
	writeJSON(w, http.StatusOK, map[string]any{"editions": out})
	return nil
}

func (s *Server) getEdition(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadEdition(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v.body())
	return nil
}

func (s *Server) createEdition(w http.ResponseWriter, r *http.Request) error {
	var in editionIn
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := in.edition()
	if err != nil {
		return err
	}
	made, err := s.store.CreateEdition(r.Context(), e)
	if err != nil {
		return err
	}
	v, err := s.loadEdition(r, made.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/editions/"+made.ID)
	writeJSON(w, http.StatusCreated, v.body())
	return nil
}

func (s *Server) putEdition(w http.ResponseWriter, r *http.Request) error {
	var in editionIn
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := in.edition()
	if err != nil {
		return err
	}
	e.ID = r.PathValue("id")
	if _, err := s.store.UpdateEdition(r.Context(), e); err != nil {
		return err
	}
	v, err := s.loadEdition(r, e.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v.body())
	return nil
}

func (s *Server) listEditors(w http.ResponseWriter, r *http.Request) error {
	eds, err := s.store.Editors(r.Context())
	if err != nil {
		return err
	}
	type editor struct {
		Member string `json:"member"`
		Alias  string `json:"alias"`
	}
	out := []editor{}
	for _, e := range eds {
		out = append(out, editor{e.Member, e.Alias})
	}
	writeJSON(w, http.StatusOK, map[string]any{"editors": out})
	return nil
}

func (s *Server) putEditor(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.SetEditor(r.Context(), r.PathValue("member"), true); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteEditor(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.SetEditor(r.Context(), r.PathValue("member"), false); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// authorArticleBodies are the bodies of articles as their author sees
// them, for the export of their data.
func authorArticleBodies(author string, as []store.Article) []articleBody {
	return toArticleBodies(auth.Principal{Member: author}, as)
}
