package dispute_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/dispute"
	"github.com/anwen-gov/anwen/internal/web"
)

// inputFor is a request that meets what action needs.
func inputFor(action string) map[string]any {
	b := map[string]any{"action": action}
	switch action {
	case dispute.ActRecordSession:
		b["session"] = map[string]any{"method": "people_mediation", "outcome": "continuing", "mediator": "村调委会", "note": "第一次调解"}
	case dispute.ActStabilize:
		b["comment"] = "双方情绪稳定"
	case dispute.ActResolve:
		b["comment"] = "达成协议并履行"
	case dispute.ActReassess:
		b["risk_level"], b["reason"] = "blue", "风险降低"
	case dispute.ActExtend:
		b["new_deadline"], b["reason"] = "2027-03-01", "等待鉴定结论"
	default:
		b["reason"] = "原因"
	}
	return b
}

// pathTo lists the actions that bring a new dispute to state.
var pathTo = map[string][]string{
	dispute.Registered: nil,
	dispute.Resolving:  {dispute.ActStart},
	dispute.Stable:     {dispute.ActStart, dispute.ActStabilize},
	dispute.Resolved:   {dispute.ActResolve},
	dispute.ToPetition: {dispute.ActToPetition},
	dispute.ToCourt:    {dispute.ActToCourt},
}

// The lifecycle table drives the API: from every state, every action is
// either in the table (200, the state it names, a step, a trail record) or
// refused with 422 naming exactly the actions allowed from there.
func TestLifecycleTable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for _, state := range dispute.States {
			for _, action := range dispute.Actions {
				if action == dispute.ActRegister {
					continue
				}
				t.Run(state+"/"+action, func(t *testing.T) {
					x := f.create("qingshan", f.body("SFQ-QS-01", func(b map[string]any) { b["deadline"] = "2026-12-31" }))
					for _, a := range pathTo[state] {
						f.step("qingshan", x.ID, inputFor(a))
					}
					steps := f.count("SELECT count(*) FROM dispute_steps WHERE dispute_id = ?", x.ID)
					audits := f.env.AuditCount("dispute."+action, "ok")
					r := f.c("qingshan").SendJSON("POST", "/api/v1/disputes/"+itoa(x.ID)+"/transitions", inputFor(action))
					row, err := dispute.Lookup(state, action)
					if err != nil {
						var body web.ErrorBody
						r.JSON(t, &body)
						want := dispute.Allowed(state)
						if r.StatusCode != http.StatusUnprocessableEntity || body.Error.Code != "rule_violated" || !slices.Equal(body.Error.Allowed, want) {
							t.Fatalf("%d %s; want 422 naming %v", r.StatusCode, r.Body, want)
						}
						for _, a := range want {
							if !strings.Contains(body.Error.Message, a) {
								t.Errorf("the message does not name %s: %s", a, body.Error.Message)
							}
						}
						if f.str("SELECT status FROM disputes WHERE id = ?", x.ID) != state || f.count("SELECT count(*) FROM dispute_steps WHERE dispute_id = ?", x.ID) != steps {
							t.Fatal("a refused step changed the dispute")
						}
						return
					}
					if r.StatusCode != http.StatusOK {
						t.Fatalf("%d %s", r.StatusCode, r.Body)
					}
					want := row.To
					if want == "" {
						want = state
					}
					var got dispute.Detail
					r.JSON(t, &got)
					if got.Status != want || f.str("SELECT status FROM disputes WHERE id = ?", x.ID) != want {
						t.Fatalf("status %s, want %s", got.Status, want)
					}
					if f.count("SELECT count(*) FROM dispute_steps WHERE dispute_id = ?", x.ID) != steps+1 || f.env.AuditCount("dispute."+action, "ok") != audits+1 {
						t.Fatal("no step or no audit record")
					}
					// The page offers exactly the allowed actions.
					if !slices.Equal(got.Allowed, dispute.Allowed(want)) {
						t.Errorf("allowed_actions %v, want %v", got.Allowed, dispute.Allowed(want))
					}
				})
			}
		}
		// Unknown action, and needs unmet.
		x := f.create("qingshan", f.body("SFQ-QS-01"))
		for _, c := range []struct {
			body  map[string]any
			code  int
			field string
		}{
			{map[string]any{"action": "delete"}, 422, "action"},
			{map[string]any{"action": "resolve"}, 400, "comment"},
			{map[string]any{"action": "record_session"}, 400, "session.method"},
			{map[string]any{"action": "record_session", "session": map[string]any{"method": "shouting", "outcome": "agreed"}}, 400, "session.method"},
			{map[string]any{"action": "extend", "reason": "r", "new_deadline": "2026-11-30"}, 400, "new_deadline"},
			{map[string]any{"action": "reassess", "reason": "r", "risk_level": "yellow"}, 400, "risk_level"},
			{map[string]any{"action": "reassess", "reason": "r", "risk_level": "red", "lead_name": "无名氏"}, 422, "lead_name"},
			{map[string]any{"action": "to_court"}, 400, "reason"},
		} {
			r := f.c("qingshan").SendJSON("POST", "/api/v1/disputes/"+itoa(x.ID)+"/transitions", c.body)
			if r.StatusCode != c.code || r.ErrorField() != c.field {
				t.Errorf("%v: %d %s", c.body, r.StatusCode, r.Body)
			}
		}
		// Reassessing to red names the township's secretary as lead.
		got := f.step("qingshan", x.ID, map[string]any{"action": "reassess", "risk_level": "red", "reason": "人数增加"})
		if got.RiskLevel != "red" || !strings.Contains(got.Lead.Title, "党委书记") {
			t.Fatalf("reassessed: %s %+v", got.RiskLevel, got.Lead)
		}
	})
}

// The page's forms drive the same table: a step not allowed comes back
// with the message on the page.
func TestTransitionForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		x := f.create("qingshan", f.body("SFQ-QS-01"))
		c := f.env.SignIn("qingshan")
		r := c.PostForm("/disputes/"+itoa(x.ID)+"/transitions", map[string][]string{"action": {"record_session"}, "method": {"negotiation"}, "outcome": {"agreed"}, "note": {"协商一致"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("session form: %d %s", r.StatusCode, r.Body)
		}
		if f.str("SELECT status FROM disputes WHERE id = ?", x.ID) != dispute.Resolving || f.count("SELECT count(*) FROM dispute_sessions WHERE dispute_id = ?", x.ID) != 1 {
			t.Fatal("the session did not take")
		}
		r = c.PostForm("/disputes/"+itoa(x.ID)+"/transitions", map[string][]string{"action": {"reopen"}, "reason": {"x"}})
		if r.StatusCode != 422 || !strings.Contains(string(r.Body), `id="form-error"`) {
			t.Fatalf("not allowed on the page: %d", r.StatusCode)
		}
		page := string(c.Get("/disputes/" + itoa(x.ID)).Body)
		for _, s := range []string{"协商一致", "达成协议", `id="do-resolve"`, `id="do-stabilize"`} {
			if !strings.Contains(page, s) {
				t.Errorf("the page lacks %s", s)
			}
		}
		if strings.Contains(page, `id="do-reopen"`) {
			t.Error("the page offers a step the table does not allow")
		}
	})
}
