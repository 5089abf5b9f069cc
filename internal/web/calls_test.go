package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// The calls of the authorization test: a call of collective A at
// kitchen A, raised by its plain member, closed when the route is a
// stream (which then ends after one event).
func authzCall(rest string, closed bool) func(f *fixture) string {
	return func(f *fixture) string {
		ctx := context.Background()
		c, err := f.store.CreateCall(ctx, store.NewCall{Collective: collectiveA, Author: plainA, Request: call.Request{
			Site: "kitchen-a", Kind: call.Raid, Headcount: 1, Until: time.Now().Add(time.Hour), Message: call.Message{EN: "raid"}}}, time.Now())
		if err != nil {
			panic(err)
		}
		if closed {
			if _, err := f.store.CloseCall(ctx, c.ID, time.Now()); err != nil {
				panic(err)
			}
		}
		return "/api/v1/calls/" + c.ID + rest
	}
}

// authzAnswerLink is the signed link of a verified call's notice to
// A's plain member.
func authzAnswerLink(f *fixture) string {
	ctx := context.Background()
	opt := true
	if _, err := f.store.UpdateMember(ctx, plainA, store.MemberChange{CallOptIn: &opt}); err != nil {
		panic(err)
	}
	if err := f.store.PutMemberCallSettings(ctx, plainA, store.MemberCallSettings{ReachKm: 100}); err != nil {
		panic(err)
	}
	c, err := f.store.CreateCall(ctx, store.NewCall{Collective: collectiveA, Author: f.ids[coordA], Request: call.Request{
		Site: "kitchen-a", Kind: call.Raid, Headcount: 1, Until: time.Now().Add(time.Hour), Message: call.Message{EN: "raid"}}}, time.Now())
	if err != nil {
		panic(err)
	}
	if _, err := f.store.VerifyCall(ctx, c.ID, f.ids[organizer], time.Now()); err != nil {
		panic(err)
	}
	if n, _, err := f.store.Ring(ctx, c.ID, time.Now(), call.DefaultPolicy, nil); err != nil || n == 0 {
		panic(fmt.Sprintf("ring: %d, %v", n, err))
	}
	key, err := f.srv.linkKey()
	if err != nil {
		panic(err)
	}
	return "/calls/answer/" + call.SignLink(key, c.ID, plainA)
}

// callEnv is a server over a real database, sending email to a real
// SMTP server, served over real HTTP, with a world of members who
// opted in to calls north of a garment factory: member i lives about
// i*1.1 km away.
type callEnv struct {
	*env
	smtp     *smtptest.Server
	web      *httptest.Server
	members  []string // ids, nearest first
	emails   []string // theirs
	author   string   // a coordinator's token
	verifier string   // another's
	policy   call.Policy
}

const (
	factoryLat = 34.0407
	factoryLon = -118.2468
)

var callsWorld = `{"format": "commune.world/v1", "period": "week",
  "skills": [{"id": "sew", "name": {"en": "Sewing", "es": "Costura"}}],
  "products": [{"id": "shirt", "name": {"en": "Shirt", "es": "Camisa"}, "unit": "shirt", "kind": "good"}],
  "sites": [{"id": "fabrica-norte", "name": "Fábrica Norte", "kind": "workplace", "lat": 34.0407, "lon": -118.2468, "collective": "c-garment"}],
  "recipes": [{"id": "sew-shirts", "site": "fabrica-norte", "outputs": {"shirt": 4}, "labor": {"sew": 1}}],
  "members": [{"id": "w-sewer", "cell": "9q5cs", "collectives": ["c-garment"], "commitment": {"hours": 4, "skills": ["sew"], "max_km": 10}}],
  "needs": [{"id": "need-shirt", "member": "w-sewer", "product": "shirt", "qty": 1, "tier": "basic"}]
}`

func newCallEnv(t *testing.T, cfg store.Config, members int) *callEnv {
	t.Helper()
	return newCallEnvWith(t, cfg, members, nil)
}

// newCallEnvWith is newCallEnv with options changed by tune, if not nil.
func newCallEnvWith(t *testing.T, cfg store.Config, members int, tune func(*Options)) *callEnv {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	mail := smtptest.Start(t, smtptest.Options{})
	mailer, err := notify.NewMailer(mail.URL)
	if err != nil {
		t.Fatal(err)
	}
	policy := call.Policy{Factor: 3, Interval: time.Minute}
	var log bytes.Buffer
	opt := Options{Mailer: mailer, PublicURL: "https://commune.example.org", Calls: CallOptions{Policy: policy, Backoff: time.Second}}
	if tune != nil {
		tune(&opt)
	}
	srv := New(st, slog.New(slog.NewJSONHandler(&log, nil)), opt)
	e := &callEnv{env: &env{store: st, srv: srv, http: srv.Handler(), log: &log}, smtp: mail, policy: policy}
	e.web = httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.EndStreams()
		e.web.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	if _, err := st.CreateCollective(ctx, store.Collective{ID: "c-garment", Name: "Garment 7", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	w, err := world.Read(strings.NewReader(callsWorld))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutWorld(ctx, w); err != nil {
		t.Fatal(err)
	}
	e.author = e.token(t, "coordinator one", auth.Coordinator, "c-garment")
	e.verifier = e.token(t, "coordinator two", auth.Coordinator, "c-garment")
	for i := range members {
		email := fmt.Sprintf("worker%03d@example.org", i)
		m, err := st.CreateMember(ctx, store.Member{Alias: fmt.Sprintf("worker %03d", i), Language: []string{"es", "en"}[i%2],
			Cell: geo.Encode(factoryLat+0.01*float64(i), factoryLon, 6), CallOptIn: true, Contact: store.Contact{Email: email}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PutMemberCallSettings(ctx, m.ID, store.MemberCallSettings{ReachKm: 100}); err != nil {
			t.Fatal(err)
		}
		e.members, e.emails = append(e.members, m.ID), append(e.emails, email)
	}
	return e
}

// drain runs the worker's steps at now until the outbox has nothing
// due, and returns the messages the SMTP server received, by address.
// Every message sent is already in e.smtp.Messages when Dispatch
// returns: the server queues a message before it answers the DATA
// command, and Dispatch returns once every send has its answer. (A
// claimed row need not be a message: a member without an address
// is given up.)
func (e *callEnv) drain(t *testing.T, now time.Time) map[string]smtptest.Message {
	t.Helper()
	ctx := context.Background()
	e.srv.CallTick(ctx, now)
	got := map[string]smtptest.Message{}
	take := func() {
		for {
			select {
			case m := <-e.smtp.Messages:
				for _, to := range m.To {
					if _, dup := got[to]; dup {
						t.Errorf("%s got two messages", to)
					}
					got[to] = m
				}
			default:
				return
			}
		}
	}
	for {
		n, err := e.srv.Dispatch(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		take() // before the server's queue of 100 fills
		if n == 0 {
			return got
		}
	}
}

var linkRE = regexp.MustCompile(`https://commune\.example\.org(/calls/answer/[A-Za-z0-9._~%-]+)`)

// linkOf returns the path of the answer link in a message.
func linkOf(t *testing.T, m smtptest.Message) string {
	t.Helper()
	_, body := m.Parsed(t)
	match := linkRE.FindStringSubmatch(body)
	if match == nil {
		t.Fatalf("no answer link in %q", body)
	}
	return match[1]
}

// stream reads a call's live board, each event into the channel.
func (e *callEnv) stream(t *testing.T, id string) <-chan boardBody {
	t.Helper()
	req, _ := http.NewRequest("GET", e.web.URL+"/api/v1/calls/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+e.author)
	resp, err := e.web.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: got %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan boardBody, 100)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				event = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok && event == "board" {
				var b boardBody
				if err := json.Unmarshal([]byte(v), &b); err != nil {
					t.Errorf("event data %q: %v", v, err)
					return
				}
				out <- b
			}
		}
	}()
	return out
}

// await reads events until one satisfies ok, and returns it.
func await(t *testing.T, events <-chan boardBody, what string, ok func(b boardBody) bool) boardBody {
	t.Helper()
	deadline := time.After(30 * time.Second) // a guard against a hang, not a measure
	for {
		select {
		case b, open := <-events:
			if !open {
				t.Fatalf("the stream ended before %s", what)
			}
			if ok(b) {
				return b
			}
		case <-deadline:
			t.Fatalf("no event with %s", what)
		}
	}
}

// post sends a form to the server as a browser would, without
// following the redirect.
func (e *callEnv) post(t *testing.T, path string, form url.Values) *http.Response {
	t.Helper()
	c := e.web.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.PostForm(e.web.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// verifiedCall has the author create the call of body and the verifier
// verify it, and returns its id: the start of every call's journey.
func (e *callEnv) verifiedCall(t *testing.T, body any) string {
	t.Helper()
	var created callStatus
	e.json(t, "POST", "/api/v1/calls", e.author, body, 201, &created)
	e.json(t, "POST", "/api/v1/calls/"+created.ID+"/verify", e.verifier, nil, 200, nil)
	return created.ID
}

func (e *callEnv) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := e.web.Client().Get(e.web.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func validCall(until time.Time) map[string]any {
	return map[string]any{"collective": "c-garment", "site": "fabrica-norte", "kind": "raid", "headcount": 2,
		"until": until.Format(time.RFC3339), "message": map[string]string{"es": "Redada en la Fábrica Norte, puerta 3", "en": "Raid at Fábrica Norte, gate 3"}}
}

func TestCallBadInput(t *testing.T) {
	eachDatabase(t, testCallBadInput)
}

func testCallBadInput(t *testing.T, db database) {
	e := newCallEnv(t, db.cfg, 3)
	until := time.Now().Add(time.Hour)
	with := func(k string, v any) map[string]any {
		b := validCall(until)
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	tests := []struct {
		name   string
		body   map[string]any
		en, es string // a word of the field error in each language
	}{
		{"unknown site", with("site", "fabrica-sur"), `site: unknown site "fabrica-sur"`, `site: sitio desconocido "fabrica-sur"`},
		{"not a geohash", with("site", nil), "", ""},
		{"headcount 0", with("headcount", 0), "headcount: must be 1 to 10000, got 0", "headcount: debe ser de 1 a 10000, se recibió 0"},
		{"past", with("until", time.Now().Add(-time.Hour).Format(time.RFC3339)), "until: is in the past", "until: ya pasó"},
		{"no message", with("message", map[string]string{}), "message: give the message", "message: escribe el mensaje"},
		{"not a time", with("until", "tomorrow"), "until: give the end as a time", "until: indica el final como una hora"},
		{"unknown kind", with("kind", "party"), `kind: "party" is not one of`, `kind: "party" no es uno de`},
		{"a postcode not known", with("site", nil), `cell: "90210" looks like a postcode`, `cell: "90210" parece un código postal`},
	}
	tests[1].body["cell"] = "9q5ca" // 'a' is not a geohash digit
	tests[1].en, tests[1].es = `cell: "9q5ca" is not a geohash cell`, `cell: "9q5ca" no es una celda geohash`
	tests[len(tests)-1].body["cell"] = "90210" // in the sea as a cell
	for _, tc := range tests {
		for _, lang := range []string{"en", "es"} {
			b, _ := json.Marshal(tc.body)
			r := e.do(t, "POST", "/api/v1/calls", e.author, lang, bytes.NewReader(b))
			if r.status != http.StatusBadRequest {
				t.Errorf("%s (%s): got %d %s, want 400", tc.name, lang, r.status, r.body)
				continue
			}
			d := errorOf(t, r)
			want := map[string]string{"en": tc.en, "es": tc.es}[lang]
			if d.Code != store.CodeInvalid || len(d.Errors) == 0 || !strings.Contains(d.Errors[0], want) {
				t.Errorf("%s (%s): got %+v, want an error with %q", tc.name, lang, d, want)
			}
		}
	}
	if cs, err := e.store.OpenCalls(context.Background()); err != nil || len(cs) != 0 {
		t.Errorf("open calls after bad input: %v, %v", cs, err)
	}
	// A member of nothing, and a coordinator of another collective, may
	// not raise a call here; the collective must be named.
	member := e.token(t, "just a member", auth.Member, "")
	b, _ := json.Marshal(validCall(until))
	if r := e.do(t, "POST", "/api/v1/calls", member, "", bytes.NewReader(b)); r.status != http.StatusForbidden {
		t.Errorf("a member raises a call: got %d, want 403", r.status)
	}
	b, _ = json.Marshal(with("collective", nil))
	if r := e.do(t, "POST", "/api/v1/calls", e.author, "", bytes.NewReader(b)); r.status != http.StatusBadRequest {
		t.Errorf("no collective: got %d, want 400", r.status)
	}
	for _, table := range tablesOf(t, db) {
		if !strings.HasPrefix(table, "call") {
			continue
		}
		var n int
		if err := db.raw.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s has %d rows after bad input (%v), want 0", table, n, err)
		}
	}
}

func TestCallJourney(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db database) {
		e := newCallEnv(t, db.cfg, 30)
		ctx := context.Background()
		var created callStatus
		e.json(t, "POST", "/api/v1/calls", e.author, validCall(time.Now().Add(2*time.Hour)), 201, &created)
		if created.Status != call.Unverified || created.ID == "" {
			t.Fatalf("created: %+v", created)
		}
		id := created.ID
		// Unverified, it reaches nobody.
		if got := e.drain(t, time.Now()); len(got) != 0 {
			t.Errorf("an unverified call sent %d messages", len(got))
		}
		r := e.do(t, "POST", "/api/v1/calls/"+id+"/verify", e.author, "es", nil)
		if d := errorOf(t, r); r.status != http.StatusForbidden || !strings.Contains(d.Message, "nadie verifica su propio llamado") {
			t.Errorf("the author verifies: got %d %+v", r.status, d)
		}
		events := e.stream(t, id)
		await(t, events, "the unverified board", func(b boardBody) bool { return b.Status == call.Unverified && b.Targeted == 0 })
		var verified callStatus
		e.json(t, "POST", "/api/v1/calls/"+id+"/verify", e.verifier, nil, 200, &verified)
		if verified.Status != call.Open {
			t.Errorf("verified: %+v", verified)
		}

		// The first ring: three times the headcount, nearest first,
		// each emailed once, with a generic text and a signed link.
		start := time.Now()
		got := e.drain(t, start)
		want := e.emails[:6]
		if keys := sortedKeys(got); !slices.Equal(keys, want) {
			t.Fatalf("first ring emailed %v, want %v", keys, want)
		}
		links := map[string]string{}
		ids := map[string]bool{}
		for i, to := range want {
			h, body := got[to].Parsed(t)
			if ids[h["Message-Id"]] {
				t.Errorf("two messages share the Message-ID %s", h["Message-Id"])
			}
			ids[h["Message-Id"]] = true
			subject := map[bool]string{true: "Llamado urgente cerca de usted", false: "Urgent call near you"}[i%2 == 0]
			if h["Subject"] != subject || strings.Contains(body, "Fábrica") || strings.Contains(body, "Redada") || strings.Contains(body, "Raid") {
				t.Errorf("message to %s: subject %q body %q: want the generic text in the member's language", to, h["Subject"], body)
			}
			links[e.members[i]] = linkOf(t, got[to])
		}
		b := await(t, events, "the first ring notified", func(b boardBody) bool { return b.Notified == 6 })
		if b.Targeted != 6 || len(b.Rings) != 1 || b.Rings[0].Targeted != 6 || b.Coming != 0 {
			t.Errorf("board after the first ring: %+v", b)
		}

		// Opening the link changes nothing; its form answers.
		status, page := e.get(t, links[e.members[0]])
		if status != 200 || !strings.Contains(page, "0 en camino de 2") && !strings.Contains(page, "0 coming of 2") {
			t.Errorf("answer page: got %d %.400s", status, page)
		}
		if cc, _ := e.store.CallCounts(ctx, id); cc.Coming != 0 {
			t.Errorf("GET of the answer page answered: %+v", cc)
		}
		if resp := e.post(t, links[e.members[0]], url.Values{"answer": {"coming"}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("answer coming: got %d, want 303", resp.StatusCode)
		}
		if resp := e.post(t, links[e.members[1]], url.Values{"answer": {"cannot"}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("answer cannot: got %d, want 303", resp.StatusCode)
		}
		await(t, events, "one coming, one cannot", func(b boardBody) bool { return b.Coming == 1 && b.Cannot == 1 })
		// The page speaks the member's language (TestCallAnswerPageLanguage).
		if _, page := e.get(t, links[e.members[0]]); !(strings.Contains(page, "Your answer: coming") && strings.Contains(page, "1 coming of 2") ||
			strings.Contains(page, "Tu respuesta: voy") && strings.Contains(page, "1 en camino de 2")) {
			t.Errorf("the answer page after answering: %.600s", page)
		}
		// A link made for another call or member, or altered, opens
		// nothing.
		bad := links[e.members[2]][:len(links[e.members[2]])-2] + "xx"
		if status, _ := e.get(t, bad); status != http.StatusNotFound {
			t.Errorf("an altered link: got %d, want 404", status)
		}
		if resp := e.post(t, bad, url.Values{"answer": {"coming"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("an answer through an altered link: got %d, want 404", resp.StatusCode)
		}

		// Too few coming: after the interval, the next ring asks three
		// for the one missing, the next nearest.
		if got := e.drain(t, start.Add(e.policy.Interval/2)); len(got) != 0 {
			t.Errorf("a ring before the interval: %v", sortedKeys(got))
		}
		got = e.drain(t, start.Add(e.policy.Interval))
		if keys := sortedKeys(got); !slices.Equal(keys, e.emails[6:9]) {
			t.Fatalf("second ring emailed %v, want %v", keys, e.emails[6:9])
		}
		b = await(t, events, "the second ring", func(b boardBody) bool { return len(b.Rings) == 2 && b.Notified == 9 })
		if b.Rings[1] != (ringBody{Ring: 2, tallyBody: tallyBody{Targeted: 3, Notified: 3}}) {
			t.Errorf("second ring: %+v", b.Rings[1])
		}

		// A member answers in the app; a member the call did not reach
		// cannot.
		tok := auth.NewToken()
		if _, err := e.store.CreateToken(ctx, store.Token{Hash: auth.Hash(tok), MemberID: e.members[7], Role: "member"}); err != nil {
			t.Fatal(err)
		}
		var res answerResult
		e.json(t, "POST", "/api/v1/calls/"+id+"/answer", tok, map[string]string{"answer": "coming"}, 200, &res)
		if res.Answer != call.Coming || res.Coming != 2 {
			t.Errorf("answer in the app: %+v, want coming, 2 coming", res)
		}
		e.json(t, "POST", "/api/v1/calls/"+id+"/answer", tok, map[string]string{"answer": "arrived"}, 200, &res)
		if r := e.do(t, "POST", "/api/v1/calls/"+id+"/answer", e.token(t, "far away", auth.Member, ""), "", strings.NewReader(`{"answer": "coming"}`)); r.status != http.StatusNotFound {
			t.Errorf("an answer from a member the call did not reach: got %d, want 404", r.status)
		}
		b = await(t, events, "two coming, one arrived", func(b boardBody) bool { return b.Coming == 2 && b.Arrived == 1 })
		if b.Rings[1].Arrived != 1 || b.Rings[0].Coming != 1 {
			t.Errorf("rings: %+v", b.Rings)
		}
		// Enough are coming: no third ring.
		if got := e.drain(t, start.Add(3*e.policy.Interval)); len(got) != 0 {
			t.Errorf("a ring with enough coming: %v", sortedKeys(got))
		}
		var board boardBody
		e.json(t, "GET", "/api/v1/calls/"+id, e.author, nil, 200, &board)
		if board.Targeted != 9 || board.Coming != 2 || board.Arrived != 1 || board.Cannot != 1 || board.Notified != 9 {
			t.Errorf("GET board: %+v", board)
		}
		if bytes.Contains(e.do(t, "GET", "/api/v1/calls/"+id, e.author, "", nil).body, []byte(e.members[0])) {
			t.Error("the board names a member")
		}

		var closed callStatus
		e.json(t, "POST", "/api/v1/calls/"+id+"/close", e.verifier, nil, 200, &closed)
		await(t, events, "closed", func(b boardBody) bool { return b.Status == call.Closed })
		if _, open := <-events; open {
			t.Error("the stream goes on after the call closed")
		}
		if resp := e.post(t, links[e.members[2]], url.Values{"answer": {"coming"}}); resp.StatusCode != http.StatusConflict {
			t.Errorf("an answer after the close: got %d, want 409", resp.StatusCode)
		}

		// The purge: a day after the close, nothing names a recipient,
		// an answer or the place; the counts remain.
		c, err := e.store.Call(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		marks := map[string][]byte{"site": []byte("fabrica-norte"), "place": []byte(c.Cell), "message es": []byte("Redada"),
			"message en": []byte("Raid at")}
		for i, m := range e.members[:9] {
			marks[fmt.Sprintf("recipient %d", i)] = []byte(m)
		}
		e.drain(t, c.Closed.Add(store.DefaultCallRetention-time.Second))
		if before := callMarks(t, db, marks); !slices.Contains(before, "call_targets.member_id: recipient 0") ||
			!slices.Contains(before, "call_answers.member_id: recipient 0") || !slices.Contains(before, "calls.cell: place") ||
			!slices.Contains(before, "call_outbox.member_id: recipient 8") || !slices.Contains(before, "calls.message_es: message es") {
			t.Errorf("before the retention is over, the walk finds %q", before)
		}
		e.drain(t, c.Closed.Add(store.DefaultCallRetention))
		if after := callMarks(t, db, marks); len(after) > 0 {
			t.Errorf("after the purge, rows still name: %q", after)
		}
		e.json(t, "GET", "/api/v1/calls/"+id, e.author, nil, 200, &board)
		if board.Targeted != 9 || board.Coming != 2 || board.Arrived != 1 || board.Cannot != 1 || len(board.Rings) != 0 {
			t.Errorf("board after the purge: %+v", board)
		}
		if status, _ := e.get(t, links[e.members[0]]); status != http.StatusNotFound {
			t.Errorf("a link after the purge: got %d, want 404", status)
		}
	})
}

// callMarks is findMarks less the tables that name members as members
// and the world's sites (a purge deletes neither members nor sites).
func callMarks(t *testing.T, db database, marks map[string][]byte) []string {
	t.Helper()
	var out []string
	for _, f := range findMarks(t, db, marks) {
		table, _, _ := strings.Cut(f, ".")
		if !slices.Contains([]string{"members", "memberships", "member_call_settings", "sites", "recipes", "tokens"}, table) {
			out = append(out, f)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestCallDeliveryRetry: a message the SMTP server defers (4xx) is
// tried again after the backoff, with the same idempotency id; the
// member is not counted notified until it goes.
func TestCallDeliveryRetry(t *testing.T) {
	e := newCallEnv(t, store.Config{DataDir: t.TempDir()}, 2)
	ctx := context.Background()
	if err := e.store.PutCollectiveCallSettings(ctx, "c-garment", store.CollectiveCallSettings{Verify: false}); err != nil {
		t.Fatal(err)
	}
	var created callStatus
	body := validCall(time.Now().Add(time.Hour))
	body["headcount"] = 1
	e.json(t, "POST", "/api/v1/calls", e.author, body, 201, &created)
	if created.Status != call.Open {
		t.Fatalf("a call of a collective without verification: %+v", created)
	}
	mail := smtptest.Start(t, smtptest.Options{DeferRcpt: true})
	refusing, err := notify.NewMailer(mail.URL)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.calls.channels["email"] = EmailChannel(refusing)
	now := time.Now()
	e.srv.CallTick(ctx, now)
	for attempt := 1; attempt <= 3; attempt++ {
		if n, err := e.srv.Dispatch(ctx, now); err != nil || n != 2 {
			t.Fatalf("attempt %d: dispatched %d, %v; want 2", attempt, n, err)
		}
		// Not due again before the backoff.
		if n, _ := e.srv.Dispatch(ctx, now.Add(time.Second<<(attempt-1)-time.Millisecond)); n != 0 {
			t.Errorf("attempt %d: %d rows due before the backoff", attempt, n)
		}
		now = now.Add(time.Second << (attempt - 1))
	}
	box, err := e.store.Outbox(ctx, created.ID)
	if err != nil || len(box) != 2 {
		t.Fatalf("outbox: %v, %v", box, err)
	}
	for _, r := range box {
		if r.Attempts != 3 || r.ErrorClass != "send" || !r.Sent.IsZero() {
			t.Errorf("outbox row: %+v, want 3 attempts, class send, not sent", r)
		}
	}
	// The server takes the messages again: the retry is sent, with the
	// id of the first try.
	e.srv.calls.channels["email"] = EmailChannel(mustMailer(t, e.smtp.URL))
	if n, _ := e.srv.Dispatch(ctx, now); n != 2 {
		t.Fatalf("the retry: %d rows", n)
	}
	for range 2 {
		h, _ := e.smtp.Wait(t).Parsed(t)
		idem := strings.TrimSuffix(strings.TrimPrefix(h["Message-Id"], "<"), "@localhost>")
		if !slices.ContainsFunc(box, func(r store.OutboxRow) bool { return notify.MessageID(r.Idem) == idem }) {
			t.Errorf("Message-ID %s is not the row's idempotency id", h["Message-Id"])
		}
	}
	var board boardBody
	e.json(t, "GET", "/api/v1/calls/"+created.ID, e.author, nil, 200, &board)
	if board.Notified != 2 {
		t.Errorf("notified: %d, want 2", board.Notified)
	}
}

// TestCallDeliveryRefused: a message the SMTP server refuses for good
// (5xx) is not tried again: its row is given up as refused.
func TestCallDeliveryRefused(t *testing.T) {
	e := newCallEnv(t, store.Config{DataDir: t.TempDir()}, 2)
	ctx := context.Background()
	if err := e.store.PutCollectiveCallSettings(ctx, "c-garment", store.CollectiveCallSettings{Verify: false}); err != nil {
		t.Fatal(err)
	}
	var created callStatus
	body := validCall(time.Now().Add(time.Hour))
	body["headcount"] = 1
	e.json(t, "POST", "/api/v1/calls", e.author, body, 201, &created)
	e.srv.calls.channels["email"] = EmailChannel(mustMailer(t, smtptest.Start(t, smtptest.Options{RejectRcpt: true}).URL))
	now := time.Now()
	e.srv.CallTick(ctx, now)
	if n, err := e.srv.Dispatch(ctx, now); err != nil || n != 2 {
		t.Fatalf("dispatched %d, %v; want 2", n, err)
	}
	if n, _ := e.srv.Dispatch(ctx, now.Add(time.Hour)); n != 0 {
		t.Errorf("%d refused rows due again an hour later, want none", n)
	}
	box, err := e.store.Outbox(ctx, created.ID)
	if err != nil || len(box) != 2 {
		t.Fatalf("outbox: %v, %v", box, err)
	}
	for _, r := range box {
		if r.Attempts != 1 || r.ErrorClass != "refused" || !r.Sent.IsZero() {
			t.Errorf("outbox row: %+v, want 1 attempt, class refused, not sent", r)
		}
	}
}

func mustMailer(t *testing.T, u string) *notify.Mailer {
	t.Helper()
	m, err := notify.NewMailer(u)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCallEraseMember: DELETE /api/v1/me leaves no row of a call that
// names the member: not their target, answer or outbox row, nor the
// call they raised.
func TestCallEraseMember(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db database) {
		e := newCallEnv(t, db.cfg, 3)
		ctx := context.Background()
		id := e.verifiedCall(t, validCall(time.Now().Add(time.Hour)))
		e.drain(t, time.Now())
		tok := auth.NewToken()
		if _, err := e.store.CreateToken(ctx, store.Token{Hash: auth.Hash(tok), MemberID: e.members[0], Role: "member"}); err != nil {
			t.Fatal(err)
		}
		e.json(t, "POST", "/api/v1/calls/"+id+"/answer", tok, map[string]string{"answer": "coming"}, 200, nil)
		author, err := e.store.TokenByHash(ctx, auth.Hash(e.author))
		if err != nil {
			t.Fatal(err)
		}
		marks := map[string][]byte{"member": []byte(e.members[0]), "author": []byte(author.MemberID)}
		before := findMarks(t, db, marks)
		for _, want := range []string{"call_targets.member_id: member", "call_answers.member_id: member", "call_outbox.member_id: member", "calls.author_id: author"} {
			if !slices.Contains(before, want) {
				t.Errorf("before the erasure, the walk does not find %q: %q", want, before)
			}
		}
		e.json(t, "DELETE", "/api/v1/me", tok, nil, 204, nil)
		e.json(t, "DELETE", "/api/v1/me", e.author, nil, 204, nil)
		if after := findMarks(t, db, marks); len(after) > 0 {
			t.Errorf("after DELETE /api/v1/me, rows still name them: %q", after)
		}
	})
}

// TestCallWorker: the background work, as commune serve runs it,
// sends the first ring as soon as a call is verified, and returns when
// its context ends.
func TestCallWorker(t *testing.T) {
	e := newCallEnv(t, store.Config{DataDir: t.TempDir()}, 4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.RunCalls(ctx) }()
	body := validCall(time.Now().Add(time.Hour))
	body["headcount"] = 1
	e.verifiedCall(t, body)
	var got []string
	for range 3 {
		got = append(got, e.smtp.Wait(t).To...)
	}
	slices.Sort(got)
	if !slices.Equal(got, e.emails[:3]) {
		t.Errorf("the worker emailed %v, want %v", got, e.emails[:3])
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunCalls: %v", err)
		}
	case <-time.After(30 * time.Second): // a guard against a hang
		t.Fatal("RunCalls did not return after its context ended")
	}
}

func TestCallSettingsAPI(t *testing.T) {
	e := newEnv(t)
	tok := e.token(t, "night shift", auth.Member, "")
	var got callSettingsBody
	e.json(t, "GET", "/api/v1/me/calls", tok, nil, 200, &got)
	if got.ReachKm != store.DefaultCallReachKm || len(got.Week) != 0 || got.TZ != "UTC" {
		t.Errorf("defaults: %+v", got)
	}
	want := callSettingsBody{ReachKm: 8, TZ: "America/Los_Angeles", Week: []windowBody{
		{Day: "monday", Start: "08:00", End: "15:00"}, {Day: "friday", Start: "22:00", End: "06:00"}}}
	e.json(t, "PUT", "/api/v1/me/calls", tok, want, 200, &got)
	var again callSettingsBody
	e.json(t, "GET", "/api/v1/me/calls", tok, nil, 200, &again)
	if fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(again) != fmt.Sprint(want) {
		t.Errorf("PUT answered %+v, GET %+v, want %+v", got, again, want)
	}
	bad := `{"reach_km": -1, "tz": "Mars/Olympus", "week": [{"day": "funday", "start": "25:00", "end": "06:00"}]}`
	r := e.do(t, "PUT", "/api/v1/me/calls", tok, "es", strings.NewReader(bad))
	d := errorOf(t, r)
	wantErrs := []string{"reach_km: debe ser de 0 a 200 km", `tz: "Mars/Olympus" no es una zona horaria`, `week[0].day: "funday" no es ninguno de`,
		`week[0].start: "25:00" no es una hora del día`}
	if r.status != 400 || len(d.Errors) != len(wantErrs) {
		t.Fatalf("bad settings: got %d %+v, want 400 with %d errors", r.status, d, len(wantErrs))
	}
	for i, w := range wantErrs {
		if !strings.HasPrefix(d.Errors[i], w) {
			t.Errorf("error %d: got %q, want %q...", i, d.Errors[i], w)
		}
	}
	e.json(t, "GET", "/api/v1/me/calls", tok, nil, 200, &again)
	if fmt.Sprint(again) != fmt.Sprint(want) {
		t.Errorf("bad settings changed them: %+v", again)
	}
}
