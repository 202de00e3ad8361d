package campaign_test

import (
	"testing"

	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestOpenAPI: every campaign route is in the OpenAPI document, and real
// answers (and errors) match their schemas: the requests too.
func TestOpenAPI(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	doc := f.env.OpenAPI(t)
	doc.CheckRoutes(t, "/api/v1/campaigns")
	earlier := f.launch("yjj", map[string]any{"title": "前一轮"})
	f.hazard("qingshan", f.ent(entHazchem), earlier.ID, nil)
	c := f.launch("qingshan", map[string]any{"title": "青山镇回头看"})
	f.inspect("qingshan", f.ent(entHazchem), c.ID, nil)
	draft := f.launch("yjj", map[string]any{"draft": true})
	id, tid, rid := itoa(c.ID), itoa(c.Tasks[1].ID), itoa(c.Rechecks[0].ID)
	doc.Check(t,
		f.c("yjj").Call("POST", "/api/v1/campaigns", `{"title":"文档行动","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31","industries":["gas"],"template_id":1}`),
		f.c("yjj").Call("POST", "/api/v1/campaigns", `{"title":"","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31"}`),
		f.c("wanggeyuan").Call("GET", "/api/v1/campaigns"),
		f.c("qingshan").Call("GET", "/api/v1/campaigns?status=active&limit=5"),
		f.c("qingshan").Call("GET", "/api/v1/campaigns/"+id),
		f.c("qingshan").Call("GET", "/api/v1/campaigns/"+id+"/tasks/"+tid),
		f.c("wanggeyuan").Call("POST", "/api/v1/campaigns/"+id+"/rechecks/"+rid, `{"outcome":"fixed","note":"已整改"}`),
		f.c("yjj").Call("PUT", "/api/v1/campaigns/"+itoa(draft.ID), `{"title":"文档草稿","period_start":"2026-11-27","period_end":"2026-12-26","deadline":"2026-12-31","draft":true}`),
		f.c("yjj").Call("POST", "/api/v1/campaigns/"+itoa(draft.ID)+"/transitions", `{"action":"launch"}`),
		f.c("qingshan").Call("POST", "/api/v1/campaigns/"+id+"/transitions", `{"action":"close","note":"完成"}`),
		f.c("qingshan").Call("GET", "/api/v1/campaigns/999999"),
	)
}
