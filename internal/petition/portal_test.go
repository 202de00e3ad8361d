package petition_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/petition"
)

// ---- helpers ----

// call sends a request to the portal as a citizen (no session), with the
// phone in the portal's header when given.
func (f *fixture) call(method, path, phone, contentType string, body io.Reader, hdr ...string) *apptest.Response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.env.Server.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if method != "GET" {
		req.Header.Set("Origin", f.env.Server.URL)
	}
	if phone != "" {
		req.Header.Set(petition.PhoneHeader, phone)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &apptest.Response{Response: resp, Body: b}
}

func (f *fixture) callJSON(method, path, phone string, v any) *apptest.Response {
	f.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.call(method, path, phone, "application/json", bytes.NewReader(b))
}

var zhNum = map[rune]int{'零': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9, '十': 10}

// solve answers a challenge's question ("七加五等于几？").
func solve(t *testing.T, q string) string {
	t.Helper()
	r := []rune(q)
	if len(r) < 3 || r[1] != '加' {
		t.Fatalf("a question of another shape: %q", q)
	}
	a, ok1 := zhNum[r[0]]
	b, ok2 := zhNum[r[2]]
	if !ok1 || !ok2 {
		t.Fatalf("a question of another shape: %q", q)
	}
	return strconv.Itoa(a + b)
}

// challenge fetches a challenge over the API and returns its token and answer.
func (f *fixture) challenge() (token, answer string) {
	f.t.Helper()
	r := f.call("GET", "/public/petitions/challenge", "", "", nil)
	must(f.t, r.StatusCode == 200 && r.Header.Get("Cache-Control") == "no-store", "challenge: %d %s", r.StatusCode, r.Body)
	var c petition.Challenge
	r.JSON(f.t, &c)
	must(f.t, c.Token != "" && strings.HasPrefix(c.QuestionEN, "What is ") && c.ExpiresAt.Sub(f.env.Clock.Now()) > 50*time.Minute, "challenge %+v", c)
	return c.Token, solve(f.t, c.Question)
}

// submission is a claim as the JSON API takes it.
func (f *fixture) submission(token, answer string) map[string]any {
	return map[string]any{"category": "claim", "subject": "labour", "place_org_id": f.env.OrgID("SFQ-QS"), "place": "上坪村 3 组",
		"request": "请求支付拖欠的工资", "facts": "在青山镇某厂务工，工资拖欠两个月", "name": "李四", "phone": phoneB,
		"challenge": token, "answer": answer, "consent": true}
}

// submit files a claim over the API (a fresh challenge, answered after a
// person's pause) and returns the receipt.
func (f *fixture) submit() petition.PortalReceipt {
	f.t.Helper()
	tok, ans := f.challenge()
	f.env.Clock.Advance(5 * time.Second)
	r := f.callJSON("POST", "/public/petitions", "", f.submission(tok, ans))
	must(f.t, r.StatusCode == http.StatusCreated, "submit: %d %s", r.StatusCode, r.Body)
	var rc petition.PortalReceipt
	r.JSON(f.t, &rc)
	return rc
}

func (f *fixture) idOf(number string) int64 {
	f.t.Helper()
	var id int64
	if err := f.env.App.DB.QueryRow(context.Background(), "SELECT id FROM petitions WHERE number = ?", number).Scan(&id); err != nil {
		f.t.Fatalf("case %s: %v", number, err)
	}
	return id
}

// answered routes the case to 青山镇, which accepts it and answers it today.
func (f *fixture) answered(id int64) {
	f.t.Helper()
	f.mustStep("xfj", id, map[string]any{"action": "transfer", "org_id": f.env.OrgID("SFQ-QS")})
	f.mustStep("qingshan", id, map[string]any{"action": "accept", "notice": "已受理"})
	f.mustStep("qingshan", id, map[string]any{"action": "reply", "opinion": map[string]any{"decision": "explain", "facts": "企业已停产",
		"reasons": "已协调破产管理人优先清偿", "basis": "《企业破产法》第一百一十三条"}})
}

var (
	tokenRE    = regexp.MustCompile(`name="challenge" value="([^"]+)"`)
	questionRE = regexp.MustCompile(`id="question">([^<]+)<`)
	codeRE     = regexp.MustCompile(`id="query-code" value="([A-Z0-9-]+)"`)
)

// formChallenge reads the challenge of a form page.
func formChallenge(t *testing.T, body []byte) (token, question string) {
	t.Helper()
	m, q := tokenRE.FindSubmatch(body), questionRE.FindSubmatch(body)
	if m == nil || q == nil {
		t.Fatalf("no challenge on the page: %.500s", body)
	}
	return html.UnescapeString(string(m[1])), html.UnescapeString(string(q[1]))
}

// multipartForm builds a form post with fields and PNG files named files.
func multipartForm(t *testing.T, fields url.Values, files int) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	for i := 0; i < files; i++ {
		fw, err := w.CreateFormFile("files", fmt.Sprintf("现场%d.png", i+1))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(fw, image.NewGray(image.Rect(0, 0, 16+i, 16))); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	return &buf, w.FormDataContentType()
}

func (f *fixture) formFields(token, answer string) url.Values {
	return url.Values{"category": {"claim"}, "subject": {"labour"}, "place_org_id": {itoa(f.env.OrgID("SFQ-QS"))}, "place": {"上坪村 3 组"},
		"request": {"请求督促工厂支付拖欠工资"}, "facts": {"今年三月起在工厂务工，工资一直拖欠"}, "name": {"王五"}, "phone": {"139 1234 5678"},
		"consent": {"1"}, "challenge": {token}, "answer": {answer}, "website": {""}}
}

// ---- the JSON API ----

// TestPortalAPI: a citizen submits over the JSON API, follows the case
// with the code and the phone (a wrong code and a wrong phone get the same
// 404), rates the answer once and asks for a review within 30 days, not on
// day 31; the challenge is spent once and refused too soon, too late or
// answered wrongly; every write is in the trail with the caller's address.
func TestPortalAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		online := func() int { return f.count("SELECT count(*) FROM petitions WHERE channel = 'online'") }

		// Refusals write nothing.
		tok, ans := f.challenge()
		refusals := []struct {
			name   string
			edit   func(map[string]any)
			wait   time.Duration
			status int
			field  string
		}{
			{"no consent", func(b map[string]any) { b["consent"] = false }, 5 * time.Second, 400, "consent"},
			{"a landline", func(b map[string]any) { b["phone"] = "0731-8888888" }, 0, 400, "phone"},
			{"a department as the place", func(b map[string]any) { b["place_org_id"] = f.env.OrgID("SFQ-XFJ") }, 0, 400, "place_org_id"},
			{"files by id", func(b map[string]any) { b["attachment_ids"] = []int{1} }, 0, 400, "attachment_ids"},
			{"no request", func(b map[string]any) { b["request"] = " " }, 0, 400, "request"},
			{"a wrong answer", func(b map[string]any) { b["answer"] = "99" }, 0, 400, "answer"},
			{"the spent token, rightly answered", func(b map[string]any) {}, 0, 400, "answer"},
		}
		for _, c := range refusals {
			t.Run(c.name, func(t *testing.T) {
				f.env.Clock.Advance(c.wait)
				b := f.submission(tok, ans)
				c.edit(b)
				r := f.callJSON("POST", "/public/petitions", "", b)
				must(t, r.StatusCode == c.status && r.ErrorField() == c.field, "%s: %d %s", c.name, r.StatusCode, r.Body)
				must(t, online() == 0, "%s wrote a case", c.name)
			})
		}
		// Too soon, too late; Chinese and full-width numerals are answers too.
		tok, ans = f.challenge()
		r := f.callJSON("POST", "/public/petitions", "", f.submission(tok, ans))
		must(t, r.StatusCode == 400 && r.ErrorField() == "answer", "answered at once: %d %s", r.StatusCode, r.Body)
		tok, ans = f.challenge()
		f.env.Clock.Advance(petition.ChallengeTTL + time.Minute)
		r = f.callJSON("POST", "/public/petitions", "", f.submission(tok, ans))
		must(t, r.StatusCode == 400 && r.ErrorField() == "answer", "answered after an hour: %d %s", r.StatusCode, r.Body)
		must(t, online() == 0, "a refused challenge wrote a case")

		tok, ans = f.challenge()
		f.env.Clock.Advance(10 * time.Second)
		n, _ := strconv.Atoi(ans)
		zh := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八"}[n]
		r = f.callJSON("POST", "/public/petitions", "", f.submission(tok, zh))
		must(t, r.StatusCode == http.StatusCreated, "answered %s: %d %s", zh, r.StatusCode, r.Body)
		must(t, r.Header.Get("Cache-Control") == "no-store", "the receipt may be cached")
		var rc petition.PortalReceipt
		r.JSON(t, &rc)
		must(t, rc.Number != "" && regexp.MustCompile(`^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$`).MatchString(rc.Code), "receipt %+v", rc)
		id := f.idOf(rc.Number)
		must(t, online() == 1 && f.str("SELECT channel FROM petitions WHERE id = ?", id) == "online", "the case is not online")
		must(t, f.count("SELECT count(*) FROM audit_log WHERE action = 'petition.register' AND object_id = ? AND user_login = '(public)' AND client_addr = '127.0.0.1'", itoa(id)) == 1,
			"the registration is not in the trail with the caller's address")
		must(t, f.count("SELECT count(*) FROM petitions WHERE query_code_hash LIKE ?", "%"+strings.ReplaceAll(rc.Code, "-", "")+"%") == 0, "the code is stored in plain")
		tok, ans = f.challenge()
		f.env.Clock.Advance(5 * time.Second)
		full := strings.Map(func(c rune) rune { return c - '0' + '０' }, ans)
		r = f.callJSON("POST", "/public/petitions", "", f.submission(tok, full))
		must(t, r.StatusCode == http.StatusCreated, "answered in full-width digits %s: %d %s", full, r.StatusCode, r.Body)

		// The look-up: only the code with the phone opens the case.
		path := "/public/petitions/" + rc.Code
		r = f.call("GET", path, "+86 139-9876-5432", "", nil)
		must(t, r.StatusCode == 200 && r.Header.Get("Cache-Control") == "no-store", "look-up: %d %s", r.StatusCode, r.Body)
		var st petition.PublicStatus
		r.JSON(t, &st)
		must(t, st.Number == rc.Number && st.Status == "registered" && len(st.Milestones) == 1 && st.Milestones[0].Action == "register" && !st.CanRate,
			"status %+v", st)
		r = f.call("GET", "/public/petitions/"+strings.ToLower(strings.ReplaceAll(rc.Code, "-", "")), phoneB, "", nil)
		must(t, r.StatusCode == 200, "the code in lower case without dashes: %d", r.StatusCode)
		var bodies []string
		for _, c := range []struct{ path, phone string }{
			{path, phoneA}, // the right code, another phone
			{"/public/petitions/AAAA-BBBB-CCCC", phoneB}, // an unknown code, the right phone
			{"/public/petitions/AAAA-BBBB-CCCC", phoneA}, // both wrong
			{path, ""},      // no phone
			{path, "12345"}, // not a phone
		} {
			r := f.call("GET", c.path, c.phone, "", nil)
			must(t, r.StatusCode == 404 && r.ErrorCode() == "not_found", "%s with %q: %d %s", c.path, c.phone, r.StatusCode, r.Body)
			bodies = append(bodies, string(r.Body))
		}
		for _, b := range bodies[1:] {
			must(t, b == bodies[0], "two different 404s: %s / %s", bodies[0], b)
		}

		// Rating before the answer, then the answer, the rating once.
		r = f.callJSON("POST", path+"/rating", phoneB, map[string]string{"rating": "satisfied"})
		must(t, r.StatusCode == 422, "rated before the answer: %d %s", r.StatusCode, r.Body)
		f.answered(id)
		r = f.call("GET", path, phoneB, "", nil)
		r.JSON(t, &st)
		must(t, st.Status == "replied" && st.CanRate && st.ReviewUntil == "2026-12-27" && len(st.Answers) == 1 && st.Answers[0].Code == "explain", "answered %+v", st)
		r = f.callJSON("POST", path+"/rating", phoneA, map[string]string{"rating": "satisfied"})
		must(t, r.StatusCode == 404 && string(r.Body) == bodies[0], "rated with another phone: %d %s", r.StatusCode, r.Body)
		r = f.callJSON("POST", path+"/rating", phoneB, map[string]string{"rating": "great"})
		must(t, r.StatusCode == 400 && r.ErrorField() == "rating", "rated off the scale: %d %s", r.StatusCode, r.Body)
		r = f.callJSON("POST", path+"/rating", phoneB, map[string]string{"rating": "basic"})
		must(t, r.StatusCode == 200, "rate: %d %s", r.StatusCode, r.Body)
		r.JSON(t, &st)
		must(t, st.Rating == "basic" && !st.CanRate, "after rating %+v", st)
		r = f.callJSON("POST", path+"/rating", phoneB, map[string]string{"rating": "satisfied"})
		must(t, r.StatusCode == 409, "rated twice: %d %s", r.StatusCode, r.Body)
		must(t, f.str("SELECT rating FROM petitions WHERE id = ?", id) == "basic", "the rating is not stored")
		must(t, f.count("SELECT count(*) FROM audit_log WHERE action = 'petition.rate' AND result = 'ok' AND client_addr = '127.0.0.1'") == 1, "the rating is not in the trail")

		// The review: reasons required; not on day 31; on day 30.
		r = f.callJSON("POST", path+"/review", phoneB, map[string]string{"reason": " "})
		must(t, r.StatusCode == 400 && r.ErrorField() == "reason", "a review without reasons: %d %s", r.StatusCode, r.Body)
		f.setClock("2026-12-28 09:00")
		r = f.callJSON("POST", path+"/review", phoneB, map[string]string{"reason": "不服解释"})
		must(t, r.StatusCode == 422, "a review on day 31: %d %s", r.StatusCode, r.Body)
		r = f.call("GET", path, phoneB, "", nil)
		st = petition.PublicStatus{}
		r.JSON(t, &st)
		must(t, st.Status == "replied" && st.ReviewUntil == "", "day 31 still offers a review: %+v", st)
		must(t, f.status(id) == "replied", "a refused review moved the case")
		f.setClock("2026-12-27 20:00")
		r = f.callJSON("POST", path+"/review", phoneB, map[string]string{"reason": "不服解释，要求支付全部工资"})
		must(t, r.StatusCode == 200, "a review on day 30: %d %s", r.StatusCode, r.Body)
		r.JSON(t, &st)
		must(t, st.Status == "review_requested" && st.Milestones[len(st.Milestones)-1].Action == "request_review", "after the review request %+v", st)
		must(t, f.count("SELECT count(*) FROM petition_steps WHERE petition_id = ? AND action = 'request_review' AND actor_name = '信访人（网上）' AND reason = '不服解释，要求支付全部工资'", id) == 1,
			"the review step is not the petitioner's")
		must(t, f.count("SELECT count(*) FROM audit_log WHERE action = 'petition.request_review' AND object_id = ? AND client_addr = '127.0.0.1'", itoa(id)) == 1,
			"the review request is not in the trail")
	})
}

// ---- the pages ----

// TestPortalPages: the citizen's pages without sign-in: the form with its
// challenge and a photo, a wrong answer refused with the form kept, the
// receipt with the code, the look-up (the same 404 page for a wrong code
// and a wrong phone), the rating and the review request, in Chinese and
// in English.
func TestPortalPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		online := func() int { return f.count("SELECT count(*) FROM petitions WHERE channel = 'online'") }
		for _, p := range []string{"/public/petitions", "/public/petitions/new", "/public/petitions/query", "/static/portal.css"} {
			r := f.call("GET", p, "", "", nil)
			must(t, r.StatusCode == 200, "GET %s: %d", p, r.StatusCode)
			if p != "/static/portal.css" {
				must(t, !strings.Contains(string(r.Body), `class="nav"`) && strings.Contains(string(r.Body), "网上信访") &&
					strings.Contains(string(r.Body), "/lang?to=en"), "%s is not the portal's page: %.300s", p, r.Body)
			}
		}
		r := f.call("GET", "/public/petitions/new", "", "", nil)
		must(t, strings.Contains(string(r.Body), `name="website"`) && strings.Contains(string(r.Body), `name="consent"`), "the form lacks the honeypot or the consent")
		tok, q := formChallenge(t, r.Body)
		f.env.Clock.Advance(10 * time.Second)

		// A wrong answer: refused, the form kept, a new question, nothing written.
		body, ct := multipartForm(t, f.formFields(tok, "99"), 1)
		r = f.call("POST", "/public/petitions/new", "", ct, body)
		page := string(r.Body)
		must(t, r.StatusCode == 400 && strings.Contains(page, `id="form-error"`), "a wrong answer: %d %.300s", r.StatusCode, r.Body)
		for _, kept := range []string{"请求督促工厂支付拖欠工资", "今年三月起在工厂务工，工资一直拖欠", `value="王五"`, `value="139 1234 5678"`, `value="上坪村 3 组"`, `id="files-lost"`} {
			must(t, strings.Contains(page, kept), "the form lost %q", kept)
		}
		must(t, online() == 0 && f.count("SELECT count(*) FROM attachments") == 0, "a refused form wrote something")
		tok2, q2 := formChallenge(t, r.Body)
		must(t, tok2 != tok, "the spent question is asked again (%s)", q)

		// The honeypot filled in: refused alike.
		f.env.Clock.Advance(10 * time.Second)
		fields := f.formFields(tok2, solve(t, q2))
		fields.Set("website", "http://spam.example")
		body, ct = multipartForm(t, fields, 0)
		r = f.call("POST", "/public/petitions/new", "", ct, body)
		must(t, r.StatusCode == 400 && online() == 0, "the honeypot: %d", r.StatusCode)

		// A field missing: refused before the question is spent, which stays.
		tok3, q3 := formChallenge(t, r.Body)
		f.env.Clock.Advance(10 * time.Second)
		fields = f.formFields(tok3, solve(t, q3))
		fields.Del("facts")
		body, ct = multipartForm(t, fields, 1)
		r = f.call("POST", "/public/petitions/new", "", ct, body)
		tok4, _ := formChallenge(t, r.Body)
		must(t, r.StatusCode == 400 && tok4 == tok3 && strings.Contains(string(r.Body), `aria-invalid="true"`), "no facts: %d, token kept %v", r.StatusCode, tok4 == tok3)

		// Right: the receipt shows the code once.
		body, ct = multipartForm(t, f.formFields(tok3, solve(t, q3)), 2)
		r = f.call("POST", "/public/petitions/new", "", ct, body)
		m := codeRE.FindSubmatch(r.Body)
		must(t, r.StatusCode == 200 && m != nil && strings.Contains(string(r.Body), "139****5678"), "submit: %d %.500s", r.StatusCode, r.Body)
		code := string(m[1])
		var number string
		if err := d.QueryRow(context.Background(), "SELECT number FROM petitions WHERE channel = 'online'").Scan(&number); err != nil {
			t.Fatal(err)
		}
		id := f.idOf(number)
		must(t, strings.Contains(string(r.Body), number), "the receipt has no number")
		must(t, f.count("SELECT count(*) FROM attachments WHERE owner_type = 'petition' AND owner_id = ? AND uploaded_by IS NULL", id) == 2, "the photos are not the case's")
		must(t, f.count("SELECT count(*) FROM audit_log WHERE action = 'attachment.link' AND object_id = ? AND client_addr = '127.0.0.1'", itoa(id)) == 1, "the link is not in the trail")
		must(t, f.count("SELECT count(*) FROM audit_log WHERE action = 'attachment.upload' AND user_login = '(public)'") == 2, "the uploads are not in the trail")
		// The same form again (a reload): the question is spent.
		body, ct = multipartForm(t, f.formFields(tok3, solve(t, q3)), 0)
		r = f.call("POST", "/public/petitions/new", "", ct, body)
		must(t, r.StatusCode == 400 && online() == 1, "a reloaded form: %d, %d cases", r.StatusCode, online())

		// The look-up.
		look := func(path string, v url.Values) *apptest.Response {
			return f.call("POST", path, "", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
		}
		r = look("/public/petitions/query", url.Values{"code": {code}, "phone": {"13912345678"}})
		must(t, r.StatusCode == 200 && strings.Contains(string(r.Body), number) && strings.Contains(string(r.Body), "已登记"), "look-up: %d %.300s", r.StatusCode, r.Body)
		must(t, !strings.Contains(string(r.Body), `id="rate"`) && !strings.Contains(string(r.Body), `id="review"`), "a new case offers rating or review")
		wrongPhone := look("/public/petitions/query", url.Values{"code": {code}, "phone": {phoneA}})
		wrongCode := look("/public/petitions/query", url.Values{"code": {"AAAA-BBBB-CCCC"}, "phone": {"13912345678"}})
		must(t, wrongPhone.StatusCode == 404 && wrongCode.StatusCode == 404, "wrong pairs: %d %d", wrongPhone.StatusCode, wrongCode.StatusCode)
		a := strings.ReplaceAll(strings.ReplaceAll(string(wrongPhone.Body), code, "CODE"), phoneA, "PHONE")
		b := strings.ReplaceAll(strings.ReplaceAll(string(wrongCode.Body), "AAAA-BBBB-CCCC", "CODE"), "13912345678", "PHONE")
		must(t, a == b && strings.Contains(a, "查询码或手机号码不正确"), "the two 404 pages differ:\n%s\n----\n%s", a, b)

		// Answered: the citizen rates it and asks for a review.
		f.answered(id)
		r = look("/public/petitions/query", url.Values{"code": {code}, "phone": {"13912345678"}})
		must(t, strings.Contains(string(r.Body), `id="rate-satisfied"`) && strings.Contains(string(r.Body), "已作出书面答复") &&
			strings.Contains(string(r.Body), "已协调破产管理人优先清偿") && strings.Contains(string(r.Body), "还有 30 天"), "the answered case: %.2000s", r.Body)
		r = look("/public/petitions/query/rating", url.Values{"code": {code}, "phone": {"13912345678"}, "rating": {"satisfied"}})
		must(t, r.StatusCode == 200 && strings.Contains(string(r.Body), "感谢您的评价") && strings.Contains(string(r.Body), `id="rated"`) &&
			!strings.Contains(string(r.Body), `id="rate-satisfied"`), "rate: %d %.500s", r.StatusCode, r.Body)
		must(t, f.str("SELECT rating FROM petitions WHERE id = ?", id) == "satisfied", "the rating is not stored")
		r = look("/public/petitions/query/rating", url.Values{"code": {code}, "phone": {"13912345678"}, "rating": {"unsatisfied"}})
		must(t, r.StatusCode == 409 && f.str("SELECT rating FROM petitions WHERE id = ?", id) == "satisfied", "rated twice: %d", r.StatusCode)
		r = look("/public/petitions/query/review", url.Values{"code": {code}, "phone": {"13912345678"}, "reason": {""}})
		must(t, r.StatusCode == 400 && f.status(id) == "replied", "a review without reasons: %d", r.StatusCode)
		r = look("/public/petitions/query/review", url.Values{"code": {code}, "phone": {phoneA}, "reason": {"不服"}})
		must(t, r.StatusCode == 404 && f.status(id) == "replied", "a review with another phone: %d", r.StatusCode)
		r = look("/public/petitions/query/review", url.Values{"code": {code}, "phone": {"13912345678"}, "reason": {"企业仍有资产，应当支付"}})
		must(t, r.StatusCode == 200 && strings.Contains(string(r.Body), "复查中") && f.status(id) == "review_requested", "review: %d %.500s", r.StatusCode, r.Body)

		// In English.
		r = f.call("GET", "/public/petitions/new", "", "", nil, "Cookie", "lang=en")
		must(t, strings.Contains(string(r.Body), "What is ") && strings.Contains(string(r.Body), "Solve a problem"), "the English form: %.300s", r.Body)
		r = f.call("POST", "/public/petitions/query", "", "application/x-www-form-urlencoded",
			strings.NewReader(url.Values{"code": {code}, "phone": {"13912345678"}}.Encode()), "Cookie", "lang=en")
		must(t, r.StatusCode == 200 && strings.Contains(string(r.Body), "Under review") && strings.Contains(string(r.Body), "Answered in writing"), "the English status: %.500s", r.Body)
	})
}

// ---- abuse ----

// TestPortalRateLimit: 1,000 submissions from one address in a minute,
// each with a fresh challenge: five are accepted, the rest get 429 with
// Retry-After and write nothing (the limit's first refusals are in the
// trail); after the window, the address may submit again. Look-ups are
// limited too, the right code and phone included.
func TestPortalRateLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		type ch struct{ tok, ans string }
		var chs []ch
		for i := 0; i < 1000; i++ {
			tok, ans := f.challenge()
			chs = append(chs, ch{tok, ans})
		}
		f.env.Clock.Advance(5 * time.Second)
		codes := map[int]int{}
		var first429 int
		for i, c := range chs {
			r := f.callJSON("POST", "/public/petitions", "", f.submission(c.tok, c.ans))
			codes[r.StatusCode]++
			if r.StatusCode == 429 {
				if first429 == 0 {
					first429 = i + 1
				}
				ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
				must(t, err == nil && ra > 0 && ra <= int(petition.PortalWindow/time.Second) && r.ErrorCode() == "rate_limited", "429 without Retry-After: %q %s", r.Header.Get("Retry-After"), r.Body)
			}
			f.env.Clock.Advance(50 * time.Millisecond)
		}
		must(t, codes[201] == petition.PortalSubmitLimit && codes[429] == 1000-petition.PortalSubmitLimit && first429 == petition.PortalSubmitLimit+1,
			"statuses %v, first 429 at %d", codes, first429)
		must(t, f.count("SELECT count(*) FROM petitions WHERE channel = 'online'") == petition.PortalSubmitLimit &&
			f.count("SELECT count(*) FROM petition_people pp JOIN petitions p ON p.id = pp.petition_id WHERE p.channel = 'online'") == petition.PortalSubmitLimit &&
			f.env.AuditCount("petition.register", "ok") == petition.PortalSubmitLimit, "something more was written")
		must(t, f.count("SELECT count(*) FROM audit_log WHERE action = 'petition.portal_limit' AND result = 'denied' AND client_addr = '127.0.0.1'") == 2,
			"the limits' first refusals are not in the trail (once each)")

		// After the window: accepted again.
		f.env.Clock.Advance(petition.PortalWindow)
		rc := f.submit()

		// Look-ups: the limit holds for the right pair too.
		path := "/public/petitions/" + rc.Code
		for i := 1; i <= petition.PortalLookupLimit+2; i++ {
			r := f.call("GET", path, phoneB, "", nil)
			want := 200
			if i > petition.PortalLookupLimit {
				want = 429
			}
			must(t, r.StatusCode == want, "look-up %d: %d", i, r.StatusCode)
		}
		r := f.call("POST", "/public/petitions/query", "", "application/x-www-form-urlencoded", strings.NewReader(url.Values{"code": {rc.Code}, "phone": {phoneB}}.Encode()))
		must(t, r.StatusCode == 429 && r.Header.Get("Retry-After") != "" && strings.Contains(string(r.Body), "请求过于频繁"), "the page over the limit: %d", r.StatusCode)
		// Another address (through a trusted proxy it would be X-Forwarded-For; here the limits are per server).
		f.env.Clock.Advance(petition.PortalWindow)
		must(t, f.call("GET", path, phoneB, "", nil).StatusCode == 200, "the look-up limit does not lift")
	})
}

// TestPortalOpenAPI: the portal's routes are in the OpenAPI document and
// its answers, errors and refusals included, match their schemas.
func TestPortalOpenAPI(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	doc, err := openapi3.NewLoader().LoadFromData(f.env.Anonymous().Get("/api/v1/openapi.json").Body)
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rt := range f.env.App.Web.Routes() {
		if rt.API && strings.HasPrefix(rt.Pattern, "/public/") {
			n++
			if op := doc.Paths.Find(rt.Pattern); op == nil || op.GetOperation(rt.Method) == nil || op.GetOperation(rt.Method).Security == nil {
				t.Errorf("%s %s is not documented as public", rt.Method, rt.Pattern)
			}
		}
	}
	must(t, n == 5, "%d portal API routes", n)
	rc := f.submit()
	tok, ans := f.challenge()
	f.env.Clock.Advance(5 * time.Second)
	sub, _ := json.Marshal(f.submission(tok, ans))
	bad, _ := json.Marshal(f.submission(tok, "1"))
	id := f.idOf(rc.Number)
	path := "/public/petitions/" + rc.Code
	calls := []struct {
		name, method, path, phone, body string
		status                          int
		before                          func(t *testing.T)
	}{
		{"challenge", "GET", "/public/petitions/challenge", "", "", 200, nil},
		{"submit", "POST", "/public/petitions", "", string(sub), 201, nil},
		{"the spent challenge", "POST", "/public/petitions", "", string(bad), 400, nil},
		{"status", "GET", path, phoneB, "", 200, nil},
		{"status, wrong phone", "GET", path, phoneA, "", 404, nil},
		{"rating too soon", "POST", path + "/rating", phoneB, `{"rating":"basic"}`, 422, nil},
		{"rating", "POST", path + "/rating", phoneB, `{"rating":"basic"}`, 200, func(*testing.T) { f.answered(id) }},
		{"rating twice", "POST", path + "/rating", phoneB, `{"rating":"basic"}`, 409, nil},
		{"review", "POST", path + "/review", phoneB, `{"reason":"不服"}`, 200, nil},
		{"review twice", "POST", path + "/review", phoneB, `{"reason":"不服"}`, 422, func(t *testing.T) {
			r := f.callJSON("POST", path+"/review", phoneB, map[string]string{"reason": "不服"})
			must(t, r.StatusCode == 422 && strings.Contains(string(r.Body), "目前不能请求复查") && !strings.Contains(string(r.Body), "supervise"), "a second request: %s", r.Body)
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if c.before != nil {
				c.before(t)
			}
			var body io.Reader
			ct := ""
			if c.body != "" {
				body, ct = strings.NewReader(c.body), "application/json"
			}
			resp := f.call(c.method, c.path, c.phone, ct, body)
			must(t, resp.StatusCode == c.status, "%s: %d %s", c.name, resp.StatusCode, resp.Body)
			req, _ := http.NewRequest(c.method, f.env.Server.URL+c.path, strings.NewReader(c.body))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("no documented route: %v", err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
				Body: io.NopCloser(bytes.NewReader(resp.Body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Fatalf("%d %.300s: %v", resp.StatusCode, resp.Body, err)
			}
		})
	}
}

// TestPortalRoutes: every portal route answers a visitor who is not signed
// in (and a signed-in one alike), and refuses without writing; these are
// the rows proposed for the authorization matrix (internal/app/authz_test.go).
func TestPortalRoutes(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	const none = "AAAA-BBBB-CCCC"
	rows := []struct {
		login, method, path, body string
		want                      int
	}{
		{"", "GET", "/static/portal.css", "", 200},
		{"", "GET", "/public/petitions", "", 200},
		{"", "GET", "/public/petitions/new", "", 200},
		{"xfj", "GET", "/public/petitions/new", "", 200},
		{"", "POST", "/public/petitions/new", "form:category=claim", 400},
		{"", "GET", "/public/petitions/query", "", 200},
		{"", "POST", "/public/petitions/query", "form:code=" + none + "&phone=13900000000", 404},
		{"", "POST", "/public/petitions/query/rating", "form:code=" + none + "&phone=13900000000&rating=satisfied", 404},
		{"", "POST", "/public/petitions/query/review", "form:code=" + none + "&phone=13900000000&reason=x", 404},
		{"", "GET", "/public/petitions/challenge", "", 200},
		{"", "POST", "/public/petitions", `{"category":"claim"}`, 400},
		{"", "GET", "/public/petitions/" + none, "", 404},
		{"", "POST", "/public/petitions/" + none + "/rating", `{"rating":"satisfied"}`, 404},
		{"", "POST", "/public/petitions/" + none + "/review", `{"reason":"不服"}`, 404},
	}
	for _, row := range rows {
		t.Run(row.method+" "+row.path+" as "+row.login, func(t *testing.T) {
			c := f.env.Anonymous()
			if row.login != "" {
				c = f.env.SignIn(row.login)
			}
			var r *apptest.Response
			switch {
			case strings.HasPrefix(row.body, "form:"):
				r = c.Do(row.method, row.path, strings.NewReader(strings.TrimPrefix(row.body, "form:")), "application/x-www-form-urlencoded")
			case row.body != "":
				r = c.SendJSON(row.method, row.path, row.body)
			default:
				r = c.Get(row.path)
			}
			must(t, r.StatusCode == row.want, "%s %s: %d, want %d: %.300s", row.method, row.path, r.StatusCode, row.want, r.Body)
		})
	}
	must(t, f.count("SELECT count(*) FROM petitions") == 0, "a refused request wrote a case")
}
