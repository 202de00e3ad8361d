package hazard

import (
	"context"
	"fmt"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	dl "github.com/anwen-gov/anwen/internal/deadline"
	"github.com/anwen-gov/anwen/internal/org"
)

// TransitionInput is one step of the lifecycle: {"action": "...", "comment": "...", ...}.
type TransitionInput struct {
	Action  string `json:"action"`
	Comment string `json:"comment,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// NewDeadline: the deadline asked for (request_extension) or the
	// supervision deadline (supervise), YYYY-MM-DD.
	NewDeadline string `json:"new_deadline,omitempty"`
	// AttachmentIDs: evidence (submit_evidence) or any supporting file.
	AttachmentIDs []int64 `json:"attachment_ids,omitempty"`
	// ListedOrgID: the superior org that lists the hazard (supervise;
	// default the highest org where the caller may supervise).
	ListedOrgID int64 `json:"listed_org_id,omitempty"`
	// Major: the report items and the treatment plan (update_plan).
	Major *MajorReport `json:"major,omitempty"`
}

// Get returns a hazard with its timeline, or ENOTFOUND when it does not
// exist or the actor may not see it.
func (s *Service) Get(ctx context.Context, a *auth.Actor, id int64) (*Hazard, error) {
	h, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.HazardView, h.Path, "hazard", itoa(id)); err != nil {
		return nil, err
	}
	h.Allowed = s.allowedFor(ctx, a, h)
	return h, nil
}

// Detail is a hazard with its photos and timeline.
type Detail struct {
	*Hazard
	Photos []attachment.Info `json:"photos"`
	Steps  []Step            `json:"steps"`
}

// Detail returns Get plus the photos before rectification and the timeline.
func (s *Service) Detail(ctx context.Context, a *auth.Actor, id int64) (*Detail, error) {
	h, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	d := &Detail{Hazard: h, Photos: []attachment.Info{}}
	if s.Attachments != nil {
		files, err := s.Attachments.List(ctx, s.DB, OwnerHazard, id)
		if err != nil {
			return nil, err
		}
		d.Photos = attachment.Infos(files[id])
	}
	if d.Steps, err = s.steps(ctx, s.DB, id); err != nil {
		return nil, err
	}
	return d, nil
}

// CanView is the attachment owner check: nil when actor may see hazard id.
func (s *Service) CanView(ctx context.Context, a *auth.Actor, id int64) error {
	var path string
	if err := s.DB.QueryRow(ctx, "SELECT path FROM hazards WHERE id = ?", id).Scan(&path); err != nil {
		return apperr.NotFound("hazard")
	}
	return auth.Authorize(a, auth.HazardView, path)
}

// CanViewStep is the owner check of a step's files.
func (s *Service) CanViewStep(ctx context.Context, a *auth.Actor, stepID int64) error {
	id, err := stepHazard(ctx, s.DB, stepID)
	if err != nil {
		return err
	}
	if id == 0 {
		return apperr.NotFound("hazard")
	}
	return s.CanView(ctx, a, id)
}

// targetPath returns the path that authorizes row t on h for a, and the
// org it belongs to. For listed supervision it is the listing org's.
func (s *Service) targetPath(ctx context.Context, a *auth.Actor, h *Hazard, t *Transition, listedOrgID int64) (string, int64, error) {
	switch t.On {
	case OnSupervising:
		return h.SupervisingPath, h.SupervisingOrgID, nil
	case OnListing:
		if listedOrgID == 0 {
			return s.defaultListingPath(a, h), 0, nil
		}
		o, err := org.ByID(ctx, s.DB, listedOrgID)
		if err != nil {
			return "", 0, apperr.Field(apperr.EINVALID, "listed_org_id", "督办单位 %d 不存在 / org %d does not exist", listedOrgID, listedOrgID)
		}
		return o.Path, o.ID, nil
	}
	return h.Path, h.TerritoryOrgID, nil
}

// defaultListingPath is the highest scope where a may supervise that lies
// strictly above the hazard's territory ("" when there is none).
func (s *Service) defaultListingPath(a *auth.Actor, h *Hazard) string {
	best := ""
	for _, p := range a.Scopes(auth.HazardSupervise) {
		if auth.Covers(p, h.TerritoryPath) && p != h.TerritoryPath && (best == "" || len(p) < len(best)) {
			best = p
		}
	}
	return best
}

// allowedFor lists the actions the table allows from h's state that a may take.
func (s *Service) allowedFor(ctx context.Context, a *auth.Actor, h *Hazard) []string {
	var out []string
	for _, act := range Allowed(h.Status, h.ExtensionPending()) {
		t, _ := Lookup(h.Status, h.ExtensionPending(), act)
		if t == nil {
			continue
		}
		if err := s.ruleCheck(a, h, t); err != nil {
			continue
		}
		var path string
		switch t.On {
		case OnSupervising:
			path = h.SupervisingPath
		case OnListing:
			path = s.defaultListingPath(a, h)
		default:
			path = h.Path
		}
		if path != "" && (a.Operator || a.Can(t.Perm, path)) {
			out = append(out, act)
		}
	}
	return sortedActions(out)
}

// ruleCheck applies the rules beyond the table: nobody closes their own
// rectification; only a major hazard is listed, and only while the
// evidence is not accepted.
func (s *Service) ruleCheck(a *auth.Actor, h *Hazard, t *Transition) error {
	switch t.Action {
	case ActAccept:
		if h.RectifiedBy != nil && a.UserID != 0 && *h.RectifiedBy == a.UserID {
			return apperr.Field(apperr.ERULE, "action", "提交整改材料的人不能为自己验收销号，请由督办单位的其他人员验收 / whoever submitted the evidence cannot close the hazard: someone else of the supervising org accepts it")
		}
	case ActSupervise:
		if h.Grade != Major {
			return apperr.Field(apperr.ERULE, "action", "挂牌督办仅适用于重大隐患 / only a major hazard is put under listed supervision")
		}
	case ActUpdatePlan:
		if h.Grade != Major {
			return apperr.Field(apperr.ERULE, "action", "报告和治理方案仅适用于重大隐患 / the report and treatment plan are for major hazards")
		}
	}
	return nil
}

// Transition takes one step of the lifecycle table on hazard id and returns
// the hazard after it. A step the table does not have from the hazard's
// state is refused with ERULE naming the allowed ones (*NotAllowed).
func (s *Service) Transition(ctx context.Context, a *auth.Actor, id int64, in TransitionInput) (*Hazard, error) {
	h, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	// Out of scope: not found, as if it did not exist.
	if err := s.Auth.Check(ctx, a, auth.HazardView, h.Path, "hazard", itoa(id)); err != nil {
		return nil, err
	}
	in.Action = strings.TrimSpace(in.Action)
	t, err := Lookup(h.Status, h.ExtensionPending(), in.Action)
	if err != nil {
		return nil, err
	}
	path, orgID, err := s.targetPath(ctx, a, h, t, in.ListedOrgID)
	if err != nil {
		return nil, err
	}
	if t.On == OnListing && (path == "" || !auth.Covers(path, h.TerritoryPath) || path == h.TerritoryPath) {
		if path == "" {
			return nil, s.deny(ctx, a, t.Perm, h, apperr.New(apperr.EFORBIDDEN, "您没有可挂牌督办此隐患的上级单位 / you have no superior org from which to list this hazard"))
		}
		return nil, apperr.Field(apperr.EINVALID, "listed_org_id", "挂牌督办单位须为隐患属地的上级 / the listing org must be above the hazard's territory")
	}
	if !a.Operator && !a.Can(t.Perm, path) {
		return nil, s.deny(ctx, a, t.Perm, h, apperr.New(apperr.EFORBIDDEN, "无权对此隐患%s / you may not %s this hazard", ActionZH[t.Action], t.Action))
	}
	if err := s.ruleCheck(a, h, t); err != nil {
		return nil, err
	}
	req, err := s.checkNeeds(h, t, &in)
	if err != nil {
		return nil, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		// Read the row again under the write lock: a step taken meanwhile
		// answers conflict instead of being overwritten.
		q := "SELECT status, deadline, COALESCE(ext_deadline, '') FROM hazards WHERE id = ?"
		if tx.D() == db.Postgres {
			q += " FOR UPDATE"
		}
		var status, deadline, ext string
		if err := tx.QueryRow(ctx, q, id).Scan(&status, &deadline, &ext); err != nil {
			return err
		}
		if status != h.Status || deadline != h.Deadline || (ext != "") != h.ExtensionPending() {
			return apperr.New(apperr.ECONFLICT, "隐患刚被他人处理过，请刷新后重试 / the hazard was just changed by someone else; reload and try again")
		}
		return s.apply(ctx, tx, a, h, t, in, req, orgID)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// deny records a refusal of an action on a visible hazard and returns err.
func (s *Service) deny(ctx context.Context, a *auth.Actor, action auth.Action, h *Hazard, err error) error {
	return s.recordRefusal(ctx, a, h.ID, &refusal{err: err, action: action, orgID: h.TerritoryOrgID})
}

// request is a transition's checked input.
type request struct {
	newDeadline calendar.Date
	listedOrg   *org.Org
	major       MajorReport
}

// checkNeeds checks what row t requires of the request.
func (s *Service) checkNeeds(h *Hazard, t *Transition, in *TransitionInput) (request, error) {
	var req request
	var err error
	if in.Comment, err = clean("comment", in.Comment, maxComment, t.Needs&NeedComment != 0); err != nil {
		return req, err
	}
	if in.Reason, err = clean("reason", in.Reason, maxComment, t.Needs&NeedReason != 0); err != nil {
		return req, err
	}
	if t.Needs&NeedAttachments != 0 && len(in.AttachmentIDs) == 0 {
		return req, apperr.Field(apperr.EINVALID, "attachment_ids", "请附上整改后的照片或材料作为证据 / attach the evidence: photos or documents after the fix")
	}
	if len(in.AttachmentIDs) > 20 {
		return req, apperr.Field(apperr.EINVALID, "attachment_ids", "一次最多附加 20 个文件 / at most 20 attachments at a time")
	}
	if t.Needs&NeedDeadline != 0 {
		d, err := calendar.ParseDate(strings.TrimSpace(in.NewDeadline))
		if err != nil {
			return req, apperr.Field(apperr.EINVALID, "new_deadline", "请填写新的期限（YYYY-MM-DD） / new_deadline is required (YYYY-MM-DD)")
		}
		today := s.today()
		switch t.Action {
		case ActRequestExtension:
			if !d.After(h.DeadlineDate()) {
				return req, apperr.Field(apperr.EINVALID, "new_deadline", "延期后的期限须晚于原期限 %s / the new deadline must be after %s", h.Deadline, h.Deadline)
			}
		}
		if d.Before(today) {
			return req, apperr.Field(apperr.EINVALID, "new_deadline", "期限不能早于今天 / the deadline cannot be before today")
		}
		if d.After(today.AddDays(3 * 366)) {
			return req, apperr.Field(apperr.EINVALID, "new_deadline", "期限不能超过三年 / the deadline cannot be more than three years ahead")
		}
		req.newDeadline = d
	}
	if t.Action == ActUpdatePlan {
		if in.Major == nil {
			return req, apperr.Field(apperr.EINVALID, "major", "请填写报告和治理方案 / fill in the report and the plan")
		}
		req.major = *in.Major
		if err := cleanMajor(&req.major); err != nil {
			return req, err
		}
		if req.major.StateCause == "" || req.major.Harm == "" {
			return req, apperr.Field(apperr.EINVALID, "major.state_cause", "现状及其产生原因、危害程度和整改难易程度不能为空 / the current state and cause, and the harm and difficulty, are required")
		}
	}
	return req, nil
}

// apply writes the step inside tx: the hazard row, the timeline, the
// files, the counts, the clock engine, the notifications and the trail.
func (s *Service) apply(ctx context.Context, tx *db.Tx, a *auth.Actor, h *Hazard, t *Transition, in TransitionInput, req request, listedOrgID int64) error {
	now := s.Clock.Now()
	to := t.target(h.Status)
	today := calendar.DateOf(now).String()
	step := stepRow{hazardID: h.ID, action: t.Action, from: h.Status, to: to, comment: in.Comment, reason: in.Reason}
	set := []string{"status = ?", "updated_at = ?"}
	args := []any{to, now}
	link := "/hazards/" + itoa(h.ID)
	var notes []Note
	own, err := responsibleRecipients(ctx, tx, h)
	if err != nil {
		return err
	}
	switch t.Action {
	case ActStart:
	case ActSubmitEvidence:
		set = append(set, "rectified_at = ?", "rectified_day = ?", "rectified_by = ?", "ext_deadline = NULL", "ext_reason = ''", "ext_requested_by = NULL")
		args = append(args, now, today, nullUser(a))
		// The duty is met: reminders and overdue notices stop.
		if err := cancelDeadline(ctx, tx, now, h.ID, h.Deadline); err != nil {
			return err
		}
		notes = append(notes, Note{OrgIDs: []int64{h.SupervisingOrgID}, Link: link, DedupeKey: fmt.Sprintf("hazard/evidence/%d/%d", h.ID, now.UnixMicro()),
			Title: fmt.Sprintf("隐患 %s 已提交整改材料，待验收", h.Number), Body: h.ResponsibleUnit + "：" + cut(in.Comment, 120)})
	case ActAccept:
		set = append(set, "closed_at = ?", "closed_day = ?", "closed_by = ?", "closed_by_name = ?")
		args = append(args, now, today, nullUser(a), a.Name)
		onTime := 0
		if h.RectifiedAt != nil && !calendar.DateOf(*h.RectifiedAt).After(h.DeadlineDate()) {
			onTime = 1
		}
		if err := addTally(ctx, tx, h.TerritoryOrgID, calendar.DateOf(h.FoundAt).String(), 0, 1, 0, 0); err != nil {
			return err
		}
		if err := addTally(ctx, tx, h.TerritoryOrgID, today, 0, 0, 1, onTime); err != nil {
			return err
		}
		if err := s.endObligations(ctx, tx, h); err != nil {
			return err
		}
	case ActSendBack:
		// Rectification resumes against the same deadline; while it is
		// ahead, its reminder and overdue are armed again.
		d := h.DeadlineDate()
		if !d.Before(calendar.DateOf(now)) {
			if err := s.scheduleDeadline(ctx, tx, now, h.ID, d, 1); err != nil {
				return err
			}
		}
		notes = append(notes, Note{UserIDs: own.users, OrgIDs: own.orgs, Link: link, DedupeKey: fmt.Sprintf("hazard/sendback/%d/%d", h.ID, now.UnixMicro()),
			Title: fmt.Sprintf("隐患 %s 验收未通过，请重新整改", h.Number), Body: "原因：" + cut(in.Reason, 120)})
	case ActRequestExtension:
		set = append(set, "ext_deadline = ?", "ext_reason = ?", "ext_requested_by = ?")
		args = append(args, req.newDeadline.String(), in.Reason, nullUser(a))
		step.oldDeadline, step.newDeadline = h.Deadline, req.newDeadline.String()
		notes = append(notes, Note{OrgIDs: []int64{h.SupervisingOrgID}, Link: link, DedupeKey: fmt.Sprintf("hazard/extension/%d/%s", h.ID, req.newDeadline),
			Title: fmt.Sprintf("隐患 %s 申请延期至 %s", h.Number, req.newDeadline), Body: "原因：" + cut(in.Reason, 120)})
	case ActApproveExtension:
		newD, _ := calendar.ParseDate(h.Extension.Deadline)
		set = append(set, "deadline = ?", "ext_deadline = NULL", "ext_reason = ''", "ext_requested_by = NULL")
		args = append(args, newD.String())
		step.oldDeadline, step.newDeadline = h.Deadline, newD.String()
		// The obligation moves with the deadline.
		if err := cancelDeadline(ctx, tx, now, h.ID, h.Deadline); err != nil {
			return err
		}
		if err := s.scheduleDeadline(ctx, tx, now, h.ID, newD, 0); err != nil {
			return err
		}
		notes = append(notes, Note{UserIDs: own.users, OrgIDs: own.orgs, Link: link, DedupeKey: fmt.Sprintf("hazard/extended/%d/%s", h.ID, newD),
			Title: fmt.Sprintf("隐患 %s 延期已同意，新期限 %s", h.Number, newD)})
	case ActRefuseExtension:
		set = append(set, "ext_deadline = NULL", "ext_reason = ''", "ext_requested_by = NULL")
		step.oldDeadline, step.newDeadline = h.Deadline, h.Extension.Deadline
		notes = append(notes, Note{UserIDs: own.users, OrgIDs: own.orgs, Link: link, DedupeKey: fmt.Sprintf("hazard/ext-refused/%d/%s", h.ID, h.Extension.Deadline),
			Title: fmt.Sprintf("隐患 %s 延期未获同意，期限仍为 %s", h.Number, h.Deadline), Body: "原因：" + cut(in.Reason, 120)})
	case ActCancel:
		set = append(set, "ext_deadline = NULL", "ext_reason = ''", "ext_requested_by = NULL")
		if err := addTally(ctx, tx, h.TerritoryOrgID, calendar.DateOf(h.FoundAt).String(), -1, 0, 0, 0); err != nil {
			return err
		}
		if err := s.endObligations(ctx, tx, h); err != nil {
			return err
		}
	case ActSupervise:
		o, err := org.ByID(ctx, tx, listedOrgIDFor(ctx, tx, a, h, in.ListedOrgID, listedOrgID))
		if err != nil {
			return err
		}
		if h.Listed != nil && h.Listed.Deadline != req.newDeadline.String() {
			if err := dl.Cancel(ctx, tx, now, KindListed, obKey(h.ID, h.Listed.Deadline)); err != nil {
				return err
			}
		}
		set = append(set, "listed_org_id = ?", "listed_deadline = ?", "listed_at = ?", "listed_by = ?")
		args = append(args, o.ID, req.newDeadline.String(), now, nullUser(a))
		step.newDeadline, step.detail = req.newDeadline.String(), "挂牌督办单位："+o.Name+"；督办期限 "+req.newDeadline.String()
		if h.Listed != nil {
			step.oldDeadline = h.Listed.Deadline
		}
		if err := dl.Schedule(ctx, tx, now, KindListed, obKey(h.ID, req.newDeadline.String()), overdueAt(req.newDeadline), nil,
			obPayload{ID: h.ID, Deadline: req.newDeadline.String()}); err != nil {
			return err
		}
		notes = append(notes, Note{OrgIDs: []int64{h.SupervisingOrgID}, UserIDs: own.users, Link: link, DedupeKey: fmt.Sprintf("hazard/listed/%d/%s", h.ID, req.newDeadline),
			Title: fmt.Sprintf("重大隐患 %s 由%s挂牌督办，督办期限 %s", h.Number, o.Name, req.newDeadline), Body: cut(in.Comment, 120)})
	case ActUpdatePlan:
		m := req.major
		set = append(set, "major_state_cause = ?", "major_harm = ?", "plan_goal = ?", "plan_method = ?", "plan_funds = ?", "plan_staff = ?", "plan_schedule = ?", "plan_safety = ?")
		args = append(args, m.StateCause, m.Harm, m.PlanGoal, m.PlanMethod, m.PlanFunds, m.PlanStaff, m.PlanSchedule, m.PlanSafety)
	default:
		return fmt.Errorf("hazard: action %s has no effect defined", t.Action)
	}
	args = append(args, h.ID)
	if _, err := tx.Exec(ctx, "UPDATE hazards SET "+strings.Join(set, ", ")+" WHERE id = ?", args...); err != nil {
		return err
	}
	stepID, err := insertStep(ctx, tx, a, now, step)
	if err != nil {
		return err
	}
	if err := linkAttachments(ctx, s, tx, a, in.AttachmentIDs, OwnerStep, stepID, h.TerritoryOrgID); err != nil {
		return err
	}
	e := a.Entry(now, "hazard."+t.Action, "hazard", itoa(h.ID), h.TerritoryOrgID)
	e.Detail = fmt.Sprintf("%s %s → %s", h.Number, h.Status, to)
	e.Before = map[string]any{"status": h.Status, "deadline": h.Deadline}
	e.After = map[string]any{"status": to, "step": stepID}
	if err := audit.Append(ctx, tx, e); err != nil {
		return err
	}
	return s.notify(ctx, tx, notes...)
}

// endObligations cancels every pending obligation of a hazard that ends.
func (s *Service) endObligations(ctx context.Context, tx *db.Tx, h *Hazard) error {
	t := s.Clock.Now()
	if err := cancelDeadline(ctx, tx, t, h.ID, h.Deadline); err != nil {
		return err
	}
	if h.Listed != nil {
		return dl.Cancel(ctx, tx, t, KindListed, obKey(h.ID, h.Listed.Deadline))
	}
	return nil
}

// listedOrgIDFor resolves the listing org: the one named, or the highest
// scope where the actor may supervise above the territory.
func listedOrgIDFor(ctx context.Context, q db.Querier, a *auth.Actor, h *Hazard, named, resolved int64) int64 {
	if named != 0 {
		return named
	}
	if resolved != 0 {
		return resolved
	}
	best := ""
	var id int64
	for _, g := range a.Grants {
		if !auth.RoleAllows(g.Role, auth.HazardSupervise) {
			continue
		}
		if auth.Covers(g.ScopePath, h.TerritoryPath) && g.ScopePath != h.TerritoryPath && (best == "" || len(g.ScopePath) < len(best)) {
			best, id = g.ScopePath, g.ScopeOrgID
		}
	}
	if id == 0 && a.Operator {
		if root, err := org.Root(ctx, q); err == nil && root != nil {
			id = root.ID
		}
	}
	return id
}

func nullUser(a *auth.Actor) any {
	if a == nil || a.UserID == 0 {
		return nil
	}
	return a.UserID
}
