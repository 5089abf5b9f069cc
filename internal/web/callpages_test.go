package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/store"
)

// authzCallPage is the page path of a call of collective A raised by
// A's plain member: "/calls/" + id with rest, or rest + id when rest
// ends in a slash ("/calls/verify/").
func authzCallPage(rest string) func(f *fixture) string {
	return func(f *fixture) string {
		p := authzCall("", false)(f)
		id := strings.TrimPrefix(p, "/api/v1/calls/")
		if strings.HasSuffix(rest, "/") {
			return rest + id
		}
		return "/calls/" + id + rest
	}
}

func init() {
	for pattern, tc := range map[string]authzCase{
		"GET /calls":              {who: self},
		"GET /calls/new":          {who: coordinators},
		"POST /calls/new":         {who: coordinators, body: "collective=coll-a&site=kitchen-a&kind=raid&headcount=2&message_en=raid"},
		"GET /calls/{id}":         {who: collective, path: authzCallPage("")},
		"POST /calls/verify/{id}": {who: collective, path: authzCallPage("/calls/verify/")},
		"POST /calls/close/{id}":  {who: collective, path: authzCallPage("/calls/close/")},
	} {
		authzCases[pattern] = tc
	}
}

// postForm sends a page's form with a token, as the page tests do.
func (e *env) postForm(t *testing.T, target, token, lang string, form url.Values) response {
	t.Helper()
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// callForm is a good form of a new call in the garment collective.
func callForm(until time.Time) url.Values {
	return url.Values{"collective": {"c-garment"}, "site": {"fabrica-norte"}, "kind": {"raid"}, "headcount": {"2"},
		"until_rfc3339": {until.Format(time.RFC3339)}, "until": {until.Format(inputLayout)},
		"message_es": {"Redada en la puerta 3"}, "message_en": {"Raid at gate 3"}}
}

// fieldError returns the error shown next to field, "" if none.
func fieldError(body, field string) string {
	m := regexp.MustCompile(`<p class="error" id="` + regexp.QuoteMeta(field) + `-error">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestCallPageForm(t *testing.T) {
	e := newCallEnv(t, store.Config{DataDir: t.TempDir()}, 0)
	until := time.Now().Add(2 * time.Hour).Truncate(time.Minute)
	with := func(change map[string]string) url.Values {
		f := callForm(until)
		for k, v := range change {
			f.Set(k, v)
		}
		return f
	}
	past := time.Now().Add(-time.Hour).Format(time.RFC3339)
	for _, tc := range []struct {
		name   string
		form   url.Values
		lang   string
		errors map[string]string // field: a part of the error
		kept   map[string]string // field: what the page keeps
	}{
		{"headcount zero, en", with(map[string]string{"headcount": "0"}), "en",
			map[string]string{"headcount": "must be 1 to 10000, got 0"}, map[string]string{"message_en": "Raid at gate 3"}},
		{"headcount zero, es", with(map[string]string{"headcount": "0"}), "es",
			map[string]string{"headcount": "debe ser de 1 a 10000"}, map[string]string{"message_es": "Redada en la puerta 3"}},
		{"not a number, es", with(map[string]string{"headcount": "muchos"}), "es",
			map[string]string{"headcount": "Escribe un número entero."}, map[string]string{"headcount": "muchos"}},
		{"past and no message, en", with(map[string]string{"until_rfc3339": past, "message_es": "", "message_en": ""}), "en",
			map[string]string{"until": "is in the past", "message": "give the message in Spanish, English or both"}, nil},
		{"past, es", with(map[string]string{"until_rfc3339": past}), "es", map[string]string{"until": "ya pasó"}, nil},
		{"site and cell, en", with(map[string]string{"cell": "9q5cs"}), "en",
			map[string]string{"site": "not both"}, map[string]string{"cell": "9q5cs"}},
		{"bad cell, es", with(map[string]string{"site": "", "cell": "zzaa!"}), "es",
			map[string]string{"cell": "no es una celda geohash"}, map[string]string{"cell": "zzaa!"}},
		{"unknown site, en", with(map[string]string{"site": "nowhere"}), "en", map[string]string{"site": "unknown site &#34;nowhere&#34;"}, nil},
		// A place typed as a postcode the server does not know: in the
		// sea as a cell (90033, a known one, is in TestCallPagePostcode).
		{"postcode, en", with(map[string]string{"site": "", "cell": "90210"}), "en",
			map[string]string{"cell": "looks like a postcode"}, map[string]string{"cell": "90210"}},
		{"postcode, es", with(map[string]string{"site": "", "cell": "90210"}), "es",
			map[string]string{"cell": "parece un código postal"}, nil},
		{"no kind, es", with(map[string]string{"kind": ""}), "es", map[string]string{"kind": "Elige qué está pasando."}, nil},
		{"no collective, en", with(map[string]string{"collective": ""}), "en", map[string]string{"collective": "Choose one of your collectives."}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.postForm(t, "/calls/new", e.author, tc.lang, tc.form)
			body := string(r.body)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422: %.500s", r.status, body)
			}
			for field, want := range tc.errors {
				if got := fieldError(body, field); !strings.Contains(got, want) {
					t.Errorf("error of %s: got %q, want it to hold %q", field, got, want)
				}
			}
			for field, want := range tc.kept {
				if !strings.Contains(body, want) {
					t.Errorf("the form does not keep %s = %q", field, want)
				}
			}
		})
	}
	calls, err := e.store.CollectiveCalls(context.Background(), []string{"c-garment"}, false, 10)
	if err != nil || len(calls) != 0 {
		t.Fatalf("after bad forms: got %d calls (%v), want none", len(calls), err)
	}

	// A good form makes the call, as the API would, and leads to its board.
	r := e.postForm(t, "/calls/new", e.author, "en", callForm(until))
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/calls/call-") {
		t.Fatalf("good form: got %d to %q, want 303 to the board", r.status, r.header.Get("Location"))
	}
	calls, err = e.store.CollectiveCalls(context.Background(), []string{"c-garment"}, false, 10)
	if err != nil || len(calls) != 1 {
		t.Fatalf("got %d calls (%v), want 1", len(calls), err)
	}
	c := calls[0]
	if c.Status != call.Unverified || c.Kind != call.Raid || c.Headcount != 2 || !c.Until.Equal(until) ||
		c.Message.ES != "Redada en la puerta 3" || c.Site != "fabrica-norte" || "/calls/"+c.ID != r.header.Get("Location") {
		t.Errorf("the call: got %+v, want the form's", c)
	}

	// Who may open the form: a coordinator of the collective, not of
	// another; not a plain member.
	other := e.token(t, "a member", auth.Member, "")
	for _, tc := range []struct {
		name, token, target string
		want                int
	}{
		{"coordinator", e.author, "/calls/new?collective=c-garment", http.StatusOK},
		{"coordinator, no collective named", e.verifier, "/calls/new", http.StatusOK},
		{"member", other, "/calls/new", http.StatusForbidden},
		{"member naming the collective", other, "/calls/new?collective=c-garment", http.StatusForbidden},
	} {
		if got := e.do(t, "GET", tc.target, tc.token, "", nil).status; got != tc.want {
			t.Errorf("%s: GET %s: got %d, want %d", tc.name, tc.target, got, tc.want)
		}
	}
	if r := e.postForm(t, "/calls/new", other, "en", callForm(until)); r.status != http.StatusForbidden {
		t.Errorf("a member posting the form: got %d, want 403", r.status)
	}
}

func TestCallBoardPage(t *testing.T) {
	e := newCallEnv(t, store.Config{DataDir: t.TempDir()}, 4)
	ctx := context.Background()
	until := time.Now().Add(2 * time.Hour)
	r := e.postForm(t, "/calls/new", e.author, "en", callForm(until))
	if r.status != http.StatusSeeOther {
		t.Fatalf("new call: got %d %.300s", r.status, r.body)
	}
	board := r.header.Get("Location")
	id := strings.TrimPrefix(board, "/calls/")
	organizer := e.token(t, "organizer", auth.Organizer, "")
	if _, err := e.store.CreateCollective(ctx, store.Collective{ID: "c-school", Name: "School 3", Kind: store.School}); err != nil {
		t.Fatal(err)
	}
	elsewhere := e.token(t, "coordinator of a school", auth.Coordinator, "c-school")
	member := e.token(t, "a member", auth.Member, "")

	// The author sees the board without a verify button; another
	// coordinator and an organizer see it with one; a coordinator of
	// another collective and a member see nothing.
	for _, tc := range []struct {
		name, token string
		status      int
		verify      bool
	}{
		{"author", e.author, http.StatusOK, false},
		{"other coordinator", e.verifier, http.StatusOK, true},
		{"organizer", organizer, http.StatusOK, true},
		{"coordinator of another collective", elsewhere, http.StatusForbidden, false},
		{"member", member, http.StatusForbidden, false},
	} {
		r := e.do(t, "GET", board, tc.token, "es", nil)
		body := string(r.body)
		if r.status != tc.status {
			t.Errorf("%s: got %d, want %d", tc.name, r.status, tc.status)
			continue
		}
		if got := strings.Contains(body, `action="/calls/verify/`+id+`"`); got != tc.verify {
			t.Errorf("%s: verify button shown %v, want %v", tc.name, got, tc.verify)
		}
		if tc.status == http.StatusOK {
			for _, want := range []string{"esperando verificación", "Redada en la puerta 3", `data-events="/api/v1/calls/` + id + `/events"`,
				`action="/calls/close/` + id + `"`} {
				if !strings.Contains(body, want) {
					t.Errorf("%s: the board lacks %q", tc.name, want)
				}
			}
		}
	}

	// The list of calls shows the other coordinator the call waiting
	// for them, and their /me page says so; not the author's.
	_, list := pageBody(t, e.env, "/calls", e.verifier)
	if !strings.Contains(list, "1 urgent calls wait") || !strings.Contains(list, `href="/calls/`+id+`"`) {
		t.Errorf("the verifier's /calls lacks the waiting call: %.800s", list)
	}
	for name, token := range map[string]string{"coordinator of another collective": elsewhere, "member": member} {
		if _, list := pageBody(t, e.env, "/calls", token); strings.Contains(list, id) {
			t.Errorf("the %s's /calls shows the call", name)
		}
	}
	if _, me := pageBody(t, e.env, "/me", e.verifier); !strings.Contains(me, `id="calls-waiting"`) {
		t.Errorf("the verifier's /me does not say a call waits")
	}
	if _, me := pageBody(t, e.env, "/me", e.author); strings.Contains(me, `id="calls-waiting"`) {
		t.Errorf("the author's /me says their own call waits for them")
	}

	// The author may not verify their own call; the board says why.
	r = e.postForm(t, "/calls/verify/"+id, e.author, "es", nil)
	if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "Nadie verifica su propio llamado") {
		t.Errorf("the author verifying: got %d, want 403 saying why: %.300s", r.status, r.body)
	}
	if r := e.postForm(t, "/calls/verify/"+id, elsewhere, "en", nil); r.status != http.StatusForbidden {
		t.Errorf("another collective's coordinator verifying: got %d, want 403", r.status)
	}
	r = e.postForm(t, "/calls/verify/"+id, e.verifier, "en", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != board {
		t.Fatalf("verify: got %d to %q, want 303 to the board", r.status, r.header.Get("Location"))
	}
	if c, _ := e.store.Call(ctx, id); c.Status != call.Open {
		t.Fatalf("after verify: got %s, want open", c.Status)
	}
	if r := e.postForm(t, "/calls/verify/"+id, organizer, "en", nil); r.status != http.StatusConflict {
		t.Errorf("verify again: got %d, want 409", r.status)
	}

	// The first ring goes out; the members it reached see the call on
	// their page with how many are coming, never who, and answer there.
	got := e.drain(t, time.Now())
	if len(got) == 0 {
		t.Fatal("the verified call emailed nobody")
	}
	tok := auth.NewToken()
	if _, err := e.store.CreateToken(ctx, store.Token{Hash: auth.Hash(tok), MemberID: e.members[0], Role: string(auth.Member)}); err != nil {
		t.Fatal(err)
	}
	_, me := pageBody(t, e.env, "/me", tok)
	if !strings.Contains(me, "Urgent call near you") || !strings.Contains(me, "0 coming of 2 needed") {
		t.Fatalf("the member's /me lacks the call card: %.1500s", me)
	}
	for _, alias := range []string{"coordinator one", "coordinator two", "worker 001"} {
		if strings.Contains(me, alias) {
			t.Errorf("the member's card names %q", alias)
		}
	}
	// Their /calls shows it too; it said "No urgent calls in your
	// collectives", which only coordinators' lists are about. A member
	// it did not reach is told so, and how to ask for calls.
	if _, list := pageBody(t, e.env, "/calls", tok); !strings.Contains(list, "Urgent call near you") ||
		!strings.Contains(list, "0 coming of 2 needed") || strings.Contains(list, "No urgent calls in your collectives") ||
		strings.Contains(list, "No open urgent call has reached you") {
		t.Errorf("the reached member's /calls: %.1500s", list)
	}
	for lang, want := range map[string][]string{
		"en": {"No open urgent call has reached you.", "You have not asked for urgent calls", `href="/me/account"`},
		"es": {"No te llegó ningún llamado urgente abierto.", "No pediste recibir llamados urgentes"},
	} {
		list := string(e.do(t, "GET", "/calls", member, lang, nil).body)
		for _, w := range want {
			if !strings.Contains(list, w) {
				t.Errorf("%s: the /calls of a member the call did not reach lacks %q", lang, w)
			}
		}
		if strings.Contains(list, "Urgent call near you") || strings.Contains(list, "Llamado urgente cerca") || strings.Contains(list, id) {
			t.Errorf("%s: the /calls of a member the call did not reach shows it", lang)
		}
	}
	action := regexp.MustCompile(`action="(/calls/answer/[^"]+)"`).FindStringSubmatch(me)
	if action == nil {
		t.Fatal("the card has no answer form")
	}
	req := httptest.NewRequest("POST", action[1], strings.NewReader("answer=coming"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("answer from the card: got %d", rec.Code)
	}
	if _, me := pageBody(t, e.env, "/me", tok); !strings.Contains(me, "1 coming of 2 needed") || !strings.Contains(me, "Your answer: coming") {
		t.Errorf("after answering, the card: %.1500s", me)
	}
	_, b := pageBody(t, e.env, board, e.author)
	if !strings.Contains(b, `data-count="coming">1<`) {
		t.Errorf("the board does not count the answer: %.1500s", b)
	}
	// The board's map draws the place, and nobody's home.
	for i, m := range e.members {
		p, err := e.store.Profile(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b, p.Member.Cell) {
			t.Errorf("the board holds the home cell of member %d", i)
		}
	}
	if !strings.Contains(b, `"name":"Fábrica Norte"`) {
		t.Errorf("the board's map lacks the site")
	}

	// Close from the board; the buttons go away, and so does the card.
	if r := e.postForm(t, "/calls/close/"+id, elsewhere, "en", nil); r.status != http.StatusForbidden {
		t.Errorf("another collective's coordinator closing: got %d, want 403", r.status)
	}
	if r := e.postForm(t, "/calls/close/"+id, e.author, "en", nil); r.status != http.StatusSeeOther {
		t.Fatalf("close: got %d %.300s", r.status, r.body)
	}
	_, b = pageBody(t, e.env, board, e.author)
	if !strings.Contains(b, "closed") || strings.Contains(b, `action="/calls/close/`) {
		t.Errorf("the closed board: %.1500s", b)
	}
	if _, me := pageBody(t, e.env, "/me", tok); strings.Contains(me, "Urgent call near you") {
		t.Errorf("the card stays after the call closed")
	}
}

// pageBody GETs a page with a token and fails unless it answers 200.
func pageBody(t *testing.T, e *env, target, token string) (int, string) {
	t.Helper()
	r := e.do(t, "GET", target, token, "en", nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: got %d %.300s", target, r.status, r.body)
	}
	return r.status, string(r.body)
}

// TestCallPagePostcode: an urgent call's place typed as a postcode of
// the server's table (90033, Boyle Heights) is raised at its cell.
func TestCallPagePostcode(t *testing.T) {
	e := newCallEnv(t, store.Config{DataDir: t.TempDir()}, 0)
	until := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	form := callForm(until)
	form.Set("site", "")
	form.Set("cell", "90033")
	if r := e.postForm(t, "/calls/new", e.author, "en", form); r.status != http.StatusSeeOther {
		t.Fatalf("a call at 90033: got %d, want 303: %.500s", r.status, r.body)
	}
	calls, err := e.store.CollectiveCalls(context.Background(), []string{"c-garment"}, false, 10)
	if err != nil || len(calls) != 1 || calls[0].Cell != "9q5cw" {
		t.Fatalf("a call at 90033: got %+v, %v; want one at the table's cell 9q5cw", calls, err)
	}
}
