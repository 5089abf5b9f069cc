package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/commune-org/commune/internal/world"
)

// The organizers' changes to the catalog, one skill or product at a
// time, beside PutWorld, which replaces everything. Each is checked by
// the rules of a world file (world.CheckSkill, world.CheckProduct) and
// applied in one transaction, so that the world the store builds stays
// valid: a product stocked somewhere does not become a service, and
// nothing that a recipe, stock, need or commitment names is deleted.
//
// A new skill or product goes after the others in the world's order; an
// edited one keeps its place.

// invalidElement is the error of an element that breaks rules of a
// world: CodeInvalid, with the world.Errors (paths relative to the
// element) as its Err.
func invalidElement(what string, err error) error {
	return &Error{Code: CodeInvalid, Message: what, Err: err}
}

func namesNUL(n world.Names) map[string]string {
	m := map[string]string{}
	for k, v := range n {
		m["name."+k] = k + v
	}
	return m
}

// PutSkill creates or replaces the skill with sk's id, and reports
// whether it was created.
func (s *Store) PutSkill(ctx context.Context, sk world.Skill) (created bool, err error) {
	if err := world.CheckSkill(sk); err != nil {
		return false, invalidElement("skill", err)
	}
	nul := namesNUL(sk.Name)
	nul["id"] = sk.ID
	if err := noNUL(nul); err != nil {
		return false, err
	}
	name, err := json.Marshal(sk.Name)
	if err != nil {
		return false, fmt.Errorf("store: put skill %q: %w", sk.ID, err)
	}
	err = s.write(ctx, "put skill", func(tx *sql.Tx) error {
		n, err := countRows(ctx, tx, `SELECT COUNT(*) FROM skills WHERE id = $1`, sk.ID)
		if err != nil {
			return fmt.Errorf("store: put skill %q: %w", sk.ID, err)
		}
		created = n == 0
		_, err = tx.ExecContext(ctx, `INSERT INTO skills (id, pos, name)
VALUES ($1, (SELECT COALESCE(MAX(pos) + 1, 0) FROM skills), $2)
ON CONFLICT (id) DO UPDATE SET name = excluded.name`, sk.ID, string(name))
		if err != nil {
			return fmt.Errorf("store: put skill %q: %w", sk.ID, err)
		}
		return nil
	})
	return created, err
}

// PutProduct creates or replaces the product with p's id, and reports
// whether it was created. A product that is stocked at a site cannot
// become a service (a service cannot be stored): that is a conflict.
func (s *Store) PutProduct(ctx context.Context, p world.Product) (created bool, err error) {
	if err := world.CheckProduct(p); err != nil {
		return false, invalidElement("product", err)
	}
	nul := namesNUL(p.Name)
	nul["id"], nul["unit"], nul["kind"] = p.ID, p.Unit, string(p.Kind)
	if err := noNUL(nul); err != nil {
		return false, err
	}
	name, err := json.Marshal(p.Name)
	if err != nil {
		return false, fmt.Errorf("store: put product %q: %w", p.ID, err)
	}
	err = s.write(ctx, "put product", func(tx *sql.Tx) error {
		n, err := countRows(ctx, tx, `SELECT COUNT(*) FROM products WHERE id = $1`, p.ID)
		if err != nil {
			return fmt.Errorf("store: put product %q: %w", p.ID, err)
		}
		created = n == 0
		if p.Kind == world.Service && !created {
			stocks, err := column(ctx, tx, `SELECT site_id FROM stocks WHERE product_id = $1 ORDER BY pos, site_id`, p.ID)
			if err != nil {
				return fmt.Errorf("store: put product %q: %w", p.ID, err)
			}
			if len(stocks) > 0 {
				return &Error{Code: CodeConflict, Err: &InUseError{What: "product", ID: p.ID, Field: "kind", Stocks: stocks}}
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO products (id, pos, name, unit, kind, transport_cost, reach_km)
VALUES ($1, (SELECT COALESCE(MAX(pos) + 1, 0) FROM products), $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, unit = excluded.unit, kind = excluded.kind,
	transport_cost = excluded.transport_cost, reach_km = excluded.reach_km`,
			p.ID, string(name), p.Unit, string(p.Kind), nullFloat(p.TransportCost), p.ReachKm)
		if err != nil {
			return fmt.Errorf("store: put product %q: %w", p.ID, err)
		}
		return nil
	})
	return created, err
}

// DeleteSkill deletes the skill with the id, unless a recipe or a
// member's commitment names it (a conflict saying which).
func (s *Store) DeleteSkill(ctx context.Context, id string) error {
	return s.write(ctx, "delete skill", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM skills WHERE id = $1`, id, "skill"); err != nil {
			return err
		}
		uses, err := skillUses(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("store: delete skill %q: %w", id, err)
		}
		if err := uses.err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM skills WHERE id = $1`, id); err != nil {
			return fmt.Errorf("store: delete skill %q: %w", id, err)
		}
		return nil
	})
}

// DeleteProduct deletes the product with the id, unless a recipe, a
// stock or a need names it (a conflict saying which).
func (s *Store) DeleteProduct(ctx context.Context, id string) error {
	return s.write(ctx, "delete product", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM products WHERE id = $1`, id, "product"); err != nil {
			return err
		}
		uses, err := productUses(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("store: delete product %q: %w", id, err)
		}
		if err := uses.err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM products WHERE id = $1`, id); err != nil {
			return fmt.Errorf("store: delete product %q: %w", id, err)
		}
		return nil
	})
}

// IsInUse returns the InUseError in err's chain, if any.
func IsInUse(err error) (*InUseError, bool) {
	var e *InUseError
	ok := errors.As(err, &e)
	return e, ok
}
