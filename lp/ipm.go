package lp

import (
	"context"
	"math"
	"slices"
	"time"
)

// ipm is the primal-dual interior-point method with Mehrotra's
// predictor-corrector (Mehrotra, "On the implementation of a primal-dual
// interior point method", SIAM J. Optim. 2, 1992; Wright, "Primal-Dual
// Interior-Point Methods", SIAM 1997, chapters 10 and 11), on the scaled
// problem. Each row gets a slack, A·x − s = 0 with lr ≤ s ≤ ur, except
// equality rows, whose slack is fixed; x and s are the variables v, with
// column aᵥ (Aⱼ for xⱼ, −eᵢ for sᵢ) and bounds l ≤ v ≤ u. For each finite
// bound the method keeps a positive distance (g = v − l, t = u − v) and a
// positive dual (z, w), with the dual constraints aᵥᵀy + zᵥ − wᵥ = cᵥ.
// A step solves the normal equations
//
//	A·Θ·Aᵀ Δy = rₚ + Σᵥ aᵥ·θᵥ·hᵥ,   Δv = θᵥ·(aᵥᵀΔy − hᵥ),
//
// with θᵥ = 1/(z/g + w/t) and hᵥ collecting the dual and complementarity
// residuals, through the sparse Cholesky factor of normal.
//
// Its iterations are few (tens) and each costs a factorisation, so it
// wins where PDHG needs tens of thousands of cheap steps: on transport
// networks, whose flows PDHG balances slowly. Termination is measured as
// PDHG's, on the unscaled problem (kktParts.within, and meets below).
type ipm struct {
	p, orig *problem
	sc      *scaling
	opt     Options
	n, m    int
	warm    []float64 // a point of orig to begin at (warmStart), or nil

	lo, hi       []float64 // bounds of v = (x, s)
	hasLo, hasHi []bool
	fixed        []bool

	v, y, z, w    []float64
	dv, dy        []float64
	dz, dw        []float64
	av, aty, rp   []float64 // A·x − s, Aᵀy, the primal residual
	rd            []float64 // dual residual by variable
	theta, e, h   []float64
	rz, rw        []float64
	dvA, dzA, dwA []float64 // the predictor's direction

	// Centrality correctors (centre): a trial direction and its
	// right-hand sides, and how many correctors an iteration may try.
	dvC, dyC, dzC, dwC []float64
	rzC, rwC           []float64
	correctors         int
	tmp                []float64

	f      *normal
	dense  []int       // columns of A kept out of f (see denseLimit)
	wd     [][]float64 // M⁻¹·Aⱼ for the dense columns, per factorisation
	smw    []float64   // the Woodbury system, k×k for k dense columns
	smwRHS []float64

	ux, uax, uy, uaty []float64
	cg                [6][]float64 // solveNormal's work space, by row
	refN              []float64    // ... by column
	iter              int
	outlasted         bool // it handed over for want of time (outlasts)
}

// denseLimit is the count of entries beyond which a column of A is kept
// out of the factorised matrix: its outer product would fill M. The
// planner's floor column t has one entry per need of a tier.
const denseLimit = 300

// maxDense bounds the columns treated as dense; beyond it the largest are.
const maxDense = 16

// ipmMaxFlops is the largest factorisation the barrier takes on within
// a time limit: under a second with the vector kernels (kernel.go), on
// two cores. The city's stages (100,000 members) need about 1.4·10⁸
// each; the region's (1,000,000 members) 0.9·10¹⁰ for the essential
// tier's, which the barrier solves in 20 to 50 s, and 3·10¹⁰ or more for
// the later tiers', whose stages took it 80 iterations and more (2.5
// minutes and more). Beyond it, PDHG, stopped at the limit, leaves a
// point nearer the optimum than a barrier stopped halfway (which leaves
// none), and a budget's share (plan.Options.Budget) is often shorter than
// those stages. The tests change it.
var ipmMaxFlops = 2e10

// ipmMaxFlopsNoLimit is the largest factorisation the barrier takes on
// without a time limit, where the answer asked for is the optimum,
// which PDHG may not reach at all (on the region's basic total its
// relative primal residual was still 15 after 5 minutes, and no longer
// falling: docs/BENCHMARKS.md, "The region's basic total to its
// optimum"). The region's basic round's factor (3.3·10¹⁰
// multiplications) holds 2·10⁷ entries, 160 MB, and entries grow more
// slowly than multiplications: the bound is on the time of a
// factorisation (about 15 s at 5·10¹¹), not on memory. The tests change
// it.
var ipmMaxFlopsNoLimit = 5e11

// ipmStep is the fraction of the way to the boundary a step may go.
const ipmStep = 0.9995

// ipmRegularise is added to every variable's barrier term and to the
// diagonal of the normal matrix, for free variables and dependent rows.
const ipmRegularise = 1e-10

// newIPM sets the barrier up on orig, or returns nil when the factor of
// its normal matrix would need more than ipmMaxFlops multiplications
// (ipmMaxFlopsNoLimit without a time limit).
func newIPM(orig *problem, opt Options) *ipm {
	p, sc := scale(orig)
	// PDHG's step wants bounds and costs of norm about one; the barrier
	// wants neither divided: its tolerances on μ and on pivots are
	// absolute, and on the city's max-min stages (β about 10⁴) μ had to
	// fall below 10⁻¹⁵ for the unscaled gap to close, where the
	// factorisation loses the last digits.
	for j := range p.c {
		p.c[j] *= sc.gamma
		p.lc[j] *= sc.beta
		p.uc[j] *= sc.beta
	}
	for i := range p.lr {
		p.lr[i] *= sc.beta
		p.ur[i] *= sc.beta
	}
	sc.beta, sc.gamma = 1, 1
	m, n := p.rows(), p.cols()
	vec := func() []float64 { return make([]float64, n+m) }
	w := &ipm{p: p, orig: orig, sc: sc, opt: opt, n: n, m: m,
		lo: vec(), hi: vec(), hasLo: make([]bool, n+m), hasHi: make([]bool, n+m), fixed: make([]bool, n+m),
		v: vec(), z: vec(), w: vec(), dv: vec(), dz: vec(), dw: vec(), rd: vec(), theta: vec(), h: vec(),
		rz: vec(), rw: vec(), dvA: vec(), dzA: vec(), dwA: vec(),
		dvC: vec(), dzC: vec(), dwC: vec(), rzC: vec(), rwC: vec(), dyC: make([]float64, m),
		y: make([]float64, m), dy: make([]float64, m), av: make([]float64, m), rp: make([]float64, m),
		aty: make([]float64, n), e: make([]float64, m), tmp: make([]float64, m),
		ux: make([]float64, n), uax: make([]float64, m), uy: make([]float64, m), uaty: make([]float64, n),
		refN: make([]float64, n),
	}
	copy(w.lo, p.lc)
	copy(w.hi, p.uc)
	copy(w.lo[n:], p.lr)
	copy(w.hi[n:], p.ur)
	for v := range w.lo {
		w.hasLo[v] = !math.IsInf(w.lo[v], -1)
		w.hasHi[v] = !math.IsInf(w.hi[v], 1)
		w.fixed[v] = w.lo[v] == w.hi[v]
	}
	var big []int
	for j := 0; j < n; j++ {
		if p.a.Start[j+1]-p.a.Start[j] > denseLimit {
			big = append(big, j)
		}
	}
	if len(big) > maxDense {
		// Keep the largest as dense; the others go into M.
		count := func(j int) int { return p.a.Start[j+1] - p.a.Start[j] }
		slices.SortStableFunc(big, func(a, b int) int { return count(b) - count(a) })
		big = big[:maxDense]
	}
	isDense := make([]bool, n)
	for _, j := range big {
		isDense[j] = true
	}
	w.dense = big
	w.smw, w.smwRHS = make([]float64, len(big)*len(big)), make([]float64, len(big))
	w.wd = make([][]float64, len(big))
	for k := range w.wd {
		w.wd[k] = make([]float64, m)
	}
	for k := range w.cg {
		w.cg[k] = make([]float64, m)
	}
	// Nested dissection takes seconds on the LPs it is for (4 to 12 on a
	// region's stages), which the barrier now solves within the time a
	// plan's budget gives the essential ones: it is tried under a limit
	// too (orderRows tries it only on factors minimum degree leaves
	// large).
	maxFlops := ipmMaxFlops
	if opt.TimeLimit == 0 {
		maxFlops = ipmMaxFlopsNoLimit
	}
	if w.f = newNormal(p.a, func(j int) bool { return isDense[j] }, maxFlops, true); w.f == nil {
		return nil
	}
	return w
}

// col adds α·aᵥ to out (out indexed by row).
func (w *ipm) col(out []float64, v int, alpha float64) {
	if v >= w.n {
		out[v-w.n] -= alpha
		return
	}
	a := w.p.a
	for k := a.Start[v]; k < a.Start[v+1]; k++ {
		out[a.Ind[k]] += alpha * a.Val[k]
	}
}

// dotCol returns aᵥᵀy.
func (w *ipm) dotCol(v int, y []float64) float64 {
	if v >= w.n {
		return -y[v-w.n]
	}
	a := w.p.a
	s := 0.0
	for k := a.Start[v]; k < a.Start[v+1]; k++ {
		s += a.Val[k] * y[a.Ind[k]]
	}
	return s
}

// residuals sets av, aty, rp and rd at the current point.
func (w *ipm) residuals() {
	n := w.n
	w.p.a.MulVec(w.av, w.v[:n])
	for i := range w.av {
		w.av[i] -= w.v[n+i]
		w.rp[i] = -w.av[i]
	}
	w.p.a.MulTransVec(w.aty, w.y)
	for v := range w.rd {
		c, aty := 0.0, 0.0
		if v < n {
			c, aty = w.p.c[v], w.aty[v]
		} else {
			aty = -w.y[v-n]
		}
		w.rd[v] = c - aty - w.z[v] + w.w[v]
	}
}

// mu is the mean complementarity at the point moved by ap along dv
// (primal) and ad along dz, dw (dual); with zero steps, at the point.
func (w *ipm) mu(ap, ad float64, dv, dz, dw []float64) float64 {
	s, k := 0.0, 0
	for v := range w.v {
		if w.fixed[v] {
			continue
		}
		if w.hasLo[v] {
			s += (w.v[v] + ap*dv[v] - w.lo[v]) * (w.z[v] + ad*dz[v])
			k++
		}
		if w.hasHi[v] {
			s += (w.hi[v] - w.v[v] - ap*dv[v]) * (w.w[v] + ad*dw[v])
			k++
		}
	}
	if k == 0 {
		return 0
	}
	return s / float64(k)
}

// factor computes θ and factorises A·Θ·Aᵀ (with the slacks' θ on the
// diagonal), and the dense columns' part of the Woodbury formula.
func (w *ipm) factor() {
	for v := range w.v {
		if w.fixed[v] {
			w.theta[v] = 0
			continue
		}
		d := ipmRegularise
		if w.hasLo[v] {
			d += w.z[v] / (w.v[v] - w.lo[v])
		}
		if w.hasHi[v] {
			d += w.w[v] / (w.hi[v] - w.v[v])
		}
		w.theta[v] = 1 / d
	}
	w.factorTheta()
}

// factorTheta factorises the normal matrix for the current θ, and solves
// for the dense columns' part of the Woodbury formula (they have no pairs
// in f: their θ enters only there).
func (w *ipm) factorTheta() {
	for i := range w.e {
		w.e[i] = w.theta[w.n+i] + ipmRegularise
	}
	w.f.assemble(w.theta[:w.n], w.e)
	w.f.factor()
	for k, j := range w.dense {
		wd := w.wd[k]
		clear(wd)
		w.col(wd, j, 1)
		w.f.solve(wd)
	}
}

// solveNormal overwrites r with N⁻¹r, N = A·Θ·Aᵀ + diag(θ of the
// slacks), the whole normal matrix, dense columns included and without
// the regularisation, by conjugate gradients on N preconditioned by the
// factor (solveFactored), from the factor's own solve: late in the
// method Θ spans twenty orders of magnitude, the Woodbury formula for the
// dense columns loses digits, and the regularisation and the shifted
// pivots, times a large Δy, would leave the primal equations unmet. The
// factor differs from N by the regularisation, small, and by a rank-one
// term for each shifted pivot, so that a few iterations make up for
// both (in exact arithmetic, one more than the shifts); it stops when
// the residual is at most 10⁻¹⁴ of r, or at refineRounds, and keeps the
// iterate of least residual.
//
// Until 2026-12-01 two rounds of iterative refinement followed the
// factor's solve, and the Woodbury formula took each shift away again.
// Its system for a shift is −1/δ + (M̃⁻¹)ᵣᵣ, and since the shift is made
// when the pivot has fallen below 10⁻¹⁴ of the diagonal, that is
// rounding: measured, 10⁻¹⁶ to 10⁻¹⁴ of 1/δ, of either sign. On Netlib's
// modszk1 every other direction was then noise (steps of 10⁻⁴, the
// primal residual up from 10⁻⁷ to 10⁻⁴), and on the basic tier's total
// of a world of 300,000 members the primal residual went from 1.8·10⁻⁶
// to 3.5·10⁻⁵ in one step and the barrier broke down (docs/BENCHMARKS.md,
// "Conjugate gradients after the factor, and centrality correctors").
func (w *ipm) solveNormal(r []float64) {
	b, res, z, p, q, best := w.cg[0], w.cg[1], w.cg[2], w.cg[3], w.cg[4], w.cg[5]
	copy(b, r)
	w.solveFactored(r)
	w.normalTimes(q, r)
	for i := range res {
		res[i] = b[i] - q[i]
	}
	goal := 1e-14 * maxAbs(b)
	least := maxAbs(res)
	copy(best, r)
	copy(z, res)
	w.solveFactored(z)
	copy(p, z)
	rz := dot(res, z)
	for k := 0; k < refineRounds(len(w.f.shifted)) && least > goal && rz > 0; k++ {
		w.normalTimes(q, p)
		pq := dot(p, q)
		if !(pq > 0) {
			break
		}
		alpha := rz / pq
		axpy(r, alpha, p)
		axpy(res, -alpha, q)
		if n := maxAbs(res); n < least {
			least = n
			copy(best, r)
		}
		copy(z, res)
		w.solveFactored(z)
		next := dot(res, z)
		beta := next / rz
		rz = next
		for i := range p {
			p[i] = z[i] + beta*p[i]
		}
	}
	copy(r, best)
}

// refineRounds is how many conjugate gradient iterations solveNormal
// may take after a factorisation that shifted the given number of
// pivots: four, and four more for each shift, at most twelve.
func refineRounds(shifts int) int {
	return min(12, 4+4*shifts)
}

// normalTimes sets out = N·v (see solveNormal).
func (w *ipm) normalTimes(out, v []float64) {
	w.p.a.MulTransVec(w.refN, v)
	for j := range w.refN {
		w.refN[j] *= w.theta[j]
	}
	w.p.a.MulVec(out, w.refN)
	for i := range out {
		out[i] += w.theta[w.n+i] * v[i]
	}
}

// maxAbs is the largest |aᵢ|.
func maxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// solveFactored overwrites r with (M + Σ θⱼ aⱼaⱼᵀ over the dense
// columns)⁻¹r, M as factorised (as assembled plus its shifted pivots,
// normal.shifted), by the Woodbury formula.
func (w *ipm) solveFactored(r []float64) {
	w.f.solve(r)
	k := len(w.dense)
	if k == 0 {
		return
	}
	// (M + U·Θ·Uᵀ)⁻¹ = M⁻¹ − W·(Θ⁻¹ + UᵀW)⁻¹·Wᵀ, with W = M⁻¹U:
	// x = M⁻¹r − W·S⁻¹·(Uᵀ·M⁻¹r), S = Θ⁻¹ + UᵀW.
	s, rhs := w.smw[:k*k], w.smwRHS[:k]
	for a, j := range w.dense {
		for b := range w.dense {
			s[a*k+b] = w.dotCol(j, w.wd[b])
		}
		if t := w.theta[j]; t > 0 {
			s[a*k+a] += 1 / t
		} else {
			s[a*k+a] += 1e128
		}
		rhs[a] = w.dotCol(j, r)
	}
	gaussSolve(s, rhs, k)
	for b := range w.dense {
		axpy(r, -rhs[b], w.wd[b])
	}
}

// gaussSolve solves the k×k system s·x = rhs in place (partial pivoting).
func gaussSolve(s, rhs []float64, k int) {
	for c := 0; c < k; c++ {
		p := c
		for r := c + 1; r < k; r++ {
			if math.Abs(s[r*k+c]) > math.Abs(s[p*k+c]) {
				p = r
			}
		}
		if p != c {
			for q := 0; q < k; q++ {
				s[c*k+q], s[p*k+q] = s[p*k+q], s[c*k+q]
			}
			rhs[c], rhs[p] = rhs[p], rhs[c]
		}
		if s[c*k+c] == 0 {
			continue
		}
		for r := c + 1; r < k; r++ {
			f := s[r*k+c] / s[c*k+c]
			for q := c; q < k; q++ {
				s[r*k+q] -= f * s[c*k+q]
			}
			rhs[r] -= f * rhs[c]
		}
	}
	for c := k - 1; c >= 0; c-- {
		v := rhs[c]
		for q := c + 1; q < k; q++ {
			v -= s[c*k+q] * rhs[q]
		}
		if s[c*k+c] != 0 {
			rhs[c] = v / s[c*k+c]
		} else {
			rhs[c] = 0
		}
	}
}

// direction solves for (dv, dy, dz, dw) given the complementarity
// right-hand sides rz (of g·z) and rw (of t·w).
func (w *ipm) direction(rz, rw, dv, dy, dz, dw []float64) {
	copy(dy, w.rp)
	for v := range w.v {
		if w.fixed[v] {
			w.h[v] = 0
			continue
		}
		h := w.rd[v]
		if w.hasLo[v] {
			h -= rz[v] / (w.v[v] - w.lo[v])
		}
		if w.hasHi[v] {
			h += rw[v] / (w.hi[v] - w.v[v])
		}
		w.h[v] = h
		w.col(dy, v, w.theta[v]*h)
	}
	w.solveNormal(dy)
	for v := range w.v {
		if w.fixed[v] {
			dv[v], dz[v], dw[v] = 0, 0, 0
			continue
		}
		d := w.theta[v] * (w.dotCol(v, dy) - w.h[v])
		dv[v] = d
		dz[v], dw[v] = 0, 0
		if w.hasLo[v] {
			dz[v] = (rz[v] - w.z[v]*d) / (w.v[v] - w.lo[v])
		}
		if w.hasHi[v] {
			dw[v] = (rw[v] + w.w[v]*d) / (w.hi[v] - w.v[v])
		}
	}
}

// steps returns the largest primal and dual steps in (0, 1] that keep
// the distances and duals positive.
func (w *ipm) steps(dv, dz, dw []float64) (ap, ad float64) {
	ap, ad = 1, 1
	for v := range w.v {
		if w.fixed[v] {
			continue
		}
		if w.hasLo[v] {
			if dv[v] < 0 {
				ap = math.Min(ap, (w.v[v]-w.lo[v])/-dv[v])
			}
			if dz[v] < 0 {
				ad = math.Min(ad, w.z[v]/-dz[v])
			}
		}
		if w.hasHi[v] {
			if dv[v] > 0 {
				ap = math.Min(ap, (w.hi[v]-w.v[v])/dv[v])
			}
			if dw[v] < 0 {
				ad = math.Min(ad, w.w[v]/-dw[v])
			}
		}
	}
	return ap, ad
}

// start sets a starting point after Mehrotra: v the point nearest the
// middle of its bounds with A·x − s = 0 (least squares), y the least
// squares multipliers of c, then both shifted into the interior.
func (w *ipm) start() {
	if w.warm != nil {
		if w.warmStart() {
			return
		}
		w.warm = nil
	}
	for v := range w.v {
		w.theta[v] = 1
		switch {
		case w.fixed[v]:
			w.v[v], w.theta[v] = w.lo[v], 0
		case w.hasLo[v] && w.hasHi[v]:
			w.v[v] = (w.lo[v] + w.hi[v]) / 2
		case w.hasLo[v]:
			w.v[v] = w.lo[v]
		case w.hasHi[v]:
			w.v[v] = w.hi[v]
		default:
			w.v[v] = 0
		}
	}
	w.factorTheta()
	// v += Θ·aᵥᵀ·M⁻¹(−(A·x − s)).
	w.residuals()
	copy(w.dy, w.rp)
	w.solveNormal(w.dy)
	ls := w.dvA // the least-squares point
	for v := range w.v {
		ls[v] = w.v[v] + w.theta[v]*w.dotCol(v, w.dy)
		w.v[v] = ls[v]
	}
	w.multipliers()
	// Shift the distances and duals to at least a positive floor.
	dp, dd := 0.0, 0.0
	for v := range w.v {
		if w.fixed[v] {
			continue
		}
		if w.hasLo[v] {
			dp = math.Max(dp, -1.5*(w.v[v]-w.lo[v]))
		}
		if w.hasHi[v] {
			dp = math.Max(dp, -1.5*(w.hi[v]-w.v[v]))
		}
		rc := w.rd[v]
		if w.hasLo[v] && !w.hasHi[v] {
			dd = math.Max(dd, -1.5*rc)
		}
		if w.hasHi[v] && !w.hasLo[v] {
			dd = math.Max(dd, 1.5*rc)
		}
	}
	dp, dd = math.Max(dp, 1e-2), math.Max(dd, w.dualFloor())
	if dp > startSpread {
		w.place(ls, startSpread, dd, true)
		return
	}
	w.place(ls, dp, dd, false)
	// Mehrotra's second shift balances the products g·z.
	gz, sg, sz := 0.0, 0.0, 0.0
	for v := range w.v {
		if w.fixed[v] {
			continue
		}
		if w.hasLo[v] {
			g := w.v[v] - w.lo[v]
			gz += g * w.z[v]
			sg += g
			sz += w.z[v]
		}
		if w.hasHi[v] {
			t := w.hi[v] - w.v[v]
			gz += t * w.w[v]
			sg += t
			sz += w.w[v]
		}
	}
	if sz > 0 && sg > 0 {
		w.place(ls, dp+0.5*gz/sz, dd+0.5*gz/sg, false)
	}
}

// warmShift is how far into the interior of its bounds a warm start is
// moved. warmCentre is the product g·z (and t·w) its duals are set to,
// in proportion to it. On the region's basic max-min round the barrier
// took 37 iterations from a shift of 10⁻², 21 from 10⁻³ and 104 from
// 10⁻⁴; on its wanted round, 70 from 10⁻² and 52 from 10⁻³ (where the
// primal residual is 10⁻⁴ by the 14th iteration instead of the 48th).
const (
	warmShift  = 1e-3
	warmCentre = 1e-3 * warmShift
)

// A warm start is abandoned for the cold one when a window of
// warmWindow iterations ends without progress (progressed).
const (
	warmWindow = 10
	warmFall   = 0.75
)

// progressed reports whether a warm start progressed from a to b, the
// measures at the end of a window: a is where the first window began,
// and for later windows where the window before began, two windows back.
// In the first window progress is the primal residual's falling to
// warmFall of what it was (or to tol): a warm start's duals are placed,
// not solved for, and its dual residual and gap rise while the primal
// residual the shift left is taken away (on the region's wanted max-min
// round, from 2·10⁻⁷ to 2·10⁻⁵ and from 0.48 to 0.96 in the first ten
// iterations, while the primal residual fell from 0.24 to 0.013). Later
// it is the largest measure's falling to warmFall over the two windows.
//
// A cold start on the region's wanted round took more than 160
// iterations, and the warm start pays even where it is slow for a
// while: on one of its LPs the gap went from 0.36 at the 20th iteration
// to 0.335 at the 30th, and the warm start, kept, solved it by the 56th
// (0.335 is 0.53 of the 0.63 at the 10th). On the city's basic round (a
// floor of 0.87, far from the start's zero) the gap went from 0.48 at
// the start to 0.40 at the 20th iteration (0.83): abandoned there, the
// round takes 36 iterations; kept, the warm start had the floor at 0.74
// and the gap at 0.05 after 192. On the fast Netlib problems, from an
// optimum without its duals, the dual residual stays where it began.
func progressed(a, b kktParts, first bool, tol float64) bool {
	if first {
		return b.presRel <= math.Max(tol, warmFall*a.presRel)
	}
	return b.worst() <= warmFall*a.worst()
}

// warmStart sets the starting point at w.warm, if it keeps the bounds of
// every column and row within warmShift (scaled), and reports whether it
// did. Such a point is at hand in a sequence of LPs where each keeps the
// answer of the one before, as the planner's (the max-min round of a
// tier holds what the tiers before achieved, with its own floor at
// zero): Mehrotra's point, least squares without regard to the bounds,
// is far from it (on the region's basic max-min round, a primal residual
// of 2.5·10⁷, brought to 1 in 40 iterations). The point is moved
// warmShift inside, without Mehrotra's second shift, which moves every
// column as far again as the products g·z are large; the multipliers y
// are least squares, as cold, and every bound's dual is centred,
// z = warmCentre/g: the reduced costs' duals (rd plus a floor), which
// cold starts use, leave pairs far off the central path, and the steps
// from them were nothing. On that round the primal residual starts at
// 2.4 and is 10⁻⁷ by the twelfth iteration (the 48th cold).
func (w *ipm) warmStart() bool {
	n := w.n
	ls := w.dvA
	for j := 0; j < n; j++ {
		ls[j] = w.warm[j] / w.sc.col[j]
	}
	w.p.a.MulVec(w.tmp, ls[:n])
	copy(ls[n:], w.tmp)
	for v, x := range ls {
		if w.hasLo[v] && x < w.lo[v]-warmShift || w.hasHi[v] && x > w.hi[v]+warmShift || math.IsNaN(x) {
			return false
		}
	}
	for v := range w.v {
		w.theta[v] = 1
		if w.fixed[v] {
			ls[v], w.theta[v] = w.lo[v], 0
		}
	}
	w.factorTheta()
	copy(w.v, ls)
	w.multipliers()
	w.place(ls, warmShift, 0, false)
	for v := range w.v {
		if w.fixed[v] {
			continue
		}
		if w.hasLo[v] {
			w.z[v] = warmCentre / (w.v[v] - w.lo[v])
		}
		if w.hasHi[v] {
			w.w[v] = warmCentre / (w.hi[v] - w.v[v])
		}
	}
	return true
}

// startSpread is the largest shift Mehrotra's start gives every
// variable: beyond it, each variable is moved inside only as far as it
// must be, by at least startSpread (place). The least-squares point
// of the planner's last stage (the least labour and transport on the
// region) breaks some bound by 7·10⁴, and moved that far, and as far
// again by the second shift, every flow began at about 10⁵ units: the
// barrier spent its iterations bringing the flows that are zero at the
// optimum down by a quarter at a time (they were what stopped each
// step), and stalled at a gap of 3·10⁻⁵ after 200 iterations. Each moved
// only as far as it must, by at least 100, it reaches 10⁻⁸ in 96 (at
// least 1: it made no progress and handed over).
const startSpread = 100

// multipliers sets y to the least-squares multipliers of c for the
// factor of the current θ, y = M⁻¹·A·Θ·c, z and w to zero, and the
// residuals at v (rd = c − Aᵀy: the reduced costs).
func (w *ipm) multipliers() {
	clear(w.y)
	for j := 0; j < w.n; j++ {
		w.col(w.y, j, w.theta[j]*w.p.c[j])
	}
	w.solveNormal(w.y)
	clear(w.z)
	clear(w.w)
	w.residuals()
}

// dualFloor is the least shift of the starting duals: a hundredth of the
// mean |cⱼ|, and no more than a hundredth. The duals at an optimum are
// of the costs' scale, and a start far above it must be brought down
// before the gap can close: the planner's max-min rounds have a single
// cost, 1 on the floor t, among 10⁵ to 10⁶ columns, and with a shift of
// 10⁻² the barrier spent 18 of its iterations with t held at its lower
// bound on the region's third essential round, and was still 0.19 from
// its optimum after 91; with this floor it takes 33 (the first round 30
// instead of 56, the second 40 instead of 27, the city's rounds 3 to 8
// fewer). Where the costs are dense, as on the Netlib set and the
// planner's last stage, the floor stays a hundredth.
func (w *ipm) dualFloor() float64 {
	sum := 0.0
	for _, c := range w.p.c {
		sum += math.Abs(c)
	}
	if sum == 0 {
		return 1e-2
	}
	return math.Min(1e-2, 1e-2*sum/float64(w.n))
}

// place sets v to ls moved dp into the interior of its bounds (with
// each, only as far as it must be to lie dp inside), and z and w to the
// reduced costs rd plus dd. Boxes narrower than 2·dp are entered at their
// middle.
func (w *ipm) place(ls []float64, dp, dd float64, each bool) {
	for v := range w.v {
		if w.fixed[v] {
			w.z[v], w.w[v] = 0, 0
			continue
		}
		x, lo, hi := ls[v], w.lo[v], w.hi[v]
		rc := w.rd[v]
		switch {
		case w.hasLo[v] && w.hasHi[v]:
			mg := math.Min(dp, (hi-lo)/2)
			w.v[v] = clamp(x, lo+mg, hi-mg)
			w.z[v] = math.Max(rc, 0) + dd
			w.w[v] = math.Max(-rc, 0) + dd
		case w.hasLo[v]:
			w.v[v] = math.Max(x, lo) + dp
			if each {
				w.v[v] = math.Max(x, lo+dp)
			}
			w.z[v] = math.Max(rc, 0) + dd
			w.w[v] = 0
		case w.hasHi[v]:
			w.v[v] = math.Min(x, hi) - dp
			if each {
				w.v[v] = math.Min(x, hi-dp)
			}
			w.w[v] = math.Max(-rc, 0) + dd
			w.z[v] = 0
		default:
			w.v[v] = x
			w.z[v], w.w[v] = 0, 0
		}
	}
}

// ipmMaxIter bounds the iterations when Options.IterationLimit does not.
const ipmMaxIter = 200

// run iterates from the starting point until the tolerance, a limit, or
// the loss of progress (status Unsolved: the caller falls back to PDHG).
func (w *ipm) run(ctx context.Context, start time.Time) pdResult {
	tol := w.opt.tolerance()
	cinf := cinf(w.orig)
	lastReport := start
	limit := ipmMaxIter
	if l := w.opt.IterationLimit; l > 0 && l < limit {
		limit = l
	}
	w.start()
	w.correctors = w.correctorsFor()
	best, bestAt := math.Inf(1), 0
	// The measures at the start of a warm start's last two windows.
	var warmAt [2]kktParts
	warmFrom := 0
	var kept *ipmPoint // the first point that met the tolerance
	keptAt := 0
	// answer returns the point p (the current one if nil), placed by
	// snap, as optimal.
	answer := func(p *ipmPoint) pdResult {
		if p != nil {
			p.restore(w)
			w.residuals()
			w.measure(cinf)
		}
		w.snap(cinf, tol)
		return w.result(Optimal)
	}
	// giveUp ends a run that cannot go on: with the point kept, if any,
	// or else with status st.
	giveUp := func(st Status) pdResult {
		if kept != nil {
			return answer(kept)
		}
		return w.result(st)
	}
	iterStart := time.Now()
	for ; ; w.iter++ {
		w.residuals()
		cur := w.measure(cinf)
		switch {
		case cur.within(tol):
			return answer(nil)
		case kept != nil && w.iter-keptAt >= ipmPolish:
			return answer(kept)
		case kept == nil && cur.meets(tol):
			kept, keptAt = w.keep(), w.iter
		}
		if w.opt.Progress != nil && time.Since(lastReport) >= time.Second {
			lastReport = time.Now()
			w.opt.Progress(Progress{Iterations: w.iter, Elapsed: time.Since(start), PrimalObj: cur.pobj,
				Primal: cur.presRel, Dual: cur.dresRel, Gap: cur.gapRel()})
		}
		// Progress is the largest of the three measures; without a tenth
		// of it gained in 30 iterations the method is stuck.
		e := cur.worst()
		if math.IsNaN(e) {
			return giveUp(Unsolved)
		}
		// A warm start is a bet that the optimum is near the start;
		// lost, the barrier begins again at Mehrotra's point.
		switch {
		case w.warm == nil:
		case w.iter == warmFrom:
			warmAt = [2]kktParts{cur, cur}
		case w.iter-warmFrom >= warmWindow && !progressed(warmAt[0], cur, warmFrom == 0, tol):
			w.warm = nil
			w.start()
			best, bestAt = math.Inf(1), w.iter
			continue
		case w.iter-warmFrom >= warmWindow:
			warmAt, warmFrom = [2]kktParts{warmAt[1], cur}, w.iter
		}
		if e < 0.9*best {
			best, bestAt = e, w.iter
		} else if w.iter-bestAt > 30 {
			return giveUp(Unsolved)
		}
		switch {
		case w.iter >= limit:
			if l := w.opt.IterationLimit; l > 0 && w.iter >= l {
				return giveUp(IterationLimit)
			}
			return giveUp(Unsolved)
		case ctx.Err() != nil, w.opt.TimeLimit > 0 && time.Since(start) >= w.opt.TimeLimit:
			return giveUp(TimeLimit)
		}
		// Before the first factorisation, its time as estimated from the
		// multiplications; after it, as measured.
		if w.iter == 0 && w.outlasts(ctx, start, time.Duration(w.f.flops()/ipmRate*float64(time.Second))) ||
			w.iter == 1 && w.outlasts(ctx, start, time.Since(iterStart)) {
			w.outlasted = true
			return giveUp(Unsolved)
		}
		iterStart = time.Now()
		mu := w.mu(0, 0, w.dv, w.dz, w.dw)
		w.factor()
		// Predictor: the affine direction, σ = 0.
		for v := range w.v {
			w.rz[v], w.rw[v] = 0, 0
			if w.hasLo[v] {
				w.rz[v] = -(w.v[v] - w.lo[v]) * w.z[v]
			}
			if w.hasHi[v] {
				w.rw[v] = -(w.hi[v] - w.v[v]) * w.w[v]
			}
		}
		w.direction(w.rz, w.rw, w.dvA, w.dy, w.dzA, w.dwA)
		ap, ad := w.steps(w.dvA, w.dzA, w.dwA)
		muA := w.mu(ap, ad, w.dvA, w.dzA, w.dwA)
		sigma := 0.0
		if mu > 0 {
			sigma = math.Pow(muA/mu, 3)
		}
		sigma = math.Min(sigma, 1)
		// Corrector: centring and the second-order term of the predictor.
		for v := range w.v {
			w.rz[v], w.rw[v] = 0, 0
			if w.fixed[v] {
				continue
			}
			if w.hasLo[v] {
				w.rz[v] = sigma*mu - (w.v[v]-w.lo[v])*w.z[v] - w.dvA[v]*w.dzA[v]
			}
			if w.hasHi[v] {
				w.rw[v] = sigma*mu - (w.hi[v]-w.v[v])*w.w[v] + w.dvA[v]*w.dwA[v]
			}
		}
		w.direction(w.rz, w.rw, w.dv, w.dy, w.dz, w.dw)
		ap, ad = w.steps(w.dv, w.dz, w.dw)
		ap, ad = w.centre(sigma*mu, ap, ad)
		ap, ad = math.Min(1, ipmStep*ap), math.Min(1, ipmStep*ad)
		axpy(w.v, ap, w.dv)
		axpy(w.y, ad, w.dy)
		axpy(w.z, ad, w.dz)
		axpy(w.w, ad, w.dw)
		w.keepInside()
	}
}

// centre improves the direction (dv, dy, dz, dw), whose largest steps
// are ap and ad, by Gondzio's multiple centrality correctors (Gondzio,
// "Multiple centrality corrections in a primal-dual method for linear
// programming", Comput. Optim. Appl. 6, 1996; Colombo and Gondzio,
// "Further development of multiple centrality correctors for interior
// point methods", Comput. Optim. Appl. 41, 2008). At the point a longer
// step would reach, the complementarity products far from the target
// (below a tenth of it, or above ten times) are what block the step;
// another solve with the same factor, its right-hand side asking those
// products back toward the target, gives a direction that goes further.
// A corrector is kept only if neither step is shorter and together they
// are longer by enough, and up to w.correctors are tried: each costs a
// solve, worth it where a factorisation costs many (correctorsFor). A
// direction whose step is already almost nothing is left alone: the
// factor has lost it (late on degenerate LPs), and a corrector built on
// it took a whole step of noise on capri (with the solves of before
// solveNormal's conjugate gradients). It returns the steps of the
// direction kept.
func (w *ipm) centre(target, ap, ad float64) (float64, float64) {
	lo, hi := centreLow*target, centreHigh*target
	for range w.correctors {
		if ap >= 1 && ad >= 1 || math.Min(ap, ad) < centreFrom {
			break
		}
		tp, td := math.Min(1, ap+centreReach), math.Min(1, ad+centreReach)
		for v := range w.v {
			w.rzC[v], w.rwC[v] = w.rz[v], w.rw[v]
			if w.fixed[v] {
				continue
			}
			if w.hasLo[v] {
				g := w.v[v] - w.lo[v] + tp*w.dv[v]
				w.rzC[v] += towardBox(g*(w.z[v]+td*w.dz[v]), lo, hi)
			}
			if w.hasHi[v] {
				t := w.hi[v] - w.v[v] - tp*w.dv[v]
				w.rwC[v] += towardBox(t*(w.w[v]+td*w.dw[v]), lo, hi)
			}
		}
		w.direction(w.rzC, w.rwC, w.dvC, w.dyC, w.dzC, w.dwC)
		np, nd := w.steps(w.dvC, w.dzC, w.dwC)
		if np < ap || nd < ad || np+nd < ap+ad+centreGain*centreReach {
			break
		}
		ap, ad = np, nd
		w.dv, w.dvC = w.dvC, w.dv
		w.dy, w.dyC = w.dyC, w.dy
		w.dz, w.dzC = w.dzC, w.dz
		w.dw, w.dwC = w.dwC, w.dw
		w.rz, w.rzC = w.rzC, w.rz
		w.rw, w.rwC = w.rwC, w.rw
	}
	return ap, ad
}

// towardBox is how far a complementarity product p is asked to move
// toward [lo, hi]: up to lo if below, down toward hi if above, but by no
// more than hi, so that a few very large products do not take the
// direction over.
func towardBox(p, lo, hi float64) float64 {
	switch {
	case p < lo:
		return lo - p
	case p > hi:
		return math.Max(hi-p, -hi)
	}
	return 0
}

// The correctors' parameters, as Colombo and Gondzio's: the box around
// the target σμ, how much longer than the current steps the trial steps
// are, and the least gain, as a fraction of that, for a corrector to be
// kept; and the shortest step a corrector may start from.
const (
	centreLow   = 0.1
	centreHigh  = 10
	centreReach = 0.1
	centreGain  = 0.1
	centreFrom  = 0.01
)

// correctorsFor is how many correctors an iteration may try: about one
// for every ten solves a factorisation costs, up to maxCorrectors, so
// none on small LPs, where the correctors' solves would cost more than
// the iterations they save. A solve through the factor takes five to
// seven times the share of the factorisation's time its multiplications
// would say (a factorisation of the city's
// last stage 34 ms and a solve 6.9 ms, 28 times fewer multiplications;
// on the region's essential stage 2.0 s and 88 ms, 155 times fewer;
// measured with the two rounds of refinement that solveNormal's
// conjugate gradients replaced), hence one corrector for every
// correctorCost. On the region's first essential round the two it gets
// save two iterations of thirty and cost 7.5 s more than they save; on
// a world of 300,000 members they save 28 s of 7 minutes
// (docs/BENCHMARKS.md). Counted, not timed, the choice is the same on
// every machine, and so is the plan.
func (w *ipm) correctorsFor() int {
	solve := 6*float64(len(w.f.val)) + 4*float64(len(w.p.a.Val))
	return min(maxCorrectors, int(w.f.flops()/(correctorCost*solve)))
}

// correctorCost is the ratio of a factorisation's multiplications to a
// solve's for which an iteration tries one corrector. The tests change
// it.
var correctorCost = 50.0

// maxCorrectors bounds the centrality correctors of one iteration.
const maxCorrectors = 2

// ipmTypical is the iterations a stage of the planner typically takes:
// 14 to 44 on the city's, 30 to 40 on the region's essential rounds.
const ipmTypical = 50

// ipmRate is the factor's multiplications a second, about, on the
// machines where the barrier was measured, for the factors that ask
// whether they fit the time left (2026-12-01: 3.3·10¹⁰ in 0.92 s on the
// region's basic round, two cores and the vector kernels; a third of
// that said here, for smaller factors and machines without them).
const ipmRate = 1.2e10

// outlasts reports whether ipmTypical iterations of one iteration's
// duration would outlast the time left of the limits: a barrier stopped
// early has no usable point, where PDHG, stopped, has one near the
// optimum, so the barrier hands over (the region's essential stage, with
// 2.5 s an iteration, under a budget of 90 s).
func (w *ipm) outlasts(ctx context.Context, start time.Time, iter time.Duration) bool {
	left := time.Duration(math.MaxInt64)
	if l := w.opt.TimeLimit; l > 0 {
		left = l - time.Since(start)
	}
	if d, ok := ctx.Deadline(); ok {
		left = min(left, time.Until(d))
	}
	return left < math.MaxInt64 && time.Duration(ipmTypical)*iter > left
}

// keepInside keeps every distance to a bound at least a few units in the
// last place of the bound: a step of 0.9995 of the way to a bound a
// distance below the bound's rounding would land on it, and z/g would be
// z/0.
func (w *ipm) keepInside() {
	const ulps = 4 * 0x1p-52
	for v, x := range w.v {
		if w.fixed[v] {
			continue
		}
		if lo := w.lo[v]; w.hasLo[v] && x-lo < ulps*(1+math.Abs(lo)) {
			w.v[v] = lo + ulps*(1+math.Abs(lo))
		}
		if hi := w.hi[v]; w.hasHi[v] && hi-x < ulps*(1+math.Abs(hi)) {
			w.v[v] = math.Max(hi-ulps*(1+math.Abs(hi)), (w.lo[v]+hi)/2)
		}
	}
}

// meets reports whether a point meets the tolerance as Options defines
// it: residuals and gap at most tol. The barrier, like PDHG, goes on until
// the gap is a quarter of that (kktParts.within), but its last iterations
// are where its factor is at its worst: on the planner's LPs and on degen3
// the step that would take the gap from just above tol to a quarter of it
// sometimes lost the point instead. So the first point that meets the
// tolerance is kept, and is the answer if ipmPolish more iterations do not
// reach a quarter, or if the method breaks down meanwhile.
func (k kktParts) meets(tol float64) bool {
	return k.presRel <= tol && k.dresRel <= tol && k.gapRel() <= tol
}

// ipmPolish is how many iterations the barrier may spend going from a
// point that meets the tolerance to one within a quarter of it.
const ipmPolish = 4

// ipmPoint is a copy of the barrier's iterate.
type ipmPoint struct{ v, y, z, w []float64 }

func (w *ipm) keep() *ipmPoint {
	return &ipmPoint{slices.Clone(w.v), slices.Clone(w.y), slices.Clone(w.z), slices.Clone(w.w)}
}

func (p *ipmPoint) restore(w *ipm) {
	copy(w.v, p.v)
	copy(w.y, p.y)
	copy(w.z, p.z)
	copy(w.w, p.w)
}

// measure measures the current point in the unscaled problem; av and aty
// must be current.
func (w *ipm) measure(cinf float64) kktParts {
	n := w.n
	for i, v := range w.av {
		w.tmp[i] = v + w.v[n+i] // A·x
	}
	w.sc.unscalePrimal(w.ux, w.uax, w.v[:n], w.tmp)
	w.sc.unscaleDual(w.uy, w.uaty, w.y, w.aty)
	for j := range w.ux {
		w.ux[j] = clamp(w.ux[j], w.orig.lc[j], w.orig.uc[j])
	}
	return measureKKT(w.orig, w.ux, w.uax, w.uy, w.uaty, cinf)
}

func (w *ipm) result(st Status) pdResult {
	r := pdResult{status: st, iterations: w.iter}
	r.x = make([]float64, w.n)
	r.y = make([]float64, w.m)
	for j := range r.x {
		r.x[j] = clamp(w.sc.beta*w.sc.col[j]*w.v[j], w.orig.lc[j], w.orig.uc[j])
	}
	for i := range r.y {
		r.y[i] = w.sc.gamma * w.sc.row[i] * w.y[i]
	}
	return r
}

// snap moves onto its bound every column whose distance to the bound is
// smaller than its dual there, if the point still meets the tolerance.
// An interior point spreads a little of everything over the columns that
// are at a bound in every optimal solution (about μ/z each): on a
// transport network, a little of each good goes every way, even round
// in circles. Strict complementarity says which side of each pair tends
// to zero (the indicator of El-Bakry, Tapia and Zhang, "A study of
// indicators for identifying zero variables in interior-point methods",
// SIAM Review 36, 1994); placing those columns on their bounds gives the
// sparse answer a simplex method would, up to the tolerance.
func (w *ipm) snap(cinf, tol float64) {
	n := w.n
	x := make([]float64, n)
	copy(x, w.v[:n])
	moved := false
	for j := range x {
		if w.fixed[j] {
			continue
		}
		switch {
		case w.hasLo[j] && x[j]-w.lo[j] < w.z[j] && (!w.hasHi[j] || x[j]-w.lo[j] <= w.hi[j]-x[j]):
			x[j], moved = w.lo[j], true
		case w.hasHi[j] && w.hi[j]-x[j] < w.w[j]:
			x[j], moved = w.hi[j], true
		}
	}
	if !moved {
		return
	}
	w.p.a.MulVec(w.tmp, x)
	w.sc.unscalePrimal(w.ux, w.uax, x, w.tmp)
	for j := range w.ux {
		w.ux[j] = clamp(w.ux[j], w.orig.lc[j], w.orig.uc[j])
	}
	if measureKKT(w.orig, w.ux, w.uax, w.uy, w.uaty, cinf).meets(tol) {
		copy(w.v[:n], x)
	}
}
