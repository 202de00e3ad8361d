package campaign

import (
	"context"
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
	"github.com/anwen-gov/anwen/internal/notify"
)

// KindCheckpoint is the clock engine's obligation of a campaign's
// checkpoint; its key is "<campaign id>/<point>".
const KindCheckpoint = "campaign.checkpoint"

// Checkpoints: halfway through the period, a few working days before the
// deadline, and when the deadline has passed.
const (
	PointHalf     = "half"     // 过半
	PointRemind   = "remind"   // 截止前
	PointDeadline = "deadline" // 截止
)

// Points lists the checkpoints in order.
var Points = []string{PointHalf, PointRemind, PointDeadline}

// remindWorkingDays is how many working days before the deadline the
// second checkpoint falls; checkHour is when a daytime checkpoint fires
// (Asia/Shanghai), so that its digest arrives in working hours.
const (
	remindWorkingDays = 3
	checkHour         = 9
)

type cpPayload struct {
	ID    int64  `json:"id"`
	Point string `json:"point"`
}

func cpKey(id int64, point string) string { return itoa(id) + "/" + point }

// RegisterClock hooks the checkpoint handler into the clock engine.
func (s *Service) RegisterClock(e *dl.Engine) { e.Handle(KindCheckpoint, s.onCheckpoint) }

// checkpointTimes returns when each checkpoint of c falls.
func (s *Service) checkpointTimes(ctx context.Context, c *Campaign) (map[string]time.Time, error) {
	start, err1 := calendar.ParseDate(c.PeriodStart)
	end, err2 := calendar.ParseDate(c.PeriodEnd)
	deadline, err3 := calendar.ParseDate(c.Deadline)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, fmt.Errorf("campaign %d: bad dates %s %s %s", c.ID, c.PeriodStart, c.PeriodEnd, c.Deadline)
	}
	at9 := func(d calendar.Date) time.Time { return d.Time().Add(checkHour * time.Hour).UTC() }
	remind := deadline.AddDays(-remindWorkingDays)
	if s.Calendar != nil {
		cal, err := s.Calendar.Calendar(ctx)
		if err != nil {
			return nil, err
		}
		remind = cal.AddWorkingDays(deadline, -remindWorkingDays)
	}
	return map[string]time.Time{
		PointHalf:     at9(start.AddDays(start.DaysUntil(end) / 2)),
		PointRemind:   at9(remind),
		PointDeadline: deadline.AddDays(1).Time().UTC(),
	}, nil
}

// scheduleCheckpoints puts c's checkpoints still ahead into the clock
// engine (a checkpoint already past at launch would flag every task on
// its first day); the half and remind points only when they fall in order.
func (s *Service) scheduleCheckpoints(ctx context.Context, tx *db.Tx, now time.Time, c *Campaign) error {
	at, err := s.checkpointTimes(ctx, c)
	if err != nil {
		return err
	}
	for _, p := range Points {
		t := at[p]
		if !t.After(now) || (p != PointDeadline && !t.Before(at[PointDeadline])) || (p == PointRemind && !t.After(at[PointHalf])) {
			continue
		}
		if err := dl.Schedule(ctx, tx, now, KindCheckpoint, cpKey(c.ID, p), t, nil, cpPayload{ID: c.ID, Point: p}); err != nil {
			return err
		}
	}
	return nil
}

// cancelCheckpoints withdraws the checkpoints of a closed campaign.
func (s *Service) cancelCheckpoints(ctx context.Context, tx *db.Tx, now time.Time, id int64) error {
	for _, p := range Points {
		if err := dl.Cancel(ctx, tx, now, KindCheckpoint, cpKey(id, p)); err != nil {
			return err
		}
	}
	return nil
}

// Elapsed is the share of c's period gone at t, 0 … 1 (the period runs
// from the start of its first day to the end of its last).
func (c *Campaign) Elapsed(t time.Time) float64 {
	start, err1 := calendar.ParseDate(c.PeriodStart)
	end, err2 := calendar.ParseDate(c.PeriodEnd)
	if err1 != nil || err2 != nil {
		return 0
	}
	from, to := start.Time(), end.AddDays(1).Time()
	share := float64(t.Sub(from)) / float64(to.Sub(from))
	return min(max(share, 0), 1)
}

// flagFor decides a task's flag at a checkpoint: behind when the inspected
// share lags the elapsed share required; at the deadline, overdue unless done.
func flagFor(c Counts, required float64, point string) string {
	if c.Enterprises == 0 || c.Share() >= required {
		return ""
	}
	if point == PointDeadline {
		return "overdue"
	}
	return "behind"
}

func pct(f float64) int { return int(f*100 + 0.5) }

func (s *Service) onCheckpoint(ctx context.Context, tx *db.Tx, ob dl.Obligation, _ dl.Phase) error {
	var p cpPayload
	if err := json.Unmarshal(ob.Payload, &p); err != nil {
		return err
	}
	c, err := load(ctx, tx, p.ID)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil
	}
	if err != nil || c.Status != Active {
		return err
	}
	return s.checkpoint(ctx, tx, c, p.Point, ob.DueAt, s.now())
}

// checkpoint flags c's tasks as of at (the checkpoint's own time, also when
// the engine catches up later) and tells each parent org, in one digest,
// which of its sub-units are behind. A task that caught up loses its flag.
func (s *Service) checkpoint(ctx context.Context, tx *db.Tx, c *Campaign, point string, at, now time.Time) error {
	tasks, err := loadTasks(ctx, tx, c)
	if err != nil {
		return err
	}
	if _, err := progress(ctx, tx, c, tasks); err != nil {
		return err
	}
	required := c.Elapsed(at)
	if point == PointDeadline {
		required = 1
	}
	byID := map[int64]*Task{}
	for _, t := range tasks {
		byID[t.ID] = t
	}
	behind := map[int64][]*Task{} // by parent task
	flagged := 0
	for _, t := range tasks {
		flag := flagFor(t.Counts, required, point)
		detail := ""
		if flag != "" {
			flagged++
			detail = fmt.Sprintf("已检查 %d/%d（%d%%），应达 %d%%", t.Counts.Inspected, t.Counts.Enterprises, t.Counts.Percent(), pct(required))
			if t.ParentID != nil {
				behind[*t.ParentID] = append(behind[*t.ParentID], t)
			}
		}
		if flag == t.Flag && detail == t.FlagDetail {
			continue
		}
		var when any
		if flag != "" {
			when = now
		}
		if _, err := tx.Exec(ctx, "UPDATE campaign_tasks SET flag = ?, flag_detail = ?, flagged_at = ? WHERE id = ?", flag, detail, when, t.ID); err != nil {
			return err
		}
	}
	if s.Notifier != nil && len(behind) > 0 {
		var envs []notify.Envelope
		parents := make([]int64, 0, len(behind))
		for id := range behind {
			parents = append(parents, id)
		}
		sort.Slice(parents, func(i, j int) bool { return parents[i] < parents[j] })
		for _, pid := range parents {
			parent := byID[pid]
			if parent == nil {
				continue
			}
			to, err := taskRecipients(ctx, tx, parent)
			if err != nil {
				return err
			}
			envs = append(envs, notify.Envelope{To: to, Message: digest(c, parent, behind[pid], point)})
		}
		if err := s.Notifier.EnqueueMany(ctx, tx, envs); err != nil {
			return err
		}
	}
	return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(clock)", OrgID: c.LaunchOrgID, Action: "campaign.checkpoint", ObjectType: "campaign",
		ObjectID: itoa(c.ID), Result: audit.OK, Detail: fmt.Sprintf("%s: %d of %d tasks behind (required %d%% inspected)", point, flagged, len(tasks), pct(required))})
}

// digest is the one message a parent org gets at a checkpoint: which of
// its sub-units lag and by how much, with the link; no reply is asked for.
func digest(c *Campaign, parent *Task, kids []*Task, point string) notify.Message {
	sort.SliceStable(kids, func(i, j int) bool { return kids[i].Counts.Share() < kids[j].Counts.Share() })
	var b strings.Builder
	for i, k := range kids {
		if i == 10 {
			fmt.Fprintf(&b, "另有 %d 个单位。\n", len(kids)-10)
			break
		}
		fmt.Fprintf(&b, "%s：%s\n", k.OrgName, k.FlagDetailNow())
	}
	title := fmt.Sprintf("《%s》%d 个下级单位进度落后（截止 %s）", c.Title, len(kids), c.Deadline)
	if point == PointDeadline {
		title = fmt.Sprintf("《%s》已截止，%d 个下级单位未完成", c.Title, len(kids))
	}
	return notify.Message{Kind: "campaign", Title: title, Body: strings.TrimSpace(b.String()),
		Link:      fmt.Sprintf("/campaigns/%d/tasks/%d", c.ID, parent.ID),
		DedupeKey: fmt.Sprintf("campaign/behind/%d/%s/%d", c.ID, point, parent.ID)}
}

// FlagDetailNow is the task's progress as a digest line.
func (t *Task) FlagDetailNow() string {
	return fmt.Sprintf("已检查 %d/%d（%d%%）", t.Counts.Inspected, t.Counts.Enterprises, t.Counts.Percent())
}

// taskRecipients is who answers for a task: its owner when named (the
// launcher, for the scope's root), else at most three staff members whose
// scope is the task's org; and the org's own channels (its group robot).
func taskRecipients(ctx context.Context, q db.Querier, t *Task) (notify.Recipient, error) {
	to := notify.Recipient{OrgIDs: []int64{t.OrgID}}
	if t.Owner != nil {
		to.UserIDs = []int64{t.Owner.ID}
		return to, nil
	}
	rows, err := q.Query(ctx, `SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.scope_org_id = ? AND r.role = ? AND NOT u.disabled ORDER BY u.id LIMIT 3`, t.OrgID, auth.RoleStaff)
	if err != nil {
		return to, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return to, err
		}
		to.UserIDs = append(to.UserIDs, id)
	}
	return to, rows.Err()
}
