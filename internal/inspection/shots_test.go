package inspection_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/browsertest"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestScreenshots photographs the inspection pages with data in them, at
// phone (390x844) and desktop (1366x900) sizes, as qingshan and qiye, and
// taps 不合格 on the phone form to show a failed item opened. It runs only
// with ANWEN_INSPECTION_SHOTS=<directory> (review aid, not a CI test):
//
//	ANWEN_INSPECTION_SHOTS=/tmp/shots go test ./internal/inspection -run TestScreenshots
func TestScreenshots(t *testing.T) {
	dir := browsertest.ShotsDir(t, "ANWEN_INSPECTION_SHOTS")
	f := setup(t, dbtest.SQLite(t))
	env := f.env
	qs := env.TokenClient("qingshan")
	p1, p2 := upload(t, qs, "安全出口.png"), upload(t, qs, "气瓶.png")
	body := map[string]any{"kind": "leadership", "enterprise_id": f.b, "leader_user_id": env.UserID("leader"),
		"inspector_ids": []int64{env.UserID("qingshan"), env.UserID("wanggeyuan")}, "participants": "区消防救援大队 王工",
		"inspected_at": at("2026-11-27 09:10"), "template_id": f.fire.ID, "answers": answers(f.fire, 1, 5),
		"summary":  "商场总体管理较好。二楼东侧安全出口被货物堵塞，已要求当场清理；电动自行车在楼道充电的问题限期整改。",
		"findings": []map[string]any{{"text": "后厨液化气瓶与灶具距离不足 0.5 米", "category": "gas", "location": "一楼后厨", "attachment_ids": []int64{p2}}}}
	ans := body["answers"].([]map[string]any)
	ans[0]["note"], ans[0]["attachment_ids"] = "二楼东侧安全出口被货物堵塞", []int64{p1}
	ans[4]["note"] = "三楼楼道有 2 辆电动自行车充电"
	ans[6]["result"] = "na"
	big := record(t, qs, body)
	qs.SendJSON("POST", "/api/v1/inspections/"+itoa(big.ID)+"/hazards", map[string]any{"answer_id": big.Failed()[0].ID, "deadline": "2026-12-04"})
	record(t, env.TokenClient("wanggeyuan"), map[string]any{"kind": "territorial", "territory_org_id": env.OrgID("SFQ-QS-01"), "place": "上坪村沿街门面",
		"findings": []map[string]any{{"text": "门面内堆放液化气瓶 3 个", "category": "gas", "location": "12 号门面"}}})
	record(t, qs, map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire), "inspected_at": at("2026-11-20 14:00")})
	record(t, qs, map[string]any{"kind": "joint", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire)[:3], "draft": true})
	own := record(t, env.TokenClient("qiye"), map[string]any{"kind": "self", "enterprise_id": f.own, "template_id": f.dust.ID, "answers": answers(f.dust, 4),
		"summary": "每周自查。"})

	// On the phone form, tap 不合格 on the second item: its note and photo open, red.
	tapFail := func(ctx context.Context, path string, sz browsertest.Size) error {
		if !strings.HasPrefix(path, "/inspections/new?") || !sz.Mobile {
			return nil
		}
		item := fmt.Sprintf("#item-%d", f.fire.Items[1].ID)
		if err := chromedp.Do(ctx, chromedp.Click(item+" .ins-fail span")); err != nil {
			return err
		}
		open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("`+item+` .ins-fail-extra")).display !== "none"`))
		if err != nil || !open {
			return fmt.Errorf("tapping 不合格 did not open the note (%v)", err)
		}
		return nil
	}
	browsertest.Screenshots(t, env.Server.URL, dir,
		browsertest.Session{Login: "qingshan", Then: tapFail, Paths: []string{"/inspections", "/inspections/new", "/inspections/new?enterprise_id=" + itoa(f.b), "/inspections/" + itoa(big.ID)}},
		browsertest.Session{Login: "qiye", Paths: []string{"/inspections", "/inspections/new", "/inspections/" + itoa(own.ID)}},
	)
}
