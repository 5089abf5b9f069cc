package store

import (
	"context"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/call"
)

// The lists of calls the pages show, in the conformance suite
// (store_test.go runs it on SQLite and PostgreSQL): a coordinator's
// collectives' calls newest first, and the open calls that reached a
// member.
func testCallLists(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	w := newCallWorld(t, fresh, 3)
	if _, err := w.s.CreateCollective(ctx, Collective{ID: "c-school", Name: "School", Kind: School}); err != nil {
		t.Fatal(err)
	}
	first := w.call(t, 1)
	w.now = w.now.Add(time.Minute)
	second := w.call(t, 1)
	other, err := w.s.CreateCall(ctx, NewCall{Collective: "c-school", Author: w.other, Request: call.Request{
		Cell: "9q5cs", Kind: call.Picket, Headcount: 2, Until: w.now.Add(time.Hour), Message: call.Message{EN: "picket"}}}, w.now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ids := func(cs []Call) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		collectives []string
		all         bool
		limit       int
		want        []string
	}{
		{"one collective, newest first", []string{"c-plant"}, false, 10, []string{second.ID, first.ID}},
		{"two collectives", []string{"c-plant", "c-school"}, false, 10, []string{other.ID, second.ID, first.ID}},
		{"a limit", []string{"c-plant", "c-school"}, false, 1, []string{other.ID}},
		{"every collective", nil, true, 10, []string{other.ID, second.ID, first.ID}},
		{"none", nil, false, 10, nil},
	} {
		got, err := w.s.CollectiveCalls(ctx, tc.collectives, tc.all, tc.limit)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if g := ids(got); len(g) != len(tc.want) || (len(g) > 0 && g[0] != tc.want[0]) || (len(g) > 1 && g[1] != tc.want[1]) {
			t.Errorf("%s: got %v, want %v", tc.name, g, tc.want)
		}
	}

	// Nobody was notified of an unverified call; after a ring is sent,
	// the members it reached are, while the call is open.
	notified := func(member string) []string {
		t.Helper()
		cs, err := w.s.NotifiedOpenCalls(ctx, member)
		if err != nil {
			t.Fatal(err)
		}
		return ids(cs)
	}
	if got := notified(w.members[0]); len(got) != 0 {
		t.Fatalf("before verification: got %v, want none", got)
	}
	if _, err := w.s.VerifyCall(ctx, first.ID, w.other, w.now); err != nil {
		t.Fatal(err)
	}
	if n, _, err := w.s.Ring(ctx, first.ID, w.now, call.Policy{Factor: 1, Interval: time.Minute}, []string{"email"}); err != nil || n != 1 {
		t.Fatalf("ring: %d, %v", n, err)
	}
	if got := notified(w.members[0]); len(got) != 0 {
		t.Errorf("targeted, not yet sent: got %v, want none", got)
	}
	ds, err := w.s.ClaimDeliveries(ctx, w.now, time.Minute, 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim: %d, %v", len(ds), err)
	}
	if err := w.s.DeliverySent(ctx, &ds[0], w.now); err != nil {
		t.Fatal(err)
	}
	if got := notified(w.members[0]); len(got) != 1 || got[0] != first.ID {
		t.Errorf("notified: got %v, want [%s]", got, first.ID)
	}
	if got := notified(w.members[1]); len(got) != 0 {
		t.Errorf("a member the ring did not reach: got %v, want none", got)
	}
	if _, err := w.s.CloseCall(ctx, first.ID, w.now); err != nil {
		t.Fatal(err)
	}
	if got := notified(w.members[0]); len(got) != 0 {
		t.Errorf("after the call closed: got %v, want none", got)
	}

	// A member no channel could reach (no address on any, or no channel
	// at all) still sees the call in the app once nothing is left to
	// send them: the card is the channel that always reaches them.
	if _, err := w.s.VerifyCall(ctx, second.ID, w.other, w.now); err != nil {
		t.Fatal(err)
	}
	if n, _, err := w.s.Ring(ctx, second.ID, w.now, call.Policy{Factor: 1, Interval: time.Minute}, []string{"email"}); err != nil || n != 1 {
		t.Fatalf("ring: %d, %v", n, err)
	}
	if ds, err = w.s.ClaimDeliveries(ctx, w.now, time.Minute, 10); err != nil || len(ds) != 1 {
		t.Fatalf("claim: %d, %v", len(ds), err)
	}
	if got := notified(w.members[0]); len(got) != 0 {
		t.Errorf("a delivery under way: got %v, want none", got)
	}
	if err := w.s.DeliveryRetry(ctx, &ds[0], "no-address", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := notified(w.members[0]); len(got) != 1 || got[0] != second.ID {
		t.Errorf("every delivery given up: got %v, want [%s]", got, second.ID)
	}
}
