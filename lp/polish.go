package lp

import "math"

// Feasibility polishing (Applegate et al., "PDLP: a practical first-order
// method for large-scale linear programming", 2025, the section of that
// name): when the objective is as good as asked but one side is not yet
// feasible enough, solve that side's feasibility problem alone, starting
// from the current point. PDHG converges far faster on a feasibility
// problem than on the LP, and started from a nearly optimal point it ends
// at a nearby one, so the objective barely moves.
//
//   - Primal: the same constraints with c = 0, from the current x and y = 0.
//   - Dual: the same c with every finite bound moved to 0, that is the LP
//     whose dual feasible set is the original one, from the current y and
//     x = 0.
//
// The polished pair is accepted only if it meets the whole tolerance,
// gap included, on the problem itself.

type polishSide int

const (
	polishPrimal polishSide = iota
	polishDual
)

// polisher returns solver state for one side's feasibility problem,
// sharing the matrix, its products and its scaling with w.
func (w *pdhg) polisher(side polishSide) *pdhg {
	p, o := *w.p, *w.orig
	switch side {
	case polishPrimal:
		p.c, o.c = make([]float64, len(p.c)), make([]float64, len(o.c))
		p.objConst, o.objConst = 0, 0
	case polishDual:
		p.lc, p.uc, p.lr, p.ur = cone(p.lc), cone(p.uc), cone(p.lr), cone(p.ur)
		o.lc, o.uc, o.lr, o.ur = cone(o.lc), cone(o.uc), cone(o.lr), cone(o.ur)
	}
	s := newState(&p, &o, w.sc, w.mulA, w.mulAT, w.opt)
	// The same matrix and scaling: the safe step carries over.
	s.eta = w.eta
	return s
}

// cone moves finite bounds to 0 and keeps infinite ones.
func cone(b []float64) []float64 {
	out := make([]float64, len(b))
	for i, v := range b {
		if math.IsInf(v, 0) {
			out[i] = v
		}
	}
	return out
}

// feasible runs Halpern PDHG on a polisher's problem from its current
// point for at most budget iterations, and reports whether that side's
// residual reached tol. stop is checked at every restart check.
func (s *pdhg) feasible(side polishSide, budget int, tol, cinf float64, stop func() bool) bool {
	s.iter, s.lastStart, s.resAnchor, s.kktPrev = 0, 0, -1, math.Inf(1)
	copy(s.x0, s.x)
	copy(s.y0, s.y)
	copy(s.ax0, s.ax)
	copy(s.aty0, s.aty)
	for s.iter < budget && !stop() {
		s.halpernPeriod()
		k := s.unscaled(s.xn, s.axn, s.yn, s.atyn, cinf)
		if side == polishPrimal && k.presRel <= tol || side == polishDual && k.dresRel <= tol {
			return true
		}
		s.halpernRestart()
	}
	return false
}

// polish tries to turn the current point T(zᵏ), whose gap already meets
// tol, into one that meets tol on every measure. It returns the polished
// pair (scaled, in vectors owned by the polishers) and whether it is good.
func (w *pdhg) polish(cur kktParts, tol, cinf float64, stop func() bool) (x, ax, y, aty []float64, ok bool) {
	budget := max(16*restartPeriod, w.iter/8)
	x, ax, y, aty = w.xn, w.axn, w.yn, w.atyn
	if cur.presRel > tol {
		s := w.polishSide(polishPrimal, budget, tol, cinf, stop)
		if s == nil {
			return nil, nil, nil, nil, false
		}
		x, ax = s.xn, s.axn
	}
	if cur.dresRel > tol {
		s := w.polishSide(polishDual, budget, tol, cinf, stop)
		if s == nil {
			return nil, nil, nil, nil, false
		}
		y, aty = s.yn, s.atyn
	}
	return x, ax, y, aty, w.unscaled(x, ax, y, aty, cinf).within(tol)
}

// polishSide runs one side's feasibility problem from the current T(zᵏ):
// the primal from its x with y = 0, the dual from its y with x = 0. It
// returns the polisher, whose T output is the polished point, or nil if
// it did not reach tol within the budget.
func (w *pdhg) polishSide(side polishSide, budget int, tol, cinf float64, stop func() bool) *pdhg {
	if s, good := w.runPolisher(side, budget, tol, cinf, stop); good {
		return s
	}
	return nil
}

// runPolisher runs one side's feasibility problem as polishSide does and
// returns the polisher, whose T output is where it ended, and whether
// that side's residual reached tol.
func (w *pdhg) runPolisher(side polishSide, budget int, tol, cinf float64, stop func() bool) (*pdhg, bool) {
	pp := &w.primalPolisher
	if side == polishDual {
		pp = &w.dualPolisher
	}
	if *pp == nil {
		*pp = w.polisher(side)
	}
	s := *pp
	clear(s.x)
	clear(s.ax)
	clear(s.y)
	clear(s.aty)
	if side == polishPrimal {
		copy(s.x, w.xn)
		copy(s.ax, w.axn)
	} else {
		copy(s.y, w.yn)
		copy(s.aty, w.atyn)
	}
	s.omega = w.omega
	good := s.feasible(side, budget, tol, cinf, stop)
	w.polishIters += s.iter
	return s, good
}
