package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// An invite lets whoever holds its code join a collective, with a role,
// until it expires or has been used its maximum number of times. The
// store keeps only the hash of the code (the caller makes the code and
// hashes it, as with API tokens): the code is a bearer secret, printed on
// flyers and passed around in chats, and a stolen database must not let
// anyone join.

// Bounds of an invite, so that a mistyped number does not make an invite
// that lives for ever or can be passed around without end.
const (
	MaxInviteUses     = 1000
	MaxInviteLifetime = 90 * 24 * time.Hour
)

// Invite is an invite as the store keeps it.
type Invite struct {
	ID         string
	Collective string
	Role       Role
	// CodeHash is the hash of the code; CreateInvite takes it, the
	// listing methods leave it empty.
	CodeHash string
	// CreatedBy is the member who made the invite, empty once they are
	// deleted.
	CreatedBy string
	Created   time.Time
	Expires   time.Time
	MaxUses   int
	Uses      int
}

// The reasons an invite cannot be accepted, beside a code no invite has
// (not_found). They are values, so that the web layer can say them in
// the caller's language; both are conflicts with the invite's state.
var (
	ErrInviteExpired = &Error{Code: CodeConflict, Message: "the invite has expired"}
	ErrInviteUsedUp  = &Error{Code: CodeConflict, Message: "the invite has been used as many times as it allows"}
	ErrAlreadyMember = &Error{Code: CodeConflict, Message: "already a member of the collective"}
)

// CreateInvite stores an invite to a collective. The id is chosen at
// random, Created is now; Expires must be in the future and within
// MaxInviteLifetime, MaxUses from 1 to MaxInviteUses.
func (s *Store) CreateInvite(ctx context.Context, inv Invite) (*Invite, error) {
	now := s.now().UTC().Truncate(time.Second)
	switch {
	case len(inv.CodeHash) != 64:
		return nil, Errorf(CodeInvalid, "invite: code hash: want 64 hex digits")
	case inv.Role != RoleMember && inv.Role != RoleCoordinator:
		return nil, Errorf(CodeInvalid, "role: %q is not one of member, coordinator", inv.Role)
	case inv.MaxUses < 1 || inv.MaxUses > MaxInviteUses:
		return nil, Errorf(CodeInvalid, "max_uses: must be 1 to %d, got %d", MaxInviteUses, inv.MaxUses)
	case !inv.Expires.After(now) || inv.Expires.Sub(now) > MaxInviteLifetime:
		return nil, Errorf(CodeInvalid, "expires: must be within %d hours from now", int(MaxInviteLifetime.Hours()))
	}
	inv.ID = newID("i-")
	inv.Created, inv.Expires, inv.Uses = now, inv.Expires.UTC().Truncate(time.Second), 0
	err := s.write(ctx, "create invite", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, inv.Collective, "collective"); err != nil {
			return err
		}
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, inv.CreatedBy, "member"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO invites
	(id, collective_id, role, code_hash, created_by, created_at, expires_at, max_uses, uses)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)`,
			inv.ID, inv.Collective, string(inv.Role), inv.CodeHash, inv.CreatedBy,
			inv.Created.Unix(), inv.Expires.Unix(), inv.MaxUses)
		if isUnique(err) {
			return Errorf(CodeConflict, "invite: code already stored")
		}
		if err != nil {
			return fmt.Errorf("store: create invite: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	inv.CodeHash = ""
	return &inv, nil
}

const inviteColumns = `id, collective_id, role, created_by, created_at, expires_at, max_uses, uses`

func scanInvite(scan func(...any) error) (Invite, error) {
	var inv Invite
	var by sql.NullString
	var created, expires int64
	err := scan(&inv.ID, &inv.Collective, &inv.Role, &by, &created, &expires, &inv.MaxUses, &inv.Uses)
	inv.CreatedBy = by.String
	inv.Created, inv.Expires = time.Unix(created, 0).UTC(), time.Unix(expires, 0).UTC()
	return inv, err
}

// Invites returns a page of a collective's invites, expired and used up
// ones included, in order of id: those after the id after, and the id to
// ask for the next page ("" after the last).
func (s *Store) Invites(ctx context.Context, collectiveID, after string, limit int) ([]Invite, string, error) {
	limit, err := pageLimit(limit)
	if err != nil {
		return nil, "", err
	}
	var invs []Invite
	err = s.snapshot(ctx, "list invites", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, collectiveID, "collective"); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+inviteColumns+` FROM invites
WHERE collective_id = $1 AND id > $2 ORDER BY id LIMIT $3`, collectiveID, after, limit+1)
		if err != nil {
			return fmt.Errorf("store: list invites of %q: %w", collectiveID, err)
		}
		defer rows.Close()
		for rows.Next() {
			inv, err := scanInvite(rows.Scan)
			if err != nil {
				return fmt.Errorf("store: list invites of %q: %w", collectiveID, err)
			}
			invs = append(invs, inv)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: list invites of %q: %w", collectiveID, err)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(invs) > limit {
		invs = invs[:limit]
		next = invs[limit-1].ID
	}
	return invs, next, nil
}

// DeleteInvite deletes an invite of a collective; an invite of another
// collective is not_found, like a missing one.
func (s *Store) DeleteInvite(ctx context.Context, collectiveID, id string) error {
	return s.write(ctx, "delete invite", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM invites WHERE collective_id = $1 AND id = $2`, collectiveID, id)
		if err != nil {
			return fmt.Errorf("store: delete invite %q: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: delete invite %q: %w", id, err)
		} else if n == 0 {
			return Errorf(CodeNotFound, "invite %q not found in collective %q", id, collectiveID)
		}
		return nil
	})
}

// AcceptInvite makes a member part of the collective of the invite whose
// code hashes to codeHash, with the invite's role, and counts the use:
// all in one transaction, so that an invite is never used more often
// than it allows, even by members accepting at the same moment.
//
// The use is counted by an UPDATE whose condition checks the count
// again: on PostgreSQL two transactions that both read a count one short
// of the maximum serialize on the row, and the second finds the
// condition false once the first commits. A member already in the
// collective gets ErrAlreadyMember, and the invite keeps its use.
func (s *Store) AcceptInvite(ctx context.Context, codeHash, memberID string) (*Invite, error) {
	var inv Invite
	err := s.write(ctx, "accept invite", func(tx *sql.Tx) error {
		var err error
		inv, err = s.accept(ctx, tx, codeHash, memberID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// accept is AcceptInvite in the transaction tx.
func (s *Store) accept(ctx context.Context, tx *sql.Tx, codeHash, memberID string) (Invite, error) {
	inv, err := scanInvite(tx.QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites WHERE code_hash = $1`, codeHash).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return inv, Errorf(CodeNotFound, "invite not found")
	}
	if err != nil {
		return inv, fmt.Errorf("store: accept invite: %w", err)
	}
	now := s.now().Unix()
	if now >= inv.Expires.Unix() {
		return inv, ErrInviteExpired
	}
	res, err := tx.ExecContext(ctx, `UPDATE invites SET uses = uses + 1
WHERE id = $1 AND uses < max_uses AND expires_at > $2`, inv.ID, now)
	if err != nil {
		return inv, fmt.Errorf("store: accept invite %q: %w", inv.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return inv, fmt.Errorf("store: accept invite %q: %w", inv.ID, err)
	} else if n == 0 {
		return inv, ErrInviteUsedUp
	}
	if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, memberID, "member"); err != nil {
		return inv, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO memberships (member_id, collective_id, role, pos)
SELECT $1, $2, $3, COALESCE(MAX(pos) + 1, 0) FROM memberships WHERE member_id = $1`,
		memberID, inv.Collective, string(inv.Role))
	if isUnique(err) {
		return inv, ErrAlreadyMember
	}
	if err != nil {
		return inv, fmt.Errorf("store: accept invite %q: %w", inv.ID, err)
	}
	inv.Uses++
	return inv, nil
}

// Join is how a person who has no account yet joins: it creates the
// member and accepts the invite for them in one transaction, so that an
// account exists only if the invite let its person in, and the invite's
// uses are counted as AcceptInvite counts them.
func (s *Store) Join(ctx context.Context, codeHash string, m Member) (*Member, *Invite, error) {
	if m.ID == "" {
		m.ID = newID("m-")
	}
	if err := checkMember(&m); err != nil {
		return nil, nil, err
	}
	m.Created = s.now().UTC().Truncate(time.Second)
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	var inv Invite
	err := s.write(ctx, "join", func(tx *sql.Tx) error {
		if err := s.insertMember(ctx, tx, &m); err != nil {
			return err
		}
		var err error
		inv, err = s.accept(ctx, tx, codeHash, m.ID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return &m, &inv, nil
}

// InviteByCode returns the invite whose code hashes to codeHash and the
// name of its collective, if it can still be used: for the page a link
// opens, before anyone joins.
func (s *Store) InviteByCode(ctx context.Context, codeHash string) (*Invite, string, error) {
	var inv Invite
	var name string
	err := s.snapshot(ctx, "read invite", func(tx *sql.Tx) error {
		var err error
		inv, err = scanInvite(tx.QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites WHERE code_hash = $1`, codeHash).Scan)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "invite not found")
		}
		if err != nil {
			return fmt.Errorf("store: read invite: %w", err)
		}
		switch {
		case s.now().Unix() >= inv.Expires.Unix():
			return ErrInviteExpired
		case inv.Uses >= inv.MaxUses:
			return ErrInviteUsedUp
		}
		return tx.QueryRowContext(ctx, `SELECT name FROM collectives WHERE id = $1`, inv.Collective).Scan(&name)
	})
	if err != nil {
		return nil, "", err
	}
	return &inv, name, nil
}
