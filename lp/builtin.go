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
			r = solveReduced(ctx, q, opt, start)
		}
		sol.Status, sol.Iterations, sol.Method = r.status, r.iterations, r.method
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

// solveReduced solves the presolved problem q with the method opt asks
// for. The barrier hands over to Halpern PDHG when its factor would cost
// more than ipmMaxFlops, or when it stops making progress (status
// Unsolved); PDHG then starts afresh with what is left of the limits, and
// the iterations of both are counted.
func solveReduced(ctx context.Context, q *problem, opt Options, start time.Time) pdResult {
	ipmIters := 0
	if opt.Method == MethodBarrier {
		if w := newIPM(q, opt); w.f.flops() <= ipmMaxFlops {
			r := w.run(ctx, start)
			if r.status != Unsolved {
				r.method = MethodBarrier
				return r
			}
			ipmIters = r.iterations
		}
		opt.Method = MethodHalpern
		if opt.IterationLimit > 0 {
			opt.IterationLimit = max(1, opt.IterationLimit-ipmIters)
		}
	}
	w := newPDHG(q, opt)
	defer w.close()
	var r pdResult
	if opt.Method == MethodAdaptive {
		r = w.run(ctx, start)
	} else {
		r = w.runHalpern(ctx, start)
	}
	r.iterations += ipmIters
	r.method = opt.Method
	return r
}
