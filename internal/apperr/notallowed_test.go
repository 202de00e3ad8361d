package apperr_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/apperr"
)

func TestLifecycleRefuse(t *testing.T) {
	l := &apperr.Lifecycle{Object: [2]string{"隐患", "hazard"}, Actions: []string{"register", "start", "accept"},
		StatusZH: map[string]string{"": "未登记", "registered": "已登记", "closed": "已销号"},
		ActionZH: map[string]string{"register": "登记", "start": "开始整改", "accept": "验收销号"}}
	for _, c := range []struct {
		name, state, action string
		allowed             []string
		want                []string // parts of the message
	}{
		{"known action", "registered", "accept", []string{"start"}, []string{"隐患处于“已登记”状态，不能“验收销号”；可执行：开始整改 start", "a hazard in state registered cannot accept; the allowed actions are: start"}},
		{"several allowed", "", "accept", []string{"register", "start"}, []string{"可执行：登记 register、开始整改 start", "in state new cannot accept", "are: register, start"}},
		{"nothing left", "closed", "start", nil, []string{"可执行：（无）", "the allowed actions are: none"}},
		{"unknown action", "registered", "fly", []string{"start"}, []string{"没有“fly”这一操作；当前状态（已登记）", `there is no action "fly"; from registered`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error = fmt.Errorf("step: %w", l.Refuse(c.state, c.action, c.allowed))
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.ERULE || e.Field != "action" {
				t.Fatalf("refusal %+v", e)
			}
			for _, w := range c.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("message %q lacks %q", e.Message, w)
				}
			}
			got, ok := apperr.AllowedActions(err)
			if !ok || got == nil || !slices.Equal(got, c.allowed) {
				t.Errorf("allowed %v (%v), want %v", got, ok, c.allowed)
			}
		})
	}
}

func TestNotAllowedCopiesAndMarks(t *testing.T) {
	allowed := []string{"start"}
	e := apperr.NotAllowed(allowed, "不能 / cannot")
	allowed[0] = "changed"
	if e.Allowed[0] != "start" {
		t.Error("the refusal shares the caller's slice")
	}
	for _, err := range []error{apperr.New(apperr.ERULE, "x"), errors.New("plain"), nil} {
		if a, ok := apperr.AllowedActions(err); ok || a != nil {
			t.Errorf("%v is taken for a lifecycle refusal", err)
		}
	}
}
