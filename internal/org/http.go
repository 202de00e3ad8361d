package org

import (
	"embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/web"
)

//go:embed templates
var templates embed.FS

type handlers struct {
	srv *web.Server
	svc *Service
}

// Register adds the organisation routes, pages and the home-page tree.
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("GET", "/api/v1/orgs", h.apiList)
	srv.API("POST", "/api/v1/orgs", h.apiCreate)
	srv.API("GET", "/api/v1/orgs/{id}", h.apiGet)
	srv.API("PATCH", "/api/v1/orgs/{id}", h.apiUpdate)
	srv.Page("GET", "/orgs", h.treePage)
	srv.Page("GET", "/orgs/new", h.newPage)
	srv.Page("POST", "/orgs", h.createForm)
	srv.Page("GET", "/orgs/{id}", h.orgPage)
	srv.Page("POST", "/orgs/{id}", h.updateForm)
	srv.AddMenu(web.MenuItem{Href: "/orgs", Label: "nav.orgs", Group: web.MenuAdmin, Weight: 10})
	srv.AddHomeDirectory(h.homeTree)
	web.AddMessages(messages)
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	list, err := h.svc.Visible(r.Context(), a)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	o, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, o)
	return nil
}

func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Input
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := h.svc.Create(r.Context(), a, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, o)
	return nil
}

// Patch is a partial update: absent fields keep their value.
type Patch struct {
	ParentID *int64  `json:"parent_id"`
	Name     *string `json:"name"`
	Kind     *string `json:"kind"`
	Code     *string `json:"code"`
	Sort     *int    `json:"sort"`
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
	in := Input{ParentID: cur.ParentID, Name: cur.Name, Kind: cur.Kind, Code: cur.Code, Sort: cur.Sort}
	if p.ParentID != nil {
		in.ParentID = p.ParentID
	}
	if p.Name != nil {
		in.Name = *p.Name
	}
	if p.Kind != nil {
		in.Kind = *p.Kind
	}
	if p.Code != nil {
		in.Code = *p.Code
	}
	if p.Sort != nil {
		in.Sort = *p.Sort
	}
	o, err := h.svc.Update(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, o)
	return nil
}

type treeData struct {
	Roots     []*Node
	CanManage bool
	Query     string
	Found     []foundOrg
}

type foundOrg struct {
	Org
	Trail string // the names of its ancestors, for telling namesakes apart
}

func (h *handlers) treePage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	d := treeData{CanManage: a.CanAnywhere(auth.OrgManage), Query: r.URL.Query().Get("q")}
	if d.Query != "" {
		found, err := h.svc.Search(r.Context(), a, d.Query, 200)
		if err != nil {
			return err
		}
		for i := range found {
			anc, err := Ancestors(r.Context(), h.svc.DB, &found[i])
			if err != nil {
				return err
			}
			var names []string
			for _, x := range anc {
				names = append(names, x.Name)
			}
			d.Found = append(d.Found, foundOrg{Org: found[i], Trail: strings.Join(names, " / ")})
		}
	} else {
		list, err := h.svc.VisibleDepth(r.Context(), a, 3)
		if err != nil {
			return err
		}
		d.Roots = BuildTree(list, 3)
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/tree.html", "templates/partials.html"), h.srv.NewView(r, a, web.Translate(web.Lang(r), "nav.orgs"), d))
	return nil
}

type homeData struct {
	Roots []homeRoot
}

type homeRoot struct {
	*Node
	Groups []Group
}

// homeTree shows each scope the person holds with its units grouped by kind:
// a district leader sees the 12 townships and 21 departments at a glance.
func (h *handlers) homeTree(r *http.Request, a *auth.Actor) (template.HTML, error) {
	list, err := h.svc.VisibleDepth(r.Context(), a, 1)
	if err != nil {
		return "", err
	}
	var d homeData
	for _, root := range BuildTree(list, 1) {
		d.Roots = append(d.Roots, homeRoot{Node: root, Groups: GroupByKind(root.Children)})
	}
	v := h.srv.NewView(r, a, "", d)
	return web.RenderFragment(h.srv.Template(templates, "templates/tree.html", "templates/partials.html"), "home-tree", v)
}

type orgData struct {
	Org       *Org
	Ancestors []Org
	Children  []Org
	Groups    []Group
	CanManage bool
	Kinds     []string
	Form      Input
	People    any
	Parents   []Org
}

func (h *handlers) orgPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	return h.renderOrg(w, r, a, id, nil, nil)
}

func (h *handlers) renderOrg(w http.ResponseWriter, r *http.Request, a *auth.Actor, id int64, form *Input, formErr error) error {
	o, err := h.svc.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	anc, err := Ancestors(r.Context(), h.svc.DB, o)
	if err != nil {
		return err
	}
	children, err := h.svc.Children(r.Context(), a, id)
	if err != nil {
		return err
	}
	SortOrgs(children)
	nodes := make([]*Node, len(children))
	for i := range children {
		nodes[i] = &Node{Org: children[i]}
	}
	d := orgData{Org: o, Ancestors: anc, Children: children, Groups: GroupByKind(nodes), CanManage: a.Can(auth.OrgManage, o.Path), Kinds: Kinds,
		Form: Input{ParentID: o.ParentID, Name: o.Name, Kind: o.Kind, Code: o.Code, Sort: o.Sort}}
	if form != nil {
		d.Form = *form
	}
	if d.CanManage {
		if d.Parents, err = h.svc.VisibleDepth(r.Context(), a, 2); err != nil {
			return err
		}
	}
	if PeopleOf != nil {
		if d.People, err = PeopleOf(r, a, o); err != nil {
			return err
		}
	}
	v := h.srv.NewView(r, a, o.Name, d)
	if formErr != nil {
		e, ok := apperr.As(formErr)
		if !ok {
			return formErr
		}
		v.Error, v.Status = e, web.Status(e)
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/org.html", "templates/partials.html"), v)
	return nil
}

// PeopleOf, when set by the people package, lists the people of an org for its page.
var PeopleOf func(r *http.Request, a *auth.Actor, o *Org) (any, error)

func formInput(r *http.Request) Input {
	in := Input{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Code: r.PostFormValue("code")}
	in.Sort, _ = strconv.Atoi(r.PostFormValue("sort"))
	if p, err := strconv.ParseInt(r.PostFormValue("parent_id"), 10, 64); err == nil && p > 0 {
		in.ParentID = &p
	}
	return in
}

func (h *handlers) updateForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in := formInput(r)
	if _, err := h.svc.Update(r.Context(), a, id, in); err != nil {
		if c := apperr.Code(err); c == apperr.EINVALID || c == apperr.ERULE || c == apperr.ECONFLICT {
			return h.renderOrg(w, r, a, id, &in, err)
		}
		return err
	}
	h.srv.Flash(r, "common.saved")
	web.Redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10))
	return nil
}

type newData struct {
	Form    Input
	Kinds   []string
	Parents []Org
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	in := Input{Kind: Village}
	if p, err := strconv.ParseInt(r.URL.Query().Get("parent"), 10, 64); err == nil {
		in.ParentID = &p
	}
	return h.renderNew(w, r, a, in, nil)
}

func (h *handlers) renderNew(w http.ResponseWriter, r *http.Request, a *auth.Actor, in Input, formErr error) error {
	if !a.CanAnywhere(auth.OrgManage) {
		return h.svc.Auth.Refuse(r.Context(), a, auth.OrgManage, "org", apperr.New(apperr.EFORBIDDEN, "无权新增组织 / you may not add organisations"))
	}
	// Valid parents sit at most two levels below a scope root.
	parents, err := h.svc.VisibleDepth(r.Context(), a, 2)
	if err != nil {
		return err
	}
	var manageable []Org
	for _, p := range parents {
		if a.Can(auth.OrgManage, p.Path) {
			manageable = append(manageable, p)
		}
	}
	v := h.srv.NewView(r, a, web.Translate(web.Lang(r), "org.new"), newData{Form: in, Kinds: Kinds, Parents: manageable})
	if e, ok := apperr.As(formErr); ok {
		v.Error, v.Status = e, web.Status(e)
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/new.html", "templates/partials.html"), v)
	return nil
}

func (h *handlers) createForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	in := formInput(r)
	o, err := h.svc.Create(r.Context(), a, in)
	if err != nil {
		if c := apperr.Code(err); c == apperr.EINVALID || c == apperr.ERULE || c == apperr.ECONFLICT {
			return h.renderNew(w, r, a, in, err)
		}
		return err
	}
	h.srv.Flash(r, "common.saved")
	web.Redirect(w, r, "/orgs/"+strconv.FormatInt(o.ID, 10))
	return nil
}

var messages = map[string][2]string{
	"org.tree":         {"组织机构", "Organisations"},
	"org.visible":      {"我可查看的组织", "Organisations I can see"},
	"org.count":        {"共 %d 个组织", "%d organisations"},
	"org.more":         {"另有 %d 个下级", "%d more below"},
	"org.new":          {"新增组织", "New organisation"},
	"org.name":         {"名称", "Name"},
	"org.kind":         {"类型", "Kind"},
	"org.code":         {"编码", "Code"},
	"org.sort":         {"排序", "Order"},
	"org.parent":       {"上级组织", "Parent"},
	"org.children":     {"下级组织", "Sub-organisations"},
	"org.no_children":  {"没有下级组织。", "No sub-organisations."},
	"org.people":       {"人员", "People"},
	"org.edit":         {"编辑组织", "Edit organisation"},
	"org.details":      {"基本信息", "Details"},
	"org.add_child":    {"新增下级", "Add sub-organisation"},
	"org.open_all":     {"查看全部组织", "See all organisations"},
	"org.move_hint":    {"更改上级组织会带走其全部下级。", "Changing the parent moves the whole subtree."},
	"org.search":       {"查找组织：名称或编码", "Find an organisation: name or code"},
	"org.found":        {"找到 %d 个与“%s”相关的组织", "%d organisations matching “%s”"},
	"org.clear_search": {"清除", "Clear"},
}
