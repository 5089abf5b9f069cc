package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"
)

// The audit log says who read which collective's member list, and when:
// coordinators see aliases of people who may be at risk, and the
// organization must be able to see who looked. It never holds an IP
// address or what was read, only the action and the collective.
//
// Its actor is a pseudonym, not the member's id: hex of the first 16
// bytes of HMAC-SHA256(audit key, member id). The log must outlive its
// actors (a coordinator who read a list and then deleted their account
// is exactly who an organizer may need to trace), yet no row may name a
// deleted member (DELETE /api/v1/me erases every row that refers to
// them). With the id itself, keeping the rows would break the erasure
// and deleting them would break the log. With the HMAC, the rows stay and
// name no one: while the member exists, AuditLog can find their rows by
// computing their pseudonym; once they are gone, nothing left in the
// database links the pseudonym to them. The key is a file beside the
// contacts' key (never in the database), so that a stolen database
// cannot test a member id it learnt elsewhere against the log.
//
// The audit key is not rotated with the contacts' key: rotating it would
// cut each member's old rows off from their new ones.

// auditKeySize is the size of the audit key, in bytes.
const auditKeySize = 32

// Audit actions.
const (
	AuditListMembers = "list-members"
)

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID         int64
	Actor      string // the actor's pseudonym
	Action     string
	Collective string
	At         time.Time
}

func (s *Store) auditKeyPath() string { return s.keyPath + "-audit" }

// loadAuditKey reads the audit key file, or creates it with 32 random
// bytes and mode 0600. Losing it costs no data: the rows stay, but the
// members who exist then can no longer be found in the older ones.
func (s *Store) loadAuditKey() error {
	key, err := os.ReadFile(s.auditKeyPath())
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, auditKeySize)
		rand.Read(key)
		err = createKeyFile(s.auditKeyPath(), key)
		if errors.Is(err, fs.ErrExist) { // another process made it first
			key, err = os.ReadFile(s.auditKeyPath())
		}
	}
	if err != nil {
		return fmt.Errorf("store: audit key file: %w", err)
	}
	if len(key) != auditKeySize {
		return fmt.Errorf("store: audit key file %s: %d bytes, want %d", s.auditKeyPath(), len(key), auditKeySize)
	}
	s.auditKey = key
	return nil
}

// Pseudonym returns the name under which the audit log knows a member.
func (s *Store) Pseudonym(memberID string) string {
	h := hmac.New(sha256.New, s.auditKey)
	h.Write([]byte("commune audit/v1 " + memberID))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Audit writes that a member did action on a collective. Callers write
// it before they answer, and answer nothing if it fails, so that no read
// goes unrecorded.
func (s *Store) Audit(ctx context.Context, memberID, action, collectiveID string) error {
	if memberID == "" || action == "" || collectiveID == "" {
		return Errorf(CodeInvalid, "audit: member, action and collective are required")
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO audit_log (actor, action, collective_id, at) VALUES ($1, $2, $3, $4)`,
		s.Pseudonym(memberID), action, collectiveID, s.now().Unix())
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	return nil
}

// AuditFilter narrows the audit log; empty fields match every row.
type AuditFilter struct {
	Member     string // rows whose actor is this member's pseudonym
	Collective string
}

// AuditLog returns a page of the audit log, newest first: the rows after
// the cursor after (the "next" of the page before, "" for the first), and
// the cursor of the next page ("" after the last).
func (s *Store) AuditLog(ctx context.Context, f AuditFilter, after string, limit int) ([]AuditEntry, string, error) {
	limit, err := pageLimit(limit)
	if err != nil {
		return nil, "", err
	}
	before := int64(1<<63 - 1)
	if after != "" {
		before, err = strconv.ParseInt(after, 10, 64)
		if err != nil || before <= 0 {
			return nil, "", Errorf(CodeInvalid, "after: %q is not a cursor of the audit log", after)
		}
	}
	actor := ""
	if f.Member != "" {
		actor = s.Pseudonym(f.Member)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, actor, action, collective_id, at FROM audit_log
WHERE id < $1 AND ($2 = '' OR actor = $2) AND ($3 = '' OR collective_id = $3)
ORDER BY id DESC LIMIT $4`, before, actor, f.Collective, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var es []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.Actor, &e.Action, &e.Collective, &at); err != nil {
			return nil, "", fmt.Errorf("store: audit log: %w", err)
		}
		e.At = time.Unix(at, 0).UTC()
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: audit log: %w", err)
	}
	next := ""
	if len(es) > limit {
		es = es[:limit]
		next = strconv.FormatInt(es[limit-1].ID, 10)
	}
	return es, next, nil
}
