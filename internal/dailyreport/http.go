package dailyreport

import (
	"net/http"
	"strconv"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/web"
)

type handlers struct {
	srv *web.Server
	svc *Service
}

// Register adds the daily report API (pages are in pages.go).
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("POST", "/api/v1/daily-reports", h.apiSubmit)
	srv.API("GET", "/api/v1/daily-reports/board", h.apiBoard)
	srv.API("GET", "/api/v1/daily-reports/schedule", h.apiGetSchedule)
	srv.API("PUT", "/api/v1/daily-reports/schedule", h.apiPutSchedule)
	srv.API("POST", "/api/v1/daily-reports/items/{id}/acknowledge", h.apiAcknowledge)
	srv.API("POST", "/api/v1/daily-reports/items/{id}/followup", h.apiFollowUp)
	srv.API("POST", "/api/v1/orgs/{id}/ping-token", h.apiPingToken)
	srv.API("GET", "/api/v1/daily-reports/settings", h.apiGetSettings)
	srv.API("PUT", "/api/v1/daily-reports/settings", h.apiPutSettings)
	srv.API("GET", "/api/v1/daily-reports/units", h.apiUnits)
	srv.API("PUT", "/api/v1/daily-reports/units/{id}", h.apiMarkUnit)
	srv.PublicAPI("POST", "/ping/{token}", h.ping)
	registerPages(srv, svc)
}

func (h *handlers) apiSubmit(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Input
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	rec, err := h.svc.Submit(r.Context(), a, "api", in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, rec)
	return nil
}

// dateParam reads ?date= (default today).
func (h *handlers) dateParam(r *http.Request) (calendar.Date, error) {
	if s := r.URL.Query().Get("date"); s != "" {
		d, err := calendar.ParseDate(s)
		if err != nil {
			return d, apperr.Field(apperr.EINVALID, "date", "日期须为 YYYY-MM-DD / the date must be YYYY-MM-DD")
		}
		return d, nil
	}
	return h.svc.Today(), nil
}

func orgParam(r *http.Request) (int64, error) {
	s := r.URL.Query().Get("org_id")
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Field(apperr.EINVALID, "org_id", "org_id 须为正整数 / org_id must be a positive integer")
	}
	return id, nil
}

func (h *handlers) apiBoard(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	d, err := h.dateParam(r)
	if err != nil {
		return err
	}
	orgID, err := orgParam(r)
	if err != nil {
		return err
	}
	b, err := h.svc.Board(r.Context(), a, d, orgID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, b)
	return nil
}

func (h *handlers) apiGetSchedule(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	s, err := LoadSchedule(r.Context(), h.svc.DB)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, s)
	return nil
}

func (h *handlers) apiPutSchedule(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Schedule
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	s, err := h.svc.SetSchedule(r.Context(), a, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, s)
	return nil
}

func (h *handlers) apiAcknowledge(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc.Acknowledge(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// FollowUpCreated answers a follow-up.
type FollowUpCreated struct {
	ID int64 `json:"id"`
}

func (h *handlers) apiFollowUp(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in FollowUpInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	fid, err := h.svc.FollowUp(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, FollowUpCreated{ID: fid})
	return nil
}

// PingToken answers a token rotation; the token is shown once.
type PingToken struct {
	Token string `json:"token"`
	Path  string `json:"path"`
}

func (h *handlers) apiPingToken(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	tok, err := h.svc.RotatePingToken(r.Context(), a, id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, PingToken{Token: tok, Path: "/ping/" + tok})
	return nil
}

// ping is the unit's check-in address for SMS gateways and chat bots: a POST
// files "nothing to report" on both halves.
func (h *handlers) ping(w http.ResponseWriter, r *http.Request) {
	rec, err := h.svc.Ping(r.Context(), r.PathValue("token"))
	if err != nil {
		h.srv.WriteError(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, rec)
}
