package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
)

// StartWith is Start with the configuration adjusted by configure before
// wiring (e.g. cfg.Auth.WaiveAdminTOTP = false to require the second factor
// of administrators, as a real install does).
func StartWith(t testing.TB, d *db.DB, configure func(*app.Config)) *Env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)) // 10:00 in Shanghai, a Friday
	cfg := app.Config{Demo: true, Auth: auth.DefaultConfig()}
	cfg.Auth.WaiveAdminTOTP = true
	if configure != nil {
		configure(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Wire(ctx, cfg, d, clk, log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Web.Handler())
	t.Cleanup(srv.Close)
	return &Env{T: t, App: a, Server: srv, Clock: clk}
}
