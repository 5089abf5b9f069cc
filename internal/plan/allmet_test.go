package plan

import (
	"context"
	"testing"

	"github.com/commune-org/commune/lp"
)

// TestAllMet tries the feasibility round (t fixed at 1) on the essential
// tier of the kitchen world: with rice for every meal it proves the tier
// met (objective -1); with rice for half it fails, puts the floor's
// bounds back as they were and says so, and the max-min round then
// solved as usual finds the half. This is the fallback Make takes when
// likelyAllMet guessed wrong.
func TestAllMet(t *testing.T) {
	for _, tc := range []struct {
		name string
		rice float64 // kg in stock; a run makes 100 meals of 8 kg
		met  bool
	}{
		{"enough rice", 500, true},
		{"half the rice", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := kitchenWorld()
			meals := 0.0
			for _, n := range w.Needs {
				if n.Product == "meal" {
					meals += n.Qty
				}
			}
			if tc.rice == 0 {
				tc.rice = meals / 2 / 100 * 8
			}
			w.Stocks[0].Qty = tc.rice
			md := testModel(t, w)
			md.hold = minHold
			ti := 0 // essential
			md.setMaxFloor(ti)
			lower, upper := md.m.ColLower[md.t[ti]], md.m.ColUpper[md.t[ti]]
			solveAs := func(_ string, tol float64, limit int) (*lp.Solution, error) {
				return lp.Builtin{}.Solve(context.Background(), md.m, lp.Options{Tolerance: tol, IterationLimit: limit})
			}
			var said []string
			report := func(e Event) { said = append(said, e.Message) }
			sol, err := allMet(md, ti, "essential/maxmin-2", 1e-6, 1000, solveAs, report)
			if err != nil {
				t.Fatal(err)
			}
			if tc.met {
				if sol == nil || sol.Objective > -1+1e-6 {
					t.Fatalf("got %+v, want the proof that every need is met (objective -1)", sol)
				}
				return
			}
			if sol != nil {
				t.Fatalf("got a solution with objective %g where half the meals can be cooked", sol.Objective)
			}
			if got := md.m.ColLower[md.t[ti]]; got != lower || md.m.ColUpper[md.t[ti]] != upper {
				t.Errorf("the floor's bounds after the attempt: [%g, %g], want [%g, %g] back", got, md.m.ColUpper[md.t[ti]], lower, upper)
			}
			if len(said) != 1 {
				t.Errorf("the attempt reported %q, want one line", said)
			}
			maxmin, err := solveAs("essential/maxmin-2", 1e-6, 0)
			if err != nil {
				t.Fatal(err)
			}
			if tt := maxmin.X[md.t[ti]]; tt < 0.499 || tt > 0.501 {
				t.Errorf("the max-min round after the failed attempt: t = %g, want 0.5", tt)
			}
		})
	}
}
