// Package deadline is the one clock engine (时限引擎). Every timed duty — a
// daily report due at 17:00, a rectification due on a date, a petition's 60
// days — is an obligation row with a due time and optionally a warning time.
// One sweeper takes the rows whose time has come, runs the handler of their
// kind inside the transaction that marks them done, and records the event in
// an immutable row. A handler's writes and notifications therefore happen
// exactly once, even with several servers on one PostgreSQL (rows are claimed
// with FOR UPDATE SKIP LOCKED), and a server that was down catches up: rows
// past due simply fire at the next sweep, with their own due time to go by.
package deadline

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
)

// Phase says which time of an obligation has come.
type Phase string

const (
	Warn Phase = "warn" // warn_at has passed: a reminder is due
	Due  Phase = "due"  // due_at has passed: the duty is late, or its moment has come
)

// Obligation is one timed duty.
type Obligation struct {
	ID      int64
	Kind    string // which handler runs it, e.g. "dailyreport.deadline"
	Key     string // unique within Kind, e.g. "township/2026-11-27"
	DueAt   time.Time
	WarnAt  *time.Time
	Payload json.RawMessage
	State   string
}

// Handler runs an obligation's phase inside tx. An error rolls back what the
// handler wrote (and only that) and retries later.
type Handler func(ctx context.Context, tx *db.Tx, ob Obligation, phase Phase) error

// Engine schedules obligations and sweeps them.
type Engine struct {
	DB    *db.DB
	Clock clock.Clock
	Log   *slog.Logger

	mu       sync.RWMutex
	handlers map[string]Handler
}

// Handle registers the handler of a kind.
func (e *Engine) Handle(kind string, h Handler) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.handlers == nil {
		e.handlers = map[string]Handler{}
	}
	e.handlers[kind] = h
}

func (e *Engine) handler(kind string) Handler {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.handlers[kind]
}

// Schedule creates the obligation (kind, key) or moves its times, inside tx.
// An obligation that has already fired keeps its history and is not reopened;
// one that has warned but not fired takes the new due time.
func Schedule(ctx context.Context, tx *db.Tx, now time.Time, kind, key string, due time.Time, warn *time.Time, payload any) error {
	p, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	if payload == nil {
		p = []byte("{}")
	}
	due = due.UTC()
	next := due
	state := "open"
	var warnAt any
	if warn != nil {
		w := warn.UTC()
		warnAt = w
		if w.Before(due) {
			next = w
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO obligations (kind, key, due_at, warn_at, payload, state, next_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, key) DO UPDATE SET due_at = excluded.due_at, warn_at = excluded.warn_at, payload = excluded.payload,
			next_at = CASE WHEN obligations.state = 'warned' THEN excluded.due_at ELSE excluded.next_at END,
			updated_at = excluded.updated_at
		WHERE obligations.state IN ('open', 'warned')`,
		kind, key, due, warnAt, string(p), state, next, now, now)
	return err
}

// Cancel closes an open obligation without firing it (the duty was met).
func Cancel(ctx context.Context, tx *db.Tx, now time.Time, kind, key string) error {
	_, err := tx.Exec(ctx, "UPDATE obligations SET state = 'cancelled', updated_at = ? WHERE kind = ? AND key = ? AND state IN ('open', 'warned')", now, kind, key)
	return err
}

// Get reads one obligation (for tests and pages).
func Get(ctx context.Context, q db.Querier, kind, key string) (*Obligation, error) {
	var ob Obligation
	var warn sql.NullTime
	var payload string
	err := q.QueryRow(ctx, "SELECT id, kind, key, due_at, warn_at, payload, state FROM obligations WHERE kind = ? AND key = ?", kind, key).
		Scan(&ob.ID, &ob.Kind, &ob.Key, &ob.DueAt, &warn, &payload, &ob.State)
	if err != nil {
		return nil, err
	}
	if warn.Valid {
		w := warn.Time.UTC()
		ob.WarnAt = &w
	}
	ob.DueAt = ob.DueAt.UTC()
	ob.Payload = json.RawMessage(payload)
	return &ob, nil
}

// retryAfter spaces the retries of a failing handler.
func retryAfter(attempts int) time.Duration {
	d := 30 * time.Second << min(attempts, 6)
	return min(d, 30*time.Minute)
}

// maxBatch bounds the phases of one transaction whatever the caller asks.
// Each phase runs in a savepoint, and PostgreSQL caches only 64
// subtransactions per transaction: past that every visibility check looks
// them up on disk, while each audited phase updates the audit head row,
// whose versions pile up within the transaction. A day of marks caught up
// in batches of 1,000 took 8 ms a phase; see docs/benchmarks.md.
const maxBatch = 50

// Sweep fires every obligation whose next time has come, at most batch per
// transaction, until none is left. It returns how many phases ran. An
// obligation that a handler schedules for now fires in this same sweep, in
// a later transaction: long work is split that way into parts that each
// hold the database briefly.
func (e *Engine) Sweep(ctx context.Context, batch int) (int, error) {
	batch = min(batch, maxBatch)
	total := 0
	for {
		n, err := e.sweepOnce(ctx, batch)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

type claimed struct {
	ob       Obligation
	attempts int
}

func (e *Engine) sweepOnce(ctx context.Context, batch int) (int, error) {
	now := e.Clock.Now()
	n := 0
	err := e.DB.InTx(ctx, func(tx *db.Tx) error {
		q := `SELECT id, kind, key, due_at, warn_at, payload, state, attempts FROM obligations
			WHERE state IN ('open', 'warned') AND next_at <= ? ORDER BY next_at, id LIMIT ` + strconv.Itoa(batch)
		if tx.D() == db.Postgres {
			// Another server sweeping at the same moment skips what this one holds.
			q += " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.Query(ctx, q, now)
		if err != nil {
			return err
		}
		var due []claimed
		for rows.Next() {
			var c claimed
			var warn sql.NullTime
			var payload string
			if err := rows.Scan(&c.ob.ID, &c.ob.Kind, &c.ob.Key, &c.ob.DueAt, &warn, &payload, &c.ob.State, &c.attempts); err != nil {
				rows.Close()
				return err
			}
			if warn.Valid {
				w := warn.Time.UTC()
				c.ob.WarnAt = &w
			}
			c.ob.DueAt = c.ob.DueAt.UTC()
			c.ob.Payload = json.RawMessage(payload)
			due = append(due, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range due {
			if err := e.fire(ctx, tx, now, c); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// fire runs one phase of one obligation in a savepoint, so that a failing
// handler rolls back only its own writes.
func (e *Engine) fire(ctx context.Context, tx *db.Tx, now time.Time, c claimed) error {
	ob := c.ob
	phase := Due
	if ob.State == "open" && ob.WarnAt != nil && ob.WarnAt.Before(ob.DueAt) && now.Before(ob.DueAt) {
		phase = Warn
	}
	h := e.handler(ob.Kind)
	if _, err := tx.Exec(ctx, "SAVEPOINT obligation"); err != nil {
		return err
	}
	var herr error
	if h == nil {
		herr = fmt.Errorf("no handler for kind %q", ob.Kind)
	} else {
		herr = safeRun(ctx, h, tx, ob, phase)
	}
	if herr != nil {
		if _, err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT obligation"); err != nil {
			return err
		}
		if e.Log != nil {
			e.Log.Warn("obligation failed", "kind", ob.Kind, "key", ob.Key, "phase", phase, "err", herr)
		}
		if _, err := tx.Exec(ctx, "UPDATE obligations SET attempts = attempts + 1, last_error = ?, next_at = ?, updated_at = ? WHERE id = ?",
			truncate(herr.Error(), 500), now.Add(retryAfter(c.attempts)), now, ob.ID); err != nil {
			return err
		}
		return event(ctx, tx, now, ob, "failed", string(phase)+": "+truncate(herr.Error(), 500))
	}
	if _, err := tx.Exec(ctx, "RELEASE SAVEPOINT obligation"); err != nil {
		return err
	}
	if phase == Warn {
		if _, err := tx.Exec(ctx, "UPDATE obligations SET state = 'warned', next_at = due_at, attempts = 0, last_error = '', updated_at = ? WHERE id = ?", now, ob.ID); err != nil {
			return err
		}
		return event(ctx, tx, now, ob, "warned", "")
	}
	if _, err := tx.Exec(ctx, "UPDATE obligations SET state = 'fired', fired_at = ?, attempts = 0, last_error = '', updated_at = ? WHERE id = ?", now, now, ob.ID); err != nil {
		return err
	}
	detail := ""
	if late := now.Sub(ob.DueAt); late > time.Minute {
		detail = "caught up " + late.Round(time.Second).String() + " after its time"
	}
	return event(ctx, tx, now, ob, "fired", detail)
}

func safeRun(ctx context.Context, h Handler, tx *db.Tx, ob Obligation, phase Phase) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panic: %v", p)
		}
	}()
	return h(ctx, tx, ob, phase)
}

func event(ctx context.Context, tx *db.Tx, now time.Time, ob Obligation, ev, detail string) error {
	_, err := tx.Exec(ctx, "INSERT INTO obligation_events (obligation_id, kind, key, event, at, detail) VALUES (?, ?, ?, ?, ?, ?)",
		ob.ID, ob.Kind, ob.Key, ev, now, detail)
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Run sweeps every interval until ctx ends, and calls plan first each time
// (capabilities use it to make sure today's and tomorrow's obligations exist).
func (e *Engine) Run(ctx context.Context, interval time.Duration, plan func(ctx context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if plan != nil {
			if err := plan(ctx); err != nil && ctx.Err() == nil && e.Log != nil {
				e.Log.Warn("plan obligations", "err", err)
			}
		}
		if _, err := e.Sweep(ctx, 200); err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled) && e.Log != nil {
			e.Log.Warn("sweep obligations", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
