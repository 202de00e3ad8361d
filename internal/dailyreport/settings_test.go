package dailyreport_test

import (
	"net/http"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func TestUnitsAndSettings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		yjj := env.TokenClient("yjj")
		var units []struct {
			OrgID int64  `json:"org_id"`
			Tier  string `json:"tier"`
		}
		yjj.Get("/api/v1/daily-reports/units").JSON(t, &units)
		tiers := map[string]int{}
		for _, u := range units {
			tiers[u.Tier]++
		}
		if tiers["township"] != 12 || tiers["village"] != 8 {
			t.Fatalf("demo units by tier: %v (want 12 townships, 8 villages of 青山镇)", tiers)
		}
		// A department is marked to report at the township tier; a township is exempted.
		dept, town := env.OrgID("SFQ-JYJ"), env.OrgID("SFQ-DC")
		for _, c := range []struct {
			id   int64
			body string
		}{{dept, `{"reports":true,"tier":"township"}`}, {town, `{"reports":false,"tier":"township"}`}} {
			if r := yjj.SendJSON("PUT", "/api/v1/daily-reports/units/"+itoa(c.id), c.body); r.StatusCode != 200 {
				t.Fatalf("mark %d: %d %s", c.id, r.StatusCode, r.Body)
			}
		}
		var b board
		yjj.Get("/api/v1/daily-reports/board?date=2026-11-27").JSON(t, &b)
		if b.status(dept) != "pending" || b.status(town) != "absent" || len(b.Units) != 12 {
			t.Fatalf("board after marking: %d units, dept %s, exempted %s", len(b.Units), b.status(dept), b.status(town))
		}
		if r := yjj.SendJSON("PUT", "/api/v1/daily-reports/units/"+itoa(dept), `{"reports":true,"tier":"county"}`); r.StatusCode != 400 {
			t.Fatalf("bad tier: %d", r.StatusCode)
		}
		if r := env.TokenClient("qingshan").SendJSON("PUT", "/api/v1/daily-reports/units/"+itoa(dept), `{"reports":true}`); r.StatusCode != http.StatusNotFound {
			t.Fatalf("township staff marking a department: %d", r.StatusCode)
		}
		// Settings: the desks and the escalation leader.
		var s struct {
			SafetyDeskOrgID *int64 `json:"safety_desk_org_id"`
			EscalateUserID  *int64 `json:"escalate_user_id"`
		}
		yjj.Get("/api/v1/daily-reports/settings").JSON(t, &s)
		if s.SafetyDeskOrgID == nil || *s.SafetyDeskOrgID != env.OrgID("SFQ-YJJ") || s.EscalateUserID == nil {
			t.Fatalf("demo settings: %+v", s)
		}
		if r := yjj.SendJSON("PUT", "/api/v1/daily-reports/settings", `{"safety_desk_org_id":999999}`); r.StatusCode != 422 {
			t.Fatalf("unknown desk: %d %s", r.StatusCode, r.Body)
		}
		if r := env.TokenClient("leader").SendJSON("PUT", "/api/v1/daily-reports/settings", `{}`); r.StatusCode != 403 {
			t.Fatalf("leader: %d", r.StatusCode)
		}
		if r := yjj.SendJSON("PUT", "/api/v1/daily-reports/settings", `{"safety_desk_org_id":`+itoa(env.OrgID("SFQ-YJJ"))+`,"stability_desk_org_id":null,"escalate_user_id":`+itoa(env.UserID("leader"))+`}`); r.StatusCode != 200 {
			t.Fatalf("set: %d %s", r.StatusCode, r.Body)
		}
		yjj.Get("/api/v1/daily-reports/settings").JSON(t, &s)
		if *s.EscalateUserID != env.UserID("leader") {
			t.Fatal("the escalation leader did not change")
		}
		_ = apptest.Env{}
	})
}
