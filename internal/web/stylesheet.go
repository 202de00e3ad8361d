package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"time"
)

// Stylesheet serves file of fsys at path: a capability's own stylesheet
// (the CSP allows only same-origin styles), as text/css, cached for an hour,
// with an ETag of its content so that a browser revalidates it with a 304.
// A missing file is a programming error: Stylesheet panics.
func (s *Server) Stylesheet(path string, fsys fs.FS, file string) {
	css, err := fs.ReadFile(fsys, file)
	if err != nil {
		panic(fmt.Sprintf("stylesheet %s: %v", file, err))
	}
	sum := sha256.Sum256(css)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	s.PublicPage("GET", path, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/css; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=3600")
		h.Set("ETag", etag)
		http.ServeContent(w, r, path, time.Time{}, bytes.NewReader(css))
	})
}
