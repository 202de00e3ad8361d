package web

import (
	"bytes"
	"fmt"
	"html/template"
	"reflect"
	"time"

	"github.com/anwen-gov/anwen/internal/calendar"
)

// Attachments (附件) on pages. Every page template can call two helpers:
//
//	{{attachments .Lang .Data.Photos}}        the gallery: a thumbnail (or a file icon), the
//	                                          name, the size, the time and position the photo carries
//	{{attachmentInput .Lang "photos"}}        a file input (several files) with the accepted types
//
// The list may be a []AttachmentTile, or a slice of anything with a
// Tile() AttachmentTile method (attachment.Attachment has one), or one such
// value. The form around the input needs enctype="multipart/form-data".

// AttachmentTile is what the gallery shows of one file.
type AttachmentTile struct {
	URL         string // the file (opens inline)
	ThumbURL    string // "" for a file icon
	Filename    string
	ContentType string
	Size        int64
	TakenAt     *time.Time
	Latitude    *float64
	Longitude   *float64
}

// AttachmentTiler is anything the gallery can show.
type AttachmentTiler interface{ Tile() AttachmentTile }

// AttachmentAccept is the accept attribute of the upload input.
const AttachmentAccept = "image/jpeg,image/png,image/heic,image/heif,.heic,.heif,application/pdf"

var tilerType = reflect.TypeOf((*AttachmentTiler)(nil)).Elem()

// tiles turns what a template passes into tiles.
func tiles(v any) []AttachmentTile {
	switch x := v.(type) {
	case nil:
		return nil
	case []AttachmentTile:
		return x
	case AttachmentTile:
		return []AttachmentTile{x}
	case AttachmentTiler:
		return []AttachmentTile{x.Tile()}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil
	}
	out := make([]AttachmentTile, 0, rv.Len())
	for i := 0; i < rv.Len(); i++ {
		e := rv.Index(i)
		switch {
		case e.Type().Implements(tilerType):
			if e.Kind() == reflect.Pointer && e.IsNil() {
				continue
			}
			out = append(out, e.Interface().(AttachmentTiler).Tile())
		case e.CanAddr() && e.Addr().Type().Implements(tilerType):
			out = append(out, e.Addr().Interface().(AttachmentTiler).Tile())
		}
	}
	return out
}

// humanSize writes a byte count the way people read it.
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+512)>>10)
	}
	return fmt.Sprintf("%d B", n)
}

type galleryTile struct {
	AttachmentTile
	Icon, Size, Taken, Position string
}

var attachmentTemplates = template.Must(template.New("").Parse(`
{{define "gallery"}}{{if .Tiles}}<ul class="att-gallery">{{range .Tiles}}
<li class="att-tile">
  <a class="att-thumb" href="{{.URL}}" target="_blank" rel="noopener">{{if .ThumbURL}}<img src="{{.ThumbURL}}" alt="{{.Filename}}" loading="lazy">{{else}}<span class="att-icon" aria-hidden="true">{{.Icon}}</span>{{end}}</a>
  <div class="att-meta">
    <a class="att-name" href="{{.URL}}" target="_blank" rel="noopener" title="{{.Filename}}">{{.Filename}}</a>
    <span class="att-size">{{.Size}}</span>
    {{if .Taken}}<span class="att-taken" title="{{$.TakenLabel}}">{{.Taken}}</span>{{end}}
    {{if .Position}}<span class="att-pos" title="{{$.PositionLabel}}">{{.Position}}</span>{{end}}
  </div>
</li>{{end}}
</ul>{{end}}{{end}}
{{define "input"}}<label class="att-input">
  <span>{{.Label}}</span>
  <input type="file" name="{{.Name}}" multiple accept="{{.Accept}}">
  <small class="muted">{{.Hint}}</small>
</label>{{end}}`))

func renderAttachments(lang string, v any) (template.HTML, error) {
	ts := tiles(v)
	if len(ts) == 0 {
		return "", nil
	}
	gs := make([]galleryTile, len(ts))
	for i, t := range ts {
		g := galleryTile{AttachmentTile: t, Size: humanSize(t.Size)}
		switch t.ContentType {
		case "application/pdf":
			g.Icon = "PDF"
		case "image/heic":
			g.Icon = "HEIC"
		default:
			g.Icon = Translate(lang, "att.file")
		}
		if t.TakenAt != nil {
			g.Taken = Translatef(lang, "att.taken_at", t.TakenAt.In(calendar.Location).Format("2006-01-02 15:04"))
		}
		if t.Latitude != nil && t.Longitude != nil {
			g.Position = fmt.Sprintf("%.4f, %.4f", *t.Latitude, *t.Longitude)
		}
		gs[i] = g
	}
	var buf bytes.Buffer
	err := attachmentTemplates.ExecuteTemplate(&buf, "gallery", map[string]any{
		"Tiles": gs, "TakenLabel": Translate(lang, "att.taken"), "PositionLabel": Translate(lang, "att.position")})
	return template.HTML(buf.String()), err
}

func renderAttachmentInput(lang, name string) (template.HTML, error) {
	var buf bytes.Buffer
	err := attachmentTemplates.ExecuteTemplate(&buf, "input", map[string]any{
		"Name": name, "Accept": AttachmentAccept, "Label": Translate(lang, "att.input_label"), "Hint": Translate(lang, "att.input_hint")})
	return template.HTML(buf.String()), err
}

func init() {
	funcs["attachments"] = renderAttachments
	funcs["attachmentInput"] = renderAttachmentInput
	AddMessages(map[string][2]string{
		"att.file":        {"文件", "File"},
		"att.taken":       {"拍摄时间", "Taken"},
		"att.taken_at":    {"拍摄 %s", "Taken %s"},
		"att.position":    {"拍摄位置（照片自带）", "Position (from the photo)"},
		"att.input_label": {"附件", "Attachments"},
		"att.input_hint":  {"JPG、PNG、HEIC 照片或 PDF，可多选，每个不超过 20\u00a0MB", "JPG, PNG or HEIC photos or PDF; several at once; up to 20\u00a0MB each"},
	})
}
