package petition_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	dl "github.com/anwen-gov/anwen/internal/deadline"
	"github.com/anwen-gov/anwen/internal/petition"
)

// TestRegister: the bureau registers a claim; it is numbered by area code,
// year and serial; the petitioner's data is sealed (the plain phone and ID
// number appear in no column), masked in the answer, indexed blind; the
// routing clock (15 days from receipt) is in the engine; the step is in
// the timeline and the trail.
func TestRegister(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		first := f.register("xfj", f.claim(nil))
		must(t, first.Number == "SFQ-2026-000001", "number %q, want SFQ-2026-000001 (the district's code: no area code set)", first.Number)
		must(t, first.Status == petition.Registered, "status %s", first.Status)
		must(t, len(first.Petitioners) == 1, "petitioners %+v", first.Petitioners)
		p := first.Petitioners[0]
		must(t, p.Name == "张**" && p.Phone == "138****5678" && p.IDNumber == "110***********1233" && p.Address == "湖南省长沙市示范区青山镇****",
			"masked petitioner %+v", p)
		must(t, first.Clock.Period == petition.PeriodRoute && first.Clock.LastDay == "2026-12-12" && first.Clock.DaysLeft == 15,
			"routing clock %+v (received 2026-11-27: last day 2026-12-12)", first.Clock)
		must(t, first.CanReveal, "the registrar cannot reveal")
		must(t, len(first.Steps) == 1 && first.Steps[0].Action == "register", "steps %+v", first.Steps)
		must(t, strings.Join(first.Allowed, ",") == "transfer,assign,supervise,flag_key,recuse", "allowed %v", first.Allowed)

		// Sealed at rest: no column holds the plain phone, ID number or address.
		for _, plain := range []string{phoneA, idA, "上坪村3组12号", "张建国"} {
			must(t, f.count("SELECT count(*) FROM petition_people WHERE name_sealed LIKE ? OR id_sealed LIKE ? OR phone_sealed LIKE ? OR address_sealed LIKE ?",
				"%"+plain+"%", "%"+plain+"%", "%"+plain+"%", "%"+plain+"%") == 0, "%s stored in plain", plain)
		}
		must(t, strings.HasPrefix(f.str("SELECT phone_sealed FROM petition_people WHERE petition_id = ?", first.ID), "v1:"), "phone not an envelope")
		must(t, f.str("SELECT phone_index FROM petition_people WHERE petition_id = ?", first.ID) != "", "no blind index of the phone")
		// The routing clock: 75 % mark and the end, keyed by the case.
		ob, err := dl.Get(ctx, d, petition.KindDue, itoa(first.ID)+"/1")
		must(t, err == nil, "due obligation: %v", err)
		must(t, ob.DueAt.Equal(at("2026-12-13 00:00")), "due at %v, want the start of 2026-12-13", ob.DueAt)
		must(t, ob.WarnAt != nil && ob.WarnAt.After(at("2026-12-10 00:00")) && ob.WarnAt.Before(at("2026-12-12 00:00")), "90 %% mark %v", ob.WarnAt)
		_, err = dl.Get(ctx, d, petition.KindWarn, itoa(first.ID)+"/1")
		must(t, err == nil, "75 %% obligation: %v", err)
		must(t, f.env.AuditCount("petition.register", "ok") == 1, "audit petition.register")

		second := f.register("xfj", f.claim(map[string]any{"channel": "letter"}))
		must(t, second.Number == "SFQ-2026-000002", "second number %q", second.Number)
		// A 6-digit area code numbers from 1 again under it.
		f.settings("990101")
		third := f.register("xfj", f.claim(nil))
		must(t, third.Number == "990101-2026-000001", "number under the area code %q", third.Number)
	})
}

// TestRegisterRefused: who may register, and the bad inputs each with its field.
func TestRegisterRefused(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	six := []map[string]any{}
	for i := 0; i < 6; i++ {
		six = append(six, map[string]any{"name": "代表" + strings.Repeat("甲", i+1)})
	}
	cases := []struct {
		name   string
		login  string
		body   map[string]any
		status int
		field  string
	}{
		{"a supervisor registers", "duchashi", f.claim(nil), http.StatusForbidden, ""},
		{"a township registers an accusation", "qingshan", f.claim(map[string]any{"category": "accusation"}), http.StatusUnprocessableEntity, "category"},
		{"a grid worker registers", "wanggeyuan", f.claim(nil), http.StatusNotFound, ""},
		{"no petitioner", "xfj", f.claim(map[string]any{"petitioners": []map[string]any{}}), http.StatusBadRequest, "petitioners"},
		{"six representatives", "xfj", f.claim(map[string]any{"petitioners": six, "head_count": 40}), http.StatusBadRequest, "petitioners"},
		{"a head count below the named", "xfj", f.claim(map[string]any{"petitioners": six[:3], "head_count": 2}), http.StatusBadRequest, "head_count"},
		{"a bad ID number", "xfj", f.claim(map[string]any{"petitioners": []map[string]any{{"name": "李四", "id_number": "110101199003071234"}}}), http.StatusBadRequest, "petitioners[0].id_number"},
		{"a bad phone", "xfj", f.claim(map[string]any{"petitioners": []map[string]any{{"name": "李四", "phone": "12345"}}}), http.StatusBadRequest, "petitioners[0].phone"},
		{"no category", "xfj", f.claim(map[string]any{"category": "complaint"}), http.StatusBadRequest, "category"},
		{"no subject", "xfj", f.claim(map[string]any{"subject": "weather"}), http.StatusBadRequest, "subject"},
		{"no request", "xfj", f.claim(map[string]any{"request": " "}), http.StatusBadRequest, "request"},
		{"transferred without its source", "xfj", f.claim(map[string]any{"channel": "transferred"}), http.StatusBadRequest, "source_org"},
		{"a claim naming the accused", "xfj", f.claim(map[string]any{"accused_org_id": f.env.OrgID("SFQ-QS")}), http.StatusBadRequest, "accused_org_id"},
		{"an accusation against the bureau", "xfj", f.claim(map[string]any{"category": "accusation", "accused_org_id": f.env.OrgID("SFQ-XFJ")}), http.StatusUnprocessableEntity, "accused_org_id"},
		{"in the future", "xfj", f.claim(map[string]any{"received_at": "2026-11-28T10:00:00+08:00"}), http.StatusBadRequest, "received_at"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.count("SELECT count(*) FROM petitions")
			r := f.c(c.login).SendJSON("POST", "/api/v1/petitions", c.body)
			must(t, r.StatusCode == c.status, "status %d, want %d: %s", r.StatusCode, c.status, r.Body)
			if c.field != "" {
				must(t, errorField(t, r) == c.field, "field %q, want %q: %s", errorField(t, r), c.field, r.Body)
			}
			must(t, f.count("SELECT count(*) FROM petitions") == before, "a refused registration was stored")
		})
	}
	must(t, f.env.AuditCount("petition.register", "denied") >= 2, "refusals not audited: %d", f.env.AuditCount("petition.register", "denied"))
}

// TestCollectiveVisit: a collective visit names five representatives and the head count.
func TestCollectiveVisit(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	reps := []map[string]any{}
	for i, n := range []string{"王建华", "李秀英", "赵春生", "刘玉兰", "陈国平"} {
		reps = append(reps, map[string]any{"name": n, "representative": true, "phone": "1390000000" + itoa(int64(i))})
	}
	d := f.register("xfj", f.claim(map[string]any{"petitioners": reps, "head_count": 46}))
	must(t, d.Collective && d.HeadCount == 46 && d.PetitionerCount == 5 && len(d.Petitioners) == 5, "collective %+v", d.Petition)
	must(t, d.Petitioners[0].Representative, "representative flag lost")
}
