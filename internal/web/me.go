package web

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// The member's own API, /api/v1/me: every member reads and changes their
// account, needs and commitment, reads their part of the plan, takes
// everything about themselves away (export) and erases it (DELETE). The
// member is always the caller: no route here takes a member id, so none
// can reach another member's data.

func (s *Server) meRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/me", action: auth.ReadSelf, h: s.getMe},
		{pattern: "PATCH /api/v1/me", action: auth.WriteSelf, h: s.patchMe},
		{pattern: "DELETE /api/v1/me", action: auth.WriteSelf, h: s.deleteMe},
		{pattern: "GET /api/v1/me/needs", action: auth.ReadSelf, h: s.getMyNeeds},
		{pattern: "POST /api/v1/me/needs", action: auth.WriteSelf, h: s.postMyNeed},
		{pattern: "DELETE /api/v1/me/needs/{id}", action: auth.WriteSelf, h: s.deleteMyNeed},
		{pattern: "GET /api/v1/me/commitment", action: auth.ReadSelf, h: s.getMyCommitment},
		{pattern: "PUT /api/v1/me/commitment", action: auth.WriteSelf, h: s.putMyCommitment},
		{pattern: "GET /api/v1/me/plan", action: auth.ReadSelf, h: s.getMyPlan},
		{pattern: "GET /api/v1/me/export", action: auth.ReadSelf, h: s.getMyExport},
	}
}

// self returns the id of the member making the request. authorize has
// let the request through, so there is a principal, kept in the
// request's context.
func (s *Server) self(r *http.Request) (string, error) {
	p, err := s.principal(r)
	if err != nil {
		return "", err
	}
	if p.Anonymous() {
		return "", errorf(codeUnauthenticated, msgUnauthenticated)
	}
	return p.Member, nil
}

// meBody is a member as they see themselves.
type meBody struct {
	ID       string      `json:"id"`
	Alias    string      `json:"alias"`
	Language string      `json:"language"`
	Cell     string      `json:"cell"`
	Contact  contactBody `json:"contact"`
	// EmailToConfirm is an email the member gave that is not theirs
	// until they open the link sent to it (emailconfirm.go).
	EmailToConfirm string             `json:"email_to_confirm,omitempty"`
	CallOptIn      bool               `json:"call_opt_in"`
	Collectives    []meCollectiveBody `json:"collectives"`
}

type contactBody struct {
	Email string `json:"email"`
	Phone string `json:"phone"`
}

type meCollectiveBody struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	Role string `json:"role"`
}

func newMeBody(m store.Member, of []store.MemberOf) meBody {
	b := meBody{ID: m.ID, Alias: m.Alias, Language: m.Language, Cell: m.Cell,
		Contact: contactBody(m.Contact), CallOptIn: m.CallOptIn, Collectives: []meCollectiveBody{}}
	for _, c := range of {
		b.Collectives = append(b.Collectives, meCollectiveBody{ID: c.CollectiveID, Name: c.Name, Kind: string(c.Kind), Role: string(c.Role)})
	}
	return b
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	p, err := s.store.Profile(r.Context(), id)
	if err != nil {
		return err
	}
	b := newMeBody(p.Member, p.Memberships)
	if b.EmailToConfirm, _, err = s.store.EmailToConfirm(r.Context(), id, s.login.now()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

// mePatch is a change to the caller's account: the fields given change,
// the others stay. A contact replaces the whole contact; {} removes it.
type mePatch struct {
	Alias     *string      `json:"alias"`
	Language  *string      `json:"language"`
	Cell      *string      `json:"cell"`
	Contact   *contactBody `json:"contact"`
	CallOptIn *bool        `json:"call_opt_in"`
	// CellNotPostcode says that a cell of digits only is a cell, not a
	// postcode (cellinput.go).
	CellNotPostcode bool `json:"cell_not_postcode"`

	cellProblem *problem // what typedCell found wrong with Cell
}

// checkCell reads the patch's cell as a person typed it (typedCell): a
// postcode of the server's table becomes its cell; other digits are a
// problem that check reports in the cell's place. page is whether the
// words are for a page's form.
func (s *Server) checkCell(p *mePatch, page bool) {
	if p.Cell == nil {
		return
	}
	c, pr := s.typedCell("cell", *p.Cell, p.CellNotPostcode, page)
	p.Cell, p.cellProblem = &c, pr
}

// geohashAlphabet is the base-32 alphabet of geohash cells.
const geohashAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// maxContact bounds each contact field, as the store does.
const maxContact = 254

func (p *mePatch) check() error {
	var v invalid
	if p.Alias != nil {
		v.checkName("alias", *p.Alias)
	}
	if p.Language != nil {
		l := *p.Language
		if len(l) < 2 || len(l) > 3 || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz") != "" {
			v.add("language", msgFieldLanguage, l)
		}
	}
	if p.cellProblem != nil {
		v = append(v, *p.cellProblem)
	} else if p.Cell != nil {
		c := *p.Cell
		if len(c) < 4 || len(c) > 6 || strings.Trim(c, geohashAlphabet) != "" {
			v.add("cell", msgFieldCell, c)
		}
	}
	if c := p.Contact; c != nil {
		if e := c.Email; e != "" {
			local, host, ok := strings.Cut(e, "@")
			if !ok || local == "" || host == "" || strings.Contains(host, "@") || len(e) > maxContact ||
				strings.ContainsFunc(e, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
				v.add("contact.email", msgFieldEmail)
			}
		}
		if ph := c.Phone; ph != "" {
			if len(ph) > maxContact || strings.Trim(ph, "0123456789 +-().") != "" || strings.Trim(ph, " +-().") == "" {
				v.add("contact.phone", msgFieldPhone)
			}
		}
	}
	return v.err()
}

func (s *Server) patchMe(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	var p mePatch
	if err := decode(r, &p); err != nil {
		return err
	}
	s.checkCell(&p, false)
	if err := p.check(); err != nil {
		return err
	}
	ch := store.MemberChange{Alias: p.Alias, Language: p.Language, Cell: p.Cell, CallOptIn: p.CallOptIn}
	var ask string
	var drop bool
	if p.Contact != nil {
		// A new email is not stored here but waits for confirmation
		// (emailconfirm.go): the answer is the same whether or not it
		// is another member's.
		m, err := s.store.Member(r.Context(), id)
		if err != nil {
			return err
		}
		if ask, drop, err = s.contactChange(r.Context(), w, id, m.Contact, p.Contact.Email, p.Contact.Phone, &ch); err != nil {
			return err
		}
	}
	m, err := s.updateMember(r.Context(), id, ch, ask)
	if err != nil {
		return err
	}
	if err := s.afterContactChange(r.Context(), id, m.Language, ask, drop); err != nil {
		return err
	}
	return s.getMe(w, r)
}

// deleteMe erases the caller: their account, memberships, needs,
// commitment and tokens are deleted, not flagged, and they are cut out of
// stored plans (store.DeleteMember). The token of this request goes too.
func (s *Server) deleteMe(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteMember(r.Context(), id); err != nil {
		return err
	}
	if r.Header.Get("Authorization") == "" {
		// A browser's session: its cookie and the pages it kept go too,
		// as when the erasure is asked from the page (erasePage).
		s.forgetBrowser(w)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// needBody is one of the caller's needs.
type needBody struct {
	ID      string  `json:"id"`
	Product string  `json:"product"`
	Qty     float64 `json:"qty"`
	Tier    string  `json:"tier"`
}

func newNeedBody(n world.Need) needBody {
	return needBody{ID: n.ID, Product: n.Product, Qty: n.Qty, Tier: string(n.Tier)}
}

func (s *Server) getMyNeeds(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	after, limit, err := pageOf(r)
	if err != nil {
		return err
	}
	needs, next, err := s.store.MemberNeeds(r.Context(), id, after, limit)
	if err != nil {
		return err
	}
	out := struct {
		Needs []needBody `json:"needs"`
		Next  string     `json:"next"`
	}{Needs: []needBody{}, Next: next}
	for _, n := range needs {
		out.Needs = append(out.Needs, newNeedBody(n))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// needIn is a new need; every field is required.
type needIn struct {
	Product *string  `json:"product"`
	Qty     *float64 `json:"qty"`
	Tier    *string  `json:"tier"`
}

func (n *needIn) check() error {
	var v invalid
	if n.Product == nil {
		v.add("product", msgFieldRequired)
	} else {
		v.checkID("product", *n.Product)
	}
	switch {
	case n.Qty == nil:
		v.add("qty", msgFieldRequired)
	case *n.Qty <= 0:
		v.add("qty", msgFieldPositive)
	case *n.Qty > world.MaxQuantity:
		v.add("qty", msgFieldAtMost, plainNum(world.MaxQuantity))
	}
	switch {
	case n.Tier == nil:
		v.add("tier", msgFieldRequired)
	case *n.Tier != string(world.Essential) && *n.Tier != string(world.Basic) && *n.Tier != string(world.Wanted):
		v.add("tier", msgFieldOneOf, *n.Tier, msgTiers)
	}
	return v.err()
}

func (s *Server) postMyNeed(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	var in needIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	n, err := s.store.AddNeed(r.Context(), id, world.Need{Product: *in.Product, Qty: *in.Qty, Tier: world.Tier(*in.Tier)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newNeedBody(*n))
	return nil
}

func (s *Server) deleteMyNeed(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteNeed(r.Context(), id, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// commitmentBody is what the caller commits: hours in the period, the
// skills they offer, and how far from home they will work.
type commitmentBody struct {
	Hours  float64  `json:"hours"`
	Skills []string `json:"skills"`
	MaxKm  float64  `json:"max_km"`
}

func newCommitmentBody(c world.Commitment) commitmentBody {
	if c.Skills == nil {
		c.Skills = []string{}
	}
	return commitmentBody{Hours: c.Hours, Skills: c.Skills, MaxKm: c.MaxKm}
}

// commitmentIn is a new commitment; hours and max_km are required, no
// skills is an empty list.
type commitmentIn struct {
	Hours  *float64 `json:"hours"`
	Skills []string `json:"skills"`
	MaxKm  *float64 `json:"max_km"`
}

func (c *commitmentIn) check() error {
	var v invalid
	v.checkAmount("hours", c.Hours, world.WeekHours)
	for i, sk := range c.Skills {
		field := "skills[" + strconv.Itoa(i) + "]"
		v.checkID(field, sk)
		for j := range i {
			if c.Skills[j] == sk {
				v.add(field, msgFieldRepeated, sk)
				break
			}
		}
	}
	v.checkAmount("max_km", c.MaxKm, world.MaxQuantity)
	return v.err()
}

// checkAmount checks a required number that may be zero, up to most
// (the world reader's limits: world.WeekHours, world.MaxQuantity).
func (v *invalid) checkAmount(field string, x *float64, most float64) {
	switch {
	case x == nil:
		v.add(field, msgFieldRequired)
	case *x < 0:
		v.add(field, msgFieldNonNegative)
	case *x > most:
		v.add(field, msgFieldAtMost, plainNum(most))
	}
}

// plainNum writes a limit in a message as a person types it: 1000000000,
// not %v's 1e+09.
func plainNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func (s *Server) getMyCommitment(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	c, err := s.store.Commitment(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newCommitmentBody(*c))
	return nil
}

func (s *Server) putMyCommitment(w http.ResponseWriter, r *http.Request) error {
	id, err := s.self(r)
	if err != nil {
		return err
	}
	var in commitmentIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	c := world.Commitment{Hours: *in.Hours, Skills: in.Skills, MaxKm: *in.MaxKm}
	if err := s.store.PutCommitment(r.Context(), id, c); err != nil {
		return err
	}
	return s.getMyCommitment(w, r)
}
