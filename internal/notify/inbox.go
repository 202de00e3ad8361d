package notify

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
)

// Notification is an inbox item.
type Notification struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	Priority  string     `json:"priority"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

func signedIn(a *auth.Actor) error {
	if a == nil || a.UserID == 0 {
		return apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	return nil
}

func scanNotification(row interface{ Scan(...any) error }) (*Notification, error) {
	n := &Notification{}
	var read sql.NullTime
	if err := row.Scan(&n.ID, &n.Kind, &n.Title, &n.Body, &n.Link, &n.Priority, &n.CreatedAt, &read); err != nil {
		return nil, err
	}
	n.CreatedAt = n.CreatedAt.UTC()
	if read.Valid {
		t := read.Time.UTC()
		n.ReadAt = &t
	}
	return n, nil
}

const inboxCols = "id, kind, title, body, link, priority, created_at, read_at"

// Inbox lists a's own notifications, newest first, at most limit (1–200).
func (s *Service) Inbox(ctx context.Context, a *auth.Actor, unreadOnly bool, limit int) ([]Notification, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > listMax {
		limit = listMax
	}
	q := "SELECT " + inboxCols + " FROM notifications WHERE user_id = ?"
	if unreadOnly {
		q += " AND read_at IS NULL"
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY id DESC LIMIT "+strconv.Itoa(limit), a.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *n)
	}
	return out, rows.Err()
}

// UnreadCount counts a's unread notifications.
func (s *Service) UnreadCount(ctx context.Context, a *auth.Actor) (int, error) {
	if err := signedIn(a); err != nil {
		return 0, err
	}
	var n int
	err := s.DB.QueryRow(ctx, "SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", a.UserID).Scan(&n)
	return n, err
}

// MarkRead marks a's notification id read and returns it. Someone else's is
// ENOTFOUND, recorded as a refusal. Reading twice changes nothing.
func (s *Service) MarkRead(ctx context.Context, a *auth.Actor, id int64) (*Notification, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	var out *Notification
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var owner int64
		n, err := scanNotification(ownerScan{tx.QueryRow(ctx, "SELECT user_id, "+inboxCols+" FROM notifications WHERE id = ?", id), &owner})
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("notification")
		}
		if err != nil {
			return err
		}
		if owner != a.UserID {
			return errNotMine
		}
		out = n
		if n.ReadAt != nil {
			return nil
		}
		now := s.now()
		if _, err := tx.Exec(ctx, "UPDATE notifications SET read_at = ? WHERE id = ?", now, id); err != nil {
			return err
		}
		n.ReadAt = &now
		return audit.Append(ctx, tx, a.Entry(now, "notify.read", "notification", objID(id), a.OrgID))
	})
	if errors.Is(err, errNotMine) {
		return nil, s.Auth.Refuse(ctx, a, auth.Action("notify.read"), "notification", apperr.NotFound("notification"))
	}
	return out, err
}

var errNotMine = errors.New("someone else's notification")

// ownerScan reads the owner column in front of an inbox row.
type ownerScan struct {
	row   *sql.Row
	owner *int64
}

func (o ownerScan) Scan(dest ...any) error { return o.row.Scan(append([]any{o.owner}, dest...)...) }

// MarkAllRead marks every unread notification of a read and returns how many.
func (s *Service) MarkAllRead(ctx context.Context, a *auth.Actor) (int, error) {
	if err := signedIn(a); err != nil {
		return 0, err
	}
	var n int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		now := s.now()
		res, err := tx.Exec(ctx, "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL", now, a.UserID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		e := a.Entry(now, "notify.read_all", "notification", "", a.OrgID)
		e.Detail = strconv.FormatInt(n, 10)
		return audit.Append(ctx, tx, e)
	})
	return int(n), err
}

// ---- the outbox, for administrators ----

// Delivery is an outbox row as administrators see it.
type Delivery struct {
	ID            int64      `json:"id"`
	ChannelID     int64      `json:"channel_id"`
	ChannelName   string     `json:"channel_name"`
	ChannelKind   string     `json:"channel_kind"`
	OwnerKind     string     `json:"owner_kind"`
	OwnerID       int64      `json:"owner_id"`
	OwnerName     string     `json:"owner_name"`
	DedupeKey     string     `json:"dedupe_key"`
	Title         string     `json:"title"`
	Link          string     `json:"link"`
	Priority      string     `json:"priority"`
	State         string     `json:"state"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastError     string     `json:"last_error"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at"`
}

// ListDeliveries lists outbox rows in state ("" for all), newest first, at
// most 200. It checks no permission: the HTTP layer does (AuthorizeOutbox).
func (s *Service) ListDeliveries(ctx context.Context, state string) ([]Delivery, error) {
	if state != "" && !oneOf(state, States) {
		return nil, apperr.Field(apperr.EINVALID, "state", "状态只能是 pending、sent、failed 或 dead / state must be pending, sent, failed or dead")
	}
	q := `SELECT d.id, d.channel_id, c.name, c.kind, c.owner_kind, c.owner_id, COALESCE(o.name, u.name, ''),
		COALESCE(d.notification_dedupe_key, ''), d.title, d.link, d.priority, d.state, d.attempts, d.next_attempt_at, d.last_error, d.created_at, d.sent_at
		FROM notify_deliveries d JOIN notify_channels c ON c.id = d.channel_id
		LEFT JOIN orgs o ON c.owner_kind = 'org' AND o.id = c.owner_id
		LEFT JOIN users u ON c.owner_kind = 'user' AND u.id = c.owner_id`
	var args []any
	if state != "" {
		q += " WHERE d.state = ?"
		args = append(args, state)
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY d.id DESC LIMIT "+strconv.Itoa(listMax), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		var sent sql.NullTime
		if err := rows.Scan(&d.ID, &d.ChannelID, &d.ChannelName, &d.ChannelKind, &d.OwnerKind, &d.OwnerID, &d.OwnerName, &d.DedupeKey,
			&d.Title, &d.Link, &d.Priority, &d.State, &d.Attempts, &d.NextAttemptAt, &d.LastError, &d.CreatedAt, &sent); err != nil {
			return nil, err
		}
		d.NextAttemptAt, d.CreatedAt = d.NextAttemptAt.UTC(), d.CreatedAt.UTC()
		if sent.Valid {
			t := sent.Time.UTC()
			d.SentAt = &t
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeliveryCounts counts the outbox rows in each state.
func (s *Service) DeliveryCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{Pending: 0, Sent: 0, Failed: 0, Dead: 0}
	rows, err := s.DB.Query(ctx, "SELECT state, count(*) FROM notify_deliveries GROUP BY state")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// AuthorizeOutbox answers nil when a may see the outbox and retry
// deliveries (notify.manage at the top of the tree), ENOTFOUND otherwise,
// recorded as a refusal.
func (s *Service) AuthorizeOutbox(ctx context.Context, a *auth.Actor, objectType string, id int64) error {
	root, err := rootPath(ctx, s.DB)
	if err != nil {
		return err
	}
	if err := s.Auth.Check(ctx, a, auth.NotifyManage, root, objectType, objID(id)); err != nil {
		if apperr.Code(err) == apperr.EFORBIDDEN {
			return apperr.NotFound(objectType)
		}
		return err
	}
	return nil
}

// RetryDelivery puts a failed or dead delivery back in the queue with a
// fresh set of attempts, due now (normal ones still wait out the quiet hours).
func (s *Service) RetryDelivery(ctx context.Context, a *auth.Actor, id int64) error {
	if err := s.AuthorizeOutbox(ctx, a, "notify_delivery", id); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var state, lastErr string
		var channelID int64
		var attempts int
		err := tx.QueryRow(ctx, "SELECT state, last_error, channel_id, attempts FROM notify_deliveries WHERE id = ?", id).Scan(&state, &lastErr, &channelID, &attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("delivery")
		}
		if err != nil {
			return err
		}
		if state == Sent {
			return apperr.New(apperr.ERULE, "该消息已送达，无需重试 / this delivery was sent; there is nothing to retry")
		}
		now := s.now()
		if _, err := tx.Exec(ctx, "UPDATE notify_deliveries SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ?", now, id); err != nil {
			return err
		}
		e := a.Entry(now, "notify.delivery.retry", "notify_delivery", objID(id), 0)
		e.Before = map[string]any{"state": state, "attempts": attempts}
		e.After = map[string]any{"state": Pending, "attempts": 0}
		e.Detail = state + " → pending; channel " + strconv.FormatInt(channelID, 10)
		return audit.Append(ctx, tx, e)
	})
}

// Settings returns the quiet hours.
func (s *Service) Settings(ctx context.Context) (Settings, error) { return readSettings(ctx, s.DB) }

// SetSettings changes the quiet hours (notify.manage at the top of the tree).
func (s *Service) SetSettings(ctx context.Context, a *auth.Actor, st Settings) (Settings, error) {
	if err := s.AuthorizeOutbox(ctx, a, "notify_settings", 0); err != nil {
		return Settings{}, err
	}
	if err := st.Validate(); err != nil {
		return Settings{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "UPDATE notify_settings SET quiet_start = ?, quiet_end = ? WHERE id = 1", st.QuietStart, st.QuietEnd)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.Exec(ctx, "INSERT INTO notify_settings (id, quiet_start, quiet_end) VALUES (1, ?, ?)", st.QuietStart, st.QuietEnd); err != nil {
				return err
			}
		}
		e := a.Entry(s.now(), "notify.settings", "notify_settings", "1", 0)
		e.Before, e.After, e.Detail = cur, st, st.QuietStart+"–"+st.QuietEnd
		return audit.Append(ctx, tx, e)
	})
	return st, err
}
