package petition_test

import (
	"context"
	"testing"

	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/petition"
)

// TestSeedDemo: the demo's cases load once, in the states they claim, and
// the clock marks the late and the nearly late.
func TestSeedDemo(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	ctx := context.Background()
	n, err := f.env.App.LoadDemoPetitions(ctx)
	must(t, err == nil && n == 8, "seeded %d: %v", n, err)
	n, err = f.env.App.LoadDemoPetitions(ctx)
	must(t, err == nil && n == 0, "seeded again: %d %v", n, err)
	for status, want := range map[string]int{petition.Accepted: 2, petition.Registered: 3, petition.Routed: 1, petition.Replied: 1, petition.Concluded: 1} {
		must(t, f.count("SELECT count(*) FROM petitions WHERE status = ?", status) == want, "%s: %d, want %d", status, f.count("SELECT count(*) FROM petitions WHERE status = ?", status), want)
	}
	must(t, f.str("SELECT number FROM petitions WHERE id = 1") == petition.DemoAreaCode+"-2026-000001", "the demo's area code")
	f.sweep("2026-11-27 10:05")
	must(t, f.count("SELECT count(*) FROM petitions WHERE clock_level = 100") == 1, "the late hotline call is not marked")
	must(t, f.count("SELECT count(*) FROM petitions WHERE clock_level = 75") == 1, "the nearly late letter is not marked")
	var page petition.Page
	f.c("xfj").Get("/api/v1/petitions?attention=1").JSON(t, &page)
	must(t, len(page.Rows) == 2, "attention: %d rows", len(page.Rows))
}
