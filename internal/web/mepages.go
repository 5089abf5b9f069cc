package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// A member's own pages: their part of the plan, their needs, their
// commitment and their account. Forms post to the page they are on; a
// form with a mistake comes back with what was typed and, next to each
// field, what is wrong, in the reader's language. The checks are the
// API's (me.go), so a page and a script are told the same things.

func (s *Server) mePageRoutes() []route {
	return []route{
		{pattern: "GET /me", action: auth.ReadSelf, page: true, h: s.mePage},
		{pattern: "GET /me/needs", action: auth.ReadSelf, page: true, h: s.needsPage},
		{pattern: "POST /me/needs", action: auth.WriteSelf, page: true, h: s.addNeedPage, again: s.renderNeeds},
		{pattern: "POST /me/needs/{id}/delete", action: auth.WriteSelf, page: true, h: s.deleteNeedPage},
		{pattern: "GET /me/commitment", action: auth.ReadSelf, page: true, h: s.commitmentPage},
		{pattern: "POST /me/commitment", action: auth.WriteSelf, page: true, h: s.putCommitmentPage},
		{pattern: "GET /me/account", action: auth.ReadSelf, page: true, h: s.accountPage},
		{pattern: "POST /me/account", action: auth.WriteSelf, page: true, h: s.putAccountPage, again: s.accountAgain},
		{pattern: "POST /me/account/email-again", action: auth.WriteSelf, page: true, h: s.emailAgainPage},
		{pattern: "POST /me/erase", action: auth.WriteSelf, page: true, h: s.erasePage},
		{pattern: "POST /logout", action: auth.WriteSelf, page: true, h: s.logoutPage},
	}
}

// form is what a page's form shows: the values typed, and a message
// next to each field that is wrong.
type form struct {
	Values map[string]string
	Errors map[string]string
}

func newForm() form { return form{Values: map[string]string{}, Errors: map[string]string{}} }

// askCell makes the form show the box with which a person confirms
// that the digits they typed are their cell, when v asks them to
// (cellinput.go).
func (f *form) askCell(v invalid) {
	if askedCellNotPostcode(v) {
		f.Values[cellNotPostcode+"_ask"] = "yes"
	}
}

// problems puts the problems of an invalid (as me.go's checks find them)
// next to their fields, in the page's language.
func (f *form) problems(v invalid, code string) {
	l := langOf(code)
	for _, p := range v {
		// skills[2] is the skills field; contact.email the email field.
		field, _, _ := strings.Cut(p.field, "[")
		field = strings.TrimPrefix(field, "contact.")
		if _, ok := f.Errors[field]; !ok {
			f.Errors[field] = p.text(l)[len(p.field)+2:]
		}
	}
}

// number reads a form field as a number; a field that is not one is a
// problem of the field, and nil.
func number(r *http.Request, field string, v *invalid) *float64 {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		return nil
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil {
		v.add(field, msgFieldNumber)
		return nil
	}
	return &x
}

// meView is what the overview shows.
type meView struct {
	Profile  *store.Profile
	Catalog  *store.Catalog
	Plan     *myPlanBody // nil before any plan
	Needs    map[string]world.Need
	Sites    map[string]world.Site
	Products map[string]world.Product
	Skills   map[string]world.Skill
	// Calls are the open urgent calls that reached the member, and
	// Waiting the calls waiting for them to verify (callpages.go).
	Calls   []callCard
	Waiting int
}

// lookups fills the maps that name things by id.
func (v *meView) lookups() {
	v.Sites, v.Products, v.Skills = map[string]world.Site{}, map[string]world.Product{}, map[string]world.Skill{}
	for _, st := range v.Catalog.Sites {
		v.Sites[st.ID] = st
	}
	for _, p := range v.Catalog.Products {
		v.Products[p.ID] = p
	}
	for _, sk := range v.Catalog.Skills {
		v.Skills[sk.ID] = sk
	}
}

// mePage is the member's first page: who they are, their part of the
// latest plan, and where to change things.
func (s *Server) mePage(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	v := meView{Needs: map[string]world.Need{}}
	if v.Profile, err = s.store.Profile(ctx, id); err != nil {
		return err
	}
	if v.Catalog, err = s.store.Catalog(ctx); err != nil {
		return err
	}
	v.lookups()
	p, _ := s.principal(r)
	if v.Calls, v.Waiting, err = s.meCalls(r, p); err != nil {
		return err
	}
	needs, err := s.allNeeds(r.Context(), id)
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, n := range needs {
		v.Needs[n.ID], ids[n.ID] = n, true
	}
	run, err := s.store.LatestPlan(ctx)
	switch {
	case store.ErrorCode(err) == store.CodeNotFound:
	case err != nil:
		return err
	default:
		p, err := part(run, id, ids)
		if err != nil {
			return err
		}
		p = shownPart(p)
		v.Plan = &p
	}
	return s.render(w, r, http.StatusOK, "me.html", "me.title", &v)
}

// shownPart leaves out of a member's part of the plan the work, the
// deliveries and the sources that would read as 0 on the page: the
// solver's traces, not something planned.
func shownPart(p myPlanBody) myPlanBody {
	p.Assignments = slices.DeleteFunc(p.Assignments, func(a assignmentBody) bool { return !shows(a.Hours) })
	p.Allocations = slices.DeleteFunc(p.Allocations, func(a allocationBody) bool { return !shows(a.Qty) })
	for i := range p.Allocations {
		p.Allocations[i].From = slices.DeleteFunc(p.Allocations[i].From, func(f fromBody) bool { return !shows(f.Qty) })
	}
	p.Shortfalls = slices.DeleteFunc(p.Shortfalls, func(s myShortfallBody) bool { return !shows(s.Missing) })
	return p
}

// allNeeds returns all the member's needs, in their order.
func (s *Server) allNeeds(ctx context.Context, member string) ([]world.Need, error) {
	var all []world.Need
	for after := ""; ; {
		needs, next, err := s.store.MemberNeeds(ctx, member, after, store.MaxLimit)
		if err != nil {
			return nil, err
		}
		all = append(all, needs...)
		if after = next; after == "" {
			return all, nil
		}
	}
}

// needsView is the needs page: the member's needs and the form to add
// one.
type needsView struct {
	Needs   []world.Need
	Catalog *store.Catalog
	Form    form
}

func (s *Server) needsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderNeeds(w, r, http.StatusOK, newForm())
}

func (s *Server) renderNeeds(w http.ResponseWriter, r *http.Request, status int, f form) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	v := needsView{Form: f}
	if v.Needs, err = s.allNeeds(r.Context(), id); err != nil {
		return err
	}
	if v.Catalog, err = s.store.Catalog(r.Context()); err != nil {
		return err
	}
	return s.render(w, r, status, "needs.html", "needs.title", &v)
}

func (s *Server) addNeedPage(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	f := newForm()
	for _, k := range []string{"product", "qty", "tier"} {
		f.Values[k] = r.PostFormValue(k)
	}
	var bad invalid
	product, tier := f.Values["product"], f.Values["tier"]
	in := needIn{Product: &product, Tier: &tier, Qty: number(r, "qty", &bad)}
	if product == "" {
		in.Product = nil
	}
	if tier == "" { // no tier chosen: required, not a tier named ""
		in.Tier = nil
	}
	if err := in.check(); err != nil {
		bad = append(bad, err.(invalid)...)
	}
	if len(bad) == 0 {
		_, err = s.store.AddNeed(r.Context(), id, world.Need{Product: product, Qty: *in.Qty, Tier: world.Tier(tier)})
		if v, ok := asInvalid(err); ok {
			bad = v
		} else if err != nil {
			return err
		}
	}
	if len(bad) > 0 {
		f.problems(bad, s.ui.pageLang(r))
		return s.renderNeeds(w, r, http.StatusUnprocessableEntity, f)
	}
	http.Redirect(w, r, "/me/needs", http.StatusSeeOther)
	return nil
}

func (s *Server) deleteNeedPage(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteNeed(r.Context(), id, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/me/needs", http.StatusSeeOther)
	return nil
}

// commitmentView is the commitment page.
type commitmentView struct {
	Catalog *store.Catalog
	Skills  map[string]bool // the skills offered
	Form    form
}

func (s *Server) commitmentPage(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	c, err := s.store.Commitment(r.Context(), id)
	if err != nil {
		return err
	}
	f := newForm()
	f.Values["hours"] = strconv.FormatFloat(c.Hours, 'f', -1, 64)
	f.Values["max_km"] = strconv.FormatFloat(c.MaxKm, 'f', -1, 64)
	return s.renderCommitment(w, r, http.StatusOK, f, c.Skills)
}

func (s *Server) renderCommitment(w http.ResponseWriter, r *http.Request, status int, f form, skills []string) error {
	cat, err := s.store.Catalog(r.Context())
	if err != nil {
		return err
	}
	v := commitmentView{Catalog: cat, Skills: map[string]bool{}, Form: f}
	for _, sk := range skills {
		v.Skills[sk] = true
	}
	return s.render(w, r, status, "commitment.html", "commitment.title", &v)
}

func (s *Server) putCommitmentPage(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errorf(store.CodeInvalid, msgInvalid)
	}
	f := newForm()
	f.Values["hours"], f.Values["max_km"] = r.PostFormValue("hours"), r.PostFormValue("max_km")
	var bad invalid
	in := commitmentIn{Hours: number(r, "hours", &bad), MaxKm: number(r, "max_km", &bad), Skills: r.PostForm["skills"]}
	if err := in.check(); err != nil {
		bad = append(bad, err.(invalid)...)
	}
	if len(bad) == 0 {
		err = s.store.PutCommitment(r.Context(), id, world.Commitment{Hours: *in.Hours, Skills: in.Skills, MaxKm: *in.MaxKm})
		if v, ok := asInvalid(err); ok {
			bad = v
		} else if err != nil {
			return err
		}
	}
	if len(bad) > 0 {
		f.problems(bad, s.ui.pageLang(r))
		return s.renderCommitment(w, r, http.StatusUnprocessableEntity, f, in.Skills)
	}
	http.Redirect(w, r, "/me", http.StatusSeeOther)
	return nil
}

// accountView is the account page: the account's form, and the
// member's API tokens, each with a button that revokes it (tokens.go).
// An email they gave and have not confirmed yet is in the form's email
// field, with a word that it waits (emailconfirm.go).
type accountView struct {
	Form    form
	Tokens  []store.Token
	Mail    bool   // the server sends email
	Waiting string // the address that waits for confirmation, if it is the one in the form
	// Passkeys counts the member's passkeys; PasskeysOn says whether
	// the server can register them (its public URL's host is a domain
	// name), and PasskeySession whether this session was opened with
	// one.
	Passkeys                   int
	PasskeysOn, PasskeySession bool
}

func (accountView) Date(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	m, err := s.store.Member(r.Context(), id)
	if err != nil {
		return err
	}
	f, err := s.accountForm(r.Context(), m)
	if err != nil {
		return err
	}
	return s.renderAccount(w, r, http.StatusOK, id, f)
}

// renderAccount writes the account page of the member with the form f.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, member string, f form) error {
	toks, err := s.store.MemberTokens(r.Context(), member)
	if err != nil {
		return err
	}
	creds, err := s.store.Credentials(r.Context(), member)
	if err != nil {
		return err
	}
	p, _ := s.principal(r)
	v := &accountView{Form: f, Tokens: toks, Mail: s.mailOn(), Passkeys: len(creds), PasskeysOn: s.login.wa != nil, PasskeySession: p.Passkey}
	waiting, _, err := s.store.EmailToConfirm(r.Context(), member, s.login.now())
	if err != nil {
		return err
	}
	// The word that a message went to the address is said of the one
	// in the field only: a form sent back with a problem holds what
	// was typed, to which nothing was sent.
	if waiting != "" && store.NormalizeEmail(waiting) == store.NormalizeEmail(f.Values["email"]) {
		v.Waiting = waiting
	}
	return s.render(w, r, status, "account.html", "account.title", v)
}

// accountAgain shows the account page with the form f (sendAgain).
func (s *Server) accountAgain(w http.ResponseWriter, r *http.Request, status int, f form) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	return s.renderAccount(w, r, status, id, f)
}

// accountForm is the account form filled with the member as stored, and
// the email they gave that waits for confirmation in place of the one
// they have, if there is one.
func (s *Server) accountForm(ctx context.Context, m *store.Member) (form, error) {
	f := newForm()
	f.Values["alias"], f.Values["language"], f.Values["cell"] = m.Alias, m.Language, m.Cell
	f.Values["email"], f.Values["phone"] = m.Contact.Email, m.Contact.Phone
	if m.CallOptIn {
		f.Values["calls"] = "on"
	}
	waiting, _, err := s.store.EmailToConfirm(ctx, m.ID, s.login.now())
	if waiting != "" {
		f.Values["email"] = waiting
	}
	return f, err
}

func (s *Server) putAccountPage(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	f := newForm()
	for _, k := range []string{"alias", "language", "cell", "email", "phone", "calls"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	calls := f.Values["calls"] == "on"
	p := mePatch{Alias: ptrTo(f.Values["alias"]), Language: ptrTo(f.Values["language"]), Cell: ptrTo(f.Values["cell"]),
		Contact: &contactBody{Email: f.Values["email"], Phone: f.Values["phone"]}, CallOptIn: &calls,
		CellNotPostcode: formSure(r, f.Values["cell"])}
	s.checkCell(&p, true)
	var bad invalid
	if err := p.check(); err != nil {
		bad = err.(invalid)
		f.askCell(bad)
	}
	lang := s.ui.pageLang(r)
	var ask string
	var drop bool
	if len(bad) == 0 {
		ch := store.MemberChange{Alias: p.Alias, Language: p.Language, Cell: p.Cell, CallOptIn: p.CallOptIn}
		m, err := s.store.Member(r.Context(), id)
		if err != nil {
			return err
		}
		// A new email is not stored here but waits for confirmation
		// (emailconfirm.go): this page says the same whether or not it
		// is another member's.
		ask, drop, err = s.contactChange(r.Context(), w, id, m.Contact, p.Contact.Email, p.Contact.Phone, &ch)
		if errors.Is(err, errNoMail) {
			f.Errors["email"] = s.ui.t(lang, "account.email.nomail")
		} else if err != nil {
			return err
		} else {
			_, err := s.updateMember(r.Context(), id, ch, ask)
			switch {
			case store.ErrorCode(err) == store.CodeConflict && strings.HasPrefix(store.ErrorMessage(err), "alias"):
				f.Errors["alias"] = s.ui.t(lang, "account.alias.taken")
			case err != nil:
				return err
			}
		}
	}
	f.problems(bad, lang)
	if len(f.Errors) > 0 {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, id, f)
	}
	if err := s.afterContactChange(r.Context(), id, lang, ask, drop); err != nil {
		return err
	}
	next := "/me"
	if ask != "" {
		next += "?done=email"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// erasePage deletes the member at once, after they ticked the box that
// says they understand, and sends them to the first page.
func (s *Server) erasePage(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("sure") != "yes" {
		m, err := s.store.Member(r.Context(), id)
		if err != nil {
			return err
		}
		f, err := s.accountForm(r.Context(), m)
		if err != nil {
			return err
		}
		f.Errors["sure"] = s.ui.t(s.ui.pageLang(r), "account.erase.sure")
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, id, f)
	}
	if err := s.store.DeleteMember(r.Context(), id); err != nil {
		return err
	}
	s.forgetBrowser(w)
	http.Redirect(w, r, "/?erased=1", http.StatusSeeOther)
	return nil
}

func ptrTo(s string) *string { return &s }

// Name returns a catalog name in the page's language, or in English, or
// the id.
func (p *page) Name(n world.Names, id string) string {
	if s := n[p.Lang]; s != "" {
		return s
	}
	if s := n["en"]; s != "" {
		return s
	}
	return id
}

// CSRF is the token a page's forms carry.
func (p *page) CSRF() string { return p.csrf }

// emailAgainPage sends the address that waits for confirmation a new
// link, in place of the one sent before (a message lost, or held back
// by the limits of emailconfirm.go), which then no longer works. It
// counts as a new address against the member's limit
// (login.confirmPerMember); with nothing waiting it does nothing.
func (s *Server) emailAgainPage(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	waiting, _, err := s.store.EmailToConfirm(r.Context(), id, s.login.now())
	if err != nil {
		return err
	}
	if waiting == "" {
		http.Redirect(w, r, "/me/account", http.StatusSeeOther)
		return nil
	}
	if !s.mailOn() {
		return errNoMail
	}
	if !s.login.confirmPerMember.Allow(id, s.login.now()) {
		return tooMany(w, s.login.confirmPerMember)
	}
	if err := s.askEmail(r.Context(), id, s.ui.pageLang(r), waiting); err != nil {
		return err
	}
	http.Redirect(w, r, "/me?done=email", http.StatusSeeOther)
	return nil
}
