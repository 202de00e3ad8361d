package hazard

import (
	"context"
	"database/sql"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
)

// PrefillRequest names what a new hazard comes from.
type PrefillRequest struct {
	EnterpriseID int64 // a hazard about this enterprise or place
	DailyItemID  int64 // a daily-report item (每日报告事项) that becomes a hazard
	OrgID        int64 // a territory
}

// Prefilled is a registration filled in with what the system knows, and
// what the form shows about where it comes from.
type Prefilled struct {
	Input      Input  `json:"input"`
	Enterprise string `json:"enterprise,omitempty"`
	Territory  string `json:"territory,omitempty"`
	From       string `json:"from,omitempty"` // a line about the source, e.g. the daily-report item
}

// dailyCategory maps the daily report's safety categories to hazard categories.
var dailyCategory = map[string]string{"火灾": "fire", "危化品": "hazchem", "道路交通": "traffic"}

// Prefill fills in a registration from an enterprise or a daily-report
// item, so that nothing known is typed twice. The actor must be able to
// register there (out of scope: not found).
func (s *Service) Prefill(ctx context.Context, a *auth.Actor, req PrefillRequest) (*Prefilled, error) {
	p := &Prefilled{}
	now := s.Clock.Now()
	p.Input.FoundAt = &now
	p.Input.FinderName = a.Name
	if req.DailyItemID != 0 {
		it, err := loadDailyItem(ctx, s.DB, req.DailyItemID)
		if err != nil {
			return nil, err
		}
		if it == nil || !(a.Operator || a.Can(auth.HazardView, it.OrgPath) || a.Can(auth.DailyReportView, it.OrgPath)) {
			return nil, s.Auth.Refuse(ctx, a, auth.HazardReport, "daily_report_item", apperr.NotFound("daily report item"))
		}
		if it.LinkKind == "hazard" {
			return nil, apperr.Field(apperr.ECONFLICT, "item_id", "该事项已登记为隐患 %s / this item is registered as hazard %s already", it.LinkRef, it.LinkRef)
		}
		in := &p.Input
		in.Source, in.SourceRef, in.OrgID = SourceDailyItem, itoa(it.ID), it.OrgID
		in.Description, in.Location = it.Summary, it.Place
		in.Category = dailyCategory[it.Category]
		found := it.SubmittedAt.UTC()
		in.FoundAt = &found
		if it.UserID.Valid {
			var name string
			if err := s.DB.QueryRow(ctx, "SELECT name FROM users WHERE id = ?", it.UserID.Int64).Scan(&name); err == nil {
				in.FinderName = name
			} else if err != sql.ErrNoRows {
				return nil, err
			}
		}
		p.From = "每日报告 " + it.Day + "：" + it.Category
		if it.OccurredAt != "" {
			p.From += "（" + it.OccurredAt + "）"
		}
		if req.EnterpriseID == 0 {
			var name string
			s.DB.QueryRow(ctx, "SELECT name FROM orgs WHERE id = ?", it.OrgID).Scan(&name)
			p.Territory = name
			return p, nil
		}
	}
	if req.EnterpriseID != 0 {
		e, err := loadEnterprise(ctx, s.DB, req.EnterpriseID)
		if err != nil {
			return nil, err
		}
		if e == nil {
			return nil, apperr.NotFound("enterprise")
		}
		var tpath, tname string
		if err := s.DB.QueryRow(ctx, "SELECT path, name FROM orgs WHERE id = ?", e.TerritoryID).Scan(&tpath, &tname); err != nil {
			return nil, err
		}
		if err := s.Auth.Check(ctx, a, auth.HazardReport, auth.EnterpriseScope(tpath, e.ID), "enterprise", itoa(e.ID)); err != nil {
			return nil, err
		}
		id := e.ID
		p.Input.EnterpriseID = &id
		p.Input.OrgID = 0
		if p.Input.Location == "" {
			p.Input.Location = e.Address
		}
		p.Input.ResponsibleUnit = e.Name
		p.Enterprise, p.Territory = e.Name, tname
		if a.EnterpriseID == e.ID && p.Input.Source == "" {
			p.Input.Source = SourceSelfReport
		}
		return p, nil
	}
	id := req.OrgID
	if id == 0 {
		id = a.OrgID
	}
	var tpath, tname string
	if err := s.DB.QueryRow(ctx, "SELECT path, name FROM orgs WHERE id = ?", id).Scan(&tpath, &tname); err != nil {
		if err == sql.ErrNoRows {
			return nil, apperr.NotFound("org")
		}
		return nil, err
	}
	if req.OrgID != 0 {
		if err := s.Auth.Check(ctx, a, auth.HazardReport, tpath, "org", itoa(id)); err != nil {
			return nil, err
		}
	}
	p.Input.OrgID, p.Territory = id, tname
	return p, nil
}

// defaultDeadline suggests a deadline: 7 days for a general hazard.
func defaultDeadline(today calendar.Date) string { return today.AddDays(7).String() }
