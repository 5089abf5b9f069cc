package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// What coordinators and organizers look at rather than change: a
// collective's coverage by the latest plan, and the audit log of who read
// which member list and who revoked which API token.

// msgNoPlanDone: coverage asked for before any planning run is done.
const msgNoPlanDone = msgKey("no-plan-done")

// coverageBody is what GET /api/v1/collectives/{id}/coverage answers.
type coverageBody struct {
	PlanRun        int64                       `json:"plan_run"`
	Members        int                         `json:"members"`
	Tiers          map[world.Tier]tierCoverage `json:"tiers"`
	UnplannedNeeds int                         `json:"unplanned_needs"`
	Shortfalls     []shortfallBody             `json:"shortfalls"`
	Labor          laborBody                   `json:"labor"`
}

type tierCoverage struct {
	Needs       int     `json:"needs"`
	Needed      float64 `json:"needed"`
	Met         float64 `json:"met"`
	MinCoverage float64 `json:"min_coverage"`
}

// shortfallBody names a need and its product, not its member: a
// coordinator acts on causes, and needs such as clinic visits are no one
// else's business.
type shortfallBody struct {
	Need    string     `json:"need"`
	Product string     `json:"product"`
	Tier    world.Tier `json:"tier"`
	Qty     float64    `json:"qty"`
	Missing float64    `json:"missing"`
	Reason  string     `json:"reason"`
	Cause   plan.Cause `json:"cause"`
}

type laborBody struct {
	CommittedHours float64 `json:"committed_hours"`
	AssignedHours  float64 `json:"assigned_hours"`
}

// getCoverage answers how the latest done plan covers the needs of the
// collective's members, tier by tier, what falls short and why, and the
// hours they committed against those assigned.
func (s *Server) getCoverage(w http.ResponseWriter, r *http.Request) error {
	cov, err := s.store.Coverage(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNoPlanDone) {
		return errorf(store.CodeNotFound, msgNoPlanDone)
	}
	if err != nil {
		return err
	}
	out := coverageBody{PlanRun: cov.PlanRun, Members: cov.Members, Tiers: map[world.Tier]tierCoverage{},
		UnplannedNeeds: cov.Unplanned, Shortfalls: []shortfallBody{},
		Labor: laborBody{CommittedHours: cov.CommittedHours, AssignedHours: cov.AssignedHours}}
	for t, tc := range cov.Tiers {
		out.Tiers[t] = tierCoverage(tc)
	}
	for _, sf := range cov.Shortfalls {
		out.Shortfalls = append(out.Shortfalls, shortfallBody{Need: sf.Need, Product: sf.Product, Tier: sf.Tier,
			Qty: sf.Qty, Missing: sf.Missing, Reason: sf.Reason, Cause: sf.Cause})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// auditBody is a row of the audit log: the actor is a pseudonym (see
// store/audit.go) or "cli", and so is the subject, whose token a
// revocation ended.
type auditBody struct {
	ID         int64     `json:"id"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	Collective string    `json:"collective"`
	Subject    string    `json:"subject,omitempty"`
	Token      string    `json:"token,omitempty"`
	PlanRun    int64     `json:"plan_run,omitempty"`
	At         time.Time `json:"at"`
}

// listAudit answers a page of the audit log, newest first, optionally
// only the rows of ?member= (by their pseudonym), ?collective=,
// ?subject= (the revocations of a member's tokens), ?action=, or
// ?person= (a pseudonym, or its first 8 digits or more, as actor or as
// subject: what the page of the log takes, and the codes it shows).
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	es, next, err := s.store.AuditLog(r.Context(), store.AuditFilter{Member: q.Get("member"), Collective: q.Get("collective"), Subject: q.Get("subject"),
		Action: q.Get("action"), Person: q.Get("person")}, after, limit)
	if err != nil {
		return err
	}
	out := make([]auditBody, len(es))
	for i, e := range es {
		out[i] = auditBody{ID: e.ID, Actor: e.Actor, Action: e.Action, Collective: e.Collective,
			Subject: e.Subject, Token: e.Token, PlanRun: e.PlanRun, At: e.At}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out, "next": next})
	return nil
}
