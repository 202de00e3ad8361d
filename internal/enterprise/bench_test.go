package enterprise_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/enterprise"
	"github.com/anwen-gov/anwen/internal/enterprise/uscc"
)

// fill20k registers 20,000 enterprises spread over the villages and
// communities of the demo district, in one transaction.
func fill20k(b testing.TB, env *apptest.Env) {
	ctx := context.Background()
	var orgs []int64
	rows, err := env.App.DB.Query(ctx, "SELECT id FROM orgs WHERE kind IN ('village', 'community') ORDER BY id")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		orgs = append(orgs, id)
	}
	rows.Close()
	now := env.Clock.Now()
	err = env.App.DB.InTx(ctx, func(tx *db.Tx) error {
		for i := 0; i < 20000; i++ {
			code, _ := uscc.Complete(fmt.Sprintf("91990198MA%07d", i))
			in := enterprise.Input{Kind: "enterprise", Name: fmt.Sprintf("压测企业%05d有限公司", i), USCC: code, TerritoryOrgID: orgs[i%len(orgs)],
				Industry: enterprise.Industries[i%len(enterprise.Industries)].Code, RiskLevel: enterprise.RiskLevels[i%4], KeyEnterprise: i%7 == 0,
				PrincipalName: "压测", PrincipalPhone: "13900000000"}
			if _, err := enterprise.Insert(ctx, tx, now, in); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// PostgreSQL's autovacuum analyses a table after such a load; do it now.
	if env.App.DB.Dialect == db.Postgres {
		if _, err := env.App.DB.Exec(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
}

// List pages of a 20,000-enterprise register, as the district (every row
// in scope) and as a township, on both databases.
func BenchmarkList20k(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			var d *db.DB
			if name == "sqlite" {
				d = dbtest.SQLite(b)
			} else {
				d = dbtest.Postgres(b)
			}
			env := apptest.Start(b, d)
			fill20k(b, env)
			svc := &enterprise.Service{DB: env.App.DB, Auth: env.App.Auth, Clock: env.Clock}
			for _, who := range []string{"yjj", "qingshan"} {
				a, err := env.App.Auth.LoadActor(context.Background(), env.UserID(who), "bench")
				if err != nil {
					b.Fatal(err)
				}
				for _, f := range []struct {
					name string
					f    enterprise.Filter
				}{
					{"first page", enterprise.Filter{}},
					{"deep page by name", enterprise.Filter{Sort: "name", Offset: 9000}},
					{"risk and industry", enterprise.Filter{Risk: "major", Industry: "gas"}},
					{"search", enterprise.Filter{Query: "压测企业1234"}},
				} {
					b.Run(who+"/"+f.name, func(b *testing.B) {
						for i := 0; i < b.N; i++ {
							if _, _, err := svc.List(context.Background(), a, f.f); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}
