package dispute_test

import (
	"context"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/dispute"
	"github.com/anwen-gov/anwen/internal/org"
)

// planDispute is what the reference ledger knows of a dispute.
type planDispute struct {
	id                                   int64
	occurred                             time.Time
	number, status, typ, risk, urgency   string
	path, respPath, deadline, searchText string
	count                                int
}

// TestLedgerPlans: over 3,000 disputes built as the benchmark builds them,
// every way the ledger reads a page — a small filter's index read whole,
// the subtree as the union of two index ranges, an ordered index walked
// newest-first with the search's LIKE, the search index for queries of
// one, two and more characters, the planner's choice on PostgreSQL —
// lists exactly the disputes the filters and the reader's reach describe,
// newest first, over every page forward and one back, with the total.
// Each query runs with the indexes read whole up to the production size
// and with them walked (SetProbeMax(40)), for district staff, a township
// and a village's grid worker.
func TestLedgerPlans(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		buildDisputes(t, f.env, 3000)
		var all []planDispute
		rows, err := d.Query(ctx, `SELECT id, occurred_at, number, status, type_code, risk_level, urgency, path, resp_path, deadline, search_text, party_count FROM disputes`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var x planDispute
			if err := rows.Scan(&x.id, &x.occurred, &x.number, &x.status, &x.typ, &x.risk, &x.urgency, &x.path, &x.respPath, &x.deadline, &x.searchText, &x.count); err != nil {
				t.Fatal(err)
			}
			x.occurred = x.occurred.UTC()
			all = append(all, x)
		}
		rows.Close()
		path := func(code string) string {
			o, err := org.ByID(ctx, d, f.env.OrgID(code))
			if err != nil {
				t.Fatal(err)
			}
			return o.Path
		}
		paths := map[string]string{itoa(f.env.OrgID("SFQ-QS")): path("SFQ-QS"), itoa(f.env.OrgID("SFQ-QS-01")): path("SFQ-QS-01"), itoa(f.env.OrgID("SFQ-RSJ")): path("SFQ-RSJ")}
		reach := map[string]string{"xfj": path("SFQ"), "qingshan": path("SFQ-QS"), "wanggeyuan": path("SFQ-QS-01")}
		in := func(x planDispute, tree string) bool {
			lo, hi := org.SubtreeRange(tree)
			return (x.path >= lo && x.path < hi) || (x.respPath >= lo && x.respPath < hi)
		}
		today := calendar.DateOf(f.env.Clock.Now()).String()
		day := func(s string) time.Time { d, _ := calendar.ParseDate(s); return d.Time().UTC() }
		open := map[string]bool{"registered": true, "resolving": true, "stable": true}
		want := func(who string, q url.Values) []int64 {
			var out []planDispute
			for _, x := range all {
				if !in(x, reach[who]) || (q.Get("org_id") != "" && !in(x, paths[q.Get("org_id")])) {
					continue
				}
				switch s := q.Get("status"); {
				case s == "open" && !open[x.status], s != "" && s != "open" && x.status != s:
					continue
				}
				if (q.Get("type") != "" && x.typ != q.Get("type")) || (q.Get("risk_level") != "" && x.risk != q.Get("risk_level")) ||
					(q.Get("urgency") != "" && x.urgency != q.Get("urgency")) || (q.Get("many") != "" && x.count < 5) ||
					(q.Get("overdue") != "" && !(open[x.status] && x.deadline < today)) ||
					(q.Get("q") != "" && !strings.Contains(x.searchText, strings.ToLower(q.Get("q")))) || (q.Get("phone") != "" && x.id != 778) ||
					(q.Get("from") != "" && x.occurred.Before(day(q.Get("from")))) || (q.Get("to") != "" && !x.occurred.Before(day(q.Get("to")).AddDate(0, 0, 1))) {
					continue
				}
				out = append(out, x)
			}
			sort.Slice(out, func(i, j int) bool {
				if !out[i].occurred.Equal(out[j].occurred) {
					return out[i].occurred.After(out[j].occurred)
				}
				return out[i].id > out[j].id
			})
			ids := make([]int64, len(out))
			for i, x := range out {
				ids[i] = x.id
			}
			return ids
		}
		qs, village, rsj := itoa(f.env.OrgID("SFQ-QS")), itoa(f.env.OrgID("SFQ-QS-01")), itoa(f.env.OrgID("SFQ-RSJ"))
		queries := []string{"", "status=open", "status=resolved", "type=wages", "risk_level=red", "urgency=critical", "overdue=1", "many=1",
			"from=2026-06-01&to=2026-08-31", "org_id=" + qs, "org_id=" + village, "org_id=" + rsj, "org_id=" + qs + "&status=open&type=land",
			"type=neighbour&risk_level=red&status=to_court", "status=open&many=1&urgency=critical",
			"q=工资", "q=物业费", "q=欧阳娜娜", "q=资", "q=坪村", "q=" + strings.ToLower(all[1500].number), "q=" + all[1500].number[3:], "q=拖欠&org_id=" + qs,
			"q=宅基地&status=open", "q=没有这个", "q=涉及1户", "phone=" + benchPhone}
		actors := map[string]*auth.Actor{"xfj": f.actor("xfj"), "qingshan": f.actor("qingshan"), "wanggeyuan": f.actor("wanggeyuan")}
		const probeMax = 20000
		for _, probe := range []int{probeMax, 40} {
			restore := dispute.SetProbeMax(probe)
			for _, who := range []string{"xfj", "qingshan", "wanggeyuan"} {
				for _, q := range queries {
					vals, _ := url.ParseQuery(q)
					if o := vals.Get("org_id"); o != "" && !strings.HasPrefix(paths[o], reach[who]) {
						continue // out of reach: 404, tested elsewhere
					}
					if vals.Get("phone") != "" && who == "wanggeyuan" {
						continue // finding people: those who handle disputes
					}
					exp := want(who, vals)
					if probe == probeMax {
						t.Logf("%s ?%s: %d %s", who, q, len(exp), "disputes")
					}
					vals.Set("limit", "9")
					var got []int64
					var pages []*dispute.Page
					for i := 0; i < 1000; i++ {
						flt, err := dispute.ParseFilter(vals)
						if err != nil {
							t.Fatalf("?%s: %v", q, err)
						}
						p, err := f.svc().List(ctx, actors[who], flt)
						if err != nil {
							t.Fatalf("%s ?%s: %v", who, q, err)
						}
						pages = append(pages, p)
						for _, r := range p.Rows {
							got = append(got, r.ID)
						}
						if i == 0 && p.Counted && (!p.TotalExact || p.Total != len(exp)) {
							t.Errorf("probe %d, %s ?%s: total %d (exact %v), want %d", probe, who, q, p.Total, p.TotalExact, len(exp))
						}
						if p.Next == "" {
							break
						}
						vals.Set("after", p.Next)
					}
					if !slices.Equal(got, exp) {
						t.Errorf("probe %d, %s ?%s: %d disputes %v…, want %d %v…", probe, who, q, len(got), head(got), len(exp), head(exp))
						continue
					}
					if len(pages) > 1 {
						vals.Del("after")
						vals.Set("before", pages[1].Prev)
						flt, _ := dispute.ParseFilter(vals)
						p, err := f.svc().List(ctx, actors[who], flt)
						if err != nil {
							t.Fatal(err)
						}
						var back []int64
						for _, r := range p.Rows {
							back = append(back, r.ID)
						}
						if !slices.Equal(back, exp[:9]) || p.Prev != "" || p.Next == "" {
							t.Errorf("probe %d, %s ?%s: the page before the second %v, want %v", probe, who, q, back, exp[:9])
						}
					}
				}
			}
			restore()
		}
	})
}

func head(ids []int64) []int64 { return ids[:min(len(ids), 8)] }
