package lp

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Status says how a solve ended.
type Status int

const (
	// Unsolved means the solver stopped before deciding anything, for
	// example because it failed to run.
	Unsolved Status = iota
	Optimal
	Infeasible
	Unbounded
	IterationLimit
	TimeLimit
	// Stalled means the built-in solver stopped because its answer no
	// longer improved (see Options.Repair).
	Stalled
)

var statusNames = [...]string{"unsolved", "optimal", "infeasible", "unbounded", "iteration_limit", "time_limit", "stalled"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// Sentinel errors returned by the solvers, wrapped with context. The
// solution returned beside them still holds the best iterate found.
var (
	ErrInfeasible     = errors.New("lp: problem is infeasible")
	ErrUnbounded      = errors.New("lp: problem is unbounded")
	ErrIterationLimit = errors.New("lp: iteration limit reached")
	ErrTimeLimit      = errors.New("lp: time limit reached")
	ErrStalled        = errors.New("lp: no progress")
)

// Err returns nil for Optimal and the matching sentinel error otherwise.
func (s Status) Err() error {
	switch s {
	case Optimal:
		return nil
	case Infeasible:
		return ErrInfeasible
	case Unbounded:
		return ErrUnbounded
	case IterationLimit:
		return ErrIterationLimit
	case TimeLimit:
		return ErrTimeLimit
	case Stalled:
		return ErrStalled
	}
	return errors.New("lp: not solved")
}

// Solution is the result of a solve, always in terms of the original
// model (before any presolve or scaling).
type Solution struct {
	Status    Status
	Objective float64

	X           []float64 // primal values, one per column
	RowDual     []float64 // y: one price per row; ∂objective/∂rhs
	ReducedCost []float64 // c - Aᵀy, one per column

	// Relative residuals measured on the original model (see Residuals).
	PrimalResidual float64
	DualResidual   float64
	Gap            float64

	Iterations int
	Time       time.Duration
	Solver     string
	// Presolved is the size of what the built-in solver iterated on,
	// after presolve; zero from the external solvers.
	Presolved Size
	// Repairs counts the points the built-in solver's PDHG repaired to
	// keep every row (Options.Repair).
	Repairs int
	// Shrunk says the answer of a solve stopped at a limit is its last
	// point moved toward Options.Fallback (or the start) until it keeps
	// every row, or that point itself (Options.Repair).
	Shrunk bool
	// Method is the built-in solver's method that gave the answer: the
	// one asked for, or Halpern PDHG when the barrier handed over (see
	// MethodBarrier).
	Method Method
	// Declined says the barrier was asked for and declined the problem:
	// its factor would be too large, or its iterations would outlast the
	// time left. A barrier that gave up along the way (no progress, as on
	// an infeasible problem) has not declined, though PDHG answers then
	// too.
	Declined bool
}

// Size is the size of a linear program.
type Size struct {
	Rows, Cols, Nonzeros int
}

// fill computes the reduced costs, objective and residuals of X and
// RowDual on m, so that every solver reports them the same way.
func (s *Solution) fill(m *Model) {
	s.ReducedCost = make([]float64, m.NumCols())
	m.Matrix().MulTransVec(s.ReducedCost, s.RowDual)
	for j, c := range m.Cost {
		s.ReducedCost[j] = c - s.ReducedCost[j]
	}
	r := Measure(m, s.X, s.RowDual)
	s.Objective = r.PrimalObj
	s.PrimalResidual, s.DualResidual, s.Gap = r.Primal, r.Dual, r.Gap
}

// Residuals measures a primal-dual pair (x, y) against m:
//
//   - primal: the largest bound violation of Ax and x, each relative to
//     1 + |the bound it violates|;
//   - dual: the largest part of the reduced costs c - Aᵀy, or of y, whose
//     sign no finite bound allows, relative to 1 + ‖c‖∞;
//   - gap: |primal objective - dual objective| / (1 + |primal| + |dual|).
//
// It is what the command line reports and what the tests check.
type Residuals struct {
	Primal, Dual, Gap      float64
	PrimalObj, DualObj     float64
	MaxRowViol, MaxColViol float64 // absolute
}

// Measure computes the residuals of (x, y) on m. y may be nil, in which
// case only the primal side is measured.
func Measure(m *Model, x, y []float64) Residuals {
	a := m.Matrix()
	var r Residuals
	ax := make([]float64, m.NumRows())
	a.MulVec(ax, x)
	for i, v := range ax {
		if d := m.RowLower[i] - v; d > 0 {
			r.Primal = math.Max(r.Primal, d/(1+math.Abs(m.RowLower[i])))
			r.MaxRowViol = math.Max(r.MaxRowViol, d)
		}
		if d := v - m.RowUpper[i]; d > 0 {
			r.Primal = math.Max(r.Primal, d/(1+math.Abs(m.RowUpper[i])))
			r.MaxRowViol = math.Max(r.MaxRowViol, d)
		}
	}
	for j, v := range x {
		if d := m.ColLower[j] - v; d > 0 {
			r.Primal = math.Max(r.Primal, d/(1+math.Abs(m.ColLower[j])))
			r.MaxColViol = math.Max(r.MaxColViol, d)
		}
		if d := v - m.ColUpper[j]; d > 0 {
			r.Primal = math.Max(r.Primal, d/(1+math.Abs(m.ColUpper[j])))
			r.MaxColViol = math.Max(r.MaxColViol, d)
		}
	}
	r.PrimalObj = m.Objective(x)
	if y == nil {
		return r
	}
	cnorm := 0.0
	for _, c := range m.Cost {
		cnorm = math.Max(cnorm, math.Abs(c))
	}
	d := m.ObjConst
	worst := 0.0
	for i, yi := range y {
		d += dualTerm(yi, m.RowLower[i], m.RowUpper[i], &worst)
	}
	rc := make([]float64, m.NumCols())
	a.MulTransVec(rc, y)
	for j := range rc {
		d += dualTerm(m.Cost[j]-rc[j], m.ColLower[j], m.ColUpper[j], &worst)
	}
	r.Dual = worst / (1 + cnorm)
	r.DualObj = d
	r.Gap = math.Abs(r.PrimalObj-d) / (1 + math.Abs(r.PrimalObj) + math.Abs(d))
	return r
}

// dualTerm returns the contribution of a multiplier v on the interval
// [lo, hi] to the dual objective: v·lo when v > 0, v·hi when v < 0. A sign
// that points at an infinite bound contributes nothing and is recorded as
// a dual infeasibility in worst.
func dualTerm(v, lo, hi float64, worst *float64) float64 {
	switch {
	case v > 0:
		if math.IsInf(lo, -1) {
			*worst = math.Max(*worst, v)
			return 0
		}
		return v * lo
	case v < 0:
		if math.IsInf(hi, 1) {
			*worst = math.Max(*worst, -v)
			return 0
		}
		return v * hi
	}
	return 0
}
