package hazard

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/sheet"
	"github.com/anwen-gov/anwen/internal/web"
)

//go:embed templates static
var assets embed.FS

// registerPages adds the pages, the stylesheet and the menu entry.
func registerPages(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	web.AddMessages(pageMessages)
	srv.Page("GET", "/hazards", h.ledgerPage)
	srv.Page("GET", "/hazards/new", h.newPage)
	srv.Page("POST", "/hazards", h.createForm)
	srv.Page("GET", "/hazards/{id}", h.detailPage)
	srv.Page("POST", "/hazards/{id}/transitions", h.transitionForm)
	srv.Page("GET", "/hazards/stats", h.statsPage)
	srv.Page("GET", "/hazards/import", h.importPage)
	srv.Page("POST", "/hazards/import", h.importForm)
	srv.Stylesheet("/static/hazard.css", assets, "static/hazard.css") // the CSP allows only same-origin styles
	srv.AddMenu(web.MenuItem{Href: "/hazards", Label: "nav.hazards", Group: web.MenuSafety, Weight: 30, Show: func(a *auth.Actor) bool { return a.CanAnywhere(auth.HazardView) }})
}

func (h *handlers) tmpl(file string) *template.Template {
	return h.srv.Template(assets, "templates/"+file, "templates/partials.html")
}

func (h *handlers) render(w http.ResponseWriter, r *http.Request, a *auth.Actor, title, file string, data any, failure error) error {
	return h.renderWith(w, r, a, title, h.tmpl(file), data, failure, 0)
}

// renderWith renders the template t; status, when not 0, is the answer's
// status unless failure sets it.
func (h *handlers) renderWith(w http.ResponseWriter, r *http.Request, a *auth.Actor, title string, t *template.Template, data any, failure error, status int) error {
	v := h.srv.NewView(r, a, title, data)
	if status != 0 {
		v.Status = status
	}
	if err := v.Fail(failure); err != nil {
		return err
	}
	h.srv.Render(w, r, t, v)
	return nil
}

// tools gives the templates the few formats the shared funcs lack.
type tools struct{ lang string }

// Pct is a rate as a percentage with one decimal, or a dash.
func (tools) Pct(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}

// Bar is a rate as an SVG width out of 100.
func (tools) Bar(r *float64) string {
	if r == nil {
		return "0"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64)
}

// Share is n of max as an SVG width out of 100.
func (tools) Share(n, max int) string {
	if max <= 0 {
		return "0"
	}
	return strconv.FormatFloat(float64(n)*100/float64(max), 'f', 1, 64)
}

// Low reports a rate under 80 %, drawn in the warning colour.
func (tools) Low(r *float64) bool { return r != nil && *r < 0.8 }

// Cut shortens s to n characters.
func (tools) Cut(s string, n int) string { return cut(s, n) }

// Money writes yuan without needless decimals.
func (tools) Money(y float64) string {
	if y == float64(int64(y)) {
		return strconv.FormatInt(int64(y), 10)
	}
	return strconv.FormatFloat(y, 'f', 2, 64)
}

// Thousands writes n with thousands separators.
func (tools) Thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// DaysLeft is the days from today to a deadline (negative: past).
func (x tools) DaysLeft(today calendar.Date, deadline string) int {
	d, err := calendar.ParseDate(deadline)
	if err != nil {
		return 0
	}
	return daysBetween(today, d)
}

// orgOption is an org in a select.
type orgOption struct {
	ID     int64
	Name   string
	Indent int
}

// orgOptions lists the orgs of the actor's scopes for action, two levels
// down from each scope.
func orgOptions(ctx context.Context, s *Service, a *auth.Actor, action auth.Action, levels int) []orgOption {
	var out []orgOption
	seen := map[int64]bool{}
	scopes := a.Scopes(action)
	if a.Operator {
		if root, err := org.RootPath(ctx, s.DB); err == nil && root != "" {
			scopes = []string{root}
		}
	}
	for _, p := range scopes {
		if p == "" || strings.Contains(p, "/e") {
			continue
		}
		sub, err := org.Subtree(ctx, s.DB, p)
		if err != nil || len(sub) == 0 {
			continue
		}
		base := sub[0].Depth
		// Subtree orders by depth; show it as a tree.
		children := map[int64][]org.Org{}
		for _, o := range sub[1:] {
			if o.ParentID != nil && o.Depth-base <= levels {
				children[*o.ParentID] = append(children[*o.ParentID], o)
			}
		}
		var walk func(o org.Org)
		walk = func(o org.Org) {
			if seen[o.ID] {
				return
			}
			seen[o.ID] = true
			out = append(out, orgOption{ID: o.ID, Name: o.Name, Indent: o.Depth - base})
			for _, c := range children[o.ID] {
				walk(c)
			}
		}
		walk(sub[0])
	}
	return out
}

// ---- the ledger ----

type chip struct {
	Label, Href string
	Current     bool
}

type ledgerData struct {
	tools
	F             Filter
	Page          *Page
	Today         calendar.Date
	Orgs          []orgOption
	Categories    []Category
	States        []string
	Sorts         []string
	Chips         []chip
	CanReport     bool
	CanStats      bool
	CanManage     bool // the reference tables (/hazards/settings)
	OwnQuarterly  bool // an enterprise contact: its statistics table
	ExportURL     string
	NextURL       string
	PrevURL       string
	FirstURL      string
	FiltersActive int
}

func (h *handlers) ledgerPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	f, ferr := ParseFilter(r.URL.Query())
	d := ledgerData{tools: tools{web.Lang(r)}, F: f, Today: h.svc.today(), States: append([]string{StatusOpen}, States...),
		Sorts:     []string{SortFound, SortFoundAsc, SortDeadline, SortDeadlineDesc},
		CanReport: a.CanAnywhere(auth.HazardReport), CanStats: canStats(a), CanManage: h.svc.canManage(ctx, a)}
	d.OwnQuarterly = !d.CanStats && a.HasRole(auth.RoleEnterprise) && a.EnterpriseID != 0
	var page *Page
	if ferr == nil {
		var err error
		page, err = h.svc.List(ctx, a, f)
		if err != nil && !web.FormError(err) {
			return err
		}
		ferr = err
	}
	if page == nil {
		zero := 0
		page = &Page{Rows: []Row{}, Total: &zero, TotalExact: true}
	}
	d.Page = page
	d.Orgs = orgOptions(ctx, h.svc, a, auth.HazardView, 2)
	d.Categories, _ = Categories(ctx, h.svc.DB, false)
	base := f.Query()
	d.ExportURL = "/api/v1/hazards/export.xlsx?" + base.Encode()
	link := func(extra url.Values) string {
		q := f.Query()
		for k, v := range extra {
			q[k] = v
		}
		return "/hazards?" + q.Encode()
	}
	if page.Next != "" {
		d.NextURL = link(url.Values{"after": {page.Next}})
	}
	if page.Prev != "" {
		d.PrevURL = link(url.Values{"before": {page.Prev}})
	}
	if f.After != "" || f.Before != "" {
		d.FirstURL = link(nil)
	}
	for _, k := range []string{"org_id", "status", "grade", "category", "industry", "overdue", "campaign_id", "enterprise_id", "from", "to"} {
		if base.Get(k) != "" {
			d.FiltersActive++
		}
	}
	// Quick chips: one tap to what a leader asks first.
	plain := Filter{OrgID: f.OrgID, Q: f.Q}
	mk := func(label string, g Filter) chip {
		g.Sort = SortFound
		q := g.Query()
		cur := q.Encode() == (Filter{OrgID: f.OrgID, Q: f.Q, Status: f.Status, Overdue: f.Overdue, Grade: f.Grade, Sort: SortFound}).Query().Encode() &&
			f.Category == "" && f.Industry == "" && f.From == "" && f.To == "" && f.CampaignID == 0 && f.EnterpriseID == 0
		return chip{Label: label, Href: "/hazards?" + q.Encode(), Current: cur}
	}
	with := func(mod func(*Filter)) Filter { g := plain; mod(&g); return g }
	d.Chips = []chip{
		mk("hazard.chip.all", plain),
		mk("hazard.chip.open", with(func(g *Filter) { g.Status = StatusOpen })),
		mk("hazard.chip.overdue", with(func(g *Filter) { g.Overdue = true })),
		mk("hazard.chip.major", with(func(g *Filter) { g.Grade = Major; g.Status = StatusOpen })),
		mk("hazard.chip.awaiting", with(func(g *Filter) { g.Status = AwaitingAcceptance })),
		mk("hazard.chip.closed", with(func(g *Filter) { g.Status = Closed })),
	}
	return h.render(w, r, a, web.Translate(web.Lang(r), "hazard.ledger_title"), "ledger.html", d, ferr)
}

// canStats reports whether a sees hazards of an org (not only of an enterprise).
func canStats(a *auth.Actor) bool {
	for _, g := range a.Grants {
		if g.Role != auth.RoleEnterprise && auth.RoleAllows(g.Role, auth.HazardView) {
			return true
		}
	}
	return a.Operator
}

// ---- the registration form ----

type formData struct {
	tools
	In          Input
	FoundLocal  string
	Pre         *Prefilled
	Orgs        []orgOption
	Supervising []orgOption
	Categories  []Category
	Standards   []Standard
	Sources     []string
	MajorOpen   bool
	PhotoIDs    []int64
	EvidenceIDs []int64
	FieldErr    string
}

func (h *handlers) formData(ctx context.Context, r *http.Request, a *auth.Actor, in Input, pre *Prefilled) *formData {
	d := &formData{tools: tools{web.Lang(r)}, In: in, Pre: pre, Sources: Sources}
	if in.FoundAt != nil {
		d.FoundLocal = in.FoundAt.In(calendar.Location).Format("2006-01-02T15:04")
	}
	d.Orgs = orgOptions(ctx, h.svc, a, auth.HazardReport, 2)
	d.Supervising = orgOptions(ctx, h.svc, a, auth.HazardView, 1)
	d.Categories, _ = Categories(ctx, h.svc.DB, false)
	d.Standards, _ = Standards(ctx, h.svc.DB, false)
	d.MajorOpen = in.Grade == Major
	if d.In.Major == nil {
		d.In.Major = &MajorReport{}
	}
	return d
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	if !a.CanAnywhere(auth.HazardReport) {
		return h.srv.Auth.Refuse(ctx, a, auth.HazardReport, "hazard", apperr.NotFound("hazard"))
	}
	req, err := prefillRequest(r)
	if err != nil {
		return err
	}
	pre, err := h.svc.Prefill(ctx, a, req)
	if err != nil {
		return err
	}
	in := pre.Input
	in.Deadline = defaultDeadline(h.svc.today())
	return h.render(w, r, a, web.Translate(web.Lang(r), "hazard.new_title"), "new.html", h.formData(ctx, r, a, in, pre), nil)
}

// isMultipart reports whether the request carries a multipart form.
func isMultipart(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "multipart/form-data"
}

// formFiles stores the files of field (multipart forms only) and adds the
// ids of files uploaded with an earlier attempt of the same form.
func (h *handlers) formFiles(w http.ResponseWriter, r *http.Request, a *auth.Actor, field string) ([]int64, error) {
	var ids []int64
	if isMultipart(r) {
		attachment.AllowSlowUpload(w)
		if h.svc.Attachments == nil {
			return nil, apperr.Field(apperr.EINVALID, field, "附件服务未启用 / attachments are not available")
		}
		got, err := h.svc.Attachments.FromForm(r.Context(), a, r, field)
		if err != nil {
			return nil, err
		}
		ids = got
	} else if err := r.ParseForm(); err != nil {
		return nil, apperr.New(apperr.EINVALID, "表单格式错误 / malformed form")
	}
	for _, s := range r.Form[field+"_ids"] {
		if id, err := parseID(s); err == nil {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func optForm(r *http.Request, name string) (*int64, error) {
	s := strings.TrimSpace(r.FormValue(name))
	if s == "" {
		return nil, nil
	}
	id, err := parseID(s)
	if err != nil {
		return nil, apperr.Field(apperr.EINVALID, name, "%s 须为正整数 / %s must be a positive integer", name, name)
	}
	return &id, nil
}

func majorFromForm(r *http.Request) *MajorReport {
	m := MajorReport{StateCause: r.FormValue("major.state_cause"), Harm: r.FormValue("major.harm"), PlanGoal: r.FormValue("major.plan_goal"),
		PlanMethod: r.FormValue("major.plan_method"), PlanFunds: r.FormValue("major.plan_funds"), PlanStaff: r.FormValue("major.plan_staff"),
		PlanSchedule: r.FormValue("major.plan_schedule"), PlanSafety: r.FormValue("major.plan_safety")}
	return &m
}

// inputFromForm reads the registration form.
func (h *handlers) inputFromForm(r *http.Request) (Input, error) {
	in := Input{Source: r.FormValue("source"), SourceRef: r.FormValue("source_ref"), Location: r.FormValue("location"),
		Description: r.FormValue("description"), Category: r.FormValue("category"), Grade: r.FormValue("grade"),
		FinderName: r.FormValue("finder_name"), ResponsibleUnit: r.FormValue("responsible_unit"), ResponsiblePerson: r.FormValue("responsible_person"),
		Measures: r.FormValue("measures"), Deadline: r.FormValue("deadline"), FixedOnSpot: r.FormValue("mode") == ModeImmediate,
		Comment: r.FormValue("comment"), Major: majorFromForm(r)}
	var err error
	if in.EnterpriseID, err = optForm(r, "enterprise_id"); err != nil {
		return in, err
	}
	if in.CampaignID, err = optForm(r, "campaign_id"); err != nil {
		return in, err
	}
	if in.StandardID, err = optForm(r, "standard_id"); err != nil {
		return in, err
	}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"org_id", &in.OrgID}, {"supervising_org_id", &in.SupervisingOrgID}} {
		if p, err := optForm(r, f.name); err != nil {
			return in, err
		} else if p != nil {
			*f.dst = *p
		}
	}
	if s := strings.TrimSpace(r.FormValue("funds_yuan")); s != "" {
		v, ok := parseFunds(s, false)
		if !ok {
			return in, apperr.Field(apperr.EINVALID, "funds_yuan", "整改资金须为金额 / funds must be an amount")
		}
		in.FundsYuan = v
	}
	if s := strings.TrimSpace(r.FormValue("found_at")); s != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, calendar.Location)
		if err != nil {
			return in, apperr.Field(apperr.EINVALID, "found_at", "发现时间格式不对 / the finding time is malformed")
		}
		u := t.UTC()
		in.FoundAt = &u
	}
	if in.Major.Empty() {
		in.Major = nil
	}
	if in.Grade != Major && in.StandardID != nil && r.FormValue("grade") != Major {
		in.StandardID = nil
	}
	return in, nil
}

func (h *handlers) createForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	photos, perr := h.formFiles(w, r, a, "photos")
	evidence, eerr := h.formFiles(w, r, a, "evidence")
	in, err := h.inputFromForm(r)
	if err == nil {
		err = perr
	}
	if err == nil {
		err = eerr
	}
	in.AttachmentIDs, in.EvidenceIDs = photos, evidence
	var created *Hazard
	if err == nil {
		created, err = h.svc.Register(ctx, a, in)
	}
	if err != nil {
		if !web.FormError(err) {
			return err
		}
		var pre *Prefilled
		if in.EnterpriseID != nil || in.Source == SourceDailyItem {
			req := PrefillRequest{}
			if in.EnterpriseID != nil {
				req.EnterpriseID = *in.EnterpriseID
			}
			if in.Source == SourceDailyItem {
				req.DailyItemID, _ = parseID(in.SourceRef)
			}
			pre, _ = h.svc.Prefill(ctx, a, req)
		}
		d := h.formData(ctx, r, a, in, pre)
		d.PhotoIDs, d.EvidenceIDs = photos, evidence
		if e, ok := apperr.As(err); ok {
			d.FieldErr = e.Field
		}
		return h.render(w, r, a, web.Translate(web.Lang(r), "hazard.new_title"), "new.html", d, err)
	}
	h.srv.Flash(r, "hazard.registered_flash")
	web.Redirect(w, r, "/hazards/"+itoa(created.ID))
	return nil
}

// ---- a hazard ----

type detailData struct {
	tools
	D          *Detail
	Today      calendar.Date
	Actions    []string
	Listing    []orgOption
	ErrAction  string
	MinDate    string
	PhotoTiles []attachment.Attachment
}

func (h *handlers) detail(ctx context.Context, r *http.Request, a *auth.Actor, id int64) (*detailData, error) {
	d, err := h.svc.Detail(ctx, a, id)
	if err != nil {
		return nil, err
	}
	data := &detailData{tools: tools{web.Lang(r)}, D: d, Today: h.svc.today(), Actions: d.Allowed, MinDate: h.svc.today().String()}
	if h.svc.Attachments != nil {
		if files, err := h.svc.Attachments.List(ctx, h.svc.DB, OwnerHazard, id); err == nil {
			data.PhotoTiles = files[id]
		}
	}
	// Superior orgs the actor may list it from.
	for _, o := range orgOptions(ctx, h.svc, a, auth.HazardSupervise, 0) {
		var path string
		if h.svc.DB.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", o.ID).Scan(&path) == nil && auth.Covers(path, d.TerritoryPath) && path != d.TerritoryPath {
			data.Listing = append(data.Listing, o)
		}
	}
	return data, nil
}

func (h *handlers) detailPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.detail(r.Context(), r, a, id)
	if err != nil {
		return err
	}
	return h.render(w, r, a, d.D.Number, "hazard.html", d, nil)
}

func (h *handlers) transitionForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	files, ferr := h.formFiles(w, r, a, "files")
	in := TransitionInput{Action: r.FormValue("action"), Comment: r.FormValue("comment"), Reason: r.FormValue("reason"),
		NewDeadline: r.FormValue("new_deadline"), AttachmentIDs: files}
	if r.FormValue("action") == ActUpdatePlan {
		in.Major = majorFromForm(r)
	}
	if p, err := optForm(r, "listed_org_id"); err == nil && p != nil {
		in.ListedOrgID = *p
	}
	err = ferr
	if err == nil {
		_, err = h.svc.Transition(ctx, a, id, in)
	}
	if err != nil {
		if !web.FormError(err) { // a refused step (apperr.NotAllowed) is ERULE: shown on the page
			return err
		}
		d, derr := h.detail(ctx, r, a, id)
		if derr != nil {
			return derr
		}
		d.ErrAction = in.Action
		return h.render(w, r, a, d.D.Number, "hazard.html", d, err)
	}
	h.srv.Flash(r, "hazard.step_flash")
	web.Redirect(w, r, "/hazards/"+itoa(id))
	return nil
}

// ---- statistics ----

type statsData struct {
	tools
	S       *Stats
	Orgs    []orgOption
	MaxOpen int
}

func (h *handlers) statsPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f, err := ParseStatsFilter(r.URL.Query())
	if err != nil {
		return err
	}
	st, err := h.svc.Stats(r.Context(), a, f)
	if err != nil {
		return err
	}
	d := statsData{tools: tools{web.Lang(r)}, S: st, Orgs: orgOptions(r.Context(), h.svc, a, auth.HazardView, 1)}
	for _, row := range st.Rows {
		d.MaxOpen = max(d.MaxOpen, row.Open)
	}
	return h.render(w, r, a, web.Translate(web.Lang(r), "hazard.stats_title"), "stats.html", d, nil)
}

// ---- import ----

type importData struct {
	Orgs   []orgOption
	OrgID  int64
	Result *ImportResult
	sheet.Report
}

// renderImport renders the import page: a rejected file's problems in the
// shared "sheet-problems" list (422), then the upload form.
func (h *handlers) renderImport(w http.ResponseWriter, r *http.Request, a *auth.Actor, d *importData, failure error) error {
	status := 0
	if d.Rows != nil {
		status = http.StatusUnprocessableEntity
	}
	t := h.srv.Template(sheet.WithPartials(assets), "templates/import.html", "templates/partials.html", sheet.Partials)
	return h.renderWith(w, r, a, web.Translate(web.Lang(r), "hazard.import_title"), t, d, failure, status)
}

func (h *handlers) importPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !a.CanAnywhere(auth.HazardReport) {
		return h.srv.Auth.Refuse(r.Context(), a, auth.HazardReport, "hazard", apperr.NotFound("hazard"))
	}
	d := &importData{Orgs: orgOptions(r.Context(), h.svc, a, auth.HazardReport, 2), OrgID: a.OrgID}
	return h.renderImport(w, r, a, d, nil)
}

func (h *handlers) importForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !a.CanAnywhere(auth.HazardReport) {
		return h.srv.Auth.Refuse(r.Context(), a, auth.HazardReport, "hazard", apperr.NotFound("hazard"))
	}
	web.AllowLongWrite(w, 10*time.Minute)
	d := &importData{Orgs: orgOptions(r.Context(), h.svc, a, auth.HazardReport, 2), OrgID: a.OrgID}
	data, fields, err := sheet.ReadUploadFields(w, r, MaxImportSize, "org_id", "dry_run")
	if err == nil {
		if s := fields["org_id"]; s != "" {
			if d.OrgID, err = parseID(s); err != nil {
				err = apperr.Field(apperr.EINVALID, "org_id", "org_id 须为正整数 / org_id must be a positive integer")
			}
		}
	}
	if err == nil {
		d.Result, err = h.svc.Import(r.Context(), a, data, d.OrgID, sheet.Truthy(fields["dry_run"]))
	}
	var rej *sheet.Rejected
	if errors.As(err, &rej) {
		d.Report = sheet.ReportOf(rej)
		return h.renderImport(w, r, a, d, nil)
	}
	if err != nil && !web.FormError(err) {
		return err
	}
	return h.renderImport(w, r, a, d, err)
}
