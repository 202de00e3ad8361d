// Package dbbench is what the ledger benchmarks share: the database to
// measure (a kept one named by the environment, or a fresh one), the
// runs to make, the percentiles and the machine's load to report, and the
// bulk load's helpers (weighted picks, indexes dropped and made again).
package dbbench

import (
	"context"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// Open returns the database a benchmark measures on dialect ("sqlite" or
// "postgres"): the kept one named by the environment variable sqliteEnv
// (a file) or pgEnv (a DSN), migrated, so that a million rows are built
// once and measured many times; else a fresh one from dbtest.
func Open(tb testing.TB, dialect, sqliteEnv, pgEnv string) *db.DB {
	ctx := context.Background()
	dsn := ""
	switch {
	case dialect == "sqlite" && os.Getenv(sqliteEnv) != "":
		dsn = "sqlite:" + os.Getenv(sqliteEnv)
	case dialect == "postgres" && os.Getenv(pgEnv) != "":
		dsn = os.Getenv(pgEnv)
	case dialect == "sqlite":
		return dbtest.SQLite(tb)
	default:
		return dbtest.Postgres(tb)
	}
	d, err := db.Open(ctx, dsn, "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return d
}

// EnvInt is the positive number the environment variable env holds (the
// rows to build, the runs to time), else def.
func EnvInt(env string, def int) int {
	if s := os.Getenv(env); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return def
}

// Dialects runs fn as a sub-benchmark for each database ("sqlite",
// "postgres"), only the one the environment variable onlyEnv names when
// it is set.
func Dialects(b *testing.B, onlyEnv string, fn func(b *testing.B, dialect string)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			if only := os.Getenv(onlyEnv); only != "" && only != dialect {
				b.Skip(onlyEnv + "=" + only)
			}
			fn(b, dialect)
		})
	}
}

// Pct is the p-th percentile of ds (nearest rank).
func Pct(ds []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}

// MS is d in milliseconds, for reports.
func MS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// LoadAvg is the machine's load average over 1, 5 and 15 minutes ("?"
// where it cannot be read): timings mean little on a busy machine.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// Query reads a benchmark's query string as written, without unescaping
// (its values are plain, Chinese included).
func Query(q string) url.Values {
	out := url.Values{}
	for _, kv := range strings.Split(q, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = append(out[k], v)
		}
	}
	return out
}

// Weighted picks from values by weights (summing to 100) with u in [0, 1).
func Weighted(u float64, values []string, weights []float64) string {
	x := u * 100
	for i, w := range weights {
		if x < w {
			return values[i]
		}
		x -= w
	}
	return values[len(values)-1]
}

// DropIndexes drops the secondary indexes of tables (not those behind a
// constraint) and, on SQLite, the triggers that fill their full-text
// indexes, and returns the statements that make them again, the full-text
// indexes (contentless, as the triggers write them) filled after: a bulk
// load is much faster without them.
func DropIndexes(tb testing.TB, d *db.DB, tables ...string) []string {
	ctx := context.Background()
	var names, kinds, defs []string
	for _, t := range tables {
		var q string
		if d.Dialect == db.Postgres {
			q = `SELECT indexname, 'index', indexdef FROM pg_indexes WHERE tablename = ? AND indexname NOT IN (SELECT conname FROM pg_constraint)`
		} else {
			q = `SELECT name, type, sql FROM sqlite_master WHERE tbl_name = ? AND (type = 'index' OR (type = 'trigger' AND name LIKE '%fts%')) AND sql IS NOT NULL`
		}
		rows, err := d.Query(ctx, q, t)
		if err != nil {
			tb.Fatal(err)
		}
		for rows.Next() {
			var name, kind, def string
			if err := rows.Scan(&name, &kind, &def); err != nil {
				tb.Fatal(err)
			}
			names, kinds, defs = append(names, name), append(kinds, kind), append(defs, def)
		}
		rows.Close()
	}
	for i, name := range names {
		if _, err := d.Exec(ctx, "DROP "+strings.ToUpper(kinds[i])+" "+name); err != nil {
			tb.Fatal(err)
		}
	}
	if d.Dialect == db.SQLite {
		for _, t := range tables {
			var fts int
			d.QueryRow(ctx, "SELECT count(*) FROM sqlite_master WHERE name = ?", t+"_fts").Scan(&fts)
			if fts > 0 {
				// Contentless, with the text as its trigger writes it.
				defs = append(defs, "INSERT INTO "+t+"_fts (rowid, search_text) SELECT id, search_text || '  ' FROM "+t)
			}
		}
	}
	return defs
}

// Recreate runs the statements DropIndexes returned, and logs how long
// the indexes took.
func Recreate(tb testing.TB, d *db.DB, defs []string) {
	ctx := context.Background()
	t0 := time.Now()
	for _, q := range defs {
		if _, err := d.Exec(ctx, q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	tb.Logf("%s: indexed in %s", d.Dialect, time.Since(t0).Round(time.Second))
}

// Time runs fn warm times unmeasured, then runs times, and returns the
// durations of the measured runs; it stops at fn's first error.
func Time(warm, runs int, fn func() error) ([]time.Duration, error) {
	var ds []time.Duration
	for i := 0; i < warm+runs; i++ {
		t0 := time.Now()
		if err := fn(); err != nil {
			return nil, err
		}
		if i >= warm {
			ds = append(ds, time.Since(t0))
		}
	}
	return ds, nil
}

// Total is a page's total as a report shows it: "-" when it was not
// counted, "n+" when counting stopped at its cap.
func Total(counted, exact bool, n int) string {
	if !counted {
		return "-"
	}
	if !exact {
		return strconv.Itoa(n) + "+"
	}
	return strconv.Itoa(n)
}
