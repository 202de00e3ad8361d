package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
)

// Appender is Append for hot paths: the same record, the same chain and the
// same lock on audit_head, with prepared statements (db.Stmt) and the head
// moved and read in one statement. The daily report's deadline burst appends
// thousands of records a second inside group commits; on SQLite, parsing
// Append's four statements each time was the largest single cost of a
// submission (see docs/benchmarks.md, issue 3).
type Appender struct {
	head, insert, move *db.Stmt
	// AppendMany's statements: the head moved by n, and multi-row inserts
	// of the sizes in chunkSizes; on PostgreSQL one statement takes arrays
	// and moves the head too.
	headN  *db.Stmt
	many   map[int]*db.Stmt
	manyPG *db.Stmt
}

// chunkSizes are the multi-row INSERTs AppendMany uses (largest first): a
// few fixed statement texts, each prepared once, write any number of records.
var chunkSizes = []int{128, 64, 32, 16, 8, 4, 2, 1}

const logColumns = `INSERT INTO audit_log (seq, at, user_id, user_login, org_id, action, object_type, object_id,
		before_digest, after_digest, result, client_addr, detail, prev_hash, hash) VALUES `

const logRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// NewAppender makes an Appender for d; no database work is done.
func NewAppender(d *db.DB) *Appender {
	p := &Appender{
		// Taking the row lock first, as Append does, so that writers line up.
		head:   d.NewStmt("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"),
		insert: d.NewStmt(logColumns + logRow),
		move:   d.NewStmt("UPDATE audit_head SET hash = ? WHERE id = 1"),
		headN:  d.NewStmt("UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash"),
		many:   map[int]*db.Stmt{},
		manyPG: d.NewStmt(`WITH ins AS (INSERT INTO audit_log (seq, at, user_id, user_login, org_id, action, object_type, object_id,
		before_digest, after_digest, result, client_addr, detail, prev_hash, hash)
		SELECT * FROM unnest(?::bigint[], ?::timestamptz[], ?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[],
			?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]))
		UPDATE audit_head SET hash = ? WHERE id = 1`),
	}
	for _, n := range chunkSizes {
		p.many[n] = d.NewStmt(logColumns + strings.TrimSuffix(strings.Repeat(logRow+", ", n), ", "))
	}
	return p
}

// Prepare prepares the statements; call it outside any transaction (see db.Stmt.Prepare).
func (p *Appender) Prepare(ctx context.Context) error {
	all := []*db.Stmt{p.head, p.insert, p.move, p.headN}
	for _, n := range chunkSizes {
		all = append(all, p.many[n])
	}
	for _, s := range all {
		if err := s.Prepare(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Append adds e to the chain inside tx, exactly as the package's Append does.
func (p *Appender) Append(ctx context.Context, tx *db.Tx, e Entry) error {
	if e.Action == "" || e.Result == "" {
		return fmt.Errorf("audit: action and result are required")
	}
	r := Record{
		At: e.At.UTC().Truncate(time.Microsecond), UserID: e.UserID, UserLogin: e.UserLogin, OrgID: e.OrgID,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
		BeforeDigest: Digest(e.Before), AfterDigest: Digest(e.After),
		Result: e.Result, ClientAddr: e.ClientAddr, Detail: e.Detail,
	}
	if err := tx.QueryRowStmt(ctx, p.head).Scan(&r.Seq, &r.PrevHash); err != nil {
		return fmt.Errorf("audit: lock head: %w", err)
	}
	r.Hash = r.computeHash()
	if _, err := tx.ExecStmt(ctx, p.insert,
		r.Seq, r.At, nullID(r.UserID), r.UserLogin, nullID(r.OrgID), r.Action, r.ObjectType, r.ObjectID,
		r.BeforeDigest, r.AfterDigest, r.Result, r.ClientAddr, r.Detail, r.PrevHash, r.Hash); err != nil {
		return fmt.Errorf("audit: insert: %w", err)
	}
	if _, err := tx.ExecStmt(ctx, p.move, r.Hash); err != nil {
		return fmt.Errorf("audit: move head: %w", err)
	}
	return nil
}

// AppendMany adds es to the chain inside tx, in order: the same records, seq
// and hashes as calling Append for each in turn, with the head locked and
// moved once and the records written by a few multi-row INSERTs.
func (p *Appender) AppendMany(ctx context.Context, tx *db.Tx, es []Entry) error {
	if len(es) == 0 {
		return nil
	}
	recs := make([]Record, len(es))
	for i, e := range es {
		if e.Action == "" || e.Result == "" {
			return fmt.Errorf("audit: action and result are required")
		}
		recs[i] = Record{
			At: e.At.UTC().Truncate(time.Microsecond), UserID: e.UserID, UserLogin: e.UserLogin, OrgID: e.OrgID,
			Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
			BeforeDigest: Digest(e.Before), AfterDigest: Digest(e.After),
			Result: e.Result, ClientAddr: e.ClientAddr, Detail: e.Detail,
		}
	}
	var last int64
	var prev string
	if err := tx.QueryRowStmt(ctx, p.headN, len(es)).Scan(&last, &prev); err != nil {
		return fmt.Errorf("audit: lock head: %w", err)
	}
	seq := last - int64(len(es))
	for i := range recs {
		seq++
		recs[i].Seq, recs[i].PrevHash = seq, prev
		recs[i].Hash = recs[i].computeHash()
		prev = recs[i].Hash
	}
	if tx.D() == db.Postgres {
		return p.appendPG(ctx, tx, recs)
	}
	for len(recs) > 0 {
		n := chunkSizes[len(chunkSizes)-1]
		for _, c := range chunkSizes {
			if c <= len(recs) {
				n = c
				break
			}
		}
		args := make([]any, 0, n*15)
		for _, r := range recs[:n] {
			args = append(args, r.Seq, r.At, nullID(r.UserID), r.UserLogin, nullID(r.OrgID), r.Action, r.ObjectType, r.ObjectID,
				r.BeforeDigest, r.AfterDigest, r.Result, r.ClientAddr, r.Detail, r.PrevHash, r.Hash)
		}
		if _, err := tx.ExecStmt(ctx, p.many[n], args...); err != nil {
			return fmt.Errorf("audit: insert: %w", err)
		}
		recs = recs[n:]
	}
	if _, err := tx.ExecStmt(ctx, p.move, prev); err != nil {
		return fmt.Errorf("audit: move head: %w", err)
	}
	return nil
}

// appendPG writes the records and moves the head in one round trip.
func (p *Appender) appendPG(ctx context.Context, tx *db.Tx, recs []Record) error {
	n := len(recs)
	seq, users, orgs := make([]int64, n), make([]*int64, n), make([]*int64, n)
	at := make([]time.Time, n)
	cols := make([][]string, 10)
	for c := range cols {
		cols[c] = make([]string, n)
	}
	for i, r := range recs {
		seq[i], at[i] = r.Seq, r.At
		if r.UserID != 0 {
			users[i] = &recs[i].UserID
		}
		if r.OrgID != 0 {
			orgs[i] = &recs[i].OrgID
		}
		for c, v := range []string{r.UserLogin, r.Action, r.ObjectType, r.ObjectID, r.BeforeDigest, r.AfterDigest, r.Result, r.ClientAddr, r.Detail, r.PrevHash} {
			cols[c][i] = v
		}
	}
	hashes := make([]string, n)
	for i, r := range recs {
		hashes[i] = r.Hash
	}
	if _, err := tx.ExecStmt(ctx, p.manyPG, seq, at, users, cols[0], orgs, cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8], cols[9], hashes,
		recs[n-1].Hash); err != nil {
		return fmt.Errorf("audit: insert: %w", err)
	}
	return nil
}
