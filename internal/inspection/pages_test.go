package inspection_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

var idInLocation = regexp.MustCompile(`^/inspections/(\d+)$`)

// The phone form: the checklist as three tap targets per item, a failed
// item with its note and photo, the error shown on the item, the hazard
// button and the hazard's number afterwards.
func TestPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		env := f.env
		qs := env.SignIn("qingshan")
		ctx := context.Background()

		t.Run("list and menu", func(t *testing.T) {
			r := qs.Get("/inspections")
			wantStatus(t, "list", r, 200)
			if err := has(string(r.Body), `href="/inspections/new"`, "还没有检查记录", `href="/inspections" aria-current="page"`, "/static/inspection.css"); err != nil {
				t.Error(err)
			}
			home := env.SignIn("admin").Get("/")
			if strings.Contains(string(home.Body), `href="/inspections"`) {
				t.Errorf("the menu offers inspections to the system administrator")
			}
			wantStatus(t, "css", env.Anonymous().Get("/static/inspection.css"), 200)
		})
		t.Run("choose what to inspect", func(t *testing.T) {
			r := qs.Get("/inspections/new?q=" + url.QueryEscape("竹园百货"))
			wantStatus(t, "choose", r, 200)
			if err := has(string(r.Body), "/inspections/new?enterprise_id="+itoa(f.b), "测试竹园百货商场", `name="org_id"`); err != nil {
				t.Error(err)
			}
			if strings.Contains(string(r.Body), "测试东城商贸有限公司") {
				t.Errorf("the choice offers an enterprise of 东城街道")
			}
		})
		var fail = f.fire.Items[1]
		t.Run("the form", func(t *testing.T) {
			r := qs.Get("/inspections/new?enterprise_id=" + itoa(f.b))
			wantStatus(t, "form", r, 200)
			body := string(r.Body)
			// The checklist that suits the industry (crowded) is chosen.
			if err := has(body, `id="template-name">人员密集场所消防安全检查表`, `name="template_id" value="`+itoa(f.fire.ID)+`"`, "合格", "不合格", "不适用",
				`name="inspector_ids" value="`+itoa(env.UserID("qingshan"))+`" checked`, `name="kind" value="territorial" checked`); err != nil {
				t.Error(err)
			}
			if n := strings.Count(body, `type="radio" name="item_`); n != 3*len(f.fire.Items) {
				t.Errorf("%d item radios, want three per item (%d)", n, 3*len(f.fire.Items))
			}
			if strings.Contains(body, `value="self"`) {
				t.Errorf("government staff are offered 企业自查")
			}
		})
		form := func(note string) url.Values {
			v := url.Values{"kind": {"territorial"}, "enterprise_id": {itoa(f.b)}, "template_id": {itoa(f.fire.ID)}, "inspected_at": {"2026-11-27T09:40"},
				"inspector_ids": {itoa(env.UserID("qingshan")), itoa(env.UserID("wanggeyuan"))}, "action": {"submit"}}
			for _, it := range f.fire.Items {
				v.Set("item_"+itoa(it.ID)+"_result", "pass")
			}
			v.Set("item_"+itoa(fail.ID)+"_result", "fail")
			v.Set("item_"+itoa(fail.ID)+"_note", note)
			v.Set("finding_0_text", "")
			v.Set("finding_0_category", "other")
			return v
		}
		var carried string
		t.Run("a failed item without a note", func(t *testing.T) {
			before := count(env, "SELECT count(*) FROM inspections")
			r := postMultipart(t, qs, "/inspections", form(""), map[string]string{"item_" + itoa(fail.ID) + "_photos": "灭火器.png"})
			wantStatus(t, "no note", r, 400)
			body := string(r.Body)
			if err := has(body, `role="alert"`, "第 2 项不合格", `class="ins-item ins-bad" id="item-`+itoa(fail.ID)+`"`,
				`name="item_`+itoa(fail.ID)+`_result" value="fail" checked`); err != nil {
				t.Error(err)
			}
			m := regexp.MustCompile(`name="item_` + itoa(fail.ID) + `_photos_ids" value="(\d+)"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("the uploaded photo is not carried in the form again")
			}
			carried = m[1]
			if count(env, "SELECT count(*) FROM inspections") != before {
				t.Errorf("a refused form recorded an inspection")
			}
		})
		var id string
		t.Run("recorded with the photo carried", func(t *testing.T) {
			v := form("灭火器压力不足，指针在红区")
			v.Set("item_"+itoa(fail.ID)+"_photos_ids", carried)
			r := postMultipart(t, qs, "/inspections", v, map[string]string{"photos": "现场.png"})
			wantStatus(t, "record", r, 303)
			m := idInLocation.FindStringSubmatch(r.Header.Get("Location"))
			if m == nil {
				t.Fatalf("redirect to %q", r.Header.Get("Location"))
			}
			id = m[1]
			if n := count(env, `SELECT count(*) FROM inspection_photos p JOIN inspection_answers a ON a.id = p.answer_id
				WHERE p.attachment_id = ? AND a.item_id = ? AND a.note = '灭火器压力不足，指针在红区'`, carried, fail.ID); n != 1 {
				t.Errorf("the carried photo is not the failed item's")
			}
			if n := count(env, "SELECT count(*) FROM inspection_photos WHERE inspection_id = ? AND answer_id IS NULL AND finding_id IS NULL", id); n != 1 {
				t.Errorf("the inspection's own photo: %d", n)
			}
			if n := count(env, "SELECT count(*) FROM inspection_inspectors WHERE inspection_id = ?", id); n != 2 {
				t.Errorf("%d inspectors, want the two ticked", n)
			}
			if n := count(env, "SELECT count(*) FROM audit_log WHERE action = 'inspection.record' AND object_id = ?", id); n != 1 {
				t.Errorf("no audit record")
			}
		})
		var answerID int64
		d.QueryRow(ctx, "SELECT id FROM inspection_answers WHERE inspection_id = ? AND item_id = ?", id, fail.ID).Scan(&answerID)
		t.Run("the inspection with the hazard button", func(t *testing.T) {
			r := qs.Get("/inspections/" + id)
			wantStatus(t, "detail", r, 200)
			body := string(r.Body)
			if err := has(body, "检查记录已提交", "灭火器压力不足，指针在红区", `id="a`+itoa(answerID)+`"`, "登记为隐患", `name="answer_id" value="`+itoa(answerID)+`"`,
				`name="deadline" value="2026-12-04"`, "att-gallery"); err != nil {
				t.Error(err)
			}
			if n := strings.Count(body, "登记为隐患"); n != 1 {
				t.Errorf("%d hazard buttons, want one for the one failed item", n)
			}
			sup := env.SignIn("duchashi").Get("/inspections/" + id)
			wantStatus(t, "supervisor", sup, 200)
			if strings.Contains(string(sup.Body), `name="answer_id"`) {
				t.Errorf("the supervisor is offered the hazard button")
			}
		})
		t.Run("registered as a hazard", func(t *testing.T) {
			r := qs.PostForm("/inspections/"+id+"/hazards", url.Values{"answer_id": {itoa(answerID)}, "deadline": {"2026-12-10"}})
			wantStatus(t, "register", r, 303)
			if r.Header.Get("Location") != "/inspections/"+id+"#a"+itoa(answerID) {
				t.Errorf("redirect to %q", r.Header.Get("Location"))
			}
			calls := f.fake.Calls()
			if len(calls) != 1 || calls[0].AnswerID != answerID || calls[0].Deadline != "2026-12-10" || len(calls[0].AttachmentIDs) != 1 {
				t.Fatalf("calls %+v", calls)
			}
			body := string(qs.Get("/inspections/" + id).Body)
			if err := has(body, `href="/hazards/9001"`, "YH-2026-0001", "已登记为隐患"); err != nil {
				t.Error(err)
			}
			if strings.Contains(body, `name="answer_id"`) {
				t.Errorf("the button is still offered")
			}
			again := qs.PostForm("/inspections/"+id+"/hazards", url.Values{"answer_id": {itoa(answerID)}})
			wantStatus(t, "again", again, 409)
			if !strings.Contains(string(again.Body), "YH-2026-0001") {
				t.Errorf("the 409 page does not name the hazard")
			}
		})
		t.Run("a draft, then submitted", func(t *testing.T) {
			v := url.Values{"kind": {"joint"}, "enterprise_id": {itoa(f.b)}, "template_id": {itoa(f.fire.ID)}, "action": {"draft"},
				"participants": {"区消防救援大队 2 人"}, "finding_0_text": {"疏散通道堆放纸箱"}, "finding_0_category": {"fire"}}
			v.Set("item_"+itoa(f.fire.Items[0].ID)+"_result", "pass")
			r := qs.PostForm("/inspections", v)
			wantStatus(t, "draft", r, 303)
			did := idInLocation.FindStringSubmatch(r.Header.Get("Location"))[1]
			page := string(qs.Get("/inspections/" + did).Body)
			if err := has(page, "这是草稿", `href="/inspections/`+did+`/edit"`); err != nil {
				t.Error(err)
			}
			edit := qs.Get("/inspections/" + did + "/edit")
			wantStatus(t, "edit", edit, 200)
			var fid string
			d.QueryRow(ctx, "SELECT CAST(id AS TEXT) FROM inspection_findings WHERE inspection_id = ?", did).Scan(&fid)
			if err := has(string(edit.Body), `name="item_`+itoa(f.fire.Items[0].ID)+`_result" value="pass" checked`, `name="kind" value="joint" checked`,
				"疏散通道堆放纸箱", `name="finding_0_id" value="`+fid+`"`, "区消防救援大队 2 人", `action="/inspections/`+did+`"`); err != nil {
				t.Error(err)
			}
			v2 := form("")
			v2.Set("kind", "joint")
			v2.Set("item_"+itoa(fail.ID)+"_result", "na")
			v2.Set("finding_0_id", fid)
			v2.Set("finding_0_text", "疏散通道堆放纸箱（已当场清理）")
			r = qs.PostForm("/inspections/"+did, v2)
			wantStatus(t, "submit", r, 303)
			var status, text string
			d.QueryRow(ctx, "SELECT status FROM inspections WHERE id = ?", did).Scan(&status)
			d.QueryRow(ctx, "SELECT text FROM inspection_findings WHERE id = ?", fid).Scan(&text)
			if status != "submitted" || text != "疏散通道堆放纸箱（已当场清理）" {
				t.Errorf("status %q, finding %q", status, text)
			}
			wantStatus(t, "edit a submitted one", qs.Get("/inspections/"+did+"/edit"), 422)
		})
		t.Run("an enterprise contact", func(t *testing.T) {
			qy := env.SignIn("qiye")
			r := qy.Get("/inspections/new")
			wantStatus(t, "qiye form", r, 200)
			body := string(r.Body)
			if err := has(body, `name="kind" value="self"`, "企业自查", `name="enterprise_id" value="`+itoa(f.own)+`"`); err != nil {
				t.Error(err)
			}
			if strings.Contains(body, `value="territorial"`) {
				t.Errorf("the contact is offered government kinds")
			}
			wantStatus(t, "qiye another", qy.Get("/inspections/new?enterprise_id="+itoa(f.b)), 404)
			list := string(qy.Get("/inspections").Body)
			if strings.Contains(list, "测试竹园百货商场") {
				t.Errorf("the contact's list shows another enterprise")
			}
		})
		t.Run("phone cards and filters", func(t *testing.T) {
			r := qs.Get("/inspections?failed=1")
			wantStatus(t, "filtered", r, 200)
			body := string(r.Body)
			if err := has(body, `id="cards"`, `id="inspections"`, "不合格 1 项", "已登记隐患 1", `name="failed" value="1" checked`); err != nil {
				t.Error(err)
			}
			wantStatus(t, "bad filter", qs.Get("/inspections?kind=nope"), 400)
		})
	})
}
