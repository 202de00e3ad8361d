package petition

// SetProbeMax makes the ledger read a filter's index whole up to n rows
// (tests of the plans at a small scale) and returns what puts it back.
func SetProbeMax(n int) func() {
	old := probeMax
	probeMax = n
	return func() { probeMax = old }
}
