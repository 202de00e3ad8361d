package campaign_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/browsertest"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/demo"
)

// TestScreenshots photographs the campaign pages with the demo's campaigns,
// at phone and desktop sizes, for review: CAMPAIGN_SHOTS=/tmp/shots go test
// -run TestScreenshots ./internal/campaign/ (cmd/screenshots shows them too
// once the demo loads campaigns). CAMPAIGN_SHOTS_LANG=en for English.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("CAMPAIGN_SHOTS")
	if dir == "" {
		t.Skip("set CAMPAIGN_SHOTS to a directory to take screenshots")
	}
	exe, err := browsertest.ExecPath()
	if err != nil {
		t.Skip(err)
	}
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
	logins := map[string][]string{
		"yjj":        {"/campaigns", fmt.Sprintf("/campaigns/%d", active), "/campaigns/new", fmt.Sprintf("/campaigns/%d", closed)},
		"qingshan":   {fmt.Sprintf("/campaigns/%d", active), fmt.Sprintf("/campaigns/%d/tasks/%d", active, qsTask), fmt.Sprintf("/campaigns/%d", draft)},
		"wanggeyuan": {"/campaigns", fmt.Sprintf("/campaigns/%d", active), fmt.Sprintf("/inspections/new?campaign_id=%d&enterprise_id=%d&template_id=1", active, ent)},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for login, pages := range logins {
		c, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		b, err := browsertest.Start(c, exe, t.TempDir())
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		do := func(actions ...chromedp.Action[chromedp.Void]) {
			c, cl := context.WithTimeout(b.Ctx, 30*time.Second)
			defer cl()
			if err := chromedp.Do(c, actions...); err != nil {
				t.Fatal(err)
			}
		}
		if os.Getenv("CAMPAIGN_SHOTS_LANG") == "en" {
			do(chromedp.Navigate(f.env.Server.URL + "/lang?to=en&back=/signin"))
		}
		do(chromedp.EmulateViewport(1366, 900), chromedp.Navigate(f.env.Server.URL+"/signin"),
			chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), login), chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.DemoPassword))
		if _, err := chromedp.RunResponse(b.Ctx, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`))); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			for _, sz := range []struct {
				name   string
				w, h   int64
				mobile bool
			}{{"desktop", 1366, 900, false}, {"phone", 390, 844, true}} {
				opts := []chromedp.EmulateViewportOption{}
				if sz.mobile {
					opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(2))
				}
				do(chromedp.EmulateViewport(sz.w, sz.h, opts...), chromedp.Navigate(f.env.Server.URL+p),
					chromedp.Evaluate[chromedp.Void](`document.fonts.ready.then(function(){return true})`, chromedp.EvalAwaitPromise))
				wide, _ := chromedp.Run(b.Ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
				png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				name := login + "-" + strings.Trim(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(p, "-"), "-") + "-" + sz.name + ".png"
				if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
					t.Fatal(err)
				}
				if wide > int(sz.w)+1 {
					t.Errorf("%s: %d px wide on a %d px screen", name, wide, sz.w)
				}
			}
		}
		b.Close()
		cancel()
	}
}
