package sheet

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/web"
)

// ImportRequest is what an import API call for one organisation's records
// sends: the workbook, the organisation (0: the caller's own) and whether
// it is a dry run.
type ImportRequest struct {
	Data   []byte
	OrgID  int64
	DryRun bool
}

// ReadImport reads an import API call (see ReadUploadFields) of at most
// maxSize bytes: org_id and dry_run come from the form's fields or the
// query, the query first for org_id.
func ReadImport(w http.ResponseWriter, r *http.Request, maxSize int64) (ImportRequest, error) {
	data, fields, err := ReadUploadFields(w, r, maxSize, "org_id", "dry_run")
	if err != nil {
		return ImportRequest{}, err
	}
	in := ImportRequest{Data: data, DryRun: Truthy(fields["dry_run"]) || Truthy(r.URL.Query().Get("dry_run"))}
	org := fields["org_id"]
	if q := r.URL.Query().Get("org_id"); q != "" {
		org = q
	}
	if org != "" {
		if in.OrgID, err = strconv.ParseInt(strings.TrimSpace(org), 10, 64); err != nil || in.OrgID <= 0 {
			return ImportRequest{}, apperr.Field(apperr.EINVALID, "org_id", "org_id 须为正整数 / org_id must be a positive integer")
		}
	}
	return in, nil
}

// Status is the success status of the import: 201 Created, 200 for a dry
// run (nothing was written).
func (in ImportRequest) Status() int {
	if in.DryRun {
		return http.StatusOK
	}
	return http.StatusCreated
}

// WriteImport answers an import API call: a rejected workbook with its
// problems (422, RejectedBody), any other error returned as it is, else
// res as JSON with status.
func WriteImport(w http.ResponseWriter, status int, res any, err error) error {
	var rej *Rejected
	if errors.As(err, &rej) {
		WriteRejected(w, rej)
		return nil
	}
	if err != nil {
		return err
	}
	web.WriteJSON(w, status, res)
	return nil
}
