package petition_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestOpenAPI: every petition route is in the OpenAPI document, the
// document is valid, and real answers (errors too) match their schemas.
func TestOpenAPI(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	r := f.env.Anonymous().Get("/api/v1/openapi.json")
	doc, err := openapi3.NewLoader().LoadFromData(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	n := 0
	for _, rt := range f.env.App.Web.Routes() {
		if rt.API && strings.HasPrefix(rt.Pattern, "/api/v1/petitions") {
			n++
			if !documented[rt.Method+" "+rt.Pattern] {
				t.Errorf("route %s %s is not documented", rt.Method, rt.Pattern)
			}
		}
	}
	must(t, n == 9, "%d petition routes", n)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	c := f.register("xfj", f.claim(nil))
	id := itoa(c.ID)
	body, _ := json.Marshal(f.claim(nil))
	calls := []struct{ login, method, path, body string }{
		{"xfj", "POST", "/api/v1/petitions", string(body)},
		{"xfj", "GET", "/api/v1/petitions?status=open&category=claim", ""},
		{"xfj", "GET", "/api/v1/petitions/" + id, ""},
		{"xfj", "GET", "/api/v1/petitions/" + id + "/personal", ""},
		{"xfj", "POST", "/api/v1/petitions/similar", `{"phones":["` + phoneA + `"]}`},
		{"xfj", "POST", "/api/v1/petitions/" + id + "/transitions", `{"action":"transfer","org_id":` + itoa(f.env.OrgID("SFQ-QS")) + `}`},
		{"qingshan", "POST", "/api/v1/petitions/" + id + "/transitions", `{"action":"reply"}`},
		{"qingshan", "POST", "/api/v1/petitions/" + id + "/transitions", `{"action":"accept"}`},
		{"xfj", "GET", "/api/v1/petitions/subjects", ""},
		{"xfj", "GET", "/api/v1/petitions/settings", ""},
		{"admin", "PUT", "/api/v1/petitions/settings", `{"area_code":"990101"}`},
		{"yjj", "GET", "/api/v1/petitions/" + id, ""},
		{"xfj", "POST", "/api/v1/petitions", `{"channel":"visit"}`},
	}
	for _, c := range calls {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			var body io.Reader
			ct := ""
			if c.body != "" {
				body, ct = strings.NewReader(c.body), "application/json"
			}
			resp := f.c(c.login).Do(c.method, c.path, body, ct)
			req, _ := http.NewRequest(c.method, f.env.Server.URL+c.path, strings.NewReader(c.body))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("no documented route: %v", err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
				Body: io.NopCloser(bytes.NewReader(resp.Body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Fatalf("%d %.300s: %v", resp.StatusCode, resp.Body, err)
			}
		})
	}
}
