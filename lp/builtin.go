package lp

import (
	"context"
	"fmt"
	"time"
)

// Builtin is the built-in solver: presolve, then restarted PDHG or the
// interior-point method on what remains, then postsolve. Options.Method
// chooses.
type Builtin struct{}

// Name returns "builtin".
func (Builtin) Name() string { return "builtin" }

// Solve solves m. See Solver.
func (Builtin) Solve(ctx context.Context, m *Model, opt Options) (*Solution, error) {
	start := time.Now()
	if err := m.Validate(); err != nil {
		return nil, err
	}
	pre := newPresolver(m)
	if !opt.NoPresolve {
		pre.run()
	}
	sol := &Solution{Solver: "builtin", Method: opt.Method}
	var x, y []float64
	switch pre.status {
	case Infeasible, Unbounded:
		sol.Status = pre.status
		x, y = make([]float64, m.NumCols()), make([]float64, m.NumRows())
	default:
		q, rows, cols := pre.reduced()
		sol.Presolved = Size{q.rows(), q.cols(), len(q.a.Val)}
		var r pdResult
		if q.rows() == 0 && q.cols() == 0 {
			r = pdResult{status: Optimal, method: opt.Method}
		} else {
			r = solveReduced(ctx, q, opt, start, reducedStart(m, opt.Start, rows, cols))
			r = q.fallBack(r, fallback(m, opt), cols, opt.tolerance())
		}
		sol.Status, sol.Iterations, sol.Method, sol.Repairs, sol.Shrunk = r.status, r.iterations, r.method, r.repairs, r.shrunk
		sol.Declined = r.declined
		x, y = pre.postsolve(r.x, r.y, rows, cols)
	}
	sol.X, sol.RowDual = x, y
	sol.fill(m)
	sol.Time = time.Since(start)
	if err := sol.Status.Err(); err != nil {
		return sol, fmt.Errorf("builtin after %d iterations: %w", sol.Iterations, err)
	}
	return sol, nil
}

// reducedStart maps a starting solution of m onto the rows and columns
// presolve kept, or returns nil when there is none or it does not fit m.
// A start without row duals has y = 0.
func reducedStart(m *Model, s *Solution, rows, cols []int) *point {
	if s == nil || len(s.X) != m.NumCols() || s.RowDual != nil && len(s.RowDual) != m.NumRows() {
		return nil
	}
	p := &point{x: make([]float64, len(cols)), y: make([]float64, len(rows))}
	for k, j := range cols {
		p.x[k] = s.X[j]
	}
	if s.RowDual != nil {
		for k, i := range rows {
			p.y[k] = s.RowDual[i]
		}
	}
	return p
}

// fallback is the point of m a stopped solve may fall back on
// (Options.Fallback, else the start's), or nil when there is none, it
// does not fit m, or Repair is off.
func fallback(m *Model, opt Options) []float64 {
	x := opt.Fallback
	if x == nil && opt.Start != nil {
		x = opt.Start.X
	}
	if !opt.Repair || len(x) != m.NumCols() {
		return nil
	}
	return x
}

// point is a primal-dual pair of a problem.
type point struct{ x, y []float64 }

// solveReduced solves the presolved problem q with the method opt asks
// for; PDHG begins at warm if it is not nil. The barrier hands over to
// Halpern PDHG when its factor would cost more than ipmMaxFlops, or
// ipmMaxFlopsNoLimit without a time limit (found while ordering, which
// stops there), when its iterations would outlast
// the time left, or when it stops making progress (status Unsolved); PDHG
// then starts (at warm, or at zero) with what is left of the limits, and
// the iterations of both are counted.
func solveReduced(ctx context.Context, q *problem, opt Options, start time.Time, warm *point) pdResult {
	ipmIters, declined := 0, false
	if opt.Method == MethodBarrier {
		w := newIPM(q, opt)
		declined = w == nil
		if w != nil {
			if warm != nil && opt.StartBarrier {
				w.warm = warm.x
			}
			r := w.run(ctx, start)
			if r.status != Unsolved {
				r.method = MethodBarrier
				return r
			}
			ipmIters, declined = r.iterations, w.outlasted
		}
		opt.Method = MethodHalpern
		if opt.IterationLimit > 0 {
			opt.IterationLimit = max(1, opt.IterationLimit-ipmIters)
		}
	}
	w := newPDHG(q, opt)
	defer w.close()
	if warm != nil {
		w.begin(warm)
	}
	var r pdResult
	if opt.Method == MethodAdaptive {
		r = w.run(ctx, start)
	} else {
		r = w.runHalpern(ctx, start)
	}
	r.iterations += ipmIters
	r.method, r.declined = opt.Method, declined
	return r
}
