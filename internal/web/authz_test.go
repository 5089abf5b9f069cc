package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// The authorization test (issue 4, acceptance item 2) tries every route
// of the mux as each of five callers and checks two things: who gets
// in, against what the table below says (not against the route's own
// declaration, so a route declared with a too weak action fails), and
// that no answer carries what lies beyond the caller's boundary.

// caller is one of the five the test tries every route as.
type caller int

const (
	anonymous caller = iota
	memberA          // a member of collective A, nothing more
	coordB           // a coordinator of collective B, A's neighbour
	coordA           // a coordinator of collective A
	organizer
	callers
)

var callerNames = [...]string{"anonymous", "member of A", "coordinator of B", "coordinator of A", "organizer"}

func (c caller) String() string { return callerNames[c] }

// The fixture: collectives A and B, each with one plain member whose id
// is a marker the test looks for in answers, the four callers with
// tokens, the catalog, and a done plan that names both plain members.
const (
	collectiveA = "coll-a"
	collectiveB = "coll-b"
	plainA      = "plain-a-k2x9q" // a member of A: coordA and organizer may see them
	plainB      = "plain-b-7f3qz" // a member of B: coordB and organizer may see them
)

const authzWorld = `{
  "format": "commune.world/v1",
  "period": "week",
  "skills": [{"id": "cook", "name": {"en": "Cooking", "es": "Cocina"}}],
  "products": [{"id": "meal", "name": {"en": "Meal", "es": "Comida"}, "unit": "meal", "kind": "good"}],
  "sites": [
    {"id": "kitchen-a", "name": "Kitchen A", "kind": "workplace", "lat": 34.033, "lon": -118.205, "collective": "coll-a"},
    {"id": "kitchen-b", "name": "Kitchen B", "kind": "workplace", "lat": 34.047, "lon": -118.283, "collective": "coll-b"}
  ],
  "recipes": [
    {"id": "cook-a", "site": "kitchen-a", "outputs": {"meal": 10}, "labor": {"cook": 1}},
    {"id": "cook-b", "site": "kitchen-b", "outputs": {"meal": 10}, "labor": {"cook": 1}}
  ],
  "members": [
    {"id": "plain-a-k2x9q", "cell": "9q5cs", "collectives": ["coll-a"], "commitment": {"hours": 4, "skills": ["cook"], "max_km": 10}},
    {"id": "plain-b-7f3qz", "cell": "9q5cg", "collectives": ["coll-b"], "commitment": {"hours": 4, "skills": ["cook"], "max_km": 10}}
  ],
  "needs": [
    {"id": "need-a-1", "member": "plain-a-k2x9q", "product": "meal", "qty": 7, "tier": "essential"},
    {"id": "need-b-1", "member": "plain-b-7f3qz", "product": "meal", "qty": 7, "tier": "essential"}
  ]
}`

type fixture struct {
	*env
	tokens   [callers]string
	ids      [callers]string // member ids of the callers; "" for anonymous
	tokenIDs [callers]string // the ids of the callers' tokens
	run      int64           // a done planning run
	// inviteA and inviteB are invites of A and B; codeA is the code of
	// inviteA.
	inviteA, inviteB, codeA string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{env: newEnv(t)}
	w, err := world.Read(strings.NewReader(authzWorld))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutWorld(ctx, w); err != nil {
		t.Fatal(err)
	}
	p, err := plan.Make(ctx, w, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.run, err = f.store.CreatePlanRun(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.store.FinishPlanRun(ctx, f.run, p); err != nil {
		t.Fatal(err)
	}
	for c := memberA; c < callers; c++ {
		alias := strings.ReplaceAll(c.String(), " ", "-")
		m, err := f.store.CreateMember(ctx, store.Member{Alias: alias, Language: "en", Cell: "9q5ct"})
		if err != nil {
			t.Fatal(err)
		}
		f.ids[c] = m.ID
		tok := store.Token{MemberID: m.ID, Role: string(auth.Member)}
		switch c {
		case memberA:
			err = f.store.AddMembership(ctx, m.ID, collectiveA, store.RoleMember)
		case coordA, coordB:
			coll := map[caller]string{coordA: collectiveA, coordB: collectiveB}[c]
			err = f.store.AddMembership(ctx, m.ID, coll, store.RoleCoordinator)
			tok.Role, tok.Collective = string(auth.Coordinator), coll
		case organizer:
			tok.Role = string(auth.Organizer)
		}
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[c] = auth.NewToken()
		tok.Hash = auth.Hash(f.tokens[c])
		made, err := f.store.CreateToken(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		f.tokenIDs[c] = made.ID
	}
	f.srv.opt.Demo = &DemoPeople{Member: f.ids[memberA], Coordinator: f.ids[coordA], Organizer: f.ids[organizer]}
	f.codeA = auth.NewInvite()
	for _, inv := range []struct {
		collective string
		id         *string
		code       string
		by         caller
	}{{collectiveA, &f.inviteA, f.codeA, coordA}, {collectiveB, &f.inviteB, auth.NewInvite(), coordB}} {
		made, err := f.store.CreateInvite(ctx, store.Invite{Collective: inv.collective, Role: store.RoleMember,
			CodeHash: auth.Hash(inv.code), CreatedBy: f.ids[inv.by], Expires: time.Now().Add(time.Hour), MaxUses: 10})
		if err != nil {
			t.Fatal(err)
		}
		*inv.id = made.ID
	}
	return f
}

// who says which callers a route lets in.
type who int

const (
	everyone   who = iota // public routes
	self                  // any signed-in member, on their own data
	collective            // coordinators of the collective in the path, organizers
	membersOf             // the collective's members, its coordinators, organizers
	organizers            // organizers only
)

// authzCase says how to call one route and who may.
type authzCase struct {
	who who
	// path fills the pattern's wildcards; a collective wildcard is
	// always collective A. Nil: the pattern has no wildcards.
	path func(f *fixture) string
	// body is a request body that an allowed caller's request may
	// carry; it need not succeed, only be authorized.
	body string
	// foreign, for routes whose path names an object of a collective,
	// is the path with an object of collective B under collective A:
	// A's coordinator must be answered 404, never B's object.
	foreign func(f *fixture) string
}

var authzCases = map[string]authzCase{
	"GET /healthz":          {who: everyone},
	"GET /api/openapi.json": {who: everyone},
	"GET /{$}":              {who: everyone, path: func(*fixture) string { return "/" }},
	"GET /static/{file}": {who: everyone, path: func(f *fixture) string {
		u, _ := f.srv.ui.assets.url("app.css")
		return u
	}},
	"GET /sw.js":                {who: everyone},
	"GET /login":                {who: everyone},
	"GET /manifest.webmanifest": {who: everyone},
	"GET /api/v1/world":         {who: organizers},
	"PUT /api/v1/world":         {who: organizers, body: authzWorld},
	"POST /api/v1/plans":        {who: organizers},
	"GET /api/v1/plans/{id}": {who: organizers, path: func(f *fixture) string {
		return "/api/v1/plans/" + strconv.FormatInt(f.run, 10)
	}},

	// Collectives, their members and invites (collectives.go).
	"GET /api/v1/collectives":              {who: self},
	"POST /api/v1/collectives":             {who: organizers, body: `{"name": "Plant C", "kind": "workplace"}`},
	"GET /api/v1/collectives/{id}":         {who: membersOf, path: inA("")},
	"PATCH /api/v1/collectives/{id}":       {who: collective, path: inA(""), body: `{"name": "Plant A"}`},
	"GET /api/v1/collectives/{id}/members": {who: collective, path: inA("/members")},
	"PATCH /api/v1/collectives/{id}/members/{member}": {who: collective, path: inA("/members/" + plainA),
		body: `{"role": "coordinator"}`, foreign: inA("/members/" + plainB)},
	"DELETE /api/v1/collectives/{id}/members/{member}": {who: collective, path: inA("/members/" + plainA),
		foreign: inA("/members/" + plainB)},
	"POST /api/v1/collectives/{id}/invites": {who: collective, path: inA("/invites"), body: `{"max_uses": 5, "expires_in_hours": 24}`},
	"GET /api/v1/collectives/{id}/invites":  {who: collective, path: inA("/invites")},
	"DELETE /api/v1/collectives/{id}/invites/{invite}": {who: collective,
		path:    func(f *fixture) string { return inA("/invites/" + f.inviteA)(f) },
		foreign: func(f *fixture) string { return inA("/invites/" + f.inviteB)(f) }},
	"POST /api/v1/invites/{code}/accept":    {who: self, path: func(f *fixture) string { return "/api/v1/invites/" + f.codeA + "/accept" }},
	"GET /api/v1/collectives/{id}/coverage": {who: collective, path: inA("/coverage")},
	"GET /api/v1/audit":                     {who: organizers},

	// A member's own data (me.go). Another's need is not found: a
	// member reaches only their own.
	"GET /api/v1/me":               {who: self},
	"PATCH /api/v1/me":             {who: self, body: `{"call_opt_in": true}`},
	"DELETE /api/v1/me":            {who: self},
	"GET /api/v1/me/needs":         {who: self},
	"POST /api/v1/me/needs":        {who: self, body: `{"product": "meal", "qty": 3, "tier": "basic"}`},
	"DELETE /api/v1/me/needs/{id}": {who: self, path: func(*fixture) string { return "/api/v1/me/needs/need-a-1" }},
	"GET /api/v1/me/commitment":    {who: self},
	"PUT /api/v1/me/commitment":    {who: self, body: `{"hours": 4, "skills": ["cook"], "max_km": 5}`},
	"GET /api/v1/me/plan":          {who: self},
	"GET /api/v1/me/export":        {who: self},

	// API tokens (tokens.go): each member's own, and every one for
	// organizers. The token in the paths is the member of A's: any other
	// caller revoking it as their own finds it not found.
	"GET /api/v1/me/tokens":         {who: self},
	"DELETE /api/v1/me/tokens/{id}": {who: self, path: memberAToken("/api/v1/me/tokens/%s")},
	"GET /api/v1/tokens":            {who: organizers},
	"DELETE /api/v1/tokens/{id}":    {who: organizers, path: memberAToken("/api/v1/tokens/%s")},
	"POST /me/tokens/{id}/revoke":   {who: self, path: memberAToken("/me/tokens/%s/revoke")},
	"GET /tokens":                   {who: organizers},
	"POST /tokens/{id}/revoke":      {who: organizers, path: memberAToken("/tokens/%s/revoke")},
	// The page of the audit log, for whoever may read GET /api/v1/audit.
	"GET /audit": {who: organizers},

	// The demo's sign-in links (demo.go), served in demo mode only.
	"GET /demo/{who}": {who: everyone, path: func(*fixture) string { return "/demo/member" }},

	// A member's own pages (mepages.go).
	"GET /me":                      {who: self},
	"GET /me/needs":                {who: self},
	"POST /me/needs":               {who: self, body: "product=meal&qty=2&tier=basic"},
	"POST /me/needs/{id}/delete":   {who: self, path: func(*fixture) string { return "/me/needs/need-a-1/delete" }},
	"GET /me/commitment":           {who: self},
	"POST /me/commitment":          {who: self, body: "hours=3&max_km=4"},
	"GET /me/account":              {who: self},
	"POST /me/account":             {who: self, body: "alias=x"},
	"POST /me/account/email-again": {who: self},
	"POST /me/erase":               {who: self, body: "sure=yes"},
	"POST /logout":                 {who: self},
	// The newspaper's circulation and growth (circulation.go): anyone
	// signed in reads what concerns them; A's coordinators and
	// organizers record for A; growth is for organizers.
	"GET /circulation": {who: self},
	"POST /collectives/{id}/circulation": {who: collective, path: func(*fixture) string { return "/collectives/" + collectiveA + "/circulation" },
		body: "week=2026-W48&received=10&handed_out=8"},
	"GET /growth": {who: organizers},

	// A collective's page (collectivepage.go).
	"GET /collectives":               {who: self},
	"GET /collectives/{id}":          {who: collective, path: func(*fixture) string { return "/collectives/" + collectiveA }},
	"POST /collectives/{id}/invites": {who: collective, path: func(*fixture) string { return "/collectives/" + collectiveA + "/invites" }, body: "max_uses=5&expires_in_hours=24"},

	"POST /collectives/{id}/runs": {who: collective, path: func(*fixture) string { return "/collectives/" + collectiveA + "/runs" }},
	"GET /collectives/{id}/runs/{run}": {who: collective, path: func(f *fixture) string {
		return "/collectives/" + collectiveA + "/runs/" + strconv.FormatInt(f.run, 10)
	}},
	"GET /api/v1/plans/{id}/progress": {who: self, path: func(f *fixture) string {
		return "/api/v1/plans/" + strconv.FormatInt(f.run, 10) + "/progress"
	}},

	// The page an invite link opens (joinpage.go): anyone may open it.
	"GET /join/{code}":  {who: everyone, path: func(f *fixture) string { return "/join/" + f.codeA }},
	"POST /join/{code}": {who: everyone, path: func(f *fixture) string { return "/join/" + f.codeA }, body: "alias=nueva&language=es&cell=9q5cs"},
	// A link that confirms an email (emailconfirm.go): this one stands
	// for no email, and says so to anyone.
	"GET /email/confirm/{token}":  {who: everyone, path: func(*fixture) string { return "/email/confirm/" + auth.NewEmailConfirm() }},
	"POST /email/confirm/{token}": {who: everyone, path: func(*fixture) string { return "/email/confirm/" + auth.NewEmailConfirm() }},
	"GET /signin/{token}":         {who: everyone, path: func(*fixture) string { return "/signin/" + auth.NewSignInLink() }},
	"POST /signin/{token}":        {who: everyone, path: func(*fixture) string { return "/signin/" + auth.NewSignInLink() }},

	// Sites and recipes of a collective, and the catalog (sites.go,
	// catalog.go and their pages). B's site or recipe under A's path is
	// not found.
	"GET /api/v1/collectives/{id}/sites": {who: collective, path: inA("/sites")},
	"PUT /api/v1/collectives/{id}/sites/{site}": {who: collective, path: inA("/sites/kitchen-a"),
		body: `{"name": "Kitchen A", "kind": "workplace", "lat": 34.03, "lon": -118.2}`, foreign: inA("/sites/kitchen-b")},
	"DELETE /api/v1/collectives/{id}/sites/{site}": {who: collective, path: inA("/sites/kitchen-a"), foreign: inA("/sites/kitchen-b")},
	"PUT /api/v1/collectives/{id}/recipes/{recipe}": {who: collective, path: inA("/recipes/cook-a"),
		body: `{"site": "kitchen-a", "outputs": {"meal": 12}, "labor": {"cook": 1}}`, foreign: inA("/recipes/cook-b")},
	"DELETE /api/v1/collectives/{id}/recipes/{recipe}": {who: collective, path: inA("/recipes/cook-a"), foreign: inA("/recipes/cook-b")},
	"GET /api/v1/catalog":                              {who: organizers},
	"PUT /api/v1/catalog/skills/{skill}": {who: organizers, path: func(*fixture) string { return "/api/v1/catalog/skills/cook" },
		body: `{"name": {"en": "Cooking"}}`},
	"DELETE /api/v1/catalog/skills/{skill}": {who: organizers, path: func(*fixture) string { return "/api/v1/catalog/skills/cook" }},
	"PUT /api/v1/catalog/products/{product}": {who: organizers, path: func(*fixture) string { return "/api/v1/catalog/products/meal" },
		body: `{"name": {"en": "Meal"}, "unit": "meal", "kind": "good"}`},
	"DELETE /api/v1/catalog/products/{product}": {who: organizers, path: func(*fixture) string { return "/api/v1/catalog/products/meal" }},
	"GET /collectives/{id}/sites":               {who: collective, path: func(*fixture) string { return "/collectives/" + collectiveA + "/sites" }},
	"POST /collectives/{id}/sites": {who: collective, path: func(*fixture) string { return "/collectives/" + collectiveA + "/sites" },
		body: "id=kitchen-a&name=Kitchen&kind=workplace&lat=34&lon=-118"},
	"POST /collectives/{id}/sites/{site}/delete": {who: collective,
		path:    func(*fixture) string { return "/collectives/" + collectiveA + "/sites/kitchen-a/delete" },
		foreign: func(*fixture) string { return "/collectives/" + collectiveA + "/sites/kitchen-b/delete" }},
	"POST /collectives/{id}/recipes": {who: collective, path: func(*fixture) string { return "/collectives/" + collectiveA + "/recipes" },
		body: "id=cook-a&site=kitchen-a&out_id=meal&out_qty=3&lab_id=cook&lab_qty=1"},
	"POST /collectives/{id}/recipes/{recipe}/delete": {who: collective,
		path:    func(*fixture) string { return "/collectives/" + collectiveA + "/recipes/cook-a/delete" },
		foreign: func(*fixture) string { return "/collectives/" + collectiveA + "/recipes/cook-b/delete" }},
	"GET /catalog":                            {who: organizers},
	"POST /catalog/products":                  {who: organizers, body: "id=meal&name_en=Meal&unit=meal&kind=good"},
	"POST /catalog/products/{product}/delete": {who: organizers, path: func(*fixture) string { return "/catalog/products/meal/delete" }},
	"POST /catalog/skills":                    {who: organizers, body: "id=cook&name_en=Cooking"},
	"POST /catalog/skills/{skill}/delete":     {who: organizers, path: func(*fixture) string { return "/catalog/skills/cook/delete" }},

	// Signing in and out (login.go).
	"POST /api/v1/login/code":                    {who: everyone, body: `{"email": "nobody@example.org"}`},
	"POST /api/v1/login/code/verify":             {who: everyone, body: `{"email": "nobody@example.org", "code": "123456"}`},
	"POST /api/v1/login/passkey/begin":           {who: everyone, body: `{}`},
	"POST /api/v1/login/passkey/finish":          {who: everyone, body: `{}`},
	"POST /api/v1/login/passkey/register/begin":  {who: self, body: `{}`},
	"POST /api/v1/login/passkey/register/finish": {who: self, body: `{}`},
	"GET /api/v1/login/session":                  {who: self},
	"POST /api/v1/logout":                        {who: self},

	// Web Push (push.go); push is off here, so the key is not found.
	"GET /api/v1/push/key":      {who: everyone},
	"POST /api/v1/me/push":      {who: self, body: `{"endpoint": "https://push.example.net/p/x", "keys": {"p256dh": "x", "auth": "y"}}`},
	"DELETE /api/v1/me/push":    {who: self, body: `{"endpoint": "https://push.example.net/p/x"}`},
	"POST /api/v1/me/push/test": {who: self},
	// Urgent calls (calls.go, callpage.go): a call of collective A, by a
	// member of A. The body of a new call names A; its end is missing, so
	// that those let in are answered 400. The events of a closed call end
	// after one event. A member the call did not reach is answered 404.
	"POST /api/v1/calls":             {who: collective, body: `{"collective": "coll-a", "site": "kitchen-a", "kind": "raid", "headcount": 2, "message": {"en": "raid"}}`},
	"GET /api/v1/calls/{id}":         {who: collective, path: authzCall("", false)},
	"GET /api/v1/calls/{id}/events":  {who: collective, path: authzCall("/events", true)},
	"POST /api/v1/calls/{id}/verify": {who: collective, path: authzCall("/verify", false)},
	"POST /api/v1/calls/{id}/close":  {who: collective, path: authzCall("/close", false)},
	"POST /api/v1/calls/{id}/answer": {who: self, path: authzCall("/answer", false), body: `{"answer": "coming"}`},
	"GET /api/v1/me/calls":           {who: self},
	"PUT /api/v1/me/calls":           {who: self, body: `{"reach_km": 8, "week": [{"day": "monday", "start": "08:00", "end": "15:00"}], "tz": "America/Los_Angeles"}`},
	"GET /calls/answer/{token}":      {who: everyone, path: authzAnswerLink},
	"POST /calls/answer/{token}":     {who: everyone, path: authzAnswerLink, body: "answer=coming"},
	// Events (events.go, eventpages.go): an event of A under way, and
	// one of B for the foreign paths.
	"POST /api/v1/events": {who: collective, body: `{"title": {"en": "May Day", "es": "Primero de Mayo"}, ` +
		`"starts_at": "2030-05-01T10:00:00Z", "ends_at": "2030-05-01T14:00:00Z", "cell": "9q5c", "collectives": ["coll-a"]}`},
	"GET /api/v1/events":                               {who: self},
	"GET /api/v1/events/{id}":                          {who: membersOf, path: eventPath("")},
	"PUT /api/v1/events/{id}/rsvp":                     {who: membersOf, path: eventPath("/rsvp"), body: `{"answer": "yes"}`},
	"GET /api/v1/events/{id}/contingents/{collective}": {who: collective, path: eventPath("/contingents/" + collectiveA), foreign: foreignEventPath("/contingents/" + collectiveA)},
	"PUT /api/v1/events/{id}/contingents/{collective}": {who: collective, path: eventPath("/contingents/" + collectiveA), body: `{"meet_note": "corner of 1st and Soto"}`, foreign: foreignEventPath("/contingents/" + collectiveA)},
	"GET /api/v1/events/{id}/checkin-link":             {who: collective, path: eventPath("/checkin-link")},
	"POST /api/v1/events/{id}/checkin":                 {who: membersOf, path: eventPath("/checkin"), body: `{"token": "k1.x.y"}`},
	"GET /events":                                      {who: self},
	"GET /events/new":                                  {who: coordinators},
	"POST /events/new":                                 {who: coordinators, body: "title_en=May+Day&title_es=Primero+de+Mayo&starts=2030-05-01T10:00&ends=2030-05-01T14:00&cell=9q5c&collectives=coll-a"},
	"GET /events/{id}":                                 {who: membersOf, path: eventPage("")},
	"POST /events/{id}/rsvp":                           {who: membersOf, path: eventPage("/rsvp"), body: "answer=maybe"},
	"GET /events/{id}/contingents/{collective}":        {who: collective, path: eventPage("/contingents/" + collectiveA), foreign: foreignEventPage("/contingents/" + collectiveA)},
	"POST /events/{id}/contingents/{collective}":       {who: collective, path: eventPage("/contingents/" + collectiveA), body: "meet_note=corner", foreign: foreignEventPage("/contingents/" + collectiveA)},
	"GET /events/{id}/checkin":                         {who: membersOf, path: eventPage("/checkin")},
	"POST /events/{id}/checkin":                        {who: membersOf, path: eventPage("/checkin"), body: "t=k1.x.y"},
	// The newspaper (news.go, newspage.go, feeds.go). The article is a
	// draft of the member of A: others find it not found.
	"GET /api/v1/articles":             {who: everyone},
	"POST /api/v1/articles":            {who: self, body: `{"language": "en", "title": "T", "body": "B"}`},
	"GET /api/v1/articles/review":      {who: organizers},
	"GET /api/v1/articles/{id}":        {who: everyone, path: draftPath("/api/v1/articles/%s")},
	"PATCH /api/v1/articles/{id}":      {who: self, path: draftPath("/api/v1/articles/%s"), body: `{"title": "New"}`},
	"POST /api/v1/articles/{id}/state": {who: self, path: draftPath("/api/v1/articles/%s/state"), body: `{"state": "review"}`},
	"DELETE /api/v1/articles/{id}":     {who: self, path: draftPath("/api/v1/articles/%s")},
	"GET /api/v1/me/articles":          {who: self},
	"GET /api/v1/editions":             {who: everyone},
	"POST /api/v1/editions":            {who: organizers, body: `{"number": 7, "title": "x", "date": "2027-05-01"}`},
	"GET /api/v1/editions/{id}":        {who: everyone, path: editionPath("/api/v1/editions/%s")},
	"PUT /api/v1/editions/{id}":        {who: organizers, path: editionPath("/api/v1/editions/%s"), body: `{"number": 2, "title": "x", "date": "2027-05-01"}`},
	"GET /api/v1/editors":              {who: organizers},
	"PUT /api/v1/editors/{member}":     {who: organizers, path: func(f *fixture) string { return "/api/v1/editors/" + f.ids[memberA] }},
	"DELETE /api/v1/editors/{member}":  {who: organizers, path: func(f *fixture) string { return "/api/v1/editors/" + f.ids[memberA] }},
	"GET /feeds/en.atom":               {who: everyone},
	"GET /feeds/es.atom":               {who: everyone},
	"GET /news":                        {who: everyone},
	"GET /news/{id}":                   {who: everyone, path: draftPath("/news/%s")},
	"GET /news/write":                  {who: self},
	"POST /news/write":                 {who: self, body: "title=x"},
	"GET /news/{id}/edit":              {who: self, path: draftPath("/news/%s/edit")},
	"POST /news/{id}/edit":             {who: self, path: draftPath("/news/%s/edit"), body: "title=x"},
	"POST /news/{id}/state":            {who: self, path: draftPath("/news/%s/state"), body: "state=review"},
	"POST /news/{id}/delete":           {who: self, path: draftPath("/news/%s/delete")},
	"GET /news/review":                 {who: organizers},
	"GET /news/editors":                {who: organizers},
	"POST /news/editors":               {who: organizers, body: "alias=nobody+here"},
	"GET /news/editions":               {who: everyone},
	"POST /news/editions":              {who: organizers, body: "number=3"},
	"GET /news/editions/{id}/print":    {who: everyone, path: editionPath("/news/editions/%s/print")},
	"GET /news/editions/{id}/pdf":      {who: everyone, path: editionPath("/news/editions/%s/pdf")},
}

// memberAToken returns the path of the format with the id of the
// member of A's token.
func memberAToken(format string) func(*fixture) string {
	return func(f *fixture) string { return fmt.Sprintf(format, f.tokenIDs[memberA]) }
}

// inA returns the path of collective A followed by rest.
func inA(rest string) func(*fixture) string {
	return func(*fixture) string { return "/api/v1/collectives/" + collectiveA + rest }
}

// allowed says whether c may call a route of w.
func (w who) allowed(c caller) bool {
	switch w {
	case everyone:
		return true
	case self:
		return c != anonymous
	case collective:
		return c == coordA || c == organizer
	case membersOf:
		return c == memberA || c == coordA || c == organizer
	case organizers:
		return c == organizer
	case coordinators:
		return c == coordA || c == coordB || c == organizer
	}
	return false
}

// hidden are the markers an answer to c must not carry: the plain
// members of the collectives c does not coordinate.
func hidden(c caller) []string {
	switch c {
	case organizer:
		return nil
	case coordA:
		return []string{plainB}
	case coordB:
		return []string{plainA}
	}
	return []string{plainA, plainB}
}

func TestAuthorization(t *testing.T) {
	routes := newEnv(t).srv.routes()
	seen := map[string]bool{}
	for _, rt := range routes {
		seen[rt.pattern] = true
		tc, ok := authzCases[rt.pattern]
		if !ok {
			t.Errorf("route %q: no case in authzCases; every route must be tried", rt.pattern)
			continue
		}
		if tc.who == everyone && !rt.public || tc.who != everyone && rt.public {
			t.Errorf("route %q: public is %v, but the table says who=%d", rt.pattern, rt.public, tc.who)
		}
		t.Run(rt.pattern, func(t *testing.T) {
			t.Parallel()
			method, path, _ := strings.Cut(rt.pattern, " ")
			for c := anonymous; c < callers; c++ {
				// A fresh fixture for each caller: a route may change
				// what the next caller would see (DELETE /api/v1/me).
				f := newFixture(t)
				target := path
				if tc.path != nil {
					target = tc.path(f)
				}
				if strings.Contains(target, "{") {
					t.Fatalf("path %q still has wildcards", target)
				}
				r := f.call(t, method, target, f.tokens[c], tc.body)
				f.check(t, c, method+" "+target, r, tc.who.allowed(c))
				if tc.foreign != nil && c == coordA {
					target := tc.foreign(f)
					r := f.call(t, method, target, f.tokens[c], tc.body)
					if r.status != http.StatusNotFound {
						t.Errorf("%s %s as %v (an object of B under A): got %d %s, want 404", method, target, c, r.status, r.body)
					}
					f.check(t, c, method+" "+target, r, true)
				}
			}
		})
	}
	for pattern := range authzCases {
		if !seen[pattern] {
			t.Errorf("authzCases has %q, which the mux does not serve", pattern)
		}
	}
}

func (f *fixture) call(t *testing.T, method, target, token, body string) response {
	t.Helper()
	var b *strings.Reader
	if body != "" {
		b = strings.NewReader(body)
	}
	if b == nil {
		return f.do(t, method, target, token, "", nil)
	}
	return f.do(t, method, target, token, "", b)
}

// check fails the test if c was let in when it should not have been, or
// kept out when it should not, or if the answer carries a marker c must
// not see.
func (f *fixture) check(t *testing.T, c caller, req string, r response, allowed bool) {
	t.Helper()
	switch {
	case r.status >= 500:
		t.Errorf("%s as %v: got %d %s, want no server error", req, c, r.status, r.body)
	case allowed && (r.status == http.StatusUnauthorized || r.status == http.StatusForbidden):
		t.Errorf("%s as %v: got %d %s, want to be let in", req, c, r.status, r.body)
	case !allowed && c == anonymous && r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/login?"):
		// A page sends someone not signed in to sign in.
	case !allowed && c == anonymous && r.status != http.StatusUnauthorized:
		t.Errorf("%s as %v: got %d %s, want 401", req, c, r.status, r.body)
	case !allowed && c != anonymous && r.status != http.StatusForbidden:
		t.Errorf("%s as %v: got %d %s, want 403", req, c, r.status, r.body)
	}
	body := string(r.body)
	for _, m := range hidden(c) {
		// What the caller sent may come back (a 404 naming the id
		// asked for): that tells them nothing.
		if strings.Contains(body, m) && !strings.Contains(req, m) {
			t.Errorf("%s as %v: the answer names %q, beyond the caller's boundary: %.300s", req, c, m, body)
		}
	}
	// No caller but the organizer sees another caller's member id.
	if c != organizer {
		for other, id := range f.ids {
			if id != "" && caller(other) != c && strings.Contains(body, id) && !slices.Contains(visibleIDs(c), caller(other)) {
				t.Errorf("%s as %v: the answer names the member id of %v: %.300s", req, c, caller(other), body)
			}
		}
	}
}

// visibleIDs are the callers whose member ids c may see: a coordinator
// sees the members of their collective.
func visibleIDs(c caller) []caller {
	if c == coordA {
		return []caller{memberA}
	}
	return nil
}
