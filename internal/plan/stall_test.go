package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/world"
)

// TestStalledRound: in the kitchen world with rice for half the meals and
// the clinic able to give 80% of the visits, the essential tier takes two
// max-min rounds (meals at 0.5, then visits at 0.8). With the second
// round's budget cut to one iteration, it stops without an optimum: the
// planner says so, keeps every need still raised at the floor the first
// round proved, and the tier's total stage still gives the visits their
// 80%; the plan keeps the rules.
func TestStalledRound(t *testing.T) {
	w := kitchenWorld()
	meals := 0.0
	for _, n := range w.Needs {
		if n.Product == "meal" {
			meals += n.Qty
		}
	}
	w.Stocks[0].Qty = meals / 2 / 100 * 8 // a run makes 100 meals of 8 kg
	for i := range w.Recipes {
		if w.Recipes[i].ID == "visits" {
			w.Recipes[i].MaxRuns = ptr(6) // 24 of the 30 visits
		}
	}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		budget  struct{ factor, min int }
		stalled bool
	}{
		{"budget", roundBudget, false},
		{"one iteration", struct{ factor, min int }{0, 1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := roundBudget
			roundBudget = tc.budget
			defer func() { roundBudget = saved }()
			var said []string
			p, err := Make(context.Background(), w, Options{Progress: func(e Event) {
				if e.LP == nil {
					said = append(said, e.Stage+": "+e.Message)
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(w, p); err != nil {
				t.Fatalf("the plan breaks the rules:\n%v", err)
			}
			stalled := strings.Contains(strings.Join(said, "\n"), "essential/maxmin-2: no optimum after 1 iterations")
			if stalled != tc.stalled {
				t.Errorf("stalled: %v, want %v; the planner said:\n%s", stalled, tc.stalled, strings.Join(said, "\n"))
			}
			for i, a := range p.Allocations {
				n := w.Needs[i]
				if n.Tier != world.Essential {
					continue
				}
				want := 0.5
				if n.Product == "clinic-visit" {
					want = 0.8
				}
				if cov := a.Qty / n.Qty; cov < want-1e-3 || cov > want+1e-3 {
					t.Errorf("need %s: coverage %.4f, want %.1f", a.Need, cov, want)
				}
			}
		})
	}
}
