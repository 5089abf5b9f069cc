package plan

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/world"
	"github.com/commune-org/commune/lp"
)

// stalledKitchen is the kitchen world with rice for half the meals and
// the clinic able to give 80% of the visits.
func stalledKitchen(t *testing.T) *world.World {
	w := kitchenWorld()
	meals := 0.0
	for _, n := range w.Needs {
		if n.Product == "meal" {
			meals += n.Qty
		}
	}
	w.Stocks[0].Qty = meals / 2 / 100 * 8 // a run makes 100 meals of 8 kg
	for i := range w.Recipes {
		if w.Recipes[i].ID == "visits" {
			w.Recipes[i].MaxRuns = ptr(6) // 24 of the 30 visits
		}
	}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestStalledRound: in the kitchen world with rice for half the meals and
// the clinic able to give 80% of the visits, the essential tier takes two
// max-min rounds (meals at 0.5, then visits at 0.8). With the budget of
// the later rounds and the totals cut to one iteration, the second round
// and the tier's total stop without an optimum: the planner says so, and
// every essential need keeps at least the floor the first round proved.
// With the last stage's budget cut instead, the plan is the tiers'
// answer, repaired, and the tiers' shares are those of a full run. As the
// planner runs the built-in solver, each stopped stage falls back on the
// stages before it (lp.Options.Fallback) and its point, moved toward
// their answer, is used; named as another solver would be, without
// Repair, the stopped points break rows and the planner goes on from the
// stages before. The plan keeps the rules in every case.
func TestStalledRound(t *testing.T) {
	w := stalledKitchen(t)
	type budget = struct{ factor, min int }
	one := budget{0, 1}
	// The planner's own use of the built-in solver sets lp.Options.Repair,
	// so that a stopped stage falls back on the stages before; without it
	// (the built-in solver named, as for another solver) the stopped
	// stage's point breaks rows and the planner goes on without it.
	bare := Options{Solver: lp.Builtin{}, LP: lp.Options{Method: lp.MethodBarrier}}
	for _, tc := range []struct {
		name          string
		opt           Options
		rounds, cost  budget
		said, notSaid []string
		fair          bool // visits at 0.8, not only above the floor
	}{
		{"budget", Options{}, roundBudget, costBudget, nil, []string{"no optimum"}, true},
		{"rounds and total", Options{}, one, costBudget, []string{
			"essential/maxmin-2: no optimum within 1 iterations or the time limit: its last point, moved toward the earlier stages' answer, keeps the rules",
			"essential/total: no optimum within 1 iterations or the time limit: its last point, moved toward the earlier stages' answer, keeps the rules and the floors, and stands",
		}, []string{"cost: no optimum"}, false},
		{"rounds and total without falling back", bare, one, costBudget, []string{
			"essential/maxmin-2: no optimum within 1 iterations",
			"essential/total: no optimum within 1 iterations or the time limit: the tier keeps the allocations of its last max-min round",
		}, []string{"cost: no optimum", "moved toward"}, false},
		{"cost", Options{}, roundBudget, one, []string{
			"cost: no optimum within 1 iterations or the time limit: its last point, moved toward the earlier stages' answer, keeps the rules and is the plan",
		}, []string{"maxmin-2: no optimum", "total: no optimum"}, true},
		{"cost without falling back", bare, roundBudget, one, []string{
			"cost: no optimum within 1 iterations or the time limit: the plan is the tiers' answer",
		}, []string{"maxmin-2: no optimum", "total: no optimum", "moved toward"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			savedRounds, savedCost := roundBudget, costBudget
			roundBudget, costBudget = tc.rounds, tc.cost
			defer func() { roundBudget, costBudget = savedRounds, savedCost }()
			var said []string
			o := tc.opt
			o.Progress = func(e Event) {
				if e.LP == nil {
					said = append(said, e.Stage+": "+e.Message)
				}
			}
			p, err := Make(context.Background(), w, o)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(w, p); err != nil {
				t.Fatalf("the plan breaks the rules:\n%v", err)
			}
			if want := map[bool]string{false: "optimal", true: "feasible"}[tc.said != nil]; p.Status != want {
				t.Errorf("status %q, want %q", p.Status, want)
			}
			all := strings.Join(said, "\n")
			for _, s := range tc.said {
				if !strings.Contains(all, s) {
					t.Errorf("the planner did not say %q; it said:\n%s", s, all)
				}
			}
			for _, s := range tc.notSaid {
				if strings.Contains(all, s) {
					t.Errorf("the planner said %q; it said:\n%s", s, all)
				}
			}
			for i, a := range p.Allocations {
				n := w.Needs[i]
				if n.Tier != world.Essential {
					continue
				}
				lo, hi := 0.5, 0.5
				if n.Product == "clinic-visit" {
					lo, hi = 0.5, 0.8
					if tc.fair {
						lo = 0.8
					}
				}
				if cov := a.Qty / n.Qty; cov < lo-1e-3 || cov > hi+1e-3 {
					t.Errorf("need %s: coverage %.4f, want %.1f to %.1f", a.Need, cov, lo, hi)
				}
			}
		})
	}
}

// timeUp is the built-in solver, except that its call-th solve (from 1)
// reports its answer as stopped at the time limit (or with status, if
// set: lp.Stalled). A real solve cannot be
// made to stop at a feasible point that is not yet optimal on a small
// world: the barrier's and PDHG's points there become feasible with the
// optimum (TestStalledRound's budgets find none before), while on the
// region a stopped stage's point is often feasible to 1e-9. The point it
// returns is the real answer, so the planner's use of it can be checked.
//
// With short set, the call-th solve is cut after one iteration instead,
// short of a point that keeps the rules (its relative primal residual is
// kept in residual).
type timeUp struct {
	call, calls int
	short       bool
	residual    float64
	shrunk      bool // the cut solve fell back (lp.Solution.Shrunk)
	status      lp.Status
}

func (s *timeUp) Name() string { return "builtin" }

func (s *timeUp) Solve(ctx context.Context, m *lp.Model, opt lp.Options) (*lp.Solution, error) {
	s.calls++
	if s.short && s.calls == s.call {
		opt.IterationLimit = 1
	}
	sol, err := lp.Builtin{}.Solve(ctx, m, opt)
	if s.calls != s.call || err != nil && !(s.short && errors.Is(err, lp.ErrIterationLimit)) {
		return sol, err
	}
	s.residual, s.shrunk = sol.PrimalResidual, sol.Shrunk
	sol.Status = lp.TimeLimit
	if s.status != lp.Unsolved {
		sol.Status = s.status
	}
	return sol, fmt.Errorf("builtin after %d iterations: %w", sol.Iterations, sol.Status.Err())
}

// passThrough plans w with the barrier through timeUp stopping no solve,
// and checks that the k-th solve is the k-th stage of the plan it
// returns, so that a stage can be stopped by its call. It returns the
// options (with timeUp's place to fill) and the plan.
func passThrough(t *testing.T, w *world.World) (Options, *Plan) {
	t.Helper()
	opt := Options{LP: lp.Options{Method: lp.MethodBarrier}}
	pass := &timeUp{}
	opt.Solver = pass
	p, err := Make(context.Background(), w, opt)
	if err != nil {
		t.Fatal(err)
	}
	if pass.calls != len(p.Solver.Stages) {
		t.Fatalf("%d solves for %d stages: the stages cannot be told by their call", pass.calls, len(p.Solver.Stages))
	}
	return opt, p
}

// planSaying plans w with o and returns the plan and what the planner
// said (its messages, one "stage: message" a line), failing the test if
// planning fails or the plan breaks the rules.
func planSaying(t *testing.T, w *world.World, o Options) (*Plan, string) {
	t.Helper()
	var said []string
	o.Progress = func(e Event) {
		if e.LP == nil {
			said = append(said, e.Stage+": "+e.Message)
		}
	}
	p, err := Make(context.Background(), w, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(w, p); err != nil {
		t.Fatalf("the plan breaks the rules:\n%v", err)
	}
	return p, strings.Join(said, "\n")
}

// TestStoppedAtFeasiblePoint: a stage stopped at its time limit, or
// stalled (lp.Stalled: PDHG's repaired points stopped improving), whose
// point keeps every row is used as if it were its answer, and the planner
// says so: a max-min round stopped at its limit ends the rounds with its
// floor; one that stalled holds the needs its duals price at the floor
// and goes on with the others; a stopped total or last stage stands. In
// the kitchen world of TestStalledRound the point is the optimum, so the
// shares are the full run's, except after a first round stopped at its
// limit, which ends the rounds at the meals' floor.
func TestStoppedAtFeasiblePoint(t *testing.T) {
	w := stalledKitchen(t)
	opt, p := passThrough(t, w)
	for k, st := range p.Solver.Stages {
		// A cleaning solve that stops leaves the answer before it,
		// without a word (withoutTraces).
		cleaning := strings.HasPrefix(st.Name, "cost-")
		for _, how := range []lp.Status{lp.TimeLimit, lp.Stalled} {
			t.Run(st.Name+"/"+how.String(), func(t *testing.T) {
				o := opt
				o.Solver = &timeUp{call: k + 1, status: how}
				p, all := planSaying(t, w, o)
				if want := map[bool]string{false: "feasible", true: "optimal"}[cleaning]; p.Status != want {
					t.Errorf("status %q, want %q", p.Status, want)
				}
				said := map[lp.Status]string{lp.TimeLimit: ": no optimum within ", lp.Stalled: ": no optimum (the solver's answer stopped improving): "}[how]
				used := strings.Contains(all, st.Name+said) &&
					strings.Contains(all, "its last point keeps the rules")
				if !cleaning && !used {
					t.Errorf("the planner did not say it used the stopped point; it said:\n%s", all)
				}
				if held := "essential/maxmin: 1 of 2 needs are held at 0.5 where the point was repaired; raising the others"; (st.Name == "essential/maxmin" && how == lp.Stalled) != strings.Contains(all, held) {
					t.Errorf("the planner said (want %q only after the first round stalled):\n%s", held, all)
				}
				for i, a := range p.Allocations {
					n := w.Needs[i]
					if n.Tier != world.Essential {
						continue
					}
					want := 0.5
					if n.Product == "clinic-visit" && (st.Name != "essential/maxmin" || how == lp.Stalled) {
						want = 0.8
					}
					if cov := a.Qty / n.Qty; cov < want-1e-3 || cov > 0.8+1e-3 {
						t.Errorf("need %s: coverage %.4f, want at least %.1f", a.Need, cov, want)
					}
				}
			})
		}
	}
}

// TestInterruptedPlan: a plan interrupted after its first stage (the
// solver says time limit for a cancelled context too) ends with an error,
// not with the fallbacks of a stage stopped by its budget.
func TestInterruptedPlan(t *testing.T) {
	w := stalledKitchen(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var said []string
	p, err := Make(ctx, w, Options{Progress: func(e Event) {
		if e.LP == nil {
			said = append(said, e.Stage+": "+e.Message)
			if strings.HasPrefix(e.Message, "objective") {
				cancel()
			}
		}
	}})
	if err == nil || p != nil {
		t.Fatalf("got a plan (%v) and error %v, want no plan and an error", p != nil, err)
	}
	if all := strings.Join(said, "\n"); strings.Contains(all, "no optimum") {
		t.Errorf("the planner fell back after the interruption:\n%s", all)
	}
}

// TestUnplannedTier: when a tier's first max-min round stops without a
// point that keeps the rules, the essential tier's ends the plan with an
// error (there is no answer to fall back on), and a later tier's ends the
// tiers: the plan is the earlier tiers' answer, the needs of the stopped
// tier and of those after it get nothing and say the planner stopped
// (cause stopped), except a need nothing could ever reach, which keeps
// its own reason, and the plan keeps the rules. The world is the kitchen
// of TestStalledRound with a wanted need for meals and a basic need for
// a radio that nothing makes: the essential shares are then those of a
// full run, and the bulletins, the radio and the wanted meals get
// nothing. With lp.Options.Repair, as the planner sets it for the
// built-in solver, the stopped round falls back on the earlier tiers'
// answer (lp.Options.Fallback), its point moved toward it, and the tier
// and those after it are planned from there.
func TestUnplannedTier(t *testing.T) {
	w := stalledKitchen(t)
	w.Products = append(w.Products, world.Product{ID: "radio", Name: names("Radio"), Unit: "radio", Kind: world.Good})
	first := w.Members[0].ID
	w.Needs = append(w.Needs,
		world.Need{ID: "radio", Member: first, Product: "radio", Qty: 1, Tier: world.Basic},
		world.Need{ID: "more-meals", Member: first, Product: "meal", Qty: 2, Tier: world.Wanted})
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	opt, full := passThrough(t, w)
	call := map[string]int{}
	for k, st := range full.Solver.Stages {
		call[st.Name] = k + 1
	}
	if call["essential/maxmin"] == 0 || call["basic/maxmin"] == 0 || call["wanted/maxmin"] == 0 {
		t.Fatalf("stages %v: no first round of a tier", full.Solver.Stages)
	}

	t.Run("essential", func(t *testing.T) {
		o := opt
		stop := &timeUp{call: call["essential/maxmin"], short: true}
		o.Solver = stop
		p, err := Make(context.Background(), w, o)
		if !errors.Is(err, lp.ErrTimeLimit) || p != nil {
			t.Fatalf("got a plan (%v) and error %v, want no plan and the stage's time limit", p != nil, err)
		}
		if stop.residual <= 1e-6 {
			t.Fatalf("the cut solve's point keeps the rows (residual %g): the case is not tested", stop.residual)
		}
	})

	t.Run("basic", func(t *testing.T) {
		o := opt
		stop := &timeUp{call: call["basic/maxmin"], short: true}
		o.Solver = stop
		p, all := planSaying(t, w, o)
		if stop.residual <= 1e-6 {
			t.Fatalf("the cut solve's point keeps the rows (residual %g): the case is not tested", stop.residual)
		}
		if p.Status != "feasible" {
			t.Errorf("status %q, want feasible", p.Status)
		}
		if !strings.Contains(all, "basic/maxmin: no optimum within") || !strings.Contains(all, "this tier and those after it are not planned") {
			t.Errorf("the planner did not say the basic tier is not planned; it said:\n%s", all)
		}
		for _, st := range p.Solver.Stages {
			if strings.HasPrefix(st.Name, "basic/") || strings.HasPrefix(st.Name, "wanted/") {
				t.Errorf("stage %s solved after the basic tier's first round stopped", st.Name)
			}
		}
		causes := map[string]Cause{}
		for _, sf := range p.Shortfalls {
			causes[sf.Need] = sf.Cause
		}
		for i, a := range p.Allocations {
			n := w.Needs[i]
			want := Stopped
			if n.ID == "radio" {
				want = NoRecipe
			}
			if n.Tier != world.Essential {
				if a.Qty != 0 || causes[n.ID].Kind != want {
					t.Errorf("need %s: %g allocated, cause %q; want 0 and %q", n.ID, a.Qty, causes[n.ID].Kind, want)
				}
				continue
			}
			if want := full.Allocations[i].Qty; math.Abs(a.Qty-want) > 1e-3*n.Qty {
				t.Errorf("need %s: %g allocated, %g in the full run", n.ID, a.Qty, want)
			}
			if causes[n.ID].Kind == Stopped {
				t.Errorf("need %s (%s) is said not to be planned", n.ID, n.Tier)
			}
		}
		if msg := (Cause{Kind: Stopped}).Message("es"); !strings.HasPrefix(msg, "sin planificar") {
			t.Errorf("Spanish message %q", msg)
		}
	})

	t.Run("basic, falling back", func(t *testing.T) {
		o := opt
		o.LP.Repair = true
		stop := &timeUp{call: call["basic/maxmin"], short: true}
		o.Solver = stop
		p, all := planSaying(t, w, o)
		if !stop.shrunk || stop.residual > 1e-6 {
			t.Fatalf("the cut solve did not fall back on a point that keeps the rows (shrunk %v, residual %g)", stop.shrunk, stop.residual)
		}
		if p.Status != "feasible" {
			t.Errorf("status %q, want feasible", p.Status)
		}
		if !strings.Contains(all, "basic/maxmin: no optimum within") || !strings.Contains(all, "the rounds end there") || strings.Contains(all, "not planned") {
			t.Errorf("the planner did not say the basic tier's rounds end at a point that keeps the rules; it said:\n%s", all)
		}
		solved := map[string]bool{}
		for _, st := range p.Solver.Stages {
			solved[st.Name] = true
		}
		if !solved["wanted/maxmin"] {
			t.Errorf("stages %v: the wanted tier was not planned", p.Solver.Stages)
		}
		for i, a := range p.Allocations {
			n := w.Needs[i]
			for _, sf := range p.Shortfalls {
				if sf.Need == n.ID && sf.Cause.Kind == Stopped {
					t.Errorf("need %s (%s) is said not to be planned", n.ID, n.Tier)
				}
			}
			if n.Tier != world.Essential {
				continue
			}
			if want := full.Allocations[i].Qty; math.Abs(a.Qty-want) > 1e-3*n.Qty {
				t.Errorf("need %s: %g allocated, %g in the full run", n.ID, a.Qty, want)
			}
		}
	})
}

// startRecorder solves with the built-in solver and notes, call by
// call, whether each solve was given a start and its duals.
type startRecorder struct {
	starts []string // "none", "primal" or "primal and dual", by call
}

func (s *startRecorder) Name() string { return "builtin" }

func (s *startRecorder) Solve(ctx context.Context, m *lp.Model, opt lp.Options) (*lp.Solution, error) {
	switch {
	case opt.Start == nil:
		s.starts = append(s.starts, "none")
	case opt.Start.RowDual == nil:
		s.starts = append(s.starts, "primal")
	default:
		s.starts = append(s.starts, "primal and dual")
	}
	return lp.Builtin{}.Solve(ctx, m, opt)
}

// TestWarmStarts: each stage starts where the one before ended, with
// that stage's prices only when its objective is the same (a later
// max-min round of a tier); the first stage and the last start cold. In
// the kitchen world of TestStalledRound the essential tier takes two
// rounds, then its total, then the other tiers and the last stage.
func TestWarmStarts(t *testing.T) {
	w := stalledKitchen(t)
	rec := &startRecorder{}
	opt := Options{Solver: rec, LP: lp.Options{Method: lp.MethodBarrier}}
	p, _ := planSaying(t, w, opt)
	if len(rec.starts) != len(p.Solver.Stages) {
		t.Fatalf("%d solves for %d stages", len(rec.starts), len(p.Solver.Stages))
	}
	for i, s := range p.Solver.Stages {
		want := "primal"
		switch {
		case i == 0 || s.Name == "cost" || strings.HasPrefix(s.Name, "cost-"):
			want = "none"
		case strings.Contains(s.Name, "/maxmin-"):
			want = "primal and dual"
		}
		if rec.starts[i] != want {
			t.Errorf("stage %s started with %s, want %s", s.Name, rec.starts[i], want)
		}
	}
}

// TestBound: after a stalled round, the needs held are those the point
// holds at the floor and that are priced there, the cut-off taken among
// them alone: a large price on a need above the floor (the iterate's,
// of another point) neither holds that need nor hides the small prices
// of the needs at the floor.
func TestBound(t *testing.T) {
	md := testModel(t, stalledKitchen(t))
	sol := &lp.Solution{X: make([]float64, md.m.NumCols()), RowDual: make([]float64, md.m.NumRows())}
	active := map[int]bool{}
	for d := range md.g.demands {
		if md.floorRow[d] >= 0 {
			active[d] = true
		}
	}
	if len(active) < 2 {
		t.Fatalf("%d needs in the floors, want at least 2", len(active))
	}
	const floor = 0.5
	above, atFloor := -1, []int{}
	for d := range active {
		q := md.g.demands[d].qty
		if above < 0 {
			above = d
			sol.X[md.alloc[d]] = 0.9 * q
			sol.RowDual[md.floorRow[d]] = 1 / q
			continue
		}
		atFloor = append(atFloor, d)
		sol.X[md.alloc[d]] = floor * q
		sol.RowDual[md.floorRow[d]] = 1e-6 / q // below saturated's cut-off of 1e-3 of the top
	}
	got := md.bound(sol, active, floor)
	slices.Sort(atFloor)
	if !slices.Equal(got, atFloor) {
		t.Errorf("held %v, want the needs at the floor %v (not %d, above it)", got, atFloor, above)
	}
}

// limitRecorder solves with the built-in solver and notes each solve's
// time limit.
type limitRecorder struct{ limits []time.Duration }

func (s *limitRecorder) Name() string { return "builtin" }

func (s *limitRecorder) Solve(ctx context.Context, m *lp.Model, opt lp.Options) (*lp.Solution, error) {
	s.limits = append(s.limits, opt.TimeLimit)
	return lp.Builtin{}.Solve(ctx, m, opt)
}

// TestBudget: Options.Budget gives each stage its share of the time
// left among the stages to come, a first round and a total for each tier
// from its own and the last stage, the essential tier's counting double
// (the kitchen world with a wanted need has three tiers: the first stage
// gets 2/9, the last stage all that is left), unless LP.TimeLimit is
// less, and each tier takes one round (the essential tier two without a
// budget). Spent before the first stage, the
// budget stops every stage at its first check (minShare cut to a
// nanosecond): each falls back, the first on planning nothing and the
// others on the stages before, and the plan is whole and keeps the
// rules, with every tier's first round and total solved.
func TestBudget(t *testing.T) {
	w := stalledKitchen(t)
	w.Needs = append(w.Needs, world.Need{ID: "more-meals", Member: w.Members[0].ID, Product: "meal", Qty: 2, Tier: world.Wanted})
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	const budget = time.Hour
	rec := &limitRecorder{}
	p, _ := planSaying(t, w, Options{Solver: rec, LP: lp.Options{Method: lp.MethodBarrier}, Budget: budget})
	if len(rec.limits) != len(p.Solver.Stages) || len(rec.limits) < 7 {
		t.Fatalf("%d solves for stages %v", len(rec.limits), p.Solver.Stages)
	}
	for _, st := range p.Solver.Stages {
		if strings.Contains(st.Name, "maxmin-") {
			t.Errorf("stages %v: a later max-min round under a budget", p.Solver.Stages)
		}
	}
	_, unbudgeted := passThrough(t, w)
	if !slices.ContainsFunc(unbudgeted.Solver.Stages, func(st Stage) bool { return st.Name == "essential/maxmin-2" }) {
		t.Fatalf("stages %v: without a budget the essential tier should take two rounds", unbudgeted.Solver.Stages)
	}
	if got, want := rec.limits[0], budget*2/9; got > want || got < want-time.Second {
		t.Errorf("the first stage's share is %v, want about %v", got, want)
	}
	// The last stage, before the solves that clean its traces (cost-2,
	// cost-3: withoutTraces).
	last := slices.IndexFunc(p.Solver.Stages, func(st Stage) bool { return st.Name == "cost" })
	if last < len(rec.limits)-1-traceRounds {
		t.Fatalf("stages %v: no last stage near the end", p.Solver.Stages)
	}
	if got := rec.limits[last]; got < budget-time.Minute {
		t.Errorf("the last stage's share is %v, want what is left of %v", got, budget)
	}
	rec = &limitRecorder{}
	planSaying(t, w, Options{Solver: rec, LP: lp.Options{Method: lp.MethodBarrier, TimeLimit: time.Minute}, Budget: budget})
	for k, l := range rec.limits {
		if l != time.Minute {
			t.Errorf("solve %d: time limit %v, want the minute of LP.TimeLimit", k+1, l)
		}
	}

	saved := minShare
	minShare = time.Nanosecond
	defer func() { minShare = saved }()
	p, all := planSaying(t, w, Options{Budget: time.Nanosecond})
	if p.Status != "feasible" {
		t.Errorf("status %q, want feasible", p.Status)
	}
	for _, s := range []string{
		"essential/maxmin: no optimum within the time limit: its last point, moved toward planning nothing, keeps the rules",
		"basic/maxmin: no optimum within the time limit: its last point, moved toward the earlier stages' answer, keeps the rules",
		"wanted/total: no optimum within",
		"cost: no optimum within",
	} {
		if !strings.Contains(all, s) {
			t.Errorf("the planner did not say %q; it said:\n%s", s, all)
		}
	}
	for _, sf := range p.Shortfalls {
		if sf.Cause.Kind == Stopped {
			t.Errorf("need %s is said not to be planned", sf.Need)
		}
	}
	// Every stage stopped where it began, and each is recorded with its
	// status: their points are the plan.
	var names []string
	for _, s := range p.Solver.Stages {
		names = append(names, s.Name)
		if s.Status != "time_limit" {
			t.Errorf("stage %s: status %q, want time_limit", s.Name, s.Status)
		}
	}
	if want := []string{"essential/maxmin", "essential/total", "basic/maxmin", "basic/total", "wanted/maxmin", "wanted/total", "cost"}; !slices.Equal(names, want) {
		t.Errorf("stages %v, want %v", names, want)
	}
}

// TestFirstRoundLimit: a tier's first max-min round that reaches
// firstRoundLimit stops there, and the plan ends with a point that keeps
// the rules, as after any stopped round, instead of waiting for an
// optimum that may never come.
func TestFirstRoundLimit(t *testing.T) {
	w := stalledKitchen(t)
	saved := firstRoundLimit
	firstRoundLimit = 1
	defer func() { firstRoundLimit = saved }()
	var said []string
	p, err := Make(context.Background(), w, Options{Progress: func(e Event) {
		if e.LP == nil {
			said = append(said, e.Stage+": "+e.Message)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(w, p); err != nil {
		t.Fatalf("the plan breaks the rules:\n%v", err)
	}
	if p.Status != "feasible" {
		t.Errorf("status %q, want feasible", p.Status)
	}
	all := strings.Join(said, "\n")
	if want := "essential/maxmin: no optimum within 1 iterations"; !strings.Contains(all, want) {
		t.Errorf("the planner did not say %q; it said:\n%s", want, all)
	}
}

// TestRoundsOption: Options.Rounds bounds a tier's max-min rounds. The
// kitchen's essential tier takes two by default, one when told; either
// plan keeps the rules and is proved at its optimum.
func TestRoundsOption(t *testing.T) {
	w := stalledKitchen(t)
	for _, tc := range []struct {
		rounds int
		second bool // an essential/maxmin-2 stage
	}{{0, true}, {1, false}, {2, true}} {
		p, err := Make(context.Background(), w, Options{Rounds: tc.rounds})
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(w, p); err != nil {
			t.Fatalf("rounds %d: the plan breaks the rules:\n%v", tc.rounds, err)
		}
		var names []string
		second := false
		for _, st := range p.Solver.Stages {
			names = append(names, st.Name)
			second = second || st.Name == "essential/maxmin-2"
		}
		if second != tc.second || p.Status != "optimal" {
			t.Errorf("rounds %d: status %s, stages %v", tc.rounds, p.Status, names)
		}
	}
}

// TestRoundsLargeLP: on an LP of more than oneRoundNonzeros nonzeros a
// tier takes one max-min round by default, and says so; Options.Rounds
// still asks for more. The kitchen stands in for the region, the
// threshold lowered below its size.
func TestRoundsLargeLP(t *testing.T) {
	w := stalledKitchen(t)
	saved := oneRoundNonzeros
	oneRoundNonzeros = 10
	defer func() { oneRoundNonzeros = saved }()
	for _, tc := range []struct {
		rounds int
		second bool // an essential/maxmin-2 stage
		said   bool // the planner said why it took one round
	}{{0, false, true}, {2, true, false}} {
		said := false
		opt := Options{Rounds: tc.rounds, Progress: func(e Event) {
			said = said || strings.Contains(e.Message, "one max-min round a tier")
		}}
		p, err := Make(context.Background(), w, opt)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(w, p); err != nil {
			t.Fatalf("rounds %d: the plan breaks the rules:\n%v", tc.rounds, err)
		}
		second := false
		for _, st := range p.Solver.Stages {
			second = second || st.Name == "essential/maxmin-2"
		}
		if second != tc.second || said != tc.said || p.Status != "optimal" {
			t.Errorf("rounds %d: status %s, a second round %v, said so %v; want a second round %v, said %v",
				tc.rounds, p.Status, second, said, tc.second, tc.said)
		}
	}
}
