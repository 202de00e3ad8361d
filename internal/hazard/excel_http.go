package hazard

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/auth"
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

// ImportRejection is the 422 answer of an import with problems.
type ImportRejection struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Rows []RowError `json:"rows"`
}

// readUpload reads the workbook of a request: the "file" field of a
// multipart form (with optional org_id and dry_run fields), or the whole
// body sent as an xlsx.
func readUpload(w http.ResponseWriter, r *http.Request) (data []byte, fields map[string]string, err error) {
	fields = map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, MaxImportSize+1<<20)
	tooLarge := apperr.Field(apperr.ETOOLARGE, "file", "文件超过 10 MiB / the file is larger than 10 MiB")
	switch ct {
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, nil, apperr.Field(apperr.EINVALID, "file", "表单格式错误 / malformed form")
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return nil, nil, tooLarge
				}
				return nil, nil, apperr.Field(apperr.EINVALID, "file", "表单格式错误 / malformed form")
			}
			switch name := part.FormName(); name {
			case "file":
				b, err := io.ReadAll(io.LimitReader(part, MaxImportSize+1))
				if err != nil {
					return nil, nil, apperr.Field(apperr.EINVALID, "file", "上传中断 / the upload broke off")
				}
				if len(b) > MaxImportSize {
					return nil, nil, tooLarge
				}
				data = b
			case "org_id", "dry_run":
				b, _ := io.ReadAll(io.LimitReader(part, 32))
				fields[name] = strings.TrimSpace(string(b))
			}
			part.Close()
		}
	case XLSXType, "application/octet-stream":
		b, err := io.ReadAll(io.LimitReader(r.Body, MaxImportSize+1))
		if err != nil {
			return nil, nil, tooLarge
		}
		if len(b) > MaxImportSize {
			return nil, nil, tooLarge
		}
		data = b
	default:
		return nil, nil, apperr.New(apperr.EUNSUPPORTED, "请以 multipart/form-data（字段 file）或 %s 上传 / send multipart/form-data (field file) or %s", XLSXType, XLSXType)
	}
	if len(data) == 0 {
		return nil, nil, apperr.Field(apperr.EINVALID, "file", "请选择要导入的 Excel 文件 / choose an Excel file to import")
	}
	return data, fields, nil
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "on", "yes":
		return true
	}
	return false
}

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !a.CanAnywhere(auth.HazardReport) {
		return h.srv.Auth.Refuse(r.Context(), a, auth.HazardReport, "hazard", apperr.NotFound("hazard"))
	}
	allowLongWrite(w)
	data, fields, err := readUpload(w, r)
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
	dry := truthy(fields["dry_run"]) || truthy(r.URL.Query().Get("dry_run"))
	res, err := h.svc.Import(r.Context(), a, data, orgID, dry)
	var rej *Rejected
	if errors.As(err, &rej) {
		var body ImportRejection
		body.Error.Code, body.Error.Message, body.Rows = apperr.ERULE, rej.Message(), rej.Rows
		web.WriteJSON(w, http.StatusUnprocessableEntity, body)
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
