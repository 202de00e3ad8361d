package sealed

import (
	"context"
	"fmt"
	"regexp"
	"sync"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
)

// Column is a sealed column of a table. Capabilities register theirs
// (Register), so that a command (anwen keys reseal) can re-seal every
// stored value under the current key after a rotation without knowing them.
type Column struct {
	Table   string // e.g. "disputes"
	Column  string // the sealed column, e.g. "party_phone_sealed"
	Context string // the context its values are sealed with, e.g. "disputes.party_phone"
	// Index, when set, is the column holding the value's blind index,
	// recomputed with IndexKind from the value normalised by Normalize.
	Index     string
	IndexKind string
	Normalize func(string) string
}

var (
	regMu    sync.Mutex
	registry []Column
	ident    = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
)

// Register records sealed columns (call it from an init function).
func Register(cols ...Column) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, c := range cols {
		if !ident.MatchString(c.Table) || !ident.MatchString(c.Column) || (c.Index != "" && !ident.MatchString(c.Index)) {
			panic(fmt.Sprintf("sealed: bad column %s.%s", c.Table, c.Column))
		}
		registry = append(registry, c)
	}
}

// Columns lists the registered sealed columns.
func Columns() []Column {
	regMu.Lock()
	defer regMu.Unlock()
	return append([]Column(nil), registry...)
}

// ResealCount is what Reseal did to one column.
type ResealCount struct {
	Table    string `json:"table"`
	Column   string `json:"column"`
	Resealed int    `json:"resealed"`
}

// Reseal re-seals, under the current key of kr, every value of cols that
// another key sealed, and recomputes its blind index; batch rows (by id,
// in order) per transaction, each with an audit record made from by
// ("sealed.reseal", the table, the count). It is safe to interrupt and run
// again: a value already under the current key is left alone. A value that
// does not open (its key is missing) stops it with an error naming the row.
func Reseal(ctx context.Context, d *db.DB, kr *Keyring, clk clock.Clock, by audit.Entry, cols []Column, batch int) ([]ResealCount, error) {
	if batch <= 0 {
		batch = 500
	}
	prefix := Version + ":" + kr.Current() + ":"
	var out []ResealCount
	for _, c := range cols {
		if !ident.MatchString(c.Table) || !ident.MatchString(c.Column) || (c.Index != "" && !ident.MatchString(c.Index)) {
			return out, fmt.Errorf("sealed: bad column %s.%s", c.Table, c.Column)
		}
		count := ResealCount{Table: c.Table, Column: c.Column}
		var last int64
		for {
			type row struct {
				id  int64
				val string
			}
			var rows []row
			rs, err := d.Query(ctx, fmt.Sprintf("SELECT id, %s FROM %s WHERE id > ? AND %s <> '' AND substr(%s, 1, %d) <> ? ORDER BY id LIMIT %d",
				c.Column, c.Table, c.Column, c.Column, len(prefix), batch), last, prefix)
			if err != nil {
				return out, err
			}
			for rs.Next() {
				var r row
				if err := rs.Scan(&r.id, &r.val); err != nil {
					rs.Close()
					return out, err
				}
				rows = append(rows, r)
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return out, err
			}
			if len(rows) == 0 {
				break
			}
			err = d.InTx(ctx, func(tx *db.Tx) error {
				n := 0
				for _, r := range rows {
					plain, err := kr.OpenString(r.val, c.Context)
					if err != nil {
						return fmt.Errorf("%s.%s row %d: %w", c.Table, c.Column, r.id, err)
					}
					sealedVal, err := kr.SealString(plain, c.Context)
					if err != nil {
						return err
					}
					if c.Index != "" {
						v := plain
						if c.Normalize != nil {
							v = c.Normalize(v)
						}
						_, err = tx.Exec(ctx, fmt.Sprintf("UPDATE %s SET %s = ?, %s = ? WHERE id = ?", c.Table, c.Column, c.Index), sealedVal, kr.Index(c.IndexKind, v), r.id)
					} else {
						_, err = tx.Exec(ctx, fmt.Sprintf("UPDATE %s SET %s = ? WHERE id = ?", c.Table, c.Column), sealedVal, r.id)
					}
					if err != nil {
						return err
					}
					n++
				}
				e := by
				e.At, e.Action, e.ObjectType, e.Result = clk.Now(), "sealed.reseal", c.Table, audit.OK
				e.Detail = fmt.Sprintf("%d values of %s.%s re-sealed under key %s (ids %d–%d)", n, c.Table, c.Column, kr.Current(), rows[0].id, rows[len(rows)-1].id)
				return audit.Append(ctx, tx, e)
			})
			if err != nil {
				return out, err
			}
			count.Resealed += len(rows)
			last = rows[len(rows)-1].id
		}
		out = append(out, count)
	}
	return out, nil
}
