package hazard_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/inspection"
)

// count reads the number a section shows for one state (data-n).
func sectionCount(t *testing.T, page, key string) string {
	t.Helper()
	m := regexp.MustCompile(`data-n="` + key + `"(?: class="(bad|zero)")?><span class="n num">(\d+)</span>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no count %s on the page", key)
	}
	if m[1] != "" {
		return m[2] + " " + m[1]
	}
	return m[2]
}

// TestEnterpriseSections: the enterprise page shows its hazards (counts by
// state, the open ones with deadline and overdue, links to the ledger) and
// its latest inspections, to whoever may see them there.
func TestEnterpriseSections(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ent := f.entShangping
		open := f.register("qingshan", map[string]any{"enterprise_id": ent, "description": "仓库消防通道堆放杂物", "category": "fire", "deadline": "2026-12-10"})
		late := f.register("qingshan", map[string]any{"enterprise_id": ent, "description": "配电柜未接地", "category": "electrical",
			"found_at": at("2026-11-01 09:00"), "deadline": "2026-11-20"})
		major := f.register("qingshan", f.major(map[string]any{"org_id": nil, "enterprise_id": ent, "deadline": "2026-12-31"}))
		done := f.register("qingshan", map[string]any{"enterprise_id": ent, "description": "灭火器过期", "category": "fire", "deadline": "2026-12-01"})
		f.mustStep("wanggeyuan", done.ID, map[string]any{"action": "submit_evidence", "comment": "已更换", "attachment_ids": []int64{f.photo("wanggeyuan")}})
		f.mustStep("qingshan", done.ID, map[string]any{"action": "accept"})
		f.mustStep("qingshan", open.ID, map[string]any{"action": "start"})
		other := f.register("qingshan", map[string]any{"enterprise_id": f.entQingshan, "description": "别家的隐患", "category": "gas", "deadline": "2026-12-10"})
		// An inspection of the plant by the township.
		insp, err := f.env.App.Inspections().Record(context.Background(), f.actor("qingshan"), inspection.Input{Kind: inspection.KindTerritorial, EnterpriseID: &ent,
			Participants: "安监站", Summary: "季度检查", Findings: []inspection.FindingInput{{Text: "疏散指示灯不亮", Category: "fire"}}})
		if err != nil {
			t.Fatal(err)
		}
		path := "/enterprises/" + itoa(ent)

		t.Run("township staff", func(t *testing.T) {
			r := f.env.SignIn("qingshan").Get(path)
			page := string(r.Body)
			must(t, r.StatusCode == 200 && strings.Contains(page, `id="hazards"`) && strings.Contains(page, `id="hz-total">4<`), "section: %d", r.StatusCode)
			for key, want := range map[string]string{"registered": "2", "rectifying": "1", "awaiting_acceptance": "0 zero", "closed": "1",
				"overdue": "1 bad", "major_open": "1 bad"} {
				must(t, sectionCount(t, page, key) == want, "%s: %s, want %s", key, sectionCount(t, page, key), want)
			}
			for _, h := range []struct {
				id     int64
				number string
			}{{open.ID, open.Number}, {late.ID, late.Number}, {major.ID, major.Number}} {
				must(t, strings.Contains(page, `<a href="/hazards/`+itoa(h.id)+`">`) && strings.Contains(page, h.number), "open hazard %s listed", h.number)
			}
			must(t, !strings.Contains(page, done.Number) && !strings.Contains(page, other.Number), "closed or other enterprise's hazard listed")
			// The overdue one first, in red, with its days.
			must(t, strings.Index(page, late.Number) < strings.Index(page, open.Number), "nearest deadline first")
			must(t, regexp.MustCompile(`hz-ent-overdue" data-id="`+itoa(late.ID)+`"`).MatchString(page) && strings.Contains(page, "逾期 7 天"), "overdue marked")
			must(t, strings.Contains(page, `href="/hazards?enterprise_id=`+itoa(ent)+`" id="hz-all"`), "all hazards link")
			must(t, strings.Contains(page, `href="/hazards/quarterly?enterprise_id=`+itoa(ent)+`"`), "statistics table link")
			must(t, strings.Contains(page, `href="/hazards/new?enterprise_id=`+itoa(ent)+`"`), "register link for staff")
			// The inspections.
			must(t, strings.Contains(page, `id="inspections"`) && strings.Contains(page, `<a href="/inspections/`+itoa(insp.ID)+`">`) &&
				strings.Contains(page, "发现问题 1 项") && strings.Contains(page, `id="insp-total">1<`), "inspection section")
			must(t, strings.Contains(page, `href="/inspections?enterprise_id=`+itoa(ent)+`"`), "all inspections link")
			// The ledger link lands on the enterprise's hazards only.
			ids := f.list("qingshan", map[string][]string{"enterprise_id": {itoa(ent)}})
			must(t, len(ids) == 4, "ledger filtered by enterprise: %v", ids)
		})

		t.Run("enterprise contact", func(t *testing.T) {
			page := string(f.env.SignIn("qiye").Get(path).Body)
			must(t, strings.Contains(page, `id="hz-total">4<`) && strings.Contains(page, late.Number), "qiye sees its hazards")
			// Its inspections block lists self-inspections only: the township's is not one.
			must(t, strings.Contains(page, `id="inspections"`) && !strings.Contains(page, `/inspections/`+itoa(insp.ID)+`"`) && strings.Contains(page, `id="insp-none"`), "qiye's inspections")
			must(t, f.env.SignIn("qiye").Get("/enterprises/"+itoa(f.entQingshan)).StatusCode == 404, "another enterprise's page")
		})

		t.Run("no hazard work", func(t *testing.T) {
			// The system administrator keeps the register but does no safety work.
			r := f.env.SignIn("admin").Get(path)
			page := string(r.Body)
			must(t, r.StatusCode == 200 && !strings.Contains(page, "hz-total") && !strings.Contains(page, late.Number) && !strings.Contains(page, `id="inspections"`), "admin: %d", r.StatusCode)
		})

		t.Run("english", func(t *testing.T) {
			c := f.env.SignIn("qingshan")
			c.Get("/lang?to=en&back=/")
			page := string(c.Get(path).Body)
			must(t, strings.Contains(page, "All hazards") && strings.Contains(page, "Inspections") && strings.Contains(page, "Quarterly table"), "english section")
		})
	})
}
