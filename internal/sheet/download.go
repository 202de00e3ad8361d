package sheet

import (
	"net/http"
	"time"

	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/web"
)

// StartDownload begins a workbook download named name (UTF-8, with an
// ASCII fallback): an export may stream for minutes, and the file is
// never cached. Call it once the request is known to be allowed, before
// the first byte.
func StartDownload(w http.ResponseWriter, name string) {
	web.AllowLongWrite(w, 10*time.Minute)
	w.Header().Set("Content-Type", XLSXType)
	w.Header().Set("Content-Disposition", attachment.ContentDisposition("attachment", name))
	w.Header().Set("Cache-Control", "no-store")
}
