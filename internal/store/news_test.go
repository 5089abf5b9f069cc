package store

import (
	"context"
	"slices"
	"testing"
)

// testNews: articles from draft to published and back, the symmetric
// translation link, editors, and what goes with an erased author.
func testNews(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	author, err := s.CreateMember(ctx, Member{Alias: "pluma", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	es, err := s.CreateArticle(ctx, Article{Author: author.ID, Language: "es", Title: " ¡Primero de Mayo! ", Body: "Todas *juntas*."})
	if err != nil {
		t.Fatalf("CreateArticle: %v", err)
	}
	if es.State != Draft || es.Alias != "pluma" || es.Title != "¡Primero de Mayo!" || !es.Published.IsZero() {
		t.Errorf("created: got %+v, want a draft signed pluma with the title trimmed", es)
	}
	en, err := s.CreateArticle(ctx, Article{Author: author.ID, Language: "en", Title: "May Day!", Body: "All *together*."})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Article{
		{Author: author.ID, Language: "fr", Title: "x", Body: "x"},
		{Author: author.ID, Language: "en", Title: " ", Body: "x"},
		{Author: author.ID, Language: "en", Title: "x", Body: "  "},
	} {
		_, err := s.CreateArticle(ctx, bad)
		wantCode(t, "CreateArticle "+bad.Language+bad.Title, err, CodeInvalid)
	}
	_, err = s.CreateArticle(ctx, Article{Author: "m-nobody", Language: "en", Title: "x", Body: "x"})
	wantCode(t, "CreateArticle by nobody", err, CodeNotFound)

	// The link is symmetric, one to one, and across languages only.
	if err := s.LinkTranslation(ctx, es.ID, en.ID); err != nil {
		t.Fatalf("LinkTranslation: %v", err)
	}
	for id, want := range map[string]string{es.ID: en.ID, en.ID: es.ID} {
		a, err := s.Article(ctx, id)
		if err != nil || a.Translation != want {
			t.Errorf("Article(%s).Translation: got %+v, %v, want %s", id, a, err, want)
		}
	}
	other, err := s.CreateArticle(ctx, Article{Author: author.ID, Language: "es", Title: "Otra", Body: "otra"})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, "link same language", s.LinkTranslation(ctx, other.ID, es.ID), CodeInvalid)
	wantCode(t, "link missing", s.LinkTranslation(ctx, other.ID, "a-missing"), CodeInvalid)
	if err := s.LinkTranslation(ctx, other.ID, en.ID); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Article(ctx, es.ID); a.Translation != "" {
		t.Errorf("after en is relinked to other, es still links to %q", a.Translation)
	}
	if err := s.LinkTranslation(ctx, es.ID, en.ID); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Article(ctx, other.ID); a.Translation != "" {
		t.Errorf("after relinking, other still links to %q", a.Translation)
	}

	// States.
	for _, step := range []struct {
		to   ArticleState
		code Code
	}{
		{Published, CodeConflict}, // a draft is not published without review
		{Review, ""},
		{Review, CodeConflict},
		{Published, ""},
		{Review, CodeConflict},
	} {
		_, err := s.SetArticleState(ctx, es.ID, step.to)
		wantCode(t, "es to "+string(step.to), err, step.code)
	}
	a, _ := s.Article(ctx, es.ID)
	if a.State != Published || a.Published.IsZero() {
		t.Errorf("published: got %+v", a)
	}
	_, err = s.UpdateArticle(ctx, Article{ID: es.ID, Language: "es", Title: "Cambio", Body: "cambio"})
	wantCode(t, "UpdateArticle of a published article", err, CodeConflict)
	for _, to := range []ArticleState{Review, Published} {
		if _, err := s.SetArticleState(ctx, en.ID, to); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := s.Articles(ctx, ArticleFilter{State: Published, Language: "en"})
	if err != nil || len(pub) != 1 || pub[0].ID != en.ID {
		t.Errorf("Articles(published, en): got %v, %v, want [%s]", pub, err, en.ID)
	}
	drafts, err := s.Articles(ctx, ArticleFilter{State: Draft, Author: author.ID})
	if err != nil || len(drafts) != 1 || drafts[0].ID != other.ID {
		t.Errorf("Articles(draft, author): got %v, %v, want [%s]", drafts, err, other.ID)
	}

	// Changing language unlinks.
	if _, err := s.SetArticleState(ctx, en.ID, Draft); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateArticle(ctx, Article{ID: en.ID, Language: "es", Title: "Ahora en español", Body: "sí"}); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Article(ctx, es.ID); a.Translation != "" {
		t.Errorf("after en became es, es still links to %q", a.Translation)
	}

	// Editors.
	if ok, err := s.IsEditor(ctx, author.ID); ok || err != nil {
		t.Errorf("IsEditor before: got %v, %v", ok, err)
	}
	for range 2 {
		if err := s.SetEditor(ctx, author.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	eds, err := s.Editors(ctx)
	if ok, _ := s.IsEditor(ctx, author.ID); !ok || err != nil || len(eds) != 1 || eds[0].Alias != "pluma" {
		t.Errorf("editors: got %v, %v, %v", ok, eds, err)
	}
	if err := s.SetEditor(ctx, author.ID, false); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.IsEditor(ctx, author.ID); ok {
		t.Error("IsEditor after removal: true")
	}
	wantCode(t, "SetEditor of nobody", s.SetEditor(ctx, "m-nobody", true), CodeNotFound)

	// An erased author takes their articles with them.
	if err := s.DeleteMember(ctx, author.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Article(ctx, es.ID)
	wantCode(t, "article of an erased author", err, CodeNotFound)
}

// testEditions: an ordered set of published articles; an article in an
// edition stays published.
func testEditions(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	m, err := s.CreateMember(ctx, Member{Alias: "tinta", Language: "en", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, lang := range []string{"en", "es", "en"} {
		a, err := s.CreateArticle(ctx, Article{Author: m.ID, Language: lang, Title: "T" + lang, Body: "b"})
		if err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			for _, to := range []ArticleState{Review, Published} {
				if _, err := s.SetArticleState(ctx, a.ID, to); err != nil {
					t.Fatal(err)
				}
			}
		}
		ids = append(ids, a.ID)
	}
	e, err := s.CreateEdition(ctx, Edition{Number: 1, Title: "May Day", Date: "2027-05-01", Articles: []string{ids[1], ids[0]}})
	if err != nil {
		t.Fatalf("CreateEdition: %v", err)
	}
	got, err := s.Edition(ctx, e.ID)
	if err != nil || !slices.Equal(got.Articles, []string{ids[1], ids[0]}) || got.Number != 1 || got.Date != "2027-05-01" {
		t.Errorf("Edition: got %+v, %v", got, err)
	}
	for name, bad := range map[string]Edition{
		"draft article": {Number: 2, Title: "x", Date: "2027-05-02", Articles: []string{ids[2]}},
		"missing":       {Number: 2, Title: "x", Date: "2027-05-02", Articles: []string{"a-missing"}},
		"twice":         {Number: 2, Title: "x", Date: "2027-05-02", Articles: []string{ids[0], ids[0]}},
		"date":          {Number: 2, Title: "x", Date: "May 2"},
		"number":        {Number: 0, Title: "x", Date: "2027-05-02"},
	} {
		_, err := s.CreateEdition(ctx, bad)
		wantCode(t, "CreateEdition "+name, err, CodeInvalid)
	}
	_, err = s.CreateEdition(ctx, Edition{Number: 1, Title: "again", Date: "2027-05-02"})
	wantCode(t, "CreateEdition with a used number", err, CodeConflict)
	_, err = s.SetArticleState(ctx, ids[0], Draft)
	wantCode(t, "unpublish an article in an edition", err, CodeConflict)

	up, err := s.UpdateEdition(ctx, Edition{ID: e.ID, Number: 3, Title: "Primero de Mayo", Date: "2027-05-01", Articles: []string{ids[0]}})
	if err != nil || up.Number != 3 || !slices.Equal(up.Articles, []string{ids[0]}) {
		t.Errorf("UpdateEdition: got %+v, %v", up, err)
	}
	if _, err := s.SetArticleState(ctx, ids[1], Draft); err != nil {
		t.Errorf("unpublish an article taken out of the edition: %v", err)
	}
	_, err = s.UpdateEdition(ctx, Edition{ID: "e-missing", Number: 4, Title: "x", Date: "2027-05-01"})
	wantCode(t, "UpdateEdition of a missing edition", err, CodeNotFound)
	list, err := s.Editions(ctx)
	if err != nil || len(list) != 1 || list[0].Title != "Primero de Mayo" {
		t.Errorf("Editions: got %+v, %v", list, err)
	}
}
