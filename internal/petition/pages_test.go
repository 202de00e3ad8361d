package petition_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestPages walks the pages with a session: the ledger masks, the form
// suggests a repeat petition and registers, the case page shows the
// clock and masks until 显示, which is audited; the routing form works;
// out of reach is 404.
func TestPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		earlier := f.register("xfj", f.claim(nil))
		s := f.env.SignIn("xfj")
		r := s.Get("/petitions")
		body := string(r.Body)
		must(t, r.StatusCode == 200 && strings.Contains(body, earlier.Number) && strings.Contains(body, "张**") && !strings.Contains(body, "张建国"), "ledger: %d", r.StatusCode)
		must(t, strings.Contains(body, `id="register"`), "no register button for the bureau")
		must(t, s.Get("/petitions/new").StatusCode == 200, "new")

		form := url.Values{"channel": {"letter"}, "category": {"claim"}, "subject": {"labour"}, "place_org_id": {itoa(f.env.OrgID("SFQ-QS"))},
			"request": {"再次请求支付工资"}, "facts": {"仍未支付"}, "p0_name": {"张建国"}, "p0_phone": {phoneA}}
		check := url.Values{"check": {"1"}}
		for k, v := range form {
			check[k] = v
		}
		r = s.PostForm("/petitions", check)
		must(t, r.StatusCode == 200 && strings.Contains(string(r.Body), earlier.Number) && strings.Contains(string(r.Body), `name="repeat_of"`),
			"no repeat suggestion: %d", r.StatusCode)
		must(t, f.count("SELECT count(*) FROM petitions") == 1, "checking registered a case")
		form.Set("repeat_of", itoa(earlier.ID))
		r = s.PostForm("/petitions", form)
		must(t, r.StatusCode == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/petitions/"), "register: %d %s", r.StatusCode, r.Body)
		loc := r.Header.Get("Location")
		must(t, f.count("SELECT count(*) FROM petitions WHERE repeat_of = ?", earlier.ID) == 1, "the repeat link is not stored")

		r = s.Get(loc)
		body = string(r.Body)
		must(t, r.StatusCode == 200 && strings.Contains(body, `id="clock"`) && strings.Contains(body, "剩 15 天") && strings.Contains(body, "138****5678") && !strings.Contains(body, phoneA),
			"case page: %d", r.StatusCode)
		must(t, strings.Contains(body, `id="reveal"`) && strings.Contains(body, `id="do-transfer"`), "no reveal or transfer")
		before := f.env.AuditCount("petition.reveal", "ok")
		r = s.PostForm(loc+"/reveal", url.Values{})
		must(t, r.StatusCode == 200 && strings.Contains(string(r.Body), phoneA) && strings.Contains(string(r.Body), `id="revealed-note"`), "reveal page: %d", r.StatusCode)
		must(t, f.env.AuditCount("petition.reveal", "ok") == before+1, "the page's reveal is not audited")

		r = s.PostForm(loc+"/transitions", url.Values{"action": {"transfer"}, "org_id": {itoa(f.env.OrgID("SFQ-QS"))}})
		must(t, r.StatusCode == http.StatusSeeOther, "transfer form: %d %s", r.StatusCode, r.Body)
		r = s.PostForm(loc+"/transitions", url.Values{"action": {"transfer"}})
		must(t, r.StatusCode == http.StatusUnprocessableEntity && strings.Contains(string(r.Body), `id="form-error"`), "a step not allowed on the page: %d", r.StatusCode)

		q := f.env.SignIn("qingshan")
		must(t, q.Get("/petitions/new").StatusCode == http.StatusOK, "the township cannot open the registration form (it registers what it receives)")
		must(t, q.Get(loc).StatusCode == 200, "township: the routed case")
		must(t, q.Get("/petitions/"+itoa(earlier.ID)).StatusCode == http.StatusNotFound, "township sees a case not routed to it")
		must(t, f.env.SignIn("yjj").Get(loc).StatusCode == http.StatusNotFound, "the emergency bureau sees a petition")
		r = f.env.SignIn("wanggeyuan").Get("/petitions")
		must(t, r.StatusCode == http.StatusNotFound, "a grid worker opens the ledger: %d", r.StatusCode)
	})
}
