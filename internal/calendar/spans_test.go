package calendar

import (
	"reflect"
	"testing"
)

func TestMonthSpans(t *testing.T) {
	d := func(s string) Date {
		x, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	cases := []struct {
		from, to string
		want     []Span
	}{
		{"2026-11-03", "2026-11-27", []Span{{false, "2026-11-03", "2026-11-27"}}},
		{"2026-11-01", "2026-11-27", []Span{{false, "2026-11-01", "2026-11-27"}}},
		{"2026-11-01", "2026-11-30", []Span{{true, "2026-11", "2026-11"}}},
		{"2026-01-01", "2026-11-27", []Span{{true, "2026-01", "2026-10"}, {false, "2026-11-01", "2026-11-27"}}},
		{"2024-01-15", "2026-11-27", []Span{{false, "2024-01-15", "2024-01-31"}, {true, "2024-02", "2026-10"}, {false, "2026-11-01", "2026-11-27"}}},
		{"2025-12-15", "2026-01-31", []Span{{false, "2025-12-15", "2025-12-31"}, {true, "2026-01", "2026-01"}}},
		{"2025-12-15", "2026-01-20", []Span{{false, "2025-12-15", "2026-01-20"}}},
		{"2026-02-28", "2026-02-28", []Span{{false, "2026-02-28", "2026-02-28"}}},
	}
	for _, c := range cases {
		if got := MonthSpans(d(c.from), d(c.to)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s..%s: %+v, want %+v", c.from, c.to, got, c.want)
		}
	}
}
