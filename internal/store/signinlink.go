package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// A sign-in link opens a browser session for a member once, without an
// email or a passkey: the server's operator makes one from the command
// line ("commune signin-link") and hands it over, as the first
// organizer of a new server has no other way in when the server sends
// no email. The session it opens is a code's, not a passkey's: a link
// can be intercepted on its way, as an emailed code can, so with it a
// coordinator or an organizer acts as a member until they register a
// passkey and sign in with it (auth.Allow).

// SignInLinkTTL is how long a sign-in link works.
const SignInLinkTTL = 24 * time.Hour

// ErrSignInLinkGone: no sign-in link has the hash; it expired, was
// used, was replaced by a newer one, or never was.
var ErrSignInLinkGone = &Error{Code: CodeNotFound, Message: "sign-in link: no such link, or it expired or was used"}

// PutSignInLink stores hash (auth.Hash of the link's secret) as the
// member's sign-in link until expires, replacing any earlier one (whose
// link stops working), and deletes every link expired at now.
func (s *Store) PutSignInLink(ctx context.Context, member, hash string, expires, now time.Time) error {
	if len(hash) != 64 {
		return Errorf(CodeInvalid, "sign-in link: hash: want 64 hex digits")
	}
	return s.write(ctx, "put sign-in link", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, member, "member"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_links WHERE member_id = $1 OR expires_at <= $2`, member, now.Unix()); err != nil {
			return fmt.Errorf("store: put sign-in link: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO signin_links (member_id, hash, expires_at) VALUES ($1, $2, $3)`,
			member, hash, expires.Unix()); err != nil {
			return fmt.Errorf("store: put sign-in link: %w", err)
		}
		// A link opens the member's account to whoever holds it: the
		// organizers see that one was made, and for whom, with the link.
		return s.audit(ctx, tx, AuditEntry{Actor: AuditCLI, Action: AuditSignInLink, Subject: s.Pseudonym(member)})
	})
}

// SignInLinkFor returns the id of the member whose sign-in link hashes
// to hash, if it works at now, without using it; else ErrSignInLinkGone.
// The page the link opens names the account with it.
func (s *Store) SignInLinkFor(ctx context.Context, hash string, now time.Time) (string, error) {
	var member string
	err := s.read.QueryRowContext(ctx, `SELECT member_id FROM signin_links WHERE hash = $1 AND expires_at > $2`,
		hash, now.Unix()).Scan(&member)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrSignInLinkGone
	}
	if err != nil {
		return "", fmt.Errorf("store: sign-in link: %w", err)
	}
	return member, nil
}

// UseSignInLink uses the sign-in link that hashes to hash: it is
// deleted, so that it works once, and if it worked at now its member's
// id is returned; else ErrSignInLinkGone. Two uses at once cannot both
// succeed: only one of them deletes the row.
func (s *Store) UseSignInLink(ctx context.Context, hash string, now time.Time) (string, error) {
	var member string
	var expires int64
	err := s.write(ctx, "use sign-in link", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `DELETE FROM signin_links WHERE hash = $1 RETURNING member_id, expires_at`, hash).Scan(&member, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrSignInLinkGone
		}
		if err != nil {
			return fmt.Errorf("store: use sign-in link: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if expires <= now.Unix() {
		return "", ErrSignInLinkGone
	}
	return member, nil
}
