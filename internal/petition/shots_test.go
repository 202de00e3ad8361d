package petition_test

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
)

// TestScreenshots photographs the petition pages with the demo's cases, at
// phone and desktop sizes, for review: PETITION_SHOTS=/tmp/shots go test
// -run TestScreenshots ./internal/petition/ (cmd/screenshots shows them
// too once it loads the demo's petitions with App.LoadDemoPetitions).
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("PETITION_SHOTS")
	if dir == "" {
		t.Skip("set PETITION_SHOTS to a directory to take screenshots")
	}
	exe, err := browsertest.ExecPath()
	if err != nil {
		t.Skip(err)
	}
	f := newFixture(t, dbtest.SQLite(t))
	if _, err := f.env.App.LoadDemoPetitions(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.sweep("2026-11-27 10:05")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	logins := map[string][]string{
		"xfj":      {"/petitions", "/petitions/new", "/petitions/1", "/petitions/3", "/petitions/5", "/petitions/6", "/petitions/7"},
		"qingshan": {"/petitions", "/petitions/1"},
	}
	if only := os.Getenv("PETITION_SHOTS_PAGES"); only != "" {
		logins = map[string][]string{"xfj": strings.Split(only, ",")}
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
					t.Errorf("%s: %d px wide on a %d px screen", name, wide, sz.w)
				}
			}
		}
		b.Close()
		cancel()
	}
}
