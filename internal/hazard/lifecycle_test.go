package hazard_test

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/deadline"
	"github.com/anwen-gov/anwen/internal/hazard"
)

// TestTableExhaustive walks every state (and "new") × extension pending ×
// action through the table: allowed exactly when a row says so, and a
// refusal names every allowed action.
func TestTableExhaustive(t *testing.T) {
	rows := map[string]bool{}
	for _, tr := range hazard.Table {
		for _, from := range tr.From {
			for _, pending := range []bool{false, true} {
				switch {
				case tr.Ext == hazard.ExtNone && pending, tr.Ext == hazard.ExtPending && !pending:
					continue
				}
				rows[from+"|"+boolS(pending)+"|"+tr.Action] = true
			}
		}
	}
	for _, state := range append([]string{hazard.New}, hazard.States...) {
		for _, pending := range []bool{false, true} {
			allowed := hazard.Allowed(state, pending)
			for _, action := range append(append([]string{}, hazard.Actions...), "delete", "") {
				key := state + "|" + boolS(pending) + "|" + action
				t.Run(key, func(t *testing.T) {
					tr, err := hazard.Lookup(state, pending, action)
					if rows[key] {
						if err != nil || tr == nil || tr.Action != action {
							t.Fatalf("the table has %s but Lookup refused: %v", key, err)
						}
						return
					}
					if err == nil {
						t.Fatalf("%s is not in the table but Lookup allowed it", key)
					}
					e, ok := apperr.As(err)
					if !ok || e.Code != apperr.ERULE || e.Field != "action" {
						t.Fatalf("refusal of %s: %v, want ERULE on action", key, err)
					}
					for _, a := range allowed {
						if !strings.Contains(e.Message, a) {
							t.Errorf("refusal of %s does not name allowed action %s: %s", key, a, e.Message)
						}
					}
				})
			}
		}
	}
	// The terminal states allow nothing; every action is reachable from somewhere.
	for _, s := range []string{hazard.Closed, hazard.Cancelled} {
		if a := hazard.Allowed(s, false); len(a) != 0 {
			t.Errorf("%s allows %v", s, a)
		}
	}
	for _, a := range hazard.Actions {
		found := false
		for k := range rows {
			if strings.HasSuffix(k, "|"+a) {
				found = true
			}
		}
		if !found {
			t.Errorf("action %s has no row", a)
		}
	}
}

func boolS(b bool) string {
	if b {
		return "pending"
	}
	return "none"
}

// TestWalkToClosure registers a hazard with a photo, rectifies it and has
// it accepted by someone else of the supervising org, checking each step's
// rows, files, audit records and clock obligations.
func TestWalkToClosure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		tallyClosed := f.count("SELECT COALESCE(SUM(found_closed), 0) FROM hazard_tally WHERE org_id = ?", f.env.OrgID("SFQ-QS"))
		tallyOnTime := f.count("SELECT COALESCE(SUM(closed_on_time), 0) FROM hazard_tally WHERE org_id = ? AND day = '2026-11-27'", f.env.OrgID("SFQ-QS"))
		registered := f.env.AuditCount("hazard.register", "ok")
		before := f.photo("qingshan")
		h := f.register("qingshan", f.general(map[string]any{"attachment_ids": []int64{before}}))
		must(t, regexp.MustCompile(`^YH-2026-\d{6}$`).MatchString(h.Number), "number %s", h.Number)
		must(t, h.Status == hazard.Registered && len(h.Steps) == 1 && h.Steps[0].Action == "register", "after registering: %s %+v", h.Status, h.Steps)
		must(t, len(h.Photos) == 1 && h.Photos[0].ID == before, "photos %+v", h.Photos)
		must(t, h.FinderName == "林思远" && h.SupervisingName == "青山镇" && h.ResponsibleUnit == "青山镇", "prefilled: %+v", h.Hazard)
		must(t, reflect.DeepEqual(h.Allowed, []string{"start", "submit_evidence", "request_extension", "cancel"}), "qingshan may %v", h.Allowed)
		ob, err := deadline.Get(ctx, d, hazard.KindDeadline, itoa(h.ID)+"/2026-12-04")
		must(t, err == nil && ob.State == "open" && ob.WarnAt != nil, "obligation %+v %v", ob, err)
		must(t, f.env.AuditCount("hazard.register", "ok") == registered+1, "register audited")

		// Out of the grid worker's village: not found.
		r := f.c("wanggeyuan").Get("/api/v1/hazards/" + itoa(h.ID))
		must(t, r.StatusCode == 404, "grid worker of a village sees the township's hazard: %d", r.StatusCode)

		f.mustStep("qingshan", h.ID, map[string]any{"action": "start", "comment": "已安排电工"})
		r = f.step("qingshan", h.ID, map[string]any{"action": "submit_evidence", "comment": "已更换线路"})
		must(t, r.StatusCode == 400 && errorField(t, r) == "attachment_ids", "evidence without files: %d %s", r.StatusCode, r.Body)
		after := f.photo("qingshan")
		h = f.mustStep("qingshan", h.ID, map[string]any{"action": "submit_evidence", "comment": "已更换线路并加装漏电保护器", "attachment_ids": []int64{after}})
		must(t, h.Status == hazard.AwaitingAcceptance, "status %s", h.Status)
		last := h.Steps[len(h.Steps)-1]
		must(t, last.Action == "submit_evidence" && len(last.Attachments) == 1 && last.Attachments[0].ID == after, "evidence step %+v", last)
		ob, _ = deadline.Get(ctx, d, hazard.KindDeadline, itoa(h.ID)+"/2026-12-04")
		must(t, ob.State == "cancelled", "obligation after the evidence: %s", ob.State)

		// Closing one's own rectification: refused, even for a staff member who may accept.
		r = f.step("qingshan", h.ID, map[string]any{"action": "accept"})
		must(t, r.StatusCode == 422 && strings.Contains(string(r.Body), "不能为自己验收销号"), "own acceptance: %d %s", r.StatusCode, r.Body)
		must(t, f.status(h.ID) == hazard.AwaitingAcceptance, "status changed by a refused acceptance")

		h = f.mustStep("yjj", h.ID, map[string]any{"action": "accept", "comment": "现场复核合格"})
		must(t, h.Status == hazard.Closed && h.ClosedBy != nil && *h.ClosedBy == f.env.UserID("yjj") && h.ClosedByName == "刘海波", "closed: %+v", h.Hazard)
		must(t, len(h.Steps) == 4, "steps %d", len(h.Steps))
		for _, a := range []string{"start", "submit_evidence", "accept"} {
			must(t, f.count("SELECT count(*) FROM audit_log WHERE action = ? AND object_id = ?", "hazard."+a, itoa(h.ID)) == 1, "%s audited once", a)
		}
		must(t, f.count("SELECT COALESCE(SUM(found_closed), 0) FROM hazard_tally WHERE org_id = ?", f.env.OrgID("SFQ-QS")) == tallyClosed+1, "tally found_closed")
		must(t, f.count("SELECT COALESCE(SUM(closed_on_time), 0) FROM hazard_tally WHERE org_id = ? AND day = '2026-11-27'", f.env.OrgID("SFQ-QS")) == tallyOnTime+1, "tally on time")

		// Nothing follows closure: 422 naming no action.
		r = f.step("yjj", h.ID, map[string]any{"action": "send_back", "reason": "x"})
		none, ok := r.AllowedActions()
		must(t, r.StatusCode == 422 && r.ErrorCode() == "rule_violated" && ok && len(none) == 0, "after closure: %d %s", r.StatusCode, r.Body)
		// The photos are visible to who sees the hazard, and not beyond.
		must(t, f.c("yjj").Get("/api/v1/attachments/"+itoa(after)).StatusCode == 200, "acceptor sees the evidence")
		must(t, f.c("wanggeyuan").Get("/api/v1/attachments/"+itoa(after)).StatusCode == 404, "grid worker of another village sees the evidence")
		// Steps are never changed, hazards never deleted.
		_, err = d.Exec(ctx, "DELETE FROM hazards WHERE id = ?", h.ID)
		must(t, err != nil, "a hazard was deleted")
		_, err = d.Exec(ctx, "UPDATE hazard_steps SET comment = 'x' WHERE hazard_id = ?", h.ID)
		must(t, err != nil, "a step was changed")
	})
}
