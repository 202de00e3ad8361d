package petition_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/petition"
	"github.com/anwen-gov/anwen/internal/sealed"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// Fictional petitioners (the ID numbers carry valid check characters).
const (
	phoneA = "13812345678"
	idA    = "110101199003071233"
	phoneB = "13998765432"
	idB    = "110101198001010053"
)

// fixture is a running Anwen with the demo district.
type fixture struct {
	t   *testing.T
	env *apptest.Env
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, env: apptest.Start(t, d)}
	if !sealed.ValidIDNumber(idA) || !sealed.ValidIDNumber(idB) {
		t.Fatal("the test ID numbers do not check")
	}
	return f
}

// c returns a bearer-token client for login (cached).
func (f *fixture) c(login string) *apptest.Client { return f.env.As(login) }

func (f *fixture) svc() *petition.Service { return f.env.App.Petitions() }

func (f *fixture) actor(login string) *auth.Actor { return f.env.Actor(login) }

// login is the login of the person of org code with post.
func (f *fixture) login(code, post string) string {
	f.t.Helper()
	var l string
	if err := f.env.App.DB.QueryRow(context.Background(), "SELECT u.login FROM users u JOIN orgs o ON o.id = u.org_id WHERE o.code = ? AND u.post = ? ORDER BY u.id LIMIT 1",
		code, post).Scan(&l); err != nil {
		f.t.Fatalf("login of %s %s: %v", code, post, err)
	}
	return l
}

// claim is a minimal claim (申诉求决类) about 青山镇.
func (f *fixture) claim(extra map[string]any) map[string]any {
	b := map[string]any{"channel": "visit", "category": "claim", "subject": "labour", "place_org_id": f.env.OrgID("SFQ-QS"), "place": "青山镇某建筑工地",
		"request":     "请求督促施工方支付拖欠的工资 3 万元",
		"facts":       "2026 年 3 月至 8 月在工地务工，工资至今未结清，多次讨要未果。",
		"petitioners": []map[string]any{{"name": "张建国", "phone": phoneA, "id_number": idA, "address": "湖南省长沙市示范区青山镇上坪村3组12号"}}}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// register posts a case as login and returns it, failing unless 201.
func (f *fixture) register(login string, body map[string]any) *petition.Detail {
	f.t.Helper()
	r := f.c(login).SendJSON("POST", "/api/v1/petitions", body)
	if r.StatusCode != http.StatusCreated {
		f.t.Fatalf("register as %s: %d %s", login, r.StatusCode, r.Body)
	}
	var d petition.Detail
	r.JSON(f.t, &d)
	return &d
}

// step posts a transition as login.
func (f *fixture) step(login string, id int64, body map[string]any) *apptest.Response {
	f.t.Helper()
	return f.c(login).SendJSON("POST", "/api/v1/petitions/"+itoa(id)+"/transitions", body)
}

// mustStep posts a transition and fails unless 200.
func (f *fixture) mustStep(login string, id int64, body map[string]any) *petition.Detail {
	f.t.Helper()
	r := f.step(login, id, body)
	if r.StatusCode != http.StatusOK {
		f.t.Fatalf("%v as %s on %d: %d %s", body["action"], login, id, r.StatusCode, r.Body)
	}
	var d petition.Detail
	r.JSON(f.t, &d)
	return &d
}

func (f *fixture) get(login string, id int64) (*petition.Detail, int) {
	f.t.Helper()
	r := f.c(login).Get("/api/v1/petitions/" + itoa(id))
	if r.StatusCode != http.StatusOK {
		return nil, r.StatusCode
	}
	var d petition.Detail
	r.JSON(f.t, &d)
	return &d, r.StatusCode
}

func (f *fixture) count(q string, args ...any) int { return apptest.Value[int](f.env, q, args...) }

func (f *fixture) str(q string, args ...any) string { return apptest.Value[string](f.env, q, args...) }

func (f *fixture) status(id int64) string {
	return f.str("SELECT status FROM petitions WHERE id = ?", id)
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

// at is a Shanghai wall-clock time "2006-01-02 15:04".
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Location)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// sweep sets the clock and runs the clock engine.
func (f *fixture) sweep(when string) {
	f.t.Helper()
	f.env.Clock.Set(at(when))
	if err := f.env.App.Plan(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.env.App.Engine.Sweep(context.Background(), 200); err != nil {
		f.t.Fatal(err)
	}
}

// setClock moves the clock without sweeping.
func (f *fixture) setClock(when string) { f.env.Clock.Set(at(when)) }

// settings sets the discipline organ (区纪委监委) and optionally the area code, as the system administrator.
func (f *fixture) settings(area string) {
	f.t.Helper()
	jw := f.env.OrgID("SFQ-JWJW")
	r := f.c("admin").SendJSON("PUT", "/api/v1/petitions/settings", map[string]any{"discipline_org_id": jw, "area_code": area})
	if r.StatusCode != http.StatusOK {
		f.t.Fatalf("settings: %d %s", r.StatusCode, r.Body)
	}
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

// routeAcceptReply takes a fresh claim through transfer to 青山镇,
// acceptance and a reply served today, and returns its id.
func (f *fixture) routeAcceptReply(extra map[string]any) int64 {
	f.t.Helper()
	d := f.register("xfj", f.claim(extra))
	f.mustStep("xfj", d.ID, map[string]any{"action": "transfer", "org_id": f.env.OrgID("SFQ-QS")})
	f.mustStep("qingshan", d.ID, map[string]any{"action": "accept", "notice": "已受理，将于 60 日内答复"})
	f.mustStep("qingshan", d.ID, map[string]any{"action": "reply", "opinion": map[string]any{"decision": "support", "facts": "经核实，施工方拖欠工资属实",
		"reasons": "劳动者依法取得劳动报酬", "basis": "《保障农民工工资支付条例》第三条"}})
	return d.ID
}
