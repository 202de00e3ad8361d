package auth

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
)

// SessionStore keeps web sessions in the database (github.com/alexedwards/scs
// Store and CtxStore), so that they survive restarts and serve several app
// servers. Expiry is wall-clock time, not the injectable clock: scs itself
// sets and checks session deadlines with time.Now, and both must agree.
type SessionStore struct {
	DB *db.DB
}

func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.DB.QueryRow(ctx, "SELECT data FROM sessions WHERE token = ? AND expiry > ?", token, time.Now().UTC()).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return b, err == nil, err
}

func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.DB.Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, b, expiry.UTC())
	return err
}

func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.DB.Exec(ctx, "DELETE FROM sessions WHERE token = ?", token)
	return err
}

func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}
func (s *SessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// Sweep removes expired sessions.
func (s *SessionStore) Sweep(ctx context.Context) error {
	_, err := s.DB.Exec(ctx, "DELETE FROM sessions WHERE expiry <= ?", time.Now().UTC())
	return err
}
