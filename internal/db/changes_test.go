package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// A Cache copy lasts until a watched table changes: at once for a change
// this process commits, by NOTIFY for one another server (another DB on the
// same PostgreSQL database) commits. SQLite keeps nothing.
func TestCacheEndsAtChanges(t *testing.T) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		d := dbtest.SQLite(t)
		c := db.NewCache[int, string](d, 10)
		loads := 0
		load := func(context.Context) (string, error) { loads++; return "x", nil }
		for range 3 {
			if v, err := c.Get(ctx, 1, load); err != nil || v != "x" {
				t.Fatalf("Get = %q, %v", v, err)
			}
		}
		if loads != 3 {
			t.Fatalf("SQLite: %d loads for 3 gets, want 3 (nothing kept)", loads)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := dbtest.PostgresDSN(t)
		open := func() *db.DB {
			d, err := db.Open(ctx, dsn, "")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		}
		here, other := open(), open()
		if _, err := here.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := here.Exec(ctx, "INSERT INTO orgs (name, kind, path, depth, sort, created_at, updated_at) VALUES ('区', 'district', '/1/', 0, 0, now(), now())"); err != nil {
			t.Fatal(err)
		}
		read := func(d *db.DB) func(context.Context) (string, error) {
			return func(ctx context.Context) (string, error) {
				var name string
				err := d.QueryRow(ctx, "SELECT name FROM orgs WHERE path = '/1/'").Scan(&name)
				return name, err
			}
		}
		c := db.NewCache[int, string](here, 10)
		loads := 0
		get := func() string {
			t.Helper()
			v, err := c.Get(ctx, 1, func(ctx context.Context) (string, error) { loads++; return read(here)(ctx) })
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		get()
		if v := get(); v != "区" || loads != 1 {
			t.Fatalf("second get = %q after %d loads, want the copy after 1", v, loads)
		}
		// A table nobody copies from changes nothing.
		if _, err := other.Exec(ctx, "CREATE TABLE unrelated (x INT)"); err != nil {
			t.Fatal(err)
		}
		if get(); loads != 1 {
			t.Fatalf("%d loads after an unrelated change, want 1", loads)
		}
		// Another server renames the org: the copy ends when NOTIFY arrives.
		if err := other.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE orgs SET name = '新区' WHERE path = '/1/'")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for get() != "新区" {
			if time.Now().After(deadline) {
				t.Fatal("the copy outlived another server's change by 5 s")
			}
			time.Sleep(10 * time.Millisecond)
		}
		// This server's own write ends it at once, before any NOTIFY.
		n := loads
		if err := here.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE orgs SET name = '老区' WHERE path = '/1/'")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if v := get(); v != "老区" || loads != n+1 {
			t.Fatalf("right after this server's change: %q (%d loads), want 老区 loaded again", v, loads-n)
		}
	})
}
