package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/world"
)

// smallWorld is two Los Angeles kitchens of two collectives, A and B,
// and a depot in Manila, with a plan written by hand so that every sum
// on the map can be worked out on paper:
//
//   - m1 (A) and m2 (B) live in cell 9q5ct9, m3 (A) in 9q5ctf;
//   - kitchen k1 (A) feeds m1, m3 and part of m2; kitchen k2 (B) feeds
//     the rest of m2 and gives m1 bread; the depot ships rice to k2,
//     partly as a transfer and partly straight to k2's own need.
func smallWorld() (*world.World, *plan.Plan) {
	w := &world.World{
		Format: world.Format,
		Products: []world.Product{
			{ID: "meal", Name: world.Names{"en": "meal", "es": "comida"}, Unit: "meal", Kind: world.Good},
			{ID: "bread", Name: world.Names{"en": "bread", "es": "pan"}, Unit: "loaf", Kind: world.Good},
			{ID: "rice", Name: world.Names{"en": "rice", "es": "arroz"}, Unit: "kg", Kind: world.Good},
		},
		Sites: []world.Site{
			{ID: "k1", Name: "Kitchen one", Kind: world.Neighborhood, Lat: 34.05, Lon: -118.25, Collective: "A"},
			{ID: "k2", Name: "Kitchen two", Kind: world.Workplace, Lat: 34.06, Lon: -118.23, Collective: "B"},
			{ID: "d", Name: "Manila depot", Kind: world.Depot, Lat: 14.6, Lon: 121},
		},
		Recipes: []world.Recipe{
			{ID: "r1", Site: "k1", Outputs: map[string]float64{"meal": 100}},
			{ID: "r2", Site: "k2", Outputs: map[string]float64{"meal": 50, "bread": 10}},
			{ID: "r3", Site: "k2", Outputs: map[string]float64{"bread": 5}}, // does not run
		},
		Members: []world.Member{
			{ID: "m1", Cell: "9q5ct9", Collectives: []string{"A"}},
			{ID: "m2", Cell: "9q5ct9", Collectives: []string{"B"}},
			{ID: "m3", Cell: "9q5ctf", Collectives: []string{"A"}},
		},
		Needs: []world.Need{
			{ID: "n1", Member: "m1", Product: "meal", Qty: 10, Tier: world.Essential},
			{ID: "n2", Member: "m2", Product: "meal", Qty: 10, Tier: world.Essential},
			{ID: "n3", Member: "m3", Product: "meal", Qty: 4, Tier: world.Basic},
			{ID: "n4", Site: "k2", Product: "rice", Qty: 100, Tier: world.Essential},
			{ID: "n5", Member: "m1", Product: "bread", Qty: 2, Tier: world.Wanted},
		},
	}
	p := &plan.Plan{
		Format:      plan.Format,
		Production:  []plan.Production{{Recipe: "r1", Runs: 2}, {Recipe: "r2", Runs: 1}},
		Assignments: []plan.Assignment{{Member: "m1", Site: "k2", Skill: "cook", Hours: 3}, {Member: "m3", Site: "k1", Skill: "cook", Hours: 2}},
		Flows: []plan.Flow{
			{Product: "meal", From: "k1", ToNeed: "n1", Qty: 10, Km: 1.5},
			{Product: "meal", From: "k2", ToNeed: "n2", Qty: 5, Km: 2.5},
			{Product: "meal", From: "k1", ToNeed: "n3", Qty: 4, Km: 2},
			{Product: "bread", From: "k2", ToNeed: "n5", Qty: 1, Km: 2.5},
			{Product: "meal", From: "k1", ToNeed: "n2", Qty: 3, Km: 1.5},
			{Product: "rice", From: "d", ToNeed: "n4", Qty: 20, Km: 11700},
			{Product: "bread", From: "k1", ToNeed: "n3", Qty: 1e-9, Km: 2}, // solver's crumbs
			{Product: "rice", From: "k1", ToNeed: "n3", Qty: 0.004, Km: 2}, // shows as 0: left out
			// The world was replaced since the plan: site "gone" and need
			// "n9" are no longer in it.
			{Product: "meal", From: "gone", ToNeed: "n1", Qty: 7, Km: 1},
			{Product: "meal", From: "k1", ToNeed: "n9", Qty: 7, Km: 1},
		},
		Transfers: []plan.Transfer{{Product: "rice", From: "d", To: "k2", Qty: 60, Km: 11700},
			{Product: "meal", From: "k1", To: "d", Qty: 2e-9, Km: 11700}, // crumbs: A must not see d
			{Product: "meal", From: "k1", To: "k2", Qty: 0.004, Km: 3},   // shows as 0: no line
			{Product: "rice", From: "d", To: "gone", Qty: 5, Km: 11700}},
		Allocations: []plan.Allocation{{Need: "n1", Qty: 10}, {Need: "n2", Qty: 8}, {Need: "n3", Qty: 4}, {Need: "n4", Qty: 20}, {Need: "n5", Qty: 1}, {Need: "n9", Qty: 7}},
	}
	return w, p
}

// summary writes a map's data as lines that a test can compare whole.
func summary(d mapData) []string {
	var out []string
	for _, s := range d.Sites {
		out = append(out, fmt.Sprintf("site %s %g %v", s.ID, s.Output, s.Made))
	}
	for _, f := range d.Flows {
		out = append(out, fmt.Sprintf("flow %s→%s%s %g %v %g", f.From, f.To, f.Cell, f.Qty, f.Products, f.Km))
	}
	for _, c := range d.Coverage {
		tiers := ""
		for _, t := range world.Tiers {
			if m, ok := c.Tiers[string(t)]; ok {
				tiers += fmt.Sprintf(" %s:%d/%g", t, m.Needs, m.Coverage)
			}
		}
		out = append(out, fmt.Sprintf("place %s%s %d %g%s", c.Site, c.Cell, c.Needs, c.Coverage, tiers))
	}
	return out
}

func TestMapViewAggregates(t *testing.T) {
	tests := []struct {
		collective string
		want       []string
	}{
		{"", []string{
			"site k1 200 map[meal:200]",
			"site k2 60 map[bread:10 meal:50]",
			"site d 0 map[]",
			"flow d→k2 80 map[rice:80] 11700",
			"flow k1→9q5ct9 13 map[meal:13] 1.5",
			"flow k1→9q5ctf 4 map[meal:4] 2",
			"flow k2→9q5ct9 6 map[bread:1 meal:5] 2.5",
			// n1 all, n2 0.8, n5 0.5 of 2: (1+0.8+0.5)/3.
			"place 9q5ct9 3 0.767 essential:2/0.9 wanted:1/0.5",
			"place 9q5ctf 1 1 basic:1/1",
			"place k2 1 0.2 essential:1/0.2",
		}},
		// A sees its kitchen, k2 where m1 works, everything k1 sends
		// (m2's 3 meals too: its kitchen made them), and what m1 gets
		// from k2; not k2's meals for m2, nor the depot's rice.
		{"A", []string{
			"site k1 200 map[meal:200]",
			"site k2 60 map[bread:10 meal:50]",
			"flow k1→9q5ct9 13 map[meal:13] 1.5",
			"flow k1→9q5ctf 4 map[meal:4] 2",
			"flow k2→9q5ct9 1 map[bread:1] 2.5",
			"place 9q5ct9 2 0.75 essential:1/1 wanted:1/0.5",
			"place 9q5ctf 1 1 basic:1/1",
		}},
		// B sees its kitchen and its needs, the depot that feeds it, and
		// k1 because k1 feeds m2.
		{"B", []string{
			"site k1 200 map[meal:200]",
			"site k2 60 map[bread:10 meal:50]",
			"site d 0 map[]",
			"flow d→k2 80 map[rice:80] 11700",
			"flow k1→9q5ct9 3 map[meal:3] 1.5",
			"flow k2→9q5ct9 6 map[bread:1 meal:5] 2.5",
			"place 9q5ct9 1 0.8 essential:1/0.8",
			"place k2 1 0.2 essential:1/0.2",
		}},
		{"nobody", nil},
	}
	for _, tt := range tests {
		t.Run("collective="+tt.collective, func(t *testing.T) {
			w, p := smallWorld()
			got := summary(mapView(w, p, tt.collective))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestMapViewPlaces(t *testing.T) {
	w, p := smallWorld()
	d := mapView(w, p, "")
	lat, lon, err := geo.Center("9q5ct9")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range d.Flows {
		switch {
		case f.Cell == "9q5ct9" && (f.Lat != lat || f.Lon != lon):
			t.Errorf("flow %s→%s ends at %g,%g, want the cell's centre %g,%g", f.From, f.Cell, f.Lat, f.Lon, lat, lon)
		case f.To == "k2" && (f.Lat != 34.06 || f.Lon != -118.23):
			t.Errorf("flow %s→k2 ends at %g,%g, want k2 at 34.06,-118.23", f.From, f.Lat, f.Lon)
		}
	}
	want := mapBounds{South: 14.6, West: -118.25, North: 34.06, East: 121}
	for _, c := range d.Coverage {
		want.North = math.Max(want.North, c.Lat)
		want.West = math.Min(want.West, c.Lon)
		want.East = math.Max(want.East, c.Lon)
	}
	if d.Bounds != want {
		t.Errorf("bounds: got %+v, want %+v", d.Bounds, want)
	}
	if n := len(d.Products); n != 3 || d.Products["rice"].Name["es"] != "arroz" {
		t.Errorf("products: got %v, want meal, bread and rice with their names", d.Products)
	}
	if got := mapView(w, p, "nobody").Bounds; got != (mapBounds{}) {
		t.Errorf("bounds of an empty view: got %+v, want zero", got)
	}
}

// TestMapViewNeighbourhood checks the map of a real plan against the
// plan itself: every unit delivered or transferred is on a line, every
// need counted at one place, and no member id reaches the page.
func TestMapViewNeighbourhood(t *testing.T) {
	f, err := os.Open("../../examples/neighbourhood.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := world.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Make(context.Background(), w, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := mapView(w, p, "")
	var want, got float64
	for _, fl := range p.Flows {
		want += fl.Qty
	}
	for _, tr := range p.Transfers {
		want += tr.Qty
	}
	for _, fl := range d.Flows {
		got += fl.Qty
	}
	if math.Abs(got-want) > 0.001*float64(len(p.Flows)+len(p.Transfers)) {
		t.Errorf("units on the map's lines: got %g, want the plan's %g", got, want)
	}
	needs := 0
	for _, c := range d.Coverage {
		needs += c.Needs
		if c.Coverage < 0 || c.Coverage > 1 {
			t.Errorf("place %s%s: coverage %g outside 0..1", c.Site, c.Cell, c.Coverage)
		}
	}
	if needs != len(w.Needs) {
		t.Errorf("needs at places: got %d, want %d", needs, len(w.Needs))
	}
	if len(d.Sites) != len(w.Sites) {
		t.Errorf("sites: got %d, want %d", len(d.Sites), len(w.Sites))
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range w.Members {
		if regexp.MustCompile(`"` + regexp.QuoteMeta(m.ID) + `"`).Match(b) {
			t.Fatalf("member id %q is in the map's data", m.ID)
		}
	}
}
