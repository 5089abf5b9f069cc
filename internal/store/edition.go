package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Edition is an issue of the newspaper: a number, a date, a title and
// an ordered list of published articles, in either language.
type Edition struct {
	ID       string
	Number   int
	Title    string
	Date     string   // YYYY-MM-DD
	Articles []string // article ids, in the order they are printed
	Created  time.Time
}

// MaxEditionArticles bounds an edition, which is printed on paper.
const MaxEditionArticles = 100

func checkEdition(e *Edition) error {
	e.Title = strings.TrimSpace(e.Title)
	switch {
	case e.Number < 1:
		return Errorf(CodeInvalid, "number: must be > 0")
	case e.Title == "":
		return Errorf(CodeInvalid, "title: required")
	case utf8.RuneCountInString(e.Title) > MaxArticleTitle:
		return Errorf(CodeInvalid, "title: longer than %d characters", MaxArticleTitle)
	case len(e.Articles) > MaxEditionArticles:
		return Errorf(CodeInvalid, "articles: more than %d", MaxEditionArticles)
	}
	if _, err := time.Parse(time.DateOnly, e.Date); err != nil {
		return Errorf(CodeInvalid, "date: want YYYY-MM-DD, got %q", e.Date)
	}
	seen := map[string]bool{}
	for i, a := range e.Articles {
		if seen[a] {
			return Errorf(CodeInvalid, "articles[%d]: %q is listed twice", i, a)
		}
		seen[a] = true
	}
	return nil
}

// putEditionArticles replaces the articles of edition id by those of
// list, each of which must be published.
func putEditionArticles(ctx context.Context, tx *sql.Tx, id string, list []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM edition_articles WHERE edition_id = $1`, id); err != nil {
		return fmt.Errorf("store: edition articles: %w", err)
	}
	for i, a := range list {
		var state ArticleState
		err := tx.QueryRowContext(ctx, `SELECT state FROM articles WHERE id = $1`, a).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeInvalid, "articles[%d]: article %q not found", i, a)
		}
		if err != nil {
			return fmt.Errorf("store: edition articles: %w", err)
		}
		if state != Published {
			return Errorf(CodeInvalid, "articles[%d]: article %q is not published", i, a)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO edition_articles (edition_id, article_id, pos) VALUES ($1, $2, $3)`, id, a, i); err != nil {
			return fmt.Errorf("store: edition articles: %w", err)
		}
	}
	return nil
}

// CreateEdition stores a new edition; its number must be unused and its
// articles published.
func (s *Store) CreateEdition(ctx context.Context, e Edition) (*Edition, error) {
	if err := checkEdition(&e); err != nil {
		return nil, err
	}
	e.ID = newID("e-")
	e.Created = s.now().UTC().Truncate(time.Second)
	err := s.write(ctx, "create edition", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO editions (id, number, title, date, created_at) VALUES ($1, $2, $3, $4, $5)`,
			e.ID, e.Number, e.Title, e.Date, e.Created.Unix())
		if isUnique(err) {
			return Errorf(CodeConflict, "number: edition %d exists", e.Number)
		}
		if err != nil {
			return fmt.Errorf("store: create edition: %w", err)
		}
		return putEditionArticles(ctx, tx, e.ID, e.Articles)
	})
	if err != nil {
		return nil, err
	}
	return s.Edition(ctx, e.ID)
}

// UpdateEdition replaces the number, title, date and articles of the
// edition e.ID.
func (s *Store) UpdateEdition(ctx context.Context, e Edition) (*Edition, error) {
	if err := checkEdition(&e); err != nil {
		return nil, err
	}
	err := s.write(ctx, "update edition", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE editions SET number = $1, title = $2, date = $3 WHERE id = $4`,
			e.Number, e.Title, e.Date, e.ID)
		if isUnique(err) {
			return Errorf(CodeConflict, "number: edition %d exists", e.Number)
		}
		if err != nil {
			return fmt.Errorf("store: update edition: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Errorf(CodeNotFound, "edition %q not found", e.ID)
		}
		return putEditionArticles(ctx, tx, e.ID, e.Articles)
	})
	if err != nil {
		return nil, err
	}
	return s.Edition(ctx, e.ID)
}

// Edition returns the edition of id with its articles in order.
func (s *Store) Edition(ctx context.Context, id string) (*Edition, error) {
	var e Edition
	err := s.snapshot(ctx, "edition", func(tx *sql.Tx) error {
		var created int64
		err := tx.QueryRowContext(ctx, `SELECT id, number, title, date, created_at FROM editions WHERE id = $1`, id).
			Scan(&e.ID, &e.Number, &e.Title, &e.Date, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "edition %q not found", id)
		}
		if err != nil {
			return fmt.Errorf("store: edition %q: %w", id, err)
		}
		e.Created = time.Unix(created, 0).UTC()
		rows, err := tx.QueryContext(ctx, `SELECT article_id FROM edition_articles WHERE edition_id = $1 ORDER BY pos`, id)
		if err != nil {
			return fmt.Errorf("store: edition %q: %w", id, err)
		}
		defer rows.Close()
		e.Articles = []string{}
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				return fmt.Errorf("store: edition %q: %w", id, err)
			}
			e.Articles = append(e.Articles, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// Editions returns every edition, newest number first, without their
// articles.
func (s *Store) Editions(ctx context.Context) ([]Edition, error) {
	var out []Edition
	err := s.snapshot(ctx, "list editions", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, number, title, date, created_at FROM editions ORDER BY number DESC`)
		if err != nil {
			return fmt.Errorf("store: list editions: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e Edition
			var created int64
			if err := rows.Scan(&e.ID, &e.Number, &e.Title, &e.Date, &created); err != nil {
				return fmt.Errorf("store: list editions: %w", err)
			}
			e.Created = time.Unix(created, 0).UTC()
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
