package audittrail

import (
	"embed"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/web"
)

//go:embed templates
var templates embed.FS

type handlers struct {
	srv *web.Server
	svc *Service
}

// Register adds the audit trail API and page. There is no route that changes
// or deletes a record.
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("GET", "/api/v1/audit", h.apiSearch)
	srv.API("GET", "/api/v1/audit/verify", h.apiVerify)
	srv.API("GET", "/api/v1/audit/export.xlsx", h.exportXLSX)
	srv.API("GET", "/api/v1/audit/export.csv", h.exportCSV)
	srv.Page("GET", "/audit", h.page)
	srv.AddMenu(web.MenuItem{Href: "/audit", Label: "nav.audit", Group: web.MenuAdmin, Weight: 70, Show: func(a *auth.Actor) bool { return a.CanAnywhere(auth.AuditView) }})
	web.AddMessages(messages)
}

// query authorizes first (so that someone without access learns nothing,
// not even that a parameter was wrong), then parses the filters.
func (h *handlers) query(r *http.Request, a *auth.Actor) (Query, error) {
	if err := h.svc.Authorize(r.Context(), a); err != nil {
		return Query{}, err
	}
	return ParseQuery(r.URL.Query())
}

func (h *handlers) apiSearch(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	q, err := h.query(r, a)
	if err != nil {
		return err
	}
	p, err := h.svc.Search(r.Context(), a, q)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *handlers) apiVerify(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	v, err := h.svc.Verify(r.Context(), a)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, v)
	return nil
}

// file is a finished export waiting to be sent.
type file interface {
	Sink
	io.WriterTo
	Discard()
}

func (h *handlers) export(w http.ResponseWriter, r *http.Request, a *auth.Actor, format, contentType string, open func() (file, error)) error {
	q, err := h.query(r, a)
	if err != nil {
		return err
	}
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Discard()
	if _, err := h.svc.Export(r.Context(), a, q, format, f); err != nil {
		return err
	}
	name := "audit-" + h.svc.Clock.Now().In(calendar.Location).Format("20060102") + "." + format
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if _, err := f.WriteTo(w); err != nil {
		h.srv.Log.Warn("send audit export", "err", err)
	}
	return nil
}

func (h *handlers) exportXLSX(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	return h.export(w, r, a, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		func() (file, error) { return newXLSX() })
}

func (h *handlers) exportCSV(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	return h.export(w, r, a, "csv", "text/csv; charset=utf-8", func() (file, error) { return newCSV() })
}

// ---- page ----

const pageSize = 50

type rowView struct {
	audit.Record
	Date   string // YYYY-MM-DD in Asia/Shanghai
	Clock  string // HH:MM:SS
	Label  string
	Object string
	Bad    bool
}

type pageData struct {
	Query      Query
	Rows       []rowView
	Older      string
	Newest     string
	ExportXLSX string
	ExportCSV  string
	VerifyLink string
	Verify     *Verification
	BadLink    string // the page that starts at the first bad record
	Actions    []actionOption
	Results    []string
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if err := h.svc.Authorize(r.Context(), a); err != nil {
		return err
	}
	lang := web.Lang(r)
	d := pageData{Actions: actionOptions(lang), Results: results}
	v := h.srv.NewView(r, a, web.Translate(lang, "nav.audit"), &d)
	q, err := ParseQuery(r.URL.Query())
	d.Query = q
	filters := q.Values()
	link := func(base string, extra ...string) string {
		vals := url.Values{}
		for k, x := range filters {
			vals[k] = append([]string(nil), x...)
		}
		for i := 0; i+1 < len(extra); i += 2 {
			vals.Set(extra[i], extra[i+1])
		}
		if s := vals.Encode(); s != "" {
			return base + "?" + s
		}
		return base
	}
	d.ExportXLSX, d.ExportCSV = link("/api/v1/audit/export.xlsx"), link("/api/v1/audit/export.csv")
	d.VerifyLink = link("/audit", "verify", "1")
	if err != nil {
		e, _ := apperr.As(err)
		v.Error, v.Status = e, web.Status(err)
		h.render(w, r, v)
		return nil
	}
	if r.URL.Query().Get("verify") == "1" {
		res, err := h.svc.Verify(r.Context(), a)
		if err != nil {
			return err
		}
		d.Verify = &res
		if !res.Intact {
			d.BadLink = "/audit?before_seq=" + strconv.FormatInt(res.FirstBad+1, 10)
		}
	}
	q.Limit = pageSize
	p, err := h.svc.Search(r.Context(), a, q)
	if err != nil {
		return err
	}
	for _, rec := range p.Records {
		at := rec.At.In(calendar.Location)
		rv := rowView{Record: rec, Date: at.Format("2006-01-02"), Clock: at.Format("15:04:05"),
			Label: ActionLabel(lang, rec.Action), Bad: rec.Result == audit.Denied || rec.Result == audit.Failed}
		if rec.ObjectType != "" {
			rv.Object = rec.ObjectType
			if rec.ObjectID != "" {
				rv.Object += " #" + rec.ObjectID
			}
		}
		d.Rows = append(d.Rows, rv)
	}
	if p.NextBeforeSeq > 0 {
		d.Older = link("/audit", "before_seq", strconv.FormatInt(p.NextBeforeSeq, 10))
	}
	if q.BeforeSeq > 0 {
		d.Newest = link("/audit")
	}
	h.render(w, r, v)
	return nil
}

func (h *handlers) render(w http.ResponseWriter, r *http.Request, v *web.View) {
	h.srv.Render(w, r, h.srv.Template(templates, "templates/audit.html"), v)
}
