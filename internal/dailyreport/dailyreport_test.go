package dailyreport_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func itoa(n int64) string { return fmt.Sprint(n) }

func nothing(orgID int64) map[string]any {
	return map[string]any{"org_id": orgID, "safety": map[string]any{"nothing_to_report": true}, "stability": map[string]any{"nothing_to_report": true}}
}

type board struct {
	Date     string `json:"date"`
	Deadline string `json:"deadline"`
	Counts   map[string]int
	Units    []struct {
		OrgID       int64  `json:"org_id"`
		Name        string `json:"name"`
		Status      string `json:"status"`
		MinutesLate int    `json:"minutes_late"`
	}
	Items []struct {
		ID      int64  `json:"id"`
		Summary string `json:"summary"`
	}
}

func (b board) status(orgID int64) string {
	for _, u := range b.Units {
		if u.OrgID == orgID {
			return u.Status
		}
	}
	return "absent"
}

func count(t *testing.T, env *apptest.Env, q string, args ...any) int {
	t.Helper()
	var n int
	if err := env.App.DB.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The clock in apptest starts at 2026-11-27 10:00 in Shanghai, a Friday.
func TestReportAndBoard(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		ctx := context.Background()
		qs, dc, village := env.OrgID("SFQ-QS"), env.OrgID("SFQ-DC"), env.OrgID("SFQ-QS-01")
		town := env.TokenClient("qingshan")
		desk := env.TokenClient("yjj")

		r := town.SendJSON("POST", "/api/v1/daily-reports", nothing(qs))
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("one-tap report: %d %s", r.StatusCode, r.Body)
		}
		var rec struct {
			ID      int64
			Receipt string
			Status  string
		}
		r.JSON(t, &rec)
		if rec.Status != "on_time" || !strings.HasPrefix(rec.Receipt, "ZB20261127-") || env.AuditCount("dailyreport.submit", "ok") != 1 {
			t.Fatalf("receipt %+v", rec)
		}
		// Items for the stability desk, on behalf of a village from the township.
		r = town.SendJSON("POST", "/api/v1/daily-reports", map[string]any{"org_id": village,
			"safety":    map[string]any{"nothing_to_report": true},
			"stability": map[string]any{"items": []map[string]any{{"category": "矛盾纠纷", "summary": "两户村民因宅基地边界争执，已由村调委会调解", "follow_up": true}}}})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("on behalf: %d %s", r.StatusCode, r.Body)
		}
		if count(t, env, "SELECT count(*) FROM daily_reports WHERE org_id = ? AND on_behalf = TRUE", village) != 1 {
			t.Fatal("the report on behalf of the village is not marked so")
		}

		var b board
		desk.Get("/api/v1/daily-reports/board?date=2026-11-27").JSON(t, &b)
		if b.status(qs) != "on_time" || b.status(dc) != "pending" || b.Counts["on_time"] < 1 || b.Counts["pending"] < 10 {
			t.Fatalf("desk board: %+v", b.Counts)
		}
		var tb board
		town.Get("/api/v1/daily-reports/board?date=2026-11-27&org_id="+itoa(qs)).JSON(t, &tb)
		if tb.status(village) != "on_time" || len(tb.Items) != 1 || tb.status(dc) != "absent" {
			t.Fatalf("township board: %+v items %d", tb.Counts, len(tb.Items))
		}

		// The deadline passes: classify once, at the deadline.
		env.Clock.Set(time.Date(2026, 11, 27, 9, 1, 0, 0, time.UTC)) // 17:01 Shanghai
		if err := env.App.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Engine.Sweep(ctx, 100); err != nil {
			t.Fatal(err)
		}
		missing := count(t, env, "SELECT count(*) FROM report_days WHERE day = '2026-11-27' AND tier = 'township' AND status = 'missing'")
		if missing != 11 {
			t.Fatalf("%d townships missing, want 11 of 12", missing)
		}
		// 东城街道 reports 30 minutes late.
		env.Clock.Set(time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC))
		var late struct{ Status string }
		env.TokenClient("admin") // (a token for nothing: admin may not report)
		dcStaff := env.App.DB
		_ = dcStaff
		r = desk.SendJSON("POST", "/api/v1/daily-reports", nothing(dc)) // district staff on behalf
		r.JSON(t, &late)
		if r.StatusCode != 201 || late.Status != "late" {
			t.Fatalf("late report: %d %s", r.StatusCode, r.Body)
		}
		desk.Get("/api/v1/daily-reports/board?date=2026-11-27").JSON(t, &b)
		for _, u := range b.Units {
			if u.OrgID == dc && (u.Status != "late" || u.MinutesLate != 30) {
				t.Fatalf("东城街道: %+v", u)
			}
		}
		// A correction after the deadline keeps the first status and is flagged 错报.
		town.SendJSON("POST", "/api/v1/daily-reports", nothing(qs))
		if count(t, env, "SELECT count(*) FROM daily_reports WHERE org_id = ? AND version = 2 AND corrected_late = TRUE", qs) != 1 {
			t.Fatal("the late correction is not flagged")
		}
		desk.Get("/api/v1/daily-reports/board?date=2026-11-27").JSON(t, &b)
		if b.status(qs) != "on_time" {
			t.Fatalf("status after a correction: %s", b.status(qs))
		}
		// A second sweep classifies nothing again.
		before := count(t, env, "SELECT count(*) FROM obligation_events WHERE event = 'fired'")
		env.App.Engine.Sweep(ctx, 100)
		if count(t, env, "SELECT count(*) FROM obligation_events WHERE event = 'fired'") != before {
			t.Fatal("a deadline fired twice")
		}
	})
}

func TestBadReports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		qs := env.OrgID("SFQ-QS")
		town := env.TokenClient("qingshan")
		many := make([]map[string]any, 10000)
		for i := range many {
			many[i] = map[string]any{"category": "其他", "summary": "x"}
		}
		tests := []struct {
			name   string
			client *apptest.Client
			body   any
			status int
			field  string
		}{
			{"another unit out of scope", town, nothing(env.OrgID("SFQ-DC")), 404, ""},
			{"future date", town, map[string]any{"org_id": qs, "date": "2026-11-28", "safety": map[string]any{"nothing_to_report": true}, "stability": map[string]any{"nothing_to_report": true}}, 422, "date"},
			{"bad date", town, map[string]any{"org_id": qs, "date": "2026-02-30", "safety": map[string]any{"nothing_to_report": true}, "stability": map[string]any{"nothing_to_report": true}}, 400, "date"},
			{"empty half", town, map[string]any{"org_id": qs, "safety": map[string]any{}, "stability": map[string]any{"nothing_to_report": true}}, 400, "safety"},
			{"missing half", town, map[string]any{"org_id": qs, "safety": map[string]any{"nothing_to_report": true}}, 400, "stability"},
			{"item without summary", town, map[string]any{"org_id": qs, "safety": map[string]any{"items": []map[string]any{{"category": "火灾"}}}, "stability": map[string]any{"nothing_to_report": true}}, 400, "safety.items[0].summary"},
			{"10,000 items", town, map[string]any{"org_id": qs, "safety": map[string]any{"items": many}, "stability": map[string]any{"nothing_to_report": true}}, 400, "safety"},
			{"nothing and items", town, map[string]any{"org_id": qs, "safety": map[string]any{"nothing_to_report": true, "items": []map[string]any{{"category": "火灾", "summary": "x"}}}, "stability": map[string]any{"nothing_to_report": true}}, 400, "safety"},
			{"not a reporting unit", env.TokenClient("yjj"), nothing(env.OrgID("SFQ-YJJ")), 422, "org_id"},
			{"no right to report", env.TokenClient("duchashi"), nothing(qs), 403, ""},
			{"unknown field", town, `{"org_id":1,"colour":"red"}`, 400, "colour"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := count(t, env, "SELECT count(*) FROM daily_reports") + count(t, env, "SELECT count(*) FROM audit_log WHERE result = 'ok'")
				r := tt.client.SendJSON("POST", "/api/v1/daily-reports", tt.body)
				if r.StatusCode != tt.status {
					t.Fatalf("%d %.300s, want %d", r.StatusCode, r.Body, tt.status)
				}
				var e struct {
					Error struct{ Field, Message string } `json:"error"`
				}
				r.JSON(t, &e)
				if tt.field != "" && e.Error.Field != tt.field {
					t.Errorf("field %q, want %q", e.Error.Field, tt.field)
				}
				if tt.name == "10,000 items" && !strings.Contains(e.Error.Message, "50") {
					t.Errorf("the limit is not stated: %s", e.Error.Message)
				}
				if after := count(t, env, "SELECT count(*) FROM daily_reports") + count(t, env, "SELECT count(*) FROM audit_log WHERE result = 'ok'"); after != before {
					t.Error("a refused report wrote something")
				}
			})
		}
	})
}

func TestPingAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		qs := env.OrgID("SFQ-QS")
		town := env.TokenClient("qingshan")
		var tok struct{ Token, Path string }
		r := town.SendJSON("POST", "/api/v1/orgs/"+itoa(qs)+"/ping-token", "")
		r.JSON(t, &tok)
		if r.StatusCode != 200 || len(tok.Token) < 30 || tok.Path != "/ping/"+tok.Token {
			t.Fatalf("token: %d %s", r.StatusCode, r.Body)
		}
		anon := env.Anonymous()
		if r := anon.Do("POST", tok.Path, nil, ""); r.StatusCode != http.StatusCreated {
			t.Fatalf("ping: %d %s", r.StatusCode, r.Body)
		}
		if count(t, env, "SELECT count(*) FROM daily_reports WHERE org_id = ? AND channel = 'ping' AND safety_nothing AND stability_nothing", qs) != 1 {
			t.Fatal("the ping filed no nothing-to-report")
		}
		old := tok.Path
		town.SendJSON("POST", "/api/v1/orgs/"+itoa(qs)+"/ping-token", "").JSON(t, &tok)
		before := count(t, env, "SELECT count(*) FROM daily_reports") + count(t, env, "SELECT count(*) FROM audit_log")
		for _, p := range []string{old, "/ping/" + strings.Repeat("a", 39), "/ping/x"} {
			if r := anon.Do("POST", p, nil, ""); r.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", p, r.StatusCode)
			}
		}
		if after := count(t, env, "SELECT count(*) FROM daily_reports") + count(t, env, "SELECT count(*) FROM audit_log"); after != before {
			t.Fatal("a refused ping recorded something")
		}
		if r := env.TokenClient("qingshan").SendJSON("POST", "/api/v1/orgs/"+itoa(env.OrgID("SFQ-DC"))+"/ping-token", ""); r.StatusCode != 404 {
			t.Fatalf("another township's token: %d", r.StatusCode)
		}
	})
}

func TestSchedule(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		ctx := context.Background()
		admin := env.TokenClient("yjj") // district-scoped staff set the schedule
		bad := []struct {
			name   string
			body   string
			status int
		}{
			{"25:00", `{"tiers":[{"tier":"township","deadline":"25:00"}],"heightened_periods":[]}`, 400},
			{"unknown tier", `{"tiers":[{"tier":"county","deadline":"16:00"}],"heightened_periods":[]}`, 400},
			{"overlap", `{"tiers":[],"heightened_periods":[{"start":"2026-12-20","end":"2027-01-05"},{"start":"2027-01-01","end":"2027-02-20"}]}`, 422},
			{"ends before it starts", `{"tiers":[],"heightened_periods":[{"start":"2026-12-20","end":"2026-12-01"}]}`, 422},
		}
		for _, tt := range bad {
			if r := admin.SendJSON("PUT", "/api/v1/daily-reports/schedule", tt.body); r.StatusCode != tt.status {
				t.Errorf("%s: %d %s, want %d", tt.name, r.StatusCode, r.Body, tt.status)
			}
		}
		if r := env.TokenClient("qingshan").SendJSON("PUT", "/api/v1/daily-reports/schedule", `{"tiers":[],"heightened_periods":[]}`); r.StatusCode != 404 {
			t.Errorf("township staff setting the schedule: %d", r.StatusCode)
		}
		if r := env.TokenClient("leader").SendJSON("PUT", "/api/v1/daily-reports/schedule", `{"tiers":[],"heightened_periods":[]}`); r.StatusCode != 403 {
			t.Errorf("leader setting the schedule: %d", r.StatusCode)
		}
		// An earlier deadline, still ahead at 10:00, applies today; a heightened
		// period makes Saturday a reporting day.
		r := admin.SendJSON("PUT", "/api/v1/daily-reports/schedule", `{"tiers":[{"tier":"township","deadline":"16:30"},{"tier":"village","deadline":"15:30"}],
			"heightened_periods":[{"start":"2026-11-28","end":"2026-11-29","deadline":"16:00","name":"测试节点"}]}`)
		if r.StatusCode != 200 {
			t.Fatalf("set schedule: %d %s", r.StatusCode, r.Body)
		}
		var b board
		admin.Get("/api/v1/daily-reports/board?date=2026-11-27").JSON(t, &b)
		if !strings.HasPrefix(b.Deadline, "2026-11-27T08:30:00") {
			t.Fatalf("today's deadline %s, want 16:30 Shanghai", b.Deadline)
		}
		admin.Get("/api/v1/daily-reports/board?date=2026-11-28").JSON(t, &b)
		if b.Counts["pending"] == 0 || b.Counts["not_required"] != 0 || !strings.HasPrefix(b.Deadline, "2026-11-28T08:00:00") {
			t.Fatalf("heightened Saturday: %+v deadline %s", b.Counts, b.Deadline)
		}
		// At 17:00 a change to 16:45 has already passed: today keeps 16:30, tomorrow gets 16:45.
		env.Clock.Set(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
		admin.SendJSON("PUT", "/api/v1/daily-reports/schedule", `{"tiers":[{"tier":"township","deadline":"16:45"}],"heightened_periods":[]}`)
		admin.Get("/api/v1/daily-reports/board?date=2026-11-27").JSON(t, &b)
		if !strings.HasPrefix(b.Deadline, "2026-11-27T08:30:00") {
			t.Fatalf("a past new deadline changed today: %s", b.Deadline)
		}
		admin.Get("/api/v1/daily-reports/board?date=2026-11-30").JSON(t, &b)
		if !strings.HasPrefix(b.Deadline, "2026-11-30T08:45:00") {
			t.Fatalf("Monday's deadline %s, want 16:45", b.Deadline)
		}
		_ = ctx
	})
}

// A server down across several deadlines classifies those days when it returns.
func TestCatchUpAfterDowntime(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		ctx := context.Background()
		if err := env.App.Plan(ctx); err != nil { // Friday 10:00: Friday and Saturday planned
			t.Fatal(err)
		}
		env.Clock.Set(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)) // Wednesday 10:00, after 5 days away
		if err := env.App.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Engine.Sweep(ctx, 100); err != nil {
			t.Fatal(err)
		}
		days := count(t, env, "SELECT count(DISTINCT day) FROM report_days WHERE tier = 'township' AND status = 'missing'")
		// Friday 27th, Monday 30th, Tuesday 1st (the weekend needs no report; Wednesday is not over).
		if days != 3 {
			t.Fatalf("%d days classified after the downtime, want 3", days)
		}
	})
}
