package campaign

import (
	"slices"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
)

// States of a campaign.
const (
	New    = ""       // not saved yet (the "from" of create and launch)
	Draft  = "draft"  // 草稿: the launching org is still preparing it
	Active = "active" // 进行中: launched, its tasks are out
	Closed = "closed" // 已结束 (or a draft dropped)
)

// States lists the states in lifecycle order.
var States = []string{Draft, Active, Closed}

// Actions: every way a campaign changes.
const (
	ActCreate = "create" // 保存草稿
	ActEdit   = "edit"   // 修改草稿
	ActLaunch = "launch" // 发布: the cascade goes out
	ActClose  = "close"  // 结束行动 (a draft: 作废)
)

// Actions lists the actions in the order pages show them.
var Actions = []string{ActCreate, ActEdit, ActLaunch, ActClose}

// Transition is one row of the lifecycle table. Every row is authorized
// with Perm at the launching org's path.
type Transition struct {
	From   []string
	Action string
	To     string
	Perm   auth.Action
	// API: the step is taken through POST /api/v1/campaigns/{id}/transitions
	// (create and edit have routes of their own).
	API bool
}

// Table is THE lifecycle of a campaign. It validates every request, decides
// which buttons a page shows and drives the API; no state changes anywhere else.
var Table = []Transition{
	{From: []string{New}, Action: ActCreate, To: Draft, Perm: auth.CampaignManage},
	{From: []string{Draft}, Action: ActEdit, To: Draft, Perm: auth.CampaignManage},
	{From: []string{New, Draft}, Action: ActLaunch, To: Active, Perm: auth.CampaignManage, API: true},
	{From: []string{Draft, Active}, Action: ActClose, To: Closed, Perm: auth.CampaignManage, API: true},
}

func (t *Transition) applies(state string) bool {
	for _, f := range t.From {
		if f == state {
			return true
		}
	}
	return false
}

// Allowed lists the actions the table allows from state, in table order.
func Allowed(state string) []string {
	out := []string{}
	for i := range Table {
		if Table[i].applies(state) {
			out = append(out, Table[i].Action)
		}
	}
	return out
}

// Lookup returns the row for action from state, or an apperr.NotAllowed
// refusal (ERULE, 422) naming what is allowed; an action the table does not
// know at all is invalid input (EINVALID, 400).
func Lookup(state, action string) (*Transition, error) {
	for i := range Table {
		if Table[i].Action == action && Table[i].applies(state) {
			return &Table[i], nil
		}
	}
	if !slices.Contains(Actions, action) {
		return nil, apperr.Field(apperr.EINVALID, "action", "没有“%s”这一操作 / there is no action %q", action, action)
	}
	return nil, lifecycle.Refuse(state, action, Allowed(state))
}

// lifecycle names the table's states and actions in its refusals.
var lifecycle = &apperr.Lifecycle{Object: [2]string{"行动", "campaign"}, Actions: Actions, StatusZH: StatusZH, ActionZH: ActionZH}

// StatusZH and ActionZH are the Chinese names used in messages.
var (
	StatusZH = map[string]string{New: "未保存", Draft: "草稿", Active: "进行中", Closed: "已结束"}
	ActionZH = map[string]string{ActCreate: "保存草稿", ActEdit: "修改", ActLaunch: "发布", ActClose: "结束"}
)
