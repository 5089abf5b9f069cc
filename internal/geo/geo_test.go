package geo

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func TestEncodeKnownCells(t *testing.T) {
	cases := []struct {
		lat, lon float64
		n        int
		want     string
	}{
		{57.64911, 10.40744, 11, "u4pruydqqvj"}, // the example of geohash.org
		{42.6, -5.6, 5, "ezs42"},                // the example of Wikipedia
		{0, 0, 1, "s"},
	}
	for _, c := range cases {
		if got := Encode(c.lat, c.lon, c.n); got != c.want {
			t.Errorf("Encode(%v, %v, %d): got %q, want %q", c.lat, c.lon, c.n, got, c.want)
		}
		lat, lon, err := Center(c.want)
		if err != nil {
			t.Fatal(err)
		}
		if got := Encode(lat, lon, c.n); got != c.want {
			t.Errorf("centre of %q encodes to %q", c.want, got)
		}
	}
}

func TestCheckHome(t *testing.T) {
	for _, c := range []string{"9q5c", "9q5cs", "9q5csd"} {
		if err := CheckHome(c); err != nil {
			t.Errorf("CheckHome(%q): %v", c, err)
		}
	}
	for _, c := range []string{"", "9q5", "9q5csdx", "9q5ca", "9Q5CS", "9q 5c"} {
		if err := CheckHome(c); !errors.Is(err, ErrCell) {
			t.Errorf("CheckHome(%q): got %v, want ErrCell", c, err)
		}
	}
}

func TestDistance(t *testing.T) {
	// Los Angeles City Hall to Mexico City Zócalo: about 2,490 km.
	d := Distance(34.0537, -118.2428, 19.4326, -99.1332)
	if math.Abs(d-2490) > 15 {
		t.Errorf("LA to Mexico City: got %.0f km, want about 2490", d)
	}
	if d := Distance(10, 179.9, 10, -179.9); d > 25 {
		t.Errorf("across the antimeridian: got %.1f km, want about 22", d)
	}
}

func TestIndexMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, spread := range []float64{0.5, 20, 180} {
		pts := make([]Point, 500)
		for i := range pts {
			pts[i] = Point{Lat: 30 + (r.Float64()-0.5)*math.Min(spread, 120), Lon: (r.Float64() - 0.5) * 2 * spread}
		}
		ix := NewIndex(pts)
		for range 50 {
			q := Point{Lat: 30 + (r.Float64()-0.5)*math.Min(spread, 120), Lon: (r.Float64() - 0.5) * 2 * spread}
			all := make([]Neighbor, len(pts))
			for i, p := range pts {
				all[i] = Neighbor{i, q.Distance(p)}
			}
			sort.SliceStable(all, func(a, b int) bool { return all[a].Km < all[b].Km })
			got := ix.Nearest(q, 7, Unlimited)
			for i := range got {
				if got[i].I != all[i].I {
					t.Fatalf("spread %v: nearest %d: got point %d at %.3f km, want %d at %.3f km", spread, i, got[i].I, got[i].Km, all[i].I, all[i].Km)
				}
			}
			radius := all[20].Km
			within := ix.Within(q, radius)
			if len(within) != 21 {
				t.Fatalf("spread %v: within %.3f km: got %d points, want 21", spread, radius, len(within))
			}
			if exact := ix.Nearest(q, 100, all[0].Km); len(exact) != 1 || exact[0].I != all[0].I {
				t.Fatalf("spread %v: nearest within exactly its distance %.6f km: got %v", spread, all[0].Km, exact)
			}
			if at := ix.Nearest(pts[3], 100, 0); len(at) != 1 || at[0].I != 3 {
				t.Fatalf("spread %v: within 0 km of a point: got %v, want only that point", spread, at)
			}
			limited := ix.Nearest(q, 100, all[3].Km)
			if len(limited) != 4 {
				t.Fatalf("spread %v: nearest 100 within %.3f km: got %d, want 4", spread, all[3].Km, len(limited))
			}
		}
	}
}
