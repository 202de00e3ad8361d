package hazard_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/hazard"
)

// stateCase is a state to reach, with an extension request pending or not.
type stateCase struct {
	state   string
	pending bool
}

// reach registers a major hazard at 青山镇 and takes it to c.
func (f *fixture) reach(c stateCase) int64 {
	f.t.Helper()
	h := f.register("qingshan", f.major(nil))
	id := h.ID
	switch c.state {
	case hazard.Rectifying, hazard.AwaitingAcceptance, hazard.Closed:
		f.mustStep("qingshan", id, map[string]any{"action": "start"})
	}
	if c.pending {
		f.mustStep("qingshan", id, map[string]any{"action": "request_extension", "reason": "设备到货晚", "new_deadline": "2026-12-31"})
	}
	switch c.state {
	case hazard.AwaitingAcceptance, hazard.Closed:
		f.mustStep("qingshan", id, map[string]any{"action": "submit_evidence", "comment": "已整改", "attachment_ids": []int64{f.photo("qingshan")}})
	}
	switch c.state {
	case hazard.Closed:
		f.mustStep("yjj", id, map[string]any{"action": "accept"})
	case hazard.Cancelled:
		f.mustStep("yjj", id, map[string]any{"action": "cancel", "reason": "重复登记"})
	}
	if got := f.status(id); got != c.state {
		f.t.Fatalf("reach %s: status %s", c.state, got)
	}
	return id
}

// major is a major hazard body (the clause, the report items).
func (f *fixture) major(extra map[string]any) map[string]any {
	b := f.general(map[string]any{"grade": "major", "standard_id": 5, "category": "confined_space", "description": "污水井有限空间未设置警示标志、未建立台账",
		"major": map[string]any{"state_cause": "污水井未辨识为有限空间", "harm": "可能导致中毒窒息，整改较易"}})
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// actorFor is who takes an action in the walk: the township's staff for the
// responsible side, the district's safety staff for the supervising side.
func actorFor(action string) string {
	t, _ := hazard.Lookup(hazard.Registered, false, action)
	for _, row := range hazard.Table {
		if row.Action == action {
			t = &row
			break
		}
	}
	switch t.Perm {
	case auth.HazardAccept, auth.HazardSupervise:
		return "yjj"
	}
	return "qingshan"
}

// body is a request with everything any action may need.
func (f *fixture) body(action string) map[string]any {
	b := map[string]any{"action": action, "comment": "表驱动测试", "reason": "表驱动测试", "new_deadline": "2026-12-28"}
	switch action {
	case "submit_evidence":
		b["attachment_ids"] = []int64{f.photo(actorFor(action))}
	case "update_plan":
		b["major"] = map[string]any{"state_cause": "现状", "harm": "危害", "plan_goal": "目标", "plan_method": "方法", "plan_funds": "经费",
			"plan_staff": "人员", "plan_schedule": "时限", "plan_safety": "预案"}
	}
	return b
}

// TestTableOverAPI takes every action from every state through the API:
// the table's rows succeed and land in the row's state; every other action
// answers 422 with the allowed actions listed, and changes nothing.
func TestTableOverAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		cases := []stateCase{{hazard.Registered, false}, {hazard.Registered, true}, {hazard.Rectifying, false}, {hazard.Rectifying, true},
			{hazard.AwaitingAcceptance, false}, {hazard.Closed, false}, {hazard.Cancelled, false}}
		for _, c := range cases {
			refused := f.reach(c) // one hazard takes every refusal of the state
			allowed := hazard.Allowed(c.state, c.pending)
			for _, action := range hazard.Actions {
				t.Run(c.state+"/"+boolS(c.pending)+"/"+action, func(t *testing.T) {
					row, err := hazard.Lookup(c.state, c.pending, action)
					if err != nil {
						steps := f.count("SELECT count(*) FROM hazard_steps WHERE hazard_id = ?", refused)
						r := f.step(actorFor(action), refused, f.body(action))
						if r.StatusCode != http.StatusUnprocessableEntity || r.ErrorCode() != "rule_violated" {
							t.Fatalf("%s from %s: %d %s, want 422", action, c.state, r.StatusCode, r.Body)
						}
						if got, ok := r.AllowedActions(); !ok || !reflect.DeepEqual(got, append([]string{}, allowed...)) {
							t.Fatalf("allowed_actions %v, want %v", got, allowed)
						}
						if f.status(refused) != c.state || f.count("SELECT count(*) FROM hazard_steps WHERE hazard_id = ?", refused) != steps {
							t.Fatalf("a refused %s changed the hazard", action)
						}
						return
					}
					id := f.reach(c)
					h := f.mustStep(actorFor(action), id, f.body(action))
					want := row.To
					if want == "" {
						want = c.state
					}
					if h.Status != want {
						t.Fatalf("%s from %s: %s, want %s", action, c.state, h.Status, want)
					}
					if last := h.Steps[len(h.Steps)-1]; last.Action != action || last.From != c.state || last.To != want {
						t.Fatalf("last step %+v", last)
					}
					pending := c.pending
					switch action {
					case "request_extension":
						pending = true
					case "approve_extension", "refuse_extension", "submit_evidence", "cancel":
						pending = false
					}
					if h.ExtensionPending() != pending {
						t.Fatalf("extension pending %v after %s, want %v", h.ExtensionPending(), action, pending)
					}
					if action == "approve_extension" && h.Deadline != "2026-12-31" {
						t.Fatalf("deadline after the approval: %s", h.Deadline)
					}
				})
			}
		}
	})
}
