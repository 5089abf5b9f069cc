package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The changes a collective's coordinators and the organizers make to it:
// its name and kind, who is in it and with what role. Every method that
// acts on a member of a collective takes the collective's id and answers
// not_found for a member who is not in it, so that the web layer, which
// has checked the caller's rights on that collective only, can never
// reach a member of another through it.

// CollectiveChange holds the fields of a collective to change; nil
// fields stay as they are.
type CollectiveChange struct {
	Name *string
	Kind *CollectiveKind
}

// UpdateCollective changes a collective's name or kind and returns it as
// stored.
func (s *Store) UpdateCollective(ctx context.Context, id string, ch CollectiveChange) (*Collective, error) {
	if ch.Name != nil {
		if err := checkName("name", *ch.Name); err != nil {
			return nil, err
		}
	}
	if ch.Kind != nil && !ch.Kind.valid() {
		return nil, Errorf(CodeInvalid, "kind: %q is not one of workplace, school, neighbourhood, other", *ch.Kind)
	}
	var c Collective
	err := s.write(ctx, "update collective", func(tx *sql.Tx) error {
		var created int64
		err := tx.QueryRowContext(ctx, `SELECT id, name, kind, created_at FROM collectives WHERE id = $1`, id).
			Scan(&c.ID, &c.Name, &c.Kind, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "collective %q not found", id)
		}
		if err != nil {
			return fmt.Errorf("store: update collective %q: %w", id, err)
		}
		c.Created = time.Unix(created, 0).UTC()
		if ch.Name != nil {
			c.Name = *ch.Name
		}
		if ch.Kind != nil {
			c.Kind = *ch.Kind
		}
		if _, err := tx.ExecContext(ctx, `UPDATE collectives SET name = $2, kind = $3 WHERE id = $1`,
			id, c.Name, string(c.Kind)); err != nil {
			return fmt.Errorf("store: update collective %q: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// MemberRole returns the role of a member in a collective, or a
// not_found error when they are not in it.
func (s *Store) MemberRole(ctx context.Context, memberID, collectiveID string) (Role, error) {
	var role Role
	err := s.read.QueryRowContext(ctx, `SELECT role FROM memberships WHERE member_id = $1 AND collective_id = $2`,
		memberID, collectiveID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", Errorf(CodeNotFound, "member %q is not in collective %q", memberID, collectiveID)
	}
	if err != nil {
		return "", fmt.Errorf("store: role of %q in %q: %w", memberID, collectiveID, err)
	}
	return role, nil
}

// MemberCollective is a collective as one of its members sees it: with
// their role in it.
type MemberCollective struct {
	Collective
	Role Role
}

// MemberCollectives returns a page of the collectives a member belongs
// to, in order of collective id, those after the id after, and the id to
// ask for the next page ("" after the last).
func (s *Store) MemberCollectives(ctx context.Context, memberID, after string, limit int) ([]MemberCollective, string, error) {
	limit, err := pageLimit(limit)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT c.id, c.name, c.kind, c.created_at, ms.role
FROM memberships ms JOIN collectives c ON c.id = ms.collective_id
WHERE ms.member_id = $1 AND ms.collective_id > $2
ORDER BY ms.collective_id LIMIT $3`, memberID, after, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("store: collectives of %q: %w", memberID, err)
	}
	defer rows.Close()
	var cs []MemberCollective
	for rows.Next() {
		var c MemberCollective
		var created int64
		if err := rows.Scan(&c.ID, &c.Name, &c.Kind, &created, &c.Role); err != nil {
			return nil, "", fmt.Errorf("store: collectives of %q: %w", memberID, err)
		}
		c.Created = time.Unix(created, 0).UTC()
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: collectives of %q: %w", memberID, err)
	}
	next := ""
	if len(cs) > limit {
		cs = cs[:limit]
		next = cs[limit-1].ID
	}
	return cs, next, nil
}

// RemoveMembership takes a member out of a collective. A coordinator's
// API tokens for the collective lapse with it (TokenByHash).
func (s *Store) RemoveMembership(ctx context.Context, collectiveID, memberID string) error {
	return s.write(ctx, "remove membership", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE collective_id = $1 AND member_id = $2`,
			collectiveID, memberID)
		if err != nil {
			return fmt.Errorf("store: remove %q from %q: %w", memberID, collectiveID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: remove %q from %q: %w", memberID, collectiveID, err)
		} else if n == 0 {
			return Errorf(CodeNotFound, "member %q is not in collective %q", memberID, collectiveID)
		}
		return nil
	})
}

// SetRole changes the role of a member in a collective and returns the
// membership as a list of members shows it.
func (s *Store) SetRole(ctx context.Context, collectiveID, memberID string, role Role) (*Membership, error) {
	if role != RoleMember && role != RoleCoordinator {
		return nil, Errorf(CodeInvalid, "role: %q is not one of member, coordinator", role)
	}
	m := Membership{MemberID: memberID, Role: role}
	err := s.write(ctx, "set role", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE memberships SET role = $3 WHERE collective_id = $1 AND member_id = $2`,
			collectiveID, memberID, string(role))
		if err != nil {
			return fmt.Errorf("store: set role of %q in %q: %w", memberID, collectiveID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: set role of %q in %q: %w", memberID, collectiveID, err)
		} else if n == 0 {
			return Errorf(CodeNotFound, "member %q is not in collective %q", memberID, collectiveID)
		}
		if err := tx.QueryRowContext(ctx, `SELECT alias FROM members WHERE id = $1`, memberID).Scan(&m.Alias); err != nil {
			return fmt.Errorf("store: set role of %q in %q: %w", memberID, collectiveID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}
