package dailyreport

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/org"
)

// ReportLine is one filed version of a unit's report, as the pages show it.
type ReportLine struct {
	ID               int64
	Version          int
	Receipt          string
	SubmittedAt      time.Time
	Channel          string
	OnBehalf         bool
	UserName         string
	SafetyNothing    bool
	StabilityNothing bool
	Late             bool // the first version came after the deadline (迟报)
	CorrectedLate    bool // a correction after the deadline (错报)
}

// Nothing reports whether both halves were 平安.
func (l ReportLine) Nothing() bool { return l.SafetyNothing && l.StabilityNothing }

// UnitDay is a unit's reporting day: the schedule, the status and what was filed.
type UnitDay struct {
	Org         *org.Org
	Tier        string
	Day         Day
	Status      string
	MinutesLate int
	Versions    []ReportLine // oldest first
}

// Latest is the newest version filed, nil when none.
func (u *UnitDay) Latest() *ReportLine {
	if len(u.Versions) == 0 {
		return nil
	}
	return &u.Versions[len(u.Versions)-1]
}

// First is the first version filed, nil when none.
func (u *UnitDay) First() *ReportLine {
	if len(u.Versions) == 0 {
		return nil
	}
	return &u.Versions[0]
}

const reportLineCols = `r.id, r.version, r.receipt, r.submitted_at, r.channel, r.on_behalf, COALESCE(u.name, ''),
	r.safety_nothing, r.stability_nothing, r.late, r.corrected_late`

func scanLine(row interface{ Scan(...any) error }, l *ReportLine, extra ...any) error {
	if err := row.Scan(append([]any{&l.ID, &l.Version, &l.Receipt, &l.SubmittedAt, &l.Channel, &l.OnBehalf, &l.UserName,
		&l.SafetyNothing, &l.StabilityNothing, &l.Late, &l.CorrectedLate}, extra...)...); err != nil {
		return err
	}
	l.SubmittedAt = l.SubmittedAt.UTC()
	return nil
}

// UnitDayOf reads a reporting unit's day. It checks no permission: callers do.
func (s *Service) UnitDayOf(ctx context.Context, o *org.Org, d calendar.Date) (*UnitDay, error) {
	tier, err := TierOf(ctx, s.DB, o)
	if err != nil {
		return nil, err
	}
	if tier == "" {
		return nil, apperr.Field(apperr.ERULE, "org_id", "%s 不是报告单位 / %s is not a reporting unit", o.Name, o.Name)
	}
	day, err := s.DayFor(ctx, tier, d)
	if err != nil {
		return nil, err
	}
	u := &UnitDay{Org: o, Tier: tier, Day: day}
	var rec *dayRecord
	r := &dayRecord{}
	err = s.DB.QueryRow(ctx, "SELECT status, minutes_late, versions FROM report_days WHERE org_id = ? AND day = ?", o.ID, d.String()).Scan(&r.status, &r.minutes, &r.versions)
	switch {
	case err == nil:
		rec = r
		u.MinutesLate = r.minutes
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	starts, global, err := recordStarts(ctx, s.DB, o.Path, s.Today())
	if err != nil {
		return nil, err
	}
	u.Status = dayStatus(rec, day, s.Clock.Now(), startOf(starts, global, o.ID))
	rows, err := s.DB.Query(ctx, "SELECT "+reportLineCols+" FROM daily_reports r LEFT JOIN users u ON u.id = r.user_id WHERE r.org_id = ? AND r.day = ? ORDER BY r.version",
		o.ID, d.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l ReportLine
		if err := scanLine(rows, &l); err != nil {
			return nil, err
		}
		u.Versions = append(u.Versions, l)
	}
	return u, rows.Err()
}

// ReportView is one filed version with its items and the day's other versions.
type ReportView struct {
	ReportLine
	Org         *org.Org
	Date        calendar.Date
	Status      string
	MinutesLate int
	Items       []BoardItem
	Versions    []ReportLine
	CanSubmit   bool // the viewer may file a correction
}

// Report reads one filed version. Those who may report for the unit or view
// its reports see it; to anyone else it does not exist.
func (s *Service) Report(ctx context.Context, a *auth.Actor, id int64) (*ReportView, error) {
	var v ReportView
	var orgID int64
	var day string
	err := scanLine(s.DB.QueryRow(ctx, "SELECT "+reportLineCols+", r.org_id, r.day FROM daily_reports r LEFT JOIN users u ON u.id = r.user_id WHERE r.id = ?", id),
		&v.ReportLine, &orgID, &day)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("daily report")
	}
	if err != nil {
		return nil, err
	}
	o, err := org.ByID(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	v.CanSubmit = a.Can(auth.DailyReportSubmit, o.Path)
	if !v.CanSubmit {
		if err := s.Auth.Check(ctx, a, auth.DailyReportView, o.Path, "daily_report", strconv.FormatInt(id, 10)); err != nil {
			return nil, err
		}
	}
	v.Org = o
	v.Date, _ = calendar.ParseDate(day)
	ud, err := s.UnitDayOf(ctx, o, v.Date)
	if err != nil {
		if e, ok := apperr.As(err); !ok || e.Code != apperr.ERULE {
			return nil, err
		}
		// No longer a reporting unit: show what was filed all the same.
		ud = &UnitDay{Status: NotRequired}
		ud.Versions = []ReportLine{v.ReportLine}
	}
	v.Status, v.MinutesLate, v.Versions = ud.Status, ud.MinutesLate, ud.Versions
	rows, err := s.DB.Query(ctx, `SELECT i.id, i.half, i.category, i.summary, i.place, i.occurred_at, i.severity, i.follow_up, i.acknowledged_at, i.link_kind, i.link_ref
		FROM daily_report_items i WHERE i.report_id = ? ORDER BY CASE i.half WHEN 'safety' THEN 0 ELSE 1 END, i.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		it := BoardItem{OrgID: o.ID, OrgName: o.Name}
		var ack sql.NullTime
		if err := rows.Scan(&it.ID, &it.Half, &it.Category, &it.Summary, &it.Place, &it.OccurredAt, &it.Severity, &it.FollowUp, &ack, &it.LinkKind, &it.LinkRef); err != nil {
			return nil, err
		}
		if ack.Valid {
			t := ack.Time.UTC()
			it.AcknowledgedAt = &t
		}
		v.Items = append(v.Items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return &v, s.withFiles(ctx, v.Items)
}

// OwnUnit returns the actor's own org when it is a reporting unit the actor
// may report for, else nil.
func (s *Service) OwnUnit(ctx context.Context, a *auth.Actor) (*org.Org, error) {
	if a.OrgID == 0 {
		return nil, nil
	}
	o, err := org.ByID(ctx, s.DB, a.OrgID)
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Code == apperr.ENOTFOUND {
			return nil, nil
		}
		return nil, err
	}
	if !a.Can(auth.DailyReportSubmit, o.Path) {
		return nil, nil
	}
	tier, err := TierOf(ctx, s.DB, o)
	if err != nil || tier == "" {
		return nil, err
	}
	return o, nil
}

// MaxReportableUnits bounds the units the form offers to choose from.
const MaxReportableUnits = 2000

// ReportableUnits lists the reporting units of both tiers the actor may
// report for, in tree order (at most MaxReportableUnits).
func (s *Service) ReportableUnits(ctx context.Context, a *auth.Actor) ([]Unit, error) {
	seen := map[int64]bool{}
	var out []Unit
	for _, scope := range a.Scopes(auth.DailyReportSubmit) {
		for _, tier := range Tiers {
			us, err := Units(ctx, s.DB, tier, scope)
			if err != nil {
				return nil, err
			}
			for _, u := range us {
				if !seen[u.OrgID] {
					seen[u.OrgID] = true
					out = append(out, u)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	if len(out) > MaxReportableUnits {
		out = out[:MaxReportableUnits]
	}
	return out, nil
}

// PingTokenIssued returns when each unit's current check-in token was issued.
func (s *Service) PingTokenIssued(ctx context.Context, orgIDs []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if len(orgIDs) == 0 {
		return out, nil
	}
	rows, err := s.DB.Query(ctx, "SELECT org_id, created_at FROM report_ping_tokens")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	want := map[int64]bool{}
	for _, id := range orgIDs {
		want[id] = true
	}
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		if want[id] {
			out[id] = at.UTC()
		}
	}
	return out, rows.Err()
}
