package app_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// BenchmarkAPIRead measures a whole authenticated API read in process: token
// lookup, actor and grants, the permission-scoped query, JSON.
func BenchmarkAPIRead(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			var d *db.DB
			if dialect == "sqlite" {
				d = dbtest.SQLite(b)
			} else {
				d = dbtest.Postgres(b)
			}
			env := apptest.Start(b, d)
			h := env.App.Web.Handler()
			for _, c := range []struct{ name, login, path string }{
				{"orgs-district-127", "leader", "/api/v1/orgs"},
				{"orgs-township-9", "qingshan", "/api/v1/orgs"},
				{"users-township", "qingshan", "/api/v1/users"},
			} {
				tok := env.TokenClient(c.login).Token
				b.Run(c.name, func(b *testing.B) {
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							req := httptest.NewRequest("GET", c.path, nil)
							req.Header.Set("Authorization", "Bearer "+tok)
							rec := httptest.NewRecorder()
							h.ServeHTTP(rec, req)
							if rec.Code != http.StatusOK {
								b.Fatalf("%d", rec.Code)
							}
						}
					})
				})
			}
			_ = apptest.Env{}
		})
	}
}
