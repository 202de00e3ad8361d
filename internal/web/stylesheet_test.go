package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
)

func TestStylesheet(t *testing.T) {
	s := New(nil, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	css := ".x{color:red}"
	s.Stylesheet("/static/x.css", fstest.MapFS{"static/x.css": {Data: []byte(css)}}, "static/x.css")
	get := func(h http.Header) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/static/x.css", nil)
		for k, v := range h {
			r.Header[k] = v
		}
		w := httptest.NewRecorder()
		s.mux.ServeHTTP(w, r)
		return w
	}
	w := get(nil)
	etag := w.Header().Get("ETag")
	if w.Code != 200 || w.Body.String() != css || etag == "" ||
		w.Header().Get("Content-Type") != "text/css; charset=utf-8" || w.Header().Get("Cache-Control") != "public, max-age=3600" {
		t.Fatalf("%d %v %q", w.Code, w.Header(), w.Body)
	}
	if w := get(http.Header{"If-None-Match": {etag}}); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("revalidation: %d %q", w.Code, w.Body)
	}
	if w := get(http.Header{"If-None-Match": {`"other"`}}); w.Code != 200 || w.Body.String() != css {
		t.Errorf("a stale ETag: %d", w.Code)
	}
	found := false
	for _, rt := range s.Routes() {
		found = found || (rt.Pattern == "/static/x.css" && rt.Method == "GET" && rt.Access == Public)
	}
	if !found {
		t.Error("the stylesheet is not a public route")
	}
	defer func() {
		if recover() == nil {
			t.Error("a missing stylesheet was taken")
		}
	}()
	s.Stylesheet("/static/y.css", fstest.MapFS{}, "static/y.css")
}
