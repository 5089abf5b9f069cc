package lp

import (
	"context"
	"fmt"
	"time"
)

// Solver solves a model. The built-in solver (PDLP) and the external
// solvers (CLP, GLPK, HiGHS) implement it.
type Solver interface {
	// Name identifies the solver in reports, for example "builtin" or "clp".
	Name() string
	// Solve solves m. It returns a non-nil solution whenever the model
	// could be handed to the solver, and an error wrapping ErrInfeasible,
	// ErrUnbounded, ErrIterationLimit, ErrTimeLimit or ErrStalled when the
	// status is not Optimal.
	Solve(ctx context.Context, m *Model, opt Options) (*Solution, error)
}

// Options tune a solve. The zero value asks for the defaults.
type Options struct {
	// Tolerance is the relative accuracy asked for: primal and dual
	// residuals and the duality gap, as Measure defines them. Default 1e-6.
	Tolerance float64
	// TimeLimit stops the solve with status TimeLimit; 0 means none.
	TimeLimit time.Duration
	// IterationLimit stops the built-in solver with status
	// IterationLimit; 0 means none.
	IterationLimit int
	// Threads bounds the goroutines the sparse products use; 0 means
	// up to two (the products stop paying beyond memory bandwidth).
	Threads int
	// Progress, if set, is called about once a second during long solves.
	Progress func(Progress)
	// NoPresolve solves the model as it is given.
	NoPresolve bool
	// Method chooses the built-in solver's variant of PDHG; the zero
	// value is MethodHalpern.
	Method Method
	// Repair lets the built-in solver's Halpern PDHG mend its point when
	// some rows stay broken: it solves the LP again, by the barrier, over
	// the columns near those rows with all others fixed, after polishing
	// the primal side when too many rows are broken and the gap is below
	// 1e-4 (see repairer and docs/lp.md). A repaired point that meets
	// the tolerance ends the solve as optimal; the best one that keeps
	// the rows is kept, and is the answer, with the small LP's duals over
	// the rows it solved, if the solve ends at a limit or stalls (with
	// the gap below 1e-2, a repair that does not improve on the kept
	// point while neither the iterate's primal residual nor its gap has
	// halved, or the third such repair since the kept point whatever
	// they did: status Stalled). A solve that ends at a limit with no
	// point kept, but with a Fallback or Start that keeps every row,
	// answers with its iterate moved toward that point until it keeps
	// them too (see problem.shrink), or with the point if that is better.
	Repair bool
	// Start, if set, is where the built-in solver's PDHG begins instead
	// of at zero: the solution of a model of the same shape, such as the
	// previous step of a sequence of LPs that differ in a few bounds. A
	// start without row duals (RowDual nil) begins the dual at zero: the
	// previous step's prices mislead where the objective changed. The
	// barrier ignores it unless StartBarrier is set; the external
	// solvers ignore it.
	Start *Solution
	// StartBarrier has the built-in barrier begin at Start's X too,
	// where that keeps the bounds of every column and row: for a
	// sequence whose next optimum is likely near the last answer, as the
	// planner's max-min rounds (a tier's floor is often near zero after
	// a tier that could not be met). The barrier goes back to its own
	// start when the warm one does not make progress.
	StartBarrier bool
	// Fallback, if set, is a point of a model of the same shape that
	// keeps every row of this one, such as the answer of the step before
	// of a sequence that only tightens costs: with Repair, a solve that
	// ends at a limit as Repair describes answers with its iterate moved
	// toward it. A Start that keeps every row serves when Fallback is
	// nil. It does not change where PDHG begins.
	Fallback []float64
}

// Method is a variant of the built-in solver's iteration.
type Method int

const (
	// MethodHalpern is reflected restarted Halpern PDHG with a constant
	// step (Lu and Yang 2024; cuPDLPx): the default, and the faster on
	// most of the Netlib set and on the hardest problems in it.
	MethodHalpern Method = iota
	// MethodAdaptive is restarted averaged PDHG with adaptive steps
	// (PDLP, Applegate et al. 2021). Its steps can grow far beyond
	// 1/‖A‖₂, which wins on some problems (fit2d: 15 times faster).
	MethodAdaptive
	// MethodBarrier is a primal-dual interior-point method (Mehrotra's
	// predictor-corrector on the normal equations, with a sparse
	// Cholesky factorisation): tens of iterations, each a
	// factorisation. It wins on transport networks, where PDHG needs
	// tens of thousands of steps, as long as the factor stays sparse.
	// If it stops making progress, the solve goes on with PDHG.
	MethodBarrier
)

// ParseMethod reads "halpern", "adaptive" or "barrier".
func ParseMethod(s string) (Method, error) {
	switch s {
	case "", "halpern":
		return MethodHalpern, nil
	case "adaptive":
		return MethodAdaptive, nil
	case "barrier":
		return MethodBarrier, nil
	}
	return 0, fmt.Errorf("lp: unknown method %q (want halpern, adaptive or barrier)", s)
}

func (m Method) String() string {
	switch m {
	case MethodAdaptive:
		return "adaptive"
	case MethodBarrier:
		return "barrier"
	}
	return "halpern"
}

// Progress reports the state of a running solve.
type Progress struct {
	Iterations int
	Elapsed    time.Duration
	PrimalObj  float64
	Primal     float64 // relative primal residual
	Dual       float64 // relative dual residual
	Gap        float64 // relative duality gap
	Repairs    int     // points repaired to keep every row (Options.Repair)
}

func (p Progress) String() string {
	s := fmt.Sprintf("iter %8d  %7.1fs  obj %+.9e  primal %.1e  dual %.1e  gap %.1e",
		p.Iterations, p.Elapsed.Seconds(), p.PrimalObj, p.Primal, p.Dual, p.Gap)
	if p.Repairs > 0 {
		s += fmt.Sprintf("  repaired %d", p.Repairs)
	}
	return s
}

func (o Options) tolerance() float64 {
	if o.Tolerance > 0 {
		return o.Tolerance
	}
	return 1e-6
}

func (o Options) threads() int {
	if o.Threads > 0 {
		return o.Threads
	}
	return 2
}

// Solve solves m with the built-in solver.
func Solve(ctx context.Context, m *Model, opt Options) (*Solution, error) {
	return Builtin{}.Solve(ctx, m, opt)
}
