package web

import (
	"cmp"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// The newspaper's pages: the published articles in the reader's
// language, an article with a link to its translation, the writing and
// editing forms, the editors' review page, the editions and their print
// view. The checks are those of the API (news.go): who may read, change
// and move an article is decided by the same functions.

func (s *Server) newsPageRoutes() []route {
	return []route{
		{pattern: "GET /news", public: true, page: true, h: s.newsPage},
		{pattern: "GET /news/{id}", public: true, page: true, h: s.articlePage},
		{pattern: "GET /news/write", action: auth.ReadSelf, page: true, h: s.writePage},
		{pattern: "POST /news/write", action: auth.WriteSelf, page: true, h: s.writePost, again: s.writeAgain},
		{pattern: "GET /news/{id}/edit", action: auth.ReadSelf, page: true, h: s.editPage},
		{pattern: "POST /news/{id}/edit", action: auth.WriteSelf, page: true, h: s.editPost, again: s.editAgain},
		{pattern: "POST /news/{id}/state", action: auth.WriteSelf, page: true, h: s.statePost},
		{pattern: "POST /news/{id}/delete", action: auth.WriteSelf, page: true, h: s.deletePost},
		{pattern: "GET /news/review", action: auth.Edit, page: true, h: s.reviewPage},
		{pattern: "GET /news/editors", action: auth.ReadAll, page: true, h: s.editorsPage},
		{pattern: "POST /news/editors", action: auth.WriteAll, page: true, h: s.editorsPost},
		{pattern: "GET /news/editions", public: true, page: true, h: s.editionsPage},
		{pattern: "POST /news/editions", action: auth.Edit, page: true, h: s.editionPost},
		{pattern: "GET /news/editions/{id}/print", public: true, page: true, h: s.printPage},
		{pattern: "GET /news/editions/{id}/pdf", public: true, page: true, h: s.editionPDF},
	}
}

// newsView is what the list of articles shows.
type newsView struct {
	Articles []store.Article
	Editor   bool
	Feed     string
}

// Date writes a time as a date.
func (newsView) Date(t time.Time) string { return t.Format(time.DateOnly) }

func (s *Server) newsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newsPrincipal(r)
	if err != nil {
		return err
	}
	lang := s.ui.pageLang(r)
	if !slices.Contains(store.NewsLanguages, lang) {
		lang = "en"
	}
	as, err := s.store.Articles(r.Context(), store.ArticleFilter{State: store.Published, Language: lang})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "news.html", "news.title", newsView{Articles: as, Editor: mayEdit(p), Feed: "/feeds/" + lang + ".atom"})
}

// articleView is what an article's page shows.
type articleView struct {
	Article     *store.Article
	HTML        template.HTML
	Translation *store.Article // nil if none the reader may read
	Change      bool           // the reader may edit it
	Moves       []string       // the states the reader may move it to
}

func (articleView) Date(t time.Time) string { return t.Format(time.DateOnly) }

// moves are the states p may move a to.
func moves(p auth.Principal, a *store.Article) []string {
	var out []string
	for _, to := range []store.ArticleState{store.Review, store.Published, store.Draft} {
		if !p.Anonymous() && store.CanMove(a.State, to) && mayMove(p, a, to) {
			out = append(out, string(to))
		}
	}
	return out
}

func (s *Server) articlePage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newsPrincipal(r)
	if err != nil {
		return err
	}
	a, err := s.readableArticle(r, p)
	if err != nil {
		return err
	}
	v := articleView{Article: a, HTML: renderArticle(a.Body), Change: !p.Anonymous() && mayChange(p, a), Moves: moves(p, a)}
	if a.Translation != "" {
		tr, err := s.store.Article(r.Context(), a.Translation)
		if err != nil && store.ErrorCode(err) != store.CodeNotFound {
			return err
		}
		if err == nil && mayRead(p, tr) {
			v.Translation = tr
		}
	}
	return s.render(w, r, http.StatusOK, "article.html", "news.article.title", v)
}

// writeView is what the writing and editing form shows.
type writeView struct {
	Form    form
	Article *store.Article  // nil when writing a new one
	Mine    []store.Article // the writer's articles, on the writing page
	// Candidates are the articles that may be linked as the
	// translation: those in either language the writer may read.
	Candidates []store.Article
}

func (s *Server) translationCandidates(r *http.Request, p auth.Principal, self string) ([]store.Article, error) {
	pub, err := s.store.Articles(r.Context(), store.ArticleFilter{State: store.Published})
	if err != nil {
		return nil, err
	}
	mine, err := s.store.Articles(r.Context(), store.ArticleFilter{Author: p.Member})
	if err != nil {
		return nil, err
	}
	var out []store.Article
	seen := map[string]bool{self: true}
	for _, a := range append(mine, pub...) {
		if !seen[a.ID] {
			seen[a.ID] = true
			out = append(out, a)
		}
	}
	return out, nil
}

func (s *Server) renderWrite(w http.ResponseWriter, r *http.Request, status int, p auth.Principal, v writeView) error {
	self := ""
	if v.Article != nil {
		self = v.Article.ID
	} else {
		mine, err := s.store.Articles(r.Context(), store.ArticleFilter{Author: p.Member})
		if err != nil {
			return err
		}
		v.Mine = mine
	}
	c, err := s.translationCandidates(r, p, self)
	if err != nil {
		return err
	}
	v.Candidates = c
	title := "news.write.title"
	if v.Article != nil {
		title = "news.edit.title"
	}
	return s.render(w, r, status, "article_edit.html", title, v)
}

func (s *Server) writePage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newsPrincipal(r)
	if err != nil {
		return err
	}
	f := newForm()
	f.Values["language"] = s.ui.pageLang(r)
	return s.renderWrite(w, r, http.StatusOK, p, writeView{Form: f})
}

// writeAgain shows the form of a new article filled with f (sendAgain).
func (s *Server) writeAgain(w http.ResponseWriter, r *http.Request, status int, f form) error {
	p, err := s.newsPrincipal(r)
	if err != nil {
		return err
	}
	return s.renderWrite(w, r, status, p, writeView{Form: f})
}

// editAgain shows the form of the article of the path filled with f
// (sendAgain), if the member may still change it.
func (s *Server) editAgain(w http.ResponseWriter, r *http.Request, status int, f form) error {
	p, a, err := s.changeable(r)
	if err != nil {
		return err
	}
	return s.renderWrite(w, r, status, p, writeView{Form: f, Article: a})
}

// articleForm reads the form of an article and says, in the page's
// language, what is wrong next to each field.
func (s *Server) articleForm(r *http.Request) form {
	f := newForm()
	for _, k := range []string{"title", "language", "body", "translation"} {
		f.Values[k] = r.PostFormValue(k)
	}
	lang := s.ui.pageLang(r)
	switch title := strings.TrimSpace(f.Values["title"]); {
	case title == "":
		f.Errors["title"] = s.ui.t(lang, "news.error.required")
	case utf8.RuneCountInString(title) > store.MaxArticleTitle:
		f.Errors["title"] = s.ui.t(lang, "news.error.long", store.MaxArticleTitle)
	}
	if !slices.Contains(store.NewsLanguages, f.Values["language"]) {
		f.Errors["language"] = s.ui.t(lang, "news.error.language")
	}
	switch body := f.Values["body"]; {
	case strings.TrimSpace(body) == "":
		f.Errors["body"] = s.ui.t(lang, "news.error.required")
	case len(body) > store.MaxArticleBody:
		f.Errors["body"] = s.ui.t(lang, "news.error.long", store.MaxArticleBody)
	}
	return f
}

// saveTranslation links a to the form's translation, putting what is
// wrong with it next to the field.
func (s *Server) saveTranslation(r *http.Request, p auth.Principal, a *store.Article, f *form) error {
	other := f.Values["translation"]
	if other == a.Translation {
		return nil
	}
	_, err := s.linkTranslation(r, p, a, other)
	if store.ErrorCode(err) == store.CodeInvalid {
		f.Errors["translation"] = s.ui.t(s.ui.pageLang(r), "news.error.translation")
		return nil
	}
	return err
}

func (s *Server) writePost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newsPrincipal(r)
	if err != nil {
		return err
	}
	f := s.articleForm(r)
	if len(f.Errors) > 0 {
		return s.renderWrite(w, r, http.StatusUnprocessableEntity, p, writeView{Form: f})
	}
	a, err := s.store.CreateArticle(r.Context(), store.Article{Author: p.Member, Language: f.Values["language"], Title: f.Values["title"], Body: f.Values["body"]})
	if err != nil {
		return err
	}
	if err := s.saveTranslation(r, p, a, &f); err != nil {
		return err
	}
	if len(f.Errors) > 0 {
		// The draft is kept; the form says what is wrong with the link.
		return s.renderWrite(w, r, http.StatusUnprocessableEntity, p, writeView{Form: f, Article: a})
	}
	http.Redirect(w, r, "/news/"+a.ID, http.StatusSeeOther)
	return nil
}

// changeable returns the reader of the request and the article of the
// path, if the reader may change it.
// Whoever may read an article but not change it is its author with the
// article in review, or anyone with it published: what stands in the
// way is its state (a conflict, not a refusal).
func (s *Server) changeable(r *http.Request) (auth.Principal, *store.Article, error) {
	p, err := s.newsPrincipal(r)
	if err != nil {
		return p, nil, err
	}
	a, err := s.readableArticle(r, p)
	if err != nil {
		return p, nil, err
	}
	if !mayChange(p, a) {
		return p, nil, store.ErrArticleNotDraft
	}
	return p, a, nil
}

func (s *Server) editPage(w http.ResponseWriter, r *http.Request) error {
	p, a, err := s.changeable(r)
	if err != nil {
		return err
	}
	f := newForm()
	f.Values["title"], f.Values["language"], f.Values["body"], f.Values["translation"] = a.Title, a.Language, a.Body, a.Translation
	return s.renderWrite(w, r, http.StatusOK, p, writeView{Form: f, Article: a})
}

func (s *Server) editPost(w http.ResponseWriter, r *http.Request) error {
	p, a, err := s.changeable(r)
	if err != nil {
		return err
	}
	f := s.articleForm(r)
	if len(f.Errors) == 0 {
		up := *a
		up.Title, up.Language, up.Body = f.Values["title"], f.Values["language"], f.Values["body"]
		if a, err = s.store.UpdateArticle(r.Context(), up); err != nil {
			return err
		}
		if err := s.saveTranslation(r, p, a, &f); err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		return s.renderWrite(w, r, http.StatusUnprocessableEntity, p, writeView{Form: f, Article: a})
	}
	http.Redirect(w, r, "/news/"+a.ID, http.StatusSeeOther)
	return nil
}

func (s *Server) statePost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newsPrincipal(r)
	if err != nil {
		return err
	}
	a, err := s.readableArticle(r, p)
	if err != nil {
		return err
	}
	to := r.PostFormValue("state")
	if to != string(store.Draft) && to != string(store.Review) && to != string(store.Published) {
		return store.Errorf(store.CodeInvalid, "state: %q is not one of draft, review, published", to)
	}
	if !store.CanMove(a.State, store.ArticleState(to)) {
		return store.ErrArticleTransition
	}
	if !slices.Contains(moves(p, a), to) {
		return errorf(store.CodeForbidden, msgForbidden)
	}
	if _, err := s.store.SetArticleState(r.Context(), a.ID, store.ArticleState(to)); err != nil {
		return err
	}
	http.Redirect(w, r, "/news/"+a.ID, http.StatusSeeOther)
	return nil
}

// deletePost deletes the article (see deleteArticle) and goes back to
// the writer's page, with the reader's own articles.
func (s *Server) deletePost(w http.ResponseWriter, r *http.Request) error {
	if err := s.removeArticle(r); err != nil {
		return err
	}
	http.Redirect(w, r, "/news/write", http.StatusSeeOther)
	return nil
}

// reviewView is what the editors' page shows.
type reviewView struct {
	Review    []store.Article
	Published []store.Article
	Form      form // the new edition's
}

func (reviewView) Date(t time.Time) string { return t.Format(time.DateOnly) }

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, status int, f form) error {
	rev, err := s.store.Articles(r.Context(), store.ArticleFilter{State: store.Review})
	if err != nil {
		return err
	}
	pub, err := s.store.Articles(r.Context(), store.ArticleFilter{State: store.Published})
	if err != nil {
		return err
	}
	return s.render(w, r, status, "news_review.html", "news.review.title", reviewView{Review: rev, Published: pub, Form: f})
}

func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request) error {
	f := newForm()
	f.Values["date"] = time.Now().UTC().Format(time.DateOnly)
	if es, err := s.store.Editions(r.Context()); err == nil && len(es) > 0 {
		f.Values["number"] = strconv.Itoa(es[0].Number + 1)
	} else {
		f.Values["number"] = "1"
	}
	return s.renderReview(w, r, http.StatusOK, f)
}

// editionsView is what the list of editions shows.
type editionsView struct {
	Editions []store.Edition
	Editor   bool
}

func (s *Server) editionsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newsPrincipal(r)
	if err != nil {
		return err
	}
	es, err := s.store.Editions(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "editions.html", "news.editions.title", editionsView{Editions: es, Editor: mayEdit(p)})
}

// editionPost makes an edition from the review page's form: a number, a
// date, a title, and for each published article an optional place in
// the edition ("order.ID"); those with a place are in it, in order.
func (s *Server) editionPost(w http.ResponseWriter, r *http.Request) error {
	lang := s.ui.pageLang(r)
	f := newForm()
	for _, k := range []string{"number", "date", "title"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	n, err := strconv.Atoi(f.Values["number"])
	if err != nil || n < 1 {
		f.Errors["number"] = s.ui.t(lang, "news.error.number")
	}
	if _, err := time.Parse(time.DateOnly, f.Values["date"]); err != nil {
		f.Errors["date"] = s.ui.t(lang, "news.error.date")
	}
	if f.Values["title"] == "" {
		f.Errors["title"] = s.ui.t(lang, "news.error.required")
	}
	type placed struct {
		id  string
		pos int
	}
	var chosen []placed
	if err := r.ParseForm(); err != nil {
		return err
	}
	for k, vs := range r.PostForm {
		id, ok := strings.CutPrefix(k, "order.")
		if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			continue
		}
		f.Values[k] = strings.TrimSpace(vs[0])
		pos, err := strconv.Atoi(f.Values[k])
		if err != nil || pos < 1 {
			f.Errors["articles"] = s.ui.t(lang, "news.error.order")
			continue
		}
		chosen = append(chosen, placed{id, pos})
	}
	if len(chosen) == 0 && f.Errors["articles"] == "" {
		f.Errors["articles"] = s.ui.t(lang, "news.error.noarticles")
	}
	if len(f.Errors) > 0 {
		return s.renderReview(w, r, http.StatusUnprocessableEntity, f)
	}
	slices.SortStableFunc(chosen, func(a, b placed) int { return cmp.Or(cmp.Compare(a.pos, b.pos), strings.Compare(a.id, b.id)) })
	e := store.Edition{Number: n, Date: f.Values["date"], Title: f.Values["title"]}
	for _, c := range chosen {
		e.Articles = append(e.Articles, c.id)
	}
	made, err := s.store.CreateEdition(r.Context(), e)
	switch store.ErrorCode(err) {
	case "":
	case store.CodeConflict:
		f.Errors["number"] = s.ui.t(lang, "news.error.numberused")
		return s.renderReview(w, r, http.StatusUnprocessableEntity, f)
	case store.CodeInvalid:
		f.Errors["articles"] = s.ui.t(lang, "news.error.order")
		return s.renderReview(w, r, http.StatusUnprocessableEntity, f)
	default:
		return err
	}
	http.Redirect(w, r, "/news/editions/"+made.ID+"/print", http.StatusSeeOther)
	return nil
}

// printView is an edition laid out for paper: the articles in the
// reader's language first, in the edition's order, then those in the
// other language, from a new page.
type printView struct {
	Edition  *editionView
	Sections []printSection
}

type printSection struct {
	Lang     string
	Articles []store.Article
}

// HTML renders an article of the edition.
func (printView) HTML(a store.Article) template.HTML { return renderArticle(a.Body) }

func (s *Server) printPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadEdition(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	lang := s.ui.pageLang(r)
	order := []string{lang}
	for _, l := range store.NewsLanguages {
		if l != lang {
			order = append(order, l)
		}
	}
	pv := printView{Edition: v}
	for _, l := range order {
		sec := printSection{Lang: l}
		for _, a := range v.Articles {
			if a.Language == l {
				sec.Articles = append(sec.Articles, a)
			}
		}
		if len(sec.Articles) > 0 {
			pv.Sections = append(pv.Sections, sec)
		}
	}
	return s.render(w, r, http.StatusOK, "edition_print.html", "news.print.title", pv)
}
