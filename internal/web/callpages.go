package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// The pages of urgent calls for coordinators (issue 6): the calls of
// their collectives, newest first, where an unverified call waits for a
// second coordinator; the form of a new call; and a call's live board,
// with its counts per ring (static/board.js keeps them current from
// the event stream of calls.go), the buttons that verify and close it,
// and the place on a map. The map shows the call's place only, never a
// member: where the people who answered live is nobody's business.
//
// A new unverified call reaches the other coordinators in the app: it
// heads their /calls page and a card on /me says how many wait. It does
// not go through the outbox, whose rows are the call's targets and
// count on its board.
//
// The routes let in anyone signed in; the handlers ask auth.Allow about
// the call's collective once they know it, as calls.go does. Verify and
// close are /calls/verify/{id} and /calls/close/{id}, not
// /calls/{id}/verify, which would overlap /calls/answer/{token}.

func (s *Server) callPageRoutes() []route {
	return []route{
		{pattern: "GET /calls", action: auth.ReadSelf, page: true, h: s.callsPage},
		{pattern: "GET /calls/new", action: auth.ReadSelf, page: true, h: s.newCallPage},
		{pattern: "POST /calls/new", action: auth.WriteSelf, page: true, h: s.createCallPage},
		{pattern: "GET /calls/{id}", action: auth.ReadSelf, page: true, h: s.boardPage},
		{pattern: "POST /calls/verify/{id}", action: auth.WriteSelf, page: true, h: s.verifyCallPage},
		{pattern: "POST /calls/close/{id}", action: auth.WriteSelf, page: true, h: s.closeCallPage},
	}
}

// raiseCall creates a call for author in collective, as the API and the
// form both do, and wakes the worker, which sends at once its first
// ring or, when it needs verification, the requests to verify it.
func (s *Server) raiseCall(ctx context.Context, collective, author string, req call.Request) (*store.Call, error) {
	c, err := s.store.CreateCall(ctx, store.NewCall{Collective: collective, Author: author, Request: req}, time.Now())
	if err != nil {
		return nil, err
	}
	s.log.Info("call created", "call", c.ID, "status", string(c.Status))
	s.calls.poke()
	return c, nil
}

// callKinds are the kinds in the order the form offers them.
var callKinds = []call.Kind{call.Raid, call.Picket, call.Disaster, call.Other}

// callLine is a call as the list and the board head it.
type callLine struct {
	ID         string
	Collective string // its name
	Kind       string // a catalog key
	Status     string
	Place      string // a site's name, or a cell
	Message    string
	Headcount  int
	Created    template.HTML // timeHTML
	Until      template.HTML
	Own        bool // the reader raised it
}

func (s *Server) callLine(r *http.Request, c *store.Call, sites map[string]world.Site, names map[string]string) callLine {
	l := callLine{ID: c.ID, Collective: names[c.Collective], Kind: kindKeys[c.Kind], Status: string(c.Status), Place: c.Cell,
		Message: c.Message.For(s.ui.pageLang(r)), Headcount: c.Headcount,
		Created: timeHTML(c.Created), Until: timeHTML(c.Until)}
	if l.Collective == "" {
		l.Collective = c.Collective
	}
	if c.Site != "" {
		l.Place = siteName(sites, c.Site)
	}
	if p, err := s.principal(r); err == nil {
		l.Own = p.Member != "" && p.Member == c.Author
	}
	return l
}

// collectiveNames names every collective by id.
func (s *Server) collectiveNames(ctx context.Context) (map[string]string, []store.Collective, error) {
	all, _, err := s.store.Collectives(ctx, "", store.MaxLimit)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, c := range all {
		names[c.ID] = c.Name
	}
	return names, all, nil
}

// callsView is the page of urgent calls: first the open calls that
// reached the reader, to answer, as on their own page; then, for a
// coordinator or an organizer, the calls of their collectives.
type callsView struct {
	// Calls are the open calls that reached the reader (meCalls), and
	// OptIn whether they asked for calls at all.
	Calls []callCard
	OptIn bool
	// Coordinates is set for whoever may see a collective's calls; Lines
	// are those calls, newest first.
	Coordinates bool
	Lines       []callLine
	// Raise are the collectives the reader may raise a call in.
	Raise []store.Collective
	// Waiting counts the unverified calls another raised, which the
	// reader may verify.
	Waiting int
}

// myCalls returns the calls the reader coordinates, newest first, and
// the collectives they may raise a call in.
func (s *Server) myCalls(ctx context.Context, p auth.Principal) ([]store.Call, []store.Collective, error) {
	org := auth.Allow(p, auth.WriteAll, "")
	var mine []string
	_, all, err := s.collectiveNames(ctx)
	if err != nil {
		return nil, nil, err
	}
	var raise []store.Collective
	for _, c := range all {
		if auth.Allow(p, auth.WriteCollective, c.ID) {
			raise = append(raise, c)
			mine = append(mine, c.ID)
		}
	}
	calls, err := s.store.CollectiveCalls(ctx, mine, org, 100)
	return calls, raise, err
}

// waiting counts the unverified calls another raised that p may verify.
func waiting(p auth.Principal, calls []store.Call) int {
	n := 0
	for _, c := range calls {
		if c.Status == call.Unverified && c.Author != p.Member {
			n++
		}
	}
	return n
}

func (s *Server) callsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	calls, raise, err := s.myCalls(ctx, p)
	if err != nil {
		return err
	}
	_, sites, err := s.sites(r)
	if err != nil {
		return err
	}
	names, _, err := s.collectiveNames(ctx)
	if err != nil {
		return err
	}
	v := callsView{Raise: raise, Waiting: waiting(p, calls), Coordinates: len(raise) > 0}
	for i := range calls {
		v.Lines = append(v.Lines, s.callLine(r, &calls[i], sites, names))
	}
	if v.Calls, err = s.reachedCalls(r, p); err != nil {
		return err
	}
	m, err := s.store.Member(ctx, p.Member)
	if err != nil {
		return err
	}
	v.OptIn = m.CallOptIn
	return s.render(w, r, http.StatusOK, "calls.html", "callpage.list.title", &v)
}

// siteGroup is the sites of one collective, as the form's select
// groups them.
type siteGroup struct {
	Name  string // the collective's name, "" for sites of none
	Sites []world.Site
}

// callNewView is the form of a new call.
type callNewView struct {
	Collectives []store.Collective // those the reader may raise a call in
	Groups      []siteGroup
	Kinds       []call.Kind
	Form        form
	// Map shows the sites of the reader's collectives, to pick a cell
	// on (static/pick.js, board.js); the cell field stays the way to
	// type one.
	Map *mapData
}

// pickMap is the map of the form: the sites of the collectives, framed.
func pickMap(sites []world.Site, collectives []store.Collective) *mapData {
	d := &mapData{Sites: []mapSite{}, Flows: []mapFlow{}, Coverage: []mapPlace{}, Products: map[string]mapProduct{}}
	mine := map[string]bool{}
	for _, c := range collectives {
		mine[c.ID] = true
	}
	for _, st := range sites {
		if !mine[st.Collective] {
			continue
		}
		if len(d.Sites) == 0 {
			d.Bounds = mapBounds{South: st.Lat, West: st.Lon, North: st.Lat, East: st.Lon}
		}
		d.Sites = append(d.Sites, mapSite{ID: st.ID, Name: st.Name, Kind: st.Kind, Lat: st.Lat, Lon: st.Lon, Collective: st.Collective})
		b := &d.Bounds
		b.South, b.North, b.West, b.East = min(b.South, st.Lat), max(b.North, st.Lat), min(b.West, st.Lon), max(b.East, st.Lon)
	}
	if len(d.Sites) > 0 {
		const margin = 0.03 // degrees: the streets around
		d.Bounds = mapBounds{South: d.Bounds.South - margin, West: d.Bounds.West - margin, North: d.Bounds.North + margin, East: d.Bounds.East + margin}
	}
	return d
}

func (s *Server) newCallPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	f := newForm()
	if c := r.URL.Query().Get("collective"); c != "" {
		if !auth.Allow(p, auth.WriteCollective, c) {
			return errorf(store.CodeForbidden, msgForbidden)
		}
		f.Values["collective"] = c
	}
	f.Values["headcount"] = "10"
	return s.renderNewCall(w, r, p, http.StatusOK, f)
}

func (s *Server) renderNewCall(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, f form) error {
	_, raise, err := s.myCalls(r.Context(), p)
	if err != nil {
		return err
	}
	if len(raise) == 0 {
		return errorf(store.CodeForbidden, msgForbidden)
	}
	if f.Values["collective"] == "" && len(raise) == 1 {
		f.Values["collective"] = raise[0].ID
	}
	v := callNewView{Collectives: raise, Kinds: callKinds, Form: f}
	all, _, err := s.sites(r)
	if err != nil {
		return err
	}
	v.Map = pickMap(all, raise)
	names, _, err := s.collectiveNames(r.Context())
	if err != nil {
		return err
	}
	at := map[string]int{}
	for _, st := range all {
		name := names[st.Collective]
		i, ok := at[name]
		if !ok {
			i = len(v.Groups)
			at[name] = i
			v.Groups = append(v.Groups, siteGroup{Name: name})
		}
		v.Groups[i].Sites = append(v.Groups[i].Sites, st)
	}
	return s.render(w, r, status, "call_new.html", "callpage.new.title", &v)
}

// callFields are the form's fields, and formField names the field
// next to which a problem of the API's (call.FieldError.Field) shows.
var (
	callFields = []string{"collective", "site", "cell", "kind", "headcount", "until", "until_rfc3339", "message_es", "message_en"}
	formField  = map[string]string{"message.es": "message_es", "message.en": "message_en"}
)

func (s *Server) createCallPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errorf(store.CodeInvalid, msgInvalid)
	}
	f := newForm()
	for _, k := range callFields {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	lang := s.ui.pageLang(r)
	bad := func(field, text string) {
		if _, ok := f.Errors[field]; !ok {
			f.Errors[field] = text
		}
	}
	s.placeCell(r, &f, "cell", lang)
	status := http.StatusUnprocessableEntity
	coll := f.Values["collective"]
	switch {
	case coll == "":
		bad("collective", s.ui.t(lang, "callpage.err.collective"))
	case !auth.Allow(p, auth.WriteCollective, coll):
		return errorf(store.CodeForbidden, msgForbidden)
	}
	req := call.Request{Site: f.Values["site"], Cell: strings.ToLower(f.Values["cell"]), Kind: call.Kind(f.Values["kind"]),
		Message: call.Message{ES: f.Values["message_es"], EN: f.Values["message_en"]}}
	if req.Headcount, err = strconv.Atoi(f.Values["headcount"]); err != nil && f.Values["headcount"] != "" {
		bad("headcount", s.ui.t(lang, "callpage.err.number"))
	}
	if until, ok, given := formTime(r, "until"); given {
		req.Until = until
		if !ok {
			bad("until", s.ui.t(lang, "callpage.err.time"))
		}
	}
	if f.Values["kind"] == "" {
		bad("kind", s.ui.t(lang, "callpage.err.kind"))
	}
	fieldErrors := func(errs call.Errors) {
		for _, fe := range errs {
			field := fe.Field
			if ff, ok := formField[field]; ok {
				field = ff
			}
			bad(field, strings.TrimPrefix(fe.Message(lang), fe.Field+": "))
		}
	}
	fieldErrors(req.Check(time.Now()))
	if len(f.Errors) == 0 {
		c, err := s.raiseCall(r.Context(), coll, p.Member, req)
		var ce call.Errors
		switch {
		case err == nil:
			http.Redirect(w, r, "/calls/"+c.ID, http.StatusSeeOther)
			return nil
		case errors.As(err, &ce):
			fieldErrors(ce)
		case store.ErrorCode(err) == store.CodeNotFound:
			bad("collective", s.ui.t(lang, "callpage.err.collective"))
		default:
			return err
		}
	}
	return s.renderNewCall(w, r, p, status, f)
}

// boardView is a call's board page.
type boardView struct {
	Call      callLine
	Board     *boardBody
	Max       int // the greatest count, the full length of a bar
	CanVerify bool
	CanClose  bool
	Map       *mapData
	Error     string // why the last button did nothing, in the page's language
	// Why counts, by reason, the members near the place the call has
	// not reached and the targets no notice found (whyKeys), within
	// NearKm.
	Why    []whyCount
	NearKm int
}

// whyCount is one reason a call reached no more, and how many it held
// back: Key is a word of the board's JSON (missedBody, boardBody).
type whyCount struct {
	Key string
	N   int
}

// whyCounts are the reasons of a board, in the order the page lists
// them: those of the members not reached, then those of the targets.
func whyCounts(b *boardBody) []whyCount {
	var m missedBody
	if b.Missed != nil {
		m = *b.Missed
	}
	return []whyCount{{"not_opted_in", m.NotOptedIn}, {"too_far", m.TooFar}, {"unavailable", m.Unavailable}, {"later", m.Later},
		{"no_way", b.NoWay}, {"failed", b.Failed}}
}

// placeMap is the map of a call's place: one point, the site's or the
// centre of the cell. It holds nothing about the call's members.
func placeMap(c *store.Call, label string, sites map[string]world.Site) *mapData {
	if c.Cell == "" {
		return nil // purged
	}
	pt := mapSite{ID: c.ID, Name: label, Kind: world.SiteKind("other"), Lat: c.Place.Lat, Lon: c.Place.Lon}
	if st, ok := sites[c.Site]; ok && c.Site != "" {
		pt = mapSite{ID: st.ID, Name: st.Name, Kind: st.Kind, Lat: st.Lat, Lon: st.Lon}
	}
	const margin = 0.02 // degrees, a few kilometres around
	return &mapData{Sites: []mapSite{pt}, Flows: []mapFlow{}, Coverage: []mapPlace{}, Products: map[string]mapProduct{},
		Bounds: mapBounds{South: pt.Lat - margin, West: pt.Lon - margin, North: pt.Lat + margin, East: pt.Lon + margin}}
}

func (s *Server) boardPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderBoard(w, r, http.StatusOK, "")
}

func (s *Server) renderBoard(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	c, p, err := s.callOf(r, auth.ReadCollective)
	if err != nil {
		return err
	}
	ctx := r.Context()
	_, sites, err := s.sites(r)
	if err != nil {
		return err
	}
	names, _, err := s.collectiveNames(ctx)
	if err != nil {
		return err
	}
	v := boardView{Call: s.callLine(r, c, sites, names), Error: problem}
	if v.Board, err = s.board(ctx, c.ID); err != nil {
		return err
	}
	v.Call.Status = string(v.Board.Status)
	v.Why, v.NearKm = whyCounts(v.Board), call.NearKm
	v.Max = max(1, v.Board.Targeted, c.Headcount)
	live := v.Board.Status == call.Unverified || v.Board.Status == call.Open
	write := auth.Allow(p, auth.WriteCollective, c.Collective)
	v.CanVerify = write && v.Board.Status == call.Unverified && c.Author != p.Member
	v.CanClose = write && live
	v.Map = placeMap(c, v.Call.Place, sites)
	return s.render(w, r, status, "call_board.html", "callpage.board.title", &v)
}

func (s *Server) verifyCallPage(w http.ResponseWriter, r *http.Request) error {
	c, p, err := s.callOf(r, auth.WriteCollective)
	if err != nil {
		return err
	}
	_, err = s.store.VerifyCall(r.Context(), c.ID, p.Member, time.Now())
	if err == nil {
		s.log.Info("call verified", "call", c.ID)
		s.calls.touch()
		s.calls.poke()
	}
	return s.afterButton(w, r, c.ID, err)
}

func (s *Server) closeCallPage(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.callOf(r, auth.WriteCollective)
	if err != nil {
		return err
	}
	_, err = s.store.CloseCall(r.Context(), c.ID, time.Now())
	if err == nil {
		s.log.Info("call closed", "call", c.ID)
		s.calls.touch()
	}
	return s.afterButton(w, r, c.ID, err)
}

// afterButton sends the browser back to the board after a button did
// its work, or shows the board with why it could not.
func (s *Server) afterButton(w http.ResponseWriter, r *http.Request, id string, err error) error {
	lang := s.ui.pageLang(r)
	switch {
	case err == nil:
		http.Redirect(w, r, "/calls/"+id, http.StatusSeeOther)
		return nil
	case errors.Is(err, call.ErrOwnCall):
		return s.renderBoard(w, r, http.StatusForbidden, s.ui.t(lang, "callpage.err.own"))
	case errors.Is(err, call.ErrNotVerify), errors.Is(err, call.ErrNotOpen):
		return s.renderBoard(w, r, http.StatusConflict, s.ui.t(lang, "callpage.err.over"))
	}
	return err
}

// callCard is an open call on a member's page: what it is, how many are
// coming (never who), and the member's signed link to answer it.
type callCard struct {
	Kind, Message, Place string
	Until                template.HTML // timeHTML
	Headcount, Coming    int
	Answer               string // a catalog key, "" before any answer
	Token                string
}

// meCalls fills the member's page with the open calls that reached
// them, and for a coordinator the number of calls waiting for them to
// verify.
func (s *Server) meCalls(r *http.Request, p auth.Principal) ([]callCard, int, error) {
	ctx := r.Context()
	cards, err := s.reachedCalls(r, p)
	if err != nil {
		return nil, 0, err
	}
	if len(p.Coordinates) == 0 && !auth.Allow(p, auth.WriteAll, "") {
		return cards, 0, nil
	}
	mine, _, err := s.myCalls(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	return cards, waiting(p, mine), nil
}

// reachedCalls are the cards of the open calls that reached the
// reader: those whose notice was sent them, or which no channel could
// bring them and which they see here (store.NotifiedOpenCalls).
func (s *Server) reachedCalls(r *http.Request, p auth.Principal) ([]callCard, error) {
	ctx := r.Context()
	calls, err := s.store.NotifiedOpenCalls(ctx, p.Member)
	if err != nil || len(calls) == 0 {
		return nil, err
	}
	key, err := s.linkKey()
	if err != nil {
		return nil, err
	}
	_, sites, err := s.sites(r)
	if err != nil {
		return nil, err
	}
	var cards []callCard
	for _, c := range calls {
		cc, err := s.store.CallCounts(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		a, err := s.store.MemberAnswer(ctx, c.ID, p.Member)
		if err != nil {
			return nil, err
		}
		card := callCard{Kind: kindKeys[c.Kind], Message: c.Message.For(s.ui.pageLang(r)), Place: c.Cell,
			Until: timeHTML(c.Until), Headcount: c.Headcount, Coming: cc.Coming,
			Answer: answerKeys[a], Token: call.SignLink(key, c.ID, p.Member)}
		if c.Site != "" {
			card.Place = siteName(sites, c.Site)
		}
		cards = append(cards, card)
	}
	return cards, nil
}
