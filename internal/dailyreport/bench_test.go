package dailyreport_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app"
	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/dailyreport"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/deadline"
)

// ---- the burst path writes what the one-by-one path writes ----

// burstSub is one submission of the scenario.
type burstSub struct {
	login string // "" for the unit's check-in address
	code  string // the unit's org code
	date  string // "" for today
	items bool
}

// outcome is what a submission answered, without its id and receipt.
type outcome struct {
	Status  string
	Version int
	Late    bool
	Err     string
}

// burstRounds are submitted round by round; within a round all at once.
// The clock moves to 17:01 (after the township deadline) before the last round.
// Every refusal but the future date is found inside the write, for the
// whole group at once: unknown check-in addresses, another township's
// unit, a unit that does not report.
func burstRounds(townships []string, dept string) [][]burstSub {
	t := townships
	return [][]burstSub{
		{ // before the deadline: pings, own reports, on behalf with items, a past day, a weekend day
			{"", t[0], "", false}, {"", t[1], "", false}, {"", t[2], "", false}, {"", t[3], "", false},
			{"qingshan", "SFQ-QS", "", false},
			{"yjj", t[4], "", true}, {"yjj", t[5], "", false},
			{"yjj", t[6], "2026-11-26", false}, // yesterday, after its deadline: late
			{"yjj", t[7], "2026-11-22", true},  // a Sunday: not a reporting day
			{"yjj", t[8], "2026-12-01", false}, // the future: refused before any write
			{"admin", t[9], "", false},         // may not report: refused, the refusal audited
			{"", "gone", "", false},            // an unknown check-in address
			{"qingshan", t[5], "", false},      // another township's unit: 404, audited
			{"yjj", dept, "", false},           // a department that does not report
		},
		{ // one unit twice in one group commit: versions 2 and 3, in the order they came
			{"", t[1], "", false}, {"", t[1], "", false}, {"yjj", t[2], "", true},
		},
		{ // after the deadline (classified): a silent unit reports late, an on-time one corrects
			{"", t[10], "", false}, {"yjj", t[9], "", true}, {"", t[0], "", true}, {"yjj", t[3], "", false},
		},
	}
}

// snapshot is every row the scenario wrote, without ids, receipts and order.
type snapshot struct {
	outcomes [][]string // per round, sorted
	tables   map[string][]string
}

func runBurst(t *testing.T, d *db.DB, together bool) (snapshot, int64) {
	env := apptest.Start(t, d)
	ctx := context.Background()
	a := env.App
	var townships []string
	rows, err := a.DB.Query(ctx, "SELECT code FROM orgs WHERE kind IN ('township', 'street', 'zone') AND code <> 'SFQ-QS' ORDER BY code")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		townships = append(townships, c)
	}
	rows.Close()
	var dept string
	if err := a.DB.QueryRow(ctx, "SELECT code FROM orgs WHERE kind = 'department' AND code IS NOT NULL ORDER BY code LIMIT 1").Scan(&dept); err != nil {
		t.Fatal(err)
	}
	if len(townships) < 11 {
		t.Fatalf("the demo district has %d other townships, want at least 11", len(townships))
	}
	actor := func(login string) *auth.Actor {
		ac, err := a.Auth.LoadActor(ctx, env.UserID(login), "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		return ac
	}
	tokens := map[string]string{"gone": strings.Repeat("y", 40)}
	for _, c := range townships {
		tok, err := a.DailyReport.RotatePingToken(ctx, actor("yjj"), env.OrgID(c))
		if err != nil {
			t.Fatal(err)
		}
		tokens[c] = tok
	}
	input := func(s burstSub) dailyreport.Input {
		in := dailyreport.NothingToReport(env.OrgID(s.code))
		in.Date = s.date
		if s.items {
			in.Safety = &dailyreport.Half{Items: []dailyreport.Item{
				{Category: "安全隐患", Summary: "加油站后墙消防通道堆放杂物，已要求当日清理", Place: "镇东加油站", Severity: "serious", FollowUp: true},
				{Category: "道路交通", Summary: "村道急弯处护栏缺失"}}}
		}
		return in
	}
	submit := func(s burstSub) outcome {
		var rec *dailyreport.Receipt
		var err error
		if s.login == "" {
			if s.items {
				// A check-in address only says nothing to report: the unit's own staff files the items.
				rec, err = a.DailyReport.Submit(ctx, nil, "ping", input(s))
			} else {
				rec, err = a.DailyReport.Ping(ctx, tokens[s.code])
			}
		} else {
			rec, err = a.DailyReport.Submit(ctx, actor(s.login), "api", input(s))
		}
		if err != nil {
			return outcome{Err: err.Error()}
		}
		return outcome{Status: rec.Status, Version: rec.Version, Late: rec.Late}
	}
	// The first submission prepares the statements on the write connection,
	// which the rounds below hold: an unknown check-in address does it first.
	if _, err := a.DailyReport.Ping(ctx, strings.Repeat("x", 40)); err == nil {
		t.Fatal("an unknown check-in address was accepted")
	}
	var snap snapshot
	for round, subs := range burstRounds(townships, dept) {
		if round == 2 {
			env.Clock.Set(time.Date(2026, 11, 27, 9, 1, 0, 0, time.UTC)) // 17:01 in Shanghai
			if err := a.Plan(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Engine.Sweep(ctx, 100); err != nil {
				t.Fatal(err)
			}
		}
		outs := make([]outcome, len(subs))
		if together {
			// Hold the writer so that the round queues up as one group commit.
			held, release := make(chan struct{}), make(chan struct{})
			go a.Batch.Do(ctx, func(*db.Tx) error { close(held); <-release; return nil })
			<-held
			var wg sync.WaitGroup
			for i, s := range subs {
				wg.Add(1)
				go func() { defer wg.Done(); outs[i] = submit(s) }()
			}
			writes := 0
			for _, s := range subs {
				if s.date != "2026-12-01" {
					writes++
				}
			}
			for i := 0; a.Batch.Queued() < writes; i++ {
				if i > 5000 {
					t.Fatalf("round %d: %d writes queued, want %d", round, a.Batch.Queued(), writes)
				}
				time.Sleep(time.Millisecond)
			}
			close(release)
			wg.Wait()
		} else {
			for i, s := range subs {
				outs[i] = submit(s)
			}
		}
		var lines []string
		for i, o := range outs {
			lines = append(lines, fmt.Sprintf("%s %s %s: %+v", subs[i].login, subs[i].code, subs[i].date, o))
		}
		sort.Strings(lines)
		snap.outcomes = append(snap.outcomes, lines)
	}
	snap.tables = map[string][]string{}
	for name, q := range map[string]string{
		"daily_reports": `SELECT o.code, r.day, r.version, r.submitted_at, COALESCE(r.user_id, 0), r.channel, r.on_behalf, r.safety_nothing, r.stability_nothing, r.late, r.corrected_late
			FROM daily_reports r JOIN orgs o ON o.id = r.org_id`,
		"report_days": `SELECT o.code, d.day, d.tier, d.status, d.deadline_at, COALESCE(d.first_at, d.deadline_at), d.minutes_late, d.versions
			FROM report_days d JOIN orgs o ON o.id = d.org_id`,
		"daily_report_items": `SELECT o.code, r.day, r.version, i.half, i.category, i.summary, i.place, i.severity, i.follow_up
			FROM daily_report_items i JOIN daily_reports r ON r.id = i.report_id JOIN orgs o ON o.id = r.org_id`,
		"audit_log": `SELECT l.action, l.user_login, COALESCE(o.code, ''), l.object_type, l.after_digest, l.result, l.detail, l.at
			FROM audit_log l LEFT JOIN orgs o ON o.id = l.org_id WHERE l.action LIKE 'dailyreport.%'`,
	} {
		rows, err := a.DB.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, v := range vals {
				if tm, ok := v.(time.Time); ok {
					v = tm.UTC().Format(time.RFC3339Nano)
				}
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts = append(parts, fmt.Sprint(v))
			}
			snap.tables[name] = append(snap.tables[name], strings.Join(parts, " | "))
		}
		rows.Close()
		sort.Strings(snap.tables[name])
	}
	res, err := audit.Verify(ctx, a.DB)
	if err != nil || res.FirstBad != 0 {
		t.Fatalf("audit chain: %+v %v", res, err)
	}
	return snap, a.Batch.Grouped()
}

// Submissions that arrive together are written by insertMany's multi-row
// statements; they must leave exactly the rows, answers and audit records
// that the same submissions leave one by one.
func TestBurstPathMatchesOneByOne(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		together, grouped := runBurst(t, d, true)
		var alone snapshot
		var groupedAlone int64
		t.Run("one by one", func(t *testing.T) {
			alone, groupedAlone = runBurst(t, dbtest.SQLite(t), false)
			if d.Dialect == db.Postgres {
				alone, groupedAlone = runBurst(t, dbtest.Postgres(t), false)
			}
		})
		if grouped < 8 || groupedAlone != 0 {
			t.Fatalf("%d writes went through a group together and %d one by one; want at least 8 and 0", grouped, groupedAlone)
		}
		for r := range together.outcomes {
			if strings.Join(together.outcomes[r], "\n") != strings.Join(alone.outcomes[r], "\n") {
				t.Errorf("round %d answers differ:\n together:\n  %s\n one by one:\n  %s", r,
					strings.Join(together.outcomes[r], "\n  "), strings.Join(alone.outcomes[r], "\n  "))
			}
		}
		for name, rows := range alone.tables {
			if len(rows) == 0 {
				t.Errorf("%s: the scenario wrote no rows", name)
			}
			if strings.Join(together.tables[name], "\n") != strings.Join(rows, "\n") {
				t.Errorf("%s differs:\n together:\n  %s\n one by one:\n  %s", name,
					strings.Join(together.tables[name], "\n  "), strings.Join(rows, "\n  "))
			}
		}
		// A few facts the rows must show either way.
		all := strings.Join(alone.outcomes[0], "\n") + strings.Join(alone.outcomes[1], "\n") + strings.Join(alone.outcomes[2], "\n")
		for _, want := range []string{"Status:on_time Version:1", "2026-11-26: {Status:late Version:1 Late:true", "2026-11-22: {Status:not_required",
			"2026-12-01: {Status: Version:0 Late:false Err:", "Version:2", "Status:late Version:1 Late:true Err:}",
			" gone : {Status: Version:0 Late:false Err:", "is not a reporting unit"} {
			if !strings.Contains(all, want) {
				t.Errorf("no answer %q in\n%s", want, all)
			}
		}
		denied := 0
		for _, row := range together.tables["audit_log"] {
			if strings.Contains(row, "| denied |") {
				denied++
			}
		}
		if denied != 2 {
			t.Errorf("%d refusals in the trail, want 2 (admin, and qingshan for another township)", denied)
		}
	})
}

// ---- classification at the deadline ----

// classifyEnv is a district with n reporting units of tier on a fresh database.
type classifyEnv struct {
	a     *app.App
	clk   *clock.Manual
	tier  string
	n     int
	round int
}

func newClassifyEnv(b *testing.B, d *db.DB, tier string, n int, people bool) *classifyEnv {
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 11, 27, 9, 1, 0, 0, time.UTC))
	a, err := app.Wire(ctx, app.Config{Auth: auth.DefaultConfig()}, d, clk, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Batch.Close() })
	now := clk.Now()
	err = d.InTx(ctx, func(tx *db.Tx) error {
		var district int64
		if err := tx.QueryRow(ctx, `INSERT INTO orgs (parent_id, name, kind, code, path, depth, sort, created_at, updated_at)
			VALUES (NULL, '基准区', 'district', 'B', 'tmp', 0, 0, ?, ?) RETURNING id`, now, now).Scan(&district); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE orgs SET path = '/' || CAST(id AS TEXT) || '/' WHERE id = ?", district); err != nil {
			return err
		}
		// The township tier: n townships. The village tier: 100 townships
		// and n villages marked as reporting units.
		parents, kind := []int64{district}, "township"
		if tier == dailyreport.TierVillage {
			parents, kind = nil, "village"
			for i := 0; i < 100; i++ {
				var id int64
				if err := tx.QueryRow(ctx, `INSERT INTO orgs (parent_id, name, kind, code, path, depth, sort, created_at, updated_at)
					VALUES (?, ?, 'township', ?, ?, 1, ?, ?, ?) RETURNING id`, district, fmt.Sprintf("镇%03d", i), fmt.Sprintf("B-%03d", i),
					fmt.Sprintf("tmp-t%d", i), i, now, now).Scan(&id); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "UPDATE orgs SET path = (SELECT path FROM orgs WHERE id = ?) || CAST(id AS TEXT) || '/' WHERE id = ?", district, id); err != nil {
					return err
				}
				parents = append(parents, id)
			}
		}
		const chunk = 500
		for lo := 0; lo < n; lo += chunk {
			var q strings.Builder
			q.WriteString("INSERT INTO orgs (parent_id, name, kind, path, depth, sort, created_at, updated_at) VALUES ")
			var args []any
			for i := lo; i < min(lo+chunk, n); i++ {
				if i > lo {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?, 2, ?, ?, ?)")
				args = append(args, parents[i%len(parents)], fmt.Sprintf("单位%06d", i), kind, fmt.Sprintf("tmp-%d", i), i, now, now)
			}
			if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE orgs SET path = (SELECT p.path FROM orgs p WHERE p.id = orgs.parent_id) || CAST(id AS TEXT) || '/'
			WHERE path LIKE 'tmp-%'`); err != nil {
			return err
		}
		if people {
			// Each unit's leader gets an inbox item; every tenth unit has a
			// group robot that gets a delivery.
			// PostgreSQL cannot type a bare parameter in a SELECT list.
			ts := "?"
			if tx.D() == db.Postgres {
				ts = "CAST(? AS TIMESTAMPTZ)"
			}
			if _, err := tx.Exec(ctx, `INSERT INTO users (login, name, org_id, password_hash, created_at, updated_at)
				SELECT 'b' || CAST(id AS TEXT), '负责人', id, 'x', `+ts+`, `+ts+` FROM orgs WHERE kind = ?`, now, now, kind); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role, scope_org_id) SELECT id, 'leader', org_id FROM users WHERE login LIKE 'b%'`); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO notify_channels (owner_kind, owner_id, kind, name, target, created_at, updated_at)
				SELECT 'org', id, 'wecom', '值班群', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send#bench', `+ts+`, `+ts+` FROM orgs WHERE kind = ? AND id % 10 = 3`, now, now, kind); err != nil {
				return err
			}
		}
		if tier == dailyreport.TierVillage {
			if _, err := tx.Exec(ctx, `INSERT INTO report_units (org_id, reports, tier, updated_at)
				SELECT id, TRUE, 'village', ? FROM orgs WHERE kind = 'village'`, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return &classifyEnv{a: a, clk: clk, tier: tier, n: n}
}

// next prepares one more reporting day: 10% of the units have reported,
// and the day's deadline obligation is due. It returns the day.
func (e *classifyEnv) next(b *testing.B) string {
	ctx := context.Background()
	e.round++
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -e.round).Format("2006-01-02")
	now := e.clk.Now()
	due := now.Add(-time.Minute)
	err := e.a.DB.InTx(ctx, func(tx *db.Tx) error {
		q := `INSERT INTO report_days (org_id, day, tier, status, deadline_at, first_at, minutes_late, versions, classified_at)
			SELECT id, ?, ?, 'on_time', ?, ?, 0, 1, ? FROM orgs WHERE kind = ? AND id % 10 = 0`
		kind := "township"
		if e.tier == dailyreport.TierVillage {
			kind = "village"
		}
		if _, err := tx.Exec(ctx, q, day, e.tier, due, now, now, kind); err != nil {
			return err
		}
		return deadline.Schedule(ctx, tx, now, dailyreport.KindDeadline, e.tier+"/"+day, due, nil,
			map[string]any{"tier": e.tier, "date": day, "deadline": due})
	})
	if err != nil {
		b.Fatal(err)
	}
	return day
}

func (e *classifyEnv) check(b *testing.B, day string) {
	var missing, reported int
	if err := e.a.DB.QueryRow(context.Background(), "SELECT count(*) FROM report_days WHERE day = ? AND status = 'missing'", day).Scan(&missing); err != nil {
		b.Fatal(err)
	}
	e.a.DB.QueryRow(context.Background(), "SELECT count(*) FROM report_days WHERE day = ? AND status = 'on_time'", day).Scan(&reported)
	if missing+reported != e.n || missing < e.n*85/100 {
		b.Fatalf("%s: %d missing and %d on time of %d units", day, missing, reported, e.n)
	}
}

// BenchmarkClassify times the deadline of one tier's reporting day with
// 100,000 units of which 10% reported: the clock engine fires the
// obligation and the handler classifies the rest as missing in one
// statement. "classify" is that statement with the audit record; "notify"
// adds the messages to desks and to each silent unit: every unit has a
// leader (an inbox item each) and every tenth unit a group robot (a
// delivery each).
//
//	go test ./internal/dailyreport -run XXX -bench Classify -benchtime 3x
func BenchmarkClassify(b *testing.B) {
	const units = 100000
	for _, dialect := range []string{"sqlite", "postgres"} {
		for _, tier := range []string{dailyreport.TierTownship, dailyreport.TierVillage} {
			for _, mode := range []string{"classify", "notify"} {
				if mode == "notify" && tier == dailyreport.TierVillage {
					continue
				}
				b.Run(fmt.Sprintf("%s/%s/%s", dialect, tier, mode), func(b *testing.B) {
					var d *db.DB
					if dialect == "sqlite" {
						d = dbtest.SQLite(b)
					} else {
						d = dbtest.Postgres(b)
					}
					e := newClassifyEnv(b, d, tier, units, mode == "notify")
					if mode == "classify" {
						e.a.DailyReport.Notifier = nil
					}
					ctx := context.Background()
					for b.Loop() {
						b.StopTimer()
						day := e.next(b)
						b.StartTimer()
						n, err := e.a.Engine.Sweep(ctx, 100)
						b.StopTimer()
						if err != nil || n < 1 {
							b.Fatalf("sweep: %d fired, %v", n, err)
						}
						e.check(b, day)
						b.StartTimer()
					}
				})
			}
		}
	}
}
