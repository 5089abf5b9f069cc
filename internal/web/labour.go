package web

import (
	"slices"

	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/world"
)

// skillBalance is one line of a collective's labour balance: for one
// skill, the hours its members offer (every member offering the skill
// counts all their committed hours, since the plan may use them for any
// skill they offer), the hours the plan assigns them in it, and whether
// a shortfall anywhere in the plan names this skill as what is missing.
type skillBalance struct {
	Skill    world.Skill
	Offered  float64
	Assigned float64
	Short    bool
	// OfferedPct and AssignedPct are the bars' lengths, in percent of
	// the longest bar of the chart.
	OfferedPct, AssignedPct float64
}

// labourBalance is the labour balance by skill of collective's members
// in plan p of world w, the skills in the catalog's order, those that
// nobody offers and nobody is assigned left out.
func labourBalance(w *world.World, p *plan.Plan, collective string) []skillBalance {
	offered, assigned := map[string]float64{}, map[string]float64{}
	members := map[string]bool{}
	for _, m := range w.Members {
		if !slices.Contains(m.Collectives, collective) {
			continue
		}
		members[m.ID] = true
		for _, k := range m.Commitment.Skills {
			offered[k] += m.Commitment.Hours
		}
	}
	for _, a := range p.Assignments {
		if members[a.Member] {
			assigned[a.Skill] += a.Hours
		}
	}
	short := map[string]bool{}
	for _, sf := range p.Shortfalls {
		if sf.Cause.Kind == plan.LaborShort {
			short[sf.Cause.Skill] = true
		}
	}
	var out []skillBalance
	longest := 0.0
	for _, k := range w.Skills {
		if offered[k.ID] == 0 && !shows(assigned[k.ID]) { // 1e-9 hours is the solver's trace
			continue
		}
		b := skillBalance{Skill: k, Offered: offered[k.ID], Assigned: assigned[k.ID], Short: short[k.ID]}
		longest = max(longest, b.Offered, b.Assigned)
		out = append(out, b)
	}
	for i := range out {
		out[i].OfferedPct = 100 * out[i].Offered / longest
		out[i].AssignedPct = 100 * out[i].Assigned / longest
	}
	return out
}
