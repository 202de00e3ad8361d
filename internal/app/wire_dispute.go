package app

import (
	"context"
	"sync"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/dispute"
	"github.com/anwen-gov/anwen/internal/notify"
)

// disputeServices holds each App's dispute service until App gets a field
// of its own for it (see Disputes).
var disputeServices sync.Map // *App → *dispute.Service

// Disputes is the dispute service (矛盾纠纷) of a, for other capabilities
// and for tests.
func (a *App) Disputes() *dispute.Service {
	s, _ := disputeServices.Load(a)
	svc, _ := s.(*dispute.Service)
	return svc
}

// LoadDemoDisputes registers the demo district's fictional disputes in
// every state, once (one of LoadDemoRecords).
func (a *App) LoadDemoDisputes(ctx context.Context) (int, error) {
	if a.Disputes() == nil {
		return 0, nil
	}
	return dispute.SeedDemo(ctx, a.Disputes())
}

// Disputes (矛盾纠纷排查化解): the ledger, the lifecycle, the parties' data
// sealed by the field cipher (config_sealed.go), reminders and overdue
// through the clock engine.
func init() {
	addDemoRecords("disputes", (*App).LoadDemoDisputes)
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		kr, err := a.FieldCipher()
		if err != nil {
			return err
		}
		svc := &dispute.Service{DB: a.DB, Auth: a.Auth, Clock: a.Clock, Cipher: kr, Notifier: disputeNotifier{a.Notify}, Log: a.Log, PetitionOf: a.petitionOf,
			MayRegisterPetition: a.mayRegisterPetition}
		disputeServices.Store(a, svc)
		svc.RegisterClock(a.Engine)
		dispute.Register(a.Web, svc)
		return nil
	})
	var ledger []Param
	for _, p := range dispute.FilterParams {
		ledger = append(ledger, Param{p[0], p[1], p[2]})
	}
	Document(
		Operation{Method: "POST", Path: "/api/v1/disputes", Tag: "disputes",
			Summary: "Register a dispute (矛盾纠纷排查登记) in a territory (org_id: the district, a township or street, a village or community; default the caller's org). " +
				"type and risk_level are codes of the configurable tables; party_count of 5 or more sets many_people. The lead party's name and phone are optional personal data: " +
				"sealed at rest, masked in every answer, opened by GET /api/v1/disputes/{id}/party. A risk level with a lead rule fills in the 包案领导 " +
				"(e.g. red: the township's 党委书记) and accepts only that person or a leader above (422 naming them otherwise). Deadline default: the settings' default_days.",
			Request: dispute.Input{}, Response: dispute.Detail{}, Status: 201},
		Operation{Method: "GET", Path: "/api/v1/disputes", Tag: "disputes",
			Summary:  "The ledger (台账): disputes of the caller's scope (as territory or responsible org), newest first, filtered, one page by keyset (next/prev cursors); the total counted up to 10,000 (also in X-Total-Count). Party data masked",
			Response: dispute.Page{}, Query: ledger},
		Operation{Method: "GET", Path: "/api/v1/disputes/{id}", Tag: "disputes",
			Summary:  "A dispute with its mediation sessions, its timeline, the actions the caller may take now (allowed_actions) and can_reveal; party data masked; 404 outside the caller's scope",
			Response: dispute.Detail{}},
		Operation{Method: "POST", Path: "/api/v1/disputes/{id}/transitions", Tag: "disputes",
			Summary: "Take one step of the lifecycle table: start, record_session (session: method, outcome, held_at, mediator, note), stabilize (平稳; comment), resolve (已化解; comment: the outcome), " +
				"reassess (risk_level, reason; the lead follows the level's rule), extend (new_deadline, reason), reopen (reason), to_petition / to_court (reason, transfer_ref). " +
				"A step the table does not have from the dispute's state answers 422 with error.allowed_actions.",
			Request: dispute.TransitionInput{}, Response: dispute.Detail{}},
		Operation{Method: "GET", Path: "/api/v1/disputes/{id}/party", Tag: "disputes",
			Summary:  "The lead party's name and phone unmasked, for those who handle the dispute (dispute.manage in its scope); each call is recorded in the audit trail (dispute.reveal). 403 for others who see the dispute, 404 outside the scope",
			Response: dispute.Party{}},
		Operation{Method: "GET", Path: "/api/v1/disputes/export.xlsx", Tag: "disputes",
			Summary:      "The ledger as an Excel workbook in the columns offices use (序号 · 发生/受理时间 · 涉及人员及人数 · 地点 · 类型 · 管辖单位 · 责任单位 · 负责人 · 化解方式 · 紧急程度 · 风险等级 · 化解状态 · 包案领导 · 化解责任人 · 督办部门 · 调解结果 · 反馈附件, then 纠纷编号 · 纠纷简要情况 · 涉及金额 · 化解期限), streamed, at most 200,000 rows; no personal data of the parties; the ledger's filters apply",
			ResponseType: dispute.XLSXType, Query: ledger},
		Operation{Method: "POST", Path: "/api/v1/disputes/import", Tag: "disputes",
			Summary: "Import an existing ledger (.xlsx, field file; org_id: the territory of rows without 管辖单位; dry_run=1 checks only). Headers and close variants are recognised; all or nothing: " +
				"422 with rows (sheet, row, column, cell, message) for a missing column, a merged header, a date that is not a date, an unknown type or level, a count of people missing …",
			RequestType: "multipart/form-data", Response: dispute.ImportResult{}, Status: 201,
			Query: []Param{{"org_id", "integer", "territory of rows without 管辖单位"}, {"dry_run", "string", "1: check only"}}},
		Operation{Method: "GET", Path: "/api/v1/disputes/types", Tag: "disputes", Summary: "Dispute types (纠纷类型)", Response: []dispute.Type{}, Query: []Param{{"all", "string", "1: inactive ones too"}}},
		Operation{Method: "PUT", Path: "/api/v1/disputes/types/{code}", Tag: "disputes", Summary: "Add or change a type (dispute.configure over the district); types are never deleted, only made inactive", Request: dispute.TypeInput{}, Response: dispute.Type{}},
		Operation{Method: "GET", Path: "/api/v1/disputes/risk-levels", Tag: "disputes", Summary: "Risk levels (风险等级) with their colours and who must lead (lead_scope township or district, lead_posts)", Response: []dispute.RiskLevel{}, Query: []Param{{"all", "string", "1: inactive ones too"}}},
		Operation{Method: "PUT", Path: "/api/v1/disputes/risk-levels/{code}", Tag: "disputes", Summary: "Add or change a risk level (dispute.configure over the district): name, #rrggbb colour, order, lead rule, active; at least one stays active", Request: dispute.RiskLevelInput{}, Response: dispute.RiskLevel{}},
		Operation{Method: "GET", Path: "/api/v1/disputes/settings", Tag: "disputes", Summary: "Reminder days before a deadline and the default days to resolve", Response: dispute.Settings{}},
		Operation{Method: "PUT", Path: "/api/v1/disputes/settings", Tag: "disputes", Summary: "Set them (dispute.configure over the district)", Request: dispute.Settings{}, Response: dispute.Settings{}},
	)
}

// disputeNotifier hands the dispute messages to the notify platform, in
// the caller's transaction.
type disputeNotifier struct{ n *notify.Service }

func (x disputeNotifier) Notify(ctx context.Context, tx *db.Tx, notes ...dispute.Note) error {
	envs := make([]notify.Envelope, len(notes))
	for i, n := range notes {
		envs[i] = notify.Envelope{To: notify.Recipient{UserIDs: n.UserIDs, OrgIDs: n.OrgIDs},
			Message: notify.Message{Kind: "dispute", Title: n.Title, Body: n.Body, Link: n.Link, DedupeKey: n.DedupeKey}}
	}
	return x.n.EnqueueMany(ctx, tx, envs)
}
