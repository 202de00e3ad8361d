package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/demo"
)

// TestDailyReportOneTap: on a phone, 青山镇's staff member files the day's
// zero report with one tap and gets a receipt; then, in a browser context of
// their own at desktop size, the safety desk (应急管理局) sees 青山镇 on the
// board as on time.
func TestDailyReportOneTap(t *testing.T) {
	p := newTab(t)
	qs := p.env.OrgID("SFQ-QS")
	p.do("emulate a phone", phone)
	p.open("/signin")
	wantStatus(t, "sign in", p.signIn("qingshan", demo.DemoPassword), 200)

	wantStatus(t, "open the form", p.open("/daily-reports/new"), 200)
	p.wantVisibleText("main h1", "青山镇", "零报告")
	p.wantVisibleText("#countdown", "距截止还有")
	p.wantVisibleText("#one-tap", "今日无事 报平安")
	// The button is big and within the screen; the items part is folded away.
	type box struct{ Left, Right, Height, Inner float64 }
	b := eval[box](p, `(function(){var r=document.querySelector("#one-tap").getBoundingClientRect();return {Left:r.left,Right:r.right,Height:r.height,Inner:window.innerWidth}})()`)
	if b.Left < 0 || b.Right > b.Inner+1 || b.Height < 60 || b.Right-b.Left < b.Inner*0.8 {
		p.fatalf("the one-tap button is %+v on a %v px screen", b, b.Inner)
	}
	if p.visible(`textarea[name="safety_0_summary"]`) {
		p.fatalf("the item rows show before asking for them")
	}
	p.fitsPhone("the form")
	before := p.env.AuditCount("dailyreport.submit", "ok")

	wantStatus(t, "tap", p.click("#one-tap"), 200)
	if got := p.path(); !strings.HasPrefix(got, "/daily-reports/") || got == "/daily-reports/new" {
		p.fatalf("after the tap: at %s, want the receipt", got)
	}
	p.wantVisibleText("main h1", "已报送")
	p.wantVisibleText("#receipt-status", "按时")
	code := p.text("#receipt-code")
	var stored string
	if err := p.env.App.DB.QueryRow(context.Background(), "SELECT receipt FROM daily_reports WHERE org_id = ? AND channel = 'web'", qs).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if code != stored || !strings.HasPrefix(code, "ZB20261127-") {
		p.fatalf("the receipt shows %q, the database holds %q", code, stored)
	}
	if got := p.env.AuditCount("dailyreport.submit", "ok"); got != before+1 {
		t.Errorf("submissions audited: %d, want %d", got, before+1)
	}
	p.fitsPhone("the receipt")

	// The desk, in a browser context of its own (no shared cookies), at desktop size.
	ctx, cancel := chromedp.NewContext(p.b.Ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab, for the life of ctx
		t.Fatalf("a second browser context: %v", err)
	}
	desk := &tab{t: t, env: p.env, b: &Browser{Ctx: ctx}, base: p.base}
	desk.do("desktop size", chromedp.EmulateViewport(1366, 900))
	desk.open("/signin")
	wantStatus(t, "desk sign in", desk.signIn("yjj", demo.DemoPassword), 200)
	wantStatus(t, "open the board", desk.open("/daily-reports/board"), 200)
	desk.wantVisibleText("main h1", "零报告看板")
	row := fmt.Sprintf(`#units tr[data-org="%d"]`, qs)
	desk.wantVisibleText(row, "青山镇", "按时")
	desk.wantVisibleText("#count-on_time", "1")
	if got := desk.text("#count-pending"); got != "11" {
		desk.fatalf("pending count %q, want 11", got)
	}
}
