package petition

import (
	"sort"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
)

// States of a petition case.
const (
	New               = ""                   // not registered yet (the "from" of register)
	Registered        = "registered"         // 已登记: at the bureau, to be routed within 15 days
	Routed            = "routed"             // 已转送/已交办: at the handling org, to be accepted within 15 days
	Objected          = "objected"           // 异议退回: the org says it is not theirs; back at the bureau
	Discipline        = "discipline"         // 转纪检监察: an accusation in the discipline organ's queue
	Accepted          = "accepted"           // 已受理（办理中）: to be answered within 60 days (+30 once)
	Declined          = "declined"           // 不予受理 (written notice)
	Replied           = "replied"            // 已答复: the 处理意见书 served; 30 days to ask for 复查
	ReviewRequested   = "review_requested"   // 复查中: answered within 30 days
	Reviewed          = "reviewed"           // 已复查: 30 days to ask for 复核
	RereviewRequested = "rereview_requested" // 复核中: answered within 30 days
	Concluded         = "concluded"          // 已终结（复核）: the same claim is not accepted again
	Closed            = "closed"             // 已办结
)

// States lists every state of a registered case, in lifecycle order.
var States = []string{Registered, Routed, Objected, Discipline, Accepted, Declined, Replied, ReviewRequested, Reviewed, RereviewRequested, Concluded, Closed}

// StatusOpen is the status filter for every state with a duty still to do.
const StatusOpen = "open"

// openStates have a duty whose clock runs.
var openStates = []string{Registered, Routed, Objected, Discipline, Accepted, ReviewRequested, RereviewRequested}

// Open reports whether a case in state has a duty to do.
func Open(state string) bool {
	for _, s := range openStates {
		if s == state {
			return true
		}
	}
	return false
}

// Categories (信访事项类别).
const (
	Suggestion = "suggestion" // 建议意见类
	Accusation = "accusation" // 检举控告类
	Claim      = "claim"      // 申诉求决类
)

// Categories lists them in page order.
var Categories = []string{Claim, Suggestion, Accusation}

// Actions: every way a case changes.
const (
	ActRegister       = "register"         // 登记
	ActTransfer       = "transfer"         // 转送
	ActAssign         = "assign"           // 交办
	ActToDiscipline   = "to_discipline"    // 转纪检监察机关
	ActOverrule       = "overrule"         // 异议不成立，退回原单位
	ActAccept         = "accept"           // 受理（书面告知）
	ActDecline        = "decline"          // 不予受理（书面告知）
	ActObject         = "object"           // 提出异议（5个工作日内）
	ActExtend         = "extend"           // 延长办理期限（负责人批准，≤30日，一次）
	ActReply          = "reply"            // 答复（处理意见书）
	ActRequestReview  = "request_review"   // 请求复查
	ActAnswerReview   = "answer_review"    // 复查意见
	ActRequestReview2 = "request_rereview" // 请求复核
	ActAnswerReview2  = "answer_rereview"  // 复核意见
	ActSupervise      = "supervise"        // 督办
	ActFlagKey        = "flag_key"         // 列为重点信访案件
	ActUnflagKey      = "unflag_key"       // 取消重点
	ActRecuse         = "recuse"           // 回避
	ActLapse          = "lapse"            // 请求期限届满，办结 (the clock)
)

// Events on the timeline that are not actions of a person.
const (
	EventWarn75       = "warn75"        // 期限已过 75%
	EventWarn90       = "warn90"        // 期限已过 90%
	EventOverdue      = "overdue"       // 逾期
	EventWindowClosed = "window_closed" // 异议期届满
	EventReveal       = "reveal"        // 显示个人信息 (in the trail only)
	EventRate         = "rate"          // 信访人评价
)

// Actions lists every action in the order pages show them.
var Actions = []string{ActRegister, ActTransfer, ActAssign, ActToDiscipline, ActOverrule, ActAccept, ActObject, ActDecline, ActExtend, ActReply,
	ActRequestReview, ActAnswerReview, ActRequestReview2, ActAnswerReview2, ActSupervise, ActFlagKey, ActUnflagKey, ActRecuse, ActLapse}

// Side says on whose behalf a transition is taken, and so who may take it.
type Side uint8

const (
	OnBureau   Side = iota + 1 // the petition bureau (信访局)
	OnHandler                  // the org the case was routed to
	OnReviewer                 // the org answering a review
	OnAnySide                  // whoever works on the case (回避)
	OnClock                    // the clock engine only
)

// Need says what a transition requires of the request.
type Need uint16

const (
	NeedOrg     Need = 1 << iota // org_id: where it is routed
	NeedReason                   // reason: why
	NeedNotice                   // notice: the written notice to the petitioner
	NeedDays                     // extension_days, with petitioner_told
	NeedOpinion                  // opinion: decision, facts, reasons, basis
	NeedComment                  // comment
	NeedUser                     // user_id: who steps aside
	NeedDate                     // requested_on: when the petitioner asked
	NeedNotKey                   // not flagged yet
	NeedKey                      // flagged
	NeedOnce                     // not extended yet
)

// Transition is one row of the lifecycle table.
type Transition struct {
	From   []string
	Action string
	To     string // "" = the state does not change
	On     Side
	Perm   auth.Action
	Cats   []string // the categories it applies to (nil: all)
	Round  int      // the round it applies to (-1: any)
	Needs  Need
}

var (
	all     = []string{Registered, Routed, Objected, Discipline, Accepted, Declined, Replied, ReviewRequested, Reviewed, RereviewRequested, Concluded, Closed}
	claims  = []string{Claim}
	others  = []string{Suggestion, Accusation}
	accuse  = []string{Accusation}
	routing = []string{Registered, Objected}
)

// Table is THE lifecycle of a petition case. It validates every request,
// decides which buttons a page shows, drives the API and generates the
// tests; no state changes anywhere else (the clock's lapse is a row too).
var Table = []Transition{
	{From: []string{New}, Action: ActRegister, To: Registered, On: OnBureau, Perm: auth.PetitionRegister, Round: -1},
	{From: routing, Action: ActTransfer, To: Routed, On: OnBureau, Perm: auth.PetitionRoute, Round: -1, Needs: NeedOrg},
	{From: routing, Action: ActAssign, To: Routed, On: OnBureau, Perm: auth.PetitionRoute, Round: -1, Needs: NeedOrg},
	{From: routing, Action: ActToDiscipline, To: Discipline, On: OnBureau, Perm: auth.PetitionRoute, Cats: accuse, Round: -1},
	{From: []string{Objected}, Action: ActOverrule, To: Routed, On: OnBureau, Perm: auth.PetitionRoute, Round: -1, Needs: NeedReason},
	{From: []string{Routed, Discipline}, Action: ActAccept, To: Accepted, On: OnHandler, Perm: auth.PetitionHandle, Round: -1},
	{From: []string{Routed}, Action: ActObject, To: Objected, On: OnHandler, Perm: auth.PetitionHandle, Round: -1, Needs: NeedReason},
	{From: []string{Routed, Discipline}, Action: ActDecline, To: Declined, On: OnHandler, Perm: auth.PetitionHandle, Round: -1, Needs: NeedReason | NeedNotice},
	{From: []string{Accepted}, Action: ActExtend, On: OnHandler, Perm: auth.PetitionApprove, Round: -1, Needs: NeedReason | NeedDays | NeedOnce},
	{From: []string{Accepted}, Action: ActReply, To: Replied, On: OnHandler, Perm: auth.PetitionHandle, Cats: claims, Round: -1, Needs: NeedOpinion},
	{From: []string{Accepted}, Action: ActReply, To: Closed, On: OnHandler, Perm: auth.PetitionHandle, Cats: others, Round: -1, Needs: NeedOpinion},
	{From: []string{Replied, Closed}, Action: ActRequestReview, To: ReviewRequested, On: OnBureau, Perm: auth.PetitionRoute, Cats: claims, Round: 0, Needs: NeedDate},
	{From: []string{ReviewRequested}, Action: ActAnswerReview, To: Reviewed, On: OnReviewer, Perm: auth.PetitionHandle, Cats: claims, Round: -1, Needs: NeedOpinion},
	{From: []string{Reviewed, Closed}, Action: ActRequestReview2, To: RereviewRequested, On: OnBureau, Perm: auth.PetitionRoute, Cats: claims, Round: 1, Needs: NeedDate},
	{From: []string{RereviewRequested}, Action: ActAnswerReview2, To: Concluded, On: OnReviewer, Perm: auth.PetitionHandle, Cats: claims, Round: -1, Needs: NeedOpinion},
	{From: openStates, Action: ActSupervise, On: OnBureau, Perm: auth.PetitionRoute, Round: -1, Needs: NeedComment},
	{From: all, Action: ActFlagKey, On: OnBureau, Perm: auth.PetitionRoute, Round: -1, Needs: NeedNotKey},
	{From: all, Action: ActUnflagKey, On: OnBureau, Perm: auth.PetitionRoute, Round: -1, Needs: NeedKey | NeedReason},
	{From: all, Action: ActRecuse, On: OnAnySide, Perm: auth.PetitionView, Round: -1, Needs: NeedUser | NeedReason},
	{From: []string{Replied, Reviewed}, Action: ActLapse, To: Closed, On: OnClock, Round: -1},
}

// Case is what a row of the table is matched against.
type Case struct {
	Status   string
	Category string
	Round    int
	Extended bool
	Key      bool
}

// applies reports whether row t applies to c.
func (t *Transition) applies(c Case) bool {
	if t.Round >= 0 && t.Round != c.Round {
		return false
	}
	if t.Cats != nil && !contains(t.Cats, c.Category) {
		return false
	}
	if (t.Needs&NeedOnce != 0 && c.Extended) || (t.Needs&NeedNotKey != 0 && c.Key) || (t.Needs&NeedKey != 0 && !c.Key) {
		return false
	}
	return contains(t.From, c.Status)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// target is the state after t from state.
func (t *Transition) target(state string) string {
	if t.To == "" {
		return state
	}
	return t.To
}

// Allowed lists the actions the table allows for c (the clock's excluded), in page order.
func Allowed(c Case) []string {
	var out []string
	for i := range Table {
		if Table[i].On != OnClock && Table[i].applies(c) && !contains(out, Table[i].Action) {
			out = append(out, Table[i].Action)
		}
	}
	return sortedActions(out)
}

// Lookup returns the row for action on c, or an apperr.NotAllowed refusal
// (ERULE, 422) naming the actions allowed there.
func Lookup(c Case, action string) (*Transition, error) {
	for i := range Table {
		if Table[i].Action == action && Table[i].applies(c) {
			return &Table[i], nil
		}
	}
	return nil, refuse(c, action)
}

// lifecycle names the table's states and actions in its refusals.
var lifecycle = &apperr.Lifecycle{Object: [2]string{"信访事项", "case"}, Actions: Actions, StatusZH: StatusZH, ActionZH: ActionZH}

// refuse is the refusal of action on c: the rule it breaks where the
// regulations name one, else the table's refusal naming the allowed actions.
func refuse(c Case, action string) *apperr.Error {
	allowed := Allowed(c)
	switch {
	case c.Status == Concluded && (action == ActRequestReview || action == ActRequestReview2):
		return apperr.NotAllowed(allowed, "复核意见已作出，信访事项已终结：同一事实和理由的诉求不再受理（信访工作条例第三十六条） / the second review has been answered and the case is concluded: the same claim on the same facts is not accepted again (Art. 36)")
	case action == ActExtend && c.Status == Accepted && c.Extended:
		return apperr.NotAllowed(allowed, "办理期限只能延长一次（信访工作条例第三十四条） / the handling period can be extended only once (Art. 34)")
	case (action == ActRequestReview || action == ActRequestReview2 || action == ActAnswerReview || action == ActAnswerReview2) && c.Category != Claim && c.Category != "":
		return apperr.NotAllowed(allowed, "复查、复核只适用于申诉求决类事项的处理意见 / review and second review apply to the answers to claims only")
	case action == ActRequestReview2 && c.Round == 0 && (c.Status == Replied || c.Status == Closed):
		return apperr.NotAllowed(allowed, "须先请求复查，复查意见作出后方可请求复核 / ask for a review first; a second review follows the review's answer")
	case action == ActRequestReview && c.Round >= 1:
		return apperr.NotAllowed(allowed, "复查已经作出，只能请求复核 / the review has been answered: only a second review can be asked for")
	}
	return lifecycle.Refuse(c.Status, action, allowed)
}

// Chinese names for messages and the timeline.
var (
	StatusZH = map[string]string{New: "未登记", Registered: "已登记", Routed: "已转办", Objected: "异议退回", Discipline: "转纪检监察",
		Accepted: "办理中", Declined: "不予受理", Replied: "已答复", ReviewRequested: "复查中", Reviewed: "已复查",
		RereviewRequested: "复核中", Concluded: "已终结", Closed: "已办结"}
	ActionZH = map[string]string{ActRegister: "登记", ActTransfer: "转送", ActAssign: "交办", ActToDiscipline: "转纪检监察机关",
		ActOverrule: "异议不成立", ActAccept: "受理", ActDecline: "不予受理", ActObject: "提出异议", ActExtend: "延长办理期限",
		ActReply: "答复", ActRequestReview: "请求复查", ActAnswerReview: "复查意见", ActRequestReview2: "请求复核", ActAnswerReview2: "复核意见",
		ActSupervise: "督办", ActFlagKey: "列为重点案件", ActUnflagKey: "取消重点", ActRecuse: "回避", ActLapse: "办结（请求期限届满）",
		EventWarn75: "期限已过75%", EventWarn90: "期限已过90%", EventOverdue: "逾期", EventWindowClosed: "异议期届满", EventRate: "评价"}
	CategoryZH = map[string]string{Suggestion: "建议意见类", Accusation: "检举控告类", Claim: "申诉求决类"}
)

func sortedActions(as []string) []string {
	pos := map[string]int{}
	for i, a := range Actions {
		pos[a] = i
	}
	out := append([]string(nil), as...)
	sort.SliceStable(out, func(i, j int) bool { return pos[out[i]] < pos[out[j]] })
	return out
}
