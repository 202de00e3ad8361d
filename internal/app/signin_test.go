package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/demo"
)

func signinForm(login, password string) url.Values {
	return url.Values{"login": {login}, "password": {password}}
}

// errorText pulls the alert text out of a rendered sign-in page.
func errorText(body []byte) string {
	s := string(body)
	i := strings.Index(s, `class="alert"`)
	if i < 0 {
		return ""
	}
	s = s[i:]
	return s[strings.Index(s, ">")+1 : strings.Index(s, "</div>")]
}

func TestSignIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		c := env.Anonymous()

		t.Run("pages need a session", func(t *testing.T) {
			r := c.Get("/people")
			if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin?next=") {
				t.Fatalf("GET /people anonymous: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			if r := c.Get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized || r.ErrorCode() != "unauthorized" {
				t.Fatalf("GET /api/v1/me anonymous: %d %s", r.StatusCode, r.Body)
			}
		})

		t.Run("unknown user and wrong password read the same", func(t *testing.T) {
			before := env.AuditCount("auth.signin", "failed")
			a := c.PostForm("/signin", signinForm("nobody-here", "whatever1A!"))
			b := c.PostForm("/signin", signinForm("leader", "Wrong-password-1"))
			if a.StatusCode != http.StatusUnauthorized || b.StatusCode != http.StatusUnauthorized {
				t.Fatalf("statuses %d %d, want 401", a.StatusCode, b.StatusCode)
			}
			if errorText(a.Body) == "" || errorText(a.Body) != errorText(b.Body) {
				t.Fatalf("messages differ: %q vs %q", errorText(a.Body), errorText(b.Body))
			}
			if got := env.AuditCount("auth.signin", "failed"); got != before+2 {
				t.Fatalf("failed sign-ins audited: %d, want %d", got, before+2)
			}
		})

		t.Run("lockout after 5 failures, lifted after 15 minutes", func(t *testing.T) {
			for i := 0; i < 5; i++ {
				c.PostForm("/signin", signinForm("duchashi", "Wrong-password-1"))
			}
			r := c.PostForm("/signin", signinForm("duchashi", demo.DemoPassword))
			if r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("right password while locked: %d, want 401", r.StatusCode)
			}
			if env.AuditCount("auth.signin", "denied") == 0 {
				t.Fatal("a sign-in refused for lockout left no denied record")
			}
			env.Clock.Advance(16 * time.Minute)
			r = c.PostForm("/signin", signinForm("duchashi", demo.DemoPassword))
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("after the lockout: %d, want 303", r.StatusCode)
			}
		})

		t.Run("session works and sign-out ends it", func(t *testing.T) {
			s := env.SignIn("leader")
			if r := s.Get("/"); r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), "我的待办") {
				t.Fatalf("home: %d", r.StatusCode)
			}
			if r := s.Get("/api/v1/me"); r.StatusCode != http.StatusOK {
				t.Fatalf("me with session: %d", r.StatusCode)
			}
			s.PostForm("/signout", nil)
			if r := s.Get("/"); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("home after sign-out: %d, want 303", r.StatusCode)
			}
		})

		t.Run("expired session", func(t *testing.T) {
			s := env.SignIn("xfj")
			// The store drops sessions past their expiry; age every session.
			if _, err := env.App.DB.Exec(context.Background(), "UPDATE sessions SET expiry = ?", time.Now().UTC().Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
			if r := s.Get("/"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
				t.Fatalf("expired session: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			if r := s.Get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("expired session on API: %d", r.StatusCode)
			}
		})

		t.Run("cross-origin write refused", func(t *testing.T) {
			s := env.SignIn("admin")
			req, _ := http.NewRequest("POST", env.Server.URL+"/api/v1/orgs", strings.NewReader(`{"name":"x","kind":"village","parent_id":1}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", "https://evil.example")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			resp, err := s.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("cross-origin POST: %d, want 403", resp.StatusCode)
			}
		})

		t.Run("session cookie flags", func(t *testing.T) {
			r := env.Anonymous().PostForm("/signin", signinForm("leader", demo.DemoPassword))
			ck := r.Header.Get("Set-Cookie")
			if !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") {
				t.Fatalf("cookie flags: %s", ck)
			}
		})
	})
}

func TestTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		good := env.TokenClient("yjj")
		if r := good.Get("/api/v1/me"); r.StatusCode != http.StatusOK {
			t.Fatalf("valid token: %d %s", r.StatusCode, r.Body)
		}
		bad := []struct {
			name, header string
		}{
			{"missing", ""},
			{"not bearer", "Basic abc"},
			{"malformed", "Bearer nonsense"},
			{"unknown", "Bearer anw_" + strings.Repeat("a", 52)},
		}
		for _, tt := range bad {
			req, _ := http.NewRequest("GET", env.Server.URL+"/api/v1/me", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s token: %d, want 401", tt.name, resp.StatusCode)
			}
		}
		list, err := env.App.Auth.ListTokens(context.Background(), env.UserID("yjj"))
		if err != nil || len(list) != 1 {
			t.Fatalf("tokens: %v %v", list, err)
		}
		if err := env.App.Auth.RevokeToken(context.Background(), nil, list[0].ID); err != nil {
			t.Fatal(err)
		}
		if r := good.Get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("revoked token: %d, want 401", r.StatusCode)
		}
		if env.AuditCount("auth.token", "failed") < 3 {
			t.Error("bad tokens were not audited")
		}
	})
}

// A password set after a session signed in ends that session: a reset by
// the security administrator signs the person out everywhere; changing
// one's own password keeps the browser it was changed in.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		first, second := env.SignIn("qingshan"), env.SignIn("qingshan")
		signedIn := func(c *apptest.Client) bool {
			t.Helper()
			return c.Get("/api/v1/me").StatusCode == 200
		}
		if !signedIn(first) || !signedIn(second) {
			t.Fatal("not signed in to begin with")
		}
		env.Clock.Advance(time.Minute)
		if r := first.SendJSON("POST", "/api/v1/me/password", map[string]string{"old_password": demo.DemoPassword, "new_password": "Shan-He#2027"}); r.StatusCode != 204 && r.StatusCode != 200 {
			t.Fatalf("own change: %d %s", r.StatusCode, r.Body)
		}
		if !signedIn(first) {
			t.Error("the browser that changed the password was signed out")
		}
		if signedIn(second) {
			t.Error("another browser still works with the old password's session")
		}
		env.Clock.Advance(time.Minute)
		if r := env.SignIn("secadmin").SendJSON("POST", "/api/v1/users/"+itoa(env.UserID("qingshan"))+"/password-reset", nil); r.StatusCode != 200 {
			t.Fatalf("reset: %d %s", r.StatusCode, r.Body)
		}
		if signedIn(first) {
			t.Error("a reset by the security administrator left the session signed in")
		}
	})
}

// /metrics answers a direct local scraper and a holder of the metrics
// token, and is not found for anyone relayed by a proxy without the token.
func TestMetricsAreNotPublic(t *testing.T) {
	d := dbtest.SQLite(t)
	env := apptest.Start(t, d)
	env.App.Web.Opts.MetricsToken = "scrape-secret"
	get := func(hdr map[string]string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", env.Server.URL+"/metrics", nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tt := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"direct from this machine", nil, 200},
		{"through a proxy", map[string]string{"X-Forwarded-For": "203.0.113.9"}, 404},
		{"through a proxy with the token", map[string]string{"X-Forwarded-For": "203.0.113.9", "Authorization": "Bearer scrape-secret"}, 200},
		{"through a proxy with a wrong token", map[string]string{"X-Forwarded-For": "203.0.113.9", "Authorization": "Bearer guess"}, 404},
	} {
		if got := get(tt.hdr); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

// On PostgreSQL a good bearer token's person and grants are kept between
// requests (db.Cache); a token revoked by another server sharing the
// database stops working as soon as that server's NOTIFY arrives.
func TestTokenRevokedOnAnotherServer(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.PostgresDSN(t)
	d, err := db.Open(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	env := apptest.Start(t, d)
	c := env.TokenClient("yjj")
	for range 3 {
		if r := c.Get("/api/v1/me"); r.StatusCode != 200 {
			t.Fatalf("good token: %d", r.StatusCode)
		}
	}
	other, err := db.Open(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	list, err := env.App.Auth.ListTokens(ctx, env.UserID("yjj"))
	if err != nil || len(list) != 1 {
		t.Fatalf("tokens: %v %v", list, err)
	}
	if err := (&auth.Service{DB: other, Clock: env.Clock}).RevokeToken(ctx, nil, list[0].ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.Get("/api/v1/me").StatusCode != http.StatusUnauthorized {
		if time.Now().After(deadline) {
			t.Fatal("a token revoked on another server still worked 5 s later")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
