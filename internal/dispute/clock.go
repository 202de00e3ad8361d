package dispute

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
)

// KindDeadline is a dispute's deadline in the clock engine: its warn phase
// is the reminder (remind_days before, at 09:00), its due phase is overdue
// (the first moment after the deadline day). The key is stored on the
// dispute (ob_key): a moved deadline or a reopened dispute is a new
// obligation, and the old one is cancelled.
const KindDeadline = "dispute.deadline"

// remindHour is when a reminder goes out (Asia/Shanghai).
const remindHour = 9

type obPayload struct {
	ID       int64  `json:"id"`
	Deadline string `json:"deadline"`
}

// RegisterClock hooks the handler into the clock engine.
func (s *Service) RegisterClock(e *dl.Engine) { e.Handle(KindDeadline, s.onDeadline) }

// overdueAt is the first moment after the deadline day (Asia/Shanghai).
func overdueAt(d calendar.Date) time.Time { return d.AddDays(1).Time().UTC() }

// scheduleDeadline arms a dispute's deadline and records its key on the
// dispute. seq tells the key apart from earlier ones of the same deadline.
func (s *Service) scheduleDeadline(ctx context.Context, tx *db.Tx, now time.Time, id int64, d calendar.Date, seq int) error {
	st, err := LoadSettings(ctx, tx)
	if err != nil {
		return err
	}
	key := itoa(id) + "/" + d.String()
	if seq > 0 {
		key += "/" + strconv.Itoa(seq)
	}
	due := overdueAt(d)
	var warn *time.Time
	if st.RemindDays > 0 {
		r := d.AddDays(-st.RemindDays).Time().Add(remindHour * time.Hour).UTC()
		if r.After(now) && r.Before(due) {
			warn = &r
		}
	}
	if err := dl.Schedule(ctx, tx, now, KindDeadline, key, due, warn, obPayload{ID: id, Deadline: d.String()}); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "UPDATE disputes SET ob_key = ? WHERE id = ?", key, id)
	return err
}

// cancelDeadline withdraws a dispute's pending deadline (resolved, passed
// on, or moved).
func cancelDeadline(ctx context.Context, tx *db.Tx, now time.Time, id int64) error {
	var key string
	if err := tx.QueryRow(ctx, "SELECT ob_key FROM disputes WHERE id = ?", id).Scan(&key); err != nil {
		return err
	}
	if key == "" {
		return nil
	}
	if err := dl.Cancel(ctx, tx, now, KindDeadline, key); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "UPDATE disputes SET ob_key = '' WHERE id = ?", id)
	return err
}

// rearmSeq is the next sequence for a deadline armed again.
func rearmSeq(ctx context.Context, tx *db.Tx, id int64) (int, error) {
	var n int
	err := tx.QueryRow(ctx, "SELECT count(*) FROM dispute_steps WHERE dispute_id = ? AND action IN ('reopen', 'extend')", id).Scan(&n)
	return n + 1, err
}

func (s *Service) onDeadline(ctx context.Context, tx *db.Tx, ob dl.Obligation, phase dl.Phase) error {
	var p obPayload
	if err := json.Unmarshal(ob.Payload, &p); err != nil {
		return err
	}
	d, err := s.load(ctx, tx, p.ID)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	var key string
	if err := tx.QueryRow(ctx, "SELECT ob_key FROM disputes WHERE id = ?", d.ID).Scan(&key); err != nil {
		return err
	}
	if !d.IsOpen() || key != ob.Key || d.Deadline != p.Deadline {
		return nil // resolved, passed on or moved meanwhile
	}
	now := s.Clock.Now()
	link := "/disputes/" + itoa(d.ID)
	to := responsible(d)
	if phase == dl.Warn {
		left := calendar.DateOf(now).DaysUntil(d.DeadlineDate())
		if err := s.notify(ctx, tx, Note{UserIDs: to.users, OrgIDs: to.orgs, Link: link, DedupeKey: "dispute/remind/" + ob.Key,
			Title: fmt.Sprintf("矛盾纠纷 %s 化解期限 %s，还有 %d 天", d.Number, d.Deadline, left), Body: cut(d.Summary, 120)}); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(clock)", OrgID: d.TerritoryOrgID, Action: "dispute.remind", ObjectType: "dispute",
			ObjectID: itoa(d.ID), Result: audit.OK, Detail: "deadline " + d.Deadline})
	}
	// Overdue: the responsible side and the 包案领导 hear of it.
	users := to.users
	if d.Lead.UserID != nil {
		users = append(users, *d.Lead.UserID)
	}
	if err := s.notify(ctx, tx, Note{UserIDs: users, OrgIDs: to.orgs, Link: link, DedupeKey: "dispute/overdue/" + ob.Key,
		Title: fmt.Sprintf("矛盾纠纷 %s 已超过化解期限 %s（%s风险）", d.Number, d.Deadline, d.RiskName), Body: d.TerritoryName + "：" + cut(d.Summary, 120)}); err != nil {
		return err
	}
	detail := "已告知 " + d.ResponsibleUnit
	if d.Lead.Name != "" {
		detail += "、包案领导 " + d.Lead.Name
	}
	if _, err := insertStep(ctx, tx, nil, now, stepRow{disputeID: d.ID, action: EventOverdue, from: d.Status, to: d.Status, detail: detail}); err != nil {
		return err
	}
	return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(clock)", OrgID: d.TerritoryOrgID, Action: "dispute.overdue", ObjectType: "dispute",
		ObjectID: itoa(d.ID), Result: audit.OK, Detail: "deadline " + d.Deadline})
}

type recipients struct{ users, orgs []int64 }

// responsible is who answers for a dispute, and only them (基层减负): the
// responsible person's account when named, else the responsible org, else
// the territory.
func responsible(d *Dispute) recipients {
	switch {
	case d.ResponsibleUserID != nil:
		return recipients{users: []int64{*d.ResponsibleUserID}}
	case d.ResponsibleOrgID != nil:
		return recipients{orgs: []int64{*d.ResponsibleOrgID}}
	}
	return recipients{orgs: []int64{d.TerritoryOrgID}}
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
