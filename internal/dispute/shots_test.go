package dispute_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/browsertest"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/dispute"
)

// TestScreenshots photographs the dispute pages with the demo's disputes,
// at phone and desktop sizes, for review: DISPUTE_SHOTS=/tmp/shots go test
// -run TestScreenshots ./internal/dispute/ (cmd/screenshots shows them too
// once it loads the demo's disputes). A path ending in ?reveal is
// photographed after 查看 shows the party's name and phone.
func TestScreenshots(t *testing.T) {
	dir := browsertest.ShotsDir(t, "DISPUTE_SHOTS")
	f := newFixture(t, dbtest.SQLite(t))
	if _, err := dispute.SeedDemo(context.Background(), f.svc()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.env.App.Engine.Sweep(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	var first, red int64
	f.env.App.DB.QueryRow(context.Background(), "SELECT min(id) FROM disputes").Scan(&first)
	f.env.App.DB.QueryRow(context.Background(), "SELECT id FROM disputes WHERE status = 'to_petition' ORDER BY id LIMIT 1").Scan(&red)
	reveal := func(ctx context.Context, path string, _ browsertest.Size) error {
		if !strings.HasSuffix(path, "?reveal") {
			return nil
		}
		_, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#reveal`)))
		return err
	}
	browsertest.Screenshots(t, f.env.Server.URL, dir,
		browsertest.Session{Login: "qingshan", Then: reveal, Paths: []string{"/disputes", "/disputes/new", "/disputes/" + itoa(first), "/disputes/" + itoa(first) + "?reveal",
			"/disputes/" + itoa(red), "/disputes/import", "/disputes?overdue=1"}},
		browsertest.Session{Login: "wanggeyuan", Paths: []string{"/disputes", "/disputes/new", "/disputes/" + itoa(first), "/disputes?overdue=1"}}, // the case sent on (red) is not the village's
	)
}
