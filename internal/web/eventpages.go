package web

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// The events' pages: the upcoming events of the reader's collectives;
// an event with the reader's answer, their contingent's meeting point
// and the counts per collective; the form of a new event, for
// coordinators and organizers; a contingent's page for its coordinators,
// with the names of who answered (audited), its meeting point and the
// QR code members scan to check in; and the page that code opens.
//
// Times are written and read in UTC, said so next to each field.

func (s *Server) eventPageRoutes() []route {
	return []route{
		{pattern: "GET /events", action: auth.ReadSelf, page: true, h: s.eventsPage},
		{pattern: "GET /events/new", action: auth.ReadSelf, page: true, h: s.newEventPage},
		{pattern: "POST /events/new", action: auth.WriteSelf, page: true, h: s.createEventPage},
		{pattern: "GET /events/{id}", action: auth.ReadSelf, page: true, h: s.eventPage},
		{pattern: "POST /events/{id}/rsvp", action: auth.WriteSelf, page: true, h: s.rsvpPage},
		{pattern: "GET /events/{id}/contingents/{collective}", action: auth.ReadCollective, collective: "collective", page: true, h: s.contingentPage},
		{pattern: "POST /events/{id}/contingents/{collective}", action: auth.WriteCollective, collective: "collective", page: true, h: s.putContingentPage},
		{pattern: "GET /events/{id}/checkin", action: auth.ReadSelf, page: true, h: s.checkinPage},
		{pattern: "POST /events/{id}/checkin", action: auth.WriteSelf, page: true, h: s.postCheckinPage},
	}
}

// timeLayout is how the pages write a time, and datetime-local fields
// read one.
const (
	timeLayout  = "2006-01-02 15:04"
	inputLayout = "2006-01-02T15:04"
)

// eventLine is an event as a page lists or heads it, in the page's
// language.
type eventLine struct {
	ID, Title    string
	Description  []string      // its paragraphs
	Starts, Ends template.HTML // timeHTML
	Place        string        // a site's name, or a cell
	Purged       bool
}

func (s *Server) eventLine(r *http.Request, e *store.Event, sites map[string]world.Site) eventLine {
	l := eventLine{ID: e.ID, Title: e.TitleEN, Starts: timeHTML(e.Starts),
		Ends: timeHTML(e.Ends), Place: e.Cell, Purged: e.Purged}
	description := e.DescriptionEN
	if s.ui.pageLang(r) == "es" {
		l.Title, description = e.TitleES, e.DescriptionES
	}
	for _, p := range strings.Split(strings.ReplaceAll(description, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			l.Description = append(l.Description, p)
		}
	}
	if e.Site != "" {
		l.Place = siteName(sites, e.Site)
	}
	return l
}

func siteName(sites map[string]world.Site, id string) string {
	if st, ok := sites[id]; ok && st.Name != "" {
		return st.Name
	}
	return id
}

func (s *Server) sites(r *http.Request) ([]world.Site, map[string]world.Site, error) {
	cat, err := s.store.Catalog(r.Context())
	if err != nil {
		return nil, nil, err
	}
	m := map[string]world.Site{}
	for _, st := range cat.Sites {
		m[st.ID] = st
	}
	return cat.Sites, m, nil
}

type eventsView struct {
	Events    []eventLine
	CanCreate bool
}

// mayCreateAny reports whether p may make some event: an organizer, or
// a coordinator of some collective.
func mayCreateAny(p auth.Principal) bool {
	return auth.Allow(p, auth.WriteAll, "") || mayCreate(p, p.Coordinates)
}

func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	es, err := s.myEvents(r)
	if err != nil {
		return err
	}
	_, sites, err := s.sites(r)
	if err != nil {
		return err
	}
	v := eventsView{CanCreate: mayCreateAny(p)}
	for i := range es {
		v.Events = append(v.Events, s.eventLine(r, &es[i], sites))
	}
	return s.render(w, r, http.StatusOK, "events.html", "events.title", &v)
}

// contingentLine is a contingent as the event page shows it to the
// members of its collective.
type contingentLine struct {
	Collective, Name string
	Place, Note      string
	At               template.HTML // timeHTML, empty when not set
	Marshal          string
	Manages          bool // the reader may see the names and change it
}

type eventView struct {
	Event       eventLine
	Counts      []store.EventCount
	RSVP        *store.RSVP
	Mine        []contingentLine // the contingents of the reader's collectives
	Others      []contingentLine // the others whose names the reader may see
	Collectives []store.EventCount
	Form        form
}

func (s *Server) eventPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderEvent(w, r, http.StatusOK, newForm())
}

func (s *Server) renderEvent(w http.ResponseWriter, r *http.Request, status int, f form) error {
	a, err := s.eventFor(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	_, sites, err := s.sites(r)
	if err != nil {
		return err
	}
	v := eventView{Event: s.eventLine(r, a.event, sites), Form: f}
	if v.Counts, err = s.store.EventCounts(ctx, a.event.ID); err != nil {
		return err
	}
	if v.RSVP, err = s.store.MyRSVP(ctx, a.event.ID, a.p.Member); err != nil {
		return err
	}
	for _, c := range v.Counts {
		if !a.sees(c.Collective) {
			continue
		}
		ct, err := s.store.Contingent(ctx, a.event.ID, c.Collective)
		if err != nil {
			return err
		}
		line := contingentLine{Collective: c.Collective, Name: c.Name, Place: ct.MeetCell, Note: ct.MeetNote,
			Marshal: ct.MarshalAlias, Manages: slices.Contains(a.manages, c.Collective)}
		if ct.MeetSite != "" {
			line.Place = siteName(sites, ct.MeetSite)
		}
		if !ct.MeetAt.IsZero() {
			line.At = timeHTML(ct.MeetAt)
		}
		if slices.Contains(a.mine, c.Collective) {
			v.Mine = append(v.Mine, line)
			v.Collectives = append(v.Collectives, c)
		} else {
			v.Others = append(v.Others, line)
		}
	}
	if v.RSVP != nil && f.Values["answer"] == "" {
		v.Form.Values["answer"], v.Form.Values["collective"] = v.RSVP.Answer, v.RSVP.Collective
	}
	return s.render(w, r, status, "event.html", "events.event.title", &v)
}

func (s *Server) rsvpPage(w http.ResponseWriter, r *http.Request) error {
	a, err := s.eventFor(r)
	if err != nil {
		return err
	}
	f := newForm()
	f.Values["answer"], f.Values["collective"] = r.PostFormValue("answer"), r.PostFormValue("collective")
	lang := s.ui.pageLang(r)
	switch f.Values["answer"] {
	case store.AnswerYes, store.AnswerMaybe, store.AnswerNo:
		_, err := s.store.SetRSVP(r.Context(), a.event.ID, a.p.Member, f.Values["collective"], f.Values["answer"])
		switch {
		case errors.Is(err, store.ErrNotInvited):
			f.Errors["answer"] = s.ui.t(lang, "events.err.notinvited")
		case errors.Is(err, store.ErrEventOver):
			f.Errors["answer"] = s.ui.t(lang, "events.err.over")
		case err != nil:
			return err
		}
	default:
		f.Errors["answer"] = s.ui.t(lang, "events.err.answer")
	}
	if len(f.Errors) > 0 {
		return s.renderEvent(w, r, http.StatusUnprocessableEntity, f)
	}
	http.Redirect(w, r, "/events/"+a.event.ID+"#rsvp", http.StatusSeeOther)
	return nil
}

type newEventView struct {
	Collectives []store.Collective
	Sites       []world.Site
	Form        form
	Chosen      map[string]bool
}

func (s *Server) newEventPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	if !mayCreateAny(p) {
		return errorf(store.CodeForbidden, msgForbidden)
	}
	return s.renderNewEvent(w, r, http.StatusOK, newForm(), nil)
}

func (s *Server) renderNewEvent(w http.ResponseWriter, r *http.Request, status int, f form, chosen []string) error {
	v := newEventView{Form: f, Chosen: map[string]bool{}}
	for _, c := range chosen {
		v.Chosen[c] = true
	}
	var err error
	if v.Sites, _, err = s.sites(r); err != nil {
		return err
	}
	if v.Collectives, _, err = s.store.Collectives(r.Context(), "", store.MaxLimit); err != nil {
		return err
	}
	return s.render(w, r, status, "eventnew.html", "events.new.title", &v)
}

// formTime reads the datetime-local field name of a posted form: the
// instant app.js wrote in the hidden field name_rfc3339 from the time
// typed in the reader's own time zone, or without it (scripts off) the
// field as typed, in UTC, as the form's hint says. given is false when
// both are empty.
func formTime(r *http.Request, name string) (t time.Time, ok, given bool) {
	if v := strings.TrimSpace(r.PostFormValue(name + "_rfc3339")); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		return t, err == nil, true
	}
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return time.Time{}, false, false
	}
	t, err := time.ParseInLocation(inputLayout, v, time.UTC)
	return t, err == nil, true
}

func (s *Server) createEventPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	if !mayCreateAny(p) {
		return errorf(store.CodeForbidden, msgForbidden)
	}
	if err := r.ParseForm(); err != nil {
		return errorf(store.CodeInvalid, msgInvalid)
	}
	f := newForm()
	for _, k := range []string{"title_en", "title_es", "description_en", "description_es", "starts", "ends", "site", "cell"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	chosen := r.PostForm["collectives"]
	lang := s.ui.pageLang(r)
	bad := func(field, key string) {
		if _, ok := f.Errors[field]; !ok {
			f.Errors[field] = s.ui.t(lang, key)
		}
	}
	for _, k := range []string{"title_en", "title_es"} {
		if f.Values[k] == "" {
			bad(k, "events.err.required")
		}
	}
	s.placeCell(r, &f, "cell", lang)
	starts, okStart, _ := formTime(r, "starts")
	ends, okEnd, _ := formTime(r, "ends")
	switch {
	case !okStart:
		bad("starts", "events.err.time")
	case !okEnd:
		bad("ends", "events.err.time")
	case !ends.After(starts):
		bad("ends", "events.err.ends")
	case ends.Sub(starts) > 7*24*time.Hour:
		bad("ends", "events.err.long")
	}
	switch site, cell := f.Values["site"], f.Values["cell"]; {
	case site == "" && cell == "":
		bad("cell", "events.err.place")
	case site != "" && cell != "":
		bad("cell", "events.err.both")
	case cell != "" && geo.CheckHome(cell) != nil:
		bad("cell", "events.err.cell")
	}
	status := http.StatusUnprocessableEntity
	switch {
	case len(chosen) == 0:
		bad("collectives", "events.err.collectives")
	case !mayCreate(p, chosen):
		bad("collectives", "events.err.coordinate")
		status = http.StatusForbidden
	}
	if len(f.Errors) == 0 {
		e, err := s.store.CreateEvent(r.Context(), store.Event{TitleEN: f.Values["title_en"], TitleES: f.Values["title_es"],
			DescriptionEN: f.Values["description_en"], DescriptionES: f.Values["description_es"], Starts: starts, Ends: ends,
			Site: f.Values["site"], Cell: f.Values["cell"], Collectives: chosen, CreatedBy: p.Member})
		switch code := store.ErrorCode(err); {
		case err == nil:
			http.Redirect(w, r, "/events/"+e.ID, http.StatusSeeOther)
			return nil
		case code == store.CodeInvalid || code == store.CodeNotFound:
			bad("form", "events.err.form")
		default:
			return err
		}
	}
	return s.renderNewEvent(w, r, status, f, chosen)
}

type contingentView struct {
	Event      eventLine
	Collective *store.Collective
	RSVPs      []store.RSVP
	Sites      []world.Site
	Form       form
	QR         template.HTML
	CheckinURL string
	Saved      bool
}

func (s *Server) contingentPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderContingent(w, r, http.StatusOK, nil)
}

// renderContingent shows a contingent's page: f is the form as posted,
// nil to show the contingent as stored.
func (s *Server) renderContingent(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	ctx := r.Context()
	e, err := s.store.Event(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	sites, byID, err := s.sites(r)
	if err != nil {
		return err
	}
	v := contingentView{Event: s.eventLine(r, e, byID), Sites: sites}
	if v.Collective, err = s.store.Collective(ctx, r.PathValue("collective")); err != nil {
		return err
	}
	c, rs, err := s.contingentNames(r, e.ID, v.Collective.ID)
	if err != nil {
		return err
	}
	v.RSVPs = rs
	if f == nil {
		nf := newForm()
		nf.Values["meet_site"], nf.Values["meet_cell"], nf.Values["meet_note"], nf.Values["marshal"] = c.MeetSite, c.MeetCell, c.MeetNote, c.MarshalAlias
		if !c.MeetAt.IsZero() {
			// In UTC, and the instant, which app.js shows in the
			// reader's time zone.
			nf.Values["meet_at"] = c.MeetAt.UTC().Format(inputLayout)
			nf.Values["meet_at_rfc3339"] = c.MeetAt.UTC().Format(time.RFC3339)
		}
		f, v.Saved = &nf, r.URL.Query().Get("saved") == "1"
	}
	v.Form = *f
	if !e.Purged {
		v.CheckinURL = s.checkinURL(r, e.ID)
		svg, err := qrSVG(v.CheckinURL)
		if err != nil {
			return err
		}
		// The SVG is ours, made from the URL by qrSVG: paths and numbers.
		v.QR = template.HTML(svg)
	}
	return s.render(w, r, status, "eventcontingent.html", "events.contingent.title", &v)
}

func (s *Server) putContingentPage(w http.ResponseWriter, r *http.Request) error {
	f := newForm()
	for _, k := range []string{"meet_site", "meet_cell", "meet_note", "meet_at", "marshal"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	lang := s.ui.pageLang(r)
	s.placeCell(r, &f, "meet_cell", lang)
	c := store.Contingent{Event: r.PathValue("id"), Collective: r.PathValue("collective"), MeetSite: f.Values["meet_site"],
		MeetCell: f.Values["meet_cell"], MeetNote: f.Values["meet_note"], MarshalAlias: f.Values["marshal"]}
	switch {
	case c.MeetSite != "" && c.MeetCell != "":
		f.Errors["meet_cell"] = s.ui.t(lang, "events.err.both")
	case c.MeetCell != "" && geo.CheckHome(c.MeetCell) != nil:
		f.Errors["meet_cell"] = s.ui.t(lang, "events.err.cell")
	}
	if at, ok, given := formTime(r, "meet_at"); given {
		if !ok {
			f.Errors["meet_at"] = s.ui.t(lang, "events.err.time")
		}
		c.MeetAt = at
	}
	if len([]rune(c.MeetNote)) > 200 {
		f.Errors["meet_note"] = s.ui.t(lang, "events.err.note")
	}
	if len(f.Errors) == 0 {
		_, err := s.store.SetContingent(r.Context(), c)
		var se *store.Error
		switch {
		case err == nil:
			http.Redirect(w, r, "/events/"+c.Event+"/contingents/"+c.Collective+"?saved=1", http.StatusSeeOther)
			return nil
		case errors.As(err, &se) && se.Code == store.CodeInvalid && strings.HasPrefix(se.Message, "marshal:"):
			f.Errors["marshal"] = s.ui.t(lang, "events.err.marshal")
		case errors.As(err, &se) && se.Code == store.CodeInvalid && strings.HasPrefix(se.Message, "meet_site:"):
			f.Errors["meet_site"] = s.ui.t(lang, "events.err.site")
		case errors.As(err, &se) && se.Code == store.CodeInvalid:
			f.Errors["meet_note"] = s.ui.t(lang, "events.err.note")
		default:
			return err
		}
	}
	return s.renderContingent(w, r, http.StatusUnprocessableEntity, &f)
}

type checkinView struct {
	Event eventLine
	Token string
	Valid bool
	Done  bool
	Error string
}

func (s *Server) checkinPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCheckin(w, r, http.StatusOK, r.URL.Query().Get("t"), false, "")
}

func (s *Server) renderCheckin(w http.ResponseWriter, r *http.Request, status int, token string, done bool, problem string) error {
	a, err := s.eventFor(r)
	if err != nil {
		return err
	}
	_, sites, err := s.sites(r)
	if err != nil {
		return err
	}
	v := checkinView{Event: s.eventLine(r, a.event, sites), Token: token, Valid: s.checkinValid(a.event.ID, token), Done: done, Error: problem}
	if !v.Valid && !done && problem == "" {
		v.Error = s.ui.t(s.ui.pageLang(r), "events.err.token")
	}
	return s.render(w, r, status, "eventcheckin.html", "events.checkin.title", &v)
}

func (s *Server) postCheckinPage(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("t")
	lang := s.ui.pageLang(r)
	_, err := s.checkin(r, token)
	switch code := store.ErrorCode(err); {
	case err == nil:
		return s.renderCheckin(w, r, http.StatusOK, token, true, "")
	case errors.Is(err, store.ErrNotInvited):
		return s.renderCheckin(w, r, http.StatusUnprocessableEntity, token, false, s.ui.t(lang, "events.err.notinvited"))
	case code == store.CodeConflict:
		return s.renderCheckin(w, r, http.StatusConflict, token, false, s.ui.t(lang, "events.err.closed"))
	case code == store.CodeInvalid:
		return s.renderCheckin(w, r, http.StatusUnprocessableEntity, token, false, s.ui.t(lang, "events.err.token"))
	default:
		return err
	}
}
