package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/anwen-gov/anwen/internal/app"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/benchload"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/dailyreport"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/people"
	"github.com/anwen-gov/anwen/internal/web"
)

const benchUsage = `Usage:
  anwen bench daily-report [--units 20000] [--clients 256] [--duration 0] [--db DSN] [--data DIR] [--baseline=true]

The deadline burst of the daily zero report: N fictional townships, each with
its own check-in token, all report once through the real HTTP server (half by
POST /ping/{token}, half by POST /api/v1/daily-reports as a district staff
member), C clients at a time; then the same load against a bare net/http
handler in the same process. The database is a throwaway: a temporary SQLite
by default, or a new database created on the PostgreSQL server of --db (an
existing one is used only if it is empty). It never runs against an install.
`

// benchClock is the wall clock moved to half an hour before the reporting
// day's deadline, so that every run measures the same situation: the burst
// before the deadline of a working day.
type benchClock struct{ off atomic.Int64 }

func (c *benchClock) Now() time.Time {
	return time.Now().Add(time.Duration(c.off.Load())).UTC().Truncate(time.Microsecond)
}

// secondsFlag takes "30", "30s" or "1m".
type secondsFlag struct{ d *time.Duration }

func (f secondsFlag) String() string {
	if f.d == nil {
		return "0"
	}
	return f.d.String()
}

func (f secondsFlag) Set(v string) error {
	if n, err := strconv.Atoi(v); err == nil {
		*f.d = time.Duration(n) * time.Second
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("want seconds or a duration such as 30s")
	}
	*f.d = d
	return nil
}

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	what, rest := sub(args)
	switch what {
	case "daily-report":
		return benchDailyReport(ctx, rest, stdout, stderr)
	case "", "-h", "--help", "help":
		fmt.Fprint(stdout, benchUsage)
		return nil
	default:
		fmt.Fprint(stderr, benchUsage)
		return exitError{2, fmt.Sprintf("unknown benchmark %q", what)}
	}
}

type benchConfig struct {
	units, clients int
	duration       time.Duration
	dsn, data      string
	baseline       bool
	cpuProfile     string
	batch          int
	logLevel       string
}

func benchDailyReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("anwen bench daily-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c benchConfig
	// ANWEN_DB and ANWEN_DATA are deliberately not read: a benchmark must
	// never land on an install because of the environment.
	fs.IntVar(&c.units, "units", 20000, "reporting units, each reports once")
	fs.IntVar(&c.clients, "clients", 256, "concurrent clients")
	fs.Var(secondsFlag{&c.duration}, "duration", "0: every unit reports exactly once; N: keep reporting (corrections) for N seconds")
	fs.StringVar(&c.dsn, "db", "", "empty: a temporary SQLite; postgres://…: a new database is created on that server")
	fs.StringVar(&c.data, "data", "", "SQLite directory (default: a temporary one, removed afterwards); must not hold an install")
	fs.BoolVar(&c.baseline, "baseline", true, "also measure a bare net/http handler with the same load")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the Anwen run (server and clients) to this file")
	fs.IntVar(&c.batch, "batch", 0, "group commit size (0: what app.Wire sets)")
	fs.StringVar(&c.logLevel, "log-level", "error", "server log level")
	fs.Usage = func() { fmt.Fprint(stderr, benchUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return exitError{2, "unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}
	if c.units < 2 || c.clients < 1 {
		return exitError{2, "--units must be at least 2 and --clients at least 1"}
	}
	_, err := runDailyReportBench(ctx, c, stdout, stderr)
	return err
}

// benchOutcome is what the smoke test checks.
type benchOutcome struct {
	Anwen, Baseline       benchload.Result
	Reports, AuditRecords int
	ChainOK               bool
}

func runDailyReportBench(ctx context.Context, c benchConfig, stdout, stderr io.Writer) (*benchOutcome, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.logLevel)); err != nil {
		lvl = slog.LevelError
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))

	dsn, dataDir, dropDB, err := benchDatabase(ctx, c)
	if err != nil {
		return nil, err
	}
	defer dropDB()
	d, err := db.Open(ctx, dsn, dataDir)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	clk := &benchClock{}
	a, err := app.Wire(ctx, app.Config{DataDir: dataDir, DSN: dsn, Auth: auth.DefaultConfig()}, d, clk, log)
	if err != nil {
		d.Close()
		return nil, err
	}
	defer a.Close()
	if c.batch > 0 {
		a.Batch.Close()
		a.Batch = d.NewBatcher(c.batch)
		a.DailyReport.Batch = a.Batch
	}

	fmt.Fprintf(stdout, "anwen bench daily-report: %d units, %d clients, %s, GOMAXPROCS %d\n", c.units, c.clients, modeText(c.duration), runtime.GOMAXPROCS(0))
	fmt.Fprintf(stdout, "database: %s\n", d.Where)
	fmt.Fprintf(stdout, "durability: %s\n", durability(ctx, d))

	// The reporting day: the latest working day up to today, half an hour before its deadline.
	day, err := benchDay(ctx, a, clk)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "reporting day %s (a working day), server clock at %s Beijing time, deadline %s\n",
		day.Date, clk.Now().In(calendar.Location).Format("15:04"), day.Deadline.In(calendar.Location).Format("15:04"))

	t0 := time.Now()
	seed, err := seedBench(ctx, a, c.units)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	fmt.Fprintf(stdout, "prepared %d townships under one district, a check-in token each, and a district staff member with an API token in %.1fs\n",
		c.units, time.Since(t0).Seconds())
	if d.Dialect == db.SQLite {
		// On an install, the units and tokens were written long before the
		// deadline: they are in the database file, not in the write-ahead log.
		if _, err := d.Exec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return nil, err
		}
	}

	// The real server: the production handler and http.Server settings.
	sctx, stopServer := context.WithCancel(ctx)
	defer stopServer()
	ready := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- a.Web.Serve(sctx, "127.0.0.1:0", func(addr string) { ready <- addr }) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-served:
		return nil, fmt.Errorf("serve: %w", err)
	}
	base := "http://" + addr

	reqs := make([]benchload.Request, c.units)
	for i, u := range seed.units {
		if i%2 == 0 {
			reqs[i] = benchload.Request{Method: "POST", Path: "/ping/" + u.token, Kind: "ping"}
		} else {
			body, _ := json.Marshal(dailyreport.NothingToReport(u.id))
			reqs[i] = benchload.Request{Method: "POST", Path: "/api/v1/daily-reports", Body: body, Bearer: seed.apiToken, Kind: "api"}
		}
	}
	client := benchload.NewClient(c.clients)
	opts := benchload.Options{Clients: c.clients, Duration: c.duration, Expect: http.StatusCreated}
	// A server at a deadline has been up all day: its database pool is open.
	// The clients' connections are opened here too, for both servers alike.
	if err := benchload.Warm(ctx, client, base, "/readyz", c.clients); err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "warm-up: %d concurrent GET /readyz (opens the keep-alive connections and the database pool), not measured\n", c.clients)

	var prof *os.File
	if c.cpuProfile != "" {
		if prof, err = os.Create(c.cpuProfile); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(prof); err != nil {
			prof.Close()
			return nil, err
		}
	}
	out := &benchOutcome{}
	cpu0 := processCPU()
	out.Anwen = benchload.Run(ctx, client, base, reqs, opts)
	cpu := processCPU() - cpu0
	if prof != nil {
		pprof.StopCPUProfile()
		prof.Close()
	}
	client.CloseIdleConnections()
	r := out.Anwen
	fmt.Fprintf(stdout, "anwen:    %s\n", r.Summary())
	fmt.Fprintf(stdout, "          %s\n", cpuText(cpu, r))
	fmt.Fprintf(stdout, "          statuses %s", r.Statuses())
	if r.FirstErr != "" {
		fmt.Fprintf(stdout, " (first problem: %s)", r.FirstErr)
	}
	fmt.Fprintln(stdout)
	for _, k := range []string{"ping", "api"} {
		if kr, ok := r.ByKind[k]; ok {
			fmt.Fprintf(stdout, "          %-4s %6d: p50 %s, p99 %s, max %s\n", k, len(kr.Latencies),
				benchload.Round(kr.Percentile(50)), benchload.Round(kr.Percentile(99)), benchload.Round(kr.Max()))
		}
	}
	if batches, writes := a.Batch.Stats(); batches > 0 {
		fmt.Fprintf(stdout, "          group commit: %d writes in %d transactions (%.1f a commit), %d of them by multi-row statements\n",
			writes, batches, float64(writes)/float64(batches), a.Batch.Grouped())
	}

	if c.baseline {
		bl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		bsrv := &http.Server{Handler: benchload.Baseline(func(w http.ResponseWriter, r *http.Request) error {
			var in dailyreport.Input
			return web.DecodeJSON(w, r, &in)
		}), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
		go bsrv.Serve(bl)
		bclient := benchload.NewClient(c.clients)
		if err := benchload.Warm(ctx, bclient, "http://"+bl.Addr().String(), "/readyz", c.clients); err != nil {
			return nil, err
		}
		bcpu0 := processCPU()
		out.Baseline = benchload.Run(ctx, bclient, "http://"+bl.Addr().String(), reqs, opts)
		bcpu := processCPU() - bcpu0
		bclient.CloseIdleConnections()
		bsrv.Close()
		b := out.Baseline
		fmt.Fprintf(stdout, "baseline: %.0f req/s, p50 %s, p99 %s (bare net/http handler: decode the same JSON, answer 201; statuses %s)\n",
			b.Rate(), benchload.Round(b.Percentile(50)), benchload.Round(b.Percentile(99)), b.Statuses())
		fmt.Fprintf(stdout, "          %s\n", cpuText(bcpu, b))
	}
	stopServer()
	<-served

	// What the database holds now.
	want := r.OK(http.StatusCreated)
	var reports, distinct, auditN, days int
	if err := a.DB.QueryRow(ctx, "SELECT count(*), count(DISTINCT org_id) FROM daily_reports").Scan(&reports, &distinct); err != nil {
		return nil, err
	}
	if err := a.DB.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE action = 'dailyreport.submit'").Scan(&auditN); err != nil {
		return nil, err
	}
	if err := a.DB.QueryRow(ctx, "SELECT count(*) FROM report_days WHERE day = ?", day.Date.String()).Scan(&days); err != nil {
		return nil, err
	}
	out.Reports, out.AuditRecords = reports, auditN
	fmt.Fprintf(stdout, "database: %d reports (%d units), %d unit-days, %d audit records dailyreport.submit; %d answered 201\n", reports, distinct, days, auditN, want)
	vr, err := audit.Verify(ctx, a.DB)
	if err != nil {
		return nil, fmt.Errorf("audit verify: %w", err)
	}
	out.ChainOK = vr.FirstBad == 0
	if out.ChainOK {
		fmt.Fprintf(stdout, "audit chain: intact, %d records checked\n", vr.Checked)
	} else {
		fmt.Fprintf(stdout, "audit chain: BROKEN at record %d: %s\n", vr.FirstBad, vr.Reason)
	}
	var problems []string
	if c.duration == 0 && (want != c.units || reports != c.units || distinct != c.units || auditN != c.units || days != c.units) {
		problems = append(problems, fmt.Sprintf("expected exactly %d of each", c.units))
	}
	if c.duration > 0 && (reports != want || auditN != want || distinct != c.units) {
		problems = append(problems, fmt.Sprintf("expected %d reports and audit records (one per 201) over %d units", want, c.units))
	}
	if !out.ChainOK {
		problems = append(problems, "the audit chain is broken")
	}
	if len(problems) > 0 {
		return out, fmt.Errorf("bench daily-report: %s", strings.Join(problems, "; "))
	}
	target := 5000.0
	if a.DB.Dialect == db.Postgres {
		target = 3000
	}
	verdict := "met"
	if r.Rate() < target || r.Percentile(99) >= 100*time.Millisecond {
		verdict = "NOT met"
	}
	fmt.Fprintf(stdout, "target (≥ %.0f durable submissions/s, p99 < 100ms): %s\n", target, verdict)
	return out, nil
}

// cpuText relates the process's CPU time (server and clients together) to
// the requests answered: on shared cores it varies less than the rate does.
func cpuText(cpu time.Duration, r benchload.Result) string {
	n := len(r.Latencies)
	if cpu <= 0 || n == 0 || r.Elapsed <= 0 {
		return "CPU not measured"
	}
	return fmt.Sprintf("CPU %.2fs over %.2fs (%.2f cores busy): %.0f µs per request, clients included",
		cpu.Seconds(), r.Elapsed.Seconds(), cpu.Seconds()/r.Elapsed.Seconds(), float64(cpu.Microseconds())/float64(n))
}

func modeText(d time.Duration) string {
	if d > 0 {
		return "reporting again and again for " + d.String()
	}
	return "each unit reports exactly once"
}

// durability says what an answered submission survives.
func durability(ctx context.Context, d *db.DB) string {
	if d.Dialect == db.SQLite {
		var sync int
		if err := d.QueryRow(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
			return "unknown: " + err.Error()
		}
		names := map[int]string{0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
		s := fmt.Sprintf("SQLite WAL, synchronous=%s", names[sync])
		if sync >= 2 {
			return s + ": each submission is answered after the fsync of its group commit"
		}
		return s + ": NOT durable"
	}
	var fsync, commit string
	d.QueryRow(ctx, "SHOW fsync").Scan(&fsync)
	d.QueryRow(ctx, "SHOW synchronous_commit").Scan(&commit)
	s := fmt.Sprintf("PostgreSQL fsync=%s, synchronous_commit=%s", fsync, commit)
	if fsync == "on" && commit != "off" {
		return s + ": each submission is answered after the WAL flush of its group commit"
	}
	return s + ": NOT durable (the server does not wait for the disk)"
}

// benchDatabase finds a database that holds nothing of value: a temporary
// SQLite, a directory without an install, a database created for the run on
// the PostgreSQL server, or (when creating one is not allowed) an empty one.
func benchDatabase(ctx context.Context, c benchConfig) (dsn, dataDir string, cleanup func(), err error) {
	cleanup = func() {}
	switch {
	case c.dsn == "":
		if c.data == "" {
			dir, err := os.MkdirTemp("", "anwen-bench-")
			if err != nil {
				return "", "", cleanup, err
			}
			return "", dir, func() { os.RemoveAll(dir) }, nil
		}
		path := filepath.Join(c.data, "anwen.db")
		if _, err := os.Stat(path); err == nil {
			if err := refuseInstall(ctx, "", c.data); err != nil {
				return "", "", cleanup, err
			}
		}
		return "", c.data, cleanup, nil
	case strings.HasPrefix(c.dsn, "postgres://"), strings.HasPrefix(c.dsn, "postgresql://"):
		admin, err := sql.Open("pgx", c.dsn)
		if err != nil {
			return "", "", cleanup, err
		}
		defer admin.Close()
		name := fmt.Sprintf("anwen_bench_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
		if _, cerr := admin.ExecContext(ctx, "CREATE DATABASE "+name); cerr == nil {
			u, err := url.Parse(c.dsn)
			if err != nil {
				return "", "", cleanup, err
			}
			u.Path = "/" + name
			return u.String(), "", func() {
				if a, err := sql.Open("pgx", c.dsn); err == nil {
					a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
					a.Close()
				}
			}, nil
		} else {
			var tables int
			// pg_tables lists every table, whatever the role may read.
			if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_catalog.pg_tables
				WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables); err != nil {
				return "", "", cleanup, fmt.Errorf("cannot create a database for the benchmark (%v) nor inspect the one given: %w", cerr, err)
			}
			if tables > 0 {
				return "", "", cleanup, fmt.Errorf("refusing to benchmark: cannot create a database for the run (%v), and the database given holds %d tables; give an empty database or a role that may CREATE DATABASE", cerr, tables)
			}
			return c.dsn, "", cleanup, nil
		}
	default:
		return "", "", cleanup, exitError{2, "--db must be empty (SQLite) or postgres://…"}
	}
}

// refuseInstall refuses a SQLite database that has people in it.
func refuseInstall(ctx context.Context, dsn, dir string) error {
	d, err := db.Open(ctx, dsn, dir)
	if err != nil {
		return err
	}
	defer d.Close()
	var n int
	err = d.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n)
	if err == nil && n > 0 {
		return fmt.Errorf("refusing to benchmark: %s already has %d users; use an empty --data directory or none", d.Where, n)
	}
	if err != nil && !strings.Contains(err.Error(), "no such table") {
		return err
	}
	return nil
}

// benchDay moves the clock to 30 minutes before the township deadline of the
// latest working day up to today.
func benchDay(ctx context.Context, a *app.App, clk *benchClock) (dailyreport.Day, error) {
	d := calendar.DateOf(time.Now())
	for i := 0; i < 40; i++ {
		day, err := a.DailyReport.DayFor(ctx, dailyreport.TierTownship, d)
		if err != nil {
			return day, err
		}
		if day.Required {
			clk.off.Store(int64(day.Deadline.Add(-30 * time.Minute).Sub(time.Now())))
			return day, nil
		}
		d = d.AddDays(-1)
	}
	return dailyreport.Day{}, errors.New("no working day in the last 40 days")
}

type benchUnit struct {
	id    int64
	token string
}

type benchSeed struct {
	district int64
	units    []benchUnit
	apiToken string
}

// seedBench creates the district, n townships with a check-in token each (by
// SQL, in a few transactions), and a district staff member with an API token.
func seedBench(ctx context.Context, a *app.App, n int) (*benchSeed, error) {
	now := a.Clock.Now()
	s := &benchSeed{}
	err := a.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := db.InsertID(ctx, tx, `INSERT INTO orgs (parent_id, name, kind, code, path, depth, sort, created_at, updated_at)
			VALUES (NULL, ?, 'district', 'BENCH', 'bench-district', 0, 0, ?, ?)`, "基准区（压测）", now, now)
		if err != nil {
			return err
		}
		s.district = id
		if _, err := tx.Exec(ctx, "UPDATE orgs SET path = ? WHERE id = ?", "/"+strconv.FormatInt(id, 10)+"/", id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(bench)", ClientAddr: "local", Action: "bench.seed", ObjectType: "org",
			ObjectID: strconv.FormatInt(id, 10), OrgID: id, Result: audit.OK, Detail: fmt.Sprintf("%d fictional townships for a load test", n)})
	})
	if err != nil {
		return nil, err
	}
	prefix := "/" + strconv.FormatInt(s.district, 10) + "/"
	const chunk = 500 // rows per INSERT
	const perTx = 10000
	for lo := 0; lo < n; lo += perTx {
		hi := min(lo+perTx, n)
		err := a.DB.InTx(ctx, func(tx *db.Tx) error {
			for c := lo; c < hi; c += chunk {
				e := min(c+chunk, hi)
				var q strings.Builder
				q.WriteString("INSERT INTO orgs (parent_id, name, kind, code, path, depth, sort, created_at, updated_at) VALUES ")
				args := make([]any, 0, (e-c)*8)
				for i := c; i < e; i++ {
					if i > c {
						q.WriteString(", ")
					}
					q.WriteString("(?, ?, 'township', ?, ?, 1, ?, ?, ?)")
					args = append(args, s.district, fmt.Sprintf("压测镇%06d", i+1), fmt.Sprintf("BENCH-%06d", i+1), fmt.Sprintf("bench-%d", i), i, now, now)
				}
				if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, "UPDATE orgs SET path = CAST(? AS TEXT) || CAST(id AS TEXT) || '/' WHERE parent_id = ? AND path LIKE 'bench-%'", prefix, s.district)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	rows, err := a.DB.Query(ctx, "SELECT id FROM orgs WHERE parent_id = ? ORDER BY sort", s.district)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var u benchUnit
		if err := rows.Scan(&u.id); err != nil {
			rows.Close()
			return nil, err
		}
		s.units = append(s.units, u)
	}
	rows.Close()
	if len(s.units) != n {
		return nil, fmt.Errorf("created %d townships, want %d", len(s.units), n)
	}
	// Check-in tokens, made and stored as RotatePingToken makes them.
	for lo := 0; lo < n; lo += perTx {
		hi := min(lo+perTx, n)
		err := a.DB.InTx(ctx, func(tx *db.Tx) error {
			for c := lo; c < hi; c += chunk {
				e := min(c+chunk, hi)
				var q strings.Builder
				q.WriteString("INSERT INTO report_ping_tokens (org_id, token_hash, created_at) VALUES ")
				args := make([]any, 0, (e-c)*3)
				for i := c; i < e; i++ {
					b := make([]byte, 24)
					if _, err := rand.Read(b); err != nil {
						return err
					}
					tok := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
					s.units[i].token = tok
					sum := sha256.Sum256([]byte(tok))
					if i > c {
						q.WriteString(", ")
					}
					q.WriteString("(?, ?, ?)")
					args = append(args, s.units[i].id, hex.EncodeToString(sum[:]), now)
				}
				if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// A district staff member (工作人员) reports on the townships' behalf.
	p, err := a.People.Create(ctx, auth.CommandLine(), people.Input{Login: "bench-staff", Name: "压测值班员", OrgID: s.district,
		Password: people.RandomPassword(), Roles: []people.RoleGrant{{Role: auth.RoleStaff, ScopeOrgID: s.district}}})
	if err != nil {
		return nil, fmt.Errorf("staff member: %w", err)
	}
	if s.apiToken, _, err = a.Auth.CreateToken(ctx, nil, p.Login, "bench"); err != nil {
		return nil, err
	}
	return s, nil
}
