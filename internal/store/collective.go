package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CollectiveKind says where a collective organizes.
type CollectiveKind string

const (
	Workplace     CollectiveKind = "workplace"
	School        CollectiveKind = "school"
	Neighbourhood CollectiveKind = "neighbourhood"
	OtherKind     CollectiveKind = "other"
)

func (k CollectiveKind) valid() bool {
	switch k {
	case Workplace, School, Neighbourhood, OtherKind:
		return true
	}
	return false
}

// Collective is a group of members in a factory, a school or a
// neighbourhood.
type Collective struct {
	ID      string
	Name    string
	Kind    CollectiveKind
	Created time.Time
}

// Role is what a member may do in a collective.
type Role string

const (
	RoleMember      Role = "member"
	RoleCoordinator Role = "coordinator"
)

// Membership is one member of a collective, as a list of members shows
// them: no contact details.
type Membership struct {
	MemberID string
	Alias    string
	Role     Role
}

// Lists are paged by key: a page holds up to limit items whose keys
// follow after, and the key to pass for the next page, "" after the last.
// The numbers are those of the API's contract for lists.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

func pageLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return DefaultLimit, nil
	case limit < 0 || limit > MaxLimit:
		return 0, Errorf(CodeInvalid, "limit: must be 1 to %d, got %d", MaxLimit, limit)
	}
	return limit, nil
}

// maxIDLen bounds ids, aliases and names.
const maxIDLen = 64

// checkID reports whether id is a valid id, made like the ids of a world
// file of a-z, 0-9 and '-'.
func checkID(field, id string) error {
	if id == "" || len(id) > maxIDLen {
		return Errorf(CodeInvalid, "%s: must be 1 to %d characters, got %d", field, maxIDLen, len(id))
	}
	for _, c := range []byte(id) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return Errorf(CodeInvalid, "%s: %q must be made of a-z, 0-9 and '-'", field, id)
		}
	}
	return nil
}

// checkName reports whether s is a name a person can read: 1 to 64
// characters of valid UTF-8, without control characters or surrounding
// spaces.
func checkName(field, s string) error {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 || n > maxIDLen:
		return Errorf(CodeInvalid, "%s: must be 1 to %d characters, got %d", field, maxIDLen, n)
	case !utf8.ValidString(s):
		return Errorf(CodeInvalid, "%s: not valid UTF-8", field)
	case strings.TrimSpace(s) != s:
		return Errorf(CodeInvalid, "%s: starts or ends with a space", field)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return Errorf(CodeInvalid, "%s: holds a control character", field)
	}
	return nil
}

// newID returns prefix and 12 random characters of a-z and 2-7 (60 bits).
func newID(prefix string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[b[i]&31]
	}
	return prefix + string(b)
}

// CreateCollective stores a new collective; an empty ID is chosen at
// random. It returns the collective as stored.
func (s *Store) CreateCollective(ctx context.Context, c Collective) (*Collective, error) {
	if c.ID == "" {
		c.ID = newID("c-")
	}
	if err := checkID("id", c.ID); err != nil {
		return nil, err
	}
	if err := checkName("name", c.Name); err != nil {
		return nil, err
	}
	if !c.Kind.valid() {
		return nil, Errorf(CodeInvalid, "kind: %q is not one of workplace, school, neighbourhood, other", c.Kind)
	}
	c.Created = s.now().UTC().Truncate(time.Second)
	_, err := s.db.ExecContext(ctx, `INSERT INTO collectives (id, name, kind, created_at) VALUES ($1, $2, $3, $4)`,
		c.ID, c.Name, string(c.Kind), c.Created.Unix())
	if isUnique(err) {
		return nil, Errorf(CodeConflict, "id: collective %q exists", c.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: create collective: %w", err)
	}
	return &c, nil
}

// Collective returns the collective with the id.
func (s *Store) Collective(ctx context.Context, id string) (*Collective, error) {
	var c Collective
	var created int64
	err := s.read.QueryRowContext(ctx, `SELECT id, name, kind, created_at FROM collectives WHERE id = $1`, id).
		Scan(&c.ID, &c.Name, &c.Kind, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(CodeNotFound, "collective %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: collective %q: %w", id, err)
	}
	c.Created = time.Unix(created, 0).UTC()
	return &c, nil
}

// Collectives returns a page of collectives in order of id, those after
// the id after, and the id to ask for the next page ("" after the last).
func (s *Store) Collectives(ctx context.Context, after string, limit int) ([]Collective, string, error) {
	limit, err := pageLimit(limit)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, name, kind, created_at FROM collectives
WHERE id > $1 ORDER BY id LIMIT $2`, after, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("store: list collectives: %w", err)
	}
	defer rows.Close()
	var cs []Collective
	for rows.Next() {
		var c Collective
		var created int64
		if err := rows.Scan(&c.ID, &c.Name, &c.Kind, &created); err != nil {
			return nil, "", fmt.Errorf("store: list collectives: %w", err)
		}
		c.Created = time.Unix(created, 0).UTC()
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: list collectives: %w", err)
	}
	next := ""
	if len(cs) > limit {
		cs = cs[:limit]
		next = cs[limit-1].ID
	}
	return cs, next, nil
}

// AddMembership makes a member part of a collective with a role.
func (s *Store) AddMembership(ctx context.Context, memberID, collectiveID string, role Role) error {
	if role != RoleMember && role != RoleCoordinator {
		return Errorf(CodeInvalid, "role: %q is not one of member, coordinator", role)
	}
	return s.write(ctx, "add membership", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, memberID, "member"); err != nil {
			return err
		}
		if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, collectiveID, "collective"); err != nil {
			return err
		}
		// A new membership goes after the member's others, so that a
		// world lists their collectives in the order they joined.
		_, err := tx.ExecContext(ctx, `INSERT INTO memberships (member_id, collective_id, role, pos)
SELECT $1, $2, $3, COALESCE(MAX(pos) + 1, 0) FROM memberships WHERE member_id = $1`,
			memberID, collectiveID, string(role))
		if isUnique(err) {
			return Errorf(CodeConflict, "member %q is already in collective %q", memberID, collectiveID)
		}
		if err != nil {
			return fmt.Errorf("store: add member %q to collective %q: %w", memberID, collectiveID, err)
		}
		return nil
	})
}

// exists returns a not-found error naming what unless query finds a row
// for id.
func exists(ctx context.Context, tx *sql.Tx, query, id, what string) error {
	var one int
	err := tx.QueryRowContext(ctx, query, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return Errorf(CodeNotFound, "%s %q not found", what, id)
	}
	if err != nil {
		return fmt.Errorf("store: look up %s %q: %w", what, id, err)
	}
	return nil
}

// CollectiveMembers returns a page of a collective's members in order of
// member id, those after the id after, and the id to ask for the next
// page ("" after the last).
func (s *Store) CollectiveMembers(ctx context.Context, collectiveID, after string, limit int) ([]Membership, string, error) {
	limit, err := pageLimit(limit)
	if err != nil {
		return nil, "", err
	}
	var ms []Membership
	err = s.snapshot(ctx, "list members", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, collectiveID, "collective"); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT m.id, m.alias, ms.role
FROM memberships ms JOIN members m ON m.id = ms.member_id
WHERE ms.collective_id = $1 AND ms.member_id > $2
ORDER BY ms.member_id LIMIT $3`, collectiveID, after, limit+1)
		if err != nil {
			return fmt.Errorf("store: list members of %q: %w", collectiveID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var m Membership
			if err := rows.Scan(&m.MemberID, &m.Alias, &m.Role); err != nil {
				return fmt.Errorf("store: list members of %q: %w", collectiveID, err)
			}
			ms = append(ms, m)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: list members of %q: %w", collectiveID, err)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ms) > limit {
		ms = ms[:limit]
		next = ms[limit-1].MemberID
	}
	return ms, next, nil
}
