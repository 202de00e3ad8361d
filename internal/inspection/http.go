package inspection

import (
	"net/http"
	"strconv"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/web"
)

type handlers struct {
	srv *web.Server
	svc *Service
}

// Register adds the inspection API, the pages and the menu entry.
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("POST", "/api/v1/inspections", h.apiCreate)
	srv.API("GET", "/api/v1/inspections", h.apiList)
	srv.API("GET", "/api/v1/inspections/{id}", h.apiGet)
	srv.API("PUT", "/api/v1/inspections/{id}", h.apiUpdate)
	srv.API("POST", "/api/v1/inspections/{id}/hazards", h.apiHazard)
	srv.API("GET", "/api/v1/inspection-templates", h.apiTemplates)
	srv.API("GET", "/api/v1/inspection-templates/{id}", h.apiTemplate)
	srv.API("POST", "/api/v1/inspection-templates/{id}/versions", h.apiNewVersion)
	registerPages(srv, svc)
}

func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Input
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	i, err := h.svc.Record(r.Context(), a, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/inspections/"+itoa(i.ID))
	web.WriteJSON(w, http.StatusCreated, i)
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
	i, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, i)
	return nil
}

func (h *handlers) apiUpdate(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in Input
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	i, err := h.svc.Update(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, i)
	return nil
}

func (h *handlers) apiHazard(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var req HazardRequest
	if err := web.DecodeJSON(w, r, &req); err != nil {
		return err
	}
	link, err := h.svc.RegisterHazard(r.Context(), a, id, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/hazards/"+itoa(link.HazardID))
	web.WriteJSON(w, http.StatusCreated, link)
	return nil
}

func (h *handlers) apiTemplates(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ts, err := h.svc.Templates(r.Context(), a, r.URL.Query().Get("all") == "1")
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, ts)
	return nil
}

func (h *handlers) apiTemplate(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	t, err := h.svc.Template(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, t)
	return nil
}

func (h *handlers) apiNewVersion(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in VersionInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := h.svc.NewVersion(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/inspection-templates/"+itoa(t.ID))
	web.WriteJSON(w, http.StatusCreated, t)
	return nil
}
