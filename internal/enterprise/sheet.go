package enterprise

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
)

// The workbook of the register (企业场所台账): one sheet of enterprises,
// one of explanations and one of codes. Import reads the sheet by name (or
// the first sheet that is not an explanation), finds the header row by its
// column names (a title row above it is fine), and reads each data row.
// The pattern is internal/directoryimport's: all or nothing, every problem
// reported with its sheet, row and column.

// Limits on what an upload may hold.
const (
	MaxFileSize     = 10 << 20 // bytes
	MaxRowsPerSheet = 5000     // data rows, after the header
)

// Sheet names.
const (
	SheetData  = "企业场所"
	SheetHelp  = "说明"
	SheetCodes = "代码表"
)

var dataSheetAliases = []string{SheetData, "企业", "场所", "企业台账", "生产经营单位", "enterprises", "register"}

// column is one column of the sheet: the field it fills, the header the
// template and export write, whether the header must be present, the names
// recognised (Chinese and English, with variants), and its width.
type column struct {
	field    string
	header   string
	required bool
	aliases  []string
	width    float64
}

// Fields of the columns.
const (
	colID            = "id"
	colKind          = "kind"
	colName          = "name"
	colUSCC          = "uscc"
	colAddress       = "address"
	colTerritoryCode = "territory_code"
	colTerritoryName = "territory_name" // written by the export, ignored on import
	colIndustry      = "industry"
	colRegulatorCode = "regulator_code"
	colRegulatorName = "regulator_name" // written by the export, ignored on import
	colRisk          = "risk"
	colKey           = "key"
	colCrowded       = "crowded"
	colMajorHazard   = "major_hazard"
	colPrincipal     = "principal_name"
	colPrincipalTel  = "principal_phone"
	colOfficer       = "officer_name"
	colOfficerTel    = "officer_phone"
	colFounded       = "founded_on"
	colClosed        = "closed"
)

var columns = []column{
	{colID, "系统编号", false, []string{"系统编号", "编号", "id"}, 9},
	{colKind, "类型", false, []string{"类型", "单位类型", "kind", "type"}, 7},
	{colName, "名称（必填）", true, []string{"名称", "单位名称", "企业名称", "场所名称", "企业（场所）名称", "name"}, 30},
	{colUSCC, "统一社会信用代码", true, []string{"统一社会信用代码", "社会信用代码", "信用代码", "uscc", "credit code", "unified social credit code"}, 22},
	{colAddress, "地址", false, []string{"地址", "详细地址", "经营地址", "注册地址", "address"}, 30},
	{colTerritoryCode, "属地编码（必填）", true, []string{"属地编码", "属地组织编码", "属地代码", "territory code"}, 13},
	{colTerritoryName, "属地名称", false, []string{"属地名称", "属地", "territory", "territory name"}, 12},
	{colIndustry, "行业（必填）", true, []string{"行业", "行业类别", "所属行业", "industry"}, 13},
	{colRegulatorCode, "监管部门编码", false, []string{"监管部门编码", "行业监管部门编码", "regulator code"}, 13},
	{colRegulatorName, "行业监管部门", false, []string{"行业监管部门", "监管部门", "regulator"}, 20},
	{colRisk, "风险等级（必填）", true, []string{"风险等级", "风险级别", "风险分级", "risk level", "risk"}, 10},
	{colKey, "重点企业", false, []string{"重点企业", "是否重点企业", "key enterprise"}, 9},
	{colCrowded, "人员密集场所", false, []string{"人员密集场所", "是否人员密集场所", "crowded place"}, 11},
	{colMajorHazard, "重大危险源", false, []string{"重大危险源", "是否重大危险源", "major hazard source"}, 10},
	{colPrincipal, "主要负责人", false, []string{"主要负责人", "负责人", "法定代表人", "principal"}, 11},
	{colPrincipalTel, "主要负责人电话", false, []string{"主要负责人电话", "负责人电话", "主要负责人手机", "principal phone"}, 15},
	{colOfficer, "安全管理人员", false, []string{"安全管理人员", "安全负责人", "安全员", "safety officer"}, 11},
	{colOfficerTel, "安全管理人员电话", false, []string{"安全管理人员电话", "安全负责人电话", "安全员电话", "safety officer phone"}, 15},
	{colFounded, "成立日期", false, []string{"成立日期", "成立时间", "founded", "founded on", "founding date"}, 12},
	{colClosed, "已关闭", false, []string{"已关闭", "是否关闭", "关闭", "closed"}, 8},
}

func columnOf(field string) column {
	for _, c := range columns {
		if c.field == field {
			return c
		}
	}
	return column{field: field, header: field}
}

// normHeader folds a header cell so that variants match: full-width forms
// become ASCII, bracketed notes such as "（必填）" go, and so do spaces,
// asterisks, underscores, hyphens and colons; letters are lower-cased.
// (Lifted from internal/directoryimport.)
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

var aliasIndex = func() map[string]string {
	m := map[string]string{}
	for _, c := range columns {
		for _, a := range c.aliases {
			m[normHeader(a)] = c.field
		}
	}
	return m
}()

// RowError is one problem found in the workbook.
type RowError struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`    // 1-based Excel row number
	Column  string `json:"column"` // header text as written in the file
	Message string `json:"message"`
}

// rowData is one data row: its Excel number and its cells by field.
type rowData struct {
	num   int
	cells map[string]string
}

// sheetData is the data sheet, read.
type sheetData struct {
	name      string
	headerRow int
	headers   map[string]string // field → header text as written
	rows      []rowData
	errs      []RowError
}

// header returns the column name to report for field.
func (s *sheetData) header(field string) string {
	if h, ok := s.headers[field]; ok {
		return h
	}
	return strings.TrimSuffix(columnOf(field).header, "（必填）")
}

func (s *sheetData) fail(row int, field, format string, args ...any) {
	col := ""
	if field != "" {
		col = s.header(field)
	}
	s.errs = append(s.errs, RowError{Sheet: s.name, Row: row, Column: col, Message: fmt.Sprintf(format, args...)})
}

var errNotXLSX = apperr.Field(apperr.EINVALID, "file", "文件不是有效的 Excel 工作簿（.xlsx）；旧版 .xls 请先在 Excel 中另存为 .xlsx / the file is not an Excel workbook (.xlsx); save an old .xls file as .xlsx first")

var errTooLarge = apperr.Field(apperr.ETOOLARGE, "file", "文件超过 10 MiB / the file is larger than 10 MiB")

// readWorkbook opens data and reads the data sheet.
func readWorkbook(data []byte) (*sheetData, error) {
	if len(data) > MaxFileSize {
		return nil, errTooLarge
	}
	// An xlsx file is a zip archive: refuse anything else before the parser sees it.
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, errNotXLSX
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 32 << 20})
	if err != nil {
		return nil, errNotXLSX
	}
	defer f.Close()
	name := ""
	list := f.GetSheetList()
	for _, n := range list {
		for _, a := range dataSheetAliases {
			if normHeader(n) == normHeader(a) && name == "" {
				name = n
			}
		}
	}
	if name == "" {
		for _, n := range list {
			if nn := normHeader(n); nn != normHeader(SheetHelp) && nn != normHeader(SheetCodes) {
				name = n
				break
			}
		}
	}
	if name == "" {
		return nil, apperr.Field(apperr.EINVALID, "file", "工作簿中没有企业场所工作表 / the workbook has no sheet of enterprises")
	}
	return readSheet(f, name)
}

// headerScan is how many non-blank rows may stand above the header (a title,
// a date line) before the first one is taken as the header anyway.
const headerScan = 10

// readSheet reads the sheet: the header is the first row naming at least
// two known columns (within the first rows); data rows follow, blank ones
// skipped. Merged cells in the header or the data are problems: a merged
// header hides which column is which, and a merged data cell leaves every
// row but the first empty.
func readSheet(f *excelize.File, name string) (*sheetData, error) {
	all, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, errNotXLSX
	}
	s := &sheetData{name: name, headers: map[string]string{}}
	first, nonBlank := 0, 0
	for i, cells := range all {
		if blank(cells) {
			continue
		}
		if first == 0 {
			first = i + 1
		}
		if known(cells) >= 2 {
			s.headerRow = i + 1
			break
		}
		if nonBlank++; nonBlank >= headerScan {
			break
		}
	}
	if s.headerRow == 0 {
		s.headerRow = max(first, 1)
	}
	var index map[int]string
	if s.headerRow <= len(all) {
		index = s.readHeader(all[s.headerRow-1])
	}
	merges, err := f.GetMergeCells(name, true)
	if err != nil {
		return nil, errNotXLSX
	}
	s.checkMerges(merges)
	dateCol := -1
	for i, field := range index {
		if field == colFounded {
			dateCol = i
		}
	}
	for i := s.headerRow; i < len(all); i++ {
		num := i + 1
		rd := rowData{num: num, cells: map[string]string{}}
		empty := true
		for j, v := range all[i] {
			field, ok := index[j]
			if !ok {
				continue
			}
			v = strings.TrimFunc(v, unicode.IsSpace)
			if v == "" {
				continue
			}
			empty = false
			if j == dateCol {
				axis, _ := excelize.CoordinatesToCellName(j+1, num)
				v = s.readDate(f, axis, num, v)
			}
			rd.cells[field] = v
		}
		if empty {
			continue
		}
		if len(s.rows) >= MaxRowsPerSheet {
			return nil, apperr.Field(apperr.ETOOLARGE, "file", "工作表“%s”超过 %d 行 / the sheet %q has more than %d rows", name, MaxRowsPerSheet, name, MaxRowsPerSheet)
		}
		s.rows = append(s.rows, rd)
	}
	for _, c := range columns {
		if _, ok := s.headers[c.field]; !ok && c.required {
			h := strings.TrimSuffix(c.header, "（必填）")
			s.errs = append(s.errs, RowError{Sheet: name, Row: s.headerRow, Column: h,
				Message: "缺少必填列“" + h + "” / the required column " + h + " (" + c.field + ") is missing"})
		}
	}
	return s, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// known counts the cells of a row that name a column.
func known(cells []string) int {
	n := 0
	for _, c := range cells {
		if _, ok := aliasIndex[normHeader(c)]; ok {
			n++
		}
	}
	return n
}

func (s *sheetData) readHeader(cells []string) map[int]string {
	index := map[int]string{}
	for i, h := range cells {
		field, ok := aliasIndex[normHeader(h)]
		if !ok {
			continue
		}
		h = strings.TrimSpace(h)
		if prev, dup := s.headers[field]; dup {
			s.errs = append(s.errs, RowError{Sheet: s.name, Row: s.headerRow, Column: h,
				Message: "列“" + h + "”与“" + prev + "”重复 / the column " + h + " repeats " + prev})
			continue
		}
		s.headers[field] = h
		index[i] = field
	}
	return index
}

// checkMerges reports merged ranges that touch the header row or the data
// below it; a merged title above the header is fine.
func (s *sheetData) checkMerges(merges []excelize.MergeCell) {
	for _, m := range merges {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		_, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || r2 < s.headerRow {
			continue
		}
		rng := m.GetStartAxis() + ":" + m.GetEndAxis()
		col, _ := excelize.ColumnNumberToName(c1)
		if r1 <= s.headerRow {
			s.errs = append(s.errs, RowError{Sheet: s.name, Row: s.headerRow, Column: col,
				Message: "表头有合并单元格 " + rng + "：请取消合并，让每一列有自己的表头（只占一行） / the header has merged cells " + rng + ": unmerge them so that each column has its own one-row header"})
			continue
		}
		s.errs = append(s.errs, RowError{Sheet: s.name, Row: r1, Column: col,
			Message: "合并单元格 " + rng + "：请取消合并，并在每一行填写 / merged cells " + rng + ": unmerge them and fill in every row"})
	}
}

// readDate turns a date cell into YYYY-MM-DD. A date is a number in Excel
// (days since 1899-12-30) shown with a date format; a date written as text
// ("2019.3.1", "2019年3月1日", even "2019-03-01" typed into a text cell) does
// not sort or filter as a date, so it is a problem to fix in the file.
func (s *sheetData) readDate(f *excelize.File, axis string, row int, raw string) string {
	typ, err := f.GetCellType(s.name, axis)
	if err == nil {
		switch typ {
		case excelize.CellTypeNumber, excelize.CellTypeUnset:
			if v, err := strconv.ParseFloat(raw, 64); err == nil {
				if t, err := excelize.ExcelDateToTime(v, false); err == nil && v >= 1 {
					return t.Format("2006-01-02")
				}
			}
		case excelize.CellTypeDate:
			for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
				if t, err := time.Parse(layout, raw); err == nil {
					return t.Format("2006-01-02")
				}
			}
		}
	}
	s.fail(row, colFounded, "成立日期“%s”是文本，不是日期：请把单元格设为日期格式并重新输入（如 2019-03-01） / the founding date %q is text, not a date: format the cell as a date and enter it again (e.g. 2019-03-01)", raw, raw)
	return ""
}
