// Package attachment (附件) keeps the photos and PDFs that every capability
// attaches to its objects: daily report items, hazards (before and after
// photos), inspections, petitions.
//
// The bytes go to a gocloud.dev/blob bucket (a directory by default,
// S3-compatible storage by URL) under a random key; a row in attachments
// says what they are: the type decided from the content, the size, the
// SHA-256, and for photos the dimensions, the time and the position the
// photo carries. An upload first belongs to nobody ("pending", visible only
// to whoever uploaded it); the capability that asked for it then links it to
// its object inside its own transaction, and from then on whoever may see
// that object may see the attachment. Pending uploads older than a day are
// swept away.
//
// A capability uses it in four places:
//
//	// wiring: who may see a hazard may see its files (auth.Authorize, not Check:
//	// this package records the refusal)
//	a.Attachments.RegisterOwner("hazard", func(ctx context.Context, actor *auth.Actor, id int64) error { … })
//	// a page handler whose form has <input type=file name=photos multiple>
//	attachment.AllowSlowUpload(w)
//	ids, err := svc.Attachments.FromForm(ctx, actor, r, "photos")
//	// (API clients POST /api/v1/attachments first and send the ids)
//	// inside the transaction that writes the hazard
//	err = svc.Attachments.Link(ctx, tx, actor, ids, "hazard", hazardID, orgID)
//	// reading: by object id, for pages ({{attachments .Lang .Data.Photos}}) and JSON (Infos)
//	m, err := svc.Attachments.List(ctx, svc.DB, "hazard", hazardID)
package attachment

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/memblob" // mem:// for tests and throwaway instances
	_ "gocloud.dev/blob/s3blob"  // s3://bucket?endpoint=…&region=… for S3-compatible storage

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/web"
)

// Limits.
const (
	// MaxSize is the largest file accepted (20 MB).
	MaxSize = 20 << 20
	// MaxLink is how many attachments one object takes in one call.
	MaxLink = 20
	// MaxFormBytes bounds a whole HTML form carrying several files.
	MaxFormBytes = 100 << 20
	// PendingTTL is how long an upload may stay unlinked before it is swept.
	PendingTTL = 24 * time.Hour
	// sweepEvery spaces the sweeps; sweepBatch bounds one.
	sweepEvery = time.Hour
	sweepBatch = 500
	// maxFilename bounds a stored file name, in characters.
	maxFilename = 120
)

// OwnerCheck says whether actor may see the owning object ownerID: nil when
// it may, an error (ENOTFOUND) when not. It is the owning capability's own
// auth.Authorize call; the refusal is recorded in the trail by this package.
type OwnerCheck func(ctx context.Context, a *auth.Actor, ownerID int64) error

// Service stores, links, lists and opens attachments.
type Service struct {
	DB     *db.DB
	Clock  clock.Clock
	Log    *slog.Logger
	Bucket *blob.Bucket
	// TempDir holds uploads while they are checked ("" = the system's).
	TempDir string

	mu     sync.RWMutex
	owners map[string]OwnerCheck

	sweepMu   sync.Mutex
	lastSweep time.Time
}

// RegisterOwner declares an owner type (e.g. "hazard") and how to decide
// whether an actor may see one of its objects. Each capability calls it
// once while it is wired.
func (s *Service) RegisterOwner(ownerType string, fn OwnerCheck) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owners == nil {
		s.owners = map[string]OwnerCheck{}
	}
	s.owners[ownerType] = fn
}

func (s *Service) owner(ownerType string) OwnerCheck {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.owners[ownerType]
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Attachment is one stored file.
type Attachment struct {
	ID          int64
	Filename    string // as uploaded, cleaned; for display and download only
	ContentType string // decided from the content: JPEG, PNG, HEIC or PDF
	Size        int64
	SHA256      string // hex
	Width       *int   // photos: as shown, after the EXIF orientation
	Height      *int
	TakenAt     *time.Time // EXIF DateTimeOriginal (UTC)
	Latitude    *float64   // EXIF GPS (WGS-84, as the camera wrote it)
	Longitude   *float64
	UploadedBy  int64
	UploadedAt  time.Time
	OwnerType   string // "" while pending
	OwnerID     int64
	OrgID       int64
	LinkedAt    *time.Time

	blobKey, thumbKey string
}

// Pending reports whether the attachment is not linked to an object yet.
func (a *Attachment) Pending() bool { return a.OwnerType == "" }

// HasThumb reports whether there is a thumbnail (JPEG and PNG photos).
func (a *Attachment) HasThumb() bool { return a.thumbKey != "" }

// IsImage reports whether a browser can show the file as a picture.
func (a *Attachment) IsImage() bool { return a.ContentType == JPEG || a.ContentType == PNG }

// URL is the file's address for pages (session).
func (a *Attachment) URL() string { return "/attachments/" + strconv.FormatInt(a.ID, 10) }

// ThumbURL is the thumbnail's address for pages, "" when there is none.
func (a *Attachment) ThumbURL() string {
	if !a.HasThumb() {
		return ""
	}
	return a.URL() + "/thumb"
}

// Tile is what the shared gallery shows (web's attachments template helper).
func (a Attachment) Tile() web.AttachmentTile {
	return web.AttachmentTile{URL: a.URL(), ThumbURL: a.ThumbURL(), Filename: a.Filename, ContentType: a.ContentType,
		Size: a.Size, TakenAt: a.TakenAt, Latitude: a.Latitude, Longitude: a.Longitude}
}

// Info is an attachment as the API shows it.
type Info struct {
	ID          int64      `json:"id"`
	Filename    string     `json:"filename"`
	ContentType string     `json:"content_type"`
	Size        int64      `json:"size"`
	SHA256      string     `json:"sha256"`
	Width       *int       `json:"width"`
	Height      *int       `json:"height"`
	TakenAt     *time.Time `json:"taken_at"`
	Latitude    *float64   `json:"latitude"`
	Longitude   *float64   `json:"longitude"`
	UploadedAt  time.Time  `json:"uploaded_at"`
	Pending     bool       `json:"pending"`
	URL         string     `json:"url"`
	ThumbURL    *string    `json:"thumb_url"`
}

// Info returns the API form, with API addresses (bearer token or session).
func (a *Attachment) Info() Info {
	base := "/api/v1/attachments/" + strconv.FormatInt(a.ID, 10)
	in := Info{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256,
		Width: a.Width, Height: a.Height, TakenAt: a.TakenAt, Latitude: a.Latitude, Longitude: a.Longitude,
		UploadedAt: a.UploadedAt, Pending: a.Pending(), URL: base + "/content"}
	if a.HasThumb() {
		t := base + "/thumb"
		in.ThumbURL = &t
	}
	return in
}

// Infos returns the API form of a list.
func Infos(as []Attachment) []Info {
	out := make([]Info, len(as))
	for i := range as {
		out[i] = as[i].Info()
	}
	return out
}

// OpenBucket opens the blob store at a URL: file:///abs/dir (created if
// missing), s3://bucket?endpoint=…&region=…&use_path_style=true, mem://.
func OpenBucket(ctx context.Context, rawURL string) (*blob.Bucket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("attachments: blob URL %q: %w", rawURL, err)
	}
	if u.Scheme == "file" {
		// The path is the directory: a relative one would be read as a host.
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("attachments: blob URL %q: a file URL needs an absolute path (file:///srv/anwen/attachments)", rawURL)
		}
		return DirBucket(u.Path)
	}
	b, err := blob.OpenBucket(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("attachments: open %s: %w", redact(u), err)
	}
	return b, nil
}

// DirBucket opens (and creates) a directory as the blob store. Partial files
// are written beside the final ones, not in the system's temporary
// directory, which is often another file system that a rename cannot cross.
func DirBucket(dir string) (*blob.Bucket, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("attachments: create %s: %w", abs, err)
	}
	return fileblob.OpenBucket(abs, &fileblob.Options{CreateDir: true, NoTempDir: true, DirFileMode: 0o700})
}

func redact(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	return c.String()
}

// fileError is a refusal that names the file.
func fileError(code, field, name, zh, en string) error {
	if name == "" {
		return apperr.Field(code, field, "%s / %s", zh, en)
	}
	return apperr.Field(code, field, "「%s」%s / %q: %s", name, zh, name, en)
}

// cleanFilename keeps the last path element of what the client sent, as
// valid UTF-8 without control or direction-changing characters, at most
// maxFilename characters (the extension kept).
func cleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20, r == 0x7F, r >= 0x80 && r < 0xA0:
			return -1
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0xFEFF:
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		name = ""
	}
	if r := []rune(name); len(r) > maxFilename {
		ext := []rune(filepath.Ext(name))
		if len(ext) > 10 {
			ext = nil
		}
		name = string(r[:maxFilename-len(ext)]) + string(ext)
	}
	return name
}

// defaultName is the name of a file uploaded without one.
func defaultName(contentType string) string {
	switch contentType {
	case JPEG:
		return "photo.jpg"
	case PNG:
		return "image.png"
	case HEIC:
		return "photo.heic"
	}
	return "document.pdf"
}
