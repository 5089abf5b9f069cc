package plan

import (
	"context"
	"math"
	"testing"

	"github.com/commune-org/commune/internal/world"
	"github.com/commune-org/commune/lp"
)

// TestMergeSameOptimum: on a generated world, the essential tier's first
// max-min round, a second round with the first's saturated needs frozen,
// and the tier's total each have the same optimal value with the
// identical demand nodes merged as without, and the merged LP's answer,
// shared back, is an optimal primal and dual answer of the whole LP, with
// every merged node at its group's share.
func TestMergeSameOptimum(t *testing.T) {
	w, err := world.Generate(world.GenOptions{Members: 1000, Sites: 20, Products: 40, Skills: 16, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	md := testModel(t, w)
	md.hold = minHold
	md.openTiers(0)
	solve := func(stage string, m *lp.Model) *lp.Solution {
		t.Helper()
		sol, err := lp.Builtin{}.Solve(context.Background(), m, lp.Options{Method: lp.MethodBarrier, Tolerance: 1e-9})
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		return sol
	}
	both := func(stage string) *lp.Solution {
		t.Helper()
		mg := md.merge()
		if mg == nil {
			t.Fatalf("%s: no demand nodes merged", stage)
		}
		if mg.small.NumRows() >= md.m.NumRows() || mg.small.NumCols() >= md.m.NumCols() {
			t.Fatalf("%s: the merged LP is %d×%d, the whole %d×%d", stage,
				mg.small.NumRows(), mg.small.NumCols(), md.m.NumRows(), md.m.NumCols())
		}
		whole, merged := solve(stage+" whole", md.m), mg.answer(solve(stage+" merged", mg.small))
		if d := math.Abs(whole.Objective - merged.Objective); d > 1e-7*(1+math.Abs(whole.Objective)) {
			t.Errorf("%s: objective %.12g merged, %.12g whole", stage, merged.Objective, whole.Objective)
		}
		r := lp.Measure(md.m, merged.X, merged.RowDual)
		if r.Primal > 1e-7 || r.Dual > 1e-7 || r.Gap > 1e-7 {
			t.Errorf("%s: the merged answer on the whole LP: primal %.2g, dual %.2g, gap %.2g", stage, r.Primal, r.Dual, r.Gap)
		}
		groups, shares := 0, map[int]float64{}
		for d, dm := range md.g.demands {
			if mg.col[md.alloc[d]] < 0 || mg.mult[md.alloc[d]] == 1 {
				continue
			}
			c := int(mg.col[md.alloc[d]])
			share := merged.X[md.alloc[d]] / dm.qty
			if s, ok := shares[c]; !ok {
				shares[c] = share
				groups++
			} else if math.Abs(s-share) > 1e-9 {
				t.Errorf("%s: demand %d gets %.9g of its quantity, another node of its group %.9g", stage, d, share, s)
			}
		}
		t.Logf("%s: %d groups; LP %d×%d merged, %d×%d whole; objective %.9g", stage, groups,
			mg.small.NumRows(), mg.small.NumCols(), md.m.NumRows(), md.m.NumCols(), merged.Objective)
		return merged
	}

	md.setMaxFloor(0)
	first := both("essential/maxmin")
	tf := md.floor(first, 0)
	if tf <= 0 || tf >= 1 {
		t.Fatalf("essential floor %g: the world does not make a second round", tf)
	}
	active := map[int]bool{}
	for d, dm := range md.g.demands {
		if dm.tier == 0 && md.floorRow[d] >= 0 {
			active[d] = true
		}
	}
	md.m.ColLower[md.t[0]] = tf - md.hold
	stuck := md.saturated(first, active)
	if len(stuck) == 0 || len(stuck) == len(active) {
		t.Fatalf("%d of %d needs saturated: no second round", len(stuck), len(active))
	}
	for _, d := range stuck {
		md.freeze(d, tf)
	}
	both("essential/maxmin-2")
	md.setMaxTotal(0)
	both("essential/total")
}
