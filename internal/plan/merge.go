package plan

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/commune-org/commune/lp"
)

// Demand nodes that no answer can tell apart are solved as one. Two
// cells' needs of the same product and tier whose goods come from the
// same nearest sites (or whose service comes from the same sites within
// reach) have the same flow arcs, bound for bound and cost for cost:
// whatever the LP sends to both together can be shared between them in
// proportion to what each asks, and every row still holds. Merged into
// one node, with their quantities added, they make a smaller LP with the
// same optimal value, and an answer of it shared back that way is an
// answer of the whole LP, with the same objective; the merged node's
// prices are each node's (the reduced costs of every column come out
// the same), so the prices stay an optimal dual of the whole LP too.
//
// On the region of a million members 92,304 demand nodes make 20,079
// groups, and the barrier solved its first essential round in 25
// iterations and 38.4 s against 28 and 61.4 s, and its first basic round
// in 35 iterations and 221 s against 35 and 417 s, to the same optimum
// (docs/BENCHMARKS.md, "Demand nodes merged"). On the city the first
// round took 1.24 s against 1.82 s.
//
// The tier stages gain: their flows cost nothing. The last stage's
// flows cost by the kilometre from each source to each node's place, so
// nodes in different places do not merge there, and it is solved whole.
// The stages are exported whole too (Options.Export): what another
// solver checks is the stage's LP itself, and the merging with it.

// merger maps the planner's LP onto the smaller one with identical demand
// nodes merged, and answers back.
type merger struct {
	md    *model
	small *lp.Model
	// col[j] is the small LP's column that column j of the whole LP is
	// part of, and mult[j] the part: 1 for a column left as it is, the
	// node's share of its group's quantity for an allocation or a flow.
	col  []int32
	mult []float64
	// row[i] is the small LP's row that row i is, or whose price it
	// takes (a merged node's deliver and floor rows take its group's).
	row []int32
	// origin[r] is the row of the whole LP that row r of the small one
	// was made from.
	origin []int32
}

// merge returns the merger of md's LP as it stands (its bounds and costs
// decide which nodes can be merged), or nil when no two nodes can.
func (md *model) merge() *merger {
	g, m := md.g, md.m
	byDemand := make([][]int, len(g.demands)) // flow arcs into each node, by site
	for i, f := range g.flows {
		byDemand[f.demand] = append(byDemand[f.demand], i)
	}
	group := map[string]int{} // key → the first node of the group
	rep := make([]int, len(g.demands))
	total := make([]float64, len(g.demands)) // by representative: the group's quantity
	size := make([]int, len(g.demands))      // by representative: the group's nodes
	merged := 0
	var key []byte
	for d, dm := range g.demands {
		rep[d] = d
		arcs := byDemand[d]
		if len(arcs) == 0 || md.floorRow[d] < 0 || !(dm.qty > 0) {
			continue
		}
		slices.SortFunc(arcs, func(a, b int) int { return g.flows[a].site - g.flows[b].site })
		key = mergeKey(key[:0], md, d, arcs)
		if key == nil {
			continue
		}
		if r, ok := group[string(key)]; ok {
			rep[d] = r
			merged++
		} else {
			group[string(key)] = d
		}
		total[rep[d]] += dm.qty
		size[rep[d]]++
	}
	if merged == 0 {
		return nil
	}

	mg := &merger{md: md, col: make([]int32, m.NumCols()), mult: make([]float64, m.NumCols()), row: make([]int32, m.NumRows())}
	for j := range mg.col {
		mg.col[j], mg.mult[j] = -1, 1
	}
	// A merged node's rows and columns are its representative's.
	skipRow := make([]bool, m.NumRows())
	for d, r := range rep {
		if r == d {
			continue
		}
		skipRow[md.deliverRow[d]], skipRow[md.floorRow[d]] = true, true
	}
	s := &lp.Model{Name: m.Name, ObjConst: m.ObjConst}
	names := len(m.RowNames) == m.NumRows()
	for i := range m.NumRows() {
		if skipRow[i] {
			continue
		}
		name := ""
		if names {
			name = m.RowNames[i]
		}
		mg.row[i] = int32(s.AddRow(name, m.RowLower[i], m.RowUpper[i], nil, nil))
		mg.origin = append(mg.origin, int32(i))
	}
	for d, r := range rep {
		if r != d {
			mg.row[md.deliverRow[d]], mg.row[md.floorRow[d]] = mg.row[md.deliverRow[r]], mg.row[md.floorRow[r]]
		}
	}
	// The columns: a representative's allocation and flows stand for
	// its group's, with the bounds added (allocations: proportional to
	// the quantities; flows: 0 and ∞ or 0 and 0, see mergeKey).
	share := func(d int) float64 { return g.demands[d].qty / total[rep[d]] }
	part := make([]bool, m.NumCols()) // a column of a group of more than one node
	for d, r := range rep {
		if size[r] > 1 {
			part[md.alloc[d]] = true
			for _, i := range byDemand[d] {
				part[md.flow[i]] = true
			}
		}
	}
	colNames := len(m.ColNames) == m.NumCols()
	for j := range m.NumCols() {
		if part[j] {
			continue // below, once its group is known
		}
		name := ""
		if colNames {
			name = m.ColNames[j]
		}
		mg.col[j] = int32(s.AddCol(name, m.ColLower[j], m.ColUpper[j], m.Cost[j]))
	}
	for d, r := range rep {
		if !part[md.alloc[d]] {
			continue
		}
		if r == d {
			name := ""
			if colNames {
				name = m.ColNames[md.alloc[d]]
			}
			mg.col[md.alloc[d]] = int32(s.AddCol(name, 0, 0, m.Cost[md.alloc[d]]))
			for _, i := range byDemand[d] {
				j := md.flow[i]
				if colNames {
					name = m.ColNames[j]
				}
				mg.col[j] = int32(s.AddCol(name, 0, 0, m.Cost[j]))
			}
		}
	}
	for d, r := range rep {
		if !part[md.alloc[d]] {
			continue
		}
		sh := share(d)
		pairs := [][2]int{{md.alloc[d], md.alloc[r]}}
		for k, i := range byDemand[d] {
			pairs = append(pairs, [2]int{md.flow[i], md.flow[byDemand[r][k]]})
		}
		for _, p := range pairs {
			j, c := p[0], mg.col[p[1]]
			mg.col[j], mg.mult[j] = c, sh
			s.ColLower[c] += m.ColLower[j]
			s.ColUpper[c] += m.ColUpper[j]
		}
	}
	// The coefficients: the columns made from one column of the whole
	// LP, and a representative's columns, keep theirs; in its floor row
	// the floor's coefficient is the group's quantity.
	a := m.Matrix()
	isT := make(map[int]bool, len(md.t))
	for _, j := range md.t {
		isT[j] = true
	}
	for j := range m.NumCols() {
		if part[j] && rep[md.demandOf(j)] != md.demandOf(j) {
			continue
		}
		for k := a.Start[j]; k < a.Start[j+1]; k++ {
			i := int(a.Ind[k])
			if skipRow[i] {
				continue
			}
			v := a.Val[k]
			if isT[j] {
				if d, ok := md.floorOf(i); ok && total[d] > 0 {
					v = -total[d]
				}
			}
			s.Set(int(mg.row[i]), int(mg.col[j]), v)
		}
	}
	mg.small = s
	return mg
}

// mergeKey appends to key what decides whether demand node d merges with
// another: its tier and product, its allocation's cost and bounds per
// unit asked, its floor and deliver rows' bounds, and for each flow arc
// (by site) the site, the cost and the bounds. It returns nil when a
// flow's bounds could not be shared in proportion (neither 0 and ∞ nor
// 0 and 0): such a node stays as it is.
func mergeKey(key []byte, md *model, d int, arcs []int) []byte {
	g, m := md.g, md.m
	dm := g.demands[d]
	put := func(x float64) { key = binary.LittleEndian.AppendUint64(key, math.Float64bits(x)) }
	// Per unit asked, to twelve places: freeze and holdAllocations set
	// bounds as a share times the quantity.
	perUnit := func(x float64) float64 {
		if math.IsInf(x, 0) {
			return x
		}
		return math.Round(x/dm.qty*1e12) / 1e12
	}
	key = binary.AppendUvarint(key, uint64(dm.tier))
	key = binary.AppendUvarint(key, uint64(dm.product))
	j := md.alloc[d]
	put(m.Cost[j])
	put(perUnit(m.ColLower[j]))
	put(perUnit(m.ColUpper[j]))
	for _, i := range []int{md.floorRow[d], md.deliverRow[d]} {
		put(m.RowLower[i])
		put(m.RowUpper[i])
	}
	for _, a := range arcs {
		j := md.flow[a]
		lo, up := m.ColLower[j], m.ColUpper[j]
		if lo != 0 || (up != 0 && !math.IsInf(up, 1)) {
			return nil
		}
		key = binary.AppendUvarint(key, uint64(g.flows[a].site))
		put(m.Cost[j])
		put(up)
	}
	return key
}

// demandOf returns the demand node whose allocation or flow column j is.
// Only for such columns.
func (md *model) demandOf(j int) int {
	if md.colDemand == nil {
		md.colDemand = make(map[int]int, len(md.alloc)+len(md.flow))
		for d, c := range md.alloc {
			md.colDemand[c] = d
		}
		for i, c := range md.flow {
			md.colDemand[c] = md.g.flows[i].demand
		}
	}
	return md.colDemand[j]
}

// floorOf returns the demand node whose floor row i is.
func (md *model) floorOf(i int) (int, bool) {
	if md.rowFloor == nil {
		md.rowFloor = make(map[int]int, len(md.floorRow))
		for d, r := range md.floorRow {
			if r >= 0 {
				md.rowFloor[r] = d
			}
		}
	}
	d, ok := md.rowFloor[i]
	return d, ok
}

// x returns x of the whole LP added up onto the small one's columns.
func (mg *merger) x(x []float64) []float64 {
	if x == nil {
		return nil
	}
	out := make([]float64, mg.small.NumCols())
	for j, v := range x {
		out[mg.col[j]] += v
	}
	return out
}

// start returns a starting point of the whole LP as one of the small LP:
// its x added up, its prices those of the rows kept.
func (mg *merger) start(s *lp.Solution) *lp.Solution {
	if s == nil {
		return nil
	}
	out := &lp.Solution{X: mg.x(s.X)}
	if len(s.RowDual) > 0 {
		out.RowDual = make([]float64, len(mg.origin))
		for r, i := range mg.origin {
			out.RowDual[r] = s.RowDual[i]
		}
	}
	return out
}

// answer returns the small LP's answer sol as one of the whole LP: each
// group's allocation and flows shared in proportion to the quantities,
// each merged row's price its group's, the reduced costs, objective and
// residuals measured on the whole LP.
func (mg *merger) answer(sol *lp.Solution) *lp.Solution {
	if sol == nil || len(sol.X) != mg.small.NumCols() {
		return sol
	}
	m := mg.md.m
	out := *sol
	out.X = make([]float64, m.NumCols())
	for j := range out.X {
		out.X[j] = sol.X[mg.col[j]] * mg.mult[j]
	}
	out.RowDual, out.ReducedCost = nil, nil
	if len(sol.RowDual) == mg.small.NumRows() {
		out.RowDual = make([]float64, m.NumRows())
		for i := range out.RowDual {
			out.RowDual[i] = sol.RowDual[mg.row[i]]
		}
		out.ReducedCost = make([]float64, m.NumCols())
		m.Matrix().MulTransVec(out.ReducedCost, out.RowDual)
		for j, c := range m.Cost {
			out.ReducedCost[j] = c - out.ReducedCost[j]
		}
	}
	r := lp.Measure(m, out.X, out.RowDual)
	out.Objective, out.PrimalResidual = r.PrimalObj, r.Primal
	if out.RowDual != nil {
		out.DualResidual, out.Gap = r.Dual, r.Gap
	}
	return &out
}
