package enterprise

import (
	"embed"
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

//go:embed templates
var templates embed.FS

type handlers struct {
	srv  *web.Server
	svc  *Service
	orgs *org.Service
}

// Register adds the register's API routes, pages and menu entry.
func Register(srv *web.Server, svc *Service, orgs *org.Service) {
	h := &handlers{srv: srv, svc: svc, orgs: orgs}
	srv.API("GET", "/api/v1/enterprises", h.apiList)
	srv.API("POST", "/api/v1/enterprises", h.apiCreate)
	srv.API("GET", "/api/v1/enterprises/{id}", h.apiGet)
	srv.API("PATCH", "/api/v1/enterprises/{id}", h.apiUpdate)
	srv.API("GET", "/api/v1/enterprises/{id}/contacts", h.apiContacts)
	srv.API("POST", "/api/v1/enterprises/{id}/contacts", h.apiCreateContact)
	srv.API("POST", "/api/v1/import/enterprises", h.apiImport)
	srv.API("GET", "/api/v1/import/enterprises/template.xlsx", h.template)
	srv.API("GET", "/api/v1/export/enterprises.xlsx", h.export)
	srv.Page("GET", "/enterprises", h.listPage)
	srv.Page("GET", "/enterprises/new", h.newPage)
	srv.Page("POST", "/enterprises", h.createForm)
	srv.Page("GET", "/enterprises/import", h.importPage)
	srv.Page("POST", "/enterprises/import", h.importSubmit)
	srv.Page("GET", "/enterprises/{id}", h.enterprisePage)
	srv.Page("GET", "/enterprises/{id}/edit", h.editPage)
	srv.Page("POST", "/enterprises/{id}", h.updateForm)
	srv.Page("POST", "/enterprises/{id}/contacts", h.contactForm)
	srv.AddMenu(web.MenuItem{Href: "/enterprises", Label: "nav.enterprises", Group: web.MenuSafety, Weight: 10, Show: func(a *auth.Actor) bool { return a.CanAnywhere(auth.EnterpriseView) }})
	web.AddMessages(messages)
}

// Page is one page of a list.
type Page struct {
	Items  []Enterprise `json:"items"`
	Total  int          `json:"total"`
	Limit  int          `json:"limit"`
	Offset int          `json:"offset"`
}

func parseFlag(q url.Values, name string) (*bool, error) {
	switch strings.ToLower(q.Get(name)) {
	case "":
		return nil, nil
	case "1", "true", "yes", "on":
		t := true
		return &t, nil
	case "0", "false", "no", "off":
		f := false
		return &f, nil
	}
	return nil, apperr.Field(apperr.EINVALID, name, "%s 须为 true 或 false / %s must be true or false", name, name)
}

// FilterOf reads a list filter from query parameters (the API's and the
// list page's): org_id, industry, risk_level, kind, key, crowded,
// major_hazard, status, q, sort, limit, offset.
func FilterOf(q url.Values) (Filter, error) {
	f := Filter{Industry: q.Get("industry"), Risk: q.Get("risk_level"), Kind: q.Get("kind"), Status: q.Get("status"), Query: q.Get("q"), Sort: q.Get("sort")}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &f.Limit}, {"offset", &f.Offset}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, apperr.Field(apperr.EINVALID, p.name, "%s 须为非负整数 / %s must be a non-negative integer", p.name, p.name)
			}
			*p.dst = n
		}
	}
	if v := q.Get("org_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, apperr.Field(apperr.EINVALID, "org_id", "org_id 须为组织编号 / org_id must be an org id")
		}
		f.OrgID = id
	}
	var err error
	if f.Key, err = parseFlag(q, "key"); err != nil {
		return f, err
	}
	if f.Crowded, err = parseFlag(q, "crowded"); err != nil {
		return f, err
	}
	if f.MajorHazard, err = parseFlag(q, "major_hazard"); err != nil {
		return f, err
	}
	return f, nil
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f, err := FilterOf(r.URL.Query())
	if err != nil {
		return err
	}
	list, total, err := h.svc.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	web.WriteJSON(w, http.StatusOK, Page{Items: list, Total: total, Limit: min(f.Limit, 500), Offset: f.Offset})
	return nil
}

func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Input
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := h.svc.Create(r.Context(), a, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, e)
	return nil
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	e, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, e)
	return nil
}

// Patch is a partial update: absent fields keep their value. A
// regulator_org_id of 0 removes the regulator; closed: true closes the
// enterprise (it stays in the register).
type Patch struct {
	Kind               *string `json:"kind,omitempty"`
	Name               *string `json:"name,omitempty"`
	USCC               *string `json:"uscc,omitempty"`
	Address            *string `json:"address,omitempty"`
	TerritoryOrgID     *int64  `json:"territory_org_id,omitempty"`
	RegulatorOrgID     *int64  `json:"regulator_org_id,omitempty"`
	Industry           *string `json:"industry,omitempty"`
	RiskLevel          *string `json:"risk_level,omitempty"`
	KeyEnterprise      *bool   `json:"key_enterprise,omitempty"`
	CrowdedPlace       *bool   `json:"crowded_place,omitempty"`
	MajorHazardSource  *bool   `json:"major_hazard_source,omitempty"`
	PrincipalName      *string `json:"principal_name,omitempty"`
	PrincipalPhone     *string `json:"principal_phone,omitempty"`
	SafetyOfficerName  *string `json:"safety_officer_name,omitempty"`
	SafetyOfficerPhone *string `json:"safety_officer_phone,omitempty"`
	FoundedOn          *string `json:"founded_on,omitempty"`
	Closed             *bool   `json:"closed,omitempty"`
}

// Apply sets the fields present in p on in.
func (p Patch) Apply(in *Input) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setB := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.Kind, p.Kind)
	set(&in.Name, p.Name)
	set(&in.USCC, p.USCC)
	set(&in.Address, p.Address)
	if p.TerritoryOrgID != nil {
		in.TerritoryOrgID = *p.TerritoryOrgID
	}
	if p.RegulatorOrgID != nil {
		in.RegulatorOrgID = p.RegulatorOrgID
		if *p.RegulatorOrgID == 0 {
			in.RegulatorOrgID = nil
		}
	}
	set(&in.Industry, p.Industry)
	set(&in.RiskLevel, p.RiskLevel)
	setB(&in.KeyEnterprise, p.KeyEnterprise)
	setB(&in.CrowdedPlace, p.CrowdedPlace)
	setB(&in.MajorHazardSource, p.MajorHazardSource)
	set(&in.PrincipalName, p.PrincipalName)
	set(&in.PrincipalPhone, p.PrincipalPhone)
	set(&in.SafetyOfficerName, p.SafetyOfficerName)
	set(&in.SafetyOfficerPhone, p.SafetyOfficerPhone)
	set(&in.FoundedOn, p.FoundedOn)
	setB(&in.Closed, p.Closed)
}

func (h *handlers) apiUpdate(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var p Patch
	if err := web.DecodeJSON(w, r, &p); err != nil {
		return err
	}
	cur, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	in := InputOf(cur)
	p.Apply(&in)
	e, err := h.svc.Update(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, e)
	return nil
}

func (h *handlers) apiContacts(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	list, err := h.svc.Contacts(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiCreateContact(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in ContactInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.CreateContact(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store") // it carries a password
	web.WriteJSON(w, http.StatusCreated, c)
	return nil
}

// ---- Excel ----

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	web.AllowLongWrite(w, 10*time.Minute)
	if err := h.svc.mayImport(r.Context(), a); err != nil {
		return err
	}
	data, formDry, err := sheet.ReadUpload(w, r, MaxFileSize)
	if err != nil {
		return err
	}
	res, err := h.svc.Import(r.Context(), a, data, formDry || sheet.Truthy(r.URL.Query().Get("dry_run")))
	return sheet.WriteImport(w, http.StatusOK, res, err)
}

func (h *handlers) template(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	data, err := h.svc.Template(r.Context(), a)
	if err != nil {
		return err
	}
	sheet.SendXLSX(w, "anwen-enterprises-template.xlsx", "企业场所导入模板.xlsx", data)
	return nil
}

func (h *handlers) export(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	web.AllowLongWrite(w, 10*time.Minute)
	f, err := FilterOf(r.URL.Query())
	if err != nil {
		return err
	}
	data, _, err := h.svc.Export(r.Context(), a, f)
	if err != nil {
		return err
	}
	day := h.svc.Clock.Now().In(calendar.Location).Format("20060102")
	sheet.SendXLSX(w, "anwen-enterprises-"+day+".xlsx", "企业场所台账-"+day+".xlsx", data)
	return nil
}
