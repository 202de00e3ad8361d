package hazard

import (
	"net/http"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/web"
)

type handlers struct {
	srv *web.Server
	svc *Service
}

// Register adds the hazard API, the pages and the menu entry.
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("POST", "/api/v1/hazards", h.apiCreate)
	srv.API("GET", "/api/v1/hazards", h.apiList)
	srv.API("GET", "/api/v1/hazards/{id}", h.apiGet)
	srv.API("POST", "/api/v1/hazards/{id}/transitions", h.apiTransition)
	srv.API("GET", "/api/v1/hazards/stats", h.apiStats)
	srv.API("GET", "/api/v1/hazards/prefill", h.apiPrefill)
	srv.API("GET", "/api/v1/hazards/export.xlsx", h.apiExport)
	srv.API("POST", "/api/v1/hazards/import", h.apiImport)
	srv.API("GET", "/api/v1/hazards/categories", h.apiCategories)
	srv.API("PUT", "/api/v1/hazards/categories/{code}", h.apiPutCategory)
	srv.API("GET", "/api/v1/hazards/standards", h.apiStandards)
	srv.API("POST", "/api/v1/hazards/standards", h.apiAddStandard)
	srv.API("PATCH", "/api/v1/hazards/standards/{id}", h.apiPatchStandard)
	srv.API("GET", "/api/v1/hazards/settings", h.apiGetSettings)
	srv.API("PUT", "/api/v1/hazards/settings", h.apiPutSettings)
	registerPages(srv, svc)
	registerQuarterly(srv, svc)
	registerReference(srv, svc)
}

func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Input
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	created, err := h.svc.Register(r.Context(), a, in)
	if err != nil {
		return err
	}
	d, err := h.svc.Detail(r.Context(), a, created.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/hazards/"+itoa(created.ID))
	web.WriteJSON(w, http.StatusCreated, d)
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
	if _, err := h.svc.Transition(r.Context(), a, id, in); err != nil {
		return err
	}
	d, err := h.svc.Detail(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, d)
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

// prefillRequest reads ?enterprise_id=, ?org_id=, ?from=dailyreport_item&item_id=.
func prefillRequest(r *http.Request) (PrefillRequest, error) {
	var req PrefillRequest
	q := r.URL.Query()
	var err error
	if s := strings.TrimSpace(q.Get("enterprise_id")); s != "" {
		if req.EnterpriseID, err = parseID(s); err != nil {
			return req, apperr.Field(apperr.EINVALID, "enterprise_id", "enterprise_id 须为正整数 / enterprise_id must be a positive integer")
		}
	}
	if s := strings.TrimSpace(q.Get("org_id")); s != "" {
		if req.OrgID, err = parseID(s); err != nil {
			return req, apperr.Field(apperr.EINVALID, "org_id", "org_id 须为正整数 / org_id must be a positive integer")
		}
	}
	switch q.Get("from") {
	case "":
	case "dailyreport_item", "daily_report_item":
		if req.DailyItemID, err = parseID(q.Get("item_id")); err != nil {
			return req, apperr.Field(apperr.EINVALID, "item_id", "item_id 须为每日报告事项的编号 / item_id must be a daily-report item id")
		}
	default:
		return req, apperr.Field(apperr.EINVALID, "from", "from 只能是 dailyreport_item / from must be dailyreport_item")
	}
	return req, nil
}

func (h *handlers) apiPrefill(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	req, err := prefillRequest(r)
	if err != nil {
		return err
	}
	p, err := h.svc.Prefill(r.Context(), a, req)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *handlers) apiCategories(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	cs, err := Categories(r.Context(), h.svc.DB, r.URL.Query().Get("all") != "")
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []Category{}
	}
	web.WriteJSON(w, http.StatusOK, cs)
	return nil
}

func (h *handlers) apiPutCategory(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var c Category
	if err := web.DecodeJSON(w, r, &c); err != nil {
		return err
	}
	c.Code = r.PathValue("code")
	out, err := h.svc.PutCategory(r.Context(), a, c)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *handlers) apiStandards(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ss, err := Standards(r.Context(), h.svc.DB, r.URL.Query().Get("all") != "")
	if err != nil {
		return err
	}
	if ss == nil {
		ss = []Standard{}
	}
	web.WriteJSON(w, http.StatusOK, ss)
	return nil
}

func (h *handlers) apiAddStandard(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in StandardInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := h.svc.AddStandard(r.Context(), a, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, st)
	return nil
}

// StandardPatch retires or re-activates a clause.
type StandardPatch struct {
	Active bool `json:"active"`
}

func (h *handlers) apiPatchStandard(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in StandardPatch
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := h.svc.SetStandardActive(r.Context(), a, id, in.Active)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (h *handlers) apiGetSettings(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !a.CanAnywhere(auth.HazardView) && !a.CanAnywhere(auth.HazardManage) && !a.Operator {
		return h.srv.Auth.Refuse(r.Context(), a, auth.HazardView, "hazard_settings", apperr.NotFound("hazard settings"))
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
