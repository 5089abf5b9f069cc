package lp

// The dense kernel of the factor's wide updates (tile.go): a tile of
// eight rows by four columns of a product of two packed panels,
//
//	c[8·j + i] += Σₖ a[8·k + i] · b[4·k + j],  0 ≤ i < 8, 0 ≤ j < 4, k < n,
//
// the register tile of Goto and van de Geijn's matrix product ("Anatomy
// of high-performance matrix multiplication", ACM TOMS 34, 2008). On
// amd64 machines with AVX2 and FMA it runs as assembly
// (kernel_amd64.s), eight vector multiply-adds of four numbers for six
// loads; elsewhere as tile8x4Go.

// tile8x4Go is tile8x4 in Go, for machines without the assembly and as
// the reference the tests hold the assembly to.
func tile8x4Go(a, b []float64, n int, c *[32]float64) {
	a, b = a[:8*n], b[:4*n]
	for k := range n {
		ak, bk := a[8*k:8*k+8], b[4*k:4*k+4]
		for j, bj := range bk {
			cj := c[8*j : 8*j+8]
			for i, ai := range ak {
				cj[i] += ai * bj
			}
		}
	}
}

// axpy4Go is axpy4 in Go: it adds to acc four columns times their
// factors,
//
//	acc[i] += l0·v0[i] + l1·v1[i] + l2·v2[i] + l3·v3[i],
//
// the inner loop of the factor's column updates and of the solves
// (cholesky.go, block.go, trisolve.go); v0 to v3 are at least as long as
// acc. axpy4 runs it in assembly where tile8x4 is.
func axpy4Go(acc, v0, v1, v2, v3 []float64, l0, l1, l2, l3 float64) {
	v0, v1, v2, v3 = v0[:len(acc)], v1[:len(acc)], v2[:len(acc)], v3[:len(acc)]
	for q, x := range v0 {
		acc[q] += x*l0 + v1[q]*l1 + v2[q]*l2 + v3[q]*l3
	}
}
