// Package app assembles Anwen: it opens the database, builds each
// capability's service and registers its routes on the web server. The
// command line and the tests both start Anwen through here.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/dailyreport"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/deadline"
	"github.com/anwen-gov/anwen/internal/demo"
	"github.com/anwen-gov/anwen/internal/notify"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/people"
	"github.com/anwen-gov/anwen/internal/web"
	"github.com/anwen-gov/anwen/internal/workcalendar"
)

// Config is what the command line gathers from flags and ANWEN_ variables.
type Config struct {
	DataDir      string
	DSN          string
	Demo         bool
	CookieSecure bool
	TrustProxy   bool
	Auth         auth.Config
	// BaseURL makes links in robot messages and e-mail absolute.
	BaseURL string
	SMTP    notify.SMTPConfig
	// MetricsToken lets a scraper outside the local network read /metrics.
	MetricsToken string
	// BlobURL is where attachments are kept (file:///abs/dir, s3://bucket?…);
	// empty: DataDir/attachments, or memory when DataDir is empty too (tests).
	BlobURL string
}

// App is a running Anwen.
type App struct {
	Cfg    Config
	DB     *db.DB
	Clock  clock.Clock
	Log    *slog.Logger
	Auth   *auth.Service
	Orgs   *org.Service
	People *people.Service
	Web    *web.Server
	// WorkCalendar (工作日历) counts working days for every deadline.
	WorkCalendar *workcalendar.Service
	// Engine is the one clock engine; Batch gives small writes group commit.
	Engine *deadline.Engine
	Batch  *db.Batcher
	// Notify is the inbox and the outbound channels.
	Notify *notify.Service
	// DailyReport is the daily zero report (每日零报告).
	DailyReport *dailyreport.Service
	// Attachments (附件) are the photos and PDFs of every capability.
	Attachments *attachment.Service
	// planners keep each capability's obligations in the clock engine.
	planners []func(ctx context.Context) error
}

// Open opens the database, applies migrations and wires the services.
func Open(ctx context.Context, cfg Config, clk clock.Clock, log *slog.Logger) (*App, error) {
	d, err := db.Open(ctx, cfg.DSN, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return Wire(ctx, cfg, d, clk, log)
}

// Wire builds the services on an open, migrated database.
func Wire(ctx context.Context, cfg Config, d *db.DB, clk clock.Clock, log *slog.Logger) (*App, error) {
	if clk == nil {
		clk = clock.Real{}
	}
	if log == nil {
		log = slog.Default()
	}
	a := &App{Cfg: cfg, DB: d, Clock: clk, Log: log}
	a.Auth = &auth.Service{DB: d, Clock: clk, Cfg: cfg.Auth}
	a.Engine = &deadline.Engine{DB: d, Clock: clk, Log: log}
	a.Batch = d.NewBatcher(256)
	a.Notify = &notify.Service{DB: d, Auth: a.Auth, Clock: clk, Log: log, BaseURL: cfg.BaseURL, SMTP: cfg.SMTP,
		// Loopback robot targets only on a demo install (and in tests, which are demo installs).
		AllowLocalTargets: cfg.Demo}
	a.Orgs = &org.Service{DB: d, Auth: a.Auth, Clock: clk}
	a.People = &people.Service{DB: d, Auth: a.Auth, Clock: clk}
	opts := web.Options{Demo: cfg.Demo, CookieSecure: cfg.CookieSecure, IdleTimeout: cfg.Auth.IdleTimeout, TrustProxy: cfg.TrustProxy, MetricsToken: cfg.MetricsToken}
	if cfg.Demo {
		opts.DemoPassword = demo.DemoPassword
		for _, s := range demo.SignIns() {
			opts.DemoSignIns = append(opts.DemoSignIns, web.DemoSignIn{Login: s.Login, Name: s.Name, Description: s.Description, English: s.English})
		}
	}
	a.Web = web.New(d, a.Auth, clk, log, opts)
	registerOpenAPI(a.Web)
	org.Register(a.Web, a.Orgs)
	people.Register(a.Web, a.People, a.Orgs)
	for _, hook := range wiring {
		if err := hook(ctx, a); err != nil {
			return nil, fmt.Errorf("wire: %w", err)
		}
	}
	return a, nil
}

// wiring holds the registration of further capabilities (see wire_*.go), so
// that each can be added without editing Wire.
var wiring []func(ctx context.Context, a *App) error

// Close finishes queued writes and closes the database.
func (a *App) Close() error {
	a.Batch.Close()
	return a.DB.Close()
}

// Plan runs every capability's planner once (the engine loop calls it before each sweep).
func (a *App) Plan(ctx context.Context) error {
	for _, p := range a.planners {
		if err := p(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Start runs the background work of a serving instance (session sweeping
// now; the clock engine later) until ctx ends.
func (a *App) Start(ctx context.Context) {
	store := &auth.SessionStore{DB: a.DB}
	go func() {
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			if err := store.Sweep(ctx); err != nil && ctx.Err() == nil {
				a.Log.Warn("sweep sessions", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	go a.Engine.Run(ctx, 15*time.Second, a.Plan)
	go a.Notify.Run(ctx)
}
