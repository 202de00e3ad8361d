package attachment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"gocloud.dev/gcerrors"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
)

const columns = `id, blob_key, thumb_key, filename, content_type, size, sha256, width, height, taken_at, latitude, longitude,
	uploaded_by, uploaded_at, owner_type, owner_id, org_id, linked_at`

func scan(row interface{ Scan(...any) error }) (Attachment, error) {
	var a Attachment
	var thumb, ownerType sql.NullString
	var width, height sql.NullInt64
	var taken, linked sql.NullTime
	var lat, lon sql.NullFloat64
	var by, ownerID, orgID sql.NullInt64
	err := row.Scan(&a.ID, &a.blobKey, &thumb, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &width, &height, &taken, &lat, &lon,
		&by, &a.UploadedAt, &ownerType, &ownerID, &orgID, &linked)
	if err != nil {
		return a, err
	}
	a.thumbKey, a.OwnerType = thumb.String, ownerType.String
	a.UploadedBy, a.OwnerID, a.OrgID = by.Int64, ownerID.Int64, orgID.Int64
	a.UploadedAt = a.UploadedAt.UTC()
	if width.Valid && height.Valid {
		w, h := int(width.Int64), int(height.Int64)
		a.Width, a.Height = &w, &h
	}
	if taken.Valid {
		t := taken.Time.UTC()
		a.TakenAt = &t
	}
	if lat.Valid && lon.Valid {
		a.Latitude, a.Longitude = &lat.Float64, &lon.Float64
	}
	if linked.Valid {
		t := linked.Time.UTC()
		a.LinkedAt = &t
	}
	return a, nil
}

// Link attaches the actor's pending uploads ids to an object, inside the
// caller's transaction (the one that writes the object). Each id must exist,
// be pending and have been uploaded by the actor; any other id is refused
// with the same message, so that nobody learns of another's upload. At most
// MaxLink ids per call; repeated ids count once. One audit record
// (attachment.link, on the owning object) lists the ids.
func (s *Service) Link(ctx context.Context, tx *db.Tx, a *auth.Actor, ids []int64, ownerType string, ownerID, orgID int64) error {
	if a == nil {
		return apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	ids = unique(ids)
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > MaxLink {
		return apperr.Field(apperr.EINVALID, "attachments", "一次最多附加 %d 个文件 / at most %d attachments at a time", MaxLink, MaxLink)
	}
	if s.owner(ownerType) == nil || ownerID <= 0 || orgID <= 0 {
		return fmt.Errorf("attachments: link to unregistered owner type %q (id %d, org %d)", ownerType, ownerID, orgID)
	}
	now := s.Clock.Now()
	by, byArgs := "uploaded_by = ?", []any{a.UserID}
	if a.UserID == 0 {
		by, byArgs = "uploaded_by IS NULL", nil
	}
	for _, id := range ids {
		args := append([]any{ownerType, ownerID, orgID, now, id}, byArgs...)
		res, err := tx.Exec(ctx, `UPDATE attachments SET owner_type = ?, owner_id = ?, org_id = ?, linked_at = ?
			WHERE id = ? AND owner_type IS NULL AND `+by, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return apperr.Field(apperr.EINVALID, "attachments",
				"附件 %d 不存在、已被使用或不是您上传的 / attachment %d does not exist, is already attached, or was not uploaded by you", id, id)
		}
	}
	e := a.Entry(now, "attachment.link", ownerType, strconv.FormatInt(ownerID, 10), orgID)
	e.Detail = "attachments " + joinIDs(ids)
	return audit.Append(ctx, tx, e)
}

// List returns the attachments of the given objects of one owner type, by
// object id, each list in upload order. The caller has already decided that
// the actor may see those objects.
func (s *Service) List(ctx context.Context, q db.Querier, ownerType string, ownerIDs ...int64) (map[int64][]Attachment, error) {
	out := map[int64][]Attachment{}
	ownerIDs = unique(ownerIDs)
	for len(ownerIDs) > 0 {
		n := min(len(ownerIDs), 500)
		chunk := ownerIDs[:n]
		ownerIDs = ownerIDs[n:]
		args := []any{ownerType}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := q.Query(ctx, "SELECT "+columns+" FROM attachments WHERE owner_type = ? AND owner_id IN (?"+
			strings.Repeat(", ?", n-1)+") ORDER BY id", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			a, err := scan(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[a.OwnerID] = append(out[a.OwnerID], a)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// byID reads one attachment.
func (s *Service) byID(ctx context.Context, q db.Querier, id int64) (*Attachment, error) {
	a, err := scan(q.QueryRow(ctx, "SELECT "+columns+" FROM attachments WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("attachment")
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Get returns attachment id when actor may see it: a pending upload only
// to its uploader, a linked one to whoever may see its object (the owner's
// check). Anything else is not found, and a refusal is recorded in the trail.
func (s *Service) Get(ctx context.Context, a *auth.Actor, id int64) (*Attachment, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	att, err := s.byID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if a.Operator {
		return att, nil
	}
	if att.Pending() {
		if att.UploadedBy != 0 && att.UploadedBy == a.UserID {
			return att, nil
		}
		return nil, s.refuse(ctx, a, att, "pending upload of another")
	}
	check := s.owner(att.OwnerType)
	if check == nil {
		s.log().Error("attachments: no owner check registered", "owner_type", att.OwnerType, "id", att.ID)
		return nil, apperr.NotFound("attachment")
	}
	if err := check(ctx, a, att.OwnerID); err != nil {
		if _, ok := apperr.As(err); !ok {
			return nil, err // a failure, not a refusal
		}
		return nil, s.refuse(ctx, a, att, apperr.Code(err))
	}
	return att, nil
}

// refuse records a refused view and answers not found.
func (s *Service) refuse(ctx context.Context, a *auth.Actor, att *Attachment, why string) error {
	e := a.Entry(s.Clock.Now(), "attachment.view", "attachment", strconv.FormatInt(att.ID, 10), att.OrgID)
	e.Result, e.Detail = audit.Denied, why
	if err := audit.AppendAlone(ctx, s.DB, e); err != nil {
		s.log().Warn("attachments: record refusal", "err", err)
	}
	return apperr.NotFound("attachment")
}

// Content is an open attachment (or its thumbnail) to send.
type Content struct {
	*Attachment
	Thumb       bool
	ContentType string
	ETag        string // quoted
	Body        io.ReadSeekCloser
}

// ETag returns the entity tag of the file or of its thumbnail, quoted.
func (a *Attachment) ETag(thumb bool) string {
	if thumb {
		return `"` + a.SHA256 + `-t"`
	}
	return `"` + a.SHA256 + `"`
}

// Open checks that actor may see attachment id (as Get) and opens its bytes,
// or its thumbnail's (not found when there is none). The caller closes Body.
func (s *Service) Open(ctx context.Context, a *auth.Actor, id int64, thumb bool) (*Content, error) {
	att, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, att, thumb)
}

func (s *Service) open(ctx context.Context, att *Attachment, thumb bool) (*Content, error) {
	key, ct := att.blobKey, att.ContentType
	if thumb {
		if !att.HasThumb() {
			return nil, apperr.New(apperr.ENOTFOUND, "此附件没有缩略图 / this attachment has no thumbnail")
		}
		key, ct = att.thumbKey, JPEG
	}
	r, err := s.Bucket.NewReader(ctx, key, nil)
	if err != nil {
		if blobCode(err) == "not_found" {
			s.log().Error("attachments: blob missing", "id", att.ID, "key", key)
			return nil, apperr.New(apperr.ENOTFOUND, "附件文件已丢失 / the attachment's file is missing")
		}
		return nil, err
	}
	return &Content{Attachment: att, Thumb: thumb, ContentType: ct, ETag: att.ETag(thumb), Body: r}, nil
}

// Sweep deletes pending uploads older than PendingTTL, rows then blobs (a
// Link racing with it either wins and keeps the file, or finds it gone), at
// most sweepBatch at a time, with one audit record for the count.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	rows, err := s.DB.Query(ctx, "SELECT id, blob_key, thumb_key FROM attachments WHERE owner_type IS NULL AND uploaded_at < ? ORDER BY id LIMIT ?",
		now.Add(-PendingTTL), sweepBatch)
	if err != nil {
		return 0, err
	}
	type old struct {
		id         int64
		key, thumb string
	}
	var olds []old
	for rows.Next() {
		var o old
		var thumb sql.NullString
		if err := rows.Scan(&o.id, &o.key, &thumb); err != nil {
			rows.Close()
			return 0, err
		}
		o.thumb = thumb.String
		olds = append(olds, o)
	}
	err = rows.Err()
	rows.Close()
	if err != nil || len(olds) == 0 {
		return 0, err
	}
	var keys []string
	var ids []int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		keys, ids = nil, nil
		for _, o := range olds {
			res, err := tx.Exec(ctx, "DELETE FROM attachments WHERE id = ? AND owner_type IS NULL", o.id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				ids = append(ids, o.id)
				keys = append(keys, o.key)
				if o.thumb != "" {
					keys = append(keys, o.thumb)
				}
			}
		}
		if len(ids) == 0 {
			return nil
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(system)", ClientAddr: "local", Action: "attachment.sweep",
			ObjectType: "attachment", Result: audit.OK,
			Detail: fmt.Sprintf("%d pending uploads older than %s removed: %s", len(ids), PendingTTL, joinIDs(ids))})
	})
	if err != nil {
		return 0, err
	}
	s.deleteBlobs(ctx, keys)
	return len(ids), nil
}

// MaybeSweep sweeps when the last sweep is sweepEvery old; the clock
// engine's loop calls it. Failures are logged, never returned (the loop's
// other planners must run).
func (s *Service) MaybeSweep(ctx context.Context) {
	s.sweepMu.Lock()
	defer s.sweepMu.Unlock()
	now := s.Clock.Now()
	if !s.lastSweep.IsZero() && now.Sub(s.lastSweep) < sweepEvery {
		return
	}
	s.lastSweep = now
	n, err := s.Sweep(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log().Warn("attachments: sweep", "err", err)
		}
		return
	}
	if n > 0 {
		s.log().Info("attachments: swept pending uploads", "count", n)
	}
}

func unique(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	c := append([]int64(nil), ids...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	for i, id := range c {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// blobCode names a blob error's kind ("not_found", …).
func blobCode(err error) string {
	if gcerrors.Code(err) == gcerrors.NotFound {
		return "not_found"
	}
	return "other"
}
