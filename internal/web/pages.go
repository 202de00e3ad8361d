package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
)

//go:embed templates static
var assets embed.FS

// Pages holds the layout; each page template is parsed on a clone of it.
type Pages struct {
	mu     sync.Mutex
	layout *template.Template
	cache  map[string]*template.Template
}

func newPages() *Pages {
	layout := template.Must(template.New("layout").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials.html"))
	return &Pages{layout: layout, cache: map[string]*template.Template{}}
}

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(calendar.Location).Format("2006-01-02")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(calendar.Location).Format("2006-01-02 15:04")
	},
	"deref": func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	},
	"add":    func(a, b int) int { return a + b },
	"indent": func(n int) string { return strings.Repeat("\u3000", max(n, 0)) },
	"query":  func(s string) string { return url.QueryEscape(s) },
	"join":   strings.Join,
	"tr":     Translate,
	"trf":    Translatef,
	// dict builds a map for passing several values to a nested template.
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
}

// Template parses the page files in fsys (each defines "title" and "content")
// onto the layout, once.
func (s *Server) Template(fsys fs.FS, files ...string) *template.Template {
	// Two capabilities may both have a templates/form.html: the key is the
	// content, not the name.
	h := sha256.New()
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			panic(fmt.Sprintf("template %s: %v", f, err))
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(b))
		h.Write(b)
	}
	key := string(h.Sum(nil))
	s.pages.mu.Lock()
	defer s.pages.mu.Unlock()
	if t, ok := s.pages.cache[key]; ok {
		return t
	}
	t := template.Must(template.Must(s.pages.layout.Clone()).ParseFS(fsys, files...))
	s.pages.cache[key] = t
	return t
}

// MenuItem is a link in the navigation bar, shown when the actor may use it.
type MenuItem struct {
	Href  string
	Label string // message key
	Show  func(a *auth.Actor) bool
	// Group is where the entry belongs (MenuMain when empty), Weight its
	// place there (lower first; equal weights keep the order added).
	Group  string
	Weight int
}

// Menu groups, in the order the bar shows them. With more entries than
// menuFoldAbove, the named groups fold into one drop-down each, so that the
// bar fits a desktop on one row and a phone on two.
const (
	MenuMain      = ""          // the day's work: first, never folded
	MenuSafety    = "safety"    // 安全生产
	MenuStability = "stability" // 信访维稳
	MenuPersonal  = "personal"  // one's own messages: never folded
	MenuAdmin     = "admin"     // 管理
)

var menuGroups = []string{MenuMain, MenuSafety, MenuStability, MenuPersonal, MenuAdmin}

const menuFoldAbove = 7

// MenuLink is a menu entry as a page shows it: a link, or a folded group
// (Links set, Label the group's name).
type MenuLink struct {
	Href, Label string
	Current     bool // the page is this entry or below it (for a group: one of its links)
	Links       []MenuLink
}

// AddMenu adds a navigation entry.
func (s *Server) AddMenu(m MenuItem) { s.menu = append(s.menu, m) }

// menuFor is the bar the actor sees on path.
func (s *Server) menuFor(a *auth.Actor, path string) []MenuLink {
	byGroup := map[string][]MenuLink{}
	weights := map[string]int{}
	total := 0
	for _, m := range s.menu {
		if m.Show != nil && !m.Show(a) {
			continue
		}
		cur := path == m.Href || strings.HasPrefix(path, m.Href+"/")
		byGroup[m.Group] = append(byGroup[m.Group], MenuLink{Href: m.Href, Label: m.Label, Current: cur})
		weights[m.Href] = m.Weight
		total++
	}
	var out []MenuLink
	for _, g := range menuGroups {
		links := byGroup[g]
		sort.SliceStable(links, func(i, j int) bool { return weights[links[i].Href] < weights[links[j].Href] })
		if total <= menuFoldAbove || len(links) < 2 || g == MenuMain || g == MenuPersonal {
			out = append(out, links...)
			continue
		}
		group := MenuLink{Label: "nav.group." + g, Links: links}
		for _, l := range links {
			group.Current = group.Current || l.Current
		}
		out = append(out, group)
	}
	return out
}

// HomeSection renders a block of the home page for the actor.
type HomeSection func(r *http.Request, a *auth.Actor) (template.HTML, error)

// AddHomeSection adds a block to the home page, after those added before.
func (s *Server) AddHomeSection(h HomeSection) { s.homeSections = append(s.homeSections, h) }

// AddHomeDirectory adds a reference block (a directory, a list of links)
// that goes below every working block, whenever it was added: what needs
// doing today comes first.
func (s *Server) AddHomeDirectory(h HomeSection) { s.homeDirectory = append(s.homeDirectory, h) }

// View is what every page template receives.
type View struct {
	Title  string
	Lang   string
	Actor  *auth.Actor
	Demo   bool
	Menu   []MenuLink
	Path   string
	Flash  string
	Error  *apperr.Error
	Data   any
	Status int
}

// T translates key into the page's language.
func (v *View) T(key string) string { return Translate(v.Lang, key) }

// Tf translates key and fills %s/%d.
func (v *View) Tf(key string, args ...any) string { return Translatef(v.Lang, key, args...) }

// NewView prepares the common page data.
func (s *Server) NewView(r *http.Request, a *auth.Actor, title string, data any) *View {
	v := &View{Title: title, Lang: Lang(r), Actor: a, Demo: s.Opts.Demo, Path: r.URL.Path, Data: data}
	if a != nil {
		v.Menu = s.menuFor(a, r.URL.Path)
		if f := s.Sessions.PopString(r.Context(), "flash"); f != "" {
			v.Flash = f
		}
	}
	return v
}

// Flash stores a one-time notice shown on the next page.
func (s *Server) Flash(r *http.Request, key string) { s.Sessions.Put(r.Context(), "flash", key) }

// Render executes the page template into w with status (200 when 0). The page
// is rendered into a buffer first, so a template error never sends half a page.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, t *template.Template, v *View) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.Log.Error("render", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if v.Status != 0 {
		w.WriteHeader(v.Status)
	}
	buf.WriteTo(w)
}

// RenderFragment executes a named template into HTML for a home section.
func RenderFragment(t *template.Template, name string, v any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// ErrorPage answers a page request that failed: the not-found page for
// ENOTFOUND (also for objects out of scope), and so on.
func (s *Server) ErrorPage(w http.ResponseWriter, r *http.Request, a *auth.Actor, err error) {
	e := s.publicError(r, err)
	v := s.NewView(r, a, Translate(Lang(r), "error.title"), nil)
	v.Error, v.Status = e, Status(e)
	s.Render(w, r, s.Template(assets, "templates/error.html"), v)
}

// Redirect answers a form post with 303 See Other.
func Redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// PathID reads a positive integer path value; anything else answers not
// found, as an absent object would.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound("object")
	}
	return id, nil
}

// SafeNext returns next when it is a local path, else "/".
func SafeNext(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/"
}
