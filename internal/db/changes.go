package db

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Copies of rows that rarely change but are read on every request of a
// burst — a bearer token's person and grants, a reporting unit — save a
// round trip to PostgreSQL each (docs/benchmarks.md, issue 3). They must
// not outlive a change: a revoked token or a rotated check-in address stops
// working at once, on every server. So on PostgreSQL, triggers on the
// tables such copies come from (migration 00013) send NOTIFY anwen_changes,
// every server LISTENs, and any notification ends every copy (changes to
// those tables are rare). While the listening connection is down, nothing is
// kept. SQLite reads in process, so there the copies are not worth their
// risk: Cache.Get always loads.

// changesChannel is the NOTIFY channel of migration 00013's triggers.
const changesChannel = "anwen_changes"

// changes follows the notifications of one PostgreSQL database.
type changes struct {
	once sync.Once
	// epoch moves on every notification and every (re)connection; a copy
	// is good only in the epoch it was read in.
	epoch atomic.Uint64
	// listening is true while the LISTEN connection is up.
	listening atomic.Bool
	stop      context.CancelFunc
	done      chan struct{}
}

// follow starts listening, once, in the background.
func (db *DB) follow() {
	c := &db.changes
	c.once.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		c.stop, c.done = cancel, make(chan struct{})
		ready := make(chan struct{})
		go db.listen(ctx, ready)
		// Wait briefly for the first LISTEN so that the first requests are
		// already served from copies; if it takes longer they just load.
		select {
		case <-ready:
		case <-time.After(2 * time.Second):
		}
	})
}

func (db *DB) listen(ctx context.Context, ready chan struct{}) {
	c := &db.changes
	defer close(c.done)
	first := true
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, db.dsn)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+changesChannel)
		}
		if err == nil {
			c.epoch.Add(1) // what changed while not listening is unknown
			c.listening.Store(true)
			if first {
				close(ready)
				first = false
			}
			for err == nil {
				_, err = conn.WaitForNotification(ctx)
				c.epoch.Add(1)
			}
		}
		c.listening.Store(false)
		c.epoch.Add(1)
		if conn != nil {
			conn.Close(context.Background())
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (db *DB) stopFollowing() {
	c := &db.changes
	if c.stop != nil {
		c.stop()
		<-c.done
	}
}

// Cache keeps copies of rows read by load, each until the database next
// reports a change to the tables migration 00013 watches (on PostgreSQL
// only; on SQLite every Get loads). Load errors are not kept. Values are
// shared between callers, who must not change them.
type Cache[K comparable, V any] struct {
	db  *DB
	max int

	mu sync.Mutex
	m  map[K]cached[V]
}

type cached[V any] struct {
	epoch uint64
	v     V
}

// NewCache returns a cache of at most max copies (when full it starts over).
func NewCache[K comparable, V any](d *DB, max int) *Cache[K, V] {
	return &Cache[K, V]{db: d, max: max}
}

// Get returns the copy of k, or loads it.
func (c *Cache[K, V]) Get(ctx context.Context, k K, load func(context.Context) (V, error)) (V, error) {
	if c.db.Dialect != Postgres || c.db.dsn == "" {
		return load(ctx)
	}
	c.db.follow()
	ch := &c.db.changes
	epoch := ch.epoch.Load()
	if ch.listening.Load() {
		c.mu.Lock()
		e, ok := c.m[k]
		c.mu.Unlock()
		if ok && e.epoch == epoch {
			return e.v, nil
		}
	}
	v, err := load(ctx)
	// Kept only if nothing was reported while it was read.
	if err == nil && ch.listening.Load() && ch.epoch.Load() == epoch {
		c.mu.Lock()
		if c.m == nil || len(c.m) >= c.max {
			c.m = make(map[K]cached[V])
		}
		c.m[k] = cached[V]{epoch, v}
		c.mu.Unlock()
	}
	return v, err
}

// Forget drops the copy of k, for a change this server has just made (the
// notification follows at the commit, and may come a moment later).
func (c *Cache[K, V]) Forget(k K) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}
