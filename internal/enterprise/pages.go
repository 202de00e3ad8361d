package enterprise

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/sheet"
	"github.com/anwen-gov/anwen/internal/web"
)

const pageSize = 50

// option is one entry of a select.
type option struct {
	Value, Label string
	Depth        int
}

type listData struct {
	Items      []Enterprise
	Total      int
	Filter     Filter
	Flag       string // the page's one flag filter: key | crowded | major_hazard
	OrgSel     string // the org filter's value
	Statuses   []string
	Filtered   int // filters other than the search in use (the phone's filter button says so)
	Sorts      []string
	Orgs       []option
	Industries []option
	Risks      []option
	CanManage  bool
	ExportURL  string
	Prev, Next string
	Page       int
	Pages      int
	First      int // number of the first row shown
}

func (h *handlers) industryOptions(lang string) []option {
	out := make([]option, len(Industries))
	for i, ind := range Industries {
		out[i] = option{Value: ind.Code, Label: IndustryName(lang, ind.Code)}
	}
	return out
}

func riskOptions(lang string) []option {
	out := make([]option, len(RiskLevels))
	for i, r := range RiskLevels {
		out[i] = option{Value: r, Label: RiskName(lang, r)}
	}
	return out
}

func (h *handlers) listPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	// An enterprise contact sees one enterprise: go straight to it.
	if own := OwnEnterprise(a, auth.EnterpriseView); own != 0 {
		web.Redirect(w, r, "/enterprises/"+strconv.FormatInt(own, 10))
		return nil
	}
	q := r.URL.Query()
	flag := q.Get("flag")
	switch flag {
	case "key":
		q.Set("key", "1")
	case "crowded":
		q.Set("crowded", "1")
	case "major_hazard":
		q.Set("major_hazard", "1")
	default:
		flag = ""
	}
	f, err := FilterOf(q)
	if err != nil {
		return err
	}
	f.Limit = pageSize
	list, total, err := h.svc.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	orgs, err := h.orgs.VisibleDepth(r.Context(), a, 2)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	d := listData{Items: list, Total: total, Filter: f, Flag: flag, Orgs: treeOptions(orgs, func(o *org.Org) bool { return territoryKinds[o.Kind] }), Industries: h.industryOptions(lang), Risks: riskOptions(lang),
		OrgSel: strconv.FormatInt(f.OrgID, 10), Statuses: []string{StatusOpen, StatusClosed, StatusAll}, Sorts: Sorts,
		CanManage: a.CanAnywhere(auth.EnterpriseManage), Page: f.Offset/pageSize + 1, Pages: max((total+pageSize-1)/pageSize, 1), First: f.Offset + 1}
	if d.Filter.Status == "" {
		d.Filter.Status = StatusOpen
	}
	for _, on := range []bool{f.OrgID != 0, f.Industry != "", f.Risk != "", flag != "", d.Filter.Status != StatusOpen, f.Sort != "" && f.Sort != "risk"} {
		if on {
			d.Filtered++
		}
	}
	if d.Filter.Sort == "" {
		d.Filter.Sort = "risk"
	}
	pq := r.URL.Query()
	pq.Del("offset")
	eq := url.Values{}
	for k, v := range q {
		if k != "offset" && k != "limit" && k != "flag" && len(v) > 0 && v[0] != "" {
			eq.Set(k, v[0])
		}
	}
	d.ExportURL = "/api/v1/export/enterprises.xlsx"
	if len(eq) > 0 {
		d.ExportURL += "?" + eq.Encode()
	}
	if f.Offset > 0 {
		pq.Set("offset", strconv.Itoa(max(f.Offset-pageSize, 0)))
		d.Prev = "/enterprises?" + pq.Encode()
	}
	if f.Offset+pageSize < total {
		pq.Set("offset", strconv.Itoa(f.Offset+pageSize))
		d.Next = "/enterprises?" + pq.Encode()
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/list.html", "templates/partials.html"), h.srv.NewView(r, a, web.Translate(lang, "nav.enterprises"), d))
	return nil
}

type pageData struct {
	E          *Enterprise
	Contacts   []Contact
	Sections   []template.HTML
	CanManage  bool
	CanOrg     bool // the territory's org page is visible
	NewContact *NewContact
	Contact    ContactInput // the contact form, after a problem
	ContactErr *apperr.Error
	ContactOn  bool // open the contact form
}

func (h *handlers) enterprisePage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	return h.renderEnterprise(w, r, a, id, nil, ContactInput{}, nil)
}

func (h *handlers) renderEnterprise(w http.ResponseWriter, r *http.Request, a *auth.Actor, id int64, created *NewContact, cin ContactInput, cerr error) error {
	e, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	contacts, err := h.svc.contacts(r.Context(), a, e)
	if err != nil {
		return err
	}
	d := pageData{E: e, Contacts: contacts, CanManage: a.Can(auth.EnterpriseManage, e.Path()), CanOrg: a.Can(auth.OrgView, e.territoryPath),
		NewContact: created, Contact: cin}
	for _, s := range sectionsOf(h.srv) {
		html, err := s(r, a, e)
		if err != nil {
			return err
		}
		if html != "" {
			d.Sections = append(d.Sections, html)
		}
	}
	v := h.srv.NewView(r, a, e.Name, d)
	if ae, ok := apperr.As(cerr); ok {
		d.ContactErr, d.ContactOn = ae, true
		v.Data, v.Status = d, web.Status(ae)
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/enterprise.html", "templates/partials.html"), v)
	return nil
}

type formData struct {
	IsNew       bool
	ID          int64
	Name        string // the enterprise's current name (edit)
	Form        Input
	Territories []option
	Departments []option
	Industries  []option
	Risks       []option
}

// treeOptions flattens orgs into a tree ordered as people read it (org.BuildTree),
// keeping those keep admits, indented by depth below their scope's root.
func treeOptions(orgs []org.Org, keep func(o *org.Org) bool) []option {
	var out []option
	var walk func(ns []*org.Node, base int)
	walk = func(ns []*org.Node, base int) {
		for _, n := range ns {
			if keep(&n.Org) {
				out = append(out, option{Value: strconv.FormatInt(n.ID, 10), Label: n.Name, Depth: n.Depth - base})
			}
			walk(n.Children, base)
		}
	}
	for _, root := range org.BuildTree(orgs, 0) {
		walk([]*org.Node{root}, root.Depth)
	}
	return out
}

// territoryOptions lists the orgs the actor may register enterprises in.
func (h *handlers) territoryOptions(r *http.Request, a *auth.Actor) ([]option, error) {
	orgs, err := h.orgs.Visible(r.Context(), a)
	if err != nil {
		return nil, err
	}
	return treeOptions(orgs, func(o *org.Org) bool {
		return territoryKinds[o.Kind] && (a.Operator || a.Can(auth.EnterpriseManage, o.Path))
	}), nil
}

func (h *handlers) renderForm(w http.ResponseWriter, r *http.Request, a *auth.Actor, d formData, formErr error) error {
	var err error
	if d.Territories, err = h.territoryOptions(r, a); err != nil {
		return err
	}
	deps, err := Departments(r.Context(), h.svc.DB)
	if err != nil {
		return err
	}
	for _, o := range deps {
		d.Departments = append(d.Departments, option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	lang := web.Lang(r)
	d.Industries, d.Risks = h.industryOptions(lang), riskOptions(lang)
	title := web.Translate(lang, "ent.new")
	if !d.IsNew {
		title = web.Translate(lang, "ent.edit") + " · " + d.Name
	}
	v := h.srv.NewView(r, a, title, d)
	if e, ok := apperr.As(formErr); ok {
		v.Error, v.Status = e, web.Status(e)
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/form.html", "templates/partials.html"), v)
	return nil
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !a.CanAnywhere(auth.EnterpriseManage) {
		return h.refuseManage(r, a)
	}
	in := Input{Kind: KindEnterprise, RiskLevel: RiskLow}
	in.TerritoryOrgID, _ = strconv.ParseInt(r.URL.Query().Get("org_id"), 10, 64)
	return h.renderForm(w, r, a, formData{IsNew: true, Form: in}, nil)
}

// refuseManage answers a page for keepers of the register to someone else:
// 403 when they see the register, 404 when they do not, recorded either way.
func (h *handlers) refuseManage(r *http.Request, a *auth.Actor) error {
	err := apperr.New(apperr.EFORBIDDEN, "无权登记企业场所 / you may not keep the register")
	if !a.CanAnywhere(auth.EnterpriseView) {
		err = apperr.NotFound("enterprise")
	}
	return h.svc.Auth.Refuse(r.Context(), a, auth.EnterpriseManage, "enterprise", err)
}

// formInput reads the enterprise form.
func formInput(r *http.Request) Input {
	in := Input{Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name"), USCC: r.PostFormValue("uscc"), Address: r.PostFormValue("address"),
		Industry: r.PostFormValue("industry"), RiskLevel: r.PostFormValue("risk_level"),
		KeyEnterprise: r.PostFormValue("key_enterprise") != "", CrowdedPlace: r.PostFormValue("crowded_place") != "",
		MajorHazardSource: r.PostFormValue("major_hazard_source") != "", Closed: r.PostFormValue("closed") != "",
		PrincipalName: r.PostFormValue("principal_name"), PrincipalPhone: r.PostFormValue("principal_phone"),
		SafetyOfficerName: r.PostFormValue("safety_officer_name"), SafetyOfficerPhone: r.PostFormValue("safety_officer_phone"),
		FoundedOn: r.PostFormValue("founded_on")}
	in.TerritoryOrgID, _ = strconv.ParseInt(r.PostFormValue("territory_org_id"), 10, 64)
	if reg, err := strconv.ParseInt(r.PostFormValue("regulator_org_id"), 10, 64); err == nil && reg > 0 {
		in.RegulatorOrgID = &reg
	}
	return in
}

// formError tells the problems a form shows beside itself from those that
// answer with an error page (out of scope, forbidden).
func formError(err error) bool {
	c := apperr.Code(err)
	return c == apperr.EINVALID || c == apperr.ERULE || c == apperr.ECONFLICT
}

func (h *handlers) createForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	in := formInput(r)
	e, err := h.svc.Create(r.Context(), a, in)
	if err != nil {
		if formError(err) {
			return h.renderForm(w, r, a, formData{IsNew: true, Form: in}, err)
		}
		return err
	}
	h.srv.Flash(r, "ent.created")
	web.Redirect(w, r, "/enterprises/"+strconv.FormatInt(e.ID, 10))
	return nil
}

func (h *handlers) editPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	e, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	if err := h.svc.Auth.Check(r.Context(), a, auth.EnterpriseManage, e.Path(), "enterprise", strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	return h.renderForm(w, r, a, formData{ID: id, Name: e.Name, Form: InputOf(e)}, nil)
}

func (h *handlers) updateForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in := formInput(r)
	e, err := h.svc.Update(r.Context(), a, id, in)
	if err != nil {
		if formError(err) {
			cur, gerr := h.svc.Get(r.Context(), a, id)
			if gerr != nil {
				return gerr
			}
			return h.renderForm(w, r, a, formData{ID: id, Name: cur.Name, Form: in}, err)
		}
		return err
	}
	h.srv.Flash(r, "common.saved")
	web.Redirect(w, r, "/enterprises/"+strconv.FormatInt(e.ID, 10))
	return nil
}

func (h *handlers) contactForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in := ContactInput{Login: r.PostFormValue("login"), Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone")}
	c, err := h.svc.CreateContact(r.Context(), a, id, in)
	if err != nil {
		if formError(err) {
			return h.renderEnterprise(w, r, a, id, nil, in, err)
		}
		return err
	}
	// The password is shown on this answer only: no redirect, no cache.
	w.Header().Set("Cache-Control", "no-store")
	return h.renderEnterprise(w, r, a, id, c, ContactInput{}, nil)
}

// ---- import page ----

type importData struct {
	Submitted bool
	CheckOnly bool // the checkbox: ticked unless the last upload was a check that passed
	Result    *ImportResult
	sheet.Report
}

func (h *handlers) importPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if err := h.svc.mayImport(r.Context(), a); err != nil {
		return err
	}
	h.renderImport(w, r, a, &importData{CheckOnly: true}, nil)
	return nil
}

func (h *handlers) renderImport(w http.ResponseWriter, r *http.Request, a *auth.Actor, d *importData, formErr error) {
	v := h.srv.NewView(r, a, web.Translate(web.Lang(r), "ent.import_title"), d)
	if e, ok := apperr.As(formErr); ok {
		v.Error, v.Status = e, web.Status(e)
	}
	if d.Rows != nil {
		v.Status = http.StatusUnprocessableEntity
	}
	h.srv.Render(w, r, h.srv.Template(sheet.WithPartials(templates), "templates/import.html", "templates/partials.html", sheet.Partials), v)
}

func (h *handlers) importSubmit(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	web.AllowLongWrite(w, 10*time.Minute)
	if err := h.svc.mayImport(r.Context(), a); err != nil {
		return err
	}
	data, dry, err := sheet.ReadUpload(w, r, MaxFileSize)
	d := &importData{Submitted: true, CheckOnly: dry}
	if err != nil {
		if _, ok := apperr.As(err); ok {
			h.renderImport(w, r, a, d, err)
			return nil
		}
		return err
	}
	res, err := h.svc.Import(r.Context(), a, data, dry)
	var rej *sheet.Rejected
	switch {
	case errors.As(err, &rej):
		d.Report = sheet.ReportOf(rej)
		h.renderImport(w, r, a, d, nil)
		return nil
	case err != nil:
		if formError(err) || apperr.Code(err) == apperr.ETOOLARGE || apperr.Code(err) == apperr.EUNSUPPORTED {
			h.renderImport(w, r, a, d, err)
			return nil
		}
		return err
	}
	d.Result = res
	d.CheckOnly = !dry || res.Created+res.Updated == 0
	h.renderImport(w, r, a, d, nil)
	return nil
}
