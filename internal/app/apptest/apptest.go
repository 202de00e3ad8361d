// Package apptest starts a whole Anwen (demo district loaded) on a test
// database behind an httptest server, with clients signed in as any demo login.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/demo"
)

// Env is a running test instance.
type Env struct {
	T      testing.TB
	App    *app.App
	Server *httptest.Server
	Clock  *clock.Manual

	clients map[string]*Client // As's clients by login
}

// Start wires Anwen on d (already migrated), loads the demo district and serves it.
func Start(t testing.TB, d *db.DB) *Env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)) // 10:00 in Shanghai, a Friday
	cfg := app.Config{Demo: true, Auth: auth.DefaultConfig()}
	cfg.Auth.WaiveAdminTOTP = true
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Wire(ctx, cfg, d, clk, log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Web.Handler())
	t.Cleanup(srv.Close)
	return &Env{T: t, App: a, Server: srv, Clock: clk}
}

// Client is an HTTP client with its own cookie jar; it does not follow redirects.
type Client struct {
	env   *Env
	HTTP  *http.Client
	Token string // when set, sent as a bearer token
}

// Anonymous returns a client that is not signed in.
func (e *Env) Anonymous() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{env: e, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// SignIn returns a client with a fully signed-in session for a demo login.
func (e *Env) SignIn(login string) *Client {
	e.T.Helper()
	c := e.Anonymous()
	resp := c.PostForm("/signin", url.Values{"login": {login}, "password": {demo.DemoPassword}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		e.T.Fatalf("sign in as %s: status %d, location %q", login, resp.StatusCode, resp.Header.Get("Location"))
	}
	return c
}

// TokenClient returns a client that authenticates with a new API token for login.
func (e *Env) TokenClient(login string) *Client {
	e.T.Helper()
	tok, _, err := e.App.Auth.CreateToken(context.Background(), nil, login, "test")
	if err != nil {
		e.T.Fatal(err)
	}
	c := e.Anonymous()
	c.Token = tok
	return c
}

// Response is a read response.
type Response struct {
	*http.Response
	Body []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// ErrorCode returns the code of a JSON error body ("" if none).
func (r *Response) ErrorCode() string {
	var b struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

// ErrorField returns the field of a JSON error body ("" if none).
func (r *Response) ErrorField() string {
	var b struct {
		Error struct{ Field string } `json:"error"`
	}
	json.Unmarshal(r.Body, &b)
	return b.Error.Field
}

// Do sends a request. Writes carry an Origin header of the server itself, as a browser would.
func (c *Client) Do(method, path string, body io.Reader, contentType string) *Response {
	c.env.T.Helper()
	req, err := http.NewRequest(method, c.env.Server.URL+path, body)
	if err != nil {
		c.env.T.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if method != "GET" && method != "HEAD" {
		req.Header.Set("Origin", c.env.Server.URL)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.env.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &Response{Response: resp, Body: b}
}

// Get sends a GET.
func (c *Client) Get(path string) *Response { return c.Do("GET", path, nil, "") }

// PostForm sends a form post.
func (c *Client) PostForm(path string, v url.Values) *Response {
	return c.Do("POST", path, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
}

// SendJSON sends v (or a raw string / []byte) as JSON.
func (c *Client) SendJSON(method, path string, v any) *Response {
	var body []byte
	switch x := v.(type) {
	case string:
		body = []byte(x)
	case []byte:
		body = x
	default:
		var err error
		if body, err = json.Marshal(v); err != nil {
			c.env.T.Fatal(err)
		}
	}
	return c.Do(method, path, bytes.NewReader(body), "application/json")
}

// OrgID returns the id of the demo org with code.
func (e *Env) OrgID(code string) int64 {
	e.T.Helper()
	var id int64
	if err := e.App.DB.QueryRow(context.Background(), "SELECT id FROM orgs WHERE code = ?", code).Scan(&id); err != nil {
		e.T.Fatalf("org %s: %v", code, err)
	}
	return id
}

// UserID returns the id of login.
func (e *Env) UserID(login string) int64 {
	e.T.Helper()
	var id int64
	if err := e.App.DB.QueryRow(context.Background(), "SELECT id FROM users WHERE login = ?", login).Scan(&id); err != nil {
		e.T.Fatalf("user %s: %v", login, err)
	}
	return id
}

// AuditCount counts audit records whose action starts with prefix and whose result is result ("" for any).
func (e *Env) AuditCount(prefix, result string) int {
	e.T.Helper()
	q := "SELECT count(*) FROM audit_log WHERE action LIKE ?"
	args := []any{prefix + "%"}
	if result != "" {
		q += " AND result = ?"
		args = append(args, result)
	}
	var n int
	if err := e.App.DB.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.T.Fatal(err)
	}
	return n
}
