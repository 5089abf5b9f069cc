package demo

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/world"
)

// TestDemo: the demo world is valid, the same on every build, and its
// plan passes the checker, meets nearly all essential needs and leaves
// some shortfalls to explain.
func TestDemo(t *testing.T) {
	d := Build()
	// The reader validates: the world must survive a write and a read.
	var buf bytes.Buffer
	if err := world.Write(&buf, d.World); err != nil {
		t.Fatal(err)
	}
	if _, err := world.Read(&buf); err != nil {
		t.Fatalf("the demo world is not valid: %v", err)
	}
	if n := len(d.World.Members); n < 1800 || n > 2500 {
		t.Errorf("members: got %d, want about 2,000", n)
	}
	if len(d.People) != len(d.World.Members) {
		t.Fatalf("people: got %d, want one per member (%d)", len(d.People), len(d.World.Members))
	}
	if !reflect.DeepEqual(d, Build()) {
		t.Error("two builds differ")
	}
	if d.Member == "" || d.Coordinator == "" || d.Organizer == "" || d.Member == d.Coordinator {
		t.Errorf("the demo's people: member %q, coordinator %q, organizer %q", d.Member, d.Coordinator, d.Organizer)
	}
	if testing.Short() {
		return
	}
	p, err := plan.Make(context.Background(), d.World, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Check(d.World, p); err != nil {
		t.Errorf("plan.Check: %v", err)
	}
	for _, tier := range world.Tiers {
		s := p.Tiers.Of(tier)
		t.Logf("%s: needed %.0f, met %.0f (%.1f%%), smallest coverage %.2f", tier, s.Needed, s.Met, 100*s.Met/s.Needed, s.MinCoverage)
	}
	t.Logf("labour: committed %.0f h, assigned %.0f h; %d shortfalls", p.Labor.CommittedHours, p.Labor.AssignedHours, len(p.Shortfalls))
	causes := map[string]int{}
	for _, s := range p.Shortfalls {
		causes[string(s.Cause.Kind)+" "+s.Cause.Product+" "+s.Cause.Skill+" "+s.Cause.Site]++
	}
	for c, n := range causes {
		t.Logf("  %4d shortfalls: %s", n, c)
	}
	if e := p.Tiers.Essential; e.Met < 0.9*e.Needed {
		t.Errorf("essential: met %.0f of %.0f, want at least 90%%", e.Met, e.Needed)
	}
	if len(p.Shortfalls) == 0 {
		t.Error("no shortfalls: the demo should show how the plan explains them")
	}
}
