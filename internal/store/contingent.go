package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/commune-org/commune/internal/geo"
)

// A contingent is an invited collective's group at an event: where and
// when it meets, and its marshal. A check-in says a member came.

// Contingent returns an invited collective's contingent at an event.
func (s *Store) Contingent(ctx context.Context, eventID, collectiveID string) (*Contingent, error) {
	c := Contingent{Event: eventID, Collective: collectiveID}
	var site, cell, marshal, alias sql.NullString
	var at sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT ec.meet_site, ec.meet_cell, ec.meet_note, ec.meet_at, ec.marshal_id, m.alias
FROM event_collectives ec LEFT JOIN members m ON m.id = ec.marshal_id
WHERE ec.event_id = $1 AND ec.collective_id = $2`, eventID, collectiveID).Scan(&site, &cell, &c.MeetNote, &at, &marshal, &alias)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(CodeNotFound, "collective %q is not invited to event %q", collectiveID, eventID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: contingent of %q at %q: %w", collectiveID, eventID, err)
	}
	c.MeetSite, c.MeetCell, c.Marshal, c.MarshalAlias = site.String, cell.String, marshal.String, alias.String
	if at.Valid {
		c.MeetAt = time.Unix(at.Int64, 0).UTC()
	}
	return &c, nil
}

// SetContingent sets an invited collective's meeting point, time and
// marshal (by MarshalAlias, who must be a member of the collective;
// empty for none). The meeting point is a site or a cell, or neither.
func (s *Store) SetContingent(ctx context.Context, c Contingent) (*Contingent, error) {
	switch {
	case c.MeetSite != "" && c.MeetCell != "":
		return nil, Errorf(CodeInvalid, "meet_cell: give a site or a cell, not both")
	case c.MeetCell != "":
		if err := geo.CheckHome(c.MeetCell); err != nil {
			return nil, &Error{Code: CodeInvalid, Message: "meet_cell", Err: err}
		}
	}
	if err := checkText("meet_note", c.MeetNote, maxNote, false, false); err != nil {
		return nil, err
	}
	c.MeetAt = c.MeetAt.UTC().Truncate(time.Second)
	err := s.write(ctx, "set contingent", func(tx *sql.Tx) error {
		if _, _, err := liveEvent(ctx, tx, c.Event); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_collectives WHERE event_id = $1 AND collective_id = $2`,
			c.Event, c.Collective).Scan(&n); err != nil {
			return fmt.Errorf("store: set contingent: %w", err)
		}
		if n == 0 {
			return Errorf(CodeNotFound, "collective %q is not invited to event %q", c.Collective, c.Event)
		}
		if c.MeetSite != "" {
			if err := exists(ctx, tx, `SELECT 1 FROM sites WHERE id = $1`, c.MeetSite, "site"); err != nil {
				return &Error{Code: CodeInvalid, Message: "meet_site: no such site"}
			}
		}
		c.Marshal = ""
		if c.MarshalAlias != "" {
			err := tx.QueryRowContext(ctx, `SELECT m.id FROM members m JOIN memberships ms ON ms.member_id = m.id
WHERE m.alias = $1 AND ms.collective_id = $2`, c.MarshalAlias, c.Collective).Scan(&c.Marshal)
			if errors.Is(err, sql.ErrNoRows) {
				return Errorf(CodeInvalid, "marshal: no member of the collective has the alias %q", c.MarshalAlias)
			}
			if err != nil {
				return fmt.Errorf("store: set contingent: %w", err)
			}
		}
		var at any
		if !c.MeetAt.IsZero() {
			at = c.MeetAt.Unix()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE event_collectives
SET meet_site = $3, meet_cell = $4, meet_note = $5, meet_at = $6, marshal_id = $7
WHERE event_id = $1 AND collective_id = $2`, c.Event, c.Collective,
			nullString(c.MeetSite), nullString(c.MeetCell), c.MeetNote, at, nullString(c.Marshal)); err != nil {
			return fmt.Errorf("store: set contingent: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CheckIn records that a member is at an event, for the collective of
// their answer, or the first invited one they belong to. Check-in opens
// two hours before the start and closes at the end; checking in twice
// is no error.
func (s *Store) CheckIn(ctx context.Context, eventID, memberID string) (collective string, err error) {
	now := s.now().UTC().Truncate(time.Second)
	err = s.write(ctx, "check in", func(tx *sql.Tx) error {
		starts, ends, err := liveEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if now.Before(starts.Add(-2*time.Hour)) || !now.Before(ends) {
			return Errorf(CodeConflict, "check-in is open from two hours before the event to its end")
		}
		err = tx.QueryRowContext(ctx, `SELECT collective_id FROM event_rsvps WHERE event_id = $1 AND member_id = $2`,
			eventID, memberID).Scan(&collective)
		if errors.Is(err, sql.ErrNoRows) {
			collective, err = pickCollective(ctx, tx, eventID, memberID, "")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_checkins (event_id, member_id, collective_id, at)
VALUES ($1, $2, $3, $4) ON CONFLICT (event_id, member_id) DO NOTHING`, eventID, memberID, collective, now.Unix()); err != nil {
			return fmt.Errorf("store: check in at %q: %w", eventID, err)
		}
		return nil
	})
	return collective, err
}

// MemberEvents returns what the events hold about a member, for their
// export: their answers and check-ins (a check-in without an answer has
// an empty Answer), and the contingents they are the marshal of (as
// RSVPs with Answer "marshal"), in order of event.
func (s *Store) MemberEvents(ctx context.Context, memberID string) ([]RSVP, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT r.event_id, r.collective_id, r.answer, r.updated_at,
	(SELECT COUNT(*) FROM event_checkins k WHERE k.event_id = r.event_id AND k.member_id = r.member_id)
FROM event_rsvps r WHERE r.member_id = $1
UNION ALL
SELECT k.event_id, k.collective_id, '', k.at, 1 FROM event_checkins k
WHERE k.member_id = $1 AND NOT EXISTS (SELECT 1 FROM event_rsvps r WHERE r.event_id = k.event_id AND r.member_id = k.member_id)
UNION ALL
SELECT ec.event_id, ec.collective_id, 'marshal', 0, 0 FROM event_collectives ec WHERE ec.marshal_id = $1
ORDER BY 1, 3`, memberID)
	if err != nil {
		return nil, fmt.Errorf("store: events of %q: %w", memberID, err)
	}
	defer rows.Close()
	var rs []RSVP
	for rows.Next() {
		r := RSVP{Member: memberID}
		var at int64
		var checked int
		if err := rows.Scan(&r.Event, &r.Collective, &r.Answer, &at, &checked); err != nil {
			return nil, fmt.Errorf("store: events of %q: %w", memberID, err)
		}
		r.CheckedIn = checked > 0
		if at != 0 {
			r.Updated = time.Unix(at, 0).UTC()
		}
		rs = append(rs, r)
	}
	return rs, rows.Err()
}
