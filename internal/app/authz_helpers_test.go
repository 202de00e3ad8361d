package app_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"strconv"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/inspection"
)

// insertID runs an INSERT in a transaction of its own and returns the new id.
func insertID(e *apptest.Env, q string, args ...any) int64 {
	var id int64
	err := e.App.DB.InTx(context.Background(), func(tx *db.Tx) error {
		var err error
		id, err = db.InsertID(context.Background(), tx, q, args...)
		return err
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return id
}

// inboxItem puts a new inbox item of login's in the path.
func inboxItem(login, prefix, suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		return prefix + itoa(insertID(e, "INSERT INTO notifications (user_id, kind, title, link, created_at) VALUES (?, 'matrix', '矩阵', '/inbox', ?)",
			e.UserID(login), e.Clock.Now())) + suffix
	}
}

// notifyChannel puts a new e-mail channel of login's in the path (a test
// send to it fails at once: the test instance has no SMTP server).
func notifyChannel(login, prefix, suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		now := e.Clock.Now()
		return prefix + itoa(insertID(e, `INSERT INTO notify_channels (owner_kind, owner_id, kind, name, target, created_at, updated_at)
			VALUES ('user', ?, 'email', '矩阵', 'matrix@example.gov.cn', ?, ?)`, e.UserID(login), now, now)) + suffix
	}
}

// notifyDelivery puts a new dead delivery (to a new channel of admin's) in the path.
func notifyDelivery(prefix, suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		now := e.Clock.Now()
		ch := insertID(e, `INSERT INTO notify_channels (owner_kind, owner_id, kind, name, target, created_at, updated_at)
			VALUES ('user', ?, 'email', '矩阵', 'matrix@example.gov.cn', ?, ?)`, e.UserID("admin"), now, now)
		return prefix + itoa(insertID(e, `INSERT INTO notify_deliveries (channel_id, title, state, attempts, next_attempt_at, last_error, created_at)
			VALUES (?, '矩阵', 'dead', 8, ?, 'SMTP is not configured', ?)`, ch, now, now)) + suffix
	}
}

// drReport files a nothing-to-report for a village of 青山镇 (as qingshan, over the API) and gives its receipt page.
func drReport(e *apptest.Env) string {
	var rec struct{ ID int64 }
	r := e.TokenClient("qingshan").SendJSON("POST", "/api/v1/daily-reports", fill(e, `{"org_id":%SFQ-QS-05%,"safety":{"nothing_to_report":true},"stability":{"nothing_to_report":true}}`))
	r.JSON(e.T, &rec)
	return "/daily-reports/" + itoa(rec.ID)
}

// drItem files a report with one item for a village of 青山镇 and gives the item's path.
func drItem(suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		e.TokenClient("qingshan").SendJSON("POST", "/api/v1/daily-reports", fill(e, `{"org_id":%SFQ-QS-06%,"safety":{"items":[{"category":"其他","summary":"矩阵事项"}]},"stability":{"nothing_to_report":true}}`))
		var id int64
		if err := e.App.DB.QueryRow(context.Background(), "SELECT MAX(id) FROM daily_report_items").Scan(&id); err != nil {
			e.T.Fatal(err)
		}
		return "/daily-reports/items/" + itoa(id) + suffix
	}
}

func pingPage(code string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string { return "/daily-reports/units/" + itoa(e.OrgID(code)) + "/ping-token" }
}

// attachmentOf stores a small PNG as login's pending upload and puts its id in the path.
func attachmentOf(login, prefix, suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		a, err := e.App.Auth.LoadActor(context.Background(), e.UserID(login), "matrix")
		if err != nil {
			e.T.Fatal(err)
		}
		var b bytes.Buffer
		if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
			e.T.Fatal(err)
		}
		att, err := e.App.Attachments.Store(context.Background(), a, "矩阵.png", &b)
		if err != nil {
			e.T.Fatal(err)
		}
		return prefix + itoa(att.ID) + suffix
	}
}

// enterprisePath puts the id of the demo enterprise named name in the path.
func enterprisePath(prefix, name, suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		var id int64
		if err := e.App.DB.QueryRow(context.Background(), "SELECT id FROM enterprises WHERE name = ?", name).Scan(&id); err != nil {
			e.T.Fatalf("enterprise %s: %v", name, err)
		}
		return prefix + itoa(id) + suffix
	}
}

// inspectionAt records an inspection of a place in the org with code and
// puts its id in the path: as login (who must be able to record there), or
// as the command line when login is "". A draft stays open for its creator.
func inspectionAt(login, code string, draft bool, prefix, suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		ctx := context.Background()
		a := auth.CommandLine()
		if login != "" {
			var err error
			if a, err = e.App.Auth.LoadActor(ctx, e.UserID(login), "matrix"); err != nil {
				e.T.Fatal(err)
			}
		}
		i, err := e.App.Inspections().Record(ctx, a, inspection.Input{Kind: inspection.KindTerritorial, TerritoryOrgID: e.OrgID(code),
			Place: "矩阵场所", Participants: "矩阵检查组", Summary: "矩阵检查", Draft: draft,
			Findings: []inspection.FindingInput{{Text: "矩阵问题", Category: "other"}}})
		if err != nil {
			e.T.Fatal(err)
		}
		return prefix + itoa(i.ID) + suffix
	}
}

// hazardAt registers a hazard at 青山镇 as qingshan (over the API) and puts
// its id in the path; with evidence, qingshan has submitted the
// rectification's evidence too (so that someone else may accept it).
func hazardAt(prefix, suffix string, evidence bool) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		c := e.TokenClient("qingshan")
		var h struct{ ID int64 }
		r := c.SendJSON("POST", "/api/v1/hazards", fill(e, `{"org_id":%SFQ-QS%,"description":"矩阵隐患","category":"fire","deadline":"2026-12-20"}`))
		r.JSON(e.T, &h)
		if evidence {
			a, err := e.App.Auth.LoadActor(context.Background(), e.UserID("qingshan"), "matrix")
			if err != nil {
				e.T.Fatal(err)
			}
			var b bytes.Buffer
			png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)))
			att, err := e.App.Attachments.Store(context.Background(), a, "矩阵.png", &b)
			if err != nil {
				e.T.Fatal(err)
			}
			if r := c.SendJSON("POST", "/api/v1/hazards/"+strconv.FormatInt(h.ID, 10)+"/transitions",
				`{"action":"submit_evidence","comment":"矩阵","attachment_ids":[`+strconv.FormatInt(att.ID, 10)+`]}`); r.StatusCode != 200 {
				e.T.Fatalf("matrix evidence: %d %s", r.StatusCode, r.Body)
			}
		}
		return prefix + strconv.FormatInt(h.ID, 10) + suffix
	}
}

// disputeAt registers a dispute (矛盾纠纷) in the org with code, as xfj over
// the API, and puts its id in the path.
func disputeAt(code, prefix, suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		var d struct{ ID int64 }
		r := e.TokenClient("xfj").SendJSON("POST", "/api/v1/disputes", fill(e, `{"org_id":%`+code+`%,"type":"neighbour","summary":"矩阵纠纷","party_count":2,"party_name":"张三","party_phone":"13900000000","risk_level":"blue"}`))
		r.JSON(e.T, &d)
		return prefix + itoa(d.ID) + suffix
	}
}

// newCampaign launches (or, with draft, saves) a campaign (排查整治行动)
// over the org with code, as login, and returns its id.
func newCampaign(e *apptest.Env, login, code string, draft bool) int64 {
	body := fmt.Sprintf(`{"title":"矩阵行动","scope_org_id":%d,"period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31","draft":%v}`, e.OrgID(code), draft)
	r := e.TokenClient(login).SendJSON("POST", "/api/v1/campaigns", body)
	if r.StatusCode != http.StatusCreated {
		e.T.Fatalf("campaign: %d %s", r.StatusCode, r.Body)
	}
	var c struct{ ID int64 }
	r.JSON(e.T, &c)
	return c.ID
}

func campaignAt(login, code string, draft bool, prefix, suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string { return prefix + itoa(newCampaign(e, login, code, draft)) + suffix }
}

// campaignTask is the path of the task of the org taskCode in a new campaign.
func campaignTask(login, code, taskCode, prefix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		id := newCampaign(e, login, code, false)
		var tid int64
		if err := e.App.DB.QueryRow(context.Background(), "SELECT t.id FROM campaign_tasks t JOIN orgs o ON o.id = t.org_id WHERE t.campaign_id = ? AND o.code = ?", id, taskCode).Scan(&tid); err != nil {
			e.T.Fatal(err)
		}
		return prefix + itoa(id) + "/tasks/" + itoa(tid)
	}
}

// campaignRecheck leaves an open hazard of an earlier district campaign at
// 上坪村's warehouse, then launches login's campaign over code: the path of
// its re-check (回头看).
func campaignRecheck(login, code, prefix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		ctx := context.Background()
		earlier := newCampaign(e, "yjj", "SFQ", false)
		var ent int64
		if err := e.App.DB.QueryRow(ctx, "SELECT id FROM enterprises WHERE name = '示范区青山瑞丰化工仓储有限公司'").Scan(&ent); err != nil {
			e.T.Fatal(err)
		}
		if r := e.TokenClient("yjj").SendJSON("POST", "/api/v1/hazards", fmt.Sprintf(`{"enterprise_id":%d,"campaign_id":%d,"description":"矩阵隐患","category":"fire","deadline":"2026-12-20"}`, ent, earlier)); r.StatusCode != 201 {
			e.T.Fatalf("hazard: %d %s", r.StatusCode, r.Body)
		}
		id := newCampaign(e, login, code, false)
		var rid int64
		if err := e.App.DB.QueryRow(ctx, "SELECT MAX(id) FROM campaign_rechecks WHERE campaign_id = ?", id).Scan(&rid); err != nil {
			e.T.Fatal(err)
		}
		return prefix + itoa(id) + "/rechecks/" + itoa(rid)
	}
}

// petitionAt registers a petition case (信访事项) as xfj, the petition
// bureau, over the API and, with routeTo, transfers it to the org with that
// code; its id goes in the path.
// petitionAcceptedAt is petitionAt for a case routed to routeTo and
// accepted there by qingshan (青山镇), so that its notice of acceptance prints.
func petitionAcceptedAt(routeTo, prefix, suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		path := petitionAt(routeTo, "", "")(e)
		if r := e.TokenClient("qingshan").SendJSON("POST", "/api/v1/petitions/"+path+"/transitions", `{"action":"accept","notice":"矩阵受理"}`); r.StatusCode != 200 {
			e.T.Fatalf("matrix accept: %d %s", r.StatusCode, r.Body)
		}
		return prefix + path + suffix
	}
}

func petitionAt(routeTo, prefix, suffix string) func(e *apptest.Env) string {
	return func(e *apptest.Env) string {
		c := e.TokenClient("xfj")
		var p struct{ ID int64 }
		r := c.SendJSON("POST", "/api/v1/petitions", `{"channel":"visit","category":"claim","subject":"labour","request":"矩阵诉求","facts":"矩阵事实","petitioners":[{"name":"张三","phone":"13900000000"}]}`)
		r.JSON(e.T, &p)
		if routeTo != "" {
			if r := c.SendJSON("POST", "/api/v1/petitions/"+itoa(p.ID)+"/transitions", fill(e, `{"action":"transfer","org_id":%`+routeTo+`%}`)); r.StatusCode != 200 {
				e.T.Fatalf("matrix transfer: %d %s", r.StatusCode, r.Body)
			}
		}
		return prefix + itoa(p.ID) + suffix
	}
}
