package notify

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
)

// Timing of the outbox.
const (
	// lease: a claimed delivery is invisible to other servers this long; if
	// its server dies mid-send it becomes due again afterwards (so a
	// delivery is sent at least once, and in a crash possibly twice).
	lease       = 2 * time.Minute
	baseBackoff = 30 * time.Second
	maxBackoff  = 30 * time.Minute
	sendTimeout = 15 * time.Second
	maxAnswer   = 64 << 10
	runBatch    = 50
)

// rateLimit is at most n requests to one channel in any window.
type rateLimit struct {
	n      int
	window time.Duration
}

// rateLimits per channel kind, from the vendors' published limits. Over a
// limit a delivery is pushed back to when a slot frees, never failed. (Feishu
// also asks to avoid the full and half hour, error 11232; digests scheduled
// by capabilities should not fire exactly at :00 or :30.)
var rateLimits = map[string][]rateLimit{
	DingTalk: {{20, time.Minute}},
	WeCom:    {{20, time.Minute}},
	Feishu:   {{5, time.Second}, {100, time.Minute}},
}

// Backoff returns the wait after the attempts-th failed attempt: 30 s, 1 min,
// 2 min, 4 min … at most 30 min.
func Backoff(attempts int) time.Duration {
	d := baseBackoff
	for i := 1; i < attempts; i++ {
		d *= 2
		if d >= maxBackoff {
			return maxBackoff
		}
	}
	return d
}

// delivery is a claimed outbox row.
type delivery struct {
	ID        int64
	ChannelID int64
	DedupeKey sql.NullString
	Title     string
	Body      string
	Link      string
	Priority  string
	Mention   string
	Attempts  int
}

// channel is a channel row with its secret.
type channel struct {
	ID             int64
	OwnerKind      string
	OwnerID        int64
	Kind           string
	Name           string
	Target         string
	Secret         string
	MentionMobiles string
	Enabled        bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

const channelCols = `id, owner_kind, owner_id, kind, name, target, secret, mention_mobiles, enabled, created_at, updated_at`

func scanChannel(row interface{ Scan(...any) error }) (*channel, error) {
	c := &channel{}
	err := row.Scan(&c.ID, &c.OwnerKind, &c.OwnerID, &c.Kind, &c.Name, &c.Target, &c.Secret, &c.MentionMobiles, &c.Enabled, &c.CreatedAt, &c.UpdatedAt)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

func loadChannel(ctx context.Context, q db.Querier, id int64) (*channel, error) {
	c, err := scanChannel(q.QueryRow(ctx, "SELECT "+channelCols+" FROM notify_channels WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return c, err
}

// Deliver sends the due deliveries (pending or failed, next_attempt_at
// reached), at most n, and returns how many it attempted. During the quiet
// hours only urgent ones are due. Several servers may call it on one
// PostgreSQL: each claims its rows with FOR UPDATE SKIP LOCKED and moves them
// a lease ahead, so no two servers send the same delivery.
func (s *Service) Deliver(ctx context.Context, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	now := s.now()
	set, err := readSettings(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	_, quiet := set.QuietUntil(now)
	claimed, err := s.claim(ctx, now, n, quiet)
	if err != nil {
		return 0, fmt.Errorf("notify: claim: %w", err)
	}
	channels := map[int64]*channel{}
	attempted := 0
	for _, d := range claimed {
		if ctx.Err() != nil {
			return attempted, ctx.Err()
		}
		ch, ok := channels[d.ChannelID]
		if !ok {
			if ch, err = loadChannel(ctx, s.DB, d.ChannelID); err != nil {
				return attempted, err
			}
			channels[d.ChannelID] = ch
		}
		did, err := s.deliverOne(ctx, ch, d)
		if err != nil {
			return attempted, err
		}
		if did {
			attempted++
		}
	}
	return attempted, nil
}

// claim takes up to n due deliveries and moves them a lease ahead.
func (s *Service) claim(ctx context.Context, now time.Time, n int, quiet bool) ([]delivery, error) {
	filter := ""
	if quiet {
		filter = " AND priority = 'urgent'"
	}
	lock := ""
	if s.DB.Dialect == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []delivery
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `UPDATE notify_deliveries SET next_attempt_at = ?
			WHERE id IN (SELECT id FROM notify_deliveries WHERE state IN ('pending', 'failed') AND next_attempt_at <= ?`+filter+`
				ORDER BY next_attempt_at, id LIMIT ?`+lock+`)
			RETURNING id, channel_id, notification_dedupe_key, title, body, link, priority, mention, attempts`,
			now.Add(lease), now, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d delivery
			if err := rows.Scan(&d.ID, &d.ChannelID, &d.DedupeKey, &d.Title, &d.Body, &d.Link, &d.Priority, &d.Mention, &d.Attempts); err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

// deliverOne sends one claimed delivery and records the outcome. It reports
// whether a send was attempted (not when rate-limited or the channel is gone).
func (s *Service) deliverOne(ctx context.Context, ch *channel, d delivery) (bool, error) {
	if ch == nil || !ch.Enabled {
		_, err := s.DB.Exec(ctx, "UPDATE notify_deliveries SET state = 'dead', last_error = ? WHERE id = ?",
			"渠道已停用 / the channel is disabled", d.ID)
		s.log().Info("notify: delivery dropped", "delivery", d.ID, "channel", d.ChannelID, "outcome", "channel disabled")
		return false, err
	}
	ok, retryAt, err := s.reserve(ctx, ch, d.ID)
	if err != nil {
		return false, err
	}
	if !ok {
		_, err := s.DB.Exec(ctx, "UPDATE notify_deliveries SET next_attempt_at = ? WHERE id = ?", retryAt, d.ID)
		s.log().Info("notify: rate limited, pushed back", "delivery", d.ID, "channel", ch.ID, "kind", ch.Kind, "until", retryAt)
		return false, err
	}
	sendErr := s.send(ctx, ch, s.out(d))
	now := s.now()
	attempts := d.Attempts + 1
	if sendErr == nil {
		_, err := s.DB.Exec(ctx, "UPDATE notify_deliveries SET state = 'sent', attempts = ?, sent_at = ?, last_error = '' WHERE id = ?", attempts, now, d.ID)
		s.log().Info("notify: sent", "delivery", d.ID, "channel", ch.ID, "kind", ch.Kind, "attempt", attempts, "outcome", "sent")
		return true, err
	}
	state, next := Failed, now.Add(Backoff(attempts))
	var se *sendError
	if errors.As(sendErr, &se) && se.retryAfter > 0 {
		next = now.Add(se.retryAfter)
	}
	if attempts >= MaxAttempts {
		state = Dead
	}
	msg := clip(sendErr.Error(), 500)
	_, err = s.DB.Exec(ctx, "UPDATE notify_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
		state, attempts, next, msg, d.ID)
	s.log().Warn("notify: send failed", "delivery", d.ID, "channel", ch.ID, "kind", ch.Kind, "attempt", attempts, "outcome", state, "error", msg)
	return true, err
}

// reserve takes a slot in the channel's rate limits: it counts the requests
// made to the channel within each window (rows whose attempted_at falls in
// it, including slots other servers have reserved and are sending in) and,
// under every limit, marks this delivery as attempted now. Over a limit it
// answers when the oldest request leaves the window. On PostgreSQL the
// channel row is locked meanwhile, so two servers cannot both take the last slot.
func (s *Service) reserve(ctx context.Context, ch *channel, deliveryID int64) (bool, time.Time, error) {
	limits := rateLimits[ch.Kind]
	ok, retryAt := true, time.Time{}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		now := s.now()
		ok, retryAt = true, time.Time{}
		if len(limits) > 0 && tx.D() == db.Postgres {
			var id int64
			if err := tx.QueryRow(ctx, "SELECT id FROM notify_channels WHERE id = ? FOR UPDATE", ch.ID).Scan(&id); err != nil {
				return err
			}
		}
		for _, l := range limits {
			from := now.Add(-l.window)
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM notify_deliveries WHERE channel_id = ? AND attempted_at > ?", ch.ID, from).Scan(&n); err != nil {
				return err
			}
			if n < l.n {
				continue
			}
			ok = false
			var oldest time.Time
			if err := tx.QueryRow(ctx, "SELECT attempted_at FROM notify_deliveries WHERE channel_id = ? AND attempted_at > ? ORDER BY attempted_at LIMIT 1",
				ch.ID, from).Scan(&oldest); err != nil {
				return err
			}
			if t := oldest.UTC().Add(l.window); t.After(retryAt) {
				retryAt = t
			}
		}
		if !ok {
			if !retryAt.After(now) {
				retryAt = now.Add(time.Second)
			}
			return nil
		}
		_, err := tx.Exec(ctx, "UPDATE notify_deliveries SET attempted_at = ? WHERE id = ?", now, deliveryID)
		return err
	})
	return ok, retryAt, err
}

// rateLimited reports whether the channel is at one of its limits now (for
// the test button, which reserves nothing).
func (s *Service) rateLimited(ctx context.Context, ch *channel) (bool, error) {
	now := s.now()
	for _, l := range rateLimits[ch.Kind] {
		var n int
		if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM notify_deliveries WHERE channel_id = ? AND attempted_at > ?", ch.ID, now.Add(-l.window)).Scan(&n); err != nil {
			return false, err
		}
		if n >= l.n {
			return true, nil
		}
	}
	return false, nil
}

func (s *Service) absolute(link string) string {
	if link == "" || s.BaseURL == "" {
		return link
	}
	return strings.TrimRight(s.BaseURL, "/") + link
}

func (s *Service) out(d delivery) Out {
	return Out{Title: d.Title, Body: d.Body, Link: s.absolute(d.Link), Priority: d.Priority, DedupeKey: d.DedupeKey.String, Mention: splitPhones(d.Mention)}
}

var defaultClient = &http.Client{
	Timeout: 10 * time.Second,
	// A robot never redirects; following one would let a target lead the
	// server anywhere.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (s *Service) client() *http.Client {
	if s.HTTP != nil {
		return s.HTTP
	}
	return defaultClient
}

// send makes one attempt on ch. Its error never holds the secret or the
// target URL (which carries the robot's token).
func (s *Service) send(ctx context.Context, ch *channel, m Out) error {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	now := s.now()
	if ch.Kind == Email {
		return s.sendMail(ctx, ch.Target, m, now)
	}
	target := ch.Target
	var body []byte
	headers := map[string]string{}
	switch ch.Kind {
	case DingTalk:
		u, err := DingTalkURL(ch.Target, ch.Secret, now)
		if err != nil {
			return &sendError{msg: "bad target URL / 目标地址无效"}
		}
		target, body = u, DingTalkBody(m)
	case WeCom:
		body = WeComBody(m)
	case Feishu:
		body = FeishuBody(m, ch.Secret, now)
	case Webhook:
		body, headers = WebhookBody(m, ch.Secret, now)
	default:
		return &sendError{msg: "unknown channel kind " + ch.Kind}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return &sendError{msg: "bad target URL / 目标地址无效"}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "anwen-notify/1")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return &sendError{msg: "request failed / 请求失败: " + clip(bareError(err), 200)}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	return CheckAnswer(ch.Kind, resp.StatusCode, answer)
}

// bareError drops the URL from a client error: it carries the robot's token.
func bareError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return err.Error()
}

// Run delivers every few seconds until ctx ends. App.Start runs it on every
// server; they share the work through Deliver's claims.
func (s *Service) Run(ctx context.Context) {
	every := s.Interval
	if every <= 0 {
		every = 5 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			n, err := s.Deliver(ctx, runBatch)
			if err != nil {
				if ctx.Err() == nil {
					s.log().Warn("notify: deliver", "err", err)
				}
				break
			}
			if n < runBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
