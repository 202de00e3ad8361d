package petition

import (
	"html/template"
	"net/http"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/web"
)

// homeData is the home page's petition block: what waits in the caller's
// reach, as the ledger's chips count it.
type homeData struct {
	tools
	Open, DueSoon, Overdue homeCount
	CanRegister            bool
}

// homeCount is one figure with its ledger link.
type homeCount struct {
	N     int
	More  bool // more than counted (the ledger counts up to CountCap)
	Known bool // counted within the ledger's budget
	Href  string
}

// homeSection shows those who work with petitions the open cases in their
// reach, those due soon and those overdue, each linking to the ledger.
func (h *handlers) homeSection(r *http.Request, a *auth.Actor) (template.HTML, error) {
	if a == nil || !a.CanAnywhere(auth.PetitionView) {
		return "", nil
	}
	ctx := r.Context()
	count := func(f Filter) (homeCount, error) {
		c := homeCount{Href: "/petitions?" + f.Query().Encode()}
		p, err := h.svc.List(ctx, a, f)
		if err != nil {
			return c, err
		}
		c.N, c.More, c.Known = p.Total, !p.TotalExact, p.Counted
		return c, nil
	}
	d := homeData{tools: tools{web.Lang(r)}, CanRegister: h.svc.MayRegister(ctx, a)}
	var err error
	if d.Open, err = count(Filter{Status: StatusOpen}); err != nil {
		return "", err
	}
	if d.DueSoon, err = count(Filter{DueSoon: true}); err != nil {
		return "", err
	}
	if d.Overdue, err = count(Filter{Overdue: true}); err != nil {
		return "", err
	}
	v := &web.View{Lang: d.lang, Actor: a, Data: d, Path: r.URL.Path}
	return web.RenderFragment(h.tmpl("home.html"), "home-petition", v)
}
