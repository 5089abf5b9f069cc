package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/geo"
)

// The cases of urgent calls in the conformance suite (store_test.go
// runs them on SQLite and PostgreSQL).

// callWorld is a collective with a site and members who opted in to
// calls, north of the site: member i lives about i*1.1 km away, in a
// cell of its own, and goes up to 50 km.
type callWorld struct {
	s       *Store
	now     time.Time
	members []string // nearest first
	author  string
	other   string // a second coordinator
}

const (
	callSiteLat = 34.05
	callSiteLon = -118.25
)

func newCallWorld(t *testing.T, fresh func(t *testing.T) Config, n int) *callWorld {
	t.Helper()
	ctx := context.Background()
	w := &callWorld{s: open(t, fresh(t)), now: time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)}
	if _, err := w.s.CreateCollective(ctx, Collective{ID: "c-plant", Name: "Plant", Kind: Workplace}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.db.Exec(`INSERT INTO sites (id, pos, name, kind, lat, lon, collective_id) VALUES ('plant', 0, 'Plant', 'workplace', $1, $2, 'c-plant')`,
		callSiteLat, callSiteLon); err != nil {
		t.Fatal(err)
	}
	for i, who := range []*string{&w.author, &w.other} {
		m, err := w.s.CreateMember(ctx, Member{Alias: fmt.Sprintf("coordinator %d", i), Language: "es", Cell: "9q5cs"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.s.AddMembership(ctx, m.ID, "c-plant", RoleCoordinator); err != nil {
			t.Fatal(err)
		}
		*who = m.ID
	}
	for i := range n {
		cell := geo.Encode(callSiteLat+0.01*float64(i), callSiteLon, 6)
		m, err := w.s.CreateMember(ctx, Member{ID: fmt.Sprintf("m-%03d", i), Alias: fmt.Sprintf("worker %d", i), Language: "es",
			Cell: cell, CallOptIn: true, Contact: Contact{Email: fmt.Sprintf("w%d@example.org", i)}})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.s.PutMemberCallSettings(ctx, m.ID, MemberCallSettings{ReachKm: 50}); err != nil {
			t.Fatal(err)
		}
		w.members = append(w.members, m.ID)
	}
	return w
}

func (w *callWorld) call(t *testing.T, headcount int) *Call {
	t.Helper()
	c, err := w.s.CreateCall(context.Background(), NewCall{Collective: "c-plant", Author: w.author, Request: call.Request{
		Site: "plant", Kind: call.Raid, Headcount: headcount, Until: w.now.Add(2 * time.Hour),
		Message: call.Message{ES: "Redada en la planta", EN: "Raid at the plant"}}}, w.now)
	if err != nil {
		t.Fatalf("CreateCall: %v", err)
	}
	return c
}

func testCallSettings(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	w := newCallWorld(t, fresh, 1)
	got, err := w.s.MemberCallSettings(ctx, w.author)
	if err != nil || got.ReachKm != DefaultCallReachKm || len(got.Week) != 0 || got.TZ != "UTC" {
		t.Errorf("default member settings: got %+v, %v", got, err)
	}
	want := MemberCallSettings{ReachKm: 12.5, Week: call.Week{{Day: time.Monday, Start: 8 * 60, End: 15 * 60}}, TZ: "America/Los_Angeles"}
	if err := w.s.PutMemberCallSettings(ctx, w.author, want); err != nil {
		t.Fatal(err)
	}
	if got, err := w.s.MemberCallSettings(ctx, w.author); err != nil || got.ReachKm != want.ReachKm || !slices.Equal(got.Week, want.Week) || got.TZ != want.TZ {
		t.Errorf("member settings: got %+v, %v, want %+v", got, err, want)
	}
	for _, bad := range []MemberCallSettings{{ReachKm: -1}, {ReachKm: MaxCallReachKm + 1}, {ReachKm: 1, TZ: "Mars/Olympus"},
		{ReachKm: 1, Week: call.Week{{Day: 9, Start: 0, End: 10}}}} {
		wantCode(t, fmt.Sprintf("PutMemberCallSettings(%+v)", bad), w.s.PutMemberCallSettings(ctx, w.author, bad), CodeInvalid)
	}
	wantCode(t, "settings of a missing member", w.s.PutMemberCallSettings(ctx, "m-nobody", MemberCallSettings{ReachKm: 1}), CodeNotFound)

	cs, err := w.s.CollectiveCallSettings(ctx, "c-plant")
	if err != nil || !cs.Verify {
		t.Errorf("default collective settings: got %+v, %v, want verification on", cs, err)
	}
	if err := w.s.PutCollectiveCallSettings(ctx, "c-plant", CollectiveCallSettings{Verify: false}); err != nil {
		t.Fatal(err)
	}
	if cs, err := w.s.CollectiveCallSettings(ctx, "c-plant"); err != nil || cs.Verify {
		t.Errorf("collective settings: got %+v, %v, want verification off", cs, err)
	}
	// Without verification a call is open at once.
	if c := w.call(t, 1); c.Status != call.Open {
		t.Errorf("a call of a collective without verification: status %q, want open", c.Status)
	}
}

func testCallLifecycle(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	w := newCallWorld(t, fresh, 0)
	before := dump(t, w.s)
	for _, tc := range []struct {
		name  string
		req   call.Request
		field string
	}{
		{"unknown site", call.Request{Site: "nowhere", Kind: call.Raid, Headcount: 1, Until: w.now.Add(time.Hour), Message: call.Message{EN: "x"}}, "site"},
		{"bad cell", call.Request{Cell: "9q5ca", Kind: call.Raid, Headcount: 1, Until: w.now.Add(time.Hour), Message: call.Message{EN: "x"}}, "cell"},
		{"no headcount", call.Request{Site: "plant", Kind: call.Raid, Until: w.now.Add(time.Hour), Message: call.Message{EN: "x"}}, "headcount"},
		{"past", call.Request{Site: "plant", Kind: call.Raid, Headcount: 1, Until: w.now.Add(-time.Minute), Message: call.Message{EN: "x"}}, "until"},
		{"no message", call.Request{Site: "plant", Kind: call.Raid, Headcount: 1, Until: w.now.Add(time.Hour)}, "message"},
	} {
		_, err := w.s.CreateCall(ctx, NewCall{Collective: "c-plant", Author: w.author, Request: tc.req}, w.now)
		var errs call.Errors
		if !errors.As(err, &errs) || len(errs) == 0 || errs[0].Field != tc.field {
			t.Errorf("%s: got %v, want a call.Errors naming %s", tc.name, err, tc.field)
		}
	}
	_, err := w.s.CreateCall(ctx, NewCall{Collective: "c-none", Author: w.author, Request: call.Request{Cell: "9q5cs", Kind: call.Raid,
		Headcount: 1, Until: w.now.Add(time.Hour), Message: call.Message{EN: "x"}}}, w.now)
	wantCode(t, "a call of a missing collective", err, CodeNotFound)
	if after := dump(t, w.s); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("bad calls changed the database")
	}

	c := w.call(t, 2)
	if c.Status != call.Unverified || c.Cell != geo.Encode(callSiteLat, callSiteLon, 9) || c.Site != "plant" {
		t.Errorf("new call: got status %q cell %q site %q", c.Status, c.Cell, c.Site)
	}
	got, err := w.s.Call(ctx, c.ID)
	if err != nil || got.Status != call.Unverified || got.Headcount != 2 || got.Message != c.Message || got.Author != w.author ||
		!got.Until.Equal(c.Until) || got.Collective != "c-plant" || got.Place.Distance(geo.Point{Lat: callSiteLat, Lon: callSiteLon}) > 0.01 {
		t.Errorf("Call: got %+v, %v, want %+v", got, err, c)
	}
	_, err = w.s.VerifyCall(ctx, c.ID, w.author, w.now)
	if !errors.Is(err, call.ErrOwnCall) || ErrorCode(err) != CodeForbidden {
		t.Errorf("the author verifies: got %v, want call.ErrOwnCall, forbidden", err)
	}
	if n, _, err := w.s.Ring(ctx, c.ID, w.now, call.DefaultPolicy, []string{"email"}); n != 0 || err != nil {
		t.Errorf("Ring of an unverified call: %d, %v, want 0", n, err)
	}
	v, err := w.s.VerifyCall(ctx, c.ID, w.other, w.now.Add(time.Minute))
	if err != nil || v.Status != call.Open || v.VerifiedBy != w.other {
		t.Errorf("VerifyCall: %+v, %v", v, err)
	}
	_, err = w.s.VerifyCall(ctx, c.ID, w.other, w.now.Add(time.Minute))
	if !errors.Is(err, call.ErrNotVerify) || ErrorCode(err) != CodeConflict {
		t.Errorf("verify twice: got %v, want call.ErrNotVerify, conflict", err)
	}
	closed, err := w.s.CloseCall(ctx, c.ID, w.now.Add(2*time.Minute))
	if err != nil || closed.Status != call.Closed {
		t.Errorf("CloseCall: %+v, %v", closed, err)
	}
	_, err = w.s.CloseCall(ctx, c.ID, w.now.Add(3*time.Minute))
	wantCode(t, "close twice", err, CodeConflict)
	_, err = w.s.Call(ctx, "call-none")
	wantCode(t, "a missing call", err, CodeNotFound)

	// Time moves calls on: an unverified one expires after the TTL, an
	// open one closes at its end.
	stale, open := w.call(t, 1), w.call(t, 1)
	if _, err := w.s.VerifyCall(ctx, open.ID, w.other, w.now); err != nil {
		t.Fatal(err)
	}
	ids, err := w.s.TickCalls(ctx, w.now.Add(call.UnverifiedTTL-time.Second))
	if err != nil || len(ids) != 0 {
		t.Errorf("TickCalls before the TTL: %v, %v", ids, err)
	}
	ids, err = w.s.TickCalls(ctx, w.now.Add(call.UnverifiedTTL))
	if err != nil || !slices.Equal(ids, []string{stale.ID}) {
		t.Errorf("TickCalls at the TTL: %v, %v, want [%s]", ids, err, stale.ID)
	}
	if got, _ := w.s.Call(ctx, stale.ID); got.Status != call.Expired || !got.Closed.Equal(w.now.Add(call.UnverifiedTTL)) {
		t.Errorf("stale call: %q closed %v", got.Status, got.Closed)
	}
	ids, err = w.s.TickCalls(ctx, w.now.Add(3*time.Hour))
	if err != nil || !slices.Equal(ids, []string{open.ID}) {
		t.Errorf("TickCalls past the end: %v, %v, want [%s]", ids, err, open.ID)
	}
	if got, _ := w.s.Call(ctx, open.ID); got.Status != call.Closed || !got.Closed.Equal(open.Until) {
		t.Errorf("ended call: %q closed %v, want closed at %v", got.Status, got.Closed, open.Until)
	}
	if live, err := w.s.OpenCalls(ctx); err != nil || len(live) != 0 {
		t.Errorf("OpenCalls: %v, %v, want none", live, err)
	}
}

func testCallRings(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	w := newCallWorld(t, fresh, 30)
	// Who is not reached: a member who did not opt in, one whose reach
	// falls short, one not available now (17:00 UTC on a Monday).
	if _, err := w.s.db.Exec(`UPDATE members SET call_opt_in = $1 WHERE id = 'm-001'`, false); err != nil {
		t.Fatal(err)
	}
	if err := w.s.PutMemberCallSettings(ctx, "m-002", MemberCallSettings{ReachKm: 1}); err != nil {
		t.Fatal(err)
	}
	if err := w.s.PutMemberCallSettings(ctx, "m-003", MemberCallSettings{ReachKm: 50,
		Week: call.Week{{Day: time.Monday, Start: 6 * 60, End: 8 * 60}}, TZ: "America/Los_Angeles"}); err != nil {
		t.Fatal(err)
	}
	// m-004 is available in the hours of its school (8:00 to 15:00 in
	// Los Angeles, 16:00 to 23:00 UTC), though not in its own.
	if _, err := w.s.CreateCollective(ctx, Collective{ID: "c-school", Name: "School", Kind: School}); err != nil {
		t.Fatal(err)
	}
	if err := w.s.AddMembership(ctx, "m-004", "c-school", RoleMember); err != nil {
		t.Fatal(err)
	}
	if err := w.s.PutCollectiveCallSettings(ctx, "c-school", CollectiveCallSettings{Verify: true, TZ: "America/Los_Angeles",
		SchoolWeek: call.Week{{Day: time.Monday, Start: 8 * 60, End: 15 * 60}}}); err != nil {
		t.Fatal(err)
	}
	if err := w.s.PutMemberCallSettings(ctx, "m-004", MemberCallSettings{ReachKm: 50,
		Week: call.Week{{Day: time.Saturday, Start: 0, End: 60}}, TZ: "UTC"}); err != nil {
		t.Fatal(err)
	}
	c := w.call(t, 2)
	if _, err := w.s.VerifyCall(ctx, c.ID, w.other, w.now); err != nil {
		t.Fatal(err)
	}
	channels := []string{"email", "push"}
	n, ring, err := w.s.Ring(ctx, c.ID, w.now, call.DefaultPolicy, channels)
	want := []string{"m-000", "m-004", "m-005", "m-006", "m-007", "m-008"}
	if err != nil || n != 6 || ring != 1 {
		t.Fatalf("first Ring: %d targets, ring %d, %v; want 6, ring 1", n, ring, err)
	}
	targets := func() []string {
		rows, err := w.s.read.Query(`SELECT member_id FROM call_targets WHERE call_id = $1 ORDER BY km, member_id`, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var m string
			rows.Scan(&m)
			out = append(out, m)
		}
		return out
	}
	if got := targets(); !slices.Equal(got, want) {
		t.Errorf("first ring: got %v, want %v", got, want)
	}
	// Why no more: within 25 km, m-001 and the two coordinators do not
	// want calls, m-002 does not go so far, m-003 is not available; of
	// the 27 who would come (m-023 to m-029 too, who go 50 km from
	// beyond 25), 21 wait for later rings.
	wantMissed := func(when string, want call.Missed) {
		t.Helper()
		cc, err := w.s.CallCounts(ctx, c.ID)
		if err != nil || cc.Missed == nil || *cc.Missed != want {
			t.Errorf("%s: missed %+v, %v; want %+v", when, cc.Missed, err, want)
		}
	}
	wantMissed("after the first ring", call.Missed{NotOptedIn: 3, TooFar: 1, Away: 1, Later: 21})
	box, err := w.s.Outbox(ctx, c.ID)
	if err != nil || len(box) != 12 {
		t.Fatalf("outbox: %d rows, %v, want 12", len(box), err)
	}
	idems := map[string]bool{}
	for _, r := range box {
		if idems[r.Idem] || len(r.Idem) < 16 || !r.Next.Equal(w.now) {
			t.Errorf("outbox row %+v: want a fresh idempotency id, due now", r)
		}
		idems[r.Idem] = true
	}
	// No second ring before the interval.
	if n, _, err := w.s.Ring(ctx, c.ID, w.now.Add(call.DefaultPolicy.Interval-time.Second), call.DefaultPolicy, channels); n != 0 || err != nil {
		t.Errorf("Ring before the interval: %d, %v, want 0", n, err)
	}
	// One comes, one cannot: the next ring asks 3 for the one missing.
	for m, a := range map[string]call.Answer{"m-000": call.Coming, "m-004": call.Cannot} {
		if changed, err := w.s.AnswerCall(ctx, c.ID, m, a, w.now.Add(time.Minute)); err != nil || !changed {
			t.Errorf("AnswerCall(%s, %s): %v, %v", m, a, changed, err)
		}
	}
	n, ring, err = w.s.Ring(ctx, c.ID, w.now.Add(call.DefaultPolicy.Interval), call.DefaultPolicy, channels)
	if err != nil || n != 3 || ring != 2 {
		t.Errorf("second Ring: %d, ring %d, %v; want 3, ring 2", n, ring, err)
	}
	want = append(want, "m-009", "m-010", "m-011")
	if got := targets(); !slices.Equal(got, want) {
		t.Errorf("after the second ring: got %v, want %v", got, want)
	}
	wantMissed("after the second ring", call.Missed{NotOptedIn: 3, TooFar: 1, Away: 1, Later: 18})

	// Answers: only from targets, idempotent, an arrival final.
	_, err = w.s.AnswerCall(ctx, c.ID, "m-029", call.Coming, w.now)
	wantCode(t, "an answer from a member the call did not reach", err, CodeNotFound)
	_, err = w.s.AnswerCall(ctx, c.ID, "m-005", "maybe", w.now)
	var errs call.Errors
	if !errors.As(err, &errs) {
		t.Errorf("a bad answer: got %v, want call.Errors", err)
	}
	for _, step := range []struct {
		a       call.Answer
		changed bool
		want    call.Answer
	}{{call.Coming, true, call.Coming}, {call.Coming, false, call.Coming}, {call.Arrived, true, call.Arrived},
		{call.Cannot, false, call.Arrived}, {call.Coming, false, call.Arrived}} {
		changed, err := w.s.AnswerCall(ctx, c.ID, "m-005", step.a, w.now.Add(2*time.Minute))
		got, _ := w.s.MemberAnswer(ctx, c.ID, "m-005")
		if err != nil || changed != step.changed || got != step.want {
			t.Errorf("answer %s: changed %v, now %q, %v; want %v, %q", step.a, changed, got, err, step.changed, step.want)
		}
	}
	d, err := w.s.ClaimDeliveries(ctx, w.now, time.Minute, 1)
	if err != nil || len(d) != 1 {
		t.Fatalf("claim: %v, %v", d, err)
	}
	if err := w.s.DeliverySent(ctx, &d[0], w.now); err != nil {
		t.Fatal(err)
	}
	cc, err := w.s.CallCounts(ctx, c.ID)
	wantCC := CallCounts{Status: call.Open, Tally: Tally{Targeted: 9, Notified: 1, Coming: 2, Arrived: 1, Cannot: 1},
		Rings: []RingTally{{1, Tally{Targeted: 6, Notified: 1, Coming: 2, Arrived: 1, Cannot: 1}}, {2, Tally{Targeted: 3}}}}
	if err == nil {
		cc.Missed = nil // checked above
	}
	if err != nil || fmt.Sprint(*cc) != fmt.Sprint(wantCC) {
		t.Errorf("CallCounts: got %+v, %v, want %+v", cc, err, wantCC)
	}
	// Enough are coming: no more rings.
	if _, err := w.s.AnswerCall(ctx, c.ID, "m-009", call.Coming, w.now.Add(4*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, _, err := w.s.Ring(ctx, c.ID, w.now.Add(time.Hour), call.DefaultPolicy, channels); n != 0 || err != nil {
		t.Errorf("Ring with enough coming: %d, %v, want 0", n, err)
	}
	if _, err := w.s.CloseCall(ctx, c.ID, w.now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err = w.s.AnswerCall(ctx, c.ID, "m-006", call.Coming, w.now.Add(time.Hour))
	if !errors.Is(err, call.ErrNotOpen) {
		t.Errorf("an answer to a closed call: got %v, want call.ErrNotOpen", err)
	}
}

// testCallUnreached: the board counts the targets no channel could
// tell, for want of an address, and those whose every notice failed;
// a call that finds nobody says why before any ring; the purge keeps
// these counts with the others.
func testCallUnreached(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	w := newCallWorld(t, fresh, 6)
	c := w.call(t, 2)
	if _, err := w.s.VerifyCall(ctx, c.ID, w.other, w.now); err != nil {
		t.Fatal(err)
	}
	channels := []string{"email", "push"}
	if n, _, err := w.s.Ring(ctx, c.ID, w.now, call.DefaultPolicy, channels); n != 6 || err != nil {
		t.Fatalf("Ring: %d, %v; want 6", n, err)
	}
	ds, err := w.s.ClaimDeliveries(ctx, w.now, time.Minute, 100)
	if err != nil || len(ds) != 12 {
		t.Fatalf("claim: %d rows, %v; want 12", len(ds), err)
	}
	// m-000 is told by email; m-001 and m-002 have no address on
	// either channel (m-002's push is given up as a channel the server
	// lost); m-003's email is refused and it has no push; m-004's email
	// fails and will be tried again; m-005 is not tried yet.
	outcome := map[string][2]string{
		"m-000": {"sent", ClassNoAddress}, "m-001": {ClassNoAddress, ClassNoAddress}, "m-002": {ClassNoAddress, ClassNoChannel},
		"m-003": {"refused", ClassNoAddress}, "m-004": {"retry", ClassNoAddress},
	}
	var outs []Outcome
	for i := range ds {
		d := &ds[i]
		o, ok := outcome[d.Member]
		if !ok {
			continue
		}
		class := o[0]
		if d.Channel == "push" {
			class = o[1]
		}
		switch class {
		case "sent":
			outs = append(outs, Outcome{Delivery: d, Sent: true, At: w.now})
		case "retry":
			outs = append(outs, Outcome{Delivery: d, Class: "timeout", At: w.now, Next: w.now.Add(time.Minute)})
		default:
			outs = append(outs, Outcome{Delivery: d, Class: class, At: w.now})
		}
	}
	if _, err := w.s.MarkDeliveries(ctx, outs); err != nil {
		t.Fatal(err)
	}
	cc, err := w.s.CallCounts(ctx, c.ID)
	if err != nil || cc.Targeted != 6 || cc.Notified != 1 || cc.NoWay != 2 || cc.Failed != 1 {
		t.Errorf("CallCounts: got %+v, %v; want 6 targeted, 1 notified, 2 with no way to be told, 1 failed", cc, err)
	}

	// A server without channels writes no outbox rows: every target is
	// one no channel could tell. A call whose place no member who wants
	// calls lives near says why before any ring.
	other := w.call(t, 1)
	far, err := w.s.CreateCall(ctx, NewCall{Collective: "c-plant", Author: w.author, Request: call.Request{
		Cell: geo.Encode(callSiteLat, callSiteLon+0.5, 7), Kind: call.Picket, Headcount: 1, Until: w.now.Add(time.Hour),
		Message: call.Message{EN: "Picket"}}}, w.now)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []*Call{other, far} {
		if _, err := w.s.VerifyCall(ctx, x.ID, w.other, w.now); err != nil {
			t.Fatal(err)
		}
		if cc, err := w.s.CallCounts(ctx, x.ID); err != nil || cc.Missed != nil {
			t.Errorf("before any ring: missed %+v, %v; want none", cc.Missed, err)
		}
	}
	if n, _, err := w.s.Ring(ctx, other.ID, w.now, call.DefaultPolicy, nil); n != 3 || err != nil {
		t.Fatalf("Ring without channels: %d, %v; want 3", n, err)
	}
	if cc, err := w.s.CallCounts(ctx, other.ID); err != nil || cc.NoWay != 3 || cc.Failed != 0 {
		t.Errorf("a call rung without channels: got %+v, %v; want 3 with no way to be told", cc, err)
	}
	// 46 km east: the workers (reach 50) are still reached; the two
	// coordinators, who do not want calls, are too far to count.
	if n, _, err := w.s.Ring(ctx, far.ID, w.now, call.DefaultPolicy, channels); err != nil {
		t.Fatal(err)
	} else if cc, err := w.s.CallCounts(ctx, far.ID); err != nil || cc.Missed == nil || *cc.Missed != (call.Missed{Later: 6 - n}) {
		t.Errorf("a call 46 km away: missed %+v, %v; want only %d later", cc.Missed, err, 6-n)
	}

	// The purge keeps the counts.
	if _, err := w.s.CloseCall(ctx, c.ID, w.now); err != nil {
		t.Fatal(err)
	}
	before, _ := w.s.CallCounts(ctx, c.ID)
	if n, err := w.s.PurgeCalls(ctx, w.now.Add(DefaultCallRetention), DefaultCallRetention); n != 1 || err != nil {
		t.Fatalf("purge: %d, %v", n, err)
	}
	after, err := w.s.CallCounts(ctx, c.ID)
	if err != nil || after.NoWay != before.NoWay || after.Failed != before.Failed || after.Missed == nil || *after.Missed != *before.Missed {
		t.Errorf("after the purge: got %+v, %v; want the counts of %+v", after, err, before)
	}
}

func testOutbox(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	w := newCallWorld(t, fresh, 20)
	c := w.call(t, 5)
	if _, err := w.s.VerifyCall(ctx, c.ID, w.other, w.now); err != nil {
		t.Fatal(err)
	}
	if n, _, err := w.s.Ring(ctx, c.ID, w.now, call.DefaultPolicy, []string{"email", "sms"}); n != 15 || err != nil {
		t.Fatalf("Ring: %d, %v", n, err)
	}
	// Four workers claim at once: every row once, none twice.
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				ds, err := w.s.ClaimDeliveries(ctx, w.now, time.Minute, 4)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 30 {
		t.Errorf("claimed %d rows, want 30", len(seen))
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("row %d claimed %d times", id, k)
		}
	}
	// Leased rows come back when the lease runs out; a worker whose
	// lease ran out cannot mark them.
	if ds, _ := w.s.ClaimDeliveries(ctx, w.now.Add(59*time.Second), time.Minute, 100); len(ds) != 0 {
		t.Errorf("claimed %d leased rows", len(ds))
	}
	ds, err := w.s.ClaimDeliveries(ctx, w.now.Add(time.Minute), time.Minute, 100)
	if err != nil || len(ds) != 30 {
		t.Fatalf("after the lease: %d rows, %v, want 30", len(ds), err)
	}
	d := ds[0]
	if d.Attempts != 2 || d.Contact.Email == "" || d.Language != "es" || !d.Live || d.Channel != "email" {
		t.Errorf("delivery: %+v", d)
	}
	stale := d
	stale.Lease = "someone-else"
	if err := w.s.DeliverySent(ctx, &stale, w.now); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("DeliverySent with a lost lease: %v", err)
	}
	if err := w.s.DeliveryRetry(ctx, &d, "timeout", w.now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := w.s.DeliveryRetry(ctx, &ds[1], "rcpt to rosa@example.org", time.Time{}); ErrorCode(err) != CodeInvalid {
		t.Errorf("a class that may hold an address: %v", err)
	}
	if err := w.s.DeliveryRetry(ctx, &ds[1], "no-address", time.Time{}); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds[2:] {
		if err := w.s.DeliverySent(ctx, &d, w.now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	again, err := w.s.ClaimDeliveries(ctx, w.now.Add(5*time.Minute), time.Minute, 100)
	if err != nil || len(again) != 1 || again[0].ID != d.ID || again[0].Attempts != 3 {
		t.Errorf("due again: %+v, %v, want row %d on its third attempt", again, err, d.ID)
	}
	box, _ := w.s.Outbox(ctx, c.ID)
	var sent, gaveUp int
	for _, r := range box {
		if !r.Sent.IsZero() {
			sent++
		}
		if r.Sent.IsZero() && r.Next.IsZero() {
			gaveUp++
			if r.ErrorClass != "no-address" {
				t.Errorf("given up with %q", r.ErrorClass)
			}
		}
	}
	if sent != 28 || gaveUp != 1 {
		t.Errorf("outbox: %d sent, %d given up; want 28, 1", sent, gaveUp)
	}
}

func testCallPurge(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	w := newCallWorld(t, fresh, 6)
	c := w.call(t, 1)
	kept := w.call(t, 1) // closed later: kept longer
	for _, x := range []*Call{c, kept} {
		if _, err := w.s.VerifyCall(ctx, x.ID, w.other, w.now); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.s.Ring(ctx, x.ID, w.now, call.DefaultPolicy, []string{"email"}); err != nil {
			t.Fatal(err)
		}
	}
	ds, _ := w.s.ClaimDeliveries(ctx, w.now, time.Minute, 2)
	for _, d := range ds {
		w.s.DeliverySent(ctx, &d, w.now)
	}
	w.s.AnswerCall(ctx, c.ID, "m-000", call.Coming, w.now)
	w.s.AnswerCall(ctx, c.ID, "m-001", call.Cannot, w.now)
	closedAt := w.now.Add(time.Hour)
	if _, err := w.s.CloseCall(ctx, c.ID, closedAt); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.CloseCall(ctx, kept.ID, closedAt.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	before, _ := w.s.CallCounts(ctx, c.ID)
	_, err := w.s.PurgeCalls(ctx, closedAt, 8*24*time.Hour)
	wantCode(t, "a retention over 7 days", err, CodeInvalid)
	if n, err := w.s.PurgeCalls(ctx, closedAt.Add(DefaultCallRetention-time.Second), DefaultCallRetention); n != 0 || err != nil {
		t.Errorf("purge before the retention: %d, %v", n, err)
	}
	if n, err := w.s.PurgeCalls(ctx, closedAt.Add(DefaultCallRetention), DefaultCallRetention); n != 1 || err != nil {
		t.Errorf("purge at the retention: %d, %v, want 1", n, err)
	}
	after, err := w.s.CallCounts(ctx, c.ID)
	if err != nil || after.Tally != before.Tally || after.Rings != nil || after.Status != call.Closed {
		t.Errorf("counts after the purge: %+v, %v; want the totals of %+v", after, err, before)
	}
	// No row names the call's place, message, author or a recipient,
	// except those of the call kept.
	marks := []string{"site_id=plant", geo.Encode(callSiteLat, callSiteLon, 5), "Redada", "Raid", w.author, w.other}
	marks = append(marks, w.members...)
	exempt := []string{"members", "memberships", "sites", "member_call_settings", "collectives"}
	for table, rows := range dump(t, w.s) {
		for _, row := range rows {
			if slices.Contains(exempt, table) || strings.Contains(row, kept.ID) {
				continue
			}
			for _, m := range marks {
				if strings.Contains(row, m) {
					t.Errorf("%s: %q names %q after the purge", table, row, m)
				}
			}
		}
	}
	if box, _ := w.s.Outbox(ctx, kept.ID); len(box) != 3 {
		t.Errorf("the call still kept lost its outbox: %d rows", len(box))
	}
}

func testCallErase(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	w := newCallWorld(t, fresh, 3)
	c := w.call(t, 1)
	if _, err := w.s.VerifyCall(ctx, c.ID, w.other, w.now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.s.Ring(ctx, c.ID, w.now, call.DefaultPolicy, []string{"email"}); err != nil {
		t.Fatal(err)
	}
	w.s.AnswerCall(ctx, c.ID, "m-000", call.Coming, w.now)
	for _, id := range []string{"m-000", w.author, w.other} {
		if err := w.s.DeleteMember(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	for table, rows := range dump(t, w.s) {
		for _, row := range rows {
			for _, id := range []string{"m-000", w.author, w.other} {
				if strings.Contains(row, id) {
					t.Errorf("%s: %q names the deleted member %s", table, row, id)
				}
			}
		}
	}
	if cc, err := w.s.CallCounts(ctx, c.ID); err != nil || cc.Targeted != 2 {
		t.Errorf("the call after the erasure: %+v, %v, want 2 targets left", cc, err)
	}
}
