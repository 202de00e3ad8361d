package sheet

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/web"
)

// XLSXType is the media type of an .xlsx workbook.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ReadUpload reads the workbook of an import request, of at most maxSize
// bytes (0: MaxSize): the "file" field of a multipart form, or the whole
// body sent as an xlsx (or octet-stream). It also reads the form's
// "dry_run" field; a dry_run query parameter is the caller's business.
func ReadUpload(w http.ResponseWriter, r *http.Request, maxSize int64) (data []byte, dryRun bool, err error) {
	data, fields, err := ReadUploadFields(w, r, maxSize, "dry_run")
	if err != nil {
		return nil, false, err
	}
	return data, Truthy(fields["dry_run"]), nil
}

// ReadUploadFields is ReadUpload for a form with other small fields (such
// as org_id): their values, trimmed, by name. A raw body has none.
func ReadUploadFields(w http.ResponseWriter, r *http.Request, maxSize int64, names ...string) (data []byte, fields map[string]string, err error) {
	if maxSize <= 0 {
		maxSize = MaxSize
	}
	tooLarge := TooLarge(maxSize)
	fields = map[string]string{}
	r.Body = http.MaxBytesReader(w, r.Body, maxSize+1<<20)
	// tooLargeOr answers a read cut off by MaxBytesReader as too large.
	tooLargeOr := func(err error, otherwise error) error {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge
		}
		return otherwise
	}
	malformed := apperr.Field(apperr.EINVALID, "file", "表单格式错误 / malformed form")
	broken := apperr.Field(apperr.EINVALID, "file", "上传中断 / the upload broke off")
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, nil, malformed
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, tooLargeOr(err, malformed)
			}
			switch name := part.FormName(); {
			case name == "file":
				if data != nil {
					return nil, nil, apperr.Field(apperr.EINVALID, "file", "一次只能导入一个文件 / send one file at a time")
				}
				b, err := io.ReadAll(io.LimitReader(part, maxSize+1))
				if err != nil {
					return nil, nil, tooLargeOr(err, broken)
				}
				if int64(len(b)) > maxSize {
					return nil, nil, tooLarge
				}
				data = b
			case slices.Contains(names, name):
				b, err := io.ReadAll(io.LimitReader(part, 64))
				if err != nil {
					return nil, nil, tooLargeOr(err, broken)
				}
				fields[name] = strings.TrimSpace(string(b))
			}
			part.Close()
		}
	case XLSXType, "application/octet-stream":
		b, err := io.ReadAll(io.LimitReader(r.Body, maxSize+1))
		if err != nil {
			return nil, nil, tooLargeOr(err, broken)
		}
		if int64(len(b)) > maxSize {
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

// Truthy reads a checkbox or flag: 1, true, on, yes (any case).
func Truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "on", "yes":
		return true
	}
	return false
}

// RejectedBody is the 422 answer of an import with problems: the API's
// error object and every problem.
type RejectedBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Rows []RowError `json:"rows"`
}

// WriteRejected answers an import with problems: 422, RejectedBody.
func WriteRejected(w http.ResponseWriter, rej *Rejected) {
	var body RejectedBody
	body.Error.Code, body.Error.Message, body.Rows = apperr.ERULE, rej.Message(), rej.Rows
	if body.Rows == nil {
		body.Rows = []RowError{}
	}
	web.WriteJSON(w, http.StatusUnprocessableEntity, body)
}

// SendXLSX answers a workbook download, named asciiName for old clients
// and name (UTF-8) for the others; it is never cached.
func SendXLSX(w http.ResponseWriter, asciiName, name string, data []byte) {
	w.Header().Set("Content-Type", XLSXType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+asciiName+`"; filename*=UTF-8''`+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}
