package hazard

import (
	"context"
	"net/url"
	"sort"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// Counts are the outcome figures of an org subtree: what was found and
// closed in a period (from hazard_tally), and what is open now.
type Counts struct {
	Found        int `json:"found"`          // found in the period (cancelled ones not counted)
	FoundClosed  int `json:"found_closed"`   // of those, closed by now
	Closed       int `json:"closed"`         // closed (销号) in the period
	ClosedOnTime int `json:"closed_on_time"` // of those, rectified by the deadline
	// ClosureRate is found_closed / found (null when nothing was found).
	ClosureRate *float64 `json:"closure_rate"`
	// OnTimeRate is closed_on_time / closed (null when nothing was closed).
	OnTimeRate *float64 `json:"on_time_rate"`
	Open       int      `json:"open"`        // open now
	OverdueNow int      `json:"overdue_now"` // past the deadline and not rectified, now
	MajorOpen  int      `json:"major_open"`  // major hazards open now
}

func (c *Counts) add(o Counts) {
	c.Found += o.Found
	c.FoundClosed += o.FoundClosed
	c.Closed += o.Closed
	c.ClosedOnTime += o.ClosedOnTime
	c.Open += o.Open
	c.OverdueNow += o.OverdueNow
	c.MajorOpen += o.MajorOpen
}

func (c *Counts) rates() {
	c.ClosureRate, c.OnTimeRate = nil, nil
	if c.Found > 0 {
		r := float64(c.FoundClosed) / float64(c.Found)
		c.ClosureRate = &r
	}
	if c.Closed > 0 {
		r := float64(c.ClosedOnTime) / float64(c.Closed)
		c.OnTimeRate = &r
	}
}

// StatsRow is one child org's figures.
type StatsRow struct {
	OrgID int64  `json:"org_id"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Own   bool   `json:"own"` // the org's own hazards, not its children's
	Counts
}

// Stats are the figures of an org subtree and period, with a row per child org.
type Stats struct {
	OrgID   int64      `json:"org_id"`
	OrgName string     `json:"org_name"`
	From    string     `json:"from"`
	To      string     `json:"to"`
	Total   Counts     `json:"total"`
	Rows    []StatsRow `json:"rows"`
}

// StatsFilter is GET /api/v1/hazards/stats?org_id=&from=&to=.
type StatsFilter struct {
	OrgID    int64
	From, To string
}

// ParseStatsFilter reads the query (default: the caller's scope, this year to date).
func ParseStatsFilter(v url.Values) (StatsFilter, error) {
	f := StatsFilter{From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to"))}
	if s := strings.TrimSpace(v.Get("org_id")); s != "" {
		id, err := parseID(s)
		if err != nil {
			return f, apperr.Field(apperr.EINVALID, "org_id", "org_id 须为正整数 / org_id must be a positive integer")
		}
		f.OrgID = id
	}
	return f, nil
}

// statsOrg is the org whose subtree the figures cover: the one asked for,
// else the caller's widest scope where they may view hazards.
func (s *Service) statsOrg(ctx context.Context, a *auth.Actor, orgID int64) (*org.Org, error) {
	if orgID == 0 {
		if a != nil && a.Operator {
			root, err := org.Root(ctx, s.DB)
			if err != nil || root == nil {
				return nil, apperr.NotFound("org")
			}
			return root, nil
		}
		best := a.WidestGrant(auth.HazardView, auth.RoleEnterprise)
		if best == nil {
			return nil, s.Auth.Refuse(ctx, a, auth.HazardView, "hazard", apperr.NotFound("hazard statistics"))
		}
		orgID = best.ScopeOrgID
	}
	o, err := org.ByID(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.HazardView, o.Path, "org", itoa(o.ID)); err != nil {
		return nil, err
	}
	return o, nil
}

// sumTally adds a tally query's rows to the stats rows.
func (s *Service) sumTally(ctx context.Context, q string, args []any, rowOf map[int64]int, rows []StatsRow) error {
	tally, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer tally.Close()
	for tally.Next() {
		var id int64
		var c Counts
		if err := tally.Scan(&id, &c.Found, &c.FoundClosed, &c.Closed, &c.ClosedOnTime); err != nil {
			return err
		}
		if i, ok := rowOf[id]; ok {
			rows[i].add(c)
		}
	}
	return tally.Err()
}

// Stats computes the figures. The period's counts sum hazard_tally (a row
// per territory and day); the open counts read the partial index of open
// hazards. Neither scans the hazards of the period.
func (s *Service) Stats(ctx context.Context, a *auth.Actor, f StatsFilter) (*Stats, error) {
	today := s.today()
	from, to := calendar.Date{Year: today.Year, Month: 1, Day: 1}, today
	var err error
	if f.From != "" {
		if from, err = calendar.ParseDate(f.From); err != nil {
			return nil, apperr.Field(apperr.EINVALID, "from", "from 须为 YYYY-MM-DD / from must be YYYY-MM-DD")
		}
	}
	if f.To != "" {
		if to, err = calendar.ParseDate(f.To); err != nil {
			return nil, apperr.Field(apperr.EINVALID, "to", "to 须为 YYYY-MM-DD / to must be YYYY-MM-DD")
		}
	}
	if to.Before(from) {
		return nil, apperr.Field(apperr.EINVALID, "to", "结束日期不能早于开始日期 / to cannot be before from")
	}
	o, err := s.statsOrg(ctx, a, f.OrgID)
	if err != nil {
		return nil, err
	}
	st := &Stats{OrgID: o.ID, OrgName: o.Name, From: from.String(), To: to.String(), Rows: []StatsRow{}}
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
	rowOf := map[int64]int{} // org id → index in rows
	rows := []StatsRow{{OrgID: o.ID, Name: o.Name, Kind: o.Kind, Own: true}}
	for _, c := range children {
		rows = append(rows, StatsRow{OrgID: c.ID, Name: c.Name, Kind: c.Kind})
	}
	for _, x := range subtree {
		rowOf[x.ID] = 0
		for i, c := range children {
			if auth.Covers(c.Path, x.Path) {
				rowOf[x.ID] = i + 1
				break
			}
		}
	}
	// The period's counts: whole months from the monthly tally, the ragged
	// ends by day; the district's needs no join (every org is below it).
	for _, part := range calendar.MonthSpans(from, to) {
		table, col := "hazard_tally", "day"
		if part.Month {
			table, col = "hazard_tally_month", "month"
		}
		tq := `SELECT t.org_id, SUM(t.found), SUM(t.found_closed), SUM(t.closed), SUM(t.closed_on_time) FROM ` + table + ` t
			WHERE t.` + col + ` >= ? AND t.` + col + ` <= ? GROUP BY t.org_id`
		targs := []any{part.From, part.To}
		if o.ParentID != nil {
			cond, args := org.SubtreeSQL("o.path", o.Path)
			tq = `SELECT t.org_id, SUM(t.found), SUM(t.found_closed), SUM(t.closed), SUM(t.closed_on_time)
				FROM ` + table + ` t JOIN orgs o ON o.id = t.org_id WHERE ` + cond + ` AND t.` + col + ` >= ? AND t.` + col + ` <= ? GROUP BY t.org_id`
			targs = append(args, targs...)
		}
		if err := s.sumTally(ctx, tq, targs, rowOf, rows); err != nil {
			return nil, err
		}
	}
	q := `SELECT h.territory_org_id, count(*), SUM(CASE WHEN h.grade = 'major' THEN 1 ELSE 0 END),
		SUM(CASE WHEN h.status IN ('registered', 'rectifying') AND h.deadline < ? THEN 1 ELSE 0 END)
		FROM hazards h WHERE h.status IN ('registered', 'rectifying', 'awaiting_acceptance')`
	qargs := []any{today.String()}
	if o.ParentID != nil {
		ids := make([]string, len(subtree))
		for i, x := range subtree {
			ids[i] = itoa(x.ID)
		}
		q += " AND h.territory_org_id IN (" + strings.Join(ids, ", ") + ")"
	}
	err = s.read(ctx, func(qr db.Querier) error {
		open, err := qr.Query(ctx, q+" GROUP BY h.territory_org_id", qargs...)
		if err != nil {
			return err
		}
		defer open.Close()
		for open.Next() {
			var id int64
			var c Counts
			if err := open.Scan(&id, &c.Open, &c.MajorOpen, &c.OverdueNow); err != nil {
				return err
			}
			if i, ok := rowOf[id]; ok {
				rows[i].add(c)
			}
		}
		return open.Err()
	})
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].rates()
		st.Total.add(rows[i].Counts)
	}
	st.Total.rates()
	// The org's own row only when it has hazards of its own; children that
	// are territories always, others (departments) when they have any.
	// Children with most open first (then most overdue); the org's own
	// hazards last, when it has any.
	for i, r := range rows {
		empty := r.Counts == (Counts{})
		switch {
		case i == 0 && empty:
		case i > 0 && empty && !org.Territorial(r.Kind) && r.Kind != org.Village && r.Kind != org.Community:
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
		return a.OverdueNow > b.OverdueNow
	})
	return st, nil
}
