package web

import (
	"html/template"
	"net/http"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
)

// Fail puts the domain error inside err on the page, with its status (nil
// changes nothing). It returns err when err is not a domain error: that is
// a bug, for the error page.
func (v *View) Fail(err error) error {
	if err == nil {
		return nil
	}
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	v.Error, v.Status = e, Status(e)
	return nil
}

// RenderPage renders the page template t with data for a. A failure, when
// set, is shown on the page (a form with what the person must fix) with its
// status; one that is not a domain error is returned instead.
func (s *Server) RenderPage(w http.ResponseWriter, r *http.Request, a *auth.Actor, t *template.Template, title string, data any, failure error) error {
	v := s.NewView(r, a, title, data)
	if err := v.Fail(failure); err != nil {
		return err
	}
	s.Render(w, r, t, v)
	return nil
}

// FormError says whether err belongs on the form that was posted, the
// person being able to fix it (bad input, a broken rule or a refused
// lifecycle step, a conflict, a file too large or of the wrong kind),
// rather than on the error page.
func FormError(err error) bool {
	switch apperr.Code(err) {
	case apperr.EINVALID, apperr.ERULE, apperr.ECONFLICT, apperr.ETOOLARGE, apperr.EUNSUPPORTED:
		return true
	}
	return false
}
