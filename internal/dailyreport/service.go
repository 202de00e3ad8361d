package dailyreport

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// WorkCalendar gives the holidays and make-up working days.
type WorkCalendar interface {
	Calendar(ctx context.Context) (*calendar.Calendar, error)
}

// Message is one notification; Notifier delivers it inside the caller's
// transaction (the notify package, adapted in app).
type Message struct {
	Title, Body, Link string
	Urgent            bool
	DedupeKey         string
}

// Note is a message for some people (inbox and their channels) and some
// orgs (their channels).
type Note struct {
	UserIDs, OrgIDs []int64
	Message
}

// Notifier sends messages to people and to orgs' channels, all of them in
// a few statements (a deadline may tell tens of thousands of units).
type Notifier interface {
	Notify(ctx context.Context, tx *db.Tx, notes ...Note) error
}

// Service files reports and keeps the schedule.
type Service struct {
	DB       *db.DB
	Auth     *auth.Service
	Clock    clock.Clock
	Calendar WorkCalendar
	Notifier Notifier // may be nil: nothing is sent
	// Batch, when set, gives submissions group commit.
	Batch *db.Batcher
	// Attachments keeps the items' photos (nil: items cannot carry any).
	Attachments *attachment.Service
	// MissingChunk is how many silent units each transaction after a
	// deadline tells (DefaultMissingChunk when 0).
	MissingChunk int

	hot hotPath // prepared statements and the schedule cache (hotpath.go)
}

// Statuses of a unit-day.
const (
	Pending     = "pending"
	OnTime      = "on_time"
	Late        = "late"
	Missing     = "missing"
	NotRequired = "not_required"
)

// Limits on one report.
const (
	MaxItemsPerHalf = 50
	MaxFilesPerItem = 9
	maxSummary      = 500
)

// Half is one desk's half of a report: "nothing to report" (平安) or items.
type Half struct {
	NothingToReport bool   `json:"nothing_to_report"`
	Items           []Item `json:"items,omitempty"`
}

// Item is one matter reported.
type Item struct {
	Category   string `json:"category"`
	Summary    string `json:"summary"`
	Place      string `json:"place,omitempty"`
	OccurredAt string `json:"occurred_at,omitempty"` // free text as reported, e.g. "上午 9 时"
	Severity   string `json:"severity,omitempty"`    // normal, serious, urgent
	FollowUp   bool   `json:"follow_up,omitempty"`
	// AttachmentIDs are photos or PDFs uploaded first (POST
	// /api/v1/attachments) by the same person, at most MaxFilesPerItem.
	AttachmentIDs []int64 `json:"attachment_ids,omitempty"`

	filesField string // the web form's file input of this item
}

// Input is a submission.
type Input struct {
	OrgID     int64  `json:"org_id"`
	Date      string `json:"date,omitempty"`
	Safety    *Half  `json:"safety"`
	Stability *Half  `json:"stability"`
}

// Receipt is the answer to a submission, given after the commit.
type Receipt struct {
	ID      int64  `json:"id"`
	Receipt string `json:"receipt"`
	Status  string `json:"status"`
	Version int    `json:"version"`
	Late    bool   `json:"late"`
}

// OwnerItem is the attachments' owner type of a reported item.
const OwnerItem = "dailyreport_item"

// hasFiles reports whether any item carries attachments.
func (in Input) hasFiles() bool {
	for _, h := range []*Half{in.Safety, in.Stability} {
		if h == nil {
			continue
		}
		for _, it := range h.Items {
			if len(it.AttachmentIDs) > 0 {
				return true
			}
		}
	}
	return false
}

// Severities of an item.
var Severities = []string{"normal", "serious", "urgent"}

// Categories offered by the form (free text is accepted too).
var Categories = map[string][]string{
	"safety":    {"生产安全事故", "安全隐患", "火灾", "道路交通", "自然灾害", "危化品", "其他"},
	"stability": {"群体性事件", "信访苗头", "矛盾纠纷", "重点人员动态", "网络舆情", "其他"},
}

func validateHalf(name string, h *Half) error {
	if h == nil {
		return apperr.Field(apperr.EINVALID, name, "缺少“%s”部分：请填写“平安”或至少一项情况 / the %s half is missing: nothing_to_report or at least one item", halfLabel(name), name)
	}
	if h.NothingToReport && len(h.Items) > 0 {
		return apperr.Field(apperr.EINVALID, name, "“无事报平安”时不能同时填写事项 / nothing_to_report cannot come with items")
	}
	if !h.NothingToReport && len(h.Items) == 0 {
		return apperr.Field(apperr.EINVALID, name, "“%s”部分为空：请报平安或填写情况 / the %s half is empty: report nothing_to_report or items", halfLabel(name), name)
	}
	if len(h.Items) > MaxItemsPerHalf {
		return apperr.Field(apperr.EINVALID, name, "每部分最多 %d 项，收到 %d 项 / at most %d items per half, got %d", MaxItemsPerHalf, len(h.Items), MaxItemsPerHalf, len(h.Items))
	}
	for i := range h.Items {
		it := &h.Items[i]
		it.Category, it.Summary, it.Place, it.OccurredAt = strings.TrimSpace(it.Category), strings.TrimSpace(it.Summary), strings.TrimSpace(it.Place), strings.TrimSpace(it.OccurredAt)
		field := fmt.Sprintf("%s.items[%d]", name, i)
		switch {
		case it.Summary == "":
			return apperr.Field(apperr.EINVALID, field+".summary", "第 %d 项缺少情况摘要 / item %d has no summary", i+1, i+1)
		case utf8.RuneCountInString(it.Summary) > maxSummary:
			return apperr.Field(apperr.EINVALID, field+".summary", "摘要最长 %d 字 / a summary may have at most %d characters", maxSummary, maxSummary)
		case it.Category == "":
			return apperr.Field(apperr.EINVALID, field+".category", "第 %d 项缺少类别 / item %d has no category", i+1, i+1)
		case utf8.RuneCountInString(it.Category) > 20 || utf8.RuneCountInString(it.Place) > 100 || utf8.RuneCountInString(it.OccurredAt) > 40:
			return apperr.Field(apperr.EINVALID, field, "类别最长 20 字、地点 100 字、时间 40 字 / category ≤ 20, place ≤ 100, time ≤ 40 characters")
		case len(it.AttachmentIDs) > MaxFilesPerItem:
			return apperr.Field(apperr.EINVALID, field+".attachment_ids", "每项最多附 %d 个文件，收到 %d 个 / at most %d files per item, got %d", MaxFilesPerItem, len(it.AttachmentIDs), MaxFilesPerItem, len(it.AttachmentIDs))
		}
		if it.Severity == "" {
			it.Severity = "normal"
		}
		if it.Severity != "normal" && it.Severity != "serious" && it.Severity != "urgent" {
			return apperr.Field(apperr.EINVALID, field+".severity", "严重程度须为 normal、serious 或 urgent / severity must be normal, serious or urgent")
		}
	}
	return nil
}

func halfLabel(name string) string {
	if name == "safety" {
		return "安全生产"
	}
	return "信访稳定"
}

// NothingToReport is the one-tap report: 平安 on both halves.
func NothingToReport(orgID int64) Input {
	return Input{OrgID: orgID, Safety: &Half{NothingToReport: true}, Stability: &Half{NothingToReport: true}}
}

// Today is the current date in Asia/Shanghai by the server's clock.
func (s *Service) Today() calendar.Date { return calendar.DateOf(s.Clock.Now()) }

// DayFor returns what the schedule says of org's tier on date.
func (s *Service) DayFor(ctx context.Context, tier string, d calendar.Date) (Day, error) {
	sch, err := s.schedule(ctx)
	if err != nil {
		return Day{}, err
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return Day{}, err
	}
	return sch.DayOf(cal, tier, d), nil
}

// Submit files a report for in.OrgID. The actor reports for their own unit,
// or on its behalf from a scope above it. The receipt comes after the commit.
func (s *Service) Submit(ctx context.Context, a *auth.Actor, channel string, in Input) (*Receipt, error) {
	day := s.Today()
	if in.Date != "" {
		d, err := calendar.ParseDate(in.Date)
		if err != nil {
			return nil, apperr.Field(apperr.EINVALID, "date", "日期须为 YYYY-MM-DD / the date must be YYYY-MM-DD")
		}
		day = d
	}
	if day.After(s.Today()) {
		return nil, apperr.Field(apperr.ERULE, "date", "不能为将来的日期报告（%s） / a report cannot be for a future date (%s)", day, day)
	}
	if err := validateHalf("safety", in.Safety); err != nil {
		return nil, err
	}
	if err := validateHalf("stability", in.Stability); err != nil {
		return nil, err
	}
	if in.hasFiles() && (s.Attachments == nil || a == nil) {
		return nil, apperr.Field(apperr.EINVALID, "attachment_ids", "此处不能附带文件 / files cannot be attached here")
	}
	return s.submit(ctx, &submission{now: s.Clock.Now(), a: a, channel: channel, orgID: in.OrgID, date: day, in: in})
}

// submit writes p and returns its receipt once it is durable. The unit is
// read by the write itself — for a whole group commit in one query
// (resolveUnits, hotpath.go) — so nothing is read before the write, and a
// check-in token rotated or an org moved a moment ago, on any server, counts.
func (s *Service) submit(ctx context.Context, p *submission) (*Receipt, error) {
	h, err := s.stmts(ctx)
	if err != nil {
		return nil, err
	}
	write := func(tx *db.Tx) error {
		p.rec, p.err = Receipt{}, nil
		u, err := s.unitOf(ctx, tx, h, p)
		if err != nil {
			return err
		}
		if err := s.admit(ctx, p, u); err != nil {
			return err
		}
		return s.insert(ctx, tx, h, p)
	}
	switch {
	case p.in.hasFiles():
		// Linking files reads and updates their rows one report at a
		// time; such reports are few and skip the grouped insert.
		if s.Batch != nil {
			err = s.Batch.Do(ctx, write)
		} else {
			err = s.DB.InTx(ctx, write)
		}
	case s.Batch != nil:
		// Submissions in one batch are written together (insertMany, hotpath.go).
		err = s.Batch.DoGroup(ctx, &h.group, p, write)
	default:
		err = s.DB.InTx(ctx, write)
	}
	if err == nil {
		err = p.err
	}
	if p.denied {
		// The same check, outside the write, puts the refusal in the trail.
		s.Auth.Check(ctx, p.a, auth.DailyReportSubmit, p.o.Path, "org", strconv.FormatInt(p.o.ID, 10))
	}
	if err != nil {
		return nil, err
	}
	return &p.rec, nil
}

// admit checks that p's actor may report for the unit u, that u reports, and
// fixes p's unit and day (and, for a check-in, its "nothing to report").
func (s *Service) admit(ctx context.Context, p *submission, u unit) error {
	p.o, p.denied = u.o, false
	if p.a != nil {
		if err := auth.Authorize(p.a, auth.DailyReportSubmit, u.o.Path); err != nil {
			p.denied = true
			return err
		}
	}
	if u.tier == "" {
		return apperr.Field(apperr.ERULE, "org_id", "%s 不是报告单位 / %s is not a reporting unit", u.o.Name, u.o.Name)
	}
	day, err := s.DayFor(ctx, u.tier, p.date)
	if err != nil {
		return err
	}
	p.day = day
	if p.token != "" {
		p.in = NothingToReport(u.o.ID)
	}
	return nil
}

func newReceipt(day calendar.Date) string {
	b := make([]byte, 5)
	rand.Read(b)
	return "ZB" + strings.ReplaceAll(day.String(), "-", "") + "-" + base32.StdEncoding.EncodeToString(b)[:8]
}

// insert writes one version of a report, its items, the unit-day's status and
// the audit record. The status comes from the first submission; a correction
// after the deadline is flagged 错报.
func (s *Service) insert(ctx context.Context, tx *db.Tx, h *hotPath, p *submission) error {
	var version int
	if err := tx.QueryRowStmt(ctx, h.version, p.o.ID, p.day.Date.String()).Scan(&version); err != nil {
		return err
	}
	p.setVersion(version + 1)
	var id int64
	if err := tx.QueryRowStmt(ctx, h.insertReport, p.reportArgs()...).Scan(&id); err != nil {
		return err
	}
	p.rec.ID = id
	items := p.items()
	for i, row := range p.itemRows() {
		const q = `INSERT INTO daily_report_items (report_id, half, category, summary, place, occurred_at, severity, follow_up)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
		if len(items[i].AttachmentIDs) == 0 {
			if _, err := tx.Exec(ctx, q, row...); err != nil {
				return err
			}
			continue
		}
		itemID, err := db.InsertID(ctx, tx, q, row...)
		if err != nil {
			return err
		}
		if err := s.Attachments.Link(ctx, tx, p.a, items[i].AttachmentIDs, OwnerItem, itemID, p.o.ID); err != nil {
			return err
		}
	}
	p.rec.Status = NotRequired
	if p.day.Required {
		// The first submission decides; a day already classified missing
		// becomes late (the statement is in hotpath.go; it returns the status).
		if err := tx.QueryRowStmt(ctx, h.upsertDay, p.dayArgs()...).Scan(&p.rec.Status); err != nil {
			return err
		}
	}
	return h.audit.Append(ctx, tx, p.entry())
}

// ---- check-in address ----

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// RotatePingToken issues a new check-in token for a unit; the old one stops
// working at once. The token is returned once.
func (s *Service) RotatePingToken(ctx context.Context, a *auth.Actor, orgID int64) (string, error) {
	o, err := org.ByID(ctx, s.DB, orgID)
	if err != nil {
		return "", err
	}
	if err := s.Auth.Check(ctx, a, auth.DailyReportManage, o.Path, "org", strconv.FormatInt(o.ID, 10)); err != nil {
		return "", err
	}
	tier, err := TierOf(ctx, s.DB, o)
	if err != nil {
		return "", err
	}
	if tier == "" {
		return "", apperr.Field(apperr.ERULE, "org_id", "%s 不是报告单位 / %s is not a reporting unit", o.Name, o.Name)
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO report_ping_tokens (org_id, token_hash, created_at) VALUES (?, ?, ?)
			ON CONFLICT (org_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`, o.ID, hashToken(tok), now); err != nil {
			return err
		}
		return audit.Append(ctx, tx, a.Entry(now, "dailyreport.ping_token", "org", strconv.FormatInt(o.ID, 10), o.ID))
	})
	return tok, err
}

// Ping files "nothing to report" on both halves for the unit whose check-in
// token this is. An unknown or rotated token is ENOTFOUND and records nothing.
func (s *Service) Ping(ctx context.Context, token string) (*Receipt, error) {
	if len(token) < 20 || len(token) > 100 {
		return nil, errNoToken
	}
	return s.submit(ctx, &submission{now: s.Clock.Now(), channel: "ping", token: hashToken(token), date: s.Today()})
}
