// Package browsertest drives Anwen's real pages in a headless Chromium: the
// tests of this package walk the sign-in journey as a person would, and
// cmd/screenshots uses the same helpers to photograph pages for review.
//
// Chromium comes from ANWEN_CHROMIUM or from PATH (Debian's "chromium"). The
// browser runs headless, without a sandbox (the tests run as root in CI),
// with a fresh profile, and with every background network feature off,
// because the machines that run it have no network beyond loopback.
package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium is returned by ExecPath when no browser is found.
var ErrNoChromium = errors.New("no Chromium found: set ANWEN_CHROMIUM or install Debian's chromium package")

// ExecPath returns the Chromium to run: ANWEN_CHROMIUM when set, else the
// first of chromium, chromium-browser, google-chrome, google-chrome-stable
// found on PATH.
func ExecPath() (string, error) {
	if p := os.Getenv("ANWEN_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("ANWEN_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// AllocatorOptions are the options of a headless Chromium at execPath with
// its profile in userDataDir (which should be new and empty).
func AllocatorOptions(execPath, userDataDir string) []chromedp.ExecAllocatorOption {
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	return append(opts,
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(userDataDir),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.WindowSize(1366, 900),
	)
}

// Browser is a running Chromium with one tab.
type Browser struct {
	// Ctx is the chromedp context of the tab: pass it (or a context derived
	// from it) to chromedp.Do and chromedp.Run.
	Ctx    context.Context
	cancel []context.CancelFunc
	out    *syncBuffer
}

// Start starts Chromium at execPath with its profile in userDataDir. The
// browser lives until parent ends or Close is called; give parent a timeout
// so that nothing can hang.
func Start(parent context.Context, execPath, userDataDir string) (*Browser, error) {
	out := &syncBuffer{}
	opts := append(AllocatorOptions(execPath, userDataDir), chromedp.CombinedOutput(out))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &Browser{Ctx: ctx, cancel: []context.CancelFunc{cancelCtx, cancelAlloc}, out: out}
	if err := chromedp.Do(ctx); err != nil { // starts the browser and opens the tab
		b.Close()
		return nil, fmt.Errorf("start %s: %w; browser output: %s", execPath, err, b.Output())
	}
	return b, nil
}

// Output returns what the browser process printed so far (for diagnostics).
func (b *Browser) Output() string { return strings.TrimSpace(b.out.String()) }

// Close stops the browser.
func (b *Browser) Close() {
	for _, c := range b.cancel {
		c()
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buf.Len() > 64<<10 { // keep diagnostics bounded
		return len(p), nil
	}
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
