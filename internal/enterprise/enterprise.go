// Package enterprise is the register of enterprises and places
// (生产经营单位/场所) that work safety is about: who they are (name, unified
// social credit code 统一社会信用代码), where (the territory org 属地), who
// regulates them (行业监管部门), how risky they are (风险等级 重大/较大/一般/低)
// and who answers for them (主要负责人, 安全管理人员). An enterprise's objects
// carry the path <territory path>e<id>/ (auth.EnterpriseScope): staff above
// the territory cover it, and an enterprise contact (企业联络人) covers only
// their own enterprise.
//
// Every read and write is authorised against that path; every write is
// audited in its transaction; an enterprise is closed (closed = true), never
// deleted. Other capabilities add blocks to the enterprise page with
// AddSection and filter their own lists with ScopeSQL.
package enterprise

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/enterprise/uscc"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/people"
)

// Enterprise is one entry of the register as the API and pages show it.
// Phone numbers are masked (138****0000) for whoever may not keep the
// register at this enterprise (PhonesMasked says so).
type Enterprise struct {
	ID             int64  `json:"id"`
	Kind           string `json:"kind"` // enterprise | place
	Name           string `json:"name"`
	USCC           string `json:"uscc"` // "" for a place without one
	Address        string `json:"address"`
	TerritoryOrgID int64  `json:"territory_org_id"`
	TerritoryName  string `json:"territory_name"`
	// The township, street or zone of a village or community territory.
	TerritoryUnitID    int64     `json:"territory_unit_id,omitempty"`
	TerritoryUnit      string    `json:"territory_unit,omitempty"`
	RegulatorOrgID     *int64    `json:"regulator_org_id"`
	RegulatorName      string    `json:"regulator_name"`
	Industry           string    `json:"industry"` // a code of Industries
	RiskLevel          string    `json:"risk_level"`
	KeyEnterprise      bool      `json:"key_enterprise"`
	CrowdedPlace       bool      `json:"crowded_place"`
	MajorHazardSource  bool      `json:"major_hazard_source"`
	PrincipalName      string    `json:"principal_name"`
	PrincipalPhone     string    `json:"principal_phone"`
	SafetyOfficerName  string    `json:"safety_officer_name"`
	SafetyOfficerPhone string    `json:"safety_officer_phone"`
	PhonesMasked       bool      `json:"phones_masked"`
	FoundedOn          string    `json:"founded_on"` // YYYY-MM-DD, "" when unknown
	Closed             bool      `json:"closed"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`

	territoryPath                string
	principalPhone, officerPhone string // unmasked
}

// Path is the enterprise's object path, <territory path>e<id>/: every
// permission about the enterprise and its objects is checked there.
func (e *Enterprise) Path() string { return auth.EnterpriseScope(e.territoryPath, e.ID) }

// TerritoryPath is the path of the territory org.
func (e *Enterprise) TerritoryPath() string { return e.territoryPath }

// Input is what a create or update takes.
type Input struct {
	Kind               string `json:"kind,omitempty"` // default enterprise
	Name               string `json:"name"`
	USCC               string `json:"uscc,omitempty"` // required for an enterprise
	Address            string `json:"address,omitempty"`
	TerritoryOrgID     int64  `json:"territory_org_id"`
	RegulatorOrgID     *int64 `json:"regulator_org_id,omitempty"`
	Industry           string `json:"industry"`
	RiskLevel          string `json:"risk_level,omitempty"` // default low
	KeyEnterprise      bool   `json:"key_enterprise,omitempty"`
	CrowdedPlace       bool   `json:"crowded_place,omitempty"`
	MajorHazardSource  bool   `json:"major_hazard_source,omitempty"`
	PrincipalName      string `json:"principal_name,omitempty"`
	PrincipalPhone     string `json:"principal_phone,omitempty"`
	SafetyOfficerName  string `json:"safety_officer_name,omitempty"`
	SafetyOfficerPhone string `json:"safety_officer_phone,omitempty"`
	FoundedOn          string `json:"founded_on,omitempty"`
	Closed             bool   `json:"closed,omitempty"`
}

// Service keeps the register; every call is checked against the actor's grants.
type Service struct {
	DB    *db.DB
	Auth  *auth.Service
	Clock clock.Clock
}

const cols = `e.id, e.kind, e.name, COALESCE(e.uscc, ''), e.address, e.territory_org_id, t.name, t.path,
	CASE WHEN t.kind IN ('village', 'community') THEN COALESCE(tp.id, 0) ELSE 0 END, CASE WHEN t.kind IN ('village', 'community') THEN COALESCE(tp.name, '') ELSE '' END,
	e.regulator_org_id, COALESCE(r.name, ''),
	e.industry, e.risk_level, e.key_enterprise, e.crowded_place, e.major_hazard_source, e.principal_name, e.principal_phone,
	e.safety_officer_name, e.safety_officer_phone, e.founded_on, e.closed, e.created_at, e.updated_at`

const from = ` FROM enterprises e JOIN orgs t ON t.id = e.territory_org_id LEFT JOIN orgs tp ON tp.id = t.parent_id LEFT JOIN orgs r ON r.id = e.regulator_org_id`

func scan(row interface{ Scan(...any) error }) (*Enterprise, error) {
	e := &Enterprise{}
	var reg sql.NullInt64
	if err := row.Scan(&e.ID, &e.Kind, &e.Name, &e.USCC, &e.Address, &e.TerritoryOrgID, &e.TerritoryName, &e.territoryPath, &e.TerritoryUnitID, &e.TerritoryUnit, &reg, &e.RegulatorName,
		&e.Industry, &e.RiskLevel, &e.KeyEnterprise, &e.CrowdedPlace, &e.MajorHazardSource, &e.PrincipalName, &e.principalPhone,
		&e.SafetyOfficerName, &e.officerPhone, &e.FoundedOn, &e.Closed, &e.CreatedAt, &e.UpdatedAt); err != nil {
		return nil, err
	}
	if reg.Valid {
		e.RegulatorOrgID = &reg.Int64
	}
	e.PrincipalPhone, e.SafetyOfficerPhone = e.principalPhone, e.officerPhone
	return e, nil
}

// ByID reads one enterprise without any permission check (for other
// services, which check the path themselves), phones unmasked.
func ByID(ctx context.Context, q db.Querier, id int64) (*Enterprise, error) {
	e, err := scan(q.QueryRow(ctx, "SELECT "+cols+from+" WHERE e.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("enterprise")
	}
	return e, err
}

// present masks the phones for an actor who may not keep the register here.
func present(a *auth.Actor, e *Enterprise) {
	if a != nil && (a.Operator || a.Can(auth.EnterpriseManage, e.Path())) {
		return
	}
	e.PrincipalPhone, e.SafetyOfficerPhone = people.MaskPhone(e.principalPhone), people.MaskPhone(e.officerPhone)
	e.PhonesMasked = true
}

// Get returns an enterprise the actor may see; ENOTFOUND otherwise (also
// for one out of scope, with a denied record in the trail).
func (s *Service) Get(ctx context.Context, a *auth.Actor, id int64) (*Enterprise, error) {
	e, err := ByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.EnterpriseView, e.Path(), "enterprise", strconv.FormatInt(id, 10)); err != nil {
		return nil, err
	}
	present(a, e)
	return e, nil
}

// Filter narrows a list. Empty fields do not filter.
type Filter struct {
	OrgID       int64  // the territory org and its subtree
	Industry    string // an industry code
	Risk        string // a risk level
	Kind        string // enterprise | place
	Key         *bool  // 重点企业
	Crowded     *bool  // 人员密集场所
	MajorHazard *bool  // 重大危险源
	Status      string // open (default) | closed | all
	Query       string // part of the name, credit code, address or principal's name
	Sort        string // risk (default) | name | updated | territory
	Limit       int    // default 50, at most 500 (5,000 for exports)
	Offset      int
}

// Statuses of the status filter.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
	StatusAll    = "all"
)

// Sorts of a list.
var Sorts = []string{"risk", "name", "updated", "territory"}

// riskRank is the stored risk_rank of each level (see the migration).
var riskRank = map[string]int{RiskMajor: 0, RiskLarge: 1, RiskGeneral: 2, RiskLow: 3}

// walkOrderAbove is the number of matching rows above which a SQLite list
// walks the order index (risk or name) and stops after the page, rather
// than sorting every match.
const walkOrderAbove = 2000

var orderBy = map[string]string{
	"risk":      "e.risk_rank, e.name, e.id",
	"name":      "e.name, e.id",
	"updated":   "e.updated_at DESC, e.id DESC",
	"territory": "e.territory_path, e.name, e.id",
}

// where builds the conditions of a list: the actor's scopes and the
// filter. pathCol is the column the scope and subtree ranges apply to
// (e.territory_path, or +e.territory_path to keep SQLite off its index).
func (s *Service) where(ctx context.Context, a *auth.Actor, f *Filter, pathCol string) (string, []any, error) {
	if !a.Operator && !a.CanAnywhere(auth.EnterpriseView) {
		return "", nil, s.Auth.Refuse(ctx, a, auth.EnterpriseView, "enterprise", apperr.NotFound("enterprise"))
	}
	cond, args := ScopeSQL(a, auth.EnterpriseView, pathCol, "e.id")
	conds := []string{cond}
	if f.OrgID != 0 {
		o, err := org.ByID(ctx, s.DB, f.OrgID)
		if err != nil {
			return "", nil, err
		}
		if err := s.Auth.Check(ctx, a, auth.EnterpriseView, o.Path, "org", strconv.FormatInt(o.ID, 10)); err != nil {
			return "", nil, err
		}
		c, ar := org.SubtreeSQL(pathCol, o.Path)
		conds = append(conds, c)
		args = append(args, ar...)
	}
	if f.Industry != "" {
		if _, ok := IndustryByCode(f.Industry); !ok {
			return "", nil, apperr.Field(apperr.EINVALID, "industry", "未知行业 %q / unknown industry %q", f.Industry, f.Industry)
		}
		conds = append(conds, "e.industry = ?")
		args = append(args, f.Industry)
	}
	if f.Risk != "" {
		if !ValidRisk(f.Risk) {
			return "", nil, apperr.Field(apperr.EINVALID, "risk_level", "未知风险等级 %q / unknown risk level %q", f.Risk, f.Risk)
		}
		conds = append(conds, "e.risk_rank = ?") // the order index leads with it
		args = append(args, riskRank[f.Risk])
	}
	if f.Kind != "" {
		if f.Kind != KindEnterprise && f.Kind != KindPlace {
			return "", nil, apperr.Field(apperr.EINVALID, "kind", "类型须为 enterprise 或 place / kind must be enterprise or place")
		}
		conds = append(conds, "e.kind = ?")
		args = append(args, f.Kind)
	}
	for _, flag := range []struct {
		col string
		v   *bool
	}{{"e.key_enterprise", f.Key}, {"e.crowded_place", f.Crowded}, {"e.major_hazard_source", f.MajorHazard}} {
		if flag.v != nil {
			conds = append(conds, flag.col+" = ?")
			args = append(args, *flag.v)
		}
	}
	switch f.Status {
	case "", StatusOpen:
		f.Status = StatusOpen
		conds = append(conds, "e.closed = ?")
		args = append(args, false)
	case StatusClosed:
		conds = append(conds, "e.closed = ?")
		args = append(args, true)
	case StatusAll:
		// Both values, so that the indexes that lead with closed still serve.
		conds = append(conds, "e.closed IN (?, ?)")
		args = append(args, false, true)
	default:
		return "", nil, apperr.Field(apperr.EINVALID, "status", "状态须为 open、closed 或 all / status must be open, closed or all")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if utf8.RuneCountInString(q) > 100 {
			return "", nil, apperr.Field(apperr.EINVALID, "q", "查询词最长 100 字 / the search may have at most 100 characters")
		}
		clean := strings.NewReplacer("%", "", "_", "", "\\", "").Replace(q)
		like := "%" + clean + "%"
		conds = append(conds, "(e.name LIKE ? OR e.uscc LIKE ? OR e.address LIKE ? OR e.principal_name LIKE ?)")
		args = append(args, like, "%"+strings.ToUpper(clean)+"%", like, like)
	}
	if f.Sort == "" {
		f.Sort = "risk"
	}
	if _, ok := orderBy[f.Sort]; !ok {
		return "", nil, apperr.Field(apperr.EINVALID, "sort", "排序须为 risk、name、updated 或 territory / sort must be risk, name, updated or territory")
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// List returns one page of the enterprises the actor may see, filtered in
// SQL, with the total count.
func (s *Service) List(ctx context.Context, a *auth.Actor, f Filter) ([]Enterprise, int, error) {
	return s.list(ctx, a, f, 500)
}

func (s *Service) list(ctx context.Context, a *auth.Actor, f Filter, maxLimit int) ([]Enterprise, int, error) {
	// SQLite plans without statistics and takes any scope range for
	// selective, which it is not when the scope is the whole district. So
	// on SQLite the path range is kept off its index (+col) whenever a
	// better one leads: the industry or risk index for those filters, the
	// order index (risk, name) for a large page in that order.
	sqlite := s.DB.Dialect == db.SQLite
	pathCol := "e.territory_path"
	if sqlite && (f.Industry != "" || f.Risk != "") {
		pathCol = "+e.territory_path"
	}
	where, args, err := s.where(ctx, a, &f, pathCol)
	if err != nil {
		return nil, 0, err
	}
	var total int
	// Filters read the enterprises table alone (territory_path is kept by
	// triggers): a count never joins every row to its org.
	if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM enterprises e"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, maxLimit)
	f.Offset = max(f.Offset, 0)
	out := []Enterprise{}
	if total == 0 || f.Offset >= total {
		return out, total, nil
	}
	if sqlite && pathCol == "e.territory_path" && total > walkOrderAbove && (f.Sort == "risk" || f.Sort == "name") && strings.TrimSpace(f.Query) == "" {
		if where, args, err = s.where(ctx, a, &f, "+e.territory_path"); err != nil {
			return nil, 0, err
		}
	}
	rows, err := s.DB.Query(ctx, "SELECT "+cols+from+where+" ORDER BY "+orderBy[f.Sort]+
		" LIMIT "+strconv.Itoa(f.Limit)+" OFFSET "+strconv.Itoa(f.Offset), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		present(a, e)
		out = append(out, *e)
	}
	return out, total, rows.Err()
}

var phoneRe = regexp.MustCompile(`^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?)$`)

// Normalize trims an input and fills its defaults; Validate checks it.
func (in *Input) Normalize() {
	in.Kind = strings.TrimSpace(in.Kind)
	if in.Kind == "" {
		in.Kind = KindEnterprise
	}
	in.Name = strings.TrimSpace(in.Name)
	in.USCC = uscc.Normalize(in.USCC)
	in.Address = strings.TrimSpace(in.Address)
	in.Industry = strings.TrimSpace(in.Industry)
	in.RiskLevel = strings.TrimSpace(in.RiskLevel)
	if in.RiskLevel == "" {
		in.RiskLevel = RiskLow
	}
	in.PrincipalName = strings.TrimSpace(in.PrincipalName)
	in.PrincipalPhone = strings.TrimSpace(in.PrincipalPhone)
	in.SafetyOfficerName = strings.TrimSpace(in.SafetyOfficerName)
	in.SafetyOfficerPhone = strings.TrimSpace(in.SafetyOfficerPhone)
	in.FoundedOn = strings.TrimSpace(in.FoundedOn)
	if in.RegulatorOrgID != nil && *in.RegulatorOrgID == 0 {
		in.RegulatorOrgID = nil
	}
}

// Validate checks one input on its own (formats and the credit code);
// orgs need the database (see checkOrgs). today is YYYY-MM-DD.
func Validate(in *Input, today string) error {
	for _, err := range ValidateAll(in, today) {
		return err
	}
	return nil
}

// ValidateAll is Validate reporting every field that fails (for the import).
func ValidateAll(in *Input, today string) []*apperr.Error {
	in.Normalize()
	var errs []*apperr.Error
	bad := func(field, format string, args ...any) {
		errs = append(errs, apperr.Field(apperr.EINVALID, field, format, args...))
	}
	if in.Kind != KindEnterprise && in.Kind != KindPlace {
		bad("kind", "类型须为 enterprise（企业）或 place（场所） / kind must be enterprise or place")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 {
		bad("name", "名称不能为空，最长 100 字 / the name is required, at most 100 characters")
	}
	switch {
	case in.USCC == "" && in.Kind == KindEnterprise:
		bad("uscc", "企业须填写统一社会信用代码（18 位） / an enterprise needs its unified social credit code (18 characters)")
	case in.USCC != "":
		if _, err := uscc.Validate(in.USCC); err != nil {
			bad("uscc", "%s", err.Error())
		}
	}
	if utf8.RuneCountInString(in.Address) > 200 {
		bad("address", "地址最长 200 字 / the address may have at most 200 characters")
	}
	if in.TerritoryOrgID <= 0 {
		bad("territory_org_id", "请选择属地 / the territory (属地) is required")
	}
	if _, ok := IndustryByCode(in.Industry); !ok {
		if in.Industry == "" {
			bad("industry", "请选择行业 / the industry is required")
		} else {
			bad("industry", "未知行业 %q / unknown industry %q", in.Industry, in.Industry)
		}
	}
	if !ValidRisk(in.RiskLevel) {
		bad("risk_level", "风险等级须为 major（重大）、large（较大）、general（一般）或 low（低） / the risk level must be major, large, general or low")
	}
	for _, p := range []struct{ field, name, phone, label string }{
		{"principal", in.PrincipalName, in.PrincipalPhone, "主要负责人 / principal"},
		{"safety_officer", in.SafetyOfficerName, in.SafetyOfficerPhone, "安全管理人员 / safety officer"},
	} {
		if utf8.RuneCountInString(p.name) > 50 {
			bad(p.field+"_name", "%s姓名最长 50 字 / name at most 50 characters", p.label)
		}
		if p.phone != "" && !phoneRe.MatchString(p.phone) {
			bad(p.field+"_phone", "%s电话格式不正确（11 位手机号或带区号的固定电话） / the phone number is not valid (11-digit mobile or landline with area code)", p.label)
		}
	}
	if in.FoundedOn != "" {
		d, err := time.Parse("2006-01-02", in.FoundedOn)
		switch {
		case err != nil:
			bad("founded_on", "成立日期须为 YYYY-MM-DD 格式 / the founding date must be YYYY-MM-DD")
		case d.Year() < 1900 || in.FoundedOn > today:
			bad("founded_on", "成立日期 %s 不合理（须在 1900 年之后、不晚于今天） / the founding date %s is implausible (after 1900, not after today)", in.FoundedOn, in.FoundedOn)
		}
	}
	return errs
}

// territoryKinds are the orgs an enterprise may belong to (属地).
var territoryKinds = map[string]bool{org.District: true, org.Township: true, org.Street: true, org.Zone: true, org.Village: true, org.Community: true}

// checkOrgs reads the territory and the regulator and checks their kinds.
func checkOrgs(ctx context.Context, q db.Querier, in *Input) (*org.Org, error) {
	t, err := org.ByID(ctx, q, in.TerritoryOrgID)
	if err != nil {
		return nil, apperr.Field(apperr.EINVALID, "territory_org_id", "属地组织不存在 / the territory org does not exist")
	}
	if !territoryKinds[t.Kind] {
		return nil, apperr.Field(apperr.EINVALID, "territory_org_id", "属地须为区、乡镇、街道、开发区、村或社区，不能是“%s” / the territory must be a district, township, street, zone, village or community, not %s", t.Name, t.Name)
	}
	if in.RegulatorOrgID != nil {
		r, err := org.ByID(ctx, q, *in.RegulatorOrgID)
		if err != nil {
			return nil, apperr.Field(apperr.EINVALID, "regulator_org_id", "行业监管部门不存在 / the regulating department does not exist")
		}
		if r.Kind != org.Department {
			return nil, apperr.Field(apperr.EINVALID, "regulator_org_id", "行业监管部门须为部门，“%s”不是 / the regulator must be a department; %s is not", r.Name, r.Name)
		}
	}
	return t, nil
}

func (s *Service) today() string { return s.Clock.Now().In(calendar.Location).Format("2006-01-02") }

// Create registers an enterprise in a territory the actor keeps.
func (s *Service) Create(ctx context.Context, a *auth.Actor, in Input) (*Enterprise, error) {
	if err := Validate(&in, s.today()); err != nil {
		return nil, err
	}
	t, err := checkOrgs(ctx, s.DB, &in)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.EnterpriseManage, t.Path, "enterprise", ""); err != nil {
		return nil, err
	}
	var out *Enterprise
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := Insert(ctx, tx, s.Clock.Now(), in)
		if err != nil {
			return err
		}
		if out, err = ByID(ctx, tx, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, entry(a, s.Clock.Now(), "enterprise.create", out, nil, out))
	})
	if err != nil {
		return nil, err
	}
	present(a, out)
	return out, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func conflictUSCC(code string) error {
	return apperr.Field(apperr.ECONFLICT, "uscc", "统一社会信用代码 %s 已登记 / the unified social credit code %s is already registered", code, code)
}

// Insert writes a validated input inside tx; the caller has checked
// permissions and orgs. A taken credit code answers ECONFLICT.
func Insert(ctx context.Context, tx *db.Tx, now time.Time, in Input) (int64, error) {
	id, err := db.InsertID(ctx, tx, `INSERT INTO enterprises (kind, name, uscc, address, territory_org_id, regulator_org_id, industry, risk_level,
		key_enterprise, crowded_place, major_hazard_source, principal_name, principal_phone, safety_officer_name, safety_officer_phone,
		founded_on, closed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Kind, in.Name, nullString(in.USCC), in.Address, in.TerritoryOrgID, nullID(in.RegulatorOrgID), in.Industry, in.RiskLevel,
		in.KeyEnterprise, in.CrowdedPlace, in.MajorHazardSource, in.PrincipalName, in.PrincipalPhone, in.SafetyOfficerName, in.SafetyOfficerPhone,
		in.FoundedOn, in.Closed, now, now)
	if db.IsUniqueViolation(err) {
		return 0, conflictUSCC(in.USCC)
	}
	return id, err
}

func update(ctx context.Context, tx *db.Tx, now time.Time, id int64, in Input) error {
	_, err := tx.Exec(ctx, `UPDATE enterprises SET kind = ?, name = ?, uscc = ?, address = ?, territory_org_id = ?, regulator_org_id = ?, industry = ?,
		risk_level = ?, key_enterprise = ?, crowded_place = ?, major_hazard_source = ?, principal_name = ?, principal_phone = ?,
		safety_officer_name = ?, safety_officer_phone = ?, founded_on = ?, closed = ?, updated_at = ? WHERE id = ?`,
		in.Kind, in.Name, nullString(in.USCC), in.Address, in.TerritoryOrgID, nullID(in.RegulatorOrgID), in.Industry,
		in.RiskLevel, in.KeyEnterprise, in.CrowdedPlace, in.MajorHazardSource, in.PrincipalName, in.PrincipalPhone,
		in.SafetyOfficerName, in.SafetyOfficerPhone, in.FoundedOn, in.Closed, now, id)
	if db.IsUniqueViolation(err) {
		return conflictUSCC(in.USCC)
	}
	return err
}

// InputOf returns the input that describes e as stored (phones unmasked),
// for a partial update or an edit form.
func InputOf(e *Enterprise) Input {
	return Input{Kind: e.Kind, Name: e.Name, USCC: e.USCC, Address: e.Address, TerritoryOrgID: e.TerritoryOrgID, RegulatorOrgID: e.RegulatorOrgID,
		Industry: e.Industry, RiskLevel: e.RiskLevel, KeyEnterprise: e.KeyEnterprise, CrowdedPlace: e.CrowdedPlace, MajorHazardSource: e.MajorHazardSource,
		PrincipalName: e.PrincipalName, PrincipalPhone: e.principalPhone, SafetyOfficerName: e.SafetyOfficerName, SafetyOfficerPhone: e.officerPhone,
		FoundedOn: e.FoundedOn, Closed: e.Closed}
}

// Update replaces an enterprise's record. Closing one is an update (closed);
// moving it to another territory needs the right to keep the register there too.
func (s *Service) Update(ctx context.Context, a *auth.Actor, id int64, in Input) (*Enterprise, error) {
	cur, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.EnterpriseManage, cur.Path(), "enterprise", strconv.FormatInt(id, 10)); err != nil {
		return nil, err
	}
	if err := Validate(&in, s.today()); err != nil {
		return nil, err
	}
	t, err := checkOrgs(ctx, s.DB, &in)
	if err != nil {
		return nil, err
	}
	if t.ID != cur.TerritoryOrgID {
		if err := s.Auth.Check(ctx, a, auth.EnterpriseManage, t.Path, "enterprise", strconv.FormatInt(id, 10)); err != nil {
			return nil, err
		}
	}
	var out *Enterprise
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		if err := update(ctx, tx, now, id, in); err != nil {
			return err
		}
		if out, err = ByID(ctx, tx, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, entry(a, now, "enterprise.update", out, cur, out))
	})
	if err != nil {
		return nil, err
	}
	present(a, out)
	return out, nil
}

// snapshot is what the trail digests of an enterprise (phones included: the
// digest proves, it does not copy).
type snapshot struct {
	Input
}

func entry(a *auth.Actor, now time.Time, action string, e, before, after *Enterprise) audit.Entry {
	en := a.Entry(now, action, "enterprise", strconv.FormatInt(e.ID, 10), e.TerritoryOrgID)
	snap := func(x *Enterprise) any {
		if x == nil {
			return nil
		}
		return snapshot{InputOf(x)}
	}
	en.Before, en.After = snap(before), snap(after)
	if before == nil {
		en.Detail = e.Name
	} else if before.Closed != after.Closed {
		en.Detail = "closed"
		if !after.Closed {
			en.Detail = "reopened"
		}
	}
	return en
}
