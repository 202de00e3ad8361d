package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The signatures, computed here from the vendors' published formulas
// independently of the code under test.
func TestSignatures(t *testing.T) {
	secret := "SECabc123密钥"
	ms := int64(1764208800123)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("1764208800123\n" + secret))
	wantDing := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if got := DingTalkSign(secret, ms); got != wantDing {
		t.Errorf("DingTalkSign = %s, want %s", got, wantDing)
	}
	// Feishu: the string is the key, the message is empty, seconds.
	mac = hmac.New(sha256.New, []byte("1764208800\n"+secret))
	wantFeishu := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if got := FeishuSign(secret, 1764208800); got != wantFeishu {
		t.Errorf("FeishuSign = %s, want %s", got, wantFeishu)
	}
	if FeishuSign(secret, 1764208800) == DingTalkSign(secret, 1764208800) {
		t.Error("the two formulas must differ")
	}
	body := []byte(`{"title":"x"}`)
	mac = hmac.New(sha256.New, []byte("k"))
	mac.Write(body)
	if got, want := WebhookSignature("k", body), "sha256="+hex.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("WebhookSignature = %s, want %s", got, want)
	}
}

func TestDingTalkURL(t *testing.T) {
	now := time.Date(2026, 11, 27, 2, 0, 0, 123e6, time.UTC)
	u, err := DingTalkURL("https://oapi.dingtalk.com/robot/send?access_token=TOKEN", "SECx", now)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := url.Parse(u)
	q := p.Query()
	if q.Get("access_token") != "TOKEN" || q.Get("timestamp") != "1795744800123" || q.Get("sign") != DingTalkSign("SECx", 1795744800123) {
		t.Errorf("url %s: query %v", u, q)
	}
	// The sign is URL-encoded in the raw query: base64 has + / =.
	if strings.ContainsAny(p.RawQuery[strings.Index(p.RawQuery, "sign="):], "+/") {
		t.Errorf("sign not URL-encoded: %s", p.RawQuery)
	}
	if u, _ := DingTalkURL("https://oapi.dingtalk.com/robot/send?access_token=T", "", now); u != "https://oapi.dingtalk.com/robot/send?access_token=T" {
		t.Errorf("without a secret the URL stays: %s", u)
	}
}

func TestTruncateBytes(t *testing.T) {
	s := strings.Repeat("安", 10) // 30 bytes
	for n := 0; n <= 31; n++ {
		got := truncateBytes(s, n)
		if len(got) > n || !utf8.ValidString(got) {
			t.Errorf("truncateBytes(%d) = %q (%d bytes)", n, got, len(got))
		}
		if n >= 30 && got != s {
			t.Errorf("truncateBytes(%d) cut a string that fits", n)
		}
	}
}

func TestRobotBodies(t *testing.T) {
	long := strings.Repeat("隐患整改情况汇总。", 800) // ~21 KB
	m := Out{Title: "青山镇 11 月 27 日日报汇总", Body: long, Link: "https://anwen.example/daily-reports/board?date=2026-11-27", Priority: Normal}
	t.Run("wecom markdown fits 4096 bytes and keeps the link", func(t *testing.T) {
		var v struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		if err := json.Unmarshal(WeComBody(m), &v); err != nil {
			t.Fatal(err)
		}
		c := v.Markdown.Content
		if v.MsgType != "markdown" || len(c) > 4096 || len(c) < 4000 || !utf8.ValidString(c) || !strings.Contains(c, m.Link) || !strings.HasPrefix(c, "**"+m.Title) {
			t.Errorf("msgtype %s, %d bytes, valid %v, content %.80q…", v.MsgType, len(c), utf8.ValidString(c), c)
		}
	})
	t.Run("wecom with a mention is text with mentioned_mobile_list", func(t *testing.T) {
		mm := m
		mm.Mention = []string{"13800000001"}
		var v struct {
			MsgType string `json:"msgtype"`
			Text    struct {
				Content string   `json:"content"`
				Mobiles []string `json:"mentioned_mobile_list"`
			} `json:"text"`
		}
		if err := json.Unmarshal(WeComBody(mm), &v); err != nil {
			t.Fatal(err)
		}
		if v.MsgType != "text" || len(v.Text.Content) > 2048 || len(v.Text.Mobiles) != 1 || v.Text.Mobiles[0] != "13800000001" || !strings.Contains(v.Text.Content, m.Link) {
			t.Errorf("%+v", v)
		}
	})
	t.Run("dingtalk markdown with @phone and never @all", func(t *testing.T) {
		mm := m
		mm.Body, mm.Mention = "3 个村未报", []string{"13800000001"}
		var v struct {
			MsgType  string            `json:"msgtype"`
			Markdown map[string]string `json:"markdown"`
			At       struct {
				Mobiles []string `json:"atMobiles"`
				All     bool     `json:"isAtAll"`
			} `json:"at"`
		}
		raw := DingTalkBody(mm)
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		text := v.Markdown["text"]
		if v.MsgType != "markdown" || v.Markdown["title"] != m.Title || !strings.Contains(text, "@13800000001") ||
			!strings.Contains(text, "]("+m.Link+")") || v.At.All || len(v.At.Mobiles) != 1 || !strings.Contains(string(raw), `"isAtAll":false`) {
			t.Errorf("%s", raw)
		}
	})
	t.Run("feishu text with seconds and sign in the body", func(t *testing.T) {
		now := time.Unix(1764208800, 0)
		var v map[string]any
		if err := json.Unmarshal(FeishuBody(m, "s3cret", now), &v); err != nil {
			t.Fatal(err)
		}
		if v["msg_type"] != "text" || v["timestamp"] != "1764208800" || v["sign"] != FeishuSign("s3cret", 1764208800) {
			t.Errorf("%v", v)
		}
		v = nil
		if err := json.Unmarshal(FeishuBody(m, "", now), &v); err != nil {
			t.Fatal(err)
		}
		if _, ok := v["sign"]; ok {
			t.Error("no sign without a secret")
		}
	})
}

func TestCheckAnswer(t *testing.T) {
	cases := []struct {
		kind   string
		status int
		body   string
		ok     bool
		msg    string
		retry  time.Duration
	}{
		{DingTalk, 200, `{"errcode":0,"errmsg":"ok"}`, true, "", 0},
		{DingTalk, 200, `{"errcode":310000,"errmsg":"sign not match"}`, false, "errcode 310000: sign not match", 0},
		{DingTalk, 200, `{"errcode":130101,"errmsg":"send too fast"}`, false, "errcode 130101", 10 * time.Minute},
		{DingTalk, 200, `<html>`, false, "without errcode", 0},
		{WeCom, 200, `{"errcode":0,"errmsg":"ok"}`, true, "", 0},
		{WeCom, 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`, false, "errcode 93000", 0},
		{Feishu, 200, `{"code":0,"msg":"success"}`, true, "", 0},
		{Feishu, 200, `{"StatusCode":0,"StatusMessage":"success"}`, true, "", 0},
		{Feishu, 200, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`, false, "code 19021", 0},
		{Feishu, 200, `{}`, false, "without code", 0},
		{Webhook, 204, ``, true, "", 0},
		{Webhook, 500, `oops`, false, "HTTP 500", 0},
		{DingTalk, 502, `{"errcode":-1,"errmsg":"busy"}`, false, "HTTP 502: errcode -1", 0},
	}
	for _, c := range cases {
		t.Run(c.kind+" "+c.body, func(t *testing.T) {
			err := CheckAnswer(c.kind, c.status, []byte(c.body))
			if (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok %v", err, c.ok)
			}
			if err != nil {
				if !strings.Contains(err.Error(), c.msg) {
					t.Errorf("err = %q, want it to contain %q", err, c.msg)
				}
				if se := err.(*sendError); se.retryAfter != c.retry {
					t.Errorf("retryAfter = %v, want %v", se.retryAfter, c.retry)
				}
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 30 * time.Minute, 30 * time.Minute, 30 * time.Minute}
	for i, w := range want {
		if got := Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

func TestQuietUntil(t *testing.T) {
	sh := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, shanghai()) }
	cases := []struct {
		name  string
		st    Settings
		at    time.Time
		quiet bool
		until time.Time
	}{
		{"23:00 is quiet until 07:00 next day", DefaultSettings, sh(27, 23, 0), true, sh(28, 7, 0)},
		{"22:00 starts the quiet", DefaultSettings, sh(27, 22, 0), true, sh(28, 7, 0)},
		{"03:00 is quiet until 07:00 the same day", DefaultSettings, sh(28, 3, 0), true, sh(28, 7, 0)},
		{"07:00 is not quiet", DefaultSettings, sh(28, 7, 0), false, time.Time{}},
		{"10:00 is not quiet", DefaultSettings, sh(27, 10, 0), false, time.Time{}},
		{"21:59 is not quiet", DefaultSettings, sh(27, 21, 59), false, time.Time{}},
		{"a window within the day", Settings{"12:00", "14:00"}, sh(27, 13, 0), true, sh(27, 14, 0)},
		{"outside a window within the day", Settings{"12:00", "14:00"}, sh(27, 15, 0), false, time.Time{}},
		{"equal times mean none", Settings{"00:00", "00:00"}, sh(27, 3, 0), false, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			until, quiet := c.st.QuietUntil(c.at.UTC())
			if quiet != c.quiet || !until.Equal(c.until) {
				t.Errorf("QuietUntil = %v, %v; want %v, %v", until, quiet, c.until, c.quiet)
			}
		})
	}
	if err := (Settings{"25:00", "07:00"}).Validate(); err == nil {
		t.Error("25:00 accepted")
	}
	if err := (Settings{"7:00", "07:00"}).Validate(); err == nil {
		t.Error("7:00 accepted")
	}
}

func shanghai() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}

func TestMaskTarget(t *testing.T) {
	cases := map[string][2]string{
		"dingtalk": {"https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef", "https://oapi.dingtalk.com/robot/send?access_token=0123…"},
		"wecom":    {"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a…"},
		"feishu":   {"https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef", "https://open.feishu.cn/open-apis/bot/v2/hook/0123…"},
		"email":    {"zhang@example.gov.cn", "zhang@example.gov.cn"},
	}
	for kind, c := range cases {
		if got := MaskTarget(kind, c[0]); got != c[1] {
			t.Errorf("MaskTarget(%s) = %s, want %s", kind, got, c[1])
		}
	}
}

func TestMessageNormalize(t *testing.T) {
	m := Message{Title: " 日报\r\n提醒 ", DedupeKey: "dailyreport/remind/60/2026-11-27/org-15", Mention: []string{"13800000001", "bad", "13800000001", "+86-13800000002"}}
	if err := m.normalize(); err != nil {
		t.Fatal(err)
	}
	if m.Title != "日报  提醒" || m.Kind != "dailyreport" || m.Priority != Normal || strings.Join(m.Mention, ",") != "13800000001,+86-13800000002" {
		t.Errorf("%+v", m)
	}
	for _, bad := range []Message{{Title: ""}, {Title: "x", Link: "https://evil.example/"}, {Title: "x", Link: "//evil.example/"}, {Title: "x", Priority: "high"}} {
		if err := bad.normalize(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
