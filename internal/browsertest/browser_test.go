package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/demo"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

const (
	browserTimeout = 60 * time.Second // the whole life of one test's browser
	stepTimeout    = 15 * time.Second // one navigation or wait
)

// tab is one test's browser tab on one running Anwen.
// phone emulates the 390 px phone the walks are checked on.
var phone = chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(2))

type tab struct {
	t    *testing.T
	env  *apptest.Env
	b    *Browser
	base string
}

// newTab starts Anwen (SQLite, demo district) and a Chromium for t, or skips
// when there is no Chromium and ANWEN_TEST_REQUIRE_BROWSER is not 1.
func newTab(t *testing.T) *tab {
	t.Helper()
	exe, err := ExecPath()
	if err != nil {
		if os.Getenv("ANWEN_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatalf("browser required (ANWEN_TEST_REQUIRE_BROWSER=1): %v", err)
		}
		t.Skipf("skipping browser test: %v", err)
	}
	env := apptest.Start(t, dbtest.SQLite(t))
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	t.Cleanup(cancel)
	b, err := Start(ctx, exe, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return &tab{t: t, env: env, b: b, base: env.Server.URL}
}

// do runs actions with a step timeout, failing the test with what the page shows.
func (p *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.b.Ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fatalf("%s: %v", what, err)
	}
}

// open navigates to path and returns the HTTP response of the final document.
func (p *tab) open(path string) *network.Response {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.b.Ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.base+path))
	if err != nil {
		p.fatalf("open %s: %v", path, err)
	}
	return resp
}

// click clicks sel, which must navigate, and returns the response of the new page.
func (p *tab) click(sel string) *network.Response {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.b.Ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		p.fatalf("click %s: %v", sel, err)
	}
	return resp
}

// eval evaluates a JavaScript expression and decodes its value into T.
func eval[T any](p *tab, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.b.Ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// text returns the rendered text of the first element matching sel ("" when
// there is none or it is hidden).
func (p *tab) text(sel string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`(function(){var e=document.querySelector(%s);return e?e.innerText:""})()`, js(sel)))
}

// visible reports whether the first element matching sel takes room on screen.
func (p *tab) visible(sel string) bool {
	p.t.Helper()
	return eval[bool](p, fmt.Sprintf(`(function(){var e=document.querySelector(%s);if(!e)return false;var r=e.getBoundingClientRect(),s=getComputedStyle(e);return r.width>0&&r.height>0&&s.visibility!=="hidden"&&s.display!=="none"})()`, js(sel)))
}

// path returns the path and query of the current page.
func (p *tab) path() string {
	p.t.Helper()
	loc := eval[string](p, `location.href`)
	u, err := url.Parse(loc)
	if err != nil {
		p.t.Fatalf("location %q: %v", loc, err)
	}
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// wantVisibleText fails unless the element sel is visible and its text contains every want.
func (p *tab) wantVisibleText(sel string, want ...string) {
	p.t.Helper()
	if !p.visible(sel) {
		p.fatalf("%s is not visible", sel)
	}
	got := p.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			p.fatalf("%s: text %q does not contain %q", sel, got, w)
		}
	}
}

// fatalf fails the test with the current URL and the visible page text.
func (p *tab) fatalf(format string, args ...any) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.b.Ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if len(body) > 2000 {
		body = body[:2000] + "…"
	}
	p.t.Fatalf(format+"\n  at %s\n  page text:\n%s", append(args, loc, body)...)
}

// signIn fills and submits the sign-in form, which must already be open.
func (p *tab) signIn(login, password string) *network.Response {
	p.t.Helper()
	p.do("fill the sign-in form",
		chromedp.WaitVisible(chromedp.CSS(`input[name="login"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), login),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
	)
	return p.click(`form[action="/signin"] button[type="submit"]`)
}

func wantStatus(t *testing.T, what string, resp *network.Response, status int64) {
	t.Helper()
	if resp == nil {
		t.Fatalf("%s: no response", what)
	}
	if resp.Status != status {
		t.Fatalf("%s: status %d, want %d (%s)", what, resp.Status, status, resp.URL)
	}
}

// TestJourney walks a township staff member through sign-in, the home page,
// an out-of-scope page, the language switch and sign-out.
func TestJourney(t *testing.T) {
	p := newTab(t)
	signinsBefore := p.env.AuditCount("auth.signin", audit.OK)

	// Anonymous: / sends to the sign-in page, in Chinese, marked as a demo.
	wantStatus(t, "open /", p.open("/"), 200)
	if got := p.path(); !strings.HasPrefix(got, "/signin") {
		p.fatalf("/ while signed out landed on %s, want the sign-in page", got)
	}
	p.wantVisibleText("main h1", "登录")
	p.wantVisibleText(".demo-banner", "演示系统")
	p.wantVisibleText("main .card:has(table)", "演示账号", demo.DemoPassword)
	p.wantVisibleText("main table", "qingshan", "林思远", "admin")
	if eval[string](p, `document.documentElement.lang`) != "zh-CN" {
		p.fatalf("html lang is not zh-CN")
	}

	// Sign in as 青山镇's staff member.
	wantStatus(t, "sign in", p.signIn("qingshan", demo.DemoPassword), 200)
	if got := p.path(); got != "/" {
		p.fatalf("after sign-in: at %s, want /", got)
	}
	p.wantVisibleText("h1.page-title", "您好", "林思远")
	p.wantVisibleText("#pending", "我的待办")
	p.wantVisibleText("#org-tree", "青山镇")
	// The villages are in the tree, folded under the township.
	if all := eval[string](p, `document.querySelector("#org-tree").textContent`); !strings.Contains(all, "上坪村") {
		p.fatalf("home tree lacks the township's villages: %q", all)
	}
	if tree := p.text("#org-tree"); strings.Contains(tree, "东城街道") {
		p.fatalf("home tree of a township user shows another township: %q", tree)
	}
	p.wantVisibleText("nav.nav", "工作台")
	if got := p.env.AuditCount("auth.signin", audit.OK); got != signinsBefore+1 {
		t.Errorf("successful sign-ins audited: %d, want %d", got, signinsBefore+1)
	}

	// Another township's page is not found, not forbidden.
	other := p.env.OrgID("SFQ-DC")
	wantStatus(t, "out-of-scope org", p.open(fmt.Sprintf("/orgs/%d", other)), 404)
	p.wantVisibleText(".status-code", "404")
	p.wantVisibleText("main h1", "页面不存在")
	if body := p.text("main"); strings.Contains(body, "东城街道") {
		p.fatalf("the not-found page names the hidden organisation: %q", body)
	}

	// Switch to English through the link in the top bar.
	if got := p.text("a.lang"); got != "English" {
		p.fatalf("language link says %q, want English", got)
	}
	p.click("a.lang")
	p.wantVisibleText(`form[action="/signout"] button`, "Sign out")
	p.wantVisibleText("main h1", "This page does not exist")
	if eval[string](p, `document.documentElement.lang`) != "en" {
		p.fatalf("html lang is not en after switching")
	}
	if got := p.path(); got != fmt.Sprintf("/orgs/%d", other) {
		p.fatalf("the language switch went to %s, want back to /orgs/%d", got, other)
	}

	// Sign out: back on the sign-in page, and the session is gone.
	wantStatus(t, "sign out", p.click(`form[action="/signout"] button`), 200)
	if got := p.path(); !strings.HasPrefix(got, "/signin") {
		p.fatalf("after sign-out: at %s, want the sign-in page", got)
	}
	p.wantVisibleText("main h1", "Sign in")
	if p.env.AuditCount("auth.signout", "") == 0 {
		t.Errorf("sign-out was not audited")
	}
	wantStatus(t, "open / after sign-out", p.open("/"), 200)
	if got := p.path(); !strings.HasPrefix(got, "/signin") {
		p.fatalf("/ after sign-out landed on %s, want the sign-in page", got)
	}
	if p.visible("nav.nav") {
		p.fatalf("the main navigation shows after sign-out")
	}
}

// TestWrongPassword: the error is shown in the page, the login is kept and
// the password is not echoed back.
func TestWrongPassword(t *testing.T) {
	p := newTab(t)
	failedBefore := p.env.AuditCount("auth.signin", audit.Failed)
	p.open("/signin")
	wantStatus(t, "wrong password", p.signIn("qingshan", "Wrong@2026x"), 401)
	if got := p.path(); !strings.HasPrefix(got, "/signin") {
		p.fatalf("after a wrong password: at %s, want the sign-in page", got)
	}
	p.wantVisibleText(`main [role="alert"]`, "登录名或密码错误")
	if got := eval[string](p, `document.querySelector('input[name="login"]').value`); got != "qingshan" {
		p.fatalf("login field holds %q after the failure, want qingshan", got)
	}
	if got := eval[string](p, `document.querySelector('input[name="password"]').value`); got != "" {
		p.fatalf("password field holds %q after the failure, want it empty", got)
	}
	if p.visible("nav.nav") {
		p.fatalf("the main navigation shows after a failed sign-in")
	}
	if got := p.env.AuditCount("auth.signin", audit.Failed); got != failedBefore+1 {
		t.Errorf("failed sign-ins audited: %d, want %d", got, failedBefore+1)
	}
	// A second, right attempt from the same form still works.
	p.do("clear the login", chromedp.Clear(chromedp.CSS(`input[name="login"]`)))
	wantStatus(t, "sign in after a failure", p.signIn("qingshan", demo.DemoPassword), 200)
	p.wantVisibleText("h1.page-title", "林思远")
}

// TestPhone: on a phone-size screen the sign-in and home pages fit the width
// and the navigation stays reachable.
func TestPhone(t *testing.T) {
	p := newTab(t)
	p.do("emulate a phone", phone)
	noOverflow := func(page string) {
		t.Helper()
		type size struct{ Scroll, Inner, Client int }
		s := eval[size](p, `({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth, Client: document.documentElement.clientWidth})`)
		// With mobile emulation an overflowing page widens the layout
		// viewport, so innerWidth grows with scrollWidth: check it too.
		if s.Inner > 391 || s.Client > 391 {
			p.fatalf("%s: the page is laid out %d (client %d) px wide on a 390 px phone", page, s.Inner, s.Client)
		}
		if s.Scroll > s.Inner+1 {
			p.fatalf("%s: horizontal overflow: scrollWidth %d > innerWidth %d", page, s.Scroll, s.Inner)
		}
	}
	p.open("/signin")
	p.wantVisibleText("main h1", "登录")
	p.wantVisibleText("main table", "qingshan")
	noOverflow("sign-in")
	wantStatus(t, "sign in", p.signIn("qingshan", demo.DemoPassword), 200)
	p.wantVisibleText("h1.page-title", "林思远")
	p.wantVisibleText("nav.nav", "工作台", "零报告")
	// Every menu entry lies within the screen, even if the row wraps: the
	// entries of the bar, then each folded group's once it is opened.
	offScreen := `Array.from(document.querySelectorAll(SEL)).filter(function(a){var r=a.getBoundingClientRect();return r.width===0||r.left<0||r.right>window.innerWidth+1}).map(function(a){return a.innerText})`
	if off := eval[[]string](p, strings.Replace(offScreen, "SEL", `"nav.nav > a, nav.nav summary"`, 1)); len(off) > 0 {
		p.fatalf("menu entries off screen on a phone: %q", off)
	}
	groups := eval[int](p, `document.querySelectorAll("nav.nav details.nav-group").length`)
	if groups == 0 {
		p.fatalf("a township's menu has no folded group on a phone")
	}
	for i := range groups {
		p.do("open a menu group", chromedp.Click(fmt.Sprintf(`nav.nav details.nav-group:nth-of-type(%d) > summary`, i+1), chromedp.NodeVisible))
		if off := eval[[]string](p, strings.Replace(offScreen, "SEL", `"nav.nav details[open] a"`, 1)); len(off) > 0 {
			p.fatalf("menu group %d: entries off screen on a phone: %q", i+1, off)
		}
		noOverflow("home with a menu group open")
	}
	p.do("close the menu group", chromedp.KeyEvent("\x1b"))
	p.wantVisibleText("#org-tree", "青山镇")
	noOverflow("home")
}

// fitsPhone fails the walk when the page (what) is wider than the phone.
func (t *tab) fitsPhone(what string) {
	if w := eval[int](t, `document.documentElement.scrollWidth`); w > 391 {
		t.fatalf("%s is %d px wide on a 390 px phone", what, w)
	}
}
