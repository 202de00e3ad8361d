// Package audittrail is the audit administrator's window on the trail (审计日志):
// search, export to Excel or CSV, and verification of the hash chain. Only the
// audit.view permission opens it; everyone else is told it does not exist.
// Reading the trail is itself an important action, so every search, export and
// verification is recorded in the trail. Nothing here changes or deletes a
// record: there is no route for it, and the database refuses it too.
package audittrail

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// Limits.
const (
	DefaultLimit  = 100     // records per API page unless limit says otherwise
	MaxLimit      = 1000    // most records per API page
	MaxExportRows = 100_000 // most records in one export
	exportChunk   = 5000    // records read per query while exporting
)

// Service reads the trail for the audit administrator.
type Service struct {
	DB    *db.DB
	Auth  *auth.Service
	Clock clock.Clock
}

// Query is a parsed, validated search of the trail. The string fields keep
// what the person typed, for forms and links.
type Query struct {
	From, To   string // YYYY-MM-DD in Asia/Shanghai; To inclusive
	User       string
	Action     string // prefix
	Result     string
	ObjectType string
	ObjectID   string
	BeforeSeq  int64
	Limit      int

	from, to calendar.Date
}

var results = []string{audit.OK, audit.Denied, audit.Failed}

// ParseQuery reads a search from URL parameters. Every bad value is an
// EINVALID naming its field.
func ParseQuery(v url.Values) (Query, error) {
	q := Query{
		From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")),
		User: strings.TrimSpace(v.Get("user")), Action: strings.TrimSpace(v.Get("action")),
		Result: strings.TrimSpace(v.Get("result")), ObjectType: strings.TrimSpace(v.Get("object_type")),
		ObjectID: strings.TrimSpace(v.Get("object_id")), Limit: DefaultLimit,
	}
	var err error
	if q.From != "" {
		if q.from, err = calendar.ParseDate(q.From); err != nil {
			return q, apperr.Field(apperr.EINVALID, "from", "开始日期应为 YYYY-MM-DD 格式的有效日期 / from must be a valid date in the form YYYY-MM-DD")
		}
	}
	if q.To != "" {
		if q.to, err = calendar.ParseDate(q.To); err != nil {
			return q, apperr.Field(apperr.EINVALID, "to", "结束日期应为 YYYY-MM-DD 格式的有效日期 / to must be a valid date in the form YYYY-MM-DD")
		}
	}
	if !q.from.IsZero() && !q.to.IsZero() && q.to.Before(q.from) {
		return q, apperr.Field(apperr.EINVALID, "to", "结束日期不能早于开始日期 / to must not be before from")
	}
	for _, f := range []struct{ name, val string }{{"user", q.User}, {"action", q.Action}, {"object_type", q.ObjectType}, {"object_id", q.ObjectID}} {
		if utf8.RuneCountInString(f.val) > 64 {
			return q, apperr.Field(apperr.EINVALID, f.name, "%s 最长 64 个字符 / %s is at most 64 characters", f.name, f.name)
		}
	}
	if q.Result != "" && !oneOf(q.Result, results) {
		return q, apperr.Field(apperr.EINVALID, "result", "结果只能是 ok、denied 或 failed / result must be ok, denied or failed")
	}
	if s := v.Get("before_seq"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return q, apperr.Field(apperr.EINVALID, "before_seq", "before_seq 应为非负整数 / before_seq must be a non-negative integer")
		}
		q.BeforeSeq = n
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return q, apperr.Field(apperr.EINVALID, "limit", "limit 应为 1 至 %d 的整数 / limit must be an integer from 1 to %d", MaxLimit, MaxLimit)
		}
		q.Limit = min(n, MaxLimit)
	}
	return q, nil
}

func oneOf(s string, list []string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Values returns the filters (not the paging) as URL parameters, for links.
func (q Query) Values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"from", q.From}, {"to", q.To}, {"user", q.User}, {"action", q.Action},
		{"result", q.Result}, {"object_type", q.ObjectType}, {"object_id", q.ObjectID}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// filter turns the query into the audit package's filter.
func (q Query) filter() audit.Filter {
	f := audit.Filter{UserLogin: q.User, Action: q.Action, ObjectType: q.ObjectType, ObjectID: q.ObjectID,
		Result: q.Result, BeforeSeq: q.BeforeSeq, Limit: q.Limit}
	if !q.from.IsZero() {
		f.From = q.from.Time()
	}
	if !q.to.IsZero() {
		f.To = q.to.AddDays(1).Time()
	}
	return f
}

// describe is the query as the trail records it.
func (q Query) describe() string {
	d := q.Values().Encode()
	if q.BeforeSeq > 0 {
		d += "&before_seq=" + strconv.FormatInt(q.BeforeSeq, 10)
	}
	return strings.TrimPrefix(d, "&")
}

// Authorize answers nil when a may read the trail, ENOTFOUND otherwise (the
// refusal is itself recorded).
func (s *Service) Authorize(ctx context.Context, a *auth.Actor) error {
	// Reading the trail is a district-wide permission.
	root, err := org.RootPath(ctx, s.DB)
	if err != nil {
		return err
	}
	return s.Auth.Check(ctx, a, auth.AuditView, root, "audit_log", "")
}

// Page is one page of search results, newest first.
type Page struct {
	Records []audit.Record `json:"records"`
	// NextBeforeSeq continues the search with older records; 0 when there are none.
	NextBeforeSeq int64 `json:"next_before_seq"`
}

// Search returns one page of the records matching q and records the search.
func (s *Service) Search(ctx context.Context, a *auth.Actor, q Query) (Page, error) {
	if err := s.Authorize(ctx, a); err != nil {
		return Page{}, err
	}
	if q.Limit <= 0 || q.Limit > MaxLimit {
		q.Limit = DefaultLimit
	}
	f := q.filter()
	f.Limit = q.Limit + 1 // one more tells whether an older page exists
	recs, err := audit.Search(ctx, s.DB, f)
	if err != nil {
		return Page{}, err
	}
	p := Page{Records: recs}
	if len(recs) > q.Limit {
		p.Records = recs[:q.Limit]
		p.NextBeforeSeq = p.Records[q.Limit-1].Seq
	}
	if p.Records == nil {
		p.Records = []audit.Record{}
	}
	e := a.Entry(s.Clock.Now(), "audit.search", "audit_log", "", 0)
	e.Detail = fmt.Sprintf("rows=%d %s", len(p.Records), q.describe())
	if err := audit.AppendAlone(ctx, s.DB, e); err != nil {
		return Page{}, err
	}
	return p, nil
}

// Sink receives an export's records, newest first; Close finishes the file.
type Sink interface {
	Write(audit.Record) error
	Close() error
}

// Export hands up to MaxExportRows records matching q to sink, closes it, and
// records the export. The caller sends the file only after Export returns nil,
// so no export leaves the server without its record in the trail.
func (s *Service) Export(ctx context.Context, a *auth.Actor, q Query, format string, sink Sink) (int, error) {
	if err := s.Authorize(ctx, a); err != nil {
		return 0, err
	}
	f := q.filter()
	n := 0
	for n < MaxExportRows {
		f.Limit = min(exportChunk, MaxExportRows-n)
		recs, err := audit.Search(ctx, s.DB, f)
		if err != nil {
			return n, err
		}
		for _, r := range recs {
			if err := sink.Write(r); err != nil {
				return n, err
			}
		}
		n += len(recs)
		if len(recs) < f.Limit {
			break
		}
		f.BeforeSeq = recs[len(recs)-1].Seq
	}
	if err := sink.Close(); err != nil {
		return n, err
	}
	e := a.Entry(s.Clock.Now(), "audit.export", "audit_log", "", 0)
	e.Detail = fmt.Sprintf("format=%s rows=%d %s", format, n, q.describe())
	return n, audit.AppendAlone(ctx, s.DB, e)
}

// Verification is what GET /api/v1/audit/verify answers.
type Verification struct {
	Checked  int64  `json:"checked"`
	FirstBad int64  `json:"first_bad"`
	Reason   string `json:"reason"`
	Intact   bool   `json:"intact"`
}

// Verify walks the whole chain (audit.Verify) and records that it did.
func (s *Service) Verify(ctx context.Context, a *auth.Actor) (Verification, error) {
	if err := s.Authorize(ctx, a); err != nil {
		return Verification{}, err
	}
	res, err := audit.Verify(ctx, s.DB)
	if err != nil {
		return Verification{}, err
	}
	v := Verification{Checked: res.Checked, FirstBad: res.FirstBad, Reason: res.Reason, Intact: res.FirstBad == 0}
	e := a.Entry(s.Clock.Now(), "audit.verify", "audit_log", "", 0)
	e.Detail = fmt.Sprintf("checked=%d first_bad=%d", v.Checked, v.FirstBad)
	if !v.Intact {
		e.Detail += " " + v.Reason
	}
	if err := audit.AppendAlone(ctx, s.DB, e); err != nil {
		return Verification{}, err
	}
	return v, nil
}
