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
	// ID names the token where people see it (lists, revocation): the
	// first TokenIDLen hex digits of Hash. It is not the secret and
	// gives no way to it: 48 bits of a SHA-256 of 256 random bits.
	ID       string
	Hash     string
	MemberID string
	// Alias is the member's alias, set by Tokens, MemberTokens and
	// RevokeToken for whoever shows the token to people.
	Alias string
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

// TokenIDLen is the length of a token's id, in hex digits.
const TokenIDLen = 12

// ValidTokenID reports whether id can be a token's id: TokenIDLen
// lower-case hex digits.
func ValidTokenID(id string) bool { return len(id) == TokenIDLen && isHex(id) }

// CreateToken stores a token, with its id taken from its hash. The
// member and the collective, when one is given, must exist; a
// coordinator's token must name a collective the member coordinates.
func (s *Store) CreateToken(ctx context.Context, t Token) (*Token, error) {
	if len(t.Hash) != 64 || !isHex(t.Hash) {
		return nil, Errorf(CodeInvalid, "token: hash: want 64 hex digits")
	}
	t.ID = t.Hash[:TokenIDLen]
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
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens (id, hash, member_id, role, collective_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6)`, t.ID, t.Hash, t.MemberID, t.Role, nullString(t.Collective), t.Created.Unix())
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
	st, err := s.stmt(ctx, s.read, `SELECT t.id, t.member_id, t.role, t.collective_id, t.created_at,
	EXISTS (SELECT 1 FROM memberships m WHERE m.member_id = t.member_id AND m.collective_id = t.collective_id AND m.role = 'coordinator')
FROM tokens t WHERE t.hash = $1`)
	if err != nil {
		return nil, fmt.Errorf("store: token by hash: %w", err)
	}
	err = st.QueryRowContext(ctx, hash).Scan(&t.ID, &t.MemberID, &t.Role, &coll, &created, &current)
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

// Tokens returns every API token, oldest first, each with its member's
// alias and without its hash: what the organization's list of tokens
// shows, to find one to revoke.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	return s.tokens(ctx, "")
}

// MemberTokens returns the member's API tokens, oldest first, without
// their hashes: what a member's export and account show of them (what
// each lets its holder do, since when, and the id to revoke it by).
func (s *Store) MemberTokens(ctx context.Context, memberID string) ([]Token, error) {
	if memberID == "" {
		return nil, Errorf(CodeInvalid, "tokens: member: required")
	}
	return s.tokens(ctx, memberID)
}

// tokens lists the tokens of memberID, or of every member when it is
// empty.
func (s *Store) tokens(ctx context.Context, memberID string) ([]Token, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT t.id, t.member_id, m.alias, t.role, t.collective_id, t.created_at
FROM tokens t JOIN members m ON m.id = t.member_id
WHERE $1 = '' OR t.member_id = $1 ORDER BY t.created_at, t.id`, memberID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var coll sql.NullString
		var created int64
		if err := rows.Scan(&t.ID, &t.MemberID, &t.Alias, &t.Role, &coll, &created); err != nil {
			return nil, fmt.Errorf("store: tokens: %w", err)
		}
		t.Collective, t.Created = coll.String, time.Unix(created, 0).UTC()
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return out, nil
}

// RevokeToken deletes the token of the id, writes who revoked it to the
// audit log (AuditRevokeToken) in the same transaction, and returns
// what it was. by is the id of the member who revokes it (an
// organizer), or "" for the command line, which the log names
// AuditCLI. The token stops working at once: every request looks its
// token up (TokenByHash), and nothing keeps a copy. An id that names no
// token is a not_found error; one that cannot be an id, an invalid one.
func (s *Store) RevokeToken(ctx context.Context, by, id string) (*Token, error) {
	actor := AuditCLI
	if by != "" {
		actor = s.Pseudonym(by)
	}
	return s.revokeToken(ctx, actor, id, "")
}

// RevokeMemberToken is RevokeToken for a member revoking one of their
// own tokens: another member's token is not found, as a missing one
// is, so that a member learns nothing of others' tokens.
func (s *Store) RevokeMemberToken(ctx context.Context, memberID, id string) (*Token, error) {
	if memberID == "" {
		return nil, Errorf(CodeInvalid, "token: member: required")
	}
	return s.revokeToken(ctx, s.Pseudonym(memberID), id, memberID)
}

// revokeToken revokes the token of id, of memberID's if that is not "",
// in the name of actor, a pseudonym or AuditCLI.
func (s *Store) revokeToken(ctx context.Context, actor, id, memberID string) (*Token, error) {
	if !ValidTokenID(id) {
		return nil, Errorf(CodeInvalid, "token id %q: want %d hex digits", id, TokenIDLen)
	}
	t := Token{ID: id}
	err := s.write(ctx, "revoke token", func(tx *sql.Tx) error {
		var coll sql.NullString
		var created int64
		err := tx.QueryRowContext(ctx, `SELECT t.member_id, m.alias, t.role, t.collective_id, t.created_at
FROM tokens t JOIN members m ON m.id = t.member_id
WHERE t.id = $1 AND ($2 = '' OR t.member_id = $2)`, id, memberID).Scan(&t.MemberID, &t.Alias, &t.Role, &coll, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "token %q not found", id)
		}
		if err != nil {
			return fmt.Errorf("store: revoke token: %w", err)
		}
		t.Collective, t.Created = coll.String, time.Unix(created, 0).UTC()
		if _, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE id = $1`, id); err != nil {
			return fmt.Errorf("store: revoke token: %w", err)
		}
		return s.audit(ctx, tx, AuditEntry{Actor: actor, Action: AuditRevokeToken, Collective: t.Collective,
			Subject: s.Pseudonym(t.MemberID), Token: id})
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// isHex reports whether s is made of lower-case hex digits only, as
// auth.Hash writes them.
func isHex(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
