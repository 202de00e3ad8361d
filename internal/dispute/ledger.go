package dispute

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/sealed"
)

// Ledger limits.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	CountCap     = 10000 // the total is counted up to here
	maxQuery     = 50
)

// Filter is the ledger's query: every field is a query parameter of
// GET /api/v1/disputes and of the /disputes page.
type Filter struct {
	OrgID     int64  `json:"org_id,omitempty"`     // the org subtree (territory or responsible org)
	Status    string `json:"status,omitempty"`     // a state, or open
	Type      string `json:"type,omitempty"`       // type code
	RiskLevel string `json:"risk_level,omitempty"` // level code
	Urgency   string `json:"urgency,omitempty"`
	Overdue   bool   `json:"overdue,omitempty"` // open and past the deadline
	Many      bool   `json:"many,omitempty"`    // 5 or more people
	From      string `json:"from,omitempty"`    // occurred on or after, YYYY-MM-DD
	To        string `json:"to,omitempty"`      // occurred on or before
	Q         string `json:"q,omitempty"`       // substring of number, summary, place, parties, units and people
	Phone     string `json:"phone,omitempty"`   // the party's phone, exactly (blind index; dispute.manage only)
	After     string `json:"after,omitempty"`
	Before    string `json:"before,omitempty"`
	Limit     int    `json:"limit,omitempty"`
}

// FilterParams documents the query parameters (OpenAPI).
var FilterParams = [][3]string{
	{"org_id", "integer", "the org subtree, as territory or responsible org (default: the caller's scope)"},
	{"status", "string", "registered, resolving, stable, resolved, to_petition, to_court, or open (the first three)"},
	{"type", "string", "dispute type code (GET /api/v1/disputes/types)"},
	{"risk_level", "string", "risk level code (GET /api/v1/disputes/risk-levels)"},
	{"urgency", "string", "normal, urgent or critical"},
	{"overdue", "boolean", "only open disputes past their deadline"},
	{"many", "boolean", "only disputes involving 5 or more people"},
	{"from", "string", "occurred on or after, YYYY-MM-DD"},
	{"to", "string", "occurred on or before, YYYY-MM-DD"},
	{"q", "string", "substring of the number, summary, place, parties, responsible unit or person, resolver or lead (Chinese works)"},
	{"phone", "string", "the lead party's phone, exactly, found by its blind index without decrypting; for those who handle disputes (dispute.manage), each search audited"},
	{"after", "string", "cursor: the page after (next in the previous answer)"},
	{"before", "string", "cursor: the page before (prev in the previous answer)"},
	{"limit", "integer", "rows per page, 1–100 (default 20)"},
}

func parseBool(v url.Values, name string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v.Get(name))) {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, apperr.Field(apperr.EINVALID, name, "%s 须为 true 或 false / %s must be true or false", name, name)
}

// ParseFilter reads a Filter from query parameters.
func ParseFilter(v url.Values) (Filter, error) {
	f := Filter{Status: strings.TrimSpace(v.Get("status")), Type: strings.TrimSpace(v.Get("type")), RiskLevel: strings.TrimSpace(v.Get("risk_level")),
		Urgency: strings.TrimSpace(v.Get("urgency")), From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")),
		Q: strings.TrimSpace(v.Get("q")), Phone: strings.TrimSpace(v.Get("phone")), After: v.Get("after"), Before: v.Get("before")}
	var err error
	if s := strings.TrimSpace(v.Get("org_id")); s != "" {
		if f.OrgID, err = strconv.ParseInt(s, 10, 64); err != nil || f.OrgID <= 0 {
			return f, apperr.Field(apperr.EINVALID, "org_id", "org_id 须为正整数 / org_id must be a positive integer")
		}
	}
	if f.Overdue, err = parseBool(v, "overdue"); err != nil {
		return f, err
	}
	if f.Many, err = parseBool(v, "many"); err != nil {
		return f, err
	}
	if s := strings.TrimSpace(v.Get("limit")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return f, apperr.Field(apperr.EINVALID, "limit", "limit 须在 1–%d 之间 / limit must be 1–%d", MaxLimit, MaxLimit)
		}
		f.Limit = n
	}
	return f, f.validate()
}

func (f *Filter) validate() error {
	switch f.Status {
	case "", StatusOpen, Registered, Resolving, Stable, Resolved, ToPetition, ToCourt:
	default:
		return apperr.Field(apperr.EINVALID, "status", "没有状态“%s” / no status %q", f.Status, f.Status)
	}
	if f.Urgency != "" {
		if _, ok := UrgencyZH[f.Urgency]; !ok {
			return apperr.Field(apperr.EINVALID, "urgency", "紧急程度只能是 normal、urgent、critical / urgency is normal, urgent or critical")
		}
	}
	for _, d := range []struct{ name, v string }{{"from", f.From}, {"to", f.To}} {
		if d.v != "" {
			if _, err := calendar.ParseDate(d.v); err != nil {
				return apperr.Field(apperr.EINVALID, d.name, "%s 须为 YYYY-MM-DD / %s must be YYYY-MM-DD", d.name, d.name)
			}
		}
	}
	f.Q = strings.Join(strings.Fields(f.Q), " ")
	if utf8.RuneCountInString(f.Q) > maxQuery {
		return apperr.Field(apperr.EINVALID, "q", "搜索词不能超过 %d 字 / the search may have at most %d characters", maxQuery, maxQuery)
	}
	if f.Phone != "" && !sealed.ValidPhone(f.Phone) {
		return apperr.Field(apperr.EINVALID, "phone", "电话号码格式不对 / phone is not a phone number")
	}
	if f.After != "" && f.Before != "" {
		return apperr.Field(apperr.EINVALID, "after", "after 与 before 只能给一个 / give after or before, not both")
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	return nil
}

// Query is f as URL query parameters (without cursors), for links.
func (f Filter) Query() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.OrgID != 0 {
		v.Set("org_id", itoa(f.OrgID))
	}
	set("status", f.Status)
	set("type", f.Type)
	set("risk_level", f.RiskLevel)
	set("urgency", f.Urgency)
	if f.Overdue {
		v.Set("overdue", "1")
	}
	if f.Many {
		v.Set("many", "1")
	}
	set("from", f.From)
	set("to", f.To)
	set("q", f.Q)
	set("phone", f.Phone)
	if f.Limit != DefaultLimit && f.Limit != 0 {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	return v
}

// Page is one page of the ledger.
type Page struct {
	Rows []*Dispute `json:"rows"`
	// Total counts the matching disputes up to CountCap; TotalExact is
	// false when there are more.
	Total      int  `json:"total"`
	TotalExact bool `json:"total_exact"`
	// Next and Prev are the cursors of the neighbouring pages ("" at the ends).
	Next string `json:"next,omitempty"`
	Prev string `json:"prev,omitempty"`
}

type cursor struct {
	at time.Time
	id int64
}

func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.at.UnixMicro(), 10) + "." + itoa(c.id)))
}

func parseCursor(field, s string) (cursor, error) {
	bad := apperr.Field(apperr.EINVALID, field, "%s 不是有效的翻页标记 / %s is not a valid cursor", field, field)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	at, id, ok := strings.Cut(string(b), ".")
	if !ok {
		return cursor{}, bad
	}
	us, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil {
		return cursor{}, bad
	}
	return cursor{at: time.UnixMicro(us).UTC(), id: n}, nil
}

// where builds the ledger's conditions for a; an org out of scope answers
// ENOTFOUND, as if it did not exist.
func (s *Service) where(ctx context.Context, a *auth.Actor, f *Filter) (string, []any, error) {
	if a == nil {
		return "", nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	action := auth.DisputeView
	if f.Phone != "" {
		// Finding a dispute by a person's phone is a use of personal data:
		// for those who handle disputes, within where they handle them.
		action = auth.DisputeManage
	}
	var scopes []string
	if a.Operator {
		root, err := org.RootPath(ctx, s.DB)
		if err != nil {
			return "", nil, err
		}
		scopes = []string{root}
	} else {
		scopes = a.Scopes(action)
	}
	if len(scopes) == 0 {
		if action == auth.DisputeManage && a.CanAnywhere(auth.DisputeView) {
			return "", nil, s.Auth.Refuse(ctx, a, action, "dispute", apperr.Field(apperr.EFORBIDDEN, "phone", "按电话查找仅限纠纷办理人员 / only those who handle disputes search by phone"))
		}
		return "", nil, s.Auth.Refuse(ctx, a, action, "dispute", apperr.NotFound("dispute"))
	}
	var conds []string
	var args []any
	subtree := func(p string) (string, []any) {
		c1, a1 := org.SubtreeSQL("d.path", p)
		c2, a2 := org.SubtreeSQL("d.resp_path", p)
		return "(" + c1 + " OR " + c2 + ")", append(a1, a2...)
	}
	if f.OrgID != 0 {
		o, err := org.ByID(ctx, s.DB, f.OrgID)
		if err != nil || !(a.Operator || a.Can(action, o.Path)) {
			return "", nil, s.Auth.Refuse(ctx, a, action, "dispute", apperr.NotFound("organisation"))
		}
		c, x := subtree(o.Path)
		conds, args = append(conds, c), append(args, x...)
	} else {
		var ors []string
		for _, p := range scopes {
			c, x := subtree(p)
			ors, args = append(ors, c), append(args, x...)
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	add := func(c string, x ...any) { conds, args = append(conds, c), append(args, x...) }
	switch f.Status {
	case "":
	case StatusOpen:
		add("d.status IN ('registered', 'resolving', 'stable')")
	default:
		add("d.status = ?", f.Status)
	}
	if f.Type != "" {
		add("d.type_code = ?", f.Type)
	}
	if f.RiskLevel != "" {
		add("d.risk_level = ?", f.RiskLevel)
	}
	if f.Urgency != "" {
		add("d.urgency = ?", f.Urgency)
	}
	if f.Overdue {
		add("d.status IN ('registered', 'resolving', 'stable') AND d.deadline < ?", s.today().String())
	}
	if f.Many {
		add("d.many_people = ?", true)
	}
	if f.From != "" {
		add("d.occurred_day >= ?", f.From)
	}
	if f.To != "" {
		add("d.occurred_day <= ?", f.To)
	}
	if f.Q != "" {
		esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(f.Q))
		add(`d.search_text LIKE ? ESCAPE '\'`, "%"+esc+"%")
	}
	if f.Phone != "" {
		if s.Cipher == nil {
			add("1 = 0")
		} else {
			add("d.party_phone_index = ?", s.Cipher.Index(IndexPhone, sealed.NormalizePhone(f.Phone)))
		}
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// List returns one page of the ledger for a: newest first, masked.
func (s *Service) List(ctx context.Context, a *auth.Actor, f Filter) (*Page, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	where, args, err := s.where(ctx, a, &f)
	if err != nil {
		return nil, err
	}
	if f.Phone != "" && !a.Operator {
		e := a.Entry(s.Clock.Now(), "dispute.search_phone", "dispute", "", a.OrgID)
		e.Detail = "按当事人电话查找 / search by the party's phone"
		if err := audit.AppendAlone(ctx, s.DB, e); err != nil {
			return nil, err
		}
	}
	page := &Page{Rows: []*Dispute{}}
	// Count, up to the cap.
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM (SELECT 1 FROM disputes d"+where+" LIMIT "+strconv.Itoa(CountCap+1)+") x", args...).Scan(&n); err != nil {
		return nil, err
	}
	page.Total, page.TotalExact = min(n, CountCap), n <= CountCap
	// The page, by keyset on (occurred_at, id), newest first.
	q, qargs := where, append([]any(nil), args...)
	order := " ORDER BY d.occurred_at DESC, d.id DESC"
	backward := false
	switch {
	case f.After != "":
		c, err := parseCursor("after", f.After)
		if err != nil {
			return nil, err
		}
		q += " AND (d.occurred_at < ? OR (d.occurred_at = ? AND d.id < ?))"
		qargs = append(qargs, c.at, c.at, c.id)
	case f.Before != "":
		c, err := parseCursor("before", f.Before)
		if err != nil {
			return nil, err
		}
		q += " AND (d.occurred_at > ? OR (d.occurred_at = ? AND d.id > ?))"
		qargs = append(qargs, c.at, c.at, c.id)
		order, backward = " ORDER BY d.occurred_at ASC, d.id ASC", true
	}
	rows, err := s.DB.Query(ctx, "SELECT "+disputeCols+disputeFrom+q+order+" LIMIT "+strconv.Itoa(f.Limit+1), qargs...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := s.today()
	for rows.Next() {
		d, err := s.scan(rows, today)
		if err != nil {
			return nil, err
		}
		page.Rows = append(page.Rows, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	more := len(page.Rows) > f.Limit
	if more {
		page.Rows = page.Rows[:f.Limit]
	}
	if backward {
		for i, j := 0, len(page.Rows)-1; i < j; i, j = i+1, j-1 {
			page.Rows[i], page.Rows[j] = page.Rows[j], page.Rows[i]
		}
	}
	if len(page.Rows) > 0 {
		first, last := page.Rows[0], page.Rows[len(page.Rows)-1]
		if (!backward && more) || backward {
			page.Next = cursor{at: last.OccurredAt, id: last.ID}.String()
		}
		if (backward && more) || f.After != "" {
			page.Prev = cursor{at: first.OccurredAt, id: first.ID}.String()
		}
	}
	return page, nil
}

// Describe is a one-line account of the filter, for the export's trail.
func (f Filter) Describe() string { return fmt.Sprintf("filter %s", f.Query().Encode()) }
