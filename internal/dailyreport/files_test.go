package dailyreport_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// photo is a small JPEG.
func photo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		img.Set(x, x%48, color.RGBA{200, 40, 40, 255})
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// multipartOf builds a form: fields, then files as field → (name, bytes).
func multipartOf(t *testing.T, fields map[string]string, files map[string][2]string) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for field, f := range files {
		part, err := w.CreateFormFile(field, f[0])
		if err != nil {
			t.Fatal(err)
		}
		part.Write([]byte(f[1]))
	}
	w.Close()
	return &b, w.FormDataContentType()
}

func upload(t *testing.T, c *apptest.Client, name string, data []byte) int64 {
	t.Helper()
	body, ct := multipartOf(t, nil, map[string][2]string{"file": {name, string(data)}})
	r := c.Do("POST", "/api/v1/attachments", body, ct)
	var out struct{ ID int64 }
	r.JSON(t, &out)
	if r.StatusCode != 201 || out.ID == 0 {
		t.Fatalf("upload %s: %d %s", name, r.StatusCode, r.Body)
	}
	return out.ID
}

// Items carry photos: uploaded first, linked in the report's transaction,
// shown on the board to the desks, and hidden from other townships.
func TestItemFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		qs := env.OrgID("SFQ-QS")
		town, desk := env.TokenClient("qingshan"), env.TokenClient("yjj")
		pic := photo(t)
		report := func(c *apptest.Client, ids ...int64) *apptest.Response {
			return c.SendJSON("POST", "/api/v1/daily-reports", map[string]any{"org_id": qs,
				"safety":    map[string]any{"items": []map[string]any{{"category": "安全隐患", "summary": "仓库消防通道堵塞", "attachment_ids": ids}}},
				"stability": map[string]any{"nothing_to_report": true}})
		}

		t.Run("someone else's upload is refused and nothing is written", func(t *testing.T) {
			other := upload(t, env.TokenClient("yjj"), "别人的.jpg", pic)
			before := env.AuditCount("dailyreport.submit", "ok")
			r := report(town, other)
			if r.StatusCode != 400 || !strings.Contains(string(r.Body), itoa(other)) {
				t.Fatalf("%d %s, want 400 naming attachment %d", r.StatusCode, r.Body, other)
			}
			if n := env.AuditCount("dailyreport.submit", "ok"); n != before {
				t.Errorf("a refused report left %d submit records", n-before)
			}
			var reports int
			d.QueryRow(t.Context(), "SELECT count(*) FROM daily_reports WHERE org_id = ?", qs).Scan(&reports)
			if reports != 0 {
				t.Errorf("%d reports written", reports)
			}
		})
		t.Run("too many files for one item", func(t *testing.T) {
			ids := make([]int64, 10)
			for i := range ids {
				ids[i] = int64(i + 1)
			}
			r := report(town, ids...)
			if r.StatusCode != 400 || r.ErrorField() != "safety.items[0].attachment_ids" {
				t.Fatalf("%d %s", r.StatusCode, r.Body)
			}
		})
		var fileID int64
		t.Run("linked and shown on the board", func(t *testing.T) {
			fileID = upload(t, town, "通道.jpg", pic)
			if r := report(town, fileID); r.StatusCode != 201 {
				t.Fatalf("%d %s", r.StatusCode, r.Body)
			}
			var b struct {
				Items []struct {
					Summary     string
					Attachments []struct {
						ID       int64
						Filename string
						ThumbURL *string `json:"thumb_url"`
					}
				}
			}
			desk.Get("/api/v1/daily-reports/board").JSON(t, &b)
			if len(b.Items) != 1 || len(b.Items[0].Attachments) != 1 || b.Items[0].Attachments[0].ID != fileID ||
				b.Items[0].Attachments[0].Filename != "通道.jpg" || b.Items[0].Attachments[0].ThumbURL == nil {
				t.Fatalf("board items %+v", b.Items)
			}
			page := env.SignIn("yjj").Get("/daily-reports/board")
			if !strings.Contains(string(page.Body), "/attachments/"+itoa(fileID)+"/thumb") {
				t.Error("the board page shows no thumbnail")
			}
		})
		t.Run("who may open the file", func(t *testing.T) {
			for _, tt := range []struct {
				login string
				want  int
			}{{"yjj", 200}, {"qingshan", 200}, {"leader", 200}, {"wanggeyuan", 404}} {
				if r := env.TokenClient(tt.login).Get("/api/v1/attachments/" + itoa(fileID) + "/content"); r.StatusCode != tt.want {
					t.Errorf("%s: %d, want %d", tt.login, r.StatusCode, tt.want)
				}
			}
			// Linked once: a second report cannot take it again.
			if r := report(town, fileID); r.StatusCode != 400 {
				t.Errorf("relinking: %d %s", r.StatusCode, r.Body)
			}
		})
		t.Run("the phone form takes a photo per item", func(t *testing.T) {
			web := env.SignIn("qingshan")
			body, ct := multipartOf(t, map[string]string{"org_id": itoa(qs), "safety_mode": "items", "stability_mode": "nothing",
				"safety_0_category": "火灾", "safety_0_summary": "废品站起火已扑灭", "safety_0_severity": "serious"},
				map[string][2]string{"safety_0_files": {"现场.jpg", string(pic)}})
			r := web.Do("POST", "/daily-reports", body, ct)
			if r.StatusCode != 303 {
				t.Fatalf("form: %d %s", r.StatusCode, r.Body)
			}
			var n int
			d.QueryRow(t.Context(), `SELECT count(*) FROM attachments a JOIN daily_report_items i ON i.id = a.owner_id
				WHERE a.owner_type = 'dailyreport_item' AND a.filename = '现场.jpg' AND i.summary = '废品站起火已扑灭'`).Scan(&n)
			if n != 1 {
				t.Errorf("the form's photo is linked to %d items, want 1", n)
			}
			// A file that is not a photo: the form comes back with what was typed.
			body, ct = multipartOf(t, map[string]string{"org_id": itoa(qs), "safety_mode": "items", "stability_mode": "nothing",
				"safety_0_category": "火灾", "safety_0_summary": "不要丢掉我写的字"},
				map[string][2]string{"safety_0_files": {"病毒.jpg", "MZ\x90\x00 this is a program"}})
			r = web.Do("POST", "/daily-reports", body, ct)
			if r.StatusCode != 415 && r.StatusCode != 200 || !strings.Contains(string(r.Body), "不要丢掉我写的字") || !strings.Contains(string(r.Body), "病毒.jpg") {
				t.Errorf("bad file: %d, want the form again with the text kept and the file named", r.StatusCode)
			}
		})
	})
}
