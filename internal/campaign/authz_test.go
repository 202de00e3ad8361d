package campaign_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/campaign"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// Who sees what: the launching side every task, a township its own subtree,
// a village's grid worker its village; another township's campaign is not
// found; who may only view cannot launch or close; refusals are audited.
func TestWhoSeesWhat(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		district := f.launch("yjj", map[string]any{"title": "全区大排查"})
		township := f.launch("qingshan", map[string]any{"title": "青山镇专项"})
		draft := f.launch("yjj", map[string]any{"title": "全区草稿", "draft": true})
		dongcheng := f.loginAt("SFQ-DC", "staff")

		t.Run("the grid worker sees only its village's task", func(t *testing.T) {
			c := f.get("wanggeyuan", district.ID)
			must(t, len(c.Tasks) == 1 && c.Tasks[0].OrgName == "上坪村", "tasks %v", names(c.Tasks))
			must(t, c.Progress.Enterprises == 2, "its progress counts %d enterprises, want 上坪村's 2", c.Progress.Enterprises)
			must(t, c.CanInspect && len(c.AllowedActions) == 0, "can_inspect %v, actions %v", c.CanInspect, c.AllowedActions)
			var p campaign.Page
			r := f.c("wanggeyuan").Get("/api/v1/campaigns")
			wantStatus(t, "list", r, 200)
			r.JSON(t, &p)
			must(t, p.Total == 2 && len(p.Items) == 2, "the grid worker lists %d campaigns, want the two launched (not the draft)", p.Total)
			for _, c := range p.Items {
				must(t, c.Progress.Enterprises == 2, "%s: progress of %d enterprises", c.Title, c.Progress.Enterprises)
			}
			wantStatus(t, "a draft", f.c("wanggeyuan").Get("/api/v1/campaigns/"+itoa(draft.ID)), 404)
		})
		t.Run("a township sees its subtree, not another's campaign", func(t *testing.T) {
			c := f.get(dongcheng, district.ID)
			must(t, len(c.Tasks) == 9 && c.Tasks[0].OrgName == "东城街道", "东城街道 sees %v", names(c.Tasks))
			before := f.env.AuditCount("campaign", audit.Denied)
			wantStatus(t, "青山镇's campaign", f.c(dongcheng).Get("/api/v1/campaigns/"+itoa(township.ID)), 404)
			must(t, f.env.AuditCount("campaign", audit.Denied) == before+1, "the refusal was not audited")
			var p campaign.Page
			f.c(dongcheng).Get("/api/v1/campaigns").JSON(t, &p)
			must(t, p.Total == 1 && p.Items[0].ID == district.ID, "东城街道 lists %+v", p.Items)
			sp := f.get("qingshan", township.ID)
			task := sp.Tasks[1]
			wantStatus(t, "another township's task", f.c(dongcheng).Get("/api/v1/campaigns/"+itoa(district.ID)+"/tasks/"+itoa(task.ID)), 404)
		})
		t.Run("the launching side sees every task", func(t *testing.T) {
			for _, login := range []string{"yjj", "leader", "duchashi"} {
				c := f.get(login, district.ID)
				must(t, len(c.Tasks) > 90, "%s sees %d tasks", login, len(c.Tasks))
			}
			must(t, len(f.get("qingshan", township.ID).Tasks) == 9, "青山镇 sees its own campaign whole")
		})
		t.Run("who sees no campaign at all", func(t *testing.T) {
			for _, login := range []string{"admin", "qiye", "auditor"} {
				wantStatus(t, login+" lists", f.c(login).Get("/api/v1/campaigns"), 404)
				wantStatus(t, login+" reads", f.c(login).Get("/api/v1/campaigns/"+itoa(district.ID)), 404)
			}
			wantStatus(t, "no such campaign", f.c("yjj").Get("/api/v1/campaigns/999999"), 404)
			wantStatus(t, "anonymous", f.env.Anonymous().Get("/api/v1/campaigns"), 401)
		})
		t.Run("launching and closing", func(t *testing.T) {
			before := f.count("SELECT count(*) FROM campaigns")
			for _, tc := range []struct {
				name   string
				login  string
				extra  map[string]any
				status int
			}{
				{"a grid worker views only", "wanggeyuan", nil, 403},
				{"a supervisor views only", "duchashi", nil, 403},
				{"an administrator does no safety work", "admin", nil, 404},
				{"a scope in another township", "qingshan", map[string]any{"scope_org_id": f.env.OrgID("SFQ-DC")}, 404},
				{"launched for another township", "qingshan", map[string]any{"org_id": f.env.OrgID("SFQ-DC")}, 404},
				{"no such org", "yjj", map[string]any{"scope_org_id": 999999}, 404},
			} {
				t.Run(tc.name, func(t *testing.T) {
					denied := f.env.AuditCount("campaign", audit.Denied)
					wantStatus(t, tc.name, f.c(tc.login).SendJSON("POST", "/api/v1/campaigns", body(tc.extra)), tc.status)
					must(t, f.env.AuditCount("campaign", audit.Denied) == denied+1, "the refusal was not audited")
				})
			}
			must(t, f.count("SELECT count(*) FROM campaigns") == before, "a refused launch was written")
			close := map[string]any{"action": "close"}
			wantStatus(t, "青山镇 closes the district's", f.c("qingshan").SendJSON("POST", "/api/v1/campaigns/"+itoa(district.ID)+"/transitions", close), 403)
			wantStatus(t, "东城街道 closes 青山镇's", f.c(dongcheng).SendJSON("POST", "/api/v1/campaigns/"+itoa(township.ID)+"/transitions", close), 404)
			wantStatus(t, "the grid worker edits", f.c("wanggeyuan").SendJSON("PUT", "/api/v1/campaigns/"+itoa(district.ID), body(nil)), 403)
			wantStatus(t, "the leader closes", f.c("leader").SendJSON("POST", "/api/v1/campaigns/"+itoa(district.ID)+"/transitions", close), http.StatusOK)
		})
	})
}

func names(ts []campaign.Task) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.OrgName
	}
	return out
}

// Bad input answers 400 naming the field, and nothing is written.
func TestValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for _, tc := range []struct {
			name  string
			extra map[string]any
			field string
		}{
			{"empty title", map[string]any{"title": "  "}, "title"},
			{"a title too long", map[string]any{"title": strings.Repeat("排", 101)}, "title"},
			{"end before start", map[string]any{"period_end": "2026-11-20", "deadline": "2026-11-27"}, "period_end"},
			{"not a date", map[string]any{"period_start": "2026/11/27"}, "period_start"},
			{"no deadline", map[string]any{"deadline": nil}, "deadline"},
			{"deadline long after the end", map[string]any{"deadline": "2027-02-01"}, "deadline"},
			{"deadline before the start", map[string]any{"period_start": "2026-11-28", "deadline": "2026-11-27"}, "deadline"},
			{"deadline in the past", map[string]any{"period_start": "2026-11-01", "period_end": "2026-11-20", "deadline": "2026-11-26"}, "deadline"},
			{"a start long ago", map[string]any{"period_start": "2026-09-01"}, "period_start"},
			{"a period over a year", map[string]any{"period_end": "2027-12-31", "deadline": "2027-12-31"}, "period_end"},
			{"an unknown industry", map[string]any{"industries": []string{"gas", "航天"}}, "industries"},
			{"an unknown risk level", map[string]any{"risk_levels": []string{"huge"}}, "risk_levels"},
			{"no such checklist", map[string]any{"template_id": 999999}, "template_id"},
			{"a department is no scope", map[string]any{"scope_org_id": f.env.OrgID("SFQ-YJJ")}, "scope_org_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := f.c("yjj").SendJSON("POST", "/api/v1/campaigns", body(tc.extra))
				wantStatus(t, tc.name, r, 400)
				must(t, errField(t, r) == tc.field && r.ErrorCode() == "invalid", "error %s on %q, want %s", r.ErrorCode(), errField(t, r), tc.field)
			})
		}
		wantStatus(t, "an unknown JSON field", f.c("yjj").SendJSON("POST", "/api/v1/campaigns", `{"title":"x","scope":"all"}`), 400)
		must(t, f.count("SELECT count(*) FROM campaigns") == 0, "an invalid campaign was written")
		must(t, f.count("SELECT count(*) FROM obligations WHERE kind = 'campaign.checkpoint'") == 0, "an invalid campaign scheduled checkpoints")
	})
}

// A draft is saved without tasks, changed, launched once; a closed
// campaign takes no step; the table says what is allowed.
func TestLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.launch("yjj", map[string]any{"draft": true})
		must(t, c.Status == campaign.Draft && len(c.Tasks) == 0, "draft %s with %d tasks", c.Status, len(c.Tasks))
		must(t, equal(c.AllowedActions, []string{"edit", "launch", "close"}), "a draft allows %v", c.AllowedActions)
		must(t, c.Progress.Enterprises == f.count("SELECT count(*) FROM enterprises WHERE NOT closed"), "the draft's scope counts %d", c.Progress.Enterprises)
		must(t, f.count("SELECT count(*) FROM campaign_tasks") == 0 && f.count("SELECT count(*) FROM obligations WHERE kind = 'campaign.checkpoint'") == 0, "a draft went out")
		path := "/api/v1/campaigns/" + itoa(c.ID)
		r := f.c("yjj").SendJSON("PUT", path, body(map[string]any{"title": "改过的草稿", "draft": true, "risk_levels": []string{"重大", "large"}}))
		wantStatus(t, "edit the draft", r, 200)
		var got campaign.Campaign
		r.JSON(t, &got)
		must(t, got.Title == "改过的草稿" && got.Status == campaign.Draft && equal(got.RiskLevels, []string{"major", "large"}), "after the edit %+v", got)
		step := func(action string, status int) *campaign.Campaign {
			t.Helper()
			r := f.c("yjj").SendJSON("POST", path+"/transitions", map[string]any{"action": action})
			wantStatus(t, action, r, status)
			var c campaign.Campaign
			if status == 200 {
				r.JSON(t, &c)
			}
			return &c
		}
		step("edit", 400)
		step("fly", 400)
		got = *step("launch", 200)
		must(t, got.Status == campaign.Active && len(got.Tasks) > 90, "launched: %s, %d tasks", got.Status, len(got.Tasks))
		must(t, equal(got.AllowedActions, []string{"close"}), "a running campaign allows %v", got.AllowedActions)
		step("launch", 422)
		wantStatus(t, "edit once launched", f.c("yjj").SendJSON("PUT", path, body(nil)), 422)
		got = *step("close", 200)
		must(t, got.Status == campaign.Closed && got.ClosedAt != nil && len(got.AllowedActions) == 0, "closed: %+v", got.Status)
		step("close", 422)
		step("launch", 422)
		must(t, f.env.AuditCount("campaign.create", audit.OK) == 1 && f.env.AuditCount("campaign.edit", audit.OK) == 1 &&
			f.env.AuditCount("campaign.launch", audit.OK) == 1 && f.env.AuditCount("campaign.close", audit.OK) == 1, "the steps are not all audited")
		// A draft is closed (dropped) without ever going out.
		dropped := f.launch("yjj", map[string]any{"draft": true})
		wantStatus(t, "drop a draft", f.c("yjj").SendJSON("POST", "/api/v1/campaigns/"+itoa(dropped.ID)+"/transitions", map[string]any{"action": "close"}), 200)
		must(t, f.count("SELECT count(*) FROM campaign_tasks WHERE campaign_id = ?", dropped.ID) == 0, "a dropped draft has tasks")
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
