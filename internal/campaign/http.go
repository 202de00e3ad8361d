package campaign

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

// Register adds the campaign API and the pages (RegisterMenu the menu entry).
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("POST", "/api/v1/campaigns", h.apiCreate)
	srv.API("GET", "/api/v1/campaigns", h.apiList)
	srv.API("GET", "/api/v1/campaigns/{id}", h.apiGet)
	srv.API("PUT", "/api/v1/campaigns/{id}", h.apiUpdate)
	srv.API("POST", "/api/v1/campaigns/{id}/transitions", h.apiTransition)
	srv.API("GET", "/api/v1/campaigns/{id}/tasks/{task_id}", h.apiTask)
	srv.API("POST", "/api/v1/campaigns/{id}/rechecks/{recheck_id}", h.apiRecheck)
	registerPages(srv, svc)
}

// FilterParams documents the list's query parameters (name, type, meaning).
var FilterParams = [][3]string{
	{"status", "string", "draft, active or closed (default: all, running ones first)"},
	{"limit", "integer", "at most 100 (default 50)"},
}

func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Input
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.Create(r.Context(), a, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/campaigns/"+itoa(c.ID))
	web.WriteJSON(w, http.StatusCreated, c)
	return nil
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f := Filter{Status: r.URL.Query().Get("status")}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fieldErr("limit")
		}
		f.Limit = n
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
	c, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, c)
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
	c, err := h.svc.Update(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, c)
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
	c, err := h.svc.Transition(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *handlers) apiTask(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	tid, err := web.PathID(r, "task_id")
	if err != nil {
		return err
	}
	d, err := h.svc.GetTask(r.Context(), a, id, tid)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, d)
	return nil
}

func (h *handlers) apiRecheck(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	rid, err := web.PathID(r, "recheck_id")
	if err != nil {
		return err
	}
	var in RecheckInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	rc, err := h.svc.Recheck(r.Context(), a, id, rid, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, rc)
	return nil
}
