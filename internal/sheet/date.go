package sheet

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/calendar"
)

var textDate = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?$`)

// ParseDate reads a date written as text the way offices write it:
// 2026-11-27, 2026/11/27, 2026.11.27, 2026年11月27日 (a time after it is
// ignored), between 1900 and 2100. A date cell needs no parsing: Read turns
// it into YYYY-MM-DD.
func ParseDate(s string) (calendar.Date, bool) {
	m := textDate.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return calendar.Date{}, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	date := calendar.Date{Year: y, Month: time.Month(mo), Day: d}
	return date, date.Valid() && y >= 1900 && y <= 2100
}
