package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
)

const recheckCols = `r.id, r.task_id, o.name, o.path, r.hazard_id, h.number, h.description, h.enterprise_name, h.deadline, h.status, h.path,
	r.status_at_launch, r.from_campaign_id, COALESCE(fc.title, ''), r.outcome, r.note, r.checked_by, r.checked_by_name, r.checked_at`

const recheckFrom = ` FROM campaign_rechecks r JOIN campaign_tasks t ON t.id = r.task_id JOIN orgs o ON o.id = t.org_id
	JOIN hazards h ON h.id = r.hazard_id LEFT JOIN campaigns fc ON fc.id = r.from_campaign_id`

func scanRecheck(row interface{ Scan(...any) error }) (*Recheck, error) {
	r := &Recheck{}
	var from, by sql.NullInt64
	var byName string
	var at sql.NullTime
	err := row.Scan(&r.ID, &r.TaskID, &r.TaskOrgName, &r.taskPath, &r.HazardID, &r.HazardNumber, &r.Description, &r.EnterpriseName, &r.Deadline,
		&r.HazardStatus, &r.hazardPath, &r.StatusAtLaunch, &from, &r.FromCampaignTitle, &r.Outcome, &r.Note, &by, &byName, &at)
	if err != nil {
		return nil, err
	}
	if from.Valid {
		r.FromCampaignID = &from.Int64
	}
	if by.Valid || byName != "" {
		r.CheckedBy = &Person{ID: by.Int64, Name: byName}
	}
	if at.Valid {
		t := at.Time.UTC()
		r.CheckedAt = &t
	}
	return r, nil
}

// canRecheck reports whether a may record the re-check of a hazard at
// hazardPath: re-checking is inspecting (回头看 is going back to look), so
// it takes the right to record inspections where the hazard is.
func canRecheck(a *auth.Actor, c *Campaign, hazardPath string) bool {
	return c.Status == Active && (a.Operator || a.Can(auth.InspectionRecord, hazardPath))
}

// rechecks lists the re-checks of the tasks in order (those the caller
// sees), the ones still to do first.
func (s *Service) rechecks(ctx context.Context, a *auth.Actor, c *Campaign, order []*Task) ([]Recheck, error) {
	seen := make(map[int64]bool, len(order))
	for _, t := range order {
		seen[t.ID] = true
	}
	out := []Recheck{}
	if len(order) == 0 {
		return out, nil
	}
	rows, err := s.DB.Query(ctx, "SELECT "+recheckCols+recheckFrom+
		" WHERE r.campaign_id = ? ORDER BY CASE WHEN r.outcome = '' THEN 0 ELSE 1 END, h.deadline, r.id", c.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecheck(rows)
		if err != nil {
			return nil, err
		}
		if !seen[r.TaskID] {
			continue
		}
		r.CanRecord = canRecheck(a, c, r.hazardPath)
		out = append(out, *r)
	}
	return out, rows.Err()
}

// RecheckInput records the outcome of a re-check (回头看).
type RecheckInput struct {
	// Outcome: still_open (仍未整改) or fixed (核实已整改). The hazard itself
	// moves only through its own lifecycle (验收销号 by its supervising org).
	Outcome string `json:"outcome"`
	Note    string `json:"note,omitempty"`
}

// Recheck records the outcome of re-check rid of campaign id, as the task's
// org sees it on the spot; a later record replaces it (each is audited).
func (s *Service) Recheck(ctx context.Context, a *auth.Actor, id, rid int64, in RecheckInput) (*Recheck, error) {
	c, order, err := s.read(ctx, s.DB, a, id)
	if err != nil {
		return nil, err
	}
	r, err := scanRecheck(s.DB.QueryRow(ctx, "SELECT "+recheckCols+recheckFrom+" WHERE r.id = ? AND r.campaign_id = ?", rid, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.Auth.Refuse(ctx, a, auth.CampaignView, "campaign_recheck", apperr.NotFound("re-check"))
	}
	if err != nil {
		return nil, err
	}
	visible := false
	for _, t := range order {
		visible = visible || t.ID == r.TaskID
	}
	if !visible {
		return nil, s.Auth.Refuse(ctx, a, auth.CampaignView, "campaign_recheck", apperr.NotFound("re-check"))
	}
	if err := s.Auth.Check(ctx, a, auth.InspectionRecord, r.hazardPath, "campaign_recheck", itoa(rid)); err != nil {
		if apperr.Code(err) == apperr.ENOTFOUND {
			// The campaign is visible: a refusal here is a refusal, not an absence.
			err = apperr.New(apperr.EFORBIDDEN, "无权记录复查结果 / you may not record this re-check")
		}
		return nil, err
	}
	if c.Status != Active {
		return nil, apperr.New(apperr.ERULE, "行动%s，不能再记录复查结果 / the campaign is %s: re-checks are no longer recorded", StatusZH[c.Status], c.Status)
	}
	if in.Outcome != StillOpen && in.Outcome != Fixed {
		return nil, apperr.Field(apperr.EINVALID, "outcome", "复查结果须为 still_open（仍未整改）或 fixed（核实已整改） / outcome is still_open or fixed")
	}
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > maxNote {
		return nil, apperr.Field(apperr.EINVALID, "note", "说明最长 %d 字 / the note may have at most %d characters", maxNote, maxNote)
	}
	now := s.now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE campaign_rechecks SET outcome = ?, note = ?, checked_by = ?, checked_by_name = ?, checked_at = ? WHERE id = ?",
			in.Outcome, note, nullID(a.UserID), a.Name, now, rid); err != nil {
			return err
		}
		e := a.Entry(now, "campaign.recheck", "campaign_recheck", itoa(rid), c.LaunchOrgID)
		e.Before = r
		e.Detail = fmt.Sprintf("campaign %d, hazard %s: %s", id, r.HazardNumber, in.Outcome)
		if r.Outcome != "" && r.Outcome != in.Outcome {
			e.Detail += " (was " + r.Outcome + ")"
		}
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	r, err = scanRecheck(s.DB.QueryRow(ctx, "SELECT "+recheckCols+recheckFrom+" WHERE r.id = ?", rid))
	if err != nil {
		return nil, err
	}
	r.CanRecord = canRecheck(a, c, r.hazardPath)
	return r, nil
}

// CheckedWhen is when the re-check was recorded (pages).
func (r Recheck) CheckedWhen() string {
	if r.CheckedAt == nil {
		return ""
	}
	return r.CheckedAt.In(calendar.Location).Format("2006-01-02 15:04")
}
