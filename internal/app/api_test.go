package app_test

import (
	"net/http"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type orgJSON struct {
	ID       int64  `json:"id"`
	ParentID *int64 `json:"parent_id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
}

func TestOrgsVisibleByScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		var all, township []orgJSON
		r := env.SignIn("admin").Get("/api/v1/orgs")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("admin GET /api/v1/orgs: %d %s", r.StatusCode, r.Body)
		}
		r.JSON(t, &all)
		env.TokenClient("qingshan").Get("/api/v1/orgs").JSON(t, &township)
		if len(all) < 127 || len(township) < 7 || len(township) >= len(all) {
			t.Fatalf("admin sees %d, township staff sees %d", len(all), len(township))
		}
		kinds := map[string]bool{}
		for _, o := range all {
			kinds[o.Kind] = true
		}
		for _, k := range []string{"district", "township", "street", "zone", "village", "community", "department", "police_station"} {
			if !kinds[k] {
				t.Errorf("no org of kind %s", k)
			}
		}
		// Another township is outside qingshan's scope: 404, as if absent.
		other := env.OrgID("SFQ-DC")
		if r := env.TokenClient("qingshan").Get("/api/v1/orgs/" + itoa(other)); r.StatusCode != http.StatusNotFound {
			t.Errorf("out-of-scope org: %d, want 404", r.StatusCode)
		}
	})
}
