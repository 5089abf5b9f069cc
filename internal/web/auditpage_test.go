package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// auditEntry matches an entry of the page of the audit log: its time,
// in UTC, and what was done.
var auditEntry = regexp.MustCompile(`(?s)<li><time datetime="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)">(\d{4}-\d\d-\d\d \d\d:\d\d) UTC</time>\s*<span>(.*?)</span></li>`)

// olderLink matches the link to the next page of the log, newestLink
// that to the first, in Spanish.
var (
	olderLink  = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	newestLink = regexp.MustCompile(`<a href="([^"]+)">Entradas más recientes</a>`)
)

// auditPageStarts gets /audit with query as ob and checks that its
// entries are as many as want and begin, in order, as want does. It
// returns the page, and false if the answer was not 200 (said already).
func auditPageStarts(t *testing.T, ob *pageBrowser, query string, want []string) (string, bool) {
	t.Helper()
	code, page := ob.get(t, "/audit"+query)
	if code != http.StatusOK {
		t.Errorf("GET /audit%s: got %d, want 200", query, code)
		return page, false
	}
	got := auditLines(t, page)
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = strings.HasPrefix(got[i], want[i])
	}
	if !ok {
		t.Errorf("GET /audit%s:\n got %q\nwant entries starting %q", query, got, want)
	}
	return page, true
}

// auditLines returns the entries of a page of the audit log as text,
// newest first, each actor's code in brackets: "[1a2b3c4d] read ...",
// without the links around the codes (auditPeople reads those).
func auditLines(t *testing.T, page string) []string {
	t.Helper()
	code := regexp.MustCompile(`<code>([^<]*)</code>`)
	links := regexp.MustCompile(`<a href="[^"]*">|</a>`)
	var out []string
	for _, m := range auditEntry.FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], strings.ReplaceAll(m[2], " ", "T")) {
			t.Errorf("an entry's time %q and its datetime %q differ", m[2], m[1])
		}
		out = append(out, html.UnescapeString(code.ReplaceAllString(links.ReplaceAllString(m[3], ""), "[$1]")))
	}
	return out
}

// auditPeople returns the codes of people in the entries of a page of
// the audit log, in order, each as "code -> the URL it links to", or
// "code" alone when it is no link. A token's id (12 digits) is no
// person's.
func auditPeople(page string) []string {
	person := regexp.MustCompile(`(?:<a href="([^"]*)">)?<code>([0-9a-f]{8})</code>`)
	var out []string
	for _, m := range auditEntry.FindAllStringSubmatch(page, -1) {
		for _, p := range person.FindAllStringSubmatch(m[3], -1) {
			if p[1] == "" {
				out = append(out, p[2])
			} else {
				out = append(out, p[2]+" -> "+html.UnescapeString(p[1]))
			}
		}
	}
	return out
}

// auditWorld is a log of each kind of entry, and who wrote them.
type auditWorld struct {
	cora, bea, rosa string // member ids: a coordinator of c-a, a member, an organizer
	// The ids of the tokens revoked: Bea's own, Cora's by Rosa, Bea's
	// other one from the command line.
	own, byOrganizer, byCLI string
}

// newAuditWorld writes, oldest first: Cora reads the member list of c-a
// and who of c-b answered an event; Bea revokes her own token; Rosa
// (the organizer signed in as ob) revokes Cora's coordinator token for
// c-a; the command line revokes Bea's other token.
func newAuditWorld(t *testing.T, e *env, rosa string) auditWorld {
	t.Helper()
	ctx := context.Background()
	for _, c := range []store.Collective{{ID: "c-a", Name: "Garment workers", Kind: store.Workplace},
		{ID: "c-b", Name: "Pico-Union", Kind: store.Neighbourhood}} {
		if _, err := e.store.CreateCollective(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	w := auditWorld{rosa: rosa}
	coraTok := e.token(t, "Cora", auth.Coordinator, "c-a")
	w.cora = memberOf(t, e, coraTok)
	var beaTok string
	w.bea, beaTok = e.member(t, "Bea")
	beaOther := addToken(t, e, w.bea, auth.Member)
	w.own, w.byOrganizer, w.byCLI = tokenID(beaTok), tokenID(coraTok), tokenID(beaOther)
	if err := e.store.Audit(ctx, w.cora, store.AuditListMembers, "c-a"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Audit(ctx, w.cora, store.AuditEventRSVPs, "c-b"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.RevokeMemberToken(ctx, w.bea, w.own); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.RevokeToken(ctx, rosa, w.byOrganizer); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.RevokeToken(ctx, "", w.byCLI); err != nil {
		t.Fatal(err)
	}
	return w
}

// code is the short pseudonym of a member, as the page shows it.
func (w auditWorld) code(e *env, member string) string {
	return "[" + e.store.Pseudonym(member)[:8] + "]"
}

// TestAuditPage: an organizer reads the audit log on its page, in
// English and in Spanish, each entry as a sentence with its time in
// UTC and its actor as the first 8 digits of their pseudonym, never a
// name or an id; a revocation says whether the token's own member, an
// organizer or the command line revoked it.
func TestAuditPage(t *testing.T) {
	e := newEnv(t)
	ob, rosa := signInOrganizer(t, e, "en")
	w := newAuditWorld(t, e, rosa)
	// commune signin-link, for Bea.
	if err := e.store.PutSignInLink(context.Background(), w.bea, strings.Repeat("a", 64), time.Now().Add(time.Hour), time.Now()); err != nil {
		t.Fatal(err)
	}
	cora, bea, rosaCode := w.code(e, w.cora), w.code(e, w.bea), w.code(e, rosa)
	want := map[string][]string{
		"en": {
			"From the command line: made a link that signs member " + bea + " in once",
			"From the command line: revoked API token [" + w.byCLI + "] of member " + bea,
			rosaCode + " revoked API token [" + w.byOrganizer + "] of member " + cora + ", a coordinator's token for Garment workers",
			bea + " revoked their own API token [" + w.own + "]",
			cora + " read who of Pico-Union answered an event",
			cora + " read the member list of Garment workers",
		},
		"es": {
			"Desde la línea de comandos: se creó un enlace que abre una vez la sesión del miembro " + bea,
			"Desde la línea de comandos: se anuló el token de API [" + w.byCLI + "] del miembro " + bea,
			rosaCode + " anuló el token de API [" + w.byOrganizer + "] del miembro " + cora + ", un token para coordinar Garment workers",
			bea + " anuló su propio token de API [" + w.own + "]",
			cora + " leyó quién de Pico-Union respondió a un evento",
			cora + " leyó la lista de miembros de Garment workers",
		},
	}
	heading := map[string]string{"en": "<h1>Audit log</h1>", "es": "<h1>Registro de auditoría</h1>"}
	explain := map[string]string{"en": "There are no names here", "es": "Aquí no hay nombres"}
	for _, lang := range []string{"en", "es"} {
		ob.lang = lang
		code, page := ob.get(t, "/audit")
		if code != http.StatusOK || !strings.Contains(page, heading[lang]) || !strings.Contains(page, explain[lang]) {
			t.Fatalf("GET /audit in %s: got %d, want the page, saying why it shows no names: %s", lang, code, page)
		}
		if got := auditLines(t, page); !slices.Equal(got, want[lang]) {
			t.Errorf("GET /audit in %s:\n got %q\nwant %q", lang, got, want[lang])
		}
		for _, secret := range []string{w.cora, w.bea, rosa, "Cora", "Bea", "Rosa",
			e.store.Pseudonym(w.cora), e.store.Pseudonym(w.bea), e.store.Pseudonym(rosa)} {
			if strings.Contains(page, secret) {
				t.Errorf("GET /audit in %s shows %q, an alias, a member id or a whole pseudonym", lang, secret)
			}
		}
		if olderLink.MatchString(page) {
			t.Errorf("GET /audit in %s with 5 entries: a link to older ones", lang)
		}
	}
}

// TestAuditPageFilters: the page keeps the entries of one collective,
// one action, or both, and its form says which are chosen; an action
// the log does not know is refused, as the API refuses it.
func TestAuditPageFilters(t *testing.T) {
	e := newEnv(t)
	ob, rosa := signInOrganizer(t, e, "en")
	w := newAuditWorld(t, e, rosa)
	cora := w.code(e, w.cora)
	for _, tc := range []struct {
		query string
		want  []string // the entries, each by the start of its sentence
		// selected are the options the form shows chosen.
		selected []string
	}{
		{"", []string{"From the command line", "[", "[", cora + " read who", cora + " read the member list"}, nil},
		{"?collective=c-a", []string{"[" + e.store.Pseudonym(rosa)[:8] + "] revoked API token [" + w.byOrganizer + "]", cora + " read the member list"},
			[]string{`<option value="c-a" selected>Garment workers</option>`}},
		{"?action=revoke-token", []string{"From the command line", "[" + e.store.Pseudonym(rosa)[:8] + "] revoked", w.code(e, w.bea) + " revoked"},
			[]string{`<option value="revoke-token" selected>Revoking an API token</option>`}},
		{"?collective=c-b&action=event-rsvps", []string{cora + " read who of Pico-Union"},
			[]string{`<option value="c-b" selected>Pico-Union</option>`, `<option value="event-rsvps" selected>Reading who answered an event</option>`}},
		{"?collective=c-b&action=list-members", nil,
			[]string{`<option value="c-b" selected>Pico-Union</option>`, `<option value="list-members" selected>Reading a member list</option>`}},
		// A collective deleted since (or never made) is still a filter.
		{"?collective=gone", nil, []string{`<option value="gone" selected>gone</option>`}},
	} {
		page, ok := auditPageStarts(t, ob, tc.query, tc.want)
		if !ok {
			continue
		}
		if len(tc.want) == 0 && !strings.Contains(page, "No entries.") {
			t.Errorf("GET /audit%s with no entry: does not say so", tc.query)
		}
		for _, s := range tc.selected {
			if !strings.Contains(page, s) {
				t.Errorf("GET /audit%s: the form lacks %s", tc.query, s)
			}
		}
		if n := strings.Count(page, " selected>"); n != len(tc.selected) {
			t.Errorf("GET /audit%s: %d options chosen, want %d", tc.query, n, len(tc.selected))
		}
	}
	// A collective's name is text, in the form and in the sentences.
	ctx := context.Background()
	if _, err := e.store.CreateCollective(ctx, store.Collective{ID: "c-x", Name: "<i>Bakers</i> & co", Kind: store.OtherKind}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Audit(ctx, w.bea, store.AuditListMembers, "c-x"); err != nil {
		t.Fatal(err)
	}
	if _, page := ob.get(t, "/audit?collective=c-x"); strings.Contains(page, "<i>Bakers") ||
		!strings.Contains(page, "read the member list of &lt;i&gt;Bakers&lt;/i&gt; &amp; co</span>") {
		t.Errorf("GET /audit?collective=c-x: the collective's name is not escaped: %s", page)
	}

	ob.lang = "es"
	if code, page := ob.get(t, "/audit?action=read"); code != http.StatusBadRequest || !strings.Contains(page, `lang="es"`) {
		t.Errorf("GET /audit?action=read: got %d, want 400 in Spanish: %.300s", code, page)
	}
	if code, _ := ob.get(t, "/audit?after=x"); code != http.StatusBadRequest {
		t.Errorf("GET /audit?after=x: got %d, want 400", code)
	}

	// The API filters by action the same way.
	org := addToken(t, e, rosa, auth.Organizer)
	var log struct{ Entries []auditBody }
	e.json(t, "GET", "/api/v1/audit?action=revoke-token", org, nil, http.StatusOK, &log)
	if len(log.Entries) != 3 {
		t.Errorf("GET /api/v1/audit?action=revoke-token: got %+v, want the 3 revocations", log.Entries)
	}
	e.json(t, "GET", "/api/v1/audit?action=event-rsvps&collective=c-a", org, nil, http.StatusOK, &log)
	if len(log.Entries) != 0 {
		t.Errorf("GET /api/v1/audit?action=event-rsvps&collective=c-a: got %+v, want none", log.Entries)
	}
	if r := e.do(t, "GET", "/api/v1/audit?action=read", org, "", nil); r.status != http.StatusBadRequest {
		t.Errorf("GET /api/v1/audit?action=read: got %d %s, want 400", r.status, r.body)
	}
}

// TestAuditPagePaging: the log is read 50 entries a page, newest first,
// by the store's cursor; the link to older entries keeps the filter (a
// person's too), and a later page links back to the newest.
func TestAuditPagePaging(t *testing.T) {
	e := newEnv(t)
	ob, rosa := signInOrganizer(t, e, "es")
	w := newAuditWorld(t, e, rosa)
	cora := e.store.Pseudonym(w.cora)[:8]
	ctx := context.Background()
	// 60 reads of c-b's member list after the 5 entries of every kind.
	for range 60 {
		if err := e.store.Audit(ctx, w.cora, store.AuditListMembers, "c-b"); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		query string
		pages []int // entries on each page
	}{
		{"", []int{50, 15}},
		{"?collective=c-b", []int{50, 11}},
		{"?collective=c-b&action=list-members", []int{50, 10}},
		{"?action=revoke-token", []int{3}},
		// Cora's 62 reads, and the revocation of her token.
		{"?person=" + cora, []int{50, 13}},
		{"?person=" + cora + "&collective=c-b", []int{50, 11}},
		{"?person=" + cora + "&collective=c-b&action=list-members", []int{50, 10}},
		{"?person=" + e.store.Pseudonym(w.bea)[:8], []int{2}},
	} {
		target := "/audit" + tc.query
		var got []int
		var all []string
		for range 5 {
			code, page := ob.get(t, target)
			if code != http.StatusOK {
				t.Fatalf("GET %s: got %d, want 200", target, code)
			}
			lines := auditLines(t, page)
			got, all = append(got, len(lines)), append(all, lines...)
			if len(got) > 1 {
				newest := newestLink.FindStringSubmatch(page)
				if newest == nil {
					t.Errorf("GET %s: no link back to the newest entries", target)
				}
				for _, f := range []string{"collective=c-b", "action=list-members", "person=" + cora} {
					if newest != nil && strings.Contains(tc.query, f) != strings.Contains(newest[1], f) {
						t.Errorf("the newest entries of /audit%s are at %s: the filter is not kept", tc.query, newest[1])
					}
				}
			}
			if strings.Contains(tc.query, "person=") != strings.Contains(page, `<p class="filtered">Solo las entradas de`) {
				t.Errorf("GET %s: the line saying whose entries these are is wrong or missing", target)
			}
			m := olderLink.FindStringSubmatch(page)
			if m == nil {
				break
			}
			target = html.UnescapeString(m[1])
			if !strings.Contains(page, ">Entradas anteriores</a>") {
				t.Errorf("GET %s: the link to older entries is not in Spanish", target)
			}
			for _, f := range []string{"collective=c-b", "action=list-members", "person=" + cora} {
				if strings.Contains(tc.query, f) != strings.Contains(target, f) {
					t.Errorf("the older entries of /audit%s are at %s: the filter is not kept", tc.query, target)
				}
			}
		}
		if !slices.Equal(got, tc.pages) {
			t.Errorf("/audit%s: got pages of %v entries, want %v", tc.query, got, tc.pages)
		}
		if tc.query == "" && (len(all) == 0 || all[len(all)-1] != w.code(e, w.cora)+" leyó la lista de miembros de Garment workers") {
			t.Errorf("/audit: the last entries are not the oldest, Cora reading c-a's list: %q", all[max(0, len(all)-3):])
		}
	}
}

// TestAuditPageAccess: only those who may read GET /api/v1/audit open
// the page, and the organizers' first page links to it: a member or a
// coordinator gets the forbidden page, in their language, and someone
// not signed in is sent to sign in and back.
func TestAuditPageAccess(t *testing.T) {
	e := newEnv(t)
	ob, rosa := signInOrganizer(t, e, "en")
	w := newAuditWorld(t, e, rosa)
	for _, who := range []struct {
		name, member string
	}{{"a coordinator", w.cora}, {"a member", w.bea}} {
		b := signIn(t, e, who.member, "es")
		code, page := b.get(t, "/audit")
		if code != http.StatusForbidden || !strings.Contains(page, "No puedes ver esta página") || strings.Contains(page, "Garment workers") {
			t.Errorf("%s's GET /audit: got %d, want the forbidden page in Spanish and no entry: %.300s", who.name, code, page)
		}
		if _, page := b.get(t, "/"); strings.Contains(page, `href="/audit"`) {
			t.Errorf("%s's first page links to the audit log", who.name)
		}
	}
	r := e.do(t, "GET", "/audit?action=revoke-token", "", "", nil)
	if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != "/login?next=%2Faudit%3Faction%3Drevoke-token" {
		t.Errorf("GET /audit not signed in: got %d to %q, want 303 to sign in and back", r.status, loc)
	}
	if code, page := ob.get(t, "/"); code != http.StatusOK || !strings.Contains(page, `<a href="/audit">The audit log`) {
		t.Errorf("an organizer's first page: got %d, want a link to the audit log", code)
	}
	// With a token, as the API: the same rule.
	for _, tc := range []struct {
		role       auth.Role
		collective string
		want       int
	}{{auth.Member, "", http.StatusForbidden}, {auth.Coordinator, "c-a", http.StatusForbidden}, {auth.Organizer, "", http.StatusOK}} {
		tok := e.token(t, fmt.Sprintf("t-%s", tc.role), tc.role, tc.collective)
		for _, target := range []string{"/audit", "/api/v1/audit"} {
			if r := e.do(t, "GET", target, tok, "", nil); r.status != tc.want {
				t.Errorf("GET %s with a %s's token: got %d, want %d", target, tc.role, r.status, tc.want)
			}
		}
	}
}

// TestAuditPagePerson: each person's code on the page links to their
// entries, as actor or as subject, keeping the collective and action
// chosen; a line says whose entries are shown and links back to
// everyone's; the filter takes codes only, so an alias or a member id
// finds no one's entries, and the API takes the same codes.
func TestAuditPagePerson(t *testing.T) {
	e := newEnv(t)
	ob, rosa := signInOrganizer(t, e, "en")
	w := newAuditWorld(t, e, rosa)
	short := func(member string) string { return e.store.Pseudonym(member)[:8] }
	cora, bea, rosaCode := short(w.cora), short(w.bea), short(rosa)
	bracket := func(code string) string { return "[" + code + "]" }

	// Every code is a link to its person's entries.
	_, page := ob.get(t, "/audit")
	want := []string{
		bea + " -> /audit?person=" + bea,
		rosaCode + " -> /audit?person=" + rosaCode, cora + " -> /audit?person=" + cora,
		bea + " -> /audit?person=" + bea,
		cora + " -> /audit?person=" + cora,
		cora + " -> /audit?person=" + cora,
	}
	if got := auditPeople(page); !slices.Equal(got, want) {
		t.Errorf("GET /audit: the codes and their links:\n got %q\nwant %q", got, want)
	}
	if strings.Contains(page, `class="filtered"`) || strings.Contains(page, `name="person"`) {
		t.Errorf("GET /audit: says it is filtered by a person, or its form carries one")
	}
	// And keeps the collective and the action chosen.
	_, page = ob.get(t, "/audit?collective=c-a&action=revoke-token")
	want = []string{
		rosaCode + " -> /audit?action=revoke-token&collective=c-a&person=" + rosaCode,
		cora + " -> /audit?action=revoke-token&collective=c-a&person=" + cora,
	}
	if got := auditPeople(page); !slices.Equal(got, want) {
		t.Errorf("GET /audit?collective=c-a&action=revoke-token: the codes and their links:\n got %q\nwant %q", got, want)
	}

	for _, tc := range []struct {
		query string
		lang  string
		want  []string // the entries
		// line is the line saying whose entries these are, all the
		// link back to everyone's.
		line, all string
	}{
		// Bea as subject (the command line revoked her token) and as
		// actor and subject (she revoked her own).
		{"?person=" + bea, "en", []string{
			"From the command line: revoked API token [" + w.byCLI + "] of member " + bracket(bea),
			bracket(bea) + " revoked their own API token [" + w.own + "]",
		}, "Only the entries of <code>" + bea + "</code>: what they did, and what concerned them.", "/audit"},
		// Cora as subject (Rosa revoked her token) and as actor.
		{"?person=" + cora, "es", []string{
			bracket(rosaCode) + " anuló el token de API [" + w.byOrganizer + "] del miembro " + bracket(cora) + ", un token para coordinar Garment workers",
			bracket(cora) + " leyó quién de Pico-Union respondió a un evento",
			bracket(cora) + " leyó la lista de miembros de Garment workers",
		}, "Solo las entradas de <code>" + cora + "</code>: lo que hizo y lo que le concernía.", "/audit"},
		// With the other filters, and the link back keeps them.
		{"?person=" + cora + "&collective=c-b", "en", []string{bracket(cora) + " read who of Pico-Union answered an event"},
			"Only the entries of <code>" + cora + "</code>", "/audit?collective=c-b"},
		{"?person=" + cora + "&action=revoke-token", "en", []string{
			bracket(rosaCode) + " revoked API token [" + w.byOrganizer + "] of member " + bracket(cora) + ", a coordinator's token for Garment workers",
		}, "Only the entries of <code>" + cora + "</code>", "/audit?action=revoke-token"},
		{"?person=" + cora + "&collective=c-a&action=list-members", "en", []string{bracket(cora) + " read the member list of Garment workers"},
			"Only the entries of <code>" + cora + "</code>", "/audit?action=list-members&collective=c-a"},
		// A whole pseudonym, or more digits than the page shows.
		{"?person=" + e.store.Pseudonym(rosa), "en", []string{
			bracket(rosaCode) + " revoked API token [" + w.byOrganizer + "] of member " + bracket(cora) + ", a coordinator's token for Garment workers",
		}, "Only the entries of <code>" + rosaCode + "</code>", "/audit"},
		{"?person=" + e.store.Pseudonym(w.bea)[:12], "en", []string{"From the command line", bracket(bea) + " revoked their own"},
			"Only the entries of <code>" + bea + "</code>", "/audit"},
	} {
		ob.lang = tc.lang
		page, ok := auditPageStarts(t, ob, tc.query, tc.want)
		if !ok {
			continue
		}
		line := regexp.MustCompile(`<p class="filtered">(.*?) <a href="([^"]*)">([^<]*)</a></p>`).FindStringSubmatch(page)
		allText := map[string]string{"en": "Show everyone’s", "es": "Mostrar las de todos"}[tc.lang]
		if line == nil || !strings.HasPrefix(line[1], tc.line) || html.UnescapeString(line[2]) != tc.all || line[3] != allText {
			t.Errorf("GET /audit%s: the line saying whose entries: got %q, want %q and a link %q to %s", tc.query, line, tc.line, allText, tc.all)
		}
		// The form keeps the person when another collective or action
		// is chosen.
		person := strings.TrimPrefix(strings.Split(tc.query, "&")[0], "?person=")
		if !strings.Contains(page, `<input type="hidden" name="person" value="`+person+`">`) {
			t.Errorf("GET /audit%s: the form does not carry the person", tc.query)
		}
		for _, secret := range []string{w.cora, w.bea, rosa, "Cora", "Bea", "Rosa"} {
			if strings.Contains(page, secret) {
				t.Errorf("GET /audit%s shows %q, an alias or a member id", tc.query, secret)
			}
		}
	}

	// Only codes: an alias, a member id or too few digits is refused;
	// an alias that looks like a code is matched as a code, and finds
	// nothing of its member's.
	ob.lang = "es"
	for _, person := range []string{"Bea", w.bea, bea[:7], strings.ToUpper(bea[:7]) + "A", "cli"} {
		if code, page := ob.get(t, "/audit?person="+url.QueryEscape(person)); code != http.StatusBadRequest || !strings.Contains(page, `lang="es"`) {
			t.Errorf("GET /audit?person=%s: got %d, want 400 in Spanish", person, code)
		}
	}
	ctx := context.Background()
	hexAlias, err := e.store.CreateMember(ctx, store.Member{Alias: "cafe0123", Language: "en", Cell: "9q8yy"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.Audit(ctx, hexAlias.ID, store.AuditListMembers, "c-b"); err != nil {
		t.Fatal(err)
	}
	ob.lang = "en"
	if short(hexAlias.ID) != "cafe0123" {
		if code, page := ob.get(t, "/audit?person=cafe0123"); code != http.StatusOK || len(auditLines(t, page)) != 0 || !strings.Contains(page, "No entries.") {
			t.Errorf("GET /audit?person=cafe0123, a member's alias: got %d, %q; want no entries", code, auditLines(t, page))
		}
	}

	// The API takes the same codes, as actor or subject.
	org := addToken(t, e, rosa, auth.Organizer)
	var log struct{ Entries []auditBody }
	e.json(t, "GET", "/api/v1/audit?person="+bea, org, nil, http.StatusOK, &log)
	if len(log.Entries) != 2 || log.Entries[0].Token != w.byCLI || log.Entries[1].Token != w.own {
		t.Errorf("GET /api/v1/audit?person=%s: got %+v, want the revocations of Bea's two tokens", bea, log.Entries)
	}
	e.json(t, "GET", "/api/v1/audit?person="+cora+"&collective=c-b", org, nil, http.StatusOK, &log)
	if len(log.Entries) != 1 || log.Entries[0].Action != store.AuditEventRSVPs {
		t.Errorf("GET /api/v1/audit?person=%s&collective=c-b: got %+v, want Cora's read of who answered", cora, log.Entries)
	}
	for _, person := range []string{"Bea", w.bea} {
		if r := e.do(t, "GET", "/api/v1/audit?person="+url.QueryEscape(person), org, "", nil); r.status != http.StatusBadRequest {
			t.Errorf("GET /api/v1/audit?person=%s: got %d %s, want 400", person, r.status, r.body)
		}
	}
}
