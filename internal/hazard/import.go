package hazard

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// MaxImportSize is the largest ledger file an import takes.
const MaxImportSize = sheet.MaxSize // bytes

// ImportResult is a successful import (or dry run).
type ImportResult struct {
	DryRun  bool     `json:"dry_run"`
	Created int      `json:"created"`
	Numbers []string `json:"numbers"`
}

// readOptions read a ledger sheet: its header names at least three known
// columns, a 序号 alone makes no data row, and dates may be written as text
// the way offices write them.
var readOptions = sheet.Options{MinKnown: 3, RequireHeader: true, Serial: []string{"seq"}, TextDates: true}

// readLedger finds the ledger sheet (the first whose header names the
// hazard, else the first with a header at all) and reads it.
func readLedger(data []byte) (*sheet.Sheet, error) {
	f, err := sheet.Open(data, MaxImportSize)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var first *sheet.Sheet
	for _, name := range f.GetSheetList() {
		sh, err := sheet.Read(f, name, Columns, readOptions)
		if err != nil {
			return nil, err
		}
		if sh.Has("description") {
			return sh, nil
		}
		if sh.Found && first == nil {
			first = sh
		}
	}
	if first != nil {
		return first, nil
	}
	return nil, apperr.Field(apperr.EINVALID, "file", "工作簿中找不到隐患台账的表头（如“存在问题及隐患”“排查时间”“整改时间”） / no sheet has a hazard ledger header (存在问题及隐患, 排查时间, 整改时间)")
}

// refusals are the data cells sheet.Read has reported already (a date that
// is not one, a merged range): blank now, they are not reported again as
// blank, and their rows are not planned.
type refusals struct {
	cells  map[[2]int]bool // {column, row}, 1-based
	rows   map[int]bool
	ranges [][4]int // merged: first column, first row, last column, last row
}

func refusalsOf(sh *sheet.Sheet) refusals {
	x := refusals{cells: map[[2]int]bool{}, rows: map[int]bool{}}
	last := sh.HeaderRow
	for _, r := range sh.Rows {
		last = max(last, r.Num)
	}
	for _, e := range sh.Problems {
		from, to, isRange := strings.Cut(e.Cell, ":")
		c1, r1, err1 := excelize.CellNameToCoordinates(from)
		if err1 != nil || r1 <= sh.HeaderRow {
			continue
		}
		if !isRange {
			x.cells[[2]int{c1, r1}], x.rows[r1] = true, true
			continue
		}
		c2, r2, err2 := excelize.CellNameToCoordinates(to)
		if err2 != nil {
			continue
		}
		x.ranges = append(x.ranges, [4]int{c1, r1, c2, r2})
		for r := r1; r <= min(r2, last); r++ {
			x.rows[r] = true
		}
	}
	return x
}

// cell reports whether field's cell on row was reported.
func (x refusals) cell(sh *sheet.Sheet, row int, field string) bool {
	c, r, err := excelize.CellNameToCoordinates(sh.Cell(field, row))
	if err != nil {
		return false
	}
	if x.cells[[2]int{c, r}] {
		return true
	}
	for _, m := range x.ranges {
		if c >= m[0] && c <= m[2] && r >= m[1] && r <= m[3] {
			return true
		}
	}
	return false
}

// ledgerDate reads a Date column of a row, which sheet.Read has made
// YYYY-MM-DD: ok is a date between 1990 and 2100 (a ledger's dates are no
// older); blank is an empty cell. A cell that is neither has its problem
// recorded.
func ledgerDate(sh *sheet.Sheet, r sheet.Row, field string, ref refusals) (d calendar.Date, ok, blank bool) {
	v := r.Cells[field]
	if v == "" {
		return d, false, !ref.cell(sh, r.Num, field)
	}
	h := sh.Header(field)
	d, err := calendar.ParseDate(v)
	switch {
	case err != nil:
		sh.Fail(r.Num, field, "%s“%s”不是日期 / %q in the column %s is not a date", h, v, v, h)
		return d, false, false
	case d.Year < 1990 || d.Year > 2100:
		sh.Fail(r.Num, field, "%s %s 不在 1990—2100 年之间 / the date %s in the column %s is not between 1990 and 2100", h, v, v, h)
		return d, false, false
	}
	return d, true, false
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
// problem listed by sheet, row and column (*sheet.Rejected). defaultOrgID is
// the territory of rows without a 属地 (default: the actor's org).
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
	// A problem of the header (a column missing or repeated, merged header
	// cells) stops there; problems of data cells do not keep the rows from
	// being checked.
	header := false
	for _, e := range sh.Problems {
		header = header || e.Row <= sh.HeaderRow
	}
	if !header {
		ref := refusalsOf(sh)
		for _, r := range sh.Rows {
			if ir := s.importRow(ctx, a, sh, r, ref, defOrg, orgsByName, standards, seenNumbers); ir != nil {
				planned = append(planned, *ir)
			}
		}
		if len(sh.Rows) == 0 {
			sh.Fail(sh.HeaderRow+1, "", "表中没有数据行 / the sheet has no data rows")
		}
	}
	if rows := sh.Problems; len(rows) > 0 {
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Row < rows[j].Row })
		if len(rows) > 500 {
			rows = rows[:500]
		}
		return nil, &sheet.Rejected{Rows: rows}
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
					return &sheet.Rejected{Rows: []sheet.RowError{sh.RowError(ir.num, importField(e.Field), "%s", e.Message)}}
				}
				return fmt.Errorf("row %d: %w", ir.num, err)
			}
			res.Numbers = append(res.Numbers, number)
		}
		e := a.Entry(now, "hazard.import_file", "hazard", "", defOrg.ID)
		e.Detail = fmt.Sprintf("%d hazards from sheet %s", len(planned), sh.Name)
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// importRow checks one row and plans its registration (nil with errors recorded).
func (s *Service) importRow(ctx context.Context, a *auth.Actor, sh *sheet.Sheet, r sheet.Row, ref refusals, defOrg *org.Org, orgsByName map[string]*org.Org,
	standards []Standard, seen map[string]int) *importRow {
	before := len(sh.Problems)
	c := r.Cells
	ir := &importRow{num: r.Num}
	in := Input{Description: c["description"], Location: c["location"], Category: c["category"], FinderName: c["finder"],
		Measures: c["measures"], ResponsibleUnit: c["unit"], ResponsiblePerson: c["person"], Source: importSource(c["source"])}
	if in.Category == "" {
		in.Category = "other"
	}
	if in.Description == "" && !ref.cell(sh, r.Num, "description") {
		sh.Fail(r.Num, "description", "存在问题及隐患不能为空 / the hazard description is empty")
	}
	found, ok, blank := ledgerDate(sh, r, "found", ref)
	switch {
	case blank:
		sh.Fail(r.Num, "found", "排查时间不能为空 / the finding date is empty")
	case ok:
		t := found.Time().Add(9 * time.Hour).UTC() // a finding without a time: 09:00
		in.FoundAt = &t
	}
	mode, ok := importMode(c["mode"])
	if !ok {
		sh.Fail(r.Num, "mode", "整改方式“%s”应为“即查即改”或“限期整改” / %q: write 即查即改 or 限期整改", c["mode"], c["mode"])
	}
	switch d, ok, blank := ledgerDate(sh, r, "deadline", ref); {
	case blank && mode == ModeImmediate:
		in.Deadline = found.String()
	case blank:
		sh.Fail(r.Num, "deadline", "整改时间（期限）不能为空 / the deadline is empty")
	case ok:
		in.Deadline = d.String()
	}
	grade, ok := importGrade(c["grade"])
	if !ok {
		sh.Fail(r.Num, "grade", "隐患等级“%s”应为“一般隐患”或“重大隐患” / %q: write 一般隐患 or 重大隐患", c["grade"], c["grade"])
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
			sh.Fail(r.Num, "standard", "判定依据“%s”不在判定标准表中 / %q is not a clause of the grading reference", v, v)
		}
	} else if grade == Major {
		sh.Fail(r.Num, "standard", "重大隐患须填写判定依据（判定标准及条款） / a major hazard needs its grading clause (判定依据)")
	}
	if v := c["funds"]; v != "" {
		if y, ok := parseFunds(v, sh.Unit("funds") == "万元"); ok {
			in.FundsYuan = y
		} else {
			sh.Fail(r.Num, "funds", "整改资金“%s”不是金额 / %q is not an amount", v, v)
		}
	}
	st, ok := importStatus(c["status"])
	if !ok {
		sh.Fail(r.Num, "status", "完成情况“%s”应为 未整改、整改中、待验收、已验收 或 已撤销 / %q: write 未整改, 整改中, 待验收, 已验收 or 已撤销", c["status"], c["status"])
	}
	if st == Registered && c["status"] == "" && c["closed"] != "" {
		st = Closed
	}
	ir.status, ir.acceptor = st, c["acceptor"]
	if mode == ModeImmediate && st == Registered && c["status"] == "" {
		ir.status = Closed
	}
	if ir.status == Closed {
		switch d, ok, blank := ledgerDate(sh, r, "closed", ref); {
		case blank && mode == ModeImmediate && in.FoundAt != nil:
			ir.closed = found
		case blank:
			sh.Fail(r.Num, "closed", "完成情况为“已验收”时须填写销号日期 / a closed hazard needs its 销号日期")
		case !ok: // reported
		case d.Before(found):
			sh.Fail(r.Num, "closed", "销号日期 %s 早于排查时间 %s / the closing date is before the finding date", d, found)
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
			sh.Fail(r.Num, "territory", "属地“%s”不是系统中的组织 / %q is not an org", v, v)
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
			sh.Fail(r.Num, "number", "隐患编号 %s 与第 %d 行重复 / the number %s repeats row %d", v, prev, v, prev)
		}
		seen[v] = r.Num
		var n int
		if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM hazards WHERE number = ? OR (source_ref = ? AND source_ref <> '')", v, "导入:"+v).Scan(&n); err == nil && n > 0 {
			sh.Fail(r.Num, "number", "隐患编号 %s 已在系统中，不能重复导入 / the hazard %s is in the system already", v, v)
		}
		in.SourceRef = "导入:" + v
	}
	if len(sh.Problems) > before || ref.rows[r.Num] {
		return nil
	}
	p, err := s.planImport(ctx, a, in, mode)
	if err != nil {
		e, ok := apperr.As(err)
		if !ok {
			sh.Fail(r.Num, "", "%v", err)
			return nil
		}
		sh.Fail(r.Num, importField(e.Field), "%s", e.Message)
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
