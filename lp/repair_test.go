package lp

import (
	"context"
	"errors"
	"math"
	"testing"
)

// problemOf is m as the solver's problem, without presolve.
func problemOf(m *Model) *problem {
	return &problem{a: m.Matrix(), c: m.Cost, lc: m.ColLower, uc: m.ColUpper, lr: m.RowLower, ur: m.RowUpper, objConst: m.ObjConst}
}

// changed counts the columns whose values differ.
func changed(a, b []float64) int {
	n := 0
	for j := range a {
		if a[j] != b[j] {
			n++
		}
	}
	return n
}

// brokenTransport returns a transport problem, its optimum, and the
// optimal point with its largest flow halved, which breaks that sink's
// row.
func brokenTransport(t *testing.T) (*Model, *Solution, []float64) {
	t.Helper()
	m := transportModel(300, 200, 8, 7)
	opt, err := Solve(context.Background(), m, Options{Method: MethodBarrier, Tolerance: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	x := append([]float64(nil), opt.X...)
	big := 0
	for j := range x {
		if x[j] > x[big] {
			big = j
		}
	}
	x[big] /= 2
	return m, opt, x
}

// TestRepairTransport breaks one sink's row of an optimal transport plan
// by halving a flow into it: the repair gives back a point that keeps
// every row, as cheap as the optimum, and changes only columns near that
// sink.
func TestRepairTransport(t *testing.T) {
	m, opt, x := brokenTransport(t)
	if r := Measure(m, x, nil); r.Primal < 1e-3 {
		t.Fatalf("the broken point keeps the rows (primal residual %.1e)", r.Primal)
	}
	rep := newRepairer(problemOf(m), 1)
	got, ax, _, st, err := rep.repair(context.Background(), x, 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	r := Measure(m, got, nil)
	if r.Primal > 1e-8 {
		t.Errorf("repaired point breaks a row or bound by %.1e (relative)", r.Primal)
	}
	if d := math.Abs(r.PrimalObj-opt.Objective) / (1 + math.Abs(opt.Objective)); d > 1e-7 {
		t.Errorf("repaired objective %.10g, optimum %.10g", r.PrimalObj, opt.Objective)
	}
	if st.broken != 1 || st.solves != 1 {
		t.Errorf("%d rows broken, %d small LPs: want 1 and 1", st.broken, st.solves)
	}
	if n := changed(got, x); n == 0 || n > st.cols || st.cols >= m.NumCols()/2 {
		t.Errorf("%d columns changed, %d freed, of %d", n, st.cols, m.NumCols())
	}
	want := make([]float64, m.NumRows())
	m.Matrix().MulVec(want, got)
	for i := range want {
		if math.Abs(want[i]-ax[i]) > 1e-9*(1+math.Abs(want[i])) {
			t.Fatalf("row %d: activity %g returned, %g", i, ax[i], want[i])
		}
	}
}

// maxMinModel is a max-min round in small: need d gets x_d ≥ t·q_d from
// two of s suppliers of limited capacity; t, in every need's row, is a
// dense column.
func maxMinModel(n, s int) (*Model, int) {
	m := &Model{}
	tc := m.AddCol("t", 0, 1, -1)
	supply := make([][]int, s)
	for d := 0; d < n; d++ {
		q := float64(1 + d%5)
		a := m.AddCol("", 0, Inf, 0)
		b := m.AddCol("", 0, Inf, 0)
		supply[d%s] = append(supply[d%s], a)
		supply[(d*7+3)%s] = append(supply[(d*7+3)%s], b)
		m.AddRow("", 0, Inf, []int{a, b, tc}, []float64{1, 1, -q})
	}
	for k := range supply {
		m.AddRow("", -Inf, float64(20+k%7), supply[k], ones(len(supply[k])))
	}
	return m, tc
}

// TestRepairDenseColumn breaks a supplier's capacity, as PDHG's stalled
// max-min rounds do: the repair frees t without walking through it, and
// the answer keeps every row with t at its optimum (the flow that broke
// the capacity can go back).
func TestRepairDenseColumn(t *testing.T) {
	m, tc := maxMinModel(600, 40)
	if n := m.Matrix().Start[tc+1] - m.Matrix().Start[tc]; n <= denseLimit {
		t.Fatalf("t has %d entries, not more than %d", n, denseLimit)
	}
	opt, err := Solve(context.Background(), m, Options{Method: MethodBarrier, Tolerance: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	x := append([]float64(nil), opt.X...)
	x[1] += 5 // need 0's first flow: its supplier is over capacity
	rep := newRepairer(problemOf(m), 1)
	// The default two steps reach the capacity row's flows, their needs'
	// rows, and there t and the needs' other flows.
	got, ax, dual, st, err := rep.repair(context.Background(), x, 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	if r := Measure(m, got, nil); r.Primal > 1e-8 {
		t.Errorf("repaired point breaks a row or bound by %.1e (relative)", r.Primal)
	}
	if math.Abs(got[tc]+opt.Objective) > 1e-7 {
		t.Errorf("repaired t = %.10g, optimum %.10g", got[tc], -opt.Objective)
	}
	// The small LP's duals price the floor as the solver's duals do: the
	// needs' rows (≥ rows, the first 600) carry prices of at least 0 that
	// sum, weighted by the quantities, to t's cost, and only rows at
	// their bound (needs held at the floor) are priced.
	y := make([]float64, m.NumRows())
	dual.over(y)
	sum, priced := 0.0, 0
	for d := 0; d < 600; d++ {
		if y[d] < -1e-9 {
			t.Fatalf("need %d: price %g, below 0", d, y[d])
		}
		sum += float64(1+d%5) * y[d]
		if y[d] > 1e-7 {
			priced++
			if ax[d] > 1e-6 {
				t.Errorf("need %d is priced (%g) but above the floor by %g", d, y[d], ax[d])
			}
		}
	}
	if math.Abs(sum-1) > 1e-6 || priced == 0 {
		t.Errorf("the needs' prices sum to %g over %d needs, want 1", sum, priced)
	}
	// The fairness rows of all 600 needs are in the small LP (through t),
	// but only the columns near the broken rows are free.
	if st.rows < 600 || st.cols > m.NumCols()/4 {
		t.Errorf("small LP of %d rows and %d columns (of %d)", st.rows, st.cols, m.NumCols())
	}
}

// chainModel is x_k + x_{k+1} = 1 for k = 0..n-1 with 0 ≤ x ≤ 1, x_0 fixed
// at 0.3 and the last column at last.
func chainModel(n int, last float64) *Model {
	m := &Model{}
	for k := 0; k <= n; k++ {
		lo, hi := 0.0, 1.0
		switch k {
		case 0:
			lo, hi = 0.3, 0.3
		case n:
			lo, hi = last, last
		}
		m.AddCol("", lo, hi, 0)
	}
	for k := 0; k < n; k++ {
		m.AddRow("", 1, 1, []int{k, k + 1}, []float64{1, 1})
	}
	return m
}

// TestRepairGrows repairs a chain whose first row can only be mended by
// changing every column down the chain: the neighbourhood grows until it
// holds them. When the chain's end cannot give, the repair says so.
func TestRepairGrows(t *testing.T) {
	const n = 41
	m := chainModel(n, 0.7) // the values alternate 0.3, 0.7, ...: n odd ends at 0.7
	x := make([]float64, n+1)
	for k := range x {
		x[k] = 0.5
	}
	x[0], x[n] = 0.3, 0.7
	rep := newRepairer(problemOf(m), 1)
	rep.levels = 1
	got, _, _, st, err := rep.repair(context.Background(), x, 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	if r := Measure(m, got, nil); r.Primal > 1e-8 {
		t.Errorf("repaired point breaks a row or bound by %.1e (relative)", r.Primal)
	}
	if st.solves < 2 || st.cols != n+1 {
		t.Errorf("%d small LPs, %d columns freed: want it to grow to all %d", st.solves, st.cols, n+1)
	}

	rep = newRepairer(problemOf(chainModel(n, 0.3)), 1)
	if _, _, _, _, err := rep.repair(context.Background(), x, 1e-9); !errors.Is(err, errRepair) {
		t.Errorf("repair of a chain that cannot be mended: %v, want errRepair", err)
	}
}

// TestRepairInPDHG solves a transport problem by Halpern PDHG with and
// without Options.Repair: with it, points are repaired on the way, and
// the answer is as good, in about as many iterations (polishing before a
// repair counts; on this problem the repairs only keep fallbacks).
func TestRepairInPDHG(t *testing.T) {
	m := transportModel(3000, 2000, 8, 7)
	ref, err := Solve(context.Background(), m, Options{Method: MethodBarrier, Tolerance: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Solve(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sol, err := Solve(context.Background(), m, Options{Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	if sol.Repairs == 0 || plain.Repairs != 0 {
		t.Errorf("repairs: %d with Repair, %d without", sol.Repairs, plain.Repairs)
	}
	if sol.Iterations > plain.Iterations*5/4 {
		t.Errorf("%d iterations with the repair, %d without", sol.Iterations, plain.Iterations)
	}
	if d := math.Abs(sol.Objective-ref.Objective) / (1 + math.Abs(ref.Objective)); d > 1e-6 || sol.PrimalResidual > 1e-6 {
		t.Errorf("objective %.10g (optimum %.10g), primal residual %.1e", sol.Objective, ref.Objective, sol.PrimalResidual)
	}
}

// TestRepairStalls drives PDHG's repair step by hand from one broken
// point of a transport problem: the first repair is kept and the solve
// goes on; the same point again gives nothing better while the
// iterate's primal residual has not fallen, so the solve ends Stalled
// with the kept point; had the residual halved, it would go on.
func TestRepairStalls(t *testing.T) {
	m, opt, x := brokenTransport(t)
	q := problemOf(m)
	w := newPDHG(q, Options{Threads: 1, Repair: true})
	defer w.close()
	for j, v := range x {
		w.xn[j] = v / (w.sc.beta * w.sc.col[j])
	}
	w.mulA.apply(w.axn, w.xn)
	// Nearly the optimal prices: the gap of the repaired point is then
	// small, as a stall needs, but not within the tolerance.
	for i, v := range opt.RowDual {
		w.yn[i] = 0.999 * v / (w.sc.gamma * w.sc.row[i])
	}
	w.mulAT.apply(w.atyn, w.yn)
	cinf := cinf(q)
	stop := func() bool { return false }
	ctx := context.Background()
	cur := w.unscaled(w.xn, w.axn, w.yn, w.atyn, cinf)
	if _, done := w.repair(ctx, cur, 1e-6, cinf, stop); done || w.kept == nil || w.repairs != 1 {
		t.Fatalf("first repair: done %v, kept %v, %d repairs; want it kept and the solve going on", done, w.kept != nil, w.repairs)
	}
	if math.Abs(w.keptObj-opt.Objective) > 1e-6*(1+math.Abs(opt.Objective)) {
		t.Errorf("kept objective %.10g, optimum %.10g", w.keptObj, opt.Objective)
	}
	halved := cur
	halved.presRel = w.keptPres / 4
	if _, done := w.repair(ctx, halved, 1e-6, cinf, stop); done {
		t.Errorf("stalled although the primal residual fell to a quarter")
	}
	r, done := w.repair(ctx, cur, 1e-6, cinf, stop)
	if !done || r.status != Stalled || r.repairs != 3 {
		t.Fatalf("repeated repair: done %v, status %v, %d repairs; want Stalled after 3", done, r.status, r.repairs)
	}
	if res := Measure(m, r.x, nil); res.Primal > 1e-6 {
		t.Errorf("the stalled answer breaks a row by %.1e", res.Primal)
	}
	// With the gap halving at every check (it wanders), repairTries
	// repairs since the kept point that find nothing better stall all
	// the same; a better point kept starts the count again.
	w.notBetter = 0 // the two repairs above counted
	halved.presRel, halved.pobj = w.keptPres, cur.pobj
	gapped := halved
	gapped.dobj = cur.pobj - (cur.pobj-cur.dobj)/4
	if _, done := w.repair(ctx, gapped, 1e-6, cinf, stop); done || w.notBetter == 0 {
		t.Fatalf("a repair no better: done %v, %d since the kept point", done, w.notBetter)
	}
	w.keptObj += 1 // the next repair is better than this
	if _, done := w.repair(ctx, gapped, 1e-6, cinf, stop); done || w.notBetter != 0 {
		t.Fatalf("a better repair: done %v, %d since the kept point, want it kept and 0", done, w.notBetter)
	}
	quarter := gapped // a quarter of the gap of the point kept now
	quarter.dobj = gapped.pobj - (gapped.pobj-gapped.dobj)/4
	for k := 1; k <= repairTries; k++ {
		r, done := w.repair(ctx, quarter, 1e-6, cinf, stop)
		if done != (k == repairTries) || done && r.status != Stalled {
			t.Fatalf("repair %d with the gap at a quarter: done %v, status %v; want Stalled at %d", k, done, r.status, repairTries)
		}
	}
}

// TestAtLimit: a solve that ends at a limit answers with the kept point
// unless its own iterate keeps every row and is at least as good; the
// kept point comes with the iterate's latest prices, and the repair's
// over the rows its small LP solved.
func TestAtLimit(t *testing.T) {
	m := transportModel(30, 20, 4, 7)
	w := newPDHG(problemOf(m), Options{Threads: 1, Repair: true})
	defer w.close()
	for j := range w.xn {
		w.xn[j] = 1
	}
	for i := range w.yn {
		w.yn[i] = 2
	}
	kept := make([]float64, len(w.xn))
	w.kept, w.keptObj = &pdResult{x: kept}, 10
	// The repair that made the kept point priced row 1.
	w.keptDual = subDual{rows: []int32{1}, y: []float64{-3}}
	for _, c := range []struct {
		name     string
		cur      kktParts
		wantKept bool
	}{
		{"iterate feasible and better", kktParts{presRel: 0, pobj: 5}, false},
		{"iterate feasible and worse", kktParts{presRel: 0, pobj: 20}, true},
		{"iterate better but infeasible", kktParts{presRel: 1, pobj: 5}, true},
	} {
		r := w.atLimit(TimeLimit, c.cur, 1e-6)
		if got := r.x[0] == 0; got != c.wantKept || r.status != TimeLimit {
			t.Errorf("%s: kept point returned %v (status %v), want %v", c.name, got, r.status, c.wantKept)
		}
		if r.y[0] != w.sc.gamma*w.sc.row[0]*2 {
			t.Errorf("%s: price %g, not the iterate's", c.name, r.y[0])
		}
		want := w.sc.gamma * w.sc.row[1] * 2
		if c.wantKept {
			want = -3
		}
		if r.y[1] != want {
			t.Errorf("%s: price of row 1 %g, want %g (the repair's over the kept point)", c.name, r.y[1], want)
		}
	}
}
