// Package account is a person's own account security (账号安全): changing
// their password (also the change forced at first sign-in or after a reset),
// setting up the second factor (TOTP; required of the three administrators)
// and their personal API tokens.
package account

import (
	"bytes"
	"embed"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pquerna/otp"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/people"
	"github.com/anwen-gov/anwen/internal/web"
)

//go:embed templates
var assets embed.FS

// Issuer names Anwen in authenticator apps.
const Issuer = "Anwen"

// MaxActiveTokens bounds the tokens one person holds at a time.
const MaxActiveTokens = 20

// Session keys of a second factor being set up: the secret stays in the
// session, never in the users table, until a code proves the person holds it.
const (
	keyPendingSecret = "totp_pending"
	keyPendingURL    = "totp_pending_url"
)

type handlers struct {
	srv    *web.Server
	auth   *auth.Service
	people *people.Service
	limit  *failures
}

// Register adds the account pages and API.
func Register(srv *web.Server, ppl *people.Service) {
	h := &handlers{srv: srv, auth: srv.Auth, people: ppl, limit: newFailures(5, 15*time.Minute)}
	srv.API("POST", "/api/v1/me/password", h.apiPassword)
	srv.API("GET", "/api/v1/tokens", h.apiTokens)
	srv.API("POST", "/api/v1/tokens", h.apiCreateToken)
	srv.API("DELETE", "/api/v1/tokens/{id}", h.apiRevokeToken)
	srv.Page("GET", "/account", h.accountPage)
	srv.PartialPage("GET", "/account/password", h.passwordPage, web.StagePassword, web.StageOK)
	srv.PartialPage("POST", "/account/password", h.passwordForm, web.StagePassword, web.StageOK)
	srv.PartialPage("GET", "/account/totp", h.totpPage, web.StageEnroll, web.StageOK)
	srv.PartialPage("POST", "/account/totp", h.totpForm, web.StageEnroll, web.StageOK)
	srv.Page("POST", "/account/totp/disable", h.totpDisable)
	srv.Page("POST", "/account/tokens", h.createTokenForm)
	srv.Page("POST", "/account/tokens/{id}/revoke", h.revokeTokenForm)
	web.AddMessages(messages)
}

// ---- password (修改密码)

// PasswordJSON is the body of POST /api/v1/me/password.
type PasswordJSON struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

// passwordInput is a change as the form gives it (with the repeat).
type passwordInput struct {
	Old, New, Repeat string
}

// changePassword checks the repeat, the failure limit, then changes. Wrong
// current passwords are audited by auth and counted here: five in fifteen
// minutes and the person must wait.
func (h *handlers) changePassword(r *http.Request, a *auth.Actor, in passwordInput, repeat bool) error {
	if in.Old == "" {
		return apperr.Field(apperr.EINVALID, "old_password", "请输入当前密码 / enter the current password")
	}
	if in.New == "" {
		return apperr.Field(apperr.EINVALID, "new_password", "请输入新密码 / enter a new password")
	}
	if repeat && in.New != in.Repeat {
		return apperr.Field(apperr.ERULE, "new_password2", "两次输入的新密码不一致 / the two new passwords differ")
	}
	if err := h.limit.check(a.UserID, h.srv.Clock.Now()); err != nil {
		return err
	}
	err := h.auth.ChangeOwnPassword(r.Context(), a, in.Old, in.New)
	if e, ok := apperr.As(err); ok && e.Field == "old_password" {
		h.limit.fail(a.UserID, h.srv.Clock.Now())
	}
	if err == nil {
		h.limit.reset(a.UserID)
		h.srv.SessionRenewed(r) // this browser stays signed in; the person's others end
	}
	return err
}

func (h *handlers) apiPassword(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in PasswordJSON
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.changePassword(r, a, passwordInput{Old: in.OldPassword, New: in.NewPassword}, false); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type passwordData struct {
	Forced  bool // stage "password": an initial or reset password
	Partial bool // half-way through sign-in: no navigation
	Login   string
}

func (h *handlers) passwordPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	h.renderPassword(w, r, a, nil)
	return nil
}

func (h *handlers) renderPassword(w http.ResponseWriter, r *http.Request, a *auth.Actor, formErr *apperr.Error) {
	partial := h.srv.SessionStage(r) != web.StageOK
	va := a
	if partial {
		va = nil // no navigation until sign-in is complete
	}
	d := passwordData{Forced: h.srv.SessionStage(r) == web.StagePassword, Partial: partial, Login: a.Login}
	title := "account.password"
	if d.Forced {
		title = "account.password_title"
	}
	v := h.srv.NewView(r, va, web.Translate(web.Lang(r), title), d)
	if formErr != nil {
		v.Error, v.Status = formErr, web.Status(formErr)
	}
	h.srv.Render(w, r, h.srv.Template(assets, "templates/password.html", "templates/partials.html"), v)
}

func (h *handlers) passwordForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	in := passwordInput{Old: r.PostFormValue("old_password"), New: r.PostFormValue("new_password"), Repeat: r.PostFormValue("new_password2")}
	stage := h.srv.SessionStage(r)
	if err := h.changePassword(r, a, in, true); err != nil {
		e, ok := formError(err)
		if !ok {
			return err
		}
		if stage == web.StageOK && r.PostFormValue("from") == "account" {
			return h.renderAccount(w, r, a, accountExtras{PasswordError: e})
		}
		h.renderPassword(w, r, a, e)
		return nil
	}
	// A new session token after a credential change.
	if err := h.srv.Sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	if stage == web.StagePassword {
		h.srv.Advance(w, r, a)
		return nil
	}
	h.srv.Flash(r, "account.password_changed")
	web.Redirect(w, r, "/account")
	return nil
}

// formError says whether err belongs on the form (the person can fix it).
func formError(err error) (*apperr.Error, bool) {
	e, ok := apperr.As(err)
	if !ok {
		return nil, false
	}
	switch e.Code {
	case apperr.EINVALID, apperr.ERULE, apperr.ERATELIMIT:
		return e, true
	}
	return nil, false
}

// ---- the account page (账号安全)

type tokenRow struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	LastUsed  time.Time
	RevokedAt time.Time
}

type newToken struct {
	ID    int64
	Name  string
	Token string
}

type accountExtras struct {
	PasswordError *apperr.Error
	TOTPError     *apperr.Error
	TokenError    *apperr.Error
	TokenName     string
	NewToken      *newToken
}

type accountData struct {
	accountExtras
	Person      *people.Person
	Admin       bool
	TOTPEnabled bool
	Tokens      []tokenRow
	Active      int
	MaxTokens   int
}

func (h *handlers) accountPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	return h.renderAccount(w, r, a, accountExtras{})
}

func (h *handlers) renderAccount(w http.ResponseWriter, r *http.Request, a *auth.Actor, x accountExtras) error {
	p, err := h.people.Get(r.Context(), a, a.UserID)
	if err != nil {
		return err
	}
	list, err := h.auth.ListTokens(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	d := accountData{accountExtras: x, Person: p, Admin: a.IsAdmin(), TOTPEnabled: p.TOTPEnabled, MaxTokens: MaxActiveTokens}
	// Newest first: the one just made is at the top.
	for i := len(list) - 1; i >= 0; i-- {
		t := list[i]
		row := tokenRow{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt}
		if t.LastUsedAt != nil {
			row.LastUsed = *t.LastUsedAt
		}
		if t.RevokedAt != nil {
			row.RevokedAt = *t.RevokedAt
		} else {
			d.Active++
		}
		d.Tokens = append(d.Tokens, row)
	}
	v := h.srv.NewView(r, a, web.Translate(web.Lang(r), "account.title"), d)
	for _, e := range []*apperr.Error{x.PasswordError, x.TOTPError, x.TokenError} {
		if e != nil {
			v.Status = web.Status(e)
		}
	}
	h.srv.Render(w, r, h.srv.Template(assets, "templates/account.html", "templates/partials.html"), v)
	return nil
}

// ---- second factor (双因素认证)

type totpData struct {
	Enroll  bool // stage "enroll": an administrator must set it up now
	Partial bool
	Enabled bool // already on: this replaces it (a new phone), password needed
	Admin   bool
	Secret  string // grouped in fours
	QR      template.URL
}

// pending returns the secret being set up, making one on the first visit.
func (h *handlers) pending(r *http.Request, a *auth.Actor) (secret, url string, err error) {
	ctx := r.Context()
	secret, url = h.srv.Sessions.GetString(ctx, keyPendingSecret), h.srv.Sessions.GetString(ctx, keyPendingURL)
	if secret != "" && url != "" {
		return secret, url, nil
	}
	secret, url, err = auth.NewTOTPSecret(Issuer, a.Login)
	if err != nil {
		return "", "", err
	}
	h.srv.Sessions.Put(ctx, keyPendingSecret, secret)
	h.srv.Sessions.Put(ctx, keyPendingURL, url)
	return secret, url, nil
}

// qrDataURL renders an otpauth:// URL as a PNG QR code in a data: URL.
func qrDataURL(u string) (template.URL, error) {
	key, err := otp.NewKeyFromURL(u)
	if err != nil {
		return "", err
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	// Safe: the content is our own base64 PNG, never anything a person typed.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// group writes a secret in blocks of four for reading aloud or typing.
func group(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (h *handlers) totpPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	return h.renderTOTP(w, r, a, nil)
}

func (h *handlers) renderTOTP(w http.ResponseWriter, r *http.Request, a *auth.Actor, formErr *apperr.Error) error {
	secret, url, err := h.pending(r, a)
	if err != nil {
		return err
	}
	qr, err := qrDataURL(url)
	if err != nil {
		return err
	}
	acct, err := h.auth.AccountByID(r.Context(), h.srv.DB, a.UserID)
	if err != nil {
		return err
	}
	stage := h.srv.SessionStage(r)
	d := totpData{Enroll: stage == web.StageEnroll, Partial: stage != web.StageOK, Enabled: acct.TOTPEnabled, Admin: a.IsAdmin(), Secret: group(secret), QR: qr}
	va := a
	if d.Partial {
		va = nil
	}
	v := h.srv.NewView(r, va, web.Translate(web.Lang(r), "account.totp_title"), d)
	if formErr != nil {
		v.Error, v.Status = formErr, web.Status(formErr)
	}
	h.srv.Render(w, r, h.srv.Template(assets, "templates/totp.html", "templates/partials.html"), v)
	return nil
}

func (h *handlers) totpForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	ctx := r.Context()
	secret := h.srv.Sessions.GetString(ctx, keyPendingSecret)
	if secret == "" { // the session lost it (expired, signed in again): start over
		web.Redirect(w, r, "/account/totp")
		return nil
	}
	if err := h.confirmReplace(r, a); err != nil {
		if e, ok := formError(err); ok {
			return h.renderTOTP(w, r, a, e)
		}
		return err
	}
	if err := h.auth.EnableTOTP(ctx, a, secret, r.PostFormValue("code")); err != nil {
		if e, ok := formError(err); ok {
			return h.renderTOTP(w, r, a, e)
		}
		return err
	}
	h.srv.Sessions.Remove(ctx, keyPendingSecret)
	h.srv.Sessions.Remove(ctx, keyPendingURL)
	if err := h.srv.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	if h.srv.SessionStage(r) == web.StageEnroll {
		h.srv.Advance(w, r, a)
		return nil
	}
	h.srv.Flash(r, "account.totp_enabled")
	web.Redirect(w, r, "/account")
	return nil
}

// confirmReplace asks for the password before a second factor that is
// already on is replaced by another (a new phone): a session left open must
// not be enough to take over the second factor. Wrong passwords are audited.
func (h *handlers) confirmReplace(r *http.Request, a *auth.Actor) error {
	acct, err := h.auth.AccountByID(r.Context(), h.srv.DB, a.UserID)
	if err != nil {
		return err
	}
	if !acct.TOTPEnabled {
		return nil
	}
	now := h.srv.Clock.Now()
	if err := h.limit.check(a.UserID, now); err != nil {
		return err
	}
	if !auth.CheckPassword(acct.PasswordHash, r.PostFormValue("password")) {
		h.limit.fail(a.UserID, now)
		audit.AppendAlone(r.Context(), h.srv.DB, audit.Entry{At: now, UserID: a.UserID, UserLogin: a.Login, OrgID: a.OrgID, Action: "auth.totp_enable",
			ObjectType: "user", ObjectID: strconv.FormatInt(a.UserID, 10), Result: audit.Failed, ClientAddr: a.ClientAddr, Detail: "wrong password"})
		return apperr.Field(apperr.ERULE, "password", "密码不正确 / the password is wrong")
	}
	return nil
}

func (h *handlers) totpDisable(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	now := h.srv.Clock.Now()
	err := h.limit.check(a.UserID, now)
	if err == nil {
		err = h.auth.DisableTOTP(r.Context(), a, r.PostFormValue("password"))
		if e, ok := apperr.As(err); ok && e.Field == "password" {
			h.limit.fail(a.UserID, now)
		}
	}
	if err != nil {
		if e, ok := formError(err); ok {
			return h.renderAccount(w, r, a, accountExtras{TOTPError: e})
		}
		return err
	}
	h.srv.Flash(r, "account.totp_disabled")
	web.Redirect(w, r, "/account")
	return nil
}

// ---- API tokens (API 令牌)

// TokenJSON is one token as GET /api/v1/tokens lists it (never its secret).
type TokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// TokenNameJSON is the body of POST /api/v1/tokens.
type TokenNameJSON struct {
	Name string `json:"name"`
}

// NewTokenJSON is what POST /api/v1/tokens answers: the token, this once.
type NewTokenJSON struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Token string `json:"token"`
}

// cleanName checks a token's name: 1–50 characters, no control characters.
func cleanName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > 50 {
		return "", apperr.Field(apperr.EINVALID, "name", "令牌名称不能为空，最长 50 字 / the token's name is required, at most 50 characters")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", apperr.Field(apperr.EINVALID, "name", "令牌名称含有控制字符 / the token's name has control characters")
		}
	}
	return s, nil
}

func (h *handlers) createToken(r *http.Request, a *auth.Actor, name string) (*newToken, error) {
	name, err := cleanName(name)
	if err != nil {
		return nil, err
	}
	list, err := h.auth.ListTokens(r.Context(), a.UserID)
	if err != nil {
		return nil, err
	}
	active := 0
	for _, t := range list {
		if t.RevokedAt == nil {
			active++
		}
	}
	if active >= MaxActiveTokens {
		return nil, apperr.Field(apperr.ERULE, "name", "有效令牌最多 %d 个，请先撤销不用的令牌 / at most %d active tokens: revoke one you no longer use", MaxActiveTokens, MaxActiveTokens)
	}
	tok, id, err := h.auth.CreateToken(r.Context(), a, a.Login, name)
	if err != nil {
		return nil, err
	}
	return &newToken{ID: id, Name: name, Token: tok}, nil
}

func (h *handlers) apiTokens(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	list, err := h.auth.ListTokens(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	out := make([]TokenJSON, 0, len(list))
	for _, t := range list {
		out = append(out, TokenJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt.UTC(), LastUsedAt: utc(t.LastUsedAt), RevokedAt: utc(t.RevokedAt)})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (h *handlers) apiCreateToken(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in TokenNameJSON
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := h.createToken(r, a, in.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusCreated, NewTokenJSON{ID: t.ID, Name: t.Name, Token: t.Token})
	return nil
}

func (h *handlers) apiRevokeToken(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.auth.RevokeToken(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) createTokenForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	name := r.PostFormValue("name")
	t, err := h.createToken(r, a, name)
	if err != nil {
		if e, ok := formError(err); ok {
			return h.renderAccount(w, r, a, accountExtras{TokenError: e, TokenName: name})
		}
		return err
	}
	// Rendered here rather than after a redirect, so that the token itself
	// is never stored anywhere, not even in the session.
	return h.renderAccount(w, r, a, accountExtras{NewToken: t})
}

func (h *handlers) revokeTokenForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.auth.RevokeToken(r.Context(), a, id); err != nil {
		return err
	}
	h.srv.Flash(r, "account.token_revoked_flash")
	web.Redirect(w, r, "/account")
	return nil
}
