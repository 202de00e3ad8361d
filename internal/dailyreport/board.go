package dailyreport

import (
	"context"
	"database/sql"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// Counts tallies a board's units by status.
type Counts struct {
	Pending     int `json:"pending"`
	OnTime      int `json:"on_time"`
	Late        int `json:"late"`
	Missing     int `json:"missing"`
	NotRequired int `json:"not_required"`
}

func (c *Counts) add(status string) {
	switch status {
	case Pending:
		c.Pending++
	case OnTime:
		c.OnTime++
	case Late:
		c.Late++
	case Missing:
		c.Missing++
	case NotRequired:
		c.NotRequired++
	}
}

// UnitStatus is one unit's line on the board.
type UnitStatus struct {
	OrgID       int64      `json:"org_id"`
	Name        string     `json:"name"`
	Tier        string     `json:"tier"`
	Status      string     `json:"status"`
	Deadline    time.Time  `json:"deadline"`
	SubmittedAt *time.Time `json:"submitted_at"`
	MinutesLate int        `json:"minutes_late"`
	Versions    int        `json:"versions"`
	Nothing     bool       `json:"nothing_to_report"` // both halves 平安 in the latest version
}

// BoardItem is a reported matter on the board.
type BoardItem struct {
	ID             int64      `json:"id"`
	OrgID          int64      `json:"org_id"`
	OrgName        string     `json:"org_name"`
	Half           string     `json:"half"`
	Category       string     `json:"category"`
	Summary        string     `json:"summary"`
	Place          string     `json:"place"`
	OccurredAt     string     `json:"occurred_at"`
	Severity       string     `json:"severity"`
	FollowUp       bool       `json:"follow_up"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	LinkKind       string     `json:"link_kind,omitempty"`
	LinkRef        string     `json:"link_ref,omitempty"`
	// Attachments are the item's photos and PDFs (API addresses); Files
	// the same for the pages' gallery.
	Attachments []attachment.Info       `json:"attachments,omitempty"`
	Files       []attachment.Attachment `json:"-"`
}

// withFiles fills the items' attachments.
func (s *Service) withFiles(ctx context.Context, items []BoardItem) error {
	if s.Attachments == nil || len(items) == 0 {
		return nil
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	m, err := s.Attachments.List(ctx, s.DB, OwnerItem, ids...)
	if err != nil {
		return err
	}
	for i := range items {
		if f := m[items[i].ID]; len(f) > 0 {
			items[i].Files, items[i].Attachments = f, attachment.Infos(f)
		}
	}
	return nil
}

// CanSeeItem says whether a may see a reported item (and so its files):
// those who may report for its unit or view the unit's reports.
func (s *Service) CanSeeItem(ctx context.Context, a *auth.Actor, itemID int64) error {
	o, err := s.itemOrg(ctx, itemID)
	if err != nil {
		return err
	}
	if a.Can(auth.DailyReportSubmit, o.Path) {
		return nil
	}
	return auth.Authorize(a, auth.DailyReportView, o.Path)
}

// Board is a day's picture for the desks.
type Board struct {
	Date     calendar.Date `json:"date"`
	OrgID    int64         `json:"org_id"`
	OrgName  string        `json:"org_name"`
	Deadline time.Time     `json:"deadline"`
	Counts   Counts        `json:"counts"`
	Units    []UnitStatus  `json:"units"`
	Items    []BoardItem   `json:"items"`
}

// scopeOrg picks the org a board or history is about: the one asked for
// (checked), else the top of the actor's first scope for action.
func (s *Service) scopeOrg(ctx context.Context, a *auth.Actor, action auth.Action, orgID int64) (*org.Org, error) {
	if orgID == 0 {
		scopes := a.Scopes(action)
		if len(scopes) == 0 {
			return nil, s.Auth.Refuse(ctx, a, action, "daily_report", apperr.NotFound("board"))
		}
		sort.Strings(scopes)
		parts := strings.Split(strings.Trim(scopes[0], "/"), "/")
		id, _ := strconv.ParseInt(parts[len(parts)-1], 10, 64)
		orgID = id
	}
	o, err := org.ByID(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, action, o.Path, "org", strconv.FormatInt(o.ID, 10)); err != nil {
		return nil, err
	}
	return o, nil
}

// boardTier is the tier that reports to o: villages report to their
// township (street, zone), townships to the district.
func boardTier(o *org.Org) string {
	if org.Territorial(o.Kind) || o.Kind == org.Village || o.Kind == org.Community {
		return TierVillage
	}
	return TierTownship
}

// unitsIn lists the units that report to o, with the schedule of date applied.
func (s *Service) unitsIn(ctx context.Context, o *org.Org, d calendar.Date) ([]Unit, map[string]Day, error) {
	tier := boardTier(o)
	us, err := Units(ctx, s.DB, tier, o.Path)
	if err != nil {
		return nil, nil, err
	}
	day, err := s.DayFor(ctx, tier, d)
	if err != nil {
		return nil, nil, err
	}
	return us, map[string]Day{tier: day}, nil
}

// Board returns the day's board for the units under orgID (0: the actor's scope).
func (s *Service) Board(ctx context.Context, a *auth.Actor, d calendar.Date, orgID int64) (*Board, error) {
	o, err := s.scopeOrg(ctx, a, auth.DailyReportView, orgID)
	if err != nil {
		return nil, err
	}
	units, days, err := s.unitsIn(ctx, o, d)
	if err != nil {
		return nil, err
	}
	b := &Board{Date: d, OrgID: o.ID, OrgName: o.Name, Units: []UnitStatus{}, Items: []BoardItem{}}
	now := s.Clock.Now()
	// What each unit has on record that day.
	type rec struct {
		status   string
		first    sql.NullTime
		minutes  int
		versions int
	}
	recs := map[int64]rec{}
	cond, args := org.SubtreeSQL("o.path", o.Path)
	rows, err := s.DB.Query(ctx, "SELECT r.org_id, r.status, r.first_at, r.minutes_late, r.versions FROM report_days r JOIN orgs o ON o.id = r.org_id WHERE r.day = ? AND "+cond,
		append([]any{d.String()}, args...)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var r rec
		if err := rows.Scan(&id, &r.status, &r.first, &r.minutes, &r.versions); err != nil {
			rows.Close()
			return nil, err
		}
		recs[id] = r
	}
	rows.Close()
	// Latest version of each unit's report (also on days that need none).
	type latest struct {
		at      time.Time
		nothing bool
		id      int64
		n       int
	}
	last := map[int64]latest{}
	rows, err = s.DB.Query(ctx, `SELECT r.id, r.org_id, r.submitted_at, r.safety_nothing AND r.stability_nothing, r.version FROM daily_reports r JOIN orgs o ON o.id = r.org_id
		WHERE r.day = ? AND `+cond+` ORDER BY r.version`, append([]any{d.String()}, args...)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var l latest
		var id int64
		if err := rows.Scan(&l.id, &id, &l.at, &l.nothing, &l.n); err != nil {
			rows.Close()
			return nil, err
		}
		last[id] = l
	}
	rows.Close()
	b.Deadline = days[boardTier(o)].Deadline
	// A required day past its deadline with no record is missing (shown as
	// such even before the sweep classifies it), unless it lies before the
	// unit's record began, as on the history calendar. The record starts
	// cost a scan of the subtree's days, so they are read only when such a
	// unit exists: after a deadline's sweep every unit has its record.
	var starts map[int64]string
	global := ""
	for _, u := range units {
		if _, has := recs[u.OrgID]; !has && days[u.Tier].Required && now.After(days[u.Tier].Deadline) {
			if starts, global, err = recordStarts(ctx, s.DB, o.Path, s.Today()); err != nil {
				return nil, err
			}
			break
		}
	}
	for _, u := range units {
		day := days[u.Tier]
		us := UnitStatus{OrgID: u.OrgID, Name: u.Name, Tier: u.Tier, Deadline: day.Deadline}
		r, has := recs[u.OrgID]
		var rec *dayRecord
		if has {
			rec = &dayRecord{status: r.status, minutes: r.minutes, versions: r.versions}
			us.MinutesLate, us.Versions = r.minutes, r.versions
		}
		us.Status = dayStatus(rec, day, now, startOf(starts, global, u.OrgID))
		if l, ok := last[u.OrgID]; ok {
			at := l.at.UTC()
			if r.first.Valid {
				at = r.first.Time.UTC()
			}
			us.SubmittedAt, us.Nothing = &at, l.nothing
			if us.Versions == 0 {
				us.Versions = l.n
			}
		}
		b.Counts.add(us.Status)
		b.Units = append(b.Units, us)
	}
	// Items of each unit's latest version.
	var ids []string
	for _, u := range units {
		if l, ok := last[u.OrgID]; ok {
			ids = append(ids, strconv.FormatInt(l.id, 10))
		}
	}
	if len(ids) > 0 {
		sort.Strings(ids)
		rows, err = s.DB.Query(ctx, `SELECT i.id, r.org_id, o.name, i.half, i.category, i.summary, i.place, i.occurred_at, i.severity, i.follow_up, i.acknowledged_at, i.link_kind, i.link_ref
			FROM daily_report_items i JOIN daily_reports r ON r.id = i.report_id JOIN orgs o ON o.id = r.org_id
			WHERE i.report_id IN (`+strings.Join(ids, ",")+`) ORDER BY CASE i.severity WHEN 'urgent' THEN 0 WHEN 'serious' THEN 1 ELSE 2 END, i.id`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var it BoardItem
			var ack sql.NullTime
			if err := rows.Scan(&it.ID, &it.OrgID, &it.OrgName, &it.Half, &it.Category, &it.Summary, &it.Place, &it.OccurredAt, &it.Severity, &it.FollowUp, &ack, &it.LinkKind, &it.LinkRef); err != nil {
				return nil, err
			}
			if ack.Valid {
				t := ack.Time.UTC()
				it.AcknowledgedAt = &t
			}
			b.Items = append(b.Items, it)
		}
	}
	return b, s.withFiles(ctx, b.Items)
}

// itemOrg reads an item's unit, for permission checks.
func (s *Service) itemOrg(ctx context.Context, itemID int64) (*org.Org, error) {
	var orgID int64
	err := s.DB.QueryRow(ctx, "SELECT r.org_id FROM daily_report_items i JOIN daily_reports r ON r.id = i.report_id WHERE i.id = ?", itemID).Scan(&orgID)
	if err != nil {
		return nil, apperr.NotFound("item")
	}
	return org.ByID(ctx, s.DB, orgID)
}

// Acknowledge marks an item as seen by a desk (签收).
func (s *Service) Acknowledge(ctx context.Context, a *auth.Actor, itemID int64) error {
	o, err := s.itemOrg(ctx, itemID)
	if err != nil {
		return err
	}
	if err := s.Auth.Check(ctx, a, auth.DailyReportView, o.Path, "daily_report_item", strconv.FormatInt(itemID, 10)); err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE daily_report_items SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_at IS NULL", now, a.UserID, itemID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, a.Entry(now, "dailyreport.acknowledge", "daily_report_item", strconv.FormatInt(itemID, 10), o.ID))
	})
}

// FollowUpInput turns an item into a follow-up task.
type FollowUpInput struct {
	Title      string `json:"title"`
	AssigneeID int64  `json:"assignee_id,omitempty"`
	DueDate    string `json:"due_date,omitempty"`
}

// FollowUp makes a follow-up task of an item and links the item to it
// (link_kind "followup"; hazards, cases and incidents will link the same way).
func (s *Service) FollowUp(ctx context.Context, a *auth.Actor, itemID int64, in FollowUpInput) (int64, error) {
	o, err := s.itemOrg(ctx, itemID)
	if err != nil {
		return 0, err
	}
	if err := s.Auth.Check(ctx, a, auth.DailyReportView, o.Path, "daily_report_item", strconv.FormatInt(itemID, 10)); err != nil {
		return 0, err
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || len([]rune(in.Title)) > 100 {
		return 0, apperr.Field(apperr.EINVALID, "title", "任务标题不能为空，最长 100 字 / the title is required, at most 100 characters")
	}
	if in.DueDate != "" {
		if _, err := calendar.ParseDate(in.DueDate); err != nil {
			return 0, apperr.Field(apperr.EINVALID, "due_date", "日期须为 YYYY-MM-DD / the date must be YYYY-MM-DD")
		}
	}
	now := s.Clock.Now()
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var linked string
		if err := tx.QueryRow(ctx, "SELECT link_kind FROM daily_report_items WHERE id = ?", itemID).Scan(&linked); err != nil {
			return err
		}
		if linked != "" {
			return apperr.New(apperr.ECONFLICT, "该事项已转为后续任务 / the item already has a follow-up")
		}
		var assignee any
		if in.AssigneeID != 0 {
			assignee = in.AssigneeID
		}
		id, err = db.InsertID(ctx, tx, "INSERT INTO followups (item_id, org_id, title, assignee_id, due_day, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			itemID, o.ID, in.Title, assignee, in.DueDate, a.UserID, now)
		if err != nil {
			return err
		}
		if err := linkItem(ctx, tx, now, a, itemID, "followup", strconv.FormatInt(id, 10)); err != nil {
			return err
		}
		e := a.Entry(now, "dailyreport.followup", "followup", strconv.FormatInt(id, 10), o.ID)
		e.After = in
		return audit.Append(ctx, tx, e)
	})
	return id, err
}

// linkItem records what an item became and acknowledges it.
func linkItem(ctx context.Context, tx *db.Tx, now time.Time, a *auth.Actor, itemID int64, kind, ref string) error {
	_, err := tx.Exec(ctx, "UPDATE daily_report_items SET link_kind = ?, link_ref = ?, acknowledged_at = COALESCE(acknowledged_at, ?), acknowledged_by = COALESCE(acknowledged_by, ?) WHERE id = ?",
		kind, ref, now, a.UserID, itemID)
	return err
}
