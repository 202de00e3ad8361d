package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestRebind(t *testing.T) {
	tests := []struct {
		d        db.Dialect
		in, want string
	}{
		{db.SQLite, "SELECT ? , ?", "SELECT ? , ?"},
		{db.Postgres, "SELECT ? , ?", "SELECT $1 , $2"},
		{db.Postgres, "SELECT 1", "SELECT 1"},
	}
	for _, tt := range tests {
		if got := tt.d.Rebind(tt.in); got != tt.want {
			t.Errorf("%s Rebind(%q) = %q, want %q", tt.d, tt.in, got, tt.want)
		}
	}
}

func TestMigrateIsIdempotentAndCurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Ctx(t)
		n, err := d.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate: applied %d, err %v", n, err)
		}
		ok, err := d.Current(ctx)
		if err != nil || !ok {
			t.Fatalf("Current = %v, %v", ok, err)
		}
	})
}

// A database written by a newer version must be refused, not used.
func TestMigrateRefusesNewerDatabase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Ctx(t)
		_, latest, err := d.Versions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", latest+1, true); err != nil {
			t.Fatal(err)
		}
		_, err = d.Migrate(ctx)
		if !errors.Is(err, db.ErrTooNew) {
			t.Fatalf("Migrate on newer database: err = %v, want ErrTooNew", err)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Ctx(t)
		if _, err := d.Exec(ctx, `INSERT INTO audit_log (seq, at, action, result, prev_hash, hash) VALUES (1, ?, 'x', 'ok', '', 'h')`, "2026-01-01 00:00:00+00:00"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, "UPDATE audit_log SET action = 'y'"); err == nil {
			t.Error("UPDATE of an audit record succeeded")
		}
		if _, err := d.Exec(ctx, "DELETE FROM audit_log"); err == nil {
			t.Error("DELETE of an audit record succeeded")
		}
	})
}

func TestOpenRefusesFileThatIsNotADatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "anwen.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("this is not a database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := db.Open(context.Background(), "", dir)
	if err == nil || !strings.Contains(err.Error(), "not a database") {
		t.Fatalf("Open(non-database) err = %v, want a 'not a database' error", err)
	}
}
