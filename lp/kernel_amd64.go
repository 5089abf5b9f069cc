package lp

// hasAVX says whether this machine runs the kernels' assembly
// (kernel_amd64.s): AVX2 and FMA, and an operating system that saves the
// vector registers (Intel's Software Developer's Manual, vol. 1, §14.3).
// The tests change it.
var hasAVX = func() bool {
	if top, _, _, _ := cpuid(0, 0); top < 7 {
		return false
	}
	_, _, c, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if c&(fma|osxsave|avx) != fma|osxsave|avx || xgetbv0()&6 != 6 {
		return false
	}
	_, b, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return b&avx2 != 0
}()

// cpuid returns the registers the CPUID instruction leaves for a leaf
// and subleaf.
func cpuid(leaf, sub uint32) (a, b, c, d uint32)

// xgetbv0 returns the low half of extended control register 0: which
// registers the operating system saves.
func xgetbv0() uint32

// tile8x4AVX is tile8x4 in assembly; a and b hold at least 8·n and 4·n
// numbers.
//
//go:noescape
func tile8x4AVX(a, b *float64, n int, c *[32]float64)

// axpy4AVX is axpy4 in assembly; v0 to v3 hold at least n numbers.
//
//go:noescape
func axpy4AVX(acc, v0, v1, v2, v3 *float64, l0, l1, l2, l3 float64, n int)

func tile8x4(a, b []float64, n int, c *[32]float64) {
	if !hasAVX {
		tile8x4Go(a, b, n, c)
		return
	}
	if n <= 0 {
		return
	}
	_, _ = a[8*n-1], b[4*n-1]
	tile8x4AVX(&a[0], &b[0], n, c)
}

func axpy4(acc, v0, v1, v2, v3 []float64, l0, l1, l2, l3 float64) {
	n := len(acc)
	if !hasAVX || n < 4 {
		axpy4Go(acc, v0, v1, v2, v3, l0, l1, l2, l3)
		return
	}
	_, _, _, _ = v0[n-1], v1[n-1], v2[n-1], v3[n-1]
	axpy4AVX(&acc[0], &v0[0], &v1[0], &v2[0], &v3[0], l0, l1, l2, l3, n)
}
