package app

import (
	"context"

	"github.com/anwen-gov/anwen/internal/dailyreport"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/notify"
)

func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		a.DailyReport = &dailyreport.Service{DB: a.DB, Auth: a.Auth, Clock: a.Clock, Calendar: a.WorkCalendar, Batch: a.Batch,
			Notifier: notifier{a.Notify}, Attachments: a.Attachments}
		a.Attachments.RegisterOwner(dailyreport.OwnerItem, a.DailyReport.CanSeeItem)
		a.DailyReport.Register(a.Engine)
		a.planners = append(a.planners, a.DailyReport.Plan)
		dailyreport.Register(a.Web, a.DailyReport)
		return nil
	})
	Document(
		Operation{Method: "POST", Path: "/api/v1/daily-reports", Tag: "daily-reports", Summary: "File a unit's daily report (both halves: nothing_to_report or items); acknowledged after the commit, with a receipt",
			Request: dailyreport.Input{}, Response: dailyreport.Receipt{}, Status: 201},
		Operation{Method: "GET", Path: "/api/v1/daily-reports/board", Tag: "daily-reports", Summary: "A day's board: counts by status, each unit's status, the items reported",
			Response: dailyreport.Board{}, Query: []Param{{"date", "string", "YYYY-MM-DD, default today"}, {"org_id", "integer", "the units under this org (default: the caller's scope)"}}},
		Operation{Method: "GET", Path: "/api/v1/daily-reports/schedule", Tag: "daily-reports", Summary: "Tier deadlines and heightened periods", Response: dailyreport.Schedule{}},
		Operation{Method: "PUT", Path: "/api/v1/daily-reports/schedule", Tag: "daily-reports", Summary: "Set tier deadlines and heightened periods (a new deadline still ahead applies today)", Request: dailyreport.Schedule{}, Response: dailyreport.Schedule{}},
		Operation{Method: "POST", Path: "/api/v1/daily-reports/items/{id}/acknowledge", Tag: "daily-reports", Summary: "A desk acknowledges a reported item (签收)", Status: 204},
		Operation{Method: "POST", Path: "/api/v1/daily-reports/items/{id}/followup", Tag: "daily-reports", Summary: "Turn a reported item into a follow-up task", Request: dailyreport.FollowUpInput{}, Response: dailyreport.FollowUpCreated{}, Status: 201},
		Operation{Method: "POST", Path: "/api/v1/orgs/{id}/ping-token", Tag: "daily-reports", Summary: "Issue or rotate a unit's check-in token; the old one stops working at once", Response: dailyreport.PingToken{}},
		Operation{Method: "GET", Path: "/api/v1/daily-reports/settings", Tag: "daily-reports", Summary: "The two desks and the leader repeated silence is escalated to", Response: dailyreport.Settings{}},
		Operation{Method: "PUT", Path: "/api/v1/daily-reports/settings", Tag: "daily-reports", Summary: "Set the desks and the escalation leader", Request: dailyreport.Settings{}, Response: dailyreport.Settings{}},
		Operation{Method: "GET", Path: "/api/v1/daily-reports/units", Tag: "daily-reports", Summary: "The reporting units of both tiers under an org", Response: []dailyreport.UnitInfo{},
			Query: []Param{{"org_id", "integer", "default: the caller's scope"}}},
		Operation{Method: "PUT", Path: "/api/v1/daily-reports/units/{id}", Tag: "daily-reports", Summary: "Make an org report (a department, a village) or exempt it, at a tier", Request: dailyreport.UnitMark{}, Response: dailyreport.UnitInfo{}},
		Operation{Method: "POST", Path: "/ping/{token}", Tag: "daily-reports", Summary: "A unit's check-in address: files nothing-to-report on both halves (for SMS gateways and chat bots)", Response: dailyreport.Receipt{}, Status: 201, Public: true},
	)
}

// notifier hands the daily report's messages to the notify platform, in the
// caller's transaction.
type notifier struct{ n *notify.Service }

func (x notifier) Notify(ctx context.Context, tx *db.Tx, notes ...dailyreport.Note) error {
	envs := make([]notify.Envelope, len(notes))
	for i, n := range notes {
		priority := notify.Normal
		if n.Urgent {
			priority = notify.Urgent
		}
		envs[i] = notify.Envelope{To: notify.Recipient{UserIDs: n.UserIDs, OrgIDs: n.OrgIDs},
			Message: notify.Message{Kind: "dailyreport", Title: n.Title, Body: n.Body, Link: n.Link, Priority: priority, DedupeKey: n.DedupeKey}}
	}
	return x.n.EnqueueMany(ctx, tx, envs)
}
