package attachment

import (
	"bytes"
	"encoding/binary"
	"io"
)

// HEIC (ISO-BMFF / HEIF) carries its EXIF block as an item of type "Exif":
// the meta box's iinf names the item, its iloc says where its bytes are.
// Anwen reads only that, to show when and where a phone photo was taken;
// it does not decode HEVC (no thumbnail for HEIC).

const maxMetaBox = 4 << 20

// exifFromHEIF returns the TIFF block of a HEIF file's Exif item, or nil.
func exifFromHEIF(r io.ReaderAt, size int64) []byte {
	meta := findBox(r, 0, size, "meta", 64)
	if meta == nil || len(meta) < 4 {
		return nil
	}
	children := meta[4:] // meta is a full box: version and flags first
	var exifID uint32
	found := false
	if iinf := childBox(children, "iinf"); iinf != nil {
		exifID, found = exifItemID(iinf)
	}
	if !found {
		return nil
	}
	iloc := childBox(children, "iloc")
	if iloc == nil {
		return nil
	}
	off, length, ok := itemExtent(iloc, exifID)
	if !ok || length < 8 || length > maxExif || off < 0 || off+length > size {
		return nil
	}
	b := make([]byte, length)
	if _, err := r.ReadAt(b, off); err != nil {
		return nil
	}
	// The item starts with the offset of the TIFF header past these 4 bytes
	// (usually 6: "Exif\0\0").
	skip := int64(binary.BigEndian.Uint32(b[:4]))
	body := b[4:]
	if skip < int64(len(body)) {
		if t := body[skip:]; bytes.HasPrefix(t, []byte("II*\x00")) || bytes.HasPrefix(t, []byte("MM\x00*")) {
			return t
		}
	}
	if bytes.HasPrefix(body, []byte(exifIdentifier)) {
		return body[len(exifIdentifier):]
	}
	return nil
}

// findBox reads the top-level boxes from off to end and returns the body of
// the first of type typ (at most maxMetaBox bytes), looking at most at n boxes.
func findBox(r io.ReaderAt, off, end int64, typ string, n int) []byte {
	var hdr [16]byte
	for i := 0; i < n && off+8 <= end; i++ {
		if _, err := r.ReadAt(hdr[:8], off); err != nil {
			return nil
		}
		size := int64(binary.BigEndian.Uint32(hdr[:4]))
		t := string(hdr[4:8])
		head := int64(8)
		switch size {
		case 0:
			size = end - off
		case 1:
			if _, err := r.ReadAt(hdr[8:16], off+8); err != nil {
				return nil
			}
			s := binary.BigEndian.Uint64(hdr[8:16])
			if s > uint64(end) {
				return nil
			}
			size, head = int64(s), 16
		}
		if size < head || off+size > end {
			return nil
		}
		if t == typ {
			if size-head > maxMetaBox {
				return nil
			}
			b := make([]byte, size-head)
			if _, err := r.ReadAt(b, off+head); err != nil {
				return nil
			}
			return b
		}
		off += size
	}
	return nil
}

// childBox returns the body of the first box of type typ in b (a sequence of boxes).
func childBox(b []byte, typ string) []byte {
	for len(b) >= 8 {
		size := uint64(binary.BigEndian.Uint32(b[:4]))
		head := uint64(8)
		if size == 1 {
			if len(b) < 16 {
				return nil
			}
			size, head = binary.BigEndian.Uint64(b[8:16]), 16
		} else if size == 0 {
			size = uint64(len(b))
		}
		if size < head || size > uint64(len(b)) {
			return nil
		}
		if string(b[4:8]) == typ {
			return b[head:size]
		}
		b = b[size:]
	}
	return nil
}

// exifItemID finds the item of type "Exif" in an iinf box body.
func exifItemID(iinf []byte) (uint32, bool) {
	if len(iinf) < 6 {
		return 0, false
	}
	version := iinf[0]
	p := 4
	if version == 0 {
		p += 2
	} else {
		p += 4
	}
	if p > len(iinf) {
		return 0, false
	}
	entries := iinf[p:]
	for len(entries) >= 8 {
		size := int(binary.BigEndian.Uint32(entries[:4]))
		if size < 8 || size > len(entries) {
			return 0, false
		}
		if string(entries[4:8]) == "infe" {
			e := entries[8:size]
			if len(e) >= 4 {
				v := e[0]
				switch {
				case v == 2 && len(e) >= 12:
					if string(e[8:12]) == "Exif" {
						return uint32(binary.BigEndian.Uint16(e[4:6])), true
					}
				case v >= 3 && len(e) >= 14:
					if string(e[10:14]) == "Exif" {
						return binary.BigEndian.Uint32(e[4:8]), true
					}
				}
			}
		}
		entries = entries[size:]
	}
	return 0, false
}

// itemExtent finds where item id's bytes are in the file (its first extent,
// construction method 0: file offsets).
func itemExtent(iloc []byte, id uint32) (off, length int64, ok bool) {
	if len(iloc) < 8 {
		return 0, 0, false
	}
	version := iloc[0]
	offSize, lenSize := int(iloc[4]>>4), int(iloc[4]&0x0F)
	baseSize, idxSize := int(iloc[5]>>4), 0
	if version == 1 || version == 2 {
		idxSize = int(iloc[5] & 0x0F)
	}
	p := 6
	var count uint32
	if version < 2 {
		if p+2 > len(iloc) {
			return 0, 0, false
		}
		count, p = uint32(binary.BigEndian.Uint16(iloc[p:])), p+2
	} else {
		if p+4 > len(iloc) {
			return 0, 0, false
		}
		count, p = binary.BigEndian.Uint32(iloc[p:]), p+4
	}
	read := func(n int) (uint64, bool) {
		if n != 0 && n != 4 && n != 8 || p+n > len(iloc) {
			return 0, false
		}
		var v uint64
		switch n {
		case 4:
			v = uint64(binary.BigEndian.Uint32(iloc[p:]))
		case 8:
			v = binary.BigEndian.Uint64(iloc[p:])
		}
		p += n
		return v, true
	}
	for i := uint32(0); i < count && i < 4096; i++ {
		var itemID uint32
		if version < 2 {
			if p+2 > len(iloc) {
				return 0, 0, false
			}
			itemID, p = uint32(binary.BigEndian.Uint16(iloc[p:])), p+2
		} else {
			if p+4 > len(iloc) {
				return 0, 0, false
			}
			itemID, p = binary.BigEndian.Uint32(iloc[p:]), p+4
		}
		method := 0
		if version == 1 || version == 2 {
			if p+2 > len(iloc) {
				return 0, 0, false
			}
			method, p = int(binary.BigEndian.Uint16(iloc[p:])&0x0F), p+2
		}
		p += 2 // data_reference_index
		base, ok1 := read(baseSize)
		if !ok1 || p+2 > len(iloc) {
			return 0, 0, false
		}
		extents := int(binary.BigEndian.Uint16(iloc[p:]))
		p += 2
		for j := 0; j < extents; j++ {
			if _, ok := read(idxSize); !ok {
				return 0, 0, false
			}
			eo, ok2 := read(offSize)
			el, ok3 := read(lenSize)
			if !ok2 || !ok3 {
				return 0, 0, false
			}
			if itemID == id && j == 0 {
				if method != 0 || base+eo > 1<<62 || el > 1<<62 {
					return 0, 0, false
				}
				off, length = int64(base+eo), int64(el)
			}
		}
		if itemID == id {
			return off, length, extents > 0
		}
	}
	return 0, 0, false
}
