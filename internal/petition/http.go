package petition

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/sheet"
	"github.com/anwen-gov/anwen/internal/web"
)

type handlers struct {
	srv *web.Server
	svc *Service
}

// Register adds the petition API, the pages and the menu entry.
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("POST", "/api/v1/petitions", h.apiCreate)
	srv.API("GET", "/api/v1/petitions", h.apiList)
	srv.API("GET", "/api/v1/petitions/export.xlsx", h.apiExport)
	srv.API("GET", "/api/v1/petitions/stats", h.apiStats)
	srv.API("GET", "/api/v1/petitions/stats.xlsx", h.apiStatsXLSX)
	srv.API("GET", "/api/v1/petitions/{id}", h.apiGet)
	srv.API("POST", "/api/v1/petitions/{id}/transitions", h.apiTransition)
	srv.API("GET", "/api/v1/petitions/{id}/personal", h.apiPersonal)
	srv.API("POST", "/api/v1/petitions/similar", h.apiSimilar)
	srv.API("GET", "/api/v1/petitions/subjects", h.apiSubjects)
	srv.API("GET", "/api/v1/petitions/settings", h.apiGetSettings)
	srv.API("PUT", "/api/v1/petitions/settings", h.apiPutSettings)
	registerPages(srv, svc)
}

func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Input
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := h.svc.Register(r.Context(), a, in)
	if err != nil {
		return err
	}
	out, err := h.svc.Detail(r.Context(), a, p.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/petitions/"+itoa(p.ID))
	web.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := h.svc.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(p.Total))
	web.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *handlers) apiExport(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	// Checked before any byte is sent, so that a refusal is a proper error.
	if err := f.validate(); err != nil {
		return err
	}
	if _, err := h.svc.build(r.Context(), a, &f); err != nil {
		return err
	}
	sheet.StartDownload(w, exportName(h.svc.Clock.Now()))
	if _, err := h.svc.Export(r.Context(), a, f, w); err != nil {
		h.svc.log().Error("petition export", "err", err)
	}
	return nil
}

func (h *handlers) apiStats(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f, err := ParseStatsFilter(r.URL.Query())
	if err != nil {
		return err
	}
	st, err := h.svc.Stats(r.Context(), a, f)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (h *handlers) apiStatsXLSX(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f, err := ParseStatsFilter(r.URL.Query())
	if err != nil {
		return err
	}
	// Built whole before a byte is sent, so that a refusal is a proper error.
	var buf bytes.Buffer
	if err := h.svc.ExportStats(r.Context(), a, f, &buf); err != nil {
		return err
	}
	sheet.StartDownload(w, statsName(h.svc.Clock.Now()))
	if _, err := buf.WriteTo(w); err != nil {
		h.svc.log().Error("petition stats workbook", "err", err)
	}
	return nil
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.svc.Detail(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, d)
	return nil
}

// Gone is the answer of a step after which the case is no longer the
// caller's to see (they stepped aside, or objected and it went back to
// the bureau).
type Gone struct {
	ID      int64 `json:"id"`
	Visible bool  `json:"visible"`
}

func (h *handlers) apiTransition(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in TransitionInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := h.svc.Transition(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	if d == nil {
		web.WriteJSON(w, http.StatusOK, Gone{ID: id})
		return nil
	}
	web.WriteJSON(w, http.StatusOK, d)
	return nil
}

func (h *handlers) apiPersonal(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.svc.Reveal(r.Context(), a, id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *handlers) apiSimilar(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var q SimilarQuery
	if err := web.DecodeJSON(w, r, &q); err != nil {
		return err
	}
	out, err := h.svc.Similar(r.Context(), a, q)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *handlers) apiSubjects(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !a.Operator && !a.CanAnywhere(auth.PetitionView) {
		return h.srv.Auth.Refuse(r.Context(), a, auth.PetitionView, "petition_subject", apperr.NotFound("petition_subject"))
	}
	web.WriteJSON(w, http.StatusOK, Subjects)
	return nil
}

func (h *handlers) apiGetSettings(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	st, err := h.svc.GetSettings(r.Context(), a)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (h *handlers) apiPutSettings(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Settings
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := h.svc.PutSettings(r.Context(), a, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, st)
	return nil
}
