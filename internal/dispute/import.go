package dispute

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// ImportResult is a successful import (or dry run).
type ImportResult struct {
	DryRun  bool     `json:"dry_run"`
	Created int      `json:"created"`
	Numbers []string `json:"numbers"`
}

// importRow is one data row planned.
type importRow struct {
	num     int
	p       *plan
	status  string
	outcome string
	session *SessionInput
}

var (
	countRE = regexp.MustCompile(`[（(]?\s*(?:共|等|计)?\s*(\d{1,6})\s*(?:人|名)\s*[）)]?\s*$`)
	leadRE  = regexp.MustCompile(`^\s*([^（(,，、\s]+)\s*(?:[（(]\s*([^）)]*)[）)]|[,，、\s]+(.+))?\s*$`)
)

// splitParties reads 涉及人员及人数: "上坪村村民与施工方（12人）", "张某等3人",
// "12人" → the description and the count (0: none written).
func splitParties(s string) (string, int) {
	s = strings.TrimSpace(s)
	m := countRE.FindStringSubmatchIndex(s)
	if m == nil {
		return s, 0
	}
	n, _ := strconv.Atoi(s[m[2]:m[3]])
	return strings.TrimSpace(s[:m[0]]), n
}

// splitLead reads 包案领导（姓名、职务）: "李国平（镇党委书记）", "李国平 党委书记", "李国平、党委书记".
func splitLead(s string) (name, title string) {
	m := leadRE.FindStringSubmatch(s)
	if m == nil {
		return strings.TrimSpace(s), ""
	}
	title = m[2]
	if title == "" {
		title = m[3]
	}
	return strings.TrimSpace(m[1]), strings.TrimSpace(title)
}

func importStatus(s string) (string, bool) {
	switch strings.ReplaceAll(strings.TrimSpace(s), " ", "") {
	case "", "未化解", "待化解", "未解决", "否", "已登记":
		return Registered, true
	case "化解中", "正在化解", "调处中", "调解中", "处理中":
		return Resolving, true
	case "平稳", "稳控", "基本平稳", "稳控中", "已稳控":
		return Stable, true
	case "已化解", "化解", "已解决", "已调解", "化解成功", "调解成功", "已办结", "是":
		return Resolved, true
	case "转信访", "已转信访", "转入信访":
		return ToPetition, true
	case "转诉讼", "已转诉讼", "诉讼", "已诉讼", "进入诉讼":
		return ToCourt, true
	}
	return "", false
}

func importUrgency(s string) (string, bool) {
	switch strings.TrimSpace(s) {
	case "", "一般", "普通", "不紧急":
		return UrgencyNormal, true
	case "紧急", "较急", "急":
		return UrgencyUrgent, true
	case "特急", "特别紧急", "非常紧急":
		return UrgencyCritical, true
	}
	return "", false
}

func importMethod(s string) (string, bool) {
	s = strings.TrimSpace(s)
	// The first method named wins: "协商、人民调解" → negotiation.
	if i := strings.IndexAny(s, "、,，/ "); i > 0 {
		s = s[:i]
	}
	switch s {
	case "协商", "和解", "协商和解":
		return MethodNegotiation, true
	case "调解", "人民调解", "村调解", "调委会调解":
		return MethodPeople, true
	case "行政调解":
		return MethodAdministrative, true
	case "司法调解", "诉前调解", "法院调解":
		return MethodJudicial, true
	case "联合调解", "联调", "三调联动":
		return MethodJoint, true
	case "仲裁", "劳动仲裁":
		return MethodArbitration, true
	case "其他", "其它":
		return MethodOther, true
	}
	return "", false
}

// matchLevel finds a level by its name (红色, 红, 红色风险) or code.
func matchLevel(levels []RiskLevel, s string) (string, bool) {
	s = strings.TrimSpace(s)
	trim := func(x string) string {
		return strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(x, "风险"), "等级"), "色")
	}
	for _, l := range levels {
		if s == l.Code || s == l.Name || trim(s) == trim(l.Name) || strings.EqualFold(s, l.NameEN) {
			return l.Code, true
		}
	}
	return "", false
}

// Import reads an existing ledger and registers every row, all or nothing:
// every row is checked first (formats, types, levels, orgs, the lead rule
// and the actor's permission for each) and any problem rejects the whole
// file with every problem listed by sheet, row and column. defaultOrgID is
// the territory of rows without a 管辖单位 (default: the actor's org).
func (s *Service) Import(ctx context.Context, a *auth.Actor, data []byte, defaultOrgID int64, dryRun bool) (*ImportResult, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if !a.Operator && !a.CanAnywhere(auth.DisputeReport) {
		return nil, s.Auth.Refuse(ctx, a, auth.DisputeReport, "dispute", apperr.NotFound("dispute"))
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
		return nil, apperr.Field(apperr.EINVALID, "org_id", "默认管辖单位 %d 不存在 / org %d does not exist", defaultOrgID, defaultOrgID)
	}
	orgs := map[string]*org.Org{}
	if all, err := org.Subtree(ctx, s.DB, "/"); err == nil {
		for i := range all {
			o := &all[i]
			for _, k := range []string{o.Name, o.Code} {
				if _, dup := orgs[k]; k != "" && !dup {
					orgs[k] = o
				}
			}
		}
	}
	types, err := Types(ctx, s.DB, false)
	if err != nil {
		return nil, err
	}
	levels, err := RiskLevels(ctx, s.DB, false)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	// Cells the reading found wrong (a date that is not one) are reported
	// once, not again as empty.
	bad := map[string]bool{}
	for _, e := range sh.Problems {
		bad[strconv.Itoa(e.Row)+"/"+e.Column] = true
	}
	var planned []importRow
	headerOK := true
	for _, e := range sh.Problems {
		if e.Row == sh.HeaderRow {
			headerOK = false
		}
	}
	if headerOK {
		for _, r := range sh.Rows {
			if ir := s.importRow(ctx, a, sh, r, bad, defOrg, orgs, types, levels, seen); ir != nil {
				planned = append(planned, *ir)
			}
		}
		if len(sh.Rows) == 0 {
			sh.Problems = append(sh.Problems, sheet.RowError{Sheet: sh.Name, Row: sh.HeaderRow + 1, Message: "表中没有数据行 / the sheet has no data rows"})
		}
	}
	if len(sh.Problems) > 0 {
		if len(sh.Problems) > 500 {
			sh.Problems = sh.Problems[:500]
		}
		return nil, &sheet.Rejected{Rows: sh.Problems}
	}
	res := &ImportResult{DryRun: dryRun, Created: len(planned), Numbers: []string{}}
	if dryRun {
		return res, nil
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, ir := range planned {
			number, err := s.writeImported(ctx, tx, a, ir)
			if err != nil {
				if e, ok := apperr.As(err); ok {
					return &sheet.Rejected{Rows: []sheet.RowError{sh.RowError(ir.num, importField(e.Field), "%s", e.Message)}}
				}
				return fmt.Errorf("row %d: %w", ir.num, err)
			}
			res.Numbers = append(res.Numbers, number)
		}
		e := a.Entry(now, "dispute.import_file", "dispute", "", defOrg.ID)
		e.Detail = fmt.Sprintf("%d disputes from sheet %s", len(planned), sh.Name)
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// importRow checks one row and plans it (nil with errors recorded).
func (s *Service) importRow(ctx context.Context, a *auth.Actor, sh *sheet.Sheet, r sheet.Row, bad map[string]bool, defOrg *org.Org, orgs map[string]*org.Org,
	types []Type, levels []RiskLevel, seen map[string]int) *importRow {
	before := len(sh.Problems)
	c := r.Cells
	num := r.Num
	ir := &importRow{num: num}
	in := Input{Place: c["place"], Summary: c["summary"], ResponsiblePerson: c["person"], Resolver: c["resolver"]}
	reported := func(field string) bool { return bad[strconv.Itoa(num)+"/"+sh.Header(field)] }
	// Dates come as YYYY-MM-DD (internal/sheet reads date cells and dates
	// written as text), or empty with the problem reported.
	switch occurred, err := calendar.ParseDate(c["occurred"]); {
	case err == nil:
		t := occurred.Time().Add(9 * time.Hour).UTC() // a date without a time: 09:00
		in.OccurredAt = &t
	case !reported("occurred"):
		sh.Fail(num, "occurred", "发生/受理时间不能为空 / the date is empty")
	}
	// People: the count from its own column, or from 涉及人员及人数.
	in.Parties, in.PartyCount = splitParties(c["parties"])
	if v := c["count"]; v != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(v), "人"), "名"))
		if err != nil || n < 1 {
			sh.Fail(num, "count", "涉及人数“%s”不是人数 / %q is not a number of people", v, v)
		}
		in.PartyCount = n
	}
	if in.PartyCount == 0 {
		sh.Fail(num, "parties", "请在“涉及人员及人数”中写明人数，如“村民与施工方（12人）” / write the number of people, e.g. 村民与施工方（12人）")
	}
	// Type and level.
	for _, t := range types {
		if v := strings.TrimSpace(c["type"]); v != "" && (v == t.Name || v == t.Code || v == t.Name+"纠纷" || strings.TrimSuffix(v, "纠纷") == t.Name) {
			in.Type = t.Code
		}
	}
	if in.Type == "" {
		names := make([]string, len(types))
		for i, t := range types {
			names[i] = t.Name
		}
		sh.Fail(num, "type", "纠纷类型“%s”不在类型表中（%s） / %q is not a dispute type", c["type"], strings.Join(names, "、"), c["type"])
	}
	if v := c["risk"]; v == "" {
		in.RiskLevel = levels[len(levels)-1].Code // the mildest
	} else if code, ok := matchLevel(levels, v); ok {
		in.RiskLevel = code
	} else {
		names := make([]string, len(levels))
		for i, l := range levels {
			names[i] = l.Name
		}
		sh.Fail(num, "risk", "风险等级“%s”应为 %s 之一 / %q is not a risk level", v, strings.Join(names, "、"), v)
	}
	var okU bool
	if in.Urgency, okU = importUrgency(c["urgency"]); !okU {
		sh.Fail(num, "urgency", "紧急程度“%s”应为 一般、紧急 或 特急 / %q: write 一般, 紧急 or 特急", c["urgency"], c["urgency"])
	}
	st, ok := importStatus(c["status"])
	if !ok {
		sh.Fail(num, "status", "化解状态“%s”应为 未化解、化解中、平稳、已化解、已转信访 或 已转诉讼 / %q is not a state", c["status"], c["status"])
	}
	ir.status, ir.outcome = st, c["outcome"]
	if v := c["method"]; v != "" {
		m, ok := importMethod(v)
		if !ok {
			sh.Fail(num, "method", "化解方式“%s”应为 协商、人民调解、行政调解、司法调解、联合调解、仲裁 或 其他 / %q is not a method", v, v)
		}
		outcome := OutcomeContinuing
		switch st {
		case Resolved:
			outcome = OutcomeAgreed
		case ToPetition, ToCourt:
			outcome = OutcomeFailed
		}
		ir.session = &SessionInput{Method: m, Outcome: outcome, Note: c["outcome"], Mediator: c["resolver"]}
	}
	// Orgs, by name or code.
	territory := defOrg
	if v := c["territory"]; v != "" {
		if o, ok := orgs[v]; ok {
			territory = o
		} else {
			sh.Fail(num, "territory", "管辖单位“%s”不是系统中的组织 / %q is not an org", v, v)
		}
	}
	in.OrgID = territory.ID
	if v := c["unit"]; v != "" {
		if o, ok := orgs[v]; ok {
			id := o.ID
			in.ResponsibleOrgID = &id
		}
		in.ResponsibleUnit = v
	}
	if v := c["supervising"]; v != "" {
		if o, ok := orgs[v]; ok {
			id := o.ID
			in.SupervisingOrgID = &id
		} else {
			sh.Fail(num, "supervising", "督办部门“%s”不是系统中的组织 / %q is not an org", v, v)
		}
	}
	in.LeadName, in.LeadTitle = splitLead(c["lead"])
	if v := c["amount"]; v != "" {
		if y, ok := parseAmount(v, sh.Unit("amount") == "万元"); ok {
			in.AmountYuan = y
		} else {
			sh.Fail(num, "amount", "涉及金额“%s”不是金额 / %q is not an amount", v, v)
		}
	}
	if v := c["deadline"]; v != "" {
		in.Deadline = v
	}
	if in.Summary == "" {
		// A ledger without a summary column: the type and people say what it is.
		for _, t := range types {
			if t.Code == in.Type {
				in.Summary = t.Name + "纠纷"
			}
		}
		if in.Parties != "" {
			in.Summary += "：" + in.Parties
		}
	}
	sourceRef := ""
	if v := c["number"]; v != "" {
		if prev, dup := seen[v]; dup {
			sh.Fail(num, "number", "纠纷编号 %s 与第 %d 行重复 / the number %s repeats row %d", v, prev, v, prev)
		}
		seen[v] = num
		var n int
		if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM disputes WHERE number = ? OR source_ref = ?", v, "导入:"+v).Scan(&n); err == nil && n > 0 {
			sh.Fail(num, "number", "纠纷编号 %s 已在系统中，不能重复导入 / the dispute %s is in the system already", v, v)
		}
		sourceRef = "导入:" + v
	}
	if len(sh.Problems) > before {
		return nil
	}
	if ir.status != Registered && !a.Operator && !a.Can(auth.DisputeManage, territory.Path) {
		sh.Fail(num, "status", "您只能导入未化解的纠纷；“%s”须由办理人员导入 / you may import unresolved disputes only; %s ones are imported by those who handle disputes", c["status"], st)
		return nil
	}
	p, err := s.plan(ctx, s.DB, a, in, true)
	if err != nil {
		e, ok := apperr.As(err)
		if !ok {
			sh.Fail(num, "", "%v", err)
			return nil
		}
		field := importField(e.Field)
		if e.Code == apperr.ENOTFOUND || e.Code == apperr.EFORBIDDEN {
			sh.Fail(num, "territory", "您无权在“%s”登记矛盾纠纷 / you may not register disputes there", territory.Name)
			return nil
		}
		sh.Fail(num, field, "%s", e.Message)
		return nil
	}
	p.sourceRef = sourceRef
	ir.p = p
	return ir
}

// importField maps an input field to the ledger column it came from.
func importField(field string) string {
	switch field {
	case "occurred_at":
		return "occurred"
	case "org_id":
		return "territory"
	case "responsible_unit", "responsible_org_id":
		return "unit"
	case "responsible_person":
		return "person"
	case "lead_name", "lead_user_id", "lead_title":
		return "lead"
	case "supervising_org_id":
		return "supervising"
	case "amount_yuan":
		return "amount"
	case "risk_level":
		return "risk"
	case "party_count":
		return "parties"
	case "summary", "place", "type", "urgency", "resolver", "deadline":
		return field
	}
	return field
}

// writeImported registers a planned row and brings it to the state the
// ledger says, with its session.
func (s *Service) writeImported(ctx context.Context, tx *db.Tx, a *auth.Actor, ir importRow) (string, error) {
	id, err := s.write(ctx, tx, a, ir.p)
	if err != nil {
		return "", err
	}
	var number string
	if err := tx.QueryRow(ctx, "SELECT number FROM disputes WHERE id = ?", id).Scan(&number); err != nil {
		return "", err
	}
	now := s.Clock.Now()
	if ir.session != nil {
		se := *ir.session
		held := ir.p.occurred
		se.HeldAt = &held
		sid, err := insertSession(ctx, tx, a, now, id, se)
		if err != nil {
			return "", err
		}
		if _, err := insertStep(ctx, tx, a, now, stepRow{disputeID: id, action: ActRecordSession, from: Registered, to: Registered, sessionID: &sid,
			comment: se.Note, detail: MethodZH[se.Method] + " · " + OutcomeZH[se.Outcome] + "（台账导入）"}); err != nil {
			return "", err
		}
	}
	if ir.status == Registered {
		return number, nil
	}
	day := calendar.DateOf(now).String()
	switch ir.status {
	case Resolving, Stable:
		_, err = tx.Exec(ctx, "UPDATE disputes SET status = ? WHERE id = ?", ir.status, id)
	case Resolved:
		_, err = tx.Exec(ctx, "UPDATE disputes SET status = ?, outcome = ?, closed_at = ?, closed_day = ? WHERE id = ?", Resolved, ir.outcome, now, day, id)
	case ToPetition, ToCourt:
		_, err = tx.Exec(ctx, "UPDATE disputes SET status = ?, transfer_reason = ?, closed_at = ?, closed_day = ? WHERE id = ?", ir.status, ir.outcome, now, day, id)
	}
	if err != nil {
		return "", err
	}
	if !Open(ir.status) {
		if err := cancelDeadline(ctx, tx, now, id); err != nil {
			return "", err
		}
	}
	_, err = insertStep(ctx, tx, a, now, stepRow{disputeID: id, action: EventImported, from: Registered, to: ir.status, detail: "台账导入：" + StatusZH[ir.status]})
	return number, err
}
