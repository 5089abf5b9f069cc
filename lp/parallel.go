package lp

import "sync"

// parallelMinNonzeros is the size below which a product runs on one
// goroutine: under it the hand-off costs more than the second core saves.
const parallelMinNonzeros = 40000

// product computes out = Mᵀ·in for a CSC matrix M, that is one dot product
// per column of M, split into column ranges of about equal nonzeros. With
// M = Aᵀ stored as CSC this is A·x; with M = A it is Aᵀ·y.
//
// The workers are started once and fed through a channel of plain values,
// so a product allocates nothing.
type product struct {
	m      *CSC
	start  []int32 // m.Start, in half the bytes
	splits []int   // column boundaries, len = parts+1
	work   chan job
	wg     sync.WaitGroup
	failed caught // a worker's panic, for apply to raise again
}

type job struct {
	out, in []float64
	lo, hi  int
	part    int
	after   func(part, lo, hi int)
}

func newProduct(m *CSC, threads int) *product {
	p := &product{m: m, start: make([]int32, len(m.Start))}
	for j, k := range m.Start {
		p.start[j] = int32(k) // nonzeros fit: CSC.Ind is int32
	}
	parts := 1
	if threads > 1 && len(m.Val) >= parallelMinNonzeros {
		parts = threads
	}
	p.splits = make([]int, parts+1)
	nnz := len(m.Val)
	j := 0
	for k := 1; k < parts; k++ {
		target := nnz * k / parts
		for j < m.Cols && m.Start[j] < target {
			j++
		}
		p.splits[k] = j
	}
	p.splits[parts] = m.Cols
	if parts > 1 {
		p.work = make(chan job, parts)
		for w := 1; w < parts; w++ {
			go p.worker()
		}
	}
	return p
}

func (p *product) worker() {
	for jb := range p.work {
		p.do(jb)
	}
}

func (p *product) do(jb job) {
	defer p.wg.Done()
	defer p.failed.catch()
	p.dots(jb.out, jb.in, jb.lo, jb.hi)
	if jb.after != nil {
		jb.after(jb.part, jb.lo, jb.hi)
	}
}

// close stops the workers.
func (p *product) close() {
	if p.work != nil {
		close(p.work)
		p.work = nil
	}
}

// apply sets out = Mᵀ·in.
func (p *product) apply(out, in []float64) {
	p.applyThen(out, in, nil)
}

// applyThen sets out = Mᵀ·in, and on each part's goroutine, once the
// part's entries of out are done, calls after(part, lo, hi) with the
// part's number and its columns lo ≤ j < hi (when after is not nil):
// work on the entries just computed then runs on both cores, while they
// are still in the core's cache. The parts cover the columns in order,
// the same for every call.
func (p *product) applyThen(out, in []float64, after func(part, lo, hi int)) {
	parts := len(p.splits) - 1
	if parts == 1 {
		p.dots(out, in, 0, p.m.Cols)
		if after != nil {
			after(0, 0, p.m.Cols)
		}
		return
	}
	p.wg.Add(parts - 1)
	for k := 1; k < parts; k++ {
		p.work <- job{out, in, p.splits[k], p.splits[k+1], k, after}
	}
	defer p.failed.rethrow()
	defer p.wg.Wait() // a panic here too waits for the workers, which use out and in
	p.dots(out, in, p.splits[0], p.splits[1])
	if after != nil {
		after(0, p.splits[0], p.splits[1])
	}
}

// dots sets out[j] = Σ M[i,j]·in[i] for columns lo ≤ j < hi, each sum
// in the order of dotRange, so the results are the same to the bit. The
// planner's LPs are mostly columns of two nonzeros (a flow leaves one
// node and enters another): those take a path without the inner loop,
// whose exit costs as much as the two products; each column's end is
// its successor's start.
func (p *product) dots(out, in []float64, lo, hi int) {
	start, ind, val := p.start[lo:hi+1], p.m.Ind, p.m.Val
	out = out[lo:hi]
	b := start[0]
	for j := range out {
		e := start[j+1]
		if e-b == 2 {
			s := 0.0
			s += val[b] * in[ind[b]]
			s += val[b+1] * in[ind[b+1]]
			out[j] = s
			b = e
			continue
		}
		ix := ind[b:e]
		vx := val[b:e:e]
		s := 0.0
		for k, i := range ix {
			s += vx[k] * in[i]
		}
		out[j] = s
		b = e
	}
}

// dotRange sets out[j] = Σ M[i,j]·in[i] for columns lo ≤ j < hi.
func (m *CSC) dotRange(out, in []float64, lo, hi int) {
	start, ind, val := m.Start, m.Ind, m.Val
	for j := lo; j < hi; j++ {
		s := 0.0
		b, e := start[j], start[j+1]
		ix := ind[b:e]
		vx := val[b:e:e]
		for k, i := range ix {
			s += vx[k] * in[i]
		}
		out[j] = s
	}
}
