package notify

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"net/mail"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
)

// Owner kinds.
const (
	OwnerUser = "user" // a person's own channel
	OwnerOrg  = "org"  // an organisation's channel (its work group's robot)
)

// Limits on channel fields.
const (
	MaxChannelName = 50
	MaxTarget      = 1000
	MaxSecret      = 200
	MaxMobiles     = 10
	listMax        = 200
)

// vendorHosts are the hosts each robot kind may point at (the domain or a
// subdomain of it).
var vendorHosts = map[string][]string{
	DingTalk: {"oapi.dingtalk.com", "api.dingtalk.com"},
	WeCom:    {"qyapi.weixin.qq.com"},
	Feishu:   {"open.feishu.cn", "open.larksuite.com"},
}

// Channel is a channel as the API shows it: the secret never, only whether
// there is one, and the target with its token masked (a robot URL's token is
// a credential).
type Channel struct {
	ID             int64     `json:"id"`
	OwnerKind      string    `json:"owner_kind"`
	OwnerID        int64     `json:"owner_id"`
	OwnerName      string    `json:"owner_name"`
	Kind           string    `json:"kind"`
	Name           string    `json:"name"`
	Target         string    `json:"target"`
	HasSecret      bool      `json:"has_secret"`
	MentionMobiles string    `json:"mention_mobiles"`
	Enabled        bool      `json:"enabled"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// ChannelInput creates a channel. owner_id 0 with owner_kind "user" means the caller.
type ChannelInput struct {
	OwnerKind      string `json:"owner_kind"`
	OwnerID        int64  `json:"owner_id"`
	Kind           string `json:"kind"`
	Name           string `json:"name"`
	Target         string `json:"target"`
	Secret         string `json:"secret"`
	MentionMobiles string `json:"mention_mobiles"`
	Enabled        *bool  `json:"enabled"`
}

// ChannelPatch changes a channel; absent fields stay. An empty secret
// removes the secret. The owner cannot change.
type ChannelPatch struct {
	Kind           *string `json:"kind"`
	Name           *string `json:"name"`
	Target         *string `json:"target"`
	Secret         *string `json:"secret"`
	MentionMobiles *string `json:"mention_mobiles"`
	Enabled        *bool   `json:"enabled"`
}

// TestResult is the answer of a test send.
type TestResult struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

func oneOf(s string, list []string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// MaskTarget hides the credential part of a target: query values and, for
// Feishu, the token at the end of the path. E-mail addresses show as they are.
func MaskTarget(kind, target string) string {
	if kind == Email {
		return target
	}
	u, err := url.Parse(target)
	if err != nil {
		return "…"
	}
	mask := func(s string) string {
		r := []rune(s)
		if len(r) <= 6 {
			return "…"
		}
		return string(r[:4]) + "…"
	}
	if u.RawQuery != "" {
		q := u.Query()
		parts := make([]string, 0, len(q))
		for k, vs := range q {
			for _, v := range vs {
				parts = append(parts, url.QueryEscape(k)+"="+mask(v))
			}
		}
		sort.Strings(parts)
		u.RawQuery = ""
		return strings.TrimSuffix(u.String(), "?") + "?" + strings.Join(parts, "&")
	}
	if kind == Feishu || kind == Webhook {
		segs := strings.Split(u.Path, "/")
		if n := len(segs); n > 0 && len(segs[n-1]) > 6 {
			segs[n-1] = mask(segs[n-1])
			return u.Scheme + "://" + u.Host + strings.Join(segs, "/")
		}
	}
	return u.String()
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validateTarget checks a target for kind.
func (s *Service) validateTarget(kind, target string) error {
	if kind == Email {
		a, err := mail.ParseAddress(target)
		if err != nil || a.Address != target || a.Name != "" || len(target) > 254 || strings.ContainsAny(target, "\r\n<>") {
			return apperr.Field(apperr.EINVALID, "target", "请填写有效的电子邮件地址，如 name@example.gov.cn / enter a valid e-mail address, e.g. name@example.gov.cn")
		}
		return nil
	}
	bad := func() error {
		return apperr.Field(apperr.EINVALID, "target", "请填写以 https:// 开头的有效地址 / enter a valid URL starting with https://")
	}
	if len(target) > MaxTarget || strings.ContainsAny(target, " \r\n\t") {
		return bad()
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Opaque != "" || u.Fragment != "" {
		return bad()
	}
	host := strings.ToLower(u.Hostname())
	local := isLoopback(host)
	if local && !s.AllowLocalTargets {
		return apperr.Field(apperr.EINVALID, "target", "不能指向本机地址 / the target cannot be this server's own address")
	}
	hosts, robot := vendorHosts[kind]
	if !robot || local {
		return nil
	}
	if u.Scheme != "https" {
		return apperr.Field(apperr.EINVALID, "target", "机器人地址须以 https:// 开头 / a robot's URL must start with https://")
	}
	for _, h := range hosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return nil
		}
	}
	return apperr.Field(apperr.EINVALID, "target", "地址不像该平台的机器人 Webhook（应为 %s） / the URL is not a robot webhook of this platform (expected %s)", hosts[0], hosts[0])
}

// clean trims and checks the editable fields of a channel.
func (s *Service) clean(c *channel) error {
	c.Name, c.Target, c.Secret = strings.TrimSpace(c.Name), strings.TrimSpace(c.Target), strings.TrimSpace(c.Secret)
	if !oneOf(c.Kind, Kinds) {
		return apperr.Field(apperr.EINVALID, "kind", "渠道类型只能是 dingtalk、wecom、feishu、email 或 webhook / kind must be dingtalk, wecom, feishu, email or webhook")
	}
	if n := utf8.RuneCountInString(c.Name); n < 1 || n > MaxChannelName || !utf8.ValidString(c.Name) {
		return apperr.Field(apperr.EINVALID, "name", "名称应为 1 至 %d 个字 / the name must be 1 to %d characters", MaxChannelName, MaxChannelName)
	}
	if err := s.validateTarget(c.Kind, c.Target); err != nil {
		return err
	}
	if len(c.Secret) > MaxSecret || strings.ContainsAny(c.Secret, "\r\n") {
		return apperr.Field(apperr.EINVALID, "secret", "密钥最多 %d 个字符 / the secret is at most %d characters", MaxSecret, MaxSecret)
	}
	if c.Kind == WeCom && c.Secret != "" {
		return apperr.Field(apperr.EINVALID, "secret", "企业微信机器人没有加签密钥，地址中的 key 即凭据 / WeCom robots have no signing secret: the key in the URL is the credential")
	}
	raw := strings.FieldsFunc(c.MentionMobiles, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == ';' })
	if len(raw) > MaxMobiles {
		return apperr.Field(apperr.EINVALID, "mention_mobiles", "最多 %d 个手机号 / at most %d phone numbers", MaxMobiles, MaxMobiles)
	}
	for _, p := range raw {
		if !phoneRE.MatchString(p) {
			return apperr.Field(apperr.EINVALID, "mention_mobiles", "手机号格式不正确：%s / not a phone number: %s", p, p)
		}
	}
	c.MentionMobiles = strings.Join(raw, ",")
	if c.MentionMobiles != "" && (c.Kind == Email || c.Kind == Webhook) {
		return apperr.Field(apperr.EINVALID, "mention_mobiles", "只有群机器人可以 @ 手机号 / only group robots can @mention phones")
	}
	return nil
}

// orgPath returns the materialised path of an organisation, ENOTFOUND when absent.
func orgPath(ctx context.Context, q db.Querier, id int64) (string, error) {
	var p string
	err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", id).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFound("organisation")
	}
	return p, err
}

// rootPath returns the path of the top of the tree (the district).
func rootPath(ctx context.Context, q db.Querier) (string, error) {
	var p string
	err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1").Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return p, err
}

// subtree is a condition on column for the subtree at path, with its arguments.
func subtree(column, path string) (string, []any) {
	return "(" + column + " >= ? AND " + column + " < ?)", []any{path, path[:len(path)-1] + "0"}
}

func objID(id int64) string {
	if id <= 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// authorizeOwner decides whether a may manage channels of the owner: their
// own, or an organisation's where they hold notify.manage. Anything else is
// ENOTFOUND, recorded as a refusal.
func (s *Service) authorizeOwner(ctx context.Context, a *auth.Actor, ownerKind string, ownerID, channelID int64) error {
	if a == nil {
		return apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	switch ownerKind {
	case OwnerUser:
		if a.Operator || (a.UserID != 0 && ownerID == a.UserID) {
			return nil
		}
		return s.Auth.Refuse(ctx, a, auth.NotifyManage, "notify_channel", apperr.NotFound("channel"))
	case OwnerOrg:
		path, err := orgPath(ctx, s.DB, ownerID)
		if err != nil {
			if apperr.Code(err) == apperr.ENOTFOUND {
				return s.Auth.Refuse(ctx, a, auth.NotifyManage, "notify_channel", err)
			}
			return err
		}
		if err := s.Auth.Check(ctx, a, auth.NotifyManage, path, "notify_channel", objID(channelID)); err != nil {
			// Someone who may not manage an org's channels does not learn they exist.
			if apperr.Code(err) == apperr.EFORBIDDEN {
				return apperr.NotFound("channel")
			}
			return err
		}
		return nil
	}
	return apperr.Field(apperr.EINVALID, "owner_kind", "owner_kind 只能是 user 或 org / owner_kind must be user or org")
}

// channelFor loads channel id for a, ENOTFOUND (recorded) when a may not manage it.
func (s *Service) channelFor(ctx context.Context, a *auth.Actor, q db.Querier, id int64) (*channel, error) {
	c, err := loadChannel(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, apperr.NotFound("channel")
	}
	if err := s.authorizeOwner(ctx, a, c.OwnerKind, c.OwnerID, c.ID); err != nil {
		return nil, err
	}
	return c, nil
}

// snapshot is what the trail digests of a channel: never the secret.
type snapshot struct {
	OwnerKind, Kind, Name, Target, MentionMobiles string
	OwnerID                                       int64
	HasSecret, Enabled                            bool
}

func snap(c *channel) snapshot {
	return snapshot{c.OwnerKind, c.Kind, c.Name, c.Target, c.MentionMobiles, c.OwnerID, c.Secret != "", c.Enabled}
}

func (s *Service) entry(a *auth.Actor, action string, c *channel) audit.Entry {
	orgID := a.OrgID
	if c.OwnerKind == OwnerOrg {
		orgID = c.OwnerID
	}
	return a.Entry(s.now(), action, "notify_channel", objID(c.ID), orgID)
}

func (s *Service) public(ctx context.Context, c *channel) Channel {
	out := Channel{ID: c.ID, OwnerKind: c.OwnerKind, OwnerID: c.OwnerID, Kind: c.Kind, Name: c.Name,
		Target: MaskTarget(c.Kind, c.Target), HasSecret: c.Secret != "", MentionMobiles: c.MentionMobiles,
		Enabled: c.Enabled, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	q := "SELECT name FROM users WHERE id = ?"
	if c.OwnerKind == OwnerOrg {
		q = "SELECT name FROM orgs WHERE id = ?"
	}
	s.DB.QueryRow(ctx, q, c.OwnerID).Scan(&out.OwnerName)
	return out
}

// CreateChannel adds a channel for the caller or for an organisation in
// the caller's notify.manage scope. Generic webhooks are for administrators
// only: they may point anywhere.
func (s *Service) CreateChannel(ctx context.Context, a *auth.Actor, in ChannelInput) (*Channel, error) {
	in.OwnerKind = strings.TrimSpace(in.OwnerKind)
	if in.OwnerKind == "" {
		in.OwnerKind = OwnerUser
	}
	if in.OwnerKind == OwnerUser && in.OwnerID == 0 && a != nil {
		in.OwnerID = a.UserID
	}
	if err := s.authorizeOwner(ctx, a, in.OwnerKind, in.OwnerID, 0); err != nil {
		return nil, err
	}
	c := &channel{OwnerKind: in.OwnerKind, OwnerID: in.OwnerID, Kind: strings.TrimSpace(in.Kind), Name: in.Name, Target: in.Target,
		Secret: in.Secret, MentionMobiles: in.MentionMobiles, Enabled: in.Enabled == nil || *in.Enabled}
	if err := s.clean(c); err != nil {
		return nil, err
	}
	if c.Kind == Webhook && !a.Operator && !a.CanAnywhere(auth.NotifyManage) {
		return nil, apperr.Field(apperr.ERULE, "kind", "通用 Webhook 只能由系统管理员配置 / only administrators may set up a generic webhook")
	}
	now := s.now()
	c.CreatedAt, c.UpdatedAt = now, now
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := db.InsertID(ctx, tx, `INSERT INTO notify_channels (owner_kind, owner_id, kind, name, target, secret, mention_mobiles, enabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.OwnerKind, c.OwnerID, c.Kind, c.Name, c.Target, c.Secret, c.MentionMobiles, c.Enabled, now, now)
		if err != nil {
			return err
		}
		c.ID = id
		e := s.entry(a, "notify.channel.create", c)
		e.After, e.Detail = snap(c), c.Kind
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	out := s.public(ctx, c)
	return &out, nil
}

// UpdateChannel changes channel id.
func (s *Service) UpdateChannel(ctx context.Context, a *auth.Actor, id int64, p ChannelPatch) (*Channel, error) {
	// Authorized before the transaction: a refusal is recorded in a
	// transaction of its own (SQLite has one writer). The owner never changes.
	if _, err := s.channelFor(ctx, a, s.DB, id); err != nil {
		return nil, err
	}
	var out *channel
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := loadChannel(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur == nil {
			return apperr.NotFound("channel")
		}
		next := *cur
		if p.Kind != nil {
			next.Kind = strings.TrimSpace(*p.Kind)
		}
		if p.Name != nil {
			next.Name = *p.Name
		}
		if p.Target != nil {
			next.Target = *p.Target
		}
		if p.Secret != nil {
			next.Secret = *p.Secret
		}
		if p.MentionMobiles != nil {
			next.MentionMobiles = *p.MentionMobiles
		}
		if p.Enabled != nil {
			next.Enabled = *p.Enabled
		}
		if err := s.clean(&next); err != nil {
			return err
		}
		if next.Kind == Webhook && cur.Kind != Webhook && !a.Operator && !a.CanAnywhere(auth.NotifyManage) {
			return apperr.Field(apperr.ERULE, "kind", "通用 Webhook 只能由系统管理员配置 / only administrators may set up a generic webhook")
		}
		next.UpdatedAt = s.now()
		if _, err := tx.Exec(ctx, `UPDATE notify_channels SET kind = ?, name = ?, target = ?, secret = ?, mention_mobiles = ?, enabled = ?, updated_at = ? WHERE id = ?`,
			next.Kind, next.Name, next.Target, next.Secret, next.MentionMobiles, next.Enabled, next.UpdatedAt, id); err != nil {
			return err
		}
		e := s.entry(a, "notify.channel.update", &next)
		e.Before, e.After = snap(cur), snap(&next)
		if p.Secret != nil {
			e.Detail = "secret changed"
		}
		out = &next
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	c := s.public(ctx, out)
	return &c, nil
}

// DeleteChannel removes channel id and its outbox rows.
func (s *Service) DeleteChannel(ctx context.Context, a *auth.Actor, id int64) error {
	if _, err := s.channelFor(ctx, a, s.DB, id); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := loadChannel(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur == nil {
			return apperr.NotFound("channel")
		}
		if _, err := tx.Exec(ctx, "DELETE FROM notify_deliveries WHERE channel_id = ?", id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM notify_channels WHERE id = ?", id); err != nil {
			return err
		}
		e := s.entry(a, "notify.channel.delete", cur)
		e.Before = snap(cur)
		return audit.Append(ctx, tx, e)
	})
}

// Channels lists the caller's own channels, then the organisations' channels
// in the caller's notify.manage scopes.
func (s *Service) Channels(ctx context.Context, a *auth.Actor) ([]Channel, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	conds := []string{"(c.owner_kind = 'user' AND c.owner_id = ?)"}
	args := []any{a.UserID}
	for _, p := range a.Scopes(auth.NotifyManage) {
		cond, xs := subtree("o.path", p)
		conds = append(conds, "(c.owner_kind = 'org' AND "+cond+")")
		args = append(args, xs...)
	}
	rows, err := s.DB.Query(ctx, `SELECT c.id, c.owner_kind, c.owner_id, c.kind, c.name, c.target, c.secret, c.mention_mobiles, c.enabled, c.created_at, c.updated_at,
		COALESCE(o.name, u.name, ''), COALESCE(o.path, '')
		FROM notify_channels c
		LEFT JOIN orgs o ON c.owner_kind = 'org' AND o.id = c.owner_id
		LEFT JOIN users u ON c.owner_kind = 'user' AND u.id = c.owner_id
		WHERE `+strings.Join(conds, " OR ")+`
		ORDER BY CASE WHEN c.owner_kind = 'user' THEN 0 ELSE 1 END, COALESCE(o.path, ''), c.id LIMIT `+strconv.Itoa(listMax), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Channel{}
	for rows.Next() {
		c := &channel{}
		var owner, path string
		if err := rows.Scan(&c.ID, &c.OwnerKind, &c.OwnerID, &c.Kind, &c.Name, &c.Target, &c.Secret, &c.MentionMobiles, &c.Enabled, &c.CreatedAt, &c.UpdatedAt, &owner, &path); err != nil {
			return nil, err
		}
		out = append(out, Channel{ID: c.ID, OwnerKind: c.OwnerKind, OwnerID: c.OwnerID, OwnerName: owner, Kind: c.Kind, Name: c.Name,
			Target: MaskTarget(c.Kind, c.Target), HasSecret: c.Secret != "", MentionMobiles: c.MentionMobiles, Enabled: c.Enabled,
			CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()})
	}
	return out, rows.Err()
}

// TestChannel sends a test message to channel id at once and reports the
// outcome; it writes no delivery. The attempt is recorded in the trail.
func (s *Service) TestChannel(ctx context.Context, a *auth.Actor, id int64) (*TestResult, error) {
	c, err := s.channelFor(ctx, a, s.DB, id)
	if err != nil {
		return nil, err
	}
	res := &TestResult{OK: true}
	if limited, err := s.rateLimited(ctx, c); err != nil {
		return nil, err
	} else if limited {
		res.OK, res.Error = false, "该渠道发送过于频繁，请稍后再试 / the channel is at its rate limit, try again later"
	} else {
		m := Out{Title: "安稳测试消息 / Anwen test message", Body: "这是一条测试消息，说明该渠道可以正常接收通知，无需回复。\nThis is a test: the channel receives notifications. No reply is needed.",
			Link: s.absolute("/inbox"), Priority: Normal, DedupeKey: "notify/test/" + objID(id), Mention: nil}
		if err := s.send(ctx, c, m); err != nil {
			res.OK, res.Error = false, err.Error()
		}
	}
	e := s.entry(a, "notify.channel.test", c)
	if !res.OK {
		e.Result, e.Detail = audit.Failed, clip(res.Error, 200)
	}
	if err := audit.AppendAlone(ctx, s.DB, e); err != nil {
		return nil, err
	}
	s.log().Info("notify: test send", "channel", c.ID, "kind", c.Kind, "ok", res.OK, "error", res.Error)
	return res, nil
}
