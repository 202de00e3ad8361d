package hazard

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbbench"
	"github.com/anwen-gov/anwen/internal/org"
)

// BenchmarkLedger builds a district with 20,000 enterprises and 1,000,000
// hazards over three years (HAZARD_BENCH_N changes the count) on each
// database, and measures the first page of the ledger for a set of filter
// combinations (p50 and p95 of 40 runs each, the count included), the
// district's statistics, and the memory an export of 100,000 rows takes.
//
//	go test -run '^$' -bench BenchmarkLedger -benchtime 1x -timeout 60m ./internal/hazard/
//
// HAZARD_BENCH_SQLITE=/path/file.db and HAZARD_BENCH_PG=postgres://… keep
// the built databases for later runs.
func BenchmarkLedger(b *testing.B) {
	n := dbbench.EnvInt("HAZARD_BENCH_N", 1000000)
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			d := dbbench.Open(b, dialect, "HAZARD_BENCH_SQLITE", "HAZARD_BENCH_PG")
			benchLedger(b, d, n)
		})
	}
}

// benchWorld is what the benchmark built.
type benchWorld struct {
	svc        *Service
	district   *auth.Actor
	township   *auth.Actor
	townshipID int64
	villageID  int64
	enterprise int64
}

func benchLedger(b *testing.B, d *db.DB, n int) {
	ctx := context.Background()
	start := time.Now()
	w := buildBench(b, d, n)
	b.Logf("%s: built %d hazards in %s", d.Dialect, n, time.Since(start).Round(time.Second))
	svc := w.svc
	type combo struct {
		name string
		a    *auth.Actor
		f    Filter
	}
	month := calendar.DateOf(svc.Clock.Now()).AddDays(-30).String()
	combos := []combo{
		{"no filter", w.district, Filter{}},
		{"status=open", w.district, Filter{Status: StatusOpen}},
		{"overdue", w.district, Filter{Overdue: true}},
		{"grade=major", w.district, Filter{Grade: Major}},
		{"category=fire", w.district, Filter{Category: "fire"}},
		{"org=township", w.district, Filter{OrgID: w.townshipID}},
		{"org=village", w.district, Filter{OrgID: w.villageID}},
		{"org=township+status+category", w.district, Filter{OrgID: w.townshipID, Status: Rectifying, Category: "electrical"}},
		{"enterprise", w.district, Filter{EnterpriseID: w.enterprise}},
		{"industry+status=closed", w.district, Filter{Industry: "危险化学品", Status: Closed}},
		{"found last 30 days", w.district, Filter{From: month}},
		{"major+overdue", w.district, Filter{Grade: Major, Overdue: true}},
		{"sort=deadline+open", w.district, Filter{Status: StatusOpen, Sort: SortDeadline}},
		{"q 3 chars", w.district, Filter{Q: "配电箱"}},
		{"q 2 chars", w.district, Filter{Q: "漏电"}},
		{"q rare", w.district, Filter{Q: "企业 1234 号"}},
		{"q+org=township", w.district, Filter{Q: "灭火器", OrgID: w.townshipID}},
		{"township staff, no filter", w.township, Filter{}},
		{"township staff, overdue", w.township, Filter{Overdue: true}},
	}
	var lines []string
	worst := time.Duration(0)
	for _, c := range combos {
		var ds []time.Duration
		var total int
		for i := 0; i < 45; i++ {
			t0 := time.Now()
			p, err := svc.List(ctx, c.a, c.f)
			if err != nil {
				b.Fatalf("%s: %v", c.name, err)
			}
			if i >= 5 { // warm-up
				ds = append(ds, time.Since(t0))
			}
			total = -1
			if p.Total != nil {
				total = *p.Total
			}
		}
		p50, p95 := dbbench.Pct(ds, 50), dbbench.Pct(ds, 95)
		worst = max(worst, p95)
		lines = append(lines, fmt.Sprintf("  %-32s total %-6d p50 %7.2f ms  p95 %7.2f ms", c.name, total, dbbench.MS(p50), dbbench.MS(p95)))
	}
	var sds []time.Duration
	for i := 0; i < 25; i++ {
		t0 := time.Now()
		if _, err := svc.Stats(ctx, w.district, StatsFilter{}); err != nil {
			b.Fatal(err)
		}
		if i >= 5 {
			sds = append(sds, time.Since(t0))
		}
	}
	var yds []time.Duration
	for i := 0; i < 15; i++ {
		t0 := time.Now()
		if _, err := svc.Stats(ctx, w.district, StatsFilter{From: "2024-01-01"}); err != nil {
			b.Fatal(err)
		}
		if i >= 5 {
			yds = append(yds, time.Since(t0))
		}
	}
	// Export 100,000 rows: the largest live heap seen while it runs, above the heap before.
	exportFrom := calendar.DateOf(svc.Clock.Now()).AddDays(-int(100000 * 1095 / int64(n))).String()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := before.HeapInuse
	stop := make(chan struct{})
	var mu sync.Mutex
	go func() {
		var m runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				mu.Lock()
				peak = max(peak, m.HeapInuse)
				mu.Unlock()
			}
		}
	}()
	t0 := time.Now()
	rows, err := svc.Export(ctx, w.district, Filter{From: exportFrom}, io.Discard)
	close(stop)
	if err != nil {
		b.Fatal(err)
	}
	mu.Lock()
	growth := float64(peak-before.HeapInuse) / (1 << 20)
	mu.Unlock()
	fmt.Fprintf(os.Stdout, "%s, %d hazards, first page of the ledger (count included), 40 runs each:\n%s\n  statistics, district, this year:      p50 %7.2f ms  p95 %7.2f ms\n  statistics, district, since 2024:     p50 %7.2f ms  p95 %7.2f ms\n  export %d rows: %s, heap growth %.1f MB\n",
		d.Dialect, n, strings.Join(lines, "\n"), dbbench.MS(dbbench.Pct(sds, 50)), dbbench.MS(dbbench.Pct(sds, 95)), dbbench.MS(dbbench.Pct(yds, 50)), dbbench.MS(dbbench.Pct(yds, 95)), rows, time.Since(t0).Round(time.Millisecond), growth)
	fmt.Fprintln(os.Stdout)
	b.ReportMetric(dbbench.MS(worst), "worst-p95-ms")
	b.ReportMetric(dbbench.MS(dbbench.Pct(sds, 95)), "stats-p95-ms")
	b.ReportMetric(growth, "export-MB")
}

// benchPhrases make descriptions; each hazard takes one of each list.
var (
	benchWhat = []string{"配电箱线路老化", "灭火器过期未检", "消防通道堵塞", "燃气软管开裂", "叉车未定期检验", "危化品混放", "有限空间无警示标志",
		"除尘器无泄爆装置", "脚手架连墙件缺失", "安全出口锁闭", "应急照明损坏", "电动车室内充电", "液化气钢瓶间距不足", "塔吊限位失效", "漏电保护器失灵"}
	benchWhere   = []string{"一号车间", "仓库", "后厨", "配电房", "宿舍楼", "办公楼", "储罐区", "装卸区", "地下室", "屋顶"}
	benchSuffix  = []string{"，存在火灾风险", "，需限期整改", "，已责令整改", "，存在触电风险", "，隐患较大"}
	benchCats    = []string{"fire", "electrical", "special_equipment", "hazchem", "confined_space", "dust", "construction", "gas", "traffic", "other"}
	benchIndusty = []string{"机械制造", "危险化学品", "餐饮", "商贸", "建筑施工", "纺织", "食品加工", "物流仓储"}
	benchEntName = []string{"示范", "安达", "恒通", "华源", "金鼎", "瑞丰", "宏图", "兴业"}
)

// buildBench makes the district, the enterprises and the hazards.
func buildBench(b *testing.B, d *db.DB, n int) *benchWorld {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	clk := clock.NewManual(now)
	var have int
	d.QueryRow(ctx, "SELECT count(*) FROM hazards").Scan(&have)
	if have == n {
		return benchReuse(b, d, clk, n)
	}
	var territories []*org.Org
	var root *org.Org
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if root, err = org.CreateTx(ctx, tx, now, nil, org.Input{Name: "基准区", Kind: org.District, Code: "B"}); err != nil {
			return err
		}
		for t := 0; t < 12; t++ {
			town, err := org.CreateTx(ctx, tx, now, root, org.Input{Name: fmt.Sprintf("第%d镇", t+1), Kind: org.Township, Code: fmt.Sprintf("B-%02d", t)})
			if err != nil {
				return err
			}
			territories = append(territories, town)
			for v := 0; v < 8; v++ {
				vil, err := org.CreateTx(ctx, tx, now, town, org.Input{Name: fmt.Sprintf("第%d镇%d村", t+1, v+1), Kind: org.Village, Code: fmt.Sprintf("B-%02d-%02d", t, v)})
				if err != nil {
					return err
				}
				territories = append(territories, vil)
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO users (login, name, org_id, password_hash, created_at, updated_at) VALUES ('bench', '基准', ?, 'x', ?, ?)`, root.ID, now, now)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	// 20,000 enterprises over the territories.
	const enterprises = 20000
	type ent struct {
		id, territory int64
		name, path    string
		industry      string
	}
	ents := make([]ent, enterprises)
	err = d.InTx(ctx, func(tx *db.Tx) error {
		for i := 0; i < enterprises; i += 500 {
			var vals []string
			var args []any
			for j := i; j < i+500 && j < enterprises; j++ {
				t := territories[j%len(territories)]
				e := ent{id: int64(j + 1), territory: t.ID, name: fmt.Sprintf("%s%d号企业", benchEntName[j%len(benchEntName)], j+1), path: auth.EnterpriseScope(t.Path, int64(j+1)),
					industry: benchIndusty[(j/3)%len(benchIndusty)]}
				ents[j] = e
				vals = append(vals, "(?, ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, e.id, e.name, e.territory, e.industry, []string{"low", "general", "large", "major"}[j%4], "地址", now, now)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO enterprises (id, name, territory_org_id, industry, risk_level, address, created_at, updated_at) VALUES "+strings.Join(vals, ", "), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// The hazards, 500 to a statement, oldest first over three years; the
	// indexes (as the migration made them) are dropped for the load and
	// made again after it, as one would load a million rows.
	indexes := dropIndexes(b, d)
	span := 3 * 365 * 24 * time.Hour
	first := now.Add(-span)
	recent := n * 60 / 1095 // the last 60 days hold the open mix
	cols := []string{"number", "source", "enterprise_id", "enterprise_name", "territory_org_id", "path", "supervising_org_id", "industry", "risk_level",
		"location", "description", "category", "grade", "standard_id", "found_at", "found_day", "finder_name", "responsible_unit", "responsible_person",
		"deadline", "status", "rectified_at", "rectified_day", "closed_at", "closed_day", "closed_by_name", "search_text", "created_at", "updated_at"}
	if d.Dialect == db.Postgres {
		cols = append(cols, "search_grams")
	}
	row := "(" + placeholders(len(cols)) + ")"
	const chunk = 500
	counters := map[int]int{}
	load := time.Now()
	for i := 0; i < n; i += chunk * 20 {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for c := i; c < i+chunk*20 && c < n; c += chunk {
				var vals []string
				args := make([]any, 0, chunk*len(cols))
				for k := c; k < c+chunk && k < n; k++ {
					e := ents[(k*7919)%enterprises]
					found := first.Add(time.Duration(int64(span) / int64(n) * int64(k))).Add(time.Duration(k%3600) * time.Second).Truncate(time.Second)
					day := calendar.DateOf(found)
					year := day.Year
					counters[year]++
					number := fmt.Sprintf("YH-%04d-%06d", year, counters[year])
					status := Closed
					m := k % 100
					if n-k <= recent {
						switch {
						case m < 55:
						case m < 58:
							status = Cancelled
						case m < 72:
							status = Registered
						case m < 90:
							status = Rectifying
						default:
							status = AwaitingAcceptance
						}
					} else {
						switch {
						case m < 97:
						case m < 98:
							status = Cancelled
						default:
							status = Rectifying // old and open: overdue
						}
					}
					deadline := day.AddDays(7 + k%30)
					grade, std := General, any(nil)
					if k%200 == 0 {
						grade, std = Major, int64(1+k%10)
					}
					var rectAt, rectDay, closedAt, closedDay any
					closedBy := ""
					if status == Closed || status == AwaitingAcceptance {
						rd := day.AddDays(k % 20)
						rectAt, rectDay = rd.Time().Add(15*time.Hour).UTC(), rd.String()
						if status == Closed {
							closedAt, closedDay, closedBy = rd.AddDays(1).Time().Add(10*time.Hour).UTC(), rd.AddDays(1).String(), "验收人"
						}
					}
					desc := benchWhat[(k*31)%len(benchWhat)] + benchSuffix[k%len(benchSuffix)]
					loc := benchWhere[(k/7)%len(benchWhere)]
					text := searchText(number, e.name, loc, desc, e.name, "责任人")
					vals = append(vals, row)
					args = append(args, number, SourceInspection, e.id, e.name, e.territory, e.path, e.territory, e.industry, "general",
						loc, desc, benchCats[(k/11)%len(benchCats)], grade, std, found, day.String(), "检查员", e.name, "责任人",
						deadline.String(), status, rectAt, rectDay, closedAt, closedDay, closedBy, text, found, found)
					if d.Dialect == db.Postgres {
						args = append(args, searchGrams(text))
					}
				}
				if _, err := tx.Exec(ctx, "INSERT INTO hazards ("+strings.Join(cols, ", ")+") VALUES "+strings.Join(vals, ", "), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: inserted %d hazards in %s", d.Dialect, n, time.Since(load).Round(time.Second))
	dbbench.Recreate(b, d, indexes)
	// The tally, as the service keeps it, in one statement.
	if _, err := d.Exec(ctx, `INSERT INTO hazard_tally (org_id, day, found, found_closed, closed, closed_on_time)
		SELECT org_id, day, SUM(found), SUM(found_closed), SUM(closed), SUM(on_time) FROM (
			SELECT territory_org_id AS org_id, found_day AS day, 1 AS found, CASE WHEN status = 'closed' THEN 1 ELSE 0 END AS found_closed, 0 AS closed, 0 AS on_time
			FROM hazards WHERE status <> 'cancelled'
			UNION ALL
			SELECT territory_org_id, closed_day, 0, 0, 1, CASE WHEN rectified_day <= deadline THEN 1 ELSE 0 END FROM hazards WHERE status = 'closed'
		) x GROUP BY org_id, day`); err != nil {
		b.Fatal(err)
	}
	if _, err := d.Exec(ctx, `INSERT INTO hazard_tally_month (org_id, month, found, found_closed, closed, closed_on_time)
		SELECT org_id, substr(day, 1, 7), SUM(found), SUM(found_closed), SUM(closed), SUM(closed_on_time) FROM hazard_tally GROUP BY org_id, substr(day, 1, 7)`); err != nil {
		b.Fatal(err)
	}
	if _, err := d.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	if d.Dialect == db.Postgres {
		if _, err := d.Exec(ctx, "VACUUM ANALYZE hazards"); err != nil {
			b.Fatal(err)
		}
	}
	return benchReuse(b, d, clk, n)
}

// benchReuse finds what buildBench made.
func benchReuse(b *testing.B, d *db.DB, clk clock.Clock, n int) *benchWorld {
	ctx := context.Background()
	w := &benchWorld{}
	root, err := org.Root(ctx, d)
	if err != nil || root == nil {
		b.Fatalf("no district: %v", err)
	}
	var territories []*org.Org
	for _, code := range []string{"B-00", "B-00-00"} {
		var id int64
		if err := d.QueryRow(ctx, "SELECT id FROM orgs WHERE code = ?", code).Scan(&id); err != nil {
			b.Fatal(err)
		}
		o, err := org.ByID(ctx, d, id)
		if err != nil {
			b.Fatal(err)
		}
		territories = append(territories, o)
	}
	w.svc = &Service{DB: d, Auth: &auth.Service{DB: d, Clock: clk}, Clock: clk}
	w.district = &auth.Actor{UserID: 1, Login: "bench", Name: "基准", OrgID: root.ID, Grants: []auth.Grant{{Role: auth.RoleStaff, ScopeOrgID: root.ID, ScopePath: root.Path}}}
	town := territories[0]
	w.township = &auth.Actor{UserID: 1, Login: "bench", Name: "基准", OrgID: town.ID, Grants: []auth.Grant{{Role: auth.RoleStaff, ScopeOrgID: town.ID, ScopePath: town.Path}}}
	w.townshipID, w.villageID, w.enterprise = town.ID, territories[1].ID, 4243
	return w
}

// dropIndexes drops the hazards' secondary indexes and the search
// trigger, and returns the statements that make them again.
func dropIndexes(b *testing.B, d *db.DB) []string {
	ctx := context.Background()
	var q string
	if d.Dialect == db.Postgres {
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'hazards' AND indexname LIKE 'hazards\_%' AND indexname NOT IN ('hazards_pkey', 'hazards_number_key')`
	} else {
		q = `SELECT name, sql FROM sqlite_master WHERE tbl_name = 'hazards' AND type IN ('index', 'trigger') AND name LIKE 'hazards%' AND sql IS NOT NULL AND name <> 'hazards_no_delete'`
	}
	rows, err := d.Query(ctx, q)
	if err != nil {
		b.Fatal(err)
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			b.Fatal(err)
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	for i, name := range names {
		kind := "INDEX"
		if strings.HasPrefix(strings.ToUpper(defs[i]), "CREATE TRIGGER") {
			kind = "TRIGGER"
		}
		if _, err := d.Exec(ctx, "DROP "+kind+" "+name); err != nil {
			b.Fatal(err)
		}
	}
	if d.Dialect == db.SQLite {
		defs = append(defs, "INSERT INTO hazards_fts (hazards_fts) VALUES ('rebuild')")
	}
	return defs
}
