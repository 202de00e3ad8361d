package hazard_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/anwen-gov/anwen/internal/browsertest"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/hazard"
)

// TestScreenshots photographs the hazard pages with the demo's hazards, at
// phone and desktop sizes, for review: HAZARD_SHOTS=/tmp/shots go test -run
// TestScreenshots ./internal/hazard/ (cmd/screenshots shows them too once
// the demo loads hazards).
func TestScreenshots(t *testing.T) {
	dir := browsertest.ShotsDir(t, "HAZARD_SHOTS")
	f := newFixture(t, dbtest.SQLite(t))
	for i, code := range []string{"SFQ-QS-02", "SFQ-LH", "SFQ-LH-03", "SFQ-TY", "SFQ-BS-02", "SFQ-SM", "SFQ-DC-02", "SFQ-NH", "SFQ-JQ", "SFQ-JQ-02", "SFQ-WC", "SFQ-YX"} {
		f.enterprise(fmt.Sprintf("%s第%d号企业", []string{"示范", "安达", "恒通", "顺丰", "华源"}[i%5], i+1), code, []string{"机械制造", "餐饮", "危险化学品", "商贸", "建筑"}[i%5], fmt.Sprintf("91430000MA4L0%05d", 100+i), "general")
	}
	if _, err := hazard.SeedDemo(context.Background(), f.svc()); err != nil {
		t.Fatal(err)
	}
	f.sweep("2026-11-27 10:01")
	ids := map[string]int64{}
	for _, st := range []string{"awaiting_acceptance", "closed", "registered"} {
		var id int64
		f.env.App.DB.QueryRow(context.Background(), "SELECT id FROM hazards WHERE status = ? AND path LIKE ? ORDER BY id LIMIT 1", st, "%").Scan(&id)
		ids[st] = id
	}
	var major int64
	f.env.App.DB.QueryRow(context.Background(), "SELECT id FROM hazards WHERE listed_org_id IS NOT NULL ORDER BY id LIMIT 1").Scan(&major)
	var qsItem int64
	f.env.App.DB.QueryRow(context.Background(), "SELECT h.id FROM hazards h JOIN orgs o ON o.id = h.territory_org_id WHERE o.code LIKE 'SFQ-QS%' AND h.status = 'rectifying' ORDER BY h.id LIMIT 1").Scan(&qsItem)
	browsertest.Screenshots(t, f.env.Server.URL, dir,
		browsertest.Session{Login: "yjj", Paths: []string{"/hazards", "/hazards?overdue=1", "/hazards/stats", fmt.Sprintf("/hazards/%d", major), fmt.Sprintf("/hazards/%d", ids["awaiting_acceptance"]), fmt.Sprintf("/hazards/%d", ids["closed"])}},
		browsertest.Session{Login: "qingshan", Paths: []string{"/hazards", "/hazards/new", "/hazards/stats", fmt.Sprintf("/hazards/%d", qsItem), "/hazards/import"}},
	)
}
