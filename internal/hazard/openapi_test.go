package hazard_test

import (
	"testing"

	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestOpenAPI: every hazard route is in the OpenAPI document, the
// document is valid, and real answers match their schemas.
func TestOpenAPI(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	doc := f.env.OpenAPI(t)
	doc.CheckRoutes(t, "/api/v1/hazards")
	h := f.register("qingshan", f.major(map[string]any{"attachment_ids": []int64{f.photo("qingshan")}}))
	id := itoa(h.ID)
	qs, yjj := f.c("qingshan"), f.c("yjj")
	doc.Check(t,
		qs.Call("POST", "/api/v1/hazards", `{"org_id":`+itoa(f.env.OrgID("SFQ-QS"))+`,"description":"文档隐患","category":"fire","deadline":"2026-12-20"}`),
		qs.Call("GET", "/api/v1/hazards?status=open&q="+"有限空间"),
		qs.Call("GET", "/api/v1/hazards/"+id),
		qs.Call("POST", "/api/v1/hazards/"+id+"/transitions", `{"action":"start","comment":"开始"}`),
		qs.Call("POST", "/api/v1/hazards/"+id+"/transitions", `{"action":"accept"}`),
		yjj.Call("GET", "/api/v1/hazards/stats"),
		yjj.Call("GET", "/api/v1/hazards/quarterly?period=2026Q4"),
		f.c("qiye").Call("GET", "/api/v1/hazards/quarterly?period=2026Q3"),
		yjj.Call("GET", "/api/v1/hazards/quarterly.xlsx?period=2026"),
		qs.Call("GET", "/api/v1/hazards/quarterly?period=2026Q9"),
		qs.Call("GET", "/api/v1/hazards/prefill?enterprise_id="+itoa(f.entQingshan)),
		qs.Call("GET", "/api/v1/hazards/categories"),
		qs.Call("GET", "/api/v1/hazards/standards"),
		qs.Call("GET", "/api/v1/hazards/settings"),
		qs.Call("POST", "/api/v1/hazards/import?dry_run=1"),
	)
}
