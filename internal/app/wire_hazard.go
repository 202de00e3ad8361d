package app

import (
	"context"
	"sync"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/hazard"
	"github.com/anwen-gov/anwen/internal/notify"
)

// hazardServices holds each App's hazard service until App gets a field
// of its own for it (see Hazards).
var hazardServices sync.Map // *App → *hazard.Service

// Hazards is the hazard service (隐患) of a, for other capabilities (an
// inspection's failed item registers a hazard with Hazards().Register)
// and for tests.
func (a *App) Hazards() *hazard.Service {
	s, _ := hazardServices.Load(a)
	h, _ := s.(*hazard.Service)
	return h
}

// Hazards (隐患): registration, the lifecycle to closure, the ledger,
// reminders and escalation. This file sorts after wire_attachment.go, so
// a.Attachments is set when it runs.
func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		svc := &hazard.Service{DB: a.DB, Auth: a.Auth, Clock: a.Clock, Attachments: a.Attachments, Notifier: hazardNotifier{a.Notify}, Log: a.Log}
		hazardServices.Store(a, svc)
		svc.RegisterClock(a.Engine)
		if a.Attachments != nil {
			// Who may see a hazard may see its photos and its steps' evidence.
			a.Attachments.RegisterOwner(hazard.OwnerHazard, func(ctx context.Context, actor *auth.Actor, id int64) error {
				return svc.CanView(ctx, actor, id)
			})
			a.Attachments.RegisterOwner(hazard.OwnerStep, func(ctx context.Context, actor *auth.Actor, id int64) error {
				return svc.CanViewStep(ctx, actor, id)
			})
		}
		hazard.Register(a.Web, svc)
		return nil
	})
	quarterlyParams := []Param{{"period", "string", "required: a quarter such as 2026Q3, or a year such as 2026"},
		{"enterprise_id", "integer", "one enterprise"}, {"org_id", "integer", "the enterprises of an org subtree (not with enterprise_id)"}}
	var ledger []Param
	for _, p := range hazard.FilterParams {
		ledger = append(ledger, Param{p[0], p[1], p[2]})
	}
	Document(
		Operation{Method: "POST", Path: "/api/v1/hazards", Tag: "hazards",
			Summary: "Register a hazard (隐患登记). Known facts are filled in: an enterprise's territory, industry and name; the finder; the time. " +
				"A major hazard names its grading clause (standard_id) and reports its state and cause and its harm. fixed_on_spot (立即整改) registers straight to closed and needs evidence_ids. " +
				"Photos are uploaded first (POST /api/v1/attachments) and sent as attachment_ids (before) and evidence_ids (after). A deadline before the finding date is 400 naming deadline.",
			Request: hazard.Input{}, Response: hazard.Detail{}, Status: 201},
		Operation{Method: "GET", Path: "/api/v1/hazards", Tag: "hazards",
			Summary:  "The ledger (台账): the hazards in the caller's scope, filtered, searched (Chinese substrings) and sorted, one page by keyset (next/prev cursors); the total is counted up to 10,000",
			Response: hazard.Page{}, Query: ledger},
		Operation{Method: "GET", Path: "/api/v1/hazards/{id}", Tag: "hazards", Summary: "A hazard with its photos, its timeline (steps with their evidence) and the actions the caller may take now (allowed_actions)", Response: hazard.Detail{}},
		Operation{Method: "POST", Path: "/api/v1/hazards/{id}/transitions", Tag: "hazards",
			Summary: "Take one step of the lifecycle table: start, submit_evidence (comment and attachment_ids required), accept (销号: the supervising org, not the one who submitted the evidence), " +
				"send_back (reason), request_extension (reason, new_deadline), approve_extension, refuse_extension (reason), cancel (reason), supervise (挂牌督办: a superior org; new_deadline, comment), update_plan (major). " +
				"A step the table does not have from the hazard's state answers 422 with error.allowed_actions.",
			Request: hazard.TransitionInput{}, Response: hazard.Detail{}},
		Operation{Method: "GET", Path: "/api/v1/hazards/stats", Tag: "hazards",
			Summary:  "Statistics of an org subtree and period: found, closed, closed on time, closure rate, and open, overdue and major open now; one row per child org",
			Response: hazard.Stats{}, Query: []Param{{"org_id", "integer", "default: the caller's scope"}, {"from", "string", "YYYY-MM-DD, default 1 January"}, {"to", "string", "YYYY-MM-DD, default today"}}},
		Operation{Method: "GET", Path: "/api/v1/hazards/quarterly", Tag: "hazards",
			Summary: "The enterprise's statistics table (企业隐患排查治理情况统计表) as JSON: one enterprise (its contact; staff whose scope covers it), or one row per enterprise of an org subtree (staff; default: the caller's widest scope, an enterprise contact's own enterprise). " +
				"Found (by grade) in the period, closed by its end, closure rate, closed in the period, open and overdue at its end, major hazards listed and with a full plan, funds. A period that has not ended is as of today (ended false); one not begun is 400",
			Response: hazard.Quarterly{}, Query: quarterlyParams},
		Operation{Method: "GET", Path: "/api/v1/hazards/quarterly.xlsx", Tag: "hazards",
			Summary: "The same as the Excel table to sign and send (due by the 15th after each quarter, by 31 January for a year): title marked 未结束 while the period runs, the due date, two header rows, a row per enterprise (and a total for an org), the notes and the principal's signature line; recorded in the audit trail. " +
				"404 outside the caller's scope, 400 for a malformed period",
			ResponseType: hazard.XLSXType, Query: quarterlyParams},
		Operation{Method: "GET", Path: "/api/v1/hazards/prefill", Tag: "hazards", Summary: "A registration filled in from an enterprise, a territory or a daily-report item (nothing known is typed twice)",
			Response: hazard.Prefilled{}, Query: []Param{{"enterprise_id", "integer", "the enterprise or place"}, {"org_id", "integer", "the territory"}, {"from", "string", "dailyreport_item"}, {"item_id", "integer", "the daily-report item"}}},
		Operation{Method: "GET", Path: "/api/v1/hazards/export.xlsx", Tag: "hazards", Summary: "The ledger as an Excel workbook in the columns offices use, streamed (at most 200,000 rows); the ledger's filters apply",
			ResponseType: hazard.XLSXType, Query: ledger},
		Operation{Method: "POST", Path: "/api/v1/hazards/import", Tag: "hazards",
			Summary: "Import an existing ledger (.xlsx, field file; org_id: the territory of rows without one; dry_run=1 checks only). Headers and close variants are recognised; all or nothing: " +
				"422 with rows (sheet, row, column, cell, message) for a missing column, a merged header, a date that is not a date …",
			RequestType: "multipart/form-data", Response: hazard.ImportResult{}, Status: 201,
			Query: []Param{{"org_id", "integer", "territory of rows without 属地"}, {"dry_run", "string", "1: check only"}}},
		Operation{Method: "GET", Path: "/api/v1/hazards/categories", Tag: "hazards", Summary: "Hazard categories (隐患类别)", Response: []hazard.Category{}, Query: []Param{{"all", "string", "1: inactive ones too"}}},
		Operation{Method: "PUT", Path: "/api/v1/hazards/categories/{code}", Tag: "hazards", Summary: "Add or change a category (hazard.manage)", Request: hazard.Category{}, Response: hazard.Category{}},
		Operation{Method: "GET", Path: "/api/v1/hazards/standards", Tag: "hazards", Summary: "The grading reference (重大事故隐患判定标准): versioned clauses", Response: []hazard.Standard{}, Query: []Param{{"all", "string", "1: retired ones too"}}},
		Operation{Method: "POST", Path: "/api/v1/hazards/standards", Tag: "hazards", Summary: "Add a clause (hazard.manage)", Request: hazard.StandardInput{}, Response: hazard.Standard{}, Status: 201},
		Operation{Method: "PATCH", Path: "/api/v1/hazards/standards/{id}", Tag: "hazards", Summary: "Retire or re-activate a clause (hazard.manage); clauses are never deleted", Request: hazard.StandardPatch{}, Response: hazard.Standard{}},
		Operation{Method: "GET", Path: "/api/v1/hazards/settings", Tag: "hazards", Summary: "Reminder days, escalation days and the district leader in charge", Response: hazard.Settings{}},
		Operation{Method: "PUT", Path: "/api/v1/hazards/settings", Tag: "hazards", Summary: "Set them (hazard.manage)", Request: hazard.Settings{}, Response: hazard.Settings{}},
	)
}

// hazardNotifier hands the hazard messages to the notify platform, in the
// caller's transaction.
type hazardNotifier struct{ n *notify.Service }

func (x hazardNotifier) Notify(ctx context.Context, tx *db.Tx, notes ...hazard.Note) error {
	envs := make([]notify.Envelope, len(notes))
	for i, n := range notes {
		envs[i] = notify.Envelope{To: notify.Recipient{UserIDs: n.UserIDs, OrgIDs: n.OrgIDs},
			Message: notify.Message{Kind: "hazard", Title: n.Title, Body: n.Body, Link: n.Link, DedupeKey: n.DedupeKey}}
	}
	return x.n.EnqueueMany(ctx, tx, envs)
}
