package enterprise_test

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/enterprise"
)

func wantPage(t *testing.T, what string, r *apptest.Response, status int, want ...string) string {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %.400s", what, r.StatusCode, status, r.Body)
	}
	b := string(r.Body)
	for _, w := range want {
		if !strings.Contains(b, w) {
			t.Errorf("%s: the page lacks %q", what, w)
		}
	}
	return b
}

func TestPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		yjj, leader, qiye := env.SignIn("yjj"), env.SignIn("leader"), env.SignIn("qiye")
		own := entID(env, qiyeEnt)

		t.Run("list", func(t *testing.T) {
			b := wantPage(t, "list", yjj.Get("/enterprises"), 200, "企业场所", qiyeEnt, "risk-major", "risk-large", "risk-general", "risk-low",
				"/static/enterprise.css", "/api/v1/export/enterprises.xlsx", "/enterprises/import", "/enterprises/new", `href="/enterprises"`)
			if strings.Contains(b, "示范区汇川钢结构有限公司") {
				t.Error("a closed enterprise in the default list")
			}
			wantPage(t, "closed", yjj.Get("/enterprises?status=closed"), 200, "示范区汇川钢结构有限公司")
			b = wantPage(t, "filtered", leader.Get("/enterprises?flag=major_hazard&org_id="+itoa(env.OrgID("SFQ-QS"))), 200, qiyeEnt, "export/enterprises.xlsx?major_hazard=1&amp;org_id=")
			if strings.Contains(b, qiyeNeighbr) || strings.Contains(b, "/enterprises/new") {
				t.Error("the filter or the viewer's buttons are wrong")
			}
			if !regexp.MustCompile(`139\*\*\*\*\d{4}|1[3-9]\d\*\*\*\*\d{4}`).MatchString(b) {
				t.Error("a viewer's list shows no masked phone")
			}
			wantPage(t, "bad filter", leader.Get("/enterprises?sort=worst"), 400)
		})

		t.Run("enterprise page", func(t *testing.T) {
			wantPage(t, "keeper", yjj.Get("/enterprises/"+itoa(own)), 200, qiyeEnt, "较大风险", "重大危险源", "何建军", "/enterprises/"+itoa(own)+"/edit", "新增联络人账号", "qiye", "隐患")
			b := wantPage(t, "contact", qiye.Get("/enterprises/"+itoa(own)), 200, qiyeEnt, "电话已脱敏显示")
			if strings.Contains(b, "/edit") || strings.Contains(b, "新增联络人账号") || strings.Contains(b, `href="/orgs/`) {
				t.Error("the contact sees keeper's controls or org links")
			}
			// The administrator may see the register but no hazards nor
			// inspections: no section renders, and nothing stands in for one.
			b = wantPage(t, "no section", env.SignIn("admin").Get("/enterprises/"+itoa(own)), 200, qiyeEnt, "何建军")
			if strings.Contains(b, `id="hazards"`) || strings.Contains(b, `id="inspections"`) || strings.Contains(b, "将显示在这里") {
				t.Error("the administrator's page shows a section or a placeholder")
			}
			wantPage(t, "contact, another", qiye.Get("/enterprises/"+itoa(entID(env, qiyeNeighbr))), 404)
			wantPage(t, "other township", env.SignIn("qingshan").Get("/enterprises/"+itoa(entID(env, dongcheng))), 404)
		})

		t.Run("sections from other capabilities", func(t *testing.T) {
			enterprise.AddSection(env.App.Web, func(r *http.Request, a *auth.Actor, e *enterprise.Enterprise) (template.HTML, error) {
				if !a.Can(auth.HazardView, e.Path()) {
					return "", nil
				}
				return template.HTML(`<section class="card" id="test-section">` + template.HTMLEscapeString(e.Name) + ` · ` + a.Login + `</section>`), nil
			})
			b := wantPage(t, "with a section", qiye.Get("/enterprises/"+itoa(own)), 200, `id="test-section"`, qiyeEnt+" · qiye")
			if strings.Contains(b, "将显示在这里") {
				t.Error("a placeholder shows beside the sections")
			}
			// The sections stand in the page's order: the hazards (wired by
			// the app) before the one added here.
			if i, j := strings.Index(b, `id="hazards"`), strings.Index(b, `id="test-section"`); i < 0 || j < i {
				t.Errorf("the hazard section at %d, the test section at %d", i, j)
			}
			b = wantPage(t, "auditor", env.SignIn("auditor").Get("/enterprises/"+itoa(own)), 404)
			_ = b
		})

		t.Run("forms", func(t *testing.T) {
			wantPage(t, "new as viewer", leader.Get("/enterprises/new"), 403)
			wantPage(t, "new as auditor", env.SignIn("auditor").Get("/enterprises/new"), 404)
			qs := env.SignIn("qingshan")
			b := wantPage(t, "new", qs.Get("/enterprises/new"), 200, "上坪村", "区住房和城乡建设局", "危险化学品", `name="risk_level" value="major"`)
			if strings.Contains(b, "东门社区") {
				t.Error("the territory list offers another township")
			}
			form := url.Values{"name": {"页面新增企业"}, "kind": {"enterprise"}, "uscc": {code(t, 300)}, "territory_org_id": {itoa(env.OrgID("SFQ-QS-05"))},
				"industry": {"dust"}, "risk_level": {"general"}, "key_enterprise": {"on"}, "regulator_org_id": {itoa(env.OrgID("SFQ-YJJ"))}}
			r := qs.PostForm("/enterprises", form)
			wantPage(t, "create", r, 303)
			id := entID(env, "页面新增企业")
			if r.Header.Get("Location") != "/enterprises/"+itoa(id) {
				t.Errorf("Location %q", r.Header.Get("Location"))
			}
			form.Set("name", "页面坏代码企业")
			form.Set("uscc", code(t, 301)[:17]+nextChar(code(t, 301)[17]))
			wantPage(t, "bad code", qs.PostForm("/enterprises", form), 400, "校验位错误", "页面坏代码企业")
			wantPage(t, "edit", qs.Get("/enterprises/"+itoa(id)+"/edit"), 200, "页面新增企业", `name="closed"`)
			wantPage(t, "edit as viewer", leader.Get("/enterprises/"+itoa(id)+"/edit"), 403)
			form.Set("name", "页面改名企业")
			form.Set("uscc", code(t, 300))
			form.Set("closed", "on")
			wantPage(t, "update", qs.PostForm("/enterprises/"+itoa(id), form), 303)
			var closed bool
			env.App.DB.QueryRow(context.Background(), "SELECT closed FROM enterprises WHERE id = ?", id).Scan(&closed)
			if !closed || count(env, "SELECT count(*) FROM enterprises WHERE name = ?", "页面改名企业") != 1 {
				t.Error("the form did not update and close")
			}
			wantPage(t, "update elsewhere", qs.PostForm("/enterprises/"+itoa(entID(env, dongcheng)), form), 404)
			// A contact account from the page: the password shows once.
			b = wantPage(t, "contact", yjj.PostForm("/enterprises/"+itoa(entID(env, qiyeNeighbr))+"/contacts", url.Values{"login": {"yemian.lianluo"}, "name": {"页面联络人"}}),
				200, "已创建联络人账号 yemian.lianluo", "页面联络人")
			if !regexp.MustCompile(`class="mono ent-password">[^<]{14,}<`).MatchString(b) {
				t.Error("no password on the answer")
			}
			wantPage(t, "contact, taken", yjj.PostForm("/enterprises/"+itoa(entID(env, qiyeNeighbr))+"/contacts", url.Values{"login": {"yemian.lianluo"}, "name": {"再来"}}),
				409, "已存在")
			wantPage(t, "contact as viewer", leader.PostForm("/enterprises/"+itoa(own)+"/contacts", url.Values{"login": {"yemian.b"}, "name": {"x"}}), 403)
		})

		t.Run("import page", func(t *testing.T) {
			wantPage(t, "keeper", yjj.Get("/enterprises/import"), 200, "下载导入模板", "先检查，不导入")
			wantPage(t, "viewer", leader.Get("/enterprises/import"), 403)
			wantPage(t, "contact", qiye.Get("/enterprises/import"), 403)
		})

		t.Run("menu", func(t *testing.T) {
			wantPage(t, "home", leader.Get("/"), 200, `href="/enterprises"`)
			b := wantPage(t, "auditor home", env.SignIn("auditor").Get("/"), 200)
			if strings.Contains(b, `href="/enterprises"`) {
				t.Error("the auditor has the menu entry")
			}
		})

		t.Run("english", func(t *testing.T) {
			c := env.SignIn("yjj")
			c.Get("/lang?to=en&back=/")
			wantPage(t, "list", c.Get("/enterprises"), 200, "Enterprises and places", "Risk level", "Hazardous chemicals")
		})
	})
}

// Every register route is in the OpenAPI document, and the answers of the
// register's API match it.
func TestOpenAPIResponses(t *testing.T) {
	env := apptest.Start(t, dbtest.SQLite(t))
	doc := env.OpenAPI(t)
	doc.CheckRoutes(t, "/api/v1/enterprises")
	yjj := env.TokenClient("yjj")
	own := itoa(entID(env, qiyeEnt))
	doc.Check(t,
		yjj.Call("GET", "/api/v1/enterprises?risk_level=large&limit=5"),
		yjj.Call("GET", "/api/v1/enterprises/"+own),
		yjj.Call("POST", "/api/v1/enterprises", `{"name":"文档企业","uscc":"`+code(t, 500)+`","territory_org_id":`+itoa(env.OrgID("SFQ-QS"))+`,"industry":"other"}`),
		yjj.Call("PATCH", "/api/v1/enterprises/"+own, `{"address":"青山镇上坪村工业路 9 号"}`),
		yjj.Call("GET", "/api/v1/enterprises/"+own+"/contacts"),
		yjj.Call("POST", "/api/v1/enterprises/"+own+"/contacts", `{"login":"wendang.qy","name":"文档联络人"}`),
		yjj.Call("POST", "/api/v1/enterprises", `{"name":"文档企业","uscc":"123","territory_org_id":1,"industry":"other"}`),
		yjj.Call("GET", "/api/v1/enterprises/999999"),
	)
}
