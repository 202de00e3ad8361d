package calendar

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// d is a test helper: d("2026-02-14").
func d(t testing.TB, s string) Date {
	t.Helper()
	v, err := ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return v
}

// noticeEntry is one line of a State Council holiday notice: a range of
// dates of one kind.
type noticeEntry struct {
	from, to string // inclusive
	kind     Kind
	name     string
}

// notice2026 is 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04).
var notice2026 = []noticeEntry{
	{"2026-01-01", "2026-01-03", Holiday, "元旦"},
	{"2026-01-04", "2026-01-04", Workday, "元旦"}, // Sunday
	{"2026-02-14", "2026-02-14", Workday, "春节"}, // Saturday
	{"2026-02-15", "2026-02-23", Holiday, "春节"},
	{"2026-02-28", "2026-02-28", Workday, "春节"}, // Saturday
	{"2026-04-04", "2026-04-06", Holiday, "清明节"},
	{"2026-05-01", "2026-05-05", Holiday, "劳动节"},
	{"2026-05-09", "2026-05-09", Workday, "劳动节"}, // Saturday
	{"2026-06-19", "2026-06-21", Holiday, "端午节"},
	{"2026-09-20", "2026-09-20", Workday, "国庆节"}, // Sunday
	{"2026-09-25", "2026-09-27", Holiday, "中秋节"},
	{"2026-10-01", "2026-10-07", Holiday, "国庆节"},
	{"2026-10-10", "2026-10-10", Workday, "国庆节"}, // Saturday
}

func expand(t *testing.T, entries []noticeEntry) []Special {
	t.Helper()
	var out []Special
	for _, e := range entries {
		for x := d(t, e.from); !x.After(d(t, e.to)); x = x.AddDays(1) {
			out = append(out, Special{Date: x, Kind: e.kind, Name: e.name})
		}
	}
	return out
}

// TestSeed2026MatchesNotice compares Seed(2026) day for day with the
// official notice: no missing, extra or different entries.
func TestSeed2026MatchesNotice(t *testing.T) {
	want := expand(t, notice2026)
	got := Seed(2026)
	if len(got) != len(want) {
		t.Errorf("Seed(2026) has %d entries, the notice %d", len(got), len(want))
	}
	gotBy := map[Date]Special{}
	for _, s := range got {
		gotBy[s.Date] = s
	}
	wantBy := map[Date]bool{}
	for _, w := range want {
		wantBy[w.Date] = true
		t.Run(w.Date.String(), func(t *testing.T) {
			g, ok := gotBy[w.Date]
			if !ok {
				t.Fatalf("missing from Seed(2026); want %+v", w)
			}
			if g != w {
				t.Errorf("Seed(2026) = %+v, notice says %+v", g, w)
			}
		})
	}
	for _, g := range got {
		if !wantBy[g.Date] {
			t.Errorf("Seed(2026) has %+v, which is not in the notice", g)
		}
	}
}

func TestCalendar2026(t *testing.T) {
	c := New(Seed(2026))
	tests := []struct {
		date    string
		weekday time.Weekday
		working bool
		kind    Kind // "" = ordinary day
		name    string
	}{
		{"2025-12-31", time.Wednesday, true, "", ""},
		{"2026-01-01", time.Thursday, false, Holiday, "元旦"},
		{"2026-01-02", time.Friday, false, Holiday, "元旦"},
		{"2026-01-03", time.Saturday, false, Holiday, "元旦"},
		{"2026-01-04", time.Sunday, true, Workday, "元旦"},
		{"2026-01-05", time.Monday, true, "", ""},
		{"2026-01-10", time.Saturday, false, "", ""},
		{"2026-02-13", time.Friday, true, "", ""},
		{"2026-02-14", time.Saturday, true, Workday, "春节"},
		{"2026-02-15", time.Sunday, false, Holiday, "春节"},
		{"2026-02-16", time.Monday, false, Holiday, "春节"},
		{"2026-02-17", time.Tuesday, false, Holiday, "春节"},
		{"2026-02-23", time.Monday, false, Holiday, "春节"},
		{"2026-02-24", time.Tuesday, true, "", ""},
		{"2026-02-28", time.Saturday, true, Workday, "春节"},
		{"2026-03-01", time.Sunday, false, "", ""},
		{"2026-04-03", time.Friday, true, "", ""},
		{"2026-04-04", time.Saturday, false, Holiday, "清明节"},
		{"2026-04-06", time.Monday, false, Holiday, "清明节"},
		{"2026-04-07", time.Tuesday, true, "", ""},
		{"2026-05-01", time.Friday, false, Holiday, "劳动节"},
		{"2026-05-04", time.Monday, false, Holiday, "劳动节"},
		{"2026-05-05", time.Tuesday, false, Holiday, "劳动节"},
		{"2026-05-06", time.Wednesday, true, "", ""},
		{"2026-05-09", time.Saturday, true, Workday, "劳动节"},
		{"2026-06-19", time.Friday, false, Holiday, "端午节"},
		{"2026-06-21", time.Sunday, false, Holiday, "端午节"},
		{"2026-09-20", time.Sunday, true, Workday, "国庆节"},
		{"2026-09-25", time.Friday, false, Holiday, "中秋节"},
		{"2026-09-27", time.Sunday, false, Holiday, "中秋节"},
		{"2026-10-01", time.Thursday, false, Holiday, "国庆节"},
		{"2026-10-07", time.Wednesday, false, Holiday, "国庆节"},
		{"2026-10-08", time.Thursday, true, "", ""},
		{"2026-10-10", time.Saturday, true, Workday, "国庆节"},
		{"2026-10-11", time.Sunday, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			x := d(t, tt.date)
			if got := x.Weekday(); got != tt.weekday {
				t.Errorf("Weekday = %v, want %v", got, tt.weekday)
			}
			if got := c.IsWorkingDay(x); got != tt.working {
				t.Errorf("IsWorkingDay = %v, want %v", got, tt.working)
			}
			kind, name, ok := c.Kind(x)
			if ok != (tt.kind != "") || kind != tt.kind || name != tt.name {
				t.Errorf("Kind = (%q, %q, %v), want (%q, %q, %v)", kind, name, ok, tt.kind, tt.name, tt.kind != "")
			}
		})
	}
}

func TestCalendar2025(t *testing.T) {
	c := New(Seed(2025))
	tests := []struct {
		date    string
		working bool
		kind    Kind
		name    string
	}{
		{"2025-01-01", false, Holiday, "元旦"},
		{"2025-01-26", true, Workday, "春节"}, // Sunday
		{"2025-01-27", true, "", ""},
		{"2025-01-28", false, Holiday, "春节"},
		{"2025-01-29", false, Holiday, "春节"},
		{"2025-02-01", false, Holiday, "春节"},
		{"2025-02-04", false, Holiday, "春节"},
		{"2025-02-05", true, "", ""},
		{"2025-02-08", true, Workday, "春节"}, // Saturday
		{"2025-02-09", false, "", ""},
		{"2025-10-08", false, Holiday, "国庆节、中秋节"},
		{"2025-10-11", true, Workday, "国庆节、中秋节"}, // Saturday
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			x := d(t, tt.date)
			if got := c.IsWorkingDay(x); got != tt.working {
				t.Errorf("IsWorkingDay = %v, want %v", got, tt.working)
			}
			kind, name, ok := c.Kind(x)
			if ok != (tt.kind != "") || kind != tt.kind || name != tt.name {
				t.Errorf("Kind = (%q, %q, %v), want (%q, %q, %v)", kind, name, ok, tt.kind, tt.name, tt.kind != "")
			}
		})
	}
	// The whole Spring Festival break 2025-01-28..02-04 is off.
	for x := d(t, "2025-01-28"); !x.After(d(t, "2025-02-04")); x = x.AddDays(1) {
		if c.IsWorkingDay(x) {
			t.Errorf("%s should be a Spring Festival holiday", x)
		}
	}
}

func TestSeedYears(t *testing.T) {
	all := Seed(2025, 2026, 2027)
	c := New(all)
	for _, y := range []int{2025, 2026, 2027} {
		t.Run(strconv.Itoa(y), func(t *testing.T) {
			n := 0
			for _, s := range all {
				if s.Date.Year == y {
					n++
				}
			}
			if n < 20 {
				t.Errorf("Seed has %d entries for %d, want a full year's arrangement (>= 20)", n, y)
			}
			if !c.Covers(y) {
				t.Errorf("Covers(%d) = false", y)
			}
			if got, want := n, len(Seed(y)); got != want {
				t.Errorf("Seed(2025,2026,2027) has %d entries for %d, Seed(%d) has %d", got, y, y, want)
			}
		})
	}
	t.Run("sorted and unique", func(t *testing.T) {
		for i := 1; i < len(all); i++ {
			if !all[i-1].Date.Before(all[i].Date) {
				t.Errorf("entries %d and %d out of order: %s, %s", i-1, i, all[i-1].Date, all[i].Date)
			}
		}
	})
	t.Run("entries are valid; make-up days fall on weekends", func(t *testing.T) {
		if err := ValidateSpecials(all); err != nil {
			t.Fatal(err)
		}
		for _, s := range all {
			if s.Kind == Workday && !s.Date.IsWeekend() {
				t.Errorf("%s (%s) is a make-up working day on a %s", s.Date, s.Name, s.Date.Weekday())
			}
			if s.Name == "" {
				t.Errorf("%s has no name", s.Date)
			}
		}
	})
	t.Run("duplicates and order of years do not matter", func(t *testing.T) {
		a, b := Seed(2027, 2025, 2026, 2025), all
		if len(a) != len(b) {
			t.Fatalf("len %d != %d", len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("entry %d: %+v != %+v", i, a[i], b[i])
			}
		}
	})
	t.Run("unknown years", func(t *testing.T) {
		if got := Seed(1990, 2100, 0, -5); len(got) != 0 {
			t.Errorf("Seed(unknown years) = %v, want none", got)
		}
		if c.Covers(2024) || c.Covers(2028) {
			t.Error("Covers reports years that were not seeded")
		}
		if got := Seed(); len(got) != 0 {
			t.Errorf("Seed() = %v", got)
		}
	})
}

func TestApplyPatches(t *testing.T) {
	base := []Special{
		{Date: Date{2026, 10, 9}, Kind: Holiday, Name: "国庆节"},
		{Date: Date{2026, 10, 10}, Kind: Holiday, Name: "国庆节"},
	}
	patches := []seedPatch{
		{Special: Special{Date: Date{2026, 10, 10}, Kind: Workday, Name: "国庆节"}},
		{Special: Special{Date: Date{2026, 10, 9}}, Remove: true},
		{Special: Special{Date: Date{2026, 9, 20}, Kind: Workday, Name: "国庆节"}},
		{Special: Special{Date: Date{2027, 1, 1}, Kind: Holiday, Name: "元旦"}}, // year not requested
		{Special: Special{Date: Date{2026, 1, 5}}, Remove: true},              // nothing to remove
	}
	got := applyPatches(base, map[int]bool{2026: true}, patches)
	sortSpecials(got)
	want := []Special{
		{Date: Date{2026, 9, 20}, Kind: Workday, Name: "国庆节"},
		{Date: Date{2026, 10, 10}, Kind: Workday, Name: "国庆节"},
	}
	if len(got) != len(want) {
		t.Fatalf("applyPatches = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if err := ValidateSpecials(func() []Special {
		var s []Special
		for _, p := range seedPatches {
			if !p.Remove {
				s = append(s, p.Special)
			}
		}
		return s
	}()); err != nil {
		t.Errorf("seedPatches: %v", err)
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := New(Seed(2025, 2026))
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-02-13", 0, "2026-02-13"},
		{"2026-02-15", 0, "2026-02-15"}, // n == 0 returns d even on a holiday
		{"2026-02-13", 1, "2026-02-14"}, // Friday -> make-up Saturday
		{"2026-02-14", 1, "2026-02-24"}, // across the Spring Festival break
		{"2026-02-13", 2, "2026-02-24"},
		{"2026-02-16", 1, "2026-02-24"}, // from inside the break
		{"2026-02-24", 4, "2026-02-28"}, // Wed, Thu, Fri, make-up Sat
		{"2026-02-24", 5, "2026-03-02"},
		{"2026-02-24", -1, "2026-02-14"},
		{"2026-02-24", -2, "2026-02-13"},
		{"2026-02-20", -1, "2026-02-14"},
		{"2026-09-30", 1, "2026-10-08"}, // National Day
		{"2026-10-08", 2, "2026-10-10"}, // make-up Saturday
		{"2026-10-09", 1, "2026-10-10"},
		{"2026-10-10", 1, "2026-10-12"},
		{"2025-12-31", 1, "2026-01-04"}, // across New Year: 01-04 Sunday is worked
		{"2026-01-04", -1, "2025-12-31"},
		{"2026-03-02", 10, "2026-03-16"}, // ordinary fortnight
	}
	for _, tt := range tests {
		t.Run(tt.from+"+"+strconv.Itoa(tt.n), func(t *testing.T) {
			if got := c.AddWorkingDays(d(t, tt.from), tt.n); got != d(t, tt.want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
		})
	}
}

func TestAddCalendarDays(t *testing.T) {
	c := New(Seed(2026))
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-02-13", 0, "2026-02-13"},
		{"2026-02-13", 1, "2026-02-14"},
		{"2026-02-14", 1, "2026-02-15"}, // holidays are counted
		{"2026-02-14", 15, "2026-03-01"},
		{"2026-01-31", 1, "2026-02-01"},
		{"2026-02-28", 1, "2026-03-01"},
		{"2028-02-28", 1, "2028-02-29"}, // leap year
		{"2026-12-31", 1, "2027-01-01"},
		{"2026-03-01", -1, "2026-02-28"},
		{"2026-01-01", -1, "2025-12-31"},
		{"2026-01-01", 365, "2027-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.from+"+"+strconv.Itoa(tt.n), func(t *testing.T) {
			from := d(t, tt.from)
			got := c.AddCalendarDays(from, tt.n)
			if got != d(t, tt.want) {
				t.Errorf("AddCalendarDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
			if back := from.DaysUntil(got); back != tt.n {
				t.Errorf("DaysUntil = %d, want %d", back, tt.n)
			}
		})
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := New(Seed(2025, 2026))
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-02-13", "2026-02-13", 0},
		{"2026-02-13", "2026-02-14", 1},
		{"2026-02-13", "2026-02-23", 1}, // only the make-up Saturday
		{"2026-02-13", "2026-02-24", 2},
		{"2026-02-14", "2026-02-28", 5}, // 24, 25, 26, 27, 28
		{"2026-02-28", "2026-02-14", -5},
		{"2026-02-01", "2026-02-28", 16},  // 2-6, 9-13, 14, 24-27, 28
		{"2026-09-30", "2026-10-10", 3},   // 10-08, 10-09, 10-10
		{"2026-03-01", "2026-03-08", 5},   // ordinary week
		{"2025-12-31", "2026-12-31", 248}, // 261 weekdays - 19 weekday holidays + 6 make-up days
	}
	for _, tt := range tests {
		t.Run(tt.from+".."+tt.to, func(t *testing.T) {
			if got := c.WorkingDaysBetween(d(t, tt.from), d(t, tt.to)); got != tt.want {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
			}
		})
	}

	// WorkingDaysBetween inverts AddWorkingDays.
	t.Run("inverse of AddWorkingDays", func(t *testing.T) {
		start := d(t, "2025-12-01")
		for i := 0; i < 400; i++ {
			from := start.AddDays(i)
			for _, n := range []int{0, 1, 2, 5, 9, 30} {
				to := c.AddWorkingDays(from, n)
				if got := c.WorkingDaysBetween(from, to); got != n {
					t.Fatalf("WorkingDaysBetween(%s, AddWorkingDays(%s, %d) = %s) = %d", from, from, n, to, got)
				}
				if n > 0 && !c.IsWorkingDay(to) {
					t.Fatalf("AddWorkingDays(%s, %d) = %s is not a working day", from, n, to)
				}
				if c.IsWorkingDay(from) {
					back := c.AddWorkingDays(from, -n)
					if got := c.WorkingDaysBetween(from, back); got != -n {
						t.Fatalf("WorkingDaysBetween(%s, AddWorkingDays(%s, %d) = %s) = %d", from, from, -n, back, got)
					}
				}
			}
		}
	})
}

func TestRollForward(t *testing.T) {
	c := New(Seed(2026))
	tests := []struct{ in, want string }{
		{"2026-02-13", "2026-02-13"},
		{"2026-02-14", "2026-02-14"},
		{"2026-02-15", "2026-02-24"},
		{"2026-10-03", "2026-10-08"},
		{"2026-03-07", "2026-03-09"}, // ordinary weekend
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := c.RollForward(d(t, tt.in)); got != d(t, tt.want) {
				t.Errorf("RollForward(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestNewAndSpecials(t *testing.T) {
	in := []Special{
		{Date: Date{2026, 2, 16}, Kind: Holiday, Name: "春节"},
		{Date: Date{2026, 1, 4}, Kind: Workday, Name: "元旦"},
		{Date: Date{2026, 2, 16}, Kind: Workday, Name: "override"}, // last wins
	}
	c := New(in)
	in[0].Name = "mutated" // New copied its input
	got := c.Specials()
	want := []Special{
		{Date: Date{2026, 1, 4}, Kind: Workday, Name: "元旦"},
		{Date: Date{2026, 2, 16}, Kind: Workday, Name: "override"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Specials() = %+v, want %+v", got, want)
	}
	got[0].Name = "mutated" // Specials returns a copy
	if c.Specials()[0].Name != "元旦" {
		t.Error("Specials exposes internal state")
	}
	if !c.IsWorkingDay(Date{2026, 2, 16}) {
		t.Error("later entry should override earlier one")
	}

	t.Run("zero and nil calendars are plain Monday-Friday", func(t *testing.T) {
		var zero Calendar
		var nilCal *Calendar
		for _, cal := range []*Calendar{&zero, nilCal, New(nil)} {
			if cal.IsWorkingDay(Date{2026, 2, 16}) != true || cal.IsWorkingDay(Date{2026, 2, 14}) != false {
				t.Error("weekday/weekend rule broken")
			}
			if _, _, ok := cal.Kind(Date{2026, 2, 16}); ok {
				t.Error("Kind reports a special day")
			}
			if len(cal.Specials()) != 0 || cal.Covers(2026) {
				t.Error("empty calendar has specials")
			}
			if got := cal.AddWorkingDays(Date{2026, 2, 13}, 1); got != (Date{2026, 2, 16}) {
				t.Errorf("AddWorkingDays = %s", got)
			}
		}
	})

	t.Run("invalid entries", func(t *testing.T) {
		bad := [][]Special{
			{{Date: Date{2026, 2, 30}, Kind: Holiday}},
			{{Date: Date{}, Kind: Holiday}},
			{{Date: Date{2026, 2, 1}, Kind: "vacation"}},
			{{Date: Date{2026, 2, 1}, Kind: ""}},
		}
		for _, b := range bad {
			if err := ValidateSpecials(b); err == nil {
				t.Errorf("ValidateSpecials(%+v) = nil", b)
			}
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("New(%+v) did not panic", b)
					}
				}()
				New(b)
			}()
		}
	})
}

func TestConcurrentUse(t *testing.T) {
	c := New(Seed(2026))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				x := Date{2026, 1, 1}.AddDays(j)
				_ = c.IsWorkingDay(x)
				_ = c.AddWorkingDays(x, 3)
				_ = c.Specials()
				_ = Seed(2026)
			}
		}()
	}
	wg.Wait()
}

func TestParseDate(t *testing.T) {
	valid := []struct {
		in   string
		want Date
	}{
		{"2026-02-14", Date{2026, time.February, 14}},
		{"2028-02-29", Date{2028, time.February, 29}},
		{"2000-02-29", Date{2000, time.February, 29}},
		{"0001-01-01", Date{1, time.January, 1}},
		{"9999-12-31", Date{9999, time.December, 31}},
	}
	for _, tt := range valid {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if got.String() != tt.in {
				t.Errorf("String() = %q", got.String())
			}
		})
	}

	invalid := []struct {
		in      string
		errPart string
	}{
		{"", "YYYY-MM-DD"},
		{"2026-02-30", "February 2026 has 28 days"},
		{"2027-02-29", "February 2027 has 28 days"},
		{"1900-02-29", "February 1900 has 28 days"},
		{"2026-04-31", "April 2026 has 30 days"},
		{"2026-02-00", "has 28 days"},
		{"2026/02/01", "YYYY-MM-DD"},
		{"2026-2-1", "YYYY-MM-DD"},
		{"2026-02-1", "YYYY-MM-DD"},
		{"26-02-01", "YYYY-MM-DD"},
		{"2026-13-01", "month 13"},
		{"2026-00-10", "month 00"},
		{"0000-01-01", "year"},
		{" 2026-02-01", "YYYY-MM-DD"},
		{"2026-02-01 ", "YYYY-MM-DD"},
		{"2026-02-01T00:00:00Z", "YYYY-MM-DD"},
		{"+026-02-01", "digits"},
		{"2026-+2-01", "digits"},
		{"2026-0a-01", "digits"},
		{"２０２６-02-01", "YYYY-MM-DD"}, // full-width digits
		{"2026－02－01", "YYYY-MM-DD"}, // full-width hyphens
	}
	for _, tt := range invalid {
		t.Run("invalid "+tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if err == nil {
				t.Fatalf("ParseDate(%q) = %v, want error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.errPart) || !strings.Contains(err.Error(), "calendar: invalid date") {
				t.Errorf("ParseDate(%q) error %q, want it to mention %q", tt.in, err, tt.errPart)
			}
			if got != (Date{}) {
				t.Errorf("ParseDate(%q) returned non-zero date %v with error", tt.in, got)
			}
		})
	}
}

func TestDateOf(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"UTC 15:59:59 is 23:59:59 in Shanghai", time.Date(2026, 2, 14, 15, 59, 59, 999999999, time.UTC), "2026-02-14"},
		{"UTC 16:00 is midnight in Shanghai", time.Date(2026, 2, 14, 16, 0, 0, 0, time.UTC), "2026-02-15"},
		{"UTC midnight is 08:00 in Shanghai", time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC), "2026-02-15"},
		{"UTC 23:59 is next morning in Shanghai", time.Date(2026, 2, 14, 23, 59, 0, 0, time.UTC), "2026-02-15"},
		{"New Year's Eve in UTC is New Year's Day in Shanghai", time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC), "2026-01-01"},
		{"New York evening", time.Date(2026, 2, 14, 11, 30, 0, 0, ny), "2026-02-15"},
		{"Shanghai midnight", time.Date(2026, 2, 15, 0, 0, 0, 0, Location), "2026-02-15"},
		{"Shanghai 23:59:59", time.Date(2026, 2, 15, 23, 59, 59, 0, Location), "2026-02-15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DateOf(tt.t); got != d(t, tt.want) {
				t.Errorf("DateOf(%s) = %s, want %s", tt.t.Format(time.RFC3339Nano), got, tt.want)
			}
		})
	}
}

func TestDateMethods(t *testing.T) {
	a, b := d(t, "2026-02-14"), d(t, "2026-02-15")
	if Location.String() != "Asia/Shanghai" {
		t.Errorf("Location = %s", Location)
	}
	tm := a.Time()
	if tm.Location() != Location || tm.Hour() != 0 || tm.Minute() != 0 || DateOf(tm) != a {
		t.Errorf("Time() = %s", tm)
	}
	if want := time.Date(2026, 2, 13, 16, 0, 0, 0, time.UTC); !tm.Equal(want) {
		t.Errorf("Time() = %s, want %s", tm.UTC(), want)
	}
	cmp := []struct {
		x, y                 Date
		before, after, equal bool
		compare              int
	}{
		{a, b, true, false, false, -1},
		{b, a, false, true, false, 1},
		{a, a, false, false, true, 0},
		{d(t, "2025-12-31"), d(t, "2026-01-01"), true, false, false, -1},
		{d(t, "2026-01-31"), d(t, "2026-02-01"), true, false, false, -1},
	}
	for _, c := range cmp {
		t.Run(c.x.String()+" vs "+c.y.String(), func(t *testing.T) {
			if c.x.Before(c.y) != c.before || c.x.After(c.y) != c.after || c.x.Equal(c.y) != c.equal || c.x.Compare(c.y) != c.compare {
				t.Errorf("comparison wrong")
			}
		})
	}
	if (Date{2026, 2, 30}).AddDays(0) != d(t, "2026-03-02") {
		t.Error("AddDays(0) does not normalise")
	}
	if (Date{2026, 2, 30}).Valid() || !a.Valid() || (Date{}).Valid() || !(Date{}).IsZero() {
		t.Error("Valid/IsZero wrong")
	}

	// JSON uses "YYYY-MM-DD".
	type doc struct {
		Due Date `json:"due"`
	}
	out, err := json.Marshal(doc{Due: a})
	if err != nil || string(out) != `{"due":"2026-02-14"}` {
		t.Fatalf("json.Marshal = %s, %v", out, err)
	}
	var back doc
	if err := json.Unmarshal(out, &back); err != nil || back.Due != a {
		t.Fatalf("json.Unmarshal = %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"due":"2026-02-30"}`), &back); err == nil {
		t.Error("json.Unmarshal accepted 2026-02-30")
	}
	if _, err := json.Marshal(doc{}); err == nil {
		t.Error("json.Marshal accepted the zero Date")
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2026-02-14", "2028-02-29", "2026-02-30", "2026/02/01", "", "0000-01-01",
		"9999-12-31", "+026-02-01", "2026-1-01", "２０２６-02-01", "2026-02-14\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		if err != nil {
			if got != (Date{}) {
				t.Fatalf("ParseDate(%q) = %v with error %v", s, got, err)
			}
			if !strings.HasPrefix(err.Error(), "calendar: invalid date") {
				t.Fatalf("ParseDate(%q) error %q lacks prefix", s, err)
			}
			return
		}
		// Round trip.
		if got.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, got.String())
		}
		if again, err := ParseDate(got.String()); err != nil || again != got {
			t.Fatalf("ParseDate(String()) = %v, %v; want %v", again, err, got)
		}
		if !got.Valid() || got.AddDays(0) != got || DateOf(got.Time()) != got {
			t.Fatalf("ParseDate(%q) = %v is not normalised", s, got)
		}
		// Agrees with the standard library.
		tm, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatalf("ParseDate accepted %q but time.Parse rejects it: %v", s, err)
		}
		if y, m, dd := tm.Date(); (Date{y, m, dd}) != got {
			t.Fatalf("ParseDate(%q) = %v, time.Parse says %v", s, got, tm)
		}
	})
}
