// Package notify is the notification platform (通知): the in-app inbox and
// the outbound channels — DingTalk, WeCom and Feishu group robots (钉钉、企业微信、
// 飞书群机器人), e-mail, and a generic signed JSON webhook.
//
// Capabilities call Enqueue inside the transaction of their business change,
// so that a notification exists if and only if the change committed. Enqueue
// writes the inbox rows at once and one delivery row per channel; Deliver
// (looped by Run) sends what is due, with retries, rate limits and quiet
// hours, and leaves every failure visible to the administrators.
//
// The rules of 基层减负 shape it: messages are digests with a link (one per
// group per cycle, deduplicated by key), only the one responsible person is
// @mentioned and never everyone, normal messages wait out the quiet hours,
// and nothing asks anyone to reply "收到".
//
// This is a platform package: it knows users and organisations only as rows,
// and imports no capability.
package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
)

// Priorities.
const (
	Normal = "normal" // waits for the end of the quiet hours
	Urgent = "urgent" // goes at once, day or night (emergencies)
)

// Channel kinds.
const (
	DingTalk = "dingtalk" // 钉钉群机器人
	WeCom    = "wecom"    // 企业微信群机器人
	Feishu   = "feishu"   // 飞书群机器人
	Email    = "email"    // 电子邮件
	Webhook  = "webhook"  // generic signed JSON webhook (通用 Webhook)
)

// Kinds lists the channel kinds in display order.
var Kinds = []string{DingTalk, WeCom, Feishu, Email, Webhook}

// Delivery states.
const (
	Pending = "pending" // waiting for its time
	Sent    = "sent"    // the channel accepted it
	Failed  = "failed"  // failed, will be retried
	Dead    = "dead"    // failed MaxAttempts times; an administrator may retry it
)

// States lists the delivery states.
var States = []string{Pending, Sent, Failed, Dead}

// Limits.
const (
	MaxTitle    = 200  // characters
	MaxBody     = 4000 // characters
	MaxKey      = 200  // bytes of a dedupe key
	MaxMentions = 5    // phones @mentioned in one message
	MaxAttempts = 8    // attempts before a delivery is dead
)

// Message is what a capability sends.
type Message struct {
	// Kind classifies the message in the inbox (e.g. "dailyreport"); empty
	// means the first segment of DedupeKey, or "notice".
	Kind string
	// Title, Body and Link: Body is plain text (robots get markdown where they
	// support it); Link is a path of this site such as
	// /daily-reports/board?date=2026-11-27, made absolute with BaseURL for
	// robots and e-mail.
	Title, Body, Link string
	// Priority is Normal (default) or Urgent; urgent ignores the quiet hours.
	Priority string
	// DedupeKey, e.g. "dailyreport/remind/60/2026-11-27/org-15": a second
	// Enqueue with the same key is a no-op for every recipient and channel
	// that already has it. Empty: no deduplication.
	DedupeKey string
	// Mention holds the phone of the ONE responsible person to @mention on an
	// organisation's robots; never everyone.
	Mention []string
}

// Recipient says who gets a message: users get an inbox item and a delivery
// to each of their own enabled channels; organisations get a delivery to
// each of their enabled channels.
type Recipient struct {
	UserIDs []int64
	OrgIDs  []int64
}

// SMTPConfig is the outgoing mail server. An empty Host means e-mail is not
// configured: e-mail deliveries then fail visibly.
type SMTPConfig struct {
	Host     string
	Port     int    // 587 when 0 (25 and 465 are the other usual ones)
	Username string // PLAIN auth when set (net/smtp refuses it without TLS except on localhost)
	Password string
	From     string // e.g. "安稳 <anwen@example.gov.cn>"
	// ImplicitTLS connects with TLS from the start (port 465); otherwise
	// STARTTLS is used whenever the server offers it.
	ImplicitTLS bool
}

// Service keeps the inbox, the channels and the outbox.
type Service struct {
	DB    *db.DB
	Auth  *auth.Service // records refusals in the trail
	Clock clock.Clock
	// HTTP sends robot and webhook requests; nil means a client with a 10 s
	// timeout that never follows redirects.
	HTTP *http.Client
	// BaseURL (e.g. https://anwen.example.gov.cn) makes links absolute in
	// robot messages and e-mail.
	BaseURL string
	SMTP    SMTPConfig
	Log     *slog.Logger
	// AllowLocalTargets lets robot channels point at http://127.0.0.1 or
	// localhost instead of the vendor's host: for tests and demo installs
	// only, since it lets whoever configures a channel make the server call
	// its own loopback services.
	AllowLocalTargets bool
	// Interval is Run's pause between rounds (5 s when 0).
	Interval time.Duration
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

var (
	phoneRE = regexp.MustCompile(`^\+?[0-9][0-9-]{4,19}$`)
	kindRE  = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,39}$`)
)

// localPath reports whether p is a path of this site.
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\r\n\t ") && len(p) <= 1000
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// normalize checks a message. Errors are a capability's mistakes, so they
// are EINVALID and fail the caller's transaction.
func (m *Message) normalize() error {
	m.Title = strings.TrimSpace(strings.NewReplacer("\r", " ", "\n", " ").Replace(m.Title))
	m.Body = strings.TrimSpace(m.Body)
	m.Link = strings.TrimSpace(m.Link)
	m.DedupeKey = strings.TrimSpace(m.DedupeKey)
	m.Kind = strings.TrimSpace(m.Kind)
	if m.Title == "" || !utf8.ValidString(m.Title) || !utf8.ValidString(m.Body) {
		return apperr.Field(apperr.EINVALID, "title", "通知须有标题 / a notification needs a title")
	}
	m.Title, m.Body = clip(m.Title, MaxTitle), clip(m.Body, MaxBody)
	if m.Link != "" && !localPath(m.Link) {
		return apperr.Field(apperr.EINVALID, "link", "通知链接须为本系统路径，如 /inbox / the link must be a path of this site, e.g. /inbox")
	}
	switch m.Priority {
	case "":
		m.Priority = Normal
	case Normal, Urgent:
	default:
		return apperr.Field(apperr.EINVALID, "priority", "优先级只能是 normal 或 urgent / priority must be normal or urgent")
	}
	if len(m.DedupeKey) > MaxKey {
		return apperr.Field(apperr.EINVALID, "dedupe_key", "去重键过长 / the dedupe key is too long")
	}
	if m.Kind == "" {
		m.Kind = "notice"
		if k, _, _ := strings.Cut(m.DedupeKey, "/"); kindRE.MatchString(k) {
			m.Kind = k
		}
	}
	if !kindRE.MatchString(m.Kind) {
		return apperr.Field(apperr.EINVALID, "kind", "通知类别只能含小写字母、数字和 _.- / the kind holds lower-case letters, digits and _.- only")
	}
	m.Mention = cleanPhones(m.Mention)
	return nil
}

// cleanPhones keeps the well-formed phones, once each, at most MaxMentions.
func cleanPhones(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range in {
		p = strings.TrimSpace(p)
		if !phoneRE.MatchString(p) || seen[p] || len(out) == MaxMentions {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out
}

func splitPhones(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return cleanPhones(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == ';' }))
}

func uniqIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Enqueue writes the inbox rows and the delivery rows of m inside the
// caller's transaction tx: the notification exists if and only if the
// business change commits. With a DedupeKey, recipients and channels that
// already have that key are skipped (so a retried job sends nothing twice).
//
// Who is @mentioned on a robot: on an organisation's channel, the message's
// one responsible person (m.Mention), plus the channel's mention_mobiles (the
// people on duty) for urgent messages only; on a person's own channel, the
// channel's mention_mobiles (normally that person's own phone).
func (s *Service) Enqueue(ctx context.Context, tx *db.Tx, to Recipient, m Message) error {
	return s.EnqueueMany(ctx, tx, []Envelope{{To: to, Message: m}})
}

// Envelope is one message and who gets it.
type Envelope struct {
	To      Recipient
	Message Message
}

// Rows per multi-row INSERT: 250 rows of at most 11 values stay far below
// both databases' limits on bound parameters.
const enqueueChunk = 250

// EnqueueMany is Enqueue for many messages at once, with the same rows as
// one Enqueue each but a few statements for all of them: the settings and
// the channels are read once, and the rows go in multi-row INSERTs. A clock
// deadline that tells 90,000 silent units each their own message runs inside
// one transaction, and on SQLite that transaction holds the only writer.
func (s *Service) EnqueueMany(ctx context.Context, tx *db.Tx, envs []Envelope) error {
	for i := range envs {
		if err := envs[i].Message.normalize(); err != nil {
			return err
		}
	}
	now := s.now()
	set, err := readSettings(ctx, tx)
	if err != nil {
		return err
	}
	quietUntil, quiet := set.QuietUntil(now)
	var inbox [][]any
	var userIDs, orgIDs []int64
	for i := range envs {
		e := &envs[i]
		e.To.UserIDs, e.To.OrgIDs = uniqIDs(e.To.UserIDs), uniqIDs(e.To.OrgIDs)
		m := &e.Message
		for _, u := range e.To.UserIDs {
			inbox = append(inbox, []any{u, m.Kind, m.Title, m.Body, m.Link, m.Priority, nullString(m.DedupeKey), now})
		}
		userIDs = append(userIDs, e.To.UserIDs...)
		orgIDs = append(orgIDs, e.To.OrgIDs...)
	}
	// ON CONFLICT DO NOTHING, not a caught unique violation: on PostgreSQL a
	// failed statement would abort the caller's transaction.
	if err := insertRows(ctx, tx, "notifications", []string{"user_id", "kind", "title", "body", "link", "priority", "dedupe_key", "created_at"},
		[]string{"bigint", "text", "text", "text", "text", "text", "text", "timestamptz"}, " ON CONFLICT DO NOTHING", inbox); err != nil {
		return fmt.Errorf("notify: inbox: %w", err)
	}
	chans, err := channelsOf(ctx, tx, uniqIDs(userIDs), uniqIDs(orgIDs))
	if err != nil {
		return err
	}
	var outbox [][]any
	for _, e := range envs {
		m := e.Message
		due := now
		if m.Priority == Normal && quiet {
			due = quietUntil
		}
		var targets []ownedChannel
		for _, u := range e.To.UserIDs {
			targets = append(targets, chans[owner{"user", u}]...)
		}
		for _, o := range e.To.OrgIDs {
			targets = append(targets, chans[owner{"org", o}]...)
		}
		sort.Slice(targets, func(i, j int) bool { return targets[i].id < targets[j].id })
		for _, t := range targets {
			var mention []string
			if t.ownerKind == "user" {
				mention = splitPhones(t.mobiles)
			} else {
				mention = append(mention, m.Mention...)
				if m.Priority == Urgent {
					mention = append(mention, splitPhones(t.mobiles)...)
				}
				mention = cleanPhones(mention)
			}
			outbox = append(outbox, []any{t.id, nullString(m.DedupeKey), m.Title, m.Body, m.Link, m.Priority, strings.Join(mention, ","), due, now})
		}
	}
	if err := insertRows(ctx, tx, "notify_deliveries", []string{"channel_id", "notification_dedupe_key", "title", "body", "link", "priority", "mention",
		"next_attempt_at", "created_at"}, []string{"bigint", "text", "text", "text", "text", "text", "text", "timestamptz", "timestamptz"},
		" ON CONFLICT DO NOTHING", outbox); err != nil {
		return fmt.Errorf("notify: outbox: %w", err)
	}
	return nil
}

type owner struct {
	kind string
	id   int64
}

type ownedChannel struct {
	id        int64
	ownerKind string
	mobiles   string
}

// channelsOf reads the enabled channels of the given people (enabled
// accounts only) and organisations, by owner.
func channelsOf(ctx context.Context, tx *db.Tx, users, orgs []int64) (map[owner][]ownedChannel, error) {
	out := map[owner][]ownedChannel{}
	read := func(q string, ids []int64) error {
		for len(ids) > 0 {
			n := min(len(ids), 500)
			args := make([]any, n)
			for i, id := range ids[:n] {
				args[i] = id
			}
			ids = ids[n:]
			rows, err := tx.Query(ctx, fmt.Sprintf(q, placeholders(n)), args...)
			if err != nil {
				return fmt.Errorf("notify: channels: %w", err)
			}
			for rows.Next() {
				var c ownedChannel
				var id int64
				if err := rows.Scan(&c.id, &c.ownerKind, &id, &c.mobiles); err != nil {
					rows.Close()
					return err
				}
				k := owner{c.ownerKind, id}
				out[k] = append(out[k], c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := read(`SELECT c.id, c.owner_kind, c.owner_id, c.mention_mobiles FROM notify_channels c WHERE c.enabled = TRUE
		AND c.owner_kind = 'user' AND c.owner_id IN (SELECT id FROM users WHERE disabled = FALSE AND id IN (%s))`, users); err != nil {
		return nil, err
	}
	if err := read(`SELECT c.id, c.owner_kind, c.owner_id, c.mention_mobiles FROM notify_channels c WHERE c.enabled = TRUE
		AND c.owner_kind = 'org' AND c.owner_id IN (%s)`, orgs); err != nil {
		return nil, err
	}
	return out, nil
}

// insertRows inserts rows into table's cols, each column typed as in
// types ("bigint", "text" or "timestamptz"; a text value may be nil), then
// tail (e.g. ON CONFLICT DO NOTHING). PostgreSQL gets one statement with an
// array per column, which it plans once whatever the count; SQLite gets
// multi-row VALUES, enqueueChunk rows at a time.
func insertRows(ctx context.Context, tx *db.Tx, table string, cols, types []string, tail string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") "
	if tx.D() == db.Postgres {
		arrays := make([]any, len(cols))
		marks := make([]string, len(cols))
		for c, typ := range types {
			marks[c] = "?::" + typ + "[]"
			switch typ {
			case "bigint":
				a := make([]int64, len(rows))
				for i, r := range rows {
					a[i] = r[c].(int64)
				}
				arrays[c] = a
			case "timestamptz":
				a := make([]time.Time, len(rows))
				for i, r := range rows {
					a[i] = r[c].(time.Time)
				}
				arrays[c] = a
			default:
				a := make([]*string, len(rows))
				for i, r := range rows {
					if v, ok := r[c].(string); ok {
						a[i] = &v
					}
				}
				arrays[c] = a
			}
		}
		_, err := tx.Exec(ctx, head+"SELECT * FROM unnest("+strings.Join(marks, ", ")+")"+tail, arrays...)
		return err
	}
	one := "(" + placeholders(len(cols)) + ")"
	for len(rows) > 0 {
		n := min(len(rows), enqueueChunk)
		var b strings.Builder
		b.WriteString(head + "VALUES ")
		args := make([]any, 0, n*len(cols))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		b.WriteString(tail)
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// ---- quiet hours ----

// Settings are the quiet hours (免打扰时段), "HH:MM" in Beijing time. Equal
// start and end mean no quiet hours.
type Settings struct {
	QuietStart string `json:"quiet_start"`
	QuietEnd   string `json:"quiet_end"`
}

// DefaultSettings are 22:00–07:00.
var DefaultSettings = Settings{QuietStart: "22:00", QuietEnd: "07:00"}

func parseHHMM(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*3600 + t.Minute()*60, true
}

// Validate checks the two times.
func (st Settings) Validate() error {
	if _, ok := parseHHMM(st.QuietStart); !ok {
		return apperr.Field(apperr.EINVALID, "quiet_start", "时间格式应为 HH:MM，如 22:00 / the time must be HH:MM, e.g. 22:00")
	}
	if _, ok := parseHHMM(st.QuietEnd); !ok {
		return apperr.Field(apperr.EINVALID, "quiet_end", "时间格式应为 HH:MM，如 07:00 / the time must be HH:MM, e.g. 07:00")
	}
	return nil
}

// QuietUntil reports whether t falls in the quiet hours and, if so, when they end.
func (st Settings) QuietUntil(t time.Time) (time.Time, bool) {
	start, ok1 := parseHHMM(st.QuietStart)
	end, ok2 := parseHHMM(st.QuietEnd)
	if !ok1 || !ok2 || start == end {
		return time.Time{}, false
	}
	local := t.In(calendar.Location)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, calendar.Location)
	sod := int(local.Sub(midnight) / time.Second)
	at := func(day time.Time, secs int) time.Time { return day.Add(time.Duration(secs) * time.Second).UTC() }
	if start < end {
		if sod >= start && sod < end {
			return at(midnight, end), true
		}
		return time.Time{}, false
	}
	switch {
	case sod >= start:
		return at(midnight.AddDate(0, 0, 1), end), true
	case sod < end:
		return at(midnight, end), true
	}
	return time.Time{}, false
}

func readSettings(ctx context.Context, q db.Querier) (Settings, error) {
	var st Settings
	err := q.QueryRow(ctx, "SELECT quiet_start, quiet_end FROM notify_settings WHERE id = 1").Scan(&st.QuietStart, &st.QuietEnd)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings, nil
	}
	if err != nil {
		return st, fmt.Errorf("notify: settings: %w", err)
	}
	return st, nil
}
