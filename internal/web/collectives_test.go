package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// orgEnv is a server on a real SQLite file, reached over real HTTP, with
// two collectives, a and b, and people in various roles.
type orgEnv struct {
	*env
	base string
	// tokens of: an organizer; the coordinators of a and b; a member of
	// a and one of b; a member of no collective.
	organizer, coordA, coordB, memberA, memberB, outsider string
	// ids of the people above, by the same names.
	ids map[string]string
}

const testPublicURL = "https://commune.example.org/"

func newOrgEnv(t *testing.T) *orgEnv {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var log bytes.Buffer
	srv := New(st, slog.New(slog.NewJSONHandler(&log, nil)), Options{PublicURL: testPublicURL})
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	e := &orgEnv{env: &env{store: st, srv: srv, http: srv.Handler(), log: &log}, base: hs.URL, ids: map[string]string{}}
	ctx := context.Background()
	for _, id := range []string{"c-a", "c-b"} {
		if _, err := st.CreateCollective(ctx, store.Collective{ID: id, Name: "Collective " + id, Kind: store.Workplace}); err != nil {
			t.Fatal(err)
		}
	}
	e.organizer = e.person(t, "olga", auth.Organizer, "", "")
	e.coordA = e.person(t, "cora", auth.Coordinator, "c-a", "")
	e.coordB = e.person(t, "bea", auth.Coordinator, "c-b", "")
	e.memberA = e.person(t, "mia", auth.Member, "", "c-a")
	e.memberB = e.person(t, "ben", auth.Member, "", "c-b")
	e.outsider = e.person(t, "otto", auth.Member, "", "")
	return e
}

// person creates a member with a token of the role, coordinating
// coordinates or a plain member of memberOf, and returns the token.
func (e *orgEnv) person(t *testing.T, alias string, role auth.Role, coordinates, memberOf string) string {
	t.Helper()
	tok := e.token(t, alias, role, coordinates)
	m, err := e.store.MemberByAlias(context.Background(), alias)
	if err != nil {
		t.Fatal(err)
	}
	e.ids[alias] = m.ID
	if memberOf != "" {
		if err := e.store.AddMembership(context.Background(), m.ID, memberOf, store.RoleMember); err != nil {
			t.Fatal(err)
		}
	}
	return tok
}

// call makes a request over HTTP; body, when not nil, is sent as JSON.
func (e *orgEnv) call(t *testing.T, method, path, token, lang string, body any) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

// must makes a request and fails the test unless it answers status;
// the body is decoded into out when out is not nil.
func (e *orgEnv) must(t *testing.T, status int, method, path, token string, body, out any) {
	t.Helper()
	r := e.call(t, method, path, token, "", body)
	if r.status != status {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, r.status, r.body, status)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, r.body)
		}
	}
}

// newInvite makes an invite to collective c with token and returns it.
func (e *orgEnv) newInvite(t *testing.T, token, c string, body map[string]any) inviteBody {
	t.Helper()
	var inv inviteBody
	e.must(t, http.StatusCreated, "POST", "/api/v1/collectives/"+c+"/invites", token, body, &inv)
	return inv
}

// TestCollectiveBoundaries: nobody reaches a collective, or an object in
// it, that their role does not give them; in particular a coordinator of
// a cannot read or change b's members, invites or coverage, neither with
// b in the path (403) nor with b's objects under a's path (404).
func TestCollectiveBoundaries(t *testing.T) {
	e := newOrgEnv(t)
	invB := e.newInvite(t, e.coordB, "c-b", nil)
	invA := e.newInvite(t, e.coordA, "c-a", nil)
	mB, mA := e.ids["ben"], e.ids["mia"]
	role := map[string]any{"role": "coordinator"}
	tests := []struct {
		who, token   string
		method, path string
		body         any
		want         int
	}{
		{"anonymous", "", "GET", "/api/v1/collectives", nil, 401},
		{"anonymous", "", "GET", "/api/v1/collectives/c-a", nil, 401},
		{"anonymous", "", "POST", "/api/v1/invites/" + auth.NewInvite() + "/accept", nil, 401},

		{"coordinator of a", e.coordA, "GET", "/api/v1/collectives/c-b", nil, 403},
		{"coordinator of a", e.coordA, "PATCH", "/api/v1/collectives/c-b", map[string]any{"name": "Taken"}, 403},
		{"coordinator of a", e.coordA, "GET", "/api/v1/collectives/c-b/members", nil, 403},
		{"coordinator of a", e.coordA, "PATCH", "/api/v1/collectives/c-b/members/" + mB, role, 403},
		{"coordinator of a", e.coordA, "DELETE", "/api/v1/collectives/c-b/members/" + mB, nil, 403},
		{"coordinator of a", e.coordA, "GET", "/api/v1/collectives/c-b/invites", nil, 403},
		{"coordinator of a", e.coordA, "POST", "/api/v1/collectives/c-b/invites", map[string]any{}, 403},
		{"coordinator of a", e.coordA, "DELETE", "/api/v1/collectives/c-b/invites/" + invB.ID, nil, 403},
		{"coordinator of a", e.coordA, "GET", "/api/v1/collectives/c-b/coverage", nil, 403},
		// b's objects under a's path: a's rights, but not a's objects.
		{"coordinator of a", e.coordA, "PATCH", "/api/v1/collectives/c-a/members/" + mB, role, 404},
		{"coordinator of a", e.coordA, "DELETE", "/api/v1/collectives/c-a/members/" + mB, nil, 404},
		{"coordinator of a", e.coordA, "DELETE", "/api/v1/collectives/c-a/invites/" + invB.ID, nil, 404},
		{"coordinator of a", e.coordA, "POST", "/api/v1/collectives", map[string]any{"name": "New", "kind": "school"}, 403},
		{"coordinator of a", e.coordA, "GET", "/api/v1/audit", nil, 403},
		{"coordinator of a", e.coordA, "POST", "/api/v1/collectives/c-a/invites", map[string]any{"role": "coordinator"}, 403},

		{"member of a", e.memberA, "GET", "/api/v1/collectives/c-a", nil, 200},
		{"member of a", e.memberA, "GET", "/api/v1/collectives/c-b", nil, 403},
		{"member of a", e.memberA, "GET", "/api/v1/collectives/c-a/members", nil, 403},
		{"member of a", e.memberA, "GET", "/api/v1/collectives/c-a/invites", nil, 403},
		{"member of a", e.memberA, "POST", "/api/v1/collectives/c-a/invites", map[string]any{}, 403},
		{"member of a", e.memberA, "DELETE", "/api/v1/collectives/c-a/invites/" + invA.ID, nil, 403},
		{"member of a", e.memberA, "GET", "/api/v1/collectives/c-a/coverage", nil, 403},
		{"member of a", e.memberA, "PATCH", "/api/v1/collectives/c-a", map[string]any{"name": "Mine"}, 403},
		{"member of a", e.memberA, "DELETE", "/api/v1/collectives/c-a/members/" + e.ids["cora"], nil, 403},
		{"outsider", e.outsider, "GET", "/api/v1/collectives/c-a", nil, 403},
		{"outsider", e.outsider, "GET", "/api/v1/collectives/c-none", nil, 403},

		{"coordinator of a", e.coordA, "GET", "/api/v1/collectives/c-a", nil, 200},
		{"coordinator of a", e.coordA, "GET", "/api/v1/collectives/c-a/members", nil, 200},
		{"coordinator of a", e.coordA, "GET", "/api/v1/collectives/c-a/invites", nil, 200},
		{"organizer", e.organizer, "GET", "/api/v1/collectives/c-b", nil, 200},
		{"organizer", e.organizer, "GET", "/api/v1/collectives/c-none", nil, 404},
		{"organizer", e.organizer, "GET", "/api/v1/collectives/c-b/members", nil, 200},
		{"organizer", e.organizer, "GET", "/api/v1/collectives/c-b/invites", nil, 200},
		{"organizer", e.organizer, "GET", "/api/v1/audit", nil, 200},
	}
	for _, tc := range tests {
		t.Run(tc.who+" "+tc.method+" "+tc.path, func(t *testing.T) {
			r := e.call(t, tc.method, tc.path, tc.token, "", tc.body)
			if r.status != tc.want {
				t.Fatalf("got %d %s, want %d", r.status, r.body, tc.want)
			}
			if tc.want >= 400 {
				errorOf(t, r)
			}
		})
	}
	// Nothing of b changed.
	ctx := context.Background()
	if role, err := e.store.MemberRole(ctx, mB, "c-b"); err != nil || role != store.RoleMember {
		t.Errorf("b's member after the attempts: got %q, %v, want member", role, err)
	}
	if invs, _, err := e.store.Invites(ctx, "c-b", "", 0); err != nil || len(invs) != 1 || invs[0].ID != invB.ID {
		t.Errorf("b's invites after the attempts: got %+v, %v", invs, err)
	}
	if c, err := e.store.Collective(ctx, "c-b"); err != nil || c.Name != "Collective c-b" {
		t.Errorf("b after the attempts: got %+v, %v", c, err)
	}
	if _, err := e.store.MemberRole(ctx, mA, "c-a"); err != nil {
		t.Errorf("a's member after the attempts: %v", err)
	}
}

func TestListCollectives(t *testing.T) {
	e := newOrgEnv(t)
	ids := func(token string) []string {
		t.Helper()
		var got []string
		after := ""
		for range 10 {
			var page struct {
				Collectives []collectiveBody
				Next        string
			}
			e.must(t, 200, "GET", "/api/v1/collectives?limit=1&after="+after, token, nil, &page)
			for _, c := range page.Collectives {
				got = append(got, c.ID+":"+string(c.Role))
			}
			if page.Next == "" {
				return got
			}
			after = page.Next
		}
		t.Fatal("more than 10 pages")
		return nil
	}
	tests := []struct {
		who, token string
		want       []string
	}{
		{"organizer", e.organizer, []string{"c-a:", "c-b:"}},
		{"coordinator of a", e.coordA, []string{"c-a:coordinator"}},
		{"member of b", e.memberB, []string{"c-b:member"}},
		{"outsider", e.outsider, nil},
	}
	for _, tc := range tests {
		if got := ids(tc.token); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.who, got, tc.want)
		}
	}
	if r := e.call(t, "GET", "/api/v1/collectives?limit=0", e.organizer, "", nil); r.status != 400 {
		t.Errorf("limit=0: got %d, want 400", r.status)
	}
	if r := e.call(t, "GET", "/api/v1/collectives?limit=1001", e.organizer, "", nil); r.status != 400 {
		t.Errorf("limit=1001: got %d, want 400", r.status)
	}

	var c collectiveBody
	e.must(t, 201, "POST", "/api/v1/collectives", e.organizer, map[string]any{"id": "c-school", "name": "Escuela Roosevelt", "kind": "school"}, &c)
	if c.ID != "c-school" || c.Name != "Escuela Roosevelt" || c.Kind != store.School {
		t.Errorf("POST /api/v1/collectives: got %+v", c)
	}
	bad := []struct {
		body  any
		field string
	}{
		{map[string]any{"name": "X"}, "kind"},
		{map[string]any{"kind": "school"}, "name"},
		{map[string]any{"name": "X", "kind": "factory"}, "kind"},
		{map[string]any{"name": "X", "kind": "school", "legal_name": "Y"}, "legal_name"},
		{map[string]any{"id": "c-school", "name": "X", "kind": "school"}, "id"},
	}
	for _, tc := range bad {
		r := e.call(t, "POST", "/api/v1/collectives", e.organizer, "", tc.body)
		if d := errorOf(t, r); (r.status != 400 && r.status != 409) || !strings.Contains(d.Message, tc.field) {
			t.Errorf("POST %v: got %d %+v, want an error naming %s", tc.body, r.status, d, tc.field)
		}
	}
	e.must(t, 200, "PATCH", "/api/v1/collectives/c-a", e.coordA, map[string]any{"name": "Planta Vernon"}, &c)
	if c.Name != "Planta Vernon" || c.Kind != store.Workplace {
		t.Errorf("PATCH: got %+v", c)
	}
	var got collectiveBody
	e.must(t, 200, "GET", "/api/v1/collectives/c-a", e.memberA, nil, &got)
	if got.Name != "Planta Vernon" || got.Role != store.RoleMember {
		t.Errorf("GET as a member after PATCH: got %+v", got)
	}
}

// TestMembers: reading members pages through 250 of them without
// repeats or gaps, shows no contact, and writes one audit row per read;
// roles change and members leave within the collective only.
func TestMembers(t *testing.T) {
	e := newOrgEnv(t)
	ctx := context.Background()
	want := []string{e.ids["cora"], e.ids["mia"]}
	for i := range 248 {
		m, err := e.store.CreateMember(ctx, store.Member{Alias: fmt.Sprintf("worker %03d", i), Language: "es", Cell: "9q5cs",
			Contact: store.Contact{Phone: fmt.Sprintf("+1 555 01%02d", i%100)}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.AddMembership(ctx, m.ID, "c-a", store.RoleMember); err != nil {
			t.Fatal(err)
		}
		want = append(want, m.ID)
	}
	slices.Sort(want)

	var got []string
	pages, after := 0, ""
	for range 20 {
		var page struct {
			Members []map[string]any
			Next    string
		}
		e.must(t, 200, "GET", "/api/v1/collectives/c-a/members?limit=60&after="+after, e.coordA, nil, &page)
		pages++
		for _, m := range page.Members {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, []string{"alias", "id", "role"}) {
				t.Fatalf("a member in the list has fields %v, want alias, id, role only", keys)
			}
			got = append(got, m["id"].(string))
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if !slices.Equal(got, want) {
		t.Errorf("members page by page: got %d ids, want %d, and the same in order", len(got), len(want))
	}
	if pages != 5 {
		t.Errorf("250 members in pages of 60: got %d pages, want 5", pages)
	}

	// One audit row per page read, by the coordinator, on c-a; a refused
	// read writes none.
	e.must(t, 403, "GET", "/api/v1/collectives/c-a/members", e.memberA, nil, nil)
	var log struct {
		Entries []auditBody
		Next    string
	}
	e.must(t, 200, "GET", "/api/v1/audit?limit=1000", e.organizer, nil, &log)
	if len(log.Entries) != pages {
		t.Fatalf("audit rows: got %d, want %d: %+v", len(log.Entries), pages, log.Entries)
	}
	for _, a := range log.Entries {
		if a.Actor != e.store.Pseudonym(e.ids["cora"]) || a.Collective != "c-a" || a.Action != store.AuditListMembers {
			t.Errorf("audit row %+v, want the coordinator's pseudonym reading c-a", a)
		}
		if strings.Contains(a.Actor, e.ids["cora"]) {
			t.Errorf("audit row names the member's id: %+v", a)
		}
	}
	e.must(t, 200, "GET", "/api/v1/audit?member="+e.ids["mia"], e.organizer, nil, &log)
	if len(log.Entries) != 0 {
		t.Errorf("audit rows of the member who was refused: %+v", log.Entries)
	}

	// Roles and removal, within a.
	var m memberBody
	e.must(t, 200, "PATCH", "/api/v1/collectives/c-a/members/"+e.ids["mia"], e.coordA, map[string]any{"role": "coordinator"}, &m)
	if m != (memberBody{ID: e.ids["mia"], Alias: "mia", Role: store.RoleCoordinator}) {
		t.Errorf("PATCH role: got %+v", m)
	}
	r := e.call(t, "PATCH", "/api/v1/collectives/c-a/members/"+e.ids["mia"], e.coordA, "", map[string]any{"role": "organizer"})
	if d := errorOf(t, r); r.status != 400 || !strings.Contains(d.Message, "role") {
		t.Errorf("PATCH role organizer: got %d %+v, want 400 naming role", r.status, d)
	}
	e.must(t, 204, "DELETE", "/api/v1/collectives/c-a/members/"+e.ids["mia"], e.coordA, nil, nil)
	e.must(t, 404, "DELETE", "/api/v1/collectives/c-a/members/"+e.ids["mia"], e.coordA, nil, nil)
	e.must(t, 403, "GET", "/api/v1/collectives/c-a", e.memberA, nil, nil)
}

// TestAcceptInvite: an invite of two uses lets two members in and
// refuses the third with a clear message; an expired one refuses
// everyone; the codes never come back.
func TestAcceptInvite(t *testing.T) {
	e := newOrgEnv(t)
	inv := e.newInvite(t, e.coordA, "c-a", map[string]any{"max_uses": 2, "expires_in_hours": 48})
	if !strings.HasPrefix(inv.Code, auth.InvitePrefix) || inv.URL != "https://commune.example.org/join/"+inv.Code ||
		inv.MaxUses != 2 || inv.Role != store.RoleMember || inv.Uses != 0 || inv.QRSVG == "" {
		t.Fatalf("invite: got %+v", inv)
	}
	// Created is the store's clock, Expires the handler's: they may be a
	// second apart.
	if d := inv.Expires.Sub(inv.Created); d < 48*time.Hour-time.Second || d > 48*time.Hour+time.Second {
		t.Errorf("invite lives %v, want 48h", d)
	}
	accept := "/api/v1/invites/" + inv.Code + "/accept"

	var joined collectiveBody
	e.must(t, 200, "POST", accept, e.outsider, nil, &joined)
	if joined.ID != "c-a" || joined.Role != store.RoleMember {
		t.Errorf("accept: got %+v, want c-a as member", joined)
	}
	tests := []struct {
		who, token, lang string
		status           int
		message          string
	}{
		{"a member already", e.outsider, "", 409, messagesEN[msgAlreadyMember]},
		{"anonymous", "", "", 401, messagesEN[msgUnauthenticated]},
		{"member of b", e.memberB, "", 200, ""},
		{"the third", e.coordB, "es", 409, messagesES[msgInviteUsedUp]},
		{"the third again", e.coordB, "en", 409, messagesEN[msgInviteUsedUp]},
	}
	for _, tc := range tests {
		r := e.call(t, "POST", accept, tc.token, tc.lang, nil)
		if r.status != tc.status {
			t.Fatalf("%s: got %d %s, want %d", tc.who, r.status, r.body, tc.status)
		}
		if tc.message != "" {
			if d := errorOf(t, r); d.Message != tc.message {
				t.Errorf("%s: got message %q, want %q", tc.who, d.Message, tc.message)
			}
		}
	}
	for _, code := range []string{"nonsense", auth.NewInvite(), auth.NewToken()} {
		r := e.call(t, "POST", "/api/v1/invites/"+code+"/accept", e.memberB, "", nil)
		if d := errorOf(t, r); r.status != 404 || d.Message != messagesEN[msgInviteUnknown] {
			t.Errorf("accept %q: got %d %+v, want 404 no invite", code, r.status, d)
		}
	}

	// The list shows the uses, never the code.
	r := e.call(t, "GET", "/api/v1/collectives/c-a/invites", e.coordA, "", nil)
	if r.status != 200 || bytes.Contains(r.body, []byte(inv.Code)) || bytes.Contains(r.body, []byte("qr_svg")) {
		t.Fatalf("list invites: got %d %s, want 200 without the code", r.status, r.body)
	}
	var list struct{ Invites []inviteBody }
	json.Unmarshal(r.body, &list)
	if len(list.Invites) != 1 || list.Invites[0].Uses != 2 || list.Invites[0].CreatedBy != e.ids["cora"] {
		t.Errorf("list invites: got %+v, want one with 2 uses by the coordinator", list.Invites)
	}

	// An invite past its expiry refuses everyone. The store refuses to
	// make an invite that expires in the past, so this one expires in a
	// second and the test waits it out.
	code := auth.NewInvite()
	short, err := e.store.CreateInvite(context.Background(), store.Invite{Collective: "c-b", Role: store.RoleMember,
		CodeHash: auth.Hash(code), CreatedBy: e.ids["bea"], Expires: time.Now().Add(time.Second), MaxUses: 10})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(short.Expires.Add(time.Second)))
	r = e.call(t, "POST", "/api/v1/invites/"+code+"/accept", e.memberA, "es", nil)
	if d := errorOf(t, r); r.status != 409 || d.Message != messagesES[msgInviteExpired] {
		t.Errorf("accept an expired invite: got %d %+v, want 409 expired in Spanish", r.status, d)
	}

	// Organizers may invite coordinators; the invite's bounds are checked.
	boss := e.newInvite(t, e.organizer, "c-b", map[string]any{"role": "coordinator"})
	e.must(t, 200, "POST", "/api/v1/invites/"+boss.Code+"/accept", e.memberA, nil, &joined)
	if joined.ID != "c-b" || joined.Role != store.RoleCoordinator {
		t.Errorf("accept an organizer's coordinator invite: got %+v", joined)
	}
	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"max_uses": 0}, "max_uses"},
		{map[string]any{"max_uses": 1001}, "max_uses"},
		{map[string]any{"expires_in_hours": 0}, "expires_in_hours"},
		{map[string]any{"expires_in_hours": 24*90 + 1}, "expires_in_hours"},
		{map[string]any{"role": "organizer"}, "role"},
		{map[string]any{"uses": 3}, "uses"},
	}
	for _, tc := range bad {
		r := e.call(t, "POST", "/api/v1/collectives/c-a/invites", e.organizer, "", tc.body)
		if d := errorOf(t, r); r.status != 400 || !strings.Contains(d.Message, tc.field) {
			t.Errorf("POST invite %v: got %d %+v, want 400 naming %s", tc.body, r.status, d, tc.field)
		}
	}
	e.must(t, 204, "DELETE", "/api/v1/collectives/c-a/invites/"+inv.ID, e.coordA, nil, nil)
	e.must(t, 404, "DELETE", "/api/v1/collectives/c-a/invites/"+inv.ID, e.coordA, nil, nil)
	e.must(t, 404, "POST", accept, e.memberB, nil, nil)
}
