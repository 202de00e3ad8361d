package feedback_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type item struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	Body      string `json:"body"`
	Page      string `json:"page"`
	Status    string `json:"status"`
	Reply     string `json:"reply"`
	CreatedAt string `json:"created_at"`
	UserID    int64  `json:"user_id"`
	UserName  string `json:"user_name"`
	OrgName   string `json:"org_name"`
}

type inbox struct {
	Items  []item         `json:"items"`
	Counts map[string]int `json:"counts"`
}

func count(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), "SELECT count(*) FROM feedback").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func row(t *testing.T, d *db.DB, id int64) (userID int64, status, reply string) {
	t.Helper()
	if err := d.QueryRow(context.Background(), "SELECT user_id, status, reply FROM feedback WHERE id = ?", id).Scan(&userID, &status, &reply); err != nil {
		t.Fatal(err)
	}
	return
}

func nameOf(t *testing.T, env *apptest.Env, login string) (name, org string) {
	t.Helper()
	if err := env.App.DB.QueryRow(context.Background(), "SELECT u.name, o.name FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.login = ?", login).Scan(&name, &org); err != nil {
		t.Fatal(err)
	}
	return
}

func TestSubmitReplyAndInbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		grid := env.SignIn("wanggeyuan")
		admin := env.SignIn("admin")
		qingshan := env.TokenClient("qingshan")

		created := env.AuditCount("feedback.create", audit.OK)
		r := grid.SendJSON("POST", "/api/v1/feedback", map[string]string{"kind": "suggestion", "body": "  日报页面希望能记住上次选择的村  ", "page": "/orgs"})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("submit: %d %s", r.StatusCode, r.Body)
		}
		var got map[string]any
		r.JSON(t, &got)
		for _, k := range []string{"id", "kind", "body", "page", "status", "created_at"} {
			if _, ok := got[k]; !ok {
				t.Errorf("answer lacks %q: %s", k, r.Body)
			}
		}
		if len(got) != 6 {
			t.Errorf("answer has %d fields: %s", len(got), r.Body)
		}
		var f item
		r.JSON(t, &f)
		if f.Kind != "suggestion" || f.Body != "日报页面希望能记住上次选择的村" || f.Page != "/orgs" || f.Status != "open" || !strings.HasPrefix(f.CreatedAt, "2026-11-27T02:00:00") {
			t.Errorf("created %+v", f)
		}
		if uid, status, _ := row(t, d, f.ID); uid != env.UserID("wanggeyuan") || status != "open" {
			t.Errorf("row user %d status %s", uid, status)
		}
		if env.AuditCount("feedback.create", audit.OK) != created+1 {
			t.Error("submit not audited")
		}
		var rec struct{ UserLogin, ObjectID string }
		d.QueryRow(context.Background(), "SELECT user_login, object_id FROM audit_log WHERE action = 'feedback.create' ORDER BY seq DESC LIMIT 1").Scan(&rec.UserLogin, &rec.ObjectID)
		if rec.UserLogin != "wanggeyuan" || rec.ObjectID != strconv.FormatInt(f.ID, 10) {
			t.Errorf("audit record %+v", rec)
		}

		// A second, from someone else, to check who sees what.
		if r := qingshan.SendJSON("POST", "/api/v1/feedback", map[string]string{"kind": "complaint", "body": "导出按钮在手机上点不到"}); r.StatusCode != http.StatusCreated {
			t.Fatalf("second submit: %d %s", r.StatusCode, r.Body)
		}

		t.Run("own list", func(t *testing.T) {
			var mine []item
			grid.Get("/api/v1/feedback").JSON(t, &mine)
			if len(mine) != 1 || mine[0].ID != f.ID {
				t.Fatalf("wanggeyuan sees %+v", mine)
			}
			var theirs []item
			qingshan.Get("/api/v1/feedback").JSON(t, &theirs)
			if len(theirs) != 1 || theirs[0].Kind != "complaint" {
				t.Fatalf("qingshan sees %+v", theirs)
			}
		})

		t.Run("inbox", func(t *testing.T) {
			name, org := nameOf(t, env, "wanggeyuan")
			for _, login := range []string{"admin", "secadmin"} {
				var in inbox
				r := env.TokenClient(login).Get("/api/v1/feedback/inbox?status=open")
				if r.StatusCode != http.StatusOK {
					t.Fatalf("%s: %d %s", login, r.StatusCode, r.Body)
				}
				r.JSON(t, &in)
				if len(in.Items) != 2 || in.Counts["open"] != 2 {
					t.Fatalf("%s inbox %+v", login, in)
				}
				found := false
				for _, it := range in.Items {
					if it.ID == f.ID {
						found = it.UserName == name && it.OrgName == org && it.UserID == env.UserID("wanggeyuan")
					}
				}
				if !found {
					t.Errorf("%s inbox lacks the item with its sender %s / %s: %+v", login, name, org, in.Items)
				}
			}
			if r := admin.Get("/api/v1/feedback/inbox?status=nonsense"); r.StatusCode != http.StatusBadRequest {
				t.Errorf("bad status: %d", r.StatusCode)
			}
		})

		t.Run("others cannot read the inbox or reply", func(t *testing.T) {
			for _, login := range []string{"qingshan", "wanggeyuan", "leader", "auditor"} {
				c := env.TokenClient(login)
				denied := env.AuditCount("feedback.view", audit.Denied)
				if r := c.Get("/api/v1/feedback/inbox?status=open"); r.StatusCode != http.StatusNotFound || r.ErrorCode() != apperr.ENOTFOUND {
					t.Errorf("%s inbox: %d %s", login, r.StatusCode, r.Body)
				}
				for _, body := range []string{`{"reply":"我来回复","status":"answered"}`, `{"bad json`} {
					if r := c.SendJSON("POST", "/api/v1/feedback/"+strconv.FormatInt(f.ID, 10)+"/reply", body); r.StatusCode != http.StatusNotFound {
						t.Errorf("%s reply: %d %s", login, r.StatusCode, r.Body)
					}
				}
				if got := env.AuditCount("feedback.view", audit.Denied); got != denied+3 {
					t.Errorf("%s: refusals recorded %d → %d", login, denied, got)
				}
			}
			if _, status, reply := row(t, d, f.ID); status != "open" || reply != "" {
				t.Errorf("row changed: %s %q", status, reply)
			}
		})

		t.Run("reply", func(t *testing.T) {
			replies := env.AuditCount("feedback.reply", audit.OK)
			path := "/api/v1/feedback/" + strconv.FormatInt(f.ID, 10) + "/reply"
			bad := []struct {
				body string
				want int
			}{
				{`{"reply":"好的","status":"done"}`, 400},
				{`{"reply":"","status":"answered"}`, 400},
				{`{"reply":"好的"}`, 400},
				{`{"reply":"好的","status":"answered","extra":1}`, 400},
				{`{"reply":"好的","status":"answ`, 400},
			}
			for _, tc := range bad {
				if r := admin.SendJSON("POST", path, tc.body); r.StatusCode != tc.want {
					t.Errorf("%s: %d %s, want %d", tc.body, r.StatusCode, r.Body, tc.want)
				}
			}
			if r := admin.SendJSON("POST", "/api/v1/feedback/999999/reply", `{"reply":"好的","status":"answered"}`); r.StatusCode != http.StatusNotFound {
				t.Errorf("unknown id: %d", r.StatusCode)
			}
			if env.AuditCount("feedback.reply", "") != replies {
				t.Fatal("a refused reply was audited")
			}
			r := admin.SendJSON("POST", path, map[string]string{"reply": "已记录，下一版本会记住上次选择。", "status": "answered"})
			if r.StatusCode != http.StatusOK {
				t.Fatalf("reply: %d %s", r.StatusCode, r.Body)
			}
			var out item
			r.JSON(t, &out)
			if out.Status != "answered" || out.Reply != "已记录，下一版本会记住上次选择。" {
				t.Errorf("answer %+v", out)
			}
			if _, status, reply := row(t, d, f.ID); status != "answered" || reply != out.Reply {
				t.Errorf("row %s %q", status, reply)
			}
			if env.AuditCount("feedback.reply", audit.OK) != replies+1 {
				t.Error("reply not audited")
			}
			var mine []item
			grid.Get("/api/v1/feedback").JSON(t, &mine)
			if len(mine) != 1 || mine[0].Reply != out.Reply || mine[0].Status != "answered" {
				t.Errorf("sender sees %+v", mine)
			}
			// Close without new words keeps the answer; a closed item is final.
			if r := admin.SendJSON("POST", path, `{"reply":"","status":"closed"}`); r.StatusCode != http.StatusOK {
				t.Fatalf("close: %d %s", r.StatusCode, r.Body)
			}
			if _, status, reply := row(t, d, f.ID); status != "closed" || reply != out.Reply {
				t.Errorf("after close %s %q", status, reply)
			}
			if r := admin.SendJSON("POST", path, `{"reply":"再补充","status":"answered"}`); r.StatusCode != http.StatusUnprocessableEntity || r.ErrorCode() != apperr.ERULE {
				t.Errorf("reply to closed: %d %s", r.StatusCode, r.Body)
			}
			if env.AuditCount("feedback.reply", audit.OK) != replies+2 {
				t.Error("close not audited, or the refused reply was")
			}
		})
	})
}

func TestSubmitRejectsBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		c := env.TokenClient("wanggeyuan")
		cases := []struct {
			name, body, field string
			want              int
		}{
			{"unknown kind", `{"kind":"x","body":"这是一条足够长的意见"}`, "kind", 400},
			{"no kind", `{"body":"这是一条足够长的意见"}`, "kind", 400},
			{"body too short", `{"kind":"complaint","body":"太短"}`, "body", 400},
			{"body only spaces", `{"kind":"complaint","body":"          "}`, "body", 400},
			{"body too long", `{"kind":"complaint","body":"` + strings.Repeat("长", 2001) + `"}`, "body", 400},
			{"page not local", `{"kind":"complaint","body":"这是一条足够长的意见","page":"https://evil.example/x"}`, "page", 400},
			{"page too long", `{"kind":"complaint","body":"这是一条足够长的意见","page":"/` + strings.Repeat("a", 200) + `"}`, "page", 400},
			{"unknown field", `{"kind":"complaint","body":"这是一条足够长的意见","status":"closed"}`, "status", 400},
			{"wrong type", `{"kind":"complaint","body":12345}`, "body", 400},
			{"truncated JSON", `{"kind":"complaint","body":"这是一条`, "", 400},
			{"empty", ``, "", 400},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				rows, audits := count(t, d), env.AuditCount("feedback.", "")
				r := c.SendJSON("POST", "/api/v1/feedback", tc.body)
				var e struct {
					Error struct{ Code, Field string } `json:"error"`
				}
				r.JSON(t, &e)
				if r.StatusCode != tc.want || e.Error.Field != tc.field {
					t.Errorf("%d %s, want %d on field %q", r.StatusCode, r.Body, tc.want, tc.field)
				}
				if count(t, d) != rows || env.AuditCount("feedback.", "") != audits {
					t.Error("a refused submission left a row or an audit record")
				}
			})
		}
		t.Run("not signed in", func(t *testing.T) {
			if r := env.Anonymous().SendJSON("POST", "/api/v1/feedback", `{"kind":"complaint","body":"这是一条足够长的意见"}`); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("%d", r.StatusCode)
			}
			if count(t, d) != 0 {
				t.Error("row added")
			}
		})
	})
}

func TestFeedbackPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		grid := env.SignIn("wanggeyuan")
		admin := env.SignIn("admin")

		t.Run("form", func(t *testing.T) {
			r := grid.Get("/feedback?page=/orgs")
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%d", r.StatusCode)
			}
			for _, s := range []string{"投诉", "建议", `name="kind"`, `value="/orgs"`, "我的反馈", "您还没有提交过反馈"} {
				if !bytes.Contains(r.Body, []byte(s)) {
					t.Errorf("form lacks %q", s)
				}
			}
			if bytes.Contains(r.Body, []byte(`href="/feedback/inbox"`)) {
				t.Error("grid worker's menu shows the inbox")
			}
		})

		t.Run("page from referer", func(t *testing.T) {
			for _, tc := range []struct{ referer, want string }{
				{env.Server.URL + "/people?q=x", `value="/people"`},
				{"https://elsewhere.example/people", `name="page" value=""`},
			} {
				req, _ := http.NewRequest("GET", env.Server.URL+"/feedback", nil)
				req.Header.Set("Referer", tc.referer)
				resp, err := grid.HTTP.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				b.ReadFrom(resp.Body)
				resp.Body.Close()
				if !strings.Contains(b.String(), tc.want) {
					t.Errorf("referer %s: page field lacks %s", tc.referer, tc.want)
				}
			}
		})

		t.Run("submit by form", func(t *testing.T) {
			before := count(t, d)
			r := grid.PostForm("/feedback", url.Values{"kind": {"complaint"}, "body": {"零报告页面在手机上按钮太小"}, "page": {"/reports"}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/feedback" {
				t.Fatalf("%d %s", r.StatusCode, r.Header.Get("Location"))
			}
			if count(t, d) != before+1 {
				t.Fatal("no row")
			}
			p := grid.Get("/feedback")
			for _, s := range []string{"零报告页面在手机上按钮太小", "已提交", "待处理", "等待管理员答复"} {
				if !bytes.Contains(p.Body, []byte(s)) {
					t.Errorf("after submit the page lacks %q", s)
				}
			}
		})

		t.Run("bad form keeps what was typed", func(t *testing.T) {
			before, audits := count(t, d), env.AuditCount("feedback.", "")
			r := grid.PostForm("/feedback", url.Values{"kind": {"complaint"}, "body": {"短"}})
			if r.StatusCode != http.StatusBadRequest || !bytes.Contains(r.Body, []byte(`class="alert"`)) || !bytes.Contains(r.Body, []byte(">短</textarea>")) {
				t.Errorf("%d", r.StatusCode)
			}
			if count(t, d) != before || env.AuditCount("feedback.", "") != audits {
				t.Error("bad form left a row or an audit record")
			}
		})

		var id int64
		d.QueryRow(context.Background(), "SELECT id FROM feedback ORDER BY id DESC LIMIT 1").Scan(&id)
		sid := strconv.FormatInt(id, 10)

		t.Run("inbox", func(t *testing.T) {
			name, org := nameOf(t, env, "wanggeyuan")
			for _, path := range []string{"/feedback/inbox", "/feedback/inbox?status=open"} {
				r := admin.Get(path)
				if r.StatusCode != http.StatusOK {
					t.Fatalf("%s: %d", path, r.StatusCode)
				}
				for _, s := range []string{name, org, "零报告页面在手机上按钮太小", `action="/feedback/` + sid + `/reply"`, `href="/feedback/inbox"`} {
					if !bytes.Contains(r.Body, []byte(s)) {
						t.Errorf("%s lacks %q", path, s)
					}
				}
			}
			if r := admin.Get("/feedback/inbox?status=closed"); bytes.Contains(r.Body, []byte("零报告页面在手机上按钮太小")) {
				t.Error("closed filter shows an open item")
			}
			for _, login := range []string{"qingshan", "wanggeyuan", "auditor"} {
				if r := env.SignIn(login).Get("/feedback/inbox"); r.StatusCode != http.StatusNotFound {
					t.Errorf("%s inbox page: %d", login, r.StatusCode)
				}
			}
		})

		t.Run("reply by form", func(t *testing.T) {
			q := env.SignIn("qingshan")
			if r := q.PostForm("/feedback/"+sid+"/reply", url.Values{"reply": {"我不是管理员"}, "status": {"answered"}}); r.StatusCode != http.StatusNotFound {
				t.Errorf("qingshan reply: %d", r.StatusCode)
			}
			if _, status, _ := row(t, d, id); status != "open" {
				t.Fatalf("status %s after refused reply", status)
			}
			r := admin.PostForm("/feedback/"+sid+"/reply", url.Values{"reply": {""}, "status": {"answered"}, "back": {"open"}})
			if r.StatusCode != http.StatusBadRequest || !bytes.Contains(r.Body, []byte(`class="alert"`)) {
				t.Errorf("empty reply: %d", r.StatusCode)
			}
			r = admin.PostForm("/feedback/"+sid+"/reply", url.Values{"reply": {"已调大按钮，请刷新后再试。"}, "status": {"answered"}, "back": {"open"}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/feedback/inbox?status=open#f"+sid {
				t.Fatalf("%d %s", r.StatusCode, r.Header.Get("Location"))
			}
			if _, status, reply := row(t, d, id); status != "answered" || reply != "已调大按钮，请刷新后再试。" {
				t.Errorf("row %s %q", status, reply)
			}
			p := grid.Get("/feedback")
			if !bytes.Contains(p.Body, []byte("已调大按钮，请刷新后再试。")) || !bytes.Contains(p.Body, []byte("已答复")) {
				t.Error("sender does not see the answer")
			}
		})

		t.Run("english", func(t *testing.T) {
			req, _ := http.NewRequest("GET", env.Server.URL+"/feedback", nil)
			req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
			resp, err := grid.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			if !strings.Contains(b.String(), "Complaint") || !strings.Contains(b.String(), "My feedback") {
				t.Error("English labels missing")
			}
		})
	})
}
