package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// Lists of calls for the pages (web/callpages.go): the calls of a
// coordinator's collectives, so that another coordinator sees an
// unverified call and verifies it, and the open calls a member was
// notified of, for the card on their page.

// CollectiveCalls returns the calls of the collectives, newest first, at
// most limit; every collective's when all is set (an organizer's).
func (s *Store) CollectiveCalls(ctx context.Context, collectives []string, all bool, limit int) ([]Call, error) {
	if !all && len(collectives) == 0 {
		return nil, nil
	}
	if limit <= 0 || limit > MaxLimit {
		limit = MaxLimit
	}
	var where string
	var args []any
	if !all {
		var ph []string
		for _, c := range collectives {
			args = append(args, c)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		where = ` WHERE collective_id IN (` + strings.Join(ph, ", ") + `)`
	}
	args = append(args, limit)
	q := `SELECT id FROM calls` + where + ` ORDER BY created_ms DESC, id DESC LIMIT $` + strconv.Itoa(len(args))
	return s.callsOf(ctx, "collective calls", q, args...)
}

// NotifiedOpenCalls returns the open calls that reached member, newest
// first: those sent to them on at least one channel, and those a ring
// targeted them with but no channel could carry (no address on any, or
// no channel at all), once none of their deliveries is still to be
// tried. For such a member the card on their page is the only notice,
// and it must not wait for one that will never come.
func (s *Store) NotifiedOpenCalls(ctx context.Context, member string) ([]Call, error) {
	return s.callsOf(ctx, "notified calls", `SELECT c.id FROM calls c JOIN call_targets t ON t.call_id = c.id
WHERE t.member_id = $1 AND c.status = 'open' AND (t.notified_ms IS NOT NULL OR NOT EXISTS (SELECT 1 FROM call_outbox o
	WHERE o.call_id = t.call_id AND o.member_id = t.member_id AND o.purpose = 'answer' AND o.next_ms IS NOT NULL))
ORDER BY c.created_ms DESC, c.id DESC`, member)
}

// callsOf reads the calls whose ids q selects, in its order, in one
// snapshot.
func (s *Store) callsOf(ctx context.Context, what, q string, args ...any) ([]Call, error) {
	var out []Call
	err := s.snapshot(ctx, what, func(tx *sql.Tx) error {
		ids, err := column(ctx, tx, q, args...)
		if err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		}
		out = make([]Call, 0, len(ids))
		for _, id := range ids {
			c, err := callIn(ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, *c)
		}
		return nil
	})
	return out, err
}
