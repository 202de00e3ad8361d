package petition_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/petition"
)

// TestLedgerSpeed measures the bureau's ledger and a township's over
// PETITION_BENCH_N synthetic cases (e.g. 1000000) on both databases, with
// every filter the page offers, alone and combined, and the clock sweep
// over the open cases: PETITION_BENCH_N=1000000 go test -run
// TestLedgerSpeed -timeout 60m ./internal/petition/. It reports p50 and
// p95 of 20 runs of each query.
func TestLedgerSpeed(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PETITION_BENCH_N"))
	if n <= 0 {
		t.Skip("set PETITION_BENCH_N to the number of cases")
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		if only := os.Getenv("PETITION_BENCH_DB"); only != "" && only != string(d.Dialect) {
			t.Skip("PETITION_BENCH_DB=" + only)
		}
		f := newFixture(t, d)
		ctx := context.Background()
		start := time.Now()
		fillCases(t, f, n)
		t.Logf("%s: %d cases in %v", d.Dialect, n, time.Since(start).Round(time.Second))
		if d.Dialect == db.Postgres {
			f.exec("ANALYZE petitions")
			f.exec("ANALYZE petition_people")
		} else {
			f.exec("ANALYZE")
		}
		queries := []string{"", "status=accepted", "status=open", "category=accusation", "channel=fax", "overdue=1", "due_soon=1", "key=1",
			"status=routed&category=suggestion&channel=letter", "overdue=1&category=claim&channel=visit", "from=2026-06-01&to=2026-06-30",
			"status=replied&from=2026-03-01&to=2026-03-31", "org_id=" + itoa(f.env.OrgID("SFQ-QS")), "org_id=" + itoa(f.env.OrgID("SFQ-QS")) + "&status=accepted&overdue=1",
			"subject=environment&channel=hotline&status=closed", "number=SFQ-2026-000777", "phone=13900000777"}
		for _, who := range []string{"xfj", "qingshan"} {
			a := f.actor(who)
			for _, q := range queries {
				flt, err := petition.ParseFilter(mustQuery(q))
				if err != nil {
					t.Fatal(err)
				}
				var times []time.Duration
				var rows int
				for i := 0; i < 20; i++ {
					s := time.Now()
					p, err := f.svc().List(ctx, a, flt)
					if err != nil {
						t.Fatalf("%s ?%s: %v", who, q, err)
					}
					times, rows = append(times, time.Since(s)), len(p.Rows)
				}
				sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
				t.Logf("%s %-8s %-70s rows %3d  p50 %6.1f ms  p95 %6.1f ms", d.Dialect, who, "?"+q, rows,
					float64(times[10].Microseconds())/1000, float64(times[18].Microseconds())/1000)
			}
		}
		// The sweep an hour on: the marks of that hour fall due.
		f.env.Clock.Set(f.env.Clock.Now().Add(time.Hour))
		s := time.Now()
		fired, err := f.env.App.Engine.Sweep(ctx, 1000)
		must(t, err == nil, "sweep: %v", err)
		t.Logf("%s sweep: %d phases in %v", d.Dialect, fired, time.Since(s).Round(time.Millisecond))
	})
}

func mustQuery(q string) map[string][]string {
	out := map[string][]string{}
	for _, kv := range strings.Split(q, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = append(out[k], v)
		}
	}
	return out
}

// fillCases inserts n synthetic cases over the year before the clock, spread
// over the townships, channels, categories and states, with their clocks
// and one petitioner each; every 1000th has the phone 13900000777.
func fillCases(t *testing.T, f *fixture, n int) {
	ctx := context.Background()
	type o struct {
		id   int64
		path string
	}
	var towns []o
	rows, err := f.env.App.DB.Query(ctx, "SELECT id, path FROM orgs WHERE kind IN ('township', 'street', 'zone', 'village', 'community') ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var x o
		rows.Scan(&x.id, &x.path)
		towns = append(towns, x)
	}
	rows.Close()
	b := f.env.OrgID("SFQ-XFJ")
	var bpath string
	f.env.App.DB.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", b).Scan(&bpath)
	now := f.env.Clock.Now()
	states := []string{"closed", "closed", "closed", "concluded", "replied", "accepted", "accepted", "routed", "registered", "declined"}
	channels := []string{"visit", "letter", "online", "phone", "hotline", "fax", "transferred", "assigned"}
	cats := []string{"claim", "claim", "suggestion", "accusation"}
	subjects := []string{"labour", "land", "urban", "environment", "civil", "health"}
	phone := f.svc().Cipher.Index(petition.IndexPhone, "13900000777")
	other := f.svc().Cipher.Index(petition.IndexPhone, "13900000000")
	const batch = 500
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		err := f.env.App.DB.InTx(ctx, func(tx *db.Tx) error {
			var sb strings.Builder
			var args []any
			sb.WriteString(`INSERT INTO petitions (id, number, channel, received_at, registered_at, registered_day, category, subject, petitioner_count, head_count,
				collective, bureau_org_id, bureau_path, handling_org_id, handling_path, status, period, period_start, warn_at, due_at, key_case, created_at, updated_at) VALUES `)
			var pp strings.Builder
			var pargs []any
			pp.WriteString("INSERT INTO petition_people (petition_id, seq, name_sealed, phone_index) VALUES ")
			for i := lo; i < hi; i++ {
				id := int64(i + 1000)
				reg := now.Add(-time.Duration(i%365*24+i%24) * time.Hour)
				st := states[i%len(states)]
				tw := towns[i%len(towns)]
				var hOrg any
				hPath := ""
				if st != "registered" {
					hOrg, hPath = tw.id, tw.path
				}
				period := ""
				var ps, warn, due any
				switch st {
				case "registered":
					period = "route"
				case "routed":
					period = "accept"
				case "accepted":
					period = "handle"
				}
				if period != "" {
					days := 15
					if period == "handle" {
						days = 60
					}
					end := reg.AddDate(0, 0, days)
					ps, due, warn = reg, end, reg.Add(end.Sub(reg)*3/4)
				}
				if i > lo {
					sb.WriteString(", ")
					pp.WriteString(", ")
				}
				sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, id, fmt.Sprintf("SFQ-2026-%06d", i), channels[i%len(channels)], reg, reg, reg.Format("2006-01-02"), cats[i%len(cats)],
					subjects[i%len(subjects)], false, b, bpath, hOrg, hPath, st, period, ps, warn, due, i%97 == 0, reg, reg)
				pp.WriteString("(?, 1, 'v1:x:y', ?)")
				idx := other
				if i%1000 == 777 {
					idx = phone
				}
				pargs = append(pargs, id, idx)
			}
			if _, err := tx.Exec(ctx, sb.String(), args...); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, pp.String(), pargs...); err != nil {
				return err
			}
			// The clock engine holds what the open cases scheduled: their
			// next times spread over the coming 60 days.
			var ob strings.Builder
			var oargs []any
			for i := lo; i < hi; i++ {
				if states[i%len(states)] != "registered" && states[i%len(states)] != "routed" && states[i%len(states)] != "accepted" {
					continue
				}
				if len(oargs) > 0 {
					ob.WriteString(", ")
				}
				next := now.Add(time.Duration(int64(i)*7919%(60*86400)) * time.Second)
				ob.WriteString("('petition.due', ?, ?, ?, 'open', ?, ?, ?)")
				oargs = append(oargs, fmt.Sprintf("%d/0", i+1000), next, fmt.Sprintf(`{"id":%d,"seq":0,"period":"x"}`, i+1000), next, now, now)
			}
			if len(oargs) == 0 {
				return nil
			}
			_, err := tx.Exec(ctx, "INSERT INTO obligations (kind, key, due_at, payload, state, next_at, created_at, updated_at) VALUES "+ob.String(), oargs...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
