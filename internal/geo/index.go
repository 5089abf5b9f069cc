package geo

import (
	"math"
	"slices"
	"sort"
)

// Index finds the points nearest to a place. It is a k-d tree over the
// points as unit vectors in three dimensions, where the straight-line
// (chord) distance grows with the great-circle distance, so there is no
// seam at the antimeridian and no distortion near the poles (Friedman,
// Bentley and Finkel, "An algorithm for finding best matches in
// logarithmic expected time", 1977).
type Index struct {
	pts  []Point
	xyz  [][3]float64 // xyz[i] is pts[order[i]] on the unit sphere
	ord  []int32      // tree order: node i spans ord[lo:hi], its split point at the middle
	axis []uint8      // split axis of the node whose middle is at position i
}

// Neighbor is a point of the index and its distance from a query.
type Neighbor struct {
	I  int     // position of the point in the slice given to NewIndex
	Km float64 // great-circle distance
}

func unit(p Point) [3]float64 {
	const rad = math.Pi / 180
	φ, λ := p.Lat*rad, p.Lon*rad
	return [3]float64{math.Cos(φ) * math.Cos(λ), math.Cos(φ) * math.Sin(λ), math.Sin(φ)}
}

// chord converts a great-circle distance to the chord length on the unit
// sphere.
func chord(km float64) float64 {
	a := km / EarthRadiusKm
	if a >= math.Pi {
		return 2
	}
	return 2 * math.Sin(a/2)
}

// NewIndex builds an index over pts; the index keeps the slice.
func NewIndex(pts []Point) *Index {
	ix := &Index{pts: pts, xyz: make([][3]float64, len(pts)), ord: make([]int32, len(pts)), axis: make([]uint8, len(pts))}
	for i := range pts {
		ix.ord[i] = int32(i)
	}
	ix.build(0, len(pts))
	for i, o := range ix.ord {
		ix.xyz[i] = unit(pts[o])
	}
	return ix
}

func (ix *Index) build(lo, hi int) {
	if hi-lo <= 1 {
		return
	}
	var min, max [3]float64
	for d := range 3 {
		min[d], max[d] = math.Inf(1), math.Inf(-1)
	}
	for _, o := range ix.ord[lo:hi] {
		u := unit(ix.pts[o])
		for d := range 3 {
			min[d] = math.Min(min[d], u[d])
			max[d] = math.Max(max[d], u[d])
		}
	}
	ax := 0
	for d := 1; d < 3; d++ {
		if max[d]-min[d] > max[ax]-min[ax] {
			ax = d
		}
	}
	mid := (lo + hi) / 2
	part := ix.ord[lo:hi]
	sort.Slice(part, func(a, b int) bool { return unit(ix.pts[part[a]])[ax] < unit(ix.pts[part[b]])[ax] })
	ix.axis[mid] = uint8(ax)
	ix.build(lo, mid)
	ix.build(mid+1, hi)
}

// Unlimited is the radius of a search without a limit.
const Unlimited = math.MaxFloat64

// Len is the number of points in the index.
func (ix *Index) Len() int { return len(ix.pts) }

// Nearest returns up to k points nearest to p and no farther than maxKm
// (Unlimited for no limit), nearest first; k < 0 means no limit on the
// count; ties in distance go to the lower position so the answer is
// deterministic. A negative maxKm finds nothing; 0 finds the points at p.
func (ix *Index) Nearest(p Point, k int, maxKm float64) []Neighbor {
	if k == 0 || len(ix.pts) == 0 || maxKm < 0 {
		return nil
	}
	q := unit(p)
	bound := 2.0 + 1e-12
	if maxKm < Unlimited {
		// Unit vectors of nearby points differ in their fifth digit, so
		// their chord carries an absolute rounding error near 1e-16; the
		// margin (6 mm on Earth) lets every candidate through, and the
		// haversine distance below decides.
		bound = chord(maxKm) + 1e-9
	}
	s := search{ix: ix, q: q, k: k, bound: bound}
	s.visit(0, len(ix.pts))
	out := make([]Neighbor, len(s.best))
	for i, b := range s.best {
		out[i] = Neighbor{I: int(ix.ord[b.pos]), Km: ix.pts[ix.ord[b.pos]].Distance(p)}
	}
	// Re-measure by haversine and drop anything the chord bound let
	// through by rounding.
	slices.SortStableFunc(out, func(a, b Neighbor) int {
		if a.Km != b.Km {
			if a.Km < b.Km {
				return -1
			}
			return 1
		}
		return a.I - b.I
	})
	if maxKm < Unlimited {
		n := 0
		for _, nb := range out {
			if nb.Km <= maxKm {
				out[n] = nb
				n++
			}
		}
		out = out[:n]
	}
	return out
}

// Within returns every point no farther than km from p, nearest first.
func (ix *Index) Within(p Point, km float64) []Neighbor {
	return ix.Nearest(p, -1, km)
}

type candidate struct {
	pos int
	d   float64 // chord distance
}

type search struct {
	ix    *Index
	q     [3]float64
	k     int
	bound float64
	best  []candidate // sorted by d, at most k
}

func (s *search) visit(lo, hi int) {
	if lo >= hi {
		return
	}
	mid := (lo + hi) / 2
	u := s.ix.xyz[mid]
	dx, dy, dz := u[0]-s.q[0], u[1]-s.q[1], u[2]-s.q[2]
	s.offer(mid, math.Sqrt(dx*dx+dy*dy+dz*dz))
	if hi-lo == 1 {
		return
	}
	ax := s.ix.axis[mid]
	diff := s.q[ax] - u[ax]
	near, far := [2]int{lo, mid}, [2]int{mid + 1, hi}
	if diff > 0 {
		near, far = far, near
	}
	s.visit(near[0], near[1])
	if math.Abs(diff) <= s.limit() {
		s.visit(far[0], far[1])
	}
}

func (s *search) limit() float64 {
	if s.k < 0 || len(s.best) < s.k {
		return s.bound
	}
	return s.best[len(s.best)-1].d
}

func (s *search) offer(pos int, d float64) {
	if s.k < 0 { // Within: every point inside the bound, sorted later
		if d <= s.bound {
			s.best = append(s.best, candidate{pos, d})
		}
		return
	}
	if d > s.bound || (len(s.best) == s.k && d >= s.best[len(s.best)-1].d) {
		return
	}
	i := sort.Search(len(s.best), func(i int) bool { return s.best[i].d > d })
	if len(s.best) < s.k {
		s.best = append(s.best, candidate{})
	}
	copy(s.best[i+1:], s.best[i:len(s.best)-1])
	s.best[i] = candidate{pos, d}
}
