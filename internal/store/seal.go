package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Contact details are sealed with AES-256-GCM before they reach the
// database: a sealed value is a format byte, a random 12-byte nonce and
// the ciphertext with its tag. The member's id is the additional data, so
// a sealed contact copied onto another member's row does not open.

const (
	keySize    = 32 // AES-256
	sealFormat = 1
)

var errSealed = errors.New("sealed value does not open with this key")

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("key has %d bytes, want %d", len(key), keySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func additional(memberID string) []byte { return []byte("commune contact/v1 " + memberID) }

func seal(aead cipher.AEAD, memberID string, plain []byte) []byte {
	return sealWith(aead, additional(memberID), plain)
}

func unseal(aead cipher.AEAD, memberID string, sealed []byte) ([]byte, error) {
	return unsealWith(aead, additional(memberID), sealed)
}

// sealWith seals plain with the additional data ad, which says what the
// value is and whose: it opens only with the same ad.
func sealWith(aead cipher.AEAD, ad, plain []byte) []byte {
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = sealFormat
	rand.Read(out[1:]) // crypto/rand.Read never fails
	return aead.Seal(out, out[1:], plain, ad)
}

func unsealWith(aead cipher.AEAD, ad, sealed []byte) ([]byte, error) {
	n := aead.NonceSize()
	if len(sealed) < 1+n+aead.Overhead() || sealed[0] != sealFormat {
		return nil, errSealed
	}
	plain, err := aead.Open(nil, sealed[1:1+n], sealed[1+n:], ad)
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}

// sealContact must be called with keyMu held for reading, and held on
// until the sealed value is written (see CreateMember); openContact takes
// it itself.
func (s *Store) sealContact(memberID string, plain []byte) []byte {
	return seal(s.aead, memberID, plain)
}

func (s *Store) openContact(memberID string, sealed []byte) ([]byte, error) {
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	return unseal(s.aead, memberID, sealed)
}

// loadKey reads the key file, or creates it when there is none and the
// database holds no sealed contact. A key file left by a RotateKey that
// stopped half-way (the ".new" file) is kept or dropped according to
// which key the database's contacts open with.
func (s *Store) loadKey(ctx context.Context) error {
	if err := s.recoverRotation(ctx); err != nil {
		return err
	}
	key, err := os.ReadFile(s.keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		var sealed int
		if err := s.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM members WHERE contact IS NOT NULL) +
(SELECT COUNT(*) FROM push_subscriptions)`).Scan(&sealed); err != nil {
			return fmt.Errorf("store: key: count sealed contacts: %w", err)
		}
		if sealed > 0 {
			return &Error{Code: CodeUnavailable, Message: fmt.Sprintf(
				"store: key file %s is missing but the database holds %d sealed contacts; restore the key file", s.keyPath, sealed)}
		}
		key = make([]byte, keySize)
		rand.Read(key)
		err = createKeyFile(s.keyPath, key)
		if errors.Is(err, fs.ErrExist) { // another process made it first
			key, err = os.ReadFile(s.keyPath)
		}
	}
	if err != nil {
		return fmt.Errorf("store: key file: %w", err)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return fmt.Errorf("store: key file %s: %w", s.keyPath, err)
	}
	// A key that opens none of what is sealed is another database's, or
	// one a command made where it looked for the key (with PostgreSQL,
	// --data or --key of another directory): what it sealed, the
	// server's key would never open.
	if opens, _, err := s.opensSealed(ctx, aead); err != nil {
		return fmt.Errorf("store: key: %w", err)
	} else if !opens {
		return &Error{Code: CodeUnavailable, Message: "store: key file " + s.keyPath, Err: ErrWrongKey}
	}
	s.aead, s.key = aead, key
	return nil
}

// ErrWrongKey is why Open refuses a key file that does not open what the
// database holds sealed (errors.Is finds it in Open's error).
var ErrWrongKey = errors.New("it does not open the contacts sealed in this database; give the key of its server (--data or --key)")

// opensSealed reports whether aead opens a contact sealed in the
// database, or when none is, a push subscription, and whether anything
// is sealed; with nothing sealed, any key opens it.
func (s *Store) opensSealed(ctx context.Context, aead cipher.AEAD) (opens, sealed bool, err error) {
	var id string
	var value []byte
	err = s.read.QueryRowContext(ctx, `SELECT id, contact FROM members WHERE contact IS NOT NULL LIMIT 1`).Scan(&id, &value)
	switch {
	case err == nil:
		_, err := unseal(aead, id, value)
		return err == nil, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return false, false, fmt.Errorf("read a sealed contact: %w", err)
	}
	err = s.read.QueryRowContext(ctx, `SELECT member_id, subscription FROM push_subscriptions LIMIT 1`).Scan(&id, &value)
	switch {
	case err == nil:
		_, err := unsealPush(aead, id, value)
		return err == nil, true, nil
	case errors.Is(err, sql.ErrNoRows):
		return true, false, nil
	}
	return false, false, fmt.Errorf("read a sealed push subscription: %w", err)
}

// createKeyFile writes key to path with mode 0600, all at once: it is
// written and synced under a temporary name and then linked into place,
// which fails with fs.ErrExist if path exists.
func createKeyFile(path string, key []byte) error {
	tmp, err := writeTemp(path, key)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("create %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// writeTemp writes data with mode 0600 to a new file beside path, syncs
// it and returns its name.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", fmt.Errorf("create key file: %w", err)
	}
	name := f.Name()
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("write key file %s: %w", name, err)
	}
	return name, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

func (s *Store) newKeyPath() string { return s.keyPath + ".new" }

// recoverRotation finishes or undoes a rotation that stopped between
// writing the new key file and renaming it over the old one: if the
// database's contacts open with the new key, the transaction committed
// and the new key replaces the old; otherwise it is removed.
func (s *Store) recoverRotation(ctx context.Context) error {
	newKey, err := os.ReadFile(s.newKeyPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: key file: %w", err)
	}
	aead, err := newAEAD(newKey)
	if err != nil { // cut short while being written: the rotation never began
		if err := os.Remove(s.newKeyPath()); err != nil {
			return fmt.Errorf("store: key: undo interrupted rotation: %w", err)
		}
		return nil
	}
	// With nothing sealed, either key will do: the old one is kept.
	opens, sealed, err := s.opensSealed(ctx, aead)
	if err != nil {
		return fmt.Errorf("store: key: check interrupted rotation: %w", err)
	}
	if opens && sealed {
		if err := os.Rename(s.newKeyPath(), s.keyPath); err != nil {
			return fmt.Errorf("store: key: finish interrupted rotation: %w", err)
		}
		return syncDir(filepath.Dir(s.keyPath))
	}
	if err := os.Remove(s.newKeyPath()); err != nil {
		return fmt.Errorf("store: key: undo interrupted rotation: %w", err)
	}
	return nil
}

// RotateKey seals every contact again under a new random key, in one
// transaction, and replaces the key file. The new key is written to a
// ".new" file before the transaction commits and renamed over the old key
// after, so a crash at any point leaves a key that opens the contacts
// (Open sorts out which).
//
// Other processes that have the database open keep the old key: rotate
// with the server stopped.
func (s *Store) RotateKey(ctx context.Context) error {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	key := make([]byte, keySize)
	rand.Read(key)
	aead, err := newAEAD(key)
	if err != nil {
		return fmt.Errorf("store: rotate key: %w", err)
	}
	tmp, err := writeTemp(s.newKeyPath(), key)
	if err != nil {
		return fmt.Errorf("store: rotate key: %w", err)
	}
	if err := os.Rename(tmp, s.newKeyPath()); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: rotate key: %w", err)
	}
	err = s.write(ctx, "rotate key", func(tx *sql.Tx) error {
		type row struct {
			id     string
			sealed []byte
		}
		var all []row
		rows, err := tx.QueryContext(ctx, `SELECT id, contact FROM members WHERE contact IS NOT NULL`)
		if err != nil {
			return fmt.Errorf("store: rotate key: read contacts: %w", err)
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.sealed); err != nil {
				rows.Close()
				return fmt.Errorf("store: rotate key: read contacts: %w", err)
			}
			all = append(all, r)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("store: rotate key: read contacts: %w", err)
		}
		for _, r := range all {
			plain, err := unseal(s.aead, r.id, r.sealed)
			if err != nil {
				return fmt.Errorf("store: rotate key: contact of member %s: %w", r.id, err)
			}
			// The email index is keyed by the sealing key too: it changes
			// with it, in the same transaction.
			var c Contact
			if err := json.Unmarshal(plain, &c); err != nil {
				return fmt.Errorf("store: rotate key: contact of member %s: %w", r.id, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE members SET contact = $1, email_index = $2 WHERE id = $3`,
				seal(aead, r.id, plain), emailIndex(key, c.Email), r.id); err != nil {
				return fmt.Errorf("store: rotate key: contact of member %s: %w", r.id, err)
			}
		}
		// Addresses waiting for confirmation are not sealed again but
		// dropped: their links last a day, and a member whose link
		// stops working asks for another (emailconfirm.go).
		if _, err := tx.ExecContext(ctx, `DELETE FROM email_confirmations`); err != nil {
			return fmt.Errorf("store: rotate key: drop email confirmations: %w", err)
		}
		return resealPush(ctx, tx, s.aead, aead, key)
	})
	if err != nil {
		os.Remove(s.newKeyPath())
		return err
	}
	s.aead, s.key = aead, key // the contacts are sealed under it now, whatever follows
	if err := os.Rename(s.newKeyPath(), s.keyPath); err != nil {
		return fmt.Errorf("store: rotate key: replace key file (the new key is in %s): %w", s.newKeyPath(), err)
	}
	if err := syncDir(filepath.Dir(s.keyPath)); err != nil {
		return fmt.Errorf("store: rotate key: %w", err)
	}
	return nil
}

// SealedContacts counts the members whose contact is sealed: after
// RotateKey, how many contacts it sealed again (commune rotate-key says
// so, with the server stopped as RotateKey asks).
func (s *Store) SealedContacts(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE contact IS NOT NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count sealed contacts: %w", err)
	}
	return n, nil
}
