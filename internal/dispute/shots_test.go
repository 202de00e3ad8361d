package dispute_test

import (
	"context"
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
	"github.com/anwen-gov/anwen/internal/dispute"
)

// TestScreenshots photographs the dispute pages with the demo's disputes,
// at phone and desktop sizes, for review: DISPUTE_SHOTS=/tmp/shots go test
// -run TestScreenshots ./internal/dispute/ (cmd/screenshots shows them too
// once it loads the demo's disputes).
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("DISPUTE_SHOTS")
	if dir == "" {
		t.Skip("set DISPUTE_SHOTS to a directory to take screenshots")
	}
	exe, err := browsertest.ExecPath()
	if err != nil {
		t.Skip(err)
	}
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
	pages := []string{"/disputes", "/disputes/new", "/disputes/" + itoa(first), "/disputes/" + itoa(first) + "?reveal", "/disputes/" + itoa(red), "/disputes/import", "/disputes?overdue=1"}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"qingshan", "wanggeyuan"} {
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
			if login == "wanggeyuan" && (strings.Contains(p, "reveal") || strings.Contains(p, "import")) {
				continue
			}
			for _, sz := range []struct {
				name   string
				w, h   int64
				mobile bool
			}{{"desktop", 1366, 900, false}, {"phone", 390, 844, true}} {
				opts := []chromedp.EmulateViewportOption{}
				if sz.mobile {
					opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(2))
				}
				path, reveal := strings.CutSuffix(p, "?reveal")
				do(chromedp.EmulateViewport(sz.w, sz.h, opts...), chromedp.Navigate(f.env.Server.URL+path))
				if reveal {
					if _, err := chromedp.RunResponse(b.Ctx, chromedp.Click(chromedp.CSS(`#reveal`))); err != nil {
						t.Fatal(err)
					}
				}
				do(chromedp.Evaluate[chromedp.Void](`document.fonts.ready.then(function(){return true})`, chromedp.EvalAwaitPromise))
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
