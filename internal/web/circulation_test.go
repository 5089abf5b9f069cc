package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
)

// TestCirculationPages: a coordinator reads what the plan prints for
// their collective, at which press and by whom, records a week's copies
// (a bad form comes back with what was typed and why, in Spanish), and
// sees the record beside the collective's members; an organizer reads
// growth; a member cannot record for their collective.
func TestCirculationPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	putExample(t, e.store)
	planStored(t, e.store)
	coord, err := e.store.CreateMember(ctx, store.Member{Alias: "Carla", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddMembership(ctx, coord.ID, "boyle-heights", store.RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	b := signIn(t, e, coord.ID, "es")
	code, page := b.get(t, "/circulation")
	if code != http.StatusOK || !strings.Contains(page, `<tr><th scope="row">boyle-heights</th><td class="num">`) ||
		!strings.Contains(page, "Imprentas") || !strings.Contains(page, "ejemplares; 1 trabajadores") || strings.Contains(page, "Trabajan en la imprenta") {
		t.Fatalf("GET /circulation: got %d %s", code, page[strings.Index(page, "<main"):])
	}
	week := store.Week(time.Now())
	code, page, _ = b.post(t, "/circulation", "/collectives/boyle-heights/circulation", url.Values{"week": {"semana 48"}, "received": {"-4"}, "handed_out": {"7"}}, true)
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "debe ser una semana como 2026-W48") ||
		!strings.Contains(page, "debe ser un número entero de 0 a") || !strings.Contains(page, `value="semana 48"`) || !strings.Contains(page, `value="-4"`) {
		t.Errorf("a bad record: got %d, want 422 with the values kept and why: %.300s", code, page)
	}
	if recs, _ := e.store.Circulation(ctx); len(recs) != 0 {
		t.Errorf("a bad record was written: %+v", recs)
	}
	code, _, loc := b.post(t, "/circulation", "/collectives/boyle-heights/circulation", url.Values{"week": {week}, "received": {"40"}, "handed_out": {"35"}}, true)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/circulation") {
		t.Fatalf("a record: got %d to %q", code, loc)
	}
	code, page = b.get(t, "/circulation")
	if code != http.StatusOK || !strings.Contains(page, "<th scope=\"row\">"+week+"</th><td class=\"num\">40</td><td class=\"num\">35</td>") ||
		!strings.Contains(page, "<polyline") {
		t.Errorf("the page after a record: got %d, want the week with 40 and 35, and the chart: %s", code, page)
	}
	// A plain member of the collective reads, and cannot record.
	m, err := e.store.CreateMember(ctx, store.Member{Alias: "Lupe", Language: "en", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddMembership(ctx, m.ID, "boyle-heights", store.RoleMember); err != nil {
		t.Fatal(err)
	}
	mb := signIn(t, e, m.ID, "en")
	if code, page := mb.get(t, "/circulation"); code != http.StatusOK || strings.Contains(page, `/circulation" novalidate`) || !strings.Contains(page, ">40<") {
		t.Errorf("a member's /circulation: got %d, want the records and no form", code)
	}
	if code, _, _ := mb.post(t, "/me", "/collectives/boyle-heights/circulation", url.Values{"week": {week}, "received": {"1"}, "handed_out": {"1"}}, true); code != http.StatusForbidden {
		t.Errorf("a member records: got %d, want 403", code)
	}
	if code, _ := mb.get(t, "/growth"); code != http.StatusForbidden {
		t.Errorf("a member's /growth: got %d, want 403", code)
	}

	// An organizer sees who works the press (their reading audited),
	// and the growth of the organization.
	ob, orgID := signInOrganizer(t, e, "en")
	if code, page := ob.get(t, "/circulation"); code != http.StatusOK || !strings.Contains(page, "Working the press:") {
		t.Errorf("an organizer's /circulation: got %d, want the press's workers", code)
	}
	if entries, _, err := e.store.AuditLog(ctx, store.AuditFilter{Member: orgID}, "", 10); err != nil || len(entries) == 0 {
		t.Errorf("the organizer's look at the press's workers was not audited: %+v, %v", entries, err)
	}
	// The server notes each collective's size (eventRound); growth
	// shows it, in the chart's table and in the collective's row.
	if err := e.store.NoteSizes(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	sizes, err := e.store.Sizes(ctx)
	if err != nil || len(sizes) == 0 {
		t.Fatalf("sizes: %v, %v", sizes, err)
	}
	boyle := 0
	for _, z := range sizes {
		if z.Collective == "boyle-heights" {
			boyle = z.Members
		}
	}
	code, page = ob.get(t, "/growth")
	row := `<a href="/collectives/boyle-heights">boyle-heights</a></th><td class="num">—</td><td class="num">—</td><td class="num">—</td><td class="num">` + strconv.Itoa(boyle) + `</td>`
	if code != http.StatusOK || !strings.Contains(page, "Members by kind of collective") || !strings.Contains(page, row) {
		t.Errorf("an organizer's /growth: got %d, want boyle-heights's %d members this week: %s", code, boyle, page)
	}
}

// TestCirculationLeavesOutTraces: a flow of 1e-9 copies does not make a
// site a source of a collective's paper, nor 1e-9 hours a press's
// worker.
func TestCirculationLeavesOutTraces(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	w := putExample(t, e.store)
	p, err := plan.Make(ctx, w, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p.Flows = append(p.Flows, plan.Flow{Product: newspaper, From: "kitchen-boyle", ToNeed: "clinic-papers", Qty: 1e-9, Km: 1})
	p.Assignments = append(p.Assignments, plan.Assignment{Member: "m-01", Site: "press-1", Skill: "print", Hours: 1e-9})
	run, err := e.store.CreatePlanRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.FinishPlanRun(ctx, run, p); err != nil {
		t.Fatal(err)
	}
	coord, err := e.store.CreateMember(ctx, store.Member{Alias: "Carla", Language: "en", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddMembership(ctx, coord.ID, "boyle-heights", store.RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	code, page := signIn(t, e, coord.ID, "en").get(t, "/circulation")
	row := regexp.MustCompile(`<tr><th scope="row">boyle-heights</th>.*?</tr>`).FindString(page)
	if code != http.StatusOK || row == "" || strings.Contains(row, "Boyle Heights community kitchen") {
		t.Errorf("GET /circulation: got %d, the row %q, want it without the kitchen's 1e-9 copies", code, row)
	}
	if !strings.Contains(page, "copies; 1 workers") {
		t.Errorf("GET /circulation: want the press with 1 worker, not 1e-9 hours' more: %s", page[strings.Index(page, "<main"):])
	}
}
