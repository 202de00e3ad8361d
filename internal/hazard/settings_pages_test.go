package hazard_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestSettingsPages: the reference pages change categories, grading
// clauses and settings through the same checks and audit records as the
// API; read-only for whoever may only read; refused to others.
func TestSettingsPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		admin := f.env.SignIn("admin")
		post := func(path string, v url.Values, status int, what string) string {
			t.Helper()
			r := admin.PostForm(path, v)
			must(t, r.StatusCode == status, "%s: %d, want %d (%.300s)", what, r.StatusCode, status, r.Body)
			return string(r.Body)
		}
		audits := func(action string) int { return f.env.AuditCount(action, "ok") }

		t.Run("page", func(t *testing.T) {
			r := admin.Get("/hazards/settings")
			page := string(r.Body)
			must(t, r.StatusCode == 200 && strings.Contains(page, `action="/hazards/settings/categories"`) && strings.Contains(page, `action="/hazards/settings/standards"`) &&
				strings.Contains(page, `id="save-rules"`), "admin's page: %d", r.StatusCode)
			must(t, strings.Contains(page, "工贸企业重大事故隐患判定标准") && strings.Contains(page, "2023 版") && strings.Contains(page, "有限空间第（二）项"), "standards grouped by version")
			must(t, strings.Contains(page, `href="/hazards/settings"`), "admin reaches it from the menu")
			for login, status := range map[string]int{"leader": 200, "qiye": 200, "qingshan": 200, "auditor": 404, "secadmin": 404} {
				r := f.env.SignIn(login).Get("/hazards/settings")
				must(t, r.StatusCode == status, "%s: %d, want %d", login, r.StatusCode, status)
				if status == 200 {
					must(t, !strings.Contains(string(r.Body), `action="/hazards/settings/categories"`) && strings.Contains(string(r.Body), "有限空间"), "%s sees no forms", login)
				}
			}
			must(t, strings.Contains(string(f.env.SignIn("yjj").Get("/hazards").Body), `id="settings"`), "the district's staff reach it from the ledger")
			must(t, !strings.Contains(string(f.env.SignIn("qingshan").Get("/hazards").Body), `id="settings"`), "the township's staff get no link")
		})

		t.Run("categories", func(t *testing.T) {
			n := audits("hazard.category")
			post("/hazards/settings/categories", url.Values{"code": {"lightning"}, "name": {"防雷"}, "name_en": {"Lightning"}, "sort": {"95"}, "active": {"1"}}, 303, "add")
			must(t, f.count("SELECT count(*) FROM hazard_categories WHERE code = 'lightning' AND name = '防雷' AND sort = 95 AND active") == 1, "added")
			post("/hazards/settings/categories", url.Values{"code": {"lightning"}, "edit": {"1"}, "name": {"防雷防静电"}, "name_en": {"Lightning"}, "sort": {"95"}, "active": {"1"}}, 303, "rename")
			must(t, f.count("SELECT count(*) FROM hazard_categories WHERE code = 'lightning' AND name = '防雷防静电'") == 1, "renamed")
			post("/hazards/settings/categories/lightning/active", url.Values{"active": {"0"}}, 303, "deactivate")
			must(t, f.count("SELECT count(*) FROM hazard_categories WHERE code = 'lightning' AND NOT active AND name = '防雷防静电'") == 1, "deactivated, name kept")
			must(t, audits("hazard.category") == n+3, "three records: %d → %d", n, audits("hazard.category"))
			// A deactivated category is no longer offered when registering.
			r := f.c("qingshan").SendJSON("POST", "/api/v1/hazards", f.general(map[string]any{"category": "lightning"}))
			must(t, r.StatusCode == 400 && errorField(t, r) == "category", "registering in a deactivated category: %d %s", r.StatusCode, r.Body)
			post("/hazards/settings/categories/lightning/active", url.Values{"active": {"1"}}, 303, "activate")
			// Problems stay on the form.
			page := post("/hazards/settings/categories", url.Values{"code": {"Bad Code"}, "name": {"坏代码"}, "active": {"1"}}, 400, "bad code")
			must(t, strings.Contains(page, `id="form-error"`) && strings.Contains(page, `id="add-category" open`) && strings.Contains(page, `value="坏代码"`), "bad code shown on the form")
			page = post("/hazards/settings/categories", url.Values{"code": {"fire2"}, "name": {"消防"}, "active": {"1"}}, 409, "duplicate name")
			must(t, strings.Contains(page, "已存在"), "duplicate name message")
			post("/hazards/settings/categories/nosuch/active", url.Values{"active": {"0"}}, 404, "unknown category")
			must(t, audits("hazard.category") == n+4, "no record for refused changes: %d", audits("hazard.category"))
		})

		t.Run("standards", func(t *testing.T) {
			n, m := audits("hazard.standard_add"), audits("hazard.standard_active")
			post("/hazards/settings/standards", url.Values{"name": {"工贸企业重大事故隐患判定标准"}, "code": {"应急管理部令第10号"}, "version": {"2026"},
				"clause": {"粉尘涉爆第（一）项"}, "text": {"新版条款内容"}, "category": {"dust"}}, 303, "add a clause of a new version")
			var id int64
			if err := f.env.App.DB.QueryRow(t.Context(), "SELECT id FROM hazard_standards WHERE version = '2026' AND clause = '粉尘涉爆第（一）项' AND active AND category = 'dust'").Scan(&id); err != nil {
				t.Fatalf("the new clause: %v", err)
			}
			var old int64
			if err := f.env.App.DB.QueryRow(t.Context(), "SELECT id FROM hazard_standards WHERE version = '2023' AND clause = '粉尘涉爆第（一）项'").Scan(&old); err != nil {
				t.Fatal(err)
			}
			post("/hazards/settings/standards/"+itoa(old)+"/active", url.Values{"active": {"0"}}, 303, "retire the old clause")
			must(t, f.count("SELECT count(*) FROM hazard_standards WHERE id = ? AND NOT active", old) == 1, "retired")
			must(t, audits("hazard.standard_add") == n+1 && audits("hazard.standard_active") == m+1, "audited")
			page := string(admin.Get("/hazards/settings").Body)
			must(t, strings.Contains(page, "2026 版") && strings.Contains(page, `id="std-toggle-`+itoa(old)+`">启用<`), "both versions shown, the old one retired")
			// A retired clause cannot grade a new major hazard.
			r := f.c("qingshan").SendJSON("POST", "/api/v1/hazards", f.major(map[string]any{"standard_id": old}))
			must(t, r.StatusCode == 400 && errorField(t, r) == "standard_id", "a retired clause: %d %s", r.StatusCode, r.Body)
			page = post("/hazards/settings/standards", url.Values{"name": {"x"}, "code": {"x"}, "version": {"1"}, "clause": {"第一条"}}, 400, "no text")
			must(t, strings.Contains(page, `id="add-standard" open`) && strings.Contains(page, `value="第一条"`), "the form kept")
			post("/hazards/settings/standards", url.Values{"name": {"工贸企业重大事故隐患判定标准"}, "code": {"应急管理部令第10号"}, "version": {"2026"},
				"clause": {"粉尘涉爆第（一）项"}, "text": {"重复"}}, 409, "the same clause twice")
			post("/hazards/settings/standards/999999/active", url.Values{"active": {"0"}}, 404, "unknown clause")
		})

		t.Run("settings", func(t *testing.T) {
			n := audits("hazard.settings")
			leader := f.env.UserID("leader")
			page := string(admin.Get("/hazards/settings").Body)
			must(t, strings.Contains(page, `<option value="`+itoa(leader)+`"`), "the leader offered")
			post("/hazards/settings", url.Values{"remind_days": {"5"}, "escalate_days": {"10"}, "leader_user_id": {itoa(leader)}}, 303, "save")
			must(t, f.count("SELECT count(*) FROM hazard_settings WHERE remind_days = 5 AND escalate_days = 10 AND leader_user_id = ?", leader) == 1, "saved")
			must(t, audits("hazard.settings") == n+1, "audited")
			page = post("/hazards/settings", url.Values{"remind_days": {"99"}, "escalate_days": {"10"}}, 400, "too many days")
			must(t, strings.Contains(page, `value="99"`) && strings.Contains(page, "0–60"), "the bad value kept with the message")
			post("/hazards/settings", url.Values{"remind_days": {"x"}, "escalate_days": {"10"}}, 400, "not a number")
			post("/hazards/settings", url.Values{"remind_days": {"3"}, "escalate_days": {"7"}}, 303, "no leader")
			must(t, f.count("SELECT count(*) FROM hazard_settings WHERE leader_user_id IS NULL AND remind_days = 3") == 1, "leader cleared")
			must(t, strings.Contains(string(f.env.SignIn("qiye").Get("/hazards/settings").Body), "3 天"), "read-only view of the settings")
		})

		t.Run("refusals", func(t *testing.T) {
			denied := f.env.AuditCount("hazard.manage", "denied")
			for _, c := range []struct {
				login, path string
				form        url.Values
				status      int
			}{
				{"leader", "/hazards/settings/categories", url.Values{"code": {"x1"}, "name": {"领导类别"}, "active": {"1"}}, 403},
				{"leader", "/hazards/settings/standards/1/active", url.Values{"active": {"0"}}, 403},
				{"leader", "/hazards/settings", url.Values{"remind_days": {"1"}, "escalate_days": {"1"}}, 403},
				{"qingshan", "/hazards/settings/categories", url.Values{"code": {"x2"}, "name": {"镇类别"}, "active": {"1"}}, 404},
				{"qingshan", "/hazards/settings/standards", url.Values{"name": {"x"}, "code": {"x"}, "version": {"1"}, "clause": {"1"}, "text": {"x"}}, 404},
				{"qiye", "/hazards/settings/categories/fire/active", url.Values{"active": {"0"}}, 404},
			} {
				r := f.env.SignIn(c.login).PostForm(c.path, c.form)
				must(t, r.StatusCode == c.status, "%s %s: %d, want %d", c.login, c.path, r.StatusCode, c.status)
			}
			must(t, f.env.AuditCount("hazard.manage", "denied") == denied+6, "refusals recorded: %d → %d", denied, f.env.AuditCount("hazard.manage", "denied"))
			must(t, f.count("SELECT count(*) FROM hazard_categories WHERE code IN ('x1', 'x2')") == 0 && f.count("SELECT count(*) FROM hazard_categories WHERE code = 'fire' AND active") == 1, "nothing changed")
			must(t, f.count("SELECT count(*) FROM hazard_standards WHERE id = 1 AND active") == 1, "clause 1 still active")
		})
	})
}
