package workcalendar_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/workcalendar"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type dayJSON struct {
	Date string `json:"date"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

type workingDayJSON struct {
	Date       string `json:"date"`
	WorkingDay bool   `json:"working_day"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
}

type yearJSON struct {
	Year        int       `json:"year"`
	Days        []dayJSON `json:"days"`
	WorkingDays int       `json:"working_days"`
}

type addJSON struct {
	From string `json:"from"`
	Days int    `json:"days"`
	Unit string `json:"unit"`
	Date string `json:"date"`
}

type errJSON struct {
	Error struct {
		Code  string `json:"code"`
		Field string `json:"field"`
	} `json:"error"`
}

func rowCount(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), "SELECT count(*) FROM calendar_days").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// dayRow reads one date straight from the table ("" kind when absent).
func dayRow(t *testing.T, d *db.DB, date string) (kind, name string) {
	t.Helper()
	err := d.QueryRow(context.Background(), "SELECT kind, name FROM calendar_days WHERE day = ?", date).Scan(&kind, &name)
	if err == sql.ErrNoRows {
		return "", ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return kind, name
}

func workingDay(t *testing.T, c *apptest.Client, date string) workingDayJSON {
	t.Helper()
	r := c.Get("/api/v1/calendar/working-day?date=" + date)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("working-day %s: %d %s", date, r.StatusCode, r.Body)
	}
	var w workingDayJSON
	r.JSON(t, &w)
	if w.Date != date {
		t.Fatalf("working-day %s answered for %q", date, w.Date)
	}
	return w
}

type auditRow struct {
	UserLogin, ObjectType, ObjectID, Before, After, Result, Detail string
	OrgID                                                          int64
}

func lastAudit(t *testing.T, d *db.DB, action string) auditRow {
	t.Helper()
	var a auditRow
	err := d.QueryRow(context.Background(), `SELECT user_login, object_type, object_id, before_digest, after_digest, result, detail, COALESCE(org_id, 0)
		FROM audit_log WHERE action = ? ORDER BY seq DESC LIMIT 1`, action).
		Scan(&a.UserLogin, &a.ObjectType, &a.ObjectID, &a.Before, &a.After, &a.Result, &a.Detail, &a.OrgID)
	if err != nil {
		t.Fatalf("last audit %s: %v", action, err)
	}
	return a
}

func TestSeedIdempotentAndServed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		ctx := context.Background()
		want := len(calendar.Seed(2025, 2026, 2027))
		if want < 90 {
			t.Fatalf("calendar.Seed(2025, 2026, 2027) has only %d entries", want)
		}
		if n := rowCount(t, d); n != want {
			t.Fatalf("after wiring: %d rows, want %d", n, want)
		}
		if n := env.AuditCount("calendar.seed", "ok"); n != 1 {
			t.Fatalf("calendar.seed audited %d times, want 1", n)
		}
		if a := lastAudit(t, d, "calendar.seed"); a.UserLogin != "(system)" || a.ObjectType != "calendar_day" {
			t.Errorf("seed audit = %+v", a)
		}

		// Wiring again (a second app server, a restart) and seeding again change nothing.
		svc := env.App.WorkCalendar
		if svc == nil {
			t.Fatal("App.Calendar() is nil")
		}
		if err := svc.EnsureSeeded(ctx); err != nil {
			t.Fatal(err)
		}
		apptest.Start(t, d)
		if n := rowCount(t, d); n != want {
			t.Errorf("after seeding again: %d rows, want %d", n, want)
		}
		if n := env.AuditCount("calendar.seed", ""); n != 1 {
			t.Errorf("after seeding again: calendar.seed audited %d times, want 1", n)
		}

		c := env.SignIn("leader")
		tests := []struct {
			date    string
			working bool
			kind    string
			name    string
		}{
			{"2026-02-13", true, "", ""},          // Friday
			{"2026-02-14", true, "workday", "春节"}, // make-up Saturday
			{"2026-02-15", false, "holiday", "春节"},
			{"2026-02-16", false, "holiday", "春节"}, // Monday in the break
			{"2026-02-24", true, "", ""},
			{"2026-03-01", false, "", ""}, // plain Sunday
			{"2027-01-01", false, "holiday", "元旦"},
		}
		for _, tt := range tests {
			t.Run(tt.date, func(t *testing.T) {
				w := workingDay(t, c, tt.date)
				if w.WorkingDay != tt.working || w.Kind != tt.kind || w.Name != tt.name {
					t.Errorf("got %+v, want working=%v kind=%q name=%q", w, tt.working, tt.kind, tt.name)
				}
			})
		}

		// The year: 261 weekdays in 2026, 19 of them holidays, 6 make-up Saturdays/Sundays.
		var y yearJSON
		r := c.Get("/api/v1/calendar?year=2026")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET calendar: %d %s", r.StatusCode, r.Body)
		}
		r.JSON(t, &y)
		if y.Year != 2026 || y.WorkingDays != 248 || len(y.Days) != len(calendar.Seed(2026)) {
			t.Errorf("year 2026: year=%d working_days=%d days=%d, want 2026, 248, %d", y.Year, y.WorkingDays, len(y.Days), len(calendar.Seed(2026)))
		}
		for i, dd := range y.Days {
			if !strings.HasPrefix(dd.Date, "2026-") || (i > 0 && dd.Date <= y.Days[i-1].Date) {
				t.Errorf("days[%d] = %+v: not in 2026 or not sorted", i, dd)
			}
		}
		// No year given: the current one (the test clock is in 2026).
		var cur yearJSON
		c.Get("/api/v1/calendar").JSON(t, &cur)
		if cur.Year != 2026 || cur.WorkingDays != 248 {
			t.Errorf("default year: %+v", cur)
		}
		// A year with no data: plain Monday–Friday, no days, an empty list rather than null.
		r = c.Get("/api/v1/calendar?year=2030")
		if !strings.Contains(string(r.Body), `"days":[]`) {
			t.Errorf("2030 body %s: want an empty days list", r.Body)
		}

		// An empty table (an administrator removed everything by hand) is seeded again.
		if _, err := d.Exec(ctx, "DELETE FROM calendar_days"); err != nil {
			t.Fatal(err)
		}
		if err := svc.EnsureSeeded(ctx); err != nil {
			t.Fatal(err)
		}
		if n := rowCount(t, d); n != want {
			t.Errorf("reseeded: %d rows, want %d", n, want)
		}
		if n := env.AuditCount("calendar.seed", "ok"); n != 2 {
			t.Errorf("reseeded: calendar.seed audited %d times, want 2", n)
		}
	})
}

func TestAddDays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		c := env.TokenClient("qingshan")
		tests := []struct {
			query  string
			status int
			date   string // when 200
			field  string // when 400
		}{
			{"from=2026-02-13&days=1&unit=working", 200, "2026-02-14", ""},
			{"from=2026-02-14&days=1&unit=working", 200, "2026-02-24", ""},
			{"from=2026-02-14&days=1", 200, "2026-02-24", ""}, // working by default
			{"from=2026-02-24&days=-1&unit=working", 200, "2026-02-14", ""},
			{"from=2026-09-30&days=1&unit=working", 200, "2026-10-08", ""},
			{"from=2026-02-14&days=10&unit=calendar", 200, "2026-02-24", ""},
			{"from=2026-02-14&days=0&unit=working", 200, "2026-02-14", ""},
			{"from=2026-02-30&days=1", 400, "", "from"},
			{"from=2026-2-3&days=1", 400, "", "from"},
			{"days=1", 400, "", "from"},
			{"from=2026-02-14&days=3661", 400, "", "days"},
			{"from=2026-02-14&days=-3661", 400, "", "days"},
			{"from=2026-02-14&days=x", 400, "", "days"},
			{"from=2026-02-14", 400, "", "days"},
			{"from=2026-02-14&days=1&unit=week", 400, "", "unit"},
			{"from=9999-12-30&days=5&unit=calendar", 400, "", "days"},
		}
		for _, tt := range tests {
			t.Run(tt.query, func(t *testing.T) {
				r := c.Get("/api/v1/calendar/add?" + tt.query)
				if r.StatusCode != tt.status {
					t.Fatalf("status %d, want %d: %s", r.StatusCode, tt.status, r.Body)
				}
				if tt.status == 200 {
					var a addJSON
					r.JSON(t, &a)
					q, _ := url.ParseQuery(tt.query)
					if a.Date != tt.date || a.From != q.Get("from") || (a.Unit != "working" && a.Unit != "calendar") {
						t.Errorf("got %+v, want date %s", a, tt.date)
					}
					return
				}
				var e errJSON
				r.JSON(t, &e)
				if e.Error.Code != "invalid" || e.Error.Field != tt.field {
					t.Errorf("error %+v, want invalid on %q", e.Error, tt.field)
				}
			})
		}
	})
}

func TestSetAndClearByAdmin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.SignIn("admin")
		reader := env.TokenClient("qingshan") // another person sees the change at once
		root := env.OrgID("SFQ")

		// 2026-12-05 is a plain Saturday.
		if w := workingDay(t, reader, "2026-12-05"); w.WorkingDay || w.Kind != "" {
			t.Fatalf("before: %+v", w)
		}
		r := admin.SendJSON("PUT", "/api/v1/calendar/days/2026-12-05", map[string]string{"kind": "workday", "name": " 测试调休 "})
		if r.StatusCode != http.StatusOK {
			t.Fatalf("PUT: %d %s", r.StatusCode, r.Body)
		}
		var got dayJSON
		r.JSON(t, &got)
		if got != (dayJSON{"2026-12-05", "workday", "测试调休"}) {
			t.Errorf("PUT answered %+v", got)
		}
		if w := workingDay(t, reader, "2026-12-05"); !w.WorkingDay || w.Kind != "workday" || w.Name != "测试调休" {
			t.Errorf("after PUT: %+v", w)
		}
		if k, n := dayRow(t, d, "2026-12-05"); k != "workday" || n != "测试调休" {
			t.Errorf("row = %q %q", k, n)
		}
		if n := env.AuditCount("calendar.set", "ok"); n != 1 {
			t.Errorf("calendar.set audited %d times, want 1", n)
		}
		a := lastAudit(t, d, "calendar.set")
		if a.UserLogin != "admin" || a.ObjectType != "calendar_day" || a.ObjectID != "2026-12-05" || a.Before != "" || a.After == "" || a.OrgID != root {
			t.Errorf("audit = %+v (root org %d)", a, root)
		}
		// Friday + 1 working day is now that Saturday.
		var add addJSON
		reader.Get("/api/v1/calendar/add?from=2026-12-04&days=1").JSON(t, &add)
		if add.Date != "2026-12-05" {
			t.Errorf("2026-12-04 + 1 working day = %s, want 2026-12-05", add.Date)
		}

		// A holiday on a weekday, then renamed: the second write records what it replaced.
		for _, name := range []string{"临时放假", "防汛放假"} {
			if r := admin.SendJSON("PUT", "/api/v1/calendar/days/2026-12-07", map[string]string{"kind": "holiday", "name": name}); r.StatusCode != http.StatusOK {
				t.Fatalf("PUT holiday: %d %s", r.StatusCode, r.Body)
			}
		}
		if w := workingDay(t, reader, "2026-12-07"); w.WorkingDay || w.Kind != "holiday" || w.Name != "防汛放假" {
			t.Errorf("2026-12-07: %+v", w)
		}
		if a := lastAudit(t, d, "calendar.set"); a.Before == "" || a.After == "" || a.Before == a.After || !strings.Contains(a.Detail, "临时放假") {
			t.Errorf("replacing audit = %+v", a)
		}
		// A holiday on a weekend is allowed too.
		if r := admin.SendJSON("PUT", "/api/v1/calendar/days/2026-12-13", map[string]string{"kind": "holiday", "name": ""}); r.StatusCode != http.StatusOK {
			t.Errorf("holiday on a Sunday: %d %s", r.StatusCode, r.Body)
		}

		// Remove the Saturday: it is a rest day again.
		r = admin.Do("DELETE", "/api/v1/calendar/days/2026-12-05", nil, "")
		if r.StatusCode != http.StatusNoContent || len(r.Body) != 0 {
			t.Fatalf("DELETE: %d %s", r.StatusCode, r.Body)
		}
		if w := workingDay(t, reader, "2026-12-05"); w.WorkingDay || w.Kind != "" {
			t.Errorf("after DELETE: %+v", w)
		}
		if k, _ := dayRow(t, d, "2026-12-05"); k != "" {
			t.Errorf("row still there: %q", k)
		}
		if a := lastAudit(t, d, "calendar.clear"); a.UserLogin != "admin" || a.ObjectID != "2026-12-05" || a.Before == "" || a.After != "" || a.Result != "ok" {
			t.Errorf("clear audit = %+v", a)
		}
		// Removing what is not there: 404, and no further record.
		clears := env.AuditCount("calendar.clear", "")
		if r := admin.Do("DELETE", "/api/v1/calendar/days/2026-12-05", nil, ""); r.StatusCode != http.StatusNotFound {
			t.Errorf("second DELETE: %d %s", r.StatusCode, r.Body)
		}
		if n := env.AuditCount("calendar.clear", ""); n != clears {
			t.Errorf("second DELETE audited: %d → %d", clears, n)
		}
		// A seeded day can be removed and set back as well.
		if r := admin.Do("DELETE", "/api/v1/calendar/days/2026-02-14", nil, ""); r.StatusCode != http.StatusNoContent {
			t.Errorf("DELETE seeded day: %d %s", r.StatusCode, r.Body)
		}
		if w := workingDay(t, reader, "2026-02-14"); w.WorkingDay {
			t.Errorf("2026-02-14 after removal: %+v", w)
		}
	})
}

func TestChangeRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		tests := []struct {
			login  string
			status int
		}{
			// A township's staff cannot even see the district's calendar scope.
			{"qingshan", http.StatusNotFound},
			{"wanggeyuan", http.StatusNotFound},
			// District-wide people see it but may not change it.
			{"yjj", http.StatusForbidden},
			{"leader", http.StatusForbidden},
			{"secadmin", http.StatusForbidden},
			{"auditor", http.StatusForbidden},
		}
		for _, tt := range tests {
			t.Run(tt.login, func(t *testing.T) {
				c := env.TokenClient(tt.login)
				rows, denied, all := rowCount(t, d), env.AuditCount("calendar.manage", "denied"), env.AuditCount("", "")
				r := c.SendJSON("PUT", "/api/v1/calendar/days/2026-12-05", map[string]string{"kind": "workday", "name": "x"})
				if r.StatusCode != tt.status {
					t.Errorf("PUT: %d, want %d: %s", r.StatusCode, tt.status, r.Body)
				}
				r = c.Do("DELETE", "/api/v1/calendar/days/2026-02-14", nil, "")
				if r.StatusCode != tt.status {
					t.Errorf("DELETE: %d, want %d: %s", r.StatusCode, tt.status, r.Body)
				}
				if n := rowCount(t, d); n != rows {
					t.Errorf("rows %d → %d", rows, n)
				}
				if k, _ := dayRow(t, d, "2026-12-05"); k != "" {
					t.Errorf("2026-12-05 was set to %q", k)
				}
				if k, _ := dayRow(t, d, "2026-02-14"); k != "workday" {
					t.Errorf("2026-02-14 is now %q", k)
				}
				// Each refusal is a security event; nothing else is recorded.
				if n := env.AuditCount("calendar.manage", "denied"); n != denied+2 {
					t.Errorf("denied records %d → %d, want +2", denied, n)
				}
				if n := env.AuditCount("", ""); n != all+2 {
					t.Errorf("audit records %d → %d, want +2", all, n)
				}
				if n := env.AuditCount("calendar.set", "") + env.AuditCount("calendar.clear", ""); n != 0 {
					t.Errorf("%d calendar.set/clear records", n)
				}
			})
		}
	})
}

func TestBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.SignIn("admin")
		tests := []struct {
			name   string
			method string
			path   string
			body   any // nil: no body
			status int
			field  string
		}{
			{"nonexistent date", "PUT", "/api/v1/calendar/days/2026-02-30", `{"kind":"holiday","name":"x"}`, 400, "date"},
			{"short date", "PUT", "/api/v1/calendar/days/2026-2-3", `{"kind":"holiday","name":"x"}`, 400, "date"},
			{"not a date", "PUT", "/api/v1/calendar/days/tomorrow", `{"kind":"holiday","name":"x"}`, 400, "date"},
			{"unknown kind", "PUT", "/api/v1/calendar/days/2026-12-05", `{"kind":"x","name":"x"}`, 400, "kind"},
			{"empty kind", "PUT", "/api/v1/calendar/days/2026-12-05", `{"name":"x"}`, 400, "kind"},
			{"workday on a Wednesday", "PUT", "/api/v1/calendar/days/2026-12-02", `{"kind":"workday","name":"x"}`, 422, "kind"},
			{"name too long", "PUT", "/api/v1/calendar/days/2026-12-05", `{"kind":"workday","name":"` + strings.Repeat("节", 21) + `"}`, 400, "name"},
			{"control character in name", "PUT", "/api/v1/calendar/days/2026-12-05", `{"kind":"workday","name":"a\u0007b"}`, 400, "name"},
			{"unknown JSON field", "PUT", "/api/v1/calendar/days/2026-12-05", `{"kind":"workday","name":"x","date":"2026-12-06"}`, 400, "date"},
			{"truncated JSON", "PUT", "/api/v1/calendar/days/2026-12-05", `{"kind":"workday","na`, 400, ""},
			{"wrong type", "PUT", "/api/v1/calendar/days/2026-12-05", `{"kind":1}`, 400, "kind"},
			{"two values", "PUT", "/api/v1/calendar/days/2026-12-05", `{"kind":"workday"} {}`, 400, ""},
			{"delete bad date", "DELETE", "/api/v1/calendar/days/2026-13-01", nil, 400, "date"},
			{"delete plain day", "DELETE", "/api/v1/calendar/days/2026-12-09", nil, 404, ""},
			{"working-day bad date", "GET", "/api/v1/calendar/working-day?date=2026-02-30", nil, 400, "date"},
			{"working-day no date", "GET", "/api/v1/calendar/working-day", nil, 400, "date"},
			{"year not a number", "GET", "/api/v1/calendar?year=abc", nil, 400, "year"},
			{"year zero", "GET", "/api/v1/calendar?year=0", nil, 400, "year"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rows, audits := rowCount(t, d), env.AuditCount("", "")
				var r *apptest.Response
				if tt.body == nil {
					r = admin.Do(tt.method, tt.path, nil, "")
				} else {
					r = admin.SendJSON(tt.method, tt.path, tt.body)
				}
				if r.StatusCode != tt.status {
					t.Fatalf("status %d, want %d: %s", r.StatusCode, tt.status, r.Body)
				}
				var e errJSON
				r.JSON(t, &e)
				if e.Error.Code == "" || e.Error.Field != tt.field {
					t.Errorf("error %s: want field %q", r.Body, tt.field)
				}
				if n := rowCount(t, d); n != rows {
					t.Errorf("rows %d → %d", rows, n)
				}
				if n := env.AuditCount("", ""); n != audits {
					t.Errorf("audit records %d → %d", audits, n)
				}
				for _, date := range []string{"2026-12-05", "2026-12-02", "2026-12-06"} {
					if k, _ := dayRow(t, d, date); k != "" {
						t.Errorf("%s was set to %q", date, k)
					}
				}
			})
		}
	})
}

// TestCacheConverges shows that a change made elsewhere (another app
// server writing the same table) is picked up within ReloadEvery.
func TestCacheConverges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		ctx := context.Background()
		svc := env.App.WorkCalendar
		sat := calendar.Date{Year: 2026, Month: time.December, Day: 12}
		c, err := svc.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.IsWorkingDay(sat) {
			t.Fatal("2026-12-12 is a working day before any change")
		}
		if _, err := d.Exec(ctx, "INSERT INTO calendar_days (day, kind, name, updated_at) VALUES (?, ?, ?, ?)", "2026-12-12", "workday", "别处", env.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(workcalendar.ReloadEvery - time.Second)
		if c, _ = svc.Calendar(ctx); c.IsWorkingDay(sat) {
			t.Error("the cache was read again before ReloadEvery")
		}
		env.Clock.Advance(2 * time.Second)
		if c, _ = svc.Calendar(ctx); !c.IsWorkingDay(sat) {
			t.Error("the change made elsewhere is not seen after ReloadEvery")
		}
	})
}

func TestPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.SignIn("admin")
		leader := env.SignIn("leader")

		r := admin.Get("/calendar?year=2026")
		body := string(r.Body)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("admin page: %d", r.StatusCode)
		}
		for _, want := range []string{`id="working-days">248<`, `action="/calendar/days#set-day"`, `action="/calendar/days/2026-02-14/delete"`,
			"春节", `href="/calendar?year=2025"`, `href="/calendar?year=2027"`, `href="/calendar" aria-current="page"`, "工作日历", "调休上班"} {
			if !strings.Contains(body, want) {
				t.Errorf("admin page lacks %q", want)
			}
		}
		if n := strings.Count(body, `<section class="month">`); n != 12 {
			t.Errorf("admin page has %d months, want 12", n)
		}
		if n := strings.Count(body, `class="d w"`); n != 6 {
			t.Errorf("admin page marks %d make-up working days, want 6", n)
		}

		r = leader.Get("/calendar?year=2026")
		body = string(r.Body)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("leader page: %d", r.StatusCode)
		}
		if n := strings.Count(body, `<section class="month">`); n != 12 {
			t.Errorf("leader page has %d months, want 12", n)
		}
		if strings.Contains(body, `action="/calendar/days`) {
			t.Error("leader page shows a form to change the calendar")
		}
		if !strings.Contains(body, "春节") || !strings.Contains(body, `id="working-days">248<`) {
			t.Error("leader page lacks the special days or the count")
		}
		// A year without the State Council's notice says so.
		if body := string(leader.Get("/calendar?year=2031").Body); !strings.Contains(body, "尚未录入") {
			t.Error("2031 page does not warn that the year is not covered")
		}
		if r := leader.Get("/calendar?year=x"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("bad year: %d", r.StatusCode)
		}

		// The form: set, refuse a weekday make-up day, remove.
		r = admin.PostForm("/calendar/days", url.Values{"date": {"2026-12-05"}, "kind": {"workday"}, "name": {"表单调休"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/calendar?year=2026#days" {
			t.Fatalf("form set: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		if k, n := dayRow(t, d, "2026-12-05"); k != "workday" || n != "表单调休" {
			t.Errorf("form set row = %q %q", k, n)
		}
		if body := string(admin.Get("/calendar?year=2026").Body); !strings.Contains(body, "已保存") || !strings.Contains(body, "表单调休") {
			t.Error("after the form: no flash or no new day")
		}
		audits := env.AuditCount("", "")
		r = admin.PostForm("/calendar/days", url.Values{"date": {"2026-12-09"}, "kind": {"workday"}, "name": {"周三"}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "周六或周日") || !strings.Contains(string(r.Body), `value="2026-12-09"`) {
			t.Errorf("form on a Wednesday: %d", r.StatusCode)
		}
		if k, _ := dayRow(t, d, "2026-12-09"); k != "" || env.AuditCount("", "") != audits {
			t.Error("the refused form changed something")
		}
		r = leader.PostForm("/calendar/days", url.Values{"date": {"2026-12-06"}, "kind": {"workday"}, "name": {"x"}})
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("leader form: %d", r.StatusCode)
		}
		if k, _ := dayRow(t, d, "2026-12-06"); k != "" {
			t.Error("the leader's form changed the calendar")
		}
		if r := leader.PostForm("/calendar/days/2026-12-05/delete", nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("leader delete: %d", r.StatusCode)
		}
		r = admin.PostForm("/calendar/days/2026-12-05/delete", nil)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/calendar?year=2026#days" {
			t.Fatalf("form delete: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		if k, _ := dayRow(t, d, "2026-12-05"); k != "" {
			t.Error("form delete left the row")
		}
	})
}
