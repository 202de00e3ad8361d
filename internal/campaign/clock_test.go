package campaign_test

import (
	"context"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/campaign"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	dl "github.com/anwen-gov/anwen/internal/deadline"
)

// flags reads the stored flag of each task of campaign id by org name.
func (f *fixture) flags(id int64) map[string]string {
	f.t.Helper()
	rows, err := f.env.App.DB.Query(context.Background(), "SELECT o.name, t.flag FROM campaign_tasks t JOIN orgs o ON o.id = t.org_id WHERE t.campaign_id = ?", id)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, flag string
		rows.Scan(&name, &flag)
		out[name] = flag
	}
	return out
}

// inbox lists the titles and bodies of login's campaign notifications.
func (f *fixture) inbox(login string) []string {
	f.t.Helper()
	rows, err := f.env.App.DB.Query(context.Background(), "SELECT title, body FROM notifications WHERE user_id = ? AND kind = 'campaign' ORDER BY id", f.env.UserID(login))
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var title, body string
		rows.Scan(&title, &body)
		out = append(out, title+"\n"+body)
	}
	return out
}

// Halfway through the period, the units whose inspected share lags the
// time gone are flagged behind, and each parent hears of its own sub-units
// in one digest; at the deadline the unfinished ones are overdue and those
// that caught up lose their flag.
func TestBehindSchedule(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.launch("yjj", nil) // 2026-11-27 … 2026-12-26, due 2026-12-31
		f.inspect("qingshan", f.ent(entHazchem), c.ID, nil)
		must(t, f.sweep() == 0, "something fired at launch")
		for org, flag := range f.flags(c.ID) {
			must(t, flag == "", "%s flagged %q before any checkpoint", org, flag)
		}

		// Halfway: 2026-12-11 09:00, 48% of the period gone.
		f.at("2026-12-11 09:01")
		must(t, f.sweep() == 1, "the half checkpoint did not fire alone")
		fl := f.flags(c.ID)
		for org, want := range map[string]string{"上坪村": "", "竹园村": "behind", "青山镇": "behind", "东门社区": "behind", "东城街道": "behind", "下湾村": "", "示范区": "behind"} {
			if fl[org] != want {
				t.Errorf("%s flagged %q, want %q", org, fl[org], want)
			}
		}
		qs := f.inbox("qingshan")
		must(t, len(qs) == 1 && strings.Contains(qs[0], "进度落后") && strings.Contains(qs[0], "竹园村") && !strings.Contains(qs[0], "上坪村"),
			"青山镇's digest: %q", qs)
		yj := f.inbox("yjj")
		must(t, len(yj) == 1 && strings.Contains(yj[0], "12 个下级单位进度落后") && strings.Contains(yj[0], "东城街道：已检查 0/3（0%）") &&
			strings.Contains(yj[0], "另有 2 个单位") && !strings.Contains(yj[0], "竹园村"), "the district's digest names its townships only, the worst first: %q", yj)
		must(t, len(f.inbox("wanggeyuan")) == 0, "a village with no sub-units behind got a digest")
		must(t, f.env.AuditCount("campaign.checkpoint", audit.OK) == 1, "checkpoint audited %d times", f.env.AuditCount("campaign.checkpoint", audit.OK))
		got := f.get("qingshan", c.ID)
		must(t, task(t, got, "竹园村").Flag == "behind" && strings.Contains(task(t, got, "竹园村").FlagDetail, "应达 48%"), "竹园村 %+v", task(t, got, "竹园村"))
		must(t, got.Behind == 8, "青山镇 sees %d units behind, want itself and 7 villages", got.Behind)
		must(t, f.sweep() == 0, "the half checkpoint fired twice")

		// 竹园村 catches up; the deadline passes.
		f.at("2026-12-20 10:00")
		f.inspect("qingshan", f.ent(entFireworks), c.ID, nil)
		f.inspect("qingshan", f.ent(entGas), c.ID, nil)
		f.at("2027-01-01 00:05")
		must(t, f.sweep() == 2, "the remind and deadline checkpoints did not both catch up")
		fl = f.flags(c.ID)
		for org, want := range map[string]string{"上坪村": "", "竹园村": "", "青山镇": "overdue", "东门社区": "overdue", "下湾村": ""} {
			if fl[org] != want {
				t.Errorf("at the deadline %s flagged %q, want %q", org, fl[org], want)
			}
		}
		qs = f.inbox("qingshan")
		must(t, len(qs) == 3 && strings.Contains(qs[2], "已截止") && !strings.Contains(qs[2], "竹园村"), "青山镇's digests: %q", qs)
		must(t, f.env.AuditCount("campaign.checkpoint", audit.OK) == 3, "checkpoints audited %d times", f.env.AuditCount("campaign.checkpoint", audit.OK))
	})
}

// A closed campaign's checkpoints are withdrawn: nothing is flagged later.
func TestClosedCampaignIsQuiet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.launch("yjj", nil)
		wantStatus(t, "close", f.c("yjj").SendJSON("POST", "/api/v1/campaigns/"+itoa(c.ID)+"/transitions", map[string]any{"action": "close", "note": "提前完成"}), 200)
		for _, p := range campaign.Points {
			ob, err := dl.Get(context.Background(), d, campaign.KindCheckpoint, itoa(c.ID)+"/"+p)
			must(t, err == nil && ob.State == "cancelled", "checkpoint %s: %v %+v", p, err, ob)
		}
		f.at("2027-01-02 09:00")
		must(t, f.sweep() == 0, "a closed campaign's checkpoint fired")
		for org, flag := range f.flags(c.ID) {
			must(t, flag == "", "%s flagged %q after closing", org, flag)
		}
		must(t, f.env.AuditCount("campaign.close", audit.OK) == 1 && f.env.AuditCount("campaign.checkpoint", "") == 0, "audit")
	})
}
