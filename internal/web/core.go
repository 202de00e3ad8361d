package web

import (
	"context"
	"crypto/subtle"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
)

// DemoSignIn is one line of the demo sign-in list on the sign-in page.
type DemoSignIn struct{ Login, Name, Description, English string }

func (s *Server) registerCore() {
	static, _ := fs.Sub(assets, "static")
	fileServer := http.StripPrefix("/static/", http.FileServer(http.FS(static)))
	s.PublicPage("GET", "/static/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	})
	s.PublicPage("GET", "/healthz", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.PublicPage("GET", "/readyz", s.readyz)
	s.PublicPage("GET", "/metrics", s.metrics)
	s.PublicPage("GET", "/lang", s.switchLang)
	s.PublicPage("GET", "/signin", s.signinPage)
	s.PublicPage("POST", "/signin", s.signinSubmit)
	s.PartialPage("GET", "/signin/totp", s.totpPage, stageTOTP)
	s.PartialPage("POST", "/signin/totp", s.totpSubmit, stageTOTP)
	s.PublicPage("POST", "/signout", s.signout)
	s.Page("GET", "/{$}", s.home)
	s.mux.Handle("/", s.instrument("(unmatched)", http.HandlerFunc(s.notFound)))
}

// metrics serves Prometheus only to a scraper on the local network that
// connects directly (a request relayed by a proxy carries X-Forwarded-For,
// and the proxy's own address is local), or to one with the metrics token:
// route counts and timings are not for the public.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	tok, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	allowed := bearer && s.Opts.MetricsToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.Opts.MetricsToken)) == 1
	if !allowed && r.Header.Get("X-Forwarded-For") == "" && r.Header.Get("Forwarded") == "" {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		ip := net.ParseIP(host)
		allowed = err == nil && ip != nil && (ip.IsLoopback() || ip.IsPrivate())
	}
	if !allowed {
		s.notFound(w, r)
		return
	}
	s.Metrics.handler().ServeHTTP(w, r)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.WriteError(w, r, apperr.New(apperr.ENOTFOUND, "no such route"))
		return
	}
	a, _, _ := s.sessionActor(r, stageOK)
	s.ErrorPage(w, r, a, apperr.New(apperr.ENOTFOUND, "%s", Translate(Lang(r), "error.not_found")))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	ok, err := s.DB.Current(ctx)
	if err != nil || !ok {
		msg := "migrations pending"
		if err != nil {
			msg = "database unreachable"
			s.Log.Warn("readyz", "err", err)
		}
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": msg})
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ready", "database": string(s.DB.Dialect)})
}

func (s *Server) switchLang(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if to != English {
		to = Chinese
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: to, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Opts.CookieSecure})
	Redirect(w, r, SafeNext(r.URL.Query().Get("back")))
}

type signinData struct {
	Login    string
	Next     string
	Demo     []DemoSignIn
	Password string
	Waiver   bool
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	s.renderSignin(w, r, r.URL.Query().Get("next"), "", nil, 0)
}

func (s *Server) renderSignin(w http.ResponseWriter, r *http.Request, next, login string, e *apperr.Error, status int) {
	v := s.NewView(r, nil, Translate(Lang(r), "signin.title"), signinData{Login: login, Next: SafeNext(next), Waiver: s.Auth.Cfg.WaiveAdminTOTP})
	if s.Opts.Demo {
		d := v.Data.(signinData)
		d.Demo, d.Password = s.Opts.DemoSignIns, s.Opts.DemoPassword
		v.Data = d
	}
	v.Error, v.Status = e, status
	s.Render(w, r, s.Template(assets, "templates/signin.html"), v)
}

func (s *Server) signinSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	login, password, next := r.PostFormValue("login"), r.PostFormValue("password"), r.PostFormValue("next")
	if !s.signinLimit.Allow(s.ClientAddr(r), s.Clock.Now()) {
		s.renderSignin(w, r, next, login, apperr.New(apperr.ERATELIMIT, "%s", Translate(Lang(r), "signin.rate_limited")), http.StatusTooManyRequests)
		return
	}
	acct, err := s.Auth.SignIn(r.Context(), login, password, s.ClientAddr(r))
	if err != nil {
		e := s.publicError(r, err)
		s.renderSignin(w, r, next, login, e, Status(e))
		return
	}
	actor, err := s.Auth.LoadActor(r.Context(), acct.ID, s.ClientAddr(r))
	if err != nil {
		s.renderSignin(w, r, next, login, s.publicError(r, err), http.StatusUnauthorized)
		return
	}
	// A new session token on sign-in defeats session fixation.
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		s.ErrorPage(w, r, nil, err)
		return
	}
	s.Sessions.Put(r.Context(), "uid", acct.ID)
	s.Sessions.Put(r.Context(), "auth_at", s.Clock.Now().UnixNano())
	s.Sessions.Put(r.Context(), "next", SafeNext(next))
	need, enroll := s.Auth.NeedsTOTP(acct, actor)
	switch {
	case need && !enroll:
		s.Sessions.Put(r.Context(), "stage", stageTOTP)
		Redirect(w, r, "/signin/totp")
	default:
		s.advance(w, r, acct.ID, enroll)
	}
}

// advance moves a session past the second factor to the next stage due.
func (s *Server) advance(w http.ResponseWriter, r *http.Request, uid int64, enroll bool) {
	acct, err := s.Auth.AccountByID(r.Context(), s.DB, uid)
	if err != nil {
		s.ErrorPage(w, r, nil, err)
		return
	}
	switch {
	case acct.MustChange:
		s.Sessions.Put(r.Context(), "stage", stagePassword)
		s.Sessions.Put(r.Context(), "enroll_after", enroll)
		Redirect(w, r, "/account/password")
	case enroll:
		s.Sessions.Put(r.Context(), "stage", stageEnroll)
		Redirect(w, r, "/account/totp")
	default:
		s.Sessions.Put(r.Context(), "stage", stageOK)
		Redirect(w, r, SafeNext(s.Sessions.PopString(r.Context(), "next")))
	}
}

// Advance is for the account pages: after a forced password change or a
// second-factor enrolment, go on to whatever is next.
func (s *Server) Advance(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	enroll := s.Sessions.PopBool(r.Context(), "enroll_after")
	if s.Sessions.GetString(r.Context(), "stage") == stageEnroll {
		enroll = false
	}
	s.advance(w, r, a.UserID, enroll)
}

// Stage names, for the account package.
const (
	StageOK       = stageOK
	StageEnroll   = stageEnroll
	StagePassword = stagePassword
)

// SessionStage returns the stage of the current session.
func (s *Server) SessionStage(r *http.Request) string {
	return s.Sessions.GetString(r.Context(), "stage")
}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	s.Render(w, r, s.Template(assets, "templates/totp.html"), s.NewView(r, nil, Translate(Lang(r), "signin.totp_title"), nil))
	return nil
}

func (s *Server) totpSubmit(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if !s.signinLimit.Allow(s.ClientAddr(r), s.Clock.Now()) {
		return apperr.New(apperr.ERATELIMIT, "%s", Translate(Lang(r), "signin.rate_limited"))
	}
	acct, err := s.Auth.AccountByID(r.Context(), s.DB, a.UserID)
	if err != nil {
		return err
	}
	if err := s.Auth.CheckTOTP(r.Context(), acct, r.PostFormValue("code"), s.ClientAddr(r)); err != nil {
		v := s.NewView(r, nil, Translate(Lang(r), "signin.totp_title"), nil)
		v.Error, v.Status = s.publicError(r, err), http.StatusUnauthorized
		s.Render(w, r, s.Template(assets, "templates/totp.html"), v)
		return nil
	}
	s.Sessions.RenewToken(r.Context())
	s.advance(w, r, a.UserID, false)
	return nil
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	if uid := s.Sessions.GetInt64(r.Context(), "uid"); uid != 0 {
		if a, err := s.Auth.LoadActor(r.Context(), uid, s.ClientAddr(r)); err == nil {
			s.Auth.RecordSignOut(r.Context(), a)
		}
	}
	s.Sessions.Destroy(r.Context())
	Redirect(w, r, "/signin")
}

type homeData struct {
	Sections []template.HTML
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var d homeData
	for _, h := range append(append([]HomeSection(nil), s.homeSections...), s.homeDirectory...) {
		html, err := h(r, a)
		if err != nil {
			return err
		}
		d.Sections = append(d.Sections, html)
	}
	s.Render(w, r, s.Template(assets, "templates/home.html"), s.NewView(r, a, Translate(Lang(r), "home.title"), d))
	return nil
}
