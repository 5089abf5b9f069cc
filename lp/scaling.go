package lp

import "math"

// problem is the form the built-in solver works on: the model after
// presolve, with its matrix compressed.
type problem struct {
	a                 *CSC // rows × cols
	c, lc, uc, lr, ur []float64
	objConst          float64

	// rowDen, when set, holds per row 1 + |the model's bound| for the
	// lower and upper bound, so that relative residuals are measured as
	// Measure measures them on the model, even after presolve moved the
	// bounds. When nil, the problem's own bounds are used.
	loDen, hiDen []float64
}

func (p *problem) rows() int { return p.a.Rows }
func (p *problem) cols() int { return p.a.Cols }

// scaling records the diagonal scaling of a problem:
//
//	Aₛ = R·A·C,  xₛ = C⁻¹x/β,  cₛ = C·c/γ,  row bounds R·b/β,  yₛ = R⁻¹y/γ.
//
// so that x = β·C·xₛ, y = γ·R·yₛ, c - Aᵀy = γ·C⁻¹(cₛ - Aₛᵀyₛ), and
// cᵀx = βγ·cₛᵀxₛ.
type scaling struct {
	row, col    []float64
	beta, gamma float64
}

// scale returns a scaled copy of p. The row and column factors come from
// ten passes of Ruiz equilibration (Ruiz, "A scaling algorithm to
// equilibrate both rows and columns norms in matrices", 2001) followed by
// one pass of Pock-Chambolle scaling with α = 1 (Pock and Chambolle,
// "Diagonal preconditioning for first order primal-dual algorithms", ICCV
// 2011), as PDLP does (Applegate et al. 2021, §3.4). Then bounds and costs
// are divided by their norms plus one, so that both sides of the problem
// have comparable size (PDLP's bound-objective rescaling).
func scale(p *problem) (*problem, *scaling) {
	m, n := p.rows(), p.cols()
	a := &CSC{Rows: m, Cols: n, Start: p.a.Start, Ind: p.a.Ind, Val: append([]float64(nil), p.a.Val...)}
	s := &scaling{row: ones(m), col: ones(n)}
	rmax := make([]float64, m)
	cmax := make([]float64, n)
	for pass := 0; pass < 10; pass++ {
		clear(rmax)
		for j := 0; j < n; j++ {
			cm := 0.0
			for k := a.Start[j]; k < a.Start[j+1]; k++ {
				v := math.Abs(a.Val[k])
				cm = math.Max(cm, v)
				i := a.Ind[k]
				rmax[i] = math.Max(rmax[i], v)
			}
			cmax[j] = cm
		}
		for i := range rmax {
			if rmax[i] > 0 {
				rmax[i] = 1 / math.Sqrt(rmax[i])
			} else {
				rmax[i] = 1
			}
			s.row[i] *= rmax[i]
		}
		for j := range cmax {
			if cmax[j] > 0 {
				cmax[j] = 1 / math.Sqrt(cmax[j])
			} else {
				cmax[j] = 1
			}
			s.col[j] *= cmax[j]
		}
		a.rescale(rmax, cmax)
	}
	// Pock-Chambolle, α = 1: divide by the square roots of the l1 norms.
	clear(rmax)
	for j := 0; j < n; j++ {
		cs := 0.0
		for k := a.Start[j]; k < a.Start[j+1]; k++ {
			v := math.Abs(a.Val[k])
			cs += v
			rmax[a.Ind[k]] += v
		}
		cmax[j] = cs
	}
	for i := range rmax {
		rmax[i] = invSqrtOr1(rmax[i])
		s.row[i] *= rmax[i]
	}
	for j := range cmax {
		cmax[j] = invSqrtOr1(cmax[j])
		s.col[j] *= cmax[j]
	}
	a.rescale(rmax, cmax)

	q := &problem{a: a, objConst: p.objConst}
	bnorm, cnorm := 0.0, 0.0
	for i := 0; i < m; i++ {
		b := 0.0
		if !math.IsInf(p.lr[i], 0) {
			b = math.Abs(p.lr[i])
		}
		if !math.IsInf(p.ur[i], 0) {
			b = math.Max(b, math.Abs(p.ur[i]))
		}
		b *= s.row[i]
		bnorm += b * b
	}
	for j := 0; j < n; j++ {
		v := p.c[j] * s.col[j]
		cnorm += v * v
	}
	s.beta = math.Sqrt(bnorm) + 1
	s.gamma = math.Sqrt(cnorm) + 1
	q.c = make([]float64, n)
	q.lc = make([]float64, n)
	q.uc = make([]float64, n)
	for j := 0; j < n; j++ {
		q.c[j] = p.c[j] * s.col[j] / s.gamma
		f := 1 / (s.beta * s.col[j])
		q.lc[j] = p.lc[j] * f
		q.uc[j] = p.uc[j] * f
	}
	q.lr = make([]float64, m)
	q.ur = make([]float64, m)
	for i := 0; i < m; i++ {
		f := s.row[i] / s.beta
		q.lr[i] = p.lr[i] * f
		q.ur[i] = p.ur[i] * f
	}
	return q, s
}

func invSqrtOr1(v float64) float64 {
	if v > 0 {
		return 1 / math.Sqrt(v)
	}
	return 1
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// rescale multiplies row i by r[i] and column j by c[j].
func (m *CSC) rescale(r, c []float64) {
	for j := 0; j < m.Cols; j++ {
		for k := m.Start[j]; k < m.Start[j+1]; k++ {
			m.Val[k] *= r[m.Ind[k]] * c[j]
		}
	}
}

// unscalePrimal sets x = β·C·xₛ and ax = β·R⁻¹·(Aₛxₛ).
func (s *scaling) unscalePrimal(x, ax, xs, axs []float64) {
	for j, v := range xs {
		x[j] = s.beta * s.col[j] * v
	}
	for i, v := range axs {
		ax[i] = s.beta * v / s.row[i]
	}
}

// unscaleDual sets y = γ·R·yₛ and aty = γ·C⁻¹·(Aₛᵀyₛ).
func (s *scaling) unscaleDual(y, aty, ys, atys []float64) {
	for i, v := range ys {
		y[i] = s.gamma * s.row[i] * v
	}
	for j, v := range atys {
		aty[j] = s.gamma * v / s.col[j]
	}
}
