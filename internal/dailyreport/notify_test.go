package dailyreport_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

type inboxItem struct {
	Title, Body, Link, Priority string
}

func inbox(t *testing.T, env *apptest.Env, login string) []inboxItem {
	t.Helper()
	var items []inboxItem
	env.TokenClient(login).Get("/api/v1/notifications").JSON(t, &items)
	return items
}

func has(items []inboxItem, title string) *inboxItem {
	for i := range items {
		if strings.Contains(items[i].Title, title) {
			return &items[i]
		}
	}
	return nil
}

// Reminders before the deadline reach the silent units; at the deadline the
// desks get one digest; a unit silent two reporting days running is escalated.
func TestNotifications(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		ctx := context.Background()
		qs := env.OrgID("SFQ-QS")
		step := func(at time.Time) {
			t.Helper()
			env.Clock.Set(at)
			if err := env.App.Plan(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := env.App.Engine.Sweep(ctx, 200); err != nil {
				t.Fatal(err)
			}
		}
		step(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)) // 16:00 Shanghai: the 60-minute reminder
		if has(inbox(t, env, "qingshan"), "17:00 截止") == nil {
			t.Fatal("no reminder for 青山镇, which has not reported")
		}
		env.TokenClient("qingshan").SendJSON("POST", "/api/v1/daily-reports", nothing(qs))
		step(time.Date(2026, 11, 27, 8, 50, 0, 0, time.UTC)) // 16:50: the 15-minute reminder
		n := 0
		for _, it := range inbox(t, env, "qingshan") {
			if strings.Contains(it.Title, "截止") {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("青山镇 reported at 16:10 but got %d reminders, want only the first", n)
		}
		step(time.Date(2026, 11, 27, 9, 1, 0, 0, time.UTC)) // 17:01: classified
		digest := has(inbox(t, env, "yjj"), "11 个单位未报")
		if digest == nil || !strings.Contains(digest.Body, "东城街道") || strings.Contains(digest.Body, "青山镇") || digest.Link != "/daily-reports/board?date=2026-11-27" {
			t.Fatalf("desk digest: %+v", digest)
		}
		if has(inbox(t, env, "xfj"), "11 个单位未报") == nil {
			t.Fatal("the stability desk got no digest")
		}
		// Monday: silent again → escalated to the leader in charge, urgent.
		step(time.Date(2026, 11, 30, 9, 1, 0, 0, time.UTC))
		var escalated *inboxItem
		var uid int64
		env.App.DB.QueryRow(ctx, "SELECT escalate_user_id FROM report_settings").Scan(&uid)
		var login string
		env.App.DB.QueryRow(ctx, "SELECT login FROM users WHERE id = ?", uid).Scan(&login)
		escalated = has(inbox(t, env, login), "连续两个报告日未报")
		if escalated == nil || escalated.Priority != "urgent" || strings.Contains(escalated.Body, "青山镇") {
			t.Fatalf("escalation to %s: %+v", login, escalated)
		}
		// Nothing is sent twice.
		before := len(inbox(t, env, "yjj"))
		step(time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC))
		if len(inbox(t, env, "yjj")) != before {
			t.Fatal("a second sweep sent the digest again")
		}
	})
}

// After a deadline the silent units are told in parts, each in its own
// transaction; together the parts tell every silent unit's leaders once.
func TestMissingNoticesInParts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		env.App.DailyReport.MissingChunk = 2
		ctx := context.Background()
		env.Clock.Set(time.Date(2026, 11, 27, 9, 1, 0, 0, time.UTC)) // 17:01 Shanghai
		if err := env.App.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Engine.Sweep(ctx, 200); err != nil {
			t.Fatal(err)
		}
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := d.QueryRow(ctx, q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		missing := count("SELECT count(*) FROM report_days WHERE day = '2026-11-27' AND tier = 'township' AND status = 'missing'")
		if missing != 12 {
			t.Fatalf("%d townships missing, want all 12 of the demo district", missing)
		}
		parts := count("SELECT count(*) FROM obligations WHERE kind = 'dailyreport.missing' AND key LIKE 'township/2026-11-27/%' AND state = 'fired'")
		if want := missing/2 + 1; parts != want { // the last part finds fewer than 2 (here none) and stops
			t.Errorf("%d parts fired, want %d", parts, want)
		}
		leaders := count(`SELECT count(*) FROM (SELECT DISTINCT u.id, u.org_id FROM users u JOIN user_roles r ON r.user_id = u.id
			JOIN report_days d ON d.org_id = u.org_id WHERE d.day = '2026-11-27' AND d.tier = 'township' AND d.status = 'missing'
			AND r.role = 'leader' AND u.disabled = FALSE) x`)
		told := count("SELECT count(*) FROM notifications WHERE dedupe_key LIKE 'dailyreport/missing/2026-11-27/%'")
		if leaders == 0 || told != leaders {
			t.Errorf("%d inbox messages to silent units' leaders, want %d", told, leaders)
		}
		if n := count("SELECT count(*) FROM notifications WHERE dedupe_key = 'dailyreport/missing/township/2026-11-27'"); n == 0 {
			t.Error("the desks got no digest")
		}
		if n := count("SELECT count(*) FROM notifications WHERE dedupe_key = 'dailyreport/missing/township/2026-11-27' GROUP BY user_id ORDER BY 1 DESC LIMIT 1"); n != 1 {
			t.Errorf("a desk person got the digest %d times", n)
		}
	})
}
