package attachment_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/jpeg"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// thingType is a fake owning capability: a "thing" is an organisation, seen
// by whoever may see that organisation.
const thingType = "test_thing"

func registerThing(env *apptest.Env) {
	env.App.Attachments.RegisterOwner(thingType, func(ctx context.Context, a *auth.Actor, id int64) error {
		var path string
		if err := env.App.DB.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", id).Scan(&path); err != nil {
			return apperr.NotFound("thing")
		}
		return auth.Authorize(a, auth.OrgView, path)
	})
}

func link(t testing.TB, env *apptest.Env, a *auth.Actor, ids []int64, orgCode string) error {
	t.Helper()
	org := env.OrgID(orgCode)
	return env.App.DB.InTx(ctx, func(tx *db.Tx) error {
		return env.App.Attachments.Link(ctx, tx, a, ids, thingType, org, org)
	})
}

func wantCode(t testing.TB, err error, code string) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	return e
}

func near(a *float64, want float64) bool { return a != nil && math.Abs(*a-want) < 1e-4 }

func readAll(t testing.TB, c *attachment.Content) []byte {
	t.Helper()
	defer c.Body.Close()
	b, err := io.ReadAll(c.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		svc := env.App.Attachments
		qs := actor(t, env, "qingshan")

		t.Run("JPEG with EXIF time, position and orientation", func(t *testing.T) {
			uploads := env.AuditCount("attachment.upload", "ok")
			// 400×200 stored, orientation 6: shown turned a quarter, 200×400.
			data := withExif(jpegBytes(t, 400, 200), photoTIFF(binary.BigEndian, 6, ""))
			a, err := svc.Store(ctx, qs, "隐患/现场照片 1.JPG", bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if a.ContentType != attachment.JPEG || a.Size != int64(len(data)) || a.Filename != "现场照片 1.JPG" || len(a.SHA256) != 64 {
				t.Errorf("stored %+v", a)
			}
			if a.Width == nil || *a.Width != 200 || *a.Height != 400 {
				t.Errorf("dimensions %v×%v, want 200×400 (oriented)", a.Width, a.Height)
			}
			want := time.Date(2026, 11, 20, 1, 30, 15, 0, time.UTC) // 09:30:15 Beijing
			if a.TakenAt == nil || !a.TakenAt.Equal(want) {
				t.Errorf("taken at %v, want %v", a.TakenAt, want)
			}
			if !near(a.Latitude, 31.2304) || !near(a.Longitude, 121.4737) {
				t.Errorf("position %v, %v", a.Latitude, a.Longitude)
			}
			if !a.Pending() || a.UploadedBy != qs.UserID {
				t.Errorf("not pending for its uploader: %+v", a)
			}
			// Read back from the database.
			got, err := svc.Get(ctx, qs, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.TakenAt == nil || !got.TakenAt.Equal(want) || !near(got.Latitude, 31.2304) || !near(got.Longitude, 121.4737) || *got.Width != 200 {
				t.Errorf("read back %+v", got)
			}
			c, err := svc.Open(ctx, qs, a.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			thumb := readAll(t, c)
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(thumb))
			if err != nil || cfg.Width != 160 || cfg.Height != 320 {
				t.Errorf("thumbnail %dx%d (%v), want 160x320", cfg.Width, cfg.Height, err)
			}
			c, err = svc.Open(ctx, qs, a.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(readAll(t, c), data) {
				t.Error("content differs from what was uploaded")
			}
			if env.AuditCount("attachment.upload", "ok") != uploads+1 {
				t.Error("upload not audited")
			}
		})

		t.Run("EXIF time with its own offset", func(t *testing.T) {
			data := withExif(jpegBytes(t, 64, 48), photoTIFF(binary.LittleEndian, 1, "+09:00"))
			a, err := svc.Store(ctx, qs, "tokyo.jpg", bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			want := time.Date(2026, 11, 20, 0, 30, 15, 0, time.UTC)
			if a.TakenAt == nil || !a.TakenAt.Equal(want) || *a.Width != 64 {
				t.Errorf("taken at %v (want %v), width %v", a.TakenAt, want, a.Width)
			}
		})

		t.Run("PNG thumbnail", func(t *testing.T) {
			a, err := svc.Store(ctx, qs, "plan.png", bytes.NewReader(pngBytes(t, 1000, 500)))
			if err != nil {
				t.Fatal(err)
			}
			if a.ContentType != attachment.PNG || *a.Width != 1000 || *a.Height != 500 || a.TakenAt != nil || a.Latitude != nil {
				t.Errorf("stored %+v", a)
			}
			c, err := svc.Open(ctx, qs, a.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			if c.ContentType != attachment.JPEG {
				t.Errorf("thumbnail type %s", c.ContentType)
			}
			m, err := jpeg.Decode(bytes.NewReader(readAll(t, c)))
			if err != nil || m.Bounds() != image.Rect(0, 0, 320, 160) {
				t.Fatalf("thumbnail %v (%v), want 320x160", m.Bounds(), err)
			}
		})

		t.Run("PDF without thumbnail", func(t *testing.T) {
			data := []byte("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n")
			a, err := svc.Store(ctx, qs, "整改报告.pdf", bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if a.ContentType != attachment.PDF || a.HasThumb() || a.Width != nil {
				t.Errorf("stored %+v", a)
			}
			_, err = svc.Open(ctx, qs, a.ID, true)
			wantCode(t, err, apperr.ENOTFOUND)
		})

		t.Run("HEIC header, with its EXIF item read", func(t *testing.T) {
			a, err := svc.Store(ctx, qs, "IMG_0001.HEIC", bytes.NewReader(heicFile(photoTIFF(binary.LittleEndian, 1, ""))))
			if err != nil {
				t.Fatal(err)
			}
			want := time.Date(2026, 11, 20, 1, 30, 15, 0, time.UTC)
			if a.ContentType != attachment.HEIC || a.HasThumb() || a.TakenAt == nil || !a.TakenAt.Equal(want) || !near(a.Latitude, 31.2304) {
				t.Errorf("stored %+v (taken %v)", a, a.TakenAt)
			}
			b, err := svc.Store(ctx, qs, "", bytes.NewReader(heicFile(nil)))
			if err != nil {
				t.Fatal(err)
			}
			if b.ContentType != attachment.HEIC || b.TakenAt != nil || b.Filename != "photo.heic" {
				t.Errorf("stored %+v", b)
			}
		})

		// Refusals leave nothing behind: no row, no blob, no audit record.
		refusals := []struct {
			name, filename string
			data           []byte
			code           string
			says           string
		}{
			{"text named .jpg", "photo.jpg", []byte("just some text, not a photo\n"), apperr.EUNSUPPORTED, "JPEG、PNG、HEIC"},
			{"HTML named .png", "x.png", []byte("<html><script>alert(1)</script></html>"), apperr.EUNSUPPORTED, "PDF"},
			{"AVIF is not HEIC", "a.heic", box("ftyp", []byte("avif"), u32(0), []byte("mif1"), []byte("avif")), apperr.EUNSUPPORTED, "HEIC"},
			{"empty", "empty.jpg", nil, apperr.EINVALID, "空文件"},
			{"20 MB + 1 byte", "big.pdf", append([]byte("%PDF-1.7\n"), make([]byte, attachment.MaxSize+1-9)...), apperr.ETOOLARGE, "20 MB"},
			{"decompression bomb", "bomb.png", bombPNG(10000, 10000), apperr.ERULE, "10000×10000"},
			{"damaged JPEG", "bad.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 2, 0xFF, 0xD9}, apperr.EUNSUPPORTED, "损坏"},
		}
		for _, c := range refusals {
			t.Run("refused: "+c.name, func(t *testing.T) {
				rowsBefore, blobsBefore, auditBefore := rows(t, env), len(blobs(t, env)), env.AuditCount("attachment", "")
				_, err := svc.Store(ctx, qs, c.filename, bytes.NewReader(c.data))
				e := wantCode(t, err, c.code)
				if !strings.Contains(e.Message, c.says) || !strings.Contains(e.Message, " / ") || e.Field != "file" {
					t.Errorf("message %q (field %q) should say %q, bilingual", e.Message, e.Field, c.says)
				}
				if c.filename != "" && !strings.Contains(e.Message, c.filename) {
					t.Errorf("message %q does not name the file", e.Message)
				}
				if rows(t, env) != rowsBefore || len(blobs(t, env)) != blobsBefore || env.AuditCount("attachment", "") != auditBefore {
					t.Error("a refused file left something behind")
				}
			})
		}

		t.Run("exactly 20 MB is accepted", func(t *testing.T) {
			data := append([]byte("%PDF-1.7\n"), make([]byte, attachment.MaxSize-9)...)
			a, err := svc.Store(ctx, qs, "max.pdf", bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if a.Size != attachment.MaxSize {
				t.Errorf("size %d", a.Size)
			}
		})

		t.Run("not signed in", func(t *testing.T) {
			_, err := svc.Store(ctx, nil, "a.pdf", strings.NewReader("%PDF-1.4"))
			wantCode(t, err, apperr.EUNAUTHORIZED)
		})
	})
}

func TestFromForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		svc := env.App.Attachments
		qs := actor(t, env, "qingshan")
		photo, plan := jpegBytes(t, 80, 60), pngBytes(t, 30, 20)

		t.Run("one refused file refuses all, naming it", func(t *testing.T) {
			r := formRequest(t, formFile{"photos", "a.jpg", photo}, formFile{"photos", "b.png", plan}, formFile{"photos", "病毒.exe.jpg", []byte("MZ\x90\x00")})
			_, err := svc.FromForm(ctx, qs, r, "photos")
			e := wantCode(t, err, apperr.EUNSUPPORTED)
			if !strings.Contains(e.Message, "病毒.exe.jpg") || e.Field != "photos" {
				t.Errorf("message %q field %q", e.Message, e.Field)
			}
			if rows(t, env) != 0 || len(blobs(t, env)) != 0 {
				t.Error("files of a refused form were kept")
			}
		})

		t.Run("several files", func(t *testing.T) {
			r := formRequest(t, formFile{"photos", "a.jpg", photo}, formFile{"photos", "b.png", plan}, formFile{"other", "c.jpg", photo})
			ids, err := svc.FromForm(ctx, qs, r, "photos")
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != 2 || rows(t, env) != 2 || len(blobs(t, env)) != 4 { // two files, two thumbnails
				t.Fatalf("ids %v, %d rows, blobs %v", ids, rows(t, env), blobs(t, env))
			}
			if r.PostFormValue("note") != "其他字段" {
				t.Error("the form's other fields are lost")
			}
		})

		t.Run("an empty file input", func(t *testing.T) {
			r := formRequest(t, formFile{"photos", "", nil})
			ids, err := svc.FromForm(ctx, qs, r, "photos")
			if err != nil || len(ids) != 0 {
				t.Fatalf("ids %v, err %v", ids, err)
			}
		})

		t.Run("too many files", func(t *testing.T) {
			var fs []formFile
			for i := 0; i <= attachment.MaxLink; i++ {
				fs = append(fs, formFile{"photos", "p" + strconv.Itoa(i) + ".png", plan})
			}
			_, err := svc.FromForm(ctx, qs, formRequest(t, fs...), "photos")
			wantCode(t, err, apperr.EINVALID)
		})
	})
}

func TestLinkAndOpen(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		registerThing(env)
		svc := env.App.Attachments
		qs, grid, yjj, admin := actor(t, env, "qingshan"), actor(t, env, "wanggeyuan"), actor(t, env, "yjj"), actor(t, env, "admin")
		store := func(a *auth.Actor) *attachment.Attachment {
			att, err := svc.Store(ctx, a, "p.png", bytes.NewReader(pngBytes(t, 40, 30)))
			if err != nil {
				t.Fatal(err)
			}
			return att
		}
		mine := store(qs)

		t.Run("a pending upload is its uploader's alone", func(t *testing.T) {
			if _, err := svc.Open(ctx, qs, mine.ID, false); err != nil {
				t.Fatal(err)
			}
			denied := env.AuditCount("attachment.view", "denied")
			_, err := svc.Open(ctx, yjj, mine.ID, false)
			wantCode(t, err, apperr.ENOTFOUND)
			if env.AuditCount("attachment.view", "denied") != denied+1 {
				t.Error("refusal not recorded")
			}
			_, err = svc.Get(ctx, qs, 999999)
			wantCode(t, err, apperr.ENOTFOUND)
		})

		t.Run("another's upload cannot be linked, and says no more than a missing one", func(t *testing.T) {
			err := link(t, env, grid, []int64{mine.ID}, "SFQ-QS-01")
			e := wantCode(t, err, apperr.EINVALID)
			if !strings.Contains(e.Message, strconv.FormatInt(mine.ID, 10)) {
				t.Errorf("message %q does not name the id", e.Message)
			}
			missing := wantCode(t, link(t, env, grid, []int64{999999}, "SFQ-QS-01"), apperr.EINVALID)
			if strings.ReplaceAll(missing.Message, "999999", "N") != strings.ReplaceAll(e.Message, strconv.FormatInt(mine.ID, 10), "N") {
				t.Errorf("messages differ: %q and %q", missing.Message, e.Message)
			}
			if got, _ := svc.Get(ctx, qs, mine.ID); got == nil || !got.Pending() {
				t.Error("the refused link changed the upload")
			}
		})

		t.Run("more than 20 at once", func(t *testing.T) {
			ids := make([]int64, attachment.MaxLink+1)
			for i := range ids {
				ids[i] = int64(i + 1)
			}
			wantCode(t, link(t, env, qs, ids, "SFQ-QS"), apperr.EINVALID)
		})

		t.Run("linked: seen by who may see the object, nobody else", func(t *testing.T) {
			other := store(qs)
			links := env.AuditCount("attachment.link", "ok")
			if err := link(t, env, qs, []int64{mine.ID, other.ID, mine.ID}, "SFQ-QS-01"); err != nil {
				t.Fatal(err)
			}
			if env.AuditCount("attachment.link", "ok") != links+1 {
				t.Error("link not audited")
			}
			for _, a := range []*auth.Actor{qs, grid, yjj} {
				if _, err := svc.Open(ctx, a, mine.ID, true); err != nil {
					t.Errorf("%s: %v", a.Login, err)
				}
			}
			// Linked once, never again.
			wantCode(t, link(t, env, qs, []int64{mine.ID}, "SFQ-QS"), apperr.EINVALID)

			list, err := svc.List(ctx, env.App.DB, thingType, env.OrgID("SFQ-QS-01"), env.OrgID("SFQ-DC"))
			if err != nil {
				t.Fatal(err)
			}
			got := list[env.OrgID("SFQ-QS-01")]
			if len(list) != 1 || len(got) != 2 || got[0].ID != mine.ID || got[1].ID != other.ID || got[0].Pending() || got[0].OrgID != env.OrgID("SFQ-QS-01") {
				t.Errorf("list %+v", list)
			}

			// An object of 东城街道: 青山镇 staff may not see it.
			dc := store(admin)
			if err := link(t, env, admin, []int64{dc.ID}, "SFQ-DC"); err != nil {
				t.Fatal(err)
			}
			denied := env.AuditCount("attachment.view", "denied")
			_, err = svc.Open(ctx, qs, dc.ID, false)
			wantCode(t, err, apperr.ENOTFOUND)
			_, err = svc.Open(ctx, grid, mine.ID+1000, false)
			wantCode(t, err, apperr.ENOTFOUND)
			if env.AuditCount("attachment.view", "denied") != denied+1 {
				t.Error("out-of-scope refusal not recorded exactly once")
			}
			if _, err := svc.Open(ctx, yjj, dc.ID, false); err != nil {
				t.Errorf("district staff: %v", err)
			}
		})
	})
}

func TestSweep(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		registerThing(env)
		svc := env.App.Attachments
		qs := actor(t, env, "qingshan")
		store := func(name string) *attachment.Attachment {
			a, err := svc.Store(ctx, qs, name, bytes.NewReader(jpegBytes(t, 50, 40)))
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		oldPending, oldLinked := store("old-pending.jpg"), store("old-linked.jpg")
		if err := link(t, env, qs, []int64{oldLinked.ID}, "SFQ-QS"); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(23 * time.Hour)
		youngPending := store("young.jpg")
		env.Clock.Advance(90 * time.Minute) // the first two are 24.5 h old, the third 1.5 h

		n, err := svc.Sweep(ctx)
		if err != nil || n != 1 {
			t.Fatalf("swept %d (%v), want 1", n, err)
		}
		if _, err := svc.Get(ctx, qs, oldPending.ID); apperr.Code(err) != apperr.ENOTFOUND {
			t.Errorf("old pending upload still there: %v", err)
		}
		for _, a := range []*attachment.Attachment{oldLinked, youngPending} {
			c, err := svc.Open(ctx, qs, a.ID, true)
			if err != nil {
				t.Fatalf("%s: %v", a.Filename, err)
			}
			c.Body.Close()
		}
		if rows(t, env) != 2 || len(blobs(t, env)) != 4 {
			t.Errorf("%d rows, blobs %v; want 2 rows, 4 blobs", rows(t, env), blobs(t, env))
		}
		if env.AuditCount("attachment.sweep", "ok") != 1 {
			t.Error("sweep not audited once")
		}
		// Nothing left to sweep: no record.
		if n, err := svc.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("second sweep %d %v", n, err)
		}
		if env.AuditCount("attachment.sweep", "") != 1 {
			t.Error("an empty sweep was audited")
		}
		// A linked upload survives any age.
		env.Clock.Advance(48 * time.Hour)
		if n, _ := svc.Sweep(ctx); n != 1 || rows(t, env) != 1 {
			t.Errorf("swept %d, %d rows left; want the young pending one gone, the linked one kept", n, rows(t, env))
		}
	})
}
