package web

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/store"
)

// TestEventWorkerPurges: the server deletes by itself, with no test
// calling eventRound, the answers to an event that ended more than seven
// days ago, as soon as it starts: what expired while it was stopped does
// not wait for the first round, nor for a server that stays up that long.
func TestEventWorkerPurges(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db database) {
		ctx := context.Background()
		st, e := storeExpiredEvent(t, db)
		srv := New(st, slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)), Options{})
		t.Cleanup(func() { srv.Shutdown(context.Background()) })
		deadline := time.Now().Add(10 * time.Second) // the first round is a minute away
		for {
			got, err := st.Event(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.raw.QueryRow(`SELECT COUNT(*) FROM event_rsvps WHERE event_id = $1`, e.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if got.Purged && got.CreatedBy == "" && n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("10 s after the server started: purged %v, creator %q, %d answers; want purged, no creator, none", got.Purged, got.CreatedBy, n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// storeExpiredEvent opens db's store and puts in it an event of the
// collective garment that ended EventRetention and a day ago, as if the
// server had been stopped meanwhile, with a member's yes to it.
func storeExpiredEvent(t *testing.T, db database) (*store.Store, *store.Event) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateCollective(ctx, store.Collective{ID: "garment", Name: "Garment", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	m, err := st.CreateMember(ctx, store.Member{Alias: "rosa", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddMembership(ctx, m.ID, "garment", store.RoleMember); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(time.Hour)
	e, err := st.CreateEvent(ctx, store.Event{TitleEN: "Picket", TitleES: "Piquete", Starts: start, Ends: start.Add(2 * time.Hour),
		Cell: "9q5c", Collectives: []string{"garment"}, CreatedBy: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetRSVP(ctx, e.ID, m.ID, "", store.AnswerYes); err != nil {
		t.Fatal(err)
	}
	back := int64((store.EventRetention + 27*time.Hour) / time.Second)
	if _, err := db.raw.Exec(`UPDATE events SET starts_at = starts_at - $1, ends_at = ends_at - $1 WHERE id = $2`, back, e.ID); err != nil {
		t.Fatal(err)
	}
	return st, e
}
