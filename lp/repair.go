package lp

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// A repairer turns a point that breaks a few of a problem's rows into
// one that keeps them all, by solving the problem again over the
// neighbourhood of the broken rows only.
//
// PDHG can stall at a point that keeps all but a handful of rows, while
// those few, which weigh little in its steps, stay broken for tens of
// thousands of iterations (on the planner's largest LPs, the balance row
// of one clinic that a few small needs depend on). Everything far from
// them is already as good as the iteration makes it. The repair frees
// the columns within a few steps of the broken rows in the graph of the
// matrix, fixes every other column at its value (clipped to its bounds),
// and solves that small LP, with the problem's own objective, by the
// barrier. A column with more than denseLimit entries (a max-min LP's
// floor) is freed when it is reached but not walked through: every row
// it is in joins the small LP, where the fixed columns make it a bound on
// it. If the small LP has no solution, the neighbourhood grows, up to
// maxCols free columns.
//
// The repaired point keeps the small LP's rows to the barrier's accuracy
// and every other row as well as the point did: it is feasible, and as
// good as the small LP allows, not an optimum of the problem. PDHG keeps
// it as its answer if the iteration ends at a limit, and ends with it if
// it meets the tolerance paired with the iteration's own y (see
// Options.Repair).
type repairer struct {
	p    *problem
	rows *CSC // p.a by row
	// maxCols bounds the free columns, maxBroken the broken rows: a
	// point that breaks more is too far from feasible to mend locally.
	maxCols, maxBroken int
	// levels is how many steps (row to column to row) the first
	// neighbourhood reaches from the broken rows.
	levels int
	// subTol is the accuracy asked of the small LP.
	subTol float64
	// threads is passed to the small LP's solve.
	threads int
}

// errRepair says a repair found no feasible point near the one it had.
var errRepair = errors.New("lp: repair found no point")

func newRepairer(p *problem, threads int) *repairer {
	return &repairer{p: p, rows: p.a.Transpose(), maxCols: min(max(p.cols()/4, 1000), repairMaxCols),
		maxBroken: max(p.rows()/100, 100), levels: 2, subTol: 1e-9, threads: threads}
}

// repairStats describes one repair.
type repairStats struct {
	broken     int // rows the point broke beyond tol
	rows, cols int // the last small LP's size
	solves     int // small LPs solved
}

// subDual is the small LP's row duals, by row of the problem: the prices
// of the repaired point where it was solved.
type subDual struct {
	rows []int32
	y    []float64
}

// over writes the small LP's duals over y, a dual of the whole problem.
func (d subDual) over(y []float64) {
	for k, i := range d.rows {
		y[i] = d.y[k]
	}
}

// repair returns the repaired point of x (unscaled, in p's space), its
// row activities and the small LP's duals, or errRepair with what was
// tried. tol is the relative violation (as measureKKT measures it) above
// which a row counts as broken.
func (r *repairer) repair(ctx context.Context, x []float64, tol float64) ([]float64, []float64, subDual, repairStats, error) {
	p := r.p
	xc := make([]float64, len(x))
	for j, v := range x {
		xc[j] = clamp(v, p.lc[j], p.uc[j])
	}
	ax := make([]float64, p.rows())
	p.a.MulVec(ax, xc)
	var st repairStats
	var broken []int32
	for i, v := range ax {
		if _, rel := r.p.rowViolation(i, v); rel > tol {
			broken = append(broken, int32(i))
		}
	}
	st.broken = len(broken)
	if len(broken) == 0 {
		return xc, ax, subDual{}, st, nil
	}
	if len(broken) > r.maxBroken {
		return nil, nil, subDual{}, st, fmt.Errorf("%w: %d rows broken, more than %d", errRepair, len(broken), r.maxBroken)
	}
	n := &neighbourhood{a: p.a, rows: r.rows, free: make([]bool, p.cols()), seen: make([]bool, p.rows()), frontier: broken}
	for _, i := range broken {
		n.seen[i] = true
	}
	for range r.levels {
		n.grow()
	}
	for {
		if len(n.cols) > r.maxCols {
			return nil, nil, subDual{}, st, fmt.Errorf("%w: the neighbourhood of the %d broken rows grew to %d columns, more than %d", errRepair, len(broken), len(n.cols), r.maxCols)
		}
		sub, subRows := n.model(p, xc, ax)
		st.rows, st.cols = sub.NumRows(), sub.NumCols()
		st.solves++
		sol, err := Solve(ctx, sub, Options{Tolerance: r.subTol, Method: MethodBarrier, IterationLimit: 400, Threads: r.threads})
		if err == nil && sol.Method == MethodBarrier {
			for k, j := range n.cols {
				xc[j] = clamp(sol.X[k], p.lc[j], p.uc[j])
			}
			p.a.MulVec(ax, xc)
			return xc, ax, subDual{subRows, sol.RowDual}, st, nil
		}
		if ctx.Err() != nil {
			return nil, nil, subDual{}, st, ctx.Err()
		}
		if sol != nil && sol.Method != MethodBarrier {
			// The barrier declined the small LP (its factor too large):
			// a larger one would fare no better.
			return nil, nil, subDual{}, st, fmt.Errorf("%w: the barrier declined the small LP of %d columns", errRepair, len(n.cols))
		}
		if len(n.frontier) == 0 {
			return nil, nil, subDual{}, st, fmt.Errorf("%w: no point keeps the rows around the %d broken rows (%v)", errRepair, len(broken), err)
		}
		before := len(n.cols)
		for len(n.cols) < 2*before && len(n.frontier) > 0 {
			n.grow()
		}
	}
}

// tooBroken reports whether the point whose row activities are ax breaks
// more than maxBroken rows beyond tol, counting no further than that.
func (r *repairer) tooBroken(ax []float64, tol float64) bool {
	n := 0
	for i, v := range ax {
		if _, rel := r.p.rowViolation(i, v); rel > tol {
			if n++; n > r.maxBroken {
				return true
			}
		}
	}
	return false
}

// neighbourhood is the set of columns a repair frees, grown step by step
// from the broken rows.
type neighbourhood struct {
	a, rows  *CSC // the matrix by column and by row
	free     []bool
	cols     []int   // the free columns, in the order they were freed
	seen     []bool  // rows reached
	frontier []int32 // rows reached in the last step, not yet walked
}

// grow frees the columns of the frontier's rows and makes the rows of
// those columns, except the dense ones', the next frontier.
func (n *neighbourhood) grow() {
	var next []int32
	for _, i := range n.frontier {
		for k := n.rows.Start[i]; k < n.rows.Start[i+1]; k++ {
			j := n.rows.Ind[k]
			if n.free[j] {
				continue
			}
			n.free[j] = true
			n.cols = append(n.cols, int(j))
			if n.a.Start[j+1]-n.a.Start[j] > denseLimit {
				continue
			}
			for q := n.a.Start[j]; q < n.a.Start[j+1]; q++ {
				if r := n.a.Ind[q]; !n.seen[r] {
					n.seen[r] = true
					next = append(next, r)
				}
			}
		}
	}
	n.frontier = next
}

// model is p over the free columns, the others fixed at x, whose row
// activities are ax: each row with a free column keeps its bounds less
// what the fixed columns put in it. It also returns the rows of p that
// the small LP's rows are.
func (n *neighbourhood) model(p *problem, x, ax []float64) (*Model, []int32) {
	sub := &Model{}
	rowOf := make(map[int32]int) // a row of p to one more than its row in sub
	var subRows []int32
	for _, j := range n.cols {
		sub.AddCol("", p.lc[j], p.uc[j], p.c[j])
		for q := n.a.Start[j]; q < n.a.Start[j+1]; q++ {
			if i := n.a.Ind[q]; rowOf[i] == 0 {
				subRows = append(subRows, i)
				rowOf[i] = len(subRows)
			}
		}
	}
	fixed := make([]float64, len(subRows)) // what the fixed columns put in each row
	for r, i := range subRows {
		fixed[r] = ax[i]
	}
	for k, j := range n.cols {
		for q := n.a.Start[j]; q < n.a.Start[j+1]; q++ {
			r := rowOf[n.a.Ind[q]] - 1
			fixed[r] -= n.a.Val[q] * x[j]
			sub.entries = append(sub.entries, entry{int32(r), int32(k), n.a.Val[q]})
		}
	}
	sub.RowLower = make([]float64, len(subRows))
	sub.RowUpper = make([]float64, len(subRows))
	sub.RowNames = make([]string, len(subRows))
	for r, i := range subRows {
		sub.RowLower[r] = p.lr[i] - fixed[r]
		sub.RowUpper[r] = p.ur[i] - fixed[r]
	}
	return sub, subRows
}

// repairGap is the relative duality gap below which PDHG may count
// itself stalled: its objective is then near the optimum, as far as the
// gap tells. (A repair is tried at any gap: where the dual side is far
// from done the gap can stay near 1 while the iterate is near the
// optimum, as on the region's basic tier's first round started with the
// essential total's prices, at a floor of 0 where CLP's optimum is
// 0.00266.) Below repairPolishGap a point too broken to repair is
// polished first.
const (
	repairGap       = 1e-2
	repairPolishGap = 1e-4
)

// repairGain is the least gain of a point's objective over the point kept
// before, in multiples of the tolerance relative to its size, for PDHG
// not to count itself stalled: on the region's total stages the
// iterate's objective wanders by 10⁻⁵ of its size while a clinic's row
// stays broken.
const repairGain = 10

// repairTries is how many repairs since the kept point (of those that
// keep every row) may fail to improve on it before PDHG counts itself
// stalled whatever its residuals do: on the region's essential third
// round the iterate's gap wandered between 10⁻⁵ and 4·10⁻⁵ (halving now
// and then) for 80 seconds, with its objective the same to eight digits
// and a row broken by 2.8·10⁻⁶, while six repairs found nothing better.
const repairTries = 3

// repairMaxCols bounds the columns a repair frees: the small LP must
// stay quick for the barrier (36,000 columns: about a second).
const repairMaxCols = 100_000

// repair makes a point near the current T(zᵏ), measured as cur, that
// keeps every row, and sets when to try again. When T(zᵏ) breaks few
// rows, they are repaired. When it breaks too many for that (on the
// region's total stages, tens of thousands by 10⁻⁵ to 10⁻³ of their
// size, with the dual side not yet done) and the gap is below
// repairPolishGap, the primal side is first polished (see polish) for an
// eighth of the iterations so far, from x and y = 0, and what that
// leaves broken is repaired. It reports whether the solve ends: with the
// point as an optimum, when it meets tol with the iteration's y or with
// y = 0 (see zeroDualDone); or as Stalled, when the gap is below
// repairGap and the point is no better, by repairGain times tol, than
// the one kept, while neither the iterate's primal residual nor its gap
// has even halved since that was kept, or at the repairTries-th such
// repair since it whatever they did. A point that keeps every row and
// is better than the one kept is kept (w.kept), as the answer should the
// solve end at a limit (see atLimit).
func (w *pdhg) repair(ctx context.Context, cur kktParts, tol, cinf float64, stop func() bool) (pdResult, bool) {
	if w.repairer == nil {
		w.repairer = newRepairer(w.orig, w.opt.threads())
	}
	// Polishing, just before, may have left its own point in w.ux.
	w.sc.unscalePrimal(w.ux, w.uax, w.xn, w.axn)
	w.sc.unscaleDual(w.uy, w.uaty, w.yn, w.atyn)
	polish := cur.gapRel() <= repairPolishGap
	if !polish && w.repairer.tooBroken(w.uax, tol/2) {
		// Try again at the next check, which may find fewer: counting
		// costs a pass over the rows, and allocates nothing.
		return pdResult{}, false
	}
	rctx, cancel := w.repairContext(ctx)
	defer cancel()
	x, ax, dual, st, err := w.repairer.repair(rctx, w.ux, tol/2)
	// A repair is tried again once the iteration has gone an eighth
	// further (a repair of the region's stages takes a second or two,
	// an eighth of their iterations ten or more).
	next := max(4*restartPeriod, w.iter/8)
	if err != nil && st.solves == 0 && polish && ctx.Err() == nil {
		// Too broken to repair, and near the end: polish, then repair
		// what is left. Polishing costs up to an eighth of the
		// iterations so far, so it is tried again only once the
		// iteration has gone a quarter further.
		s, _ := w.runPolisher(polishPrimal, next, tol/2, cinf, stop)
		px, pax := make([]float64, len(w.ux)), make([]float64, len(w.uax))
		w.sc.unscalePrimal(px, pax, s.xn, s.axn)
		x, ax, dual, st, err = w.repairer.repair(rctx, px, tol/2)
		next = max(4*restartPeriod, w.iter/4)
	}
	w.nextRepair = w.iter + next
	if err != nil {
		return pdResult{}, false
	}
	k := measureKKT(w.orig, x, ax, w.uy, w.uaty, cinf)
	if k.presRel > tol {
		return pdResult{}, false
	}
	w.repairs++
	r := pdResult{x: x, iterations: w.iter + w.polishIters, repairs: w.repairs}
	switch {
	case k.within(tol):
		r.status, r.y = Optimal, append([]float64(nil), w.uy...)
		return r, true
	case w.zeroDualDone(k, tol):
		r.status, r.y = Optimal, make([]float64, len(w.uy))
		return r, true
	}
	if w.kept != nil && k.pobj >= w.keptObj-repairGain*tol*(1+math.Abs(k.pobj)) {
		w.notBetter++
		still := cur.presRel > w.keptPres/2 && cur.gapRel() > w.keptGap/2
		if cur.gapRel() <= repairGap && (still || w.notBetter >= repairTries) {
			return w.atLimit(Stalled, cur, tol), true
		}
		return pdResult{}, false
	}
	w.kept, w.keptObj, w.keptPres, w.keptGap, w.keptDual = &r, k.pobj, cur.presRel, cur.gapRel(), dual
	w.notBetter = 0
	return pdResult{}, false
}

// repairContext bounds a repair by what is left of the time limit.
func (w *pdhg) repairContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if w.opt.TimeLimit > 0 {
		return context.WithDeadline(ctx, w.started.Add(w.opt.TimeLimit))
	}
	return context.WithCancel(ctx)
}

// atLimit is the answer of a solve that ends with status st without an
// optimum, its current T(zᵏ) measured as cur: the point kept by a
// repair, unless the iterate itself keeps every row and is as good. The
// kept point's y is the iterate's latest, with the duals of the repair's
// small LP over the rows it solved: there they are the prices of the
// kept point (on a max-min round, which of the needs it reached bind the
// floor), where the iterate's may be those of another point (on the
// region's essential second round, PDHG's iterate sat at the third
// round's floor, with the needs binding that priced).
func (w *pdhg) atLimit(st Status, cur kktParts, tol float64) pdResult {
	if w.kept == nil || cur.presRel <= tol && cur.pobj <= w.keptObj {
		return w.result(st, w.xn, w.yn)
	}
	r := *w.kept
	r.status, r.iterations, r.repairs = st, w.iter+w.polishIters, w.repairs
	r.y = make([]float64, w.p.rows())
	for i, v := range w.yn {
		r.y[i] = w.sc.gamma * w.sc.row[i] * v
	}
	w.keptDual.over(r.y)
	return r
}
