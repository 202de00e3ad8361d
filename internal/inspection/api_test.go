package inspection_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/inspection"
)

// Recording over the API: the row, the answers, the photo on the failed
// item, the inspectors, the audit record; and what is refused.
func TestRecordAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		env := f.env
		qs := env.TokenClient("qingshan")
		photo := upload(t, qs, "安全出口.png")
		body := map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID,
			"inspected_at": at("2026-11-27 09:30"), "answers": answers(f.fire, 1), "summary": "总体良好，一处安全出口堵塞"}
		body["answers"].([]map[string]any)[0]["attachment_ids"] = []int64{photo}
		linksBefore := env.AuditCount("attachment.link", "ok")
		i := record(t, qs, body)

		t.Run("the answer", func(t *testing.T) {
			if i.Status != "submitted" || i.Kind != "territorial" || i.KindName != "属地检查" {
				t.Errorf("status %q kind %q %q", i.Status, i.Kind, i.KindName)
			}
			if i.EnterpriseID == nil || *i.EnterpriseID != f.b || i.EnterpriseName != "测试竹园百货商场" || i.TerritoryOrgID != env.OrgID("SFQ-QS-02") {
				t.Errorf("enterprise %v %q territory %d", i.EnterpriseID, i.EnterpriseName, i.TerritoryOrgID)
			}
			if i.OrgID == nil || *i.OrgID != env.OrgID("SFQ-QS") {
				t.Errorf("inspecting org %v, want 青山镇 (the caller's)", i.OrgID)
			}
			if len(i.Inspectors) != 1 || i.Inspectors[0].ID != env.UserID("qingshan") {
				t.Errorf("inspectors %+v, want the caller", i.Inspectors)
			}
			if i.Counts.Pass != len(f.fire.Items)-1 || i.Counts.Fail != 1 || i.Counts.NA != 0 || i.Counts.Unanswered != 0 {
				t.Errorf("counts %+v", i.Counts)
			}
			if !i.InspectedAt.Equal(time.Date(2026, 11, 27, 1, 30, 0, 0, time.UTC)) {
				t.Errorf("inspected at %s", i.InspectedAt)
			}
			failed := i.Failed()
			if len(failed) != 1 || failed[0].Number != 1 || failed[0].Note != "第 1 项现场发现问题" || failed[0].Category != "fire" {
				t.Fatalf("failed %+v", failed)
			}
			if len(failed[0].Photos) != 1 || failed[0].Photos[0].ID != photo || len(i.Photos) != 0 {
				t.Errorf("photos: item %+v, inspection %+v", failed[0].Photos, i.Photos)
			}
			if !i.CanRegisterHazards || i.CanEdit {
				t.Errorf("can_register_hazards %v can_edit %v", i.CanRegisterHazards, i.CanEdit)
			}
		})
		t.Run("rows and trail", func(t *testing.T) {
			if n := count(env, "SELECT count(*) FROM inspection_answers WHERE inspection_id = ?", i.ID); n != len(f.fire.Items) {
				t.Errorf("%d answer rows, want %d", n, len(f.fire.Items))
			}
			if n := count(env, "SELECT count(*) FROM inspection_photos p JOIN inspection_answers a ON a.id = p.answer_id WHERE p.attachment_id = ? AND a.result = 'fail'", photo); n != 1 {
				t.Errorf("the photo is not the failed item's (%d)", n)
			}
			if n := count(env, "SELECT count(*) FROM attachments WHERE id = ? AND owner_type = 'inspection' AND owner_id = ?", photo, i.ID); n != 1 {
				t.Errorf("the photo is not linked to the inspection")
			}
			var path string
			d.QueryRow(context.Background(), "SELECT path FROM inspections WHERE id = ?", i.ID).Scan(&path)
			if !strings.HasSuffix(path, "/e"+itoa(f.b)+"/") {
				t.Errorf("path %q, want the enterprise's", path)
			}
			if n := count(env, "SELECT count(*) FROM audit_log WHERE action = 'inspection.record' AND object_id = ? AND result = 'ok'", itoa(i.ID)); n != 1 {
				t.Errorf("%d inspection.record records, want 1", n)
			}
			if env.AuditCount("attachment.link", "ok") != linksBefore+1 {
				t.Errorf("the photo's link left no record")
			}
		})
		t.Run("the photo is seen by whoever sees the inspection", func(t *testing.T) {
			wantStatus(t, "leader", env.TokenClient("leader").Get("/api/v1/attachments/"+itoa(photo)+"/content"), 200)
			wantStatus(t, "东城街道", env.TokenClient(f.dcLogin).Get("/api/v1/attachments/"+itoa(photo)+"/content"), 404)
		})
		t.Run("refusals", func(t *testing.T) {
			before := count(env, "SELECT count(*) FROM inspections")
			records := env.AuditCount("inspection.record", "ok")
			cases := []struct {
				name   string
				edit   func(b map[string]any)
				status int
				field  string
			}{
				{"a failed item without a note", func(b map[string]any) {
					b["answers"] = answers(f.fire, 3)
					b["answers"].([]map[string]any)[2]["note"] = "  "
				}, 400, "answers[2].note"},
				{"an item not answered", func(b map[string]any) { b["answers"] = answers(f.fire)[1:] }, 400, "answers"},
				{"a result that is no result", func(b map[string]any) {
					b["answers"] = answers(f.fire)
					b["answers"].([]map[string]any)[4]["result"] = "maybe"
				}, 400, "answers[4].result"},
				{"an item of another checklist", func(b map[string]any) { b["answers"] = append(answers(f.fire), answers(f.dust)[0]) }, 400, "answers[8].item_id"},
				{"an unknown kind", func(b map[string]any) { b["kind"] = "casual" }, 400, "kind"},
				{"leadership without a leader", func(b map[string]any) { b["kind"] = "leadership" }, 400, "leader_user_id"},
				{"a re-inspection without the inspection", func(b map[string]any) { b["kind"] = "reinspection" }, 400, "previous_id"},
				{"a time in the future", func(b map[string]any) { b["inspected_at"] = at("2026-11-28 09:00") }, 400, "inspected_at"},
				{"a self-inspection by government staff", func(b map[string]any) { b["kind"] = "self" }, 422, "kind"},
				{"a place without its name", func(b map[string]any) { delete(b, "enterprise_id"); b["territory_org_id"] = env.OrgID("SFQ-QS-02") }, 400, "place"},
				{"another's upload", func(b map[string]any) {
					b["attachment_ids"] = []int64{upload(t, env.TokenClient("wanggeyuan"), "x.png")}
				}, 400, "attachments"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					b := map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire)}
					c.edit(b)
					wantError(t, c.name, qs.SendJSON("POST", "/api/v1/inspections", b), c.status, c.field)
				})
			}
			if n := count(env, "SELECT count(*) FROM inspections"); n != before {
				t.Errorf("refused requests wrote %d inspections", n-before)
			}
			if env.AuditCount("inspection.record", "ok") != records {
				t.Errorf("refused requests left inspection.record records")
			}
		})
		t.Run("a place not in the register", func(t *testing.T) {
			p := record(t, env.TokenClient("wanggeyuan"), map[string]any{"kind": "territorial", "territory_org_id": env.OrgID("SFQ-QS-01"),
				"place": "上坪村沿街门面", "findings": []map[string]any{{"text": "门面内堆放液化气瓶 3 个", "category": "燃气", "location": "12 号门面"}}})
			if p.EnterpriseID != nil || p.Place != "上坪村沿街门面" || p.Counts.Findings != 1 || p.Findings[0].Category != "gas" || p.Template != nil {
				t.Errorf("place inspection %+v", p)
			}
			var path string
			d.QueryRow(context.Background(), "SELECT path FROM inspections WHERE id = ?", p.ID).Scan(&path)
			var orgPath string
			d.QueryRow(context.Background(), "SELECT path FROM orgs WHERE code = 'SFQ-QS-01'").Scan(&orgPath)
			if path != orgPath {
				t.Errorf("path %q, want the territory's %q", path, orgPath)
			}
		})
	})
}

// An enterprise contact records only its own enterprise's self-inspections
// and sees only those; staff of another township see nothing of 青山镇.
func TestScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		env := f.env
		qiye := env.TokenClient("qiye")
		qs := env.TokenClient("qingshan")
		dc := env.TokenClient(f.dcLogin)
		gov := record(t, qs, map[string]any{"kind": "territorial", "enterprise_id": f.own, "template_id": f.dust.ID, "answers": answers(f.dust, 2)})
		govB := record(t, qs, map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire)})

		self := record(t, qiye, map[string]any{"kind": "self", "enterprise_id": f.own, "template_id": f.dust.ID, "answers": answers(f.dust, 4, 5)})
		if self.Kind != "self" || self.OrgID != nil || self.Counts.Fail != 2 {
			t.Errorf("self-inspection %+v", self)
		}

		type call struct {
			name   string
			do     func() *apptest.Response
			status int
			field  string
			denied bool
		}
		calls := []call{
			{"qiye: another enterprise's self-inspection", func() *apptest.Response {
				return qiye.SendJSON("POST", "/api/v1/inspections", map[string]any{"kind": "self", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire)})
			}, 404, "", true},
			{"qiye: a territorial inspection of its own enterprise", func() *apptest.Response {
				return qiye.SendJSON("POST", "/api/v1/inspections", map[string]any{"kind": "territorial", "enterprise_id": f.own, "template_id": f.dust.ID, "answers": answers(f.dust)})
			}, 403, "kind", true},
			{"qiye: the government's inspection of its enterprise", func() *apptest.Response { return qiye.Get("/api/v1/inspections/" + itoa(gov.ID)) }, 404, "", true},
			{"qiye: another enterprise's inspection", func() *apptest.Response { return qiye.Get("/api/v1/inspections/" + itoa(govB.ID)) }, 404, "", true},
			{"qiye: its own self-inspection", func() *apptest.Response { return qiye.Get("/api/v1/inspections/" + itoa(self.ID)) }, 200, "", false},
			{"qingshan: the enterprise's self-inspection", func() *apptest.Response { return qs.Get("/api/v1/inspections/" + itoa(self.ID)) }, 200, "", false},
			{"东城街道: 青山镇's inspection", func() *apptest.Response { return dc.Get("/api/v1/inspections/" + itoa(govB.ID)) }, 404, "", true},
			{"东城街道: recording in 青山镇", func() *apptest.Response {
				return dc.SendJSON("POST", "/api/v1/inspections", map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire)})
			}, 404, "", true},
			{"东城街道: the list of 青山镇", func() *apptest.Response { return dc.Get("/api/v1/inspections?org_id=" + itoa(env.OrgID("SFQ-QS"))) }, 404, "", true},
			{"qingshan: recording in 东城街道", func() *apptest.Response {
				return qs.SendJSON("POST", "/api/v1/inspections", map[string]any{"kind": "territorial", "enterprise_id": f.dc, "summary": "x"})
			}, 404, "", true},
			{"supervisor: recording", func() *apptest.Response {
				return env.TokenClient("duchashi").SendJSON("POST", "/api/v1/inspections", map[string]any{"kind": "territorial", "enterprise_id": f.b, "summary": "x"})
			}, 403, "", true},
			{"no such enterprise", func() *apptest.Response {
				return qs.SendJSON("POST", "/api/v1/inspections", map[string]any{"kind": "territorial", "enterprise_id": 99999, "summary": "x"})
			}, 404, "", true},
		}
		for _, c := range calls {
			t.Run(c.name, func(t *testing.T) {
				denied := env.AuditCount("", "denied")
				r := c.do()
				if c.status >= 400 {
					wantError(t, c.name, r, c.status, c.field)
				} else {
					wantStatus(t, c.name, r, c.status)
				}
				if got := env.AuditCount("", "denied") - denied; (got > 0) != c.denied {
					t.Errorf("%d denied records, want denied=%v", got, c.denied)
				}
			})
		}
		t.Run("lists", func(t *testing.T) {
			var p inspection.Page
			r := qiye.Get("/api/v1/inspections")
			wantStatus(t, "qiye list", r, 200)
			r.JSON(t, &p)
			if p.Total != 1 || len(p.Items) != 1 || p.Items[0].ID != self.ID {
				t.Errorf("qiye sees %+v, want only its self-inspection", p.Items)
			}
			r = dc.Get("/api/v1/inspections")
			r.JSON(t, &p)
			if p.Total != 0 {
				t.Errorf("东城街道 sees %d of 青山镇's inspections", p.Total)
			}
			r = qs.Get("/api/v1/inspections")
			r.JSON(t, &p)
			if p.Total != 3 || r.Header.Get("X-Total-Count") != "3" {
				t.Errorf("qingshan sees %d (header %s), want 3", p.Total, r.Header.Get("X-Total-Count"))
			}
			wantStatus(t, "admin (no inspection.view)", env.TokenClient("admin").Get("/api/v1/inspections"), 404)
		})
	})
}

// RegisterHazard hands the registrar everything known, once per item.
func TestRegisterHazard(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		env := f.env
		qs := env.TokenClient("qingshan")
		photo := upload(t, qs, "堵塞.png")
		fphoto := upload(t, qs, "气瓶.png")
		leaderID, qsID, gridID := env.UserID("leader"), env.UserID("qingshan"), env.UserID("wanggeyuan")
		body := map[string]any{"kind": "leadership", "enterprise_id": f.b, "place": "二号仓库", "leader_user_id": leaderID,
			"inspector_ids": []int64{qsID, gridID}, "inspected_at": at("2026-11-26 15:00"), "template_id": f.fire.ID, "answers": answers(f.fire, 2),
			"findings": []map[string]any{{"text": "仓库内堆放液化气瓶", "category": "gas", "location": "仓库北侧", "note": "3 个，未固定", "attachment_ids": []int64{fphoto}}}}
		body["answers"].([]map[string]any)[1]["attachment_ids"] = []int64{photo}
		i := record(t, qs, body)
		failed := i.Failed()[0]
		item := f.fire.Items[1]

		r := qs.SendJSON("POST", "/api/v1/inspections/"+itoa(i.ID)+"/hazards", map[string]any{"answer_id": failed.ID, "deadline": "2026-12-04"})
		wantStatus(t, "register", r, 201)
		var link inspection.HazardLink
		r.JSON(t, &link)
		calls := f.fake.Calls()
		if len(calls) != 1 {
			t.Fatalf("%d registrar calls, want 1", len(calls))
		}
		c := calls[0]
		var qsName, leaderName, gridName string
		d.QueryRow(context.Background(), "SELECT name FROM users WHERE id = ?", qsID).Scan(&qsName)
		d.QueryRow(context.Background(), "SELECT name FROM users WHERE id = ?", leaderID).Scan(&leaderName)
		d.QueryRow(context.Background(), "SELECT name FROM users WHERE id = ?", gridID).Scan(&gridName)
		checks := []struct {
			name string
			ok   bool
			got  any
		}{
			{"inspection id", c.InspectionID == i.ID, c.InspectionID},
			{"inspection kind", c.InspectionKind == "leadership", c.InspectionKind},
			{"answer id", c.AnswerID == failed.ID && c.FreeFindingID == 0, [2]int64{c.AnswerID, c.FreeFindingID}},
			{"source ref", c.SourceRef == "inspection "+itoa(i.ID)+" item 2", c.SourceRef},
			{"enterprise", c.EnterpriseID != nil && *c.EnterpriseID == f.b && c.EnterpriseName == "测试竹园百货商场", c.EnterpriseName},
			{"territory", c.TerritoryOrgID == env.OrgID("SFQ-QS-02"), c.TerritoryOrgID},
			{"location", c.Location == "二号仓库", c.Location},
			{"description", strings.Contains(c.Description, "第 2 项现场发现问题") && strings.Contains(c.Description, item.Text), c.Description},
			{"category", c.Category == item.Category && c.Category != "", c.Category},
			{"basis", c.Basis == item.Basis && c.Basis != "", c.Basis},
			{"found at", c.FoundAt.Equal(time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC)), c.FoundAt},
			{"finder", c.FinderUserID == qsID && c.FinderName == qsName, c.FinderName},
			{"inspectors", strings.Join(c.Inspectors, ",") == leaderName+","+qsName+","+gridName, c.Inspectors},
			{"photos", len(c.AttachmentIDs) == 1 && c.AttachmentIDs[0] == photo, c.AttachmentIDs},
			{"campaign", c.CampaignID == nil, c.CampaignID},
			{"deadline", c.Deadline == "2026-12-04", c.Deadline},
		}
		for _, ch := range checks {
			if !ch.ok {
				t.Errorf("finding %s: got %v", ch.name, ch.got)
			}
		}
		if !f.fake.sawTx {
			t.Errorf("the registrar did not run in the transaction that links the row")
		}
		if link.HazardID != 9001 || link.HazardNumber != "YH-2026-0001" || link.AnswerID != failed.ID {
			t.Errorf("link %+v", link)
		}
		var hid *int64
		var number string
		d.QueryRow(context.Background(), "SELECT hazard_id, hazard_number FROM inspection_answers WHERE id = ?", failed.ID).Scan(&hid, &number)
		if hid == nil || *hid != 9001 || number != "YH-2026-0001" {
			t.Errorf("the answer keeps hazard %v %q", hid, number)
		}
		if n := count(env, "SELECT count(*) FROM audit_log WHERE action = 'inspection.hazard' AND object_id = ? AND result = 'ok'", itoa(i.ID)); n != 1 {
			t.Errorf("%d inspection.hazard records, want 1", n)
		}

		t.Run("twice", func(t *testing.T) {
			e := wantError(t, "again", qs.SendJSON("POST", "/api/v1/inspections/"+itoa(i.ID)+"/hazards", map[string]any{"answer_id": failed.ID}), 409, "answer_id")
			if !strings.Contains(e.Error.Message, "YH-2026-0001") {
				t.Errorf("409 does not name the hazard: %s", e.Error.Message)
			}
			if len(f.fake.Calls()) != 1 {
				t.Errorf("the registrar was called again")
			}
		})
		t.Run("a free finding", func(t *testing.T) {
			r := qs.SendJSON("POST", "/api/v1/inspections/"+itoa(i.ID)+"/hazards", map[string]any{"finding_id": i.Findings[0].ID})
			wantStatus(t, "finding", r, 201)
			c := f.fake.Calls()[1]
			if c.FreeFindingID != i.Findings[0].ID || c.AnswerID != 0 || c.Category != "gas" || c.Location != "仓库北侧" || c.Basis != "" ||
				!strings.Contains(c.Description, "仓库内堆放液化气瓶") || !strings.Contains(c.Description, "3 个，未固定") ||
				len(c.AttachmentIDs) != 1 || c.AttachmentIDs[0] != fphoto || c.Deadline != "" || c.SourceRef != "inspection "+itoa(i.ID)+" finding 1" {
				t.Errorf("finding %+v", c)
			}
		})
		t.Run("refused", func(t *testing.T) {
			pass := i.Answers[0]
			wantError(t, "a passed item", qs.SendJSON("POST", "/api/v1/inspections/"+itoa(i.ID)+"/hazards", map[string]any{"answer_id": pass.ID}), 422, "answer_id")
			wantError(t, "neither", qs.SendJSON("POST", "/api/v1/inspections/"+itoa(i.ID)+"/hazards", map[string]any{}), 400, "answer_id")
			wantError(t, "another inspection's", qs.SendJSON("POST", "/api/v1/inspections/"+itoa(i.ID)+"/hazards", map[string]any{"answer_id": 99999}), 400, "answer_id")
			wantError(t, "a bad date", qs.SendJSON("POST", "/api/v1/inspections/"+itoa(i.ID)+"/hazards", map[string]any{"answer_id": failed.ID, "deadline": "next week"}), 400, "deadline")
			denied := env.AuditCount("", "denied")
			wantStatus(t, "supervisor", env.TokenClient("duchashi").SendJSON("POST", "/api/v1/inspections/"+itoa(i.ID)+"/hazards", map[string]any{"finding_id": i.Findings[0].ID}), 403)
			wantStatus(t, "东城街道", env.TokenClient(f.dcLogin).SendJSON("POST", "/api/v1/inspections/"+itoa(i.ID)+"/hazards", map[string]any{"finding_id": i.Findings[0].ID}), 404)
			if env.AuditCount("", "denied") != denied+2 {
				t.Errorf("refusals left %d denied records, want 2", env.AuditCount("", "denied")-denied)
			}
			var g inspection.Inspection
			env.TokenClient("duchashi").Get("/api/v1/inspections/"+itoa(i.ID)).JSON(t, &g)
			if g.CanRegisterHazards {
				t.Errorf("the supervisor is offered the button")
			}
		})
		t.Run("the registrar refuses", func(t *testing.T) {
			j := record(t, qs, map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire, 5)})
			f.fake.Fail(apperr.New(apperr.EFORBIDDEN, "no"))
			defer f.fake.Fail(nil)
			denied := env.AuditCount("hazard.report", "denied")
			wantStatus(t, "refused", qs.SendJSON("POST", "/api/v1/inspections/"+itoa(j.ID)+"/hazards", map[string]any{"answer_id": j.Failed()[0].ID}), 403)
			if n := count(env, "SELECT count(*) FROM inspection_answers WHERE inspection_id = ? AND hazard_id IS NOT NULL", j.ID); n != 0 {
				t.Errorf("a refused registration linked %d rows", n)
			}
			if n := count(env, "SELECT count(*) FROM audit_log WHERE action = 'inspection.hazard' AND object_id = ?", itoa(j.ID)); n != 0 {
				t.Errorf("a refused registration left an inspection.hazard record")
			}
			if env.AuditCount("hazard.report", "denied") != denied+1 {
				t.Errorf("the refusal left no denied record")
			}
		})
		t.Run("a draft", func(t *testing.T) {
			j := record(t, qs, map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire, 5), "draft": true})
			wantError(t, "draft", qs.SendJSON("POST", "/api/v1/inspections/"+itoa(j.ID)+"/hazards", map[string]any{"answer_id": j.Failed()[0].ID}), 422, "")
		})
		t.Run("no registrar", func(t *testing.T) {
			env.App.Inspections().SetRegistrar(nil)
			defer env.App.Inspections().SetRegistrar(f.fake)
			j := record(t, qs, map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire, 5)})
			if j.CanRegisterHazards {
				t.Errorf("can_register_hazards without a registrar")
			}
			e := wantError(t, "none", qs.SendJSON("POST", "/api/v1/inspections/"+itoa(j.ID)+"/hazards", map[string]any{"answer_id": j.Failed()[0].ID}), 422, "")
			if !strings.Contains(e.Error.Message, "hazard registration not available") {
				t.Errorf("message %q", e.Error.Message)
			}
		})
	})
}

// Drafts: saved incomplete, changed by their creator only, submitted once;
// a submitted inspection never changes, even by SQL.
func TestDrafts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		env := f.env
		qs := env.TokenClient("qingshan")
		photo := upload(t, qs, "问题.png")
		part := answers(f.fire, 1)[:3]
		part[0]["note"] = ""
		dr := record(t, qs, map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": part, "draft": true,
			"findings": []map[string]any{{"text": "甲", "category": "fire", "attachment_ids": []int64{photo}}, {"text": "乙", "category": "other"}}})
		if dr.Status != "draft" || dr.SubmittedAt != nil || dr.Counts.Unanswered != len(f.fire.Items)-3 || !dr.CanEdit {
			t.Fatalf("draft %+v", dr)
		}
		if n := count(env, "SELECT count(*) FROM audit_log WHERE action = 'inspection.draft' AND object_id = ?", itoa(dr.ID)); n != 1 {
			t.Errorf("%d inspection.draft records", n)
		}
		// Another recorder may not change it.
		full := map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire, 1),
			"findings": []map[string]any{{"id": dr.Findings[1].ID, "text": "乙（已核实）", "category": "other"}}}
		wantStatus(t, "yjj", env.TokenClient("yjj").SendJSON("PUT", "/api/v1/inspections/"+itoa(dr.ID), full), 403)
		// Its creator submits it: finding 甲 goes, its photo stays with the inspection.
		r := qs.SendJSON("PUT", "/api/v1/inspections/"+itoa(dr.ID), full)
		wantStatus(t, "submit", r, 200)
		var sub inspection.Inspection
		r.JSON(t, &sub)
		if sub.Status != "submitted" || sub.SubmittedAt == nil || sub.Counts.Unanswered != 0 || sub.Counts.Fail != 1 || len(sub.Findings) != 1 ||
			sub.Findings[0].ID != dr.Findings[1].ID || sub.Findings[0].Text != "乙（已核实）" {
			t.Errorf("submitted %+v", sub)
		}
		if len(sub.Photos) != 1 || sub.Photos[0].ID != photo {
			t.Errorf("the dropped finding's photo is lost: %+v", sub.Photos)
		}
		if sub.Answers[0].ID != dr.Answers[0].ID {
			t.Errorf("answers changed ids: %d → %d", dr.Answers[0].ID, sub.Answers[0].ID)
		}
		if n := count(env, "SELECT count(*) FROM audit_log WHERE action = 'inspection.submit' AND object_id = ?", itoa(dr.ID)); n != 1 {
			t.Errorf("%d inspection.submit records", n)
		}
		wantStatus(t, "again", qs.SendJSON("PUT", "/api/v1/inspections/"+itoa(dr.ID), full), 422)
		// Not even SQL changes a submitted inspection.
		for _, q := range []string{
			"UPDATE inspections SET summary = 'x' WHERE id = ?",
			"DELETE FROM inspections WHERE id = ?",
			"UPDATE inspection_answers SET result = 'pass' WHERE inspection_id = ?",
			"DELETE FROM inspection_answers WHERE inspection_id = ?",
			"UPDATE inspection_findings SET text = 'x' WHERE inspection_id = ?",
			"DELETE FROM inspection_inspectors WHERE inspection_id = ?",
			"DELETE FROM inspection_photos WHERE inspection_id = ?",
		} {
			err := d.InTx(context.Background(), func(tx *db.Tx) error { _, err := tx.Exec(context.Background(), q, sub.ID); return err })
			if err == nil {
				t.Errorf("%s: allowed on a submitted inspection", q)
			}
		}
		err := d.InTx(context.Background(), func(tx *db.Tx) error {
			_, err := tx.Exec(context.Background(), "UPDATE inspection_template_items SET text = 'x' WHERE template_id = ?", f.fire.ID)
			return err
		})
		if err == nil {
			t.Errorf("a checklist item changed")
		}
	})
}

// The list filters, counted and paged in SQL.
func TestListFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		env := f.env
		qs := env.TokenClient("qingshan")
		a := record(t, qs, map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire), "inspected_at": at("2026-11-20 10:00")})
		b := record(t, qs, map[string]any{"kind": "joint", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire, 3), "inspected_at": at("2026-11-25 10:00")})
		c := record(t, env.TokenClient("wanggeyuan"), map[string]any{"kind": "territorial", "territory_org_id": env.OrgID("SFQ-QS-01"), "place": "上坪村小卖部",
			"findings": []map[string]any{{"text": "插线板串接", "category": "electrical"}}})
		dr := record(t, qs, map[string]any{"kind": "department", "enterprise_id": f.own, "summary": "未完", "draft": true})
		re := record(t, qs, map[string]any{"kind": "reinspection", "enterprise_id": f.b, "previous_id": b.ID, "template_id": f.fire.ID, "answers": answers(f.fire)})
		cases := []struct {
			query string
			want  []int64
		}{
			{"", []int64{re.ID, dr.ID, c.ID, b.ID, a.ID}},
			{"kind=territorial", []int64{c.ID, a.ID}},
			{"from=2026-11-21&to=2026-11-26", []int64{b.ID}},
			{"to=2026-11-20", []int64{a.ID}},
			{"failed=1", []int64{c.ID, b.ID}},
			{"enterprise_id=" + itoa(f.b), []int64{re.ID, b.ID, a.ID}},
			{"org_id=" + itoa(env.OrgID("SFQ-QS-02")), []int64{re.ID, b.ID, a.ID}},
			{"status=draft", []int64{dr.ID}},
			{"limit=2", []int64{re.ID, dr.ID}},
			{"limit=2&offset=2", []int64{c.ID, b.ID}},
		}
		for _, tc := range cases {
			t.Run(tc.query, func(t *testing.T) {
				r := qs.Get("/api/v1/inspections?" + tc.query)
				wantStatus(t, tc.query, r, 200)
				var p inspection.Page
				r.JSON(t, &p)
				var got []int64
				for _, it := range p.Items {
					got = append(got, it.ID)
				}
				total := len(tc.want)
				if strings.HasPrefix(tc.query, "limit") {
					total = 5
				}
				if mustJSON(got) != mustJSON(tc.want) || p.Total != total {
					t.Errorf("got %v (total %d), want %v (total %d)", got, p.Total, tc.want, total)
				}
			})
		}
		for _, bad := range []string{"kind=x", "from=yesterday", "failed=2", "status=done", "org_id=-1"} {
			wantStatus(t, bad, qs.Get("/api/v1/inspections?"+bad), 400)
		}
		// A re-inspection of another enterprise's inspection is refused.
		wantError(t, "re-inspection elsewhere", qs.SendJSON("POST", "/api/v1/inspections", map[string]any{"kind": "reinspection", "enterprise_id": f.own,
			"previous_id": b.ID, "summary": "x"}), 400, "previous_id")
		var row inspection.Page
		qs.Get("/api/v1/inspections?failed=1").JSON(t, &row)
		for _, it := range row.Items {
			if it.ID == c.ID && (len(it.Inspectors) != 1 || it.Counts.Findings != 1 || it.Place != "上坪村小卖部") {
				t.Errorf("row %+v", it)
			}
		}
	})
}

// Checklist versions: a new version retires the old, which old inspections keep.
func TestTemplateVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		env := f.env
		var list []inspection.Template
		r := env.TokenClient("qiye").Get("/api/v1/inspection-templates")
		wantStatus(t, "list", r, 200)
		r.JSON(t, &list)
		if len(list) != 3 {
			t.Fatalf("%d templates, want the 3 seeded", len(list))
		}
		for _, tp := range list {
			if tp.ItemCount < 6 || tp.ItemCount > 10 || tp.Version != 1 || !tp.Active {
				t.Errorf("seeded %s: %d items, version %d", tp.Name, tp.ItemCount, tp.Version)
			}
		}
		old := record(t, env.TokenClient("qingshan"), map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire)})
		in := map[string]any{"items": []map[string]any{{"text": "安全出口畅通", "category": "消防", "basis": "消防法"}, {"text": "灭火器有效", "category": "fire"}}}
		wantStatus(t, "leader", env.TokenClient("leader").SendJSON("POST", "/api/v1/inspection-templates/"+itoa(f.fire.ID)+"/versions", in), 403)
		wantStatus(t, "qingshan", env.TokenClient("qingshan").SendJSON("POST", "/api/v1/inspection-templates/"+itoa(f.fire.ID)+"/versions", in), 404)
		wantError(t, "a bad category", env.TokenClient("yjj").SendJSON("POST", "/api/v1/inspection-templates/"+itoa(f.fire.ID)+"/versions",
			map[string]any{"items": []map[string]any{{"text": "x", "category": "y"}}}), 400, "items[0].category")
		r = env.TokenClient("yjj").SendJSON("POST", "/api/v1/inspection-templates/"+itoa(f.fire.ID)+"/versions", in)
		wantStatus(t, "yjj", r, 201)
		var v2 inspection.Template
		r.JSON(t, &v2)
		if v2.Version != 2 || v2.Code != "crowded_fire" || len(v2.Items) != 2 || v2.Items[0].Category != "fire" || v2.Name != f.fire.Name {
			t.Errorf("version 2 %+v", v2)
		}
		if n := count(env, "SELECT count(*) FROM inspection_templates WHERE code = 'crowded_fire' AND active"); n != 1 {
			t.Errorf("%d active versions", n)
		}
		if n := count(env, "SELECT count(*) FROM audit_log WHERE action = 'inspection.template_version' AND object_id = ?", itoa(v2.ID)); n != 1 {
			t.Errorf("no audit record of the new version")
		}
		wantError(t, "the retired version", env.TokenClient("qingshan").SendJSON("POST", "/api/v1/inspections",
			map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire)}), 400, "template_id")
		var again inspection.Inspection
		env.TokenClient("qingshan").Get("/api/v1/inspections/"+itoa(old.ID)).JSON(t, &again)
		if again.Template == nil || again.Template.Version != 1 || len(again.Answers) != len(f.fire.Items) {
			t.Errorf("the old inspection lost its checklist: %+v", again.Template)
		}
	})
}
