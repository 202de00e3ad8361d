package hazard_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/hazard"
)

func TestParsePeriod(t *testing.T) {
	cases := []struct {
		in                  string
		code, from, to, due string
		bad                 bool
	}{
		{in: "2026Q1", code: "2026Q1", from: "2026-01-01", to: "2026-03-31", due: "2026-04-15"},
		{in: "2026q2", code: "2026Q2", from: "2026-04-01", to: "2026-06-30", due: "2026-07-15"},
		{in: "2026-Q3", code: "2026Q3", from: "2026-07-01", to: "2026-09-30", due: "2026-10-15"},
		{in: " 2026Q4 ", code: "2026Q4", from: "2026-10-01", to: "2026-12-31", due: "2027-01-15"},
		{in: "2026", code: "2026", from: "2026-01-01", to: "2026-12-31", due: "2027-01-31"},
		{in: "2028Q1", code: "2028Q1", from: "2028-01-01", to: "2028-03-31", due: "2028-04-15"},
		{in: "", bad: true}, {in: "2026Q5", bad: true}, {in: "2026Q0", bad: true}, {in: "26Q3", bad: true},
		{in: "2026-09", bad: true}, {in: "Q3", bad: true}, {in: "1999", bad: true}, {in: "2026Q3x", bad: true}, {in: "２０２６", bad: true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			p, err := hazard.ParsePeriod(c.in)
			if c.bad {
				must(t, err != nil, "%q parsed as %+v", c.in, p)
				return
			}
			must(t, err == nil, "%q: %v", c.in, err)
			must(t, p.Code == c.code && p.From == c.from && p.To == c.to && p.Due == c.due, "%q: %+v", c.in, p)
		})
	}
	today, _ := calendar.ParseDate("2026-11-27")
	must(t, hazard.DefaultPeriod(today).Code == "2026Q3", "default period on 11-27: %s", hazard.DefaultPeriod(today).Code)
	jan, _ := calendar.ParseDate("2027-01-10")
	must(t, hazard.DefaultPeriod(jan).Code == "2026Q4", "default period on 01-10: %s", hazard.DefaultPeriod(jan).Code)
	var up []string
	for _, p := range hazard.UpcomingDue(jan) {
		up = append(up, p.Code+"@"+p.Due)
	}
	must(t, strings.Join(up, ",") == "2026Q4@2027-01-15,2026@2027-01-31,2027Q1@2027-04-15,2027@2028-01-31", "upcoming on 01-10: %v", up)
}

// quarterlyBook opens a downloaded table and returns its rows as strings
// (formatted as Excel shows them) and the raw cell values.
func quarterlyBook(t *testing.T, body []byte) (shown, raw [][]string) {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("open the table: %v (%.200s)", err, body)
	}
	defer x.Close()
	if shown, err = x.GetRows(hazard.QuarterlySheet); err != nil {
		t.Fatal(err)
	}
	if raw, err = x.GetRows(hazard.QuarterlySheet, excelize.Options{RawCellValue: true}); err != nil {
		t.Fatal(err)
	}
	return shown, raw
}

// rowOf finds the data row of the enterprise named name (column B).
func rowOf(t *testing.T, rows [][]string, name string) []string {
	t.Helper()
	for _, r := range rows[hazard.QuarterlyHeaderRows:] {
		if len(r) > 1 && r[1] == name {
			return r
		}
	}
	t.Fatalf("no row for %s", name)
	return nil
}

// cols reads the figure columns D… of a row as the table's headers name them.
func cols(t *testing.T, header []string, row []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	groups := []string{"", "", "", "一般", "一般", "一般", "重大", "重大", "重大", "合计", "合计", "合计", "", "期末", "期末", "重大治理", "重大治理", "重大治理", ""}
	for i, h := range header {
		v := ""
		if i < len(row) {
			v = row[i]
		}
		out[groups[i]+h] = v
	}
	return out
}

// TestQuarterlyTable: the statistics table of one enterprise for a past
// quarter, the current one (未结束) and the year, and an org's table with a
// row per enterprise, checked cell by cell in the downloaded workbook; the
// scope, the enterprise contact's limits and malformed periods.
func TestQuarterlyTable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ent := f.entShangping
		onEnt := func(extra map[string]any) map[string]any {
			b := map[string]any{"enterprise_id": ent, "description": "测试隐患", "category": "fire"}
			for k, v := range extra {
				b[k] = v
			}
			return b
		}
		closeIt := func(id int64) {
			f.mustStep("wanggeyuan", id, map[string]any{"action": "submit_evidence", "comment": "已整改", "attachment_ids": []int64{f.photo("wanggeyuan")}})
			f.mustStep("qingshan", id, map[string]any{"action": "accept"})
		}
		// In the third quarter (the clock on 10 August).
		f.env.Clock.Set(at("2026-08-10 10:00"))
		a := f.register("qingshan", onEnt(map[string]any{"found_at": at("2026-08-03 09:00"), "deadline": "2026-08-20", "funds_yuan": 1500.5}))
		b := f.register("qingshan", onEnt(map[string]any{"found_at": at("2026-08-05 09:00"), "deadline": "2026-09-10", "funds_yuan": 200}))
		c := f.register("qingshan", f.major(map[string]any{"org_id": nil, "enterprise_id": ent, "found_at": at("2026-08-06 09:00"), "deadline": "2026-12-31", "funds_yuan": 50000,
			"major": map[string]any{"state_cause": "污水井未辨识", "harm": "中毒窒息", "plan_goal": "建立台账", "plan_method": "设置标志", "plan_funds": "5万元",
				"plan_staff": "安全科", "plan_schedule": "年底前", "plan_safety": "作业审批和应急预案"}}))
		dq2 := f.register("qingshan", onEnt(map[string]any{"found_at": at("2026-06-20 09:00"), "deadline": "2026-07-15"}))
		e := f.register("qingshan", onEnt(map[string]any{"found_at": at("2026-08-06 09:00"), "deadline": "2026-09-01", "funds_yuan": 999}))
		f.register("qingshan", map[string]any{"enterprise_id": f.entQingshan, "description": "后厨燃气软管老化", "category": "gas",
			"found_at": at("2026-08-07 09:00"), "deadline": "2026-12-01"})
		f.register("qingshan", f.general(map[string]any{"found_at": at("2026-08-07 09:00"), "deadline": "2026-09-01"})) // no enterprise: not in any table
		closeIt(a.ID)
		closeIt(dq2.ID)
		f.mustStep("yjj", e.ID, map[string]any{"action": "cancel", "reason": "重复登记"})
		f.mustStep("yjj", c.ID, map[string]any{"action": "supervise", "new_deadline": "2026-11-30", "comment": "区安委办挂牌督办"})
		// Back to 27 November: B is closed now (in the fourth quarter), F is found and overdue.
		f.env.Clock.Set(at("2026-11-27 10:00"))
		closeIt(b.ID)
		f.register("qingshan", onEnt(map[string]any{"found_at": at("2026-10-15 09:00"), "deadline": "2026-11-20"}))

		qiye := f.c("qiye")
		download := func(login, query string) (shown, raw [][]string) {
			t.Helper()
			r := f.c(login).Get("/api/v1/hazards/quarterly.xlsx?" + query)
			must(t, r.StatusCode == 200 && r.Header.Get("Content-Type") == hazard.XLSXType, "%s %s: %d %.300s", login, query, r.StatusCode, r.Body)
			must(t, strings.Contains(r.Header.Get("Content-Disposition"), "attachment"), "disposition %q", r.Header.Get("Content-Disposition"))
			return quarterlyBook(t, r.Body)
		}
		header := hazard.QuarterlyHeaders()
		exports := f.env.AuditCount("hazard.quarterly_export", "ok")

		t.Run("past quarter", func(t *testing.T) {
			shown, raw := download("qiye", "period=2026Q3")
			must(t, strings.HasPrefix(shown[0][0], "企业隐患排查治理情况统计表（2026年第三季度）") && !strings.Contains(shown[0][0], "未结束"), "title %q", shown[0][0])
			must(t, strings.Contains(shown[1][0], "上坪精细化工有限公司") && strings.Contains(shown[1][0], "91430000MA4L000001"), "unit line %q", shown[1][0])
			must(t, strings.Contains(shown[2][0], "报送期限：2026年10月15日前") && strings.Contains(shown[2][0], "2026-07-01 至 2026-09-30"), "period line %q", shown[2][0])
			must(t, shown[3][3] == "一般隐患" && shown[3][6] == "重大隐患" && shown[4][3] == "排查数（项）", "headers %v / %v", shown[3], shown[4])
			must(t, len(shown) > hazard.QuarterlyHeaderRows && strings.Contains(strings.Join(shown[len(shown)-1], ""), "主要负责人（签字）"), "the signature line: %v", shown[len(shown)-1])
			row := cols(t, header, rowOf(t, raw, "上坪精细化工有限公司"))
			want := map[string]string{
				"一般排查数（项）": "2", "一般已整改销号（项）": "1", "一般整改率": "0.5",
				"重大排查数（项）": "1", "重大已整改销号（项）": "0", "重大整改率": "0",
				"合计排查数（项）": "3", "合计已整改销号（项）": "1",
				"本期整改销号（含往期发现）": "2",
				"期末整改中（项）":      "2", "期末其中逾期（项）": "1",
				"重大治理未销号（项）": "1", "重大治理挂牌督办（项）": "1", "重大治理治理方案落实（项）": "1",
				"整改资金（元）": "51700.5",
			}
			for k, v := range want {
				must(t, row[k] == v, "Q3 %s = %q, want %q (row %v)", k, row[k], v, row)
			}
			r, _ := strconv.ParseFloat(row["合计整改率"], 64)
			must(t, r > 0.333 && r < 0.334, "Q3 closure rate %q", row["合计整改率"])
			// Shown as a percentage.
			shownRow := cols(t, header, rowOf(t, shown, "上坪精细化工有限公司"))
			must(t, shownRow["一般整改率"] == "50.0%", "the rate as shown: %q", shownRow["一般整改率"])
			must(t, len(raw) > hazard.QuarterlyHeaderRows+2 && strings.HasPrefix(strings.Join(raw[hazard.QuarterlyHeaderRows+2], ""), "说明"), "one enterprise, one row, then the notes: %v", raw[hazard.QuarterlyHeaderRows+1:])
		})

		t.Run("current quarter is marked", func(t *testing.T) {
			shown, raw := download("qiye", "period=2026Q4")
			must(t, strings.Contains(shown[0][0], "2026年第四季度，未结束"), "title %q", shown[0][0])
			must(t, strings.Contains(shown[2][0], "数据截至 2026-11-27") && strings.Contains(shown[2][0], "2027年1月15日前"), "period line %q", shown[2][0])
			row := cols(t, header, rowOf(t, raw, "上坪精细化工有限公司"))
			for k, v := range map[string]string{"一般排查数（项）": "1", "一般已整改销号（项）": "0", "一般整改率": "0", "重大排查数（项）": "0", "重大整改率": "—",
				"本期整改销号（含往期发现）": "1", "期末整改中（项）": "2", "期末其中逾期（项）": "1", "重大治理未销号（项）": "1", "重大治理挂牌督办（项）": "1", "整改资金（元）": "0"} {
				must(t, row[k] == v, "Q4 %s = %q, want %q", k, row[k], v)
			}
		})

		t.Run("year", func(t *testing.T) {
			_, raw := download("qingshan", "period=2026&enterprise_id="+itoa(ent))
			row := cols(t, header, rowOf(t, raw, "上坪精细化工有限公司"))
			for k, v := range map[string]string{"一般排查数（项）": "4", "一般已整改销号（项）": "3", "重大排查数（项）": "1", "合计排查数（项）": "5", "合计已整改销号（项）": "3",
				"合计整改率": "0.6", "本期整改销号（含往期发现）": "3", "期末整改中（项）": "2", "期末其中逾期（项）": "1", "整改资金（元）": "51700.5"} {
				must(t, row[k] == v, "2026 %s = %q, want %q", k, row[k], v)
			}
		})

		t.Run("org table", func(t *testing.T) {
			shown, raw := download("qingshan", "period=2026Q3&org_id="+itoa(f.env.OrgID("SFQ-QS")))
			must(t, strings.HasPrefix(shown[0][0], "企业隐患排查治理情况汇总表（2026年第三季度）"), "title %q", shown[0][0])
			must(t, strings.Contains(shown[1][0], "青山镇"), "scope line %q", shown[1][0])
			sp := cols(t, header, rowOf(t, raw, "上坪精细化工有限公司"))
			qs := cols(t, header, rowOf(t, raw, "青山老街饭店"))
			must(t, sp["合计排查数（项）"] == "3" && sp["整改资金（元）"] == "51700.5", "上坪 in the org table: %v", sp)
			must(t, qs["一般排查数（项）"] == "1" && qs["期末整改中（项）"] == "1" && qs["期末其中逾期（项）"] == "0", "青山老街饭店: %v", qs)
			names := map[string]bool{}
			var total []string
			sum := 0
			for _, r := range raw[hazard.QuarterlyHeaderRows:] {
				if len(r) > 1 && r[0] == "合计" {
					total = r
					break
				}
				if len(r) > 3 {
					names[r[1]] = true
					n, _ := strconv.Atoi(r[9])
					sum += n
				}
			}
			must(t, names["上坪精细化工有限公司"] && names["青山老街饭店"] && !names["东城购物中心"], "rows %v", names)
			must(t, total != nil && total[9] == strconv.Itoa(sum), "the total row %v, sum %d", total, sum)
			// The JSON says the same.
			var q hazard.Quarterly
			f.c("qingshan").Get("/api/v1/hazards/quarterly?period=2026Q3&org_id="+itoa(f.env.OrgID("SFQ-QS"))).JSON(t, &q)
			must(t, q.Scope == "org" && q.Ended && q.Period.Due == "2026-10-15" && q.Total.Found == sum && len(q.Rows) == len(names), "json %+v", q.Total)
			// The district's staff see the same enterprise rows.
			_, all := download("yjj", "period=2026Q3")
			must(t, cols(t, header, rowOf(t, all, "东城购物中心"))["合计排查数（项）"] == "0", "the district's table has 东城")
		})

		t.Run("scope and periods", func(t *testing.T) {
			dongcheng := f.loginOf("staff", "SFQ-DC")
			denied := f.env.AuditCount("", "denied")
			for _, c := range []struct {
				who, query string
				status     int
				field      string
			}{
				{"qiye", "period=2026Q3&enterprise_id=" + itoa(ent), 200, ""},
				{"qiye", "period=2026Q3&enterprise_id=" + itoa(f.entQingshan), 404, ""},      // another enterprise
				{"qiye", "period=2026Q3&org_id=" + itoa(f.env.OrgID("SFQ-QS-01")), 404, ""},  // its own village, as a whole
				{dongcheng, "period=2026Q3&enterprise_id=" + itoa(ent), 404, ""},             // another township's enterprise
				{dongcheng, "period=2026Q3&org_id=" + itoa(f.env.OrgID("SFQ-QS")), 404, ""},  // another township
				{"qingshan", "period=2026Q3&enterprise_id=999999", 404, ""},                  // no such enterprise
				{"auditor", "period=2026Q3", 404, ""},                                        // no hazard work
				{"qingshan", "period=2026Q3&org_id=" + itoa(f.env.OrgID("SFQ-DC")), 404, ""}, // 东城 from 青山
				{"qingshan", "period=2026Q5", 400, "period"},
				{"qingshan", "period=Q3-2026", 400, "period"},
				{"qingshan", "", 400, "period"},
				{"qingshan", "period=2027Q2", 400, "period"}, // not begun
				{"qingshan", "period=2026Q3&org_id=x", 400, "org_id"},
				{"qingshan", "period=2026Q3&org_id=1&enterprise_id=" + itoa(ent), 400, "org_id"},
			} {
				for _, path := range []string{"/api/v1/hazards/quarterly.xlsx?", "/api/v1/hazards/quarterly?"} {
					r := f.c(c.who).Get(path + c.query)
					must(t, r.StatusCode == c.status, "%s %s%s: %d %.200s, want %d", c.who, path, c.query, r.StatusCode, r.Body, c.status)
					if c.field != "" {
						must(t, r.ErrorCode() == apperr.EINVALID && r.ErrorField() == c.field, "%s%s: %s %s", path, c.query, r.ErrorCode(), r.ErrorField())
					}
				}
			}
			must(t, f.env.AuditCount("", "denied") >= denied+12, "refusals recorded: %d → %d", denied, f.env.AuditCount("", "denied"))
			// The enterprise contact's default is its own enterprise.
			var q hazard.Quarterly
			qiye.Get("/api/v1/hazards/quarterly?period=2026Q3").JSON(t, &q)
			must(t, q.Scope == "enterprise" && q.EnterpriseID == ent && len(q.Rows) == 1 && q.Rows[0].Found == 3, "qiye's default: %+v", q)
		})
		must(t, f.env.AuditCount("hazard.quarterly_export", "ok") >= exports+6, "downloads recorded: %d → %d", exports, f.env.AuditCount("hazard.quarterly_export", "ok"))

		t.Run("page", func(t *testing.T) {
			qs := f.env.SignIn("qingshan")
			r := qs.Get("/hazards/quarterly?org_id=" + itoa(f.env.OrgID("SFQ-QS")) + "&period=2026Q4")
			page := string(r.Body)
			must(t, r.StatusCode == 200 && strings.Contains(page, `id="running"`) && strings.Contains(page, "2027-01-15") && strings.Contains(page, "还有 49 天"), "Q4 page: %d", r.StatusCode)
			must(t, strings.Contains(page, "/api/v1/hazards/quarterly.xlsx?org_id="+itoa(f.env.OrgID("SFQ-QS"))+"&amp;period=2026Q4"), "download link")
			must(t, strings.Contains(page, "上坪精细化工有限公司") && strings.Contains(page, "青山老街饭店"), "the enterprises listed")
			r = qs.Get("/hazards/quarterly")
			must(t, r.StatusCode == 200 && strings.Contains(string(r.Body), `value="2026Q3" selected`) && strings.Contains(string(r.Body), "已过报送期限"), "default page: %d", r.StatusCode)
			r = qs.Get("/hazards/quarterly?period=2026Q9")
			must(t, r.StatusCode == 400 && strings.Contains(string(r.Body), `id="form-error"`), "bad period page: %d", r.StatusCode)
			r = qs.Get("/hazards/quarterly?period=2027Q3")
			must(t, r.StatusCode == 400 && strings.Contains(string(r.Body), "尚未开始") && strings.Contains(string(r.Body), `value="2026Q3" selected`), "a period not begun: %d", r.StatusCode)
			must(t, qs.Get("/hazards/quarterly?org_id=x").StatusCode == 400, "a malformed org")
			ent := f.env.SignIn("qiye")
			r = ent.Get("/hazards/quarterly")
			page = string(r.Body)
			must(t, r.StatusCode == 200 && strings.Contains(page, "上坪精细化工有限公司") && !strings.Contains(page, `name="org_id"`) && !strings.Contains(page, "青山老街饭店"), "qiye's page: %d", r.StatusCode)
			must(t, ent.Get("/hazards/quarterly?enterprise_id="+itoa(f.entQingshan)).StatusCode == 404, "qiye on another enterprise's page")
			must(t, strings.Contains(string(ent.Get("/hazards").Body), `href="/hazards/quarterly"`), "the ledger links qiye to its table")
		})
	})
}
