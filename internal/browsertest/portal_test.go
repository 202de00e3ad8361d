package browsertest

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/demo"
)

// TestPortalFileRouteAnswerRate walks the public portal (网上信访) on a
// phone: a citizen, not signed in, files a claim about unpaid wages with a
// photo, answers the check question and notes the query code; the petition
// bureau (xfj) transfers the case to 青山镇, which accepts it and answers
// it in writing; the citizen looks the case up with the code and their
// phone, reads the answer and rates it 满意. PORTAL_SHOTS=DIR also saves
// each of the citizen's pages at 390 and 1366 px.
func TestPortalFileRouteAnswerRate(t *testing.T) {
	p := newTab(t)
	ctx := context.Background()
	qs := p.env.OrgID("SFQ-QS")
	shots := os.Getenv("PORTAL_SHOTS")
	shot := func(name string) {
		if shots == "" {
			return
		}
		for _, sz := range []struct {
			name string
			vp   chromedp.Action[chromedp.Void]
		}{{"phone", phone}, {"desktop", chromedp.EmulateViewport(1366, 900)}} {
			p.do("resize for "+name, sz.vp, chromedp.Evaluate[chromedp.Void](`document.fonts.ready.then(function(){return true})`, chromedp.EvalAwaitPromise))
			c, cancel := context.WithTimeout(p.b.Ctx, stepTimeout)
			img, err := chromedp.Run(c, chromedp.FullScreenshot(100))
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(shots, "portal-"+name+"-"+sz.name+".png"), img, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		p.do("back to the phone", phone)
	}
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	photo := filepath.Join(t.TempDir(), "工地.png")
	f, err := os.Create(photo)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, image.NewGray(image.Rect(0, 0, 64, 48))); err != nil {
		t.Fatal(err)
	}
	f.Close()

	// The citizen files the claim.
	p.do("emulate a phone", phone)
	wantStatus(t, "the portal", p.open("/public/petitions"), 200)
	p.fitsPhone("the portal's landing page")
	if p.visible("nav.nav") {
		p.fatalf("the staff menu shows to a citizen")
	}
	wantStatus(t, "open the form", p.click("#go-new"), 200)
	p.fitsPhone("the form")
	if p.visible(".portal-accused") {
		p.fatalf("the accused's field shows before an accusation is chosen")
	}
	if eval[bool](p, `document.querySelector('input[name="website"]').getBoundingClientRect().right > 0`) {
		p.fatalf("the field for scripts is on screen")
	}
	p.do("choose the kind", chromedp.Click(chromedp.CSS(`input[name="category"][value="claim"]`), chromedp.NodeVisible))
	p.do("fill the matter",
		chromedp.SetValue(chromedp.CSS(`select[name="subject"]`), "labour"),
		chromedp.SetValue(chromedp.CSS(`select[name="place_org_id"]`), fmt.Sprint(qs)),
		chromedp.SendKeys(chromedp.CSS(`input[name="place"]`), "上坪村砖厂"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="request"]`), "请求督促砖厂支付拖欠的工资八千元"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="facts"]`), "今年五月至九月在上坪村砖厂务工，老板一直拖欠工资"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="files"]`), []string{photo}),
	)
	p.do("fill the contact",
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "赵大勇"),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), "13700001111"),
		chromedp.Click(chromedp.CSS(`input[name="consent"]`), chromedp.NodeVisible),
	)
	answer := solveQuestion(t, p.text("#question"))
	p.do("answer the question", chromedp.SendKeys(chromedp.CSS(`input[name="answer"]`), answer))
	shot("new")
	p.env.Clock.Advance(2 * time.Minute) // a person takes a while to fill it in
	wantStatus(t, "submit", p.click("#submit"), 200)
	p.wantVisibleText("#receipt", "已收到")
	p.wantVisibleText("#code-once", "只显示这一次")
	code := eval[string](p, `document.getElementById("query-code").value`)
	if len(code) != 14 || strings.Count(code, "-") != 2 {
		p.fatalf("the query code %q", code)
	}
	p.fitsPhone("the receipt")
	shot("receipt")
	var id int64
	var number string
	if err := p.env.App.DB.QueryRow(ctx, "SELECT id, number FROM petitions WHERE channel = 'online'").Scan(&id, &number); err != nil {
		t.Fatal(err)
	}
	p.wantVisibleText("#number", number)

	// The bureau, in a browser of its own, transfers it to 青山镇.
	staff := func(login string) *tab {
		bctx, cancel := chromedp.NewContext(p.b.Ctx, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		if err := chromedp.Do(bctx); err != nil {
			t.Fatalf("a browser context for %s: %v", login, err)
		}
		tb := &tab{t: t, env: p.env, b: &Browser{Ctx: bctx}, base: p.base}
		tb.do("emulate a phone", phone)
		tb.open("/signin")
		wantStatus(t, login+" signs in", tb.signIn(login, demo.DemoPassword), 200)
		return tb
	}
	casePath := "/petitions/" + strconv.FormatInt(id, 10)
	bureau := staff("xfj")
	wantStatus(t, "the bureau opens the case", bureau.open(casePath), 200)
	bureau.wantVisibleText("#status", "已登记")
	if n := eval[int](bureau, `document.querySelectorAll(".att-tile").length`); n != 1 {
		bureau.fatalf("the case shows %d attachments, want the citizen's photo", n)
	}
	bureau.do("open transfer", chromedp.Click(chromedp.CSS(".pet-act-transfer summary"), chromedp.NodeVisible))
	bureau.do("choose 青山镇", chromedp.SetValue(chromedp.CSS(`.pet-act-transfer select[name="org_id"]`), fmt.Sprint(qs)))
	wantStatus(t, "transfer", bureau.click("#do-transfer"), 200)
	bureau.wantVisibleText("#status", "已转办")

	// The township accepts it and answers.
	town := staff("qingshan")
	wantStatus(t, "the township opens the case", town.open(casePath), 200)
	town.do("open accept", chromedp.Click(chromedp.CSS(".pet-act-accept summary"), chromedp.NodeVisible))
	town.do("write the notice", chromedp.SendKeys(chromedp.CSS(`.pet-act-accept textarea[name="notice"]`), "已受理，60日内书面答复"))
	wantStatus(t, "accept", town.click("#do-accept"), 200)
	town.wantVisibleText("#status", "办理中")
	town.do("open reply", chromedp.Click(chromedp.CSS(".pet-act-reply summary"), chromedp.NodeVisible))
	town.do("answer",
		chromedp.Click(chromedp.CSS(`.pet-act-reply input[name="decision"][value="support"]`), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(`.pet-act-reply textarea[name="opinion_facts"]`), "经核实，砖厂拖欠工资属实"),
		chromedp.SendKeys(chromedp.CSS(`.pet-act-reply textarea[name="opinion_reasons"]`), "已责令砖厂十日内支付全部工资"),
		chromedp.SendKeys(chromedp.CSS(`.pet-act-reply textarea[name="opinion_basis"]`), "《保障农民工工资支付条例》第三条"),
	)
	wantStatus(t, "reply", town.click("#do-reply"), 200)
	town.wantVisibleText("#status", "已答复")

	// The citizen looks it up and rates the answer.
	wantStatus(t, "the look-up form", p.open("/public/petitions/query"), 200)
	p.fitsPhone("the look-up form")
	shot("query")
	p.do("enter the code and the phone",
		chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), strings.ToLower(code)),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), "137 0000 1111"),
	)
	wantStatus(t, "look up", p.click("#query"), 200)
	p.wantVisibleText("#number", number)
	p.wantVisibleText("#status", "已答复")
	p.wantVisibleText("#milestones", "已登记", "已转送有权处理的机关", "青山镇", "已受理", "已受理，60日内书面答复", "已作出书面答复")
	p.wantVisibleText("#answer-0", "予以支持", "已责令砖厂十日内支付全部工资", "保障农民工工资支付条例")
	p.wantVisibleText("#review-until", "30 天")
	p.fitsPhone("the case")
	shot("status")
	wantStatus(t, "rate 满意", p.click("#rate-satisfied"), 200)
	p.wantVisibleText("#notice", "感谢")
	p.wantVisibleText("#rated", "满意")
	p.wantVisibleText("#milestones", "已评价")
	if p.visible("#rate") {
		p.fatalf("the rating is offered again")
	}
	shot("rated")
	var rating string
	if err := p.env.App.DB.QueryRow(ctx, "SELECT rating FROM petitions WHERE id = ?", id).Scan(&rating); err != nil {
		t.Fatal(err)
	}
	if rating != "satisfied" {
		t.Fatalf("the register holds the rating %q", rating)
	}
	// The bureau sees the rating on its timeline.
	wantStatus(t, "bureau reloads", bureau.open(casePath), 200)
	bureau.wantVisibleText("#timeline", "满意")
}

// solveQuestion answers the portal's check question ("七加五等于几？").
func solveQuestion(t *testing.T, q string) string {
	t.Helper()
	n := map[rune]int{'二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	r := []rune(strings.TrimSpace(q))
	if len(r) < 3 || r[1] != '加' || n[r[0]] == 0 || n[r[2]] == 0 {
		t.Fatalf("a question of another shape: %q", q)
	}
	return strconv.Itoa(n[r[0]] + n[r[2]])
}
