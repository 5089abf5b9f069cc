package store

import (
	"context"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/world"
)

func testAudit(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	cfg := fresh(t)
	s := open(t, cfg)
	a := collectiveWith(t, s, "c-a", 2)
	collectiveWith(t, s, "c-b", 0)
	coordinator, other := a[0], a[1]
	if _, err := s.CreateInvite(ctx, Invite{Collective: "c-a", Role: RoleMember, CodeHash: codeHash("x"), CreatedBy: coordinator,
		Expires: s.now().Add(time.Hour), MaxUses: 1}); err != nil {
		t.Fatal(err)
	}
	writes := []struct{ member, collective string }{
		{coordinator, "c-a"}, {other, "c-a"}, {coordinator, "c-b"}, {coordinator, "c-a"}, {other, "c-b"},
	}
	for _, w := range writes {
		if err := s.Audit(ctx, w.member, AuditListMembers, w.collective); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, "Audit without a collective", s.Audit(ctx, coordinator, AuditListMembers, ""), CodeInvalid)

	// walk reads the log page by page and returns "member-or-?@collective"
	// of each row, newest first.
	names := map[string]string{s.Pseudonym(coordinator): "coord", s.Pseudonym(other): "other"}
	walk := func(f AuditFilter, limit int) []string {
		t.Helper()
		var got []string
		after := ""
		for range 20 {
			page, next, err := s.AuditLog(ctx, f, after, limit)
			if err != nil {
				t.Fatalf("AuditLog(%+v): %v", f, err)
			}
			for _, e := range page {
				name := names[e.Actor]
				if name == "" {
					name = "?"
				}
				if e.Action != AuditListMembers || e.At.IsZero() {
					t.Errorf("audit row %+v", e)
				}
				got = append(got, name+"@"+e.Collective)
			}
			if next == "" {
				return got
			}
			after = next
		}
		t.Fatalf("AuditLog(%+v): more than 20 pages", f)
		return nil
	}
	tests := []struct {
		filter AuditFilter
		want   []string
	}{
		{AuditFilter{}, []string{"other@c-b", "coord@c-a", "coord@c-b", "other@c-a", "coord@c-a"}},
		{AuditFilter{Member: coordinator}, []string{"coord@c-a", "coord@c-b", "coord@c-a"}},
		{AuditFilter{Collective: "c-b"}, []string{"other@c-b", "coord@c-b"}},
		{AuditFilter{Member: other, Collective: "c-a"}, []string{"other@c-a"}},
		// By pseudonym: its first 8 digits, more, or all of it, alone
		// or with a collective, kept from page to page.
		{AuditFilter{Person: s.Pseudonym(coordinator)[:PersonDigits]}, []string{"coord@c-a", "coord@c-b", "coord@c-a"}},
		{AuditFilter{Person: s.Pseudonym(other)[:11]}, []string{"other@c-b", "other@c-a"}},
		{AuditFilter{Person: s.Pseudonym(coordinator), Collective: "c-a"}, []string{"coord@c-a", "coord@c-a"}},
	}
	for _, tc := range tests {
		for _, limit := range []int{1, 2, 0} {
			if got := walk(tc.filter, limit); !slices.Equal(got, tc.want) {
				t.Errorf("AuditLog(%+v) in pages of %d: got %v, want %v", tc.filter, limit, got, tc.want)
			}
		}
	}
	_, _, err := s.AuditLog(ctx, AuditFilter{}, "x", 0)
	wantCode(t, "AuditLog with a bad cursor", err, CodeInvalid)

	_, _, err = s.AuditLog(ctx, AuditFilter{Action: "read"}, "", 0)
	wantCode(t, "AuditLog of an unknown action", err, CodeInvalid)

	// A person is a pseudonym or its first digits, as the log holds it:
	// not a member's id or alias, not fewer than 8 digits, not more
	// than 32, not in capitals.
	p := s.Pseudonym(coordinator)
	for _, person := range []string{coordinator, "coord", p[:PersonDigits-1], p + "0", strings.ToUpper(p[:7]) + "A", p[:7] + "%", AuditCLI} {
		_, _, err = s.AuditLog(ctx, AuditFilter{Person: person}, "", 0)
		wantCode(t, "AuditLog of person "+person, err, CodeInvalid)
	}

	// By action: a read of an event's answers among the reads of lists.
	if err := s.Audit(ctx, other, AuditEventRSVPs, "c-a"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		filter AuditFilter
		want   int
	}{
		{AuditFilter{Action: AuditEventRSVPs}, 1},
		{AuditFilter{Action: AuditEventRSVPs, Collective: "c-b"}, 0},
		{AuditFilter{Action: AuditListMembers}, len(writes)},
		{AuditFilter{Action: AuditListMembers, Collective: "c-a", Member: other}, 1},
		{AuditFilter{Action: AuditRevokeToken}, 0},
	} {
		es, _, err := s.AuditLog(ctx, tc.filter, "", 0)
		if err != nil || len(es) != tc.want {
			t.Errorf("AuditLog(%+v): got %d rows, %v; want %d", tc.filter, len(es), err, tc.want)
		}
		for _, e := range es {
			if e.Action != tc.filter.Action {
				t.Errorf("AuditLog(%+v): a row of %s", tc.filter, e.Action)
			}
		}
	}

	// The pseudonym is not the id, and stays the same for the same key
	// file: the store opened again finds the same rows.
	if p := s.Pseudonym(coordinator); strings.Contains(p, coordinator) || len(p) != 32 || p == s.Pseudonym(other) {
		t.Errorf("pseudonym %q of %q", p, coordinator)
	}
	keyFile := cfg.KeyFile
	if keyFile == "" {
		keyFile = cfg.DataDir + "/key"
	}
	if fi, err := os.Stat(keyFile + "-audit"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("audit key file: %v, %v; want mode 0600", fi, err)
	}
	s2 := open(t, cfg)
	if s2.Pseudonym(coordinator) != s.Pseudonym(coordinator) {
		t.Errorf("the pseudonym changed when the store was opened again")
	}

	// Deleting the coordinator leaves the log whole and naming no one.
	before := len(rowsOf(t, s, "audit_log"))
	if err := s.DeleteMember(ctx, coordinator); err != nil {
		t.Fatal(err)
	}
	if n := len(rowsOf(t, s, "audit_log")); n != before {
		t.Errorf("audit rows after deleting a member: %d, want %d", n, before)
	}
	for table, rows := range dump(t, s) {
		for _, r := range rows {
			if strings.Contains(r+"\x00", "="+coordinator+" ") || strings.Contains(r+"\x00", "="+coordinator+"\x00") {
				t.Errorf("table %s still refers to the deleted member: %s", table, r)
			}
		}
	}
	if invs, _, err := s.Invites(ctx, "c-a", "", 0); err != nil || len(invs) != 1 || invs[0].CreatedBy != "" {
		t.Errorf("invite of a deleted member: got %+v, %v, want kept with no creator", invs, err)
	}
}

func testCoverage(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	_, err := s.Coverage(ctx, "boyle-heights")
	wantCode(t, "Coverage of a missing collective", err, CodeNotFound)
	w := readWorld(t, "../../examples/neighbourhood.json")
	if err := s.PutWorld(ctx, w); err != nil {
		t.Fatal(err)
	}
	_, err = s.Coverage(ctx, "boyle-heights")
	wantCode(t, "Coverage with no plan done", err, CodeNotFound)

	// A plan that gives every need all it asks, except: meals-01 (of
	// boyle-heights) gets half, meals-03 (of pico-union) a third, and
	// paper-02 (of boyle-heights) is not in the plan at all, as if made
	// after it.
	in := map[string]bool{}
	var committed float64
	for _, m := range w.Members {
		if slices.Contains(m.Collectives, "boyle-heights") {
			in[m.ID] = true
			committed += m.Commitment.Hours
		}
	}
	p := &plan.Plan{Format: plan.Format, Status: "optimal", Solver: plan.SolverInfo{Name: "builtin"},
		Assignments: []plan.Assignment{
			{Member: "m-01", Site: "s", Skill: "cook", Hours: 6},
			{Member: "m-02", Site: "s", Skill: "cook", Hours: 2.5},
			{Member: "m-03", Site: "s", Skill: "cook", Hours: 3},
		},
		Shortfalls: []plan.Shortfall{
			{Need: "meals-01", Missing: 7, Reason: "not enough cook hours within reach", Cause: plan.Cause{Kind: plan.LaborShort, Skill: "cook"}},
			{Need: "meals-03", Missing: 9.33, Reason: "not enough cook hours within reach", Cause: plan.Cause{Kind: plan.LaborShort, Skill: "cook"}},
		},
	}
	want := map[world.Tier]TierCoverage{}
	for _, tier := range world.Tiers {
		want[tier] = TierCoverage{MinCoverage: 1}
	}
	for _, n := range w.Needs {
		qty := n.Qty
		switch n.ID {
		case "meals-01":
			qty = 7
		case "meals-03":
			qty = 4.67
		case "paper-02":
			continue
		}
		p.Allocations = append(p.Allocations, plan.Allocation{Need: n.ID, Qty: qty})
		if in[n.Member] {
			tc := want[n.Tier]
			tc.Needs++
			tc.Needed += n.Qty
			tc.Met += qty
			cov := qty / n.Qty
			tc.MinCoverage = math.Min(tc.MinCoverage, cov)
			want[n.Tier] = tc
		}
	}
	if want[world.Essential].MinCoverage != 0.5 {
		t.Fatalf("the example changed: essential min coverage %v, want 0.5", want[world.Essential].MinCoverage)
	}
	run, err := s.CreatePlanRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishPlanRun(ctx, run, p); err != nil {
		t.Fatal(err)
	}
	// A later run that failed does not count.
	failed, err := s.CreatePlanRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FailPlanRun(ctx, failed, "test"); err != nil {
		t.Fatal(err)
	}

	cov, err := s.Coverage(ctx, "boyle-heights")
	if err != nil {
		t.Fatal(err)
	}
	if cov.PlanRun != run || cov.Members != len(in) || cov.Unplanned != 1 {
		t.Errorf("coverage: run %d, %d members, %d unplanned; want %d, %d, 1", cov.PlanRun, cov.Members, cov.Unplanned, run, len(in))
	}
	for _, tier := range world.Tiers {
		g, w := cov.Tiers[tier], want[tier]
		if g.Needs != w.Needs || math.Abs(g.Needed-w.Needed) > 1e-9 || math.Abs(g.Met-w.Met) > 1e-9 || math.Abs(g.MinCoverage-w.MinCoverage) > 1e-9 {
			t.Errorf("tier %s: got %+v, want %+v", tier, g, w)
		}
	}
	wantShort := []CoverageShortfall{{Need: "meals-01", Product: "meal", Tier: world.Essential, Qty: 14, Missing: 7,
		Reason: "not enough cook hours within reach", Cause: plan.Cause{Kind: plan.LaborShort, Skill: "cook"}}}
	if !slices.Equal(cov.Shortfalls, wantShort) {
		t.Errorf("shortfalls: got %+v, want %+v", cov.Shortfalls, wantShort)
	}
	if cov.AssignedHours != 8.5 || math.Abs(cov.CommittedHours-committed) > 1e-9 {
		t.Errorf("hours: got %v assigned of %v committed, want 8.5 of %v", cov.AssignedHours, cov.CommittedHours, committed)
	}
	// Several collectives at once read the plan once and give each the
	// same coverage as alone; a missing one is not found.
	all, err := s.Coverages(ctx, []string{"boyle-heights", "pico-union"})
	if err != nil {
		t.Fatal(err)
	}
	if got := all["boyle-heights"]; !reflect.DeepEqual(got, cov) {
		t.Errorf("Coverages boyle-heights: got %+v, want %+v", got, cov)
	}
	alone, err := s.Coverage(ctx, "pico-union")
	if err != nil || !reflect.DeepEqual(all["pico-union"], alone) {
		t.Errorf("Coverages pico-union: got %+v, want %+v (%v)", all["pico-union"], alone, err)
	}
	if _, err := s.Coverages(ctx, []string{"boyle-heights", "nowhere"}); ErrorCode(err) != CodeNotFound {
		t.Errorf("Coverages with a missing collective: got %v, want not_found", err)
	}
}

// testAuditWholeReads: a read of the world or of a plan is written on
// no collective, found by its action, and named by its reader's
// pseudonym; neither is taken with a collective, nor a read of one
// collective without one.
func testAuditWholeReads(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	organizer := collectiveWith(t, s, "c-a", 1)[0]
	for _, action := range []string{AuditReadWorld, AuditReadPlan, AuditReadWorld} {
		if err := s.Audit(ctx, organizer, action, ""); err != nil {
			t.Fatalf("Audit %s: %v", action, err)
		}
	}
	// A read of a plan says which run; before, the log did not (0).
	if err := s.AuditPlanRead(ctx, organizer, 7); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "AuditPlanRead of no run", s.AuditPlanRead(ctx, organizer, 0), CodeInvalid)
	if es, _, err := s.AuditLog(ctx, AuditFilter{Action: AuditReadPlan}, "", 0); err != nil || len(es) != 2 || es[0].PlanRun != 7 || es[1].PlanRun != 0 {
		t.Errorf("the reads of plans: got %+v, %v; want run 7, then one that did not say", es, err)
	}
	if err := s.Audit(ctx, organizer, AuditListMembers, "c-a"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "Audit read-world of a collective", s.Audit(ctx, organizer, AuditReadWorld, "c-a"), CodeInvalid)
	wantCode(t, "Audit read-plan of a collective", s.Audit(ctx, organizer, AuditReadPlan, "c-a"), CodeInvalid)
	wantCode(t, "Audit list-members of no collective", s.Audit(ctx, organizer, AuditListMembers, ""), CodeInvalid)
	wantCode(t, "Audit read-world of no one", s.Audit(ctx, "", AuditReadWorld, ""), CodeInvalid)
	for _, tc := range []struct {
		filter AuditFilter
		want   int
	}{
		{AuditFilter{Action: AuditReadWorld}, 2},
		{AuditFilter{Action: AuditReadPlan}, 2},
		{AuditFilter{Action: AuditReadWorld, Member: organizer}, 2},
		{AuditFilter{Action: AuditReadPlan, Person: s.Pseudonym(organizer)[:PersonDigits]}, 2},
		{AuditFilter{Action: AuditReadWorld, Collective: "c-a"}, 0},
		{AuditFilter{}, 5},
	} {
		es, _, err := s.AuditLog(ctx, tc.filter, "", 0)
		if err != nil || len(es) != tc.want {
			t.Errorf("AuditLog(%+v): got %d rows, %v; want %d", tc.filter, len(es), err, tc.want)
		}
		for _, e := range es {
			if tc.filter.Action != "" && (e.Action != tc.filter.Action || e.Collective != "" || e.Subject != "" || e.Token != "" || e.Action != AuditReadPlan && e.PlanRun != 0) {
				t.Errorf("AuditLog(%+v): row %+v", tc.filter, e)
			}
			if e.Actor != s.Pseudonym(organizer) {
				t.Errorf("AuditLog(%+v): actor %q, want the reader's pseudonym", tc.filter, e.Actor)
			}
		}
	}
}

// testAuditTokensMigration writes a read of a member list, as the store
// wrote it then, in the schema
// before migration 0014 (which adds the revoked token and its member to
// the audit log), migrates, and finds the row as it was, with neither,
// beside a revocation written after.
func testAuditTokensMigration(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	cfg := fresh(t)
	old := cfg
	old.migrateTo = 13
	s := open(t, old)
	coordinator := collectiveWith(t, s, "c-a", 1)[0]
	if _, err := s.db.ExecContext(ctx, `INSERT INTO audit_log (actor, action, collective_id, at) VALUES ($1, $2, 'c-a', 1900000000)`,
		s.Pseudonym(coordinator), AuditListMembers); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateToken(ctx, Token{Hash: strings.Repeat("4d", 32), MemberID: coordinator, Role: "member"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = open(t, cfg)
	if _, err := s.RevokeToken(ctx, "", strings.Repeat("4d", 6)); err != nil {
		t.Fatalf("RevokeToken after the migration: %v", err)
	}
	log, _, err := s.AuditLog(ctx, AuditFilter{}, "", 10)
	if err != nil || len(log) != 2 {
		t.Fatalf("AuditLog after the migration: got %+v, %v; want two rows", log, err)
	}
	p := s.Pseudonym(coordinator)
	if e := log[1]; e.Actor != p || e.Action != AuditListMembers || e.Collective != "c-a" || e.Subject != "" || e.Token != "" {
		t.Errorf("the read written before the migration: got %+v, want %s of c-a by %s, no subject, no token", e, AuditListMembers, p)
	}
	if e := log[0]; e.Actor != AuditCLI || e.Action != AuditRevokeToken || e.Subject != p || e.Token != strings.Repeat("4d", 6) {
		t.Errorf("the revocation after it: got %+v", e)
	}
}
