package petition

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// OpinionInput is a written answer: the reply (处理意见书), the review
// (复查意见) or the second review (复核意见).
type OpinionInput struct {
	// Decision: a claim's reply support, explain or not_support; a
	// suggestion's adopt, partly or not_adopt; an accusation's feedback;
	// a review's uphold, change or revoke.
	Decision string `json:"decision"`
	Facts    string `json:"facts,omitempty"`   // 认定的事实 (a claim's reply and reviews: required)
	Reasons  string `json:"reasons,omitempty"` // 理由 (required)
	Basis    string `json:"basis,omitempty"`   // 法律法规政策依据 (a claim's reply and reviews: required)
	// Agreement: a claim settled by mediation (调解协议书) or settlement
	// (和解协议书), the agreement among the attachments.
	Agreement string `json:"agreement,omitempty"`
	// ServedOn: the day the answer is served (送达), YYYY-MM-DD (default today);
	// the 30 days to ask for a review run from it.
	ServedOn string `json:"served_on,omitempty"`
}

// TransitionInput is one step of the lifecycle: {"action": "...", ...}.
type TransitionInput struct {
	Action string `json:"action"`
	// OrgID: where the case is transferred or assigned (transfer, assign),
	// or the discipline organ (to_discipline; default: the settings').
	OrgID *int64 `json:"org_id,omitempty"`
	// Reason: why (object, overrule, decline, extend, request_review,
	// request_rereview, unflag_key, recuse).
	Reason string `json:"reason,omitempty"`
	// Notice: the written notice to the petitioner (decline: required;
	// accept: what they are told of the handling, optional).
	Notice  string `json:"notice,omitempty"`
	Comment string `json:"comment,omitempty"`
	// ExtensionDays (extend): 1–30, once; PetitionerTold records that the
	// petitioner was told the reason (required).
	ExtensionDays  int           `json:"extension_days,omitempty"`
	PetitionerTold bool          `json:"petitioner_told,omitempty"`
	Opinion        *OpinionInput `json:"opinion,omitempty"`
	// RequestedOn (request_review, request_rereview): the day the
	// petitioner asked, YYYY-MM-DD (default today), at most 30 days after
	// the answer was served.
	RequestedOn string `json:"requested_on,omitempty"`
	// ReviewOrgID: the org that reviews (default: the superior of the org
	// that answered; for an org right under the district, the bureau).
	ReviewOrgID *int64 `json:"review_org_id,omitempty"`
	// UserID (recuse): who steps aside.
	UserID *int64 `json:"user_id,omitempty"`
	// AttachmentIDs: files of the step (the written notice, the agreement …).
	AttachmentIDs []int64 `json:"attachment_ids,omitempty"`
}

// Recusal is a person who stepped aside from a case.
type Recusal struct {
	UserID int64     `json:"user_id"`
	Name   string    `json:"name"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Detail is a case with its timeline, its written answers and what the
// caller may do now.
type Detail struct {
	*Petition
	Steps       []Step            `json:"steps"`
	Opinions    []Opinion         `json:"opinions"`
	Recusals    []Recusal         `json:"recusals"`
	Attachments []attachment.Info `json:"attachments"`
	Allowed     []string          `json:"allowed_actions"`
	// CanReveal: the caller handles the case and may open the personal
	// data (and an accusation's content), each opening audited.
	CanReveal bool `json:"can_reveal"`
	// RecusesOthers: the caller may have others step aside (the bureau, the
	// handling or reviewing org's head); anyone on the case may step aside.
	RecusesOthers bool `json:"recuses_others"`
	// RepeatNumber is the number of the case it repeats.
	RepeatNumber string `json:"repeat_number,omitempty"`
	// FromDisputes: the disputes passed on to this case (转信访) that the
	// caller may open.
	FromDisputes []Link `json:"from_disputes,omitempty"`
	// Revealed is set on the page after 显示.
	Revealed *Revealed `json:"-"`
	files    []attachment.Attachment
}

// Get returns a case, or ENOTFOUND when it does not exist or the actor may not see it.
func (s *Service) Get(ctx context.Context, a *auth.Actor, id int64) (*Petition, error) {
	p, _, err := s.visible(ctx, a, id)
	if err != nil {
		return nil, err
	}
	ps, err := s.people(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if ps[id] != nil {
		p.Petitioners = ps[id]
	}
	return p, nil
}

// Detail returns Get with the timeline, the answers and the allowed actions.
func (s *Service) Detail(ctx context.Context, a *auth.Actor, id int64) (*Detail, error) {
	p, v, err := s.visible(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, p, v)
}

func (s *Service) detail(ctx context.Context, p *Petition, v *viewer) (*Detail, error) {
	ps, err := s.people(ctx, s.DB, p.ID)
	if err != nil {
		return nil, err
	}
	if ps[p.ID] != nil {
		p.Petitioners = ps[p.ID]
	}
	d := &Detail{Petition: p, Allowed: s.allowedFor(v, p), CanReveal: v.reveals(p), Attachments: []attachment.Info{}, Recusals: []Recusal{},
		RecusesOthers: v.recusesOthers(p)}
	if d.Steps, err = s.steps(ctx, s.DB, p.ID); err != nil {
		return nil, err
	}
	if d.Opinions, err = s.opinions(ctx, s.DB, p.ID); err != nil {
		return nil, err
	}
	if v.handles(p, auth.PetitionView) {
		if d.Recusals, err = s.recusals(ctx, p.ID); err != nil {
			return nil, err
		}
	}
	if s.Attachments != nil && (p.Category != Accusation || d.CanReveal) {
		files, err := s.Attachments.List(ctx, s.DB, OwnerType, p.ID)
		if err != nil {
			return nil, err
		}
		d.files = files[p.ID]
		d.Attachments = attachment.Infos(d.files)
	}
	if p.RepeatOf != nil {
		s.DB.QueryRow(ctx, "SELECT number FROM petitions WHERE id = ?", *p.RepeatOf).Scan(&d.RepeatNumber)
	}
	if s.DisputesOf != nil {
		d.FromDisputes = s.DisputesOf(ctx, v.a, p.Number)
	}
	return d, nil
}

// Linked returns the case numbered number for a link from another
// record, or nil when there is none or a may not see it. Silent: a link
// left out is not a refusal for the trail.
func (s *Service) Linked(ctx context.Context, a *auth.Actor, number string) (*Petition, error) {
	var id int64
	err := s.DB.QueryRow(ctx, "SELECT id FROM petitions WHERE number = ?", strings.TrimSpace(number)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	v, err := s.viewerFor(ctx, s.DB, a, id)
	if err != nil || !v.sees(p) {
		return nil, err
	}
	return p, nil
}

// Files are the case's attachments, for the page's gallery.
func (d *Detail) Files() []attachment.Attachment { return d.files }

func (s *Service) recusals(ctx context.Context, id int64) ([]Recusal, error) {
	rows, err := s.DB.Query(ctx, "SELECT r.user_id, u.name, r.reason, r.created_at FROM petition_recusals r JOIN users u ON u.id = r.user_id WHERE r.petition_id = ? ORDER BY r.id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Recusal{}
	for rows.Next() {
		var r Recusal
		if err := rows.Scan(&r.UserID, &r.Name, &r.Reason, &r.At); err != nil {
			return nil, err
		}
		r.At = r.At.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// allowedFor lists the actions the table allows on p that v may take.
func (s *Service) allowedFor(v *viewer, p *Petition) []string {
	out := []string{}
	for _, act := range Allowed(p.state()) {
		t, _ := Lookup(p.state(), act)
		if t == nil || !v.can(p, t.On, t.Perm) {
			continue
		}
		// Anyone on the case may step aside themself (the form offers
		// others only to those who decide it, see RecusesOthers).
		if act != ActRecuse && s.ruleCheck(v, p, t, s.Clock.Now()) != nil {
			continue
		}
		// A review is asked for within 30 days of the answer; the API also
		// takes a request made in time and registered later (requested_on).
		if (act == ActRequestReview || act == ActRequestReview2) && p.ServedDay != "" {
			if served, err := calendar.ParseDate(p.ServedDay); err == nil && calendar.DateOf(s.Clock.Now()).After(served.AddDays(RequestDays)) {
				continue
			}
		}
		out = append(out, act)
	}
	return out
}

// objector is the org whose objection sent case id back to the bureau
// (the latest objection step's org), and how the case had reached it (the
// latest routing's kind; "" for a case the org registered itself).
func (s *Service) objector(ctx context.Context, id int64) (*org.Org, string, error) {
	var orgID sql.NullInt64
	err := s.DB.QueryRow(ctx, "SELECT org_id FROM petition_steps WHERE petition_id = ? AND action = ? ORDER BY id DESC LIMIT 1", id, ActObject).Scan(&orgID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, "", err
	}
	if !orgID.Valid {
		return nil, "", apperr.Field(apperr.ERULE, "action", "没有提出异议的单位可退回 / no org objected to return the case to")
	}
	o, err := org.ByID(ctx, s.DB, orgID.Int64)
	if err != nil {
		return nil, "", err
	}
	var action string
	err = s.DB.QueryRow(ctx, "SELECT action FROM petition_steps WHERE petition_id = ? AND action IN (?, ?) ORDER BY id DESC LIMIT 1", id, ActTransfer, ActAssign).Scan(&action)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, "", err
	}
	return o, map[string]string{ActTransfer: "transfer", ActAssign: "assign"}[action], nil
}

// ruleCheck applies the rules beyond the table that depend on time and on who acts.
func (s *Service) ruleCheck(v *viewer, p *Petition, t *Transition, now time.Time) error {
	today := calendar.DateOf(now)
	switch t.Action {
	case ActObject:
		if p.windowKind != "object" || p.windowEnd == "" || today.String() > p.windowEnd {
			return apperr.Field(apperr.ERULE, "action", "异议须在收到之日起%d个工作日内提出，异议期已过；请受理或书面告知不予受理 / an objection is made within %d working days of receipt: the period is over; accept or decline in writing",
				ObjectWorkingDays, ObjectWorkingDays)
		}
	case ActExtend:
		if p.Clock.DueAt != nil && !now.Before(*p.Clock.DueAt) {
			return apperr.Field(apperr.ERULE, "action", "办理期限 %s 已届满，不能再延期 / the handling period ended on %s: it cannot be extended any more", p.Clock.LastDay, p.Clock.LastDay)
		}
	case ActRequestReview, ActRequestReview2:
		if p.ServedDay == "" {
			return apperr.Field(apperr.ERULE, "action", "尚无书面答复 / there is no written answer yet")
		}
	case ActRecuse:
		// The bureau, the handling org's head, or the person themself.
		if v != nil && !v.recusesOthers(p) && !v.selfRecuse {
			return apperr.Field(apperr.EFORBIDDEN, "user_id", "回避由信访局、办理单位负责人决定，或由本人申请 / the bureau or the handling org's head decides who steps aside, or the person asks for it")
		}
	}
	return nil
}

// request is a transition's checked input.
type request struct {
	target      *org.Org
	days        int
	opinion     OpinionInput
	served      calendar.Date
	requestedOn calendar.Date
	review      *org.Org
	userName    string
	routeKind   string // overrule: how the case had reached the org that objected
}

// Transition takes one step of the lifecycle table on case id. A step the
// table does not have is refused with apperr.NotAllowed (422) naming the
// allowed ones. It returns the case after the step, or nil when the step
// took the case out of the actor's reach (they stepped aside, or objected
// and the case went back to the bureau).
func (s *Service) Transition(ctx context.Context, a *auth.Actor, id int64, in TransitionInput) (*Detail, error) {
	p, v, err := s.visible(ctx, a, id)
	if err != nil {
		return nil, err
	}
	in.Action = strings.TrimSpace(in.Action)
	t, err := Lookup(p.state(), in.Action)
	if err != nil {
		return nil, err
	}
	if t.On == OnClock {
		return nil, refuse(p.state(), in.Action)
	}
	v.selfRecuse = t.Action == ActRecuse && in.UserID != nil && *in.UserID == a.UserID
	if !v.can(p, t.On, t.Perm) {
		return nil, s.deny(ctx, a, "petition."+t.Action, p, apperr.New(apperr.EFORBIDDEN, "无权对此信访事项执行“%s” / you may not %s this case", ActionZH[t.Action], t.Action))
	}
	now := s.Clock.Now()
	if err := s.ruleCheck(v, p, t, now); err != nil {
		if apperr.Code(err) == apperr.EFORBIDDEN {
			return nil, s.deny(ctx, a, "petition."+t.Action, p, err)
		}
		return nil, err
	}
	req, err := s.checkNeeds(ctx, p, t, &in, now)
	if err != nil {
		return nil, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		// Read the row again under the write lock: a step taken meanwhile
		// answers conflict instead of being overwritten.
		q := "SELECT status, round, extension_days, key_case, updated_at FROM petitions WHERE id = ?"
		if tx.D() == db.Postgres {
			q += " FOR UPDATE"
		}
		var status string
		var round, ext int
		var key bool
		var updated time.Time
		if err := tx.QueryRow(ctx, q, id).Scan(&status, &round, &ext, &key, &updated); err != nil {
			return err
		}
		if status != p.Status || round != p.Round || ext != p.ExtensionDays || key != p.KeyCase || !updated.UTC().Equal(p.UpdatedAt) {
			return apperr.New(apperr.ECONFLICT, "信访事项刚被他人处理过，请刷新后重试 / the case was just changed by someone else; reload and try again")
		}
		return s.apply(ctx, tx, a, p, t, in, req, now)
	})
	if err != nil {
		return nil, err
	}
	// After stepping aside or objecting, the actor may no longer see the case.
	d, err := s.Detail(ctx, a, id)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, nil
	}
	return d, err
}

// checkNeeds checks what row t requires of the request.
func (s *Service) checkNeeds(ctx context.Context, p *Petition, t *Transition, in *TransitionInput, now time.Time) (request, error) {
	var req request
	var err error
	today := calendar.DateOf(now)
	if in.Reason, err = clean("reason", in.Reason, maxComment, t.Needs&NeedReason != 0); err != nil {
		return req, err
	}
	if in.Notice, err = clean("notice", in.Notice, maxText, t.Needs&NeedNotice != 0); err != nil {
		return req, err
	}
	if in.Comment, err = clean("comment", in.Comment, maxComment, t.Needs&NeedComment != 0); err != nil {
		return req, err
	}
	switch t.Action {
	case ActOverrule:
		// The objection was unfounded: the case goes back to the org that objected.
		if req.target, req.routeKind, err = s.objector(ctx, p.ID); err != nil {
			return req, err
		}
	case ActTransfer, ActAssign, ActToDiscipline:
		if in.OrgID == nil && t.Action == ActToDiscipline {
			st, err := LoadSettings(ctx, s.DB)
			if err != nil {
				return req, err
			}
			in.OrgID = st.DisciplineOrgID
		}
		if in.OrgID == nil {
			if t.Action == ActToDiscipline {
				return req, apperr.Field(apperr.EINVALID, "org_id", "请选择纪检监察机关（或在设置中指定） / choose the discipline organ (or set it in the settings)")
			}
			return req, apperr.Field(apperr.EINVALID, "org_id", "请选择办理单位 / choose the org that handles it")
		}
		o, err := org.ByID(ctx, s.DB, *in.OrgID)
		if err != nil {
			return req, apperr.Field(apperr.EINVALID, "org_id", "办理单位 %d 不存在 / org %d does not exist", *in.OrgID, *in.OrgID)
		}
		if o.ParentID == nil || o.ID == p.BureauOrgID {
			return req, apperr.Field(apperr.EINVALID, "org_id", "须转送、交办到有权处理的乡镇（街道）、部门或村（社区） / route it to the township, department or village that handles it")
		}
		if p.Category == Accusation && p.AccusedPath != "" && (auth.Covers(p.AccusedPath, o.Path) || auth.Covers(o.Path, p.AccusedPath)) {
			return req, apperr.Field(apperr.ERULE, "org_id", "不得将检举控告材料转给被检举单位或其上级、下属单位办理（信访工作条例第三十条） / accusation material is never passed to the accused org or an org above or below it (Art. 30)")
		}
		req.target = o
	case ActExtend:
		if in.ExtensionDays < 1 || in.ExtensionDays > MaxExtensionDays {
			return req, apperr.Field(apperr.EINVALID, "extension_days", "延长期限为 1–%d 日（信访工作条例第三十四条） / an extension is 1–%d days (Art. 34)", MaxExtensionDays, MaxExtensionDays)
		}
		if !in.PetitionerTold {
			return req, apperr.Field(apperr.EINVALID, "petitioner_told", "须告知信访人延期理由 / the petitioner must be told the reason for the extension")
		}
		req.days = in.ExtensionDays
	case ActReply, ActAnswerReview, ActAnswerReview2:
		round := 0
		if t.Action == ActAnswerReview {
			round = 1
		} else if t.Action == ActAnswerReview2 {
			round = 2
		}
		if in.Opinion == nil {
			return req, apperr.Field(apperr.EINVALID, "opinion.decision", "请填写处理意见 / give the answer")
		}
		op := *in.Opinion
		ds := Decisions(p.Category, round)
		if !contains(ds, op.Decision) {
			return req, apperr.Field(apperr.EINVALID, "opinion.decision", "处理意见只能是 %s / decision is one of %s", strings.Join(ds, "、"), strings.Join(ds, ", "))
		}
		full := p.Category == Claim
		if op.Facts, err = clean("opinion.facts", op.Facts, maxText, full); err != nil {
			return req, err
		}
		if op.Reasons, err = clean("opinion.reasons", op.Reasons, maxText, true); err != nil {
			return req, err
		}
		if op.Basis, err = clean("opinion.basis", op.Basis, maxText, full); err != nil {
			return req, err
		}
		switch op.Agreement {
		case "":
		case "mediation", "settlement":
			if p.Category != Claim || round > 0 {
				return req, apperr.Field(apperr.EINVALID, "opinion.agreement", "调解、和解协议只适用于申诉求决类事项的处理 / agreements belong to the answer to a claim")
			}
		default:
			return req, apperr.Field(apperr.EINVALID, "opinion.agreement", "协议只能是 mediation（调解协议书）或 settlement（和解协议书） / agreement is mediation or settlement")
		}
		req.served = today
		if strings.TrimSpace(op.ServedOn) != "" {
			if req.served, err = calendar.ParseDate(strings.TrimSpace(op.ServedOn)); err != nil {
				return req, apperr.Field(apperr.EINVALID, "opinion.served_on", "送达日期须为 YYYY-MM-DD / served_on must be YYYY-MM-DD")
			}
			since := p.RegisteredAt
			if p.AcceptedAt != nil {
				since = *p.AcceptedAt
			}
			if req.served.After(today) || req.served.Before(calendar.DateOf(since)) {
				return req, apperr.Field(apperr.EINVALID, "opinion.served_on", "送达日期须在受理之后、今天之前 / the answer is served after acceptance and not in the future")
			}
		}
		req.opinion = op
	case ActRequestReview, ActRequestReview2:
		served, _ := calendar.ParseDate(p.ServedDay)
		req.requestedOn = today
		if s := strings.TrimSpace(in.RequestedOn); s != "" {
			if req.requestedOn, err = calendar.ParseDate(s); err != nil {
				return req, apperr.Field(apperr.EINVALID, "requested_on", "请求日期须为 YYYY-MM-DD / requested_on must be YYYY-MM-DD")
			}
		}
		if req.requestedOn.After(today) || req.requestedOn.Before(served) {
			return req, apperr.Field(apperr.EINVALID, "requested_on", "请求日期须在答复送达（%s）之后、今天之前 / the request is after the answer was served (%s) and not in the future", p.ServedDay, p.ServedDay)
		}
		if last := served.AddDays(RequestDays); req.requestedOn.After(last) {
			return req, apperr.Field(apperr.ERULE, "requested_on", "须自收到书面答复之日起%d日内请求（%s 送达，最后一日 %s；%s 是第 %d 日） / a review is asked for within %d days of the written answer (served %s, last day %s; %s is day %d)",
				RequestDays, p.ServedDay, last, req.requestedOn, served.DaysUntil(req.requestedOn), RequestDays, p.ServedDay, last, req.requestedOn, served.DaysUntil(req.requestedOn))
		}
		b, err := org.ByID(ctx, s.DB, p.BureauOrgID)
		if err != nil {
			return req, err
		}
		if in.ReviewOrgID != nil {
			if req.review, err = org.ByID(ctx, s.DB, *in.ReviewOrgID); err != nil {
				return req, apperr.Field(apperr.EINVALID, "review_org_id", "复查机关 %d 不存在 / org %d does not exist", *in.ReviewOrgID, *in.ReviewOrgID)
			}
			if req.review.ParentID == nil {
				return req, apperr.Field(apperr.EINVALID, "review_org_id", "区政府的复查由信访局承办 / the bureau organises the district's reviews")
			}
		} else {
			base := p.HandlingOrgID
			if t.Action == ActRequestReview2 {
				base = p.ReviewOrgID
			}
			if base == nil {
				base = &p.BureauOrgID
			}
			if req.review, err = superior(ctx, s.DB, *base, b); err != nil {
				return req, err
			}
		}
	case ActRecuse:
		if in.UserID == nil {
			return req, apperr.Field(apperr.EINVALID, "user_id", "请选择回避人员 / choose who steps aside")
		}
		var disabled bool
		if err := s.DB.QueryRow(ctx, "SELECT name, disabled FROM users WHERE id = ?", *in.UserID).Scan(&req.userName, &disabled); err != nil {
			return req, apperr.Field(apperr.EINVALID, "user_id", "账号 %d 不存在 / user %d does not exist", *in.UserID, *in.UserID)
		}
		var n int
		if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM petition_recusals WHERE petition_id = ? AND user_id = ?", p.ID, *in.UserID).Scan(&n); err != nil {
			return req, err
		}
		if n > 0 {
			return req, apperr.Field(apperr.ECONFLICT, "user_id", "%s 已回避 / %s has already stepped aside", req.userName, req.userName)
		}
	}
	if len(in.AttachmentIDs) > 0 && s.Attachments == nil {
		return req, apperr.Field(apperr.EINVALID, "attachment_ids", "附件服务未启用 / attachments are not available")
	}
	return req, nil
}

// apply writes the step inside tx: the case row, the written answer, the
// clocks, the timeline, the notices and the trail.
func (s *Service) apply(ctx context.Context, tx *db.Tx, a *auth.Actor, p *Petition, t *Transition, in TransitionInput, req request, now time.Time) error {
	to := t.target(p.Status)
	today := calendar.DateOf(now)
	step := stepRow{petitionID: p.ID, action: t.Action, from: p.Status, to: to, comment: in.Comment, notice: in.Notice, reason: in.Reason}
	switch t.On {
	case OnBureau:
		step.orgID = &p.BureauOrgID
	case OnHandler:
		step.orgID = p.HandlingOrgID
	case OnReviewer:
		step.orgID = p.ReviewOrgID
	}
	set := []string{"status = ?", "updated_at = ?"}
	args := []any{to, now}
	var notes []Note
	link := "/petitions/" + itoa(p.ID)
	switch t.Action {
	case ActTransfer, ActAssign, ActToDiscipline:
		kind := map[string]string{ActTransfer: "transfer", ActAssign: "assign", ActToDiscipline: "discipline"}[t.Action]
		set = append(set, "handling_org_id = ?", "handling_path = ?", "route_kind = ?", "routed_at = ?", "handler_user_id = NULL")
		args = append(args, req.target.ID, req.target.Path, kind, now)
		step.detail = ActionZH[t.Action] + "至 " + req.target.Name
		if err := s.arm(ctx, tx, now, p, PeriodAccept, now, periodEnd(now, AcceptDays)); err != nil {
			return err
		}
		if t.Action != ActToDiscipline {
			end := s.calendar(ctx).AddWorkingDays(today, ObjectWorkingDays)
			if err := s.openWindow(ctx, tx, now, p, "object", end); err != nil {
				return err
			}
			step.detail += fmt.Sprintf("；%s前受理或书面告知，%s前可提出异议", calendar.DateOf(periodEnd(now, AcceptDays).Add(-time.Second)), end)
		} else if err := s.closeWindow(ctx, tx, now, p); err != nil {
			return err
		}
		notes = append(notes, Note{OrgIDs: []int64{req.target.ID}, Link: link, DedupeKey: fmt.Sprintf("petition/routed/%d/%d", p.ID, now.UnixMicro()),
			Title: fmt.Sprintf("信访局%s信访事项 %s，请于 %d 日内书面告知是否受理", ActionZH[t.Action], p.Number, AcceptDays), Body: CategoryZH[p.Category] + " · " + p.SubjectName})
	case ActOverrule:
		set = append(set, "handling_org_id = ?", "handling_path = ?", "route_kind = ?", "routed_at = ?", "handler_user_id = NULL")
		args = append(args, req.target.ID, req.target.Path, req.routeKind, now)
		step.detail = "异议不成立，退回 " + req.target.Name + " 办理"
		if err := s.arm(ctx, tx, now, p, PeriodAccept, now, periodEnd(now, AcceptDays)); err != nil {
			return err
		}
		if err := s.closeWindow(ctx, tx, now, p); err != nil {
			return err
		}
		notes = append(notes, Note{OrgIDs: []int64{req.target.ID}, Link: link, DedupeKey: fmt.Sprintf("petition/overrule/%d/%d", p.ID, now.UnixMicro()),
			Title: fmt.Sprintf("信访事项 %s 异议不成立，请于 %d 日内书面告知是否受理", p.Number, AcceptDays), Body: in.Reason})
	case ActObject:
		// Back at the bureau, which routes it again within 15 days; the org no longer holds it.
		set = append(set, "handling_org_id = NULL", "handling_path = ''", "route_kind = ''", "handler_user_id = NULL")
		step.detail = p.HandlingName + " 提出异议，退回信访局"
		if err := s.arm(ctx, tx, now, p, PeriodRoute, now, periodEnd(now, RouteDays)); err != nil {
			return err
		}
		if err := s.closeWindow(ctx, tx, now, p); err != nil {
			return err
		}
		notes = append(notes, Note{OrgIDs: []int64{p.BureauOrgID}, UserIDs: optUser(p.createdBy), Link: link,
			DedupeKey: fmt.Sprintf("petition/objected/%d/%d", p.ID, now.UnixMicro()), Title: fmt.Sprintf("%s 对信访事项 %s 提出异议，请核实后重新转办", p.HandlingName, p.Number), Body: in.Reason})
	case ActAccept:
		set = append(set, "accepted_at = ?", "handler_user_id = ?")
		args = append(args, now, nullUser(a))
		if err := s.arm(ctx, tx, now, p, PeriodHandle, now, periodEnd(now, HandleDays)); err != nil {
			return err
		}
		if err := s.closeWindow(ctx, tx, now, p); err != nil {
			return err
		}
		step.detail = fmt.Sprintf("已书面告知信访人受理；%s前办结", calendar.DateOf(periodEnd(now, HandleDays).Add(-time.Second)))
	case ActDecline:
		set = append(set, "closed_at = ?")
		args = append(args, now)
		step.detail = "已书面告知信访人不予受理"
		if err := s.disarm(ctx, tx, now, p); err != nil {
			return err
		}
		if err := s.closeWindow(ctx, tx, now, p); err != nil {
			return err
		}
	case ActExtend:
		due := p.Clock.DueAt.AddDate(0, 0, req.days)
		set = append(set, "extension_days = ?")
		args = append(args, req.days)
		start := now
		if p.AcceptedAt != nil {
			start = *p.AcceptedAt
		}
		if err := s.arm(ctx, tx, now, p, PeriodHandle, start, due); err != nil {
			return err
		}
		step.detail = fmt.Sprintf("经负责人 %s 批准延长 %d 日：%s → %s；已告知信访人延期理由", actorName(a), req.days, p.Clock.LastDay, calendar.DateOf(due.Add(-time.Second)))
	case ActReply, ActAnswerReview, ActAnswerReview2:
		round := map[string]int{ActReply: 0, ActAnswerReview: 1, ActAnswerReview2: 2}[t.Action]
		orgID := p.HandlingOrgID
		if round > 0 {
			orgID = p.ReviewOrgID
		}
		if orgID == nil {
			orgID = &p.BureauOrgID
		}
		op := req.opinion
		var uid any
		if a.UserID != 0 {
			uid = a.UserID
		}
		opID, err := db.InsertID(ctx, tx, `INSERT INTO petition_opinions (petition_id, round, org_id, decision, facts, reasons, basis, agreement, served_day, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, round, *orgID, op.Decision, op.Facts, op.Reasons, op.Basis, op.Agreement, req.served.String(), uid, now)
		if err != nil {
			return err
		}
		step.opinionID = &opID
		step.detail = DecisionZH[op.Decision] + "；" + req.served.String() + " 送达"
		if op.Agreement != "" {
			step.detail += "；附" + agreementZH[op.Agreement]
		}
		set = append(set, "served_day = ?", "round = ?")
		args = append(args, req.served.String(), round)
		if err := s.disarm(ctx, tx, now, p); err != nil {
			return err
		}
		switch to {
		case Replied, Reviewed:
			kind := map[string]string{Replied: "review", Reviewed: "rereview"}[to]
			if err := s.openWindow(ctx, tx, now, p, kind, req.served.AddDays(RequestDays)); err != nil {
				return err
			}
		default:
			set = append(set, "closed_at = ?")
			args = append(args, now)
			if err := s.closeWindow(ctx, tx, now, p); err != nil {
				return err
			}
		}
	case ActRequestReview, ActRequestReview2:
		period := PeriodReview
		if t.Action == ActRequestReview2 {
			period = PeriodRereview
		}
		set = append(set, "review_org_id = ?", "review_path = ?", "closed_at = NULL")
		args = append(args, req.review.ID, req.review.Path)
		step.detail = fmt.Sprintf("信访人 %s 请求；由 %s 于 %s 前作出意见", req.requestedOn, req.review.Name, calendar.DateOf(periodEnd(now, ReviewDays).Add(-time.Second)))
		if err := s.closeWindow(ctx, tx, now, p); err != nil {
			return err
		}
		if err := s.arm(ctx, tx, now, p, period, now, periodEnd(now, ReviewDays)); err != nil {
			return err
		}
		notes = append(notes, Note{OrgIDs: []int64{req.review.ID}, Link: link, DedupeKey: fmt.Sprintf("petition/%s/%d", period, p.ID),
			Title: fmt.Sprintf("信访事项 %s 请求%s，请于 %d 日内提出意见", p.Number, PeriodZH[period], ReviewDays), Body: in.Reason})
	case ActSupervise:
		set = append(set, "supervised_count = supervised_count + 1")
		step.detail = fmt.Sprintf("第 %d 次督办", p.SupervisedCount+1)
		if o := sideOrg(p); o != nil && *o != p.BureauOrgID {
			head, err := orgHead(ctx, tx, *o)
			if err != nil {
				return err
			}
			n := Note{OrgIDs: []int64{*o}, Link: link, DedupeKey: fmt.Sprintf("petition/supervise/%d/%d", p.ID, p.SupervisedCount+1),
				Title: fmt.Sprintf("信访局督办：信访事项 %s", p.Number), Body: in.Comment}
			if head != 0 {
				n.UserIDs = []int64{head}
			}
			notes = append(notes, n)
		}
	case ActFlagKey:
		set = append(set, "key_case = ?")
		args = append(args, true)
	case ActUnflagKey:
		set = append(set, "key_case = ?")
		args = append(args, false)
	case ActRecuse:
		var by any
		if a.UserID != 0 {
			by = a.UserID
		}
		if _, err := tx.Exec(ctx, "INSERT INTO petition_recusals (petition_id, user_id, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
			p.ID, *in.UserID, in.Reason, by, now); err != nil {
			return err
		}
		step.detail = req.userName + " 回避，不再接触本事项"
	default:
		return fmt.Errorf("petition: action %s has no effect defined", t.Action)
	}
	if err := tallyStep(ctx, tx, p, t, req, now); err != nil {
		return err
	}
	args = append(args, p.ID)
	if _, err := tx.Exec(ctx, "UPDATE petitions SET "+strings.Join(set, ", ")+" WHERE id = ?", args...); err != nil {
		return err
	}
	stepID, err := insertStep(ctx, tx, a, now, step)
	if err != nil {
		return err
	}
	if len(in.AttachmentIDs) > 0 {
		if err := s.Attachments.Link(ctx, tx, a, in.AttachmentIDs, OwnerType, p.ID, p.BureauOrgID); err != nil {
			return err
		}
	}
	e := a.Entry(now, "petition."+t.Action, "petition", itoa(p.ID), p.BureauOrgID)
	e.Detail = fmt.Sprintf("%s %s → %s", p.Number, p.Status, to)
	e.Before = map[string]any{"status": p.Status, "round": p.Round, "handling_org_id": p.HandlingOrgID, "key_case": p.KeyCase}
	e.After = map[string]any{"status": to, "step": stepID}
	if err := audit.Append(ctx, tx, e); err != nil {
		return err
	}
	return s.notify(ctx, tx, notes...)
}

func nullUser(a *auth.Actor) any {
	if a == nil || a.UserID == 0 {
		return nil
	}
	return a.UserID
}

func optUser(id *int64) []int64 {
	if id == nil {
		return nil
	}
	return []int64{*id}
}

func actorName(a *auth.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Login
}

// Revealed is a case's personal data and an accusation's content, unmasked.
type Revealed struct {
	Petitioners []Person `json:"petitioners"`
	Request     string   `json:"request"`
	Facts       string   `json:"facts"`
	Accused     string   `json:"accused"`
}

// Reveal opens a case's personal data (and an accusation's content) for
// someone who handles it (petition.reveal on a side of the case) and
// records the opening in the trail. Others get 403 (they see the case) or
// 404, also recorded.
func (s *Service) Reveal(ctx context.Context, a *auth.Actor, id int64) (*Revealed, error) {
	p, v, err := s.visible(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !v.reveals(p) {
		return nil, s.deny(ctx, a, string(auth.PetitionReveal), p, apperr.New(apperr.EFORBIDDEN, "个人信息仅限办理人员查看 / personal data is for those who handle the case"))
	}
	out := &Revealed{Petitioners: []Person{}, Request: p.Request, Facts: p.Facts}
	if s.Cipher == nil {
		return nil, apperr.New(apperr.EINTERNAL, "field cipher not configured")
	}
	if p.Category == Accusation {
		if out.Request, err = s.Cipher.OpenString(p.requestSeal, CtxRequest); err != nil {
			return nil, fmt.Errorf("petition %d: request: %w", id, err)
		}
		if out.Facts, err = s.Cipher.OpenString(p.factsSeal, CtxFacts); err != nil {
			return nil, fmt.Errorf("petition %d: facts: %w", id, err)
		}
		if out.Accused, err = s.Cipher.OpenString(p.accusedSeal, CtxAccused); err != nil {
			return nil, fmt.Errorf("petition %d: accused: %w", id, err)
		}
	}
	rows, err := s.DB.Query(ctx, "SELECT seq, representative, name_sealed, id_sealed, phone_sealed, address_sealed FROM petition_people WHERE petition_id = ? ORDER BY seq", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sp sealedPerson
		var seq int
		var rep bool
		if err := rows.Scan(&seq, &rep, &sp.name, &sp.id, &sp.phone, &sp.address); err != nil {
			return nil, err
		}
		pr, err := s.open(sp)
		if err != nil {
			return nil, fmt.Errorf("petition %d: petitioner %d: %w", id, seq, err)
		}
		pr.Seq, pr.Representative = seq, rep
		out.Petitioners = append(out.Petitioners, pr)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	what := "信访人姓名、身份证号、电话、住址 / the petitioners' names, ID numbers, phones and addresses"
	if p.Category == Accusation {
		what = "信访人个人信息及检举控告内容 / the petitioners' personal data and the accusation's content"
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		e := a.Entry(s.Clock.Now(), "petition.reveal", "petition", itoa(p.ID), p.BureauOrgID)
		e.Detail = p.Number + " " + what
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
