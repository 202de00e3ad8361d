package attachment

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
)

// Thumbnails: JPEG, at most ThumbSize pixels on the long side, turned the
// way the EXIF orientation says.
const (
	ThumbSize    = 320
	thumbQuality = 80
	// MaxPixels refuses decompression bombs: a small file that claims a huge
	// picture. 60 megapixels is above any phone camera's JPEG.
	MaxPixels = 60_000_000
)

// decodeSlots bounds how many full-size images are decoded at once: a
// 60-megapixel image takes a few hundred megabytes while it is in memory.
var decodeSlots = make(chan struct{}, 2)

// imageConfig reads an image's dimensions without decoding it.
func imageConfig(r io.Reader, contentType string) (image.Config, error) {
	if contentType == PNG {
		return png.DecodeConfig(r)
	}
	return jpeg.DecodeConfig(r)
}

// thumbnail decodes the image and returns its JPEG thumbnail.
func thumbnail(r io.Reader, contentType string, orientation int) ([]byte, error) {
	decodeSlots <- struct{}{}
	defer func() { <-decodeSlots }()
	var src image.Image
	var err error
	if contentType == PNG {
		src, err = png.Decode(r)
	} else {
		src, err = jpeg.Decode(r)
	}
	if err != nil {
		return nil, err
	}
	w, h := fit(src.Bounds().Dx(), src.Bounds().Dy(), ThumbSize)
	// A box filter first takes the picture to about twice the thumbnail's
	// size (fast, and it averages every pixel); Catmull-Rom then finishes.
	// Catmull-Rom alone over a 12-megapixel photo takes most of a second.
	src = shrink(src, 2*ThumbSize)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	// White under transparent PNGs (JPEG has no alpha).
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	src = nil
	out := orient(dst, orientation)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: thumbQuality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fit scales w×h down so that the long side is at most n (never up).
func fit(w, h, n int) (int, int) {
	if w <= n && h <= n {
		return max(w, 1), max(h, 1)
	}
	if w >= h {
		return n, max(1, (h*n+w/2)/w)
	}
	return max(1, (w*n+h/2)/h), n
}

// swapsAxes reports whether EXIF orientation o turns the picture a quarter.
func swapsAxes(o int) bool { return o >= 5 && o <= 8 }

// orient applies EXIF orientation o (1..8) to m.
func orient(m *image.RGBA, o int) *image.RGBA {
	if o <= 1 || o > 8 {
		return m
	}
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if swapsAxes(o) {
		dw, dh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // upside down
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored upside down
				dx, dy = x, h-1-y
			case 5: // mirrored, turned a quarter anticlockwise (transpose)
				dx, dy = y, x
			case 6: // turned a quarter anticlockwise: show it turned clockwise
				dx, dy = h-1-y, x
			case 7: // transverse
				dx, dy = h-1-y, w-1-x
			case 8: // turned a quarter clockwise: show it turned anticlockwise
				dx, dy = y, w-1-x
			}
			i := m.PixOffset(x+b.Min.X, y+b.Min.Y)
			j := out.PixOffset(dx, dy)
			copy(out.Pix[j:j+4], m.Pix[i:i+4])
		}
	}
	return out
}

// shrink averages k×k blocks of m, k chosen so that the long side stays at
// least n; m itself when it is small already.
func shrink(m image.Image, n int) image.Image {
	b := m.Bounds()
	k := max(b.Dx(), b.Dy()) / n
	if k < 2 {
		return m
	}
	switch s := m.(type) {
	case *image.YCbCr:
		return boxYCbCr(s, k)
	case *image.RGBA:
		return boxRGBA(s, k)
	}
	// Other kinds (NRGBA, Gray, Paletted, 16-bit …) become RGBA first
	// (premultiplied, so that averaging is right under transparency).
	rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Bounds(), m, b.Min, draw.Src)
	return boxRGBA(rgba, k)
}

// boxRGBA averages k×k blocks (the last row and column of blocks may be smaller).
func boxRGBA(m *image.RGBA, k int) *image.RGBA {
	b := m.Bounds()
	w, h := (b.Dx()+k-1)/k, (b.Dy()+k-1)/k
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	sums := make([]uint32, 4*w)
	counts := make([]uint32, w)
	for oy := 0; oy < h; oy++ {
		clear(sums)
		clear(counts)
		for y := b.Min.Y + oy*k; y < min(b.Min.Y+(oy+1)*k, b.Max.Y); y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				ox := x / k
				p := row[4*x : 4*x+4 : 4*x+4]
				s := sums[4*ox : 4*ox+4 : 4*ox+4]
				s[0] += uint32(p[0])
				s[1] += uint32(p[1])
				s[2] += uint32(p[2])
				s[3] += uint32(p[3])
				counts[ox]++
			}
		}
		dst := out.Pix[out.PixOffset(0, oy):]
		for ox := 0; ox < w; ox++ {
			c := counts[ox]
			for i := 0; i < 4; i++ {
				dst[4*ox+i] = uint8((sums[4*ox+i] + c/2) / c)
			}
		}
	}
	return out
}

// boxYCbCr averages k×k blocks of a JPEG's planes and converts to RGBA.
func boxYCbCr(m *image.YCbCr, k int) *image.RGBA {
	b := m.Bounds()
	w, h := (b.Dx()+k-1)/k, (b.Dy()+k-1)/k
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	sums := make([]uint32, 3*w)
	counts := make([]uint32, w)
	for oy := 0; oy < h; oy++ {
		clear(sums)
		clear(counts)
		for y := b.Min.Y + oy*k; y < min(b.Min.Y+(oy+1)*k, b.Max.Y); y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				ox := (x - b.Min.X) / k
				yi, ci := m.YOffset(x, y), m.COffset(x, y)
				sums[3*ox] += uint32(m.Y[yi])
				sums[3*ox+1] += uint32(m.Cb[ci])
				sums[3*ox+2] += uint32(m.Cr[ci])
				counts[ox]++
			}
		}
		dst := out.Pix[out.PixOffset(0, oy):]
		for ox := 0; ox < w; ox++ {
			c := counts[ox]
			r, g, bl := color.YCbCrToRGB(uint8((sums[3*ox]+c/2)/c), uint8((sums[3*ox+1]+c/2)/c), uint8((sums[3*ox+2]+c/2)/c))
			dst[4*ox], dst[4*ox+1], dst[4*ox+2], dst[4*ox+3] = r, g, bl, 255
		}
	}
	return out
}
