package hazard_test

import (
	"context"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/deadline"
	"github.com/anwen-gov/anwen/internal/hazard"
)

// at is a moment in Beijing time.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Location)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// sweep moves the clock and runs the clock engine.
func (f *fixture) sweep(when string) {
	f.t.Helper()
	f.env.Clock.Set(at(when))
	if _, err := f.env.App.Engine.Sweep(context.Background(), 200); err != nil {
		f.t.Fatal(err)
	}
}

// orgChannel gives an org an e-mail channel, so that its deliveries can be counted.
func (f *fixture) orgChannel(code string) int64 {
	f.t.Helper()
	var id int64
	now := f.env.Clock.Now()
	err := f.env.App.DB.InTx(context.Background(), func(tx *db.Tx) error {
		var err error
		id, err = db.InsertID(context.Background(), tx, `INSERT INTO notify_channels (owner_kind, owner_id, kind, name, target, created_at, updated_at)
			VALUES ('org', ?, 'email', '测试', 'desk@example.gov.cn', ?, ?)`, f.env.OrgID(code), now, now)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) steps(id int64, action string) int {
	return f.count("SELECT count(*) FROM hazard_steps WHERE hazard_id = ? AND action = ?", id, action)
}

// TestClock: the reminder 3 days before, overdue to the supervising org
// (major: also the district leader in charge), escalation to the district
// after the configured days; closure cancels, an extension moves.
func TestClock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		var leader int64
		if err := d.QueryRow(ctx, "SELECT id FROM users WHERE post = '分管安全生产副区长' ORDER BY id LIMIT 1").Scan(&leader); err != nil {
			t.Fatal(err)
		}
		r := f.env.SignIn("admin").SendJSON("PUT", "/api/v1/hazards/settings", map[string]any{"remind_days": 3, "escalate_days": 3, "leader_user_id": leader})
		must(t, r.StatusCode == 200, "settings: %d %s", r.StatusCode, r.Body)
		qsChan, rootChan := f.orgChannel("SFQ-QS"), f.orgChannel("SFQ")
		qs := f.env.UserID("qingshan")

		a := f.register("qingshan", f.general(map[string]any{"responsible_user_id": qs}))
		b := f.register("qingshan", f.major(nil))
		c := f.register("qingshan", f.general(nil))
		e := f.register("qingshan", f.general(nil))
		// c is rectified and closed at once; e gets ten more days.
		f.mustStep("qingshan", c.ID, map[string]any{"action": "submit_evidence", "comment": "已整改", "attachment_ids": []int64{f.photo("qingshan")}})
		f.mustStep("yjj", c.ID, map[string]any{"action": "accept"})
		ob, _ := deadline.Get(ctx, d, hazard.KindDeadline, itoa(c.ID)+"/2026-12-04")
		must(t, ob.State == "cancelled", "closing cancels the deadline: %s", ob.State)
		f.mustStep("qingshan", e.ID, map[string]any{"action": "request_extension", "reason": "等待配件", "new_deadline": "2026-12-14"})
		f.mustStep("yjj", e.ID, map[string]any{"action": "approve_extension"})
		old, _ := deadline.Get(ctx, d, hazard.KindDeadline, itoa(e.ID)+"/2026-12-04")
		moved, err := deadline.Get(ctx, d, hazard.KindDeadline, itoa(e.ID)+"/2026-12-14")
		must(t, old.State == "cancelled" && err == nil && moved.State == "open" && moved.DueAt.Equal(at("2026-12-15 00:00")), "extension moved the obligation: %s, %+v %v", old.State, moved, err)
		must(t, moved.WarnAt != nil && moved.WarnAt.Equal(at("2026-12-11 09:00")), "moved reminder %v", moved.WarnAt)

		// g is rectified, sent back, and must still go overdue: its deadline is armed again.
		g := f.register("qingshan", f.general(nil))
		f.mustStep("qingshan", g.ID, map[string]any{"action": "submit_evidence", "comment": "已整改", "attachment_ids": []int64{f.photo("qingshan")}})
		f.mustStep("yjj", g.ID, map[string]any{"action": "send_back", "reason": "照片看不清整改部位"})
		again, err := deadline.Get(ctx, d, hazard.KindDeadline, itoa(g.ID)+"/2026-12-04/1")
		must(t, err == nil && again.State == "open", "sent back: the deadline is armed again: %+v %v", again, err)

		// Nothing before the reminder.
		f.sweep("2026-11-30 18:00")
		must(t, f.count("SELECT count(*) FROM notifications WHERE user_id = ? AND title LIKE '%还有%'", qs) == 0, "reminded early")
		// 3 days before: the responsible person only, once.
		f.sweep("2026-12-01 09:05")
		f.sweep("2026-12-01 12:00")
		must(t, f.count("SELECT count(*) FROM notifications WHERE user_id = ? AND title LIKE ?", qs, "%"+a.Number+"%还有 3 天%") == 1, "reminder to the responsible person")
		must(t, f.env.AuditCount("hazard.remind", "ok") >= 1, "reminder audited")
		ob, _ = deadline.Get(ctx, d, hazard.KindDeadline, itoa(a.ID)+"/2026-12-04")
		must(t, ob.State == "warned", "after the reminder: %s", ob.State)
		// The deadline's last day is still on time.
		f.sweep("2026-12-04 23:55")
		must(t, f.steps(a.ID, hazard.EventOverdue) == 0, "overdue on the deadline's own day")
		// Overdue: the supervising org hears of it; a major one reaches the leader in charge.
		f.sweep("2026-12-05 00:05")
		must(t, f.steps(a.ID, hazard.EventOverdue) == 1 && f.steps(b.ID, hazard.EventOverdue) == 1, "overdue steps")
		must(t, f.count("SELECT count(*) FROM notify_deliveries WHERE channel_id = ? AND title LIKE ?", qsChan, "%"+a.Number+"%已逾期%") == 1, "supervising org told")
		must(t, f.count("SELECT count(*) FROM notifications WHERE user_id = ? AND title LIKE ?", leader, "%重大隐患 "+b.Number+"%") == 1, "leader told of the major hazard")
		must(t, f.count("SELECT count(*) FROM notifications WHERE user_id = ? AND title LIKE ?", leader, "%"+a.Number+"%") == 0, "leader told of a general hazard")
		must(t, f.steps(c.ID, hazard.EventOverdue) == 0 && f.steps(e.ID, hazard.EventOverdue) == 0, "closed or extended hazards went overdue")
		must(t, f.steps(g.ID, hazard.EventOverdue) == 1, "a hazard sent back did not go overdue")
		var page hazard.Page
		f.c("qingshan").Get("/api/v1/hazards?overdue=1&limit=100").JSON(t, &page)
		mine := map[int64]bool{a.ID: true, b.ID: true, c.ID: true, e.ID: true, g.ID: true}
		var overdue []hazard.Row
		for _, row := range page.Rows {
			if mine[row.ID] {
				overdue = append(overdue, row)
			}
		}
		must(t, len(overdue) == 3 && overdue[0].Overdue && overdue[0].DaysOverdue == 1, "overdue ledger: %+v", overdue)
		// Escalation after 3 days: the district.
		f.sweep("2026-12-07 23:00")
		must(t, f.steps(a.ID, hazard.EventEscalated) == 0, "escalated early")
		f.sweep("2026-12-08 00:05")
		must(t, f.steps(a.ID, hazard.EventEscalated) == 1, "escalated")
		must(t, f.count("SELECT count(*) FROM notify_deliveries WHERE channel_id = ? AND title LIKE ?", rootChan, "%"+a.Number+"%逾期 4 天%") == 1, "district told (3 days after it went overdue, its 4th day overdue)")
		// The extended one goes overdue after its new deadline only.
		f.sweep("2026-12-15 00:05")
		must(t, f.steps(e.ID, hazard.EventOverdue) == 1, "extended hazard overdue after its new deadline")
		// Sweeping again fires nothing twice.
		f.sweep("2026-12-20 00:05")
		must(t, f.steps(a.ID, hazard.EventOverdue) == 1 && f.steps(a.ID, hazard.EventEscalated) == 1, "fired twice")
		must(t, f.count("SELECT count(*) FROM notify_deliveries WHERE channel_id = ? AND title LIKE ?", qsChan, "%"+a.Number+"%已逾期%") == 1, "told twice")
	})
}
