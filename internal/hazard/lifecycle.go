package hazard

import (
	"sort"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
)

// States of a hazard. An extension request is not a state: it is a flag
// (ext_deadline) on a hazard that stays registered or rectifying.
const (
	New                = ""                    // not registered yet (the "from" of register and fix_on_spot)
	Registered         = "registered"          // 已登记
	Rectifying         = "rectifying"          // 整改中
	AwaitingAcceptance = "awaiting_acceptance" // 待验收 (evidence submitted)
	Closed             = "closed"              // 已销号
	Cancelled          = "cancelled"           // 已撤销
)

// States lists every state of a registered hazard, in lifecycle order.
var States = []string{Registered, Rectifying, AwaitingAcceptance, Closed, Cancelled}

// Actions: every way a hazard changes.
const (
	ActRegister         = "register"          // 登记
	ActFixOnSpot        = "fix_on_spot"       // 立即整改: registered straight to closed, with evidence
	ActStart            = "start"             // 开始整改
	ActSubmitEvidence   = "submit_evidence"   // 提交整改材料
	ActAccept           = "accept"            // 验收销号
	ActSendBack         = "send_back"         // 退回重改
	ActRequestExtension = "request_extension" // 申请延期
	ActApproveExtension = "approve_extension" // 同意延期
	ActRefuseExtension  = "refuse_extension"  // 不同意延期
	ActCancel           = "cancel"            // 撤销
	ActSupervise        = "supervise"         // 挂牌督办
	ActUpdatePlan       = "update_plan"       // 补充重大隐患报告和治理方案
)

// Actions lists every action in the order pages show them.
var Actions = []string{ActRegister, ActFixOnSpot, ActStart, ActSubmitEvidence, ActRequestExtension, ActUpdatePlan,
	ActAccept, ActSendBack, ActApproveExtension, ActRefuseExtension, ActSupervise, ActCancel}

// Need says what a transition requires of the request.
type Need uint8

const (
	NeedComment     Need = 1 << iota // comment: what was done, what is asked
	NeedReason                       // reason: why (send back, refuse, cancel, extend)
	NeedAttachments                  // at least one attachment: the evidence
	NeedDeadline                     // new_deadline: the extension asked for, or the supervision deadline
)

// Ext is the condition a transition puts on a pending extension request.
type Ext uint8

const (
	ExtAny     Ext = iota // either way
	ExtNone               // only when no request is pending
	ExtPending            // only when a request is pending
)

// Target says whose path authorizes a transition.
type Target uint8

const (
	OnObject      Target = iota // the hazard's own path (its enterprise's, else its territory's)
	OnSupervising               // the supervising org's path (验收、退回、延期、撤销)
	OnListing                   // the path of the superior org that lists it (挂牌督办)
)

// Transition is one row of the lifecycle table.
type Transition struct {
	From   []string
	Action string
	To     string // "" = the state does not change
	Perm   auth.Action
	On     Target
	Needs  Need
	Ext    Ext
}

// Table is THE lifecycle of a hazard. It validates every request, decides
// which buttons a page shows, drives the API and generates the tests; no
// state changes anywhere else.
var Table = []Transition{
	{From: []string{New}, Action: ActRegister, To: Registered, Perm: auth.HazardReport, On: OnObject},
	{From: []string{New}, Action: ActFixOnSpot, To: Closed, Perm: auth.HazardReport, On: OnObject, Needs: NeedAttachments},
	{From: []string{Registered}, Action: ActStart, To: Rectifying, Perm: auth.HazardRectify, On: OnObject},
	{From: []string{Registered, Rectifying}, Action: ActSubmitEvidence, To: AwaitingAcceptance, Perm: auth.HazardRectify, On: OnObject, Needs: NeedComment | NeedAttachments},
	{From: []string{Registered, Rectifying}, Action: ActRequestExtension, Perm: auth.HazardRectify, On: OnObject, Needs: NeedReason | NeedDeadline, Ext: ExtNone},
	{From: []string{Registered, Rectifying}, Action: ActUpdatePlan, Perm: auth.HazardRectify, On: OnObject},
	{From: []string{AwaitingAcceptance}, Action: ActAccept, To: Closed, Perm: auth.HazardAccept, On: OnSupervising},
	{From: []string{AwaitingAcceptance}, Action: ActSendBack, To: Rectifying, Perm: auth.HazardAccept, On: OnSupervising, Needs: NeedReason},
	{From: []string{Registered, Rectifying}, Action: ActApproveExtension, Perm: auth.HazardAccept, On: OnSupervising, Ext: ExtPending},
	{From: []string{Registered, Rectifying}, Action: ActRefuseExtension, Perm: auth.HazardAccept, On: OnSupervising, Needs: NeedReason, Ext: ExtPending},
	{From: []string{Registered, Rectifying, AwaitingAcceptance}, Action: ActSupervise, Perm: auth.HazardSupervise, On: OnListing, Needs: NeedComment | NeedDeadline},
	{From: []string{Registered, Rectifying, AwaitingAcceptance}, Action: ActCancel, To: Cancelled, Perm: auth.HazardAccept, On: OnSupervising, Needs: NeedReason},
}

// applies reports whether row t applies to a hazard in state with an
// extension request pending or not.
func (t *Transition) applies(state string, pending bool) bool {
	switch t.Ext {
	case ExtNone:
		if pending {
			return false
		}
	case ExtPending:
		if !pending {
			return false
		}
	}
	for _, f := range t.From {
		if f == state {
			return true
		}
	}
	return false
}

// Target state of t from state: the same state for rows that keep it.
func (t *Transition) target(state string) string {
	if t.To == "" {
		return state
	}
	return t.To
}

// Allowed lists the actions the table allows from state (with an extension
// request pending or not), in table order.
func Allowed(state string, pending bool) []string {
	var out []string
	for i := range Table {
		if Table[i].applies(state, pending) {
			out = append(out, Table[i].Action)
		}
	}
	return out
}

// Lookup returns the row for action from state, or an apperr.NotAllowed
// refusal (ERULE, 422) that names the actions allowed from there.
func Lookup(state string, pending bool, action string) (*Transition, error) {
	for i := range Table {
		if Table[i].Action == action && Table[i].applies(state, pending) {
			return &Table[i], nil
		}
	}
	return nil, lifecycle.Refuse(state, action, Allowed(state, pending))
}

// lifecycle names the table's states and actions in its refusals.
var lifecycle = &apperr.Lifecycle{Object: [2]string{"隐患", "hazard"}, Actions: Actions, StatusZH: StatusZH, ActionZH: ActionZH}

// StatusZH and ActionZH are the Chinese names used in messages and exports.
var (
	StatusZH = map[string]string{New: "未登记", Registered: "已登记", Rectifying: "整改中", AwaitingAcceptance: "待验收", Closed: "已销号", Cancelled: "已撤销"}
	ActionZH = map[string]string{ActRegister: "登记", ActFixOnSpot: "立即整改", ActStart: "开始整改", ActSubmitEvidence: "提交整改材料",
		ActAccept: "验收销号", ActSendBack: "退回重改", ActRequestExtension: "申请延期", ActApproveExtension: "同意延期",
		ActRefuseExtension: "不同意延期", ActCancel: "撤销", ActSupervise: "挂牌督办", ActUpdatePlan: "补充报告和治理方案"}
)

// sortedActions returns actions in the page order of Actions.
func sortedActions(as []string) []string {
	pos := map[string]int{}
	for i, a := range Actions {
		pos[a] = i
	}
	out := append([]string(nil), as...)
	sort.SliceStable(out, func(i, j int) bool { return pos[out[i]] < pos[out[j]] })
	return out
}
