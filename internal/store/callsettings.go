package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/commune-org/commune/internal/call"
)

// Who a call reaches is decided by each member's call settings (how far
// they go, when they can) and by their collectives' (a school's hours
// count as available for its students).

// DefaultCallReachKm is how far a member who opted in to calls but set
// no reach is reached: a short walk or ride.
const DefaultCallReachKm = 5

// MaxCallReachKm bounds a member's reach for calls.
const MaxCallReachKm = 200

// MemberCallSettings say how far a member goes for a call and when.
type MemberCallSettings struct {
	ReachKm float64
	Week    call.Week // empty: any time
	TZ      string    // an IANA time zone the windows are in; "" is UTC
}

// CollectiveCallSettings say whether a collective's calls wait for
// verification, and the hours during which its members count as
// available for calls (a school's, for its students).
type CollectiveCallSettings struct {
	Verify     bool
	SchoolWeek call.Week
	TZ         string
}

func checkWeek(week call.Week, tz string) error {
	if !week.Valid() {
		return Errorf(CodeInvalid, "week: a window is not within a day of its start")
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return Errorf(CodeInvalid, "tz: %q is not a time zone", tz)
	}
	return nil
}

func weekText(week call.Week) (string, error) {
	if len(week) == 0 {
		return "", nil
	}
	b, err := json.Marshal(week)
	return string(b), err
}

func parseWeek(text string) (call.Week, error) {
	if text == "" {
		return nil, nil
	}
	var w call.Week
	err := json.Unmarshal([]byte(text), &w)
	return w, err
}

// PutMemberCallSettings sets a member's call settings.
func (s *Store) PutMemberCallSettings(ctx context.Context, member string, set MemberCallSettings) error {
	if set.ReachKm < 0 || set.ReachKm > MaxCallReachKm {
		return Errorf(CodeInvalid, "reach_km: must be 0 to %d", MaxCallReachKm)
	}
	if set.TZ == "" {
		set.TZ = "UTC"
	}
	if err := checkWeek(set.Week, set.TZ); err != nil {
		return err
	}
	week, err := weekText(set.Week)
	if err != nil {
		return fmt.Errorf("store: member call settings: %w", err)
	}
	return s.write(ctx, "member call settings", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM members WHERE id = $1`, member, "member"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO member_call_settings (member_id, reach_km, week, tz) VALUES ($1, $2, $3, $4)
ON CONFLICT (member_id) DO UPDATE SET reach_km = excluded.reach_km, week = excluded.week, tz = excluded.tz`,
			member, set.ReachKm, week, set.TZ)
		if err != nil {
			return fmt.Errorf("store: member call settings: %w", err)
		}
		return nil
	})
}

// MemberCallSettings returns a member's call settings, the defaults if
// they set none.
func (s *Store) MemberCallSettings(ctx context.Context, member string) (*MemberCallSettings, error) {
	set := MemberCallSettings{ReachKm: DefaultCallReachKm, TZ: "UTC"}
	var week string
	err := s.read.QueryRowContext(ctx, `SELECT reach_km, week, tz FROM member_call_settings WHERE member_id = $1`, member).
		Scan(&set.ReachKm, &week, &set.TZ)
	if errors.Is(err, sql.ErrNoRows) {
		return &set, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: member call settings: %w", err)
	}
	if set.Week, err = parseWeek(week); err != nil {
		return nil, fmt.Errorf("store: member call settings: %w", err)
	}
	return &set, nil
}

// PutCollectiveCallSettings sets a collective's call settings.
func (s *Store) PutCollectiveCallSettings(ctx context.Context, collective string, set CollectiveCallSettings) error {
	if set.TZ == "" {
		set.TZ = "UTC"
	}
	if err := checkWeek(set.SchoolWeek, set.TZ); err != nil {
		return err
	}
	week, err := weekText(set.SchoolWeek)
	if err != nil {
		return fmt.Errorf("store: collective call settings: %w", err)
	}
	return s.write(ctx, "collective call settings", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, collective, "collective"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO collective_call_settings (collective_id, verify, school_week, tz) VALUES ($1, $2, $3, $4)
ON CONFLICT (collective_id) DO UPDATE SET verify = excluded.verify, school_week = excluded.school_week, tz = excluded.tz`,
			collective, set.Verify, week, set.TZ)
		if err != nil {
			return fmt.Errorf("store: collective call settings: %w", err)
		}
		return nil
	})
}

// CollectiveCallSettings returns a collective's call settings; without
// any, its calls wait for verification.
func (s *Store) CollectiveCallSettings(ctx context.Context, collective string) (*CollectiveCallSettings, error) {
	return collectiveCallSettingsIn(ctx, s.read, collective)
}

func collectiveCallSettingsIn(ctx context.Context, q querier, collective string) (*CollectiveCallSettings, error) {
	set := CollectiveCallSettings{Verify: true, TZ: "UTC"}
	var week string
	err := q.QueryRowContext(ctx, `SELECT verify, school_week, tz FROM collective_call_settings WHERE collective_id = $1`, collective).
		Scan(&set.Verify, &week, &set.TZ)
	if errors.Is(err, sql.ErrNoRows) {
		return &set, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: collective call settings: %w", err)
	}
	if set.SchoolWeek, err = parseWeek(week); err != nil {
		return nil, fmt.Errorf("store: collective call settings: %w", err)
	}
	return &set, nil
}

// shiftWeek returns the windows of w, kept in from, as windows in to at
// now (their offsets from UTC then): a school's hours for a student who
// keeps their own windows in another zone.
func shiftWeek(w call.Week, from, to *time.Location, now time.Time) call.Week {
	_, offFrom := now.In(from).Zone()
	_, offTo := now.In(to).Zone()
	delta := (offTo - offFrom) / 60
	if delta == 0 {
		return w
	}
	const week = 7 * 24 * 60
	out := make(call.Week, len(w))
	for i, win := range w {
		start := ((int(win.Day)*24*60+win.Start+delta)%week + week) % week
		out[i] = call.Window{Day: time.Weekday(start / (24 * 60)), Start: start % (24 * 60)}
		out[i].End = out[i].Start + win.End - win.Start
	}
	return out
}
