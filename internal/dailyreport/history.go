package dailyreport

import (
	"context"
	"database/sql"
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/web"
)

// MaxStatsDays bounds the period of one statistics request.
const MaxStatsDays = 366

// HistoryDay is one day of a unit's month.
type HistoryDay struct {
	Date        calendar.Date `json:"date"`
	Status      string        `json:"status"`
	MinutesLate int           `json:"minutes_late"`
	Versions    int           `json:"versions"`
	// The latest version filed that day (0: none), for the calendar's links.
	ReportID int64     `json:"-"`
	Deadline time.Time `json:"-"`
}

// History is a unit's month of statuses (the unit's calendar).
type History struct {
	OrgID int64        `json:"org_id"`
	Name  string       `json:"name"`
	Month string       `json:"month"`
	Days  []HistoryDay `json:"days"`
	Tier  string       `json:"-"`
	Path  string       `json:"-"`
}

// ParseMonth parses "YYYY-MM" strictly and returns the month's first day.
func ParseMonth(s string) (calendar.Date, error) {
	d, err := calendar.ParseDate(s + "-01")
	if err != nil || len(s) != 7 {
		return calendar.Date{}, apperr.Field(apperr.EINVALID, "month", "月份须为 YYYY-MM，收到 %q / the month must be YYYY-MM, got %q", s, s)
	}
	return d, nil
}

// dayRecord is what report_days holds for a unit-day.
type dayRecord struct {
	status   string
	minutes  int
	versions int
}

// dayStatus decides a unit-day's status the way the board does: the
// classified record when there is one; else not required, pending before
// the deadline, missing after it. Days before the unit's record begins
// (see recordStart) needed no report: Anwen was not asking for one yet.
func dayStatus(rec *dayRecord, day Day, now time.Time, start string) string {
	switch {
	case rec != nil:
		return rec.status
	case !day.Required || day.Date.String() < start:
		return NotRequired
	case !now.After(day.Deadline):
		return Pending
	}
	return Missing
}

// recordStarts says from which day each unit's record counts: its first
// classified or reported day; for a unit with none yet, the first such day
// of any unit (reporting began on this install); before any at all, today.
// Without it, every required day before Anwen was installed, or before an
// org was made a reporting unit, would count as missing.
func recordStarts(ctx context.Context, q db.Querier, path string, today calendar.Date) (map[int64]string, string, error) {
	var first sql.NullString
	if err := q.QueryRow(ctx, "SELECT MIN(day) FROM report_days").Scan(&first); err != nil {
		return nil, "", err
	}
	global := today.String()
	if first.Valid && first.String < global {
		global = first.String
	}
	cond, args := org.SubtreeSQL("o.path", path)
	rows, err := q.Query(ctx, "SELECT r.org_id, MIN(r.day) FROM report_days r JOIN orgs o ON o.id = r.org_id WHERE "+cond+" GROUP BY r.org_id", args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var day string
		if err := rows.Scan(&id, &day); err != nil {
			return nil, "", err
		}
		out[id] = day
	}
	return out, global, rows.Err()
}

// startOf is a unit's record start from recordStarts.
func startOf(starts map[int64]string, global string, orgID int64) string {
	if s, ok := starts[orgID]; ok {
		return s
	}
	return global
}

// History returns a unit's statuses for the month that starts at first.
// The caller needs DailyReportView at the unit (404 out of scope).
func (s *Service) History(ctx context.Context, a *auth.Actor, orgID int64, first calendar.Date) (*History, error) {
	o, err := org.ByID(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.DailyReportView, o.Path, "org", strconv.FormatInt(o.ID, 10)); err != nil {
		return nil, err
	}
	tier, err := TierOf(ctx, s.DB, o)
	if err != nil {
		return nil, err
	}
	if tier == "" {
		return nil, apperr.Field(apperr.ERULE, "org_id", "%s 不是报告单位 / %s is not a reporting unit", o.Name, o.Name)
	}
	first = calendar.Date{Year: first.Year, Month: first.Month, Day: 1}
	last := calendar.Date{Year: first.Year, Month: first.Month + 1, Day: 1}.AddDays(-1)
	sch, err := LoadSchedule(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	recs := map[string]*dayRecord{}
	rows, err := s.DB.Query(ctx, "SELECT day, status, minutes_late, versions FROM report_days WHERE org_id = ? AND day >= ? AND day <= ?",
		o.ID, first.String(), last.String())
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var day string
		r := &dayRecord{}
		if err := rows.Scan(&day, &r.status, &r.minutes, &r.versions); err != nil {
			rows.Close()
			return nil, err
		}
		recs[day] = r
	}
	rows.Close()
	type latest struct {
		id      int64
		version int
	}
	reports := map[string]latest{}
	rows, err = s.DB.Query(ctx, "SELECT id, day, version FROM daily_reports WHERE org_id = ? AND day >= ? AND day <= ? ORDER BY version",
		o.ID, first.String(), last.String())
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var l latest
		var day string
		if err := rows.Scan(&l.id, &day, &l.version); err != nil {
			rows.Close()
			return nil, err
		}
		reports[day] = l
	}
	rows.Close()
	starts, global, err := recordStarts(ctx, s.DB, o.Path, s.Today())
	if err != nil {
		return nil, err
	}
	start := startOf(starts, global, o.ID)
	now := s.Clock.Now()
	h := &History{OrgID: o.ID, Name: o.Name, Month: first.String()[:7], Days: []HistoryDay{}, Tier: tier, Path: o.Path}
	for d := first; !d.After(last); d = d.AddDays(1) {
		day := sch.DayOf(cal, tier, d)
		rec := recs[d.String()]
		hd := HistoryDay{Date: d, Status: dayStatus(rec, day, now, start), Deadline: day.Deadline}
		if rec != nil {
			hd.MinutesLate = rec.minutes
		}
		if l, ok := reports[d.String()]; ok {
			hd.Versions, hd.ReportID = l.version, l.id
		}
		h.Days = append(h.Days, hd)
	}
	return h, nil
}

// StatCounts are the counted days of one unit or of all: required days
// whose deadline has passed, split by status. OnTimeRate is on_time /
// required_days, rounded to four places; null when no day counted.
type StatCounts struct {
	RequiredDays int      `json:"required_days"`
	OnTime       int      `json:"on_time"`
	Late         int      `json:"late"`
	Missing      int      `json:"missing"`
	OnTimeRate   *float64 `json:"on_time_rate"`
}

func (c *StatCounts) add(status string) {
	switch status {
	case OnTime:
		c.OnTime++
	case Late:
		c.Late++
	case Missing:
		c.Missing++
	default:
		return
	}
	c.RequiredDays++
}

func (c *StatCounts) rate() {
	c.OnTimeRate = nil
	if c.RequiredDays > 0 {
		r := math.Round(float64(c.OnTime)/float64(c.RequiredDays)*10000) / 10000
		c.OnTimeRate = &r
	}
}

// UnitStats is one unit's line of the statistics.
type UnitStats struct {
	OrgID int64  `json:"org_id"`
	Name  string `json:"name"`
	StatCounts
}

// Stats is the on-time record of the units that report to an org over a period.
type Stats struct {
	From    calendar.Date `json:"from"`
	To      calendar.Date `json:"to"`
	OrgID   int64         `json:"org_id"`
	Units   []UnitStats   `json:"units"`
	Total   StatCounts    `json:"total"`
	OrgName string        `json:"-"`
	Path    string        `json:"-"`
}

// CheckPeriod validates a statistics period.
func CheckPeriod(from, to calendar.Date) error {
	if to.Before(from) {
		return apperr.Field(apperr.EINVALID, "to", "结束日期 %s 早于开始日期 %s / the period ends (%s) before it starts (%s)", to, from, to, from)
	}
	if from.DaysUntil(to) >= MaxStatsDays {
		return apperr.Field(apperr.EINVALID, "to", "统计期间最长 %d 天 / a period may span at most %d days", MaxStatsDays, MaxStatsDays)
	}
	return nil
}

// Stats counts, for each unit that reports to orgID (0: the actor's scope)
// and for all of them, the required days of [from, to] whose deadline has
// passed, by status. Units come sorted by on-time rate, lowest first.
func (s *Service) Stats(ctx context.Context, a *auth.Actor, orgID int64, from, to calendar.Date) (*Stats, error) {
	if err := CheckPeriod(from, to); err != nil {
		return nil, err
	}
	o, err := s.scopeOrg(ctx, a, auth.DailyReportView, orgID)
	if err != nil {
		return nil, err
	}
	tier := boardTier(o)
	units, err := Units(ctx, s.DB, tier, o.Path)
	if err != nil {
		return nil, err
	}
	sch, err := LoadSchedule(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := dayRecords(ctx, s.DB, o.Path, from, to)
	if err != nil {
		return nil, err
	}
	starts, global, err := recordStarts(ctx, s.DB, o.Path, s.Today())
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	st := &Stats{From: from, To: to, OrgID: o.ID, OrgName: o.Name, Path: o.Path, Units: []UnitStats{}}
	var days []Day
	for d := from; !d.After(to); d = d.AddDays(1) {
		if day := sch.DayOf(cal, tier, d); now.After(day.Deadline) {
			days = append(days, day)
		}
	}
	for _, u := range units {
		us := UnitStats{OrgID: u.OrgID, Name: u.Name}
		start := startOf(starts, global, u.OrgID)
		for _, day := range days {
			us.add(dayStatus(recs[unitDay{u.OrgID, day.Date.String()}], day, now, start))
		}
		us.rate()
		st.Total.RequiredDays += us.RequiredDays
		st.Total.OnTime += us.OnTime
		st.Total.Late += us.Late
		st.Total.Missing += us.Missing
		st.Units = append(st.Units, us)
	}
	st.Total.rate()
	sort.SliceStable(st.Units, func(i, j int) bool {
		ri, rj := st.Units[i].OnTimeRate, st.Units[j].OnTimeRate
		switch {
		case ri == nil || rj == nil:
			return ri != nil && rj == nil // units with no counted day last
		case *ri != *rj:
			return *ri < *rj
		}
		return st.Units[i].Missing+st.Units[i].Late > st.Units[j].Missing+st.Units[j].Late
	})
	return st, nil
}

type unitDay struct {
	orgID int64
	day   string
}

// dayRecords reads the classified unit-days of a subtree over a period.
func dayRecords(ctx context.Context, q db.Querier, path string, from, to calendar.Date) (map[unitDay]*dayRecord, error) {
	cond, args := org.SubtreeSQL("o.path", path)
	rows, err := q.Query(ctx, "SELECT r.org_id, r.day, r.status, r.minutes_late, r.versions FROM report_days r JOIN orgs o ON o.id = r.org_id WHERE r.day >= ? AND r.day <= ? AND "+cond,
		append([]any{from.String(), to.String()}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[unitDay]*dayRecord{}
	for rows.Next() {
		var k unitDay
		r := &dayRecord{}
		if err := rows.Scan(&k.orgID, &k.day, &r.status, &r.minutes, &r.versions); err != nil {
			return nil, err
		}
		out[k] = r
	}
	return out, rows.Err()
}

// ---- API ----

// monthParam reads ?month= (default this month).
func (h *handlers) monthParam(r *http.Request) (calendar.Date, error) {
	if s := r.URL.Query().Get("month"); s != "" {
		return ParseMonth(s)
	}
	t := h.svc.Today()
	return calendar.Date{Year: t.Year, Month: t.Month, Day: 1}, nil
}

// periodParams reads ?from= and ?to= (default: this month).
func (h *handlers) periodParams(r *http.Request) (from, to calendar.Date, err error) {
	t := h.svc.Today()
	from = calendar.Date{Year: t.Year, Month: t.Month, Day: 1}
	to = calendar.Date{Year: t.Year, Month: t.Month + 1, Day: 1}.AddDays(-1)
	for _, p := range []struct {
		name string
		dst  *calendar.Date
	}{{"from", &from}, {"to", &to}} {
		if s := r.URL.Query().Get(p.name); s != "" {
			d, err := calendar.ParseDate(s)
			if err != nil {
				return from, to, apperr.Field(apperr.EINVALID, p.name, "日期须为 YYYY-MM-DD / the date must be YYYY-MM-DD")
			}
			*p.dst = d
		}
	}
	return from, to, CheckPeriod(from, to)
}

// requiredOrg reads ?org_id=, which must be given.
func requiredOrg(r *http.Request) (int64, error) {
	id, err := orgParam(r)
	if err == nil && id == 0 {
		err = apperr.Field(apperr.EINVALID, "org_id", "缺少 org_id / org_id is required")
	}
	return id, err
}

func (h *handlers) apiHistory(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	orgID, err := requiredOrg(r)
	if err != nil {
		return err
	}
	month, err := h.monthParam(r)
	if err != nil {
		return err
	}
	hist, err := h.svc.History(r.Context(), a, orgID, month)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, hist)
	return nil
}

func (h *handlers) apiStats(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	orgID, err := orgParam(r)
	if err != nil {
		return err
	}
	from, to, err := h.periodParams(r)
	if err != nil {
		return err
	}
	st, err := h.svc.Stats(r.Context(), a, orgID, from, to)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, st)
	return nil
}
