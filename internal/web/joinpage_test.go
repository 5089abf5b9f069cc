package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// inviteTo makes the collective c, a coordinator who invites to it, and
// an invite of maxUses uses for an hour, and returns the invite's code.
func inviteTo(t *testing.T, e *env, c store.Collective, maxUses int) string {
	t.Helper()
	ctx := context.Background()
	if _, err := e.store.CreateCollective(ctx, c); err != nil {
		t.Fatal(err)
	}
	coord, err := e.store.CreateMember(ctx, store.Member{Alias: "Profe", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	code := auth.NewInvite()
	if _, err := e.store.CreateInvite(ctx, store.Invite{Collective: c.ID, Role: store.RoleMember, CodeHash: auth.Hash(code),
		CreatedBy: coord.ID, Expires: time.Now().Add(time.Hour), MaxUses: maxUses}); err != nil {
		t.Fatal(err)
	}
	return code
}

// TestJoinPage: a person with no account opens an invite link in
// Spanish, gets their mistakes back next to the fields, joins, is signed
// in and is a member; once the invite is used up, the link says so.
func TestJoinPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := inviteTo(t, e, store.Collective{ID: "roosevelt", Name: "Roosevelt High School students", Kind: store.School}, 1)
	r := e.do(t, "GET", "/join/"+code, "", "es", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "Únete a Roosevelt High School students") {
		t.Fatalf("GET /join/…: got %d %.300s", r.status, r.body)
	}
	post := func(form url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/join/"+code, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "es")
		rec := httptest.NewRecorder()
		e.http.ServeHTTP(rec, req)
		return rec
	}
	// This server sends no email: the form asks for none, and says why
	// (emailconfirm.go; TestJoinEmailSameAnswer has a mailer).
	if strings.Contains(string(r.body), `id="email"`) || !strings.Contains(string(r.body), "Este servidor no envía correos") {
		t.Errorf("GET /join/… without a mailer: the form asks for an email or does not say why: %s", r.body)
	}
	rec := post(url.Values{"alias": {"Itzel"}, "language": {"es"}, "cell": {"9q5ca"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `value="9q5ca"`) ||
		!strings.Contains(rec.Body.String(), `id="cell-error"`) {
		t.Errorf("a bad cell: got %d %s", rec.Code, rec.Body)
	}
	rec = post(url.Values{"alias": {"Itzel"}, "language": {"es"}, "cell": {"9Q5CS"}, "email": {"itzel@example.org"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/me/commitment" || rec.Header().Get("Set-Cookie") == "" {
		t.Fatalf("joining: got %d to %q, want 303 to /me/commitment with a session", rec.Code, rec.Header().Get("Location"))
	}
	m, err := e.store.MemberByAlias(ctx, "Itzel")
	if err != nil || m.Cell != "9q5cs" || m.Contact.Email != "" {
		t.Fatalf("the new member: got %+v, %v, want no email", m, err)
	}
	if role, err := e.store.MemberRole(ctx, m.ID, "roosevelt"); err != nil || role != store.RoleMember {
		t.Errorf("the new member's role: got %q, %v", role, err)
	}
	r = e.do(t, "GET", "/join/"+code, "", "en", nil)
	if r.status != http.StatusGone || !strings.Contains(string(r.body), "This invite has been used up") {
		t.Errorf("GET a used-up invite: got %d %.300s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/join/cmi_nonsense", "", "en", nil); r.status != http.StatusGone {
		t.Errorf("GET a malformed invite: got %d", r.status)
	}
	req := httptest.NewRequest("POST", "/join/"+code, strings.NewReader("alias=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	rec = httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("a join form from another site: got %d, want 403", rec.Code)
	}
}
