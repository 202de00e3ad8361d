package app

import (
	"context"
	"time"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/campaign"
	"github.com/anwen-gov/anwen/internal/inspection"
)

// LoadDemoCampaigns runs the demo district's investigation campaigns
// (排查整治行动), once: an earlier one closed with hazards left open, the
// running one with its inspections, hazards, a re-check and the halfway
// flags, and a township's draft (one of LoadDemoRecords, after the hazards).
func (a *App) LoadDemoCampaigns(ctx context.Context) (int, error) {
	ins := a.Inspections()
	if a.Campaigns() == nil || ins == nil {
		return 0, nil
	}
	return campaign.SeedDemo(ctx, a.Campaigns(), func(ctx context.Context, actor *auth.Actor, campaignID, enterpriseID int64, at time.Time, problem, deadline string) error {
		in := inspection.Input{Kind: inspection.KindTerritorial, EnterpriseID: &enterpriseID, CampaignID: &campaignID, InspectedAt: &at,
			Summary: "对照检查表逐项检查，未发现问题。"}
		if problem != "" {
			in.Summary = "发现问题，已当场告知企业负责人。"
			in.Findings = []inspection.FindingInput{{Text: problem, Category: "other"}}
		}
		rec, err := ins.Record(ctx, actor, in)
		if err != nil || problem == "" || ins.Registrar() == nil || len(rec.Findings) == 0 {
			return err
		}
		_, err = ins.RegisterHazard(ctx, actor, rec.ID, inspection.HazardRequest{FindingID: rec.Findings[0].ID, Deadline: deadline})
		return err
	})
}

func init() { addDemoRecords("campaigns", (*App).LoadDemoCampaigns) }
