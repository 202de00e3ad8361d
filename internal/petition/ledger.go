package petition

import (
	"context"
	"encoding/base64"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

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

// query is the ledger's WHERE clause, with the filters that an index of
// their own can enumerate (candidates, for SQLite's plan: see List).
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
	// ordered: its index lists the rows of one value newest-first
	// (equality, then registered_at, id), so a page can walk it.
	ordered bool
	probe   string // counts its rows without the petitions table (a person's cases)
	n       int
}

func (q *query) add(c string, x ...any) { q.conds, q.args = append(q.conds, c), append(q.args, x...) }

// filter adds a condition that index can enumerate.
func (q *query) filter(index, c string, x ...any) {
	q.add(c, x...)
	q.cands = append(q.cands, candidate{index: index, cond: c, args: x})
}

// ordered adds an equality whose index lists its rows newest-first.
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
	}
	if c, x := v.bars(); c != "" {
		q.add(c, x...)
	}
	if (f.Phone != "" || f.IDNumber != "") && !v.member(auth.PetitionReveal, b.Path) {
		// Finding people is not oversight: outside the bureau, only among
		// the cases one handles.
		c, x := v.handlingScope(auth.PetitionReveal)
		q.add(c, x...)
	}
	switch f.Status {
	case "":
	case StatusOpen:
		q.filter("petitions_status", "p.status IN ('"+strings.Join(openStates, "', '")+"')")
	default:
		q.ordered("petitions_status", "p.status = ?", f.Status)
	}
	if f.Category != "" {
		q.ordered("petitions_category", "p.category = ?", f.Category)
	}
	if f.Channel != "" {
		q.ordered("petitions_channel", "p.channel = ?", f.Channel)
	}
	if f.Subject != "" {
		q.ordered("petitions_subject", "p.subject = ?", f.Subject)
	}
	if f.OrgID != 0 {
		o, err := org.ByID(ctx, s.DB, f.OrgID)
		if err != nil {
			return nil, apperr.Field(apperr.EINVALID, "org_id", "组织 %d 不存在 / organisation %d does not exist", f.OrgID, f.OrgID)
		}
		c, x := org.SubtreeSQL("p.handling_path", o.Path)
		q.filter("petitions_handling", c, x...)
	}
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
		q.filter("petitions_registered", strings.Join(reg, " AND "), regArgs...)
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
		c := "p.id IN (SELECT petition_id FROM petition_people WHERE " + x.col + " = ?)"
		q.add(c, x.v)
		q.cands = append(q.cands, candidate{cond: c, args: []any{x.v}, free: true,
			probe: "SELECT 1 FROM petition_people WHERE " + x.col + " = ?"})
	}
	return q, nil
}

// The plan of a page. SQLite's planner cannot tell how many rows a filter
// holds and likes to read a filter's index and sort all its rows where
// walking the newest-first index and stopping at a page is quicker, or the
// reverse; so on SQLite each filter's own index is probed (a capped
// count): when one lists at most probeCap rows they are all read through
// it, counted exactly and sorted; otherwise the page walks the
// newest-first index and stops when full. The total is counted within
// countBudget (a page must come in 50 ms at a million cases). PostgreSQL's
// planner, with its statistics, chooses well by itself.
var (
	probeCap    = 3000
	countBudget = 15 * time.Millisecond
	// dueSoonSpan: a case past 75 % of its period is due within a quarter
	// of the longest period there is.
	dueSoonSpan = time.Duration(HandleDays+MaxExtensionDays+2) * 24 * time.Hour / 4
)

func (c *candidate) from() string {
	if c.free {
		return " FROM petitions p"
	}
	return " FROM petitions p INDEXED BY " + c.index
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
	page := &Page{Rows: []Row{}}
	var ids []int64
	var more bool
	var best *candidate
	if s.DB.Dialect == db.SQLite {
		if best, err = s.probe(ctx, q); err != nil {
			return nil, err
		}
	}
	if best != nil && best.n <= probeCap {
		ids, more, err = s.enumerate(ctx, q, best, f, after, before, page)
	} else {
		if err = s.countInto(ctx, q, page); err == nil {
			ids, more, err = s.walk(ctx, q, f, after, before, walkIndex(q))
		}
	}
	if err != nil {
		return nil, err
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
			page.Next = cursor{at: last.RegisteredAt, id: last.ID}.String()
		}
		if (before != nil && more) || after != nil {
			page.Prev = cursor{at: first.RegisteredAt, id: first.ID}.String()
		}
	}
	return page, nil
}

// probe counts each candidate's rows through its own index, up to
// probeCap+1, and returns the smallest (nil when there is none).
func (s *Service) probe(ctx context.Context, q *query) (*candidate, error) {
	var best *candidate
	for i := range q.cands {
		c := &q.cands[i]
		inner := "SELECT 1" + c.from() + " WHERE " + c.cond
		if c.probe != "" {
			inner = c.probe
		}
		if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM ("+inner+" LIMIT "+strconv.Itoa(probeCap+1)+") x", c.args...).Scan(&c.n); err != nil {
			return nil, err
		}
		if best == nil || c.n < best.n {
			best = c
		}
	}
	return best, nil
}

// enumerate reads every match through c's index, counts them and cuts the page.
func (s *Service) enumerate(ctx context.Context, q *query, c *candidate, f Filter, after, before *cursor, page *Page) ([]int64, bool, error) {
	rows, err := s.DB.Query(ctx, "SELECT p.id, p.registered_at"+c.from()+q.where(), q.args...)
	if err != nil {
		return nil, false, err
	}
	var all []cursor
	for rows.Next() {
		var k cursor
		if err := rows.Scan(&k.id, &k.at); err != nil {
			rows.Close()
			return nil, false, err
		}
		k.at = k.at.UTC()
		all = append(all, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	page.Total, page.TotalExact, page.Counted = min(len(all), CountCap), len(all) <= CountCap, true
	newer := func(x, y cursor) bool { return x.at.After(y.at) || (x.at.Equal(y.at) && x.id > y.id) }
	sort.Slice(all, func(i, j int) bool { return newer(all[i], all[j]) })
	var out []int64
	switch {
	case before != nil:
		var older []int64
		for _, k := range all {
			if newer(k, *before) {
				older = append(older, k.id)
			}
		}
		lo := max(0, len(older)-f.Limit)
		return older[lo:], lo > 0, nil
	default:
		for _, k := range all {
			if after != nil && !newer(*after, k) {
				continue
			}
			if len(out) == f.Limit {
				return out, true, nil
			}
			out = append(out, k.id)
		}
	}
	return out, false, nil
}

// countInto counts the total up to CountCap within countBudget; a count
// that takes longer is left out (Counted false).
func (s *Service) countInto(ctx context.Context, q *query, page *Page) error {
	query := "SELECT count(*) FROM (SELECT 1 FROM petitions p" + q.where() + " LIMIT " + strconv.Itoa(CountCap+1) + ") x"
	var n int
	if s.DB.Dialect == db.Postgres {
		timedOut := false
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = "+strconv.Itoa(int(countBudget/time.Millisecond))); err != nil {
				return err
			}
			return tx.QueryRow(ctx, query, q.args...).Scan(&n)
		})
		// A count cut short by its timeout is left out; the transaction
		// it aborted has been rolled back (committing it would fail).
		if err != nil && strings.Contains(err.Error(), "57014") { // query_canceled
			timedOut, err = true, nil
		}
		if err != nil {
			return err
		}
		if timedOut {
			return nil
		}
	} else {
		cctx, cancel := context.WithTimeout(ctx, countBudget)
		defer cancel()
		err := s.DB.QueryRow(cctx, query, q.args...).Scan(&n)
		if err != nil && cctx.Err() != nil && ctx.Err() == nil {
			return nil
		}
		if err != nil {
			return err
		}
	}
	page.Total, page.TotalExact, page.Counted = min(n, CountCap), n <= CountCap, true
	return nil
}

// walkIndex is the index a SQLite page walks: the smallest probed filter's
// when it lists its rows newest-first (a sparse combination of dense
// filters then reads that filter's rows, not the whole table), else the
// newest-first index of all cases.
func walkIndex(q *query) string {
	var best *candidate
	for i := range q.cands {
		if c := &q.cands[i]; c.ordered && (best == nil || c.n < best.n) {
			best = c
		}
	}
	if best != nil {
		return best.index
	}
	return "petitions_registered"
}

// walk reads the page by keyset, newest first (on SQLite through index,
// stopping when the page is full).
func (s *Service) walk(ctx context.Context, q *query, f Filter, after, before *cursor, index string) ([]int64, bool, error) {
	var extra []string
	args := append([]any(nil), q.args...)
	order := " ORDER BY p.registered_at DESC, p.id DESC"
	switch {
	case after != nil:
		extra = append(extra, "(p.registered_at < ? OR (p.registered_at = ? AND p.id < ?))")
		args = append(args, after.at, after.at, after.id)
	case before != nil:
		extra = append(extra, "(p.registered_at > ? OR (p.registered_at = ? AND p.id > ?))")
		args = append(args, before.at, before.at, before.id)
		order = " ORDER BY p.registered_at ASC, p.id ASC"
	}
	from := " FROM petitions p"
	if s.DB.Dialect == db.SQLite {
		from += " INDEXED BY " + index
	}
	rows, err := s.DB.Query(ctx, "SELECT p.id"+from+q.where(extra...)+order+" LIMIT "+strconv.Itoa(f.Limit+1), args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, false, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
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
	defer rows.Close()
	now := s.Clock.Now()
	byID := map[int64]*Petition{}
	for rows.Next() {
		p, err := s.scan(rows, now)
		if err != nil {
			return nil, err
		}
		byID[p.ID] = p
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*Petition, 0, len(ids))
	for _, id := range ids {
		if p := byID[id]; p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}
