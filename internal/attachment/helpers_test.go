package attachment_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var ctx = context.Background()

// actor loads a demo login's actor.
func actor(t testing.TB, env *apptest.Env, login string) *auth.Actor {
	t.Helper()
	a, err := env.App.Auth.LoadActor(ctx, env.UserID(login), "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// rows counts the attachment rows.
func rows(t testing.TB, env *apptest.Env) int {
	t.Helper()
	var n int
	if err := env.App.DB.QueryRow(ctx, "SELECT count(*) FROM attachments").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// blobs lists the keys in the bucket.
func blobs(t testing.TB, env *apptest.Env) []string {
	t.Helper()
	var keys []string
	it := env.App.Attachments.Bucket.List(nil)
	for {
		o, err := it.Next(ctx)
		if err == io.EOF {
			return keys
		}
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, o.Key)
	}
}

// picture is a w×h image with a gradient (so that the encoders have work).
func picture(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 120, 255})
		}
	}
	return m
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, picture(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(w, h), &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tiffEntry is one IFD entry for buildTIFF.
type tiffEntry struct {
	tag, typ uint16
	count    uint32
	data     []byte // the value's bytes, in the TIFF's byte order
}

// buildTIFF lays out a TIFF with IFD0, an Exif IFD and a GPS IFD (either may
// be empty), linked from IFD0 by their pointer tags.
func buildTIFF(order binary.ByteOrder, ifd0, exif, gps []tiffEntry) []byte {
	ifdSize := func(n int) int { return 2 + 12*n + 4 }
	if len(exif) > 0 {
		ifd0 = append(ifd0, tiffEntry{tag: 0x8769, typ: 4, count: 1, data: make([]byte, 4)})
	}
	if len(gps) > 0 {
		ifd0 = append(ifd0, tiffEntry{tag: 0x8825, typ: 4, count: 1, data: make([]byte, 4)})
	}
	off0 := 8
	offExif := off0 + ifdSize(len(ifd0))
	offGPS := offExif
	if len(exif) > 0 {
		offGPS += ifdSize(len(exif))
	}
	dataAt := offGPS
	if len(gps) > 0 {
		dataAt += ifdSize(len(gps))
	}
	for i := range ifd0 {
		switch ifd0[i].tag {
		case 0x8769:
			order.PutUint32(ifd0[i].data, uint32(offExif))
		case 0x8825:
			order.PutUint32(ifd0[i].data, uint32(offGPS))
		}
	}
	out := make([]byte, 8)
	if order == binary.LittleEndian {
		copy(out, "II*\x00")
	} else {
		copy(out, "MM\x00*")
	}
	order.PutUint32(out[4:], uint32(off0))
	var data []byte
	writeIFD := func(es []tiffEntry) {
		b := make([]byte, ifdSize(len(es)))
		order.PutUint16(b, uint16(len(es)))
		for i, e := range es {
			p := 2 + 12*i
			order.PutUint16(b[p:], e.tag)
			order.PutUint16(b[p+2:], e.typ)
			order.PutUint32(b[p+4:], e.count)
			if len(e.data) <= 4 {
				copy(b[p+8:], e.data)
			} else {
				order.PutUint32(b[p+8:], uint32(dataAt+len(data)))
				data = append(data, e.data...)
				if len(data)%2 == 1 {
					data = append(data, 0)
				}
			}
		}
		out = append(out, b...)
	}
	writeIFD(ifd0)
	if len(exif) > 0 {
		writeIFD(exif)
	}
	if len(gps) > 0 {
		writeIFD(gps)
	}
	return append(out, data...)
}

func ascii(s string) tiffEntry {
	return tiffEntry{typ: 2, count: uint32(len(s) + 1), data: append([]byte(s), 0)}
}

func short(order binary.ByteOrder, tag, v uint16) tiffEntry {
	b := make([]byte, 2)
	order.PutUint16(b, v)
	return tiffEntry{tag: tag, typ: 3, count: 1, data: b}
}

func rationals(order binary.ByteOrder, tag uint16, v ...uint32) tiffEntry {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		order.PutUint32(b[4*i:], x)
	}
	return tiffEntry{tag: tag, typ: 5, count: uint32(len(v) / 2), data: b}
}

func tagged(tag uint16, e tiffEntry) tiffEntry { e.tag = tag; return e }

// photoTIFF is the EXIF of a photo taken at 2026-11-20 09:30:15 (no offset:
// Beijing time) at 31°13'49.44"N 121°28'25.32"E (31.2304, 121.4737).
func photoTIFF(order binary.ByteOrder, orientation uint16, offset string) []byte {
	var ifd0 []tiffEntry
	if orientation != 0 {
		ifd0 = append(ifd0, short(order, 0x0112, orientation))
	}
	exif := []tiffEntry{tagged(0x9003, ascii("2026:11:20 09:30:15"))}
	if offset != "" {
		exif = append(exif, tagged(0x9011, ascii(offset)))
	}
	gps := []tiffEntry{
		tagged(0x0001, ascii("N")),
		rationals(order, 0x0002, 31, 1, 13, 1, 4944, 100),
		tagged(0x0003, ascii("E")),
		rationals(order, 0x0004, 121, 1, 28, 1, 2532, 100),
	}
	return buildTIFF(order, ifd0, exif, gps)
}

// withExif splices an APP1 Exif segment right after a JPEG's SOI.
func withExif(jpg, tiff []byte) []byte {
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// box is an ISO-BMFF box.
func box(typ string, body ...[]byte) []byte {
	b := []byte{0, 0, 0, 0}
	b = append(b, typ...)
	for _, x := range body {
		b = append(b, x...)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

func u16(v uint16) []byte { b := make([]byte, 2); binary.BigEndian.PutUint16(b, v); return b }
func u32(v uint32) []byte { b := make([]byte, 4); binary.BigEndian.PutUint32(b, v); return b }

// heicFile is the skeleton of an iPhone HEIC: ftyp, a meta box whose iinf
// names an Exif item and whose iloc points into mdat, and mdat. With
// tiff nil there is no Exif item.
func heicFile(tiff []byte) []byte {
	ftyp := box("ftyp", []byte("heic"), u32(0), []byte("mif1"), []byte("heic"))
	if tiff == nil {
		return append(ftyp, box("mdat", bytes.Repeat([]byte{0x42}, 64))...)
	}
	payload := append(append(u32(6), "Exif\x00\x00"...), tiff...)
	infe := func(id uint16, typ string) []byte {
		return box("infe", []byte{2, 0, 0, 0}, u16(id), u16(0), []byte(typ), []byte{0})
	}
	iinf := box("iinf", []byte{0, 0, 0, 0}, u16(2), infe(1, "hvc1"), infe(2, "Exif"))
	iloc := func(offset uint32) []byte {
		return box("iloc", []byte{0, 0, 0, 0}, []byte{0x44, 0x00}, u16(1), u16(2), u16(0), u16(1), u32(offset), u32(uint32(len(payload))))
	}
	meta := func(offset uint32) []byte {
		return box("meta", []byte{0, 0, 0, 0}, box("hdlr", []byte{0, 0, 0, 0}, u32(0), []byte("pict"), make([]byte, 13)), iinf, iloc(offset))
	}
	offset := uint32(len(ftyp) + len(meta(0)) + 8)
	out := append(ftyp, meta(offset)...)
	return append(out, box("mdat", payload)...)
}

// bombPNG is a valid PNG header that claims w×h pixels.
func bombPNG(w, h uint32) []byte {
	ihdr := append(append(u32(w), u32(h)...), 8, 2, 0, 0, 0)
	chunk := func(typ string, data []byte) []byte {
		c := append(u32(uint32(len(data))), typ...)
		c = append(c, data...)
		return append(c, u32(crc32.ChecksumIEEE(append([]byte(typ), data...)))...)
	}
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, chunk("IEND", nil)...)
}

// formFile is one file of a multipart body.
type formFile struct {
	field, name string
	data        []byte
}

// multipartBody builds a multipart/form-data body.
func multipartBody(t testing.TB, files ...formFile) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range files {
		w, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	mw.WriteField("note", "其他字段")
	mw.Close()
	return &b, mw.FormDataContentType()
}

// formRequest is a server-side request carrying files, for FromForm.
func formRequest(t testing.TB, files ...formFile) *http.Request {
	body, ct := multipartBody(t, files...)
	r := httptest.NewRequest("POST", "/things", body)
	r.Header.Set("Content-Type", ct)
	return r
}
