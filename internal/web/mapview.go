package web

import (
	"cmp"
	"math"
	"slices"

	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/world"
)

// mapData is what static/map.js draws: the plan as places on a map. It
// holds no member id, alias or exact home: members appear only as the
// centres of their home cells, every number summed over the cell, so that
// a coordinator reads where needs are met, not whose.
type mapData struct {
	Sites    []mapSite             `json:"sites"`
	Flows    []mapFlow             `json:"flows"`
	Coverage []mapPlace            `json:"coverage"`
	Products map[string]mapProduct `json:"products"`
	// Bounds frame everything above; the zero value (no data) lets the
	// script show the whole world.
	Bounds mapBounds `json:"bounds"`
}

// mapSite is a site and what it makes in the period. Output adds the
// units of all its products: units differ (meals, visits, hours), so the
// map sizes circles by it only roughly, and the tooltip lists Made.
type mapSite struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	Kind       world.SiteKind     `json:"kind"`
	Lat        float64            `json:"lat"`
	Lon        float64            `json:"lon"`
	Collective string             `json:"collective,omitempty"`
	Output     float64            `json:"output"`
	Made       map[string]float64 `json:"made,omitempty"`
}

// mapFlow is everything that goes from one site to one place in the
// period: to another site (transfers of goods, and deliveries to the
// site's own needs) or to a home cell (deliveries to the members living
// in it). Exactly one of To and Cell is set; Lat and Lon are where it
// ends.
type mapFlow struct {
	From     string             `json:"from"`
	To       string             `json:"to,omitempty"`
	Cell     string             `json:"cell,omitempty"`
	Lat      float64            `json:"lat"`
	Lon      float64            `json:"lon"`
	Qty      float64            `json:"qty"`
	Products map[string]float64 `json:"products"`
	Km       float64            `json:"km"`
}

// mapPlace is the coverage of the needs at one place: a site's own needs
// (Site set), or the needs of the members whose home is Cell. Coverage
// is the mean, over the needs, of the share of each that the plan meets:
// a mean of shares rather than a share of sums because units differ.
// Needs lets the script merge neighbouring cells weighted by how many
// needs each holds.
type mapPlace struct {
	Site     string              `json:"site,omitempty"`
	Cell     string              `json:"cell,omitempty"`
	Lat      float64             `json:"lat"`
	Lon      float64             `json:"lon"`
	Needs    int                 `json:"needs"`
	Coverage float64             `json:"coverage"`
	Tiers    map[string]tierMeet `json:"tiers"`
}

// tierMeet is the coverage of one tier's needs at a place.
type tierMeet struct {
	Needs    int     `json:"needs"`
	Coverage float64 `json:"coverage"`
}

// mapProduct names a product for tooltips, in every language the
// catalog has.
type mapProduct struct {
	Name world.Names `json:"name"`
	Unit string      `json:"unit"`
}

// mapBounds is a box in degrees, West the least longitude and East the
// greatest. Data on both sides of the Pacific spans most of the world
// this way; the script finds the narrowest view across the antimeridian
// from the points themselves.
type mapBounds struct {
	South float64 `json:"south"`
	West  float64 `json:"west"`
	North float64 `json:"north"`
	East  float64 `json:"east"`
}

// mapView turns a world and its plan into the map's data. When
// collective is not empty the map keeps only what concerns it, which is
// what its coordinator may see: its sites; the sites where its members
// are assigned; the needs of its members and of its sites; what its
// sites send and receive; and the sites at the other end of those flows.
func mapView(w *world.World, p *plan.Plan, collective string) mapData {
	v := newViewer(w, collective)
	d := mapData{Products: map[string]mapProduct{}}
	show := map[string]bool{}
	if collective != "" {
		for _, s := range w.Sites {
			show[s.ID] = s.Collective == collective
		}
		for _, a := range p.Assignments {
			if v.members[a.Member] {
				show[a.Site] = true
			}
		}
	}

	// Flows, keyed by their ends.
	type end struct{ from, to, cell string }
	flows := map[end]*mapFlow{}
	add := func(k end, product string, qty, km float64) {
		f := flows[k]
		if f == nil {
			f = &mapFlow{From: k.from, To: k.to, Cell: k.cell, Products: map[string]float64{}}
			if k.to != "" {
				s := v.sites[k.to]
				f.Lat, f.Lon = s.Lat, s.Lon
			} else {
				f.Lat, f.Lon, _ = geo.Center(k.cell) // the world was validated
			}
			flows[k] = f
		}
		f.Qty += qty
		f.Products[product] += qty
		f.Km = km // the same for every product between the same ends
	}
	// A plan outlives the world it was made from: the world may have been
	// replaced since, so whatever names a site or need no longer there
	// is left off the map rather than drawn at 0°, 0°.
	for _, t := range p.Transfers {
		if v.sites[t.From] == nil || v.sites[t.To] == nil {
			continue
		}
		if v.all || v.ours[t.From] || v.ours[t.To] {
			add(end{from: t.From, to: t.To}, t.Product, t.Qty, t.Km)
		}
	}
	for _, f := range p.Flows {
		n, ok := v.needs[f.ToNeed]
		if !ok || v.sites[f.From] == nil || !v.placed(n) {
			continue
		}
		if !(v.all || v.ours[f.From] || v.concerns(n)) {
			continue
		}
		add(end{from: f.From, to: n.Site, cell: v.cell(n)}, f.Product, f.Qty, f.Km)
	}
	for _, f := range flows {
		d.Flows = append(d.Flows, *f)
	}
	slices.SortFunc(d.Flows, func(a, b mapFlow) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Cell, b.Cell))
	})

	// Rounded once the sums are made, to the decimals the tooltips show.
	// The solver leaves crumbs (1e-9 of rice to Soweto): a line of
	// nothing ("0 tortillas · 1 km"), or a site drawn only for one, would
	// hide what matters.
	d.Flows = slices.DeleteFunc(d.Flows, func(f mapFlow) bool {
		roundAll(f.Products)
		return len(f.Products) == 0
	})
	for i := range d.Flows {
		d.Flows[i].Qty = roundShown(d.Flows[i].Qty)
		show[d.Flows[i].From] = true
		if d.Flows[i].To != "" {
			show[d.Flows[i].To] = true
		}
		for prod := range d.Flows[i].Products {
			v.product(d.Products, prod)
		}
	}

	d.Coverage = v.coverage(w, p, show)

	// Sites, with what they make.
	made := map[string]map[string]float64{}
	runs := map[string]float64{}
	for _, pr := range p.Production {
		runs[pr.Recipe] += pr.Runs
	}
	for _, r := range w.Recipes {
		if runs[r.ID] <= 0 {
			continue
		}
		if made[r.Site] == nil {
			made[r.Site] = map[string]float64{}
		}
		for prod, q := range r.Outputs {
			made[r.Site][prod] += runs[r.ID] * q
		}
	}
	for _, s := range w.Sites {
		if !v.all && !show[s.ID] {
			continue
		}
		ms := mapSite{ID: s.ID, Name: s.Name, Kind: s.Kind, Lat: s.Lat, Lon: s.Lon, Collective: s.Collective, Made: made[s.ID]}
		for _, q := range ms.Made {
			ms.Output += q
		}
		d.Sites = append(d.Sites, ms)
	}

	// Rounded once the sums are made, as the flows.
	for i := range d.Sites {
		d.Sites[i].Output = roundShown(d.Sites[i].Output)
		roundAll(d.Sites[i].Made)
		for prod := range d.Sites[i].Made {
			v.product(d.Products, prod)
		}
	}
	d.Bounds = bounds(d)
	return d
}

// viewer holds the indexes mapView needs and the collective it serves.
type viewer struct {
	all      bool            // no collective: everything concerns the view
	members  map[string]bool // the collective's members
	ours     map[string]bool // the collective's sites
	sites    map[string]*world.Site
	needs    map[string]*world.Need
	cells    map[string]string // member → home cell
	products map[string]*world.Product
}

func newViewer(w *world.World, collective string) *viewer {
	v := &viewer{all: collective == "", members: map[string]bool{}, ours: map[string]bool{},
		sites: map[string]*world.Site{}, needs: map[string]*world.Need{}, cells: map[string]string{},
		products: map[string]*world.Product{}}
	for i := range w.Sites {
		s := &w.Sites[i]
		v.sites[s.ID] = s
		if collective != "" && s.Collective == collective {
			v.ours[s.ID] = true
		}
	}
	for _, m := range w.Members {
		v.cells[m.ID] = m.Cell
		if collective != "" && slices.Contains(m.Collectives, collective) {
			v.members[m.ID] = true
		}
	}
	for i := range w.Needs {
		v.needs[w.Needs[i].ID] = &w.Needs[i]
	}
	for i := range w.Products {
		v.products[w.Products[i].ID] = &w.Products[i]
	}
	return v
}

// concerns reports whether a need belongs to the view: it is one of the
// collective's members' or sites' needs.
func (v *viewer) concerns(n *world.Need) bool {
	return v.all || v.members[n.Member] || v.ours[n.Site]
}

// placed reports whether the need's place is in the world: its site,
// or its member's home.
func (v *viewer) placed(n *world.Need) bool {
	if n.Site != "" {
		return v.sites[n.Site] != nil
	}
	return v.cells[n.Member] != ""
}

// cell is the home cell of a member's need, "" for a site's need.
func (v *viewer) cell(n *world.Need) string {
	if n.Site != "" {
		return ""
	}
	return v.cells[n.Member]
}

// product adds a product's names to the catalog the map carries.
func (v *viewer) product(to map[string]mapProduct, id string) {
	if _, ok := to[id]; ok {
		return
	}
	if p := v.products[id]; p != nil {
		to[id] = mapProduct{Name: p.Name, Unit: p.Unit}
	}
}

// coverage sums the needs of the view per place. A need's share met is
// its allocation over its quantity, at most 1. Sites that hold needs are
// marked in show, so that their circles are drawn too.
func (v *viewer) coverage(w *world.World, p *plan.Plan, show map[string]bool) []mapPlace {
	got := map[string]float64{}
	for _, a := range p.Allocations {
		got[a.Need] += a.Qty
	}
	type key struct{ site, cell string }
	type sums struct {
		n     int
		share float64
		tiers map[world.Tier]*[2]float64 // needs, sum of shares
	}
	places := map[key]*sums{}
	for i := range w.Needs {
		n := &w.Needs[i]
		if !v.concerns(n) {
			continue
		}
		k := key{site: n.Site, cell: v.cell(n)}
		s := places[k]
		if s == nil {
			s = &sums{tiers: map[world.Tier]*[2]float64{}}
			places[k] = s
		}
		share := 1.0
		if n.Qty > 0 {
			share = math.Min(1, got[n.ID]/n.Qty)
		}
		s.n++
		s.share += share
		t := s.tiers[n.Tier]
		if t == nil {
			t = new([2]float64)
			s.tiers[n.Tier] = t
		}
		t[0]++
		t[1] += share
	}
	out := make([]mapPlace, 0, len(places))
	for k, s := range places {
		pl := mapPlace{Site: k.site, Cell: k.cell, Needs: s.n, Coverage: round3(s.share / float64(s.n)),
			Tiers: map[string]tierMeet{}}
		if k.site != "" {
			st := v.sites[k.site]
			pl.Lat, pl.Lon = st.Lat, st.Lon
			show[k.site] = true
		} else {
			pl.Lat, pl.Lon, _ = geo.Center(k.cell)
		}
		for t, c := range s.tiers {
			pl.Tiers[string(t)] = tierMeet{Needs: int(c[0]), Coverage: round3(c[1] / c[0])}
		}
		out = append(out, pl)
	}
	slices.SortFunc(out, func(a, b mapPlace) int {
		return cmp.Or(cmp.Compare(a.Site, b.Site), cmp.Compare(a.Cell, b.Cell))
	})
	return out
}

// bounds frames the sites, the places and the ends of the flows.
func bounds(d mapData) mapBounds {
	b := mapBounds{South: 90, West: 180, North: -90, East: -180}
	n := 0
	grow := func(lat, lon float64) {
		n++
		b.South, b.North = math.Min(b.South, lat), math.Max(b.North, lat)
		b.West, b.East = math.Min(b.West, lon), math.Max(b.East, lon)
	}
	for _, s := range d.Sites {
		grow(s.Lat, s.Lon)
	}
	for _, f := range d.Flows {
		grow(f.Lat, f.Lon)
	}
	for _, c := range d.Coverage {
		grow(c.Lat, c.Lon)
	}
	if n == 0 {
		return mapBounds{}
	}
	return b
}

// round3 keeps three decimals of a share: the solver's 0.99999999 is 1.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// roundAll rounds every quantity of m to the decimals shown and drops
// those that would show as 0.
func roundAll(m map[string]float64) {
	for k, x := range m {
		if m[k] = roundShown(x); m[k] == 0 {
			delete(m, k)
		}
	}
}
