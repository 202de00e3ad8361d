package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/demo"
)

// TestCampaignLaunchToVillageInspection walks a campaign (排查整治行动) from
// the district to a village: the emergency bureau's desk launches it through
// the form on a desktop and sees the cascade; 上坪村's grid worker, on a
// phone in a browser of her own, finds her village's task with its two
// enterprises, taps 检查 on one, records the inspection (the form says it
// counts for the campaign) and sees her task move; the district sees it too.
func TestCampaignLaunchToVillageInspection(t *testing.T) {
	p := newTab(t)
	ctx := context.Background()

	// The district launches.
	p.open("/signin")
	wantStatus(t, "sign in", p.signIn("yjj", demo.DemoPassword), 200)
	wantStatus(t, "the list", p.open("/campaigns"), 200)
	p.wantVisibleText("main h1", "排查整治行动")
	wantStatus(t, "the form", p.click("#launch"), 200)
	p.do("title", chromedp.SendKeys(chromedp.CSS(`input[name="title"]`), "岁末年初安全生产隐患排查整治"))
	wantStatus(t, "launch", p.click("#submit"), 200)
	if !strings.HasPrefix(p.path(), "/campaigns/") {
		p.fatalf("after launching: at %s", p.path())
	}
	campaignPath := p.path()
	p.wantVisibleText(".flash", "行动已发布")
	p.wantVisibleText("#title", "岁末年初安全生产隐患排查整治")
	p.wantVisibleText("#tasks", "示范区", "青山镇", "东城街道")
	p.wantVisibleText(`#tasks [data-org="青山镇"] .cp-frac`, "0/11")
	var tasks int
	if err := p.env.App.DB.QueryRow(ctx, "SELECT count(*) FROM campaign_tasks").Scan(&tasks); err != nil || tasks < 90 {
		t.Fatalf("the cascade made %d tasks (%v)", tasks, err)
	}

	// The village's grid worker, on a phone, in a browser of her own.
	bctx, cancel := chromedp.NewContext(p.b.Ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("a second browser context: %v", err)
	}
	wg := &tab{t: t, env: p.env, b: &Browser{Ctx: bctx}, base: p.base}
	wg.do("emulate a phone", phone)
	wg.open("/signin")
	wantStatus(t, "grid worker sign in", wg.signIn("wanggeyuan", demo.DemoPassword), 200)
	wantStatus(t, "her list", wg.open("/campaigns"), 200)
	wg.wantVisibleText("#campaigns", "岁末年初安全生产隐患排查整治", "0/2")
	wantStatus(t, "her campaign", wg.click(".cp-card-title"), 200)
	wg.wantVisibleText("#leaf-title", "上坪村 范围内企业")
	wg.wantVisibleText("#enterprises", "示范区青山瑞丰化工仓储有限公司", "示范区青山燃气供应站", "未检查")
	if wg.visible("#tasks") || strings.Contains(wg.text("main"), "东城街道") {
		wg.fatalf("the village's page shows other units")
	}
	noOverflow := func(page string) {
		t.Helper()
		if w := eval[int](wg, `Math.max(document.documentElement.scrollWidth, window.innerWidth)`); w > 391 {
			wg.fatalf("%s is %d px wide on a 390 px phone", page, w)
		}
	}
	noOverflow("the campaign")
	wantStatus(t, "inspect", wg.click(`#enterprises .cp-ent:first-child .cp-inspect`), 200)
	if !strings.HasPrefix(wg.path(), "/inspections/new?") || !strings.Contains(wg.path(), "campaign_id=") {
		wg.fatalf("the inspect button went to %s", wg.path())
	}
	wg.wantVisibleText("#campaign", "计入排查整治行动", "岁末年初安全生产隐患排查整治")
	subject := wg.text("#subject")
	wg.do("summary", chromedp.SendKeys(chromedp.CSS(`textarea[name="summary"]`), "逐项检查，未发现问题"))
	wantStatus(t, "record the inspection", wg.click("#submit"), 200)
	if !strings.HasPrefix(wg.path(), "/inspections/") {
		wg.fatalf("after recording: at %s", wg.path())
	}
	var counted int
	if err := p.env.App.DB.QueryRow(ctx, "SELECT count(*) FROM inspections WHERE campaign_id IS NOT NULL AND enterprise_name = ? AND status = 'submitted'", subject).Scan(&counted); err != nil || counted != 1 {
		t.Fatalf("inspections of %s for the campaign: %d (%v)", subject, counted, err)
	}
	wantStatus(t, "back to her campaign", wg.open(campaignPath), 200)
	wg.wantVisibleText("#leaf-title", "1/2")
	wg.wantVisibleText("#enterprises", "已检查")
	noOverflow("the campaign after the inspection")

	// The district sees the township move.
	wantStatus(t, "the district's view", p.open(campaignPath), 200)
	p.wantVisibleText(`#tasks [data-org="青山镇"] .cp-frac`, "1/11")
	p.wantVisibleText("#stat-inspected", "1")
}
