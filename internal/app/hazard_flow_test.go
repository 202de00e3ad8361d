package app_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// uploadPNG uploads a small PNG as c and returns its id.
func uploadPNG(t *testing.T, c *apptest.Client, name string) int64 {
	t.Helper()
	var img bytes.Buffer
	png.Encode(&img, image.NewGray(image.Rect(0, 0, 16, 16)))
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", name)
	part.Write(img.Bytes())
	w.Close()
	r := c.Do("POST", "/api/v1/attachments", &body, w.FormDataContentType())
	var out struct{ ID int64 }
	r.JSON(t, &out)
	if r.StatusCode != 201 {
		t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	return out.ID
}

// A failed checklist item becomes a hazard with everything the inspection
// knew, the enterprise rectifies it with evidence, and the township closes it:
// the inspection and hazard capabilities through the app's wiring.
func TestFailedItemToClosedHazard(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		town, firm := env.TokenClient("qingshan"), env.TokenClient("qiye")
		var ent int64
		if err := d.QueryRow(context.Background(), "SELECT id FROM enterprises WHERE name = '示范区青山瑞丰化工仓储有限公司'").Scan(&ent); err != nil {
			t.Fatal(err)
		}
		var tpl struct {
			ID    int64
			Items []struct {
				ID       int64
				Category string
				Text     string
			}
		}
		town.Get("/api/v1/inspection-templates/1").JSON(t, &tpl)
		if len(tpl.Items) < 2 {
			t.Fatalf("template %+v", tpl)
		}
		answers := []map[string]any{}
		for i, it := range tpl.Items {
			a := map[string]any{"item_id": it.ID, "result": "pass"}
			if i == 1 {
				a["result"], a["note"] = "fail", "二楼安全出口被货物堵塞"
			}
			answers = append(answers, a)
		}
		r := town.SendJSON("POST", "/api/v1/inspections", map[string]any{"kind": "territorial", "enterprise_id": ent, "template_id": tpl.ID,
			"answers": answers, "summary": "月度属地检查"})
		var ins struct {
			ID      int64
			Answers []struct {
				ID     int64
				Result string
			}
		}
		r.JSON(t, &ins)
		if r.StatusCode != 201 {
			t.Fatalf("inspection: %d %s", r.StatusCode, r.Body)
		}
		var failed int64
		for _, a := range ins.Answers {
			if a.Result == "fail" {
				failed = a.ID
			}
		}
		r = town.SendJSON("POST", "/api/v1/inspections/"+itoa(ins.ID)+"/hazards", map[string]any{"answer_id": failed})
		var link struct {
			HazardID     int64  `json:"hazard_id"`
			HazardNumber string `json:"hazard_number"`
		}
		r.JSON(t, &link)
		if r.StatusCode != 201 && r.StatusCode != 200 || link.HazardID == 0 || link.HazardNumber == "" {
			t.Fatalf("register from the failed item: %d %s", r.StatusCode, r.Body)
		}
		if r := town.SendJSON("POST", "/api/v1/inspections/"+itoa(ins.ID)+"/hazards", map[string]any{"answer_id": failed}); r.StatusCode != 409 {
			t.Errorf("registering the same item again: %d, want 409", r.StatusCode)
		}
		var hz struct {
			Number       string
			Source       string
			EnterpriseID *int64 `json:"enterprise_id"`
			Category     string
			Description  string
			Status       string
			Deadline     string
			Allowed      []string `json:"allowed_actions"`
		}
		hazard := "/api/v1/hazards/" + itoa(link.HazardID)
		firm.Get(hazard).JSON(t, &hz)
		if hz.Number != link.HazardNumber || hz.Source != "inspection" || hz.EnterpriseID == nil || *hz.EnterpriseID != ent ||
			hz.Category != tpl.Items[1].Category || !bytes.Contains([]byte(hz.Description), []byte("二楼安全出口被货物堵塞")) || hz.Deadline == "" {
			t.Fatalf("the hazard does not carry what the inspection knew: %+v", hz)
		}
		step := func(c *apptest.Client, body map[string]any, want int) {
			t.Helper()
			if r := c.SendJSON("POST", hazard+"/transitions", body); r.StatusCode != want {
				t.Fatalf("%v: %d %s, want %d", body["action"], r.StatusCode, r.Body, want)
			}
		}
		step(firm, map[string]any{"action": "start", "comment": "已安排清理"}, 200)
		step(firm, map[string]any{"action": "submit_evidence", "comment": "通道已清空", "attachment_ids": []int64{uploadPNG(t, firm, "整改后.png")}}, 200)
		step(firm, map[string]any{"action": "accept"}, 403) // visible to the enterprise, but it cannot close its own hazard
		step(town, map[string]any{"action": "accept", "comment": "复查合格，同意销号"}, 200)
		firm.Get(hazard).JSON(t, &hz)
		if hz.Status != "closed" {
			t.Errorf("status %s after acceptance", hz.Status)
		}
	})
}
