package hazard_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/hazard"
)

// multipartForm builds a form with fields and files (field → name → bytes).
func multipartForm(fields url.Values, files map[string]map[string][]byte) (io.Reader, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	for field, fs := range files {
		for name, data := range fs {
			fw, _ := w.CreateFormFile(field, name)
			fw.Write(data)
		}
	}
	w.Close()
	return &b, w.FormDataContentType()
}

func pngBytes() []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 12, 12)))
	return b.Bytes()
}

var hazardLink = regexp.MustCompile(`^/hazards/(\d+)$`)

func TestPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		grid := f.env.SignIn("wanggeyuan")
		qs := f.env.SignIn("qingshan")

		// The form comes prefilled from the enterprise; posting it registers, with the photo.
		r := grid.Get("/hazards/new?enterprise_id=" + itoa(f.entShangping))
		must(t, r.StatusCode == 200 && strings.Contains(string(r.Body), "上坪精细化工有限公司") && strings.Contains(string(r.Body), "上坪精细化工有限公司所在地"), "prefilled form: %d", r.StatusCode)
		body, ct := multipartForm(url.Values{"enterprise_id": {itoa(f.entShangping)}, "description": {"二楼楼梯间堆放纸箱"}, "category": {"fire"}, "grade": {"general"},
			"mode": {"deadline"}, "deadline": {"2026-12-05"}}, map[string]map[string][]byte{"photos": {"楼梯间.png": pngBytes()}})
		r = grid.Do("POST", "/hazards", body, ct)
		m := hazardLink.FindStringSubmatch(r.Header.Get("Location"))
		must(t, r.StatusCode == 303 && m != nil, "register by form: %d %s %.300s", r.StatusCode, r.Header.Get("Location"), r.Body)
		id := m[1]
		page := string(grid.Get("/hazards/" + id).Body)
		must(t, strings.Contains(page, "二楼楼梯间堆放纸箱") && strings.Contains(page, "att-tile") && strings.Contains(page, "黄秀兰"), "the hazard's page")
		must(t, strings.Contains(page, `id="do-submit_evidence"`) && !strings.Contains(page, `id="do-accept"`), "the grid worker's buttons")

		// Bad files on the form: an executable called a photo, a 21 MB photo.
		for _, c := range []struct {
			name   string
			data   []byte
			status int
		}{
			{"现场.jpg", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 4096)...), 415},
			{"大照片.png", append(pngBytes(), bytes.Repeat([]byte{0}, 21<<20)...), 413},
		} {
			n := f.count("SELECT count(*) FROM hazard_steps")
			body, ct := multipartForm(url.Values{"action": {"submit_evidence"}, "comment": {"已清理"}}, map[string]map[string][]byte{"files": {c.name: c.data}})
			r := grid.Do("POST", "/hazards/"+id+"/transitions", body, ct)
			must(t, r.StatusCode == c.status && strings.Contains(string(r.Body), c.name), "%s: %d %.200s", c.name, r.StatusCode, r.Body)
			must(t, f.count("SELECT count(*) FROM hazard_steps") == n, "a step with a bad file")
		}
		// Deadline before the finding date, on the form: shown on the form, nothing written.
		body, ct = multipartForm(url.Values{"org_id": {itoa(f.env.OrgID("SFQ-QS-01"))}, "description": {"x"}, "category": {"fire"}, "found_at": {"2026-11-26T09:00"},
			"deadline": {"2026-11-20"}}, nil)
		r = grid.Do("POST", "/hazards", body, ct)
		must(t, r.StatusCode == 400 && strings.Contains(string(r.Body), "早于发现日期") && strings.Contains(string(r.Body), `id="form-error"`), "bad deadline on the form: %d", r.StatusCode)

		// Evidence by form, acceptance by form.
		body, ct = multipartForm(url.Values{"action": {"submit_evidence"}, "comment": {"纸箱已清走"}}, map[string]map[string][]byte{"files": {"清理后.png": pngBytes()}})
		r = grid.Do("POST", "/hazards/"+id+"/transitions", body, ct)
		must(t, r.StatusCode == 303, "evidence by form: %d %.300s", r.StatusCode, r.Body)
		r = grid.PostForm("/hazards/"+id+"/transitions", url.Values{"action": {"accept"}})
		must(t, r.StatusCode == 403, "grid worker accepts: %d", r.StatusCode)
		r = qs.PostForm("/hazards/"+id+"/transitions", url.Values{"action": {"start"}})
		must(t, r.StatusCode == 422 && strings.Contains(string(r.Body), "验收销号"), "a step not in the table, on the page: %d", r.StatusCode)
		r = qs.PostForm("/hazards/"+id+"/transitions", url.Values{"action": {"accept"}, "comment": {"合格"}})
		must(t, r.StatusCode == 303, "accept by form: %d %.300s", r.StatusCode, r.Body)
		must(t, f.status(mustID(t, id)) == hazard.Closed, "closed")

		// Scope: another township's staff gets the not-found page.
		dc := f.env.SignIn(f.loginOf("staff", "SFQ-DC"))
		must(t, dc.Get("/hazards/"+id).StatusCode == 404, "another township reads the page")
		must(t, dc.Get("/hazards?org_id="+itoa(f.env.OrgID("SFQ-QS"))).StatusCode == 404, "another township's ledger")
		must(t, !strings.Contains(string(dc.Get("/hazards").Body), "二楼楼梯间"), "another township's ledger lists it")

		// The ledger, the statistics, the import page.
		led := string(qs.Get("/hazards?q=" + url.QueryEscape("楼梯")).Body)
		must(t, strings.Contains(led, "二楼楼梯间堆放纸箱") && strings.Contains(led, `id="cards"`) && strings.Contains(led, `id="ledger"`), "ledger page")
		must(t, qs.Get("/hazards?status=nonsense").StatusCode == 400, "bad filter on the page")
		st := string(qs.Get("/hazards/stats").Body)
		must(t, strings.Contains(st, `id="big-open"`) && strings.Contains(st, "上坪村"), "stats page")
		must(t, qs.Get("/hazards/import").StatusCode == 200, "import page")
		must(t, f.env.SignIn("duchashi").Get("/hazards/new").StatusCode == 404, "a supervisor's form")
		must(t, f.env.SignIn("auditor").Get("/hazards").StatusCode == 404, "the auditor's ledger")
		css := f.env.Anonymous().Get("/static/hazard.css")
		must(t, css.StatusCode == 200 && strings.Contains(css.Header.Get("Content-Type"), "text/css"), "stylesheet")
	})
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	for _, c := range s {
		id = id*10 + int64(c-'0')
	}
	return id
}

// TestFromDailyReportItem: a daily-report item becomes a hazard with what
// the report said, and the item is marked as registered.
func TestFromDailyReportItem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		r := f.c("qingshan").SendJSON("POST", "/api/v1/daily-reports", map[string]any{"org_id": f.env.OrgID("SFQ-QS-03"),
			"safety":    map[string]any{"items": []map[string]any{{"category": "火灾", "summary": "枫林村一处柴房电线裸露，存在火灾隐患", "place": "枫林村三组"}}},
			"stability": map[string]any{"nothing_to_report": true}})
		must(t, r.StatusCode == 201, "daily report: %d %s", r.StatusCode, r.Body)
		var item int64
		d.QueryRow(context.Background(), "SELECT MAX(id) FROM daily_report_items").Scan(&item)
		var pre hazard.Prefilled
		r = f.c("qingshan").Get("/api/v1/hazards/prefill?from=dailyreport_item&item_id=" + itoa(item))
		r.JSON(t, &pre)
		must(t, r.StatusCode == 200 && pre.Input.Description == "枫林村一处柴房电线裸露，存在火灾隐患" && pre.Input.Location == "枫林村三组" &&
			pre.Input.Category == "fire" && pre.Input.OrgID == f.env.OrgID("SFQ-QS-03") && pre.Input.FinderName == "林思远", "prefill %+v", pre)
		page := string(f.env.SignIn("qingshan").Get("/hazards/new?from=dailyreport_item&item_id=" + itoa(item)).Body)
		must(t, strings.Contains(page, "枫林村一处柴房电线裸露") && strings.Contains(page, `id="from-line"`), "the form from the item")
		in := pre.Input
		in.Deadline = "2026-12-03"
		h := f.register("qingshan", map[string]any{"source": in.Source, "source_ref": in.SourceRef, "org_id": in.OrgID, "description": in.Description,
			"location": in.Location, "category": in.Category, "deadline": in.Deadline})
		must(t, h.Source == hazard.SourceDailyItem && h.TerritoryName == "枫林村", "from the item: %+v", h.Hazard)
		must(t, f.count("SELECT count(*) FROM daily_report_items WHERE id = ? AND link_kind = 'hazard' AND link_ref = ?", item, h.Number) == 1, "the item is linked")
		r = f.c("qingshan").SendJSON("POST", "/api/v1/hazards", map[string]any{"source": "daily_report_item", "source_ref": itoa(item), "org_id": in.OrgID,
			"description": "again", "category": "fire", "deadline": "2026-12-03"})
		must(t, r.StatusCode == 409, "registering the item twice: %d %s", r.StatusCode, r.Body)
		r = f.c(f.loginOf("staff", "SFQ-DC")).Get("/api/v1/hazards/prefill?from=dailyreport_item&item_id=" + itoa(item))
		must(t, r.StatusCode == 404, "another township's item: %d", r.StatusCode)
	})
}
