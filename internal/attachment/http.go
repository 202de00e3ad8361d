package attachment

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/web"
)

type handlers struct {
	srv *web.Server
	svc *Service
}

// Register adds the attachment routes: the upload and the bytes over the
// API (bearer token or session), and the bytes for pages (<img>, downloads).
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("POST", "/api/v1/attachments", h.apiUpload)
	srv.API("GET", "/api/v1/attachments/{id}", h.apiGet)
	srv.API("GET", "/api/v1/attachments/{id}/content", func(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
		return h.serve(w, r, a, false)
	})
	srv.API("GET", "/api/v1/attachments/{id}/thumb", func(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
		return h.serve(w, r, a, true)
	})
	srv.Page("GET", "/attachments/{id}", func(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
		return h.serve(w, r, a, false)
	})
	srv.Page("GET", "/attachments/{id}/thumb", func(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
		return h.serve(w, r, a, true)
	})
}

// multipartOverhead is what the form around one file may add to its size.
const multipartOverhead = 1 << 20

// apiUpload takes one file in the field "file" of a multipart/form-data body.
func (h *handlers) apiUpload(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	AllowSlowUpload(w)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return apperr.New(apperr.EUNSUPPORTED, "请以 multipart/form-data 上传，文件放在字段 file 中 / send multipart/form-data with the file in the field file")
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxSize+multipartOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return apperr.Field(apperr.EINVALID, "file", "表单格式错误 / malformed form")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return apperr.Field(apperr.EINVALID, "file", "缺少字段 file / the field file is missing")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return tooLarge("file", "")
			}
			return apperr.Field(apperr.EINVALID, "file", "表单格式错误或上传中断 / the form is malformed or the upload broke off")
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		att, err := h.svc.Store(r.Context(), a, part.FileName(), part)
		if err != nil {
			if apperr.Code(err) == apperr.ETOOLARGE {
				// Read what is left (bounded by MaxBytesReader) so that the
				// client, still sending, reads the answer.
				io.Copy(io.Discard, r.Body)
			}
			return err
		}
		w.Header().Set("Location", "/api/v1/attachments/"+itoa(att.ID))
		web.WriteJSON(w, http.StatusCreated, att.Info())
		return nil
	}
}

// AllowSlowUpload lifts the server's 60-second read timeout for this
// request: 20 MB of photos over a weak rural uplink take minutes. A page
// handler whose form carries files calls it before FromForm.
func AllowSlowUpload(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(15 * time.Minute))
	rc.SetWriteDeadline(time.Now().Add(16 * time.Minute))
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	att, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, att.Info())
	return nil
}

// serve sends an attachment's bytes, or its thumbnail's: the sniffed type,
// nosniff, inline with the file name (RFC 6266/5987, so Chinese names
// survive), private caching, the SHA-256 as ETag (304 on If-None-Match),
// ranges (http.ServeContent).
func (h *handlers) serve(w http.ResponseWriter, r *http.Request, a *auth.Actor, thumb bool) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	att, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	if thumb && !att.HasThumb() {
		return apperr.New(apperr.ENOTFOUND, "此附件没有缩略图 / this attachment has no thumbnail")
	}
	etag := att.ETag(thumb)
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.Header().Set("ETag", etag)
		w.Header().Set("Cache-Control", cacheControl)
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	c, err := h.svc.open(r.Context(), att, thumb)
	if err != nil {
		return err
	}
	defer c.Body.Close()
	name := att.Filename
	if thumb {
		name = strings.TrimSuffix(name, filepath.Ext(name)) + "-thumb.jpg"
	}
	hd := w.Header()
	hd.Set("Content-Type", c.ContentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Disposition", ContentDisposition("inline", name))
	hd.Set("Cache-Control", cacheControl)
	hd.Set("ETag", etag)
	http.ServeContent(w, r, "", att.UploadedAt, c.Body)
	return nil
}

// cacheControl lets the browser keep an attachment an hour (its bytes never
// change under an id); shared caches never keep it.
const cacheControl = "private, max-age=3600"

// etagMatch reports whether an If-None-Match header names etag.
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// ContentDisposition builds the header for a file name: an ASCII fallback
// and the UTF-8 name percent-encoded (RFC 6266, RFC 5987).
func ContentDisposition(disposition, name string) string {
	var fallback, enc strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7E || r == '"' || r == '\\' || r == '%' {
			fallback.WriteByte('_')
		} else {
			fallback.WriteRune(r)
		}
	}
	const hexdigits = "0123456789ABCDEF"
	for _, c := range []byte(name) {
		if isAttrChar(c) {
			enc.WriteByte(c)
		} else {
			enc.WriteByte('%')
			enc.WriteByte(hexdigits[c>>4])
			enc.WriteByte(hexdigits[c&15])
		}
	}
	return disposition + `; filename="` + fallback.String() + `"; filename*=UTF-8''` + enc.String()
}

// isAttrChar is RFC 5987's attr-char.
func isAttrChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
