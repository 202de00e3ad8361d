package directoryimport_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/directoryimport"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sheets is a workbook as rows of cells, the first row the header.
type sheets struct {
	orgs, people [][]string
}

func (s sheets) clone() sheets {
	cp := func(rows [][]string) [][]string {
		var out [][]string
		for _, r := range rows {
			out = append(out, append([]string(nil), r...))
		}
		return out
	}
	return sheets{cp(s.orgs), cp(s.people)}
}

func (s sheets) xlsx(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	write := func(name string, rows [][]string) {
		for i, row := range rows {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if err := f.SetCellStr(name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	f.SetSheetName("Sheet1", "组织机构")
	write("组织机构", s.orgs)
	if s.people != nil {
		f.NewSheet("人员")
		write("人员", s.people)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// valid has two new villages under 青山镇 and three people.
var valid = sheets{
	orgs: [][]string{
		{"名称（必填）", "类型", "编码", "上级编码", "排序"},
		{"新华村", "村", "SFQ-QS-90", "SFQ-QS", "90"},
		{"新兴村", "village", "SFQ-QS-91", "SFQ-QS", ""},
	},
	people: [][]string{
		{"登录名", "姓名", "所属组织编码", "职务", "手机", "角色", "初始密码"},
		{"xinhua.wgy", "陈新华", "SFQ-QS-90", "网格员", "13911112222", "网格员@SFQ-QS-90", "Xinhua#2026"},
		{"xinxing.wgy", "周新兴", "SFQ-QS-91", "网格员", "", "grid_worker@SFQ-QS-91", ""},
		{"qs.kezhang", "吴科长", "SFQ-QS", "安监站站长", "0731-12345678", "工作人员@SFQ-QS；网格员@SFQ-QS-90", ""},
	},
}

// upload posts data as the "file" field of a multipart form, with extra fields.
func upload(c *apptest.Client, path string, data []byte, fields map[string]string) *apptest.Response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "roster.xlsx")
	fw.Write(data)
	mw.Close()
	return c.Do("POST", path, &body, mw.FormDataContentType())
}

type result struct {
	DryRun        bool `json:"dry_run"`
	OrgsCreated   int  `json:"orgs_created"`
	PeopleCreated int  `json:"people_created"`
	Passwords     []struct {
		Login    string `json:"login"`
		Password string `json:"password"`
	} `json:"passwords"`
}

type rejected struct {
	Error struct{ Code, Message string } `json:"error"`
	Rows  []directoryimport.RowError     `json:"rows"`
}

type counts struct{ orgs, users, roles, audit int }

func countAll(t *testing.T, env *apptest.Env) counts {
	t.Helper()
	var c counts
	for q, p := range map[string]*int{"SELECT count(*) FROM orgs": &c.orgs, "SELECT count(*) FROM users": &c.users,
		"SELECT count(*) FROM user_roles": &c.roles, "SELECT count(*) FROM audit_log": &c.audit} {
		if err := env.App.DB.QueryRow(context.Background(), q).Scan(p); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestImportCreatesEverything(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.SignIn("admin")
		before := countAll(t, env)
		r := upload(admin, "/api/v1/import/directory", valid.xlsx(t), nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("import: %d %s", r.StatusCode, r.Body)
		}
		var res result
		r.JSON(t, &res)
		if res.DryRun || res.OrgsCreated != 2 || res.PeopleCreated != 3 || len(res.Passwords) != 2 {
			t.Fatalf("result %+v", res)
		}
		gen := map[string]string{}
		for _, p := range res.Passwords {
			gen[p.Login] = p.Password
		}
		if gen["xinxing.wgy"] == "" || gen["qs.kezhang"] == "" || gen["xinhua.wgy"] != "" {
			t.Fatalf("generated passwords for %v; want the two without one", gen)
		}
		after := countAll(t, env)
		if after.orgs != before.orgs+2 || after.users != before.users+3 || after.roles != before.roles+4 {
			t.Fatalf("counts %+v → %+v", before, after)
		}
		// 2 org.create + 3 user.create + 1 directory.import, and nothing else.
		if after.audit != before.audit+6 {
			t.Fatalf("audit records %d → %d, want +6", before.audit, after.audit)
		}
		ctx := context.Background()
		var n int
		d.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE action IN ('org.create', 'user.create') AND detail = 'import' AND result = 'ok' AND user_login = 'admin'").Scan(&n)
		if n != 5 {
			t.Errorf("%d per-object import audit records, want 5", n)
		}
		if env.AuditCount("directory.import", "ok") != 1 {
			t.Errorf("no directory.import summary record")
		}

		// The tree and the people are as the file says.
		var kind string
		var parent, sort int64
		if err := d.QueryRow(ctx, "SELECT kind, parent_id, sort FROM orgs WHERE code = 'SFQ-QS-90'").Scan(&kind, &parent, &sort); err != nil {
			t.Fatal(err)
		}
		if kind != "village" || parent != env.OrgID("SFQ-QS") || sort != 90 {
			t.Errorf("SFQ-QS-90: kind %s parent %d sort %d", kind, parent, sort)
		}
		var orgID int64
		var must bool
		var phone string
		if err := d.QueryRow(ctx, "SELECT org_id, must_change_password, phone FROM users WHERE login = 'xinhua.wgy'").Scan(&orgID, &must, &phone); err != nil {
			t.Fatal(err)
		}
		if orgID != env.OrgID("SFQ-QS-90") || !must || phone != "13911112222" {
			t.Errorf("xinhua.wgy: org %d must change %v phone %s", orgID, must, phone)
		}
		d.QueryRow(ctx, "SELECT count(*) FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.login = 'qs.kezhang' AND r.role IN ('staff', 'grid_worker')").Scan(&n)
		if n != 2 {
			t.Errorf("qs.kezhang has %d roles, want 2", n)
		}

		// Everyone signs in with the password given or generated, and must change it first.
		for login, pw := range map[string]string{"xinhua.wgy": "Xinhua#2026", "xinxing.wgy": gen["xinxing.wgy"], "qs.kezhang": gen["qs.kezhang"]} {
			r := env.Anonymous().PostForm("/signin", url.Values{"login": {login}, "password": {pw}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account/password" {
				t.Errorf("sign in as %s: %d → %q, want a redirect to /account/password", login, r.StatusCode, r.Header.Get("Location"))
			}
		}
	})
}

func TestImportRejectsBadRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.SignIn("admin")
		tests := []struct {
			name               string
			edit               func(s *sheets)
			sheet, column, msg string
			row                int
		}{
			{"unknown org code", func(s *sheets) { s.people[2][2] = "SFQ-NOPE" }, "人员", "所属组织编码", "SFQ-NOPE", 3},
			{"bad phone", func(s *sheets) { s.people[1][4] = "12345" }, "人员", "手机", "电话号码", 2},
			{"masked phone", func(s *sheets) { s.people[1][4] = "139****2222" }, "人员", "手机", "脱敏", 2},
			{"two administrator roles", func(s *sheets) { s.people[3][5] = "sysadmin@SFQ; auditor@SFQ" }, "人员", "角色", "三员", 4},
			{"unknown role", func(s *sheets) { s.people[3][5] = "村长@SFQ-QS" }, "人员", "角色", "村长", 4},
			{"duplicate login in the file", func(s *sheets) { s.people[3][0] = "XINHUA.wgy" }, "人员", "登录名", "第 2 行", 4},
			{"login taken", func(s *sheets) { s.people[2][0] = "qingshan" }, "人员", "登录名", "已存在", 3},
			{"weak password", func(s *sheets) { s.people[1][6] = "password" }, "人员", "初始密码", "密码", 2},
			{"code taken", func(s *sheets) { s.orgs[2][2] = "SFQ-QS-01"; s.people[2][2] = "SFQ-QS-90" }, "组织机构", "编码", "已存在", 3},
			{"duplicate code in the file", func(s *sheets) { s.orgs[2][2] = "SFQ-QS-90"; s.people[2][2] = "SFQ-QS-90" }, "组织机构", "编码", "第 2 行", 3},
			{"unknown kind", func(s *sheets) { s.orgs[1][1] = "小区" }, "组织机构", "类型", "小区", 2},
			{"village under a village", func(s *sheets) { s.orgs[2][3] = "SFQ-QS-90" }, "组织机构", "上级编码", "村不能设在村之下", 3},
			{"parent defined below", func(s *sheets) { s.orgs[1][3] = "SFQ-QS-91" }, "组织机构", "上级编码", "第 3 行", 2},
			{"missing parent", func(s *sheets) { s.orgs[1][3] = "" }, "组织机构", "上级编码", "不能为空", 2},
			{"missing column", func(s *sheets) {
				for i := range s.people {
					s.people[i] = s.people[i][:2]
				}
			}, "人员", "所属组织编码", "缺少必填列", 1},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s := valid.clone()
				tc.edit(&s)
				before := countAll(t, env)
				r := upload(admin, "/api/v1/import/directory", s.xlsx(t), nil)
				if r.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d %s", r.StatusCode, r.Body)
				}
				var body rejected
				r.JSON(t, &body)
				if body.Error.Code != "rule_violated" || body.Error.Message == "" || len(body.Rows) == 0 {
					t.Fatalf("body %s", r.Body)
				}
				found := false
				for _, e := range body.Rows {
					if e.Sheet == tc.sheet && e.Row == tc.row && strings.HasPrefix(e.Column, tc.column) && strings.Contains(e.Message, tc.msg) {
						found = true
					}
				}
				if !found {
					t.Fatalf("no error on %s row %d column %s containing %q in %+v", tc.sheet, tc.row, tc.column, tc.msg, body.Rows)
				}
				if after := countAll(t, env); after != before {
					t.Fatalf("something was written: %+v → %+v", before, after)
				}
			})
		}
	})
}

func TestImportDryRunWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.SignIn("admin")
		for name, send := range map[string]func() *apptest.Response{
			"query": func() *apptest.Response {
				return admin.Do("POST", "/api/v1/import/directory?dry_run=1", bytes.NewReader(valid.xlsx(t)), xlsxType)
			},
			"form field": func() *apptest.Response {
				return upload(admin, "/api/v1/import/directory", valid.xlsx(t), map[string]string{"dry_run": "1"})
			},
		} {
			t.Run(name, func(t *testing.T) {
				before := countAll(t, env)
				r := send()
				if r.StatusCode != http.StatusOK {
					t.Fatalf("dry run: %d %s", r.StatusCode, r.Body)
				}
				var res result
				r.JSON(t, &res)
				if !res.DryRun || res.OrgsCreated != 2 || res.PeopleCreated != 3 || res.Passwords == nil || len(res.Passwords) != 0 {
					t.Fatalf("result %s", r.Body)
				}
				if after := countAll(t, env); after != before {
					t.Fatalf("dry run wrote: %+v → %+v", before, after)
				}
			})
		}
		// The raw body without dry_run imports for real.
		r := admin.Do("POST", "/api/v1/import/directory", bytes.NewReader(valid.xlsx(t)), xlsxType)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("import: %d %s", r.StatusCode, r.Body)
		}
	})
}

func TestImportChecksPermissionPerRow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		s := sheets{orgs: [][]string{
			{"名称", "类型", "编码", "上级编码"},
			{"新华村", "村", "SFQ-DC-90", "SFQ-DC"},
		}}
		tests := []struct {
			login, column, msg string
			denied             int
		}{
			// A township's staff cannot see another township: as if it did not exist.
			{"qingshan", "上级编码", "不存在或不在您的管辖范围内", 1},
			// The security administrator sees it but may not add organisations.
			{"secadmin", "上级编码", "无权", 1},
		}
		for _, tc := range tests {
			t.Run(tc.login, func(t *testing.T) {
				before := countAll(t, env)
				denied := env.AuditCount("directory.import", "denied")
				c := env.TokenClient(tc.login)
				before.audit = countAll(t, env).audit // the token itself is audited
				r := c.Do("POST", "/api/v1/import/directory", bytes.NewReader(s.xlsx(t)), xlsxType)
				if r.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d %s", r.StatusCode, r.Body)
				}
				var body rejected
				r.JSON(t, &body)
				if len(body.Rows) != 1 || body.Rows[0].Sheet != "组织机构" || body.Rows[0].Row != 2 || body.Rows[0].Column != tc.column || !strings.Contains(body.Rows[0].Message, tc.msg) {
					t.Fatalf("rows %+v", body.Rows)
				}
				if got := env.AuditCount("directory.import", "denied"); got != denied+tc.denied {
					t.Errorf("denied records %d → %d", denied, got)
				}
				after := countAll(t, env)
				if after.orgs != before.orgs || after.users != before.users || after.audit != before.audit+1 {
					t.Fatalf("counts %+v → %+v", before, after)
				}
			})
		}
		// The same village under the own township is fine for the district's administrator…
		s.orgs[1][2], s.orgs[1][3] = "SFQ-QS-90", "SFQ-QS"
		if r := upload(env.SignIn("admin"), "/api/v1/import/directory?dry_run=1", s.xlsx(t), nil); r.StatusCode != http.StatusOK {
			t.Fatalf("admin: %d %s", r.StatusCode, r.Body)
		}
		// …but the system administrator may not hand out an administrator role.
		p := sheets{orgs: [][]string{{"名称", "类型", "编码", "上级编码"}}, people: [][]string{
			{"登录名", "姓名", "所属组织编码", "角色"},
			{"new.auditor", "审计员", "SFQ-DSJ", "审计管理员@SFQ"},
		}}
		r := upload(env.SignIn("admin"), "/api/v1/import/directory", p.xlsx(t), nil)
		var body rejected
		r.JSON(t, &body)
		if r.StatusCode != http.StatusUnprocessableEntity || len(body.Rows) != 1 || body.Rows[0].Column != "角色" || !strings.Contains(body.Rows[0].Message, "无权授予") {
			t.Fatalf("admin granting auditor: %d %s", r.StatusCode, r.Body)
		}
	})
}

func TestImportRefusesOtherFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.SignIn("admin")
		tests := []struct {
			name   string
			send   func() *apptest.Response
			status int
			msg    string
		}{
			{"text file in a form", func() *apptest.Response {
				return upload(admin, "/api/v1/import/directory", []byte("登录名,姓名\nzhang,张三\n"), nil)
			}, http.StatusBadRequest, ".xlsx"},
			{"garbage as xlsx", func() *apptest.Response {
				return admin.Do("POST", "/api/v1/import/directory", strings.NewReader("PK\x03\x04garbage"), xlsxType)
			}, http.StatusBadRequest, ".xlsx"},
			{"no file", func() *apptest.Response {
				return upload(admin, "/api/v1/import/directory", nil, nil)
			}, http.StatusBadRequest, "选择"},
			{"wrong content type", func() *apptest.Response {
				return admin.Do("POST", "/api/v1/import/directory", strings.NewReader("x"), "text/csv")
			}, http.StatusUnsupportedMediaType, "multipart"},
			{"too large", func() *apptest.Response {
				return upload(admin, "/api/v1/import/directory", bytes.Repeat([]byte("x"), directoryimport.MaxFileSize+1), nil)
			}, http.StatusRequestEntityTooLarge, "10 MiB"},
			{"no rows", func() *apptest.Response {
				return upload(admin, "/api/v1/import/directory", sheets{orgs: valid.orgs[:1], people: valid.people[:1]}.xlsx(t), nil)
			}, http.StatusUnprocessableEntity, "没有"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := countAll(t, env)
				r := tc.send()
				var body rejected
				r.JSON(t, &body)
				if r.StatusCode != tc.status || !strings.Contains(body.Error.Message, tc.msg) {
					t.Fatalf("status %d %s, want %d with %q", r.StatusCode, r.Body, tc.status, tc.msg)
				}
				if after := countAll(t, env); after != before {
					t.Fatalf("written: %+v → %+v", before, after)
				}
			})
		}
	})
}

func openXLSX(t *testing.T, r *apptest.Response) *excelize.File {
	t.Helper()
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != xlsxType || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("download: %d %q %q", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestTemplateReimports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.SignIn("admin")
		f := openXLSX(t, admin.Get("/api/v1/import/directory/template.xlsx"))
		if got := strings.Join(f.GetSheetList(), ","); got != "组织机构,人员,说明" {
			t.Fatalf("sheets %s", got)
		}
		help, _ := f.GetRows("说明")
		if len(help) < 15 || !strings.Contains(strings.Join(help[0], ""), "说明") {
			t.Fatalf("help sheet: %v", help)
		}
		// Adjust the example rows to the demo district's codes.
		for _, sheet := range []string{"组织机构", "人员"} {
			rows, _ := f.GetRows(sheet)
			if len(rows) != 2 {
				t.Fatalf("%s: %d rows, want header and one example", sheet, len(rows))
			}
			for j, v := range rows[1] {
				cell, _ := excelize.CoordinatesToCellName(j+1, 2)
				f.SetCellStr(sheet, cell, strings.ReplaceAll(v, "DEMO-XZ", "SFQ-QS"))
			}
		}
		var buf bytes.Buffer
		f.Write(&buf)
		r := upload(admin, "/api/v1/import/directory", buf.Bytes(), nil)
		var res result
		r.JSON(t, &res)
		if r.StatusCode != http.StatusOK || res.OrgsCreated != 1 || res.PeopleCreated != 1 || len(res.Passwords) != 1 {
			t.Fatalf("template re-import: %d %s", r.StatusCode, r.Body)
		}
		var kind string
		d.QueryRow(context.Background(), "SELECT kind FROM orgs WHERE code = 'SFQ-QS-99'").Scan(&kind)
		if kind != "village" {
			t.Fatalf("template org: kind %q", kind)
		}
	})
}

func TestExportThenImportReportsDuplicates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.SignIn("admin")
		exports := env.AuditCount("directory.export", "ok")
		r := admin.Get("/api/v1/export/directory.xlsx")
		f := openXLSX(t, r)
		if env.AuditCount("directory.export", "ok") != exports+1 {
			t.Errorf("export not audited")
		}
		orgRows, _ := f.GetRows("组织机构")
		personRows, _ := f.GetRows("人员")
		var nOrgs, nUsers int
		d.QueryRow(context.Background(), "SELECT count(*) FROM orgs").Scan(&nOrgs)
		d.QueryRow(context.Background(), "SELECT count(*) FROM users").Scan(&nUsers)
		if len(orgRows) != nOrgs+1 || len(personRows) != nUsers+1 {
			t.Fatalf("export has %d org and %d person rows; the database %d and %d", len(orgRows)-1, len(personRows)-1, nOrgs, nUsers)
		}
		var qs []string
		for _, row := range personRows {
			if len(row) > 0 && row[0] == "qingshan" {
				qs = row
			}
		}
		if len(qs) < 6 || qs[2] != "SFQ-QS" || !strings.Contains(qs[4], "****") || qs[5] != "工作人员@SFQ-QS" {
			t.Fatalf("qingshan exported as %q", qs)
		}

		// A township's staff exports only its township.
		g := openXLSX(t, env.TokenClient("qingshan").Get("/api/v1/export/directory.xlsx"))
		qsRows, _ := g.GetRows("组织机构")
		if len(qsRows) < 2 || len(qsRows) > 12 || qsRows[1][2] != "SFQ-QS" || qsRows[1][3] != "SFQ" {
			t.Fatalf("qingshan's export: %v", qsRows)
		}

		before := countAll(t, env)
		r = upload(admin, "/api/v1/import/directory", r.Body, nil)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("re-import of the export: %d %.300s", r.StatusCode, r.Body)
		}
		var body rejected
		r.JSON(t, &body)
		codeTaken, loginTaken := 0, 0
		for _, e := range body.Rows {
			if e.Sheet == "组织机构" && strings.Contains(e.Message, "已存在") {
				codeTaken++
			}
			if e.Sheet == "人员" && strings.HasPrefix(e.Column, "登录名") && strings.Contains(e.Message, "已存在") {
				loginTaken++
			}
		}
		if codeTaken < nOrgs-1 || loginTaken != nUsers {
			t.Fatalf("%d codes and %d logins reported taken, want %d and %d", codeTaken, loginTaken, nOrgs-1, nUsers)
		}
		// Nothing is written but the refusal of what the administrator may
		// not do (the district root, the three administrator roles).
		after := countAll(t, env)
		if after.orgs != before.orgs || after.users != before.users || after.roles != before.roles {
			t.Fatalf("written: %+v → %+v", before, after)
		}
		if after.audit != before.audit+1 || env.AuditCount("directory.import", "denied") != 1 {
			t.Fatalf("audit %d → %d, want one denied directory.import", before.audit, after.audit)
		}
	})
}

func TestImportPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.SignIn("admin")
		r := admin.Get("/people/import")
		page := string(r.Body)
		if r.StatusCode != http.StatusOK || !strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, `name="dry_run" value="1" checked`) ||
			!strings.Contains(page, `accept=".xlsx`) || !strings.Contains(page, "/api/v1/import/directory/template.xlsx") {
			t.Fatalf("form page: %d %s", r.StatusCode, page)
		}
		if r := env.Anonymous().Get("/static/app.css"); r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), ".import-error-text") {
			t.Fatalf("stylesheet: %d", r.StatusCode)
		}

		// The page is for those who may create organisations or people.
		leader := env.SignIn("leader")
		if r := leader.Get("/people/import"); r.StatusCode != http.StatusForbidden {
			t.Fatalf("leader GET /people/import: %d", r.StatusCode)
		}
		if r := upload(leader, "/people/import", valid.xlsx(t), nil); r.StatusCode != http.StatusForbidden {
			t.Fatalf("leader POST /people/import: %d", r.StatusCode)
		}

		// Problems: a table naming sheet, row and column; nothing written.
		bad := valid.clone()
		bad.people[1][4] = "12345"
		before := countAll(t, env)
		r = upload(admin, "/people/import", bad.xlsx(t), nil)
		page = string(r.Body)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `class="import-error-text"`) || !strings.Contains(page, "电话号码格式不正确") ||
			!strings.Contains(page, `data-label="工作表">人员</td>`) || !strings.Contains(page, "共 1 处问题，涉及 1 行") {
			t.Fatalf("error page: %d %s", r.StatusCode, page)
		}
		if after := countAll(t, env); after != before {
			t.Fatalf("written: %+v → %+v", before, after)
		}

		// A check that passes says what would be created and writes nothing.
		r = upload(admin, "/people/import", valid.xlsx(t), map[string]string{"dry_run": "1"})
		page = string(r.Body)
		if r.StatusCode != http.StatusOK || !strings.Contains(page, "检查通过") || strings.Contains(page, `name="dry_run" value="1" checked`) {
			t.Fatalf("dry run page: %d %s", r.StatusCode, page)
		}
		if after := countAll(t, env); after != before {
			t.Fatalf("dry run wrote: %+v → %+v", before, after)
		}

		// The import shows the generated passwords once.
		r = upload(admin, "/people/import", valid.xlsx(t), nil)
		page = string(r.Body)
		if r.StatusCode != http.StatusOK || !strings.Contains(page, "导入完成") || !strings.Contains(page, "只显示这一次") || !strings.Contains(page, "xinxing.wgy") || strings.Contains(page, "Xinhua#2026") {
			t.Fatalf("done page: %d %s", r.StatusCode, page)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("passwords page cacheable: %q", r.Header.Get("Cache-Control"))
		}

		// Not a workbook: the form again with the reason.
		r = upload(admin, "/people/import", []byte("hello"), nil)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(string(r.Body), "不是有效的 Excel") {
			t.Fatalf("junk upload: %d", r.StatusCode)
		}
	})
}

// withTitles is s with a title row above each header (merged over it, as
// offices write them) and the merges given per sheet.
func (s sheets) withTitles(t testing.TB, merges map[string][][2]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "组织机构")
	f.NewSheet("人员")
	for name, rows := range map[string][][]string{"组织机构": s.orgs, "人员": s.people} {
		f.SetCellStr(name, "A1", "青山镇"+name+"（2026 年 11 月）")
		if err := f.MergeCell(name, "A1", "D1"); err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+3) // a blank row under the title
				f.SetCellStr(name, cell, v)
			}
		}
		for _, m := range merges[name] {
			if err := f.MergeCell(name, m[0], m[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The shared reader (internal/sheet) finds the header below a title, refuses
// merged header and data cells, and names the cell of each problem.
func TestImportReadsTitlesMergesAndCells(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.SignIn("admin")

		t.Run("a title above the header", func(t *testing.T) {
			before := countAll(t, env)
			r := upload(admin, "/api/v1/import/directory?dry_run=1", valid.withTitles(t, nil), nil)
			var res result
			r.JSON(t, &res)
			if r.StatusCode != http.StatusOK || !res.DryRun || res.OrgsCreated != 2 || res.PeopleCreated != 3 {
				t.Fatalf("status %d %s", r.StatusCode, r.Body)
			}
			if after := countAll(t, env); after != before {
				t.Fatalf("a dry run wrote: %+v → %+v", before, after)
			}
		})

		t.Run("problems name the cell, below a title too", func(t *testing.T) {
			s := valid.clone()
			s.people[2][2] = "SFQ-NOPE"
			r := upload(admin, "/api/v1/import/directory", s.withTitles(t, nil), nil)
			var body rejected
			r.JSON(t, &body)
			// people[2] is the second data row: Excel row 5 under the title, the blank row and the header.
			if r.StatusCode != http.StatusUnprocessableEntity || len(body.Rows) != 1 ||
				body.Rows[0] != (directoryimport.RowError{Sheet: "人员", Row: 5, Column: "所属组织编码", Cell: "C5", Message: body.Rows[0].Message}) ||
				!strings.Contains(body.Rows[0].Message, "SFQ-NOPE") {
				t.Fatalf("status %d %s", r.StatusCode, r.Body)
			}
		})

		for _, tc := range []struct {
			name, sheet, merge0, merge1 string
			row                         int
			column, msg                 string
		}{
			{"merged data cells", "人员", "C4", "C5", 4, "所属组织编码", "合并单元格 C4:C5"},
			{"merged header cells", "组织机构", "C3", "D3", 3, "编码", "表头有合并单元格 C3:D3"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := countAll(t, env)
				data := valid.withTitles(t, map[string][][2]string{tc.sheet: {{tc.merge0, tc.merge1}}})
				r := upload(admin, "/api/v1/import/directory", data, nil)
				var body rejected
				r.JSON(t, &body)
				if r.StatusCode != http.StatusUnprocessableEntity || body.Error.Code != "rule_violated" {
					t.Fatalf("status %d %s", r.StatusCode, r.Body)
				}
				found := false
				for _, e := range body.Rows {
					if e.Sheet == tc.sheet && e.Row == tc.row && e.Column == tc.column && e.Cell == tc.merge0+":"+tc.merge1 && strings.Contains(e.Message, tc.msg) {
						found = true
					}
				}
				if !found {
					t.Fatalf("no problem on %s row %d column %s with %q in %+v", tc.sheet, tc.row, tc.column, tc.msg, body.Rows)
				}
				if after := countAll(t, env); after != before {
					t.Fatalf("written: %+v → %+v", before, after)
				}
			})
		}
	})
}
