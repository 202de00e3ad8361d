package petition_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/petition"
)

// TestLedger: each filter narrows the list, pages follow by keyset both
// ways without losing or repeating a case, and a township lists only what
// was routed to it (or below it).
func TestLedger(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		qs, dc := f.env.OrgID("SFQ-QS"), f.env.OrgID("SFQ-DC")
		var ids []int64
		for i := 0; i < 7; i++ {
			extra := map[string]any{}
			switch i % 3 {
			case 1:
				extra["channel"], extra["category"] = "letter", "suggestion"
			case 2:
				extra["channel"], extra["subject"] = "hotline", "environment"
			}
			f.setClock("2026-11-27 10:0" + itoa(int64(i)))
			ids = append(ids, f.register("xfj", f.claim(extra)).ID)
		}
		f.mustStep("xfj", ids[0], map[string]any{"action": "transfer", "org_id": qs})
		f.mustStep("xfj", ids[1], map[string]any{"action": "assign", "org_id": f.env.OrgID("SFQ-QS-01")})
		f.mustStep("xfj", ids[2], map[string]any{"action": "transfer", "org_id": dc})
		f.mustStep("xfj", ids[3], map[string]any{"action": "flag_key"})
		list := func(login, query string) ([]int64, petition.Page) {
			t.Helper()
			r := f.c(login).Get("/api/v1/petitions?" + query)
			must(t, r.StatusCode == http.StatusOK, "%s ?%s: %d %s", login, query, r.StatusCode, r.Body)
			var p petition.Page
			r.JSON(t, &p)
			var out []int64
			for _, row := range p.Rows {
				out = append(out, row.ID)
			}
			return out, p
		}
		same := func(got []int64, want ...int64) bool {
			if len(got) != len(want) {
				return false
			}
			for i := range got {
				if got[i] != want[i] {
					return false
				}
			}
			return true
		}
		for _, c := range []struct {
			login, query string
			want         []int64
		}{
			{"xfj", "", []int64{ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}},
			{"xfj", "status=routed", []int64{ids[2], ids[1], ids[0]}},
			{"xfj", "status=open", []int64{ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}},
			{"xfj", "category=suggestion", []int64{ids[4], ids[1]}},
			{"xfj", "channel=hotline", []int64{ids[5], ids[2]}},
			{"xfj", "subject=environment", []int64{ids[5], ids[2]}},
			{"xfj", "org_id=" + itoa(qs), []int64{ids[1], ids[0]}},
			{"xfj", "key=1", []int64{ids[3]}},
			{"xfj", "from=2026-11-28", nil},
			{"xfj", "to=2026-11-27&channel=letter", []int64{ids[4], ids[1]}},
			{"xfj", "number=SFQ-2026-000003", []int64{ids[2]}},
			{"xfj", "overdue=1", nil},
			{"qingshan", "", []int64{ids[1], ids[0]}},             // its own and its village's
			{f.login("SFQ-QS-01", "村党支部书记"), "", []int64{ids[1]}}, // the village's only
			{f.login("SFQ-DC", "党政办科员"), "", []int64{ids[2]}},
			{"yjj", "", nil},
			{"leader", "status=routed", []int64{ids[2], ids[1], ids[0]}},
		} {
			got, _ := list(c.login, c.query)
			must(t, same(got, c.want...), "%s ?%s: %v, want %v", c.login, c.query, got, c.want)
		}
		// Keyset pages of 3, forward then back.
		var seen []int64
		q := "limit=3"
		var prev string
		for i := 0; i < 4; i++ {
			got, p := list("xfj", q)
			seen = append(seen, got...)
			if p.Next == "" {
				break
			}
			prev = p.Next
			q = "limit=3&after=" + url.QueryEscape(p.Next)
		}
		must(t, same(seen, ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]), "pages: %v", seen)
		got, p := list("xfj", "limit=3&before="+url.QueryEscape(prev))
		must(t, same(got, ids[4], ids[3], ids[2]) && p.Prev != "" && p.Next != "", "page before: %v %+v", got, p)
		_, p = list("xfj", "limit=3")
		must(t, p.Total == 7 && p.TotalExact, "total %+v", p)
		r := f.c("xfj").Get("/api/v1/petitions?status=lost")
		must(t, r.StatusCode == http.StatusBadRequest && errorField(t, r) == "status", "bad status: %d", r.StatusCode)
		r = f.c("xfj").Get("/api/v1/petitions?after=zzz")
		must(t, r.StatusCode == http.StatusBadRequest && errorField(t, r) == "after", "bad cursor: %d", r.StatusCode)
	})
}
