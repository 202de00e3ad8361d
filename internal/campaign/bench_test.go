package campaign_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/campaign"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// benchEnv is the demo district with n more enterprises spread over its
// villages and communities, a district-wide campaign, and a quarter of the
// enterprises inspected for it (rows written directly: the fixture, not
// what is measured).
func benchEnv(b *testing.B, d *db.DB, n int) (*apptest.Env, *auth.Actor, int64) {
	b.Helper()
	ctx := context.Background()
	env := apptest.Start(b, d)
	var villages []int64
	rows, err := d.Query(ctx, "SELECT id FROM orgs WHERE kind IN ('village', 'community') ORDER BY id")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		villages = append(villages, id)
	}
	rows.Close()
	now := env.Clock.Now()
	industries := []string{"hazchem", "gas", "dust", "catering", "crowded", "fire_key", "metallurgy", "other"}
	risks := []string{"major", "large", "general", "low"}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		for i := 0; i < n; i += 200 {
			var vals []string
			var args []any
			for j := i; j < min(i+200, n); j++ {
				vals = append(vals, "('enterprise', ?, ?, ?, ?, ?, ?)")
				args = append(args, fmt.Sprintf("压测企业%05d", j), villages[j%len(villages)], industries[j%len(industries)], risks[j%len(risks)], now, now)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO enterprises (kind, name, territory_org_id, industry, risk_level, created_at, updated_at) VALUES "+strings.Join(vals, ", "), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	yjj, err := env.App.Auth.LoadActor(ctx, env.UserID("yjj"), "bench")
	if err != nil {
		b.Fatal(err)
	}
	c, err := env.App.Campaigns().Create(ctx, yjj, campaign.Input{Title: "压测行动", PeriodStart: "2026-11-27", PeriodEnd: "2026-12-26", Deadline: "2026-12-31"})
	if err != nil {
		b.Fatal(err)
	}
	day := now.Format("2006-01-02")
	err = d.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO inspections (kind, status, enterprise_id, enterprise_name, territory_org_id, path, inspected_at, inspected_day, campaign_id, summary, created_at, updated_at, submitted_at)
			SELECT 'territorial', 'submitted', e.id, e.name, e.territory_org_id, e.territory_path, ?, ?, ?, '压测', ?, ?, ? FROM enterprises e WHERE e.id % 4 = 0`,
			now, day, c.ID, now, now, now)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return env, yjj, c.ID
}

// BenchmarkCampaignGet reads a district-wide campaign with every task's
// counts over 20,000 enterprises, 5,000 of them inspected:
//
//	go test -run - -bench CampaignGet -benchtime 20x ./internal/campaign/
func BenchmarkCampaignGet(b *testing.B) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(tc.name, func(b *testing.B) {
			env, yjj, id := benchEnv(b, tc.open(b), 20000)
			ctx := context.Background()
			start := time.Now()
			for b.Loop() {
				c, err := env.App.Campaigns().Get(ctx, yjj, id)
				if err != nil {
					b.Fatal(err)
				}
				if c.Progress.Enterprises < 20000 || c.Progress.Inspected < 5000 {
					b.Fatalf("progress %+v", c.Progress)
				}
			}
			b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/get")
		})
	}
}

// BenchmarkCampaignTask reads the district's own task: its counts and the
// first 1,000 of its 20,000 enterprises with their campaign work.
func BenchmarkCampaignTask(b *testing.B) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(tc.name, func(b *testing.B) {
			env, yjj, id := benchEnv(b, tc.open(b), 20000)
			ctx := context.Background()
			c, err := env.App.Campaigns().Get(ctx, yjj, id)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				d, err := env.App.Campaigns().GetTask(ctx, yjj, id, c.Tasks[0].ID)
				if err != nil {
					b.Fatal(err)
				}
				if len(d.Enterprises) != 1000 {
					b.Fatalf("%d enterprises", len(d.Enterprises))
				}
			}
		})
	}
}
