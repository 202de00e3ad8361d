package petition_test

import (
	"context"
	"database/sql"
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
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/petition"
)

// planCase is what the reference ledger knows of a case.
type planCase struct {
	id                                int64
	registered                        time.Time
	number, status, category, channel string
	subject, handling, review, period string
	accusedPath                       string
	warn, due                         *time.Time
	key                               bool
}

// TestLedgerPlans: over 3,000 cases in the state mix of the benchmark,
// every way the ledger reads a page — a small filter's index read whole,
// an ordered index walked newest-first, the open cases' partial index, a
// person's cases, the planner's choice on PostgreSQL — lists exactly the
// cases the filters and the reader's reach describe, newest first, over
// every page forward and one back, with the total. Each query runs with
// the indexes read whole up to the production size and with them walked
// (SetProbeMax(40)), for the bureau and a township.
func TestLedgerPlans(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		buildCases(t, f.env, 3000)
		now := f.env.Clock.Now()
		var all []planCase
		rows, err := d.Query(ctx, `SELECT id, registered_at, number, status, category, channel, subject, handling_path, review_path, period,
			accused_path, warn_at, due_at, key_case FROM petitions`)
		must(t, err == nil, "read: %v", err)
		for rows.Next() {
			var c planCase
			var warn, due sql.NullTime
			must(t, rows.Scan(&c.id, &c.registered, &c.number, &c.status, &c.category, &c.channel, &c.subject, &c.handling, &c.review, &c.period,
				&c.accusedPath, &warn, &due, &c.key) == nil, "scan")
			c.registered = c.registered.UTC()
			if warn.Valid {
				w := warn.Time.UTC()
				c.warn = &w
			}
			if due.Valid {
				x := due.Time.UTC()
				c.due = &x
			}
			all = append(all, c)
		}
		rows.Close()
		phoneCase := int64(778) // buildCases: the repeat petitioner's phone on case 778
		qs, village := f.env.OrgID("SFQ-QS"), f.env.OrgID("SFQ-QS-01")
		path := func(id int64) string {
			o, err := org.ByID(ctx, d, id)
			must(t, err == nil, "org %d: %v", id, err)
			return o.Path
		}
		qsPath, villagePath, rootPath := path(qs), path(village), path(f.env.OrgID("SFQ"))
		in := func(p, tree string) bool {
			lo, hi := org.SubtreeRange(tree)
			return p >= lo && p < hi
		}
		open := map[string]bool{}
		for _, s := range []string{"registered", "routed", "objected", "discipline", "accepted", "review_requested", "rereview_requested"} {
			open[s] = true
		}
		day := func(s string) time.Time { d, _ := calendar.ParseDate(s); return d.Time().UTC() }
		span := time.Duration(petition.HandleDays+petition.MaxExtensionDays+2) * 24 * time.Hour / 4
		// want lists, newest first, the cases of query q that who sees.
		want := func(who string, q url.Values) []int64 {
			var out []planCase
			for _, c := range all {
				if who == "qingshan" {
					if !in(c.handling, qsPath) && !in(c.review, qsPath) {
						continue
					}
					if c.category == "accusation" && (c.accusedPath == rootPath || c.accusedPath == qsPath) {
						continue
					}
				}
				switch s := q.Get("status"); {
				case s == "open" && !open[c.status], s != "" && s != "open" && c.status != s:
					continue
				}
				if (q.Get("category") != "" && c.category != q.Get("category")) || (q.Get("channel") != "" && c.channel != q.Get("channel")) ||
					(q.Get("subject") != "" && c.subject != q.Get("subject")) || (q.Get("key") != "" && !c.key) ||
					(q.Get("number") != "" && c.number != q.Get("number")) || (q.Get("phone") != "" && c.id != phoneCase) {
					continue
				}
				if o := q.Get("org_id"); o != "" && !in(c.handling, map[string]string{itoa(qs): qsPath, itoa(village): villagePath}[o]) {
					continue
				}
				running := c.period != "" && c.due != nil && c.warn != nil
				switch {
				case q.Get("overdue") != "" && !(running && !c.due.After(now)):
					continue
				case q.Get("due_soon") != "" && !(running && c.due.After(now) && !c.due.After(now.Add(span)) && !c.warn.After(now)):
					continue
				case q.Get("attention") != "" && !(running && !c.warn.After(now)):
					continue
				}
				if (q.Get("from") != "" && c.registered.Before(day(q.Get("from")))) || (q.Get("to") != "" && !c.registered.Before(day(q.Get("to")).AddDate(0, 0, 1))) {
					continue
				}
				out = append(out, c)
			}
			sort.Slice(out, func(i, j int) bool {
				if !out[i].registered.Equal(out[j].registered) {
					return out[i].registered.After(out[j].registered)
				}
				return out[i].id > out[j].id
			})
			ids := make([]int64, len(out))
			for i, c := range out {
				ids[i] = c.id
			}
			return ids
		}
		queries := []string{"", "status=open", "status=accepted", "status=closed", "category=accusation", "channel=fax", "subject=environment",
			"overdue=1", "due_soon=1", "attention=1", "key=1", "from=2026-06-01&to=2026-08-31", "org_id=" + itoa(qs), "org_id=" + itoa(village),
			"org_id=" + itoa(qs) + "&status=accepted&overdue=1", "subject=environment&channel=hotline&status=closed", "status=concluded&category=suggestion",
			"status=open&channel=visit&category=claim", "key=1&status=closed", "status=declined&channel=visit&from=2025-03-01&to=2025-12-31",
			"number=" + all[1500].number, "phone=13900000777"}
		actors := map[string]*auth.Actor{"xfj": f.actor("xfj"), "qingshan": f.actor("qingshan")}
		const probeMax = 20000
		for _, probe := range []int{probeMax, 40} {
			restore := petition.SetProbeMax(probe)
			for _, who := range []string{"xfj", "qingshan"} {
				for _, q := range queries {
					if who == "qingshan" && strings.HasPrefix(q, "phone=") {
						continue // finding people: the bureau's
					}
					vals, _ := url.ParseQuery(q)
					exp := want(who, vals)
					if probe == probeMax {
						t.Logf("%s ?%s: %d %s", who, q, len(exp), "cases")
					}
					vals.Set("limit", "7")
					var got []int64
					var pages []*petition.Page
					for i := 0; i < 1000; i++ {
						flt, err := petition.ParseFilter(vals)
						must(t, err == nil, "?%s: %v", q, err)
						p, err := f.svc().List(ctx, actors[who], flt)
						must(t, err == nil, "%s ?%s: %v", who, q, err)
						pages = append(pages, p)
						for _, r := range p.Rows {
							got = append(got, r.ID)
						}
						if i == 0 && p.Counted {
							must(t, p.TotalExact && p.Total == len(exp), "probe %d, %s ?%s: total %d (exact %v), want %d", probe, who, q, p.Total, p.TotalExact, len(exp))
						}
						if p.Next == "" {
							break
						}
						vals.Set("after", p.Next)
					}
					must(t, slices.Equal(got, exp), "probe %d, %s ?%s: %d cases %v…, want %d %v…", probe, who, q, len(got), head(got), len(exp), head(exp))
					if len(pages) > 1 {
						vals.Del("after")
						vals.Set("before", pages[1].Prev)
						flt, _ := petition.ParseFilter(vals)
						p, err := f.svc().List(ctx, actors[who], flt)
						must(t, err == nil, "before: %v", err)
						var back []int64
						for _, r := range p.Rows {
							back = append(back, r.ID)
						}
						must(t, slices.Equal(back, exp[:7]) && p.Prev == "" && p.Next != "", "probe %d, %s ?%s: the page before the second %v, want %v", probe, who, q, back, exp[:7])
						vals.Del("before")
					}
				}
			}
			restore()
		}
	})
}

func head(ids []int64) []int64 { return ids[:min(len(ids), 8)] }
