package org_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/org"
)

// buildTree inserts a 100,000-node tree straight into the table: 1 district,
// 99 townships, and 1,010 villages under each. It returns the path of one township.
func buildTree(b *testing.B, d *db.DB) (townPath string, townID int64) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	id := int64(0)
	err := d.InTx(ctx, func(tx *db.Tx) error {
		ins := func(parent any, kind, path string, depth int) error {
			_, err := tx.Exec(ctx, "INSERT INTO orgs (id, parent_id, name, kind, path, depth, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				id, parent, "n"+strconv.FormatInt(id, 10), kind, path, depth, now, now)
			return err
		}
		id++
		if err := ins(nil, "district", "/1/", 0); err != nil {
			return err
		}
		for t := 0; t < 99; t++ {
			id++
			tid := id
			tpath := "/1/" + strconv.FormatInt(tid, 10) + "/"
			if err := ins(int64(1), "township", tpath, 1); err != nil {
				return err
			}
			if t == 50 {
				townPath, townID = tpath, tid
			}
			for v := 0; v < 1010; v++ {
				id++
				if err := ins(tid, "village", tpath+strconv.FormatInt(id, 10)+"/", 2); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if d.Dialect == db.Postgres {
		d.Exec(ctx, "SELECT setval(pg_get_serial_sequence('orgs', 'id'), (SELECT max(id) FROM orgs))")
		d.Exec(ctx, "ANALYZE orgs")
	} else {
		d.Exec(ctx, "ANALYZE")
	}
	b.Logf("%s: %d nodes", d.Dialect, id)
	return townPath, townID
}

// BenchmarkSubtree compares the materialised-path range (what Anwen uses)
// with a recursive CTE over parent_id (the design it replaced) on 100,000 nodes.
func BenchmarkSubtree(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			var d *db.DB
			if dialect == "sqlite" {
				d = dbtest.SQLite(b)
			} else {
				d = dbtest.Postgres(b)
			}
			ctx := context.Background()
			townPath, townID := buildTree(b, d)
			b.Run("path-range/township-1011", func(b *testing.B) {
				for b.Loop() {
					list, err := org.Subtree(ctx, d, townPath)
					if err != nil || len(list) != 1011 {
						b.Fatalf("%d %v", len(list), err)
					}
				}
			})
			b.Run("recursive-cte/township-1011", func(b *testing.B) {
				q := `WITH RECURSIVE sub(id) AS (SELECT id FROM orgs WHERE id = ? UNION ALL SELECT o.id FROM orgs o JOIN sub ON o.parent_id = sub.id)
					SELECT o.id, o.name FROM orgs o JOIN sub ON sub.id = o.id`
				for b.Loop() {
					rows, err := d.Query(ctx, q, townID)
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for rows.Next() {
						n++
					}
					rows.Close()
					if n != 1011 {
						b.Fatalf("%d", n)
					}
				}
			})
			b.Run("path-range/count-district-100090", func(b *testing.B) {
				cond, args := org.SubtreeSQL("path", "/1/")
				for b.Loop() {
					var n int
					if err := d.QueryRow(ctx, "SELECT count(*) FROM orgs WHERE "+cond, args...).Scan(&n); err != nil || n != 100090 {
						b.Fatalf("%d %v", n, err)
					}
				}
			})
			b.Run("recursive-cte/count-district-100090", func(b *testing.B) {
				q := `WITH RECURSIVE sub(id) AS (SELECT id FROM orgs WHERE id = 1 UNION ALL SELECT o.id FROM orgs o JOIN sub ON o.parent_id = sub.id) SELECT count(*) FROM sub`
				for b.Loop() {
					var n int
					if err := d.QueryRow(ctx, q).Scan(&n); err != nil || n != 100090 {
						b.Fatalf("%d %v", n, err)
					}
				}
			})
		})
	}
}
