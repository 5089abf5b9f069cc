package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
)

// clock is the server's time in a test, moved by the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// loginEnv is a server on a real SQLite store, served over real HTTP on
// loopback, sending email to a real SMTP server.
type loginEnv struct {
	*env
	url   string
	smtp  *smtptest.Server
	clock *clock
}

func newLoginEnv(t *testing.T, publicURL string) *loginEnv {
	t.Helper()
	return newLoginEnvWith(t, Options{PublicURL: publicURL})
}

// newLoginEnvWith is newLoginEnv with more options; their Mailer is the
// test's.
func newLoginEnvWith(t *testing.T, opt Options) *loginEnv {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	mail := smtptest.Start(t, smtptest.Options{})
	mailer, err := notify.NewMailer(mail.URL)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	opt.Mailer = mailer
	srv := New(st, slog.New(slog.NewJSONHandler(&log, nil)), opt)
	clk := &clock{t: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}
	srv.login.now = clk.now
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return &loginEnv{env: &env{store: st, srv: srv, http: srv.Handler(), log: &log}, url: hs.URL, smtp: mail, clock: clk}
}

// member creates a member with the email.
func (e *loginEnv) member(t *testing.T, alias, lang, email string) *store.Member {
	t.Helper()
	m, err := e.store.CreateMember(context.Background(), store.Member{Alias: alias, Language: lang, Cell: "9q5cs",
		Contact: store.Contact{Email: email}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// browser is an HTTP client with its own cookies, as a browser is.
type browser struct {
	e    *loginEnv
	c    *http.Client
	csrf string // sent as X-CSRF-Token when set
	lang string
}

func (e *loginEnv) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{e: e, c: &http.Client{Jar: jar}}
}

// do sends body (marshalled to JSON unless it is a []byte) and returns
// the response.
func (b *browser) do(t *testing.T, method, path string, body any) response {
	t.Helper()
	var r io.Reader
	switch v := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(v)
	default:
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, b.e.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if b.csrf != "" {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	return send(t, b.c, req)
}

// send sends req with c and reads its whole answer.
func send(t *testing.T, c *http.Client, req *http.Request) response {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, data}
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// code asks for a code for email and reads it from the email that
// arrives, checking it went to to.
func (b *browser) code(t *testing.T, email, to string) string {
	t.Helper()
	if r := b.do(t, "POST", "/api/v1/login/code", map[string]string{"email": email}); r.status != http.StatusAccepted {
		t.Fatalf("POST /api/v1/login/code: got %d %s, want 202", r.status, r.body)
	}
	msg := b.e.smtp.Wait(t)
	if len(msg.To) != 1 || msg.To[0] != to {
		t.Fatalf("code sent to %v, want %s", msg.To, to)
	}
	_, body := msg.Parsed(t)
	code := sixDigits.FindString(body)
	if code == "" {
		t.Fatalf("no code in the email: %q", body)
	}
	return code
}

// signIn signs in with an emailed code and keeps the CSRF token.
func (b *browser) signIn(t *testing.T, email, to string) sessionBody {
	t.Helper()
	code := b.code(t, email, to)
	r := b.do(t, "POST", "/api/v1/login/code/verify", map[string]string{"email": email, "code": code})
	if r.status != http.StatusOK {
		t.Fatalf("verify the right code: got %d %s, want 200", r.status, r.body)
	}
	var s sessionBody
	if err := json.Unmarshal(r.body, &s); err != nil {
		t.Fatal(err)
	}
	b.csrf = s.CSRF
	return s
}

func decodeAs[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

// sessionCookie returns the Set-Cookie of the session in r.
func sessionCookie(r response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestLoginWithCode(t *testing.T) {
	e := newLoginEnv(t, "")
	rosa := e.member(t, "Rosa", "es", "Rosa.Organiza@example.org")
	b := e.browser(t)

	// The email is found whatever its case, and the code goes to the
	// address as stored, in the member's language.
	if r := b.do(t, "POST", "/api/v1/login/code", map[string]string{"email": "  rosa.organiza@EXAMPLE.org"}); r.status != 202 {
		t.Fatalf("POST /api/v1/login/code: got %d %s, want 202", r.status, r.body)
	}
	msg := e.smtp.Wait(t)
	h, body := msg.Parsed(t)
	code := sixDigits.FindString(body)
	if msg.To[0] != "Rosa.Organiza@example.org" || h["Subject"] != "Su código de commune" || code == "" ||
		!strings.Contains(body, "10 minutos") {
		t.Fatalf("the email: to %v, subject %q, body %q; want it to Rosa, in Spanish, with a code", msg.To, h["Subject"], body)
	}

	// A wrong code, and an unknown email, are told apart from nothing.
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	r1 := b.do(t, "POST", "/api/v1/login/code/verify", map[string]string{"email": "rosa.organiza@example.org", "code": wrong})
	r2 := b.do(t, "POST", "/api/v1/login/code/verify", map[string]string{"email": "nadie@example.org", "code": code})
	for _, r := range []response{r1, r2} {
		if d := errorOf(t, r); r.status != 401 || d.Code != codeUnauthenticated || d.Message != messagesEN[msgCodeWrong] {
			t.Errorf("a wrong code or email: got %d %+v, want 401 %q", r.status, d, messagesEN[msgCodeWrong])
		}
		if r.header.Get("Set-Cookie") != "" {
			t.Errorf("a wrong code set a cookie: %s", r.header.Get("Set-Cookie"))
		}
	}
	if !bytes.Equal(r1.body, r2.body) {
		t.Errorf("a wrong code answers %s, an unknown email %s: they must not differ", r1.body, r2.body)
	}

	// The right code signs in, once.
	r := b.do(t, "POST", "/api/v1/login/code/verify", map[string]string{"email": "rosa.organiza@example.org", "code": code})
	if r.status != 200 {
		t.Fatalf("the right code: got %d %s, want 200", r.status, r.body)
	}
	s := decodeAs[sessionBody](t, r)
	c := sessionCookie(r, "commune_session")
	if s.Member != rosa.ID || s.Passkey || s.CSRF == "" {
		t.Errorf("sign-in answer: got %+v, want member %s, no passkey, a CSRF token", s, rosa.ID)
	}
	if c == nil || !strings.HasPrefix(c.Value, auth.SessionPrefix) || !c.HttpOnly || c.Secure || c.SameSite != http.SameSiteLaxMode ||
		c.Path != "/" || c.MaxAge != int(store.SessionMaxAge.Seconds()) {
		t.Fatalf("session cookie: got %+v, want commune_session, HttpOnly, not Secure over http, SameSite=Lax, Path=/", c)
	}
	if r := b.do(t, "POST", "/api/v1/login/code/verify", map[string]string{"email": "rosa.organiza@example.org", "code": code}); r.status != 401 {
		t.Errorf("a code used twice: got %d, want 401", r.status)
	}

	// The cookie is a principal; its role comes from the database.
	r = b.do(t, "GET", "/api/v1/login/session", nil)
	if got := decodeAs[sessionBody](t, r); r.status != 200 || got.Member != rosa.ID || got.Role != auth.Member || got.Passkey || got.CSRF != s.CSRF {
		t.Errorf("GET /api/v1/login/session: got %d %+v, want member %s, role member, the same CSRF token", r.status, got, rosa.ID)
	}
	ctx := context.Background()
	if _, err := e.store.CreateCollective(ctx, store.Collective{ID: "c-1", Name: "Plant", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddMembership(ctx, rosa.ID, "c-1", store.RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	r = b.do(t, "GET", "/api/v1/login/session", nil)
	if got := decodeAs[sessionBody](t, r); got.Role != auth.Coordinator || len(got.Coordinates) != 1 || got.Coordinates[0] != "c-1" {
		t.Errorf("a coordinator's session: got %+v, want coordinator of c-1", got)
	}
	if err := e.store.SetOrganizer(ctx, rosa.ID, true); err != nil {
		t.Fatal(err)
	}
	if got := decodeAs[sessionBody](t, b.do(t, "GET", "/api/v1/login/session", nil)); got.Role != auth.Organizer {
		t.Errorf("an organizer's session: got %+v, want organizer", got)
	}
	// Without a passkey, an organizer may do only what a member may.
	if r := b.do(t, "GET", "/api/v1/world", nil); r.status != 403 {
		t.Errorf("GET /api/v1/world with a code session of an organizer: got %d, want 403", r.status)
	}

	// CSRF: a cookie request that changes something needs the token.
	b.csrf = ""
	r = b.do(t, "POST", "/api/v1/logout", nil)
	if d := errorOf(t, r); r.status != 403 || d.Message != messagesEN[msgBadCSRF] {
		t.Errorf("logout without X-CSRF-Token: got %d %+v, want 403 %q", r.status, d, messagesEN[msgBadCSRF])
	}
	b.csrf = auth.CSRFToken(e.store.Key("csrf"), auth.NewSession())
	if r := b.do(t, "POST", "/api/v1/logout", nil); r.status != 403 {
		t.Errorf("logout with another session's token: got %d, want 403", r.status)
	}
	b.csrf = s.CSRF
	r = b.do(t, "POST", "/api/v1/logout", nil)
	if c := sessionCookie(r, "commune_session"); r.status != 204 || c == nil || c.MaxAge >= 0 {
		t.Fatalf("logout: got %d, cookie %+v, want 204 and the cookie cleared", r.status, c)
	}
	if got := r.header.Get("Clear-Site-Data"); got != forgetPages {
		t.Errorf("logout: Clear-Site-Data %q, want %q", got, forgetPages)
	}
	if _, err := e.store.SessionByHash(ctx, auth.Hash(c.Value), e.clock.now()); store.ErrorCode(err) != store.CodeNotFound {
		t.Errorf("the session after logout: got %v, want not found", err)
	}
	if r := b.do(t, "GET", "/api/v1/login/session", nil); r.status != 401 {
		t.Errorf("GET /api/v1/login/session after logout: got %d, want 401", r.status)
	}
	// Rosa's email was asked for twice (one code was sent); the log names
	// neither her nor her address.
	for _, secret := range []string{"Rosa", "organiza", code} {
		if strings.Contains(e.log.String(), secret) {
			t.Errorf("log holds %q", secret)
		}
	}
}

func TestLoginCodeAttempts(t *testing.T) {
	e := newLoginEnv(t, "")
	e.member(t, "Ana", "en", "ana@example.org")
	b := e.browser(t)
	code := b.code(t, "ana@example.org", "ana@example.org")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := range auth.CodeAttempts {
		if r := b.do(t, "POST", "/api/v1/login/code/verify", map[string]string{"email": "ana@example.org", "code": wrong}); r.status != 401 {
			t.Fatalf("wrong attempt %d: got %d %s, want 401", i+1, r.status, r.body)
		}
	}
	// After the last attempt the right code no longer works.
	r := b.do(t, "POST", "/api/v1/login/code/verify", map[string]string{"email": "ana@example.org", "code": code})
	if d := errorOf(t, r); r.status != 401 || d.Message != messagesEN[msgCodeWrong] {
		t.Errorf("the right code after %d wrong ones: got %d %+v, want 401", auth.CodeAttempts, r.status, d)
	}
	// Nor does a code after it expired.
	code = b.code(t, "ana@example.org", "ana@example.org")
	e.clock.add(auth.CodeTTL)
	if r := b.do(t, "POST", "/api/v1/login/code/verify", map[string]string{"email": "ana@example.org", "code": code}); r.status != 401 {
		t.Errorf("an expired code: got %d %s, want 401", r.status, r.body)
	}
	// A new code works.
	b.signIn(t, "ana@example.org", "ana@example.org")
}

func TestLoginCodeRateLimit(t *testing.T) {
	e := newLoginEnv(t, "")
	e.member(t, "Ana", "en", "ana@example.org")
	b := e.browser(t)
	b.lang = "es"
	for _, email := range []string{"ana@example.org", "nadie@example.org"} {
		for i := range 3 {
			if r := b.do(t, "POST", "/api/v1/login/code", map[string]string{"email": email}); r.status != 202 {
				t.Fatalf("%s, request %d: got %d %s, want 202", email, i+1, r.status, r.body)
			}
		}
		// A known and an unknown email are limited alike.
		r := b.do(t, "POST", "/api/v1/login/code", map[string]string{"email": email})
		if d := errorOf(t, r); r.status != 429 || d.Code != codeTooManyRequests || d.Message != messagesES[msgTooManyRequests] ||
			r.header.Get("Retry-After") != "600" {
			t.Errorf("%s, fourth request at once: got %d %+v, Retry-After %q; want 429 in Spanish, Retry-After 600",
				email, r.status, d, r.header.Get("Retry-After"))
		}
	}
	// Another email is not held back by these, and time lets them ask
	// again.
	if r := b.do(t, "POST", "/api/v1/login/code", map[string]string{"email": "otra@example.org"}); r.status != 202 {
		t.Errorf("another email: got %d, want 202", r.status)
	}
	e.clock.add(10 * time.Minute)
	if r := b.do(t, "POST", "/api/v1/login/code", map[string]string{"email": "ana@example.org"}); r.status != 202 {
		t.Errorf("after ten minutes: got %d, want 202", r.status)
	}
	for range 4 {
		e.smtp.Wait(t) // the codes sent to Ana
	}

	// Guesses at the codes of one email are limited too.
	var last response
	for range 11 {
		last = b.do(t, "POST", "/api/v1/login/code/verify", map[string]string{"email": "ana@example.org", "code": "123456"})
	}
	if last.status != 429 {
		t.Errorf("the eleventh guess at once: got %d %s, want 429", last.status, last.body)
	}
}

// TestLoginNoEnumeration: "send me a code" answers the same for an email
// that is a member's and one that is not, and sends nothing for the
// second.
func TestLoginNoEnumeration(t *testing.T) {
	e := newLoginEnv(t, "")
	e.member(t, "Ana", "en", "ana@example.org")
	b := e.browser(t)
	unknown := b.do(t, "POST", "/api/v1/login/code", map[string]string{"email": "nadie@example.org"})
	// Everything started in the background is done.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.srv.login.wait(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-e.smtp.Messages:
		t.Fatalf("an email was sent for an unknown address: %q", msg.Data)
	default:
	}
	known := b.do(t, "POST", "/api/v1/login/code", map[string]string{"email": "ana@example.org"})
	e.smtp.Wait(t)
	if unknown.status != known.status || !bytes.Equal(unknown.body, known.body) {
		t.Errorf("unknown email: %d %s; known: %d %s; want the same", unknown.status, unknown.body, known.status, known.body)
	}
	for _, h := range []string{"Content-Type", "Cache-Control", "Set-Cookie", "Retry-After"} {
		if unknown.header.Get(h) != known.header.Get(h) {
			t.Errorf("header %s: unknown email %q, known %q", h, unknown.header.Get(h), known.header.Get(h))
		}
	}
}

func TestLoginRequestsRefused(t *testing.T) {
	e := newLoginEnv(t, "")
	e.member(t, "Ana", "en", "ana@example.org")
	post := func(body, contentType, origin string) response {
		req, _ := http.NewRequest("POST", e.url+"/api/v1/login/code", strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		return send(t, http.DefaultClient, req)
	}
	tests := []struct {
		name, body, contentType, origin string
		status                          int
		key                             msgKey
	}{
		{"a form of another site", `{"email": "ana@example.org"}`, "text/plain", "", 400, msgNotJSON},
		{"another origin", `{"email": "ana@example.org"}`, "application/json", "https://evil.example", 403, msgOtherOrigin},
		{"not an email", `{"email": "ana"}`, "application/json", "", 400, msgBadEmail},
		{"two emails", `{"email": "ana@example.org, b@example.org"}`, "application/json", "", 400, msgBadEmail},
		{"our own origin", `{"email": "ana@example.org"}`, "application/json; charset=utf-8", "http://localhost:8080", 202, ""},
	}
	for _, tc := range tests {
		r := post(tc.body, tc.contentType, tc.origin)
		if r.status != tc.status {
			t.Errorf("%s: got %d %s, want %d", tc.name, r.status, r.body, tc.status)
			continue
		}
		if tc.key != "" {
			if d := errorOf(t, r); d.Message != messagesEN[tc.key] {
				t.Errorf("%s: got message %q, want %q", tc.name, d.Message, messagesEN[tc.key])
			}
		}
	}
	if r := post(`{"email": "ana@example.org", "extra": 1}`, "application/json", ""); r.status != 400 {
		t.Errorf("an unknown field: got %d, want 400", r.status)
	}
	e.smtp.Wait(t)

	// Without a mail server, sign-in by email is unavailable, for every
	// email alike.
	st := e.store
	srv := New(st, slog.New(slog.NewJSONHandler(io.Discard, nil)), Options{})
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	req := httptest.NewRequest("POST", "/api/v1/login/code", strings.NewReader(`{"email": "ana@example.org"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if d := errorOf(t, response{rec.Code, rec.Header(), rec.Body.Bytes()}); rec.Code != 503 || d.Message != messagesEN[msgNoEmail] {
		t.Errorf("without a mailer: got %d %+v, want 503 %q", rec.Code, d, messagesEN[msgNoEmail])
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSignInOffersEmail: the first page and the sign-in page offer a
// code by email only when the server sends email; without a mailer
// (commune demo without --smtp) the form would only answer 503.
func TestSignInOffersEmail(t *testing.T) {
	for _, c := range []struct {
		name string
		e    *env
		mail bool
	}{
		{"no mailer", newEnv(t), false},
		{"a mailer", newMailEnv(t).env, true},
	} {
		for _, l := range []struct{ lang, email, nomail string }{
			{"en", "or with a code we send to your email", "This server sends no email, so it has no sign-in codes."},
			{"es", "o con un código que enviamos a tu correo", "Este servidor no envía correos, así que no hay códigos para entrar."},
		} {
			home := string(c.e.do(t, "GET", "/", "", l.lang, nil).body)
			if got := strings.Contains(home, l.email); got != c.mail {
				t.Errorf("%s, %s: / offers a code by email: got %v, want %v", c.name, l.lang, got, c.mail)
			}
			if got := strings.Contains(home, l.nomail); got == c.mail {
				t.Errorf("%s, %s: / says there are no codes: got %v, want %v", c.name, l.lang, got, !c.mail)
			}
			login := string(c.e.do(t, "GET", "/login", "", l.lang, nil).body)
			if got := strings.Contains(login, `id="code-request"`) && strings.Contains(login, `type="email"`); got != c.mail {
				t.Errorf("%s, %s: /login has the email form: got %v, want %v", c.name, l.lang, got, c.mail)
			}
		}
	}
}
