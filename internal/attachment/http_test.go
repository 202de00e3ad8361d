package attachment_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image/jpeg"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

type infoJSON struct {
	ID          int64    `json:"id"`
	Filename    string   `json:"filename"`
	ContentType string   `json:"content_type"`
	Size        int64    `json:"size"`
	SHA256      string   `json:"sha256"`
	Width       *int     `json:"width"`
	Height      *int     `json:"height"`
	TakenAt     *string  `json:"taken_at"`
	Latitude    *float64 `json:"latitude"`
	Longitude   *float64 `json:"longitude"`
	Pending     bool     `json:"pending"`
	URL         string   `json:"url"`
	ThumbURL    *string  `json:"thumb_url"`
}

func upload(t testing.TB, c *apptest.Client, files ...formFile) *apptest.Response {
	body, ct := multipartBody(t, files...)
	return c.Do("POST", "/api/v1/attachments", body, ct)
}

func TestHTTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		api := env.TokenClient("qingshan")
		photo := withExif(jpegBytes(t, 640, 480), photoTIFF(binary.BigEndian, 1, ""))
		const name = "青山镇 隐患照片.jpg"

		var info infoJSON
		t.Run("upload and read back", func(t *testing.T) {
			r := upload(t, api, formFile{"file", name, photo})
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
			}
			r.JSON(t, &info)
			if info.Filename != name || info.ContentType != "image/jpeg" || info.Size != int64(len(photo)) || len(info.SHA256) != 64 ||
				info.Width == nil || *info.Width != 640 || info.TakenAt == nil || *info.TakenAt != "2026-11-20T01:30:15Z" ||
				!near(info.Latitude, 31.2304) || !near(info.Longitude, 121.4737) || !info.Pending ||
				info.URL != "/api/v1/attachments/"+strconv.FormatInt(info.ID, 10)+"/content" || info.ThumbURL == nil {
				t.Fatalf("answer %s", r.Body)
			}
			if r.Header.Get("Location") != "/api/v1/attachments/"+strconv.FormatInt(info.ID, 10) {
				t.Errorf("Location %q", r.Header.Get("Location"))
			}

			got := api.Get(info.URL)
			if got.StatusCode != 200 || !bytes.Equal(got.Body, photo) {
				t.Fatalf("content: %d, %d bytes", got.StatusCode, len(got.Body))
			}
			h := got.Header
			if h.Get("Content-Type") != "image/jpeg" || h.Get("X-Content-Type-Options") != "nosniff" ||
				h.Get("Cache-Control") != "private, max-age=3600" || h.Get("ETag") != `"`+info.SHA256+`"` {
				t.Errorf("headers %v", h)
			}
			cd := h.Get("Content-Disposition")
			if !strings.HasPrefix(cd, "inline; ") || !strings.Contains(cd, "filename*=UTF-8''%E9%9D%92%E5%B1%B1%E9%95%87%20") {
				t.Errorf("Content-Disposition %q", cd)
			}

			req, _ := http.NewRequest("GET", env.Server.URL+info.URL, nil)
			req.Header.Set("Authorization", "Bearer "+api.Token)
			req.Header.Set("If-None-Match", `"`+info.SHA256+`"`)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match: %d, want 304", resp.StatusCode)
			}

			th := api.Get(*info.ThumbURL)
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(th.Body))
			if th.StatusCode != 200 || err != nil || cfg.Width != 320 || cfg.Height != 240 {
				t.Errorf("thumb: %d %dx%d %v", th.StatusCode, cfg.Width, cfg.Height, err)
			}

			var meta infoJSON
			m := api.Get("/api/v1/attachments/" + strconv.FormatInt(info.ID, 10))
			m.JSON(t, &meta)
			if m.StatusCode != 200 || meta.ID != info.ID || meta.SHA256 != info.SHA256 {
				t.Errorf("metadata %d %s", m.StatusCode, m.Body)
			}
		})

		t.Run("pages serve the same bytes to the uploader's session", func(t *testing.T) {
			page := env.SignIn("qingshan")
			r := page.Get("/attachments/" + strconv.FormatInt(info.ID, 10))
			if r.StatusCode != 200 || !bytes.Equal(r.Body, photo) || r.Header.Get("Content-Type") != "image/jpeg" {
				t.Fatalf("page content: %d %s", r.StatusCode, r.Header)
			}
			if r := page.Get("/attachments/" + strconv.FormatInt(info.ID, 10) + "/thumb"); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/jpeg" {
				t.Errorf("page thumb: %d", r.StatusCode)
			}
			other := env.SignIn("yjj")
			if r := other.Get("/attachments/" + strconv.FormatInt(info.ID, 10)); r.StatusCode != 404 || bytes.Contains(r.Body, photo[:64]) {
				t.Errorf("another's pending upload: %d", r.StatusCode)
			}
			if r := env.Anonymous().Get("/attachments/" + strconv.FormatInt(info.ID, 10)); r.StatusCode != http.StatusSeeOther {
				t.Errorf("not signed in: %d", r.StatusCode)
			}
		})

		errorCases := []struct {
			name   string
			files  []formFile
			status int
			code   string
			says   string
		}{
			{"over 20 MB", []formFile{{"file", "big.pdf", append([]byte("%PDF-1.7\n"), make([]byte, attachment.MaxSize)...)}}, 413, "too_large", "20 MB"},
			{"a text file named .jpg", []formFile{{"file", "photo.jpg", []byte("hello, not a photo")}}, 415, "unsupported", "PDF"},
			{"empty", []formFile{{"file", "e.png", nil}}, 400, "invalid", "empty"},
			{"no file field", []formFile{{"photo", "a.png", pngBytes(t, 4, 4)}}, 400, "invalid", "file"},
		}
		for _, c := range errorCases {
			t.Run(c.name, func(t *testing.T) {
				before, blobsBefore := rows(t, env), len(blobs(t, env))
				r := upload(t, api, c.files...)
				if r.StatusCode != c.status || r.ErrorCode() != c.code {
					t.Fatalf("%d %s, want %d %s", r.StatusCode, r.Body, c.status, c.code)
				}
				var body struct {
					Error struct{ Code, Message, Field string } `json:"error"`
				}
				if err := json.Unmarshal(r.Body, &body); err != nil || !strings.Contains(body.Error.Message, c.says) || body.Error.Field != "file" {
					t.Errorf("error body %s", r.Body)
				}
				if rows(t, env) != before || len(blobs(t, env)) != blobsBefore {
					t.Error("a refused upload left something behind")
				}
			})
		}

		t.Run("not multipart", func(t *testing.T) {
			r := api.SendJSON("POST", "/api/v1/attachments", `{"file":"x"}`)
			if r.StatusCode != 415 || r.ErrorCode() != "unsupported" {
				t.Errorf("%d %s", r.StatusCode, r.Body)
			}
		})
	})
}

// The rows this package asks for in internal/app's authorization matrix, run
// here the same way (a refusal of an object out of scope leaves a denied
// record).
func TestAuthorizationRows(t *testing.T) {
	env := apptest.Start(t, dbtest.SQLite(t))
	pending := func(login, suffix string) func(e *apptest.Env) string {
		return func(e *apptest.Env) string {
			a, err := e.App.Auth.LoadActor(context.Background(), e.UserID(login), "matrix")
			if err != nil {
				e.T.Fatal(err)
			}
			att, err := e.App.Attachments.Store(context.Background(), a, "矩阵.png", bytes.NewReader(pngBytes(e.T, 8, 8)))
			if err != nil {
				e.T.Fatal(err)
			}
			return strconv.FormatInt(att.ID, 10) + suffix
		}
	}
	type row struct {
		route, login, scope string
		want                int
		path                func(e *apptest.Env) string
	}
	rowsOf := func(prefix, suffix string, anon int) []row {
		route := "GET " + prefix + "{id}" + suffix
		return []row{
			{route, "", "in", anon, func(e *apptest.Env) string { return prefix + pending("qiye", suffix)(e) }},
			{route, "qiye", "in", 200, func(e *apptest.Env) string { return prefix + pending("qiye", suffix)(e) }},
			{route, "qingshan", "out", 404, func(e *apptest.Env) string { return prefix + pending("qiye", suffix)(e) }},
			{route, "qingshan", "absent", 404, func(e *apptest.Env) string { return prefix + "999999" + suffix }},
		}
	}
	var matrix []row
	matrix = append(matrix, rowsOf("/api/v1/attachments/", "", 401)...)
	matrix = append(matrix, rowsOf("/api/v1/attachments/", "/content", 401)...)
	matrix = append(matrix, rowsOf("/api/v1/attachments/", "/thumb", 401)...)
	matrix = append(matrix, rowsOf("/attachments/", "", 303)...)
	matrix = append(matrix, rowsOf("/attachments/", "/thumb", 303)...)
	clients := map[string]*apptest.Client{"": env.Anonymous()}
	for _, r := range matrix {
		t.Run(r.route+" as "+r.login+" ("+r.scope+")", func(t *testing.T) {
			c, ok := clients[r.login]
			if !ok {
				c = env.SignIn(r.login)
				clients[r.login] = c
			}
			denied := env.AuditCount("", "denied")
			path := r.path(env)
			resp := c.Get(path)
			if resp.StatusCode != r.want {
				t.Fatalf("GET %s: %d, want %d", path, resp.StatusCode, r.want)
			}
			if r.scope == "out" && env.AuditCount("", "denied") == denied {
				t.Errorf("GET %s refused without a denied record", path)
			}
		})
	}
	// POST rows: 401 without sign-in, 415 for a body that is no form.
	if r := env.Anonymous().Do("POST", "/api/v1/attachments", nil, ""); r.StatusCode != 401 {
		t.Errorf("anonymous upload: %d", r.StatusCode)
	}
	if r := env.SignIn("qiye").Do("POST", "/api/v1/attachments", nil, ""); r.StatusCode != 415 {
		t.Errorf("upload without a form: %d", r.StatusCode)
	}
}

// The API document stays valid with the multipart upload in it.
func TestOpenAPI(t *testing.T) {
	env := apptest.Start(t, dbtest.SQLite(t))
	r := env.Anonymous().Get("/api/v1/openapi.json")
	doc, err := openapi3.NewLoader().LoadFromData(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}
	op := doc.Paths.Find("/api/v1/attachments").Post
	if op == nil || op.RequestBody == nil || op.RequestBody.Value.Content.Get("multipart/form-data") == nil {
		t.Fatal("the upload is not documented as multipart/form-data")
	}
	file := op.RequestBody.Value.Content.Get("multipart/form-data").Schema.Value.Properties["file"]
	if file == nil || file.Value.Format != "binary" {
		t.Error("the upload's field file is not documented")
	}
}
