package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/commune-org/commune/internal/geo"
)

// Member is a person in the organization: an alias, a language, a home
// cell of 4 to 6 geohash characters, and one way to reach them. There is
// no field for a legal name, an immigration status, a street address or a
// birth date, and there must never be one.
type Member struct {
	ID       string
	Alias    string
	Language string
	Cell     string
	Contact  Contact
	// CallOptIn says the member wants urgent calls near their cell.
	CallOptIn bool
	Created   time.Time
}

// Contact is how to reach a member. It is sealed in the database (see
// RotateKey) and opened only by Member.
type Contact struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

func (c Contact) empty() bool { return c == Contact{} }

// maxContactLen bounds each contact field.
const maxContactLen = 254

func checkMember(m *Member) error {
	if err := checkID("id", m.ID); err != nil {
		return err
	}
	if err := checkName("alias", m.Alias); err != nil {
		return err
	}
	if !isLanguage(m.Language) {
		return Errorf(CodeInvalid, "language: %q is not a language code such as en or es", m.Language)
	}
	if err := geo.CheckHome(m.Cell); err != nil {
		return &Error{Code: CodeInvalid, Message: "cell", Err: err}
	}
	if len(m.Contact.Email) > maxContactLen || len(m.Contact.Phone) > maxContactLen {
		return Errorf(CodeInvalid, "contact: longer than %d bytes", maxContactLen)
	}
	return nil
}

// isLanguage reports whether s is a two- or three-letter language code.
func isLanguage(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, c := range []byte(s) {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// CreateMember stores a new member, their contact sealed; an empty ID is
// chosen at random. It returns the member as stored.
func (s *Store) CreateMember(ctx context.Context, m Member) (*Member, error) {
	if m.ID == "" {
		m.ID = newID("m-")
	}
	if err := checkMember(&m); err != nil {
		return nil, err
	}
	m.Created = s.now().UTC().Truncate(time.Second)
	// The key may not change between sealing and writing.
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	if err := s.insertMember(ctx, s.db, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// execer is a database or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insertMember writes a checked member, their contact sealed and their
// email indexed. The caller holds keyMu for reading.
func (s *Store) insertMember(ctx context.Context, db execer, m *Member) error {
	var sealed any // NULL without a contact
	if !m.Contact.empty() {
		plain, err := json.Marshal(m.Contact)
		if err != nil {
			return fmt.Errorf("store: create member: %w", err)
		}
		sealed = s.sealContact(m.ID, plain)
	}
	index := emailIndex(s.key, m.Contact.Email)
	_, err := db.ExecContext(ctx, `INSERT INTO members (id, alias, language, cell, contact, call_opt_in, created_at, email_index)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, m.ID, m.Alias, m.Language, m.Cell, sealed, m.CallOptIn, m.Created.Unix(), index)
	if isUnique(err) {
		if index != nil && s.emailTaken(ctx, index) {
			return Errorf(CodeConflict, "contact.email: another member has it")
		}
		return Errorf(CodeConflict, "alias: taken (or id %q is)", m.ID)
	}
	if err != nil {
		return fmt.Errorf("store: create member: %w", err)
	}
	return nil
}

// Member returns the member with the id, their contact opened.
func (s *Store) Member(ctx context.Context, id string) (*Member, error) {
	return s.member(ctx, "id", id)
}

// MemberByAlias returns the member with the alias, their contact opened.
func (s *Store) MemberByAlias(ctx context.Context, alias string) (*Member, error) {
	return s.member(ctx, "alias", alias)
}

// querier is what member reads with: the read pool or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// member returns the member whose column by (id or alias) is key.
func (s *Store) member(ctx context.Context, by, key string) (*Member, error) {
	return s.memberIn(ctx, s.read, by, key)
}

func (s *Store) memberIn(ctx context.Context, q querier, by, key string) (*Member, error) {
	var m Member
	var sealed []byte
	var created int64
	err := q.QueryRowContext(ctx, `SELECT id, alias, language, cell, contact, call_opt_in, created_at
FROM members WHERE `+by+` = $1`, key).Scan(&m.ID, &m.Alias, &m.Language, &m.Cell, &sealed, &m.CallOptIn, &created)
	// An alias may say something about a person, and errors end up in
	// logs: only ids, which are pseudonymous, are named.
	if errors.Is(err, sql.ErrNoRows) && by == "id" {
		return nil, Errorf(CodeNotFound, "member %q not found", key)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(CodeNotFound, "no member has that %s", by)
	}
	if err != nil {
		return nil, fmt.Errorf("store: member by %s: %w", by, err)
	}
	m.Created = time.Unix(created, 0).UTC()
	if sealed != nil {
		plain, err := s.openContact(m.ID, sealed)
		if err != nil {
			return nil, fmt.Errorf("store: contact of member %q: %w", m.ID, err)
		}
		if err := json.Unmarshal(plain, &m.Contact); err != nil {
			return nil, fmt.Errorf("store: contact of member %q: %w", m.ID, err)
		}
	}
	return &m, nil
}

// DeleteMember deletes a member and, by the schema's cascades, every row
// about them: memberships, commitment, needs. The calls that reached them
// keep no foreign key (a ring writes too many rows to check each), so
// their targets, answers and outbox rows are deleted here. Their work and
// what they receive are also cut out of stored plans (see scrubPlans).
// Nothing is kept or flagged.
func (s *Store) DeleteMember(ctx context.Context, id string) error {
	err := s.write(ctx, "delete member", func(tx *sql.Tx) error {
		if err := s.scrubPlans(ctx, tx, id); err != nil {
			return err
		}
		// Only the calls not yet purged have such rows; by them, the
		// keys of the three tables are read from their start.
		for _, q := range []string{
			`DELETE FROM call_outbox WHERE call_id IN (SELECT id FROM calls WHERE purged_ms IS NULL) AND member_id = $1`,
			`DELETE FROM call_answers WHERE call_id IN (SELECT id FROM calls WHERE purged_ms IS NULL) AND member_id = $1`,
			`DELETE FROM call_targets WHERE call_id IN (SELECT id FROM calls WHERE purged_ms IS NULL) AND member_id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("store: delete member %q: %w", id, err)
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM members WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("store: delete member %q: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: delete member %q: %w", id, err)
		} else if n == 0 {
			return Errorf(CodeNotFound, "member %q not found", id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The rows are gone; their old pages go from SQLite's write-ahead
	// log now (forget.go). If readers keep it busy, the next purge
	// does it: the member is erased either way, which is what the
	// caller asked to know.
	_ = s.forget(ctx)
	return nil
}
