package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/store"
)

// An email a member gives, joining by an invite (joinpage.go), on their
// account page (mepages.go) or by PATCH /api/v1/me (me.go), is attached
// only once they open a link sent to it. Were it attached at once, the
// refusal of an address already a member's would tell anyone holding an
// invite link, one address at a time, who belongs to the organization.
// So every one of those answers is the same whether or not the address
// is taken: the address waits in the store (store.PutEmailConfirmation),
// and in the background, as a login code is sent (login.go), the
// message to it either carries the link (/email/confirm/{token}) or,
// when the address is already a member's, says that someone tried to
// use it and how that member signs in. Only whoever reads the mailbox
// learns which.
//
// Without a mailer nothing could reach the address: the join page does
// not ask for one, and a new address on the account page or in the API
// is refused with a word that says why (the same for any address).

func (s *Server) emailConfirmRoutes() []route {
	return []route{
		{pattern: "GET /email/confirm/{token}", public: true, page: true, h: s.confirmEmailPage},
		{pattern: "POST /email/confirm/{token}", public: true, page: true, h: s.confirmEmailPost},
	}
}

// mailOn reports whether the server sends email.
func (s *Server) mailOn() bool { return s.login.mail != nil }

// askEmail keeps email as the address member gave, until they confirm
// it, and sends the message that answers it in the background. lang is
// the language of the person who typed it. What it returns, and how
// long it takes, do not depend on whether the address is a member's:
// that is looked up after the answer.
func (s *Server) askEmail(ctx context.Context, member, lang, email string) error {
	if !s.mailOn() {
		return errorf(store.CodeUnavailable, msgNoEmail)
	}
	now := s.login.now()
	token := auth.NewEmailConfirm()
	c := store.EmailConfirmation{MemberID: member, Hash: auth.Hash(token), Email: email, Expires: now.Add(store.EmailConfirmTTL)}
	if err := s.store.PutEmailConfirmation(ctx, c, now); err != nil {
		return err
	}
	s.login.jobs.Add(1)
	go func() {
		defer s.login.jobs.Done()
		// The email is the panic's likely value: guard logs only its
		// type.
		s.guard(context.Background(), "email confirmation", func() { s.sendConfirmation(member, lang, email, token, now) })
	}()
	return nil
}

// sendConfirmation sends email the link that confirms it as member's
// address, or, if it is already another member's, the message that
// says someone tried to use it; the confirmation is kept either way
// (the link, never sent, is no use), so that the member who typed the
// address sees the same account as they would otherwise. At most a few
// messages go to one address in a while, whoever asks. What it logs
// names no one.
func (s *Server) sendConfirmation(member, lang, email, token string, now time.Time) {
	if !s.login.confirmPerEmail.Allow(s.emailKey(store.NormalizeEmail(email)), now) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	owner, err := s.store.MemberByEmail(ctx, email)
	var e notify.Email
	switch {
	case store.ErrorCode(err) == store.CodeNotFound:
		e = notify.ConfirmEmail(email, lang, s.login.origin+"/email/confirm/"+token, store.EmailConfirmTTL)
	case err != nil:
		s.log.Error("email confirmation not sent", "err", err)
		return
	case owner.ID == member:
		return // theirs already: nothing to confirm
	default:
		e = notify.EmailInUse(email, owner.Language, s.login.origin+"/login")
	}
	if err := s.login.mail.Send(ctx, e); err != nil {
		s.log.Error("email confirmation not sent", "err", err)
	}
}

// confirmView is the page a confirmation link opens.
type confirmView struct {
	Token   string
	Alias   string // of the account the address would be attached to
	Problem string // why nothing was attached, a catalog key
	Done    bool   // the address is the member's now
}

// confirmEmailPage shows a button that confirms the address: a link
// that confirmed by being opened would be confirmed by the mail
// scanners that open every link of a message.
func (s *Server) confirmEmailPage(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitClient(w, r, s.login.now(), s.login.confirmPerClient); err != nil {
		return err
	}
	v := confirmView{Token: r.PathValue("token")}
	status := http.StatusOK
	// The page names the account the address would be attached to: an
	// address someone else typed in would otherwise be attached, with
	// the sign-in codes and urgent calls sent to it, to an account its
	// owner does not know, by one tap.
	member := ""
	var err error = store.ErrConfirmationGone
	if auth.CheckFormat(v.Token, auth.EmailPrefix) == nil {
		member, err = s.store.EmailConfirmationFor(r.Context(), auth.Hash(v.Token), s.login.now())
	}
	if err == nil {
		var m *store.Member
		if m, err = s.store.Member(r.Context(), member); err == nil {
			v.Alias = m.Alias
		}
	}
	switch {
	case errors.Is(err, store.ErrConfirmationGone), store.ErrorCode(err) == store.CodeNotFound:
		v.Problem, status = "email.confirm.gone", http.StatusGone
	case err != nil:
		return err
	}
	return s.render(w, r, status, "email_confirm.html", "email.confirm.title", &v)
}

func (s *Server) confirmEmailPost(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitClient(w, r, s.login.now(), s.login.confirmPerClient); err != nil {
		return err
	}
	if o := r.Header.Get("Origin"); o != "" && o != s.login.origin {
		return errorf(store.CodeForbidden, msgOtherOrigin)
	}
	v := confirmView{Token: r.PathValue("token")}
	var err error
	if auth.CheckFormat(v.Token, auth.EmailPrefix) != nil {
		err = store.ErrConfirmationGone
	} else {
		_, err = s.store.ConfirmEmail(r.Context(), auth.Hash(v.Token), s.login.now())
	}
	status := http.StatusOK
	switch {
	case errors.Is(err, store.ErrConfirmationGone):
		v.Problem, status = "email.confirm.gone", http.StatusGone
	case store.ErrorCode(err) == store.CodeConflict:
		// Whoever holds the link reads the mailbox: they may know.
		v.Problem, status = "email.confirm.taken", http.StatusConflict
	case err != nil:
		return err
	default:
		v.Done = true
		s.log.Info("email confirmed")
	}
	return s.render(w, r, status, "email_confirm.html", "email.confirm.title", &v)
}

// errNoMail is why a new email cannot be taken: no message could
// confirm it. It is the same for every address.
var errNoMail = errorf(store.CodeUnavailable, msgNoEmailConfirm)

// contactChange puts into ch the email and phone a member sent, against
// what is stored: their email (cur) and the address that waits for
// confirmation, if any. It returns the address to send a confirmation
// to ("" when the email stays, goes, or is the one waiting already) and
// whether the one waiting is to be dropped (the member went back to
// their email). An empty email removes both. A new address without a
// mailer is errNoMail; one more than a member may give in a while
// (login.confirmPerMember) is answered 429 on w, whatever the address.
// The change is to be stored with updateMember, which gives the count
// back if the store refuses it.
func (s *Server) contactChange(ctx context.Context, w http.ResponseWriter, member string, cur store.Contact, email, phone string,
	ch *store.MemberChange) (ask string, drop bool, err error) {
	waiting, _, err := s.store.EmailToConfirm(ctx, member, s.login.now())
	if err != nil {
		return "", false, err
	}
	n := store.NormalizeEmail(email)
	switch {
	case n == "":
		ch.Contact = &store.Contact{Phone: phone} // drops the one waiting too
	case n == store.NormalizeEmail(cur.Email):
		ch.Phone, drop = &phone, waiting != ""
	case n == store.NormalizeEmail(waiting):
		ch.Phone = &phone
	case !s.mailOn():
		return "", false, errNoMail
	case !s.login.confirmPerMember.Allow(member, s.login.now()):
		return "", false, tooMany(w, s.login.confirmPerMember)
	default:
		ch.Phone, ask = &phone, email
	}
	return ask, drop, nil
}

// updateMember stores ch, which contactChange filled. If the store
// refuses it (an alias another member has), the address ask is not
// asked for after all, and the count contactChange took for it goes
// back to the member's limit: a form refused for another field spends
// nothing. The count is taken before storing, not after, so that two
// forms sent at once cannot both pass a limit that has room for one.
func (s *Server) updateMember(ctx context.Context, member string, ch store.MemberChange, ask string) (*store.Member, error) {
	m, err := s.store.UpdateMember(ctx, member, ch)
	if err != nil && ask != "" {
		s.login.confirmPerMember.Undo(member)
	}
	return m, err
}

// afterContactChange does what contactChange asked, once the change is
// stored: it drops the address waiting, or asks for the new one in
// lang.
func (s *Server) afterContactChange(ctx context.Context, member, lang, ask string, drop bool) error {
	if drop {
		return s.store.DropEmailConfirmation(ctx, member)
	}
	if ask != "" {
		return s.askEmail(ctx, member, lang, ask)
	}
	return nil
}
