//go:build unix

package lp

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user and system time: on a machine shared
// with other jobs, wall time per iteration measures the load as much as
// the code, CPU time much less so.
func cpuTime() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// benchModel reads the MPS file named by COMMUNE_LP_BENCH, or skips: the
// planner's stages (commune plan --export-mps PREFIX) are the LPs whose
// iteration cost matters, and they are too large to keep in testdata.
func benchModel(b testing.TB) *Model {
	path := os.Getenv("COMMUNE_LP_BENCH")
	if path == "" {
		b.Skip("set COMMUNE_LP_BENCH to an MPS file")
	}
	m, err := ReadMPSFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkStageHalpern measures a Halpern iteration on the model of
// COMMUNE_LP_BENCH, restart checks included: each op is one period of
// restartPeriod iterations, as runHalpern takes them, reported per
// iteration, after presolve, on one thread and on two.
func BenchmarkStageHalpern(b *testing.B) {
	pre := newPresolver(benchModel(b))
	pre.run()
	q, _, _ := pre.reduced()
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			w := newPDHG(q, Options{Threads: threads})
			defer w.close()
			cinf := 0.0
			w.eta = 0.998 / w.normA()
			w.resAnchor = -1
			b.ResetTimer()
			cpu := cpuTime()
			for b.Loop() {
				w.halpernPeriod()
				w.unscaled(w.xn, w.axn, w.yn, w.atyn, cinf)
				w.certificate(w.xa, w.axa, w.ya, w.atya)
				w.halpernRestart()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*restartPeriod), "ns/iter")
			b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N*restartPeriod), "cpu-ns/iter")
			b.ReportMetric(float64(len(q.a.Val)), "nonzeros")
		})
	}
}

// BenchmarkStageAdaptive is BenchmarkStageHalpern for the adaptive variant.
func BenchmarkStageAdaptive(b *testing.B) {
	q, _, _ := newPresolver(benchModel(b)).reduced()
	w := newPDHG(q, Options{Threads: 1})
	defer w.close()
	b.ResetTimer()
	cpu := cpuTime()
	it := 0
	for b.Loop() {
		start := w.iter
		for k := 0; k < restartPeriod; k++ {
			w.step()
		}
		w.average()
		w.unscaled(w.x, w.ax, w.y, w.aty, 0)
		w.unscaled(w.xa, w.axa, w.ya, w.atya, 0)
		w.certificate(w.xn, w.axn, w.yn, w.atyn)
		w.maybeRestart()
		it += w.iter - start
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(it), "ns/iter")
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(it), "cpu-ns/iter")
}

// BenchmarkStageSolve solves the model of COMMUNE_LP_BENCH with Halpern
// at tolerance 1e-5, one thread, and reports the iterations.
func BenchmarkStageSolve(b *testing.B) {
	m := benchModel(b)
	for b.Loop() {
		sol, err := Solve(context.Background(), m, Options{Tolerance: 1e-5, Threads: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sol.Iterations), "iterations")
		b.ReportMetric(float64(sol.Time.Nanoseconds())/float64(sol.Iterations), "ns/iter")
	}
}

// BenchmarkBarrierFactor measures the barrier's factorisation of the
// normal matrix of the model of COMMUNE_LP_BENCH, at the starting point
// (however large: the barrier's limit is lifted),
// and reports the size of L and the multiplications: an op is one
// factorisation, the cost of an iteration apart from a few products;
// column by column (the split into subtrees kept) and with the wide
// supernodes left for one core computed as blocks on two (block.go).
func BenchmarkBarrierFactor(b *testing.B) {
	pre := newPresolver(benchModel(b))
	pre.run()
	q, _, _ := pre.reduced()
	// Any factor, also those the barrier declines (ipmMaxFlops).
	keep := ipmMaxFlopsNoLimit
	ipmMaxFlopsNoLimit = 0
	w := newIPM(q, Options{})
	ipmMaxFlopsNoLimit = keep
	w.start()
	f := w.f
	m := append([]float64(nil), f.val...)
	blocks := f.blocks
	for _, way := range []string{"columns", "blocks"} {
		b.Run(way, func(b *testing.B) {
			f.blocks = nil
			if way == "blocks" {
				if blocks == nil {
					b.Skip("the factor is too small for blocks")
				}
				f.blocks = blocks
			}
			for b.Loop() {
				copy(f.val, m)
				f.factor()
			}
			b.ReportMetric(float64(len(f.val)), "L-nonzeros")
			b.ReportMetric(f.flops(), "multiplications")
		})
	}
}
