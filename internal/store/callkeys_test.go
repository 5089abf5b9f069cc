package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/commune-org/commune/internal/call"
)

// testCallKeysMigration rings a call, with answers and outbox rows, in
// the schema before migration 0011 (which drops the foreign keys of the
// calls' people and rebuilds their tables on SQLite), migrates, and
// finds every row again, readable and erasable as before.
func testCallKeysMigration(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	var cfg Config
	w := newCallWorld(t, func(t *testing.T) Config {
		cfg = fresh(t)
		old := cfg
		old.migrateTo = 10
		return old
	}, 3)
	c := w.call(t, 1)
	if _, err := w.s.VerifyCall(ctx, c.ID, w.other, w.now); err != nil {
		t.Fatal(err)
	}
	// The ring is written as Ring wrote it then: today's Ring also
	// writes columns that later migrations add (0016's counts of the
	// members a call missed).
	for i, m := range w.members {
		if _, err := w.s.db.Exec(`INSERT INTO call_targets (call_id, member_id, ring, km) VALUES ($1, $2, 1, $3)`, c.ID, m, float64(i)); err != nil {
			t.Fatalf("ring before the migration: %v", err)
		}
		for _, ch := range []string{"email", "push"} {
			if _, err := w.s.db.Exec(`INSERT INTO call_outbox (call_id, member_id, channel, idem, next_ms) VALUES ($1, $2, $3, $4, $5)`,
				c.ID, m, ch, idempotencyID(), ms(w.now)); err != nil {
				t.Fatalf("ring before the migration: %v", err)
			}
		}
	}
	if _, err := w.s.db.Exec(`UPDATE calls SET rings = 1, ring_ms = $2 WHERE id = $1`, c.ID, ms(w.now)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.AnswerCall(ctx, c.ID, "m-001", call.Coming, w.now); err != nil {
		t.Fatal(err)
	}
	before, err := rawOutbox(w.s)
	if err != nil || len(before) != 6 {
		t.Fatalf("outbox before the migration: %d rows, %v; want 6", len(before), err)
	}
	if v, _ := w.s.SchemaVersion(ctx); v != 10 {
		t.Fatalf("schema version %d, want 10", v)
	}
	w.s.Close()

	s := open(t, cfg)
	after, err := rawOutbox(s)
	if err != nil || len(after) != len(before) {
		t.Fatalf("outbox after the migration: %d rows, %v; want %d", len(after), err, len(before))
	}
	for i := range before {
		if after[i] != before[i] {
			t.Errorf("outbox row %d: got %q, want %q", i, after[i], before[i])
		}
	}
	cc, err := s.CallCounts(ctx, c.ID)
	if err != nil || cc.Targeted != 3 || cc.Coming != 1 {
		t.Fatalf("the call after the migration: %+v, %v; want 3 targeted, 1 coming", cc, err)
	}
	if a, err := s.MemberAnswer(ctx, c.ID, "m-001"); err != nil || a != call.Coming {
		t.Errorf("m-001's answer after the migration: %q, %v; want coming", a, err)
	}
	if err := s.DeleteMember(ctx, "m-001"); err != nil {
		t.Fatal(err)
	}
	cc, err = s.CallCounts(ctx, c.ID)
	if err != nil || cc.Targeted != 2 || cc.Coming != 0 {
		t.Errorf("the call after m-001 left: %+v, %v; want 2 targeted, 0 coming", cc, err)
	}
	box, err := s.Outbox(ctx, c.ID)
	if err != nil || len(box) != 4 || box[0].Verify {
		t.Errorf("outbox after m-001 left: %d rows (%v), want 4 notices", len(box), err)
	}
}

// rawOutbox reads the outbox's columns that every version of the schema
// has, in the order of its ids.
func rawOutbox(s *Store) ([]string, error) {
	rows, err := s.read.Query(`SELECT id, call_id, member_id, channel, idem, attempts, COALESCE(next_ms, 0) FROM call_outbox ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, attempts, next int64
		var callID, member, channel, idem string
		if err := rows.Scan(&id, &callID, &member, &channel, &idem, &attempts, &next); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprint(id, callID, member, channel, idem, attempts, next))
	}
	return out, rows.Err()
}
