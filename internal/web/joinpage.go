package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// The page an invite link opens, /join/{code}. Someone signed in joins
// with one button; someone new gives an alias, a language, a home area
// (a geohash cell, which the page can work out from the browser's
// location without sending the location) and, if they want to sign in
// by email later, an email; their account and their membership are made
// together (store.Join), and they are signed in. The email is not part
// of the account yet: a message goes to it, and it is attached once
// confirmed (emailconfirm.go), so that the form says the same whether
// or not it is already a member's. Without a mailer no email is asked
// for. Both the page and its form are limited per client
// (login.joinPerClient): the form tells whether an alias is taken.

func (s *Server) joinRoutes() []route {
	return []route{
		{pattern: "GET /join/{code}", public: true, page: true, h: s.joinPage},
		{pattern: "POST /join/{code}", public: true, page: true, h: s.joinPost},
	}
}

// joinView is what the join page shows.
type joinView struct {
	Code       string
	Collective string // its name
	Problem    string // why the invite cannot be used, a catalog key
	Form       form
	Mail       bool // the server sends email, so the form asks for one
}

// invite reads the code of the path and the invite it opens; a problem
// with the invite is a catalog key, not an error: the page says it.
func (s *Server) invite(r *http.Request) (joinView, error) {
	v := joinView{Code: r.PathValue("code"), Form: newForm(), Mail: s.mailOn()}
	if auth.CheckFormat(v.Code, auth.InvitePrefix) != nil {
		v.Problem = "join.unknown"
		return v, nil
	}
	_, name, err := s.store.InviteByCode(r.Context(), auth.Hash(v.Code))
	switch {
	case errors.Is(err, store.ErrInviteExpired):
		v.Problem = "join.expired"
	case errors.Is(err, store.ErrInviteUsedUp):
		v.Problem = "join.used-up"
	case store.ErrorCode(err) == store.CodeNotFound:
		v.Problem = "join.unknown"
	case err != nil:
		return v, err
	}
	v.Collective = name
	return v, nil
}

func (s *Server) joinPage(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitClient(w, r, s.login.now(), s.login.joinPerClient); err != nil {
		return err
	}
	v, err := s.invite(r)
	if err != nil {
		return err
	}
	v.Form.Values["language"] = s.ui.pageLang(r)
	status := http.StatusOK
	if v.Problem != "" {
		status = http.StatusGone
	}
	return s.render(w, r, status, "join.html", "join.title", &v)
}

func (s *Server) joinPost(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitClient(w, r, s.login.now(), s.login.joinPerClient); err != nil {
		return err
	}
	// A form of another site may not make accounts here.
	if o := r.Header.Get("Origin"); o != "" && o != s.login.origin {
		return errorf(store.CodeForbidden, msgOtherOrigin)
	}
	v, err := s.invite(r)
	if err != nil {
		return err
	}
	if v.Problem != "" {
		return s.render(w, r, http.StatusGone, "join.html", "join.title", &v)
	}
	lang := s.ui.pageLang(r)
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	if !p.Anonymous() {
		_, err := s.store.AcceptInvite(r.Context(), auth.Hash(v.Code), p.Member)
		if err != nil && !errors.Is(err, store.ErrAlreadyMember) {
			return err
		}
		http.Redirect(w, r, "/me", http.StatusSeeOther)
		return nil
	}
	for _, k := range []string{"alias", "language", "cell", "email"} {
		v.Form.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	if !v.Mail {
		v.Form.Values["email"] = "" // not asked for: nothing could confirm it
	}
	in := mePatch{Alias: ptrTo(v.Form.Values["alias"]), Language: ptrTo(v.Form.Values["language"]),
		Cell: ptrTo(strings.ToLower(v.Form.Values["cell"])), Contact: &contactBody{Email: v.Form.Values["email"]},
		CellNotPostcode: formSure(r, v.Form.Values["cell"])}
	s.checkCell(&in, true)
	if bad := in.check(); bad != nil {
		v.Form.problems(bad.(invalid), lang)
		v.Form.askCell(bad.(invalid))
	}
	if len(v.Form.Errors) == 0 {
		// The account is made without the email, which waits for its
		// confirmation: nothing here may depend on whether it is taken.
		m, _, err := s.store.Join(r.Context(), auth.Hash(v.Code), store.Member{Alias: *in.Alias, Language: *in.Language,
			Cell: *in.Cell})
		switch {
		case store.ErrorCode(err) == store.CodeConflict && strings.HasPrefix(store.ErrorMessage(err), "alias"):
			v.Form.Errors["alias"] = s.ui.t(lang, "account.alias.taken")
		case errors.Is(err, store.ErrInviteExpired), errors.Is(err, store.ErrInviteUsedUp):
			v.Problem = "join.used-up"
		case err != nil:
			return err
		default:
			// Signed in first: the account is made and the invite's use
			// spent, and a failure to keep the email must not leave
			// the new member with no way in (no session, no passkey,
			// no email yet). They can give it again on their account
			// page.
			if _, err := s.openSession(w, r, m.ID, false); err != nil {
				return err
			}
			next := "/me/commitment"
			if email := in.Contact.Email; email != "" {
				if err := s.askEmail(r.Context(), m.ID, m.Language, email); err != nil {
					return err
				}
				next += "?done=email"
			}
			http.Redirect(w, r, next, http.StatusSeeOther)
			return nil
		}
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "join.html", "join.title", &v)
}
