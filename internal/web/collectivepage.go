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
	}
}

// collectiveView is what the page shows.
type collectiveView struct {
	Collective *store.Collective
	Coverage   *store.Coverage // nil before any plan
	Tiers      []tierView
	Products   map[string]world.Product
	Members    []store.Membership
	More       string // the cursor of the next page of members
	Map        *mapData
	Invite     *inviteBody   // the invite just made, with its code
	QR         template.HTML // its QR code
	Form       form
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
	v.Products = map[string]world.Product{}
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
