package app

import (
	"context"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/hazard"
	"github.com/anwen-gov/anwen/internal/inspection"
)

// Links between capabilities that sit beside each other and so may not
// import each other: app is the one package that knows both. This file
// sorts after wire_hazard.go and wire_inspection.go, so both services exist.
func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		if a.Inspections() != nil && a.Hazards() != nil {
			a.Inspections().SetRegistrar(inspectionHazards{a.Hazards()})
		}
		return nil
	})
}

// inspectionHazards registers the hazard an inspection found (检查发现隐患),
// inside the inspection's transaction, with everything the inspection
// already knows.
type inspectionHazards struct{ h *hazard.Service }

// defaultRectifyDays is the rectification period when the inspector set no
// deadline: the responsible side sees it and may ask for an extension.
const defaultRectifyDays = 7

func (x inspectionHazards) RegisterFromInspection(ctx context.Context, tx *db.Tx, a *auth.Actor, f inspection.Finding) (int64, string, error) {
	in := hazard.Input{Source: "inspection", SourceRef: f.SourceRef, CampaignID: f.CampaignID, EnterpriseID: f.EnterpriseID,
		Location: f.Location, Description: f.Description, Category: f.Category, FinderName: f.FinderName, Deadline: f.Deadline}
	if f.InspectionKind == inspection.KindSelf {
		in.Source = "self_report" // 自查自报: the enterprise's own word
	}
	if f.EnterpriseID == nil {
		in.OrgID = f.TerritoryOrgID
	}
	found := f.FoundAt
	in.FoundAt = &found
	if in.Deadline == "" {
		in.Deadline = calendar.DateOf(found).AddDays(defaultRectifyDays).String()
	}
	id, err := x.h.RegisterTx(ctx, tx, a, in)
	if err != nil {
		return 0, "", err
	}
	var number string
	if err := tx.QueryRow(ctx, "SELECT number FROM hazards WHERE id = ?", id).Scan(&number); err != nil {
		return 0, "", err
	}
	return id, number, nil
}
