package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
)

// mailEnv is a server that sends email to a real SMTP server, with the
// demo's sign-in links and a clock the test moves, and Rosa, a member
// whose email is rosa@example.org.
type mailEnv struct {
	*env
	smtp  *smtptest.Server
	clock *clock
	rosa  *store.Member
}

func newMailEnv(t *testing.T) *mailEnv {
	t.Helper()
	mail := smtptest.Start(t, smtptest.Options{})
	e := newEnvWith(t, Options{Demo: &DemoPeople{}, Mailer: mustMailer(t, mail.URL)})
	clk := &clock{t: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}
	e.srv.login.now = clk.now
	rosa, err := e.store.CreateMember(context.Background(), store.Member{Alias: "Rosa", Language: "es", Cell: "9q5cs",
		Contact: store.Contact{Email: "rosa@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	return &mailEnv{env: e, smtp: mail, clock: clk, rosa: rosa}
}

// sent waits for the messages being sent in the background and returns
// them, with their subject and body, by recipient.
func (e *mailEnv) sent(t *testing.T) map[string][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.srv.login.wait(ctx); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for {
		select {
		case m := <-e.smtp.Messages:
			h, body := m.Parsed(t)
			for _, to := range m.To {
				out[to] = append(out[to], h["Subject"]+"\n"+body)
			}
		default:
			return out
		}
	}
}

// emailOf returns the email the member has.
func (e *mailEnv) emailOf(t *testing.T, id string) string {
	t.Helper()
	m, err := e.store.Member(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m.Contact.Email
}

// lupe makes Lupe, a member whose email is lupe@example.org and whose
// language is lang, and signs her in.
func (e *mailEnv) lupe(t *testing.T, lang string) (*store.Member, *pageBrowser) {
	t.Helper()
	m, err := e.store.CreateMember(context.Background(), store.Member{Alias: "Lupe", Language: lang, Cell: "9q5cs",
		Contact: store.Contact{Email: "lupe@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	return m, signIn(t, e.env, m.ID, lang)
}

var confirmLink = regexp.MustCompile(`http://localhost:8080(/email/confirm/cme_[a-z0-9]+)`)

// linkIn returns the path of the confirmation link in a message.
func linkIn(t *testing.T, msg string) string {
	t.Helper()
	m := confirmLink.FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("no confirmation link in %q", msg)
	}
	return m[1]
}

// confirm presses the button of the page a confirmation link opens, as
// a browser with no session would, and returns the status and page; or
// the page's, if it says the link no longer works.
func (e *mailEnv) confirm(t *testing.T, path, lang string) (int, string) {
	t.Helper()
	r := e.do(t, "GET", path, "", lang, nil)
	if r.status == http.StatusGone {
		return r.status, string(r.body) // a link that no longer works has no button
	}
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `action="`+path+`"`) {
		t.Fatalf("GET %s: got %d %.300s, want the page with its button", path, r.status, r.body)
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", lang)
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// secrets are what differs between two answers that say the same: the
// session's id in its cookie, and the CSRF token of the forms.
var secrets = regexp.MustCompile(`cms_[a-z0-9]+|name="csrf" value="[^"]+"|data-csrf="[^"]+"`)

// answer is a response as the test compares it: status, headers and
// body, with the secrets, and the words given (an address, a member's
// id) in old, replaced by fixed ones.
func answer(status int, h http.Header, body string, old ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", status)
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range h {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(h[k], ", "))
	}
	b.WriteString(body)
	s := secrets.ReplaceAllString(b.String(), "SECRET")
	for i, o := range old {
		s = strings.ReplaceAll(s, o, fmt.Sprintf("GIVEN%d", i))
	}
	return s
}

// sameAnswers fails the test where the answers to a taken address and
// to a free one differ, and shows the first difference.
func sameAnswers(t *testing.T, what []string, taken, free []string) {
	t.Helper()
	for i := range what {
		a, b := taken[i], free[i]
		if a == b {
			continue
		}
		n := 0
		for n < len(a) && n < len(b) && a[n] == b[n] {
			n++
		}
		from := max(0, n-200)
		t.Errorf("%s: the answers differ at byte %d:\ntaken: %q\nfree:  %q", what[i], n, a[from:min(len(a), n+200)], b[from:min(len(b), n+200)])
	}
}

// TestJoinEmailSameAnswer: joining by an invite with an email that is
// already a member's, or with one that is no one's, gets the same
// answers (the form's, the page it leads to, the account page and
// GET /api/v1/me), byte for byte but for the secrets and the address;
// nothing is attached yet. The member's address gets word that someone
// tried to use it, in her language; the free one a link, which attaches
// it once.
func TestJoinEmailSameAnswer(t *testing.T) {
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			join := func(email string) (*mailEnv, *store.Member, []string) {
				e := newMailEnv(t)
				code := inviteTo(t, e.env, store.Collective{ID: "roosevelt", Name: "Roosevelt High School students", Kind: store.School}, 5)
				form := url.Values{"alias": {"Itzel"}, "language": {lang}, "cell": {"9q5cs"}, "email": {email}}
				req := httptest.NewRequest("POST", "/join/"+code, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Accept-Language", lang)
				rec := httptest.NewRecorder()
				e.http.ServeHTTP(rec, req)
				m, err := e.store.MemberByAlias(context.Background(), "Itzel")
				if err != nil {
					t.Fatalf("joining with %s: got %d %s, and no member: %v", email, rec.Code, rec.Body, err)
				}
				b := &pageBrowser{e: e.env, cookie: strings.Split(rec.Header().Get("Set-Cookie"), ";")[0], lang: lang}
				out := []string{answer(rec.Code, rec.Header(), rec.Body.String(), email, m.ID)}
				for _, p := range []string{rec.Header().Get("Location"), "/me/account", "/api/v1/me"} {
					req := httptest.NewRequest("GET", p, nil)
					req.Header.Set("Cookie", b.cookie)
					req.Header.Set("Accept-Language", lang)
					rec := httptest.NewRecorder()
					e.http.ServeHTTP(rec, req)
					out = append(out, answer(rec.Code, rec.Header(), rec.Body.String(), email, m.ID))
				}
				return e, m, out
			}
			et, taken, tookAnswers := join("rosa@example.org")
			ef, free, freeAnswers := join("itzel@example.org")
			sameAnswers(t, []string{"POST /join", "the page it leads to", "/me/account", "GET /api/v1/me"}, tookAnswers, freeAnswers)
			if !strings.Contains(tookAnswers[0], "303\n") || !strings.Contains(tookAnswers[0], "Location: /me/commitment?done=email") {
				t.Errorf("POST /join: got %.300s, want 303 to /me/commitment?done=email", tookAnswers[0])
			}
			sent := et.srv.ui.t(lang, "email.sent")
			if !strings.Contains(tookAnswers[1], sent) || !strings.Contains(tookAnswers[2], "GIVEN0") {
				t.Errorf("after joining, the page does not say a message was sent, or the account does not show the address waiting: %s", tookAnswers[1])
			}

			// The address that is Rosa's: she is told, in Spanish, that
			// someone tried, and how to sign in; nothing is attached.
			got := et.sent(t)
			if len(got) != 1 || len(got["rosa@example.org"]) != 1 {
				t.Fatalf("joining with Rosa's address sent %v, want one message to her", got)
			}
			msg := got["rosa@example.org"][0]
			if !strings.HasPrefix(msg, "Alguien intentó usar su correo en commune") || !strings.Contains(msg, "http://localhost:8080/login") ||
				strings.Contains(msg, "/email/confirm/") {
				t.Errorf("the message to Rosa: %q", msg)
			}
			if et.emailOf(t, taken.ID) != "" || et.emailOf(t, et.rosa.ID) != "rosa@example.org" {
				t.Errorf("after joining with Rosa's address: Itzel has %q, Rosa %q", et.emailOf(t, taken.ID), et.emailOf(t, et.rosa.ID))
			}

			// The free address: a link in the joiner's language, which
			// attaches it once.
			got = ef.sent(t)
			if len(got) != 1 || len(got["itzel@example.org"]) != 1 {
				t.Fatalf("joining with a free address sent %v, want one message to it", got)
			}
			msg = got["itzel@example.org"][0]
			if subject := map[string]string{"en": "Confirm your email for commune", "es": "Confirme su correo en commune"}[lang]; !strings.HasPrefix(msg, subject) {
				t.Errorf("the confirmation: %q, want the subject %q", msg, subject)
			}
			if ef.emailOf(t, free.ID) != "" {
				t.Fatalf("before the link is used, Itzel has the email %q", ef.emailOf(t, free.ID))
			}
			link := linkIn(t, msg)
			// The link's page names the account the address is for.
			if r := ef.do(t, "GET", link, "", lang, nil); !strings.Contains(string(r.body), html.EscapeString(ef.srv.ui.t(lang, "email.confirm.account-is", free.Alias))) {
				t.Errorf("the link's page does not name the account %s: %.600s", free.Alias, r.body)
			}
			if code, page := ef.confirm(t, link, lang); code != http.StatusOK || !strings.Contains(page, ef.srv.ui.t(lang, "email.confirm.done")) {
				t.Fatalf("confirming: got %d %.300s", code, page)
			}
			if m, err := ef.store.MemberByEmail(context.Background(), "itzel@example.org"); err != nil || m.ID != free.ID {
				t.Errorf("after confirming, the address finds %v, %v, want Itzel", m, err)
			}
			// A link works once.
			// The page points to where a new link is asked for.
			if code, page := ef.confirm(t, link, lang); code != http.StatusGone || !strings.Contains(page, ef.srv.ui.t(lang, "email.confirm.gone")) ||
				!strings.Contains(page, `<a href="/me/account">`+html.EscapeString(ef.srv.ui.t(lang, "email.confirm.account"))+`</a>`) {
				t.Errorf("the link used again: got %d %.300s, want 410", code, page)
			}
		})
	}
}

// TestAccountEmailSameAnswer: a member who changes their email on the
// account page, or by PATCH /api/v1/me, to an address that is another
// member's, or to one that is no one's, gets the same answers; each
// request sends one message to the address. Of two members who gave the
// same free address, the first to use their link has it, and the
// other's link attaches nothing; an expired link attaches nothing.
func TestAccountEmailSameAnswer(t *testing.T) {
	const lang = "es"
	change := func(email string) (*mailEnv, [2]*store.Member, []string) {
		e := newMailEnv(t)
		ctx := context.Background()
		var ms [2]*store.Member
		for i, alias := range []string{"Lupe", "Beto"} {
			m, err := e.store.CreateMember(ctx, store.Member{Alias: alias, Language: lang, Cell: "9q5cs",
				Contact: store.Contact{Email: strings.ToLower(alias) + "@example.org", Phone: "+1 213 555 0101"}})
			if err != nil {
				t.Fatal(err)
			}
			ms[i] = m
		}
		b := signIn(t, e.env, ms[0].ID, lang)
		code, body, loc := b.post(t, "/me/account", "/me/account", url.Values{"alias": {"Lupe"}, "language": {lang}, "cell": {"9q5cs"},
			"email": {email}, "phone": {"+1 213 555 0199"}}, true)
		out := []string{answer(code, nil, loc+"\n"+body, email, ms[0].ID)}
		for _, p := range []string{loc, "/me/account"} {
			if p == "" {
				out = append(out, "no page: the form did not redirect")
				continue
			}
			code, page := b.get(t, p)
			out = append(out, answer(code, nil, page, email, ms[0].ID))
		}
		tok := auth.NewToken()
		if _, err := e.store.CreateToken(ctx, store.Token{Hash: auth.Hash(tok), MemberID: ms[1].ID, Role: "member"}); err != nil {
			t.Fatal(err)
		}
		r := e.do(t, "PATCH", "/api/v1/me", tok, lang, strings.NewReader(`{"contact": {"email": "`+email+`"}}`))
		out = append(out, answer(r.status, nil, string(r.body), email, ms[1].ID))
		return e, ms, out
	}
	et, taken, tookAnswers := change("rosa@example.org")
	ef, free, freeAnswers := change("nadie@example.org")
	sameAnswers(t, []string{"POST /me/account", "the page it leads to", "/me/account", "PATCH /api/v1/me"}, tookAnswers, freeAnswers)
	if !strings.HasPrefix(tookAnswers[0], "303\n/me?done=email\n") || !strings.Contains(tookAnswers[1], et.srv.ui.t(lang, "email.sent")) ||
		!strings.Contains(tookAnswers[3], `"email_to_confirm":"GIVEN0"`) || !strings.Contains(tookAnswers[3], `"email":"beto@example.org"`) {
		t.Errorf("the answers do not say that the address waits: %q", tookAnswers)
	}

	// Rosa is told twice that someone tried; nothing changes.
	got := et.sent(t)
	if len(got) != 1 || len(got["rosa@example.org"]) != 2 || !strings.HasPrefix(got["rosa@example.org"][0], "Alguien intentó") {
		t.Fatalf("changing to Rosa's address sent %v, want two messages to her", got)
	}
	if et.emailOf(t, taken[0].ID) != "lupe@example.org" || et.emailOf(t, taken[1].ID) != "beto@example.org" || et.emailOf(t, et.rosa.ID) != "rosa@example.org" {
		t.Errorf("after changing to Rosa's address: %q, %q, %q", et.emailOf(t, taken[0].ID), et.emailOf(t, taken[1].ID), et.emailOf(t, et.rosa.ID))
	}
	if m, _ := et.store.Member(context.Background(), taken[0].ID); m.Contact.Phone != "+1 213 555 0199" {
		t.Errorf("the phone did not change with the rest of the form: %+v", m.Contact)
	}

	// The free address: two links, one for Lupe, one for Beto (sent in
	// either order). Nothing changes before they are used; the first
	// used attaches it, the second then attaches nothing.
	got = ef.sent(t)
	if len(got) != 1 || len(got["nadie@example.org"]) != 2 {
		t.Fatalf("changing to a free address sent %v, want two messages to it", got)
	}
	if ef.emailOf(t, free[0].ID) != "lupe@example.org" || ef.emailOf(t, free[1].ID) != "beto@example.org" {
		t.Fatalf("before the links are used: %q, %q", ef.emailOf(t, free[0].ID), ef.emailOf(t, free[1].ID))
	}
	links := []string{linkIn(t, got["nadie@example.org"][0]), linkIn(t, got["nadie@example.org"][1])}
	if code, page := ef.confirm(t, links[0], lang); code != http.StatusOK || !strings.Contains(page, "Tu correo está confirmado") {
		t.Fatalf("the first link: got %d %.300s", code, page)
	}
	if code, page := ef.confirm(t, links[1], lang); code != http.StatusConflict || !strings.Contains(page, "Este correo ya pertenece a una cuenta") {
		t.Errorf("the second link: got %d %.300s, want 409", code, page)
	}
	first, err := ef.store.MemberByEmail(context.Background(), "nadie@example.org")
	if err != nil {
		t.Fatalf("after the links, the address is no one's: %v", err)
	}
	for _, m := range free {
		if m.ID != first.ID && ef.emailOf(t, m.ID) != m.Contact.Email {
			t.Errorf("the second link changed %s's email to %q", m.Alias, ef.emailOf(t, m.ID))
		}
	}

	// An expired link attaches nothing.
	b := signIn(t, ef.env, first.ID, lang)
	if code, _, _ := b.post(t, "/me/account", "/me/account", url.Values{"alias": {first.Alias}, "language": {lang}, "cell": {"9q5cs"},
		"email": {"otra@example.org"}}, true); code != http.StatusSeeOther {
		t.Fatalf("another change: got %d", code)
	}
	got = ef.sent(t)
	if len(got["otra@example.org"]) != 1 {
		t.Fatalf("another change sent %v", got)
	}
	ef.clock.add(store.EmailConfirmTTL)
	if code, _ := ef.confirm(t, linkIn(t, got["otra@example.org"][0]), lang); code != http.StatusGone {
		t.Errorf("an expired link: got %d, want 410", code)
	}
	if ef.emailOf(t, first.ID) != "nadie@example.org" {
		t.Errorf("after an expired link: %q", ef.emailOf(t, first.ID))
	}
}

// TestEmailWithoutMailer: a server that sends no email asks for none
// when joining, and refuses a new address on the account page, the
// same way for any address; the address a member has can be removed.
func TestEmailWithoutMailer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.store.CreateMember(ctx, store.Member{Alias: "Rosa", Language: "es", Cell: "9q5cs",
		Contact: store.Contact{Email: "rosa@example.org"}}); err != nil {
		t.Fatal(err)
	}
	m, err := e.store.CreateMember(ctx, store.Member{Alias: "Lupe", Language: "en", Cell: "9q5cs",
		Contact: store.Contact{Email: "lupe@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	b := signIn(t, e, m.ID, "en")
	var pages []string
	for _, email := range []string{"rosa@example.org", "nadie@example.org"} {
		code, page, _ := b.post(t, "/me/account", "/me/account", url.Values{"alias": {"Lupe"}, "language": {"en"}, "cell": {"9q5cs"},
			"email": {email}}, true)
		if code != http.StatusUnprocessableEntity || !strings.Contains(page, `id="email-error">`+e.srv.ui.t("en", "account.email.nomail")) {
			t.Errorf("a new email without a mailer: got %d, want 422 with the reason by the field", code)
		}
		pages = append(pages, answer(code, nil, page, email))
	}
	sameAnswers(t, []string{"POST /me/account"}, pages[:1], pages[1:])
	if got, _ := e.store.Member(ctx, m.ID); got.Contact.Email != "lupe@example.org" {
		t.Errorf("after a refused new email, the email is %q", got.Contact.Email)
	}
	if code, _, _ := b.post(t, "/me/account", "/me/account", url.Values{"alias": {"Lupe"}, "language": {"en"}, "cell": {"9q5cs"},
		"email": {""}}, true); code != http.StatusSeeOther {
		t.Errorf("removing the email without a mailer: got %d, want 303", code)
	}
	if got, _ := e.store.Member(ctx, m.ID); got.Contact.Email != "" {
		t.Errorf("after removing it, the email is %q", got.Contact.Email)
	}
}

// TestAccountEmailWaitingHint: the account page says that a message
// went to the address in its email field only when that address is the
// one waiting; a form sent back with a problem and another address
// typed in does not claim that a message went to it.
func TestAccountEmailWaitingHint(t *testing.T) {
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			e := newMailEnv(t)
			_, b := e.lupe(t, lang)
			waiting := e.srv.ui.t(lang, "account.email.waiting")
			form := url.Values{"alias": {"Lupe"}, "language": {lang}, "cell": {"9q5cs"}, "email": {"nueva@example.org"}}
			if code, _, _ := b.post(t, "/me/account", "/me/account", form, true); code != http.StatusSeeOther {
				t.Fatalf("a new email: got %d, want 303", code)
			}
			e.sent(t)
			if _, page := b.get(t, "/me/account"); !strings.Contains(page, `value="nueva@example.org"`) || !strings.Contains(page, waiting) {
				t.Errorf("the account page does not show the address waiting with its word")
			}
			form.Set("email", "otra@example.org")
			form.Set("cell", "9q5c!")
			code, page, _ := b.post(t, "/me/account", "/me/account", form, true)
			if code != http.StatusUnprocessableEntity || !strings.Contains(page, `value="otra@example.org"`) {
				t.Fatalf("a bad cell and another email: got %d, want 422 with the email typed", code)
			}
			if strings.Contains(page, waiting) {
				t.Errorf("the form sent back says a message went to otra@example.org, to which none was sent")
			}
			if got := e.sent(t); len(got) != 0 {
				t.Errorf("a refused form sent %v", got)
			}
		})
	}
}

// TestEmailAskLimitPerMember: a member gives a few new addresses, then
// one every while; one account cannot have the server mail any number
// of addresses. The refusal is 429 whatever the address, and sends
// nothing; other members are not held back.
func TestEmailAskLimitPerMember(t *testing.T) {
	e := newMailEnv(t)
	ctx := context.Background()
	token := func(alias string) string {
		m, err := e.store.CreateMember(ctx, store.Member{Alias: alias, Language: "en", Cell: "9q5cs"})
		if err != nil {
			t.Fatal(err)
		}
		tok := auth.NewToken()
		if _, err := e.store.CreateToken(ctx, store.Token{Hash: auth.Hash(tok), MemberID: m.ID, Role: "member"}); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	patch := func(tok, email string) int {
		return e.do(t, "PATCH", "/api/v1/me", tok, "en", strings.NewReader(`{"contact": {"email": "`+email+`"}}`)).status
	}
	lupe := token("Lupe")
	burst := e.srv.login.confirmPerMember.Burst
	for i := range burst {
		if code := patch(lupe, fmt.Sprintf("a%d@example.org", i)); code != http.StatusOK {
			t.Fatalf("new address %d: got %d, want 200", i, code)
		}
	}
	if got := e.sent(t); len(got) != burst {
		t.Fatalf("%d new addresses sent %d messages", burst, len(got))
	}
	for _, email := range []string{"rosa@example.org", "nadie@example.org"} {
		if code := patch(lupe, email); code != http.StatusTooManyRequests {
			t.Errorf("one more new address (%s): got %d, want 429", email, code)
		}
	}
	if got := e.sent(t); len(got) != 0 {
		t.Errorf("refused addresses were sent %v", got)
	}
	if code := patch(token("Beto"), "beto@example.org"); code != http.StatusOK {
		t.Errorf("another member: got %d, want 200", code)
	}
	e.clock.add(e.srv.login.confirmPerMember.Every)
	if code := patch(lupe, "nadie@example.org"); code != http.StatusOK {
		t.Errorf("after a while: got %d, want 200", code)
	}
}

// TestEmailAskLimitRefusedForm: a form that gives a new address and is
// refused for another field (an alias that is another member's) asks
// for no address, and takes nothing from the member's limit of new
// addresses: after more such forms than the limit lets through at
// once, the same form with their own alias is taken, on the account
// page and by PATCH /api/v1/me.
func TestEmailAskLimitRefusedForm(t *testing.T) {
	for _, via := range []string{"page", "api"} {
		t.Run(via, func(t *testing.T) {
			e := newMailEnv(t)
			m, b := e.lupe(t, "en")
			tok := addToken(t, e.env, m.ID, auth.Member)
			// send sends the form with the alias and a new address, and
			// returns the status and whether the answer says the alias
			// is taken.
			send := func(alias string) (int, bool) {
				if via == "api" {
					r := e.do(t, "PATCH", "/api/v1/me", tok, "en",
						strings.NewReader(`{"alias": "`+alias+`", "contact": {"email": "nueva@example.org"}}`))
					return r.status, strings.Contains(string(r.body), "alias: taken")
				}
				code, page, _ := b.post(t, "/me/account", "/me/account", url.Values{"alias": {alias}, "language": {"en"}, "cell": {"9q5cs"},
					"email": {"nueva@example.org"}}, true)
				return code, strings.Contains(page, `id="alias-error">`+e.srv.ui.t("en", "account.alias.taken"))
			}
			refused, taken := map[string]int{"page": http.StatusUnprocessableEntity, "api": http.StatusConflict}[via],
				map[string]int{"page": http.StatusSeeOther, "api": http.StatusOK}[via]
			for i := range e.srv.login.confirmPerMember.Burst + 1 {
				if code, aliasTaken := send(e.rosa.Alias); code != refused || !aliasTaken {
					t.Fatalf("form %d with Rosa's alias: got %d (alias said taken: %v), want %d saying the alias is taken", i+1, code, aliasTaken, refused)
				}
			}
			if got := e.sent(t); len(got) != 0 {
				t.Errorf("refused forms sent %v", got)
			}
			if code, _ := send("Lupe"); code != taken {
				t.Fatalf("the form with her own alias, after the refused ones: got %d, want %d", code, taken)
			}
			if got := e.sent(t); len(got) != 1 || len(got["nueva@example.org"]) != 1 {
				t.Errorf("the form taken sent %v, want one message to nueva@example.org", got)
			}
		})
	}
}

// TestEmailSendAgain: the account page offers to send the address that
// waits a new link, which replaces the one sent before; with nothing
// waiting the button is not there and a request sends nothing.
func TestEmailSendAgain(t *testing.T) {
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			e := newMailEnv(t)
			m, b := e.lupe(t, lang)
			again := `formaction="/me/account/email-again">` + html.EscapeString(e.srv.ui.t(lang, "account.email.again"))
			if _, page := b.get(t, "/me/account"); strings.Contains(page, again) {
				t.Errorf("with nothing waiting, the account page offers to send a link again")
			}
			if code, _, loc := b.post(t, "/me/account", "/me/account/email-again", url.Values{}, true); code != http.StatusSeeOther || loc != "/me/account" {
				t.Errorf("sending again with nothing waiting: got %d to %q, want 303 to /me/account", code, loc)
			}
			if got := e.sent(t); len(got) != 0 {
				t.Errorf("sending again with nothing waiting sent %v", got)
			}
			form := url.Values{"alias": {"Lupe"}, "language": {lang}, "cell": {"9q5cs"}, "email": {"nueva@example.org"}}
			if code, _, _ := b.post(t, "/me/account", "/me/account", form, true); code != http.StatusSeeOther {
				t.Fatalf("a new email: got %d, want 303", code)
			}
			first := linkIn(t, e.sent(t)["nueva@example.org"][0])
			if _, page := b.get(t, "/me/account"); !strings.Contains(page, again) {
				t.Errorf("with an address waiting, the account page does not offer to send the link again")
			}
			if code, _, loc := b.post(t, "/me/account", "/me/account/email-again", url.Values{}, true); code != http.StatusSeeOther || loc != "/me?done=email" {
				t.Fatalf("sending again: got %d to %q, want 303 to /me?done=email", code, loc)
			}
			got := e.sent(t)
			if len(got) != 1 || len(got["nueva@example.org"]) != 1 {
				t.Fatalf("sending again sent %v, want one message to nueva@example.org", got)
			}
			second := linkIn(t, got["nueva@example.org"][0])
			if second == first {
				t.Fatalf("the same link sent again")
			}
			if code, _ := e.confirm(t, first, lang); code != http.StatusGone {
				t.Errorf("the first link, replaced: got %d, want 410", code)
			}
			if code, _ := e.confirm(t, second, lang); code != http.StatusOK || e.emailOf(t, m.ID) != "nueva@example.org" {
				t.Errorf("the new link: got %d and the email %q, want 200 and nueva@example.org", code, e.emailOf(t, m.ID))
			}
		})
	}
}
