package dailyreport_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/dailyreport"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func wantBody(t *testing.T, what string, r *apptest.Response, status int, want ...string) string {
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

func wantNot(t *testing.T, what, body string, not ...string) {
	t.Helper()
	for _, n := range not {
		if strings.Contains(body, n) {
			t.Errorf("%s: the page has %q", what, n)
		}
	}
}

// classify moves the clock to at, plans and sweeps the clock engine.
func classify(t *testing.T, env *apptest.Env, at time.Time) {
	t.Helper()
	ctx := context.Background()
	env.Clock.Set(at)
	if err := env.App.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Engine.Sweep(ctx, 1000); err != nil {
		t.Fatal(err)
	}
}

// shanghai is a wall time in Asia/Shanghai on a day of 2026.
func shanghai(month time.Month, day, hour, min int) time.Time {
	return time.Date(2026, month, day, hour-8, min, 0, 0, time.UTC)
}

func oneTap(orgID int64) url.Values {
	return url.Values{"org_id": {itoa(orgID)}, "nothing": {"1"}}
}

var receiptRE = regexp.MustCompile(`ZB\d{8}-[A-Z2-7]{8}`)

// The phone form: one tap files nothing-to-report on both halves, audited,
// and answers with a receipt; the day's status and receipt then head the
// form, which offers a correction.
func TestFormAndOneTap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		qs, village, dc := env.OrgID("SFQ-QS"), env.OrgID("SFQ-QS-01"), env.OrgID("SFQ-DC")
		town, grid := env.SignIn("qingshan"), env.SignIn("wanggeyuan")

		t.Run("form", func(t *testing.T) {
			b := wantBody(t, "qingshan's form", town.Get("/daily-reports/new"), 200, "青山镇", "今日无事 报平安", `name="nothing" value="1"`,
				`name="org_id" value="`+itoa(qs)+`"`, "距截止还有 7 小时 0 分", "截止 17:00", "有情况要报", "安全生产", "信访稳定", `name="safety_2_summary"`, `name="stability_0_category"`, "生产安全事故", "群体性事件")
			wantNot(t, "qingshan's form", b, "今日已报", `name="safety_8_summary"`)
			b = wantBody(t, "the grid worker's form", grid.Get("/daily-reports/new"), 200, "上坪村", "今日无事 报平安", `name="org_id" value="`+itoa(village)+`"`, "距截止还有 6 小时 0 分")
			wantNot(t, "the grid worker's form", b, "切换单位")
			// District staff report for no unit of their own: they choose.
			b = wantBody(t, "yjj's form", env.SignIn("yjj").Get("/daily-reports/new"), 200, `<select name="org_id"`, "青山镇", "东城街道", "上坪村")
			wantNot(t, "yjj's form", b, "今日无事 报平安")
			wantBody(t, "choosing another unit", town.Get("/daily-reports/new?choose=1"), 200, `<select name="org_id"`, "上坪村")
			wantBody(t, "for a village", town.Get("/daily-reports/new?org_id="+itoa(village)), 200, "上坪村", `name="org_id" value="`+itoa(village)+`"`)
		})
		t.Run("refused", func(t *testing.T) {
			for _, tt := range []struct {
				name   string
				c      *apptest.Client
				path   string
				status int
			}{
				{"another township", town, "/daily-reports/new?org_id=" + itoa(dc), 404},
				{"no unit to report for", env.SignIn("duchashi"), "/daily-reports/new", 404},
				{"junk org", town, "/daily-reports/new?org_id=x", 400},
				{"future date", town, "/daily-reports/new?date=2026-11-28", 422},
				{"bad date", town, "/daily-reports/new?date=2026-02-30", 400},
				{"not a reporting unit", env.SignIn("yjj"), "/daily-reports/new?org_id=" + itoa(env.OrgID("SFQ-YJJ")), 422},
			} {
				if r := tt.c.Get(tt.path); r.StatusCode != tt.status {
					t.Errorf("%s: %d, want %d", tt.name, r.StatusCode, tt.status)
				}
			}
		})

		t.Run("one tap", func(t *testing.T) {
			home := wantBody(t, "home before", town.Get("/"), 200, `id="daily-report"`, `id="home-one-tap"`, "今日无事 报平安", "待报")
			wantNot(t, "home before", home, "今日已报")
			audits := env.AuditCount("dailyreport.submit", "ok")
			r := town.PostForm("/daily-reports", oneTap(qs))
			if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/daily-reports/") {
				t.Fatalf("one tap: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			var id int64
			var receipt, channel string
			var safe, stable bool
			if err := env.App.DB.QueryRow(context.Background(), "SELECT id, receipt, channel, safety_nothing, stability_nothing FROM daily_reports WHERE org_id = ?", qs).
				Scan(&id, &receipt, &channel, &safe, &stable); err != nil {
				t.Fatal(err)
			}
			if r.Header.Get("Location") != "/daily-reports/"+itoa(id) || channel != "web" || !safe || !stable {
				t.Fatalf("filed %d %s via %s (%v %v), redirected to %s", id, receipt, channel, safe, stable, r.Header.Get("Location"))
			}
			if got := env.AuditCount("dailyreport.submit", "ok"); got != audits+1 {
				t.Errorf("audited %d submissions, want %d", got, audits+1)
			}
			if n := count(t, env, "SELECT count(*) FROM report_days WHERE org_id = ? AND day = '2026-11-27' AND status = 'on_time'", qs); n != 1 {
				t.Errorf("%d on-time unit-days", n)
			}
			wantBody(t, "receipt", town.Get("/daily-reports/"+itoa(id)), 200, "已报送", receipt, "按时", "2026-11-27 10:00", "第 1 版", "林思远", "平安，无情况")
			b := wantBody(t, "form after", town.Get("/daily-reports/new"), 200, "今日已报", receipt, "按时", "错报", "更正为：无事 报平安", "更正：有情况要报")
			wantNot(t, "form after", b, "已过截止时间")
			b = wantBody(t, "home after", town.Get("/"), 200, "今日已报", receipt)
			wantNot(t, "home after", b, `id="home-one-tap"`)
			// Desks see it; a grid worker of a village does not.
			wantBody(t, "the supervisor", env.SignIn("duchashi").Get("/daily-reports/"+itoa(id)), 200, receipt)
			if r := grid.Get("/daily-reports/" + itoa(id)); r.StatusCode != 404 {
				t.Errorf("the grid worker sees the township's receipt: %d", r.StatusCode)
			}
			if r := town.Get("/daily-reports/999999"); r.StatusCode != 404 {
				t.Errorf("no such report: %d", r.StatusCode)
			}
		})

		t.Run("items", func(t *testing.T) {
			v := url.Values{"org_id": {itoa(village)}, "safety_mode": {"items"}, "stability_mode": {"nothing"}}
			for i, row := range [][5]string{
				{"安全隐患", "", "村道旁废弃厂房屋顶局部坍塌，已设警戒线", "上坪村三组", "urgent"},
				{"", "", "", "", "normal"}, // empty: ignored
				{"其他", "防汛", "河堤一处渗水，已安排巡查", "", "serious"},
			} {
				p := "safety_" + itoa(int64(i)) + "_"
				v.Set(p+"category", row[0])
				v.Set(p+"category_text", row[1])
				v.Set(p+"summary", row[2])
				v.Set(p+"place", row[3])
				v.Set(p+"severity", row[4])
				v.Set(p+"time", "")
			}
			v.Set("safety_0_follow", "1")
			for i := 0; i < 3; i++ { // the stability half's empty rows
				v.Set("stability_"+itoa(int64(i))+"_summary", "")
				v.Set("stability_"+itoa(int64(i))+"_severity", "normal")
			}
			r := grid.PostForm("/daily-reports", v)
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("items: %d %.300s", r.StatusCode, r.Body)
			}
			type item struct {
				cat, summary, place, severity string
				follow                        bool
			}
			rows, err := env.App.DB.Query(context.Background(), `SELECT i.category, i.summary, i.place, i.severity, i.follow_up FROM daily_report_items i
				JOIN daily_reports r ON r.id = i.report_id WHERE r.org_id = ? AND i.half = 'safety' ORDER BY i.id`, village)
			if err != nil {
				t.Fatal(err)
			}
			var got []item
			for rows.Next() {
				var it item
				rows.Scan(&it.cat, &it.summary, &it.place, &it.severity, &it.follow)
				got = append(got, it)
			}
			rows.Close()
			want := []item{{"安全隐患", "村道旁废弃厂房屋顶局部坍塌，已设警戒线", "上坪村三组", "urgent", true}, {"防汛", "河堤一处渗水，已安排巡查", "", "serious", false}}
			if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
				t.Fatalf("items stored %+v, want %+v", got, want)
			}
			if n := count(t, env, "SELECT count(*) FROM daily_reports WHERE org_id = ? AND safety_nothing = FALSE AND stability_nothing = TRUE", village); n != 1 {
				t.Errorf("%d reports with safety items and a quiet stability half", n)
			}
			wantBody(t, "receipt with items", grid.Get(r.Header.Get("Location")), 200, "村道旁废弃厂房屋顶局部坍塌", "紧急", "需跟进", "防汛")
		})

		t.Run("bad forms", func(t *testing.T) {
			for _, tt := range []struct {
				name   string
				c      *apptest.Client
				form   url.Values
				status int
				want   []string
			}{
				{"平安 with items typed", town, url.Values{"org_id": {itoa(qs)}, "safety_mode": {"nothing"}, "safety_0_summary": {"漏报不得"}, "stability_mode": {"nothing"}}, 400,
					[]string{"选择了“平安”，但填写了事项", "漏报不得", `value="items" checked`}},
				{"有情况 with no rows", town, url.Values{"org_id": {itoa(qs)}, "safety_mode": {"items"}, "safety_0_summary": {""}, "stability_mode": {"nothing"}}, 400,
					[]string{"部分为空"}},
				{"an item without a summary", town, url.Values{"org_id": {itoa(qs)}, "safety_mode": {"items"}, "safety_0_category": {"火灾"}, "stability_mode": {"nothing"}}, 400,
					[]string{"缺少情况摘要", `<option selected>火灾</option>`}},
				{"a future date", town, url.Values{"org_id": {itoa(qs)}, "nothing": {"1"}, "date": {"2026-11-28"}}, 422, []string{"将来的日期"}},
				{"another township", town, oneTap(dc), 404, nil},
				{"another township with a bad form", town, url.Values{"org_id": {itoa(dc)}, "safety_mode": {"items"}}, 404, nil},
				{"no right to report", env.SignIn("duchashi"), oneTap(qs), 403, nil},
				{"no org", town, url.Values{"nothing": {"1"}}, 400, nil},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before := count(t, env, "SELECT count(*) FROM daily_reports")
					b := wantBody(t, tt.name, tt.c.PostForm("/daily-reports", tt.form), tt.status, tt.want...)
					if after := count(t, env, "SELECT count(*) FROM daily_reports"); after != before {
						t.Errorf("a refused form filed a report")
					}
					if tt.status == 404 {
						wantNot(t, tt.name, b, "东城街道")
					}
				})
			}
		})

		t.Run("menu and index", func(t *testing.T) {
			for _, tt := range []struct {
				login, location string
				status          int
			}{{"yjj", "/daily-reports/board", 303}, {"wanggeyuan", "/daily-reports/new", 303}, {"qingshan", "/daily-reports/board", 303}, {"qiye", "", 404}} {
				c := env.SignIn(tt.login)
				r := c.Get("/daily-reports")
				if r.StatusCode != tt.status || r.Header.Get("Location") != tt.location {
					t.Errorf("%s: /daily-reports answers %d %s", tt.login, r.StatusCode, r.Header.Get("Location"))
				}
				home := string(c.Get("/").Body)
				if has := strings.Contains(home, `<a href="/daily-reports">零报告</a>`); has != (tt.status == 303) {
					t.Errorf("%s: menu entry shown %v", tt.login, has)
				}
			}
		})
	})
}

// unitRow returns the board's table row of a unit.
func unitRow(t *testing.T, body string, orgID int64) string {
	t.Helper()
	i := strings.Index(body, `<tr data-org="`+itoa(orgID)+`"`)
	if i < 0 {
		t.Fatalf("the board has no row for org %d", orgID)
	}
	j := strings.Index(body[i:], "</tr>")
	return body[i : i+j]
}

var countRE = regexp.MustCompile(`id="count-([a-z_]+)">(\d+)<`)

func pageCounts(body string) map[string]string {
	out := map[string]string{}
	for _, m := range countRE.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// The desks' board as a page: counts, units, items; acknowledging and
// turning an item into a follow-up task change the rows and are audited.
func TestBoardPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		qs, village, dc := env.OrgID("SFQ-QS"), env.OrgID("SFQ-QS-01"), env.OrgID("SFQ-DC")
		town, desk := env.SignIn("qingshan"), env.SignIn("yjj")
		if r := town.PostForm("/daily-reports", oneTap(qs)); r.StatusCode != 303 {
			t.Fatalf("one tap: %d", r.StatusCode)
		}
		b := wantBody(t, "district board", desk.Get("/daily-reports/board"), 200, "零报告看板", "示范区", "2026-11-27 周五", "截止 17:00",
			`href="/api/v1/daily-reports/board.xlsx?date=2026-11-27&amp;org_id=`+itoa(env.OrgID("SFQ"))+`"`)
		if row := unitRow(t, b, qs); !strings.Contains(row, "青山镇") || !strings.Contains(row, "按时") || !strings.Contains(row, "10:00") {
			t.Errorf("青山镇's row: %s", row)
		}
		if row := unitRow(t, b, dc); !strings.Contains(row, "待报") {
			t.Errorf("东城街道's row: %s", row)
		}
		if c := pageCounts(b); c["on_time"] != "1" || c["pending"] != "11" || c["missing"] != "0" || c["late"] != "0" {
			t.Errorf("counts %v", c)
		}
		if strings.Contains(b, `dr-stat bad`) {
			t.Error("a count is red with nothing late or missing")
		}
		if strings.Contains(b, `<tr data-org="`+itoa(village)+`"`) {
			t.Error("the district board lists a village")
		}

		// The township's board lists its villages, with the items they report.
		r := town.SendJSON("POST", "/api/v1/daily-reports", map[string]any{"org_id": village,
			"safety":    map[string]any{"nothing_to_report": true},
			"stability": map[string]any{"items": []map[string]any{{"category": "群体性事件", "summary": "十余名村民因征地补偿聚集村委会", "severity": "urgent", "follow_up": true}}}})
		if r.StatusCode != 201 {
			t.Fatalf("village report: %d %s", r.StatusCode, r.Body)
		}
		var itemID int64
		if err := env.App.DB.QueryRow(context.Background(), "SELECT id FROM daily_report_items WHERE summary = ?", "十余名村民因征地补偿聚集村委会").Scan(&itemID); err != nil {
			t.Fatal(err)
		}
		tb := wantBody(t, "township board", town.Get("/daily-reports/board?org_id="+itoa(qs)), 200, "十余名村民因征地补偿聚集村委会", "紧急", "需跟进", "签收", "转为后续任务",
			`dr-item-urgent`, `action="/daily-reports/items/`+itoa(itemID)+`/acknowledge"`)
		if row := unitRow(t, tb, village); !strings.Contains(row, "按时") || !strings.Contains(row, "有情况") {
			t.Errorf("上坪村's row: %s", row)
		}
		wantNot(t, "township board", tb, `<tr data-org="`+itoa(dc)+`"`)

		back := "/daily-reports/board?date=2026-11-27&org_id=" + itoa(qs)
		audits := env.AuditCount("dailyreport.acknowledge", "ok")
		r = town.PostForm("/daily-reports/items/"+itoa(itemID)+"/acknowledge", url.Values{"back": {back}})
		if r.StatusCode != 303 || r.Header.Get("Location") != back+"#item-"+itoa(itemID) {
			t.Fatalf("acknowledge: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if n := count(t, env, "SELECT count(*) FROM daily_report_items WHERE id = ? AND acknowledged_at IS NOT NULL AND acknowledged_by = ?", itemID, env.UserID("qingshan")); n != 1 {
			t.Error("the item is not acknowledged")
		}
		if env.AuditCount("dailyreport.acknowledge", "ok") != audits+1 {
			t.Error("the acknowledgement is not audited")
		}
		wantBody(t, "after acknowledging", town.Get(back), 200, "已签收", "已签收 10:00")

		audits = env.AuditCount("dailyreport.followup", "ok")
		r = town.PostForm("/daily-reports/items/"+itoa(itemID)+"/followup", url.Values{"back": {back}, "title": {"核实征地补偿诉求"}, "due_date": {"2026-12-04"}})
		if r.StatusCode != 303 {
			t.Fatalf("follow-up: %d %.300s", r.StatusCode, r.Body)
		}
		var fid int64
		if err := env.App.DB.QueryRow(context.Background(), "SELECT id FROM followups WHERE item_id = ? AND title = ? AND due_day = '2026-12-04'", itemID, "核实征地补偿诉求").Scan(&fid); err != nil {
			t.Fatalf("no follow-up task: %v", err)
		}
		if n := count(t, env, "SELECT count(*) FROM daily_report_items WHERE id = ? AND link_kind = 'followup' AND link_ref = ?", itemID, itoa(fid)); n != 1 {
			t.Error("the item is not linked to its task")
		}
		if env.AuditCount("dailyreport.followup", "ok") != audits+1 {
			t.Error("the follow-up is not audited")
		}
		wantBody(t, "after the follow-up", town.Get(back), 200, "后续任务 #"+itoa(fid))
		// A second follow-up of the same item conflicts; a foreign item is not there.
		if r := town.PostForm("/daily-reports/items/"+itoa(itemID)+"/followup", url.Values{"title": {"再来一次"}}); r.StatusCode != 409 {
			t.Errorf("second follow-up: %d", r.StatusCode)
		}
		if r := env.SignIn("wanggeyuan").PostForm("/daily-reports/items/"+itoa(itemID)+"/acknowledge", nil); r.StatusCode != 404 {
			t.Errorf("the grid worker acknowledged: %d", r.StatusCode)
		}
		if r := town.PostForm("/daily-reports/items/"+itoa(itemID)+"/acknowledge", url.Values{"back": {"https://evil.example/"}}); r.Header.Get("Location") != "/daily-reports/board#item-"+itoa(itemID) {
			t.Errorf("an outside back address was followed: %s", r.Header.Get("Location"))
		}

		// After the deadline the silent units are missing, in red.
		classify(t, env, shanghai(11, 27, 17, 1))
		b = wantBody(t, "district board after the deadline", desk.Get("/daily-reports/board?date=2026-11-27"), 200)
		if c := pageCounts(b); c["on_time"] != "1" || c["missing"] != "11" || c["pending"] != "0" {
			t.Errorf("counts after the deadline %v", c)
		}
		if !strings.Contains(b, `dr-stat bad"><div class="n" id="count-missing">11<`) {
			t.Error("the missing count is not red")
		}
		if first := strings.Index(b, `<tr data-org="`); !strings.Contains(b[first:first+300], "未报") {
			t.Error("the missing units do not head the table")
		}
		wantBody(t, "the previous day", desk.Get("/daily-reports/board?date=2026-11-26"), 200, "2026-11-26 周四")
		for _, p := range []string{"/daily-reports/board?date=2026-13-01", "/daily-reports/board?date=x", "/daily-reports/board?org_id=0"} {
			if r := desk.Get(p); r.StatusCode != 400 {
				t.Errorf("%s: %d, want 400", p, r.StatusCode)
			}
		}
		if r := town.Get("/daily-reports/board?org_id=" + itoa(dc)); r.StatusCode != 404 {
			t.Errorf("another township's board: %d", r.StatusCode)
		}
		if r := env.SignIn("wanggeyuan").Get("/daily-reports/board"); r.StatusCode != 404 {
			t.Errorf("a grid worker's board: %d", r.StatusCode)
		}
		// The home page of a desk: today's counts with a link to the board.
		wantBody(t, "desk home", desk.Get("/"), 200, `id="daily-report"`, "示范区 所属单位今日报送", `href="/daily-reports/board"`, "未报")
	})
}

// The schedule page: district staff set it, a leader sees it, a township
// may not set it; check-in addresses are issued on the same page, shown once.
func TestSchedulePage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		ctx := context.Background()
		qs, dc := env.OrgID("SFQ-QS"), env.OrgID("SFQ-DC")
		desk, leader, town := env.SignIn("yjj"), env.SignIn("leader"), env.SignIn("qingshan")
		wantBody(t, "yjj's schedule", desk.Get("/daily-reports/schedule"), 200, `id="schedule-form"`, `name="tier_township" value="17:00"`, `name="period_2_start"`, "签到地址", "东城街道", "上坪村")
		b := wantBody(t, "the leader's schedule", leader.Get("/daily-reports/schedule"), 200, "乡镇（街道）截止时间", "17:00")
		wantNot(t, "the leader's schedule", b, `id="schedule-form"`, "生成地址")
		b = wantBody(t, "qingshan's schedule", town.Get("/daily-reports/schedule"), 200, "生成地址", "上坪村")
		wantNot(t, "qingshan's schedule", b, `id="schedule-form"`, "东城街道")
		if r := env.SignIn("wanggeyuan").Get("/daily-reports/schedule"); r.StatusCode != 404 {
			t.Errorf("a grid worker's schedule page: %d", r.StatusCode)
		}

		form := url.Values{"tier_township": {"16:30"}, "tier_village": {"15:30:00"},
			"period_0_name": {"元旦春节"}, "period_0_start": {"2026-12-20"}, "period_0_end": {"2027-02-20"}, "period_0_deadline": {"16:00"},
			"period_1_name": {""}, "period_1_start": {""}, "period_1_end": {""}, "period_1_deadline": {""}}
		audits := env.AuditCount("dailyreport.schedule", "ok")
		if r := leader.PostForm("/daily-reports/schedule", form); r.StatusCode != 403 {
			t.Errorf("the leader set the schedule: %d", r.StatusCode)
		}
		if r := town.PostForm("/daily-reports/schedule", form); r.StatusCode != 404 {
			t.Errorf("a township set the schedule: %d", r.StatusCode)
		}
		if r := town.PostForm("/daily-reports/schedule", url.Values{"period_0_start": {"junk"}}); r.StatusCode != 404 {
			t.Errorf("a township's bad schedule: %d", r.StatusCode)
		}
		r := desk.PostForm("/daily-reports/schedule", form)
		if r.StatusCode != 303 || r.Header.Get("Location") != "/daily-reports/schedule" {
			t.Fatalf("save: %d %.300s", r.StatusCode, r.Body)
		}
		sch, err := dailyreport.LoadSchedule(ctx, env.App.DB)
		if err != nil {
			t.Fatal(err)
		}
		if len(sch.Tiers) != 2 || sch.Tiers[0].Deadline != "16:30" || sch.Tiers[1].Deadline != "15:30" || len(sch.HeightenedPeriods) != 1 ||
			sch.HeightenedPeriods[0].Name != "元旦春节" || sch.HeightenedPeriods[0].Deadline != "16:00" || sch.HeightenedPeriods[0].End.String() != "2027-02-20" {
			t.Fatalf("saved %+v", sch)
		}
		if env.AuditCount("dailyreport.schedule", "ok") != audits+1 {
			t.Error("the schedule change is not audited")
		}
		wantBody(t, "after saving", desk.Get("/daily-reports/schedule"), 200, "报告设置已保存", `value="16:30"`, `value="元旦春节"`, `value="2026-12-20"`)
		wantBody(t, "the leader sees the period", leader.Get("/daily-reports/schedule"), 200, "元旦春节", "2027-02-20", "16:30")

		for _, tt := range []struct {
			name   string
			form   url.Values
			status int
			want   string
		}{
			{"25:00", url.Values{"tier_township": {"25:00"}}, 400, "HH:MM"},
			{"a bad date", url.Values{"period_0_start": {"2026-12-40"}, "period_0_end": {"2027-01-05"}}, 400, "2026-12-40"},
			{"overlapping", url.Values{"period_0_start": {"2026-12-20"}, "period_0_end": {"2027-01-05"}, "period_1_start": {"2027-01-01"}, "period_1_end": {"2027-02-01"}}, 422, "重叠"},
		} {
			b := wantBody(t, tt.name, desk.PostForm("/daily-reports/schedule", tt.form), tt.status, tt.want, `id="schedule-form"`)
			if tt.name == "overlapping" && !strings.Contains(b, `value="2027-02-01"`) {
				t.Errorf("%s: the form lost what was typed", tt.name)
			}
		}
		if env.AuditCount("dailyreport.schedule", "ok") != audits+1 {
			t.Error("a refused schedule was saved")
		}

		// A check-in address, shown once.
		r = desk.PostForm("/daily-reports/units/"+itoa(qs)+"/ping-token", nil)
		b = wantBody(t, "new address", r, 200, "青山镇 的新签到地址", "只显示这一次")
		m := regexp.MustCompile(`value="(http://[^"]+/ping/([a-z2-7]+))"`).FindStringSubmatch(b)
		if m == nil || !strings.HasPrefix(m[1], env.Server.URL+"/ping/") {
			t.Fatalf("no address on the page")
		}
		if r := env.Anonymous().Do("POST", "/ping/"+m[2], nil, ""); r.StatusCode != 201 {
			t.Fatalf("the address does not work: %d", r.StatusCode)
		}
		if n := count(t, env, "SELECT count(*) FROM daily_reports WHERE org_id = ? AND channel = 'ping'", qs); n != 1 {
			t.Errorf("%d check-ins", n)
		}
		b = wantBody(t, "schedule again", desk.Get("/daily-reports/schedule"), 200, "已设置", "更换地址")
		wantNot(t, "schedule again", b, m[2])
		if r := leader.PostForm("/daily-reports/units/"+itoa(qs)+"/ping-token", nil); r.StatusCode != 403 {
			t.Errorf("the leader issued an address: %d", r.StatusCode)
		}
		if r := town.PostForm("/daily-reports/units/"+itoa(dc)+"/ping-token", nil); r.StatusCode != 404 {
			t.Errorf("a township issued another's address: %d", r.StatusCode)
		}
		if r := desk.PostForm("/daily-reports/units/"+itoa(env.OrgID("SFQ-YJJ"))+"/ping-token", nil); r.StatusCode != 422 {
			t.Errorf("an address for a non-reporting org: %d", r.StatusCode)
		}
	})
}

// Every page speaks Chinese and English: no message key shows through.
func TestPagesTranslated(t *testing.T) {
	env := apptest.Start(t, dbtest.SQLite(t))
	qs := env.OrgID("SFQ-QS")
	town := env.SignIn("qingshan")
	r := town.PostForm("/daily-reports", url.Values{"org_id": {itoa(qs)}, "safety_mode": {"items"}, "safety_0_category": {"火灾"}, "safety_0_summary": {"仓库起火，已扑灭"},
		"safety_0_severity": {"serious"}, "safety_0_follow": {"1"}, "stability_mode": {"nothing"}})
	if r.StatusCode != 303 {
		t.Fatalf("report: %d", r.StatusCode)
	}
	receipt := r.Header.Get("Location")
	pages := map[string][]string{
		"qingshan": {"/", "/daily-reports/new", "/daily-reports/new?choose=1", receipt, "/daily-reports/board", "/daily-reports/units/" + itoa(qs), "/daily-reports/stats", "/daily-reports/schedule"},
		"yjj":      {"/", "/daily-reports/new", "/daily-reports/board", "/daily-reports/stats", "/daily-reports/schedule"},
	}
	for _, lang := range []string{"zh", "en"} {
		for login, paths := range pages {
			c := env.SignIn(login)
			c.Get("/lang?to=" + lang + "&back=/")
			for _, p := range paths {
				b := wantBody(t, lang+" "+login+" "+p, c.Get(p), 200)
				if m := regexp.MustCompile(`(nav\.dailyreport|dailyreport\.[a-z_.]+)`).FindString(b); m != "" {
					t.Errorf("%s %s %s: the message key %s shows", lang, login, p, m)
				}
				if lang == "en" && !strings.Contains(b, `lang="en"`) {
					t.Errorf("%s %s: not in English", login, p)
				}
			}
		}
	}
	// A few English words where they belong.
	c := env.SignIn("qingshan")
	c.Get("/lang?to=en&back=/")
	wantBody(t, "English form", c.Get("/daily-reports/new"), 200, "Reported today", "Correct to: nothing to report", "Work safety")
	desk := env.SignIn("yjj")
	desk.Get("/lang?to=en&back=/")
	wantBody(t, "English board", desk.Get("/daily-reports/board"), 200, "Daily report board", "Pending", "Acknowledge", "仓库起火，已扑灭", "Serious")
}
