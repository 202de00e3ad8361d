// Package dbtest runs a test against every database Anwen supports: a fresh
// SQLite file, and a fresh database on PostgreSQL. PostgreSQL comes from
// ANWEN_TEST_POSTGRES (a DSN to an existing server) or, when the server
// binaries are found, from a throwaway cluster this package starts on a free
// loopback port. ANWEN_TEST_REQUIRE_POSTGRES=1 turns "not found" into a failure.
//
// A package that uses it has:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/anwen-gov/anwen/internal/db"
)

var (
	pgOnce    sync.Once
	pgBaseDSN string // DSN of the server, database part replaced per test
	pgErr     error
	pgStop    func()
	dbCounter atomic.Int64
)

// Main runs the package's tests and stops the throwaway cluster afterwards.
func Main(m *testing.M) {
	code := m.Run()
	if pgStop != nil {
		pgStop()
	}
	os.Exit(code)
}

// Each runs fn once per database, as subtests named "sqlite" and "postgres",
// each with a fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a fresh migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return d
}

// Postgres returns a fresh migrated database on the test server, or skips
// (fails when ANWEN_TEST_REQUIRE_POSTGRES=1) when there is no server.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	dsn := PostgresDSN(t)
	d, err := db.Open(context.Background(), dsn, "")
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return d
}

// PostgresDSN creates an empty database on the test server and returns its DSN.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	pgOnce.Do(startPostgres)
	if pgErr != nil {
		if os.Getenv("ANWEN_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL required but not available: %v", pgErr)
		}
		t.Skipf("PostgreSQL not available: %v", pgErr)
	}
	name := fmt.Sprintf("anwen_t%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, dbCounter.Add(1))
	admin, err := sql.Open("pgx", pgBaseDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", pgBaseDSN)
		if err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	u, _ := url.Parse(pgBaseDSN)
	u.Path = "/" + name
	return u.String()
}

func startPostgres() {
	if dsn := os.Getenv("ANWEN_TEST_POSTGRES"); dsn != "" {
		pgBaseDSN = dsn
		return
	}
	bin, err := findPostgresBin()
	if err != nil {
		pgErr = err
		return
	}
	pgBaseDSN, pgStop, pgErr = startCluster(bin)
}

// findPostgresBin looks on PATH, then where Debian's packages install the server.
func findPostgresBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql")
}

func startCluster(bin string) (dsn string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "anwen-pg-")
	if err != nil {
		return "", nil, err
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	// initdb refuses to run as root: run the server as the postgres account.
	var runAs []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return "", nil, fmt.Errorf("running as root and there is no postgres account to run the server: %v", err)
		}
		if err := exec.Command("chown", u.Username, dir).Run(); err != nil {
			return "", nil, fmt.Errorf("chown %s: %v", dir, err)
		}
		os.Chmod(dir, 0o700)
		runAs = []string{"runuser", "-u", u.Username, "--"}
	}
	run := func(name string, args ...string) error {
		full := append(append([]string{}, runAs...), append([]string{filepath.Join(bin, name)}, args...)...)
		cmd := exec.Command(full[0], full[1:]...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if err := run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("%v; server log: %s", err, log)
	}
	stop = func() {
		run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port), stop, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Ctx is a context for tests.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
