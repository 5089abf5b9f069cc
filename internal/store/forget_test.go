package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/call"
)

// TestSQLiteForgetsAtOnce reads the files of a SQLite store that is
// still open, as someone who copies the data directory of a running
// server would: what an erasure or a purge deleted must be in none of
// them, the write-ahead log included. Close checkpoints and removes the
// log; a server is closed only when it stops.
func TestSQLiteForgetsAtOnce(t *testing.T) {
	ctx := context.Background()
	// files fails the test if a file of the store in dir holds mark.
	files := func(t *testing.T, dir string, marks ...string) {
		t.Helper()
		for _, name := range []string{DBFile, DBFile + "-wal", DBFile + "-journal"} {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range marks {
				if bytes.Contains(data, []byte(m)) {
					t.Errorf("%s (%d bytes) still holds %q", name, len(data), m)
				}
			}
		}
	}

	t.Run("DeleteMember", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, Config{DataDir: dir})
		m, err := s.CreateMember(ctx, Member{Alias: "Zafira Quintanilla", Language: "es", Cell: "9q5ct"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteMember(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		files(t, dir, "Zafira Quintanilla")
	})

	// A reader in the middle of a transaction keeps the log from being
	// truncated; the next purge, with nothing to purge, truncates it.
	t.Run("Retried", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, Config{DataDir: dir})
		m, err := s.CreateMember(ctx, Member{Alias: "Zafira Quintanilla", Language: "es", Cell: "9q5ct"})
		if err != nil {
			t.Fatal(err)
		}
		tx, err := s.read.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM members`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteMember(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if !s.pendingForget.Load() {
			t.Error("the log was truncated under a reader's transaction")
		}
		tx.Rollback()
		if n, err := s.PurgeCalls(ctx, time.Now(), DefaultCallRetention); n != 0 || err != nil {
			t.Fatalf("PurgeCalls: %d, %v; want 0", n, err)
		}
		files(t, dir, "Zafira Quintanilla")
	})

	t.Run("PurgeCalls", func(t *testing.T) {
		dir := t.TempDir()
		w := newCallWorld(t, func(*testing.T) Config { return Config{DataDir: dir} }, 3)
		c := w.call(t, 1)
		if _, err := w.s.VerifyCall(ctx, c.ID, w.other, w.now); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.s.Ring(ctx, c.ID, w.now, call.DefaultPolicy, []string{"email"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.AnswerCall(ctx, c.ID, "m-000", call.Coming, w.now); err != nil {
			t.Fatal(err)
		}
		closed := w.now.Add(time.Hour)
		if _, err := w.s.CloseCall(ctx, c.ID, closed); err != nil {
			t.Fatal(err)
		}
		if n, err := w.s.PurgeCalls(ctx, closed.Add(DefaultCallRetention), DefaultCallRetention); n != 1 || err != nil {
			t.Fatalf("PurgeCalls: %d, %v; want 1", n, err)
		}
		// The message, and an answer's row: the call's id beside the
		// member's.
		files(t, dir, "Redada en la planta", "Raid at the plant", c.ID+"m-000")
	})

	t.Run("PurgeEvents", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, Config{DataDir: dir})
		now := time.Date(2027, 4, 20, 12, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return now }
		if _, err := s.CreateCollective(ctx, Collective{ID: "c-a", Name: "A", Kind: Workplace}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateMember(ctx, Member{ID: "m-rsvp", Alias: "Ofelia", Language: "es", Cell: "9q5cs"}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddMembership(ctx, "m-rsvp", "c-a", RoleMember); err != nil {
			t.Fatal(err)
		}
		start := now.Add(24 * time.Hour)
		e, err := s.CreateEvent(ctx, Event{TitleEN: "May Day", TitleES: "Primero de Mayo", Starts: start, Ends: start.Add(4 * time.Hour),
			Cell: "9q5c", Collectives: []string{"c-a"}, CreatedBy: "m-rsvp"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetRSVP(ctx, e.ID, "m-rsvp", "", AnswerYes); err != nil {
			t.Fatal(err)
		}
		if n, err := s.PurgeEvents(ctx, start.Add(4*time.Hour+EventRetention)); n != 1 || err != nil {
			t.Fatalf("PurgeEvents: %d, %v; want 1", n, err)
		}
		// The answer's row: the event's id beside the member's.
		files(t, dir, e.ID+"m-rsvp")
	})
}
