package campaign_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/campaign"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	dl "github.com/anwen-gov/anwen/internal/deadline"
)

// The district's safety desk launches a district-wide campaign: every
// township, street, zone, village and community gets one task under its
// parent's, the departments none; the launch is audited and its three
// checkpoints are in the clock engine.
func TestLaunchCascade(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.launch("yjj", nil)
		must(t, c.Status == campaign.Active, "status %s", c.Status)
		must(t, c.LaunchOrgName == "区应急管理局" && c.ScopeOrgName == "示范区", "launched by %s over %s", c.LaunchOrgName, c.ScopeOrgName)
		territorial := f.count("SELECT count(*) FROM orgs WHERE kind IN ('district', 'township', 'street', 'zone', 'village', 'community')")
		must(t, territorial > 90, "the demo has %d territorial orgs", territorial)
		if n := f.count("SELECT count(*) FROM campaign_tasks WHERE campaign_id = ?", c.ID); n != territorial {
			t.Fatalf("%d tasks, want one per territorial org (%d)", n, territorial)
		}
		if n := f.count(`SELECT count(*) FROM campaign_tasks t JOIN orgs o ON o.id = t.org_id WHERE t.campaign_id = ? AND o.kind IN ('department', 'police_station')`, c.ID); n != 0 {
			t.Errorf("%d tasks for departments or police stations", n)
		}
		// Each task hangs under the task of its org's parent; only the district's has none.
		if n := f.count(`SELECT count(*) FROM campaign_tasks t JOIN orgs o ON o.id = t.org_id
			LEFT JOIN campaign_tasks p ON p.id = t.parent_task_id
			WHERE t.campaign_id = ? AND ((t.parent_task_id IS NULL AND o.parent_id IS NOT NULL) OR (t.parent_task_id IS NOT NULL AND p.org_id <> o.parent_id))`, c.ID); n != 0 {
			t.Fatalf("%d tasks not under their parent org's task", n)
		}
		must(t, len(c.Tasks) == territorial, "the launcher sees %d tasks, want all %d", len(c.Tasks), territorial)
		root := c.Tasks[0]
		must(t, root.OrgName == "示范区" && root.ParentID == nil && root.Depth == 0, "first task %+v", root)
		must(t, root.Owner != nil && root.Owner.ID == f.env.UserID("yjj"), "the root task's owner %+v", root.Owner)
		qs := task(t, c, "青山镇")
		must(t, qs.ParentID != nil && *qs.ParentID == root.ID && qs.Depth == 1, "青山镇 %+v", qs)
		sp := task(t, c, "上坪村")
		must(t, sp.ParentID != nil && *sp.ParentID == qs.ID && sp.Depth == 2, "上坪村 %+v", sp)
		// Counts: the open enterprises of the register, none inspected yet.
		open := f.count("SELECT count(*) FROM enterprises WHERE NOT closed")
		must(t, c.Progress.Enterprises == open && c.Progress.Inspected == 0, "progress %+v, want %d enterprises", c.Progress, open)
		must(t, root.Counts.Enterprises == open, "root %+v", root.Counts)
		must(t, qs.Counts.Enterprises == 11 && sp.Counts.Enterprises == 2, "青山镇 %d, 上坪村 %d enterprises", qs.Counts.Enterprises, sp.Counts.Enterprises)
		// The trail and the clock.
		must(t, f.env.AuditCount("campaign.create", audit.OK) == 1 && f.env.AuditCount("campaign.launch", audit.OK) == 1, "audit: create %d, launch %d",
			f.env.AuditCount("campaign.create", audit.OK), f.env.AuditCount("campaign.launch", audit.OK))
		for point, due := range map[string]string{"half": "2026-12-11 01:00", "remind": "2026-12-28 01:00", "deadline": "2026-12-31 16:00"} {
			ob, err := dl.Get(context.Background(), d, campaign.KindCheckpoint, itoa(c.ID)+"/"+point)
			if err != nil {
				t.Fatalf("checkpoint %s: %v", point, err)
			}
			if got := ob.DueAt.Format("2006-01-02 15:04"); got != due || ob.State != "open" {
				t.Errorf("checkpoint %s due %s (UTC) in state %s, want %s", point, got, ob.State, due)
			}
		}

		// A township launches over its own subtree by default: its 8 villages and communities.
		y := f.launch("qingshan", map[string]any{"title": "青山镇燃气专项排查", "industries": []string{"gas", "餐饮"}})
		must(t, y.LaunchOrgName == "青山镇" && y.ScopeOrgName == "青山镇", "launched by %s over %s", y.LaunchOrgName, y.ScopeOrgName)
		must(t, len(y.Tasks) == 9 && y.Tasks[0].OrgName == "青山镇", "%d tasks, first %s", len(y.Tasks), y.Tasks[0].OrgName)
		must(t, strings.Join(y.Industries, ",") == "gas,catering", "industries %v", y.Industries)
		must(t, y.Progress.Enterprises == 2, "gas and catering in 青山镇: %d", y.Progress.Enterprises)
	})
}

// Progress moves with the inspections and hazards that carry the
// campaign's id: an enterprise counts once however often inspected, a
// draft not at all; a hazard found by an inspection of the campaign
// carries its id; a hazard fixed on the spot counts as found and closed.
func TestCountsMove(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.launch("yjj", nil)
		hz := f.ent(entHazchem)
		f.inspect("qingshan", hz, c.ID, nil)
		f.inspect("wanggeyuan", hz, c.ID, nil)
		f.inspect("qingshan", f.ent(entGas), c.ID, map[string]any{"draft": true})
		f.inspect("qingshan", f.ent(entFireworks), 0, nil) // not for the campaign
		c = f.get("yjj", c.ID)
		sp, qs := task(t, c, "上坪村"), task(t, c, "青山镇")
		must(t, sp.Counts.Inspected == 1 && sp.Counts.Enterprises == 2, "上坪村 %+v", sp.Counts)
		must(t, qs.Counts.Inspected == 1 && c.Progress.Inspected == 1, "青山镇 %+v, all %+v", qs.Counts, c.Progress)
		must(t, task(t, c, "竹园村").Counts.Inspected == 0, "竹园村 counts an inspection that is not the campaign's")

		// A finding of a campaign inspection becomes a hazard of the campaign.
		r := f.c("qingshan").SendJSON("POST", "/api/v1/inspections", map[string]any{"kind": "territorial", "enterprise_id": f.ent(entGas), "campaign_id": c.ID,
			"findings": []map[string]any{{"text": "燃气报警器失效", "category": "gas"}}})
		wantStatus(t, "inspection with a finding", r, http.StatusCreated)
		var ins struct {
			ID       int64
			Findings []struct{ ID int64 }
		}
		r.JSON(t, &ins)
		wantStatus(t, "register the finding", f.c("qingshan").SendJSON("POST", "/api/v1/inspections/"+itoa(ins.ID)+"/hazards",
			map[string]any{"finding_id": ins.Findings[0].ID}), http.StatusCreated)
		must(t, f.count("SELECT count(*) FROM hazards WHERE campaign_id = ?", c.ID) == 1, "the hazard found does not carry the campaign")
		// One fixed on the spot: found and closed.
		f.hazard("qingshan", hz, c.ID, map[string]any{"fixed_on_spot": true, "evidence_ids": []int64{f.photo("qingshan")}})
		c = f.get("yjj", c.ID)
		sp = task(t, c, "上坪村")
		must(t, sp.Counts.Inspected == 2 && sp.Counts.HazardsFound == 2 && sp.Counts.HazardsClosed == 1 && sp.Counts.HazardsOpen == 1, "上坪村 %+v", sp.Counts)
		must(t, c.Progress.HazardsFound == 2 && c.Progress.HazardsClosed == 1, "all %+v", c.Progress)
		must(t, task(t, c, "东城街道").Counts.HazardsFound == 0, "东城街道 counts 青山镇's hazards")

		// The ledger filter finds them.
		var page struct{ Rows []struct{ ID int64 } }
		lr := f.c("yjj").Get("/api/v1/hazards?campaign_id=" + itoa(c.ID))
		wantStatus(t, "ledger", lr, 200)
		lr.JSON(t, &page)
		must(t, len(page.Rows) == 2, "the ledger filtered by campaign holds %d hazards", len(page.Rows))
	})
}

// An inspection counts for a campaign only while it runs and covers the
// object; anything else is refused and nothing is written.
func TestInspectionCampaignChecks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		qs := f.launch("qingshan", map[string]any{"title": "青山镇专项"})
		gas := f.launch("yjj", map[string]any{"title": "燃气专项", "industries": []string{"gas"}})
		draft := f.launch("yjj", map[string]any{"title": "草稿", "draft": true})
		closed := f.launch("yjj", map[string]any{"title": "已结束"})
		wantStatus(t, "close", f.c("yjj").SendJSON("POST", "/api/v1/campaigns/"+itoa(closed.ID)+"/transitions", map[string]any{"action": "close"}), 200)
		before := f.count("SELECT count(*) FROM inspections")
		for _, tc := range []struct {
			name       string
			login      string
			enterprise string
			campaign   int64
			status     int
		}{
			{"no such campaign", "yjj", entHazchem, 999999, 400},
			{"outside the subtree", "yjj", entMall, qs.ID, 422},
			{"another industry", "yjj", entHazchem, gas.ID, 422},
			{"a draft", "yjj", entHazchem, draft.ID, 422},
			{"closed", "yjj", entHazchem, closed.ID, 422},
			{"a campaign the recorder does not see", "wanggeyuan", entHazchem, draft.ID, 400},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := f.c(tc.login).SendJSON("POST", "/api/v1/inspections", map[string]any{"kind": "territorial", "enterprise_id": f.ent(tc.enterprise),
					"campaign_id": tc.campaign, "summary": "检查"})
				wantStatus(t, tc.name, r, tc.status)
				must(t, errField(t, r) == "campaign_id", "field %q", errField(t, r))
			})
		}
		must(t, f.count("SELECT count(*) FROM inspections") == before, "a refused inspection was written")
		f.inspect("yjj", f.ent(entGas), gas.ID, nil)
		var cid int64
		f.env.App.DB.QueryRow(context.Background(), "SELECT campaign_id FROM inspections ORDER BY id DESC LIMIT 1").Scan(&cid)
		must(t, cid == gas.ID, "the inspection carries campaign %d", cid)
	})
}

// 回头看: launching lists the open hazards of earlier campaigns in the
// scope (not the closed ones, not those of no campaign, not those outside
// the scope); the task's org records the outcome, audited; others may not.
func TestRechecks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		earlier := f.launch("yjj", map[string]any{"title": "国庆节前大检查"})
		hz, mall := f.ent(entHazchem), f.ent(entMall)
		h1 := f.hazard("qingshan", hz, earlier.ID, nil)                                                                           // open, 上坪村
		h2 := f.hazard("yjj", mall, earlier.ID, nil)                                                                              // open, 东城街道
		f.hazard("qingshan", hz, earlier.ID, map[string]any{"fixed_on_spot": true, "evidence_ids": []int64{f.photo("qingshan")}}) // closed
		f.hazard("qingshan", hz, 0, nil)                                                                                          // of no campaign

		township := f.launch("qingshan", map[string]any{"title": "青山镇回头看"})
		must(t, len(township.Rechecks) == 1 && township.Rechecks[0].HazardID == h1, "青山镇's re-checks %+v", township.Rechecks)
		rc := township.Rechecks[0]
		must(t, rc.TaskOrgName == "上坪村" && rc.Outcome == "" && rc.FromCampaignTitle == "国庆节前大检查" && rc.StatusAtLaunch == "registered", "re-check %+v", rc)
		must(t, township.Progress.Rechecks == 1 && task(t, township, "上坪村").Counts.Rechecks == 1, "counts %+v", township.Progress)
		district := f.launch("yjj", map[string]any{"title": "全区回头看"})
		must(t, len(district.Rechecks) == 2, "the district's re-checks: %d, want h1 and h2", len(district.Rechecks))
		must(t, f.count("SELECT count(*) FROM campaign_rechecks WHERE campaign_id = ?", earlier.ID) == 0, "a campaign re-checks its own hazards")
		must(t, f.count("SELECT count(*) FROM campaign_rechecks WHERE hazard_id = ?", h2) == 1, "h2 listed %d times", f.count("SELECT count(*) FROM campaign_rechecks WHERE hazard_id = ?", h2))

		path := "/api/v1/campaigns/" + itoa(township.ID) + "/rechecks/" + itoa(rc.ID)
		for _, tc := range []struct {
			name   string
			login  string
			body   map[string]any
			status int
		}{
			{"a supervisor sees but does not inspect", "duchashi", map[string]any{"outcome": "fixed"}, 403},
			{"an enterprise contact sees no campaign", "qiye", map[string]any{"outcome": "fixed"}, 404},
			{"an administrator sees no campaign", "admin", map[string]any{"outcome": "fixed"}, 404},
			{"another township", f.loginAt("SFQ-DC", "staff"), map[string]any{"outcome": "fixed"}, 404},
			{"no such outcome", "wanggeyuan", map[string]any{"outcome": "closed"}, 400},
			{"the village's grid worker", "wanggeyuan", map[string]any{"outcome": "fixed", "note": "通道已清理"}, 200},
			{"the township changes it", "qingshan", map[string]any{"outcome": "still_open"}, 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantStatus(t, tc.name, f.c(tc.login).SendJSON("POST", path, tc.body), tc.status)
			})
		}
		var outcome, by string
		f.env.App.DB.QueryRow(context.Background(), "SELECT outcome, checked_by_name FROM campaign_rechecks WHERE id = ?", rc.ID).Scan(&outcome, &by)
		must(t, outcome == "still_open" && by == "林思远", "stored %s by %s", outcome, by)
		must(t, f.env.AuditCount("campaign.recheck", audit.OK) == 2, "re-checks audited: %d", f.env.AuditCount("campaign.recheck", audit.OK))
		must(t, f.env.AuditCount("inspection.record", audit.Denied) >= 1, "the supervisor's refusal left no trace")
		must(t, f.env.AuditCount("campaign", audit.Denied) >= 3, "the refusals of those who do not see the campaign left no trace")
		got := f.get("qingshan", township.ID)
		must(t, got.Progress.RechecksDone == 1 && got.Rechecks[0].CheckedBy != nil, "after: %+v", got.Progress)
		// The hazard itself did not move.
		var status string
		f.env.App.DB.QueryRow(context.Background(), "SELECT status FROM hazards WHERE id = ?", h1).Scan(&status)
		must(t, status == "registered", "the hazard moved to %s", status)
	})
}
