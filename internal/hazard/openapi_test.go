package hazard_test

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

// TestOpenAPI: every hazard route is in the OpenAPI document, the
// document is valid, and real answers match their schemas.
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
		if rt.API && strings.HasPrefix(rt.Pattern, "/api/v1/hazards") && !documented[rt.Method+" "+rt.Pattern] {
			t.Errorf("route %s %s is not documented", rt.Method, rt.Pattern)
		}
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	h := f.register("qingshan", f.major(map[string]any{"attachment_ids": []int64{f.photo("qingshan")}}))
	id := itoa(h.ID)
	calls := []struct{ login, method, path, body string }{
		{"qingshan", "POST", "/api/v1/hazards", `{"org_id":` + itoa(f.env.OrgID("SFQ-QS")) + `,"description":"文档隐患","category":"fire","deadline":"2026-12-20"}`},
		{"qingshan", "GET", "/api/v1/hazards?status=open&q=" + "有限空间", ""},
		{"qingshan", "GET", "/api/v1/hazards/" + id, ""},
		{"qingshan", "POST", "/api/v1/hazards/" + id + "/transitions", `{"action":"start","comment":"开始"}`},
		{"qingshan", "POST", "/api/v1/hazards/" + id + "/transitions", `{"action":"accept"}`},
		{"yjj", "GET", "/api/v1/hazards/stats", ""},
		{"yjj", "GET", "/api/v1/hazards/quarterly?period=2026Q4", ""},
		{"qiye", "GET", "/api/v1/hazards/quarterly?period=2026Q3", ""},
		{"yjj", "GET", "/api/v1/hazards/quarterly.xlsx?period=2026", ""},
		{"qingshan", "GET", "/api/v1/hazards/quarterly?period=2026Q9", ""},
		{"qingshan", "GET", "/api/v1/hazards/prefill?enterprise_id=" + itoa(f.entQingshan), ""},
		{"qingshan", "GET", "/api/v1/hazards/categories", ""},
		{"qingshan", "GET", "/api/v1/hazards/standards", ""},
		{"qingshan", "GET", "/api/v1/hazards/settings", ""},
		{"qingshan", "POST", "/api/v1/hazards/import?dry_run=1", ""},
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
				t.Fatalf("%d %s: %v", resp.StatusCode, resp.Body, err)
			}
		})
	}
}
