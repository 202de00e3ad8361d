package app

import (
	"context"
	"sync"

	"github.com/anwen-gov/anwen/internal/campaign"
)

// campaignServices holds each App's campaign service until App gets a field
// of its own for it (see Campaigns).
var campaignServices sync.Map // *App → *campaign.Service

// Campaigns is the campaign service (排查整治行动) of a, for the links to
// other capabilities (wire_links_campaign.go), the demo and tests.
func (a *App) Campaigns() *campaign.Service {
	s, _ := campaignServices.Load(a)
	svc, _ := s.(*campaign.Service)
	return svc
}

// Investigation campaigns (排查整治行动): launching and the cascade down the
// org tree, progress counted from inspections and hazards, 回头看, and the
// checkpoints in the clock engine. This file sorts after wire_calendar.go,
// so a.WorkCalendar is set when it runs.
func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		svc := &campaign.Service{DB: a.DB, Auth: a.Auth, Clock: a.Clock, Calendar: a.WorkCalendar, Log: a.Log}
		if a.Notify != nil {
			svc.Notifier = a.Notify
		}
		campaignServices.Store(a, svc)
		svc.RegisterClock(a.Engine)
		campaign.Register(a.Web, svc)
		return nil
	})
	var list []Param
	for _, p := range campaign.FilterParams {
		list = append(list, Param{p[0], p[1], p[2]})
	}
	Document(
		Operation{Method: "POST", Path: "/api/v1/campaigns", Tag: "campaigns",
			Summary: "Launch an investigation campaign (排查整治行动): title, period_start / period_end / deadline (YYYY-MM-DD; the deadline between the start and 30 days after the end, not in the past), " +
				"scope_org_id (a territorial org; default the launching org or the caller's scope), optional industries and risk_levels (codes or names; none: all), template_id (the checklist), org_id (the launching org). " +
				"Without draft it goes out at once: one task per township/street/zone and village/community of the scope, each under its parent's task, the open hazards of earlier campaigns in the scope listed for re-checking (回头看), " +
				"checkpoints in the clock engine. An org outside the caller's scope: 404; bad input: 400 naming the field",
			Request: campaign.Input{}, Response: campaign.Campaign{}, Status: 201},
		Operation{Method: "GET", Path: "/api/v1/campaigns", Tag: "campaigns",
			Summary:  "The campaigns the caller sees (launched in its scope or with a task there), running ones first, each with the progress of the caller's part (progress, behind); the total also in X-Total-Count",
			Response: campaign.Page{}, Query: list},
		Operation{Method: "GET", Path: "/api/v1/campaigns/{id}", Tag: "campaigns",
			Summary: "A campaign with the tasks the caller sees (parents first; counts: enterprises in scope, inspected, hazards found / closed / open, re-checks), their behind flags, the re-checks and allowed_actions. " +
				"The launching org sees every task; a township its own and its villages'; a village only its own. 404 outside the caller's scope",
			Response: campaign.Campaign{}},
		Operation{Method: "PUT", Path: "/api/v1/campaigns/{id}", Tag: "campaigns",
			Summary: "Replace a draft (campaign.manage at the launching org); without draft it is launched. 422 once launched or closed",
			Request: campaign.Input{}, Response: campaign.Campaign{}},
		Operation{Method: "POST", Path: "/api/v1/campaigns/{id}/transitions", Tag: "campaigns",
			Summary: "A step of the lifecycle table: launch (a draft), close (a draft or a running campaign; optional note; its checkpoints are withdrawn). A step the table does not have from the campaign's state: 422 with error.allowed_actions (an unknown action: 400)",
			Request: campaign.TransitionInput{}, Response: campaign.Campaign{}},
		Operation{Method: "GET", Path: "/api/v1/campaigns/{id}/tasks/{task_id}", Tag: "campaigns",
			Summary:  "One task: its counts and flag, its sub-tasks, the enterprises of its part of the scope (not yet inspected first, at most 1,000; only where the caller sees the register) and its re-checks. 404 outside the caller's part",
			Response: campaign.TaskDetail{}},
		Operation{Method: "POST", Path: "/api/v1/campaigns/{id}/rechecks/{recheck_id}", Tag: "campaigns",
			Summary: "Record a re-check (回头看) of a running campaign: outcome still_open or fixed, optional note; whoever records inspections where the hazard is (403 otherwise). " +
				"The hazard itself is closed only through its own lifecycle",
			Request: campaign.RecheckInput{}, Response: campaign.Recheck{}},
	)
}
