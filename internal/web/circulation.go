package web

import (
	"bytes"
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// The newspaper's circulation and the organization's growth (issue 7):
// how many copies the plan sends each collective and from which press,
// who works the presses; the copies collectives record they received
// and handed out, week by week, beside their members; and, for
// organizers, members by collective and by kind of collective over
// time. Counts, except the presses' workers, whose aliases only those
// who may read the press's collective see, each look written to the
// audit log.

// newspaper is the product whose copies the pages follow.
const newspaper = "newspaper"

// chartWeeks is how many weeks the charts show, up to this one.
const chartWeeks = 12

func (s *Server) circulationRoutes() []route {
	return []route{
		{pattern: "GET /circulation", action: auth.ReadSelf, page: true, h: s.circulationPage},
		{pattern: "POST /collectives/{id}/circulation", action: auth.WriteCollective, collective: "id", page: true, h: s.recordCirculationPage},
		{pattern: "GET /growth", action: auth.ReadAll, page: true, h: s.growthPage},
	}
}

// circulationView is what /circulation shows.
type circulationView struct {
	Planned []plannedCopies // nil before any plan
	Presses []pressView
	Run     int64
	Records []collectiveRecords
	Chart   *lineChart
	// Mine are the collectives the caller may record for, each with its
	// form; Form is the one just sent, for the collective FormFor.
	Mine    []store.Collective
	Form    form
	FormFor string
	Week    string // this week
}

// plannedCopies is what the plan sends one collective.
type plannedCopies struct {
	Collective store.Collective
	Needed     float64
	Planned    float64
	From       []string // the names of the sites they come from
}

// pressView is a site that prints the paper in the plan: copies, and
// the hours of its workers (their aliases when the reader may see them).
type pressView struct {
	Site    world.Site
	Copies  float64
	Workers int
	Hours   float64
	Aliases []string
}

// collectiveRecords is a collective's records, newest first.
type collectiveRecords struct {
	Collective store.Collective
	Rows       []recordRow
}

type recordRow struct {
	store.CirculationRecord
	Members int // the collective's size that week, 0 if not noted
}

func (s *Server) circulationPage(w http.ResponseWriter, r *http.Request) error {
	v := &circulationView{Form: newForm()}
	return s.renderCirculation(w, r, http.StatusOK, v)
}

// visibleCollectives are the collectives p reads the circulation of: the
// ones they belong to or may read, and those they may record for.
func (s *Server) visibleCollectives(r *http.Request, p auth.Principal) (all map[string]store.Collective, seen, mine []store.Collective, err error) {
	ctx := r.Context()
	all = map[string]store.Collective{}
	member := map[string]bool{}
	if prof, err := s.store.Profile(ctx, p.Member); err == nil {
		for _, m := range prof.Memberships {
			member[m.CollectiveID] = true
		}
	} else if store.ErrorCode(err) != store.CodeNotFound {
		return nil, nil, nil, err
	}
	for after := ""; ; {
		page, next, err := s.store.Collectives(ctx, after, store.MaxLimit)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, c := range page {
			all[c.ID] = c
			if member[c.ID] || auth.Allow(p, auth.ReadCollective, c.ID) {
				seen = append(seen, c)
			}
			if auth.Allow(p, auth.WriteCollective, c.ID) {
				mine = append(mine, c)
			}
		}
		if after = next; after == "" {
			break
		}
	}
	return all, seen, mine, nil
}

func (s *Server) renderCirculation(w http.ResponseWriter, r *http.Request, status int, v *circulationView) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	lang := s.ui.pageLang(r)
	now := time.Now()
	v.Week = store.Week(now)
	all, seen, mine, err := s.visibleCollectives(r, p)
	if err != nil {
		return err
	}
	v.Mine = mine
	ids := map[string]bool{}
	for _, c := range seen {
		ids[c.ID] = true
	}

	// The plan: copies per collective, the presses and their workers.
	run, err := s.store.LatestPlan(ctx)
	switch {
	case store.ErrorCode(err) == store.CodeNotFound:
	case err != nil:
		return err
	default:
		pl, err := plan.Read(bytes.NewReader(run.Plan))
		if err != nil {
			return err
		}
		wd, err := s.store.World(ctx)
		if err != nil {
			return err
		}
		v.Run = run.ID
		if err := s.newspaperPlan(r, p, v, wd, pl, all, ids); err != nil {
			return err
		}
	}

	// The records, and the sizes of the same weeks.
	recs, err := s.store.Circulation(ctx)
	if err != nil {
		return err
	}
	sizes, err := s.store.Sizes(ctx)
	if err != nil {
		return err
	}
	size := map[[2]string]int{}
	for _, z := range sizes {
		size[[2]string{z.Collective, z.Week}] = z.Members
	}
	by := map[string]*collectiveRecords{}
	received, handed, members := map[string]float64{}, map[string]float64{}, map[string]float64{}
	weeks := lastWeeks(now, chartWeeks)
	for _, rec := range recs {
		if !ids[rec.Collective] {
			continue
		}
		cr := by[rec.Collective]
		if cr == nil {
			cr = &collectiveRecords{Collective: all[rec.Collective]}
			by[rec.Collective] = cr
		}
		cr.Rows = append(cr.Rows, recordRow{CirculationRecord: rec, Members: size[[2]string{rec.Collective, rec.Week}]})
		received[rec.Week] += float64(rec.Received)
		handed[rec.Week] += float64(rec.HandedOut)
	}
	for _, z := range sizes {
		if ids[z.Collective] {
			members[z.Week] += float64(z.Members)
		}
	}
	for _, c := range seen {
		if cr := by[c.ID]; cr != nil {
			slices.Reverse(cr.Rows)
			v.Records = append(v.Records, *cr)
		}
	}
	names := []string{s.ui.t(lang, "circulation.received"), s.ui.t(lang, "circulation.handed"), s.ui.t(lang, "circulation.members")}
	series := map[string]map[string]float64{names[0]: received, names[1]: handed, names[2]: members}
	if len(received)+len(members) > 0 {
		v.Chart = newLineChart("chart-circulation", s.ui.t(lang, "circulation.chart"), s.ui.t(lang, "chart.week"), weeks, names, series)
	}
	if v.FormFor == "" {
		v.Form.Values["week"] = v.Week
	}
	return s.render(w, r, status, "circulation.html", "circulation.title", v)
}

// newspaperPlan fills v with what plan pl of world wd does with the
// paper: the copies of each collective in ids, and every press.
func (s *Server) newspaperPlan(r *http.Request, p auth.Principal, v *circulationView, wd *world.World, pl *plan.Plan,
	all map[string]store.Collective, ids map[string]bool) error {
	sites := map[string]world.Site{}
	for _, st := range wd.Sites {
		sites[st.ID] = st
	}
	need := map[string]world.Need{}
	for _, n := range wd.Needs {
		if n.Product == newspaper && n.Site != "" {
			need[n.ID] = n
		}
	}
	planned := map[string]*plannedCopies{}
	get := func(c string) *plannedCopies {
		if planned[c] == nil {
			planned[c] = &plannedCopies{Collective: all[c]}
		}
		return planned[c]
	}
	for _, n := range need {
		if c := sites[n.Site].Collective; ids[c] {
			get(c).Needed += n.Qty
		}
	}
	for _, a := range pl.Allocations {
		if n, ok := need[a.Need]; ok {
			if c := sites[n.Site].Collective; ids[c] {
				get(c).Planned += a.Qty
			}
		}
	}
	for _, f := range pl.Flows {
		if n, ok := need[f.ToNeed]; ok && shows(f.Qty) {
			if c := sites[n.Site].Collective; ids[c] {
				pc := get(c)
				name := cmp.Or(sites[f.From].Name, f.From)
				if !slices.Contains(pc.From, name) {
					pc.From = append(pc.From, name)
				}
			}
		}
	}
	for _, pc := range planned {
		v.Planned = append(v.Planned, *pc)
	}
	slices.SortFunc(v.Planned, func(a, b plannedCopies) int { return strings.Compare(a.Collective.Name, b.Collective.Name) })

	// The presses: sites whose recipes in use make the paper.
	copies := map[string]float64{}
	skills := map[string][]string{}
	for _, rc := range wd.Recipes {
		out := rc.Outputs[newspaper]
		if out <= 0 {
			continue
		}
		for _, prod := range pl.Production {
			if prod.Recipe == rc.ID && prod.Runs > 0 {
				copies[rc.Site] += out * prod.Runs
				for k := range rc.Labor {
					skills[rc.Site] = append(skills[rc.Site], k)
				}
			}
		}
	}
	workers := map[string]map[string]bool{}
	hours := map[string]float64{}
	for _, a := range pl.Assignments {
		if copies[a.Site] > 0 && shows(a.Hours) && slices.Contains(skills[a.Site], a.Skill) {
			if workers[a.Site] == nil {
				workers[a.Site] = map[string]bool{}
			}
			workers[a.Site][a.Member] = true
			hours[a.Site] += a.Hours
		}
	}
	for id, n := range copies {
		if !shows(n) {
			continue // the solver's trace of a run, not a press at work
		}
		pv := pressView{Site: sites[id], Copies: n, Workers: len(workers[id]), Hours: hours[id]}
		// Who works a press is a list of members: only for those who
		// may read the press's collective, and written down first.
		if c := sites[id].Collective; c != "" && auth.Allow(p, auth.ReadCollective, c) && len(workers[id]) > 0 {
			if err := s.store.Audit(r.Context(), p.Member, store.AuditListMembers, c); err != nil {
				return err
			}
			for m := range workers[id] {
				mem, err := s.store.Member(r.Context(), m)
				if store.ErrorCode(err) == store.CodeNotFound {
					continue
				}
				if err != nil {
					return err
				}
				pv.Aliases = append(pv.Aliases, mem.Alias)
			}
			slices.Sort(pv.Aliases)
		}
		v.Presses = append(v.Presses, pv)
	}
	slices.SortFunc(v.Presses, func(a, b pressView) int { return cmp.Compare(b.Copies, a.Copies) })
	return nil
}

// recordCirculationPage records a week's copies for the collective of
// the path from the page's form, and shows the page again: with what was
// typed and what is wrong next to the field, or with the record.
func (s *Server) recordCirculationPage(w http.ResponseWriter, r *http.Request) error {
	lang := s.ui.pageLang(r)
	v := &circulationView{Form: newForm(), FormFor: r.PathValue("id")}
	for _, f := range []string{"week", "received", "handed_out"} {
		v.Form.Values[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	rec := store.CirculationRecord{Collective: v.FormFor, Week: v.Form.Values["week"], Recorded: time.Now()}
	if !store.ValidWeek(rec.Week) {
		v.Form.Errors["week"] = s.ui.t(lang, "circulation.week.bad")
	}
	count := func(f string, n *int) {
		x, err := strconv.Atoi(v.Form.Values[f])
		if err != nil || x < 0 || x > store.MaxCopies {
			v.Form.Errors[f] = s.ui.t(lang, "circulation.count.bad", store.MaxCopies)
			return
		}
		*n = x
	}
	count("received", &rec.Received)
	count("handed_out", &rec.HandedOut)
	if len(v.Form.Errors) > 0 {
		return s.renderCirculation(w, r, http.StatusUnprocessableEntity, v)
	}
	if err := s.store.RecordCirculation(r.Context(), rec); err != nil {
		return err
	}
	http.Redirect(w, r, "/circulation#records", http.StatusSeeOther)
	return nil
}

// growthView is what /growth shows organizers.
type growthView struct {
	Kinds       *lineChart
	Circulation *lineChart
	Weeks       []string // the table's weeks, the last few
	Rows        []growthRow
}

type growthRow struct {
	Collective store.Collective
	Members    []string // by week of Weeks, "—" where not noted
	Change     int      // since the first week noted in Weeks
}

// growthPage shows organizers the members of every kind of collective
// over time, the copies of the paper, and every collective's members in
// the last weeks.
func (s *Server) growthPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lang := s.ui.pageLang(r)
	now := time.Now()
	// The sizes are noted by the server's background work (eventRound),
	// not on a read.
	sizes, err := s.store.Sizes(ctx)
	if err != nil {
		return err
	}
	recs, err := s.store.Circulation(ctx)
	if err != nil {
		return err
	}
	var all []store.Collective
	for after := ""; ; {
		page, next, err := s.store.Collectives(ctx, after, store.MaxLimit)
		if err != nil {
			return err
		}
		all = append(all, page...)
		if after = next; after == "" {
			break
		}
	}
	kindOf := map[string]store.CollectiveKind{}
	for _, c := range all {
		kindOf[c.ID] = c.Kind
	}
	weeks := lastWeeks(now, chartWeeks)
	kinds := []store.CollectiveKind{store.Workplace, store.School, store.Neighbourhood, store.OtherKind}
	byKind := map[string]map[string]float64{}
	var names []string
	for _, k := range kinds {
		n := s.ui.t(lang, "kind."+string(k))
		names = append(names, n)
		byKind[n] = map[string]float64{}
	}
	size := map[[2]string]int{}
	for _, z := range sizes {
		size[[2]string{z.Collective, z.Week}] = z.Members
		if k, ok := kindOf[z.Collective]; ok {
			byKind[s.ui.t(lang, "kind."+string(k))][z.Week] += float64(z.Members)
		}
	}
	v := &growthView{Kinds: newLineChart("chart-kinds", s.ui.t(lang, "growth.chart"), s.ui.t(lang, "chart.week"), weeks, names, byKind)}
	received, handed := map[string]float64{}, map[string]float64{}
	for _, rec := range recs {
		received[rec.Week] += float64(rec.Received)
		handed[rec.Week] += float64(rec.HandedOut)
	}
	cn := []string{s.ui.t(lang, "circulation.received"), s.ui.t(lang, "circulation.handed")}
	v.Circulation = newLineChart("chart-copies", s.ui.t(lang, "growth.copies"), s.ui.t(lang, "chart.week"), weeks, cn,
		map[string]map[string]float64{cn[0]: received, cn[1]: handed})
	v.Weeks = weeks[len(weeks)-4:]
	for _, c := range all {
		row := growthRow{Collective: c}
		first, last, seen := 0, 0, false
		for _, wk := range v.Weeks {
			n, ok := size[[2]string{c.ID, wk}]
			if !ok {
				row.Members = append(row.Members, "—")
				continue
			}
			if !seen {
				first, seen = n, true
			}
			last = n
			row.Members = append(row.Members, strconv.Itoa(n))
		}
		row.Change = last - first
		v.Rows = append(v.Rows, row)
	}
	return s.render(w, r, http.StatusOK, "growth.html", "growth.title", v)
}

// lastWeeks returns the n weeks up to the one of now, oldest first.
func lastWeeks(now time.Time, n int) []string {
	out := make([]string, n)
	for i := range n {
		out[n-1-i] = store.Week(now.AddDate(0, 0, -7*i))
	}
	return out
}
