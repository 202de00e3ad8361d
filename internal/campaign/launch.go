package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/enterprise"
	"github.com/anwen-gov/anwen/internal/notify"
	"github.com/anwen-gov/anwen/internal/org"
)

// Input launches a campaign (POST) or replaces a draft (PUT).
type Input struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// OrgID is the launching org (发起单位): default the caller's own org
	// when the caller may launch there, else the caller's scope.
	OrgID int64 `json:"org_id,omitempty"`
	// ScopeOrgID is the root of the subtree covered (a district, township,
	// street, zone, village or community): default the launching org when it
	// is territorial, else the caller's scope.
	ScopeOrgID int64 `json:"scope_org_id,omitempty"`
	// Industries and RiskLevels narrow the enterprises covered (codes, or
	// names: 危险化学品, 重大); empty covers all.
	Industries []string `json:"industries,omitempty"`
	RiskLevels []string `json:"risk_levels,omitempty"`
	// TemplateID is the checklist (检查表) inspections of the campaign use.
	TemplateID *int64 `json:"template_id,omitempty"`
	// PeriodStart and PeriodEnd (YYYY-MM-DD) bound the campaign; Deadline
	// is when every task is due, between the start and 30 days after the end.
	PeriodStart string `json:"period_start"`
	PeriodEnd   string `json:"period_end"`
	Deadline    string `json:"deadline"`
	// Draft saves without launching; otherwise the campaign goes out at once.
	Draft bool `json:"draft,omitempty"`
}

// Limits.
const (
	maxTitle       = 100
	maxDescription = 2000
	maxPeriodDays  = 366 // a campaign lasts at most a year
	maxStartBefore = 31  // a campaign may be entered up to a month after it began
	maxAfterEnd    = 30  // the deadline lies at most 30 days after the period
	maxNote        = 500
)

// plan is an input checked and resolved, ready to write.
type plan struct {
	in                   Input
	launch, scope        *org.Org
	industries, risks    []string
	start, end, deadline calendar.Date
}

// orgIDOfPath is the last org of a path ("/1/5/" → 5).
func orgIDOfPath(path string) int64 {
	ids := pathIDs(path)
	if len(ids) == 0 {
		return 0
	}
	return ids[len(ids)-1]
}

// check authorizes and validates in for actor a. objID names the draft
// replaced ("" for a new campaign). Orgs outside the caller's scope are not
// found, as if they did not exist.
func (s *Service) check(ctx context.Context, a *auth.Actor, in Input, objID string) (*plan, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if !a.Operator && !a.CanAnywhere(auth.CampaignManage) {
		var err error = apperr.NotFound("campaign")
		if a.CanAnywhere(auth.CampaignView) {
			err = apperr.New(apperr.EFORBIDDEN, "无权发起排查整治行动 / you may not launch campaigns")
		}
		return nil, s.Auth.Refuse(ctx, a, auth.CampaignManage, "campaign", err)
	}
	p := &plan{in: in}
	scopes := a.Scopes(auth.CampaignManage)
	// The launching org.
	id := in.OrgID
	if id == 0 {
		if own, err := org.ByID(ctx, s.DB, a.OrgID); err == nil && (a.Operator || a.Can(auth.CampaignManage, own.Path)) {
			id = own.ID
		} else if len(scopes) > 0 {
			id = orgIDOfPath(scopes[0])
		}
	}
	launch, err := s.scopedOrg(ctx, a, id, "org_id", objID)
	if err != nil {
		return nil, err
	}
	p.launch = launch
	// The scope's root.
	id = in.ScopeOrgID
	if id == 0 {
		id = launch.ID
		if !territorial(launch.Kind) {
			for _, sc := range scopes {
				if auth.Covers(sc, launch.Path) {
					id = orgIDOfPath(sc)
					break
				}
			}
		}
	}
	scope, err := s.scopedOrg(ctx, a, id, "scope_org_id", objID)
	if err != nil {
		return nil, err
	}
	if !territorial(scope.Kind) {
		return nil, apperr.Field(apperr.EINVALID, "scope_org_id", "行动范围须为区、乡镇（街道、开发区）或村（社区）：%s 是部门 / the scope is a territorial org (district, township, village…): %s is not",
			scope.Name, scope.Name)
	}
	p.scope = scope
	// What it says.
	p.in.Title = strings.TrimSpace(in.Title)
	if p.in.Title == "" {
		return nil, apperr.Field(apperr.EINVALID, "title", "请填写行动名称 / the title is required")
	}
	if utf8.RuneCountInString(p.in.Title) > maxTitle {
		return nil, apperr.Field(apperr.EINVALID, "title", "行动名称最长 %d 字 / the title may have at most %d characters", maxTitle, maxTitle)
	}
	p.in.Description = strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(p.in.Description) > maxDescription {
		return nil, apperr.Field(apperr.EINVALID, "description", "行动说明最长 %d 字 / the description may have at most %d characters", maxDescription, maxDescription)
	}
	// Which enterprises.
	seen := map[string]bool{}
	for _, x := range in.Industries {
		if strings.TrimSpace(x) == "" {
			continue
		}
		ind, ok := enterprise.ParseIndustry(x)
		if !ok {
			return nil, apperr.Field(apperr.EINVALID, "industries", "没有“%s”这一行业 / unknown industry %q", x, x)
		}
		if !seen[ind.Code] {
			seen[ind.Code] = true
			p.industries = append(p.industries, ind.Code)
		}
	}
	for _, x := range in.RiskLevels {
		if strings.TrimSpace(x) == "" {
			continue
		}
		r, ok := enterprise.ParseRisk(x)
		if !ok {
			return nil, apperr.Field(apperr.EINVALID, "risk_levels", "没有“%s”这一风险等级（major、large、general、low） / unknown risk level %q (major, large, general, low)", x, x)
		}
		if !seen["risk:"+r] {
			seen["risk:"+r] = true
			p.risks = append(p.risks, r)
		}
	}
	if in.TemplateID != nil {
		var name string
		var active bool
		err := s.DB.QueryRow(ctx, "SELECT name, active FROM inspection_templates WHERE id = ?", *in.TemplateID).Scan(&name, &active)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.Field(apperr.EINVALID, "template_id", "检查表 %d 不存在 / checklist %d does not exist", *in.TemplateID, *in.TemplateID)
		}
		if err != nil {
			return nil, err
		}
		if !active {
			return nil, apperr.Field(apperr.EINVALID, "template_id", "检查表“%s”这一版已停用，请选新版 / this version of checklist %s is retired: choose the new one", name, name)
		}
	}
	// When.
	date := func(field, v, what string) (calendar.Date, error) {
		d, err := calendar.ParseDate(strings.TrimSpace(v))
		if err != nil {
			return d, apperr.Field(apperr.EINVALID, field, "请填写%s，格式 YYYY-MM-DD / %s is a date YYYY-MM-DD", what, field)
		}
		return d, nil
	}
	if p.start, err = date("period_start", in.PeriodStart, "开始日期"); err != nil {
		return nil, err
	}
	if p.end, err = date("period_end", in.PeriodEnd, "结束日期"); err != nil {
		return nil, err
	}
	if p.deadline, err = date("deadline", in.Deadline, "截止日期"); err != nil {
		return nil, err
	}
	today := calendar.DateOf(s.Clock.Now())
	if p.end.Before(p.start) {
		return nil, apperr.Field(apperr.EINVALID, "period_end", "结束日期不能早于开始日期 / the period ends before it starts")
	}
	if p.start.DaysUntil(p.end) >= maxPeriodDays {
		return nil, apperr.Field(apperr.EINVALID, "period_end", "行动期最长一年 / a campaign lasts at most a year")
	}
	if p.start.Before(today.AddDays(-maxStartBefore)) {
		return nil, apperr.Field(apperr.EINVALID, "period_start", "开始日期不能早于一个月前 / the period cannot start more than a month ago")
	}
	if p.deadline.Before(p.start) || p.deadline.After(p.end.AddDays(maxAfterEnd)) {
		return nil, apperr.Field(apperr.EINVALID, "deadline", "截止日期须在开始日期之后、结束日期后 %d 天之内 / the deadline lies between the start and %d days after the end", maxAfterEnd, maxAfterEnd)
	}
	if p.deadline.Before(today) {
		return nil, apperr.Field(apperr.EINVALID, "deadline", "截止日期不能早于今天 / the deadline cannot be in the past")
	}
	return p, nil
}

// scopedOrg reads org id for a campaign field; an org that does not exist
// or lies outside the caller's scope is not found (and audited).
func (s *Service) scopedOrg(ctx context.Context, a *auth.Actor, id int64, field, objID string) (*org.Org, error) {
	if id <= 0 {
		return nil, apperr.Field(apperr.EINVALID, field, "请选择单位 / choose the organisation")
	}
	o, err := org.ByID(ctx, s.DB, id)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, s.Auth.Refuse(ctx, a, auth.CampaignManage, "campaign", err)
	}
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.CampaignManage, o.Path, "campaign", objID); err != nil {
		return nil, err
	}
	return o, nil
}

func (p *plan) industryList() string { return strings.Join(p.industries, ",") }
func (p *plan) riskList() string     { return strings.Join(p.risks, ",") }

// Create saves a campaign: a draft, or (without draft) launched at once,
// with its tasks, in one transaction with its audit records.
func (s *Service) Create(ctx context.Context, a *auth.Actor, in Input) (*Campaign, error) {
	p, err := s.check(ctx, a, in, "")
	if err != nil {
		return nil, err
	}
	now := s.now()
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = db.InsertID(ctx, tx, `INSERT INTO campaigns (title, description, status, launch_org_id, scope_org_id, industries, risk_levels, template_id,
			period_start, period_end, deadline, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.in.Title, p.in.Description, Draft, p.launch.ID, p.scope.ID, p.industryList(), p.riskList(), ptr(in.TemplateID),
			p.start.String(), p.end.String(), p.deadline.String(), nullID(a.UserID), now, now)
		if err != nil {
			return err
		}
		e := a.Entry(now, "campaign.create", "campaign", itoa(id), p.launch.ID)
		e.After, e.Detail = p.in, fmt.Sprintf("%s; scope %s; %s – %s, due %s", p.in.Title, p.scope.Name, p.start, p.end, p.deadline)
		if err := audit.Append(ctx, tx, e); err != nil {
			return err
		}
		if in.Draft {
			return nil
		}
		return s.launchTx(ctx, tx, a, now, id)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// Update replaces a draft with in (without draft: and launches it).
func (s *Service) Update(ctx context.Context, a *auth.Actor, id int64, in Input) (*Campaign, error) {
	c, _, err := s.read(ctx, s.DB, a, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayManage(ctx, a, c, auth.CampaignManage); err != nil {
		return nil, err
	}
	if _, err := Lookup(c.Status, ActEdit); err != nil {
		return nil, err
	}
	p, err := s.check(ctx, a, in, itoa(id))
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE campaigns SET title = ?, description = ?, launch_org_id = ?, scope_org_id = ?, industries = ?, risk_levels = ?,
			template_id = ?, period_start = ?, period_end = ?, deadline = ?, updated_at = ? WHERE id = ? AND status = ?`,
			p.in.Title, p.in.Description, p.launch.ID, p.scope.ID, p.industryList(), p.riskList(), ptr(in.TemplateID),
			p.start.String(), p.end.String(), p.deadline.String(), now, id, Draft)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.ECONFLICT, "行动已发布或已结束，不能再修改 / the campaign was launched or closed meanwhile")
		}
		e := a.Entry(now, "campaign.edit", "campaign", itoa(id), p.launch.ID)
		e.Before, e.After, e.Detail = c, p.in, p.in.Title
		if err := audit.Append(ctx, tx, e); err != nil {
			return err
		}
		if in.Draft {
			return nil
		}
		return s.launchTx(ctx, tx, a, now, id)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// mayManage checks perm at c's launching org for a caller who sees c (through
// a task): a refusal there is forbidden, not absent (and is audited).
func (s *Service) mayManage(ctx context.Context, a *auth.Actor, c *Campaign, perm auth.Action) error {
	err := s.Auth.Check(ctx, a, perm, c.launchPath, "campaign", itoa(c.ID))
	if apperr.Code(err) == apperr.ENOTFOUND {
		return apperr.New(apperr.EFORBIDDEN, "只有发起单位可以修改、发布或结束行动 / only the launching org changes, launches or closes a campaign")
	}
	return err
}

// TransitionInput is a lifecycle step taken through the API.
type TransitionInput struct {
	Action string `json:"action"`         // launch, close
	Note   string `json:"note,omitempty"` // close: why or how it ended
}

// Transition takes one step of the lifecycle table (launch a draft, close).
func (s *Service) Transition(ctx context.Context, a *auth.Actor, id int64, in TransitionInput) (*Campaign, error) {
	c, _, err := s.read(ctx, s.DB, a, id)
	if err != nil {
		return nil, err
	}
	// Every row of the table is the launching org's (campaign.manage):
	// who may not manage learns nothing of the state.
	if err := s.mayManage(ctx, a, c, auth.CampaignManage); err != nil {
		return nil, err
	}
	row, err := Lookup(c.Status, in.Action)
	if err != nil {
		return nil, err
	}
	if !row.API {
		return nil, apperr.Field(apperr.EINVALID, "action", "“%s”不经由此接口 / %s is not a transition of this route", ActionZH[in.Action], in.Action)
	}
	if err := s.mayManage(ctx, a, c, row.Perm); err != nil {
		return nil, err
	}
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > maxNote {
		return nil, apperr.Field(apperr.EINVALID, "note", "说明最长 %d 字 / the note may have at most %d characters", maxNote, maxNote)
	}
	now := s.now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		switch row.Action {
		case ActLaunch:
			return s.launchTx(ctx, tx, a, now, id)
		case ActClose:
			res, err := tx.Exec(ctx, "UPDATE campaigns SET status = ?, closed_at = ?, closed_by = ?, close_note = ?, updated_at = ? WHERE id = ? AND status = ?",
				Closed, now, nullID(a.UserID), note, now, id, c.Status)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return apperr.New(apperr.ECONFLICT, "行动状态已变化，请刷新 / the campaign changed meanwhile: reload it")
			}
			if err := s.cancelCheckpoints(ctx, tx, now, id); err != nil {
				return err
			}
			e := a.Entry(now, "campaign.close", "campaign", itoa(id), c.LaunchOrgID)
			e.Detail = fmt.Sprintf("from %s; %d of %d inspected, %d hazards found, %d closed", c.Status,
				c.Progress.Inspected, c.Progress.Enterprises, c.Progress.HazardsFound, c.Progress.HazardsClosed)
			if note != "" {
				e.Detail += "; " + note
			}
			return audit.Append(ctx, tx, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// launchTx sends draft id out inside tx: the campaign becomes active, with
// one task per territorial org of the scope (parents first, each with its
// parent's task; the scope root's task is the launcher's), the re-check
// list (回头看), the checkpoints in the clock engine and one notice to each
// task org's channels.
func (s *Service) launchTx(ctx context.Context, tx *db.Tx, a *auth.Actor, now time.Time, id int64) error {
	c, err := load(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := Lookup(c.Status, ActLaunch); err != nil {
		return err
	}
	if d, _ := calendar.ParseDate(c.Deadline); d.Before(calendar.DateOf(now)) {
		return apperr.Field(apperr.EINVALID, "deadline", "截止日期已过，请先修改草稿 / the deadline has passed: change the draft first")
	}
	// Claim the draft first: of two launches at once, one sends it out and
	// the other finds it launched (on PostgreSQL the row lock orders them).
	res, err := tx.Exec(ctx, "UPDATE campaigns SET status = ?, launched_at = ?, launched_by = ?, updated_at = ? WHERE id = ? AND status = ?",
		Active, now, nullID(a.UserID), now, id, Draft)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.ECONFLICT, "行动已发布或已结束 / the campaign was launched or closed meanwhile")
	}
	c.Status = Active
	// The cascade.
	cond, args := org.SubtreeSQL("path", c.scopePath)
	rows, err := tx.Query(ctx, "SELECT id, parent_id, name, path FROM orgs WHERE "+cond+" AND kind IN ("+kindsSQL()+") ORDER BY depth, sort, id", args...)
	if err != nil {
		return err
	}
	type node struct {
		id     int64
		parent sql.NullInt64
		name   string
		path   string
	}
	var nodes []node
	for rows.Next() {
		var n node
		if err := rows.Scan(&n.id, &n.parent, &n.name, &n.path); err != nil {
			rows.Close()
			return err
		}
		nodes = append(nodes, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	taskOf := make(map[int64]int64, len(nodes))
	for i, n := range nodes {
		var parent, owner any
		if t, ok := taskOf[n.parent.Int64]; ok && n.parent.Valid {
			parent = t
		}
		if i == 0 {
			owner = nullID(a.UserID)
		}
		tid, err := db.InsertID(ctx, tx, "INSERT INTO campaign_tasks (campaign_id, org_id, parent_task_id, owner_user_id, created_at) VALUES (?, ?, ?, ?, ?)",
			id, n.id, parent, owner, now)
		if err != nil {
			return err
		}
		taskOf[n.id] = tid
	}
	// 回头看: open hazards of earlier campaigns in the scope, each with the
	// task of the deepest org above its territory.
	hcond, hargs := org.SubtreeSQL("h.path", c.scopePath)
	if len(c.Industries) > 0 {
		hcond += " AND h.industry IN (" + marks(len(c.Industries)) + ")"
		for _, x := range c.Industries {
			hargs = append(hargs, x)
		}
	}
	if len(c.RiskLevels) > 0 {
		hcond += " AND h.risk_level IN (" + marks(len(c.RiskLevels)) + ")"
		for _, x := range c.RiskLevels {
			hargs = append(hargs, x)
		}
	}
	rows, err = tx.Query(ctx, `SELECT h.id, o.path, fc.id, h.status FROM hazards h JOIN orgs o ON o.id = h.territory_org_id
		LEFT JOIN campaigns fc ON fc.id = h.campaign_id
		WHERE h.campaign_id IS NOT NULL AND h.campaign_id <> ? AND h.status IN `+openStatuses+` AND `+hcond+` ORDER BY h.id`,
		append([]any{id}, hargs...)...)
	if err != nil {
		return err
	}
	type recheck struct {
		hazard, task int64
		from         sql.NullInt64
		status       string
	}
	var rechecks []recheck
	for rows.Next() {
		var r recheck
		var path string
		if err := rows.Scan(&r.hazard, &path, &r.from, &r.status); err != nil {
			rows.Close()
			return err
		}
		ids := pathIDs(path)
		for i := len(ids) - 1; i >= 0 && r.task == 0; i-- {
			r.task = taskOf[ids[i]]
		}
		if r.task != 0 {
			rechecks = append(rechecks, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range rechecks {
		var from any
		if r.from.Valid {
			from = r.from.Int64
		}
		if _, err := tx.Exec(ctx, `INSERT INTO campaign_rechecks (campaign_id, task_id, hazard_id, from_campaign_id, status_at_launch, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, id, r.task, r.hazard, from, r.status, now); err != nil {
			return err
		}
	}
	if err := s.scheduleCheckpoints(ctx, tx, now, c); err != nil {
		return err
	}
	// One notice per task org, to its own channels (a group's robot): what
	// is asked and by when; nobody is asked to reply.
	if s.Notifier != nil && len(nodes) > 1 {
		envs := make([]notify.Envelope, 0, len(nodes)-1)
		for _, n := range nodes[1:] {
			envs = append(envs, notify.Envelope{To: notify.Recipient{OrgIDs: []int64{n.id}}, Message: notify.Message{Kind: "campaign",
				Title:     fmt.Sprintf("排查整治任务：%s（%s 前完成）", c.Title, c.Deadline),
				Body:      fmt.Sprintf("%s发起，范围%s，行动期 %s 至 %s。本单位的任务和范围内企业见链接。", c.LaunchOrgName, c.ScopeOrgName, c.PeriodStart, c.PeriodEnd),
				Link:      fmt.Sprintf("/campaigns/%d/tasks/%d", id, taskOf[n.id]),
				DedupeKey: fmt.Sprintf("campaign/launch/%d/%d", id, n.id)}})
		}
		if err := s.Notifier.EnqueueMany(ctx, tx, envs); err != nil {
			return err
		}
	}
	e := a.Entry(now, "campaign.launch", "campaign", itoa(id), c.LaunchOrgID)
	e.Detail = fmt.Sprintf("%s: %d tasks under %s, %d hazards of earlier campaigns to re-check; due %s", c.Title, len(nodes), c.ScopeOrgName, len(rechecks), c.Deadline)
	return audit.Append(ctx, tx, e)
}
