// Package calendar implements China's work calendar (工作日历): civil dates in
// Asia/Shanghai, statutory holidays (法定节假日) and make-up working days on
// weekends (调休上班), and working-day arithmetic for deadlines (期限计算).
//
// The package is pure: it performs no I/O, touches no database and never
// reads the wall clock. Callers pass in "today" as a Date (usually
// DateOf(time.Now()) at the edge of the program) and the list of special
// days (usually Seed plus any locally stored corrections).
package calendar

import (
	"fmt"
	"time"
	_ "time/tzdata" // embed zoneinfo so Asia/Shanghai loads on minimal machines
)

// Location is Asia/Shanghai (China Standard Time, 北京时间), the zone in which
// civil dates are reckoned.
var Location *time.Location = mustLoadShanghai()

func mustLoadShanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// Unreachable: time/tzdata is embedded above.
		panic("calendar: cannot load Asia/Shanghai: " + err.Error())
	}
	return loc
}

// Date is a civil date (公历日期) with no time of day and no zone.
//
// Date is comparable with == and usable as a map key, provided it is
// normalised (as every Date returned by this package is). A hand-built Date
// such as {2026, 2, 30} is not normalised; see Valid.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses s strictly as "YYYY-MM-DD" (e.g. "2026-02-14"): exactly
// four-digit year 0001–9999, two-digit month and two-digit day, '-'
// separators, no surrounding spaces, and the day must exist in that month.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("calendar: invalid date %q: want the form YYYY-MM-DD, e.g. 2026-02-14", s)
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, fmt.Errorf("calendar: invalid date %q: want the form YYYY-MM-DD with digits only, e.g. 2026-02-14", s)
	}
	if y < 1 {
		return Date{}, fmt.Errorf("calendar: invalid date %q: year must be between 0001 and 9999", s)
	}
	if m < 1 || m > 12 {
		return Date{}, fmt.Errorf("calendar: invalid date %q: month %02d is not between 01 and 12", s, m)
	}
	if n := daysIn(y, time.Month(m)); d < 1 || d > n {
		return Date{}, fmt.Errorf("calendar: invalid date %q: %s %04d has %d days", s, time.Month(m), y, n)
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, nil
}

// digits parses an all-ASCII-digit string; it rejects signs and spaces.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn reports the number of days in month m of year y (proleptic Gregorian).
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// DateOf returns the civil date of t in Asia/Shanghai. For example
// 2026-02-14T16:00:00Z is already 2026-02-15 in China.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Location).Date()
	return Date{Year: y, Month: m, Day: d}
}

// String formats d as "YYYY-MM-DD".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Valid reports whether d is a real, normalised date in years 0001–9999
// (i.e. whether ParseDate(d.String()) would return d).
func (d Date) Valid() bool {
	return d.Year >= 1 && d.Year <= 9999 &&
		d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight at the start of d in Asia/Shanghai.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Location)
}

// utc is d at midnight UTC; day arithmetic is done in UTC, which has no
// daylight-saving gaps (Shanghai observed DST in 1986–1991).
func (d Date) utc() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// AddDays returns d plus n calendar days (n may be negative). An
// unnormalised d is normalised first, as time.Date does.
func (d Date) AddDays(n int) Date {
	y, m, dd := time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC).Date()
	return Date{Year: y, Month: m, Day: dd}
}

// Weekday returns the day of the week (星期) of d.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// IsWeekend reports whether d is a Saturday or Sunday (周末).
func (d Date) IsWeekend() bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// Compare returns -1 if d is before o, +1 if d is after o and 0 if equal.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is strictly after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Equal reports whether d and o are the same date.
func (d Date) Equal(o Date) bool { return d.Compare(o) == 0 }

// DaysUntil returns the number of calendar days from d to o (negative if o
// is before d).
func (d Date) DaysUntil(o Date) int {
	// Unix seconds rather than Sub: a time.Duration overflows after ~292 years.
	return int((o.utc().Unix() - d.utc().Unix()) / 86400)
}

// MarshalText implements encoding.TextMarshaler ("YYYY-MM-DD"), so Date
// works in JSON, form values and SQL text columns.
func (d Date) MarshalText() ([]byte, error) {
	if !d.Valid() {
		return nil, fmt.Errorf("calendar: cannot marshal invalid date %s", d)
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler using ParseDate.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
