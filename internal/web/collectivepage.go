package web

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// A collective's page, for its coordinators and organizers: how the
// latest plan covers its members' needs, tier by tier; what falls short
// and why, in the reader's language; the hours its members commit
// against those assigned; the plan on the map; its members (aliases
// only; every look at the list is written to the audit log); and
// invites.

func (s *Server) collectivePageRoutes() []route {
	return []route{
		{pattern: "GET /collectives/{id}", action: auth.ReadCollective, collective: "id", page: true, h: s.collectivePage},
		{pattern: "POST /collectives/{id}/invites", action: auth.WriteCollective, collective: "id", page: true, h: s.invitePage},
		{pattern: "POST /collectives/{id}/runs", action: auth.WriteCollective, collective: "id", page: true, h: s.startRunPage},
		{pattern: "GET /collectives/{id}/runs/{run}", action: auth.ReadCollective, collective: "id", page: true, h: s.runPage},
	}
}

// collectiveView is what the page shows.
type collectiveView struct {
	Collective *store.Collective
	Coverage   *store.Coverage // nil before any plan
	Tiers      []tierView
	Products   map[string]world.Product
	Catalog    *store.Catalog
	Members    []store.Membership
	More       string // the cursor of the next page of members
	Map        *mapData
	Invite     *inviteBody   // the invite just made, with its code
	QR         template.HTML // its QR code
	Form       form
	// Running is the planning run under way, 0 if none.
	Running int64
	// Values are the labour values of the plan: hours embodied in a
	// unit of each product, through the recipes in use.
	Values []laborValue
	// Labour is the balance of hours by skill: offered by the
	// collective's members against assigned to them.
	Labour []skillBalance
}

type laborValue struct {
	Product world.Product
	Hours   float64
}

// tierView is one tier's line: its name and coverage.
type tierView struct {
	Tier world.Tier
	store.TierCoverage
}

func (s *Server) collectivePage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCollective(w, r, http.StatusOK, &collectiveView{Form: newForm()})
}

func (s *Server) renderCollective(w http.ResponseWriter, r *http.Request, status int, v *collectiveView) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	if v.Collective, err = s.store.Collective(ctx, id); err != nil {
		return err
	}
	cov, err := s.store.Coverage(ctx, id)
	switch {
	case errors.Is(err, store.ErrNoPlanDone):
	case err != nil:
		return err
	default:
		v.Coverage = cov
		for _, t := range world.Tiers {
			v.Tiers = append(v.Tiers, tierView{Tier: t, TierCoverage: cov.Tiers[t]})
		}
	}
	cat, err := s.store.Catalog(ctx)
	if err != nil {
		return err
	}
	v.Catalog, v.Products = cat, map[string]world.Product{}
	for _, pr := range cat.Products {
		v.Products[pr.ID] = pr
	}
	if v.Coverage != nil {
		run, err := s.store.PlanRun(ctx, v.Coverage.PlanRun)
		if err != nil {
			return err
		}
		pl, err := plan.Read(bytes.NewReader(run.Plan))
		if err != nil {
			return err
		}
		wd, err := s.store.World(ctx)
		if err != nil {
			return err
		}
		m := mapView(wd, pl, id)
		v.Map = &m
		v.Labour = labourBalance(wd, pl, id)
		for _, pr := range cat.Products {
			if h, ok := pl.LaborValues[pr.ID]; ok {
				v.Values = append(v.Values, laborValue{Product: pr, Hours: h})
			}
		}
	}
	// The members' list is read: that is written down first.
	if err := s.store.Audit(ctx, p.Member, store.AuditListMembers, id); err != nil {
		return err
	}
	after := r.URL.Query().Get("after")
	if v.Members, v.More, err = s.store.CollectiveMembers(ctx, id, after, store.DefaultLimit); err != nil {
		if _, ok := asInvalid(err); ok {
			return errorf(store.CodeInvalid, msgInvalid)
		}
		return err
	}
	v.Running = s.activeRun()
	return s.render(w, r, status, "collective.html", "collective.title", v)
}

// invitePage makes an invite from the page's form (max_uses,
// expires_in_hours) and shows the page with its link and QR code, once.
func (s *Server) invitePage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	v := &collectiveView{Form: newForm()}
	v.Form.Values["max_uses"], v.Form.Values["expires_in_hours"] = r.PostFormValue("max_uses"), r.PostFormValue("expires_in_hours")
	lang := s.ui.pageLang(r)
	uses, err := strconv.Atoi(v.Form.Values["max_uses"])
	if err != nil || uses < 1 || uses > store.MaxInviteUses {
		v.Form.Errors["max_uses"] = s.ui.t(lang, "invite.uses.bad", store.MaxInviteUses)
	}
	maxHours := int(store.MaxInviteLifetime.Hours())
	hours, err := strconv.Atoi(v.Form.Values["expires_in_hours"])
	if err != nil || hours < 1 || hours > maxHours {
		v.Form.Errors["expires_in_hours"] = s.ui.t(lang, "invite.hours.bad", maxHours)
	}
	if len(v.Form.Errors) > 0 {
		return s.renderCollective(w, r, http.StatusUnprocessableEntity, v)
	}
	code := auth.NewInvite()
	inv, err := s.store.CreateInvite(r.Context(), store.Invite{
		Collective: r.PathValue("id"), Role: store.RoleMember, CodeHash: auth.Hash(code), CreatedBy: p.Member,
		Expires: time.Now().Add(time.Duration(hours) * time.Hour), MaxUses: uses,
	})
	if err != nil {
		return err
	}
	out := inviteOf(*inv)
	out.Code, out.URL = code, s.publicURL(r)+"/join/"+code
	svg, err := qrSVG(out.URL)
	if err != nil {
		return err
	}
	// The SVG is ours, made from the URL by qrSVG: paths and numbers.
	v.Invite, v.QR = &out, template.HTML(svg)
	return s.renderCollective(w, r, http.StatusCreated, v)
}

// startRunPage starts a planning run of the whole world from a
// collective's page, and shows its progress: a coordinator may plan
// again when their members' needs have changed. One run at a time: if
// one is under way, its progress is shown instead.
func (s *Server) startRunPage(w http.ResponseWriter, r *http.Request) error {
	id, err := s.startRun(r)
	if store.ErrorCode(err) == store.CodeConflict {
		id, err = s.activeRun(), nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/collectives/"+r.PathValue("id")+"/runs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// runView is the page of a run under way or over.
type runView struct {
	Collective string
	Run        *store.PlanRun
	Percent    int
}

// runPage shows a run's progress; the page's script follows it without
// reloading, and a browser without scripts reloads every few seconds.
func (s *Server) runPage(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("run"), 10, 64)
	if err != nil || id <= 0 {
		return errorf(store.CodeNotFound, msgNotFound)
	}
	run, err := s.store.PlanRun(r.Context(), id)
	if err != nil {
		return err
	}
	run.Plan = nil // the page needs only how it goes
	run.Error = runError(langOf(s.ui.pageLang(r)), run.Error)
	return s.render(w, r, http.StatusOK, "run.html", "run.title",
		&runView{Collective: r.PathValue("id"), Run: run, Percent: int(100 * run.Progress)})
}

// collectivesView lists collectives with how the latest plan covers
// their members' essential and basic needs.
type collectivesView struct {
	Rows    []collectiveRow
	Planned bool // a plan is done
}

type collectiveRow struct {
	Collective store.Collective
	Members    int
	Tiers      []tierBar // essential, basic, wanted; none before any plan
}

// tierBar is a tier's coverage as a bar: what is met of what is
// needed, and the share met in percent (100 when nothing is needed).
type tierBar struct {
	Tier world.Tier
	store.TierCoverage
	Pct float64
}

// collectivesPage is the organizer's view of every collective, and a
// coordinator's of theirs: coverage by collective and tier, at a glance,
// from one reading of the plan.
func (s *Server) collectivesPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var mine []store.Collective
	var ids []string
	for after := ""; ; {
		page, next, err := s.store.Collectives(ctx, after, store.MaxLimit)
		if err != nil {
			return err
		}
		for _, c := range page {
			if auth.Allow(p, auth.ReadCollective, c.ID) {
				mine, ids = append(mine, c), append(ids, c.ID)
			}
		}
		if after = next; after == "" {
			break
		}
	}
	covs, err := s.store.Coverages(ctx, ids)
	if err != nil && !errors.Is(err, store.ErrNoPlanDone) {
		return err
	}
	v := collectivesView{Planned: err == nil}
	for _, c := range mine {
		row := collectiveRow{Collective: c}
		if cov := covs[c.ID]; cov != nil {
			row.Members = cov.Members
			for _, t := range world.Tiers {
				tc := cov.Tiers[t]
				b := tierBar{Tier: t, TierCoverage: tc, Pct: 100}
				if tc.Needed > 0 {
					b.Pct = 100 * min(tc.Met/tc.Needed, 1)
				}
				row.Tiers = append(row.Tiers, b)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	return s.render(w, r, http.StatusOK, "collectives.html", "collectives.title", &v)
}
