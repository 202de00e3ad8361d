// Package dispute is the dispute ledger (矛盾纠纷排查化解台账): disputes that
// villages and townships find before they become petitions — unpaid wages,
// land, expropriation, neighbours, family, property management … — with
// the people involved, the amount at stake, a risk level whose colour and
// lead (包案领导) are configurable, the responsible org and person, the
// mediation sessions (调解) and their outcomes, and a deadline that the one
// clock engine reminds of and marks overdue. A dispute moves along one
// lifecycle table (lifecycle.go): registered → resolving → resolved, with
// stable (平稳) in between, or passed on to a petition case (转信访) or to
// court (转诉讼). Nothing is deleted; every step is audited.
//
// The lead party's name and phone are personal data of the public: sealed
// at rest by internal/sealed, masked in every list, page and export, and
// opened only for someone who handles the dispute (dispute.manage in its
// scope), each opening recorded in the audit trail.
//
// A dispute's object path is its territory's (管辖单位); whoever covers its
// responsible org (责任单位, e.g. the district's labour bureau for unpaid
// wages) sees and handles it too.
package dispute

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/sealed"
)

// Contexts the personal data is sealed with, and the blind index kind.
const (
	CtxPartyName  = "disputes.party_name"
	CtxPartyPhone = "disputes.party_phone"
	IndexPhone    = "phone"
)

func init() {
	sealed.Register(
		sealed.Column{Table: "disputes", Column: "party_name_sealed", Context: CtxPartyName},
		sealed.Column{Table: "disputes", Column: "party_phone_sealed", Context: CtxPartyPhone, Index: "party_phone_index", IndexKind: IndexPhone, Normalize: sealed.NormalizePhone},
	)
}

// ManyPeople is the number of people from which a dispute counts as
// involving many (群体性, 5 or more).
const ManyPeople = 5

// Urgencies (紧急程度).
const (
	UrgencyNormal   = "normal"   // 一般
	UrgencyUrgent   = "urgent"   // 紧急
	UrgencyCritical = "critical" // 特急
)

// Urgencies lists them in order.
var Urgencies = []string{UrgencyNormal, UrgencyUrgent, UrgencyCritical}

// Mediation methods (化解方式) and session outcomes.
const (
	MethodNegotiation    = "negotiation"      // 协商
	MethodPeople         = "people_mediation" // 人民调解
	MethodAdministrative = "administrative"   // 行政调解
	MethodJudicial       = "judicial"         // 司法调解
	MethodJoint          = "joint"            // 联合调解
	MethodArbitration    = "arbitration"      // 仲裁
	MethodOther          = "other"            // 其他

	OutcomeAgreed     = "agreed"     // 达成协议
	OutcomePartial    = "partial"    // 部分达成
	OutcomeFailed     = "failed"     // 未达成
	OutcomeContinuing = "continuing" // 继续调解
)

// Methods and Outcomes list them in page order.
var (
	Methods  = []string{MethodNegotiation, MethodPeople, MethodAdministrative, MethodJudicial, MethodJoint, MethodArbitration, MethodOther}
	Outcomes = []string{OutcomeAgreed, OutcomePartial, OutcomeContinuing, OutcomeFailed}
)

// Chinese names for exports, imports and messages.
var (
	UrgencyZH = map[string]string{UrgencyNormal: "一般", UrgencyUrgent: "紧急", UrgencyCritical: "特急"}
	MethodZH  = map[string]string{MethodNegotiation: "协商", MethodPeople: "人民调解", MethodAdministrative: "行政调解", MethodJudicial: "司法调解",
		MethodJoint: "联合调解", MethodArbitration: "仲裁", MethodOther: "其他"}
	OutcomeZH = map[string]string{OutcomeAgreed: "达成协议", OutcomePartial: "部分达成", OutcomeFailed: "未达成", OutcomeContinuing: "继续调解"}
)

// Limits on text fields, in characters.
const (
	maxSummary = 1000
	maxText    = 100
	maxComment = 1000
)

// Note is one notification; Notifier delivers it inside the caller's
// transaction (the notify platform, adapted in app).
type Note struct {
	UserIDs, OrgIDs []int64
	Title, Body     string
	Link            string
	DedupeKey       string
}

// Notifier sends notes to people and to orgs' channels.
type Notifier interface {
	Notify(ctx context.Context, tx *db.Tx, notes ...Note) error
}

// Service registers disputes, runs them through the lifecycle and reads the ledger.
type Service struct {
	DB       *db.DB
	Auth     *auth.Service
	Clock    clock.Clock
	Cipher   *sealed.Keyring
	Notifier Notifier // nil: nothing is sent
	Log      *slog.Logger
	// PetitionOf finds the petition case numbered number that a may open
	// (nil when there is none or petitions are not wired): a dispute
	// passed on to petitions (转信访) links to its case.
	PetitionOf func(ctx context.Context, a *auth.Actor, number string) *CaseLink
	// MayRegisterPetition reports whether a registers petition cases, so
	// that a dispute to pass on offers registering its case (nil: never).
	MayRegisterPetition func(ctx context.Context, a *auth.Actor) bool
}

// CaseLink is a record of another capability that the caller may open.
type CaseLink struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
	Href   string `json:"href"`
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Lead is the 包案领导: the leader who answers for the dispute.
type Lead struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	UserID *int64 `json:"user_id"`
}

// Dispute is one dispute as lists, pages and the API show it: the party's
// name and phone masked.
type Dispute struct {
	ID                int64      `json:"id"`
	Number            string     `json:"number"`
	OccurredAt        time.Time  `json:"occurred_at"`
	Place             string     `json:"place"`
	Type              string     `json:"type"`
	TypeName          string     `json:"type_name"`
	TypeNameEN        string     `json:"type_name_en"`
	Summary           string     `json:"summary"`
	Parties           string     `json:"parties"`
	PartyCount        int        `json:"party_count"`
	ManyPeople        bool       `json:"many_people"`
	PartyName         string     `json:"party_name"`  // masked: 张*
	PartyPhone        string     `json:"party_phone"` // masked: 138****5678
	AmountYuan        float64    `json:"amount_yuan"`
	RiskLevel         string     `json:"risk_level"`
	RiskName          string     `json:"risk_name"`
	RiskNameEN        string     `json:"risk_name_en"`
	RiskColor         string     `json:"risk_color"`
	Urgency           string     `json:"urgency"`
	TerritoryOrgID    int64      `json:"territory_org_id"`
	TerritoryName     string     `json:"territory_name"`
	ResponsibleOrgID  *int64     `json:"responsible_org_id"`
	ResponsibleUnit   string     `json:"responsible_unit"`
	ResponsiblePerson string     `json:"responsible_person"`
	ResponsibleUserID *int64     `json:"responsible_user_id"`
	Resolver          string     `json:"resolver"`
	Lead              Lead       `json:"lead"`
	SupervisingOrgID  *int64     `json:"supervising_org_id"`
	SupervisingName   string     `json:"supervising_name"`
	Deadline          string     `json:"deadline"`
	Status            string     `json:"status"`
	Overdue           bool       `json:"overdue"`
	DaysOverdue       int        `json:"days_overdue"`
	Outcome           string     `json:"outcome"`
	TransferReason    string     `json:"transfer_reason"`
	TransferRef       string     `json:"transfer_ref"`
	ClosedAt          *time.Time `json:"closed_at"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`

	Path        string `json:"-"`
	RespPath    string `json:"-"`
	amountCents int64
	nameSealed  string
	phoneSealed string
}

// IsOpen reports whether the dispute is still to be resolved.
func (d *Dispute) IsOpen() bool { return Open(d.Status) }

// HasParty reports whether a lead party's name or phone is on record.
func (d *Dispute) HasParty() bool { return d.nameSealed != "" || d.phoneSealed != "" }

// DeadlineDate is the deadline as a date.
func (d *Dispute) DeadlineDate() calendar.Date {
	x, _ := calendar.ParseDate(d.Deadline)
	return x
}

const disputeCols = `d.id, d.number, d.occurred_at, d.place, d.type_code, COALESCE(ty.name, d.type_code), COALESCE(ty.name_en, ''), d.summary, d.parties,
	d.party_count, d.many_people, d.party_name_sealed, d.party_phone_sealed, d.amount_cents, d.risk_level, COALESCE(rl.name, d.risk_level),
	COALESCE(rl.name_en, ''), COALESCE(rl.color, '#888888'), d.urgency, d.territory_org_id, t.name, d.path, d.responsible_org_id, d.resp_path, d.responsible_unit,
	d.responsible_person, d.responsible_user_id, d.resolver, d.lead_name, d.lead_title, d.lead_user_id, d.supervising_org_id,
	COALESCE(so.name, ''), d.deadline, d.status, d.outcome, d.transfer_reason, d.transfer_ref, d.closed_at, d.created_at, d.updated_at`

const disputeFrom = ` FROM disputes d JOIN orgs t ON t.id = d.territory_org_id LEFT JOIN orgs so ON so.id = d.supervising_org_id
	LEFT JOIN dispute_types ty ON ty.code = d.type_code LEFT JOIN dispute_risk_levels rl ON rl.code = d.risk_level`

func nullID(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// scan reads a row of disputeCols, masks the party and computes overdue.
func (s *Service) scan(row interface{ Scan(...any) error }, today calendar.Date) (*Dispute, error) {
	d := &Dispute{}
	var respOrg, respUser, leadUser, supOrg sql.NullInt64
	var closed sql.NullTime
	err := row.Scan(&d.ID, &d.Number, &d.OccurredAt, &d.Place, &d.Type, &d.TypeName, &d.TypeNameEN, &d.Summary, &d.Parties,
		&d.PartyCount, &d.ManyPeople, &d.nameSealed, &d.phoneSealed, &d.amountCents, &d.RiskLevel, &d.RiskName,
		&d.RiskNameEN, &d.RiskColor, &d.Urgency, &d.TerritoryOrgID, &d.TerritoryName, &d.Path, &respOrg, &d.RespPath, &d.ResponsibleUnit,
		&d.ResponsiblePerson, &respUser, &d.Resolver, &d.Lead.Name, &d.Lead.Title, &leadUser, &supOrg,
		&d.SupervisingName, &d.Deadline, &d.Status, &d.Outcome, &d.TransferReason, &d.TransferRef, &closed, &d.CreatedAt, &d.UpdatedAt)
	if err != nil {
		return nil, err
	}
	d.ResponsibleOrgID, d.ResponsibleUserID, d.Lead.UserID, d.SupervisingOrgID = nullID(respOrg), nullID(respUser), nullID(leadUser), nullID(supOrg)
	if closed.Valid {
		t := closed.Time.UTC()
		d.ClosedAt = &t
	}
	d.OccurredAt, d.CreatedAt, d.UpdatedAt = d.OccurredAt.UTC(), d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	d.AmountYuan = float64(d.amountCents) / 100
	d.PartyName, d.PartyPhone = s.masked(d)
	d.computeOverdue(today)
	return d, nil
}

// masked opens the party's data only to mask it; a value that does not
// open (its key is missing) shows as such rather than failing the list.
func (s *Service) masked(d *Dispute) (name, phone string) {
	if d.nameSealed == "" && d.phoneSealed == "" {
		return "", ""
	}
	if s.Cipher == nil {
		return "****", "****"
	}
	n, err1 := s.Cipher.OpenString(d.nameSealed, CtxPartyName)
	p, err2 := s.Cipher.OpenString(d.phoneSealed, CtxPartyPhone)
	if err := errors.Join(err1, err2); err != nil {
		s.log().Warn("dispute: party data does not open", "dispute", d.ID, "err", err)
		return "（无法解密）", "（无法解密）"
	}
	return sealed.MaskName(n), sealed.MaskPhone(p)
}

func (d *Dispute) computeOverdue(today calendar.Date) {
	d.Overdue, d.DaysOverdue = false, 0
	if x, err := calendar.ParseDate(d.Deadline); err == nil && d.IsOpen() && x.Before(today) {
		d.Overdue, d.DaysOverdue = true, x.DaysUntil(today)
	}
}

func (s *Service) today() calendar.Date { return calendar.DateOf(s.Clock.Now()) }

// load reads one dispute without a permission check; ENOTFOUND when absent.
func (s *Service) load(ctx context.Context, q db.Querier, id int64) (*Dispute, error) {
	d, err := s.scan(q.QueryRow(ctx, "SELECT "+disputeCols+disputeFrom+" WHERE d.id = ?", id), s.today())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("dispute")
	}
	return d, err
}

// allows reports whether a may take action on d: on its territory's path,
// or on its responsible org's.
func allows(a *auth.Actor, action auth.Action, d *Dispute) bool {
	if a == nil {
		return false
	}
	return a.Operator || a.Can(action, d.Path) || (d.RespPath != "" && a.Can(action, d.RespPath))
}

// authorize decides action on d for a: nil when allowed; ENOTFOUND when
// the dispute is not even visible (as if it did not exist); EFORBIDDEN
// when visible. A refusal is recorded in the trail.
func (s *Service) authorize(ctx context.Context, a *auth.Actor, action auth.Action, d *Dispute) error {
	if a == nil {
		return apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if allows(a, action, d) {
		return nil
	}
	var err error = apperr.NotFound("dispute")
	if action != auth.DisputeView && allows(a, auth.DisputeView, d) {
		err = apperr.New(apperr.EFORBIDDEN, "无权对此纠纷执行此操作 / you may not do this to this dispute")
	}
	audit.AppendAlone(ctx, s.DB, audit.Entry{At: s.Clock.Now(), UserID: a.UserID, UserLogin: a.Login, OrgID: d.TerritoryOrgID,
		Action: string(action), ObjectType: "dispute", ObjectID: itoa(d.ID), Result: audit.Denied, ClientAddr: a.ClientAddr, Detail: apperr.Code(err)})
	return err
}

// CanView is nil when a may see dispute id.
func (s *Service) CanView(ctx context.Context, a *auth.Actor, id int64) error {
	d, err := s.load(ctx, s.DB, id)
	if err != nil {
		return err
	}
	return s.authorize(ctx, a, auth.DisputeView, d)
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// clean trims a single-line field and checks its length.
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
	"summary": "纠纷简要情况", "place": "地点", "type": "纠纷类型", "parties": "涉及人员", "party_count": "涉及人数",
	"party_name": "当事人姓名", "party_phone": "当事人电话", "amount_yuan": "涉及金额", "risk_level": "风险等级", "urgency": "紧急程度",
	"org_id": "管辖单位", "responsible_org_id": "责任单位", "responsible_unit": "责任单位", "responsible_person": "负责人",
	"resolver": "化解责任人", "lead_name": "包案领导", "lead_title": "包案领导职务", "supervising_org_id": "督办部门",
	"deadline": "化解期限", "occurred_at": "发生时间", "comment": "说明", "reason": "原因", "new_deadline": "新的期限",
	"transfer_ref": "转办编号", "session.method": "化解方式", "session.outcome": "调解结果", "session.mediator": "调解人",
	"session.note": "调解情况", "session.held_at": "调解时间",
}

func fieldZH(field string) string {
	if n, ok := fieldNames[field]; ok {
		return n
	}
	return field
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
