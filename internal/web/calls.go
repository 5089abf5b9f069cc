package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/store"
)

// The API of urgent calls (issue 6): a coordinator raises a call in
// their collective, another coordinator or an organizer verifies it,
// the rings go out (callwork.go), members answer through the signed
// link of their notice or in the app, and coordinators watch the board,
// live. Members see how many are coming, never who.
//
// The collective of a call is in the request's body (creating) or in the
// call itself (the rest), not in the path: these routes let in anyone
// signed in, and the handler asks auth.Allow about the collective once
// it knows it (allowOn), so that auth.Allow stays the one place roles
// are checked.

// Messages of calls, beside messages.go's.
const (
	msgCallField      msgKey = "call-field"
	msgCallOwn        msgKey = "call-own"
	msgCallVerified   msgKey = "call-verified"
	msgCallOver       msgKey = "call-over"
	msgCallUnverified msgKey = "call-unverified"
	msgCallUntil      msgKey = "call-until"
)

func (s *Server) callRoutes() []route {
	return append(s.callSettingsRoutes(),
		route{pattern: "POST /api/v1/calls", action: auth.ReadSelf, h: s.createCall},
		route{pattern: "GET /api/v1/calls/{id}", action: auth.ReadSelf, h: s.getCall},
		route{pattern: "GET /api/v1/calls/{id}/events", action: auth.ReadSelf, h: s.callEvents},
		route{pattern: "POST /api/v1/calls/{id}/verify", action: auth.ReadSelf, h: s.verifyCall},
		route{pattern: "POST /api/v1/calls/{id}/close", action: auth.ReadSelf, h: s.closeCall},
		route{pattern: "POST /api/v1/calls/{id}/answer", action: auth.WriteSelf, h: s.answerCall},
		route{pattern: "GET /calls/answer/{token}", public: true, page: true, h: s.answerPage},
		route{pattern: "POST /calls/answer/{token}", public: true, page: true, h: s.answerPost},
	)
}

// allowOn asks auth.Allow whether the caller may do a on collective.
func (s *Server) allowOn(r *http.Request, a auth.Action, collective string) (auth.Principal, error) {
	p, err := s.principal(r)
	if err != nil {
		return p, err
	}
	if !auth.Allow(p, a, collective) {
		return p, errorf(store.CodeForbidden, msgForbidden)
	}
	return p, nil
}

// callOf reads the call of the path and checks that the caller may do a
// on its collective.
func (s *Server) callOf(r *http.Request, a auth.Action) (*store.Call, auth.Principal, error) {
	c, err := s.store.Call(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, auth.Principal{}, err
	}
	p, err := s.allowOn(r, a, c.Collective)
	if err != nil {
		return nil, p, err
	}
	return c, p, nil
}

// callProblem says an error of the life of a call, or of a call's
// request, in the caller's language.
func callProblem(r *http.Request, err error) error {
	var ce call.Errors
	switch {
	case errors.Is(err, call.ErrOwnCall):
		return errorf(store.CodeForbidden, msgCallOwn)
	case errors.Is(err, call.ErrNotVerify):
		return errorf(store.CodeConflict, msgCallVerified)
	case errors.Is(err, call.ErrNotOpen):
		return errorf(store.CodeConflict, msgCallOver)
	case errors.Is(err, call.ErrNotAnswered):
		return errorf(store.CodeConflict, msgCallUnverified)
	case errors.As(err, &ce):
		l := language(r.Header.Get("Accept-Language")).code()
		var v invalid
		for _, fe := range ce {
			v = append(v, problem{key: msgCallField, args: []any{fe.Message(l)}})
		}
		return v
	}
	return err
}

// callBody is a call as the API takes it.
type callBody struct {
	Collective string       `json:"collective"`
	Site       string       `json:"site"`
	Cell       string       `json:"cell"`
	Kind       string       `json:"kind"`
	Headcount  int          `json:"headcount"`
	Until      string       `json:"until"` // RFC 3339
	Message    call.Message `json:"message"`
	// CellNotPostcode says that a cell of digits only is a cell, not a
	// postcode (cellinput.go).
	CellNotPostcode bool `json:"cell_not_postcode"`
}

// callStatus is what creating, verifying and closing a call answer.
type callStatus struct {
	ID     string      `json:"id"`
	Status call.Status `json:"status"`
}

func (s *Server) createCall(w http.ResponseWriter, r *http.Request) error {
	var in callBody
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Collective == "" {
		return invalid{{field: "collective", key: msgFieldRequired}}
	}
	p, err := s.allowOn(r, auth.WriteCollective, in.Collective)
	if err != nil {
		return err
	}
	cell, pr := s.apiPlaceCell("cell", in.Cell, in.CellNotPostcode)
	if pr != nil {
		return invalid{*pr}
	}
	req := call.Request{Site: in.Site, Cell: strings.ToLower(cell), Kind: call.Kind(in.Kind), Headcount: in.Headcount, Message: in.Message}
	if in.Until != "" {
		if req.Until, err = time.Parse(time.RFC3339, in.Until); err != nil {
			return invalid{{field: "until", key: msgCallUntil}}
		}
	}
	c, err := s.raiseCall(r.Context(), in.Collective, p.Member, req)
	if err != nil {
		return callProblem(r, err)
	}
	writeJSON(w, http.StatusCreated, callStatus{ID: c.ID, Status: c.Status})
	return nil
}

func (s *Server) verifyCall(w http.ResponseWriter, r *http.Request) error {
	c, p, err := s.callOf(r, auth.WriteCollective)
	if err != nil {
		return err
	}
	if c, err = s.store.VerifyCall(r.Context(), c.ID, p.Member, time.Now()); err != nil {
		return callProblem(r, err)
	}
	s.log.Info("call verified", "call", c.ID)
	s.calls.touch()
	s.calls.poke() // the first ring goes out now, not at the next tick
	writeJSON(w, http.StatusOK, callStatus{ID: c.ID, Status: c.Status})
	return nil
}

func (s *Server) closeCall(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.callOf(r, auth.WriteCollective)
	if err != nil {
		return err
	}
	if c, err = s.store.CloseCall(r.Context(), c.ID, time.Now()); err != nil {
		return callProblem(r, err)
	}
	s.log.Info("call closed", "call", c.ID)
	s.calls.touch()
	writeJSON(w, http.StatusOK, callStatus{ID: c.ID, Status: c.Status})
	return nil
}

// boardBody is a call's board: its status and counts, and those of each
// ring; and why it reached no more (store.CallCounts): NoWay and Failed
// among its targets, Missed near its place (nil until the worker first
// looked for people). Counts only, never who.
type boardBody struct {
	Status call.Status `json:"status"`
	tallyBody
	Rings  []ringBody  `json:"rings"`
	NoWay  int         `json:"no_way"`
	Failed int         `json:"failed"`
	Missed *missedBody `json:"missed"`
}

// missedBody is call.Missed in the API, with the radius it counts in.
type missedBody struct {
	NearKm      int `json:"near_km"`
	NotOptedIn  int `json:"not_opted_in"`
	TooFar      int `json:"too_far"`
	Unavailable int `json:"unavailable"`
	Later       int `json:"later"`
}

type tallyBody struct {
	Targeted int `json:"targeted"`
	Notified int `json:"notified"`
	Coming   int `json:"coming"`
	Arrived  int `json:"arrived"`
	Cannot   int `json:"cannot"`
}

type ringBody struct {
	Ring int `json:"ring"`
	tallyBody
}

func tallyOf(t store.Tally) tallyBody {
	return tallyBody{Targeted: t.Targeted, Notified: t.Notified, Coming: t.Coming, Arrived: t.Arrived, Cannot: t.Cannot}
}

func (s *Server) board(ctx context.Context, id string) (*boardBody, error) {
	cc, err := s.store.CallCounts(ctx, id)
	if err != nil {
		return nil, err
	}
	b := &boardBody{Status: cc.Status, tallyBody: tallyOf(cc.Tally), Rings: []ringBody{}, NoWay: cc.NoWay, Failed: cc.Failed}
	if m := cc.Missed; m != nil {
		b.Missed = &missedBody{NearKm: call.NearKm, NotOptedIn: m.NotOptedIn, TooFar: m.TooFar, Unavailable: m.Away, Later: m.Later}
	}
	for _, rt := range cc.Rings {
		b.Rings = append(b.Rings, ringBody{Ring: rt.Ring, tallyBody: tallyOf(rt.Tally)})
	}
	return b, nil
}

func (s *Server) getCall(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.callOf(r, auth.ReadCollective)
	if err != nil {
		return err
	}
	b, err := s.board(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

// boardPoll is how often a live board looks again for changes made by
// another process (a second server, the worker of another).
const boardPoll = time.Second

// callEvents streams the board as server-sent events: an event "board"
// with the counts at once, then each time they change, until the call
// is over (the last event says so) or the client goes away.
func (s *Server) callEvents(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.callOf(r, auth.ReadCollective)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	ctx := r.Context()
	var last *boardBody
	poll := time.NewTicker(boardPoll)
	defer poll.Stop()
	for {
		changes := s.calls.changes()
		b, err := s.board(ctx, c.ID)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("call board", "call", c.ID, "err", err)
			}
			return nil // the status is sent; the stream just ends
		}
		if last == nil || !reflect.DeepEqual(*b, *last) {
			data, _ := json.Marshal(b)
			if _, err := fmt.Fprintf(w, "event: board\ndata: %s\n\n", data); err != nil {
				return nil
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
			last = b
		}
		if b.Status == call.Closed || b.Status == call.Expired {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.calls.streams.Done():
			return nil
		case <-changes:
		case <-poll.C:
		}
	}
}

// answerBody is a member's answer.
type answerBody struct {
	Answer string `json:"answer"`
}

// answerResult is what a member learns back: their answer and how many
// are coming, never who.
type answerResult struct {
	Answer call.Answer `json:"answer"`
	Coming int         `json:"coming"`
}

func (s *Server) answerCall(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	var in answerBody
	if err := decode(r, &in); err != nil {
		return err
	}
	a, err := call.ParseAnswer(in.Answer)
	if err != nil {
		return callProblem(r, call.Errors{err.(*call.FieldError)})
	}
	res, err := s.answer(r.Context(), r.PathValue("id"), p.Member, a)
	if err != nil {
		return callProblem(r, err)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// answer records member's answer to the call id and returns where they
// and the call stand.
func (s *Server) answer(ctx context.Context, id, member string, a call.Answer) (*answerResult, error) {
	changed, err := s.store.AnswerCall(ctx, id, member, a, time.Now())
	if err != nil {
		return nil, err
	}
	if changed {
		s.calls.touch()
	}
	now, err := s.store.MemberAnswer(ctx, id, member)
	if err != nil {
		return nil, err
	}
	cc, err := s.store.CallCounts(ctx, id)
	if err != nil {
		return nil, err
	}
	return &answerResult{Answer: now, Coming: cc.Coming}, nil
}
