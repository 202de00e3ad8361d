package hazard_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/browsertest"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/demo"
	"github.com/anwen-gov/anwen/internal/hazard"
)

// phone is one person's browser context at phone size.
type phone struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func (p *phone) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fatalf("%s: %v", what, err)
	}
}

// submit clicks sel, which posts a form, and returns the final page's response.
func (p *phone) submit(sel string) *network.Response {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		p.fatalf("click %s: %v", sel, err)
	}
	return resp
}

func (p *phone) open(path string) *network.Response {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.base+path))
	if err != nil {
		p.fatalf("open %s: %v", path, err)
	}
	return resp
}

func (p *phone) eval(expr string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		p.fatalf("eval %s: %v", expr, err)
	}
	return v
}

func (p *phone) text(sel string) string {
	return p.eval(fmt.Sprintf(`(function(){var e=document.querySelector(%q);return e?e.innerText:""})()`, sel))
}

// fits fails when the page is wider than the phone.
func (p *phone) fits(where string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || w > 391 {
		p.fatalf("%s is %d px wide on a 390 px phone (%v)", where, w, err)
	}
}

func (p *phone) fatalf(format string, args ...any) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if len(body) > 1500 {
		body = body[:1500] + "…"
	}
	p.t.Fatalf(format+"\n  at %s\n  page:\n%s", append(args, loc, body)...)
}

func (p *phone) signIn(login string) {
	p.t.Helper()
	p.do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
	p.open("/signin")
	p.do("sign-in form", chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), login), chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.DemoPassword))
	if r := p.submit(`form[action="/signin"] button[type="submit"]`); r == nil || r.Status != 200 {
		p.fatalf("sign in as %s", login)
	}
}

// TestBrowserWalkToClosure: an inspection's failed checklist item becomes
// a hazard (the inspection calls Register with what it knows); on phones,
// the enterprise's contact finds it and submits the rectification with a
// photo, and the township's staff accepts it: closed, with its timeline.
func TestBrowserWalkToClosure(t *testing.T) {
	exe, err := browsertest.ExecPath()
	if err != nil {
		if os.Getenv("ANWEN_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	f := newFixture(t, dbtest.SQLite(t))
	ctx := context.Background()
	// The failed item of a checklist, as the inspection capability hands it over.
	pre, err := f.svc().Prefill(ctx, f.actor("wanggeyuan"), hazard.PrefillRequest{EnterpriseID: f.entShangping})
	if err != nil {
		t.Fatal(err)
	}
	in := pre.Input
	in.Source, in.SourceRef = hazard.SourceInspection, "检查记录 12 第 4 项"
	in.Description, in.Category, in.Deadline = "应急照明灯不亮，安全出口指示灯损坏", "fire", "2026-12-04"
	h, err := f.svc().Register(ctx, f.actor("wanggeyuan"), in)
	if err != nil {
		t.Fatal(err)
	}
	must(t, h.EnterpriseName == "上坪精细化工有限公司" && h.FinderName == "黄秀兰", "prefilled from the enterprise and the inspector: %+v", h)
	// A photo of the fix on the enterprise contact's phone.
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		for y := 0; y < 48; y++ {
			img.Set(x, y, color.RGBA{40, uint8(100 + x), 90, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	photo := filepath.Join(t.TempDir(), "整改后.png")
	if err := os.WriteFile(photo, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	bctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	b, err := browsertest.Start(bctx, exe, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ent := &phone{t: t, ctx: b.Ctx, base: f.env.Server.URL}
	ent.signIn("qiye")
	ent.open("/hazards")
	card := fmt.Sprintf(`#cards li[data-id="%d"]`, h.ID)
	must(t, strings.Contains(ent.text(card), "应急照明灯不亮") && strings.Contains(ent.text(card), "待整改"), "the card: %q", ent.text(card))
	ent.fits("the ledger")
	ent.submit(card + " a")
	must(t, strings.Contains(ent.text("#title"), "应急照明灯不亮"), "the hazard page: %q", ent.text("#title"))
	ent.fits("the hazard page")
	ent.do("open the evidence form", chromedp.Click(chromedp.CSS(".hz-act-submit_evidence > summary"), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(`.hz-act-submit_evidence textarea[name="comment"]`), "已更换应急照明灯和安全出口指示灯，现场测试正常"),
		chromedp.SetUploadFiles(chromedp.CSS(`.hz-act-submit_evidence input[name="files"]`), []string{photo}))
	if r := ent.submit("#do-submit_evidence"); r == nil || r.Status != 200 {
		ent.fatalf("submit the evidence: %+v", r)
	}
	must(t, strings.Contains(ent.text("#badges"), "待验收"), "after the evidence: %q", ent.text("#badges"))
	must(t, f.status(h.ID) == hazard.AwaitingAcceptance, "status %s", f.status(h.ID))
	must(t, strings.Contains(ent.text("#actions"), "没有可办理"), "the enterprise may still act: %q", ent.text("#actions"))

	// The township's staff, on a phone of their own.
	c2, cancel2 := chromedp.NewContext(b.Ctx, chromedp.WithNewBrowserContext())
	defer cancel2()
	if err := chromedp.Do(c2); err != nil {
		t.Fatal(err)
	}
	acc := &phone{t: t, ctx: c2, base: f.env.Server.URL}
	acc.signIn("qingshan")
	acc.open("/hazards?status=awaiting_acceptance")
	acc.submit(card + " a")
	must(t, acc.eval(`String(document.querySelectorAll("#timeline .att-tile").length)`) == "1", "the evidence photo shows in the timeline")
	acc.do("open the acceptance", chromedp.Click(chromedp.CSS(".hz-act-accept > summary"), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(`.hz-act-accept textarea[name="comment"]`), "现场复核合格，同意销号"))
	if r := acc.submit("#do-accept"); r == nil || r.Status != 200 {
		acc.fatalf("accept: %+v", r)
	}
	must(t, strings.Contains(acc.text("#badges"), "已销号"), "after acceptance: %q", acc.text("#badges"))
	must(t, acc.eval(`String(document.querySelectorAll("#timeline .hz-step").length)`) == "3", "timeline: %q", acc.text("#timeline"))
	for _, w := range []string{"登记", "提交整改材料", "验收销号", "黄秀兰", "何建军", "林思远"} {
		must(t, strings.Contains(acc.text("#timeline"), w), "the timeline lacks %s: %q", w, acc.text("#timeline"))
	}
	acc.fits("the closed hazard")
	must(t, f.status(h.ID) == hazard.Closed, "status %s", f.status(h.ID))
	must(t, f.count("SELECT count(*) FROM audit_log WHERE action IN ('hazard.accept', 'hazard.submit_evidence') AND object_id = ? AND result = 'ok'", itoa(h.ID)) == 2, "audited")
}
