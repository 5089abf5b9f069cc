package web

import (
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/store"
)

// The page a call's notice links to, /calls/answer/{token}: the call's
// details (which the notice itself never carries), how many are coming,
// and one button per answer. The token is the member's signed link
// (call.SignLink), so no sign-in is needed; opening the page changes
// nothing, and only its form's POST records an answer. Once the call's
// retention is over its recipients are deleted and the link opens
// nothing. The page and its form are limited per client
// (login.answerPerClient), generously: members on a picket may share a
// phone.

// answerView is what the answer page shows.
type answerView struct {
	Token   string
	Problem string // a catalog key: why there is nothing to answer
	Kind    string // a catalog key
	Message string
	// Place is where the call is: its site's name, or its cell; the
	// notice leaves it out, so this page is where the member learns it.
	Place     string
	Until     template.HTML // timeHTML
	Headcount int
	Coming    int
	Answer    string // a catalog key: the member's answer so far, "" if none
	Open      bool
	Error     string // why the last answer was refused, a catalog key
}

// The catalog keys of kinds and answers.
var (
	kindKeys = map[call.Kind]string{call.Raid: "calls.kind.raid", call.Picket: "calls.kind.picket",
		call.Disaster: "calls.kind.disaster", call.Other: "calls.kind.other"}
	answerKeys = map[call.Answer]string{call.Coming: "calls.answer.value.coming", call.Arrived: "calls.answer.value.arrived",
		call.Cannot: "calls.answer.value.cannot"}
)

// answerFor reads the token of the path and what the page shows about
// its call; a link that opens nothing is a problem for the page to say,
// not an error.
func (s *Server) answerFor(r *http.Request) (answerView, string, string, error) {
	v := answerView{Token: r.PathValue("token")}
	key, err := s.linkKey()
	if err != nil {
		return v, "", "", err
	}
	id, member, err := call.VerifyLink(key, v.Token)
	if err != nil {
		v.Problem = "calls.answer.unknown"
		return v, "", "", nil
	}
	// The link is the member's: unless this browser chose a language
	// (its cookie), the page speaks theirs, not the browser's default.
	if _, err := r.Cookie(langCookie); err != nil {
		if m, err := s.store.Member(r.Context(), member); err == nil && s.ui.catalog[m.Language] != nil {
			r.AddCookie(&http.Cookie{Name: langCookie, Value: m.Language})
		}
	}
	c, err := s.store.Call(r.Context(), id)
	if store.ErrorCode(err) == store.CodeNotFound {
		v.Problem = "calls.answer.unknown"
		return v, "", "", nil
	}
	if err != nil {
		return v, "", "", err
	}
	a, err := s.store.MemberAnswer(r.Context(), id, member)
	if store.ErrorCode(err) == store.CodeNotFound {
		v.Problem = "calls.answer.unknown"
		return v, "", "", nil
	}
	if err != nil {
		return v, "", "", err
	}
	cc, err := s.store.CallCounts(r.Context(), id)
	if err != nil {
		return v, "", "", err
	}
	lang := s.ui.pageLang(r)
	v.Kind = kindKeys[c.Kind]
	v.Message = c.Message.For(lang)
	v.Until = timeHTML(c.Until)
	v.Place = c.Cell
	if c.Site != "" {
		_, sites, err := s.sites(r)
		if err != nil {
			return v, "", "", err
		}
		v.Place = siteName(sites, c.Site)
	}
	v.Headcount, v.Coming, v.Answer = c.Headcount, cc.Coming, answerKeys[a]
	v.Open = c.Answerable(time.Now()) == nil
	return v, id, member, nil
}

func (s *Server) answerPage(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitClient(w, r, s.login.now(), s.login.answerPerClient); err != nil {
		return err
	}
	v, _, _, err := s.answerFor(r)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if v.Problem != "" {
		status = http.StatusNotFound
	}
	return s.render(w, r, status, "call_answer.html", "calls.answer.title", &v)
}

func (s *Server) answerPost(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitClient(w, r, s.login.now(), s.login.answerPerClient); err != nil {
		return err
	}
	// A form of another site may not answer for a member.
	if o := r.Header.Get("Origin"); o != "" && o != s.login.origin {
		return errorf(store.CodeForbidden, msgOtherOrigin)
	}
	v, id, member, err := s.answerFor(r)
	if err != nil {
		return err
	}
	if v.Problem != "" {
		return s.render(w, r, http.StatusNotFound, "call_answer.html", "calls.answer.title", &v)
	}
	a, err := call.ParseAnswer(r.PostFormValue("answer"))
	if err != nil {
		v.Error = "calls.answer.pick"
		return s.render(w, r, http.StatusUnprocessableEntity, "call_answer.html", "calls.answer.title", &v)
	}
	_, err = s.answer(r.Context(), id, member, a)
	switch {
	case errors.Is(err, call.ErrNotOpen), errors.Is(err, call.ErrNotAnswered):
		v.Open = false
		return s.render(w, r, http.StatusConflict, "call_answer.html", "calls.answer.title", &v)
	case err != nil:
		return err
	}
	// After a POST, a GET: reloading the page does not answer again.
	http.Redirect(w, r, "/calls/answer/"+v.Token, http.StatusSeeOther)
	return nil
}
