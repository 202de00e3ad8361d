package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/anwen-gov/anwen/internal/apperr"
)

type sample struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name, ctype, body string
		code, field       string
	}{
		{"ok", "application/json", `{"name":"a","count":2}`, "", ""},
		{"charset ok", "application/json; charset=utf-8", `{"name":"a"}`, "", ""},
		{"wrong type header", "text/plain", `{}`, apperr.EUNSUPPORTED, ""},
		{"no type header", "", `{}`, apperr.EUNSUPPORTED, ""},
		{"empty", "application/json", ``, apperr.EINVALID, ""},
		{"truncated", "application/json", `{"name":"a`, apperr.EINVALID, ""},
		{"syntax", "application/json", `{"name" "a"}`, apperr.EINVALID, ""},
		{"wrong field type", "application/json", `{"count":"two"}`, apperr.EINVALID, "count"},
		{"unknown field", "application/json", `{"name":"a","colour":1}`, apperr.EINVALID, "colour"},
		{"two values", "application/json", `{} {}`, apperr.EINVALID, ""},
		{"array", "application/json", `[1]`, apperr.EINVALID, ""},
		{"too large", "application/json", `{"name":"` + strings.Repeat("x", MaxBody) + `"}`, apperr.ETOOLARGE, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			var v sample
			err := DecodeJSON(httptest.NewRecorder(), r, &v)
			if apperr.Code(err) != tt.code {
				t.Fatalf("code %q (%v), want %q", apperr.Code(err), err, tt.code)
			}
			if e, ok := apperr.As(err); ok && e.Field != tt.field {
				t.Fatalf("field %q, want %q", e.Field, tt.field)
			}
		})
	}
}

func TestStatusMapsEveryCode(t *testing.T) {
	for _, code := range []string{apperr.EINVALID, apperr.EUNAUTHORIZED, apperr.EFORBIDDEN, apperr.ENOTFOUND, apperr.ECONFLICT,
		apperr.ETOOLARGE, apperr.EUNSUPPORTED, apperr.ERULE, apperr.ELOCKED, apperr.ERATELIMIT, apperr.EINTERNAL} {
		if _, ok := statusOf[code]; !ok {
			t.Errorf("code %s has no HTTP status", code)
		}
	}
	if Status(apperr.NotFound("x")) != 404 || Status(apperr.New(apperr.ERULE, "x")) != 422 || Status(errPlain{}) != 500 {
		t.Fatal("Status mapping is wrong")
	}
}

type errPlain struct{}

func (errPlain) Error() string { return "plain" }

func TestSafeNext(t *testing.T) {
	tests := map[string]string{
		"/people?x=1":          "/people?x=1",
		"":                     "/",
		"//evil.example/":      "/",
		"https://evil.example": "/",
		"/\\evil.example":      "/",
		"javascript:alert(1)":  "/",
	}
	for in, want := range tests {
		if got := SafeNext(in); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTranslate(t *testing.T) {
	if Translate(Chinese, "nav.home") != "工作台" || Translate(English, "nav.home") != "Home" {
		t.Fatal("nav.home translations")
	}
	if Translate(English, "no.such.key") != "no.such.key" {
		t.Fatal("an unknown key must show itself")
	}
}

// Two capabilities with a template of the same name must not share a parse.
func TestTemplateCacheKeysOnContent(t *testing.T) {
	s := New(nil, nil, nil, nil, Options{})
	a := fstest.MapFS{"templates/form.html": {Data: []byte(`{{define "content"}}A{{end}}`)}}
	b := fstest.MapFS{"templates/form.html": {Data: []byte(`{{define "content"}}B{{end}}`)}}
	var out strings.Builder
	s.Template(a, "templates/form.html").ExecuteTemplate(&out, "content", nil)
	s.Template(b, "templates/form.html").ExecuteTemplate(&out, "content", nil)
	if out.String() != "AB" {
		t.Fatalf("rendered %q, want AB", out.String())
	}
}
