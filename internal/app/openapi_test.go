package app_test

import (
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// The document and the router must describe the same API.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	env := apptest.Start(t, dbtest.SQLite(t))
	env.OpenAPI(t).CheckRoutes(t, "")
}

// Real answers must match the documented schemas, and the bodies sent
// the documented requests (the document lists every field of an input as
// required, so the calls send the empty ones too).
func TestOpenAPIResponsesMatch(t *testing.T) {
	env := apptest.Start(t, dbtest.SQLite(t))
	doc := env.OpenAPI(t)
	admin := env.TokenClient("admin")
	qs := itoa(env.OrgID("SFQ-QS"))
	doc.Check(t,
		admin.Call("GET", "/api/v1/orgs"),
		admin.Call("GET", "/api/v1/orgs/"+qs),
		admin.Call("POST", "/api/v1/orgs", `{"parent_id":`+qs+`,"name":"文档村","kind":"village","code":"","sort":0}`),
		admin.Call("PATCH", "/api/v1/orgs/"+qs, `{"sort":2}`),
		admin.Call("GET", "/api/v1/me"),
		admin.Call("GET", "/api/v1/users?org_id="+qs),
		admin.Call("GET", "/api/v1/users/"+itoa(env.UserID("qingshan"))),
		admin.Call("POST", "/api/v1/users", `{"login":"wendang.a","name":"文档","org_id":`+qs+`,"phone":"","post":"","password":"Strong-pass-1","roles":[{"role":"staff","scope_org_id":`+qs+`}]}`),
		admin.Call("PATCH", "/api/v1/users/"+itoa(env.UserID("qingshan")), `{"post":"科员"}`),
		admin.Call("GET", "/api/v1/users/"+itoa(env.UserID("qingshan"))+"/phone"),
		admin.Call("GET", "/api/v1/calendar?year=2026"),
		admin.Call("GET", "/api/v1/calendar/working-day?date=2026-02-14"),
		admin.Call("GET", "/api/v1/calendar/add?from=2026-02-13&days=2"),
		admin.Call("PUT", "/api/v1/calendar/days/2026-12-05", `{"kind":"workday","name":"文档"}`),
		env.TokenClient("secadmin").Call("POST", "/api/v1/users/"+itoa(env.UserID("qiye"))+"/password-reset"),
		// Errors follow the Error schema.
		admin.Call("GET", "/api/v1/orgs/999999"),
		admin.Call("POST", "/api/v1/orgs", `{"name":`),
		env.Anonymous().Call("GET", "/api/v1/me"),
	)
}
