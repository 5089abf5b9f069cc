package web

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// Planning runs are worked on in the background, one at a time: a run
// takes the whole world and, on a large one, every core the solver can
// use, so a second run at once would only slow the first. A request to
// start one while another is queued or running is refused with 409
// conflict, naming the run under way, rather than queued: the world may
// change in between, and the caller knows best whether a second run is
// still wanted once the first is done.

// progressEvery is how often at most a run's progress is written.
const progressEvery = time.Second

// Messages of failed runs. They are shown to organizers and must hold no
// personal data. They are stored in English, as the planner's errors
// are, and shown in the reader's language (runError).
const (
	msgRunStopped   = "the server stopped during the run"
	msgRunNoWorld   = "reading the world failed"
	msgRunStoreFail = "storing the plan failed"
	msgRunPanicked  = "the run broke on the server's side"
)

// The keys of those messages in the catalogs.
const (
	msgRunStoppedKey   msgKey = "run-stopped"
	msgRunNoWorldKey   msgKey = "run-no-world"
	msgRunStoreFailKey msgKey = "run-store-failed"
	msgRunPanickedKey  msgKey = "run-panicked"
)

// runMessages are the keys of the messages of failed runs, by message.
var runMessages = map[string]msgKey{
	msgRunStopped:   msgRunStoppedKey,
	msgRunNoWorld:   msgRunNoWorldKey,
	msgRunStoreFail: msgRunStoreFailKey,
	msgRunPanicked:  msgRunPanickedKey,
}

// runError is a run's stored error as l reads it: one of the messages
// above in l; any other (the planner's, in English) as it is.
func runError(l lang, stored string) string {
	if k, ok := runMessages[stored]; ok {
		return l.t(k)
	}
	return stored
}

// planRunBody is what GET /api/v1/plans/{id} answers.
type planRunBody struct {
	ID       int64           `json:"id"`
	Status   store.RunStatus `json:"status"`
	Progress float64         `json:"progress"`
	// Plan is the plan v1, once the run is done.
	Plan  json.RawMessage `json:"plan,omitempty"`
	Error string          `json:"error"`
}

// planRoutes are the world and the planning runs.
func (s *Server) planRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/world", action: auth.ReadAll, h: s.getWorld},
		{pattern: "PUT /api/v1/world", action: auth.WriteAll, h: s.putWorld},
		{pattern: "POST /api/v1/plans", action: auth.WriteAll, h: s.startPlan},
		// Organizers only for now; members and coordinators will read
		// their own parts of a plan through routes of their own.
		{pattern: "GET /api/v1/plans/{id}", action: auth.ReadAll, h: s.getPlan},
		// How a run is going, without its plan: for the pages that
		// watch a run a coordinator started.
		{pattern: "GET /api/v1/plans/{id}/progress", action: auth.ReadSelf, h: s.getPlanProgress},
	}
}

// startPlan creates a queued run, starts it in the background and
// answers 202 with its id.
func (s *Server) startPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := s.startRun(r)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/plans/"+strconv.FormatInt(id, 10))
	writeJSON(w, http.StatusAccepted, map[string]int64{"id": id})
	return nil
}

// startRun creates a queued run and starts it in the background, unless
// one is under way already.
func (s *Server) startRun(r *http.Request) (int64, error) {
	s.runs.Lock()
	defer s.runs.Unlock()
	if s.runs.closed {
		return 0, errorf(store.CodeUnavailable, msgUnavailable)
	}
	if s.runs.active != 0 {
		return 0, store.Errorf(store.CodeConflict, "plan run %d is under way", s.runs.active)
	}
	id, err := s.store.CreatePlanRun(r.Context())
	if err != nil {
		return 0, err
	}
	s.runs.active = id
	s.runs.wg.Add(1)
	go func() {
		defer s.runs.wg.Done()
		// A run that panics is marked failed: the page that follows it
		// would otherwise wait for good, and no run could start again.
		if s.guard(s.runs.ctx, "plan run", func() { s.runPlan(s.runs.ctx, id) }) {
			s.failRun(s.runs.ctx, id, msgRunPanicked, errPanic)
		}
		s.runs.Lock()
		s.runs.active = 0
		s.runs.Unlock()
	}()
	return id, nil
}

// activeRun returns the run under way, 0 if none.
func (s *Server) activeRun() int64 {
	s.runs.Lock()
	defer s.runs.Unlock()
	return s.runs.active
}

// runPlan works on run id: it reads the world from the store, plans it
// with the default solver, and stores the plan, or marks the run failed.
// Progress is written at most once every progressEvery, by a goroutine
// of its own, so that the solver never waits for the database.
func (s *Server) runPlan(ctx context.Context, id int64) {
	start := time.Now()
	s.log.InfoContext(ctx, "plan run started", "run", id)
	fail := func(msg string, err error) { s.failRun(ctx, id, msg, err) }
	if err := s.store.SetPlanRunProgress(ctx, id, 0); err != nil {
		fail(msgRunStoreFail, err)
		return
	}
	wd, err := s.store.World(ctx)
	if err != nil {
		fail(msgRunNoWorld, err)
		return
	}

	var progress atomic.Uint64 // math.Float64bits of the latest progress
	stop := make(chan struct{})
	written := make(chan struct{})
	go func() {
		defer close(written)
		// Progress is only shown: if writing it panics, the run goes
		// on without it.
		s.guard(ctx, "plan run progress", func() {
			t := time.NewTicker(progressEvery)
			defer t.Stop()
			last := 0.0
			for {
				select {
				case <-stop:
					return
				case <-t.C:
				}
				p := math.Float64frombits(progress.Load())
				if p == last {
					continue
				}
				if err := s.store.SetPlanRunProgress(ctx, id, p); err != nil {
					s.log.WarnContext(ctx, "plan run: progress", "run", id, "err", err)
					continue
				}
				last = p
			}
		})
	}()
	p, err := func() (*plan.Plan, error) {
		// The writer of progress stops, and has stopped, before the
		// run ends, even by a panic (which startRun recovers).
		defer func() {
			close(stop)
			<-written
		}()
		return plan.Make(ctx, wd, plan.Options{Progress: func(e plan.Event) {
			f := stageProgress(e.Stage)
			if f > math.Float64frombits(progress.Load()) {
				progress.Store(math.Float64bits(f))
			}
		}})
	}()
	if err != nil {
		// The planner's errors name stages and solver statuses, not
		// members.
		fail(err.Error(), err)
		return
	}
	if err := s.store.FinishPlanRun(ctx, id, p); err != nil {
		fail(msgRunStoreFail, err)
		return
	}
	s.log.InfoContext(ctx, "plan run done", "run", id, "duration", time.Since(start))
}

// failRun marks run id failed with msg (msgRunStopped if ctx ended) and
// logs err, which must hold no personal data.
func (s *Server) failRun(ctx context.Context, id int64, msg string, err error) {
	if ctx.Err() != nil {
		msg = msgRunStopped
	}
	// The server's context may be cancelled: the failure is still
	// written, with a little time of its own.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if ferr := s.store.FailPlanRun(fctx, id, msg); ferr != nil {
		s.log.ErrorContext(ctx, "plan run: mark failed", "run", id, "err", ferr)
	}
	s.log.WarnContext(ctx, "plan run failed", "run", id, "reason", msg, "err", err)
}

// stageProgress is the share of a run done when the planner reaches a
// stage: building the LP, then the tiers in order (each as many max-min
// rounds as it takes, then its total), the cost, and the split into
// assignments. The tiers' share is spread evenly, since how long each
// takes depends on the world.
func stageProgress(stage string) float64 {
	name, _, _ := strings.Cut(stage, "/")
	switch name {
	case "build":
		return 0.05
	case "cost":
		return 0.85
	case "split":
		return 0.95
	}
	for i, t := range world.Tiers {
		if name == string(t) {
			return 0.1 + 0.25*float64(i)
		}
	}
	return 0
}

// getPlan answers a run: its status, progress, plan once done, and the
// error if it failed.
func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return store.Errorf(store.CodeNotFound, "plan run %q not found", r.PathValue("id"))
	}
	run, err := s.store.PlanRun(r.Context(), id)
	if err != nil {
		return err
	}
	// A plan gives every member's work: its read is written to the
	// audit log first, and nothing is answered if that fails. A run
	// not done yet has no plan, and its read names no one.
	if len(run.Plan) > 0 {
		p, err := s.caller(r)
		if err != nil {
			return err
		}
		if err := s.store.AuditPlanRead(r.Context(), p.Member, run.ID); err != nil {
			return err
		}
	}
	// The plan is written as stored, not decoded and encoded again: on
	// a large plan that was most of the request's work. The store holds
	// only plans plan.Marshal wrote, which are valid JSON.
	head, err := json.Marshal(planRunBody{ID: run.ID, Status: run.Status, Progress: run.Progress,
		Error: runError(language(r.Header.Get("Accept-Language")), run.Error)})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if len(run.Plan) == 0 {
		w.Write(append(head, '\n'))
		return nil
	}
	w.Write(head[:len(head)-1])
	w.Write([]byte(`,"plan":`))
	w.Write(run.Plan)
	w.Write([]byte("}\n"))
	return nil
}

// Shutdown stops the planning run under way, if any, and waits for it to
// be marked failed, or for ctx to end. A server that is shut down starts
// no more runs. A run that could not be marked failed in time is left
// for store.FailUnfinishedPlanRuns at the next start.
func (s *Server) Shutdown(ctx context.Context) error {
	s.runs.Lock()
	s.runs.closed = true
	s.runs.Unlock()
	s.runs.cancel()
	done := make(chan struct{})
	go func() {
		s.runs.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		// Login codes being sent (login.go) are let finish too.
		return s.login.wait(ctx)
	case <-ctx.Done():
		return errors.New("web: shutdown: a plan run is still stopping")
	}
}

// getPlanProgress answers a run's status, progress and error, not its
// plan, to anyone signed in.
func (s *Server) getPlanProgress(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return store.Errorf(store.CodeNotFound, "plan run %q not found", r.PathValue("id"))
	}
	run, err := s.store.PlanRun(r.Context(), id)
	if err != nil {
		return err
	}
	// In the language of the page that follows the run (runPage).
	writeJSON(w, http.StatusOK, planRunBody{ID: run.ID, Status: run.Status, Progress: run.Progress,
		Error: runError(langOf(s.ui.pageLang(r)), run.Error)})
	return nil
}
