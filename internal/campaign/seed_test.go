package campaign_test

import (
	"context"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// The demo's campaigns load once, in every state, with their work done.
func TestSeedDemo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if _, err := f.env.App.LoadDemoHazards(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := f.env.App.LoadDemoCampaigns(ctx)
		must(t, err == nil && n == 3, "seeded %d: %v", n, err)
		for _, st := range []string{"closed", "active", "draft"} {
			must(t, f.count("SELECT count(*) FROM campaigns WHERE status = ?", st) == 1, "no %s campaign", st)
		}
		active := f.id("SELECT id FROM campaigns WHERE status = 'active'")
		c := f.get("yjj", active)
		must(t, c.Progress.Inspected == 14 && c.Progress.HazardsFound == 3, "the running campaign: %+v", c.Progress)
		must(t, c.Progress.Rechecks == 4 && c.Progress.RechecksDone == 1, "re-checks %+v", c.Progress)
		must(t, c.Behind > 0 && task(t, c, "上坪村").Flag == "" && task(t, c, "石门镇").Flag == "behind", "flags: %d behind, 石门镇 %q", c.Behind, task(t, c, "石门镇").Flag)
		must(t, f.count("SELECT count(*) FROM notifications WHERE kind = 'campaign'") == 0, "the demo's past sent messages")
		n, err = f.env.App.LoadDemoCampaigns(ctx)
		must(t, err == nil && n == 0, "seeded again: %d %v", n, err)
	})
}
