package lp

import (
	"math"
)

// presolve removes what needs no solver from a model: empty rows and
// columns, fixed columns, rows with one entry (they become column bounds),
// free columns with one entry in an equality row (substituted out), and
// rows that the column bounds make redundant. It records each removal
// so that postsolve can rebuild primal values and row prices of the full
// model from those of the reduced one. The reductions are the simplest of
// Andersen and Andersen, "Presolving in linear programming", Math.
// Programming 71 (1995).
type presolver struct {
	m              *Model
	a, at          *CSC // the model's matrix by columns and by rows
	c              []float64
	lr, ur, lc, uc []float64
	objConst       float64
	rowAlive       []bool
	colAlive       []bool
	rowCount       []int // live entries per row
	colCount       []int // live entries per column
	ops            []presolveOp
	status         Status // Infeasible or Unbounded when presolve decides
}

type opKind uint8

const (
	opDropRow       opKind = iota // y = 0
	opFixCol                      // x = val
	opSingletonRow                // row became a bound on col
	opFreeSingleton               // free col, alone in equality row, substituted out
)

type presolveOp struct {
	kind     opKind
	row, col int
	val      float64 // opFixCol: the value; otherwise the coefficient of col in row
	cost     float64 // the cost of col when the op was made (costs change by substitution)
	rhs      float64 // opFreeSingleton: the row's right-hand side then
	setLo    bool    // opSingletonRow: the row set the column's lower bound
	setHi    bool    // ... its upper bound
}

// presolveTol is the absolute slack with which presolve judges a bound
// violated; smaller violations are left for the solver to measure.
const presolveTol = 1e-9

func newPresolver(m *Model) *presolver {
	a := m.Matrix()
	p := &presolver{
		m: m, a: a, at: a.Transpose(),
		c:        append([]float64(nil), m.Cost...),
		lr:       append([]float64(nil), m.RowLower...),
		ur:       append([]float64(nil), m.RowUpper...),
		lc:       append([]float64(nil), m.ColLower...),
		uc:       append([]float64(nil), m.ColUpper...),
		objConst: m.ObjConst,
		rowAlive: make([]bool, m.NumRows()),
		colAlive: make([]bool, m.NumCols()),
		rowCount: make([]int, m.NumRows()),
		colCount: make([]int, m.NumCols()),
	}
	for i := range p.rowAlive {
		p.rowAlive[i] = true
		p.rowCount[i] = p.at.Start[i+1] - p.at.Start[i]
	}
	for j := range p.colAlive {
		p.colAlive[j] = true
		p.colCount[j] = a.Start[j+1] - a.Start[j]
	}
	return p
}

// run applies reductions until none applies or the status is decided.
func (p *presolver) run() {
	for pass := 0; pass < 100 && p.status == Unsolved; pass++ {
		before := len(p.ops)
		for j := range p.colAlive {
			if !p.colAlive[j] {
				continue
			}
			switch {
			case p.lc[j] == p.uc[j]:
				p.fixCol(j, p.lc[j])
			case p.colCount[j] == 0:
				p.emptyCol(j)
			case p.colCount[j] == 1 && math.IsInf(p.lc[j], -1) && math.IsInf(p.uc[j], 1):
				p.freeSingleton(j)
			}
		}
		for i := range p.rowAlive {
			if !p.rowAlive[i] || p.status != Unsolved {
				continue
			}
			switch p.rowCount[i] {
			case 0:
				p.emptyRow(i)
			case 1:
				p.singletonRow(i)
			default:
				p.redundantRow(i)
			}
		}
		if len(p.ops) == before {
			break
		}
	}
}

func (p *presolver) dropRow(i int) {
	p.rowAlive[i] = false
	for k := p.at.Start[i]; k < p.at.Start[i+1]; k++ {
		p.colCount[p.at.Ind[k]]--
	}
	p.ops = append(p.ops, presolveOp{kind: opDropRow, row: i})
}

func (p *presolver) emptyRow(i int) {
	if p.lr[i] > presolveTol*(1+math.Abs(p.lr[i])) || p.ur[i] < -presolveTol*(1+math.Abs(p.ur[i])) {
		p.status = Infeasible
		return
	}
	p.dropRow(i)
}

func (p *presolver) fixCol(j int, v float64) {
	p.colAlive[j] = false
	for k := p.a.Start[j]; k < p.a.Start[j+1]; k++ {
		i := p.a.Ind[k]
		if !p.rowAlive[i] {
			continue
		}
		d := p.a.Val[k] * v
		p.lr[i] -= d
		p.ur[i] -= d
		p.rowCount[i]--
	}
	p.objConst += p.c[j] * v
	p.ops = append(p.ops, presolveOp{kind: opFixCol, col: j, val: v})
}

// emptyCol fixes a column that appears in no live row at its cheapest
// bound; with no such bound the problem is unbounded (or infeasible, which
// the rest of the problem would have to show).
func (p *presolver) emptyCol(j int) {
	c := p.c[j]
	var v float64
	switch {
	case c > 0:
		v = p.lc[j]
	case c < 0:
		v = p.uc[j]
	default:
		v = clamp(0, p.lc[j], p.uc[j])
	}
	if math.IsInf(v, 0) {
		p.status = Unbounded
		return
	}
	p.fixCol(j, v)
}

// firstLive returns the first entry of column j of m whose index is
// alive: with m = Aᵀ it finds a row's first live column, with m = A a
// column's first live row.
func firstLive(m *CSC, j int, alive []bool) (int, float64) {
	for k := m.Start[j]; k < m.Start[j+1]; k++ {
		if i := int(m.Ind[k]); alive[i] {
			return i, m.Val[k]
		}
	}
	panic("lp: presolve counted a live entry that is not there")
}

func (p *presolver) singletonRow(i int) {
	j, a := firstLive(p.at, i, p.colAlive)
	lo, hi := p.lr[i]/a, p.ur[i]/a
	if a < 0 {
		lo, hi = hi, lo
	}
	op := presolveOp{kind: opSingletonRow, row: i, col: j, val: a, cost: p.c[j]}
	if lo > p.lc[j] {
		p.lc[j], op.setLo = lo, true
	}
	if hi < p.uc[j] {
		p.uc[j], op.setHi = hi, true
	}
	if p.lc[j] > p.uc[j] {
		if p.lc[j]-p.uc[j] > presolveTol*(1+math.Abs(p.lc[j])) {
			p.status = Infeasible
			return
		}
		// Crossed by rounding only: meet in the middle.
		mid := (p.lc[j] + p.uc[j]) / 2
		p.lc[j], p.uc[j] = mid, mid
	}
	p.rowAlive[i] = false
	p.colCount[j]--
	p.ops = append(p.ops, op)
}

// freeSingleton substitutes out a free column that appears in a single
// equality row: x_j = (b - Σ a_k x_k)/a_j satisfies the row whatever the
// other columns do, so the row and the column go, and the column's cost
// moves onto the others (Andersen and Andersen 1995, free column
// singletons). The row's price is then c_j/a_j. Small pivots are left
// alone: dividing by them would magnify errors.
func (p *presolver) freeSingleton(j int) {
	i, a := firstLive(p.a, j, p.rowAlive)
	if p.lr[i] != p.ur[i] {
		return
	}
	amax := 0.0
	for k := p.at.Start[i]; k < p.at.Start[i+1]; k++ {
		if p.colAlive[p.at.Ind[k]] {
			amax = math.Max(amax, math.Abs(p.at.Val[k]))
		}
	}
	if math.Abs(a) < 1e-2*amax {
		return
	}
	b := p.lr[i]
	f := p.c[j] / a
	for k := p.at.Start[i]; k < p.at.Start[i+1]; k++ {
		if jj := p.at.Ind[k]; int(jj) != j && p.colAlive[jj] {
			p.c[jj] -= f * p.at.Val[k]
			p.colCount[jj]--
		}
	}
	p.objConst += f * b
	p.rowAlive[i], p.colAlive[j] = false, false
	p.ops = append(p.ops, presolveOp{kind: opFreeSingleton, row: i, col: j, val: a, cost: p.c[j], rhs: b})
}

// redundantRow drops a row that its columns' bounds already keep within
// its own bounds, and detects a row they keep outside.
func (p *presolver) redundantRow(i int) {
	minAct, maxAct := 0.0, 0.0
	for k := p.at.Start[i]; k < p.at.Start[i+1]; k++ {
		j := p.at.Ind[k]
		if !p.colAlive[j] {
			continue
		}
		a := p.at.Val[k]
		lo, hi := a*p.lc[j], a*p.uc[j]
		if a < 0 {
			lo, hi = hi, lo
		}
		minAct += lo
		maxAct += hi
	}
	lr, ur := p.lr[i], p.ur[i]
	if maxAct < lr-presolveTol*(1+math.Abs(lr)) || minAct > ur+presolveTol*(1+math.Abs(ur)) {
		p.status = Infeasible
		return
	}
	if minAct >= lr && maxAct <= ur {
		p.dropRow(i)
	}
}

// reduced returns the problem that remains, and the maps from its rows and
// columns to the model's.
func (p *presolver) reduced() (*problem, []int, []int) {
	var rows, cols []int
	rowMap := make([]int, len(p.rowAlive))
	for i, ok := range p.rowAlive {
		rowMap[i] = -1
		if ok {
			rowMap[i] = len(rows)
			rows = append(rows, i)
		}
	}
	for j, ok := range p.colAlive {
		if ok {
			cols = append(cols, j)
		}
	}
	q := &problem{objConst: p.objConst}
	a := &CSC{Rows: len(rows), Cols: len(cols), Start: make([]int, len(cols)+1)}
	for jj, j := range cols {
		for k := p.a.Start[j]; k < p.a.Start[j+1]; k++ {
			if r := rowMap[p.a.Ind[k]]; r >= 0 {
				a.Ind = append(a.Ind, int32(r))
				a.Val = append(a.Val, p.a.Val[k])
			}
		}
		a.Start[jj+1] = len(a.Val)
		q.c = append(q.c, p.c[j])
		q.lc = append(q.lc, p.lc[j])
		q.uc = append(q.uc, p.uc[j])
	}
	for _, i := range rows {
		q.lr = append(q.lr, p.lr[i])
		q.ur = append(q.ur, p.ur[i])
		q.loDen = append(q.loDen, 1+math.Abs(p.m.RowLower[i]))
		q.hiDen = append(q.hiDen, 1+math.Abs(p.m.RowUpper[i]))
	}
	q.a = a
	return q, rows, cols
}

// postsolve rebuilds x and y of the model from xr and yr of the reduced
// problem, undoing the reductions in reverse order. Row prices of dropped
// rows are zero, except for a singleton row whose bound on its column is
// the one that binds: it takes over the column's reduced cost, so that
// c - Aᵀy keeps the sign the column's original bounds allow.
func (p *presolver) postsolve(xr, yr []float64, rows, cols []int) (x, y []float64) {
	x = make([]float64, p.m.NumCols())
	y = make([]float64, p.m.NumRows())
	for k, j := range cols {
		x[j] = xr[k]
	}
	for k, i := range rows {
		y[i] = yr[k]
	}
	for t := len(p.ops) - 1; t >= 0; t-- {
		op := p.ops[t]
		switch op.kind {
		case opFixCol:
			x[op.col] = op.val
		case opSingletonRow:
			// The column's reduced cost in the problem as it was: rows
			// dropped before this op still have y = 0 here.
			j := op.col
			d := op.cost
			for k := p.a.Start[j]; k < p.a.Start[j+1]; k++ {
				d -= p.a.Val[k] * y[p.a.Ind[k]]
			}
			if (d > 0 && op.setLo) || (d < 0 && op.setHi) {
				y[op.row] = d / op.val
			}
		case opFreeSingleton:
			// Columns removed before this op still have x = 0 here, and
			// the row's right-hand side then already counted them.
			s := op.rhs
			for k := p.at.Start[op.row]; k < p.at.Start[op.row+1]; k++ {
				if jj := int(p.at.Ind[k]); jj != op.col {
					s -= p.at.Val[k] * x[jj]
				}
			}
			x[op.col] = s / op.val
			y[op.row] = op.cost / op.val
		}
	}
	return x, y
}
