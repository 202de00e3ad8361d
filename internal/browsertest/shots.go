package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/demo"
)

// Size is a screen that pages are photographed at.
type Size struct {
	Name          string
	Width, Height int64
	Mobile        bool
}

// Sizes are the screens pages are reviewed at: a desktop and a phone.
var Sizes = []Size{
	{"desktop", 1366, 900, false},
	{"phone", 390, 844, true},
}

// Emulate is the action that gives the tab this screen.
func (sz Size) Emulate() chromedp.Action[chromedp.Void] {
	var opts []chromedp.EmulateViewportOption
	if sz.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(2))
	}
	return chromedp.EmulateViewport(sz.Width, sz.Height, opts...)
}

// SignIn signs in as a demo login through the sign-in form of the Anwen at
// base, as a person would, in the tab ctx. It fails unless the browser lands
// past the sign-in page, and returns where it landed.
func SignIn(ctx context.Context, base, login string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), login),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.DemoPassword),
	); err != nil {
		return "", fmt.Errorf("sign-in form: %w", err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`))); err != nil {
		return "", fmt.Errorf("sign in as %s: %w", login, err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(loc, "/signin") {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('[role="alert"]')||{}).innerText||""`))
		return "", fmt.Errorf("sign in as %s failed: %s", login, msg)
	}
	return loc, nil
}

// Shot is one picture that Shoot took.
type Shot struct {
	Path   string
	Size   Size
	File   string
	Status int64 // the page's HTTP status
	Width  int   // how wide the page is: wider than the screen means it scrolls sideways
}

// Overflows says whether the page is wider than the screen.
func (s Shot) Overflows() bool { return s.Width > int(s.Size.Width)+1 }

// Shoot opens base+path in the tab ctx at size sz, runs then (when not nil:
// a tap that opens something), lets the web fonts settle and saves a
// full-page PNG as file.
func Shoot(ctx context.Context, base, path string, sz Size, file string, then func(ctx context.Context) error) (Shot, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	shot := Shot{Path: path, Size: sz, File: file}
	if err := chromedp.Do(ctx, sz.Emulate()); err != nil {
		return shot, err
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+path))
	if err != nil {
		return shot, fmt.Errorf("open %s: %w", path, err)
	}
	if resp != nil {
		shot.Status = resp.Status
	}
	if then != nil {
		if err := then(ctx); err != nil {
			return shot, fmt.Errorf("%s at %s: %w", path, sz.Name, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.fonts.ready.then(function(){return true})`, chromedp.EvalAwaitPromise)); err != nil {
		return shot, err
	}
	type widths struct{ Scroll, Inner int }
	w, _ := chromedp.Run(ctx, chromedp.Evaluate[widths](`({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth})`))
	shot.Width = max(w.Scroll, w.Inner)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return shot, fmt.Errorf("screenshot %s: %w", path, err)
	}
	return shot, os.WriteFile(file, png, 0o644)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// FileName turns a path into a file name: "/" is "home", "/orgs/1" is
// "orgs-1", "/people?org=3" is "people-org-3".
func FileName(path string) string {
	if u, err := url.Parse(path); err == nil {
		path = u.Path
		if u.RawQuery != "" {
			path += "-" + u.RawQuery
		}
	}
	name := strings.Trim(unsafeName.ReplaceAllString(path, "-"), "-")
	if name == "" {
		return "home"
	}
	return name
}

// Session is what one person photographs: signed in as Login ("" for a
// visitor), in Lang ("en" for English; Chinese otherwise), each of Paths
// at every size.
type Session struct {
	Login string
	Lang  string
	Paths []string
	// Then, when set, runs on each page after it loaded and before its
	// picture (a tap that opens something); an error fails the test.
	Then func(ctx context.Context, path string, sz Size) error
}

// ShotsDir is the directory that the environment variable env names for
// a review's screenshots. It skips t when env is unset or when there is
// no Chromium, and creates the directory.
func ShotsDir(t testing.TB, env string) string {
	t.Helper()
	dir := os.Getenv(env)
	if dir == "" {
		t.Skipf("set %s to a directory to take screenshots", env)
	}
	if _, err := ExecPath(); err != nil {
		t.Skip(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Screenshots photographs each session's pages on the Anwen at base, at
// every size, in a browser of its own, into dir as
// <login>-<FileName(path)>-<size>.png (the login is "visitor" for ""). A
// page that answers 400 or more, or that is wider than the screen, fails t.
func Screenshots(t *testing.T, base, dir string, sessions ...Session) {
	t.Helper()
	exe, err := ExecPath()
	if err != nil {
		t.Skip(err)
	}
	for _, s := range sessions {
		who := s.Login
		if who == "" {
			who = "visitor"
		}
		t.Run(who, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			b, err := Start(ctx, exe, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if s.Lang == "en" {
				if err := chromedp.Do(b.Ctx, chromedp.Navigate(base+"/lang?to=en&back=/signin")); err != nil {
					t.Fatal(err)
				}
			}
			if s.Login != "" {
				if _, err := SignIn(b.Ctx, base, s.Login); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range s.Paths {
				for _, sz := range Sizes {
					var then func(context.Context) error
					if s.Then != nil {
						then = func(ctx context.Context) error { return s.Then(ctx, p, sz) }
					}
					shot, err := Shoot(b.Ctx, base, p, sz, filepath.Join(dir, who+"-"+FileName(p)+"-"+sz.Name+".png"), then)
					if err != nil {
						t.Fatal(err)
					}
					t.Log(shot.File)
					if shot.Status >= 400 {
						t.Errorf("%s: status %d", p, shot.Status)
					}
					if shot.Overflows() {
						t.Errorf("%s at %s: %d px wide on a %d px screen", p, sz.Name, shot.Width, sz.Width)
					}
				}
			}
		})
	}
}
