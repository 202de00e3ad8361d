package hazard

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// Import limits.
const (
	MaxImportSize = 10 << 20 // bytes
	MaxImportRows = 5000
	headerScan    = 10 // rows searched for the header
)

// RowError is one problem of an import: where it is and what is wrong.
type RowError struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`    // 1-based Excel row
	Column  string `json:"column"` // header text as written in the file
	Cell    string `json:"cell,omitempty"`
	Message string `json:"message"`
}

// Rejected is an import with problems: nothing was written.
type Rejected struct{ Rows []RowError }

func (e *Rejected) Error() string {
	return fmt.Sprintf("hazard import rejected: %d problem(s)", len(e.Rows))
}

// Message is the one-line summary.
func (e *Rejected) Message() string {
	return fmt.Sprintf("导入文件有 %d 处问题，未写入任何数据 / the file has %d problem(s); nothing was written", len(e.Rows), len(e.Rows))
}

// ImportResult is a successful import (or dry run).
type ImportResult struct {
	DryRun  bool     `json:"dry_run"`
	Created int      `json:"created"`
	Numbers []string `json:"numbers"`
}

// importRequired are the columns an import cannot do without.
var importRequired = []string{"description", "found", "deadline"}

// normHeader folds a header so that variants match: full-width forms to
// ASCII, bracketed notes such as "（元）" dropped, spaces and punctuation
// dropped, letters lower-cased.
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
		if depth > 0 || unicode.IsSpace(r) || strings.ContainsRune("*_-:：.。/、，,", r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

var aliasIndex = func() map[string]string {
	m := map[string]string{}
	for _, c := range Columns {
		for _, a := range append([]string{c.header}, c.aliases...) {
			if _, dup := m[normHeader(a)]; !dup {
				m[normHeader(a)] = c.field
			}
		}
	}
	return m
}()

// headerOf returns the export header of a field.
func headerOf(field string) string {
	for _, c := range Columns {
		if c.field == field {
			return c.header
		}
	}
	return field
}

// sheet is the ledger sheet read: its header and data rows.
type sheet struct {
	name      string
	headerRow int
	cols      map[string]int    // field → 0-based column
	headers   map[string]string // field → header as written
	fundsWan  bool              // 整改资金（万元）
	rows      []sheetRow
	errs      []RowError
}

type sheetRow struct {
	num   int
	cells map[string]string // field → raw value
}

func (sh *sheet) cell(field string, row int) string {
	name, _ := excelize.CoordinatesToCellName(sh.cols[field]+1, row)
	return name
}

func (sh *sheet) fail(row int, field, format string, args ...any) {
	e := RowError{Sheet: sh.name, Row: row, Column: sh.headers[field], Message: fmt.Sprintf(format, args...)}
	if e.Column == "" {
		e.Column = headerOf(field)
	}
	if _, ok := sh.cols[field]; ok && row > 0 {
		e.Cell = sh.cell(field, row)
	}
	sh.errs = append(sh.errs, e)
}

var errNotXLSX = apperr.Field(apperr.EINVALID, "file", "文件不是有效的 Excel 工作簿（.xlsx）；旧版 .xls 请先另存为 .xlsx / the file is not an Excel workbook (.xlsx); save an old .xls file as .xlsx first")

// readLedger finds the ledger sheet (the first whose header names the
// hazard and its dates) and reads it.
func readLedger(data []byte) (*sheet, error) {
	if len(data) > MaxImportSize {
		return nil, apperr.Field(apperr.ETOOLARGE, "file", "文件超过 10 MiB / the file is larger than 10 MiB")
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, errNotXLSX
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 32 << 20})
	if err != nil {
		return nil, errNotXLSX
	}
	defer f.Close()
	var first *sheet
	for _, name := range f.GetSheetList() {
		sh, err := readSheet(f, name)
		if err != nil {
			return nil, err
		}
		if sh == nil {
			continue
		}
		if _, ok := sh.cols["description"]; ok {
			return sh, nil
		}
		if first == nil {
			first = sh
		}
	}
	if first != nil {
		return first, nil
	}
	return nil, apperr.Field(apperr.EINVALID, "file", "工作簿中找不到隐患台账的表头（如“存在问题及隐患”“排查时间”“整改时间”） / no sheet has a hazard ledger header (存在问题及隐患, 排查时间, 整改时间)")
}

// readSheet reads one sheet: the header is the first of the top rows that
// names at least three known columns (a merged title row above it is
// fine); a merged cell within the header is refused.
func readSheet(f *excelize.File, name string) (*sheet, error) {
	rows, err := f.Rows(name)
	if err != nil {
		return nil, errNotXLSX
	}
	defer rows.Close()
	sh := &sheet{name: name, cols: map[string]int{}, headers: map[string]string{}}
	num := 0
	for rows.Next() {
		num++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, errNotXLSX
		}
		if sh.headerRow == 0 {
			if num > headerScan {
				return nil, nil
			}
			known := 0
			for _, c := range cells {
				if _, ok := aliasIndex[normHeader(c)]; ok {
					known++
				}
			}
			if known < 3 {
				continue
			}
			sh.headerRow = num
			sh.readHeader(cells)
			if err := sh.checkMerged(f); err != nil {
				return nil, err
			}
			continue
		}
		r := sheetRow{num: num, cells: map[string]string{}}
		empty := true
		for field, i := range sh.cols {
			if i < len(cells) {
				v := strings.TrimFunc(cells[i], unicode.IsSpace)
				if v != "" {
					r.cells[field] = v
					if field != "seq" {
						empty = false
					}
				}
			}
		}
		if empty {
			continue
		}
		if len(sh.rows) >= MaxImportRows {
			return nil, apperr.Field(apperr.ETOOLARGE, "file", "工作表“%s”超过 %d 行 / the sheet %q has more than %d rows", name, MaxImportRows, name, MaxImportRows)
		}
		r.cells["_type"] = ""
		sh.rows = append(sh.rows, r)
	}
	if err := rows.Error(); err != nil {
		return nil, errNotXLSX
	}
	if sh.headerRow == 0 {
		return nil, nil
	}
	for _, field := range importRequired {
		if _, ok := sh.cols[field]; !ok {
			h := headerOf(field)
			sh.errs = append(sh.errs, RowError{Sheet: name, Row: sh.headerRow, Column: h,
				Message: "缺少必需的列“" + h + "” / the required column " + h + " (" + field + ") is missing"})
		}
	}
	return sh, nil
}

func (sh *sheet) readHeader(cells []string) {
	for i, c := range cells {
		n := normHeader(c)
		field, ok := aliasIndex[n]
		if !ok {
			continue
		}
		if prev, dup := sh.headers[field]; dup {
			cell, _ := excelize.CoordinatesToCellName(i+1, sh.headerRow)
			sh.errs = append(sh.errs, RowError{Sheet: sh.name, Row: sh.headerRow, Column: strings.TrimSpace(c), Cell: cell,
				Message: "列“" + strings.TrimSpace(c) + "”与“" + prev + "”重复 / the column " + strings.TrimSpace(c) + " repeats " + prev})
			continue
		}
		sh.cols[field], sh.headers[field] = i, strings.TrimSpace(c)
		if field == "funds" && strings.Contains(c, "万元") {
			sh.fundsWan = true
		}
	}
}

// checkMerged refuses merged cells that touch the header row: the columns
// under them cannot be told apart.
func (sh *sheet) checkMerged(f *excelize.File) error {
	merged, err := f.GetMergeCells(sh.name)
	if err != nil {
		return errNotXLSX
	}
	for _, m := range merged {
		_, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		_, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		if r1 <= sh.headerRow && sh.headerRow <= r2 {
			rng := m.GetStartAxis() + ":" + m.GetEndAxis()
			sh.errs = append(sh.errs, RowError{Sheet: sh.name, Row: sh.headerRow, Column: strings.TrimSpace(m.GetCellValue()), Cell: rng,
				Message: "表头单元格 " + rng + " 是合并单元格，请取消合并、每列一个表头后再导入 / the header cells " + rng + " are merged: unmerge them so that each column has its own header"})
		}
	}
	return nil
}

var (
	dateRE   = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?$`)
	serialRE = regexp.MustCompile(`^\d{1,6}(\.\d+)?$`)
)

// parseDateCell reads a date as offices write it: 2026-11-27, 2026/11/27,
// 2026.11.27, 2026年11月27日 (a time after it is ignored), or an Excel date
// (a serial number). Anything else, such as 下周一, is refused.
func parseDateCell(s string) (calendar.Date, bool) {
	s = strings.TrimSpace(s)
	if m := dateRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		date := calendar.Date{Year: y, Month: time.Month(mo), Day: d}
		return date, date.Valid() && y >= 1990 && y <= 2100
	}
	if serialRE.MatchString(s) {
		v, err := strconv.ParseFloat(s, 64)
		// 1990-01-01 … 2100-12-31 as Excel serials.
		if err != nil || v < 32874 || v > 73415 {
			return calendar.Date{}, false
		}
		t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(math.Floor(v)))
		return calendar.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, true
	}
	return calendar.Date{}, false
}

// parseFunds reads an amount in yuan: 1200, 1,200.50, 1.2万, 3000元.
func parseFunds(s string, wan bool) (float64, bool) {
	s = strings.TrimSpace(strings.NewReplacer(",", "", "，", "", "元", "", "¥", "", "￥", "").Replace(s))
	mult := 1.0
	if wan {
		mult = 10000
	}
	if strings.HasSuffix(s, "万") {
		s, mult = strings.TrimSuffix(s, "万"), 10000
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v * mult, true
}

// importStatus reads 完成情况.
func importStatus(s string) (string, bool) {
	switch strings.ReplaceAll(strings.TrimSpace(s), " ", "") {
	case "", "未整改", "待整改", "未开始", "未完成", "否":
		return Registered, true
	case "整改中", "正在整改", "整改中未完成":
		return Rectifying, true
	case "待验收", "已整改待验收", "已整改", "待销号":
		return AwaitingAcceptance, true
	case "已验收", "已销号", "已完成", "完成", "已整改已验收", "验收合格", "是":
		return Closed, true
	case "已撤销", "撤销":
		return Cancelled, true
	}
	return "", false
}

func importGrade(s string) (string, bool) {
	switch strings.TrimSpace(s) {
	case "", "一般", "一般隐患", "general", "一般事故隐患":
		return General, true
	case "重大", "重大隐患", "major", "重大事故隐患":
		return Major, true
	}
	return "", false
}

func importSource(s string) string {
	switch strings.TrimSpace(s) {
	case "检查发现", "检查", "排查", "日常检查", "执法检查", "督查检查":
		return SourceInspection
	case "企业自查", "自查", "自查自报", "企业自报":
		return SourceSelfReport
	case "群众举报", "举报", "投诉举报":
		return SourceTip
	case "专项行动", "专项检查", "专项整治":
		return SourceCampaign
	case "其他":
		return SourceOther
	}
	return SourceImport
}

func importMode(s string) (string, bool) {
	switch strings.TrimSpace(s) {
	case "", "限期整改", "限期":
		return ModeDeadline, true
	case "即查即改", "立即整改", "现场整改", "立行立改":
		return ModeImmediate, true
	}
	return "", false
}

// importRow is one data row turned into a registration and what follows it.
type importRow struct {
	num       int
	p         *plan
	status    string
	closed    calendar.Date
	acceptor  string
	supervise string
}

// Import reads an existing ledger and registers every row, all or nothing:
// every row is checked first (formats, categories, orgs and the actor's
// permission for each), and any problem rejects the whole file with every
// problem listed by sheet, row and column. defaultOrgID is the territory of
// rows without a 属地 (default: the actor's org).
func (s *Service) Import(ctx context.Context, a *auth.Actor, data []byte, defaultOrgID int64, dryRun bool) (*ImportResult, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if !a.Operator && !a.CanAnywhere(auth.HazardReport) {
		return nil, s.Auth.Refuse(ctx, a, auth.HazardReport, "hazard", apperr.NotFound("hazard"))
	}
	sh, err := readLedger(data)
	if err != nil {
		return nil, err
	}
	if defaultOrgID == 0 {
		defaultOrgID = a.OrgID
	}
	defOrg, err := org.ByID(ctx, s.DB, defaultOrgID)
	if err != nil {
		return nil, apperr.Field(apperr.EINVALID, "org_id", "默认属地 %d 不存在 / org %d does not exist", defaultOrgID, defaultOrgID)
	}
	orgsByName := map[string]*org.Org{}
	if subtree, err := org.Subtree(ctx, s.DB, "/"); err == nil {
		for i := range subtree {
			o := &subtree[i]
			for _, k := range []string{o.Name, o.Code} {
				if k != "" {
					if _, dup := orgsByName[k]; !dup {
						orgsByName[k] = o
					}
				}
			}
		}
	}
	standards, err := Standards(ctx, s.DB, true)
	if err != nil {
		return nil, err
	}
	seenNumbers := map[string]int{}
	var planned []importRow
	if len(sh.errs) == 0 {
		for _, r := range sh.rows {
			if ir := s.importRow(ctx, a, sh, r, defOrg, orgsByName, standards, seenNumbers); ir != nil {
				planned = append(planned, *ir)
			}
		}
		if len(sh.rows) == 0 {
			sh.errs = append(sh.errs, RowError{Sheet: sh.name, Row: sh.headerRow + 1, Message: "表中没有数据行 / the sheet has no data rows"})
		}
	}
	if len(sh.errs) > 0 {
		if len(sh.errs) > 500 {
			sh.errs = sh.errs[:500]
		}
		return nil, &Rejected{Rows: sh.errs}
	}
	res := &ImportResult{DryRun: dryRun, Created: len(planned), Numbers: []string{}}
	if dryRun {
		return res, nil
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, ir := range planned {
			_, number, err := s.writeImported(ctx, tx, a, ir)
			if err != nil {
				if e, ok := apperr.As(err); ok {
					return &Rejected{Rows: []RowError{{Sheet: sh.name, Row: ir.num, Column: headerOf(e.Field), Message: e.Message}}}
				}
				return fmt.Errorf("row %d: %w", ir.num, err)
			}
			res.Numbers = append(res.Numbers, number)
		}
		e := a.Entry(now, "hazard.import_file", "hazard", "", defOrg.ID)
		e.Detail = fmt.Sprintf("%d hazards from sheet %s", len(planned), sh.name)
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// importRow checks one row and plans its registration (nil with errors recorded).
func (s *Service) importRow(ctx context.Context, a *auth.Actor, sh *sheet, r sheetRow, defOrg *org.Org, orgsByName map[string]*org.Org,
	standards []Standard, seen map[string]int) *importRow {
	before := len(sh.errs)
	c := r.cells
	ir := &importRow{num: r.num}
	in := Input{Description: c["description"], Location: c["location"], Category: c["category"], FinderName: c["finder"],
		Measures: c["measures"], ResponsibleUnit: c["unit"], ResponsiblePerson: c["person"], Source: importSource(c["source"])}
	if in.Category == "" {
		in.Category = "other"
	}
	if in.Description == "" {
		sh.fail(r.num, "description", "存在问题及隐患不能为空 / the hazard description is empty")
	}
	found, ok := parseDateCell(c["found"])
	switch {
	case c["found"] == "":
		sh.fail(r.num, "found", "排查时间不能为空 / the finding date is empty")
	case !ok:
		sh.fail(r.num, "found", "单元格 %s 的“%s”不是日期，请写成 2026-11-27、2026/11/27 或 2026年11月27日 / cell %s: %q is not a date; write 2026-11-27, 2026/11/27 or 2026年11月27日",
			sh.cell("found", r.num), c["found"], sh.cell("found", r.num), c["found"])
	default:
		t := found.Time().Add(9 * time.Hour).UTC() // a finding without a time: 09:00
		in.FoundAt = &t
	}
	mode, ok := importMode(c["mode"])
	if !ok {
		sh.fail(r.num, "mode", "整改方式“%s”应为“即查即改”或“限期整改” / %q: write 即查即改 or 限期整改", c["mode"], c["mode"])
	}
	switch d, ok := parseDateCell(c["deadline"]); {
	case c["deadline"] == "" && mode == ModeImmediate:
		in.Deadline = found.String()
	case c["deadline"] == "":
		sh.fail(r.num, "deadline", "整改时间（期限）不能为空 / the deadline is empty")
	case !ok:
		sh.fail(r.num, "deadline", "单元格 %s 的“%s”不是日期，请写成 2026-11-27、2026/11/27 或 2026年11月27日 / cell %s: %q is not a date; write 2026-11-27, 2026/11/27 or 2026年11月27日",
			sh.cell("deadline", r.num), c["deadline"], sh.cell("deadline", r.num), c["deadline"])
	default:
		in.Deadline = d.String()
	}
	grade, ok := importGrade(c["grade"])
	if !ok {
		sh.fail(r.num, "grade", "隐患等级“%s”应为“一般隐患”或“重大隐患” / %q: write 一般隐患 or 重大隐患", c["grade"], c["grade"])
	}
	in.Grade = grade
	if v := c["standard"]; v != "" {
		for _, st := range standards {
			if v == st.Label() || v == st.Text || v == st.Code+st.Clause || v == st.Name+st.Clause {
				id := st.ID
				in.StandardID = &id
				break
			}
		}
		if in.StandardID == nil {
			sh.fail(r.num, "standard", "判定依据“%s”不在判定标准表中 / %q is not a clause of the grading reference", v, v)
		}
	} else if grade == Major {
		sh.fail(r.num, "standard", "重大隐患须填写判定依据（判定标准及条款） / a major hazard needs its grading clause (判定依据)")
	}
	if v := c["funds"]; v != "" {
		if y, ok := parseFunds(v, sh.fundsWan); ok {
			in.FundsYuan = y
		} else {
			sh.fail(r.num, "funds", "整改资金“%s”不是金额 / %q is not an amount", v, v)
		}
	}
	st, ok := importStatus(c["status"])
	if !ok {
		sh.fail(r.num, "status", "完成情况“%s”应为 未整改、整改中、待验收、已验收 或 已撤销 / %q: write 未整改, 整改中, 待验收, 已验收 or 已撤销", c["status"], c["status"])
	}
	if st == Registered && c["status"] == "" && c["closed"] != "" {
		st = Closed
	}
	ir.status, ir.acceptor = st, c["acceptor"]
	if mode == ModeImmediate && st == Registered && c["status"] == "" {
		ir.status = Closed
	}
	if ir.status == Closed {
		switch d, ok := parseDateCell(c["closed"]); {
		case c["closed"] == "" && mode == ModeImmediate && in.FoundAt != nil:
			ir.closed = found
		case c["closed"] == "":
			sh.fail(r.num, "closed", "完成情况为“已验收”时须填写销号日期 / a closed hazard needs its 销号日期")
		case !ok:
			sh.fail(r.num, "closed", "单元格 %s 的“%s”不是日期，请写成 2026-11-27、2026/11/27 或 2026年11月27日 / cell %s: %q is not a date",
				sh.cell("closed", r.num), c["closed"], sh.cell("closed", r.num), c["closed"])
		case d.Before(found):
			sh.fail(r.num, "closed", "销号日期 %s 早于排查时间 %s / the closing date is before the finding date", d, found)
		default:
			ir.closed = d
		}
	}
	// Territory and supervising org, by name or code.
	territory := defOrg
	if v := c["territory"]; v != "" {
		if o, ok := orgsByName[v]; ok {
			territory = o
		} else {
			sh.fail(r.num, "territory", "属地“%s”不是系统中的组织 / %q is not an org", v, v)
		}
	}
	in.OrgID = territory.ID
	if v := c["supervising"]; v != "" && c["supervisor"] == "" {
		if o, ok := orgsByName[v]; ok {
			in.SupervisingOrgID = o.ID
		}
	}
	ir.supervise = c["supervisor"]
	if v := c["enterprise"]; v != "" {
		var id int64
		var tid int64
		if err := s.DB.QueryRow(ctx, "SELECT id, territory_org_id FROM enterprises WHERE name = ? ORDER BY closed, id LIMIT 1", v).Scan(&id, &tid); err == nil {
			in.EnterpriseID = &id
			in.OrgID = 0
		} else if in.Location == "" {
			in.Location = v
		} else if !strings.Contains(in.Location, v) {
			in.Location = v + " " + in.Location
		}
	}
	if v := c["number"]; v != "" {
		if prev, dup := seen[v]; dup {
			sh.fail(r.num, "number", "隐患编号 %s 与第 %d 行重复 / the number %s repeats row %d", v, prev, v, prev)
		}
		seen[v] = r.num
		var n int
		if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM hazards WHERE number = ? OR (source_ref = ? AND source_ref <> '')", v, "导入:"+v).Scan(&n); err == nil && n > 0 {
			sh.fail(r.num, "number", "隐患编号 %s 已在系统中，不能重复导入 / the hazard %s is in the system already", v, v)
		}
		in.SourceRef = "导入:" + v
	}
	if len(sh.errs) > before {
		return nil
	}
	p, err := s.planImport(ctx, a, in, mode)
	if err != nil {
		e, ok := apperr.As(err)
		if !ok {
			sh.fail(r.num, "", "%v", err)
			return nil
		}
		sh.fail(r.num, importField(e.Field), "%s", e.Message)
		return nil
	}
	ir.p = p
	return ir
}

// importField maps an input field to the ledger column it came from.
func importField(field string) string {
	switch field {
	case "description", "location", "category", "grade", "measures":
		return map[string]string{"description": "description", "location": "location", "category": "category", "grade": "grade", "measures": "measures"}[field]
	case "found_at":
		return "found"
	case "deadline":
		return "deadline"
	case "finder_name":
		return "finder"
	case "responsible_unit":
		return "unit"
	case "responsible_person":
		return "person"
	case "funds_yuan":
		return "funds"
	case "standard_id", "major.state_cause", "major.harm":
		return "standard"
	case "org_id":
		return "territory"
	case "supervising_org_id":
		return "supervising"
	}
	return field
}

// planImport plans a row as a registration, with the allowances of an old
// ledger (see plan's imported).
func (s *Service) planImport(ctx context.Context, a *auth.Actor, in Input, mode string) (*plan, error) {
	p, err := s.planWith(ctx, s.DB, a, in, true)
	if err != nil {
		var r *refusal
		if asRefusal(err, &r) {
			return nil, apperr.Field(apperr.EINVALID, "org_id", "您无权在“%s”登记隐患 / you may not register hazards there", orgName(ctx, s, in.OrgID))
		}
		return nil, err
	}
	p.action, p.mode = EventImported, mode
	return p, nil
}

func asRefusal(err error, r **refusal) bool {
	x, ok := err.(*refusal)
	if ok {
		*r = x
	}
	return ok
}

func orgName(ctx context.Context, s *Service, id int64) string {
	var name string
	s.DB.QueryRow(ctx, "SELECT name FROM orgs WHERE id = ?", id).Scan(&name)
	return name
}

// writeImported registers a planned row and brings it to the state the
// ledger says, with an import step on its timeline.
func (s *Service) writeImported(ctx context.Context, tx *db.Tx, a *auth.Actor, ir importRow) (int64, string, error) {
	p := ir.p
	p.imported, p.importStatus = true, ir.status
	id, err := s.write(ctx, tx, a, p)
	if err != nil {
		return 0, "", err
	}
	var number string
	if err := tx.QueryRow(ctx, "SELECT number FROM hazards WHERE id = ?", id).Scan(&number); err != nil {
		return 0, "", err
	}
	now := s.Clock.Now()
	foundDay := p.foundDay.String()
	switch ir.status {
	case Rectifying:
		_, err = tx.Exec(ctx, "UPDATE hazards SET status = ? WHERE id = ?", Rectifying, id)
	case AwaitingAcceptance:
		_, err = tx.Exec(ctx, "UPDATE hazards SET status = ?, rectified_at = ?, rectified_day = ? WHERE id = ?", AwaitingAcceptance, now, calendar.DateOf(now).String(), id)
	case Closed:
		closedAt := ir.closed.Time().Add(12 * time.Hour).UTC()
		_, err = tx.Exec(ctx, `UPDATE hazards SET status = ?, rectified_at = ?, rectified_day = ?, closed_at = ?, closed_day = ?, closed_by_name = ? WHERE id = ?`,
			Closed, closedAt, ir.closed.String(), closedAt, ir.closed.String(), ir.acceptor, id)
		if err == nil {
			onTime := 0
			if !ir.closed.After(p.deadline) {
				onTime = 1
			}
			if err = addTally(ctx, tx, p.territory.ID, foundDay, 0, 1, 0, 0); err == nil {
				err = addTally(ctx, tx, p.territory.ID, ir.closed.String(), 0, 0, 1, onTime)
			}
		}
	case Cancelled:
		_, err = tx.Exec(ctx, "UPDATE hazards SET status = ? WHERE id = ?", Cancelled, id)
		if err == nil {
			err = addTally(ctx, tx, p.territory.ID, foundDay, -1, 0, 0, 0)
		}
	}
	if err != nil {
		return 0, "", err
	}
	return id, number, nil
}
