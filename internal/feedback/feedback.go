// Package feedback is the in-app complaint and suggestion channel (意见反馈)
// that rules for government apps require: any signed-in person tells the
// administrators what troubles them about the system, and sees the answer.
// The system and security administrators (feedback.view) read and answer.
package feedback

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// Kinds.
const (
	Complaint  = "complaint"  // 投诉
	Suggestion = "suggestion" // 建议
)

// Statuses.
const (
	Open     = "open"     // 待处理
	Answered = "answered" // 已回复
	Closed   = "closed"   // 已关闭
)

// Kinds and Statuses list the values in display order.
var (
	Kinds    = []string{Complaint, Suggestion}
	Statuses = []string{Open, Answered, Closed}
)

// Limits on what a person types.
const (
	MinBody  = 5
	MaxBody  = 2000
	MaxPage  = 200
	MaxReply = 2000
	listMax  = 200 // most items one list returns
)

// transitions is the lifecycle: from a status, which statuses a reply may set.
// A closed item is final.
var transitions = map[string][]string{
	Open:     {Answered, Closed},
	Answered: {Answered, Closed},
	Closed:   {},
}

// CanReply reports whether an item in status may still be answered.
func CanReply(status string) bool { return len(transitions[status]) > 0 }

// Feedback is one complaint or suggestion.
type Feedback struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Page      string    `json:"page"`
	Body      string    `json:"body"`
	Status    string    `json:"status"`
	Reply     string    `json:"reply"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Who sent it: filled for the administrators' inbox only.
	UserID   int64  `json:"user_id,omitempty"`
	UserName string `json:"user_name,omitempty"`
	OrgID    int64  `json:"org_id,omitempty"`
	OrgName  string `json:"org_name,omitempty"`
}

// Input is what a person sends.
type Input struct {
	Kind string `json:"kind"`
	Body string `json:"body"`
	Page string `json:"page"`
}

// Service keeps feedback; every call checks the actor.
type Service struct {
	DB    *db.DB
	Auth  *auth.Service
	Clock clock.Clock
}

func oneOf(s string, list []string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CleanPage returns p when it is a local path of this site (at most MaxPage
// characters, no scheme or host, no control characters), else "".
func CleanPage(p string) string {
	p = strings.TrimSpace(p)
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') ||
		utf8.RuneCountInString(p) > MaxPage || !utf8.ValidString(p) {
		return ""
	}
	for _, r := range p {
		if unicode.IsControl(r) {
			return ""
		}
	}
	return p
}

func (in *Input) validate() error {
	in.Kind, in.Body, in.Page = strings.TrimSpace(in.Kind), strings.TrimSpace(in.Body), strings.TrimSpace(in.Page)
	if !oneOf(in.Kind, Kinds) {
		return apperr.Field(apperr.EINVALID, "kind", "请选择投诉或建议 / kind must be complaint or suggestion")
	}
	if n := utf8.RuneCountInString(in.Body); n < MinBody || n > MaxBody {
		return apperr.Field(apperr.EINVALID, "body", "内容应为 %d 至 %d 个字 / body must be %d to %d characters", MinBody, MaxBody, MinBody, MaxBody)
	}
	if !utf8.ValidString(in.Body) {
		return apperr.Field(apperr.EINVALID, "body", "内容含无效字符 / body holds invalid characters")
	}
	if in.Page != "" && CleanPage(in.Page) == "" {
		return apperr.Field(apperr.EINVALID, "page", "页面应为本系统内不超过 %d 个字符的路径，如 /people / page must be a path of this site of at most %d characters, e.g. /people", MaxPage, MaxPage)
	}
	return nil
}

const cols = `f.id, f.kind, f.page, f.body, f.status, f.reply, f.created_at, f.updated_at, u.id, u.name, o.id, o.name`

const from = ` FROM feedback f JOIN users u ON u.id = f.user_id JOIN orgs o ON o.id = u.org_id`

func scan(row interface{ Scan(...any) error }) (*Feedback, error) {
	f := &Feedback{}
	if err := row.Scan(&f.ID, &f.Kind, &f.Page, &f.Body, &f.Status, &f.Reply, &f.CreatedAt, &f.UpdatedAt, &f.UserID, &f.UserName, &f.OrgID, &f.OrgName); err != nil {
		return nil, err
	}
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	return f, nil
}

func (s *Service) get(ctx context.Context, q db.Querier, id int64) (*Feedback, error) {
	f, err := scan(q.QueryRow(ctx, "SELECT "+cols+from+" WHERE f.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("feedback")
	}
	return f, err
}

func (s *Service) entry(a *auth.Actor, action string, f *Feedback) audit.Entry {
	return a.Entry(s.Clock.Now(), action, "feedback", strconv.FormatInt(f.ID, 10), f.OrgID)
}

// snapshot is what the trail digests of an item.
type snapshot struct {
	Kind, Page, Body, Status, Reply string
}

func snap(f *Feedback) snapshot { return snapshot{f.Kind, f.Page, f.Body, f.Status, f.Reply} }

// Submit records a complaint or suggestion from a.
func (s *Service) Submit(ctx context.Context, a *auth.Actor, in Input) (*Feedback, error) {
	if a == nil || a.UserID == 0 {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	f := &Feedback{Kind: in.Kind, Page: in.Page, Body: in.Body, Status: Open, CreatedAt: now, UpdatedAt: now, UserID: a.UserID, OrgID: a.OrgID}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := db.InsertID(ctx, tx, `INSERT INTO feedback (user_id, kind, page, body, status, reply, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, '', ?, ?)`, a.UserID, f.Kind, f.Page, f.Body, f.Status, now, now)
		if err != nil {
			return err
		}
		f.ID = id
		e := s.entry(a, "feedback.create", f)
		e.After, e.Detail = snap(f), f.Kind
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Mine lists a's own feedback with the replies, newest first.
func (s *Service) Mine(ctx context.Context, a *auth.Actor) ([]Feedback, error) {
	if a == nil || a.UserID == 0 {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	return s.list(ctx, " WHERE f.user_id = ?", a.UserID)
}

func (s *Service) list(ctx context.Context, where string, args ...any) ([]Feedback, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+cols+from+where+" ORDER BY f.id DESC LIMIT "+strconv.Itoa(listMax), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Feedback{}
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

// Authorize answers nil when a may read and answer feedback, ENOTFOUND
// otherwise (and the refusal is recorded).
func (s *Service) Authorize(ctx context.Context, a *auth.Actor, id int64) error {
	// Feedback about the system is the whole district's.
	root, err := org.RootPath(ctx, s.DB)
	if err != nil {
		return err
	}
	obj := ""
	if id > 0 {
		obj = strconv.FormatInt(id, 10)
	}
	return s.Auth.Check(ctx, a, auth.FeedbackView, root, "feedback", obj)
}

// Inbox is the administrators' view: items in one status ("" for all),
// newest first, with the count in each status.
type Inbox struct {
	Items  []Feedback     `json:"items"`
	Counts map[string]int `json:"counts"`
}

// List returns the inbox for the administrators.
func (s *Service) List(ctx context.Context, a *auth.Actor, status string) (*Inbox, error) {
	if err := s.Authorize(ctx, a, 0); err != nil {
		return nil, err
	}
	if status != "" && !oneOf(status, Statuses) {
		return nil, apperr.Field(apperr.EINVALID, "status", "状态只能是 open、answered 或 closed / status must be open, answered or closed")
	}
	in := &Inbox{Counts: map[string]int{Open: 0, Answered: 0, Closed: 0}}
	var err error
	if status == "" {
		in.Items, err = s.list(ctx, "")
	} else {
		in.Items, err = s.list(ctx, " WHERE f.status = ?", status)
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT status, count(*) FROM feedback GROUP BY status")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		in.Counts[st] = n
	}
	return in, rows.Err()
}

// ReplyInput is an administrator's answer.
type ReplyInput struct {
	Reply  string `json:"reply"`
	Status string `json:"status"`
}

// Reply answers item id (status answered) or closes it (status closed). A
// close may leave the reply empty when one was already given.
func (s *Service) Reply(ctx context.Context, a *auth.Actor, id int64, in ReplyInput) (*Feedback, error) {
	if err := s.Authorize(ctx, a, id); err != nil {
		return nil, err
	}
	in.Reply, in.Status = strings.TrimSpace(in.Reply), strings.TrimSpace(in.Status)
	if in.Status != Answered && in.Status != Closed {
		return nil, apperr.Field(apperr.EINVALID, "status", "状态只能是 answered 或 closed / status must be answered or closed")
	}
	if utf8.RuneCountInString(in.Reply) > MaxReply || !utf8.ValidString(in.Reply) {
		return nil, apperr.Field(apperr.EINVALID, "reply", "回复最多 %d 个字 / the reply is at most %d characters", MaxReply, MaxReply)
	}
	var out *Feedback
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if !oneOf(in.Status, transitions[cur.Status]) {
			return apperr.Field(apperr.ERULE, "status", "该反馈已关闭，不能再回复 / this feedback is closed and cannot be answered again")
		}
		reply := in.Reply
		if reply == "" {
			if in.Status == Answered || cur.Reply == "" {
				return apperr.Field(apperr.EINVALID, "reply", "请填写回复内容 / write a reply")
			}
			reply = cur.Reply
		}
		now := s.Clock.Now()
		if _, err := tx.Exec(ctx, "UPDATE feedback SET reply = ?, status = ?, updated_at = ? WHERE id = ?", reply, in.Status, now, id); err != nil {
			return err
		}
		next := *cur
		next.Reply, next.Status, next.UpdatedAt = reply, in.Status, now
		e := s.entry(a, "feedback.reply", &next)
		e.Before, e.After, e.Detail = snap(cur), snap(&next), cur.Status+" → "+in.Status
		if err := audit.Append(ctx, tx, e); err != nil {
			return err
		}
		out = &next
		return nil
	})
	return out, err
}
