package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// Events (a May Day march) in the API: an event invites collectives;
// each has a contingent with a meeting point, a time and a marshal; the
// members of invited collectives answer yes, maybe or no and check in at
// the event with the QR code their coordinator shows.
//
// Anyone invited sees the counts per collective; who answered, by alias,
// only the coordinators of that collective and the organizers, and each
// such read is written to the audit log first. The routes say what
// auth.Allow checks from the path (a contingent names its collective);
// what depends on the event's invitations is checked here, still
// through auth.Allow, against each invited collective.

func (s *Server) eventRoutes() []route {
	return []route{
		{pattern: "POST /api/v1/events", action: auth.WriteSelf, h: s.createEvent},
		{pattern: "GET /api/v1/events", action: auth.ReadSelf, h: s.listEvents},
		{pattern: "GET /api/v1/events/{id}", action: auth.ReadSelf, h: s.getEvent},
		{pattern: "PUT /api/v1/events/{id}/rsvp", action: auth.WriteSelf, h: s.putRSVP},
		{pattern: "GET /api/v1/events/{id}/contingents/{collective}", action: auth.ReadCollective, collective: "collective", h: s.getContingent},
		{pattern: "PUT /api/v1/events/{id}/contingents/{collective}", action: auth.WriteCollective, collective: "collective", h: s.putContingent},
		{pattern: "GET /api/v1/events/{id}/checkin-link", action: auth.ReadSelf, h: s.getCheckinLink},
		{pattern: "POST /api/v1/events/{id}/checkin", action: auth.WriteSelf, h: s.postCheckin},
	}
}

// eventAccess is an event and what the caller may do there.
type eventAccess struct {
	p     auth.Principal
	event *store.Event
	// mine are the invited collectives the caller belongs to: they may
	// answer and check in, and see these contingents.
	mine []string
	// manages are the invited collectives whose names the caller may
	// read and whose contingents they may change.
	manages []string
}

// eventFor reads the event of the path and what the caller may do
// there; someone neither invited nor managing an invited collective is
// refused (403).
func (s *Server) eventFor(r *http.Request) (*eventAccess, error) {
	p, err := s.caller(r)
	if err != nil {
		return nil, err
	}
	a := &eventAccess{p: p}
	ctx := r.Context()
	if a.event, err = s.store.Event(ctx, r.PathValue("id")); err != nil {
		return nil, err
	}
	if a.mine, err = s.store.EventCollectivesOf(ctx, a.event.ID, p.Member); err != nil {
		return nil, err
	}
	for _, c := range a.event.Collectives {
		if auth.Allow(p, auth.ReadCollective, c) {
			a.manages = append(a.manages, c)
		}
	}
	if len(a.mine) == 0 && len(a.manages) == 0 {
		return nil, errorf(store.CodeForbidden, msgForbidden)
	}
	return a, nil
}

// sees reports whether the caller may see collective c's contingent.
func (a *eventAccess) sees(c string) bool {
	return slices.Contains(a.mine, c) || slices.Contains(a.manages, c)
}

// texts is a text in each language.
type texts struct {
	EN string `json:"en"`
	ES string `json:"es"`
}

type eventBody struct {
	ID          string           `json:"id"`
	Title       texts            `json:"title"`
	Description texts            `json:"description"`
	StartsAt    time.Time        `json:"starts_at"`
	EndsAt      time.Time        `json:"ends_at"`
	Site        string           `json:"site,omitempty"`
	Cell        string           `json:"cell,omitempty"`
	Collectives []string         `json:"collectives"`
	Purged      bool             `json:"purged"`
	Counts      []countBody      `json:"counts,omitempty"`
	RSVP        *rsvpBody        `json:"rsvp,omitempty"`
	Contingents []contingentBody `json:"contingents,omitempty"`
}

type countBody struct {
	Collective string `json:"collective"`
	Name       string `json:"name"`
	Yes        int    `json:"yes"`
	Maybe      int    `json:"maybe"`
	No         int    `json:"no"`
	CheckedIn  int    `json:"checked_in"`
}

type rsvpBody struct {
	Collective string `json:"collective"`
	Answer     string `json:"answer"`
	Alias      string `json:"alias,omitempty"`
	CheckedIn  bool   `json:"checked_in"`
}

type contingentBody struct {
	Collective string     `json:"collective"`
	MeetSite   string     `json:"meet_site,omitempty"`
	MeetCell   string     `json:"meet_cell,omitempty"`
	MeetNote   string     `json:"meet_note,omitempty"`
	MeetAt     *time.Time `json:"meet_at,omitempty"`
	Marshal    string     `json:"marshal,omitempty"` // the marshal's alias
	// RSVPs are who answered, for the collective's coordinators.
	RSVPs []rsvpBody `json:"rsvps,omitempty"`
}

func eventOf(e *store.Event) eventBody {
	return eventBody{ID: e.ID, Title: texts{e.TitleEN, e.TitleES}, Description: texts{e.DescriptionEN, e.DescriptionES},
		StartsAt: e.Starts, EndsAt: e.Ends, Site: e.Site, Cell: e.Cell, Collectives: e.Collectives, Purged: e.Purged}
}

func contingentOf(c *store.Contingent) contingentBody {
	b := contingentBody{Collective: c.Collective, MeetSite: c.MeetSite, MeetCell: c.MeetCell, MeetNote: c.MeetNote, Marshal: c.MarshalAlias}
	if !c.MeetAt.IsZero() {
		at := c.MeetAt
		b.MeetAt = &at
	}
	return b
}

// newEventBody is what POST /api/v1/events takes.
type newEventBody struct {
	Title       texts     `json:"title"`
	Description texts     `json:"description"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	Site        string    `json:"site"`
	Cell        string    `json:"cell"`
	Collectives []string  `json:"collectives"`
	// CellNotPostcode says that a cell of digits only is a cell, not a
	// postcode (cellinput.go).
	CellNotPostcode bool `json:"cell_not_postcode"`
}

// mayCreate reports whether p may make an event inviting collectives:
// an organizer, or a coordinator of one of them.
func mayCreate(p auth.Principal, collectives []string) bool {
	for _, c := range collectives {
		if auth.Allow(p, auth.WriteCollective, c) {
			return true
		}
	}
	return false
}

func (s *Server) createEvent(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	var b newEventBody
	if err := decode(r, &b); err != nil {
		return err
	}
	// Without collectives the store refuses the event as invalid.
	if len(b.Collectives) > 0 && !mayCreate(p, b.Collectives) {
		return errorf(store.CodeForbidden, msgForbidden)
	}
	var pr *problem
	if b.Cell, pr = s.apiPlaceCell("cell", b.Cell, b.CellNotPostcode); pr != nil {
		return invalid{*pr}
	}
	e, err := s.store.CreateEvent(r.Context(), store.Event{TitleEN: b.Title.EN, TitleES: b.Title.ES,
		DescriptionEN: b.Description.EN, DescriptionES: b.Description.ES, Starts: b.StartsAt, Ends: b.EndsAt,
		Site: b.Site, Cell: b.Cell, Collectives: b.Collectives, CreatedBy: p.Member})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/events/"+e.ID)
	writeJSON(w, http.StatusCreated, eventOf(e))
	return nil
}

// listEvents answers the events of the caller's collectives that have
// not ended (every event, for an organizer).
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	es, err := s.myEvents(r)
	if err != nil {
		return err
	}
	out := []eventBody{}
	for i := range es {
		out = append(out, eventOf(&es[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out})
	return nil
}

func (s *Server) myEvents(r *http.Request) ([]store.Event, error) {
	p, err := s.caller(r)
	if err != nil {
		return nil, err
	}
	member := p.Member
	if auth.Allow(p, auth.ReadAll, "") {
		member = ""
	}
	return s.store.Events(r.Context(), member, time.Now())
}

// getEvent answers the event, the counts per collective, the caller's
// answer and the contingents of their collectives, without names.
func (s *Server) getEvent(w http.ResponseWriter, r *http.Request) error {
	a, err := s.eventFor(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	b := eventOf(a.event)
	counts, err := s.store.EventCounts(ctx, a.event.ID)
	if err != nil {
		return err
	}
	for _, c := range counts {
		b.Counts = append(b.Counts, countBody{c.Collective, c.Name, c.Yes, c.Maybe, c.No, c.CheckedIn})
	}
	mine, err := s.store.MyRSVP(ctx, a.event.ID, a.p.Member)
	if err != nil {
		return err
	}
	if mine != nil {
		b.RSVP = &rsvpBody{Collective: mine.Collective, Answer: mine.Answer, CheckedIn: mine.CheckedIn}
	}
	for _, c := range a.event.Collectives {
		if !a.sees(c) {
			continue
		}
		ct, err := s.store.Contingent(ctx, a.event.ID, c)
		if err != nil {
			return err
		}
		b.Contingents = append(b.Contingents, contingentOf(ct))
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

type putRSVPBody struct {
	Answer     string `json:"answer"`
	Collective string `json:"collective"`
}

func (s *Server) putRSVP(w http.ResponseWriter, r *http.Request) error {
	a, err := s.eventFor(r)
	if err != nil {
		return err
	}
	var b putRSVPBody
	if err := decode(r, &b); err != nil {
		return err
	}
	rs, err := s.store.SetRSVP(r.Context(), a.event.ID, a.p.Member, b.Collective, b.Answer)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rsvpBody{Collective: rs.Collective, Answer: rs.Answer})
	return nil
}

// contingentNames reads a contingent and who of its collective
// answered, writing the read to the audit log first.
func (s *Server) contingentNames(r *http.Request, eventID, collective string) (*store.Contingent, []store.RSVP, error) {
	p, err := s.caller(r)
	if err != nil {
		return nil, nil, err
	}
	ctx := r.Context()
	c, err := s.store.Contingent(ctx, eventID, collective)
	if err != nil {
		return nil, nil, err
	}
	if err := s.store.Audit(ctx, p.Member, store.AuditEventRSVPs, collective); err != nil {
		return nil, nil, err
	}
	rs, err := s.store.EventRSVPs(ctx, eventID, collective)
	return c, rs, err
}

// getContingent answers a contingent with who of its collective
// answered what, by alias: for its coordinators and the organizers.
func (s *Server) getContingent(w http.ResponseWriter, r *http.Request) error {
	c, rs, err := s.contingentNames(r, r.PathValue("id"), r.PathValue("collective"))
	if err != nil {
		return err
	}
	b := contingentOf(c)
	b.RSVPs = []rsvpBody{}
	for _, x := range rs {
		b.RSVPs = append(b.RSVPs, rsvpBody{Collective: x.Collective, Answer: x.Answer, Alias: x.Alias, CheckedIn: x.CheckedIn})
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

type putContingentBody struct {
	MeetSite string     `json:"meet_site"`
	MeetCell string     `json:"meet_cell"`
	MeetNote string     `json:"meet_note"`
	MeetAt   *time.Time `json:"meet_at"`
	Marshal  string     `json:"marshal"`
	// CellNotPostcode says that a meet_cell of digits only is a cell,
	// not a postcode (cellinput.go).
	CellNotPostcode bool `json:"cell_not_postcode"`
}

func (s *Server) putContingent(w http.ResponseWriter, r *http.Request) error {
	var b putContingentBody
	if err := decode(r, &b); err != nil {
		return err
	}
	var pr *problem
	if b.MeetCell, pr = s.apiPlaceCell("meet_cell", b.MeetCell, b.CellNotPostcode); pr != nil {
		return invalid{*pr}
	}
	c := store.Contingent{Event: r.PathValue("id"), Collective: r.PathValue("collective"),
		MeetSite: b.MeetSite, MeetCell: b.MeetCell, MeetNote: b.MeetNote, MarshalAlias: b.Marshal}
	if b.MeetAt != nil {
		c.MeetAt = *b.MeetAt
	}
	out, err := s.store.SetContingent(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contingentOf(out))
	return nil
}

// The check-in link: the coordinator's page shows it as a QR code;
// a member scans it and, signed in, checks in. It carries an HMAC of
// the event's id under a key derived from the store's (store.Key), so
// that only someone shown the code can check in, and nobody can make
// one for another event. It holds no member and no collective: each
// member checks in as themselves, for their own collective.

const checkinVersion = "k1"

func checkinMAC(key []byte, payload string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("commune event check-in/v1\x00"))
	h.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

func (s *Server) checkinToken(eventID string) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(eventID))
	return checkinVersion + "." + payload + "." + checkinMAC(s.store.Key("event-checkin"), payload)
}

// checkinValid reports whether token is the check-in token of eventID.
func (s *Server) checkinValid(eventID, token string) bool {
	version, rest, ok := strings.Cut(token, ".")
	if !ok || version != checkinVersion {
		return false
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(checkinMAC(s.store.Key("event-checkin"), payload))) {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	return err == nil && string(raw) == eventID
}

// checkinURL is the link the QR code holds.
func (s *Server) checkinURL(r *http.Request, eventID string) string {
	return s.publicURL(r) + "/events/" + eventID + "/checkin?t=" + s.checkinToken(eventID)
}

// getCheckinLink answers the check-in link and its QR code, to whoever
// coordinates an invited collective, and to organizers.
func (s *Server) getCheckinLink(w http.ResponseWriter, r *http.Request) error {
	a, err := s.eventFor(r)
	if err != nil {
		return err
	}
	if len(a.manages) == 0 {
		return errorf(store.CodeForbidden, msgForbidden)
	}
	u := s.checkinURL(r, a.event.ID)
	svg, err := qrSVG(u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": u, "qr_svg": svg})
	return nil
}

// checkin checks the caller in with the token of the QR code.
func (s *Server) checkin(r *http.Request, token string) (string, error) {
	a, err := s.eventFor(r)
	if err != nil {
		return "", err
	}
	if !s.checkinValid(a.event.ID, token) {
		return "", &store.Error{Code: store.CodeInvalid, Message: "token: not the check-in code of this event"}
	}
	return s.store.CheckIn(r.Context(), a.event.ID, a.p.Member)
}

func (s *Server) postCheckin(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Token string `json:"token"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	c, err := s.checkin(r, b.Token)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"checked_in": true, "collective": c})
	return nil
}

// myEventBody is what an event holds about the caller, in their export.
type myEventBody struct {
	Event      string `json:"event"`
	Collective string `json:"collective"`
	// Answer is yes, maybe or no; "marshal" for a contingent they lead;
	// empty for a check-in without an answer.
	Answer    string     `json:"answer"`
	Updated   *time.Time `json:"updated,omitempty"`
	CheckedIn bool       `json:"checked_in"`
}

// myEventData returns what the events hold about member, for their
// export.
func (s *Server) myEventData(r *http.Request, member string) ([]myEventBody, error) {
	rs, err := s.store.MemberEvents(r.Context(), member)
	if err != nil {
		return nil, err
	}
	out := []myEventBody{}
	for _, x := range rs {
		b := myEventBody{Event: x.Event, Collective: x.Collective, Answer: x.Answer, CheckedIn: x.CheckedIn}
		if !x.Updated.IsZero() {
			u := x.Updated
			b.Updated = &u
		}
		out = append(out, b)
	}
	return out, nil
}
