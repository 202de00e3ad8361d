package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Out is one message as it leaves for a channel: the link already absolute.
type Out struct {
	Title, Body, Link string
	Priority          string
	DedupeKey         string
	Mention           []string
}

// Vendor limits (see docs of each robot; shared/reference/chat-robots.md).
const (
	weComMarkdownMax = 4096 // bytes
	weComTextMax     = 2048 // bytes
	feishuTextMax    = 18000
	dingTalkTextMax  = 18000
	openLabel        = "查看详情 / Open"
)

// truncateBytes cuts s to at most n bytes on a rune boundary, marking a cut with "…".
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	if n < len(ell) {
		return ""
	}
	cut := n - len(ell)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}

// fit joins head + body + tail within max bytes, shortening the body first
// so that the title and the link survive.
func fit(head, body, tail string, max int) string {
	if len(head)+len(body)+len(tail) <= max {
		return head + body + tail
	}
	room := max - len(head) - len(tail)
	if room < 8 {
		return truncateBytes(head+body+tail, max)
	}
	return head + truncateBytes(body, room) + tail
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// DingTalkSign is DingTalk's robot signature: base64(HMAC-SHA256(key = secret,
// msg = timestamp + "\n" + secret)), timestamp in milliseconds. The caller
// URL-encodes it (url.Values does).
func DingTalkSign(secret string, ms int64) string {
	ts := strconv.FormatInt(ms, 10)
	return base64.StdEncoding.EncodeToString(hmacSHA256([]byte(secret), []byte(ts+"\n"+secret)))
}

// FeishuSign is Feishu's robot signature: base64(HMAC-SHA256(key = timestamp
// + "\n" + secret, msg = empty)), timestamp in seconds. Reusing DingTalk's
// formula yields Feishu's error 19021.
func FeishuSign(secret string, sec int64) string {
	ts := strconv.FormatInt(sec, 10)
	return base64.StdEncoding.EncodeToString(hmacSHA256([]byte(ts+"\n"+secret), nil))
}

// WebhookSignature is the X-Anwen-Signature header of the generic webhook:
// "sha256=" + hex(HMAC-SHA256(key = secret, msg = raw body)).
func WebhookSignature(secret string, body []byte) string {
	return "sha256=" + hex.EncodeToString(hmacSHA256([]byte(secret), body))
}

// DingTalkURL appends timestamp and sign to the robot URL when there is a secret.
func DingTalkURL(target, secret string, now time.Time) (string, error) {
	if secret == "" {
		return target, nil
	}
	u, err := url.Parse(target)
	if err != nil {
		return "", err
	}
	ms := now.UnixMilli()
	q := u.Query()
	q.Set("timestamp", strconv.FormatInt(ms, 10))
	q.Set("sign", DingTalkSign(secret, ms))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func linkLine(link string) string {
	if link == "" {
		return ""
	}
	return "\n\n[" + openLabel + "](" + link + ")"
}

// DingTalkBody is the markdown message; mentions are @phone in the text and
// in at.atMobiles, never isAtAll.
func DingTalkBody(m Out) []byte {
	tail := linkLine(m.Link)
	if len(m.Mention) > 0 {
		tail += "\n\n@" + strings.Join(m.Mention, " @")
	}
	text := fit("#### "+m.Title+"\n\n", m.Body, tail, dingTalkTextMax)
	mobiles := m.Mention
	if mobiles == nil {
		mobiles = []string{}
	}
	b, _ := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"title": m.Title, "text": text},
		"at":       map[string]any{"atMobiles": mobiles, "isAtAll": false},
	})
	return b
}

// WeComBody is a markdown message of at most 4096 bytes; with mentions it is
// a text message (at most 2048 bytes) with mentioned_mobile_list instead,
// since WeCom's markdown cannot @ by phone.
func WeComBody(m Out) []byte {
	var v any
	if len(m.Mention) > 0 {
		tail := ""
		if m.Link != "" {
			tail = "\n" + m.Link
		}
		v = map[string]any{"msgtype": "text", "text": map[string]any{
			"content":               fit(m.Title+"\n", m.Body, tail, weComTextMax),
			"mentioned_mobile_list": m.Mention,
		}}
	} else {
		v = map[string]any{"msgtype": "markdown", "markdown": map[string]string{
			"content": fit("**"+m.Title+"**\n", m.Body, linkLine(m.Link), weComMarkdownMax),
		}}
	}
	b, _ := json.Marshal(v)
	return b
}

// FeishuBody is a text message; with a secret, timestamp (seconds) and sign
// go in the body. Feishu's text robots @ by user id, not by phone, so
// mentions are left out.
func FeishuBody(m Out, secret string, now time.Time) []byte {
	tail := ""
	if m.Link != "" {
		tail = "\n" + m.Link
	}
	v := map[string]any{"msg_type": "text", "content": map[string]string{"text": fit(m.Title+"\n", m.Body, tail, feishuTextMax)}}
	if secret != "" {
		sec := now.Unix()
		v["timestamp"] = strconv.FormatInt(sec, 10)
		v["sign"] = FeishuSign(secret, sec)
	}
	b, _ := json.Marshal(v)
	return b
}

// WebhookPayload is the body of the generic webhook.
type WebhookPayload struct {
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Link      string    `json:"link"`
	Priority  string    `json:"priority"`
	DedupeKey string    `json:"dedupe_key"`
	SentAt    time.Time `json:"sent_at"`
}

// WebhookBody returns the body and headers of the generic webhook:
// X-Anwen-Timestamp (seconds) always, X-Anwen-Signature when there is a secret.
func WebhookBody(m Out, secret string, now time.Time) ([]byte, map[string]string) {
	b, _ := json.Marshal(WebhookPayload{Title: m.Title, Body: m.Body, Link: m.Link, Priority: m.Priority, DedupeKey: m.DedupeKey, SentAt: now.UTC()})
	h := map[string]string{"X-Anwen-Timestamp": strconv.FormatInt(now.Unix(), 10)}
	if secret != "" {
		h["X-Anwen-Signature"] = WebhookSignature(secret, b)
	}
	return b, h
}

// sendError is a failed attempt: a message for last_error (never a secret,
// never the target URL) and, for rate limiting, how long to wait.
type sendError struct {
	msg        string
	retryAfter time.Duration
}

func (e *sendError) Error() string { return e.msg }

// dingTalkBlocked is DingTalk's "too many messages" code: the robot is
// blocked for 10 minutes.
const dingTalkBlocked = 130101

// CheckAnswer decides whether a channel accepted a message: HTTP 2xx and,
// for the robots, the JSON code 0 (DingTalk and WeCom errcode, Feishu code,
// or StatusCode for old Feishu robots). All three answer 200 with an error
// code in the body, so the status alone proves nothing.
func CheckAnswer(kind string, status int, body []byte) error {
	var a struct {
		ErrCode       *int   `json:"errcode"`
		ErrMsg        string `json:"errmsg"`
		Code          *int   `json:"code"`
		Msg           string `json:"msg"`
		StatusCode    *int   `json:"StatusCode"`
		StatusMessage string `json:"StatusMessage"`
	}
	parsed := json.Unmarshal(body, &a) == nil
	if status < 200 || status > 299 {
		msg := fmt.Sprintf("HTTP %d", status)
		if parsed && a.ErrCode != nil {
			msg += fmt.Sprintf(": errcode %d %s", *a.ErrCode, clip(a.ErrMsg, 120))
		} else if parsed && a.Code != nil {
			msg += fmt.Sprintf(": code %d %s", *a.Code, clip(a.Msg, 120))
		}
		return &sendError{msg: msg}
	}
	switch kind {
	case Webhook, Email:
		return nil
	case DingTalk, WeCom:
		if !parsed || a.ErrCode == nil {
			return &sendError{msg: "answer without errcode / 应答缺少 errcode"}
		}
		if *a.ErrCode != 0 {
			e := &sendError{msg: fmt.Sprintf("errcode %d: %s", *a.ErrCode, clip(a.ErrMsg, 160))}
			if kind == DingTalk && *a.ErrCode == dingTalkBlocked {
				e.retryAfter = 10 * time.Minute
			}
			return e
		}
		return nil
	case Feishu:
		switch {
		case parsed && a.Code != nil:
			if *a.Code != 0 {
				return &sendError{msg: fmt.Sprintf("code %d: %s", *a.Code, clip(a.Msg, 160))}
			}
			return nil
		case parsed && a.StatusCode != nil:
			if *a.StatusCode != 0 {
				return &sendError{msg: fmt.Sprintf("StatusCode %d: %s", *a.StatusCode, clip(a.StatusMessage, 160))}
			}
			return nil
		}
		return &sendError{msg: "answer without code / 应答缺少 code"}
	}
	return &sendError{msg: "unknown channel kind " + kind}
}
