package petition

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/web"
)

// ---- statistics (信访事项统计) ----

type statsData struct {
	tools
	S       *Stats
	Orgs    []orgOption
	Query   string // the filter, for the workbook's link
	MaxOpen int
	Chart   trendChart
	MaxMix  int
}

// trendChart is the month-by-month trend drawn as an inline SVG (viewBox
// 0 0 100 100, stretched to the card): per month a bar of the cases
// received and one of the answers on time, and a label under every step-th.
type trendChart struct {
	Bars   []trendBar
	Labels []string
	Max    int
}

type trendBar struct {
	Month                     string
	Registered, OnTime        int
	X1, X2, W, Y1, H1, Y2, H2 string
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func chartOf(months []MonthFigures, lang string) trendChart {
	var c trendChart
	for _, m := range months {
		c.Max = max(c.Max, m.Registered, m.RepliedOnTime)
	}
	n := len(months)
	if n == 0 {
		return c
	}
	step := (n + 11) / 12
	slot := 100 / float64(n)
	for i, m := range months {
		h := func(v int) float64 {
			if c.Max == 0 {
				return 0
			}
			return float64(v) * 96 / float64(c.Max)
		}
		h1, h2 := h(m.Registered), h(m.RepliedOnTime)
		c.Bars = append(c.Bars, trendBar{Month: m.Month, Registered: m.Registered, OnTime: m.RepliedOnTime,
			X1: f1(float64(i)*slot + slot*0.14), X2: f1(float64(i)*slot + slot*0.5), W: f1(slot * 0.36),
			Y1: f1(100 - h1), H1: f1(h1), Y2: f1(100 - h2), H2: f1(h2)})
		// Month numbers; January is its year when the period spans years
		// (as short as "10月" or "Oct", so that labels never run into each other).
		label := ""
		if i%step == 0 {
			label = strings.TrimLeft(m.Month[5:], "0") + "月"
			if lang == "en" {
				if n, err := strconv.Atoi(m.Month[5:]); err == nil && n >= 1 && n <= 12 {
					label = time.Month(n).String()[:3]
				}
			}
			if m.Month[5:] == "01" && months[0].Month[:4] != months[n-1].Month[:4] {
				label = m.Month[:4]
			}
		}
		c.Labels = append(c.Labels, label)
	}
	return c
}

// Pct is a rate as a percentage with one decimal, or a dash.
func (tools) Pct(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}

// Share is n of max as an SVG width out of 100.
func (tools) Share(n, max int) string {
	if max <= 0 {
		return "0"
	}
	return strconv.FormatFloat(float64(n)*100/float64(max), 'f', 1, 64)
}

// Thousands writes n with thousands separators.
func (tools) Thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (h *handlers) statsPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	f, err := ParseStatsFilter(r.URL.Query())
	if err != nil {
		return err
	}
	st, err := h.svc.Stats(r.Context(), a, f)
	if err != nil {
		return err
	}
	q := StatsFilter{OrgID: st.OrgID, From: st.From, To: st.To}
	d := statsData{tools: tools{web.Lang(r)}, S: st, Orgs: h.statsOrgs(r.Context(), a), Query: q.Query().Encode(), Chart: chartOf(st.Months, web.Lang(r))}
	for _, row := range st.Rows {
		d.MaxOpen = max(d.MaxOpen, row.Open)
	}
	for _, l := range [][]Share{st.Categories, st.Channels, st.Subjects} {
		for _, x := range l {
			d.MaxMix = max(d.MaxMix, x.Registered)
		}
	}
	return h.render(w, r, a, web.Translate(web.Lang(r), "pet.stats_title"), "stats.html", d, nil)
}

// statsOrgs are the orgs the caller may pick: each scope where they may
// view petitions and its children.
func (h *handlers) statsOrgs(ctx context.Context, a *auth.Actor) []orgOption {
	var out []orgOption
	seen := map[int64]bool{}
	scopes := a.Scopes(auth.PetitionView)
	if a.Operator {
		if root, err := org.RootPath(ctx, h.svc.DB); err == nil && root != "" {
			scopes = []string{root}
		}
	}
	for _, p := range scopes {
		if p == "" || strings.Contains(p, "/e") {
			continue
		}
		sub, err := org.Subtree(ctx, h.svc.DB, p)
		if err != nil || len(sub) == 0 {
			continue
		}
		top := sub[0]
		if !seen[top.ID] {
			seen[top.ID] = true
			out = append(out, orgOption{ID: top.ID, Name: top.Name})
		}
		for _, o := range sub[1:] {
			if o.ParentID != nil && *o.ParentID == top.ID && !seen[o.ID] && o.Kind != org.PoliceStation {
				seen[o.ID] = true
				out = append(out, orgOption{ID: o.ID, Name: o.Name, Indent: 1})
			}
		}
	}
	return out
}
