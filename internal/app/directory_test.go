package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func count(t *testing.T, env *apptest.Env, table string) int {
	t.Helper()
	var n int
	if err := env.App.DB.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// snapshot counts what a refused write must leave unchanged.
func snapshot(t *testing.T, env *apptest.Env) string {
	return fmt.Sprint(count(t, env, "orgs"), count(t, env, "users"), count(t, env, "user_roles"), count(t, env, "audit_log WHERE result = 'ok'"))
}

func TestOrgWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.TokenClient("admin")
		qs := env.OrgID("SFQ-QS")
		dc := env.OrgID("SFQ-DC")

		var created orgJSON
		before := env.AuditCount("org.create", "ok")
		r := admin.SendJSON("POST", "/api/v1/orgs", map[string]any{"parent_id": qs, "name": "新建村", "kind": "village", "code": "SFQ-QS-99"})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		r.JSON(t, &created)
		if created.ParentID == nil || *created.ParentID != qs || env.AuditCount("org.create", "ok") != before+1 {
			t.Fatalf("created %+v; audit %d→%d", created, before, env.AuditCount("org.create", "ok"))
		}

		// Move the village to another street, then move 青山镇 under its own village.
		r = admin.SendJSON("PATCH", "/api/v1/orgs/"+itoa(created.ID), map[string]any{"parent_id": dc})
		if r.StatusCode != http.StatusOK {
			t.Fatalf("move: %d %s", r.StatusCode, r.Body)
		}
		var path string
		env.App.DB.QueryRow(context.Background(), "SELECT path FROM orgs WHERE id = ?", created.ID).Scan(&path)
		if !strings.HasSuffix(path, "/"+itoa(dc)+"/"+itoa(created.ID)+"/") {
			t.Fatalf("path after move: %s", path)
		}
		village := env.OrgID("SFQ-QS-01")

		tests := []struct {
			name   string
			client *apptest.Client
			method string
			path   string
			body   any
			status int
			code   string
			field  string
		}{
			{"move under own descendant", admin, "PATCH", "/api/v1/orgs/" + itoa(qs), map[string]any{"parent_id": village}, 422, "rule_violated", "parent_id"},
			{"move under itself", admin, "PATCH", "/api/v1/orgs/" + itoa(qs), map[string]any{"parent_id": qs}, 422, "rule_violated", "parent_id"},
			{"village under district", admin, "POST", "/api/v1/orgs", map[string]any{"parent_id": env.OrgID("SFQ"), "name": "x", "kind": "village"}, 422, "rule_violated", "parent_id"},
			{"unknown kind", admin, "POST", "/api/v1/orgs", map[string]any{"parent_id": qs, "name": "x", "kind": "castle"}, 400, "invalid", "kind"},
			{"empty name", admin, "POST", "/api/v1/orgs", map[string]any{"parent_id": qs, "name": " ", "kind": "village"}, 400, "invalid", "name"},
			{"duplicate code", admin, "POST", "/api/v1/orgs", map[string]any{"parent_id": qs, "name": "x", "kind": "village", "code": "SFQ-QS-01"}, 409, "conflict", "code"},
			{"unknown field", admin, "POST", "/api/v1/orgs", `{"parent_id":1,"name":"x","kind":"village","colour":"red"}`, 400, "invalid", "colour"},
			{"wrong type", admin, "POST", "/api/v1/orgs", `{"parent_id":"one","name":"x","kind":"village"}`, 400, "invalid", "parent_id"},
			{"truncated", admin, "POST", "/api/v1/orgs", `{"parent_id":1,"name":"x`, 400, "invalid", ""},
			{"two values", admin, "POST", "/api/v1/orgs", `{"name":"x"}{"name":"y"}`, 400, "invalid", ""},
			{"too large", admin, "POST", "/api/v1/orgs", `{"name":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "too_large", ""},
			{"no permission in scope", env.TokenClient("qingshan"), "POST", "/api/v1/orgs", map[string]any{"parent_id": qs, "name": "x", "kind": "village"}, 403, "forbidden", ""},
			{"out of scope", env.TokenClient("qingshan"), "PATCH", "/api/v1/orgs/" + itoa(dc), map[string]any{"name": "改名"}, 404, "not_found", ""},
			{"junk id", admin, "PATCH", "/api/v1/orgs/abc", map[string]any{"name": "x"}, 404, "not_found", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				snap := snapshot(t, env)
				r := tt.client.SendJSON(tt.method, tt.path, tt.body)
				if r.StatusCode != tt.status || r.ErrorCode() != tt.code {
					t.Fatalf("%d %s, want %d %s", r.StatusCode, r.Body, tt.status, tt.code)
				}
				var e struct {
					Error struct{ Field string } `json:"error"`
				}
				r.JSON(t, &e)
				if e.Error.Field != tt.field {
					t.Errorf("field %q, want %q", e.Error.Field, tt.field)
				}
				if got := snapshot(t, env); got != snap {
					t.Errorf("refused write changed something: %s → %s", snap, got)
				}
			})
		}
		t.Run("wrong content type", func(t *testing.T) {
			r := admin.Do("POST", "/api/v1/orgs", strings.NewReader(`{}`), "text/plain")
			if r.StatusCode != http.StatusUnsupportedMediaType {
				t.Fatalf("%d, want 415", r.StatusCode)
			}
		})
		t.Run("refusal audited", func(t *testing.T) {
			if env.AuditCount("org.manage", "denied") == 0 {
				t.Fatal("the refused org writes left no denied audit record")
			}
		})
	})
}

type userJSON struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
	Phone string `json:"phone"`
	Roles []struct {
		Role       string `json:"role"`
		ScopeOrgID int64  `json:"scope_org_id"`
	} `json:"roles"`
	MustChange bool `json:"must_change_password"`
}

func TestUserWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.TokenClient("admin")
		sec := env.TokenClient("secadmin")
		qs, district := env.OrgID("SFQ-QS"), env.OrgID("SFQ")
		user := func(login string, roles ...map[string]any) map[string]any {
			return map[string]any{"login": login, "name": "测试人员", "org_id": qs, "post": "科员", "phone": "13800001111", "password": "Strong-pass-1", "roles": roles}
		}
		role := func(r string, scope int64) map[string]any { return map[string]any{"role": r, "scope_org_id": scope} }

		r := admin.SendJSON("POST", "/api/v1/users", user("ceshi.a", role("staff", qs)))
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		var u userJSON
		r.JSON(t, &u)
		if !u.MustChange || u.Phone != "138****1111" || len(u.Roles) != 1 {
			t.Fatalf("created user: %+v", u)
		}
		// The list answers the documented shape.
		var list []map[string]any
		admin.Get("/api/v1/users?org_id="+itoa(qs)).JSON(t, &list)
		for _, k := range []string{"id", "login", "name", "org_id", "post", "roles"} {
			if _, ok := list[0][k]; !ok {
				t.Errorf("GET /api/v1/users item lacks %q", k)
			}
		}
		// Unmasking a phone is audited.
		before := env.AuditCount("user.view_phone", "ok")
		var ph map[string]string
		env.TokenClient("leader").Get("/api/v1/users/"+itoa(u.ID)+"/phone").JSON(t, &ph)
		if ph["phone"] != "13800001111" || env.AuditCount("user.view_phone", "ok") != before+1 {
			t.Fatalf("phone %v, audit %d→%d", ph, before, env.AuditCount("user.view_phone", "ok"))
		}

		tests := []struct {
			name   string
			client *apptest.Client
			body   any
			status int
			field  string
		}{
			{"two admin roles", sec, user("ceshi.b", role("sysadmin", district), role("auditor", district)), 422, "roles"},
			{"sysadmin cannot grant admin roles", admin, user("ceshi.c", role("secadmin", district)), 403, "roles"},
			{"duplicate login", admin, user("ceshi.a"), 409, "login"},
			{"weak password", admin, map[string]any{"login": "ceshi.d", "name": "x", "org_id": qs, "password": "password"}, 422, "password"},
			{"bad login", admin, user("Bad Login!"), 400, "login"},
			{"bad phone", admin, map[string]any{"login": "ceshi.e", "name": "x", "org_id": qs, "phone": "12345", "password": "Strong-pass-1"}, 400, "phone"},
			{"unknown role", admin, user("ceshi.f", role("king", qs)), 400, "roles"},
			{"scope out of reach", env.TokenClient("qingshan"), user("ceshi.g", role("staff", district)), 403, ""},
			{"unknown org", admin, map[string]any{"login": "ceshi.h", "name": "x", "org_id": 999999, "password": "Strong-pass-1"}, 422, "org_id"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				snap := snapshot(t, env)
				r := tt.client.SendJSON("POST", "/api/v1/users", tt.body)
				if r.StatusCode != tt.status {
					t.Fatalf("%d %s, want %d", r.StatusCode, r.Body, tt.status)
				}
				var e struct {
					Error struct{ Field string } `json:"error"`
				}
				r.JSON(t, &e)
				if tt.field != "" && e.Error.Field != tt.field {
					t.Errorf("field %q, want %q", e.Error.Field, tt.field)
				}
				if got := snapshot(t, env); got != snap {
					t.Errorf("refused write changed something: %s → %s", snap, got)
				}
			})
		}
		t.Run("secadmin grants one admin role", func(t *testing.T) {
			r := sec.SendJSON("POST", "/api/v1/users", user("ceshi.i", role("auditor", district)))
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("%d %s", r.StatusCode, r.Body)
			}
		})
		t.Run("patch keeps other fields and audits", func(t *testing.T) {
			before := env.AuditCount("user.update", "ok")
			r := admin.SendJSON("PATCH", "/api/v1/users/"+itoa(u.ID), map[string]any{"post": "副镇长"})
			var got map[string]any
			r.JSON(t, &got)
			if r.StatusCode != 200 || got["post"] != "副镇长" || got["name"] != "测试人员" || env.AuditCount("user.update", "ok") != before+1 {
				t.Fatalf("%d %v", r.StatusCode, got)
			}
		})
		t.Run("password reset forces a change", func(t *testing.T) {
			var res map[string]any
			r := sec.SendJSON("POST", "/api/v1/users/"+itoa(env.UserID("leader"))+"/password-reset", "")
			if r.StatusCode != 200 {
				t.Fatalf("%d %s", r.StatusCode, r.Body)
			}
			r.JSON(t, &res)
			c := env.Anonymous()
			s := c.PostForm("/signin", signinForm("leader", res["password"].(string)))
			if s.StatusCode != http.StatusSeeOther || s.Header.Get("Location") != "/account/password" {
				t.Fatalf("sign-in after reset: %d %s", s.StatusCode, s.Header.Get("Location"))
			}
			if r := c.Get("/orgs"); r.Header.Get("Location") != "/account/password" {
				t.Fatalf("pages before the change: %s", r.Header.Get("Location"))
			}
			if r := c.Get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("API before the change: %d", r.StatusCode)
			}
		})
		t.Run("admin cannot reset passwords", func(t *testing.T) {
			if r := admin.SendJSON("POST", "/api/v1/users/"+itoa(env.UserID("xfj"))+"/password-reset", ""); r.StatusCode != http.StatusForbidden {
				t.Fatalf("%d", r.StatusCode)
			}
		})
	})
}

func TestOutOfScopePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		qs := env.SignIn("qingshan")
		for _, p := range []string{"/orgs/" + itoa(env.OrgID("SFQ-DC")), "/people/" + itoa(env.UserID("admin")), "/orgs/999999", "/no/such/page"} {
			r := qs.Get(p)
			if r.StatusCode != http.StatusNotFound || !strings.Contains(string(r.Body), "页面不存在") {
				t.Errorf("GET %s: %d", p, r.StatusCode)
			}
		}
		if r := qs.Get("/orgs/" + itoa(env.OrgID("SFQ-QS-01"))); r.StatusCode != http.StatusOK {
			t.Errorf("in-scope village page: %d", r.StatusCode)
		}
	})
}

func TestOrgPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		qs := env.SignIn("qingshan")
		tests := []struct {
			path         string
			want, notHas []string
		}{
			{"/orgs?q=村", []string{"上坪村"}, []string{"东城街道", "金桥"}},
			{"/orgs?q=SFQ-QS-01", []string{"上坪村"}, nil},
			{"/orgs?q=东城", []string{"找到 0 个"}, []string{"/orgs/" + itoa(env.OrgID("SFQ-DC"))}},
			{"/", []string{"青山镇", "上坪村", "村 "}, []string{"示范区"}},
			{"/orgs/" + itoa(env.OrgID("SFQ-QS")), []string{"本单位人员", "林思远", "含下级单位共"}, []string{"编辑组织"}},
		}
		for _, tt := range tests {
			r := qs.Get(tt.path)
			body := string(r.Body)
			if r.StatusCode != 200 {
				t.Errorf("GET %s: %d", tt.path, r.StatusCode)
				continue
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s lacks %q", tt.path, w)
				}
			}
			for _, w := range tt.notHas {
				if strings.Contains(body, w) {
					t.Errorf("GET %s shows %q", tt.path, w)
				}
			}
		}
		// The edit form never carries the full phone; saving it empty keeps the number.
		admin := env.SignIn("admin")
		id := env.UserID("wanggeyuan")
		var phone string
		env.App.DB.QueryRow(context.Background(), "SELECT phone FROM users WHERE id = ?", id).Scan(&phone)
		if r := admin.Get("/people/" + itoa(id)); strings.Contains(string(r.Body), phone) {
			t.Fatal("the person page shows the unmasked phone before it was asked for")
		}
		r := admin.Do("POST", "/people/"+itoa(id), strings.NewReader("name=黄秀兰&post=网格员&phone=&org_id="+itoa(env.OrgID("SFQ-QS-01"))+"&role_0=grid_worker&scope_0="+itoa(env.OrgID("SFQ-QS-01"))), "application/x-www-form-urlencoded")
		if r.StatusCode != 303 {
			t.Fatalf("save: %d", r.StatusCode)
		}
		var after string
		env.App.DB.QueryRow(context.Background(), "SELECT phone FROM users WHERE id = ?", id).Scan(&after)
		if after != phone {
			t.Fatalf("phone %q after saving an empty field, want %q kept", after, phone)
		}
	})
}
