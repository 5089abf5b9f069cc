package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AskVerify writes, for every unverified call whose reviewers have not
// been asked yet, a request to verify it into the outbox: one row per
// channel for each coordinator of the call's collective and each
// organizer, its author excepted, due at now. A report of a raid must
// not wait for a coordinator who happens to open the app. The requests
// go through the outbox like a call's notices (claimed, retried, kept
// across a restart, one idempotency id each), are given up once the
// call is verified or over (Delivery.Live), and are deleted with the
// call's other rows by the purge. It returns how many rows it wrote.
func (s *Store) AskVerify(ctx context.Context, now time.Time, channels []string) (int, error) {
	var n int
	err := s.write(ctx, "ask to verify calls", func(tx *sql.Tx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, `SELECT id, collective_id, COALESCE(author_id, '') FROM calls
WHERE status = 'unverified' AND asked_ms IS NULL ORDER BY created_ms, id`)
		if err != nil {
			return fmt.Errorf("store: ask to verify calls: %w", err)
		}
		type asking struct{ id, collective, author string }
		var calls []asking
		for rows.Next() {
			var a asking
			if err := rows.Scan(&a.id, &a.collective, &a.author); err != nil {
				rows.Close()
				return fmt.Errorf("store: ask to verify calls: %w", err)
			}
			calls = append(calls, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: ask to verify calls: %w", err)
		}
		for _, c := range calls {
			reviewers, err := reviewersOf(ctx, tx, c.collective, c.author)
			if err != nil {
				return err
			}
			ob := newInserter(tx, s.dialect, "call outbox", 6, `INSERT INTO call_outbox (call_id, member_id, channel, idem, next_ms, purpose) VALUES`, "")
			idem := idempotencyIDs()
			for _, m := range reviewers {
				for _, ch := range channels {
					if err := ob.add(ctx, c.id, m, ch, idem(), ms(now), "verify"); err != nil {
						return err
					}
					n++
				}
			}
			if err := ob.close(ctx); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE calls SET asked_ms = $2 WHERE id = $1`, c.id, ms(now)); err != nil {
				return fmt.Errorf("store: ask to verify call %q: %w", c.id, err)
			}
		}
		return nil
	})
	return n, err
}

// reviewersOf returns who may verify a call of collective raised by
// author: its coordinators and the organizers, the author excepted, by
// id.
func reviewersOf(ctx context.Context, tx *sql.Tx, collective, author string) ([]string, error) {
	ids, err := column(ctx, tx, `SELECT member_id FROM memberships WHERE collective_id = $1 AND role = 'coordinator' AND member_id <> $2
UNION SELECT member_id FROM organizers WHERE member_id <> $2 ORDER BY 1`, collective, author)
	if err != nil {
		return nil, fmt.Errorf("store: reviewers of collective %q: %w", collective, err)
	}
	return ids, nil
}
