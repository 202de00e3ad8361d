package hazard_test

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
	"github.com/anwen-gov/anwen/internal/hazard"
)

// TestScreenshots photographs the hazard pages with the demo's hazards, at
// phone and desktop sizes, for review: HAZARD_SHOTS=/tmp/shots go test -run
// TestScreenshots ./internal/hazard/ (cmd/screenshots shows them too once
// the demo loads hazards).
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("HAZARD_SHOTS")
	if dir == "" {
		t.Skip("set HAZARD_SHOTS to a directory to take screenshots")
	}
	exe, err := browsertest.ExecPath()
	if err != nil {
		t.Skip(err)
	}
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
	logins := map[string][]string{
		"yjj":      {"/hazards", "/hazards?overdue=1", "/hazards/stats", fmt.Sprintf("/hazards/%d", major), fmt.Sprintf("/hazards/%d", ids["awaiting_acceptance"]), fmt.Sprintf("/hazards/%d", ids["closed"])},
		"qingshan": {"/hazards", "/hazards/new", "/hazards/stats", fmt.Sprintf("/hazards/%d", qsItem), "/hazards/import"},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for login, pages := range logins {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		b, err := browsertest.Start(ctx, exe, t.TempDir())
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
					t.Logf("%s: %d px wide on a %d px screen", name, wide, sz.w)
				}
			}
		}
		b.Close()
		cancel()
	}
}
