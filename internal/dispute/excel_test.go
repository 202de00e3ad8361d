package dispute_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/dispute"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// referenceOrder is the Disputes line of reference/ledger-columns.md.
var referenceOrder = []string{"序号", "发生/受理时间", "涉及人员及人数", "地点", "类型", "管辖单位", "责任单位", "负责人", "化解方式", "紧急程度",
	"风险等级", "化解状态", "包案领导（姓名、职务）", "化解责任人", "督办部门", "调解结果", "反馈附件"}

// workbook builds an .xlsx: a title row, then rows.
func workbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	x.SetCellValue("Sheet1", "A1", "青山镇矛盾纠纷排查化解台账")
	x.MergeCell("Sheet1", "A1", "F1")
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func upload(t *testing.T, c *apptest.Client, path string, data []byte, fields map[string]string) *apptest.Response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", "台账.xlsx")
	fw.Write(data)
	w.Close()
	return c.Do("POST", path, &b, w.FormDataContentType())
}

var importHeader = []any{"序号", "发生时间", "涉及人员及人数", "地点", "纠纷类型", "管辖单位", "责任单位", "负责人", "化解方式", "紧急程度", "风险等级", "化解状态", "包案领导", "调解结果", "涉及金额（万元）"}

// An import is all or nothing: one bad row rejects the file with each
// problem by row and column; the fixed file registers every row in the
// state its ledger says.
func TestImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		good := [][]any{
			{1, "2026-11-01", "务工村民与施工方（12人）", "上坪村安置点", "欠薪", "上坪村", "区人力资源和社会保障局", "王某", "人民调解", "紧急", "黄色", "化解中", "", "已调解一次", 1.2},
			{2, "2026/10/15", "两户村民 2人", "竹园村四组", "土地纠纷", "竹园村", "", "", "协商", "一般", "蓝", "已化解", "", "重新勘界，赔偿青苗", ""},
			{3, "2026年11月20日", "村民（30人）", "石桥村", "征地拆迁", "石桥村", "", "", "", "", "红色", "未化解", "", "", ""},
		}
		bad := append(slices.Clone(good), []any{4, "下周一", "村民", "枫林村", "外星人", "枫林村", "", "", "喊话", "", "紫", "", "", "", ""})
		n := f.count("SELECT count(*) FROM disputes")
		r := upload(t, f.c("qingshan"), "/api/v1/disputes/import", workbook(t, append([][]any{importHeader}, bad...)), nil)
		var rej sheet.RejectedBody
		r.JSON(t, &rej)
		if r.StatusCode != 422 || len(rej.Rows) < 5 {
			t.Fatalf("bad file: %d %s", r.StatusCode, r.Body)
		}
		cols := map[string]bool{}
		for _, e := range rej.Rows {
			if e.Row != 6 {
				t.Errorf("a problem outside the bad row: %+v", e)
			}
			cols[e.Column] = true
		}
		for _, c := range []string{"发生时间", "纠纷类型", "风险等级", "化解方式", "涉及人员及人数"} {
			if !cols[c] {
				t.Errorf("no problem reported in column %s: %+v", c, rej.Rows)
			}
		}
		if f.count("SELECT count(*) FROM disputes") != n {
			t.Fatal("a rejected import wrote rows")
		}
		// A missing column is named.
		r = upload(t, f.c("qingshan"), "/api/v1/disputes/import", workbook(t, [][]any{{"序号", "发生时间", "涉及人员及人数", "地点"}, {1, "2026-11-01", "村民（3人）", "x"}}), nil)
		if r.StatusCode != 422 || !strings.Contains(string(r.Body), "类型") {
			t.Fatalf("missing column: %d %s", r.StatusCode, r.Body)
		}
		// A dry run checks only.
		r = upload(t, f.c("qingshan"), "/api/v1/disputes/import", workbook(t, append([][]any{importHeader}, good...)), map[string]string{"dry_run": "1"})
		if r.StatusCode != 200 || f.count("SELECT count(*) FROM disputes") != n {
			t.Fatalf("dry run: %d %s", r.StatusCode, r.Body)
		}
		// A grid worker may not import what is handled already.
		r = upload(t, f.c("wanggeyuan"), "/api/v1/disputes/import", workbook(t, [][]any{importHeader, good[0]}), nil)
		if r.StatusCode != 422 || !strings.Contains(string(r.Body), "化解状态") {
			t.Fatalf("grid worker importing a resolving dispute: %d %s", r.StatusCode, r.Body)
		}
		// The good file.
		before := f.env.AuditCount("dispute.import", "ok")
		r = upload(t, f.c("qingshan"), "/api/v1/disputes/import", workbook(t, append([][]any{importHeader}, good...)), nil)
		var res dispute.ImportResult
		r.JSON(t, &res)
		if r.StatusCode != 201 || res.Created != 3 || len(res.Numbers) != 3 {
			t.Fatalf("good file: %d %s", r.StatusCode, r.Body)
		}
		type row struct {
			status, territory, level, lead string
			count                          int
			cents                          int64
			resp                           string
		}
		var got []row
		rows, err := d.Query(t.Context(), `SELECT x.status, o.name, x.risk_level, x.lead_title, x.party_count, x.amount_cents, x.resp_path FROM disputes x
			JOIN orgs o ON o.id = x.territory_org_id ORDER BY x.id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var g row
			rows.Scan(&g.status, &g.territory, &g.level, &g.lead, &g.count, &g.cents, &g.resp)
			got = append(got, g)
		}
		rows.Close()
		if len(got) != 3 {
			t.Fatalf("%d rows", len(got))
		}
		if got[0].status != dispute.Resolving || got[0].count != 12 || got[0].cents != 1200000 || got[0].resp == "" || got[0].territory != "上坪村" {
			t.Errorf("row 1: %+v", got[0])
		}
		if got[1].status != dispute.Resolved || got[1].level != "blue" || got[1].count != 2 {
			t.Errorf("row 2: %+v", got[1])
		}
		if got[2].status != dispute.Registered || got[2].level != "red" || !strings.Contains(got[2].lead, "党委书记") {
			t.Errorf("row 3 (red: the township's secretary leads): %+v", got[2])
		}
		if n := f.count("SELECT count(*) FROM dispute_sessions"); n != 2 {
			t.Errorf("%d sessions imported, want 2", n)
		}
		if f.env.AuditCount("dispute.import", "ok")-before != 4 { // 3 rows + the file
			t.Errorf("audit records: %d", f.env.AuditCount("dispute.import", "ok")-before)
		}
		// The same ledger again: numbers already in (here none were given), so it imports anew; a numbered row twice is refused.
		numbered := append(slices.Clone(importHeader), "纠纷编号")
		one := append(slices.Clone(good[1]), "QS-2026-001")
		r = upload(t, f.c("qingshan"), "/api/v1/disputes/import", workbook(t, [][]any{numbered, one, one}), nil)
		if r.StatusCode != 422 || !strings.Contains(string(r.Body), "重复") {
			t.Fatalf("duplicate numbers: %d %s", r.StatusCode, r.Body)
		}
	})
}

// The export writes the reference columns in their order, then Anwen's
// own, with no personal data of the parties.
func TestExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		x := f.create("qingshan", f.body("SFQ-QS-01"))
		f.step("qingshan", x.ID, map[string]any{"action": "record_session", "session": map[string]any{"method": "people_mediation", "outcome": "partial", "note": "先付一半"}})
		f.create("xfj", f.body("SFQ-DC-01"))
		before := f.env.AuditCount("dispute.export", "ok")
		r := f.c("qingshan").Get("/api/v1/disputes/export.xlsx")
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != dispute.XLSXType {
			t.Fatalf("export: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		book, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := book.GetRows(dispute.SheetName)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("%d rows (title, header, one dispute of qingshan's)", len(rows))
		}
		header := rows[1]
		if !slices.Equal(header[:len(referenceOrder)], referenceOrder) {
			t.Fatalf("header %v\nwant first %v", header, referenceOrder)
		}
		var want []string
		for _, c := range dispute.Columns[:len(dispute.Columns)-1] {
			want = append(want, c.Header)
		}
		if !slices.Equal(header, want) {
			t.Fatalf("header %v, want %v", header, want)
		}
		cell := map[string]string{}
		for i, h := range header {
			if i < len(rows[2]) {
				cell[h] = rows[2][i]
			}
		}
		if cell["涉及人员及人数"] != "务工村民与劳务队（6人）" || cell["化解方式"] != "人民调解" || cell["纠纷编号"] != x.Number || cell["化解状态"] != "化解中" ||
			!strings.Contains(cell["调解结果"], "先付一半") || cell["发生/受理时间"] != "2026-11-27" {
			t.Errorf("row: %v", cell)
		}
		for _, row := range rows {
			for _, v := range row {
				if strings.Contains(v, "1391234") || strings.Contains(v, "欧阳") || strings.Contains(v, "****") {
					t.Fatalf("the export carries party data: %q", v)
				}
			}
		}
		if f.env.AuditCount("dispute.export", "ok") != before+1 {
			t.Fatal("the export is not audited")
		}
		// An export of what it exports imports back (the export is the template).
		r2 := upload(t, f.c("qingshan"), "/api/v1/disputes/import?dry_run=1", r.Body, nil)
		if r2.StatusCode != 422 || !strings.Contains(string(r2.Body), "已在系统中") {
			t.Fatalf("re-import of the export: %d %s", r2.StatusCode, r2.Body)
		}
		if r := f.c("qingshan").Get("/api/v1/disputes/export.xlsx?org_id=" + itoa(f.env.OrgID("SFQ-DC"))); r.StatusCode != http.StatusNotFound {
			t.Fatalf("export of another township: %d", r.StatusCode)
		}
	})
}
