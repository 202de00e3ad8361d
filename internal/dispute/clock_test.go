package dispute_test

import (
	"context"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	dl "github.com/anwen-gov/anwen/internal/deadline"
	"github.com/anwen-gov/anwen/internal/dispute"
)

// The clock engine reminds the responsible side 3 days before the
// deadline at 09:00, marks the dispute overdue after the deadline day (a
// step, the trail, the lead told), and forgets a dispute resolved or
// whose deadline moved.
func TestDeadlineClock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		sweep := func(at string) {
			t.Helper()
			when, err := time.ParseInLocation("2006-01-02 15:04", at, time.FixedZone("CST", 8*3600))
			if err != nil {
				t.Fatal(err)
			}
			f.env.Clock.Set(when)
			if _, err := f.env.App.Engine.Sweep(ctx, 100); err != nil {
				t.Fatal(err)
			}
		}
		// Red in 上坪村: the township's secretary leads and hears of the overdue.
		late := f.create("wanggeyuan", f.body("SFQ-QS-01", func(b map[string]any) { b["risk_level"] = "red"; b["deadline"] = "2026-12-05" }))
		done := f.create("qingshan", f.body("SFQ-QS-01", func(b map[string]any) { b["deadline"] = "2026-12-05" }))
		moved := f.create("qingshan", f.body("SFQ-QS-01", func(b map[string]any) { b["deadline"] = "2026-12-05" }))
		lead := *late.Lead.UserID
		leadNotes := f.count("SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'dispute'", lead)
		if leadNotes != 1 {
			t.Fatalf("the lead was told %d times of the registration, want 1", leadNotes)
		}
		f.step("qingshan", done.ID, map[string]any{"action": "resolve", "comment": "已化解"})
		f.step("qingshan", moved.ID, map[string]any{"action": "extend", "new_deadline": "2026-12-20", "reason": "等待鉴定"})
		if ob, err := dl.Get(ctx, d, dispute.KindDeadline, itoa(done.ID)+"/2026-12-05"); err != nil || ob.State != "cancelled" {
			t.Fatalf("resolved dispute's obligation: %+v %v", ob, err)
		}
		sweep("2026-12-02 08:59")
		if n := f.env.AuditCount("dispute.remind", ""); n != 0 {
			t.Fatalf("%d reminders before 09:00", n)
		}
		sweep("2026-12-02 09:01")
		if n := f.env.AuditCount("dispute.remind", "ok"); n != 1 {
			t.Fatalf("%d reminders, want 1 (the open one; the moved one reminds later)", n)
		}
		sweep("2026-12-05 23:59")
		if n := f.env.AuditCount("dispute.overdue", ""); n != 0 {
			t.Fatalf("overdue on the deadline day: %d", n)
		}
		sweep("2026-12-06 00:01")
		if n := f.env.AuditCount("dispute.overdue", "ok"); n != 1 {
			t.Fatalf("%d overdue records, want 1", n)
		}
		if n := f.count("SELECT count(*) FROM dispute_steps WHERE dispute_id = ? AND action = 'overdue'", late.ID); n != 1 {
			t.Fatalf("%d overdue steps", n)
		}
		if f.count("SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'dispute'", lead) != leadNotes+1 {
			t.Fatal("the lead did not hear of the overdue")
		}
		// Overdue in the answer and the ledger filter.
		var got dispute.Detail
		f.c("qingshan").Get("/api/v1/disputes/"+itoa(late.ID)).JSON(t, &got)
		if !got.Overdue || got.DaysOverdue != 1 {
			t.Fatalf("overdue %v %d", got.Overdue, got.DaysOverdue)
		}
		var p dispute.Page
		f.c("qingshan").Get("/api/v1/disputes?overdue=1").JSON(t, &p)
		if len(p.Rows) != 1 || p.Rows[0].ID != late.ID {
			t.Fatalf("overdue filter: %d rows", len(p.Rows))
		}
		// A second sweep fires nothing again.
		sweep("2026-12-07 10:00")
		if n := f.env.AuditCount("dispute.overdue", "ok"); n != 1 {
			t.Fatalf("overdue fired %d times", n)
		}
		// Reopening a resolved dispute whose deadline is still ahead arms it again.
		f.env.Clock.Set(time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC))
		x := f.create("qingshan", f.body("SFQ-QS-01", func(b map[string]any) { b["deadline"] = "2026-12-10" }))
		f.step("qingshan", x.ID, map[string]any{"action": "resolve", "comment": "已化解"})
		f.step("qingshan", x.ID, map[string]any{"action": "reopen", "reason": "矛盾反弹"})
		var key string
		d.QueryRow(ctx, "SELECT ob_key FROM disputes WHERE id = ?", x.ID).Scan(&key)
		if ob, err := dl.Get(ctx, d, dispute.KindDeadline, key); err != nil || ob.State != "open" || key == itoa(x.ID)+"/2026-12-10" {
			t.Fatalf("reopened: key %q, %+v %v", key, ob, err)
		}
	})
}
