package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// env is a server on a real SQLite store, with its log.
type env struct {
	store *store.Store
	srv   *Server
	http  http.Handler
	log   *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	// Demo is on, so that every route there can be is served and tested;
	// its people are set by the tests that sign in through it.
	return newEnvWith(t, Options{Demo: &DemoPeople{}})
}

// newEnvWith is newEnv with the options opt.
func newEnvWith(t *testing.T, opt Options) *env {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var log bytes.Buffer
	srv := New(st, slog.New(slog.NewJSONHandler(&log, nil)), opt)
	// Before the store closes (cleanups run last first): a planning run
	// under way is stopped and marked failed.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return &env{store: st, srv: srv, http: srv.Handler(), log: &log}
}

// token creates a member and a token for them with the role, and
// returns the token.
func (e *env) token(t *testing.T, alias string, role auth.Role, collective string) string {
	t.Helper()
	ctx := context.Background()
	m, err := e.store.CreateMember(ctx, store.Member{Alias: alias, Language: "en", Cell: "9q8yy"})
	if err != nil {
		t.Fatal(err)
	}
	if collective != "" {
		if err := e.store.AddMembership(ctx, m.ID, collective, store.RoleCoordinator); err != nil {
			t.Fatal(err)
		}
	}
	tok := auth.NewToken()
	if _, err := e.store.CreateToken(ctx, store.Token{Hash: auth.Hash(tok), MemberID: m.ID, Role: string(role), Collective: collective}); err != nil {
		t.Fatal(err)
	}
	return tok
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) do(t *testing.T, method, target, token, lang string, body io.Reader) response {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// errorOf decodes an error body, failing the test if it is not one.
func errorOf(t *testing.T, r response) errorDetail {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(r.body, &b); err != nil || b.Error.Code == "" || b.Error.Message == "" {
		t.Fatalf("got body %q (%v), want an error body", r.body, err)
	}
	return b.Error
}

// TestOpenAPIComplete: every route of the mux is in the OpenAPI
// document, and the document has no route the mux lacks.
func TestOpenAPIComplete(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi: got %q, want 3.1.0", doc.OpenAPI)
	}
	e := newEnv(t)
	served := map[string]bool{}
	for _, rt := range e.srv.routes() {
		method, path, ok := strings.Cut(rt.pattern, " ")
		if !ok {
			t.Errorf("route %q has no method", rt.pattern)
			continue
		}
		// "/{$}" is the mux's way to say "/" and nothing below it.
		path = strings.TrimSuffix(path, "{$}")
		served[strings.ToLower(method)+" "+path] = true
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %q is not in openapi.json", rt.pattern)
		}
		// The route is registered on the mux, with this very pattern.
		req := httptest.NewRequest(method, strings.NewReplacer("{", "", "}", "").Replace(path), nil)
		if _, p := e.srv.mux.Handler(req); p != rt.pattern {
			t.Errorf("mux: %s %s: got pattern %q, want %q", method, path, p, rt.pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !served[method+" "+path] {
				t.Errorf("openapi.json has %s %s, which the server does not serve", method, path)
			}
		}
	}
	r := e.do(t, "GET", "/api/openapi.json", "", "", nil)
	if r.status != 200 || !bytes.Equal(r.body, openAPIDoc) {
		t.Errorf("GET /api/openapi.json: got %d, want 200 and the document", r.status)
	}
}

// messagesEN and messagesES are the API's messages in English and
// Spanish, for the tests to compare answers with.
var messagesEN, messagesES = apiMessages[english], apiMessages[spanish]

// TestMessagesComplete: every message key the code declares has its
// words in every catalog, and no catalog holds words of a key the code
// no longer has.
func TestMessagesComplete(t *testing.T) {
	decl := regexp.MustCompile(`(msg\w+)\s*(?:msgKey\s*=\s*"([^"]+)"|=\s*msgKey\("([^"]+)"\))`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[msgKey]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
			keys[msgKey(m[2]+m[3])] = true
		}
	}
	if len(keys) < 50 {
		t.Fatalf("found %d message keys in the code: the search does not work", len(keys))
	}
	if len(apiMessages) < 2 {
		t.Fatalf("catalogs: %v, want two or more", len(apiMessages))
	}
	for l, msgs := range apiMessages {
		for k := range keys {
			if msgs[k] == "" {
				t.Errorf("locales/%s.json has no words for api.%s", l, k)
			}
		}
		for k := range msgs {
			if !keys[k] {
				t.Errorf("locales/%s.json has api.%s, which no code uses", l, k)
			}
		}
	}
	for code := range statuses {
		if _, ok := codeMessages[code]; !ok {
			t.Errorf("code %q has no message", code)
		}
	}
}

func TestLanguage(t *testing.T) {
	tests := []struct {
		header string
		want   lang
	}{
		{"", english},
		{"es", spanish},
		{"es-MX,es;q=0.9", spanish},
		{"en-US,en;q=0.9,es;q=0.8", english},
		{"fr, es;q=0.5, en;q=0.4", spanish},
		{"de", english},
		{"en;q=0.2, ES;q=0.7", spanish},
		{"es;q=bad", english},
	}
	for _, tc := range tests {
		if got := language(tc.header); got != tc.want {
			t.Errorf("language(%q): got %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	if r := e.do(t, "GET", "/healthz", "", "", nil); r.status != 200 {
		t.Errorf("GET /healthz: got %d %s, want 200", r.status, r.body)
	}
	e.store.Close()
	r := e.do(t, "GET", "/healthz", "", "es", nil)
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("GET /healthz on a closed store: got %d %s, want 503", r.status, r.body)
	}
	if d := errorOf(t, r); d.Code != store.CodeUnavailable || !strings.HasPrefix(d.Message, messagesES[msgUnavailable]) {
		t.Errorf("GET /healthz on a closed store: got %+v, want unavailable in Spanish", d)
	}
}

func TestErrorStatuses(t *testing.T) {
	e := newEnv(t)
	for code, status := range statuses {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		e.srv.writeError(rec, req, &store.Error{Code: code, Message: "m-1 went wrong"})
		if rec.Code != status {
			t.Errorf("code %s: got status %d, want %d", code, rec.Code, status)
		}
		d := errorOf(t, response{rec.Code, rec.Header(), rec.Body.Bytes()})
		if d.Code != code {
			t.Errorf("code %s: got body code %q", code, d.Code)
		}
		if code == store.CodeInternal && strings.Contains(d.Message, "m-1") {
			t.Errorf("internal error: got message %q, want nothing of the error", d.Message)
		}
	}
	r := e.do(t, "GET", "/api/nowhere", "", "es", nil)
	if d := errorOf(t, r); r.status != 404 || d.Code != store.CodeNotFound || d.Message != messagesES[msgNoRoute] {
		t.Errorf("GET /api/nowhere: got %d %+v, want 404 not_found in Spanish", r.status, d)
	}
	r = e.do(t, "DELETE", "/api/v1/world", "", "", nil)
	if d := errorOf(t, r); r.status != 405 || d.Code != codeMethodNotAllowed || r.header.Get("Allow") != "GET, PUT" {
		t.Errorf("DELETE /api/v1/world: got %d %+v, Allow %q; want 405 method_not_allowed, Allow GET, PUT", r.status, d, r.header.Get("Allow"))
	}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	organizer := e.token(t, "olga", auth.Organizer, "")
	member := e.token(t, "mia", auth.Member, "")
	if _, err := e.store.CreateCollective(context.Background(), store.Collective{ID: "c-1", Name: "Plant", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	coordinator := e.token(t, "cora", auth.Coordinator, "c-1")
	tests := []struct {
		name, header string
		status       int
		code         store.Code
	}{
		{"anonymous", "", 401, codeUnauthenticated},
		{"not bearer", "Basic b2xnYTpwdw==", 401, codeUnauthenticated},
		{"malformed", "Bearer cmt_short", 401, codeUnauthenticated},
		{"session id", "Bearer " + auth.NewSession(), 401, codeUnauthenticated},
		{"unknown", "Bearer " + auth.NewToken(), 401, codeUnauthenticated},
		{"member", "Bearer " + member, 403, store.CodeForbidden},
		{"coordinator", "Bearer " + coordinator, 403, store.CodeForbidden},
		{"organizer", "Bearer " + organizer, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/api/v1/world", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			rec := httptest.NewRecorder()
			e.http.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("got %d %s, want %d", rec.Code, rec.Body, tc.status)
			}
			if tc.code != "" {
				if d := errorOf(t, response{rec.Code, rec.Header(), rec.Body.Bytes()}); d.Code != tc.code {
					t.Errorf("got code %q, want %q", d.Code, tc.code)
				}
			}
			if tc.status == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}
}

func TestWorld(t *testing.T) {
	e := newEnv(t)
	organizer := e.token(t, "olga", auth.Organizer, "")
	data, err := os.ReadFile("../world/testdata/small.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := world.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var wantJSON bytes.Buffer
	if err := world.Write(&wantJSON, want); err != nil {
		t.Fatal(err)
	}

	if r := e.do(t, "PUT", "/api/v1/world", organizer, "", bytes.NewReader(data)); r.status != http.StatusNoContent {
		t.Fatalf("PUT /api/v1/world: got %d %s, want 204", r.status, r.body)
	}
	r := e.do(t, "GET", "/api/v1/world", organizer, "", nil)
	if r.status != 200 {
		t.Fatalf("GET /api/v1/world: got %d %s, want 200", r.status, r.body)
	}
	if !bytes.Equal(r.body, wantJSON.Bytes()) {
		t.Errorf("GET /api/v1/world: got\n%s\nwant\n%s", r.body, wantJSON.Bytes())
	}

	// A bad world: every problem reported, in the request's language,
	// and nothing stored.
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc["period"] = 7
	doc["bogus"] = true
	bad, _ := json.Marshal(doc)
	r = e.do(t, "PUT", "/api/v1/world", organizer, "es", bytes.NewReader(bad))
	if r.status != 400 {
		t.Fatalf("PUT a bad world: got %d %s, want 400", r.status, r.body)
	}
	d := errorOf(t, r)
	if d.Code != store.CodeInvalid || d.Message != messagesES[msgBadWorld] || len(d.Errors) < 2 {
		t.Errorf("PUT a bad world: got %+v, want invalid, in Spanish, with two errors or more", d)
	}
	for _, msg := range d.Errors {
		if !strings.Contains(msg, ":") {
			t.Errorf("PUT a bad world: error %q names no field", msg)
		}
	}
	if r := e.do(t, "GET", "/api/v1/world", organizer, "", nil); !bytes.Equal(r.body, wantJSON.Bytes()) {
		t.Errorf("GET /api/v1/world after a bad PUT: the world changed")
	}

	r = e.do(t, "PUT", "/api/v1/world", organizer, "", strings.NewReader("{not json"))
	if d := errorOf(t, r); r.status != 400 || d.Code != store.CodeInvalid {
		t.Errorf("PUT malformed JSON: got %d %+v, want 400 invalid", r.status, d)
	}
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t)
	organizer := e.token(t, "olga", auth.Organizer, "")
	e.srv.opt.MaxBody = 16
	r := e.do(t, "PUT", "/api/v1/world", organizer, "", strings.NewReader(`{"format": "commune.world/v1", "period": "week"}`))
	if d := errorOf(t, r); r.status != http.StatusRequestEntityTooLarge || d.Code != codeTooLarge {
		t.Errorf("PUT over the limit: got %d %+v, want 413 too_large", r.status, d)
	}
}

// TestLog: a request is logged with its method, route pattern, status
// and duration, and nothing of the path, query, body or client.
func TestLog(t *testing.T) {
	e := newEnv(t)
	organizer := e.token(t, "olga", auth.Organizer, "")
	req := httptest.NewRequest("GET", "/api/v1/world?alias=secret-alias", nil)
	req.Header.Set("Authorization", "Bearer "+organizer)
	req.RemoteAddr = "203.0.113.9:4444"
	e.http.ServeHTTP(httptest.NewRecorder(), req)
	var entry map[string]any
	if err := json.Unmarshal(e.log.Bytes(), &entry); err != nil {
		t.Fatalf("log: %v: %s", err, e.log)
	}
	if entry["method"] != "GET" || entry["route"] != "GET /api/v1/world" || entry["status"] != 200.0 || entry["duration"] == nil {
		t.Errorf("log: got %v, want method, route, status 200, duration", entry)
	}
	for _, secret := range []string{"secret-alias", "203.0.113", organizer, "olga"} {
		if strings.Contains(e.log.String(), secret) {
			t.Errorf("log holds %q: %s", secret, e.log)
		}
	}
}

// TestPublicBodyLimit: the routes anyone may call without signing in
// read at most publicMaxBody bytes of a body, whatever Options.MaxBody
// allows the routes behind a sign-in (a world is tens of megabytes): a
// stranger's 64 MiB email or passkey answer would otherwise be read
// whole into memory, many at once, before any rate limit is asked.
func TestPublicBodyLimit(t *testing.T) {
	e := newEnv(t)
	// The answer says why: the body was cut at the limit, not read whole
	// and then found to be no email.
	big := `{"email": "` + strings.Repeat("a", publicMaxBody) + `@example.org"}`
	for _, target := range []string{"/api/v1/login/code", "/api/v1/login/code/verify"} {
		req := httptest.NewRequest("POST", target, strings.NewReader(big))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.http.ServeHTTP(rec, req)
		r := response{rec.Code, rec.Header(), rec.Body.Bytes()}
		if d := errorOf(t, r); r.status != http.StatusRequestEntityTooLarge || d.Code != codeTooLarge {
			t.Errorf("POST %s with %d bytes: got %d %+v, want 413 too_large", target, len(big), r.status, d)
		}
	}
}
