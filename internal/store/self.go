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

// What a member reads and changes about themselves (the /api/v1/me
// routes): their account, their collectives, and the latest plan. Needs
// and commitments are in needs.go.

// MemberChange is a change to a member's account: each field that is not
// nil replaces the member's. There is no way to change an id: ids are
// what plans, tokens and audit entries point at.
type MemberChange struct {
	Alias    *string
	Language *string
	Cell     *string
	// Contact replaces the whole contact; an empty Contact removes it.
	// It also drops an address waiting for confirmation
	// (emailconfirm.go): the member chose their contact anew.
	Contact *Contact
	// Phone, when Contact is nil, replaces the phone alone: the email
	// stays as stored, so that a change made meanwhile by confirming an
	// address is not undone.
	Phone     *string
	CallOptIn *bool
}

// checkChange validates the fields a change sets, before anything is
// read or written, each error naming its field.
func checkChange(ch MemberChange) error {
	if ch.Alias != nil {
		if err := checkName("alias", *ch.Alias); err != nil {
			return err
		}
	}
	if ch.Language != nil && !isLanguage(*ch.Language) {
		return Errorf(CodeInvalid, "language: %q is not a language code such as en or es", *ch.Language)
	}
	if ch.Cell != nil {
		if err := geo.CheckHome(*ch.Cell); err != nil {
			return &Error{Code: CodeInvalid, Message: "cell", Err: err}
		}
	}
	if ch.Phone != nil && len(*ch.Phone) > maxContactLen {
		return Errorf(CodeInvalid, "contact.phone: longer than %d bytes", maxContactLen)
	}
	if c := ch.Contact; c != nil {
		if len(c.Email) > maxContactLen {
			return Errorf(CodeInvalid, "contact.email: longer than %d bytes", maxContactLen)
		}
		if len(c.Phone) > maxContactLen {
			return Errorf(CodeInvalid, "contact.phone: longer than %d bytes", maxContactLen)
		}
	}
	return nil
}

// UpdateMember applies a change to the member with the id and returns
// the member as stored. The change is validated whole before anything is
// written; a new contact is sealed afresh (a new nonce), so the old
// sealed value is gone from the row.
func (s *Store) UpdateMember(ctx context.Context, id string, ch MemberChange) (*Member, error) {
	if err := checkChange(ch); err != nil {
		return nil, err
	}
	// Held across reading, sealing and writing so that the key does not
	// change in between (RotateKey takes it for writing). Nothing below
	// may take it again: the contact is opened with unseal, not
	// openContact.
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	var m Member
	err := s.write(ctx, "update member", func(tx *sql.Tx) error {
		var sealed []byte
		var created int64
		// On PostgreSQL the row is locked until the transaction ends:
		// an address confirmed meanwhile (ConfirmEmail) is either seen
		// here or waits, and is never sealed over with the old one.
		// SQLite's one writer already serializes them.
		q := `SELECT id, alias, language, cell, contact, call_opt_in, created_at FROM members WHERE id = $1`
		if s.dialect == postgresDialect {
			q += ` FOR UPDATE`
		}
		err := tx.QueryRowContext(ctx, q, id).Scan(&m.ID, &m.Alias, &m.Language, &m.Cell, &sealed, &m.CallOptIn, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "member %q not found", id)
		}
		if err != nil {
			return fmt.Errorf("store: update member %q: %w", id, err)
		}
		m.Created = time.Unix(created, 0).UTC()
		if ch.Contact == nil && sealed != nil {
			plain, err := unseal(s.aead, m.ID, sealed)
			if err == nil {
				err = json.Unmarshal(plain, &m.Contact)
			}
			if err != nil {
				return fmt.Errorf("store: contact of member %q: %w", m.ID, err)
			}
		}
		// Only what changes is checked (checkChange): a member a world
		// import made has no language yet, and may still change their
		// cell without choosing one.
		apply(&m, ch)
		var newSealed any = sealed
		if ch.Contact != nil || ch.Phone != nil {
			newSealed = nil
			if !m.Contact.empty() {
				plain, err := json.Marshal(m.Contact)
				if err != nil {
					return fmt.Errorf("store: update member %q: %w", id, err)
				}
				newSealed = s.sealContact(m.ID, plain)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE members SET alias = $2, language = $3, cell = $4, call_opt_in = $5
WHERE id = $1`, m.ID, m.Alias, m.Language, m.Cell, m.CallOptIn)
		if isUnique(err) {
			// Which alias is not said: an alias may say something about
			// a person, and errors end up in logs.
			return Errorf(CodeConflict, "alias: taken by another member")
		}
		if err != nil {
			return fmt.Errorf("store: update member %q: %w", id, err)
		}
		if ch.Contact == nil && ch.Phone == nil {
			return nil
		}
		if ch.Contact == nil {
			// The phone alone: the email and its index stay.
			if _, err := tx.ExecContext(ctx, `UPDATE members SET contact = $2 WHERE id = $1`, m.ID, newSealed); err != nil {
				return fmt.Errorf("store: update member %q: %w", id, err)
			}
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM email_confirmations WHERE member_id = $1`, m.ID); err != nil {
			return fmt.Errorf("store: update member %q: %w", id, err)
		}
		// The contact and its email index change together (see
		// SetContact), and a code sent to the old address stops working.
		_, err = tx.ExecContext(ctx, `UPDATE members SET contact = $2, email_index = $3 WHERE id = $1`,
			m.ID, newSealed, emailIndex(s.key, m.Contact.Email))
		if isUnique(err) {
			return Errorf(CodeConflict, "contact.email: another member has it")
		}
		if err != nil {
			return fmt.Errorf("store: update member %q: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_codes WHERE member_id = $1`, m.ID); err != nil {
			return fmt.Errorf("store: update member %q: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

func apply(m *Member, ch MemberChange) {
	if ch.Alias != nil {
		m.Alias = *ch.Alias
	}
	if ch.Language != nil {
		m.Language = *ch.Language
	}
	if ch.Cell != nil {
		m.Cell = *ch.Cell
	}
	if ch.Contact != nil {
		m.Contact = *ch.Contact
	} else if ch.Phone != nil {
		m.Contact.Phone = *ch.Phone
	}
	if ch.CallOptIn != nil {
		m.CallOptIn = *ch.CallOptIn
	}
}

// Profile is a member's account and collectives, read together.
type Profile struct {
	Member      Member
	Memberships []MemberOf
}

// Profile returns the member with the id and their collectives, from one
// consistent snapshot.
func (s *Store) Profile(ctx context.Context, id string) (*Profile, error) {
	var p Profile
	err := s.snapshot(ctx, "read profile", func(tx *sql.Tx) error {
		m, err := s.memberIn(ctx, tx, "id", id)
		if err != nil {
			return err
		}
		p.Member = *m
		p.Memberships, err = membershipsIn(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// membershipsIn returns a member's collectives in the order they joined.
func membershipsIn(ctx context.Context, tx *sql.Tx, id string) ([]MemberOf, error) {
	g := getter{ctx: ctx, tx: tx}
	var out []MemberOf
	g.query(`SELECT c.id, c.name, c.kind, ms.role FROM memberships ms JOIN collectives c ON c.id = ms.collective_id
WHERE ms.member_id = $1 ORDER BY ms.pos, c.id`, func(r *sql.Rows) error {
		var mo MemberOf
		if err := r.Scan(&mo.CollectiveID, &mo.Name, &mo.Kind, &mo.Role); err != nil {
			return err
		}
		out = append(out, mo)
		return nil
	}, id)
	if g.err != nil {
		return nil, fmt.Errorf("store: memberships of %q: %w", id, g.err)
	}
	return out, nil
}

// LatestPlan returns the most recent run that is done, plan and all, or
// a not-found error when no run is done yet.
func (s *Store) LatestPlan(ctx context.Context) (*PlanRun, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT id FROM plan_runs WHERE status = $1 ORDER BY id DESC LIMIT 1`,
		string(RunDone)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(CodeNotFound, "no planning run is done yet")
	}
	if err != nil {
		return nil, fmt.Errorf("store: latest plan: %w", err)
	}
	return s.PlanRun(ctx, id)
}

// DonePlanRuns returns the ids of the runs that are done, oldest first:
// a member's export reads their part of each.
func (s *Store) DonePlanRuns(ctx context.Context) ([]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM plan_runs WHERE status = $1 ORDER BY id`, string(RunDone))
	if err != nil {
		return nil, fmt.Errorf("store: done plan runs: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: done plan runs: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: done plan runs: %w", err)
	}
	return ids, nil
}
