package dispute

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/sheet"
	"github.com/anwen-gov/anwen/internal/web"
)

type handlers struct {
	srv *web.Server
	svc *Service
}

// Register adds the dispute API, the pages and the menu entry.
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("POST", "/api/v1/disputes", h.apiCreate)
	srv.API("GET", "/api/v1/disputes", h.apiList)
	srv.API("GET", "/api/v1/disputes/{id}", h.apiGet)
	srv.API("POST", "/api/v1/disputes/{id}/transitions", h.apiTransition)
	srv.API("GET", "/api/v1/disputes/{id}/party", h.apiParty)
	srv.API("GET", "/api/v1/disputes/export.xlsx", h.apiExport)
	srv.API("POST", "/api/v1/disputes/import", h.apiImport)
	srv.API("GET", "/api/v1/disputes/types", h.apiTypes)
	srv.API("PUT", "/api/v1/disputes/types/{code}", h.apiPutType)
	srv.API("GET", "/api/v1/disputes/risk-levels", h.apiLevels)
	srv.API("PUT", "/api/v1/disputes/risk-levels/{code}", h.apiPutLevel)
	srv.API("GET", "/api/v1/disputes/settings", h.apiGetSettings)
	srv.API("PUT", "/api/v1/disputes/settings", h.apiPutSettings)
	registerPages(srv, svc)
}

func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Input
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := h.svc.Register(r.Context(), a, in)
	if err != nil {
		return err
	}
	out, err := h.svc.Detail(r.Context(), a, d.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/disputes/"+itoa(d.ID))
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
	web.WriteJSON(w, http.StatusOK, d)
	return nil
}

func (h *handlers) apiParty(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
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

func (h *handlers) apiExport(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	// Checked before any byte is sent, so that a refusal is a proper error.
	if _, _, err := h.svc.where(r.Context(), a, &f); err != nil {
		return err
	}
	sheet.StartDownload(w, exportName(h.svc.Clock.Now()))
	if _, err := h.svc.Export(r.Context(), a, f, w); err != nil {
		h.svc.log().Error("dispute export", "err", err)
	}
	return nil
}

func parseID(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.New(apperr.EINVALID, "not an id")
	}
	return n, nil
}

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !a.CanAnywhere(auth.DisputeReport) {
		return h.srv.Auth.Refuse(r.Context(), a, auth.DisputeReport, "dispute", apperr.NotFound("dispute"))
	}
	web.AllowLongWrite(w, 10*time.Minute)
	in, err := sheet.ReadImport(w, r, MaxImportSize)
	if err != nil {
		return err
	}
	res, err := h.svc.Import(r.Context(), a, in.Data, in.OrgID, in.DryRun)
	return sheet.WriteImport(w, in.Status(), res, err)
}

// readable: the lists of types and levels are for everyone who works with
// disputes.
func (h *handlers) readable(r *http.Request, a *auth.Actor, what string) error {
	if a.Operator || a.CanAnywhere(auth.DisputeView) || a.CanAnywhere(auth.DisputeConfigure) {
		return nil
	}
	return h.srv.Auth.Refuse(r.Context(), a, auth.DisputeView, what, apperr.NotFound(what))
}

func (h *handlers) apiTypes(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if err := h.readable(r, a, "dispute_type"); err != nil {
		return err
	}
	ts, err := Types(r.Context(), h.svc.DB, r.URL.Query().Get("all") != "")
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, ts)
	return nil
}

func (h *handlers) apiPutType(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in TypeInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	t := Type{Code: r.PathValue("code"), Name: in.Name, NameEN: in.NameEN, Sort: in.Sort, Active: in.Active}
	out, err := h.svc.PutType(r.Context(), a, t)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *handlers) apiLevels(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if err := h.readable(r, a, "dispute_risk_level"); err != nil {
		return err
	}
	ls, err := RiskLevels(r.Context(), h.svc.DB, r.URL.Query().Get("all") != "")
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, ls)
	return nil
}

func (h *handlers) apiPutLevel(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in RiskLevelInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	l := RiskLevel{Code: r.PathValue("code"), Name: in.Name, NameEN: in.NameEN, Color: in.Color, Sort: in.Sort, LeadScope: in.LeadScope, LeadPosts: in.LeadPosts, Active: in.Active}
	out, err := h.svc.PutRiskLevel(r.Context(), a, l)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *handlers) apiGetSettings(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if err := h.readable(r, a, "dispute_settings"); err != nil {
		return err
	}
	st, err := LoadSettings(r.Context(), h.svc.DB)
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
