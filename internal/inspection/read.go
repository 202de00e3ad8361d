package inspection

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// Person is an account named on an inspection.
type Person struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// TemplateRef names the checklist version an inspection answered.
type TemplateRef struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Version int    `json:"version"`
}

// Counts sum up an inspection's answers and findings.
type Counts struct {
	Pass       int `json:"pass"`
	Fail       int `json:"fail"`
	NA         int `json:"na"`
	Unanswered int `json:"unanswered"`
	Findings   int `json:"findings"`
	Hazards    int `json:"hazards"` // registered from it so far
}

// Problems is the number of failed items and findings.
func (c Counts) Problems() int { return c.Fail + c.Findings }

// Inspection is one inspection with everything it holds.
type Inspection struct {
	ID             int64         `json:"id"`
	Kind           string        `json:"kind"`
	KindName       string        `json:"kind_name"`
	Status         string        `json:"status"` // draft, submitted
	EnterpriseID   *int64        `json:"enterprise_id"`
	EnterpriseName string        `json:"enterprise_name"`
	Address        string        `json:"address"` // the enterprise's
	Place          string        `json:"place"`
	TerritoryOrgID int64         `json:"territory_org_id"`
	TerritoryName  string        `json:"territory_name"`
	OrgID          *int64        `json:"org_id"` // the inspecting org (none for a self-inspection)
	OrgName        string        `json:"org_name"`
	Leader         *Person       `json:"leader"`
	Inspectors     []Person      `json:"inspectors"`
	Participants   string        `json:"participants"`
	InspectedAt    time.Time     `json:"inspected_at"`
	Template       *TemplateRef  `json:"template"`
	Summary        string        `json:"summary"`
	PreviousID     *int64        `json:"previous_id"`
	CampaignID     *int64        `json:"campaign_id"`
	Counts         Counts        `json:"counts"`
	Answers        []Answer      `json:"answers"`
	Findings       []FreeFinding `json:"findings"`
	// Photos of the inspection as a whole (each answer and finding has its own).
	Photos      []attachment.Info `json:"photos"`
	CreatedBy   Person            `json:"created_by"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	SubmittedAt *time.Time        `json:"submitted_at"`
	// What the caller may do now.
	CanEdit            bool `json:"can_edit"`             // a draft of theirs
	CanRegisterHazards bool `json:"can_register_hazards"` // submitted, the caller records here, and registration is available
	// Files are the photos for pages.
	Files []attachment.Attachment `json:"-"`
	Path  string                  `json:"-"`
}

// Answer is one checklist item as answered.
type Answer struct {
	ID           int64                   `json:"id"`
	ItemID       int64                   `json:"item_id"`
	Number       int                     `json:"number"`
	Text         string                  `json:"text"`
	Category     string                  `json:"category"`
	CategoryName string                  `json:"category_name"`
	Basis        string                  `json:"basis"`
	Result       string                  `json:"result"` // pass, fail, na; "" not answered (drafts)
	Note         string                  `json:"note"`
	HazardID     *int64                  `json:"hazard_id"`
	HazardNumber string                  `json:"hazard_number"`
	Photos       []attachment.Info       `json:"photos"`
	Files        []attachment.Attachment `json:"-"`
}

// FreeFinding is a problem found outside the checklist (其他发现).
type FreeFinding struct {
	ID           int64                   `json:"id"`
	Number       int                     `json:"number"`
	Text         string                  `json:"text"`
	Category     string                  `json:"category"`
	CategoryName string                  `json:"category_name"`
	Location     string                  `json:"location"`
	Note         string                  `json:"note"`
	HazardID     *int64                  `json:"hazard_id"`
	HazardNumber string                  `json:"hazard_number"`
	Photos       []attachment.Info       `json:"photos"`
	Files        []attachment.Attachment `json:"-"`
}

// Subject is what was inspected, as one line.
func (i *Inspection) Subject() string {
	switch {
	case i.EnterpriseName != "" && i.Place != "":
		return i.EnterpriseName + "（" + i.Place + "）"
	case i.EnterpriseName != "":
		return i.EnterpriseName
	}
	return i.Place
}

// Failed lists the failed answers.
func (i *Inspection) Failed() []Answer {
	var out []Answer
	for _, a := range i.Answers {
		if a.Result == Fail {
			out = append(out, a)
		}
	}
	return out
}

// InspectorNames joins the inspectors' names.
func (i *Inspection) InspectorNames() string {
	names := make([]string, len(i.Inspectors))
	for k, p := range i.Inspectors {
		names[k] = p.Name
	}
	return strings.Join(names, "、")
}

const inspectionCols = `i.id, i.kind, i.status, i.enterprise_id, i.enterprise_name, COALESCE(e.address, ''), i.place, i.territory_org_id, t.name,
	i.org_id, COALESCE(o.name, ''), i.leader_user_id, COALESCE(l.name, ''), i.participants, i.inspected_at,
	i.template_id, COALESCE(tp.name, ''), i.template_version, i.summary, i.previous_id, i.campaign_id,
	i.pass_count, i.fail_count, i.na_count, i.finding_count, i.created_by, COALESCE(c.name, ''), i.created_at, i.updated_at, i.submitted_at, i.path`

const inspectionFrom = ` FROM inspections i JOIN orgs t ON t.id = i.territory_org_id
	LEFT JOIN enterprises e ON e.id = i.enterprise_id LEFT JOIN orgs o ON o.id = i.org_id
	LEFT JOIN users l ON l.id = i.leader_user_id LEFT JOIN users c ON c.id = i.created_by
	LEFT JOIN inspection_templates tp ON tp.id = i.template_id`

func scanInspection(row interface{ Scan(...any) error }) (*Inspection, error) {
	var i Inspection
	var ent, orgID, leader, tmpl, tmplVer, prev, campaign, createdBy sql.NullInt64
	var leaderName, tmplName string
	var submitted sql.NullTime
	err := row.Scan(&i.ID, &i.Kind, &i.Status, &ent, &i.EnterpriseName, &i.Address, &i.Place, &i.TerritoryOrgID, &i.TerritoryName,
		&orgID, &i.OrgName, &leader, &leaderName, &i.Participants, &i.InspectedAt,
		&tmpl, &tmplName, &tmplVer, &i.Summary, &prev, &campaign,
		&i.Counts.Pass, &i.Counts.Fail, &i.Counts.NA, &i.Counts.Findings, &createdBy, &i.CreatedBy.Name, &i.CreatedAt, &i.UpdatedAt, &submitted, &i.Path)
	if err != nil {
		return nil, err
	}
	i.KindName = KindNames[i.Kind]
	i.EnterpriseID, i.OrgID, i.PreviousID, i.CampaignID = nullPtr(ent), nullPtr(orgID), nullPtr(prev), nullPtr(campaign)
	if leader.Valid {
		i.Leader = &Person{ID: leader.Int64, Name: leaderName}
	}
	if tmpl.Valid {
		i.Template = &TemplateRef{ID: tmpl.Int64, Name: tmplName, Version: int(tmplVer.Int64)}
	}
	i.CreatedBy.ID = createdBy.Int64
	i.InspectedAt, i.CreatedAt, i.UpdatedAt = i.InspectedAt.UTC(), i.CreatedAt.UTC(), i.UpdatedAt.UTC()
	if submitted.Valid {
		t := submitted.Time.UTC()
		i.SubmittedAt = &t
	}
	return &i, nil
}

func nullPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// Get returns inspection id with its answers, findings and photos, when
// the actor may see it (otherwise not found, and the refusal is recorded).
func (s *Service) Get(ctx context.Context, a *auth.Actor, id int64) (*Inspection, error) {
	i, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, a, auth.InspectionView, i.Path, i.Kind, itoa(id), i.TerritoryOrgID); err != nil {
		return nil, err
	}
	if err := s.fill(ctx, s.DB, i); err != nil {
		return nil, err
	}
	i.CanEdit = i.Status == StatusDraft && a.UserID != 0 && i.CreatedBy.ID == a.UserID && can(a, auth.InspectionRecord, i.Path, i.Kind)
	i.CanRegisterHazards = i.Status == StatusSubmitted && s.Registrar() != nil && can(a, auth.InspectionRecord, i.Path, i.Kind)
	return i, nil
}

// CanView is the attachment owner check: who may see inspection id may see its photos.
func (s *Service) CanView(ctx context.Context, a *auth.Actor, id int64) error {
	var path, kind string
	err := s.DB.QueryRow(ctx, "SELECT path, kind FROM inspections WHERE id = ?", id).Scan(&path, &kind)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !can(a, auth.InspectionView, path, kind)) {
		return apperr.NotFound("inspection")
	}
	return err
}

func (s *Service) load(ctx context.Context, q db.Querier, id int64) (*Inspection, error) {
	i, err := scanInspection(q.QueryRow(ctx, "SELECT "+inspectionCols+inspectionFrom+" WHERE i.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("inspection")
	}
	return i, err
}

// fill reads an inspection's inspectors, answers, findings and photos.
func (s *Service) fill(ctx context.Context, q db.Querier, i *Inspection) error {
	i.Inspectors = []Person{}
	rows, err := q.Query(ctx, "SELECT user_id, name FROM inspection_inspectors WHERE inspection_id = ? ORDER BY sort, user_id", i.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			rows.Close()
			return err
		}
		i.Inspectors = append(i.Inspectors, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	i.Answers = []Answer{}
	rows, err = q.Query(ctx, `SELECT a.id, a.item_id, it.number, it.text, it.category, it.basis, COALESCE(a.result, ''), a.note, a.hazard_id, a.hazard_number
		FROM inspection_answers a JOIN inspection_template_items it ON it.id = a.item_id WHERE a.inspection_id = ? ORDER BY it.number`, i.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var an Answer
		var hz sql.NullInt64
		if err := rows.Scan(&an.ID, &an.ItemID, &an.Number, &an.Text, &an.Category, &an.Basis, &an.Result, &an.Note, &hz, &an.HazardNumber); err != nil {
			rows.Close()
			return err
		}
		an.CategoryName, an.HazardID = CategoryName(an.Category), nullPtr(hz)
		if an.Result == "" {
			i.Counts.Unanswered++
		}
		if hz.Valid {
			i.Counts.Hazards++
		}
		an.Photos = []attachment.Info{}
		i.Answers = append(i.Answers, an)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	i.Findings = []FreeFinding{}
	rows, err = q.Query(ctx, `SELECT id, number, text, category, location, note, hazard_id, hazard_number
		FROM inspection_findings WHERE inspection_id = ? ORDER BY number, id`, i.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var f FreeFinding
		var hz sql.NullInt64
		if err := rows.Scan(&f.ID, &f.Number, &f.Text, &f.Category, &f.Location, &f.Note, &hz, &f.HazardNumber); err != nil {
			rows.Close()
			return err
		}
		f.CategoryName, f.HazardID = CategoryName(f.Category), nullPtr(hz)
		if hz.Valid {
			i.Counts.Hazards++
		}
		f.Photos = []attachment.Info{}
		i.Findings = append(i.Findings, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Photos: all the inspection's attachments, sorted to their answer or finding.
	i.Photos = []attachment.Info{}
	if s.Attachments == nil {
		return nil
	}
	atts, err := s.Attachments.List(ctx, q, OwnerType, i.ID)
	if err != nil {
		return err
	}
	where := map[int64][2]int64{}
	rows, err = q.Query(ctx, "SELECT attachment_id, answer_id, finding_id FROM inspection_photos WHERE inspection_id = ?", i.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var att int64
		var an, f sql.NullInt64
		if err := rows.Scan(&att, &an, &f); err != nil {
			rows.Close()
			return err
		}
		where[att] = [2]int64{an.Int64, f.Int64}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	answerAt, findingAt := map[int64]int{}, map[int64]int{}
	for k, an := range i.Answers {
		answerAt[an.ID] = k
	}
	for k, f := range i.Findings {
		findingAt[f.ID] = k
	}
	for _, att := range atts[i.ID] {
		w := where[att.ID]
		if k, ok := answerAt[w[0]]; ok && w[0] != 0 {
			i.Answers[k].Files = append(i.Answers[k].Files, att)
			i.Answers[k].Photos = append(i.Answers[k].Photos, att.Info())
		} else if k, ok := findingAt[w[1]]; ok && w[1] != 0 {
			i.Findings[k].Files = append(i.Findings[k].Files, att)
			i.Findings[k].Photos = append(i.Findings[k].Photos, att.Info())
		} else {
			i.Files = append(i.Files, att)
			i.Photos = append(i.Photos, att.Info())
		}
	}
	return nil
}

// Filter narrows the list.
type Filter struct {
	OrgID        int64  // the inspected territory's subtree
	EnterpriseID int64  // one enterprise
	Kind         string // one kind
	From, To     string // YYYY-MM-DD, inclusive
	Failed       bool   // only inspections with failed items or findings
	Status       string // draft or submitted ("" both)
	Limit        int    // default 50, at most 200
	Offset       int
}

// FilterParams documents the list's query parameters (name, type, description).
var FilterParams = [][3]string{
	{"org_id", "integer", "the territory org and its subtree"},
	{"enterprise_id", "integer", "one enterprise or place of the register"},
	{"kind", "string", "self, territorial, department, leadership, joint or reinspection"},
	{"from", "string", "YYYY-MM-DD, inspected on or after"},
	{"to", "string", "YYYY-MM-DD, inspected on or before"},
	{"failed", "string", "1: only inspections with failed items or findings"},
	{"status", "string", "draft or submitted (default both)"},
	{"limit", "integer", "default 50, at most 200"},
	{"offset", "integer", "rows to skip"},
}

// ParseFilter reads a filter from query parameters.
func ParseFilter(v url.Values) (Filter, error) {
	var f Filter
	var err error
	num := func(name string) (int64, error) {
		s := strings.TrimSpace(v.Get(name))
		if s == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, apperr.Field(apperr.EINVALID, name, "%s 须为非负整数 / %s must be a non-negative integer", name, name)
		}
		return n, nil
	}
	if f.OrgID, err = num("org_id"); err != nil {
		return f, err
	}
	if f.EnterpriseID, err = num("enterprise_id"); err != nil {
		return f, err
	}
	limit, err := num("limit")
	if err != nil {
		return f, err
	}
	offset, err := num("offset")
	if err != nil {
		return f, err
	}
	f.Limit, f.Offset = int(min(limit, 200)), int(min(offset, 1_000_000))
	if f.Kind = strings.TrimSpace(v.Get("kind")); f.Kind != "" && KindNames[f.Kind] == "" {
		return f, apperr.Field(apperr.EINVALID, "kind", "检查类型无效 / unknown kind")
	}
	for _, d := range []struct {
		name string
		to   *string
	}{{"from", &f.From}, {"to", &f.To}} {
		if s := strings.TrimSpace(v.Get(d.name)); s != "" {
			day, err := calendar.ParseDate(s)
			if err != nil {
				return f, apperr.Field(apperr.EINVALID, d.name, "日期须为 YYYY-MM-DD / the date must be YYYY-MM-DD")
			}
			*d.to = day.String()
		}
	}
	switch s := v.Get("failed"); s {
	case "", "0", "false":
	case "1", "true", "on":
		f.Failed = true
	default:
		return f, apperr.Field(apperr.EINVALID, "failed", "failed 须为 1 或 0 / failed is 1 or 0")
	}
	if f.Status = v.Get("status"); f.Status != "" && f.Status != StatusDraft && f.Status != StatusSubmitted {
		return f, apperr.Field(apperr.EINVALID, "status", "状态须为 draft 或 submitted / status is draft or submitted")
	}
	return f, nil
}

// Row is one inspection in a list.
type Row struct {
	ID             int64     `json:"id"`
	Kind           string    `json:"kind"`
	KindName       string    `json:"kind_name"`
	Status         string    `json:"status"`
	EnterpriseID   *int64    `json:"enterprise_id"`
	EnterpriseName string    `json:"enterprise_name"`
	Place          string    `json:"place"`
	TerritoryName  string    `json:"territory_name"`
	OrgName        string    `json:"org_name"`
	InspectedAt    time.Time `json:"inspected_at"`
	Inspectors     []string  `json:"inspectors"`
	TemplateName   string    `json:"template_name"`
	Counts         Counts    `json:"counts"`
}

// Subject is what was inspected, as one line.
func (r Row) Subject() string {
	switch {
	case r.EnterpriseName != "" && r.Place != "":
		return r.EnterpriseName + "（" + r.Place + "）"
	case r.EnterpriseName != "":
		return r.EnterpriseName
	}
	return r.Place
}

// Page is one page of the list, newest first.
type Page struct {
	Items  []Row `json:"items"`
	Total  int   `json:"total"`
	Limit  int   `json:"limit"`
	Offset int   `json:"offset"`
}

// List returns the inspections the actor may see that match f.
func (s *Service) List(ctx context.Context, a *auth.Actor, f Filter) (*Page, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if !canSeeAny(a) {
		return nil, s.refuse(ctx, a, auth.InspectionView, "", 0, apperr.NotFound("inspection"))
	}
	cond, args := scopeSQL(a)
	conds := []string{cond}
	if f.OrgID != 0 {
		o, err := org.ByID(ctx, s.DB, f.OrgID)
		if err != nil {
			return nil, s.refuse(ctx, a, auth.InspectionView, "", f.OrgID, err)
		}
		if !reaches(a, auth.InspectionView, o.Path) {
			// An enterprise contact names no org: its scope is below any.
			return nil, s.refuse(ctx, a, auth.InspectionView, "", o.ID, apperr.NotFound("organisation"))
		}
		c, ar := org.SubtreeSQL("i.path", o.Path)
		conds, args = append(conds, c), append(args, ar...)
	}
	if f.EnterpriseID != 0 {
		conds, args = append(conds, "i.enterprise_id = ?"), append(args, f.EnterpriseID)
	}
	if f.Kind != "" {
		conds, args = append(conds, "i.kind = ?"), append(args, f.Kind)
	}
	if f.From != "" {
		conds, args = append(conds, "i.inspected_day >= ?"), append(args, f.From)
	}
	if f.To != "" {
		conds, args = append(conds, "i.inspected_day <= ?"), append(args, f.To)
	}
	if f.Failed {
		conds = append(conds, "(i.fail_count + i.finding_count) > 0")
	}
	if f.Status != "" {
		conds, args = append(conds, "i.status = ?"), append(args, f.Status)
	}
	where := " WHERE " + strings.Join(conds, " AND ")
	p := &Page{Items: []Row{}, Limit: f.Limit, Offset: f.Offset}
	if p.Limit == 0 {
		p.Limit = 50
	}
	if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM inspections i"+where, args...).Scan(&p.Total); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT i.id, i.kind, i.status, i.enterprise_id, i.enterprise_name, i.place, t.name, COALESCE(o.name, ''), i.inspected_at,
		COALESCE(tp.name, ''), i.pass_count, i.fail_count, i.na_count, i.finding_count,
		(SELECT count(*) FROM inspection_answers x WHERE x.inspection_id = i.id AND x.hazard_id IS NOT NULL) +
		(SELECT count(*) FROM inspection_findings y WHERE y.inspection_id = i.id AND y.hazard_id IS NOT NULL)
		FROM inspections i JOIN orgs t ON t.id = i.territory_org_id LEFT JOIN orgs o ON o.id = i.org_id
		LEFT JOIN inspection_templates tp ON tp.id = i.template_id`+where+" ORDER BY i.inspected_at DESC, i.id DESC LIMIT ? OFFSET ?",
		append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, err
	}
	byID := map[int64]int{}
	for rows.Next() {
		var r Row
		var ent sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Kind, &r.Status, &ent, &r.EnterpriseName, &r.Place, &r.TerritoryName, &r.OrgName, &r.InspectedAt,
			&r.TemplateName, &r.Counts.Pass, &r.Counts.Fail, &r.Counts.NA, &r.Counts.Findings, &r.Counts.Hazards); err != nil {
			rows.Close()
			return nil, err
		}
		r.KindName, r.EnterpriseID, r.InspectedAt, r.Inspectors = KindNames[r.Kind], nullPtr(ent), r.InspectedAt.UTC(), []string{}
		byID[r.ID] = len(p.Items)
		p.Items = append(p.Items, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(p.Items) == 0 {
		return p, nil
	}
	marks, ids := make([]string, 0, len(p.Items)), make([]any, 0, len(p.Items))
	for _, r := range p.Items {
		marks, ids = append(marks, "?"), append(ids, r.ID)
	}
	rows, err = s.DB.Query(ctx, "SELECT inspection_id, name FROM inspection_inspectors WHERE inspection_id IN ("+strings.Join(marks, ", ")+") ORDER BY inspection_id, sort, user_id", ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		k := byID[id]
		p.Items[k].Inspectors = append(p.Items[k].Inspectors, name)
	}
	return p, rows.Err()
}
