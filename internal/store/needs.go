package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/commune-org/commune/internal/world"
)

// A member's own needs and commitment, as they change them one at a time
// (the /api/v1/me routes), beside PutWorld, which replaces them all.
//
// A world's members are the members with a commitment (world.go), and a
// world's need must name one of its members. So a member who adds a need
// without having committed anything gets an empty commitment (no hours,
// no skills): they are in the world, receive, and are never assigned
// work; Commitment reads a member without one as that same empty
// commitment.

// RefError says that a field names something that does not exist, such
// as a need's product or a commitment's skill. It is the Err of an Error
// with CodeInvalid, so that the web layer can say it in the caller's
// language.
type RefError struct {
	Field string // "product", "skills[2]"
	What  string // "product", "skill"
	ID    string
}

func (e *RefError) Error() string { return fmt.Sprintf("%s: unknown %s %q", e.Field, e.What, e.ID) }

// ErrCursor is the Err of the invalid-request error a list answers when
// its after parameter is not a cursor it gave.
var ErrCursor = errors.New("after: not a cursor this list gave")

// refExists returns an invalid-reference error unless query finds a row
// for id.
func refExists(ctx context.Context, tx *sql.Tx, query, field, what, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, query, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return &Error{Code: CodeInvalid, Err: &RefError{Field: field, What: what, ID: id}}
	}
	if err != nil {
		return fmt.Errorf("store: look up %s %q: %w", what, id, err)
	}
	return nil
}

// checkQty reports whether x is a finite number, greater than zero when
// positive is set and at least zero otherwise.
func checkQty(field string, x float64, positive bool) error {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return Errorf(CodeInvalid, "%s: must be a finite number", field)
	case positive && x <= 0:
		return Errorf(CodeInvalid, "%s: must be > 0", field)
	case !positive && x < 0:
		return Errorf(CodeInvalid, "%s: must be >= 0", field)
	case x > world.MaxQuantity:
		return Errorf(CodeInvalid, "%s: must be at most %g", field, float64(world.MaxQuantity))
	}
	return nil
}

func checkNeed(n *world.Need) error {
	if err := checkID("product", n.Product); err != nil {
		return err
	}
	if err := checkQty("qty", n.Qty, true); err != nil {
		return err
	}
	switch n.Tier {
	case world.Essential, world.Basic, world.Wanted:
		return nil
	}
	return Errorf(CodeInvalid, "tier: %q is not one of essential, basic, wanted", n.Tier)
}

// ensureCommitmentQuery gives a member an empty commitment unless they
// have one, after everyone else's in the world's order. Rows that go
// after all others take the next position in a subquery of VALUES, not
// in an INSERT ... SELECT, so that PostgreSQL types the parameters from
// the columns.
const ensureCommitmentQuery = `INSERT INTO commitments (member_id, pos, hours, max_km)
VALUES ($1, (SELECT COALESCE(MAX(pos) + 1, 0) FROM commitments), 0, 0)
ON CONFLICT (member_id) DO NOTHING`

// AddNeed adds a need of the member with the id: n's product, qty and
// tier; its id is chosen at random and it goes after every other need
// of the world. It returns the need as stored.
func (s *Store) AddNeed(ctx context.Context, memberID string, n world.Need) (*world.Need, error) {
	n.ID, n.Member, n.Site = newID("n-"), memberID, ""
	if err := checkNeed(&n); err != nil {
		return nil, err
	}
	// Members add needs all day: the statements are prepared once.
	sts, err := s.writeStmts(ctx,
		`SELECT (SELECT COUNT(*) FROM members WHERE id = $1), (SELECT COUNT(*) FROM products WHERE id = $2)`,
		ensureCommitmentQuery,
		`INSERT INTO needs (id, pos, member_id, product_id, qty, tier)
VALUES ($1, (SELECT COALESCE(MAX(pos) + 1, 0) FROM needs), $2, $3, $4, $5)`)
	if err != nil {
		return nil, fmt.Errorf("store: add need of %q: %w", memberID, err)
	}
	err = s.write(ctx, "add need", func(tx *sql.Tx) error {
		var ok [2]int
		err := tx.StmtContext(ctx, sts[0]).QueryRowContext(ctx, memberID, n.Product).Scan(&ok[0], &ok[1])
		switch {
		case err != nil:
			return fmt.Errorf("store: add need of %q: %w", memberID, err)
		case ok[0] == 0:
			return Errorf(CodeNotFound, "member %q not found", memberID)
		case ok[1] == 0:
			return &Error{Code: CodeInvalid, Err: &RefError{Field: "product", What: "product", ID: n.Product}}
		}
		if _, err := tx.StmtContext(ctx, sts[1]).ExecContext(ctx, memberID); err != nil {
			return fmt.Errorf("store: commitment of %q: %w", memberID, err)
		}
		if _, err := tx.StmtContext(ctx, sts[2]).ExecContext(ctx, n.ID, memberID, n.Product, n.Qty, string(n.Tier)); err != nil {
			return fmt.Errorf("store: add need of %q: %w", memberID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// DeleteNeed deletes the need with the id if it is the member's. Another
// member's need is not found, as a missing one is, so that nobody learns
// which need ids exist.
func (s *Store) DeleteNeed(ctx context.Context, memberID, needID string) error {
	return s.write(ctx, "delete need", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM needs WHERE id = $1 AND member_id = $2`, needID, memberID)
		if err != nil {
			return fmt.Errorf("store: delete need %q: %w", needID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: delete need %q: %w", needID, err)
		} else if n == 0 {
			return Errorf(CodeNotFound, "need %q not found", needID)
		}
		return nil
	})
}

// MemberNeeds returns a page of the member's needs in the world's order,
// those after the cursor after, and the cursor of the next page ("" after
// the last). A cursor is the position and id of the last need of a page.
func (s *Store) MemberNeeds(ctx context.Context, memberID, after string, limit int) ([]world.Need, string, error) {
	limit, err := pageLimit(limit)
	if err != nil {
		return nil, "", err
	}
	pos, id := int64(-1), ""
	if after != "" {
		p, i, ok := strings.Cut(after, ".")
		n, err := strconv.ParseInt(p, 10, 32)
		if !ok || err != nil || n < 0 || checkID("after", i) != nil {
			return nil, "", &Error{Code: CodeInvalid, Err: ErrCursor}
		}
		pos, id = n, i
	}
	var needs []world.Need
	var lastPos []int64
	err = s.snapshot(ctx, "list needs", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, memberID, "member"); err != nil {
			return err
		}
		g := getter{ctx: ctx, tx: tx}
		g.query(`SELECT id, pos, product_id, qty, tier FROM needs
WHERE member_id = $1 AND (pos > $2 OR (pos = $2 AND id > $3))
ORDER BY pos, id LIMIT $4`, func(r *sql.Rows) error {
			n := world.Need{Member: memberID}
			var p int64
			if err := r.Scan(&n.ID, &p, &n.Product, &n.Qty, &n.Tier); err != nil {
				return err
			}
			needs, lastPos = append(needs, n), append(lastPos, p)
			return nil
		}, memberID, pos, id, limit+1)
		if g.err != nil {
			return fmt.Errorf("store: needs of %q: %w", memberID, g.err)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(needs) > limit {
		needs = needs[:limit]
		next = strconv.FormatInt(lastPos[limit-1], 10) + "." + needs[limit-1].ID
	}
	return needs, next, nil
}

// Commitment returns the member's commitment; a member who has committed
// nothing has the empty one.
func (s *Store) Commitment(ctx context.Context, memberID string) (*world.Commitment, error) {
	var c world.Commitment
	err := s.snapshot(ctx, "read commitment", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, memberID, "member"); err != nil {
			return err
		}
		g := getter{ctx: ctx, tx: tx}
		g.query(`SELECT hours, max_km FROM commitments WHERE member_id = $1`, func(r *sql.Rows) error {
			return r.Scan(&c.Hours, &c.MaxKm)
		}, memberID)
		g.query(`SELECT skill_id FROM commitment_skills WHERE member_id = $1 ORDER BY pos`, func(r *sql.Rows) error {
			var sk string
			if err := r.Scan(&sk); err != nil {
				return err
			}
			c.Skills = append(c.Skills, sk)
			return nil
		}, memberID)
		if g.err != nil {
			return fmt.Errorf("store: commitment of %q: %w", memberID, g.err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func checkCommitment(c *world.Commitment) error {
	if c.Hours > world.WeekHours && !math.IsInf(c.Hours, 1) {
		return Errorf(CodeInvalid, "hours: must be at most %d", world.WeekHours)
	}
	if err := checkQty("hours", c.Hours, false); err != nil {
		return err
	}
	if err := checkQty("max_km", c.MaxKm, false); err != nil {
		return err
	}
	for i, sk := range c.Skills {
		field := fmt.Sprintf("skills[%d]", i)
		if err := checkID(field, sk); err != nil {
			return err
		}
		for j := range i {
			if c.Skills[j] == sk {
				return Errorf(CodeInvalid, "%s: %q is listed twice", field, sk)
			}
		}
	}
	return nil
}

// PutCommitment replaces the member's commitment: hours, skills (each a
// skill of the catalog, in the member's order) and how far from home
// they will work. A member's first commitment goes after everyone
// else's in the world's order.
func (s *Store) PutCommitment(ctx context.Context, memberID string, c world.Commitment) error {
	if err := checkCommitment(&c); err != nil {
		return err
	}
	return s.write(ctx, "put commitment", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, memberID, "member"); err != nil {
			return err
		}
		for i, sk := range c.Skills {
			if err := refExists(ctx, tx, `SELECT 1 FROM skills WHERE id = $1`, fmt.Sprintf("skills[%d]", i), "skill", sk); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO commitments (member_id, pos, hours, max_km)
VALUES ($1, (SELECT COALESCE(MAX(pos) + 1, 0) FROM commitments), $2, $3)
ON CONFLICT (member_id) DO UPDATE SET hours = excluded.hours, max_km = excluded.max_km`, memberID, c.Hours, c.MaxKm)
		if err != nil {
			return fmt.Errorf("store: put commitment of %q: %w", memberID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM commitment_skills WHERE member_id = $1`, memberID); err != nil {
			return fmt.Errorf("store: put commitment of %q: %w", memberID, err)
		}
		for i, sk := range c.Skills {
			if _, err := tx.ExecContext(ctx, `INSERT INTO commitment_skills (member_id, skill_id, pos) VALUES ($1, $2, $3)`,
				memberID, sk, i); err != nil {
				return fmt.Errorf("store: put commitment of %q: %w", memberID, err)
			}
		}
		return nil
	})
}
