package hazard

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/web"
)

// The reference pages (/hazards/settings): the categories (隐患类别), the
// grading reference (判定标准) and the reminder settings, as the API has
// them. Whoever may read the settings over the API sees the page; the
// forms show to whoever may change them (hazard.manage over the district),
// and every post goes through the same service calls as the API, so the
// same checks and audit records apply.
func registerReference(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	web.AddMessages(referenceMessages)
	srv.Page("GET", "/hazards/settings", h.settingsPage)
	srv.Page("POST", "/hazards/settings", h.settingsForm)
	srv.Page("POST", "/hazards/settings/categories", h.categoryForm)
	srv.Page("POST", "/hazards/settings/categories/{code}/active", h.categoryActiveForm)
	srv.Page("POST", "/hazards/settings/standards", h.standardForm)
	srv.Page("POST", "/hazards/settings/standards/{id}/active", h.standardActiveForm)
	// Those who keep the reference tables but not the ledger (the system
	// administrator) reach the page from the menu; everyone else from the
	// ledger's head.
	srv.AddMenu(web.MenuItem{Href: "/hazards/settings", Label: "hazard.ref.nav", Group: web.MenuAdmin, Weight: 40, Show: func(a *auth.Actor) bool {
		return a.CanAnywhere(auth.HazardManage) && !a.CanAnywhere(auth.HazardView)
	}})
}

// canReadSettings is the API's rule for GET /api/v1/hazards/settings.
func canReadSettings(a *auth.Actor) bool {
	return a != nil && (a.Operator || a.CanAnywhere(auth.HazardView) || a.CanAnywhere(auth.HazardManage))
}

// canManage reports whether a may change the reference tables (hazard.manage at the district).
func (s *Service) canManage(ctx context.Context, a *auth.Actor) bool {
	if a == nil {
		return false
	}
	if a.Operator {
		return true
	}
	root, err := org.RootPath(ctx, s.DB)
	return err == nil && a.Can(auth.HazardManage, root)
}

// standardGroup is the clauses of one version of one standard.
type standardGroup struct {
	Code, Name, Version string
	Clauses             []Standard
	Active              int
}

// leaderOption is an account the settings may name as the leader in charge.
type leaderOption struct {
	ID        int64
	Name, Org string
}

type settingsData struct {
	tools
	CanManage  bool
	CanLedger  bool
	Categories []Category
	CatNames   map[string]string
	Groups     []standardGroup
	StdCount   int
	Settings   Settings
	Leaders    []leaderOption
	LeaderName string
	// After a refused post: which form, and what was typed.
	Open     string // "category", "cat:<code>", "standard", "settings"
	Edit     string // ?edit=<code>: the category whose form is open
	Cat      Category
	Std      StandardInput
	SetInput Settings
}

// LeaderID is the chosen leader's id, 0 for none.
func (d *settingsData) LeaderID() int64 {
	if d.SetInput.LeaderUserID != nil {
		return *d.SetInput.LeaderUserID
	}
	return 0
}

func (h *handlers) settingsData(ctx context.Context, r *http.Request, a *auth.Actor) (*settingsData, error) {
	d := &settingsData{tools: tools{web.Lang(r)}, CanManage: h.svc.canManage(ctx, a), CanLedger: a.CanAnywhere(auth.HazardView), CatNames: map[string]string{}}
	var err error
	if d.Categories, err = Categories(ctx, h.svc.DB, true); err != nil {
		return nil, err
	}
	for _, c := range d.Categories {
		d.CatNames[c.Code] = c.Name
		if d.Lang() == "en" && c.NameEN != "" {
			d.CatNames[c.Code] = c.NameEN
		}
	}
	std, err := Standards(ctx, h.svc.DB, true)
	if err != nil {
		return nil, err
	}
	d.StdCount = len(std)
	for _, st := range std {
		n := len(d.Groups)
		if n == 0 || d.Groups[n-1].Name != st.Name || d.Groups[n-1].Version != st.Version || d.Groups[n-1].Code != st.Code {
			d.Groups = append(d.Groups, standardGroup{Code: st.Code, Name: st.Name, Version: st.Version})
			n++
		}
		d.Groups[n-1].Clauses = append(d.Groups[n-1].Clauses, st)
		if st.Active {
			d.Groups[n-1].Active++
		}
	}
	if d.Settings, err = LoadSettings(ctx, h.svc.DB); err != nil {
		return nil, err
	}
	d.SetInput = d.Settings
	d.Cat = Category{Active: true, Sort: 100}
	if d.Leaders, err = leaderOptions(ctx, h.svc, d.Settings.LeaderUserID); err != nil {
		return nil, err
	}
	if id := d.Settings.LeaderUserID; id != nil {
		for _, l := range d.Leaders {
			if l.ID == *id {
				d.LeaderName = l.Name
			}
		}
	}
	return d, nil
}

// Lang is the page's language.
func (t tools) Lang() string { return t.lang }

// leaderOptions lists the active accounts holding the leader role, and
// the current leader in charge whatever their role.
func leaderOptions(ctx context.Context, s *Service, current *int64) ([]leaderOption, error) {
	cur := int64(0)
	if current != nil {
		cur = *current
	}
	rows, err := s.DB.Query(ctx, `SELECT u.id, u.name, o.name FROM users u JOIN orgs o ON o.id = u.org_id
		WHERE NOT u.disabled AND (u.id = ? OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?))
		ORDER BY o.path, u.name, u.id LIMIT 200`, cur, auth.RoleLeader)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []leaderOption
	for rows.Next() {
		var l leaderOption
		if err := rows.Scan(&l.ID, &l.Name, &l.Org); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (h *handlers) settingsPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !canReadSettings(a) {
		return h.srv.Auth.Refuse(r.Context(), a, auth.HazardView, "hazard_settings", apperr.NotFound("hazard settings"))
	}
	d, err := h.settingsData(r.Context(), r, a)
	if err != nil {
		return err
	}
	d.Edit = r.URL.Query().Get("edit")
	return h.render(w, r, a, web.Translate(web.Lang(r), "hazard.ref.title"), "settings.html", d, nil)
}

// settingsAgain shows the page again with the problem at the form open.
func (h *handlers) settingsAgain(w http.ResponseWriter, r *http.Request, a *auth.Actor, fill func(d *settingsData), failure error) error {
	if !web.FormError(failure) {
		return failure
	}
	d, err := h.settingsData(r.Context(), r, a)
	if err != nil {
		return err
	}
	fill(d)
	return h.render(w, r, a, web.Translate(web.Lang(r), "hazard.ref.title"), "settings.html", d, failure)
}

func (h *handlers) done(w http.ResponseWriter, r *http.Request, anchor string) error {
	h.srv.Flash(r, "hazard.done")
	web.Redirect(w, r, "/hazards/settings#"+anchor)
	return nil
}

func formInt(r *http.Request, name string, def int) (int, error) {
	s := strings.TrimSpace(r.FormValue(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.Field(apperr.EINVALID, name, "%s 须为整数 / %s must be a whole number", fieldZH(name), name)
	}
	return n, nil
}

func (h *handlers) categoryForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	c := Category{Code: strings.TrimSpace(r.FormValue("code")), Name: r.FormValue("name"), NameEN: r.FormValue("name_en"), Active: r.FormValue("active") != ""}
	open := "category"
	if r.FormValue("edit") != "" {
		open = "cat:" + c.Code
	}
	sort, err := formInt(r, "sort", 100)
	c.Sort = sort
	if err == nil {
		_, err = h.svc.PutCategory(r.Context(), a, c)
	}
	if err != nil {
		return h.settingsAgain(w, r, a, func(d *settingsData) { d.Open, d.Cat = open, c }, err)
	}
	return h.done(w, r, "categories")
}

func (h *handlers) categoryActiveForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	code := r.PathValue("code")
	all, err := Categories(r.Context(), h.svc.DB, true)
	if err != nil {
		return err
	}
	var c *Category
	for i := range all {
		if all[i].Code == code {
			c = &all[i]
		}
	}
	if c == nil {
		return apperr.NotFound("hazard category")
	}
	c.Active = r.FormValue("active") == "1"
	if _, err := h.svc.PutCategory(r.Context(), a, *c); err != nil {
		return h.settingsAgain(w, r, a, func(d *settingsData) {}, err)
	}
	return h.done(w, r, "categories")
}

func (h *handlers) standardForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	in := StandardInput{Code: r.FormValue("code"), Name: r.FormValue("name"), Version: r.FormValue("version"), Clause: r.FormValue("clause"),
		Text: r.FormValue("text"), Category: r.FormValue("category")}
	if _, err := h.svc.AddStandard(r.Context(), a, in); err != nil {
		return h.settingsAgain(w, r, a, func(d *settingsData) { d.Open, d.Std = "standard", in }, err)
	}
	return h.done(w, r, "standards")
}

func (h *handlers) standardActiveForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.SetStandardActive(r.Context(), a, id, r.FormValue("active") == "1"); err != nil {
		return h.settingsAgain(w, r, a, func(d *settingsData) {}, err)
	}
	return h.done(w, r, "standards")
}

func (h *handlers) settingsForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Settings
	var err error
	if in.RemindDays, err = formInt(r, "remind_days", 0); err == nil {
		in.EscalateDays, err = formInt(r, "escalate_days", 0)
	}
	if err == nil {
		in.LeaderUserID, err = optForm(r, "leader_user_id")
	}
	if err == nil {
		_, err = h.svc.PutSettings(r.Context(), a, in)
	}
	if err != nil {
		return h.settingsAgain(w, r, a, func(d *settingsData) { d.Open, d.SetInput = "settings", in }, err)
	}
	return h.done(w, r, "rules")
}
