// Package audit keeps the trail (留痕): every write, sign-in, refusal and view of
// masked personal data appends a record inside the caller's transaction. The
// records form a hash chain, so that a change or a gap is found by Verify.
// Nothing in Anwen updates or deletes a record; database triggers refuse it too.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
)

// Results.
const (
	OK     = "ok"     // the action happened
	Denied = "denied" // refused by a permission check or a rule
	Failed = "failed" // attempted and failed (wrong password …)
)

// Entry is what a caller appends.
type Entry struct {
	At         time.Time
	UserID     int64 // 0: nobody signed in
	UserLogin  string
	OrgID      int64 // the org the object belongs to, 0 if none
	Action     string
	ObjectType string
	ObjectID   string
	Before     any // digested, not stored: the trail proves, it does not copy personal data
	After      any
	Result     string
	ClientAddr string
	Detail     string
}

// Record is a stored entry.
type Record struct {
	Seq          int64     `json:"seq"`
	At           time.Time `json:"at"`
	UserID       int64     `json:"user_id,omitempty"`
	UserLogin    string    `json:"user_login"`
	OrgID        int64     `json:"org_id,omitempty"`
	Action       string    `json:"action"`
	ObjectType   string    `json:"object_type"`
	ObjectID     string    `json:"object_id"`
	BeforeDigest string    `json:"before_digest"`
	AfterDigest  string    `json:"after_digest"`
	Result       string    `json:"result"`
	ClientAddr   string    `json:"client_addr"`
	Detail       string    `json:"detail"`
	PrevHash     string    `json:"prev_hash"`
	Hash         string    `json:"hash"`
}

// Digest returns the SHA-256 of v's JSON form, or "" for nil.
func Digest(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(fmt.Sprintf("%#v", v))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Append adds e to the chain inside tx. Updating audit_head first takes its
// row lock, so concurrent writers on PostgreSQL line up behind one another and
// the chain never forks.
func Append(ctx context.Context, tx *db.Tx, e Entry) error {
	if e.Action == "" || e.Result == "" {
		return fmt.Errorf("audit: action and result are required")
	}
	r := Record{
		At: e.At.UTC().Truncate(time.Microsecond), UserID: e.UserID, UserLogin: e.UserLogin, OrgID: e.OrgID,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
		BeforeDigest: Digest(e.Before), AfterDigest: Digest(e.After),
		Result: e.Result, ClientAddr: e.ClientAddr, Detail: e.Detail,
	}
	// The head is locked, moved and read in one statement: a round trip
	// less for every audited write (the clock engine's sweeps audit each
	// phase).
	if err := tx.QueryRow(ctx, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").Scan(&r.Seq, &r.PrevHash); err != nil {
		return fmt.Errorf("audit: lock head: %w", err)
	}
	r.Hash = r.computeHash()
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, at, user_id, user_login, org_id, action, object_type, object_id,
		before_digest, after_digest, result, client_addr, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, r.At, nullID(r.UserID), r.UserLogin, nullID(r.OrgID), r.Action, r.ObjectType, r.ObjectID,
		r.BeforeDigest, r.AfterDigest, r.Result, r.ClientAddr, r.Detail, r.PrevHash, r.Hash); err != nil {
		return fmt.Errorf("audit: insert: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE audit_head SET hash = ? WHERE id = 1", r.Hash); err != nil {
		return fmt.Errorf("audit: move head: %w", err)
	}
	return nil
}

// AppendAlone records e in a transaction of its own: for events with no
// business write beside them (a failed sign-in, a refusal).
func AppendAlone(ctx context.Context, d *db.DB, e Entry) error {
	return d.InTx(ctx, func(tx *db.Tx) error { return Append(ctx, tx, e) })
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// computeHash chains the record to the one before it.
func (r Record) computeHash() string {
	fields := []string{
		r.PrevHash, strconv.FormatInt(r.Seq, 10), r.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(r.UserID, 10), r.UserLogin, strconv.FormatInt(r.OrgID, 10),
		r.Action, r.ObjectType, r.ObjectID, r.BeforeDigest, r.AfterDigest,
		r.Result, r.ClientAddr, r.Detail,
	}
	h := sha256.New()
	for _, f := range fields {
		// Length-prefixed, so that no two field lists hash alike.
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

const columns = `seq, at, COALESCE(user_id, 0), user_login, COALESCE(org_id, 0), action, object_type, object_id,
	before_digest, after_digest, result, client_addr, detail, prev_hash, hash`

func scan(rows *sql.Rows) (Record, error) {
	var r Record
	err := rows.Scan(&r.Seq, &r.At, &r.UserID, &r.UserLogin, &r.OrgID, &r.Action, &r.ObjectType, &r.ObjectID,
		&r.BeforeDigest, &r.AfterDigest, &r.Result, &r.ClientAddr, &r.Detail, &r.PrevHash, &r.Hash)
	r.At = r.At.UTC()
	return r, err
}

// VerifyResult says how far the chain holds.
type VerifyResult struct {
	Checked  int64 // records read
	FirstBad int64 // seq of the first record that does not match; 0 when the chain is whole
	Reason   string
}

// Verify walks the whole chain in order and names the first record whose hash,
// link or sequence does not match.
func Verify(ctx context.Context, q db.Querier) (VerifyResult, error) {
	var res VerifyResult
	rows, err := q.Query(ctx, "SELECT "+columns+" FROM audit_log ORDER BY seq")
	if err != nil {
		return res, err
	}
	defer rows.Close()
	prev := ""
	var want int64 = 1
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return res, err
		}
		res.Checked++
		switch {
		case r.Seq != want:
			res.FirstBad, res.Reason = r.Seq, fmt.Sprintf("sequence gap: expected record %d, found %d", want, r.Seq)
		case r.PrevHash != prev:
			res.FirstBad, res.Reason = r.Seq, "link to the previous record does not match"
		case r.computeHash() != r.Hash:
			res.FirstBad, res.Reason = r.Seq, "content does not match its hash"
		}
		if res.FirstBad != 0 {
			return res, nil
		}
		prev = r.Hash
		want++
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	var headSeq int64
	var headHash string
	if err := q.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
		return res, err
	}
	if headSeq != want-1 || headHash != prev {
		res.FirstBad, res.Reason = want, fmt.Sprintf("the chain ends at record %d but its head says %d: records are missing at the end", want-1, headSeq)
	}
	return res, nil
}

// Filter narrows a search.
type Filter struct {
	From, To   time.Time // To exclusive; zero means open
	UserLogin  string
	Action     string // prefix, e.g. "user." or "auth.signin"
	ObjectType string
	ObjectID   string
	Result     string
	AfterSeq   int64 // for paging backwards: records with seq < BeforeSeq
	BeforeSeq  int64
	Limit      int
}

// Search returns matching records, newest first.
func Search(ctx context.Context, q db.Querier, f Filter) ([]Record, error) {
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if !f.From.IsZero() {
		add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UTC())
	}
	if f.UserLogin != "" {
		add("user_login = ?", f.UserLogin)
	}
	if f.Action != "" {
		add("action LIKE ?", strings.NewReplacer("%", "", "_", "").Replace(f.Action)+"%")
	}
	if f.ObjectType != "" {
		add("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = ?", f.ObjectID)
	}
	if f.Result != "" {
		add("result = ?", f.Result)
	}
	if f.BeforeSeq > 0 {
		add("seq < ?", f.BeforeSeq)
	}
	if f.AfterSeq > 0 {
		add("seq > ?", f.AfterSeq)
	}
	query := "SELECT " + columns + " FROM audit_log"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 200
	}
	query += " ORDER BY seq DESC LIMIT " + strconv.Itoa(f.Limit)
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CSVHeader names the columns of CSV (and Excel) exports.
var CSVHeader = []string{"seq", "time", "user_id", "user", "org_id", "action", "object_type", "object_id", "result", "client_addr", "detail", "before_digest", "after_digest", "hash"}

// CSV returns the record as a row under CSVHeader; times in Asia/Shanghai.
func (r Record) CSV() []string {
	return []string{strconv.FormatInt(r.Seq, 10), r.At.In(shanghai).Format("2006-01-02 15:04:05"), strconv.FormatInt(r.UserID, 10), r.UserLogin,
		strconv.FormatInt(r.OrgID, 10), r.Action, r.ObjectType, r.ObjectID, r.Result, r.ClientAddr, r.Detail, r.BeforeDigest, r.AfterDigest, r.Hash}
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()
