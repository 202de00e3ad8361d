package hazard

// SetPlanThresholds changes the page plan's thresholds (SQLite's probeCap
// and probeMax; both databases' count) for a test and returns what restores
// them: 0, 0, true makes every SQLite page walk the sort order and every
// count give up, as at a million hazards.
func SetPlanThresholds(enumerate, probe int, noCount bool) func() {
	a, b, c := probeCap, probeMax, skipCount
	probeCap, probeMax, skipCount = enumerate, probe, noCount
	return func() { probeCap, probeMax, skipCount = a, b, c }
}
