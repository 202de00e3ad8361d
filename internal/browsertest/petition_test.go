package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/demo"
)

// TestPetitionFromVisitToReply walks a petition on phones: the petition
// bureau's staff member registers a visit about unpaid wages (the phone
// number masked on the case page at once) and transfers it to 青山镇; the
// township's staff member, in a browser of their own, accepts it and
// answers with a 处理意见书 supporting the claim; the case is answered and
// the petitioner's 30 days to ask for a review are shown.
func TestPetitionFromVisitToReply(t *testing.T) {
	p := newTab(t)
	ctx := context.Background()
	qs := p.env.OrgID("SFQ-QS")
	p.do("emulate a phone", phone)
	p.open("/signin")
	wantStatus(t, "sign in", p.signIn("xfj", demo.DemoPassword), 200)

	// The bureau registers the visit.
	wantStatus(t, "open the registration form", p.open("/petitions/new"), 200)
	p.fitsPhone("the registration form")
	p.do("fill the petitioner",
		chromedp.SendKeys(chromedp.CSS(`input[name="p0_name"]`), "张建国"),
		chromedp.SendKeys(chromedp.CSS(`input[name="p0_phone"]`), "13812345678"),
	)
	p.do("fill the matter",
		chromedp.SetValue(chromedp.CSS(`select[name="subject"]`), "labour"),
		chromedp.SetValue(chromedp.CSS(`select[name="place_org_id"]`), fmt.Sprint(qs)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="request"]`), "请求督促施工方支付拖欠工资三万元"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="facts"]`), "今年三月至八月在工地务工，工资未结清"),
	)
	if p.visible(`.pet-accusation`) {
		p.fatalf("the accused's fields show for a claim")
	}
	wantStatus(t, "register", p.click("#submit"), 200)
	if !strings.HasPrefix(p.path(), "/petitions/") || strings.HasPrefix(p.path(), "/petitions/new") {
		p.fatalf("after registering: at %s", p.path())
	}
	casePath := p.path()
	p.wantVisibleText("#status", "已登记")
	p.wantVisibleText("#days-left", "剩 15 天")
	p.wantVisibleText("#petitioners", "138****5678")
	if strings.Contains(p.text("#petitioners"), "13812345678") {
		p.fatalf("the phone number is shown unmasked")
	}
	number := p.text("#number")
	var stored, status, sealedPhone string
	if err := p.env.App.DB.QueryRow(ctx, `SELECT p.number, p.status, pp.phone_sealed FROM petitions p JOIN petition_people pp ON pp.petition_id = p.id
		WHERE p.number = ?`, number).Scan(&stored, &status, &sealedPhone); err != nil {
		t.Fatal(err)
	}
	if stored != number || status != "registered" || strings.Contains(sealedPhone, "13812345678") {
		p.fatalf("the register holds %q in state %s, phone %q", stored, status, sealedPhone)
	}
	p.fitsPhone("the case page")

	// And transfers it to 青山镇.
	p.do("open transfer", chromedp.Click(chromedp.CSS(".pet-act-transfer summary"), chromedp.NodeVisible))
	p.do("choose 青山镇", chromedp.SetValue(chromedp.CSS(`.pet-act-transfer select[name="org_id"]`), fmt.Sprint(qs)))
	wantStatus(t, "transfer", p.click("#do-transfer"), 200)
	p.wantVisibleText("#status", "已转办")
	p.wantVisibleText("#clock", "受理告知")
	p.wantVisibleText("#window", "异议期")

	// The township, in a browser of its own, on a phone too.
	bctx, cancel := chromedp.NewContext(p.b.Ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("a second browser context: %v", err)
	}
	town := &tab{t: t, env: p.env, b: &Browser{Ctx: bctx}, base: p.base}
	town.do("emulate a phone", phone)
	town.open("/signin")
	wantStatus(t, "township sign in", town.signIn("qingshan", demo.DemoPassword), 200)
	wantStatus(t, "the ledger", town.open("/petitions"), 200)
	town.wantVisibleText("#cards", number)
	town.fitsPhone("the township's ledger")
	wantStatus(t, "open the case", town.open(casePath), 200)
	if town.visible(".pet-act-transfer") || town.visible(".pet-act-supervise") {
		town.fatalf("the township is offered the bureau's steps")
	}
	town.do("open accept", chromedp.Click(chromedp.CSS(".pet-act-accept summary"), chromedp.NodeVisible))
	town.do("write the notice", chromedp.SendKeys(chromedp.CSS(`.pet-act-accept textarea[name="notice"]`), "已受理，60日内书面答复"))
	wantStatus(t, "accept", town.click("#do-accept"), 200)
	town.wantVisibleText("#status", "办理中")
	town.wantVisibleText("#days-left", "剩 60 天")
	if town.visible(".pet-act-extend") {
		town.fatalf("staff are offered the head's extension")
	}
	town.do("open reply", chromedp.Click(chromedp.CSS(".pet-act-reply summary"), chromedp.NodeVisible))
	town.do("answer",
		chromedp.Click(chromedp.CSS(`.pet-act-reply input[name="decision"][value="support"]`), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(`.pet-act-reply textarea[name="opinion_facts"]`), "经核实，施工方拖欠工资属实"),
		chromedp.SendKeys(chromedp.CSS(`.pet-act-reply textarea[name="opinion_reasons"]`), "劳动者依法取得劳动报酬，已责令限期支付"),
		chromedp.SendKeys(chromedp.CSS(`.pet-act-reply textarea[name="opinion_basis"]`), "《保障农民工工资支付条例》第三条"),
	)
	wantStatus(t, "reply", town.click("#do-reply"), 200)
	town.wantVisibleText("#status", "已答复")
	town.wantVisibleText("#window", "复查")
	town.wantVisibleText("#opinions", "予以支持", "保障农民工工资支付条例")
	town.fitsPhone("the answered case")
	var decision string
	if err := p.env.App.DB.QueryRow(ctx, "SELECT p.status, o.decision FROM petitions p JOIN petition_opinions o ON o.petition_id = p.id WHERE p.number = ?", number).
		Scan(&status, &decision); err != nil {
		t.Fatal(err)
	}
	if status != "replied" || decision != "support" {
		t.Fatalf("the register says %s / %s after the reply", status, decision)
	}
	// The bureau sees the answer on its own page.
	wantStatus(t, "bureau reloads", p.open(casePath), 200)
	p.wantVisibleText("#status", "已答复")
}
