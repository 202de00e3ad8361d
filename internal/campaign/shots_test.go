package campaign_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/anwen-gov/anwen/internal/browsertest"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestScreenshots photographs the campaign pages with the demo's campaigns,
// at phone and desktop sizes, for review: CAMPAIGN_SHOTS=/tmp/shots go test
// -run TestScreenshots ./internal/campaign/ (cmd/screenshots shows them too
// once the demo loads campaigns). CAMPAIGN_SHOTS_LANG=en for English.
func TestScreenshots(t *testing.T) {
	dir := browsertest.ShotsDir(t, "CAMPAIGN_SHOTS")
	f := newFixture(t, dbtest.SQLite(t))
	ctx := context.Background()
	if _, err := f.env.App.LoadDemoHazards(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.env.App.LoadDemoCampaigns(ctx); err != nil {
		t.Fatal(err)
	}
	active := f.id("SELECT id FROM campaigns WHERE status = 'active'")
	draft := f.id("SELECT id FROM campaigns WHERE status = 'draft'")
	closed := f.id("SELECT id FROM campaigns WHERE status = 'closed'")
	qsTask := f.id("SELECT t.id FROM campaign_tasks t JOIN orgs o ON o.id = t.org_id WHERE t.campaign_id = ? AND o.code = 'SFQ-QS'", active)
	ent := f.ent(entHazchem)
	lang := os.Getenv("CAMPAIGN_SHOTS_LANG")
	browsertest.Screenshots(t, f.env.Server.URL, dir,
		browsertest.Session{Login: "yjj", Lang: lang, Paths: []string{"/campaigns", fmt.Sprintf("/campaigns/%d", active), "/campaigns/new", fmt.Sprintf("/campaigns/%d", closed)}},
		browsertest.Session{Login: "qingshan", Lang: lang, Paths: []string{fmt.Sprintf("/campaigns/%d", active), fmt.Sprintf("/campaigns/%d/tasks/%d", active, qsTask), fmt.Sprintf("/campaigns/%d", draft)}},
		browsertest.Session{Login: "wanggeyuan", Lang: lang, Paths: []string{"/campaigns", fmt.Sprintf("/campaigns/%d", active), fmt.Sprintf("/inspections/new?campaign_id=%d&enterprise_id=%d&template_id=1", active, ent)}},
	)
}
