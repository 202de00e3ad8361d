package petition_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/dispute"
)

// TestDisputePassedOn: a dispute passed on to petitions (转信访) with the
// case's number links to the case, and the case back to the dispute, on
// the API and the pages, for those who may open the other side; a number
// that is no case stays plain text.
func TestDisputePassedOn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.register("qingshan", f.claim(nil)) // the township's own case
		newDispute := func() int64 {
			r := f.c("qingshan").SendJSON("POST", "/api/v1/disputes", map[string]any{"org_id": f.env.OrgID("SFQ-QS-01"), "type": "wages",
				"summary": "劳务队拖欠务工人员工资", "parties": "务工村民与劳务队", "party_count": 6, "risk_level": "yellow"})
			must(t, r.StatusCode == http.StatusCreated, "dispute: %d %s", r.StatusCode, r.Body)
			var x dispute.Detail
			r.JSON(t, &x)
			return x.ID
		}
		passOn := func(id int64, ref string) dispute.Detail {
			r := f.c("qingshan").SendJSON("POST", "/api/v1/disputes/"+itoa(id)+"/transitions", map[string]any{"action": "to_petition",
				"reason": "当事人到镇信访办反映，转入信访程序", "transfer_ref": ref})
			must(t, r.StatusCode == http.StatusOK, "to_petition: %d %s", r.StatusCode, r.Body)
			var x dispute.Detail
			r.JSON(t, &x)
			return x
		}
		linked := passOn(newDispute(), c.Number)
		must(t, linked.Petition != nil && linked.Petition.ID == c.ID && linked.Petition.Href == "/petitions/"+itoa(c.ID), "dispute → case: %+v", linked.Petition)
		plain := passOn(newDispute(), "XF-2026-000318")
		must(t, plain.Petition == nil && plain.TransferRef == "XF-2026-000318", "an unknown number links: %+v", plain.Petition)

		got, _ := f.get("qingshan", c.ID)
		must(t, len(got.FromDisputes) == 1 && got.FromDisputes[0].ID == linked.ID && got.FromDisputes[0].Number == linked.Number, "case → dispute: %+v", got.FromDisputes)

		// A case the township may not open (the bureau routed it to another
		// township): the number stays plain, and no refusal enters the trail.
		dc := f.register("xfj", f.claim(nil))
		f.mustStep("xfj", dc.ID, map[string]any{"action": "transfer", "org_id": f.env.OrgID("SFQ-DC")})
		denied := f.env.AuditCount("petition.view", "denied")
		hidden := passOn(newDispute(), dc.Number)
		must(t, hidden.Petition == nil && hidden.TransferRef == dc.Number, "a case out of reach is linked: %+v", hidden.Petition)
		must(t, f.env.AuditCount("petition.view", "denied") == denied, "a link left out was recorded as a refusal")
		got, _ = f.get("xfj", dc.ID)
		must(t, len(got.FromDisputes) == 1 && got.FromDisputes[0].ID == hidden.ID, "the bureau sees the dispute passed on: %+v", got.FromDisputes)

		// The pages link both ways.
		s := f.env.SignIn("qingshan")
		body := string(s.Get("/disputes/" + itoa(linked.ID)).Body)
		must(t, strings.Contains(body, `id="petition-link" href="/petitions/`+itoa(c.ID)+`"`), "the dispute page does not link the case")
		body = string(s.Get("/petitions/" + itoa(c.ID)).Body)
		must(t, strings.Contains(body, `id="from-disputes"`) && strings.Contains(body, `href="/disputes/`+itoa(linked.ID)+`"`), "the case page does not link the dispute")

		// Registering the case from the dispute: the form is pre-filled,
		// and saving it marks the dispute passed on to the new case.
		fresh := newDispute()
		body = string(s.Get("/disputes/" + itoa(fresh)).Body)
		must(t, strings.Contains(body, `id="register-petition" href="/petitions/new?dispute=`+itoa(fresh)+`"`), "the dispute page offers no registration")
		r := s.Get("/petitions/new?dispute=" + itoa(fresh))
		body = string(r.Body)
		must(t, r.StatusCode == http.StatusOK && strings.Contains(body, `id="from-dispute"`) && strings.Contains(body, "劳务队拖欠务工人员工资") &&
			strings.Contains(body, `name="from_dispute" value="`+itoa(fresh)+`"`), "the pre-filled form: %d", r.StatusCode)
		r = s.PostForm("/petitions", url.Values{"channel": {"visit"}, "category": {"claim"}, "subject": {"labour"}, "place_org_id": {itoa(f.env.OrgID("SFQ-QS-01"))},
			"request": {"劳务队拖欠务工人员工资"}, "facts": {"多次调解未果"}, "p0_name": {"张建国"}, "p0_phone": {phoneA}, "from_dispute": {itoa(fresh)}})
		must(t, r.StatusCode == http.StatusSeeOther, "register from the dispute: %d %s", r.StatusCode, r.Body)
		number := f.str("SELECT number FROM petitions ORDER BY id DESC LIMIT 1")
		must(t, f.str("SELECT status FROM disputes WHERE id = ?", fresh) == "to_petition" && f.str("SELECT transfer_ref FROM disputes WHERE id = ?", fresh) == number,
			"the dispute is not marked passed on to %s", number)

		// A grid worker passes disputes on but registers no petition: no offer;
		// a dispute already passed on cannot be registered again.
		body = string(f.env.SignIn("wanggeyuan").Get("/disputes/" + itoa(newDispute())).Body)
		must(t, !strings.Contains(body, `id="register-petition"`), "the grid worker is offered a registration")
		r = s.Get("/petitions/new?dispute=" + itoa(fresh))
		must(t, r.StatusCode == http.StatusUnprocessableEntity, "a dispute passed on twice: %d", r.StatusCode)
	})
}
