package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/store"
)

// Signing in from a browser, beside the API tokens of scripts: a member
// asks for a one-time code by email (first login, recovery) or uses a
// passkey (the normal way, passkey.go), and gets a session cookie
// (session.go). The endpoints are public, so they are rate-limited: per
// email, so that no one floods a member's inbox or guesses their code;
// over all, so that no one walks through many addresses; and, before
// that, per client (client.go), so that one client cannot spend the
// budget over all and keep everyone else from signing in.
//
// "Send me a code" answers 202 whether or not the email is a member's,
// and does the lookup, the code and the email in the background, so
// that neither the answer nor its timing tells a stranger who belongs
// to the organization.

// defaultPublicURL is used when Options.PublicURL is empty.
const defaultPublicURL = "http://localhost:8080"

// login is the state of signing in that lives in memory: rate limits,
// passkey ceremonies under way, and codes being sent.
type login struct {
	now    func() time.Time // a field so that tests can move time
	log    *slog.Logger
	mail   *notify.Mailer
	origin string // scheme://host[:port] of the public URL
	secure bool   // the public URL is https
	cookie string // the session cookie's name

	// wa is nil when the public URL cannot be a relying party (an IP
	// address); passkey routes then answer 503.
	wa         *webauthn.WebAuthn
	ceremonies ceremonies

	clients                                    *clients
	codePerClient, codePerEmail, codeAll       *auth.Limiter
	verifyPerClient, verifyPerEmail, verifyAll *auth.Limiter
	passkeyPerClient, passkeyAll               *auth.Limiter
	// The other public pages that act without a sign-in are limited
	// per client only (limitClient): joining by an invite, which makes
	// an account (joinpage.go), and answering a call by its link
	// (callpage.go).
	joinPerClient, answerPerClient *auth.Limiter
	// Confirming an email (emailconfirm.go): the link's page, per
	// client; the messages sent to one address, whoever asks; and the
	// new addresses one member gives.
	confirmPerClient, confirmPerEmail, confirmPerMember *auth.Limiter

	jobs sync.WaitGroup // codes being looked up and sent
}

func newLogin(opt Options, log *slog.Logger) *login {
	l := &login{
		now:  time.Now,
		log:  log,
		mail: opt.Mailer,
		// Three codes at once for an email, then one every ten minutes:
		// each code allows auth.CodeAttempts guesses.
		codePerEmail: auth.NewLimiter(10*time.Minute, 3),
		codeAll:      auth.NewLimiter(100*time.Millisecond, 50),
		// Guesses at the codes of one email, beside the attempts each
		// code allows.
		verifyPerEmail: auth.NewLimiter(2*time.Minute, 10),
		verifyAll:      auth.NewLimiter(20*time.Millisecond, 100),
		passkeyAll:     auth.NewLimiter(10*time.Millisecond, 200),
		// Per client, one address: a household, or a union hall where
		// twenty members sign in as a meeting starts, shares one (so
		// may a mobile carrier's customers, behind its NAT). A sign-in
		// by code is one code and a verify or two; one by passkey is
		// two requests (begin, finish), as registering one is. So:
		// twenty sign-ins at once, then six a minute. That is far below
		// the limits over all, which a client alone can no longer
		// spend: at this pace the 10 codes a second of codeAll take a
		// hundred clients, the 50 verifies of verifyAll 250, and the
		// 100 passkey requests of passkeyAll 500.
		codePerClient:    clientLimiter(10*time.Second, 20),
		verifyPerClient:  clientLimiter(5*time.Second, 40),
		passkeyPerClient: clientLimiter(5*time.Second, 40),
		// Joining: the page and its form, and the form again when an
		// alias is taken. Forty at once, a union hall where a dozen or
		// more open an invite on the wall and join, then one every
		// five seconds. The form says whether an alias is taken (an
		// email it never says: emailconfirm.go), so a script trying
		// aliases with a leaked invite gets forty, then twelve a
		// minute.
		joinPerClient: clientLimiter(5*time.Second, 40),
		// Answering a call: the page, the answer and the page again for
		// each answer, by members who may share a phone on a picket,
		// or one address of a mobile carrier. 120 at once, forty
		// answers in a moment from one address, then two a second: no
		// one tapping by hand runs out, and a script answering over
		// and over is held to what the board can take. Neither has a
		// limit over all: one that many addresses could spend would
		// let them keep everyone from answering a raid.
		answerPerClient: clientLimiter(500*time.Millisecond, 120),
		// A link (an email's confirmation, a sign-in link) is opened,
		// then its button pressed: twenty at once, then one every five
		// seconds. An address gets three messages
		// at once, then one every ten minutes, as login codes.
		confirmPerClient: clientLimiter(5*time.Second, 20),
		confirmPerEmail:  auth.NewLimiter(10*time.Minute, 3),
		// A member gives five new addresses at once (a typo, then the
		// right one, and again), then one every ten minutes: without
		// it, one account could have the server mail any number of
		// addresses, three messages each, and get its mail refused
		// everywhere as spam.
		confirmPerMember: auth.NewLimiter(10*time.Minute, 5),
		clients:          newClients(opt.TrustedProxies),
		ceremonies:       ceremonies{m: map[string]ceremony{}},
	}
	raw := opt.PublicURL
	if raw == "" {
		raw = defaultPublicURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		log.Error("public URL is not an http or https URL; using the default", "default", defaultPublicURL)
		u, _ = url.Parse(defaultPublicURL)
	}
	l.origin = u.Scheme + "://" + u.Host
	l.secure = u.Scheme == "https"
	l.cookie = "commune_session"
	if l.secure {
		// The __Host- prefix makes browsers refuse the cookie unless it
		// is Secure, for the whole host and no wider domain (RFC 6265bis,
		// section 4.1.3.2).
		l.cookie = "__Host-commune_session"
	}
	l.wa, err = webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: "commune",
		RPOrigins:     []string{l.origin},
	})
	if err != nil {
		log.Warn("passkeys are off: the public URL's host cannot be a WebAuthn relying party", "err", err)
		l.wa = nil
	}
	return l
}

// wait waits for the codes being sent, or for ctx to end.
func (l *login) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		l.jobs.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return errors.New("web: shutdown: login codes are still being sent")
	}
}

// loginRoutes are the sign-in endpoints. Those that start a session are
// public; the others act on the caller's own session.
func (s *Server) loginRoutes() []route {
	return []route{
		{pattern: "POST /api/v1/login/code", public: true, h: s.loginPost(s.requestCode)},
		{pattern: "POST /api/v1/login/code/verify", public: true, h: s.loginPost(s.verifyCode)},
		{pattern: "POST /api/v1/login/passkey/begin", public: true, h: s.loginPost(s.beginPasskeyLogin)},
		{pattern: "POST /api/v1/login/passkey/finish", public: true, h: s.loginPost(s.finishPasskeyLogin)},
		{pattern: "POST /api/v1/login/passkey/register/begin", action: auth.WriteSelf, h: s.loginPost(s.beginPasskeyRegistration)},
		{pattern: "POST /api/v1/login/passkey/register/finish", action: auth.WriteSelf, h: s.loginPost(s.finishPasskeyRegistration)},
		{pattern: "GET /api/v1/login/session", action: auth.ReadSelf, h: s.getSession},
		{pattern: "POST /api/v1/logout", action: auth.WriteSelf, h: s.logout},
	}
}

// loginPost refuses, before h runs, a POST that a page of another site
// could have made: one whose Origin header names another origin, or
// whose body is not JSON (an HTML form can send only form encodings or
// plain text without a CORS preflight). With SameSite=Lax cookies this
// keeps other sites from signing a member in or out, or into an account
// of the attacker's (login CSRF).
func (s *Server) loginPost(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if o := r.Header.Get("Origin"); o != "" && o != s.login.origin {
			return errorf(store.CodeForbidden, msgOtherOrigin)
		}
		if r.ContentLength != 0 {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				return errorf(store.CodeInvalid, msgNotJSON)
			}
		}
		return h(w, r)
	}
}

// emailKey is the key of an email in the rate limiters: an HMAC under a
// key of the server, so that the limiter's memory holds no address.
func (s *Server) emailKey(email string) string {
	m := hmac.New(sha256.New, s.store.Key("login-limit"))
	m.Write([]byte(email))
	return hex.EncodeToString(m.Sum(nil))
}

// limit counts an action of r's client at now, then one of everyone,
// and refuses it if either limiter has none left. The client's comes
// first, so that a client refused spends nothing of everyone's budget.
func (s *Server) limit(w http.ResponseWriter, r *http.Request, now time.Time, perClient, all *auth.Limiter) error {
	if err := s.limitClient(w, r, now, perClient); err != nil {
		return err
	}
	if !all.Allow("", now) {
		return tooMany(w, all)
	}
	return nil
}

// limitClient counts an action of r's client at now, and refuses it if
// the client has none left. A request whose client cannot be told
// (clients.key) is not counted.
func (s *Server) limitClient(w http.ResponseWriter, r *http.Request, now time.Time, perClient *auth.Limiter) error {
	if key := s.login.clients.key(r); key != "" && !perClient.Allow(key, now) {
		return tooMany(w, perClient)
	}
	return nil
}

// tooMany answers 429 with a Retry-After of the limiter's period.
func tooMany(w http.ResponseWriter, l *auth.Limiter) error {
	w.Header().Set("Retry-After", strconv.Itoa(int(l.Every.Round(time.Second).Seconds())))
	return errorf(codeTooManyRequests, msgTooManyRequests)
}

type emailBody struct {
	Email string `json:"email"`
	Code  string `json:"code,omitempty"`
}

// checkEmail returns the normalized email of b, or an invalid error.
func checkEmail(b emailBody) (string, error) {
	email := store.NormalizeEmail(b.Email)
	at := strings.LastIndexByte(email, '@')
	if at < 1 || at == len(email)-1 || len(email) > 254 || strings.ContainsAny(email, " \r\n,<>") {
		return "", errorf(store.CodeInvalid, msgBadEmail)
	}
	return email, nil
}

// requestCode answers POST /api/v1/login/code {"email"}: 202, and in the
// background, if the email is a member's, a new code by email.
func (s *Server) requestCode(w http.ResponseWriter, r *http.Request) error {
	var b emailBody
	if err := decode(r, &b); err != nil {
		return err
	}
	email, err := checkEmail(b)
	if err != nil {
		return err
	}
	if s.login.mail == nil {
		return errorf(store.CodeUnavailable, msgNoEmail)
	}
	now := s.login.now()
	if err := s.limit(w, r, now, s.login.codePerClient, s.login.codeAll); err != nil {
		return err
	}
	if !s.login.codePerEmail.Allow(s.emailKey(email), now) {
		return tooMany(w, s.login.codePerEmail)
	}
	s.login.jobs.Add(1)
	go func() {
		defer s.login.jobs.Done()
		// The email is the panic's likely value: guard logs only its
		// type. The answer is the same either way (202).
		s.guard(context.Background(), "login code", func() { s.sendCode(email, now) })
	}()
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
	return nil
}

// sendCode makes, stores and emails a code for the member whose email is
// email, if there is one. What it logs names no one.
func (s *Server) sendCode(email string, now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := s.store.MemberByEmail(ctx, email)
	if store.ErrorCode(err) == store.CodeNotFound {
		return
	}
	if err == nil {
		var code string
		var c auth.Code
		code, c, err = auth.NewCode(s.store.Key("login-code"), m.ID, now)
		if err == nil {
			err = s.store.PutLoginCode(ctx, store.LoginCode{MemberID: m.ID, Hash: c.Hash, Expires: c.Expires}, now)
		}
		if err == nil {
			err = s.login.mail.Send(ctx, notify.LoginCodeEmail(m.Contact.Email, m.Language, code, auth.CodeTTL))
		}
	}
	if err != nil {
		s.log.Error("login code not sent", "err", err)
	}
}

// verifyCode answers POST /api/v1/login/code/verify {"email", "code"}:
// with the right code, a session (without passkey) and its cookie. A
// wrong, expired or used-up code, and an email that is no member's, all
// get the same answer.
func (s *Server) verifyCode(w http.ResponseWriter, r *http.Request) error {
	var b emailBody
	if err := decode(r, &b); err != nil {
		return err
	}
	email, err := checkEmail(b)
	if err != nil {
		return err
	}
	now := s.login.now()
	if err := s.limit(w, r, now, s.login.verifyPerClient, s.login.verifyAll); err != nil {
		return err
	}
	if !s.login.verifyPerEmail.Allow(s.emailKey(email), now) {
		return tooMany(w, s.login.verifyPerEmail)
	}
	m, err := s.store.MemberByEmail(r.Context(), email)
	if store.ErrorCode(err) == store.CodeNotFound {
		// The same work as for a member: a write transaction that finds
		// no code, so that the time taken says little more than the
		// answer does.
		m, err = &store.Member{}, nil
	}
	if err != nil {
		return err
	}
	key := s.store.Key("login-code")
	err = s.store.UseLoginCode(r.Context(), m.ID, func(c *store.LoginCode) error {
		ac := auth.Code{Hash: c.Hash, Expires: c.Expires, Attempts: c.Attempts}
		err := ac.Verify(key, m.ID, strings.TrimSpace(b.Code), now)
		c.Attempts = ac.Attempts
		return err
	})
	switch {
	case errors.Is(err, auth.ErrCodeWrong), errors.Is(err, auth.ErrCodeExpired), errors.Is(err, auth.ErrCodeTooMany),
		store.ErrorCode(err) == store.CodeNotFound:
		return errorf(codeUnauthenticated, msgCodeWrong)
	case err != nil:
		return err
	}
	return s.startSession(w, r, m.ID, false)
}
