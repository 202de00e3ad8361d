package petition

import (
	"context"
	"embed"
	"fmt"
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
	"github.com/anwen-gov/anwen/internal/web"
)

//go:embed templates static
var assets embed.FS

// registerPages adds the pages, the stylesheet and the menu entry.
func registerPages(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	web.AddMessages(pageMessages)
	srv.Page("GET", "/petitions", h.ledgerPage)
	srv.Page("GET", "/petitions/new", h.newPage)
	srv.Page("GET", "/petitions/stats", h.statsPage)
	web.AddMessages(statsMessages)
	srv.Page("POST", "/petitions", h.createForm)
	srv.Page("GET", "/petitions/{id}", h.detailPage)
	srv.Page("POST", "/petitions/{id}/transitions", h.transitionForm)
	srv.Page("POST", "/petitions/{id}/reveal", h.revealForm)
	srv.Page("GET", "/petitions/{id}/print/{doc}", h.printPage)
	srv.AddHomeSection(h.homeSection)
	srv.Stylesheet("/static/petition.css", assets, "static/petition.css") // the CSP allows only same-origin styles
	srv.AddMenu(web.MenuItem{Href: "/petitions", Label: "nav.petitions", Group: web.MenuStability, Weight: 5, Show: func(a *auth.Actor) bool { return a.CanAnywhere(auth.PetitionView) }})
}

func (h *handlers) tmpl(file string) *template.Template {
	return h.srv.Template(assets, "templates/"+file, "templates/partials.html")
}

func (h *handlers) render(w http.ResponseWriter, r *http.Request, a *auth.Actor, title, file string, data any, failure error) error {
	return h.srv.RenderPage(w, r, a, h.tmpl(file), title, data, failure)
}

// tools gives the templates the few formats the shared funcs lack.
type tools struct{ lang string }

// Cut shortens s to n characters.
func (tools) Cut(s string, n int) string { return cut(s, n) }

// Neg is -n (days overdue from days left).
func (tools) Neg(n int) int { return -n }

// Subject names a subject in the page's language.
func (t tools) Subject(code string) string {
	for _, s := range Subjects {
		if s.Code == code {
			if t.lang == "en" {
				return s.EN
			}
			return s.Name
		}
	}
	return code
}

// orgOption is an org in a select.
type orgOption struct {
	ID     int64
	Name   string
	Indent int
}

// routeTargets are the orgs a case can be routed to: every org under the
// district two levels down (townships and their villages, departments),
// the bureau itself left out.
func (h *handlers) routeTargets(ctx context.Context, bureauID int64) []orgOption {
	root, err := org.Root(ctx, h.svc.DB)
	if err != nil || root == nil {
		return nil
	}
	sub, err := org.Subtree(ctx, h.svc.DB, root.Path)
	if err != nil {
		return nil
	}
	children := map[int64][]org.Org{}
	for _, o := range sub[1:] {
		if o.ParentID != nil && o.Depth-root.Depth <= 2 && o.ID != bureauID && o.Kind != org.PoliceStation {
			children[*o.ParentID] = append(children[*o.ParentID], o)
		}
	}
	var out []orgOption
	var walk func(id int64, depth int)
	walk = func(id int64, depth int) {
		for _, c := range children[id] {
			out = append(out, orgOption{ID: c.ID, Name: c.Name, Indent: depth})
			walk(c.ID, depth+1)
		}
	}
	walk(root.ID, 0)
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
	Chips         []chip
	States        []string
	Categories    []string
	Channels      []string
	Subjects      []Subject
	Orgs          []orgOption
	CanRegister   bool
	CanSearchTel  bool
	NextURL       string
	PrevURL       string
	FirstURL      string
	ExportURL     string
	FiltersActive int
}

func (h *handlers) ledgerPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	if !a.CanAnywhere(auth.PetitionView) {
		return h.srv.Auth.Refuse(ctx, a, auth.PetitionView, "petition", apperr.NotFound("petition"))
	}
	f, ferr := ParseFilter(r.URL.Query())
	d := ledgerData{tools: tools{web.Lang(r)}, F: f, States: append([]string{StatusOpen}, States...), Categories: Categories, Channels: Channels,
		Subjects: Subjects, CanSearchTel: a.CanAnywhere(auth.PetitionReveal)}
	if b, err := bureau(ctx, h.svc.DB); err == nil {
		if v, err := h.svc.viewerFor(ctx, h.svc.DB, a, 0); err == nil {
			d.CanRegister = h.svc.MayRegister(ctx, a)
			if _, _, all := v.listScope(b.Path); all {
				d.Orgs = h.routeTargets(ctx, b.ID)
			}
		}
	}
	var page *Page
	if ferr == nil {
		var err error
		page, err = h.svc.List(ctx, a, f)
		if err != nil && !web.FormError(err) && apperr.Code(err) != apperr.EFORBIDDEN {
			return err
		}
		ferr = err
	}
	if page == nil {
		page = &Page{Rows: []Row{}, TotalExact: true, Counted: true}
	}
	d.Page = page
	link := func(extra url.Values) string {
		q := f.Query()
		for k, v := range extra {
			q[k] = v
		}
		return "/petitions?" + q.Encode()
	}
	d.ExportURL = "/api/v1/petitions/export.xlsx?" + f.Query().Encode()
	if page.Next != "" {
		d.NextURL = link(url.Values{"after": {page.Next}})
	}
	if page.Prev != "" {
		d.PrevURL = link(url.Values{"before": {page.Prev}})
	}
	if f.After != "" || f.Before != "" {
		d.FirstURL = link(nil)
	}
	for _, k := range []string{"status", "category", "channel", "subject", "org_id", "from", "to", "phone", "id_number"} {
		if f.Query().Get(k) != "" {
			d.FiltersActive++
		}
	}
	base := Filter{OrgID: f.OrgID}
	mk := func(label string, g Filter) chip {
		cur := g.Query().Encode() == (Filter{OrgID: f.OrgID, Status: f.Status, Overdue: f.Overdue, DueSoon: f.DueSoon, Attention: f.Attention, Key: f.Key}).Query().Encode() &&
			f.Category == "" && f.Channel == "" && f.Subject == "" && f.From == "" && f.To == "" && f.Number == "" && f.Phone == "" && f.IDNumber == ""
		return chip{Label: label, Href: "/petitions?" + g.Query().Encode(), Current: cur}
	}
	with := func(mod func(*Filter)) Filter { g := base; mod(&g); return g }
	d.Chips = []chip{
		mk("pet.chip.all", base),
		mk("pet.chip.open", with(func(g *Filter) { g.Status = StatusOpen })),
		mk("pet.chip.due_soon", with(func(g *Filter) { g.DueSoon = true })),
		mk("pet.chip.overdue", with(func(g *Filter) { g.Overdue = true })),
		mk("pet.chip.key", with(func(g *Filter) { g.Key = true })),
		mk("pet.chip.closed", with(func(g *Filter) { g.Status = Closed })),
	}
	return h.render(w, r, a, web.Translate(web.Lang(r), "pet.ledger_title"), "ledger.html", d, ferr)
}

// ---- registration ----

type formData struct {
	tools
	In          Input
	ReceivedAt  string
	Channels    []string
	Categories  []string
	Subjects    []Subject
	Places      []orgOption
	People      []PersonInput // five rows
	Similar     []SimilarCase
	Checked     bool
	FileIDs     []int64
	FieldErr    string
	RepeatOfID  int64
	AccusedOrgs []orgOption
	MaxReceived string
	// Direct: the org registering what it received itself ("" at the bureau).
	Direct string
	// FromDispute: the dispute the case is registered from (转信访).
	FromDispute *DisputeDraft
}

func (h *handlers) formData(ctx context.Context, r *http.Request, a *auth.Actor, in Input) *formData {
	d := &formData{tools: tools{web.Lang(r)}, In: in, Channels: Channels, Categories: Categories, Subjects: Subjects}
	if _, direct, err := h.svc.registersAt(ctx, a); err == nil && direct != nil {
		// The org registers what it received: the case is its own to
		// accept; an accusation is the bureau's to register.
		d.Direct = direct.Name
		d.Categories = []string{Claim, Suggestion}
	}
	received := h.svc.Clock.Now()
	if in.ReceivedAt != nil {
		received = *in.ReceivedAt
	}
	d.ReceivedAt = received.In(calendar.Location).Format("2006-01-02T15:04")
	d.MaxReceived = h.svc.Clock.Now().In(calendar.Location).Format("2006-01-02T15:04")
	if b, err := bureau(ctx, h.svc.DB); err == nil {
		d.Places = h.routeTargets(ctx, b.ID)
		d.AccusedOrgs = d.Places
	}
	d.People = append([]PersonInput(nil), in.Petitioners...)
	for len(d.People) < MaxNamed {
		d.People = append(d.People, PersonInput{})
	}
	if in.RepeatOf != nil {
		d.RepeatOfID = *in.RepeatOf
	}
	return d
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	if _, _, err := h.svc.registrar(ctx, a); err != nil {
		return err
	}
	in := Input{Channel: ChannelVisit, Category: Claim}
	from, err := h.fromDispute(ctx, a, r.URL.Query().Get("dispute"))
	if err != nil {
		return err
	}
	if from != nil {
		in.Request, in.Place, in.Subject, in.HeadCount = from.Summary, from.Place, from.Subject, from.HeadCount
		if from.PlaceOrgID != 0 {
			in.PlaceOrgID = &from.PlaceOrgID
		}
		in.Comment = "由矛盾纠纷 " + from.Number + " 转入"
	}
	d := h.formData(ctx, r, a, in)
	d.FromDispute = from
	return h.render(w, r, a, web.Translate(web.Lang(r), "pet.new_title"), "new.html", d, nil)
}

// fromDispute reads the dispute a registration comes from (the query's or
// the form's id; nil for none).
func (h *handlers) fromDispute(ctx context.Context, a *auth.Actor, s string) (*DisputeDraft, error) {
	if s = strings.TrimSpace(s); s == "" || h.svc.FromDispute == nil {
		return nil, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return nil, apperr.NotFound("dispute")
	}
	return h.svc.FromDispute(ctx, a, id)
}

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
		if h.svc.Attachments != nil {
			got, err := h.svc.Attachments.FromForm(r.Context(), a, r, field)
			if err != nil {
				return nil, err
			}
			ids = got
		} else if err := r.ParseMultipartForm(1 << 20); err != nil {
			return nil, apperr.New(apperr.EINVALID, "表单格式错误 / malformed form")
		}
	} else if err := r.ParseForm(); err != nil {
		return nil, apperr.New(apperr.EINVALID, "表单格式错误 / malformed form")
	}
	for _, s := range r.Form[field+"_ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func optID(r *http.Request, name string) (*int64, error) {
	s := strings.TrimSpace(r.FormValue(name))
	if s == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return nil, apperr.Field(apperr.EINVALID, name, "%s 须为正整数 / %s must be a positive integer", name, name)
	}
	return &id, nil
}

// inputFromForm reads the registration form.
func inputFromForm(r *http.Request) (Input, error) {
	in := Input{Channel: r.FormValue("channel"), SourceOrg: r.FormValue("source_org"), SourceRef: r.FormValue("source_ref"),
		Category: r.FormValue("category"), Subject: r.FormValue("subject"), Place: r.FormValue("place"), Request: r.FormValue("request"),
		Facts: r.FormValue("facts"), Accused: r.FormValue("accused"), Comment: r.FormValue("comment"), SameClaim: r.FormValue("same_claim") != ""}
	for i := 0; i < MaxNamed; i++ {
		p := PersonInput{Name: r.FormValue(fmt.Sprintf("p%d_name", i)), Phone: r.FormValue(fmt.Sprintf("p%d_phone", i)),
			IDNumber: r.FormValue(fmt.Sprintf("p%d_id", i)), Address: r.FormValue(fmt.Sprintf("p%d_address", i)),
			Representative: r.FormValue(fmt.Sprintf("p%d_rep", i)) != ""}
		if strings.TrimSpace(p.Name+p.Phone+p.IDNumber+p.Address) != "" {
			in.Petitioners = append(in.Petitioners, p)
		}
	}
	if s := strings.TrimSpace(r.FormValue("head_count")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return in, apperr.Field(apperr.EINVALID, "head_count", "人数须为整数 / head_count must be a number")
		}
		in.HeadCount = n
	}
	var err error
	for _, f := range []struct {
		name string
		dst  **int64
	}{{"place_org_id", &in.PlaceOrgID}, {"accused_org_id", &in.AccusedOrgID}, {"repeat_of", &in.RepeatOf}} {
		if *f.dst, err = optID(r, f.name); err != nil {
			return in, err
		}
	}
	if s := strings.TrimSpace(r.FormValue("received_at")); s != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, calendar.Location)
		if err != nil {
			return in, apperr.Field(apperr.EINVALID, "received_at", "收到时间格式不对 / the time received is malformed")
		}
		u := t.UTC()
		in.ReceivedAt = &u
	}
	if in.Category != Accusation {
		in.AccusedOrgID, in.Accused = nil, ""
	}
	return in, nil
}

func (h *handlers) createForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	files, ferr := h.formFiles(w, r, a, "files")
	in, err := inputFromForm(r)
	if err == nil {
		err = ferr
	}
	in.AttachmentIDs = files
	check := r.FormValue("check") != ""
	from, derr := h.fromDispute(ctx, a, r.FormValue("from_dispute"))
	if derr != nil {
		return derr
	}
	var created *Petition
	if err == nil && !check {
		created, err = h.svc.Register(ctx, a, in)
	}
	if err != nil || check {
		if err != nil && !web.FormError(err) {
			return err
		}
		d := h.formData(ctx, r, a, in)
		d.FileIDs, d.Checked, d.FromDispute = files, check, from
		if e, ok := apperr.As(err); ok {
			d.FieldErr = e.Field
		}
		q := SimilarQuery{Subject: in.Subject}
		if in.PlaceOrgID != nil {
			q.PlaceOrgID = *in.PlaceOrgID
		}
		for _, p := range in.Petitioners {
			if p.IDNumber != "" {
				q.IDNumbers = append(q.IDNumbers, p.IDNumber)
			}
			if p.Phone != "" {
				q.Phones = append(q.Phones, p.Phone)
			}
		}
		if sim, serr := h.svc.Similar(ctx, a, q); serr == nil {
			d.Similar = sim
		}
		return h.render(w, r, a, web.Translate(web.Lang(r), "pet.new_title"), "new.html", d, err)
	}
	flash := "pet.registered_flash"
	if from != nil && h.svc.PassDispute != nil {
		// A transaction of its own: the case stands whatever becomes of
		// the dispute's mark, and the page says when it is missing.
		flash = "pet.registered_from_dispute"
		if err := h.svc.PassDispute(ctx, a, from.ID, created.Number); err != nil {
			h.svc.log().Warn("petition: mark the dispute passed on", "dispute", from.ID, "err", err)
			flash = "pet.registered_dispute_unmarked"
		}
	}
	h.srv.Flash(r, flash)
	web.Redirect(w, r, "/petitions/"+itoa(created.ID))
	return nil
}

// ---- a case ----

type userOption struct {
	ID   int64
	Name string
}

type detailData struct {
	tools
	D           *Detail
	Actions     []string
	ErrAction   string
	Targets     []orgOption
	Discipline  *int64
	Decisions   []string
	Today       string
	People      []userOption // who can be asked to step aside
	Me          int64
	MaxExt      int
	PeriodZH    map[string]string
	ReviewRound int
}

func (h *handlers) detail(ctx context.Context, r *http.Request, a *auth.Actor, id int64) (*detailData, error) {
	d, err := h.svc.Detail(ctx, a, id)
	if err != nil {
		return nil, err
	}
	data := &detailData{tools: tools{web.Lang(r)}, D: d, Actions: d.Allowed, Today: h.svc.today().String(), Me: a.UserID, MaxExt: MaxExtensionDays}
	round := 0
	switch d.Status {
	case ReviewRequested:
		round = 1
	case RereviewRequested:
		round = 2
	}
	data.ReviewRound = round
	data.Decisions = Decisions(d.Category, round)
	for _, act := range d.Allowed {
		switch act {
		case ActTransfer, ActAssign, ActToDiscipline, ActRequestReview, ActRequestReview2:
			if data.Targets == nil {
				data.Targets = h.routeTargets(ctx, d.BureauOrgID)
			}
			if st, err := LoadSettings(ctx, h.svc.DB); err == nil {
				data.Discipline = st.DisciplineOrgID
			}
		case ActRecuse:
			if d.RecusesOthers {
				data.People = h.sidePeople(ctx, d.Petition)
			} else {
				data.People = []userOption{{ID: a.UserID, Name: a.Name}}
			}
		}
	}
	return data, nil
}

// sidePeople lists the active accounts of the case's side orgs (who may be asked to step aside).
func (h *handlers) sidePeople(ctx context.Context, p *Petition) []userOption {
	var ids []any
	for _, o := range []*int64{&p.BureauOrgID, p.HandlingOrgID, p.ReviewOrgID} {
		if o != nil {
			ids = append(ids, *o)
		}
	}
	rows, err := h.svc.DB.Query(ctx, "SELECT id, name, post FROM users WHERE org_id IN ("+placeholders(len(ids))+") AND NOT disabled ORDER BY org_id, id LIMIT 200", ids...)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []userOption
	for rows.Next() {
		var u userOption
		var post string
		if rows.Scan(&u.ID, &u.Name, &post) == nil {
			if post != "" {
				u.Name += "（" + post + "）"
			}
			out = append(out, u)
		}
	}
	return out
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
	return h.render(w, r, a, d.D.Number, "petition.html", d, nil)
}

func (h *handlers) revealForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	rev, err := h.svc.Reveal(ctx, a, id)
	if err != nil {
		return err
	}
	d, err := h.detail(ctx, r, a, id)
	if err != nil {
		return err
	}
	d.D.Revealed = rev
	return h.render(w, r, a, d.D.Number, "petition.html", d, nil)
}

func (h *handlers) transitionForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	ctx := r.Context()
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	files, ferr := h.formFiles(w, r, a, "files")
	in := TransitionInput{Action: r.FormValue("action"), Reason: r.FormValue("reason"), Notice: r.FormValue("notice"), Comment: r.FormValue("comment"),
		PetitionerTold: r.FormValue("petitioner_told") != "", RequestedOn: r.FormValue("requested_on"), AttachmentIDs: files}
	if s := strings.TrimSpace(r.FormValue("extension_days")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			ferr = apperr.Field(apperr.EINVALID, "extension_days", "延长天数须为整数 / extension_days must be a number")
		}
		in.ExtensionDays = n
	}
	if r.FormValue("decision") != "" || r.FormValue("opinion_reasons") != "" {
		in.Opinion = &OpinionInput{Decision: r.FormValue("decision"), Facts: r.FormValue("opinion_facts"), Reasons: r.FormValue("opinion_reasons"),
			Basis: r.FormValue("opinion_basis"), Agreement: r.FormValue("agreement"), ServedOn: r.FormValue("served_on")}
	}
	for _, f := range []struct {
		name string
		dst  **int64
	}{{"org_id", &in.OrgID}, {"review_org_id", &in.ReviewOrgID}, {"user_id", &in.UserID}} {
		if p, err := optID(r, f.name); err != nil && ferr == nil {
			ferr = err
		} else {
			*f.dst = p
		}
	}
	err = ferr
	var d *Detail
	if err == nil {
		d, err = h.svc.Transition(ctx, a, id, in)
	}
	if err != nil {
		if !web.FormError(err) { // a refused step (apperr.NotAllowed) is ERULE: shown on the page
			return err
		}
		dd, derr := h.detail(ctx, r, a, id)
		if derr != nil {
			return derr
		}
		dd.ErrAction = in.Action
		return h.render(w, r, a, dd.D.Number, "petition.html", dd, err)
	}
	if d == nil { // stepped aside, or objected: the case is no longer theirs
		h.srv.Flash(r, "pet.gone_flash")
		web.Redirect(w, r, "/petitions")
		return nil
	}
	h.srv.Flash(r, "pet.step_flash")
	web.Redirect(w, r, "/petitions/"+itoa(id))
	return nil
}
