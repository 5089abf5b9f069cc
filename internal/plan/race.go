package plan

import (
	"context"
	"errors"
	"math"
	"sync/atomic"

	"github.com/commune-org/commune/lp"
)

// race is the planner's default solver: the built-in solver's two
// variants of PDHG run side by side, one thread each. Neither is best on
// every stage: on the planner's LPs each stalls now and then where the
// other converges (the dual residual of reflected Halpern PDHG can
// settle at 1e-5 on a stage that adaptive PDLP finishes in a second, and
// the reverse), and on a two-core machine racing costs at most a factor
// of two where a stall costs a hundred.
//
// The winner is the variant that reached an answer (an optimum, or a
// proof that there is none) in fewer iterations (Halpern on a tie), not
// the one that finished first: with one thread each, both iterations are
// deterministic, so the same world always gives the same plan. A variant
// is stopped as soon as it has run more iterations than a finished one.
// A proof of infeasibility ends the race like an optimum: the planner's
// feasibility rounds (allMet) expect one when not every need can be met,
// and the adaptive variant, which seldom finds one, would otherwise run
// to the iteration limit.
type race struct{}

func (race) Name() string { return "builtin" }

func (race) Solve(ctx context.Context, m *lp.Model, opt lp.Options) (*lp.Solution, error) {
	methods := []lp.Method{lp.MethodHalpern, lp.MethodAdaptive}
	type result struct {
		method int
		sol    *lp.Solution
		err    error
	}
	var bar atomic.Int64 // the fewest iterations of a finished variant
	bar.Store(math.MaxInt64)
	done := make(chan result, len(methods))
	for i, method := range methods {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		o := opt
		o.Method = method
		o.Threads = 1
		report := opt.Progress
		o.Progress = func(p lp.Progress) {
			if int64(p.Iterations) > bar.Load() {
				cancel() // it can no longer win
			}
			if i == 0 && report != nil {
				report(p) // one voice is enough
			}
		}
		go func() {
			sol, err := lp.Builtin{}.Solve(ctx, m, o)
			done <- result{i, sol, err}
		}()
	}
	answered := func(r result) bool {
		return r.err == nil || errors.Is(r.err, lp.ErrInfeasible) || errors.Is(r.err, lp.ErrUnbounded)
	}
	results := make([]result, len(methods))
	for range methods {
		r := <-done
		results[r.method] = r
		if answered(r) { // only this goroutine writes bar
			bar.Store(min(bar.Load(), int64(r.sol.Iterations)))
		}
	}
	var best *result
	for i := range results {
		r := &results[i]
		if answered(*r) && (best == nil || r.sol.Iterations < best.sol.Iterations) {
			best = r
		}
	}
	if best == nil {
		best = &results[0] // no optimum: Halpern's answer says why
	}
	return best.sol, best.err
}
