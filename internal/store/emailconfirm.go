package store

import (
	"context"
	"crypto/cipher"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// An email a member gives (joining, or changing their account) is kept
// apart until they confirm it: if it were attached at once, whoever
// typed it would learn from a refusal that it is already some member's,
// and anyone holding an invite link could test addresses one by one. So
// the web layer stores the address here, with the hash of a secret for
// a link, and the message that goes to the address either carries the
// link or, when the address is already a member's, says that someone
// tried to use it. Only ConfirmEmail, with the link's secret, attaches
// it. What the member who typed it can see (this row, the answer of
// their request) is the same either way.

// EmailConfirmTTL is how long a confirmation link works.
const EmailConfirmTTL = 24 * time.Hour

// EmailConfirmation is an address waiting to be confirmed: the member
// who gave it, the hash of the link's secret (auth.Hash), the address,
// and when the link stops working.
type EmailConfirmation struct {
	MemberID string
	Hash     string
	Email    string
	Expires  time.Time
}

// Why ConfirmEmail attached nothing. Both are conflicts with the state
// of the link or of the address, so that the web layer can say which.
var (
	// ErrConfirmationGone: no confirmation has the link's hash; it
	// expired, was used, was replaced by a newer one, or never was.
	ErrConfirmationGone = &Error{Code: CodeNotFound, Message: "email confirmation: no such link, or it expired or was used"}
	// ErrEmailTaken: the address became another member's meanwhile.
	ErrEmailTaken = &Error{Code: CodeConflict, Message: "contact.email: another member has it"}
)

// emailAdditional binds a sealed address waiting for confirmation to
// its member, and keeps it from opening as a contact (or a contact as
// one of these).
func emailAdditional(memberID string) []byte {
	return []byte("commune email confirmation/v1 " + memberID)
}

func sealEmail(aead cipher.AEAD, memberID, email string) []byte {
	return sealWith(aead, emailAdditional(memberID), []byte(email))
}

// PutEmailConfirmation stores c as its member's address to confirm,
// replacing any earlier one (whose link stops working), and deletes
// every confirmation expired at now.
func (s *Store) PutEmailConfirmation(ctx context.Context, c EmailConfirmation, now time.Time) error {
	switch {
	case len(c.Hash) != 64:
		return Errorf(CodeInvalid, "email confirmation: hash: want 64 hex digits")
	case c.Email == "" || len(c.Email) > maxContactLen:
		return Errorf(CodeInvalid, "contact.email: want 1 to %d bytes", maxContactLen)
	}
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	sealed := sealEmail(s.aead, c.MemberID, c.Email)
	return s.write(ctx, "put email confirmation", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, c.MemberID, "member"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM email_confirmations WHERE member_id = $1 OR expires_at <= $2`,
			c.MemberID, now.Unix()); err != nil {
			return fmt.Errorf("store: put email confirmation: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO email_confirmations (member_id, hash, email, expires_at) VALUES ($1, $2, $3, $4)`,
			c.MemberID, c.Hash, sealed, c.Expires.Unix()); err != nil {
			return fmt.Errorf("store: put email confirmation: %w", err)
		}
		return nil
	})
}

// EmailToConfirm returns the address the member gave that waits for
// confirmation at now, and when its link stops working, or "" if none
// does.
func (s *Store) EmailToConfirm(ctx context.Context, memberID string, now time.Time) (string, time.Time, error) {
	var sealed []byte
	var expires int64
	err := s.read.QueryRowContext(ctx, `SELECT email, expires_at FROM email_confirmations WHERE member_id = $1 AND expires_at > $2`,
		memberID, now.Unix()).Scan(&sealed, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store: email to confirm of %q: %w", memberID, err)
	}
	s.keyMu.RLock()
	plain, err := unsealWith(s.aead, emailAdditional(memberID), sealed)
	s.keyMu.RUnlock()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store: email to confirm of %q: %w", memberID, err)
	}
	return string(plain), time.Unix(expires, 0).UTC(), nil
}

// EmailConfirmationFor returns the id of the member whose confirmation's
// link's secret hashes to hash, if it works at now (not used, not
// expired), without using it; else ErrConfirmationGone. The page a link
// opens names the account it is for with it.
func (s *Store) EmailConfirmationFor(ctx context.Context, hash string, now time.Time) (string, error) {
	var member string
	err := s.read.QueryRowContext(ctx, `SELECT member_id FROM email_confirmations WHERE hash = $1 AND expires_at > $2`,
		hash, now.Unix()).Scan(&member)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrConfirmationGone
	}
	if err != nil {
		return "", fmt.Errorf("store: email confirmation: %w", err)
	}
	return member, nil
}

// DropEmailConfirmation deletes the member's address waiting for
// confirmation, if there is one.
func (s *Store) DropEmailConfirmation(ctx context.Context, memberID string) error {
	return s.write(ctx, "drop email confirmation", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM email_confirmations WHERE member_id = $1`, memberID); err != nil {
			return fmt.Errorf("store: drop email confirmation of %q: %w", memberID, err)
		}
		return nil
	})
}

// ConfirmEmail uses the confirmation whose link's secret hashes to
// hash: it is deleted whatever follows, so that a link works once, and
// if it has not expired at now its address becomes the member's email
// (their phone kept), sealed and indexed as SetContact does; a login
// code sent to an old address stops working. It returns the member's
// id. A link unknown, used or expired is ErrConfirmationGone; an address
// another member has by now is ErrEmailTaken, and nothing is attached.
func (s *Store) ConfirmEmail(ctx context.Context, hash string, now time.Time) (string, error) {
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	var member string
	var gone error // kept with the deletion: the transaction commits
	err := s.write(ctx, "confirm email", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM email_confirmations WHERE expires_at <= $1`, now.Unix()); err != nil {
			return fmt.Errorf("store: confirm email: %w", err)
		}
		// Deleting first, and reading what was deleted, makes the use
		// once only on both databases: of two uses at once, one deletes
		// the row and the other finds none.
		var sealed []byte
		err := tx.QueryRowContext(ctx, `DELETE FROM email_confirmations WHERE hash = $1 RETURNING member_id, email`, hash).
			Scan(&member, &sealed)
		if errors.Is(err, sql.ErrNoRows) {
			gone = ErrConfirmationGone
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: confirm email: %w", err)
		}
		plain, err := unsealWith(s.aead, emailAdditional(member), sealed)
		if err != nil {
			return fmt.Errorf("store: confirm email of %q: %w", member, err)
		}
		email := string(plain)
		index := emailIndex(s.key, email)
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM members WHERE email_index = $1 AND id <> $2`, index, member).Scan(&one)
		if err == nil {
			gone = ErrEmailTaken
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: confirm email of %q: %w", member, err)
		}
		// On PostgreSQL the member's row is locked before their contact
		// is read, as UpdateMember locks it: a phone changed meanwhile
		// is either seen here or waits, and is never sealed over with
		// the old one. SQLite's one writer already serializes them.
		if s.dialect == postgresDialect {
			if _, err := tx.ExecContext(ctx, `SELECT 1 FROM members WHERE id = $1 FOR UPDATE`, member); err != nil {
				return fmt.Errorf("store: confirm email of %q: %w", member, err)
			}
		}
		c, err := contactIn(ctx, tx, s.aead, member)
		if err != nil {
			return err
		}
		c.Email = email
		return setContactIn(ctx, tx, s.aead, s.key, member, c)
	})
	if err != nil {
		return "", err
	}
	if gone != nil {
		return "", gone
	}
	return member, nil
}

// PurgeEmailConfirmations deletes the confirmations expired at now and
// returns how many.
func (s *Store) PurgeEmailConfirmations(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, "purge email confirmations", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM email_confirmations WHERE expires_at <= $1`, now.Unix())
		if err != nil {
			return fmt.Errorf("store: purge email confirmations: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
