package inspection

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// Input records an inspection (POST) or replaces a draft (PUT).
type Input struct {
	// Kind: self (企业自查, an enterprise contact only), territorial,
	// department, leadership (leader_user_id required), joint, reinspection
	// (previous_id required).
	Kind string `json:"kind"`
	// EnterpriseID: the enterprise or place of the register inspected.
	EnterpriseID *int64 `json:"enterprise_id,omitempty"`
	// TerritoryOrgID and Place: a place not in the register (both
	// required without enterprise_id). With an enterprise, Place may name a
	// spot inside it (e.g. 二号车间).
	TerritoryOrgID int64  `json:"territory_org_id,omitempty"`
	Place          string `json:"place,omitempty"`
	// OrgID: the inspecting org (default: the caller's); none for a self-inspection.
	OrgID        int64  `json:"org_id,omitempty"`
	LeaderUserID *int64 `json:"leader_user_id,omitempty"`
	// InspectorIDs: the accounts that inspected (default: the caller).
	InspectorIDs []int64 `json:"inspector_ids,omitempty"`
	// Participants: others present without an account (experts, other departments).
	Participants string     `json:"participants,omitempty"`
	InspectedAt  *time.Time `json:"inspected_at,omitempty"` // default now
	// TemplateID: the checklist version; Answers answer its items (all of
	// them unless Draft). A failed item needs a note.
	TemplateID *int64         `json:"template_id,omitempty"`
	Answers    []AnswerInput  `json:"answers,omitempty"`
	Findings   []FindingInput `json:"findings,omitempty"`
	Summary    string         `json:"summary,omitempty"`
	PreviousID *int64         `json:"previous_id,omitempty"` // the inspection a re-inspection follows up
	// AttachmentIDs: photos of the inspection as a whole (uploaded first).
	AttachmentIDs []int64 `json:"attachment_ids,omitempty"`
	// Draft keeps the inspection open for its creator to finish later.
	Draft bool `json:"draft,omitempty"`
	// CampaignID: the investigation campaign (排查整治行动) the inspection
	// counts for; it must be running and cover the object.
	CampaignID *int64 `json:"campaign_id,omitempty"`
}

// AnswerInput answers one checklist item.
type AnswerInput struct {
	ItemID        int64   `json:"item_id"`
	Result        string  `json:"result"` // pass (合格), fail (不合格), na (不适用); "" unanswered (drafts only)
	Note          string  `json:"note,omitempty"`
	AttachmentIDs []int64 `json:"attachment_ids,omitempty"`
}

// FindingInput is a free finding (其他发现).
type FindingInput struct {
	ID            int64   `json:"id,omitempty"` // editing a draft: the finding kept (others are dropped)
	Text          string  `json:"text"`
	Category      string  `json:"category"` // code or Chinese name
	Location      string  `json:"location,omitempty"`
	Note          string  `json:"note,omitempty"`
	AttachmentIDs []int64 `json:"attachment_ids,omitempty"`
}

// enterpriseRow is what an inspection reads of an enterprise (plain SQL:
// the register is another capability).
type enterpriseRow struct {
	ID          int64
	Name        string
	Address     string
	Industry    string
	TerritoryID int64
	Closed      bool
}

func loadEnterprise(ctx context.Context, q db.Querier, id int64) (*enterpriseRow, error) {
	var e enterpriseRow
	err := q.QueryRow(ctx, "SELECT id, name, address, industry, territory_org_id, closed FROM enterprises WHERE id = ?", id).
		Scan(&e.ID, &e.Name, &e.Address, &e.Industry, &e.TerritoryID, &e.Closed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &e, err
}

// target is what an inspection is about and where it sits in the tree.
type target struct {
	enterprise *enterpriseRow
	territory  *org.Org
	path       string
}

// resolveTarget finds the enterprise or the territory; an absent one is
// not found, as one out of scope is.
func (s *Service) resolveTarget(ctx context.Context, q db.Querier, enterpriseID *int64, territoryID int64) (*target, error) {
	if enterpriseID != nil {
		e, err := loadEnterprise(ctx, q, *enterpriseID)
		if err != nil {
			return nil, err
		}
		if e == nil {
			return nil, apperr.NotFound("enterprise")
		}
		t, err := org.ByID(ctx, q, e.TerritoryID)
		if err != nil {
			return nil, err
		}
		return &target{enterprise: e, territory: t, path: auth.EnterpriseScope(t.Path, e.ID)}, nil
	}
	if territoryID <= 0 {
		return nil, apperr.Field(apperr.EINVALID, "enterprise_id", "请选择检查的企业，或填写场所及其属地 / choose the enterprise, or name the place and its territory")
	}
	t, err := org.ByID(ctx, q, territoryID)
	if err != nil {
		return nil, err
	}
	return &target{territory: t, path: t.Path}, nil
}

// person is an account named on an inspection.
type person struct {
	ID   int64
	Name string
}

// plan is an inspection checked and resolved, ready to write.
type plan struct {
	in         Input
	tg         *target
	org        *org.Org // inspecting org; nil for a self-inspection
	leader     *person
	inspectors []person
	at         time.Time
	template   *Template
	answers    map[int64]AnswerInput // by item id
	findings   []FindingInput
	counts     Counts
	now        time.Time
}

func field(name string, i int, sub string) string {
	return fmt.Sprintf("%s[%d].%s", name, i, sub)
}

// clean trims s and bounds its length in characters.
func clean(f, s string, max int, required bool, what string) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", apperr.Field(apperr.EINVALID, f, "请填写%s / %s is required", what, f)
	}
	if len([]rune(s)) > max {
		return "", apperr.Field(apperr.EINVALID, f, "%s不能超过 %d 字 / %s may have at most %d characters", what, max, f, max)
	}
	return s, nil
}

// plan validates in for actor a. prev is the draft being replaced (nil for a new inspection).
func (s *Service) plan(ctx context.Context, a *auth.Actor, in Input, prev *Inspection) (*plan, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	p := &plan{in: in, now: s.Clock.Now()}
	known := false
	for _, k := range Kinds {
		known = known || in.Kind == k
	}
	if !known {
		return nil, apperr.Field(apperr.EINVALID, "kind", "检查类型须为 %s 之一 / kind is one of %s", strings.Join(Kinds, "、"), strings.Join(Kinds, ", "))
	}
	objID := ""
	if prev != nil {
		objID = itoa(prev.ID)
	}
	tg, err := s.resolveTarget(ctx, s.DB, in.EnterpriseID, in.TerritoryOrgID)
	if err != nil {
		if apperr.Code(err) == apperr.ENOTFOUND {
			return nil, s.refuse(ctx, a, auth.InspectionRecord, objID, 0, err)
		}
		return nil, err
	}
	p.tg = tg
	// A government inspector does not write an enterprise's self-inspection.
	if in.Kind == KindSelf && !a.Operator && !isContactOf(a, entID(tg)) && reaches(a, auth.InspectionRecord, tg.path) && !a.HasRole(auth.RoleEnterprise) {
		if tg.enterprise == nil {
			return nil, apperr.Field(apperr.ERULE, "kind", "企业自查须针对登记的企业 / a self-inspection is about an enterprise of the register")
		}
		return nil, apperr.Field(apperr.ERULE, "kind", "企业自查由企业联络人记录；政府人员请选择其他检查类型 / a self-inspection is recorded by the enterprise's contact; choose another kind")
	}
	if err := s.authorize(ctx, a, auth.InspectionRecord, tg.path, in.Kind, objID, tg.territory.ID); err != nil {
		return nil, err
	}
	if in.Kind == KindSelf && tg.enterprise == nil {
		return nil, apperr.Field(apperr.EINVALID, "enterprise_id", "企业自查须针对登记的企业 / a self-inspection is about an enterprise of the register")
	}
	if in.CampaignID != nil {
		if *in.CampaignID <= 0 {
			return nil, apperr.Field(apperr.EINVALID, "campaign_id", "campaign_id 须为正整数 / campaign_id must be a positive integer")
		}
		if c := s.Campaigns(); c != nil {
			if _, err := c.CheckInspection(ctx, a, *in.CampaignID, in.EnterpriseID, tg.path); err != nil {
				return nil, err
			}
		}
	}
	if tg.enterprise != nil && tg.enterprise.Closed && (prev == nil || prev.EnterpriseID == nil || *prev.EnterpriseID != tg.enterprise.ID) {
		return nil, apperr.Field(apperr.ERULE, "enterprise_id", "%s 已关闭，不能再记录检查 / %s is closed: no new inspections", tg.enterprise.Name, tg.enterprise.Name)
	}
	if p.in.Place, err = clean("place", in.Place, maxPlace, tg.enterprise == nil, "检查场所"); err != nil {
		return nil, err
	}
	if p.in.Participants, err = clean("participants", in.Participants, maxParticipants, false, "其他参加人员"); err != nil {
		return nil, err
	}
	if p.in.Summary, err = clean("summary", in.Summary, maxSummary, false, "检查小结"); err != nil {
		return nil, err
	}
	// The inspecting org.
	if in.Kind != KindSelf {
		id := in.OrgID
		if id == 0 {
			id = a.OrgID
		}
		if id == 0 {
			id = tg.territory.ID
		}
		o, err := org.ByID(ctx, s.DB, id)
		if apperr.Code(err) == apperr.ENOTFOUND {
			return nil, apperr.Field(apperr.EINVALID, "org_id", "检查单位 %d 不存在 / org %d does not exist", id, id)
		}
		if err != nil {
			return nil, err
		}
		if in.OrgID != 0 && o.ID != a.OrgID && !reaches(a, auth.InspectionRecord, o.Path) {
			return nil, apperr.Field(apperr.EINVALID, "org_id", "检查单位须为本单位或您管辖范围内的单位 / the inspecting org is your own or one in your scope")
		}
		p.org = o
	}
	// When.
	p.at = p.now.Truncate(time.Second)
	if in.InspectedAt != nil {
		p.at = in.InspectedAt.UTC().Truncate(time.Second)
		if p.at.After(p.now.Add(10 * time.Minute)) {
			return nil, apperr.Field(apperr.EINVALID, "inspected_at", "检查时间不能晚于现在 / the inspection time cannot be in the future")
		}
		if p.at.Before(p.now.AddDate(-1, 0, 0)) {
			return nil, apperr.Field(apperr.EINVALID, "inspected_at", "检查时间不能早于一年前 / the inspection time cannot be more than a year ago")
		}
	}
	// Who: the leader and the inspectors.
	if in.LeaderUserID != nil {
		if in.Kind == KindSelf {
			return nil, apperr.Field(apperr.EINVALID, "leader_user_id", "企业自查没有带队领导 / a self-inspection has no leader")
		}
		u, err := s.activeUser(ctx, *in.LeaderUserID)
		if err != nil {
			return nil, err
		}
		if u == nil {
			return nil, apperr.Field(apperr.EINVALID, "leader_user_id", "带队领导 %d 不存在或已停用 / leader %d does not exist or is disabled", *in.LeaderUserID, *in.LeaderUserID)
		}
		p.leader = u
	} else if in.Kind == KindLeadership {
		if !a.HasRole(auth.RoleLeader) {
			return nil, apperr.Field(apperr.EINVALID, "leader_user_id", "领导带队检查须注明带队领导 / a leadership-led inspection names its leader")
		}
		p.leader = &person{ID: a.UserID, Name: a.Name}
	}
	ids := in.InspectorIDs
	if len(ids) == 0 && a.UserID != 0 {
		ids = []int64{a.UserID}
	}
	if p.leader != nil {
		ids = append([]int64{p.leader.ID}, ids...)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		u, err := s.activeUser(ctx, id)
		if err != nil {
			return nil, err
		}
		if u == nil {
			return nil, apperr.Field(apperr.EINVALID, "inspector_ids", "检查人员 %d 不存在或已停用 / inspector %d does not exist or is disabled", id, id)
		}
		p.inspectors = append(p.inspectors, *u)
	}
	if len(p.inspectors) > maxInspectors {
		return nil, apperr.Field(apperr.EINVALID, "inspector_ids", "检查人员最多 %d 人 / at most %d inspectors", maxInspectors, maxInspectors)
	}
	if len(p.inspectors) == 0 && p.in.Participants == "" {
		return nil, apperr.Field(apperr.EINVALID, "inspector_ids", "请注明检查人员 / name the inspectors")
	}
	// A re-inspection follows up an earlier inspection of the same object.
	if in.Kind == KindReinspection {
		if in.PreviousID == nil {
			return nil, apperr.Field(apperr.EINVALID, "previous_id", "复查须注明所复查的检查记录 / a re-inspection names the inspection it follows up")
		}
		if err := s.checkPrevious(ctx, a, *in.PreviousID, tg, p.at, prev); err != nil {
			return nil, err
		}
	} else if in.PreviousID != nil {
		return nil, apperr.Field(apperr.EINVALID, "previous_id", "只有复查才注明所复查的检查记录 / only a re-inspection names a previous inspection")
	}
	// The checklist.
	if in.TemplateID != nil {
		t, err := loadTemplate(ctx, s.DB, *in.TemplateID)
		if apperr.Code(err) == apperr.ENOTFOUND {
			return nil, apperr.Field(apperr.EINVALID, "template_id", "检查表 %d 不存在 / checklist %d does not exist", *in.TemplateID, *in.TemplateID)
		}
		if err != nil {
			return nil, err
		}
		kept := prev != nil && prev.Template != nil && prev.Template.ID == t.ID
		if !t.Active && !kept {
			return nil, apperr.Field(apperr.EINVALID, "template_id", "检查表“%s”第 %d 版已停用，请使用新版 / checklist %s version %d is retired: use the new version", t.Name, t.Version, t.Name, t.Version)
		}
		p.template = t
	} else if len(in.Answers) > 0 {
		return nil, apperr.Field(apperr.EINVALID, "template_id", "作答须注明检查表 / answers need their checklist (template_id)")
	}
	if err := p.checkAnswers(); err != nil {
		return nil, err
	}
	if err := p.checkFindings(prev); err != nil {
		return nil, err
	}
	if !in.Draft && p.template == nil && len(p.findings) == 0 && p.in.Summary == "" {
		return nil, apperr.Field(apperr.EINVALID, "template_id", "请选择检查表作答，或填写发现的问题或检查小结 / answer a checklist, or write a finding or a summary")
	}
	return p, nil
}

func entID(tg *target) int64 {
	if tg.enterprise == nil {
		return 0
	}
	return tg.enterprise.ID
}

// checkAnswers checks the answers against the checklist: known items, once
// each, a known result, a note for every failed item; all items answered
// unless a draft.
func (p *plan) checkAnswers() error {
	p.answers = map[int64]AnswerInput{}
	if p.template == nil {
		return nil
	}
	items := map[int64]Item{}
	for _, it := range p.template.Items {
		items[it.ID] = it
	}
	for i, an := range p.in.Answers {
		it, ok := items[an.ItemID]
		if !ok {
			return apperr.Field(apperr.EINVALID, field("answers", i, "item_id"), "检查项 %d 不属于所选检查表 / item %d is not on the checklist", an.ItemID, an.ItemID)
		}
		if _, dup := p.answers[an.ItemID]; dup {
			return apperr.Field(apperr.EINVALID, field("answers", i, "item_id"), "第 %d 项重复作答 / item %d is answered twice", it.Number, it.Number)
		}
		switch an.Result {
		case Pass, Fail, NA:
		case "":
			if !p.in.Draft {
				return apperr.Field(apperr.EINVALID, field("answers", i, "result"), "第 %d 项未作答：请选择合格、不合格或不适用 / item %d is not answered: pass, fail or na", it.Number, it.Number)
			}
		default:
			return apperr.Field(apperr.EINVALID, field("answers", i, "result"), "第 %d 项：结果须为 pass（合格）、fail（不合格）或 na（不适用） / item %d: the result is pass, fail or na", it.Number, it.Number)
		}
		note, err := clean(field("answers", i, "note"), an.Note, maxNote, false, fmt.Sprintf("第 %d 项的说明", it.Number))
		if err != nil {
			return err
		}
		if an.Result == Fail && note == "" && !p.in.Draft {
			return apperr.Field(apperr.EINVALID, field("answers", i, "note"), "第 %d 项不合格：请写明存在的问题（%s） / item %d failed: describe the problem in a note", it.Number, it.Text, it.Number)
		}
		an.Note = note
		p.answers[an.ItemID] = an
		switch an.Result {
		case Pass:
			p.counts.Pass++
		case Fail:
			p.counts.Fail++
		case NA:
			p.counts.NA++
		}
	}
	if !p.in.Draft {
		for _, it := range p.template.Items {
			if _, ok := p.answers[it.ID]; !ok {
				return apperr.Field(apperr.EINVALID, "answers", "第 %d 项未作答：请选择合格、不合格或不适用（%s） / item %d is not answered: pass, fail or na", it.Number, it.Text, it.Number)
			}
		}
	}
	p.counts.Unanswered = len(p.template.Items) - p.counts.Pass - p.counts.Fail - p.counts.NA
	return nil
}

// checkFindings checks the free findings; editing a draft, a finding with
// an id must be one of that draft's.
func (p *plan) checkFindings(prev *Inspection) error {
	if len(p.in.Findings) > maxFindings {
		return apperr.Field(apperr.EINVALID, "findings", "发现的问题最多 %d 条 / at most %d findings", maxFindings, maxFindings)
	}
	own := map[int64]bool{}
	if prev != nil {
		for _, f := range prev.Findings {
			own[f.ID] = true
		}
	}
	for i, f := range p.in.Findings {
		var err error
		if f.ID != 0 && !own[f.ID] {
			return apperr.Field(apperr.EINVALID, field("findings", i, "id"), "发现的问题 %d 不属于这条检查记录 / finding %d is not this inspection's", f.ID, f.ID)
		}
		if f.Text, err = clean(field("findings", i, "text"), f.Text, maxFindingText, true, fmt.Sprintf("第 %d 条问题的内容", i+1)); err != nil {
			return err
		}
		if f.Location, err = clean(field("findings", i, "location"), f.Location, maxPlace, false, "部位"); err != nil {
			return err
		}
		if f.Note, err = clean(field("findings", i, "note"), f.Note, maxNote, false, "说明"); err != nil {
			return err
		}
		code := categoryCode(f.Category)
		if code == "" {
			return apperr.Field(apperr.EINVALID, field("findings", i, "category"), "第 %d 条问题：请选择类别 / finding %d: choose a category", i+1, i+1)
		}
		f.Category = code
		p.findings = append(p.findings, f)
	}
	p.counts.Findings = len(p.findings)
	return nil
}

// checkPrevious checks the inspection a re-inspection follows up: one the
// actor sees, submitted, about the same enterprise or place, earlier.
func (s *Service) checkPrevious(ctx context.Context, a *auth.Actor, id int64, tg *target, at time.Time, self *Inspection) error {
	var path, kind, status string
	var ent sql.NullInt64
	var territory int64
	var when time.Time
	err := s.DB.QueryRow(ctx, "SELECT path, kind, status, enterprise_id, territory_org_id, inspected_at FROM inspections WHERE id = ?", id).
		Scan(&path, &kind, &status, &ent, &territory, &when)
	notFound := apperr.Field(apperr.EINVALID, "previous_id", "所复查的检查记录 %d 不存在 / inspection %d does not exist", id, id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !can(a, auth.InspectionView, path, kind)) {
		return notFound
	}
	if err != nil {
		return err
	}
	if self != nil && self.ID == id {
		return apperr.Field(apperr.EINVALID, "previous_id", "复查不能指向自己 / a re-inspection cannot follow up itself")
	}
	if status != StatusSubmitted {
		return apperr.Field(apperr.EINVALID, "previous_id", "所复查的检查记录尚未提交 / the inspection followed up is not submitted")
	}
	if ent.Int64 != entID(tg) || (ent.Int64 == 0 && territory != tg.territory.ID) {
		return apperr.Field(apperr.EINVALID, "previous_id", "复查须针对同一企业或场所 / a re-inspection is about the same enterprise or place")
	}
	if when.After(at) {
		return apperr.Field(apperr.EINVALID, "previous_id", "复查时间不能早于原检查 / a re-inspection comes after the inspection it follows up")
	}
	return nil
}

// activeUser reads an account that is not disabled (nil when there is none).
func (s *Service) activeUser(ctx context.Context, id int64) (*person, error) {
	var u person
	err := s.DB.QueryRow(ctx, "SELECT id, name FROM users WHERE id = ? AND NOT disabled", id).Scan(&u.ID, &u.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// Record records a new inspection (or a draft of one) with its answers,
// findings, inspectors and photos, and its audit record, in one transaction.
func (s *Service) Record(ctx context.Context, a *auth.Actor, in Input) (*Inspection, error) {
	p, err := s.plan(ctx, a, in, nil)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		status, submitted := p.status()
		var err error
		id, err = db.InsertID(ctx, tx, `INSERT INTO inspections (kind, status, enterprise_id, enterprise_name, place, territory_org_id, path, org_id,
			leader_user_id, participants, inspected_at, inspected_day, template_id, template_version, summary, previous_id, campaign_id,
			pass_count, fail_count, na_count, finding_count, created_by, created_at, updated_at, submitted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.in.Kind, status, p.enterpriseID(), p.enterpriseName(), p.in.Place, p.tg.territory.ID, p.tg.path, p.orgID(),
			p.leaderID(), p.in.Participants, p.at, calendar.DateOf(p.at).String(), p.templateID(), p.templateVersion(), p.in.Summary, ptr(p.in.PreviousID),
			ptr(p.in.CampaignID), p.counts.Pass, p.counts.Fail, p.counts.NA, p.counts.Findings, nullID(a.UserID), p.now, p.now, submitted)
		if err != nil {
			return err
		}
		if err := s.writeChildren(ctx, tx, a, id, p, nil); err != nil {
			return err
		}
		action := "inspection.record"
		if p.in.Draft {
			action = "inspection.draft"
		}
		e := a.Entry(p.now, action, "inspection", itoa(id), p.tg.territory.ID)
		e.Detail = p.detail()
		e.After = p.in
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// Update replaces draft id with in (its creator only). A draft saved with
// Draft false is submitted, and from then on never changes.
func (s *Service) Update(ctx context.Context, a *auth.Actor, id int64, in Input) (*Inspection, error) {
	prev, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if prev.Status != StatusDraft {
		return nil, apperr.New(apperr.ERULE, "已提交的检查记录不能修改 / a submitted inspection cannot be changed")
	}
	if prev.CreatedBy.ID != a.UserID || a.UserID == 0 {
		return nil, s.refuse(ctx, a, auth.InspectionRecord, itoa(id), prev.TerritoryOrgID,
			apperr.New(apperr.EFORBIDDEN, "只有草稿的创建人可以修改 / only the creator of a draft may change it"))
	}
	p, err := s.plan(ctx, a, in, prev)
	if err != nil {
		return nil, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		// The draft may have been submitted meanwhile (another tab).
		var status string
		if err := tx.QueryRow(ctx, "SELECT status FROM inspections WHERE id = ?", id).Scan(&status); err != nil {
			return err
		}
		if status != StatusDraft {
			return apperr.New(apperr.ERULE, "已提交的检查记录不能修改 / a submitted inspection cannot be changed")
		}
		newStatus, submitted := p.status()
		if _, err := tx.Exec(ctx, `UPDATE inspections SET kind = ?, status = ?, enterprise_id = ?, enterprise_name = ?, place = ?, territory_org_id = ?, path = ?,
			org_id = ?, leader_user_id = ?, participants = ?, inspected_at = ?, inspected_day = ?, template_id = ?, template_version = ?, summary = ?,
			previous_id = ?, campaign_id = ?, pass_count = ?, fail_count = ?, na_count = ?, finding_count = ?, updated_at = ?, submitted_at = ? WHERE id = ?`,
			p.in.Kind, StatusDraft, p.enterpriseID(), p.enterpriseName(), p.in.Place, p.tg.territory.ID, p.tg.path,
			p.orgID(), p.leaderID(), p.in.Participants, p.at, calendar.DateOf(p.at).String(), p.templateID(), p.templateVersion(), p.in.Summary,
			ptr(p.in.PreviousID), ptr(p.in.CampaignID), p.counts.Pass, p.counts.Fail, p.counts.NA, p.counts.Findings, p.now, nil, id); err != nil {
			return err
		}
		if err := s.writeChildren(ctx, tx, a, id, p, prev); err != nil {
			return err
		}
		// Submitting last: from here on the triggers keep it as it is.
		if newStatus == StatusSubmitted {
			if _, err := tx.Exec(ctx, "UPDATE inspections SET status = ?, submitted_at = ? WHERE id = ?", newStatus, submitted, id); err != nil {
				return err
			}
		}
		action := "inspection.update"
		if !p.in.Draft {
			action = "inspection.submit"
		}
		e := a.Entry(p.now, action, "inspection", itoa(id), p.tg.territory.ID)
		e.Detail = p.detail()
		e.Before, e.After = prev, p.in
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

func (p *plan) status() (string, any) {
	if p.in.Draft {
		return StatusDraft, nil
	}
	return StatusSubmitted, p.now
}

func (p *plan) enterpriseID() any {
	if p.tg.enterprise == nil {
		return nil
	}
	return p.tg.enterprise.ID
}

func (p *plan) enterpriseName() string {
	if p.tg.enterprise == nil {
		return ""
	}
	return p.tg.enterprise.Name
}

func (p *plan) orgID() any {
	if p.org == nil {
		return nil
	}
	return p.org.ID
}

func (p *plan) leaderID() any {
	if p.leader == nil {
		return nil
	}
	return p.leader.ID
}

func (p *plan) templateID() any {
	if p.template == nil {
		return nil
	}
	return p.template.ID
}

func (p *plan) templateVersion() any {
	if p.template == nil {
		return nil
	}
	return p.template.Version
}

// detail is the audit record's one line.
func (p *plan) detail() string {
	what := p.enterpriseName()
	if what == "" {
		what = p.in.Place
	}
	return fmt.Sprintf("%s %s: %d pass, %d fail, %d n/a, %d findings", p.in.Kind, what, p.counts.Pass, p.counts.Fail, p.counts.NA, p.counts.Findings)
}

// writeChildren writes the inspectors, answers, findings and photos of
// inspection id. Replacing a draft (prev), its rows are updated in place
// where they stay (answers by item, findings by id), so that their photos
// and ids stay; the rest go.
func (s *Service) writeChildren(ctx context.Context, tx *db.Tx, a *auth.Actor, id int64, p *plan, prev *Inspection) error {
	if prev != nil {
		if _, err := tx.Exec(ctx, "DELETE FROM inspection_inspectors WHERE inspection_id = ?", id); err != nil {
			return err
		}
	}
	for i, u := range p.inspectors {
		if _, err := tx.Exec(ctx, "INSERT INTO inspection_inspectors (inspection_id, user_id, name, sort) VALUES (?, ?, ?, ?)", id, u.ID, u.Name, i); err != nil {
			return err
		}
	}
	// Answers: one row per item of the checklist (unanswered: NULL).
	keepItems := map[int64]bool{}
	if p.template != nil {
		for _, it := range p.template.Items {
			keepItems[it.ID] = true
			an := p.answers[it.ID]
			var result any
			if an.Result != "" {
				result = an.Result
			}
			var answerID int64
			if err := tx.QueryRow(ctx, `INSERT INTO inspection_answers (inspection_id, item_id, result, note) VALUES (?, ?, ?, ?)
				ON CONFLICT (inspection_id, item_id) DO UPDATE SET result = excluded.result, note = excluded.note RETURNING id`,
				id, it.ID, result, an.Note).Scan(&answerID); err != nil {
				return err
			}
			if err := s.linkPhotos(ctx, tx, a, id, p.tg.territory.ID, an.AttachmentIDs, "answer_id", answerID); err != nil {
				return err
			}
		}
	}
	if prev != nil {
		for _, an := range prev.Answers {
			if keepItems[an.ItemID] {
				continue
			}
			if err := s.dropChild(ctx, tx, "inspection_answers", "answer_id", an.ID); err != nil {
				return err
			}
		}
	}
	// Findings.
	keepFindings := map[int64]bool{}
	for i, f := range p.findings {
		fid := f.ID
		if fid != 0 {
			keepFindings[fid] = true
			if _, err := tx.Exec(ctx, "UPDATE inspection_findings SET number = ?, text = ?, category = ?, location = ?, note = ? WHERE id = ? AND inspection_id = ?",
				i+1, f.Text, f.Category, f.Location, f.Note, fid, id); err != nil {
				return err
			}
		} else {
			var err error
			fid, err = db.InsertID(ctx, tx, "INSERT INTO inspection_findings (inspection_id, number, text, category, location, note) VALUES (?, ?, ?, ?, ?, ?)",
				id, i+1, f.Text, f.Category, f.Location, f.Note)
			if err != nil {
				return err
			}
		}
		if err := s.linkPhotos(ctx, tx, a, id, p.tg.territory.ID, f.AttachmentIDs, "finding_id", fid); err != nil {
			return err
		}
	}
	if prev != nil {
		for _, f := range prev.Findings {
			if !keepFindings[f.ID] {
				if err := s.dropChild(ctx, tx, "inspection_findings", "finding_id", f.ID); err != nil {
					return err
				}
			}
		}
	}
	return s.linkPhotos(ctx, tx, a, id, p.tg.territory.ID, p.in.AttachmentIDs, "", 0)
}

// dropChild deletes a draft's answer or finding; its photos stay with the
// inspection as a whole.
func (s *Service) dropChild(ctx context.Context, tx *db.Tx, table, col string, id int64) error {
	if _, err := tx.Exec(ctx, "UPDATE inspection_photos SET "+col+" = NULL WHERE "+col+" = ?", id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE id = ?", id)
	return err
}

// linkPhotos links the actor's pending uploads to the inspection and notes
// which answer or finding they show (col "" for the inspection as a whole).
func (s *Service) linkPhotos(ctx context.Context, tx *db.Tx, a *auth.Actor, inspectionID, orgID int64, ids []int64, col string, childID int64) error {
	if len(ids) == 0 {
		return nil
	}
	if s.Attachments == nil {
		return apperr.Field(apperr.ERULE, "attachment_ids", "附件功能未启用 / attachments are not available")
	}
	if err := s.Attachments.Link(ctx, tx, a, ids, OwnerType, inspectionID, orgID); err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, att := range ids {
		if seen[att] {
			continue
		}
		seen[att] = true
		var answer, finding any
		switch col {
		case "answer_id":
			answer = childID
		case "finding_id":
			finding = childID
		}
		if _, err := tx.Exec(ctx, "INSERT INTO inspection_photos (inspection_id, attachment_id, answer_id, finding_id) VALUES (?, ?, ?, ?)",
			inspectionID, att, answer, finding); err != nil {
			return err
		}
	}
	return nil
}

// ptr is a nullable id as a query argument.
func ptr(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
