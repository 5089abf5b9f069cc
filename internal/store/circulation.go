package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// The newspaper's circulation and the organization's growth, week by
// week (migration 0012): counts only, never a member.

// Week returns the ISO 8601 week of t, such as "2026-W48".
func Week(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

var weekRE = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// ValidWeek reports whether s is a week as Week writes it, and one that
// exists (a year has 52 or 53 weeks).
func ValidWeek(s string) bool {
	m := weekRE.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	y, _ := strconv.Atoi(m[1])
	w, _ := strconv.Atoi(m[2])
	// 28 December is always in the last week of its year.
	_, last := time.Date(y, 12, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return y >= 2000 && w >= 1 && w <= last
}

// MaxCopies bounds the copies of one week's record.
const MaxCopies = 1_000_000

// CirculationRecord is what a collective's coordinators record of one
// week's newspaper: the copies that reached them and those handed out.
type CirculationRecord struct {
	Collective string
	Week       string
	Received   int
	HandedOut  int
	Recorded   time.Time
}

// RecordCirculation keeps the record of a collective's week, replacing
// the one there was; invalid when the week or a count is out of range,
// not_found when the collective is missing.
func (s *Store) RecordCirculation(ctx context.Context, r CirculationRecord) error {
	switch {
	case !ValidWeek(r.Week):
		return Errorf(CodeInvalid, "week: %q is not a week such as 2026-W48", r.Week)
	case r.Received < 0 || r.Received > MaxCopies:
		return Errorf(CodeInvalid, "received: must be from 0 to %d", MaxCopies)
	case r.HandedOut < 0 || r.HandedOut > MaxCopies:
		return Errorf(CodeInvalid, "handed_out: must be from 0 to %d", MaxCopies)
	}
	return s.write(ctx, "record circulation", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, r.Collective, "collective"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO circulation (collective_id, week, received, handed_out, recorded_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (collective_id, week) DO UPDATE SET received = excluded.received, handed_out = excluded.handed_out,
recorded_at = excluded.recorded_at`, r.Collective, r.Week, r.Received, r.HandedOut, r.Recorded.Unix())
		if err != nil {
			return fmt.Errorf("store: record circulation: %w", err)
		}
		return nil
	})
}

// Circulation returns the records of every collective, by collective
// and week.
func (s *Store) Circulation(ctx context.Context) ([]CirculationRecord, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT collective_id, week, received, handed_out, recorded_at FROM circulation
ORDER BY collective_id, week`)
	if err != nil {
		return nil, fmt.Errorf("store: circulation: %w", err)
	}
	defer rows.Close()
	var out []CirculationRecord
	for rows.Next() {
		var r CirculationRecord
		var at int64
		if err := rows.Scan(&r.Collective, &r.Week, &r.Received, &r.HandedOut, &at); err != nil {
			return nil, fmt.Errorf("store: circulation: %w", err)
		}
		r.Recorded = time.Unix(at, 0).UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: circulation: %w", err)
	}
	return out, nil
}

// CollectiveSize is how many members a collective had in a week.
type CollectiveSize struct {
	Collective string
	Week       string
	Members    int
}

// NoteSizes notes how many members each collective has, as the size of
// the week of now; it runs often (the server's background work), and
// the last note of a week stands for it. (WHERE true: SQLite reads an
// ON CONFLICT after a SELECT without WHERE as part of a join.)
func (s *Store) NoteSizes(ctx context.Context, now time.Time) error {
	return s.write(ctx, "note sizes", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO collective_sizes (collective_id, week, members)
SELECT c.id, $1, (SELECT count(*) FROM memberships ms WHERE ms.collective_id = c.id) FROM collectives c WHERE true
ON CONFLICT (collective_id, week) DO UPDATE SET members = excluded.members`, Week(now))
		if err != nil {
			return fmt.Errorf("store: note sizes: %w", err)
		}
		return nil
	})
}

// Sizes returns the noted sizes of every collective, by collective and
// week.
func (s *Store) Sizes(ctx context.Context) ([]CollectiveSize, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT collective_id, week, members FROM collective_sizes ORDER BY collective_id, week`)
	if err != nil {
		return nil, fmt.Errorf("store: sizes: %w", err)
	}
	defer rows.Close()
	var out []CollectiveSize
	for rows.Next() {
		var c CollectiveSize
		if err := rows.Scan(&c.Collective, &c.Week, &c.Members); err != nil {
			return nil, fmt.Errorf("store: sizes: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sizes: %w", err)
	}
	return out, nil
}
