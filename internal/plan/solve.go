package plan

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/world"
	"github.com/commune-org/commune/lp"
)

// Options tune Make. The zero value plans with the built-in solver.
type Options struct {
	// Solver solves each stage; nil means the built-in solver's
	// interior-point method (lp.MethodBarrier).
	Solver lp.Solver
	// LP is passed to the solver; its Progress is replaced by Progress
	// below.
	LP lp.Options
	// Network sets the sparsity of the planner's graph.
	Network Network
	// Progress, if set, hears about each step and, during long solves,
	// the solver's progress about once a second.
	Progress func(Event)
	// Budget, if positive, bounds the time of the whole plan: each
	// stage's solve is stopped after its share of the time left among
	// the stages still to come (this one, its tier's total, a first round
	// and a total for each later tier, and the last stage), those of the
	// essential tier counting double, or after LP.TimeLimit if that is
	// less; and each tier takes one max-min round. A stopped stage falls
	// back on the stages before it (see Make), so the plan is whole, if
	// not the fairest or the least effort. Splitting the pools and what
	// the caller does with the plan come on top.
	Budget time.Duration
	// Rounds, if positive, is the most max-min rounds a tier takes (1:
	// the smallest share is raised, then the total, as rule 5 asks);
	// 0 means DefaultRounds, or one on an LP of more than a million
	// nonzeros (oneRoundNonzeros). Under a Budget a tier takes one.
	Rounds int
	// Export, if set, is called with every stage's LP and its solution
	// right after the stage is solved; the LP then carries names.
	Export func(stage string, m *lp.Model, sol *lp.Solution) error
}

// Event is a step of a planning run.
type Event struct {
	Stage   string       // "build", "essential/maxmin", ..., "cost", "split"
	Message string       // what happened, in English, for logs
	LP      *lp.Progress // set during a solve
}

// minHold is the least a later stage may give back of what an earlier
// one achieved (see model.hold): the solvers are accurate to about the
// tolerance, and holding an optimum exactly would make the next stage
// infeasible by rounding.
const minHold = 1e-5

// DefaultRounds is how many max-min rounds a tier may take (see
// saturated) unless Options.Rounds says otherwise.
const DefaultRounds = 6

// oneRoundNonzeros is the size of LP, in nonzeros as built, above which
// a tier takes one max-min round unless Options.Rounds asks for more.
// On the region (1,000,000 members, 1.9 million nonzeros) the six rounds
// took 16 min 43 s, two stages stopped at their budget, where one round
// a tier plans it in under 9 minutes with every stage at its optimum;
// the city (355,000 nonzeros) takes its rounds in seconds.
var oneRoundNonzeros = 1_000_000

// roundBudget bounds the iterations of a tier's later max-min rounds:
// factor times those of its first round, and at least min, so that a
// plan always ends. The barrier takes about twenty iterations a round. With
// PDHG (a stage too large for the barrier) a later round starts where the
// round before ended, and on the region (1,000,000 members) the second
// round of the essential tier still found no optimum: after 8,500
// iterations its primal residual stayed at 0.22 (a clinic's balance row)
// for thousands more, and cold it had come no nearer than a gap of
// 1.4e-2 in 71,000 iterations and 23 minutes (its first round took
// 13,504). A round out of its budget ends the tier's rounds (see Make).
var roundBudget = struct{ factor, min int }{2, 4096}

// firstRoundLimit bounds the iterations of a tier's first max-min round,
// which sets the later rounds' budgets and has none of its own: an LP
// whose shares are out of the solver's reach must not keep a plan from
// ending. The barrier takes tens of iterations; PDHG took 14,976 on the
// region's essential round, and ran on for ever (13 million in 10
// minutes) on a world whose needs, hours and stock of 10¹⁵ beside needs of
// a few units kept its gap at 0.25 (such numbers are now refused by the
// world's reader, world.MaxQuantity; this is the last line). A round
// stopped by it is used as any stopped round is.
var firstRoundLimit = 1 << 20

// costBudget bounds the iterations of the last stage: factor times the
// most any earlier stage took, and at least min. The barrier takes tens;
// PDHG, on a stage too large for the barrier, may take many times a
// max-min round's (51,264 against 2,112 on the city, before the barrier),
// and this only keeps a plan from running for ever.
var costBudget = struct{ factor, min int }{16, 16384}

// cleanBudget bounds the iterations of a solve without the traces
// (withoutTraces): factor times the last stage's, and at least min. The
// barrier takes about forty; on a world of 50,000 members spread over
// the continents, the third one's fixed columns left its LP infeasible
// by 2·10⁻⁴ (CLP: primal infeasible), the barrier gave up, and PDHG took
// 178,359 iterations and a minute to prove it.
var cleanBudget = struct{ factor, min int }{4, 1024}

// feasible reports whether a stage's point keeps every row and bound to
// the tolerance: a stage stopped there has not proved its optimum, but
// what its point achieves can be had.
func feasible(sol *lp.Solution, tol float64) bool {
	return sol != nil && len(sol.X) > 0 && sol.PrimalResidual <= tol
}

// stopText says why a stage ended without an optimum, in the planner's
// messages: its budget, or a stall (lp.Stalled: PDHG's repaired answers
// stopped improving).
func stopText(err error, limit int) string {
	switch {
	case errors.Is(err, lp.ErrStalled):
		return "no optimum (the solver's answer stopped improving)"
	case errors.Is(err, lp.ErrTimeLimit):
		return "no optimum within the time limit"
	case limit > 0:
		return fmt.Sprintf("no optimum within %d iterations or the time limit", limit)
	}
	return "no optimum within the time limit"
}

// stopStatus is the status of a stage stopped by err, as lp.Status
// says it: "time_limit", "iteration_limit" or "stalled".
func stopStatus(err error) string {
	switch {
	case errors.Is(err, lp.ErrStalled):
		return lp.Stalled.String()
	case errors.Is(err, lp.ErrTimeLimit):
		return lp.TimeLimit.String()
	}
	return lp.IterationLimit.String()
}

// keptText says how a stopped stage's point came to keep the rules: as
// PDHG left it or repaired it, or moved toward the earlier stages' answer
// (lp.Solution.Shrunk; docs/lp.md, "Falling back").
func keptText(sol *lp.Solution, first bool) string {
	switch {
	case sol.Shrunk && first:
		return "its last point, moved toward planning nothing, keeps the rules"
	case sol.Shrunk:
		return "its last point, moved toward the earlier stages' answer, keeps the rules"
	}
	return "its last point keeps the rules"
}

// minShare is the least time a stage gets under Options.Budget, spent
// once the budget is: the solver's first check, and its fallback.
var minShare = time.Second

// likelyMet is the share every need still raised must already have in
// the previous round's solution for the next round to be tried as a
// feasibility problem first (see likelyAllMet).
const likelyMet = 0.99

// Make plans the world. The world must be valid (world.Validate).
func Make(ctx context.Context, w *world.World, opt Options) (*Plan, error) {
	start := time.Now()
	report := func(e Event) {
		if opt.Progress != nil {
			opt.Progress(e)
		}
	}
	tol := opt.LP.Tolerance
	if tol <= 0 {
		tol = 1e-6
	}
	g, err := newGraph(w, opt.Network)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	md := newModel(g, opt.Export != nil)
	md.hold = math.Max(minHold, 10*tol)
	report(Event{Stage: "build", Message: fmt.Sprintf(
		"%d labour pools from %d members, %d demand nodes from %d needs, %d hubs; LP %d rows, %d columns, %d nonzeros",
		len(g.pools), len(w.Members), len(g.demands), len(w.Needs), len(g.hubs),
		md.m.NumRows(), md.m.NumCols(), md.m.NumNonzeros())})

	solver := opt.Solver
	builtin := solver == nil
	if builtin {
		solver = lp.Builtin{}
		opt.LP.Method = lp.MethodBarrier
		// A stage too large for the barrier goes to PDHG, which may
		// stall near its optimum with a few rows broken (the region):
		// the repair makes such a point keep every row.
		opt.LP.Repair = true
	}
	p := &Plan{Format: Format, Status: "optimal"}
	maxRounds := DefaultRounds
	switch {
	case opt.Rounds > 0:
		maxRounds = opt.Rounds
	case md.m.NumNonzeros() > oneRoundNonzeros && opt.Budget == 0:
		maxRounds = 1
		report(Event{Stage: "build", Message: fmt.Sprintf(
			"an LP of more than %d nonzeros: one max-min round a tier, unless more are asked for", oneRoundNonzeros)})
	}
	nothing := make([]float64, md.m.NumCols()) // the first stage's fallback
	deadline := start.Add(opt.Budget)
	// weight is the current stage's and weightLeft that of the stages
	// still to come, this one included (see Options.Budget).
	weight, weightLeft := 1, 1
	var last *lp.Solution // the latest stage's solution
	// The tier stages differ from the one before in a few bounds and the
	// objective, and PDHG starts each where the last ended (the barrier
	// ignores the start). The last stage starts cold: started where the
	// tiers ended, it took five times the iterations on generated worlds
	// (its optimum is far from theirs, and the old anchor holds Halpern's
	// iteration back).
	warm := true
	// sameObjective says the stage to solve has the objective of the one
	// before (a later max-min round of a tier), whose prices then fit it.
	// Elsewhere PDHG starts from the last point with prices of zero
	// (docs/planning.md, "Solvers and scale").
	sameObjective := false
	most := 0 // the most iterations a stage took
	// stopped reports whether a stage ended at its budget of iterations
	// or time, or stalled (lp.ErrStalled), without an optimum; the plan
	// then goes on from what the stages have (fallBack). An interrupted
	// plan ends: the solver says time limit for a cancelled context too.
	stopped := func(err error) bool {
		return ctx.Err() == nil && (errors.Is(err, lp.ErrIterationLimit) || errors.Is(err, lp.ErrTimeLimit) || errors.Is(err, lp.ErrStalled))
	}
	// unproved marks the tiers one of whose stages stopped: what their
	// needs get is not proved the most they could, and no cause of
	// their shortfalls is either (shortfalls).
	var unproved [3]bool
	// fallBack says how the plan goes on after a stage stopped by err.
	// Its fairness or least effort is then not proved: the plan keeps the
	// rules, its status is "feasible", and it lists the stage in Stopped.
	fallBack := func(stage string, err error, format string, args ...any) {
		p.Status = "feasible"
		p.Stopped = append(p.Stopped, StoppedStage{Stage: stage, Status: stopStatus(err)})
		for ti, tier := range world.Tiers {
			if strings.HasPrefix(stage, string(tier)+"/") {
				unproved[ti] = true
			}
		}
		report(Event{Stage: stage, Message: fmt.Sprintf(format, args...)})
	}
	// solveAs solves the current LP as stage; a positive limit bounds the
	// iterations. A stage that ends without an optimum is recorded and
	// exported, with its status, only when its point keeps the rules
	// (and is used: fallBack).
	solveAs := func(stage string, tol float64, limit int) (*lp.Solution, error) {
		o := opt.LP
		o.Tolerance = tol
		if limit > 0 && (o.IterationLimit <= 0 || limit < o.IterationLimit) {
			o.IterationLimit = limit
		}
		if warm && last != nil {
			o.Start = last
			if !sameObjective {
				o.Start = &lp.Solution{X: last.X}
			}
			// A max-min round's optimum is often near the answer before
			// it: the next round's, and a tier's first after a tier that
			// used up what it needs (on the region, a floor of 0.00028
			// for the basic tier). The barrier begins there too, and goes
			// back to its own start when that does not pay.
			o.StartBarrier = strings.Contains(stage, "/maxmin")
		}
		// The earlier stages' answer keeps the rows of every later stage
		// but a round that fixes the floor at 1 (allMet; the solver
		// checks), and before it nothing at all does (every row holds at
		// zero: stocks are not negative): a stage stopped without a point
		// of its own that keeps them falls back on it, or on its own point
		// moved toward it.
		o.Fallback = nothing
		if last != nil {
			o.Fallback = last.X
		}
		if opt.Budget > 0 {
			share := time.Until(deadline) * time.Duration(weight) / time.Duration(weightLeft)
			if o.TimeLimit <= 0 || share < o.TimeLimit {
				o.TimeLimit = max(share, minShare)
			}
		}
		o.Progress = func(pr lp.Progress) { report(Event{Stage: stage, LP: &pr}) }
		md.applyFace()
		// The stage is solved with the demand nodes no answer can tell
		// apart merged (merge.go), and answers on the whole LP.
		solve := func(o lp.Options) (*lp.Solution, error) {
			lpm, mg := md.m, md.merge()
			if mg != nil {
				lpm, o.Start, o.Fallback = mg.small, mg.start(o.Start), mg.x(o.Fallback)
			}
			sol, err := solver.Solve(ctx, lpm, o)
			if mg != nil {
				sol = mg.answer(sol)
			}
			return sol, err
		}
		sol, err := solve(o)
		if errors.Is(err, lp.ErrInfeasible) && len(md.face) > 0 {
			// The earlier stages' prices, exact only to the tolerance,
			// fixed a column the later ones need (as on a max-min round
			// whose floor is about zero, where prices are the least
			// sure): the stage is solved again without the face.
			report(Event{Stage: stage, Message: "no point on the earlier stages' optimal face; solving again without it"})
			md.forgetFace()
			sol, err = solve(o)
		}
		if builtin && sol != nil && sol.Declined {
			// The barrier declined this stage, its factor too large or
			// its iterations too slow for the time left: the later
			// stages, of the same shape, go to PDHG at once. A barrier
			// that gave up along the way (as on a round that asks for
			// more than can be had, allMet) keeps the later stages.
			opt.LP.Method = lp.MethodHalpern
		}
		// A stage stopped at a point that keeps the rules is recorded and
		// exported too, with its status: its point is used, and another
		// solver can tell how far it is from the stage's optimum.
		kept := stopped(err) && feasible(sol, tol)
		if err != nil {
			err = fmt.Errorf("plan: stage %s: %w", stage, err)
			if !kept {
				return sol, err
			}
		}
		st := Stage{Name: stage, Objective: sol.Objective, Iterations: sol.Iterations, Seconds: sol.Time.Seconds(),
			Rows: sol.Presolved.Rows, Cols: sol.Presolved.Cols, Nonzeros: sol.Presolved.Nonzeros}
		if kept {
			st.Status = sol.Status.String()
		} else {
			most = max(most, sol.Iterations)
			repaired := ""
			switch {
			case sol.Repairs == 1:
				repaired = " (1 point repaired)"
			case sol.Repairs > 1:
				repaired = fmt.Sprintf(" (%d points repaired)", sol.Repairs)
			}
			report(Event{Stage: stage, Message: fmt.Sprintf("objective %.9g after %d iterations%s, %.1f s", sol.Objective, sol.Iterations, repaired, sol.Time.Seconds())})
		}
		p.Solver.Stages = append(p.Solver.Stages, st)
		if opt.Export != nil {
			if err := opt.Export(stage, md.m, sol); err != nil {
				return nil, fmt.Errorf("plan: export stage %s: %w", stage, err)
			}
		}
		// A tier stage's optimum fixes, for the stages after it, the
		// columns its prices prove to sit on a bound (keepFace): with
		// the prices of a simplex or of the barrier, not PDHG's, which
		// are near the optimum's but not of one.
		if err == nil && sol.ReducedCost != nil && strings.Contains(stage, "/") && (!builtin || sol.Method == lp.MethodBarrier) {
			md.keepFace(sol)
		}
		return sol, err
	}

	var inTier [3]bool
	for _, d := range g.demands {
		inTier[d.tier] = true
	}
	// tierWeight is the weight of a tier's stages under a budget: the
	// essential tier's count double, as every later stage is built on
	// them.
	tierWeight := func(ti int) int {
		if ti == 0 {
			return 2
		}
		return 1
	}
	// after is the weight of the stages after tier ti's if each later
	// tier takes one round and its total.
	after := func(ti int) int {
		n := 1 // the last stage
		for tj := ti + 1; tj < len(inTier); tj++ {
			if inTier[tj] {
				n += 2 * tierWeight(tj)
			}
		}
		return n
	}
	// Each demand node's shortfall is explained by the max-min round that
	// fixed its share.
	explainBy := make([]*lp.Solution, len(g.demands))
	// planned is the number of tiers planned: a tier whose first max-min
	// round stops without a point that keeps the rules, once an earlier
	// tier has an answer, is not, nor are the tiers after it (see below).
	planned := len(world.Tiers)
	for ti, tier := range world.Tiers {
		md.openTiers(ti)
		if !inTier[ti] {
			continue
		}
		active := map[int]bool{}
		for d, dm := range g.demands {
			if dm.tier == ti && md.floorRow[d] >= 0 {
				active[d] = true
			}
		}
		t := 0.0
		var prev *lp.Solution // the tier's previous round
		first := 0            // the iterations of the tier's first round
		endRounds := false    // a round stopped at its budget
		for round := 1; ; round++ {
			stalled := false // the round stalled at a repaired point
			name := string(tier) + "/maxmin"
			if round > 1 {
				name += fmt.Sprintf("-%d", round)
			}
			md.setMaxFloor(ti)
			weight = tierWeight(ti)
			weightLeft = 2*weight + after(ti)
			var sol *lp.Solution
			sameObjective = false
			if prev != nil && likelyAllMet(md, prev, active) {
				sol, err = allMet(md, ti, name, tol, prev.Iterations, solveAs, report)
				if err != nil {
					return nil, err
				}
			}
			if sol == nil {
				limit := firstRoundLimit
				if round > 1 {
					limit = max(roundBudget.factor*first, roundBudget.min)
				}
				sameObjective = round > 1
				sol, err = solveAs(name, tol, limit)
				if stopped(err) {
					if feasible(sol, tol) && errors.Is(err, lp.ErrStalled) {
						// Its floor can be had, if it is not the most.
						// The repair that made the point priced the
						// needs it reached: those held at the floor
						// there are held at it, and the rounds go on
						// with the others (see bound).
						fallBack(name, err, "%s: %s and gives the %d needs still raised %.4g",
							stopText(err, limit), keptText(sol, last == nil), len(active), md.floor(sol, ti))
						stalled, err = true, nil
					} else if feasible(sol, tol) {
						// Its floor can be had, if it is not the most;
						// the rounds end with it.
						fallBack(name, err, "%s: %s and gives the %d needs still raised %.4g; the rounds end there",
							stopText(err, limit), keptText(sol, last == nil), len(active), md.floor(sol, ti))
						endRounds, err = true, nil
					} else if round > 1 {
						// The needs still raised keep the floor the last
						// round proved (t's lower bound), and the tier's
						// total stage gives them what more it can, not
						// evenly.
						fallBack(name, err, "%s: the %d needs still raised keep %.4g, the floor proved, and the tier's total is raised",
							stopText(err, limit), len(active), t)
						break
					} else if last != nil {
						// The earlier tiers' answer keeps the rules and
						// gives this tier nothing. Planning a later tier
						// from it would give its needs what this one's
						// should have first (rule 5), so the tiers end.
						fallBack(name, err, "%s, and its last point breaks the rules: this tier and those after it are not planned (their needs get nothing), and the plan is the earlier tiers' answer",
							stopText(err, limit))
						planned, err = ti, nil
						break
					}
				}
				if err != nil {
					return nil, err
				}
			}
			if round == 1 {
				first = sol.Iterations
			}
			last, prev = sol, sol
			t = md.floor(sol, ti)
			md.m.ColLower[md.t[ti]] = math.Max(0, t-md.hold)
			for d := range active {
				explainBy[d] = sol
			}
			// Under a budget a tier takes one round, as rule 5 asks:
			// the later rounds' time goes to the later tiers.
			if endRounds || t >= 1-md.hold || round == maxRounds || opt.Budget > 0 {
				break
			}
			stuck, say := md.saturated(sol, active), "%d of %d needs can get no more than %.4g; raising the others"
			if stalled {
				stuck, say = md.bound(sol, active, t), "%d of %d needs are held at %.4g where the point was repaired; raising the others"
			}
			if len(stuck) == 0 || len(stuck) == len(active) {
				switch {
				case stalled && len(stuck) == 0:
					report(Event{Stage: name, Message: "no need is priced at the floor: the rounds end there"})
				case stalled:
					report(Event{Stage: name, Message: fmt.Sprintf("all %d needs are held at %.4g: the rounds end there", len(stuck), t)})
				}
				break
			}
			report(Event{Stage: name, Message: fmt.Sprintf(say, len(stuck), len(active), t)})
			for _, d := range stuck {
				md.freeze(d, t)
				delete(active, d)
			}
		}
		if planned == ti {
			break
		}
		if t >= 1-md.hold {
			continue // every need of the tier is met: the total is too
		}
		md.setMaxTotal(ti)
		weight = tierWeight(ti)
		weightLeft = weight + after(ti)
		name := string(tier) + "/total"
		limit := max(roundBudget.factor*first, roundBudget.min)
		sameObjective = false
		sol, err := solveAs(name, tol, limit)
		switch {
		case stopped(err) && feasible(sol, tol):
			fallBack(name, err, "%s: %s and the floors, and stands", stopText(err, limit), keptText(sol, false))
			last = sol
		case stopped(err):
			// The last round's answer holds every floor; its total
			// stands for the tier's.
			fallBack(name, err, "%s: the tier keeps the allocations of its last max-min round", stopText(err, limit))
		case err != nil:
			return nil, err
		default:
			last = sol
		}
		total := 0.0
		for d, dm := range g.demands {
			if dm.tier == ti {
				total += last.X[md.alloc[d]]
			}
		}
		md.m.RowLower[md.totalRow[ti]] = total - md.hold*math.Max(1, total)
	}
	md.openTiers(planned - 1)
	if last != nil {
		md.holdAllocations(last.X)
	}
	md.setLeastEffort()
	// The last stage needs no more accuracy than the tiers gave back:
	// its bounds hold every allocation, and the repair makes its rows
	// exact. The barrier is asked for more all the same, for a handful of
	// iterations: an interior point leaves a trace of every good on
	// every way, about μ/z each, which shrinks with the tolerance (on the
	// city, at 1e-5 most flows outside the optimum carried 1e-6 to 1e-4
	// of a unit; at 1e-8, 1e-9 to 1e-6).
	costTol := math.Max(tol, md.hold)
	if builtin && opt.LP.Method == lp.MethodBarrier {
		costTol = math.Min(tol, 1e-8)
	}
	warm = false
	weight, weightLeft = 1, 1
	limit := max(costBudget.factor*most, costBudget.min)
	final, err := solveAs("cost", costTol, limit)
	switch {
	case stopped(err) && feasible(final, costTol):
		fallBack("cost", err, "%s: %s and is the plan, without the least labour and transport", stopText(err, limit), keptText(final, last == nil))
	case stopped(err) && last != nil:
		// The tiers' answer is a plan too, only not the least effort:
		// the repair makes it exact.
		fallBack("cost", err, "%s: the plan is the tiers' answer, without the least labour and transport", stopText(err, limit))
		final = last
	case err != nil:
		return nil, err
	case final.Method == lp.MethodBarrier:
		// A cleaning solve that the barrier gives up on (its fixed
		// columns can leave the LP infeasible by a hair) is not left to
		// PDHG for long: the answer before it stands.
		limit := max(cleanBudget.factor*final.Iterations, cleanBudget.min)
		clean := md.withoutTraces(final, costTol, func(stage string, tol float64) (*lp.Solution, error) {
			return solveAs(stage, tol, limit)
		})
		if clean != nil {
			final = clean
		}
	}
	report(Event{Stage: "split", Message: "splitting pools into members' assignments"})
	x, work := md.repair(final.X)
	p.fill(g, md, x, work)
	p.LaborValues = laborValues(w, p.Production)
	p.Shortfalls = shortfalls(g, md, x, explainBy, planned, unproved, p.Allocations)
	p.Solver.Name = solver.Name()
	p.Solver.Rows, p.Solver.Cols, p.Solver.Nonzeros = md.m.NumRows(), md.m.NumCols(), md.m.NumNonzeros()
	p.Solver.Pools, p.Solver.Demands = len(g.pools), len(g.demands)
	p.Solver.Seconds = time.Since(start).Seconds()
	return p, nil
}

// likelyAllMet reports whether the next max-min round of a tier will
// likely find every need still active fully met (t = 1): each already
// has nearly all of it in the previous round's solution prev. That
// round's optimum only had to give them its floor, but PDHG's answer
// gives more to the needs that can have more: on the generated world of
// 10,000 members, every round whose answer was 1 followed a solution
// where the least of these shares was above 0.9995, and every other
// round (six) one where it was below 0.25. The first round of a tier
// has no such hint: the earlier tiers' solutions leave its needs at 0.
func likelyAllMet(md *model, prev *lp.Solution, active map[int]bool) bool {
	for d := range active {
		if prev.X[md.alloc[d]] < likelyMet*md.g.demands[d].qty {
			return false
		}
	}
	return len(active) > 0
}

// allMet tries to prove that every need of tier ti still active can be
// fully met: the round's LP with the floor t fixed at 1, whose objective
// (-t) is then the constant -1, a feasibility problem, which PDHG ends
// as soon as its point is feasible (y = 0 is then an optimal dual). On
// the city (100,000 members) PDHG took 704 and 1,600 iterations for the
// two rounds whose answer is 1, against 2,112 and 1,856 as max-min
// rounds; the barrier takes 14 and 16 against about 20. The attempt may
// take at most budget iterations, those of the round before but at least
// 1,024; it returns nil when it fails (infeasible, or out of iterations
// or stalled at a point that breaks a row), with the floor's bounds as
// they were, for the max-min round to be solved as usual. Either way the
// round's answer is exact: an LP of the same name with the optimal
// objective -1 is exported (marked with its status if the solve stopped
// at a point that keeps every row, which is optimal all the same).
func allMet(md *model, ti int, name string, tol float64, budget int,
	solveAs func(string, float64, int) (*lp.Solution, error), report func(Event)) (*lp.Solution, error) {
	col := md.t[ti]
	lo := md.m.ColLower[col]
	md.m.ColLower[col] = 1
	sol, err := solveAs(name, tol, max(budget, 1024))
	switch {
	case err == nil:
		return sol, nil
	case errors.Is(err, lp.ErrInfeasible), errors.Is(err, lp.ErrIterationLimit), errors.Is(err, lp.ErrTimeLimit), errors.Is(err, lp.ErrStalled):
		if !errors.Is(err, lp.ErrInfeasible) && feasible(sol, tol) {
			// Stopped at a point that keeps every row with the floor
			// at 1, its most: the round's optimum all the same.
			return sol, nil
		}
		// A cancelled context also says time limit: the max-min round
		// that follows then ends the plan.
		md.m.ColLower[col] = lo
		msg := "not every need can be met"
		if !errors.Is(err, lp.ErrInfeasible) {
			msg = "no proof that every need can be met"
		}
		iters := 0
		if sol != nil {
			iters = sol.Iterations
		}
		report(Event{Stage: name, Message: fmt.Sprintf("%s after %d iterations; maximising the floor", msg, iters)})
		return nil, nil
	}
	return nil, err
}
