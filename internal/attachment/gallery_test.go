package attachment_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/browsertest"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/demo"
)

// galleryPage is how a capability's template shows its attachments and
// offers the upload input (the form needs enctype multipart/form-data).
const galleryPage = `{{define "content"}}
<div class="page-head"><h1>隐患 #1</h1></div>
<section class="card"><h2>整改前照片</h2>{{attachments .Lang .Data}}</section>
<section class="card"><form class="form" method="post" enctype="multipart/form-data">
{{attachmentInput .Lang "photos"}}
<div class="actions"><button class="primary" type="submit">{{.T "common.save"}}</button></div>
</form></section>
{{end}}`

// galleryEnv starts Anwen with a thing (an org) carrying a photo with EXIF,
// a plain PNG, a PDF and a HEIC, and a page showing them at /test/gallery.
func galleryEnv(t *testing.T) (*apptest.Env, []attachment.Attachment) {
	env := apptest.Start(t, dbtest.SQLite(t))
	registerThing(env)
	svc := env.App.Attachments
	qs := actor(t, env, "qingshan")
	files := []struct {
		name string
		data []byte
	}{
		{"仓库消防通道堵塞（整改前）.jpg", withExif(jpegBytes(t, 1200, 900), photoTIFF(binary.BigEndian, 1, ""))},
		{"平面图.png", pngBytes(t, 600, 900)},
		{"整改通知书.pdf", []byte("%PDF-1.7\n%%EOF\n")},
		{"IMG_0042.HEIC", heicFile(nil)},
	}
	var ids []int64
	for _, f := range files {
		a, err := svc.Store(ctx, qs, f.name, bytes.NewReader(f.data))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	if err := link(t, env, qs, ids, "SFQ-QS"); err != nil {
		t.Fatal(err)
	}
	list, err := svc.List(ctx, env.App.DB, thingType, env.OrgID("SFQ-QS"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := env.App.Web.Template(fstest.MapFS{"templates/gallery.html": {Data: []byte(galleryPage)}}, "templates/gallery.html")
	env.App.Web.Page("GET", "/test/gallery", func(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
		env.App.Web.Render(w, r, tmpl, env.App.Web.NewView(r, a, "附件", list[env.OrgID("SFQ-QS")]))
		return nil
	})
	return env, list[env.OrgID("SFQ-QS")]
}

func TestGalleryHTML(t *testing.T) {
	env, atts := galleryEnv(t)
	r := env.SignIn("qingshan").Get("/test/gallery")
	if r.StatusCode != 200 {
		t.Fatalf("%d %s", r.StatusCode, r.Body)
	}
	page := string(r.Body)
	id := func(i int) string { return strconv.FormatInt(atts[i].ID, 10) }
	for _, want := range []string{
		`<img src="/attachments/` + id(0) + `/thumb"`, `href="/attachments/` + id(0) + `"`,
		"仓库消防通道堵塞（整改前）.jpg", "拍摄 2026-11-20 09:30", "31.2304, 121.4737",
		`<img src="/attachments/` + id(1) + `/thumb"`,
		`<span class="att-icon" aria-hidden="true">PDF</span>`, "整改通知书.pdf", "15 B",
		`<span class="att-icon" aria-hidden="true">HEIC</span>`, "IMG_0042.HEIC",
		`<input type="file" name="photos" multiple accept="` + "image/jpeg,image/png,image/heic,image/heif,.heic,.heif,application/pdf" + `">`,
		"每个不超过 20\u00a0MB",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// The position links nowhere: no map service learns where the photo was taken.
	if strings.Contains(page, "map") || strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Error("the gallery links outside")
	}
	// A person who may not see the thing sees neither the page's files nor their thumbnails.
	if r := env.SignIn("wanggeyuan").Get("/attachments/" + id(0) + "/thumb"); r.StatusCode != 404 {
		t.Errorf("a village grid worker reads a township attachment: %d", r.StatusCode)
	}
}

// TestGalleryInBrowser looks at the gallery as a person would: 120 px tiles
// on a desktop, three to a row on a phone, thumbnails loaded. Screenshots go
// to ANWEN_ATTACHMENT_SHOTS when set.
func TestGalleryInBrowser(t *testing.T) {
	exe, err := browsertest.ExecPath()
	if err != nil {
		if os.Getenv("ANWEN_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	env, _ := galleryEnv(t)
	bctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b, err := browsertest.Start(bctx, exe, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("sign in",
		chromedp.Navigate(env.Server.URL+"/signin"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="login"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), "qingshan"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.DemoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main`)),
	)
	type layout struct {
		Widths  []float64
		Tops    []float64
		Loaded  []bool
		Scroll  int
		Inner   int
		Visible bool
	}
	measure := func() layout {
		ctx, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
		defer cancel()
		l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](`(function(){
			var ts = Array.from(document.querySelectorAll(".att-tile"));
			var imgs = Array.from(document.querySelectorAll(".att-thumb img"));
			return {Widths: ts.map(function(e){return e.getBoundingClientRect().width}),
				Tops: ts.map(function(e){return Math.round(e.getBoundingClientRect().top)}),
				Loaded: imgs.map(function(i){return i.complete && i.naturalWidth > 0}),
				Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth,
				Visible: !!document.querySelector(".att-pos") && document.querySelector(".att-pos").offsetHeight > 0};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	shot := func(name string) {
		dir := os.Getenv("ANWEN_ATTACHMENT_SHOTS")
		if dir == "" {
			return
		}
		ctx, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
		defer cancel()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	poll := chromedp.Poll[bool](`Array.from(document.querySelectorAll(".att-thumb img")).every(function(i){return i.complete && i.naturalWidth > 0})`)
	waitImages := chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, tg)
		return chromedp.Void{}, err
	})

	run("desktop", chromedp.Navigate(env.Server.URL+"/test/gallery"), chromedp.WaitVisible(chromedp.CSS(".att-gallery")), waitImages)
	l := measure()
	if len(l.Widths) != 4 || len(l.Loaded) != 2 || !l.Visible {
		t.Fatalf("desktop layout %+v", l)
	}
	for i, w := range l.Widths {
		if w != 120 || l.Tops[i] != l.Tops[0] {
			t.Errorf("desktop: tile %d is %v px wide at %v, want 120 px in one row (%+v)", i, w, l.Tops[i], l)
		}
	}
	shot("gallery-desktop")

	run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(env.Server.URL+"/test/gallery"), chromedp.WaitVisible(chromedp.CSS(".att-gallery")), waitImages)
	l = measure()
	if len(l.Tops) != 4 || l.Tops[0] != l.Tops[2] || l.Tops[3] <= l.Tops[0] || l.Scroll > l.Inner {
		t.Errorf("phone: want three tiles a row and no sideways scrolling: %+v", l)
	}
	shot("gallery-phone")
}
