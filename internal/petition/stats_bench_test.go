package petition_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbbench"
	"github.com/anwen-gov/anwen/internal/petition"
)

// BenchmarkStats builds the district of BenchmarkLedger (1,000,000 cases
// over three years; PETITION_BENCH_N changes the count), fills the tally
// with the statements of migration 00019 (the cases are bulk-inserted, not
// registered through the service), and measures the statistics of the
// bureau (the whole district, with its breakdowns) and of a township, for
// this year to date and for three years (p50 and p95 of PETITION_BENCH_RUNS
// runs, default 40, after 3 warm-up runs).
//
//	go test -run '^$' -bench BenchmarkStats -benchtime 1x -timeout 90m ./internal/petition/
func BenchmarkStats(b *testing.B) {
	n := dbbench.EnvInt("PETITION_BENCH_N", 1000000)
	b.Setenv("ANWEN_FIELD_KEY", base64.StdEncoding.EncodeToString([]byte("petition-bench-field-key-32bytes")))
	b.Setenv("ANWEN_FIELD_INDEX_KEY", base64.StdEncoding.EncodeToString([]byte("petition-bench-index-key-32bytes")))
	dbbench.Dialects(b, "PETITION_BENCH_DB", func(b *testing.B, dialect string) {
		d := dbbench.Open(b, dialect, "PETITION_BENCH_SQLITE", "PETITION_BENCH_PG")
		benchStats(b, d, n)
	})
}

func benchStats(b *testing.B, d *db.DB, n int) {
	ctx := context.Background()
	env := apptest.Start(b, d)
	svc := env.App.Petitions()
	start := time.Now()
	var tallied int
	d.QueryRow(ctx, "SELECT count(*) FROM petition_tally").Scan(&tallied)
	if buildCases(b, env, n) || tallied == 0 {
		fill := time.Now()
		fillTally(b, d)
		b.Logf("%s: built %d cases in %s, the tally filled in %s", d.Dialect, n, time.Since(start).Round(time.Second), time.Since(fill).Round(time.Millisecond))
		if d.Dialect == db.Postgres {
			for _, t := range []string{"petition_tally", "petition_tally_month", "petition_tally_mix", "petition_tally_mix_month"} {
				if _, err := d.Exec(ctx, "VACUUM ANALYZE "+t); err != nil {
					b.Fatal(err)
				}
			}
		} else if _, err := d.Exec(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	var rows int
	d.QueryRow(ctx, "SELECT count(*) FROM petition_tally").Scan(&rows)
	today := env.Clock.Now().In(time.FixedZone("CST", 8*3600))
	threeYears := today.AddDate(-3, 0, 1).Format("2006-01-02")
	runs := dbbench.EnvInt("PETITION_BENCH_RUNS", 40)
	var lines []string
	worst := time.Duration(0)
	for _, who := range []string{"xfj", "qingshan"} {
		a, err := env.App.Auth.LoadActor(ctx, env.UserID(who), "bench")
		if err != nil {
			b.Fatal(err)
		}
		for _, period := range []struct{ name, from string }{{"this year", ""}, {"three years", threeYears}} {
			f := petition.StatsFilter{From: period.from}
			var st *petition.Stats
			ds, err := dbbench.Time(3, runs, func() (err error) {
				st, err = svc.Stats(ctx, a, f)
				return err
			})
			if err != nil {
				b.Fatalf("%s %s: %v", who, period.name, err)
			}
			p95 := dbbench.Pct(ds, 95)
			worst = max(worst, p95)
			lines = append(lines, fmt.Sprintf("  %-9s %-12s %s..%s rows %2d received %7d open %6d overdue %6d  p50 %7.2f ms  p95 %7.2f ms", who, period.name,
				st.From, st.To, len(st.Rows), st.Total.Registered, st.Total.Open, st.Total.OverdueNow, dbbench.MS(dbbench.Pct(ds, 50)), dbbench.MS(p95)))
		}
	}
	b.Logf("%s, %d cases, %d tally rows (load %s):\n%s", d.Dialect, n, rows, dbbench.LoadAvg(), strings.Join(lines, "\n"))
	b.ReportMetric(dbbench.MS(worst), "worst-p95-ms")
}
