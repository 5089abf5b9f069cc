package web

import (
	"context"
	"fmt"
	"testing"

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

var _ = testing.Short
