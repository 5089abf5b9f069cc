package store

import (
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// A member asks for a one-time login code by typing their email. The
// email is sealed in members.contact, which cannot be searched, and a
// column of plain emails would hand a thief the list of members. So each
// member row also holds email_index: an HMAC-SHA256 of the normalized
// email under a key derived from the sealing key. The server, which has
// the key, finds a member by email in one indexed lookup; a stolen
// database without the key file cannot even confirm a guess.

// Key returns a 32-byte key for purpose (such as "login-code" or
// "csrf"), derived from the sealing key by HMAC-SHA256 of the purpose.
// It lets the web layer keep HMAC keys of its own outside the database
// without a second key file to lose or leak. The keys change when
// RotateKey changes the sealing key, so what they protect must be short
// lived: codes of ten minutes, CSRF tokens of a session.
func (s *Store) Key(purpose string) []byte {
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	return deriveKey(s.key, purpose)
}

func deriveKey(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("commune key/v1 "))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// NormalizeEmail is the form of an email that is indexed: without
// surrounding spaces, in lower case. Mail systems treat the domain
// without regard to case and nearly all treat the local part so too;
// a member who types their address with a capital letter must still be
// found.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// emailIndex returns the email_index of email under the sealing key key,
// or nil (NULL) for an empty email. Call it with keyMu held.
func emailIndex(key []byte, email string) any {
	email = NormalizeEmail(email)
	if email == "" {
		return nil
	}
	m := hmac.New(sha256.New, deriveKey(key, "email-index"))
	m.Write([]byte(email))
	return hex.EncodeToString(m.Sum(nil))
}

// emailTaken reports whether a member has the email index. It reads
// from the read pool: a writer's transaction that failed on the index
// asks it, and on SQLite that transaction holds the one writer
// connection (on PostgreSQL it can run nothing more).
func (s *Store) emailTaken(ctx context.Context, index any) bool {
	var one int
	return s.read.QueryRowContext(ctx, `SELECT 1 FROM members WHERE email_index = $1`, index).Scan(&one) == nil
}

// MemberByEmail returns the member whose email is email (compared as
// NormalizeEmail does), their contact opened, or a not_found error whose
// message does not repeat the email.
func (s *Store) MemberByEmail(ctx context.Context, email string) (*Member, error) {
	s.keyMu.RLock()
	index := emailIndex(s.key, email)
	s.keyMu.RUnlock()
	if index == nil {
		return nil, Errorf(CodeNotFound, "no member has that email")
	}
	m, err := s.member(ctx, "email_index", index.(string))
	if ErrorCode(err) == CodeNotFound {
		return nil, Errorf(CodeNotFound, "no member has that email")
	}
	return m, err
}

// SetContact replaces the member's contact, sealed, and its email index
// with it, so that the index can never name an address the member no
// longer has. A code sent to the old address stops working. Any change
// of a member's contact must go through here (or CreateMember).
func (s *Store) SetContact(ctx context.Context, memberID string, c Contact) error {
	if len(c.Email) > maxContactLen || len(c.Phone) > maxContactLen {
		return Errorf(CodeInvalid, "contact: longer than %d bytes", maxContactLen)
	}
	// The key may not change between sealing and writing.
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	return s.write(ctx, "set contact", func(tx *sql.Tx) error {
		return setContactIn(ctx, tx, s.aead, s.key, memberID, c)
	})
}

// setContactIn is SetContact in the transaction tx, sealing with aead
// and indexing under key; the caller holds keyMu for reading.
func setContactIn(ctx context.Context, tx *sql.Tx, aead cipher.AEAD, key []byte, memberID string, c Contact) error {
	var sealed any // NULL without a contact
	if !c.empty() {
		plain, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("store: set contact: %w", err)
		}
		sealed = seal(aead, memberID, plain)
	}
	res, err := tx.ExecContext(ctx, `UPDATE members SET contact = $1, email_index = $2 WHERE id = $3`,
		sealed, emailIndex(key, c.Email), memberID)
	if isUnique(err) {
		return Errorf(CodeConflict, "contact.email: another member has it")
	}
	if err != nil {
		return fmt.Errorf("store: set contact of %q: %w", memberID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: set contact of %q: %w", memberID, err)
	} else if n == 0 {
		return Errorf(CodeNotFound, "member %q not found", memberID)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_codes WHERE member_id = $1`, memberID); err != nil {
		return fmt.Errorf("store: set contact of %q: %w", memberID, err)
	}
	return nil
}

// contactIn reads the member's contact in the transaction tx, opened
// with aead; the caller holds keyMu for reading.
func contactIn(ctx context.Context, tx *sql.Tx, aead cipher.AEAD, memberID string) (Contact, error) {
	var c Contact
	var sealed []byte
	err := tx.QueryRowContext(ctx, `SELECT contact FROM members WHERE id = $1`, memberID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return c, Errorf(CodeNotFound, "member %q not found", memberID)
	}
	if err != nil {
		return c, fmt.Errorf("store: contact of member %q: %w", memberID, err)
	}
	if sealed == nil {
		return c, nil
	}
	plain, err := unseal(aead, memberID, sealed)
	if err == nil {
		err = json.Unmarshal(plain, &c)
	}
	if err != nil {
		return c, fmt.Errorf("store: contact of member %q: %w", memberID, err)
	}
	return c, nil
}

// LoginCode is what the store keeps of a one-time login code: an HMAC of
// the code (auth.NewCode makes it), never the code, its expiry and how
// many times someone tried it. A member has at most one; a new one
// replaces the old.
type LoginCode struct {
	MemberID string
	Hash     string
	Expires  time.Time
	Attempts int
}

// PutLoginCode stores c as its member's code, replacing any earlier one,
// and deletes every code expired at now, so that the table holds only
// codes that can still be used.
func (s *Store) PutLoginCode(ctx context.Context, c LoginCode, now time.Time) error {
	if len(c.Hash) != 64 {
		return Errorf(CodeInvalid, "login code: hash: want 64 hex digits")
	}
	return s.write(ctx, "put login code", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, c.MemberID, "member"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_codes WHERE member_id = $1 OR expires_at <= $2`,
			c.MemberID, now.Unix()); err != nil {
			return fmt.Errorf("store: put login code: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_codes (member_id, hash, expires_at, attempts) VALUES ($1, $2, $3, $4)`,
			c.MemberID, c.Hash, c.Expires.Unix(), c.Attempts); err != nil {
			return fmt.Errorf("store: put login code: %w", err)
		}
		return nil
	})
}

// UseLoginCode reads the member's code and calls check on it, in one
// transaction, so that two guesses at once cannot both be counted as the
// first. check counts the attempt in c.Attempts (auth.Code.Verify does)
// and says whether the code was right: if it was, the code is deleted,
// since a code works once; if not, the new count is stored and check's
// error returned. A member without a code gets a not_found error.
func (s *Store) UseLoginCode(ctx context.Context, memberID string, check func(c *LoginCode) error) error {
	var checkErr error
	err := s.write(ctx, "use login code", func(tx *sql.Tx) error {
		c := LoginCode{MemberID: memberID}
		var expires int64
		// On PostgreSQL the row is locked until the transaction ends, or
		// two guesses at once would both read the same count and one
		// would be lost; SQLite's one writer already serializes them.
		q := `SELECT hash, expires_at, attempts FROM login_codes WHERE member_id = $1`
		if s.dialect == postgresDialect {
			q += ` FOR UPDATE`
		}
		err := tx.QueryRowContext(ctx, q, memberID).Scan(&c.Hash, &expires, &c.Attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "member %q has no login code", memberID)
		}
		if err != nil {
			return fmt.Errorf("store: use login code: %w", err)
		}
		c.Expires = time.Unix(expires, 0).UTC()
		if checkErr = check(&c); checkErr == nil {
			_, err = tx.ExecContext(ctx, `DELETE FROM login_codes WHERE member_id = $1`, memberID)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE login_codes SET attempts = $1 WHERE member_id = $2`, c.Attempts, memberID)
		}
		if err != nil {
			return fmt.Errorf("store: use login code: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return checkErr
}
