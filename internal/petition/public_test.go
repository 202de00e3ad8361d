package petition_test

import (
	"context"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/petition"
)

// TestPublicPortal: the service functions the public portal will call.
// A citizen submits online and gets a query code; with it and their phone
// (and only so) they follow the milestones, rate the answer once and ask
// for a review within 30 days; the trail has each step.
func TestPublicPortal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		svc := f.svc()
		qs := f.env.OrgID("SFQ-QS")
		_, err := svc.SubmitPublic(ctx, petition.PublicInput{Name: "李四", Phone: "12345", Category: "claim", Subject: "labour", Request: "x", Facts: "y"})
		must(t, apperr.Code(err) == apperr.EINVALID && err.(*apperr.Error).Field == "phone", "a landline-less submission: %v", err)
		rc, err := svc.SubmitPublic(ctx, petition.PublicInput{Name: "李四", Phone: phoneB, IDNumber: idB, Category: "claim", Subject: "labour", PlaceOrgID: &qs,
			Request: "请求支付拖欠工资", Facts: "在青山镇某厂务工，工资拖欠两个月"})
		must(t, err == nil && rc.Number != "" && len(rc.QueryCode) == 14, "receipt %+v %v", rc, err)
		must(t, f.count("SELECT count(*) FROM petitions WHERE number = ? AND channel = 'online' AND query_code_hash <> '' AND query_code_hash NOT LIKE ?",
			rc.Number, "%"+strings.ReplaceAll(rc.QueryCode, "-", "")+"%") == 1, "the code is stored in plain or the case is missing")
		must(t, f.env.AuditCount("petition.register", "ok") == 1, "the public registration is not audited")

		// A wrong code and a wrong phone look the same.
		for _, c := range [][2]string{{"AAAA-BBBB-CCCC", phoneB}, {rc.QueryCode, phoneA}, {rc.QueryCode, ""}} {
			_, err := svc.Milestones(ctx, c[0], c[1])
			must(t, apperr.Code(err) == apperr.ENOTFOUND, "milestones with %v: %v", c, err)
		}
		st, err := svc.Milestones(ctx, strings.ToLower(rc.QueryCode), "+86 139-9876-5432")
		must(t, err == nil && st.Number == rc.Number && len(st.Milestones) == 1 && st.Milestones[0].Title == "已登记" && !st.CanRate && st.ReviewUntil == "",
			"milestones %+v %v", st, err)

		// The bureau routes it, the township answers.
		var id int64
		if err := d.QueryRow(ctx, "SELECT id FROM petitions WHERE number = ?", rc.Number).Scan(&id); err != nil {
			t.Fatal(err)
		}
		f.mustStep("xfj", id, map[string]any{"action": "transfer", "org_id": qs})
		f.mustStep("xfj", id, map[string]any{"action": "supervise", "comment": "请尽快"})
		f.mustStep("qingshan", id, map[string]any{"action": "accept", "notice": "已受理，60日内答复", "comment": "内部：先联系劳动监察大队"})
		f.mustStep("qingshan", id, map[string]any{"action": "reply", "opinion": map[string]any{"decision": "explain", "facts": "企业已停产",
			"reasons": "已协调破产管理人优先清偿", "basis": "《企业破产法》第一百一十三条"}})
		st, err = svc.Milestones(ctx, rc.QueryCode, phoneB)
		must(t, err == nil, "%v", err)
		var titles []string
		for _, m := range st.Milestones {
			titles = append(titles, m.Title+m.Detail)
		}
		must(t, strings.Join(titles, "|") == "已登记|已转送有权处理的机关青山镇|已受理已受理，60日内答复|已作出书面答复", "milestones %v (supervision and staff comments are internal)", titles)
		got, _ := f.get("qingshan", id)
		var accept petition.Step
		for _, s := range got.Steps {
			if s.Action == petition.ActAccept {
				accept = s
			}
		}
		must(t, accept.Notice == "已受理，60日内答复" && accept.Comment == "内部：先联系劳动监察大队", "the staff see notice and comment apart: %+v", accept)
		must(t, len(st.Answers) == 1 && st.Answers[0].Decision == "解释说明" && st.CanRate && st.ReviewUntil == "2026-12-27", "answer %+v", st)

		must(t, apperr.Code(svc.Rate(ctx, rc.QueryCode, phoneB, "great")) == apperr.EINVALID, "a rating not on the scale")
		must(t, svc.Rate(ctx, rc.QueryCode, phoneB, "unsatisfied") == nil, "rate")
		must(t, apperr.Code(svc.Rate(ctx, rc.QueryCode, phoneB, "satisfied")) == apperr.ECONFLICT, "rated twice")
		must(t, f.str("SELECT rating FROM petitions WHERE id = ?", id) == "unsatisfied", "rating not stored")
		must(t, f.env.AuditCount("petition.rate", "ok") == 1, "rating not audited")

		// Day 31: too late; day 30: a review.
		f.setClock("2026-12-28 09:00")
		_, err = svc.RequestReview(ctx, rc.QueryCode, phoneB, "不服")
		must(t, apperr.Code(err) == apperr.ERULE, "a review on day 31: %v", err)
		f.setClock("2026-12-27 20:00")
		st, err = svc.RequestReview(ctx, rc.QueryCode, phoneB, "不服解释")
		must(t, err == nil && st.Status == petition.ReviewRequested && st.StatusName == "复查中", "review asked: %+v %v", st, err)
		must(t, f.count("SELECT count(*) FROM petition_steps WHERE petition_id = ? AND action = 'request_review' AND actor_name = '信访人（网上）'", id) == 1, "the step is not the petitioner's")
		got, _ = f.get("xfj", id)
		must(t, got.Clock.Period == petition.PeriodReview && got.ReviewOrgID != nil, "the review clock: %+v", got.Clock)
	})
}
