package app

import (
	"context"

	"github.com/anwen-gov/anwen/internal/campaign"
)

// An inspection counts for a campaign (campaign_id) only when the campaign
// is running and covers what was inspected: the inspection capability asks
// through its CampaignChecker. This file sorts after wire_inspection.go and
// wire_campaign.go, so both services exist when it runs; the campaigns'
// menu entry is added here too, to follow the inspections'.
func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		if a.Inspections() != nil && a.Campaigns() != nil {
			a.Inspections().SetCampaigns(a.Campaigns())
		}
		if a.Campaigns() != nil {
			// The menu entry after 隐患 and 检查, whose wiring has run by now.
			campaign.RegisterMenu(a.Web)
		}
		return nil
	})
}
