package petition_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestPrintDocuments: the documents served on the petitioner print from the
// case with the full name, the answer's facts, reasons and basis, and where
// to ask for a review; each print is an unmasking in the trail; those who
// may not open the personal data, and documents not issued yet, are refused.
func TestPrintDocuments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := f.routeAcceptReply(nil)
		s := f.env.SignIn("qingshan")
		page := string(s.Get("/petitions/" + itoa(id)).Body)
		must(t, strings.Contains(page, `id="documents"`) && strings.Contains(page, `/print/accept"`) && strings.Contains(page, `/print/reply"`) &&
			!strings.Contains(page, `/print/decline"`), "the case page lists the documents issued")

		before := f.env.AuditCount("petition.reveal", "ok")
		r := s.Get("/petitions/" + itoa(id) + "/print/reply")
		body := string(r.Body)
		must(t, r.StatusCode == http.StatusOK, "print the reply: %d", r.StatusCode)
		for _, want := range []string{"信访事项处理意见书", "张建国", "青山镇", "予以支持", "经核实，施工方拖欠工资属实", "《保障农民工工资支付条例》第三条",
			"30 日内，向上一级机关（", "请求复查", "2026年11月27日", "湖南省长沙市示范区青山镇上坪村3组12号"} {
			must(t, strings.Contains(body, want), "the reply lacks %q", want)
		}
		must(t, f.env.AuditCount("petition.reveal", "ok") == before+1, "the print is not recorded as an unmasking")

		r = s.Get("/petitions/" + itoa(id) + "/print/accept")
		must(t, r.StatusCode == http.StatusOK && strings.Contains(string(r.Body), "已受理，将于 60 日内答复") && strings.Contains(string(r.Body), "受理告知书"),
			"print the acceptance: %d", r.StatusCode)

		// Not issued, unknown, or someone who may not open personal data.
		for _, c := range []struct {
			login, doc string
			status     int
		}{
			{"qingshan", "decline", http.StatusNotFound},
			{"qingshan", "review", http.StatusNotFound},
			{"qingshan", "nonsense", http.StatusNotFound},
			{"duchashi", "reply", http.StatusForbidden},
			{"yjj", "reply", http.StatusNotFound},
		} {
			r := f.env.SignIn(c.login).Get("/petitions/" + itoa(id) + "/print/" + c.doc)
			must(t, r.StatusCode == c.status, "%s prints %s: %d, want %d", c.login, c.doc, r.StatusCode, c.status)
			must(t, !strings.Contains(string(r.Body), "张建国"), "%s sees the name", c.login)
		}
	})
}
