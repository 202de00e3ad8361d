package directoryimport

import (
	"bytes"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
)

// Limits on what an upload may hold.
const (
	MaxFileSize     = 10 << 20 // bytes
	MaxRowsPerSheet = 5000     // data rows, after the header
)

// Sheet names, Chinese first; a workbook is read by these names.
const (
	SheetOrgs   = "组织机构"
	SheetPeople = "人员"
	SheetHelp   = "说明"
)

var sheetAliases = map[string][]string{
	SheetOrgs:   {"组织机构", "组织", "机构", "orgs", "organisations", "organizations"},
	SheetPeople: {"人员", "people", "users", "persons"},
}

// A column of a sheet: the field it fills, the header written by the template
// and export, and the names (Chinese and English, with variants) recognised.
type column struct {
	field    string
	header   string
	required bool
	aliases  []string
}

var orgColumns = []column{
	{"name", "名称（必填）", true, []string{"名称", "组织名称", "机构名称", "单位名称", "name", "org name"}},
	{"kind", "类型（必填）", true, []string{"类型", "组织类型", "机构类型", "单位类型", "kind", "type"}},
	{"code", "编码（必填）", true, []string{"编码", "组织编码", "机构编码", "单位编码", "代码", "code"}},
	{"parent_code", "上级编码", true, []string{"上级编码", "上级组织编码", "上级机构编码", "上级单位编码", "上级代码", "parent code", "parent"}},
	{"sort", "排序", false, []string{"排序", "排序号", "顺序", "sort", "sort order", "order"}},
}

var personColumns = []column{
	{"login", "登录名（必填）", true, []string{"登录名", "账号", "帐号", "用户名", "login", "username", "user name", "account"}},
	{"name", "姓名（必填）", true, []string{"姓名", "名字", "name", "full name"}},
	{"org_code", "所属组织编码（必填）", true, []string{"所属组织编码", "所属组织", "组织编码", "所属单位编码", "单位编码", "org code", "org", "organisation code", "organization code"}},
	{"post", "职务", false, []string{"职务", "岗位", "职位", "post", "position", "title"}},
	{"phone", "手机", false, []string{"手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile"}},
	{"roles", "角色", false, []string{"角色", "角色与管辖范围", "roles", "role"}},
	{"password", "初始密码", false, []string{"初始密码", "密码", "password", "initial password"}},
}

// normHeader folds a header cell so that variants match: full-width forms
// become ASCII, bracketed notes such as "（必填）" go, and so do spaces,
// asterisks, underscores, hyphens and colons; letters are lower-cased.
func normHeader(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		switch r {
		case '(', '[', '【', '〔', '<', '《':
			depth++
			continue
		case ')', ']', '】', '〕', '>', '》':
			if depth > 0 {
				depth--
			}
			continue
		}
		if depth > 0 || unicode.IsSpace(r) || strings.ContainsRune("*_-:：.。", r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// cell is one value of a data row with the header text of its column.
type rowData struct {
	num   int               // 1-based Excel row number
	cells map[string]string // field → trimmed value
}

// sheetData is one recognised sheet, read.
type sheetData struct {
	name      string            // as named in the workbook
	headerRow int               // 1-based
	headers   map[string]string // field → header text as written
	rows      []rowData
	errs      []RowError // header problems
}

// header returns the column name to report for field.
func (s *sheetData) header(cols []column, field string) string {
	if h, ok := s.headers[field]; ok {
		return h
	}
	for _, c := range cols {
		if c.field == field {
			return strings.TrimSuffix(c.header, "（必填）")
		}
	}
	return field
}

// workbook is what an upload held.
type workbook struct {
	orgs   *sheetData
	people *sheetData
}

var errNotXLSX = apperr.Field(apperr.EINVALID, "file", "文件不是有效的 Excel 工作簿（.xlsx）；旧版 .xls 请先在 Excel 中另存为 .xlsx / the file is not an Excel workbook (.xlsx); save an old .xls file as .xlsx first")

// readWorkbook opens data and reads the orgs and people sheets.
func readWorkbook(data []byte) (*workbook, error) {
	if len(data) > MaxFileSize {
		return nil, errTooLarge
	}
	// An xlsx file is a zip archive: refuse anything else before the parser sees it.
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, errNotXLSX
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 32 << 20})
	if err != nil {
		// Not a workbook inside, encrypted, or over the unzip limits.
		return nil, errNotXLSX
	}
	defer f.Close()
	wb := &workbook{}
	for _, name := range f.GetSheetList() {
		var which string
		n := normHeader(name)
		for key, aliases := range sheetAliases {
			for _, a := range aliases {
				if n == normHeader(a) {
					which = key
				}
			}
		}
		switch {
		case which == SheetOrgs && wb.orgs == nil:
			if wb.orgs, err = readSheet(f, name, orgColumns); err != nil {
				return nil, err
			}
		case which == SheetPeople && wb.people == nil:
			if wb.people, err = readSheet(f, name, personColumns); err != nil {
				return nil, err
			}
		}
	}
	if wb.orgs == nil && wb.people == nil {
		return nil, apperr.Field(apperr.EINVALID, "file", "工作簿中没有名为“组织机构”或“人员”的工作表 / the workbook has no sheet named 组织机构 (orgs) or 人员 (people)")
	}
	return wb, nil
}

var errTooLarge = apperr.Field(apperr.ETOOLARGE, "file", "文件超过 10 MiB / the file is larger than 10 MiB")

// readSheet reads a sheet: the first non-empty row is the header; data rows
// follow, blank ones skipped.
func readSheet(f *excelize.File, name string, cols []column) (*sheetData, error) {
	rows, err := f.Rows(name)
	if err != nil {
		return nil, errNotXLSX
	}
	defer rows.Close()
	s := &sheetData{name: name, headers: map[string]string{}}
	var index map[int]string // column index → field
	num := 0
	for rows.Next() {
		num++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, errNotXLSX
		}
		if index == nil {
			if blank(cells) {
				continue
			}
			s.headerRow = num
			index = s.readHeader(cells, cols)
			continue
		}
		rd := rowData{num: num, cells: map[string]string{}}
		empty := true
		for i, v := range cells {
			field, ok := index[i]
			if !ok {
				continue
			}
			v = strings.TrimFunc(v, unicode.IsSpace)
			if v != "" {
				empty = false
				rd.cells[field] = v
			}
		}
		if empty {
			continue
		}
		if len(s.rows) >= MaxRowsPerSheet {
			return nil, apperr.Field(apperr.ETOOLARGE, "file", "工作表“%s”超过 %d 行 / the sheet %q has more than %d rows", name, MaxRowsPerSheet, name, MaxRowsPerSheet)
		}
		s.rows = append(s.rows, rd)
	}
	if err := rows.Error(); err != nil {
		return nil, errNotXLSX
	}
	if index == nil {
		s.headerRow = 1
	}
	for _, c := range cols {
		if _, ok := s.headers[c.field]; !ok && c.required {
			h := strings.TrimSuffix(c.header, "（必填）")
			s.errs = append(s.errs, RowError{Sheet: name, Row: s.headerRow, Column: h,
				Message: "缺少必填列“" + h + "” / the required column " + h + " (" + c.field + ") is missing"})
		}
	}
	return s, nil
}

func (s *sheetData) readHeader(cells []string, cols []column) map[int]string {
	index := map[int]string{}
	for i, h := range cells {
		n := normHeader(h)
		if n == "" {
			continue
		}
		for _, c := range cols {
			match := false
			for _, a := range c.aliases {
				if normHeader(a) == n {
					match = true
					break
				}
			}
			if !match {
				continue
			}
			if prev, dup := s.headers[c.field]; dup {
				s.errs = append(s.errs, RowError{Sheet: s.name, Row: s.headerRow, Column: strings.TrimSpace(h),
					Message: "列“" + strings.TrimSpace(h) + "”与“" + prev + "”重复 / the column " + strings.TrimSpace(h) + " repeats " + prev})
				break
			}
			s.headers[c.field] = strings.TrimSpace(h)
			index[i] = c.field
			break
		}
	}
	return index
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
