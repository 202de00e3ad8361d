package enterprise

import (
	"html/template"
	"net/http"
	"sync"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/web"
)

// Section renders one block of an enterprise's page for the actor: another
// capability's view of the enterprise (its hazards 隐患, self-inspections
// 自查自报 …). It returns "" to show nothing. The enterprise has already been
// authorised for viewing (auth.EnterpriseView at e.Path()); the section
// checks its own action at e.Path(), e.g. auth.HazardView. The request gives
// the context and the language (web.Lang(r)); render with srv.NewView and
// web.RenderFragment as home sections do.
type Section func(r *http.Request, a *auth.Actor, e *Enterprise) (template.HTML, error)

var (
	sectionsMu sync.Mutex
	sections   = map[*web.Server][]Section{}
)

// AddSection adds a block to the enterprise page of the server srv, below
// the details and contacts, in the order added. Call it from the
// capability's wiring (internal/app/wire_<cap>.go) with a.Web:
//
//	enterprise.AddSection(a.Web, func(r *http.Request, a *auth.Actor, e *enterprise.Enterprise) (template.HTML, error) { … })
//
// Sections are kept per server, so that two instances in one test process
// never render each other's data.
func AddSection(srv *web.Server, s Section) {
	sectionsMu.Lock()
	defer sectionsMu.Unlock()
	sections[srv] = append(sections[srv], s)
}

func sectionsOf(srv *web.Server) []Section {
	sectionsMu.Lock()
	defer sectionsMu.Unlock()
	return append([]Section(nil), sections[srv]...)
}
