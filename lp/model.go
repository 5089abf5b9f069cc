package lp

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Inf is an infinite bound.
var Inf = math.Inf(1)

// Model is a linear program: minimise cᵀx + ObjConst subject to row and
// column bounds. Build it with AddCol, AddRow and Set, or read it with
// ReadMPS. Names are optional; where they are empty, writers invent them.
type Model struct {
	Name     string
	ObjConst float64

	Cost     []float64
	ColLower []float64
	ColUpper []float64
	ColNames []string

	RowLower []float64
	RowUpper []float64
	RowNames []string

	// Coefficients as triplets; Matrix compresses them.
	entries []entry
	csc     *CSC
}

type entry struct {
	row, col int32
	val      float64
}

// NumCols returns the number of variables.
func (m *Model) NumCols() int { return len(m.Cost) }

// NumRows returns the number of constraints.
func (m *Model) NumRows() int { return len(m.RowLower) }

// NumNonzeros returns the number of nonzero coefficients, with repeated
// positions counted once.
func (m *Model) NumNonzeros() int { return len(m.Matrix().Val) }

// AddCol adds a variable with bounds [lower, upper] and objective
// coefficient cost, and returns its index.
func (m *Model) AddCol(name string, lower, upper, cost float64) int {
	m.Cost = append(m.Cost, cost)
	m.ColLower = append(m.ColLower, lower)
	m.ColUpper = append(m.ColUpper, upper)
	m.ColNames = append(m.ColNames, name)
	m.edit()
	return len(m.Cost) - 1
}

// edit turns a compressed matrix back into entries before the model
// changes shape: a column or row added after Matrix must keep the
// coefficients already set.
func (m *Model) edit() {
	if m.csc != nil {
		m.entries = m.csc.triplets()
		m.csc = nil
	}
}

// AddRow adds a constraint lower ≤ Σ vals[k]·x[cols[k]] ≤ upper and
// returns its index. Use equal bounds for an equality, ±Inf for one side.
func (m *Model) AddRow(name string, lower, upper float64, cols []int, vals []float64) int {
	if len(cols) != len(vals) {
		panic(fmt.Sprintf("lp: AddRow with %d columns and %d values", len(cols), len(vals)))
	}
	m.edit()
	m.RowLower = append(m.RowLower, lower)
	m.RowUpper = append(m.RowUpper, upper)
	m.RowNames = append(m.RowNames, name)
	r := len(m.RowLower) - 1
	for k, j := range cols {
		m.Set(r, j, vals[k])
	}
	return r
}

// Set records the coefficient of column col in row row. Setting the same
// position twice adds the values.
func (m *Model) Set(row, col int, val float64) {
	if row < 0 || row >= m.NumRows() || col < 0 || col >= m.NumCols() {
		panic(fmt.Sprintf("lp: Set(%d, %d) outside a %d×%d model", row, col, m.NumRows(), m.NumCols()))
	}
	if val == 0 {
		return
	}
	m.edit()
	m.entries = append(m.entries, entry{int32(row), int32(col), val})
}

// Matrix returns the constraint matrix in compressed sparse column form,
// with duplicate positions summed and explicit zeros dropped. The result is
// shared with the model: treat it as read-only.
func (m *Model) Matrix() *CSC {
	if m.csc == nil {
		m.csc = compress(m.NumRows(), m.NumCols(), m.entries)
		m.entries = nil
	}
	return m.csc
}

// Validate reports the first structural problem in the model: mismatched
// lengths, NaN values, or a lower bound above an upper bound.
func (m *Model) Validate() error {
	n, r := m.NumCols(), m.NumRows()
	if len(m.ColLower) != n || len(m.ColUpper) != n {
		return errors.New("lp: column bound slices differ in length from Cost")
	}
	if len(m.RowUpper) != r {
		return errors.New("lp: RowLower and RowUpper differ in length")
	}
	if math.IsNaN(m.ObjConst) || math.IsInf(m.ObjConst, 0) {
		return errors.New("lp: objective constant is not finite")
	}
	for j := 0; j < n; j++ {
		if math.IsNaN(m.Cost[j]) || math.IsInf(m.Cost[j], 0) {
			return fmt.Errorf("lp: column %s: cost is not finite", m.colName(j))
		}
		if math.IsNaN(m.ColLower[j]) || math.IsNaN(m.ColUpper[j]) || m.ColLower[j] > m.ColUpper[j] ||
			m.ColLower[j] == Inf || m.ColUpper[j] == -Inf {
			return fmt.Errorf("lp: column %s: bounds [%g, %g] are empty", m.colName(j), m.ColLower[j], m.ColUpper[j])
		}
	}
	for i := 0; i < r; i++ {
		if math.IsNaN(m.RowLower[i]) || math.IsNaN(m.RowUpper[i]) || m.RowLower[i] > m.RowUpper[i] ||
			m.RowLower[i] == Inf || m.RowUpper[i] == -Inf {
			return fmt.Errorf("lp: row %s: bounds [%g, %g] are empty", m.rowName(i), m.RowLower[i], m.RowUpper[i])
		}
	}
	a := m.Matrix()
	for _, v := range a.Val {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.New("lp: constraint matrix holds a value that is not finite")
		}
	}
	return nil
}

func (m *Model) colName(j int) string {
	if j < len(m.ColNames) && m.ColNames[j] != "" {
		return fmt.Sprintf("%q", m.ColNames[j])
	}
	return fmt.Sprintf("#%d", j)
}

func (m *Model) rowName(i int) string {
	if i < len(m.RowNames) && m.RowNames[i] != "" {
		return fmt.Sprintf("%q", m.RowNames[i])
	}
	return fmt.Sprintf("#%d", i)
}

// Objective returns cᵀx + ObjConst.
func (m *Model) Objective(x []float64) float64 {
	s := m.ObjConst
	for j, c := range m.Cost {
		s += c * x[j]
	}
	return s
}

// CSC is a sparse matrix in compressed sparse column form: the entries of
// column j are Ind[Start[j]:Start[j+1]] (row indices, increasing) and the
// matching Val.
type CSC struct {
	Rows, Cols int
	Start      []int
	Ind        []int32
	Val        []float64
}

func compress(rows, cols int, es []entry) *CSC {
	sort.Slice(es, func(a, b int) bool {
		if es[a].col != es[b].col {
			return es[a].col < es[b].col
		}
		return es[a].row < es[b].row
	})
	m := &CSC{Rows: rows, Cols: cols, Start: make([]int, cols+1)}
	m.Ind = make([]int32, 0, len(es))
	m.Val = make([]float64, 0, len(es))
	for k := 0; k < len(es); {
		e := es[k]
		v := 0.0
		for k < len(es) && es[k].row == e.row && es[k].col == e.col {
			v += es[k].val
			k++
		}
		if v != 0 {
			m.Ind = append(m.Ind, e.row)
			m.Val = append(m.Val, v)
			m.Start[e.col+1]++
		}
	}
	for j := 0; j < cols; j++ {
		m.Start[j+1] += m.Start[j]
	}
	return m
}

func (m *CSC) triplets() []entry {
	es := make([]entry, 0, len(m.Val))
	for j := 0; j < m.Cols; j++ {
		for k := m.Start[j]; k < m.Start[j+1]; k++ {
			es = append(es, entry{m.Ind[k], int32(j), m.Val[k]})
		}
	}
	return es
}

// Transpose returns the matrix transposed, which is also its compressed
// sparse row form.
func (m *CSC) Transpose() *CSC {
	t := &CSC{Rows: m.Cols, Cols: m.Rows, Start: make([]int, m.Rows+1)}
	t.Ind = make([]int32, len(m.Ind))
	t.Val = make([]float64, len(m.Val))
	for _, i := range m.Ind {
		t.Start[i+1]++
	}
	for i := 0; i < m.Rows; i++ {
		t.Start[i+1] += t.Start[i]
	}
	next := append([]int(nil), t.Start[:m.Rows]...)
	for j := 0; j < m.Cols; j++ {
		for k := m.Start[j]; k < m.Start[j+1]; k++ {
			i := m.Ind[k]
			p := next[i]
			t.Ind[p] = int32(j)
			t.Val[p] = m.Val[k]
			next[i]++
		}
	}
	return t
}

// MulVec sets y = A·x.
func (m *CSC) MulVec(y, x []float64) {
	clear(y[:m.Rows])
	for j := 0; j < m.Cols; j++ {
		xj := x[j]
		if xj == 0 {
			continue
		}
		for k := m.Start[j]; k < m.Start[j+1]; k++ {
			y[m.Ind[k]] += m.Val[k] * xj
		}
	}
}

// MulTransVec sets x = Aᵀ·y.
func (m *CSC) MulTransVec(x, y []float64) { m.dotRange(x, y, 0, m.Cols) }
