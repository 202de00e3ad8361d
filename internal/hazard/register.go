package hazard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// Input registers a hazard. Whatever the system already knows (the
// enterprise's territory, industry and name; the finder; the time) is
// filled in when left out, so that nothing known is typed twice.
type Input struct {
	Source    string `json:"source,omitempty"`     // inspection (default), self_report (default for an enterprise contact), tip, daily_report_item, campaign, other
	SourceRef string `json:"source_ref,omitempty"` // e.g. the daily-report item id, an inspection's item
	// CampaignID links the hazard to an investigation campaign (排查整治行动).
	CampaignID *int64 `json:"campaign_id,omitempty"`
	// EnterpriseID: the enterprise or place it is about; its territory is the hazard's.
	EnterpriseID *int64 `json:"enterprise_id,omitempty"`
	// OrgID: the territory org when the hazard is not about an enterprise (default: the caller's org).
	OrgID int64 `json:"org_id,omitempty"`
	// SupervisingOrgID accepts and closes it (default: the territory org; an
	// ancestor of it, the enterprise's regulator, or an org in the caller's scope).
	SupervisingOrgID int64      `json:"supervising_org_id,omitempty"`
	Location         string     `json:"location,omitempty"`
	Description      string     `json:"description"`
	Category         string     `json:"category"`              // code or name, e.g. fire or 消防
	Grade            string     `json:"grade,omitempty"`       // general (default) or major
	StandardID       *int64     `json:"standard_id,omitempty"` // required for a major hazard: the clause it meets
	FoundAt          *time.Time `json:"found_at,omitempty"`    // default now
	FinderName       string     `json:"finder_name,omitempty"` // default the caller's name
	// Responsible side (整改责任): unit, person and, for notifications, their account.
	ResponsibleOrgID  *int64  `json:"responsible_org_id,omitempty"`
	ResponsibleUnit   string  `json:"responsible_unit,omitempty"` // default the enterprise's or the territory's name
	ResponsiblePerson string  `json:"responsible_person,omitempty"`
	ResponsibleUserID *int64  `json:"responsible_user_id,omitempty"`
	Measures          string  `json:"measures,omitempty"`
	FundsYuan         float64 `json:"funds_yuan,omitempty"`
	Deadline          string  `json:"deadline,omitempty"` // YYYY-MM-DD, not before the finding date; required unless fixed on the spot
	// FixedOnSpot (立即整改): registered straight to closed, with the evidence.
	FixedOnSpot bool         `json:"fixed_on_spot,omitempty"`
	Major       *MajorReport `json:"major,omitempty"`
	// AttachmentIDs are photos before rectification; EvidenceIDs after it (fixed on the spot).
	AttachmentIDs []int64 `json:"attachment_ids,omitempty"`
	EvidenceIDs   []int64 `json:"evidence_ids,omitempty"`
	Comment       string  `json:"comment,omitempty"`
}

// enterpriseRow is what registration reads of an enterprise (plain SQL:
// the enterprise package is another capability).
type enterpriseRow struct {
	ID          int64
	Kind        string
	Name        string
	Address     string
	TerritoryID int64
	RegulatorID sql.NullInt64
	Industry    string
	RiskLevel   string
	Closed      bool
}

func loadEnterprise(ctx context.Context, q db.Querier, id int64) (*enterpriseRow, error) {
	var e enterpriseRow
	err := q.QueryRow(ctx, `SELECT id, kind, name, address, territory_org_id, regulator_org_id, industry, risk_level, closed FROM enterprises WHERE id = ?`, id).
		Scan(&e.ID, &e.Kind, &e.Name, &e.Address, &e.TerritoryID, &e.RegulatorID, &e.Industry, &e.RiskLevel, &e.Closed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &e, err
}

// plan is a registration checked and resolved, ready to write.
type plan struct {
	in          Input
	action      string
	enterprise  *enterpriseRow
	territory   *org.Org
	supervising *org.Org
	path        string
	category    string
	grade       string
	foundAt     time.Time
	foundDay    calendar.Date
	deadline    calendar.Date
	fundsCents  int64
	major       MajorReport
	dailyItem   int64
	now         time.Time
	// An import (imported) carries the allowances of an old ledger: a
	// finding up to ten years back, a major hazard's report items left for
	// later, no message to the responsible side; importStatus is the state
	// the row takes after registration, mode its 整改方式.
	imported     bool
	importStatus string
	mode         string
}

// refusal is an authorization failure that the caller records in the trail.
type refusal struct {
	err    error
	action auth.Action
	orgID  int64
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// Register records a hazard in a transaction of its own: the hazard, its
// first step, its photos, its obligations in the clock engine and its audit
// record commit together. Another capability (an inspection's failed item)
// calls it with a prefilled Input (see Prefill).
func (s *Service) Register(ctx context.Context, a *auth.Actor, in Input) (*Hazard, error) {
	p, err := s.plan(ctx, s.DB, a, in)
	if err != nil {
		return nil, s.recordRefusal(ctx, a, 0, err)
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = s.write(ctx, tx, a, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// RegisterTx is Register inside the caller's transaction (an inspection
// that records its items and their hazards at once). A refusal is returned,
// not recorded: the caller's transaction does not commit anyway.
func (s *Service) RegisterTx(ctx context.Context, tx *db.Tx, a *auth.Actor, in Input) (int64, error) {
	p, err := s.plan(ctx, tx, a, in)
	if err != nil {
		var r *refusal
		if errors.As(err, &r) {
			return 0, r.err
		}
		return 0, err
	}
	return s.write(ctx, tx, a, p)
}

// recordRefusal records an authorization refusal as a denied audit event
// and returns the domain error; other errors pass through.
func (s *Service) recordRefusal(ctx context.Context, a *auth.Actor, id int64, err error) error {
	var r *refusal
	if !errors.As(err, &r) {
		return err
	}
	if a != nil {
		e := a.Entry(s.Clock.Now(), string(r.action), "hazard", "", r.orgID)
		if id > 0 {
			e.ObjectID = itoa(id)
		}
		e.Result, e.Detail = audit.Denied, apperr.Code(r.err)
		if aerr := audit.AppendAlone(ctx, s.DB, e); aerr != nil {
			s.log().Warn("hazard: record refusal", "err", aerr)
		}
	}
	return r.err
}

// authorize is auth.Authorize wrapped as a refusal to record.
func authorize(a *auth.Actor, action auth.Action, path string, orgID int64) error {
	if err := auth.Authorize(a, action, path); err != nil {
		return &refusal{err: err, action: action, orgID: orgID}
	}
	return nil
}

// plan validates and resolves a registration, reading through q.
func (s *Service) plan(ctx context.Context, q db.Querier, a *auth.Actor, in Input) (*plan, error) {
	return s.planWith(ctx, q, a, in, false)
}

func (s *Service) planWith(ctx context.Context, q db.Querier, a *auth.Actor, in Input, imported bool) (*plan, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	p := &plan{in: in, action: ActRegister, now: s.Clock.Now(), imported: imported}
	if in.FixedOnSpot {
		p.action = ActFixOnSpot
	}
	// Where: the enterprise's territory, or the org named, or the caller's.
	if in.EnterpriseID != nil {
		e, err := loadEnterprise(ctx, q, *in.EnterpriseID)
		if err != nil {
			return nil, err
		}
		if e == nil {
			return nil, apperr.Field(apperr.EINVALID, "enterprise_id", "企业 %d 不存在 / enterprise %d does not exist", *in.EnterpriseID, *in.EnterpriseID)
		}
		p.enterprise = e
		if p.territory, err = org.ByID(ctx, q, e.TerritoryID); err != nil {
			return nil, err
		}
		p.path = auth.EnterpriseScope(p.territory.Path, e.ID)
	} else {
		id := in.OrgID
		if id == 0 {
			id = a.OrgID
		}
		t, err := org.ByID(ctx, q, id)
		if apperr.Code(err) == apperr.ENOTFOUND {
			return nil, apperr.Field(apperr.EINVALID, "org_id", "属地组织 %d 不存在 / org %d does not exist", id, id)
		}
		if err != nil {
			return nil, err
		}
		p.territory, p.path = t, t.Path
	}
	if err := authorize(a, auth.HazardReport, p.path, p.territory.ID); err != nil {
		return nil, err
	}
	// Who accepts.
	p.supervising = p.territory
	if in.SupervisingOrgID != 0 && in.SupervisingOrgID != p.territory.ID {
		so, err := org.ByID(ctx, q, in.SupervisingOrgID)
		if apperr.Code(err) == apperr.ENOTFOUND {
			return nil, apperr.Field(apperr.EINVALID, "supervising_org_id", "督办（验收）单位 %d 不存在 / org %d does not exist", in.SupervisingOrgID, in.SupervisingOrgID)
		}
		if err != nil {
			return nil, err
		}
		regulator := p.enterprise != nil && p.enterprise.RegulatorID.Valid && p.enterprise.RegulatorID.Int64 == so.ID
		if !auth.Covers(so.Path, p.territory.Path) && !regulator && !a.Can(auth.HazardReport, so.Path) && !a.Operator {
			return nil, apperr.Field(apperr.EINVALID, "supervising_org_id",
				"督办（验收）单位须为属地或其上级、企业的行业监管部门，或您管辖范围内的单位 / the supervising org must be the territory or above it, the enterprise's regulator, or an org in your scope")
		}
		p.supervising = so
	}
	var err error
	if in.Description, err = clean("description", in.Description, maxDescription, true); err != nil {
		return nil, err
	}
	if in.Location, err = clean("location", in.Location, maxText, false); err != nil {
		return nil, err
	}
	if in.Location == "" && p.enterprise != nil {
		in.Location = p.enterprise.Address
		if len([]rune(in.Location)) > maxText {
			in.Location = string([]rune(in.Location)[:maxText])
		}
	}
	// Category and grade.
	if strings.TrimSpace(in.Category) == "" {
		return nil, apperr.Field(apperr.EINVALID, "category", "请选择隐患类别 / choose a category")
	}
	code, active, err := categoryCode(ctx, q, in.Category)
	if err != nil {
		return nil, err
	}
	if code == "" || !active {
		return nil, apperr.Field(apperr.EINVALID, "category", "没有隐患类别“%s” / no category %q", in.Category, in.Category)
	}
	p.category = code
	switch in.Grade {
	case "", General, "一般", "一般隐患":
		p.grade = General
	case Major, "重大", "重大隐患":
		p.grade = Major
	default:
		return nil, apperr.Field(apperr.EINVALID, "grade", "隐患等级只能是 general（一般）或 major（重大） / grade is general or major")
	}
	if in.Major != nil {
		p.major = *in.Major
	}
	if err := cleanMajor(&p.major); err != nil {
		return nil, err
	}
	if p.grade == Major {
		if in.StandardID == nil {
			return nil, apperr.Field(apperr.EINVALID, "standard_id", "重大隐患须注明符合的判定标准条款 / a major hazard names the grading clause it meets")
		}
		st, err := standardByID(ctx, q, *in.StandardID)
		if err != nil {
			return nil, err
		}
		if !st.Active {
			return nil, apperr.Field(apperr.EINVALID, "standard_id", "该判定标准条款已停用 / this grading clause is retired")
		}
		if p.major.StateCause == "" && !imported {
			return nil, apperr.Field(apperr.EINVALID, "major.state_cause", "重大隐患须报告现状及其产生原因 / a major hazard reports its current state and cause")
		}
		if p.major.Harm == "" && !imported {
			return nil, apperr.Field(apperr.EINVALID, "major.harm", "重大隐患须报告危害程度和整改难易程度 / a major hazard reports its harm and the difficulty of fixing it")
		}
		if in.FixedOnSpot {
			return nil, apperr.Field(apperr.ERULE, "fixed_on_spot", "重大隐患不能立即整改销号，须制定治理方案 / a major hazard cannot be fixed on the spot: it needs a treatment plan")
		}
	} else if in.StandardID != nil {
		if _, err := standardByID(ctx, q, *in.StandardID); err != nil {
			return nil, err
		}
	}
	// When.
	p.foundAt = p.now
	if in.FoundAt != nil {
		p.foundAt = in.FoundAt.UTC().Truncate(time.Microsecond)
		if p.foundAt.After(p.now.Add(10 * time.Minute)) {
			return nil, apperr.Field(apperr.EINVALID, "found_at", "发现时间不能晚于现在 / the finding time cannot be in the future")
		}
		if years := 5 + 5*btoi(imported); p.foundAt.Before(p.now.AddDate(-years, 0, 0)) {
			return nil, apperr.Field(apperr.EINVALID, "found_at", "发现时间不能早于 %d 年前 / the finding time cannot be more than %d years ago", years, years)
		}
	}
	p.foundDay = calendar.DateOf(p.foundAt)
	switch {
	case in.FixedOnSpot && strings.TrimSpace(in.Deadline) == "":
		p.deadline = calendar.DateOf(p.now)
	case strings.TrimSpace(in.Deadline) == "":
		return nil, apperr.Field(apperr.EINVALID, "deadline", "请填写整改期限 / the rectification deadline is required")
	default:
		d, err := calendar.ParseDate(strings.TrimSpace(in.Deadline))
		if err != nil {
			return nil, apperr.Field(apperr.EINVALID, "deadline", "整改期限须为 YYYY-MM-DD 格式的日期 / the deadline must be a date YYYY-MM-DD")
		}
		p.deadline = d
	}
	if p.deadline.Before(p.foundDay) {
		return nil, apperr.Field(apperr.EINVALID, "deadline", "整改期限 %s 早于发现日期 %s / the deadline %s is before the finding date %s",
			p.deadline, p.foundDay, p.deadline, p.foundDay)
	}
	if p.deadline.After(p.foundDay.AddDays(3 * 366)) {
		return nil, apperr.Field(apperr.EINVALID, "deadline", "整改期限不能超过发现后三年 / the deadline cannot be more than three years after the finding")
	}
	// Who.
	if in.FinderName, err = clean("finder_name", in.FinderName, 50, false); err != nil {
		return nil, err
	}
	if in.FinderName == "" {
		in.FinderName = a.Name
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"responsible_unit", &in.ResponsibleUnit, 100}, {"responsible_person", &in.ResponsiblePerson, 50}, {"measures", &in.Measures, maxLong}, {"comment", &in.Comment, maxComment}, {"source_ref", &in.SourceRef, 100}} {
		if *f.v, err = clean(f.name, *f.v, f.max, false); err != nil {
			return nil, err
		}
	}
	if in.ResponsibleUnit == "" {
		if p.enterprise != nil {
			in.ResponsibleUnit = p.enterprise.Name
		} else {
			in.ResponsibleUnit = p.territory.Name
		}
	}
	if in.ResponsibleOrgID == nil && p.enterprise == nil {
		id := p.territory.ID
		in.ResponsibleOrgID = &id
	}
	if in.ResponsibleOrgID != nil {
		if _, err := org.ByID(ctx, q, *in.ResponsibleOrgID); err != nil {
			return nil, apperr.Field(apperr.EINVALID, "responsible_org_id", "整改单位 %d 不存在 / org %d does not exist", *in.ResponsibleOrgID, *in.ResponsibleOrgID)
		}
	}
	if in.ResponsibleUserID != nil {
		var n int
		if err := q.QueryRow(ctx, "SELECT count(*) FROM users WHERE id = ? AND NOT disabled", *in.ResponsibleUserID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apperr.Field(apperr.EINVALID, "responsible_user_id", "用户 %d 不存在或已停用 / user %d does not exist or is disabled", *in.ResponsibleUserID, *in.ResponsibleUserID)
		}
	}
	if in.FundsYuan < 0 || in.FundsYuan > 1e10 || math.IsNaN(in.FundsYuan) {
		return nil, apperr.Field(apperr.EINVALID, "funds_yuan", "整改资金须为 0 至 100 亿元之间的金额 / funds must be between 0 and 10 billion yuan")
	}
	p.fundsCents = int64(math.Round(in.FundsYuan * 100))
	// Where from.
	if in.Source == "" {
		in.Source = SourceInspection
		if a.HasRole(auth.RoleEnterprise) && p.enterprise != nil && a.EnterpriseID == p.enterprise.ID {
			in.Source = SourceSelfReport
		}
		if in.CampaignID != nil {
			in.Source = SourceCampaign
		}
	}
	known := in.Source == SourceImport && imported
	for _, src := range Sources {
		known = known || src == in.Source
	}
	if !known {
		return nil, apperr.Field(apperr.EINVALID, "source", "来源只能是 %s / source is one of %s", strings.Join(Sources, "、"), strings.Join(Sources, ", "))
	}
	if in.Source == SourceDailyItem {
		id, err := parseID(in.SourceRef)
		if err != nil {
			return nil, apperr.Field(apperr.EINVALID, "source_ref", "来源为每日报告事项时，source_ref 须为事项编号 / with source daily_report_item, source_ref is the item's id")
		}
		item, err := loadDailyItem(ctx, q, id)
		if err != nil {
			return nil, err
		}
		if item == nil || !(a.Operator || a.Can(auth.HazardView, item.OrgPath) || a.Can(auth.DailyReportView, item.OrgPath)) {
			return nil, apperr.Field(apperr.EINVALID, "source_ref", "每日报告事项 %d 不存在 / daily-report item %d does not exist", id, id)
		}
		if item.LinkKind == "hazard" {
			return nil, apperr.Field(apperr.ECONFLICT, "source_ref", "该事项已登记为隐患 %s / this item is registered as hazard %s already", item.LinkRef, item.LinkRef)
		}
		p.dailyItem = id
	}
	if in.CampaignID != nil && *in.CampaignID <= 0 {
		return nil, apperr.Field(apperr.EINVALID, "campaign_id", "campaign_id 须为正整数 / campaign_id must be a positive integer")
	}
	if len(in.AttachmentIDs) > 20 || len(in.EvidenceIDs) > 20 {
		return nil, apperr.Field(apperr.EINVALID, "attachment_ids", "一次最多附加 20 个文件 / at most 20 attachments at a time")
	}
	if in.FixedOnSpot && len(in.EvidenceIDs) == 0 {
		return nil, apperr.Field(apperr.EINVALID, "evidence_ids", "立即整改须附整改后的照片或材料 / a hazard fixed on the spot needs the evidence (photos after the fix)")
	}
	if !in.FixedOnSpot && len(in.EvidenceIDs) > 0 {
		return nil, apperr.Field(apperr.EINVALID, "evidence_ids", "整改后照片随“提交整改材料”上传 / photos after the fix come with submit_evidence")
	}
	p.in = in
	return p, nil
}

func cleanMajor(m *MajorReport) error {
	var err error
	for _, f := range []struct {
		name string
		v    *string
	}{{"major.state_cause", &m.StateCause}, {"major.harm", &m.Harm}, {"major.plan_goal", &m.PlanGoal}, {"major.plan_method", &m.PlanMethod},
		{"major.plan_funds", &m.PlanFunds}, {"major.plan_staff", &m.PlanStaff}, {"major.plan_schedule", &m.PlanSchedule}, {"major.plan_safety", &m.PlanSafety}} {
		if *f.v, err = clean(f.name, *f.v, maxLong, false); err != nil {
			return err
		}
	}
	return nil
}

// write inserts a planned registration inside tx and returns the new id.
func (s *Service) write(ctx context.Context, tx *db.Tx, a *auth.Actor, p *plan) (int64, error) {
	in := p.in
	number, err := nextNumber(ctx, tx, calendar.DateOf(p.now).Year)
	if err != nil {
		return 0, err
	}
	status, mode := Registered, ModeDeadline
	if in.FixedOnSpot {
		status, mode = Closed, ModeImmediate
	}
	if p.mode != "" {
		mode = p.mode
	}
	var entID any
	entName, industry, risk := "", "", ""
	if p.enterprise != nil {
		entID, entName, industry, risk = p.enterprise.ID, p.enterprise.Name, p.enterprise.Industry, p.enterprise.RiskLevel
	}
	text := searchText(number, entName, in.Location, in.Description, in.ResponsibleUnit, in.ResponsiblePerson)
	var foundBy, createdBy any
	if a.UserID != 0 {
		foundBy, createdBy = a.UserID, a.UserID
	}
	var rectAt, rectDay, rectBy, closedAt, closedDay, closedBy any
	closedByName := ""
	if in.FixedOnSpot {
		rectAt, rectDay, rectBy = p.now, calendar.DateOf(p.now).String(), foundBy
		closedAt, closedDay, closedBy, closedByName = p.now, calendar.DateOf(p.now).String(), foundBy, a.Name
	}
	cols := `number, source, source_ref, campaign_id, enterprise_id, enterprise_name, territory_org_id, path, supervising_org_id,
		industry, risk_level, location, description, category, grade, standard_id, found_at, found_day, found_by_user_id, finder_name,
		responsible_org_id, responsible_unit, responsible_person, responsible_user_id, rectify_mode, measures, funds_cents, deadline, status,
		major_state_cause, major_harm, plan_goal, plan_method, plan_funds, plan_staff, plan_schedule, plan_safety,
		rectified_at, rectified_day, rectified_by, closed_at, closed_day, closed_by, closed_by_name, search_text, created_by, created_at, updated_at`
	args := []any{number, in.Source, in.SourceRef, optID(in.CampaignID), entID, entName, p.territory.ID, p.path, p.supervising.ID,
		industry, risk, in.Location, in.Description, p.category, p.grade, optID(in.StandardID), p.foundAt, p.foundDay.String(), foundBy, in.FinderName,
		optID(in.ResponsibleOrgID), in.ResponsibleUnit, in.ResponsiblePerson, optID(in.ResponsibleUserID), mode, in.Measures, p.fundsCents, p.deadline.String(), status,
		p.major.StateCause, p.major.Harm, p.major.PlanGoal, p.major.PlanMethod, p.major.PlanFunds, p.major.PlanStaff, p.major.PlanSchedule, p.major.PlanSafety,
		rectAt, rectDay, rectBy, closedAt, closedDay, closedBy, closedByName, text, createdBy, p.now, p.now}
	if tx.D() == db.Postgres {
		cols += ", search_grams"
		args = append(args, searchGrams(text))
	}
	id, err := db.InsertID(ctx, tx, "INSERT INTO hazards ("+cols+") VALUES ("+placeholders(len(args))+")", args...)
	if err != nil {
		return 0, err
	}
	if err := linkAttachments(ctx, s, tx, a, in.AttachmentIDs, OwnerHazard, id, p.territory.ID); err != nil {
		return 0, err
	}
	step := stepRow{hazardID: id, action: p.action, from: New, to: status, comment: in.Comment, newDeadline: p.deadline.String()}
	stepID, err := insertStep(ctx, tx, a, p.now, step)
	if err != nil {
		return 0, err
	}
	if err := linkAttachments(ctx, s, tx, a, in.EvidenceIDs, OwnerStep, stepID, p.territory.ID); err != nil {
		return 0, err
	}
	if in.FixedOnSpot {
		if err := addTally(ctx, tx, p.territory.ID, p.foundDay.String(), 1, 1, 0, 0); err != nil {
			return 0, err
		}
		if err := addTally(ctx, tx, p.territory.ID, calendar.DateOf(p.now).String(), 0, 0, 1, 1); err != nil {
			return 0, err
		}
	} else {
		if err := addTally(ctx, tx, p.territory.ID, p.foundDay.String(), 1, 0, 0, 0); err != nil {
			return 0, err
		}
		if st := p.importStatus; st == "" || st == Registered || st == Rectifying {
			if err := s.scheduleDeadline(ctx, tx, p.now, id, p.deadline, 0); err != nil {
				return 0, err
			}
		}
	}
	if p.dailyItem != 0 {
		if _, err := tx.Exec(ctx, "UPDATE daily_report_items SET link_kind = 'hazard', link_ref = ? WHERE id = ? AND link_kind = ''", number, p.dailyItem); err != nil {
			return 0, err
		}
	}
	e := a.Entry(p.now, "hazard."+p.action, "hazard", itoa(id), p.territory.ID)
	e.Detail = fmt.Sprintf("%s %s %s", number, p.grade, status)
	e.After = map[string]any{"number": number, "status": status, "grade": p.grade, "category": p.category, "deadline": p.deadline.String(), "path": p.path}
	if err := audit.Append(ctx, tx, e); err != nil {
		return 0, err
	}
	if !in.FixedOnSpot && !p.imported && s.Notifier != nil {
		h := &Hazard{ID: id, Number: number, Description: in.Description, Deadline: p.deadline.String(), EnterpriseID: optPtr(entID),
			ResponsibleUserID: in.ResponsibleUserID, ResponsibleOrgID: in.ResponsibleOrgID, TerritoryOrgID: p.territory.ID}
		to, err := responsibleRecipients(ctx, tx, h)
		if err != nil {
			return 0, err
		}
		title := fmt.Sprintf("新登记隐患 %s，请于 %s 前整改", number, p.deadline)
		if err := s.Notifier.Notify(ctx, tx, Note{UserIDs: to.users, OrgIDs: to.orgs, Title: title, Body: cut(in.Description, 120),
			Link: "/hazards/" + itoa(id), DedupeKey: "hazard/registered/" + itoa(id)}); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func optID(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func optPtr(v any) *int64 {
	if id, ok := v.(int64); ok {
		return &id
	}
	return nil
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// nextNumber takes the next serial of year: YH-2026-000123. The counter
// row is updated inside the registering transaction, so that two servers
// on one PostgreSQL wait for each other and never take the same number.
func nextNumber(ctx context.Context, tx *db.Tx, year int) (string, error) {
	var last int64
	err := tx.QueryRow(ctx, `INSERT INTO hazard_counters (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = hazard_counters.last + 1 RETURNING last`, year).Scan(&last)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("YH-%04d-%06d", year, last), nil
}

// addTally adds to the counts of org on day, and in its month (negative to take away).
func addTally(ctx context.Context, tx *db.Tx, orgID int64, day string, found, foundClosed, closed, onTime int) error {
	_, err := tx.Exec(ctx, `INSERT INTO hazard_tally (org_id, day, found, found_closed, closed, closed_on_time) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (day, org_id) DO UPDATE SET found = hazard_tally.found + excluded.found, found_closed = hazard_tally.found_closed + excluded.found_closed,
			closed = hazard_tally.closed + excluded.closed, closed_on_time = hazard_tally.closed_on_time + excluded.closed_on_time`,
		orgID, day, found, foundClosed, closed, onTime)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO hazard_tally_month (org_id, month, found, found_closed, closed, closed_on_time) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (month, org_id) DO UPDATE SET found = hazard_tally_month.found + excluded.found, found_closed = hazard_tally_month.found_closed + excluded.found_closed,
			closed = hazard_tally_month.closed + excluded.closed, closed_on_time = hazard_tally_month.closed_on_time + excluded.closed_on_time`,
		orgID, day[:7], found, foundClosed, closed, onTime)
	return err
}

// linkAttachments links uploads to an object when there are any.
func linkAttachments(ctx context.Context, s *Service, tx *db.Tx, a *auth.Actor, ids []int64, ownerType string, ownerID, orgID int64) error {
	if len(ids) == 0 {
		return nil
	}
	if s.Attachments == nil {
		return apperr.Field(apperr.EINVALID, "attachment_ids", "附件服务未启用 / attachments are not available")
	}
	return s.Attachments.Link(ctx, tx, a, ids, ownerType, ownerID, orgID)
}
