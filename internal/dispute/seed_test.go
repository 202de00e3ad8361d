package dispute_test

import (
	"context"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/dispute"
)

// The demo's disputes: every state, sealed parties, once only.
func TestSeedDemo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		n, err := dispute.SeedDemo(context.Background(), f.svc())
		if err != nil || n < 10 {
			t.Fatalf("seeded %d: %v", n, err)
		}
		for _, st := range dispute.States {
			if f.count("SELECT count(*) FROM disputes WHERE status = ?", st) == 0 {
				t.Errorf("no demo dispute is %s", st)
			}
		}
		if f.count("SELECT count(*) FROM disputes WHERE party_phone_sealed LIKE '1%'") != 0 || f.count("SELECT count(*) FROM disputes WHERE party_phone_sealed LIKE 'v1:%'") < 3 {
			t.Error("demo parties are not sealed")
		}
		if f.count("SELECT count(*) FROM dispute_sessions") < 8 {
			t.Error("too few sessions")
		}
		if again, err := dispute.SeedDemo(context.Background(), f.svc()); err != nil || again != 0 {
			t.Fatalf("second seed: %d %v", again, err)
		}
		// 青山镇 sees its own, not 东城's.
		var p dispute.Page
		f.c("qingshan").Get("/api/v1/disputes?limit=100").JSON(t, &p)
		if len(p.Rows) < 8 {
			t.Fatalf("qingshan sees %d", len(p.Rows))
		}
		for _, r := range p.Rows {
			if r.TerritoryName == "东门社区" {
				t.Fatal("qingshan sees 东城街道's dispute")
			}
		}
	})
}
