// Package db opens the embedded SQLite or the PostgreSQL database, applies the
// migrations, and runs transactions. Queries are written once with `?`
// placeholders and rebound to `$n` for PostgreSQL, so one query set serves both
// dialects wherever they agree.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers "sqlite"
)

// Dialect names the database engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

// ErrTooNew is returned when the database was written by a newer version of Anwen.
var ErrTooNew = errors.New("database schema is newer than this version of anwen")

// DB is an open database: for SQLite one write connection and a read pool
// (WAL lets readers run beside the one writer); for PostgreSQL one pool.
type DB struct {
	Dialect Dialect
	w       *sql.DB
	r       *sql.DB
	// Where describes the database for logs and messages, without credentials.
	Where string
	// dsn and changes let Cache keep copies on PostgreSQL (changes.go).
	dsn     string
	changes changes
}

// Open opens dsn. An empty dsn means SQLite at dataDir/anwen.db; a dsn that
// starts with postgres:// or postgresql:// means PostgreSQL; anything else
// is taken as a SQLite file path (optionally prefixed sqlite:).
func Open(ctx context.Context, dsn, dataDir string) (*DB, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	case dsn == "":
		if dataDir == "" {
			dataDir = "anwen-data"
		}
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory %s: %w", dataDir, err)
		}
		return openSQLite(ctx, filepath.Join(dataDir, "anwen.db"))
	default:
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	// synchronous=FULL: a report is acknowledged only after it is durable.
	// temp_store=MEMORY: the sub-journals of savepoints (one per write in a
	// group commit) stay in memory instead of spilling to a temporary file.
	params := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)&_time_format=sqlite&_txlock=immediate"
	w, err := sql.Open("sqlite", "file:"+path+"?"+params)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", "file:"+path+"?"+params+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	// Readers wait for a connection in random order (database/sql), so a
	// burst queued on a few connections gets a long tail: 16 readers cost a
	// page cache each (2 MiB) and took the daily report burst's p99 from
	// about 130 ms to about 90 ms (docs/benchmarks.md). As many idle as
	// open: a smaller idle pool closes and reopens connections under load.
	r.SetMaxOpenConns(16)
	r.SetMaxIdleConns(16)
	db := &DB{Dialect: SQLite, w: w, r: r, Where: "sqlite:" + path}
	if err := db.ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	p.SetMaxOpenConns(20)
	// As many idle as open: with fewer, a burst closes connections and opens
	// new ones (a server process each) many times a second.
	p.SetMaxIdleConns(20)
	p.SetConnMaxLifetime(30 * time.Minute)
	db := &DB{Dialect: Postgres, w: p, r: p, Where: redact(dsn), dsn: dsn}
	if err := db.ping(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return db, nil
}

// ping checks that the database answers, and for SQLite that the file is a
// database at all (a stray file answers "file is not a database" here).
func (db *DB) ping(ctx context.Context) error {
	var n int
	err := db.w.QueryRowContext(ctx, "SELECT 1").Scan(&n)
	if err == nil && db.Dialect == SQLite {
		// The header is read lazily; touching the schema forces it.
		err = db.w.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n)
	}
	if err != nil {
		return fmt.Errorf("cannot use database %s: %w", db.Where, err)
	}
	return nil
}

func redact(dsn string) string {
	if i := strings.Index(dsn, "@"); i >= 0 {
		if j := strings.Index(dsn, "://"); j >= 0 && j < i {
			return dsn[:j+3] + "…" + dsn[i:]
		}
	}
	return dsn
}

// Close closes the pools.
func (db *DB) Close() error {
	db.stopFollowing()
	err := db.w.Close()
	if db.r != db.w {
		if e := db.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Stats reports the pool statistics for metrics.
func (db *DB) Stats() (write, read sql.DBStats) { return db.w.Stats(), db.r.Stats() }

func (db *DB) provider() (*goose.Provider, error) {
	dir, gd := "migrations/sqlite", goose.DialectSQLite3
	// Capabilities are built side by side and land in any order, so a
	// migration may arrive with a number below one already applied; it is
	// applied then, instead of refusing to start.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if db.Dialect == Postgres {
		dir, gd = "migrations/postgres", goose.DialectPostgres
		// Several app servers may start at once: one migrates, the others wait.
		l, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(l))
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(gd, db.w, sub, opts...)
}

// Versions returns the schema version of the database and the newest this binary knows.
func (db *DB) Versions(ctx context.Context) (current, latest int64, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	// Provider.Close would close our pool: the provider is simply dropped.
	return p.GetVersions(ctx)
}

// Migrate applies pending migrations, each in its own transaction. It refuses a
// database written by a newer version rather than run against a schema it does
// not know.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, err
	}
	cur, latest, err := p.GetVersions(ctx)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if cur > latest {
		return 0, fmt.Errorf("%w: the database is at schema version %d, this binary knows up to %d; run a newer anwen or restore a backup", ErrTooNew, cur, latest)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// Current reports whether every migration is applied; /readyz uses it.
func (db *DB) Current(ctx context.Context) (bool, error) {
	cur, latest, err := db.Versions(ctx)
	return err == nil && cur == latest, err
}

// Rebind turns `?` placeholders into `$1, $2 …` for PostgreSQL. Queries must
// not contain a literal question mark.
func (d Dialect) Rebind(q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Querier is what read functions take: the read pool or a transaction.
type Querier interface {
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
	Exec(ctx context.Context, q string, args ...any) (sql.Result, error)
	D() Dialect
}

// Query runs a read on the read pool.
func (db *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.r.QueryContext(ctx, db.Dialect.Rebind(q), args...)
}

// QueryRow runs a one-row read on the read pool.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.r.QueryRowContext(ctx, db.Dialect.Rebind(q), args...)
}

// Exec runs a single statement on the write connection, outside any
// transaction. Business writes use Tx so that their audit record commits with them.
func (db *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.w.ExecContext(ctx, db.Dialect.Rebind(q), args...)
}

// D returns the dialect.
func (db *DB) D() Dialect { return db.Dialect }

// Tx is a write transaction.
type Tx struct {
	tx *sql.Tx
	d  Dialect
}

// Query runs a read inside the transaction.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.d.Rebind(q), args...)
}

// QueryRow runs a one-row read inside the transaction.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.d.Rebind(q), args...)
}

// Exec runs a statement inside the transaction.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.d.Rebind(q), args...)
}

// D returns the dialect.
func (t *Tx) D() Dialect { return t.d }

// InsertID runs an INSERT … RETURNING id and returns the id.
func InsertID(ctx context.Context, q Querier, query string, args ...any) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// InTx runs fn in a write transaction and commits when fn returns nil. The
// caller learns of success only after the commit is durable.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(&Tx{tx: tx, d: db.Dialect}); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	// What this server just wrote ends every Cache copy here at once; other
	// servers hear of it by NOTIFY (changes.go).
	db.changes.epoch.Add(1)
	return nil
}

// IsUniqueViolation reports whether err is a unique-constraint failure in either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// SQLDB exposes the write pool for libraries that need a *sql.DB (the session store).
func (db *DB) SQLDB() *sql.DB { return db.w }
