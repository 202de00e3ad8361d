package dispute

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/ledgerplan"
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

// cursor is a dispute's place in the ledger: (occurred_at, id).
type cursor = ledgerplan.Cursor

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
// plan is chosen here (pagePlan): each filter's size is known (ledgerplan.Sizes)
// or probed (a count of its index entries capped at probeMax); the page
// walks the smallest ordered filter's index newest-first and stops when
// full, or reads a small unordered filter's disputes and sorts them; the
// total is counted through the smallest filter within countBudget, beside
// the page on another connection. PostgreSQL's planner, with its
// statistics, picks the index itself: the count (within its budget) brings
// the matches when there are at most pgSparse, as the planner read them,
// and they are sorted here for the page; more are walked in the page's
// order; all without parallel workers and with plans made for the values
// at hand (ledgerplan.PGReadSettings).

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
	// are known (see ledgerplan.Sizes), so that it needs no probe.
	col    string
	values []string
	// branches: the subtree, whose disputes are the union of its index ranges.
	branches []ledgerplan.Branch
	n        int
}

// disputesTable is the ledger's table for the plan machinery: the value
// sizes it keeps, and the responsible orgs' partial index term.
var disputesTable = &ledgerplan.Table{Name: "disputes", Alias: "d", Partial: "d.resp_path <> '' AND ",
	Sized: [][2]string{{"status", "disputes_status"}, {"type_code", "disputes_type"}, {"risk_level", "disputes_risk"}, {"urgency", "disputes_urgency"}}}

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
				c.branches = append(c.branches, ledgerplan.Branch{Index: "disputes_path", Cond: "d.path = ?", Args: []any{p}},
					ledgerplan.Branch{Index: "disputes_resp_path", Cond: "d.resp_path <> '' AND d.resp_path = ?", Args: []any{p}})
			} else {
				c.ordered = false
				c.branches = append(c.branches, ledgerplan.Branch{Index: "disputes_path", Cond: c1, Args: a1},
					ledgerplan.Branch{Index: "disputes_resp_path", Cond: "d.resp_path <> '' AND " + c2, Args: a2})
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
	return disputesTable.Union("d.id, d.occurred_at", c.branches, where, args, order, limit)
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
	after, before, err := ledgerplan.ParseCursors(f.After, f.Before)
	if err != nil {
		return nil, err
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
			ids, more = ledgerplan.PageOf(all, f.Limit, after, before)
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
			page.Next = cursor{At: last.OccurredAt, ID: last.ID}.String()
		}
		if (before != nil && more) || after != nil {
			page.Prev = cursor{At: first.OccurredAt, ID: first.ID}.String()
		}
	}
	return page, nil
}

// pagePlan picks how a SQLite page and its count read the disputes (see
// above). Each filter's size comes from the sizes known (ledgerplan.Sizes) or a
// probe of its index (a count capped at probeMax). The page reads a small
// filter whose index is not in the page's order (at most its max, sorted),
// else walks the smallest ordered filter's index newest-first (or all
// disputes'). The count reads the smallest filter, else as the page.
func (s *Service) pagePlan(ctx context.Context, q *query) (page, count *candidate, err error) {
	sz := disputesTable.Sizes(s.DB, s.Clock.Now())
	var small, walk *candidate
	for i := range q.cands {
		c := &q.cands[i]
		c.max = min(cmp.Or(c.max, sortMax), probeMax)
		var known bool
		if c.col != "" {
			c.n, known = sz.Known(c.col, c.values)
		}
		if !known {
			parts := c.branches
			switch {
			case parts != nil:
			case c.probe != "":
				parts = []ledgerplan.Branch{{Cond: c.probe, Args: c.args}}
			default:
				parts = []ledgerplan.Branch{{Index: c.index, Cond: c.cond, Args: c.args}}
			}
			// The overdue move with the day, the search with its words: never kept.
			keep := !c.free && c.index != "disputes_open_deadline"
			if c.n, err = disputesTable.Probe(ctx, s.DB, sz, s.Clock.Now, keep, parts, probeMax); err != nil {
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

// countInto (SQLite) counts the total up to CountCap within countBudget
// through via (the search alone: through its own index); a count that
// takes longer is left out (Counted false).
func (s *Service) countInto(ctx context.Context, q *query, via *candidate, page *Page) error {
	rows, args := via.rows(q, !via.free, nil, nil, "", 0)
	if q.fts && len(q.conds) == 0 {
		// The search alone: its own index counts its matches.
		rows, args = "SELECT rowid FROM disputes_fts WHERE disputes_fts MATCH ?", q.searchArgs[:1]
	}
	n, ok, err := ledgerplan.CountWithin(ctx, s.DB, countBudget, "SELECT count(*) FROM ("+rows+" LIMIT "+strconv.Itoa(CountCap+1)+") x", args...)
	if ok {
		page.Total, page.TotalExact, page.Counted = min(n, CountCap), n <= CountCap, true
	}
	return err
}

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
	all, n, ok, err := ledgerplan.CountPG(ctx, s.DB, pgCountCost, budget, query, args...)
	if ok {
		page.Total, page.TotalExact, page.Counted = min(n, CountCap), n <= CountCap, true
	}
	return all, err
}

// walk reads the page's ids by keyset, newest first, through via (the
// search by its LIKE when walkSearch), and whether more follow.
func (s *Service) walk(ctx context.Context, q *query, f Filter, after, before *cursor, via *candidate, walkSearch bool) ([]int64, bool, error) {
	var extra []string
	var args []any
	dir := " DESC"
	switch {
	case after != nil:
		extra, args = append(extra, "(d.occurred_at, d.id) < (?, ?)"), append(args, after.At, after.ID)
	case before != nil:
		extra, args = append(extra, "(d.occurred_at, d.id) > (?, ?)"), append(args, before.At, before.ID)
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
	err := ledgerplan.Read(ctx, s.DB, func(qr db.Querier) (err error) {
		ids, err = ledgerplan.IDs(ctx, qr, query+" LIMIT "+strconv.Itoa(f.Limit+1), qargs...)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	ids, more := ledgerplan.Cut(ids, f.Limit, before != nil)
	return ids, more, nil
}

// byIDs reads the disputes of ids, in that order.
func (s *Service) byIDs(ctx context.Context, ids []int64) ([]*Dispute, error) {
	if len(ids) == 0 {
		return []*Dispute{}, nil // the page's rows, never null
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.DB.Query(ctx, "SELECT "+disputeCols+disputeFrom+" WHERE d.id IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+")", args...)
	if err != nil {
		return nil, err
	}
	today := s.today()
	return ledgerplan.ScanInOrder(rows, ids, func(rows *sql.Rows) (*Dispute, int64, error) {
		d, err := s.scan(rows, today)
		if err != nil {
			return nil, 0, err
		}
		return d, d.ID, nil
	})
}

// Describe is a one-line account of the filter, for the export's trail.
func (f Filter) Describe() string { return fmt.Sprintf("filter %s", f.Query().Encode()) }
