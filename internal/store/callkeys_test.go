package store

import (
	"context"
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
	before, err := w.s.Outbox(ctx, c.ID)
	if err != nil || len(before) != 6 {
		t.Fatalf("outbox before the migration: %d rows, %v; want 6", len(before), err)
	}
	if v, _ := w.s.SchemaVersion(ctx); v != 10 {
		t.Fatalf("schema version %d, want 10", v)
	}
	w.s.Close()

	s := open(t, cfg)
	after, err := s.Outbox(ctx, c.ID)
	if err != nil || len(after) != len(before) {
		t.Fatalf("outbox after the migration: %d rows, %v; want %d", len(after), err, len(before))
	}
	for i := range before {
		if after[i] != before[i] {
			t.Errorf("outbox row %d: got %+v, want %+v", i, after[i], before[i])
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
	if box, _ := s.Outbox(ctx, c.ID); len(box) != 4 {
		t.Errorf("outbox after m-001 left: %d rows, want 4", len(box))
	}
}
