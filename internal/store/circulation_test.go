package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestWeek(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC), "2026-W48"},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2026-W53"},
		{time.Date(2024, 12, 30, 0, 0, 0, 0, time.UTC), "2025-W01"},
	} {
		if got := Week(tc.t); got != tc.want || !ValidWeek(got) {
			t.Errorf("Week(%v): got %q (valid %v), want %q", tc.t, got, ValidWeek(got), tc.want)
		}
	}
	for _, bad := range []string{"", "2026-48", "2026-W00", "2025-W53", "2026-W54", "1999-W10", "2026-w48", "2026-W4"} {
		if ValidWeek(bad) {
			t.Errorf("ValidWeek(%q): got true", bad)
		}
	}
}

func testCirculation(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	for _, id := range []string{"c-a", "c-b"} {
		if _, err := s.CreateCollective(ctx, Collective{ID: id, Name: id, Kind: Workplace}); err != nil {
			t.Fatal(err)
		}
	}
	for i, m := range []Member{{ID: "m-1", Alias: "Uno", Language: "es", Cell: "9q5cs"}, {ID: "m-2", Alias: "Dos", Language: "es", Cell: "9q5cs"}} {
		if _, err := s.CreateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		if err := s.AddMembership(ctx, m.ID, "c-a", RoleMember); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := s.AddMembership(ctx, m.ID, "c-b", RoleMember); err != nil {
				t.Fatal(err)
			}
		}
	}
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for _, r := range []CirculationRecord{
		{Collective: "c-a", Week: "2026-W47", Received: 30, HandedOut: 25, Recorded: at},
		{Collective: "c-a", Week: "2026-W48", Received: 10, HandedOut: 12, Recorded: at},
		{Collective: "c-a", Week: "2026-W48", Received: 40, HandedOut: 38, Recorded: at}, // replaces
		{Collective: "c-b", Week: "2026-W48", Received: 5, HandedOut: 0, Recorded: at},
	} {
		if err := s.RecordCirculation(ctx, r); err != nil {
			t.Fatalf("RecordCirculation(%+v): %v", r, err)
		}
	}
	for _, tc := range []struct {
		r    CirculationRecord
		code Code
	}{
		{CirculationRecord{Collective: "c-a", Week: "2026-W60", Received: 1}, CodeInvalid},
		{CirculationRecord{Collective: "c-a", Week: "2026-W48", Received: -1}, CodeInvalid},
		{CirculationRecord{Collective: "c-a", Week: "2026-W48", HandedOut: MaxCopies + 1}, CodeInvalid},
		{CirculationRecord{Collective: "c-nowhere", Week: "2026-W48", Received: 1}, CodeNotFound},
	} {
		if err := s.RecordCirculation(ctx, tc.r); ErrorCode(err) != tc.code {
			t.Errorf("RecordCirculation(%+v): got %v, want %s", tc.r, err, tc.code)
		}
	}
	got, err := s.Circulation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []CirculationRecord{
		{Collective: "c-a", Week: "2026-W47", Received: 30, HandedOut: 25, Recorded: at},
		{Collective: "c-a", Week: "2026-W48", Received: 40, HandedOut: 38, Recorded: at},
		{Collective: "c-b", Week: "2026-W48", Received: 5, HandedOut: 0, Recorded: at},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Circulation: got %+v, want %+v", got, want)
	}

	if err := s.NoteSizes(ctx, at.AddDate(0, 0, -7)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMembership(ctx, "m-2", "c-b", RoleMember); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second note of a week replaces the first
		if err := s.NoteSizes(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	sizes, err := s.Sizes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantSizes := []CollectiveSize{{"c-a", "2026-W47", 2}, {"c-a", "2026-W48", 2}, {"c-b", "2026-W47", 1}, {"c-b", "2026-W48", 2}}
	if !slices.Equal(sizes, wantSizes) {
		t.Errorf("Sizes: got %+v, want %+v", sizes, wantSizes)
	}
}
