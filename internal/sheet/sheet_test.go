package sheet

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
)

func TestNorm(t *testing.T) {
	for in, want := range map[string]string{
		"名称（必填）":           "名称",
		" 上级 编码 ":          "上级编码",
		"Parent_Code":      "parentcode",
		"ＰＡＲＥＮＴ＿ＣＯＤＥ":      "parentcode",
		"所属组织编码(required)": "所属组织编码",
		"*登录名":             "登录名",
		"角色【如 工作人员@SFQ】":   "角色",
		"整改资金（万元）":         "整改资金",
		"发生/受理时间":          "发生受理时间",
		"包案领导（姓名、职务）":      "包案领导",
		"姓名、职务":            "姓名职务",
		"涉及人员，人数":          "涉及人员人数",
		"org, code":        "orgcode",
		"编号：":              "编号",
		"《名称》备注":           "备注",
		"\u3000名称\u3000":   "名称",
		"":                 "",
	} {
		if got := Norm(in); got != want {
			t.Errorf("Norm(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColumnName(t *testing.T) {
	for h, want := range map[string]string{"名称（必填）": "名称", "编码(必填)": "编码", "排序": "排序", "整改资金（万元）": "整改资金（万元）"} {
		if got := (Column{Header: h}).Name(); got != want {
			t.Errorf("Name of %q = %q, want %q", h, got, want)
		}
	}
}

// cols are the columns of the tests' ledger.
var cols = []Column{
	{Field: "seq", Header: "序号"},
	{Field: "name", Header: "名称（必填）", Required: true, Aliases: []string{"单位名称", "name"}},
	{Field: "code", Header: "编码（必填）", Required: true, Aliases: []string{"代码", "code"}},
	{Field: "found", Header: "排查日期", Date: true, Aliases: []string{"排查时间", "发现日期"}},
	{Field: "funds", Header: "整改资金（元）", Aliases: []string{"资金"}},
	{Field: "note", Header: "备注"},
}

// book is a workbook under construction: sheets of rows, a cell a string
// (written as text), a float64 (a number), or a time.Time (a date cell).
type book struct {
	sheets []sheetSpec
}

type sheetSpec struct {
	name   string
	rows   [][]any
	merges [][2]string
}

func (b book) bytes(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateFmt := "yyyy-mm-dd"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		t.Fatal(err)
	}
	for i, sh := range b.sheets {
		if i == 0 {
			f.SetSheetName("Sheet1", sh.name)
		} else if _, err := f.NewSheet(sh.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sh.rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				switch x := v.(type) {
				case string:
					if x != "" {
						f.SetCellStr(sh.name, cell, x)
					}
				case float64:
					f.SetCellFloat(sh.name, cell, x, -1, 64)
				case time.Time:
					f.SetCellValue(sh.name, cell, x)
					f.SetCellStyle(sh.name, cell, cell, dateStyle)
				}
			}
		}
		for _, m := range sh.merges {
			if err := f.MergeCell(sh.name, m[0], m[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// read builds a one-sheet workbook "台账" and reads it with opts.
func read(t *testing.T, spec sheetSpec, opts Options) *Sheet {
	t.Helper()
	spec.name = "台账"
	f, err := Open(book{[]sheetSpec{spec}}.bytes(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := Read(f, "台账", cols, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func row(v ...any) []any { return v }

// problem finds the problem of row and column whose message holds text.
func problem(s *Sheet, row int, column, text string) *RowError {
	for i, e := range s.Problems {
		if e.Row == row && e.Column == column && strings.Contains(e.Message, text) {
			return &s.Problems[i]
		}
	}
	return nil
}

func TestReadHeader(t *testing.T) {
	t.Run("below a merged title and a date line", func(t *testing.T) {
		s := read(t, sheetSpec{
			rows: [][]any{
				row("青山镇隐患台账（2026 年 11 月）"),
				row("填报日期：2026-11-27", "", "单位：元"),
				{},
				row("序号", "单位名称", " 代 码 ", "排查时间", "整改资金（万元）", "其他"),
				row("1", "甲厂", "A-1", "", "1.5"),
				{},
				row("2", "", "", "", "", "只有其他列"),
				row("3", "乙厂", "A-2"),
				row("4"), // numbered further down than the entries go
			},
			merges: [][2]string{{"A1", "F1"}},
		}, Options{Serial: []string{"seq"}})
		if !s.Found || s.HeaderRow != 4 || len(s.Problems) != 0 {
			t.Fatalf("found %v, header row %d, problems %+v", s.Found, s.HeaderRow, s.Problems)
		}
		if len(s.Rows) != 2 || s.Rows[0].Num != 5 || s.Rows[1].Num != 8 {
			t.Fatalf("rows %+v", s.Rows)
		}
		if got := s.Rows[0].Cells; got["name"] != "甲厂" || got["code"] != "A-1" || got["funds"] != "1.5" || got["seq"] != "1" || len(got) != 4 {
			t.Errorf("cells %v", got)
		}
		if s.Header("code") != "代 码" || s.Header("found") != "排查时间" || s.Header("note") != "备注" || s.Header("nope") != "nope" {
			t.Errorf("headers %q %q %q", s.Header("code"), s.Header("found"), s.Header("note"))
		}
		if s.Unit("funds") != "万元" || s.Unit("name") != "" {
			t.Errorf("unit %q", s.Unit("funds"))
		}
		if got := strings.Join(s.Fields(), ","); got != "seq,name,code,found,funds" {
			t.Errorf("fields %s", got)
		}
		if !s.Has("funds") || s.Has("note") || s.Cell("code", 8) != "C8" || s.Cell("note", 8) != "" {
			t.Errorf("has/cell wrong")
		}
	})
	t.Run("no header in the scan: the first non-blank row", func(t *testing.T) {
		rows := [][]any{{}, row("名称", "别的")}
		for range 12 {
			rows = append(rows, row("甲", "乙"))
		}
		s := read(t, sheetSpec{rows: rows}, Options{})
		if s.Found || s.HeaderRow != 2 || len(s.Rows) != 12 || s.Rows[0].Num != 3 {
			t.Fatalf("found %v, header %d, %d rows", s.Found, s.HeaderRow, len(s.Rows))
		}
		if problem(s, 2, "编码", "缺少必填列“编码”") == nil {
			t.Errorf("problems %+v", s.Problems)
		}
		s = read(t, sheetSpec{rows: rows}, Options{RequireHeader: true})
		if s.Found || s.HeaderRow != 0 || len(s.Rows) != 0 || len(s.Problems) != 0 {
			t.Errorf("with RequireHeader: %+v", s)
		}
	})
	t.Run("the header past the scan is not found", func(t *testing.T) {
		var rows [][]any
		for range 10 {
			rows = append(rows, row("说明"))
		}
		rows = append(rows, row("名称", "编码"), row("甲", "A"))
		s := read(t, sheetSpec{rows: rows}, Options{RequireHeader: true})
		if s.Found {
			t.Errorf("a header on the 11th non-blank row was found")
		}
		s = read(t, sheetSpec{rows: rows}, Options{Scan: 11, RequireHeader: true})
		if !s.Found || s.HeaderRow != 11 || len(s.Rows) != 1 {
			t.Errorf("with Scan 11: found %v at %d", s.Found, s.HeaderRow)
		}
	})
	t.Run("MinKnown", func(t *testing.T) {
		spec := sheetSpec{rows: [][]any{row("名称", "编码"), row("名称", "编码", "排查日期"), row("甲", "A")}}
		if s := read(t, spec, Options{MinKnown: 3}); s.HeaderRow != 2 || len(s.Rows) != 1 {
			t.Errorf("header %d", s.HeaderRow)
		}
	})
	t.Run("empty sheet", func(t *testing.T) {
		s := read(t, sheetSpec{}, Options{})
		if s.HeaderRow != 1 || len(s.Rows) != 0 || len(s.Problems) != 2 {
			t.Errorf("header %d, problems %+v", s.HeaderRow, s.Problems)
		}
	})
}

func TestReadColumns(t *testing.T) {
	t.Run("a repeated column", func(t *testing.T) {
		s := read(t, sheetSpec{rows: [][]any{row("名称", "编码", "单位名称"), row("甲", "A", "乙")}}, Options{})
		e := problem(s, 1, "单位名称", "与“名称”重复")
		if e == nil || e.Cell != "C1" || len(s.Problems) != 1 {
			t.Fatalf("problems %+v", s.Problems)
		}
		if s.Rows[0].Cells["name"] != "甲" {
			t.Errorf("the first of the two was not kept: %v", s.Rows[0].Cells)
		}
	})
	t.Run("missing required columns", func(t *testing.T) {
		s := read(t, sheetSpec{rows: [][]any{row("序号", "排查日期", "备注"), row("1", "", "x")}}, Options{MinKnown: 2})
		if len(s.Problems) != 2 || problem(s, 1, "名称", "缺少必填列“名称”") == nil || problem(s, 1, "编码", "(code) is missing") == nil {
			t.Fatalf("problems %+v", s.Problems)
		}
		if s.Problems[0].Cell != "" {
			t.Errorf("a missing column has a cell: %+v", s.Problems[0])
		}
	})
}

func TestReadMerges(t *testing.T) {
	head := row("名称", "编码", "排查日期", "其他")
	for _, tc := range []struct {
		name   string
		merge  [2]string
		row    int
		column string
		text   string
	}{
		{"merged header", [2]string{"A1", "B1"}, 1, "名称", "表头有合并单元格 A1:B1"},
		{"header merged down", [2]string{"C1", "C2"}, 1, "排查日期", "表头有合并单元格 C1:C2"},
		{"merged data", [2]string{"B2", "B3"}, 2, "编码", "合并单元格 B2:B3：请取消合并"},
		{"merged across a read column", [2]string{"C3", "D3"}, 3, "排查日期", "合并单元格 C3:D3"},
		{"merged where nothing is read", [2]string{"D2", "E3"}, 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := read(t, sheetSpec{rows: [][]any{head, row("甲", "A"), row("乙", "B")}, merges: [][2]string{tc.merge}}, Options{MinKnown: 2})
			if tc.row == 0 {
				if len(s.Problems) != 0 {
					t.Fatalf("problems %+v", s.Problems)
				}
				return
			}
			e := problem(s, tc.row, tc.column, tc.text)
			if e == nil || e.Cell != tc.merge[0]+":"+tc.merge[1] {
				t.Fatalf("no problem at row %d column %s with %q: %+v", tc.row, tc.column, tc.text, s.Problems)
			}
		})
	}
}

func TestReadDates(t *testing.T) {
	head := row("名称", "编码", "排查日期")
	d := time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		cell      any
		textDates bool
		want      string // the value read; "" with a problem holding text
		text      string
	}{
		{"a date cell", d, false, "2019-03-01", ""},
		{"a serial number", 43525.0, false, "2019-03-01", ""},
		{"a serial with a time", 43525.75, false, "2019-03-01", ""},
		{"text in Chinese", "2019年3月1日", false, "", "是文本，不是日期"},
		{"ISO typed as text", "2019-03-01", false, "", "is text, not a date"},
		{"a negative number", -3.0, false, "", "不是有效的日期"},
		{"text dates allowed", "2019年3月1日", true, "2019-03-01", ""},
		{"text dates allowed: dots", "2019.3.1", true, "2019-03-01", ""},
		{"text dates allowed: a real date still", d, true, "2019-03-01", ""},
		{"text dates allowed: not a date", "下周一", true, "", "不是日期，请写成"},
		{"text dates allowed: no such day", "2019-02-30", true, "", "不是日期"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := read(t, sheetSpec{rows: [][]any{head, row("甲", "A", tc.cell)}}, Options{TextDates: tc.textDates})
			if got := s.Rows[0].Cells["found"]; got != tc.want {
				t.Errorf("read %q, want %q", got, tc.want)
			}
			if tc.text == "" {
				if len(s.Problems) != 0 {
					t.Errorf("problems %+v", s.Problems)
				}
				return
			}
			e := problem(s, 2, "排查日期", tc.text)
			if e == nil || e.Cell != "C2" || len(s.Problems) != 1 {
				t.Errorf("no problem with %q in C2: %+v", tc.text, s.Problems)
			}
		})
	}
	t.Run("1904 workbook", func(t *testing.T) {
		f := excelize.NewFile()
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			t.Fatal(err)
		}
		f.SetSheetRow("Sheet1", "A1", &[]any{"名称", "编码", "排查日期"})
		f.SetSheetRow("Sheet1", "A2", &[]any{"甲", "A"})
		f.SetCellFloat("Sheet1", "C2", 42063, -1, 64) // 2019-03-01 counted from 1904
		s, err := Read(f, "Sheet1", cols, Options{})
		if err != nil || s.Rows[0].Cells["found"] != "2019-03-01" {
			t.Errorf("read %v %v", s.Rows[0].Cells, err)
		}
	})
}

func TestReadRowLimit(t *testing.T) {
	rows := [][]any{row("名称", "编码")}
	for range 3 {
		rows = append(rows, row("甲", "A"), row())
	}
	if s := read(t, sheetSpec{rows: rows}, Options{MaxRows: 3}); len(s.Rows) != 3 {
		t.Fatalf("%d rows", len(s.Rows))
	}
	rows = append(rows, row("乙", "B"))
	f, err := Open(book{[]sheetSpec{{name: "台账", rows: rows}}}.bytes(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = Read(f, "台账", cols, Options{MaxRows: 3})
	if e, ok := apperr.As(err); !ok || e.Code != apperr.ETOOLARGE || !strings.Contains(e.Message, "超过 3 行") {
		t.Fatalf("error %v", err)
	}
}

func TestOpen(t *testing.T) {
	good := book{[]sheetSpec{{name: "台账", rows: [][]any{row("名称", "编码")}}}}.bytes(t)
	for _, tc := range []struct {
		name    string
		data    []byte
		max     int64
		code    string
		message string
	}{
		{"a workbook", good, 0, "", ""},
		{"text", []byte("名称,编码\n甲,A\n"), 0, apperr.EINVALID, ".xlsx"},
		{"not really a zip", []byte("PK\x03\x04 not a zip at all"), 0, apperr.EINVALID, ".xlsx"},
		{"a zip without a workbook", zipOf(t), 0, apperr.EINVALID, ".xlsx"},
		{"too large", bytes.Repeat([]byte("x"), MaxSize+1), 0, apperr.ETOOLARGE, "10 MiB"},
		{"too large for a smaller limit", good, 1024, apperr.ETOOLARGE, "1 KiB"},
		{"an odd limit", good, 1000, apperr.ETOOLARGE, "1000 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Open(tc.data, tc.max)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				f.Close()
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Code != tc.code || e.Field != "file" || !strings.Contains(e.Message, tc.message) {
				t.Fatalf("error %v, want %s with %q", err, tc.code, tc.message)
			}
		})
	}
}

// zipOf is a zip archive that holds no workbook.
func zipOf(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello"))
	zw.Close()
	return buf.Bytes()
}

func TestFindSheet(t *testing.T) {
	f, err := Open(book{[]sheetSpec{{name: "说明"}, {name: "ORGS"}, {name: "组织机构"}, {name: "人 员"}}}.bytes(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct {
		aliases []string
		want    string
	}{
		{[]string{"组织机构", "orgs"}, "ORGS"}, // the first in the workbook's order
		{[]string{"人员", "people"}, "人 员"},
		{[]string{"企业"}, ""},
	} {
		if got := FindSheet(f, tc.aliases...); got != tc.want {
			t.Errorf("FindSheet(%v) = %q, want %q", tc.aliases, got, tc.want)
		}
	}
}

func TestFailAndRejected(t *testing.T) {
	s := read(t, sheetSpec{rows: [][]any{row("名称", "代码"), row("甲", "A")}}, Options{})
	s.Fail(2, "code", "编码“%s”已存在 / the code %q exists", "A", "A")
	s.Fail(2, "found", "没有日期 / no date")
	s.Fail(3, "", "没有数据 / no data")
	want := []RowError{
		{Sheet: "台账", Row: 2, Column: "代码", Cell: "B2", Message: "编码“A”已存在 / the code \"A\" exists"},
		{Sheet: "台账", Row: 2, Column: "排查日期", Message: "没有日期 / no date"},
		{Sheet: "台账", Row: 3, Message: "没有数据 / no data"},
	}
	if len(s.Problems) != len(want) {
		t.Fatalf("problems %+v", s.Problems)
	}
	for i := range want {
		if s.Problems[i] != want[i] {
			t.Errorf("problem %d = %+v, want %+v", i, s.Problems[i], want[i])
		}
	}
	rej := &Rejected{Rows: s.Problems}
	if rej.Message() != "导入文件有 3 处问题，未写入任何数据 / the file has 3 problem(s); nothing was written" || !strings.Contains(rej.Error(), "3 problem(s)") {
		t.Errorf("%q / %q", rej.Message(), rej.Error())
	}
	r := ReportOf(rej)
	if r.RowCount != 2 || len(r.Rows) != 3 || r.Message != rej.Message() {
		t.Errorf("report %+v", r)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-27": "2026-11-27", "2026/11/27": "2026-11-27", "2026.11.27": "2026-11-27", "2026年11月27日": "2026-11-27",
		" 2026 年 1 月 5 日 ": "2026-01-05", "2026-11-27 09:30": "2026-11-27", "2026/2/3T08：00：00": "2026-02-03",
		"2026-02-30": "", "1899-12-31": "", "2101-01-01": "", "46353": "", "下周一": "", "2026-11": "", "": "",
	} {
		d, ok := ParseDate(in)
		got := ""
		if ok {
			got = d.String()
		}
		if got != want {
			t.Errorf("ParseDate(%q) = %q, want %q", in, got, want)
		}
	}
}
