//go:build !amd64

package lp

// hasAVX: the kernels' assembly is for amd64 only.
var hasAVX = false

func tile8x4(a, b []float64, n int, c *[32]float64) { tile8x4Go(a, b, n, c) }

func axpy4(acc, v0, v1, v2, v3 []float64, l0, l1, l2, l3 float64) {
	axpy4Go(acc, v0, v1, v2, v3, l0, l1, l2, l3)
}
