package attachment

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"time"

	"gocloud.dev/blob"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
)

// upload is a file received and checked, waiting in a temporary file to be
// put in the bucket.
type upload struct {
	a     Attachment
	file  *os.File
	thumb []byte
}

func (u *upload) discard() {
	if u.file != nil {
		u.file.Close()
		os.Remove(u.file.Name())
		u.file = nil
	}
}

// receive reads one file (at most MaxSize) into a temporary file and checks
// it: the type by its first bytes, an image's dimensions before decoding it,
// the EXIF time and position, the thumbnail. Nothing is stored; every refusal
// names the file.
func (s *Service) receive(field, filename string, r io.Reader) (_ *upload, err error) {
	name := cleanFilename(filename)
	f, err := os.CreateTemp(s.TempDir, "anwen-upload-*")
	if err != nil {
		return nil, fmt.Errorf("attachments: temporary file: %w", err)
	}
	u := &upload{file: f}
	defer func() {
		if err != nil {
			u.discard()
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, MaxSize+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(field, name)
		}
		return nil, fileError(apperr.EINVALID, field, name, "上传中断，请重试", "the upload broke off; try again")
	}
	if n > MaxSize {
		return nil, tooLarge(field, name)
	}
	if n == 0 {
		return nil, fileError(apperr.EINVALID, field, name, "是空文件", "the file is empty")
	}
	head := make([]byte, sniffLen)
	k, _ := f.ReadAt(head, 0)
	ct := sniff(head[:k])
	if ct == "" {
		return nil, fileError(apperr.EUNSUPPORTED, field, name,
			"不是可接受的文件：只接受 JPEG、PNG、HEIC 照片和 PDF 文件",
			"not an accepted file: only JPEG, PNG and HEIC photos and PDF documents are accepted")
	}
	if name == "" {
		name = defaultName(ct)
	}
	u.a = Attachment{Filename: name, ContentType: ct, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	switch ct {
	case JPEG, PNG:
		if err := s.inspectImage(u, field); err != nil {
			return nil, err
		}
	case HEIC:
		if m := parseTIFF(exifFromHEIF(f, n)); m != nil {
			u.a.TakenAt, u.a.Latitude, u.a.Longitude = m.TakenAt, m.Latitude, m.Longitude
		}
	}
	return u, nil
}

func tooLarge(field, name string) error {
	return fileError(apperr.ETOOLARGE, field, name, "超过 20 MB，请压缩后再上传", "larger than 20 MB; make it smaller and upload it again")
}

// inspectImage reads a JPEG's or PNG's dimensions (refusing a picture too
// large to decode safely), its EXIF, and makes its thumbnail.
func (s *Service) inspectImage(u *upload, field string) error {
	f, name := u.file, u.a.Filename
	cfg, err := imageConfig(io.NewSectionReader(f, 0, u.a.Size), u.a.ContentType)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return fileError(apperr.EUNSUPPORTED, field, name, "图片已损坏或格式不受支持", "the picture is damaged or in a form that cannot be read")
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return fileError(apperr.ERULE, field, name,
			fmt.Sprintf("图片尺寸 %d×%d 过大（上限 6000 万像素），请缩小后再上传", cfg.Width, cfg.Height),
			fmt.Sprintf("the picture is %d×%d pixels, more than the 60 megapixels accepted; make it smaller and upload it again", cfg.Width, cfg.Height))
	}
	var tiffBlock []byte
	if u.a.ContentType == JPEG {
		tiffBlock = exifFromJPEG(f)
	} else {
		tiffBlock = exifFromPNG(f, u.a.Size)
	}
	orientation := 1
	if m := parseTIFF(tiffBlock); m != nil {
		u.a.TakenAt, u.a.Latitude, u.a.Longitude = m.TakenAt, m.Latitude, m.Longitude
		if m.Orientation != 0 {
			orientation = m.Orientation
		}
	}
	w, h := cfg.Width, cfg.Height
	if swapsAxes(orientation) {
		w, h = h, w
	}
	u.a.Width, u.a.Height = &w, &h
	thumb, err := thumbnail(io.NewSectionReader(f, 0, u.a.Size), u.a.ContentType, orientation)
	if err != nil {
		// The header was sound but the picture does not decode (a coding Go
		// does not read, or damage further in): keep the file, show an icon.
		s.log().Info("attachment thumbnail", "content_type", u.a.ContentType, "err", err)
		return nil
	}
	u.thumb = thumb
	return nil
}

// newKey returns a random blob key under the month it was made.
func newKey(now time.Time) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return now.UTC().Format("2006/01/") + hex.EncodeToString(b[:])
}

// commit puts the checked files in the bucket and records them in one
// transaction, each with its audit record. On any failure nothing remains:
// no row, no blob.
func (s *Service) commit(ctx context.Context, a *auth.Actor, ups []*upload) ([]Attachment, error) {
	now := s.Clock.Now()
	var written []string
	cleanup := func() { s.deleteBlobs(context.WithoutCancel(ctx), written) }
	for _, u := range ups {
		u.a.blobKey = newKey(now)
		if _, err := u.file.Seek(0, io.SeekStart); err != nil {
			cleanup()
			return nil, err
		}
		if err := s.put(ctx, u.a.blobKey, u.a.ContentType, u.file); err != nil {
			cleanup()
			return nil, err
		}
		written = append(written, u.a.blobKey)
		if u.thumb != nil {
			u.a.thumbKey = u.a.blobKey + "-thumb.jpg"
			if err := s.put(ctx, u.a.thumbKey, JPEG, bytes.NewReader(u.thumb)); err != nil {
				cleanup()
				return nil, err
			}
			written = append(written, u.a.thumbKey)
		}
		u.a.UploadedBy, u.a.UploadedAt = a.UserID, now
	}
	out := make([]Attachment, len(ups))
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		for i, u := range ups {
			id, err := db.InsertID(ctx, tx, `INSERT INTO attachments (blob_key, thumb_key, filename, content_type, size, sha256,
				width, height, taken_at, latitude, longitude, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				u.a.blobKey, nullString(u.a.thumbKey), u.a.Filename, u.a.ContentType, u.a.Size, u.a.SHA256,
				u.a.Width, u.a.Height, u.a.TakenAt, u.a.Latitude, u.a.Longitude, nullID(u.a.UploadedBy), now)
			if err != nil {
				return err
			}
			u.a.ID = id
			e := a.Entry(now, "attachment.upload", "attachment", strconv.FormatInt(id, 10), a.OrgID)
			e.Detail = fmt.Sprintf("%s %d bytes sha256 %s", u.a.ContentType, u.a.Size, u.a.SHA256)
			if err := audit.Append(ctx, tx, e); err != nil {
				return err
			}
			out[i] = u.a
		}
		return nil
	})
	if err != nil {
		cleanup()
		return nil, err
	}
	return out, nil
}

func (s *Service) put(ctx context.Context, key, contentType string, r io.Reader) error {
	w, err := s.Bucket.NewWriter(ctx, key, &blob.WriterOptions{ContentType: contentType})
	if err != nil {
		return fmt.Errorf("attachments: write %s: %w", key, err)
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return fmt.Errorf("attachments: write %s: %w", key, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("attachments: write %s: %w", key, err)
	}
	return nil
}

// deleteBlobs removes blobs, logging what it cannot remove (an orphan blob
// costs space, never correctness: no row points to it).
func (s *Service) deleteBlobs(ctx context.Context, keys []string) {
	for _, k := range keys {
		if err := s.Bucket.Delete(ctx, k); err != nil && blobCode(err) != "not_found" {
			s.log().Warn("attachments: delete blob", "key", k, "err", err)
		}
	}
}

// Store receives one file for actor, checks it and stores it as a pending
// upload (audited as attachment.upload). A refused file leaves nothing behind.
func (s *Service) Store(ctx context.Context, a *auth.Actor, filename string, r io.Reader) (*Attachment, error) {
	return s.store(ctx, a, "file", filename, r)
}

func (s *Service) store(ctx context.Context, a *auth.Actor, field, filename string, r io.Reader) (*Attachment, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	u, err := s.receive(field, filename, r)
	if err != nil {
		return nil, err
	}
	defer u.discard()
	out, err := s.commit(ctx, a, []*upload{u})
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

// FromForm stores the files of an HTML form's file field (several allowed,
// at most MaxLink) and returns their ids, pending, for the caller to Link.
// All or nothing: every file is checked before any is stored, and a refused
// one is named in the error. A form without files in the field gives no ids
// and no error. The request body is bounded by MaxFormBytes unless the
// caller has already parsed the form.
func (s *Service) FromForm(ctx context.Context, a *auth.Actor, r *http.Request, field string) ([]int64, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if r.MultipartForm == nil {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "multipart/form-data" {
			return nil, apperr.Field(apperr.EUNSUPPORTED, field, "上传文件的表单须为 multipart/form-data / a form with files must be sent as multipart/form-data")
		}
		r.Body = http.MaxBytesReader(nil, r.Body, MaxFormBytes)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, apperr.Field(apperr.ETOOLARGE, field, "一次上传的文件合计不能超过 100 MB / the files of one form may not exceed 100 MB together")
			}
			return nil, apperr.Field(apperr.EINVALID, field, "表单格式错误或上传中断 / the form is malformed or the upload broke off")
		}
	}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File[field]
	}
	// A file input left empty still sends one part with no name and no bytes.
	var picked []*multipart.FileHeader
	for _, fh := range files {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		picked = append(picked, fh)
	}
	if len(picked) == 0 {
		return nil, nil
	}
	if len(picked) > MaxLink {
		return nil, apperr.Field(apperr.EINVALID, field, "一次最多上传 %d 个文件 / at most %d files at a time", MaxLink, MaxLink)
	}
	ups := make([]*upload, 0, len(picked))
	defer func() {
		for _, u := range ups {
			u.discard()
		}
	}()
	for _, fh := range picked {
		f, err := fh.Open()
		if err != nil {
			return nil, fileError(apperr.EINVALID, field, cleanFilename(fh.Filename), "上传中断，请重试", "the upload broke off; try again")
		}
		u, err := s.receive(field, fh.Filename, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		ups = append(ups, u)
	}
	stored, err := s.commit(ctx, a, ups)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(stored))
	for i := range stored {
		ids[i] = stored[i].ID
	}
	return ids, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
