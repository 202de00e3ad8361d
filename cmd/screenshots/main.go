// Command screenshots photographs Anwen's pages for review. It starts Anwen
// in-process on a temporary SQLite database with the demo district, signs in
// through the sign-in form in headless Chromium and saves full-page PNGs of
// each page at desktop (1366x900) and phone (390x844, mobile) sizes:
//
//	go run ./cmd/screenshots -out /tmp/shots
//	go run ./cmd/screenshots -out /tmp/shots -login qingshan -pages /,/orgs -lang en
//	go run ./cmd/screenshots -out /tmp/shots -login "" -pages /public/petitions/new
//
// Files are DIR/<name>-desktop.png and DIR/<name>-phone.png, where name is
// the path with slashes turned into dashes ("/" is "home", "/orgs/1" is
// "orgs-1"). The page /signin is taken before signing in; with -login ""
// nothing signs in (the public pages, as a visitor sees them).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/app"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/browsertest"
	"github.com/anwen-gov/anwen/internal/demo"
)

const defaultPages = "/signin,/,/orgs,/orgs/1,/people,/people/1"

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("screenshots", flag.ContinueOnError)
	out := fs.String("out", "", "directory for the PNG files (created if missing)")
	login := fs.String("login", "admin", "demo login to sign in as (password "+demo.DemoPassword+"); \"\" for an anonymous visitor")
	pages := fs.String("pages", defaultPages, "comma-separated paths; /signin is taken before signing in")
	lang := fs.String("lang", "zh", "page language: zh or en")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("-out DIR is required")
	}
	if *lang != "zh" && *lang != "en" {
		return fmt.Errorf("-lang %q: want zh or en", *lang)
	}
	var paths []string
	for _, p := range strings.Split(*pages, ",") {
		if p = strings.TrimSpace(p); p != "" {
			if !strings.HasPrefix(p, "/") {
				p = "/" + p
			}
			paths = append(paths, p)
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	exe, err := browsertest.ExecPath()
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	// Anwen on a throwaway SQLite database with the demo district.
	tmp, err := os.MkdirTemp("", "anwen-screenshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cfg := app.Config{DataDir: filepath.Join(tmp, "data"), Demo: true, Auth: auth.DefaultConfig()}
	cfg.Auth.WaiveAdminTOTP = true // demo mode waives the administrators' second factor
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return fmt.Errorf("open anwen: %w", err)
	}
	defer a.Close()
	if _, err := a.LoadDemo(ctx); err != nil {
		return fmt.Errorf("load demo: %w", err)
	}
	if _, err := a.LoadDemoRecords(ctx); err != nil {
		return err
	}
	srv := httptest.NewServer(a.Web.Handler())
	defer srv.Close()

	b, err := browsertest.Start(ctx, exe, filepath.Join(tmp, "chromium"))
	if err != nil {
		return err
	}
	defer b.Close()
	s := &shooter{ctx: b.Ctx, base: srv.URL, dir: *out, stdout: stdout}

	if *lang == "en" {
		if err := s.do(chromedp.Navigate(s.base + "/lang?to=en&back=/signin")); err != nil {
			return err
		}
	}
	for _, p := range paths {
		if p == "/signin" {
			if err := s.shoot(p); err != nil {
				return err
			}
		}
	}
	if *login != "" {
		if err := s.signIn(*login); err != nil {
			return err
		}
	}
	for _, p := range paths {
		if p != "/signin" {
			if err := s.shoot(p); err != nil {
				return err
			}
		}
	}
	return nil
}

type shooter struct {
	ctx    context.Context
	base   string
	dir    string
	stdout io.Writer
}

func (s *shooter) do(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// signIn signs in through the form, as a person would.
func (s *shooter) signIn(login string) error {
	loc, err := browsertest.SignIn(s.ctx, s.base, login)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.stdout, "signed in as %s (landed on %s)\n", login, loc)
	return nil
}

// shoot saves path at every size.
func (s *shooter) shoot(path string) error {
	for _, sz := range browsertest.Sizes {
		shot, err := browsertest.Shoot(s.ctx, s.base, path, sz, filepath.Join(s.dir, browsertest.FileName(path)+"-"+sz.Name+".png"), nil)
		if err != nil {
			return err
		}
		note := ""
		if shot.Status != 0 && shot.Status != 200 {
			note += fmt.Sprintf("  (status %d)", shot.Status)
		}
		if shot.Overflows() {
			note += fmt.Sprintf("  (horizontal overflow: page %d px wide on a %d px screen)", shot.Width, sz.Width)
		}
		fmt.Fprintf(s.stdout, "%s%s\n", shot.File, note)
	}
	return nil
}
