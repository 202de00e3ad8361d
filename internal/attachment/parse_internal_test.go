package attachment

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"strings"
	"testing"
)

// tinyTIFF is a big-endian TIFF whose IFD0 holds Orientation 6 and a GPS
// pointer to an IFD with latitude 10°30'0"S and longitude 20°0'0"W.
func tinyTIFF() []byte {
	b := []byte("MM\x00*\x00\x00\x00\x08")
	put16 := func(v uint16) { b = binary.BigEndian.AppendUint16(b, v) }
	put32 := func(v uint32) { b = binary.BigEndian.AppendUint32(b, v) }
	// IFD0 at 8: 2 entries → ends at 8+2+24+4 = 38.
	put16(2)
	put16(0x0112)
	put16(3)
	put32(1)
	put16(6)
	put16(0)
	put16(0x8825)
	put16(4)
	put32(1)
	put32(38)
	put32(0)
	// GPS IFD at 38: 4 entries → ends at 38+2+48+4 = 92; rationals from 92.
	put16(4)
	for _, e := range []struct {
		tag, typ uint16
		val      uint32
	}{{1, 2, 'S' << 24}, {2, 5, 92}, {3, 2, 'W' << 24}, {4, 5, 116}} {
		put16(e.tag)
		put16(e.typ)
		if e.typ == 2 {
			put32(2)
		} else {
			put32(3)
		}
		put32(e.val)
	}
	put32(0)
	for _, v := range []uint32{10, 1, 30, 1, 0, 1, 20, 1, 0, 0, 0, 1} {
		put32(v)
	}
	return b
}

func TestParseTIFF(t *testing.T) {
	m := parseTIFF(tinyTIFF())
	if m == nil || m.Orientation != 6 || m.Latitude == nil || *m.Latitude != -10.5 || *m.Longitude != -20 || m.TakenAt != nil {
		t.Fatalf("%+v", m)
	}
	// Every truncation and every single-byte corruption is survived.
	full := tinyTIFF()
	for i := range full {
		parseTIFF(full[:i])
		c := append([]byte(nil), full...)
		c[i] ^= 0xFF
		parseTIFF(c)
	}
}

func TestExifTime(t *testing.T) {
	cases := []struct{ s, off, want string }{
		{"2026:11:20 09:30:15", "", "2026-11-20T01:30:15Z"},
		{"2026:11:20 09:30:15", "+08:00", "2026-11-20T01:30:15Z"},
		{"2026:11:20 09:30:15", "-05:00", "2026-11-20T14:30:15Z"},
		{"2026:11:20 09:30:15", "junk!!", "2026-11-20T01:30:15Z"},
		{"0000:00:00 00:00:00", "", ""},
		{"    :  :     :  :  ", "", ""},
		{"2026:11:20", "", ""},
	}
	for _, c := range cases {
		got := exifTime(c.s, c.off)
		s := ""
		if got != nil {
			s = got.Format("2006-01-02T15:04:05Z07:00")
		}
		if s != c.want {
			t.Errorf("exifTime(%q, %q) = %q, want %q", c.s, c.off, s, c.want)
		}
	}
}

func TestSniff(t *testing.T) {
	ftyp := func(major string, compat ...string) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(16+4*len(compat)))
		b = append(b, "ftyp"+major+"\x00\x00\x00\x00"...)
		for _, c := range compat {
			b = append(b, c...)
		}
		return b
	}
	cases := []struct {
		head []byte
		want string
	}{
		{[]byte{0xFF, 0xD8, 0xFF, 0xE0}, JPEG},
		{[]byte("\x89PNG\r\n\x1a\n...."), PNG},
		{[]byte("%PDF-1.4"), PDF},
		{ftyp("heic", "mif1", "heic"), HEIC},
		{ftyp("mif1", "heic"), HEIC},
		{ftyp("msf1", "hevc"), HEIC},
		{ftyp("mif1"), HEIC},
		{ftyp("avif", "mif1", "miaf"), ""},
		{ftyp("mif1", "avif"), ""},
		{ftyp("isom", "mp41"), ""}, // an MP4 video
		{[]byte("GIF89a"), ""},
		{[]byte("<svg xmlns="), ""},
		{[]byte(" %PDF-1.4"), ""},
		{[]byte{0xFF, 0xD8}, ""},
		{nil, ""},
	}
	for _, c := range cases {
		if got := sniff(c.head); got != c.want {
			t.Errorf("sniff(%q) = %q, want %q", c.head, got, c.want)
		}
	}
}

func TestCleanFilename(t *testing.T) {
	cases := map[string]string{
		"照片.jpg":                           "照片.jpg",
		`C:\Users\张三\Desktop\隐患.JPG`:       "隐患.JPG",
		"../../etc/passwd":                 "passwd",
		"  a\x00b\r\n.pdf ":                "ab.pdf",
		"invoice\u202Egpj.exe":             "invoicegpj.exe",
		"..":                               "",
		"bad\xffutf8.png":                  "badutf8.png",
		strings.Repeat("长", 300) + ".jpeg": strings.Repeat("长", maxFilename-5) + ".jpeg",
	}
	for in, want := range cases {
		if got := cleanFilename(in); got != want {
			t.Errorf("cleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	got := ContentDisposition("inline", `整改 "前".jpg`)
	want := `inline; filename="__ ___.jpg"; filename*=UTF-8''%E6%95%B4%E6%94%B9%20%22%E5%89%8D%22.jpg`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestOrient(t *testing.T) {
	// A 3×2 picture: red at the top left, green at the top right.
	red, green := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	src.SetRGBA(0, 0, red)
	src.SetRGBA(2, 0, green)
	cases := []struct {
		o          int
		w, h       int
		redAt, grn image.Point
	}{
		{1, 3, 2, image.Pt(0, 0), image.Pt(2, 0)},
		{2, 3, 2, image.Pt(2, 0), image.Pt(0, 0)},
		{3, 3, 2, image.Pt(2, 1), image.Pt(0, 1)},
		{4, 3, 2, image.Pt(0, 1), image.Pt(2, 1)},
		{5, 2, 3, image.Pt(0, 0), image.Pt(0, 2)},
		{6, 2, 3, image.Pt(1, 0), image.Pt(1, 2)}, // turned clockwise: the top row becomes the right column
		{7, 2, 3, image.Pt(1, 2), image.Pt(1, 0)},
		{8, 2, 3, image.Pt(0, 2), image.Pt(0, 0)}, // turned anticlockwise: the top row becomes the left column
	}
	for _, c := range cases {
		out := orient(src, c.o)
		if out.Bounds().Dx() != c.w || out.Bounds().Dy() != c.h || out.RGBAAt(c.redAt.X, c.redAt.Y) != red || out.RGBAAt(c.grn.X, c.grn.Y) != green {
			t.Errorf("orientation %d: %v, red at %v? %v, green at %v? %v", c.o, out.Bounds(), c.redAt, out.RGBAAt(c.redAt.X, c.redAt.Y), c.grn, out.RGBAAt(c.grn.X, c.grn.Y))
		}
	}
}

func TestShrink(t *testing.T) {
	// An odd-sized picture: the partial blocks at the edges are averaged too.
	m := image.NewRGBA(image.Rect(0, 0, 1001, 7))
	for i := range m.Pix {
		m.Pix[i] = 200
	}
	s := shrink(m, 100).(*image.RGBA)
	if s.Bounds() != image.Rect(0, 0, 101, 1) || s.RGBAAt(100, 0) != (color.RGBA{200, 200, 200, 200}) {
		t.Errorf("shrink: %v %v", s.Bounds(), s.RGBAAt(100, 0))
	}
	y := image.NewYCbCr(image.Rect(0, 0, 1280, 960), image.YCbCrSubsampleRatio420)
	for i := range y.Y {
		y.Y[i] = 128
	}
	for i := range y.Cb {
		y.Cb[i], y.Cr[i] = 128, 128
	}
	ys := shrink(y, 640).(*image.RGBA)
	if ys.Bounds() != image.Rect(0, 0, 640, 480) || ys.RGBAAt(639, 479) != (color.RGBA{128, 128, 128, 255}) {
		t.Errorf("shrink YCbCr: %v %v", ys.Bounds(), ys.RGBAAt(639, 479))
	}
	if small := image.NewRGBA(image.Rect(0, 0, 600, 400)); shrink(small, 640) != image.Image(small) {
		t.Error("a small picture was shrunk")
	}
}

// The parsers take any bytes without panicking.
func FuzzParsers(f *testing.F) {
	f.Add(tinyTIFF())
	f.Add(append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x70}, append([]byte("Exif\x00\x00"), tinyTIFF()...)...))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0deXIf"))
	f.Add([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\x00\x00\x00\x10meta\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		parseTIFF(b)
		parseTIFF(exifFromJPEG(r))
		parseTIFF(exifFromPNG(r, int64(len(b))))
		parseTIFF(exifFromHEIF(r, int64(len(b))))
		sniff(b)
		iloc := append([]byte{1, 0, 0, 0}, b...)
		itemExtent(iloc, 1)
		exifItemID(b)
		childBox(b, "iinf")
	})
}
