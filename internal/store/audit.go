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
	"slices"
	"strconv"
	"time"
)

// The audit log says who read which collective's member list, and when:
// coordinators see aliases of people who may be at risk, and the
// organization must be able to see who looked. It never holds an IP
// address or what was read, only the action and the collective. It also
// says who downloaded the world or a plan, which name every member at
// once (their home cells, commitments and needs; their work). It also
// says who revoked which API token, whose it was, and when: a token
// revoked by someone other than its member, or one revoked just before
// a script stopped, is what an organizer may need to explain.
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
	// AuditRevokeToken: an API token was revoked (RevokeToken,
	// RevokeMemberToken). The entry's Token is its public id and its
	// Subject the pseudonym of its member; its Collective is the one a
	// coordinator's token acted on, or "".
	AuditRevokeToken = "revoke-token"
	// AuditReadWorld: the world file was read (GET /api/v1/world):
	// every member's id, home cell, commitment and needs. Its
	// Collective is "": it is a read of the whole organization.
	AuditReadWorld = "read-world"
	// AuditReadPlan: a stored plan was read (GET /api/v1/plans/{id}):
	// every member's work. Its Collective is "", like AuditReadWorld's;
	// its PlanRun the run read (AuditPlanRead), 0 in the entries written
	// before the log said it.
	AuditReadPlan = "read-plan"
	// AuditSignInLink: a link that signs a member in once was made
	// (PutSignInLink, commune signin-link). Its Actor is AuditCLI, its
	// Subject the pseudonym of the member, its Collective "".
	AuditSignInLink = "signin-link"
)

// AuditActions are the actions the log holds, in the order a reader
// would choose among them.
func AuditActions() []string {
	return []string{AuditListMembers, AuditEventRSVPs, AuditReadWorld, AuditReadPlan, AuditRevokeToken, AuditSignInLink}
}

// wholeRead says whether action is a read of every member at once,
// which concerns no one collective.
func wholeRead(action string) bool { return action == AuditReadWorld || action == AuditReadPlan }

// AuditCLI is the actor of what was done on the command line (commune
// token --revoke): whoever holds the database and its key, whom the log
// cannot name. A pseudonym is 32 hex digits, so it is never this.
const AuditCLI = "cli"

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID     int64
	Actor  string // the actor's pseudonym, or AuditCLI
	Action string
	// Collective is the collective acted on, or "" for an action on
	// none (the revocation of a token that was not a coordinator's).
	Collective string
	// Subject is the pseudonym of the member acted on (whose token was
	// revoked, for whom a sign-in link was made), or "".
	Subject string
	// Token is the public id of the token revoked, or "".
	Token string
	// PlanRun is the plan run read (AuditReadPlan), or 0.
	PlanRun int64
	At      time.Time
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

// Audit writes that a member did action on a collective, or, for a
// read of every member at once (AuditReadWorld, AuditReadPlan), on none:
// collectiveID "". Callers write it before they answer, and answer
// nothing if it fails, so that no read goes unrecorded.
func (s *Store) Audit(ctx context.Context, memberID, action, collectiveID string) error {
	if memberID == "" || action == "" {
		return Errorf(CodeInvalid, "audit: member and action are required")
	}
	if whole := wholeRead(action); whole && collectiveID != "" {
		return Errorf(CodeInvalid, "audit: %s is of no one collective, not of %q", action, collectiveID)
	} else if !whole && collectiveID == "" {
		return Errorf(CodeInvalid, "audit: %s needs a collective", action)
	}
	return s.audit(ctx, s.db, AuditEntry{Actor: s.Pseudonym(memberID), Action: action, Collective: collectiveID})
}

// AuditPlanRead writes that a member read the plan of run: every
// member's work. Callers write it before they answer, as with Audit.
func (s *Store) AuditPlanRead(ctx context.Context, memberID string, run int64) error {
	if memberID == "" || run <= 0 {
		return Errorf(CodeInvalid, "audit: member and plan run are required")
	}
	return s.audit(ctx, s.db, AuditEntry{Actor: s.Pseudonym(memberID), Action: AuditReadPlan, PlanRun: run})
}

// audit writes e, at the store's time, through ex: the database, or the
// transaction of the change it records, so that the change and its
// entry are written together or not at all.
func (s *Store) audit(ctx context.Context, ex execer, e AuditEntry) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO audit_log (actor, action, collective_id, subject, token_id, plan_run, at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.Actor, e.Action, e.Collective, e.Subject, e.Token, e.PlanRun, s.now().Unix())
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditFilter narrows the audit log; empty fields match every row.
type AuditFilter struct {
	Member     string // rows whose actor is this member's pseudonym
	Collective string
	// Subject: rows whose subject is this member's pseudonym (the
	// revocations of their tokens).
	Subject string
	// Person: rows whose actor or subject is the pseudonym that begins
	// with these hex digits, the whole of one or at least its first
	// PersonDigits. Unlike Member and Subject it is not a member's id:
	// it is matched as given and never looked up, so that whoever has
	// only the log's codes (the organizers' page) can follow one person
	// through it without learning who they are.
	Person string
	Action string // rows of this action only: one of AuditActions
}

// PersonDigits is the fewest hex digits of a pseudonym that
// AuditFilter.Person takes: 32 bits, enough to tell apart the few
// people who read member lists or revoke tokens, and what the
// organizers' page shows of each.
const PersonDigits = 8

// validPerson says whether p is a pseudonym or the first PersonDigits
// or more of one, as Pseudonym writes them: lower-case hex.
func validPerson(p string) bool {
	if len(p) < PersonDigits || len(p) > 32 {
		return false
	}
	for _, c := range p {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// AuditLog returns a page of the audit log, newest first: the rows after
// the cursor after (the "next" of the page before, "" for the first), and
// the cursor of the next page ("" after the last).
func (s *Store) AuditLog(ctx context.Context, f AuditFilter, after string, limit int) ([]AuditEntry, string, error) {
	limit, err := pageLimit(limit)
	if err != nil {
		return nil, "", err
	}
	if f.Action != "" && !slices.Contains(AuditActions(), f.Action) {
		return nil, "", Errorf(CodeInvalid, "action: %q is not an action of the audit log", f.Action)
	}
	if f.Person != "" && !validPerson(f.Person) {
		return nil, "", Errorf(CodeInvalid, "person: %q is not a pseudonym, nor its first %d hex digits or more", f.Person, PersonDigits)
	}
	before := int64(1<<63 - 1)
	if after != "" {
		before, err = strconv.ParseInt(after, 10, 64)
		if err != nil || before <= 0 {
			return nil, "", Errorf(CodeInvalid, "after: %q is not a cursor of the audit log", after)
		}
	}
	actor, subject := "", ""
	if f.Member != "" {
		actor = s.Pseudonym(f.Member)
	}
	if f.Subject != "" {
		subject = s.Pseudonym(f.Subject)
	}
	// Person is compared with substr, which reads the same on both
	// databases (LIKE ignores case on SQLite and not on PostgreSQL). No
	// index serves it: a page of one person's rows reads the log down
	// from the cursor until it has found them.
	rows, err := s.read.QueryContext(ctx, `SELECT id, actor, action, collective_id, subject, token_id, plan_run, at FROM audit_log
WHERE id < $1 AND ($2 = '' OR actor = $2) AND ($3 = '' OR collective_id = $3) AND ($4 = '' OR subject = $4)
AND ($5 = '' OR action = $5)
AND ($6 = '' OR substr(actor, 1, length($6)) = $6 OR substr(subject, 1, length($6)) = $6)
ORDER BY id DESC LIMIT $7`, before, actor, f.Collective, subject, f.Action, f.Person, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var es []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.Actor, &e.Action, &e.Collective, &e.Subject, &e.Token, &e.PlanRun, &at); err != nil {
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
