package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/commune-org/commune/internal/world"
)

// Export is everything the database holds about one member, for them to
// take away (GET /api/v1/me/export): their account with the contact
// opened, their memberships, their commitment and their needs. Stored
// plans name them too; what a plan gives them is read from the plan.
type Export struct {
	Member      Member
	Memberships []MemberOf
	// Commitment is nil for a member who has committed nothing.
	Commitment *world.Commitment
	Needs      []world.Need
}

// MemberOf is one of a member's collectives.
type MemberOf struct {
	CollectiveID string
	Name         string
	Kind         CollectiveKind
	Role         Role
}

// Export returns everything about the member with the id, from one
// consistent snapshot.
func (s *Store) Export(ctx context.Context, id string) (*Export, error) {
	var e Export
	err := s.snapshot(ctx, "export member", func(tx *sql.Tx) error {
		m, err := s.memberIn(ctx, tx, "id", id)
		if err != nil {
			return err
		}
		e.Member = *m
		g := getter{ctx: ctx, tx: tx}
		g.query(`SELECT c.id, c.name, c.kind, ms.role FROM memberships ms JOIN collectives c ON c.id = ms.collective_id
WHERE ms.member_id = $1 ORDER BY ms.pos, c.id`, func(r *sql.Rows) error {
			var mo MemberOf
			if err := r.Scan(&mo.CollectiveID, &mo.Name, &mo.Kind, &mo.Role); err != nil {
				return err
			}
			e.Memberships = append(e.Memberships, mo)
			return nil
		}, id)
		g.query(`SELECT hours, max_km FROM commitments WHERE member_id = $1`, func(r *sql.Rows) error {
			e.Commitment = &world.Commitment{}
			return r.Scan(&e.Commitment.Hours, &e.Commitment.MaxKm)
		}, id)
		if e.Commitment != nil {
			g.query(`SELECT skill_id FROM commitment_skills WHERE member_id = $1 ORDER BY pos`, func(r *sql.Rows) error {
				var sk string
				if err := r.Scan(&sk); err != nil {
					return err
				}
				e.Commitment.Skills = append(e.Commitment.Skills, sk)
				return nil
			}, id)
		}
		g.query(`SELECT id, product_id, qty, tier FROM needs WHERE member_id = $1 ORDER BY pos`, func(r *sql.Rows) error {
			n := world.Need{Member: id}
			if err := r.Scan(&n.ID, &n.Product, &n.Qty, &n.Tier); err != nil {
				return err
			}
			e.Needs = append(e.Needs, n)
			return nil
		}, id)
		if g.err != nil {
			return fmt.Errorf("store: export member %q: %w", id, g.err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}
