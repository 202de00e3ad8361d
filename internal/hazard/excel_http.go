package hazard

import (
	"net/http"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/sheet"
	"github.com/anwen-gov/anwen/internal/web"
)

func (h *handlers) apiExport(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	// Checked before any byte is sent, so that a refusal is a proper error.
	if _, err := h.svc.build(r.Context(), a, &f); err != nil {
		return err
	}
	sheet.StartDownload(w, exportName(h.svc.Clock.Now()))
	if _, err := h.svc.Export(r.Context(), a, f, w); err != nil {
		h.svc.log().Error("hazard export", "err", err)
	}
	return nil
}

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !a.CanAnywhere(auth.HazardReport) {
		return h.srv.Auth.Refuse(r.Context(), a, auth.HazardReport, "hazard", apperr.NotFound("hazard"))
	}
	web.AllowLongWrite(w, 10*time.Minute)
	in, err := sheet.ReadImport(w, r, MaxImportSize)
	if err != nil {
		return err
	}
	res, err := h.svc.Import(r.Context(), a, in.Data, in.OrgID, in.DryRun)
	return sheet.WriteImport(w, in.Status(), res, err)
}
