package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// postPlan starts a run and returns its id.
func (e *env) postPlan(t *testing.T, token string) int64 {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/plans", token, "", nil)
	if r.status != http.StatusAccepted {
		t.Fatalf("POST /api/v1/plans: got %d %s, want 202", r.status, r.body)
	}
	var b struct{ ID int64 }
	if err := json.Unmarshal(r.body, &b); err != nil || b.ID <= 0 {
		t.Fatalf("POST /api/v1/plans: got body %s (%v), want an id", r.body, err)
	}
	if loc := r.header.Get("Location"); loc != fmt.Sprintf("/api/v1/plans/%d", b.ID) {
		t.Errorf("POST /api/v1/plans: got Location %q", loc)
	}
	return b.ID
}

// getPlanRun reads run id through the API.
func (e *env) getPlanRun(t *testing.T, token string, id int64) planRunBody {
	t.Helper()
	r := e.do(t, "GET", fmt.Sprintf("/api/v1/plans/%d", id), token, "", nil)
	if r.status != 200 {
		t.Fatalf("GET /api/v1/plans/%d: got %d %s, want 200", id, r.status, r.body)
	}
	var b planRunBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatalf("GET /api/v1/plans/%d: %v: %s", id, err, r.body)
	}
	if b.ID != id {
		t.Errorf("GET /api/v1/plans/%d: got id %d", id, b.ID)
	}
	if !(b.Progress >= 0 && b.Progress <= 1) {
		t.Errorf("GET /api/v1/plans/%d: got progress %v, want 0 to 1", id, b.Progress)
	}
	return b
}

// wait polls run id until it is done or failed. The deadline only keeps
// a stuck run from hanging the test; it says nothing about speed.
func (e *env) wait(t *testing.T, token string, id int64) planRunBody {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	last := 0.0
	for {
		b := e.getPlanRun(t, token, id)
		if b.Progress < last {
			t.Errorf("run %d: progress went back from %v to %v", id, last, b.Progress)
		}
		last = b.Progress
		switch b.Status {
		case store.RunDone, store.RunFailed:
			return b
		case store.RunQueued, store.RunRunning:
		default:
			t.Fatalf("run %d: got status %q", id, b.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %d: still %s after 60 s", id, b.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// zeroTimes clears what differs between two runs of the same plan: how
// long the solver took.
func zeroTimes(p *plan.Plan) {
	p.Solver.Seconds = 0
	for i := range p.Solver.Stages {
		p.Solver.Stages[i].Seconds = 0
	}
}

// TestPlanRoundTrip is acceptance item 4 of issue 4: a world PUT through
// the API and a plan run through the API give the plan that the planner
// makes of the same world directly.
func TestPlanRoundTrip(t *testing.T) {
	e := newEnv(t)
	organizer := e.token(t, "olga", auth.Organizer, "")
	data, err := os.ReadFile("../../examples/neighbourhood.json")
	if err != nil {
		t.Fatal(err)
	}
	wd, err := world.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, "PUT", "/api/v1/world", organizer, "", bytes.NewReader(data)); r.status != http.StatusNoContent {
		t.Fatalf("PUT /api/v1/world: got %d %s, want 204", r.status, r.body)
	}

	id := e.postPlan(t, organizer)
	b := e.wait(t, organizer, id)
	if b.Status != store.RunDone || b.Error != "" || b.Progress != 1 {
		t.Fatalf("run %d: got status %q, progress %v, error %q; want done, 1, no error", id, b.Status, b.Progress, b.Error)
	}
	got, err := plan.Read(bytes.NewReader(b.Plan))
	if err != nil {
		t.Fatalf("run %d: the plan: %v", id, err)
	}
	if err := plan.Check(wd, got); err != nil {
		t.Errorf("run %d: plan.Check: %v", id, err)
	}
	want, err := plan.Make(context.Background(), wd, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	zeroTimes(got)
	zeroTimes(want)
	gotJSON, err := plan.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, err := plan.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("run %d: the stored plan differs from plan.Make on the same world:\ngot\n%s\nwant\n%s", id, gotJSON, wantJSON)
	}

	// The run is over: another may start.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.do(t, "POST", "/api/v1/plans", organizer, "", nil)
		if r.status == http.StatusAccepted {
			break
		}
		// The run is marked done an instant before the server lets
		// the next one start.
		if r.status != http.StatusConflict || time.Now().After(deadline) {
			t.Fatalf("POST /api/v1/plans after a run: got %d %s, want 202", r.status, r.body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPlanAccess(t *testing.T) {
	e := newEnv(t)
	organizer := e.token(t, "olga", auth.Organizer, "")
	member := e.token(t, "mia", auth.Member, "")
	if _, err := e.store.CreateCollective(context.Background(), store.Collective{ID: "c-1", Name: "Plant", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	coordinator := e.token(t, "cora", auth.Coordinator, "c-1")
	id, err := e.store.CreatePlanRun(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	run := fmt.Sprintf("/api/v1/plans/%d", id)
	tests := []struct {
		name, method, target, token string
		status                      int
	}{
		{"anonymous starts", "POST", "/api/v1/plans", "", 401},
		{"member starts", "POST", "/api/v1/plans", member, 403},
		{"coordinator starts", "POST", "/api/v1/plans", coordinator, 403},
		{"anonymous reads", "GET", run, "", 401},
		{"member reads", "GET", run, member, 403},
		{"coordinator reads", "GET", run, coordinator, 403},
		{"organizer reads", "GET", run, organizer, 200},
		{"unknown id", "GET", "/api/v1/plans/999999", organizer, 404},
		{"not a number", "GET", "/api/v1/plans/x1", organizer, 404},
		{"zero", "GET", "/api/v1/plans/0", organizer, 404},
		{"other method", "DELETE", run, organizer, 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(t, tc.method, tc.target, tc.token, "", nil)
			if r.status != tc.status {
				t.Fatalf("%s %s: got %d %s, want %d", tc.method, tc.target, r.status, r.body, tc.status)
			}
			if tc.status >= 400 {
				errorOf(t, r)
			}
		})
	}
	// Nobody but the organizer started a run.
	if r, err := e.store.PlanRun(context.Background(), id+1); store.ErrorCode(err) != store.CodeNotFound {
		t.Errorf("a refused POST created run %d (%+v, %v)", id+1, r, err)
	}
	b := e.getPlanRun(t, organizer, id)
	if b.Status != store.RunQueued || b.Plan != nil || b.Error != "" {
		t.Errorf("a queued run: got %+v", b)
	}
}

// TestPlanOneAtATime: while a run is under way, another POST is refused
// with 409 naming it; when the server shuts down, the run stops and is
// marked failed, and no more runs start.
func TestPlanOneAtATime(t *testing.T) {
	e := newEnv(t)
	organizer := e.token(t, "olga", auth.Organizer, "")
	// A world large enough that its plan takes far longer than two
	// requests.
	wd, err := world.Generate(world.GenOptions{Members: 3000, Sites: 80, Products: 30, Skills: 12, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	var data bytes.Buffer
	if err := world.Write(&data, wd); err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, "PUT", "/api/v1/world", organizer, "", &data); r.status != http.StatusNoContent {
		t.Fatalf("PUT /api/v1/world: got %d %s, want 204", r.status, r.body)
	}

	id := e.postPlan(t, organizer)
	r := e.do(t, "POST", "/api/v1/plans", organizer, "", nil)
	if b := e.getPlanRun(t, organizer, id); b.Status != store.RunQueued && b.Status != store.RunRunning {
		t.Fatalf("run %d is %s already: make the world larger", id, b.Status)
	}
	d := errorOf(t, r)
	if r.status != http.StatusConflict || d.Code != store.CodeConflict || !strings.Contains(d.Message, fmt.Sprintf("plan run %d ", id)) {
		t.Errorf("a second POST: got %d %+v, want 409 conflict naming run %d", r.status, d, id)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	b := e.getPlanRun(t, organizer, id)
	if b.Status != store.RunFailed || b.Error != msgRunStopped || b.Plan != nil {
		t.Errorf("run %d after shutdown: got status %q, error %q, want failed, %q", id, b.Status, b.Error, msgRunStopped)
	}
	r = e.do(t, "POST", "/api/v1/plans", organizer, "", nil)
	if d := errorOf(t, r); r.status != http.StatusServiceUnavailable || d.Code != store.CodeUnavailable {
		t.Errorf("POST after shutdown: got %d %+v, want 503 unavailable", r.status, d)
	}
}

func TestStageProgress(t *testing.T) {
	stages := []string{"build", "essential/maxmin", "essential/maxmin-2", "essential/total",
		"basic/maxmin", "basic/total", "wanted/maxmin", "wanted/total", "cost", "split"}
	last := 0.0
	for _, s := range stages {
		p := stageProgress(s)
		if p < last || p <= 0 || p >= 1 {
			t.Errorf("stage %s: got progress %v after %v, want more, and in (0, 1)", s, p, last)
		}
		last = p
	}
}
