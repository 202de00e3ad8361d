package campaign_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// The pages, as the people who use them: the list, the form (with an error
// and then launched), a campaign's page for the district, a township and a
// village, a task, a re-check recorded, the campaign closed, and an
// inspection started from the campaign counting for it.
func TestPages(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	yjj, qs, wg := f.env.SignIn("yjj"), f.env.SignIn("qingshan"), f.env.SignIn("wanggeyuan")
	has := func(what, body string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", what, w)
			}
		}
	}

	// The form, wrong and then right.
	r := yjj.Get("/campaigns/new")
	wantStatus(t, "the form", r, 200)
	has("the form", string(r.Body), `name="title"`, `name="scope_org_id"`, `value="2026-11-27"`, "危险化学品", "发布行动", "保存草稿")
	wantStatus(t, "the form for a grid worker", wg.Get("/campaigns/new"), 403)
	wantStatus(t, "the form for an enterprise", f.env.SignIn("qiye").Get("/campaigns/new"), 404)
	form := url.Values{"title": {"冬季消防安全大排查"}, "scope_org_id": {itoa(f.env.OrgID("SFQ"))}, "industries": {"crowded", "fire_key"},
		"period_start": {"2026-11-27"}, "period_end": {"2026-11-20"}, "deadline": {"2026-12-31"}, "action": {"launch"}}
	r = yjj.PostForm("/campaigns", form)
	wantStatus(t, "a wrong form", r, 400)
	has("the form again", string(r.Body), "结束日期不能早于开始日期", `value="冬季消防安全大排查"`, `value="crowded" checked`)
	form.Set("period_end", "2026-12-26")
	r = yjj.PostForm("/campaigns", form)
	wantStatus(t, "launch through the form", r, 303)
	loc := r.Header.Get("Location")
	var id int64
	fmt.Sscanf(loc, "/campaigns/%d", &id)
	must(t, id > 0 && f.count("SELECT count(*) FROM campaign_tasks WHERE campaign_id = ?", id) > 90, "launched to %s", loc)

	// The list.
	r = wg.Get("/campaigns")
	wantStatus(t, "the list", r, 200)
	has("the list", string(r.Body), "冬季消防安全大排查", "区应急管理局", "cp-bar", `href="/campaigns/`+itoa(id)+`"`)
	must(t, !strings.Contains(string(r.Body), `id="launch"`), "the grid worker is offered to launch")
	wantStatus(t, "the list for an enterprise", f.env.SignIn("qiye").Get("/campaigns"), 404)
	wantStatus(t, "the list signed out", f.env.Anonymous().Get("/campaigns"), 303)

	// The district's view: the tree; the village's: its enterprises.
	r = yjj.Get(loc)
	wantStatus(t, "the campaign", r, 200)
	body := string(r.Body)
	has("the district's page", body, `id="tasks"`, "各级任务", "青山镇", "东城街道", `href="/hazards?campaign_id=`+itoa(id)+`"`, "结束行动")
	r = wg.Get(loc)
	wantStatus(t, "the village's page", r, 200)
	body = string(r.Body)
	has("the village's page", body, "上坪村 范围内企业", "范围内没有企业")
	must(t, !strings.Contains(body, `id="tasks"`) && !strings.Contains(body, "东城街道"), "the village sees the tree")
	// A crowded-place campaign: 上坪村 has none; 青山社区 has the market and the school.
	r = qs.Get(loc)
	body = string(r.Body)
	has("the township's page", body, "青山社区", `id="tasks"`)
	c := f.get("qingshan", id)
	community := task(t, c, "青山社区")
	r = qs.Get(fmt.Sprintf("/campaigns/%d/tasks/%d", id, community.ID))
	wantStatus(t, "a task", r, 200)
	has("the task", string(r.Body), "青山农贸集贸市场", "青山镇中心小学", "未检查", "/inspections/new?campaign_id="+itoa(id)+"&amp;enterprise_id=")
	wantStatus(t, "another township's task", f.env.SignIn(f.loginAt("SFQ-DC", "staff")).Get(fmt.Sprintf("/campaigns/%d/tasks/%d", id, community.ID)), 404)

	// An inspection started from the campaign carries it.
	school := f.ent("青山镇中心小学")
	r = qs.Get(fmt.Sprintf("/inspections/new?campaign_id=%d&enterprise_id=%d", id, school))
	wantStatus(t, "the inspection form", r, 200)
	has("the inspection form", string(r.Body), `name="campaign_id" value="`+itoa(id)+`"`, "冬季消防安全大排查")
	r = qs.PostForm("/inspections", url.Values{"enterprise_id": {itoa(school)}, "kind": {"territorial"}, "inspected_at": {"2026-11-27T09:30"},
		"inspector_ids": {itoa(f.env.UserID("qingshan"))}, "summary": {"消防设施完好"}, "campaign_id": {itoa(id)}, "template_id": {"0"}})
	wantStatus(t, "record the inspection", r, 303)
	must(t, f.count("SELECT count(*) FROM inspections WHERE campaign_id = ? AND enterprise_id = ? AND status = 'submitted'", id, school) == 1, "the inspection does not carry the campaign")
	must(t, task(t, f.get("qingshan", id), "青山社区").Counts.Inspected == 1, "the task did not move")

	// Behind: the flag shows on the parent's view.
	f.at("2026-12-11 09:01")
	f.sweep()
	r = yjj.Get(loc)
	has("the flagged tree", string(r.Body), "cp-behind", "进度落后")

	// A re-check recorded from the page; the campaign closed.
	earlier := id
	f.hazard("qingshan", school, earlier, map[string]any{"deadline": "2026-12-20"})
	later := f.launch("qingshan", map[string]any{"title": "青山镇回头看", "period_start": "2026-12-11", "period_end": "2026-12-20", "deadline": "2026-12-25"})
	must(t, len(later.Rechecks) == 1, "re-checks %d", len(later.Rechecks))
	r = qs.Get(fmt.Sprintf("/campaigns/%d", later.ID))
	has("the re-checks", string(r.Body), `id="rechecks"`, "待复查", "来自《冬季消防安全大排查》")
	r = qs.PostForm(fmt.Sprintf("/campaigns/%d/rechecks/%d", later.ID, later.Rechecks[0].ID), url.Values{"outcome": {"fixed"}, "note": {"已整改"}, "back": {fmt.Sprintf("/campaigns/%d", later.ID)}})
	wantStatus(t, "record a re-check", r, 303)
	must(t, strings.HasPrefix(r.Header.Get("Location"), fmt.Sprintf("/campaigns/%d#r", later.ID)), "back to %s", r.Header.Get("Location"))
	has("after the re-check", string(qs.Get(fmt.Sprintf("/campaigns/%d", later.ID)).Body), "核实已整改", "复查结果已记录")
	wantStatus(t, "the grid worker closes", wg.PostForm(fmt.Sprintf("/campaigns/%d/transitions", id), url.Values{"action": {"close"}}), 403)
	wantStatus(t, "close", yjj.PostForm(fmt.Sprintf("/campaigns/%d/transitions", id), url.Values{"action": {"close"}, "note": {"按期完成"}}), 303)
	has("the closed campaign", string(yjj.Get(loc).Body), "已结束", "按期完成")

	// A draft through the form, edited, launched.
	form.Set("action", "draft")
	form.Set("title", "草稿行动")
	r = qs.PostForm("/campaigns", form)
	wantStatus(t, "a draft", r, 404) // the district is not 青山镇's to cover
	form.Set("scope_org_id", itoa(f.env.OrgID("SFQ-QS")))
	r = qs.PostForm("/campaigns", form)
	wantStatus(t, "a draft", r, 303)
	draft := r.Header.Get("Location")
	has("the draft", string(qs.Get(draft).Body), "草稿尚未发布", `id="do-launch"`, `href="`+draft+`/edit"`)
	wantStatus(t, "its edit page", qs.Get(draft+"/edit"), 200)
	form.Set("title", "改过的草稿")
	form.Set("action", "launch")
	wantStatus(t, "edit and launch", qs.PostForm(draft, form), 303)
	has("the launched draft", string(qs.Get(draft).Body), "改过的草稿", "进行中", `id="tasks"`)

	// The stylesheet and English.
	css := f.env.Anonymous().Get("/static/campaign.css")
	wantStatus(t, "the stylesheet", css, 200)
	must(t, strings.HasPrefix(css.Header.Get("Content-Type"), "text/css"), "stylesheet type %s", css.Header.Get("Content-Type"))
	yjj.Get("/lang?to=en&back=/campaigns")
	has("in English", string(yjj.Get("/campaigns").Body), "Investigation campaigns", "Launch a campaign")
}
