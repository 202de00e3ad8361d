package petition

import (
	"strings"
	"testing"
)

// TestChartLabels: the trend's month labels in the page's language, the
// year in place of January when the period spans years.
func TestChartLabels(t *testing.T) {
	months := []MonthFigures{{Month: "2025-12"}, {Month: "2026-01"}, {Month: "2026-02"}}
	if got := strings.Join(chartOf(months, "zh").Labels, ","); got != "12月,2026,2月" {
		t.Errorf("zh labels: %s", got)
	}
	if got := strings.Join(chartOf(months, "en").Labels, ","); got != "Dec,2026,Feb" {
		t.Errorf("en labels: %s", got)
	}
}
