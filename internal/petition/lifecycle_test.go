package petition_test

import (
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/petition"
)

// TestTable checks the lifecycle table itself: every row names known
// states and a known permission; every state but the terminal ones can be
// left; every state can be reached from registration; a step the table
// does not have answers 422 naming the allowed ones.
func TestTable(t *testing.T) {
	known := map[string]bool{}
	for _, s := range petition.States {
		known[s] = true
	}
	perms := map[auth.Action]bool{}
	for _, a := range auth.Actions {
		perms[a] = true
	}
	for _, row := range petition.Table {
		for _, s := range row.From {
			must(t, known[s] || s == petition.New, "%s from unknown state %q", row.Action, s)
		}
		must(t, row.To == "" || known[row.To], "%s to unknown state %q", row.Action, row.To)
		must(t, row.On == petition.OnClock || perms[row.Perm], "%s needs unknown permission %q", row.Action, row.Perm)
		must(t, petition.ActionZH[row.Action] != "", "%s has no Chinese name", row.Action)
	}
	// Reachability, over every category.
	reached := map[string]bool{petition.Registered: true}
	for changed := true; changed; {
		changed = false
		for _, row := range petition.Table {
			if row.To == "" || reached[row.To] {
				continue
			}
			for _, s := range row.From {
				if reached[s] {
					reached[row.To], changed = true, true
					break
				}
			}
		}
	}
	for _, s := range petition.States {
		must(t, reached[s], "state %s cannot be reached", s)
	}
	// Only the end states have no way on that changes the state.
	for _, s := range petition.States {
		leaves := false
		for _, row := range petition.Table {
			for _, f := range row.From {
				if f == s && row.To != "" && row.To != s {
					leaves = true
				}
			}
		}
		terminal := s == petition.Declined || s == petition.Concluded
		must(t, leaves != terminal, "state %s: leaves %v, terminal %v", s, leaves, terminal)
	}
}

// TestLookup: the rows apply by category, round and flags.
func TestLookup(t *testing.T) {
	cases := []struct {
		name    string
		c       petition.Case
		action  string
		ok      bool
		wantTo  string
		message string // a part of the refusal
	}{
		{"a claim's reply awaits review", petition.Case{Status: petition.Accepted, Category: petition.Claim}, petition.ActReply, true, petition.Replied, ""},
		{"a suggestion's reply closes it", petition.Case{Status: petition.Accepted, Category: petition.Suggestion}, petition.ActReply, true, petition.Closed, ""},
		{"an accusation's reply closes it", petition.Case{Status: petition.Accepted, Category: petition.Accusation}, petition.ActReply, true, petition.Closed, ""},
		{"a reply before acceptance", petition.Case{Status: petition.Routed, Category: petition.Claim}, petition.ActReply, false, "", "accept"},
		{"one extension", petition.Case{Status: petition.Accepted, Category: petition.Claim}, petition.ActExtend, true, "", ""},
		{"a second extension", petition.Case{Status: petition.Accepted, Category: petition.Claim, Extended: true}, petition.ActExtend, false, "", "只能延长一次"},
		{"a review of a lapsed claim", petition.Case{Status: petition.Closed, Category: petition.Claim}, petition.ActRequestReview, true, petition.ReviewRequested, ""},
		{"a review of a suggestion", petition.Case{Status: petition.Closed, Category: petition.Suggestion}, petition.ActRequestReview, false, "", "申诉求决类"},
		{"a second review before the first", petition.Case{Status: petition.Replied, Category: petition.Claim}, petition.ActRequestReview2, false, "", "须先请求复查"},
		{"a first review after the first", petition.Case{Status: petition.Closed, Category: petition.Claim, Round: 1}, petition.ActRequestReview, false, "", "只能请求复核"},
		{"a second review after the second", petition.Case{Status: petition.Concluded, Category: petition.Claim, Round: 2}, petition.ActRequestReview2, false, "", "不再受理"},
		{"to discipline: accusations only", petition.Case{Status: petition.Registered, Category: petition.Claim}, petition.ActToDiscipline, false, "", "transfer"},
		{"to discipline", petition.Case{Status: petition.Registered, Category: petition.Accusation}, petition.ActToDiscipline, true, petition.Discipline, ""},
		{"flag a flagged case", petition.Case{Status: petition.Accepted, Category: petition.Claim, Key: true}, petition.ActFlagKey, false, "", "unflag_key"},
		{"the clock's lapse is no person's", petition.Case{Status: petition.Replied, Category: petition.Claim}, "approve", false, "", "没有"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			row, err := petition.Lookup(c.c, c.action)
			if c.ok {
				must(t, err == nil && row != nil, "refused: %v", err)
				if c.wantTo != "" {
					must(t, row.To == c.wantTo, "to %s, want %s", row.To, c.wantTo)
				}
				return
			}
			_, refused := apperr.AllowedActions(err)
			must(t, refused, "not refused as a step the table lacks: %v", err)
			e, _ := apperr.As(err)
			must(t, e.Code == apperr.ERULE && e.Field == "action", "refusal %+v", e)
			must(t, strings.Contains(e.Message, c.message), "message %q lacks %q", e.Message, c.message)
		})
	}
	// The page never offers the clock's own step.
	must(t, !contains(petition.Allowed(petition.Case{Status: petition.Replied, Category: petition.Claim}), petition.ActLapse), "lapse offered to people")
}
