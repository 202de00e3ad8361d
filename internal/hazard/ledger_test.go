package hazard_test

import (
	"context"
	"net/url"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/hazard"
)

// ledgerSet registers six hazards with distinct attributes and returns their ids, 1-based.
func (f *fixture) ledgerSet() []int64 {
	f.t.Helper()
	ctx := context.Background()
	reg := func(login string, in hazard.Input) int64 {
		f.t.Helper()
		in.ResponsiblePerson = "测试责任人" // the set, apart from any other hazard
		h, err := f.svc().Register(ctx, f.actor(login), in)
		if err != nil {
			f.t.Fatal(err)
		}
		return h.ID
	}
	step := func(login string, id int64, in hazard.TransitionInput) {
		f.t.Helper()
		if _, err := f.svc().Transition(ctx, f.actor(login), id, in); err != nil {
			f.t.Fatal(err)
		}
	}
	found := func(s string) *time.Time { t := at(s); return &t }
	std, camp := int64(3), int64(7)
	ids := []int64{0}
	ids = append(ids, reg("qingshan", hazard.Input{OrgID: f.env.OrgID("SFQ-QS"), Description: "配电箱线路老化，存在漏电风险", Category: "electrical", FoundAt: found("2026-11-20 10:00"), Deadline: "2026-11-25"}))
	ids = append(ids, reg("qingshan", hazard.Input{EnterpriseID: &f.entShangping, Description: "仓库消防通道堵塞", Category: "fire", Grade: hazard.Major, StandardID: &std,
		Major: &hazard.MajorReport{StateCause: "杂物堆放", Harm: "火灾时无法疏散"}, Deadline: "2026-12-10"}))
	step("qingshan", ids[2], hazard.TransitionInput{Action: "start"})
	ids = append(ids, reg("qingshan", hazard.Input{EnterpriseID: &f.entQingshan, Description: "后厨燃气软管老化开裂", Category: "gas", Deadline: "2026-12-01"}))
	step("qingshan", ids[3], hazard.TransitionInput{Action: "submit_evidence", Comment: "已更换", AttachmentIDs: []int64{f.photo("qingshan")}})
	step("yjj", ids[3], hazard.TransitionInput{Action: "accept"})
	ids = append(ids, reg("yjj", hazard.Input{EnterpriseID: &f.entDongcheng, Description: "疏散指示灯损坏", Category: "fire", Deadline: "2026-12-01"}))
	ids = append(ids, reg("qingshan", hazard.Input{OrgID: f.env.OrgID("SFQ-QS-02"), Description: "村口路口缺少减速带", Category: "traffic", CampaignID: &camp,
		FoundAt: found("2026-10-01 09:00"), Deadline: "2026-10-15"}))
	ids = append(ids, reg("qingshan", hazard.Input{OrgID: f.env.OrgID("SFQ-QS"), Description: "重复登记的电气隐患", Category: "electrical", Deadline: "2026-12-05"}))
	step("yjj", ids[6], hazard.TransitionInput{Action: "cancel", Reason: "重复"})
	return ids
}

// list asks the ledger as login and returns the ids of all pages.
func (f *fixture) list(login string, q url.Values) []int64 {
	f.t.Helper()
	var out []int64
	after := ""
	for page := 0; page < 500; page++ {
		v := url.Values{}
		for k, x := range q {
			v[k] = x
		}
		if after != "" {
			v.Set("after", after)
		}
		r := f.c(login).Get("/api/v1/hazards?" + v.Encode())
		if r.StatusCode != 200 {
			f.t.Fatalf("ledger %s as %s: %d %s", v.Encode(), login, r.StatusCode, r.Body)
		}
		var p hazard.Page
		r.JSON(f.t, &p)
		for _, row := range p.Rows {
			out = append(out, row.ID)
		}
		if p.Next == "" {
			return out
		}
		after = p.Next
	}
	f.t.Fatal("more than 500 pages")
	return nil
}

func sorted(ids []int64) []int64 {
	out := append([]int64{}, ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func TestLedgerFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var before, beforeQS hazard.Stats
		f.c("yjj").Get("/api/v1/hazards/stats?from=2026-10-01&to=2026-11-27").JSON(t, &before)
		f.c("yjj").Get("/api/v1/hazards/stats?org_id="+itoa(f.env.OrgID("SFQ-QS"))+"&from=2026-11-01").JSON(t, &beforeQS)
		h := f.ledgerSet()
		set := map[int64]bool{}
		for _, id := range h[1:] {
			set[id] = true
		}
		// mine keeps the set's hazards (the demo's may be there too).
		mine := func(ids []int64) []int64 {
			out := []int64{}
			for _, id := range ids {
				if set[id] {
					out = append(out, id)
				}
			}
			return out
		}
		ids := func(ns ...int) []int64 {
			out := []int64{}
			for _, n := range ns {
				out = append(out, h[n])
			}
			return sorted(out)
		}
		var number4 string
		d.QueryRow(context.Background(), "SELECT number FROM hazards WHERE id = ?", h[4]).Scan(&number4)
		cases := []struct {
			name  string
			login string
			q     url.Values
			want  []int64
		}{
			{"everything in the district", "yjj", url.Values{}, ids(1, 2, 3, 4, 5, 6)},
			{"a township's staff sees the township", "qingshan", url.Values{}, ids(1, 2, 3, 5, 6)},
			{"org subtree", "yjj", url.Values{"org_id": {itoa(f.env.OrgID("SFQ-QS"))}}, ids(1, 2, 3, 5, 6)},
			{"a village", "yjj", url.Values{"org_id": {itoa(f.env.OrgID("SFQ-QS-01"))}}, ids(2)},
			{"status", "yjj", url.Values{"status": {"rectifying"}}, ids(2)},
			{"open", "yjj", url.Values{"status": {"open"}}, ids(1, 2, 4, 5)},
			{"closed", "yjj", url.Values{"status": {"closed"}}, ids(3)},
			{"cancelled", "yjj", url.Values{"status": {"cancelled"}}, ids(6)},
			{"major", "yjj", url.Values{"grade": {"major"}}, ids(2)},
			{"category", "yjj", url.Values{"category": {"fire"}}, ids(2, 4)},
			{"industry", "yjj", url.Values{"industry": {"餐饮"}}, ids(3)},
			{"overdue", "yjj", url.Values{"overdue": {"1"}}, ids(1, 5)},
			{"campaign", "yjj", url.Values{"campaign_id": {"7"}}, ids(5)},
			{"enterprise", "yjj", url.Values{"enterprise_id": {itoa(f.entShangping)}}, ids(2)},
			{"date range", "yjj", url.Values{"from": {"2026-11-01"}, "to": {"2026-11-27"}}, ids(1, 2, 3, 4, 6)},
			{"date range, one day", "yjj", url.Values{"from": {"2026-10-01"}, "to": {"2026-10-01"}}, ids(5)},
			{"combined", "yjj", url.Values{"org_id": {itoa(f.env.OrgID("SFQ-QS"))}, "category": {"electrical"}, "status": {"open"}}, ids(1)},
			{"search, three characters", "yjj", url.Values{"q": {"线路老"}}, ids(1)},
			{"search, two characters", "yjj", url.Values{"q": {"老化"}}, ids(1, 3)},
			{"search, one character", "yjj", url.Values{"q": {"灯"}}, ids(4)},
			{"search, enterprise name", "yjj", url.Values{"q": {"上坪精细"}}, ids(2)},
			{"search, number", "yjj", url.Values{"q": {number4}}, ids(4)},
			{"search, nothing", "yjj", url.Values{"q": {"地震"}}, ids()},
			{"search with wildcards", "yjj", url.Values{"q": {"%_"}}, ids()},
			{"search within a scope", "qingshan", url.Values{"q": {"疏散"}}, ids()},
			{"paged by two", "yjj", url.Values{"limit": {"2"}}, ids(1, 2, 3, 4, 5, 6)},
			{"paged by two, by deadline", "yjj", url.Values{"limit": {"2"}, "sort": {"deadline"}}, ids(1, 2, 3, 4, 5, 6)},
		}
		// Each case twice: as planned for a few rows, and as for many
		// (SQLite walks the sort's order, every count gives up, and
		// PostgreSQL gathers the matches as its planner likes).
		for _, mode := range []string{"few", "many"} {
			restore := func() {}
			if mode == "many" {
				restore = hazard.SetPlanThresholds(0, 0, true)
			}
			for _, c := range cases {
				t.Run(mode+"/"+c.name, func(t *testing.T) {
					got := sorted(mine(f.list(c.login, c.q)))
					if !reflect.DeepEqual(got, c.want) {
						t.Fatalf("%v, want %v", got, c.want)
					}
				})
			}
			restore()
		}
		t.Run("sort and pages both ways", func(t *testing.T) {
			q := url.QueryEscape("测试责任人")
			all := f.list("yjj", url.Values{"sort": {"deadline"}, "q": {"测试责任人"}})
			must(t, reflect.DeepEqual(all, []int64{h[5], h[1], h[3], h[4], h[6], h[2]}), "by deadline: %v", all)
			byFound := f.list("yjj", url.Values{"q": {"测试责任人"}})
			must(t, len(byFound) == 6 && byFound[len(byFound)-1] == h[5], "newest first ends with the oldest: %v", byFound)
			var p1, p2, back hazard.Page
			f.c("yjj").Get("/api/v1/hazards?sort=deadline&limit=2&q="+q).JSON(t, &p1)
			must(t, p1.Total != nil && *p1.Total == 6 && p1.TotalExact && p1.Prev == "" && p1.Next != "", "first page: %+v", p1)
			f.c("yjj").Get("/api/v1/hazards?sort=deadline&limit=2&q="+q+"&after="+p1.Next).JSON(t, &p2)
			must(t, p2.Rows[0].ID == h[3] && p2.Prev != "", "second page %+v", p2.Rows)
			f.c("yjj").Get("/api/v1/hazards?sort=deadline&limit=2&q="+q+"&before="+p2.Prev).JSON(t, &back)
			must(t, len(back.Rows) == 2 && back.Rows[0].ID == p1.Rows[0].ID && back.Rows[1].ID == p1.Rows[1].ID && back.Prev == "", "back: %+v", back)
		})
		t.Run("bad filters", func(t *testing.T) {
			for _, q := range []string{"status=done", "grade=x", "sort=random", "from=2026-13-01", "limit=1000", "org_id=abc", "overdue=maybe", "after=bm90LWEtY3Vyc29y", "after=" + "x%21"} {
				r := f.c("yjj").Get("/api/v1/hazards?" + q)
				must(t, r.StatusCode == 400, "%s: %d", q, r.StatusCode)
			}
		})
		t.Run("statistics", func(t *testing.T) {
			var st hazard.Stats
			r := f.c("yjj").Get("/api/v1/hazards/stats?from=2026-10-01&to=2026-11-27")
			r.JSON(t, &st)
			must(t, r.StatusCode == 200 && st.OrgName == "示范区", "stats: %d %s", r.StatusCode, r.Body)
			tot, was := st.Total, before.Total
			must(t, tot.Found-was.Found == 5 && tot.Closed-was.Closed == 1 && tot.FoundClosed-was.FoundClosed == 1 && tot.ClosedOnTime-was.ClosedOnTime == 1 &&
				tot.Open-was.Open == 4 && tot.OverdueNow-was.OverdueNow == 2 && tot.MajorOpen-was.MajorOpen == 1, "total %+v, before %+v", tot, was)
			if was.Found == 0 {
				must(t, tot.ClosureRate != nil && *tot.ClosureRate == 0.2, "closure rate %v", tot.ClosureRate)
			}
			rows, wasRows := map[string]hazard.StatsRow{}, map[string]hazard.StatsRow{}
			for _, row := range st.Rows {
				rows[row.Name] = row
			}
			for _, row := range before.Rows {
				wasRows[row.Name] = row
			}
			qs, dc, qs0, dc0 := rows["青山镇"], rows["东城街道"], wasRows["青山镇"], wasRows["东城街道"]
			must(t, qs.Found-qs0.Found == 4 && qs.Open-qs0.Open == 3 && qs.OverdueNow-qs0.OverdueNow == 2 && dc.Found-dc0.Found == 1 && dc.Open-dc0.Open == 1, "rows %+v", st.Rows)
			must(t, len(rows) >= 12, "every township has a row: %d", len(rows))
			f.c("yjj").Get("/api/v1/hazards/stats?org_id="+itoa(f.env.OrgID("SFQ-QS"))+"&from=2026-11-01").JSON(t, &st)
			must(t, st.Total.Found-beforeQS.Total.Found == 3 && len(st.Rows) >= 8, "township stats %+v", st)
		})
	})
}
