package dispute_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	dl "github.com/anwen-gov/anwen/internal/deadline"
	"github.com/anwen-gov/anwen/internal/dispute"
	"github.com/anwen-gov/anwen/internal/sealed"
)

// Registering over the API: 201 with the number, the party masked, the
// stored row sealed (no plain name or phone anywhere in it), the timeline,
// the deadline in the clock engine and the trail.
func TestCreateViaAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		before := f.env.AuditCount("dispute.register", "ok")
		got := f.create("qingshan", f.body("SFQ-QS-01", func(b map[string]any) { b["deadline"] = "2026-12-20" }))
		if !regexp.MustCompile(`^MD-2026-\d{6}$`).MatchString(got.Number) {
			t.Errorf("number %q", got.Number)
		}
		if got.PartyName != "欧阳**" || got.PartyPhone != "139****5678" {
			t.Errorf("party in the answer: %q %q, want masked", got.PartyName, got.PartyPhone)
		}
		if got.Status != dispute.Registered || !got.ManyPeople || got.PartyCount != 6 || got.AmountYuan != 86000.5 || got.TerritoryName != "上坪村" {
			t.Errorf("answer: %+v", got.Dispute)
		}
		if got.CanReveal != true || len(got.Allowed) == 0 {
			t.Errorf("qingshan handles it: can_reveal %v, allowed %v", got.CanReveal, got.Allowed)
		}
		// The raw row: envelopes, never the plain values.
		var name, phone, index, text string
		if err := d.QueryRow(context.Background(), "SELECT party_name_sealed, party_phone_sealed, party_phone_index, search_text FROM disputes WHERE id = ?", got.ID).
			Scan(&name, &phone, &index, &text); err != nil {
			t.Fatal(err)
		}
		for _, col := range []string{name, phone, index, text} {
			if strings.Contains(col, "13912345678") || strings.Contains(col, "欧阳娜娜") || strings.Contains(col, "12345678") {
				t.Errorf("a stored column holds the plain value: %q", col)
			}
		}
		if !sealed.IsSealed(name) || !sealed.IsSealed(phone) || len(index) != 32 {
			t.Errorf("stored: name %q phone %q index %q", name, phone, index)
		}
		if n := f.count("SELECT count(*) FROM dispute_steps WHERE dispute_id = ? AND action = 'register'", got.ID); n != 1 {
			t.Errorf("%d register steps", n)
		}
		if n := f.env.AuditCount("dispute.register", "ok") - before; n != 1 {
			t.Errorf("%d audit records", n)
		}
		ob, err := dl.Get(context.Background(), d, dispute.KindDeadline, itoa(got.ID)+"/2026-12-20")
		if err != nil || ob.State != "open" || ob.WarnAt == nil || ob.WarnAt.Format("2006-01-02 15:04") != "2026-12-17 01:00" {
			t.Errorf("obligation: %+v %v", ob, err)
		}
		// The lead rule of a red dispute in 上坪村: 青山镇's 党委书记.
		red := f.create("wanggeyuan", f.body("SFQ-QS-01", func(b map[string]any) { b["risk_level"] = "red" }))
		if red.Lead.UserID == nil || !strings.Contains(red.Lead.Title, "青山镇党委书记") {
			t.Errorf("red lead: %+v", red.Lead)
		}
	})
}

// Input errors name their field; an org out of scope answers 404.
func TestCreateRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		cases := []struct {
			name, login string
			mod         func(map[string]any)
			code        int
			field       string
		}{
			{"no summary", "qingshan", func(b map[string]any) { b["summary"] = " " }, 400, "summary"},
			{"unknown type", "qingshan", func(b map[string]any) { b["type"] = "ufo" }, 400, "type"},
			{"unknown level", "qingshan", func(b map[string]any) { b["risk_level"] = "purple" }, 400, "risk_level"},
			{"no people", "qingshan", func(b map[string]any) { b["party_count"] = 0 }, 400, "party_count"},
			{"bad phone", "qingshan", func(b map[string]any) { b["party_phone"] = "12ab" }, 400, "party_phone"},
			{"past deadline", "qingshan", func(b map[string]any) { b["deadline"] = "2026-11-01" }, 400, "deadline"},
			{"department territory", "xfj", func(b map[string]any) { b["org_id"] = f.env.OrgID("SFQ-RSJ") }, 400, "org_id"},
			{"other township", "qingshan", func(b map[string]any) { b["org_id"] = f.env.OrgID("SFQ-DC") }, 404, ""},
			{"grid worker, other village", "wanggeyuan", func(b map[string]any) { b["org_id"] = f.env.OrgID("SFQ-QS-02") }, 404, ""},
			{"supervisor", "duchashi", nil, 403, ""},
			{"red with another lead", "qingshan", func(b map[string]any) { b["risk_level"] = "red"; b["lead_name"] = "张三" }, 422, "lead_name"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				n := f.count("SELECT count(*) FROM disputes")
				b := f.body("SFQ-QS-01")
				if c.mod != nil {
					c.mod(b)
				}
				r := f.c(c.login).SendJSON("POST", "/api/v1/disputes", b)
				if r.StatusCode != c.code || r.ErrorField() != c.field {
					t.Fatalf("%d %s, want %d on %q", r.StatusCode, r.Body, c.code, c.field)
				}
				if f.count("SELECT count(*) FROM disputes") != n {
					t.Fatal("a refused registration wrote a row")
				}
			})
		}
		// A leader above the rule's org may lead a red dispute (高位包案).
		got := f.create("qingshan", f.body("SFQ-QS-01", func(b map[string]any) { b["risk_level"] = "red"; b["lead_user_id"] = f.env.UserID("leader") }))
		if got.Lead.Name != "陈志远" {
			t.Errorf("district head as lead: %+v", got.Lead)
		}
	})
}

// Registering through the form: a grid worker's dispute lands in the
// village, and its page shows the party masked.
func TestCreateViaPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.env.SignIn("wanggeyuan")
		r := c.Get("/disputes/new")
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), `name="party_phone"`) {
			t.Fatalf("form: %d", r.StatusCode)
		}
		r = c.PostForm("/disputes", url.Values{"org_id": {itoa(f.env.OrgID("SFQ-QS-01"))}, "type": {"neighbour"}, "summary": {"宅基地排水纠纷"},
			"party_count": {"2"}, "party_name": {"张三丰"}, "party_phone": {"138-1234-5678"}, "risk_level": {"blue"}, "urgency": {"normal"}})
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/disputes/") {
			t.Fatalf("post: %d %s", r.StatusCode, r.Body)
		}
		page := c.Get(r.Header.Get("Location"))
		body := string(page.Body)
		if page.StatusCode != 200 || !strings.Contains(body, "张**") || !strings.Contains(body, "138****5678") {
			t.Fatalf("page %d: party not masked as expected", page.StatusCode)
		}
		if strings.Contains(body, "张三丰") || strings.Contains(body, "13812345678") {
			t.Fatal("the page shows the party in full")
		}
		if strings.Contains(body, `action="/disputes/`) && strings.Contains(body, `/reveal"`) {
			t.Fatal("a grid worker is offered to reveal the party")
		}
		if f.str("SELECT o.code FROM disputes x JOIN orgs o ON o.id = x.territory_org_id ORDER BY x.id DESC LIMIT 1") != "SFQ-QS-01" {
			t.Fatal("not registered in the village")
		}
		// A form with a mistake comes back with the message and the values.
		r = c.PostForm("/disputes", url.Values{"org_id": {itoa(f.env.OrgID("SFQ-QS-01"))}, "type": {"neighbour"}, "summary": {"第二件"}, "party_count": {"0"}, "risk_level": {"blue"}})
		if r.StatusCode != 400 || !strings.Contains(string(r.Body), "第二件") || !strings.Contains(string(r.Body), `id="form-error"`) {
			t.Fatalf("bad form: %d", r.StatusCode)
		}
	})
}

// Lists mask the party in the API and on the page; search by phone goes
// through the blind index, for handlers only, and is audited.
func TestListMasks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		a := f.create("qingshan", f.body("SFQ-QS-01"))
		f.create("qingshan", f.body("SFQ-QS-02", func(b map[string]any) {
			b["party_phone"] = "13700000000"
			b["party_name"] = "李四"
			b["party_count"] = 2
		}))
		r := f.c("qingshan").Get("/api/v1/disputes")
		if r.StatusCode != 200 || strings.Contains(string(r.Body), "13912345678") || strings.Contains(string(r.Body), "欧阳娜娜") {
			t.Fatalf("list: %d %s", r.StatusCode, r.Body)
		}
		var p dispute.Page
		r.JSON(t, &p)
		if p.Total != 2 || len(p.Rows) != 2 || r.Header.Get("X-Total-Count") != "2" {
			t.Fatalf("total %d rows %d", p.Total, len(p.Rows))
		}
		masked := map[string]bool{}
		for _, row := range p.Rows {
			masked[row.PartyName+" "+row.PartyPhone] = true
		}
		if !masked["欧阳** 139****5678"] || !masked["李* 137****0000"] {
			t.Fatalf("masks: %v", masked)
		}
		page := f.env.SignIn("qingshan").Get("/disputes")
		if page.StatusCode != 200 || strings.Contains(string(page.Body), "欧阳娜娜") || !strings.Contains(string(page.Body), a.Number) {
			t.Fatalf("ledger page: %d", page.StatusCode)
		}
		// By phone: written another way, found exactly; audited.
		before := f.env.AuditCount("dispute.search_phone", "ok")
		r = f.c("qingshan").Get("/api/v1/disputes?phone=" + url.QueryEscape("+86 139 1234 5678"))
		r.JSON(t, &p)
		if r.StatusCode != 200 || len(p.Rows) != 1 || p.Rows[0].ID != a.ID {
			t.Fatalf("by phone: %d %d rows", r.StatusCode, len(p.Rows))
		}
		if f.env.AuditCount("dispute.search_phone", "ok") != before+1 {
			t.Fatal("the phone search is not audited")
		}
		if r := f.c("wanggeyuan").Get("/api/v1/disputes?phone=13912345678"); r.StatusCode != 403 {
			t.Fatalf("grid worker by phone: %d", r.StatusCode)
		}
		// Filters.
		for q, want := range map[string]int{"many=1": 1, "type=wages": 2, "q=" + url.QueryEscape("务工"): 2, "org_id=" + itoa(f.env.OrgID("SFQ-QS-02")): 1, "status=resolved": 0, "overdue=1": 0} {
			r := f.c("qingshan").Get("/api/v1/disputes?" + q)
			var p dispute.Page
			r.JSON(t, &p)
			if r.StatusCode != 200 || len(p.Rows) != want {
				t.Errorf("%s: %d rows, want %d", q, len(p.Rows), want)
			}
		}
	})
}

// Revealing the party: for handlers in scope, each time audited; 403 for a
// grid worker who sees the dispute, 404 outside the scope, both recorded.
func TestRevealAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		x := f.create("qingshan", f.body("SFQ-QS-01"))
		dc := f.create("xfj", f.body("SFQ-DC-01"))
		path := "/api/v1/disputes/" + itoa(x.ID) + "/party"
		ok := f.env.AuditCount("dispute.reveal", "ok")
		denied := f.env.AuditCount("dispute.manage", "denied")
		r := f.c("qingshan").Get(path)
		var p dispute.Party
		r.JSON(t, &p)
		if r.StatusCode != 200 || p.Name != "欧阳娜娜" || p.Phone != "13912345678" {
			t.Fatalf("reveal: %d %+v", r.StatusCode, p)
		}
		if f.env.AuditCount("dispute.reveal", "ok") != ok+1 {
			t.Fatal("the reveal is not audited")
		}
		cases := []struct {
			login, path string
			code        int
		}{
			{"wanggeyuan", path, 403},
			{"duchashi", path, 403},
			{"qingshan", "/api/v1/disputes/" + itoa(dc.ID) + "/party", 404},
			{"qiye", path, 404},
		}
		for _, c := range cases {
			if r := f.c(c.login).Get(c.path); r.StatusCode != c.code || strings.Contains(string(r.Body), "1391234") {
				t.Errorf("%s %s: %d %s", c.login, c.path, r.StatusCode, r.Body)
			}
		}
		if f.env.AuditCount("dispute.reveal", "ok") != ok+1 || f.env.AuditCount("dispute.manage", "denied") != denied+4 {
			t.Fatalf("refusals: reveal %d, denied %d", f.env.AuditCount("dispute.reveal", "ok")-ok, f.env.AuditCount("dispute.manage", "denied")-denied)
		}
		// On the page: a button, the full value once, audited; the next view masked again.
		c := f.env.SignIn("qingshan")
		page := c.Get("/disputes/" + itoa(x.ID))
		if !strings.Contains(string(page.Body), `id="reveal"`) || strings.Contains(string(page.Body), "欧阳娜娜") {
			t.Fatal("detail page: no reveal button, or the name in full")
		}
		page = c.PostForm("/disputes/"+itoa(x.ID)+"/reveal", nil)
		if page.StatusCode != 200 || !strings.Contains(string(page.Body), "欧阳娜娜") || !strings.Contains(string(page.Body), "13912345678") {
			t.Fatalf("revealed page: %d", page.StatusCode)
		}
		if f.env.AuditCount("dispute.reveal", "ok") != ok+2 {
			t.Fatal("the page's reveal is not audited")
		}
		if page := c.Get("/disputes/" + itoa(x.ID)); strings.Contains(string(page.Body), "欧阳娜娜") {
			t.Fatal("the name stays revealed on the next view")
		}
		if r := f.env.SignIn("wanggeyuan").PostForm("/disputes/"+itoa(x.ID)+"/reveal", nil); r.StatusCode != 403 {
			t.Fatalf("grid worker's reveal form: %d", r.StatusCode)
		}
	})
}

// Scope: another township's dispute is absent; a dispute whose responsible
// org is in one's scope is there.
func TestScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		dc := f.create("xfj", f.body("SFQ-DC-01"))
		qs2 := f.create("qingshan", f.body("SFQ-QS-02"))
		resp := f.create("xfj", f.body("SFQ-DC-02", func(b map[string]any) { b["responsible_org_id"] = f.env.OrgID("SFQ-QS") }))
		cases := []struct {
			login, method, path string
			body                any
			code                int
		}{
			{"qingshan", "GET", "/api/v1/disputes/" + itoa(dc.ID), nil, 404},
			{"qingshan", "GET", "/disputes/" + itoa(dc.ID), nil, 404},
			{"qingshan", "POST", "/api/v1/disputes/" + itoa(dc.ID) + "/transitions", map[string]any{"action": "start"}, 404},
			{"qingshan", "GET", "/api/v1/disputes?org_id=" + itoa(f.env.OrgID("SFQ-DC")), nil, 404},
			{"wanggeyuan", "GET", "/api/v1/disputes/" + itoa(qs2.ID), nil, 404},
			{"qiye", "GET", "/api/v1/disputes", nil, 404},
			{"auditor", "GET", "/api/v1/disputes/" + itoa(dc.ID), nil, 404},
			{"qingshan", "GET", "/api/v1/disputes/" + itoa(resp.ID), nil, 200},
			{"qingshan", "POST", "/api/v1/disputes/" + itoa(resp.ID) + "/transitions", map[string]any{"action": "start"}, 200},
			{"duchashi", "POST", "/api/v1/disputes/" + itoa(qs2.ID) + "/transitions", map[string]any{"action": "start"}, 403},
			{"wanggeyuan", "POST", "/api/v1/disputes/" + itoa(f.create("wanggeyuan", f.body("SFQ-QS-01")).ID) + "/transitions", map[string]any{"action": "start"}, 403},
			{"leader", "GET", "/api/v1/disputes/" + itoa(dc.ID), nil, 200},
			{"qingshan", "GET", "/api/v1/disputes/999999", nil, 404},
		}
		for _, c := range cases {
			t.Run(c.login+" "+c.method+" "+c.path, func(t *testing.T) {
				var r interface{ ErrorCode() string }
				var code int
				if c.method == "GET" && strings.HasPrefix(c.path, "/disputes/") {
					resp := f.env.SignIn(c.login).Get(c.path)
					code, r = resp.StatusCode, resp
				} else if c.method == "GET" {
					resp := f.c(c.login).Get(c.path)
					code, r = resp.StatusCode, resp
				} else {
					resp := f.c(c.login).SendJSON(c.method, c.path, c.body)
					code, r = resp.StatusCode, resp
				}
				if code != c.code {
					t.Fatalf("%d (%s), want %d", code, r.ErrorCode(), c.code)
				}
			})
		}
		var p dispute.Page
		f.c("qingshan").Get("/api/v1/disputes").JSON(t, &p)
		ids := map[int64]bool{}
		for _, row := range p.Rows {
			ids[row.ID] = true
		}
		if !ids[resp.ID] || !ids[qs2.ID] || ids[dc.ID] {
			t.Fatalf("qingshan's ledger: %v", ids)
		}
	})
}
