package web

import (
	"fmt"
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
// by action. The log names people by pseudonyms (store/audit.go), and
// so does the page, by their first digits: enough to tell one actor
// from another, nothing to find who they are. It never looks a
// pseudonym up, so it shows no alias and no member id.

func (s *Server) auditPageRoutes() []route {
	return []route{
		{pattern: "GET /audit", action: auth.ReadAll, page: true, h: s.auditPage},
	}
}

const (
	// auditPageSize is how many entries a page of the log shows.
	auditPageSize = 50
	// pseudonymDigits is how many hex digits of a pseudonym the page
	// shows: 32 bits, enough to tell apart the few people who read
	// member lists or revoke tokens.
	pseudonymDigits = 8
)

// auditView is the page of the audit log.
type auditView struct {
	Entries []auditLine
	// The filter: the collective and action chosen, "" for all, and
	// what there is to choose from.
	Collective, Action string
	Collectives        []store.Collective
	Actions            []auditChoice
	// Older is the URL of the next page, Newest that of the first;
	// each "" when there is none other than this one.
	Older, Newest string
}

// auditLine is one entry of the log as the page says it.
type auditLine struct {
	When, Datetime string // in UTC, as people read it and as <time> wants it
	// Actor is the short pseudonym of who did it, or "" when the
	// command line did: What then says so.
	Actor string
	What  template.HTML
}

type auditChoice struct{ Value, Label string }

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lang := s.ui.pageLang(r)
	q := r.URL.Query()
	v := auditView{Collective: q.Get("collective"), Action: q.Get("action")}
	es, next, err := s.store.AuditLog(ctx, store.AuditFilter{Collective: v.Collective, Action: v.Action}, q.Get("after"), auditPageSize)
	if err != nil {
		return err
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
			What: s.auditSentence(lang, e, names)}
		if e.Actor != store.AuditCLI {
			l.Actor = shortPseudonym(e.Actor)
		}
		v.Entries = append(v.Entries, l)
	}
	link := func(after string) string {
		u := url.Values{}
		for k, val := range map[string]string{"collective": v.Collective, "action": v.Action, "after": after} {
			if val != "" {
				u.Set(k, val)
			}
		}
		if len(u) == 0 {
			return "/audit"
		}
		return "/audit?" + u.Encode()
	}
	if next != "" {
		v.Older = link(next)
	}
	if q.Get("after") != "" {
		v.Newest = link("")
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
	case store.AuditRevokeToken:
		return "audit.action.revoke-token"
	}
	return "audit.action.all"
}

// auditSentence says what e records, in lang, after who did it (the
// page shows their short pseudonym first), or whole when the command
// line did it. It is HTML: the catalog's words escaped, and a token's
// id and a member's pseudonym in <code>, as the page sets the actor's.
// A collective is named by its name in names, else, if it was deleted
// since, by its id.
func (s *Server) auditSentence(lang string, e store.AuditEntry, names map[string]string) template.HTML {
	say := func(key string, args ...any) string {
		return fmt.Sprintf(template.HTMLEscapeString(s.ui.t(lang, key)), args...)
	}
	code := func(x string) string { return "<code>" + template.HTMLEscapeString(x) + "</code>" }
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
	case store.AuditRevokeToken:
		switch e.Actor {
		case store.AuditCLI:
			what = say("audit.did.revoke-token.cli", code(e.Token), code(shortPseudonym(e.Subject)))
		case e.Subject:
			what = say("audit.did.revoke-token.own", code(e.Token))
		default:
			what = say("audit.did.revoke-token", code(e.Token), code(shortPseudonym(e.Subject)))
		}
		if e.Collective != "" {
			what = say("audit.did.token-for", what, coll)
		}
	default:
		// An action this version does not know, written by a newer one.
		what = say("audit.did.other", template.HTMLEscapeString(e.Action))
	}
	return template.HTML(what)
}

// shortPseudonym is the part of a pseudonym the page shows.
func shortPseudonym(p string) string {
	if len(p) > pseudonymDigits {
		return p[:pseudonymDigits]
	}
	return p
}
