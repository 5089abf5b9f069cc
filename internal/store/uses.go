package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// InUseError says what still refers to a site, product or skill that was
// to be deleted, or to a product that was to become a service while
// stocked. It is the Err of an Error with CodeConflict, so that the web
// layer can say it in the caller's language. Nothing is deleted in
// cascade: whoever deletes is told what to change first.
//
// Needs and commitments are counted, not named: they are people's.
type InUseError struct {
	What string // "site", "product", "skill"
	ID   string
	// Field is "kind" when a product cannot become a service because it
	// is stocked; "" for a deletion.
	Field       string
	Recipes     []string // ids of the recipes that use it
	Stocks      []string // a site's stocks: their products; a product's: their sites
	Needs       int
	Commitments int
}

func (e *InUseError) Error() string {
	var uses []string
	if len(e.Recipes) > 0 {
		uses = append(uses, "recipes "+strings.Join(e.Recipes, ", "))
	}
	if len(e.Stocks) > 0 {
		uses = append(uses, "stocks ("+strings.Join(e.Stocks, ", ")+")")
	}
	if e.Needs > 0 {
		uses = append(uses, fmt.Sprintf("%d needs", e.Needs))
	}
	if e.Commitments > 0 {
		uses = append(uses, fmt.Sprintf("%d commitments", e.Commitments))
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s %q is stocked (%s): a service cannot be stocked", e.Field, e.What, e.ID, strings.Join(uses, "; "))
	}
	return fmt.Sprintf("%s %q is still used by %s", e.What, e.ID, strings.Join(uses, "; "))
}

// inUse returns the conflict of e if anything uses its thing, else nil.
func (e *InUseError) err() error {
	if len(e.Recipes) == 0 && len(e.Stocks) == 0 && e.Needs == 0 && e.Commitments == 0 {
		return nil
	}
	return &Error{Code: CodeConflict, Err: e}
}

// column reads the first column of a query's rows.
func column(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// countRows reads a COUNT(*).
func countRows(ctx context.Context, tx *sql.Tx, query string, args ...any) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// siteUses is what refers to a site.
func siteUses(ctx context.Context, tx *sql.Tx, id string) (*InUseError, error) {
	e := &InUseError{What: "site", ID: id}
	var err error
	if e.Recipes, err = column(ctx, tx, `SELECT id FROM recipes WHERE site_id = $1 ORDER BY pos, id`, id); err != nil {
		return nil, err
	}
	if e.Stocks, err = column(ctx, tx, `SELECT product_id FROM stocks WHERE site_id = $1 ORDER BY pos, product_id`, id); err != nil {
		return nil, err
	}
	if e.Needs, err = countRows(ctx, tx, `SELECT COUNT(*) FROM needs WHERE site_id = $1`, id); err != nil {
		return nil, err
	}
	return e, nil
}

// productUses is what refers to a product.
func productUses(ctx context.Context, tx *sql.Tx, id string) (*InUseError, error) {
	e := &InUseError{What: "product", ID: id}
	var err error
	if e.Recipes, err = column(ctx, tx, `SELECT id FROM recipes WHERE id IN (
SELECT recipe_id FROM recipe_outputs WHERE product_id = $1
UNION SELECT recipe_id FROM recipe_inputs WHERE product_id = $1) ORDER BY pos, id`, id); err != nil {
		return nil, err
	}
	if e.Stocks, err = column(ctx, tx, `SELECT site_id FROM stocks WHERE product_id = $1 ORDER BY pos, site_id`, id); err != nil {
		return nil, err
	}
	if e.Needs, err = countRows(ctx, tx, `SELECT COUNT(*) FROM needs WHERE product_id = $1`, id); err != nil {
		return nil, err
	}
	return e, nil
}

// skillUses is what refers to a skill.
func skillUses(ctx context.Context, tx *sql.Tx, id string) (*InUseError, error) {
	e := &InUseError{What: "skill", ID: id}
	var err error
	if e.Recipes, err = column(ctx, tx, `SELECT id FROM recipes WHERE id IN (
SELECT recipe_id FROM recipe_labor WHERE skill_id = $1) ORDER BY pos, id`, id); err != nil {
		return nil, err
	}
	if e.Commitments, err = countRows(ctx, tx, `SELECT COUNT(*) FROM commitment_skills WHERE skill_id = $1`, id); err != nil {
		return nil, err
	}
	return e, nil
}

// noNUL refuses a text with a NUL character, which PostgreSQL's text
// cannot hold (checkNUL in world.go does the same for whole worlds).
func noNUL(fields map[string]string) error {
	for f, s := range fields {
		if strings.IndexByte(s, 0) >= 0 {
			return Errorf(CodeInvalid, "%s: holds a NUL character", f)
		}
	}
	return nil
}
