package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// Invites are links to join a collective: PUBLIC_URL/join/CODE, and the
// same link as a QR code to print or show on a phone. The code is made
// here (auth.NewInvite), shown once in the answer that creates the
// invite, and only its hash is stored; so the QR code, which holds it,
// comes in that answer too and cannot be asked for again.

// Messages of invites.
const (
	msgInviteExpired = msgKey("invite-expired")
	msgInviteUsedUp  = msgKey("invite-used-up")
	msgInviteUnknown = msgKey("invite-unknown")
	msgAlreadyMember = msgKey("already-member")
	msgInviteRole    = msgKey("invite-role")
)

// Defaults of a new invite: one person, within a week.
const (
	defaultInviteUses  = 1
	defaultInviteHours = 7 * 24
)

// inviteBody is an invite in the API. Code, URL and QRSVG are only in
// the answer that creates it.
type inviteBody struct {
	ID        string     `json:"id"`
	Code      string     `json:"code,omitempty"`
	URL       string     `json:"url,omitempty"`
	QRSVG     string     `json:"qr_svg,omitempty"`
	Role      store.Role `json:"role"`
	CreatedBy string     `json:"created_by,omitempty"`
	Created   time.Time  `json:"created"`
	Expires   time.Time  `json:"expires"`
	MaxUses   int        `json:"max_uses"`
	Uses      int        `json:"uses"`
}

func inviteOf(inv store.Invite) inviteBody {
	return inviteBody{ID: inv.ID, Role: inv.Role, CreatedBy: inv.CreatedBy, Created: inv.Created,
		Expires: inv.Expires, MaxUses: inv.MaxUses, Uses: inv.Uses}
}

// createInvite makes an invite to the collective. A coordinator's
// invites grant the member role only; an organizer's may grant
// coordinator.
func (s *Server) createInvite(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	var in struct {
		MaxUses        *int        `json:"max_uses"`
		ExpiresInHours *int        `json:"expires_in_hours"`
		Role           *store.Role `json:"role"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	uses, hours, role := defaultInviteUses, defaultInviteHours, store.RoleMember
	if in.MaxUses != nil {
		uses = *in.MaxUses
	}
	if in.ExpiresInHours != nil {
		hours = *in.ExpiresInHours
	}
	if in.Role != nil {
		role = *in.Role
	}
	if maxHours := int(store.MaxInviteLifetime.Hours()); hours < 1 || hours > maxHours {
		return store.Errorf(store.CodeInvalid, "expires_in_hours: must be 1 to %d, got %d", maxHours, hours)
	}
	if role == store.RoleCoordinator && !auth.Allow(p, auth.WriteAll, "") {
		return errorf(store.CodeForbidden, msgInviteRole)
	}
	code := auth.NewInvite()
	inv, err := s.store.CreateInvite(r.Context(), store.Invite{
		Collective: r.PathValue("id"), Role: role, CodeHash: auth.Hash(code), CreatedBy: p.Member,
		Expires: time.Now().Add(time.Duration(hours) * time.Hour), MaxUses: uses,
	})
	if err != nil {
		return err
	}
	out := inviteOf(*inv)
	out.Code = code
	out.URL = s.publicURL(r) + "/join/" + code
	if out.QRSVG, err = qrSVG(out.URL); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// publicURL is Options.PublicURL without a trailing slash or, when it is
// not set, the scheme and host the request came to.
func (s *Server) publicURL(r *http.Request) string {
	if s.opt.PublicURL != "" {
		return strings.TrimRight(s.opt.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// qrSVG draws content as a QR code (error correction level M, which
// survives a crease or a smudge on a flyer) in SVG: one unit per module,
// the four-module quiet zone included, each row's runs of dark modules
// as one path, so that it scales to any size without blur.
func qrSVG(content string) (string, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("web: QR code of an invite: %w", err)
	}
	bm := q.Bitmap()
	n := len(bm)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}

func (s *Server) listInvites(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageOf(r)
	if err != nil {
		return err
	}
	invs, next, err := s.store.Invites(r.Context(), r.PathValue("id"), after, limit)
	if err != nil {
		return err
	}
	out := make([]inviteBody, len(invs))
	for i, inv := range invs {
		out[i] = inviteOf(inv)
	}
	writeJSON(w, http.StatusOK, map[string]any{"invites": out, "next": next})
	return nil
}

func (s *Server) deleteInvite(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.DeleteInvite(r.Context(), r.PathValue("id"), r.PathValue("invite")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// acceptInvite makes the caller a member of the invite's collective and
// answers the collective with their role in it. A malformed code is
// answered like an unknown one, without asking the database.
func (s *Server) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	p, err := s.caller(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	if auth.CheckFormat(code, auth.InvitePrefix) != nil {
		return errorf(store.CodeNotFound, msgInviteUnknown)
	}
	inv, err := s.store.AcceptInvite(r.Context(), auth.Hash(code), p.Member)
	switch {
	case errors.Is(err, store.ErrInviteExpired):
		return errorf(store.CodeConflict, msgInviteExpired)
	case errors.Is(err, store.ErrInviteUsedUp):
		return errorf(store.CodeConflict, msgInviteUsedUp)
	case errors.Is(err, store.ErrAlreadyMember):
		return errorf(store.CodeConflict, msgAlreadyMember)
	case store.ErrorCode(err) == store.CodeNotFound:
		return errorf(store.CodeNotFound, msgInviteUnknown)
	case err != nil:
		return err
	}
	c, err := s.store.Collective(r.Context(), inv.Collective)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, collectiveOf(*c, inv.Role))
	return nil
}
