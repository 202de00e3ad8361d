package petition

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	dl "github.com/anwen-gov/anwen/internal/deadline"
	"github.com/anwen-gov/anwen/internal/org"
)

// The legal clocks (信访工作条例 2022). The regulation counts 15, 30 and 60
// "日" — calendar days — and the objection period in 工作日, working days
// (the work calendar, with its holidays and make-up days). A period runs
// from the day after its event and ends with its last day (Asia/Shanghai):
// a case routed on 27 November must be accepted by the end of 12 December.
// A last day that falls on a holiday is not moved: the regulation says
// nothing of it, and moving it would only ever delay an answer.
const (
	RouteDays         = 15 // 第二十二条: the bureau transfers or assigns within 15 days of receipt
	AcceptDays        = 15 // 第二十三条: the org tells the petitioner within 15 days whether it accepts
	ObjectWorkingDays = 5  // 第二十三条: objection to a wrong routing within 5 working days
	HandleDays        = 60 // 第三十四条: completion within 60 days of acceptance
	MaxExtensionDays  = 30 // 第三十四条: one extension of at most 30 days
	RequestDays       = 30 // 第三十五、三十六条: review asked for within 30 days of the answer
	ReviewDays        = 30 // 第三十五、三十六条: review answered within 30 days of the request
)

// Periods: the duty whose clock runs.
const (
	PeriodRoute    = "route"    // the bureau: transfer or assign
	PeriodAccept   = "accept"   // the handling org: accept or decline in writing
	PeriodHandle   = "handle"   // the handling org: answer
	PeriodReview   = "review"   // the reviewing org: 复查意见
	PeriodRereview = "rereview" // the reviewing org: 复核意见
)

// Obligation kinds in the clock engine. A duty's period has two
// obligations under one key "<case>/<seq>": the 75 % mark (its due time),
// and the end with the 90 % mark as its warning. A window (the objection
// period, the review request periods) has one, under "<case>/<kind>/<last
// day>/<seq>". The day's digest is one obligation per day at 09:00.
const (
	KindWarn   = "petition.warn"
	KindDue    = "petition.due"
	KindWindow = "petition.window"
	KindDigest = "petition.digest"
)

// DigestHour is when the day's digest goes out (Asia/Shanghai).
const DigestHour = 9

type obPayload struct {
	ID     int64  `json:"id"`
	Seq    int    `json:"seq"`
	Period string `json:"period,omitempty"`
	Window string `json:"window,omitempty"`
	End    string `json:"end,omitempty"`
}

// periodEnd is the first moment after the last day of a period of days
// counted from the day after start.
func periodEnd(start time.Time, days int) time.Time {
	return calendar.DateOf(start).AddDays(days + 1).Time().UTC()
}

// RegisterClock hooks the handlers into the clock engine.
func (s *Service) RegisterClock(e *dl.Engine) {
	e.Handle(KindWarn, s.onWarn)
	e.Handle(KindDue, s.onDue)
	e.Handle(KindWindow, s.onWindow)
	e.Handle(KindDigest, s.onDigest)
}

func obKey(id int64, seq int) string { return fmt.Sprintf("%d/%d", id, seq) }

// arm starts a duty's period on case p inside tx: the old period's
// obligations are cancelled, the new ones scheduled, the case marked.
func (s *Service) arm(ctx context.Context, tx *db.Tx, now time.Time, p *Petition, period string, start, due time.Time) error {
	if err := s.disarm(ctx, tx, now, p); err != nil {
		return err
	}
	var seq int
	if err := tx.QueryRow(ctx, "SELECT ob_seq FROM petitions WHERE id = ?", p.ID).Scan(&seq); err != nil {
		return err
	}
	seq++
	span := due.Sub(start)
	warn75 := start.Add(span * 3 / 4).UTC().Truncate(time.Second)
	warn90 := start.Add(span * 9 / 10).UTC().Truncate(time.Second)
	payload := obPayload{ID: p.ID, Seq: seq, Period: period}
	key := obKey(p.ID, seq)
	if err := dl.Schedule(ctx, tx, now, KindWarn, key, warn75, nil, payload); err != nil {
		return err
	}
	if err := dl.Schedule(ctx, tx, now, KindDue, key, due, &warn90, payload); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "UPDATE petitions SET period = ?, period_start = ?, warn_at = ?, due_at = ?, clock_level = 0, ob_seq = ? WHERE id = ?",
		period, start.UTC(), warn75, due.UTC(), seq, p.ID)
	return err
}

// disarm ends the running period (its duty was done).
func (s *Service) disarm(ctx context.Context, tx *db.Tx, now time.Time, p *Petition) error {
	var seq int
	var period string
	if err := tx.QueryRow(ctx, "SELECT ob_seq, period FROM petitions WHERE id = ?", p.ID).Scan(&seq, &period); err != nil {
		return err
	}
	if period == "" {
		return nil
	}
	key := obKey(p.ID, seq)
	if err := dl.Cancel(ctx, tx, now, KindWarn, key); err != nil {
		return err
	}
	if err := dl.Cancel(ctx, tx, now, KindDue, key); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "UPDATE petitions SET period = '', period_start = NULL, warn_at = NULL, due_at = NULL, clock_level = 0 WHERE id = ?", p.ID)
	return err
}

// openWindow starts a window whose last day is end.
func (s *Service) openWindow(ctx context.Context, tx *db.Tx, now time.Time, p *Petition, kind string, end calendar.Date) error {
	if err := s.closeWindow(ctx, tx, now, p); err != nil {
		return err
	}
	var seq int
	if err := tx.QueryRow(ctx, "SELECT ob_seq FROM petitions WHERE id = ?", p.ID).Scan(&seq); err != nil {
		return err
	}
	key := fmt.Sprintf("%d/%s/%s/%d", p.ID, kind, end, seq)
	if err := dl.Schedule(ctx, tx, now, KindWindow, key, end.AddDays(1).Time().UTC(), nil, obPayload{ID: p.ID, Seq: seq, Window: kind, End: end.String()}); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "UPDATE petitions SET window_kind = ?, window_end = ? WHERE id = ?", kind, end.String(), p.ID)
	return err
}

// closeWindow ends the open window (the step it waited for was taken).
func (s *Service) closeWindow(ctx context.Context, tx *db.Tx, now time.Time, p *Petition) error {
	var kind, end string
	var seq int
	if err := tx.QueryRow(ctx, "SELECT window_kind, window_end, ob_seq FROM petitions WHERE id = ?", p.ID).Scan(&kind, &end, &seq); err != nil {
		return err
	}
	if kind == "" {
		return nil
	}
	// The key holds the seq of when it opened, which may be older: cancel by prefix.
	if _, err := tx.Exec(ctx, "UPDATE obligations SET state = 'cancelled', updated_at = ? WHERE kind = ? AND key LIKE ? AND state IN ('open', 'warned')",
		now, KindWindow, fmt.Sprintf("%d/%s/%s/%%", p.ID, kind, end)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "UPDATE petitions SET window_kind = '', window_end = '' WHERE id = ?", p.ID)
	return err
}

// obligationCase reads the case of an obligation, and whether the
// obligation is still the case's current one.
func (s *Service) obligationCase(ctx context.Context, tx *db.Tx, ob dl.Obligation) (*Petition, obPayload, bool, error) {
	var pl obPayload
	if err := json.Unmarshal(ob.Payload, &pl); err != nil {
		return nil, pl, false, err
	}
	p, err := s.load(ctx, tx, pl.ID)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, pl, false, nil
	}
	if err != nil {
		return nil, pl, false, err
	}
	return p, pl, true, nil
}

// clockStep records what the clock did on a case: its level, the timeline, the trail.
func (s *Service) clockStep(ctx context.Context, tx *db.Tx, p *Petition, level int, event, detail string) error {
	now := s.Clock.Now()
	if _, err := tx.Exec(ctx, "UPDATE petitions SET clock_level = ? WHERE id = ? AND clock_level < ?", level, p.ID, level); err != nil {
		return err
	}
	if _, err := insertStep(ctx, tx, nil, now, stepRow{petitionID: p.ID, action: event, from: p.Status, to: p.Status, orgID: sideOrg(p), detail: detail}); err != nil {
		return err
	}
	return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(clock)", OrgID: p.BureauOrgID, Action: "petition." + event, ObjectType: "petition",
		ObjectID: itoa(p.ID), Result: audit.OK, Detail: p.Number + " " + p.Clock.Period + " due " + p.Clock.LastDay})
}

// sideOrg is the org whose duty the running period is.
func sideOrg(p *Petition) *int64 {
	switch p.Clock.Period {
	case PeriodAccept, PeriodHandle:
		return p.HandlingOrgID
	case PeriodReview, PeriodRereview:
		return p.ReviewOrgID
	}
	id := p.BureauOrgID
	return &id
}

// PeriodZH names the duties.
var PeriodZH = map[string]string{PeriodRoute: "转送交办", PeriodAccept: "受理告知", PeriodHandle: "办理答复", PeriodReview: "复查", PeriodRereview: "复核"}

func current(p *Petition, pl obPayload) bool {
	return p.IsOpen() && p.obSeq == pl.Seq && p.Clock.Period == pl.Period
}

func (s *Service) onWarn(ctx context.Context, tx *db.Tx, ob dl.Obligation, _ dl.Phase) error {
	p, pl, ok, err := s.obligationCase(ctx, tx, ob)
	if err != nil || !ok || !current(p, pl) || p.Clock.Level >= 75 {
		return err
	}
	return s.clockStep(ctx, tx, p, 75, EventWarn75, fmt.Sprintf("%s期限 %s，已过 75%%", PeriodZH[p.Clock.Period], p.Clock.LastDay))
}

func (s *Service) onDue(ctx context.Context, tx *db.Tx, ob dl.Obligation, phase dl.Phase) error {
	p, pl, ok, err := s.obligationCase(ctx, tx, ob)
	if err != nil || !ok || !current(p, pl) {
		return err
	}
	if phase == dl.Warn {
		if p.Clock.Level >= 90 {
			return nil
		}
		return s.clockStep(ctx, tx, p, 90, EventWarn90, fmt.Sprintf("%s期限 %s，已过 90%%", PeriodZH[p.Clock.Period], p.Clock.LastDay))
	}
	detail := fmt.Sprintf("%s期限 %s 已过；已报告信访局和%s负责人", PeriodZH[p.Clock.Period], p.Clock.LastDay, responsibleName(p))
	return s.clockStep(ctx, tx, p, 100, EventOverdue, detail)
}

func responsibleName(p *Petition) string {
	switch p.Clock.Period {
	case PeriodAccept, PeriodHandle:
		return p.HandlingName
	case PeriodReview, PeriodRereview:
		return p.ReviewName
	}
	return "信访局"
}

func (s *Service) onWindow(ctx context.Context, tx *db.Tx, ob dl.Obligation, _ dl.Phase) error {
	p, pl, ok, err := s.obligationCase(ctx, tx, ob)
	if err != nil || !ok || p.windowKind != pl.Window || p.windowEnd != pl.End {
		return err
	}
	now := s.Clock.Now()
	if pl.Window == "object" {
		if err := s.closeWindow(ctx, tx, now, p); err != nil {
			return err
		}
		if p.Status != Routed {
			return nil
		}
		_, err := insertStep(ctx, tx, nil, now, stepRow{petitionID: p.ID, action: EventWindowClosed, from: p.Status, to: p.Status, orgID: p.HandlingOrgID,
			detail: fmt.Sprintf("异议期（%d个工作日）至 %s 届满，须受理或书面告知不予受理", ObjectWorkingDays, pl.End)})
		return err
	}
	// The petitioner did not ask for a (second) review in time: the case is done.
	t, err := Lookup(p.state(), ActLapse)
	if err != nil {
		return nil
	}
	return s.applyClock(ctx, tx, now, p, t, fmt.Sprintf("%s请求期限 %s 届满，未请求", map[string]string{"review": "复查", "rereview": "复核"}[pl.Window], pl.End))
}

// applyClock takes a clock row of the table (the lapse of a request window).
func (s *Service) applyClock(ctx context.Context, tx *db.Tx, now time.Time, p *Petition, t *Transition, detail string) error {
	to := t.target(p.Status)
	if _, err := tx.Exec(ctx, "UPDATE petitions SET status = ?, closed_at = ?, updated_at = ? WHERE id = ?", to, now, now, p.ID); err != nil {
		return err
	}
	if err := s.closeWindow(ctx, tx, now, p); err != nil {
		return err
	}
	if _, err := insertStep(ctx, tx, nil, now, stepRow{petitionID: p.ID, action: t.Action, from: p.Status, to: to, detail: detail}); err != nil {
		return err
	}
	return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(clock)", OrgID: p.BureauOrgID, Action: "petition." + t.Action, ObjectType: "petition",
		ObjectID: itoa(p.ID), Result: audit.OK, Detail: fmt.Sprintf("%s %s → %s", p.Number, p.Status, to)})
}

// ---- the day's digest (基层减负: one message per person and org a day) ----

// Plan makes sure today's (unless it is long past) and tomorrow's digests
// are in the clock engine.
func (s *Service) Plan(ctx context.Context) error {
	now := s.Clock.Now()
	today := calendar.DateOf(now)
	var days []calendar.Date
	var keys []any
	for _, d := range []calendar.Date{today, today.AddDays(1)} {
		if d.Time().Add(DigestHour * time.Hour).Before(now.Add(-time.Hour)) {
			continue
		}
		days, keys = append(days, d), append(keys, d.String())
	}
	// Most runs find them there: read before taking the write lock.
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM obligations WHERE kind = ? AND key IN ("+placeholders(len(keys))+")",
		append([]any{KindDigest}, keys...)...).Scan(&n); err != nil {
		return err
	}
	if n == len(days) {
		return nil
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, d := range days {
			if err := dl.Schedule(ctx, tx, now, KindDigest, d.String(), d.Time().Add(DigestHour*time.Hour).UTC(), nil, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// digestCase is an open case past 75 % of its period.
type digestCase struct {
	id                 int64
	number, period     string
	level              int
	overdue            bool
	org                int64 // the org whose duty it is
	handler, registrar *int64
}

// onDigest tells, once a day, each org and person with cases past 75 % of
// their period how many and which: the handling org's channels and the
// person who accepted them (or registered them, for routing); the org's
// head of what is past 90 % or overdue; the bureau's head and channels of
// every overdue case (escalation).
func (s *Service) onDigest(ctx context.Context, tx *db.Tx, ob dl.Obligation, _ dl.Phase) error {
	now := s.Clock.Now()
	date := ob.Key
	rows, err := tx.Query(ctx, `SELECT p.id, p.number, p.period, p.clock_level, p.due_at <= ?, p.bureau_org_id, p.handling_org_id, p.review_org_id,
		p.handler_user_id, p.created_by FROM petitions p WHERE p.period <> '' AND p.warn_at <= ? ORDER BY p.due_at, p.id`, now, now)
	if err != nil {
		return err
	}
	var cases []digestCase
	for rows.Next() {
		var c digestCase
		var bureauID int64
		var h, r, hu, cb sql.NullInt64
		if err := rows.Scan(&c.id, &c.number, &c.period, &c.level, &c.overdue, &bureauID, &h, &r, &hu, &cb); err != nil {
			rows.Close()
			return err
		}
		switch c.period {
		case PeriodRoute:
			c.org, c.registrar = bureauID, nullID(cb)
		case PeriodAccept, PeriodHandle:
			c.org, c.handler = h.Int64, nullID(hu)
		default:
			c.org = r.Int64
		}
		cases = append(cases, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(cases) == 0 {
		return nil
	}
	b, err := bureau(ctx, tx)
	if err != nil {
		return nil // no bureau set: nobody to tell
	}
	byOrg, byUser, byHead := map[int64]*tally{}, map[int64]*tally{}, map[int64]*tally{}
	var lateAll tally
	bump := func(m map[int64]*tally, k int64, c digestCase) {
		t := m[k]
		if t == nil {
			t = &tally{}
			m[k] = t
		}
		if c.overdue {
			t.late++
		} else {
			t.soon++
		}
		if len(t.numbers) < 5 {
			t.numbers = append(t.numbers, c.number)
		}
	}
	for _, c := range cases {
		if c.org != 0 {
			bump(byOrg, c.org, c)
			if c.overdue || c.level >= 90 {
				bump(byHead, c.org, c)
			}
		}
		for _, u := range []*int64{c.handler, c.registrar} {
			if u != nil {
				bump(byUser, *u, c)
			}
		}
		if c.overdue {
			lateAll.late++
			if len(lateAll.numbers) < 5 {
				lateAll.numbers = append(lateAll.numbers, c.number)
			}
		}
	}
	line := func(t *tally) string {
		var parts []string
		if t.late > 0 {
			parts = append(parts, fmt.Sprintf("%d 件已逾期", t.late))
		}
		if t.soon > 0 {
			parts = append(parts, fmt.Sprintf("%d 件即将到期", t.soon))
		}
		return strings.Join(parts, "，")
	}
	body := func(t *tally) string {
		more := ""
		if t.late+t.soon > len(t.numbers) {
			more = " 等"
		}
		return "编号 " + strings.Join(t.numbers, "、") + more
	}
	var notes []Note
	for _, id := range sortedKeys(byOrg) {
		t := byOrg[id]
		link := "/petitions?attention=1&org_id=" + itoa(id)
		if id == b.ID {
			link = "/petitions?attention=1"
		}
		notes = append(notes, Note{OrgIDs: []int64{id}, Link: link, DedupeKey: fmt.Sprintf("petition/digest/%s/org/%d", date, id),
			Title: "信访事项时限提醒：" + line(t), Body: body(t)})
	}
	for _, id := range sortedKeys(byUser) {
		t := byUser[id]
		notes = append(notes, Note{UserIDs: []int64{id}, Link: "/petitions?attention=1", DedupeKey: fmt.Sprintf("petition/digest/%s/user/%d", date, id),
			Title: "您经办的信访事项：" + line(t), Body: body(t)})
	}
	for _, id := range sortedKeys(byHead) {
		head, err := orgHead(ctx, tx, id)
		if err != nil {
			return err
		}
		if head == 0 {
			continue
		}
		t := byHead[id]
		notes = append(notes, Note{UserIDs: []int64{head}, Link: "/petitions?attention=1&org_id=" + itoa(id), DedupeKey: fmt.Sprintf("petition/digest/%s/head/%d", date, id),
			Title: "本单位信访事项办理时限：" + line(t), Body: body(t)})
	}
	if lateAll.late > 0 {
		head, err := orgHead(ctx, tx, b.ID)
		if err != nil {
			return err
		}
		n := Note{Link: "/petitions?overdue=1", DedupeKey: fmt.Sprintf("petition/digest/%s/escalate/%d", date, b.ID),
			Title: fmt.Sprintf("全区 %d 件信访事项已逾期", lateAll.late), Body: body(&lateAll)}
		if head != 0 {
			n.UserIDs = []int64{head}
		}
		if byOrg[b.ID] == nil {
			n.OrgIDs = []int64{b.ID}
		} else {
			// The bureau's channels have their own digest today: one message, with the district's lateness in it.
			for i := range notes {
				if len(notes[i].OrgIDs) == 1 && notes[i].OrgIDs[0] == b.ID {
					notes[i].Body += fmt.Sprintf("；全区共 %d 件已逾期", lateAll.late)
				}
			}
		}
		notes = append(notes, n)
	}
	return s.notify(ctx, tx, notes...)
}

// tally counts a digest's cases.
type tally struct {
	soon, late int
	numbers    []string
}

func sortedKeys(m map[int64]*tally) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// headPosts are the posts of an org's head (负责人), in order of preference.
var headPosts = []string{"镇长", "乡长", "办事处主任", "管委会主任", "局长", "主任", "大队长", "书记", "党委书记", "党工委书记"}

// orgHead is the account of an org's head: its leader whose post comes
// first in headPosts, else its first leader (0: none).
func orgHead(ctx context.Context, q db.Querier, orgID int64) (int64, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT u.id, u.post FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE u.org_id = ? AND r.role = ? AND NOT u.disabled ORDER BY u.id`, orgID, auth.RoleLeader)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	best, rank := int64(0), len(headPosts)+1
	for rows.Next() {
		var id int64
		var post string
		if err := rows.Scan(&id, &post); err != nil {
			return 0, err
		}
		r := len(headPosts)
		for i, hp := range headPosts {
			if post == hp {
				r = i
				break
			}
		}
		if r < rank {
			best, rank = id, r
		}
	}
	return best, rows.Err()
}

// OrgHead is orgHead for other packages' tests and pages.
func OrgHead(ctx context.Context, q db.Querier, orgID int64) (int64, error) {
	return orgHead(ctx, q, orgID)
}

func (s *Service) notify(ctx context.Context, tx *db.Tx, notes ...Note) error {
	if s.Notifier == nil {
		return nil
	}
	var out []Note
	for _, n := range notes {
		if len(n.UserIDs) > 0 || len(n.OrgIDs) > 0 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return s.Notifier.Notify(ctx, tx, out...)
}

// superior is the org that reviews an answer of org id (上一级机关): its
// parent, or — for an org right under the district, whose superior is the
// district government itself — the petition bureau, which organises the
// review on the government's behalf (and records a higher level's).
func superior(ctx context.Context, q db.Querier, id int64, bureauOrg *org.Org) (*org.Org, error) {
	o, err := org.ByID(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if o.ParentID == nil || o.ID == bureauOrg.ID {
		return bureauOrg, nil
	}
	parent, err := org.ByID(ctx, q, *o.ParentID)
	if err != nil {
		return nil, err
	}
	if parent.ParentID == nil {
		return bureauOrg, nil
	}
	return parent, nil
}
