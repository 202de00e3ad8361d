package hazard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// The enterprise's statistics table (企业隐患排查治理情况统计表): every
// enterprise sends the figures of its hazard work each quarter by the 15th
// of the next quarter and each year by 31 January, signed by its principal
// person (主要负责人). Quarterly builds the figures of one enterprise, or of
// every enterprise of an org subtree (one row each) for government staff;
// WriteQuarterly (quarterly_excel.go) lays them out as the table.
//
// Counting rules, the same for every row:
//   - found (排查数): hazards about the enterprise found in the period,
//     cancelled ones not counted, by grade;
//   - closed (已整改销号): of those, closed by the end of the period (by
//     today while the period runs), so that a past period's table reads the
//     same whenever it is downloaded;
//   - open at the end (期末未销号): found by then and not closed by then;
//     overdue of those (逾期未整改): past their deadline (the current one)
//     and not rectified by then;
//   - major hazards under listed supervision (挂牌督办): listed by the end
//     and not closed before the period began; with a full treatment plan
//     (治理方案六项齐全): open major hazards whose six plan items are filled in;
//   - funds (整改资金): the funds of the hazards found in the period.

// Period is a statistics period: a quarter (2026Q3) or a year (2026).
type Period struct {
	Code    string `json:"code"`    // 2026Q3 or 2026
	Year    int    `json:"year"`    //
	Quarter int    `json:"quarter"` // 1–4; 0 for a year
	From    string `json:"from"`    // YYYY-MM-DD, first day
	To      string `json:"to"`      // YYYY-MM-DD, last day
	Due     string `json:"due"`     // YYYY-MM-DD: the table is sent by this day
}

var periodRE = regexp.MustCompile(`^(\d{4})(?:-?[Qq]([1-4]))?$`)

// ParsePeriod reads 2026Q3 (also 2026q3, 2026-Q3) or 2026.
func ParsePeriod(s string) (Period, error) {
	m := periodRE.FindStringSubmatch(strings.TrimSpace(s))
	bad := apperr.Field(apperr.EINVALID, "period", "统计期须为 2026Q3（季度）或 2026（年度）的格式 / period is a quarter such as 2026Q3 or a year such as 2026")
	if m == nil {
		return Period{}, bad
	}
	y, _ := strconv.Atoi(m[1])
	if y < 2000 || y > 2100 {
		return Period{}, bad
	}
	q := 0
	if m[2] != "" {
		q, _ = strconv.Atoi(m[2])
	}
	return makePeriod(y, q), nil
}

// makePeriod is the quarter q of year y (q 0: the year).
func makePeriod(y, q int) Period {
	if q == 0 {
		return Period{Code: strconv.Itoa(y), Year: y,
			From: calendar.Date{Year: y, Month: 1, Day: 1}.String(), To: calendar.Date{Year: y, Month: 12, Day: 31}.String(),
			Due: calendar.Date{Year: y + 1, Month: 1, Day: 31}.String()}
	}
	from := calendar.Date{Year: y, Month: time.Month(3*(q-1) + 1), Day: 1}
	next := from.AddDays(95)
	next.Day = 1 // the first day of the next quarter
	to := next.AddDays(-1)
	due := next
	due.Day = 15
	return Period{Code: fmt.Sprintf("%dQ%d", y, q), Year: y, Quarter: q, From: from.String(), To: to.String(), Due: due.String()}
}

// QuarterOf is the quarter that holds d.
func QuarterOf(d calendar.Date) Period { return makePeriod(d.Year, (int(d.Month)-1)/3+1) }

// Dates returns the period's first and last day and its due date.
func (p Period) Dates() (from, to, due calendar.Date) {
	from, _ = calendar.ParseDate(p.From)
	to, _ = calendar.ParseDate(p.To)
	due, _ = calendar.ParseDate(p.Due)
	return
}

var quarterZH = []string{"", "第一季度", "第二季度", "第三季度", "第四季度"}

// Label names the period in lang: 2026年第三季度, 2026年度; Q3 2026, Year 2026.
func (p Period) Label(lang string) string {
	if lang == "en" {
		if p.Quarter == 0 {
			return fmt.Sprintf("Year %d", p.Year)
		}
		return fmt.Sprintf("Q%d %d", p.Quarter, p.Year)
	}
	if p.Quarter == 0 {
		return fmt.Sprintf("%d年度", p.Year)
	}
	return fmt.Sprintf("%d年%s", p.Year, quarterZH[p.Quarter])
}

// RecentPeriods lists the periods a page offers on today: the current
// quarter and the seven before it, then the current year and the two
// before it.
func RecentPeriods(today calendar.Date) []Period {
	var out []Period
	y, q := today.Year, (int(today.Month)-1)/3+1
	for i := 0; i < 8; i++ {
		out = append(out, makePeriod(y, q))
		if q--; q == 0 {
			y, q = y-1, 4
		}
	}
	for i := 0; i < 3; i++ {
		out = append(out, makePeriod(today.Year-i, 0))
	}
	return out
}

// DefaultPeriod is the period a page opens on: the last quarter that has
// ended.
func DefaultPeriod(today calendar.Date) Period {
	from, _, _ := QuarterOf(today).Dates()
	return QuarterOf(from.AddDays(-1))
}

// UpcomingDue lists the tables not yet due on today, soonest first: the
// quarter that ended within the last 15 days, the current quarter, the
// year that ended within January, and the current year.
func UpcomingDue(today calendar.Date) []Period {
	var out []Period
	for _, p := range RecentPeriods(today) {
		if _, _, due := p.Dates(); !due.Before(today) {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due < out[j].Due })
	return out
}

// QuarterlyFigures are the figures of one row of the table.
type QuarterlyFigures struct {
	GeneralFound  int      `json:"general_found"`  // 一般隐患 found in the period
	GeneralClosed int      `json:"general_closed"` // of those, closed by the end
	GeneralRate   *float64 `json:"general_rate"`   // general_closed / general_found (null: none found)
	MajorFound    int      `json:"major_found"`    // 重大隐患 found in the period
	MajorClosed   int      `json:"major_closed"`
	MajorRate     *float64 `json:"major_rate"`
	Found         int      `json:"found"` // both grades
	Closed        int      `json:"closed"`
	ClosureRate   *float64 `json:"closure_rate"`
	// ClosedInPeriod: closed in the period, found then or before (本期销号).
	ClosedInPeriod int `json:"closed_in_period"`
	// At the end of the period (today while it runs).
	OpenAtEnd      int     `json:"open_at_end"`       // 期末未销号 (整改中)
	OverdueAtEnd   int     `json:"overdue_at_end"`    // of those, past the deadline and not rectified
	MajorOpenAtEnd int     `json:"major_open_at_end"` // 重大隐患 still open
	MajorListed    int     `json:"major_listed"`      // 重大隐患 under listed supervision (挂牌督办) in the period
	MajorPlanned   int     `json:"major_planned"`     // open major hazards with the six plan items filled in
	FundsYuan      float64 `json:"funds_yuan"`        // 整改资金 of the hazards found in the period
	fundsCents     int64
}

func (f *QuarterlyFigures) add(o QuarterlyFigures) {
	f.GeneralFound += o.GeneralFound
	f.GeneralClosed += o.GeneralClosed
	f.MajorFound += o.MajorFound
	f.MajorClosed += o.MajorClosed
	f.ClosedInPeriod += o.ClosedInPeriod
	f.OpenAtEnd += o.OpenAtEnd
	f.OverdueAtEnd += o.OverdueAtEnd
	f.MajorOpenAtEnd += o.MajorOpenAtEnd
	f.MajorListed += o.MajorListed
	f.MajorPlanned += o.MajorPlanned
	f.fundsCents += o.fundsCents
}

func rate(n, of int) *float64 {
	if of <= 0 {
		return nil
	}
	r := float64(n) / float64(of)
	return &r
}

// finish computes the totals and rates.
func (f *QuarterlyFigures) finish() {
	f.Found, f.Closed = f.GeneralFound+f.MajorFound, f.GeneralClosed+f.MajorClosed
	f.GeneralRate, f.MajorRate, f.ClosureRate = rate(f.GeneralClosed, f.GeneralFound), rate(f.MajorClosed, f.MajorFound), rate(f.Closed, f.Found)
	f.FundsYuan = float64(f.fundsCents) / 100
}

// QuarterlyRow is one enterprise's row.
type QuarterlyRow struct {
	EnterpriseID  int64  `json:"enterprise_id"`
	Name          string `json:"name"`
	USCC          string `json:"uscc"`
	TerritoryName string `json:"territory_name"`
	Principal     string `json:"principal"` // 主要负责人, who signs
	QuarterlyFigures
}

// Quarterly is the table of one enterprise or of an org subtree's enterprises.
type Quarterly struct {
	Period      Period `json:"period"`
	PeriodLabel string `json:"period_label"`
	// Ended: the period is over; while it runs, the figures are as of today
	// and the table says 未结束.
	Ended bool   `json:"ended"`
	AsOf  string `json:"as_of"` // YYYY-MM-DD: the figures' end day
	// DaysToDue: days from today to the due date (negative: past it).
	DaysToDue int `json:"days_to_due"`
	// Scope: "enterprise" (one row) or "org" (a row per enterprise of the subtree).
	Scope        string           `json:"scope"`
	EnterpriseID int64            `json:"enterprise_id,omitempty"`
	OrgID        int64            `json:"org_id,omitempty"`
	Name         string           `json:"name"` // the enterprise's or the org's
	Rows         []QuarterlyRow   `json:"rows"`
	Total        QuarterlyFigures `json:"total"`
}

// QuarterlyRequest asks for a table: an enterprise or an org (neither: the
// caller's enterprise, else the caller's widest scope) and a period.
type QuarterlyRequest struct {
	EnterpriseID int64
	OrgID        int64
	Period       Period
}

// ParseQuarterlyRequest reads ?enterprise_id=&org_id=&period=. The period
// is required unless def is given.
func ParseQuarterlyRequest(v url.Values, def *Period) (QuarterlyRequest, error) {
	var req QuarterlyRequest
	var err error
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"enterprise_id", &req.EnterpriseID}, {"org_id", &req.OrgID}} {
		if s := strings.TrimSpace(v.Get(f.name)); s != "" {
			if *f.dst, err = parseID(s); err != nil {
				return req, apperr.Field(apperr.EINVALID, f.name, "%s 须为正整数 / %s must be a positive integer", f.name, f.name)
			}
		}
	}
	if req.EnterpriseID != 0 && req.OrgID != 0 {
		return req, apperr.Field(apperr.EINVALID, "org_id", "enterprise_id 与 org_id 只能给一个 / give enterprise_id or org_id, not both")
	}
	s := strings.TrimSpace(v.Get("period"))
	if s == "" && def != nil {
		req.Period = *def
		return req, nil
	}
	if s == "" {
		return req, apperr.Field(apperr.EINVALID, "period", "请指定统计期，如 2026Q3 或 2026 / period is required, e.g. 2026Q3 or 2026")
	}
	req.Period, err = ParsePeriod(s)
	return req, err
}

// quarterlyEnterprise reads what the table needs of an enterprise.
func quarterlyEnterprise(ctx context.Context, q db.Querier, id int64) (*QuarterlyRow, string, error) {
	r := &QuarterlyRow{EnterpriseID: id}
	var path string
	err := q.QueryRow(ctx, `SELECT e.name, COALESCE(e.uscc, ''), t.name, e.principal_name, t.path FROM enterprises e JOIN orgs t ON t.id = e.territory_org_id WHERE e.id = ?`, id).
		Scan(&r.Name, &r.USCC, &r.TerritoryName, &r.Principal, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", apperr.NotFound("enterprise")
	}
	if err != nil {
		return nil, "", err
	}
	return r, auth.EnterpriseScope(path, id), nil
}

// Quarterly builds the table of req for the actor: one enterprise (its
// contact, or staff whose scope covers it), or the enterprises of an org
// subtree (staff). Out of the actor's scope: not found.
func (s *Service) Quarterly(ctx context.Context, a *auth.Actor, req QuarterlyRequest) (*Quarterly, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	today := s.today()
	from, to, due := req.Period.Dates()
	if from.After(today) {
		return nil, apperr.Field(apperr.EINVALID, "period", "统计期 %s 尚未开始 / the period %s has not begun", req.Period.Label("zh"), req.Period.Code)
	}
	asOf := to
	if today.Before(to) {
		asOf = today
	}
	out := &Quarterly{Period: req.Period, PeriodLabel: req.Period.Label("zh"), Ended: today.After(to), AsOf: asOf.String(),
		DaysToDue: daysBetween(today, due), Rows: []QuarterlyRow{}}
	if req.EnterpriseID == 0 && req.OrgID == 0 && a.HasRole(auth.RoleEnterprise) && a.EnterpriseID != 0 && !canStats(a) {
		req.EnterpriseID = a.EnterpriseID
	}
	var cond string
	var args []any
	if req.EnterpriseID != 0 {
		row, path, err := quarterlyEnterprise(ctx, s.DB, req.EnterpriseID)
		if err != nil {
			return nil, s.Auth.Refuse(ctx, a, auth.HazardView, "enterprise", err)
		}
		if err := s.Auth.Check(ctx, a, auth.HazardView, path, "enterprise", itoa(req.EnterpriseID)); err != nil {
			return nil, err
		}
		out.Scope, out.EnterpriseID, out.Name = "enterprise", req.EnterpriseID, row.Name
		out.Rows = append(out.Rows, *row)
		cond, args = "e.id = ?", []any{req.EnterpriseID}
	} else {
		o, err := s.statsOrg(ctx, a, req.OrgID)
		if err != nil {
			return nil, err
		}
		out.Scope, out.OrgID, out.Name = "org", o.ID, o.Name
		cond, args = org.SubtreeSQL("e.territory_path", o.Path)
		// The subtree's enterprises: those open now, and closed ones that
		// had hazards found in the period.
		rows, err := s.DB.Query(ctx, `SELECT e.id, e.name, COALESCE(e.uscc, ''), t.name, e.principal_name
			FROM enterprises e JOIN orgs t ON t.id = e.territory_org_id
			WHERE `+cond+` AND (NOT e.closed OR EXISTS (SELECT 1 FROM hazards h WHERE h.enterprise_id = e.id AND h.found_day >= ? AND h.found_day <= ?))
			ORDER BY t.path, e.name, e.id`, append(append([]any{}, args...), from.String(), to.String())...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var r QuarterlyRow
			if err := rows.Scan(&r.EnterpriseID, &r.Name, &r.USCC, &r.TerritoryName, &r.Principal); err != nil {
				rows.Close()
				return nil, err
			}
			out.Rows = append(out.Rows, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	figures, err := s.quarterlyFigures(ctx, cond, args, from, to, asOf)
	if err != nil {
		return nil, err
	}
	for i := range out.Rows {
		out.Rows[i].QuarterlyFigures = figures[out.Rows[i].EnterpriseID]
		out.Rows[i].finish()
		out.Total.add(out.Rows[i].QuarterlyFigures)
	}
	out.Total.finish()
	return out, nil
}

// quarterlyFigures sums the hazards of the enterprises matching cond (on
// table alias e) for the period from–to, as of asOf, by enterprise.
func (s *Service) quarterlyFigures(ctx context.Context, cond string, condArgs []any, from, to, asOf calendar.Date) (map[int64]QuarterlyFigures, error) {
	f, t, end := from.String(), to.String(), asOf.String()
	// The first moment after asOf, for listed_at (a time).
	after := asOf.AddDays(1).Time().UTC()
	const found = `h.found_day >= ? AND h.found_day <= ?`
	const open = `h.found_day <= ? AND (h.closed_day IS NULL OR h.closed_day > ?)`
	const planned = `h.plan_goal <> '' AND h.plan_method <> '' AND h.plan_funds <> '' AND h.plan_staff <> '' AND h.plan_schedule <> '' AND h.plan_safety <> ''`
	q := `SELECT h.enterprise_id,
		SUM(CASE WHEN h.grade = 'general' AND ` + found + ` THEN 1 ELSE 0 END),
		SUM(CASE WHEN h.grade = 'general' AND ` + found + ` AND h.closed_day <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN h.grade = 'major' AND ` + found + ` THEN 1 ELSE 0 END),
		SUM(CASE WHEN h.grade = 'major' AND ` + found + ` AND h.closed_day <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN h.closed_day >= ? AND h.closed_day <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN ` + open + ` THEN 1 ELSE 0 END),
		SUM(CASE WHEN ` + open + ` AND h.deadline < ? AND (h.status IN ('registered', 'rectifying') OR h.rectified_day > ?) THEN 1 ELSE 0 END),
		SUM(CASE WHEN h.grade = 'major' AND ` + open + ` THEN 1 ELSE 0 END),
		SUM(CASE WHEN h.grade = 'major' AND h.listed_at < ? AND (h.closed_day IS NULL OR h.closed_day >= ?) THEN 1 ELSE 0 END),
		SUM(CASE WHEN h.grade = 'major' AND ` + open + ` AND ` + planned + ` THEN 1 ELSE 0 END),
		CAST(SUM(CASE WHEN ` + found + ` THEN h.funds_cents ELSE 0 END) AS BIGINT)
		FROM hazards h JOIN enterprises e ON e.id = h.enterprise_id
		WHERE ` + cond + ` AND h.status <> 'cancelled' AND h.found_day <= ?
			AND (h.found_day >= ? OR h.closed_day IS NULL OR h.closed_day >= ?)
		GROUP BY h.enterprise_id`
	args := []any{
		f, t,
		f, t, end,
		f, t,
		f, t, end,
		f, end,
		end, end,
		end, end, end, end,
		end, end,
		after, f,
		end, end,
		f, t,
	}
	// Hazards closed before the period began count nowhere: left out.
	args = append(append(args, condArgs...), end, f, f)
	out := map[int64]QuarterlyFigures{}
	err := s.read(ctx, func(qr db.Querier) error {
		rows, err := qr.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var x QuarterlyFigures
			if err := rows.Scan(&id, &x.GeneralFound, &x.GeneralClosed, &x.MajorFound, &x.MajorClosed, &x.ClosedInPeriod,
				&x.OpenAtEnd, &x.OverdueAtEnd, &x.MajorOpenAtEnd, &x.MajorListed, &x.MajorPlanned, &x.fundsCents); err != nil {
				return err
			}
			out[id] = x
		}
		return rows.Err()
	})
	return out, err
}
