package web

import (
	"testing"

	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/world"
)

// TestLabourBalance: the hours offered and assigned by skill count only
// the collective's members, a member with two skills in both, and a
// skill short anywhere is marked.
func TestLabourBalance(t *testing.T) {
	w := &world.World{
		Skills: []world.Skill{{ID: "cook"}, {ID: "drive"}, {ID: "teach"}, {ID: "print"}},
		Members: []world.Member{
			{ID: "a", Collectives: []string{"boyle"}, Commitment: world.Commitment{Hours: 10, Skills: []string{"cook", "drive"}}},
			{ID: "b", Collectives: []string{"boyle", "pico"}, Commitment: world.Commitment{Hours: 4, Skills: []string{"cook"}}},
			{ID: "c", Collectives: []string{"pico"}, Commitment: world.Commitment{Hours: 30, Skills: []string{"teach"}}},
		},
	}
	p := &plan.Plan{
		Assignments: []plan.Assignment{{Member: "a", Skill: "cook", Hours: 6}, {Member: "b", Skill: "cook", Hours: 4}, {Member: "c", Skill: "teach", Hours: 30},
			{Member: "a", Skill: "print", Hours: 1e-9}}, // a trace: print is not listed
		Shortfalls: []plan.Shortfall{{Cause: plan.Cause{Kind: plan.LaborShort, Skill: "drive"}}},
	}
	got := labourBalance(w, p, "boyle")
	want := []skillBalance{
		{Skill: world.Skill{ID: "cook"}, Offered: 14, Assigned: 10, OfferedPct: 100, AssignedPct: 100 * 10.0 / 14},
		{Skill: world.Skill{ID: "drive"}, Offered: 10, Assigned: 0, Short: true, OfferedPct: 100 * 10.0 / 14},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d skills %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Skill.ID != w.Skill.ID || g.Offered != w.Offered || g.Assigned != w.Assigned || g.Short != w.Short ||
			g.OfferedPct != w.OfferedPct || g.AssignedPct != w.AssignedPct {
			t.Errorf("skill %d: got %+v, want %+v", i, g, w)
		}
	}
	if got := labourBalance(w, p, "nobody"); len(got) != 0 {
		t.Errorf("a collective without members: got %+v, want nothing", got)
	}
}
