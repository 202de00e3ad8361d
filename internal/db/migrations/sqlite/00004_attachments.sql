-- +goose Up
-- Attachments (附件): photos and PDFs for every capability. The bytes live in
-- the blob store (gocloud.dev/blob) under a random key; this row says what
-- they are. An upload is pending (owner_type NULL, seen only by its uploader)
-- until the capability that asked for it links it to its object; pending
-- uploads older than a day are swept.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    blob_key     TEXT NOT NULL UNIQUE,
    thumb_key    TEXT,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/heic', 'application/pdf')),
    size         INTEGER NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL,
    width        INTEGER,
    height       INTEGER,
    taken_at     TIMESTAMP,
    latitude     REAL,
    longitude    REAL,
    uploaded_by  INTEGER REFERENCES users(id),
    uploaded_at  TIMESTAMP NOT NULL,
    owner_type   TEXT,
    owner_id     INTEGER,
    org_id       INTEGER REFERENCES orgs(id),
    linked_at    TIMESTAMP,
    CHECK ((owner_type IS NULL) = (owner_id IS NULL))
);
CREATE INDEX attachments_owner ON attachments(owner_type, owner_id);
CREATE INDEX attachments_pending ON attachments(uploaded_at) WHERE owner_type IS NULL;

-- +goose Down
DROP TABLE attachments;
