package apperr

import (
	"slices"
	"strings"
)

// NotAllowed is the refusal of a lifecycle step that the object's table does
// not have from its state: ERULE (422) on the field "action", the message
// from format, and Allowed the actions the table does allow there. Allowed is
// never nil, so that the API answers error.allowed_actions, [] when no step
// is left.
func NotAllowed(allowed []string, format string, args ...any) *Error {
	e := Field(ERULE, "action", format, args...)
	e.Allowed = append([]string{}, allowed...)
	return e
}

// AllowedActions returns the allowed actions of a NotAllowed refusal inside
// err, and whether err is one.
func AllowedActions(err error) ([]string, bool) {
	if e, ok := As(err); ok && e.Allowed != nil {
		return e.Allowed, true
	}
	return nil, false
}

// Lifecycle names one lifecycle table's object, states and actions, for the
// refusal of a step the table does not have.
type Lifecycle struct {
	Object   [2]string         // the object, Chinese and English: {"隐患", "hazard"}
	Actions  []string          // every action of the table
	StatusZH map[string]string // Chinese names of the states ("" is the state before registration)
	ActionZH map[string]string // Chinese names of the actions
}

// Refuse is the NotAllowed refusal of action from state, with allowed the
// actions allowed there: the message names them (Chinese name and code), and
// says so when the table has no such action at all.
func (l *Lifecycle) Refuse(state, action string, allowed []string) *Error {
	zh, en := "（无）", "none"
	if len(allowed) > 0 {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = l.ActionZH[a] + " " + a
		}
		zh, en = strings.Join(names, "、"), strings.Join(allowed, ", ")
	}
	code := state
	if code == "" {
		code = "new"
	}
	if !slices.Contains(l.Actions, action) {
		return NotAllowed(allowed, "没有“%s”这一操作；当前状态（%s）可执行：%s / there is no action %q; from %s the allowed actions are: %s",
			action, l.StatusZH[state], zh, action, code, en)
	}
	return NotAllowed(allowed, "%s处于“%s”状态，不能“%s”；可执行：%s / a %s in state %s cannot %s; the allowed actions are: %s",
		l.Object[0], l.StatusZH[state], l.ActionZH[action], zh, l.Object[1], code, action, en)
}
