package web

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// auditActions reads the audit log through the API as the organizer
// whose token is org, and returns each entry as "action by actor on
// collective", newest first.
func auditActions(t *testing.T, e *env, org, query string) []string {
	t.Helper()
	var log struct{ Entries []auditBody }
	e.json(t, "GET", "/api/v1/audit"+query, org, nil, http.StatusOK, &log)
	var out []string
	for _, a := range log.Entries {
		line := a.Action + " by " + a.Actor + " on " + a.Collective
		if a.PlanRun != 0 {
			line += fmt.Sprintf(" of run %d", a.PlanRun)
		}
		out = append(out, line)
	}
	return out
}

// TestWorldReadAudited: downloading the world, or a plan once it has
// one, writes an entry of the audit log under the reader's pseudonym
// (a plan's with the run read),
// on no collective; a run not done yet names no one and writes none,
// nor does a read refused to a coordinator. The page of the log says
// it in English and in Spanish, and its filter and the API's keep
// these entries by their action.
func TestWorldReadAudited(t *testing.T) {
	e := newEnv(t)
	putExample(t, e.store)
	ob, rosa := signInOrganizer(t, e, "en")
	org := addToken(t, e, rosa, auth.Organizer)
	if _, err := e.store.CreateCollective(context.Background(), store.Collective{ID: "c-a", Name: "Garment workers", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	coord := e.token(t, "Cora", auth.Coordinator, "c-a")

	if r := e.do(t, "GET", "/api/v1/world", coord, "", nil); r.status != http.StatusForbidden {
		t.Fatalf("GET /api/v1/world as a coordinator: got %d, want 403", r.status)
	}
	if got := auditActions(t, e, org, ""); len(got) != 0 {
		t.Fatalf("audit log before any download: got %q, want none", got)
	}

	r := e.do(t, "GET", "/api/v1/world", org, "", nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"members"`) {
		t.Fatalf("GET /api/v1/world: got %d %.200s, want the world", r.status, r.body)
	}
	queued, err := e.store.CreatePlanRun(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if b := e.getPlanRun(t, org, queued); len(b.Plan) != 0 {
		t.Fatalf("GET /api/v1/plans/%d of a queued run: got a plan %s", queued, b.Plan)
	}
	done := e.finishPlan(t, rosa, nil)
	if b := e.getPlanRun(t, org, done); !strings.Contains(string(b.Plan), `"assignments"`) {
		t.Fatalf("GET /api/v1/plans/%d of a done run: got plan %.200s, want its assignments", done, b.Plan)
	}
	me := e.store.Pseudonym(rosa)
	want := []string{fmt.Sprintf("read-plan by %s on  of run %d", me, done), "read-world by " + me + " on "}
	if got := auditActions(t, e, org, ""); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("audit log after the downloads:\n got %q\nwant %q", got, want)
	}
	for _, q := range []string{"read-world", "read-plan"} {
		got := auditActions(t, e, org, "?action="+q)
		if len(got) != 1 || !strings.HasPrefix(got[0], q+" ") {
			t.Errorf("GET /api/v1/audit?action=%s: got %q, want its one entry", q, got)
		}
	}

	code := "[" + me[:8] + "] "
	for lang, want := range map[string][]string{
		"en": {code + fmt.Sprintf("downloaded plan %d: every member's work", done),
			code + "downloaded the world file: every member's home cell, commitment and needs"},
		"es": {code + fmt.Sprintf("descargó el plan %d: el trabajo de cada miembro", done),
			code + "descargó el archivo del mundo: de cada miembro, la celda de su casa, su compromiso y sus necesidades"},
	} {
		ob.lang = lang
		auditPageStarts(t, ob, "", want)
	}
	ob.lang = "en"
	for _, tc := range []struct{ action, option, sentence string }{
		{"read-world", "Downloading the world file", "downloaded the world file"},
		{"read-plan", "Downloading a plan", fmt.Sprintf("downloaded plan %d", done)},
	} {
		page, ok := auditPageStarts(t, ob, "?action="+tc.action, []string{code + tc.sentence})
		if opt := `<option value="` + tc.action + `" selected>` + tc.option + `</option>`; ok && !strings.Contains(page, opt) {
			t.Errorf("GET /audit?action=%s: the form lacks %s", tc.action, opt)
		}
	}
}

// TestWorldReadAuditFails: when the audit log cannot be written, the
// world and a plan are not given: the read answers an error and no
// member's data.
func TestWorldReadAuditFails(t *testing.T) {
	dir := t.TempDir()
	e := newEnvOn(t, store.Config{DataDir: dir})
	w := putExample(t, e.store)
	org := e.token(t, "olga", auth.Organizer, "")
	done := e.finishPlan(t, w.Members[0].ID, nil)
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.DBFile)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	if _, err := raw.Exec(`CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END`); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/api/v1/world", fmt.Sprintf("/api/v1/plans/%d", done)} {
		r := e.do(t, "GET", target, org, "", nil)
		if r.status != http.StatusInternalServerError {
			t.Errorf("GET %s with the audit log refusing writes: got %d, want 500", target, r.status)
		}
		for _, m := range w.Members {
			if strings.Contains(string(r.body), m.ID) {
				t.Errorf("GET %s with the audit log refusing writes: the answer names member %s: %.300s", target, m.ID, r.body)
				break
			}
		}
	}
}
