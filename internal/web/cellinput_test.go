package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/store"
)

// TestJoinCellPostcode: digits typed where the join form asks for the
// home area are a postcode. One of the server's table gives its cell
// (90033, Boyle Heights, is 9q5cw; read as a cell it would be in the
// Pacific); an unknown one is refused in the reader's language with
// what was typed kept; digits that may be a home (Trelew's 6839) are
// taken once the person ticks the box that says they are their cell,
// and a box ticked for other digits confirms nothing.
func TestJoinCellPostcode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := inviteTo(t, e, store.Collective{ID: "roosevelt", Name: "Roosevelt High School students", Kind: store.School}, 5)
	join := func(lang string, form url.Values) (int, string) {
		t.Helper()
		r := e.postPage(t, "/join/"+code, lang, form)
		return r.status, string(r.body)
	}

	code1, _ := join("en", url.Values{"alias": {"Itzel"}, "language": {"es"}, "cell": {"90033"}})
	if code1 != http.StatusSeeOther {
		t.Fatalf("joining with the postcode 90033: got %d, want 303", code1)
	}
	if m, err := e.store.MemberByAlias(ctx, "Itzel"); err != nil || m.Cell != "9q5cw" {
		t.Fatalf("joined with 90033: got %+v, %v, want the cell 9q5cw of the table", m, err)
	}

	for _, c := range []struct{ lang, want string }{
		{"en", `"90210" looks like a postcode. This server knows only the postcodes of a few areas`},
		{"es", `"90210" parece un código postal. Este servidor solo conoce los códigos postales de unas pocas zonas`},
	} {
		status, page := join(c.lang, url.Values{"alias": {"Beto"}, "language": {"es"}, "cell": {"90210"}})
		if got := html.UnescapeString(fieldError(page, "cell")); status != http.StatusUnprocessableEntity ||
			!strings.HasPrefix(got, c.want) || !strings.Contains(page, `value="90210"`) || !strings.Contains(page, `value="Beto"`) {
			t.Errorf("%s: an unknown postcode: got %d, error %q, want 422 with %q and what was typed kept", c.lang, status, got, c.want)
		}
		if strings.Contains(page, `name="cell_not_postcode"`) {
			t.Errorf("%s: a postcode in the sea offers to take it as a cell", c.lang)
		}
	}
	if _, err := e.store.MemberByAlias(ctx, "Beto"); store.ErrorCode(err) != store.CodeNotFound {
		t.Errorf("an unknown postcode made a member: %v", err)
	}

	status, page := join("es", url.Values{"alias": {"Ailén"}, "language": {"es"}, "cell": {"6839"}})
	if got := html.UnescapeString(fieldError(page, "cell")); status != http.StatusUnprocessableEntity ||
		!strings.Contains(got, "es una zona de Argentina") || !strings.Contains(page, `name="cell_not_postcode" value="6839"`) {
		t.Fatalf("Trelew's cell 6839: got %d, error %q, want 422 asking whether it is a cell in Argentina, with the box", status, got)
	}
	if status, _ := join("es", url.Values{"alias": {"Ailén"}, "language": {"es"}, "cell": {"6838"}, "cell_not_postcode": {"6839"}}); status != http.StatusUnprocessableEntity {
		t.Errorf("a box ticked for 6839 with 6838 typed: got %d, want 422", status)
	}
	if status, _ := join("es", url.Values{"alias": {"Ailén"}, "language": {"es"}, "cell": {"6839"}, "cell_not_postcode": {"6839"}}); status != http.StatusSeeOther {
		t.Fatalf("6839 confirmed: got %d, want 303", status)
	}
	if m, err := e.store.MemberByAlias(ctx, "Ailén"); err != nil || m.Cell != "6839" {
		t.Errorf("joined with 6839 confirmed: got %+v, %v", m, err)
	}
}

// postPage sends a form with no session, as a browser on a public page
// would.
func (e *env) postPage(t *testing.T, target, lang string, form url.Values) response {
	t.Helper()
	return e.doForm(t, target, "", lang, form)
}

// doForm sends a form with the cookie, if any.
func (e *env) doForm(t *testing.T, target, cookie, lang string, form url.Values) response {
	t.Helper()
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	req.Header.Set("Accept-Language", lang)
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// TestMeCellPostcode: PATCH /api/v1/me and the account page read digits
// as the join form does.
func TestMeCellPostcode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, tok := e.member(t, "Lupe")
	patch := func(body string) response {
		t.Helper()
		return e.do(t, "PATCH", "/api/v1/me", tok, "es", strings.NewReader(body))
	}
	cell := func() string {
		t.Helper()
		m, err := e.store.Member(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return m.Cell
	}
	if r := patch(`{"cell":"90037"}`); r.status != 200 || cell() != "9q5ck" {
		t.Errorf("PATCH the postcode 90037: got %d, cell %q, want 200 and 9q5ck: %s", r.status, cell(), r.body)
	}
	r := patch(`{"cell":"90210"}`)
	if d := errorOf(t, r); r.status != http.StatusBadRequest || !strings.Contains(d.Message, `cell: "90210" parece un código postal, no una celda`) {
		t.Errorf("PATCH an unknown postcode: got %d %q", r.status, d.Message)
	}
	r = patch(`{"cell":"69653"}`)
	if d := errorOf(t, r); r.status != http.StatusBadRequest || !strings.Contains(d.Message, "es una zona de Argentina") ||
		!strings.Contains(d.Message, `"cell_not_postcode": true`) {
		t.Errorf("PATCH General Acha's 69653: got %d %q", r.status, d.Message)
	}
	if r := patch(`{"cell":"69653","cell_not_postcode":true}`); r.status != 200 || cell() != "69653" {
		t.Errorf("PATCH 69653 confirmed: got %d, cell %q: %s", r.status, cell(), r.body)
	}
	if r := patch(`{"cell":"90210","cell_not_postcode":true}`); r.status != http.StatusBadRequest || cell() != "69653" {
		t.Errorf("PATCH a postcode in the sea, confirmed: got %d, cell %q, want 400: a cell there is a mistake", r.status, cell())
	}

	m, err := e.store.CreateMember(ctx, store.Member{Alias: "Rosa", Language: "en", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	b := signIn(t, e, m.ID, "en")
	code, page, _ := b.post(t, "/me/account", "/me/account", url.Values{"alias": {"Rosa"}, "language": {"en"}, "cell": {"90210"}}, true)
	if got := html.UnescapeString(fieldError(page, "cell")); code != http.StatusUnprocessableEntity ||
		!strings.HasPrefix(got, `"90210" looks like a postcode.`) || !strings.Contains(page, `value="90210"`) {
		t.Errorf("the account page with an unknown postcode: got %d, error %q", code, got)
	}
	code, page, _ = b.post(t, "/me/account", "/me/account", url.Values{"alias": {"Rosa"}, "language": {"en"}, "cell": {"8825"}}, true)
	if got := html.UnescapeString(fieldError(page, "cell")); code != http.StatusUnprocessableEntity ||
		!strings.Contains(got, "an area in Kiribati (Kiritimati)") || !strings.Contains(page, `name="cell_not_postcode" value="8825"`) {
		t.Errorf("the account page with Kiritimati's 8825: got %d, error %q", code, got)
	}
	if code, _, _ := b.post(t, "/me/account", "/me/account", url.Values{"alias": {"Rosa"}, "language": {"en"}, "cell": {"8825"},
		"cell_not_postcode": {"8825"}}, true); code != http.StatusSeeOther {
		t.Errorf("the account page with 8825 confirmed: got %d, want 303", code)
	}
	if got, err := e.store.Member(ctx, m.ID); err != nil || got.Cell != "8825" {
		t.Errorf("after the account page: got %+v, %v", got, err)
	}
}
