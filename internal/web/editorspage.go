package web

import (
	"net/http"
	"strings"

	"github.com/commune-org/commune/internal/store"
)

// The organizers' page of the newspaper's editors: who reviews and
// publishes articles, a member made an editor by their alias, an editor
// made a plain member again. The API does the same through
// /api/v1/editors.

// editorsView is what the editors' page shows.
type editorsView struct {
	Editors []store.Editor
	Form    form // the alias of the member to make an editor
}

func (s *Server) renderEditors(w http.ResponseWriter, r *http.Request, status int, f form) error {
	eds, err := s.store.Editors(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, status, "news_editors.html", "news.editors.title", editorsView{Editors: eds, Form: f})
}

func (s *Server) editorsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderEditors(w, r, http.StatusOK, newForm())
}

// editorsPost makes the member of the form's alias an editor, or, with
// remove set to a member's id, a plain member again.
func (s *Server) editorsPost(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if id := r.PostFormValue("remove"); id != "" {
		if err := s.store.SetEditor(ctx, id, false); err != nil {
			return err
		}
		http.Redirect(w, r, "/news/editors", http.StatusSeeOther)
		return nil
	}
	lang := s.ui.pageLang(r)
	f := newForm()
	f.Values["alias"] = strings.TrimSpace(r.PostFormValue("alias"))
	var m *store.Member
	var err error
	switch {
	case f.Values["alias"] == "":
		f.Errors["alias"] = s.ui.t(lang, "news.error.required")
	default:
		m, err = s.store.MemberByAlias(ctx, f.Values["alias"])
		if store.ErrorCode(err) == store.CodeNotFound {
			f.Errors["alias"] = s.ui.t(lang, "news.editors.unknown")
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		return s.renderEditors(w, r, http.StatusUnprocessableEntity, f)
	}
	if err := s.store.SetEditor(ctx, m.ID, true); err != nil {
		return err
	}
	http.Redirect(w, r, "/news/editors", http.StatusSeeOther)
	return nil
}
