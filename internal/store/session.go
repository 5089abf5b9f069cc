package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// A browser session lasts while it is used: it ends after SessionIdle
// without a request, and after SessionMaxAge whatever happens, so that a
// cookie left on a shared or seized phone stops working on its own. The
// store keeps only the hash of the session's secret (auth.Hash); the
// secret lives in the cookie.
const (
	SessionIdle   = 12 * time.Hour
	SessionMaxAge = 30 * 24 * time.Hour
	// sessionTouch is how stale seen_at may get before a request writes
	// it again: writing it on every request would make every read a
	// write, and a minute is nothing next to SessionIdle.
	sessionTouch = time.Minute
)

// Session is a browser session as the store keeps it, and the roles its
// member holds now.
type Session struct {
	Hash     string
	MemberID string
	// Passkey says the session was opened with a passkey rather than an
	// emailed code.
	Passkey bool
	Created time.Time
	Seen    time.Time
	Expires time.Time // Created + SessionMaxAge

	// Set by SessionByHash from the database as it is at the request, so
	// that a role taken away applies to sessions already open.
	Organizer   bool
	Coordinates []string // collectives where the member is a coordinator
}

// CreateSession stores a new session for the member at now, and deletes
// the sessions that have expired by then, of anyone.
func (s *Store) CreateSession(ctx context.Context, hash, memberID string, passkey bool, now time.Time) (*Session, error) {
	if len(hash) != 64 {
		return nil, Errorf(CodeInvalid, "session: hash: want 64 hex digits")
	}
	now = now.UTC().Truncate(time.Second)
	ss := Session{Hash: hash, MemberID: memberID, Passkey: passkey, Created: now, Seen: now, Expires: now.Add(SessionMaxAge)}
	err := s.write(ctx, "create session", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, memberID, "member"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR seen_at <= $2`,
			now.Unix(), now.Add(-SessionIdle).Unix()); err != nil {
			return fmt.Errorf("store: create session: prune: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (hash, member_id, passkey, created_at, seen_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)`, hash, memberID, passkey, now.Unix(), now.Unix(), ss.Expires.Unix())
		if isUnique(err) {
			return Errorf(CodeConflict, "session: already stored")
		}
		if err != nil {
			return fmt.Errorf("store: create session: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ss, nil
}

// SessionByHash returns the session whose hash is hash, as it is at now,
// with its member's roles; a session that is unknown or has expired by
// now is a not_found error (and an expired one is deleted). A session
// last seen over a minute ago is marked seen at now.
func (s *Store) SessionByHash(ctx context.Context, hash string, now time.Time) (*Session, error) {
	ss := Session{Hash: hash}
	err := s.snapshot(ctx, "session", func(tx *sql.Tx) error {
		var created, seen, expires int64
		err := tx.QueryRowContext(ctx, `SELECT s.member_id, s.passkey, s.created_at, s.seen_at, s.expires_at,
	EXISTS (SELECT 1 FROM organizers o WHERE o.member_id = s.member_id)
FROM sessions s WHERE s.hash = $1`, hash).Scan(&ss.MemberID, &ss.Passkey, &created, &seen, &expires, &ss.Organizer)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "session not found")
		}
		if err != nil {
			return fmt.Errorf("store: session: %w", err)
		}
		ss.Created, ss.Seen, ss.Expires = time.Unix(created, 0).UTC(), time.Unix(seen, 0).UTC(), time.Unix(expires, 0).UTC()
		if ss.expired(now) {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT collective_id FROM memberships
WHERE member_id = $1 AND role = 'coordinator' ORDER BY collective_id`, ss.MemberID)
		if err != nil {
			return fmt.Errorf("store: session: roles: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				return fmt.Errorf("store: session: roles: %w", err)
			}
			ss.Coordinates = append(ss.Coordinates, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if ss.expired(now) {
		if err := s.DeleteSession(ctx, hash); err != nil && ErrorCode(err) != CodeNotFound {
			return nil, err
		}
		return nil, Errorf(CodeNotFound, "session expired")
	}
	if now.Sub(ss.Seen) >= sessionTouch {
		ss.Seen = now.UTC().Truncate(time.Second)
		err := s.write(ctx, "touch session", func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET seen_at = $1 WHERE hash = $2`, ss.Seen.Unix(), hash)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("store: touch session: %w", err)
		}
	}
	return &ss, nil
}

// expired reports whether the session is over at now: idle too long, or
// too old.
func (ss *Session) expired(now time.Time) bool {
	return !now.Before(ss.Expires) || !now.Before(ss.Seen.Add(SessionIdle))
}

// DeleteSession deletes the session whose hash is hash (signing out), or
// returns a not_found error.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return s.write(ctx, "delete session", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE hash = $1`, hash)
		if err != nil {
			return fmt.Errorf("store: delete session: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: delete session: %w", err)
		} else if n == 0 {
			return Errorf(CodeNotFound, "session not found")
		}
		return nil
	})
}

// SetOrganizer makes the member an organizer, or (on false) no longer
// one. Organizers see and change everything once signed in with a
// passkey; the role lives in the database, beside coordinators'
// memberships, so that taking it away ends it for every open session.
func (s *Store) SetOrganizer(ctx context.Context, memberID string, organizer bool) error {
	return s.write(ctx, "set organizer", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, memberID, "member"); err != nil {
			return err
		}
		q := `DELETE FROM organizers WHERE member_id = $1`
		if organizer {
			q = `INSERT INTO organizers (member_id) VALUES ($1) ON CONFLICT (member_id) DO NOTHING`
		}
		if _, err := tx.ExecContext(ctx, q, memberID); err != nil {
			return fmt.Errorf("store: set organizer %q: %w", memberID, err)
		}
		return nil
	})
}

// SignIns is what the store keeps about how a member signs in, for
// their export (GET /api/v1/me/export): whether they are an organizer,
// their open sessions (without the hashes, which are keys), and their
// passkeys.
type SignIns struct {
	Organizer bool
	Sessions  []Session
	Passkeys  []Credential
}

// SignIns returns the member's sign-ins, sessions oldest first.
func (s *Store) SignIns(ctx context.Context, memberID string) (*SignIns, error) {
	var out SignIns
	err := s.snapshot(ctx, "sign-ins", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, memberID, "member"); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM organizers WHERE member_id = $1)`, memberID).
			Scan(&out.Organizer); err != nil {
			return fmt.Errorf("store: sign-ins: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT passkey, created_at, seen_at, expires_at FROM sessions
WHERE member_id = $1 ORDER BY created_at, seen_at`, memberID)
		if err != nil {
			return fmt.Errorf("store: sign-ins: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			ss := Session{MemberID: memberID}
			var created, seen, expires int64
			if err := rows.Scan(&ss.Passkey, &created, &seen, &expires); err != nil {
				return fmt.Errorf("store: sign-ins: %w", err)
			}
			ss.Created, ss.Seen, ss.Expires = time.Unix(created, 0).UTC(), time.Unix(seen, 0).UTC(), time.Unix(expires, 0).UTC()
			out.Sessions = append(out.Sessions, ss)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if out.Passkeys, err = s.Credentials(ctx, memberID); err != nil {
		return nil, err
	}
	return &out, nil
}
