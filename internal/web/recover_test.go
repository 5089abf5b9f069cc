package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
)

// What the panics of these tests carry: a member's name and an IP
// address, which the log must never hold.
const (
	panicName = "Marisol del Barrio"
	panicIP   = "203.0.113.9"
)

// stepPanics makes the steps of background work panic (Options.beforeStep):
// step s panics on its calls whose numbers (from 1) are in at[s], with
// the value made by how[s], or an error naming panicName and panicIP.
type stepPanics struct {
	at  map[string][]int
	how map[string]func() any

	mu    sync.Mutex
	calls map[string]int
}

func (p *stepPanics) before(step string) {
	p.mu.Lock()
	if p.calls == nil {
		p.calls = map[string]int{}
	}
	p.calls[step]++
	n := p.calls[step]
	p.mu.Unlock()
	if !slices.Contains(p.at[step], n) {
		return
	}
	if how := p.how[step]; how != nil {
		panic(how())
	}
	panic(errors.New("member " + panicName + " at " + panicIP))
}

// count is how many times step ran.
func (p *stepPanics) count(step string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[step]
}

// indexPanic panics with a runtime error, whose message the log keeps.
func indexPanic() any {
	var a []int
	i := len(panicName)
	return a[i] // index out of range
}

// panicLogs returns the entries of log that say a step of background
// work panicked, by step, failing the test if log holds the panics'
// data or an address.
func panicLogs(t *testing.T, log []byte, also ...string) map[string][]string {
	t.Helper()
	for _, s := range append([]string{panicName, panicIP, "127.0.0.1"}, also...) {
		if bytes.Contains(log, []byte(s)) {
			t.Errorf("the log holds %q:\n%s", s, log)
		}
	}
	out := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var entry struct{ Msg, Worker, Err string }
		if err := json.Unmarshal(sc.Bytes(), &entry); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if entry.Msg == "background work panicked" {
			out[entry.Worker] = append(out[entry.Worker], entry.Err)
		}
	}
	return out
}

// wantPanicLog fails the test unless got, the panics logged of a step,
// holds one whose error contains each of want, with the stack.
func wantPanicLog(t *testing.T, got map[string][]string, step string, want ...string) {
	t.Helper()
	for _, e := range got[step] {
		ok := strings.Contains(e, "goroutine ") && strings.Contains(e, "runtime/debug.Stack")
		for _, w := range want {
			ok = ok && strings.Contains(e, w)
		}
		if ok {
			return
		}
	}
	t.Errorf("no panic of %q logged with %q and the stack; logged: %q", step, want, got[step])
}

// TestEventWorkerPanic: steps of the server's event worker that panic,
// in its first purge at start and in its rounds, neither stop the
// process (the worker runs on a goroutine of its own: a panic left to
// it would end the test binary) nor the worker: the steps after them,
// and a later round's purge, still run and delete the expired event's
// answers. The log names the step, the type of the value or a runtime
// error's message, never the value. The panics come from a test hook
// (Options.beforeStep) at the start of each step; the store is real.
func TestEventWorkerPanic(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db database) {
		st, ev := storeExpiredEvent(t, db)

		// The purge at start and the first two rounds' purges panic;
		// noting the sizes panics in every round.
		hook := &stepPanics{
			at:  map[string][]int{"event purge": {1, 2, 3}, "note sizes": {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
			how: map[string]func() any{"event purge": func() any { return panicName + " " + panicIP }, "note sizes": indexPanic},
		}
		var log bytes.Buffer
		srv := New(st, slog.New(slog.NewJSONHandler(&log, nil)), Options{eventEvery: 20 * time.Millisecond, beforeStep: hook.before})
		stopped := false
		stop := func() {
			if !stopped {
				stopped = true
				if err := srv.Shutdown(context.Background()); err != nil {
					t.Error(err)
				}
			}
		}
		t.Cleanup(stop)
		deadline := time.Now().Add(20 * time.Second)
		for {
			var n int
			if err := db.raw.QueryRow(`SELECT COUNT(*) FROM event_rsvps WHERE event_id = $1`, ev.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("20 s after the server started: %d answers, want none; the purge ran %d times", n, hook.count("event purge"))
			}
			time.Sleep(20 * time.Millisecond)
		}
		if got := hook.count("event purge"); got < 4 {
			t.Errorf("the answers were deleted after %d purges, want the fourth (three panicked)", got)
		}
		stop() // the worker has returned: the log is complete
		got := panicLogs(t, log.Bytes())
		wantPanicLog(t, got, "event purge", "web: panic: string")
		wantPanicLog(t, got, "note sizes", "index out of range")
		if n := len(got["event purge"]); n != 3 {
			t.Errorf("%d panics of the purge logged, want 3", n)
		}
	})
}

// TestCallWorkerPanic: the work of urgent calls, as commune serve runs
// it (RunCalls), goes on through panics: in a step of the tick (a
// ring, the purge, the tick itself) and in a send, which runs on a
// goroutine of its own. Every member of the first ring still gets the
// call's email (the send that panicked is tried again, as a failed
// try), the purge after the close still deletes the call's targets,
// and RunCalls returns when its context ends. The steps panic through
// a test hook; the send through a channel that panics once and then
// sends with the real email channel, to a real SMTP server; the store
// is real.
func TestCallWorkerPanic(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db database) {
		hook := &stepPanics{
			at: map[string][]int{"call tick": {1}, "call ring": {1}, "call purge": {1}},
			how: map[string]func() any{"call ring": indexPanic, "call tick": func() any {
				return &addrPanic{addr: panicIP}
			}},
		}
		var purgePanics atomic.Int32 // purges still to panic after the close
		e := newCallEnvWith(t, db.cfg, 4, func(o *Options) {
			o.Calls.Tick = 20 * time.Millisecond
			o.Calls.Backoff = 20 * time.Millisecond
			o.Calls.Retention = time.Millisecond
			o.beforeStep = func(step string) {
				if step == "call purge" && purgePanics.Add(-1) >= 0 {
					panic(errors.New(panicName))
				}
				hook.before(step)
			}
		})
		email := e.srv.calls.channels["email"]
		// The first send to a member with an email panics (a request
		// to verify, to a coordinator without one, may come first).
		var sends atomic.Int32
		var panicked atomic.Bool
		e.srv.calls.channels["email"] = CallChannel{Send: func(ctx context.Context, d *store.Delivery, n notify.CallNotice) error {
			sends.Add(1)
			if d.Contact.Email != "" && panicked.CompareAndSwap(false, true) {
				panic(errors.New("send to " + panicName + " <" + d.Contact.Email + "> from " + panicIP))
			}
			return email.Send(ctx, d, n)
		}}

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- e.srv.RunCalls(ctx) }()
		body := validCall(time.Now().Add(time.Hour))
		body["headcount"] = 1
		id := e.verifiedCall(t, body)
		var got []string
		for range 3 {
			got = append(got, waitMessage(t, e.smtp).To...)
		}
		slices.Sort(got)
		if !slices.Equal(got, e.emails[:3]) {
			t.Errorf("the worker emailed %v, want %v", got, e.emails[:3])
		}
		// Each of the three got one: the send that panicked was tried
		// again.
		if n := sends.Load(); n < 4 {
			t.Errorf("%d sends, want at least 4: one panicked and was tried again", n)
		}
		targets := func() int {
			var n int
			if err := db.raw.QueryRow(`SELECT COUNT(*) FROM call_targets WHERE call_id = $1`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := targets(); n == 0 {
			t.Fatal("no targets before the close")
		}
		purgePanics.Store(2) // the next two purges panic
		e.json(t, "POST", "/api/v1/calls/"+id+"/close", e.verifier, nil, 200, nil)
		deadline := time.Now().Add(20 * time.Second)
		for targets() > 0 {
			if time.Now().After(deadline) {
				t.Fatal("20 s after the close, the call's targets are still there")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if n := purgePanics.Load(); n >= 0 {
			t.Errorf("the targets were deleted with %d purges still to panic, want the purges after the close to have panicked", n+1)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("RunCalls: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("RunCalls did not return after its context ended")
		}
		if err := e.srv.Shutdown(context.Background()); err != nil { // the event worker too: the log is complete
			t.Fatal(err)
		}
		logged := panicLogs(t, e.log.Bytes(), "@example.org")
		wantPanicLog(t, logged, "call tick", "web: panic: *web.addrPanic")
		wantPanicLog(t, logged, "call ring", "index out of range")
		wantPanicLog(t, logged, "call purge", "web: panic: *errors.errorString")
		wantPanicLog(t, logged, "call send", "web: panic: *errors.errorString")
		if n := len(logged["call purge"]); n != 3 {
			t.Errorf("%d panics of the purge logged, want 3", n)
		}
		box, err := e.store.Outbox(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(box) != 0 {
			t.Errorf("outbox after the purge: %+v, want none", box)
		}
	})
}

// addrPanic is a panic value of the test's own type, holding an address.
type addrPanic struct{ addr string }

// waitMessage is the next message the SMTP server received, within 20 s.
func waitMessage(t *testing.T, s *smtptest.Server) smtptest.Message {
	t.Helper()
	select {
	case m := <-s.Messages:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("no message within 20 s")
		return smtptest.Message{}
	}
}

// TestJobPanics: one-shot jobs that panic. A planning run is marked
// failed, with a message in the reader's language, and the next run
// can start; a login code's sending is logged and the answer is the
// same 202. Neither stops the process, and the log holds the value's
// type only. The panics come from a test hook at the start of each job;
// the store and the SMTP server are real.
func TestJobPanics(t *testing.T) {
	hook := &stepPanics{
		at: map[string][]int{"plan run": {1}, "login code": {1}},
		how: map[string]func() any{"login code": func() any {
			return pairPanic{"rosa@example.org", panicIP}
		}},
	}
	mail := smtptest.Start(t, smtptest.Options{})
	mailer, err := notify.NewMailer(mail.URL)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, Options{Mailer: mailer, beforeStep: hook.before})
	tok := e.token(t, "organizer", auth.Organizer, "")

	var started map[string]int64
	r := e.json(t, "POST", "/api/v1/plans", tok, nil, http.StatusAccepted, &started)
	id := started["id"]
	if r.header.Get("Location") != "/api/v1/plans/"+strconv.FormatInt(id, 10) {
		t.Errorf("Location: %q", r.header.Get("Location"))
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var b planRunBody
		if err := json.Unmarshal(e.do(t, "GET", "/api/v1/plans/"+strconv.FormatInt(id, 10)+"/progress", tok, "es", nil).body, &b); err != nil {
			t.Fatal(err)
		}
		if b.Status == store.RunFailed {
			if want := spanish.t(msgRunPanickedKey); b.Error != want {
				t.Errorf("run %d in Spanish: error %q, want %q", id, b.Error, want)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %d 20 s after it started: %+v, want failed", id, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var b planRunBody
	if err := json.Unmarshal(e.do(t, "GET", "/api/v1/plans/"+strconv.FormatInt(id, 10), tok, "en", nil).body, &b); err != nil {
		t.Fatal(err)
	}
	if want := english.t(msgRunPanickedKey); b.Status != store.RunFailed || b.Error != want {
		t.Errorf("run %d in English: %+v, want failed, %q", id, b, want)
	}
	// The run is over: another may start (409 while one is under way).
	for e.srv.activeRun() == id {
		time.Sleep(10 * time.Millisecond)
	}
	e.json(t, "POST", "/api/v1/plans", tok, nil, http.StatusAccepted, nil)

	if _, err := e.store.CreateMember(context.Background(), store.Member{Alias: "rosa", Language: "es", Cell: "9q5cs",
		Contact: store.Contact{Email: "rosa@example.org"}}); err != nil {
		t.Fatal(err)
	}
	login := func() {
		t.Helper()
		req := httptest.NewRequest("POST", "/api/v1/login/code", strings.NewReader(`{"email": "rosa@example.org"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.http.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			t.Fatalf("POST /api/v1/login/code: got %d %s, want 202", rec.Code, rec.Body)
		}
	}
	login() // panics
	login() // sends
	if got := waitMessage(t, mail).To; !slices.Equal(got, []string{"rosa@example.org"}) {
		t.Errorf("the code went to %v", got)
	}
	if err := e.srv.Shutdown(context.Background()); err != nil { // the jobs have ended: the log is complete
		t.Fatal(err)
	}
	logged := panicLogs(t, e.log.Bytes(), "rosa@")
	wantPanicLog(t, logged, "plan run", "web: panic: *errors.errorString")
	wantPanicLog(t, logged, "login code", "web: panic: web.pairPanic")
}

// pairPanic is a panic value that is neither an error nor a string.
type pairPanic [2]string

// TestRunError: the fixed messages of failed runs are shown in the
// reader's language; the planner's own, in English, as they are.
func TestRunError(t *testing.T) {
	for stored, key := range runMessages {
		for _, l := range []lang{english, spanish} {
			if got := runError(l, stored); got != l.t(key) || got == "" {
				t.Errorf("runError(%s, %q) = %q, want %q", l, stored, got, l.t(key))
			}
		}
	}
	if got := runError(spanish, "tier basic: solver: iteration limit"); got != "tier basic: solver: iteration limit" {
		t.Errorf("a planner's error in Spanish: got %q, want it as it is", got)
	}
	if runError(spanish, msgRunStopped) == msgRunStopped {
		t.Errorf("%q is not translated into Spanish", msgRunStopped)
	}
}
