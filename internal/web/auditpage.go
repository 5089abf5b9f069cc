package web

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// The organizers' page of the audit log (/audit): what GET
// /api/v1/audit answers, to the same readers, as sentences in the
// reader's language, newest first, a page at a time, by collective and
// by action, and by person. The log names people by pseudonyms
// (store/audit.go), and so does the page, by their first digits: enough
// to tell one actor from another, nothing to find who they are. It never
// looks a pseudonym up, so it shows no alias and no member id. Each
// pseudonym it shows is a link to the entries of that person, as actor
// or as subject (?person=, its digits as given, which the store matches
// without looking anyone up): a filter that takes only codes cannot be
// asked who an alias is.

func (s *Server) auditPageRoutes() []route {
	return []route{
		{pattern: "GET /audit", action: auth.ReadAll, page: true, h: s.auditPage},
	}
}

const (
	// auditPageSize is how many entries a page of the log shows.
	auditPageSize = 50
	// pseudonymDigits is how many hex digits of a pseudonym the page
	// shows: the fewest that ?person= takes.
	pseudonymDigits = store.PersonDigits
)

// auditView is the page of the audit log.
type auditView struct {
	Entries []auditLine
	// The filter: the collective and action chosen, "" for all, and
	// what there is to choose from.
	Collective, Action string
	Collectives        []store.Collective
	Actions            []auditChoice
	// Person is the pseudonym, or its first digits, whose entries
	// alone are shown, as given, or "" for everyone's; PersonLine says
	// so, and AllPeople is this page without it.
	Person     string
	PersonLine template.HTML
	AllPeople  string
	// Older is the URL of the next page, Newest that of the first;
	// each "" when there is none other than this one.
	Older, Newest string
}

// auditLine is one entry of the log as the page says it.
type auditLine struct {
	When, Datetime string // in UTC, as people read it and as <time> wants it
	// Actor is the short pseudonym of who did it, or "" when the
	// command line did: What then says so. ActorURL is the page of
	// their entries.
	Actor, ActorURL string
	What            template.HTML
}

type auditChoice struct{ Value, Label string }

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lang := s.ui.pageLang(r)
	q := r.URL.Query()
	v := auditView{Collective: q.Get("collective"), Action: q.Get("action"), Person: q.Get("person")}
	es, next, err := s.store.AuditLog(ctx, store.AuditFilter{Collective: v.Collective, Action: v.Action, Person: v.Person},
		q.Get("after"), auditPageSize)
	if err != nil {
		return err
	}
	// link is this page's URL with the filter, person set to person
	// and the cursor to after; a link to a person's entries keeps the
	// collective and the action chosen.
	link := func(person, after string) string {
		u := url.Values{}
		for k, val := range map[string]string{"collective": v.Collective, "action": v.Action, "person": person, "after": after} {
			if val != "" {
				u.Set(k, val)
			}
		}
		if len(u) == 0 {
			return "/audit"
		}
		return "/audit?" + u.Encode()
	}
	personURL := func(pseudonym string) string { return link(shortPseudonym(pseudonym), "") }
	if v.Person != "" {
		v.PersonLine = template.HTML(s.ui.sayHTML(lang, "audit.person", codeHTML(shortPseudonym(v.Person))))
		v.AllPeople = link("", "")
	}
	names := map[string]string{}
	for after := ""; ; {
		page, more, err := s.store.Collectives(ctx, after, store.MaxLimit)
		if err != nil {
			return err
		}
		for _, c := range page {
			names[c.ID] = c.Name
		}
		v.Collectives = append(v.Collectives, page...)
		if after = more; after == "" {
			break
		}
	}
	// A collective deleted since keeps its rows: it is chosen by its id.
	if _, ok := names[v.Collective]; v.Collective != "" && !ok {
		v.Collectives = append(v.Collectives, store.Collective{ID: v.Collective, Name: v.Collective})
	}
	for _, a := range store.AuditActions() {
		v.Actions = append(v.Actions, auditChoice{Value: a, Label: s.ui.t(lang, auditActionKey(a))})
	}
	for _, e := range es {
		l := auditLine{When: e.At.UTC().Format(timeLayout + " UTC"), Datetime: e.At.UTC().Format(time.RFC3339),
			What: s.auditSentence(lang, e, names, personURL)}
		if e.Actor != store.AuditCLI {
			l.Actor, l.ActorURL = shortPseudonym(e.Actor), personURL(e.Actor)
		}
		v.Entries = append(v.Entries, l)
	}
	if next != "" {
		v.Older = link(v.Person, next)
	}
	if q.Get("after") != "" {
		v.Newest = link(v.Person, "")
	}
	return s.render(w, r, http.StatusOK, "audit.html", "audit.title", v)
}

// auditActionKey is the catalog key of an action's name in the filter.
func auditActionKey(action string) string {
	switch action {
	case store.AuditListMembers:
		return "audit.action.list-members"
	case store.AuditEventRSVPs:
		return "audit.action.event-rsvps"
	case store.AuditReadWorld:
		return "audit.action.read-world"
	case store.AuditReadPlan:
		return "audit.action.read-plan"
	case store.AuditRevokeToken:
		return "audit.action.revoke-token"
	case store.AuditSignInLink:
		return "audit.action.signin-link"
	}
	return "audit.action.all"
}

// auditSentence says what e records, in lang, after who did it (the
// page shows their short pseudonym first), or whole when the command
// line did it. It is HTML: the catalog's words escaped, a token's id in
// <code>, and a member's short pseudonym in <code> in a link to
// personURL(their pseudonym), as the page sets the actor's. A
// collective is named by its name in names, else, if it was deleted
// since, by its id.
func (s *Server) auditSentence(lang string, e store.AuditEntry, names map[string]string, personURL func(string) string) template.HTML {
	say := func(key string, args ...any) string { return s.ui.sayHTML(lang, key, args...) }
	person := func(p string) string {
		return `<a href="` + template.HTMLEscapeString(personURL(p)) + `">` + codeHTML(shortPseudonym(p)) + "</a>"
	}
	coll := names[e.Collective]
	if coll == "" {
		coll = e.Collective
	}
	coll = template.HTMLEscapeString(coll)
	var what string
	switch e.Action {
	case store.AuditListMembers:
		what = say("audit.did.list-members", coll)
	case store.AuditEventRSVPs:
		what = say("audit.did.event-rsvps", coll)
	case store.AuditReadWorld:
		what = say("audit.did.read-world")
	case store.AuditReadPlan:
		what = say("audit.did.read-plan")
		if e.PlanRun > 0 {
			what = say("audit.did.read-plan.run", e.PlanRun)
		}
	case store.AuditRevokeToken:
		switch e.Actor {
		case store.AuditCLI:
			what = say("audit.did.revoke-token.cli", codeHTML(e.Token), person(e.Subject))
		case e.Subject:
			what = say("audit.did.revoke-token.own", codeHTML(e.Token))
		default:
			what = say("audit.did.revoke-token", codeHTML(e.Token), person(e.Subject))
		}
		if e.Collective != "" {
			what = say("audit.did.token-for", what, coll)
		}
	case store.AuditSignInLink:
		what = say("audit.did.signin-link", person(e.Subject))
	default:
		// An action this version does not know, written by a newer one.
		what = say("audit.did.other", template.HTMLEscapeString(e.Action))
	}
	return template.HTML(what)
}

// codeHTML is x, escaped, in <code>.
func codeHTML(x string) string { return "<code>" + template.HTMLEscapeString(x) + "</code>" }

// shortPseudonym is the part of a pseudonym the page shows.
func shortPseudonym(p string) string {
	if len(p) > pseudonymDigits {
		return p[:pseudonymDigits]
	}
	return p
}
