package attachment

import (
	"bytes"
	"encoding/binary"
)

// The content types Anwen accepts. They are decided by the first bytes of
// the file, never by its name or by what the client says.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	HEIC = "image/heic"
	PDF  = "application/pdf"
)

// sniffLen is how many leading bytes sniff looks at.
const sniffLen = 512

var (
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicPNG  = []byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}
	magicPDF  = []byte("%PDF-")
)

// heifBrands are the ISO-BMFF brands of HEIC/HEIF still images and sequences.
var heifBrands = map[string]bool{"heic": true, "heix": true, "hevc": true, "heim": true, "heis": true, "hevx": true, "mif1": true, "msf1": true}

// hevcBrands name HEVC coding outright; avifBrands name AV1 (AVIF), which
// shares the generic mif1/msf1 brands with HEIC but is not HEIC.
var (
	hevcBrands = map[string]bool{"heic": true, "heix": true, "hevc": true, "heim": true, "heis": true, "hevx": true}
	avifBrands = map[string]bool{"avif": true, "avis": true}
)

// sniff returns the content type of a file that starts with head, or "" when
// it is none of the accepted types.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, magicJPEG):
		return JPEG
	case bytes.HasPrefix(head, magicPNG):
		return PNG
	case bytes.HasPrefix(head, magicPDF):
		return PDF
	case isHEIF(head):
		return HEIC
	}
	return ""
}

// isHEIF reports whether head starts with an ISO-BMFF ftyp box whose major or
// compatible brands name HEIC/HEIF (and not AVIF, which uses the same
// container and generic brands).
func isHEIF(head []byte) bool {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return false
	}
	size := int(binary.BigEndian.Uint32(head[0:4]))
	if size < 16 || size%4 != 0 {
		return false
	}
	end := min(size, len(head))
	brands := []string{string(head[8:12])} // major brand; head[12:16] is the minor version
	for i := 16; i+4 <= end; i += 4 {
		brands = append(brands, string(head[i:i+4]))
	}
	heif, hevc, avif := false, false, false
	for _, b := range brands {
		heif = heif || heifBrands[b]
		hevc = hevc || hevcBrands[b]
		avif = avif || avifBrands[b]
	}
	return heif && (hevc || !avif)
}
