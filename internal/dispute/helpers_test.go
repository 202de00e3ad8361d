package dispute_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/dispute"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// fixture is a running Anwen with the demo district.
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

func (f *fixture) svc() *dispute.Service { return f.env.App.Disputes() }

func (f *fixture) actor(login string) *auth.Actor { return f.env.Actor(login) }

// body is a registration with the required fields, in org code, changed by mods.
func (f *fixture) body(code string, mods ...func(map[string]any)) map[string]any {
	b := map[string]any{"org_id": f.env.OrgID(code), "type": "wages", "summary": "劳务队拖欠务工人员工资", "parties": "务工村民与劳务队",
		"party_count": 6, "party_name": "欧阳娜娜", "party_phone": "13912345678", "risk_level": "yellow", "amount_yuan": 86000.5}
	for _, m := range mods {
		m(b)
	}
	return b
}

// create registers a dispute as login and returns it, failing unless 201.
func (f *fixture) create(login string, body map[string]any) *dispute.Detail {
	f.t.Helper()
	r := f.c(login).SendJSON("POST", "/api/v1/disputes", body)
	if r.StatusCode != http.StatusCreated {
		f.t.Fatalf("create as %s: %d %s", login, r.StatusCode, r.Body)
	}
	var d dispute.Detail
	r.JSON(f.t, &d)
	return &d
}

// step takes a transition as login, failing unless 200.
func (f *fixture) step(login string, id int64, body map[string]any) *dispute.Detail {
	f.t.Helper()
	r := f.c(login).SendJSON("POST", "/api/v1/disputes/"+itoa(id)+"/transitions", body)
	if r.StatusCode != http.StatusOK {
		f.t.Fatalf("%v as %s: %d %s", body["action"], login, r.StatusCode, r.Body)
	}
	var d dispute.Detail
	r.JSON(f.t, &d)
	return &d
}

func (f *fixture) count(q string, args ...any) int { return apptest.Value[int](f.env, q, args...) }

func (f *fixture) str(q string, args ...any) string { return apptest.Value[string](f.env, q, args...) }
