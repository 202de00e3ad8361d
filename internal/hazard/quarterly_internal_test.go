package hazard

import "testing"

func TestYuanAndLabels(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{{0, "0"}, {0.07, "0.07"}, {1500.5, "1,500.50"}, {176000, "176,000"}, {1234567.891, "1,234,567.89"}} {
		if got := (tools{}).Yuan(c.in); got != c.want {
			t.Errorf("Yuan(%v) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ code, zh, en string }{{"2026Q1", "2026年第一季度", "Q1 2026"}, {"2026Q4", "2026年第四季度", "Q4 2026"}, {"2027", "2027年度", "Year 2027"}} {
		p, err := ParsePeriod(c.code)
		if err != nil || p.Label("zh") != c.zh || p.Label("en") != c.en {
			t.Errorf("%s: %v %q %q", c.code, err, p.Label("zh"), p.Label("en"))
		}
	}
}
