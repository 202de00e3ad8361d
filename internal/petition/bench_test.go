package petition_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbbench"
	dl "github.com/anwen-gov/anwen/internal/deadline"
	"github.com/anwen-gov/anwen/internal/petition"
	"github.com/anwen-gov/anwen/internal/sealed"
)

// BenchmarkLedger builds the demo district with 1,000,000 petition cases
// over three years (PETITION_BENCH_N changes the count) in the state mix of
// a working bureau, and measures on each database the first page of the
// ledger (count included) for the bureau's staff and a township's, over
// filter combinations dense and sparse (p50 and p95 of PETITION_BENCH_RUNS
// runs, default 40, after 3 warm-up runs), then the clock sweep over the
// open cases' obligations: the 09:00 digest of every case past 75 % of its
// period, and an hour's marks.
//
//	go test -run '^$' -bench BenchmarkLedger -benchtime 1x -timeout 90m ./internal/petition/
//
// PETITION_BENCH_SQLITE=/path/file.db and PETITION_BENCH_PG=postgres://…
// keep the built databases for later runs (the field keys are fixed, so
// the blind indexes stay valid); PETITION_BENCH_DB=sqlite or postgres runs one.
func BenchmarkLedger(b *testing.B) {
	n := dbbench.EnvInt("PETITION_BENCH_N", 1000000)
	// Fixed field keys: a kept database's blind indexes must match the next run's.
	b.Setenv("ANWEN_FIELD_KEY", base64.StdEncoding.EncodeToString([]byte("petition-bench-field-key-32bytes")))
	b.Setenv("ANWEN_FIELD_INDEX_KEY", base64.StdEncoding.EncodeToString([]byte("petition-bench-index-key-32bytes")))
	dbbench.Dialects(b, "PETITION_BENCH_DB", func(b *testing.B, dialect string) {
		d := dbbench.Open(b, dialect, "PETITION_BENCH_SQLITE", "PETITION_BENCH_PG")
		benchLedger(b, d, n)
	})
}

// The needles the combinations look for.
const (
	benchPhone = "13900000777" // a repeat petitioner: 30 cases
)

func benchLedger(b *testing.B, d *db.DB, n int) {
	ctx := context.Background()
	env := apptest.Start(b, d)
	svc := env.App.Petitions()
	start := time.Now()
	built := buildCases(b, env, n)
	if built {
		b.Logf("%s: built %d cases in %s", d.Dialect, n, time.Since(start).Round(time.Second))
	}
	actor := func(login string) *auth.Actor {
		a, err := env.App.Auth.LoadActor(ctx, env.UserID(login), "bench")
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	qs, village, dept := itoa(env.OrgID("SFQ-QS")), itoa(env.OrgID("SFQ-QS-01")), itoa(env.OrgID("SFQ-ZJJ"))
	var number string
	if err := d.QueryRow(ctx, "SELECT number FROM petitions WHERE id = ?", n/2).Scan(&number); err != nil {
		b.Fatal(err)
	}
	queries := []string{"", "status=open", "status=accepted", "status=registered", "category=accusation", "channel=fax", "subject=environment",
		"overdue=1", "due_soon=1", "attention=1", "key=1", "from=2026-06-01&to=2026-06-30",
		"org_id=" + qs, "org_id=" + village, "org_id=" + dept + "&status=closed",
		"org_id=" + qs + "&status=accepted&overdue=1", "org_id=" + qs + "&category=claim&channel=visit",
		"subject=environment&channel=hotline&status=closed", "status=concluded&category=suggestion",
		"category=accusation&channel=letter&subject=land&status=closed", "channel=fax&category=accusation&key=1",
		"status=declined&channel=visit&from=2025-03-01&to=2025-03-31", "overdue=1&category=claim&channel=visit",
		"key=1&status=closed&subject=labour", "number=" + number, "phone=" + benchPhone}
	runs := dbbench.EnvInt("PETITION_BENCH_RUNS", 40)
	var lines []string
	worst := time.Duration(0)
	for _, who := range []string{"xfj", "qingshan"} {
		a := actor(who)
		for _, q := range queries {
			if who == "qingshan" && strings.Contains(q, "org_id="+dept) {
				continue // out of the township's reach
			}
			flt, err := petition.ParseFilter(dbbench.Query(q))
			if err != nil {
				b.Fatal(err)
			}
			var p *petition.Page
			ds, err := dbbench.Time(3, runs, func() (err error) {
				p, err = svc.List(ctx, a, flt)
				return err
			})
			if err != nil {
				b.Fatalf("%s ?%s: %v", who, q, err)
			}
			p95 := dbbench.Pct(ds, 95)
			worst = max(worst, p95)
			lines = append(lines, fmt.Sprintf("  %-9s %-64s rows %3d total %-7s p50 %7.2f ms  p95 %7.2f ms", who, "?"+q, len(p.Rows),
				dbbench.Total(p.Counted, p.TotalExact, p.Total), dbbench.MS(dbbench.Pct(ds, 50)), dbbench.MS(p95)))
		}
	}
	sweep := benchSweep(b, env)
	fmt.Fprintf(os.Stdout, "%s, %d cases, load average %s, first page of the ledger (count included), %d runs each:\n%s\n%s\n\n",
		d.Dialect, n, dbbench.LoadAvg(), runs, strings.Join(lines, "\n"), sweep)
	b.ReportMetric(dbbench.MS(worst), "worst-p95-ms")
}

// benchSweep measures the clock engine over the open cases' obligations:
// a sweep with nothing due, the day's digest (every case past 75 % of its
// period, by org, person and head), the sweep an hour on (the marks of
// that hour), and the sweep of a server back after a day down (the rest
// of the day's marks at once). What the sweeps changed is put back
// afterwards, so that a kept database measures the same next time.
func benchSweep(b *testing.B, env *apptest.Env) string {
	ctx := context.Background()
	d := env.App.DB
	now := env.Clock.Now()
	var open, due, dueDay int
	d.QueryRow(ctx, "SELECT count(*) FROM obligations WHERE state IN ('open', 'warned') AND kind LIKE 'petition.%'").Scan(&open)
	d.QueryRow(ctx, "SELECT count(*) FROM obligations WHERE state IN ('open', 'warned') AND next_at <= ?", now.Add(time.Hour)).Scan(&due)
	d.QueryRow(ctx, "SELECT count(*) FROM obligations WHERE state IN ('open', 'warned') AND next_at <= ?", now.Add(24*time.Hour)).Scan(&dueDay)
	var past75 int
	d.QueryRow(ctx, "SELECT count(*) FROM petitions WHERE period <> '' AND warn_at <= ?", now).Scan(&past75)
	type saved struct {
		id     int64
		state  string
		nextAt time.Time
	}
	var keep []saved
	rows, err := d.Query(ctx, "SELECT id, state, next_at FROM obligations WHERE state IN ('open', 'warned') AND next_at <= ?", now.Add(24*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var s saved
		if err := rows.Scan(&s.id, &s.state, &s.nextAt); err != nil {
			b.Fatal(err)
		}
		keep = append(keep, s)
	}
	rows.Close()
	type level struct {
		id    int64
		level int
	}
	var levels []level
	rows, err = d.Query(ctx, "SELECT id, clock_level FROM petitions WHERE period <> '' AND warn_at <= ?", now.Add(26*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var l level
		rows.Scan(&l.id, &l.level)
		levels = append(levels, l)
	}
	rows.Close()

	t0 := time.Now()
	idle, err := env.App.Engine.Sweep(ctx, 1000)
	if err != nil {
		b.Fatal(err)
	}
	tIdle := time.Since(t0)
	// The digest, under a key of its own per run (its messages are deduplicated by it).
	key := calendar.DateOf(now).String() + "/bench-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		return dl.Schedule(ctx, tx, now, petition.KindDigest, key, now.Add(-time.Minute), nil, nil)
	}); err != nil {
		b.Fatal(err)
	}
	var notesBefore, notesAfter int
	d.QueryRow(ctx, "SELECT count(*) FROM notifications").Scan(&notesBefore)
	t0 = time.Now()
	digest, err := env.App.Engine.Sweep(ctx, 1000)
	if err != nil {
		b.Fatal(err)
	}
	tDigest := time.Since(t0)
	d.QueryRow(ctx, "SELECT count(*) FROM notifications").Scan(&notesAfter)
	env.Clock.Set(now.Add(time.Hour))
	t0 = time.Now()
	hour, err := env.App.Engine.Sweep(ctx, 1000)
	if err != nil {
		b.Fatal(err)
	}
	tHour := time.Since(t0)
	env.Clock.Set(now.Add(24 * time.Hour))
	t0 = time.Now()
	day, err := env.App.Engine.Sweep(ctx, 1000)
	if err != nil {
		b.Fatal(err)
	}
	tDay := time.Since(t0)
	env.Clock.Set(now)
	// Put back what the hour and the day changed.
	err = d.InTx(ctx, func(tx *db.Tx) error {
		for _, s := range keep {
			if _, err := tx.Exec(ctx, "UPDATE obligations SET state = ?, next_at = ?, fired_at = NULL WHERE id = ? AND (state <> ? OR next_at <> ?)",
				s.state, s.nextAt, s.id, s.state, s.nextAt); err != nil {
				return err
			}
		}
		for _, l := range levels {
			// Only what changed: a row rewritten for nothing would cost
			// PostgreSQL's next index-only scans a visit to the table.
			if _, err := tx.Exec(ctx, "UPDATE petitions SET clock_level = ? WHERE id = ? AND clock_level <> ?", l.level, l.id, l.level); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return fmt.Sprintf("  clock: %d open obligations of petitions, %d cases past 75 %% of their period, %d phases due within the hour, %d within the day\n"+
		"  sweep, nothing due:                 %7.1f ms (%d phases)\n"+
		"  sweep, the day's digest:            %7.1f ms (%d phase, %d messages)\n"+
		"  sweep an hour on, its marks:        %7.1f ms (%d phases)\n"+
		"  sweep after a day down:             %7.1f ms (%d phases)",
		open, past75, due, dueDay, dbbench.MS(tIdle), idle, dbbench.MS(tDigest), digest, notesAfter-notesBefore, dbbench.MS(tHour), hour, dbbench.MS(tDay), day)
}

var (
	benchChannels  = []string{"online", "visit", "letter", "phone", "hotline", "fax", "transferred", "assigned"}
	benchChannelW  = []float64{34, 20, 14, 10, 14, 1, 4, 3}
	benchCats      = []string{"claim", "suggestion", "accusation"}
	benchCatW      = []float64{60, 22, 18}
	benchSubjects  = []string{"labour", "urban", "land", "rural", "environment", "civil", "health", "education", "transport", "market", "safety", "law", "discipline", "enterprise", "other"}
	benchSubjectW  = []float64{16, 14, 12, 10, 8, 7, 5, 5, 4, 4, 3, 5, 2, 2, 3}
	benchRequests  = []string{"请求督促用人单位支付拖欠工资", "请求解决征地补偿款发放问题", "反映小区物业管理混乱", "请求治理工厂噪声和废气污染", "请求落实低保待遇", "反映道路破损影响出行", "请求协调解决宅基地纠纷", "反映学校收费不规范"}
	benchFacts     = []string{"多次与对方协商未果", "已向村委会反映，至今未解决", "问题持续半年以上，影响生活", "曾拨打热线，答复后未落实"}
	benchNames     = []string{"张建国", "李秀英", "王志强", "刘桂兰", "陈国华", "杨丽娟", "赵德明", "黄美玲", "周文斌", "吴海燕", "徐春生", "孙玉梅"}
	benchOpenState = map[string]string{"registered": "route", "objected": "route", "routed": "accept", "discipline": "accept", "accepted": "handle",
		"review_requested": "review", "rereview_requested": "rereview"}
)

// stateAt picks a case's state by its age in days, as a bureau's ledger
// holds them: the new at the bureau or just routed, the month-old being
// handled, the older answered, reviewed or closed, and a few left to run
// late.
func stateAt(age float64, u float64) string {
	pick := func(pairs ...any) string {
		x := u * 100
		for i := 0; i+1 < len(pairs); i += 2 {
			w := pairs[i+1].(float64)
			if x < w {
				return pairs[i].(string)
			}
			x -= w
		}
		return pairs[len(pairs)-2].(string)
	}
	switch {
	case age < 2:
		return pick("registered", 55.0, "routed", 45.0)
	case age < 15:
		return pick("registered", 4.0, "routed", 16.0, "objected", 1.0, "discipline", 3.0, "accepted", 64.0, "declined", 12.0)
	case age < 45:
		return pick("routed", 1.0, "accepted", 72.0, "replied", 12.0, "closed", 7.0, "declined", 8.0)
	case age < 80:
		return pick("accepted", 30.0, "replied", 35.0, "closed", 27.0, "declined", 6.0, "review_requested", 2.0)
	case age < 150:
		return pick("accepted", 3.0, "closed", 84.0, "declined", 7.0, "review_requested", 3.0, "reviewed", 2.0, "rereview_requested", 1.0)
	}
	return pick("closed", 89.6, "declined", 7.0, "concluded", 3.0, "accepted", 0.3, "routed", 0.07, "registered", 0.03)
}

func periodEnd(start time.Time, days int) time.Time {
	return calendar.DateOf(start).AddDays(days + 1).Time().UTC()
}

type benchOrg struct {
	id         int64
	path, kind string
	parent     int64
	user       any // a person of the org (the handler), or nil
}

// buildCases loads n cases (unless the database holds them already) with
// bulk statements, the secondary indexes dropped and made again after, and
// reports whether it built them.
func buildCases(b testing.TB, env *apptest.Env, n int) bool {
	ctx := context.Background()
	d := env.App.DB
	var have int
	d.QueryRow(ctx, "SELECT count(*) FROM petitions").Scan(&have)
	if have == n {
		return false
	}
	if have != 0 {
		b.Fatalf("the database holds %d cases, not %d: use another", have, n)
	}
	svc := env.App.Petitions()
	kr := svc.Cipher
	now := env.Clock.Now()
	// The orgs cases go to.
	var towns, villages, depts []benchOrg
	byID := map[int64]*benchOrg{}
	rows, err := d.Query(ctx, `SELECT o.id, o.path, o.kind, COALESCE(o.parent_id, 0), (SELECT MIN(u.id) FROM users u WHERE u.org_id = o.id) FROM orgs o ORDER BY o.id`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var o benchOrg
		var u *int64
		if err := rows.Scan(&o.id, &o.path, &o.kind, &o.parent, &u); err != nil {
			b.Fatal(err)
		}
		if u != nil {
			o.user = *u
		}
		switch o.kind {
		case "township", "street", "zone":
			towns = append(towns, o)
		case "village", "community":
			villages = append(villages, o)
		case "department":
			depts = append(depts, o)
		}
		byID[o.id] = &o
	}
	rows.Close()
	bureauID, jw := env.OrgID("SFQ-XFJ"), env.OrgID("SFQ-JWJW")
	bureauPath := byID[bureauID].path
	registrar := env.UserID("xfj")
	st, err := petition.LoadSettings(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	area := st.AreaCode
	if area == "" {
		area = petition.DemoAreaCode
	}
	// A pool of sealed names and phones: sealing each of a million would
	// take minutes and read the same.
	var names, phones []string
	for i, nm := range benchNames {
		s1, _ := kr.SealString(nm, petition.CtxName)
		s2, _ := kr.SealString(fmt.Sprintf("139%08d", 10000000+i*7919), petition.CtxPhone)
		names, phones = append(names, s1), append(phones, s2)
	}
	needlePhone := kr.Index(petition.IndexPhone, sealed.NormalizePhone(benchPhone))
	needleID := kr.Index(petition.IndexIDNum, sealed.NormalizeIDNumber(idA))
	indexes := dbbench.DropIndexes(b, d, "petitions", "petition_people", "obligations")
	rng := rand.New(rand.NewPCG(20261127, 5))
	span := 3 * 365 * 24 * time.Hour
	first := now.Add(-span)
	counters := map[int]int{}
	cols := []string{"id", "number", "channel", "received_at", "registered_at", "registered_day", "category", "subject", "place", "place_org_id",
		"request", "facts", "petitioner_count", "head_count", "collective", "accused_org_id", "accused_path", "bureau_org_id", "bureau_path",
		"handling_org_id", "handling_path", "handler_user_id", "route_kind", "review_org_id", "review_path", "status", "round", "period",
		"period_start", "warn_at", "due_at", "clock_level", "ob_seq", "window_kind", "window_end", "routed_at", "accepted_at", "extension_days",
		"served_day", "key_case", "closed_at", "created_by", "created_at", "updated_at"}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	const chunk = 500
	load := time.Now()
	for lo := 0; lo < n; lo += chunk * 20 {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for c := lo; c < lo+chunk*20 && c < n; c += chunk {
				var vals, pvals, ovals []string
				args := make([]any, 0, chunk*len(cols))
				var pargs, oargs []any
				for k := c; k < c+chunk && k < n; k++ {
					id := int64(k + 1)
					reg := first.Add(time.Duration(int64(span) / int64(n) * int64(k))).Add(time.Duration(rng.IntN(3600)) * time.Second).Truncate(time.Second)
					if !reg.Before(now) {
						reg = now.Add(-time.Minute)
					}
					age := now.Sub(reg).Hours() / 24
					received := reg.Add(-time.Duration(rng.IntN(36*3600)) * time.Second)
					cat := dbbench.Weighted(rng.Float64(), benchCats, benchCatW)
					status := stateAt(age, rng.Float64())
					if cat != "claim" {
						switch status {
						case "replied", "review_requested", "reviewed", "rereview_requested", "concluded":
							status = "closed"
						}
					}
					if status == "discipline" && cat != "accusation" {
						status = "accepted"
					}
					year := calendar.DateOf(reg).Year
					counters[year]++
					number := fmt.Sprintf("%s-%d-%06d", area, year, counters[year])
					channel := dbbench.Weighted(rng.Float64(), benchChannels, benchChannelW)
					subject := dbbench.Weighted(rng.Float64(), benchSubjects, benchSubjectW)
					if cat == "accusation" && rng.IntN(3) == 0 {
						subject = "discipline"
					}
					place := towns[rng.IntN(len(towns))]
					if rng.IntN(2) == 0 {
						place = villages[rng.IntN(len(villages))]
					}
					request, facts := benchRequests[rng.IntN(len(benchRequests))], benchFacts[rng.IntN(len(benchFacts))]
					var accOrg any
					accPath := ""
					if cat == "accusation" {
						request, facts = "", ""
						if rng.IntN(5) < 3 {
							o := depts[rng.IntN(len(depts))]
							if rng.IntN(2) == 0 {
								o = towns[rng.IntN(len(towns))]
							}
							if o.id != bureauID { // registration refuses an accusation against the bureau
								accOrg, accPath = o.id, o.path
							}
						}
					}
					heads, collective := 1, false
					if rng.IntN(20) == 0 {
						heads, collective = 5+rng.IntN(30), true
					}
					// Where it went, and when.
					var hOrg, hUser, rOrg any
					hPath, rPath, routeKind := "", "", ""
					var routedAt, acceptedAt, closedAt, pStart, warnAt, dueAt any
					period, windowKind, windowEnd, served := "", "", "", ""
					round, level, ext := 0, 0, 0
					at := func(from time.Time, maxDays float64) time.Time {
						t := from.Add(time.Duration(rng.Float64() * maxDays * float64(24*time.Hour))).Truncate(time.Second)
						if !t.Before(now) {
							t = now.Add(-time.Duration(1+rng.IntN(3600)) * time.Second)
						}
						if t.Before(from) {
							t = from
						}
						return t
					}
					routed := at(reg, min(3, age))
					var hOrgRef *benchOrg
					if status != "registered" && status != "objected" {
						switch x := rng.IntN(100); {
						case status == "discipline":
							hOrgRef = byID[jw]
						case x < 45:
							hOrgRef = &towns[rng.IntN(len(towns))]
						case x < 65:
							hOrgRef = &villages[rng.IntN(len(villages))]
						default:
							hOrgRef = &depts[rng.IntN(len(depts))]
						}
						hOrg, hPath, routedAt = hOrgRef.id, hOrgRef.path, routed
						routeKind = "transfer"
						if hOrgRef.kind == "village" || hOrgRef.kind == "community" || rng.IntN(4) == 0 {
							routeKind = "assign"
						}
						if status == "discipline" {
							routeKind = "discipline"
						}
					}
					accepted := at(routed, min(10, now.Sub(routed).Hours()/24))
					switch status {
					case "accepted", "replied", "review_requested", "reviewed", "rereview_requested", "concluded", "closed":
						acceptedAt = accepted
						if hOrgRef != nil {
							hUser = hOrgRef.user
						}
					}
					var start, due time.Time
					switch status {
					case "registered":
						start, due = received, periodEnd(received, petition.RouteDays)
					case "objected":
						start = at(routed, 5)
						due = periodEnd(start, petition.RouteDays)
					case "routed", "discipline":
						start, due = routed, periodEnd(routed, petition.AcceptDays)
						if status == "routed" && now.Sub(routed) < 7*24*time.Hour {
							windowKind, windowEnd = "object", calendar.DateOf(routed).AddDays(7).String()
						}
					case "accepted":
						start, due = accepted, periodEnd(accepted, petition.HandleDays)
						if rng.IntN(10) == 0 {
							ext = 10 + rng.IntN(21)
							due = due.AddDate(0, 0, ext)
						}
					case "replied", "reviewed":
						s := at(accepted, 50)
						served = calendar.DateOf(s).String()
						end := calendar.DateOf(s).AddDays(petition.RequestDays)
						if end.Before(calendar.DateOf(now)) {
							status, closedAt = "closed", end.AddDays(1).Time().UTC()
						} else {
							windowKind, windowEnd = map[string]string{"replied": "review", "reviewed": "rereview"}[status], end.String()
						}
						if status == "reviewed" {
							round = 1
						}
					case "review_requested", "rereview_requested":
						s := at(accepted, 50)
						served = calendar.DateOf(s).String()
						start = at(s, 20)
						due = periodEnd(start, petition.ReviewDays)
						if status == "rereview_requested" {
							round = 1
						}
					case "closed", "declined", "concluded":
						closedAt = at(accepted, 60)
						if status == "concluded" {
							round = 2
						}
					}
					if status == "review_requested" || status == "reviewed" || status == "rereview_requested" || status == "concluded" {
						ro := byID[bureauID]
						if hOrgRef != nil && hOrgRef.parent != 0 && byID[hOrgRef.parent] != nil && byID[hOrgRef.parent].kind != "district" {
							ro = byID[hOrgRef.parent]
						}
						rOrg, rPath = ro.id, ro.path
					}
					// The running period and its obligations.
					if p, ok := benchOpenState[status]; ok {
						period = p
						spanP := due.Sub(start)
						warn75 := start.Add(spanP * 3 / 4).UTC().Truncate(time.Second)
						warn90 := start.Add(spanP * 9 / 10).UTC().Truncate(time.Second)
						pStart, warnAt, dueAt = start, warn75, due
						switch {
						case !now.Before(due):
							level = 100
						case !now.Before(warn90):
							level = 90
						case !now.Before(warn75):
							level = 75
						}
						payload := fmt.Sprintf(`{"id":%d,"seq":1,"period":%q}`, id, p)
						key := fmt.Sprintf("%d/1", id)
						wState, wNext := "open", warn75
						if !now.Before(warn75) {
							wState = "fired"
						}
						dState, dNext := "open", warn90
						switch {
						case !now.Before(due):
							dState, dNext = "fired", due
						case !now.Before(warn90):
							dState, dNext = "warned", due
						}
						ovals = append(ovals, "(?, ?, ?, NULL, ?, ?, ?, ?, ?)", "(?, ?, ?, ?, ?, ?, ?, ?, ?)")
						oargs = append(oargs, petition.KindWarn, key, warn75, payload, wState, wNext, start, start,
							petition.KindDue, key, due, warn90, payload, dState, dNext, start, start)
					} else {
						// A finished case keeps its last period's obligation, cancelled.
						ovals = append(ovals, "(?, ?, ?, NULL, ?, ?, ?, ?, ?)")
						oargs = append(oargs, petition.KindDue, fmt.Sprintf("%d/1", id), reg.Add(15*24*time.Hour), fmt.Sprintf(`{"id":%d,"seq":1}`, id),
							"cancelled", reg.Add(15*24*time.Hour), reg, reg)
					}
					if windowKind != "" {
						end, _ := calendar.ParseDate(windowEnd)
						ovals = append(ovals, "(?, ?, ?, NULL, ?, ?, ?, ?, ?)")
						oargs = append(oargs, petition.KindWindow, fmt.Sprintf("%d/%s/%s/1", id, windowKind, windowEnd), end.AddDays(1).Time().UTC(),
							fmt.Sprintf(`{"id":%d,"seq":1,"window":%q,"end":%q}`, id, windowKind, windowEnd), "open", end.AddDays(1).Time().UTC(), reg, reg)
					}
					updated := reg
					if closedAt != nil {
						updated = closedAt.(time.Time)
					}
					vals = append(vals, row)
					args = append(args, id, number, channel, received, reg, calendar.DateOf(reg).String(), cat, subject, "某地", place.id,
						request, facts, min(heads, 5), heads, collective, accOrg, accPath, bureauID, bureauPath,
						hOrg, hPath, hUser, routeKind, rOrg, rPath, status, round, period,
						pStart, warnAt, dueAt, level, 1, windowKind, windowEnd, routedAt, acceptedAt, ext,
						served, rng.IntN(100) == 0, closedAt, registrar, reg, updated)
					// The petitioners: a repeat petitioner's phone on every
					// 33,333rd case, one ID number on every 50,000th.
					phone := kr.Index(petition.IndexPhone, fmt.Sprintf("13%09d", (k*7919)%700000000))
					if k%33333 == 777 {
						phone = needlePhone
					}
					idIdx := kr.Index(petition.IndexIDNum, fmt.Sprintf("4301021985%08d", k))
					if k%50000 == 123 {
						idIdx = needleID
					}
					pvals = append(pvals, "(?, ?, ?, ?, ?, ?, ?)")
					pargs = append(pargs, id, 1, names[k%len(names)], phones[k%len(phones)], phone, "v1:x", idIdx)
					if collective {
						pvals = append(pvals, "(?, ?, ?, ?, ?, ?, ?)")
						pargs = append(pargs, id, 2, names[(k+5)%len(names)], phones[(k+3)%len(phones)], kr.Index(petition.IndexPhone, fmt.Sprintf("15%09d", k)), "", "")
					}
				}
				if _, err := tx.Exec(ctx, "INSERT INTO petitions ("+strings.Join(cols, ", ")+") VALUES "+strings.Join(vals, ", "), args...); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "INSERT INTO petition_people (petition_id, seq, name_sealed, phone_sealed, phone_index, id_sealed, id_index) VALUES "+
					strings.Join(pvals, ", "), pargs...); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "INSERT INTO obligations (kind, key, due_at, warn_at, payload, state, next_at, created_at, updated_at) VALUES "+
					strings.Join(ovals, ", "), oargs...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: inserted %d cases in %s", d.Dialect, n, time.Since(load).Round(time.Second))
	dbbench.Recreate(b, d, indexes)
	if d.Dialect == db.Postgres {
		for _, t := range []string{"petitions", "petition_people", "obligations"} {
			if _, err := d.Exec(ctx, "VACUUM ANALYZE "+t); err != nil {
				b.Fatal(err)
			}
		}
	} else if _, err := d.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return true
}
