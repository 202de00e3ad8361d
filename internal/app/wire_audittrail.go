package app

import (
	"context"

	"github.com/anwen-gov/anwen/internal/audittrail"
)

func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		audittrail.Register(a.Web, &audittrail.Service{DB: a.DB, Auth: a.Auth, Clock: a.Clock})
		return nil
	})
	filters := []Param{{"from", "string", "first day, YYYY-MM-DD"}, {"to", "string", "last day, inclusive"}, {"user", "string", "login"},
		{"action", "string", "action prefix, e.g. auth. or user.create"}, {"result", "string", "ok, denied or failed"},
		{"object_type", "string", ""}, {"object_id", "string", ""}}
	Document(
		Operation{Method: "GET", Path: "/api/v1/audit", Tag: "audit", Summary: "Search the audit trail, newest first (audit administrator; the search is itself recorded)", Response: audittrail.Page{},
			Query: append(filters, Param{"before_seq", "integer", "continue with older records"}, Param{"limit", "integer", "1–1000, default 100"})},
		Operation{Method: "GET", Path: "/api/v1/audit/verify", Tag: "audit", Summary: "Walk the hash chain and name the first record that does not match", Response: audittrail.Verification{}},
		Operation{Method: "GET", Path: "/api/v1/audit/export.xlsx", Tag: "audit", Summary: "The matching records as an Excel workbook", ResponseType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Query: filters},
		Operation{Method: "GET", Path: "/api/v1/audit/export.csv", Tag: "audit", Summary: "The matching records as CSV (UTF-8 with BOM)", ResponseType: "text/csv", Query: filters},
	)
}
