package enterprise_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/enterprise"
)

const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

var header = []string{"名称", "统一社会信用代码", "属地编码", "行业", "风险等级", "重点企业", "主要负责人", "主要负责人电话", "成立日期"}

// book is a workbook under construction: a sheet of rows (strings, or
// time.Time for a real date cell), optionally with merges.
type book struct {
	sheet  string
	rows   [][]any
	merges [][2]string
}

func (b book) bytes(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	name := b.sheet
	if name == "" {
		name = "企业场所"
	}
	f.SetSheetName("Sheet1", name)
	dateFmt := "yyyy-mm-dd"
	dateStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	for i, row := range b.rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			switch x := v.(type) {
			case time.Time:
				f.SetCellValue(name, cell, x)
				f.SetCellStyle(name, cell, cell, dateStyle)
			case string:
				if x != "" {
					f.SetCellStr(name, cell, x)
				}
			}
		}
	}
	for _, m := range b.merges {
		if err := f.MergeCell(name, m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func strs(v ...string) []any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}

type importAnswer struct {
	enterprise.ImportResult
	Error struct{ Code, Message string } `json:"error"`
	Rows  []enterprise.RowError          `json:"rows"`
}

func upload(t *testing.T, c *apptest.Client, data []byte, dry bool) (int, importAnswer) {
	t.Helper()
	path := "/api/v1/import/enterprises"
	if dry {
		path += "?dry_run=1"
	}
	r := c.Do("POST", path, bytes.NewReader(data), xlsx)
	var a importAnswer
	if len(r.Body) > 0 {
		json.Unmarshal(r.Body, &a)
	}
	return r.StatusCode, a
}

func hasProblem(a importAnswer, row int, column, text string) bool {
	for _, e := range a.Rows {
		if e.Row == row && (column == "" || e.Column == column) && strings.Contains(e.Message, text) {
			return true
		}
	}
	return false
}

func TestImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		yjj := env.TokenClient("yjj")
		good := func(n int, name string) []any {
			return []any{name, code(t, 100+n), "SFQ-QS-03", "燃气", "一般", "是", "导入甲", "13912340000", time.Date(2010, 3, 1+n, 0, 0, 0, 0, time.UTC)}
		}
		total := func() int { return count(env, "SELECT count(*) FROM enterprises") }

		tests := []struct {
			name   string
			book   book
			status int
			row    int
			column string
			text   string
		}{
			{"bad credit code in row 3: nothing written", book{rows: [][]any{strs(header...), good(1, "导入一号"),
				{"导入二号", code(t, 102)[:17] + "Z", "SFQ-QS-03", "燃气", "一般"}, good(3, "导入三号")}},
				422, 3, "统一社会信用代码", "第 18 位“Z”"},
			{"wrong check character names the expected one", book{rows: [][]any{strs(header...), good(1, "导入一号"),
				{"导入二号", code(t, 102)[:17] + nextChar(code(t, 102)[17]), "SFQ-QS-03", "燃气", "一般"}}},
				422, 3, "统一社会信用代码", "应为“" + code(t, 102)[17:] + "”"},
			{"missing column", book{rows: [][]any{strs("名称", "统一社会信用代码", "属地编码", "风险等级"), strs("导入一号", code(t, 101), "SFQ-QS-03", "低")}},
				422, 1, "行业", "缺少必填列"},
			{"merged header", book{rows: [][]any{strs(header...), good(1, "导入一号")}, merges: [][2]string{{"G1", "H1"}}},
				422, 1, "主要负责人", "合并单元格 G1:H1"},
			{"merged data cells", book{rows: [][]any{strs(header...), good(1, "导入一号"), good(2, "导入二号")}, merges: [][2]string{{"C2", "C3"}}},
				422, 2, "属地编码", "合并单元格 C2:C3"},
			{"date written as text", book{rows: [][]any{strs(header...), {"导入一号", code(t, 101), "SFQ-QS-03", "燃气", "一般", "否", "", "", "2019年3月1日"}}},
				422, 2, "成立日期", "是文本，不是日期"},
			{"ISO date typed as text", book{rows: [][]any{strs(header...), {"导入一号", code(t, 101), "SFQ-QS-03", "燃气", "一般", "否", "", "", "2019-03-01"}}},
				422, 2, "成立日期", "是文本"},
			{"unknown territory code", book{rows: [][]any{strs(header...), {"导入一号", code(t, 101), "SFQ-XX-99", "燃气", "一般"}}},
				422, 2, "属地编码", "SFQ-XX-99"},
			{"unknown industry", book{rows: [][]any{strs(header...), {"导入一号", code(t, 101), "SFQ-QS-03", "炼钢", "一般"}}},
				422, 2, "行业", "炼钢"},
			{"empty risk level", book{rows: [][]any{strs(header...), {"导入一号", code(t, 101), "SFQ-QS-03", "燃气", ""}}},
				422, 2, "风险等级", "请填写风险等级"},
			{"bad yes/no", book{rows: [][]any{strs(header...), {"导入一号", code(t, 101), "SFQ-QS-03", "燃气", "低", "也许"}}},
				422, 2, "重点企业", "也许"},
			{"duplicate within the file", book{rows: [][]any{strs(header...), good(1, "导入一号"), {"导入一号乙", code(t, 101), "SFQ-QS-03", "燃气", "低"}}},
				422, 3, "统一社会信用代码", "与第 2 行重复"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				n := total()
				status, a := upload(t, yjj, tc.book.bytes(t), false)
				if status != tc.status {
					t.Fatalf("status %d, want %d: %+v", status, tc.status, a)
				}
				if !hasProblem(a, tc.row, tc.column, tc.text) {
					t.Errorf("no problem at row %d column %q with %q in %+v", tc.row, tc.column, tc.text, a.Rows)
				}
				if got := total(); got != n {
					t.Errorf("a rejected import wrote %d rows", got-n)
				}
			})
		}

		t.Run("a good file: check, then import", func(t *testing.T) {
			rows := [][]any{{"青山镇企业台账（2026 年 11 月）"}, strs(header...), good(1, "导入一号"), good(2, "导入二号"), {}, good(3, "导入三号")}
			data := book{rows: rows, merges: [][2]string{{"A1", "I1"}}}.bytes(t) // a merged title above the header is fine
			n := total()
			status, a := upload(t, yjj, data, true)
			if status != 200 || !a.DryRun || a.Created != 3 || a.Updated != 0 {
				t.Fatalf("dry run: %d %+v", status, a)
			}
			if total() != n {
				t.Fatal("the dry run wrote")
			}
			creates, imports := env.AuditCount("enterprise.create", "ok"), env.AuditCount("enterprise.import", "ok")
			status, a = upload(t, yjj, data, false)
			if status != 200 || a.DryRun || a.Created != 3 {
				t.Fatalf("import: %d %+v", status, a)
			}
			if total() != n+3 {
				t.Errorf("%d rows written, want 3", total()-n)
			}
			if env.AuditCount("enterprise.create", "ok") != creates+3 || env.AuditCount("enterprise.import", "ok") != imports+1 {
				t.Error("the import is not in the trail")
			}
			var founded, territory string
			var key bool
			env.App.DB.QueryRow(dbtest.Ctx(t), "SELECT e.founded_on, o.code, e.key_enterprise FROM enterprises e JOIN orgs o ON o.id = e.territory_org_id WHERE e.name = ?", "导入二号").Scan(&founded, &territory, &key)
			if founded != "2010-03-03" || territory != "SFQ-QS-03" || !key {
				t.Errorf("row read as founded %q territory %q key %v", founded, territory, key)
			}
			// The same file again updates nothing.
			status, a = upload(t, yjj, data, false)
			if status != 200 || a.Created != 0 || a.Updated != 0 || a.Unchanged != 3 {
				t.Errorf("re-import: %d %+v", status, a)
			}
		})

		t.Run("scope and rights", func(t *testing.T) {
			qs := env.TokenClient("qingshan")
			data := book{rows: [][]any{strs(header...), {"越界企业", code(t, 201), "SFQ-DC-01", "燃气", "低"},
				{"别处已登记", dcCode(env), "SFQ-QS-03", "燃气", "低"}}}.bytes(t)
			denied := env.AuditCount("enterprise.import", "denied")
			status, a := upload(t, qs, data, false)
			if status != 422 || !hasProblem(a, 2, "属地编码", "不在您的管辖范围") || !hasProblem(a, 3, "统一社会信用代码", "不在您的管辖范围") {
				t.Errorf("%d %+v", status, a)
			}
			if env.AuditCount("enterprise.import", "denied") != denied+1 {
				t.Error("refused rows left no denied record")
			}
			denied = env.AuditCount("", "denied")
			status, _ = upload(t, env.TokenClient("leader"), data, false)
			if status != 403 || env.AuditCount("", "denied") != denied+1 {
				t.Errorf("a viewer imports: %d", status)
			}
			status, _ = upload(t, env.TokenClient("auditor"), data, false)
			if status != 404 {
				t.Errorf("the auditor imports: %d", status)
			}
		})

		t.Run("not a workbook", func(t *testing.T) {
			r := yjj.Do("POST", "/api/v1/import/enterprises", strings.NewReader("名称,代码\n"), xlsx)
			if r.StatusCode != 400 || r.ErrorCode() != "invalid" {
				t.Errorf("%d %s", r.StatusCode, r.Body)
			}
			r = yjj.Do("POST", "/api/v1/import/enterprises", strings.NewReader("x"), "text/csv")
			if r.StatusCode != 415 {
				t.Errorf("csv: %d", r.StatusCode)
			}
		})
	})
}

func nextChar(c byte) string {
	const alpha = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	return string(alpha[(strings.IndexByte(alpha, c)+1)%len(alpha)])
}

func dcCode(e *apptest.Env) string {
	var c string
	if err := e.App.DB.QueryRow(dbtest.Ctx(e.T), "SELECT uscc FROM enterprises WHERE name = ?", dongcheng).Scan(&c); err != nil {
		e.T.Fatal(err)
	}
	return c
}

// Export → edit → import: the exported file imports back as updates.
func TestExportRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		qs := env.SignIn("qingshan")
		exports := env.AuditCount("enterprise.export", "ok")
		r := qs.Get("/api/v1/export/enterprises.xlsx?status=all")
		wantStatus(t, "export", r, 200)
		if r.Header.Get("Content-Type") != xlsx || env.AuditCount("enterprise.export", "ok") != exports+1 {
			t.Fatalf("content type %q, or no audit record", r.Header.Get("Content-Type"))
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("企业场所")
		inQS := count(env, "SELECT count(*) FROM enterprises e JOIN orgs o ON o.id = e.territory_org_id WHERE o.path LIKE (SELECT path FROM orgs WHERE code = 'SFQ-QS') || '%'")
		if len(rows)-1 != inQS || inQS < 6 {
			t.Fatalf("exported %d rows, 青山镇 has %d", len(rows)-1, inQS)
		}
		// The founding date is a real date cell.
		typ, _ := f.GetCellType("企业场所", "S2")
		if v, _ := f.GetCellValue("企业场所", "S2"); v != "" && typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("founded_on exported as %v (%q)", typ, v)
		}
		// Unchanged, it imports as nothing to do.
		status, a := upload(t, qs, r.Body, true)
		if status != 200 || a.Created != 0 || a.Updated != 0 || a.Unchanged != inQS {
			t.Fatalf("re-import of the export: %d %+v", status, a)
		}
		// Raise one risk level in Excel and import: one update.
		var target int
		for i, row := range rows[1:] {
			if len(row) > 2 && row[2] == qiyeNeighbr {
				target = i + 2
			}
		}
		f.SetCellStr("企业场所", "K"+strconv.Itoa(target), "重大")
		var buf bytes.Buffer
		f.Write(&buf)
		updates := env.AuditCount("enterprise.update", "ok")
		status, a = upload(t, qs, buf.Bytes(), false)
		if status != 200 || a.Updated != 1 || a.Unchanged != inQS-1 || a.Created != 0 {
			t.Fatalf("import of the edited export: %d %+v", status, a)
		}
		var risk string
		env.App.DB.QueryRow(dbtest.Ctx(t), "SELECT risk_level FROM enterprises WHERE name = ?", qiyeNeighbr).Scan(&risk)
		if risk != "major" || env.AuditCount("enterprise.update", "ok") != updates+1 {
			t.Errorf("risk %q after the import", risk)
		}
		// The template downloads and its example row is a valid credit code.
		r = qs.Get("/api/v1/import/enterprises/template.xlsx")
		wantStatus(t, "template", r, 200)
		tf, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		codes, _ := tf.GetRows("代码表")
		if len(codes) < 2 || codes[1][0] != "SFQ-QS" {
			t.Errorf("the code sheet starts %v", codes[:min(len(codes), 2)])
		}
		// The multipart form of the page works as well.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("dry_run", "1")
		fw, _ := mw.CreateFormFile("file", "台账.xlsx")
		fw.Write(buf.Bytes())
		mw.Close()
		resp := qs.Do("POST", "/enterprises/import", &body, mw.FormDataContentType())
		if resp.StatusCode != 200 || !strings.Contains(string(resp.Body), "检查通过") {
			t.Errorf("import page: %d", resp.StatusCode)
		}
	})
}
