package attachment

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/calendar"
)

// A small EXIF reader: only what Anwen shows beside a photo (the time it was
// taken and where) and the orientation its thumbnail needs. Every offset in
// the file is checked; a damaged or hostile EXIF block yields no metadata,
// never an error or a panic.

// photoMeta is what a photo's EXIF says.
type photoMeta struct {
	Orientation int // 1..8, 0 when absent
	TakenAt     *time.Time
	Latitude    *float64
	Longitude   *float64
}

// maxExif bounds the EXIF block read from a file.
const maxExif = 256 << 10

// TIFF tags used.
const (
	tagOrientation           = 0x0112
	tagExifIFD               = 0x8769
	tagGPSIFD                = 0x8825
	tagDateTimeOriginal      = 0x9003
	tagOffsetTimeOrig        = 0x9011
	tagGPSLatitudeRef        = 0x0001
	tagGPSLatitude           = 0x0002
	tagGPSLongitudeRef       = 0x0003
	tagGPSLongitude          = 0x0004
	maxIFDEntries            = 512
	tiffTypeASCII            = 2
	tiffTypeShort            = 3
	tiffTypeLong             = 4
	tiffTypeRational         = 5
	tiffTypeUndefined        = 7
	tiffHeaderLen            = 8
	exifIdentifier           = "Exif\x00\x00"
	jpegAPP1            byte = 0xE1
)

// tiff is a TIFF structure (the body of an EXIF block).
type tiff struct {
	b     []byte
	order binary.ByteOrder
}

type ifdEntry struct {
	typ   uint16
	count uint32
	value []byte // the value's bytes, inline or at their offset
}

var typeSize = map[uint16]int{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}

// parseTIFF reads the metadata of a TIFF block; nil when it is not one.
func parseTIFF(b []byte) *photoMeta {
	if len(b) < tiffHeaderLen {
		return nil
	}
	t := &tiff{b: b}
	switch string(b[:4]) {
	case "II*\x00":
		t.order = binary.LittleEndian
	case "MM\x00*":
		t.order = binary.BigEndian
	default:
		return nil
	}
	m := &photoMeta{}
	ifd0 := t.ifd(t.order.Uint32(b[4:8]))
	if e, ok := ifd0[tagOrientation]; ok {
		if v, ok := t.uint(e); ok && v >= 1 && v <= 8 {
			m.Orientation = int(v)
		}
	}
	if e, ok := ifd0[tagExifIFD]; ok {
		if off, ok := t.uint(e); ok {
			exif := t.ifd(off)
			offset := ""
			if e, ok := exif[tagOffsetTimeOrig]; ok {
				offset = t.ascii(e)
			}
			if e, ok := exif[tagDateTimeOriginal]; ok {
				m.TakenAt = exifTime(t.ascii(e), offset)
			}
		}
	}
	if e, ok := ifd0[tagGPSIFD]; ok {
		if off, ok := t.uint(e); ok {
			gps := t.ifd(off)
			lat, okLat := t.degrees(gps[tagGPSLatitude], t.ascii(gps[tagGPSLatitudeRef]), "N", "S", 90)
			lon, okLon := t.degrees(gps[tagGPSLongitude], t.ascii(gps[tagGPSLongitudeRef]), "E", "W", 180)
			// 0,0 is what some cameras write without a fix.
			if okLat && okLon && (lat != 0 || lon != 0) {
				m.Latitude, m.Longitude = &lat, &lon
			}
		}
	}
	return m
}

// ifd reads the directory at off into tag → entry; empty when it is damaged.
// Next-directory links are not followed (no loops to fear).
func (t *tiff) ifd(off uint32) map[uint16]ifdEntry {
	out := map[uint16]ifdEntry{}
	if off < tiffHeaderLen || uint64(off)+2 > uint64(len(t.b)) {
		return out
	}
	n := int(t.order.Uint16(t.b[off:]))
	if n > maxIFDEntries {
		return out
	}
	p := int(off) + 2
	for i := 0; i < n; i++ {
		if p+12 > len(t.b) {
			break
		}
		tag := t.order.Uint16(t.b[p:])
		typ := t.order.Uint16(t.b[p+2:])
		count := t.order.Uint32(t.b[p+4:])
		size, known := typeSize[typ]
		if known && count <= 1<<16 {
			total := size * int(count)
			var v []byte
			if total <= 4 {
				v = t.b[p+8 : p+8+total]
			} else if o := uint64(t.order.Uint32(t.b[p+8:])); o+uint64(total) <= uint64(len(t.b)) {
				v = t.b[o : o+uint64(total)]
			}
			if v != nil {
				out[tag] = ifdEntry{typ: typ, count: count, value: v}
			}
		}
		p += 12
	}
	return out
}

// uint reads a SHORT or LONG value.
func (t *tiff) uint(e ifdEntry) (uint32, bool) {
	switch {
	case e.typ == tiffTypeShort && len(e.value) >= 2:
		return uint32(t.order.Uint16(e.value)), true
	case e.typ == tiffTypeLong && len(e.value) >= 4:
		return t.order.Uint32(e.value), true
	}
	return 0, false
}

// ascii reads an ASCII (or UNDEFINED holding text) value up to its NUL.
func (t *tiff) ascii(e ifdEntry) string {
	if e.typ != tiffTypeASCII && e.typ != tiffTypeUndefined {
		return ""
	}
	v := e.value
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(string(v))
}

// degrees reads a GPS coordinate (three RATIONALs: degrees, minutes,
// seconds) with its hemisphere reference.
func (t *tiff) degrees(e ifdEntry, ref, pos, neg string, limit float64) (float64, bool) {
	if e.typ != tiffTypeRational || e.count < 3 || len(e.value) < 24 {
		return 0, false
	}
	var parts [3]float64
	for i := range parts {
		num := t.order.Uint32(e.value[i*8:])
		den := t.order.Uint32(e.value[i*8+4:])
		if den == 0 {
			if num != 0 || i == 0 {
				return 0, false
			}
			continue // 0/0 minutes or seconds: some writers leave them so
		}
		parts[i] = float64(num) / float64(den)
	}
	v := parts[0] + parts[1]/60 + parts[2]/3600
	switch strings.ToUpper(ref) {
	case pos:
	case neg:
		v = -v
	default:
		return 0, false
	}
	if math.IsNaN(v) || math.Abs(v) > limit {
		return 0, false
	}
	// Six decimals are about 10 cm: more is noise.
	v = math.Round(v*1e6) / 1e6
	return v, true
}

// exifTime reads "2006:01:02 15:04:05" with an optional offset "+08:00";
// without one the time is taken as Beijing time (the cameras here are set to it).
func exifTime(s, offset string) *time.Time {
	if len(s) < 19 {
		return nil
	}
	loc := calendar.Location
	if len(offset) == 6 && (offset[0] == '+' || offset[0] == '-') && offset[3] == ':' {
		h, err1 := strconv.Atoi(offset[1:3])
		m, err2 := strconv.Atoi(offset[4:6])
		if err1 == nil && err2 == nil && h <= 14 && m < 60 {
			secs := h*3600 + m*60
			if offset[0] == '-' {
				secs = -secs
			}
			loc = time.FixedZone(offset, secs)
		}
	}
	t, err := time.ParseInLocation("2006:01:02 15:04:05", s[:19], loc)
	if err != nil || t.Year() < 1990 || t.Year() > 2200 {
		return nil
	}
	t = t.UTC()
	return &t
}

// exifFromJPEG finds the APP1 Exif segment among a JPEG's leading segments.
func exifFromJPEG(r io.ReaderAt) []byte {
	head := make([]byte, maxExif+4)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	if len(head) < 4 || head[0] != 0xFF || head[1] != 0xD8 {
		return nil
	}
	p := 2
	for p+4 <= len(head) {
		if head[p] != 0xFF {
			return nil
		}
		marker := head[p+1]
		if marker == 0xFF { // fill byte
			p++
			continue
		}
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			p += 2
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image: no more metadata
			return nil
		}
		length := int(binary.BigEndian.Uint16(head[p+2:]))
		if length < 2 {
			return nil
		}
		seg := head[p+4 : min(p+2+length, len(head))]
		if marker == jpegAPP1 && bytes.HasPrefix(seg, []byte(exifIdentifier)) {
			return seg[len(exifIdentifier):]
		}
		p += 2 + length
	}
	return nil
}

// exifFromPNG finds the eXIf chunk before the image data of a PNG.
func exifFromPNG(r io.ReaderAt, size int64) []byte {
	p := int64(len(magicPNG))
	var hdr [8]byte
	for i := 0; i < 64 && p+8 <= size; i++ {
		if _, err := r.ReadAt(hdr[:], p); err != nil {
			return nil
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:8])
		switch {
		case typ == "IDAT" || typ == "IEND":
			return nil
		case typ == "eXIf":
			if n > maxExif || p+8+n+4 > size {
				return nil
			}
			b := make([]byte, n+4)
			if _, err := r.ReadAt(b, p+8); err != nil {
				return nil
			}
			if crc32.ChecksumIEEE(append([]byte("eXIf"), b[:n]...)) != binary.BigEndian.Uint32(b[n:]) {
				return nil
			}
			return b[:n]
		}
		p += 8 + n + 4
	}
	return nil
}
