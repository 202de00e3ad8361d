package dailyreport

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
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

//go:embed templates
var templates embed.FS

// FormRows is how many empty item rows the form shows per half; a folded
// "more" part holds FormMoreRows further rows, so that no script is needed.
const (
	FormRows     = 3
	FormMoreRows = 5
)

// registerPages adds the phone form, the desks' board and the history pages,
// with their API (history, statistics, Excel exports), the menu entry and
// the home section.
func registerPages(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	web.AddMessages(pageMessages)
	srv.API("GET", "/api/v1/daily-reports/history", h.apiHistory)
	srv.API("GET", "/api/v1/daily-reports/stats", h.apiStats)
	srv.API("GET", "/api/v1/daily-reports/board.xlsx", h.apiBoardXLSX)
	srv.API("GET", "/api/v1/daily-reports/stats.xlsx", h.apiStatsXLSX)
	srv.Page("GET", "/daily-reports", h.indexPage)
	srv.Page("GET", "/daily-reports/new", h.formPage)
	srv.Page("POST", "/daily-reports", h.submitForm)
	srv.Page("GET", "/daily-reports/{id}", h.reportPage)
	srv.Page("GET", "/daily-reports/board", h.boardPage)
	srv.Page("POST", "/daily-reports/items/{id}/acknowledge", h.acknowledgeForm)
	srv.Page("POST", "/daily-reports/items/{id}/followup", h.followUpForm)
	srv.Page("GET", "/daily-reports/units/{id}", h.historyPage)
	srv.Page("GET", "/daily-reports/stats", h.statsPage)
	srv.Page("GET", "/daily-reports/schedule", h.schedulePage)
	srv.Page("POST", "/daily-reports/schedule", h.scheduleForm)
	srv.Page("POST", "/daily-reports/units/{id}/ping-token", h.pingTokenForm)
	srv.AddMenu(web.MenuItem{Href: "/daily-reports", Label: "nav.dailyreport", Show: func(a *auth.Actor) bool {
		return a.CanAnywhere(auth.DailyReportSubmit) || a.CanAnywhere(auth.DailyReportView)
	}})
	srv.AddHomeSection(h.homeSection)
}

func (h *handlers) tmpl(file string) *template.Template {
	return h.srv.Template(templates, "templates/"+file, "templates/partials.html")
}

func (h *handlers) render(w http.ResponseWriter, r *http.Request, a *auth.Actor, titleKey, file string, data any, failure error) error {
	v := h.srv.NewView(r, a, web.Translate(web.Lang(r), titleKey), data)
	if failure != nil {
		e, ok := apperr.As(failure)
		if !ok {
			return failure
		}
		v.Error, v.Status = e, web.Status(e)
	}
	h.srv.Render(w, r, h.tmpl(file), v)
	return nil
}

// formError says whether err belongs on the form (the person can fix it).
func formError(err error) bool {
	e, ok := apperr.As(err)
	return ok && (e.Code == apperr.EINVALID || e.Code == apperr.ERULE || e.Code == apperr.EUNSUPPORTED || e.Code == apperr.ETOOLARGE)
}

// tools gives templates the few formats the shared funcs lack.
type tools struct{ lang string }

// HM is a time of day in Asia/Shanghai ("" for none).
func (tools) HM(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Location).Format("15:04")
}

// HMp is HM of a pointer.
func (x tools) HMp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return x.HM(*t)
}

// Weekday names d's day of the week.
func (x tools) Weekday(d calendar.Date) string {
	return web.Translate(x.lang, "dailyreport.wd."+strconv.Itoa(int(d.Weekday())))
}

// Pct is a rate as a percentage with one decimal.
func (tools) Pct(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}

// Low reports a rate under 90 %, drawn in the warning colour.
func (tools) Low(r *float64) bool { return r != nil && *r < 0.9 }

// Bar is a rate as an SVG width out of 100.
func (tools) Bar(r *float64) string {
	if r == nil {
		return "0"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64)
}

// Cut shortens s to at most n characters.
func (tools) Cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// countdown says how long until (or since) the deadline, computed on the server.
func countdown(lang string, now, deadline time.Time) (string, bool) {
	d := deadline.Sub(now)
	key := "dailyreport.countdown"
	over := d <= 0
	if over {
		d, key = -d, "dailyreport.overdue"
	}
	mins := int(d / time.Minute)
	if over && mins >= 24*60 {
		return web.Translatef(lang, "dailyreport.overdue_d", mins/(24*60)), over
	}
	if mins < 60 {
		return web.Translatef(lang, key+"_m", mins), over
	}
	return web.Translatef(lang, key, mins/60, mins%60), over
}

// ---- index ----

// indexPage is the menu entry: the board for those who view, else the form.
func (h *handlers) indexPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	switch {
	case a.CanAnywhere(auth.DailyReportView):
		web.Redirect(w, r, "/daily-reports/board")
	case a.CanAnywhere(auth.DailyReportSubmit):
		web.Redirect(w, r, "/daily-reports/new")
	default:
		return h.srv.Auth.Refuse(r.Context(), a, auth.DailyReportView, "daily_report", apperr.NotFound("daily report"))
	}
	return nil
}

// ---- the phone form ----

type formRow struct {
	Index        int
	Category     string
	CategoryText string
	Summary      string
	Place        string
	Time         string
	Severity     string
	FollowUp     bool
}

func (r formRow) empty() bool {
	return r.Category == "" && r.CategoryText == "" && r.Summary == "" && r.Place == "" && r.Time == "" && !r.FollowUp &&
		(r.Severity == "" || r.Severity == "normal")
}

type formHalf struct {
	Name       string // safety, stability
	Mode       string // nothing, items
	Rows       []formRow
	More       []formRow
	Categories []string
}

type formData struct {
	tools
	Units      []Unit // the units to choose from (no unit chosen yet, or to switch)
	Unit       *UnitDay
	Date       calendar.Date
	Today      bool
	Countdown  string
	Overdue    bool
	Halves     []formHalf
	Severities []string
	Open       bool // the items part starts unfolded
}

// parseHalf reads one half's rows from the form: indexed fields, so that a
// script may add rows; rows left empty are ignored.
func parseHalf(r *http.Request, name string) formHalf {
	fh := formHalf{Name: name, Mode: r.PostFormValue(name + "_mode"), Categories: Categories[name]}
	for i := 0; i < MaxItemsPerHalf+1; i++ {
		p := fmt.Sprintf("%s_%d_", name, i)
		if _, ok := r.PostForm[p+"summary"]; !ok {
			if _, ok := r.PostForm[p+"category"]; !ok {
				continue
			}
		}
		fh.Rows = append(fh.Rows, formRow{Index: i, Category: strings.TrimSpace(r.PostFormValue(p + "category")), CategoryText: strings.TrimSpace(r.PostFormValue(p + "category_text")),
			Summary: strings.TrimSpace(r.PostFormValue(p + "summary")), Place: strings.TrimSpace(r.PostFormValue(p + "place")),
			Time: strings.TrimSpace(r.PostFormValue(p + "time")), Severity: r.PostFormValue(p + "severity"), FollowUp: r.PostFormValue(p+"follow") != ""})
	}
	return fh
}

// half turns the form's rows into a half: filled rows with 有情况 make
// items; 平安 with no rows makes nothing to report. 平安 with rows filled in
// is refused rather than guessed: nothing typed is dropped silently.
func (fh formHalf) half() (*Half, error) {
	var items []Item
	for _, row := range fh.Rows {
		if row.empty() {
			continue
		}
		cat := row.Category
		if row.CategoryText != "" {
			cat = row.CategoryText
		}
		items = append(items, Item{Category: cat, Summary: row.Summary, Place: row.Place, OccurredAt: row.Time, Severity: row.Severity, FollowUp: row.FollowUp,
			filesField: fmt.Sprintf("%s_%d_files", fh.Name, row.Index)})
	}
	switch {
	case fh.Mode == "items":
		return &Half{Items: items}, nil
	case len(items) > 0:
		return nil, apperr.Field(apperr.EINVALID, fh.Name, "“%s”选择了“平安”，但填写了事项：请改选“有情况”，或清空所填事项 / the %s half says nothing to report but has items filled in: choose “matters to report” or clear the items",
			halfLabel(fh.Name), fh.Name)
	}
	return &Half{NothingToReport: true}, nil
}

// filled reports whether any row has something in it.
func (fh formHalf) filled() bool {
	for _, row := range fh.Rows {
		if !row.empty() {
			return true
		}
	}
	return false
}

// layout pads the rows to FormRows shown and FormMoreRows folded, numbered.
func (fh formHalf) layout() formHalf {
	var kept []formRow
	for _, row := range fh.Rows {
		if !row.empty() {
			kept = append(kept, row)
		}
	}
	for len(kept) < FormRows+FormMoreRows {
		kept = append(kept, formRow{})
	}
	for i := range kept {
		kept[i].Index = i
		if kept[i].Severity == "" {
			kept[i].Severity = "normal"
		}
	}
	shown := max(FormRows, len(kept)-FormMoreRows)
	fh.Rows, fh.More = kept[:shown], kept[shown:]
	if fh.Mode == "" {
		fh.Mode = "nothing"
	}
	return fh
}

// formUnit finds the unit the form is for: ?org_id= (checked), else the
// actor's own unit, else the only unit they report for; nil with the choice
// when there are several (or when asked to choose).
func (h *handlers) formUnit(r *http.Request, a *auth.Actor, orgID int64, choose bool) (*org.Org, []Unit, error) {
	ctx := r.Context()
	if orgID != 0 {
		o, err := org.ByID(ctx, h.svc.DB, orgID)
		if err != nil {
			return nil, nil, err
		}
		if err := h.svc.Auth.Check(ctx, a, auth.DailyReportSubmit, o.Path, "org", strconv.FormatInt(o.ID, 10)); err != nil {
			return nil, nil, err
		}
		units, err := h.svc.ReportableUnits(ctx, a)
		return o, units, err
	}
	if !a.CanAnywhere(auth.DailyReportSubmit) {
		return nil, nil, h.srv.Auth.Refuse(ctx, a, auth.DailyReportSubmit, "org", apperr.NotFound("daily report"))
	}
	units, err := h.svc.ReportableUnits(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	if choose && len(units) > 1 {
		return nil, units, nil
	}
	own, err := h.svc.OwnUnit(ctx, a)
	if err != nil || own != nil {
		return own, units, err
	}
	if len(units) == 1 {
		o, err := org.ByID(ctx, h.svc.DB, units[0].OrgID)
		return o, units, err
	}
	return nil, units, nil
}

// formDate reads the day reported for (default today); a future day is refused.
func (h *handlers) formDate(s string) (calendar.Date, error) {
	today := h.svc.Today()
	if s == "" {
		return today, nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return d, apperr.Field(apperr.EINVALID, "date", "日期须为 YYYY-MM-DD / the date must be YYYY-MM-DD")
	}
	if d.After(today) {
		return d, apperr.Field(apperr.ERULE, "date", "不能为将来的日期报告（%s） / a report cannot be for a future date (%s)", d, d)
	}
	return d, nil
}

func (h *handlers) formPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	orgID, err := orgParam(r)
	if err != nil {
		return err
	}
	d, err := h.formDate(r.URL.Query().Get("date"))
	if err != nil {
		return err
	}
	halves := []formHalf{{Name: "safety", Categories: Categories["safety"]}, {Name: "stability", Categories: Categories["stability"]}}
	return h.renderForm(w, r, a, orgID, d, halves, nil)
}

func (h *handlers) renderForm(w http.ResponseWriter, r *http.Request, a *auth.Actor, orgID int64, d calendar.Date, halves []formHalf, failure error) error {
	o, units, err := h.formUnit(r, a, orgID, r.Method == http.MethodGet && r.URL.Query().Get("choose") != "")
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	fd := formData{tools: tools{lang}, Units: units, Date: d, Today: d == h.svc.Today(), Severities: Severities}
	if o != nil {
		if fd.Unit, err = h.svc.UnitDayOf(r.Context(), o, d); err != nil {
			return err
		}
		fd.Countdown, fd.Overdue = countdown(lang, h.svc.Clock.Now(), fd.Unit.Day.Deadline)
	}
	for _, fh := range halves {
		fh.Categories = Categories[fh.Name]
		if fh.Mode == "items" {
			fd.Open = true
		}
		fd.Halves = append(fd.Halves, fh.layout())
	}
	if failure != nil && r.PostFormValue("nothing") == "" || r.URL.Query().Has("items") {
		fd.Open = true // ?items opens the items straight away (a link from a chat robot)
	}
	return h.render(w, r, a, "dailyreport.form_title", "form.html", fd, failure)
}

func (h *handlers) submitForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	multipart := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
	if multipart && h.svc.Attachments != nil {
		// Photos: FromForm bounds and parses the whole form (the field "-"
		// holds no files; each item's own field is read below).
		attachment.AllowSlowUpload(w)
		if _, err := h.svc.Attachments.FromForm(r.Context(), a, r, "-"); err != nil {
			return err
		}
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			return apperr.New(apperr.EINVALID, "表单无法读取 / the form cannot be read")
		}
	}
	orgID, err := strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	if err != nil || orgID <= 0 {
		return apperr.Field(apperr.EINVALID, "org_id", "请选择报告单位 / choose the reporting unit")
	}
	in := NothingToReport(orgID)
	in.Date = r.PostFormValue("date")
	halves := []formHalf{parseHalf(r, "safety"), parseHalf(r, "stability")}
	if r.PostFormValue("nothing") == "" {
		if in.Safety, err = halves[0].half(); err == nil {
			in.Stability, err = halves[1].half()
		}
		// Each item's photos, stored now and linked by Submit.
		for _, hv := range []*Half{in.Safety, in.Stability} {
			for i := 0; err == nil && hv != nil && i < len(hv.Items); i++ {
				if f := hv.Items[i].filesField; f != "" && multipart && h.svc.Attachments != nil {
					hv.Items[i].AttachmentIDs, err = h.svc.Attachments.FromForm(r.Context(), a, r, f)
				}
			}
		}
	}
	var rec *Receipt
	if err == nil {
		rec, err = h.svc.Submit(r.Context(), a, "web", in)
	}
	if err != nil {
		for i := range halves {
			if halves[i].filled() {
				halves[i].Mode = "items" // show what was typed
			}
		}
		if !formError(err) {
			return err
		}
		d, derr := h.formDate(in.Date)
		if derr != nil {
			d = h.svc.Today()
		}
		return h.renderForm(w, r, a, orgID, d, halves, err)
	}
	web.Redirect(w, r, "/daily-reports/"+strconv.FormatInt(rec.ID, 10))
	return nil
}

// ---- the receipt (one filed version) ----

type reportData struct {
	tools
	*ReportView
	Safety, Stability []BoardItem
	Today             bool
}

func (h *handlers) reportPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.svc.Report(r.Context(), a, id)
	if err != nil {
		return err
	}
	d := reportData{tools: tools{web.Lang(r)}, ReportView: v, Today: v.Date == h.svc.Today()}
	for _, it := range v.Items {
		if it.Half == "safety" {
			d.Safety = append(d.Safety, it)
		} else {
			d.Stability = append(d.Stability, it)
		}
	}
	return h.render(w, r, a, "dailyreport.receipt_title", "report.html", d, nil)
}

// ---- the desks' board ----

type orgChoice struct {
	ID     int64
	Name   string
	Indent int
}

// boardOrgs are the boards the actor may open: each scope's top, and each
// org inside it whose villages report to it.
func (h *handlers) boardOrgs(r *http.Request, a *auth.Actor) ([]orgChoice, error) {
	ctx := r.Context()
	var out []orgChoice
	seen := map[int64]bool{}
	scopes := a.Scopes(auth.DailyReportView)
	sort.Strings(scopes)
	for _, scope := range scopes {
		parts := strings.Split(strings.Trim(scope, "/"), "/")
		id, _ := strconv.ParseInt(parts[len(parts)-1], 10, 64)
		top, err := org.ByID(ctx, h.svc.DB, id)
		if err != nil {
			return nil, err
		}
		if !seen[top.ID] {
			seen[top.ID] = true
			out = append(out, orgChoice{ID: top.ID, Name: top.Name})
		}
		villages, err := Units(ctx, h.svc.DB, TierVillage, scope)
		if err != nil {
			return nil, err
		}
		for _, v := range villages {
			if v.ParentID == 0 || seen[v.ParentID] {
				continue
			}
			seen[v.ParentID] = true
			p, err := org.ByID(ctx, h.svc.DB, v.ParentID)
			if err != nil {
				return nil, err
			}
			if auth.Covers(scope, p.Path) {
				out = append(out, orgChoice{ID: p.ID, Name: p.Name, Indent: 1})
			}
		}
	}
	return out, nil
}

var statusRank = map[string]int{Missing: 0, Late: 1, Pending: 2, OnTime: 3, NotRequired: 4}

type boardData struct {
	tools
	*Board
	Orgs       []orgChoice
	Prev, Next calendar.Date
	Today      bool
	IsToday    calendar.Date
	Own        *org.Org // the actor's own unit, for a link to the form
	ExportURL  string
	Back       string // this board, for the forms to come back to
	CanHazard  bool   // the viewer may register hazards (隐患) somewhere
}

func (h *handlers) boardPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	d, err := h.dateParam(r)
	if err != nil {
		return err
	}
	orgID, err := orgParam(r)
	if err != nil {
		return err
	}
	b, err := h.svc.Board(r.Context(), a, d, orgID)
	if err != nil {
		return err
	}
	sort.SliceStable(b.Units, func(i, j int) bool { return statusRank[b.Units[i].Status] < statusRank[b.Units[j].Status] })
	orgs, err := h.boardOrgs(r, a)
	if err != nil {
		return err
	}
	own, err := h.svc.OwnUnit(r.Context(), a)
	if err != nil {
		return err
	}
	q := url.Values{"date": {d.String()}, "org_id": {strconv.FormatInt(b.OrgID, 10)}}.Encode()
	bd := boardData{tools: tools{web.Lang(r)}, CanHazard: a.CanAnywhere(auth.HazardReport), Board: b, Orgs: orgs, Prev: d.AddDays(-1), Next: d.AddDays(1), Today: d == h.svc.Today(),
		IsToday: h.svc.Today(), Own: own, ExportURL: "/api/v1/daily-reports/board.xlsx?" + q, Back: "/daily-reports/board?" + q}
	return h.render(w, r, a, "dailyreport.board_title", "board.html", bd, nil)
}

func backTo(r *http.Request) string {
	back := web.SafeNext(r.PostFormValue("back"))
	if !strings.HasPrefix(back, "/daily-reports/") {
		back = "/daily-reports/board"
	}
	return back
}

func (h *handlers) acknowledgeForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := h.svc.Acknowledge(r.Context(), a, id); err != nil {
		return err
	}
	h.srv.Flash(r, "dailyreport.acknowledged")
	web.Redirect(w, r, backTo(r)+"#item-"+strconv.FormatInt(id, 10))
	return nil
}

func (h *handlers) followUpForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	in := FollowUpInput{Title: r.PostFormValue("title"), DueDate: strings.TrimSpace(r.PostFormValue("due_date"))}
	if _, err := h.svc.FollowUp(r.Context(), a, id, in); err != nil {
		return err
	}
	h.srv.Flash(r, "dailyreport.followup_created")
	web.Redirect(w, r, backTo(r)+"#item-"+strconv.FormatInt(id, 10))
	return nil
}

// ---- a unit's month (history) ----

type calCell struct {
	HistoryDay
	Day    int
	Today  bool
	Future bool
	Link   string
}

type historyData struct {
	tools
	*History
	Title      string
	WeekHeads  []string
	Cells      []calCell
	Prev, Next string
	Counts     StatCounts
	CanSubmit  bool
	Statuses   []string
}

func (h *handlers) historyPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	month, err := h.monthParam(r)
	if err != nil {
		return err
	}
	hist, err := h.svc.History(r.Context(), a, id, month)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	today := h.svc.Today()
	hd := historyData{tools: tools{lang}, History: hist, CanSubmit: a.Can(auth.DailyReportSubmit, hist.Path),
		Title: web.Translatef(lang, "dailyreport.month_title", month.Year, int(month.Month)),
		Prev:  month.AddDays(-1).String()[:7], Next: month.AddDays(40).String()[:7],
		Statuses: []string{OnTime, Late, Missing, Pending, NotRequired}}
	for i := 1; i <= 7; i++ {
		hd.WeekHeads = append(hd.WeekHeads, web.Translate(lang, "dailyreport.wd."+strconv.Itoa(i%7)))
	}
	for i := 0; i < (int(month.Weekday())+6)%7; i++ {
		hd.Cells = append(hd.Cells, calCell{})
	}
	for _, day := range hist.Days {
		c := calCell{HistoryDay: day, Day: day.Date.Day, Today: day.Date == today, Future: day.Date.After(today)}
		switch {
		case day.ReportID != 0:
			c.Link = "/daily-reports/" + strconv.FormatInt(day.ReportID, 10)
		case day.Status == Missing && hd.CanSubmit:
			c.Link = "/daily-reports/new?org_id=" + strconv.FormatInt(hist.OrgID, 10) + "&date=" + day.Date.String()
		}
		if !c.Future {
			hd.Counts.add(day.Status)
		}
		hd.Cells = append(hd.Cells, c)
	}
	hd.Counts.rate()
	return h.render(w, r, a, "dailyreport.history_title", "history.html", hd, nil)
}

// ---- statistics ----

type statsData struct {
	tools
	*Stats
	Orgs      []orgChoice
	ExportURL string
}

func (h *handlers) statsPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	orgID, err := orgParam(r)
	if err != nil {
		return err
	}
	from, to, err := h.periodParams(r)
	if err != nil {
		return err
	}
	st, err := h.svc.Stats(r.Context(), a, orgID, from, to)
	if err != nil {
		return err
	}
	orgs, err := h.boardOrgs(r, a)
	if err != nil {
		return err
	}
	q := url.Values{"org_id": {strconv.FormatInt(st.OrgID, 10)}, "from": {from.String()}, "to": {to.String()}}.Encode()
	return h.render(w, r, a, "dailyreport.stats_title", "stats.html", statsData{tools: tools{web.Lang(r)}, Stats: st, Orgs: orgs, ExportURL: "/api/v1/daily-reports/stats.xlsx?" + q}, nil)
}

// ---- schedule and check-in addresses ----

type periodRow struct {
	Start, End, Deadline, Name string
}

type unitRow struct {
	Unit
	Issued time.Time
}

type newPing struct {
	OrgName string
	URL     string
}

type scheduleData struct {
	tools
	Tiers     map[string]string // tier → deadline
	TierNames []string
	Periods   []periodRow
	CanManage bool // the schedule itself (district-wide)
	Units     []unitRow
	MoreUnits bool
	NewPing   *newPing
}

// MaxScheduleUnits bounds the units listed for check-in addresses.
const MaxScheduleUnits = 500

func (h *handlers) scheduleView(r *http.Request, a *auth.Actor, form *scheduleData) (*scheduleData, error) {
	ctx := r.Context()
	if !a.CanAnywhere(auth.DailyReportView) {
		return nil, h.srv.Auth.Refuse(ctx, a, auth.DailyReportView, "report_schedule", apperr.NotFound("schedule"))
	}
	root, err := org.RootPath(ctx, h.svc.DB)
	if err != nil {
		return nil, err
	}
	d := &scheduleData{tools: tools{web.Lang(r)}, TierNames: Tiers, CanManage: auth.Authorize(a, auth.DailyReportManage, root) == nil}
	if form != nil {
		d.Tiers, d.Periods = form.Tiers, form.Periods
	} else {
		sch, err := LoadSchedule(ctx, h.svc.DB)
		if err != nil {
			return nil, err
		}
		d.Tiers = map[string]string{TierTownship: "17:00", TierVillage: "17:00"}
		for _, t := range sch.Tiers {
			d.Tiers[t.Tier] = t.Deadline
		}
		for _, p := range sch.HeightenedPeriods {
			d.Periods = append(d.Periods, periodRow{Start: p.Start.String(), End: p.End.String(), Deadline: p.Deadline, Name: p.Name})
		}
	}
	if d.CanManage {
		for i := 0; i < 3; i++ {
			d.Periods = append(d.Periods, periodRow{})
		}
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, scope := range a.Scopes(auth.DailyReportManage) {
		for _, tier := range Tiers {
			us, err := Units(ctx, h.svc.DB, tier, scope)
			if err != nil {
				return nil, err
			}
			for _, u := range us {
				if seen[u.OrgID] {
					continue
				}
				seen[u.OrgID] = true
				if len(d.Units) == MaxScheduleUnits {
					d.MoreUnits = true
					continue
				}
				d.Units = append(d.Units, unitRow{Unit: u})
				ids = append(ids, u.OrgID)
			}
		}
	}
	sort.SliceStable(d.Units, func(i, j int) bool { return d.Units[i].Path < d.Units[j].Path })
	issued, err := h.svc.PingTokenIssued(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range d.Units {
		d.Units[i].Issued = issued[d.Units[i].OrgID]
	}
	return d, nil
}

func (h *handlers) schedulePage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	d, err := h.scheduleView(r, a, nil)
	if err != nil {
		return err
	}
	return h.render(w, r, a, "dailyreport.schedule_title", "schedule.html", d, nil)
}

// parseSchedule reads the schedule form: both tiers' deadlines and the
// period rows (rows left blank are ignored).
func parseSchedule(r *http.Request) (Schedule, *scheduleData, error) {
	in := Schedule{Tiers: []TierDeadline{}, HeightenedPeriods: []Period{}}
	form := &scheduleData{Tiers: map[string]string{}}
	for _, t := range Tiers {
		v := strings.TrimSpace(r.PostFormValue("tier_" + t))
		if len(v) == 8 && strings.HasSuffix(v, ":00") { // some browsers send seconds
			v = v[:5]
		}
		form.Tiers[t] = v
		if v != "" {
			in.Tiers = append(in.Tiers, TierDeadline{Tier: t, Deadline: v})
		}
	}
	var failure error
	for i := 0; i < 100; i++ {
		p := "period_" + strconv.Itoa(i) + "_"
		if _, ok := r.PostForm[p+"start"]; !ok {
			continue
		}
		row := periodRow{Start: strings.TrimSpace(r.PostFormValue(p + "start")), End: strings.TrimSpace(r.PostFormValue(p + "end")),
			Deadline: strings.TrimSpace(r.PostFormValue(p + "deadline")), Name: strings.TrimSpace(r.PostFormValue(p + "name"))}
		if len(row.Deadline) == 8 && strings.HasSuffix(row.Deadline, ":00") {
			row.Deadline = row.Deadline[:5]
		}
		if row == (periodRow{}) {
			continue
		}
		form.Periods = append(form.Periods, row)
		per := Period{Deadline: row.Deadline, Name: row.Name}
		for _, f := range []struct {
			s   string
			dst *calendar.Date
		}{{row.Start, &per.Start}, {row.End, &per.End}} {
			if f.s == "" {
				continue
			}
			d, err := calendar.ParseDate(f.s)
			if err != nil && failure == nil {
				failure = apperr.Field(apperr.EINVALID, "heightened_periods", "日期须为 YYYY-MM-DD，收到 %q / dates must be YYYY-MM-DD, got %q", f.s, f.s)
			}
			*f.dst = d
		}
		in.HeightenedPeriods = append(in.HeightenedPeriods, per)
	}
	return in, form, failure
}

func (h *handlers) scheduleForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.EINVALID, "表单无法读取 / the form cannot be read")
	}
	in, form, err := parseSchedule(r)
	if err == nil {
		_, err = h.svc.SetSchedule(r.Context(), a, in)
	} else {
		// Refuse those who may not set it before telling them about their dates.
		root, rerr := org.RootPath(r.Context(), h.svc.DB)
		if rerr != nil {
			return rerr
		}
		if cerr := h.svc.Auth.Check(r.Context(), a, auth.DailyReportManage, root, "report_schedule", ""); cerr != nil {
			return cerr
		}
	}
	if err != nil {
		if !formError(err) {
			return err
		}
		d, verr := h.scheduleView(r, a, form)
		if verr != nil {
			return verr
		}
		return h.render(w, r, a, "dailyreport.schedule_title", "schedule.html", d, err)
	}
	h.srv.Flash(r, "dailyreport.schedule_saved")
	web.Redirect(w, r, "/daily-reports/schedule")
	return nil
}

// baseURL is this server's address as the person sees it.
func (h *handlers) baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || h.srv.Opts.CookieSecure || (h.srv.Opts.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *handlers) pingTokenForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	tok, err := h.svc.RotatePingToken(r.Context(), a, id)
	if err != nil {
		return err
	}
	o, err := org.ByID(r.Context(), h.svc.DB, id)
	if err != nil {
		return err
	}
	d, err := h.scheduleView(r, a, nil)
	if err != nil {
		return err
	}
	d.NewPing = &newPing{OrgName: o.Name, URL: h.baseURL(r) + "/ping/" + tok}
	return h.render(w, r, a, "dailyreport.schedule_title", "schedule.html", d, nil)
}

// ---- home ----

type homeData struct {
	tools
	Unit      *UnitDay
	Countdown string
	Overdue   bool
	Board     *Board
}

// homeSection shows, on the home page, the person's own unit's day with the
// one-tap button (or the receipt), and for desk viewers today's counts.
func (h *handlers) homeSection(r *http.Request, a *auth.Actor) (template.HTML, error) {
	ctx := r.Context()
	lang := web.Lang(r)
	d := homeData{tools: tools{lang}}
	own, err := h.svc.OwnUnit(ctx, a)
	if err != nil {
		return "", err
	}
	if own != nil {
		if d.Unit, err = h.svc.UnitDayOf(ctx, own, h.svc.Today()); err != nil {
			return "", err
		}
		d.Countdown, d.Overdue = countdown(lang, h.svc.Clock.Now(), d.Unit.Day.Deadline)
	}
	if a.CanAnywhere(auth.DailyReportView) {
		if d.Board, err = h.svc.Board(ctx, a, h.svc.Today(), 0); err != nil {
			return "", err
		}
	}
	if d.Unit == nil && d.Board == nil {
		return "", nil
	}
	// Not NewView: that would take the page's one-time notice.
	v := &web.View{Lang: lang, Actor: a, Data: d, Path: r.URL.Path}
	return web.RenderFragment(h.tmpl("home.html"), "home-dailyreport", v)
}
