package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/store"
)

// TestCollectivePage: a coordinator reads their collective's page in
// Spanish (coverage, shortfalls with their causes, the map's data, the
// members, each read audited) and makes an invite whose link and QR code
// the page shows once.
func TestCollectivePage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	putExample(t, e.store)
	_, p := planStored(t, e.store)
	m, err := e.store.CreateMember(ctx, store.Member{Alias: "Carla", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddMembership(ctx, m.ID, "boyle-heights", store.RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	b := signIn(t, e, m.ID, "es")

	code, page := b.get(t, "/collectives/boyle-heights")
	for _, want := range []string{"Cómo cubre el plan", "esencial", "Lo que falta, y por qué", `<script type="application/json">{"sites":`,
		"data-word-zoom-in=\"Acercar\"", "Carla", "registro de auditoría", "Valores de trabajo", "Trabajo por oficio", `<svg class="bar"`} {
		if !strings.Contains(page, want) {
			t.Errorf("GET /collectives/boyle-heights: the page lacks %q", want)
		}
	}
	if code != http.StatusOK {
		t.Fatalf("GET /collectives/boyle-heights: got %d", code)
	}
	if len(p.Shortfalls) > 0 && !strings.Contains(page, `class="items short"`) {
		t.Errorf("the plan has shortfalls; the page lists none")
	}
	entries, _, err := e.store.AuditLog(ctx, store.AuditFilter{Member: m.ID}, "", 10)
	if err != nil || len(entries) != 1 || entries[0].Collective != "boyle-heights" {
		t.Errorf("audit after one look at the page: got %+v, %v; want one read of boyle-heights", entries, err)
	}
	if code, page := b.get(t, "/collectives"); code != http.StatusOK || !strings.Contains(page, `href="/collectives/boyle-heights"`) ||
		strings.Contains(page, `href="/collectives/pico-union"`) || !strings.Contains(page, `<svg class="bar"`) {
		t.Errorf("GET /collectives as a coordinator: got %d, want their collective with its coverage and no other: %.400s", code, page)
	}
	if code, page := b.get(t, "/"); code != http.StatusOK || !strings.Contains(page, `href="/collectives/boyle-heights"`) {
		t.Errorf("the first page of a coordinator: got %d, want a link to their collective", code)
	}
	if code, _ := b.get(t, "/collectives/pico-union"); code != http.StatusForbidden {
		t.Errorf("another collective's page: got %d, want 403", code)
	}

	code, page, _ = b.post(t, "/collectives/boyle-heights", "/collectives/boyle-heights/invites", url.Values{"max_uses": {"0"}, "expires_in_hours": {"24"}}, true)
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "debe ser un número entero de 1 a 1000") {
		t.Errorf("an invite for 0 people: got %d, want 422 and why in Spanish", code)
	}
	code, page, _ = b.post(t, "/collectives/boyle-heights", "/collectives/boyle-heights/invites", url.Values{"max_uses": {"30"}, "expires_in_hours": {"48"}}, true)
	if code != http.StatusCreated || !strings.Contains(page, "/join/cmi_") || !strings.Contains(page, "<svg") {
		t.Fatalf("an invite: got %d, want 201 with its link and QR code", code)
	}
	invs, _, err := e.store.Invites(ctx, "boyle-heights", "", 10)
	if err != nil || len(invs) != 1 || invs[0].MaxUses != 30 {
		t.Errorf("the stored invites: got %+v, %v", invs, err)
	}
}

// TestRunFromCollectivePage: a coordinator plans again from their
// collective's page and follows the run to its end.
func TestRunFromCollectivePage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	putExample(t, e.store)
	m, err := e.store.CreateMember(ctx, store.Member{Alias: "Carla", Language: "en", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddMembership(ctx, m.ID, "boyle-heights", store.RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	b := signIn(t, e, m.ID, "en")
	code, _, loc := b.post(t, "/collectives/boyle-heights", "/collectives/boyle-heights/runs", url.Values{}, true)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/collectives/boyle-heights/runs/") {
		t.Fatalf("start a run: got %d to %q", code, loc)
	}
	run := strings.TrimPrefix(loc, "/collectives/boyle-heights/runs/")
	deadline := time.Now().Add(time.Minute)
	for {
		code, body := b.get(t, "/api/v1/plans/"+run+"/progress")
		if code != http.StatusOK {
			t.Fatalf("progress: got %d %s", code, body)
		}
		if strings.Contains(body, `"status":"done"`) {
			if strings.Contains(body, `"plan"`) {
				t.Errorf("progress carries the plan: %.200s", body)
			}
			break
		}
		if strings.Contains(body, `"status":"failed"`) || time.Now().After(deadline) {
			t.Fatalf("the run did not finish: %s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, page := b.get(t, loc)
	if code != http.StatusOK || !strings.Contains(page, "Done. The plan is ready.") || !strings.Contains(page, `value="100"`) {
		t.Errorf("the run's page when done: got %d %.500s", code, page)
	}
	if code, page := b.get(t, "/collectives/boyle-heights"); code != http.StatusOK || !strings.Contains(page, "How the plan covers") {
		t.Errorf("the collective's page after the run: got %d", code)
	}
}
