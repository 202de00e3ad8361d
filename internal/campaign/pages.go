package campaign

import (
	"context"
	"embed"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/enterprise"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/web"
)

//go:embed templates static
var assets embed.FS

func registerPages(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	web.AddMessages(messages)
	srv.Page("GET", "/campaigns", h.listPage)
	srv.Page("GET", "/campaigns/new", h.newPage)
	srv.Page("POST", "/campaigns", h.createForm)
	srv.Page("GET", "/campaigns/{id}", h.detailPage)
	srv.Page("GET", "/campaigns/{id}/edit", h.editPage)
	srv.Page("POST", "/campaigns/{id}", h.updateForm)
	srv.Page("POST", "/campaigns/{id}/transitions", h.transitionForm)
	srv.Page("GET", "/campaigns/{id}/tasks/{task_id}", h.taskPage)
	srv.Page("POST", "/campaigns/{id}/rechecks/{recheck_id}", h.recheckForm)
	srv.Stylesheet("/static/campaign.css", assets, "static/campaign.css") // the CSP allows only same-origin styles
}

// RegisterMenu adds the menu entry; internal/app calls it after the
// inspections' wiring, so that the entry follows 隐患 and 检查 in the bar.
func RegisterMenu(srv *web.Server) {
	srv.AddMenu(web.MenuItem{Href: "/campaigns", Label: "nav.campaigns", Group: web.MenuSafety, Weight: 40, Show: func(a *auth.Actor) bool { return a.CanAnywhere(auth.CampaignView) }})
}

func fieldErr(name string) error {
	return apperr.Field(apperr.EINVALID, name, "%s 须为正整数 / %s must be a positive integer", name, name)
}

func (h *handlers) render(w http.ResponseWriter, r *http.Request, a *auth.Actor, title, file string, data any, failure error) error {
	return h.srv.RenderPage(w, r, a, h.srv.Template(assets, "templates/"+file, "templates/partials.html"), title, data, failure)
}

// tools gives the templates what the shared funcs lack.
type tools struct {
	Lang  string
	today calendar.Date
}

// Left says how far a date is: "还剩 3 天", "今天截止", "已截止".
func (t tools) Left(date string) string {
	d, err := calendar.ParseDate(date)
	if err != nil {
		return ""
	}
	n := t.today.DaysUntil(d)
	switch {
	case n > 0:
		return web.Translatef(t.Lang, "campaign.days_left", n)
	case n == 0:
		return web.Translate(t.Lang, "campaign.due_today")
	}
	return web.Translate(t.Lang, "campaign.past_due")
}

// Late reports whether the deadline date has passed.
func (t tools) Late(date string) bool {
	d, err := calendar.ParseDate(date)
	return err == nil && d.Before(t.today)
}

// Industry and Risk name codes in the page's language.
func (t tools) Industry(code string) string { return enterprise.IndustryName(t.Lang, code) }

// Risk names a risk level in the page's language.
func (t tools) Risk(code string) string { return enterprise.RiskName(t.Lang, code) }

// Names joins the names of codes ("危险化学品、粉尘涉爆").
func (t tools) Names(codes []string, risk bool) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		if risk {
			out[i] = t.Risk(c)
		} else {
			out[i] = t.Industry(c)
		}
	}
	sep := "、"
	if t.Lang == web.English {
		sep = ", "
	}
	return strings.Join(out, sep)
}

// Bar is the width (0 … 100) of a progress bar.
func (tools) Bar(c Counts) int {
	if c.Enterprises == 0 {
		return 0
	}
	return c.Inspected * 100 / c.Enterprises
}

func (h *handlers) tools(r *http.Request) tools {
	return tools{Lang: web.Lang(r), today: calendar.DateOf(h.svc.Clock.Now())}
}

// ---- the list ----

type listPage struct {
	tools
	Page      *Page
	Status    string
	CanLaunch bool
	Tabs      []tab
}

type tab struct {
	Href, Label string
	Current     bool
}

func (h *handlers) listPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	status := r.URL.Query().Get("status")
	p, err := h.svc.List(r.Context(), a, Filter{Status: status})
	if err != nil {
		return err
	}
	d := &listPage{tools: h.tools(r), Page: p, Status: status, CanLaunch: a.CanAnywhere(auth.CampaignManage)}
	for _, s := range []string{"", Active, Draft, Closed} {
		href := "/campaigns"
		if s != "" {
			href += "?status=" + s
		}
		label := "campaign.tab_all"
		if s != "" {
			label = "campaign.status." + s
		}
		d.Tabs = append(d.Tabs, tab{Href: href, Label: label, Current: s == status})
	}
	return h.render(w, r, a, web.Translate(d.Lang, "campaign.list_title"), "list.html", d, nil)
}

// ---- the form ----

type option struct {
	ID     int64
	Name   string
	Indent int
}

type formPage struct {
	tools
	EditID     int64
	V          Input
	Launchers  []option
	Scopes     []option
	Industries []enterprise.Industry
	Risks      []string
	Templates  []option
	Field      string // the field an error is about
}

// Has reports whether list holds v (checkboxes).
func (formPage) Has(list []string, v string) bool { return in(list, v) && len(list) > 0 }

// TemplateSet reports whether template id is the one chosen.
func (f *formPage) TemplateSet(id int64) bool { return f.V.TemplateID != nil && *f.V.TemplateID == id }

// orgOptions lists the orgs within the caller's scopes for action, each
// scope's root and two levels below it (at most 400), optionally only the
// territorial ones.
func (h *handlers) orgOptions(ctx context.Context, a *auth.Actor, action auth.Action, onlyTerritorial bool) []option {
	var out []option
	scopes := a.Scopes(action)
	if a.Operator {
		if root, _ := org.Root(ctx, h.svc.DB); root != nil {
			scopes = []string{root.Path}
		}
	}
	for _, sc := range scopes {
		subtree, err := org.Subtree(ctx, h.svc.DB, sc)
		if err != nil || len(subtree) == 0 {
			continue
		}
		base := subtree[0].Depth
		// Subtree is ordered by depth: walk it as a tree instead.
		kids := map[int64][]org.Org{}
		for _, o := range subtree[1:] {
			if o.ParentID != nil {
				kids[*o.ParentID] = append(kids[*o.ParentID], o)
			}
		}
		var walk func(o org.Org)
		walk = func(o org.Org) {
			if len(out) >= 400 || o.Depth-base > 2 {
				return
			}
			if !onlyTerritorial || territorial(o.Kind) {
				out = append(out, option{ID: o.ID, Name: o.Name, Indent: o.Depth - base})
			}
			for _, k := range kids[o.ID] {
				walk(k)
			}
		}
		walk(subtree[0])
	}
	return out
}

func (h *handlers) formFor(r *http.Request, a *auth.Actor, in Input, editID int64) *formPage {
	ctx := r.Context()
	d := &formPage{tools: h.tools(r), EditID: editID, V: in, Industries: enterprise.Industries, Risks: enterprise.RiskLevels}
	d.Launchers = h.orgOptions(ctx, a, auth.CampaignManage, false)
	d.Scopes = h.orgOptions(ctx, a, auth.CampaignManage, true)
	rows, err := h.svc.DB.Query(ctx, "SELECT id, name FROM inspection_templates WHERE active ORDER BY code, id")
	if err == nil {
		for rows.Next() {
			var o option
			if rows.Scan(&o.ID, &o.Name) == nil {
				d.Templates = append(d.Templates, o)
			}
		}
		rows.Close()
	}
	return d
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !a.CanAnywhere(auth.CampaignManage) {
		var err error = apperr.NotFound("campaign")
		if a.CanAnywhere(auth.CampaignView) {
			err = apperr.New(apperr.EFORBIDDEN, "无权发起排查整治行动 / you may not launch campaigns")
		}
		return h.srv.Auth.Refuse(r.Context(), a, auth.CampaignManage, "campaign", err)
	}
	today := calendar.DateOf(h.svc.Clock.Now())
	in := Input{PeriodStart: today.String(), PeriodEnd: today.AddDays(29).String(), Deadline: today.AddDays(29).String()}
	if own, err := org.ByID(r.Context(), h.svc.DB, a.OrgID); err == nil && a.Can(auth.CampaignManage, own.Path) {
		in.OrgID = own.ID
		if territorial(own.Kind) {
			in.ScopeOrgID = own.ID
		}
	}
	if in.ScopeOrgID == 0 {
		if sc := a.Scopes(auth.CampaignManage); len(sc) > 0 {
			in.ScopeOrgID = orgIDOfPath(sc[0])
		}
	}
	d := h.formFor(r, a, in, 0)
	return h.render(w, r, a, web.Translate(d.Lang, "campaign.new_title"), "form.html", d, nil)
}

// readForm reads the campaign form.
func readForm(w http.ResponseWriter, r *http.Request) (Input, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return Input{}, apperr.New(apperr.EINVALID, "表单无法读取 / the form cannot be read")
	}
	f := r.PostForm
	in := Input{Title: f.Get("title"), Description: f.Get("description"), Industries: f["industries"], RiskLevels: f["risk_levels"],
		PeriodStart: f.Get("period_start"), PeriodEnd: f.Get("period_end"), Deadline: f.Get("deadline"), Draft: f.Get("action") == "draft"}
	in.OrgID, _ = strconv.ParseInt(f.Get("org_id"), 10, 64)
	in.ScopeOrgID, _ = strconv.ParseInt(f.Get("scope_org_id"), 10, 64)
	if id, err := strconv.ParseInt(f.Get("template_id"), 10, 64); err == nil && id > 0 {
		in.TemplateID = &id
	}
	return in, nil
}

func (h *handlers) formAgain(w http.ResponseWriter, r *http.Request, a *auth.Actor, in Input, editID int64, failure error) error {
	if !web.FormError(failure) {
		return failure
	}
	d := h.formFor(r, a, in, editID)
	if e, ok := apperr.As(failure); ok {
		d.Field = e.Field
	}
	title := "campaign.new_title"
	if editID != 0 {
		title = "campaign.edit_title"
	}
	return h.render(w, r, a, web.Translate(d.Lang, title), "form.html", d, failure)
}

func (h *handlers) createForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	in, err := readForm(w, r)
	if err != nil {
		return err
	}
	c, err := h.svc.Create(r.Context(), a, in)
	if err != nil {
		return h.formAgain(w, r, a, in, 0, err)
	}
	if in.Draft {
		h.srv.Flash(r, "campaign.flash.draft")
	} else {
		h.srv.Flash(r, "campaign.flash.launched")
	}
	web.Redirect(w, r, "/campaigns/"+itoa(c.ID))
	return nil
}

func (h *handlers) editPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	if err := h.svc.mayManage(r.Context(), a, c, auth.CampaignManage); err != nil {
		return err
	}
	if _, err := Lookup(c.Status, ActEdit); err != nil {
		return err
	}
	in := Input{Title: c.Title, Description: c.Description, OrgID: c.LaunchOrgID, ScopeOrgID: c.ScopeOrgID, Industries: c.Industries,
		RiskLevels: c.RiskLevels, TemplateID: c.TemplateID, PeriodStart: c.PeriodStart, PeriodEnd: c.PeriodEnd, Deadline: c.Deadline}
	d := h.formFor(r, a, in, id)
	return h.render(w, r, a, web.Translate(d.Lang, "campaign.edit_title"), "form.html", d, nil)
}

func (h *handlers) updateForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in, err := readForm(w, r)
	if err != nil {
		return err
	}
	if _, err := h.svc.Update(r.Context(), a, id, in); err != nil {
		if e, ok := apperr.As(err); ok && e.Field == "action" {
			// Launched or closed meanwhile: the form is no use any more.
			return err
		}
		return h.formAgain(w, r, a, in, id, err)
	}
	if in.Draft {
		h.srv.Flash(r, "campaign.flash.saved")
	} else {
		h.srv.Flash(r, "campaign.flash.launched")
	}
	web.Redirect(w, r, "/campaigns/"+itoa(id))
	return nil
}

// ---- a campaign ----

type detailPage struct {
	tools
	C          *Campaign
	InspectURL string
	LedgerURL  string
	// Leaf: the caller's part is one task without sub-tasks (a village):
	// its enterprises show on the campaign's page itself.
	Leaf *TaskDetail
	// Open: the tasks whose sub-tree shows unfolded (the top ones; a
	// township's own flag says when its villages need a look).
	open map[int64]bool
}

// Open reports whether task t shows unfolded.
func (d *detailPage) Open(t *Task) bool { return d.open[t.ID] }

func inspectURL(c *Campaign, enterpriseID int64) string {
	v := url.Values{}
	v.Set("campaign_id", itoa(c.ID))
	if enterpriseID != 0 {
		v.Set("enterprise_id", itoa(enterpriseID))
	}
	if c.TemplateID != nil {
		v.Set("template_id", itoa(*c.TemplateID))
	}
	return "/inspections/new?" + v.Encode()
}

// InspectEnterprise is the new-inspection address for an enterprise (pages).
func (d *detailPage) InspectEnterprise(id int64) string { return inspectURL(d.C, id) }

func (h *handlers) detailPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	return h.showDetail(w, r, a, id, nil)
}

func (h *handlers) showDetail(w http.ResponseWriter, r *http.Request, a *auth.Actor, id int64, failure error) error {
	c, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	d := &detailPage{tools: h.tools(r), C: c, InspectURL: inspectURL(c, 0), LedgerURL: "/hazards?campaign_id=" + itoa(c.ID), open: map[int64]bool{}}
	for _, t := range c.top {
		d.open[t.ID] = true
	}
	if len(c.top) == 1 && len(c.top[0].children) == 0 {
		if d.Leaf, err = h.svc.GetTask(r.Context(), a, id, c.top[0].ID); err != nil {
			return err
		}
	}
	return h.render(w, r, a, c.Title, "campaign.html", d, failure)
}

func (h *handlers) transitionForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.EINVALID, "表单无法读取 / the form cannot be read")
	}
	in := TransitionInput{Action: r.PostFormValue("action"), Note: r.PostFormValue("note")}
	if _, err := h.svc.Transition(r.Context(), a, id, in); err != nil {
		if !web.FormError(err) {
			return err
		}
		return h.showDetail(w, r, a, id, err)
	}
	h.srv.Flash(r, "campaign.flash."+in.Action)
	web.Redirect(w, r, "/campaigns/"+itoa(id))
	return nil
}

// ---- a task ----

type taskPage struct {
	tools
	D *TaskDetail
}

// InspectEnterprise is the new-inspection address for an enterprise.
func (p *taskPage) InspectEnterprise(id int64) string { return inspectURL(p.D.Campaign, id) }

func (h *handlers) taskPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	tid, err := web.PathID(r, "task_id")
	if err != nil {
		return err
	}
	d, err := h.svc.GetTask(r.Context(), a, id, tid)
	if err != nil {
		return err
	}
	return h.render(w, r, a, d.Task.OrgName+" · "+d.Campaign.Title, "task.html", &taskPage{tools: h.tools(r), D: d}, nil)
}

func (h *handlers) recheckForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	rid, err := web.PathID(r, "recheck_id")
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.EINVALID, "表单无法读取 / the form cannot be read")
	}
	rc, err := h.svc.Recheck(r.Context(), a, id, rid, RecheckInput{Outcome: r.PostFormValue("outcome"), Note: r.PostFormValue("note")})
	if err != nil {
		if !web.FormError(err) {
			return err
		}
		return h.showDetail(w, r, a, id, err)
	}
	h.srv.Flash(r, "campaign.flash.rechecked")
	back := web.SafeNext(r.PostFormValue("back"))
	if back == "/" {
		back = "/campaigns/" + itoa(id)
	}
	web.Redirect(w, r, back+"#r"+itoa(rc.ID))
	return nil
}
