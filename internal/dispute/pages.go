package dispute

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
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
	srv.Page("GET", "/disputes", h.ledgerPage)
	srv.Page("GET", "/disputes/new", h.newPage)
	srv.Page("POST", "/disputes", h.createForm)
	srv.Page("GET", "/disputes/{id}", h.detailPage)
	srv.Page("POST", "/disputes/{id}/transitions", h.transitionForm)
	srv.Page("POST", "/disputes/{id}/reveal", h.revealForm)
	srv.Page("GET", "/disputes/import", h.importPage)
	srv.Page("POST", "/disputes/import", h.importForm)
	srv.Stylesheet("/static/dispute.css", assets, "static/dispute.css") // the CSP allows only same-origin styles
	srv.AddMenu(web.MenuItem{Href: "/disputes", Label: "nav.disputes", Group: web.MenuStability, Weight: 10, Show: func(a *auth.Actor) bool { return a.CanAnywhere(auth.DisputeView) }})
}

func (h *handlers) tmpl(file string) *template.Template {
	return h.srv.Template(sheet.WithPartials(assets), "templates/"+file, "templates/partials.html", sheet.Partials)
}

func (h *handlers) render(w http.ResponseWriter, r *http.Request, a *auth.Actor, title, file string, data any, failure error) error {
	return h.srv.RenderPage(w, r, a, h.tmpl(file), title, data, failure)
}

// tools gives the templates the few formats the shared funcs lack.
type tools struct{}

// Cut shortens s to n characters.
func (tools) Cut(s string, n int) string { return cut(s, n) }

// Money writes yuan with thousands separators and without needless decimals.
func (tools) Money(y float64) string {
	s := strconv.FormatFloat(y, 'f', 2, 64)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "00"), ".")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// DaysLeft is the days from today to a deadline (negative: past).
func (tools) DaysLeft(today calendar.Date, deadline string) int {
	d, err := calendar.ParseDate(deadline)
	if err != nil {
		return 0
	}
	return today.DaysUntil(d)
}

// orgOption is an org in a select.
type orgOption struct {
	ID     int64
	Name   string
	Indent int
}

// orgOptions lists the orgs of the actor's scopes for action, levels down
// from each scope (departments and police stations left out unless keep).
func orgOptions(ctx context.Context, s *Service, a *auth.Actor, action auth.Action, levels int, territorialOnly bool) []orgOption {
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
		children := map[int64][]org.Org{}
		for _, o := range sub[1:] {
			if o.ParentID != nil && o.Depth-base <= levels {
				if territorialOnly && (o.Kind == org.Department || o.Kind == org.PoliceStation) {
					continue
				}
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

// allOrgs lists every org but the police stations, for the responsible
// unit and the supervising department (a dispute's may lie outside the
// registrar's scope: the district's labour bureau for unpaid wages).
func allOrgs(ctx context.Context, s *Service) []orgOption {
	sub, err := org.Subtree(ctx, s.DB, "/")
	if err != nil {
		return nil
	}
	var out []orgOption
	for _, o := range sub {
		if o.Kind == org.Village || o.Kind == org.Community || o.Kind == org.PoliceStation {
			continue
		}
		out = append(out, orgOption{ID: o.ID, Name: o.Name, Indent: min(o.Depth, 1)})
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
	Types         []Type
	Levels        []RiskLevel
	States        []string
	Urgencies     []string
	Chips         []chip
	CanReport     bool
	CanSearchTel  bool
	ExportURL     string
	NextURL       string
	PrevURL       string
	FirstURL      string
	FiltersActive int
}

func (h *handlers) ledgerPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	f, ferr := ParseFilter(r.URL.Query())
	d := ledgerData{F: f, Today: h.svc.today(), States: append([]string{StatusOpen}, States...), Urgencies: Urgencies,
		CanReport: a.CanAnywhere(auth.DisputeReport), CanSearchTel: a.CanAnywhere(auth.DisputeManage)}
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
		page = &Page{Rows: []*Dispute{}, TotalExact: true}
	}
	d.Page = page
	d.Orgs = orgOptions(ctx, h.svc, a, auth.DisputeView, 1, true)
	d.Types, _ = Types(ctx, h.svc.DB, false)
	d.Levels, _ = RiskLevels(ctx, h.svc.DB, false)
	base := f.Query()
	d.ExportURL = "/api/v1/disputes/export.xlsx?" + base.Encode()
	link := func(extra url.Values) string {
		q := f.Query()
		for k, v := range extra {
			q[k] = v
		}
		return "/disputes?" + q.Encode()
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
	for _, k := range []string{"org_id", "status", "type", "risk_level", "urgency", "overdue", "many", "from", "to", "phone"} {
		if base.Get(k) != "" {
			d.FiltersActive++
		}
	}
	plain := Filter{OrgID: f.OrgID, Q: f.Q}
	mk := func(label string, g Filter) chip {
		cur := g.Query().Encode() == (Filter{OrgID: f.OrgID, Q: f.Q, Status: f.Status, Overdue: f.Overdue, Many: f.Many}).Query().Encode() &&
			f.Type == "" && f.RiskLevel == "" && f.Urgency == "" && f.From == "" && f.To == "" && f.Phone == ""
		return chip{Label: label, Href: "/disputes?" + g.Query().Encode(), Current: cur}
	}
	with := func(mod func(*Filter)) Filter { g := plain; mod(&g); return g }
	d.Chips = []chip{
		mk("dispute.chip.all", plain),
		mk("dispute.chip.open", with(func(g *Filter) { g.Status = StatusOpen })),
		mk("dispute.chip.overdue", with(func(g *Filter) { g.Overdue = true })),
		mk("dispute.chip.many", with(func(g *Filter) { g.Many = true; g.Status = StatusOpen })),
		mk("dispute.chip.stable", with(func(g *Filter) { g.Status = Stable })),
		mk("dispute.chip.resolved", with(func(g *Filter) { g.Status = Resolved })),
	}
	return h.render(w, r, a, web.Translate(web.Lang(r), "dispute.ledger_title"), "ledger.html", d, ferr)
}

// ---- the registration form ----

type formData struct {
	tools
	In            Input
	OccurredLocal string
	Orgs          []orgOption
	AllOrgs       []orgOption
	Types         []Type
	Levels        []RiskLevel
	Urgencies     []string
	MinDate       string
	DefaultDays   int
	MoreOpen      bool // the optional part holds something (a form sent back)
}

func (h *handlers) formData(ctx context.Context, a *auth.Actor, in Input) *formData {
	d := &formData{In: in, Urgencies: Urgencies, MinDate: h.svc.today().String(),
		MoreOpen: in.LeadName != "" || in.LeadTitle != "" || in.ResponsibleOrgID != nil || in.ResponsiblePerson != "" || in.Resolver != "" || in.Deadline != "" || in.SupervisingOrgID != nil}
	if in.OccurredAt != nil {
		d.OccurredLocal = in.OccurredAt.In(calendar.Location).Format("2006-01-02T15:04")
	}
	d.Orgs = orgOptions(ctx, h.svc, a, auth.DisputeReport, 1, true)
	d.AllOrgs = allOrgs(ctx, h.svc)
	d.Types, _ = Types(ctx, h.svc.DB, false)
	d.Levels, _ = RiskLevels(ctx, h.svc.DB, false)
	if st, err := LoadSettings(ctx, h.svc.DB); err == nil {
		d.DefaultDays = st.DefaultDays
	}
	return d
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	if !a.CanAnywhere(auth.DisputeReport) {
		return h.srv.Auth.Refuse(ctx, a, auth.DisputeReport, "dispute", apperr.NotFound("dispute"))
	}
	in := Input{OrgID: a.OrgID, PartyCount: 1, Urgency: UrgencyNormal}
	if levels, err := RiskLevels(ctx, h.svc.DB, false); err == nil && len(levels) > 0 {
		in.RiskLevel = levels[len(levels)-1].Code // the mildest until someone judges otherwise
	}
	return h.render(w, r, a, web.Translate(web.Lang(r), "dispute.new_title"), "new.html", h.formData(ctx, a, in), nil)
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

func (h *handlers) inputFromForm(r *http.Request) (Input, error) {
	if err := r.ParseForm(); err != nil {
		return Input{}, apperr.New(apperr.EINVALID, "表单格式错误 / malformed form")
	}
	in := Input{Place: r.FormValue("place"), Type: r.FormValue("type"), Summary: r.FormValue("summary"), Parties: r.FormValue("parties"),
		PartyName: r.FormValue("party_name"), PartyPhone: r.FormValue("party_phone"), RiskLevel: r.FormValue("risk_level"), Urgency: r.FormValue("urgency"),
		ResponsibleUnit: r.FormValue("responsible_unit"), ResponsiblePerson: r.FormValue("responsible_person"), Resolver: r.FormValue("resolver"),
		LeadName: r.FormValue("lead_name"), LeadTitle: r.FormValue("lead_title"), Deadline: r.FormValue("deadline"), Comment: r.FormValue("comment")}
	var err error
	if p, err := optForm(r, "org_id"); err != nil {
		return in, err
	} else if p != nil {
		in.OrgID = *p
	}
	if in.ResponsibleOrgID, err = optForm(r, "responsible_org_id"); err != nil {
		return in, err
	}
	if in.SupervisingOrgID, err = optForm(r, "supervising_org_id"); err != nil {
		return in, err
	}
	if s := strings.TrimSpace(r.FormValue("party_count")); s != "" {
		if in.PartyCount, err = strconv.Atoi(s); err != nil {
			return in, apperr.Field(apperr.EINVALID, "party_count", "涉及人数须为整数 / party_count must be a whole number")
		}
	}
	if s := strings.TrimSpace(r.FormValue("amount_yuan")); s != "" {
		v, ok := parseAmount(s, false)
		if !ok {
			return in, apperr.Field(apperr.EINVALID, "amount_yuan", "涉及金额须为金额 / amount must be an amount")
		}
		in.AmountYuan = v
	}
	if s := strings.TrimSpace(r.FormValue("occurred_at")); s != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, calendar.Location)
		if err != nil {
			return in, apperr.Field(apperr.EINVALID, "occurred_at", "发生时间格式不对 / occurred_at is malformed")
		}
		u := t.UTC()
		in.OccurredAt = &u
	}
	return in, nil
}

func (h *handlers) createForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	in, err := h.inputFromForm(r)
	var created *Dispute
	if err == nil {
		created, err = h.svc.Register(ctx, a, in)
	}
	if err != nil {
		if !web.FormError(err) {
			return err
		}
		return h.render(w, r, a, web.Translate(web.Lang(r), "dispute.new_title"), "new.html", h.formData(ctx, a, in), err)
	}
	h.srv.Flash(r, "dispute.registered_flash")
	web.Redirect(w, r, "/disputes/"+itoa(created.ID))
	return nil
}

// ---- a dispute ----

type detailData struct {
	tools
	D         *Detail
	Today     calendar.Date
	Levels    []RiskLevel
	Methods   []string
	Outcomes  []string
	ErrAction string
	MinDate   string
	NowLocal  string
	Revealed  *Party
	// PetitionNew registers the petition case of the dispute passed on
	// (the form pre-filled; the dispute is marked when it is saved).
	PetitionNew string
}

func (h *handlers) detail(ctx context.Context, a *auth.Actor, id int64) (*detailData, error) {
	d, err := h.svc.Detail(ctx, a, id)
	if err != nil {
		return nil, err
	}
	data := &detailData{D: d, Today: h.svc.today(), Methods: Methods, Outcomes: Outcomes, MinDate: h.svc.today().String(),
		NowLocal: h.svc.Clock.Now().In(calendar.Location).Format("2006-01-02T15:04")}
	data.Levels, _ = RiskLevels(ctx, h.svc.DB, false)
	for _, act := range d.Allowed {
		if act == ActToPetition && h.svc.MayRegisterPetition != nil && h.svc.MayRegisterPetition(ctx, a) {
			data.PetitionNew = "/petitions/new?dispute=" + itoa(d.ID)
		}
	}
	return data, nil
}

func (h *handlers) detailPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.detail(r.Context(), a, id)
	if err != nil {
		return err
	}
	return h.render(w, r, a, d.D.Number, "dispute.html", d, nil)
}

// revealForm opens the party's data on the page, once: nothing is kept in
// the session, a reload shows the masks again, and each opening is audited.
func (h *handlers) revealForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.svc.Reveal(r.Context(), a, id)
	if err != nil {
		return err
	}
	d, err := h.detail(r.Context(), a, id)
	if err != nil {
		return err
	}
	d.Revealed = p
	w.Header().Set("Cache-Control", "no-store")
	return h.render(w, r, a, d.D.Number, "dispute.html", d, nil)
}

func (h *handlers) transitionForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.EINVALID, "表单格式错误 / malformed form")
	}
	in := TransitionInput{Action: r.FormValue("action"), Comment: r.FormValue("comment"), Reason: r.FormValue("reason"),
		RiskLevel: r.FormValue("risk_level"), LeadName: r.FormValue("lead_name"), LeadTitle: r.FormValue("lead_title"),
		NewDeadline: r.FormValue("new_deadline"), TransferRef: r.FormValue("transfer_ref")}
	if in.Action == ActRecordSession {
		se := &SessionInput{Method: r.FormValue("method"), Outcome: r.FormValue("outcome"), Mediator: r.FormValue("mediator"), Note: r.FormValue("note")}
		if s := strings.TrimSpace(r.FormValue("held_at")); s != "" {
			if t, err := time.ParseInLocation("2006-01-02T15:04", s, calendar.Location); err == nil {
				u := t.UTC()
				se.HeldAt = &u
			}
		}
		in.Session = se
	}
	_, err = h.svc.Transition(ctx, a, id, in)
	if err != nil {
		if !web.FormError(err) { // a refused step (apperr.NotAllowed) is ERULE: shown on the page
			return err
		}
		d, derr := h.detail(ctx, a, id)
		if derr != nil {
			return derr
		}
		d.ErrAction = in.Action
		return h.render(w, r, a, d.D.Number, "dispute.html", d, err)
	}
	h.srv.Flash(r, "dispute.step_flash")
	web.Redirect(w, r, "/disputes/"+itoa(id))
	return nil
}

// ---- import ----

type importData struct {
	sheet.Report
	Orgs   []orgOption
	OrgID  int64
	Result *ImportResult
}

func (h *handlers) importPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !a.CanAnywhere(auth.DisputeReport) {
		return h.srv.Auth.Refuse(r.Context(), a, auth.DisputeReport, "dispute", apperr.NotFound("dispute"))
	}
	d := importData{Orgs: orgOptions(r.Context(), h.svc, a, auth.DisputeReport, 1, true), OrgID: a.OrgID}
	return h.render(w, r, a, web.Translate(web.Lang(r), "dispute.import_title"), "import.html", d, nil)
}

func (h *handlers) importForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !a.CanAnywhere(auth.DisputeReport) {
		return h.srv.Auth.Refuse(r.Context(), a, auth.DisputeReport, "dispute", apperr.NotFound("dispute"))
	}
	web.AllowLongWrite(w, 10*time.Minute)
	d := importData{Orgs: orgOptions(r.Context(), h.svc, a, auth.DisputeReport, 1, true), OrgID: a.OrgID}
	data, fields, err := sheet.ReadUploadFields(w, r, MaxImportSize, "org_id", "dry_run")
	if err == nil && fields["org_id"] != "" {
		if d.OrgID, err = parseID(fields["org_id"]); err != nil {
			err = apperr.Field(apperr.EINVALID, "org_id", "org_id 须为正整数 / org_id must be a positive integer")
		}
	}
	if err == nil {
		d.Result, err = h.svc.Import(r.Context(), a, data, d.OrgID, sheet.Truthy(fields["dry_run"]))
	}
	var rej *sheet.Rejected
	if errors.As(err, &rej) {
		d.Report = sheet.ReportOf(rej)
		return h.render(w, r, a, web.Translate(web.Lang(r), "dispute.import_title"), "import.html", d, apperr.New(apperr.ERULE, "%s", rej.Message()))
	}
	if err != nil && !web.FormError(err) {
		return err
	}
	return h.render(w, r, a, web.Translate(web.Lang(r), "dispute.import_title"), "import.html", d, err)
}
