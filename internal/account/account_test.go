package account_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/anwen-gov/anwen/internal/app"
	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/demo"
	"github.com/anwen-gov/anwen/internal/people"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func loc(r *apptest.Response) string { return r.Header.Get("Location") }

func signin(c *apptest.Client, login, password string) *apptest.Response {
	return c.PostForm("/signin", url.Values{"login": {login}, "password": {password}})
}

type userRow struct {
	Hash        string
	MustChange  bool
	TOTPEnabled bool
	TOTPSecret  string
}

func user(t *testing.T, env *apptest.Env, login string) userRow {
	t.Helper()
	var u userRow
	err := env.App.DB.QueryRow(context.Background(), "SELECT password_hash, must_change_password, totp_enabled, totp_secret FROM users WHERE login = ?", login).
		Scan(&u.Hash, &u.MustChange, &u.TOTPEnabled, &u.TOTPSecret)
	if err != nil {
		t.Fatalf("user %s: %v", login, err)
	}
	return u
}

// newPerson creates a township staff member (or another role) whose initial
// password must be changed at first sign-in.
func newPerson(t *testing.T, env *apptest.Env, login, role, scope, password string) {
	t.Helper()
	scopeID := env.OrgID(scope)
	_, err := env.App.People.Create(context.Background(), auth.CommandLine(), people.Input{
		Login: login, Name: "测试" + login, OrgID: scopeID, Password: password,
		Roles: []people.RoleGrant{{Role: role, ScopeOrgID: scopeID}}})
	if err != nil {
		t.Fatalf("create %s: %v", login, err)
	}
}

var secretRe = regexp.MustCompile(`id="totp-secret">([A-Z2-7 ]+)</code>`)

// pageSecret reads the secret shown on the set-up page (grouped in fours).
func pageSecret(t *testing.T, body []byte) string {
	t.Helper()
	m := secretRe.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no secret on the page:\n%s", body)
	}
	groups := strings.Fields(string(m[1]))
	for i, g := range groups {
		if len(g) != 4 && i != len(groups)-1 {
			t.Fatalf("secret not grouped in fours: %q", m[1])
		}
	}
	return strings.Join(groups, "")
}

func code(t *testing.T, env *apptest.Env, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongCode is a valid-looking code that is not the current one (nor the
// ones either side, which validation also accepts).
func wrongCode(t *testing.T, env *apptest.Env, secret string) string {
	t.Helper()
	near := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, _ := totp.GenerateCode(secret, env.Clock.Now().Add(d))
		near[c] = true
	}
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", i)
		if !near[c] {
			return c
		}
	}
}

func pwForm(old, new, repeat string) url.Values {
	return url.Values{"old_password": {old}, "new_password": {new}, "new_password2": {repeat}}
}

func TestForcedPasswordChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		const initial, chosen = "Chushi#2026", "Xin-Mima-2026"
		newPerson(t, env, "xinren", auth.RoleStaff, "SFQ-QS", initial)
		c := env.Anonymous()
		if r := signin(c, "xinren", initial); r.StatusCode != http.StatusSeeOther || loc(r) != "/account/password" {
			t.Fatalf("first sign-in: %d → %q, want 303 → /account/password", r.StatusCode, loc(r))
		}

		t.Run("every other page leads to the password page", func(t *testing.T) {
			for _, p := range []string{"/", "/people", "/orgs", "/account", "/account/totp"} {
				if r := c.Get(p); r.StatusCode != http.StatusSeeOther || loc(r) != "/account/password" {
					t.Errorf("GET %s: %d → %q", p, r.StatusCode, loc(r))
				}
			}
			if r := c.PostForm("/account/tokens", url.Values{"name": {"x"}}); r.StatusCode != http.StatusSeeOther || loc(r) != "/account/password" {
				t.Errorf("POST /account/tokens: %d → %q", r.StatusCode, loc(r))
			}
		})

		t.Run("the API refuses the half-signed-in session", func(t *testing.T) {
			for _, r := range []*apptest.Response{
				c.Get("/api/v1/me"),
				c.Get("/api/v1/tokens"),
				c.SendJSON("POST", "/api/v1/tokens", map[string]string{"name": "x"}),
				c.SendJSON("POST", "/api/v1/me/password", map[string]string{"old_password": initial, "new_password": chosen}),
			} {
				if r.StatusCode != http.StatusUnauthorized || r.ErrorCode() != "unauthorized" {
					t.Errorf("%s %s: %d %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, r.Body)
				}
			}
			if n, _ := env.App.Auth.ListTokens(context.Background(), env.UserID("xinren")); len(n) != 0 {
				t.Errorf("a token was made: %v", n)
			}
		})

		t.Run("the page says why and shows the policy", func(t *testing.T) {
			r := c.Get("/account/password")
			body := string(r.Body)
			if r.StatusCode != http.StatusOK || !strings.Contains(body, "首次登录或密码被重置，请设置新密码") || !strings.Contains(body, "至少 8 位") {
				t.Fatalf("GET /account/password: %d\n%s", r.StatusCode, body)
			}
			if strings.Contains(body, `class="nav"`) || !strings.Contains(body, `action="/signout"`) {
				t.Error("a half-signed-in page shows the menu, or no way to sign out")
			}
		})

		before := user(t, env, "xinren")
		bad := []struct {
			name       string
			form       url.Values
			failAudits int
		}{
			{"weak new password", pwForm(initial, "abcdefgh", "abcdefgh"), 0},
			{"too short", pwForm(initial, "Ab1!x", "Ab1!x"), 0},
			{"contains the login", pwForm(initial, "Xinren-2026", "Xinren-2026"), 0},
			{"repeat differs", pwForm(initial, chosen, chosen+"x"), 0},
			{"same as the current", pwForm(initial, initial, initial), 0},
			{"wrong current password", pwForm("Wrong#2026x", chosen, chosen), 1},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				failed := env.AuditCount("auth.password_change", "failed")
				r := c.PostForm("/account/password", tt.form)
				if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `class="alert"`) {
					t.Fatalf("status %d, want 422 with an alert\n%s", r.StatusCode, r.Body)
				}
				if after := user(t, env, "xinren"); after.Hash != before.Hash || !after.MustChange {
					t.Fatal("the password changed")
				}
				if got := env.AuditCount("auth.password_change", "failed"); got != failed+tt.failAudits {
					t.Errorf("failed records %d, want %d", got, failed+tt.failAudits)
				}
				if env.AuditCount("auth.password_change", "ok") != 0 {
					t.Error("a change was recorded")
				}
				if r := c.Get("/"); loc(r) != "/account/password" {
					t.Errorf("after a refused change, home → %q", loc(r))
				}
			})
		}

		t.Run("a valid change lands on home", func(t *testing.T) {
			r := c.PostForm("/account/password", pwForm(initial, chosen, chosen))
			if r.StatusCode != http.StatusSeeOther || loc(r) != "/" {
				t.Fatalf("change: %d → %q\n%s", r.StatusCode, loc(r), r.Body)
			}
			if r := c.Get("/"); r.StatusCode != http.StatusOK {
				t.Fatalf("home after the change: %d", r.StatusCode)
			}
			if r := c.Get("/account"); r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), "xinren") {
				t.Fatalf("/account after the change: %d", r.StatusCode)
			}
			if r := c.Get("/api/v1/me"); r.StatusCode != http.StatusOK {
				t.Fatalf("API after the change: %d", r.StatusCode)
			}
			u := user(t, env, "xinren")
			if u.MustChange || !auth.CheckPassword(u.Hash, chosen) {
				t.Fatalf("stored: must_change=%v, new password matches=%v", u.MustChange, auth.CheckPassword(u.Hash, chosen))
			}
			if env.AuditCount("auth.password_change", "ok") != 1 {
				t.Error("the change was not audited")
			}
			if r := signin(env.Anonymous(), "xinren", initial); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("the old password still signs in: %d", r.StatusCode)
			}
			if r := signin(env.Anonymous(), "xinren", chosen); r.StatusCode != http.StatusSeeOther || loc(r) != "/" {
				t.Errorf("the new password: %d → %q", r.StatusCode, loc(r))
			}
		})
	})
}

func TestPasswordAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		c := env.TokenClient("qingshan")
		const chosen = "Zhen-Mima-2027"
		cases := []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"weak", map[string]string{"old_password": demo.DemoPassword, "new_password": "password"}, 422, "rule_violated"},
			{"wrong current", map[string]string{"old_password": "Nope-2026x", "new_password": chosen}, 422, "rule_violated"},
			{"missing new", map[string]string{"old_password": demo.DemoPassword}, 400, "invalid"},
			{"unknown field", `{"old_password":"a","new_password":"b","new_password2":"b"}`, 400, "invalid"},
			{"not JSON", `old_password=a`, 400, "invalid"},
		}
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				before := user(t, env, "qingshan")
				r := c.SendJSON("POST", "/api/v1/me/password", tt.body)
				if r.StatusCode != tt.status || r.ErrorCode() != tt.code {
					t.Fatalf("%d %s, want %d %s", r.StatusCode, r.Body, tt.status, tt.code)
				}
				if user(t, env, "qingshan").Hash != before.Hash {
					t.Fatal("the password changed")
				}
			})
		}
		if env.AuditCount("auth.password_change", "failed") != 1 {
			t.Errorf("failed changes audited: %d, want 1", env.AuditCount("auth.password_change", "failed"))
		}
		r := c.SendJSON("POST", "/api/v1/me/password", map[string]string{"old_password": demo.DemoPassword, "new_password": chosen})
		if r.StatusCode != http.StatusNoContent || len(r.Body) != 0 {
			t.Fatalf("valid change: %d %s", r.StatusCode, r.Body)
		}
		if !auth.CheckPassword(user(t, env, "qingshan").Hash, chosen) || env.AuditCount("auth.password_change", "ok") != 1 {
			t.Fatal("the change was not stored or not audited")
		}
		if r := signin(env.Anonymous(), "qingshan", chosen); loc(r) != "/" {
			t.Fatalf("sign in with the new password: %d → %q", r.StatusCode, loc(r))
		}

		t.Run("guessing the current password is cut short", func(t *testing.T) {
			g := env.TokenClient("yjj")
			for i := 0; i < 5; i++ {
				if r := g.SendJSON("POST", "/api/v1/me/password", map[string]string{"old_password": "Guess-" + strconv.Itoa(i) + "xY", "new_password": chosen}); r.StatusCode != 422 {
					t.Fatalf("guess %d: %d", i, r.StatusCode)
				}
			}
			r := g.SendJSON("POST", "/api/v1/me/password", map[string]string{"old_password": demo.DemoPassword, "new_password": chosen})
			if r.StatusCode != http.StatusTooManyRequests || r.ErrorCode() != "rate_limited" {
				t.Fatalf("after 5 wrong guesses: %d %s", r.StatusCode, r.Body)
			}
			env.Clock.Advance(16 * time.Minute)
			if r := g.SendJSON("POST", "/api/v1/me/password", map[string]string{"old_password": demo.DemoPassword, "new_password": chosen}); r.StatusCode != http.StatusNoContent {
				t.Fatalf("after the wait: %d %s", r.StatusCode, r.Body)
			}
		})
	})
}

func TestPasswordOnAccountPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		c := env.SignIn("leader")
		r := c.Get("/account")
		body := string(r.Body)
		for _, want := range []string{"账号安全", "leader", "双因素认证", "我的 API 令牌", `action="/account/password"`, "至少 8 位"} {
			if !strings.Contains(body, want) {
				t.Errorf("/account lacks %q", want)
			}
		}
		form := pwForm(demo.DemoPassword, "Lingdao-2027", "Lingdao-2028")
		form.Set("from", "account")
		r = c.PostForm("/account/password", form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "我的 API 令牌") || !strings.Contains(string(r.Body), "两次输入的新密码不一致") {
			t.Fatalf("mismatch from /account: %d", r.StatusCode)
		}
		form = pwForm(demo.DemoPassword, "Lingdao-2027", "Lingdao-2027")
		form.Set("from", "account")
		if r := c.PostForm("/account/password", form); r.StatusCode != http.StatusSeeOther || loc(r) != "/account" {
			t.Fatalf("change from /account: %d → %q", r.StatusCode, loc(r))
		}
		if r := c.Get("/account"); !strings.Contains(string(r.Body), "密码已修改") {
			t.Error("no notice after the change")
		}
		if r := c.Get("/account/password"); r.StatusCode != http.StatusOK || strings.Contains(string(r.Body), "首次登录") {
			t.Errorf("/account/password when signed in: %d (and no first-sign-in notice)", r.StatusCode)
		}
		c2 := env.SignIn("yjj")
		base, _ := url.Parse(env.Server.URL)
		c2.HTTP.Jar.SetCookies(base, []*http.Cookie{{Name: "lang", Value: "en", Path: "/"}})
		if r := c2.Get("/account"); !strings.Contains(string(r.Body), "My API tokens") || !strings.Contains(string(r.Body), "Two-factor sign-in") {
			t.Error("/account in English lacks its labels")
		}
	})
}

func TestAdminTOTPEnrolment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.StartWith(t, d, func(cfg *app.Config) { cfg.Auth.WaiveAdminTOTP = false })
		c := env.Anonymous()
		if r := signin(c, "admin", demo.DemoPassword); r.StatusCode != http.StatusSeeOther || loc(r) != "/account/totp" {
			t.Fatalf("admin sign-in: %d → %q, want /account/totp", r.StatusCode, loc(r))
		}
		for _, p := range []string{"/", "/people", "/account", "/account/password"} {
			if r := c.Get(p); r.StatusCode != http.StatusSeeOther || loc(r) != "/account/totp" {
				t.Errorf("GET %s while enrolling: %d → %q", p, r.StatusCode, loc(r))
			}
		}
		if r := c.Get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("API while enrolling: %d", r.StatusCode)
		}

		r := c.Get("/account/totp")
		body := string(r.Body)
		if r.StatusCode != http.StatusOK || !strings.Contains(body, "管理员登录必须使用双因素认证") {
			t.Fatalf("GET /account/totp: %d\n%s", r.StatusCode, body)
		}
		m := regexp.MustCompile(`src="data:image/png;base64,([A-Za-z0-9+/=]+)"`).FindStringSubmatch(html.UnescapeString(body))
		if m == nil {
			t.Fatalf("no QR image: %s", body)
		}
		raw, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil || img.Bounds().Dx() != 200 || img.Bounds().Dy() != 200 {
			t.Fatalf("QR image: %v %v", err, img)
		}
		secret := pageSecret(t, r.Body)
		if again := pageSecret(t, c.Get("/account/totp").Body); again != secret {
			t.Fatalf("the pending secret changed between visits: %s, %s", secret, again)
		}

		r = c.PostForm("/account/totp", url.Values{"code": {wrongCode(t, env, secret)}})
		if r.StatusCode != http.StatusUnprocessableEntity || user(t, env, "admin").TOTPEnabled {
			t.Fatalf("wrong code at enrolment: %d, enabled=%v", r.StatusCode, user(t, env, "admin").TOTPEnabled)
		}
		if pageSecret(t, r.Body) != secret {
			t.Fatal("a wrong code changed the secret")
		}
		r = c.PostForm("/account/totp", url.Values{"code": {code(t, env, secret)}})
		if r.StatusCode != http.StatusSeeOther || loc(r) != "/" {
			t.Fatalf("right code: %d → %q\n%s", r.StatusCode, loc(r), r.Body)
		}
		if u := user(t, env, "admin"); !u.TOTPEnabled || u.TOTPSecret != secret {
			t.Fatalf("stored: enabled=%v secret=%q want %q", u.TOTPEnabled, u.TOTPSecret, secret)
		}
		if env.AuditCount("auth.totp_enable", "ok") != 1 {
			t.Error("enrolment not audited")
		}
		if r := c.Get("/"); r.StatusCode != http.StatusOK {
			t.Fatalf("home after enrolment: %d", r.StatusCode)
		}

		c.PostForm("/signout", nil)
		env.Clock.Advance(time.Minute)
		if r := signin(c, "admin", demo.DemoPassword); r.StatusCode != http.StatusSeeOther || loc(r) != "/signin/totp" {
			t.Fatalf("sign in again: %d → %q, want /signin/totp", r.StatusCode, loc(r))
		}
		failed := env.AuditCount("auth.totp", "failed")
		if r := c.PostForm("/signin/totp", url.Values{"code": {wrongCode(t, env, secret)}}); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong code: %d, want 401", r.StatusCode)
		}
		if env.AuditCount("auth.totp", "failed") != failed+1 {
			t.Error("the wrong code was not audited as failed")
		}
		if r := c.PostForm("/signin/totp", url.Values{"code": {code(t, env, secret)}}); r.StatusCode != http.StatusSeeOther || loc(r) != "/" {
			t.Fatalf("right code: %d → %q", r.StatusCode, loc(r))
		}
		if r := c.Get("/"); r.StatusCode != http.StatusOK {
			t.Fatalf("home: %d", r.StatusCode)
		}

		t.Run("administrators cannot turn it off", func(t *testing.T) {
			r := c.PostForm("/account/totp/disable", url.Values{"password": {demo.DemoPassword}})
			if r.StatusCode != http.StatusUnprocessableEntity || !user(t, env, "admin").TOTPEnabled {
				t.Fatalf("admin turning off: %d", r.StatusCode)
			}
			if env.AuditCount("auth.totp_disable", "denied") != 1 {
				t.Error("the refusal was not audited")
			}
			if strings.Contains(string(c.Get("/account").Body), `action="/account/totp/disable"`) {
				t.Error("the account page offers administrators to turn it off")
			}
		})
	})
}

// A new administrator changes the initial password, then must enrol.
func TestNewAdminPasswordThenTOTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.StartWith(t, d, func(cfg *app.Config) { cfg.Auth.WaiveAdminTOTP = false })
		newPerson(t, env, "shenji2", auth.RoleAuditor, "SFQ", "Chushi#2026")
		c := env.Anonymous()
		if r := signin(c, "shenji2", "Chushi#2026"); loc(r) != "/account/password" {
			t.Fatalf("first sign-in → %q", loc(r))
		}
		if r := c.PostForm("/account/password", pwForm("Chushi#2026", "Shenji-2027", "Shenji-2027")); r.StatusCode != http.StatusSeeOther || loc(r) != "/account/totp" {
			t.Fatalf("after the change: %d → %q, want /account/totp", r.StatusCode, loc(r))
		}
		if r := c.Get("/"); loc(r) != "/account/totp" {
			t.Fatalf("home before enrolment → %q", loc(r))
		}
		secret := pageSecret(t, c.Get("/account/totp").Body)
		if r := c.PostForm("/account/totp", url.Values{"code": {code(t, env, secret)}}); loc(r) != "/" {
			t.Fatalf("after enrolment: %d → %q", r.StatusCode, loc(r))
		}
		if r := c.Get("/"); r.StatusCode != http.StatusOK {
			t.Fatalf("home: %d", r.StatusCode)
		}
	})
}

func TestTOTPForStaff(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		c := env.SignIn("qingshan")
		if !strings.Contains(string(c.Get("/account").Body), `href="/account/totp"`) {
			t.Fatal("no set-up link on /account")
		}
		r := c.Get("/account/totp")
		if r.StatusCode != http.StatusOK || strings.Contains(string(r.Body), "管理员登录必须") {
			t.Fatalf("GET /account/totp: %d", r.StatusCode)
		}
		secret := pageSecret(t, r.Body)
		if r := c.PostForm("/account/totp", url.Values{"code": {code(t, env, secret)}}); r.StatusCode != http.StatusSeeOther || loc(r) != "/account" {
			t.Fatalf("enable: %d → %q", r.StatusCode, loc(r))
		}
		if !user(t, env, "qingshan").TOTPEnabled {
			t.Fatal("not enabled")
		}
		page := string(c.Get("/account").Body)
		if !strings.Contains(page, "双因素认证已开启") || !strings.Contains(page, `action="/account/totp/disable"`) {
			t.Fatal("/account does not show it on, with a way to turn it off")
		}

		t.Run("replacing it needs the password", func(t *testing.T) {
			r := c.Get("/account/totp")
			next := pageSecret(t, r.Body)
			if next == secret || !strings.Contains(string(r.Body), `name="password"`) {
				t.Fatal("re-enrolment offers the old secret, or no password field")
			}
			r = c.PostForm("/account/totp", url.Values{"code": {code(t, env, next)}, "password": {"Wrong-2026x"}})
			if r.StatusCode != http.StatusUnprocessableEntity || user(t, env, "qingshan").TOTPSecret != secret {
				t.Fatalf("replace with a wrong password: %d", r.StatusCode)
			}
			if env.AuditCount("auth.totp_enable", "failed") != 1 {
				t.Error("the wrong password was not audited")
			}
		})

		t.Run("the next sign-in asks for a code", func(t *testing.T) {
			s := env.Anonymous()
			if r := signin(s, "qingshan", demo.DemoPassword); loc(r) != "/signin/totp" {
				t.Fatalf("sign-in → %q", loc(r))
			}
		})

		t.Run("turning it off needs the password", func(t *testing.T) {
			r := c.PostForm("/account/totp/disable", url.Values{"password": {"Wrong-2026x"}})
			if r.StatusCode != http.StatusUnprocessableEntity || !user(t, env, "qingshan").TOTPEnabled {
				t.Fatalf("wrong password: %d", r.StatusCode)
			}
			if env.AuditCount("auth.totp_disable", "failed") != 1 {
				t.Error("not audited")
			}
			r = c.PostForm("/account/totp/disable", url.Values{"password": {demo.DemoPassword}})
			if r.StatusCode != http.StatusSeeOther || loc(r) != "/account" {
				t.Fatalf("turn off: %d → %q", r.StatusCode, loc(r))
			}
			if u := user(t, env, "qingshan"); u.TOTPEnabled || u.TOTPSecret != "" {
				t.Fatal("still on")
			}
			if env.AuditCount("auth.totp_disable", "ok") != 1 {
				t.Error("not audited")
			}
			if r := signin(env.Anonymous(), "qingshan", demo.DemoPassword); loc(r) != "/" {
				t.Fatalf("sign-in after turning off → %q", loc(r))
			}
		})
	})
}

type tokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Token      string     `json:"token"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func bearer(env *apptest.Env, tok string) *apptest.Client {
	c := env.Anonymous()
	c.Token = tok
	return c
}

func TestTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		leader := env.SignIn("leader")

		r := leader.SendJSON("POST", "/api/v1/tokens", map[string]string{"name": "  数据同步脚本 "})
		var made tokenJSON
		r.JSON(t, &made)
		if r.StatusCode != http.StatusCreated || made.ID == 0 || made.Name != "数据同步脚本" || !regexp.MustCompile(`^anw_[a-z2-7]{52}$`).MatchString(made.Token) {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		if strings.Contains(string(r.Body), "created_at") || env.AuditCount("token.create", "ok") != 1 {
			t.Fatalf("create answers more than id/name/token, or was not audited: %s", r.Body)
		}
		var me struct{ Login string }
		if r := bearer(env, made.Token).Get("/api/v1/me"); r.StatusCode != http.StatusOK {
			t.Fatalf("the new token: %d", r.StatusCode)
		} else if r.JSON(t, &me); me.Login != "leader" {
			t.Fatalf("the token acts as %q", me.Login)
		}

		var list []tokenJSON
		r = leader.Get("/api/v1/tokens")
		r.JSON(t, &list)
		if r.StatusCode != http.StatusOK || len(list) != 1 || list[0].ID != made.ID || list[0].Token != "" || list[0].LastUsedAt == nil || list[0].RevokedAt != nil || list[0].CreatedAt.IsZero() {
			t.Fatalf("list: %d %s", r.StatusCode, r.Body)
		}
		if strings.Contains(string(r.Body), made.Token) {
			t.Fatal("the list shows the token")
		}
		if !strings.Contains(string(r.Body), `"revoked_at":null`) {
			t.Errorf("revoked_at is not present as null: %s", r.Body)
		}

		t.Run("bad names", func(t *testing.T) {
			for _, body := range []any{map[string]string{"name": "  "}, map[string]string{"name": strings.Repeat("名", 51)}, map[string]string{"name": "a\x07b"}, `{"name":"x","user":"admin"}`} {
				if r := leader.SendJSON("POST", "/api/v1/tokens", body); r.StatusCode != http.StatusBadRequest || r.ErrorCode() != "invalid" {
					t.Errorf("%v: %d %s", body, r.StatusCode, r.Body)
				}
			}
		})

		t.Run("bad credentials", func(t *testing.T) {
			for _, hdr := range []string{made.Token, "Token " + made.Token, "Bearer anw_short", "Bearer " + strings.ToUpper(made.Token)} {
				req, _ := http.NewRequest("GET", env.Server.URL+"/api/v1/tokens", nil)
				req.Header.Set("Authorization", hdr)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("Authorization %.20q…: %d, want 401", hdr, resp.StatusCode)
				}
			}
		})

		t.Run("others cannot revoke it", func(t *testing.T) {
			adminTok := env.SignIn("admin").SendJSON("POST", "/api/v1/tokens", map[string]string{"name": "admin"})
			var a tokenJSON
			adminTok.JSON(t, &a)
			qs := env.TokenClient("qingshan")
			denied := env.AuditCount("user.security", "denied")
			for _, id := range []int64{a.ID, made.ID} {
				if r := qs.Do("DELETE", "/api/v1/tokens/"+strconv.FormatInt(id, 10), nil, ""); r.StatusCode != http.StatusNotFound || r.ErrorCode() != "not_found" {
					t.Errorf("qingshan revoking %d: %d %s", id, r.StatusCode, r.Body)
				}
			}
			if env.AuditCount("user.security", "denied") != denied+2 {
				t.Error("the refusals were not audited")
			}
			if r := bearer(env, a.Token).Get("/api/v1/me"); r.StatusCode != http.StatusOK {
				t.Fatalf("admin's token after qingshan's try: %d", r.StatusCode)
			}
			var qsList []tokenJSON
			qs.Get("/api/v1/tokens").JSON(t, &qsList)
			for _, x := range qsList {
				if x.ID == a.ID || x.ID == made.ID {
					t.Error("qingshan sees another's token")
				}
			}
			for _, p := range []string{"/api/v1/tokens/0", "/api/v1/tokens/abc", "/api/v1/tokens/999999"} {
				if r := qs.Do("DELETE", p, nil, ""); r.StatusCode != http.StatusNotFound {
					t.Errorf("DELETE %s: %d", p, r.StatusCode)
				}
			}
			// The security administrator may revoke anyone's in scope.
			if r := env.SignIn("secadmin").Do("DELETE", "/api/v1/tokens/"+strconv.FormatInt(a.ID, 10), nil, ""); r.StatusCode != http.StatusNoContent {
				t.Fatalf("secadmin revoking: %d %s", r.StatusCode, r.Body)
			}
			if r := bearer(env, a.Token).Get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("admin's token after secadmin revoked it: %d", r.StatusCode)
			}
		})

		t.Run("revoke", func(t *testing.T) {
			revoked := env.AuditCount("token.revoke", "ok")
			if r := leader.Do("DELETE", "/api/v1/tokens/"+strconv.FormatInt(made.ID, 10), nil, ""); r.StatusCode != http.StatusNoContent {
				t.Fatalf("revoke: %d %s", r.StatusCode, r.Body)
			}
			if r := bearer(env, made.Token).Get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("revoked token: %d", r.StatusCode)
			}
			if env.AuditCount("token.revoke", "ok") != revoked+1 {
				t.Error("not audited")
			}
			var list []tokenJSON
			leader.Get("/api/v1/tokens").JSON(t, &list)
			if len(list) != 1 || list[0].RevokedAt == nil {
				t.Fatalf("list after revoking: %+v", list)
			}
		})

		t.Run("at most 20 active", func(t *testing.T) {
			c := env.TokenClient("yjj") // one active already
			for i := 1; i < 20; i++ {
				if r := c.SendJSON("POST", "/api/v1/tokens", map[string]string{"name": "t" + strconv.Itoa(i)}); r.StatusCode != http.StatusCreated {
					t.Fatalf("token %d: %d %s", i, r.StatusCode, r.Body)
				}
			}
			if r := c.SendJSON("POST", "/api/v1/tokens", map[string]string{"name": "one too many"}); r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("21st token: %d %s", r.StatusCode, r.Body)
			}
		})
	})
}

func TestTokenPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		c := env.SignIn("xfj")
		r := c.PostForm("/account/tokens", url.Values{"name": {"信访数据对接"}})
		tok := regexp.MustCompile(`anw_[a-z2-7]{52}`).Find(r.Body)
		if r.StatusCode != http.StatusOK || tok == nil || !strings.Contains(string(r.Body), "只显示这一次") {
			t.Fatalf("create on the page: %d\n%s", r.StatusCode, r.Body)
		}
		if r := bearer(env, string(tok)).Get("/api/v1/me"); r.StatusCode != http.StatusOK {
			t.Fatalf("the token from the page: %d", r.StatusCode)
		}
		page := c.Get("/account")
		if bytes.Contains(page.Body, tok) || !strings.Contains(string(page.Body), "信访数据对接") {
			t.Fatal("the account page shows the token again, or not its name")
		}
		if r := c.PostForm("/account/tokens", url.Values{"name": {""}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(string(r.Body), `class="alert"`) {
			t.Fatalf("empty name: %d", r.StatusCode)
		}
		list, _ := env.App.Auth.ListTokens(context.Background(), env.UserID("xfj"))
		if len(list) != 1 {
			t.Fatalf("tokens: %d, want 1", len(list))
		}
		id := strconv.FormatInt(list[0].ID, 10)
		if r := env.SignIn("qingshan").PostForm("/account/tokens/"+id+"/revoke", nil); r.StatusCode != http.StatusNotFound {
			t.Fatalf("qingshan revoking xfj's token on the page: %d", r.StatusCode)
		}
		if r := c.PostForm("/account/tokens/"+id+"/revoke", nil); r.StatusCode != http.StatusSeeOther || loc(r) != "/account" {
			t.Fatalf("revoke: %d → %q", r.StatusCode, loc(r))
		}
		if r := bearer(env, string(tok)).Get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("revoked: %d", r.StatusCode)
		}
		if p := string(c.Get("/account").Body); !strings.Contains(p, "令牌已撤销") || !strings.Contains(p, `<span class="badge">已撤销</span>`) {
			t.Error("no notice or state after revoking")
		}
		for file, ct := range map[string]string{"app.js": "javascript", "app.css": "text/css"} {
			if r := env.Anonymous().Get("/static/" + file); r.StatusCode != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), ct) || len(r.Body) == 0 {
				t.Errorf("%s: %d %s", file, r.StatusCode, r.Header.Get("Content-Type"))
			}
		}
	})
}
