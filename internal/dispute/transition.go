package dispute

import (
	"context"
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

// SessionInput is a mediation session (record_session).
type SessionInput struct {
	HeldAt   *time.Time `json:"held_at,omitempty"` // default: now
	Method   string     `json:"method"`            // negotiation, people_mediation, administrative, judicial, joint, arbitration, other
	Mediator string     `json:"mediator,omitempty"`
	Outcome  string     `json:"outcome"` // agreed, partial, continuing, failed
	Note     string     `json:"note,omitempty"`
}

// TransitionInput is one step of the lifecycle: {"action": "...", ...}.
type TransitionInput struct {
	Action string `json:"action"`
	// Comment: the situation (stabilize) or the outcome (resolve, 调解结果).
	Comment string `json:"comment,omitempty"`
	// Reason: why (reopen, reassess, extend, to_petition, to_court).
	Reason  string        `json:"reason,omitempty"`
	Session *SessionInput `json:"session,omitempty"`
	// RiskLevel and the lead (reassess): the new level, and the 包案领导 if
	// the level's rule allows a choice (default: the rule's person, or the
	// lead so far when the level has no rule).
	RiskLevel  string `json:"risk_level,omitempty"`
	LeadUserID *int64 `json:"lead_user_id,omitempty"`
	LeadName   string `json:"lead_name,omitempty"`
	LeadTitle  string `json:"lead_title,omitempty"`
	// NewDeadline (extend), YYYY-MM-DD.
	NewDeadline string `json:"new_deadline,omitempty"`
	// TransferRef (to_petition, to_court): the petition case or court case number.
	TransferRef string `json:"transfer_ref,omitempty"`
}

// Detail is a dispute with its sessions, its timeline and what the caller
// may do now.
type Detail struct {
	*Dispute
	Sessions []Session `json:"sessions"`
	Steps    []Step    `json:"steps"`
	Allowed  []string  `json:"allowed_actions"`
	// CanReveal: the caller handles the dispute and may open the party's data.
	CanReveal bool `json:"can_reveal"`
	// Petition: the petition case it was passed on to (to_petition with the
	// case's number as transfer_ref), when the caller may open it.
	Petition *CaseLink `json:"petition,omitempty"`
}

// Get returns a dispute, or ENOTFOUND when it does not exist or the actor
// may not see it.
func (s *Service) Get(ctx context.Context, a *auth.Actor, id int64) (*Dispute, error) {
	d, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, a, auth.DisputeView, d); err != nil {
		return nil, err
	}
	return d, nil
}

// Detail returns Get with the sessions, the timeline and the allowed actions.
func (s *Service) Detail(ctx context.Context, a *auth.Actor, id int64) (*Detail, error) {
	d, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	out := &Detail{Dispute: d, Allowed: s.allowedFor(a, d), CanReveal: d.HasParty() && allows(a, auth.DisputeManage, d)}
	if out.Sessions, err = s.sessions(ctx, s.DB, id); err != nil {
		return nil, err
	}
	if out.Steps, err = s.steps(ctx, s.DB, id); err != nil {
		return nil, err
	}
	if d.Status == ToPetition && d.TransferRef != "" && s.PetitionOf != nil {
		out.Petition = s.PetitionOf(ctx, a, d.TransferRef)
	}
	return out, nil
}

// ForPetition returns dispute id for registering the petition case it is
// passed on to: the caller must be able to pass it on (to_petition from its
// state, dispute.manage); the refusal is recorded like any other.
func (s *Service) ForPetition(ctx context.Context, a *auth.Actor, id int64) (*Dispute, error) {
	d, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	t, err := Lookup(d.Status, ActToPetition)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, a, t.Perm, d); err != nil {
		return nil, err
	}
	return d, nil
}

// PassOnTo marks dispute id as passed on to the petition case numbered
// number (to_petition, the number as transfer_ref), right after the case
// was registered from it.
func (s *Service) PassOnTo(ctx context.Context, a *auth.Actor, id int64, number string) error {
	_, err := s.Transition(ctx, a, id, TransitionInput{Action: ActToPetition, Reason: "已登记为信访事项 " + number + "，转入信访程序办理", TransferRef: number})
	return err
}

// PassedOn lists the disputes passed on to the petition case numbered
// number (to_petition, transfer_ref) that a may see.
func (s *Service) PassedOn(ctx context.Context, a *auth.Actor, number string) ([]*Dispute, error) {
	rows, err := s.DB.Query(ctx, "SELECT id FROM disputes WHERE transfer_ref = ? AND status = ? ORDER BY id LIMIT 20", number, ToPetition)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []*Dispute
	for _, id := range ids {
		d, err := s.load(ctx, s.DB, id)
		if err != nil {
			return nil, err
		}
		if allows(a, auth.DisputeView, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// allowedFor lists the actions the table allows from d's state that a may take.
func (s *Service) allowedFor(a *auth.Actor, d *Dispute) []string {
	out := []string{}
	for _, act := range Allowed(d.Status) {
		if t, _ := Lookup(d.Status, act); t != nil && allows(a, t.Perm, d) {
			out = append(out, act)
		}
	}
	return out
}

// request is a transition's checked input.
type request struct {
	session  SessionInput
	level    *RiskLevel
	lead     Lead
	deadline calendar.Date
}

// Transition takes one step of the lifecycle table on dispute id. A step
// the table does not have from the dispute's state is refused with a
// *NotAllowed (422) naming the allowed ones.
func (s *Service) Transition(ctx context.Context, a *auth.Actor, id int64, in TransitionInput) (*Detail, error) {
	d, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	// Out of scope: not found, as if it did not exist.
	if err := s.authorize(ctx, a, auth.DisputeView, d); err != nil {
		return nil, err
	}
	in.Action = strings.TrimSpace(in.Action)
	t, err := Lookup(d.Status, in.Action)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, a, t.Perm, d); err != nil {
		return nil, err
	}
	req, err := s.checkNeeds(ctx, d, t, &in)
	if err != nil {
		return nil, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		// Read the row again under the write lock: a step taken meanwhile
		// answers conflict instead of being overwritten.
		q := "SELECT status, deadline, risk_level FROM disputes WHERE id = ?"
		if tx.D() == db.Postgres {
			q += " FOR UPDATE"
		}
		var status, deadline, level string
		if err := tx.QueryRow(ctx, q, id).Scan(&status, &deadline, &level); err != nil {
			return err
		}
		if status != d.Status || deadline != d.Deadline || level != d.RiskLevel {
			return apperr.New(apperr.ECONFLICT, "纠纷刚被他人处理过，请刷新后重试 / the dispute was just changed by someone else; reload and try again")
		}
		return s.apply(ctx, tx, a, d, t, in, req)
	})
	if err != nil {
		return nil, err
	}
	return s.Detail(ctx, a, id)
}

// checkNeeds checks what row t requires of the request.
func (s *Service) checkNeeds(ctx context.Context, d *Dispute, t *Transition, in *TransitionInput) (request, error) {
	var req request
	var err error
	if in.Comment, err = clean("comment", in.Comment, maxComment, t.Needs&NeedComment != 0); err != nil {
		return req, err
	}
	if in.Reason, err = clean("reason", in.Reason, maxComment, t.Needs&NeedReason != 0); err != nil {
		return req, err
	}
	if in.TransferRef, err = clean("transfer_ref", in.TransferRef, 50, false); err != nil {
		return req, err
	}
	now := s.Clock.Now()
	if t.Needs&NeedSession != 0 {
		if in.Session == nil {
			return req, apperr.Field(apperr.EINVALID, "session.method", "请填写调解情况：方式和结果 / give the session: its method and outcome")
		}
		se := *in.Session
		if _, ok := MethodZH[se.Method]; !ok {
			return req, apperr.Field(apperr.EINVALID, "session.method", "化解方式只能是 %s / method is one of %s", strings.Join(Methods, "、"), strings.Join(Methods, ", "))
		}
		if _, ok := OutcomeZH[se.Outcome]; !ok {
			return req, apperr.Field(apperr.EINVALID, "session.outcome", "调解结果只能是 %s / outcome is one of %s", strings.Join(Outcomes, "、"), strings.Join(Outcomes, ", "))
		}
		if se.Mediator, err = clean("session.mediator", se.Mediator, 50, false); err != nil {
			return req, err
		}
		if se.Note, err = clean("session.note", se.Note, maxComment, false); err != nil {
			return req, err
		}
		held := now
		if se.HeldAt != nil {
			held = se.HeldAt.UTC().Truncate(time.Second)
		}
		if held.After(now.Add(10*time.Minute)) || held.Before(d.OccurredAt.Add(-24*time.Hour)) {
			return req, apperr.Field(apperr.EINVALID, "session.held_at", "调解时间须在纠纷发生之后、现在之前 / the session is after the dispute and not in the future")
		}
		se.HeldAt = &held
		req.session = se
	}
	if t.Needs&NeedRisk != 0 {
		l, err := riskLevel(ctx, s.DB, in.RiskLevel)
		if err != nil {
			return req, err
		}
		if l == nil || !l.Active {
			return req, apperr.Field(apperr.EINVALID, "risk_level", "没有风险等级“%s” / no risk level %q", in.RiskLevel, in.RiskLevel)
		}
		territory, err := org.ByID(ctx, s.DB, d.TerritoryOrgID)
		if err != nil {
			return req, err
		}
		want := Lead{Name: strings.TrimSpace(in.LeadName), Title: strings.TrimSpace(in.LeadTitle), UserID: in.LeadUserID}
		if want.Name == "" && want.UserID == nil && !l.NeedsLead() {
			want = d.Lead // no rule: the lead stays
		}
		if req.lead, err = s.resolveLead(ctx, s.DB, l, territory, want); err != nil {
			return req, err
		}
		if l.Code == d.RiskLevel && sameLead(req.lead, d.Lead) {
			return req, apperr.Field(apperr.EINVALID, "risk_level", "风险等级和包案领导均未改变 / neither the level nor the lead changes")
		}
		req.level = l
	}
	if t.Needs&NeedDeadline != 0 {
		nd, err := calendar.ParseDate(strings.TrimSpace(in.NewDeadline))
		if err != nil {
			return req, apperr.Field(apperr.EINVALID, "new_deadline", "请填写新的期限（YYYY-MM-DD） / new_deadline is required (YYYY-MM-DD)")
		}
		today := calendar.DateOf(now)
		if !nd.After(d.DeadlineDate()) {
			return req, apperr.Field(apperr.EINVALID, "new_deadline", "新的期限须晚于原期限 %s / the new deadline must be after %s", d.Deadline, d.Deadline)
		}
		if nd.Before(today) {
			return req, apperr.Field(apperr.EINVALID, "new_deadline", "期限不能早于今天 / the deadline cannot be before today")
		}
		if nd.After(today.AddDays(3 * 366)) {
			return req, apperr.Field(apperr.EINVALID, "new_deadline", "期限不能超过三年 / the deadline cannot be more than three years ahead")
		}
		req.deadline = nd
	}
	return req, nil
}

// apply writes the step inside tx: the dispute row, the session, the
// timeline, the clock engine, the notices and the trail.
func (s *Service) apply(ctx context.Context, tx *db.Tx, a *auth.Actor, d *Dispute, t *Transition, in TransitionInput, req request) error {
	now := s.Clock.Now()
	to := t.target(d.Status)
	step := stepRow{disputeID: d.ID, action: t.Action, from: d.Status, to: to, comment: in.Comment, reason: in.Reason}
	set := []string{"status = ?", "updated_at = ?"}
	args := []any{to, now}
	var notes []Note
	link := "/disputes/" + itoa(d.ID)
	switch t.Action {
	case ActStart, ActStabilize:
	case ActRecordSession:
		se := req.session
		sid, err := insertSession(ctx, tx, a, now, d.ID, se)
		if err != nil {
			return err
		}
		step.sessionID = &sid
		step.comment = se.Note
		step.detail = fmt.Sprintf("%s · %s", MethodZH[se.Method], OutcomeZH[se.Outcome])
		if se.Mediator != "" {
			step.detail += " · 调解人 " + se.Mediator
		}
	case ActResolve:
		set = append(set, "outcome = ?", "closed_at = ?", "closed_day = ?")
		args = append(args, in.Comment, now, calendar.DateOf(now).String())
		if err := cancelDeadline(ctx, tx, now, d.ID); err != nil {
			return err
		}
	case ActToPetition, ActToCourt:
		set = append(set, "transfer_reason = ?", "transfer_ref = ?", "closed_at = ?", "closed_day = ?")
		args = append(args, in.Reason, in.TransferRef, now, calendar.DateOf(now).String())
		if in.TransferRef != "" {
			step.detail = "编号：" + in.TransferRef
		}
		if err := cancelDeadline(ctx, tx, now, d.ID); err != nil {
			return err
		}
	case ActReopen:
		set = append(set, "outcome = ''", "closed_at = NULL", "closed_day = NULL")
		if d.Status == Resolved && !d.DeadlineDate().Before(calendar.DateOf(now)) {
			seq, err := rearmSeq(ctx, tx, d.ID)
			if err != nil {
				return err
			}
			if err := s.scheduleDeadline(ctx, tx, now, d.ID, d.DeadlineDate(), seq); err != nil {
				return err
			}
		}
	case ActReassess:
		set = append(set, "risk_level = ?", "lead_name = ?", "lead_title = ?", "lead_user_id = ?")
		args = append(args, req.level.Code, req.lead.Name, req.lead.Title, nullInt(req.lead.UserID))
		step.detail = fmt.Sprintf("风险等级：%s → %s；包案领导：%s", d.RiskName, req.level.Name, leadLine(req.lead))
		if req.lead.UserID != nil && (d.Lead.UserID == nil || *d.Lead.UserID != *req.lead.UserID) && *req.lead.UserID != a.UserID {
			notes = append(notes, Note{UserIDs: []int64{*req.lead.UserID}, Link: link, DedupeKey: fmt.Sprintf("dispute/lead/%d/%d", d.ID, now.UnixMicro()),
				Title: fmt.Sprintf("您是矛盾纠纷 %s 的包案领导（%s风险）", d.Number, req.level.Name), Body: d.TerritoryName + "：" + cut(d.Summary, 120)})
		}
	case ActExtend:
		set = append(set, "deadline = ?")
		args = append(args, req.deadline.String())
		step.detail = fmt.Sprintf("化解期限：%s → %s", d.Deadline, req.deadline)
		if err := cancelDeadline(ctx, tx, now, d.ID); err != nil {
			return err
		}
		seq, err := rearmSeq(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		if err := s.scheduleDeadline(ctx, tx, now, d.ID, req.deadline, seq); err != nil {
			return err
		}
	default:
		return fmt.Errorf("dispute: action %s has no effect defined", t.Action)
	}
	args = append(args, d.ID)
	if _, err := tx.Exec(ctx, "UPDATE disputes SET "+strings.Join(set, ", ")+" WHERE id = ?", args...); err != nil {
		return err
	}
	stepID, err := insertStep(ctx, tx, a, now, step)
	if err != nil {
		return err
	}
	e := a.Entry(now, "dispute."+t.Action, "dispute", itoa(d.ID), d.TerritoryOrgID)
	e.Detail = fmt.Sprintf("%s %s → %s", d.Number, d.Status, to)
	e.Before = map[string]any{"status": d.Status, "deadline": d.Deadline, "risk_level": d.RiskLevel}
	e.After = map[string]any{"status": to, "step": stepID}
	if err := audit.Append(ctx, tx, e); err != nil {
		return err
	}
	return s.notify(ctx, tx, notes...)
}

// Party is the lead party's name and phone, unmasked.
type Party struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Reveal opens the lead party's name and phone for someone who handles
// the dispute (dispute.manage in its scope) and records the opening in the
// trail. Others get 403 (they see the dispute) or 404, also recorded.
func (s *Service) Reveal(ctx context.Context, a *auth.Actor, id int64) (*Party, error) {
	d, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, a, auth.DisputeManage, d); err != nil {
		return nil, err
	}
	if !d.HasParty() {
		return &Party{}, nil
	}
	if s.Cipher == nil {
		return nil, apperr.New(apperr.EINTERNAL, "field cipher not configured")
	}
	var p Party
	if p.Name, err = s.Cipher.OpenString(d.nameSealed, CtxPartyName); err != nil {
		return nil, fmt.Errorf("dispute %d: party name: %w", id, err)
	}
	if p.Phone, err = s.Cipher.OpenString(d.phoneSealed, CtxPartyPhone); err != nil {
		return nil, fmt.Errorf("dispute %d: party phone: %w", id, err)
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		e := a.Entry(s.Clock.Now(), "dispute.reveal", "dispute", itoa(d.ID), d.TerritoryOrgID)
		e.Detail = d.Number + " 当事人姓名、联系电话 / party name and phone"
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func sameLead(a, b Lead) bool {
	if a.Name != b.Name || a.Title != b.Title || (a.UserID == nil) != (b.UserID == nil) {
		return false
	}
	return a.UserID == nil || *a.UserID == *b.UserID
}
