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
	if n, _, err := w.s.Ring(ctx, c.ID, w.now, call.Policy{Factor: 3}, []string{"email", "push"}); err != nil || n != 3 {
		t.Fatalf("ring before the migration: %d, %v; want 3", n, err)
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
