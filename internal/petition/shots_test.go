package petition_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/browsertest"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestScreenshots photographs the petition pages with the demo's cases, at
// phone and desktop sizes, for review: PETITION_SHOTS=/tmp/shots go test
// -run TestScreenshots ./internal/petition/ (cmd/screenshots shows them
// too once it loads the demo's petitions with App.LoadDemoPetitions).
// PETITION_SHOTS_PAGES=/petitions/1,/petitions/3 takes only those, as xfj.
func TestScreenshots(t *testing.T) {
	dir := browsertest.ShotsDir(t, "PETITION_SHOTS")
	f := newFixture(t, dbtest.SQLite(t))
	if _, err := f.env.App.LoadDemoPetitions(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.sweep("2026-11-27 10:05")
	sessions := []browsertest.Session{
		{Login: "xfj", Paths: []string{"/petitions", "/petitions/new", "/petitions/1", "/petitions/3", "/petitions/5", "/petitions/6", "/petitions/7"}},
		{Login: "qingshan", Paths: []string{"/petitions", "/petitions/1"}},
	}
	if only := os.Getenv("PETITION_SHOTS_PAGES"); only != "" {
		sessions = []browsertest.Session{{Login: "xfj", Paths: strings.Split(only, ",")}}
	}
	browsertest.Screenshots(t, f.env.Server.URL, dir, sessions...)
}
