package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Passkeys (WebAuthn credentials) are the normal way to sign in. The
// store keeps, for each, what the relying party must remember to check
// later assertions (WebAuthn Level 3, section 4, "credential record"):
// the credential id, its public key, its signature counter and flags. A
// public key opens nothing; the private key never leaves the member's
// authenticator.
//
// Each member who registers a passkey gets a user handle of 32 random
// bytes (passkey_users), which authenticators store and send back on a
// discoverable login. It is random rather than the member's id because
// ids may come from a world file and say something about a person, and
// an authenticator may sync to places the member does not control.

// Credential is a member's passkey.
type Credential struct {
	ID                []byte
	MemberID          string
	PublicKey         []byte // COSE_Key, as the authenticator made it
	SignCount         uint32
	Flags             byte // the authenticator data flags of registration, updated by logins
	AAGUID            []byte
	AttestationType   string
	AttestationFormat string
	// CloneWarning is set when a login's signature counter did not
	// grow: two copies of the private key may exist.
	CloneWarning bool
	Created      time.Time
	Used         time.Time // zero until the first login
}

// maxCredentialID is the largest credential id WebAuthn allows (section
// 5.1: at most 1023 bytes).
const maxCredentialID = 1023

// PasskeyHandle returns the member's WebAuthn user handle, creating it on
// first use.
func (s *Store) PasskeyHandle(ctx context.Context, memberID string) ([]byte, error) {
	var handle []byte
	err := s.write(ctx, "passkey handle", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, memberID, "member"); err != nil {
			return err
		}
		fresh := make([]byte, 32)
		rand.Read(fresh)
		if _, err := tx.ExecContext(ctx, `INSERT INTO passkey_users (member_id, handle) VALUES ($1, $2)
ON CONFLICT (member_id) DO NOTHING`, memberID, fresh); err != nil {
			return fmt.Errorf("store: passkey handle: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT handle FROM passkey_users WHERE member_id = $1`, memberID).Scan(&handle); err != nil {
			return fmt.Errorf("store: passkey handle: %w", err)
		}
		return nil
	})
	return handle, err
}

// MemberByPasskeyHandle returns the id of the member whose user handle
// is handle, or a not_found error.
func (s *Store) MemberByPasskeyHandle(ctx context.Context, handle []byte) (string, error) {
	var id string
	err := s.read.QueryRowContext(ctx, `SELECT member_id FROM passkey_users WHERE handle = $1`, handle).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", Errorf(CodeNotFound, "no member has that passkey handle")
	}
	if err != nil {
		return "", fmt.Errorf("store: member by passkey handle: %w", err)
	}
	return id, nil
}

// AddCredential stores a new passkey of its member, created at now. A
// credential id already stored, the member's or anyone's, is a conflict:
// an authenticator makes a new id for each registration.
func (s *Store) AddCredential(ctx context.Context, c Credential, now time.Time) error {
	switch {
	case len(c.ID) == 0 || len(c.ID) > maxCredentialID:
		return Errorf(CodeInvalid, "credential: id: must be 1 to %d bytes, got %d", maxCredentialID, len(c.ID))
	case len(c.PublicKey) == 0:
		return Errorf(CodeInvalid, "credential: public key: empty")
	}
	return s.write(ctx, "add credential", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, c.MemberID, "member"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO credentials (id, member_id, public_key, sign_count, flags, aaguid,
	attestation_type, attestation_format, clone_warning, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, c.ID, c.MemberID, c.PublicKey, int64(c.SignCount), int64(c.Flags),
			c.AAGUID, c.AttestationType, c.AttestationFormat, c.CloneWarning, now.Unix())
		if isUnique(err) {
			return Errorf(CodeConflict, "credential: already registered")
		}
		if err != nil {
			return fmt.Errorf("store: add credential: %w", err)
		}
		return nil
	})
}

// Credentials returns the member's passkeys, oldest first.
func (s *Store) Credentials(ctx context.Context, memberID string) ([]Credential, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, public_key, sign_count, flags, aaguid, attestation_type,
	attestation_format, clone_warning, created_at, used_at
FROM credentials WHERE member_id = $1 ORDER BY created_at, id`, memberID)
	if err != nil {
		return nil, fmt.Errorf("store: credentials: %w", err)
	}
	defer rows.Close()
	var out []Credential
	for rows.Next() {
		c := Credential{MemberID: memberID}
		var count, flags, created int64
		var used sql.NullInt64
		if err := rows.Scan(&c.ID, &c.PublicKey, &count, &flags, &c.AAGUID, &c.AttestationType,
			&c.AttestationFormat, &c.CloneWarning, &created, &used); err != nil {
			return nil, fmt.Errorf("store: credentials: %w", err)
		}
		c.SignCount, c.Flags = uint32(count), byte(flags)
		c.Created = time.Unix(created, 0).UTC()
		if used.Valid {
			c.Used = time.Unix(used.Int64, 0).UTC()
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: credentials: %w", err)
	}
	return out, nil
}

// UseCredential records a login with the passkey at now: its new
// signature counter, flags and clone warning, which the next login
// checks against.
func (s *Store) UseCredential(ctx context.Context, c Credential, now time.Time) error {
	return s.write(ctx, "use credential", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE credentials SET sign_count = $1, flags = $2, clone_warning = $3, used_at = $4
WHERE id = $5 AND member_id = $6`, int64(c.SignCount), int64(c.Flags), c.CloneWarning, now.Unix(), c.ID, c.MemberID)
		if err != nil {
			return fmt.Errorf("store: use credential: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: use credential: %w", err)
		} else if n == 0 {
			return Errorf(CodeNotFound, "credential not found")
		}
		return nil
	})
}
