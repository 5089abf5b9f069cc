package lp

import (
	"context"
	"math"
	"time"
)

// pdhg holds the state of the restarted primal-dual hybrid gradient method
// on a scaled problem. Every vector is allocated once, in newState; an
// iteration allocates nothing. This file holds the state, PDLP's adaptive
// variant and what both variants share; halpern.go the default variant.
//
// The adaptive variant is Algorithm 1 of Applegate et al., "Practical
// large-scale linear programming using primal-dual hybrid gradient"
// (NeurIPS 2021), referred to below as [PDLP]. Both variants work on the
// saddle-point problem
//
//	min over x in [lc, uc]  max over y  cᵀx - yᵀAx + p(y),
//	p(y) = Σᵢ min(yᵢ·lrᵢ, yᵢ·urᵢ)  (the support function of [lr, ur]).
type pdhg struct {
	p    *problem // scaled
	orig *problem // unscaled, for termination and certificates
	sc   *scaling
	opt  Options

	mulA  *product // A·x
	mulAT *product // Aᵀ·y

	x, y, ax, aty     []float64 // current iterate and its products
	xn, yn, axn, atyn []float64 // trial iterate
	xp                []float64 // Halpern: the next step's xn, when xpReady
	xpReady           bool
	sx, sy, sax, saty []float64 // step-weighted sums since the last restart
	wsum              float64
	x0, y0, ax0, aty0 []float64 // the last restart point
	xa, ya, axa, atya []float64 // the average, when computed

	// Unscaled copies, for termination checks.
	ux, uy, uax, uaty []float64

	eta, omega float64
	attempts   int // step attempts, the k of the step-size rule
	iter       int // accepted steps
	lastStart  int // iter at the last restart
	kktLast    float64
	kktPrev    float64 // KKT error of the previous candidate

	res2, resAnchor float64 // Halpern: squared fixed-point residuals

	// Halpern: the step under way, its parts' sums, and the passes that
	// run on each part of the products (halpernDual, halpernPrimal), as
	// method values made once.
	hs                   halpernStepState
	sums                 []halpernSums
	dualTail, primalTail func(part, lo, hi int)

	// y0Dual measures y = 0 in the unscaled problem (its dual residual
	// and objective), when it is dual feasible (see zeroDualDone).
	y0Dual   kktParts
	y0Usable bool

	// Feasibility polishing (polish.go).
	primalPolisher, dualPolisher *pdhg
	polishIters                  int // iterations spent polishing
	nextPolish                   int // main iteration at which to polish again

	// Repair (repair.go, Options.Repair).
	repairer   *repairer
	nextRepair int       // main iteration at which to repair again
	kept       *pdResult // the best repaired point that keeps every row
	keptObj    float64   // its objective
	keptPres   float64   // the iterate's primal residual when it was kept
	keptGap    float64   // and its gap
	keptDual   subDual   // the duals of the repair that made it
	notBetter  int       // repairs since, none better
	started    time.Time // when the solve started, for the repairs' deadline
	repairs    int       // repairs that kept every row
}

// pdResult is what the iteration hands back, in the unscaled problem's
// terms.
type pdResult struct {
	status     Status
	x, y       []float64
	iterations int
	method     Method
	repairs    int  // points repaired to keep every row (Options.Repair)
	shrunk     bool // moved toward the fallback (see fallBack)
	declined   bool // the barrier declined (see Solution.Declined)
}

// Constants of [PDLP] and of its open-source implementation.
const (
	restartPeriod      = 64   // iterations between restart and termination checks
	betaSufficient     = 0.2  // [PDLP] §3.2: restart when the KKT error fell this much
	betaNecessary      = 0.8  // ... or fell this much and stopped falling
	betaArtificial     = 0.36 // ... or the epoch is this long relative to the run
	primalWeightSmooth = 0.5  // [PDLP] §3.3, θ
	infeasibilityTol   = 1e-8 // relative tolerance on certificates
)

func newPDHG(orig *problem, opt Options) *pdhg {
	p, sc := scale(orig)
	w := newState(p, orig, sc, newProduct(p.a.Transpose(), opt.threads()), newProduct(p.a, opt.threads()), opt)
	w.initSteps()
	return w
}

// newState allocates the iteration's vectors for the scaled problem p and
// starts from x = the point of its bounds nearest 0, y = 0.
func newState(p, orig *problem, sc *scaling, mulA, mulAT *product, opt Options) *pdhg {
	m, n := p.rows(), p.cols()
	vec := func(k int) []float64 { return make([]float64, k) }
	w := &pdhg{
		p: p, orig: orig, sc: sc, opt: opt, mulA: mulA, mulAT: mulAT,
		x: vec(n), y: vec(m), ax: vec(m), aty: vec(n),
		xn: vec(n), yn: vec(m), axn: vec(m), atyn: vec(n), xp: vec(n),
		sx: vec(n), sy: vec(m), sax: vec(m), saty: vec(n),
		x0: vec(n), y0: vec(m), ax0: vec(m), aty0: vec(n),
		xa: vec(n), ya: vec(m), axa: vec(m), atya: vec(n),
		ux: vec(n), uy: vec(m), uax: vec(m), uaty: vec(n),
		sums: make([]halpernSums, max(len(mulA.splits), len(mulAT.splits))-1),
	}
	w.dualTail, w.primalTail = w.halpernDual, w.halpernPrimal
	for j := range w.x {
		w.x[j] = clamp(0, p.lc[j], p.uc[j])
	}
	w.mulA.apply(w.ax, w.x)
	w.mulAT.apply(w.aty, w.y)
	copy(w.x0, w.x)
	copy(w.ax0, w.ax)
	return w
}

// begin moves the start, and the first anchor, to the unscaled point s,
// x projected on its bounds.
func (w *pdhg) begin(s *point) {
	p, sc := w.p, w.sc
	for j, v := range s.x {
		w.x[j] = clamp(v/(sc.beta*sc.col[j]), p.lc[j], p.uc[j])
	}
	for i, v := range s.y {
		w.y[i] = v / (sc.gamma * sc.row[i])
	}
	w.mulA.apply(w.ax, w.x)
	w.mulAT.apply(w.aty, w.y)
	copy(w.x0, w.x)
	copy(w.ax0, w.ax)
	copy(w.y0, w.y)
	copy(w.aty0, w.aty)
	w.kktLast = w.kkt(w.x, w.ax, w.y, w.aty) // the adaptive restarts' reference
}

// initSteps sets the first step size and primal weight.
func (w *pdhg) initSteps() {
	p := w.p
	// [PDLP] §3.1: the first step is 1/‖A‖∞.
	amax := 0.0
	for _, v := range p.a.Val {
		amax = math.Max(amax, math.Abs(v))
	}
	w.eta = 1
	if amax > 0 {
		w.eta = 1 / amax
	}
	// [PDLP] §3.3: ω₀ = ‖c‖₂ / ‖b‖₂ when both are non-zero.
	cn, bn := 0.0, 0.0
	for _, v := range p.c {
		cn += v * v
	}
	for i := range p.lr {
		b := 0.0
		if !math.IsInf(p.lr[i], 0) {
			b = math.Abs(p.lr[i])
		}
		if !math.IsInf(p.ur[i], 0) {
			b = math.Max(b, math.Abs(p.ur[i]))
		}
		bn += b * b
	}
	w.omega = 1
	if cn > 1e-20 && bn > 1e-20 {
		w.omega = math.Sqrt(cn / bn)
	}
	w.kktLast = w.kkt(w.x, w.ax, w.y, w.aty)
	w.kktPrev = math.Inf(1)
	// y = 0, measured once: no row is priced, so only the columns count.
	o := w.orig
	w.y0Dual = measureKKT(o, make([]float64, o.cols()), make([]float64, o.rows()),
		make([]float64, o.rows()), make([]float64, o.cols()), cinf(o))
	w.y0Usable = w.y0Dual.dres2 == 0
}

func cinf(p *problem) float64 {
	m := 0.0
	for _, c := range p.c {
		m = math.Max(m, math.Abs(c))
	}
	return m
}

// zeroDualDone reports whether a point x, measured as k, meets the
// tolerance when paired with y = 0 instead of its own y. Where y = 0 is
// dual feasible, its dual objective is the least cᵀx over the bounds of
// x alone, so the pair is optimal exactly when the rows cost nothing:
// a feasibility problem (c = 0), or a planner's max-min round whose
// answer is that every need is met (maximise t ≤ 1: at t = 1 the bound,
// not a row, holds the objective). There the iterates' own y need not go
// to 0, and their duality gap can stall long after x is feasible
// (reflected Halpern PDHG on such a round with t fixed at 1: gap 5e-3
// after 80,000 iterations, primal residual 3e-10). On any other problem
// the gap of the pair stays positive and this never ends the solve.
func (w *pdhg) zeroDualDone(k kktParts, tol float64) bool {
	if !w.y0Usable {
		return false
	}
	k.dres2, k.dresRel, k.dobj = w.y0Dual.dres2, w.y0Dual.dresRel, w.y0Dual.dobj
	return k.within(tol)
}

func (w *pdhg) close() {
	w.mulA.close()
	w.mulAT.close()
}

// clamp projects v on [lo, hi]. The built-in min and max compile to
// branch-free instructions: with branches, the projections of an
// iteration cost more than its sparse products, as whether a coordinate
// sits at its bound is close to random. They differ from comparisons only
// in the sign of a zero result (max(0, -0) is 0), which no later
// operation turns into a different nonzero number.
func clamp(v, lo, hi float64) float64 {
	return max(lo, min(v, hi))
}

// step takes one accepted PDHG step with the adaptive step size of
// [PDLP] §3.1: a trial step with step size η is accepted when
// η ≤ ‖Δz‖²_ω / (2|ΔxᵀAᵀΔy|), and the next η is
// min((1-(k+1)^-0.3)·η̄, (1+(k+1)^-0.6)·η) either way.
func (w *pdhg) step() {
	p := w.p
	for {
		tau, sigma := w.eta/w.omega, w.eta*w.omega
		w.primalStep(tau)
		x, xn, aty := w.x, w.xn[:len(w.x)], w.aty[:len(w.x)]
		// y' = σ(proj[lr,ur](t) - t) with t = A(2x'-x) - y/σ: the proximal
		// step on the dual, written so that y ≥ 0 prices a lower bound.
		y, yn, ax, axn := w.y, w.yn[:len(w.y)], w.ax[:len(w.y)], w.axn[:len(w.y)]
		lr, ur := p.lr[:len(y)], p.ur[:len(y)]
		inv := 1 / sigma
		var dx2, dy2, inter float64
		for i := range y {
			t := 2*axn[i] - ax[i] - y[i]*inv
			v := sigma * (clamp(t, lr[i], ur[i]) - t)
			yn[i] = v
			d := v - y[i]
			dy2 += d * d
		}
		w.mulAT.apply(w.atyn, w.yn)

		atyn := w.atyn[:len(x)]
		for j := range x {
			d := xn[j] - x[j]
			dx2 += d * d
			inter += d * (atyn[j] - aty[j])
		}
		limit := math.Inf(1)
		if inter != 0 {
			limit = (0.5*w.omega*dx2 + 0.5/w.omega*dy2) / math.Abs(inter)
		}
		w.attempts++
		k := float64(w.attempts)
		next := math.Min((1-math.Pow(k+1, -0.3))*limit, (1+math.Pow(k+1, -0.6))*w.eta)
		if w.eta <= limit {
			w.accept(w.eta)
			w.eta = next
			return
		}
		w.eta = next
	}
}

// primalStep sets xn = proj[lc,uc](x - τ(c - Aᵀy)) and axn = A·xn, the
// primal half of a PDHG step, shared by both variants.
func (w *pdhg) primalStep(tau float64) {
	w.primalStepThen(tau, nil)
}

// primalStepThen is primalStep, with after run on each part of the
// product's rows (product.applyThen).
func (w *pdhg) primalStepThen(tau float64, after func(part, lo, hi int)) {
	p := w.p
	x, xn, aty := w.x, w.xn[:len(w.x)], w.aty[:len(w.x)]
	c, lc, uc := p.c[:len(x)], p.lc[:len(x)], p.uc[:len(x)]
	for j := range x {
		xn[j] = clamp(x[j]-tau*(c[j]-aty[j]), lc[j], uc[j])
	}
	w.mulA.applyThen(w.axn, w.xn, after)
}

// accept makes the trial iterate current and adds it, weighted by the step
// size, to the running average ([PDLP] Algorithm 1).
func (w *pdhg) accept(eta float64) {
	w.x, w.xn = w.xn, w.x
	w.y, w.yn = w.yn, w.y
	w.ax, w.axn = w.axn, w.ax
	w.aty, w.atyn = w.atyn, w.aty
	axpy(w.sx, eta, w.x)
	axpy(w.sy, eta, w.y)
	axpy(w.sax, eta, w.ax)
	axpy(w.saty, eta, w.aty)
	w.wsum += eta
	w.iter++
}

func axpy(dst []float64, a float64, x []float64) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += a * x[i]
	}
}

func scaleTo(dst []float64, a float64, x []float64) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = a * x[i]
	}
}

// kktParts measures a point of problem p: the squared l2 norms of the
// primal and dual infeasibilities, the relative l∞ measures Measure uses,
// and both objectives.
type kktParts struct {
	pres2, dres2     float64
	presRel, dresRel float64
	pobj, dobj       float64
}

func (k kktParts) gapRel() float64 {
	return math.Abs(k.pobj-k.dobj) / (1 + math.Abs(k.pobj) + math.Abs(k.dobj))
}

// worst is the largest of the relative primal residual, dual residual
// and gap.
func (k kktParts) worst() float64 {
	return math.Max(math.Max(k.presRel, k.dresRel), k.gapRel())
}

// rowViolation returns by how much v, row i's activity, is outside the
// row's bounds (0 inside), and that relative to 1 + |the bound it
// breaks|, or to the model's own bound where presolve moved it (loDen,
// hiDen), as Measure measures it.
func (p *problem) rowViolation(i int, v float64) (d, rel float64) {
	if d := p.lr[i] - v; d > 0 {
		if p.loDen != nil {
			return d, d / p.loDen[i]
		}
		return d, d / (1 + math.Abs(p.lr[i]))
	}
	if d := v - p.ur[i]; d > 0 {
		if p.hiDen != nil {
			return d, d / p.hiDen[i]
		}
		return d, d / (1 + math.Abs(p.ur[i]))
	}
	return 0, 0
}

func measureKKT(p *problem, x, ax, y, aty []float64, cinf float64) kktParts {
	var k kktParts
	k.pobj, k.dobj = p.objConst, p.objConst
	for j, xj := range x {
		k.pobj += p.c[j] * xj
	}
	for i, v := range ax {
		if d, rel := p.rowViolation(i, v); d > 0 {
			k.pres2 += d * d
			k.presRel = math.Max(k.presRel, rel)
		}
		worst := 0.0
		k.dobj += dualTerm(y[i], p.lr[i], p.ur[i], &worst)
		k.dres2 += worst * worst
		k.dresRel = math.Max(k.dresRel, worst)
	}
	for j := range x {
		worst := 0.0
		k.dobj += dualTerm(p.c[j]-aty[j], p.lc[j], p.uc[j], &worst)
		k.dres2 += worst * worst
		k.dresRel = math.Max(k.dresRel, worst)
	}
	k.dresRel /= 1 + cinf
	return k
}

// kkt is the ω-weighted KKT error in the scaled problem, the measure the
// restart scheme compares (Applegate et al., "PDLP: a practical first-order
// method for large-scale linear programming", 2025, §3.2).
func (w *pdhg) kkt(x, ax, y, aty []float64) float64 {
	k := measureKKT(w.p, x, ax, y, aty, 0)
	gap := k.pobj - k.dobj
	return math.Sqrt(w.omega*k.pres2 + k.dres2/w.omega + gap*gap)
}

// average computes the step-weighted average of the iterates since the
// last restart into xa, ya, axa, atya.
func (w *pdhg) average() {
	if w.wsum == 0 {
		copy(w.xa, w.x)
		copy(w.ya, w.y)
		copy(w.axa, w.ax)
		copy(w.atya, w.aty)
		return
	}
	f := 1 / w.wsum
	scaleTo(w.xa, f, w.sx)
	scaleTo(w.ya, f, w.sy)
	scaleTo(w.axa, f, w.sax)
	scaleTo(w.atya, f, w.saty)
}

// unscaled measures a scaled point in the unscaled problem.
func (w *pdhg) unscaled(x, ax, y, aty []float64, cinf float64) kktParts {
	w.sc.unscalePrimal(w.ux, w.uax, x, ax)
	w.sc.unscaleDual(w.uy, w.uaty, y, aty)
	return measureKKT(w.orig, w.ux, w.uax, w.uy, w.uaty, cinf)
}

// within reports whether a point meets the tolerance. The gap must be a
// quarter of it: the objective is then within about tol/2 of the optimum,
// relative to its size, which is what a user asking for tol expects.
func (k kktParts) within(tol float64) bool {
	return k.presRel <= tol && k.dresRel <= tol && k.gapRel() <= tol/4
}

// run iterates until the tolerance, a certificate, or a limit.
func (w *pdhg) run(ctx context.Context, start time.Time) pdResult {
	tol := w.opt.tolerance()
	cinf := cinf(w.orig)
	lastReport := start
	for {
		for k := 0; k < restartPeriod; k++ {
			w.step()
		}
		w.average()
		cur := w.unscaled(w.x, w.ax, w.y, w.aty, cinf)
		if cur.within(tol) {
			return w.result(Optimal, w.x, w.y)
		}
		if w.zeroDualDone(cur, tol) {
			return w.result(Optimal, w.x, nil)
		}
		avg := w.unscaled(w.xa, w.axa, w.ya, w.atya, cinf)
		if avg.within(tol) {
			return w.result(Optimal, w.xa, w.ya)
		}
		if w.zeroDualDone(avg, tol) {
			return w.result(Optimal, w.xa, nil)
		}
		// The trial vectors are free between steps: use them as scratch.
		if st := w.certificate(w.xn, w.axn, w.yn, w.atyn); st != Unsolved {
			return w.result(st, w.x, w.y)
		}
		w.report(start, &lastReport, cur)
		if st := w.limit(ctx, start); st != Unsolved {
			return w.best(st)
		}
		w.maybeRestart()
	}
}

// report calls the progress callback, at most once a second.
func (w *pdhg) report(start time.Time, last *time.Time, cur kktParts) {
	now := time.Now()
	if w.opt.Progress == nil || now.Sub(*last) < time.Second {
		return
	}
	*last = now
	w.opt.Progress(Progress{
		Iterations: w.iter + w.polishIters, Elapsed: now.Sub(start), PrimalObj: cur.pobj,
		Primal: cur.presRel, Dual: cur.dresRel, Gap: cur.gapRel(), Repairs: w.repairs,
	})
}

// limit returns IterationLimit or TimeLimit when one is reached (a
// cancelled context counts as time), Unsolved otherwise.
func (w *pdhg) limit(ctx context.Context, start time.Time) Status {
	switch {
	case w.opt.IterationLimit > 0 && w.iter >= w.opt.IterationLimit:
		return IterationLimit
	case ctx.Err() != nil, w.opt.TimeLimit > 0 && time.Since(start) >= w.opt.TimeLimit:
		return TimeLimit
	}
	return Unsolved
}

// best returns whichever of the current iterate and the average has the
// smaller KKT error.
func (w *pdhg) best(st Status) pdResult {
	if w.kkt(w.xa, w.axa, w.ya, w.atya) < w.kkt(w.x, w.ax, w.y, w.aty) {
		return w.result(st, w.xa, w.ya)
	}
	return w.result(st, w.x, w.y)
}

func (w *pdhg) result(st Status, xs, ys []float64) pdResult {
	r := pdResult{status: st, iterations: w.iter + w.polishIters, repairs: w.repairs}
	r.x = make([]float64, len(xs))
	r.y = make([]float64, w.p.rows()) // ys nil: y = 0
	for j, v := range xs {
		r.x[j] = w.sc.beta * w.sc.col[j] * v
	}
	for i, v := range ys {
		r.y[i] = w.sc.gamma * w.sc.row[i] * v
	}
	if st == Optimal {
		// Projection keeps x within its bounds up to rounding in the
		// unscaling; make it exact.
		for j := range r.x {
			r.x[j] = clamp(r.x[j], w.orig.lc[j], w.orig.uc[j])
		}
	}
	return r
}

// maybeRestart applies the adaptive restart scheme: the candidate is
// whichever of the current iterate and the average has the smaller KKT
// error, and the method restarts from it when the error fell enough since
// the last restart ([PDLP] §3.2, with the KKT error in place of the
// normalized duality gap, as in the 2025 paper). At a restart the primal
// weight ω is updated from how far each side moved ([PDLP] §3.3).
func (w *pdhg) maybeRestart() {
	kc := w.kkt(w.x, w.ax, w.y, w.aty)
	ka := w.kkt(w.xa, w.axa, w.ya, w.atya)
	useAvg := ka < kc
	cand := math.Min(kc, ka)
	if !w.shouldRestart(cand, w.kktLast) {
		return
	}
	if useAvg {
		w.restartFrom(w.xa, w.ya, w.axa, w.atya)
	} else {
		w.restartFrom(w.x, w.y, w.ax, w.aty)
	}
	clear(w.sx)
	clear(w.sy)
	clear(w.sax)
	clear(w.saty)
	w.wsum = 0
	w.kktLast = w.kkt(w.x, w.ax, w.y, w.aty)
}

// shouldRestart applies the restart criteria of [PDLP] §3.2 to an error
// measure of the candidate, cand, and of the last restart point, last:
// a sufficient fall, or a necessary fall after which the error rose
// since the previous check, or an epoch long relative to the whole run.
func (w *pdhg) shouldRestart(cand, last float64) bool {
	since := w.iter - w.lastStart
	restart := cand <= betaSufficient*last ||
		(cand <= betaNecessary*last && cand > w.kktPrev) ||
		float64(since) >= betaArtificial*float64(w.iter)
	w.kktPrev = cand
	return restart
}

// restartFrom makes (x, y), with Ax and Aᵀy, the current point and the new
// anchor, after moving the primal weight towards the ratio of how far the
// dual and the primal side travelled since the last anchor ([PDLP] §3.3).
func (w *pdhg) restartFrom(x, y, ax, aty []float64) {
	dx, dy := dist(x, w.x0), dist(y, w.y0)
	if dx > 1e-10 && dy > 1e-10 && dx < 1e10 && dy < 1e10 {
		w.omega = math.Exp(primalWeightSmooth*math.Log(dy/dx) + (1-primalWeightSmooth)*math.Log(w.omega))
	}
	copy(w.x, x)
	copy(w.y, y)
	copy(w.ax, ax)
	copy(w.aty, aty)
	copy(w.x0, x)
	copy(w.y0, y)
	copy(w.ax0, ax)
	copy(w.aty0, aty)
	w.lastStart = w.iter
	w.kktPrev = math.Inf(1)
}

func dist(a, b []float64) float64 {
	s := 0.0
	b = b[:len(a)]
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// certificate looks for proof that the problem has no solution in the
// difference between the current iterate and the last restart point: when
// a problem is infeasible or unbounded the PDHG iterates diverge and their
// differences converge to a certificate (Applegate, Díaz, Lu and Lubin,
// "Infeasibility detection with primal-dual hybrid gradient for
// large-scale linear programming", SIAM J. Optim. 2024, Theorem 1).
func (w *pdhg) certificate(dx, dax, dy, daty []float64) Status {
	for j := range dx {
		dx[j] = w.x[j] - w.x0[j]
		daty[j] = w.aty[j] - w.aty0[j]
	}
	for i := range dy {
		dy[i] = w.y[i] - w.y0[i]
		dax[i] = w.ax[i] - w.ax0[i]
	}
	w.sc.unscalePrimal(w.ux, w.uax, dx, dax)
	w.sc.unscaleDual(w.uy, w.uaty, dy, daty)
	if dualRay(w.orig, w.uy, w.uaty) {
		return Infeasible
	}
	if primalRay(w.orig, w.ux, w.uax) {
		return Unbounded
	}
	return Unsolved
}

// dualRay reports whether y (with aty = Aᵀy) proves the primal infeasible:
// the dual objective of the ray with c = 0 is positive and no infinite
// bound is priced.
func dualRay(p *problem, y, aty []float64) bool {
	s := 0.0
	for _, v := range y {
		s = math.Max(s, math.Abs(v))
	}
	if s == 0 || math.IsInf(s, 0) || math.IsNaN(s) {
		return false
	}
	worst, obj := 0.0, 0.0
	for i, v := range y {
		obj += dualTerm(v/s, p.lr[i], p.ur[i], &worst)
	}
	for j, v := range aty {
		obj += dualTerm(-v/s, p.lc[j], p.uc[j], &worst)
	}
	return obj > 0 && worst <= infeasibilityTol*obj
}

// primalRay reports whether x (with ax = Ax) proves the dual infeasible:
// cᵀx < 0 and x is a direction of recession of the feasible set.
func primalRay(p *problem, x, ax []float64) bool {
	s := 0.0
	for _, v := range x {
		s = math.Max(s, math.Abs(v))
	}
	if s == 0 || math.IsInf(s, 0) || math.IsNaN(s) {
		return false
	}
	cd := 0.0
	for j, v := range x {
		cd += p.c[j] * v / s
	}
	if cd >= 0 {
		return false
	}
	worst := 0.0
	viol := func(v, lo, hi float64) {
		if !math.IsInf(lo, -1) && v < 0 {
			worst = math.Max(worst, -v)
		}
		if !math.IsInf(hi, 1) && v > 0 {
			worst = math.Max(worst, v)
		}
	}
	for j, v := range x {
		viol(v/s, p.lc[j], p.uc[j])
	}
	for i, v := range ax {
		viol(v/s, p.lr[i], p.ur[i])
	}
	return worst <= infeasibilityTol*(-cd)
}
