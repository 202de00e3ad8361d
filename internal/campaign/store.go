package campaign

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

const campaignCols = `c.id, c.title, c.description, c.status, c.launch_org_id, lo.name, lo.path, c.scope_org_id, so.name, so.path,
	c.industries, c.risk_levels, c.template_id, COALESCE(tp.name, ''), c.period_start, c.period_end, c.deadline,
	c.created_by, COALESCE(u.name, ''), c.created_at, c.launched_at, c.closed_at, c.close_note`

const campaignFrom = ` FROM campaigns c JOIN orgs lo ON lo.id = c.launch_org_id JOIN orgs so ON so.id = c.scope_org_id
	LEFT JOIN inspection_templates tp ON tp.id = c.template_id LEFT JOIN users u ON u.id = c.created_by`

func scanCampaign(row interface{ Scan(...any) error }) (*Campaign, error) {
	c := &Campaign{}
	var industries, risks string
	var tmpl, createdBy sql.NullInt64
	var launched, closed sql.NullTime
	err := row.Scan(&c.ID, &c.Title, &c.Description, &c.Status, &c.LaunchOrgID, &c.LaunchOrgName, &c.launchPath, &c.ScopeOrgID, &c.ScopeOrgName, &c.scopePath,
		&industries, &risks, &tmpl, &c.TemplateName, &c.PeriodStart, &c.PeriodEnd, &c.Deadline,
		&createdBy, &c.CreatedBy.Name, &c.CreatedAt, &launched, &closed, &c.CloseNote)
	if err != nil {
		return nil, err
	}
	c.Industries, c.RiskLevels = splitList(industries), splitList(risks)
	if tmpl.Valid {
		c.TemplateID = &tmpl.Int64
	}
	if createdBy.Valid {
		c.CreatedBy.ID = createdBy.Int64
		c.createdBy = &createdBy.Int64
	}
	c.CreatedAt = c.CreatedAt.UTC()
	if launched.Valid {
		t := launched.Time.UTC()
		c.LaunchedAt = &t
	}
	if closed.Valid {
		t := closed.Time.UTC()
		c.ClosedAt = &t
	}
	c.AllowedActions = []string{}
	return c, nil
}

// load reads one campaign without any permission check.
func load(ctx context.Context, q db.Querier, id int64) (*Campaign, error) {
	c, err := scanCampaign(q.QueryRow(ctx, "SELECT "+campaignCols+campaignFrom+" WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("campaign")
	}
	return c, err
}

// loadTasks reads every task of c, parents before children, and links them.
func loadTasks(ctx context.Context, q db.Querier, c *Campaign) ([]*Task, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.parent_task_id, t.org_id, o.name, o.kind, o.path, o.depth, t.flag, t.flag_detail, t.flagged_at,
		t.owner_user_id, COALESCE(u.name, '')
		FROM campaign_tasks t JOIN orgs o ON o.id = t.org_id LEFT JOIN users u ON u.id = t.owner_user_id
		WHERE t.campaign_id = ? ORDER BY o.depth, o.sort, o.id`, c.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Task
	minDepth := -1
	for rows.Next() {
		t := &Task{}
		var parent, owner sql.NullInt64
		var flagged sql.NullTime
		var ownerName string
		if err := rows.Scan(&t.ID, &parent, &t.OrgID, &t.OrgName, &t.OrgKind, &t.path, &t.Depth, &t.Flag, &t.FlagDetail, &flagged, &owner, &ownerName); err != nil {
			return nil, err
		}
		if parent.Valid {
			t.ParentID = &parent.Int64
		}
		if flagged.Valid {
			at := flagged.Time.UTC()
			t.FlaggedAt = &at
		}
		if owner.Valid {
			t.Owner = &Person{ID: owner.Int64, Name: ownerName}
		}
		if minDepth < 0 || t.Depth < minDepth {
			minDepth = t.Depth
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range out {
		t.Depth -= minDepth
	}
	return out, nil
}

// enterpriseFilter is the SQL condition on enterprises e (and its
// arguments) that keeps those in c's scope under path.
func enterpriseFilter(c *Campaign, path string) (string, []any) {
	cond, args := org.SubtreeSQL("e.territory_path", path)
	cond = "NOT e.closed AND " + cond
	if len(c.Industries) > 0 {
		cond += " AND e.industry IN (" + marks(len(c.Industries)) + ")"
		for _, i := range c.Industries {
			args = append(args, i)
		}
	}
	if len(c.RiskLevels) > 0 {
		cond += " AND e.risk_level IN (" + marks(len(c.RiskLevels)) + ")"
		for _, r := range c.RiskLevels {
			args = append(args, r)
		}
	}
	return cond, args
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// pathIDs lists the org ids of a materialised path ("/1/5/23/" → 1, 5, 23),
// stopping at an enterprise segment.
func pathIDs(path string) []int64 {
	var out []int64
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		id, err := strconv.ParseInt(seg, 10, 64)
		if err != nil {
			break
		}
		out = append(out, id)
	}
	return out
}

// progress counts every task's progress with four grouped queries (the
// scope's enterprises by territory; those inspected for the campaign, by
// territory; the campaign's hazards, by territory; the re-checks, by task)
// and adds each group to the tasks of its org and of every org above it.
// The work is one pass over the scope's enterprises and one over the
// campaign's own rows, however many tasks there are. A
// campaign without tasks (a draft) gets the scope's total in total.
func progress(ctx context.Context, q db.Querier, c *Campaign, tasks []*Task) (total Counts, err error) {
	byOrg := make(map[int64]*Task, len(tasks))
	byID := make(map[int64]*Task, len(tasks))
	for _, t := range tasks {
		t.Counts = Counts{}
		byOrg[t.OrgID] = t
		byID[t.ID] = t
	}
	rollup := func(path string, fn func(*Counts)) {
		fn(&total)
		for _, id := range pathIDs(path) {
			if t := byOrg[id]; t != nil {
				fn(&t.Counts)
			}
		}
	}
	// The enterprises by territory (grouped by its path: with no industry or
	// risk filter an index-only scan in path order), then the inspected ones
	// from the campaign's side (its inspections, each enterprise once).
	cond, args := enterpriseFilter(c, c.scopePath)
	rows, err := q.Query(ctx, "SELECT e.territory_path, count(*) FROM enterprises e WHERE "+cond+" GROUP BY e.territory_path", args...)
	if err != nil {
		return total, err
	}
	for rows.Next() {
		var path string
		var n int
		if err := rows.Scan(&path, &n); err != nil {
			rows.Close()
			return total, err
		}
		rollup(path, func(x *Counts) { x.Enterprises += n })
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return total, err
	}
	rows, err = q.Query(ctx, `SELECT e.territory_path, count(DISTINCT e.id) FROM inspections i JOIN enterprises e ON e.id = i.enterprise_id
		WHERE i.campaign_id = ? AND i.status = 'submitted' AND `+cond+` GROUP BY e.territory_path`, append([]any{c.ID}, args...)...)
	if err != nil {
		return total, err
	}
	for rows.Next() {
		var path string
		var n int
		if err := rows.Scan(&path, &n); err != nil {
			rows.Close()
			return total, err
		}
		rollup(path, func(x *Counts) { x.Inspected += n })
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return total, err
	}
	if len(tasks) == 0 {
		return total, nil
	}
	rows, err = q.Query(ctx, `SELECT MIN(o.path), count(*), SUM(CASE WHEN h.status = 'closed' THEN 1 ELSE 0 END),
		SUM(CASE WHEN h.status IN `+openStatuses+` THEN 1 ELSE 0 END)
		FROM hazards h JOIN orgs o ON o.id = h.territory_org_id WHERE h.campaign_id = ? GROUP BY h.territory_org_id`, c.ID)
	if err != nil {
		return total, err
	}
	for rows.Next() {
		var path string
		var found, closed, open int
		if err := rows.Scan(&path, &found, &closed, &open); err != nil {
			rows.Close()
			return total, err
		}
		rollup(path, func(x *Counts) { x.HazardsFound += found; x.HazardsClosed += closed; x.HazardsOpen += open })
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return total, err
	}
	rows, err = q.Query(ctx, `SELECT task_id, count(*), SUM(CASE WHEN outcome <> '' THEN 1 ELSE 0 END)
		FROM campaign_rechecks WHERE campaign_id = ? GROUP BY task_id`, c.ID)
	if err != nil {
		return total, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n, done int
		if err := rows.Scan(&id, &n, &done); err != nil {
			return total, err
		}
		total.Rechecks += n
		total.RechecksDone += done
		for t := byID[id]; t != nil; {
			t.Counts.Rechecks += n
			t.Counts.RechecksDone += done
			if t.ParentID == nil {
				break
			}
			t = byID[*t.ParentID]
		}
	}
	return total, rows.Err()
}

// view is what an actor sees of a campaign.
type view struct {
	whole  bool     // the launching org's side: every task
	scopes []string // otherwise: tasks under these paths
}

func viewOf(a *auth.Actor, c *Campaign) view {
	if a.Operator || a.Can(auth.CampaignView, c.launchPath) {
		return view{whole: true}
	}
	return view{scopes: a.Scopes(auth.CampaignView)}
}

func (v view) sees(path string) bool {
	if v.whole {
		return true
	}
	for _, s := range v.scopes {
		if auth.Covers(s, path) {
			return true
		}
	}
	return false
}

// arrange keeps the tasks v sees, links them into trees and sets c's
// progress to the sum of the top ones. It returns the visible tasks in
// tree order (each task before its sub-tasks) and whether any is visible.
func (c *Campaign) arrange(v view, tasks []*Task, total Counts) ([]*Task, bool) {
	visible := map[int64]bool{}
	for _, t := range tasks {
		t.children = nil
		if v.sees(t.path) {
			visible[t.ID] = true
		}
	}
	byID := map[int64]*Task{}
	c.top = nil
	for _, t := range tasks {
		if !visible[t.ID] {
			continue
		}
		byID[t.ID] = t
		if t.ParentID != nil && visible[*t.ParentID] {
			byID[*t.ParentID].children = append(byID[*t.ParentID].children, t)
		} else {
			c.top = append(c.top, t)
		}
	}
	c.Progress, c.Behind = Counts{}, 0
	for _, t := range c.top {
		c.Progress.add(t.Counts)
	}
	if len(tasks) == 0 && v.whole {
		c.Progress = total
	}
	var order []*Task
	var walk func(t *Task)
	walk = func(t *Task) {
		order = append(order, t)
		if t.Flag != "" {
			c.Behind++
		}
		for _, k := range t.children {
			walk(k)
		}
	}
	for _, t := range c.top {
		walk(t)
	}
	return order, len(visible) > 0
}

// actions sets what a may do with c now.
func (c *Campaign) actions(a *auth.Actor) {
	c.AllowedActions = []string{}
	for _, act := range Allowed(c.Status) {
		row, _ := Lookup(c.Status, act)
		if a.Operator || a.Can(row.Perm, c.launchPath) {
			c.AllowedActions = append(c.AllowedActions, act)
		}
	}
	c.CanInspect = false
	if c.Status == Active {
		for _, t := range c.top {
			if a.Operator || a.Can(auth.InspectionRecord, t.path) {
				c.CanInspect = true
			}
		}
	}
}

// May reports whether the caller may take action now (pages).
func (c *Campaign) May(action string) bool {
	for _, a := range c.AllowedActions {
		if a == action {
			return true
		}
	}
	return false
}

// read loads campaign id as a sees it, with its tasks and progress; a
// campaign a may not see is not found (and the refusal audited).
func (s *Service) read(ctx context.Context, q db.Querier, a *auth.Actor, id int64) (*Campaign, []*Task, error) {
	if a == nil {
		return nil, nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	c, err := load(ctx, q, id)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, nil, s.Auth.Refuse(ctx, a, auth.CampaignView, "campaign", err)
	}
	if err != nil {
		return nil, nil, err
	}
	tasks, err := loadTasks(ctx, q, c)
	if err != nil {
		return nil, nil, err
	}
	total, err := progress(ctx, q, c, tasks)
	if err != nil {
		return nil, nil, err
	}
	v := viewOf(a, c)
	order, any := c.arrange(v, tasks, total)
	if !v.whole && !any {
		return nil, nil, s.Auth.Check(ctx, a, auth.CampaignView, c.launchPath, "campaign", itoa(id))
	}
	c.actions(a)
	return c, order, nil
}

// Get returns a campaign with the tasks and re-checks the caller sees.
func (s *Service) Get(ctx context.Context, a *auth.Actor, id int64) (*Campaign, error) {
	c, order, err := s.read(ctx, s.DB, a, id)
	if err != nil {
		return nil, err
	}
	c.Tasks = make([]Task, len(order))
	for i, t := range order {
		c.Tasks[i] = *t
		c.Tasks[i].children = nil
	}
	if c.Rechecks, err = s.rechecks(ctx, a, c, order); err != nil {
		return nil, err
	}
	return c, nil
}

// Filter selects the campaigns of a list.
type Filter struct {
	Status string // draft, active, closed; "" any
	Limit  int    // at most 100; 0 means 50
}

// Page is a list of campaigns.
type Page struct {
	Items []Campaign `json:"items"`
	Total int        `json:"total"`
}

// scopeCond is the condition on the path column col for paths under scopes.
func scopeCond(scopes []string, col string) (string, []any) {
	var conds []string
	var args []any
	for _, p := range scopes {
		if p == "" {
			continue
		}
		c, ar := org.SubtreeSQL(col, p)
		conds = append(conds, c)
		args = append(args, ar...)
	}
	if len(conds) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// List returns the campaigns the caller sees (launched by an org in its
// scope, or with a task there), running ones first, each with the
// progress of the caller's part. This is the register of what is asked
// downward (基层减负: who asked, when, of whom).
func (s *Service) List(ctx context.Context, a *auth.Actor, f Filter) (*Page, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if !a.Operator && !a.CanAnywhere(auth.CampaignView) {
		return nil, s.Auth.Refuse(ctx, a, auth.CampaignView, "campaign", apperr.NotFound("campaign"))
	}
	switch f.Status {
	case "", Draft, Active, Closed:
	default:
		return nil, apperr.Field(apperr.EINVALID, "status", "状态只能是 draft、active 或 closed / status is draft, active or closed")
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 50
	}
	where, args := "1 = 1", []any(nil)
	if !a.Operator {
		scopes := a.Scopes(auth.CampaignView)
		lc, la := scopeCond(scopes, "lo.path")
		tc, ta := scopeCond(scopes, "o.path")
		where = "(" + lc + " OR EXISTS (SELECT 1 FROM campaign_tasks t JOIN orgs o ON o.id = t.org_id WHERE t.campaign_id = c.id AND " + tc + "))"
		args = append(la, ta...)
	}
	if f.Status != "" {
		where += " AND c.status = ?"
		args = append(args, f.Status)
	}
	p := &Page{Items: []Campaign{}}
	if err := s.DB.QueryRow(ctx, "SELECT count(*)"+campaignFrom+" WHERE "+where, args...).Scan(&p.Total); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT "+campaignCols+campaignFrom+" WHERE "+where+
		" ORDER BY CASE c.status WHEN 'active' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END, c.id DESC LIMIT "+strconv.Itoa(f.Limit), args...)
	if err != nil {
		return nil, err
	}
	var list []*Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range list {
		tasks, err := loadTasks(ctx, s.DB, c)
		if err != nil {
			return nil, err
		}
		total, err := progress(ctx, s.DB, c, tasks)
		if err != nil {
			return nil, err
		}
		c.arrange(viewOf(a, c), tasks, total)
		c.actions(a)
		p.Items = append(p.Items, *c)
	}
	return p, nil
}

// now is the service clock's time, in UTC to the microsecond (as stored).
func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }
