package plan

import (
	"context"
	"errors"

	"github.com/commune-org/commune/lp"
)

// race is the planner's default solver: the built-in solver's two
// variants of PDHG run side by side, one thread each, and the first to
// reach an optimum wins. Neither variant is best on every stage: on the
// planner's LPs each stalls now and then where the other converges in a
// second (the dual residual of reflected Halpern PDHG can settle at 1e-5
// on a stage that adaptive PDLP finishes in a thousandth of the
// iterations, and the reverse), and on a two-core machine racing costs
// at most a factor of two where a stall costs a hundred.
type race struct{}

func (race) Name() string { return "builtin" }

func (race) Solve(ctx context.Context, m *lp.Model, opt lp.Options) (*lp.Solution, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		sol *lp.Solution
		err error
	}
	methods := []lp.Method{lp.MethodHalpern, lp.MethodAdaptive}
	done := make(chan result, len(methods))
	for i, method := range methods {
		o := opt
		o.Method = method
		o.Threads = 1
		if i > 0 {
			o.Progress = nil // one voice is enough
		}
		go func() {
			sol, err := lp.Builtin{}.Solve(ctx, m, o)
			done <- result{sol, err}
		}()
	}
	var first result
	for i := range methods {
		r := <-done
		if r.err == nil {
			return r.sol, nil
		}
		if i == 0 {
			first = r
		}
		if errors.Is(r.err, context.Canceled) && ctx.Err() != nil {
			continue
		}
		// One variant proved infeasibility or hit a limit: the other
		// may still finish; wait for it.
	}
	return first.sol, first.err
}
