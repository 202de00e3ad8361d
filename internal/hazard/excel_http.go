package hazard

import (
	"errors"
	"net/http"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/sheet"
	"github.com/anwen-gov/anwen/internal/web"
)

// allowLongWrite lifts the write timeout for a long export or import.
func allowLongWrite(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Now().Add(10 * time.Minute))
	rc.SetReadDeadline(time.Now().Add(10 * time.Minute))
}

func (h *handlers) apiExport(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	// Checked before any byte is sent, so that a refusal is a proper error.
	if _, err := h.svc.build(r.Context(), a, &f); err != nil {
		return err
	}
	allowLongWrite(w)
	w.Header().Set("Content-Type", XLSXType)
	w.Header().Set("Content-Disposition", attachment.ContentDisposition("attachment", exportName(h.svc.Clock.Now())))
	w.Header().Set("Cache-Control", "no-store")
	if _, err := h.svc.Export(r.Context(), a, f, w); err != nil {
		h.svc.log().Error("hazard export", "err", err)
	}
	return nil
}

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !a.CanAnywhere(auth.HazardReport) {
		return h.srv.Auth.Refuse(r.Context(), a, auth.HazardReport, "hazard", apperr.NotFound("hazard"))
	}
	allowLongWrite(w)
	data, fields, err := sheet.ReadUploadFields(w, r, MaxImportSize, "org_id", "dry_run")
	if err != nil {
		return err
	}
	orgS := fields["org_id"]
	if q := r.URL.Query().Get("org_id"); q != "" {
		orgS = q
	}
	var orgID int64
	if orgS != "" {
		if orgID, err = parseID(orgS); err != nil {
			return apperr.Field(apperr.EINVALID, "org_id", "org_id 须为正整数 / org_id must be a positive integer")
		}
	}
	dry := sheet.Truthy(fields["dry_run"]) || sheet.Truthy(r.URL.Query().Get("dry_run"))
	res, err := h.svc.Import(r.Context(), a, data, orgID, dry)
	var rej *sheet.Rejected
	if errors.As(err, &rej) {
		sheet.WriteRejected(w, rej)
		return nil
	}
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if dry {
		status = http.StatusOK
	}
	web.WriteJSON(w, status, res)
	return nil
}
