package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/world"
)

// Importing members from a spreadsheet (commune import) is all or
// nothing: an organizer fixing a sheet of two hundred rows wants every
// mistake at once and no half-imported sheet to clean up by hand, so
// ImportMembers checks every member against the database before it
// writes one, and then writes all of them in one transaction.

// ImportedMember is one member to import: the account, the collective
// they join as a member (optional) and their commitment (optional).
type ImportedMember struct {
	// Line is where the member came from, named in problems.
	Line   int
	Member Member
	// Collective is a collective's id or, when no id matches, its name
	// (case does not matter); "" joins none.
	Collective string
	// Commitment is nil for a member who commits nothing yet. Its skills
	// are skill ids or names in any language of the catalog.
	Commitment *world.Commitment
}

// ProblemKind says what is wrong with a field of an imported member, so
// that the command line can say it in the user's language.
type ProblemKind string

const (
	ProblemTaken     ProblemKind = "taken"     // alias or email: another member has it
	ProblemRepeated  ProblemKind = "repeated"  // alias, email or skill: given twice (Other is the first line)
	ProblemUnknown   ProblemKind = "unknown"   // collective or skill: not in the database
	ProblemAmbiguous ProblemKind = "ambiguous" // collective or skill: the name matches several
	ProblemInvalid   ProblemKind = "invalid"   // any field: refused as CreateMember refuses it; Detail says why
)

// ImportProblem is what is wrong with one field of one imported member.
type ImportProblem struct {
	Line  int
	Field string // "alias", "language", "cell", "contact", "email", "collective", "skills", "hours", "max_km"
	Kind  ProblemKind
	// Value is the collective or skill at fault. An alias or an email is
	// never repeated here: problems end up in logs.
	Value string
	// Other is the line that has the alias or email first, for
	// ProblemRepeated.
	Other int
	// Detail is the store's own (English) explanation of ProblemInvalid.
	Detail string
}

// ImportError lists every problem of an import that was refused.
type ImportError struct{ Problems []ImportProblem }

func (e *ImportError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "line %d: %s: %s", p.Line, p.Field, p.Kind)
		if p.Detail != "" {
			b.WriteString(": " + p.Detail)
		}
	}
	return b.String()
}

// ImportMembers creates the members with their contacts sealed, their
// memberships and their commitments, in one transaction, and returns them
// as stored (ids chosen). If any member has a problem, nothing is written
// and the error is an *Error of CodeInvalid wrapping an *ImportError with
// all of them; with dryRun, everything is checked and nothing is written
// either way.
func (s *Store) ImportMembers(ctx context.Context, in []ImportedMember, dryRun bool) ([]Member, error) {
	ms := make([]ImportedMember, len(in))
	copy(ms, in)
	var problems []ImportProblem
	add := func(m *ImportedMember, field string, kind ProblemKind, value, detail string) {
		problems = append(problems, ImportProblem{Line: m.Line, Field: field, Kind: kind, Value: value, Detail: detail})
	}
	repeated := func(m *ImportedMember, field string, other int) {
		problems = append(problems, ImportProblem{Line: m.Line, Field: field, Kind: ProblemRepeated, Other: other})
	}
	s.keyMu.RLock() // the key may not change between sealing and writing
	defer s.keyMu.RUnlock()
	firstLine := make(map[string]int)
	firstEmail := make(map[any]int)
	indexes := make([]any, len(ms)) // email_index of each member, nil without an email
	for i := range ms {
		m := &ms[i]
		if m.Member.ID == "" {
			m.Member.ID = newID("m-")
		}
		if err := checkMember(&m.Member); err != nil {
			field, detail, _ := strings.Cut(ErrorMessage(err), ": ")
			add(m, field, ProblemInvalid, "", detail)
		}
		if c := m.Commitment; c != nil {
			if r := checkAmount(c.Hours); r != "" {
				add(m, "hours", ProblemInvalid, "", r)
			}
			if r := checkAmount(c.MaxKm); r != "" {
				add(m, "max_km", ProblemInvalid, "", r)
			}
		}
		if l, ok := firstLine[m.Member.Alias]; ok {
			repeated(m, "alias", l)
		} else {
			firstLine[m.Member.Alias] = m.Line
		}
		// Members sign in with a code sent to their email, found by its
		// index (logincode.go): an email belongs to one member.
		if indexes[i] = emailIndex(s.key, m.Member.Contact.Email); indexes[i] != nil {
			if l, ok := firstEmail[indexes[i]]; ok {
				repeated(m, "email", l)
			} else {
				firstEmail[indexes[i]] = m.Line
			}
		}
	}
	errRefused := errors.New("refused") // rolls the transaction back
	err := s.write(ctx, "import members", func(tx *sql.Tx) error {
		im := importer{ctx: ctx, tx: tx}
		collectives := im.names(`SELECT id, name FROM collectives ORDER BY id`, false)
		skills := im.names(`SELECT id, name FROM skills ORDER BY pos, id`, true)
		for i := range ms {
			m := &ms[i]
			if im.taken(`SELECT 1 FROM members WHERE alias = $1`, m.Member.Alias) {
				add(m, "alias", ProblemTaken, "", "")
			}
			if indexes[i] != nil && im.taken(`SELECT 1 FROM members WHERE email_index = $1`, indexes[i]) {
				add(m, "email", ProblemTaken, "", "")
			}
			if m.Collective != "" {
				id, kind := collectives.resolve(m.Collective)
				if kind != "" {
					add(m, "collective", kind, m.Collective, "")
				}
				m.Collective = id
			}
			if c := m.Commitment; c != nil {
				ids := make([]string, len(c.Skills))
				for j, sk := range c.Skills {
					id, kind := skills.resolve(sk)
					if kind == "" && slices.Contains(ids[:j], id) {
						kind = ProblemRepeated // "cook" and "cocinero" are one skill
					}
					if kind != "" {
						add(m, "skills", kind, sk, "")
					}
					ids[j] = id
				}
				c := *c
				c.Skills = ids
				m.Commitment = &c
			}
		}
		if im.err != nil {
			return im.err
		}
		if len(problems) > 0 || dryRun {
			return errRefused
		}
		return s.insertImported(ctx, tx, ms, indexes)
	})
	if len(problems) > 0 {
		return nil, &Error{Code: CodeInvalid, Message: "store: import members", Err: &ImportError{Problems: problems}}
	}
	if err != nil && !errors.Is(err, errRefused) {
		return nil, err
	}
	out := make([]Member, len(ms))
	for i := range ms {
		out[i] = ms[i].Member
	}
	return out, nil
}

// checkAmount refuses what world.Validate refuses in hours and max_km.
func checkAmount(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "must be a finite number"
	}
	if x < 0 {
		return "must be >= 0"
	}
	return ""
}

// insertImported writes members already checked.
func (s *Store) insertImported(ctx context.Context, tx *sql.Tx, ms []ImportedMember, indexes []any) error {
	now := s.now().UTC().Truncate(time.Second)
	var pos int // commitments keep the order of a world's members; these go last
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(pos) + 1, 0) FROM commitments`).Scan(&pos); err != nil {
		return fmt.Errorf("store: import members: %w", err)
	}
	for i := range ms {
		m := &ms[i]
		m.Member.Created = now
		where := fmt.Sprintf("store: import members: line %d", m.Line)
		var sealed any
		if !m.Member.Contact.empty() {
			plain, err := json.Marshal(m.Member.Contact)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			sealed = s.sealContact(m.Member.ID, plain)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO members (id, alias, language, cell, contact, call_opt_in, created_at, email_index)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, m.Member.ID, m.Member.Alias, m.Member.Language, m.Member.Cell, sealed, m.Member.CallOptIn, now.Unix(), indexes[i])
		if isUnique(err) { // taken since the check: by another writer
			return Errorf(CodeConflict, "line %d: alias or email: taken", m.Line)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if m.Collective != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (member_id, collective_id, role, pos) VALUES ($1, $2, $3, 0)`,
				m.Member.ID, m.Collective, string(RoleMember)); err != nil {
				return fmt.Errorf("%s: membership: %w", where, err)
			}
		}
		if c := m.Commitment; c != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO commitments (member_id, pos, hours, max_km) VALUES ($1, $2, $3, $4)`,
				m.Member.ID, pos, c.Hours, c.MaxKm); err != nil {
				return fmt.Errorf("%s: commitment: %w", where, err)
			}
			pos++
			for j, sk := range c.Skills {
				if _, err := tx.ExecContext(ctx, `INSERT INTO commitment_skills (member_id, skill_id, pos) VALUES ($1, $2, $3)`,
					m.Member.ID, sk, j); err != nil {
					return fmt.Errorf("%s: skills: %w", where, err)
				}
			}
		}
	}
	return nil
}

// importer reads what an import is checked against, keeping the first
// error.
type importer struct {
	ctx context.Context
	tx  *sql.Tx
	err error
}

// taken reports whether query, which looks a member up by a unique
// column, finds one. One query a member keeps an import of a few hundred
// rows quick without reading every alias of a large organization.
func (im *importer) taken(query string, key any) bool {
	if im.err != nil {
		return false
	}
	var one int
	err := im.tx.QueryRowContext(im.ctx, query, key).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false
	}
	if err != nil {
		im.err = fmt.Errorf("store: import members: look up a member: %w", err)
	}
	return err == nil
}

// lookup finds an id by the id itself or by a name, ignoring case.
type lookup struct {
	ids    map[string]bool
	byName map[string][]string
}

// names reads (id, name) rows; with translated, name is a JSON object of
// names by language (as skills keep them), each of which is a name.
func (im *importer) names(query string, translated bool) lookup {
	l := lookup{ids: make(map[string]bool), byName: make(map[string][]string)}
	if im.err != nil {
		return l
	}
	rows, err := im.tx.QueryContext(im.ctx, query)
	if err != nil {
		im.err = fmt.Errorf("store: import members: %w", err)
		return l
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			im.err = fmt.Errorf("store: import members: %w", err)
			return l
		}
		l.ids[id] = true
		names := []string{name}
		if translated {
			var byLang world.Names
			if json.Unmarshal([]byte(name), &byLang) != nil {
				continue
			}
			names = names[:0]
			for _, n := range byLang {
				names = append(names, n)
			}
		}
		for _, n := range names {
			k := strings.ToLower(n)
			if ids := l.byName[k]; len(ids) == 0 || ids[len(ids)-1] != id {
				l.byName[k] = append(ids, id)
			}
		}
	}
	if err := rows.Err(); err != nil {
		im.err = fmt.Errorf("store: import members: %w", err)
	}
	return l
}

// resolve returns the id that key names, or the problem with it.
func (l lookup) resolve(key string) (string, ProblemKind) {
	if l.ids[key] {
		return key, ""
	}
	switch ids := l.byName[strings.ToLower(key)]; len(ids) {
	case 0:
		return "", ProblemUnknown
	case 1:
		return ids[0], ""
	default:
		return "", ProblemAmbiguous
	}
}
