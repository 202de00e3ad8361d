package db

import (
	"context"
	"database/sql"
	"sync"
)

// Stmt is a statement for a hot path, prepared once and reused.
//
// On SQLite (modernc.org/sqlite, pure Go) parsing and planning a small
// statement costs more than running it: at the daily report's deadline burst
// the parser was 40% of the server's CPU. A Stmt is prepared on first use on
// each connection of a pool and kept. On PostgreSQL pgx already keeps a
// prepared statement per connection for every query text, so a Stmt simply
// sends its text.
//
// A Stmt is made with NewStmt at any time (no database work) and is safe for
// concurrent use.
type Stmt struct {
	db    *DB
	query string // rebound for the dialect

	mu   sync.Mutex
	w, r *sql.Stmt // SQLite: prepared on the write connection and on the read pool
}

// NewStmt returns a reusable statement for query (written with ? placeholders).
func (db *DB) NewStmt(query string) *Stmt {
	return &Stmt{db: db, query: db.Dialect.Rebind(query)}
}

// prepared returns the statement prepared on the write (w) or read pool, or
// nil on PostgreSQL. A failed prepare is retried at the next use.
func (s *Stmt) prepared(ctx context.Context, write bool) (*sql.Stmt, error) {
	if s.db.Dialect != SQLite {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, pool := &s.r, s.db.r
	if write {
		p, pool = &s.w, s.db.w
	}
	if *p == nil {
		st, err := pool.PrepareContext(ctx, s.query)
		if err != nil {
			return nil, err
		}
		*p = st
	}
	return *p, nil
}

// Prepare makes sure s is prepared for writes. On SQLite a transaction holds
// the one write connection, so a statement used inside transactions must be
// prepared before: call Prepare outside any transaction (ExecStmt and
// QueryRowStmt on a Tx fall back to the plain text when it was not).
func (s *Stmt) Prepare(ctx context.Context) error {
	_, err := s.prepared(ctx, true)
	return err
}

// QueryRowStmt runs a one-row read of s on the read pool.
func (db *DB) QueryRowStmt(ctx context.Context, s *Stmt, args ...any) *sql.Row {
	st, err := s.prepared(ctx, false)
	if st == nil || err != nil {
		return db.r.QueryRowContext(ctx, s.query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// txStmt returns s bound to the transaction when it was prepared for writes.
func (t *Tx) txStmt(ctx context.Context, s *Stmt) *sql.Stmt {
	if t.d != SQLite {
		return nil
	}
	s.mu.Lock()
	w := s.w
	s.mu.Unlock()
	if w == nil {
		return nil
	}
	// The write connection already holds the prepared statement: StmtContext reuses it.
	return t.tx.StmtContext(ctx, w)
}

// ExecStmt runs s inside the transaction.
func (t *Tx) ExecStmt(ctx context.Context, s *Stmt, args ...any) (sql.Result, error) {
	if st := t.txStmt(ctx, s); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, s.query, args...)
}

// QueryRowStmt runs a one-row read (or an INSERT … RETURNING) of s inside the transaction.
func (t *Tx) QueryRowStmt(ctx context.Context, s *Stmt, args ...any) *sql.Row {
	if st := t.txStmt(ctx, s); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, s.query, args...)
}

// QueryStmt runs a read of s on the read pool.
func (db *DB) QueryStmt(ctx context.Context, s *Stmt, args ...any) (*sql.Rows, error) {
	st, err := s.prepared(ctx, false)
	if st == nil || err != nil {
		return db.r.QueryContext(ctx, s.query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryStmt runs a read (or an INSERT … RETURNING of several rows) of s inside the transaction.
func (t *Tx) QueryStmt(ctx context.Context, s *Stmt, args ...any) (*sql.Rows, error) {
	if st := t.txStmt(ctx, s); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, s.query, args...)
}
