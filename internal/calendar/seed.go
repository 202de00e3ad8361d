package calendar

import (
	"fmt"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// seedNames maps lunar-go's festival names to the wording of the State
// Council notices (国务院办公厅关于部分节假日安排的通知). Names not listed
// ("春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节", "抗战胜利日") are
// already identical.
var seedNames = map[string]string{
	"元旦节":  "元旦",      // the notices say 元旦 (New Year's Day)
	"国庆中秋": "国庆节、中秋节", // combined break, e.g. 2025: "国庆节、中秋节：10月1日至8日"
}

// seedPatch corrects one date of lunar-go's data.
type seedPatch struct {
	Special      // the entry to use for Special.Date (ignored if Remove)
	Remove  bool // drop lunar-go's entry for Special.Date instead
}

// seedPatches holds explicit corrections to lunar-go's data, each of which
// must cite the State Council notice it follows. It is empty: as of
// github.com/6tail/lunar-go v1.4.7 the 2025 notice (issued 2024-11-12) and
// the 2026 notice (issued 2025-11-04) match lunar-go day for day.
//
// Example of a correction:
//
//	// 2026 notice item 七: 10月10日（周六）上班.
//	{Special: Special{Date: Date{2026, time.October, 10}, Kind: Workday, Name: "国庆节"}},
var seedPatches []seedPatch

// Seed returns the statutory holidays (法定节假日) and make-up working days
// (调休上班) of the given years, sorted by date, from the data embedded in
// github.com/6tail/lunar-go's HolidayUtil (v1.4.7 covers 2001-12-29 through
// 2027), with the corrections in seedPatches applied. Years the library does
// not know yield no entries; check with Calendar.Covers. Duplicate years are
// ignored.
//
// Seed only reads lunar-go's data; it never calls HolidayUtil.Fix, which
// mutates package state without locking.
func Seed(years ...int) []Special {
	var out []Special
	seen := make(map[int]bool, len(years))
	for _, y := range years {
		if seen[y] || y < 1 || y > 9999 {
			continue
		}
		seen[y] = true
		out = append(out, lunarYear(y)...)
	}
	out = applyPatches(out, seen, seedPatches)
	sortSpecials(out)
	return out
}

// lunarYear converts lunar-go's entries for year y.
func lunarYear(y int) []Special {
	var out []Special
	l := HolidayUtil.GetHolidaysByYear(y)
	for e := l.Front(); e != nil; e = e.Next() {
		h, ok := e.Value.(*HolidayUtil.Holiday)
		if !ok || h == nil {
			continue
		}
		d, err := ParseDate(h.GetDay())
		if err != nil || d.Year != y {
			// lunar-go's embedded table is corrupt; tests catch this.
			panic(fmt.Sprintf("calendar: unexpected lunar-go holiday entry %q for year %d", h.String(), y))
		}
		kind := Holiday
		if h.IsWork() {
			kind = Workday
		}
		name := h.GetName()
		if n, ok := seedNames[name]; ok {
			name = n
		}
		out = append(out, Special{Date: d, Kind: kind, Name: name})
	}
	return out
}

// applyPatches applies the patches whose year is in years to specials: a
// patch replaces (or adds) the entry for its date, or removes it.
func applyPatches(specials []Special, years map[int]bool, patches []seedPatch) []Special {
	for _, p := range patches {
		if !years[p.Date.Year] {
			continue
		}
		i := indexOf(specials, p.Date)
		switch {
		case p.Remove && i >= 0:
			specials = append(specials[:i], specials[i+1:]...)
		case p.Remove:
			// nothing to remove
		case i >= 0:
			specials[i] = p.Special
		default:
			specials = append(specials, p.Special)
		}
	}
	return specials
}

func indexOf(specials []Special, d Date) int {
	for i, s := range specials {
		if s.Date == d {
			return i
		}
	}
	return -1
}
