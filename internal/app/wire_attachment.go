package app

import (
	"context"
	"path/filepath"

	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"

	"github.com/anwen-gov/anwen/internal/attachment"
)

// Attachments (附件). This file sorts before the capabilities that attach
// files (wire_dailyreport.go, wire_hazard.go …), so a.Attachments is set
// when their wiring runs: they call a.Attachments.RegisterOwner there.
func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		bucket, err := openAttachmentBucket(ctx, a)
		if err != nil {
			return err
		}
		a.Attachments = &attachment.Service{DB: a.DB, Clock: a.Clock, Log: a.Log, Bucket: bucket}
		attachment.Register(a.Web, a.Attachments)
		// Pending uploads older than a day go, swept at most hourly from the
		// clock engine's loop (App.Start); the sweep never fails the loop.
		a.planners = append(a.planners, func(ctx context.Context) error {
			a.Attachments.MaybeSweep(ctx)
			return nil
		})
		return nil
	})
	Document(
		Operation{Method: "POST", Path: "/api/v1/attachments", Tag: "attachments",
			Summary: "Upload one file (field file): JPEG, PNG or HEIC photo or PDF, at most 20 MB, type decided from the content (415 otherwise, 413 when larger); " +
				"it stays pending, visible only to the uploader, until a capability links it to an object (pending uploads are removed after 24 hours)",
			RequestType: "multipart/form-data", Response: attachment.Info{}, Status: 201},
		Operation{Method: "GET", Path: "/api/v1/attachments/{id}", Tag: "attachments", Summary: "An attachment's metadata: type, size, SHA-256, dimensions, the time and position the photo carries", Response: attachment.Info{}},
		Operation{Method: "GET", Path: "/api/v1/attachments/{id}/content", Tag: "attachments", Summary: "The file itself (ETag is the SHA-256; If-None-Match answers 304; ranges)", ResponseType: "*/*"},
		Operation{Method: "GET", Path: "/api/v1/attachments/{id}/thumb", Tag: "attachments", Summary: "A photo's JPEG thumbnail, at most 320 px on the long side (404 for HEIC and PDF)", ResponseType: "image/jpeg"},
	)
}

// openAttachmentBucket opens Cfg.BlobURL; without one, DataDir/attachments,
// or a bucket in memory when there is no data directory either (tests).
func openAttachmentBucket(ctx context.Context, a *App) (*blob.Bucket, error) {
	switch {
	case a.Cfg.BlobURL != "":
		return attachment.OpenBucket(ctx, a.Cfg.BlobURL)
	case a.Cfg.DataDir != "":
		return attachment.DirBucket(filepath.Join(a.Cfg.DataDir, "attachments"))
	}
	if !a.Cfg.Demo {
		a.Log.Warn("attachments are kept in memory: set a data directory or a blob URL to keep them")
	}
	return memblob.OpenBucket(nil), nil
}
