package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
)

// A member's part of a plan is what the plan says about them and
// nothing else: the work assigned to them, and what reaches each of
// their needs or falls short of it. A plan names needs by id, so a
// member's part is read through their needs as they are now: a need
// deleted since the run is no longer theirs to read.

// myPlanBody is the caller's part of one plan.
type myPlanBody struct {
	Run         int64             `json:"run"`
	Created     time.Time         `json:"created"`
	Assignments []assignmentBody  `json:"assignments"`
	Allocations []allocationBody  `json:"allocations"`
	Shortfalls  []myShortfallBody `json:"shortfalls"`
}

// assignmentBody is work assigned to the caller: hours of a skill at a
// site.
type assignmentBody struct {
	Site  string  `json:"site"`
	Skill string  `json:"skill"`
	Hours float64 `json:"hours"`
}

// allocationBody is how much of one of the caller's needs the plan
// meets.
type allocationBody struct {
	Need string  `json:"need"`
	Qty  float64 `json:"qty"`
	// From says where it comes from: the sites that send it.
	From []fromBody `json:"from"`
}

// fromBody is how much of a need one site sends, and how far.
type fromBody struct {
	Site string  `json:"site"`
	Qty  float64 `json:"qty"`
	Km   float64 `json:"km"`
}

// myShortfallBody is how much of one of the caller's needs the plan does
// not meet, and why.
type myShortfallBody struct {
	Need    string  `json:"need"`
	Missing float64 `json:"missing"`
	Reason  string  `json:"reason"`
	// Cause is the reason as data, which pages say in the reader's
	// language.
	Cause plan.Cause `json:"cause"`
}

// part cuts the member's part out of a stored run.
func part(run *store.PlanRun, member string, needs map[string]bool) (myPlanBody, error) {
	b := myPlanBody{Run: run.ID, Created: run.Created,
		Assignments: []assignmentBody{}, Allocations: []allocationBody{}, Shortfalls: []myShortfallBody{}}
	p, err := plan.Read(bytes.NewReader(run.Plan))
	if err != nil {
		return b, fmt.Errorf("web: plan of run %d: %w", run.ID, err)
	}
	for _, a := range p.Assignments {
		if a.Member == member {
			b.Assignments = append(b.Assignments, assignmentBody{Site: a.Site, Skill: a.Skill, Hours: a.Hours})
		}
	}
	from := map[string][]fromBody{}
	for _, f := range p.Flows {
		if needs[f.ToNeed] {
			from[f.ToNeed] = append(from[f.ToNeed], fromBody{Site: f.From, Qty: f.Qty, Km: f.Km})
		}
	}
	for _, a := range p.Allocations {
		if needs[a.Need] {
			f := from[a.Need]
			if f == nil {
				f = []fromBody{}
			}
			b.Allocations = append(b.Allocations, allocationBody{Need: a.Need, Qty: a.Qty, From: f})
		}
	}
	for _, sf := range p.Shortfalls {
		if needs[sf.Need] {
			b.Shortfalls = append(b.Shortfalls, myShortfallBody{Need: sf.Need, Missing: sf.Missing, Reason: sf.Reason, Cause: sf.Cause})
		}
	}
	return b, nil
}

// needIDs returns the ids of all the member's needs.
func (s *Server) needIDs(ctx context.Context, member string) (map[string]bool, error) {
	needs, err := s.allNeeds(ctx, member)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(needs))
	for _, n := range needs {
		ids[n.ID] = true
	}
	return ids, nil
}

// getMyPlan answers the caller's part of the latest plan that is done,
// or 404 with msgNoPlan when no run is done yet.
func (s *Server) getMyPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	run, err := s.store.LatestPlan(r.Context())
	if store.ErrorCode(err) == store.CodeNotFound {
		return errorf(store.CodeNotFound, msgNoPlan)
	}
	if err != nil {
		return err
	}
	needs, err := s.needIDs(r.Context(), id)
	if err != nil {
		return err
	}
	b, err := part(run, id, needs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

// exportBody is everything the server holds about the caller.
type exportBody struct {
	Member meBody `json:"member"`
	// Commitment is null for a member who has committed nothing.
	Commitment *commitmentBody `json:"commitment"`
	Needs      []needBody      `json:"needs"`
	// Plans is the caller's part of every plan that is done, oldest
	// first.
	Plans []myPlanBody `json:"plans"`
	// Tokens are the caller's API tokens: the id of each and what it
	// lets its holder do, never the token or its hash.
	Tokens []tokenBody `json:"tokens"`
	// Articles are the articles the caller wrote, in every state.
	Articles []articleBody `json:"articles"`
	// Organizer says the caller is an organizer; Sessions and Passkeys
	// are how they are signed in (never a session's secret or a key).
	Organizer bool                `json:"organizer"`
	Sessions  []exportSessionBody `json:"sessions"`
	Passkeys  []passkeyBody       `json:"passkeys"`
	// Reads are the caller's rows of the audit log: their reads of
	// member lists and of who answered events, the API tokens they
	// revoked, and the revocations of their own tokens by others.
	Reads []auditReadBody `json:"reads"`
	// Push are the caller's Web Push subscriptions, one per browser,
	// as the browsers gave them (push.go).
	Push []pushBody `json:"push"`
	// Events are the caller's answers, check-ins and marshal roles.
	Events []myEventBody `json:"events"`
}

type exportSessionBody struct {
	Passkey bool      `json:"passkey"`
	Created time.Time `json:"created"`
	Seen    time.Time `json:"seen"`
	Expires time.Time `json:"expires"`
}

type passkeyBody struct {
	Created      time.Time `json:"created"`
	CloneWarning bool      `json:"clone_warning"`
}

type auditReadBody struct {
	Action     string `json:"action"`
	Collective string `json:"collective"`
	Token      string `json:"token,omitempty"` // the id of the token revoked
	// By is who did it when not the caller (an organizer who revoked
	// the caller's token): the first 8 digits of their pseudonym, as
	// the organizers' page of the log shows them, or "cli" for the
	// command line; never an alias or an id.
	By string    `json:"by,omitempty"`
	At time.Time `json:"at"`
}

// getMyExport answers everything about the caller, for them to take
// away: their account with the contact opened, their collectives,
// commitment, needs and API tokens, and their part of every stored
// plan.
func (s *Server) getMyExport(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	e, err := s.store.Export(ctx, id)
	if err != nil {
		return err
	}
	b := exportBody{Member: newMeBody(e.Member, e.Memberships), Needs: []needBody{}, Plans: []myPlanBody{}}
	if b.Member.EmailToConfirm, _, err = s.store.EmailToConfirm(ctx, id, s.login.now()); err != nil {
		return err
	}
	if e.Commitment != nil {
		c := newCommitmentBody(*e.Commitment)
		b.Commitment = &c
	}
	needs := make(map[string]bool)
	for _, n := range e.Needs {
		b.Needs = append(b.Needs, newNeedBody(n))
		needs[n.ID] = true
	}
	runs, err := s.store.DonePlanRuns(ctx)
	if err != nil {
		return err
	}
	for _, rid := range runs {
		run, err := s.store.PlanRun(ctx, rid)
		if err != nil {
			return err
		}
		p, err := part(run, id, needs)
		if err != nil {
			return err
		}
		b.Plans = append(b.Plans, p)
	}
	arts, err := s.store.Articles(ctx, store.ArticleFilter{Author: id, Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	b.Articles = authorArticleBodies(id, arts)
	if b.Tokens, err = s.myTokens(r, id); err != nil {
		return err
	}
	si, err := s.store.SignIns(ctx, id)
	if err != nil {
		return err
	}
	b.Organizer, b.Sessions, b.Passkeys = si.Organizer, []exportSessionBody{}, []passkeyBody{}
	for _, ss := range si.Sessions {
		b.Sessions = append(b.Sessions, exportSessionBody{Passkey: ss.Passkey, Created: ss.Created, Seen: ss.Seen, Expires: ss.Expires})
	}
	for _, c := range si.Passkeys {
		b.Passkeys = append(b.Passkeys, passkeyBody{Created: c.Created, CloneWarning: c.CloneWarning})
	}
	// The caller's rows of the log: those they did, and those done to
	// them (their tokens revoked by someone else). Of another member,
	// a row of the first kind says nothing (a token is named by its
	// id, not by whose it was), and one of the second names the actor
	// by a short pseudonym.
	b.Reads = []auditReadBody{}
	self := s.store.Pseudonym(id)
	for after := ""; ; {
		entries, next, err := s.store.AuditLog(ctx, store.AuditFilter{Person: self}, after, store.MaxLimit)
		if err != nil {
			return err
		}
		for _, a := range entries {
			rd := auditReadBody{Action: a.Action, Collective: a.Collective, Token: a.Token, At: a.At}
			if a.Actor != self {
				rd.By = shortPseudonym(a.Actor)
			}
			b.Reads = append(b.Reads, rd)
		}
		if after = next; after == "" {
			break
		}
	}
	if b.Push, err = s.myPush(r); err != nil {
		return err
	}
	if b.Events, err = s.myEventData(r, id); err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="commune-export.json"`)
	writeJSON(w, http.StatusOK, b)
	return nil
}
