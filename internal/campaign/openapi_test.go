package campaign_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestOpenAPI: every campaign route is in the OpenAPI document, and real
// answers (and errors) match their schemas: the requests too.
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
	for _, rt := range f.env.App.Web.Routes() {
		if rt.API && strings.HasPrefix(rt.Pattern, "/api/v1/campaigns") && !documented[rt.Method+" "+rt.Pattern] {
			t.Errorf("route %s %s is not documented", rt.Method, rt.Pattern)
		}
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	earlier := f.launch("yjj", map[string]any{"title": "前一轮"})
	f.hazard("qingshan", f.ent(entHazchem), earlier.ID, nil)
	c := f.launch("qingshan", map[string]any{"title": "青山镇回头看"})
	f.inspect("qingshan", f.ent(entHazchem), c.ID, nil)
	draft := f.launch("yjj", map[string]any{"draft": true})
	id, tid, rid := itoa(c.ID), itoa(c.Tasks[1].ID), itoa(c.Rechecks[0].ID)
	calls := []struct{ login, method, path, body string }{
		{"yjj", "POST", "/api/v1/campaigns", `{"title":"文档行动","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31","industries":["gas"],"template_id":1}`},
		{"yjj", "POST", "/api/v1/campaigns", `{"title":"","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31"}`},
		{"wanggeyuan", "GET", "/api/v1/campaigns", ""},
		{"qingshan", "GET", "/api/v1/campaigns?status=active&limit=5", ""},
		{"qingshan", "GET", "/api/v1/campaigns/" + id, ""},
		{"qingshan", "GET", "/api/v1/campaigns/" + id + "/tasks/" + tid, ""},
		{"wanggeyuan", "POST", "/api/v1/campaigns/" + id + "/rechecks/" + rid, `{"outcome":"fixed","note":"已整改"}`},
		{"yjj", "PUT", "/api/v1/campaigns/" + itoa(draft.ID), `{"title":"文档草稿","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31","draft":true}`},
		{"yjj", "POST", "/api/v1/campaigns/" + itoa(draft.ID) + "/transitions", `{"action":"launch"}`},
		{"qingshan", "POST", "/api/v1/campaigns/" + id + "/transitions", `{"action":"close","note":"完成"}`},
		{"qingshan", "GET", "/api/v1/campaigns/999999", ""},
	}
	for _, call := range calls {
		t.Run(call.method+" "+call.path, func(t *testing.T) {
			var body io.Reader
			ct := ""
			if call.body != "" {
				body, ct = strings.NewReader(call.body), "application/json"
			}
			resp := f.c(call.login).Do(call.method, call.path, body, ct)
			req, _ := http.NewRequest(call.method, f.env.Server.URL+call.path, strings.NewReader(call.body))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("no documented route: %v", err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			if resp.StatusCode < 400 {
				if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
					t.Fatalf("the request does not match its schema: %v", err)
				}
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
				Body: io.NopCloser(bytes.NewReader(resp.Body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Fatalf("%d %.300s: %v", resp.StatusCode, resp.Body, err)
			}
		})
	}
}
