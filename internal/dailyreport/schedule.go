// Package dailyreport is the daily zero report (每日零报告): every reporting
// unit tells the safety desk (应急管理局) and the stability desk (信访局) before
// the deadline of each reporting day, "有事报情况，无事报平安". Lateness and
// silence are caught at the deadline by the clock engine.
package dailyreport

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
)

// Tiers: villages report to their township, townships to the district.
const (
	TierTownship = "township"
	TierVillage  = "village"
)

// Tiers lists both tiers, township first.
var Tiers = []string{TierTownship, TierVillage}

// TierDeadline is one tier's deadline of day, "HH:MM" in Asia/Shanghai.
type TierDeadline struct {
	Tier     string `json:"tier"`
	Deadline string `json:"deadline"`
	// A change made after the new time had passed that day applies from the
	// next day: the day of the change keeps the deadline it had.
	prev      string
	changedAt time.Time
}

// Period is a heightened period (重要节点): reporting every day, holidays
// included, optionally with an earlier deadline for both tiers.
type Period struct {
	Start    calendar.Date `json:"start"`
	End      calendar.Date `json:"end"`
	Deadline string        `json:"deadline,omitempty"`
	Name     string        `json:"name,omitempty"`
}

// Schedule is both tiers' deadlines and the heightened periods.
type Schedule struct {
	Tiers             []TierDeadline `json:"tiers"`
	HeightenedPeriods []Period       `json:"heightened_periods"`
}

var hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// minutesOf parses "HH:MM".
func minutesOf(s string) int {
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	return h*60 + m
}

// Validate checks a schedule on its own: times, known tiers, periods in order
// and not overlapping.
func (s *Schedule) Validate() error {
	seen := map[string]bool{}
	for _, t := range s.Tiers {
		if t.Tier != TierTownship && t.Tier != TierVillage {
			return apperr.Field(apperr.EINVALID, "tiers", "未知层级 %q（township 或 village） / unknown tier %q", t.Tier, t.Tier)
		}
		if seen[t.Tier] {
			return apperr.Field(apperr.EINVALID, "tiers", "层级 %s 重复 / tier %s is listed twice", t.Tier, t.Tier)
		}
		seen[t.Tier] = true
		if !hhmm.MatchString(t.Deadline) {
			return apperr.Field(apperr.EINVALID, "tiers", "截止时间须为 00:00–23:59 的 HH:MM，收到 %q / the deadline must be HH:MM between 00:00 and 23:59, got %q", t.Deadline, t.Deadline)
		}
	}
	ps := append([]Period(nil), s.HeightenedPeriods...)
	for _, p := range ps {
		if !p.Start.Valid() || !p.End.Valid() {
			return apperr.Field(apperr.EINVALID, "heightened_periods", "时段须有开始和结束日期 / a period needs a start and an end date")
		}
		if p.End.Before(p.Start) {
			return apperr.Field(apperr.ERULE, "heightened_periods", "时段 %s 至 %s 结束早于开始 / the period %s–%s ends before it starts", p.Start, p.End, p.Start, p.End)
		}
		if p.Deadline != "" && !hhmm.MatchString(p.Deadline) {
			return apperr.Field(apperr.EINVALID, "heightened_periods", "截止时间须为 HH:MM，收到 %q / the deadline must be HH:MM, got %q", p.Deadline, p.Deadline)
		}
		if len([]rune(p.Name)) > 40 {
			return apperr.Field(apperr.EINVALID, "heightened_periods", "时段名称最长 40 字 / a period's name may have at most 40 characters")
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Start.Before(ps[j].Start) })
	for i := 1; i < len(ps); i++ {
		if !ps[i].Start.After(ps[i-1].End) {
			return apperr.Field(apperr.ERULE, "heightened_periods", "时段 %s–%s 与 %s–%s 重叠 / the periods %s–%s and %s–%s overlap",
				ps[i-1].Start, ps[i-1].End, ps[i].Start, ps[i].End, ps[i-1].Start, ps[i-1].End, ps[i].Start, ps[i].End)
		}
	}
	return nil
}

// LoadSchedule reads the schedule.
func LoadSchedule(ctx context.Context, q db.Querier) (*Schedule, error) {
	s := &Schedule{Tiers: []TierDeadline{}, HeightenedPeriods: []Period{}}
	rows, err := q.Query(ctx, "SELECT tier, deadline, COALESCE(prev_deadline, ''), changed_at FROM report_tiers ORDER BY CASE tier WHEN 'township' THEN 0 ELSE 1 END")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t TierDeadline
		var changed sql.NullTime
		if err := rows.Scan(&t.Tier, &t.Deadline, &t.prev, &changed); err != nil {
			rows.Close()
			return nil, err
		}
		t.changedAt = changed.Time
		s.Tiers = append(s.Tiers, t)
	}
	rows.Close()
	rows, err = q.Query(ctx, "SELECT start_day, end_day, COALESCE(deadline, ''), name FROM report_periods ORDER BY start_day")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Period
		var start, end string
		if err := rows.Scan(&start, &end, &p.Deadline, &p.Name); err != nil {
			return nil, err
		}
		p.Start, _ = calendar.ParseDate(start)
		p.End, _ = calendar.ParseDate(end)
		s.HeightenedPeriods = append(s.HeightenedPeriods, p)
	}
	return s, rows.Err()
}

// saveSchedule replaces the schedule inside tx. Tiers not listed keep theirs.
func saveSchedule(ctx context.Context, tx *db.Tx, now time.Time, cur, s *Schedule) error {
	for _, t := range s.Tiers {
		old := ""
		for _, c := range cur.Tiers {
			if c.Tier == t.Tier {
				old = c.Deadline
			}
		}
		if old == t.Deadline {
			continue
		}
		if _, err := tx.Exec(ctx, "UPDATE report_tiers SET deadline = ?, prev_deadline = ?, changed_at = ?, updated_at = ? WHERE tier = ?",
			t.Deadline, old, now, now, t.Tier); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM report_periods"); err != nil {
		return err
	}
	for _, p := range s.HeightenedPeriods {
		var dl any
		if p.Deadline != "" {
			dl = p.Deadline
		}
		if _, err := tx.Exec(ctx, "INSERT INTO report_periods (start_day, end_day, deadline, name, updated_at) VALUES (?, ?, ?, ?, ?)",
			p.Start.String(), p.End.String(), dl, strings.TrimSpace(p.Name), now); err != nil {
			return err
		}
	}
	return nil
}

// Day is what the schedule says of one tier on one date.
type Day struct {
	Date       calendar.Date
	Tier       string
	Required   bool      // a reporting day for this tier
	Deadline   time.Time // UTC; set even when not required, for display
	Heightened bool
}

// DayOf applies the schedule and the work calendar to one tier and date:
// working days report; a heightened period makes every day report and may
// bring the deadline earlier (never later).
func (s *Schedule) DayOf(cal *calendar.Calendar, tier string, d calendar.Date) Day {
	deadline := "17:00"
	for _, t := range s.Tiers {
		if t.Tier != tier {
			continue
		}
		deadline = t.Deadline
		// Changed on this very day after the new time had passed: the day keeps its old deadline.
		if t.prev != "" && !t.changedAt.IsZero() && calendar.DateOf(t.changedAt) == d &&
			!d.Time().Add(time.Duration(minutesOf(t.Deadline))*time.Minute).After(t.changedAt) {
			deadline = t.prev
		}
	}
	day := Day{Date: d, Tier: tier, Required: cal.IsWorkingDay(d)}
	for _, p := range s.HeightenedPeriods {
		if !d.Before(p.Start) && !d.After(p.End) {
			day.Required, day.Heightened = true, true
			if p.Deadline != "" && minutesOf(p.Deadline) < minutesOf(deadline) {
				deadline = p.Deadline
			}
		}
	}
	m := minutesOf(deadline)
	day.Deadline = d.Time().Add(time.Duration(m) * time.Minute).UTC()
	return day
}

// String is for logs.
func (d Day) String() string {
	return fmt.Sprintf("%s %s required=%v deadline=%s", d.Tier, d.Date, d.Required, d.Deadline.In(calendar.Location).Format("15:04"))
}
