package main

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestMixedShares checks that the mixed scenario sends 10% writes,
// spread evenly over the write calls, and 90% reads, spread evenly over
// the read calls, whatever their numbers.
func TestMixedShares(t *testing.T) {
	w := &world{organizer: "o", members: []string{"a", "b"}, planID: 1, product: "meal",
		routes: map[string]bool{"GET /api/v1/me": true, "GET /api/v1/me/needs": true, "POST /api/v1/me/needs": true}}
	sc := scenarios(w)["mixed"]
	if len(sc.calls) != 5 {
		t.Fatalf("mixed has %d calls, want 4 reads and 1 write", len(sc.calls))
	}
	r := rand.New(rand.NewPCG(1, 2))
	const n = 200000
	got := make(map[string]int)
	writes := 0
	for range n {
		c := sc.pick(r)
		got[c.method+" "+c.name]++
		if c.write {
			writes++
		}
	}
	if share := float64(writes) / n; share < 0.095 || share > 0.105 {
		t.Errorf("writes: got %.3f of requests, want 0.10", share)
	}
	for name, k := range got {
		want := 0.9 / 4
		if name == "POST /api/v1/me/needs" {
			want = 0.1
		}
		if share := float64(k) / n; share < want-0.005 || share > want+0.005 {
			t.Errorf("%s: got %.3f of requests, want %.3f", name, share, want)
		}
	}
	// Without the /me routes there is no write, so no write or mixed
	// scenario, and the reads are the two routes every server has.
	w.routes = map[string]bool{}
	all := scenarios(w)
	if _, ok := all["write"]; ok {
		t.Error("a write scenario without POST /api/v1/me/needs")
	}
	if got := len(all["read"].calls); got != 2 {
		t.Errorf("reads without /me: got %d calls, want 2", got)
	}
}

// TestDriveCounts drives a server that fails every third request and
// checks that every request is sent once and counted by its status.
func TestDriveCounts(t *testing.T) {
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if seen.Add(1)%3 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	fixed := func(s string) func(*rand.Rand) string { return func(*rand.Rand) string { return s } }
	sc := scenario{name: "test", calls: []call{{name: "/x", method: "GET", path: fixed("/x"), token: fixed("tok")}}, weights: []int{1}}
	s := drive(context.Background(), newClient(), srv.URL, sc, 200, 300*time.Millisecond, 1)
	const want = 60 // 200 a second for 0.3 s
	if s.sent != want || s.answered != want || int(seen.Load()) != want {
		t.Fatalf("got %d sent, %d answered, %d at the server; want %d each", s.sent, s.answered, seen.Load(), want)
	}
	if s.ok != 40 || s.errors["503"] != 20 || len(s.errors) != 1 {
		t.Errorf("got %d ok and errors %v, want 40 ok and 20 × 503", s.ok, s.errors)
	}
	if cs := s.byCall["GET /x"]; cs.n != want || !(s.p50 <= s.p99 && s.p99 <= s.max) {
		t.Errorf("got %d answers of /x, p50 %v, p99 %v, max %v; want %d and ordered quantiles", cs.n, s.p50, s.p99, s.max, want)
	}
}
