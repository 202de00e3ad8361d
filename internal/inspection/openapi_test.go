package inspection_test

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

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// The answers of the inspection API match the OpenAPI document, requests
// included.
func TestOpenAPI(t *testing.T) {
	f := setup(t, dbtest.SQLite(t))
	env := f.env
	r := env.Anonymous().Get("/api/v1/openapi.json")
	doc, err := openapi3.NewLoader().LoadFromData(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	qs := env.TokenClient("qingshan")
	photo := upload(t, qs, "x.png")
	body := map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire, 2),
		"findings": []map[string]any{{"text": "问题", "category": "fire"}}}
	body["answers"].([]map[string]any)[1]["attachment_ids"] = []int64{photo}
	i := record(t, qs, body)
	draft := record(t, qs, map[string]any{"kind": "joint", "enterprise_id": f.b, "summary": "未完", "draft": true})
	calls := []struct {
		client *apptest.Client
		method string
		path   string
		body   string
	}{
		{qs, "POST", "/api/v1/inspections", mustJSON(body)},
		{qs, "GET", "/api/v1/inspections?failed=1&limit=5", ""},
		{qs, "GET", "/api/v1/inspections/" + itoa(i.ID), ""},
		{qs, "PUT", "/api/v1/inspections/" + itoa(draft.ID), mustJSON(map[string]any{"kind": "joint", "enterprise_id": f.b, "summary": "完成"})},
		{qs, "POST", "/api/v1/inspections/" + itoa(i.ID) + "/hazards", mustJSON(map[string]any{"answer_id": i.Failed()[0].ID, "deadline": "2026-12-04"})},
		{qs, "GET", "/api/v1/inspection-templates", ""},
		{qs, "GET", "/api/v1/inspection-templates/" + itoa(f.fire.ID), ""},
		{env.TokenClient("yjj"), "POST", "/api/v1/inspection-templates/" + itoa(f.dust.ID) + "/versions", `{"items":[{"text":"除尘器完好","category":"dust"}]}`},
		// Errors follow the Error schema.
		{qs, "POST", "/api/v1/inspections/" + itoa(i.ID) + "/hazards", mustJSON(map[string]any{"answer_id": i.Failed()[0].ID})},
		{qs, "GET", "/api/v1/inspections/999999", ""},
	}
	for _, c := range calls {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			var r *apptest.Response
			if c.body != "" {
				r = c.client.SendJSON(c.method, c.path, c.body)
			} else {
				r = c.client.Do(c.method, c.path, nil, "")
			}
			if r.StatusCode >= 500 {
				t.Fatalf("%d %s", r.StatusCode, r.Body)
			}
			req, _ := http.NewRequest(c.method, "http://localhost"+c.path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("no documented route: %v", err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			if c.body != "" {
				if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
					t.Errorf("the request does not match the document: %v", err)
				}
				req.Body = io.NopCloser(strings.NewReader(c.body))
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.StatusCode, Header: r.Header,
				Body: io.NopCloser(bytes.NewReader(r.Body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Fatalf("%d %.300s: %v", r.StatusCode, r.Body, err)
			}
		})
	}
}
