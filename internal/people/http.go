package people

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/web"
)

//go:embed templates
var templates embed.FS

type handlers struct {
	srv  *web.Server
	svc  *Service
	orgs *org.Service
}

// Register adds the people routes and pages.
func Register(srv *web.Server, svc *Service, orgs *org.Service) {
	h := &handlers{srv: srv, svc: svc, orgs: orgs}
	srv.API("GET", "/api/v1/me", h.apiMe)
	srv.API("GET", "/api/v1/users", h.apiList)
	srv.API("POST", "/api/v1/users", h.apiCreate)
	srv.API("GET", "/api/v1/users/{id}", h.apiGet)
	srv.API("PATCH", "/api/v1/users/{id}", h.apiUpdate)
	srv.API("GET", "/api/v1/users/{id}/phone", h.apiPhone)
	srv.API("POST", "/api/v1/users/{id}/password-reset", h.apiReset)
	srv.API("POST", "/api/v1/users/{id}/unlock", h.apiUnlock)
	srv.Page("GET", "/people", h.listPage)
	srv.Page("GET", "/people/new", h.newPage)
	srv.Page("POST", "/people", h.createForm)
	srv.Page("GET", "/people/{id}", h.personPage)
	srv.Page("POST", "/people/{id}", h.updateForm)
	srv.Page("POST", "/people/{id}/phone", h.phoneForm)
	srv.Page("POST", "/people/{id}/password-reset", h.resetForm)
	srv.Page("POST", "/people/{id}/unlock", h.unlockForm)
	srv.AddMenu(web.MenuItem{Href: "/people", Label: "nav.users", Group: web.MenuAdmin, Weight: 20, Show: func(a *auth.Actor) bool { return a.CanAnywhere(auth.UserView) }})
	web.AddMessages(messages)
	org.PeopleOf = h.orgPeople
}

// Me is what GET /api/v1/me answers.
type Me struct {
	Person
	Permissions []string `json:"permissions"`
}

func (h *handlers) apiMe(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	p, err := h.svc.Get(r.Context(), a, a.UserID)
	if err != nil {
		return err
	}
	me := Me{Person: *p, Permissions: []string{}}
	for _, act := range auth.Actions {
		if a.CanAnywhere(act) {
			me.Permissions = append(me.Permissions, string(act))
		}
	}
	web.WriteJSON(w, http.StatusOK, me)
	return nil
}

func filterOf(q url.Values) Filter {
	f := Filter{Query: q.Get("q"), Role: q.Get("role")}
	f.OrgID, _ = strconv.ParseInt(q.Get("org_id"), 10, 64)
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	return f
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	list, total, err := h.svc.List(r.Context(), a, filterOf(r.URL.Query()))
	if err != nil {
		return err
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	web.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Input
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := h.svc.Create(r.Context(), a, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, p)
	return nil
}

// Patch is a partial update of a person.
type Patch struct {
	Name     *string      `json:"name"`
	OrgID    *int64       `json:"org_id"`
	Post     *string      `json:"post"`
	Phone    *string      `json:"phone"`
	Roles    *[]RoleGrant `json:"roles"`
	Disabled *bool        `json:"disabled"`
}

func (h *handlers) apiUpdate(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var pt Patch
	if err := web.DecodeJSON(w, r, &pt); err != nil {
		return err
	}
	cur, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	in := Input{Name: cur.Name, OrgID: cur.OrgID, Post: cur.Post, Roles: cur.Roles, Disabled: cur.Disabled}
	in.Phone = cur.phone
	if pt.Name != nil {
		in.Name = *pt.Name
	}
	if pt.OrgID != nil {
		in.OrgID = *pt.OrgID
	}
	if pt.Post != nil {
		in.Post = *pt.Post
	}
	if pt.Phone != nil {
		in.Phone = *pt.Phone
	}
	if pt.Roles != nil {
		in.Roles = *pt.Roles
	}
	if pt.Disabled != nil {
		in.Disabled = *pt.Disabled
	}
	p, err := h.svc.Update(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *handlers) apiPhone(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	phone, err := h.svc.RevealPhone(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]string{"phone": phone})
	return nil
}

func (h *handlers) apiReset(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	pw, err := h.svc.ResetPassword(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"password": pw, "must_change_password": true})
	return nil
}

func (h *handlers) apiUnlock(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc.Unlock(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- pages ----

type listData struct {
	People    []Person
	Total     int
	Filter    Filter
	Orgs      []org.Org
	Roles     []string
	CanManage bool
	Prev      string
	Next      string
	Page      int
	Pages     int
}

const pageSize = 50

func (h *handlers) listPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f := filterOf(r.URL.Query())
	f.Limit = pageSize
	list, total, err := h.svc.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	orgs, err := h.orgs.VisibleDepth(r.Context(), a, 2)
	if err != nil {
		return err
	}
	d := listData{People: list, Total: total, Filter: f, Orgs: orgs, Roles: auth.Roles, CanManage: a.CanAnywhere(auth.UserManage),
		Page: f.Offset/pageSize + 1, Pages: max((total+pageSize-1)/pageSize, 1)}
	q := r.URL.Query()
	if f.Offset > 0 {
		q.Set("offset", strconv.Itoa(max(f.Offset-pageSize, 0)))
		d.Prev = "/people?" + q.Encode()
	}
	if f.Offset+pageSize < total {
		q.Set("offset", strconv.Itoa(f.Offset+pageSize))
		d.Next = "/people?" + q.Encode()
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/list.html", "templates/partials.html"), h.srv.NewView(r, a, web.Translate(web.Lang(r), "nav.users"), d))
	return nil
}

func (h *handlers) orgPeople(r *http.Request, a *auth.Actor, o *org.Org) (any, error) {
	if !a.Can(auth.UserView, o.Path) {
		return nil, nil
	}
	list, total, err := h.svc.List(r.Context(), a, Filter{OrgID: o.ID, Exact: true, Limit: 50})
	if err != nil {
		return nil, err
	}
	_, all, err := h.svc.List(r.Context(), a, Filter{OrgID: o.ID, Limit: 1})
	if err != nil {
		return nil, err
	}
	v := h.srv.NewView(r, a, "", map[string]any{"People": list, "Total": total, "All": all, "Org": o})
	return web.RenderFragment(h.srv.Template(templates, "templates/list.html", "templates/partials.html"), "org-people", v)
}

type personData struct {
	Person      *Person
	Phone       string // unmasked, only right after an audited reveal
	NewPassword string
	Form        Input
	Orgs        []org.Org
	Roles       []string
	RoleRows    []RoleGrant
	CanManage   bool
	CanSecurity bool
	CanPhone    bool
	IsNew       bool
}

func (h *handlers) personPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	return h.renderPerson(w, r, a, id, nil, nil, "", "")
}

func (h *handlers) renderPerson(w http.ResponseWriter, r *http.Request, a *auth.Actor, id int64, form *Input, formErr error, phone, newPassword string) error {
	p, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	d := personData{Person: p, Phone: phone, NewPassword: newPassword, Roles: auth.Roles,
		CanManage:   a.Can(auth.UserManage, p.orgPath) || a.Can(auth.UserAdminRoles, p.orgPath),
		CanSecurity: a.Can(auth.UserSecurity, p.orgPath),
		CanPhone:    a.UserID == p.ID || a.Can(auth.UserViewPhone, p.orgPath)}
	// The edit form never carries the unmasked phone: an empty field keeps it.
	d.Form = Input{Name: p.Name, OrgID: p.OrgID, Post: p.Post, Roles: p.Roles, Disabled: p.Disabled}
	if form != nil {
		d.Form = *form
	}
	if d.CanManage {
		if d.Orgs, err = h.orgs.Visible(r.Context(), a); err != nil {
			return err
		}
	}
	d.RoleRows = append(append([]RoleGrant(nil), d.Form.Roles...), RoleGrant{}, RoleGrant{})
	v := h.srv.NewView(r, a, p.Name, d)
	if e, ok := apperr.As(formErr); ok {
		v.Error, v.Status = e, web.Status(e)
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/person.html", "templates/partials.html"), v)
	return nil
}

// formInput reads the person form; role rows are role_N / scope_N pairs.
func formInput(r *http.Request) Input {
	in := Input{Login: r.PostFormValue("login"), Name: r.PostFormValue("name"), Post: r.PostFormValue("post"),
		Phone: r.PostFormValue("phone"), Password: r.PostFormValue("password"), Disabled: r.PostFormValue("disabled") == "on"}
	in.OrgID, _ = strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	for i := 0; i < 20; i++ {
		role := r.PostFormValue("role_" + strconv.Itoa(i))
		scope, _ := strconv.ParseInt(r.PostFormValue("scope_"+strconv.Itoa(i)), 10, 64)
		if role != "" || scope != 0 {
			in.Roles = append(in.Roles, RoleGrant{Role: role, ScopeOrgID: scope})
		}
	}
	return in
}

func formError(err error) bool {
	c := apperr.Code(err)
	return c == apperr.EINVALID || c == apperr.ERULE || c == apperr.ECONFLICT || (c == apperr.EFORBIDDEN && err.(*apperr.Error).Field != "")
}

func (h *handlers) updateForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in := formInput(r)
	if in.Phone == "" {
		cur, err := h.svc.Get(r.Context(), a, id)
		if err != nil {
			return err
		}
		in.Phone = cur.phone
	}
	if _, err := h.svc.Update(r.Context(), a, id, in); err != nil {
		in.Phone = ""
		if formError(err) {
			return h.renderPerson(w, r, a, id, &in, err, "", "")
		}
		return err
	}
	h.srv.Flash(r, "common.saved")
	web.Redirect(w, r, "/people/"+strconv.FormatInt(id, 10))
	return nil
}

func (h *handlers) phoneForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	phone, err := h.svc.RevealPhone(r.Context(), a, id)
	if err != nil {
		return err
	}
	return h.renderPerson(w, r, a, id, nil, nil, phone, "")
}

func (h *handlers) resetForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	pw, err := h.svc.ResetPassword(r.Context(), a, id)
	if err != nil {
		return err
	}
	return h.renderPerson(w, r, a, id, nil, nil, "", pw)
}

func (h *handlers) unlockForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc.Unlock(r.Context(), a, id); err != nil {
		return err
	}
	h.srv.Flash(r, "people.unlocked")
	web.Redirect(w, r, "/people/"+strconv.FormatInt(id, 10))
	return nil
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	in := Input{}
	in.OrgID, _ = strconv.ParseInt(r.URL.Query().Get("org_id"), 10, 64)
	return h.renderNew(w, r, a, in, nil)
}

func (h *handlers) renderNew(w http.ResponseWriter, r *http.Request, a *auth.Actor, in Input, formErr error) error {
	if !a.CanAnywhere(auth.UserManage) && !a.CanAnywhere(auth.UserAdminRoles) {
		return h.svc.Auth.Refuse(r.Context(), a, auth.UserManage, "user", apperr.New(apperr.EFORBIDDEN, "无权新增人员 / you may not add people"))
	}
	orgs, err := h.orgs.Visible(r.Context(), a)
	if err != nil {
		return err
	}
	if in.Password == "" {
		in.Password = RandomPassword()
	}
	d := personData{Form: in, Orgs: orgs, Roles: auth.Roles, CanManage: true, IsNew: true,
		RoleRows: append(append([]RoleGrant(nil), in.Roles...), RoleGrant{}, RoleGrant{})}
	v := h.srv.NewView(r, a, web.Translate(web.Lang(r), "people.new"), d)
	if e, ok := apperr.As(formErr); ok {
		v.Error, v.Status = e, web.Status(e)
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/person.html", "templates/partials.html"), v)
	return nil
}

func (h *handlers) createForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	in := formInput(r)
	p, err := h.svc.Create(r.Context(), a, in)
	if err != nil {
		if formError(err) {
			return h.renderNew(w, r, a, in, err)
		}
		return err
	}
	h.srv.Flash(r, "people.created")
	web.Redirect(w, r, "/people/"+strconv.FormatInt(p.ID, 10))
	return nil
}

var _ template.HTML

var messages = map[string][2]string{
	"people.title":           {"人员", "People"},
	"people.new":             {"新增人员", "New person"},
	"people.import":          {"Excel 导入", "Import from Excel"},
	"people.login":           {"登录名", "Login"},
	"people.name":            {"姓名", "Name"},
	"people.org":             {"所属组织", "Organisation"},
	"people.post":            {"职务", "Post"},
	"people.phone":           {"手机", "Phone"},
	"people.roles":           {"角色与管辖范围", "Roles and scopes"},
	"people.role":            {"角色", "Role"},
	"people.scope":           {"管辖范围", "Scope"},
	"people.status":          {"状态", "Status"},
	"people.locked":          {"已锁定", "Locked"},
	"people.disabled":        {"已停用", "Disabled"},
	"people.active":          {"正常", "Active"},
	"people.must_change":     {"待改密码", "Must change password"},
	"people.totp":            {"双因素", "Two-factor"},
	"people.show_phone":      {"显示完整号码", "Show full number"},
	"people.phone_logged":    {"查看完整号码已记入审计日志。", "Viewing the full number was recorded in the audit trail."},
	"people.security":        {"账号安全", "Account security"},
	"people.reset_password":  {"重置密码", "Reset password"},
	"people.reset_confirm":   {"确定重置该人员的密码？", "Reset this person's password?"},
	"people.new_password":    {"新密码（仅显示一次，请当面或通过安全渠道告知本人；首次登录须修改）：", "New password (shown once; give it to the person over a safe channel; they must change it at first sign-in):"},
	"people.unlock":          {"解除锁定", "Unlock"},
	"people.unlocked":        {"已解除锁定", "Unlocked"},
	"people.created":         {"已新增，初始密码须在首次登录时修改", "Created; the initial password must be changed at first sign-in"},
	"people.initial_pw":      {"初始密码", "Initial password"},
	"people.initial_pw_hint": {"已随机生成，可修改；本人首次登录须更改。", "Generated at random; you may change it; the person must change it at first sign-in."},
	"people.filter_org":      {"组织（含下级）", "Organisation (with its subtree)"},
	"people.filter_q":        {"姓名 / 登录名 / 职务", "Name / login / post"},
	"people.all":             {"全部", "All"},
	"people.edit":            {"编辑人员", "Edit person"},
	"people.in_org":          {"本单位人员", "People here"},
	"people.see_all":         {"查看全部 %d 人", "See all %d"},
	"people.phone_keep":      {"留空则不修改（当前 %s）", "Leave empty to keep (now %s)"},
	"people.page_of":         {"第 %d / %d 页", "Page %d of %d"},
	"people.direct":          {"本单位人员", "People of this organisation"},
	"people.all_below":       {"含下级单位共 %d 人 →", "%d with the units below →"},
	"people.admin_hint":      {"三员分立：系统管理员、安全管理员、审计管理员不能兼任；管理员角色由安全管理员授予。", "The three administrator roles are separate, and only the security administrator grants them."},
}
