package app

import "github.com/anwen-gov/anwen/internal/dailyreport"

// The daily report's history, statistics and exports (routes in
// internal/dailyreport/history.go and export.go).
func init() {
	period := []Param{{"org_id", "integer", "the units that report to this org (default: the caller's scope)"},
		{"from", "string", "YYYY-MM-DD, default the first day of this month"}, {"to", "string", "YYYY-MM-DD, default the last day of this month; at most 366 days after from"}}
	Document(
		Operation{Method: "GET", Path: "/api/v1/daily-reports/history", Tag: "daily-reports", Summary: "A unit's month: each day's status (on_time, late, missing, pending, not_required), minutes late and versions filed; days before the unit's record begins (its first classified or reported day) are not_required",
			Response: dailyreport.History{}, Query: []Param{{"org_id", "integer", "the reporting unit (required)"}, {"month", "string", "YYYY-MM, default this month"}}},
		Operation{Method: "GET", Path: "/api/v1/daily-reports/stats", Tag: "daily-reports", Summary: "On-time record per unit over a period: required days whose deadline has passed (from the unit's first classified or reported day), on time, late, missing and the on-time rate (null when no day counted); lowest rate first",
			Response: dailyreport.Stats{}, Query: period},
		Operation{Method: "GET", Path: "/api/v1/daily-reports/board.xlsx", Tag: "daily-reports", Summary: "A day's board as an Excel workbook (sheets 单位 and 事项)",
			ResponseType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			Query:        []Param{{"date", "string", "YYYY-MM-DD, default today"}, {"org_id", "integer", "the units under this org (default: the caller's scope)"}}},
		Operation{Method: "GET", Path: "/api/v1/daily-reports/stats.xlsx", Tag: "daily-reports", Summary: "The statistics of a period as an Excel workbook (sheet 统计, total last)",
			ResponseType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Query: period},
	)
}
