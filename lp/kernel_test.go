package lp

import (
	"math/rand/v2"
	"testing"
)

// TestTile8x4 holds the kernel in use (the assembly where the machine
// runs it) to the Go one, over lengths around the loop's.
func TestTile8x4(t *testing.T) {
	if !hasAVX {
		t.Skip("this machine runs the Go kernel only")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 7, 64, 257} {
		a, b := make([]float64, 8*n), make([]float64, 4*n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		var got, want [32]float64
		for i := range got {
			got[i] = float64(i)
			want[i] = float64(i)
		}
		tile8x4(a, b, n, &got)
		tile8x4Go(a, b, n, &want)
		for i := range got {
			// FMA rounds once where Go rounds twice: the sums may
			// differ in their last bits.
			if d := got[i] - want[i]; d > 1e-12*float64(n+1) || d < -1e-12*float64(n+1) {
				t.Fatalf("n = %d: c[%d] = %v, want %v", n, i, got[i], want[i])
			}
		}
	}
}

// TestAxpy4 holds the column kernel in use to the Go one, over lengths
// around its steps of eight, four and one.
func TestAxpy4(t *testing.T) {
	if !hasAVX {
		t.Skip("this machine runs the Go kernel only")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := range 40 {
		v := make([][]float64, 4)
		for c := range v {
			v[c] = make([]float64, n+c) // longer than acc is allowed
			for i := range v[c] {
				v[c][i] = rng.NormFloat64()
			}
		}
		l0, l1, l2, l3 := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		got, want := make([]float64, n), make([]float64, n)
		for i := range got {
			got[i] = float64(i)
			want[i] = float64(i)
		}
		axpy4(got, v[0], v[1], v[2], v[3], l0, l1, l2, l3)
		axpy4Go(want, v[0], v[1], v[2], v[3], l0, l1, l2, l3)
		for i := range got {
			if d := got[i] - want[i]; d > 1e-12 || d < -1e-12 {
				t.Fatalf("n = %d: acc[%d] = %v, want %v", n, i, got[i], want[i])
			}
		}
	}
}

func BenchmarkTile8x4(b *testing.B) {
	const n = 256
	a, bb := make([]float64, 8*n), make([]float64, 4*n)
	for i := range a {
		a[i] = float64(i%7) - 3
	}
	for i := range bb {
		bb[i] = float64(i%5) - 2
	}
	var c [32]float64
	for _, way := range []struct {
		name string
		fn   func(a, b []float64, n int, c *[32]float64)
	}{{"in-use", tile8x4}, {"go", tile8x4Go}} {
		b.Run(way.name, func(b *testing.B) {
			for b.Loop() {
				way.fn(a, bb, n, &c)
			}
			b.ReportMetric(float64(32*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gmuladd/s")
		})
	}
}
