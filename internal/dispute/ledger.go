package dispute

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
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
	// false when there are more. Counted is false when counting would have
	// taken longer than a page may (15 ms): Total is 0 then.
	Total      int  `json:"total"`
	TotalExact bool `json:"total_exact"`
	Counted    bool `json:"counted"`
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

// How a page is read at a million disputes (see docs/benchmarks.md,
// "petition cases and disputes at 1,000,000"), as the petition ledger does.
//
// Every filter's index (migration 00015) carries, after its own column and
// (occurred_at, id), the other filters' columns — status, type, risk level,
// urgency, many people, deadline and both paths — so that a page walked
// through one filter's index tests the others, and the subtree of
// territory or responsible org, on the index entry without reading the
// dispute (on SQLite a dispute read costs ten index entries), and a count
// is a walk of index entries. A district-wide reader has no subtree
// condition at all. The subtree is otherwise two index ranges (the
// territory's, the responsible org's) ORed: on SQLite they are read as a
// UNION ALL of the two ranges when that is the smallest way to the
// disputes (an org without orgs below it is one value of each index, read
// newest-first); PostgreSQL ORs them itself.
//
// The substring search has an index of its own: on SQLite an FTS5 trigram
// index, for a query of one or two characters through the indexed trigrams
// that begin with it; on PostgreSQL a GIN index of each dispute's
// characters and character pairs (pg_trgm takes no trigrams from Chinese
// under the C locale). Either is confirmed by the LIKE. When the search
// matches many disputes, the page walks the newest-first index and tests
// the LIKE on each dispute read, which is cheaper than gathering every match.
//
// SQLite's planner cannot tell how many disputes a value holds, so the
// plan is chosen here (pagePlan): each filter's size is known (planSizes)
// or probed (a count of its index entries capped at probeMax); the page
// walks the smallest ordered filter's index newest-first and stops when
// full, or reads a small unordered filter's disputes and sorts them; the
// total is counted through the smallest filter within countBudget, beside
// the page on another connection. PostgreSQL's planner, with its
// statistics, picks the index itself: the count (within its budget) brings
// the matches when there are at most pgSparse, as the planner read them,
// and they are sorted here for the page; more are walked in the page's
// order; all without parallel workers and with plans made for the values
// at hand (pgReadSettings).

// probeMax: a probe counts a filter's disputes up to this many (about 2 ms
// of index entries on SQLite); a variable for tests.
var probeMax = 8000

const (
	// sortMax: a filter whose index is not in the page's order is read
	// and sorted for the page when it holds at most this many disputes.
	sortMax = 4000
	// probeRows: the search's matches are read whole up to this many, each
	// a dispute read (ten times an index entry).
	probeRows = 3000
	// countBudget bounds the count: a total that takes longer is left out
	// (Counted false) rather than delay the page.
	countBudget = 15 * time.Millisecond
	// pgSearchBudget: on PostgreSQL the count brings a sparse page too
	// (countPG), and the search's character pairs make a sparse count
	// slower; given up, the page walks the newest disputes with the LIKE,
	// through all of them when the matches are few.
	pgSearchBudget = 30 * time.Millisecond
	// pgCountCost: the largest planner cost of a count PostgreSQL makes; a
	// costlier plan is not started, since a bitmap scan does not stop at
	// once for a timeout.
	pgCountCost = 4000
	// pgSparse: at most this many matches, brought by the count as
	// PostgreSQL read them, are sorted here for the page; with more the
	// page walks.
	pgSparse = 2000
	// shortTerms: a query of one or two characters is looked up through
	// at most this many indexed trigrams beginning with it; a query that
	// begins more is common enough that walking the newest disputes finds
	// a page at once.
	shortTerms = 64
)

// openIn is the open states' condition, written as the partial indexes'
// (SQLite uses a partial index only for its very term).
const openIn = "d.status IN ('registered', 'resolving', 'stable')"

// numberRE matches a dispute's number (as the search text holds it, lower case).
var numberRE = regexp.MustCompile(`^md-\d{4}-\d{6}$`)

// query is the ledger's conditions, with the filters that an index of
// their own can list (candidates, for SQLite's plan).
type query struct {
	conds []string
	args  []any
	cands []candidate
	// The substring search, apart: search is its indexed form, walkSearch
	// the LIKE tested on a dispute read anyway.
	search, walkSearch   string
	searchArgs, walkArgs []any
	fts                  bool // search is the FTS5 match (SQLite)
}

// candidate is a filter and the index that lists its disputes.
type candidate struct {
	index   string
	cond    string
	args    []any
	free    bool   // the planner's choice: the search's matches, a number
	ordered bool   // its index (each of its branches') lists the filter's disputes newest-first
	probe   string // counts its disputes (without LIMIT), when not through index
	max     int    // read whole up to this many (sortMax when 0)
	// col and values: an equality (or IN) on a column whose value sizes
	// are known (see planSizes), so that it needs no probe.
	col    string
	values []string
	// branches: the subtree, whose disputes are the union of its index ranges.
	branches []branch
	n        int
}

// branch is one index range of the subtree.
type branch struct {
	index, cond string
	args        []any
}

func (q *query) add(c string, x ...any) { q.conds, q.args = append(q.conds, c), append(q.args, x...) }

// filter adds a condition that index can list; ordered: newest-first.
func (q *query) filter(index string, ordered bool, c string, x ...any) *candidate {
	q.add(c, x...)
	q.cands = append(q.cands, candidate{index: index, cond: c, args: x, ordered: ordered})
	return &q.cands[len(q.cands)-1]
}

// where returns the conditions (walk: the search's LIKE form) and their
// arguments, extra last (without theirs).
func (q *query) where(walk bool, extra ...string) (string, []any) {
	conds := append([]string(nil), q.conds...)
	args := append([]any(nil), q.args...)
	switch {
	case walk && q.walkSearch != "":
		conds, args = append(conds, q.walkSearch), append(args, q.walkArgs...)
	case !walk && q.search != "":
		conds, args = append(conds, q.search), append(args, q.searchArgs...)
	}
	// The caller appends extra's arguments.
	conds = append(conds, extra...)
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// where builds the ledger's conditions for a (the export's: the search as
// a LIKE on each dispute read); an org out of scope answers ENOTFOUND, as
// if it did not exist.
func (s *Service) where(ctx context.Context, a *auth.Actor, f *Filter) (string, []any, error) {
	q, err := s.build(ctx, a, f)
	if err != nil {
		return "", nil, err
	}
	w, args := q.where(true)
	if w == "" {
		w = " WHERE 1 = 1"
	}
	return w, args, nil
}

// build turns f into the ledger's conditions for a.
func (s *Service) build(ctx context.Context, a *auth.Actor, f *Filter) (*query, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	action := auth.DisputeView
	if f.Phone != "" {
		// Finding a dispute by a person's phone is a use of personal data:
		// for those who handle disputes, within where they handle them.
		action = auth.DisputeManage
	}
	root, err := org.RootPath(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	var scopes []string
	if a.Operator {
		scopes = []string{root}
	} else {
		scopes = a.Scopes(action)
	}
	if len(scopes) == 0 {
		if action == auth.DisputeManage && a.CanAnywhere(auth.DisputeView) {
			return nil, s.Auth.Refuse(ctx, a, action, "dispute", apperr.Field(apperr.EFORBIDDEN, "phone", "按电话查找仅限纠纷办理人员 / only those who handle disputes search by phone"))
		}
		return nil, s.Auth.Refuse(ctx, a, action, "dispute", apperr.NotFound("dispute"))
	}
	q := &query{}
	// subtree adds the disputes whose territory or responsible org lies in
	// one of paths (none when one is the whole district), and the
	// candidate that reads them through both paths' indexes.
	subtree := func(paths ...string) error {
		var ors []string
		var args []any
		c := candidate{ordered: true}
		for _, p := range paths {
			if p == root {
				return nil
			}
			c1, a1 := org.SubtreeSQL("d.path", p)
			c2, a2 := org.SubtreeSQL("d.resp_path", p)
			ors, args = append(ors, c1, c2), append(append(args, a1...), a2...)
			var below int
			lo, hi := org.SubtreeRange(p)
			if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM (SELECT 1 FROM orgs WHERE path > ? AND path < ? LIMIT 1) x", lo, hi).Scan(&below); err != nil {
				return err
			}
			if below == 0 {
				// No org below it: one path, which each index lists newest-first.
				c.branches = append(c.branches, branch{"disputes_path", "d.path = ?", []any{p}},
					branch{"disputes_resp_path", "d.resp_path <> '' AND d.resp_path = ?", []any{p}})
			} else {
				c.ordered = false
				c.branches = append(c.branches, branch{"disputes_path", c1, a1},
					branch{"disputes_resp_path", "d.resp_path <> '' AND " + c2, a2})
			}
		}
		c.cond = "(" + strings.Join(ors, " OR ") + ")"
		c.args = args
		q.add(c.cond, args...)
		q.cands = append(q.cands, c)
		return nil
	}
	if f.OrgID != 0 {
		o, err := org.ByID(ctx, s.DB, f.OrgID)
		if err != nil || !(a.Operator || a.Can(action, o.Path)) {
			return nil, s.Auth.Refuse(ctx, a, action, "dispute", apperr.NotFound("organisation"))
		}
		err = subtree(o.Path)
	} else {
		err = subtree(scopes...)
	}
	if err != nil {
		return nil, err
	}
	// sized adds an equality on col (values: an IN) whose index lists its
	// disputes newest-first.
	sized := func(index, col, cond string, values ...string) {
		var x []any
		if strings.Contains(cond, "?") {
			x = []any{values[0]}
		}
		c := q.filter(index, true, cond, x...)
		c.col, c.values = col, values
	}
	switch f.Status {
	case "":
	case StatusOpen:
		sized("disputes_open", "status", openIn, Registered, Resolving, Stable)
	default:
		sized("disputes_status", "status", "d.status = ?", f.Status)
	}
	if f.Type != "" {
		sized("disputes_type", "type_code", "d.type_code = ?", f.Type)
	}
	if f.RiskLevel != "" {
		sized("disputes_risk", "risk_level", "d.risk_level = ?", f.RiskLevel)
	}
	if f.Urgency != "" {
		sized("disputes_urgency", "urgency", "d.urgency = ?", f.Urgency)
	}
	if f.Overdue {
		q.filter("disputes_open_deadline", false, openIn+" AND d.deadline < ?", s.today().String())
	}
	if f.Many {
		// As the partial index's own term.
		q.filter("disputes_many", true, "d.many_people")
	}
	var occ []string
	var occArgs []any
	if f.From != "" {
		d, _ := calendar.ParseDate(f.From)
		occ, occArgs = append(occ, "d.occurred_at >= ?"), append(occArgs, d.Time().UTC())
	}
	if f.To != "" {
		d, _ := calendar.ParseDate(f.To)
		occ, occArgs = append(occ, "d.occurred_at < ?"), append(occArgs, d.AddDays(1).Time().UTC())
	}
	if len(occ) > 0 {
		q.filter("disputes_occurred", true, strings.Join(occ, " AND "), occArgs...)
	}
	if f.Q != "" {
		if err := s.search(ctx, q, strings.ToLower(f.Q)); err != nil {
			return nil, err
		}
	}
	if f.Phone != "" {
		if s.Cipher == nil {
			q.add("1 = 0")
		} else {
			// "<> ''" is the partial index's own term.
			x := s.Cipher.Index(IndexPhone, sealed.NormalizePhone(f.Phone))
			q.filter("disputes_phone", false, "d.party_phone_index <> '' AND d.party_phone_index = ?", x).max = probeRows
		}
	}
	return q, nil
}

// search adds the substring search for text (lower case): a dispute's
// number through its unique index; otherwise the search index, confirmed
// by the LIKE (see above).
func (s *Service) search(ctx context.Context, q *query, text string) error {
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(text) + "%"
	q.walkSearch, q.walkArgs = `d.search_text LIKE ? ESCAPE '\'`, []any{like}
	if numberRE.MatchString(text) {
		q.search, q.searchArgs = "d.number = ?", []any{strings.ToUpper(text)}
		q.cands = append(q.cands, candidate{cond: q.search, args: q.searchArgs, free: true, max: probeRows})
		return nil
	}
	if s.DB.Dialect == db.Postgres {
		q.search = `d.search_grams @> ? AND d.search_text LIKE ? ESCAPE '\'`
		q.searchArgs = []any{queryGrams(text), like}
		return nil
	}
	var match string
	if utf8.RuneCountInString(text) >= 3 {
		match = `"` + strings.ReplaceAll(text, `"`, `""`) + `"`
	} else {
		// FTS5 matches three characters or more: a shorter query matches
		// the indexed trigrams that begin with it (every character of a
		// dispute's text begins one: the index holds the text with two
		// spaces after it).
		rows, err := s.DB.Query(ctx, "SELECT term FROM disputes_fts_vocab WHERE term >= ? AND term < ? LIMIT "+strconv.Itoa(shortTerms+1), text, text+"\U0010FFFF")
		if err != nil {
			return err
		}
		var terms []string
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return err
			}
			terms = append(terms, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		switch {
		case len(terms) == 0:
			q.add("1 = 0")
			return nil
		case len(terms) > shortTerms:
			// Common: the newest disputes hold a page of it.
			return nil
		}
		match = strings.Join(terms, " OR ")
	}
	q.search = `d.id IN (SELECT rowid FROM disputes_fts WHERE disputes_fts MATCH ?) AND d.search_text LIKE ? ESCAPE '\'`
	q.searchArgs, q.fts = []any{match, like}, true
	q.cands = append(q.cands, candidate{cond: q.search, args: []any{match}, free: true, max: probeRows,
		probe: "SELECT rowid FROM disputes_fts WHERE disputes_fts MATCH ?"})
	return nil
}

// queryGrams are the grams a match must hold (PostgreSQL): the query's
// character pairs, or its one character (as the migration's dispute_grams).
func queryGrams(text string) []string {
	r := []rune(strings.Join(strings.Fields(text), " "))
	if len(r) == 1 {
		return []string{string(r)}
	}
	seen := map[string]bool{}
	var out []string
	for i := 0; i+1 < len(r); i++ {
		if g := string(r[i : i+2]); !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// from is the FROM clause that reads candidate c's disputes through its index.
func (c *candidate) from() string {
	if c.free || c.index == "" {
		return " FROM disputes d"
	}
	return " FROM disputes d INDEXED BY " + c.index
}

// rows is the SQL of the matching disputes' (id, occurred_at) read through
// c with q's conditions (walk: the search's LIKE) and extra (extraArgs),
// and its arguments. The subtree is read as a UNION ALL of its index
// ranges, each leaving out the disputes of the ranges before it; with
// order, each range is read in that order up to limit rows (the page then
// takes the first of all).
func (c *candidate) rows(q *query, walk bool, extra []string, extraArgs []any, order string, limit int) (string, []any) {
	where, args := q.where(walk, extra...)
	args = append(args, extraArgs...)
	if c.branches == nil {
		return "SELECT d.id, d.occurred_at" + c.from() + where, args
	}
	var parts []string
	var all []any
	for i, b := range c.branches {
		cond := b.cond
		bargs := append([]any(nil), b.args...)
		for _, prev := range c.branches[:i] {
			cond += " AND NOT (" + strings.TrimPrefix(prev.cond, "d.resp_path <> '' AND ") + ")"
			bargs = append(bargs, prev.args...)
		}
		part := "SELECT d.id, d.occurred_at FROM disputes d INDEXED BY " + b.index + " WHERE " + cond + " AND " + strings.TrimPrefix(where, " WHERE ")
		if order != "" {
			part = "SELECT * FROM (" + part + order + " LIMIT " + strconv.Itoa(limit) + ") b"
		}
		parts = append(parts, part)
		all = append(append(all, bargs...), args...)
	}
	return strings.Join(parts, " UNION ALL "), all
}

// List returns one page of the ledger for a: newest first, masked.
func (s *Service) List(ctx context.Context, a *auth.Actor, f Filter) (*Page, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	q, err := s.build(ctx, a, &f)
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
	var after, before *cursor
	if f.After != "" {
		c, err := parseCursor("after", f.After)
		if err != nil {
			return nil, err
		}
		after = &c
	}
	if f.Before != "" {
		c, err := parseCursor("before", f.Before)
		if err != nil {
			return nil, err
		}
		before = &c
	}
	page := &Page{Rows: []*Dispute{}}
	var ids []int64
	var more bool
	if s.DB.Dialect == db.SQLite {
		via, countVia, err := s.pagePlan(ctx, q)
		if err != nil {
			return nil, err
		}
		// The search is tested by its LIKE unless its own index drives.
		walk := !via.free
		// The count (within its budget) and the page are separate reads
		// on separate connections: side by side, the page costs the
		// longer of the two rather than their sum.
		counted := make(chan error, 1)
		go func() { counted <- s.countInto(ctx, q, countVia, page) }()
		ids, more, err = s.walk(ctx, q, f, after, before, via, walk)
		if cerr := <-counted; err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
	} else {
		// PostgreSQL: the count (within its budget) brings the matches
		// when there are at most pgSparse, read as the planner likes: they
		// are the page, sorted here. More are walked in the page's order.
		all, err := s.countPG(ctx, q, page)
		if err != nil {
			return nil, err
		}
		if page.Counted && page.TotalExact && page.Total <= pgSparse {
			ids, more = pageOf(all, f, after, before)
		} else if ids, more, err = s.walk(ctx, q, f, after, before, &candidate{free: true}, true); err != nil {
			return nil, err
		}
	}
	if page.Rows, err = s.byIDs(ctx, ids); err != nil {
		return nil, err
	}
	if len(page.Rows) > 0 {
		first, last := page.Rows[0], page.Rows[len(page.Rows)-1]
		if more || before != nil {
			page.Next = cursor{at: last.OccurredAt, id: last.ID}.String()
		}
		if (before != nil && more) || after != nil {
			page.Prev = cursor{at: first.OccurredAt, id: first.ID}.String()
		}
	}
	return page, nil
}

// pagePlan picks how a SQLite page and its count read the disputes (see
// above). Each filter's size comes from the sizes known (planSizes) or a
// probe of its index (a count capped at probeMax). The page reads a small
// filter whose index is not in the page's order (at most its max, sorted),
// else walks the smallest ordered filter's index newest-first (or all
// disputes'). The count reads the smallest filter, else as the page.
func (s *Service) pagePlan(ctx context.Context, q *query) (page, count *candidate, err error) {
	sz := s.planSizes()
	var small, walk *candidate
	for i := range q.cands {
		c := &q.cands[i]
		c.max = min(cmp.Or(c.max, sortMax), probeMax)
		if c.col != "" && sz.values != nil {
			c.n = 0
			for _, v := range c.values {
				c.n += sz.values[c.col][v]
			}
		} else {
			parts := c.branches
			switch {
			case parts != nil:
			case c.probe != "":
				parts = []branch{{cond: c.probe, args: c.args}}
			default:
				parts = []branch{{index: c.index, cond: c.cond, args: c.args}}
			}
			// The overdue move with the day, the search with its words: never kept.
			keep := !c.free && c.index != "disputes_open_deadline"
			if c.n, err = s.probeSize(ctx, sz, keep, parts); err != nil {
				return nil, nil, err
			}
		}
		if small == nil || c.n < small.n {
			small = c
		}
		if c.ordered && (walk == nil || c.n < walk.n) {
			walk = c
		}
	}
	switch {
	case small != nil && !small.ordered && small.n <= small.max && (walk == nil || small.n < walk.n):
		page = small
	case walk != nil:
		page = walk
	case small != nil && !small.free:
		// Only the subtree, or the overdue: all disputes newest first
		// (their walk tests it), counted through its ranges.
		return &candidate{index: "disputes_occurred", ordered: true}, small, nil
	default:
		page = &candidate{index: "disputes_occurred", ordered: true}
	}
	count = page
	if small != nil && small.n < page.n {
		count = small
	}
	return page, count, nil
}

// Sizes known (SQLite): how many disputes hold each status, type, risk
// level and urgency (counted through their indexes in the background at
// most every sizeTTL), and how many a filter holds whose probe reached
// probeMax (counted whole in the background after the probe). A plan then
// knows the smallest filter without probing it each time. Sizes only
// choose a plan: stale or missing, they make a page slower, never
// different.
type planSizes struct {
	mu      sync.Mutex
	at      time.Time
	values  map[string]map[string]int
	running bool
	probes  map[string]*probed
}

// probed is a filter's size counted whole.
type probed struct {
	n       int
	at      time.Time
	running bool
}

const (
	sizeTTL = 10 * time.Minute
	// maxProbed bounds the filters whose sizes are kept (date ranges vary).
	maxProbed = 1000
)

var sizeCaches sync.Map // *db.DB → *planSizes

// sizeIndexes are the columns whose value sizes are known, with their indexes.
var sizeIndexes = [][2]string{{"status", "disputes_status"}, {"type_code", "disputes_type"}, {"risk_level", "disputes_risk"}, {"urgency", "disputes_urgency"}}

// planSizes returns the sizes known for s's database (the values nil at
// first), and starts counting the values again when they are missing or old.
func (s *Service) planSizes() *planSizes {
	v, _ := sizeCaches.LoadOrStore(s.DB, &planSizes{probes: map[string]*probed{}})
	c := v.(*planSizes)
	now := s.Clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if (c.values == nil || now.Sub(c.at) > sizeTTL || now.Before(c.at)) && !c.running {
		c.running = true
		go func() {
			m := map[string]map[string]int{}
			var err error
			for _, ci := range sizeIndexes {
				if m[ci[0]], err = s.countValues(context.Background(), ci[0], ci[1]); err != nil {
					break
				}
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			c.running = false
			if err == nil {
				c.values, c.at = m, now
			}
		}()
	}
	return c
}

// countValues counts the disputes of each value of col through index.
func (s *Service) countValues(ctx context.Context, col, index string) (map[string]int, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+col+", count(*) FROM disputes INDEXED BY "+index+" GROUP BY "+col)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var v string
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			return nil, err
		}
		out[v] = n
	}
	return out, rows.Err()
}

// probeSize is the number of index entries of parts (an upper bound of the
// filter's disputes): known, or probed up to probeMax+1 and, when the
// probe reaches it and keep is set, counted whole in the background for
// the next plans.
func (s *Service) probeSize(ctx context.Context, c *planSizes, keep bool, parts []branch) (int, error) {
	var key string
	if keep {
		var b strings.Builder
		for _, p := range parts {
			fmt.Fprintf(&b, "%s\x00%s\x00%v\x00", p.index, p.cond, p.args)
		}
		key = b.String()
		now := s.Clock.Now()
		c.mu.Lock()
		e := c.probes[key]
		if e != nil && !e.running && now.Sub(e.at) <= sizeTTL && !now.Before(e.at) {
			c.mu.Unlock()
			return e.n, nil
		}
		c.mu.Unlock()
	}
	count := func(ctx context.Context, limit string) (int, error) {
		total := 0
		for _, p := range parts {
			inner := p.cond
			if p.index != "" {
				inner = "SELECT 1 FROM disputes d INDEXED BY " + p.index + " WHERE " + p.cond
			} else if !strings.HasPrefix(p.cond, "SELECT") {
				inner = "SELECT 1 FROM disputes d WHERE " + p.cond
			}
			var n int
			if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM ("+inner+limit+") x", p.args...).Scan(&n); err != nil {
				return 0, err
			}
			total += n
		}
		return total, nil
	}
	n, err := count(ctx, " LIMIT "+strconv.Itoa(probeMax+1))
	if err != nil || !keep || n <= probeMax {
		return n, err
	}
	now := s.Clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.probes[key]; e == nil || !e.running {
		if len(c.probes) >= maxProbed {
			c.probes = map[string]*probed{}
		}
		e = &probed{n: n, running: true}
		c.probes[key] = e
		go func() {
			whole, err := count(context.Background(), "")
			c.mu.Lock()
			defer c.mu.Unlock()
			e.running = false
			if err == nil {
				e.n, e.at = whole, now
			} else {
				delete(c.probes, key)
			}
		}()
	}
	return n, nil
}

// countInto (SQLite) counts the total up to CountCap within countBudget
// through via (the search alone: through its own index); a count that
// takes longer is left out (Counted false).
func (s *Service) countInto(ctx context.Context, q *query, via *candidate, page *Page) error {
	rows, args := via.rows(q, !via.free, nil, nil, "", 0)
	if q.fts && len(q.conds) == 0 {
		// The search alone: its own index counts its matches.
		rows, args = "SELECT rowid FROM disputes_fts WHERE disputes_fts MATCH ?", q.searchArgs[:1]
	}
	var n int
	cctx, cancel := context.WithTimeout(ctx, countBudget)
	defer cancel()
	err := s.DB.QueryRow(cctx, "SELECT count(*) FROM ("+rows+" LIMIT "+strconv.Itoa(CountCap+1)+") x", args...).Scan(&n)
	if err != nil && cctx.Err() != nil && ctx.Err() == nil {
		return nil
	}
	if err != nil {
		return err
	}
	page.Total, page.TotalExact, page.Counted = min(n, CountCap), n <= CountCap, true
	return nil
}

// pgReadSettings are the ledger's reads' on PostgreSQL, for their
// transaction: no parallel workers (starting them costs more than a page's
// query takes), and a plan made for the values at hand each time (the
// driver prepares statements, and after five executions PostgreSQL may keep
// a generic plan that knows neither the subtree's range nor the dates).
const pgReadSettings = "SELECT set_config('max_parallel_workers_per_gather', '0', true), set_config('plan_cache_mode', 'force_custom_plan', true)"

// countPG (PostgreSQL) counts the total up to CountCap within countBudget
// (pgSearchBudget with a search) and returns the matches' ids and times
// when there are at most pgSparse
// (the same scan). The planner's estimate comes first: a count costlier
// than pgCountCost is not made. The statement timeout guards the rest; a
// count it cancels aborts only its own transaction.
func (s *Service) countPG(ctx context.Context, q *query, page *Page) ([]cursor, error) {
	where, args := q.where(false)
	query := "SELECT x.id, x.occurred_at, count(*) OVER () FROM (SELECT d.id, d.occurred_at FROM disputes d" + where +
		" LIMIT " + strconv.Itoa(CountCap+1) + ") x LIMIT " + strconv.Itoa(pgSparse+1)
	budget := countBudget
	if q.search != "" {
		budget = pgSearchBudget
	}
	var all []cursor
	n, skip := 0, false
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, pgReadSettings); err != nil {
			return err
		}
		var plan string
		if err := tx.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+query, args...).Scan(&plan); err != nil {
			return err
		}
		var est []struct {
			Plan struct {
				Cost float64 `json:"Total Cost"`
			} `json:"Plan"`
		}
		if err := json.Unmarshal([]byte(plan), &est); err == nil && len(est) > 0 && est[0].Plan.Cost > pgCountCost {
			skip = true
			return nil
		}
		if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = "+strconv.Itoa(int(budget/time.Millisecond))); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k cursor
			if err := rows.Scan(&k.id, &k.at, &n); err != nil {
				return err
			}
			k.at = k.at.UTC()
			all = append(all, k)
		}
		return rows.Err()
	})
	if skip || (err != nil && strings.Contains(err.Error(), "57014")) { // query_canceled
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	page.Total, page.TotalExact, page.Counted = min(n, CountCap), n <= CountCap, true
	return all, nil
}

// pageOf cuts the page from all the matches: their ids in the page's
// order, and whether more follow.
func pageOf(all []cursor, f Filter, after, before *cursor) ([]int64, bool) {
	newer := func(x, y cursor) bool { return x.at.After(y.at) || (x.at.Equal(y.at) && x.id > y.id) }
	sort.Slice(all, func(i, j int) bool { return newer(all[i], all[j]) })
	if before != nil {
		var older []int64
		for _, k := range all {
			if newer(k, *before) {
				older = append(older, k.id)
			}
		}
		lo := max(0, len(older)-f.Limit)
		return older[lo:], lo > 0
	}
	var out []int64
	for _, k := range all {
		if after != nil && !newer(*after, k) {
			continue
		}
		if len(out) == f.Limit {
			return out, true
		}
		out = append(out, k.id)
	}
	return out, false
}

// read runs fn on the read pool, on PostgreSQL in a transaction with
// pgReadSettings.
func (s *Service) read(ctx context.Context, fn func(db.Querier) error) error {
	if s.DB.Dialect != db.Postgres {
		return fn(s.DB)
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, pgReadSettings); err != nil {
			return err
		}
		return fn(tx)
	})
}

// walk reads the page's ids by keyset, newest first, through via (the
// search by its LIKE when walkSearch), and whether more follow.
func (s *Service) walk(ctx context.Context, q *query, f Filter, after, before *cursor, via *candidate, walkSearch bool) ([]int64, bool, error) {
	var extra []string
	var args []any
	dir := " DESC"
	switch {
	case after != nil:
		extra, args = append(extra, "(d.occurred_at, d.id) < (?, ?)"), append(args, after.at, after.id)
	case before != nil:
		extra, args = append(extra, "(d.occurred_at, d.id) > (?, ?)"), append(args, before.at, before.id)
		dir = " ASC"
	}
	var query string
	var qargs []any
	if via.branches != nil {
		rows, x := via.rows(q, walkSearch, extra, args, " ORDER BY d.occurred_at"+dir+", d.id"+dir, f.Limit+1)
		query, qargs = "SELECT id FROM ("+rows+") u ORDER BY occurred_at"+dir+", id"+dir, x
	} else {
		where, x := q.where(walkSearch, extra...)
		query, qargs = "SELECT d.id"+via.from()+where+" ORDER BY d.occurred_at"+dir+", d.id"+dir, append(x, args...)
	}
	var ids []int64
	err := s.read(ctx, func(qr db.Querier) error {
		rows, err := qr.Query(ctx, query+" LIMIT "+strconv.Itoa(f.Limit+1), qargs...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, false, err
	}
	more := len(ids) > f.Limit
	if more {
		ids = ids[:f.Limit]
	}
	if before != nil {
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
	}
	return ids, more, nil
}

// byIDs reads the disputes of ids, in that order.
func (s *Service) byIDs(ctx context.Context, ids []int64) ([]*Dispute, error) {
	out := make([]*Dispute, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.DB.Query(ctx, "SELECT "+disputeCols+disputeFrom+" WHERE d.id IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := s.today()
	byID := map[int64]*Dispute{}
	for rows.Next() {
		d, err := s.scan(rows, today)
		if err != nil {
			return nil, err
		}
		byID[d.ID] = d
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if d := byID[id]; d != nil {
			out = append(out, d)
		}
	}
	return out, nil
}

// Describe is a one-line account of the filter, for the export's trail.
func (f Filter) Describe() string { return fmt.Sprintf("filter %s", f.Query().Encode()) }
