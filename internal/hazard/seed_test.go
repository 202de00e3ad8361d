package hazard_test

import (
	"context"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/hazard"
)

// TestSeedDemo: the demo's hazards cover every state, once.
func TestSeedDemo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		n, err := hazard.SeedDemo(ctx, f.svc())
		if err != nil {
			t.Fatal(err)
		}
		must(t, n >= 55 || f.count("SELECT count(*) FROM hazards WHERE source_ref LIKE 'demo-%'") >= 55, "seeded %d", n)
		for _, s := range hazard.States {
			must(t, f.count("SELECT count(*) FROM hazards WHERE status = ?", s) > 0, "no demo hazard %s", s)
		}
		must(t, f.count("SELECT count(*) FROM hazards WHERE listed_org_id IS NOT NULL") > 0, "none listed")
		must(t, f.count("SELECT count(*) FROM hazards WHERE ext_deadline IS NOT NULL") > 0, "no extension pending")
		must(t, f.count("SELECT count(*) FROM hazards WHERE grade = 'major' AND status <> 'closed'") > 0, "no open major")
		again, err := hazard.SeedDemo(ctx, f.svc())
		must(t, err == nil && again == 0, "seeded twice: %d %v", again, err)
		// The clock engine finds the overdue ones.
		f.sweep("2026-11-27 10:01")
		must(t, f.count("SELECT count(*) FROM hazard_steps WHERE action = 'overdue'") > 0, "nothing went overdue")
		var st hazard.Stats
		f.c("yjj").Get("/api/v1/hazards/stats").JSON(t, &st)
		must(t, st.Total.Open > 10 && st.Total.OverdueNow > 0 && st.Total.Closed > 10, "stats %+v", st.Total)
		for _, p := range []string{"/hazards", "/hazards?status=open", "/hazards/stats", "/hazards/new", "/hazards/import"} {
			r := f.env.SignIn("yjj").Get(p)
			must(t, r.StatusCode == 200, "%s: %d %s", p, r.StatusCode, r.Body)
		}
	})
}
