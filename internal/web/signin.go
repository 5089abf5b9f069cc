package web

import (
	"errors"
	"net/http"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// A sign-in link, /signin/{token}, made by the server's operator with
// "commune signin-link" (store/signinlink.go): the way into a browser
// for the first organizer of a server that sends no email, or for a
// member who lost their passkey and has no email. Opening it changes
// nothing: the page names the account and shows a button, whose POST
// uses the link and opens a session, so that the link previews of a
// chat, which open every link they see, do not spend it. The session
// is a code's, not a passkey's; the account page is where the member
// then adds a passkey. Both the page and its form are limited per
// client, as an email's confirmation is.

func (s *Server) signInRoutes() []route {
	return []route{
		{pattern: "GET /signin/{token}", public: true, page: true, h: s.signInPage},
		{pattern: "POST /signin/{token}", public: true, page: true, h: s.signInPost},
	}
}

// signInView is the page a sign-in link opens.
type signInView struct {
	Token   string
	Alias   string // of the account the link signs in
	Problem bool   // the link does not work
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitClient(w, r, s.login.now(), s.login.confirmPerClient); err != nil {
		return err
	}
	v := signInView{Token: r.PathValue("token")}
	var err error = store.ErrSignInLinkGone
	member := ""
	if auth.CheckFormat(v.Token, auth.SignInPrefix) == nil {
		member, err = s.store.SignInLinkFor(r.Context(), auth.Hash(v.Token), s.login.now())
	}
	if err == nil {
		var m *store.Member
		if m, err = s.store.Member(r.Context(), member); err == nil {
			v.Alias = m.Alias
		}
	}
	switch {
	case errors.Is(err, store.ErrSignInLinkGone), store.ErrorCode(err) == store.CodeNotFound:
		v.Problem = true
		return s.render(w, r, http.StatusGone, "signin.html", "signin.title", &v)
	case err != nil:
		return err
	}
	return s.render(w, r, http.StatusOK, "signin.html", "signin.title", &v)
}

func (s *Server) signInPost(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitClient(w, r, s.login.now(), s.login.confirmPerClient); err != nil {
		return err
	}
	// A form of another site may not sign anyone in here.
	if o := r.Header.Get("Origin"); o != "" && o != s.login.origin {
		return errorf(store.CodeForbidden, msgOtherOrigin)
	}
	v := signInView{Token: r.PathValue("token")}
	var err error = store.ErrSignInLinkGone
	member := ""
	if auth.CheckFormat(v.Token, auth.SignInPrefix) == nil {
		member, err = s.store.UseSignInLink(r.Context(), auth.Hash(v.Token), s.login.now())
	}
	switch {
	case errors.Is(err, store.ErrSignInLinkGone):
		v.Problem = true
		return s.render(w, r, http.StatusGone, "signin.html", "signin.title", &v)
	case err != nil:
		return err
	}
	if _, err := s.openSession(w, r, member, false); err != nil {
		return err
	}
	s.log.Info("signed in by a link")
	http.Redirect(w, r, "/me/account", http.StatusSeeOther)
	return nil
}
