package petition

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	// CountCap: the total is counted up to here, then shown as "10,000+".
	CountCap = 10000
)

// Filter is the ledger's query: every field is a query parameter of
// GET /api/v1/petitions and of the /petitions page. Every filter is an
// equality or a range on an indexed column, and the page is read by
// keyset on (registered_at, id), newest first: no filter needs a scan.
type Filter struct {
	Status    string `json:"status,omitempty"`    // a state, or open
	Category  string `json:"category,omitempty"`  // suggestion, accusation, claim
	Channel   string `json:"channel,omitempty"`   // online, letter, …
	Subject   string `json:"subject,omitempty"`   // subject code
	OrgID     int64  `json:"org_id,omitempty"`    // the handling org's subtree
	Overdue   bool   `json:"overdue,omitempty"`   // its period has ended, the duty not done
	DueSoon   bool   `json:"due_soon,omitempty"`  // past 75 % of its period, not overdue
	Attention bool   `json:"attention,omitempty"` // overdue or due soon
	Key       bool   `json:"key,omitempty"`       // 重点信访案件
	From      string `json:"from,omitempty"`      // registered on or after, YYYY-MM-DD
	To        string `json:"to,omitempty"`        // registered on or before
	Number    string `json:"number,omitempty"`    // exactly
	Phone     string `json:"phone,omitempty"`     // a petitioner's phone, exactly (blind index; those who handle cases)
	IDNumber  string `json:"id_number,omitempty"` // a petitioner's ID number, exactly (blind index; idem)
	After     string `json:"after,omitempty"`
	Before    string `json:"before,omitempty"`
	Limit     int    `json:"limit,omitempty"`
}

// FilterParams documents the query parameters (OpenAPI).
var FilterParams = [][3]string{
	{"status", "string", "registered, routed, objected, discipline, accepted, declined, replied, review_requested, reviewed, rereview_requested, concluded, closed, or open (those with a duty to do)"},
	{"category", "string", "claim (申诉求决类), suggestion (建议意见类) or accusation (检举控告类)"},
	{"channel", "string", "visit, letter, online, phone, hotline, fax, transferred or assigned"},
	{"subject", "string", "subject code (GET /api/v1/petitions/subjects)"},
	{"org_id", "integer", "cases routed to this org or below it"},
	{"overdue", "boolean", "only cases whose legal period has ended with the duty not done"},
	{"due_soon", "boolean", "only cases past 75 % of their period and not yet overdue"},
	{"attention", "boolean", "overdue or due soon"},
	{"key", "boolean", "only key cases (重点信访案件)"},
	{"from", "string", "registered on or after, YYYY-MM-DD"},
	{"to", "string", "registered on or before, YYYY-MM-DD"},
	{"number", "string", "the case number, exactly"},
	{"phone", "string", "a petitioner's phone, exactly, found by its blind index without decrypting; for those who handle cases (petition.reveal), each search audited"},
	{"id_number", "string", "a petitioner's ID number, exactly, likewise"},
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
	f := Filter{Status: strings.TrimSpace(v.Get("status")), Category: strings.TrimSpace(v.Get("category")), Channel: strings.TrimSpace(v.Get("channel")),
		Subject: strings.TrimSpace(v.Get("subject")), From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")),
		Number: strings.TrimSpace(v.Get("number")), Phone: strings.TrimSpace(v.Get("phone")), IDNumber: strings.TrimSpace(v.Get("id_number")),
		After: v.Get("after"), Before: v.Get("before")}
	var err error
	if s := strings.TrimSpace(v.Get("org_id")); s != "" {
		if f.OrgID, err = strconv.ParseInt(s, 10, 64); err != nil || f.OrgID <= 0 {
			return f, apperr.Field(apperr.EINVALID, "org_id", "org_id 须为正整数 / org_id must be a positive integer")
		}
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"overdue", &f.Overdue}, {"due_soon", &f.DueSoon}, {"attention", &f.Attention}, {"key", &f.Key}} {
		if *b.dst, err = parseBool(v, b.name); err != nil {
			return f, err
		}
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
	if f.Status != "" && f.Status != StatusOpen && !contains(States, f.Status) {
		return apperr.Field(apperr.EINVALID, "status", "没有状态“%s” / no status %q", f.Status, f.Status)
	}
	if f.Category != "" && !contains(Categories, f.Category) {
		return apperr.Field(apperr.EINVALID, "category", "事项类别只能是 claim、suggestion、accusation / category is claim, suggestion or accusation")
	}
	if f.Channel != "" && !contains(Channels, f.Channel) {
		return apperr.Field(apperr.EINVALID, "channel", "没有信访形式“%s” / no channel %q", f.Channel, f.Channel)
	}
	if f.Subject != "" && SubjectName(f.Subject) == f.Subject {
		return apperr.Field(apperr.EINVALID, "subject", "没有领域“%s” / no subject %q", f.Subject, f.Subject)
	}
	for _, d := range []struct{ name, v string }{{"from", f.From}, {"to", f.To}} {
		if d.v != "" {
			if _, err := calendar.ParseDate(d.v); err != nil {
				return apperr.Field(apperr.EINVALID, d.name, "%s 须为 YYYY-MM-DD / %s must be YYYY-MM-DD", d.name, d.name)
			}
		}
	}
	if len(f.Number) > 40 {
		return apperr.Field(apperr.EINVALID, "number", "编号过长 / the number is too long")
	}
	if f.Phone != "" && !sealed.ValidPhone(f.Phone) {
		return apperr.Field(apperr.EINVALID, "phone", "电话号码格式不对 / phone is not a phone number")
	}
	if f.IDNumber != "" && !sealed.ValidIDNumber(f.IDNumber) {
		return apperr.Field(apperr.EINVALID, "id_number", "身份证号不正确 / id_number is not a valid ID number")
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
	set("status", f.Status)
	set("category", f.Category)
	set("channel", f.Channel)
	set("subject", f.Subject)
	if f.OrgID != 0 {
		v.Set("org_id", itoa(f.OrgID))
	}
	for _, b := range []struct {
		k string
		v bool
	}{{"overdue", f.Overdue}, {"due_soon", f.DueSoon}, {"attention", f.Attention}, {"key", f.Key}} {
		if b.v {
			v.Set(b.k, "1")
		}
	}
	set("from", f.From)
	set("to", f.To)
	set("number", f.Number)
	set("phone", f.Phone)
	set("id_number", f.IDNumber)
	if f.Limit != DefaultLimit && f.Limit != 0 {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	return v
}

// Row is one line of the ledger, personal data masked.
type Row struct {
	ID           int64     `json:"id"`
	Number       string    `json:"number"`
	Channel      string    `json:"channel"`
	Category     string    `json:"category"`
	SubjectName  string    `json:"subject_name"`
	Status       string    `json:"status"`
	Petitioner   string    `json:"petitioner"` // the first, masked
	HeadCount    int       `json:"head_count"`
	Collective   bool      `json:"collective"`
	Summary      string    `json:"summary"`
	Place        string    `json:"place"`
	HandlingName string    `json:"handling_org_name"`
	RegisteredAt time.Time `json:"registered_at"`
	Clock        Clock     `json:"clock"`
	Window       *Window   `json:"window"`
	KeyCase      bool      `json:"key_case"`
}

// Page is one page of the ledger.
type Page struct {
	Rows []Row `json:"rows"`
	// Total counts the matching cases up to CountCap; TotalExact is false
	// when there are more. Counted is false when counting would have taken
	// longer than a page may (15 ms): Total is 0 then.
	Total      int    `json:"total"`
	TotalExact bool   `json:"total_exact"`
	Counted    bool   `json:"counted"`
	Next       string `json:"next,omitempty"`
	Prev       string `json:"prev,omitempty"`
}

// cursor is a case's place in the ledger: (registered_at, id).
type cursor = ledgerplan.Cursor

// How a page is read at a million cases (see docs/benchmarks.md, "petition
// cases and disputes at 1,000,000").
//
// Every condition of the ledger is written on columns that the ledger's
// indexes carry (migration 00015): each filter's index lists, after its own
// column and (registered_at, id), the other filters' columns — status,
// category, channel, subject, key, the handling and reviewing orgs' paths —
// and the accused org and person (the bars), so that an index walked for
// one filter tests the others without reading the case (on SQLite a case
// read costs ten times an index entry). A count is then a walk of index
// entries too.
//
// SQLite's planner cannot tell how many cases a value holds, so the plan is
// chosen here (pagePlan): each filter's size is known (ledgerplan.Sizes) or probed
// (a count of its index entries capped at probeMax); the page walks the
// smallest ordered filter's index newest-first and stops when full, or
// reads a small unordered filter's cases and sorts them; the total is
// counted through the smallest filter within countBudget, beside the page
// on another connection. PostgreSQL's planner, with its statistics, picks
// the index itself: the count (within its budget) brings the matches when
// there are at most pgSparse, as the planner read them, and they are
// sorted here for the page; more are walked in the page's order; all
// without parallel workers, whose start costs more than a page, and with
// plans made for the values at hand (ledgerplan.PGReadSettings).

// probeMax: a probe counts a filter's cases up to this many (about 2 ms
// of index entries on SQLite); a variable for tests.
var probeMax = 8000

// sortMax: a filter whose index is not in the page's order is read and
// sorted for the page when it holds at most this many cases.
const sortMax = 4000

const (
	// countBudget bounds the count: a total that takes longer is left out
	// rather than delay the page (50 ms at a million cases).
	countBudget = 15 * time.Millisecond
	// pgCountCost: the largest planner cost of a count PostgreSQL makes; a
	// costlier plan (large bitmaps to intersect) is not started, since a
	// bitmap scan does not stop at once for a timeout.
	pgCountCost = 4000
	// pgSparse: at most this many matches, brought by the count as
	// PostgreSQL read them, are sorted here for the page; with more the
	// page walks.
	pgSparse = 2000
)

// dueSoonSpan: a case past 75 % of its period is due within a quarter of
// the longest period there is.
var dueSoonSpan = time.Duration(HandleDays+MaxExtensionDays+2) * 24 * time.Hour / 4

// query is the ledger's WHERE clause, with the filters that an index of
// their own can list (candidates, for SQLite's plan: see above).
type query struct {
	conds []string
	args  []any
	cands []candidate
}

// candidate is a filter and the index that lists its rows ("" with
// free: the planner's own choice, e.g. a unique number).
type candidate struct {
	index string
	cond  string
	args  []any
	free  bool
	// ordered: its index lists the filter's rows newest-first (an
	// equality, then registered_at, id), so a page can walk it.
	ordered bool
	probe   string // counts its rows without the petitions table (a person's cases)
	// col and values: an equality (or IN) on a column whose value sizes
	// are known (see ledgerplan.Sizes), so that it needs no probe.
	col    string
	values []string
	// table: the ledger's other indexes do not carry its columns (the
	// clock's), so a walk through them reads the case to test it.
	table bool
	// branches: the reader's reach, whose cases are the union of index
	// ranges of the handling and reviewing orgs' paths.
	branches []ledgerplan.Branch
	n        int
}

// petitionsTable is the ledger's table for the plan machinery: the value
// sizes it keeps, and the reviewing orgs' partial index term.
var petitionsTable = &ledgerplan.Table{Name: "petitions", Alias: "p", Partial: "p.review_path <> '' AND ",
	Sized: [][2]string{{"status", "petitions_status"}, {"category", "petitions_category"}, {"channel", "petitions_channel"}, {"subject", "petitions_subject"}}}

func (c *candidate) from() string {
	if c.free || c.index == "" {
		return " FROM petitions p"
	}
	return " FROM petitions p INDEXED BY " + c.index
}

// rows is the SQL of the matching cases' (id, registered_at) read through
// c with q's conditions and extra (extraArgs), and its arguments. The
// reach is read as a UNION ALL of its index ranges, each leaving out the
// cases of the ranges before it; with order, each range is read in that
// order up to limit rows (the page then takes the first of all).
func (c *candidate) rows(q *query, extra []string, extraArgs []any, order string, limit int) (string, []any) {
	where := q.where(extra...)
	args := append(append([]any(nil), q.args...), extraArgs...)
	if c.branches == nil {
		return "SELECT p.id, p.registered_at" + c.from() + where, args
	}
	return petitionsTable.Union("p.id, p.registered_at", c.branches, where, args, order, limit)
}

// reachBranches splits the reader's reach as viewer.listScope writes it —
// an OR of "(column >= ? AND column < ?)" and "column IN (?, …)" on the
// handling and reviewing orgs' paths — into one index range each; ok is
// false for any other shape (the reach is then only tested, not read).
func reachBranches(cond string, args []any) (out []ledgerplan.Branch, ok bool) {
	if !strings.HasPrefix(cond, "(") || !strings.HasSuffix(cond, ")") {
		return nil, false
	}
	i := 0
	for _, term := range strings.Split(cond[1:len(cond)-1], " OR ") {
		n := strings.Count(term, "?")
		if i+n > len(args) {
			return nil, false
		}
		h, r := strings.Contains(term, "p.handling_path"), strings.Contains(term, "p.review_path")
		switch {
		case h && !r:
			out = append(out, ledgerplan.Branch{Index: "petitions_handling", Cond: term, Args: args[i : i+n]})
		case r && !h:
			// "<> ''": the partial index's own term.
			out = append(out, ledgerplan.Branch{Index: "petitions_review", Cond: "p.review_path <> '' AND " + term, Args: args[i : i+n]})
		default:
			return nil, false
		}
		i += n
	}
	return out, i == len(args) && len(out) > 0
}

func (q *query) add(c string, x ...any) { q.conds, q.args = append(q.conds, c), append(q.args, x...) }

// filter adds a condition that index can enumerate.
func (q *query) filter(index, c string, x ...any) {
	q.add(c, x...)
	q.cands = append(q.cands, candidate{index: index, cond: c, args: x})
}

// ordered adds a condition whose index lists its rows newest-first.
func (q *query) ordered(index, c string, x ...any) {
	q.filter(index, c, x...)
	q.cands[len(q.cands)-1].ordered = true
}

func (q *query) where(extra ...string) string {
	conds := append(append([]string(nil), q.conds...), extra...)
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// openIn is the open states' condition, written as the partial index
// petitions_open's (SQLite uses the index only for that very term).
var openIn = "p.status IN ('" + strings.Join(openStates, "', '") + "')"

// build turns f into the ledger's conditions for a.
func (s *Service) build(ctx context.Context, a *auth.Actor, f *Filter) (*query, error) {
	v, err := s.viewerFor(ctx, s.DB, a, 0)
	if err != nil {
		return nil, err
	}
	if !a.Operator && !a.CanAnywhere(auth.PetitionView) {
		return nil, s.Auth.Refuse(ctx, a, auth.PetitionView, "petition", apperr.NotFound("petition"))
	}
	if (f.Phone != "" || f.IDNumber != "") && !a.Operator && !a.CanAnywhere(auth.PetitionReveal) {
		// Finding a case by a person's phone or ID number is a use of
		// personal data: for those who handle cases.
		return nil, s.Auth.Refuse(ctx, a, auth.PetitionReveal, "petition", apperr.Field(apperr.EFORBIDDEN, "phone", "按电话或身份证号查找仅限信访办理人员 / only those who handle cases search by phone or ID number"))
	}
	b, err := bureau(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	q := &query{}
	if c, x, all := v.listScope(b.Path); !all {
		q.add(c, x...)
		if br, ok := reachBranches(c, x); ok {
			q.cands = append(q.cands, candidate{cond: c, args: x, branches: br})
		}
	}
	if c, x := v.bars(); c != "" {
		// On the accused org and person, which the ledger's indexes carry.
		q.add(c, x...)
	}
	if (f.Phone != "" || f.IDNumber != "") && !v.member(auth.PetitionReveal, b.Path) {
		// Finding people is not oversight: outside the bureau, only among
		// the cases one handles.
		c, x := v.handlingScope(auth.PetitionReveal)
		q.add(c, x...)
	}
	// sized adds an equality on col (values: an IN) whose index lists its
	// cases newest-first.
	sized := func(index, col, cond string, values ...string) {
		var x []any
		if strings.Contains(cond, "?") {
			x = []any{values[0]}
		}
		q.ordered(index, cond, x...)
		c := &q.cands[len(q.cands)-1]
		c.col, c.values = col, values
	}
	switch f.Status {
	case "":
	case StatusOpen:
		sized("petitions_open", "status", openIn, openStates...)
	default:
		sized("petitions_status", "status", "p.status = ?", f.Status)
	}
	if f.Category != "" {
		sized("petitions_category", "category", "p.category = ?", f.Category)
	}
	if f.Channel != "" {
		sized("petitions_channel", "channel", "p.channel = ?", f.Channel)
	}
	if f.Subject != "" {
		sized("petitions_subject", "subject", "p.subject = ?", f.Subject)
	}
	if f.OrgID != 0 {
		o, err := org.ByID(ctx, s.DB, f.OrgID)
		if err != nil {
			return nil, apperr.Field(apperr.EINVALID, "org_id", "组织 %d 不存在 / organisation %d does not exist", f.OrgID, f.OrgID)
		}
		var children int
		if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM orgs WHERE parent_id = ?", o.ID).Scan(&children); err != nil {
			return nil, err
		}
		if children == 0 {
			// An org without orgs below it: one path, whose index lists
			// its cases newest-first.
			q.ordered("petitions_handling", "p.handling_path = ?", o.Path)
		} else {
			c, x := org.SubtreeSQL("p.handling_path", o.Path)
			q.filter("petitions_handling", c, x...)
		}
	}
	if f.Key {
		// As the partial index's own term, so that SQLite may use it.
		q.ordered("petitions_key", "p.key_case")
	}
	var reg []string
	var regArgs []any
	if f.From != "" {
		d, _ := calendar.ParseDate(f.From)
		reg, regArgs = append(reg, "p.registered_at >= ?"), append(regArgs, d.Time().UTC())
	}
	if f.To != "" {
		d, _ := calendar.ParseDate(f.To)
		reg, regArgs = append(reg, "p.registered_at < ?"), append(regArgs, d.AddDays(1).Time().UTC())
	}
	if len(reg) > 0 {
		q.ordered("petitions_registered", strings.Join(reg, " AND "), regArgs...)
	}
	// The clock's filters last: SQLite tests the conditions in their order,
	// and theirs read the case when the index walked is another's.
	now := s.Clock.Now()
	switch {
	case f.Overdue:
		q.filter("petitions_due", "p.period <> '' AND p.due_at <= ?", now)
	case f.DueSoon:
		// Past 75 % and not due: due within a quarter of the longest
		// period (60 days and 30 of extension), which bounds the index range.
		q.filter("petitions_due", "p.period <> '' AND p.due_at > ? AND p.due_at <= ? AND p.warn_at <= ?", now, now.Add(dueSoonSpan), now)
	case f.Attention:
		q.filter("petitions_warn", "p.period <> '' AND p.warn_at <= ?", now)
	}
	if f.Overdue || f.DueSoon || f.Attention {
		q.cands[len(q.cands)-1].table = true
	}
	if f.Number != "" {
		q.add("p.number = ?", strings.ToUpper(f.Number))
		q.cands = append(q.cands, candidate{cond: "p.number = ?", args: []any{strings.ToUpper(f.Number)}, free: true})
	}
	for _, x := range []struct {
		col, v string
	}{{"phone_index", s.index(IndexPhone, sealed.NormalizePhone(f.Phone))}, {"id_index", s.index(IndexIDNum, sealed.NormalizeIDNumber(f.IDNumber))}} {
		if x.v == "" {
			continue
		}
		// "<> ''" is the partial index's own term: without it SQLite reads every petitioner.
		person := "SELECT petition_id FROM petition_people WHERE " + x.col + " <> '' AND " + x.col + " = ?"
		c := "p.id IN (" + person + ")"
		q.add(c, x.v)
		q.cands = append(q.cands, candidate{cond: c, args: []any{x.v}, free: true, probe: person})
	}
	return q, nil
}

// List returns one page of the ledger for a: newest first, masked.
func (s *Service) List(ctx context.Context, a *auth.Actor, f Filter) (*Page, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	q, err := s.build(ctx, a, &f)
	if err != nil {
		return nil, err
	}
	if (f.Phone != "" || f.IDNumber != "") && !a.Operator {
		e := a.Entry(s.Clock.Now(), "petition.search_person", "petition", "", a.OrgID)
		e.Detail = "按信访人电话或身份证号查找 / search by a petitioner's phone or ID number"
		if err := audit.AppendAlone(ctx, s.DB, e); err != nil {
			return nil, err
		}
	}
	after, before, err := ledgerplan.ParseCursors(f.After, f.Before)
	if err != nil {
		return nil, err
	}
	page := &Page{Rows: []Row{}}
	var ids []int64
	var more bool
	if s.DB.Dialect == db.SQLite {
		via, countVia, err := s.pagePlan(ctx, q)
		if err != nil {
			return nil, err
		}
		// The count (within its budget) and the page are separate reads
		// on separate connections: side by side, the page costs the
		// longer of the two rather than their sum.
		counted := make(chan error, 1)
		go func() { counted <- s.countInto(ctx, q, countVia, page) }()
		ids, more, err = s.walk(ctx, q, f, after, before, via)
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
		} else if ids, more, err = s.walk(ctx, q, f, after, before, nil); err != nil {
			return nil, err
		}
	}
	list, err := s.byIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	people, err := s.people(ctx, s.DB, ids...)
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		r := Row{ID: p.ID, Number: p.Number, Channel: p.Channel, Category: p.Category, SubjectName: p.SubjectName, Status: p.Status,
			HeadCount: p.HeadCount, Collective: p.Collective, Summary: summary(p), Place: p.Place, HandlingName: p.HandlingName,
			RegisteredAt: p.RegisteredAt, Clock: p.Clock, Window: p.Window, KeyCase: p.KeyCase}
		if ps := people[p.ID]; len(ps) > 0 {
			r.Petitioner = ps[0].Name
		}
		page.Rows = append(page.Rows, r)
	}
	if len(list) > 0 {
		first, last := list[0], list[len(list)-1]
		if more || before != nil {
			page.Next = cursor{At: last.RegisteredAt, ID: last.ID}.String()
		}
		if (before != nil && more) || after != nil {
			page.Prev = cursor{At: first.RegisteredAt, ID: first.ID}.String()
		}
	}
	return page, nil
}

// pagePlan picks how a SQLite page and its count read the cases (see
// above). Each filter's size comes from the sizes known (ledgerplan.Sizes) or a
// probe of its index (a count capped at probeMax). The page walks the
// smallest ordered filter's index newest-first (or the open cases', or all
// cases'), unless the smallest filter is one whose index is not in the
// page's order and it holds at most sortMax cases, or a clock filter
// (overdue, due soon), whose columns the other indexes do not carry: its
// cases are then read and sorted. The count reads the smallest filter
// (the reader's reach among them), else as the page.
func (s *Service) pagePlan(ctx context.Context, q *query) (page, count *candidate, err error) {
	sz := petitionsTable.Sizes(s.DB, s.Clock.Now())
	var small, walk, clock *candidate
	for i := range q.cands {
		c := &q.cands[i]
		var known bool
		if c.col != "" {
			c.n, known = sz.Known(c.col, c.values)
		}
		if !known {
			// The probe: a count of the index entries of each range.
			var parts []ledgerplan.Branch
			if c.branches != nil {
				parts = c.branches
			} else if c.probe != "" {
				parts = []ledgerplan.Branch{{Cond: c.probe, Args: c.args}}
			} else {
				parts = []ledgerplan.Branch{{Index: c.index, Cond: c.cond, Args: c.args}}
			}
			// The clock's filters move with the time: never kept.
			keep := !c.table && !c.free
			if c.n, err = petitionsTable.Probe(ctx, s.DB, sz, s.Clock.Now, keep, parts, probeMax); err != nil {
				return nil, nil, err
			}
		}
		if small == nil || c.n < small.n {
			small = c
		}
		if c.ordered && (walk == nil || c.n < walk.n) {
			walk = c
		}
		if c.table {
			clock = c
		}
	}
	switch {
	case small != nil && !small.ordered && small.n <= sortMax && (walk == nil || small.n < walk.n):
		page = small
	case clock != nil:
		// The open cases past a mark: never more than the open cases,
		// and another index's walk would read each case to test them.
		page = clock
	case walk != nil:
		page = walk
	case small != nil:
		// Only the reader's reach or an org's subtree: all cases newest
		// first (their walk tests it), counted through its ranges.
		return &candidate{index: "petitions_registered", ordered: true}, small, nil
	default:
		page = &candidate{index: "petitions_registered", ordered: true}
	}
	count = page
	if small != nil && small.n < page.n {
		count = small
	}
	return page, count, nil
}

// countInto (SQLite) counts the total up to CountCap within countBudget
// through via's index; a count that takes longer is left out (Counted
// false).
func (s *Service) countInto(ctx context.Context, q *query, via *candidate, page *Page) error {
	rows, args := via.rows(q, nil, nil, "", 0)
	n, ok, err := ledgerplan.CountWithin(ctx, s.DB, countBudget, "SELECT count(*) FROM ("+rows+" LIMIT "+strconv.Itoa(CountCap+1)+") x", args...)
	if ok {
		page.Total, page.TotalExact, page.Counted = min(n, CountCap), n <= CountCap, true
	}
	return err
}

// countPG (PostgreSQL) counts the total up to CountCap within countBudget
// and returns the matches' ids and times when there are at most pgSparse
// (the same scan). The planner's estimate comes first: a count costlier
// than pgCountCost is not made. The statement timeout guards the rest; a
// count it cancels aborts only its own transaction.
func (s *Service) countPG(ctx context.Context, q *query, page *Page) ([]cursor, error) {
	query := "SELECT x.id, x.registered_at, count(*) OVER () FROM (SELECT p.id, p.registered_at FROM petitions p" + q.where() +
		" LIMIT " + strconv.Itoa(CountCap+1) + ") x LIMIT " + strconv.Itoa(pgSparse+1)
	all, n, ok, err := ledgerplan.CountPG(ctx, s.DB, pgCountCost, countBudget, query, q.args...)
	if ok {
		page.Total, page.TotalExact, page.Counted = min(n, CountCap), n <= CountCap, true
	}
	return all, err
}

// walk reads the page by keyset, newest first (on SQLite through via's
// index, on PostgreSQL as the planner likes), stopping when it is full.
func (s *Service) walk(ctx context.Context, q *query, f Filter, after, before *cursor, via *candidate) ([]int64, bool, error) {
	var extra []string
	args := append([]any(nil), q.args...)
	order := " ORDER BY p.registered_at DESC, p.id DESC"
	switch {
	case after != nil:
		extra = append(extra, "(p.registered_at, p.id) < (?, ?)")
		args = append(args, after.At, after.ID)
	case before != nil:
		extra = append(extra, "(p.registered_at, p.id) > (?, ?)")
		args = append(args, before.At, before.ID)
		order = " ORDER BY p.registered_at ASC, p.id ASC"
	}
	query := "SELECT p.id FROM petitions p" + q.where(extra...) + order
	switch {
	case via != nil && via.branches != nil:
		rows, x := via.rows(q, extra, args[len(q.args):], order, f.Limit+1)
		query, args = "SELECT id FROM ("+rows+") u"+strings.ReplaceAll(order, "p.", ""), x
	case via != nil:
		query = "SELECT p.id" + via.from() + q.where(extra...) + order
	}
	var ids []int64
	err := ledgerplan.Read(ctx, s.DB, func(qr db.Querier) (err error) {
		ids, err = ledgerplan.IDs(ctx, qr, query+" LIMIT "+strconv.Itoa(f.Limit+1), args...)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	ids, more := ledgerplan.Cut(ids, f.Limit, before != nil)
	return ids, more, nil
}

// byIDs reads the cases of ids, in that order.
func (s *Service) byIDs(ctx context.Context, ids []int64) ([]*Petition, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.DB.Query(ctx, "SELECT "+petitionCols+petitionFrom+" WHERE p.id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	return ledgerplan.ScanInOrder(rows, ids, func(rows *sql.Rows) (*Petition, int64, error) {
		p, err := s.scan(rows, now)
		if err != nil {
			return nil, 0, err
		}
		return p, p.ID, nil
	})
}
