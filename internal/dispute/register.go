package dispute

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/sealed"
)

// Input registers a dispute (排查登记). Only org_id, type, summary,
// party_count and risk_level are needed; what the system knows is filled
// in (the responsible unit from its org, the person from their account,
// the 包案领导 from the risk level's rule, the deadline from the settings).
type Input struct {
	OrgID      int64      `json:"org_id"`                // 管辖单位 (default: the caller's org)
	OccurredAt *time.Time `json:"occurred_at,omitempty"` // 发生/受理时间 (default: now)
	Place      string     `json:"place,omitempty"`       // 地点
	Type       string     `json:"type"`                  // type code (GET /api/v1/disputes/types)
	Summary    string     `json:"summary"`               // 纠纷简要情况
	// Parties describes who is involved as groups (村民、施工方), without
	// personal data; PartyCount is how many people (5 or more: 群体性).
	Parties    string `json:"parties,omitempty"`
	PartyCount int    `json:"party_count"`
	// The lead party's name and phone (optional, personal data: sealed,
	// masked, opened only by whoever handles the dispute).
	PartyName         string  `json:"party_name,omitempty"`
	PartyPhone        string  `json:"party_phone,omitempty"`
	AmountYuan        float64 `json:"amount_yuan,omitempty"` // 涉及金额
	RiskLevel         string  `json:"risk_level"`            // level code (GET /api/v1/disputes/risk-levels)
	Urgency           string  `json:"urgency,omitempty"`     // normal (default), urgent, critical
	ResponsibleOrgID  *int64  `json:"responsible_org_id,omitempty"`
	ResponsibleUnit   string  `json:"responsible_unit,omitempty"`
	ResponsiblePerson string  `json:"responsible_person,omitempty"`
	ResponsibleUserID *int64  `json:"responsible_user_id,omitempty"`
	Resolver          string  `json:"resolver,omitempty"` // 化解责任人
	// The 包案领导: an account, or a name and title. A level with a lead
	// rule fills it in and accepts only the person its rule names (or a
	// leader above them).
	LeadUserID       *int64 `json:"lead_user_id,omitempty"`
	LeadName         string `json:"lead_name,omitempty"`
	LeadTitle        string `json:"lead_title,omitempty"`
	SupervisingOrgID *int64 `json:"supervising_org_id,omitempty"` // 督办部门
	Deadline         string `json:"deadline,omitempty"`           // 化解期限, YYYY-MM-DD
	Comment          string `json:"comment,omitempty"`            // on the timeline
}

// plan is a checked registration, ready to write.
type plan struct {
	in          Input
	now         time.Time
	territory   *org.Org
	respPath    string
	occurred    time.Time
	deadline    calendar.Date
	amountCents int64
	lead        Lead
	level       *RiskLevel
	imported    bool
	sourceRef   string // an imported row: 导入:<its number in the file>
}

// Register registers a dispute and returns it.
func (s *Service) Register(ctx context.Context, a *auth.Actor, in Input) (*Dispute, error) {
	p, err := s.plan(ctx, s.DB, a, in, false)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err = s.write(ctx, tx, a, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// plan checks in for a, fills in what is known, and resolves the lead.
func (s *Service) plan(ctx context.Context, q db.Querier, a *auth.Actor, in Input, imported bool) (*plan, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	p := &plan{now: s.Clock.Now(), imported: imported}
	today := calendar.DateOf(p.now)
	var err error
	// Where: the territory (管辖单位), checked first so that an org out of
	// scope answers 404 whatever else is wrong.
	if in.OrgID == 0 {
		in.OrgID = a.OrgID
	}
	if p.territory, err = org.ByID(ctx, q, in.OrgID); err != nil {
		return nil, apperr.Field(apperr.EINVALID, "org_id", "管辖单位 %d 不存在 / org %d does not exist", in.OrgID, in.OrgID)
	}
	if err := s.Auth.Check(ctx, a, auth.DisputeReport, p.territory.Path, "dispute", ""); err != nil {
		return nil, err
	}
	switch p.territory.Kind {
	case org.Department, org.PoliceStation:
		return nil, apperr.Field(apperr.EINVALID, "org_id", "管辖单位须为区、乡镇（街道）或村（社区） / the territory is the district, a township or street, or a village or community")
	}
	if in.Summary, err = clean("summary", in.Summary, maxSummary, true); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"place", &in.Place, maxText}, {"parties", &in.Parties, maxText}, {"party_name", &in.PartyName, 50}, {"party_phone", &in.PartyPhone, 30},
		{"responsible_unit", &in.ResponsibleUnit, maxText}, {"responsible_person", &in.ResponsiblePerson, 50}, {"resolver", &in.Resolver, 50},
		{"lead_name", &in.LeadName, 50}, {"lead_title", &in.LeadTitle, 50}, {"comment", &in.Comment, maxComment}} {
		if *f.v, err = clean(f.name, *f.v, f.max, false); err != nil {
			return nil, err
		}
	}
	if in.PartyCount < 1 || in.PartyCount > 100000 {
		return nil, apperr.Field(apperr.EINVALID, "party_count", "涉及人数须在 1–100000 之间 / party_count is 1–100000")
	}
	if in.PartyPhone != "" && !sealed.ValidPhone(in.PartyPhone) {
		return nil, apperr.Field(apperr.EINVALID, "party_phone", "联系电话格式不对（手机 11 位，座机带区号） / the phone is not a number (a mobile has 11 digits, a landline its area code)")
	}
	if in.PartyPhone != "" {
		in.PartyPhone = sealed.NormalizePhone(in.PartyPhone)
	}
	if in.AmountYuan < 0 || in.AmountYuan > 1e10 || math.IsNaN(in.AmountYuan) {
		return nil, apperr.Field(apperr.EINVALID, "amount_yuan", "涉及金额须在 0 至 100 亿元之间 / amount_yuan is between 0 and 10 billion")
	}
	p.amountCents = int64(math.Round(in.AmountYuan * 100))
	// Type, level, urgency.
	var typeActive bool
	if err := q.QueryRow(ctx, "SELECT active FROM dispute_types WHERE code = ?", in.Type).Scan(&typeActive); err != nil || !typeActive {
		return nil, apperr.Field(apperr.EINVALID, "type", "没有纠纷类型“%s”（见 /api/v1/disputes/types） / no dispute type %q (see /api/v1/disputes/types)", in.Type, in.Type)
	}
	if p.level, err = riskLevel(ctx, q, in.RiskLevel); err != nil {
		return nil, err
	}
	if p.level == nil || !p.level.Active {
		return nil, apperr.Field(apperr.EINVALID, "risk_level", "没有风险等级“%s”（见 /api/v1/disputes/risk-levels） / no risk level %q (see /api/v1/disputes/risk-levels)", in.RiskLevel, in.RiskLevel)
	}
	if in.Urgency == "" {
		in.Urgency = UrgencyNormal
	}
	if _, ok := UrgencyZH[in.Urgency]; !ok {
		return nil, apperr.Field(apperr.EINVALID, "urgency", "紧急程度只能是 normal、urgent、critical / urgency is normal, urgent or critical")
	}
	// When.
	p.occurred = p.now
	if in.OccurredAt != nil {
		p.occurred = in.OccurredAt.UTC().Truncate(time.Second)
		if p.occurred.After(p.now.Add(10 * time.Minute)) {
			return nil, apperr.Field(apperr.EINVALID, "occurred_at", "发生时间不能晚于现在 / occurred_at cannot be in the future")
		}
		if p.occurred.Year() < 1990 {
			return nil, apperr.Field(apperr.EINVALID, "occurred_at", "发生时间不合理 / occurred_at is not plausible")
		}
	}
	occurredDay := calendar.DateOf(p.occurred)
	st, err := LoadSettings(ctx, q)
	if err != nil {
		return nil, err
	}
	if in.Deadline == "" {
		from := occurredDay
		if !imported && from.Before(today) {
			from = today
		}
		p.deadline = from.AddDays(st.DefaultDays)
	} else {
		if p.deadline, err = calendar.ParseDate(strings.TrimSpace(in.Deadline)); err != nil {
			return nil, apperr.Field(apperr.EINVALID, "deadline", "化解期限须为 YYYY-MM-DD / deadline must be YYYY-MM-DD")
		}
		if p.deadline.Before(occurredDay) {
			return nil, apperr.Field(apperr.EINVALID, "deadline", "化解期限不能早于发生时间 / the deadline cannot be before the dispute")
		}
		if !imported && p.deadline.Before(today) {
			return nil, apperr.Field(apperr.EINVALID, "deadline", "化解期限不能早于今天 / the deadline cannot be before today")
		}
		if p.deadline.After(today.AddDays(3 * 366)) {
			return nil, apperr.Field(apperr.EINVALID, "deadline", "化解期限不能超过三年 / the deadline cannot be more than three years ahead")
		}
	}
	// Who answers for it.
	if in.ResponsibleOrgID != nil {
		ro, err := org.ByID(ctx, q, *in.ResponsibleOrgID)
		if err != nil {
			return nil, apperr.Field(apperr.EINVALID, "responsible_org_id", "责任单位 %d 不存在 / org %d does not exist", *in.ResponsibleOrgID, *in.ResponsibleOrgID)
		}
		if ro.ID != p.territory.ID {
			p.respPath = ro.Path
		}
		if in.ResponsibleUnit == "" {
			in.ResponsibleUnit = ro.Name
		}
	}
	if in.ResponsibleUnit == "" {
		in.ResponsibleUnit = p.territory.Name
	}
	if in.ResponsibleUserID != nil {
		name, _, err := activeUser(ctx, q, *in.ResponsibleUserID)
		if err != nil {
			return nil, apperr.Field(apperr.EINVALID, "responsible_user_id", "负责人账号 %d 不存在或已停用 / user %d does not exist or is disabled", *in.ResponsibleUserID, *in.ResponsibleUserID)
		}
		if in.ResponsiblePerson == "" {
			in.ResponsiblePerson = name
		}
	}
	if in.SupervisingOrgID != nil {
		if _, err := org.ByID(ctx, q, *in.SupervisingOrgID); err != nil {
			return nil, apperr.Field(apperr.EINVALID, "supervising_org_id", "督办部门 %d 不存在 / org %d does not exist", *in.SupervisingOrgID, *in.SupervisingOrgID)
		}
	}
	if p.lead, err = s.resolveLead(ctx, q, p.level, p.territory, Lead{Name: in.LeadName, Title: in.LeadTitle, UserID: in.LeadUserID}); err != nil {
		return nil, err
	}
	p.in = in
	return p, nil
}

// activeUser reads the name and post of an enabled account.
func activeUser(ctx context.Context, q db.Querier, id int64) (name, post string, err error) {
	var disabled bool
	err = q.QueryRow(ctx, "SELECT name, post, disabled FROM users WHERE id = ?", id).Scan(&name, &post, &disabled)
	if err == nil && disabled {
		err = sql.ErrNoRows
	}
	return name, post, err
}

// leadOrg is the org in which a level's lead is found for a territory:
// the territory's township (乡镇/街道/开发区; the district itself for a
// dispute of the district), or the district.
func leadOrg(ctx context.Context, q db.Querier, scope string, territory *org.Org) (*org.Org, error) {
	chain, err := org.Ancestors(ctx, q, territory)
	if err != nil {
		return nil, err
	}
	chain = append(chain, *territory)
	if scope == LeadTownship {
		for i := len(chain) - 1; i >= 0; i-- {
			if org.Territorial(chain[i].Kind) {
				return &chain[i], nil
			}
		}
	}
	return &chain[0], nil
}

// LeadCandidate is a person a level's rule names as 包案领导.
type LeadCandidate struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Title  string `json:"title"`
	Org    string `json:"org"`
}

// LeadCandidates lists the people a level's rule names for a territory
// (none when the level has no rule), in the order of its posts.
func LeadCandidates(ctx context.Context, q db.Querier, level *RiskLevel, territory *org.Org) ([]LeadCandidate, *org.Org, error) {
	if level == nil || !level.NeedsLead() {
		return nil, nil, nil
	}
	o, err := leadOrg(ctx, q, level.LeadScope, territory)
	if err != nil {
		return nil, nil, err
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(level.LeadPosts)), ", ")
	args := []any{o.ID}
	for _, p := range level.LeadPosts {
		args = append(args, p)
	}
	rows, err := q.Query(ctx, "SELECT id, name, post FROM users WHERE org_id = ? AND NOT disabled AND post IN ("+marks+") ORDER BY id", args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []LeadCandidate
	for rows.Next() {
		var c LeadCandidate
		if err := rows.Scan(&c.UserID, &c.Name, &c.Title); err != nil {
			return nil, nil, err
		}
		c.Title, c.Org = o.Name+c.Title, o.Name
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rank := map[string]int{}
	for i, p := range level.LeadPosts {
		rank[o.Name+p] = i
	}
	// Stable by the order of the posts in the rule.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && rank[out[j].Title] < rank[out[j-1].Title]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, o, nil
}

// resolveLead applies the level's rule to the lead asked for: no rule, the
// lead as given; a rule, the person it names (filled in when none is
// given), or a leader whose scope covers the rule's org (高位包案), or —
// when nobody in the system holds the post — the name and title given.
func (s *Service) resolveLead(ctx context.Context, q db.Querier, level *RiskLevel, territory *org.Org, want Lead) (Lead, error) {
	fromUser := func(id int64) (Lead, error) {
		name, post, err := activeUser(ctx, q, id)
		if err != nil {
			return Lead{}, apperr.Field(apperr.EINVALID, "lead_user_id", "包案领导账号 %d 不存在或已停用 / user %d does not exist or is disabled", id, id)
		}
		l := Lead{Name: name, Title: post, UserID: &id}
		if want.Title != "" {
			l.Title = want.Title
		}
		return l, nil
	}
	cands, ruleOrg, err := LeadCandidates(ctx, q, level, territory)
	if err != nil {
		return Lead{}, err
	}
	if ruleOrg == nil { // no rule
		if want.UserID != nil {
			return fromUser(*want.UserID)
		}
		return Lead{Name: want.Name, Title: want.Title}, nil
	}
	who := ruleOrg.Name + strings.Join(level.LeadPosts, "或")
	if want.UserID != nil {
		for _, c := range cands {
			if c.UserID == *want.UserID {
				id := c.UserID
				return Lead{Name: c.Name, Title: c.Title, UserID: &id}, nil
			}
		}
		// A leader above the rule's org may take the case personally.
		var n int
		if err := q.QueryRow(ctx, `SELECT count(*) FROM user_roles r JOIN orgs o ON o.id = r.scope_org_id
			WHERE r.user_id = ? AND r.role = ? AND ? LIKE o.path || '%'`, *want.UserID, auth.RoleLeader, ruleOrg.Path).Scan(&n); err != nil {
			return Lead{}, err
		}
		if n > 0 {
			return fromUser(*want.UserID)
		}
		return Lead{}, apperr.Field(apperr.ERULE, "lead_user_id", "%s风险的纠纷须由%s（或其上级领导）包案 / a %s dispute is led by %s or a leader above", level.Name, who, level.Code, who)
	}
	if len(cands) == 0 {
		if want.Name == "" {
			return Lead{}, apperr.Field(apperr.EINVALID, "lead_name", "%s风险的纠纷须由%s包案，系统中没有此人，请填写包案领导姓名和职务 / a %s dispute is led by %s; nobody in the system holds the post: give the lead's name and title",
				level.Name, who, level.Code, who)
		}
		return Lead{Name: want.Name, Title: want.Title}, nil
	}
	if want.Name == "" {
		c := cands[0]
		return Lead{Name: c.Name, Title: c.Title, UserID: &c.UserID}, nil
	}
	for _, c := range cands {
		if c.Name == want.Name {
			id := c.UserID
			return Lead{Name: c.Name, Title: c.Title, UserID: &id}, nil
		}
	}
	return Lead{}, apperr.Field(apperr.ERULE, "lead_name", "%s风险的纠纷须由%s（%s）包案 / a %s dispute is led by %s (%s)", level.Name, who, cands[0].Name, level.Code, who, cands[0].Name)
}

// nextNumber takes the next number of the year: MD-2026-000123.
func nextNumber(ctx context.Context, tx *db.Tx, year int) (string, error) {
	var last int64
	err := tx.QueryRow(ctx, `INSERT INTO dispute_counters (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = dispute_counters.last + 1 RETURNING last`, year).Scan(&last)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("MD-%04d-%06d", year, last), nil
}

func searchText(parts ...string) string {
	return strings.ToLower(strings.Join(parts, " "))
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// write inserts a planned registration inside tx: the row with the party
// sealed, the timeline, the clock engine, the lead's notice and the trail.
func (s *Service) write(ctx context.Context, tx *db.Tx, a *auth.Actor, p *plan) (int64, error) {
	in := p.in
	number, err := nextNumber(ctx, tx, calendar.DateOf(p.now).Year)
	if err != nil {
		return 0, err
	}
	if s.Cipher == nil && (in.PartyName != "" || in.PartyPhone != "") {
		return 0, errors.New("dispute: no field cipher to seal the party's data")
	}
	var nameSealed, phoneSealed, phoneIndex string
	if s.Cipher != nil {
		if nameSealed, err = s.Cipher.SealString(in.PartyName, CtxPartyName); err != nil {
			return 0, err
		}
		if phoneSealed, err = s.Cipher.SealString(in.PartyPhone, CtxPartyPhone); err != nil {
			return 0, err
		}
		phoneIndex = s.Cipher.Index(IndexPhone, sealed.NormalizePhone(in.PartyPhone))
	}
	text := searchText(number, in.Summary, in.Place, in.Parties, in.ResponsibleUnit, in.ResponsiblePerson, in.Resolver, p.lead.Name, p.territory.Name)
	var createdBy any
	if a.UserID != 0 {
		createdBy = a.UserID
	}
	id, err := db.InsertID(ctx, tx, `INSERT INTO disputes (number, source_ref, occurred_at, occurred_day, place, type_code, summary, parties, party_count, many_people,
		party_name_sealed, party_phone_sealed, party_phone_index, amount_cents, risk_level, urgency, territory_org_id, path, responsible_org_id, resp_path,
		responsible_unit, responsible_person, responsible_user_id, resolver, lead_name, lead_title, lead_user_id, supervising_org_id, deadline, status,
		search_text, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		number, p.sourceRef, p.occurred, calendar.DateOf(p.occurred).String(), in.Place, in.Type, in.Summary, in.Parties, in.PartyCount, in.PartyCount >= ManyPeople,
		nameSealed, phoneSealed, phoneIndex, p.amountCents, in.RiskLevel, in.Urgency, p.territory.ID, p.territory.Path, nullInt(in.ResponsibleOrgID), p.respPath,
		in.ResponsibleUnit, in.ResponsiblePerson, nullInt(in.ResponsibleUserID), in.Resolver, p.lead.Name, p.lead.Title, nullInt(p.lead.UserID),
		nullInt(in.SupervisingOrgID), p.deadline.String(), Registered, text, createdBy, p.now, p.now)
	if err != nil {
		return 0, err
	}
	action, comment := ActRegister, in.Comment
	if p.imported {
		action, comment = EventImported, ""
	}
	if _, err := insertStep(ctx, tx, a, p.now, stepRow{disputeID: id, action: action, to: Registered, comment: comment,
		detail: fmt.Sprintf("风险等级：%s；包案领导：%s", p.level.Name, leadLine(p.lead))}); err != nil {
		return 0, err
	}
	if !p.deadline.Before(calendar.DateOf(p.now)) {
		if err := s.scheduleDeadline(ctx, tx, p.now, id, p.deadline, 0); err != nil {
			return 0, err
		}
	}
	e := a.Entry(p.now, "dispute."+action, "dispute", itoa(id), p.territory.ID)
	e.Detail = fmt.Sprintf("%s %s %s", number, in.Type, in.RiskLevel)
	// The trail proves, it does not copy: the party's data is digested with the rest.
	e.After = map[string]any{"number": number, "type": in.Type, "risk_level": in.RiskLevel, "party_count": in.PartyCount, "party": nameSealed != "" || phoneSealed != ""}
	if err := audit.Append(ctx, tx, e); err != nil {
		return 0, err
	}
	if p.lead.UserID != nil && *p.lead.UserID != a.UserID && !p.imported {
		return id, s.notify(ctx, tx, Note{UserIDs: []int64{*p.lead.UserID}, Link: "/disputes/" + itoa(id), DedupeKey: "dispute/lead/" + itoa(id),
			Title: fmt.Sprintf("您是矛盾纠纷 %s 的包案领导（%s风险）", number, p.level.Name), Body: p.territory.Name + "：" + cut(in.Summary, 120)})
	}
	return id, nil
}

func leadLine(l Lead) string {
	switch {
	case l.Name == "":
		return "未明确"
	case l.Title == "":
		return l.Name
	}
	return l.Name + "（" + l.Title + "）"
}
