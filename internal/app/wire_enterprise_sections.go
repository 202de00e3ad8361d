package app

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"sync"
	"time"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/enterprise"
	"github.com/anwen-gov/anwen/internal/hazard"
	"github.com/anwen-gov/anwen/internal/inspection"
	"github.com/anwen-gov/anwen/internal/web"
)

// The enterprise page's blocks from other capabilities: its hazards (隐患,
// rendered by the hazard package) and its recent inspections (检查记录, read
// through the inspection service's List). This file sorts before
// wire_hazard.go and wire_inspection.go, so the services are looked up
// when a page is drawn, not when the app is wired.
func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		web.AddMessages(enterpriseSectionMessages)
		var once sync.Once
		var hazards func(r *http.Request, actor *auth.Actor, id int64, path string) (template.HTML, error)
		enterprise.AddSection(a.Web, func(r *http.Request, actor *auth.Actor, e *enterprise.Enterprise) (template.HTML, error) {
			svc := a.Hazards()
			if svc == nil {
				return "", nil
			}
			once.Do(func() { hazards = hazard.EnterpriseSection(a.Web, svc) })
			return hazards(r, actor, e.ID, e.Path())
		})
		enterprise.AddSection(a.Web, func(r *http.Request, actor *auth.Actor, e *enterprise.Enterprise) (template.HTML, error) {
			return inspectionSection(r, actor, a.Inspections(), e)
		})
		return nil
	})
}

// recentInspections is how many inspections the enterprise page lists.
const recentInspections = 5

type inspectionSectionData struct {
	Lang         string
	EnterpriseID int64
	Page         *inspection.Page
	CanRecord    bool
}

// inspectionSection lists the enterprise's latest inspections, for whoever
// may see inspections there (an enterprise contact: its self-inspections).
func inspectionSection(r *http.Request, actor *auth.Actor, svc *inspection.Service, e *enterprise.Enterprise) (template.HTML, error) {
	if svc == nil || actor == nil || !(actor.Operator || actor.Can(auth.InspectionView, e.Path())) {
		return "", nil
	}
	p, err := svc.List(r.Context(), actor, inspection.Filter{EnterpriseID: e.ID, Limit: recentInspections})
	if err != nil {
		return "", err
	}
	d := inspectionSectionData{Lang: web.Lang(r), EnterpriseID: e.ID, Page: p,
		CanRecord: !e.Closed && (actor.Operator || actor.Can(auth.InspectionRecord, e.Path()))}
	var b bytes.Buffer
	if err := inspectionSectionTmpl.Execute(&b, d); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

var inspectionSectionTmpl = template.Must(template.New("inspections").Funcs(template.FuncMap{
	"tr":  web.Translate,
	"trf": web.Translatef,
	"day": func(t time.Time) string { return t.In(calendar.Location).Format("2006-01-02") },
	"kind": func(lang, kind, name string) string {
		if s := web.Translate(lang, "inspection.kind."+kind); s != "inspection.kind."+kind {
			return s
		}
		return name
	},
}).Parse(`<link rel="stylesheet" href="/static/hazard.css">
<section class="card hz-ent" id="inspections">
  <div class="hz-ent-head">
    <h2>{{tr .Lang "entsec.inspections"}} <span class="muted num" id="insp-total">{{.Page.Total}}</span></h2>
    {{if .CanRecord}}<div class="actions"><a class="button hz-small" href="/inspections/new?enterprise_id={{.EnterpriseID}}" id="insp-new">{{tr .Lang "entsec.record"}}</a></div>{{end}}
  </div>
  {{if .Page.Items}}
  <ul class="hz-ent-list" id="insp-list">{{range .Page.Items}}<li class="hz-ent-item" data-id="{{.ID}}">
    <a href="/inspections/{{.ID}}">
      <span class="hz-ent-top"><span class="num hz-no">{{day .InspectedAt}}</span><span class="hz-badges"><span class="badge">{{kind $.Lang .Kind .KindName}}</span>{{if eq .Status "draft"}}<span class="badge">{{tr $.Lang "entsec.draft"}}</span>{{else if gt .Counts.Problems 0}}<span class="badge bad">{{trf $.Lang "entsec.problems" .Counts.Problems}}</span>{{else}}<span class="badge ok">{{tr $.Lang "entsec.no_problems"}}</span>{{end}}</span></span>
      <span class="hz-ent-desc">{{if .OrgName}}{{.OrgName}}{{end}}{{if .Inspectors}}{{if .OrgName}} · {{end}}{{range $i, $n := .Inspectors}}{{if $i}}、{{end}}{{$n}}{{end}}{{end}}{{if .TemplateName}}<span class="muted"> · {{.TemplateName}}</span>{{end}}</span>
      {{if gt .Counts.Hazards 0}}<span class="hz-ent-due muted">{{trf $.Lang "entsec.hazards_n" .Counts.Hazards}}</span>{{end}}
    </a>
  </li>{{end}}</ul>
  {{else}}<p class="empty" id="insp-none">{{tr .Lang "entsec.no_inspections"}}</p>{{end}}
  <p class="hz-ent-all"><a href="/inspections?enterprise_id={{.EnterpriseID}}" id="insp-all">{{tr .Lang "entsec.all_inspections"}} →</a></p>
</section>`))

var enterpriseSectionMessages = map[string][2]string{
	"entsec.inspections":     {"检查记录", "Inspections"},
	"entsec.record":          {"记录检查", "Record an inspection"},
	"entsec.draft":           {"草稿", "Draft"},
	"entsec.problems":        {"发现问题 %d 项", "%d problems"},
	"entsec.no_problems":     {"未发现问题", "No problems"},
	"entsec.hazards_n":       {"已登记隐患 %d 条", "%d hazards registered"},
	"entsec.no_inspections":  {"还没有检查记录。", "No inspections yet."},
	"entsec.all_inspections": {"全部检查记录", "All inspections"},
}
