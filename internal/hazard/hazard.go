// Package hazard is hazard governance (隐患排查治理): registering a hazard
// found by an inspection, a self-report, a public tip, a daily-report item
// or a campaign; rectifying it to closure (整改销号) along one lifecycle
// table (lifecycle.go); reminders, overdue and escalation through the one
// clock engine (clock.go); the ledger (台账) with its filters, search,
// Excel export and import (ledger.go, excel.go); and statistics per org
// subtree and period (stats.go).
//
// A hazard's object path is its enterprise's path (auth.EnterpriseScope)
// when it is about an enterprise, else its territory org's path: reads and
// the responsible side's actions are authorized there. Acceptance (验收销号),
// sending back, extensions and cancellation are authorized on the path of
// the supervising org, a field of the hazard; listed supervision (挂牌督办) on
// the path of the superior org that lists it. Nothing is ever deleted:
// every step is a row of hazard_steps, and triggers refuse deletes.
package hazard

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
)

// Grades (隐患等级).
const (
	General = "general" // 一般隐患
	Major   = "major"   // 重大隐患: meets a clause of a 判定标准
)

// Sources (隐患来源).
const (
	SourceInspection = "inspection"        // 检查发现
	SourceSelfReport = "self_report"       // 企业自查自报
	SourceTip        = "tip"               // 群众举报
	SourceDailyItem  = "daily_report_item" // 每日报告事项
	SourceCampaign   = "campaign"          // 排查整治行动
	SourceImport     = "import"            // 台账导入
	SourceOther      = "other"
)

// Sources lists the sources a registration may name.
var Sources = []string{SourceInspection, SourceSelfReport, SourceTip, SourceDailyItem, SourceCampaign, SourceOther}

// Rectification modes (整改方式).
const (
	ModeImmediate = "immediate" // 即查即改
	ModeDeadline  = "deadline"  // 限期整改
)

// Chinese names for exports and messages.
var (
	GradeZH  = map[string]string{General: "一般隐患", Major: "重大隐患"}
	SourceZH = map[string]string{SourceInspection: "检查发现", SourceSelfReport: "企业自查", SourceTip: "群众举报",
		SourceDailyItem: "每日报告", SourceCampaign: "专项行动", SourceImport: "台账导入", SourceOther: "其他"}
	ModeZH = map[string]string{ModeImmediate: "即查即改", ModeDeadline: "限期整改"}
)

// Limits on text fields, in characters.
const (
	maxDescription = 1000
	maxText        = 200
	maxLong        = 2000
	maxComment     = 1000
)

// Attachment owner types: photos before rectification belong to the hazard,
// evidence to the step that submitted it.
const (
	OwnerHazard = "hazard"
	OwnerStep   = "hazard_step"
)

// Note is one notification; Notifier delivers it inside the caller's
// transaction (the notify platform, adapted in app).
type Note struct {
	UserIDs, OrgIDs []int64
	Title, Body     string
	Link            string
	DedupeKey       string
}

// Notifier sends notes to people (inbox and their channels) and to orgs'
// channels.
type Notifier interface {
	Notify(ctx context.Context, tx *db.Tx, notes ...Note) error
}

// Service registers hazards, runs them through the lifecycle and reads the ledger.
type Service struct {
	DB          *db.DB
	Auth        *auth.Service
	Clock       clock.Clock
	Attachments *attachment.Service
	Notifier    Notifier // nil: nothing is sent
	Log         *slog.Logger
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// MajorReport is what a major hazard carries: the report items and the
// treatment plan's six items (治理方案).
type MajorReport struct {
	StateCause   string `json:"state_cause"`   // 现状及其产生原因
	Harm         string `json:"harm"`          // 危害程度和整改难易程度
	PlanGoal     string `json:"plan_goal"`     // 目标任务
	PlanMethod   string `json:"plan_method"`   // 方法措施
	PlanFunds    string `json:"plan_funds"`    // 经费物资
	PlanStaff    string `json:"plan_staff"`    // 机构人员
	PlanSchedule string `json:"plan_schedule"` // 时限要求
	PlanSafety   string `json:"plan_safety"`   // 安全措施和应急预案
}

// Empty reports whether nothing is filled in.
func (m MajorReport) Empty() bool { return m == MajorReport{} }

// PlanComplete reports whether the six plan items are all filled in.
func (m MajorReport) PlanComplete() bool {
	return m.PlanGoal != "" && m.PlanMethod != "" && m.PlanFunds != "" && m.PlanStaff != "" && m.PlanSchedule != "" && m.PlanSafety != ""
}

// Standard is one clause of a grading reference (判定标准).
type Standard struct {
	ID       int64  `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Version  string `json:"version"`
	Clause   string `json:"clause"`
	Text     string `json:"text"`
	Category string `json:"category,omitempty"`
	Active   bool   `json:"active"`
}

// Label is the standard and clause as one line.
func (s Standard) Label() string { return s.Name + "（" + s.Version + "）" + s.Clause }

// Extension is a pending extension request.
type Extension struct {
	Deadline    string `json:"deadline"`
	Reason      string `json:"reason"`
	RequestedBy int64  `json:"requested_by"`
}

// Listing is listed supervision (挂牌督办) by a superior org.
type Listing struct {
	OrgID    int64     `json:"org_id"`
	OrgName  string    `json:"org_name"`
	Deadline string    `json:"deadline"`
	At       time.Time `json:"at"`
	By       int64     `json:"by"`
	Overdue  bool      `json:"overdue"`
}

// Hazard is one hazard as the pages and the API show it.
type Hazard struct {
	ID                int64        `json:"id"`
	Number            string       `json:"number"`
	Source            string       `json:"source"`
	SourceRef         string       `json:"source_ref"`
	CampaignID        *int64       `json:"campaign_id"`
	EnterpriseID      *int64       `json:"enterprise_id"`
	EnterpriseName    string       `json:"enterprise_name"`
	TerritoryOrgID    int64        `json:"territory_org_id"`
	TerritoryName     string       `json:"territory_name"`
	SupervisingOrgID  int64        `json:"supervising_org_id"`
	SupervisingName   string       `json:"supervising_name"`
	Industry          string       `json:"industry"`
	RiskLevel         string       `json:"risk_level"`
	Location          string       `json:"location"`
	Description       string       `json:"description"`
	Category          string       `json:"category"`
	CategoryName      string       `json:"category_name"`
	Grade             string       `json:"grade"`
	Standard          *Standard    `json:"standard"`
	FoundAt           time.Time    `json:"found_at"`
	FoundByUserID     *int64       `json:"found_by_user_id"`
	FinderName        string       `json:"finder_name"`
	ResponsibleOrgID  *int64       `json:"responsible_org_id"`
	ResponsibleUnit   string       `json:"responsible_unit"`
	ResponsiblePerson string       `json:"responsible_person"`
	ResponsibleUserID *int64       `json:"responsible_user_id"`
	RectifyMode       string       `json:"rectify_mode"`
	Measures          string       `json:"measures"`
	FundsYuan         float64      `json:"funds_yuan"`
	Deadline          string       `json:"deadline"`
	Status            string       `json:"status"`
	Overdue           bool         `json:"overdue"`
	DaysOverdue       int          `json:"days_overdue"`
	Extension         *Extension   `json:"extension"`
	Major             *MajorReport `json:"major"`
	Listed            *Listing     `json:"listed"`
	RectifiedAt       *time.Time   `json:"rectified_at"`
	RectifiedBy       *int64       `json:"rectified_by"`
	ClosedAt          *time.Time   `json:"closed_at"`
	ClosedBy          *int64       `json:"closed_by"`
	ClosedByName      string       `json:"closed_by_name"`
	CreatedAt         time.Time    `json:"created_at"`
	UpdatedAt         time.Time    `json:"updated_at"`
	// For the actor who asked: the actions they may take now.
	Allowed []string `json:"allowed_actions"`

	Path            string `json:"-"`
	SupervisingPath string `json:"-"`
	TerritoryPath   string `json:"-"`
	fundsCents      int64
}

// Open reports whether the hazard is still to be closed.
func (h *Hazard) Open() bool {
	return h.Status == Registered || h.Status == Rectifying || h.Status == AwaitingAcceptance
}

// ToRectify reports whether the responsible side still owes the fix.
func (h *Hazard) ToRectify() bool { return h.Status == Registered || h.Status == Rectifying }

// ExtensionPending reports whether an extension request waits for an answer.
func (h *Hazard) ExtensionPending() bool { return h.Extension != nil }

// DeadlineDate is the deadline as a date.
func (h *Hazard) DeadlineDate() calendar.Date {
	d, _ := calendar.ParseDate(h.Deadline)
	return d
}

// hazardCols are the columns scanHazard reads, with the joins of hazardFrom.
const hazardCols = `h.id, h.number, h.source, h.source_ref, h.campaign_id, h.enterprise_id, h.enterprise_name,
	h.territory_org_id, t.name, t.path, h.path, h.supervising_org_id, so.name, so.path, h.industry, h.risk_level,
	h.location, h.description, h.category, COALESCE(c.name, h.category), h.grade, h.standard_id,
	h.found_at, h.found_by_user_id, h.finder_name, h.responsible_org_id, h.responsible_unit, h.responsible_person,
	h.responsible_user_id, h.rectify_mode, h.measures, h.funds_cents, h.deadline, h.status,
	h.ext_deadline, h.ext_reason, h.ext_requested_by,
	h.major_state_cause, h.major_harm, h.plan_goal, h.plan_method, h.plan_funds, h.plan_staff, h.plan_schedule, h.plan_safety,
	h.listed_org_id, lo.name, h.listed_deadline, h.listed_at, h.listed_by,
	h.rectified_at, h.rectified_by, h.closed_at, h.closed_by, h.closed_by_name, h.created_at, h.updated_at`

const hazardFrom = ` FROM hazards h JOIN orgs t ON t.id = h.territory_org_id JOIN orgs so ON so.id = h.supervising_org_id
	LEFT JOIN orgs lo ON lo.id = h.listed_org_id LEFT JOIN hazard_categories c ON c.code = h.category`

func nullID(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func nullTime(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

func scanHazard(row interface{ Scan(...any) error }) (*Hazard, error) {
	h := &Hazard{}
	var campaign, enterprise, standard, foundBy, respOrg, respUser, extBy, listedOrg, listedBy, rectBy, closedBy sql.NullInt64
	var extDeadline, extReason, listedName, listedDeadline sql.NullString
	var listedAt, rectAt, closedAt sql.NullTime
	var m MajorReport
	err := row.Scan(&h.ID, &h.Number, &h.Source, &h.SourceRef, &campaign, &enterprise, &h.EnterpriseName,
		&h.TerritoryOrgID, &h.TerritoryName, &h.TerritoryPath, &h.Path, &h.SupervisingOrgID, &h.SupervisingName, &h.SupervisingPath, &h.Industry, &h.RiskLevel,
		&h.Location, &h.Description, &h.Category, &h.CategoryName, &h.Grade, &standard,
		&h.FoundAt, &foundBy, &h.FinderName, &respOrg, &h.ResponsibleUnit, &h.ResponsiblePerson,
		&respUser, &h.RectifyMode, &h.Measures, &h.fundsCents, &h.Deadline, &h.Status,
		&extDeadline, &extReason, &extBy,
		&m.StateCause, &m.Harm, &m.PlanGoal, &m.PlanMethod, &m.PlanFunds, &m.PlanStaff, &m.PlanSchedule, &m.PlanSafety,
		&listedOrg, &listedName, &listedDeadline, &listedAt, &listedBy,
		&rectAt, &rectBy, &closedAt, &closedBy, &h.ClosedByName, &h.CreatedAt, &h.UpdatedAt)
	if err != nil {
		return nil, err
	}
	h.CampaignID, h.EnterpriseID, h.FoundByUserID = nullID(campaign), nullID(enterprise), nullID(foundBy)
	h.ResponsibleOrgID, h.ResponsibleUserID = nullID(respOrg), nullID(respUser)
	h.RectifiedBy, h.ClosedBy = nullID(rectBy), nullID(closedBy)
	h.RectifiedAt, h.ClosedAt = nullTime(rectAt), nullTime(closedAt)
	h.FoundAt, h.CreatedAt, h.UpdatedAt = h.FoundAt.UTC(), h.CreatedAt.UTC(), h.UpdatedAt.UTC()
	h.FundsYuan = float64(h.fundsCents) / 100
	if standard.Valid {
		h.Standard = &Standard{ID: standard.Int64}
	}
	if extDeadline.Valid {
		h.Extension = &Extension{Deadline: extDeadline.String, Reason: extReason.String, RequestedBy: extBy.Int64}
	}
	if h.Grade == Major || !m.Empty() {
		h.Major = &m
	}
	if listedOrg.Valid {
		h.Listed = &Listing{OrgID: listedOrg.Int64, OrgName: listedName.String, Deadline: listedDeadline.String, By: listedBy.Int64}
		if listedAt.Valid {
			h.Listed.At = listedAt.Time.UTC()
		}
	}
	return h, nil
}

// computeOverdue sets Overdue and DaysOverdue for today.
func (h *Hazard) computeOverdue(today calendar.Date) {
	h.Overdue, h.DaysOverdue = false, 0
	if d, err := calendar.ParseDate(h.Deadline); err == nil && h.ToRectify() && d.Before(today) {
		h.Overdue = true
		h.DaysOverdue = daysBetween(d, today)
	}
	if h.Listed != nil {
		if d, err := calendar.ParseDate(h.Listed.Deadline); err == nil && h.Open() && d.Before(today) {
			h.Listed.Overdue = true
		}
	}
}

func daysBetween(a, b calendar.Date) int {
	return int(b.Time().Sub(a.Time()).Round(24*time.Hour) / (24 * time.Hour))
}

// load reads one hazard (no permission check); ENOTFOUND when absent.
func (s *Service) load(ctx context.Context, q db.Querier, id int64) (*Hazard, error) {
	h, err := scanHazard(q.QueryRow(ctx, "SELECT "+hazardCols+hazardFrom+" WHERE h.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("hazard")
	}
	if err != nil {
		return nil, err
	}
	if h.Standard != nil {
		if st, err := standardByID(ctx, q, h.Standard.ID); err == nil {
			h.Standard = st
		}
	}
	h.computeOverdue(s.today())
	return h, nil
}

func (s *Service) today() calendar.Date { return calendar.DateOf(s.Clock.Now()) }

// Today is the civil date in Asia/Shanghai.
func (s *Service) Today() calendar.Date { return s.today() }

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// clean trims s, folds runs of white space inside a single-line field, and
// checks its length.
func clean(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", apperr.Field(apperr.EINVALID, field, "请填写%s / %s is required", fieldZH(field), field)
	}
	if n := len([]rune(s)); n > max {
		return "", apperr.Field(apperr.EINVALID, field, "%s不能超过 %d 字 / %s may have at most %d characters", fieldZH(field), max, field, max)
	}
	return s, nil
}

var fieldNames = map[string]string{
	"description": "隐患描述", "location": "位置", "category": "隐患类别", "grade": "隐患等级", "deadline": "整改期限",
	"found_at": "发现时间", "finder_name": "发现人", "responsible_unit": "整改单位", "responsible_person": "整改责任人",
	"measures": "整改措施", "comment": "说明", "reason": "原因", "new_deadline": "新的期限", "standard_id": "判定标准条款",
	"source": "来源", "source_ref": "来源编号", "org_id": "属地", "supervising_org_id": "督办（验收）单位",
	"enterprise_id": "企业", "funds_yuan": "整改资金", "attachment_ids": "整改前照片", "evidence_ids": "整改后照片",
	"major.state_cause": "现状及其产生原因", "major.harm": "危害程度和整改难易程度", "listed_org_id": "督办单位",
}

func fieldZH(field string) string {
	if n, ok := fieldNames[field]; ok {
		return n
	}
	return field
}
