package app

import (
	"context"

	"github.com/anwen-gov/anwen/internal/enterprise"
)

// The register of enterprises and places (企业场所). Other capabilities build
// their own &enterprise.Service{DB, Auth, Clock} when they need one (it holds
// no state), filter their lists with enterprise.ScopeSQL, and add blocks to
// the enterprise page with enterprise.AddSection(a.Web, …).
func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		svc := &enterprise.Service{DB: a.DB, Auth: a.Auth, Clock: a.Clock}
		enterprise.Register(a.Web, svc, a.Orgs)
		return nil
	})
	const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	filter := []Param{
		{"org_id", "integer", "the territory org and its subtree"},
		{"industry", "string", "an industry code: hazchem, fireworks, metallurgy, dust, construction, gas, transport, special_equipment, crowded, fire_key, catering, mining, other"},
		{"risk_level", "string", "major (重大), large (较大), general (一般) or low (低)"},
		{"kind", "string", "enterprise or place"},
		{"key", "boolean", "重点企业"},
		{"crowded", "boolean", "人员密集场所"},
		{"major_hazard", "boolean", "重大危险源"},
		{"status", "string", "open (default), closed or all"},
		{"q", "string", "part of the name, credit code, address or principal's name"},
		{"sort", "string", "risk (default: major first), name, updated or territory"},
	}
	page := append(append([]Param(nil), filter...), Param{"limit", "integer", "default 50, at most 500"}, Param{"offset", "integer", "rows to skip"})
	Document(
		Operation{Method: "GET", Path: "/api/v1/enterprises", Tag: "enterprises",
			Summary:  "Enterprises and places the caller may see, filtered and paged in SQL, with the total (also in X-Total-Count); phones masked unless the caller keeps the register there",
			Response: enterprise.Page{}, Query: page},
		Operation{Method: "POST", Path: "/api/v1/enterprises", Tag: "enterprises",
			Summary: "Register an enterprise or place in a territory the caller keeps; the credit code (uscc) is checked: 18 characters of 0-9 A-H J-N P-R T U W-Y with the GB 32100-2015 check character (400, field uscc, says which); a code already registered answers 409",
			Request: enterprise.Input{}, Response: enterprise.Enterprise{}, Status: 201},
		Operation{Method: "GET", Path: "/api/v1/enterprises/{id}", Tag: "enterprises", Summary: "One enterprise (404 outside the caller's scope)", Response: enterprise.Enterprise{}},
		Operation{Method: "PATCH", Path: "/api/v1/enterprises/{id}", Tag: "enterprises",
			Summary: "Change fields of an enterprise; closed: true closes it (nothing is deleted); regulator_org_id 0 removes the regulator", Request: enterprise.Patch{}, Response: enterprise.Enterprise{}},
		Operation{Method: "GET", Path: "/api/v1/enterprises/{id}/contacts", Tag: "enterprises", Summary: "The enterprise's contact accounts (企业联络人)", Response: []enterprise.Contact{}},
		Operation{Method: "POST", Path: "/api/v1/enterprises/{id}/contacts", Tag: "enterprises",
			Summary: "Create a contact account for the enterprise: role enterprise, sees only this enterprise; the initial password is returned once and must be changed at the first sign-in",
			Request: enterprise.ContactInput{}, Response: enterprise.NewContact{}, Status: 201},
		Operation{Method: "POST", Path: "/api/v1/import/enterprises", Tag: "enterprises",
			Summary:     "Import the register from a workbook (this body type, or multipart/form-data with the field file), all or nothing: rows with an id or a registered credit code update, others create; 422 lists every problem as rows of {sheet,row,column,message} (a missing column, a merged header, a date written as text …)",
			RequestType: xlsx, Response: enterprise.ImportResult{}, Query: []Param{{"dry_run", "string", "1: check every row, write nothing"}}},
		Operation{Method: "GET", Path: "/api/v1/import/enterprises/template.xlsx", Tag: "enterprises", Summary: "The import template: headers, an example row, drop-down lists, a 说明 sheet and a 代码表 sheet of the caller's territories and the departments", ResponseType: xlsx},
		Operation{Method: "GET", Path: "/api/v1/export/enterprises.xlsx", Tag: "enterprises", Summary: "The enterprises of the filter that the caller may see, in the import format (ids included, so that the file imports back as updates); recorded in the audit trail",
			ResponseType: xlsx, Query: filter},
	)
}
