// Package ledgerplan holds the mechanics the case ledgers (petitions,
// disputes) share to read a page newest-first by keyset at a million rows:
// the cursor, the sizes that choose a SQLite plan (values counted in the
// background, filters probed), index ranges read as a UNION ALL, counts
// bounded by time (and on PostgreSQL by planner cost), and cutting a page
// from the matches. What a ledger filters on, and which plan it picks,
// stays with the ledger; see internal/petition/ledger.go for the why.
package ledgerplan

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/db"
)

// Cursor is a row's place in the ledger's order: its time (registered,
// occurred) and id, newest first.
type Cursor struct {
	At time.Time
	ID int64
}

func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixMicro(), 10) + "." + strconv.FormatInt(c.ID, 10)))
}

// ParseCursor reads the cursor s of query parameter field.
func ParseCursor(field, s string) (Cursor, error) {
	bad := apperr.Field(apperr.EINVALID, field, "%s 不是有效的翻页标记 / %s is not a valid cursor", field, field)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	at, id, ok := strings.Cut(string(b), ".")
	if !ok {
		return Cursor{}, bad
	}
	us, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil {
		return Cursor{}, bad
	}
	return Cursor{At: time.UnixMicro(us).UTC(), ID: n}, nil
}

// ParseCursors reads a page's after and before parameters (nil when
// empty).
func ParseCursors(after, before string) (a, b *Cursor, err error) {
	if after != "" {
		c, err := ParseCursor("after", after)
		if err != nil {
			return nil, nil, err
		}
		a = &c
	}
	if before != "" {
		c, err := ParseCursor("before", before)
		if err != nil {
			return nil, nil, err
		}
		b = &c
	}
	return a, b, nil
}

// PageOf cuts the page of limit rows from all the matches: their ids in
// the page's order, and whether more follow.
func PageOf(all []Cursor, limit int, after, before *Cursor) ([]int64, bool) {
	newer := func(x, y Cursor) bool { return x.At.After(y.At) || (x.At.Equal(y.At) && x.ID > y.ID) }
	sort.Slice(all, func(i, j int) bool { return newer(all[i], all[j]) })
	if before != nil {
		var older []int64
		for _, k := range all {
			if newer(k, *before) {
				older = append(older, k.ID)
			}
		}
		lo := max(0, len(older)-limit)
		return older[lo:], lo > 0
	}
	var out []int64
	for _, k := range all {
		if after != nil && !newer(*after, k) {
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, k.ID)
	}
	return out, false
}

// IDs runs query on q and returns the first column of its rows.
func IDs(ctx context.Context, q db.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Cut turns the ids a walk read (limit+1 at most, in the walk's order) into
// the page: limit ids in display order (backward: the walk went oldest
// first, toward a before cursor), and whether more followed.
func Cut(ids []int64, limit int, backward bool) ([]int64, bool) {
	more := len(ids) > limit
	if more {
		ids = ids[:limit]
	}
	if backward {
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
	}
	return ids, more
}

// PGReadSettings are a ledger's reads' on PostgreSQL, for their
// transaction: no parallel workers (starting them costs more than a page's
// query takes, and the planner reaches for them when it fears a long scan
// that the LIMIT will cut short), and a plan made for the values at hand
// each time (the driver prepares statements, and after five executions
// PostgreSQL may keep a generic plan that knows neither the subtree's
// range nor the dates).
const PGReadSettings = "SELECT set_config('max_parallel_workers_per_gather', '0', true), set_config('plan_cache_mode', 'force_custom_plan', true)"

// Read runs fn on d's read pool, on PostgreSQL in a transaction with
// PGReadSettings.
func Read(ctx context.Context, d *db.DB, fn func(db.Querier) error) error {
	if d.Dialect != db.Postgres {
		return fn(d)
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, PGReadSettings); err != nil {
			return err
		}
		return fn(tx)
	})
}

// TooCostly (PostgreSQL) tells whether the planner's estimate of query
// exceeds maxCost: such a count is not started, since a bitmap scan does
// not stop at once for a timeout. An estimate that cannot be read is not
// too costly.
func TooCostly(ctx context.Context, tx *db.Tx, maxCost float64, query string, args ...any) (bool, error) {
	var plan string
	if err := tx.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+query, args...).Scan(&plan); err != nil {
		return false, err
	}
	var est []struct {
		Plan struct {
			Cost float64 `json:"Total Cost"`
		} `json:"Plan"`
	}
	return json.Unmarshal([]byte(plan), &est) == nil && len(est) > 0 && est[0].Plan.Cost > maxCost, nil
}

// SetTimeout (PostgreSQL) bounds tx's statements to budget; a statement it
// cancels aborts only its own transaction (see Canceled).
func SetTimeout(ctx context.Context, tx *db.Tx, budget time.Duration) error {
	_, err := tx.Exec(ctx, "SET LOCAL statement_timeout = "+strconv.Itoa(int(budget/time.Millisecond)))
	return err
}

// Canceled tells whether err is PostgreSQL's query_canceled (57014), as a
// statement timeout ends a statement.
func Canceled(err error) bool { return err != nil && strings.Contains(err.Error(), "57014") }

// CountPG (PostgreSQL) runs query, which selects (id, time, count(*) OVER
// ()) of the matches, within budget and PGReadSettings: counted is false
// when its plan costs more than maxCost or the timeout cancels it. It
// returns the matches' cursors and the count.
func CountPG(ctx context.Context, d *db.DB, maxCost float64, budget time.Duration, query string, args ...any) (all []Cursor, n int, counted bool, err error) {
	skip := false
	err = d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, PGReadSettings); err != nil {
			return err
		}
		if costly, err := TooCostly(ctx, tx, maxCost, query, args...); err != nil || costly {
			skip = costly
			return err
		}
		if err := SetTimeout(ctx, tx, budget); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k Cursor
			if err := rows.Scan(&k.ID, &k.At, &n); err != nil {
				return err
			}
			k.At = k.At.UTC()
			all = append(all, k)
		}
		return rows.Err()
	})
	if skip || Canceled(err) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	return all, n, true, nil
}

// CountWithin runs the count query on d within budget; ok is false when
// it took longer (the caller's own context still live).
func CountWithin(ctx context.Context, d *db.DB, budget time.Duration, query string, args ...any) (n int, ok bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	err = d.QueryRow(cctx, query, args...).Scan(&n)
	if err != nil && cctx.Err() != nil && ctx.Err() == nil {
		return 0, false, nil
	}
	return n, err == nil, err
}

// ScanInOrder reads rows (each row's id by scan) and returns them in the
// order of ids, leaving out those not read.
func ScanInOrder[T any](rows *sql.Rows, ids []int64, scan func(*sql.Rows) (T, int64, error)) ([]T, error) {
	defer rows.Close()
	byID := make(map[int64]T, len(ids))
	for rows.Next() {
		x, id, err := scan(rows)
		if err != nil {
			return nil, err
		}
		byID[id] = x
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		if x, ok := byID[id]; ok {
			out = append(out, x)
		}
	}
	return out, nil
}
