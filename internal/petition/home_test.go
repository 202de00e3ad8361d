package petition_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestHomeSection: the home page shows those who work with petitions the
// open cases in their reach, those due soon and those overdue, linking to
// the ledger (a department, nothing of others'); others see no block.
func TestHomeSection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for i := 0; i < 2; i++ {
			c := f.register("xfj", f.claim(nil))
			f.mustStep("xfj", c.ID, map[string]any{"action": "transfer", "org_id": f.env.OrgID("SFQ-QS")})
		}
		f.register("xfj", f.claim(nil)) // still at the bureau
		f.setClock("2026-12-10 10:00")  // the township's 15 days to accept are past 75 %
		figures := func(login string) []string {
			body := string(f.env.SignIn(login).Get("/").Body)
			i := strings.Index(body, `id="petitions-home"`)
			if i < 0 {
				return nil
			}
			var out []string
			for _, m := range regexp.MustCompile(`<span class="n">([^<]*)</span>`).FindAllStringSubmatch(body[i:], 3) {
				out = append(out, m[1])
			}
			return out
		}
		must(t, strings.Join(figures("qingshan"), ",") == "2,2,0", "the township's figures: %v", figures("qingshan"))
		must(t, strings.Join(figures("xfj"), ",") == "3,3,0", "the bureau's figures: %v", figures("xfj"))
		f.setClock("2026-12-14 10:00") // all three past their last day
		must(t, strings.Join(figures("qingshan"), ",") == "2,0,2", "the township's figures when late: %v", figures("qingshan"))
		must(t, strings.Contains(string(f.env.SignIn("qingshan").Get("/").Body), `class="dr-mini-s bad"`), "overdue is not marked")
		must(t, strings.Join(figures("yjj"), ",") == "0,0,0", "a department sees others' cases: %v", figures("yjj"))
		must(t, figures("wanggeyuan") == nil, "a grid worker sees a petition block")
	})
}
