// Package lp solves sparse linear programs.
//
// A Model holds a problem of the form
//
//	minimise    cᵀx + c₀
//	subject to  rowLower ≤ Ax ≤ rowUpper
//	            colLower ≤ x  ≤ colUpper
//
// where any bound may be infinite. Models are built in code or read from
// MPS files (fixed or free format, optionally gzipped) and written back to
// free-format MPS.
//
// The built-in solver is a restarted primal-dual hybrid gradient method:
// by default the reflected restarted Halpern PDHG of Lu and Yang
// ("Restarted Halpern PDHG for linear programming", 2024), or PDLP's
// restarted averaged PDHG with adaptive steps (Applegate et al.,
// "Practical large-scale linear programming using primal-dual hybrid
// gradient", NeurIPS 2021), with PDLP's diagonal preconditioning, a
// presolve, feasibility polishing, and infeasibility detection from the
// iterates. It needs only sparse matrix-vector products, so its memory
// grows with the number of nonzeros and nothing else. A primal-dual
// interior-point method with a sparse Cholesky factorisation
// (MethodBarrier) is the third method: few iterations, each a
// factorisation, and the faster where the factor stays sparse. docs/lp.md in the
// repository explains the method and what "solved" means. External solvers
// (CLP, GLPK, HiGHS) can be run on the same model when they are installed.
//
// This package is meant to be useful outside commune: it imports nothing
// from the rest of the project and must never do so.
package lp
