package campaign_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/campaign"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// fixture is a running Anwen with the demo district (its 40 enterprises and
// places, one of them closed; no hazards).
type fixture struct {
	t   *testing.T
	env *apptest.Env
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	return &fixture{t: t, env: apptest.Start(t, d)}
}

// c returns a bearer-token client for login (cached).
func (f *fixture) c(login string) *apptest.Client { return f.env.As(login) }

func (f *fixture) count(q string, args ...any) int { return apptest.Value[int](f.env, q, args...) }

func (f *fixture) id(q string, args ...any) int64 { return apptest.Value[int64](f.env, q, args...) }

// ent is the id of the demo enterprise named name.
func (f *fixture) ent(name string) int64 {
	return f.id("SELECT id FROM enterprises WHERE name = ?", name)
}

// The demo's enterprises the tests use.
const (
	entHazchem   = "示范区青山瑞丰化工仓储有限公司" // 青山镇 上坪村, hazchem, large
	entGas       = "示范区青山燃气供应站"      // 青山镇 上坪村, gas, large
	entFireworks = "青山镇竹园烟花爆竹零售店"    // 青山镇 竹园村, fireworks, general
	entMall      = "示范区东城国贸购物广场有限公司" // 东城街道 东门社区, crowded, large
)

// body is a valid launch request (period 2026-11-27 … 2026-12-26, due
// 2026-12-31) with extra fields set.
func body(extra map[string]any) map[string]any {
	b := map[string]any{"title": "岁末年初安全生产隐患排查整治", "period_start": "2026-11-27", "period_end": "2026-12-26", "deadline": "2026-12-31"}
	for k, v := range extra {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

// launch posts a campaign as login and returns it, failing unless 201.
func (f *fixture) launch(login string, extra map[string]any) *campaign.Campaign {
	f.t.Helper()
	r := f.c(login).SendJSON("POST", "/api/v1/campaigns", body(extra))
	if r.StatusCode != http.StatusCreated {
		f.t.Fatalf("launch as %s: %d %s", login, r.StatusCode, r.Body)
	}
	var c campaign.Campaign
	r.JSON(f.t, &c)
	return &c
}

// get reads campaign id as login, failing unless 200.
func (f *fixture) get(login string, id int64) *campaign.Campaign {
	f.t.Helper()
	r := f.c(login).Get("/api/v1/campaigns/" + itoa(id))
	if r.StatusCode != http.StatusOK {
		f.t.Fatalf("get %d as %s: %d %s", id, login, r.StatusCode, r.Body)
	}
	var c campaign.Campaign
	r.JSON(f.t, &c)
	return &c
}

// task returns the task of org name in c (failing when there is none).
func task(t *testing.T, c *campaign.Campaign, name string) campaign.Task {
	t.Helper()
	for _, x := range c.Tasks {
		if x.OrgName == name {
			return x
		}
	}
	t.Fatalf("campaign %d has no task for %s (of %d tasks)", c.ID, name, len(c.Tasks))
	return campaign.Task{}
}

// inspect records a submitted inspection of enterprise as login for
// campaign (0: none) and returns its id, failing unless 201.
func (f *fixture) inspect(login string, enterprise, campaignID int64, extra map[string]any) int64 {
	f.t.Helper()
	b := map[string]any{"kind": "territorial", "enterprise_id": enterprise, "summary": "现场检查，未发现问题"}
	if campaignID != 0 {
		b["campaign_id"] = campaignID
	}
	for k, v := range extra {
		b[k] = v
	}
	r := f.c(login).SendJSON("POST", "/api/v1/inspections", b)
	if r.StatusCode != http.StatusCreated {
		f.t.Fatalf("inspect %d as %s: %d %s", enterprise, login, r.StatusCode, r.Body)
	}
	var out struct{ ID int64 }
	r.JSON(f.t, &out)
	return out.ID
}

// hazard registers an open hazard of enterprise for campaign (0: none)
// as login and returns its id.
func (f *fixture) hazard(login string, enterprise, campaignID int64, extra map[string]any) int64 {
	f.t.Helper()
	b := map[string]any{"enterprise_id": enterprise, "description": "消防通道堆放杂物", "location": "仓库东侧", "category": "fire", "deadline": "2026-12-10"}
	if campaignID != 0 {
		b["campaign_id"] = campaignID
	}
	for k, v := range extra {
		b[k] = v
	}
	r := f.c(login).SendJSON("POST", "/api/v1/hazards", b)
	if r.StatusCode != http.StatusCreated {
		f.t.Fatalf("hazard at %d as %s: %d %s", enterprise, login, r.StatusCode, r.Body)
	}
	var out struct{ ID int64 }
	r.JSON(f.t, &out)
	return out.ID
}

// photo uploads a small PNG as login and returns the attachment's id.
func (f *fixture) photo(login string) int64 {
	f.t.Helper()
	var b bytes.Buffer
	png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 16, 16)))
	a, err := f.env.App.Auth.LoadActor(context.Background(), f.env.UserID(login), "test")
	if err != nil {
		f.t.Fatal(err)
	}
	att, err := f.env.App.Attachments.Store(context.Background(), a, "整改后.png", &b)
	if err != nil {
		f.t.Fatal(err)
	}
	return att.ID
}

// at moves the clock to a moment of Asia/Shanghai ("2026-12-11 09:01").
func (f *fixture) at(when string) {
	f.t.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", when, calendar.Location)
	if err != nil {
		f.t.Fatal(err)
	}
	d := t.Sub(f.env.Clock.Now())
	if d < 0 {
		f.t.Fatalf("the clock cannot go back to %s", when)
	}
	f.env.Clock.Advance(d)
}

// sweep runs the clock engine once and returns how many phases ran.
func (f *fixture) sweep() int {
	f.t.Helper()
	n, err := f.env.App.Engine.Sweep(context.Background(), 100)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// loginAt is the first account holding role scoped at the org with code.
func (f *fixture) loginAt(code, role string) string {
	f.t.Helper()
	var login string
	if err := f.env.App.DB.QueryRow(context.Background(), `SELECT u.login FROM users u JOIN user_roles r ON r.user_id = u.id JOIN orgs o ON o.id = r.scope_org_id
		WHERE o.code = ? AND r.role = ? ORDER BY u.id LIMIT 1`, code, role).Scan(&login); err != nil {
		f.t.Fatalf("%s at %s: %v", role, code, err)
	}
	return login
}

func errField(t *testing.T, r *apptest.Response) string {
	t.Helper()
	return r.ErrorField()
}

func must(t *testing.T, cond bool, format string, args ...any) {
	t.Helper()
	if !cond {
		t.Fatalf(format, args...)
	}
}

func wantStatus(t *testing.T, what string, r *apptest.Response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s: %d, want %d: %.400s", what, r.StatusCode, status, r.Body)
	}
}
