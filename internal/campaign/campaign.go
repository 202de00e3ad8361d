// Package campaign runs investigation campaigns (排查整治行动): an org (the
// district safety office, a township) launches one with a title, a period, a
// scope — an org subtree, optionally some industries (行业) and risk levels
// (风险等级) — a checklist (检查表) and a deadline. Launching cascades it down
// the tree, level by level (一级抓一级): every territorial org in the scope
// gets its task, down to the villages and communities, each under the task
// of its parent org. Each task shows the enterprises in its part of the
// scope, how many have been inspected for the campaign, and the hazards
// found and closed. Open hazards of earlier campaigns in the scope are
// listed for re-checking (回头看). At checkpoints of the clock engine, tasks
// whose inspected share lags the elapsed share of the period are flagged
// (进度落后) and their parent org hears of it in one digest.
//
// Progress is never typed in: it is counted from the inspections and hazards
// that carry the campaign's id (留痕是工作的副产品). Nothing is deleted.
package campaign

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/notify"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/workcalendar"
)

// Person is an account named on a campaign.
type Person struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Counts is the progress of a task (its org's subtree) or of a campaign.
type Counts struct {
	// Enterprises of the register in the scope (open ones, matching the
	// campaign's industries and risk levels) whose territory lies in the
	// task org's subtree.
	Enterprises int `json:"enterprises"`
	// Inspected: those with at least one submitted inspection for the campaign.
	Inspected int `json:"inspected"`
	// Hazards registered for the campaign (campaign_id), and of them closed
	// (销号) and still open (not closed nor cancelled).
	HazardsFound  int `json:"hazards_found"`
	HazardsClosed int `json:"hazards_closed"`
	HazardsOpen   int `json:"hazards_open"`
	// Re-checks (回头看) listed and re-checked.
	Rechecks     int `json:"rechecks"`
	RechecksDone int `json:"rechecks_done"`
}

// Share is the inspected share of the enterprises, 0 … 1 (1 with none to inspect).
func (c Counts) Share() float64 {
	if c.Enterprises == 0 {
		return 1
	}
	return float64(c.Inspected) / float64(c.Enterprises)
}

// Percent is Share as a whole percentage, rounded down (99.6% is not done).
func (c Counts) Percent() int { return int(c.Share() * 100) }

func (c *Counts) add(o Counts) {
	c.Enterprises += o.Enterprises
	c.Inspected += o.Inspected
	c.HazardsFound += o.HazardsFound
	c.HazardsClosed += o.HazardsClosed
	c.HazardsOpen += o.HazardsOpen
	c.Rechecks += o.Rechecks
	c.RechecksDone += o.RechecksDone
}

// Task is one org's part of a campaign.
type Task struct {
	ID       int64  `json:"id"`
	ParentID *int64 `json:"parent_id"`
	OrgID    int64  `json:"org_id"`
	OrgName  string `json:"org_name"`
	OrgKind  string `json:"org_kind"`
	// Depth below the scope's root (0 for the root's task).
	Depth  int    `json:"depth"`
	Counts Counts `json:"counts"`
	// Flag: "" on schedule, "behind" (进度落后) or "overdue" (逾期未完成) as of
	// the last checkpoint; FlagDetail says by how much.
	Flag       string     `json:"flag"`
	FlagDetail string     `json:"flag_detail,omitempty"`
	FlaggedAt  *time.Time `json:"flagged_at,omitempty"`
	Owner      *Person    `json:"owner,omitempty"`

	path     string
	children []*Task
}

// Kids are the task's sub-tasks the caller may see (pages).
func (t *Task) Kids() []*Task { return t.children }

// Campaign is one campaign with what the caller may see of it.
type Campaign struct {
	ID            int64      `json:"id"`
	Title         string     `json:"title"`
	Description   string     `json:"description"`
	Status        string     `json:"status"` // draft, active, closed
	LaunchOrgID   int64      `json:"launch_org_id"`
	LaunchOrgName string     `json:"launch_org_name"`
	ScopeOrgID    int64      `json:"scope_org_id"`
	ScopeOrgName  string     `json:"scope_org_name"`
	Industries    []string   `json:"industries"`  // empty: every industry
	RiskLevels    []string   `json:"risk_levels"` // empty: every level
	TemplateID    *int64     `json:"template_id"`
	TemplateName  string     `json:"template_name,omitempty"`
	PeriodStart   string     `json:"period_start"`
	PeriodEnd     string     `json:"period_end"`
	Deadline      string     `json:"deadline"`
	CreatedBy     Person     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	LaunchedAt    *time.Time `json:"launched_at"`
	ClosedAt      *time.Time `json:"closed_at"`
	CloseNote     string     `json:"close_note,omitempty"`
	// Progress is the sum over the part of the campaign the caller sees
	// (the whole campaign for its launching org; one village for its grid
	// worker); Behind counts the flagged tasks in it.
	Progress Counts `json:"progress"`
	Behind   int    `json:"behind"`
	// AllowedActions are the lifecycle steps the caller may take now.
	AllowedActions []string `json:"allowed_actions"`
	// CanInspect: the campaign is active and the caller records inspections.
	CanInspect bool `json:"can_inspect"`
	// Tasks (detail only): the tasks the caller sees, parents first.
	Tasks []Task `json:"tasks,omitempty"`
	// Rechecks (detail only): 回头看, in the caller's part.
	Rechecks []Recheck `json:"rechecks,omitempty"`

	launchPath string
	scopePath  string
	createdBy  *int64
	top        []*Task // the caller's top visible tasks, with their visible children (pages)
}

// ClosedDay is the day the campaign was closed (pages).
func (c *Campaign) ClosedDay() string {
	if c.ClosedAt == nil {
		return ""
	}
	return calendar.DateOf(*c.ClosedAt).String()
}

// Top returns the caller's top visible tasks with their sub-trees (pages).
func (c *Campaign) Top() []*Task { return c.top }

// Recheck is one hazard of an earlier campaign listed for re-checking (回头看).
type Recheck struct {
	ID                int64      `json:"id"`
	TaskID            int64      `json:"task_id"`
	TaskOrgName       string     `json:"task_org_name"`
	HazardID          int64      `json:"hazard_id"`
	HazardNumber      string     `json:"hazard_number"`
	Description       string     `json:"description"`
	EnterpriseName    string     `json:"enterprise_name"`
	Deadline          string     `json:"deadline"`
	HazardStatus      string     `json:"hazard_status"`    // now
	StatusAtLaunch    string     `json:"status_at_launch"` // when the campaign was launched
	FromCampaignID    *int64     `json:"from_campaign_id"`
	FromCampaignTitle string     `json:"from_campaign_title"`
	Outcome           string     `json:"outcome"` // "" not yet, still_open, fixed
	Note              string     `json:"note"`
	CheckedBy         *Person    `json:"checked_by"`
	CheckedAt         *time.Time `json:"checked_at"`
	// CanRecord: the caller may record the outcome now.
	CanRecord bool `json:"can_record"`

	hazardPath string
	taskPath   string
}

// Outcomes of a re-check.
const (
	StillOpen = "still_open" // 仍未整改
	Fixed     = "fixed"      // 核实已整改
)

// Notifier hands messages to the notification platform inside the
// caller's transaction (*notify.Service; nil sends nothing).
type Notifier interface {
	EnqueueMany(ctx context.Context, tx *db.Tx, envs []notify.Envelope) error
}

// Service keeps campaigns.
type Service struct {
	DB       *db.DB
	Auth     *auth.Service
	Clock    clock.Clock
	Notifier Notifier
	// Calendar counts working days (the reminder before the deadline is 3
	// working days ahead); nil counts calendar days.
	Calendar *workcalendar.Service
	Log      *slog.Logger
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// territorialKinds are the kinds of org a campaign cascades to: the
// territorial tree (属地), not the departments and police stations.
var territorialKinds = []string{org.District, org.Township, org.Street, org.Zone, org.Village, org.Community}

func territorial(kind string) bool {
	for _, k := range territorialKinds {
		if k == kind {
			return true
		}
	}
	return false
}

func kindsSQL() string {
	return "'" + strings.Join(territorialKinds, "', '") + "'"
}

// openStatuses are the hazard states that are not closed nor cancelled.
const openStatuses = "('registered', 'rectifying', 'awaiting_acceptance')"

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func ptr(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
