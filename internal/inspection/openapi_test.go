package inspection_test

import (
	"testing"

	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// Every inspection route is in the OpenAPI document, and the answers of the
// inspection API match it, requests included.
func TestOpenAPI(t *testing.T) {
	f := setup(t, dbtest.SQLite(t))
	env := f.env
	doc := env.OpenAPI(t)
	doc.CheckRoutes(t, "/api/v1/inspection") // inspections and inspection-templates
	qs := env.TokenClient("qingshan")
	photo := upload(t, qs, "x.png")
	body := map[string]any{"kind": "territorial", "enterprise_id": f.b, "template_id": f.fire.ID, "answers": answers(f.fire, 2),
		"findings": []map[string]any{{"text": "问题", "category": "fire"}}}
	body["answers"].([]map[string]any)[1]["attachment_ids"] = []int64{photo}
	i := record(t, qs, body)
	draft := record(t, qs, map[string]any{"kind": "joint", "enterprise_id": f.b, "summary": "未完", "draft": true})
	doc.Check(t,
		qs.Call("POST", "/api/v1/inspections", mustJSON(body)),
		qs.Call("GET", "/api/v1/inspections?failed=1&limit=5"),
		qs.Call("GET", "/api/v1/inspections/"+itoa(i.ID)),
		qs.Call("PUT", "/api/v1/inspections/"+itoa(draft.ID), mustJSON(map[string]any{"kind": "joint", "enterprise_id": f.b, "summary": "完成"})),
		qs.Call("POST", "/api/v1/inspections/"+itoa(i.ID)+"/hazards", mustJSON(map[string]any{"answer_id": i.Failed()[0].ID, "deadline": "2026-12-04"})),
		qs.Call("GET", "/api/v1/inspection-templates"),
		qs.Call("GET", "/api/v1/inspection-templates/"+itoa(f.fire.ID)),
		env.TokenClient("yjj").Call("POST", "/api/v1/inspection-templates/"+itoa(f.dust.ID)+"/versions", `{"items":[{"text":"除尘器完好","category":"dust"}]}`),
		// Errors follow the Error schema.
		qs.Call("POST", "/api/v1/inspections/"+itoa(i.ID)+"/hazards", mustJSON(map[string]any{"answer_id": i.Failed()[0].ID})),
		qs.Call("GET", "/api/v1/inspections/999999"),
	)
}
