package hazard

import (
	"context"
	"database/sql"
	"encoding/base64"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/ledgerplan"
	"github.com/anwen-gov/anwen/internal/org"
)

// Ledger limits.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	// CountCap: the total is counted up to here, then shown as "10,000+";
	// the first page never needs an exact count over a million rows.
	CountCap = 10000
	// ShortSearchWindow: a query of one or two characters on SQLite (whose
	// trigram index needs three) looks at the newest this many hazards.
	ShortSearchWindow = 20000
	maxQuery          = 50
)

// Sort orders of the ledger.
const (
	SortFound        = "found"         // newest found first (default)
	SortFoundAsc     = "found_asc"     // oldest found first
	SortDeadline     = "deadline"      // nearest deadline first
	SortDeadlineDesc = "deadline_desc" // furthest deadline first
)

// StatusOpen is the status filter for every state still to be closed.
const StatusOpen = "open"

// Filter is the ledger's query: every field is a query parameter of
// GET /api/v1/hazards and of the /hazards page.
type Filter struct {
	OrgID        int64  `json:"org_id,omitempty"`        // the org subtree (default: the caller's scope)
	Status       string `json:"status,omitempty"`        // a state, or open
	Grade        string `json:"grade,omitempty"`         // general, major
	Category     string `json:"category,omitempty"`      // category code
	Industry     string `json:"industry,omitempty"`      // the enterprise's industry
	Overdue      bool   `json:"overdue,omitempty"`       // past the deadline, not rectified
	CampaignID   int64  `json:"campaign_id,omitempty"`   // 排查整治行动
	EnterpriseID int64  `json:"enterprise_id,omitempty"` // one enterprise or place
	From         string `json:"from,omitempty"`          // found on or after, YYYY-MM-DD
	To           string `json:"to,omitempty"`            // found on or before
	Q            string `json:"q,omitempty"`             // Chinese substring of number, enterprise, location, description, responsible
	Sort         string `json:"sort,omitempty"`          // found, found_asc, deadline, deadline_desc
	After        string `json:"after,omitempty"`         // cursor of the next page
	Before       string `json:"before,omitempty"`        // cursor of the previous page
	Limit        int    `json:"limit,omitempty"`         // 1–100, default 20
}

// FilterParams documents the query parameters (OpenAPI).
var FilterParams = [][3]string{
	{"org_id", "integer", "the org subtree (default: the caller's scope)"},
	{"status", "string", "registered, rectifying, awaiting_acceptance, closed, cancelled, or open (the first three)"},
	{"grade", "string", "general or major"},
	{"category", "string", "category code (GET /api/v1/hazards/categories)"},
	{"industry", "string", "the enterprise's industry"},
	{"overdue", "boolean", "only hazards past their deadline and not rectified"},
	{"campaign_id", "integer", "hazards of an investigation campaign"},
	{"enterprise_id", "integer", "hazards of one enterprise or place"},
	{"from", "string", "found on or after, YYYY-MM-DD"},
	{"to", "string", "found on or before, YYYY-MM-DD"},
	{"q", "string", "substring of the number, enterprise, location, description or responsible unit/person (Chinese works)"},
	{"sort", "string", "found (newest first, default), found_asc, deadline, deadline_desc"},
	{"after", "string", "cursor: the page after (next in the previous answer)"},
	{"before", "string", "cursor: the page before (prev in the previous answer)"},
	{"limit", "integer", "rows per page, 1–100 (default 20)"},
}

// ParseFilter reads a Filter from query parameters.
func ParseFilter(v url.Values) (Filter, error) {
	f := Filter{Status: strings.TrimSpace(v.Get("status")), Grade: strings.TrimSpace(v.Get("grade")), Category: strings.TrimSpace(v.Get("category")),
		Industry: strings.TrimSpace(v.Get("industry")), From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")),
		Q: strings.TrimSpace(v.Get("q")), Sort: strings.TrimSpace(v.Get("sort")), After: v.Get("after"), Before: v.Get("before")}
	var err error
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"org_id", &f.OrgID}, {"campaign_id", &f.CampaignID}, {"enterprise_id", &f.EnterpriseID}} {
		if s := strings.TrimSpace(v.Get(p.name)); s != "" {
			if *p.dst, err = parseID(s); err != nil {
				return f, apperr.Field(apperr.EINVALID, p.name, "%s 须为正整数 / %s must be a positive integer", p.name, p.name)
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(v.Get("overdue"))) {
	case "", "0", "false", "no", "off":
	case "1", "true", "yes", "on":
		f.Overdue = true
	default:
		return f, apperr.Field(apperr.EINVALID, "overdue", "overdue 须为 true 或 false / overdue must be true or false")
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
	case "", StatusOpen, Registered, Rectifying, AwaitingAcceptance, Closed, Cancelled:
	default:
		return apperr.Field(apperr.EINVALID, "status", "没有状态“%s” / no status %q", f.Status, f.Status)
	}
	switch f.Grade {
	case "", General, Major:
	default:
		return apperr.Field(apperr.EINVALID, "grade", "隐患等级只能是 general 或 major / grade is general or major")
	}
	switch f.Sort {
	case "":
		f.Sort = SortFound
	case SortFound, SortFoundAsc, SortDeadline, SortDeadlineDesc:
	default:
		return apperr.Field(apperr.EINVALID, "sort", "排序只能是 found、found_asc、deadline、deadline_desc / sort is found, found_asc, deadline or deadline_desc")
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
	if f.After != "" && f.Before != "" {
		return apperr.Field(apperr.EINVALID, "after", "after 与 before 只能给一个 / give after or before, not both")
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		return apperr.Field(apperr.EINVALID, "limit", "limit 须在 1–%d 之间 / limit must be 1–%d", MaxLimit, MaxLimit)
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
	set("grade", f.Grade)
	set("category", f.Category)
	set("industry", f.Industry)
	if f.Overdue {
		v.Set("overdue", "1")
	}
	if f.CampaignID != 0 {
		v.Set("campaign_id", itoa(f.CampaignID))
	}
	if f.EnterpriseID != 0 {
		v.Set("enterprise_id", itoa(f.EnterpriseID))
	}
	set("from", f.From)
	set("to", f.To)
	set("q", f.Q)
	if f.Sort != SortFound {
		set("sort", f.Sort)
	}
	if f.Limit != DefaultLimit && f.Limit != 0 {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	return v
}

// Row is one line of the ledger.
type Row struct {
	ID                int64      `json:"id"`
	Number            string     `json:"number"`
	Status            string     `json:"status"`
	Grade             string     `json:"grade"`
	Category          string     `json:"category"`
	CategoryName      string     `json:"category_name"`
	Source            string     `json:"source"`
	Description       string     `json:"description"`
	Location          string     `json:"location"`
	EnterpriseID      *int64     `json:"enterprise_id"`
	EnterpriseName    string     `json:"enterprise_name"`
	TerritoryOrgID    int64      `json:"territory_org_id"`
	TerritoryName     string     `json:"territory_name"`
	ResponsibleUnit   string     `json:"responsible_unit"`
	ResponsiblePerson string     `json:"responsible_person"`
	FoundAt           time.Time  `json:"found_at"`
	Deadline          string     `json:"deadline"`
	ClosedAt          *time.Time `json:"closed_at"`
	Overdue           bool       `json:"overdue"`
	DaysOverdue       int        `json:"days_overdue"`
	ExtensionPending  bool       `json:"extension_pending"`
	Listed            bool       `json:"listed"`
}

// Page is one page of the ledger.
type Page struct {
	Rows []Row `json:"rows"`
	// Total counts the matching hazards up to CountCap; TotalExact is false
	// when there are more (shown as "10,000+"). Total is null when counting
	// would have taken longer than the page may (the count gives up after
	// 15 ms rather than delay the page).
	Total      *int `json:"total"`
	TotalExact bool `json:"total_exact"`
	// Next and Prev are the cursors of the neighbouring pages ("" at the ends).
	Next string `json:"next,omitempty"`
	Prev string `json:"prev,omitempty"`
	// SearchWindow is set when a short query looked at the newest
	// ShortSearchWindow hazards only.
	SearchWindow int `json:"search_window,omitempty"`
}

// Counted reports whether the total was counted.
func (p *Page) Counted() bool { return p.Total != nil }

// Count is the total counted (0 when it was not).
func (p *Page) Count() int {
	if p.Total == nil {
		return 0
	}
	return *p.Total
}

const rowCols = `h.id, h.number, h.status, h.grade, h.category, COALESCE(c.name, h.category), h.source, h.description, h.location,
	h.enterprise_id, h.enterprise_name, h.territory_org_id, t.name, h.responsible_unit, h.responsible_person, h.found_at, h.deadline,
	h.closed_at, h.ext_deadline IS NOT NULL, h.listed_org_id IS NOT NULL`

const rowFrom = ` FROM hazards h JOIN orgs t ON t.id = h.territory_org_id LEFT JOIN hazard_categories c ON c.code = h.category`

func scanRow(rows *sql.Rows, today calendar.Date) (Row, error) {
	var r Row
	var ent sql.NullInt64
	var closed sql.NullTime
	err := rows.Scan(&r.ID, &r.Number, &r.Status, &r.Grade, &r.Category, &r.CategoryName, &r.Source, &r.Description, &r.Location,
		&ent, &r.EnterpriseName, &r.TerritoryOrgID, &r.TerritoryName, &r.ResponsibleUnit, &r.ResponsiblePerson, &r.FoundAt, &r.Deadline,
		&closed, &r.ExtensionPending, &r.Listed)
	if err != nil {
		return r, err
	}
	r.EnterpriseID, r.ClosedAt, r.FoundAt = nullID(ent), nullTime(closed), r.FoundAt.UTC()
	if d, err := calendar.ParseDate(r.Deadline); err == nil && (r.Status == Registered || r.Status == Rectifying) && d.Before(today) {
		r.Overdue, r.DaysOverdue = true, daysBetween(d, today)
	}
	return r, nil
}

// query is a ledger query turned into SQL conditions, with what the
// page's plan needs to know about them.
type query struct {
	conds  []string
	args   []any
	window int
	// eq: an equality on an indexed column (status, grade, category,
	// industry, enterprise, campaign), which the planner walks in the
	// sort's order by itself; open and todo: the status filters that have
	// partial indexes in found order.
	eq, open, todo bool
	// search is the substring condition, apart: walkSearch is the same
	// test that no index serves (PostgreSQL), for walking the sort order.
	search, walkSearch string
	searchArgs         []any
	walkArgs           []any // walkSearch's, when they differ
	ftsOnly            bool  // the search is the only filter (SQLite)
	// cands are the filters that an index of their own can enumerate
	// (SQLite's plan, see List).
	cands []candidate
	// scope is the index in conds of the subtree's condition (-1: none).
	scope int
}

// candidate is a filter with the index that enumerates it ("" with rowid:
// by the primary key, e.g. the search's matches).
type candidate struct {
	index string
	cond  string
	args  []any
	rowid bool
	free  bool // no hint: the planner's unique index
	// probe, when set, counts the candidate's rows without the hazards
	// table (the search's own index).
	probe string
	// ordered: the index lists the candidate's rows in found order.
	ordered bool
	n       int // rows, as probed (at most probeMax+1)
}

// from is the FROM clause that reads the candidate's rows through its index.
func (c *candidate) from() string {
	switch {
	case c.free:
		return " FROM hazards h"
	case c.rowid:
		return " FROM hazards h NOT INDEXED"
	}
	return " FROM hazards h INDEXED BY " + c.index
}

func (q *query) cand(index, cond string, args ...any) {
	ordered := index != "hazards_path" && index != "hazards_overdue"
	q.cands = append(q.cands, candidate{index: index, cond: cond, args: args, ordered: ordered})
}

func (q *query) add(cond string, args ...any) {
	q.conds = append(q.conds, cond)
	q.args = append(q.args, args...)
}

// where returns the conditions with the search (walk: its unindexed form).
func (q *query) where(walk bool, extra ...string) (string, []any) {
	conds := append(append([]string(nil), q.conds...), extra...)
	args := append([]any(nil), q.args...)
	if q.search != "" {
		if walk && q.walkSearch != "" {
			conds = append(conds, q.walkSearch)
			if q.walkArgs != nil {
				args = append(args, q.walkArgs...)
			} else {
				args = append(args, q.searchArgs...)
			}
		} else {
			conds = append(conds, q.search)
			args = append(args, q.searchArgs...)
		}
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// build turns f into conditions, authorizing the org subtree (out of scope: not found).
func (s *Service) build(ctx context.Context, a *auth.Actor, f *Filter) (*query, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	q := &query{}
	root, err := org.RootPath(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	// scope adds the subtree at path, unless it is the whole district.
	scope := func(paths ...string) {
		for _, p := range paths {
			if p == root {
				return
			}
		}
		var ors []string
		for _, p := range paths {
			cond, args := org.SubtreeSQL("h.path", p)
			ors = append(ors, cond)
			q.args = append(q.args, args...)
		}
		q.scope = len(q.conds)
		if len(ors) == 1 {
			q.conds = append(q.conds, ors[0])
			_, args := org.SubtreeSQL("h.path", paths[0])
			q.cand("hazards_path", ors[0], args...)
			return
		}
		q.conds = append(q.conds, "("+strings.Join(ors, " OR ")+")")
	}
	q.scope = -1
	switch {
	case f.OrgID != 0:
		o, err := org.ByID(ctx, s.DB, f.OrgID)
		if err != nil {
			return nil, err
		}
		if err := s.Auth.Check(ctx, a, auth.HazardView, o.Path, "org", itoa(o.ID)); err != nil {
			return nil, err
		}
		scope(o.Path)
	case a != nil && a.Operator:
	default:
		if a == nil {
			return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
		}
		var paths []string
		for _, p := range a.Scopes(auth.HazardView) {
			if p != "" {
				paths = append(paths, p)
			}
		}
		if len(paths) == 0 {
			return nil, s.Auth.Refuse(ctx, a, auth.HazardView, "hazard", apperr.NotFound("hazard"))
		}
		scope(paths...)
	}
	switch f.Status {
	case "":
	case StatusOpen:
		q.add("h.status IN ('registered', 'rectifying', 'awaiting_acceptance')")
		q.cand("hazards_open_found", "h.status IN ('registered', 'rectifying', 'awaiting_acceptance')")
		q.open = true
	default:
		q.add("h.status = ?", f.Status)
		q.cand("hazards_status", "h.status = ?", f.Status)
		q.eq = true
	}
	if f.Overdue {
		today := s.today().String()
		q.add("h.status IN ('registered', 'rectifying') AND h.deadline < ?", today)
		q.cand("hazards_overdue", "h.status IN ('registered', 'rectifying') AND h.deadline < ?", today)
		q.todo = true
	}
	for _, c := range []struct {
		col, index string
		v          any
		set        bool
	}{{"h.grade", "hazards_grade", f.Grade, f.Grade != ""}, {"h.category", "hazards_category", f.Category, f.Category != ""},
		{"h.industry", "hazards_industry", f.Industry, f.Industry != ""},
		{"h.campaign_id", "hazards_campaign", f.CampaignID, f.CampaignID != 0}, {"h.enterprise_id", "hazards_enterprise", f.EnterpriseID, f.EnterpriseID != 0}} {
		if c.set {
			q.add(c.col+" = ?", c.v)
			q.cand(c.index, c.col+" = ?", c.v)
			q.eq = true
		}
	}
	var found []string
	var foundArgs []any
	if f.From != "" {
		d, _ := calendar.ParseDate(f.From)
		found, foundArgs = append(found, "h.found_at >= ?"), append(foundArgs, d.Time().UTC())
	}
	if f.To != "" {
		d, _ := calendar.ParseDate(f.To)
		found, foundArgs = append(found, "h.found_at < ?"), append(foundArgs, d.AddDays(1).Time().UTC())
	}
	if len(found) > 0 {
		q.add(strings.Join(found, " AND "), foundArgs...)
		q.cand("hazards_found", strings.Join(found, " AND "), foundArgs...)
	}
	if f.Q != "" {
		if err := s.search(ctx, q, f.Q); err != nil {
			return nil, err
		}
	}
	// PostgreSQL estimates a subtree's range well but still likes to turn
	// it into a bitmap to intersect with the other filters' (40–60 ms for a
	// township's 80,000 rows of a million), where walking the other
	// filter's index and testing the path on each row takes a few. With
	// other filters the range is written so that no index serves it.
	if s.DB.Dialect == db.Postgres && q.scope >= 0 && len(q.conds)+len(q.searchArgs) > q.scope+1 {
		q.conds[q.scope] = strings.ReplaceAll(q.conds[q.scope], "h.path", `(h.path || '') COLLATE "C"`)
	}
	return q, nil
}

// numberRE matches a hazard's number.
var numberRE = regexp.MustCompile(`(?i)^yh-\d{4}-\d{6}$`)

// escapeLike escapes LIKE's wildcards with a backslash.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// search adds the substring search: on PostgreSQL the trigram index on the
// spelt-out key (any length) confirmed by a LIKE on the text; on SQLite
// the FTS5 trigram index (three characters or more) or, for one or two, a
// LIKE over the newest ShortSearchWindow hazards.
func (s *Service) search(ctx context.Context, q *query, text string) error {
	if numberRE.MatchString(text) {
		// A hazard's number: its unique index.
		q.search, q.searchArgs = "h.number = ?", []any{strings.ToUpper(text)}
		q.cands = append(q.cands, candidate{cond: q.search, args: q.searchArgs, free: true})
		return nil
	}
	if s.DB.Dialect == db.Postgres {
		q.search = `h.search_grams @> ? AND h.search_text ILIKE ? ESCAPE '\'`
		q.walkSearch = `h.search_text ILIKE ? ESCAPE '\'`
		q.searchArgs = []any{queryGrams(text), "%" + escapeLike(text) + "%"}
		q.walkArgs = []any{"%" + escapeLike(text) + "%"}
		return nil
	}
	if utf8.RuneCountInString(text) >= 3 {
		q.search = "h.id IN (SELECT rowid FROM hazards_fts WHERE hazards_fts MATCH ?)"
		q.searchArgs = []any{`"` + strings.ReplaceAll(text, `"`, `""`) + `"`}
		q.cands = append(q.cands, candidate{cond: q.search, args: q.searchArgs, rowid: true,
			probe: "SELECT rowid FROM hazards_fts WHERE hazards_fts MATCH ?"})
		// Walking the sort order through many matches, a LIKE on the row
		// read anyway is cheaper than gathering every match of the index.
		q.walkSearch = `h.search_text LIKE ? ESCAPE '\'`
		q.walkArgs = []any{"%" + escapeLike(text) + "%"}
		q.ftsOnly = len(q.conds) == 0
		return nil
	}
	var maxID sql.NullInt64
	if err := s.DB.QueryRow(ctx, "SELECT MAX(id) FROM hazards").Scan(&maxID); err != nil {
		return err
	}
	q.add(`h.id > ? AND h.search_text LIKE ? ESCAPE '\'`, maxID.Int64-ShortSearchWindow, "%"+escapeLike(text)+"%")
	q.cands = append(q.cands, candidate{cond: "h.id > ?", args: []any{maxID.Int64 - ShortSearchWindow}, rowid: true})
	q.window = ShortSearchWindow
	return nil
}

// sortSQL returns the sort column, whether it descends, and the ORDER BY.
func sortSQL(sort string, reverse bool) (col string, desc bool, order string) {
	col, desc = "h.found_at", true
	switch sort {
	case SortFoundAsc:
		desc = false
	case SortDeadline:
		col, desc = "h.deadline", false
	case SortDeadlineDesc:
		col = "h.deadline"
	}
	if reverse {
		desc = !desc
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return col, desc, " ORDER BY " + col + dir + ", h.id" + dir
}

// cursor is the position after (or before) a row: its sort value and id.
func cursorOf(sort string, r Row) string {
	v := r.Deadline
	if sort == SortFound || sort == SortFoundAsc {
		v = strconv.FormatInt(r.FoundAt.UnixMicro(), 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(v + "|" + itoa(r.ID)))
}

func parseCursor(sort, c string) (any, int64, error) {
	bad := apperr.Field(apperr.EINVALID, "after", "翻页参数无效 / invalid page cursor")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, 0, bad
	}
	v, idS, ok := strings.Cut(string(b), "|")
	if !ok {
		return nil, 0, bad
	}
	id, err := parseID(idS)
	if err != nil {
		return nil, 0, bad
	}
	if sort == SortFound || sort == SortFoundAsc {
		us, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, 0, bad
		}
		return time.UnixMicro(us).UTC(), id, nil
	}
	if _, err := calendar.ParseDate(v); err != nil {
		return nil, 0, bad
	}
	return v, id, nil
}

// Counting and walking.
const (
	// countBudget bounds the count: a total that takes longer is not shown
	// (the first page must come in 50 ms at a million hazards).
	countBudget = 15 * time.Millisecond
	// pgCountCost: the largest planner cost of a count PostgreSQL makes
	// (about 10 ms on the measuring machine; see BenchmarkLedger).
	pgCountCost = 2500
	// sparse (PostgreSQL): with at most this many matches, reading them
	// as the count did (the planner's most selective index) and sorting
	// them is cheapest; with more, walking the index of the sort's order
	// and stopping when the page is full.
	sparse = 2000
)

// count counts the matches up to CountCap+1 within countBudget; ok is
// false when it took longer.
func (s *Service) count(ctx context.Context, q *query, via *candidate) (n int, ok bool, err error) {
	if skipCount {
		return 0, false, nil
	}
	where, args := q.where(false)
	from := " FROM hazards h"
	if via != nil {
		from = via.from()
	}
	query := "SELECT count(*) FROM (SELECT 1" + from + where + " LIMIT " + strconv.Itoa(CountCap+1) + ") x"
	if q.ftsOnly && s.DB.Dialect == db.SQLite {
		// The search alone: its own index counts without reading a row.
		query, args = "SELECT count(*) FROM (SELECT rowid FROM hazards_fts WHERE hazards_fts MATCH ? LIMIT "+strconv.Itoa(CountCap+1)+") x", q.searchArgs
	}
	if s.DB.Dialect == db.Postgres {
		// The planner's estimate first: a count whose plan costs more than
		// pgCountCost (it intersects large index ranges) is not made at
		// all, since a bitmap scan does not stop for a timeout at once.
		// The statement timeout guards the rest; the connection stays usable.
		skip := false
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL max_parallel_workers_per_gather = 0"); err != nil {
				return err
			}
			if costly, err := ledgerplan.TooCostly(ctx, tx, pgCountCost, query, args...); err != nil || costly {
				skip = costly
				return err
			}
			if err := ledgerplan.SetTimeout(ctx, tx, countBudget); err != nil {
				return err
			}
			return tx.QueryRow(ctx, query, args...).Scan(&n)
		})
		if skip || ledgerplan.Canceled(err) {
			return 0, false, nil
		}
		return n, err == nil, err
	}
	return ledgerplan.CountWithin(ctx, s.DB, countBudget, query, args...)
}

// walkIndex names the index a SQLite page walks in the sort's order.
func walkIndex(q *query, sort string) string {
	switch sort {
	case SortDeadline, SortDeadlineDesc:
		if q.todo {
			return "hazards_overdue"
		}
		return "hazards_deadline"
	}
	switch {
	case q.todo:
		return "hazards_todo_found"
	case q.open:
		return "hazards_open_found"
	}
	return "hazards_found"
}

// A filter whose own index yields at most probeCap rows drives the page
// (its rows are read and sorted); when every filter yields more, the page
// walks an index in the sort's order (the smallest filter's, when it is
// ordered so) and stops when it is full. Probes count up to probeMax.
var (
	probeCap = 8000
	probeMax = 12000
	// skipCount (tests only) makes every count too slow.
	skipCount = false
)

// probe counts each candidate's rows through its own index, up to
// probeMax+1, and returns the smallest (nil when there is no candidate).
func (s *Service) probe(ctx context.Context, q *query) (*candidate, error) {
	var best *candidate
	for i := range q.cands {
		c := &q.cands[i]
		inner := "SELECT 1" + c.from() + " WHERE " + c.cond
		if c.probe != "" {
			inner = c.probe
		}
		if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM ("+inner+" LIMIT "+strconv.Itoa(probeMax+1)+") x", c.args...).Scan(&c.n); err != nil {
			return nil, err
		}
		if best == nil || c.n < best.n {
			best = c
		}
	}
	return best, nil
}

// walkVia names the index a SQLite page walks: the smallest candidate's
// that lists rows in found order when the sort is by finding, else the
// sort's own (or the partial one of the status filter).
func walkVia(q *query, sort string) string {
	if sort == SortFound || sort == SortFoundAsc {
		var best *candidate
		for i := range q.cands {
			c := &q.cands[i]
			if c.ordered && !c.rowid && !c.free && (best == nil || c.n < best.n) {
				best = c
			}
		}
		// Even when every filter has more rows than a probe counts, an
		// ordered filter's index holds a subset of the rows in found order:
		// walking it never reads more than walking the finding index.
		if best != nil {
			return best.index
		}
	}
	return walkIndex(q, sort)
}

// keyed is a match with its sort value.
type keyed struct {
	id    int64
	found time.Time
	dl    string
}

// List returns one page of the ledger for the actor, and the total
// counted up to CountCap when that is quick.
//
// SQLite's planner cannot tell how many rows a subtree range holds and
// picks it over better indexes, so on SQLite the plan is chosen here: each
// filter's own index is probed (a capped count); when one yields few rows
// they are all read through it, counted exactly and sorted; otherwise the
// page walks the index of its sort order and stops when full, and the
// total is counted within a time budget. PostgreSQL's planner, with its
// statistics, chooses well by itself.
func (s *Service) List(ctx context.Context, a *auth.Actor, f Filter) (*Page, error) {
	q, err := s.build(ctx, a, &f)
	if err != nil {
		return nil, err
	}
	page := &Page{Rows: []Row{}, SearchWindow: q.window}
	var ids []int64
	var more bool
	if s.DB.Dialect == db.SQLite {
		c, err := s.probe(ctx, q)
		if err != nil {
			return nil, err
		}
		if c != nil && c.n <= probeCap {
			ids, more, err = s.enumerate(ctx, q, c, f, page)
		} else {
			// The count (within its budget) and the page are separate
			// reads on separate connections: run side by side, the page
			// costs the longer of the two rather than their sum.
			counted := make(chan error, 1)
			go func() { counted <- s.countInto(ctx, q, c, page) }()
			ids, more, err = s.walk(ctx, q, f, walkVia(q, f.Sort), true)
			if cerr := <-counted; err == nil {
				err = cerr
			}
		}
		if err != nil {
			return nil, err
		}
	} else {
		// PostgreSQL: a few matches are read as the count read them (the
		// planner's best index) and sorted; many are walked in the sort's
		// order, the search by its LIKE (its index would gather them all).
		if err := s.countInto(ctx, q, nil, page); err != nil {
			return nil, err
		}
		if page.Total != nil && page.TotalExact && *page.Total <= sparse {
			ids, more, err = s.enumerate(ctx, q, &candidate{free: true}, f, page)
		} else {
			// Many matches, or a count too costly to make (its plan
			// intersects large index ranges): the planner walks an index
			// in the sort's order and stops at a page.
			ids, more, err = s.walk(ctx, q, f, "", true)
		}
		if err != nil {
			return nil, err
		}
	}
	backward := f.Before != ""
	if page.Rows, err = s.rows(ctx, ids); err != nil {
		return nil, err
	}
	if len(page.Rows) > 0 {
		first, last := page.Rows[0], page.Rows[len(page.Rows)-1]
		if backward {
			page.Next = cursorOf(f.Sort, last)
			if more {
				page.Prev = cursorOf(f.Sort, first)
			}
		} else {
			if more {
				page.Next = cursorOf(f.Sort, last)
			}
			if f.After != "" {
				page.Prev = cursorOf(f.Sort, first)
			}
		}
	}
	return page, nil
}

// sortCol is the column the page is sorted by, and whether it is found_at.
func sortCol(sort string) (string, bool) {
	if sort == SortFound || sort == SortFoundAsc {
		return "h.found_at", true
	}
	return "h.deadline", false
}

// gather reads every match's id and sort value through candidate c.
func (s *Service) gather(ctx context.Context, q *query, c *candidate, f Filter) ([]keyed, error) {
	col, byFound := sortCol(f.Sort)
	where, args := q.where(false)
	var all []keyed
	err := s.read(ctx, func(qr db.Querier) error {
		rows, err := qr.Query(ctx, "SELECT h.id, "+col+c.from()+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k keyed
			if byFound {
				err = rows.Scan(&k.id, &k.found)
			} else {
				err = rows.Scan(&k.id, &k.dl)
			}
			if err != nil {
				return err
			}
			all = append(all, k)
		}
		return rows.Err()
	})
	return all, err
}

// enumerate reads every match through candidate c's index, counts them
// and returns the page's ids (in display order) and whether more follow.
func (s *Service) enumerate(ctx context.Context, q *query, c *candidate, f Filter, page *Page) ([]int64, bool, error) {
	all, err := s.gather(ctx, q, c, f)
	if err != nil {
		return nil, false, err
	}
	return pageOf(all, f, page)
}

// pageOf counts all (the matches) and cuts the page from them.
func pageOf(all []keyed, f Filter, page *Page) ([]int64, bool, error) {
	_, byFound := sortCol(f.Sort)
	n := min(len(all), CountCap)
	page.Total, page.TotalExact = &n, len(all) <= CountCap
	// Sort ascending by (value, id), then read in the page's direction.
	less := func(a, b keyed) bool {
		if byFound {
			if !a.found.Equal(b.found) {
				return a.found.Before(b.found)
			}
		} else if a.dl != b.dl {
			return a.dl < b.dl
		}
		return a.id < b.id
	}
	sort.Slice(all, func(i, j int) bool { return less(all[i], all[j]) })
	_, desc, _ := sortSQL(f.Sort, false)
	if desc {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	// all is in display order; find the cursor.
	start, end := 0, len(all)
	if c := f.After + f.Before; c != "" {
		v, id, err := parseCursor(f.Sort, c)
		if err != nil {
			return nil, false, err
		}
		k := keyed{id: id}
		if t, ok := v.(time.Time); ok {
			k.found = t
		} else {
			k.dl, _ = v.(string)
		}
		// position of the first row past the cursor in display order
		pos := sort.Search(len(all), func(i int) bool {
			if desc {
				return less(all[i], k)
			}
			return less(k, all[i])
		})
		if f.After != "" {
			start = pos
		} else {
			// rows before the cursor: those strictly before it in display order
			end = sort.Search(len(all), func(i int) bool {
				if desc {
					return !less(k, all[i])
				}
				return !less(all[i], k)
			})
		}
	}
	var ids []int64
	more := false
	if f.Before != "" {
		lo := max(start, end-f.Limit)
		more = lo > start
		for _, k := range all[lo:end] {
			ids = append(ids, k.id)
		}
		return ids, more, nil
	}
	hi := min(end, start+f.Limit)
	more = hi < end
	for _, k := range all[start:hi] {
		ids = append(ids, k.id)
	}
	return ids, more, nil
}

// read runs fn on the read pool, on PostgreSQL in a transaction without
// parallel workers: starting them costs more than a page's query takes, and
// the planner reaches for them when it fears a long scan that the LIMIT
// will cut short.
func (s *Service) read(ctx context.Context, fn func(db.Querier) error) error {
	if s.DB.Dialect != db.Postgres {
		return fn(s.DB)
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL max_parallel_workers_per_gather = 0"); err != nil {
			return err
		}
		return fn(tx)
	})
}

// countInto counts the total within the budget (through via's index on
// SQLite) and sets it on page when it was counted.
func (s *Service) countInto(ctx context.Context, q *query, via *candidate, page *Page) error {
	n, counted, err := s.count(ctx, q, via)
	if err != nil {
		return err
	}
	if counted {
		t := min(n, CountCap)
		page.Total, page.TotalExact = &t, n <= CountCap
	}
	return nil
}

// walk reads the page by keyset in the sort's order (through index on
// SQLite, as the planner likes on PostgreSQL; walkSearch: with the
// search's form that reads the row rather than gathers every match).
func (s *Service) walk(ctx context.Context, q *query, f Filter, index string, walkSearch bool) ([]int64, bool, error) {
	backward := f.Before != ""
	col, desc, order := sortSQL(f.Sort, backward)
	var extra []string
	var cursorArgs []any
	if c := f.After + f.Before; c != "" {
		v, id, err := parseCursor(f.Sort, c)
		if err != nil {
			return nil, false, err
		}
		op := ">"
		if desc {
			op = "<"
		}
		extra = append(extra, "("+col+", h.id) "+op+" (?, ?)")
		cursorArgs = []any{v, id}
	}
	where, args := q.where(walkSearch, extra...)
	// The cursor's condition comes after the filters', before the search's.
	if len(cursorArgs) > 0 {
		nf := len(q.args)
		args = append(append(append([]any(nil), args[:nf]...), cursorArgs...), args[nf:]...)
	}
	from := " FROM hazards h"
	if index != "" {
		from += " INDEXED BY " + index
	}
	var ids []int64
	err := s.read(ctx, func(qr db.Querier) (err error) {
		ids, err = ledgerplan.IDs(ctx, qr, "SELECT h.id"+from+where+order+" LIMIT "+strconv.Itoa(f.Limit+1), args...)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	ids, more := ledgerplan.Cut(ids, f.Limit, backward)
	return ids, more, nil
}

// rows reads the ledger lines of ids, in that order.
func (s *Service) rows(ctx context.Context, ids []int64) ([]Row, error) {
	if len(ids) == 0 {
		return []Row{}, nil // the page's rows, never null
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.DB.Query(ctx, "SELECT "+rowCols+rowFrom+" WHERE h.id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	today := s.today()
	return ledgerplan.ScanInOrder(rows, ids, func(rows *sql.Rows) (Row, int64, error) {
		r, err := scanRow(rows, today)
		return r, r.ID, err
	})
}
