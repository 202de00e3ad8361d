package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// authzRow is one line of the authorization matrix: who calls a route, on an
// object in or out of their scope, and what they must get.
type authzRow struct {
	route string // "METHOD pattern", exactly as registered
	login string // "" = not signed in
	scope string // "in", "out", "-" (no object) or "absent" (no such object)
	want  int
	path  func(e *apptest.Env) string // concrete path; nil = the pattern itself
	body  string                      // JSON for writes ("" = none)
}

func org(code string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string { return "/api/v1/orgs/" + itoa(e.OrgID(code)) }
}

func page(prefix, code string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string { return prefix + itoa(e.OrgID(code)) }
}

func user(prefix, login, suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string { return prefix + itoa(e.UserID(login)) + suffix }
}

// tokenPath makes a new token of admin's and puts its id in the path.
func tokenPath(prefix, suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		_, id, err := e.App.Auth.CreateToken(context.Background(), nil, "admin", "matrix")
		if err != nil {
			e.T.Fatal(err)
		}
		return prefix + itoa(id) + suffix
	}
}

func fixed(p string) func(e *apptest.Env) string { return func(*apptest.Env) string { return p } }

// The matrix. Every registered route needs at least one row; the test fails
// when a route is added without one.
var authzMatrix = []authzRow{
	// Public and core
	{route: "GET /healthz", want: 200, scope: "-"},
	{route: "GET /api/v1/openapi.json", want: 200, scope: "-"},
	{route: "GET /readyz", want: 200, scope: "-"},
	{route: "GET /metrics", want: 200, scope: "-"},
	{route: "GET /static/", want: 200, scope: "-", path: fixed("/static/app.css")},
	{route: "GET /lang", want: 303, scope: "-", path: fixed("/lang?to=en&back=/")},
	{route: "GET /signin", want: 200, scope: "-"},
	{route: "POST /signin", want: 401, scope: "-"},
	{route: "POST /signout", want: 303, scope: "-"},
	{route: "GET /signin/totp", want: 303, scope: "-"},
	{route: "POST /signin/totp", want: 303, scope: "-"},
	{route: "GET /{$}", want: 303, scope: "-", path: fixed("/")},
	{route: "GET /{$}", login: "wanggeyuan", want: 200, scope: "-", path: fixed("/")},

	// Organisations: API
	{route: "GET /api/v1/orgs", want: 401, scope: "-"},
	{route: "GET /api/v1/orgs", login: "qiye", want: 200, scope: "-"},
	{route: "GET /api/v1/orgs/{id}", want: 401, scope: "in", path: org("SFQ-QS")},
	{route: "GET /api/v1/orgs/{id}", login: "qingshan", want: 200, scope: "in", path: org("SFQ-QS-01")},
	{route: "GET /api/v1/orgs/{id}", login: "qingshan", want: 404, scope: "out", path: org("SFQ-DC")},
	{route: "POST /api/v1/orgs", login: "admin", want: 201, scope: "in", body: `{"parent_id":%SFQ-QS%,"name":"矩阵村","kind":"village"}`},
	{route: "POST /api/v1/orgs", login: "qingshan", want: 403, scope: "in", body: `{"parent_id":%SFQ-QS%,"name":"矩阵村","kind":"village"}`},
	{route: "POST /api/v1/orgs", login: "qingshan", want: 404, scope: "out", body: `{"parent_id":%SFQ-DC%,"name":"矩阵村","kind":"village"}`},
	{route: "PATCH /api/v1/orgs/{id}", login: "admin", want: 200, scope: "in", path: org("SFQ-QS-02"), body: `{"sort":3}`},
	{route: "PATCH /api/v1/orgs/{id}", login: "leader", want: 403, scope: "in", path: org("SFQ-QS-02"), body: `{"sort":3}`},
	{route: "PATCH /api/v1/orgs/{id}", login: "qingshan", want: 404, scope: "out", path: org("SFQ-DC"), body: `{"sort":3}`},
	// Organisations: pages
	{route: "GET /orgs", login: "grid", want: 303, scope: "-"},
	{route: "GET /orgs", login: "wanggeyuan", want: 200, scope: "-"},
	{route: "GET /orgs/new", login: "admin", want: 200, scope: "-"},
	{route: "GET /orgs/new", login: "leader", want: 403, scope: "-"},
	{route: "POST /orgs", login: "admin", want: 303, scope: "in", body: "form:parent_id=%SFQ-QS%&name=页面村&kind=village"},
	{route: "POST /orgs", login: "leader", want: 403, scope: "in", body: "form:parent_id=%SFQ-QS%&name=页面村&kind=village"},
	{route: "GET /orgs/{id}", login: "qingshan", want: 200, scope: "in", path: page("/orgs/", "SFQ-QS")},
	{route: "GET /orgs/{id}", login: "qingshan", want: 404, scope: "out", path: page("/orgs/", "SFQ-DC")},
	{route: "POST /orgs/{id}", login: "admin", want: 303, scope: "in", path: page("/orgs/", "SFQ-QS-03"), body: "form:name=改名村&kind=village&code=SFQ-QS-03&parent_id=%SFQ-QS%"},
	{route: "POST /orgs/{id}", login: "qingshan", want: 403, scope: "in", path: page("/orgs/", "SFQ-QS-03"), body: "form:name=改名村&kind=village&code=SFQ-QS-03&parent_id=%SFQ-QS%"},
	{route: "POST /orgs/{id}", login: "qingshan", want: 404, scope: "out", path: page("/orgs/", "SFQ-DC"), body: "form:name=x&kind=street"},

	// People: API
	{route: "GET /api/v1/me", want: 401, scope: "-"},
	{route: "GET /api/v1/me", login: "qiye", want: 200, scope: "-"},
	{route: "GET /api/v1/users", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /api/v1/users", want: 401, scope: "-"},
	{route: "POST /api/v1/users", login: "admin", want: 201, scope: "in", body: `{"login":"juzhen.a","name":"矩阵","org_id":%SFQ-QS%,"password":"Strong-pass-1","roles":[{"role":"staff","scope_org_id":%SFQ-QS%}]}`},
	{route: "POST /api/v1/users", login: "leader", want: 403, scope: "in", body: `{"login":"juzhen.b","name":"矩阵","org_id":%SFQ-QS%,"password":"Strong-pass-1"}`},
	{route: "POST /api/v1/users", login: "qingshan", want: 404, scope: "out", body: `{"login":"juzhen.c","name":"矩阵","org_id":%SFQ-DC%,"password":"Strong-pass-1"}`},
	{route: "GET /api/v1/users/{id}", login: "leader", want: 200, scope: "in", path: user("/api/v1/users/", "qingshan", "")},
	{route: "GET /api/v1/users/{id}", login: "qingshan", want: 404, scope: "out", path: user("/api/v1/users/", "leader", "")},
	{route: "PATCH /api/v1/users/{id}", login: "admin", want: 200, scope: "in", path: user("/api/v1/users/", "wanggeyuan", ""), body: `{"post":"专职网格员"}`},
	{route: "PATCH /api/v1/users/{id}", login: "leader", want: 403, scope: "in", path: user("/api/v1/users/", "wanggeyuan", ""), body: `{"post":"x"}`},
	{route: "PATCH /api/v1/users/{id}", login: "qingshan", want: 404, scope: "out", path: user("/api/v1/users/", "leader", ""), body: `{"post":"x"}`},
	{route: "GET /api/v1/users/{id}/phone", login: "leader", want: 200, scope: "in", path: user("/api/v1/users/", "qingshan", "/phone")},
	{route: "GET /api/v1/users/{id}/phone", login: "wanggeyuan", want: 403, scope: "in", path: user("/api/v1/users/", "qiye", "/phone")},
	{route: "GET /api/v1/users/{id}/phone", login: "qingshan", want: 404, scope: "out", path: user("/api/v1/users/", "leader", "/phone")},
	{route: "POST /api/v1/users/{id}/password-reset", login: "secadmin", want: 200, scope: "in", path: user("/api/v1/users/", "qiye", "/password-reset")},
	{route: "POST /api/v1/users/{id}/password-reset", login: "admin", want: 403, scope: "in", path: user("/api/v1/users/", "qiye", "/password-reset")},
	{route: "POST /api/v1/users/{id}/password-reset", login: "qingshan", want: 404, scope: "out", path: user("/api/v1/users/", "leader", "/password-reset")},
	{route: "POST /api/v1/users/{id}/unlock", login: "secadmin", want: 204, scope: "in", path: user("/api/v1/users/", "xfj", "/unlock")},
	{route: "POST /api/v1/users/{id}/unlock", login: "leader", want: 403, scope: "in", path: user("/api/v1/users/", "xfj", "/unlock")},
	{route: "POST /api/v1/users/{id}/unlock", login: "qingshan", want: 404, scope: "out", path: user("/api/v1/users/", "xfj", "/unlock")},
	// People: pages
	{route: "GET /people", login: "leader", want: 200, scope: "-"},
	{route: "GET /people/new", login: "admin", want: 200, scope: "-"},
	{route: "GET /people/new", login: "leader", want: 403, scope: "-"},
	{route: "POST /people", login: "admin", want: 303, scope: "in", body: "form:login=yemian.a&name=页面&org_id=%SFQ-QS%&password=Strong-pass-1"},
	{route: "POST /people", login: "leader", want: 403, scope: "in", body: "form:login=yemian.b&name=页面&org_id=%SFQ-QS%&password=Strong-pass-1"},
	{route: "GET /people/{id}", login: "qingshan", want: 200, scope: "in", path: user("/people/", "wanggeyuan", "")},
	{route: "GET /people/{id}", login: "qingshan", want: 404, scope: "out", path: user("/people/", "leader", "")},
	{route: "POST /people/{id}", login: "admin", want: 303, scope: "in", path: user("/people/", "wanggeyuan", ""), body: "form:name=黄秀兰&org_id=%SFQ-QS-01%&post=网格员&role_0=grid_worker&scope_0=%SFQ-QS-01%"},
	{route: "POST /people/{id}", login: "leader", want: 403, scope: "in", path: user("/people/", "wanggeyuan", ""), body: "form:name=x&org_id=%SFQ-QS-01%"},
	{route: "POST /people/{id}", login: "qingshan", want: 404, scope: "out", path: user("/people/", "leader", ""), body: "form:name=x&org_id=%SFQ%"},
	{route: "POST /people/{id}/phone", login: "yjj", want: 200, scope: "in", path: user("/people/", "qingshan", "/phone")},
	{route: "POST /people/{id}/phone", login: "qingshan", want: 404, scope: "out", path: user("/people/", "leader", "/phone")},
	{route: "POST /people/{id}/password-reset", login: "secadmin", want: 200, scope: "in", path: user("/people/", "qiye", "/password-reset")},
	{route: "POST /people/{id}/password-reset", login: "leader", want: 403, scope: "in", path: user("/people/", "qiye", "/password-reset")},
	{route: "POST /people/{id}/unlock", login: "secadmin", want: 303, scope: "in", path: user("/people/", "xfj", "/unlock")},
	{route: "POST /people/{id}/unlock", login: "qingshan", want: 404, scope: "out", path: user("/people/", "xfj", "/unlock")},

	// Work calendar: API
	{route: "GET /api/v1/calendar", want: 401, scope: "-", path: fixed("/api/v1/calendar?year=2026")},
	{route: "GET /api/v1/calendar", login: "qiye", want: 200, scope: "-", path: fixed("/api/v1/calendar?year=2026")},
	{route: "GET /api/v1/calendar/working-day", login: "wanggeyuan", want: 200, scope: "-", path: fixed("/api/v1/calendar/working-day?date=2026-02-14")},
	{route: "GET /api/v1/calendar/add", login: "qiye", want: 200, scope: "-", path: fixed("/api/v1/calendar/add?from=2026-02-13&days=1&unit=working")},
	{route: "PUT /api/v1/calendar/days/{date}", login: "admin", want: 200, scope: "in", path: fixed("/api/v1/calendar/days/2026-12-05"), body: `{"kind":"workday","name":"矩阵"}`},
	{route: "PUT /api/v1/calendar/days/{date}", login: "yjj", want: 403, scope: "in", path: fixed("/api/v1/calendar/days/2026-12-05"), body: `{"kind":"holiday","name":"x"}`},
	{route: "PUT /api/v1/calendar/days/{date}", login: "qingshan", want: 404, scope: "out", path: fixed("/api/v1/calendar/days/2026-12-05"), body: `{"kind":"holiday","name":"x"}`},
	{route: "DELETE /api/v1/calendar/days/{date}", login: "admin", want: 204, scope: "in", path: fixed("/api/v1/calendar/days/2026-01-04")},
	{route: "DELETE /api/v1/calendar/days/{date}", login: "leader", want: 403, scope: "in", path: fixed("/api/v1/calendar/days/2026-02-14")},
	{route: "DELETE /api/v1/calendar/days/{date}", login: "qingshan", want: 404, scope: "out", path: fixed("/api/v1/calendar/days/2026-02-14")},
	// Work calendar: pages
	{route: "GET /calendar", login: "grid", want: 303, scope: "-"},
	{route: "GET /calendar", login: "wanggeyuan", want: 200, scope: "-"},
	{route: "POST /calendar/days", login: "admin", want: 303, scope: "in", body: "form:date=2026-12-12&kind=workday&name=页面"},
	{route: "POST /calendar/days", login: "leader", want: 403, scope: "in", body: "form:date=2026-12-12&kind=holiday&name=x"},
	{route: "POST /calendar/days", login: "qingshan", want: 404, scope: "out", body: "form:date=2026-12-12&kind=holiday&name=x"},
	{route: "POST /calendar/days/{date}/delete", login: "admin", want: 303, scope: "in", path: fixed("/calendar/days/2026-02-28/delete")},
	{route: "POST /calendar/days/{date}/delete", login: "yjj", want: 403, scope: "in", path: fixed("/calendar/days/2026-02-14/delete")},
	{route: "POST /calendar/days/{date}/delete", login: "qingshan", want: 404, scope: "out", path: fixed("/calendar/days/2026-02-14/delete")},

	// Audit trail
	{route: "GET /api/v1/audit", want: 401, scope: "-"},
	{route: "GET /api/v1/audit", login: "auditor", want: 200, scope: "-"},
	{route: "GET /api/v1/audit", login: "admin", want: 404, scope: "-"},
	{route: "GET /api/v1/audit/verify", login: "auditor", want: 200, scope: "-"},
	{route: "GET /api/v1/audit/verify", login: "secadmin", want: 404, scope: "-"},
	{route: "GET /api/v1/audit/export.xlsx", login: "auditor", want: 200, scope: "-"},
	{route: "GET /api/v1/audit/export.xlsx", login: "leader", want: 404, scope: "-"},
	{route: "GET /api/v1/audit/export.csv", login: "auditor", want: 200, scope: "-"},
	{route: "GET /api/v1/audit/export.csv", login: "qingshan", want: 404, scope: "-"},
	{route: "GET /audit", login: "grid", want: 303, scope: "-"},
	{route: "GET /audit", login: "auditor", want: 200, scope: "-"},
	{route: "GET /audit", login: "admin", want: 404, scope: "-"},
	// Feedback (ids 1 and 2 come from the POST rows before them)
	{route: "POST /api/v1/feedback", want: 401, scope: "-", body: `{"kind":"suggestion","body":"矩阵测试的建议"}`},
	{route: "POST /api/v1/feedback", login: "wanggeyuan", want: 201, scope: "-", body: `{"kind":"suggestion","body":"矩阵测试的建议"}`},
	{route: "GET /api/v1/feedback", want: 401, scope: "-"},
	{route: "GET /api/v1/feedback", login: "qiye", want: 200, scope: "-"},
	{route: "GET /api/v1/feedback/inbox", login: "secadmin", want: 200, scope: "-"},
	{route: "GET /api/v1/feedback/inbox", login: "qingshan", want: 404, scope: "-"},
	{route: "POST /api/v1/feedback/{id}/reply", login: "qingshan", want: 404, scope: "-", path: fixed("/api/v1/feedback/1/reply"), body: `{"reply":"收到","status":"answered"}`},
	{route: "POST /api/v1/feedback/{id}/reply", login: "admin", want: 200, scope: "-", path: fixed("/api/v1/feedback/1/reply"), body: `{"reply":"收到","status":"answered"}`},
	{route: "GET /feedback", login: "grid", want: 303, scope: "-"},
	{route: "GET /feedback", login: "qiye", want: 200, scope: "-"},
	{route: "POST /feedback", login: "wanggeyuan", want: 303, scope: "-", body: "form:kind=complaint&body=矩阵测试的投诉内容"},
	{route: "GET /feedback/inbox", login: "admin", want: 200, scope: "-"},
	{route: "GET /feedback/inbox", login: "leader", want: 404, scope: "-"},
	{route: "POST /feedback/{id}/reply", login: "leader", want: 404, scope: "-", path: fixed("/feedback/2/reply"), body: "form:reply=收到&status=answered"},
	{route: "POST /feedback/{id}/reply", login: "secadmin", want: 303, scope: "-", path: fixed("/feedback/2/reply"), body: "form:reply=收到&status=answered"},

	// Directory import and export
	{route: "POST /api/v1/import/directory", want: 401, scope: "-"},
	{route: "POST /api/v1/import/directory", login: "qingshan", want: 415, scope: "-"},
	{route: "GET /api/v1/import/directory/template.xlsx", want: 401, scope: "-"},
	{route: "GET /api/v1/import/directory/template.xlsx", login: "qiye", want: 200, scope: "-"},
	{route: "GET /api/v1/export/directory.xlsx", want: 401, scope: "-"},
	{route: "GET /api/v1/export/directory.xlsx", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /people/import", login: "grid", want: 303, scope: "-"},
	{route: "GET /people/import", login: "admin", want: 200, scope: "-"},
	{route: "GET /people/import", login: "leader", want: 403, scope: "-"},
	{route: "POST /people/import", login: "leader", want: 403, scope: "-", body: "form:dry_run=1"},
	{route: "POST /people/import", login: "admin", want: 415, scope: "-", body: "form:dry_run=1"},

	// Account (账号安全)
	{route: "GET /account", want: 303, scope: "-"},
	{route: "GET /account", login: "qiye", want: 200, scope: "-"},
	{route: "GET /account/password", want: 303, scope: "-"},
	{route: "GET /account/password", login: "qiye", want: 200, scope: "-"},
	{route: "POST /account/password", want: 303, scope: "-", body: "form:old_password=x"},
	{route: "POST /account/password", login: "qiye", want: 422, scope: "-", body: "form:old_password=Wrong-pass-1&new_password=Other-pass-2&new_password2=Other-pass-2"},
	{route: "GET /account/totp", want: 303, scope: "-"},
	{route: "GET /account/totp", login: "qiye", want: 200, scope: "-"},
	{route: "POST /account/totp", want: 303, scope: "-", body: "form:code=x"},
	{route: "POST /account/totp", login: "qiye", want: 422, scope: "-", body: "form:code=x"},
	{route: "POST /account/totp/disable", want: 303, scope: "-", body: "form:password=x"},
	{route: "POST /account/totp/disable", login: "qiye", want: 422, scope: "-", body: "form:password=x"},
	{route: "POST /account/totp/disable", login: "secadmin", want: 422, scope: "-", body: "form:password=x"},
	{route: "POST /account/tokens", want: 303, scope: "-", body: "form:name=x"},
	{route: "POST /account/tokens", login: "qiye", want: 400, scope: "-", body: "form:name="},
	{route: "POST /account/tokens/{id}/revoke", want: 303, scope: "in", path: tokenPath("/account/tokens/", "/revoke")},
	{route: "POST /account/tokens/{id}/revoke", login: "qingshan", want: 404, scope: "out", path: tokenPath("/account/tokens/", "/revoke")},
	{route: "POST /account/tokens/{id}/revoke", login: "secadmin", want: 303, scope: "in", path: tokenPath("/account/tokens/", "/revoke")},
	{route: "POST /api/v1/me/password", want: 401, scope: "-", body: `{"old_password":"x","new_password":"y"}`},
	{route: "POST /api/v1/me/password", login: "qiye", want: 422, scope: "-", body: `{"old_password":"Wrong-pass-1","new_password":"Other-pass-2"}`},
	{route: "GET /api/v1/tokens", want: 401, scope: "-"},
	{route: "GET /api/v1/tokens", login: "qiye", want: 200, scope: "-"},
	{route: "POST /api/v1/tokens", want: 401, scope: "-", body: `{"name":"matrix"}`},
	{route: "POST /api/v1/tokens", login: "qiye", want: 201, scope: "-", body: `{"name":"matrix"}`},
	{route: "DELETE /api/v1/tokens/{id}", want: 401, scope: "in", path: tokenPath("/api/v1/tokens/", "")},
	{route: "DELETE /api/v1/tokens/{id}", login: "qingshan", want: 404, scope: "out", path: tokenPath("/api/v1/tokens/", "")},
	{route: "DELETE /api/v1/tokens/{id}", login: "secadmin", want: 204, scope: "in", path: tokenPath("/api/v1/tokens/", "")},

	// Daily zero report
	{route: "POST /api/v1/daily-reports", want: 401, scope: "-", body: `{"org_id":1}`},
	{route: "POST /api/v1/daily-reports", login: "qingshan", want: 201, scope: "in", body: `{"org_id":%SFQ-QS%,"safety":{"nothing_to_report":true},"stability":{"nothing_to_report":true}}`},
	{route: "POST /api/v1/daily-reports", login: "qingshan", want: 404, scope: "out", body: `{"org_id":%SFQ-DC%,"safety":{"nothing_to_report":true},"stability":{"nothing_to_report":true}}`},
	{route: "POST /api/v1/daily-reports", login: "duchashi", want: 403, scope: "in", body: `{"org_id":%SFQ-QS%,"safety":{"nothing_to_report":true},"stability":{"nothing_to_report":true}}`},
	{route: "GET /api/v1/daily-reports/board", login: "yjj", want: 200, scope: "in"},
	{route: "GET /api/v1/daily-reports/board", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/daily-reports/board?org_id=", "SFQ-DC")},
	{route: "GET /api/v1/daily-reports/board", login: "wanggeyuan", want: 404, scope: "-"},
	{route: "GET /api/v1/daily-reports/schedule", login: "wanggeyuan", want: 200, scope: "-"},
	{route: "GET /api/v1/daily-reports/schedule", want: 401, scope: "-"},
	{route: "PUT /api/v1/daily-reports/schedule", login: "yjj", want: 200, scope: "in", body: `{"tiers":[{"tier":"township","deadline":"17:00"}],"heightened_periods":[]}`},
	{route: "PUT /api/v1/daily-reports/schedule", login: "leader", want: 403, scope: "in", body: `{"tiers":[],"heightened_periods":[]}`},
	{route: "PUT /api/v1/daily-reports/schedule", login: "qingshan", want: 404, scope: "out", body: `{"tiers":[],"heightened_periods":[]}`},
	{route: "POST /api/v1/daily-reports/items/{id}/acknowledge", login: "yjj", want: 404, scope: "absent", path: fixed("/api/v1/daily-reports/items/999999/acknowledge")},
	{route: "POST /api/v1/daily-reports/items/{id}/followup", login: "yjj", want: 404, scope: "absent", path: fixed("/api/v1/daily-reports/items/999999/followup"), body: `{"title":"x"}`},
	{route: "POST /api/v1/orgs/{id}/ping-token", login: "qingshan", want: 200, scope: "in", path: func(e *apptest.Env) string { return "/api/v1/orgs/" + itoa(e.OrgID("SFQ-QS")) + "/ping-token" }},
	{route: "POST /api/v1/orgs/{id}/ping-token", login: "leader", want: 403, scope: "in", path: func(e *apptest.Env) string { return "/api/v1/orgs/" + itoa(e.OrgID("SFQ-QS")) + "/ping-token" }},
	{route: "POST /api/v1/orgs/{id}/ping-token", login: "qingshan", want: 404, scope: "out", path: func(e *apptest.Env) string { return "/api/v1/orgs/" + itoa(e.OrgID("SFQ-DC")) + "/ping-token" }},
	{route: "POST /ping/{token}", want: 404, scope: "-", path: fixed("/ping/" + strings.Repeat("z", 39))},
	{route: "GET /api/v1/daily-reports/settings", login: "yjj", want: 200, scope: "-"},
	{route: "PUT /api/v1/daily-reports/settings", login: "yjj", want: 200, scope: "in", body: `{"safety_desk_org_id":%SFQ-YJJ%,"stability_desk_org_id":%SFQ-XFJ%,"escalate_user_id":null}`},
	{route: "PUT /api/v1/daily-reports/settings", login: "leader", want: 403, scope: "in", body: `{}`},
	{route: "PUT /api/v1/daily-reports/settings", login: "qingshan", want: 404, scope: "out", body: `{}`},
	{route: "GET /api/v1/daily-reports/units", login: "qingshan", want: 200, scope: "in"},
	{route: "GET /api/v1/daily-reports/units", login: "qiye", want: 404, scope: "-"},
	{route: "PUT /api/v1/daily-reports/units/{id}", login: "qingshan", want: 200, scope: "in", path: page("/api/v1/daily-reports/units/", "SFQ-QS-02"), body: `{"reports":true,"tier":"village"}`},
	{route: "PUT /api/v1/daily-reports/units/{id}", login: "leader", want: 403, scope: "in", path: page("/api/v1/daily-reports/units/", "SFQ-QS-02"), body: `{"reports":true}`},
	{route: "PUT /api/v1/daily-reports/units/{id}", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/daily-reports/units/", "SFQ-DC"), body: `{"reports":true}`},

	// Notifications (通知): inbox, channels, outbox
	{route: "GET /api/v1/notifications", want: 401, scope: "-"},
	{route: "GET /api/v1/notifications", login: "qiye", want: 200, scope: "-"},
	{route: "POST /api/v1/notifications/{id}/read", want: 401, scope: "in", path: inboxItem("qiye", "/api/v1/notifications/", "/read")},
	{route: "POST /api/v1/notifications/{id}/read", login: "qiye", want: 204, scope: "in", path: inboxItem("qiye", "/api/v1/notifications/", "/read")},
	{route: "POST /api/v1/notifications/{id}/read", login: "qingshan", want: 404, scope: "out", path: inboxItem("admin", "/api/v1/notifications/", "/read")},
	{route: "POST /api/v1/notifications/read-all", want: 401, scope: "-"},
	{route: "POST /api/v1/notifications/read-all", login: "qiye", want: 204, scope: "-"},
	{route: "GET /api/v1/notify/channels", want: 401, scope: "-"},
	{route: "GET /api/v1/notify/channels", login: "qiye", want: 200, scope: "-"},
	{route: "POST /api/v1/notify/channels", want: 401, scope: "-", body: `{"kind":"email","name":"矩阵邮箱","target":"matrix@example.gov.cn"}`},
	{route: "POST /api/v1/notify/channels", login: "qiye", want: 201, scope: "in", body: `{"kind":"email","name":"矩阵邮箱","target":"matrix@example.gov.cn"}`},
	{route: "POST /api/v1/notify/channels", login: "admin", want: 201, scope: "in", body: `{"owner_kind":"org","owner_id":%SFQ-QS%,"kind":"email","name":"矩阵","target":"qs@example.gov.cn"}`},
	{route: "POST /api/v1/notify/channels", login: "qingshan", want: 404, scope: "out", body: `{"owner_kind":"org","owner_id":%SFQ-QS%,"kind":"email","name":"矩阵","target":"qs@example.gov.cn"}`},
	{route: "PATCH /api/v1/notify/channels/{id}", login: "qiye", want: 200, scope: "in", path: notifyChannel("qiye", "/api/v1/notify/channels/", ""), body: `{"name":"改名"}`},
	{route: "PATCH /api/v1/notify/channels/{id}", login: "qingshan", want: 404, scope: "out", path: notifyChannel("admin", "/api/v1/notify/channels/", ""), body: `{"name":"改名"}`},
	{route: "DELETE /api/v1/notify/channels/{id}", login: "qiye", want: 204, scope: "in", path: notifyChannel("qiye", "/api/v1/notify/channels/", "")},
	{route: "DELETE /api/v1/notify/channels/{id}", login: "qingshan", want: 404, scope: "out", path: notifyChannel("admin", "/api/v1/notify/channels/", "")},
	{route: "POST /api/v1/notify/channels/{id}/test", login: "qiye", want: 200, scope: "in", path: notifyChannel("qiye", "/api/v1/notify/channels/", "/test")},
	{route: "POST /api/v1/notify/channels/{id}/test", login: "qingshan", want: 404, scope: "out", path: notifyChannel("admin", "/api/v1/notify/channels/", "/test")},
	{route: "GET /api/v1/notify/deliveries", want: 401, scope: "-"},
	{route: "GET /api/v1/notify/deliveries", login: "admin", want: 200, scope: "-"},
	{route: "GET /api/v1/notify/deliveries", login: "leader", want: 404, scope: "-"},
	{route: "POST /api/v1/notify/deliveries/{id}/retry", login: "admin", want: 204, scope: "in", path: notifyDelivery("/api/v1/notify/deliveries/", "/retry")},
	{route: "POST /api/v1/notify/deliveries/{id}/retry", login: "qingshan", want: 404, scope: "out", path: notifyDelivery("/api/v1/notify/deliveries/", "/retry")},
	{route: "GET /api/v1/notify/settings", want: 401, scope: "-"},
	{route: "GET /api/v1/notify/settings", login: "qiye", want: 200, scope: "-"},
	{route: "PUT /api/v1/notify/settings", login: "admin", want: 200, scope: "-", body: `{"quiet_start":"22:00","quiet_end":"07:00"}`},
	{route: "PUT /api/v1/notify/settings", login: "secadmin", want: 404, scope: "-", body: `{"quiet_start":"00:00","quiet_end":"00:00"}`},
	{route: "GET /inbox", login: "grid", want: 303, scope: "-"},
	{route: "GET /inbox", login: "qiye", want: 200, scope: "-"},
	{route: "GET /inbox/{id}", login: "qiye", want: 303, scope: "in", path: inboxItem("qiye", "/inbox/", "")},
	{route: "GET /inbox/{id}", login: "qingshan", want: 404, scope: "out", path: inboxItem("admin", "/inbox/", "")},
	{route: "POST /inbox/read-all", login: "grid", want: 303, scope: "-"},
	{route: "POST /inbox/read-all", login: "qiye", want: 303, scope: "-"},
	{route: "GET /notify/channels", login: "grid", want: 303, scope: "-"},
	{route: "GET /notify/channels", login: "qiye", want: 200, scope: "-"},
	{route: "POST /notify/channels", login: "qiye", want: 303, scope: "in", body: "form:kind=email&name=矩阵页面&target=page@example.gov.cn"},
	{route: "POST /notify/channels", login: "qingshan", want: 404, scope: "out", body: "form:owner=org:%SFQ-QS%&kind=email&name=x&target=x@example.gov.cn"},
	{route: "POST /notify/channels/{id}/test", login: "qiye", want: 200, scope: "in", path: notifyChannel("qiye", "/notify/channels/", "/test")},
	{route: "POST /notify/channels/{id}/test", login: "qingshan", want: 404, scope: "out", path: notifyChannel("admin", "/notify/channels/", "/test")},
	{route: "POST /notify/channels/{id}/enabled", login: "qiye", want: 303, scope: "in", path: notifyChannel("qiye", "/notify/channels/", "/enabled"), body: "form:enabled=0"},
	{route: "POST /notify/channels/{id}/enabled", login: "qingshan", want: 404, scope: "out", path: notifyChannel("admin", "/notify/channels/", "/enabled"), body: "form:enabled=0"},
	{route: "POST /notify/channels/{id}/delete", login: "qiye", want: 303, scope: "in", path: notifyChannel("qiye", "/notify/channels/", "/delete")},
	{route: "POST /notify/channels/{id}/delete", login: "qingshan", want: 404, scope: "out", path: notifyChannel("admin", "/notify/channels/", "/delete")},
	{route: "GET /notify/deliveries", login: "grid", want: 303, scope: "-"},
	{route: "GET /notify/deliveries", login: "admin", want: 200, scope: "-"},
	{route: "GET /notify/deliveries", login: "leader", want: 404, scope: "-"},
	{route: "POST /notify/deliveries/{id}/retry", login: "admin", want: 303, scope: "in", path: notifyDelivery("/notify/deliveries/", "/retry")},
	{route: "POST /notify/deliveries/{id}/retry", login: "leader", want: 404, scope: "out", path: notifyDelivery("/notify/deliveries/", "/retry")},
	{route: "POST /notify/settings", login: "admin", want: 303, scope: "-", body: "form:quiet_start=22:00&quiet_end=07:00"},
	{route: "POST /notify/settings", login: "leader", want: 404, scope: "-", body: "form:quiet_start=22:00&quiet_end=07:00"},
	// Daily zero report: history, statistics, exports (API)
	{route: "GET /api/v1/daily-reports/history", want: 401, scope: "-"},
	{route: "GET /api/v1/daily-reports/history", login: "yjj", want: 200, scope: "in", path: page("/api/v1/daily-reports/history?month=2026-11&org_id=", "SFQ-QS")},
	{route: "GET /api/v1/daily-reports/history", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/daily-reports/history?org_id=", "SFQ-DC")},
	{route: "GET /api/v1/daily-reports/stats", login: "qingshan", want: 200, scope: "in"},
	{route: "GET /api/v1/daily-reports/stats", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/daily-reports/stats?org_id=", "SFQ-DC")},
	{route: "GET /api/v1/daily-reports/stats", login: "wanggeyuan", want: 404, scope: "-"},
	{route: "GET /api/v1/daily-reports/board.xlsx", login: "yjj", want: 200, scope: "in"},
	{route: "GET /api/v1/daily-reports/board.xlsx", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/daily-reports/board.xlsx?org_id=", "SFQ-DC")},
	{route: "GET /api/v1/daily-reports/stats.xlsx", login: "leader", want: 200, scope: "in"},
	{route: "GET /api/v1/daily-reports/stats.xlsx", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/daily-reports/stats.xlsx?org_id=", "SFQ-DC")},
	// Daily zero report: pages
	{route: "GET /daily-reports", want: 303, scope: "-"},
	{route: "GET /daily-reports", login: "wanggeyuan", want: 303, scope: "-"},
	{route: "GET /daily-reports", login: "qiye", want: 404, scope: "-"},
	{route: "GET /daily-reports/new", login: "qingshan", want: 200, scope: "in"},
	{route: "GET /daily-reports/new", login: "qingshan", want: 404, scope: "out", path: page("/daily-reports/new?org_id=", "SFQ-DC")},
	{route: "GET /daily-reports/new", login: "duchashi", want: 404, scope: "-"},
	{route: "POST /daily-reports", login: "wanggeyuan", want: 303, scope: "in", body: "form:org_id=%SFQ-QS-01%&nothing=1"},
	{route: "POST /daily-reports", login: "duchashi", want: 403, scope: "in", body: "form:org_id=%SFQ-QS%&nothing=1"},
	{route: "POST /daily-reports", login: "qingshan", want: 404, scope: "out", body: "form:org_id=%SFQ-DC%&nothing=1"},
	{route: "GET /daily-reports/{id}", login: "qingshan", want: 200, scope: "in", path: drReport},
	{route: "GET /daily-reports/{id}", login: "wanggeyuan", want: 404, scope: "out", path: drReport},
	{route: "GET /daily-reports/{id}", login: "yjj", want: 404, scope: "absent", path: fixed("/daily-reports/999999")},
	{route: "GET /daily-reports/board", login: "yjj", want: 200, scope: "in"},
	{route: "GET /daily-reports/board", login: "qingshan", want: 404, scope: "out", path: page("/daily-reports/board?org_id=", "SFQ-DC")},
	{route: "GET /daily-reports/board", login: "wanggeyuan", want: 404, scope: "-"},
	{route: "POST /daily-reports/items/{id}/acknowledge", login: "qingshan", want: 303, scope: "in", path: drItem("/acknowledge")},
	{route: "POST /daily-reports/items/{id}/acknowledge", login: "wanggeyuan", want: 404, scope: "out", path: drItem("/acknowledge")},
	{route: "POST /daily-reports/items/{id}/followup", login: "leader", want: 303, scope: "in", path: drItem("/followup"), body: "form:title=矩阵任务"},
	{route: "POST /daily-reports/items/{id}/followup", login: "wanggeyuan", want: 404, scope: "out", path: drItem("/followup"), body: "form:title=矩阵任务"},
	{route: "GET /daily-reports/units/{id}", login: "qingshan", want: 200, scope: "in", path: page("/daily-reports/units/", "SFQ-QS-01")},
	{route: "GET /daily-reports/units/{id}", login: "qingshan", want: 404, scope: "out", path: page("/daily-reports/units/", "SFQ-DC")},
	{route: "GET /daily-reports/stats", login: "leader", want: 200, scope: "in"},
	{route: "GET /daily-reports/stats", login: "qingshan", want: 404, scope: "out", path: page("/daily-reports/stats?org_id=", "SFQ-DC")},
	{route: "GET /daily-reports/schedule", login: "leader", want: 200, scope: "-"},
	{route: "GET /daily-reports/schedule", login: "wanggeyuan", want: 404, scope: "-"},
	{route: "POST /daily-reports/schedule", login: "yjj", want: 303, scope: "in", body: "form:tier_township=17:00&tier_village=16:00"},
	{route: "POST /daily-reports/schedule", login: "leader", want: 403, scope: "in", body: "form:tier_township=17:00"},
	{route: "POST /daily-reports/schedule", login: "qingshan", want: 404, scope: "out", body: "form:tier_township=17:00"},
	{route: "POST /daily-reports/units/{id}/ping-token", login: "qingshan", want: 200, scope: "in", path: pingPage("SFQ-QS-02")},
	{route: "POST /daily-reports/units/{id}/ping-token", login: "leader", want: 403, scope: "in", path: pingPage("SFQ-QS")},
	{route: "POST /daily-reports/units/{id}/ping-token", login: "qingshan", want: 404, scope: "out", path: pingPage("SFQ-DC")},

	// Attachments (附件): a pending upload is its uploader's alone.
	{route: "POST /api/v1/attachments", want: 401, scope: "-"},
	{route: "POST /api/v1/attachments", login: "qiye", want: 415, scope: "-"},
	{route: "GET /api/v1/attachments/{id}", want: 401, scope: "in", path: attachmentOf("qiye", "/api/v1/attachments/", "")},
	{route: "GET /api/v1/attachments/{id}", login: "qiye", want: 200, scope: "in", path: attachmentOf("qiye", "/api/v1/attachments/", "")},
	{route: "GET /api/v1/attachments/{id}", login: "qingshan", want: 404, scope: "out", path: attachmentOf("qiye", "/api/v1/attachments/", "")},
	{route: "GET /api/v1/attachments/{id}", login: "qingshan", want: 404, scope: "absent", path: fixed("/api/v1/attachments/999999")},
	{route: "GET /api/v1/attachments/{id}/content", want: 401, scope: "in", path: attachmentOf("qiye", "/api/v1/attachments/", "/content")},
	{route: "GET /api/v1/attachments/{id}/content", login: "qiye", want: 200, scope: "in", path: attachmentOf("qiye", "/api/v1/attachments/", "/content")},
	{route: "GET /api/v1/attachments/{id}/content", login: "qingshan", want: 404, scope: "out", path: attachmentOf("qiye", "/api/v1/attachments/", "/content")},
	{route: "GET /api/v1/attachments/{id}/thumb", want: 401, scope: "in", path: attachmentOf("qiye", "/api/v1/attachments/", "/thumb")},
	{route: "GET /api/v1/attachments/{id}/thumb", login: "qiye", want: 200, scope: "in", path: attachmentOf("qiye", "/api/v1/attachments/", "/thumb")},
	{route: "GET /api/v1/attachments/{id}/thumb", login: "qingshan", want: 404, scope: "out", path: attachmentOf("qiye", "/api/v1/attachments/", "/thumb")},
	{route: "GET /attachments/{id}", want: 303, scope: "in", path: attachmentOf("qiye", "/attachments/", "")},
	{route: "GET /attachments/{id}", login: "qiye", want: 200, scope: "in", path: attachmentOf("qiye", "/attachments/", "")},
	{route: "GET /attachments/{id}", login: "qingshan", want: 404, scope: "out", path: attachmentOf("qiye", "/attachments/", "")},
	{route: "GET /attachments/{id}/thumb", want: 303, scope: "in", path: attachmentOf("qiye", "/attachments/", "/thumb")},
	{route: "GET /attachments/{id}/thumb", login: "qiye", want: 200, scope: "in", path: attachmentOf("qiye", "/attachments/", "/thumb")},
	{route: "GET /attachments/{id}/thumb", login: "qingshan", want: 404, scope: "out", path: attachmentOf("qiye", "/attachments/", "/thumb")},

	// Enterprises and places (企业场所): API. 上坪村 (SFQ-QS-01) holds qiye's
	// enterprise 示范区青山瑞丰化工仓储有限公司 and 示范区青山燃气供应站;
	// 示范区东城国贸购物广场有限公司 is in 东城街道, outside 青山镇.
	{route: "GET /api/v1/enterprises", want: 401, scope: "-"},
	{route: "GET /api/v1/enterprises", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /api/v1/enterprises", login: "qiye", want: 200, scope: "-"},
	{route: "GET /api/v1/enterprises", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/enterprises?org_id=", "SFQ-DC")},
	{route: "GET /api/v1/enterprises", login: "auditor", want: 404, scope: "-"},
	{route: "POST /api/v1/enterprises", want: 401, scope: "-", body: `{"name":"矩阵企业"}`},
	{route: "POST /api/v1/enterprises", login: "qingshan", want: 201, scope: "in", body: `{"name":"矩阵企业","uscc":"91990199MA00009011","territory_org_id":%SFQ-QS-01%,"industry":"gas","risk_level":"general"}`},
	{route: "POST /api/v1/enterprises", login: "leader", want: 403, scope: "in", body: `{"name":"矩阵企业乙","uscc":"91990199MA00009024","territory_org_id":%SFQ-QS-01%,"industry":"gas"}`},
	{route: "POST /api/v1/enterprises", login: "qingshan", want: 404, scope: "out", body: `{"name":"矩阵企业丙","uscc":"91990199MA00009037","territory_org_id":%SFQ-DC-01%,"industry":"gas"}`},
	{route: "GET /api/v1/enterprises/{id}", want: 401, scope: "in", path: enterprisePath("/api/v1/enterprises/", "示范区青山瑞丰化工仓储有限公司", "")},
	{route: "GET /api/v1/enterprises/{id}", login: "qingshan", want: 200, scope: "in", path: enterprisePath("/api/v1/enterprises/", "示范区青山瑞丰化工仓储有限公司", "")},
	{route: "GET /api/v1/enterprises/{id}", login: "qiye", want: 200, scope: "in", path: enterprisePath("/api/v1/enterprises/", "示范区青山瑞丰化工仓储有限公司", "")},
	{route: "GET /api/v1/enterprises/{id}", login: "qingshan", want: 404, scope: "out", path: enterprisePath("/api/v1/enterprises/", "示范区东城国贸购物广场有限公司", "")},
	{route: "GET /api/v1/enterprises/{id}", login: "qiye", want: 404, scope: "out", path: enterprisePath("/api/v1/enterprises/", "示范区青山燃气供应站", "")},
	{route: "GET /api/v1/enterprises/{id}", login: "yjj", want: 404, scope: "absent", path: fixed("/api/v1/enterprises/999999")},
	{route: "PATCH /api/v1/enterprises/{id}", want: 401, scope: "in", path: enterprisePath("/api/v1/enterprises/", "示范区青山燃气供应站", ""), body: `{"address":"x"}`},
	{route: "PATCH /api/v1/enterprises/{id}", login: "yjj", want: 200, scope: "in", path: enterprisePath("/api/v1/enterprises/", "示范区青山燃气供应站", ""), body: `{"address":"青山镇上坪村坪前组 18 号"}`},
	{route: "PATCH /api/v1/enterprises/{id}", login: "leader", want: 403, scope: "in", path: enterprisePath("/api/v1/enterprises/", "示范区青山燃气供应站", ""), body: `{"address":"x"}`},
	{route: "PATCH /api/v1/enterprises/{id}", login: "qiye", want: 403, scope: "in", path: enterprisePath("/api/v1/enterprises/", "示范区青山瑞丰化工仓储有限公司", ""), body: `{"address":"x"}`},
	{route: "PATCH /api/v1/enterprises/{id}", login: "qingshan", want: 404, scope: "out", path: enterprisePath("/api/v1/enterprises/", "示范区东城国贸购物广场有限公司", ""), body: `{"address":"x"}`},
	{route: "GET /api/v1/enterprises/{id}/contacts", want: 401, scope: "in", path: enterprisePath("/api/v1/enterprises/", "示范区青山瑞丰化工仓储有限公司", "/contacts")},
	{route: "GET /api/v1/enterprises/{id}/contacts", login: "leader", want: 200, scope: "in", path: enterprisePath("/api/v1/enterprises/", "示范区青山瑞丰化工仓储有限公司", "/contacts")},
	{route: "GET /api/v1/enterprises/{id}/contacts", login: "qiye", want: 404, scope: "out", path: enterprisePath("/api/v1/enterprises/", "示范区青山燃气供应站", "/contacts")},
	{route: "POST /api/v1/enterprises/{id}/contacts", want: 401, scope: "in", path: enterprisePath("/api/v1/enterprises/", "示范区青山燃气供应站", "/contacts"), body: `{"login":"juzhen.qy","name":"矩阵联络人"}`},
	{route: "POST /api/v1/enterprises/{id}/contacts", login: "qingshan", want: 201, scope: "in", path: enterprisePath("/api/v1/enterprises/", "示范区青山燃气供应站", "/contacts"), body: `{"login":"juzhen.qy","name":"矩阵联络人"}`},
	{route: "POST /api/v1/enterprises/{id}/contacts", login: "leader", want: 403, scope: "in", path: enterprisePath("/api/v1/enterprises/", "示范区青山燃气供应站", "/contacts"), body: `{"login":"juzhen.qy2","name":"矩阵联络人"}`},
	{route: "POST /api/v1/enterprises/{id}/contacts", login: "qingshan", want: 404, scope: "out", path: enterprisePath("/api/v1/enterprises/", "示范区东城国贸购物广场有限公司", "/contacts"), body: `{"login":"juzhen.qy3","name":"矩阵联络人"}`},
	{route: "POST /api/v1/import/enterprises", want: 401, scope: "-"},
	{route: "POST /api/v1/import/enterprises", login: "qingshan", want: 415, scope: "-"},
	{route: "POST /api/v1/import/enterprises", login: "leader", want: 403, scope: "-"},
	{route: "POST /api/v1/import/enterprises", login: "auditor", want: 404, scope: "-"},
	{route: "GET /api/v1/import/enterprises/template.xlsx", want: 401, scope: "-"},
	{route: "GET /api/v1/import/enterprises/template.xlsx", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /api/v1/export/enterprises.xlsx", want: 401, scope: "-"},
	{route: "GET /api/v1/export/enterprises.xlsx", login: "leader", want: 200, scope: "-"},
	{route: "GET /api/v1/export/enterprises.xlsx", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/export/enterprises.xlsx?org_id=", "SFQ-DC")},
	{route: "GET /api/v1/export/enterprises.xlsx", login: "auditor", want: 404, scope: "-"},
	// Enterprises and places: pages
	{route: "GET /enterprises", login: "grid", want: 303, scope: "-"},
	{route: "GET /enterprises", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /enterprises", login: "qiye", want: 303, scope: "-"},
	{route: "GET /enterprises", login: "qingshan", want: 404, scope: "out", path: page("/enterprises?org_id=", "SFQ-DC")},
	{route: "GET /enterprises", login: "auditor", want: 404, scope: "-"},
	{route: "GET /enterprises/new", login: "grid", want: 303, scope: "-"},
	{route: "GET /enterprises/new", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /enterprises/new", login: "leader", want: 403, scope: "-"},
	{route: "GET /enterprises/new", login: "auditor", want: 404, scope: "-"},
	{route: "POST /enterprises", login: "grid", want: 303, scope: "-", body: "form:name=x"},
	{route: "POST /enterprises", login: "qingshan", want: 303, scope: "in", body: "form:name=页面矩阵企业&kind=enterprise&uscc=91990199MA0000904A&territory_org_id=%SFQ-QS-02%&industry=dust&risk_level=low"},
	{route: "POST /enterprises", login: "leader", want: 403, scope: "in", body: "form:name=页面矩阵企业乙&kind=enterprise&uscc=91990199MA0000905D&territory_org_id=%SFQ-QS-02%&industry=dust&risk_level=low"},
	{route: "POST /enterprises", login: "qingshan", want: 404, scope: "out", body: "form:name=页面矩阵企业丙&kind=enterprise&uscc=91990199MA0000906G&territory_org_id=%SFQ-DC-01%&industry=dust&risk_level=low"},
	{route: "GET /enterprises/import", login: "grid", want: 303, scope: "-"},
	{route: "GET /enterprises/import", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /enterprises/import", login: "leader", want: 403, scope: "-"},
	{route: "GET /enterprises/import", login: "auditor", want: 404, scope: "-"},
	{route: "POST /enterprises/import", login: "grid", want: 303, scope: "-", body: "form:dry_run=1"},
	{route: "POST /enterprises/import", login: "qingshan", want: 415, scope: "-", body: "form:dry_run=1"},
	{route: "POST /enterprises/import", login: "leader", want: 403, scope: "-", body: "form:dry_run=1"},
	{route: "GET /enterprises/{id}", login: "grid", want: 303, scope: "in", path: enterprisePath("/enterprises/", "示范区青山瑞丰化工仓储有限公司", "")},
	{route: "GET /enterprises/{id}", login: "qingshan", want: 200, scope: "in", path: enterprisePath("/enterprises/", "示范区青山瑞丰化工仓储有限公司", "")},
	{route: "GET /enterprises/{id}", login: "qiye", want: 200, scope: "in", path: enterprisePath("/enterprises/", "示范区青山瑞丰化工仓储有限公司", "")},
	{route: "GET /enterprises/{id}", login: "qingshan", want: 404, scope: "out", path: enterprisePath("/enterprises/", "示范区东城国贸购物广场有限公司", "")},
	{route: "GET /enterprises/{id}", login: "qiye", want: 404, scope: "out", path: enterprisePath("/enterprises/", "示范区青山燃气供应站", "")},
	{route: "GET /enterprises/{id}/edit", login: "grid", want: 303, scope: "in", path: enterprisePath("/enterprises/", "示范区青山燃气供应站", "/edit")},
	{route: "GET /enterprises/{id}/edit", login: "qingshan", want: 200, scope: "in", path: enterprisePath("/enterprises/", "示范区青山燃气供应站", "/edit")},
	{route: "GET /enterprises/{id}/edit", login: "leader", want: 403, scope: "in", path: enterprisePath("/enterprises/", "示范区青山燃气供应站", "/edit")},
	{route: "GET /enterprises/{id}/edit", login: "qingshan", want: 404, scope: "out", path: enterprisePath("/enterprises/", "示范区东城国贸购物广场有限公司", "/edit")},
	{route: "POST /enterprises/{id}", login: "grid", want: 303, scope: "in", path: enterprisePath("/enterprises/", "青山农贸集贸市场", ""), body: "form:name=x"},
	{route: "POST /enterprises/{id}", login: "qingshan", want: 303, scope: "in", path: enterprisePath("/enterprises/", "青山农贸集贸市场", ""), body: "form:kind=place&name=青山农贸集贸市场&territory_org_id=%SFQ-QS-08%&industry=crowded&risk_level=general&crowded_place=on"},
	{route: "POST /enterprises/{id}", login: "leader", want: 403, scope: "in", path: enterprisePath("/enterprises/", "青山农贸集贸市场", ""), body: "form:name=x"},
	{route: "POST /enterprises/{id}", login: "qingshan", want: 404, scope: "out", path: enterprisePath("/enterprises/", "示范区东城国贸购物广场有限公司", ""), body: "form:name=x"},
	{route: "POST /enterprises/{id}/contacts", login: "grid", want: 303, scope: "in", path: enterprisePath("/enterprises/", "示范区青山枫林加油站", "/contacts"), body: "form:login=x"},
	{route: "POST /enterprises/{id}/contacts", login: "qingshan", want: 200, scope: "in", path: enterprisePath("/enterprises/", "示范区青山枫林加油站", "/contacts"), body: "form:login=yemian.qy&name=页面联络人"},
	{route: "POST /enterprises/{id}/contacts", login: "leader", want: 403, scope: "in", path: enterprisePath("/enterprises/", "示范区青山枫林加油站", "/contacts"), body: "form:login=yemian.qy2&name=页面联络人"},
	{route: "POST /enterprises/{id}/contacts", login: "qingshan", want: 404, scope: "out", path: enterprisePath("/enterprises/", "示范区东城国贸购物广场有限公司", "/contacts"), body: "form:login=yemian.qy3&name=页面联络人"},

	// Inspections (检查记录): API. 青山镇 (SFQ-QS) is qingshan's; 东城街道 (SFQ-DC) is not.
	{route: "POST /api/v1/inspections", want: 401, scope: "-", body: `{"kind":"territorial"}`},
	{route: "POST /api/v1/inspections", login: "qingshan", want: 201, scope: "in", body: `{"kind":"territorial","territory_org_id":%SFQ-QS-01%,"place":"矩阵场所","summary":"矩阵检查"}`},
	{route: "POST /api/v1/inspections", login: "duchashi", want: 403, scope: "in", body: `{"kind":"territorial","territory_org_id":%SFQ-QS-01%,"place":"矩阵场所","summary":"矩阵检查"}`},
	{route: "POST /api/v1/inspections", login: "qingshan", want: 404, scope: "out", body: `{"kind":"territorial","territory_org_id":%SFQ-DC%,"place":"矩阵场所","summary":"矩阵检查"}`},
	{route: "GET /api/v1/inspections", want: 401, scope: "-"},
	{route: "GET /api/v1/inspections", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /api/v1/inspections", login: "qiye", want: 200, scope: "-"},
	{route: "GET /api/v1/inspections", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/inspections?org_id=", "SFQ-DC")},
	{route: "GET /api/v1/inspections", login: "admin", want: 404, scope: "-"},
	{route: "GET /api/v1/inspections/{id}", want: 401, scope: "in", path: inspectionAt("", "SFQ-QS-01", false, "/api/v1/inspections/", "")},
	{route: "GET /api/v1/inspections/{id}", login: "qingshan", want: 200, scope: "in", path: inspectionAt("", "SFQ-QS-01", false, "/api/v1/inspections/", "")},
	{route: "GET /api/v1/inspections/{id}", login: "qingshan", want: 404, scope: "out", path: inspectionAt("", "SFQ-DC", false, "/api/v1/inspections/", "")},
	{route: "GET /api/v1/inspections/{id}", login: "qiye", want: 404, scope: "out", path: inspectionAt("", "SFQ-QS-01", false, "/api/v1/inspections/", "")},
	{route: "GET /api/v1/inspections/{id}", login: "qingshan", want: 404, scope: "absent", path: fixed("/api/v1/inspections/999999")},
	{route: "PUT /api/v1/inspections/{id}", want: 401, scope: "in", path: inspectionAt("qingshan", "SFQ-QS-01", true, "/api/v1/inspections/", ""), body: `{"kind":"territorial"}`},
	{route: "PUT /api/v1/inspections/{id}", login: "qingshan", want: 200, scope: "in", path: inspectionAt("qingshan", "SFQ-QS-01", true, "/api/v1/inspections/", ""), body: `{"kind":"territorial","territory_org_id":%SFQ-QS-01%,"place":"矩阵场所","summary":"矩阵","draft":true}`},
	{route: "PUT /api/v1/inspections/{id}", login: "leader", want: 403, scope: "in", path: inspectionAt("qingshan", "SFQ-QS-01", true, "/api/v1/inspections/", ""), body: `{"kind":"territorial","territory_org_id":%SFQ-QS-01%,"place":"矩阵场所","summary":"矩阵","draft":true}`},
	{route: "PUT /api/v1/inspections/{id}", login: "qingshan", want: 404, scope: "out", path: inspectionAt("", "SFQ-DC", true, "/api/v1/inspections/", ""), body: `{"kind":"territorial","territory_org_id":%SFQ-DC%,"place":"矩阵场所","summary":"矩阵","draft":true}`},
	// 400: authorized, then refused for naming neither an answer nor a finding.
	{route: "POST /api/v1/inspections/{id}/hazards", want: 401, scope: "in", path: inspectionAt("", "SFQ-QS-01", false, "/api/v1/inspections/", "/hazards"), body: `{}`},
	{route: "POST /api/v1/inspections/{id}/hazards", login: "qingshan", want: 400, scope: "in", path: inspectionAt("", "SFQ-QS-01", false, "/api/v1/inspections/", "/hazards"), body: `{}`},
	{route: "POST /api/v1/inspections/{id}/hazards", login: "duchashi", want: 403, scope: "in", path: inspectionAt("", "SFQ-QS-01", false, "/api/v1/inspections/", "/hazards"), body: `{}`},
	{route: "POST /api/v1/inspections/{id}/hazards", login: "qingshan", want: 404, scope: "out", path: inspectionAt("", "SFQ-DC", false, "/api/v1/inspections/", "/hazards"), body: `{}`},
	{route: "GET /api/v1/inspection-templates", want: 401, scope: "-"},
	{route: "GET /api/v1/inspection-templates", login: "qiye", want: 200, scope: "-"},
	{route: "GET /api/v1/inspection-templates", login: "admin", want: 404, scope: "-"},
	{route: "GET /api/v1/inspection-templates/{id}", want: 401, scope: "-", path: fixed("/api/v1/inspection-templates/1")},
	{route: "GET /api/v1/inspection-templates/{id}", login: "wanggeyuan", want: 200, scope: "-", path: fixed("/api/v1/inspection-templates/1")},
	{route: "GET /api/v1/inspection-templates/{id}", login: "admin", want: 404, scope: "-", path: fixed("/api/v1/inspection-templates/1")},
	{route: "GET /api/v1/inspection-templates/{id}", login: "wanggeyuan", want: 404, scope: "absent", path: fixed("/api/v1/inspection-templates/999999")},
	{route: "POST /api/v1/inspection-templates/{id}/versions", want: 401, scope: "in", path: fixed("/api/v1/inspection-templates/2/versions"), body: `{"items":[]}`},
	{route: "POST /api/v1/inspection-templates/{id}/versions", login: "yjj", want: 201, scope: "in", path: fixed("/api/v1/inspection-templates/2/versions"), body: `{"items":[{"text":"矩阵检查项","category":"gas"}]}`},
	{route: "POST /api/v1/inspection-templates/{id}/versions", login: "leader", want: 403, scope: "in", path: fixed("/api/v1/inspection-templates/3/versions"), body: `{"items":[{"text":"矩阵检查项","category":"dust"}]}`},
	{route: "POST /api/v1/inspection-templates/{id}/versions", login: "qingshan", want: 404, scope: "out", path: fixed("/api/v1/inspection-templates/3/versions"), body: `{"items":[{"text":"矩阵检查项","category":"dust"}]}`},
	// Inspections: pages
	{route: "GET /inspections", login: "grid", want: 303, scope: "-"},
	{route: "GET /inspections", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /inspections", login: "qiye", want: 200, scope: "-"},
	{route: "GET /inspections", login: "qingshan", want: 404, scope: "out", path: page("/inspections?org_id=", "SFQ-DC")},
	{route: "GET /inspections", login: "admin", want: 404, scope: "-"},
	{route: "GET /inspections/new", login: "grid", want: 303, scope: "-"},
	{route: "GET /inspections/new", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /inspections/new", login: "qingshan", want: 200, scope: "in", path: func(e *apptest.Env) string { return "/inspections/new?place=x&org_id=" + itoa(e.OrgID("SFQ-QS-01")) }},
	{route: "GET /inspections/new", login: "qingshan", want: 404, scope: "out", path: func(e *apptest.Env) string { return "/inspections/new?place=x&org_id=" + itoa(e.OrgID("SFQ-DC")) }},
	{route: "GET /inspections/new", login: "duchashi", want: 403, scope: "-"},
	{route: "GET /inspections/new", login: "admin", want: 404, scope: "-"},
	{route: "POST /inspections", login: "grid", want: 303, scope: "-", body: "form:kind=territorial"},
	{route: "POST /inspections", login: "qingshan", want: 303, scope: "in", body: "form:kind=territorial&territory_org_id=%SFQ-QS-01%&place=页面场所&summary=页面检查&action=submit"},
	{route: "POST /inspections", login: "duchashi", want: 403, scope: "in", body: "form:kind=territorial&territory_org_id=%SFQ-QS-01%&place=页面场所&summary=页面检查"},
	{route: "POST /inspections", login: "qingshan", want: 404, scope: "out", body: "form:kind=territorial&territory_org_id=%SFQ-DC%&place=页面场所&summary=页面检查"},
	{route: "GET /inspections/{id}", login: "grid", want: 303, scope: "in", path: inspectionAt("", "SFQ-QS-01", false, "/inspections/", "")},
	{route: "GET /inspections/{id}", login: "qingshan", want: 200, scope: "in", path: inspectionAt("", "SFQ-QS-01", false, "/inspections/", "")},
	{route: "GET /inspections/{id}", login: "qingshan", want: 404, scope: "out", path: inspectionAt("", "SFQ-DC", false, "/inspections/", "")},
	{route: "GET /inspections/{id}", login: "qingshan", want: 404, scope: "absent", path: fixed("/inspections/999999")},
	{route: "GET /inspections/{id}/edit", login: "grid", want: 303, scope: "in", path: inspectionAt("qingshan", "SFQ-QS-01", true, "/inspections/", "/edit")},
	{route: "GET /inspections/{id}/edit", login: "qingshan", want: 200, scope: "in", path: inspectionAt("qingshan", "SFQ-QS-01", true, "/inspections/", "/edit")},
	{route: "GET /inspections/{id}/edit", login: "leader", want: 403, scope: "in", path: inspectionAt("qingshan", "SFQ-QS-01", true, "/inspections/", "/edit")},
	{route: "GET /inspections/{id}/edit", login: "qingshan", want: 404, scope: "out", path: inspectionAt("", "SFQ-DC", true, "/inspections/", "/edit")},
	{route: "POST /inspections/{id}", login: "grid", want: 303, scope: "in", path: inspectionAt("qingshan", "SFQ-QS-01", true, "/inspections/", ""), body: "form:kind=territorial"},
	{route: "POST /inspections/{id}", login: "qingshan", want: 303, scope: "in", path: inspectionAt("qingshan", "SFQ-QS-01", true, "/inspections/", ""), body: "form:kind=territorial&territory_org_id=%SFQ-QS-01%&place=页面场所&summary=页面&action=draft"},
	{route: "POST /inspections/{id}", login: "leader", want: 403, scope: "in", path: inspectionAt("qingshan", "SFQ-QS-01", true, "/inspections/", ""), body: "form:kind=territorial&territory_org_id=%SFQ-QS-01%&place=页面场所&summary=页面&action=draft"},
	{route: "POST /inspections/{id}", login: "qingshan", want: 404, scope: "out", path: inspectionAt("", "SFQ-DC", true, "/inspections/", ""), body: "form:kind=territorial&territory_org_id=%SFQ-DC%&place=页面场所&summary=页面&action=draft"},
	// 400: authorized, then refused for naming neither an answer nor a finding.
	{route: "POST /inspections/{id}/hazards", login: "grid", want: 303, scope: "in", path: inspectionAt("", "SFQ-QS-01", false, "/inspections/", "/hazards"), body: "form:deadline=2026-12-31"},
	{route: "POST /inspections/{id}/hazards", login: "qingshan", want: 400, scope: "in", path: inspectionAt("", "SFQ-QS-01", false, "/inspections/", "/hazards"), body: "form:deadline=2026-12-31"},
	{route: "POST /inspections/{id}/hazards", login: "duchashi", want: 403, scope: "in", path: inspectionAt("", "SFQ-QS-01", false, "/inspections/", "/hazards"), body: "form:deadline=2026-12-31"},
	{route: "POST /inspections/{id}/hazards", login: "qingshan", want: 404, scope: "out", path: inspectionAt("", "SFQ-DC", false, "/inspections/", "/hazards"), body: "form:deadline=2026-12-31"},
	{route: "GET /static/inspection.css", want: 200, scope: "-"},

	// Hazards (隐患)
	// Hazards (隐患): API
	{route: "POST /api/v1/hazards", want: 401, scope: "-", body: `{"org_id":1}`},
	{route: "POST /api/v1/hazards", login: "qingshan", want: 201, scope: "in", body: `{"org_id":%SFQ-QS%,"description":"矩阵隐患","category":"fire","deadline":"2026-12-20"}`},
	{route: "POST /api/v1/hazards", login: "qingshan", want: 404, scope: "out", body: `{"org_id":%SFQ-DC%,"description":"矩阵隐患","category":"fire","deadline":"2026-12-20"}`},
	{route: "POST /api/v1/hazards", login: "duchashi", want: 403, scope: "in", body: `{"org_id":%SFQ-QS%,"description":"矩阵隐患","category":"fire","deadline":"2026-12-20"}`},
	{route: "GET /api/v1/hazards", want: 401, scope: "-"},
	{route: "GET /api/v1/hazards", login: "qingshan", want: 200, scope: "in"},
	{route: "GET /api/v1/hazards", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/hazards?org_id=", "SFQ-DC")},
	{route: "GET /api/v1/hazards", login: "auditor", want: 404, scope: "-"},
	{route: "GET /api/v1/hazards/{id}", want: 401, scope: "in", path: hazardAt("/api/v1/hazards/", "", false)},
	{route: "GET /api/v1/hazards/{id}", login: "qingshan", want: 200, scope: "in", path: hazardAt("/api/v1/hazards/", "", false)},
	{route: "GET /api/v1/hazards/{id}", login: "wanggeyuan", want: 404, scope: "out", path: hazardAt("/api/v1/hazards/", "", false)},
	{route: "GET /api/v1/hazards/{id}", login: "yjj", want: 404, scope: "absent", path: fixed("/api/v1/hazards/999999")},
	{route: "POST /api/v1/hazards/{id}/transitions", want: 401, scope: "in", path: hazardAt("/api/v1/hazards/", "/transitions", false), body: `{"action":"start"}`},
	{route: "POST /api/v1/hazards/{id}/transitions", login: "qingshan", want: 200, scope: "in", path: hazardAt("/api/v1/hazards/", "/transitions", false), body: `{"action":"start"}`},
	{route: "POST /api/v1/hazards/{id}/transitions", login: "yjj", want: 200, scope: "in", path: hazardAt("/api/v1/hazards/", "/transitions", true), body: `{"action":"accept"}`},
	{route: "POST /api/v1/hazards/{id}/transitions", login: "qingshan", want: 422, scope: "in", path: hazardAt("/api/v1/hazards/", "/transitions", true), body: `{"action":"accept"}`},
	{route: "POST /api/v1/hazards/{id}/transitions", login: "wanggeyuan", want: 404, scope: "out", path: hazardAt("/api/v1/hazards/", "/transitions", false), body: `{"action":"start"}`},
	{route: "POST /api/v1/hazards/{id}/transitions", login: "duchashi", want: 403, scope: "in", path: hazardAt("/api/v1/hazards/", "/transitions", false), body: `{"action":"start"}`},
	{route: "GET /api/v1/hazards/stats", want: 401, scope: "-"},
	{route: "GET /api/v1/hazards/stats", login: "leader", want: 200, scope: "in"},
	{route: "GET /api/v1/hazards/stats", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/hazards/stats?org_id=", "SFQ-DC")},
	{route: "GET /api/v1/hazards/stats", login: "auditor", want: 404, scope: "-"},
	{route: "GET /api/v1/hazards/prefill", login: "qingshan", want: 200, scope: "in", path: page("/api/v1/hazards/prefill?org_id=", "SFQ-QS-01")},
	{route: "GET /api/v1/hazards/prefill", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/hazards/prefill?org_id=", "SFQ-DC")},
	{route: "GET /api/v1/hazards/prefill", login: "duchashi", want: 403, scope: "in", path: page("/api/v1/hazards/prefill?org_id=", "SFQ-QS")},
	{route: "GET /api/v1/hazards/export.xlsx", want: 401, scope: "-"},
	{route: "GET /api/v1/hazards/export.xlsx", login: "yjj", want: 200, scope: "in"},
	{route: "GET /api/v1/hazards/export.xlsx", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/hazards/export.xlsx?org_id=", "SFQ-DC")},
	{route: "POST /api/v1/hazards/import", want: 401, scope: "-"},
	{route: "POST /api/v1/hazards/import", login: "qingshan", want: 415, scope: "-"},
	{route: "POST /api/v1/hazards/import", login: "duchashi", want: 404, scope: "-"},
	{route: "GET /api/v1/hazards/categories", want: 401, scope: "-"},
	{route: "GET /api/v1/hazards/categories", login: "qiye", want: 200, scope: "-"},
	{route: "PUT /api/v1/hazards/categories/{code}", login: "admin", want: 200, scope: "in", path: fixed("/api/v1/hazards/categories/lightning"), body: `{"name":"防雷","name_en":"Lightning","sort":95,"active":true}`},
	{route: "PUT /api/v1/hazards/categories/{code}", login: "leader", want: 403, scope: "in", path: fixed("/api/v1/hazards/categories/lightning"), body: `{"name":"防雷","active":true}`},
	{route: "PUT /api/v1/hazards/categories/{code}", login: "qingshan", want: 404, scope: "out", path: fixed("/api/v1/hazards/categories/lightning"), body: `{"name":"防雷","active":true}`},
	{route: "GET /api/v1/hazards/standards", login: "qiye", want: 200, scope: "-"},
	{route: "GET /api/v1/hazards/standards", want: 401, scope: "-"},
	{route: "POST /api/v1/hazards/standards", login: "admin", want: 201, scope: "in", body: `{"code":"矩阵","name":"矩阵标准","version":"2026","clause":"第一条","text":"矩阵条款"}`},
	{route: "POST /api/v1/hazards/standards", login: "leader", want: 403, scope: "in", body: `{"code":"矩阵","name":"矩阵标准","version":"2026","clause":"第二条","text":"x"}`},
	{route: "POST /api/v1/hazards/standards", login: "qingshan", want: 404, scope: "out", body: `{"code":"矩阵","name":"矩阵标准","version":"2026","clause":"第三条","text":"x"}`},
	{route: "PATCH /api/v1/hazards/standards/{id}", login: "admin", want: 200, scope: "in", path: fixed("/api/v1/hazards/standards/10"), body: `{"active":true}`},
	{route: "PATCH /api/v1/hazards/standards/{id}", login: "leader", want: 403, scope: "in", path: fixed("/api/v1/hazards/standards/10"), body: `{"active":false}`},
	{route: "PATCH /api/v1/hazards/standards/{id}", login: "qingshan", want: 404, scope: "out", path: fixed("/api/v1/hazards/standards/10"), body: `{"active":false}`},
	{route: "GET /api/v1/hazards/settings", login: "qiye", want: 200, scope: "-"},
	{route: "GET /api/v1/hazards/settings", login: "auditor", want: 404, scope: "-"},
	{route: "PUT /api/v1/hazards/settings", login: "admin", want: 200, scope: "in", body: `{"remind_days":3,"escalate_days":7,"leader_user_id":null}`},
	{route: "PUT /api/v1/hazards/settings", login: "leader", want: 403, scope: "in", body: `{"remind_days":3,"escalate_days":7}`},
	{route: "PUT /api/v1/hazards/settings", login: "qingshan", want: 404, scope: "out", body: `{"remind_days":3,"escalate_days":7}`},
	// Hazards (隐患): pages
	{route: "GET /hazards", login: "grid", want: 303, scope: "-"},
	{route: "GET /hazards", login: "qingshan", want: 200, scope: "in"},
	{route: "GET /hazards", login: "qingshan", want: 404, scope: "out", path: page("/hazards?org_id=", "SFQ-DC")},
	{route: "GET /hazards", login: "auditor", want: 404, scope: "-"},
	{route: "GET /hazards/new", login: "wanggeyuan", want: 200, scope: "in"},
	{route: "GET /hazards/new", login: "qingshan", want: 404, scope: "out", path: page("/hazards/new?org_id=", "SFQ-DC")},
	{route: "GET /hazards/new", login: "duchashi", want: 404, scope: "-"},
	{route: "POST /hazards", login: "qingshan", want: 303, scope: "in", body: "form:org_id=%SFQ-QS%&description=页面隐患&category=fire&deadline=2026-12-20"},
	{route: "POST /hazards", login: "qingshan", want: 404, scope: "out", body: "form:org_id=%SFQ-DC%&description=页面隐患&category=fire&deadline=2026-12-20"},
	{route: "POST /hazards", login: "duchashi", want: 403, scope: "in", body: "form:org_id=%SFQ-QS%&description=页面隐患&category=fire&deadline=2026-12-20"},
	{route: "GET /hazards/{id}", login: "qingshan", want: 200, scope: "in", path: hazardAt("/hazards/", "", false)},
	{route: "GET /hazards/{id}", login: "wanggeyuan", want: 404, scope: "out", path: hazardAt("/hazards/", "", false)},
	{route: "GET /hazards/{id}", login: "yjj", want: 404, scope: "absent", path: fixed("/hazards/999999")},
	{route: "POST /hazards/{id}/transitions", login: "qingshan", want: 303, scope: "in", path: hazardAt("/hazards/", "/transitions", false), body: "form:action=start"},
	{route: "POST /hazards/{id}/transitions", login: "wanggeyuan", want: 404, scope: "out", path: hazardAt("/hazards/", "/transitions", false), body: "form:action=start"},
	{route: "POST /hazards/{id}/transitions", login: "duchashi", want: 403, scope: "in", path: hazardAt("/hazards/", "/transitions", false), body: "form:action=start"},
	{route: "GET /hazards/stats", login: "leader", want: 200, scope: "in"},
	{route: "GET /hazards/stats", login: "qingshan", want: 404, scope: "out", path: page("/hazards/stats?org_id=", "SFQ-DC")},
	{route: "GET /hazards/stats", login: "auditor", want: 404, scope: "-"},
	{route: "GET /hazards/import", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /hazards/import", login: "duchashi", want: 404, scope: "-"},
	{route: "POST /hazards/import", login: "qingshan", want: 415, scope: "-", body: "form:dry_run=1"},
	{route: "POST /hazards/import", login: "duchashi", want: 404, scope: "-", body: "form:dry_run=1"},
	{route: "GET /static/hazard.css", want: 200, scope: "-"},
	// Hazards (隐患): the enterprise's statistics table (企业隐患排查治理情况统计表)
	{route: "GET /api/v1/hazards/quarterly", want: 401, scope: "-", path: fixed("/api/v1/hazards/quarterly?period=2026Q3")},
	{route: "GET /api/v1/hazards/quarterly", login: "qingshan", want: 200, scope: "in", path: page("/api/v1/hazards/quarterly?period=2026Q3&org_id=", "SFQ-QS")},
	{route: "GET /api/v1/hazards/quarterly", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/hazards/quarterly?period=2026Q3&org_id=", "SFQ-DC")},
	{route: "GET /api/v1/hazards/quarterly", login: "qiye", want: 200, scope: "in", path: enterprisePath("/api/v1/hazards/quarterly?period=2026Q3&enterprise_id=", "示范区青山瑞丰化工仓储有限公司", "")},
	{route: "GET /api/v1/hazards/quarterly", login: "qiye", want: 404, scope: "out", path: enterprisePath("/api/v1/hazards/quarterly?period=2026Q3&enterprise_id=", "示范区青山燃气供应站", "")},
	{route: "GET /api/v1/hazards/quarterly", login: "auditor", want: 404, scope: "-", path: fixed("/api/v1/hazards/quarterly?period=2026Q3")},
	{route: "GET /api/v1/hazards/quarterly", login: "qingshan", want: 400, scope: "-", path: fixed("/api/v1/hazards/quarterly?period=2026Q5")},
	{route: "GET /api/v1/hazards/quarterly.xlsx", want: 401, scope: "-", path: fixed("/api/v1/hazards/quarterly.xlsx?period=2026Q3")},
	{route: "GET /api/v1/hazards/quarterly.xlsx", login: "yjj", want: 200, scope: "in", path: fixed("/api/v1/hazards/quarterly.xlsx?period=2026Q3")},
	{route: "GET /api/v1/hazards/quarterly.xlsx", login: "qiye", want: 200, scope: "in", path: fixed("/api/v1/hazards/quarterly.xlsx?period=2026")},
	{route: "GET /api/v1/hazards/quarterly.xlsx", login: "qiye", want: 404, scope: "out", path: page("/api/v1/hazards/quarterly.xlsx?period=2026Q3&org_id=", "SFQ-QS-01")},
	{route: "GET /api/v1/hazards/quarterly.xlsx", login: "qingshan", want: 404, scope: "out", path: enterprisePath("/api/v1/hazards/quarterly.xlsx?period=2026Q3&enterprise_id=", "示范区东城国贸购物广场有限公司", "")},
	{route: "GET /api/v1/hazards/quarterly.xlsx", login: "qingshan", want: 400, scope: "-", path: fixed("/api/v1/hazards/quarterly.xlsx?period=Q3")},
	{route: "GET /hazards/quarterly", login: "qingshan", want: 200, scope: "in"},
	{route: "GET /hazards/quarterly", login: "qingshan", want: 404, scope: "out", path: page("/hazards/quarterly?org_id=", "SFQ-DC")},
	{route: "GET /hazards/quarterly", login: "qiye", want: 200, scope: "in"},
	{route: "GET /hazards/quarterly", login: "qiye", want: 404, scope: "out", path: enterprisePath("/hazards/quarterly?enterprise_id=", "示范区青山燃气供应站", "")},
	{route: "GET /hazards/quarterly", login: "auditor", want: 404, scope: "-"},
	// Hazards (隐患): the reference pages (categories, grading clauses, settings)
	{route: "GET /hazards/settings", login: "admin", want: 200, scope: "-"},
	{route: "GET /hazards/settings", login: "qiye", want: 200, scope: "-"},
	{route: "GET /hazards/settings", login: "auditor", want: 404, scope: "-"},
	{route: "POST /hazards/settings", login: "admin", want: 303, scope: "in", body: "form:remind_days=3&escalate_days=7"},
	{route: "POST /hazards/settings", login: "leader", want: 403, scope: "in", body: "form:remind_days=3&escalate_days=7"},
	{route: "POST /hazards/settings", login: "qingshan", want: 404, scope: "out", body: "form:remind_days=3&escalate_days=7"},
	{route: "POST /hazards/settings/categories", login: "admin", want: 303, scope: "in", body: "form:code=matrix_page&name=矩阵页面类别&sort=99&active=1"},
	{route: "POST /hazards/settings/categories", login: "leader", want: 403, scope: "in", body: "form:code=matrix_page&name=矩阵页面类别&active=1"},
	{route: "POST /hazards/settings/categories", login: "qingshan", want: 404, scope: "out", body: "form:code=matrix_page&name=矩阵页面类别&active=1"},
	{route: "POST /hazards/settings/categories/{code}/active", login: "admin", want: 303, scope: "in", path: fixed("/hazards/settings/categories/other/active"), body: "form:active=1"},
	{route: "POST /hazards/settings/categories/{code}/active", login: "leader", want: 403, scope: "in", path: fixed("/hazards/settings/categories/other/active"), body: "form:active=0"},
	{route: "POST /hazards/settings/categories/{code}/active", login: "qingshan", want: 404, scope: "out", path: fixed("/hazards/settings/categories/other/active"), body: "form:active=0"},
	{route: "POST /hazards/settings/categories/{code}/active", login: "admin", want: 404, scope: "absent", path: fixed("/hazards/settings/categories/nosuch/active"), body: "form:active=1"},
	{route: "POST /hazards/settings/standards", login: "admin", want: 303, scope: "in", body: "form:code=矩阵页面&name=矩阵页面标准&version=2026&clause=第一条&text=矩阵条款"},
	{route: "POST /hazards/settings/standards", login: "leader", want: 403, scope: "in", body: "form:code=矩阵页面&name=矩阵页面标准&version=2026&clause=第二条&text=x"},
	{route: "POST /hazards/settings/standards", login: "qingshan", want: 404, scope: "out", body: "form:code=矩阵页面&name=矩阵页面标准&version=2026&clause=第三条&text=x"},
	{route: "POST /hazards/settings/standards/{id}/active", login: "admin", want: 303, scope: "in", path: fixed("/hazards/settings/standards/10/active"), body: "form:active=1"},
	{route: "POST /hazards/settings/standards/{id}/active", login: "leader", want: 403, scope: "in", path: fixed("/hazards/settings/standards/10/active"), body: "form:active=0"},
	{route: "POST /hazards/settings/standards/{id}/active", login: "qingshan", want: 404, scope: "out", path: fixed("/hazards/settings/standards/10/active"), body: "form:active=0"},
	{route: "POST /hazards/settings/standards/{id}/active", login: "admin", want: 404, scope: "absent", path: fixed("/hazards/settings/standards/999999/active"), body: "form:active=1"},
	// Disputes (矛盾纠纷): API
	{route: "POST /api/v1/disputes", want: 401, scope: "-", body: `{}`},
	{route: "POST /api/v1/disputes", login: "wanggeyuan", want: 201, scope: "in", body: `{"org_id":%SFQ-QS-01%,"type":"neighbour","summary":"矩阵纠纷","party_count":2,"party_name":"张三","party_phone":"13900000000","risk_level":"blue"}`},
	{route: "POST /api/v1/disputes", login: "qingshan", want: 404, scope: "out", body: `{"org_id":%SFQ-DC%,"type":"neighbour","summary":"矩阵纠纷","party_count":2,"risk_level":"blue"}`},
	{route: "POST /api/v1/disputes", login: "duchashi", want: 403, scope: "in", body: `{"org_id":%SFQ-QS%,"type":"neighbour","summary":"矩阵纠纷","party_count":2,"risk_level":"blue"}`},
	{route: "GET /api/v1/disputes", want: 401, scope: "-"},
	{route: "GET /api/v1/disputes", login: "qingshan", want: 200, scope: "in"},
	{route: "GET /api/v1/disputes", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/disputes?org_id=", "SFQ-DC")},
	{route: "GET /api/v1/disputes", login: "wanggeyuan", want: 403, scope: "in", path: fixed("/api/v1/disputes?phone=13900000000")},
	{route: "GET /api/v1/disputes", login: "auditor", want: 404, scope: "-"},
	{route: "GET /api/v1/disputes/{id}", want: 401, scope: "in", path: disputeAt("SFQ-QS-01", "/api/v1/disputes/", "")},
	{route: "GET /api/v1/disputes/{id}", login: "wanggeyuan", want: 200, scope: "in", path: disputeAt("SFQ-QS-01", "/api/v1/disputes/", "")},
	{route: "GET /api/v1/disputes/{id}", login: "qingshan", want: 404, scope: "out", path: disputeAt("SFQ-DC-01", "/api/v1/disputes/", "")},
	{route: "GET /api/v1/disputes/{id}", login: "qingshan", want: 404, scope: "absent", path: fixed("/api/v1/disputes/999999")},
	{route: "POST /api/v1/disputes/{id}/transitions", want: 401, scope: "in", path: disputeAt("SFQ-QS-01", "/api/v1/disputes/", "/transitions"), body: `{"action":"start"}`},
	{route: "POST /api/v1/disputes/{id}/transitions", login: "qingshan", want: 200, scope: "in", path: disputeAt("SFQ-QS-01", "/api/v1/disputes/", "/transitions"), body: `{"action":"start"}`},
	{route: "POST /api/v1/disputes/{id}/transitions", login: "qingshan", want: 422, scope: "in", path: disputeAt("SFQ-QS-01", "/api/v1/disputes/", "/transitions"), body: `{"action":"reopen","reason":"矩阵"}`},
	{route: "POST /api/v1/disputes/{id}/transitions", login: "wanggeyuan", want: 403, scope: "in", path: disputeAt("SFQ-QS-01", "/api/v1/disputes/", "/transitions"), body: `{"action":"start"}`},
	{route: "POST /api/v1/disputes/{id}/transitions", login: "qingshan", want: 404, scope: "out", path: disputeAt("SFQ-DC-01", "/api/v1/disputes/", "/transitions"), body: `{"action":"start"}`},
	{route: "GET /api/v1/disputes/{id}/party", want: 401, scope: "in", path: disputeAt("SFQ-QS-01", "/api/v1/disputes/", "/party")},
	{route: "GET /api/v1/disputes/{id}/party", login: "qingshan", want: 200, scope: "in", path: disputeAt("SFQ-QS-01", "/api/v1/disputes/", "/party")},
	{route: "GET /api/v1/disputes/{id}/party", login: "wanggeyuan", want: 403, scope: "in", path: disputeAt("SFQ-QS-01", "/api/v1/disputes/", "/party")},
	{route: "GET /api/v1/disputes/{id}/party", login: "duchashi", want: 403, scope: "in", path: disputeAt("SFQ-QS-01", "/api/v1/disputes/", "/party")},
	{route: "GET /api/v1/disputes/{id}/party", login: "qingshan", want: 404, scope: "out", path: disputeAt("SFQ-DC-01", "/api/v1/disputes/", "/party")},
	{route: "GET /api/v1/disputes/export.xlsx", want: 401, scope: "-"},
	{route: "GET /api/v1/disputes/export.xlsx", login: "qingshan", want: 200, scope: "in"},
	{route: "GET /api/v1/disputes/export.xlsx", login: "qingshan", want: 404, scope: "out", path: page("/api/v1/disputes/export.xlsx?org_id=", "SFQ-DC")},
	{route: "GET /api/v1/disputes/export.xlsx", login: "qiye", want: 404, scope: "-"},
	{route: "POST /api/v1/disputes/import", want: 401, scope: "-"},
	{route: "POST /api/v1/disputes/import", login: "qingshan", want: 415, scope: "-"},
	{route: "POST /api/v1/disputes/import", login: "duchashi", want: 404, scope: "-"},
	{route: "GET /api/v1/disputes/types", want: 401, scope: "-"},
	{route: "GET /api/v1/disputes/types", login: "wanggeyuan", want: 200, scope: "-"},
	{route: "GET /api/v1/disputes/types", login: "qiye", want: 404, scope: "-"},
	{route: "PUT /api/v1/disputes/types/{code}", login: "xfj", want: 200, scope: "in", path: fixed("/api/v1/disputes/types/matrix"), body: `{"name":"矩阵类型","active":true}`},
	{route: "PUT /api/v1/disputes/types/{code}", login: "leader", want: 403, scope: "in", path: fixed("/api/v1/disputes/types/matrix"), body: `{"name":"矩阵类型","active":true}`},
	{route: "PUT /api/v1/disputes/types/{code}", login: "qingshan", want: 404, scope: "out", path: fixed("/api/v1/disputes/types/matrix"), body: `{"name":"矩阵类型","active":true}`},
	{route: "GET /api/v1/disputes/risk-levels", want: 401, scope: "-"},
	{route: "GET /api/v1/disputes/risk-levels", login: "duchashi", want: 200, scope: "-"},
	{route: "GET /api/v1/disputes/risk-levels", login: "auditor", want: 404, scope: "-"},
	{route: "PUT /api/v1/disputes/risk-levels/{code}", login: "admin", want: 200, scope: "in", path: fixed("/api/v1/disputes/risk-levels/green"), body: `{"name":"绿色","color":"#2e7d32","sort":50,"active":true}`},
	{route: "PUT /api/v1/disputes/risk-levels/{code}", login: "leader", want: 403, scope: "in", path: fixed("/api/v1/disputes/risk-levels/green"), body: `{"name":"绿色","color":"#2e7d32","active":true}`},
	{route: "PUT /api/v1/disputes/risk-levels/{code}", login: "qingshan", want: 404, scope: "out", path: fixed("/api/v1/disputes/risk-levels/green"), body: `{"name":"绿色","color":"#2e7d32","active":true}`},
	{route: "GET /api/v1/disputes/settings", want: 401, scope: "-"},
	{route: "GET /api/v1/disputes/settings", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /api/v1/disputes/settings", login: "qiye", want: 404, scope: "-"},
	{route: "PUT /api/v1/disputes/settings", login: "xfj", want: 200, scope: "in", body: `{"remind_days":3,"default_days":30}`},
	{route: "PUT /api/v1/disputes/settings", login: "leader", want: 403, scope: "in", body: `{"remind_days":3,"default_days":30}`},
	{route: "PUT /api/v1/disputes/settings", login: "qingshan", want: 404, scope: "out", body: `{"remind_days":3,"default_days":30}`},
	// Disputes (矛盾纠纷): pages
	{route: "GET /disputes", login: "grid", want: 303, scope: "-"},
	{route: "GET /disputes", login: "wanggeyuan", want: 200, scope: "in"},
	{route: "GET /disputes", login: "qingshan", want: 404, scope: "out", path: page("/disputes?org_id=", "SFQ-DC")},
	{route: "GET /disputes", login: "qiye", want: 404, scope: "-"},
	{route: "GET /disputes/new", login: "wanggeyuan", want: 200, scope: "-"},
	{route: "GET /disputes/new", login: "duchashi", want: 404, scope: "-"},
	{route: "POST /disputes", login: "wanggeyuan", want: 303, scope: "in", body: "form:org_id=%SFQ-QS-01%&type=neighbour&summary=页面纠纷&party_count=2&risk_level=blue"},
	{route: "POST /disputes", login: "qingshan", want: 404, scope: "out", body: "form:org_id=%SFQ-DC%&type=neighbour&summary=页面纠纷&party_count=2&risk_level=blue"},
	{route: "POST /disputes", login: "duchashi", want: 403, scope: "in", body: "form:org_id=%SFQ-QS%&type=neighbour&summary=页面纠纷&party_count=2&risk_level=blue"},
	{route: "GET /disputes/{id}", login: "wanggeyuan", want: 200, scope: "in", path: disputeAt("SFQ-QS-01", "/disputes/", "")},
	{route: "GET /disputes/{id}", login: "qingshan", want: 404, scope: "out", path: disputeAt("SFQ-DC-01", "/disputes/", "")},
	{route: "GET /disputes/{id}", login: "qingshan", want: 404, scope: "absent", path: fixed("/disputes/999999")},
	{route: "POST /disputes/{id}/transitions", login: "qingshan", want: 303, scope: "in", path: disputeAt("SFQ-QS-01", "/disputes/", "/transitions"), body: "form:action=start"},
	{route: "POST /disputes/{id}/transitions", login: "wanggeyuan", want: 403, scope: "in", path: disputeAt("SFQ-QS-01", "/disputes/", "/transitions"), body: "form:action=start"},
	{route: "POST /disputes/{id}/transitions", login: "qingshan", want: 404, scope: "out", path: disputeAt("SFQ-DC-01", "/disputes/", "/transitions"), body: "form:action=start"},
	{route: "POST /disputes/{id}/reveal", login: "qingshan", want: 200, scope: "in", path: disputeAt("SFQ-QS-01", "/disputes/", "/reveal")},
	{route: "POST /disputes/{id}/reveal", login: "wanggeyuan", want: 403, scope: "in", path: disputeAt("SFQ-QS-01", "/disputes/", "/reveal")},
	{route: "POST /disputes/{id}/reveal", login: "qingshan", want: 404, scope: "out", path: disputeAt("SFQ-DC-01", "/disputes/", "/reveal")},
	{route: "GET /disputes/import", login: "qingshan", want: 200, scope: "-"},
	{route: "GET /disputes/import", login: "duchashi", want: 404, scope: "-"},
	{route: "POST /disputes/import", login: "qingshan", want: 415, scope: "-", body: "form:dry_run=1"},
	{route: "POST /disputes/import", login: "duchashi", want: 404, scope: "-", body: "form:dry_run=1"},
	{route: "GET /static/dispute.css", want: 200, scope: "-"},
	// Campaigns (排查整治行动): API
	{route: "POST /api/v1/campaigns", want: 401, scope: "-", body: `{"title":"矩阵行动"}`},
	{route: "POST /api/v1/campaigns", login: "yjj", want: 201, scope: "in", body: `{"title":"矩阵行动","scope_org_id":%SFQ%,"period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31"}`},
	{route: "POST /api/v1/campaigns", login: "qingshan", want: 201, scope: "in", body: `{"title":"矩阵行动","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31"}`},
	{route: "POST /api/v1/campaigns", login: "wanggeyuan", want: 403, scope: "in", body: `{"title":"矩阵行动","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31"}`},
	{route: "POST /api/v1/campaigns", login: "duchashi", want: 403, scope: "in", body: `{"title":"矩阵行动","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31"}`},
	{route: "POST /api/v1/campaigns", login: "qingshan", want: 404, scope: "out", body: `{"title":"矩阵行动","scope_org_id":%SFQ-DC%,"period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31"}`},
	{route: "POST /api/v1/campaigns", login: "admin", want: 404, scope: "out", body: `{"title":"矩阵行动","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31"}`},
	{route: "GET /api/v1/campaigns", want: 401, scope: "-"},
	{route: "GET /api/v1/campaigns", login: "wanggeyuan", want: 200, scope: "-"},
	{route: "GET /api/v1/campaigns", login: "qiye", want: 404, scope: "-"},
	{route: "GET /api/v1/campaigns", login: "admin", want: 404, scope: "-"},
	{route: "GET /api/v1/campaigns/{id}", want: 401, scope: "in", path: campaignAt("qingshan", "SFQ-QS", false, "/api/v1/campaigns/", "")},
	{route: "GET /api/v1/campaigns/{id}", login: "wanggeyuan", want: 200, scope: "in", path: campaignAt("qingshan", "SFQ-QS", false, "/api/v1/campaigns/", "")},
	{route: "GET /api/v1/campaigns/{id}", login: "qingshan", want: 404, scope: "out", path: campaignAt("yjj", "SFQ-DC", false, "/api/v1/campaigns/", "")},
	{route: "GET /api/v1/campaigns/{id}", login: "wanggeyuan", want: 404, scope: "out", path: campaignAt("yjj", "SFQ", true, "/api/v1/campaigns/", "")},
	{route: "GET /api/v1/campaigns/{id}", login: "qingshan", want: 404, scope: "absent", path: fixed("/api/v1/campaigns/999999")},
	{route: "PUT /api/v1/campaigns/{id}", want: 401, scope: "in", path: campaignAt("yjj", "SFQ", true, "/api/v1/campaigns/", ""), body: `{"title":"矩阵"}`},
	{route: "PUT /api/v1/campaigns/{id}", login: "yjj", want: 200, scope: "in", path: campaignAt("yjj", "SFQ", true, "/api/v1/campaigns/", ""), body: `{"title":"矩阵草稿","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31","draft":true}`},
	{route: "PUT /api/v1/campaigns/{id}", login: "wanggeyuan", want: 403, scope: "in", path: campaignAt("qingshan", "SFQ-QS", false, "/api/v1/campaigns/", ""), body: `{"title":"矩阵","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31"}`},
	{route: "PUT /api/v1/campaigns/{id}", login: "qingshan", want: 404, scope: "out", path: campaignAt("yjj", "SFQ-DC", true, "/api/v1/campaigns/", ""), body: `{"title":"矩阵","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31"}`},
	{route: "POST /api/v1/campaigns/{id}/transitions", want: 401, scope: "in", path: campaignAt("qingshan", "SFQ-QS", false, "/api/v1/campaigns/", "/transitions"), body: `{"action":"close"}`},
	{route: "POST /api/v1/campaigns/{id}/transitions", login: "qingshan", want: 200, scope: "in", path: campaignAt("qingshan", "SFQ-QS", false, "/api/v1/campaigns/", "/transitions"), body: `{"action":"close"}`},
	{route: "POST /api/v1/campaigns/{id}/transitions", login: "wanggeyuan", want: 403, scope: "in", path: campaignAt("qingshan", "SFQ-QS", false, "/api/v1/campaigns/", "/transitions"), body: `{"action":"close"}`},
	{route: "POST /api/v1/campaigns/{id}/transitions", login: "qingshan", want: 404, scope: "out", path: campaignAt("yjj", "SFQ-DC", false, "/api/v1/campaigns/", "/transitions"), body: `{"action":"close"}`},
	{route: "GET /api/v1/campaigns/{id}/tasks/{task_id}", want: 401, scope: "in", path: campaignTask("qingshan", "SFQ-QS", "SFQ-QS-01", "/api/v1/campaigns/")},
	{route: "GET /api/v1/campaigns/{id}/tasks/{task_id}", login: "wanggeyuan", want: 200, scope: "in", path: campaignTask("qingshan", "SFQ-QS", "SFQ-QS-01", "/api/v1/campaigns/")},
	{route: "GET /api/v1/campaigns/{id}/tasks/{task_id}", login: "wanggeyuan", want: 404, scope: "out", path: campaignTask("qingshan", "SFQ-QS", "SFQ-QS-02", "/api/v1/campaigns/")},
	{route: "POST /api/v1/campaigns/{id}/rechecks/{recheck_id}", want: 401, scope: "in", path: campaignRecheck("qingshan", "SFQ-QS", "/api/v1/campaigns/"), body: `{"outcome":"fixed"}`},
	{route: "POST /api/v1/campaigns/{id}/rechecks/{recheck_id}", login: "wanggeyuan", want: 200, scope: "in", path: campaignRecheck("qingshan", "SFQ-QS", "/api/v1/campaigns/"), body: `{"outcome":"fixed"}`},
	{route: "POST /api/v1/campaigns/{id}/rechecks/{recheck_id}", login: "duchashi", want: 403, scope: "in", path: campaignRecheck("qingshan", "SFQ-QS", "/api/v1/campaigns/"), body: `{"outcome":"fixed"}`},
	{route: "POST /api/v1/campaigns/{id}/rechecks/{recheck_id}", login: "qiye", want: 404, scope: "out", path: campaignRecheck("qingshan", "SFQ-QS", "/api/v1/campaigns/"), body: `{"outcome":"fixed"}`},
	// Campaigns (排查整治行动): pages
	{route: "GET /campaigns", login: "grid", want: 303, scope: "-"},
	{route: "GET /campaigns", login: "wanggeyuan", want: 200, scope: "-"},
	{route: "GET /campaigns", login: "qiye", want: 404, scope: "-"},
	{route: "GET /campaigns", login: "admin", want: 404, scope: "-"},
	{route: "GET /campaigns/new", login: "grid", want: 303, scope: "-"},
	{route: "GET /campaigns/new", login: "yjj", want: 200, scope: "-"},
	{route: "GET /campaigns/new", login: "wanggeyuan", want: 403, scope: "-"},
	{route: "GET /campaigns/new", login: "qiye", want: 404, scope: "out"},
	{route: "POST /campaigns", login: "yjj", want: 303, scope: "in", body: "form:title=矩阵行动&scope_org_id=%SFQ-QS%&period_start=2026-11-27&period_end=2026-12-26&deadline=2026-12-31&action=launch"},
	{route: "POST /campaigns", login: "wanggeyuan", want: 403, scope: "in", body: "form:title=矩阵行动&period_start=2026-11-27&period_end=2026-12-26&deadline=2026-12-31&action=launch"},
	{route: "POST /campaigns", login: "qingshan", want: 404, scope: "out", body: "form:title=矩阵行动&scope_org_id=%SFQ-DC%&period_start=2026-11-27&period_end=2026-12-26&deadline=2026-12-31&action=launch"},
	{route: "GET /campaigns/{id}", login: "grid", want: 303, scope: "in", path: campaignAt("qingshan", "SFQ-QS", false, "/campaigns/", "")},
	{route: "GET /campaigns/{id}", login: "wanggeyuan", want: 200, scope: "in", path: campaignAt("qingshan", "SFQ-QS", false, "/campaigns/", "")},
	{route: "GET /campaigns/{id}", login: "qingshan", want: 404, scope: "out", path: campaignAt("yjj", "SFQ-DC", false, "/campaigns/", "")},
	{route: "GET /campaigns/{id}/edit", login: "yjj", want: 200, scope: "in", path: campaignAt("yjj", "SFQ", true, "/campaigns/", "/edit")},
	{route: "GET /campaigns/{id}/edit", login: "wanggeyuan", want: 403, scope: "in", path: campaignAt("qingshan", "SFQ-QS", false, "/campaigns/", "/edit")},
	{route: "GET /campaigns/{id}/edit", login: "qingshan", want: 404, scope: "out", path: campaignAt("yjj", "SFQ-DC", true, "/campaigns/", "/edit")},
	{route: "POST /campaigns/{id}", login: "yjj", want: 303, scope: "in", path: campaignAt("yjj", "SFQ", true, "/campaigns/", ""), body: "form:title=矩阵草稿&scope_org_id=%SFQ%&period_start=2026-11-27&period_end=2026-12-26&deadline=2026-12-31&action=draft"},
	{route: "POST /campaigns/{id}", login: "wanggeyuan", want: 403, scope: "in", path: campaignAt("qingshan", "SFQ-QS", false, "/campaigns/", ""), body: "form:title=矩阵&period_start=2026-11-27&period_end=2026-12-26&deadline=2026-12-31&action=draft"},
	{route: "POST /campaigns/{id}", login: "qingshan", want: 404, scope: "out", path: campaignAt("yjj", "SFQ-DC", true, "/campaigns/", ""), body: "form:title=矩阵&period_start=2026-11-27&period_end=2026-12-26&deadline=2026-12-31&action=draft"},
	{route: "POST /campaigns/{id}/transitions", login: "qingshan", want: 303, scope: "in", path: campaignAt("qingshan", "SFQ-QS", false, "/campaigns/", "/transitions"), body: "form:action=close"},
	{route: "POST /campaigns/{id}/transitions", login: "wanggeyuan", want: 403, scope: "in", path: campaignAt("qingshan", "SFQ-QS", false, "/campaigns/", "/transitions"), body: "form:action=close"},
	{route: "POST /campaigns/{id}/transitions", login: "qingshan", want: 404, scope: "out", path: campaignAt("yjj", "SFQ-DC", false, "/campaigns/", "/transitions"), body: "form:action=close"},
	{route: "GET /campaigns/{id}/tasks/{task_id}", login: "wanggeyuan", want: 200, scope: "in", path: campaignTask("qingshan", "SFQ-QS", "SFQ-QS-01", "/campaigns/")},
	{route: "GET /campaigns/{id}/tasks/{task_id}", login: "wanggeyuan", want: 404, scope: "out", path: campaignTask("qingshan", "SFQ-QS", "SFQ-QS-02", "/campaigns/")},
	{route: "POST /campaigns/{id}/rechecks/{recheck_id}", login: "wanggeyuan", want: 303, scope: "in", path: campaignRecheck("qingshan", "SFQ-QS", "/campaigns/"), body: "form:outcome=fixed"},
	{route: "POST /campaigns/{id}/rechecks/{recheck_id}", login: "duchashi", want: 403, scope: "in", path: campaignRecheck("qingshan", "SFQ-QS", "/campaigns/"), body: "form:outcome=fixed"},
	{route: "POST /campaigns/{id}/rechecks/{recheck_id}", login: "qiye", want: 404, scope: "out", path: campaignRecheck("qingshan", "SFQ-QS", "/campaigns/"), body: "form:outcome=fixed"},
	{route: "GET /static/campaign.css", want: 200, scope: "-"},
}

// fill replaces %CODE% by the id of the demo org with that code.
func fill(e *apptest.Env, s string) string {
	for {
		i := strings.Index(s, "%")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i+1:], "%")
		if j < 0 {
			return s
		}
		code := s[i+1 : i+1+j]
		s = s[:i] + itoa(e.OrgID(code)) + s[i+2+j:]
	}
}

func TestAuthorizationMatrixCoversEveryRoute(t *testing.T) {
	env := apptest.Start(t, dbtest.SQLite(t))
	have := map[string]bool{}
	for _, r := range authzMatrix {
		have[r.route] = true
	}
	for _, r := range env.App.Web.Routes() {
		key := r.Method + " " + r.Pattern
		if !have[key] {
			t.Errorf("route %s has no row in the authorization matrix", key)
		}
		delete(have, key)
	}
	for k := range have {
		t.Errorf("matrix row for %s, which is not a registered route", k)
	}
}

func TestAuthorizationMatrix(t *testing.T) {
	env := apptest.Start(t, dbtest.SQLite(t))
	clients := map[string]*apptest.Client{"": env.Anonymous()}
	for _, row := range authzMatrix {
		name := row.route + " as " + row.login + " (" + row.scope + ")"
		t.Run(name, func(t *testing.T) {
			c, ok := clients[row.login]
			if !ok {
				if row.login == "grid" { // a name that is no account: not signed in
					c = env.Anonymous()
				} else {
					c = env.SignIn(row.login)
				}
				clients[row.login] = c
			}
			method, pattern, _ := strings.Cut(row.route, " ")
			path := pattern
			if row.path != nil {
				path = row.path(env)
			}
			deniedBefore := env.AuditCount("", "denied")
			var r *apptest.Response
			switch {
			case strings.HasPrefix(row.body, "form:"):
				r = c.Do(method, path, strings.NewReader(fill(env, strings.TrimPrefix(row.body, "form:"))), "application/x-www-form-urlencoded")
			case row.body != "":
				r = c.SendJSON(method, path, fill(env, row.body))
			case method == http.MethodGet:
				r = c.Get(path)
			default:
				r = c.Do(method, path, nil, "")
			}
			if r.StatusCode != row.want {
				t.Fatalf("%s %s: %d, want %d: %.300s", method, path, r.StatusCode, row.want, r.Body)
			}
			// Every permission refusal leaves a security event in the trail.
			refused := row.login != "" && row.login != "grid" && (row.want == http.StatusForbidden || (row.want == http.StatusNotFound && row.scope != "in" && row.scope != "absent"))
			if refused && env.AuditCount("", "denied") == deniedBefore {
				t.Errorf("%s %s refused with %d but left no denied audit record", method, path, r.StatusCode)
			}
		})
	}
}
