package hazard

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	dl "github.com/anwen-gov/anwen/internal/deadline"
	"github.com/anwen-gov/anwen/internal/org"
)

// Obligation kinds in the clock engine. Each key is "<hazard id>/<deadline>",
// so that a moved deadline is a new obligation (one that has fired is never
// reopened) and the old one is cancelled.
//
// Escalation to the district is a second obligation, not a re-scheduled
// phase of the first: the first fires once at the deadline (its warn phase
// is the reminder), and when it does it schedules the escalation for
// escalate_days later, read from the settings at that moment. An extension
// or a closure cancels both.
const (
	KindDeadline = "hazard.deadline" // warn: reminder before the deadline; due: overdue (the day after it)
	KindEscalate = "hazard.escalate" // overdue for the configured days: the district hears of it
	KindListed   = "hazard.listed"   // the listed-supervision deadline passed with the hazard still open
)

// remindHour is when a reminder goes out (Asia/Shanghai).
const remindHour = 9

type obPayload struct {
	ID       int64  `json:"id"`
	Deadline string `json:"deadline"`
}

func obKey(id int64, deadline string) string { return itoa(id) + "/" + deadline }

// deadlineKey is the key of a hazard's deadline obligations. A hazard
// sent back re-arms its deadline under a new key ("/1", "/2" … after the
// sends back so far, plus extra), since a cancelled obligation is not reopened.
func deadlineKey(ctx context.Context, q db.Querier, id int64, deadline string, extra int) (string, error) {
	var n int
	if err := q.QueryRow(ctx, "SELECT count(*) FROM hazard_steps WHERE hazard_id = ? AND action = 'send_back'", id).Scan(&n); err != nil {
		return "", err
	}
	if n += extra; n > 0 {
		return obKey(id, deadline) + "/" + strconv.Itoa(n), nil
	}
	return obKey(id, deadline), nil
}

// overdueAt is the first moment after the deadline day (Asia/Shanghai).
func overdueAt(d calendar.Date) time.Time { return d.AddDays(1).Time().UTC() }

// RegisterClock hooks the handlers into the clock engine.
func (s *Service) RegisterClock(e *dl.Engine) {
	e.Handle(KindDeadline, s.onDeadline)
	e.Handle(KindEscalate, s.onEscalate)
	e.Handle(KindListed, s.onListed)
}

// scheduleDeadline puts a hazard's deadline in the clock engine: the
// reminder remind_days before it at 09:00 (none when that has passed), and
// overdue at the end of the day.
func (s *Service) scheduleDeadline(ctx context.Context, tx *db.Tx, now time.Time, id int64, d calendar.Date, extra int) error {
	st, err := LoadSettings(ctx, tx)
	if err != nil {
		return err
	}
	key, err := deadlineKey(ctx, tx, id, d.String(), extra)
	if err != nil {
		return err
	}
	due := overdueAt(d)
	var warn *time.Time
	if st.RemindDays > 0 {
		r := d.AddDays(-st.RemindDays).Time().Add(remindHour * time.Hour).UTC()
		if r.After(now) && r.Before(due) {
			warn = &r
		}
	}
	return dl.Schedule(ctx, tx, now, KindDeadline, key, due, warn, obPayload{ID: id, Deadline: d.String()})
}

// cancelDeadline withdraws the obligations of a deadline (met, moved, or
// the hazard closed or cancelled).
func cancelDeadline(ctx context.Context, tx *db.Tx, now time.Time, id int64, deadline string) error {
	key, err := deadlineKey(ctx, tx, id, deadline, 0)
	if err != nil {
		return err
	}
	if err := dl.Cancel(ctx, tx, now, KindDeadline, key); err != nil {
		return err
	}
	return dl.Cancel(ctx, tx, now, KindEscalate, key)
}

func (s *Service) onDeadline(ctx context.Context, tx *db.Tx, ob dl.Obligation, phase dl.Phase) error {
	h, now, ok, err := s.obligationHazard(ctx, tx, ob)
	if err != nil || !ok || !h.ToRectify() || h.Deadline != h.obDeadline {
		return err
	}
	link := "/hazards/" + itoa(h.ID)
	to, err := responsibleRecipients(ctx, tx, h.Hazard)
	if err != nil {
		return err
	}
	if phase == dl.Warn {
		left := daysBetween(calendar.DateOf(now), h.DeadlineDate())
		if err := s.notify(ctx, tx, Note{UserIDs: to.users, OrgIDs: to.orgs, Link: link, DedupeKey: "hazard/remind/" + ob.Key,
			Title: fmt.Sprintf("隐患 %s 整改期限 %s，还有 %d 天", h.Number, h.Deadline, left), Body: cut(h.Description, 120)}); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(clock)", OrgID: h.TerritoryOrgID, Action: "hazard.remind", ObjectType: "hazard",
			ObjectID: itoa(h.ID), Result: audit.OK, Detail: "deadline " + h.Deadline})
	}
	// Overdue: the supervising org and the responsible side hear of it; a
	// major hazard also reaches the district leader in charge.
	st, err := LoadSettings(ctx, tx)
	if err != nil {
		return err
	}
	detail := "已告知 " + h.SupervisingName
	notes := []Note{
		{OrgIDs: []int64{h.SupervisingOrgID}, Link: link, DedupeKey: "hazard/overdue/" + ob.Key,
			Title: fmt.Sprintf("隐患 %s 已逾期（期限 %s）", h.Number, h.Deadline), Body: h.ResponsibleUnit + "：" + cut(h.Description, 120)},
		{UserIDs: to.users, OrgIDs: to.orgs, Link: link, DedupeKey: "hazard/overdue-own/" + ob.Key,
			Title: fmt.Sprintf("隐患 %s 已超过整改期限 %s", h.Number, h.Deadline), Body: cut(h.Description, 120)},
	}
	if h.Grade == Major && st.LeaderUserID != nil {
		notes = append(notes, Note{UserIDs: []int64{*st.LeaderUserID}, Link: link, DedupeKey: "hazard/overdue-major/" + ob.Key,
			Title: fmt.Sprintf("重大隐患 %s 逾期未整改（%s）", h.Number, h.TerritoryName), Body: cut(h.Description, 120)})
		detail += "、分管领导"
	}
	if err := s.notify(ctx, tx, notes...); err != nil {
		return err
	}
	if _, err := insertStep(ctx, tx, nil, now, stepRow{hazardID: h.ID, action: EventOverdue, from: h.Status, to: h.Status, detail: detail}); err != nil {
		return err
	}
	esc := ob.DueAt.AddDate(0, 0, st.EscalateDays)
	if err := dl.Schedule(ctx, tx, now, KindEscalate, ob.Key, esc, nil, obPayload{ID: h.ID, Deadline: h.Deadline}); err != nil {
		return err
	}
	return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(clock)", OrgID: h.TerritoryOrgID, Action: "hazard.overdue", ObjectType: "hazard",
		ObjectID: itoa(h.ID), Result: audit.OK, Detail: "deadline " + h.Deadline + "; " + detail})
}

func (s *Service) onEscalate(ctx context.Context, tx *db.Tx, ob dl.Obligation, _ dl.Phase) error {
	h, now, ok, err := s.obligationHazard(ctx, tx, ob)
	if err != nil || !ok || !h.ToRectify() || h.Deadline != h.obDeadline {
		return err
	}
	root, err := org.Root(ctx, tx)
	if err != nil || root == nil {
		return err
	}
	days := daysBetween(h.DeadlineDate(), calendar.DateOf(now))
	if err := s.notify(ctx, tx, Note{OrgIDs: []int64{root.ID}, Link: "/hazards/" + itoa(h.ID), DedupeKey: "hazard/escalate/" + ob.Key,
		Title: fmt.Sprintf("隐患 %s 逾期 %d 天仍未整改（%s，%s）", h.Number, days, h.TerritoryName, GradeZH[h.Grade]),
		Body:  h.ResponsibleUnit + "：" + cut(h.Description, 120)}); err != nil {
		return err
	}
	if _, err := insertStep(ctx, tx, nil, now, stepRow{hazardID: h.ID, action: EventEscalated, from: h.Status, to: h.Status,
		detail: fmt.Sprintf("逾期 %d 天，已上报 %s", days, root.Name)}); err != nil {
		return err
	}
	return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(clock)", OrgID: h.TerritoryOrgID, Action: "hazard.escalate", ObjectType: "hazard",
		ObjectID: itoa(h.ID), Result: audit.OK, Detail: fmt.Sprintf("overdue %d days; told %s", days, root.Name)})
}

func (s *Service) onListed(ctx context.Context, tx *db.Tx, ob dl.Obligation, _ dl.Phase) error {
	h, now, ok, err := s.obligationHazard(ctx, tx, ob)
	if err != nil || !ok || !h.Open() || h.Listed == nil || h.Listed.Deadline != h.obDeadline {
		return err
	}
	if err := s.notify(ctx, tx, Note{OrgIDs: []int64{h.Listed.OrgID}, Link: "/hazards/" + itoa(h.ID), DedupeKey: "hazard/listed/" + ob.Key,
		Title: fmt.Sprintf("挂牌督办隐患 %s 到期未销号（督办期限 %s）", h.Number, h.Listed.Deadline), Body: cut(h.Description, 120)}); err != nil {
		return err
	}
	if _, err := insertStep(ctx, tx, nil, now, stepRow{hazardID: h.ID, action: EventListedDue, from: h.Status, to: h.Status,
		detail: "督办期限已过，已告知 " + h.Listed.OrgName}); err != nil {
		return err
	}
	return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(clock)", OrgID: h.TerritoryOrgID, Action: "hazard.listed_overdue", ObjectType: "hazard",
		ObjectID: itoa(h.ID), Result: audit.OK, Detail: "listed deadline " + h.Listed.Deadline})
}

// clockHazard is a hazard read for an obligation, with the deadline the
// obligation was scheduled for.
type clockHazard struct {
	*Hazard
	obDeadline string
}

func (s *Service) obligationHazard(ctx context.Context, tx *db.Tx, ob dl.Obligation) (clockHazard, time.Time, bool, error) {
	var p obPayload
	if err := json.Unmarshal(ob.Payload, &p); err != nil {
		return clockHazard{}, time.Time{}, false, err
	}
	h, err := s.load(ctx, tx, p.ID)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return clockHazard{}, time.Time{}, false, nil
	}
	if err != nil {
		return clockHazard{}, time.Time{}, false, err
	}
	return clockHazard{Hazard: h, obDeadline: p.Deadline}, s.Clock.Now(), true, nil
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

type recipients struct{ users, orgs []int64 }

// responsibleRecipients is the responsible person only (基层减负): their
// account when named; else the enterprise's contacts; else the
// responsible org's channels.
func responsibleRecipients(ctx context.Context, q db.Querier, h *Hazard) (recipients, error) {
	var r recipients
	switch {
	case h.ResponsibleUserID != nil:
		r.users = []int64{*h.ResponsibleUserID}
	case h.EnterpriseID != nil:
		rows, err := q.Query(ctx, "SELECT id FROM users WHERE enterprise_id = ? AND NOT disabled ORDER BY id LIMIT 5", *h.EnterpriseID)
		if err != nil {
			return r, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return r, err
			}
			r.users = append(r.users, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return r, err
		}
		if len(r.users) == 0 {
			r.orgs = []int64{h.TerritoryOrgID}
		}
	case h.ResponsibleOrgID != nil:
		r.orgs = []int64{*h.ResponsibleOrgID}
	default:
		r.orgs = []int64{h.TerritoryOrgID}
	}
	return r, nil
}
