package dailyreport

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// The submission path at the deadline burst (docs/benchmarks.md, issue 3):
// the unit and its tier come from one read, the schedule from a short cache,
// every statement is prepared once (db.Stmt), and the submissions that share
// a group commit are written together by a few multi-row statements
// (insertMany) — the same rows and audit records as one by one.

// ScheduleReloadEvery bounds how long a cached schedule is used before it is
// read again; a change made on this server applies at once, one made on
// another server sharing the database within this time.
const ScheduleReloadEvery = 5 * time.Second

// hotPath holds the prepared statements and the schedule cache of a Service.
type hotPath struct {
	once                                                     sync.Once
	byID, byToken, unitsPG, version, insertReport, upsertDay *db.Stmt
	audit                                                    *audit.Appender
	// Multi-row forms for insertMany, by rows per statement; on PostgreSQL
	// statements that take arrays, whatever the number of rows.
	reports, days       map[int]*db.Stmt
	versionsPG, writePG *db.Stmt
	group               db.Group

	mu       sync.Mutex
	prepared bool

	schedMu  sync.Mutex
	sched    *Schedule
	schedAt  time.Time
	schedGen uint64
}

// chunkSizes are the multi-row statement sizes (largest first): a few fixed
// texts, each prepared once, write any number of rows.
var chunkSizes = []int{128, 64, 32, 16, 8, 4, 2, 1}

// chunk returns the largest chunk size that fits n (n > 0).
func chunk(n int) int {
	for _, c := range chunkSizes {
		if c <= n {
			return c
		}
	}
	return 1
}

func rows(n int, row string) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

const unitCols = `o.id, o.parent_id, o.name, o.kind, COALESCE(o.code, ''), o.depth, o.sort, o.path, u.reports, COALESCE(u.tier, '')`

const (
	reportInsert = `INSERT INTO daily_reports (org_id, day, version, submitted_at, user_id, channel, on_behalf,
		safety_nothing, stability_nothing, receipt, late, corrected_late) VALUES `
	reportRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	dayInsert = `INSERT INTO report_days (org_id, day, tier, status, deadline_at, first_at, minutes_late, versions, classified_at) VALUES `
	dayRow    = "(?, ?, ?, ?, ?, ?, ?, 1, ?)"
	// The first submission decides; a day already classified missing becomes late.
	dayConflict = `
		ON CONFLICT (org_id, day) DO UPDATE SET versions = report_days.versions + 1,
			status = CASE WHEN report_days.status = 'missing' THEN 'late' ELSE report_days.status END,
			first_at = COALESCE(report_days.first_at, excluded.first_at),
			minutes_late = CASE WHEN report_days.status = 'missing' THEN excluded.minutes_late ELSE report_days.minutes_late END`
)

// stmts returns the statements, prepared for writes (outside any transaction).
func (s *Service) stmts(ctx context.Context) (*hotPath, error) {
	h := &s.hot
	h.once.Do(func() {
		h.byID = s.DB.NewStmt(`SELECT ` + unitCols + ` FROM orgs o LEFT JOIN report_units u ON u.org_id = o.id WHERE o.id = ?`)
		h.byToken = s.DB.NewStmt(`SELECT ` + unitCols + ` FROM report_ping_tokens t JOIN orgs o ON o.id = t.org_id
			LEFT JOIN report_units u ON u.org_id = o.id WHERE t.token_hash = ?`)
		h.unitsPG = s.DB.NewStmt(`SELECT t.token_hash, ` + unitCols + ` FROM report_ping_tokens t JOIN orgs o ON o.id = t.org_id
			LEFT JOIN report_units u ON u.org_id = o.id WHERE t.token_hash = ANY(?::text[])
			UNION ALL SELECT '', ` + unitCols + ` FROM orgs o LEFT JOIN report_units u ON u.org_id = o.id WHERE o.id = ANY(?::bigint[])`)
		h.version = s.DB.NewStmt("SELECT COALESCE(MAX(version), 0) FROM daily_reports WHERE org_id = ? AND day = ?")
		h.insertReport = s.DB.NewStmt(reportInsert + reportRow + " RETURNING id")
		h.upsertDay = s.DB.NewStmt(dayInsert + dayRow + dayConflict + " RETURNING status")
		h.audit = audit.NewAppender(s.DB)
		h.reports, h.days = map[int]*db.Stmt{}, map[int]*db.Stmt{}
		for _, n := range chunkSizes {
			h.reports[n] = s.DB.NewStmt(reportInsert + rows(n, reportRow) + " RETURNING id, receipt")
			h.days[n] = s.DB.NewStmt(dayInsert + rows(n, dayRow) + dayConflict + " RETURNING org_id, day, status")
		}
		h.versionsPG = s.DB.NewStmt(`SELECT d.org_id, d.day, MAX(d.version) FROM daily_reports d
			JOIN unnest(?::bigint[], ?::text[]) AS k(org_id, day) ON d.org_id = k.org_id AND d.day = k.day GROUP BY d.org_id, d.day`)
		// The reports and their unit-days in one round trip.
		h.writePG = s.DB.NewStmt(`WITH r AS (` + reportInsert[:strings.Index(reportInsert, "VALUES")] + `
			SELECT * FROM unnest(?::bigint[], ?::text[], ?::int[], ?::timestamptz[], ?::bigint[], ?::text[], ?::bool[], ?::bool[], ?::bool[], ?::text[], ?::bool[], ?::bool[])
			RETURNING id, receipt
		), d AS (` + dayInsert[:strings.Index(dayInsert, "VALUES")] + `
			SELECT o, dy, t, st, dl, f, m, 1, c FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::int[], ?::timestamptz[])
				AS x(o, dy, t, st, dl, f, m, c)` + dayConflict + `
			RETURNING org_id, day, status
		)
		SELECT 'r', id, receipt, '' FROM r UNION ALL SELECT 'd', org_id, day, status FROM d`)
		h.group.Run = s.insertMany
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.prepared {
		all := []*db.Stmt{h.version, h.insertReport, h.upsertDay}
		for _, n := range chunkSizes {
			all = append(all, h.reports[n], h.days[n])
		}
		for _, st := range all {
			if err := st.Prepare(ctx); err != nil {
				return nil, err
			}
		}
		if err := h.audit.Prepare(ctx); err != nil {
			return nil, err
		}
		h.prepared = true
	}
	return h, nil
}

// unitTier is TierOf on a row that carries report_units' columns.
func unitTier(o *org.Org, reports sql.NullBool, tier string) string {
	switch {
	case !reports.Valid:
		if org.Territorial(o.Kind) {
			return TierTownship
		}
		return ""
	case !reports.Bool:
		return ""
	}
	return tier
}

// scanUnit reads unitCols, after the columns of lead if any.
func scanUnit(row interface{ Scan(...any) error }, lead ...any) (*org.Org, string, error) {
	o := &org.Org{}
	var parent sql.NullInt64
	var reports sql.NullBool
	var tier string
	if err := row.Scan(append(lead, &o.ID, &parent, &o.Name, &o.Kind, &o.Code, &o.Depth, &o.Sort, &o.Path, &reports, &tier)...); err != nil {
		return nil, "", err
	}
	if parent.Valid {
		o.ParentID = &parent.Int64
	}
	return o, unitTier(o, reports, tier), nil
}

// unit is a reporting unit with its tier ("" when it does not report).
type unit struct {
	o    *org.Org
	tier string
}

// Unknown units: an org id, or an unknown or rotated check-in token.
var (
	errNoOrg   = apperr.NotFound("organisation")
	errNoToken = apperr.NotFound("check-in address")
)

// unitOf reads the unit p reports for (by org id, or by check-in token)
// and its tier, inside p's write.
func (s *Service) unitOf(ctx context.Context, tx *db.Tx, h *hotPath, p *submission) (unit, error) {
	var o *org.Org
	var tier string
	var err error
	if p.token != "" {
		if o, tier, err = scanUnit(tx.QueryRowStmt(ctx, h.byToken, p.token)); errors.Is(err, sql.ErrNoRows) {
			err = errNoToken
		}
	} else if o, tier, err = scanUnit(tx.QueryRowStmt(ctx, h.byID, p.orgID)); errors.Is(err, sql.ErrNoRows) {
		err = errNoOrg
	}
	return unit{o, tier}, err
}

// resolveUnits reads the units of a group's submissions in one query and
// admits each; it returns those left to write. One whose unit is unknown,
// refused to its actor or not reporting keeps its error in p.err.
func (s *Service) resolveUnits(ctx context.Context, tx *db.Tx, h *hotPath, subs []*submission) ([]*submission, error) {
	var hashes []string
	var ids []int64
	for _, p := range subs {
		p.o, p.err, p.denied = nil, nil, false
		if p.token != "" {
			hashes = append(hashes, p.token)
		} else {
			ids = append(ids, p.orgID)
		}
	}
	// The key is the token's hash, or "" for a unit asked for by id.
	const byToken = `SELECT t.token_hash, ` + unitCols + ` FROM report_ping_tokens t JOIN orgs o ON o.id = t.org_id
		LEFT JOIN report_units u ON u.org_id = o.id WHERE t.token_hash `
	const byID = `SELECT '', ` + unitCols + ` FROM orgs o LEFT JOIN report_units u ON u.org_id = o.id WHERE o.id `
	var rs *sql.Rows
	var err error
	if tx.D() == db.Postgres {
		rs, err = tx.QueryStmt(ctx, h.unitsPG, hashes, ids)
	} else {
		var parts []string
		var args []any
		if len(hashes) > 0 {
			parts = append(parts, byToken+"IN ("+marks(len(hashes))+")")
			for _, x := range hashes {
				args = append(args, x)
			}
		}
		if len(ids) > 0 {
			parts = append(parts, byID+"IN ("+marks(len(ids))+")")
			for _, x := range ids {
				args = append(args, x)
			}
		}
		rs, err = tx.Query(ctx, strings.Join(parts, " UNION ALL "), args...)
	}
	if err != nil {
		return nil, err
	}
	tokens, orgs := make(map[string]unit, len(hashes)), make(map[int64]unit, len(ids))
	for rs.Next() {
		var hash string
		o, tier, err := scanUnit(rs, &hash)
		if err != nil {
			rs.Close()
			return nil, err
		}
		if hash != "" {
			tokens[hash] = unit{o, tier}
		} else {
			orgs[o.ID] = unit{o, tier}
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	live := subs[:0:0]
	for _, p := range subs {
		u, ok := orgs[p.orgID]
		p.err = errNoOrg
		if p.token != "" {
			u, ok = tokens[p.token]
			p.err = errNoToken
		}
		if ok {
			p.err = s.admit(ctx, p, u)
		}
		if p.err == nil {
			live = append(live, p)
		}
	}
	return live, nil
}

// schedule returns the schedule, read at most every ScheduleReloadEvery.
func (s *Service) schedule(ctx context.Context) (*Schedule, error) {
	h := &s.hot
	now := s.Clock.Now()
	h.schedMu.Lock()
	if h.sched != nil && !now.Before(h.schedAt) && now.Sub(h.schedAt) < ScheduleReloadEvery {
		sch := h.sched
		h.schedMu.Unlock()
		return sch, nil
	}
	gen := h.schedGen
	h.schedMu.Unlock()
	sch, err := LoadSchedule(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	h.schedMu.Lock()
	if h.schedGen == gen {
		h.sched, h.schedAt = sch, now
	}
	h.schedMu.Unlock()
	return sch, nil
}

// forgetSchedule drops the cached schedule after a change.
func (s *Service) forgetSchedule() {
	h := &s.hot
	h.schedMu.Lock()
	h.schedGen++
	h.sched = nil
	h.schedMu.Unlock()
}

// submission is one report being written: what was checked before the
// write, and the receipt the write fills in.
type submission struct {
	now     time.Time
	a       *auth.Actor
	channel string
	o       *org.Org
	day     Day
	in      Input
	rec     Receipt
	// The unit is named by orgID, or for a check-in (ping) by the hash of
	// its token, and read by the write (resolveUnits); date is the day
	// reported for; err is what the write found wrong with this one (the
	// group's others go on), denied whether that was a refusal.
	orgID  int64
	token  string
	date   calendar.Date
	err    error
	denied bool
}

// setVersion fixes the version and what follows from it.
func (p *submission) setVersion(v int) {
	p.rec.Version = v
	p.rec.Receipt = newReceipt(p.day.Date)
	p.rec.Late = v == 1 && p.afterDeadline() && p.day.Required
}

func (p *submission) afterDeadline() bool { return p.now.After(p.day.Deadline) }

func (p *submission) onBehalf() bool { return p.a != nil && p.a.OrgID != p.o.ID }

// reportArgs are the values of one daily_reports row (reportRow).
func (p *submission) reportArgs() []any {
	var userID any
	if p.a != nil {
		userID = p.a.UserID
	}
	return []any{p.o.ID, p.day.Date.String(), p.rec.Version, p.now, userID, p.channel, p.onBehalf(),
		p.in.Safety.NothingToReport, p.in.Stability.NothingToReport, p.rec.Receipt, p.rec.Late, p.rec.Version > 1 && p.afterDeadline()}
}

// items are the report's items in the order of itemRows.
func (p *submission) items() []Item {
	var out []Item
	for _, h := range []*Half{p.in.Safety, p.in.Stability} {
		out = append(out, h.Items...)
	}
	return out
}

// itemRows are the values of the report's daily_report_items rows.
func (p *submission) itemRows() [][]any {
	var out [][]any
	for _, h := range []struct {
		name string
		half *Half
	}{{"safety", p.in.Safety}, {"stability", p.in.Stability}} {
		for _, it := range h.half.Items {
			out = append(out, []any{p.rec.ID, h.name, it.Category, it.Summary, it.Place, it.OccurredAt, it.Severity, it.FollowUp})
		}
	}
	return out
}

// dayArgs are the values of the unit-day's report_days row (dayRow).
func (p *submission) dayArgs() []any {
	status, minutes := OnTime, 0
	if p.afterDeadline() {
		status, minutes = Late, int(p.now.Sub(p.day.Deadline).Minutes())
	}
	return []any{p.o.ID, p.day.Date.String(), p.day.Tier, status, p.day.Deadline, p.now, minutes, p.now}
}

// entry is the audit record of the submission, once written.
func (p *submission) entry() audit.Entry {
	e := audit.Entry{At: p.now, OrgID: p.o.ID, Action: "dailyreport.submit", ObjectType: "daily_report", ObjectID: strconv.FormatInt(p.rec.ID, 10),
		After: p.in, Result: audit.OK, Detail: fmt.Sprintf("%s v%d %s via %s", p.day.Date, p.rec.Version, p.rec.Status, p.channel)}
	if p.a != nil {
		e.UserID, e.UserLogin, e.ClientAddr = p.a.UserID, p.a.Login, p.a.ClientAddr
		if p.onBehalf() {
			e.Detail += " on behalf"
		}
	} else {
		e.UserLogin = "(check-in address)"
	}
	return e
}

// errSameUnitDay sends a group with two submissions for one unit-day to the
// one-by-one path, which numbers their versions in order.
var errSameUnitDay = errors.New("dailyreport: two submissions for one unit-day in a group")

// insertMany writes the submissions of one group commit together: what
// insert writes for each, in the same order, with a few multi-row statements.
func (s *Service) insertMany(ctx context.Context, tx *db.Tx, items []any) error {
	h := &s.hot
	subs := make([]*submission, len(items))
	for i, it := range items {
		subs[i] = it.(*submission)
	}
	subs, err := s.resolveUnits(ctx, tx, h, subs)
	if err != nil || len(subs) == 0 {
		return err
	}
	type unitDay struct {
		org int64
		day string
	}
	seen := make(map[unitDay]bool, len(subs))
	var orgIDs, days []any
	dayIn := map[string]bool{}
	for _, p := range subs {
		k := unitDay{p.o.ID, p.day.Date.String()}
		if seen[k] {
			return errSameUnitDay
		}
		seen[k] = true
		orgIDs = append(orgIDs, p.o.ID)
		if !dayIn[k.day] {
			dayIn[k.day] = true
			days = append(days, k.day)
		}
	}
	// Versions already on record.
	versions := make(map[unitDay]int)
	var vr *sql.Rows
	if tx.D() == db.Postgres {
		ids, ds := make([]int64, len(subs)), make([]string, len(subs))
		for i, p := range subs {
			ids[i], ds[i] = p.o.ID, p.day.Date.String()
		}
		vr, err = tx.QueryStmt(ctx, h.versionsPG, ids, ds)
	} else {
		vr, err = tx.Query(ctx, "SELECT org_id, day, MAX(version) FROM daily_reports WHERE day IN ("+marks(len(days))+") AND org_id IN ("+
			marks(len(orgIDs))+") GROUP BY org_id, day", append(days, orgIDs...)...)
	}
	if err != nil {
		return err
	}
	for vr.Next() {
		var k unitDay
		var v int
		if err := vr.Scan(&k.org, &k.day, &v); err != nil {
			vr.Close()
			return err
		}
		versions[k] = v
	}
	vr.Close()
	if err := vr.Err(); err != nil {
		return err
	}
	// The reports.
	byReceipt := make(map[string]*submission, len(subs))
	for _, p := range subs {
		p.rec = Receipt{}
		p.setVersion(versions[unitDay{p.o.ID, p.day.Date.String()}] + 1)
		byReceipt[p.rec.Receipt] = p
	}
	if tx.D() == db.Postgres {
		if err := s.writePG(ctx, tx, h, subs, byReceipt); err != nil {
			return err
		}
	} else if err := eachChunk(len(subs), func(lo, n int) error {
		args := make([]any, 0, n*12)
		for _, p := range subs[lo : lo+n] {
			args = append(args, p.reportArgs()...)
		}
		rs, err := tx.QueryStmt(ctx, h.reports[n], args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			var receipt string
			if err := rs.Scan(&id, &receipt); err != nil {
				return err
			}
			if p := byReceipt[receipt]; p != nil {
				p.rec.ID = id
			}
		}
		return rs.Err()
	}); err != nil {
		return err
	}
	// Their items, if any.
	var itemRows [][]any
	for _, p := range subs {
		if p.rec.ID == 0 {
			return fmt.Errorf("dailyreport: no id returned for receipt %s", p.rec.Receipt)
		}
		itemRows = append(itemRows, p.itemRows()...)
	}
	for len(itemRows) > 0 {
		n := min(len(itemRows), 100)
		var args []any
		for _, r := range itemRows[:n] {
			args = append(args, r...)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO daily_report_items (report_id, half, category, summary, place, occurred_at, severity, follow_up) VALUES `+
			rows(n, "(?, ?, ?, ?, ?, ?, ?, ?)"), args...); err != nil {
			return err
		}
		itemRows = itemRows[n:]
	}
	// The unit-days of reporting days, and the status each reply gives
	// (on PostgreSQL written above, with the reports).
	var required []*submission
	for _, p := range subs {
		if p.day.Required {
			required = append(required, p)
		} else {
			p.rec.Status = NotRequired
		}
	}
	if tx.D() == db.Postgres {
		for _, p := range required {
			if p.rec.Status == "" {
				return fmt.Errorf("dailyreport: no status returned for %d %s", p.o.ID, p.day.Date)
			}
		}
	} else if err := eachChunk(len(required), func(lo, n int) error {
		args := make([]any, 0, n*8)
		byKey := make(map[unitDay]*submission, n)
		for _, p := range required[lo : lo+n] {
			args = append(args, p.dayArgs()...)
			byKey[unitDay{p.o.ID, p.day.Date.String()}] = p
		}
		rs, err := tx.QueryStmt(ctx, h.days[n], args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		got := 0
		for rs.Next() {
			var k unitDay
			var status string
			if err := rs.Scan(&k.org, &k.day, &status); err != nil {
				return err
			}
			if p := byKey[k]; p != nil {
				p.rec.Status = status
				got++
			}
		}
		if err := rs.Err(); err != nil {
			return err
		}
		if got != n {
			return fmt.Errorf("dailyreport: %d unit-days returned, want %d", got, n)
		}
		return nil
	}); err != nil {
		return err
	}
	// The trail, in the same order.
	entries := make([]audit.Entry, len(subs))
	for i, p := range subs {
		entries[i] = p.entry()
	}
	return h.audit.AppendMany(ctx, tx, entries)
}

// eachChunk calls fn over [0, n) in chunks of chunkSizes.
func eachChunk(n int, fn func(lo, size int) error) error {
	for lo := 0; lo < n; {
		c := chunk(n - lo)
		if err := fn(lo, c); err != nil {
			return err
		}
		lo += c
	}
	return nil
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// writePG writes the reports of subs and their unit-days in one statement
// (arrays as parameters) and fills in the ids and statuses.
func (s *Service) writePG(ctx context.Context, tx *db.Tx, h *hotPath, subs []*submission, byReceipt map[string]*submission) error {
	n := len(subs)
	orgs, versions := make([]int64, n), make([]int32, n)
	days, channels, receipts := make([]string, n), make([]string, n), make([]string, n)
	at := make([]time.Time, n)
	users := make([]*int64, n)
	behalf, safety, stability, late, corrected := make([]bool, n), make([]bool, n), make([]bool, n), make([]bool, n), make([]bool, n)
	var dOrg []int64
	var dDay, dTier, dStatus []string
	var dDeadline, dFirst, dClassified []time.Time
	var dMinutes []int32
	for i, p := range subs {
		a := p.reportArgs()
		orgs[i], days[i], versions[i], at[i] = p.o.ID, a[1].(string), int32(p.rec.Version), p.now
		if p.a != nil {
			users[i] = &p.a.UserID
		}
		channels[i], behalf[i], safety[i], stability[i] = p.channel, a[6].(bool), a[7].(bool), a[8].(bool)
		receipts[i], late[i], corrected[i] = p.rec.Receipt, a[10].(bool), a[11].(bool)
		if p.day.Required {
			d := p.dayArgs()
			dOrg = append(dOrg, p.o.ID)
			dDay = append(dDay, d[1].(string))
			dTier = append(dTier, d[2].(string))
			dStatus = append(dStatus, d[3].(string))
			dDeadline = append(dDeadline, d[4].(time.Time))
			dFirst = append(dFirst, d[5].(time.Time))
			dMinutes = append(dMinutes, int32(d[6].(int)))
			dClassified = append(dClassified, d[7].(time.Time))
		}
	}
	type unitDay struct {
		org int64
		day string
	}
	byKey := make(map[unitDay]*submission, n)
	for _, p := range subs {
		byKey[unitDay{p.o.ID, p.day.Date.String()}] = p
	}
	rs, err := tx.QueryStmt(ctx, h.writePG, orgs, days, versions, at, users, channels, behalf, safety, stability, receipts, late, corrected,
		dOrg, dDay, dTier, dStatus, dDeadline, dFirst, dMinutes, dClassified)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var kind, text, status string
		var id int64
		if err := rs.Scan(&kind, &id, &text, &status); err != nil {
			return err
		}
		switch kind {
		case "r":
			if p := byReceipt[text]; p != nil {
				p.rec.ID = id
			}
		case "d":
			if p := byKey[unitDay{id, text}]; p != nil {
				p.rec.Status = status
			}
		}
	}
	return rs.Err()
}
