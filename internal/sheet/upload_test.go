package sheet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/anwen-gov/anwen/internal/apperr"
)

func TestTruthy(t *testing.T) {
	for in, want := range map[string]bool{"1": true, "true": true, " ON ": true, "Yes": true, "": false, "0": false, "no": false, "checked": false} {
		if Truthy(in) != want {
			t.Errorf("Truthy(%q) = %v", in, !want)
		}
	}
}

// form is a multipart body with the fields given; "file" fields hold bytes.
func form(t *testing.T, fields ...[2]string) (io.Reader, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range fields {
		if f[0] == "file" {
			w, err := mw.CreateFormFile("file", "book.xlsx")
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(f[1]))
			continue
		}
		mw.WriteField(f[0], f[1])
	}
	mw.Close()
	return &body, mw.FormDataContentType()
}

func TestReadUpload(t *testing.T) {
	xlsx := "PK\x03\x04 pretend workbook"
	for _, tc := range []struct {
		name    string
		body    func() (io.Reader, string)
		max     int64
		data    string
		dry     bool
		orgID   string
		code    string
		message string
	}{
		{"multipart with dry_run", func() (io.Reader, string) {
			return form(t, [2]string{"dry_run", "1"}, [2]string{"org_id", " 7 "}, [2]string{"file", xlsx}, [2]string{"other", "x"})
		}, 0, xlsx, true, "7", "", ""},
		{"multipart without dry_run", func() (io.Reader, string) { return form(t, [2]string{"file", xlsx}) }, 0, xlsx, false, "", "", ""},
		{"raw xlsx body", func() (io.Reader, string) { return strings.NewReader(xlsx), XLSXType }, 0, xlsx, false, "", "", ""},
		{"octet-stream body", func() (io.Reader, string) { return strings.NewReader(xlsx), "application/octet-stream" }, 0, xlsx, false, "", "", ""},
		{"no file", func() (io.Reader, string) { return form(t, [2]string{"dry_run", "1"}) }, 0, "", false, "", apperr.EINVALID, "选择"},
		{"two files", func() (io.Reader, string) { return form(t, [2]string{"file", xlsx}, [2]string{"file", xlsx}) }, 0, "", false, "", apperr.EINVALID, "一个文件"},
		{"wrong type", func() (io.Reader, string) { return strings.NewReader("a,b"), "text/csv" }, 0, "", false, "", apperr.EUNSUPPORTED, "multipart/form-data"},
		{"a form, not multipart", func() (io.Reader, string) {
			return strings.NewReader("dry_run=1"), "application/x-www-form-urlencoded"
		}, 0, "", false, "", apperr.EUNSUPPORTED, "multipart"},
		{"file too large", func() (io.Reader, string) { return form(t, [2]string{"file", strings.Repeat("x", 2048)}) }, 1024, "", false, "", apperr.ETOOLARGE, "1 KiB"},
		{"body too large", func() (io.Reader, string) { return strings.NewReader(strings.Repeat("x", 2048)), XLSXType }, 1024, "", false, "", apperr.ETOOLARGE, "1 KiB"},
		{"request too large", func() (io.Reader, string) {
			return form(t, [2]string{"note", strings.Repeat("x", 2<<20)}, [2]string{"file", xlsx})
		}, 1024, "", false, "", apperr.ETOOLARGE, "1 KiB"},
		{"broken form", func() (io.Reader, string) {
			return strings.NewReader("--x\r\nnonsense"), "multipart/form-data; boundary=x"
		}, 0, "", false, "", apperr.EINVALID, "表单"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, ct := tc.body()
			r := httptest.NewRequest("POST", "/import", body)
			r.Header.Set("Content-Type", ct)
			data, fields, err := ReadUploadFields(httptest.NewRecorder(), r, tc.max, "dry_run", "org_id")
			if tc.code != "" {
				e, ok := apperr.As(err)
				if !ok || e.Code != tc.code || !strings.Contains(e.Message, tc.message) {
					t.Fatalf("error %v, want %s with %q", err, tc.code, tc.message)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tc.data || Truthy(fields["dry_run"]) != tc.dry || fields["org_id"] != tc.orgID || fields["other"] != "" {
				t.Errorf("data %q, fields %v", data, fields)
			}
		})
	}
	t.Run("ReadUpload", func(t *testing.T) {
		body, ct := form(t, [2]string{"file", xlsx}, [2]string{"dry_run", "on"})
		r := httptest.NewRequest("POST", "/import", body)
		r.Header.Set("Content-Type", ct)
		data, dry, err := ReadUpload(httptest.NewRecorder(), r, 0)
		if err != nil || string(data) != xlsx || !dry {
			t.Errorf("%q %v %v", data, dry, err)
		}
	})
}

func TestWriteRejected(t *testing.T) {
	w := httptest.NewRecorder()
	WriteRejected(w, &Rejected{Rows: []RowError{{Sheet: "台账", Row: 3, Column: "编码", Cell: "B3", Message: "重复"}, {Sheet: "台账", Row: 1, Column: "名称", Message: "缺少"}}})
	if w.Code != http.StatusUnprocessableEntity || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("%d %q", w.Code, w.Header().Get("Content-Type"))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	var body RejectedBody
	json.Unmarshal(w.Body.Bytes(), &body)
	if body.Error.Code != apperr.ERULE || !strings.Contains(body.Error.Message, "2 处问题") || len(body.Rows) != 2 || body.Rows[0].Cell != "B3" {
		t.Errorf("body %s", w.Body)
	}
	// The cell is left out when there is none.
	if strings.Count(string(raw["rows"]), `"cell"`) != 1 {
		t.Errorf("rows %s", raw["rows"])
	}
}

func TestSendXLSX(t *testing.T) {
	w := httptest.NewRecorder()
	SendXLSX(w, "book.xlsx", "台账 11月.xlsx", []byte("PK"))
	if w.Code != 200 || w.Header().Get("Content-Type") != XLSXType || w.Header().Get("Cache-Control") != "no-store" || w.Body.String() != "PK" ||
		w.Header().Get("Content-Disposition") != `attachment; filename="book.xlsx"; filename*=UTF-8''%E5%8F%B0%E8%B4%A6%2011%E6%9C%88.xlsx` {
		t.Errorf("%d %v", w.Code, w.Header())
	}
}

// view stands in for web.View in the partials.
type view struct {
	Data  any
	Error *apperr.Error
}

func (v *view) T(key string) string               { return "[" + key + "]" }
func (v *view) Tf(key string, args ...any) string { return "[" + key + "]" + fmt.Sprint(args...) }

func TestPartials(t *testing.T) {
	own := fstest.MapFS{"templates/import.html": {Data: []byte(`{{define "content"}}{{template "sheet-problems" .}}{{template "sheet-upload" (dict "V" . "Action" "/x/import" "Template" "/x/template.xlsx" "Intro" "x.intro" "Submitted" true "CheckOnly" true)}}{{end}}`)}}
	fsys := WithPartials(own)
	if _, err := fs.ReadFile(fsys, "templates/import.html"); err != nil {
		t.Fatal(err)
	}
	funcs := template.FuncMap{"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}}
	tpl := template.Must(template.New("layout").Funcs(funcs).Parse(`{{define "errorbox"}}{{if .Error}}<div class="alert">{{.Error.Message}}</div>{{end}}{{end}}`))
	tpl = template.Must(tpl.ParseFS(fsys, "templates/import.html", Partials))
	type data struct {
		Report
	}
	rej := &Rejected{Rows: []RowError{{Sheet: "台账", Row: 3, Column: "编码", Cell: "B3", Message: "编码<重复>"}, {Sheet: "台账", Row: 1, Column: "名称", Message: "缺少"}}}
	var out bytes.Buffer
	if err := tpl.ExecuteTemplate(&out, "content", &view{Data: data{ReportOf(rej)}, Error: apperr.Field(apperr.EINVALID, "file", "坏文件")}); err != nil {
		t.Fatal(err)
	}
	html := out.String()
	for _, want := range []string{`[sheet.problems]`, `[sheet.problem_counts]2 2`, `<td class="num" data-label="[sheet.row]">3</td>`, `编码 <span class="muted mono">B3</span>`, `编码&lt;重复&gt;`,
		`action="/x/import"`, `href="/x/template.xlsx"`, `[x.intro]`, `[sheet.again]`, `checked`, `<div class="alert">坏文件</div>`} {
		if !strings.Contains(html, want) {
			t.Errorf("no %q in\n%s", want, html)
		}
	}
	out.Reset()
	if err := tpl.ExecuteTemplate(&out, "content", &view{Data: data{}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "sheet.problems") {
		t.Errorf("problems shown without any")
	}
	for key := range messages {
		if !strings.Contains(html, "["+key+"]") {
			t.Errorf("message %s unused", key)
		}
	}
}
