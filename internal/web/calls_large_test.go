package web

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/store"
)

// TestCallTenThousand is acceptance 1 of issue 6: on a world of 10,000
// members spread over some 25 km around a factory, most opted in, most
// going 5 km and every tenth 20, a verified call emails exactly the
// members it targets, ring after ring, nearest first (worked out here
// from the members' cells, apart from the store's own targeting), and
// answers through the signed links move the live board, read from its
// event stream.
func TestCallTenThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 members: not in -short")
	}
	eachDatabase(t, func(t *testing.T, db database) {
		const n, headcount = 10000, 20
		e := newCallEnv(t, db.cfg, 0)
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(6, 10000))
		var in []store.ImportedMember
		for i := range n {
			lat := factoryLat + (rng.Float64()-0.5)*0.24
			lon := factoryLon + (rng.Float64()-0.5)*0.28
			in = append(in, store.ImportedMember{Line: i + 1, Member: store.Member{Alias: fmt.Sprintf("m%05d", i),
				Language: []string{"es", "en"}[i%2], Cell: geo.Encode(lat, lon, 6), CallOptIn: i%5 != 0,
				Contact: store.Contact{Email: fmt.Sprintf("m%05d@example.org", i)}}})
		}
		ms, err := e.store.ImportMembers(ctx, in, false)
		if err != nil {
			t.Fatal(err)
		}
		// Who the call may reach, nearest first, by email.
		type cand struct {
			email string
			km    float64
			id    string
		}
		place := geo.Point{Lat: factoryLat, Lon: factoryLon}
		var reachable []cand
		for i, m := range ms {
			reach := float64(store.DefaultCallReachKm)
			if i%10 == 0 {
				reach = 20
				if err := e.store.PutMemberCallSettings(ctx, m.ID, store.MemberCallSettings{ReachKm: reach}); err != nil {
					t.Fatal(err)
				}
			}
			lat, lon, _ := geo.Center(m.Cell)
			km := place.Distance(geo.Point{Lat: lat, Lon: lon})
			if m.CallOptIn && km <= reach {
				reachable = append(reachable, cand{m.Contact.Email, km, m.ID})
			}
		}
		slices.SortFunc(reachable, func(a, b cand) int { return cmp.Or(cmp.Compare(a.km, b.km), cmp.Compare(a.id, b.id)) })
		if len(reachable) < 200 {
			t.Fatalf("only %d members within reach: the world is too sparse for the test", len(reachable))
		}
		emails := func(cs []cand) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.email)
			}
			slices.Sort(out)
			return out
		}

		body := validCall(time.Now().Add(2 * time.Hour))
		body["headcount"] = headcount
		id := e.verifiedCall(t, body)
		events := e.stream(t, id)

		start := time.Now()
		got := e.drain(t, start)
		first := reachable[:3*headcount]
		if keys := sortedKeys(got); !slices.Equal(keys, emails(first)) {
			t.Fatalf("the first ring emailed %d members, not the %d nearest", len(keys), len(first))
		}
		await(t, events, "the first ring notified", func(b boardBody) bool { return b.Notified == 3*headcount })

		// Fifteen of the first ring come, through their links.
		for _, c := range first[:15] {
			if resp := e.post(t, linkOf(t, got[c.email]), url.Values{"answer": {"coming"}}); resp.StatusCode != 303 {
				t.Fatalf("answer: got %d", resp.StatusCode)
			}
		}
		await(t, events, "fifteen coming", func(b boardBody) bool { return b.Coming == 15 })

		// The next ring asks three for each of the five missing.
		got = e.drain(t, start.Add(e.policy.Interval))
		second := reachable[3*headcount : 3*headcount+15]
		if keys := sortedKeys(got); !slices.Equal(keys, emails(second)) {
			t.Fatalf("the second ring emailed %v, want %v", keys, emails(second))
		}
		for _, c := range second[:5] {
			if resp := e.post(t, linkOf(t, got[c.email]), url.Values{"answer": {"coming"}}); resp.StatusCode != 303 {
				t.Fatalf("answer: got %d", resp.StatusCode)
			}
		}
		b := await(t, events, "twenty coming", func(b boardBody) bool { return b.Coming == headcount })
		want := []ringBody{{1, tallyBody{Targeted: 60, Notified: 60, Coming: 15}}, {2, tallyBody{Targeted: 15, Notified: 15, Coming: 5}}}
		if !slices.Equal(b.Rings, want) {
			t.Errorf("rings: got %+v, want %+v", b.Rings, want)
		}
		// Enough are coming: no third ring.
		if got := e.drain(t, start.Add(5*e.policy.Interval)); len(got) != 0 {
			t.Errorf("a third ring of %d", len(got))
		}
		e.json(t, "POST", "/api/v1/calls/"+id+"/close", e.author, nil, 200, nil)
		await(t, events, "closed", func(b boardBody) bool { return b.Status == call.Closed })
	})
}
