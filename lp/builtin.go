package lp

import (
	"context"
	"fmt"
	"time"
)

// Builtin is the built-in solver: presolve, then restarted PDHG on what
// remains, then postsolve. Options.Method chooses the PDHG variant.
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
	sol := &Solution{Solver: "builtin"}
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
			r = pdResult{status: Optimal}
		} else {
			w := newPDHG(q, opt)
			if opt.Method == MethodAdaptive {
				r = w.run(ctx, start)
			} else {
				r = w.runHalpern(ctx, start)
			}
			w.close()
		}
		sol.Status, sol.Iterations = r.status, r.iterations
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
