package app_test

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

func loadOpenAPI(t *testing.T, env *apptest.Env) *openapi3.T {
	t.Helper()
	r := env.Anonymous().Get("/api/v1/openapi.json")
	if r.StatusCode != 200 {
		t.Fatalf("GET /api/v1/openapi.json: %d", r.StatusCode)
	}
	doc, err := openapi3.NewLoader().LoadFromData(r.Body)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	return doc
}

// The document and the router must describe the same API.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	env := apptest.Start(t, dbtest.SQLite(t))
	doc := loadOpenAPI(t, env)
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for _, r := range env.App.Web.Routes() {
		if !r.API {
			continue
		}
		key := r.Method + " " + r.Pattern
		if !documented[key] {
			t.Errorf("route %s is not in the OpenAPI document", key)
		}
		delete(documented, key)
	}
	for k := range documented {
		t.Errorf("the OpenAPI document has %s, which is not a route", k)
	}
}

// Real answers must match the documented schemas.
func TestOpenAPIResponsesMatch(t *testing.T) {
	env := apptest.Start(t, dbtest.SQLite(t))
	doc := loadOpenAPI(t, env)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	admin := env.TokenClient("admin")
	qs := itoa(env.OrgID("SFQ-QS"))
	calls := []struct {
		client     *apptest.Client
		method     string
		path, body string
	}{
		{admin, "GET", "/api/v1/orgs", ""},
		{admin, "GET", "/api/v1/orgs/" + qs, ""},
		{admin, "POST", "/api/v1/orgs", `{"parent_id":` + qs + `,"name":"文档村","kind":"village"}`},
		{admin, "PATCH", "/api/v1/orgs/" + qs, `{"sort":2}`},
		{admin, "GET", "/api/v1/me", ""},
		{admin, "GET", "/api/v1/users?org_id=" + qs, ""},
		{admin, "GET", "/api/v1/users/" + itoa(env.UserID("qingshan")), ""},
		{admin, "POST", "/api/v1/users", `{"login":"wendang.a","name":"文档","org_id":` + qs + `,"password":"Strong-pass-1","roles":[{"role":"staff","scope_org_id":` + qs + `}]}`},
		{admin, "PATCH", "/api/v1/users/" + itoa(env.UserID("qingshan")), `{"post":"科员"}`},
		{admin, "GET", "/api/v1/users/" + itoa(env.UserID("qingshan")) + "/phone", ""},
		{admin, "GET", "/api/v1/calendar?year=2026", ""},
		{admin, "GET", "/api/v1/calendar/working-day?date=2026-02-14", ""},
		{admin, "GET", "/api/v1/calendar/add?from=2026-02-13&days=2", ""},
		{admin, "PUT", "/api/v1/calendar/days/2026-12-05", `{"kind":"workday","name":"文档"}`},
		{env.TokenClient("secadmin"), "POST", "/api/v1/users/" + itoa(env.UserID("qiye")) + "/password-reset", ""},
		// Errors follow the Error schema.
		{admin, "GET", "/api/v1/orgs/999999", ""},
		{admin, "POST", "/api/v1/orgs", `{"name":`},
		{env.Anonymous(), "GET", "/api/v1/me", ""},
	}
	for _, c := range calls {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			var r *apptest.Response
			if c.body != "" {
				r = c.client.SendJSON(c.method, c.path, c.body)
			} else {
				r = c.client.Do(c.method, c.path, nil, "")
			}
			req, _ := http.NewRequest(c.method, "http://localhost"+c.path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("no documented route: %v", err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.StatusCode, Header: r.Header,
				Body: io.NopCloser(bytes.NewReader(r.Body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Fatalf("%d %.200s: %v", r.StatusCode, r.Body, err)
			}
		})
	}
}
