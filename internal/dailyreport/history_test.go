package dailyreport_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

type history struct {
	OrgID int64  `json:"org_id"`
	Name  string `json:"name"`
	Month string `json:"month"`
	Days  []struct {
		Date        string `json:"date"`
		Status      string `json:"status"`
		MinutesLate int    `json:"minutes_late"`
		Versions    int    `json:"versions"`
	} `json:"days"`
}

func (h history) day(date string) (status string, late, versions int) {
	for _, d := range h.Days {
		if d.Date == date {
			return d.Status, d.MinutesLate, d.Versions
		}
	}
	return "absent", 0, 0
}

type counts struct {
	RequiredDays int      `json:"required_days"`
	OnTime       int      `json:"on_time"`
	Late         int      `json:"late"`
	Missing      int      `json:"missing"`
	OnTimeRate   *float64 `json:"on_time_rate"`
}

type stats struct {
	From  string `json:"from"`
	To    string `json:"to"`
	OrgID int64  `json:"org_id"`
	Units []struct {
		OrgID int64  `json:"org_id"`
		Name  string `json:"name"`
		counts
	} `json:"units"`
	Total counts `json:"total"`
}

// scenario makes a week of reporting (the apptest clock starts on Friday
// 2026-11-27 at 10:00, a working day; the weekend needs no report):
//
//	青山镇   Fri on time; Mon late by 60 min (after the deadline's classification); Tue missing; Wed pending
//	东城街道 Fri missing; Mon on time (filed by district staff); Tue on time
//	others   missing every day
//
// and leaves the clock on Wednesday 2026-12-02 at 10:00.
func scenario(t *testing.T, env *apptest.Env) {
	t.Helper()
	qs, dc := env.OrgID("SFQ-QS"), env.OrgID("SFQ-DC")
	town, desk := env.TokenClient("qingshan"), env.TokenClient("yjj")
	file := func(c *apptest.Client, orgID int64) {
		t.Helper()
		if r := c.SendJSON("POST", "/api/v1/daily-reports", nothing(orgID)); r.StatusCode != 201 {
			t.Fatalf("report for %d: %d %s", orgID, r.StatusCode, r.Body)
		}
	}
	classify(t, env, shanghai(11, 27, 10, 0))
	file(town, qs)
	classify(t, env, shanghai(11, 27, 17, 1))
	classify(t, env, shanghai(11, 30, 9, 0))
	file(desk, dc)
	classify(t, env, shanghai(11, 30, 17, 30))
	env.Clock.Set(shanghai(11, 30, 18, 0))
	file(town, qs) // late: 60 minutes
	file(town, qs) // a correction: version 2
	classify(t, env, shanghai(12, 1, 11, 0))
	file(desk, dc)
	classify(t, env, shanghai(12, 1, 17, 5))
	classify(t, env, shanghai(12, 2, 10, 0))
}

func TestHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		scenario(t, env)
		qs, dc := env.OrgID("SFQ-QS"), env.OrgID("SFQ-DC")
		desk := env.TokenClient("yjj")

		var h history
		r := desk.Get("/api/v1/daily-reports/history?org_id=" + itoa(qs) + "&month=2026-11")
		r.JSON(t, &h)
		if r.StatusCode != 200 || h.OrgID != qs || h.Name != "青山镇" || h.Month != "2026-11" || len(h.Days) != 30 {
			t.Fatalf("November: %d %+v", r.StatusCode, h)
		}
		for _, tt := range []struct {
			date, status   string
			late, versions int
		}{
			{"2026-11-02", "not_required", 0, 0}, // before reporting began on this install
			{"2026-11-26", "not_required", 0, 0},
			{"2026-11-27", "on_time", 0, 1},
			{"2026-11-28", "not_required", 0, 0}, // Saturday
			{"2026-11-29", "not_required", 0, 0},
			{"2026-11-30", "late", 60, 2},
		} {
			if s, late, v := h.day(tt.date); s != tt.status || late != tt.late || v != tt.versions {
				t.Errorf("%s: %s, %d min late, %d versions; want %s, %d, %d", tt.date, s, late, v, tt.status, tt.late, tt.versions)
			}
		}
		// The board agrees with the calendar: a working day before reporting
		// began is not required, not missing.
		for _, tt := range []struct{ date, status string }{{"2026-11-26", "not_required"}, {"2026-11-27", "on_time"}, {"2026-12-01", "missing"}} {
			var b struct {
				Counts map[string]int `json:"counts"`
				Units  []struct {
					OrgID  int64  `json:"org_id"`
					Status string `json:"status"`
				} `json:"units"`
			}
			desk.Get("/api/v1/daily-reports/board?date="+tt.date).JSON(t, &b)
			got := ""
			for _, u := range b.Units {
				if u.OrgID == qs {
					got = u.Status
				}
			}
			if got != tt.status {
				t.Errorf("board of %s: 青山镇 %q, want %q", tt.date, got, tt.status)
			}
			if tt.date == "2026-11-26" && (b.Counts["missing"] != 0 || b.Counts["not_required"] != len(b.Units)) {
				t.Errorf("board of %s before reporting began: counts %v", tt.date, b.Counts)
			}
		}
		desk.Get("/api/v1/daily-reports/history?org_id="+itoa(qs)+"&month=2026-12").JSON(t, &h)
		for _, tt := range []struct{ date, status string }{
			{"2026-12-01", "missing"}, {"2026-12-02", "pending"}, {"2026-12-03", "pending"}, {"2026-12-05", "not_required"}, {"2026-12-31", "pending"},
		} {
			if s, _, _ := h.day(tt.date); s != tt.status {
				t.Errorf("%s: %s, want %s", tt.date, s, tt.status)
			}
		}
		if len(h.Days) != 31 || h.Month != "2026-12" {
			t.Errorf("December has %d days (%s)", len(h.Days), h.Month)
		}
		// The default month is this one.
		desk.Get("/api/v1/daily-reports/history?org_id="+itoa(dc)).JSON(t, &h)
		if s, _, _ := h.day("2026-12-01"); h.Month != "2026-12" || s != "on_time" {
			t.Errorf("东城街道 this month: %s, 12-01 %s", h.Month, s)
		}

		// The page: a month calendar coloured by status, linking to receipts.
		town := env.SignIn("qingshan")
		b := wantBody(t, "calendar", town.Get("/daily-reports/units/"+itoa(qs)+"?month=2026-11"), 200, "青山镇", "报送日历", "2026 年 11 月",
			`data-date="2026-11-27" data-status="on_time"`, `data-date="2026-11-30" data-status="late"`, `data-date="2026-11-28" data-status="not_required"`,
			`rel="prev"`, `?month=2026-10`, `?month=2026-12`, "迟 60 分钟")
		if !strings.Contains(b, `<a class="d dr-d dr-d-on_time`) {
			t.Error("the reported day does not link to its receipt")
		}
		b = wantBody(t, "calendar of December", town.Get("/daily-reports/units/"+itoa(qs)), 200, `data-date="2026-12-01" data-status="missing"`, "2026 年 12 月",
			`href="/daily-reports/new?org_id=`+itoa(qs)+`&amp;date=2026-12-01"`, `dr-today`)
		if !strings.Contains(b, `id="m-missing">1<`) || !strings.Contains(b, `id="m-on_time">0<`) {
			t.Error("the month's counts are wrong")
		}
		// A late report for the missing day from the calendar's link.
		wantBody(t, "a past day's form", town.Get("/daily-reports/new?org_id="+itoa(qs)+"&date=2026-12-01"), 200, "2026-12-01", "当日无事 报平安", `name="date" value="2026-12-01"`, "已过截止时间")

		for _, tt := range []struct {
			name   string
			c      *apptest.Client
			path   string
			status int
		}{
			{"out of scope", env.TokenClient("qingshan"), "/api/v1/daily-reports/history?org_id=" + itoa(dc), 404},
			{"out of scope page", town, "/daily-reports/units/" + itoa(dc), 404},
			{"a grid worker", env.TokenClient("wanggeyuan"), "/api/v1/daily-reports/history?org_id=" + itoa(env.OrgID("SFQ-QS-01")), 404},
			{"no such org", desk, "/api/v1/daily-reports/history?org_id=999999", 404},
			{"not a reporting unit", desk, "/api/v1/daily-reports/history?org_id=" + itoa(env.OrgID("SFQ-YJJ")), 422},
			{"no org", desk, "/api/v1/daily-reports/history?month=2026-11", 400},
			{"junk org", desk, "/api/v1/daily-reports/history?org_id=abc", 400},
			{"month 13", desk, "/api/v1/daily-reports/history?org_id=" + itoa(qs) + "&month=2026-13", 400},
			{"short month", desk, "/api/v1/daily-reports/history?org_id=" + itoa(qs) + "&month=2026-1", 400},
			{"a date for a month", desk, "/api/v1/daily-reports/history?org_id=" + itoa(qs) + "&month=2026-11-01", 400},
			{"bad month page", town, "/daily-reports/units/" + itoa(qs) + "?month=x", 400},
			{"junk unit page", town, "/daily-reports/units/x", 404},
		} {
			if r := tt.c.Get(tt.path); r.StatusCode != tt.status {
				t.Errorf("%s: %d, want %d: %.200s", tt.name, r.StatusCode, tt.status, r.Body)
			}
		}
	})
}

func TestStats(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		scenario(t, env)
		qs, dc := env.OrgID("SFQ-QS"), env.OrgID("SFQ-DC")
		desk := env.TokenClient("yjj")

		var st stats
		r := desk.Get("/api/v1/daily-reports/stats?from=2026-11-01&to=2026-12-31")
		r.JSON(t, &st)
		if r.StatusCode != 200 || st.From != "2026-11-01" || st.To != "2026-12-31" || st.OrgID != env.OrgID("SFQ") || len(st.Units) != 12 {
			t.Fatalf("stats: %d %s", r.StatusCode, r.Body)
		}
		// Counted: Fri 27, Mon 30, Tue 1 (Wednesday's deadline is ahead; earlier days predate reporting).
		rate := func(c counts) float64 {
			if c.OnTimeRate == nil {
				return -1
			}
			return *c.OnTimeRate
		}
		want := map[int64]counts{qs: {3, 1, 1, 1, nil}, dc: {3, 2, 0, 1, nil}}
		wantRate := map[int64]float64{qs: 0.3333, dc: 0.6667}
		for i, u := range st.Units {
			w, special := want[u.OrgID]
			if !special {
				w = counts{RequiredDays: 3, Missing: 3}
			}
			if u.RequiredDays != w.RequiredDays || u.OnTime != w.OnTime || u.Late != w.Late || u.Missing != w.Missing || rate(u.counts) != wantRate[u.OrgID] {
				t.Errorf("%s: %+v rate %v, want %+v rate %v", u.Name, u.counts, rate(u.counts), w, wantRate[u.OrgID])
			}
			if i > 0 && rate(st.Units[i-1].counts) > rate(u.counts) {
				t.Errorf("not sorted by rate: %s after %s", u.Name, st.Units[i-1].Name)
			}
		}
		if st.Units[10].OrgID != qs || st.Units[11].OrgID != dc {
			t.Errorf("the best units are not last: %s, %s", st.Units[10].Name, st.Units[11].Name)
		}
		if tot := st.Total; tot.RequiredDays != 36 || tot.OnTime != 3 || tot.Late != 1 || tot.Missing != 32 || rate(tot) != 0.0833 {
			t.Errorf("total %+v rate %v", tot, rate(tot))
		}

		// A township's statistics are its villages'; one day only.
		var ts stats
		env.TokenClient("qingshan").Get("/api/v1/daily-reports/stats?org_id="+itoa(qs)+"&from=2026-12-01&to=2026-12-01").JSON(t, &ts)
		if len(ts.Units) != 8 || ts.Total.RequiredDays != 8 || ts.Total.Missing != 8 || rate(ts.Total) != 0 {
			t.Errorf("the township's villages on 12-01: %d units, %+v", len(ts.Units), ts.Total)
		}
		// Nothing counted yet: the rate is null, not zero.
		desk.Get("/api/v1/daily-reports/stats?from=2026-12-02&to=2026-12-02").JSON(t, &st)
		if st.Total.RequiredDays != 0 || st.Total.OnTimeRate != nil || st.Units[0].OnTimeRate != nil {
			t.Errorf("a day before its deadline counted: %+v", st.Total)
		}

		// The page: a table sorted by rate with a bar per unit.
		b := wantBody(t, "stats page", env.SignIn("yjj").Get("/daily-reports/stats?from=2026-11-01&to=2026-12-31"), 200, "报送统计", "8.3%", "33.3%", "66.7%",
			`width="66.7"`, `width="33.3"`, `href="/api/v1/daily-reports/stats.xlsx?from=2026-11-01&amp;org_id=`)
		if strings.Index(b, `<tr data-org="`+itoa(qs)+`"`) > strings.Index(b, `<tr data-org="`+itoa(dc)+`"`) {
			t.Error("the page is not sorted by on-time rate")
		}
		wantBody(t, "stats default period", env.SignIn("qingshan").Get("/daily-reports/stats"), 200, `value="2026-12-01"`, `value="2026-12-31"`, "上坪村")

		for _, tt := range []struct {
			name   string
			c      *apptest.Client
			path   string
			status int
		}{
			{"out of scope", env.TokenClient("qingshan"), "/api/v1/daily-reports/stats?org_id=" + itoa(dc), 404},
			{"no view", env.TokenClient("wanggeyuan"), "/api/v1/daily-reports/stats", 404},
			{"bad from", desk, "/api/v1/daily-reports/stats?from=2026-02-30", 400},
			{"bad to", desk, "/api/v1/daily-reports/stats?to=12/01/2026", 400},
			{"backwards", desk, "/api/v1/daily-reports/stats?from=2026-12-02&to=2026-12-01", 400},
			{"too long", desk, "/api/v1/daily-reports/stats?from=2025-01-01&to=2026-12-01", 400},
			{"junk org", desk, "/api/v1/daily-reports/stats?org_id=-1", 400},
			{"bad page", env.SignIn("yjj"), "/daily-reports/stats?from=x", 400},
		} {
			if r := tt.c.Get(tt.path); r.StatusCode != tt.status {
				t.Errorf("%s: %d, want %d: %.200s", tt.name, r.StatusCode, tt.status, r.Body)
			}
		}
	})
}

func openXLSX(t *testing.T, r *apptest.Response, filename string) *excelize.File {
	t.Helper()
	if r.StatusCode != 200 {
		t.Fatalf("export: %d %.300s", r.StatusCode, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("content type %s", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="`+filename+`"` {
		t.Errorf("content disposition %s, want %s", cd, filename)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func rowsOf(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("sheet %s: the header row is not frozen (%+v, %v)", sheet, panes, err)
	}
	return rows
}

func findRow(rows [][]string, first string) []string {
	for _, r := range rows {
		if len(r) > 0 && r[0] == first {
			return r
		}
	}
	return nil
}

func TestExports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		scenario(t, env)
		qs, village := env.OrgID("SFQ-QS"), env.OrgID("SFQ-QS-01")
		desk := env.TokenClient("yjj")
		town := env.TokenClient("qingshan")
		if r := town.SendJSON("POST", "/api/v1/daily-reports", map[string]any{"org_id": village, "safety": map[string]any{"nothing_to_report": true},
			"stability": map[string]any{"items": []map[string]any{{"category": "矛盾纠纷", "summary": "=1+1 两户宅基地边界争执", "place": "上坪村", "severity": "serious", "follow_up": true}}}}); r.StatusCode != 201 {
			t.Fatalf("village report: %d", r.StatusCode)
		}
		district := env.OrgID("SFQ")
		exports := env.AuditCount("dailyreport.export", "ok")

		f := openXLSX(t, desk.Get("/api/v1/daily-reports/board.xlsx?date=2026-11-30"), "daily-report-board-"+itoa(district)+"-20261130.xlsx")
		units := rowsOf(t, f, "单位")
		if strings.Join(units[0], ",") != "单位,层级,状态,截止时间,报送时间,迟报分钟,版本数,无事报平安" || len(units) != 13 {
			t.Fatalf("单位: %d rows, header %v", len(units), units[0])
		}
		if r := findRow(units, "青山镇"); r == nil || r[2] != "迟报" || r[3] != "2026-11-30 17:00" || r[4] != "2026-11-30 18:00" || r[5] != "60" || r[6] != "2" || r[7] != "是" {
			t.Errorf("青山镇: %v", r)
		}
		if r := findRow(units, "东城街道"); r == nil || r[2] != "按时" || r[5] != "0" {
			t.Errorf("东城街道: %v", r)
		}
		if r := findRow(units, "柳河镇"); r == nil || r[2] != "未报" || r[4] != "" {
			t.Errorf("柳河镇: %v", r)
		}
		if items := rowsOf(t, f, "事项"); len(items) != 1 || items[0][3] != "摘要" {
			t.Errorf("事项 on a quiet day: %v", items)
		}

		f = openXLSX(t, town.Get("/api/v1/daily-reports/board.xlsx?org_id="+itoa(qs)), "daily-report-board-"+itoa(qs)+"-20261202.xlsx")
		items := rowsOf(t, f, "事项")
		if strings.Join(items[0], ",") != "单位,部分,类别,摘要,地点,时间,严重程度,需后续跟进,签收时间,后续任务" || len(items) != 2 {
			t.Fatalf("事项: %v", items)
		}
		if r := items[1]; r[0] != "上坪村" || r[1] != "信访稳定" || r[2] != "矛盾纠纷" || r[3] != "=1+1 两户宅基地边界争执" || r[6] != "较重" || r[7] != "是" {
			t.Errorf("item row %v", r)
		}
		if formula, _ := f.GetCellFormula("事项", "D2"); formula != "" {
			t.Errorf("a summary became a formula: %q", formula)
		}

		f = openXLSX(t, desk.Get("/api/v1/daily-reports/stats.xlsx?from=2026-11-01&to=2026-12-31"), "daily-report-stats-"+itoa(district)+"-20261101-20261231.xlsx")
		rows := rowsOf(t, f, "统计")
		if strings.Join(rows[0], ",") != "单位,应报天数,按时,迟报,未报,按时率" || len(rows) != 14 {
			t.Fatalf("统计: %d rows, header %v", len(rows), rows[0])
		}
		if r := findRow(rows, "东城街道"); r == nil || r[1] != "3" || r[2] != "2" || r[4] != "1" {
			t.Errorf("东城街道: %v", r)
		}
		if r := rows[13]; r[0] != "合计" || r[1] != "36" || r[2] != "3" || r[3] != "1" || r[4] != "32" {
			t.Errorf("total: %v", r)
		}
		if v, _ := f.GetCellValue("统计", "F14", excelize.Options{RawCellValue: true}); v != "0.0833" {
			t.Errorf("total rate cell %q", v)
		}
		if got := env.AuditCount("dailyreport.export", "ok"); got != exports+3 {
			t.Errorf("%d exports audited, want %d", got-exports, 3)
		}

		for _, tt := range []struct {
			name   string
			c      *apptest.Client
			path   string
			status int
		}{
			{"board out of scope", town, "/api/v1/daily-reports/board.xlsx?org_id=" + itoa(env.OrgID("SFQ-DC")), 404},
			{"board, bad date", desk, "/api/v1/daily-reports/board.xlsx?date=2026-11-31", 400},
			{"stats out of scope", town, "/api/v1/daily-reports/stats.xlsx?org_id=" + itoa(env.OrgID("SFQ-DC")), 404},
			{"stats, bad period", desk, "/api/v1/daily-reports/stats.xlsx?from=2026-12-02&to=2026-11-01", 400},
			{"no view", env.TokenClient("wanggeyuan"), "/api/v1/daily-reports/board.xlsx", 404},
		} {
			if r := tt.c.Get(tt.path); r.StatusCode != tt.status {
				t.Errorf("%s: %d, want %d", tt.name, r.StatusCode, tt.status)
			}
		}
	})
}
