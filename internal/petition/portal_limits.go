package petition

import (
	"context"
	mrand "math/rand/v2"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
)

// limiter counts one limit's hits per client address in a sliding window.
// The hits are rows of portal_hits, so that every app server counts the
// same ones: on PostgreSQL a transaction-scoped advisory lock per limit
// and address orders concurrent takes; SQLite has one writer.
type limiter struct {
	db     *db.DB
	key    string // the limit's name in portal_hits
	name   string // what it counts, for the trail
	max    int
	window time.Duration
}

func newLimiter(d *db.DB, key, name string, max int, window time.Duration) *limiter {
	return &limiter{db: d, key: key, name: name, max: max, window: window}
}

// take counts a hit of addr at now when it is within the limit. Otherwise
// it says how long until one is, and whether this is the first refusal
// since addr was last allowed (the one the trail records).
func (l *limiter) take(ctx context.Context, addr string, now time.Time) (ok bool, wait time.Duration, first bool, err error) {
	cut := now.Add(-l.window)
	err = l.db.InTx(ctx, func(tx *db.Tx) error {
		if tx.D() == db.Postgres {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))", "portal/"+l.key+"/"+addr); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM portal_hits WHERE name = ? AND addr = ? AND at <= ?", l.key, addr, cut); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT at, refused FROM portal_hits WHERE name = ? AND addr = ? ORDER BY at, id", l.key, addr)
		if err != nil {
			return err
		}
		var oldest time.Time
		hits, refusedSince := 0, false
		for rows.Next() {
			var at time.Time
			var refused bool
			if err := rows.Scan(&at, &refused); err != nil {
				rows.Close()
				return err
			}
			if refused {
				refusedSince = true
				continue
			}
			if hits == 0 {
				oldest = at
			}
			hits++
			refusedSince = false
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		ok = hits < l.max
		if !ok {
			wait, first = oldest.Sub(cut), !refusedSince
			if !first {
				return nil // one refusal row marks the run of refusals
			}
		}
		if _, err := tx.Exec(ctx, "INSERT INTO portal_hits (name, addr, at, refused) VALUES (?, ?, ?, ?)", l.key, addr, now, !ok); err != nil {
			return err
		}
		if mrand.IntN(200) == 0 {
			// The addresses that never came back.
			_, err = tx.Exec(ctx, "DELETE FROM portal_hits WHERE at <= ?", now.Add(-PortalWindow))
		}
		return err
	})
	return ok, wait, first, err
}

// refund takes back addr's latest hit (a submission that did not go through).
func (l *limiter) refund(ctx context.Context, addr string) {
	l.db.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM portal_hits WHERE id = (SELECT id FROM portal_hits WHERE name = ? AND addr = ? AND NOT refused
			ORDER BY at DESC, id DESC LIMIT 1)`, l.key, addr)
		return err
	})
}
