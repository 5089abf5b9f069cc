package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// member creates a member with a member's token, in the world of
// examples/neighbourhood.json when the store has none yet, and returns
// their id and token.
func (e *env) member(t *testing.T, alias string) (string, string) {
	t.Helper()
	ctx := context.Background()
	if w, err := e.store.World(ctx); err != nil || len(w.Products) == 0 {
		putExample(t, e.store)
	}
	tok := e.token(t, alias, auth.Member, "")
	m, err := e.store.MemberByAlias(ctx, alias)
	if err != nil {
		t.Fatal(err)
	}
	return m.ID, tok
}

// putExample puts the world of examples/neighbourhood.json in st and
// returns it.
func putExample(t *testing.T, st *store.Store) *world.World {
	t.Helper()
	w := readWorldFile(t, "../../examples/neighbourhood.json")
	if err := st.PutWorld(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	return w
}

// planStored plans the world st holds and stores the plan as a finished
// run, whose id it returns with the plan.
func planStored(t *testing.T, st *store.Store) (int64, *plan.Plan) {
	t.Helper()
	ctx := context.Background()
	w, err := st.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Make(ctx, w, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.CreatePlanRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishPlanRun(ctx, run, p); err != nil {
		t.Fatal(err)
	}
	return run, p
}

func readWorldFile(t *testing.T, path string) *world.World {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// json sends v as the body of a request and decodes a 2xx answer into
// out (when not nil), failing the test on any other status than want.
func (e *env) json(t *testing.T, method, target, token string, body any, want int, out any) response {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	r := e.do(t, method, target, token, "", rd)
	if r.status != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, target, r.status, r.body, want)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, target, err, r.body)
		}
	}
	return r
}

func TestMe(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, tok := e.member(t, "Lupe")
	if _, err := e.store.CreateCollective(ctx, store.Collective{ID: "c-plant", Name: "Plant 7", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddMembership(ctx, id, "c-plant", store.RoleMember); err != nil {
		t.Fatal(err)
	}
	var got meBody
	e.json(t, "GET", "/api/v1/me", tok, nil, 200, &got)
	want := meBody{ID: id, Alias: "Lupe", Language: "en", Cell: "9q8yy",
		Collectives: []meCollectiveBody{{ID: "c-plant", Name: "Plant 7", Kind: "workplace", Role: "member"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GET /api/v1/me: got %+v, want %+v", got, want)
	}

	// A new email without a mailer: nothing could confirm it
	// (emailconfirm.go), so nothing is stored.
	patch := map[string]any{"alias": "Lupita", "language": "es", "cell": "9q5cs", "call_opt_in": true,
		"contact": map[string]string{"email": "lupe@example.org", "phone": "+1 (213) 555-0101"}}
	r := e.json(t, "PATCH", "/api/v1/me", tok, patch, 503, nil)
	if d := errorOf(t, r); d.Message != messagesEN[msgNoEmailConfirm] {
		t.Errorf("a new email without a mailer: got %+v", d)
	}
	e.json(t, "GET", "/api/v1/me", tok, nil, 200, &got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after a refused PATCH: got %+v, want %+v", got, want)
	}
	// The email an organizer's import gave stays as it is; the rest
	// changes.
	if err := e.store.SetContact(ctx, id, store.Contact{Email: "lupe@example.org"}); err != nil {
		t.Fatal(err)
	}
	e.json(t, "PATCH", "/api/v1/me", tok, patch, 200, &got)
	want.Alias, want.Language, want.Cell, want.CallOptIn = "Lupita", "es", "9q5cs", true
	want.Contact = contactBody{Email: "lupe@example.org", Phone: "+1 (213) 555-0101"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PATCH /api/v1/me: got %+v, want %+v", got, want)
	}
	// Only the fields given change.
	e.json(t, "PATCH", "/api/v1/me", tok, map[string]any{"call_opt_in": false}, 200, &got)
	want.CallOptIn = false
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PATCH call_opt_in: got %+v, want %+v", got, want)
	}
	if m, err := e.store.Member(ctx, id); err != nil || m.Contact.Email != "lupe@example.org" || m.Alias != "Lupita" {
		t.Errorf("stored member: %+v, %v", m, err)
	}

	// Bad bodies: every problem named, in the request's language, and
	// nothing stored.
	e.token(t, "Taken", auth.Member, "")
	tests := []struct {
		name, body, lang string
		status           int
		errors           []string
	}{
		{"every field bad", `{"alias": " x", "language": "Spanish", "cell": "9q5a", "contact": {"email": "nobody", "phone": "call me"}}`, "",
			400, []string{"alias: must not start or end with a space or hold control characters", `language: "Spanish" is not a language code such as en or es`,
				`cell: "9q5a" is not a geohash cell of 4 to 6 characters`, "contact.email: not an email address", "contact.phone: may hold only digits, spaces and + - ( ) ."}},
		{"in Spanish", `{"cell": "9q5csxyz", "alias": ""}`, "es", 400,
			[]string{"alias: debe tener de 1 a 64 caracteres", `cell: "9q5csxyz" no es una celda geohash de 4 a 6 caracteres`}},
		{"unknown field", `{"alias": "Ok", "legal_name": "Guadalupe"}`, "", 400, []string{"legal_name: unknown field"}},
		{"wrong type", `{"call_opt_in": "yes"}`, "", 400, []string{"call_opt_in: want true or false"}},
		{"truncated", `{"alias": `, "", 400, []string{"the JSON ends too early"}},
		{"malformed", `{"alias": x}`, "", 400, []string{"malformed JSON at byte 11"}},
		{"two values", `{} {}`, "", 400, []string{"more than one JSON value"}},
		{"no body", ``, "es", 400, []string{"la solicitud no tiene cuerpo"}},
		{"alias taken", `{"alias": "Taken", "cell": "9q5c"}`, "", 409, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := e.store.Member(ctx, id)
			r := e.do(t, "PATCH", "/api/v1/me", tok, tc.lang, strings.NewReader(tc.body))
			if r.status != tc.status {
				t.Fatalf("got %d %s, want %d", r.status, r.body, tc.status)
			}
			d := errorOf(t, r)
			if tc.errors != nil {
				if !slices.Equal(d.Errors, tc.errors) {
					t.Errorf("errors: got %q, want %q", d.Errors, tc.errors)
				}
				if !strings.HasSuffix(d.Message, ": "+tc.errors[0]) {
					t.Errorf("message %q does not end with the first problem", d.Message)
				}
			}
			if after, _ := e.store.Member(ctx, id); *after != *before {
				t.Errorf("member changed to %+v", after)
			}
		})
	}
}

func TestMyNeeds(t *testing.T) {
	e := newEnv(t)
	id, tok := e.member(t, "Chayo")
	_, other := e.member(t, "Beto")
	var want []needBody
	for i, in := range []map[string]any{
		{"product": "rice", "qty": 2.5, "tier": "essential"},
		{"product": "meal", "qty": 14, "tier": "basic"},
		{"product": "newspaper", "qty": 1, "tier": "wanted"},
	} {
		var n needBody
		e.json(t, "POST", "/api/v1/me/needs", tok, in, 201, &n)
		if !strings.HasPrefix(n.ID, "n-") || n.Product != in["product"] || n.Tier != in["tier"] {
			t.Errorf("POST need %d: got %+v", i, n)
		}
		want = append(want, n)
	}
	var theirs needBody
	e.json(t, "POST", "/api/v1/me/needs", other, map[string]any{"product": "beans", "qty": 3, "tier": "basic"}, 201, &theirs)

	type page struct {
		Needs []needBody
		Next  string
	}
	var got []needBody
	next := ""
	for range 4 {
		var p page
		e.json(t, "GET", "/api/v1/me/needs?limit=2&after="+next, tok, nil, 200, &p)
		got = append(got, p.Needs...)
		if next = p.Next; next == "" {
			break
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GET needs by pages of 2: got %+v, want %+v", got, want)
	}

	for _, tc := range []struct {
		name, body, lang string
		errors           []string
	}{
		{"zero qty", `{"product": "rice", "qty": 0, "tier": "basic"}`, "", []string{"qty: must be > 0"}},
		{"huge qty", `{"product": "rice", "qty": 1e12, "tier": "basic"}`, "", []string{"qty: must be at most 1000000000"}},
		{"all missing", `{}`, "", []string{"product: required", "qty: required", "tier: required"}},
		{"bad values", `{"product": "Rice!", "qty": -1, "tier": "urgent"}`, "es",
			[]string{`product: "Rice!" solo puede llevar a-z, 0-9 y "-"`, "qty: debe ser > 0", `tier: "urgent" no es ninguno de: essential (esencial), basic (básica), wanted (deseada)`}},
		{"unknown product", `{"product": "caviar", "qty": 1, "tier": "wanted"}`, "es", []string{`product: no existe el producto "caviar"`}},
		{"member field", `{"product": "rice", "qty": 1, "tier": "basic", "member": "m-01"}`, "", []string{"member: unknown field"}},
		{"string qty", `{"product": "rice", "qty": "1", "tier": "basic"}`, "", []string{"qty: want a number"}},
		// The words the messages quote are in the caller's language
		// too: it said "se espera a number".
		{"string qty in Spanish", `{"product": "rice", "qty": "1", "tier": "basic"}`, "es", []string{"qty: se espera un número"}},
		{"number tier in Spanish", `{"product": "rice", "qty": 1, "tier": 1}`, "es", []string{"tier: se espera un texto"}},
	} {
		r := e.do(t, "POST", "/api/v1/me/needs", tok, tc.lang, strings.NewReader(tc.body))
		if d := errorOf(t, r); r.status != 400 || d.Code != store.CodeInvalid || !slices.Equal(d.Errors, tc.errors) {
			t.Errorf("%s: got %d %+v, want 400 with %q", tc.name, r.status, d, tc.errors)
		}
	}
	for _, q := range []string{"limit=0", "limit=1001", "limit=x", "after=garbage"} {
		if r := e.do(t, "GET", "/api/v1/me/needs?"+q, tok, "", nil); r.status != 400 {
			t.Errorf("GET needs?%s: got %d %s, want 400", q, r.status, r.body)
		}
	}

	// One's own need goes; another member's is not found, and stays.
	e.json(t, "DELETE", "/api/v1/me/needs/"+want[1].ID, tok, nil, 204, nil)
	r := e.do(t, "DELETE", "/api/v1/me/needs/"+theirs.ID, tok, "", nil)
	if d := errorOf(t, r); r.status != 404 || d.Code != store.CodeNotFound {
		t.Errorf("DELETE another member's need: got %d %+v, want 404", r.status, d)
	}
	var p page
	e.json(t, "GET", "/api/v1/me/needs", tok, nil, 200, &p)
	if !reflect.DeepEqual(p.Needs, []needBody{want[0], want[2]}) || p.Next != "" {
		t.Errorf("needs after DELETE: got %+v", p)
	}
	e.json(t, "GET", "/api/v1/me/needs", other, nil, 200, &p)
	if len(p.Needs) != 1 || p.Needs[0] != theirs {
		t.Errorf("the other member's needs: got %+v, want %+v", p.Needs, theirs)
	}
	// The world holds the new member's needs and is valid for planning.
	w, err := e.store.World(context.Background())
	if err != nil || w.Validate() != nil {
		t.Fatalf("world after needs through the API: %v", err)
	}
	if !slices.ContainsFunc(w.Members, func(m world.Member) bool { return m.ID == id }) {
		t.Errorf("the world does not hold member %s", id)
	}
}

func TestMyCommitment(t *testing.T) {
	e := newEnv(t)
	_, tok := e.member(t, "Nico")
	var c commitmentBody
	e.json(t, "GET", "/api/v1/me/commitment", tok, nil, 200, &c)
	if !reflect.DeepEqual(c, commitmentBody{Skills: []string{}}) {
		t.Errorf("GET commitment of a new member: got %+v, want the empty one", c)
	}
	want := commitmentBody{Hours: 12, Skills: []string{"drive", "cook"}, MaxKm: 7.5}
	e.json(t, "PUT", "/api/v1/me/commitment", tok, want, 200, &c)
	if !reflect.DeepEqual(c, want) {
		t.Errorf("PUT commitment: got %+v, want %+v", c, want)
	}
	for _, tc := range []struct {
		name, body, lang string
		errors           []string
	}{
		{"negative", `{"hours": -1, "max_km": -2}`, "", []string{"hours: must be >= 0", "max_km: must be >= 0"}},
		{"more than a week", `{"hours": 169, "max_km": 2e9}`, "", []string{"hours: must be at most 168", "max_km: must be at most 1000000000"}},
		{"more than a week es", `{"hours": 1e15, "max_km": 3}`, "es", []string{"hours: debe ser como mucho 168"}},
		{"missing", `{"skills": []}`, "es", []string{"hours: falta (es obligatorio)", "max_km: falta (es obligatorio)"}},
		{"repeated skill", `{"hours": 1, "max_km": 1, "skills": ["cook", "cook"]}`, "", []string{`skills[1]: "cook" is listed twice`}},
		{"unknown skill", `{"hours": 1, "max_km": 1, "skills": ["cook", "juggle"]}`, "", []string{`skills[1]: unknown skill "juggle"`}},
		{"unknown skill es", `{"hours": 1, "max_km": 1, "skills": ["juggle"]}`, "es", []string{`skills[0]: no existe la habilidad "juggle"`}},
	} {
		r := e.do(t, "PUT", "/api/v1/me/commitment", tok, tc.lang, strings.NewReader(tc.body))
		if d := errorOf(t, r); r.status != 400 || !slices.Equal(d.Errors, tc.errors) {
			t.Errorf("%s: got %d %+v, want 400 with %q", tc.name, r.status, d, tc.errors)
		}
	}
	e.json(t, "GET", "/api/v1/me/commitment", tok, nil, 200, &c)
	if !reflect.DeepEqual(c, want) {
		t.Errorf("GET commitment after bad PUTs: got %+v, want %+v", c, want)
	}
}

// finishPlan stores a done run whose plan gives member work and meets
// (or not) their needs, beside another member's.
func (e *env) finishPlan(t *testing.T, member string, needs []string) int64 {
	t.Helper()
	ctx := context.Background()
	p := &plan.Plan{Format: plan.Format, Status: "optimal",
		Assignments: []plan.Assignment{{Member: member, Site: "kitchen-boyle", Skill: "cook", Hours: 6},
			{Member: "m-01", Site: "kitchen-boyle", Skill: "cook", Hours: 3}},
		Allocations: []plan.Allocation{{Need: "meals-01", Qty: 14}},
		Shortfalls:  []plan.Shortfall{{Need: "visit-01", Missing: 1, Reason: "no nurse near"}},
		Solver:      plan.SolverInfo{Name: "builtin"}}
	for i, n := range needs {
		p.Allocations = append(p.Allocations, plan.Allocation{Need: n, Qty: float64(i + 1)})
		p.Flows = append(p.Flows, plan.Flow{Product: "meal", From: "kitchen-boyle", ToNeed: n, Qty: float64(i + 1), Km: 1})
		p.Shortfalls = append(p.Shortfalls, plan.Shortfall{Need: n, Missing: 0.5, Reason: "not enough meal"})
	}
	id, err := e.store.CreatePlanRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.FinishPlanRun(ctx, id, p); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestMyPlanAndExport(t *testing.T) {
	e := newEnv(t)
	id, tok := e.member(t, "Rosa")
	r := e.do(t, "GET", "/api/v1/me/plan", tok, "es", nil)
	if d := errorOf(t, r); r.status != 404 || d.Message != messagesES[msgNoPlan] {
		t.Errorf("GET /api/v1/me/plan without a plan: got %d %+v, want 404 %q", r.status, d, messagesES[msgNoPlan])
	}
	var n needBody
	e.json(t, "POST", "/api/v1/me/needs", tok, map[string]any{"product": "meal", "qty": 7, "tier": "essential"}, 201, &n)
	first := e.finishPlan(t, id, nil)
	run := e.finishPlan(t, id, []string{n.ID})
	if _, err := e.store.CreatePlanRun(context.Background()); err != nil { // queued, not done: not shown
		t.Fatal(err)
	}
	var got myPlanBody
	e.json(t, "GET", "/api/v1/me/plan", tok, nil, 200, &got)
	want := myPlanBody{Run: run, Created: got.Created,
		Assignments: []assignmentBody{{Site: "kitchen-boyle", Skill: "cook", Hours: 6}},
		Allocations: []allocationBody{{Need: n.ID, Qty: 1, From: []fromBody{{Site: "kitchen-boyle", Qty: 1, Km: 1}}}},
		Shortfalls:  []myShortfallBody{{Need: n.ID, Missing: 0.5, Reason: "not enough meal"}}}
	if !reflect.DeepEqual(got, want) || got.Created.IsZero() {
		t.Errorf("GET /api/v1/me/plan: got %+v, want %+v", got, want)
	}

	e.json(t, "PATCH", "/api/v1/me", tok, map[string]any{"contact": map[string]string{"phone": "+1 213 555 0147"}}, 200, nil)
	e.json(t, "PUT", "/api/v1/me/commitment", tok, map[string]any{"hours": 6, "skills": []string{"cook"}, "max_km": 3}, 200, nil)
	var ex exportBody
	r = e.json(t, "GET", "/api/v1/me/export", tok, nil, 200, &ex)
	if ex.Member.ID != id || ex.Member.Contact.Phone != "+1 213 555 0147" {
		t.Errorf("export member: got %+v", ex.Member)
	}
	if ex.Commitment == nil || !reflect.DeepEqual(*ex.Commitment, commitmentBody{Hours: 6, Skills: []string{"cook"}, MaxKm: 3}) {
		t.Errorf("export commitment: got %+v", ex.Commitment)
	}
	if !reflect.DeepEqual(ex.Needs, []needBody{n}) {
		t.Errorf("export needs: got %+v, want %+v", ex.Needs, n)
	}
	if len(ex.Plans) != 2 || ex.Plans[0].Run != first || len(ex.Plans[0].Allocations) != 0 || !reflect.DeepEqual(ex.Plans[1], got) {
		t.Errorf("export plans: got %+v, want runs %d and %d", ex.Plans, first, run)
	}
	if len(ex.Tokens) != 1 || ex.Tokens[0].Role != "member" || ex.Tokens[0].Created.IsZero() {
		t.Errorf("export tokens: got %+v, want the member's one", ex.Tokens)
	}
	if bytes.Contains(r.body, []byte(tok)) || bytes.Contains(r.body, []byte(auth.Hash(tok))) {
		t.Errorf("export holds the token or its hash")
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("export: Content-Disposition %q", cd)
	}
	// Nobody else's part leaks into it.
	if bytes.Contains(r.body, []byte("m-01")) || bytes.Contains(r.body, []byte("meals-01")) {
		t.Errorf("export holds another member's part: %s", r.body)
	}
}

// TestMeAnonymous: every /me route asks who is calling.
func TestMeAnonymous(t *testing.T) {
	e := newEnv(t)
	for _, rt := range e.srv.meRoutes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.ReplaceAll(path, "{id}", "n-1")
		if r := e.do(t, method, path, "", "", strings.NewReader("{}")); r.status != http.StatusUnauthorized {
			t.Errorf("%s %s anonymous: got %d, want 401", method, path, r.status)
		}
	}
}

func TestDeleteMe(t *testing.T) {
	e := newEnv(t)
	id, tok := e.member(t, "Gone")
	_, stays := e.member(t, "Stays")
	e.json(t, "DELETE", "/api/v1/me", tok, nil, 204, nil)
	if _, err := e.store.Member(context.Background(), id); store.ErrorCode(err) != store.CodeNotFound {
		t.Errorf("member after DELETE /api/v1/me: %v, want not found", err)
	}
	// The token went with them.
	if r := e.do(t, "GET", "/api/v1/me", tok, "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me with the deleted member's token: got %d, want 401", r.status)
	}
	e.json(t, "GET", "/api/v1/me", stays, nil, 200, nil)
}

// TestExportReadsAndSignIns: the export holds the caller's reads of
// member lists (from the audit log, which keys them by pseudonym) and
// how they sign in, and nothing of another member's.
func TestExportReadsAndSignIns(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.store.CreateCollective(ctx, store.Collective{ID: "c-1", Name: "Plant", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	coord := e.token(t, "carla", auth.Coordinator, "c-1")
	other := e.token(t, "beto", auth.Coordinator, "c-1")
	e.json(t, "GET", "/api/v1/collectives/c-1/members", coord, nil, 200, nil)
	e.json(t, "GET", "/api/v1/collectives/c-1/members", coord, nil, 200, nil)
	e.json(t, "GET", "/api/v1/collectives/c-1/members", other, nil, 200, nil)
	var ex exportBody
	e.json(t, "GET", "/api/v1/me/export", coord, nil, 200, &ex)
	if len(ex.Reads) != 2 {
		t.Fatalf("export reads: got %+v, want the caller's two reads", ex.Reads)
	}
	for _, rd := range ex.Reads {
		if rd.Action != string(store.AuditListMembers) || rd.Collective != "c-1" {
			t.Errorf("export read: got %+v, want a read of c-1's members", rd)
		}
	}
	if ex.Organizer || len(ex.Sessions) != 0 || len(ex.Passkeys) != 0 {
		t.Errorf("export sign-ins: got organizer %v, %d sessions, %d passkeys; want none (a token)", ex.Organizer, len(ex.Sessions), len(ex.Passkeys))
	}
}
