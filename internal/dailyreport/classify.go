package dailyreport

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/deadline"
	"github.com/anwen-gov/anwen/internal/org"
)

// Obligation kinds of the daily report in the clock engine.
const (
	KindDeadline = "dailyreport.deadline" // key "tier/date": classify at the deadline
	KindRemind   = "dailyreport.remind"   // key "minutes/tier/date": remind units that have not reported
	// KindMissing tells who is missing after a deadline, key "tier/date/n":
	// the desks' digest and escalation in part 0, each silent unit's own
	// message up to MissingChunk units per part, each part its own transaction.
	KindMissing = "dailyreport.missing"
)

// DefaultMissingChunk is how many silent units one part of KindMissing
// tells (Service.MissingChunk overrides it). On SQLite a transaction holds
// the only writer, so a deadline with 90,000 silent units must not hold it
// for all of them at once.
const DefaultMissingChunk = 5000

func (s *Service) missingChunk() int {
	if s.MissingChunk > 0 {
		return s.MissingChunk
	}
	return DefaultMissingChunk
}

// ReminderMinutes are the reminders before each deadline.
var ReminderMinutes = []int{60, 15}

type dayPayload struct {
	Tier     string    `json:"tier"`
	Date     string    `json:"date"`
	Deadline time.Time `json:"deadline"`
	Minutes  int       `json:"minutes,omitempty"`
	// Part and After: which part of KindMissing, and the last unit id the
	// previous part told.
	Part  int   `json:"part,omitempty"`
	After int64 `json:"after,omitempty"`
}

// Register hooks the handlers into the clock engine.
func (s *Service) Register(e *deadline.Engine) {
	e.Handle(KindDeadline, s.onDeadline)
	e.Handle(KindRemind, s.onRemind)
	e.Handle(KindMissing, s.onMissing)
}

// Plan makes sure every reporting day from the last planned one (at most 31
// days back, so that a server that was down catches up) to tomorrow has its
// deadline and reminders in the clock engine, and that days which no longer
// need a report have none.
func (s *Service) Plan(ctx context.Context) error {
	today := s.Today()
	from := today
	var last sql.NullString
	if err := s.DB.QueryRow(ctx, "SELECT MAX(substr(key, length(key) - 9)) FROM obligations WHERE kind = ?", KindDeadline).Scan(&last); err != nil {
		return err
	}
	if last.Valid {
		if d, err := calendar.ParseDate(last.String); err == nil && d.Before(today) {
			from = d.AddDays(1)
			if from.Before(today.AddDays(-31)) {
				from = today.AddDays(-31)
			}
		}
	}
	return s.plan(ctx, from, today.AddDays(1))
}

func (s *Service) plan(ctx context.Context, from, to calendar.Date) error {
	sch, err := LoadSchedule(ctx, s.DB)
	if err != nil {
		return err
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		for d := from; !d.After(to); d = d.AddDays(1) {
			for _, tier := range Tiers {
				day := sch.DayOf(cal, tier, d)
				key := tier + "/" + d.String()
				if !day.Required {
					if err := deadline.Cancel(ctx, tx, now, KindDeadline, key); err != nil {
						return err
					}
					for _, m := range ReminderMinutes {
						if err := deadline.Cancel(ctx, tx, now, KindRemind, strconv.Itoa(m)+"/"+key); err != nil {
							return err
						}
					}
					continue
				}
				p := dayPayload{Tier: tier, Date: d.String(), Deadline: day.Deadline}
				if err := deadline.Schedule(ctx, tx, now, KindDeadline, key, day.Deadline, nil, p); err != nil {
					return err
				}
				for _, m := range ReminderMinutes {
					p.Minutes = m
					if err := deadline.Schedule(ctx, tx, now, KindRemind, strconv.Itoa(m)+"/"+key, day.Deadline.Add(-time.Duration(m)*time.Minute), nil, p); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// onDeadline classifies a tier's day once, at its deadline: every unit with
// no report on record becomes missing in one statement, then the desks and
// the silent units' leaders are told, and a unit silent two reporting days in
// a row is escalated.
func (s *Service) onDeadline(ctx context.Context, tx *db.Tx, ob deadline.Obligation, _ deadline.Phase) error {
	var p dayPayload
	if err := json.Unmarshal(ob.Payload, &p); err != nil {
		return err
	}
	now := s.Clock.Now()
	// A unit that reported already has its row. SQLite skips it at the
	// primary key, which the insert probes anyway (a quarter faster at
	// 100,000 units than a NOT EXISTS per unit). PostgreSQL hashes the day's
	// reported units once (NOT IN, a hashed subplan): a NOT EXISTS was as
	// fast while the statistics were fresh, and 50 times slower once they
	// said the new day had no rows, because the planner then probed the
	// day's index once per unit (docs/benchmarks.md).
	q := `INSERT INTO report_days (org_id, day, tier, status, deadline_at, classified_at)
		SELECT o.id, ?, ?, 'missing', ?, ?` + unitFrom + `WHERE ` + unitsOfTier
	args := []any{p.Date, p.Tier, p.Deadline, now, p.Tier, p.Tier}
	if tx.D() == db.SQLite {
		q += ` ON CONFLICT (org_id, day) DO NOTHING`
	} else {
		q += ` AND o.id NOT IN (SELECT r.org_id FROM report_days r WHERE r.day = ?)`
		args = append(args, p.Date)
	}
	res, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	if err := audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(clock)", Action: "dailyreport.classify", ObjectType: "report_day",
		ObjectID: p.Tier + "/" + p.Date, Result: audit.OK, Detail: fmt.Sprintf("%d units missing", n)}); err != nil {
		return err
	}
	if s.Notifier == nil || n == 0 {
		return nil
	}
	// The messages follow in their own transactions, right after this one
	// (the engine's sweep goes on while obligations fire).
	p.Part, p.After = 0, 0
	return deadline.Schedule(ctx, tx, now, KindMissing, p.Tier+"/"+p.Date+"/0", now, nil, p)
}

type missingUnit struct {
	id       int64
	name     string
	parentID int64
}

// onMissing tells who was missing at a deadline, one part at a time. Part
// 0 sends the desks one digest naming every silent unit and escalates units
// silent two reporting days in a row; every part tells up to MissingChunk
// silent units' leaders and channels (Service.MissingChunk), and schedules
// the next part.
func (s *Service) onMissing(ctx context.Context, tx *db.Tx, ob deadline.Obligation, _ deadline.Phase) error {
	var p dayPayload
	if err := json.Unmarshal(ob.Payload, &p); err != nil {
		return err
	}
	if s.Notifier == nil {
		return nil
	}
	link := "/daily-reports/board?date=" + p.Date
	var notes []Note
	if p.Part == 0 {
		var err error
		if notes, err = s.missingDigest(ctx, tx, p, link); err != nil {
			return err
		}
	}
	// Both queries below walk the units by id from where the last part
	// stopped, looking each up in report_days by its key. CROSS JOIN holds
	// SQLite to that order. PostgreSQL plans well once it knows the rows the
	// deadline has just written; before, its statistics say the day has
	// none and each part scanned all of them (200–300 ms a part at 90,000
	// silent units, 20 ms after ANALYZE, which costs about 100 ms once).
	if p.Part == 0 && tx.D() == db.Postgres {
		if _, err := tx.Exec(ctx, "ANALYZE report_days"); err != nil {
			return err
		}
	}
	rows, err := tx.Query(ctx, `SELECT o.id, o.name FROM orgs o CROSS JOIN report_days r
		WHERE o.id > ? AND r.org_id = o.id AND r.day = ? AND r.tier = ? AND r.status = 'missing' ORDER BY o.id LIMIT `+strconv.Itoa(s.missingChunk()),
		p.After, p.Date, p.Tier)
	if err != nil {
		return err
	}
	var missing []missingUnit
	for rows.Next() {
		var m missingUnit
		if err := rows.Scan(&m.id, &m.name); err != nil {
			rows.Close()
			return err
		}
		missing = append(missing, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(missing) > 0 {
		// The leaders of this part's units, all in one query.
		leaders, err := peopleByOrg(ctx, tx, `SELECT DISTINCT u.org_id, u.id FROM users u CROSS JOIN report_days d CROSS JOIN user_roles r
			WHERE u.org_id > ? AND u.org_id <= ? AND d.org_id = u.org_id AND d.day = ? AND d.tier = ? AND d.status = 'missing'
			AND r.user_id = u.id AND r.role = ? AND u.disabled = FALSE ORDER BY u.org_id, u.id`,
			p.After, missing[len(missing)-1].id, p.Date, p.Tier, auth.RoleLeader)
		if err != nil {
			return err
		}
		for _, m := range missing {
			notes = append(notes, Note{UserIDs: leaders[m.id], OrgIDs: []int64{m.id}, Message: Message{Title: fmt.Sprintf("%s 今日零报告未报", m.name),
				Body: fmt.Sprintf("%s 截止时未收到 %s 的零报告，请尽快补报。", p.Date, m.name), Link: "/daily-reports/new?org_id=" + strconv.FormatInt(m.id, 10),
				DedupeKey: "dailyreport/missing/" + p.Date + "/" + strconv.FormatInt(m.id, 10)}})
		}
	}
	if err := s.Notifier.Notify(ctx, tx, notes...); err != nil {
		return err
	}
	if len(missing) < s.missingChunk() {
		return nil
	}
	next := p
	next.Part, next.After = p.Part+1, missing[len(missing)-1].id
	now := s.Clock.Now()
	return deadline.Schedule(ctx, tx, now, KindMissing, fmt.Sprintf("%s/%s/%d", p.Tier, p.Date, next.Part), now, nil, next)
}

// missingDigest is the desks' one digest of a deadline's silent units, and
// the escalation of those silent the reporting day before as well.
func (s *Service) missingDigest(ctx context.Context, tx *db.Tx, p dayPayload, link string) ([]Note, error) {
	rows, err := tx.Query(ctx, `SELECT o.id, o.name, COALESCE(o.parent_id, 0) FROM report_days r JOIN orgs o ON o.id = r.org_id
		WHERE r.day = ? AND r.tier = ? AND r.status = 'missing' ORDER BY o.path`, p.Date, p.Tier)
	if err != nil {
		return nil, err
	}
	var missing []missingUnit
	for rows.Next() {
		var m missingUnit
		if err := rows.Scan(&m.id, &m.name, &m.parentID); err != nil {
			rows.Close()
			return nil, err
		}
		missing = append(missing, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(missing) == 0 {
		return nil, err
	}
	names := make([]string, len(missing))
	for i, m := range missing {
		names[i] = m.name
	}
	// The township tier reports to the district's desks; a village to its township.
	var deskOrgs []int64
	if p.Tier == TierTownship {
		var safety, stability sql.NullInt64
		if err := tx.QueryRow(ctx, "SELECT safety_desk_org_id, stability_desk_org_id FROM report_settings WHERE id = 1").Scan(&safety, &stability); err != nil {
			return nil, err
		}
		for _, d := range []sql.NullInt64{safety, stability} {
			if d.Valid {
				deskOrgs = append(deskOrgs, d.Int64)
			}
		}
	} else {
		seen := map[int64]bool{}
		for _, m := range missing {
			if m.parentID != 0 && !seen[m.parentID] {
				seen[m.parentID] = true
				deskOrgs = append(deskOrgs, m.parentID)
			}
		}
	}
	deskUsers, err := usersIn(ctx, tx, deskOrgs, auth.DailyReportView)
	if err != nil {
		return nil, err
	}
	notes := []Note{{UserIDs: deskUsers, Message: Message{Title: fmt.Sprintf("%s 零报告：%d 个单位未报", p.Date, len(missing)),
		Body: "截止时未报：" + strings.Join(names, "、"), Link: link, DedupeKey: "dailyreport/missing/" + p.Tier + "/" + p.Date}}}
	prevMissing, err := s.silentBefore(ctx, tx, p)
	if err != nil {
		return nil, err
	}
	var escalate []string
	for _, m := range missing {
		if prevMissing[m.id] {
			escalate = append(escalate, m.name)
		}
	}
	if len(escalate) > 0 {
		var uid sql.NullInt64
		if err := tx.QueryRow(ctx, "SELECT escalate_user_id FROM report_settings WHERE id = 1").Scan(&uid); err != nil {
			return nil, err
		}
		if uid.Valid {
			notes = append(notes, Note{UserIDs: []int64{uid.Int64}, Message: Message{Title: fmt.Sprintf("连续两个报告日未报零报告：%d 个单位", len(escalate)),
				Body: strings.Join(escalate, "、") + " 已连续两个报告日未报。", Link: link, Urgent: true,
				DedupeKey: "dailyreport/escalate/" + p.Tier + "/" + p.Date}})
		}
	}
	return notes, nil
}

// peopleByOrg runs a query of (org_id, user_id) rows into a map.
func peopleByOrg(ctx context.Context, q db.Querier, query string, args ...any) (map[int64][]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var org, id int64
		if err := rows.Scan(&org, &id); err != nil {
			return nil, err
		}
		out[org] = append(out[org], id)
	}
	return out, rows.Err()
}

// rolesAllowing is the SQL list of the roles that carry action.
func rolesAllowing(action auth.Action) string {
	var roles []string
	for _, r := range auth.Roles {
		if auth.RoleAllows(r, action) {
			roles = append(roles, "'"+r+"'")
		}
	}
	return strings.Join(roles, ",")
}

// silentBefore is the set of units that were missing on the previous
// reporting day of p's tier.
func (s *Service) silentBefore(ctx context.Context, tx *db.Tx, p dayPayload) (map[int64]bool, error) {
	prev, err := s.previousRequiredDay(ctx, tx, p.Tier, p.Date)
	if err != nil || prev == "" {
		return nil, err
	}
	rows, err := tx.Query(ctx, "SELECT org_id FROM report_days WHERE day = ? AND status = ?", prev, Missing)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// previousRequiredDay is the last reporting day of tier before date.
func (s *Service) previousRequiredDay(ctx context.Context, q db.Querier, tier, date string) (string, error) {
	d, err := calendar.ParseDate(date)
	if err != nil {
		return "", err
	}
	sch, err := LoadSchedule(ctx, q)
	if err != nil {
		return "", err
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return "", err
	}
	for i := 1; i <= 31; i++ {
		if p := d.AddDays(-i); sch.DayOf(cal, tier, p).Required {
			return p.String(), nil
		}
	}
	return "", nil
}

// onRemind tells each unit that has not reported yet, 60 and 15 minutes
// before the deadline. A reminder whose deadline has passed (a server that
// was down) is dropped: the deadline's own message follows.
func (s *Service) onRemind(ctx context.Context, tx *db.Tx, ob deadline.Obligation, _ deadline.Phase) error {
	var p dayPayload
	if err := json.Unmarshal(ob.Payload, &p); err != nil {
		return err
	}
	if s.Notifier == nil || !s.Clock.Now().Before(p.Deadline) {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT o.id, o.name`+unitFrom+`WHERE `+unitsOfTier+`
		AND NOT EXISTS (SELECT 1 FROM daily_reports r WHERE r.org_id = o.id AND r.day = ?) ORDER BY o.path`, p.Tier, p.Tier, p.Date)
	if err != nil {
		return err
	}
	type unit struct {
		id   int64
		name string
	}
	var silent []unit
	for rows.Next() {
		var u unit
		if err := rows.Scan(&u.id, &u.name); err != nil {
			rows.Close()
			return err
		}
		silent = append(silent, u)
	}
	rows.Close()
	// The people of every silent unit who may file its report, in one query.
	people, err := peopleByOrg(ctx, tx, `SELECT DISTINCT p.org_id, p.id FROM users p JOIN user_roles r ON r.user_id = p.id
		WHERE p.disabled = FALSE AND r.role IN (`+rolesAllowing(auth.DailyReportSubmit)+`) AND p.org_id IN (SELECT o.id`+unitFrom+`WHERE `+unitsOfTier+`
		AND NOT EXISTS (SELECT 1 FROM daily_reports dr WHERE dr.org_id = o.id AND dr.day = ?)) ORDER BY p.org_id, p.id`, p.Tier, p.Tier, p.Date)
	if err != nil {
		return err
	}
	at := p.Deadline.In(calendar.Location).Format("15:04")
	notes := make([]Note, 0, len(silent))
	for _, u := range silent {
		notes = append(notes, Note{UserIDs: people[u.id], OrgIDs: []int64{u.id}, Message: Message{
			Title: fmt.Sprintf("%s 零报告 %s 截止", u.name, at),
			Body:  fmt.Sprintf("今日零报告尚未提交，%s 截止。无事报平安，一键即可。", at),
			Link:  "/daily-reports/new?org_id=" + strconv.FormatInt(u.id, 10), DedupeKey: fmt.Sprintf("dailyreport/remind/%d/%s/%d", p.Minutes, p.Date, u.id)}})
	}
	return s.Notifier.Notify(ctx, tx, notes...)
}

// usersIn lists the enabled people of the given orgs who hold a role that
// carries action somewhere.
func usersIn(ctx context.Context, q db.Querier, orgIDs []int64, action auth.Action) ([]int64, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(orgIDs)), ",")
	args := make([]any, len(orgIDs))
	for i, id := range orgIDs {
		args[i] = id
	}
	rows, err := q.Query(ctx, `SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE u.org_id IN (`+marks+`) AND u.disabled = FALSE AND r.role IN (`+rolesAllowing(action)+`) ORDER BY u.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SetSchedule replaces the schedule and replans today and tomorrow: a new
// deadline still ahead applies today; one already past applies from tomorrow.
func (s *Service) SetSchedule(ctx context.Context, a *auth.Actor, in Schedule) (*Schedule, error) {
	root, err := org.RootPath(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.DailyReportManage, root, "report_schedule", ""); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	cur, err := LoadSchedule(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := saveSchedule(ctx, tx, now, cur, &in); err != nil {
			return err
		}
		e := a.Entry(now, "dailyreport.schedule", "report_schedule", "", 0)
		e.Before, e.After = cur, in
		return audit.Append(ctx, tx, e)
	})
	s.forgetSchedule()
	if err != nil {
		return nil, err
	}
	if err := s.plan(ctx, s.Today(), s.Today().AddDays(1)); err != nil {
		return nil, err
	}
	return LoadSchedule(ctx, s.DB)
}
