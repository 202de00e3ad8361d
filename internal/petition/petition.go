// Package petition is the petition case register (信访事项) of the 信访工作
// 条例 (2022): the petition bureau (信访局) registers each petition from
// every channel, numbered by area code, year and serial, with its
// petitioners, what they ask and why, its category (建议意见类, 检举控告类,
// 申诉求决类), subject and place; it transfers (转送) or assigns (交办) it to
// the org that answers for it within 15 days; that org accepts it or
// declines it in writing within 15 days, or objects to a wrong routing
// within 5 working days; it answers within 60 days of acceptance (one
// extension of at most 30, approved by its head); a claim's answer (处理
// 意见书) can be reviewed (复查) and reviewed again (复核), each asked for
// within 30 days and answered within 30, after which the same claim is not
// accepted again. Accusations go to the discipline organ's queue.
//
// The case moves along one lifecycle table (lifecycle.go). Every time limit
// is an obligation in the clock engine (clock.go): the case is marked at
// 75 % and 90 % of the period and when it runs late, and the people who
// answer for it hear of it in one digest a day (基层减负); lateness reaches
// the org's head and the bureau.
//
// Personal data is sealed at rest (internal/sealed), masked in every list
// and page, and opened only for the people who handle the case, each
// opening in the audit trail. An accusation is never visible to members of
// the accused org or to the accused person; a handler who steps aside
// (回避) loses access. Nothing here tracks where a petitioner is or goes; a
// case transferred from a higher level is handled like any other.
package petition

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
	"github.com/anwen-gov/anwen/internal/sealed"
)

// Contexts the personal data is sealed with, and the blind index kinds
// (shared with the other capabilities that index phones, so that a
// dispute's party and a petitioner with the same phone can be matched).
const (
	CtxName      = "petition_people.name"
	CtxIDNumber  = "petition_people.id_number"
	CtxPhone     = "petition_people.phone"
	CtxAddress   = "petition_people.address"
	CtxRequest   = "petitions.request"
	CtxFacts     = "petitions.facts"
	CtxAccused   = "petitions.accused"
	IndexPhone   = "phone"
	IndexIDNum   = "id_number"
	OwnerType    = "petition" // attachments of a case
	maxText      = 4000
	maxShort     = 100
	maxComment   = 2000
	MaxNamed     = 5 // named petitioners (a collective visit's representatives)
	CollectiveAt = 5 // people from whom a visit is collective (集体访)
)

func init() {
	sealed.Register(
		sealed.Column{Table: "petition_people", Column: "name_sealed", Context: CtxName},
		sealed.Column{Table: "petition_people", Column: "id_sealed", Context: CtxIDNumber, Index: "id_index", IndexKind: IndexIDNum, Normalize: sealed.NormalizeIDNumber},
		sealed.Column{Table: "petition_people", Column: "phone_sealed", Context: CtxPhone, Index: "phone_index", IndexKind: IndexPhone, Normalize: sealed.NormalizePhone},
		sealed.Column{Table: "petition_people", Column: "address_sealed", Context: CtxAddress},
		sealed.Column{Table: "petitions", Column: "request_sealed", Context: CtxRequest},
		sealed.Column{Table: "petitions", Column: "facts_sealed", Context: CtxFacts},
		sealed.Column{Table: "petitions", Column: "accused_sealed", Context: CtxAccused},
	)
}

// Channels (信访形式).
const (
	ChannelOnline      = "online"      // 网上信访
	ChannelLetter      = "letter"      // 来信
	ChannelPhone       = "phone"       // 来电
	ChannelFax         = "fax"         // 传真
	ChannelVisit       = "visit"       // 来访
	ChannelHotline     = "hotline"     // 12345 热线
	ChannelTransferred = "transferred" // 上级转送
	ChannelAssigned    = "assigned"    // 上级交办
)

// Channels lists them in page order.
var Channels = []string{ChannelVisit, ChannelLetter, ChannelOnline, ChannelPhone, ChannelHotline, ChannelFax, ChannelTransferred, ChannelAssigned}

// RouteDirect is the route kind of a case registered by the org that
// received it (a township, street, zone or department), not by the bureau.
// It is stored as a handling org with no route kind (the column's check
// predates it), and read back as RouteDirect.
const RouteDirect = "direct"

// ChannelZH names them.
var ChannelZH = map[string]string{ChannelOnline: "网上信访", ChannelLetter: "来信", ChannelPhone: "来电", ChannelFax: "传真", ChannelVisit: "来访",
	ChannelHotline: "12345热线", ChannelTransferred: "上级转送", ChannelAssigned: "上级交办"}

// Subject is a subject area (信访事项涉及领域).
type Subject struct {
	Code string `json:"code"`
	Name string `json:"name"`
	EN   string `json:"name_en"`
}

// Subjects are the subject areas, in page order.
var Subjects = []Subject{
	{"urban", "城乡建设", "Urban and rural construction"}, {"land", "国土资源", "Land and resources"},
	{"labour", "劳动社保", "Labour and social insurance"}, {"rural", "农村农业", "Rural affairs"},
	{"environment", "生态环境", "Environment"}, {"health", "卫生健康", "Health"}, {"education", "教育", "Education"},
	{"transport", "交通运输", "Transport"}, {"civil", "民政", "Civil affairs"}, {"market", "市场监管", "Market regulation"},
	{"safety", "安全生产", "Work safety"}, {"law", "政法", "Law and justice"}, {"discipline", "纪检监察", "Discipline"},
	{"enterprise", "企业改制", "Enterprise restructuring"}, {"other", "其他", "Other"},
}

// SubjectName is the Chinese name of a subject code.
func SubjectName(code string) string {
	for _, s := range Subjects {
		if s.Code == code {
			return s.Name
		}
	}
	return code
}

// Decisions of a written answer.
const (
	DecSupport    = "support"     // 支持
	DecExplain    = "explain"     // 解释说明
	DecNotSupport = "not_support" // 不予支持
	DecAdopt      = "adopt"       // 采纳
	DecPartly     = "partly"      // 部分采纳
	DecNotAdopt   = "not_adopt"   // 未采纳（说明理由）
	DecFeedback   = "feedback"    // 检举控告：反馈办理结果
	DecUphold     = "uphold"      // 复查/复核：维持
	DecChange     = "change"      // 变更
	DecRevoke     = "revoke"      // 撤销，重新办理
)

// DecisionZH names them.
var DecisionZH = map[string]string{DecSupport: "予以支持", DecExplain: "解释说明", DecNotSupport: "不予支持", DecAdopt: "采纳", DecPartly: "部分采纳",
	DecNotAdopt: "未采纳", DecFeedback: "反馈办理结果", DecUphold: "维持原处理意见", DecChange: "变更原处理意见", DecRevoke: "撤销原处理意见"}

// Decisions lists what an answer may decide, by category and round.
func Decisions(category string, round int) []string {
	switch {
	case round > 0:
		return []string{DecUphold, DecChange, DecRevoke}
	case category == Claim:
		return []string{DecSupport, DecExplain, DecNotSupport}
	case category == Suggestion:
		return []string{DecAdopt, DecPartly, DecNotAdopt}
	}
	return []string{DecFeedback}
}

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

// WorkCalendar gives the work calendar (for the objection period, counted in working days).
type WorkCalendar interface {
	Calendar(ctx context.Context) (*calendar.Calendar, error)
}

// Service registers petition cases, runs them through the lifecycle and reads the ledger.
type Service struct {
	DB          *db.DB
	Auth        *auth.Service
	Clock       clock.Clock
	Cipher      *sealed.Keyring
	Calendar    WorkCalendar        // nil: Monday to Friday
	Attachments *attachment.Service // nil: no attachments
	Notifier    Notifier            // nil: nothing is sent
	Log         *slog.Logger
	// DisputesOf lists the disputes passed on to the case numbered number
	// (转信访) that a may open (nil: disputes are not wired).
	DisputesOf func(ctx context.Context, a *auth.Actor, number string) []Link
	// FromDispute pre-fills a registration from dispute id that a passes on
	// to petitions (转信访), and PassDispute marks the dispute passed on to
	// the case numbered number once it is registered (nil: not wired).
	FromDispute func(ctx context.Context, a *auth.Actor, id int64) (*DisputeDraft, error)
	PassDispute func(ctx context.Context, a *auth.Actor, id int64, number string) error
}

// DisputeDraft is what a dispute gives the registration of its petition
// case: the matter, not the people (their data stays sealed in the dispute;
// the registrar takes the petitioner's).
type DisputeDraft struct {
	ID         int64
	Number     string
	Summary    string
	Place      string
	PlaceOrgID int64
	Subject    string
	HeadCount  int
}

// Link is a record of another capability that the caller may open.
type Link struct {
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

func (s *Service) calendar(ctx context.Context) *calendar.Calendar {
	if s.Calendar != nil {
		if c, err := s.Calendar.Calendar(ctx); err == nil && c != nil {
			return c
		}
	}
	return calendar.New(nil)
}

func (s *Service) today() calendar.Date { return calendar.DateOf(s.Clock.Now()) }

// Person is a petitioner as lists, pages and the API show them: masked.
type Person struct {
	Seq            int    `json:"seq"`
	Representative bool   `json:"representative"`
	Name           string `json:"name"`
	IDNumber       string `json:"id_number"`
	Phone          string `json:"phone"`
	Address        string `json:"address"`
}

// Clock is the legal clock running on a case.
type Clock struct {
	Period   string     `json:"period"` // route, accept, handle, review, rereview ("" none)
	Start    *time.Time `json:"start"`
	WarnAt   *time.Time `json:"warn_at"` // 75 % of the period
	DueAt    *time.Time `json:"due_at"`  // the first moment past the last day
	LastDay  string     `json:"last_day"`
	DaysLeft int        `json:"days_left"` // to the last day, negative when overdue
	Overdue  bool       `json:"overdue"`
	// DaysOverdue: whole days past the last day (when overdue).
	DaysOverdue int  `json:"days_overdue"`
	DueSoon     bool `json:"due_soon"` // past 75 %
	Percent     int  `json:"percent"`  // of the period elapsed, 0–100
	Level       int  `json:"level"`    // what the clock engine has marked: 0, 75, 90, 100
}

// Window is a period in which the petitioner or the org may still act: the
// objection period, the review request periods.
type Window struct {
	Kind     string `json:"kind"` // object, review, rereview
	LastDay  string `json:"last_day"`
	DaysLeft int    `json:"days_left"`
}

// Petition is a case as the API and pages show it, personal data masked.
type Petition struct {
	ID              int64      `json:"id"`
	Number          string     `json:"number"`
	Channel         string     `json:"channel"`
	SourceOrg       string     `json:"source_org"`
	SourceRef       string     `json:"source_ref"`
	ReceivedAt      time.Time  `json:"received_at"`
	RegisteredAt    time.Time  `json:"registered_at"`
	Category        string     `json:"category"`
	Subject         string     `json:"subject"`
	SubjectName     string     `json:"subject_name"`
	Place           string     `json:"place"`
	PlaceOrgID      *int64     `json:"place_org_id"`
	PlaceOrgName    string     `json:"place_org_name"`
	Request         string     `json:"request"` // an accusation's: "" unless revealed (content_sealed)
	Facts           string     `json:"facts"`
	Accused         string     `json:"accused"` // who is accused, as written (revealed only)
	ContentSealed   bool       `json:"content_sealed"`
	Petitioners     []Person   `json:"petitioners"`
	PetitionerCount int        `json:"petitioner_count"`
	HeadCount       int        `json:"head_count"`
	Collective      bool       `json:"collective"`
	AccusedOrgID    *int64     `json:"accused_org_id"`
	AccusedOrgName  string     `json:"accused_org_name"`
	AccusedUserID   *int64     `json:"accused_user_id"`
	BureauOrgID     int64      `json:"bureau_org_id"`
	HandlingOrgID   *int64     `json:"handling_org_id"`
	HandlingName    string     `json:"handling_org_name"`
	HandlerUserID   *int64     `json:"handler_user_id"`
	RouteKind       string     `json:"route_kind"` // transfer, assign, discipline, or RouteDirect
	ReviewOrgID     *int64     `json:"review_org_id"`
	ReviewName      string     `json:"review_org_name"`
	Status          string     `json:"status"`
	Round           int        `json:"round"`
	Clock           Clock      `json:"clock"`
	Window          *Window    `json:"window"`
	RoutedAt        *time.Time `json:"routed_at"`
	AcceptedAt      *time.Time `json:"accepted_at"`
	ExtensionDays   int        `json:"extension_days"`
	ServedDay       string     `json:"served_day"`
	KeyCase         bool       `json:"key_case"`
	SupervisedCount int        `json:"supervised_count"`
	RepeatOf        *int64     `json:"repeat_of"`
	SameClaim       bool       `json:"same_claim"`
	Rating          string     `json:"rating"`
	ClosedAt        *time.Time `json:"closed_at"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`

	BureauPath   string `json:"-"`
	HandlingPath string `json:"-"`
	ReviewPath   string `json:"-"`
	AccusedPath  string `json:"-"`
	createdBy    *int64
	obSeq        int
	requestSeal  string
	factsSeal    string
	accusedSeal  string
	windowKind   string
	windowEnd    string
}

// state is what the lifecycle table matches.
func (p *Petition) state() Case {
	return Case{Status: p.Status, Category: p.Category, Round: p.Round, Extended: p.ExtensionDays > 0, Key: p.KeyCase}
}

// ClosedDay is the day the case ended (Asia/Shanghai), "" while it runs.
func (p *Petition) ClosedDay() string {
	if p.ClosedAt == nil {
		return ""
	}
	return calendar.DateOf(*p.ClosedAt).String()
}

// IsOpen reports whether the case has a duty to do.
func (p *Petition) IsOpen() bool { return Open(p.Status) }

const petitionCols = `p.id, p.number, p.channel, p.source_org, p.source_ref, p.received_at, p.registered_at, p.category, p.subject, p.place,
	p.place_org_id, COALESCE(po.name, ''), p.request, p.facts, p.request_sealed, p.facts_sealed, p.accused_sealed, p.petitioner_count, p.head_count,
	p.collective, p.accused_org_id, COALESCE(ao.name, ''), p.accused_path, p.accused_user_id, p.bureau_org_id, p.bureau_path, p.handling_org_id,
	COALESCE(ho.name, ''), p.handling_path, p.handler_user_id, p.route_kind, p.review_org_id, COALESCE(ro.name, ''), p.review_path, p.status,
	p.round, p.period, p.period_start, p.warn_at, p.due_at, p.clock_level, p.ob_seq, p.window_kind, p.window_end, p.routed_at, p.accepted_at,
	p.extension_days, p.served_day, p.key_case, p.supervised_count, p.repeat_of, p.same_claim, p.rating, p.closed_at, p.created_by,
	p.created_at, p.updated_at`

const petitionFrom = ` FROM petitions p LEFT JOIN orgs po ON po.id = p.place_org_id LEFT JOIN orgs ao ON ao.id = p.accused_org_id
	LEFT JOIN orgs ho ON ho.id = p.handling_org_id LEFT JOIN orgs ro ON ro.id = p.review_org_id`

func nullID(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// scan reads a row of petitionCols and computes the clock.
func (s *Service) scan(row interface{ Scan(...any) error }, now time.Time) (*Petition, error) {
	p := &Petition{}
	var placeOrg, accOrg, accUser, hOrg, hUser, rOrg, repeat, createdBy sql.NullInt64
	var start, warn, due, routed, accepted, closed sql.NullTime
	err := row.Scan(&p.ID, &p.Number, &p.Channel, &p.SourceOrg, &p.SourceRef, &p.ReceivedAt, &p.RegisteredAt, &p.Category, &p.Subject, &p.Place,
		&placeOrg, &p.PlaceOrgName, &p.Request, &p.Facts, &p.requestSeal, &p.factsSeal, &p.accusedSeal, &p.PetitionerCount, &p.HeadCount,
		&p.Collective, &accOrg, &p.AccusedOrgName, &p.AccusedPath, &accUser, &p.BureauOrgID, &p.BureauPath, &hOrg,
		&p.HandlingName, &p.HandlingPath, &hUser, &p.RouteKind, &rOrg, &p.ReviewName, &p.ReviewPath, &p.Status,
		&p.Round, &p.Clock.Period, &start, &warn, &due, &p.Clock.Level, &p.obSeq, &p.windowKind, &p.windowEnd, &routed, &accepted,
		&p.ExtensionDays, &p.ServedDay, &p.KeyCase, &p.SupervisedCount, &repeat, &p.SameClaim, &p.Rating, &closed, &createdBy,
		&p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return nil, err
	}
	p.PlaceOrgID, p.AccusedOrgID, p.AccusedUserID, p.HandlingOrgID, p.HandlerUserID = nullID(placeOrg), nullID(accOrg), nullID(accUser), nullID(hOrg), nullID(hUser)
	p.ReviewOrgID, p.RepeatOf, p.createdBy = nullID(rOrg), nullID(repeat), nullID(createdBy)
	p.Clock.Start, p.Clock.WarnAt, p.Clock.DueAt = nullTime(start), nullTime(warn), nullTime(due)
	p.RoutedAt, p.AcceptedAt, p.ClosedAt = nullTime(routed), nullTime(accepted), nullTime(closed)
	p.ReceivedAt, p.RegisteredAt, p.CreatedAt, p.UpdatedAt = p.ReceivedAt.UTC(), p.RegisteredAt.UTC(), p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if p.RouteKind == "" && p.HandlingOrgID != nil {
		p.RouteKind = RouteDirect // held by an org nobody routed it to: it received it
	}
	p.SubjectName = SubjectName(p.Subject)
	p.ContentSealed = p.Category == Accusation
	p.Petitioners = []Person{}
	p.computeClock(now)
	return p, nil
}

// computeClock fills in what the clock shows now.
func (p *Petition) computeClock(now time.Time) {
	c := &p.Clock
	today := calendar.DateOf(now)
	if c.Period != "" && c.DueAt != nil {
		last := calendar.DateOf(c.DueAt.Add(-time.Second))
		c.LastDay = last.String()
		c.DaysLeft = today.DaysUntil(last)
		c.Overdue = !now.Before(*c.DueAt)
		if c.Overdue {
			c.DaysOverdue = max(-c.DaysLeft, 1)
		}
		c.DueSoon = !c.Overdue && c.WarnAt != nil && !now.Before(*c.WarnAt)
		if c.Start != nil {
			span := c.DueAt.Sub(*c.Start)
			if span > 0 {
				c.Percent = int(min(max(now.Sub(*c.Start)*100/span, 0), 100))
			}
		}
	}
	p.Window = nil
	if p.windowKind != "" && p.windowEnd != "" {
		if end, err := calendar.ParseDate(p.windowEnd); err == nil && !end.Before(today) {
			p.Window = &Window{Kind: p.windowKind, LastDay: p.windowEnd, DaysLeft: today.DaysUntil(end)}
		}
	}
}

// load reads one case without a permission check; ENOTFOUND when absent.
func (s *Service) load(ctx context.Context, q db.Querier, id int64) (*Petition, error) {
	p, err := s.scan(q.QueryRow(ctx, "SELECT "+petitionCols+petitionFrom+" WHERE p.id = ?", id), s.Clock.Now())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("petition")
	}
	return p, err
}

// people reads the petitioners of cases, masked, by case.
func (s *Service) people(ctx context.Context, q db.Querier, ids ...int64) (map[int64][]Person, error) {
	out := map[int64][]Person{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.Query(ctx, `SELECT petition_id, seq, representative, name_sealed, id_sealed, phone_sealed, address_sealed FROM petition_people
		WHERE petition_id IN (`+placeholders(len(ids))+`) ORDER BY petition_id, seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var pr Person
		var name, idn, phone, addr string
		if err := rows.Scan(&pid, &pr.Seq, &pr.Representative, &name, &idn, &phone, &addr); err != nil {
			return nil, err
		}
		plain, err := s.open(sealedPerson{name, idn, phone, addr})
		if err != nil {
			s.log().Warn("petition: personal data does not open", "petition", pid, "err", err)
			pr.Name, pr.IDNumber, pr.Phone, pr.Address = "（无法解密）", "", "", ""
		} else {
			pr.Name, pr.IDNumber, pr.Phone, pr.Address = sealed.MaskName(plain.Name), sealed.MaskIDNumber(plain.IDNumber),
				sealed.MaskPhone(plain.Phone), sealed.MaskAddress(plain.Address)
		}
		out[pid] = append(out[pid], pr)
	}
	return out, rows.Err()
}

type sealedPerson struct{ name, id, phone, address string }

// open opens a petitioner's sealed fields.
func (s *Service) open(sp sealedPerson) (Person, error) {
	var p Person
	if s.Cipher == nil {
		return p, errors.New("petition: no field cipher")
	}
	var e1, e2, e3, e4 error
	p.Name, e1 = s.Cipher.OpenString(sp.name, CtxName)
	p.IDNumber, e2 = s.Cipher.OpenString(sp.id, CtxIDNumber)
	p.Phone, e3 = s.Cipher.OpenString(sp.phone, CtxPhone)
	p.Address, e4 = s.Cipher.OpenString(sp.address, CtxAddress)
	return p, errors.Join(e1, e2, e3, e4)
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// clean trims a field and checks its length.
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
	"channel": "信访形式", "category": "事项类别", "subject": "涉及领域", "place": "事发地点", "request": "诉求", "facts": "事实和理由",
	"petitioners": "信访人", "head_count": "人数", "source_org": "转交单位", "source_ref": "原编号", "accused": "被检举人",
	"reason": "理由", "notice": "书面告知内容", "comment": "说明", "org_id": "办理单位", "extension_days": "延长天数",
	"opinion.decision": "处理意见", "opinion.facts": "认定的事实", "opinion.reasons": "理由", "opinion.basis": "依据",
	"requested_on": "请求日期", "user_id": "回避人员", "received_at": "收到时间",
}

func fieldZH(field string) string {
	if n, ok := fieldNames[field]; ok {
		return n
	}
	if strings.HasPrefix(field, "petitioners[") {
		return "信访人"
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
