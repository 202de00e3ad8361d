package campaign

import (
	"context"
	"database/sql"
	"sort"
	"strconv"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/enterprise"
)

// maxTaskEnterprises bounds the enterprises a task lists (the counts cover all).
const maxTaskEnterprises = 1000

// TaskEnterprise is an enterprise of a task's scope with its campaign work.
type TaskEnterprise struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	Address       string `json:"address"`
	TerritoryName string `json:"territory_name"`
	Industry      string `json:"industry"`
	RiskLevel     string `json:"risk_level"`
	// Inspected: a submitted inspection for the campaign exists (the
	// latest is LastInspectionID, on LastInspectedAt).
	Inspected        bool       `json:"inspected"`
	LastInspectionID *int64     `json:"last_inspection_id"`
	LastInspectedAt  *time.Time `json:"last_inspected_at"`
	HazardsFound     int        `json:"hazards_found"`
	HazardsOpen      int        `json:"hazards_open"`
}

// TaskDetail is one task with its sub-tasks and the enterprises in its part
// of the scope (those the caller may see in the register).
type TaskDetail struct {
	Campaign *Campaign `json:"campaign"`
	Task     Task      `json:"task"`
	// Children are the sub-tasks (the next level down).
	Children []Task `json:"children"`
	// Enterprises: not yet inspected first, then by risk; at most 1,000.
	Enterprises []TaskEnterprise `json:"enterprises"`
	// EnterprisesShown is false when the caller does not see the register there.
	EnterprisesShown bool      `json:"enterprises_shown"`
	Rechecks         []Recheck `json:"rechecks"`

	task *Task
}

// Self returns the task with its visible sub-tree (pages).
func (d *TaskDetail) Self() *Task { return d.task }

// GetTask returns task tid of campaign id as the caller sees it; a task
// outside the caller's part is not found.
func (s *Service) GetTask(ctx context.Context, a *auth.Actor, id, tid int64) (*TaskDetail, error) {
	c, order, err := s.read(ctx, s.DB, a, id)
	if err != nil {
		return nil, err
	}
	var t *Task
	for _, x := range order {
		if x.ID == tid {
			t = x
		}
	}
	if t == nil {
		return nil, s.Auth.Refuse(ctx, a, auth.CampaignView, "campaign_task", apperr.NotFound("task"))
	}
	d := &TaskDetail{Campaign: c, Task: *t, Children: []Task{}, Enterprises: []TaskEnterprise{}, task: t}
	d.Task.children = nil
	for _, k := range t.children {
		kc := *k
		kc.children = nil
		d.Children = append(d.Children, kc)
	}
	// The task's sub-tree, for its re-checks.
	var sub []*Task
	var walk func(x *Task)
	walk = func(x *Task) {
		sub = append(sub, x)
		for _, k := range x.children {
			walk(k)
		}
	}
	walk(t)
	if d.Rechecks, err = s.rechecks(ctx, a, c, sub); err != nil {
		return nil, err
	}
	// The enterprises, as far as the caller sees the register.
	if !a.Operator && !a.CanAnywhere(auth.EnterpriseView) {
		return d, nil
	}
	d.EnterprisesShown = true
	cond, args := enterpriseFilter(c, t.path)
	scope, sargs := enterprise.ScopeSQL(a, auth.EnterpriseView, "e.territory_path", "e.id")
	// The first enterprises in risk order, then each one's campaign work by
	// its own indexes (the unary + keeps SQLite off the campaign indexes):
	// a plan that stays the same whatever the planner knows of the tables.
	rows, err := s.DB.Query(ctx, `SELECT e.id, e.name, e.address, o.name, e.industry, e.risk_level,
		(SELECT MAX(i.id) FROM inspections i WHERE i.enterprise_id = e.id AND +i.campaign_id = ? AND i.status = 'submitted'),
		(SELECT count(*) FROM hazards h WHERE h.enterprise_id = e.id AND +h.campaign_id = ?),
		(SELECT count(*) FROM hazards h WHERE h.enterprise_id = e.id AND +h.campaign_id = ? AND h.status IN `+openStatuses+`)
		FROM (SELECT e.id, e.name, e.address, e.territory_org_id, e.industry, e.risk_level, e.risk_rank FROM enterprises e
			WHERE `+cond+` AND `+scope+` ORDER BY e.risk_rank, e.name, e.id LIMIT `+strconv.Itoa(maxTaskEnterprises)+`) e
		JOIN orgs o ON o.id = e.territory_org_id ORDER BY e.risk_rank, e.name, e.id`,
		append(append([]any{c.ID, c.ID, c.ID}, args...), sargs...)...)
	if err != nil {
		return nil, err
	}
	last := map[int64]*TaskEnterprise{}
	for rows.Next() {
		var e TaskEnterprise
		var li sql.NullInt64
		if err := rows.Scan(&e.ID, &e.Name, &e.Address, &e.TerritoryName, &e.Industry, &e.RiskLevel, &li, &e.HazardsFound, &e.HazardsOpen); err != nil {
			rows.Close()
			return nil, err
		}
		if li.Valid {
			e.Inspected, e.LastInspectionID = true, &li.Int64
		}
		d.Enterprises = append(d.Enterprises, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// When each was last inspected (read from the rows themselves: a time
	// out of a subquery loses its type on SQLite).
	var ids []any
	for i := range d.Enterprises {
		if e := &d.Enterprises[i]; e.LastInspectionID != nil {
			last[*e.LastInspectionID] = e
			ids = append(ids, *e.LastInspectionID)
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		rows, err := s.DB.Query(ctx, "SELECT id, inspected_at FROM inspections WHERE id IN ("+marks(n)+")", ids[:n]...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return nil, err
			}
			at = at.UTC()
			last[id].LastInspectedAt = &at
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	sort.SliceStable(d.Enterprises, func(i, j int) bool { return !d.Enterprises[i].Inspected && d.Enterprises[j].Inspected })
	return d, nil
}

// IndustryLabel and RiskLabel name the codes in lang (pages).
func (e TaskEnterprise) IndustryLabel(lang string) string {
	return enterprise.IndustryName(lang, e.Industry)
}

// RiskLabel names the risk level in lang (pages).
func (e TaskEnterprise) RiskLabel(lang string) string { return enterprise.RiskName(lang, e.RiskLevel) }

// Day is when the enterprise was last inspected for the campaign (pages).
func (e TaskEnterprise) Day() string {
	if e.LastInspectedAt == nil {
		return ""
	}
	return e.LastInspectedAt.In(calendar.Location).Format("2006-01-02")
}
