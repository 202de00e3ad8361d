package audittrail_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/audittrail"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type page struct {
	Records       []audit.Record `json:"records"`
	NextBeforeSeq int64          `json:"next_before_seq"`
}

// activity leaves a few records in the trail: sign-ins, a failed sign-in, a sign-out.
func activity(t *testing.T, env *apptest.Env) {
	t.Helper()
	env.SignIn("admin")
	env.SignIn("leader")
	env.Anonymous().PostForm("/signin", url.Values{"login": {"admin"}, "password": {"wrong-password"}})
	env.SignIn("qingshan").PostForm("/signout", nil)
}

func search(t *testing.T, c *apptest.Client, query string) page {
	t.Helper()
	r := c.Get("/api/v1/audit" + query)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/audit%s: %d %s", query, r.StatusCode, r.Body)
	}
	var p page
	r.JSON(t, &p)
	return p
}

func TestAuditorSearches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		activity(t, env)
		auditor := env.SignIn("auditor")

		cases := []struct {
			name  string
			query string
			check func(t *testing.T, p page)
		}{
			{"all, newest first", "", func(t *testing.T, p page) {
				if len(p.Records) < 5 {
					t.Fatalf("%d records, want at least 5", len(p.Records))
				}
				for i := 1; i < len(p.Records); i++ {
					if p.Records[i].Seq >= p.Records[i-1].Seq {
						t.Fatalf("not newest first: %d then %d", p.Records[i-1].Seq, p.Records[i].Seq)
					}
				}
				if p.NextBeforeSeq != 0 {
					t.Errorf("next_before_seq = %d on the only page", p.NextBeforeSeq)
				}
			}},
			{"by user", "?user=admin", func(t *testing.T, p page) {
				if len(p.Records) < 2 {
					t.Fatalf("%d records for admin", len(p.Records))
				}
				for _, r := range p.Records {
					if r.UserLogin != "admin" {
						t.Errorf("record %d by %q", r.Seq, r.UserLogin)
					}
				}
			}},
			{"by action prefix", "?action=auth.sign", func(t *testing.T, p page) {
				seen := map[string]bool{}
				for _, r := range p.Records {
					if !strings.HasPrefix(r.Action, "auth.sign") {
						t.Errorf("record %d action %q", r.Seq, r.Action)
					}
					seen[r.Action] = true
				}
				if !seen["auth.signin"] || !seen["auth.signout"] {
					t.Errorf("actions seen %v, want sign-in and sign-out", seen)
				}
			}},
			{"by result", "?result=failed", func(t *testing.T, p page) {
				if len(p.Records) != 1 || p.Records[0].Action != "auth.signin" || p.Records[0].Result != audit.Failed {
					t.Fatalf("failed records = %+v, want the one failed sign-in", p.Records)
				}
			}},
			{"by object", "?object_type=user&object_id=" + strconv.FormatInt(env.UserID("leader"), 10), func(t *testing.T, p page) {
				if len(p.Records) == 0 {
					t.Fatal("no records about leader")
				}
				for _, r := range p.Records {
					if r.ObjectType != "user" || r.ObjectID != strconv.FormatInt(env.UserID("leader"), 10) {
						t.Errorf("record %d about %s %s", r.Seq, r.ObjectType, r.ObjectID)
					}
				}
			}},
			{"today inclusive", "?from=2026-11-27&to=2026-11-27", func(t *testing.T, p page) {
				if len(p.Records) < 5 {
					t.Fatalf("%d records today", len(p.Records))
				}
			}},
			{"before today", "?to=2026-11-26", func(t *testing.T, p page) {
				if len(p.Records) != 0 {
					t.Fatalf("%d records before today, want 0", len(p.Records))
				}
			}},
			{"after today", "?from=2026-11-28", func(t *testing.T, p page) {
				if len(p.Records) != 0 {
					t.Fatalf("%d records after today, want 0", len(p.Records))
				}
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := env.AuditCount("audit.search", audit.OK)
				tc.check(t, search(t, auditor, tc.query))
				if got := env.AuditCount("audit.search", audit.OK); got != before+1 {
					t.Errorf("audit.search records %d → %d, want one more", before, got)
				}
			})
		}

		t.Run("paging", func(t *testing.T) {
			first := search(t, auditor, "?limit=2")
			if len(first.Records) != 2 || first.NextBeforeSeq != first.Records[1].Seq {
				t.Fatalf("first page %d records, next %d", len(first.Records), first.NextBeforeSeq)
			}
			second := search(t, auditor, "?limit=2&before_seq="+strconv.FormatInt(first.NextBeforeSeq, 10))
			if len(second.Records) != 2 || second.Records[0].Seq >= first.NextBeforeSeq {
				t.Fatalf("second page %+v after %d", second.Records, first.NextBeforeSeq)
			}
			// The search recorded last time is now the newest record.
			if first.Records[0].Action != "audit.search" || first.Records[0].UserLogin != "auditor" {
				t.Errorf("newest record %s by %s, want the previous audit.search by auditor", first.Records[0].Action, first.Records[0].UserLogin)
			}
		})

		t.Run("search detail names the filters", func(t *testing.T) {
			search(t, auditor, "?user=leader&result=ok")
			p := search(t, auditor, "?action=audit.search&limit=1")
			if len(p.Records) != 1 || !strings.Contains(p.Records[0].Detail, "user=leader") || !strings.Contains(p.Records[0].Detail, "result=ok") {
				t.Fatalf("last search record %+v", p.Records)
			}
		})

		bad := []struct{ query, field string }{
			{"?from=2026-13-01", "from"},
			{"?to=27/11/2026", "to"},
			{"?from=2026-11-27&to=2026-11-01", "to"},
			{"?result=maybe", "result"},
			{"?limit=abc", "limit"},
			{"?limit=0", "limit"},
			{"?before_seq=-1", "before_seq"},
		}
		for _, tc := range bad {
			t.Run("bad "+tc.query, func(t *testing.T) {
				before := env.AuditCount("audit.search", "")
				r := auditor.Get("/api/v1/audit" + tc.query)
				var body struct {
					Error struct{ Code, Field string } `json:"error"`
				}
				r.JSON(t, &body)
				if r.StatusCode != http.StatusBadRequest || body.Error.Code != apperr.EINVALID || body.Error.Field != tc.field {
					t.Fatalf("%d %s, want 400 invalid on %s", r.StatusCode, r.Body, tc.field)
				}
				if got := env.AuditCount("audit.search", ""); got != before {
					t.Errorf("a refused search was recorded as a search")
				}
			})
		}

		t.Run("limit over the maximum is capped", func(t *testing.T) {
			p := search(t, auditor, "?limit=5000")
			if len(p.Records) > audittrail.MaxLimit {
				t.Fatalf("%d records", len(p.Records))
			}
		})
	})
}

func TestAuditorExports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		activity(t, env)
		auditor := env.TokenClient("auditor")
		var want int
		if err := d.QueryRow(context.Background(), "SELECT count(*) FROM audit_log WHERE user_login = 'admin'").Scan(&want); err != nil {
			t.Fatal(err)
		}
		if want < 2 {
			t.Fatalf("only %d admin records to export", want)
		}

		t.Run("xlsx", func(t *testing.T) {
			before := env.AuditCount("audit.export", audit.OK)
			r := auditor.Get("/api/v1/audit/export.xlsx?user=admin")
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%d %s", r.StatusCode, r.Body)
			}
			if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="audit-20261127.xlsx"` {
				t.Errorf("Content-Disposition %q", cd)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
				t.Errorf("Content-Type %q", ct)
			}
			f, err := excelize.OpenReader(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatalf("open xlsx: %v", err)
			}
			defer f.Close()
			rows, err := f.GetRows(f.GetSheetName(0))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != want+1 {
				t.Fatalf("%d rows, want header + %d", len(rows), want)
			}
			if !slices.Equal(rows[0], audittrail.Header) {
				t.Errorf("header %v", rows[0])
			}
			for _, row := range rows[1:] {
				if row[2] != "admin" || !strings.HasPrefix(row[1], "2026-11-27 10:") {
					t.Errorf("row %v", row)
				}
			}
			if got := env.AuditCount("audit.export", audit.OK); got != before+1 {
				t.Errorf("audit.export records %d → %d", before, got)
			}
		})

		t.Run("csv", func(t *testing.T) {
			before := env.AuditCount("audit.export", audit.OK)
			r := auditor.Get("/api/v1/audit/export.csv?user=admin")
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%d %s", r.StatusCode, r.Body)
			}
			if !bytes.HasPrefix(r.Body, []byte("\xef\xbb\xbf")) {
				t.Fatalf("no byte-order mark: %q", r.Body[:min(len(r.Body), 10)])
			}
			if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="audit-20261127.csv"` {
				t.Errorf("Content-Disposition %q", cd)
			}
			rows, err := csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != want+1 || !slices.Equal(rows[0], audittrail.Header) {
				t.Fatalf("%d rows, header %v; want header + %d", len(rows), rows[0], want)
			}
			for _, row := range rows[1:] {
				if row[2] != "admin" || len(row[12]) != 64 {
					t.Errorf("row %v", row)
				}
			}
			if got := env.AuditCount("audit.export", audit.OK); got != before+1 {
				t.Errorf("audit.export records %d → %d", before, got)
			}
		})

		t.Run("a formula in a record stays text", func(t *testing.T) {
			env.Anonymous().PostForm("/signin", url.Values{"login": {"=HYPERLINK(\"x\")"}, "password": {"x"}})
			r := auditor.Get("/api/v1/audit/export.csv?result=failed")
			if !bytes.Contains(r.Body, []byte(`'=HYPERLINK`)) {
				t.Errorf("formula not defused: %s", r.Body)
			}
		})

		t.Run("bad filter", func(t *testing.T) {
			before := env.AuditCount("audit.export", "")
			r := auditor.Get("/api/v1/audit/export.xlsx?from=yesterday")
			if r.StatusCode != http.StatusBadRequest || r.ErrorCode() != apperr.EINVALID {
				t.Fatalf("%d %s", r.StatusCode, r.Body)
			}
			if env.AuditCount("audit.export", "") != before {
				t.Error("a refused export was recorded as an export")
			}
		})
	})
}

func TestAuditHiddenFromOthers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		routes := []string{"/api/v1/audit", "/api/v1/audit?from=bad", "/api/v1/audit/verify", "/api/v1/audit/export.xlsx", "/api/v1/audit/export.csv", "/audit", "/audit?verify=1"}
		for _, login := range []string{"admin", "secadmin", "leader", "qingshan"} {
			t.Run(login, func(t *testing.T) {
				session := env.SignIn(login)
				token := env.TokenClient(login)
				okBefore := env.AuditCount("audit.search", audit.OK) + env.AuditCount("audit.export", audit.OK) + env.AuditCount("audit.verify", audit.OK)
				for _, path := range routes {
					for _, c := range []*apptest.Client{session, token} {
						if strings.HasPrefix(path, "/audit") && c == token {
							continue // pages take sessions only
						}
						deniedBefore := env.AuditCount("audit.view", audit.Denied)
						r := c.Get(path)
						if r.StatusCode != http.StatusNotFound {
							t.Errorf("GET %s: %d, want 404", path, r.StatusCode)
						}
						if strings.HasPrefix(path, "/api/") && r.ErrorCode() != apperr.ENOTFOUND {
							t.Errorf("GET %s: %s", path, r.Body)
						}
						if bytes.Contains(r.Body, []byte("auth.signin")) {
							t.Errorf("GET %s leaks records", path)
						}
						if got := env.AuditCount("audit.view", audit.Denied); got != deniedBefore+1 {
							t.Errorf("GET %s: refusals recorded %d → %d", path, deniedBefore, got)
						}
					}
				}
				okAfter := env.AuditCount("audit.search", audit.OK) + env.AuditCount("audit.export", audit.OK) + env.AuditCount("audit.verify", audit.OK)
				if okAfter != okBefore {
					t.Errorf("reads recorded as done: %d → %d", okBefore, okAfter)
				}
				if home := session.Get("/"); bytes.Contains(home.Body, []byte(`href="/audit"`)) {
					t.Error("menu shows the audit trail")
				}
			})
		}
		t.Run("anonymous", func(t *testing.T) {
			if r := env.Anonymous().Get("/api/v1/audit"); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("%d", r.StatusCode)
			}
			if r := env.Anonymous().Get("/audit"); r.StatusCode != http.StatusSeeOther {
				t.Errorf("%d", r.StatusCode)
			}
		})
		t.Run("no route changes a record", func(t *testing.T) {
			auditor := env.SignIn("auditor")
			var n int
			d.QueryRow(context.Background(), "SELECT count(*) FROM audit_log").Scan(&n)
			for _, m := range []string{"DELETE", "PUT", "PATCH", "POST"} {
				for _, p := range []string{"/api/v1/audit", "/api/v1/audit/1"} {
					if r := auditor.SendJSON(m, p, `{"detail":"x"}`); r.StatusCode < 400 {
						t.Errorf("%s %s: %d", m, p, r.StatusCode)
					}
				}
			}
			var detail string
			d.QueryRow(context.Background(), "SELECT detail FROM audit_log WHERE seq = 1").Scan(&detail)
			if detail == "x" {
				t.Error("record 1 changed")
			}
		})
	})
}

func TestVerify(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		activity(t, env)
		auditor := env.SignIn("auditor")
		type verification struct {
			Checked  int64  `json:"checked"`
			FirstBad int64  `json:"first_bad"`
			Reason   string `json:"reason"`
			Intact   bool   `json:"intact"`
		}
		var v verification
		before := env.AuditCount("audit.verify", audit.OK)
		r := auditor.Get("/api/v1/audit/verify")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
		r.JSON(t, &v)
		if !v.Intact || v.FirstBad != 0 || v.Checked < 5 || v.Reason != "" {
			t.Fatalf("verify = %+v, want intact", v)
		}
		if env.AuditCount("audit.verify", audit.OK) != before+1 {
			t.Error("verification not recorded")
		}
		if p := auditor.Get("/audit?verify=1"); p.StatusCode != http.StatusOK || !bytes.Contains(p.Body, []byte("未发现篡改或缺失")) {
			t.Errorf("page: %d, intact message missing", p.StatusCode)
		}

		dropTriggers(t, d)
		if _, err := d.Exec(context.Background(), "UPDATE audit_log SET detail = 'edited' WHERE seq = 3"); err != nil {
			t.Fatal(err)
		}
		v = verification{}
		auditor.Get("/api/v1/audit/verify").JSON(t, &v)
		if v.Intact || v.FirstBad != 3 || v.Reason == "" {
			t.Fatalf("after tampering verify = %+v, want record 3 bad", v)
		}
		p := auditor.Get("/audit?verify=1")
		if p.StatusCode != http.StatusOK || !bytes.Contains(p.Body, []byte("第 3 条记录校验不通过")) || !bytes.Contains(p.Body, []byte(`class="alert"`)) {
			t.Errorf("page after tampering: %d\n%s", p.StatusCode, p.Body)
		}
	})
}

func dropTriggers(t *testing.T, d *db.DB) {
	t.Helper()
	stmts := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
	if d.Dialect == db.Postgres {
		stmts = []string{"DROP TRIGGER audit_log_no_change ON audit_log"}
	}
	for _, s := range stmts {
		if _, err := d.Exec(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		activity(t, env)
		auditor := env.SignIn("auditor")
		cases := []struct {
			path string
			want []string
			not  []string
		}{
			{"/audit", []string{`href="/audit"`, "审计日志", "登录", `mono">auth.signin</span>`, `mono">auth.signout</span>`, "校验哈希链", "/api/v1/audit/export.xlsx", "/api/v1/audit/export.csv"}, nil},
			{"/audit?result=failed", []string{`badge bad`, "失败", `mono">auth.signin</span>`}, []string{`mono">auth.signout</span>`}},
			{"/audit?user=leader&action=auth.", []string{"leader", "登录"}, []string{">admin<"}},
		}
		for _, tc := range cases {
			t.Run(tc.path, func(t *testing.T) {
				before := env.AuditCount("audit.search", audit.OK)
				r := auditor.Get(tc.path)
				if r.StatusCode != http.StatusOK {
					t.Fatalf("%d", r.StatusCode)
				}
				for _, s := range tc.want {
					if !bytes.Contains(r.Body, []byte(s)) {
						t.Errorf("page lacks %q", s)
					}
				}
				for _, s := range tc.not {
					if bytes.Contains(r.Body, []byte(s)) {
						t.Errorf("page shows %q", s)
					}
				}
				if env.AuditCount("audit.search", audit.OK) != before+1 {
					t.Error("page search not recorded")
				}
			})
		}
		t.Run("older pages", func(t *testing.T) {
			for range 60 {
				auditor.Get("/api/v1/audit?limit=1")
			}
			r := auditor.Get("/audit")
			i := bytes.Index(r.Body, []byte(`/audit?before_seq=`))
			if i < 0 {
				t.Fatal("no link to older records")
			}
			link := string(r.Body[i:])
			link = strings.ReplaceAll(link[:strings.IndexByte(link, '"')], "&amp;", "&")
			older := auditor.Get(link)
			if older.StatusCode != http.StatusOK || !bytes.Contains(older.Body, []byte("最新")) {
				t.Errorf("older page %s: %d", link, older.StatusCode)
			}
		})
		t.Run("bad date shows the form with the error", func(t *testing.T) {
			r := auditor.Get("/audit?from=2026-02-30")
			if r.StatusCode != http.StatusBadRequest || !bytes.Contains(r.Body, []byte(`class="alert"`)) || !bytes.Contains(r.Body, []byte(`name="from"`)) {
				t.Errorf("%d", r.StatusCode)
			}
		})
		t.Run("english", func(t *testing.T) {
			req, _ := http.NewRequest("GET", env.Server.URL+"/audit", nil)
			req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
			resp, err := auditor.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			if !strings.Contains(b.String(), "Sign in") || !strings.Contains(b.String(), "Verify the chain") {
				t.Error("English labels missing")
			}
		})
	})
}
