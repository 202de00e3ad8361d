package directoryimport

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
)

func TestParseRoles(t *testing.T) {
	tests := []struct {
		cell    string
		want    []RoleRef
		wantErr string
	}{
		{"", nil, ""},
		{"工作人员@SFQ-QS; 网格员@SFQ-QS-01", []RoleRef{{"staff", "SFQ-QS"}, {"grid_worker", "SFQ-QS-01"}}, ""},
		{"staff@SFQ-QS", []RoleRef{{"staff", "SFQ-QS"}}, ""},
		{"领导＠SFQ；督查人员@SFQ，企业联络人@SFQ-QS-01\n审计管理员@SFQ", []RoleRef{{"leader", "SFQ"}, {"supervisor", "SFQ"}, {"enterprise", "SFQ-QS-01"}, {"auditor", "SFQ"}}, ""},
		{" 系统管理员 @ SFQ ,安全管理员@SFQ", []RoleRef{{"sysadmin", "SFQ"}, {"secadmin", "SFQ"}}, ""},
		{"网格员", []RoleRef{{"grid_worker", ""}}, ""},
		{"GRID_WORKER@X", []RoleRef{{"grid_worker", "X"}}, ""},
		{";;,\n", nil, ""},
		{"村长@SFQ", nil, "未知角色"},
		{"工作人员@", nil, "缺少管辖范围编码"},
		{"工作人员@SFQ; boss@SFQ", []RoleRef{{"staff", "SFQ"}}, "boss"},
	}
	for _, tc := range tests {
		t.Run(tc.cell, func(t *testing.T) {
			got, err := ParseRoles(tc.cell)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("error %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func FuzzParseRoles(f *testing.F) {
	for _, s := range []string{"", "工作人员@SFQ-QS; 网格员@SFQ-QS-01", "staff@SFQ-QS", "a@b@c", "＠", "@", "网格员＠", "\xff@\xfe", "领导,,，；;\n\r督查",
		strings.Repeat("staff@X;", 80)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		refs, err := ParseRoles(cell)
		if len(refs) > maxRoleItems {
			t.Fatalf("%d refs", len(refs))
		}
		for _, r := range refs {
			if !auth.ValidRole(r.Role) {
				t.Fatalf("invalid role %q from %q", r.Role, cell)
			}
		}
		if err != nil || !utf8Clean(cell) {
			return
		}
		// What parsed cleanly writes back and parses to the same.
		again, err := ParseRoles(FormatRoles(refs))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", FormatRoles(refs), err)
		}
		if len(refs) == 0 && len(again) == 0 {
			return
		}
		if !reflect.DeepEqual(again, refs) {
			t.Fatalf("round trip of %q: %v, then %v", cell, refs, again)
		}
	})
}

func utf8Clean(s string) bool { return strings.ToValidUTF8(s, "") == s }

func TestParseKind(t *testing.T) {
	for in, want := range map[string]string{"村": "village", "镇": "township", "乡": "township", "乡镇": "township", "街道": "street",
		"开发区": "zone", "社区": "community", "部门": "department", "派出所": "police_station", "区": "district",
		"Village": "village", "police station": "police_station", "police_station": "police_station", "县城": ""} {
		got, ok := parseKind(in)
		if got != want || ok != (want != "") {
			t.Errorf("parseKind(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}

func book(t testing.TB, sheets map[string][][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	first := true
	for name, rows := range sheets {
		if first {
			f.SetSheetName("Sheet1", name)
			first = false
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				f.SetCellStr(name, cell, v)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadWorkbook(t *testing.T) {
	t.Run("headers, blank rows and row numbers", func(t *testing.T) {
		wb, err := readWorkbook(book(t, map[string][][]string{
			"ORGS": {{}, {"Name", "类型（必填）", " 编 码 ", "parent code", "备注"}, {"甲村", "村", "A-1", "A"}, {}, {"", "", "", ""}, {"乙村", "村", "A-2", "A", "note"}},
			"其他":   {{"x"}},
		}))
		if err != nil {
			t.Fatal(err)
		}
		if wb.people != nil || wb.orgs == nil || len(wb.orgs.Problems) != 0 {
			t.Fatalf("sheets: %+v", wb)
		}
		if wb.orgs.HeaderRow != 2 || len(wb.orgs.Rows) != 2 || wb.orgs.Rows[0].Num != 3 || wb.orgs.Rows[1].Num != 6 {
			t.Fatalf("rows: header %d, %+v", wb.orgs.HeaderRow, wb.orgs.Rows)
		}
		if wb.orgs.Rows[1].Cells["code"] != "A-2" || wb.orgs.Header("code") != "编 码" {
			t.Fatalf("cells %v, header %q", wb.orgs.Rows[1].Cells, wb.orgs.Header("code"))
		}
	})
	t.Run("missing and repeated columns", func(t *testing.T) {
		wb, err := readWorkbook(book(t, map[string][][]string{"人员": {{"login", "登录名", "姓名"}, {"a", "b", "c"}}}))
		if err != nil {
			t.Fatal(err)
		}
		msgs := ""
		for _, e := range wb.people.Problems {
			msgs += e.Column + ":" + e.Message + "\n"
		}
		if len(wb.people.Problems) != 2 || !strings.Contains(msgs, "登录名:") || !strings.Contains(msgs, "所属组织编码:") {
			t.Fatalf("errors: %s", msgs)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		big := make([][]string, MaxRowsPerSheet+2)
		big[0] = []string{"登录名", "姓名", "所属组织编码"}
		for i := 1; i < len(big); i++ {
			big[i] = []string{"u" + strconv.Itoa(i), "x", "A"}
		}
		for name, tc := range map[string]struct {
			data []byte
			code string
		}{
			"text":      {[]byte("登录名,姓名\nzhang,张三\n"), apperr.EINVALID},
			"zip":       {[]byte("PK\x03\x04 not really a zip at all"), apperr.EINVALID},
			"no sheets": {book(t, map[string][][]string{"Sheet1": {{"a"}}}), apperr.EINVALID},
			"too big":   {bytes.Repeat([]byte("x"), MaxFileSize+1), apperr.ETOOLARGE},
			"rows":      {book(t, map[string][][]string{"人员": big}), apperr.ETOOLARGE},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := readWorkbook(tc.data)
				if apperr.Code(err) != tc.code {
					t.Fatalf("error %v, want %s", err, tc.code)
				}
			})
		}
	})
}
