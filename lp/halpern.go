package lp

import (
	"context"
	"math"
	"time"
)

// The reflected restarted Halpern PDHG of Lu and Yang, "Restarted Halpern
// PDHG for linear programming" (2024), as used by cuPDLPx (Lu, Peng and
// Yang, 2025): with T the PDHG operator and z⁰ the anchor set at the
// last restart,
//
//	zᵏ⁺¹ = (k+1)/(k+2) · (2T(zᵏ) - zᵏ) + 1/(k+2) · z⁰,
//
// with a constant step η = 0.998/‖A‖₂, restarts on the fixed-point
// residual ‖z - T(z)‖_P, and termination measured at T(zᵏ), which keeps
// x within its bounds.

// halpernStep applies one Halpern step. T(zᵏ) is left in xn, yn, axn,
// atyn, and the squared fixed-point residual ‖zᵏ - T(zᵏ)‖²_P in w.res2,
// with P = [I/τ -Aᵀ; -A I/σ]. (Lu and Yang measure in the PDHG metric,
// with +Aᵀ; both are norms when τσ‖A‖₂² < 1, and on the Netlib set this
// one restarts better.)
//
// With next set, the step also takes the primal half of the following
// step, in the pass that updates x and Aᵀy: the projection of the new
// Halpern iterate goes to xp, and the following step only multiplies it
// by A. The caller promises that nothing changes x, Aᵀy or the step
// sizes in between (halpernPeriod: the steps of one period). The numbers
// are those of primalStep, computed from the same operands.
func (w *pdhg) halpernStep(next bool) {
	tau, sigma := w.eta/w.omega, w.eta*w.omega
	k := float64(w.iter - w.lastStart)
	w.hs = halpernStepState{tau: tau, sigma: sigma, w1: (k + 1) / (k + 2), w0: 1 / (k + 2), next: next}
	// The dual step, and in the same pass the Halpern update of y and Ax,
	// which need nothing from the product with Aᵀ that follows, run on
	// each part's rows as soon as its Ax is done (halpernDual); the
	// Halpern update of x and Aᵀy, and the next step's primal step, on
	// each part's columns as soon as its Aᵀy is (halpernPrimal).
	if w.xpReady {
		w.xn, w.xp = w.xp, w.xn
		w.xpReady = false
		w.mulA.applyThen(w.axn, w.xn, w.dualTail)
	} else {
		w.primalStepThen(tau, w.dualTail)
	}
	w.mulAT.applyThen(w.atyn, w.yn, w.primalTail)
	w.xpReady = next
	// The parts' sums, in the parts' order: the same for every run with
	// as many threads.
	var dx2, dy2, inter float64
	for _, s := range w.sums {
		dy2 += s.dy2
		dx2 += s.dx2
		inter += s.inter
	}
	w.res2 = dx2/tau + dy2/sigma - 2*inter
	w.iter++
}

// halpernStepState is what one Halpern step's passes over the rows and
// columns share: its step sizes, its weights on T(zᵏ) and on the anchor,
// and whether the next step's primal step is taken in the same pass.
type halpernStepState struct {
	tau, sigma, w1, w0 float64
	next               bool
}

// halpernSums is one part's share of a step's sums, padded to its own
// cache line: the parts write theirs at once.
type halpernSums struct {
	dx2, dy2, inter float64
	_               [5]float64
}

// halpernDual is the dual step on the rows lo ≤ i < hi, with axn done
// there: yn = T's y, and the Halpern update of y and Ax.
func (w *pdhg) halpernDual(part, lo, hi int) {
	p, hs := w.p, &w.hs
	sigma, w1, w0 := hs.sigma, hs.w1, hs.w0
	y, yn, ax, axn := w.y[lo:hi], w.yn[lo:hi], w.ax[lo:hi], w.axn[lo:hi]
	lr, ur := p.lr[lo:hi], p.ur[lo:hi]
	y0, ax0 := w.y0[lo:hi], w.ax0[lo:hi]
	yn, ax, axn, lr, ur, y0, ax0 = yn[:len(y)], ax[:len(y)], axn[:len(y)], lr[:len(y)], ur[:len(y)], y0[:len(y)], ax0[:len(y)]
	inv := 1 / sigma
	dy2 := 0.0
	for i := range y {
		yi, axi := y[i], ax[i]
		t := 2*axn[i] - axi - yi*inv
		v := sigma * (clamp(t, lr[i], ur[i]) - t)
		yn[i] = v
		d := v - yi
		dy2 += d * d
		y[i] = w1*(2*v-yi) + w0*y0[i]
		ax[i] = w1*(2*axn[i]-axi) + w0*ax0[i]
	}
	w.sums[part].dy2 = dy2
}

// halpernPrimal is the Halpern update of x and Aᵀy on the columns
// lo ≤ j < hi, with atyn done there, and, when the step is not the
// period's last, the next step's primal step on them (into xp).
func (w *pdhg) halpernPrimal(part, lo, hi int) {
	p, hs := w.p, &w.hs
	tau, w1, w0 := hs.tau, hs.w1, hs.w0
	x, xn, aty, atyn := w.x[lo:hi], w.xn[lo:hi], w.aty[lo:hi], w.atyn[lo:hi]
	x0, aty0 := w.x0[lo:hi], w.aty0[lo:hi]
	xn, aty, atyn, x0, aty0 = xn[:len(x)], aty[:len(x)], atyn[:len(x)], x0[:len(x)], aty0[:len(x)]
	var dx2, inter float64
	if hs.next {
		xp := w.xp[lo:hi][:len(x)]
		c, lc, uc := p.c[lo:hi][:len(x)], p.lc[lo:hi][:len(x)], p.uc[lo:hi][:len(x)]
		for j := range x {
			xj, xnj, atyj, atynj := x[j], xn[j], aty[j], atyn[j]
			d := xnj - xj
			dx2 += d * d
			inter += d * (atynj - atyj)
			xj = w1*(2*xnj-xj) + w0*x0[j]
			atyj = w1*(2*atynj-atyj) + w0*aty0[j]
			x[j], aty[j] = xj, atyj
			xp[j] = clamp(xj-tau*(c[j]-atyj), lc[j], uc[j])
		}
	} else {
		for j := range x {
			d := xn[j] - x[j]
			dx2 += d * d
			inter += d * (atyn[j] - aty[j])
			x[j] = w1*(2*xn[j]-x[j]) + w0*x0[j]
			aty[j] = w1*(2*atyn[j]-aty[j]) + w0*aty0[j]
		}
	}
	w.sums[part].dx2, w.sums[part].inter = dx2, inter
}

// normA estimates ‖A‖₂, the square root of the largest eigenvalue of
// AᵀA, by the Lanczos method on AᵀA: the largest eigenvalue of the
// tridiagonal matrix T built after k products converges to it far faster
// than the power iteration's estimate after k (on the region's stages, in
// tens of products where the power iteration had not settled to 1e-7
// after 1,000). Both estimates are below the true value; the step's
// factor 0.998 is the margin. The vectors are not kept orthogonal: that
// only makes copies of the eigenvalues found, and leaves the largest as
// it is.
func (w *pdhg) normA() float64 {
	n := len(w.x)
	prev, v, next, av := make([]float64, n), make([]float64, n), make([]float64, n), w.axa
	for j := range v {
		v[j] = 1 + float64(j%7)*0.1
	}
	if s := math.Sqrt(dot(v, v)); s > 0 {
		scaleTo(v, 1/s, v)
	}
	var alpha, beta []float64
	theta := 0.0
	still := 0 // steps in a row that left the estimate as it was
	for k := 0; k < lanczosMax; k++ {
		w.mulA.apply(av, v)
		w.mulAT.apply(next, av)
		a := dot(next, v)
		b := 0.0
		if k > 0 {
			b = beta[k-1]
		}
		for j := range next {
			next[j] -= a*v[j] + b*prev[j]
		}
		alpha = append(alpha, a)
		nb := math.Sqrt(dot(next, next))
		beta = append(beta, nb)
		t := largestEigen(alpha, beta[:k])
		if math.Abs(t-theta) <= 1e-10*t {
			still++
		} else {
			still = 0
		}
		theta = t
		if k >= 4 && still >= 3 || nb <= 1e-12*math.Max(t, 1e-300) {
			break
		}
		prev, v, next = v, next, prev
		scaleTo(v, 1/nb, v)
	}
	if theta <= 0 {
		return 1
	}
	return math.Sqrt(theta)
}

// lanczosMax bounds the Lanczos steps of normA.
const lanczosMax = 300

// largestEigen returns the largest eigenvalue of the symmetric
// tridiagonal matrix with diagonal alpha and off-diagonal beta
// (len(alpha)-1 entries), by bisection on its Sturm sequence.
func largestEigen(alpha, beta []float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, a := range alpha {
		r := 0.0
		if i > 0 {
			r += math.Abs(beta[i-1])
		}
		if i < len(beta) {
			r += math.Abs(beta[i])
		}
		lo, hi = math.Min(lo, a-r), math.Max(hi, a+r)
	}
	// below counts the eigenvalues less than x.
	below := func(x float64) int {
		n, q := 0, 1.0
		for i, a := range alpha {
			b2 := 0.0
			if i > 0 {
				b2 = beta[i-1] * beta[i-1]
			}
			if q == 0 {
				q = 1e-300
			}
			q = a - x - b2/q
			if q < 0 {
				n++
			}
		}
		return n
	}
	for range 200 {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi || hi-lo <= 1e-13*math.Max(math.Abs(hi), math.Abs(lo)) {
			break
		}
		if below(mid) < len(alpha) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

func dot(a, b []float64) float64 {
	s := 0.0
	b = b[:len(a)]
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func (w *pdhg) runHalpern(ctx context.Context, start time.Time) pdResult {
	tol := w.opt.tolerance()
	cinf := cinf(w.orig)
	w.eta = 0.998 / w.normA()
	lastReport := start
	w.resAnchor = -1
	timeUp := func() bool { return w.limit(ctx, start) == TimeLimit }
	w.started = start
	for {
		w.halpernPeriod()
		cur := w.unscaled(w.xn, w.axn, w.yn, w.atyn, cinf)
		if cur.within(tol) {
			return w.result(Optimal, w.xn, w.yn)
		}
		if w.zeroDualDone(cur, tol) {
			return w.result(Optimal, w.xn, nil)
		}
		if cur.gapRel() <= tol && w.iter >= w.nextPolish {
			if x, _, y, _, ok := w.polish(cur, tol, cinf, timeUp); ok {
				return w.result(Optimal, x, y)
			}
			// Polish again once the main iteration has gone a quarter further.
			w.nextPolish = w.iter + max(16*restartPeriod, w.iter/4)
		}
		if w.opt.Repair && w.iter >= w.nextRepair && cur.presRel > tol {
			if r, done := w.repair(ctx, cur, tol, cinf, timeUp); done {
				return r
			}
		}
		if st := w.certificate(w.xa, w.axa, w.ya, w.atya); st != Unsolved {
			return w.result(st, w.xn, w.yn)
		}
		w.report(start, &lastReport, cur)
		if st := w.limit(ctx, start); st != Unsolved {
			return w.atLimit(st, cur, tol)
		}
		w.halpernRestart()
	}
}

// halpernPeriod takes the steps between two checks, noting the
// fixed-point residual at the anchor on the first step of an epoch.
func (w *pdhg) halpernPeriod() {
	for k := 0; k < restartPeriod; k++ {
		w.halpernStep(k < restartPeriod-1)
		if w.resAnchor < 0 {
			w.resAnchor = w.res2
		}
	}
}

// halpernRestart restarts at T(zᵏ) when the fixed-point residual fell
// enough since the anchor (the criteria of [PDLP] §3.2 on this residual).
func (w *pdhg) halpernRestart() {
	r := math.Sqrt(math.Max(w.res2, 0))
	ra := math.Sqrt(math.Max(w.resAnchor, 0))
	if !w.shouldRestart(r, ra) {
		return
	}
	w.restartFrom(w.xn, w.yn, w.axn, w.atyn)
	w.resAnchor = -1
}
