package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Token is an API token as the store keeps it: the hash of the secret
// (auth.Hash), never the secret, and what it lets its holder do.
type Token struct {
	Hash     string
	MemberID string
	// Role is "member", "coordinator" or "organizer" (auth.Role's
	// values; the store does not import auth).
	Role string
	// Collective is the collective a coordinator's token acts on, or
	// empty.
	Collective string
	Created    time.Time
	// Lapsed, set by TokenByHash, says that the member of a
	// coordinator's token no longer coordinates its collective: the
	// token must not act on it, since a token outliving a demotion
	// would keep powers the organization took away.
	Lapsed bool
}

// CreateToken stores a token. The member and the collective, when one is
// given, must exist; a coordinator's token must name a collective the
// member coordinates.
func (s *Store) CreateToken(ctx context.Context, t Token) (*Token, error) {
	if len(t.Hash) != 64 {
		return nil, Errorf(CodeInvalid, "token: hash: want 64 hex digits")
	}
	switch t.Role {
	case "member", "organizer":
	case "coordinator":
		if t.Collective == "" {
			return nil, Errorf(CodeInvalid, "token: collective: a coordinator's token needs one")
		}
	default:
		return nil, Errorf(CodeInvalid, "token: role: unknown role %q", t.Role)
	}
	t.Created = s.now().UTC().Truncate(time.Second)
	err := s.write(ctx, "create token", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, t.MemberID, "member"); err != nil {
			return err
		}
		if t.Collective != "" {
			if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, t.Collective, "collective"); err != nil {
				return err
			}
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM memberships WHERE member_id = $1 AND collective_id = $2 AND role = 'coordinator'`,
				t.MemberID, t.Collective).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return Errorf(CodeInvalid, "token: member %q does not coordinate collective %q", t.MemberID, t.Collective)
			}
			if err != nil {
				return fmt.Errorf("store: create token: look up membership: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens (hash, member_id, role, collective_id, created_at)
VALUES ($1, $2, $3, $4, $5)`, t.Hash, t.MemberID, t.Role, nullString(t.Collective), t.Created.Unix())
		if isUnique(err) {
			return Errorf(CodeConflict, "token: already stored")
		}
		if err != nil {
			return fmt.Errorf("store: create token: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// TokenByHash returns the token whose hash is hash, or a not_found error.
// A coordinator's token whose member no longer coordinates its
// collective comes back Lapsed.
func (s *Store) TokenByHash(ctx context.Context, hash string) (*Token, error) {
	t := Token{Hash: hash}
	var coll sql.NullString
	var created int64
	var current bool
	st, err := s.stmt(ctx, s.read, `SELECT t.member_id, t.role, t.collective_id, t.created_at,
	EXISTS (SELECT 1 FROM memberships m WHERE m.member_id = t.member_id AND m.collective_id = t.collective_id AND m.role = 'coordinator')
FROM tokens t WHERE t.hash = $1`)
	if err != nil {
		return nil, fmt.Errorf("store: token by hash: %w", err)
	}
	err = st.QueryRowContext(ctx, hash).Scan(&t.MemberID, &t.Role, &coll, &created, &current)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(CodeNotFound, "token not found")
	}
	if err != nil {
		return nil, fmt.Errorf("store: token by hash: %w", err)
	}
	t.Collective = coll.String
	t.Lapsed = t.Role == "coordinator" && !current
	t.Created = time.Unix(created, 0).UTC()
	return &t, nil
}
