package petition_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/petition"
)

// TestDirectRegistration: a township registers a petition it received
// itself; the case is the township's to accept at once (15 days from
// receipt), the bureau sees it, and the township may pass it back within
// the objection period. An accusation is not the township's to register;
// a leader reads petitions but registers none.
func TestDirectRegistration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.setClock("2026-11-27 10:00")
		c := f.register("qingshan", f.claim(map[string]any{"received_at": "2026-11-26T02:00:00Z"}))
		must(t, c.Status == petition.Routed && c.RouteKind == petition.RouteDirect && c.HandlingName == "青山镇", "direct case: %s %s %s", c.Status, c.RouteKind, c.HandlingName)
		must(t, c.Clock.Period == petition.PeriodAccept && c.Clock.LastDay == "2026-12-11", "the acceptance clock runs from receipt: %+v", c.Clock)
		must(t, c.Window != nil && c.Window.Kind == "object", "no objection window: %+v", c.Window)
		must(t, f.count("SELECT count(*) FROM audit_log WHERE action = 'petition.register' AND object_id = ? AND org_id = ?", itoa(c.ID), f.env.OrgID("SFQ-QS")) == 1,
			"the registration is not audited under the township")

		// The bureau sees it in its ledger; the township accepts it.
		got, code := f.get("xfj", c.ID)
		must(t, code == http.StatusOK && got.RouteKind == petition.RouteDirect, "the bureau reads the case: %d", code)
		acc := f.mustStep("qingshan", c.ID, map[string]any{"action": "accept", "notice": "已受理"})
		must(t, acc.Status == petition.Accepted && acc.Clock.Period == petition.PeriodHandle, "accepted: %s %+v", acc.Status, acc.Clock)

		// Not its matter: back to the bureau, which routes it.
		c2 := f.register("qingshan", f.claim(map[string]any{"subject": "environment"}))
		r := f.step("qingshan", c2.ID, map[string]any{"action": "object", "reason": "属区生态环境分局职责"})
		must(t, r.StatusCode == http.StatusOK, "object: %d %s", r.StatusCode, r.Body)
		must(t, f.status(c2.ID) == petition.Objected, "after the objection: %s", f.status(c2.ID))
		f.mustStep("xfj", c2.ID, map[string]any{"action": "transfer", "org_id": f.env.OrgID("SFQ-DC")})

		// Earlier cases of the same petitioner: only those the township sees.
		other := f.register("xfj", f.claim(nil))
		f.mustStep("xfj", other.ID, map[string]any{"action": "transfer", "org_id": f.env.OrgID("SFQ-DC")})
		r = f.c("qingshan").SendJSON("POST", "/api/v1/petitions/similar", map[string]any{"phones": []string{phoneA}})
		var sim []petition.SimilarCase
		r.JSON(t, &sim)
		for _, x := range sim {
			must(t, x.ID != other.ID, "the township is shown another township's case")
		}
		must(t, len(sim) == 1 && sim[0].ID == c.ID, "the township's own case (the objected one is back at the bureau): %+v", sim)

		// An accusation: 422 naming the category, nothing written.
		before := f.count("SELECT count(*) FROM petitions")
		r = f.c("qingshan").SendJSON("POST", "/api/v1/petitions", f.claim(map[string]any{"category": "accusation", "accused": "某站所工作人员"}))
		must(t, r.StatusCode == http.StatusUnprocessableEntity && errorField(t, r) == "category", "a township's accusation: %d %s", r.StatusCode, r.Body)
		must(t, f.count("SELECT count(*) FROM petitions") == before, "a refused registration left a case")

		// The township's form says whose case it becomes and offers no accusation.
		page := string(f.env.SignIn("qingshan").Get("/petitions/new").Body)
		must(t, strings.Contains(page, `id="direct-accusation"`) && strings.Contains(page, "由青山镇直接登记办理") && !strings.Contains(page, `value="accusation"`),
			"the township's registration form")

		// A supervisor reads petitions but registers none: 403.
		r = f.c("duchashi").SendJSON("POST", "/api/v1/petitions", f.claim(nil))
		must(t, r.StatusCode == http.StatusForbidden, "a supervisor registers: %d %s", r.StatusCode, r.Body)
	})
}
