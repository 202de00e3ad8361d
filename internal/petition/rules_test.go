package petition_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/petition"
)

// TestBadInputs: each bad input of the issue answers its 4xx naming the
// field, and changes nothing.
func TestBadInputs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.settings("")
		qs := f.env.OrgID("SFQ-QS")
		head := f.login("SFQ-QS", "镇长")
		accepted := func() int64 {
			c := f.register("xfj", f.claim(nil))
			f.mustStep("xfj", c.ID, map[string]any{"action": "transfer", "org_id": qs})
			f.mustStep("qingshan", c.ID, map[string]any{"action": "accept"})
			return c.ID
		}
		type tc struct {
			name   string
			setup  func() int64 // the case, in the state the input meets
			login  string
			body   map[string]any
			status int
			field  string
		}
		cases := []tc{
			{"a reply before acceptance", func() int64 {
				c := f.register("xfj", f.claim(nil))
				f.mustStep("xfj", c.ID, map[string]any{"action": "transfer", "org_id": qs})
				return c.ID
			}, "qingshan", map[string]any{"action": "reply", "opinion": map[string]any{"decision": "support", "facts": "x", "reasons": "y", "basis": "z"}},
				http.StatusUnprocessableEntity, "action"},
			{"an extension beyond 30 days", accepted, head, map[string]any{"action": "extend", "extension_days": 31, "reason": "情况复杂", "petitioner_told": true},
				http.StatusBadRequest, "extension_days"},
			{"an extension the petitioner was not told of", accepted, head, map[string]any{"action": "extend", "extension_days": 10, "reason": "情况复杂"},
				http.StatusBadRequest, "petitioner_told"},
			{"an extension by staff, not the head", accepted, "qingshan", map[string]any{"action": "extend", "extension_days": 10, "reason": "情况复杂", "petitioner_told": true},
				http.StatusForbidden, ""},
			{"a second extension", func() int64 {
				id := accepted()
				f.mustStep(head, id, map[string]any{"action": "extend", "extension_days": 20, "reason": "需现场核实", "petitioner_told": true})
				return id
			}, head, map[string]any{"action": "extend", "extension_days": 5, "reason": "仍需核实", "petitioner_told": true},
				http.StatusUnprocessableEntity, "action"},
			{"a review request on day 31", func() int64 {
				id := f.routeAcceptReply(nil) // served 2026-11-27
				f.setClock("2026-12-28 10:00")
				return id
			}, "xfj", map[string]any{"action": "request_review", "requested_on": "2026-12-28", "reason": "不服处理意见"},
				http.StatusUnprocessableEntity, "requested_on"},
			{"a claim's reply without its basis", accepted, "qingshan", map[string]any{"action": "reply", "opinion": map[string]any{"decision": "support", "facts": "x", "reasons": "y"}},
				http.StatusBadRequest, "opinion.basis"},
			{"a decision of another category", accepted, "qingshan", map[string]any{"action": "reply", "opinion": map[string]any{"decision": "adopt", "facts": "x", "reasons": "y", "basis": "z"}},
				http.StatusBadRequest, "opinion.decision"},
			{"routing to the district itself", func() int64 { return f.register("xfj", f.claim(nil)).ID }, "xfj",
				map[string]any{"action": "transfer", "org_id": f.env.OrgID("SFQ")}, http.StatusBadRequest, "org_id"},
			{"routing an accusation to the accused org", func() int64 {
				return f.register("xfj", f.claim(map[string]any{"category": "accusation", "accused_org_id": f.env.OrgID("SFQ-QS-01")})).ID
			}, "xfj", map[string]any{"action": "transfer", "org_id": qs}, http.StatusUnprocessableEntity, "org_id"},
			{"no such action", func() int64 { return f.register("xfj", f.claim(nil)).ID }, "xfj", map[string]any{"action": "approve"}, http.StatusUnprocessableEntity, "action"},
			{"the township supervises", func() int64 {
				c := f.register("xfj", f.claim(nil))
				f.mustStep("xfj", c.ID, map[string]any{"action": "transfer", "org_id": qs})
				return c.ID
			}, "qingshan", map[string]any{"action": "supervise", "comment": "请加快"}, http.StatusForbidden, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f.setClock("2026-11-27 10:00")
				id := c.setup()
				before := f.count("SELECT count(*) FROM petition_steps WHERE petition_id = ?", id)
				status := f.status(id)
				r := f.step(c.login, id, c.body)
				must(t, r.StatusCode == c.status, "status %d, want %d: %s", r.StatusCode, c.status, r.Body)
				if c.field != "" {
					must(t, errorField(t, r) == c.field, "field %q, want %q: %s", errorField(t, r), c.field, r.Body)
				}
				must(t, f.status(id) == status && f.count("SELECT count(*) FROM petition_steps WHERE petition_id = ?", id) == before, "a refused step changed the case")
				if c.status == http.StatusUnprocessableEntity && c.field == "action" {
					_, ok := r.AllowedActions()
					must(t, ok, "422 without allowed_actions: %s", r.Body)
				}
			})
		}
	})
}

// TestReviewChain: a review asked for on day 30 is taken (also when
// registered a day later), answered by the superior; a second review
// likewise; after it the case is concluded: a second review again and the
// same claim registered anew are refused.
func TestReviewChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := f.routeAcceptReply(nil) // served 2026-11-27
		// Day 30 (27 December), registered on day 31: in time.
		f.setClock("2026-12-28 09:00")
		rv := f.mustStep("xfj", id, map[string]any{"action": "request_review", "requested_on": "2026-12-27", "reason": "不服处理意见"})
		must(t, rv.Status == petition.ReviewRequested && rv.Clock.Period == petition.PeriodReview && rv.Clock.LastDay == "2027-01-27", "review requested: %s %+v", rv.Status, rv.Clock)
		// 青山镇 is right under the district: the bureau organises the review for the district.
		must(t, rv.ReviewOrgID != nil && *rv.ReviewOrgID == f.env.OrgID("SFQ-XFJ"), "review org %v", rv.ReviewOrgID)
		must(t, f.step("qingshan", id, map[string]any{"action": "answer_review", "opinion": map[string]any{"decision": "uphold", "facts": "a", "reasons": "b", "basis": "c"}}).StatusCode == http.StatusForbidden,
			"the answering org reviews itself")
		rd := f.mustStep("xfj", id, map[string]any{"action": "answer_review", "opinion": map[string]any{"decision": "uphold", "facts": "属实", "reasons": "处理意见正确", "basis": "《信访工作条例》第三十五条"}})
		must(t, rd.Status == petition.Reviewed && rd.Round == 1 && rd.Window != nil && rd.Window.Kind == "rereview", "reviewed: %s round %d %+v", rd.Status, rd.Round, rd.Window)
		must(t, len(rd.Opinions) == 2 && rd.Opinions[1].Round == 1, "opinions %+v", rd.Opinions)
		// A second first review is not a thing.
		r := f.step("xfj", id, map[string]any{"action": "request_review"})
		must(t, r.StatusCode == http.StatusUnprocessableEntity && errorField(t, r) == "action", "a second 复查: %d %s", r.StatusCode, r.Body)
		f.mustStep("xfj", id, map[string]any{"action": "request_rereview", "reason": "仍不服"})
		cc := f.mustStep("xfj", id, map[string]any{"action": "answer_rereview", "opinion": map[string]any{"decision": "uphold", "facts": "属实", "reasons": "维持", "basis": "第三十六条"}})
		must(t, cc.Status == petition.Concluded && cc.Round == 2 && cc.Clock.Period == "" && cc.ClosedAt != nil, "concluded: %s", cc.Status)
		// 复核 after 复核.
		r = f.step("xfj", id, map[string]any{"action": "request_rereview", "reason": "再次复核"})
		must(t, r.StatusCode == http.StatusUnprocessableEntity && errorField(t, r) == "action" && strings.Contains(string(r.Body), "终结"), "复核 after 复核: %d %s", r.StatusCode, r.Body)
		// The same claim again: refused as concluded.
		again := f.claim(map[string]any{"repeat_of": id, "same_claim": true})
		r = f.c("xfj").SendJSON("POST", "/api/v1/petitions", again)
		must(t, r.StatusCode == http.StatusUnprocessableEntity && errorField(t, r) == "repeat_of", "the same claim after 复核: %d %s", r.StatusCode, r.Body)
		// A new matter of the same petitioner is registered and linked.
		again["same_claim"] = false
		n := f.register("xfj", again)
		must(t, n.RepeatOf != nil && *n.RepeatOf == id && n.RepeatNumber != "", "repeat link %+v", n.RepeatOf)
	})
}

// TestAccusations: an accusation's content is sealed; it goes to the
// discipline organ's queue; members of the accused org and the accused
// person get 404 on it, in the list too; the discipline organ handles it.
func TestAccusations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.settings("")
		accusedUser := f.env.UserID(f.login("SFQ-QS", "镇长"))
		c := f.register("xfj", f.claim(map[string]any{"category": "accusation", "subject": "discipline",
			"request": "检举青山镇某干部在征地补偿中优亲厚友", "facts": "补偿款发放名单中有其亲属三人，未实际占地",
			"accused_org_id": f.env.OrgID("SFQ-QS"), "accused_user_id": accusedUser, "accused": "青山镇某副镇长"}))
		must(t, c.ContentSealed && c.Request == "" && c.Facts == "", "accusation content in the answer: %q %q", c.Request, c.Facts)
		must(t, f.count("SELECT count(*) FROM petitions WHERE id = ? AND request = '' AND facts = '' AND request_sealed LIKE 'v1:%' AND search_text NOT LIKE ?", c.ID, "%优亲厚友%") == 1,
			"the accusation's content is stored in plain")
		must(t, f.count("SELECT count(*) FROM petitions WHERE request_sealed LIKE ? OR facts_sealed LIKE ? OR accused_sealed LIKE ?", "%优亲厚友%", "%亲属%", "%副镇长%") == 0, "content in plain")
		// To the discipline organ's queue (the settings name it).
		dc := f.mustStep("xfj", c.ID, map[string]any{"action": "to_discipline"})
		must(t, dc.Status == petition.Discipline && dc.HandlingOrgID != nil && *dc.HandlingOrgID == f.env.OrgID("SFQ-JWJW"), "discipline: %s %v", dc.Status, dc.HandlingOrgID)

		jw := f.login("SFQ-JWJW", "第一监督检查室主任")
		villager := f.login("SFQ-QS-01", "村党支部书记")
		for _, who := range []struct {
			login string
			want  int
		}{
			{"qingshan", http.StatusNotFound},                 // a member of the accused org
			{f.login("SFQ-QS", "镇长"), http.StatusNotFound},    // the accused person (and its head)
			{villager, http.StatusNotFound},                   // below the accused org
			{f.login("SFQ-QS", "党委书记"), http.StatusNotFound},  // the accused org's leader
			{"yjj", http.StatusNotFound},                      // a district grant in another department
			{"wanggeyuan", http.StatusNotFound},               // no petition grant
			{"xfj", http.StatusOK},                            // the bureau
			{jw, http.StatusOK},                               // the discipline organ
			{"leader", http.StatusOK},                         // the district head (oversight)
			{f.login("SFQ-DC", "党政办科员"), http.StatusNotFound}, // another township
		} {
			_, st := f.get(who.login, c.ID)
			must(t, st == who.want, "%s: GET %d, want %d", who.login, st, who.want)
			r := f.c(who.login).Get("/api/v1/petitions?category=accusation")
			if r.StatusCode == http.StatusOK {
				var page petition.Page
				r.JSON(t, &page)
				listed := false
				for _, row := range page.Rows {
					listed = listed || row.ID == c.ID
				}
				must(t, listed == (who.want == http.StatusOK), "%s: listed %v, want %v", who.login, listed, who.want == http.StatusOK)
			}
		}
		must(t, f.env.AuditCount("petition.view", "denied") >= 5, "refusals not in the trail")
		// The discipline organ accepts and reveals the content, audited.
		f.mustStep(jw, c.ID, map[string]any{"action": "accept"})
		before := f.env.AuditCount("petition.reveal", "ok")
		r := f.c(jw).Get("/api/v1/petitions/" + itoa(c.ID) + "/personal")
		must(t, r.StatusCode == http.StatusOK && strings.Contains(string(r.Body), "优亲厚友") && strings.Contains(string(r.Body), phoneA), "reveal: %d %s", r.StatusCode, r.Body)
		must(t, f.env.AuditCount("petition.reveal", "ok") == before+1, "the opening is not in the trail")
		// On the page too: sealed until 显示, then shown, and audited.
		page := f.env.SignIn(jw)
		pr := page.Get("/petitions/" + itoa(c.ID))
		must(t, pr.StatusCode == 200 && !strings.Contains(string(pr.Body), "优亲厚友") && strings.Contains(string(pr.Body), "检举控告内容已加密"), "sealed page: %d", pr.StatusCode)
		pr = page.PostForm("/petitions/"+itoa(c.ID)+"/reveal", nil)
		must(t, pr.StatusCode == 200 && strings.Contains(string(pr.Body), "优亲厚友") && strings.Contains(string(pr.Body), "青山镇某副镇长"), "revealed page: %d", pr.StatusCode)
		must(t, f.env.AuditCount("petition.reveal", "ok") == before+2, "the page's opening is not in the trail")
		// The district head oversees but does not open it.
		r = f.c("leader").Get("/api/v1/petitions/" + itoa(c.ID) + "/personal")
		must(t, r.StatusCode == http.StatusForbidden, "the district head opens the accusation: %d", r.StatusCode)
		// Its answer closes it (no review for accusations).
		done := f.mustStep(jw, c.ID, map[string]any{"action": "reply", "opinion": map[string]any{"decision": "feedback", "reasons": "已立案审查，结果另行告知"}})
		must(t, done.Status == petition.Closed, "accusation answered: %s", done.Status)
	})
}

// TestRecusalAndReveal: unmasking is for those who handle the case and is
// audited each time; whoever steps aside (回避) no longer sees the case.
func TestRecusalAndReveal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.register("xfj", f.claim(nil))
		f.mustStep("xfj", c.ID, map[string]any{"action": "transfer", "org_id": f.env.OrgID("SFQ-QS")})
		// Reveal: the handlers, audited; oversight reads masked only.
		for _, who := range []struct {
			login string
			want  int
		}{{"xfj", 200}, {"qingshan", 200}, {"duchashi", 403}, {"yjj", 404}, {"wanggeyuan", 404}} {
			before := f.env.AuditCount("petition.reveal", "ok")
			r := f.c(who.login).Get("/api/v1/petitions/" + itoa(c.ID) + "/personal")
			must(t, r.StatusCode == who.want, "%s reveals: %d, want %d", who.login, r.StatusCode, who.want)
			if who.want == 200 {
				var rv petition.Revealed
				r.JSON(t, &rv)
				must(t, len(rv.Petitioners) == 1 && rv.Petitioners[0].Phone == phoneA && rv.Petitioners[0].IDNumber == idA && rv.Petitioners[0].Name == "张建国", "revealed %+v", rv)
				must(t, f.env.AuditCount("petition.reveal", "ok") == before+1, "%s: the opening is not audited", who.login)
				must(t, r.Header.Get("Cache-Control") == "no-store", "revealed data may be cached")
			} else {
				must(t, f.env.AuditCount("petition.reveal", "ok") == before, "a refused opening counted")
			}
		}
		// Searching by phone is for handlers, audited, and finds the case by its blind index.
		var page petition.Page
		r := f.c("xfj").Get("/api/v1/petitions?phone=138-1234-5678")
		r.JSON(t, &page)
		must(t, len(page.Rows) == 1 && page.Rows[0].ID == c.ID && page.Rows[0].Petitioner == "张**", "phone search: %s", r.Body)
		must(t, f.env.AuditCount("petition.search_person", "ok") == 1, "the phone search is not audited")
		// Oversight does not find people: the search keeps to the cases one handles.
		r = f.c("duchashi").Get("/api/v1/petitions?phone=" + phoneA)
		r.JSON(t, &page)
		must(t, r.StatusCode == http.StatusOK && len(page.Rows) == 0, "oversight finds a petitioner by phone: %s", r.Body)
		must(t, f.c("leader").Get("/api/v1/petitions?phone="+phoneA).StatusCode == http.StatusOK, "leader")

		// The bureau has a colleague step aside: 404 for them from now on.
		colleague := f.login("SFQ-XFJ", "办信科科员")
		_, st := f.get(colleague, c.ID)
		must(t, st == 200, "colleague before: %d", st)
		f.mustStep("xfj", c.ID, map[string]any{"action": "recuse", "user_id": f.env.UserID(colleague), "reason": "与信访人系亲属"})
		_, st = f.get(colleague, c.ID)
		must(t, st == http.StatusNotFound, "a recused colleague still sees the case: %d", st)
		must(t, f.c(colleague).Get("/api/v1/petitions/"+itoa(c.ID)+"/personal").StatusCode == http.StatusNotFound, "a recused colleague reveals")
		r = f.c(colleague).Get("/api/v1/petitions")
		r.JSON(t, &page)
		for _, row := range page.Rows {
			must(t, row.ID != c.ID, "a recused colleague lists the case")
		}
		// Staff of the township cannot make others step aside, but may step aside themself.
		r = f.step("qingshan", c.ID, map[string]any{"action": "recuse", "user_id": f.env.UserID("xfj"), "reason": "x"})
		must(t, r.StatusCode == http.StatusForbidden, "township staff recused the registrar: %d %s", r.StatusCode, r.Body)
		r = f.step("qingshan", c.ID, map[string]any{"action": "recuse", "user_id": f.env.UserID("qingshan"), "reason": "本人与被投诉方有利害关系"})
		must(t, r.StatusCode == http.StatusOK && strings.Contains(string(r.Body), `"visible":false`), "self recusal: %d %s", r.StatusCode, r.Body)
		_, st = f.get("qingshan", c.ID)
		must(t, st == http.StatusNotFound, "qingshan still sees the case after stepping aside")
		must(t, f.count("SELECT count(*) FROM petition_recusals WHERE petition_id = ?", c.ID) == 2, "recusal rows")
		must(t, f.env.AuditCount("petition.recuse", "ok") == 2, "recusals not audited")
		d2, _ := f.get("xfj", c.ID)
		must(t, len(d2.Recusals) == 2, "the bureau does not see who stepped aside: %+v", d2.Recusals)
	})
}

// TestObjectionAndExtension: an objection within 5 working days returns
// the case to the bureau and stops the township seeing it; the bureau
// routes it elsewhere; the head's extension moves the last day once.
func TestObjectionAndExtension(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	c := f.register("xfj", f.claim(nil))
	f.mustStep("xfj", c.ID, map[string]any{"action": "transfer", "org_id": f.env.OrgID("SFQ-QS")})
	f.setClock("2026-12-04 16:00") // the 5th working day
	r := f.step("qingshan", c.ID, map[string]any{"action": "object", "reason": "欠薪企业注册地在东城街道，不属本镇"})
	must(t, r.StatusCode == http.StatusOK && strings.Contains(string(r.Body), `"visible":false`), "object: %d %s", r.StatusCode, r.Body)
	ob, _ := f.get("xfj", c.ID)
	must(t, ob.Status == petition.Objected && ob.Clock.Period == petition.PeriodRoute && ob.HandlingOrgID == nil && ob.Clock.LastDay == "2026-12-19", "objected: %s %+v", ob.Status, ob.Clock)
	_, st := f.get("qingshan", c.ID)
	must(t, st == http.StatusNotFound, "the objecting township still sees the case: %d", st)
	dc := f.mustStep("xfj", c.ID, map[string]any{"action": "assign", "org_id": f.env.OrgID("SFQ-DC")})
	must(t, dc.RouteKind == "assign" && dc.HandlingName == "东城街道", "reassigned: %+v", dc.HandlingName)
	staff := f.login("SFQ-DC", "党政办科员")
	acc := f.mustStep(staff, c.ID, map[string]any{"action": "accept"})
	must(t, acc.Clock.LastDay == "2027-02-02", "handling last day %s", acc.Clock.LastDay)
	head := f.login("SFQ-DC", "办事处主任")
	ext := f.mustStep(head, c.ID, map[string]any{"action": "extend", "extension_days": 30, "reason": "涉及多家单位，需联合调查", "petitioner_told": true})
	must(t, ext.Clock.LastDay == "2027-03-04" && ext.ExtensionDays == 30, "extended: %s", ext.Clock.LastDay)
	must(t, !contains(ext.Allowed, "extend"), "extend is still offered: %v", ext.Allowed)
	last := ext.Steps[len(ext.Steps)-1]
	must(t, last.Action == "extend" && strings.Contains(last.Detail, "已告知信访人"), "extension step %+v", last)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestOverruleReturnsToObjector: the bureau finds an objection unfounded
// (异议不成立): the case goes back to the org that objected, routed as
// before, with a fresh 15 days to accept, and that org can accept it.
func TestOverruleReturnsToObjector(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.register("xfj", f.claim(nil))
		f.mustStep("xfj", c.ID, map[string]any{"action": "assign", "org_id": f.env.OrgID("SFQ-QS")})
		f.setClock("2026-11-30 10:00")
		r := f.step("qingshan", c.ID, map[string]any{"action": "object", "reason": "不属本镇职责"})
		must(t, r.StatusCode == http.StatusOK, "object: %d %s", r.StatusCode, r.Body)
		f.setClock("2026-12-01 10:00")
		back := f.mustStep("xfj", c.ID, map[string]any{"action": "overrule", "reason": "用工单位在青山镇辖区，属本镇职责"})
		must(t, back.Status == petition.Routed && back.HandlingName == "青山镇" && back.RouteKind == "assign" &&
			back.Clock.Period == petition.PeriodAccept && back.Clock.LastDay == "2026-12-16", "overruled: %s %q %q %+v", back.Status, back.HandlingName, back.RouteKind, back.Clock)
		last := back.Steps[len(back.Steps)-1]
		must(t, last.Action == "overrule" && strings.Contains(last.Detail, "青山镇"), "the step: %+v", last)
		acc := f.mustStep("qingshan", c.ID, map[string]any{"action": "accept", "notice": "已受理"})
		must(t, acc.Status == petition.Accepted, "the township accepts: %s", acc.Status)
		// The statistics count the case once, for the township, as the migration's fill would.
		kept := tallyRows(t, d)
		fillTally(t, d)
		must(t, reflect.DeepEqual(kept, tallyRows(t, d)), "the tally kept after an overrule differs from the fill")
		st, code := f.stats("xfj", "?from=2026-11-01&to=2026-12-31")
		must(t, st != nil, "stats: %d", code)
		must(t, rowOf(st, f.env.OrgID("SFQ-QS")).Accepted == 1, "the township's acceptance is not counted")
	})
}
