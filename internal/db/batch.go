package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Batcher is group commit: many small writes, each a function of its own,
// share one transaction and one commit (one fsync), and each caller hears
// back only after that commit is durable. A write that fails rolls back to
// its own savepoint; the others in the batch still commit.
//
// On SQLite (one writer, synchronous=FULL) this turns a few thousand commits
// a second into tens of thousands of rows a second; on PostgreSQL it saves a
// round of WAL flushes per write.
type Batcher struct {
	db       *DB
	max      int
	requests chan *batchRequest
	mu       sync.RWMutex // held shared while sending, so that Close sees no send in flight
	closed   bool
	stop     chan struct{}
	done     chan struct{}
	// batches and writes count commits and the writes they carried (Stats);
	// grouped counts the writes a Group's Run did (Grouped).
	batches, writes, grouped atomic.Int64
	// conn is the batcher's own connection on PostgreSQL, so that a commit
	// never waits behind a burst of reads for a connection of the pool.
	conn *sql.Conn
	// The savepoint statements, prepared once (see Stmt).
	savepoint, release, groupSavepoint, groupRelease *Stmt
	prepared                                         bool
}

type batchRequest struct {
	ctx   context.Context
	fn    func(*Tx) error
	err   chan error
	group *Group // nil for Do
	item  any
}

// Group lets writes of one kind share statements. The writes of a group that
// land in one batch are handed to Run together, in one savepoint of their
// own, so that Run can write them with a few multi-row statements instead of
// a few statements each. If Run fails, its savepoint is rolled back and each
// write's own function runs in its own savepoint, exactly as with Do: a bad
// write still fails alone. A write alone in its batch runs its own function.
type Group struct {
	// Run does the writes of items (the values given to DoGroup, in the
	// order they arrived) inside tx, and records each one's outcome in its
	// item; an error means none of them is done. Run must leave nothing
	// behind but rows when it fails: its items' own functions run next.
	Run func(ctx context.Context, tx *Tx, items []any) error
}

// ErrBatcherClosed is returned to writes submitted after Close.
var ErrBatcherClosed = errors.New("db: batcher closed")

// NewBatcher starts a batcher that commits at most max writes together.
func (db *DB) NewBatcher(max int) *Batcher {
	if max <= 0 {
		max = 256
	}
	b := &Batcher{db: db, max: max, requests: make(chan *batchRequest, max*4), stop: make(chan struct{}), done: make(chan struct{}),
		savepoint: db.NewStmt("SAVEPOINT batch_item"), release: db.NewStmt("RELEASE SAVEPOINT batch_item"),
		groupSavepoint: db.NewStmt("SAVEPOINT batch_group"), groupRelease: db.NewStmt("RELEASE SAVEPOINT batch_group")}
	go b.loop()
	return b
}

// Do runs fn inside a shared transaction and returns after the commit: fn's
// error if it failed (its writes were rolled back), the commit's error if the
// batch could not commit, nil once fn's writes are durable.
func (b *Batcher) Do(ctx context.Context, fn func(*Tx) error) error {
	return b.send(&batchRequest{ctx: ctx, fn: fn, err: make(chan error, 1)})
}

// DoGroup is Do for a write that may be done together with the other writes
// of g in the same batch (g.Run gets item); fn is the same write done alone,
// used when the write is alone in its batch or when g.Run fails. It returns
// after the commit, like Do.
func (b *Batcher) DoGroup(ctx context.Context, g *Group, item any, fn func(*Tx) error) error {
	return b.send(&batchRequest{ctx: ctx, fn: fn, err: make(chan error, 1), group: g, item: item})
}

func (b *Batcher) send(r *batchRequest) error {
	ctx := r.ctx
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return ErrBatcherClosed
	}
	select {
	case b.requests <- r:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return ctx.Err()
	}
	// Wait for the outcome even if ctx ends: the write may already be in a
	// batch, and the caller must not be told "failed" about a committed write.
	return <-r.err
}

// Close stops taking writes and finishes the ones queued.
func (b *Batcher) Close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.stop)
	}
	b.mu.Unlock()
	<-b.done
}

func (b *Batcher) loop() {
	defer close(b.done)
	defer func() {
		if b.conn != nil {
			b.conn.Close()
		}
	}()
	for {
		var first *batchRequest
		select {
		case first = <-b.requests:
		case <-b.stop:
			// Drain what was queued before Close.
			for {
				select {
				case r := <-b.requests:
					b.run([]*batchRequest{r})
				default:
					return
				}
			}
		}
		batch := []*batchRequest{first}
		// Take whatever else is waiting, without waiting for more: under load
		// the queue fills while the previous commit runs; when idle a write
		// commits alone at once.
	fill:
		for len(batch) < b.max {
			select {
			case r := <-b.requests:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		b.run(batch)
	}
}

// Stats reports how many transactions the batcher committed (or tried to)
// and how many writes they carried, for benchmarks and metrics.
func (b *Batcher) Stats() (batches, writes int64) { return b.batches.Load(), b.writes.Load() }

// Grouped reports how many writes were done by their Group's Run (DoGroup)
// rather than one by one.
func (b *Batcher) Grouped() int64 { return b.grouped.Load() }

// Queued reports how many writes wait for the next batch.
func (b *Batcher) Queued() int { return len(b.requests) }

func (b *Batcher) run(batch []*batchRequest) {
	b.batches.Add(1)
	b.writes.Add(int64(len(batch)))
	if !b.prepared {
		// Only this goroutine runs batches. A failure leaves the plain text in use.
		b.prepared = true
		for _, s := range []*Stmt{b.savepoint, b.release, b.groupSavepoint, b.groupRelease} {
			b.prepared = b.prepared && s.Prepare(context.Background()) == nil
		}
	}
	results := make([]error, len(batch))
	// Which writes are still wanted, decided once for the whole batch.
	live := make([]bool, len(batch))
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
		} else {
			live[i] = true
		}
	}
	groups, members := groupsOf(batch, live)
	var err error
	if allGrouped(live, members) {
		// Every write belongs to a group of two or more: the groups run
		// without savepoints. If one fails, the whole transaction is rolled
		// back and the batch runs again, each write alone in its savepoint.
		err = b.inTx(func(tx *Tx) error {
			for _, g := range groups {
				if gerr := safeGroup(g, context.Background(), tx, itemsOf(batch, members[g])); gerr != nil {
					return errGroupFailed
				}
			}
			return nil
		})
		if err == nil {
			for _, idx := range members {
				b.grouped.Add(int64(len(idx)))
			}
		}
		if errors.Is(err, errGroupFailed) {
			err = b.inTx(func(tx *Tx) error { return b.runEach(tx, batch, nil, results) })
		}
	} else {
		err = b.inTx(func(tx *Tx) error {
			done, err := b.runGroups(tx, batch, groups, members)
			if err != nil {
				return err
			}
			return b.runEach(tx, batch, done, results)
		})
	}
	for i, r := range batch {
		if err != nil && results[i] == nil {
			results[i] = fmt.Errorf("group commit: %w", err)
		}
		r.err <- results[i]
	}
}

// inTx is DB.InTx on the batcher's own connection (PostgreSQL) or the
// write connection (SQLite, which has only the one).
func (b *Batcher) inTx(fn func(*Tx) error) (err error) {
	ctx := context.Background()
	if b.db.Dialect != Postgres {
		return b.db.InTx(ctx, fn)
	}
	if b.conn == nil {
		if b.conn, err = b.db.w.Conn(ctx); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
	}
	tx, err := b.conn.BeginTx(ctx, nil)
	if err != nil {
		// A broken connection is replaced at the next batch.
		b.conn.Close()
		b.conn = nil
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
	if err = fn(&Tx{tx: tx, d: b.db.Dialect}); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		b.conn.Close()
		b.conn = nil
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// errGroupFailed rolls back a batch run without savepoints (see run).
var errGroupFailed = errors.New("db: a grouped write failed")

// runEach runs each write of the batch that is not done yet alone, in its own savepoint.
func (b *Batcher) runEach(tx *Tx, batch []*batchRequest, done []bool, results []error) error {
	for i, r := range batch {
		if done != nil && done[i] {
			continue
		}
		results[i] = nil
		if r.ctx.Err() != nil {
			results[i] = r.ctx.Err()
			continue
		}
		if _, err := tx.ExecStmt(r.ctx, b.savepoint); err != nil {
			return err
		}
		if ferr := safeCall(r.fn, tx); ferr != nil {
			results[i] = ferr
			if _, err := tx.Exec(context.Background(), "ROLLBACK TO SAVEPOINT batch_item"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecStmt(context.Background(), b.release); err != nil {
			return err
		}
	}
	return nil
}

// groupsOf lists the groups of a batch's live writes, in order of arrival,
// and the writes of each.
func groupsOf(batch []*batchRequest, live []bool) ([]*Group, map[*Group][]int) {
	var groups []*Group
	members := map[*Group][]int{}
	for i, r := range batch {
		if r.group == nil || !live[i] {
			continue
		}
		if _, ok := members[r.group]; !ok {
			groups = append(groups, r.group)
		}
		members[r.group] = append(members[r.group], i)
	}
	return groups, members
}

// allGrouped reports whether every live write of the batch is in a group of at least two.
func allGrouped(live []bool, members map[*Group][]int) bool {
	n := 0
	for _, l := range live {
		if l {
			n++
		}
	}
	grouped := 0
	for _, idx := range members {
		if len(idx) < 2 {
			return false
		}
		grouped += len(idx)
	}
	return n > 0 && grouped == n
}

func itemsOf(batch []*batchRequest, idx []int) []any {
	items := make([]any, len(idx))
	for j, i := range idx {
		items[j] = batch[i].item
	}
	return items
}

// runGroups runs each group with at least two live writes together in a
// savepoint, and marks the writes it did; a group that fails is rolled back
// and its writes are left to runEach.
func (b *Batcher) runGroups(tx *Tx, batch []*batchRequest, groups []*Group, members map[*Group][]int) ([]bool, error) {
	done := make([]bool, len(batch))
	ctx := context.Background()
	for _, g := range groups {
		idx := members[g]
		if len(idx) < 2 {
			continue
		}
		if _, err := tx.ExecStmt(ctx, b.groupSavepoint); err != nil {
			return nil, err
		}
		if gerr := safeGroup(g, ctx, tx, itemsOf(batch, idx)); gerr != nil {
			if _, err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT batch_group"); err != nil {
				return nil, err
			}
		} else {
			for _, i := range idx {
				done[i] = true
			}
			b.grouped.Add(int64(len(idx)))
		}
		if _, err := tx.ExecStmt(ctx, b.groupRelease); err != nil {
			return nil, err
		}
	}
	return done, nil
}

func safeGroup(g *Group, ctx context.Context, tx *Tx, items []any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in grouped write: %v", p)
		}
	}()
	return g.Run(ctx, tx, items)
}

func safeCall(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in batched write: %v", p)
		}
	}()
	return fn(tx)
}
