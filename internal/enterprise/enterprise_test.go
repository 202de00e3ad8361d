package enterprise_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/enterprise"
	"github.com/anwen-gov/anwen/internal/enterprise/uscc"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// code makes a valid credit code numbered n (fictional division 990199).
func code(t testing.TB, n int) string {
	c, err := uscc.Complete(fmt.Sprintf("91990199MA%07d", n))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// entID returns the id of the demo entry named name.
func entID(e *apptest.Env, name string) int64 {
	e.T.Helper()
	var id int64
	if err := e.App.DB.QueryRow(context.Background(), "SELECT id FROM enterprises WHERE name = ?", name).Scan(&id); err != nil {
		e.T.Fatalf("enterprise %s: %v", name, err)
	}
	return id
}

func count(e *apptest.Env, q string, args ...any) int {
	e.T.Helper()
	var n int
	if err := e.App.DB.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.T.Fatal(err)
	}
	return n
}

type apiError struct {
	Error struct{ Code, Message, Field string } `json:"error"`
}

func wantStatus(t *testing.T, what string, r *apptest.Response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %.500s", what, r.StatusCode, status, r.Body)
	}
}

// Demo names used below.
const (
	qiyeEnt     = "示范区青山瑞丰化工仓储有限公司" // qiye's enterprise, 上坪村
	qiyeNeighbr = "示范区青山燃气供应站"      // another one in 上坪村
	dongcheng   = "示范区东城国贸购物广场有限公司" // 东城街道
)

func TestCreateGetListUpdate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		yjj, leader := env.TokenClient("yjj"), env.TokenClient("leader")
		in := map[string]any{"name": "测试危化品仓库有限公司", "uscc": " " + strings.ToLower(code(t, 1)) + " ", "address": "青山镇竹园村 1 号",
			"territory_org_id": env.OrgID("SFQ-QS-02"), "regulator_org_id": env.OrgID("SFQ-YJJ"), "industry": "hazchem", "risk_level": "large",
			"key_enterprise": true, "major_hazard_source": true, "principal_name": "测试甲", "principal_phone": "13900001111",
			"safety_officer_name": "测试乙", "safety_officer_phone": "0731-12345678", "founded_on": "2015-06-01"}
		before := env.AuditCount("enterprise.create", "ok")
		r := yjj.SendJSON("POST", "/api/v1/enterprises", in)
		wantStatus(t, "create", r, 201)
		var e enterprise.Enterprise
		r.JSON(t, &e)
		if e.ID == 0 || e.USCC != code(t, 1) || e.TerritoryName != "竹园村" || e.RegulatorName != "区应急管理局" || e.RiskLevel != "large" ||
			!e.KeyEnterprise || !e.MajorHazardSource || e.CrowdedPlace || e.Kind != "enterprise" || e.FoundedOn != "2015-06-01" {
			t.Errorf("created %+v", e)
		}
		if e.PrincipalPhone != "13900001111" || e.PhonesMasked {
			t.Errorf("the keeper of the register sees masked phones: %+v", e)
		}
		if got := env.AuditCount("enterprise.create", "ok"); got != before+1 {
			t.Errorf("enterprise.create records %d → %d", before, got)
		}
		path := "/api/v1/enterprises/" + itoa(e.ID)

		t.Run("a viewer sees masked phones", func(t *testing.T) {
			r := leader.Get(path)
			wantStatus(t, "get", r, 200)
			var got enterprise.Enterprise
			r.JSON(t, &got)
			if got.PrincipalPhone != "139****1111" || got.SafetyOfficerPhone != "073******5678" || !got.PhonesMasked {
				t.Errorf("phones %q %q masked=%v", got.PrincipalPhone, got.SafetyOfficerPhone, got.PhonesMasked)
			}
		})

		t.Run("list filters", func(t *testing.T) {
			qs, dc := itoa(env.OrgID("SFQ-QS")), itoa(env.OrgID("SFQ-DC"))
			tests := []struct {
				query string
				want  bool
			}{
				{"q=危化品仓库", true},
				{"q=" + url.QueryEscape(strings.ToLower(code(t, 1)[:10])), true},
				{"q=竹园村+1", true},
				{"q=测试甲", true},
				{"org_id=" + qs + "&q=测试", true},
				{"org_id=" + dc + "&q=测试", false},
				{"risk_level=large&q=测试", true},
				{"risk_level=major&q=测试", false},
				{"industry=hazchem&q=测试", true},
				{"industry=gas&q=测试", false},
				{"key=1&major_hazard=true&q=测试", true},
				{"crowded=1&q=测试", false},
				{"kind=place&q=测试", false},
				{"status=closed&q=测试", false},
				{"status=all&q=测试", true},
			}
			for _, tc := range tests {
				t.Run(tc.query, func(t *testing.T) {
					r := leader.Get("/api/v1/enterprises?" + tc.query)
					wantStatus(t, "list", r, 200)
					var p enterprise.Page
					r.JSON(t, &p)
					found := false
					for _, x := range p.Items {
						found = found || x.ID == e.ID
					}
					if found != tc.want || (tc.want && p.Total != len(p.Items)) {
						t.Errorf("found %v, want %v (total %d, %d items)", found, tc.want, p.Total, len(p.Items))
					}
					if r.Header.Get("X-Total-Count") != strconv.Itoa(p.Total) {
						t.Errorf("X-Total-Count %q, total %d", r.Header.Get("X-Total-Count"), p.Total)
					}
				})
			}
		})

		t.Run("pages and sorts", func(t *testing.T) {
			var all enterprise.Page
			r := leader.Get("/api/v1/enterprises?status=all&limit=500")
			wantStatus(t, "all", r, 200)
			r.JSON(t, &all)
			if all.Total != len(all.Items) || all.Total < 40 {
				t.Fatalf("total %d, %d items", all.Total, len(all.Items))
			}
			// Risk order: major first, low last.
			rank := map[string]int{"major": 0, "large": 1, "general": 2, "low": 3}
			for i := 1; i < len(all.Items); i++ {
				if rank[all.Items[i-1].RiskLevel] > rank[all.Items[i].RiskLevel] {
					t.Fatalf("risk order broken at %d: %s before %s", i, all.Items[i-1].RiskLevel, all.Items[i].RiskLevel)
				}
			}
			seen := map[int64]bool{}
			for off := 0; off < all.Total; off += 7 {
				var p enterprise.Page
				leader.Get("/api/v1/enterprises?status=all&sort=name&limit=7&offset="+strconv.Itoa(off)).JSON(t, &p)
				if p.Total != all.Total || p.Limit != 7 || p.Offset != off {
					t.Fatalf("page at %d: total %d limit %d offset %d", off, p.Total, p.Limit, p.Offset)
				}
				for _, x := range p.Items {
					if seen[x.ID] {
						t.Fatalf("entry %d on two pages", x.ID)
					}
					seen[x.ID] = true
				}
			}
			if len(seen) != all.Total {
				t.Errorf("paging saw %d of %d", len(seen), all.Total)
			}
			for _, q := range []string{"sort=worst", "risk_level=red", "key=maybe", "limit=-1", "status=gone", "industry=x"} {
				r := leader.Get("/api/v1/enterprises?" + q)
				if r.StatusCode != 400 {
					t.Errorf("%s: %d, want 400", q, r.StatusCode)
				}
			}
		})

		t.Run("update and close", func(t *testing.T) {
			before := env.AuditCount("enterprise.update", "ok")
			r := yjj.SendJSON("PATCH", path, `{"risk_level":"major","closed":true,"regulator_org_id":0}`)
			wantStatus(t, "patch", r, 200)
			var got enterprise.Enterprise
			r.JSON(t, &got)
			if got.RiskLevel != "major" || !got.Closed || got.RegulatorOrgID != nil || got.Name != e.Name || got.PrincipalPhone != "13900001111" {
				t.Errorf("patched %+v", got)
			}
			if env.AuditCount("enterprise.update", "ok") != before+1 {
				t.Error("no enterprise.update record")
			}
			if n := count(env, "SELECT count(*) FROM enterprises WHERE id = ? AND closed = ?", e.ID, true); n != 1 {
				t.Error("the enterprise is not closed in the database (or is gone)")
			}
			var p enterprise.Page
			leader.Get("/api/v1/enterprises?q=测试").JSON(t, &p)
			if p.Total != 0 {
				t.Errorf("a closed enterprise in the default list: %+v", p.Items)
			}
			leader.Get("/api/v1/enterprises?status=closed&q=测试").JSON(t, &p)
			if p.Total != 1 {
				t.Errorf("closed list: %d", p.Total)
			}
		})

		t.Run("refusals", func(t *testing.T) {
			dcID := entID(env, dongcheng)
			tests := []struct {
				name   string
				client *apptest.Client
				method string
				path   string
				body   string
				status int
			}{
				{"viewer may not change", leader, "PATCH", path, `{"name":"x"}`, 403},
				{"viewer may not create", leader, "POST", "/api/v1/enterprises", fmt.Sprintf(`{"name":"x","uscc":%q,"territory_org_id":%d,"industry":"other"}`, code(t, 2), env.OrgID("SFQ-QS")), 403},
				{"other township reads", env.TokenClient("qingshan"), "GET", "/api/v1/enterprises/" + itoa(dcID), "", 404},
				{"other township changes", env.TokenClient("qingshan"), "PATCH", "/api/v1/enterprises/" + itoa(dcID), `{"name":"x"}`, 404},
				{"other township creates", env.TokenClient("qingshan"), "POST", "/api/v1/enterprises", fmt.Sprintf(`{"name":"x","uscc":%q,"territory_org_id":%d,"industry":"other"}`, code(t, 3), env.OrgID("SFQ-DC-01")), 404},
				{"other township's filter", env.TokenClient("qingshan"), "GET", "/api/v1/enterprises?org_id=" + itoa(env.OrgID("SFQ-DC")), "", 404},
				{"moving out of one's scope", env.TokenClient("qingshan"), "PATCH", "/api/v1/enterprises/" + itoa(entID(env, qiyeNeighbr)), fmt.Sprintf(`{"territory_org_id":%d}`, env.OrgID("SFQ-DC")), 404},
				{"no register at all", env.TokenClient("auditor"), "GET", "/api/v1/enterprises", "", 404},
				{"contact may not change", env.TokenClient("qiye"), "PATCH", "/api/v1/enterprises/" + itoa(entID(env, qiyeEnt)), `{"name":"x"}`, 403},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					denied := env.AuditCount("", "denied")
					var r *apptest.Response
					if tc.body != "" {
						r = tc.client.SendJSON(tc.method, tc.path, tc.body)
					} else {
						r = tc.client.Do(tc.method, tc.path, nil, "")
					}
					wantStatus(t, tc.name, r, tc.status)
					if env.AuditCount("", "denied") != denied+1 {
						t.Errorf("refused without a denied record")
					}
				})
			}
			if n := count(env, "SELECT count(*) FROM enterprises WHERE name = ?", "x"); n != 0 {
				t.Errorf("a refused write happened")
			}
		})
	})
}

func TestBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		yjj := env.TokenClient("yjj")
		valid := code(t, 10)
		body := func(field string, v any) map[string]any {
			m := map[string]any{"name": "坏输入测试企业", "uscc": valid, "territory_org_id": env.OrgID("SFQ-QS"), "industry": "gas"}
			m[field] = v
			return m
		}
		wrongCheck := valid[:17] + string(uscc.Alphabet[(strings.IndexByte(uscc.Alphabet, valid[17])+1)%31])
		tests := []struct {
			name    string
			body    map[string]any
			status  int
			field   string
			message string
		}{
			{"short credit code", body("uscc", valid[:17]), 400, "uscc", "应为 18 位，现为 17 位"},
			{"long credit code", body("uscc", valid+"1"), 400, "uscc", "18 characters, not 19"},
			{"letter O in the code", body("uscc", "O"+valid[1:]), 400, "uscc", "第 1 位“O”"},
			{"letter I in the code", body("uscc", valid[:9]+"I"+valid[10:]), 400, "uscc", "第 10 位“I”"},
			{"wrong check character", body("uscc", wrongCheck), 400, "uscc", "第 18 位应为“" + valid[17:] + "”"},
			{"an enterprise needs a code", body("uscc", ""), 400, "uscc", "统一社会信用代码"},
			{"unknown industry", body("industry", "steel"), 400, "industry", "steel"},
			{"unknown risk level", body("risk_level", "red"), 400, "risk_level", "major"},
			{"bad phone", body("principal_phone", "138****0000"), 400, "principal_phone", "电话"},
			{"territory is a department", body("territory_org_id", env.OrgID("SFQ-YJJ")), 400, "territory_org_id", "属地"},
			{"regulator is a township", body("regulator_org_id", env.OrgID("SFQ-QS")), 400, "regulator_org_id", "部门"},
			{"founded in the future", body("founded_on", "2030-01-01"), 400, "founded_on", "成立日期"},
			{"founded, not a date", body("founded_on", "2019年3月1日"), 400, "founded_on", "YYYY-MM-DD"},
			{"kind", body("kind", "shop"), 400, "kind", "enterprise"},
			{"empty name", body("name", " "), 400, "name", "名称"},
			{"unknown field", body("colour", "red"), 400, "colour", "未知字段"},
		}
		n := count(env, "SELECT count(*) FROM enterprises")
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := yjj.SendJSON("POST", "/api/v1/enterprises", tc.body)
				wantStatus(t, tc.name, r, tc.status)
				var e apiError
				r.JSON(t, &e)
				if e.Error.Field != tc.field || !strings.Contains(e.Error.Message, tc.message) {
					t.Errorf("field %q message %q; want field %q with %q", e.Error.Field, e.Error.Message, tc.field, tc.message)
				}
			})
		}
		if got := count(env, "SELECT count(*) FROM enterprises"); got != n {
			t.Errorf("bad input wrote %d rows", got-n)
		}

		t.Run("duplicate credit code", func(t *testing.T) {
			var existing string
			env.App.DB.QueryRow(context.Background(), "SELECT uscc FROM enterprises WHERE name = ?", qiyeEnt).Scan(&existing)
			r := yjj.SendJSON("POST", "/api/v1/enterprises", body("uscc", strings.ToLower(existing)))
			wantStatus(t, "duplicate", r, 409)
			var e apiError
			r.JSON(t, &e)
			if e.Error.Field != "uscc" || !strings.Contains(e.Error.Message, existing) {
				t.Errorf("%+v", e)
			}
			// And by update.
			r = yjj.SendJSON("PATCH", "/api/v1/enterprises/"+itoa(entID(env, qiyeNeighbr)), map[string]string{"uscc": existing})
			wantStatus(t, "duplicate by update", r, 409)
		})
	})
}

func TestEnterpriseContact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		own, neighbour := entID(env, qiyeEnt), entID(env, qiyeNeighbr)
		qiye := env.TokenClient("qiye")

		t.Run("sees only their own enterprise", func(t *testing.T) {
			var p enterprise.Page
			r := qiye.Get("/api/v1/enterprises?status=all")
			wantStatus(t, "list", r, 200)
			r.JSON(t, &p)
			if p.Total != 1 || len(p.Items) != 1 || p.Items[0].ID != own {
				t.Fatalf("qiye's list: total %d %+v", p.Total, p.Items)
			}
			if !p.Items[0].PhonesMasked {
				t.Error("a contact sees unmasked phones")
			}
			wantStatus(t, "own", qiye.Get("/api/v1/enterprises/"+itoa(own)), 200)
			denied := env.AuditCount("", "denied")
			wantStatus(t, "neighbour", qiye.Get("/api/v1/enterprises/"+itoa(neighbour)), 404)
			if env.AuditCount("", "denied") != denied+1 {
				t.Error("no denied record")
			}
		})

		t.Run("the list page goes straight to the enterprise", func(t *testing.T) {
			r := env.SignIn("qiye").Get("/enterprises")
			wantStatus(t, "list page", r, 303)
			if loc := r.Header.Get("Location"); loc != "/enterprises/"+itoa(own) {
				t.Errorf("Location %q", loc)
			}
		})

		t.Run("a keeper creates a contact account", func(t *testing.T) {
			yjj := env.TokenClient("yjj")
			before := env.AuditCount("enterprise.contact_create", "ok")
			r := yjj.SendJSON("POST", "/api/v1/enterprises/"+itoa(neighbour)+"/contacts", `{"login":"ranqi.lianluo","name":"燃气联络人","phone":"13700001234"}`)
			wantStatus(t, "create contact", r, 201)
			var c enterprise.NewContact
			r.JSON(t, &c)
			if c.ID == 0 || c.Login != "ranqi.lianluo" || !c.MustChange || len(c.Password) < 12 {
				t.Fatalf("contact %+v", c)
			}
			if env.AuditCount("enterprise.contact_create", "ok") != before+1 {
				t.Error("no audit record")
			}
			var eid, orgID int64
			var must bool
			env.App.DB.QueryRow(context.Background(), "SELECT enterprise_id, org_id, must_change_password FROM users WHERE login = ?", "ranqi.lianluo").Scan(&eid, &orgID, &must)
			if eid != neighbour || orgID != env.OrgID("SFQ-QS-01") || !must {
				t.Errorf("user row: enterprise %d org %d must change %v", eid, orgID, must)
			}
			if n := count(env, "SELECT count(*) FROM user_roles WHERE user_id = ? AND role = ? AND scope_org_id = ?", c.ID, auth.RoleEnterprise, env.OrgID("SFQ-QS-01")); n != 1 {
				t.Error("no enterprise role at the territory")
			}
			// The account sees that enterprise alone.
			a, err := env.App.Auth.LoadActor(context.Background(), c.ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			if got := enterprise.OwnEnterprise(a, auth.EnterpriseView); got != neighbour {
				t.Errorf("the new contact's own enterprise is %d, want %d", got, neighbour)
			}
			// The initial password signs in and must be changed.
			resp := env.Anonymous().PostForm("/signin", url.Values{"login": {"ranqi.lianluo"}, "password": {c.Password}})
			if resp.StatusCode != 303 || resp.Header.Get("Location") != "/account/password" {
				t.Errorf("sign-in: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			var list []enterprise.Contact
			r = env.TokenClient("leader").Get("/api/v1/enterprises/" + itoa(neighbour) + "/contacts")
			wantStatus(t, "contacts", r, 200)
			r.JSON(t, &list)
			if len(list) != 1 || list[0].Phone != "137****1234" {
				t.Errorf("contacts as the leader sees them: %+v", list)
			}
			// Refusals.
			wantStatus(t, "taken login", yjj.SendJSON("POST", "/api/v1/enterprises/"+itoa(neighbour)+"/contacts", `{"login":"ranqi.lianluo","name":"再来"}`), 409)
			wantStatus(t, "bad login", yjj.SendJSON("POST", "/api/v1/enterprises/"+itoa(neighbour)+"/contacts", `{"login":"X","name":"再来"}`), 400)
			wantStatus(t, "leader", env.TokenClient("leader").SendJSON("POST", "/api/v1/enterprises/"+itoa(neighbour)+"/contacts", `{"login":"ranqi.b","name":"再来"}`), 403)
			wantStatus(t, "contact", qiye.SendJSON("POST", "/api/v1/enterprises/"+itoa(own)+"/contacts", `{"login":"ranqi.c","name":"再来"}`), 403)
			wantStatus(t, "other township", env.TokenClient("qingshan").SendJSON("POST", "/api/v1/enterprises/"+itoa(entID(env, dongcheng))+"/contacts", `{"login":"ranqi.d","name":"再来"}`), 404)
		})
	})
}

func TestScopeSQL(t *testing.T) {
	tests := []struct {
		name   string
		scopes []string
		cond   string
		args   int
	}{
		{"none", nil, "1 = 0", 0},
		{"an org", []string{"/1/2/"}, "((o.path >= ? AND o.path < ?))", 2},
		{"an enterprise", []string{"/1/2/5/e12/"}, "(h.enterprise_id IN (?))", 1},
		{"both", []string{"/1/3/", "/1/2/e7/", "/1/2/e9/"}, "((o.path >= ? AND o.path < ?) OR h.enterprise_id IN (?, ?))", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cond, args := enterprise.ScopesSQL(tc.scopes, "o.path", "h.enterprise_id")
			if cond != tc.cond || len(args) != tc.args {
				t.Errorf("%q %v", cond, args)
			}
		})
	}
	if id, ok := enterprise.ScopeEnterprise("/1/2/e12/"); !ok || id != 12 {
		t.Error("ScopeEnterprise of an enterprise path")
	}
	for _, p := range []string{"/1/2/", "/1/e/", "/1/ex/", "/"} {
		if _, ok := enterprise.ScopeEnterprise(p); ok {
			t.Errorf("ScopeEnterprise(%q) is an enterprise", p)
		}
	}
	if got := enterprise.OwnEnterprise(&auth.Actor{Grants: []auth.Grant{{Role: auth.RoleEnterprise, ScopePath: "/1/2/e5/"}}}, auth.EnterpriseView); got != 5 {
		t.Errorf("own %d", got)
	}
	if got := enterprise.OwnEnterprise(&auth.Actor{Grants: []auth.Grant{{Role: auth.RoleStaff, ScopePath: "/1/2/"}}}, auth.EnterpriseView); got != 0 {
		t.Errorf("staff own %d", got)
	}
}

// Scope filters read enterprises.territory_path, which triggers keep: when a
// village moves to another township, its enterprises move with it.
func TestOrgMoveCarriesEnterprises(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		id := entID(env, qiyeEnt)
		qingshan := env.TokenClient("qingshan")
		wantStatus(t, "before", qingshan.Get("/api/v1/enterprises/"+itoa(id)), 200)
		r := env.TokenClient("admin").SendJSON("PATCH", "/api/v1/orgs/"+itoa(env.OrgID("SFQ-QS-01")), fmt.Sprintf(`{"parent_id":%d}`, env.OrgID("SFQ-LH")))
		wantStatus(t, "move the village", r, 200)
		var path, orgPath string
		env.App.DB.QueryRow(context.Background(), "SELECT e.territory_path, o.path FROM enterprises e JOIN orgs o ON o.id = e.territory_org_id WHERE e.id = ?", id).Scan(&path, &orgPath)
		if path != orgPath || path == "" {
			t.Fatalf("territory_path %q, org path %q", path, orgPath)
		}
		wantStatus(t, "after, old township", qingshan.Get("/api/v1/enterprises/"+itoa(id)), 404)
		var p enterprise.Page
		env.TokenClient("yjj").Get("/api/v1/enterprises?org_id="+itoa(env.OrgID("SFQ-LH"))+"&q="+url.QueryEscape(qiyeEnt)).JSON(t, &p)
		if p.Total != 1 {
			t.Errorf("the new township lists %d", p.Total)
		}
		// qiye's grant follows too: still their own enterprise, and only it.
		env.TokenClient("qiye").Get("/api/v1/enterprises").JSON(t, &p)
		if p.Total != 1 || p.Items[0].ID != id {
			t.Errorf("qiye after the move: %+v", p)
		}
		// A territory change by update sets the path as well.
		wantStatus(t, "re-home", env.TokenClient("yjj").SendJSON("PATCH", "/api/v1/enterprises/"+itoa(id), fmt.Sprintf(`{"territory_org_id":%d}`, env.OrgID("SFQ-QS-02"))), 200)
		env.App.DB.QueryRow(context.Background(), "SELECT e.territory_path, o.path FROM enterprises e JOIN orgs o ON o.id = e.territory_org_id WHERE e.id = ?", id).Scan(&path, &orgPath)
		if path != orgPath {
			t.Errorf("after update: territory_path %q, org path %q", path, orgPath)
		}
		wantStatus(t, "back in 青山镇", qingshan.Get("/api/v1/enterprises/"+itoa(id)), 200)
	})
}
