package plan

import (
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/world"
	"github.com/commune-org/commune/lp"
)

// TestStoppedStagesSaid: a plan lists each stage that stopped at a limit
// before its optimum, with why (Plan.Stopped), and the shortfalls of the
// stage's tier claim no cause the solver did not prove (Unproved): they
// blamed "resources shared fairly" or an input short after a stage cut
// at its time limit, from that stage's unfinished point. A need nothing
// could reach keeps its cause, and a stopped last stage, which leaves
// every allocation as the tiers gave it, leaves the causes as they were.
// A full run lists no stage.
func TestStoppedStagesSaid(t *testing.T) {
	w := stalledKitchen(t)
	w.Products = append(w.Products, world.Product{ID: "radio", Name: names("Radio"), Unit: "radio", Kind: world.Good})
	w.Needs = append(w.Needs, world.Need{ID: "radio", Member: w.Members[0].ID, Product: "radio", Qty: 1, Tier: world.Essential})
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	opt, full := passThrough(t, w)
	if len(full.Stopped) != 0 {
		t.Fatalf("a full run lists stopped stages %v", full.Stopped)
	}
	fullCause := map[string]Cause{}
	proved := 0
	for _, sf := range full.Shortfalls {
		fullCause[sf.Need] = sf.Cause
		if sf.Cause.Kind != NoRecipe && sf.Cause.Kind != OutOfReach {
			proved++
		}
	}
	if proved == 0 || fullCause["radio"].Kind != NoRecipe {
		t.Fatalf("the full run's shortfalls %v: want some with a binding resource, and the radio's no recipe", full.Shortfalls)
	}
	tierOf := map[string]world.Tier{}
	for _, n := range w.Needs {
		tierOf[n.ID] = n.Tier
	}
	for k, st := range full.Solver.Stages {
		if strings.HasPrefix(st.Name, "cost-") {
			continue // a cleaning solve that stops leaves the answer before it
		}
		for _, how := range []lp.Status{lp.TimeLimit, lp.IterationLimit, lp.Stalled} {
			t.Run(st.Name+"/"+how.String(), func(t *testing.T) {
				o := opt
				o.Solver = &timeUp{call: k + 1, status: how}
				p, _ := planSaying(t, w, o)
				if len(p.Stopped) != 1 || p.Stopped[0] != (StoppedStage{Stage: st.Name, Status: how.String()}) || p.Status != "feasible" {
					t.Fatalf("stopped %v, status %q; want %s stopped by %s, feasible", p.Stopped, p.Status, st.Name, how)
				}
				tier, _, inTier := strings.Cut(st.Name, "/")
				unproved := 0
				for _, sf := range p.Shortfalls {
					c := sf.Cause
					switch {
					case sf.Need == "radio":
						if c.Kind != NoRecipe {
							t.Errorf("need radio: cause %+v, want no-recipe", c)
						}
					case inTier && string(tierOf[sf.Need]) == tier:
						if c.Kind != Unproved {
							t.Errorf("need %s of the stopped tier %s: cause %+v (%s), want unproved", sf.Need, tier, c, c.Message("en"))
						}
						unproved++
					case c.Kind == Unproved:
						t.Errorf("need %s (%s): unproved after %s stopped", sf.Need, tierOf[sf.Need], st.Name)
					case !inTier && c != fullCause[sf.Need]:
						t.Errorf("need %s after the last stage stopped: cause %+v, the full run's %+v", sf.Need, c, fullCause[sf.Need])
					}
				}
				// The essential tier is short of meals and visits
				// whatever stopped; the basic tier may be met.
				if tier == "essential" && unproved == 0 {
					t.Errorf("no shortfall of the essential tier: the case is not tested")
				}
			})
		}
	}
	for lang, want := range map[string]string{"en": "no cause proved", "es": "sin causa probada"} {
		if msg := (Cause{Kind: Unproved}).Message(lang); !strings.HasPrefix(msg, want) {
			t.Errorf("%s: message %q", lang, msg)
		}
	}
}
