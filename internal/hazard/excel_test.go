package hazard_test

import (
	"bytes"
	"mime/multipart"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/hazard"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// readExport opens an exported workbook: the header and the data rows as maps.
func readExport(t *testing.T, body []byte) ([]string, []map[string]string) {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("open export: %v", err)
	}
	defer x.Close()
	rows, err := x.GetRows(hazard.SheetName)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 {
		t.Fatalf("export has %d rows", len(rows))
	}
	header := rows[1]
	var out []map[string]string
	for _, r := range rows[2:] {
		m := map[string]string{}
		for i, h := range header {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return header, out
}

// upload posts a workbook to the import API as login.
func upload(t *testing.T, c *apptest.Client, data []byte, fields map[string]string) *apptest.Response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", "台账.xlsx")
	fw.Write(data)
	w.Close()
	return c.Do("POST", "/api/v1/hazards/import", &b, w.FormDataContentType())
}

// book builds a workbook from rows (the first being the header unless a title comes first).
func book(t *testing.T, rows [][]any, merge ...string) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i+1 < len(merge); i += 2 {
		if err := x.MergeCell("Sheet1", merge[i], merge[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestExportImportRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.ledgerSet()
		// The set's hazards (all with the same responsible person; the demo's may be there too).
		only := "?q=" + url.QueryEscape("测试责任人")
		r := f.c("yjj").Get("/api/v1/hazards/export.xlsx" + only)
		must(t, r.StatusCode == 200 && r.Header.Get("Content-Type") == hazard.XLSXType, "export: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		must(t, strings.Contains(r.Header.Get("Content-Disposition"), "attachment"), "disposition %s", r.Header.Get("Content-Disposition"))
		header, rows := readExport(t, r.Body)
		var want []string
		for _, c := range hazard.Columns {
			want = append(want, c.Header)
		}
		must(t, reflect.DeepEqual(header, want), "header %v", header)
		must(t, reflect.DeepEqual(header[:21], []string{"序号", "检查地点", "存在问题及隐患", "隐患等级", "隐患类型", "隐患来源", "排查时间", "排查人员", "整改方式", "整改措施",
			"整改时间（期限）", "整改资金（元）", "整改单位", "整改责任人", "完成情况", "验收人", "督办单位", "督办人员", "销号日期", "整改前照片", "整改后照片"}), "ledger-columns order: %v", header[:21])
		must(t, len(rows) == 6, "rows %d", len(rows))
		byDesc := map[string]map[string]string{}
		for _, row := range rows {
			byDesc[row["存在问题及隐患"]] = row
		}
		closed := byDesc["后厨燃气软管老化开裂"]
		must(t, closed["完成情况"] == "已验收" && closed["验收人"] == "刘海波" && closed["销号日期"] == "2026-11-27" && closed["整改后照片"] == "1 张", "closed row %v", closed)
		must(t, byDesc["仓库消防通道堵塞"]["隐患等级"] == "重大隐患" && strings.Contains(byDesc["仓库消防通道堵塞"]["判定依据"], "工贸企业重大事故隐患判定标准"), "major row %v", byDesc["仓库消防通道堵塞"])
		// A qingshan export holds qingshan's hazards only.
		_, own := readExport(t, f.c("qingshan").Get("/api/v1/hazards/export.xlsx"+only).Body)
		must(t, len(own) == 5, "qingshan's export %d rows", len(own))

		// Into a fresh database, and out again: the same ledger.
		var d2 *db.DB
		if d.Dialect == db.Postgres {
			d2 = dbtest.Postgres(t)
		} else {
			d2 = dbtest.SQLite(t)
		}
		g := newFixture(t, d2)
		had := g.count("SELECT count(*) FROM hazards")
		res := upload(t, g.c("yjj"), r.Body, map[string]string{"dry_run": "1"})
		must(t, res.StatusCode == 200, "dry run: %d %s", res.StatusCode, res.Body)
		must(t, g.count("SELECT count(*) FROM hazards") == had, "a dry run wrote")
		registers := g.env.AuditCount("hazard.register", "")
		res = upload(t, g.c("yjj"), r.Body, nil)
		must(t, res.StatusCode == 201, "import: %d %s", res.StatusCode, res.Body)
		var ir hazard.ImportResult
		res.JSON(t, &ir)
		must(t, ir.Created == 6 && len(ir.Numbers) == 6, "result %+v", ir)
		must(t, g.env.AuditCount("hazard.import_file", "ok") == 1 && g.count("SELECT count(*) FROM audit_log WHERE action = 'hazard.import'") == 6 &&
			g.env.AuditCount("hazard.register", "") == registers, "import audited: one record per hazard and one for the file")
		// Importing the same file again is refused: the numbers are known.
		again := upload(t, g.c("yjj"), r.Body, nil)
		must(t, again.StatusCode == 422 && strings.Contains(string(again.Body), "已在系统中"), "second import: %d %.300s", again.StatusCode, again.Body)
		_, back := readExport(t, g.c("yjj").Get("/api/v1/hazards/export.xlsx"+only).Body)
		skip := map[string]bool{"序号": true, "隐患编号": true, "整改前照片": true, "整改后照片": true}
		norm := func(rows []map[string]string) []string {
			var out []string
			for _, row := range rows {
				var cells []string
				for _, h := range want {
					if !skip[h] {
						cells = append(cells, h+"="+row[h])
					}
				}
				out = append(out, strings.Join(cells, "|"))
			}
			sort.Strings(out)
			return out
		}
		a, b := norm(rows), norm(back)
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("row differs after the round trip:\n  %s\n  %s", a[i], b[i])
			}
		}
		// The imported states hold: overdue, closed, cancelled.
		must(t, g.count("SELECT count(*) FROM hazards WHERE status = 'closed' AND closed_by_name = '刘海波' AND description = '后厨燃气软管老化开裂'") == 1, "closed imported")
		must(t, g.count("SELECT count(*) FROM hazards WHERE status = 'cancelled' AND description = '重复登记的电气隐患'") == 1, "cancelled imported")
		must(t, g.count("SELECT count(*) FROM hazard_steps WHERE action = 'import'") == 6, "import steps")
		var overdue hazard.Page
		g.c("yjj").Get("/api/v1/hazards?overdue=1&q="+url.QueryEscape("测试责任人")).JSON(t, &overdue)
		must(t, len(overdue.Rows) == 2, "overdue after import: %+v", overdue.Rows)
	})
}

func TestImportRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		head := []any{"序号", "检查地点", "存在问题及隐患", "隐患类型", "排查时间", "整改时间（期限）", "完成情况"}
		row := func(desc, found, deadline string) []any {
			return []any{1, "镇政府", desc, "电气", found, deadline, "整改中"}
		}
		cases := []struct {
			name   string
			data   []byte
			status int
			column string
			cell   string
			text   string
			rows   int // problems, when not 0
		}{
			{"missing column", book(t, [][]any{{"序号", "存在问题及隐患", "整改时间"}, {1, "电线老化", "2026-12-01"}}), 422, "排查时间", "", "缺少必填列", 0},
			{"merged header", book(t, [][]any{{"隐患台账"}, {"序号", "存在问题及隐患", "", "排查时间", "整改时间"}, {1, "电线老化", "", "2026-11-20", "2026-12-01"}}, "A1", "E1", "B2", "C2"), 422, "", "B2:C2", "合并单元格", 0},
			{"merged data cells", book(t, [][]any{head, row("电线老化", "2026-11-20", "2026-12-01"), row("", "2026-11-20", "2026-12-01")}, "C2", "C3"), 422, "存在问题及隐患", "C2:C3", "合并单元格", 1},
			{"date as text", book(t, [][]any{head, row("电线老化", "2026-11-20", "下周一")}), 422, "整改时间（期限）", "F2", "下周一", 0},
			{"date before 1990", book(t, [][]any{head, row("电线老化", "1989-12-31", "2026-12-01")}), 422, "排查时间", "E2", "1990", 0},
			{"finding date as text", book(t, [][]any{head, row("电线老化", "上个月", "2026-12-01")}), 422, "排查时间", "E2", "不是日期", 0},
			{"deadline before the finding", book(t, [][]any{head, row("电线老化", "2026-11-20", "2026-11-10")}), 422, "整改时间（期限）", "", "早于", 0},
			{"unknown category", book(t, [][]any{head, {1, "x", "电线老化", "地震", "2026-11-20", "2026-12-01", ""}}), 422, "隐患类型", "", "地震", 0},
			{"unknown status", book(t, [][]any{head, {1, "x", "电线老化", "电气", "2026-11-20", "2026-12-01", "差不多"}}), 422, "完成情况", "", "差不多", 0},
			{"not a workbook", []byte("MZ\x90\x00 this is an executable"), 400, "", "", ".xlsx", 0},
			{"no header", book(t, [][]any{{"a", "b"}, {"1", "2"}}), 400, "", "", "表头", 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				n := f.count("SELECT count(*) FROM hazards")
				r := upload(t, f.c("qingshan"), c.data, nil)
				if r.StatusCode != c.status {
					t.Fatalf("%d %s, want %d", r.StatusCode, r.Body, c.status)
				}
				if !strings.Contains(string(r.Body), c.text) {
					t.Fatalf("the answer does not say %q: %s", c.text, r.Body)
				}
				if c.status == 422 {
					var rej sheet.RejectedBody
					r.JSON(t, &rej)
					must(t, len(rej.Rows) > 0 && rej.Error.Code == apperr.ERULE, "no rows: %s", r.Body)
					must(t, c.rows == 0 || len(rej.Rows) == c.rows, "%d problems, want %d: %s", len(rej.Rows), c.rows, r.Body)
					e := rej.Rows[0]
					must(t, e.Sheet == "Sheet1" && e.Row > 0, "where: %+v", e)
					if c.column != "" {
						must(t, e.Column == c.column, "column %q, want %q", e.Column, c.column)
					}
					if c.cell != "" {
						must(t, e.Cell == c.cell, "cell %q, want %q", e.Cell, c.cell)
					}
				}
				must(t, f.count("SELECT count(*) FROM hazards") == n, "a refused import wrote")
			})
		}
		t.Run("the page lists the problems", func(t *testing.T) {
			n := f.count("SELECT count(*) FROM hazards")
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			w.WriteField("org_id", itoa(f.env.OrgID("SFQ-QS")))
			fw, _ := w.CreateFormFile("file", "台账.xlsx")
			fw.Write(book(t, [][]any{head, row("电线老化", "2026-11-20", "下周一")}))
			w.Close()
			r := f.env.SignIn("qingshan").Do("POST", "/hazards/import", &b, w.FormDataContentType())
			body := string(r.Body)
			must(t, r.StatusCode == 422 && strings.Contains(body, "发现问题，未写入任何数据") && strings.Contains(body, "F2") && strings.Contains(body, "下周一") &&
				strings.Contains(body, `name="org_id"`), "page: %d %.600s", r.StatusCode, body)
			must(t, f.count("SELECT count(*) FROM hazards") == n, "a refused import wrote")
		})
		t.Run("variants accepted, all or nothing", func(t *testing.T) {
			// Close variants of the headers, a title row, four ways of writing a date, 万元.
			data := book(t, [][]any{
				{"青山镇隐患排查治理台账（2026年）"},
				{"序 号", "隐患部位", "隐患描述", "隐患级别", "类别", "发现日期", "检查人", "整改措施", "整改期限", "整改资金（万元）", "责任单位", "责任人", "整改情况", "属地"},
				{1, "镇卫生院", "配电房无绝缘垫", "一般", "电气", "2026/11/20", "张三", "铺设绝缘垫", "2026年12月1日", 0.15, "镇卫生院", "李四", "整改中", "青山镇"},
				{2, "竹园村", "村民自建房燃气管道私接", "一般隐患", "燃气", "2026.11.21", "王五", "", 46358, "", "竹园村委会", "", "", "竹园村"},
				{3, "", "学校围墙开裂", "", "", "2026-11-22", "", "", "2026-12-20", "", "", "", "待验收", ""},
			}, "A1", "N1")
			r := upload(t, f.c("qingshan"), data, map[string]string{"org_id": itoa(f.env.OrgID("SFQ-QS"))})
			must(t, r.StatusCode == 201, "import: %d %s", r.StatusCode, r.Body)
			must(t, f.count("SELECT count(*) FROM hazards WHERE description = '配电房无绝缘垫' AND funds_cents = 150000 AND deadline = '2026-12-01' AND found_day = '2026-11-20' AND status = 'rectifying'") == 1, "row 1")
			must(t, f.count("SELECT count(*) FROM hazards h JOIN orgs o ON o.id = h.territory_org_id WHERE h.description = '村民自建房燃气管道私接' AND h.deadline = '2026-12-02' AND o.name = '竹园村' AND h.category = 'gas'") == 1, "row 2 (Excel date)")
			must(t, f.count("SELECT count(*) FROM hazards WHERE description = '学校围墙开裂' AND status = 'awaiting_acceptance' AND category = 'other'") == 1, "row 3")
			// One bad row among good ones: nothing at all is written.
			n := f.count("SELECT count(*) FROM hazards")
			bad := book(t, [][]any{head, row("好的一行", "2026-11-20", "2026-12-01"), row("坏的一行", "2026-11-20", "明天"), row("又一行", "2026-11-20", "2026-12-02")})
			r = upload(t, f.c("qingshan"), bad, nil)
			must(t, r.StatusCode == 422 && strings.Contains(string(r.Body), "F3"), "one bad row: %d %s", r.StatusCode, r.Body)
			must(t, f.count("SELECT count(*) FROM hazards") == n, "partial import")
			// A date that is no date does not keep the other rows from being
			// checked, nor is its cell reported again as blank; problems come
			// in row order.
			bad = book(t, [][]any{head, row("坏的一行", "2026-11-20", "明天"), {1, "x", "又一行", "地震", "2026-11-20", "2026-12-01", ""}})
			r = upload(t, f.c("qingshan"), bad, nil)
			var rej sheet.RejectedBody
			r.JSON(t, &rej)
			must(t, r.StatusCode == 422 && len(rej.Rows) == 2 && rej.Rows[0].Cell == "F2" && strings.Contains(rej.Rows[0].Message, "明天") &&
				rej.Rows[1].Row == 3 && rej.Rows[1].Column == "隐患类型", "every problem once: %d %s", r.StatusCode, r.Body)
			must(t, f.count("SELECT count(*) FROM hazards") == n, "partial import")
			// Out of scope territory.
			r = upload(t, f.c("qingshan"), book(t, [][]any{{"存在问题及隐患", "排查时间", "整改时间", "属地"}, {"x", "2026-11-20", "2026-12-01", "东城街道"}}), nil)
			must(t, r.StatusCode == 422 && strings.Contains(string(r.Body), "无权"), "another township: %d %s", r.StatusCode, r.Body)
			must(t, upload(t, f.c("duchashi"), data, nil).StatusCode == 404, "a supervisor imports")
		})
	})
}
