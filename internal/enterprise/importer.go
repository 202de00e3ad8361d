package enterprise

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// ImportResult is what a successful import (or dry run) answers.
type ImportResult struct {
	DryRun    bool `json:"dry_run"`
	Created   int  `json:"created"`
	Updated   int  `json:"updated"`
	Unchanged int  `json:"unchanged"`
}

// fieldColumn maps the fields of validation errors to sheet columns.
var fieldColumn = map[string]string{
	"kind": colKind, "name": colName, "uscc": colUSCC, "address": colAddress, "territory_org_id": colTerritoryCode,
	"regulator_org_id": colRegulatorCode, "industry": colIndustry, "risk_level": colRisk,
	"principal_name": colPrincipal, "principal_phone": colPrincipalTel, "safety_officer_name": colOfficer,
	"safety_officer_phone": colOfficerTel, "founded_on": colFounded,
}

type plannedRow struct {
	row      int
	in       Input
	existing *Enterprise // nil: create
}

type planner struct {
	s       *Service
	a       *auth.Actor
	ctx     context.Context
	sh      *sheet.Sheet
	denied  int
	orgs    map[string]*org.Org // code → org (nil: none)
	byUSCC  map[string]int      // code → row that first names it
	byID    map[int64]int       // id → row that first names it
	planned []plannedRow
}

// Import reads data and, when every row passes, writes what it describes
// (unless dryRun): a row with a 系统编号, or with the credit code of an
// enterprise already registered, updates it; any other row registers a new
// one. A file with problems yields *sheet.Rejected and writes nothing; permission
// refusals among them leave one denied record in the trail.
func (s *Service) Import(ctx context.Context, a *auth.Actor, data []byte, dryRun bool) (*ImportResult, error) {
	if err := s.mayImport(ctx, a); err != nil {
		return nil, err
	}
	sh, err := readWorkbook(data)
	if err != nil {
		return nil, err
	}
	p := &planner{s: s, a: a, ctx: ctx, sh: sh, orgs: map[string]*org.Org{}, byUSCC: map[string]int{}, byID: map[int64]int{}}
	if len(sh.Problems) == 0 || len(sh.Fields()) > 0 {
		for _, rd := range sh.Rows {
			if err := p.plan(rd); err != nil {
				return nil, err
			}
		}
	}
	if len(sh.Rows) == 0 && len(sh.Problems) == 0 {
		sh.Fail(sh.HeaderRow+1, "", "工作表“%s”没有数据行 / the sheet %q has no data rows", sh.Name, sh.Name)
	}
	if p.denied > 0 {
		e := a.Entry(s.Clock.Now(), "enterprise.import", "enterprise", "", 0)
		e.Result, e.Detail = audit.Denied, fmt.Sprintf("%d row(s) outside the importer's scope or rights", p.denied)
		audit.AppendAlone(ctx, s.DB, e)
	}
	if len(sh.Problems) > 0 {
		rows := sh.Problems
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Row < rows[j].Row })
		return nil, &sheet.Rejected{Rows: rows}
	}
	res := &ImportResult{DryRun: dryRun}
	var changed []plannedRow
	for _, pr := range p.planned {
		switch {
		case pr.existing == nil:
			res.Created++
			changed = append(changed, pr)
		case sameInput(InputOf(pr.existing), pr.in):
			res.Unchanged++
		default:
			res.Updated++
			changed = append(changed, pr)
		}
	}
	if dryRun {
		return res, nil
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		for _, pr := range changed {
			if pr.existing == nil {
				id, err := Insert(ctx, tx, now, pr.in)
				if err != nil {
					return rowErr(sh, pr.row, err)
				}
				e, err := ByID(ctx, tx, id)
				if err != nil {
					return err
				}
				if err := audit.Append(ctx, tx, entry(a, now, "enterprise.create", e, nil, e)); err != nil {
					return err
				}
				continue
			}
			if err := update(ctx, tx, now, pr.existing.ID, pr.in); err != nil {
				return rowErr(sh, pr.row, err)
			}
			e, err := ByID(ctx, tx, pr.existing.ID)
			if err != nil {
				return err
			}
			if err := audit.Append(ctx, tx, entry(a, now, "enterprise.update", e, pr.existing, e)); err != nil {
				return err
			}
		}
		sum := a.Entry(now, "enterprise.import", "enterprise", "", 0)
		sum.Detail = fmt.Sprintf("sheet %q: %d created, %d updated, %d unchanged", sh.Name, res.Created, res.Updated, res.Unchanged)
		return audit.Append(ctx, tx, sum)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// sameInput compares two inputs by value (the regulator is a pointer).
func sameInput(x, y Input) bool {
	rx, ry := x.RegulatorOrgID, y.RegulatorOrgID
	x.RegulatorOrgID, y.RegulatorOrgID = nil, nil
	if (rx == nil) != (ry == nil) || (rx != nil && *rx != *ry) {
		return false
	}
	return x == y
}

// rowErr turns a conflict found while writing (another import raced this
// one) into a rejection naming the row.
func rowErr(sh *sheet.Sheet, row int, err error) error {
	if e, ok := apperr.As(err); ok && e.Code == apperr.ECONFLICT {
		return &sheet.Rejected{Rows: []RowError{sh.RowError(row, colUSCC, "%s", e.Message)}}
	}
	return err
}

// mayImport: the import is for those who keep the register somewhere.
func (s *Service) mayImport(ctx context.Context, a *auth.Actor) error {
	if a.Operator || a.CanAnywhere(auth.EnterpriseManage) {
		return nil
	}
	err := apperr.New(apperr.EFORBIDDEN, "无权导入企业场所 / you may not import enterprises")
	if !a.CanAnywhere(auth.EnterpriseView) {
		err = apperr.NotFound("enterprise")
	}
	return s.Auth.Refuse(ctx, a, auth.EnterpriseManage, "enterprise", err)
}

// orgByCode reads an org by its code, once per code.
func (p *planner) orgByCode(code string) (*org.Org, error) {
	if o, ok := p.orgs[code]; ok {
		return o, nil
	}
	var id int64
	err := p.s.DB.QueryRow(p.ctx, "SELECT id FROM orgs WHERE code = ?", code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		p.orgs[code] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	o, err := org.ByID(p.ctx, p.s.DB, id)
	if err != nil {
		return nil, err
	}
	p.orgs[code] = o
	return o, nil
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "否", "不是", "无", "n", "no", "false", "0", "×", "x":
		return false, true
	case "是", "有", "y", "yes", "true", "1", "√", "✓", "✔":
		return true, true
	}
	return false, false
}

// plan checks one row and, when it passes, adds it to the plan. Problems go
// to the sheet's list; only database failures return an error.
func (p *planner) plan(rd sheet.Row) error {
	sh, c := p.sh, rd.Cells
	before := len(sh.Problems)
	in := Input{Name: c[colName], USCC: c[colUSCC], Address: c[colAddress], PrincipalName: c[colPrincipal], PrincipalPhone: c[colPrincipalTel],
		SafetyOfficerName: c[colOfficer], SafetyOfficerPhone: c[colOfficerTel], FoundedOn: c[colFounded]}
	switch k := strings.ToLower(strings.TrimSpace(c[colKind])); k {
	case "", "企业", "生产经营单位", "单位", KindEnterprise:
		in.Kind = KindEnterprise
	case "场所", KindPlace:
		in.Kind = KindPlace
	default:
		sh.Fail(rd.Num, colKind, "类型“%s”无效：填“企业”或“场所” / the kind %q is not valid: 企业 (enterprise) or 场所 (place)", c[colKind], c[colKind])
	}
	if v := c[colIndustry]; v != "" {
		ind, ok := ParseIndustry(v)
		if !ok {
			names := make([]string, len(Industries))
			for i, x := range Industries {
				names[i] = x.Name
			}
			sh.Fail(rd.Num, colIndustry, "行业“%s”不在列表中，可填：%s / the industry %q is not in the list", v, strings.Join(names, "、"), v)
		}
		in.Industry = ind.Code
	} else {
		sh.Fail(rd.Num, colIndustry, "请填写行业 / the industry is required")
	}
	if v := c[colRisk]; v != "" {
		r, ok := ParseRisk(v)
		if !ok {
			sh.Fail(rd.Num, colRisk, "风险等级“%s”无效：填重大、较大、一般或低 / the risk level %q is not valid: 重大, 较大, 一般 or 低", v, v)
		}
		in.RiskLevel = r
	} else {
		sh.Fail(rd.Num, colRisk, "请填写风险等级（重大、较大、一般或低） / the risk level is required")
	}
	for _, fl := range []struct {
		field string
		dst   *bool
	}{{colKey, &in.KeyEnterprise}, {colCrowded, &in.CrowdedPlace}, {colMajorHazard, &in.MajorHazardSource}, {colClosed, &in.Closed}} {
		v, ok := parseBool(c[fl.field])
		if !ok {
			sh.Fail(rd.Num, fl.field, "“%s”无效：填“是”或“否” / %q is not valid: 是 (yes) or 否 (no)", c[fl.field], c[fl.field])
		}
		*fl.dst = v
	}
	if strings.ContainsAny(in.USCC, "Ee") && strings.Contains(in.USCC, "+") {
		sh.Fail(rd.Num, colUSCC, "统一社会信用代码“%s”被 Excel 当成了数字：请把该列设为文本格式后重新输入 / the credit code %q was taken for a number: format the column as text and enter it again", in.USCC, in.USCC)
		in.USCC = ""
	}
	var territory *org.Org
	if code := c[colTerritoryCode]; code == "" {
		sh.Fail(rd.Num, colTerritoryCode, "请填写属地编码 / the territory code is required")
	} else {
		o, err := p.orgByCode(code)
		if err != nil {
			return err
		}
		if o == nil {
			sh.Fail(rd.Num, colTerritoryCode, "属地编码 %s 不存在 / there is no org with code %s", code, code)
		} else {
			territory, in.TerritoryOrgID = o, o.ID
		}
	}
	if code := c[colRegulatorCode]; code != "" {
		o, err := p.orgByCode(code)
		if err != nil {
			return err
		}
		if o == nil {
			sh.Fail(rd.Num, colRegulatorCode, "监管部门编码 %s 不存在 / there is no org with code %s", code, code)
		} else {
			in.RegulatorOrgID = &o.ID
		}
	}
	var id int64
	if v := c[colID]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			sh.Fail(rd.Num, colID, "系统编号“%s”应为正整数（新登记的留空） / the id %q must be a positive integer (empty for a new entry)", v, v)
		} else {
			id = n
		}
	}
	// Formats, with the register's own rules.
	cp := in
	if in.TerritoryOrgID == 0 {
		cp.TerritoryOrgID = 1 << 52 // reported above; keep Validate from repeating it
	}
	if in.Industry == "" {
		cp.Industry = "other"
	}
	for _, e := range ValidateAll(&cp, p.s.today()) {
		sh.Fail(rd.Num, fieldColumn[e.Field], "%s", e.Message)
	}
	cp.TerritoryOrgID, cp.Industry = in.TerritoryOrgID, in.Industry
	in = cp
	if territory != nil {
		if !territoryKinds[territory.Kind] {
			sh.Fail(rd.Num, colTerritoryCode, "属地须为区、乡镇、街道、开发区、村或社区，%s（%s）不是 / the territory must be a territorial org; %s is not", territory.Code, territory.Name, territory.Code)
		}
	}
	if in.RegulatorOrgID != nil {
		if o, _ := org.ByID(p.ctx, p.s.DB, *in.RegulatorOrgID); o != nil && o.Kind != org.Department {
			sh.Fail(rd.Num, colRegulatorCode, "行业监管部门须为部门，%s（%s）不是 / the regulator must be a department; %s is not", o.Code, o.Name, o.Code)
		}
	}
	// Duplicates within the file.
	if in.USCC != "" {
		if prev, dup := p.byUSCC[in.USCC]; dup {
			sh.Fail(rd.Num, colUSCC, "统一社会信用代码 %s 与第 %d 行重复 / the credit code %s repeats row %d", in.USCC, prev, in.USCC, prev)
		} else {
			p.byUSCC[in.USCC] = rd.Num
		}
	}
	if id != 0 {
		if prev, dup := p.byID[id]; dup {
			sh.Fail(rd.Num, colID, "系统编号 %d 与第 %d 行重复 / the id %d repeats row %d", id, prev, id, prev)
		} else {
			p.byID[id] = rd.Num
		}
	}
	// The enterprise the row updates, if any, and the right to write it.
	var existing *Enterprise
	if id != 0 {
		e, err := ByID(p.ctx, p.s.DB, id)
		if err != nil && apperr.Code(err) != apperr.ENOTFOUND {
			return err
		}
		if e == nil || !p.a.Can(auth.EnterpriseView, e.Path()) && !p.a.Operator {
			if e != nil {
				p.denied++
			}
			sh.Fail(rd.Num, colID, "系统编号 %d 不存在，或不在您的管辖范围 / there is no entry %d in your scope", id, id)
		} else {
			existing = e
		}
	}
	if in.USCC != "" {
		var other int64
		err := p.s.DB.QueryRow(p.ctx, "SELECT id FROM enterprises WHERE uscc = ?", in.USCC).Scan(&other)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case other == 0:
		case id != 0 && other != id:
			sh.Fail(rd.Num, colUSCC, "统一社会信用代码 %s 已登记在另一条记录上 / the credit code %s belongs to another entry", in.USCC, in.USCC)
		case id == 0:
			e, err := ByID(p.ctx, p.s.DB, other)
			if err != nil {
				return err
			}
			if p.a.Operator || p.a.Can(auth.EnterpriseView, e.Path()) {
				existing = e // the ledger's row for an enterprise already registered: update it
			} else {
				p.denied++
				sh.Fail(rd.Num, colUSCC, "统一社会信用代码 %s 已登记（不在您的管辖范围） / the credit code %s is registered outside your scope", in.USCC, in.USCC)
			}
		}
	}
	if existing != nil && !p.a.Operator && !p.a.Can(auth.EnterpriseManage, existing.Path()) {
		p.denied++
		sh.Fail(rd.Num, colName, "无权修改“%s” / you may not change %s", existing.Name, existing.Name)
	}
	if territory != nil && territoryKinds[territory.Kind] && !p.a.Operator &&
		(existing == nil || existing.TerritoryOrgID != territory.ID) && !p.a.Can(auth.EnterpriseManage, territory.Path) {
		p.denied++
		sh.Fail(rd.Num, colTerritoryCode, "属地 %s（%s）不在您的管辖范围 / the territory %s is outside your scope", territory.Code, territory.Name, territory.Code)
	}
	if len(sh.Problems) == before {
		p.planned = append(p.planned, plannedRow{row: rd.Num, in: in, existing: existing})
	}
	return nil
}
