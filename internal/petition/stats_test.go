package petition_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/petition"
)

// fillTally empties the petition tally and fills it again with the
// statements of migration 00019 (between "-- fill:" and "-- fill end"), as
// the migration does for an existing database.
func fillTally(t testing.TB, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	raw, err := os.ReadFile(filepath.Join("..", "db", "migrations", string(d.Dialect), "00019_petition_tally.sql"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	i, j := strings.Index(s, "-- fill:"), strings.Index(s, "-- fill end")
	if i < 0 || j < i {
		t.Fatal("the migration has no fill statements")
	}
	for _, table := range []string{"petition_tally", "petition_tally_month", "petition_tally_mix", "petition_tally_mix_month"} {
		if _, err := d.Exec(ctx, "DELETE FROM "+table); err != nil {
			t.Fatal(err)
		}
	}
	var lines []string
	for _, l := range strings.Split(s[i:j], "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			lines = append(lines, l)
		}
	}
	n := 0
	for _, stmt := range strings.Split(strings.Join(lines, "\n"), ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := d.Exec(ctx, stmt); err != nil {
			t.Fatalf("%v\n%s", err, stmt)
		}
		n++
	}
	if n != 4 {
		t.Fatalf("%d fill statements, want 4", n)
	}
}

// tallyRows is the whole tally, for comparisons.
func tallyRows(t *testing.T, d *db.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		"SELECT org_id || ' ' || day || ' ' || registered || ' ' || repeats || ' ' || accepted || ' ' || declined || ' ' || decided_on_time || ' ' || replied || ' ' || replied_on_time || ' ' || extended || ' ' || reviews || ' ' || rated || ' ' || satisfied FROM petition_tally WHERE registered <> 0 OR accepted <> 0 OR declined <> 0 OR replied <> 0 OR extended <> 0 OR reviews <> 0 OR rated <> 0 OR repeats <> 0 ORDER BY day, org_id",
		"SELECT org_id || ' ' || month || ' ' || registered || ' ' || repeats || ' ' || accepted || ' ' || declined || ' ' || decided_on_time || ' ' || replied || ' ' || replied_on_time || ' ' || extended || ' ' || reviews || ' ' || rated || ' ' || satisfied FROM petition_tally_month WHERE registered <> 0 OR accepted <> 0 OR declined <> 0 OR replied <> 0 OR extended <> 0 OR reviews <> 0 OR rated <> 0 OR repeats <> 0 ORDER BY month, org_id",
		"SELECT day || ' ' || kind || ' ' || code || ' ' || registered FROM petition_tally_mix WHERE registered <> 0 ORDER BY day, kind, code",
		"SELECT month || ' ' || kind || ' ' || code || ' ' || registered FROM petition_tally_mix_month WHERE registered <> 0 ORDER BY month, kind, code",
	} {
		rows, err := d.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		rows.Close()
		out = append(out, "--")
	}
	return out
}

func (f *fixture) stats(login, query string) (*petition.Stats, int) {
	f.t.Helper()
	r := f.c(login).Get("/api/v1/petitions/stats" + query)
	if r.StatusCode != http.StatusOK {
		return nil, r.StatusCode
	}
	var st petition.Stats
	r.JSON(f.t, &st)
	return &st, r.StatusCode
}

func rowOf(st *petition.Stats, orgID int64) *petition.StatsRow {
	for i := range st.Rows {
		if st.Rows[i].OrgID == orgID {
			return &st.Rows[i]
		}
	}
	return nil
}

func pct(r *float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.4f", *r)
}

// TestStats drives cases through the API over a spring and checks the
// statistics per org and in total: what reached each org, decisions and
// answers on time (a late acceptance and a late answer lower the rates, an
// extension keeps an answer on time), ratings, reviews, repeats, what is
// open, due soon and late now; the period's edges; the district's
// breakdowns; the tally against the migration's fill; scope; the workbook.
func TestStats(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		qs, dc, xfj := f.env.OrgID("SFQ-QS"), f.env.OrgID("SFQ-DC"), f.env.OrgID("SFQ-XFJ")
		head := f.login("SFQ-QS", "镇长")
		transfer := func(id, to int64) { f.mustStep("xfj", id, map[string]any{"action": "transfer", "org_id": to}) }
		opinion := map[string]any{"decision": "support", "facts": "经核实属实", "reasons": "依法应予支付", "basis": "《保障农民工工资支付条例》第三条"}

		f.setClock("2026-03-02 09:00")
		a := f.routeAcceptReply(nil) // 青山镇: accepted and answered on the day
		b := f.register("xfj", f.claim(nil)).ID
		transfer(b, qs)
		c := f.register("xfj", f.claim(map[string]any{"channel": "letter", "subject": "land"})).ID
		transfer(c, dc)
		dd := f.register("xfj", f.claim(map[string]any{"category": "suggestion", "subject": "urban"})).ID
		transfer(dd, qs)
		e := f.register("xfj", f.claim(map[string]any{"repeat_of": a})).ID // a repeat petition
		transfer(e, qs)
		ff := f.register("xfj", f.claim(map[string]any{"channel": "phone"})).ID
		transfer(ff, qs)
		f.mustStep("qingshan", ff, map[string]any{"action": "object", "reason": "不属于本镇职责"}) // back off 青山镇's count
		transfer(ff, dc)
		g := f.register("xfj", f.claim(map[string]any{"category": "accusation", "subject": "discipline", "accused_org_id": f.env.OrgID("SFQ-QS-01")})).ID // stays at the bureau
		rc, err := f.svc().SubmitPublic(ctx, petition.PublicInput{Name: "李四", Phone: phoneB, IDNumber: idB, Category: "claim", Subject: "labour", PlaceOrgID: &qs,
			Request: "请求支付拖欠工资", Facts: "在青山镇某厂务工，工资拖欠两个月"})
		must(t, err == nil, "submit: %v", err)
		h := int64(f.count("SELECT id FROM petitions WHERE number = ?", rc.Number))
		transfer(h, qs)
		f.mustStep("qingshan", h, map[string]any{"action": "accept"})
		f.mustStep("qingshan", h, map[string]any{"action": "reply", "opinion": opinion})
		must(t, f.svc().Rate(ctx, rc.QueryCode, phoneB, "basic") == nil, "rate")

		f.setClock("2026-03-05 10:00")
		f.mustStep("qingshan", dd, map[string]any{"action": "decline", "reason": "不属于信访事项", "notice": "不予受理"}) // on time
		f.mustStep(f.login("SFQ-DC", "信访办主任"), c, map[string]any{"action": "accept"})                          // on time
		f.setClock("2026-03-10 10:00")
		f.mustStep("xfj", a, map[string]any{"action": "request_review", "requested_on": "2026-03-10", "reason": "不服处理意见"})
		f.setClock("2026-03-25 10:00")
		f.mustStep("qingshan", b, map[string]any{"action": "accept"}) // late: routed on 2 March, 15 days
		f.setClock("2026-04-01 10:00")
		f.mustStep(head, b, map[string]any{"action": "extend", "extension_days": 20, "reason": "需现场核实", "petitioner_told": true})
		f.setClock("2026-05-20 10:00")
		f.mustStep(f.login("SFQ-DC", "信访办主任"), c, map[string]any{"action": "reply", "opinion": opinion}) // late: accepted 5 March, 60 days
		f.setClock("2026-06-05 09:00")
		i := f.register("xfj", f.claim(map[string]any{"channel": "online"})).ID
		transfer(i, qs)
		f.setClock("2026-06-10 10:00")
		f.mustStep("qingshan", b, map[string]any{"action": "reply", "opinion": opinion}) // on time with the extension
		f.setClock("2026-06-18 10:00")

		st, code := f.stats("xfj", "")
		must(t, code == 200 && st.From == "2026-01-01" && st.To == "2026-06-18", "the bureau's default: %d %+v", code, st)
		must(t, st.District && st.OrgID == f.env.OrgID("SFQ"), "the bureau sees the district: %+v", st)
		q := rowOf(st, qs)
		must(t, q != nil, "no row of 青山镇: %+v", st.Rows)
		got := fmt.Sprintf("reg %d rep %d acc %d dec %d ontime %d replied %d ontime %d ext %d rated %d sat %d reviews %d open %d overdue %d soon %d",
			q.Registered, q.Repeats, q.Accepted, q.Declined, q.DecidedOnTime, q.Replied, q.RepliedOnTime, q.Extended, q.Rated, q.Satisfied, q.Reviews, q.Open, q.OverdueNow, q.DueSoon)
		must(t, got == "reg 6 rep 1 acc 3 dec 1 ontime 3 replied 3 ontime 3 ext 1 rated 1 sat 1 reviews 1 open 2 overdue 1 soon 1", "青山镇: %s", got)
		must(t, pct(q.DecideOnTimeRate) == "0.7500" && pct(q.ReplyOnTimeRate) == "1.0000" && pct(q.SatisfactionRate) == "1.0000" && pct(q.RatingRate) == "0.3333",
			"青山镇's rates %s %s %s %s", pct(q.DecideOnTimeRate), pct(q.ReplyOnTimeRate), pct(q.SatisfactionRate), pct(q.RatingRate))
		x := rowOf(st, dc)
		got = fmt.Sprintf("reg %d acc %d ontime %d replied %d ontime %d open %d overdue %d", x.Registered, x.Accepted, x.DecidedOnTime, x.Replied, x.RepliedOnTime, x.Open, x.OverdueNow)
		must(t, got == "reg 2 acc 1 ontime 1 replied 1 ontime 0 open 1 overdue 1", "东城: %s", got)
		must(t, pct(x.ReplyOnTimeRate) == "0.0000" && pct(x.SatisfactionRate) == "-", "东城's rates %s %s", pct(x.ReplyOnTimeRate), pct(x.SatisfactionRate))
		bu := rowOf(st, xfj)
		must(t, bu != nil && bu.Registered == 0 && bu.Open >= 1 && bu.OverdueNow >= 1, "the bureau holds the accusation not yet routed: %+v", bu)
		tot := st.Total
		got = fmt.Sprintf("reg %d acc %d dec %d ontime %d replied %d ontime %d rated %d reviews %d open %d overdue %d soon %d",
			tot.Registered, tot.Accepted, tot.Declined, tot.DecidedOnTime, tot.Replied, tot.RepliedOnTime, tot.Rated, tot.Reviews, tot.Open, tot.OverdueNow, tot.DueSoon)
		must(t, got == "reg 8 acc 4 dec 1 ontime 4 replied 4 ontime 3 rated 1 reviews 1 open 5 overdue 4 soon 1", "total: %s", got)
		must(t, pct(tot.DecideOnTimeRate) == "0.8000" && pct(tot.ReplyOnTimeRate) == "0.7500", "total rates %s %s", pct(tot.DecideOnTimeRate), pct(tot.ReplyOnTimeRate))
		var sum int
		for _, r := range st.Rows {
			sum += r.Open
		}
		must(t, sum == tot.Open && tot.Open == f.count("SELECT count(*) FROM petitions WHERE status IN ('registered','routed','objected','discipline','accepted','review_requested','rereview_requested')"),
			"open: rows %d, total %d", sum, tot.Open)
		_ = g

		// The district's breakdowns: every case registered in the period.
		must(t, st.Registered == 9, "registered in the district %d", st.Registered)
		shares := func(l []petition.Share) map[string]int {
			m := map[string]int{}
			for _, s := range l {
				m[s.Code] = s.Registered
			}
			return m
		}
		must(t, reflect.DeepEqual(shares(st.Categories), map[string]int{"claim": 7, "suggestion": 1, "accusation": 1}), "categories %+v", st.Categories)
		ch := shares(st.Channels)
		must(t, ch["visit"] == 5 && ch["letter"] == 1 && ch["phone"] == 1 && ch["online"] == 2 && len(st.Channels) == len(petition.Channels), "channels %+v", st.Channels)
		must(t, st.Subjects[0].Code == "labour" && st.Subjects[0].Registered == 6 && len(st.Subjects) == 4, "subjects %+v", st.Subjects)
		// The trend: March's arrivals and June's answer on time.
		must(t, len(st.Months) == 6 && st.Months[2].Month == "2026-03" && st.Months[2].Registered == 7 && st.Months[2].RepliedOnTime == 2 &&
			st.Months[4].Replied == 1 && st.Months[4].RepliedOnTime == 0 && st.Months[5].Registered == 1 && st.Months[5].RepliedOnTime == 1, "months %+v", st.Months)

		// The period's edges: from 3 March, the day's arrivals are out; the
		// daily and the monthly tally meet.
		st2, _ := f.stats("xfj", "?from=2026-03-03&to=2026-06-18")
		q2 := rowOf(st2, qs)
		must(t, q2.Registered == 1 && q2.Accepted == 1 && q2.Declined == 1 && q2.Replied == 1 && q2.Rated == 0 && q2.Open == 2, "青山镇 from 3 March: %+v", q2.Counts)
		st3, _ := f.stats("xfj", "?from=2026-02-15&to=2026-05-31")
		must(t, st3.Total.Registered == 7 && st3.Total.Replied == 3 && st3.Total.Extended == 1 && st3.Registered == 8, "15 Feb to 31 May: %+v", st3.Total)
		st4, _ := f.stats("xfj", "?from=2025-01-01&to=2025-12-31")
		must(t, st4.Total.Registered == 0 && st4.Total.Open == 5 && st4.Total.DecideOnTimeRate == nil && st4.Registered == 0, "last year: %+v", st4.Total)

		// The tally as the hooks kept it is what the migration's fill makes.
		kept := tallyRows(t, d)
		fillTally(t, d)
		filled := tallyRows(t, d)
		must(t, reflect.DeepEqual(kept, filled), "the tally kept\n%s\nthe tally filled\n%s", strings.Join(kept, "\n"), strings.Join(filled, "\n"))
		again, _ := f.stats("xfj", "")
		must(t, reflect.DeepEqual(again.Total, st.Total), "after the fill %+v, before %+v", again.Total, st.Total)
		// …and what a count over the cases says.
		must(t, st.Total.Replied == f.count("SELECT count(*) FROM petition_opinions WHERE round = 0") &&
			st.Total.Registered == f.count("SELECT count(*) FROM petitions WHERE handling_org_id IS NOT NULL"), "the tally against the cases")

		// Scope: a township sees its subtree, another township's org is 404,
		// someone who may not view petitions gets 404.
		own, code := f.stats("qingshan", "")
		must(t, code == 200 && own.OrgID == qs && !own.District && own.Categories == nil, "青山镇's own: %d %+v", code, own)
		must(t, reflect.DeepEqual(own.Total.Registered, q.Registered) && own.Total.Open == q.Open && own.Total.Replied == q.Replied, "青山镇's total %+v, row %+v", own.Total, q.Counts)
		_, code = f.stats("qingshan", "?org_id="+itoa(dc))
		must(t, code == 404, "another township: %d", code)
		_, code = f.stats("wanggeyuan", "")
		must(t, code == 404, "no petition view: %d", code)
		r := f.c("xfj").Get("/api/v1/petitions/stats?from=2026-13-01")
		must(t, r.StatusCode == 400 && errorField(t, r) == "from", "a bad date: %d %s", r.StatusCode, r.Body)

		// The workbook: the header and the total.
		r = f.c("xfj").Get("/api/v1/petitions/stats.xlsx")
		must(t, r.StatusCode == 200 && r.Header.Get("Content-Type") == petition.XLSXType, "xlsx: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		x2, err := excelize.OpenReader(bytes.NewReader(r.Body))
		must(t, err == nil, "open: %v", err)
		defer x2.Close()
		rows, err := x2.GetRows("信访事项统计")
		must(t, err == nil && len(rows) == len(st.Rows)+3, "rows %d (%v), want %d", len(rows), err, len(st.Rows)+3)
		must(t, reflect.DeepEqual(rows[1], petition.StatsHeaders()), "header %v", rows[1])
		last := rows[len(rows)-1]
		must(t, last[0] == "合计" && last[1] == "8" && last[5] == "80" && last[7] == "75", "total row %v", last)
		_, code = func() (any, int) {
			r := f.c("qingshan").Get("/api/v1/petitions/stats.xlsx?org_id=" + itoa(dc))
			return nil, r.StatusCode
		}()
		must(t, code == 404, "another township's workbook: %d", code)

		// The page, for the bureau and a township.
		p := f.env.SignIn("xfj").Get("/petitions/stats")
		must(t, p.StatusCode == 200 && strings.Contains(string(p.Body), `id="stats-total"`) && strings.Contains(string(p.Body), `id="by-subject"`) && strings.Contains(string(p.Body), "<svg class=\"pst-chart-svg\""),
			"the bureau's page: %d", p.StatusCode)
		p = f.env.SignIn("qingshan").Get("/petitions/stats")
		must(t, p.StatusCode == 200 && !strings.Contains(string(p.Body), `id="mix"`), "the township's page: %d", p.StatusCode)
		must(t, f.env.SignIn("wanggeyuan").Get("/petitions/stats").StatusCode == 404, "the page without petition view")
		must(t, strings.Contains(string(f.env.SignIn("qingshan").Get("/petitions").Body), `href="/petitions/stats"`), "the ledger links the statistics")
	})
}
