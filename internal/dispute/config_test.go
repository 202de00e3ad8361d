package dispute_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/dispute"
	"github.com/anwen-gov/anwen/internal/sealed"
)

// Types, risk levels and settings are data: district staff and the system
// administrator keep them; a township's staff does not see them to change.
func TestConfiguration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var levels []dispute.RiskLevel
		f.c("wanggeyuan").Get("/api/v1/disputes/risk-levels").JSON(t, &levels)
		if len(levels) != 4 || levels[0].Code != "red" || levels[0].Color != "#c62828" || levels[0].LeadScope != "township" {
			t.Fatalf("default levels: %+v", levels)
		}
		var types []dispute.Type
		f.c("qingshan").Get("/api/v1/disputes/types").JSON(t, &types)
		if len(types) < 8 || types[0].Name != "欠薪" {
			t.Fatalf("types: %+v", types)
		}
		cases := []struct {
			login, method, path, body string
			code                      int
		}{
			// Three colours as some places use: drop orange, add green.
			{"xfj", "PUT", "/api/v1/disputes/risk-levels/orange", `{"name":"橙色","color":"#e8710a","sort":20,"active":false}`, 200},
			{"xfj", "PUT", "/api/v1/disputes/risk-levels/green", `{"name":"绿色","name_en":"Green","color":"#2E7D32","sort":50,"active":true}`, 200},
			{"xfj", "PUT", "/api/v1/disputes/risk-levels/green", `{"name":"绿色","color":"green","active":true}`, 400},
			{"xfj", "PUT", "/api/v1/disputes/risk-levels/green", `{"name":"绿色","color":"#2e7d32","lead_scope":"township","active":true}`, 400},
			{"xfj", "PUT", "/api/v1/disputes/risk-levels/Bad-Code", `{"name":"x","color":"#000000","active":true}`, 400},
			{"qingshan", "PUT", "/api/v1/disputes/risk-levels/green", `{"name":"绿色","color":"#2e7d32","active":true}`, 404},
			{"admin", "PUT", "/api/v1/disputes/types/school", `{"name":"校园","name_en":"School","sort":120,"active":true}`, 200},
			{"admin", "PUT", "/api/v1/disputes/types/school2", `{"name":"校园","active":true}`, 409},
			{"wanggeyuan", "PUT", "/api/v1/disputes/types/x", `{"name":"x","active":true}`, 404},
			{"xfj", "PUT", "/api/v1/disputes/settings", `{"remind_days":5,"default_days":20}`, 200},
			{"xfj", "PUT", "/api/v1/disputes/settings", `{"remind_days":99,"default_days":20}`, 400},
			{"qiye", "GET", "/api/v1/disputes/types", "", 404},
		}
		for _, c := range cases {
			t.Run(c.login+" "+c.method+" "+c.path+" "+c.body, func(t *testing.T) {
				var r interface{ ErrorCode() string }
				var code int
				if c.method == "GET" {
					resp := f.c(c.login).Get(c.path)
					r, code = resp, resp.StatusCode
				} else {
					resp := f.c(c.login).SendJSON(c.method, c.path, c.body)
					r, code = resp, resp.StatusCode
				}
				if code != c.code {
					t.Fatalf("%d (%s), want %d", code, r.ErrorCode(), c.code)
				}
			})
		}
		f.c("qingshan").Get("/api/v1/disputes/risk-levels").JSON(t, &levels)
		var codes []string
		for _, l := range levels {
			codes = append(codes, l.Code)
		}
		if strings.Join(codes, ",") != "red,yellow,blue,green" {
			t.Fatalf("levels after the change: %v", codes)
		}
		if f.env.AuditCount("dispute.risk_level_put", "ok") != 2 || f.env.AuditCount("dispute.type_put", "ok") != 1 || f.env.AuditCount("dispute.settings_put", "ok") != 1 {
			t.Fatal("configuration changes are not audited")
		}
		// The new level and type are usable; the retired one is not; the new default deadline applies.
		got := f.create("qingshan", f.body("SFQ-QS-01", func(b map[string]any) { b["risk_level"] = "green"; b["type"] = "school" }))
		if got.RiskColor != "#2e7d32" || got.TypeName != "校园" || got.Deadline != "2026-12-17" {
			t.Fatalf("with the new level: %s %s %s", got.RiskColor, got.TypeName, got.Deadline)
		}
		if r := f.c("qingshan").SendJSON("POST", "/api/v1/disputes", f.body("SFQ-QS-01", func(b map[string]any) { b["risk_level"] = "orange" })); r.StatusCode != 400 {
			t.Fatalf("a retired level: %d", r.StatusCode)
		}
	})
}

// After a key rotation the stored values still open; Reseal moves them to
// the new key (each batch audited), after which the old key can go; the
// blind index keeps finding the phone throughout.
func TestRotation(t *testing.T) {
	k1, idx := make([]byte, 32), make([]byte, 32)
	rand.Read(k1)
	rand.Read(idx)
	b64 := base64.StdEncoding.EncodeToString
	t.Setenv("ANWEN_FIELD_KEY", "k1:"+b64(k1))
	t.Setenv("ANWEN_FIELD_INDEX_KEY", b64(idx))
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if f.svc().Cipher.Current() != "k1" {
			t.Fatalf("the app does not take the key from the environment: %s", f.svc().Cipher.Current())
		}
		x := f.create("qingshan", f.body("SFQ-QS-01"))
		k2 := make([]byte, 32)
		rand.Read(k2)
		rotated, err := sealed.ParseKeyEnv("k2:"+b64(k2)+",k1:"+b64(k1), b64(idx))
		if err != nil {
			t.Fatal(err)
		}
		f.svc().Cipher = rotated
		reveal := func() dispute.Party {
			t.Helper()
			r := f.c("qingshan").Get("/api/v1/disputes/" + itoa(x.ID) + "/party")
			var p dispute.Party
			r.JSON(t, &p)
			if r.StatusCode != 200 {
				t.Fatalf("reveal: %d %s", r.StatusCode, r.Body)
			}
			return p
		}
		if p := reveal(); p.Phone != "13912345678" {
			t.Fatalf("old value after rotation: %+v", p)
		}
		res, err := sealed.Reseal(ctx, d, rotated, clock.Real{}, audit.Entry{UserLogin: "(command line)"}, sealed.Columns(), 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range res {
			if c.Table == "disputes" {
				n += c.Resealed
			}
		}
		if n != 2 {
			t.Fatalf("resealed %+v, want the name and the phone", res)
		}
		if k, _ := sealed.KeyOf(f.str("SELECT party_phone_sealed FROM disputes WHERE id = ?", x.ID)); k != "k2" {
			t.Fatalf("phone under %s after reseal", k)
		}
		only2, _ := sealed.ParseKeyEnv("k2:"+b64(k2), b64(idx))
		f.svc().Cipher = only2
		if p := reveal(); p.Name != "欧阳娜娜" || p.Phone != "13912345678" {
			t.Fatalf("with the new key alone: %+v", p)
		}
		var page dispute.Page
		f.c("qingshan").Get("/api/v1/disputes?phone=13912345678").JSON(t, &page)
		if len(page.Rows) != 1 || page.Rows[0].PartyPhone != "139****5678" {
			t.Fatalf("phone search after rotation: %+v", page.Rows)
		}
	})
}

// Every dispute route is in the OpenAPI document, and real answers match it.
func TestOpenAPI(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	doc := f.env.OpenAPI(t)
	if n := doc.CheckRoutes(t, "/api/v1/disputes"); n != 13 {
		t.Errorf("%d dispute routes", n)
	}
	x := f.create("qingshan", f.body("SFQ-QS-01"))
	id := itoa(x.ID)
	doc.Check(t,
		f.c("qingshan").Call("POST", "/api/v1/disputes", `{"org_id":`+itoa(f.env.OrgID("SFQ-QS-02"))+`,"type":"land","summary":"文档纠纷","party_count":3,"risk_level":"red"}`),
		f.c("qingshan").Call("GET", "/api/v1/disputes?status=open&q="+"务工"),
		f.c("qingshan").Call("GET", "/api/v1/disputes/"+id),
		f.c("qingshan").Call("POST", "/api/v1/disputes/"+id+"/transitions", `{"action":"record_session","session":{"method":"negotiation","outcome":"partial"}}`),
		f.c("qingshan").Call("POST", "/api/v1/disputes/"+id+"/transitions", `{"action":"reopen","reason":"x"}`),
		f.c("qingshan").Call("GET", "/api/v1/disputes/"+id+"/party"),
		f.c("qingshan").Call("GET", "/api/v1/disputes/types"),
		f.c("qingshan").Call("GET", "/api/v1/disputes/risk-levels"),
		f.c("qingshan").Call("GET", "/api/v1/disputes/settings"),
		f.c("xfj").Call("PUT", "/api/v1/disputes/settings", `{"remind_days":3,"default_days":30}`),
		f.c("xfj").Call("PUT", "/api/v1/disputes/types/school", `{"name":"校园","active":true}`),
		f.c("xfj").Call("PUT", "/api/v1/disputes/risk-levels/green", `{"name":"绿色","color":"#2e7d32","lead_posts":[],"active":true}`),
	)
}

// The pages answer for the people who use them, in both languages.
func TestPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		x := f.create("qingshan", f.body("SFQ-QS-01", func(b map[string]any) { b["risk_level"] = "red" }))
		f.step("qingshan", x.ID, map[string]any{"action": "record_session", "session": map[string]any{"method": "people_mediation", "outcome": "partial", "note": "先付一半"}})
		cases := []struct {
			login, path string
			code        int
			has         []string
		}{
			{"qingshan", "/disputes", 200, []string{x.Number, "矛盾纠纷台账", "欧阳**", `fill="#c62828"`, "群体性"}},
			{"qingshan", "/disputes?status=open&overdue=1", 200, []string{"没有符合条件的矛盾纠纷"}},
			{"qingshan", "/disputes?status=bogus", 400, []string{`id="form-error"`}},
			{"qingshan", "/disputes/new", 200, []string{`name="risk_level"`, "须由乡镇（街道）党委书记/党工委书记包案", "个人信息加密保存"}},
			{"qingshan", "/disputes/" + itoa(x.ID), 200, []string{"先付一半", "人民调解", "青山镇党委书记", `id="reveal"`, `id="do-resolve"`}},
			{"qingshan", "/disputes/import", 200, []string{`name="file"`}},
			{"wanggeyuan", "/disputes/new", 200, []string{"上坪村"}},
			{"wanggeyuan", "/disputes/" + itoa(x.ID), 200, []string{"欧阳**"}},
			{"duchashi", "/disputes/new", 404, nil},
			{"duchashi", "/disputes", 200, nil},
			{"qiye", "/disputes", 404, nil},
		}
		for _, c := range cases {
			t.Run(c.login+" "+c.path, func(t *testing.T) {
				r := f.env.SignIn(c.login).Get(c.path)
				if r.StatusCode != c.code {
					t.Fatalf("%d", r.StatusCode)
				}
				for _, s := range c.has {
					if !strings.Contains(string(r.Body), s) {
						t.Errorf("no %q", s)
					}
				}
				if strings.Contains(string(r.Body), "欧阳娜娜") || strings.Contains(string(r.Body), "13912345678") {
					t.Error("the party in full")
				}
			})
		}
		// English.
		c := f.env.SignIn("qingshan")
		c.Get("/lang?to=en&back=/")
		r := c.Get("/disputes/" + itoa(x.ID))
		for _, s := range []string{"Mediation sessions", "People&#39;s mediation", "Red", "Show in full"} {
			if !strings.Contains(string(r.Body), s) {
				t.Errorf("English page lacks %q", s)
			}
		}
		if r := f.env.Anonymous().Get("/static/dispute.css"); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "text/css") {
			t.Fatalf("stylesheet: %d", r.StatusCode)
		}
	})
}
