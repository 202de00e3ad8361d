package petition

import (
	"context"
	"database/sql"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/org"
)

// Counts are the outcome figures of the handling orgs of a subtree: what
// reached them and what they decided, answered and how the petitioners
// rated it in a period (from petition_tally), and what is open now.
type Counts struct {
	Registered    int `json:"registered"`      // registered with the org or routed to it in the period (and still its)
	Repeats       int `json:"repeats"`         // of those, repeat petitions (重复信访)
	Accepted      int `json:"accepted"`        // accepted (受理) in the period
	Declined      int `json:"declined"`        // declined in writing (不予受理) in the period
	DecidedOnTime int `json:"decided_on_time"` // of those decided, within the 15 days
	Replied       int `json:"replied"`         // written answers (处理意见书) served in the period
	RepliedOnTime int `json:"replied_on_time"` // of those, within the handling limit incl. an extension
	Extended      int `json:"extended"`        // extensions granted in the period
	Rated         int `json:"rated"`           // petitioners' ratings in the period
	Satisfied     int `json:"satisfied"`       // of those, satisfied or basically satisfied
	Reviews       int `json:"reviews"`         // reviews (复查/复核) asked for in the period
	// DecideOnTimeRate (按期受理率) is decided_on_time / (accepted + declined), null when none.
	DecideOnTimeRate *float64 `json:"decide_on_time_rate"`
	// ReplyOnTimeRate (按期办结率) is replied_on_time / replied, null when none.
	ReplyOnTimeRate *float64 `json:"reply_on_time_rate"`
	// SatisfactionRate (满意率) is satisfied / rated, null when none.
	SatisfactionRate *float64 `json:"satisfaction_rate"`
	// RatingRate (参评率) is rated / replied, null when none.
	RatingRate *float64 `json:"rating_rate"`
	Open       int      `json:"open"`        // with a duty to do now, held by the org
	OverdueNow int      `json:"overdue_now"` // of those, past their time limit now
	DueSoon    int      `json:"due_soon"`    // of those, past 75 % of it and not yet late
}

// Decided is accepted + declined.
func (c Counts) Decided() int { return c.Accepted + c.Declined }

func (c *Counts) addTally(d delta) {
	c.Registered += d[tRegistered]
	c.Repeats += d[tRepeats]
	c.Accepted += d[tAccepted]
	c.Declined += d[tDeclined]
	c.DecidedOnTime += d[tDecidedOnTime]
	c.Replied += d[tReplied]
	c.RepliedOnTime += d[tRepliedOnTime]
	c.Extended += d[tExtended]
	c.Reviews += d[tReviews]
	c.Rated += d[tRated]
	c.Satisfied += d[tSatisfied]
}

func (c *Counts) add(o Counts) {
	c.addTally(delta{o.Registered, o.Repeats, o.Accepted, o.Declined, o.DecidedOnTime, o.Replied, o.RepliedOnTime, o.Extended, o.Reviews, o.Rated, o.Satisfied})
	c.Open += o.Open
	c.OverdueNow += o.OverdueNow
	c.DueSoon += o.DueSoon
}

func ratio(n, of int) *float64 {
	if of <= 0 {
		return nil
	}
	r := float64(n) / float64(of)
	return &r
}

func (c *Counts) rates() {
	c.DecideOnTimeRate = ratio(c.DecidedOnTime, c.Decided())
	c.ReplyOnTimeRate = ratio(c.RepliedOnTime, c.Replied)
	c.SatisfactionRate = ratio(c.Satisfied, c.Rated)
	c.RatingRate = ratio(c.Rated, c.Replied)
}

// StatsRow is one child org's figures.
type StatsRow struct {
	OrgID int64  `json:"org_id"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Own   bool   `json:"own"` // the org's own cases, not its children's
	Counts
}

// Share is one part of a breakdown.
type Share struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Registered int    `json:"registered"`
}

// MonthFigures are a month's registrations and answers on time (the trend).
type MonthFigures struct {
	Month         string `json:"month"` // YYYY-MM
	Registered    int    `json:"registered"`
	Replied       int    `json:"replied"`
	RepliedOnTime int    `json:"replied_on_time"`
}

// Stats are the figures of an org subtree and period, with a row per child
// org, the month-by-month trend, and for the whole district the cases
// registered by category, channel and subject (top 10).
type Stats struct {
	OrgID      int64          `json:"org_id"`
	OrgName    string         `json:"org_name"`
	From       string         `json:"from"`
	To         string         `json:"to"`
	Total      Counts         `json:"total"`
	Rows       []StatsRow     `json:"rows"`
	Months     []MonthFigures `json:"months"`
	District   bool           `json:"district"`               // the breakdowns below are given
	Registered int            `json:"registered_in_district"` // cases registered in the district in the period (district only)
	Categories []Share        `json:"by_category"`            // district only, else null
	Channels   []Share        `json:"by_channel"`             // district only, else null
	Subjects   []Share        `json:"by_subject"`             // district only (top 10), else null
}

// StatsFilter is GET /api/v1/petitions/stats?org_id=&from=&to=.
type StatsFilter struct {
	OrgID    int64
	From, To string
}

// ParseStatsFilter reads the query (default: the caller's scope, this year to date).
func ParseStatsFilter(v url.Values) (StatsFilter, error) {
	f := StatsFilter{From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to"))}
	if s := strings.TrimSpace(v.Get("org_id")); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return f, apperr.Field(apperr.EINVALID, "org_id", "org_id 须为正整数 / org_id must be a positive integer")
		}
		f.OrgID = id
	}
	return f, nil
}

// Query is the filter as a query string.
func (f StatsFilter) Query() url.Values {
	v := url.Values{}
	if f.OrgID != 0 {
		v.Set("org_id", itoa(f.OrgID))
	}
	if f.From != "" {
		v.Set("from", f.From)
	}
	if f.To != "" {
		v.Set("to", f.To)
	}
	return v
}

// statsOrg is the org whose subtree the figures cover: the one asked for,
// else the caller's widest scope where they may view petitions. An org
// outside the caller's scope, and a caller who may view no petitions, get 404.
func (s *Service) statsOrg(ctx context.Context, a *auth.Actor, orgID int64) (*org.Org, error) {
	if orgID == 0 {
		if a != nil && a.Operator {
			root, err := org.Root(ctx, s.DB)
			if err != nil || root == nil {
				return nil, apperr.NotFound("org")
			}
			return root, nil
		}
		best := a.WidestGrant(auth.PetitionView)
		if best == nil {
			return nil, s.Auth.Refuse(ctx, a, auth.PetitionView, "petition", apperr.NotFound("petition statistics"))
		}
		orgID = best.ScopeOrgID
	}
	o, err := org.ByID(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.PetitionView, o.Path, "org", itoa(o.ID)); err != nil {
		return nil, err
	}
	return o, nil
}

// statsPeriod reads from and to (default: this year to date).
func (s *Service) statsPeriod(f StatsFilter) (from, to calendar.Date, err error) {
	today := s.today()
	from, to = calendar.Date{Year: today.Year, Month: 1, Day: 1}, today
	if f.From != "" {
		if from, err = calendar.ParseDate(f.From); err != nil {
			return from, to, apperr.Field(apperr.EINVALID, "from", "from 须为 YYYY-MM-DD / from must be YYYY-MM-DD")
		}
	}
	if f.To != "" {
		if to, err = calendar.ParseDate(f.To); err != nil {
			return from, to, apperr.Field(apperr.EINVALID, "to", "to 须为 YYYY-MM-DD / to must be YYYY-MM-DD")
		}
	}
	if to.Before(from) {
		return from, to, apperr.Field(apperr.EINVALID, "to", "结束日期不能早于开始日期 / to cannot be before from")
	}
	if to.Year-from.Year > 20 {
		return from, to, apperr.Field(apperr.EINVALID, "from", "统计期间不能超过 20 年 / the period is at most 20 years")
	}
	return from, to, nil
}

// Stats computes the figures. The period's counts sum petition_tally (a
// row per handling org and day, whole months from petition_tally_month)
// and the district's breakdowns petition_tally_mix; the open counts walk
// the index of the cases whose clock runs (petitions_due). None of it
// reads the period's cases. Accusations count like the rest; nothing here
// names a petitioner, an accused or what a case is about.
func (s *Service) Stats(ctx context.Context, a *auth.Actor, f StatsFilter) (*Stats, error) {
	from, to, err := s.statsPeriod(f)
	if err != nil {
		return nil, err
	}
	o, err := s.statsOrg(ctx, a, f.OrgID)
	if err != nil {
		return nil, err
	}
	st := &Stats{OrgID: o.ID, OrgName: o.Name, From: from.String(), To: to.String(), Rows: []StatsRow{}, District: o.ParentID == nil}
	subtree, err := org.Subtree(ctx, s.DB, o.Path)
	if err != nil {
		return nil, err
	}
	// Each org of the subtree counts for the child of o above it (or o itself).
	var children []org.Org
	for _, c := range subtree {
		if c.ParentID != nil && *c.ParentID == o.ID {
			children = append(children, c)
		}
	}
	rows := []StatsRow{{OrgID: o.ID, Name: o.Name, Kind: o.Kind, Own: true}}
	for _, c := range children {
		rows = append(rows, StatsRow{OrgID: c.ID, Name: c.Name, Kind: c.Kind})
	}
	rowOf, rowOfPath := map[int64]int{}, map[string]int{} // org id, path → index in rows
	for _, x := range subtree {
		rowOf[x.ID] = 0
		for i, c := range children {
			if auth.Covers(c.Path, x.Path) {
				rowOf[x.ID] = i + 1
				break
			}
		}
		rowOfPath[x.Path] = rowOf[x.ID]
	}
	// The months of the period, for the trend.
	monthOf := map[string]int{}
	for m := (calendar.Date{Year: from.Year, Month: from.Month, Day: 1}); !to.Before(m); m = m.AddDays(32) {
		m.Day = 1
		monthOf[m.String()[:7]] = len(st.Months)
		st.Months = append(st.Months, MonthFigures{Month: m.String()[:7]})
	}
	sums := "SUM(t." + strings.Join(tallyCols, "), SUM(t.") + ")"
	for _, part := range calendar.MonthSpans(from, to) {
		table, col, month := "petition_tally", "t.day", "substr(t.day, 1, 7)"
		if part.Month {
			table, col, month = "petition_tally_month", "t.month", "t.month"
		}
		// The district's needs no join: every org is below it. The rows
		// and the trend are summed apart, so that the database, not the
		// driver, adds up the org-months.
		from, where := ` FROM `+table+` t`, ` WHERE `+col+` >= ? AND `+col+` <= ?`
		args := []any{part.From, part.To}
		if o.ParentID != nil {
			cond, cargs := org.SubtreeSQL("o.path", o.Path)
			from += ` JOIN orgs o ON o.id = t.org_id`
			where += ` AND ` + cond
			args = append(args, cargs...)
		}
		if err := s.sumTally(ctx, `SELECT t.org_id, `+sums+from+where+` GROUP BY t.org_id`, args, rowOf, rows); err != nil {
			return nil, err
		}
		if err := s.sumMonths(ctx, `SELECT `+month+`, SUM(t.registered), SUM(t.replied), SUM(t.replied_on_time)`+from+where+` GROUP BY `+month, args, st.Months, monthOf); err != nil {
			return nil, err
		}
	}
	if err := s.openCounts(ctx, rowOfPath, rows); err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].rates()
		st.Total.add(rows[i].Counts)
	}
	st.Total.rates()
	// The org's own row only when it has figures of its own; children that
	// are townships, streets or zones always, others (departments, villages,
	// which seldom handle a case) when they have any.
	// Children with most open first (then most overdue, most received);
	// the org's own cases last.
	for i, r := range rows {
		empty := r.Counts == (Counts{})
		switch {
		case i == 0 && empty:
		case i > 0 && empty && !org.Territorial(r.Kind):
		default:
			st.Rows = append(st.Rows, r)
		}
	}
	sort.SliceStable(st.Rows, func(i, j int) bool {
		a, b := st.Rows[i], st.Rows[j]
		if a.Own != b.Own {
			return b.Own
		}
		if a.Open != b.Open {
			return a.Open > b.Open
		}
		if a.OverdueNow != b.OverdueNow {
			return a.OverdueNow > b.OverdueNow
		}
		return a.Registered > b.Registered
	})
	if st.District {
		if err := s.mix(ctx, st, from, to); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// sumTally adds a tally query's rows (org, tallyCols…) to the rows.
func (s *Service) sumTally(ctx context.Context, q string, args []any, rowOf map[int64]int, rows []StatsRow) error {
	tally, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer tally.Close()
	for tally.Next() {
		var id int64
		var d delta
		dest := []any{&id}
		for i := range d {
			dest = append(dest, &d[i])
		}
		if err := tally.Scan(dest...); err != nil {
			return err
		}
		if i, ok := rowOf[id]; ok {
			rows[i].addTally(d)
		}
	}
	return tally.Err()
}

// sumMonths adds a tally query's rows (month, registered, replied, on time) to the trend.
func (s *Service) sumMonths(ctx context.Context, q string, args []any, months []MonthFigures, monthOf map[string]int) error {
	tally, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer tally.Close()
	for tally.Next() {
		var month string
		var reg, replied, onTime int
		if err := tally.Scan(&month, &reg, &replied, &onTime); err != nil {
			return err
		}
		if m, ok := monthOf[month]; ok {
			months[m].Registered += reg
			months[m].Replied += replied
			months[m].RepliedOnTime += onTime
		}
	}
	return tally.Err()
}

// openCounts adds the cases with a duty to do now to the rows of the orgs
// holding them: the reviewing org during a review, the handling org once
// routed, the bureau before. It walks one of the partial indexes of the
// cases whose clock runs (petitions_due, petitions_warn: they carry status
// and both paths), never the cases themselves.
func (s *Service) openCounts(ctx context.Context, rowOfPath map[string]int, rows []StatsRow) error {
	now := s.Clock.Now()
	bureauPath := ""
	if b, err := bureau(ctx, s.DB); err == nil {
		bureauPath = b.Path
	}
	// Grouped by the org that holds each case (the reviewing org during a
	// review, else the handling org, "" for the bureau): one key, not three,
	// halves what SQLite spends at a million cases (docs/benchmarks.md).
	// A case whose clock runs is open; the holder is NULL otherwise, as a
	// guard. The status is tested in the CASE, not the WHERE: there it
	// would lead SQLite to the status index and a read of every case.
	var handling, review []string
	for _, st := range openStates {
		if st == ReviewRequested || st == RereviewRequested {
			review = append(review, st)
		} else {
			handling = append(handling, st)
		}
	}
	// The states are the code's constants, written into the statement so
	// that PostgreSQL plans the grouping as it would for literals.
	in := func(ss []string) string { return "'" + strings.Join(ss, "', '") + "'" }
	open, err := s.DB.Query(ctx, `SELECT CASE WHEN p.status IN (`+in(review)+`) THEN p.review_path
		WHEN p.status IN (`+in(handling)+`) THEN p.handling_path END AS holder, count(*),
		SUM(CASE WHEN p.due_at <= ? THEN 1 ELSE 0 END), SUM(CASE WHEN p.due_at > ? AND p.warn_at <= ? THEN 1 ELSE 0 END)
		FROM petitions p WHERE p.period <> '' GROUP BY holder`, now, now, now)
	if err != nil {
		return err
	}
	defer open.Close()
	for open.Next() {
		var h sql.NullString
		var c Counts
		if err := open.Scan(&h, &c.Open, &c.OverdueNow, &c.DueSoon); err != nil {
			return err
		}
		if !h.Valid {
			continue
		}
		holder := h.String
		if holder == "" {
			holder = bureauPath
		}
		if i, ok := rowOfPath[holder]; ok && holder != "" {
			rows[i].add(c)
		}
	}
	return open.Err()
}

// mix fills the district's breakdowns of the cases registered in the period.
func (s *Service) mix(ctx context.Context, st *Stats, from, to calendar.Date) error {
	cats, chans, subs := map[string]int{}, map[string]int{}, map[string]int{}
	for _, part := range calendar.MonthSpans(from, to) {
		table, col := "petition_tally_mix", "day"
		if part.Month {
			table, col = "petition_tally_mix_month", "month"
		}
		rows, err := s.DB.Query(ctx, `SELECT kind, code, SUM(registered) FROM `+table+` WHERE `+col+` >= ? AND `+col+` <= ?
			GROUP BY kind, code`, part.From, part.To)
		if err != nil {
			return err
		}
		for rows.Next() {
			var kind, code string
			var n int
			if err := rows.Scan(&kind, &code, &n); err != nil {
				rows.Close()
				return err
			}
			switch kind {
			case "category":
				cats[code] += n
				st.Registered += n
			case "channel":
				chans[code] += n
			case "subject":
				subs[code] += n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	st.Categories, st.Channels, st.Subjects = []Share{}, []Share{}, []Share{}
	for _, c := range Categories {
		st.Categories = append(st.Categories, Share{Code: c, Name: CategoryZH[c], Registered: cats[c]})
	}
	for _, c := range Channels {
		st.Channels = append(st.Channels, Share{Code: c, Name: ChannelZH[c], Registered: chans[c]})
	}
	for _, x := range Subjects {
		if subs[x.Code] > 0 {
			st.Subjects = append(st.Subjects, Share{Code: x.Code, Name: x.Name, Registered: subs[x.Code]})
		}
	}
	sort.SliceStable(st.Subjects, func(i, j int) bool { return st.Subjects[i].Registered > st.Subjects[j].Registered })
	if len(st.Subjects) > 10 {
		st.Subjects = st.Subjects[:10]
	}
	return nil
}

// statsName is the workbook's file name.
func statsName(now time.Time) string {
	return "信访事项统计-" + calendar.DateOf(now).String() + ".xlsx"
}
