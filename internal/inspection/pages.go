package inspection

import (
	"context"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/web"
)

//go:embed templates static
var assets embed.FS

// Form rows: free findings shown, and more folded away (no script needed).
const (
	formFindings     = 1
	formMoreFindings = 4
)

func registerPages(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	web.AddMessages(messages)
	srv.Page("GET", "/inspections", h.listPage)
	srv.Page("GET", "/inspections/new", h.newPage)
	srv.Page("POST", "/inspections", h.createForm)
	srv.Page("GET", "/inspections/{id}", h.detailPage)
	srv.Page("GET", "/inspections/{id}/edit", h.editPage)
	srv.Page("POST", "/inspections/{id}", h.updateForm)
	srv.Page("POST", "/inspections/{id}/hazards", h.hazardForm)
	srv.Stylesheet("/static/inspection.css", assets, "static/inspection.css") // the CSP allows only same-origin styles
	srv.AddMenu(web.MenuItem{Href: "/inspections", Label: "nav.inspections", Group: web.MenuSafety, Weight: 20, Show: canSeeAny})
}

func (h *handlers) tmpl(file string) *template.Template {
	return h.srv.Template(assets, "templates/"+file, "templates/partials.html")
}

func (h *handlers) render(w http.ResponseWriter, r *http.Request, a *auth.Actor, title, file string, data any, failure error) error {
	return h.srv.RenderPage(w, r, a, h.tmpl(file), title, data, failure)
}

// ---- list ----

type listPage struct {
	F         Filter
	Page      *Page
	Kinds     []string
	CanRecord bool
	PrevURL   string
	NextURL   string
	Lang      string
}

// Filtered reports whether any filter is set.
func (l *listPage) Filtered() bool {
	return l.F.Kind != "" || l.F.From != "" || l.F.To != "" || l.F.Failed || l.F.Status != "" || l.F.EnterpriseID != 0 || l.F.OrgID != 0
}

func (h *handlers) listPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	if f.Limit == 0 {
		f.Limit = 30
	}
	p, err := h.svc.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	d := &listPage{F: f, Page: p, Kinds: Kinds, CanRecord: canRecordAny(a), Lang: web.Lang(r)}
	q := r.URL.Query()
	if f.Offset > 0 {
		q.Set("offset", strconv.Itoa(max(f.Offset-p.Limit, 0)))
		d.PrevURL = "/inspections?" + q.Encode()
	}
	if f.Offset+len(p.Items) < p.Total {
		q.Set("offset", strconv.Itoa(f.Offset+p.Limit))
		d.NextURL = "/inspections?" + q.Encode()
	}
	return h.render(w, r, a, web.Translate(d.Lang, "inspection.list_title"), "list.html", d, nil)
}

// ---- the form ----

// formAnswer is an item's answer as the form holds it.
type formAnswer struct {
	Result   string
	Note     string
	PhotoIDs []int64
	Files    []attachment.Attachment // photos already attached (editing a draft)
	Bad      bool                    // the error is about this item
}

// formFinding is a free finding as the form holds it.
type formFinding struct {
	Index    int
	ID       int64
	Text     string
	Category string
	Location string
	Note     string
	PhotoIDs []int64
	Files    []attachment.Attachment
	Bad      bool
}

func (f formFinding) empty() bool {
	return f.ID == 0 && f.Text == "" && f.Location == "" && f.Note == "" && len(f.PhotoIDs) == 0
}

type formValues struct {
	Kind         string
	InspectedAt  string // datetime-local, Asia/Shanghai
	LeaderID     int64
	PreviousID   int64
	Inspectors   map[int64]bool
	Participants string
	Summary      string
	Answers      map[int64]*formAnswer
	Findings     []formFinding
	More         []formFinding
	PhotoIDs     []int64
	Files        []attachment.Attachment
}

type entOption struct {
	ID        int64
	Name      string
	Address   string
	Territory string
}

type orgOption struct {
	ID     int64
	Name   string
	Indent int
}

type formPage struct {
	Lang       string
	EditID     int64
	Ent        *enterpriseRow
	Territory  *org.Org
	Place      string
	Contact    bool // an enterprise contact: the kind is self
	Kinds      []string
	Templates  []Template
	Template   *Template
	NoTemplate bool
	Base       string // the form's address without template_id, for the checklist links
	Categories []Category
	People     []Person // who may be ticked as inspectors
	Leaders    []Person
	Previous   []Row
	V          formValues
	// CampaignID and CampaignTitle: the campaign (排查整治行动) the
	// inspection counts for, carried from /inspections/new?campaign_id=.
	CampaignID    int64
	CampaignTitle string
	// Choosing what to inspect first.
	Choose      bool
	Q           string
	Enterprises []entOption
	Territories []orgOption
}

// A returns the answer of item id.
func (f *formPage) A(id int64) *formAnswer {
	if a := f.V.Answers[id]; a != nil {
		return a
	}
	return &formAnswer{}
}

// Suggested reports whether template t suits the enterprise inspected.
func (f *formPage) Suggested(t Template) bool { return f.Ent != nil && t.Suits(f.Ent.Industry) }

// Hidden writes a list of ids for a hidden input.
func (formPage) Hidden(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = itoa(id)
	}
	return strings.Join(s, ",")
}

const dtLayout = "2006-01-02T15:04"

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	q := r.URL.Query()
	if !canRecordAny(a) {
		var err error = apperr.NotFound("inspection")
		if canSeeAny(a) {
			err = apperr.New(apperr.EFORBIDDEN, "无权记录检查 / you may not record inspections")
		}
		return h.svc.refuse(ctx, a, auth.InspectionRecord, "", 0, err)
	}
	entID, _ := strconv.ParseInt(q.Get("enterprise_id"), 10, 64)
	orgID, _ := strconv.ParseInt(q.Get("org_id"), 10, 64)
	campaignID, _ := strconv.ParseInt(q.Get("campaign_id"), 10, 64)
	if entID == 0 && orgID == 0 && a.EnterpriseID != 0 && a.HasRole(auth.RoleEnterprise) {
		entID = a.EnterpriseID
	}
	if entID == 0 && (orgID == 0 || strings.TrimSpace(q.Get("place")) == "") {
		d, err := h.choose(ctx, a, q.Get("q"))
		if err != nil {
			return err
		}
		d.Territory, d.Place = nil, strings.TrimSpace(q.Get("place"))
		d.CampaignID = max(campaignID, 0)
		return h.render(w, r, a, web.Translate(web.Lang(r), "inspection.new_title"), "form.html", d, nil)
	}
	kind := q.Get("kind")
	in := Input{Kind: kind, Place: strings.TrimSpace(q.Get("place")), TerritoryOrgID: orgID}
	if entID != 0 {
		in.EnterpriseID = &entID
	}
	if campaignID > 0 {
		in.CampaignID = &campaignID
	}
	d, err := h.formFor(r, a, in, nil)
	if err != nil {
		return err
	}
	d.V.InspectedAt = h.svc.Clock.Now().In(calendar.Location).Format(dtLayout)
	d.V.layoutFindings()
	if a.UserID != 0 {
		d.V.Inspectors[a.UserID] = true
	}
	if p, err := strconv.ParseInt(q.Get("previous_id"), 10, 64); err == nil {
		d.V.PreviousID = p
	}
	return h.render(w, r, a, web.Translate(d.Lang, "inspection.new_title"), "form.html", d, nil)
}

// formFor prepares the form for in (a new inspection, or the draft prev).
// The target is authorized for recording (out of scope: not found).
func (h *handlers) formFor(r *http.Request, a *auth.Actor, in Input, prev *Inspection) (*formPage, error) {
	ctx := r.Context()
	svc := h.svc
	tg, err := svc.resolveTarget(ctx, svc.DB, in.EnterpriseID, in.TerritoryOrgID)
	if err != nil {
		return nil, svc.refuse(ctx, a, auth.InspectionRecord, "", 0, err)
	}
	d := &formPage{Lang: web.Lang(r), Ent: tg.enterprise, Territory: tg.territory, Place: in.Place, Kinds: Kinds, Categories: Categories,
		V: formValues{Kind: in.Kind, Inspectors: map[int64]bool{}, Answers: map[int64]*formAnswer{}}}
	d.Contact = tg.enterprise != nil && isContactOf(a, tg.enterprise.ID)
	kind := in.Kind
	if d.Contact {
		kind, d.V.Kind = KindSelf, KindSelf
	} else if kind == "" || kind == KindSelf {
		kind = KindTerritorial
	}
	if !reaches(a, auth.InspectionRecord, tg.path) || (d.Contact && !can(a, auth.InspectionRecord, tg.path, KindSelf)) {
		return nil, svc.authorize(ctx, a, auth.InspectionRecord, tg.path, kind, "", tg.territory.ID)
	}
	if d.V.Kind == "" {
		d.V.Kind = kind
	}
	if prev != nil {
		d.EditID = prev.ID
	}
	if in.CampaignID != nil {
		d.CampaignID = *in.CampaignID
		if c := svc.Campaigns(); c != nil {
			d.CampaignTitle, _ = c.CheckInspection(ctx, a, *in.CampaignID, in.EnterpriseID, tg.path)
		}
	}
	// The checklists, and the one in use: asked for, else the draft's, else
	// the first that suits the enterprise's industry.
	if d.Templates, err = listTemplates(ctx, svc.DB, false); err != nil {
		return nil, err
	}
	q := r.URL.Query()
	var tid int64
	switch {
	case q.Has("template_id"):
		tid, _ = strconv.ParseInt(q.Get("template_id"), 10, 64)
		d.NoTemplate = tid == 0
	case in.TemplateID != nil:
		tid = *in.TemplateID
	case prev != nil:
		d.NoTemplate = true
	default:
		for _, t := range d.Templates {
			if d.Suggested(t) {
				tid = t.ID
				break
			}
		}
	}
	if tid != 0 {
		t, err := loadTemplate(ctx, svc.DB, tid)
		if err != nil && apperr.Code(err) != apperr.ENOTFOUND {
			return nil, err
		}
		d.Template = t
	}
	base := url.Values{}
	if prev != nil {
		d.Base = "/inspections/" + itoa(prev.ID) + "/edit?"
	} else {
		if tg.enterprise != nil {
			base.Set("enterprise_id", itoa(tg.enterprise.ID))
		} else {
			base.Set("org_id", itoa(tg.territory.ID))
			base.Set("place", in.Place)
		}
		if !d.Contact {
			base.Set("kind", d.V.Kind)
		}
		if d.CampaignID != 0 {
			base.Set("campaign_id", itoa(d.CampaignID))
		}
		d.Base = "/inspections/new?" + base.Encode() + "&"
	}
	// People to tick: the actor's org's accounts (an enterprise contact:
	// its enterprise's); leaders for 领导带队.
	if d.Contact {
		d.People, err = h.people(ctx, "SELECT id, name FROM users WHERE enterprise_id = ? AND NOT disabled ORDER BY name, id LIMIT 60", tg.enterprise.ID)
	} else {
		d.People, err = h.people(ctx, "SELECT id, name FROM users WHERE org_id = ? AND NOT disabled ORDER BY name, id LIMIT 60", a.OrgID)
	}
	if err != nil {
		return nil, err
	}
	if a.UserID != 0 && !hasPerson(d.People, a.UserID) {
		d.People = append([]Person{{ID: a.UserID, Name: a.Name}}, d.People...)
	}
	if !d.Contact {
		if d.Leaders, err = h.people(ctx, `SELECT DISTINCT u.id, u.name FROM users u JOIN user_roles r ON r.user_id = u.id
			WHERE r.role = ? AND NOT u.disabled ORDER BY u.name, u.id LIMIT 100`, auth.RoleLeader); err != nil {
			return nil, err
		}
		// Earlier inspections of the same object, for a re-inspection.
		f := Filter{Status: StatusSubmitted, Limit: 20}
		if tg.enterprise != nil {
			f.EnterpriseID = tg.enterprise.ID
		}
		if page, err := svc.List(ctx, a, f); err == nil {
			for _, row := range page.Items {
				if (tg.enterprise != nil || row.Place == in.Place) && (prev == nil || row.ID != prev.ID) {
					d.Previous = append(d.Previous, row)
				}
			}
		}
	}
	return d, nil
}

func hasPerson(ps []Person, id int64) bool {
	for _, p := range ps {
		if p.ID == id {
			return true
		}
	}
	return false
}

func (h *handlers) people(ctx context.Context, q string, args ...any) ([]Person, error) {
	rows, err := h.svc.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// choose lists what the actor may inspect: enterprises of the register in
// its recording scope (searched by name or address), and territories for a
// place not in the register.
func (h *handlers) choose(ctx context.Context, a *auth.Actor, q string) (*formPage, error) {
	d := &formPage{Choose: true, Q: strings.TrimSpace(q)}
	var conds []string
	var args []any
	for _, g := range a.Grants {
		if g.ScopePath == "" || g.Role == auth.RoleEnterprise || !auth.RoleAllows(g.Role, auth.InspectionRecord) {
			continue
		}
		c, ar := org.SubtreeSQL("o.path", g.ScopePath)
		conds, args = append(conds, c), append(args, ar...)
		subtree, err := org.Subtree(ctx, h.svc.DB, g.ScopePath)
		if err != nil {
			return nil, err
		}
		base := -1
		for _, o := range subtree {
			if base < 0 {
				base = o.Depth
			}
			if len(d.Territories) < 400 {
				d.Territories = append(d.Territories, orgOption{ID: o.ID, Name: o.Name, Indent: o.Depth - base})
			}
		}
	}
	if len(conds) == 0 {
		return d, nil
	}
	query := `SELECT e.id, e.name, e.address, o.name FROM enterprises e JOIN orgs o ON o.id = e.territory_org_id
		WHERE NOT e.closed AND (` + strings.Join(conds, " OR ") + ")"
	if d.Q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(d.Q) + "%"
		query += ` AND (e.name LIKE ? ESCAPE '\' OR e.address LIKE ? ESCAPE '\')`
		args = append(args, like, like)
	}
	rows, err := h.svc.DB.Query(ctx, query+" ORDER BY e.name, e.id LIMIT 30", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e entOption
		if err := rows.Scan(&e.ID, &e.Name, &e.Address, &e.Territory); err != nil {
			return nil, err
		}
		d.Enterprises = append(d.Enterprises, e)
	}
	return d, rows.Err()
}

var (
	itemField    = regexp.MustCompile(`^item_(\d+)_result$`)
	findingField = regexp.MustCompile(`^finding_(\d+)_(?:text|id)$`)
	errIndex     = regexp.MustCompile(`^(answers|findings)\[(\d+)\]`)
)

// parseIDs reads "1,2,3".
func parseIDs(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// readForm parses the posted form (multipart with photos, or plain),
// stores the photos as the actor's pending uploads, and builds the input
// and what the form shows again on an error.
func (h *handlers) readForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) (Input, formValues, *Template, error) {
	ctx := r.Context()
	v := formValues{Inspectors: map[int64]bool{}, Answers: map[int64]*formAnswer{}}
	var in Input
	multipart := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
	if multipart && h.svc.Attachments != nil {
		attachment.AllowSlowUpload(w)
		if _, err := h.svc.Attachments.FromForm(ctx, a, r, "-"); err != nil {
			return in, v, nil, err
		}
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			return in, v, nil, apperr.New(apperr.EINVALID, "表单无法读取 / the form cannot be read")
		}
	}
	files := func(name string) ([]int64, error) {
		ids := parseIDs(r.PostFormValue(name + "_ids"))
		if !multipart || h.svc.Attachments == nil {
			return ids, nil
		}
		more, err := h.svc.Attachments.FromForm(ctx, a, r, name)
		return append(ids, more...), err
	}
	pf := r.PostForm
	in.Kind, v.Kind = pf.Get("kind"), pf.Get("kind")
	if id, err := strconv.ParseInt(pf.Get("enterprise_id"), 10, 64); err == nil && id > 0 {
		in.EnterpriseID = &id
	}
	in.TerritoryOrgID, _ = strconv.ParseInt(pf.Get("territory_org_id"), 10, 64)
	in.Place = pf.Get("place")
	v.InspectedAt = strings.TrimSpace(pf.Get("inspected_at"))
	if v.InspectedAt != "" {
		t, err := time.ParseInLocation(dtLayout, v.InspectedAt, calendar.Location)
		if err != nil {
			return in, v, nil, apperr.Field(apperr.EINVALID, "inspected_at", "检查时间格式不对 / the inspection time is not a date and time")
		}
		in.InspectedAt = &t
	}
	if id, err := strconv.ParseInt(pf.Get("leader_user_id"), 10, 64); err == nil && id > 0 && in.Kind == KindLeadership {
		in.LeaderUserID, v.LeaderID = &id, id
	}
	if id, err := strconv.ParseInt(pf.Get("previous_id"), 10, 64); err == nil && id > 0 && in.Kind == KindReinspection {
		in.PreviousID, v.PreviousID = &id, id
	}
	for _, s := range pf["inspector_ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			in.InspectorIDs = append(in.InspectorIDs, id)
			v.Inspectors[id] = true
		}
	}
	in.Participants, v.Participants = pf.Get("participants"), pf.Get("participants")
	in.Summary, v.Summary = pf.Get("summary"), pf.Get("summary")
	if id, err := strconv.ParseInt(pf.Get("campaign_id"), 10, 64); err == nil && id > 0 {
		in.CampaignID = &id
	}
	in.Draft = pf.Get("action") == "draft"
	// The checklist: every item in order, so that answers[i] is item i.
	var t *Template
	if id, err := strconv.ParseInt(pf.Get("template_id"), 10, 64); err == nil && id > 0 {
		in.TemplateID = &id
		t, err = loadTemplate(ctx, h.svc.DB, id)
		if err != nil {
			return in, v, nil, apperr.Field(apperr.EINVALID, "template_id", "检查表 %d 不存在 / checklist %d does not exist", id, id)
		}
		for _, it := range t.Items {
			p := "item_" + itoa(it.ID) + "_"
			fa := &formAnswer{Result: pf.Get(p + "result"), Note: pf.Get(p + "note")}
			ids, err := files(p + "photos")
			fa.PhotoIDs = ids
			v.Answers[it.ID] = fa
			if err != nil {
				return in, v, t, err
			}
			in.Answers = append(in.Answers, AnswerInput{ItemID: it.ID, Result: fa.Result, Note: fa.Note, AttachmentIDs: fa.PhotoIDs})
		}
	}
	// Free findings: indexed rows; empty rows are ignored.
	var idx []int
	seen := map[int]bool{}
	for k := range pf {
		if m := findingField.FindStringSubmatch(k); m != nil {
			n, _ := strconv.Atoi(m[1])
			if !seen[n] && n < 200 {
				seen[n] = true
				idx = append(idx, n)
			}
		}
	}
	sortInts(idx)
	for _, n := range idx {
		p := "finding_" + strconv.Itoa(n) + "_"
		ff := formFinding{Index: n, Text: strings.TrimSpace(pf.Get(p + "text")), Category: pf.Get(p + "category"),
			Location: strings.TrimSpace(pf.Get(p + "location")), Note: strings.TrimSpace(pf.Get(p + "note"))}
		ff.ID, _ = strconv.ParseInt(pf.Get(p+"id"), 10, 64)
		ids, err := files(p + "photos")
		ff.PhotoIDs = ids
		if err != nil {
			v.Findings = append(v.Findings, ff)
			return in, v, t, err
		}
		if ff.empty() {
			continue
		}
		v.Findings = append(v.Findings, ff)
		in.Findings = append(in.Findings, FindingInput{ID: ff.ID, Text: ff.Text, Category: ff.Category, Location: ff.Location, Note: ff.Note, AttachmentIDs: ff.PhotoIDs})
	}
	ids, err := files("photos")
	v.PhotoIDs, in.AttachmentIDs = ids, ids
	return in, v, t, err
}

func sortInts(s []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// layoutFindings pads the findings to the rows shown and folded.
func (v *formValues) layoutFindings() {
	rows := v.Findings
	for len(rows) < formFindings+formMoreFindings || len(rows) < len(v.Findings)+1 {
		rows = append(rows, formFinding{})
	}
	for i := range rows {
		rows[i].Index = i
		if rows[i].Category == "" {
			rows[i].Category = "other"
		}
	}
	shown := max(formFindings, len(v.Findings))
	v.Findings, v.More = rows[:shown], rows[shown:]
}

// markError points the form at the answer or finding an error is about.
func markError(d *formPage, err error) {
	e, ok := apperr.As(err)
	if !ok {
		return
	}
	m := errIndex.FindStringSubmatch(e.Field)
	if m == nil {
		return
	}
	n, _ := strconv.Atoi(m[2])
	switch {
	case m[1] == "answers" && d.Template != nil && n < len(d.Template.Items):
		d.A(d.Template.Items[n].ID).Bad = true
		if d.V.Answers[d.Template.Items[n].ID] == nil {
			d.V.Answers[d.Template.Items[n].ID] = &formAnswer{Bad: true}
		}
	case m[1] == "findings" && n < len(d.V.Findings):
		d.V.Findings[n].Bad = true
	}
}

func (h *handlers) createForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	in, v, t, err := h.readForm(w, r, a)
	var rec *Inspection
	if err == nil {
		rec, err = h.svc.Record(r.Context(), a, in)
	}
	if err != nil {
		return h.formAgain(w, r, a, in, v, t, nil, err)
	}
	if in.Draft {
		h.srv.Flash(r, "inspection.flash.draft")
	} else {
		h.srv.Flash(r, "inspection.flash.recorded")
	}
	web.Redirect(w, r, "/inspections/"+itoa(rec.ID))
	return nil
}

// formAgain shows the form again with what was typed and the error.
func (h *handlers) formAgain(w http.ResponseWriter, r *http.Request, a *auth.Actor, in Input, v formValues, t *Template, prev *Inspection, failure error) error {
	if !web.FormError(failure) {
		return failure
	}
	if in.EnterpriseID == nil && in.TerritoryOrgID == 0 {
		return failure
	}
	d, err := h.formFor(r, a, in, prev)
	if err != nil {
		return err
	}
	d.Template, d.NoTemplate = t, t == nil
	v.Kind = d.V.Kind
	if in.Kind != "" && !d.Contact {
		v.Kind = in.Kind
	}
	if prev != nil {
		attachFiles(&v, prev)
	}
	d.V = v
	d.V.layoutFindings()
	markError(d, failure)
	return h.render(w, r, a, web.Translate(d.Lang, "inspection.new_title"), "form.html", d, failure)
}

// attachFiles shows a draft's photos beside what is typed again.
func attachFiles(v *formValues, prev *Inspection) {
	for _, an := range prev.Answers {
		if fa := v.Answers[an.ItemID]; fa != nil {
			fa.Files = an.Files
		} else if len(an.Files) > 0 {
			v.Answers[an.ItemID] = &formAnswer{Files: an.Files}
		}
	}
	for i := range v.Findings {
		for _, f := range prev.Findings {
			if f.ID == v.Findings[i].ID && f.ID != 0 {
				v.Findings[i].Files = f.Files
			}
		}
	}
	v.Files = prev.Files
}

func (h *handlers) editPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	prev, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	if !prev.CanEdit {
		if prev.Status != StatusDraft {
			return apperr.New(apperr.ERULE, "已提交的检查记录不能修改 / a submitted inspection cannot be changed")
		}
		return h.svc.refuse(r.Context(), a, auth.InspectionRecord, itoa(id), prev.TerritoryOrgID,
			apperr.New(apperr.EFORBIDDEN, "只有草稿的创建人可以修改 / only the creator of a draft may change it"))
	}
	in := Input{Kind: prev.Kind, EnterpriseID: prev.EnterpriseID, TerritoryOrgID: prev.TerritoryOrgID, Place: prev.Place, CampaignID: prev.CampaignID}
	if prev.Template != nil {
		tid := prev.Template.ID
		in.TemplateID = &tid
	}
	d, err := h.formFor(r, a, in, prev)
	if err != nil {
		return err
	}
	v := formValues{Kind: prev.Kind, InspectedAt: prev.InspectedAt.In(calendar.Location).Format(dtLayout), Inspectors: map[int64]bool{},
		Participants: prev.Participants, Summary: prev.Summary, Answers: map[int64]*formAnswer{}}
	if prev.Leader != nil {
		v.LeaderID = prev.Leader.ID
	}
	if prev.PreviousID != nil {
		v.PreviousID = *prev.PreviousID
	}
	for _, p := range prev.Inspectors {
		v.Inspectors[p.ID] = true
		if !hasPerson(d.People, p.ID) {
			d.People = append(d.People, p)
		}
	}
	if d.Template != nil && prev.Template != nil && d.Template.ID == prev.Template.ID {
		for _, an := range prev.Answers {
			v.Answers[an.ItemID] = &formAnswer{Result: an.Result, Note: an.Note}
		}
	}
	for _, f := range prev.Findings {
		v.Findings = append(v.Findings, formFinding{ID: f.ID, Text: f.Text, Category: f.Category, Location: f.Location, Note: f.Note})
	}
	attachFiles(&v, prev)
	d.V = v
	d.V.layoutFindings()
	return h.render(w, r, a, web.Translate(d.Lang, "inspection.edit_title"), "form.html", d, nil)
}

func (h *handlers) updateForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	prev, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	in, v, t, err := h.readForm(w, r, a)
	if err == nil {
		_, err = h.svc.Update(r.Context(), a, id, in)
	}
	if err != nil {
		if apperr.Code(err) == apperr.EFORBIDDEN || prev.Status != StatusDraft {
			return err
		}
		return h.formAgain(w, r, a, in, v, t, prev, err)
	}
	if in.Draft {
		h.srv.Flash(r, "inspection.flash.draft")
	} else {
		h.srv.Flash(r, "inspection.flash.recorded")
	}
	web.Redirect(w, r, "/inspections/"+itoa(id))
	return nil
}

// ---- the inspection ----

type detailPage struct {
	I        *Inspection
	Lang     string
	Deadline string // the deadline a hazard form suggests
	MinDate  string
	ErrRow   string // "a<id>" or "f<id>": the row an error is about
}

func (h *handlers) detail(r *http.Request, a *auth.Actor, id int64) (*detailPage, error) {
	i, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	today := calendar.DateOf(h.svc.Clock.Now())
	return &detailPage{I: i, Lang: web.Lang(r), Deadline: today.AddDays(7).String(), MinDate: calendar.DateOf(i.InspectedAt).String()}, nil
}

func (h *handlers) detailPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.detail(r, a, id)
	if err != nil {
		return err
	}
	return h.render(w, r, a, d.I.Subject(), "inspection.html", d, nil)
}

func (h *handlers) hazardForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.EINVALID, "表单无法读取 / the form cannot be read")
	}
	req := HazardRequest{Deadline: r.PostFormValue("deadline")}
	req.AnswerID, _ = strconv.ParseInt(r.PostFormValue("answer_id"), 10, 64)
	req.FindingID, _ = strconv.ParseInt(r.PostFormValue("finding_id"), 10, 64)
	link, err := h.svc.RegisterHazard(r.Context(), a, id, req)
	if err != nil {
		if !web.FormError(err) {
			return err
		}
		d, derr := h.detail(r, a, id)
		if derr != nil {
			return derr
		}
		if req.AnswerID != 0 {
			d.ErrRow = "a" + itoa(req.AnswerID)
		} else {
			d.ErrRow = "f" + itoa(req.FindingID)
		}
		return h.render(w, r, a, d.I.Subject(), "inspection.html", d, err)
	}
	h.srv.Flash(r, "inspection.flash.hazard")
	anchor := "#a" + itoa(link.AnswerID)
	if link.FindingID != 0 {
		anchor = "#f" + itoa(link.FindingID)
	}
	web.Redirect(w, r, "/inspections/"+itoa(id)+anchor)
	return nil
}
