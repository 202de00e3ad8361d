package calendar

import (
	"errors"
	"fmt"
	"slices"
)

// Kind classifies a special day that departs from the plain Monday–Friday
// working week.
type Kind string

const (
	// Holiday is a statutory holiday or rest day (法定节假日 / 放假调休):
	// no work even if it falls on a weekday.
	Holiday Kind = "holiday"
	// Workday is a make-up working day (调休上班) on a weekend: people work
	// even though it is a Saturday or Sunday.
	Workday Kind = "workday"
)

// Valid reports whether k is Holiday or Workday.
func (k Kind) Valid() bool { return k == Holiday || k == Workday }

// Special is one entry of the State Council's annual holiday arrangement
// (国务院办公厅关于部分节假日安排的通知).
type Special struct {
	Date Date
	Kind Kind
	// Name is the festival the entry belongs to, e.g. "春节" (Spring
	// Festival) or "国庆节" (National Day). A make-up working day carries the
	// name of the holiday it makes up for.
	Name string
}

// Validate reports whether s has a valid date and kind.
func (s Special) Validate() error {
	if !s.Date.Valid() {
		return fmt.Errorf("calendar: special day %s (%s): invalid date", s.Date, s.Name)
	}
	if !s.Kind.Valid() {
		return fmt.Errorf("calendar: special day %s (%s): unknown kind %q (want %q or %q)", s.Date, s.Name, s.Kind, Holiday, Workday)
	}
	return nil
}

// ValidateSpecials checks every entry with Special.Validate. Call it before
// New when the entries come from untrusted input (a database row, an admin
// form) so that New cannot panic.
func ValidateSpecials(specials []Special) error {
	var errs []error
	for _, s := range specials {
		if err := s.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Calendar is a work calendar (工作日历): Monday to Friday are working days
// and Saturday and Sunday are rest days, except where a Special says
// otherwise.
//
// A Calendar is immutable after New and safe for concurrent use. The zero
// value (and a nil *Calendar) is a plain Monday–Friday calendar with no
// holidays.
type Calendar struct {
	byDate map[Date]Special
	sorted []Special // by date, one entry per date
}

// New builds a Calendar from specials, which need not be sorted. If several
// entries share a date the last one wins, so corrections can simply be
// appended after Seed's output. The slice is copied; later changes to it do
// not affect the Calendar.
//
// New panics if an entry has an invalid date or kind; use ValidateSpecials
// first for untrusted input.
func New(specials []Special) *Calendar {
	if err := ValidateSpecials(specials); err != nil {
		panic(err)
	}
	c := &Calendar{byDate: make(map[Date]Special, len(specials))}
	for _, s := range specials {
		c.byDate[s.Date] = s
	}
	c.sorted = make([]Special, 0, len(c.byDate))
	for _, s := range c.byDate {
		c.sorted = append(c.sorted, s)
	}
	sortSpecials(c.sorted)
	return c
}

func sortSpecials(s []Special) {
	slices.SortStableFunc(s, func(a, b Special) int { return a.Date.Compare(b.Date) })
}

func (c *Calendar) lookup(d Date) (Special, bool) {
	if c == nil {
		return Special{}, false
	}
	s, ok := c.byDate[d]
	return s, ok
}

// IsWorkingDay reports whether d is a working day (工作日): a weekday unless
// marked Holiday, or a weekend day only if marked Workday (调休上班).
func (c *Calendar) IsWorkingDay(d Date) bool {
	d = d.AddDays(0) // normalise
	if s, ok := c.lookup(d); ok {
		return s.Kind == Workday
	}
	return !d.IsWeekend()
}

// Kind returns the special entry for d, if any: its kind, its festival name
// and true; or "", "", false for an ordinary day.
func (c *Calendar) Kind(d Date) (Kind, string, bool) {
	s, ok := c.lookup(d.AddDays(0))
	if !ok {
		return "", "", false
	}
	return s.Kind, s.Name, true
}

// AddWorkingDays returns the n-th working day after d, not counting d
// itself: with n == 1 the next working day. For n < 0 it returns the |n|-th
// working day before d. For n == 0 it returns d unchanged, even if d is not a
// working day (see RollForward for that).
//
// Example: 2026-02-13 (Friday) + 1 = 2026-02-14 (make-up Saturday); and
// 2026-02-14 + 1 = 2026-02-24, after the Spring Festival break (春节).
//
// The cost is proportional to the number of calendar days stepped over.
func (c *Calendar) AddWorkingDays(d Date, n int) Date {
	d = d.AddDays(0)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// AddCalendarDays returns d plus n calendar days (自然日), ignoring
// holidays. It is d.AddDays(n), offered beside AddWorkingDays for clarity
// at call sites.
func (c *Calendar) AddCalendarDays(d Date, n int) Date {
	return d.AddDays(n)
}

// RollForward returns d if it is a working day, otherwise the first working
// day after it: the usual rule that a period whose last day falls on a
// holiday ends on the first working day after the holiday (期间届满日遇节假日顺延).
func (c *Calendar) RollForward(d Date) Date {
	d = d.AddDays(0)
	for !c.IsWorkingDay(d) {
		d = d.AddDays(1)
	}
	return d
}

// WorkingDaysBetween counts the working days in the half-open interval
// (from, to]: from itself is excluded and to is included. If to is before
// from it returns minus the count for (to, from]. Hence
// WorkingDaysBetween(d, AddWorkingDays(d, n)) == n for every n >= 0.
func (c *Calendar) WorkingDaysBetween(from, to Date) int {
	from, to = from.AddDays(0), to.AddDays(0)
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return sign * n
}

// Specials returns a copy of the calendar's special days, sorted by date,
// one entry per date.
func (c *Calendar) Specials() []Special {
	if c == nil {
		return nil
	}
	return slices.Clone(c.sorted)
}

// Covers reports whether the calendar has at least one special day in year.
// The State Council publishes each year's arrangement only in the autumn of
// the year before, so a false result means working-day arithmetic for that
// year silently treats every Monday–Friday as a working day.
func (c *Calendar) Covers(year int) bool {
	if c == nil {
		return false
	}
	i, _ := slices.BinarySearchFunc(c.sorted, year, func(s Special, y int) int { return cmpInt(s.Date.Year, y) })
	return i < len(c.sorted) && c.sorted[i].Date.Year == year
}
