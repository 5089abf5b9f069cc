package web

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/store"
)

// Options tune a Server; the zero value is usable.
type Options struct {
	// MaxBody is the largest request body accepted, in bytes; 0 means
	// 64 MiB, enough for a world of a hundred thousand members. Routes
	// that need no sign-in take at most publicMaxBody.
	MaxBody int64
	// PublicURL is where browsers reach the server, such as
	// https://commune.example.org; "" means http://localhost:8080. It
	// makes the links of invites, names the session cookie (__Host- and
	// Secure over https) and is the passkeys' relying party: its host
	// must be a domain name, not an IP address, for passkeys to work
	// (login.go).
	PublicURL string
	// Mailer sends one-time login codes and the links that confirm the
	// email a member gives (emailconfirm.go); nil turns sign-in by
	// email off, and no email is asked for.
	Mailer *notify.Mailer
	// Demo turns on the demo's one-click sign-in links (demo.go); only
	// "commune demo" sets it.
	Demo *DemoPeople
	// Pusher sends Web Push messages; members' browsers subscribe with
	// its key (push.go). Nil turns push off.
	Pusher *notify.Pusher
	// SMS sends text messages through a gateway: urgent calls' notices,
	// and event reminders to members who can be reached no other way.
	// Nil turns texts off.
	SMS *notify.SMS
	// Calls tunes the work of urgent calls (callwork.go).
	Calls CallOptions
	// TrustedProxies are the address ranges of the reverse proxies in
	// front of the server. A request whose peer is in one of them is
	// counted, by the limits per client, as coming from the
	// last address of its Forwarded or X-Forwarded-For that is in none
	// of them (client.go); without them neither header is read.
	TrustedProxies []netip.Prefix

	// For tests: beforeStep, if set, is called at the start of each
	// step of background work with the step's name (guard), so that a
	// test can make it panic; eventEvery, if set, replaces eventEvery.
	beforeStep func(step string)
	eventEvery time.Duration
}

// publicMaxBody is the largest body of a public route (one that needs
// no sign-in: asking for a login code, a passkey's answer, the invite
// page's form), whatever MaxBody is. Their bodies are a few kilobytes;
// a stranger's must not be read whole up to a world's 64 MiB, many at
// once, before a rate limit is even asked.
const publicMaxBody = 64 << 10

// Server answers the API from a store.
type Server struct {
	store *store.Store
	log   *slog.Logger
	opt   Options
	mux   *http.ServeMux
	runs  runs
	ui    *ui
	login *login // sessions, codes and passkeys (login.go)
	// postcodes is geo.Postcodes: a cell typed as a postcode is looked
	// up in it (cellinput.go).
	postcodes map[string]string
	calls     *calls // urgent calls' channels and boards (callwork.go)
}

// runs keeps the planning run under way (plans.go): at most one, worked
// on under ctx, which Shutdown cancels.
type runs struct {
	sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	active int64 // the run under way, 0 if none
	closed bool  // Shutdown was called
}

// New returns a server over st that logs to log. Shutdown stops the
// planning runs it started.
func New(st *store.Store, log *slog.Logger, opt Options) *Server {
	if opt.MaxBody <= 0 {
		opt.MaxBody = 64 << 20
	}
	u, err := newUI()
	if err != nil {
		// The templates, catalogs and assets are built in: a failure
		// here is a mistake in them, which every test would catch.
		panic(err)
	}
	pc, err := geo.Postcodes()
	if err != nil {
		panic(err) // built in, as the templates are
	}
	s := &Server{store: st, log: log, opt: opt, mux: http.NewServeMux(), ui: u, postcodes: pc}
	s.login = newLogin(opt, log)
	s.calls = s.newCalls(opt)
	s.runs.ctx, s.runs.cancel = context.WithCancel(context.Background())
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, s.handle(rt))
	}
	s.startEventWorker()
	return s
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one entry of the API. The table in routes both registers the
// routes on the mux and is what the OpenAPI test checks, so that no
// route can be served without being documented.
type route struct {
	pattern string // a ServeMux pattern with a method: "GET /healthz"
	// public routes need no principal; the others need one that
	// auth.Allow lets do action.
	public bool
	action auth.Action
	// collective names the path wildcard holding the collective the
	// request concerns, if any.
	collective string
	// page routes answer HTML, errors included, and take "?lang=".
	page bool
	h    handlerFunc
	// again shows a page's form again, filled in with f, when it was
	// sent with a stale CSRF token (sendAgain): the form's page, with
	// the status given. Forms without one get sendAgain's page.
	again func(w http.ResponseWriter, r *http.Request, status int, f form) error
}

// routes is every route the server serves, gathered from the files of
// each area so that each area keeps its routes beside its handlers.
func (s *Server) routes() []route {
	var rts []route
	for _, area := range [][]route{
		s.baseRoutes(),
		s.pageRoutes(),
		s.planRoutes(),
		s.collectiveRoutes(),
		s.loginRoutes(),
		s.meRoutes(),
		s.mePageRoutes(),
		s.tokenRoutes(),
		s.auditPageRoutes(),
		s.collectivePageRoutes(),
		s.joinRoutes(),
		s.emailConfirmRoutes(),
		s.signInRoutes(),
		s.demoRoutes(),
		s.editRoutes(),
		s.pushRoutes(),
		s.callRoutes(), s.callPageRoutes(),
		s.eventRoutes(), s.eventPageRoutes(),
		s.circulationRoutes(),
		s.newsRoutes(),
	} {
		rts = append(rts, area...)
	}
	return rts
}

func (s *Server) baseRoutes() []route {
	return []route{
		{pattern: "GET /healthz", public: true, h: s.healthz},
		{pattern: "GET /api/openapi.json", public: true, h: s.openAPI},
	}
}

// handle turns a route into an http.Handler: it authorizes the request,
// runs the handler, and writes its error.
func (s *Server) handle(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			limit := s.opt.MaxBody
			if rt.public {
				limit = min(limit, publicMaxBody)
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if rt.page && s.chooseLang(w, r) {
			return
		}
		r, err := s.authorize(r, rt)
		if err != nil && rt.page && s.sendAgain(w, r, rt, err) {
			return
		}
		if err == nil {
			err = rt.h(w, r)
		}
		switch {
		case err == nil:
		case rt.page:
			s.pageError(w, r, err)
		default:
			s.writeError(w, r, err)
		}
	})
}

// serve logs every request: method, route pattern, status and duration.
// Never the path (it may hold ids of members), the query string, the
// body, a header or the address of the client. A handler's panic is
// recovered here (recovered), so that net/http never logs it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	defer func() {
		v := recover()
		if v != nil && v != http.ErrAbortHandler {
			s.recovered(rec, r, v)
		}
		if rec.status == 0 && v == nil {
			rec.status = http.StatusOK // an aborted answer logs 0: nothing was sent
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("route", r.Pattern),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)))
		if v == http.ErrAbortHandler {
			// net/http ends the response and logs nothing of this one.
			panic(v)
		}
	}()
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(rec, r)
	} else if allow := s.allowed(r); len(allow) > 0 {
		rec.Header().Set("Allow", strings.Join(allow, ", "))
		s.writeError(rec, r, errorf(codeMethodNotAllowed, msgMethodNotAllowed))
	} else if strings.HasPrefix(r.URL.Path, "/api/") {
		s.writeError(rec, r, errorf(store.CodeNotFound, msgNoRoute))
	} else {
		// A person following a broken link gets a page, not JSON.
		s.pageError(rec, r, errorf(store.CodeNotFound, msgNoRoute))
	}
}

// recovered answers a request whose handler panicked with v, with the
// error page or the JSON error of an internal error, in the reader's
// language. Left to net/http, the panic would go to the server's log
// with the client's address ("http: panic serving 203.0.113.9:4444")
// and the value, which may hold what the handler was working on. The
// log gets the route and the panic as panicError says (recover.go):
// the message of a runtime error, else the value's type, and the stack.
func (s *Server) recovered(w *recorder, r *http.Request, v any) {
	err := panicError(v)
	if w.status != 0 {
		// The answer had begun: it cannot become an error any more.
		s.log.ErrorContext(r.Context(), "request failed", "route", r.Pattern, "code", string(store.CodeInternal), "err", err)
		return
	}
	defer func() {
		// The error page itself failed: a plain answer, the same in
		// both languages, rather than a second panic for net/http.
		if recover() != nil {
			s.log.ErrorContext(r.Context(), "error page failed", "route", r.Pattern, "err", errPanic)
			if w.status == 0 {
				http.Error(w, "500: error interno / internal error", http.StatusInternalServerError)
			}
		}
	}()
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.writeError(w, r, err)
	} else {
		s.pageError(w, r, err)
	}
}

// methods are those the API's routes use.
var methods = []string{"GET", "PUT", "POST", "PATCH", "DELETE"}

// allowed returns the methods the mux serves on r's path, so that a
// request with another method is answered 405, not 404.
func (s *Server) allowed(r *http.Request) []string {
	var allow []string
	for _, m := range methods {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pattern := s.mux.Handler(r2); pattern != "" {
			allow = append(allow, m)
		}
	}
	return allow
}

// recorder remembers the status a handler wrote.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDoc)
	return nil
}
