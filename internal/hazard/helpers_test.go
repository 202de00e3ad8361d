package hazard_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"os"
	"strconv"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/hazard"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// fixture is a running Anwen with a few enterprises of the tests' own.
type fixture struct {
	t   *testing.T
	env *apptest.Env
	// Enterprises: 青山镇 上坪村 (a chemical plant), 青山镇 (a restaurant), 东城街道 (a mall).
	entShangping, entQingshan, entDongcheng int64
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	env := apptest.Start(t, d)
	f := &fixture{t: t, env: env}
	f.entShangping = f.enterprise("上坪精细化工有限公司", "SFQ-QS-01", "危险化学品", "91430000MA4L000001", "major")
	f.entQingshan = f.enterprise("青山老街饭店", "SFQ-QS", "餐饮", "91430000MA4L000002", "general")
	f.entDongcheng = f.enterprise("东城购物中心", "SFQ-DC", "商贸", "91430000MA4L000003", "large")
	// The demo's enterprise contact speaks for the chemical plant.
	f.exec("UPDATE users SET enterprise_id = ? WHERE login = 'qiye'", f.entShangping)
	// HAZARD_TEST_SEED=1: the demo's hazards are there first, as they are
	// when the demo loads them (the tests must hold beside them).
	if os.Getenv("HAZARD_TEST_SEED") == "1" {
		if _, err := hazard.SeedDemo(context.Background(), f.svc()); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	err := f.env.App.DB.InTx(context.Background(), func(tx *db.Tx) error {
		_, err := tx.Exec(context.Background(), q, args...)
		return err
	})
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// enterprise inserts an enterprise with plain SQL (the enterprise package is another engineer's).
func (f *fixture) enterprise(name, territory, industry, uscc, risk string) int64 {
	f.t.Helper()
	var id int64
	now := f.env.Clock.Now()
	err := f.env.App.DB.InTx(context.Background(), func(tx *db.Tx) error {
		var err error
		id, err = db.InsertID(context.Background(), tx, `INSERT INTO enterprises (kind, name, uscc, address, territory_org_id, industry, risk_level, created_at, updated_at)
			VALUES ('enterprise', ?, ?, ?, ?, ?, ?, ?, ?)`, name, uscc, name+"所在地", f.env.OrgID(territory), industry, risk, now, now)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// c returns a bearer-token client for login (cached).
func (f *fixture) c(login string) *apptest.Client { return f.env.As(login) }

func (f *fixture) svc() *hazard.Service { return f.env.App.Hazards() }

func (f *fixture) actor(login string) *auth.Actor { return f.env.Actor(login) }

// photo stores a small PNG as login's pending upload and returns its id.
func (f *fixture) photo(login string) int64 {
	f.t.Helper()
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	if err := png.Encode(&b, img); err != nil {
		f.t.Fatal(err)
	}
	att, err := f.env.App.Attachments.Store(context.Background(), f.actor(login), "现场.png", &b)
	if err != nil {
		f.t.Fatal(err)
	}
	return att.ID
}

// register posts a hazard as login and returns it, failing unless 201.
func (f *fixture) register(login string, body map[string]any) *hazard.Detail {
	f.t.Helper()
	r := f.c(login).SendJSON("POST", "/api/v1/hazards", body)
	if r.StatusCode != http.StatusCreated {
		f.t.Fatalf("register as %s: %d %s", login, r.StatusCode, r.Body)
	}
	var d hazard.Detail
	r.JSON(f.t, &d)
	return &d
}

// general is a minimal general hazard at 青山镇 due in a week.
func (f *fixture) general(extra map[string]any) map[string]any {
	b := map[string]any{"org_id": f.env.OrgID("SFQ-QS"), "description": "配电箱线路老化，存在漏电风险", "location": "镇政府食堂后院",
		"category": "electrical", "deadline": "2026-12-04"}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// step posts a transition as login.
func (f *fixture) step(login string, id int64, body map[string]any) *apptest.Response {
	f.t.Helper()
	return f.c(login).SendJSON("POST", "/api/v1/hazards/"+itoa(id)+"/transitions", body)
}

// mustStep posts a transition and fails unless 200.
func (f *fixture) mustStep(login string, id int64, body map[string]any) *hazard.Detail {
	f.t.Helper()
	r := f.step(login, id, body)
	if r.StatusCode != http.StatusOK {
		f.t.Fatalf("%v as %s on %d: %d %s", body["action"], login, id, r.StatusCode, r.Body)
	}
	var d hazard.Detail
	r.JSON(f.t, &d)
	return &d
}

func (f *fixture) count(q string, args ...any) int { return apptest.Value[int](f.env, q, args...) }

func (f *fixture) status(id int64) string {
	f.t.Helper()
	var s string
	if err := f.env.App.DB.QueryRow(context.Background(), "SELECT status FROM hazards WHERE id = ?", id).Scan(&s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

func errorField(t *testing.T, r *apptest.Response) string {
	t.Helper()
	var b struct {
		Error struct{ Field string } `json:"error"`
	}
	r.JSON(t, &b)
	return b.Error.Field
}

func must(t *testing.T, cond bool, format string, args ...any) {
	t.Helper()
	if !cond {
		t.Fatalf(format, args...)
	}
}
