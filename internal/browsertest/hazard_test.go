package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/demo"
)

// TestHazardFromChecklistToClosure walks a hazard on a phone from a failed
// checklist item through rectification to closure: 青山镇's staff member
// inspects a chemicals warehouse and marks an item 不合格 with a note,
// registers the hazard from that item in one tap; the enterprise's contact,
// in a browser of their own, starts the rectification and submits a photo
// as evidence; the township's staff member accepts it and the hazard is
// closed (销号).
func TestHazardFromChecklistToClosure(t *testing.T) {
	p := newTab(t)
	ctx := context.Background()
	var ent int64
	if err := p.env.App.DB.QueryRow(ctx, "SELECT id FROM enterprises WHERE name = '示范区青山瑞丰化工仓储有限公司'").Scan(&ent); err != nil {
		t.Fatal(err)
	}
	var items []int64
	rows, err := p.env.App.DB.Query(ctx, "SELECT id FROM inspection_template_items WHERE template_id = 1 ORDER BY number")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		items = append(items, id)
	}
	rows.Close()
	if len(items) < 2 {
		t.Fatalf("checklist 1 has %d items", len(items))
	}
	p.do("emulate a phone", phone)
	p.open("/signin")
	wantStatus(t, "sign in", p.signIn("qingshan", demo.DemoPassword), 200)

	// The checklist: every item passes but the second, which fails with a note.
	wantStatus(t, "open the inspection form", p.open(fmt.Sprintf("/inspections/new?enterprise_id=%d&template_id=1&kind=territorial", ent)), 200)
	failed := items[1]
	note := fmt.Sprintf(`textarea[name="item_%d_note"]`, failed)
	if p.visible(note) {
		p.fatalf("the problem note shows before the item failed")
	}
	for _, id := range items {
		choice := "pass"
		if id == failed {
			choice = "fail"
		}
		p.do("tap "+choice, chromedp.Click(chromedp.CSS(fmt.Sprintf("#item-%d .ins-%s span", id, choice)), chromedp.NodeVisible))
	}
	p.do("describe the problem", chromedp.SendKeys(chromedp.CSS(note), "二楼安全出口被货物堵塞"))
	p.fitsPhone("the checklist")
	wantStatus(t, "submit the inspection", p.click("#submit"), 200)
	if !strings.HasPrefix(p.path(), "/inspections/") {
		p.fatalf("after submitting: at %s", p.path())
	}

	// One tap registers the hazard from the failed item, prefilled.
	wantStatus(t, "register the hazard", p.click(".ins-hz-form button"), 200)
	if !strings.HasPrefix(p.path(), "/hazards/") {
		p.click(".ins-hz-link")
	}
	if !strings.HasPrefix(p.path(), "/hazards/") {
		p.fatalf("after registering: at %s, want the hazard", p.path())
	}
	hazardPath := p.path()
	p.wantVisibleText("#title", "二楼安全出口被货物堵塞")
	number := p.text("#number")
	var stored, status string
	if err := p.env.App.DB.QueryRow(ctx, "SELECT number, status FROM hazards WHERE enterprise_id = ? AND source = 'inspection'", ent).Scan(&stored, &status); err != nil {
		t.Fatal(err)
	}
	if number != stored || status != "registered" {
		p.fatalf("the page shows %q; the ledger holds %q in state %s", number, stored, status)
	}

	// The enterprise rectifies, in a browser context of its own, on a phone too.
	bctx, cancel := chromedp.NewContext(p.b.Ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("a second browser context: %v", err)
	}
	firm := &tab{t: t, env: p.env, b: &Browser{Ctx: bctx}, base: p.base}
	firm.do("emulate a phone", phone)
	firm.open("/signin")
	wantStatus(t, "enterprise sign in", firm.signIn("qiye", demo.DemoPassword), 200)
	wantStatus(t, "open the hazard", firm.open(hazardPath), 200)
	firm.do("open start", chromedp.Click(chromedp.CSS(".hz-act-start summary"), chromedp.NodeVisible))
	wantStatus(t, "start", firm.click("#do-start"), 200)
	firm.wantVisibleText("#status", "整改中")
	photo := filepath.Join(t.TempDir(), "整改后.png")
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 32, 32)))
	if err := os.WriteFile(photo, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	firm.do("open evidence", chromedp.Click(chromedp.CSS(".hz-act-submit_evidence summary"), chromedp.NodeVisible))
	firm.do("evidence", chromedp.SendKeys(chromedp.CSS(`.hz-act-submit_evidence textarea[name="comment"]`), "货物已清走，通道畅通"),
		chromedp.SetUploadFiles(chromedp.CSS(`.hz-act-submit_evidence input[type="file"]`), []string{photo}))
	wantStatus(t, "submit evidence", firm.click("#do-submit_evidence"), 200)
	firm.wantVisibleText("#status", "待验收")
	if firm.visible("#do-accept") || firm.visible(".hz-act-accept") {
		firm.fatalf("the enterprise is offered to accept its own rectification")
	}

	// The township accepts: closed.
	wantStatus(t, "reopen the hazard", p.open(hazardPath), 200)
	p.do("open accept", chromedp.Click(chromedp.CSS(".hz-act-accept summary"), chromedp.NodeVisible))
	wantStatus(t, "accept", p.click("#do-accept"), 200)
	p.wantVisibleText("#status", "已销号")
	if err := p.env.App.DB.QueryRow(ctx, "SELECT status FROM hazards WHERE number = ?", stored).Scan(&status); err != nil || status != "closed" {
		t.Fatalf("the ledger says %s (%v) after acceptance", status, err)
	}
	p.fitsPhone("the hazard page")
}
