// Package web is the HTTP side every capability shares: the server and its
// middleware, route registration with the access each route needs, sessions,
// error mapping, the page layout, translations and static assets.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
)

// Access says who may reach a route at all; what they may do there is decided
// by the service layer (auth.Authorize).
type Access int

const (
	Public   Access = iota // anyone, no sign-in
	SignedIn               // a fully signed-in session, or a bearer token on /api
	Partial                // a session half-way through sign-in (second factor, forced password change)
)

// Route describes one registered route; the authorization matrix test walks them.
type Route struct {
	Method  string
	Pattern string // Go 1.22 mux pattern path, e.g. /api/v1/orgs/{id}
	Access  Access
	API     bool
}

// Handler is what capabilities write: it gets the actor and returns an error
// that the server maps to a status and a page or JSON body.
type Handler func(w http.ResponseWriter, r *http.Request, a *auth.Actor) error

// Options configure a Server.
type Options struct {
	Demo         bool // a demo install says so on every page
	CookieSecure bool
	IdleTimeout  time.Duration
	TrustProxy   bool // take the client address from X-Forwarded-For
	// MetricsToken, when set, lets a scraper outside the local network read
	// /metrics with "Authorization: Bearer <token>".
	MetricsToken string
	// A demo install lists its sign-ins and their password on the sign-in page.
	DemoSignIns  []DemoSignIn
	DemoPassword string
}

// Server holds what handlers share.
type Server struct {
	DB       *db.DB
	Auth     *auth.Service
	Clock    clock.Clock
	Log      *slog.Logger
	Sessions *scs.SessionManager
	Opts     Options
	Metrics  *Metrics

	mux    *http.ServeMux
	routes []Route
	pages  *Pages
	// Menu entries that capabilities add for the navigation bar.
	menu []MenuItem
	// HomeSections render on the home page (each capability's pending items).
	homeSections []HomeSection
	// homeDirectory blocks go after homeSections.
	homeDirectory []HomeSection
	signinLimit   *limiter
}

// New builds a server. Capabilities then register their routes on it.
func New(d *db.DB, as *auth.Service, clk clock.Clock, log *slog.Logger, opts Options) *Server {
	sm := scs.New()
	sm.Store = &auth.SessionStore{DB: d}
	sm.IdleTimeout = opts.IdleTimeout
	sm.Lifetime = 12 * time.Hour
	sm.HashTokenInStore = true
	sm.Cookie.Name = "anwen_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = opts.CookieSecure
	sm.Cookie.Path = "/"
	s := &Server{DB: d, Auth: as, Clock: clk, Log: log, Sessions: sm, Opts: opts, mux: http.NewServeMux(),
		signinLimit: newLimiter(20, time.Minute)}
	s.Metrics = newMetrics(d)
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.Log.Error("session", "err", err)
		http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
	}
	s.pages = newPages()
	s.registerCore()
	return s
}

// Routes lists every registered route, sorted.
func (s *Server) Routes() []Route {
	out := append([]Route(nil), s.routes...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pattern != out[j].Pattern {
			return out[i].Pattern < out[j].Pattern
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// API registers a JSON route under a signed-in session or bearer token.
func (s *Server) API(method, pattern string, h Handler) {
	s.routes = append(s.routes, Route{Method: method, Pattern: pattern, Access: SignedIn, API: true})
	s.mux.Handle(method+" "+pattern, s.instrument(pattern, s.apiHandler(h)))
}

// PublicAPI registers a JSON route that needs no sign-in.
func (s *Server) PublicAPI(method, pattern string, h http.HandlerFunc) {
	s.routes = append(s.routes, Route{Method: method, Pattern: pattern, Access: Public, API: true})
	s.mux.Handle(method+" "+pattern, s.instrument(pattern, h))
}

// Page registers an HTML route that needs a signed-in session.
func (s *Server) Page(method, pattern string, h Handler) {
	s.routes = append(s.routes, Route{Method: method, Pattern: pattern, Access: SignedIn})
	s.mux.Handle(method+" "+pattern, s.instrument(pattern, s.pageHandler(h, stageOK)))
}

// PartialPage registers an HTML route reachable half-way through sign-in.
func (s *Server) PartialPage(method, pattern string, h Handler, stages ...string) {
	s.routes = append(s.routes, Route{Method: method, Pattern: pattern, Access: Partial})
	s.mux.Handle(method+" "+pattern, s.instrument(pattern, s.pageHandler(h, stages...)))
}

// PublicPage registers an HTML route that needs no sign-in.
func (s *Server) PublicPage(method, pattern string, h http.HandlerFunc) {
	s.routes = append(s.routes, Route{Method: method, Pattern: pattern, Access: Public})
	s.mux.Handle(method+" "+pattern, s.instrument(pattern, h))
}

// Handler returns the whole server with its middleware.
func (s *Server) Handler() http.Handler {
	var h http.Handler = s.mux
	h = s.Sessions.LoadAndSave(h)
	h = s.crossOrigin(h)
	h = s.securityHeaders(h)
	h = s.recoverPanics(h)
	return h
}

// Session stages: where a person stands in the sign-in sequence.
const (
	stageOK       = "ok"
	stageTOTP     = "totp"     // password right, second factor due
	stageEnroll   = "enroll"   // an administrator must set up a second factor
	stagePassword = "password" // an initial or reset password must be changed
)

type ctxKey int

const actorKey ctxKey = 1

// ClientAddr returns the client's address for the trail.
func (s *Server) ClientAddr(r *http.Request) string {
	if s.Opts.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			return strings.TrimSpace(strings.Split(f, ",")[0])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SessionRenewed marks the current session (if the request has one) as
// signed in now: after the person changed their own password, this
// session goes on while their others end.
func (s *Server) SessionRenewed(r *http.Request) {
	if s.Sessions.GetInt64(r.Context(), "uid") != 0 {
		s.Sessions.Put(r.Context(), "auth_at", s.Clock.Now().UnixNano())
	}
}

// sessionActor returns the actor of a session at one of the given stages.
func (s *Server) sessionActor(r *http.Request, stages ...string) (*auth.Actor, string, error) {
	uid := s.Sessions.GetInt64(r.Context(), "uid")
	if uid == 0 {
		return nil, "", apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	stage := s.Sessions.GetString(r.Context(), "stage")
	a, err := s.Auth.LoadActor(r.Context(), uid, s.ClientAddr(r))
	// A password set after this session signed in (a reset, or a change
	// made elsewhere) ends it.
	if err == nil && !a.PasswordChangedAt.IsZero() && s.Sessions.GetInt64(r.Context(), "auth_at") < a.PasswordChangedAt.UnixNano() {
		err = apperr.New(apperr.EUNAUTHORIZED, "password changed")
	}
	if err != nil {
		s.Sessions.Destroy(r.Context())
		return nil, "", apperr.New(apperr.EUNAUTHORIZED, "请重新登录 / sign in again")
	}
	for _, st := range stages {
		if st == stage {
			return a, stage, nil
		}
	}
	return nil, stage, apperr.New(apperr.EUNAUTHORIZED, "请完成登录 / finish signing in")
}

func (s *Server) apiHandler(h Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a *auth.Actor
		var err error
		if hdr := r.Header.Get("Authorization"); hdr != "" {
			tok, ok := strings.CutPrefix(hdr, "Bearer ")
			if !ok {
				s.WriteError(w, r, apperr.New(apperr.EUNAUTHORIZED, "Authorization 须为 Bearer 令牌 / Authorization must be a Bearer token"))
				return
			}
			a, err = s.Auth.ActorFromToken(r.Context(), strings.TrimSpace(tok), s.ClientAddr(r))
		} else {
			a, _, err = s.sessionActor(r, stageOK)
		}
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="anwen"`)
			s.WriteError(w, r, err)
			return
		}
		if err := h(w, r.WithContext(context.WithValue(r.Context(), actorKey, a)), a); err != nil {
			s.WriteError(w, r, err)
		}
	})
}

func (s *Server) pageHandler(h Handler, stages ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, stage, err := s.sessionActor(r, stages...)
		if err != nil {
			switch stage {
			case stageTOTP:
				http.Redirect(w, r, "/signin/totp", http.StatusSeeOther)
			case stageEnroll:
				http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
			case stagePassword:
				http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			default:
				next := r.URL.RequestURI()
				if r.Method != http.MethodGet {
					next = "/"
				}
				http.Redirect(w, r, "/signin?next="+urlQueryEscape(next), http.StatusSeeOther)
			}
			return
		}
		if err := h(w, r.WithContext(context.WithValue(r.Context(), actorKey, a)), a); err != nil {
			s.ErrorPage(w, r, a, err)
		}
	})
}

// ActorFrom returns the actor stored by the route wrappers.
func ActorFrom(ctx context.Context) *auth.Actor {
	a, _ := ctx.Value(actorKey).(*auth.Actor)
	return a
}

// crossOrigin refuses cross-origin writes (CSRF) with the standard library's check.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Log.Warn("cross-origin request refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"))
		if strings.HasPrefix(r.URL.Path, "/api/") {
			s.WriteError(w, r, apperr.New(apperr.EFORBIDDEN, "拒绝跨站请求 / cross-origin request refused"))
			return
		}
		http.Error(w, "拒绝跨站请求 / cross-origin request refused", http.StatusForbidden)
	}))
	return cop.Handler(next)
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		if s.Opts.CookieSecure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panic into a logged 500 rather than a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Log.Error("panic", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Serve listens on addr until ctx ends, then finishes requests in flight.
func (s *Server) Serve(ctx context.Context, addr string, ready func(addr string)) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	if ready != nil {
		ready(l.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.Log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
