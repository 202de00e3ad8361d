package petition_test

import (
	"encoding/json"
	"testing"

	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestOpenAPI: every petition route is in the OpenAPI document, the
// document is valid, and real answers (errors too) match their schemas.
func TestOpenAPI(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	doc := f.env.OpenAPI(t)
	n := doc.CheckRoutes(t, "/api/v1/petitions")
	must(t, n == 12, "%d petition routes", n)
	c := f.register("xfj", f.claim(nil))
	id := itoa(c.ID)
	body, _ := json.Marshal(f.claim(nil))
	doc.Check(t,
		f.c("xfj").Call("POST", "/api/v1/petitions", string(body)),
		f.c("xfj").Call("GET", "/api/v1/petitions?status=open&category=claim"),
		f.c("xfj").Call("GET", "/api/v1/petitions/"+id),
		f.c("xfj").Call("GET", "/api/v1/petitions/"+id+"/personal"),
		f.c("xfj").Call("POST", "/api/v1/petitions/similar", `{"phones":["`+phoneA+`"]}`),
		f.c("xfj").Call("POST", "/api/v1/petitions/"+id+"/transitions", `{"action":"transfer","org_id":`+itoa(f.env.OrgID("SFQ-QS"))+`}`),
		f.c("qingshan").Call("POST", "/api/v1/petitions/"+id+"/transitions", `{"action":"reply"}`),
		f.c("qingshan").Call("POST", "/api/v1/petitions/"+id+"/transitions", `{"action":"accept"}`),
		f.c("xfj").Call("GET", "/api/v1/petitions/subjects"),
		f.c("xfj").Call("GET", "/api/v1/petitions/stats"),
		f.c("qingshan").Call("GET", "/api/v1/petitions/stats?org_id="+itoa(f.env.OrgID("SFQ-DC"))),
		f.c("xfj").Call("GET", "/api/v1/petitions/stats?from=x"),
		f.c("xfj").Call("GET", "/api/v1/petitions/settings"),
		f.c("admin").Call("PUT", "/api/v1/petitions/settings", `{"area_code":"990101"}`),
		f.c("yjj").Call("GET", "/api/v1/petitions/"+id),
		f.c("xfj").Call("POST", "/api/v1/petitions", `{"channel":"visit"}`),
	)
}
