package dispute

import (
	"sort"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
)

// States of a dispute. 平稳 (stable) is contained but not resolved: the
// parties have calmed down, the matter is watched, the deadline still runs.
const (
	New        = ""            // not registered yet (the "from" of register)
	Registered = "registered"  // 已登记（未化解）
	Resolving  = "resolving"   // 化解中
	Stable     = "stable"      // 平稳（稳控）
	Resolved   = "resolved"    // 已化解
	ToPetition = "to_petition" // 已转信访
	ToCourt    = "to_court"    // 已转诉讼
)

// States lists every state of a registered dispute, in lifecycle order.
var States = []string{Registered, Resolving, Stable, Resolved, ToPetition, ToCourt}

// StatusOpen is the status filter for the states still to be resolved.
const StatusOpen = "open"

// Open reports whether a dispute in state is still to be resolved (its
// deadline runs).
func Open(state string) bool { return state == Registered || state == Resolving || state == Stable }

// Actions: every way a dispute changes.
const (
	ActRegister      = "register"       // 登记
	ActStart         = "start"          // 开始化解
	ActRecordSession = "record_session" // 记录调解
	ActStabilize     = "stabilize"      // 稳控（平稳）
	ActResolve       = "resolve"        // 化解办结
	ActReopen        = "reopen"         // 重新化解（反复）
	ActReassess      = "reassess"       // 调整风险等级
	ActExtend        = "extend"         // 延长期限
	ActToPetition    = "to_petition"    // 转信访
	ActToCourt       = "to_court"       // 转诉讼
)

// Events on the timeline that are not actions of a person.
const (
	EventImported = "import"  // 台账导入
	EventOverdue  = "overdue" // 逾期
)

// Actions lists every action in the order pages show them.
var Actions = []string{ActRegister, ActStart, ActRecordSession, ActStabilize, ActResolve, ActReassess, ActExtend, ActReopen, ActToPetition, ActToCourt}

// Need says what a transition requires of the request.
type Need uint8

const (
	NeedComment  Need = 1 << iota // comment: the situation (稳控), the outcome (调解结果)
	NeedReason                    // reason: why (reopen, reassess, extend, pass on)
	NeedSession                   // session: a mediation session
	NeedRisk                      // risk_level: the new level
	NeedDeadline                  // new_deadline
)

// Transition is one row of the lifecycle table.
type Transition struct {
	From   []string
	Action string
	To     string // "" = the state does not change
	Perm   auth.Action
	Needs  Need
}

var open = []string{Registered, Resolving, Stable}

// Table is THE lifecycle of a dispute. It validates every request, decides
// which buttons a page shows, drives the API and generates the tests; no
// state changes anywhere else.
var Table = []Transition{
	{From: []string{New}, Action: ActRegister, To: Registered, Perm: auth.DisputeReport},
	{From: []string{Registered}, Action: ActStart, To: Resolving, Perm: auth.DisputeManage},
	{From: []string{Registered}, Action: ActRecordSession, To: Resolving, Perm: auth.DisputeManage, Needs: NeedSession},
	{From: []string{Resolving, Stable}, Action: ActRecordSession, Perm: auth.DisputeManage, Needs: NeedSession},
	{From: []string{Resolving}, Action: ActStabilize, To: Stable, Perm: auth.DisputeManage, Needs: NeedComment},
	{From: open, Action: ActResolve, To: Resolved, Perm: auth.DisputeManage, Needs: NeedComment},
	{From: open, Action: ActReassess, Perm: auth.DisputeManage, Needs: NeedReason | NeedRisk},
	{From: open, Action: ActExtend, Perm: auth.DisputeManage, Needs: NeedReason | NeedDeadline},
	{From: []string{Stable, Resolved}, Action: ActReopen, To: Resolving, Perm: auth.DisputeManage, Needs: NeedReason},
	{From: open, Action: ActToPetition, To: ToPetition, Perm: auth.DisputeManage, Needs: NeedReason},
	{From: open, Action: ActToCourt, To: ToCourt, Perm: auth.DisputeManage, Needs: NeedReason},
}

func (t *Transition) applies(state string) bool {
	for _, f := range t.From {
		if f == state {
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

// Allowed lists the actions the table allows from state, in page order.
func Allowed(state string) []string {
	var out []string
	for i := range Table {
		if Table[i].applies(state) {
			out = append(out, Table[i].Action)
		}
	}
	return sortedActions(out)
}

// Lookup returns the row for action from state, or an apperr.NotAllowed
// refusal (ERULE, 422) naming the actions allowed from there.
func Lookup(state, action string) (*Transition, error) {
	for i := range Table {
		if Table[i].Action == action && Table[i].applies(state) {
			return &Table[i], nil
		}
	}
	return nil, lifecycle.Refuse(state, action, Allowed(state))
}

// lifecycle names the table's states and actions in its refusals.
var lifecycle = &apperr.Lifecycle{Object: [2]string{"纠纷", "dispute"}, Actions: Actions, StatusZH: StatusZH, ActionZH: ActionZH}

// Chinese names for messages and exports.
var (
	StatusZH = map[string]string{New: "未登记", Registered: "未化解", Resolving: "化解中", Stable: "平稳", Resolved: "已化解", ToPetition: "已转信访", ToCourt: "已转诉讼"}
	ActionZH = map[string]string{ActRegister: "登记", ActStart: "开始化解", ActRecordSession: "记录调解", ActStabilize: "稳控（平稳）", ActResolve: "化解办结",
		ActReopen: "重新化解", ActReassess: "调整风险等级", ActExtend: "延长期限", ActToPetition: "转信访", ActToCourt: "转诉讼"}
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
