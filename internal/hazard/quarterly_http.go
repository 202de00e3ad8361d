package hazard

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/sheet"
	"github.com/anwen-gov/anwen/internal/web"
)

// registerQuarterly adds the statistics table (企业隐患排查治理情况统计表):
// its JSON, its workbook and its page.
func registerQuarterly(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	web.AddMessages(quarterlyMessages)
	web.AddMessages(sectionMessages)
	srv.API("GET", "/api/v1/hazards/quarterly", h.apiQuarterly)
	srv.API("GET", "/api/v1/hazards/quarterly.xlsx", h.apiQuarterlyXLSX)
	srv.Page("GET", "/hazards/quarterly", h.quarterlyPage)
}

func (h *handlers) apiQuarterly(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	req, err := ParseQuarterlyRequest(r.URL.Query(), nil)
	if err != nil {
		return err
	}
	q, err := h.svc.Quarterly(r.Context(), a, req)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, q)
	return nil
}

func (h *handlers) apiQuarterlyXLSX(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	req, err := ParseQuarterlyRequest(r.URL.Query(), nil)
	if err != nil {
		return err
	}
	q, err := h.svc.Quarterly(r.Context(), a, req)
	if err != nil {
		return err
	}
	sheet.StartDownload(w, quarterlyName(q))
	if err := h.svc.ExportQuarterly(r.Context(), a, q, w); err != nil {
		h.svc.log().Error("hazard quarterly export", "err", err)
	}
	return nil
}

// periodOption is a period in the page's picker.
type periodOption struct {
	Code, Label, Due string
	Year             bool
}

type quarterlyData struct {
	tools
	Q           *Quarterly
	Today       calendar.Date
	Periods     []periodOption
	Upcoming    []periodOption
	UpcomingN   []int
	Orgs        []orgOption
	Staff       bool // may choose an org (not only their enterprise)
	CanStats    bool
	DownloadURL string
	OrgURL      string // the same period for the staff's org (from one enterprise)
	Shown       []QuarterlyRow
	More        int
}

// quarterlyPageRows is how many enterprises the page lists (the workbook has them all).
const quarterlyPageRows = 100

// quarterlyPage shows a table's figures, its due date and the download; a
// period that is malformed or has not begun shows the default period with
// the problem above it.
func (h *handlers) quarterlyPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	lang := web.Lang(r)
	today := h.svc.today()
	def := DefaultPeriod(today)
	q := r.URL.Query()
	req, problem := ParseQuarterlyRequest(q, &def)
	if problem != nil {
		if e, ok := apperr.As(problem); !ok || e.Field != "period" {
			return problem
		}
		q.Del("period")
		var err error
		if req, err = ParseQuarterlyRequest(q, &def); err != nil {
			return err
		}
	}
	d, err := h.quarterlyData(r, a, req, lang, today)
	if err != nil && web.FormError(err) && problem == nil {
		problem, req.Period = err, def
		d, err = h.quarterlyData(r, a, req, lang, today)
	}
	if err != nil {
		return err
	}
	return h.render(w, r, a, web.Translate(lang, "hazard.q.title"), "quarterly.html", d, problem)
}

func (h *handlers) quarterlyData(r *http.Request, a *auth.Actor, req QuarterlyRequest, lang string, today calendar.Date) (*quarterlyData, error) {
	q, err := h.svc.Quarterly(r.Context(), a, req)
	if err != nil {
		return nil, err
	}
	d := &quarterlyData{tools: tools{lang}, Q: q, Today: today, Staff: canStats(a), CanStats: canStats(a)}
	for _, p := range RecentPeriods(today) {
		d.Periods = append(d.Periods, periodOption{Code: p.Code, Label: p.Label(lang), Due: p.Due, Year: p.Quarter == 0})
	}
	for _, p := range UpcomingDue(today) {
		_, _, due := p.Dates()
		d.Upcoming = append(d.Upcoming, periodOption{Code: p.Code, Label: p.Label(lang), Due: p.Due, Year: p.Quarter == 0})
		d.UpcomingN = append(d.UpcomingN, daysBetween(today, due))
	}
	if d.Staff {
		d.Orgs = orgOptions(r.Context(), h.svc, a, auth.HazardView, 2)
	}
	v := url.Values{"period": {q.Period.Code}}
	if q.Scope == "enterprise" {
		v.Set("enterprise_id", itoa(q.EnterpriseID))
		if d.Staff {
			d.OrgURL = "/hazards/quarterly?period=" + q.Period.Code
		}
	} else {
		v.Set("org_id", itoa(q.OrgID))
	}
	d.DownloadURL = "/api/v1/hazards/quarterly.xlsx?" + v.Encode()
	// The page lists the enterprises with something to show first (the
	// workbook keeps the territory order).
	d.Shown = append([]QuarterlyRow(nil), q.Rows...)
	sort.SliceStable(d.Shown, func(i, j int) bool { return !d.Shown[i].Quiet() && d.Shown[j].Quiet() })
	if len(d.Shown) > quarterlyPageRows {
		d.Shown, d.More = d.Shown[:quarterlyPageRows], len(q.Rows)-quarterlyPageRows
	}
	return d, nil
}

// UpcomingRows pairs each upcoming period with its days left, for the template.
func (d *quarterlyData) UpcomingRows() []struct {
	P    periodOption
	Days int
} {
	out := make([]struct {
		P    periodOption
		Days int
	}, len(d.Upcoming))
	for i := range d.Upcoming {
		out[i].P, out[i].Days = d.Upcoming[i], d.UpcomingN[i]
	}
	return out
}

// Quiet reports whether the row has nothing in it: no hazard found,
// closed or open.
func (r QuarterlyRow) Quiet() bool {
	return r.Found == 0 && r.OpenAtEnd == 0 && r.ClosedInPeriod == 0 && r.MajorListed == 0
}

// Yuan writes an amount with thousands separators and, when there are
// cents, two decimals: 1,500.50.
func (t tools) Yuan(y float64) string {
	cents := int64(y*100 + 0.5)
	s := t.Thousands(int(cents / 100))
	if c := cents % 100; c != 0 {
		s += "." + strings.TrimPrefix(strconv.FormatInt(100+c, 10), "1")
	}
	return s
}
