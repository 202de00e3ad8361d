package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// A tiny burst through the real server: every unit reports once, the
// database holds exactly one report and one audit record per unit, and the
// chain is intact. The full run is `anwen bench daily-report`.
func TestBenchSmoke(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			c := benchConfig{units: 200, clients: 8, baseline: true, logLevel: "error"}
			if dialect == "postgres" {
				c.dsn = dbtest.PostgresDSN(t)
			}
			var out bytes.Buffer
			res, err := runDailyReportBench(context.Background(), c, &out, &out)
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if res.Anwen.OK(http.StatusCreated) != 200 || len(res.Anwen.Latencies) != 200 || res.Anwen.Transport != 0 {
				t.Fatalf("anwen answered %s\n%s", res.Anwen.Statuses(), out.String())
			}
			if res.Baseline.OK(http.StatusCreated) != 200 {
				t.Fatalf("baseline answered %s", res.Baseline.Statuses())
			}
			if res.Reports != 200 || res.AuditRecords != 200 || !res.ChainOK {
				t.Fatalf("%d reports, %d audit records, chain intact %v", res.Reports, res.AuditRecords, res.ChainOK)
			}
			for _, want := range []string{"durability:", "anwen:", "ping ", "api ", "baseline:", "200 reports (200 units), 200 unit-days, 200 audit records", "audit chain: intact"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the report lacks %q:\n%s", want, out.String())
				}
			}
			if dialect == "sqlite" && !strings.Contains(out.String(), "synchronous=FULL") {
				t.Errorf("the report does not say the database is durable:\n%s", out.String())
			}
		})
	}
}

// The benchmark refuses a database that belongs to an install.
func TestBenchRefusesAnInstall(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runCmd(t, "demo", "--data", dir); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_, err := runDailyReportBench(context.Background(), benchConfig{units: 10, clients: 2, data: dir, logLevel: "error"}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("benchmark on an install: %v\n%s", err, out.String())
	}
	// Nothing was added: the demo's people are all there is.
	if _, err := os.Stat(filepath.Join(dir, "anwen.db")); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "prepared") {
		t.Fatalf("it prepared units on an install:\n%s", out.String())
	}
}

// On PostgreSQL the benchmark creates a database of its own; when it may
// not, it refuses a database that has tables.
func TestBenchRefusesAPostgresInstall(t *testing.T) {
	dsn := dbtest.PostgresDSN(t)
	if _, _, err := runCmd(t, "migrate", "--db", dsn); err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	role := fmt.Sprintf("bench_nocreate_%d", os.Getpid())
	if _, err := admin.Exec("CREATE ROLE " + role + " LOGIN NOCREATEDB"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", dsn); err == nil {
			a.Exec("DROP ROLE IF EXISTS " + role)
			a.Close()
		}
	})
	u, _ := url.Parse(dsn)
	u.User = url.User(role)
	var out bytes.Buffer
	_, err = runDailyReportBench(context.Background(), benchConfig{units: 10, clients: 2, dsn: u.String(), logLevel: "error"}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("benchmark on a database with tables: %v\n%s", err, out.String())
	}
	var n int
	if err := admin.QueryRow("SELECT count(*) FROM orgs").Scan(&n); err != nil || n != 0 {
		t.Fatalf("the install has %d orgs (%v), want it untouched", n, err)
	}
}
