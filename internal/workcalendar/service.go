// Package workcalendar is the editable work calendar (工作日历): the table
// calendar_days of statutory holidays (法定节假日) and make-up working days
// (调休上班), seeded from the State Council notices the pure package
// internal/calendar carries, changed by the system administrator, and served
// to every capability that counts working days as a *calendar.Calendar.
package workcalendar

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// SeedYears are the years EnsureSeeded loads into an empty table.
var SeedYears = []int{2025, 2026, 2027}

// ReloadEvery bounds how long a cached calendar is used before it is read
// again, so that a change made on another app server is seen here too.
const ReloadEvery = 60 * time.Second

// MaxNameLen is the longest festival name (in characters) a day may carry.
const MaxNameLen = 20

// Day is one special day of the calendar.
type Day struct {
	Date calendar.Date `json:"date"`
	Kind calendar.Kind `json:"kind"`
	Name string        `json:"name"`
}

// Service reads and changes the work calendar.
type Service struct {
	DB    *db.DB
	Auth  *auth.Service
	Clock clock.Clock

	mu       sync.Mutex
	cal      *calendar.Calendar
	loadedAt time.Time
	gen      uint64 // bumped by every change; a load begun before it is not kept
}

// Calendar returns the current work calendar. It is cached for ReloadEvery
// and read again at once after a change made through this Service.
func (s *Service) Calendar(ctx context.Context) (*calendar.Calendar, error) {
	now := s.Clock.Now()
	s.mu.Lock()
	if s.cal != nil && !now.Before(s.loadedAt) && now.Sub(s.loadedAt) < ReloadEvery {
		c := s.cal
		s.mu.Unlock()
		return c, nil
	}
	gen := s.gen
	s.mu.Unlock()

	c, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.gen == gen {
		s.cal, s.loadedAt = c, now
	}
	s.mu.Unlock()
	return c, nil
}

// invalidate drops the cached calendar after a change.
func (s *Service) invalidate() {
	s.mu.Lock()
	s.gen++
	s.cal = nil
	s.mu.Unlock()
}

func (s *Service) load(ctx context.Context) (*calendar.Calendar, error) {
	rows, err := s.DB.Query(ctx, "SELECT day, kind, name FROM calendar_days ORDER BY day")
	if err != nil {
		return nil, fmt.Errorf("read calendar: %w", err)
	}
	defer rows.Close()
	var specials []calendar.Special
	for rows.Next() {
		var day, kind, name string
		if err := rows.Scan(&day, &kind, &name); err != nil {
			return nil, err
		}
		d, err := calendar.ParseDate(day)
		if err != nil {
			return nil, fmt.Errorf("calendar_days row %q: %w", day, err)
		}
		specials = append(specials, calendar.Special{Date: d, Kind: calendar.Kind(kind), Name: name})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := calendar.ValidateSpecials(specials); err != nil {
		return nil, fmt.Errorf("calendar_days: %w", err)
	}
	return calendar.New(specials), nil
}

// EnsureSeeded fills an empty calendar with calendar.Seed(SeedYears...). It
// does nothing when the table holds any row (an administrator's deletions
// are never undone), and several servers starting at once seed it once:
// rows already present are skipped and only a seeding that added rows is
// audited.
func (s *Service) EnsureSeeded(ctx context.Context) error {
	now := s.Clock.Now()
	added := 0
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM calendar_days").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		for _, sp := range calendar.Seed(SeedYears...) {
			res, err := tx.Exec(ctx, "INSERT INTO calendar_days (day, kind, name, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (day) DO NOTHING",
				sp.Date.String(), string(sp.Kind), sp.Name, now)
			if err != nil {
				return fmt.Errorf("seed calendar: %w", err)
			}
			if k, err := res.RowsAffected(); err == nil {
				added += int(k)
			}
		}
		if added == 0 {
			return nil
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(system)", ClientAddr: "local", Action: "calendar.seed",
			ObjectType: "calendar_day", Result: audit.OK,
			Detail: fmt.Sprintf("seeded %d days for %s", added, yearsText(SeedYears))})
	})
	if err != nil {
		return err
	}
	if added > 0 {
		s.invalidate()
	}
	return nil
}

func yearsText(ys []int) string {
	parts := make([]string, len(ys))
	for i, y := range ys {
		parts[i] = fmt.Sprint(y)
	}
	return strings.Join(parts, ", ")
}

// root is the root org: calendar.manage is checked at its path, since the
// calendar belongs to the whole district.
type root struct {
	id   int64
	path string
}

func (s *Service) root(ctx context.Context) (root, error) {
	o, err := org.Root(ctx, s.DB)
	if o == nil || err != nil {
		return root{}, err // no org yet: an empty path, which only the command line passes
	}
	return root{id: o.ID, path: o.Path}, nil
}

// CanManage reports whether a may change the calendar (for showing forms).
func (s *Service) CanManage(ctx context.Context, a *auth.Actor) (bool, error) {
	r, err := s.root(ctx)
	if err != nil {
		return false, err
	}
	return auth.Authorize(a, auth.CalendarManage, r.path) == nil, nil
}

// check authorizes a change; refusals are audited by auth.Service.Check.
func (s *Service) check(ctx context.Context, a *auth.Actor, objectID string) (root, error) {
	r, err := s.root(ctx)
	if err != nil {
		return root{}, err
	}
	if len(objectID) > 40 {
		objectID = objectID[:40]
	}
	return r, s.Auth.Check(ctx, a, auth.CalendarManage, r.path, "calendar_day", objectID)
}

// ParseDate parses a strict YYYY-MM-DD date as an input field.
func ParseDate(field, s string) (calendar.Date, error) {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return calendar.Date{}, apperr.Field(apperr.EINVALID, field, "日期无效，应为 YYYY-MM-DD 格式的真实日期，例如 2026-02-14 / invalid date %q: want a real date as YYYY-MM-DD, e.g. 2026-02-14", truncate(s, 40))
	}
	return d, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Validate checks a day as an administrator enters it and returns it
// normalised (name trimmed).
func Validate(date, kind, name string) (Day, error) {
	d, err := ParseDate("date", date)
	if err != nil {
		return Day{}, err
	}
	k := calendar.Kind(kind)
	if !k.Valid() {
		return Day{}, apperr.Field(apperr.EINVALID, "kind", "类型应为 holiday（放假）或 workday（调休上班） / kind must be holiday or workday")
	}
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > MaxNameLen {
		return Day{}, apperr.Field(apperr.EINVALID, "name", "名称最多 %d 个字 / the name may have at most %d characters", MaxNameLen, MaxNameLen)
	}
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return Day{}, apperr.Field(apperr.EINVALID, "name", "名称含有无效字符 / the name contains invalid characters")
	}
	if k == calendar.Workday && !d.IsWeekend() {
		return Day{}, apperr.Field(apperr.ERULE, "kind", "调休上班日只能设在周六或周日（%s 是工作日） / a make-up working day must be a Saturday or Sunday (%s is a weekday)", d, d)
	}
	return Day{Date: d, Kind: k, Name: name}, nil
}

// SetDay marks date as a holiday or a make-up working day (replacing what
// the date had). It needs calendar.manage at the root org.
func (s *Service) SetDay(ctx context.Context, a *auth.Actor, date, kind, name string) (Day, error) {
	r, err := s.check(ctx, a, date)
	if err != nil {
		return Day{}, err
	}
	day, err := Validate(date, kind, name)
	if err != nil {
		return Day{}, err
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := dayTx(ctx, tx, day.Date)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO calendar_days (day, kind, name, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, updated_at = excluded.updated_at`,
			day.Date.String(), string(day.Kind), day.Name, now); err != nil {
			return err
		}
		e := entry(a, now, "calendar.set", day.Date, r.id)
		e.After = day
		e.Detail = describe(&day)
		if before != nil {
			e.Before = *before
			e.Detail += "; was " + describe(before)
		}
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return Day{}, err
	}
	s.invalidate()
	return day, nil
}

// ClearDay removes date's special entry, so that it follows the plain
// Monday–Friday rule again. ENOTFOUND when the date has no entry.
func (s *Service) ClearDay(ctx context.Context, a *auth.Actor, date string) error {
	r, err := s.check(ctx, a, date)
	if err != nil {
		return err
	}
	d, err := ParseDate("date", date)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := dayTx(ctx, tx, d)
		if err != nil {
			return err
		}
		if before == nil {
			return apperr.NotFound("calendar_day")
		}
		if _, err := tx.Exec(ctx, "DELETE FROM calendar_days WHERE day = ?", d.String()); err != nil {
			return err
		}
		e := entry(a, now, "calendar.clear", d, r.id)
		e.Before = *before
		e.Detail = "was " + describe(before)
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	s.invalidate()
	return nil
}

func entry(a *auth.Actor, now time.Time, action string, d calendar.Date, orgID int64) audit.Entry {
	return a.Entry(now, action, "calendar_day", d.String(), orgID)
}

// describe is the trail's readable note: festival names are public, not
// personal data, so they may be written out beside the digests.
func describe(d *Day) string {
	if d.Name == "" {
		return string(d.Kind)
	}
	return string(d.Kind) + " " + d.Name
}

func dayTx(ctx context.Context, q db.Querier, d calendar.Date) (*Day, error) {
	var kind, name string
	err := q.QueryRow(ctx, "SELECT kind, name FROM calendar_days WHERE day = ?", d.String()).Scan(&kind, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Day{Date: d, Kind: calendar.Kind(kind), Name: name}, nil
}

// List returns the special days of year, by date.
func (s *Service) List(ctx context.Context, year int) ([]Day, error) {
	c, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	return yearDays(c, year), nil
}

func yearDays(c *calendar.Calendar, year int) []Day {
	out := []Day{}
	for _, sp := range c.Specials() {
		if sp.Date.Year == year {
			out = append(out, Day{Date: sp.Date, Kind: sp.Kind, Name: sp.Name})
		}
	}
	return out
}

// WorkingDaysIn counts the working days of year in c.
func WorkingDaysIn(c *calendar.Calendar, year int) int {
	return c.WorkingDaysBetween(calendar.Date{Year: year - 1, Month: time.December, Day: 31}, calendar.Date{Year: year, Month: time.December, Day: 31})
}

// Today returns today's date in China.
func (s *Service) Today() calendar.Date { return calendar.DateOf(s.Clock.Now()) }
