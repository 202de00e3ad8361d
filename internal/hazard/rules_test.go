package hazard_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/hazard"
)

// loginOf finds a demo login holding role scoped at the org with code.
func (f *fixture) loginOf(role, code string) string {
	f.t.Helper()
	var login string
	err := f.env.App.DB.QueryRow(context.Background(), `SELECT u.login FROM users u JOIN user_roles r ON r.user_id = u.id JOIN orgs o ON o.id = r.scope_org_id
		WHERE r.role = ? AND o.code = ? ORDER BY u.id LIMIT 1`, role, code).Scan(&login)
	if err != nil {
		f.t.Fatalf("a %s of %s: %v", role, code, err)
	}
	return login
}

// TestRegistrationRules: bad input answers 400 naming the field; what is
// known is filled in; numbers run per year without gaps.
func TestRegistrationRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		cases := []struct {
			name   string
			body   map[string]any
			status int
			field  string
		}{
			{"deadline before the finding date", f.general(map[string]any{"found_at": "2026-11-20T02:00:00Z", "deadline": "2026-11-19"}), 400, "deadline"},
			{"deadline not a date", f.general(map[string]any{"deadline": "下周一"}), 400, "deadline"},
			{"no deadline", f.general(map[string]any{"deadline": ""}), 400, "deadline"},
			{"no description", f.general(map[string]any{"description": "  "}), 400, "description"},
			{"unknown category", f.general(map[string]any{"category": "地震"}), 400, "category"},
			{"bad grade", f.general(map[string]any{"grade": "critical"}), 400, "grade"},
			{"found in the future", f.general(map[string]any{"found_at": "2026-11-28T02:00:00Z"}), 400, "found_at"},
			{"major without a clause", f.major(map[string]any{"standard_id": nil}), 400, "standard_id"},
			{"major without its report", f.major(map[string]any{"major": map[string]any{"harm": "x"}}), 400, "major.state_cause"},
			{"major fixed on the spot", f.major(map[string]any{"fixed_on_spot": true, "evidence_ids": []int64{1}}), 422, "fixed_on_spot"},
			{"fixed on the spot without evidence", f.general(map[string]any{"fixed_on_spot": true}), 400, "evidence_ids"},
			{"someone else's photo", f.general(map[string]any{"attachment_ids": []int64{f.photo("yjj")}}), 400, "attachments"},
			{"unknown enterprise", f.general(map[string]any{"enterprise_id": 99999}), 400, "enterprise_id"},
			{"supervising org unrelated", f.general(map[string]any{"supervising_org_id": f.env.OrgID("SFQ-DC")}), 400, "supervising_org_id"},
			{"unknown field", f.general(map[string]any{"priority": "high"}), 400, ""},
			{"negative funds", f.general(map[string]any{"funds_yuan": -1}), 400, "funds_yuan"},
			{"territory out of scope", f.general(map[string]any{"org_id": f.env.OrgID("SFQ-DC")}), 404, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				n := f.count("SELECT count(*) FROM hazards")
				r := f.c("qingshan").SendJSON("POST", "/api/v1/hazards", c.body)
				if r.StatusCode != c.status {
					t.Fatalf("%d %s, want %d", r.StatusCode, r.Body, c.status)
				}
				if c.field != "" && errorField(t, r) != c.field {
					t.Fatalf("field %q, want %q: %s", errorField(t, r), c.field, r.Body)
				}
				if f.count("SELECT count(*) FROM hazards") != n {
					t.Fatal("a refused registration wrote a hazard")
				}
			})
		}
		if r := f.c("qingshan").SendJSON("POST", "/api/v1/hazards", f.general(map[string]any{"found_at": "2026-11-20T02:00:00Z", "deadline": "2026-11-19"})); !strings.Contains(string(r.Body), "早于发现日期") {
			t.Errorf("the message does not say what is wrong: %s", r.Body)
		}

		t.Run("fixed on the spot", func(t *testing.T) {
			ev := f.photo("qingshan")
			h := f.register("qingshan", f.general(map[string]any{"fixed_on_spot": true, "evidence_ids": []int64{ev}, "deadline": "", "comment": "现场已更换插座"}))
			must(t, h.Status == hazard.Closed && h.RectifyMode == hazard.ModeImmediate && h.ClosedAt != nil, "fixed on the spot: %+v", h.Hazard)
			must(t, len(h.Steps) == 1 && h.Steps[0].Action == "fix_on_spot" && len(h.Steps[0].Attachments) == 1 && h.Steps[0].Attachments[0].ID == ev, "step %+v", h.Steps)
			must(t, f.count("SELECT count(*) FROM obligations WHERE kind = ? AND key LIKE ?", hazard.KindDeadline, itoa(h.ID)+"/%") == 0, "a closed hazard has an obligation")
			must(t, f.count("SELECT count(*) FROM audit_log WHERE action = 'hazard.fix_on_spot' AND object_id = ?", itoa(h.ID)) == 1, "audited")
		})

		t.Run("prefilled from an enterprise", func(t *testing.T) {
			h := f.register("qingshan", map[string]any{"enterprise_id": f.entShangping, "description": "储罐区静电接地损坏", "category": "危化品", "deadline": "2026-12-10"})
			must(t, h.EnterpriseName == "上坪精细化工有限公司" && h.TerritoryName == "上坪村" && h.Industry == "危险化学品" && h.RiskLevel == "major", "copied: %+v", h.Hazard)
			must(t, h.Location == "上坪精细化工有限公司所在地" && h.ResponsibleUnit == "上坪精细化工有限公司" && h.Category == "hazchem", "filled in: %+v", h.Hazard)
			// The enterprise's contact sees it (its path is the enterprise's) and self-reports.
			must(t, f.c("qiye").Get("/api/v1/hazards/"+itoa(h.ID)).StatusCode == 200, "the enterprise contact sees its hazard")
			own := f.register("qiye", map[string]any{"enterprise_id": f.entShangping, "description": "灭火器过期", "category": "fire", "deadline": "2026-12-01"})
			must(t, own.Source == hazard.SourceSelfReport, "an enterprise's own registration is a self-report: %s", own.Source)
			r := f.c("qiye").SendJSON("POST", "/api/v1/hazards", map[string]any{"enterprise_id": f.entQingshan, "description": "x", "category": "fire", "deadline": "2026-12-01"})
			must(t, r.StatusCode == 404, "an enterprise contact registers for another enterprise: %d", r.StatusCode)
			must(t, f.c("qiye").Get("/api/v1/hazards/"+itoa(f.register("qingshan", f.general(nil)).ID)).StatusCode == 404, "the enterprise contact sees the township's hazard")
		})

		t.Run("numbers per year", func(t *testing.T) {
			var numbers []string
			for i := 0; i < 3; i++ {
				numbers = append(numbers, f.register("qingshan", f.general(nil)).Number)
			}
			n := f.count("SELECT count(*) FROM hazards WHERE number LIKE 'YH-2026-%'")
			for i, num := range numbers {
				must(t, num == fmt.Sprintf("YH-2026-%06d", n-2+i), "number %d is %s (of %d)", i, num, n)
			}
			f.env.Clock.Set(time.Date(2027, 1, 2, 2, 0, 0, 0, time.UTC))
			h := f.register("qingshan", f.general(map[string]any{"deadline": "2027-01-10"}))
			must(t, h.Number == "YH-2027-000001", "first of 2027: %s", h.Number)
			must(t, f.count("SELECT count(DISTINCT number) FROM hazards") == f.count("SELECT count(*) FROM hazards"), "numbers unique")
		})
	})
}

// TestNumbersConcurrent registers from many goroutines at once: every
// number is taken once, none is skipped.
func TestNumbersConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		a := f.actor("qingshan")
		const n = 24
		before := f.count("SELECT count(*) FROM hazards WHERE number LIKE 'YH-2026-%'")
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			go func() {
				_, err := f.svc().Register(context.Background(), a, hazard.Input{OrgID: f.env.OrgID("SFQ-QS"), Description: "并发登记", Category: "fire", Deadline: "2026-12-04"})
				errs <- err
			}()
		}
		for i := 0; i < n; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		must(t, f.count("SELECT count(DISTINCT number) FROM hazards WHERE number LIKE 'YH-2026-%'") == before+n, "distinct numbers")
		must(t, f.count("SELECT count(*) FROM hazards WHERE number = ?", fmt.Sprintf("YH-2026-%06d", before+n)) == 1, "no gap up to %d", before+n)
	})
}

// TestAuthorization: who may do what, and what out of scope looks like.
func TestAuthorization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		dongcheng := f.loginOf("staff", "SFQ-DC")
		villageStaff := f.loginOf("staff", "SFQ-QS-01")
		// At 上坪村 (the chemical plant), supervised by 青山镇.
		h := f.register("qingshan", map[string]any{"enterprise_id": f.entShangping, "description": "仓库堆放杂物堵塞疏散通道", "category": "fire",
			"deadline": "2026-12-10", "supervising_org_id": f.env.OrgID("SFQ-QS")})
		f.mustStep("wanggeyuan", h.ID, map[string]any{"action": "submit_evidence", "comment": "已清理", "attachment_ids": []int64{f.photo("wanggeyuan")}})
		denied := f.env.AuditCount("", "denied")
		cases := []struct {
			who    string
			status int
		}{
			{dongcheng, 404},    // another township's staff: as if it did not exist
			{"wanggeyuan", 403}, // the village's grid worker sees it but does not accept
			{villageStaff, 403}, // the village's staff may accept, but not for 青山镇
			{"duchashi", 403},   // the supervisor only views
			{"leader", 200},     // the district head accepts for the district
		}
		for _, c := range cases {
			r := f.step(c.who, h.ID, map[string]any{"action": "accept"})
			must(t, r.StatusCode == c.status, "accept as %s: %d %s, want %d", c.who, r.StatusCode, r.Body, c.status)
		}
		must(t, f.env.AuditCount("", "denied") >= denied+4, "refusals recorded: %d → %d", denied, f.env.AuditCount("", "denied"))
		// Reads: another township's staff gets 404 on the hazard, its ledger and its statistics.
		must(t, f.c(dongcheng).Get("/api/v1/hazards/"+itoa(h.ID)).StatusCode == 404, "read out of scope")
		must(t, f.c(dongcheng).Get("/api/v1/hazards?org_id="+itoa(f.env.OrgID("SFQ-QS"))).StatusCode == 404, "ledger out of scope")
		must(t, f.c(dongcheng).Get("/api/v1/hazards/stats?org_id="+itoa(f.env.OrgID("SFQ-QS"))).StatusCode == 404, "stats out of scope")
		var page hazard.Page
		f.c(dongcheng).Get("/api/v1/hazards?limit=100").JSON(t, &page)
		for _, row := range page.Rows {
			must(t, row.TerritoryName != "青山镇" && row.TerritoryName != "上坪村" && row.ID != h.ID, "东城 sees %s of 青山镇", row.Number)
		}
		must(t, f.c("auditor").Get("/api/v1/hazards").StatusCode == 404, "the auditor lists hazards")
		// Cancelling takes the supervising org, with a reason.
		h2 := f.register("qingshan", f.general(nil))
		r := f.step("wanggeyuan", h2.ID, map[string]any{"action": "cancel", "reason": "x"})
		must(t, r.StatusCode == 404, "grid worker of a village cancels a township hazard: %d", r.StatusCode)
		r = f.step("yjj", h2.ID, map[string]any{"action": "cancel"})
		must(t, r.StatusCode == 400 && errorField(t, r) == "reason", "cancel without a reason: %d %s", r.StatusCode, r.Body)
		// Listed supervision: a superior org, for a major hazard only.
		r = f.step("yjj", h2.ID, map[string]any{"action": "supervise", "new_deadline": "2026-12-20", "comment": "限期整改到位"})
		must(t, r.StatusCode == 422, "listing a general hazard: %d %s", r.StatusCode, r.Body)
		m := f.register("qingshan", f.major(nil))
		r = f.step("qingshan", m.ID, map[string]any{"action": "supervise", "new_deadline": "2026-12-20", "comment": "x"})
		must(t, r.StatusCode == 403, "the township lists its own hazard: %d %s", r.StatusCode, r.Body)
		lm := f.mustStep("yjj", m.ID, map[string]any{"action": "supervise", "new_deadline": "2026-12-20", "comment": "区安委办挂牌督办"})
		must(t, lm.Listed != nil && lm.Listed.OrgName == "示范区" && lm.Listed.Deadline == "2026-12-20", "listed: %+v", lm.Listed)
		must(t, f.count("SELECT count(*) FROM obligations WHERE kind = ? AND key = ?", hazard.KindListed, itoa(m.ID)+"/2026-12-20") == 1, "listing scheduled")
	})
}

// TestAuditInSameTransaction: a step that fails part-way (someone else's
// attachment) leaves no trace at all: no state change, no step, no audit.
func TestAuditInSameTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		h := f.register("qingshan", f.general(nil))
		audits := f.env.AuditCount("hazard.", "ok")
		r := f.step("qingshan", h.ID, map[string]any{"action": "submit_evidence", "comment": "x", "attachment_ids": []int64{f.photo("yjj")}})
		must(t, r.StatusCode == 400, "foreign evidence: %d %s", r.StatusCode, r.Body)
		must(t, f.status(h.ID) == hazard.Registered, "status changed")
		must(t, f.count("SELECT count(*) FROM hazard_steps WHERE hazard_id = ?", h.ID) == 1, "a step was written")
		must(t, f.env.AuditCount("hazard.", "ok") == audits, "an audit record was written")
		// Every successful write leaves exactly one record of its own.
		for _, a := range []map[string]any{{"action": "start"}, {"action": "request_extension", "reason": "材料未到", "new_deadline": "2026-12-12"}, {"action": "approve_extension"}} {
			before := f.env.AuditCount("hazard."+a["action"].(string), "ok")
			f.mustStep(map[bool]string{true: "yjj", false: "qingshan"}[a["action"] == "approve_extension"], h.ID, a)
			must(t, f.env.AuditCount("hazard."+a["action"].(string), "ok") == before+1, "%s audited", a["action"])
		}
		must(t, f.count("SELECT count(*) FROM audit_log WHERE action LIKE 'hazard.%' AND object_id = ?", itoa(h.ID)) == 4, "four records on the hazard")
	})
}
