package calendar

// Span is a part of a period as tallies kept by day and by month read it:
// whole months (Month, From and To as "YYYY-MM") or days ("YYYY-MM-DD").
type Span struct {
	Month    bool
	From, To string
}

// MonthSpans splits [from, to] into its whole months (one span) and the
// days before the first and after the last of them, so that a statistic
// sums a monthly tally for most of a long period and a daily one at its
// edges (hazard and petition statistics).
func MonthSpans(from, to Date) []Span {
	first := Date{Year: from.Year, Month: from.Month, Day: 1}
	if from.Day != 1 {
		first = first.AddDays(32)
		first.Day = 1
	}
	end := Date{Year: to.Year, Month: to.Month, Day: 1} // the month after the last whole one
	if next := to.AddDays(1); next.Day == 1 {
		end = next
	}
	if !first.Before(end) {
		return []Span{{From: from.String(), To: to.String()}}
	}
	var parts []Span
	if from.Before(first) {
		parts = append(parts, Span{From: from.String(), To: first.AddDays(-1).String()})
	}
	parts = append(parts, Span{Month: true, From: first.String()[:7], To: end.AddDays(-1).String()[:7]})
	if !end.After(to) {
		parts = append(parts, Span{From: end.String(), To: to.String()})
	}
	return parts
}
