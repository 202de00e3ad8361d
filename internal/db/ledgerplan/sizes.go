package ledgerplan

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
)

// Table is what the plan machinery knows of a ledger's table (SQLite).
type Table struct {
	Name  string // "petitions"
	Alias string // "p", as the ledger's conditions write it
	// Sized are the columns whose value sizes are counted in the
	// background, each with the index that lists it.
	Sized [][2]string
	// Partial is the term a branch's condition begins with to use its
	// partial index ("p.review_path <> '' AND "): the later branches
	// leave the earlier ones' rows out without it.
	Partial string
}

// from is the table with its alias, for FROM.
func (t *Table) from() string { return t.Name + " " + t.Alias }

// Branch is one index range of a filter that is the union of several (a
// reader's reach, an org subtree).
type Branch struct {
	Index, Cond string
	Args        []any
}

// Union is the SQL of the rows "SELECT cols" read through each branch's
// index with the conditions where (" WHERE …") and their args, as a UNION
// ALL, each branch leaving out the rows of the branches before it; with
// order, each branch is read in that order up to limit rows (the page then
// takes the first of all).
func (t *Table) Union(cols string, branches []Branch, where string, args []any, order string, limit int) (string, []any) {
	var parts []string
	var all []any
	for i, b := range branches {
		cond := b.Cond
		bargs := append([]any(nil), b.Args...)
		for _, prev := range branches[:i] {
			cond += " AND NOT (" + strings.TrimPrefix(prev.Cond, t.Partial) + ")"
			bargs = append(bargs, prev.Args...)
		}
		part := "SELECT " + cols + " FROM " + t.from() + " INDEXED BY " + b.Index + " WHERE " + cond + " AND " + strings.TrimPrefix(where, " WHERE ")
		if order != "" {
			part = "SELECT * FROM (" + part + order + " LIMIT " + strconv.Itoa(limit) + ") b"
		}
		parts = append(parts, part)
		all = append(append(all, bargs...), args...)
	}
	return strings.Join(parts, " UNION ALL "), all
}

// Sizes known (SQLite): how many rows hold each value of the table's Sized
// columns (counted through their indexes in the background at most every
// sizeTTL), and how many a filter holds whose probe reached its cap
// (counted whole in the background after the probe). A plan then knows
// the smallest filter without probing it each time. Sizes only choose a
// plan: stale or missing, they make a page slower, never different.
type Sizes struct {
	mu      sync.Mutex
	at      time.Time
	values  map[string]map[string]int
	running bool
	probes  map[string]*probed
}

// probed is a filter's size counted whole.
type probed struct {
	n       int
	at      time.Time
	running bool
}

const (
	sizeTTL = 10 * time.Minute
	// maxProbed bounds the filters whose sizes are kept (date ranges vary).
	maxProbed = 1000
)

// sizeKey names a table's sizes in one database.
type sizeKey struct {
	d     *db.DB
	table string
}

var sizeCaches sync.Map // sizeKey → *Sizes

// Sizes returns the sizes known of t in d (no values at first), and starts
// counting the values again when they are missing or older than sizeTTL
// at now.
func (t *Table) Sizes(d *db.DB, now time.Time) *Sizes {
	v, _ := sizeCaches.LoadOrStore(sizeKey{d, t.Name}, &Sizes{probes: map[string]*probed{}})
	c := v.(*Sizes)
	c.mu.Lock()
	defer c.mu.Unlock()
	if (c.values == nil || now.Sub(c.at) > sizeTTL || now.Before(c.at)) && !c.running {
		c.running = true
		go func() {
			m := map[string]map[string]int{}
			var err error
			for _, ci := range t.Sized {
				if m[ci[0]], err = t.countValues(context.Background(), d, ci[0], ci[1]); err != nil {
					break
				}
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			c.running = false
			if err == nil {
				c.values, c.at = m, now
			}
		}()
	}
	return c
}

// Known is how many rows hold values of col, when the sizes are counted.
func (c *Sizes) Known(col string, values []string) (n int, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.values == nil {
		return 0, false
	}
	for _, v := range values {
		n += c.values[col][v]
	}
	return n, true
}

// countValues counts the rows of each value of col through index.
func (t *Table) countValues(ctx context.Context, d *db.DB, col, index string) (map[string]int, error) {
	rows, err := d.Query(ctx, "SELECT "+col+", count(*) FROM "+t.Name+" INDEXED BY "+index+" GROUP BY "+col)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var v string
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			return nil, err
		}
		out[v] = n
	}
	return out, rows.Err()
}

// Probe is the number of index entries of parts (an upper bound of the
// filter's rows; a part without index is a condition on the table, or a
// SELECT of its own): known in c, or probed up to probeMax+1 and, when the
// probe reaches it and keep is set, counted whole in the background for
// the next plans. now is the ledger's clock.
func (t *Table) Probe(ctx context.Context, d *db.DB, c *Sizes, now func() time.Time, keep bool, parts []Branch, probeMax int) (int, error) {
	var key string
	if keep {
		var b strings.Builder
		for _, p := range parts {
			fmt.Fprintf(&b, "%s\x00%s\x00%v\x00", p.Index, p.Cond, p.Args)
		}
		key = b.String()
		now := now()
		c.mu.Lock()
		e := c.probes[key]
		if e != nil && !e.running && now.Sub(e.at) <= sizeTTL && !now.Before(e.at) {
			c.mu.Unlock()
			return e.n, nil
		}
		c.mu.Unlock()
	}
	count := func(ctx context.Context, limit string) (int, error) {
		total := 0
		for _, p := range parts {
			inner := p.Cond
			if p.Index != "" {
				inner = "SELECT 1 FROM " + t.from() + " INDEXED BY " + p.Index + " WHERE " + p.Cond
			} else if !strings.HasPrefix(p.Cond, "SELECT") {
				inner = "SELECT 1 FROM " + t.from() + " WHERE " + p.Cond
			}
			var n int
			if err := d.QueryRow(ctx, "SELECT count(*) FROM ("+inner+limit+") x", p.Args...).Scan(&n); err != nil {
				return 0, err
			}
			total += n
		}
		return total, nil
	}
	n, err := count(ctx, " LIMIT "+strconv.Itoa(probeMax+1))
	if err != nil || !keep || n <= probeMax {
		return n, err
	}
	at := now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.probes[key]; e == nil || !e.running {
		if len(c.probes) >= maxProbed {
			c.probes = map[string]*probed{}
		}
		e = &probed{n: n, running: true}
		c.probes[key] = e
		go func() {
			whole, err := count(context.Background(), "")
			c.mu.Lock()
			defer c.mu.Unlock()
			e.running = false
			if err == nil {
				e.n, e.at = whole, at
			} else {
				delete(c.probes, key)
			}
		}()
	}
	return n, nil
}
