package petition_test

import (
	"net/http"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/petition"
)

// TestClocks walks the legal clocks with the clock engine: the bureau's 15
// days to route (received 2026-11-27 10:00, last day 2026-12-12) are marked
// at 75 % and 90 % and run late; the day's digest tells the registrar and
// escalates to the bureau's head; routing stops that clock and starts the
// township's 15 days to accept and its 5 working days to object; those run
// late too and reach the township's head.
func TestClocks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.register("xfj", f.claim(nil))
		level := func() int { return f.count("SELECT clock_level FROM petitions WHERE id = ?", c.ID) }
		steps := func(action string) int {
			return f.count("SELECT count(*) FROM petition_steps WHERE petition_id = ? AND action = ?", c.ID, action)
		}
		// 75 % of 15 days 14 hours from 10:00 on 27 November is 02:30 on 9 December.
		f.sweep("2026-12-09 02:00")
		must(t, level() == 0 && steps("warn75") == 0, "marked before 75 %%: level %d", level())
		f.sweep("2026-12-09 03:00")
		must(t, level() == 75 && steps("warn75") == 1, "75 %%: level %d, steps %d", level(), steps("warn75"))
		must(t, f.env.AuditCount("petition.warn75", "ok") == 1, "75 %% not audited")
		got, _ := f.get("xfj", c.ID)
		must(t, got.Clock.DueSoon && !got.Clock.Overdue && got.Clock.DaysLeft == 3, "clock at 75 %%: %+v", got.Clock)
		// 90 % is 10:36 on 11 December.
		f.sweep("2026-12-11 10:30")
		must(t, level() == 75, "90 %% too early: %d", level())
		f.sweep("2026-12-11 10:40")
		must(t, level() == 90 && steps("warn90") == 1, "90 %%: level %d", level())
		// Overdue from the first moment of 13 December.
		f.sweep("2026-12-12 23:59")
		must(t, level() == 90 && steps("overdue") == 0, "overdue too early")
		f.sweep("2026-12-13 00:01")
		must(t, level() == 100 && steps("overdue") == 1, "overdue: level %d, steps %d", level(), steps("overdue"))
		got, _ = f.get("xfj", c.ID)
		must(t, got.Clock.Overdue && got.Clock.DaysOverdue == 1 && !got.Clock.DueSoon, "clock overdue: %+v", got.Clock)
		// A sweep again does nothing twice.
		f.sweep("2026-12-13 00:30")
		must(t, steps("overdue") == 1 && steps("warn75") == 1, "events repeated")

		// The ledger's clock filters.
		var page petition.Page
		r := f.c("xfj").Get("/api/v1/petitions?overdue=1")
		r.JSON(t, &page)
		must(t, r.StatusCode == 200 && len(page.Rows) == 1 && page.Rows[0].ID == c.ID && page.Rows[0].Clock.Overdue, "overdue list: %s", r.Body)
		r = f.c("xfj").Get("/api/v1/petitions?due_soon=1")
		r.JSON(t, &page)
		must(t, len(page.Rows) == 0, "an overdue case is listed as due soon: %s", r.Body)

		// The digest at 09:00: the registrar hears of it, and the bureau's head (escalation).
		xfj, head := f.env.UserID("xfj"), f.env.UserID(f.login("SFQ-XFJ", "局长"))
		f.sweep("2026-12-13 09:01")
		must(t, f.count("SELECT count(*) FROM notifications WHERE user_id = ? AND dedupe_key = ?", xfj, "petition/digest/2026-12-13/user/"+itoa(xfj)) == 1,
			"the registrar's digest is missing")
		must(t, f.count("SELECT count(*) FROM notifications WHERE user_id = ? AND dedupe_key = ? AND title LIKE ?", head,
			"petition/digest/2026-12-13/escalate/"+itoa(f.env.OrgID("SFQ-XFJ")), "%1 件信访事项已逾期%") == 1, "no escalation to the bureau's head")
		// One message per person per day, however many sweeps.
		f.sweep("2026-12-13 15:00")
		must(t, f.count("SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'petition' AND dedupe_key LIKE 'petition/digest/2026-12-13/%'", xfj) == 1,
			"more than one digest a day")

		// Routing stops the bureau's clock and starts the township's.
		routed := f.mustStep("xfj", c.ID, map[string]any{"action": "transfer", "org_id": f.env.OrgID("SFQ-QS")})
		must(t, routed.Clock.Period == petition.PeriodAccept && routed.Clock.LastDay == "2026-12-28" && routed.Clock.Level == 0 && !routed.Clock.Overdue,
			"acceptance clock %+v", routed.Clock)
		// 13 December is a Sunday: five working days end on Friday 18 December.
		must(t, routed.Window != nil && routed.Window.Kind == "object" && routed.Window.LastDay == "2026-12-18", "objection window %+v", routed.Window)
		must(t, f.count("SELECT count(*) FROM obligations WHERE kind IN (?, ?) AND key = ? AND state IN ('open', 'warned')", petition.KindWarn, petition.KindDue, itoa(c.ID)+"/1") == 0,
			"the routing clock still runs")
		must(t, f.count("SELECT count(*) FROM obligations WHERE kind = ? AND key = ? AND state = 'open'", petition.KindDue, itoa(c.ID)+"/2") == 1,
			"the acceptance clock is not in the engine")
		f.sweep("2026-12-19 00:10")
		must(t, steps("window_closed") == 1, "the end of the objection period is not on the timeline")
		must(t, f.step("qingshan", c.ID, map[string]any{"action": "object", "reason": "不属本镇职权"}).StatusCode == http.StatusUnprocessableEntity,
			"an objection after 5 working days was taken")
		f.sweep("2026-12-29 00:05")
		must(t, level() == 100 && steps("overdue") == 2, "acceptance overdue: level %d", level())
		zhen := f.env.UserID(f.login("SFQ-QS", "镇长"))
		f.sweep("2026-12-29 09:05")
		must(t, f.count("SELECT count(*) FROM notifications WHERE user_id = ? AND dedupe_key = ?", zhen, "petition/digest/2026-12-29/head/"+itoa(f.env.OrgID("SFQ-QS"))) == 1,
			"the township's head did not hear of the overdue case")

		// Acceptance stops it and starts the 60 days to answer.
		acc := f.mustStep("qingshan", c.ID, map[string]any{"action": "accept"})
		must(t, acc.Clock.Period == petition.PeriodHandle && acc.Clock.LastDay == "2027-02-27" && !acc.Clock.Overdue && acc.Window == nil,
			"handling clock %+v window %+v", acc.Clock, acc.Window)
	})
}

// TestReviewWindowLapses: a claim answered and not reviewed within 30 days is closed by the clock.
func TestReviewWindowLapses(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	id := f.routeAcceptReply(nil)
	must(t, f.status(id) == petition.Replied, "status %s", f.status(id))
	got, _ := f.get("xfj", id)
	must(t, got.Window != nil && got.Window.Kind == "review" && got.Window.LastDay == "2026-12-27" && got.Clock.Period == "", "after the reply: %+v %+v", got.Window, got.Clock)
	f.sweep("2026-12-27 23:00")
	must(t, f.status(id) == petition.Replied, "closed before the window ended")
	f.sweep("2026-12-28 00:10")
	must(t, f.status(id) == petition.Closed, "status %s after the window", f.status(id))
	must(t, f.count("SELECT count(*) FROM petition_steps WHERE petition_id = ? AND action = 'lapse'", id) == 1, "no lapse step")
	must(t, f.env.AuditCount("petition.lapse", "ok") == 1, "lapse not audited")
}
