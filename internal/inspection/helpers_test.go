package inspection_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/inspection"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// fixture is a running Anwen with the enterprises the tests inspect:
// own (qiye's enterprise, in 上坪村 unless the demo gave qiye another), b (a
// crowded place of 青山镇 in 竹园村, SFQ-QS-02) and dc (in 东城街道), and a
// staff account of 东城街道 (dc).
type fixture struct {
	env     *apptest.Env
	own     int64
	b       int64
	dc      int64
	dcLogin string
	fire    template // 人员密集场所消防安全检查表
	dust    template // 粉尘涉爆企业安全检查表
	fake    *fakeRegistrar
}

type template struct {
	ID    int64
	Name  string
	Items []struct {
		ID       int64
		Number   int
		Text     string
		Category string
		Basis    string
	}
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	env := apptest.Start(t, d)
	f := &fixture{env: env, fake: &fakeRegistrar{}}
	f.b = insertEnterprise(env, "SFQ-QS-02", "测试竹园百货商场", "crowded")
	f.dc = insertEnterprise(env, "SFQ-DC", "测试东城商贸有限公司", "catering")
	var own *int64
	if err := d.QueryRow(context.Background(), "SELECT enterprise_id FROM users WHERE login = 'qiye'").Scan(&own); err != nil {
		t.Fatal(err)
	}
	if own != nil {
		f.own = *own
	} else {
		f.own = insertEnterprise(env, "SFQ-QS-01", "测试上坪木业有限公司", "dust")
		exec(env, "UPDATE users SET enterprise_id = ? WHERE login = 'qiye'", f.own)
	}
	if err := d.QueryRow(context.Background(), `SELECT u.login FROM users u JOIN user_roles r ON r.user_id = u.id JOIN orgs o ON o.id = r.scope_org_id
		WHERE r.role = 'staff' AND o.code = 'SFQ-DC' AND NOT u.disabled ORDER BY u.id LIMIT 1`).Scan(&f.dcLogin); err != nil {
		t.Fatalf("a staff account of 东城街道: %v", err)
	}
	env.App.Inspections().SetRegistrar(f.fake)
	f.fire = f.template("crowded_fire")
	f.dust = f.template("dust")
	return f
}

// insertEnterprise registers an enterprise with plain SQL (the register is
// another capability) and returns its id.
func insertEnterprise(e *apptest.Env, orgCode, name, industry string) int64 {
	e.T.Helper()
	var id int64
	now := e.Clock.Now()
	err := e.App.DB.InTx(context.Background(), func(tx *db.Tx) error {
		var err error
		id, err = db.InsertID(context.Background(), tx, `INSERT INTO enterprises (kind, name, address, territory_org_id, industry, risk_level, created_at, updated_at)
			VALUES ('enterprise', ?, ?, ?, ?, 'general', ?, ?)`, name, name+"地址 1 号", e.OrgID(orgCode), industry, now, now)
		return err
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return id
}

func exec(e *apptest.Env, q string, args ...any) {
	e.T.Helper()
	if err := e.App.DB.InTx(context.Background(), func(tx *db.Tx) error {
		_, err := tx.Exec(context.Background(), q, args...)
		return err
	}); err != nil {
		e.T.Fatal(err)
	}
}

func count(e *apptest.Env, q string, args ...any) int {
	e.T.Helper()
	var n int
	if err := e.App.DB.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.T.Fatal(err)
	}
	return n
}

func (f *fixture) template(code string) template {
	f.env.T.Helper()
	var id int64
	if err := f.env.App.DB.QueryRow(context.Background(), "SELECT id FROM inspection_templates WHERE code = ? AND active", code).Scan(&id); err != nil {
		f.env.T.Fatal(err)
	}
	var t template
	r := f.env.TokenClient("qingshan").Get("/api/v1/inspection-templates/" + itoa(id))
	wantStatus(f.env.T, "template", r, 200)
	r.JSON(f.env.T, &t)
	return t
}

// answers answers every item of t: pass, except the items numbered in fail
// (failed, with a note).
func answers(t template, fail ...int) []map[string]any {
	var out []map[string]any
	for _, it := range t.Items {
		a := map[string]any{"item_id": it.ID, "result": "pass"}
		for _, n := range fail {
			if n == it.Number {
				a["result"], a["note"] = "fail", fmt.Sprintf("第 %d 项现场发现问题", n)
			}
		}
		out = append(out, a)
	}
	return out
}

type apiError struct {
	Error struct{ Code, Message, Field string } `json:"error"`
}

func wantStatus(t testing.TB, what string, r *apptest.Response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %.600s", what, r.StatusCode, status, r.Body)
	}
}

func wantError(t testing.TB, what string, r *apptest.Response, status int, field string) apiError {
	t.Helper()
	wantStatus(t, what, r, status)
	var e apiError
	r.JSON(t, &e)
	if e.Error.Field != field {
		t.Fatalf("%s: error field %q, want %q (%s)", what, e.Error.Field, field, e.Error.Message)
	}
	return e
}

// record posts an inspection as c and returns it.
func record(t testing.TB, c *apptest.Client, body map[string]any) inspection.Inspection {
	t.Helper()
	r := c.SendJSON("POST", "/api/v1/inspections", body)
	wantStatus(t, "record", r, 201)
	var i inspection.Inspection
	r.JSON(t, &i)
	return i
}

// pngBytes is a small PNG.
func pngBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 16, 12))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload stores a PNG as c's pending upload over the API and returns its id.
func upload(t testing.TB, c *apptest.Client, name string) int64 {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(pngBytes(t))
	mw.Close()
	r := c.Do("POST", "/api/v1/attachments", &b, mw.FormDataContentType())
	wantStatus(t, "upload", r, 201)
	var info struct{ ID int64 }
	r.JSON(t, &info)
	return info.ID
}

// postMultipart sends a form with files (field → file name) as c.
func postMultipart(t testing.TB, c *apptest.Client, path string, v url.Values, files map[string]string) *apptest.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range v {
		for _, s := range vs {
			mw.WriteField(k, s)
		}
	}
	for field, name := range files {
		fw, _ := mw.CreateFormFile(field, name)
		fw.Write(pngBytes(t))
	}
	mw.Close()
	return c.Do("POST", path, &b, mw.FormDataContentType())
}

// fakeRegistrar stands in for the hazard ledger: it records every call.
type fakeRegistrar struct {
	mu    sync.Mutex
	calls []inspection.Finding
	fail  error
	// sawClaim: inside the caller's transaction, the row was still unlinked.
	sawTx bool
}

func (r *fakeRegistrar) RegisterFromInspection(ctx context.Context, tx *db.Tx, a *auth.Actor, f inspection.Finding) (int64, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return 0, "", r.fail
	}
	if tx == nil || a == nil {
		return 0, "", fmt.Errorf("fake registrar: no transaction or actor")
	}
	// The registrar writes in the caller's transaction: what it reads there
	// is the row not yet linked.
	table, id := "inspection_answers", f.AnswerID
	if f.FreeFindingID != 0 {
		table, id = "inspection_findings", f.FreeFindingID
	}
	var hz *int64
	if err := tx.QueryRow(ctx, "SELECT hazard_id FROM "+table+" WHERE id = ?", id).Scan(&hz); err != nil {
		return 0, "", err
	}
	r.sawTx = hz == nil
	r.calls = append(r.calls, f)
	n := int64(len(r.calls))
	return 9000 + n, fmt.Sprintf("YH-2026-%04d", n), nil
}

func (r *fakeRegistrar) Calls() []inspection.Finding {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]inspection.Finding(nil), r.calls...)
}

func (r *fakeRegistrar) Fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = err
}

// at is a Shanghai time as the API takes it.
func at(s string) string {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	return t.Format(time.RFC3339)
}

func has(s string, parts ...string) error {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return fmt.Errorf("missing %q", p)
		}
	}
	return nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
