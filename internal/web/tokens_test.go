package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// tokenID is the id the store gives the token secret.
func tokenID(secret string) string { return auth.Hash(secret)[:store.TokenIDLen] }

// addToken makes another token for the member, and returns it.
func addToken(t *testing.T, e *env, member string, role auth.Role) string {
	t.Helper()
	tok := auth.NewToken()
	if _, err := e.store.CreateToken(context.Background(), store.Token{Hash: auth.Hash(tok), MemberID: member, Role: string(role)}); err != nil {
		t.Fatal(err)
	}
	return tok
}

// revocations reads the audit log as the organizer whose token is org,
// through GET /api/v1/audit (with query, "" or "?subject=..."), and
// returns its revocations, newest first, as "actor revoked token of
// subject", each member named as in names (by member id), which the
// log itself must not hold.
func revocations(t *testing.T, e *env, org, query string, members map[string]string) []string {
	t.Helper()
	names := map[string]string{}
	for id, name := range members {
		names[e.store.Pseudonym(id)] = name
	}
	var page struct{ Entries []auditBody }
	r := e.json(t, "GET", "/api/v1/audit"+query, org, nil, http.StatusOK, &page)
	var out []string
	for _, a := range page.Entries {
		if a.Action != store.AuditRevokeToken {
			continue
		}
		if a.At.IsZero() {
			t.Errorf("GET /api/v1/audit: a revocation without its time: %+v", a)
		}
		out = append(out, names[a.Actor]+" revoked "+a.Token+" of "+names[a.Subject])
	}
	for id := range members {
		if strings.Contains(string(r.body), id) {
			t.Errorf("GET /api/v1/audit holds the member id %s: %s", id, r.body)
		}
	}
	return out
}

// memberOf is the id of the member of the token tok.
func memberOf(t *testing.T, e *env, tok string) string {
	t.Helper()
	tk, err := e.store.TokenByHash(context.Background(), auth.Hash(tok))
	if err != nil {
		t.Fatal(err)
	}
	return tk.MemberID
}

// TestTokenRevokeAPI: a member lists and revokes their own tokens, and
// the next request with a revoked one is 401; another member's token is
// not found and keeps working; an organizer revokes anyone's. Each
// revocation, and only they, are in the audit log that organizers
// read: who revoked, which token, whose it was.
func TestTokenRevokeAPI(t *testing.T) {
	e := newEnv(t)
	ana, anaScript := e.member(t, "ana")
	anaOld := addToken(t, e, ana, auth.Member)
	beaID, bea := e.member(t, "bea")
	org := e.token(t, "olga", auth.Organizer, "")
	olga := memberOf(t, e, org)

	var mine struct{ Tokens []tokenBody }
	e.json(t, "GET", "/api/v1/me/tokens", anaScript, nil, http.StatusOK, &mine)
	if len(mine.Tokens) != 2 {
		t.Fatalf("GET /api/v1/me/tokens: got %+v, want ana's two", mine.Tokens)
	}
	ids := map[string]bool{mine.Tokens[0].ID: true, mine.Tokens[1].ID: true}
	if !ids[tokenID(anaScript)] || !ids[tokenID(anaOld)] || mine.Tokens[0].Role != "member" || mine.Tokens[0].Created.IsZero() {
		t.Errorf("GET /api/v1/me/tokens: got %+v, want ids %s and %s", mine.Tokens, tokenID(anaScript), tokenID(anaOld))
	}
	r := e.do(t, "GET", "/api/v1/me/tokens", anaScript, "", nil)
	if body := string(r.body); strings.Contains(body, auth.Hash(anaOld)) || strings.Contains(body, anaOld) || strings.Contains(body, tokenID(bea)) {
		t.Errorf("GET /api/v1/me/tokens shows a token, a whole hash, or another member's token: %s", body)
	}

	// Ana cannot revoke Bea's token: not found, and it still works.
	if r := e.do(t, "DELETE", "/api/v1/me/tokens/"+tokenID(bea), anaScript, "", nil); r.status != http.StatusNotFound {
		t.Errorf("ana revoking bea's token: got %d %s, want 404", r.status, r.body)
	}
	e.json(t, "GET", "/api/v1/me", bea, nil, http.StatusOK, nil)
	if r := e.do(t, "DELETE", "/api/v1/me/tokens/not-an-id", anaScript, "", nil); r.status != http.StatusBadRequest {
		t.Errorf("revoking a token of a malformed id: got %d %s, want 400", r.status, r.body)
	}

	// Ana revokes her old token: the next request with it is 401, in
	// the caller's language; her other token still works.
	e.json(t, "DELETE", "/api/v1/me/tokens/"+tokenID(anaOld), anaScript, nil, http.StatusNoContent, nil)
	r = e.do(t, "GET", "/api/v1/me", anaOld, "es", nil)
	if r.status != http.StatusUnauthorized || errorOf(t, r).Code != codeUnauthenticated || !strings.Contains(errorOf(t, r).Message, "token") {
		t.Errorf("a revoked token: got %d %s, want 401 unauthenticated", r.status, r.body)
	}
	e.json(t, "GET", "/api/v1/me", anaScript, nil, http.StatusOK, nil)
	if r := e.do(t, "DELETE", "/api/v1/me/tokens/"+tokenID(anaOld), anaScript, "", nil); r.status != http.StatusNotFound {
		t.Errorf("revoking a revoked token: got %d %s, want 404", r.status, r.body)
	}

	// An organizer sees every token, with its member, and revokes Bea's.
	var all struct{ Tokens []heldTokenBody }
	e.json(t, "GET", "/api/v1/tokens", org, nil, http.StatusOK, &all)
	held := map[string]string{}
	for _, h := range all.Tokens {
		held[h.ID] = h.Alias + " " + h.Role
	}
	if len(all.Tokens) != 3 || held[tokenID(anaScript)] != "ana member" || held[tokenID(bea)] != "bea member" || held[tokenID(org)] != "olga organizer" {
		t.Errorf("GET /api/v1/tokens: got %+v, want ana's, bea's and olga's", all.Tokens)
	}
	if r := e.do(t, "DELETE", "/api/v1/tokens/"+tokenID(org), anaScript, "", nil); r.status != http.StatusForbidden {
		t.Errorf("a member revoking through the organizers' route: got %d %s, want 403", r.status, r.body)
	}
	e.json(t, "DELETE", "/api/v1/tokens/"+tokenID(bea), org, nil, http.StatusNoContent, nil)
	if r := e.do(t, "GET", "/api/v1/me", bea, "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("bea's token after an organizer revoked it: got %d %s, want 401", r.status, r.body)
	}
	if r := e.do(t, "DELETE", "/api/v1/tokens/"+tokenID(bea), org, "", nil); r.status != http.StatusNotFound {
		t.Errorf("revoking bea's token again: got %d %s, want 404", r.status, r.body)
	}
	names := map[string]string{ana: "ana", beaID: "bea", olga: "olga"}
	want := []string{"olga revoked " + tokenID(bea) + " of bea", "ana revoked " + tokenID(anaOld) + " of ana"}
	if got := revocations(t, e, org, "", names); !slices.Equal(got, want) {
		t.Errorf("the audit log: got %q, want %q", got, want)
	}
	if got := revocations(t, e, org, "?subject="+beaID, names); !slices.Equal(got, want[:1]) {
		t.Errorf("the audit log of bea's tokens: got %q, want %q", got, want[:1])
	}
	// The export names the remaining token by its id.
	var ex exportBody
	e.json(t, "GET", "/api/v1/me/export", anaScript, nil, http.StatusOK, &ex)
	if len(ex.Tokens) != 1 || ex.Tokens[0].ID != tokenID(anaScript) {
		t.Errorf("export tokens: got %+v, want ana's remaining one, by its id", ex.Tokens)
	}
	// And the token she revoked, among her rows of the audit log.
	if len(ex.Reads) != 1 || ex.Reads[0].Action != store.AuditRevokeToken || ex.Reads[0].Token != tokenID(anaOld) {
		t.Errorf("export reads: got %+v, want her revocation of %s", ex.Reads, tokenID(anaOld))
	}
}

// TestTokenRevokePages: a member sees their tokens on their account
// page and revokes one with its form, which needs the CSRF token;
// another member's token is not theirs to revoke; an organizer's page
// lists every token and revokes any.
func TestTokenRevokePages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lupe, err := e.store.CreateMember(ctx, store.Member{Alias: "Lupe", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	script := addToken(t, e, lupe.ID, auth.Member)
	beaID, other := e.member(t, "bea")
	b := signIn(t, e, lupe.ID, "es")

	code, page := b.get(t, "/me/account")
	form := `action="/me/tokens/` + tokenID(script) + `/revoke"`
	if code != http.StatusOK || !strings.Contains(page, "Tus tokens de API") || !strings.Contains(page, "<code>"+tokenID(script)+"</code>") ||
		!strings.Contains(page, form) || !strings.Contains(page, ">Anular</button>") {
		t.Fatalf("GET /me/account with a token: got %d, want the token by its id and a form that revokes it: %s", code, page)
	}
	if strings.Contains(page, tokenID(other)) {
		t.Errorf("Lupe's account page shows another member's token")
	}
	revoke := "/me/tokens/" + tokenID(script) + "/revoke"
	if code, _, _ := b.post(t, "/me/account", revoke, url.Values{}, false); code != http.StatusForbidden {
		t.Errorf("revoking without the CSRF token: got %d, want 403", code)
	}
	e.json(t, "GET", "/api/v1/me", script, nil, http.StatusOK, nil)
	if code, _, _ := b.post(t, "/me/account", "/me/tokens/"+tokenID(other)+"/revoke", url.Values{}, true); code != http.StatusNotFound {
		t.Errorf("Lupe revoking bea's token: got %d, want 404", code)
	}
	e.json(t, "GET", "/api/v1/me", other, nil, http.StatusOK, nil)
	code, _, loc := b.post(t, "/me/account", revoke, url.Values{}, true)
	if code != http.StatusSeeOther || loc != "/me/account" {
		t.Fatalf("revoking her token: got %d to %q, want 303 to /me/account", code, loc)
	}
	if r := e.do(t, "GET", "/api/v1/me", script, "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("the token after Lupe revoked it: got %d %s, want 401", r.status, r.body)
	}
	if code, page := b.get(t, "/me/account"); code != http.StatusOK || strings.Contains(page, "Tus tokens de API") {
		t.Errorf("GET /me/account with no token left: got %d, want no section of tokens", code)
	}

	// The organizers' page.
	ob, rosa := signInOrganizer(t, e, "en")
	if code, page := ob.get(t, "/"); code != http.StatusOK || !strings.Contains(page, `href="/tokens"`) {
		t.Errorf("an organizer's first page: got %d, want a link to the page of tokens", code)
	}
	if code, _ := b.get(t, "/tokens"); code != http.StatusForbidden {
		t.Errorf("a member's GET /tokens: got %d, want 403", code)
	}
	code, page = ob.get(t, "/tokens")
	if code != http.StatusOK || !strings.Contains(page, "<code>"+tokenID(other)+"</code>") || !strings.Contains(page, "</code> · bea · ") ||
		!strings.Contains(page, `action="/tokens/`+tokenID(other)+`/revoke"`) || strings.Contains(page, tokenID(script)) {
		t.Fatalf("GET /tokens: got %d, want bea's token and its form, not the revoked one: %s", code, page)
	}
	code, _, loc = ob.post(t, "/tokens", "/tokens/"+tokenID(other)+"/revoke", url.Values{}, true)
	if code != http.StatusSeeOther || loc != "/tokens" {
		t.Fatalf("an organizer revoking bea's token: got %d to %q, want 303 to /tokens", code, loc)
	}
	if r := e.do(t, "GET", "/api/v1/me", other, "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("bea's token after the organizer revoked it: got %d %s, want 401", r.status, r.body)
	}
	ob.lang = "es"
	if code, page := ob.get(t, "/tokens"); code != http.StatusOK || !strings.Contains(page, "Tokens de API") || !strings.Contains(page, "Ningún token de API.") {
		t.Errorf("GET /tokens in Spanish with none left: got %d, want it said: %s", code, page)
	}

	// Both revocations by the pages are in the audit log.
	org := addToken(t, e, rosa, auth.Organizer)
	names := map[string]string{lupe.ID: "Lupe", beaID: "bea", rosa: "Rosa"}
	want := []string{"Rosa revoked " + tokenID(other) + " of bea", "Lupe revoked " + tokenID(script) + " of Lupe"}
	if got := revocations(t, e, org, "", names); !slices.Equal(got, want) {
		t.Errorf("the audit log: got %q, want %q", got, want)
	}
}

// TestExportRevokedByOthers: a member's export holds the revocations of
// their tokens by someone else, an organizer (named by the first 8
// digits of her pseudonym, as the page of the audit log names her) or
// the command line ("cli"), beside those they made themselves (no
// "by"); it holds nothing of another member's revocations, and names
// no one by an alias, an id or a whole pseudonym. The organizer's
// export holds what she revoked, as her own rows.
func TestExportRevokedByOthers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ana, anaScript := e.member(t, "ana")
	byOrg, byCLI, own := addToken(t, e, ana, auth.Member), addToken(t, e, ana, auth.Member), addToken(t, e, ana, auth.Member)
	beaID, bea := e.member(t, "bea")
	org := e.token(t, "olga", auth.Organizer, "")
	olga := memberOf(t, e, org)

	e.json(t, "DELETE", "/api/v1/tokens/"+tokenID(byOrg), org, nil, http.StatusNoContent, nil)
	if _, err := e.store.RevokeToken(ctx, "", tokenID(byCLI)); err != nil {
		t.Fatal(err)
	}
	e.json(t, "DELETE", "/api/v1/me/tokens/"+tokenID(own), anaScript, nil, http.StatusNoContent, nil)
	// Bea's token, revoked by the same organizer, is not Ana's business.
	e.json(t, "DELETE", "/api/v1/tokens/"+tokenID(bea), org, nil, http.StatusNoContent, nil)

	var ex exportBody
	r := e.json(t, "GET", "/api/v1/me/export", anaScript, nil, http.StatusOK, &ex)
	var got []string
	for _, rd := range ex.Reads {
		if rd.At.IsZero() || rd.Collective != "" {
			t.Errorf("ana's export: a row %+v without its time, or with a collective", rd)
		}
		got = append(got, fmt.Sprintf("%s %s by %q", rd.Action, rd.Token, rd.By))
	}
	want := []string{
		"revoke-token " + tokenID(own) + ` by ""`,
		"revoke-token " + tokenID(byCLI) + ` by "cli"`,
		"revoke-token " + tokenID(byOrg) + ` by "` + e.store.Pseudonym(olga)[:8] + `"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("ana's export reads:\n got %q\nwant %q", got, want)
	}
	for _, secret := range []string{`"olga"`, olga, e.store.Pseudonym(olga), `"bea"`, beaID, tokenID(bea),
		e.store.Pseudonym(beaID)[:8], tokenID(org)} {
		if strings.Contains(string(r.body), secret) {
			t.Errorf("ana's export holds %q, of another member", secret)
		}
	}

	// Olga's export: what she revoked, hers, with no "by" and no name
	// of whose tokens they were.
	var olgas exportBody
	r = e.json(t, "GET", "/api/v1/me/export", org, nil, http.StatusOK, &olgas)
	got = nil
	for _, rd := range olgas.Reads {
		got = append(got, fmt.Sprintf("%s %s by %q", rd.Action, rd.Token, rd.By))
	}
	want = []string{"revoke-token " + tokenID(bea) + ` by ""`, "revoke-token " + tokenID(byOrg) + ` by ""`}
	if !slices.Equal(got, want) {
		t.Errorf("olga's export reads:\n got %q\nwant %q", got, want)
	}
	for _, secret := range []string{ana, beaID, e.store.Pseudonym(ana)[:8], e.store.Pseudonym(beaID)[:8]} {
		if strings.Contains(string(r.body), secret) {
			t.Errorf("olga's export holds %q, of another member", secret)
		}
	}
}
