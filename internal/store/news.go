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

// The newspaper: articles written in Markdown by members and signed with
// their alias, in Spanish or English, each possibly linked to its
// translation; editors (members an organizer named) publish them; an
// edition is an ordered set of published articles with a number, a date
// and a title. Who may do what is the web layer's to ask auth.Allow; the
// store keeps the states and the links consistent.

// ArticleState is where an article is on its way to readers.
type ArticleState string

const (
	Draft     ArticleState = "draft"     // its author writes it
	Review    ArticleState = "review"    // waiting for an editor
	Published ArticleState = "published" // readers see it
)

// Bounds of an article, so that a paste of a whole book is refused.
const (
	MaxArticleTitle = 200
	MaxArticleBody  = 100_000
)

// NewsLanguages are the languages articles are written in.
var NewsLanguages = []string{"en", "es"}

// Article is an article as the store keeps it.
type Article struct {
	ID       string
	Author   string // the member id of the author
	Alias    string // the author's alias, as it is now
	Language string
	Title    string
	Body     string // Markdown
	State    ArticleState
	// Translation is the id of the same article in the other
	// language, "" if none.
	Translation string
	Created     time.Time
	Updated     time.Time
	// Published is when it was first published; zero before.
	Published time.Time
}

// The reasons a change of an article is refused: conflicts with its
// state, values so that the web layer can say them in the reader's
// language.
var (
	ErrArticleTransition = &Error{Code: CodeConflict, Message: "the article cannot move to this state from its current one"}
	ErrArticleInEdition  = &Error{Code: CodeConflict, Message: "the article is in an edition; take it out first"}
	ErrArticleNotDraft   = &Error{Code: CodeConflict, Message: "only a draft or an article in review can be changed"}
)

// checkArticle checks the fields a writer types.
func checkArticle(a *Article) error {
	a.Title = strings.TrimSpace(a.Title)
	switch {
	case a.Title == "":
		return Errorf(CodeInvalid, "title: required")
	case utf8.RuneCountInString(a.Title) > MaxArticleTitle:
		return Errorf(CodeInvalid, "title: longer than %d characters", MaxArticleTitle)
	case strings.TrimSpace(a.Body) == "":
		return Errorf(CodeInvalid, "body: required")
	case len(a.Body) > MaxArticleBody:
		return Errorf(CodeInvalid, "body: longer than %d bytes", MaxArticleBody)
	case !utf8.ValidString(a.Title) || !utf8.ValidString(a.Body):
		return Errorf(CodeInvalid, "body: not UTF-8")
	case a.Language != "en" && a.Language != "es":
		return Errorf(CodeInvalid, "language: %q is not one of en, es", a.Language)
	}
	return nil
}

// CreateArticle stores a new draft by a.Author with a.Language, a.Title
// and a.Body, and returns it as stored.
func (s *Store) CreateArticle(ctx context.Context, a Article) (*Article, error) {
	if err := checkArticle(&a); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	a.ID, a.State, a.Created, a.Updated, a.Translation, a.Published = newID("a-"), Draft, now, now, "", time.Time{}
	err := s.write(ctx, "create article", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, a.Author, "member"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO articles
	(id, author_id, language, title, body, state, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.ID, a.Author, a.Language, a.Title, a.Body, string(Draft), now.Unix(), now.Unix())
		if err != nil {
			return fmt.Errorf("store: create article: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Article(ctx, a.ID)
}

const articleColumns = `a.id, a.author_id, m.alias, a.language, a.title, a.body, a.state,
	a.translation_id, a.created_at, a.updated_at, a.published_at`

const articleFrom = ` FROM articles a JOIN members m ON m.id = a.author_id`

func scanArticle(scan func(...any) error) (Article, error) {
	var a Article
	var tr sql.NullString
	var created, updated int64
	var published sql.NullInt64
	err := scan(&a.ID, &a.Author, &a.Alias, &a.Language, &a.Title, &a.Body, &a.State, &tr, &created, &updated, &published)
	a.Translation = tr.String
	a.Created, a.Updated = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	if published.Valid {
		a.Published = time.Unix(published.Int64, 0).UTC()
	}
	return a, err
}

// Article returns the article of id, in whatever state.
func (s *Store) Article(ctx context.Context, id string) (*Article, error) {
	var a Article
	err := s.snapshot(ctx, "article", func(tx *sql.Tx) error {
		var err error
		a, err = scanArticle(tx.QueryRowContext(ctx, `SELECT `+articleColumns+articleFrom+` WHERE a.id = $1`, id).Scan)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "article %q not found", id)
		}
		if err != nil {
			return fmt.Errorf("store: article %q: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// ArticleFilter says which articles Articles lists; empty fields match
// all.
type ArticleFilter struct {
	State    ArticleState
	Language string
	Author   string
	Limit    int // 0: 100
}

// Articles returns the articles that match f: published ones newest
// publication first, the others most recently changed first.
func (s *Store) Articles(ctx context.Context, f ArticleFilter) ([]Article, error) {
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return nil, err
	}
	var out []Article
	err = s.snapshot(ctx, "list articles", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+articleColumns+articleFrom+`
WHERE ($1 = '' OR a.state = $1) AND ($2 = '' OR a.language = $2) AND ($3 = '' OR a.author_id = $3)
ORDER BY COALESCE(a.published_at, 0) DESC, a.updated_at DESC, a.id LIMIT $4`, string(f.State), f.Language, f.Author, limit)
		if err != nil {
			return fmt.Errorf("store: list articles: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanArticle(rows.Scan)
			if err != nil {
				return fmt.Errorf("store: list articles: %w", err)
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// UpdateArticle replaces the title, body and language of a draft or an
// article in review. An article whose language changes loses its
// translation link (a translation is in the other language).
func (s *Store) UpdateArticle(ctx context.Context, a Article) (*Article, error) {
	if err := checkArticle(&a); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	err := s.write(ctx, "update article", func(tx *sql.Tx) error {
		var state ArticleState
		var lang string
		err := tx.QueryRowContext(ctx, `SELECT state, language FROM articles WHERE id = $1`, a.ID).Scan(&state, &lang)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "article %q not found", a.ID)
		}
		if err != nil {
			return fmt.Errorf("store: update article: %w", err)
		}
		if state == Published {
			return ErrArticleNotDraft
		}
		if lang != a.Language {
			if err := unlinkArticle(ctx, tx, a.ID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE articles SET title = $1, body = $2, language = $3, updated_at = $4 WHERE id = $5`,
			a.Title, a.Body, a.Language, now.Unix(), a.ID)
		if err != nil {
			return fmt.Errorf("store: update article: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Article(ctx, a.ID)
}

// CanMove reports whether an article may go from one state to another:
// draft to review, review to published, and back to draft from either.
func CanMove(from, to ArticleState) bool {
	switch {
	case from == Draft && to == Review, from == Review && to == Published:
		return true
	case to == Draft && (from == Review || from == Published):
		return true
	}
	return false
}

// SetArticleState moves an article to state to, if CanMove allows it
// from the state it is in. The first publication sets Published. A
// published article in an edition cannot go back to draft.
func (s *Store) SetArticleState(ctx context.Context, id string, to ArticleState) (*Article, error) {
	now := s.now().UTC().Truncate(time.Second)
	err := s.write(ctx, "set article state", func(tx *sql.Tx) error {
		var from ArticleState
		err := tx.QueryRowContext(ctx, `SELECT state FROM articles WHERE id = $1`, id).Scan(&from)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "article %q not found", id)
		}
		if err != nil {
			return fmt.Errorf("store: set article state: %w", err)
		}
		if !CanMove(from, to) {
			return ErrArticleTransition
		}
		if from == Published {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM edition_articles WHERE article_id = $1 LIMIT 1`, id).Scan(&one)
			if err == nil {
				return ErrArticleInEdition
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: set article state: %w", err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE articles SET state = $1, updated_at = $2,
	published_at = CASE WHEN $1 = 'published' AND published_at IS NULL THEN $2 ELSE published_at END
WHERE id = $3`, string(to), now.Unix(), id)
		if err != nil {
			return fmt.Errorf("store: set article state: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Article(ctx, id)
}

// DeleteArticle deletes an article for good; its translation, if any,
// loses the link. An article in an edition is part of the paper's record
// and is not deleted (ErrArticleInEdition); whether the reader may
// delete it at all is the caller's to say.
func (s *Store) DeleteArticle(ctx context.Context, id string) error {
	return s.write(ctx, "delete article", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM articles WHERE id = $1`, id, "article"); err != nil {
			return err
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM edition_articles WHERE article_id = $1 LIMIT 1`, id).Scan(&one)
		if err == nil {
			return ErrArticleInEdition
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: delete article %q: %w", id, err)
		}
		if err := unlinkArticle(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = $1`, id); err != nil {
			return fmt.Errorf("store: delete article %q: %w", id, err)
		}
		return nil
	})
}

// unlinkArticle removes the translation link of id, on both sides.
func unlinkArticle(ctx context.Context, tx *sql.Tx, id string) error {
	_, err := tx.ExecContext(ctx, `UPDATE articles SET translation_id = NULL WHERE id = $1 OR translation_id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: unlink article: %w", err)
	}
	return nil
}

// LinkTranslation makes other the translation of id and id the
// translation of other; an empty other removes id's link. Both must
// exist and be in different languages; the links they had before go.
func (s *Store) LinkTranslation(ctx context.Context, id, other string) error {
	return s.write(ctx, "link translation", func(tx *sql.Tx) error {
		var lang string
		err := tx.QueryRowContext(ctx, `SELECT language FROM articles WHERE id = $1`, id).Scan(&lang)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "article %q not found", id)
		}
		if err != nil {
			return fmt.Errorf("store: link translation: %w", err)
		}
		if other == "" {
			return unlinkArticle(ctx, tx, id)
		}
		var otherLang string
		err = tx.QueryRowContext(ctx, `SELECT language FROM articles WHERE id = $1`, other).Scan(&otherLang)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeInvalid, "translation: article %q not found", other)
		}
		if err != nil {
			return fmt.Errorf("store: link translation: %w", err)
		}
		if otherLang == lang {
			return Errorf(CodeInvalid, "translation: article %q is in the same language", other)
		}
		if err := unlinkArticle(ctx, tx, id); err != nil {
			return err
		}
		if err := unlinkArticle(ctx, tx, other); err != nil {
			return err
		}
		for _, pair := range [][2]string{{id, other}, {other, id}} {
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET translation_id = $1 WHERE id = $2`, pair[1], pair[0]); err != nil {
				return fmt.Errorf("store: link translation: %w", err)
			}
		}
		return nil
	})
}

// SetEditor makes member an editor (on) or not.
func (s *Store) SetEditor(ctx context.Context, member string, on bool) error {
	return s.write(ctx, "set editor", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, member, "member"); err != nil {
			return err
		}
		var err error
		if on {
			_, err = tx.ExecContext(ctx, `INSERT INTO editors (member_id) VALUES ($1) ON CONFLICT (member_id) DO NOTHING`, member)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM editors WHERE member_id = $1`, member)
		}
		if err != nil {
			return fmt.Errorf("store: set editor: %w", err)
		}
		return nil
	})
}

// IsEditor reports whether member is an editor.
func (s *Store) IsEditor(ctx context.Context, member string) (bool, error) {
	var is bool
	err := s.snapshot(ctx, "is editor", func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM editors WHERE member_id = $1)`, member).Scan(&is)
	})
	if err != nil {
		return false, fmt.Errorf("store: is editor: %w", err)
	}
	return is, nil
}

// Editor is a member who is an editor.
type Editor struct {
	Member string
	Alias  string
}

// Editors returns the editors in order of alias.
func (s *Store) Editors(ctx context.Context) ([]Editor, error) {
	var out []Editor
	err := s.snapshot(ctx, "list editors", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT m.id, m.alias FROM editors e JOIN members m ON m.id = e.member_id ORDER BY m.alias`)
		if err != nil {
			return fmt.Errorf("store: list editors: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e Editor
			if err := rows.Scan(&e.Member, &e.Alias); err != nil {
				return fmt.Errorf("store: list editors: %w", err)
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
