package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/commune-org/commune/internal/geo"
)

// Events are marches, meetings and pickets that collectives are invited
// to. Each invited collective has a contingent: its group in the march,
// with a meeting point, a time and a marshal. Members of invited
// collectives answer yes, maybe or no, and check in at the event.
//
// Who answered what is personal: it says where a member will be. It is
// kept only until seven days after the event ends (EventRetention);
// then PurgeEvents keeps the counts per collective and deletes every row
// that names a member. Deleting a member deletes their rows at once.

// EventRetention is how long after an event ends its RSVPs, check-ins,
// reminders and marshals are kept.
const EventRetention = 7 * 24 * time.Hour

// Bounds of an event's texts and invitations.
const (
	maxTitle       = 120
	maxDescription = 4000
	maxNote        = 200
	// MaxEventCollectives bounds the collectives one event invites.
	MaxEventCollectives = 100
)

// AuditEventRSVPs is the audit action of reading who answered an event,
// by name, in one collective.
const AuditEventRSVPs = "event-rsvps"

// The answers to an event.
const (
	AnswerYes   = "yes"
	AnswerMaybe = "maybe"
	AnswerNo    = "no"
)

// ErrNotInvited says a member is in none of the collectives an event
// invites, or not in the one they named: they cannot answer or check in.
var ErrNotInvited = &Error{Code: CodeInvalid, Message: "collective: not a member of a collective the event invites"}

// ErrEventOver says an event has ended and takes no more answers.
var ErrEventOver = &Error{Code: CodeConflict, Message: "the event is over"}

// Event is an event as the store keeps it.
type Event struct {
	ID                           string
	TitleEN, TitleES             string
	DescriptionEN, DescriptionES string
	Starts, Ends                 time.Time
	// The place: a site, or a geohash cell of 4 to 6 characters.
	Site, Cell string
	// Collectives are the invited collectives, in the order given.
	Collectives []string
	// CreatedBy is the member who made it, empty once they are deleted
	// or the event is purged.
	CreatedBy string
	Created   time.Time
	// Purged says the RSVPs and check-ins are gone: only counts remain.
	Purged bool
}

// Contingent is an invited collective's group at an event.
type Contingent struct {
	Event, Collective string
	// The meeting point: a site or a cell, and free text.
	MeetSite, MeetCell, MeetNote string
	MeetAt                       time.Time // zero when not set
	// Marshal is the member who leads the contingent (their id), and
	// MarshalAlias their alias; empty when none.
	Marshal, MarshalAlias string
}

// RSVP is one member's answer to an event.
type RSVP struct {
	Event, Member, Alias, Collective, Answer string
	Updated                                  time.Time
	CheckedIn                                bool
}

// EventCount is how many members of a collective answered what, and
// how many checked in.
type EventCount struct {
	Collective, Name          string
	Yes, Maybe, No, CheckedIn int
}

// checkText reports whether s is readable text of at most max
// characters: valid UTF-8, without control characters other than line
// breaks when lines is set.
func checkText(field, s string, max int, required, lines bool) error {
	n := utf8.RuneCountInString(s)
	switch {
	case required && strings.TrimSpace(s) == "":
		return Errorf(CodeInvalid, "%s: required", field)
	case n > max:
		return Errorf(CodeInvalid, "%s: must be at most %d characters, got %d", field, max, n)
	case !utf8.ValidString(s):
		return Errorf(CodeInvalid, "%s: not valid UTF-8", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(lines && (r == '\n' || r == '\r' || r == '\t')) {
			return Errorf(CodeInvalid, "%s: holds a control character", field)
		}
	}
	return nil
}

func checkEvent(e *Event) error {
	for _, f := range []struct {
		name, s  string
		max      int
		required bool
	}{
		{"title.en", e.TitleEN, maxTitle, true},
		{"title.es", e.TitleES, maxTitle, true},
		{"description.en", e.DescriptionEN, maxDescription, false},
		{"description.es", e.DescriptionES, maxDescription, false},
	} {
		if err := checkText(f.name, f.s, f.max, f.required, f.name[0] == 'd'); err != nil {
			return err
		}
	}
	switch {
	case e.Starts.IsZero():
		return Errorf(CodeInvalid, "starts_at: required")
	case !e.Ends.After(e.Starts):
		return Errorf(CodeInvalid, "ends_at: must be after starts_at")
	case e.Ends.Sub(e.Starts) > 7*24*time.Hour:
		return Errorf(CodeInvalid, "ends_at: an event lasts at most 7 days")
	case (e.Site == "") == (e.Cell == ""):
		return Errorf(CodeInvalid, "place: give a site or a cell, one of them")
	case len(e.Collectives) == 0 || len(e.Collectives) > MaxEventCollectives:
		return Errorf(CodeInvalid, "collectives: invite 1 to %d collectives", MaxEventCollectives)
	}
	if e.Cell != "" {
		if err := geo.CheckHome(e.Cell); err != nil {
			return &Error{Code: CodeInvalid, Message: "cell", Err: err}
		}
	}
	seen := map[string]bool{}
	for i, c := range e.Collectives {
		if seen[c] {
			return Errorf(CodeInvalid, "collectives[%d]: %q twice", i, c)
		}
		seen[c] = true
	}
	return nil
}

// rowsQuerier is a database or a transaction, for queries of many rows.
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// CreateEvent stores a new event and its invitations, with an empty
// contingent for each invited collective. The id is chosen at random.
func (s *Store) CreateEvent(ctx context.Context, e Event) (*Event, error) {
	e.Starts, e.Ends = e.Starts.UTC().Truncate(time.Second), e.Ends.UTC().Truncate(time.Second)
	if err := checkEvent(&e); err != nil {
		return nil, err
	}
	e.ID, e.Created, e.Purged = newID("e-"), s.now().UTC().Truncate(time.Second), false
	err := s.write(ctx, "create event", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, e.CreatedBy, "member"); err != nil {
			return err
		}
		if e.Site != "" {
			if err := exists(ctx, tx, `SELECT 1 FROM sites WHERE id = $1`, e.Site, "site"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO events
	(id, title_en, title_es, description_en, description_es, starts_at, ends_at, site_id, cell, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			e.ID, e.TitleEN, e.TitleES, e.DescriptionEN, e.DescriptionES, e.Starts.Unix(), e.Ends.Unix(),
			nullString(e.Site), nullString(e.Cell), e.CreatedBy, e.Created.Unix()); err != nil {
			return fmt.Errorf("store: create event: %w", err)
		}
		for i, c := range e.Collectives {
			if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, c, "collective"); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_collectives (event_id, collective_id, pos) VALUES ($1, $2, $3)`,
				e.ID, c, i); err != nil {
				return fmt.Errorf("store: create event: invite %q: %w", c, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

const eventColumns = `id, title_en, title_es, description_en, description_es, starts_at, ends_at, site_id, cell, created_by, created_at, purged_at`

func scanEvent(scan func(...any) error) (Event, error) {
	var e Event
	var site, cell, by sql.NullString
	var starts, ends, created int64
	var purged sql.NullInt64
	err := scan(&e.ID, &e.TitleEN, &e.TitleES, &e.DescriptionEN, &e.DescriptionES, &starts, &ends, &site, &cell, &by, &created, &purged)
	e.Site, e.Cell, e.CreatedBy, e.Purged = site.String, cell.String, by.String, purged.Valid
	e.Starts, e.Ends, e.Created = time.Unix(starts, 0).UTC(), time.Unix(ends, 0).UTC(), time.Unix(created, 0).UTC()
	return e, err
}

// invited fills the invited collectives of e.
func invited(ctx context.Context, q rowsQuerier, e *Event) error {
	rows, err := q.QueryContext(ctx, `SELECT collective_id FROM event_collectives WHERE event_id = $1 ORDER BY pos`, e.ID)
	if err != nil {
		return fmt.Errorf("store: event %q: collectives: %w", e.ID, err)
	}
	defer rows.Close()
	e.Collectives = nil
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return fmt.Errorf("store: event %q: collectives: %w", e.ID, err)
		}
		e.Collectives = append(e.Collectives, c)
	}
	return rows.Err()
}

// Event returns the event with the id.
func (s *Store) Event(ctx context.Context, id string) (*Event, error) {
	var e Event
	err := s.snapshot(ctx, "read event", func(tx *sql.Tx) error {
		var err error
		e, err = scanEvent(tx.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id = $1`, id).Scan)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "event %q not found", id)
		}
		if err != nil {
			return fmt.Errorf("store: event %q: %w", id, err)
		}
		return invited(ctx, tx, &e)
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// Events returns the events that end after from, in order of start: all
// of them when memberID is empty, else those that invite a collective
// the member belongs to. At most MaxLimit.
func (s *Store) Events(ctx context.Context, memberID string, from time.Time) ([]Event, error) {
	var es []Event
	err := s.snapshot(ctx, "list events", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events e
WHERE ends_at > $1 AND ($2 = '' OR EXISTS (SELECT 1 FROM event_collectives ec
	JOIN memberships ms ON ms.collective_id = ec.collective_id
	WHERE ec.event_id = e.id AND ms.member_id = $2))
ORDER BY starts_at, id LIMIT $3`, from.Unix(), memberID, MaxLimit)
		if err != nil {
			return fmt.Errorf("store: list events: %w", err)
		}
		for rows.Next() {
			e, err := scanEvent(rows.Scan)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: list events: %w", err)
			}
			es = append(es, e)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("store: list events: %w", err)
		}
		for i := range es {
			if err := invited(ctx, tx, &es[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return es, err
}

// EventCollectivesOf returns the collectives an event invites that the
// member belongs to, in the event's order: empty when they are invited
// through none.
func (s *Store) EventCollectivesOf(ctx context.Context, eventID, memberID string) ([]string, error) {
	return eventCollectivesOf(ctx, s.read, eventID, memberID)
}

func eventCollectivesOf(ctx context.Context, q rowsQuerier, eventID, memberID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT ec.collective_id FROM event_collectives ec
JOIN memberships ms ON ms.collective_id = ec.collective_id AND ms.member_id = $2
WHERE ec.event_id = $1 ORDER BY ec.pos`, eventID, memberID)
	if err != nil {
		return nil, fmt.Errorf("store: collectives of event %q: %w", eventID, err)
	}
	defer rows.Close()
	var cs []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("store: collectives of event %q: %w", eventID, err)
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// pickCollective returns the collective a member answers or checks in
// for: want if they are in it and it is invited, else (want empty) the
// first invited one they are in.
func pickCollective(ctx context.Context, tx *sql.Tx, eventID, memberID, want string) (string, error) {
	cs, err := eventCollectivesOf(ctx, tx, eventID, memberID)
	if err != nil {
		return "", err
	}
	for _, c := range cs {
		if want == "" || c == want {
			return c, nil
		}
	}
	return "", ErrNotInvited
}

// liveEvent reads an event's times in tx, failing when it does not
// exist or has been purged.
func liveEvent(ctx context.Context, tx *sql.Tx, eventID string) (starts, ends time.Time, err error) {
	var s, e int64
	var purged sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT starts_at, ends_at, purged_at FROM events WHERE id = $1`, eventID).Scan(&s, &e, &purged)
	if errors.Is(err, sql.ErrNoRows) {
		return starts, ends, Errorf(CodeNotFound, "event %q not found", eventID)
	}
	if err != nil {
		return starts, ends, fmt.Errorf("store: event %q: %w", eventID, err)
	}
	if purged.Valid {
		return starts, ends, ErrEventOver
	}
	return time.Unix(s, 0).UTC(), time.Unix(e, 0).UTC(), nil
}

// SetRSVP records (or changes) a member's answer to an event, for the
// invited collective they name, or the first invited one they belong to
// when collective is empty. Answers are taken until the event ends.
func (s *Store) SetRSVP(ctx context.Context, eventID, memberID, collective, answer string) (*RSVP, error) {
	if answer != AnswerYes && answer != AnswerMaybe && answer != AnswerNo {
		return nil, Errorf(CodeInvalid, "answer: %q is not one of yes, maybe, no", answer)
	}
	now := s.now().UTC().Truncate(time.Second)
	r := RSVP{Event: eventID, Member: memberID, Answer: answer, Updated: now}
	err := s.write(ctx, "rsvp", func(tx *sql.Tx) error {
		_, ends, err := liveEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if !now.Before(ends) {
			return ErrEventOver
		}
		if r.Collective, err = pickCollective(ctx, tx, eventID, memberID, collective); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_rsvps (event_id, member_id, collective_id, answer, updated_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (event_id, member_id) DO UPDATE SET collective_id = excluded.collective_id, answer = excluded.answer, updated_at = excluded.updated_at`,
			eventID, memberID, r.Collective, answer, now.Unix()); err != nil {
			return fmt.Errorf("store: rsvp to %q: %w", eventID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// MyRSVP returns a member's answer to an event, nil when they gave none.
func (s *Store) MyRSVP(ctx context.Context, eventID, memberID string) (*RSVP, error) {
	var r RSVP
	var updated int64
	var checked int
	err := s.read.QueryRowContext(ctx, `SELECT r.collective_id, r.answer, r.updated_at,
	(SELECT COUNT(*) FROM event_checkins c WHERE c.event_id = r.event_id AND c.member_id = r.member_id)
FROM event_rsvps r WHERE r.event_id = $1 AND r.member_id = $2`, eventID, memberID).Scan(&r.Collective, &r.Answer, &updated, &checked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: rsvp to %q: %w", eventID, err)
	}
	r.Event, r.Member, r.Updated, r.CheckedIn = eventID, memberID, time.Unix(updated, 0).UTC(), checked > 0
	return &r, nil
}

// CheckedIn reports whether a member has checked in at an event.
func (s *Store) CheckedIn(ctx context.Context, eventID, memberID string) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_checkins WHERE event_id = $1 AND member_id = $2`,
		eventID, memberID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: check-in at %q: %w", eventID, err)
	}
	return n > 0, nil
}

// EventCounts returns, for each invited collective in the event's order,
// how many of its members answered yes, maybe and no, and how many
// checked in: counted from the answers until the purge, read from the
// counts it kept after.
func (s *Store) EventCounts(ctx context.Context, eventID string) ([]EventCount, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT ec.collective_id, c.name,
	CASE WHEN e.purged_at IS NULL THEN (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = ec.event_id AND r.collective_id = ec.collective_id AND r.answer = 'yes') ELSE ec.yes_count END,
	CASE WHEN e.purged_at IS NULL THEN (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = ec.event_id AND r.collective_id = ec.collective_id AND r.answer = 'maybe') ELSE ec.maybe_count END,
	CASE WHEN e.purged_at IS NULL THEN (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = ec.event_id AND r.collective_id = ec.collective_id AND r.answer = 'no') ELSE ec.no_count END,
	CASE WHEN e.purged_at IS NULL THEN (SELECT COUNT(*) FROM event_checkins k WHERE k.event_id = ec.event_id AND k.collective_id = ec.collective_id) ELSE ec.checkin_count END
FROM event_collectives ec JOIN events e ON e.id = ec.event_id JOIN collectives c ON c.id = ec.collective_id
WHERE ec.event_id = $1 ORDER BY ec.pos`, eventID)
	if err != nil {
		return nil, fmt.Errorf("store: counts of event %q: %w", eventID, err)
	}
	defer rows.Close()
	var cs []EventCount
	for rows.Next() {
		var c EventCount
		if err := rows.Scan(&c.Collective, &c.Name, &c.Yes, &c.Maybe, &c.No, &c.CheckedIn); err != nil {
			return nil, fmt.Errorf("store: counts of event %q: %w", eventID, err)
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// EventRSVPs returns who of a collective answered an event, by alias,
// in order of alias, with whether they checked in. Callers write the
// read to the audit log first (AuditEventRSVPs).
func (s *Store) EventRSVPs(ctx context.Context, eventID, collectiveID string) ([]RSVP, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT r.member_id, m.alias, r.answer, r.updated_at,
	(SELECT COUNT(*) FROM event_checkins k WHERE k.event_id = r.event_id AND k.member_id = r.member_id)
FROM event_rsvps r JOIN members m ON m.id = r.member_id
WHERE r.event_id = $1 AND r.collective_id = $2 ORDER BY m.alias`, eventID, collectiveID)
	if err != nil {
		return nil, fmt.Errorf("store: rsvps of event %q: %w", eventID, err)
	}
	defer rows.Close()
	var rs []RSVP
	for rows.Next() {
		r := RSVP{Event: eventID, Collective: collectiveID}
		var updated int64
		var checked int
		if err := rows.Scan(&r.Member, &r.Alias, &r.Answer, &updated, &checked); err != nil {
			return nil, fmt.Errorf("store: rsvps of event %q: %w", eventID, err)
		}
		r.Updated, r.CheckedIn = time.Unix(updated, 0).UTC(), checked > 0
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// PurgeEvents keeps, for each event that ended EventRetention or more
// before now and is not yet purged, the counts per collective, and
// deletes its answers, check-ins and reminders, and forgets its marshals
// and creator. It returns how many events it purged. On SQLite it then
// truncates the write-ahead log, as PurgeCalls does.
func (s *Store) PurgeEvents(ctx context.Context, now time.Time) (int, error) {
	cutoff := now.Add(-EventRetention).Unix()
	var n int
	err := s.write(ctx, "purge events", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM events WHERE purged_at IS NULL AND ends_at <= $1`, cutoff)
		if err != nil {
			return fmt.Errorf("store: purge events: %w", err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("store: purge events: %w", err)
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("store: purge events: %w", err)
		}
		for _, id := range ids {
			for _, q := range []string{
				`UPDATE event_collectives SET
	yes_count = (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = event_collectives.event_id AND r.collective_id = event_collectives.collective_id AND r.answer = 'yes'),
	maybe_count = (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = event_collectives.event_id AND r.collective_id = event_collectives.collective_id AND r.answer = 'maybe'),
	no_count = (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = event_collectives.event_id AND r.collective_id = event_collectives.collective_id AND r.answer = 'no'),
	checkin_count = (SELECT COUNT(*) FROM event_checkins k WHERE k.event_id = event_collectives.event_id AND k.collective_id = event_collectives.collective_id),
	marshal_id = NULL
WHERE event_id = $1`,
				`DELETE FROM event_rsvps WHERE event_id = $1`,
				`DELETE FROM event_checkins WHERE event_id = $1`,
				`DELETE FROM event_reminders WHERE event_id = $1`,
			} {
				if _, err := tx.ExecContext(ctx, q, id); err != nil {
					return fmt.Errorf("store: purge event %q: %w", id, err)
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE events SET created_by = NULL, purged_at = $2 WHERE id = $1`, id, now.Unix()); err != nil {
				return fmt.Errorf("store: purge event %q: %w", id, err)
			}
		}
		n = len(ids)
		return nil
	})
	if err == nil && (n > 0 || s.pendingForget.Load()) {
		err = s.forget(ctx)
	}
	return n, err
}
