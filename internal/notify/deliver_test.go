package notify_test

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/notify"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var ctx = context.Background()

// fixture is a database with one organisation and three people, and a
// service on a manual clock at 10:00 Shanghai time.
type fixture struct {
	t      *testing.T
	d      *db.DB
	clk    *clock.Manual
	svc    *notify.Service
	org    int64
	users  [3]int64
	phones [3]string
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC))
	f := &fixture{t: t, d: d, clk: clk}
	f.svc = &notify.Service{DB: d, Auth: &auth.Service{DB: d, Clock: clk}, Clock: clk, AllowLocalTargets: true,
		BaseURL: "https://anwen.example.gov.cn", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	now := clk.Now()
	err := d.InTx(ctx, func(tx *db.Tx) error {
		id, err := db.InsertID(ctx, tx, "INSERT INTO orgs (name, kind, code, path, depth, sort, created_at, updated_at) VALUES ('测试镇', 'township', 'T', '/', 0, 0, ?, ?)", now, now)
		if err != nil {
			return err
		}
		f.org = id
		if _, err := tx.Exec(ctx, "UPDATE orgs SET path = ? WHERE id = ?", "/"+strconv.FormatInt(id, 10)+"/", id); err != nil {
			return err
		}
		for i := range f.users {
			f.phones[i] = fmt.Sprintf("1380000000%d", i)
			f.users[i], err = db.InsertID(ctx, tx, "INSERT INTO users (login, name, org_id, phone, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, 'x', ?, ?)",
				fmt.Sprintf("u%d", i), fmt.Sprintf("用户%d", i), id, f.phones[i], now, now)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// channel creates a channel as the command line would.
func (f *fixture) channel(in notify.ChannelInput) int64 {
	f.t.Helper()
	c, err := f.svc.CreateChannel(ctx, auth.CommandLine(), in)
	if err != nil {
		f.t.Fatalf("create channel %+v: %v", in, err)
	}
	return c.ID
}

func (f *fixture) enqueue(to notify.Recipient, m notify.Message) {
	f.t.Helper()
	if err := f.d.InTx(ctx, func(tx *db.Tx) error { return f.svc.Enqueue(ctx, tx, to, m) }); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) deliver(n int) int {
	f.t.Helper()
	got, err := f.svc.Deliver(ctx, n)
	if err != nil {
		f.t.Fatal(err)
	}
	return got
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.d.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

type drow struct {
	ID        int64
	Channel   int64
	State     string
	Attempts  int
	Next      time.Time
	LastError string
	Mention   string
}

func (f *fixture) deliveries() []drow {
	f.t.Helper()
	rows, err := f.d.Query(ctx, "SELECT id, channel_id, state, attempts, next_attempt_at, last_error, mention FROM notify_deliveries ORDER BY id")
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []drow
	for rows.Next() {
		var r drow
		if err := rows.Scan(&r.ID, &r.Channel, &r.State, &r.Attempts, &r.Next, &r.LastError, &r.Mention); err != nil {
			f.t.Fatal(err)
		}
		r.Next = r.Next.UTC()
		out = append(out, r)
	}
	return out
}

// ---- a local robot ----

type hit struct {
	Query  url.Values
	Header http.Header
	Body   []byte
}

type robot struct {
	*httptest.Server
	mu     sync.Mutex
	hits   []hit
	answer func(h hit) (int, string)
}

func newRobot(t *testing.T, answer func(h hit) (int, string)) *robot {
	r := &robot{answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		h := hit{Query: req.URL.Query(), Header: req.Header.Clone(), Body: b}
		r.mu.Lock()
		r.hits = append(r.hits, h)
		r.mu.Unlock()
		status, body := r.answer(h)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *robot) Hits() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit(nil), r.hits...)
}

func ok0(hit) (int, string) { return 200, `{"errcode":0,"errmsg":"ok"}` }

// ---- tests ----

func TestEnqueueCommitsWithTheCaller(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		rb := newRobot(t, ok0)
		mine := f.channel(notify.ChannelInput{OwnerKind: "user", OwnerID: f.users[0], Kind: "dingtalk", Name: "我的群", Target: rb.URL + "/robot/send?access_token=a", MentionMobiles: f.phones[0]})
		orgCh := f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "dingtalk", Name: "镇安全群", Target: rb.URL + "/robot/send?access_token=b", MentionMobiles: "13900000009"})
		off := false
		f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "wecom", Name: "停用", Target: rb.URL + "/w?key=c", Enabled: &off})
		to := notify.Recipient{UserIDs: []int64{f.users[0], f.users[1], f.users[0]}, OrgIDs: []int64{f.org}}
		m := notify.Message{Title: "日报提醒", Body: "3 个村未报", Link: "/daily-reports/board?date=2026-11-27", DedupeKey: "dailyreport/remind/60/2026-11-27/org-1", Mention: []string{f.phones[2]}}

		t.Run("rolled back: nothing", func(t *testing.T) {
			boom := errors.New("the business change failed")
			err := d.InTx(ctx, func(tx *db.Tx) error {
				if err := f.svc.Enqueue(ctx, tx, to, m); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v", err)
			}
			if n := f.count("SELECT count(*) FROM notifications"); n != 0 {
				t.Errorf("%d inbox rows after a rollback", n)
			}
			if n := f.count("SELECT count(*) FROM notify_deliveries"); n != 0 {
				t.Errorf("%d deliveries after a rollback", n)
			}
		})
		t.Run("committed twice with one key: once each", func(t *testing.T) {
			f.enqueue(to, m)
			f.enqueue(to, m)
			if n := f.count("SELECT count(*) FROM notifications"); n != 2 {
				t.Errorf("%d inbox rows, want 2 (two people)", n)
			}
			if n := f.count("SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'dailyreport' AND read_at IS NULL", f.users[0]); n != 1 {
				t.Errorf("user 0 has %d items", n)
			}
			ds := f.deliveries()
			if len(ds) != 2 {
				t.Fatalf("deliveries %+v, want one to the personal and one to the org channel (the disabled one gets none)", ds)
			}
			byCh := map[int64]drow{ds[0].Channel: ds[0], ds[1].Channel: ds[1]}
			// Own channel: the owner's phone; org channel, normal message: only the responsible person.
			if byCh[mine].Mention != f.phones[0] || byCh[orgCh].Mention != f.phones[2] {
				t.Errorf("mentions %+v", byCh)
			}
			for _, r := range ds {
				if r.State != "pending" || !r.Next.Equal(f.clk.Now()) {
					t.Errorf("delivery %+v: want pending and due now (10:00 is not quiet)", r)
				}
			}
		})
		t.Run("urgent: the people on duty are mentioned too", func(t *testing.T) {
			f.enqueue(notify.Recipient{OrgIDs: []int64{f.org}}, notify.Message{Title: "险情", Priority: "urgent", DedupeKey: "emergency/1", Mention: []string{f.phones[2]}})
			ds := f.deliveries()
			if last := ds[len(ds)-1]; last.Channel != orgCh || last.Mention != f.phones[2]+",13900000009" {
				t.Errorf("urgent delivery %+v", last)
			}
		})
		t.Run("without a key nothing is deduplicated", func(t *testing.T) {
			before := f.count("SELECT count(*) FROM notifications")
			f.enqueue(notify.Recipient{UserIDs: []int64{f.users[2]}}, notify.Message{Title: "a"})
			f.enqueue(notify.Recipient{UserIDs: []int64{f.users[2]}}, notify.Message{Title: "a"})
			if n := f.count("SELECT count(*) FROM notifications"); n != before+2 {
				t.Errorf("%d rows, want %d", n, before+2)
			}
		})
		t.Run("a bad message fails the caller", func(t *testing.T) {
			err := d.InTx(ctx, func(tx *db.Tx) error {
				return f.svc.Enqueue(ctx, tx, to, notify.Message{Title: "x", Link: "https://evil.example/"})
			})
			if err == nil {
				t.Fatal("an external link was accepted")
			}
		})
	})
}

func TestQuietHours(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		rb := newRobot(t, ok0)
		f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "dingtalk", Name: "群", Target: rb.URL + "/robot/send?access_token=a"})
		f.clk.Set(time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)) // 23:00 in Shanghai
		to := notify.Recipient{UserIDs: []int64{f.users[0]}, OrgIDs: []int64{f.org}}
		f.enqueue(to, notify.Message{Title: "日报汇总", DedupeKey: "digest/1"})
		f.enqueue(to, notify.Message{Title: "险情", DedupeKey: "emergency/1", Priority: "urgent"})
		ds := f.deliveries()
		morning := time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC) // 07:00 on the 28th in Shanghai
		if len(ds) != 2 || !ds[0].Next.Equal(morning) || !ds[1].Next.Equal(f.clk.Now()) {
			t.Fatalf("deliveries %+v: want the normal one at %v and the urgent one now", ds, morning)
		}
		if n := f.count("SELECT count(*) FROM notifications WHERE user_id = ?", f.users[0]); n != 2 {
			t.Errorf("the inbox gets both at once, has %d", n)
		}
		if got := f.deliver(10); got != 1 || len(rb.Hits()) != 1 {
			t.Fatalf("at 23:00 delivered %d (%d hits), want only the urgent one", got, len(rb.Hits()))
		}
		// A normal delivery that is due (e.g. a retry) still waits out the night.
		if _, err := d.Exec(ctx, "UPDATE notify_deliveries SET next_attempt_at = ? WHERE id = ?", f.clk.Now(), ds[0].ID); err != nil {
			t.Fatal(err)
		}
		f.clk.Set(time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)) // 04:00
		if got := f.deliver(10); got != 0 {
			t.Fatalf("at 04:00 delivered %d", got)
		}
		f.clk.Set(morning)
		if got := f.deliver(10); got != 1 {
			t.Fatalf("at 07:00 delivered %d", got)
		}
		if ds := f.deliveries(); ds[0].State != "sent" || ds[1].State != "sent" {
			t.Errorf("%+v", ds)
		}
	})
}

func TestRobotsSignAndSend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		const secret = "SEC0123456789abcdef"
		hmacB64 := func(key, msg string) string {
			m := hmac.New(sha256.New, []byte(key))
			m.Write([]byte(msg))
			return base64.StdEncoding.EncodeToString(m.Sum(nil))
		}
		var problems []string
		var mu sync.Mutex
		complain := func(format string, args ...any) {
			mu.Lock()
			problems = append(problems, fmt.Sprintf(format, args...))
			mu.Unlock()
		}
		// DingTalk: timestamp in ms and sign in the query, key = secret.
		ding := newRobot(t, func(h hit) (int, string) {
			ts := h.Query.Get("timestamp")
			if h.Query.Get("access_token") != "tok" || ts != strconv.FormatInt(f.clk.Now().UnixMilli(), 10) || h.Query.Get("sign") != hmacB64(secret, ts+"\n"+secret) {
				complain("dingtalk query %v", h.Query)
				return 200, `{"errcode":310000,"errmsg":"sign not match"}`
			}
			var v struct {
				MsgType  string            `json:"msgtype"`
				Markdown map[string]string `json:"markdown"`
				At       map[string]any    `json:"at"`
			}
			if json.Unmarshal(h.Body, &v) != nil || v.MsgType != "markdown" || v.At["isAtAll"] != false ||
				!strings.Contains(v.Markdown["text"], "(https://anwen.example.gov.cn/daily-reports/board?date=2026-11-27)") {
				complain("dingtalk body %s", h.Body)
			}
			return 200, `{"errcode":0,"errmsg":"ok"}`
		})
		// Feishu: timestamp in seconds and sign in the body, key = timestamp + "\n" + secret, message empty.
		feishu := newRobot(t, func(h hit) (int, string) {
			var v struct {
				Timestamp string            `json:"timestamp"`
				Sign      string            `json:"sign"`
				MsgType   string            `json:"msg_type"`
				Content   map[string]string `json:"content"`
			}
			json.Unmarshal(h.Body, &v)
			if v.Timestamp != strconv.FormatInt(f.clk.Now().Unix(), 10) || v.Sign != hmacB64(v.Timestamp+"\n"+secret, "") || v.MsgType != "text" || v.Content["text"] == "" {
				complain("feishu body %s", h.Body)
				return 200, `{"code":19021,"msg":"sign match fail"}`
			}
			return 200, `{"code":0,"msg":"success"}`
		})
		wecom := newRobot(t, func(h hit) (int, string) {
			var v struct {
				MsgType  string            `json:"msgtype"`
				Markdown map[string]string `json:"markdown"`
			}
			json.Unmarshal(h.Body, &v)
			if h.Query.Get("key") != "k" || v.MsgType != "markdown" || len(v.Markdown["content"]) > 4096 || len(v.Markdown["content"]) < 4000 {
				complain("wecom: key %q, %s, %d bytes", h.Query.Get("key"), v.MsgType, len(v.Markdown["content"]))
				return 200, `{"errcode":40008,"errmsg":"invalid message type"}`
			}
			return 200, `{"errcode":0,"errmsg":"ok"}`
		})
		hook := newRobot(t, func(h hit) (int, string) {
			m := hmac.New(sha256.New, []byte("hook-secret"))
			m.Write(h.Body)
			var v notify.WebhookPayload
			json.Unmarshal(h.Body, &v)
			if h.Header.Get("X-Anwen-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) ||
				h.Header.Get("X-Anwen-Timestamp") != strconv.FormatInt(f.clk.Now().Unix(), 10) ||
				v.DedupeKey != "digest/2026-11-27" || v.Link != "https://anwen.example.gov.cn/daily-reports/board?date=2026-11-27" || !v.SentAt.Equal(f.clk.Now()) {
				complain("webhook %v %s", h.Header, h.Body)
				return 401, ""
			}
			return 204, ""
		})
		f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "dingtalk", Name: "钉钉", Target: ding.URL + "/robot/send?access_token=tok", Secret: secret})
		f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "feishu", Name: "飞书", Target: feishu.URL + "/open-apis/bot/v2/hook/x", Secret: secret})
		f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "wecom", Name: "企微", Target: wecom.URL + "/cgi-bin/webhook/send?key=k"})
		f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "webhook", Name: "通用", Target: hook.URL + "/in", Secret: "hook-secret"})
		f.enqueue(notify.Recipient{OrgIDs: []int64{f.org}}, notify.Message{Title: "青山镇日报汇总", Body: strings.Repeat("各村日报情况。", 400),
			Link: "/daily-reports/board?date=2026-11-27", DedupeKey: "digest/2026-11-27"})
		if got := f.deliver(10); got != 4 {
			t.Fatalf("attempted %d, want 4", got)
		}
		for _, p := range problems {
			t.Error(p)
		}
		for _, r := range f.deliveries() {
			if r.State != "sent" || r.Attempts != 1 || r.LastError != "" {
				t.Errorf("delivery %+v, want sent", r)
			}
		}
		for name, rb := range map[string]*robot{"dingtalk": ding, "feishu": feishu, "wecom": wecom, "webhook": hook} {
			if n := len(rb.Hits()); n != 1 {
				t.Errorf("%s got %d requests", name, n)
			}
		}
		if got := f.deliver(10); got != 0 {
			t.Errorf("a second round attempted %d", got)
		}
	})
}

func TestFailuresBackOffThenDie(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		cases := []struct {
			kind, path, answer string
			status             int
			errWant            string
		}{
			{"dingtalk", "/robot/send?access_token=t", `{"errcode":310000,"errmsg":"keywords not in content"}`, 200, "errcode 310000"},
			{"feishu", "/open-apis/bot/v2/hook/t", `{"code":19021,"msg":"sign match fail"}`, 200, "code 19021"},
			{"wecom", "/cgi-bin/webhook/send?key=t", `{"errcode":0}`, 500, "HTTP 500"},
		}
		f := newFixture(t, d)
		for i, c := range cases {
			t.Run(c.kind, func(t *testing.T) {
				rb := newRobot(t, func(hit) (int, string) { return c.status, c.answer })
				// Each case on its own person's channel, so that its message reaches no other.
				f.channel(notify.ChannelInput{OwnerKind: "user", OwnerID: f.users[i], Kind: c.kind, Name: c.kind, Target: rb.URL + c.path})
				f.enqueue(notify.Recipient{UserIDs: []int64{f.users[i]}}, notify.Message{Title: "x", DedupeKey: "fail/" + c.kind})
				id := f.deliveries()[i].ID
				// Only this case's delivery is live: earlier ones are dead.
				waits := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 30 * time.Minute}
				for attempt := 1; attempt <= notify.MaxAttempts; attempt++ {
					if got := f.deliver(10); got != 1 {
						t.Fatalf("attempt %d: attempted %d", attempt, got)
					}
					r := f.deliveries()[i]
					if r.ID != id || r.Attempts != attempt || !strings.Contains(r.LastError, c.errWant) {
						t.Fatalf("after attempt %d: %+v, want error %q", attempt, r, c.errWant)
					}
					if attempt < notify.MaxAttempts {
						if r.State != "failed" || r.Next.Sub(f.clk.Now()) != waits[attempt-1] {
							t.Fatalf("after attempt %d: %+v, want failed and a wait of %v", attempt, r, waits[attempt-1])
						}
						// Not due before its time.
						f.clk.Advance(waits[attempt-1] - time.Second)
						if got := f.deliver(10); got != 0 {
							t.Fatalf("attempt %d retried early", attempt)
						}
						f.clk.Advance(time.Second)
					} else if r.State != "dead" {
						t.Fatalf("after %d attempts: %+v, want dead", attempt, r)
					}
				}
				if n := len(rb.Hits()); n != notify.MaxAttempts {
					t.Errorf("the robot got %d requests, want %d", n, notify.MaxAttempts)
				}
				f.clk.Advance(time.Hour)
				if got := f.deliver(10); got != 0 {
					t.Errorf("a dead delivery was attempted again")
				}
				list, err := f.svc.ListDeliveries(ctx, "dead")
				if err != nil || len(list) != i+1 || list[0].LastError == "" {
					t.Errorf("ListDeliveries(dead) = %+v, %v", list, err)
				}
			})
		}
	})
}

func TestDingTalkBlockedWaitsTenMinutes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		rb := newRobot(t, func(hit) (int, string) {
			return 200, `{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}`
		})
		f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "dingtalk", Name: "群", Target: rb.URL + "/robot/send?access_token=t"})
		f.enqueue(notify.Recipient{OrgIDs: []int64{f.org}}, notify.Message{Title: "x", DedupeKey: "k"})
		f.deliver(10)
		r := f.deliveries()[0]
		if r.State != "failed" || r.Next.Sub(f.clk.Now()) < 10*time.Minute || !strings.Contains(r.LastError, "130101") {
			t.Errorf("%+v: want failed, next attempt ≥ 10 min later", r)
		}
	})
}

func TestRateLimitPushesBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		rb := newRobot(t, ok0)
		f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "dingtalk", Name: "群", Target: rb.URL + "/robot/send?access_token=t"})
		for i := 0; i < 25; i++ {
			f.enqueue(notify.Recipient{OrgIDs: []int64{f.org}}, notify.Message{Title: fmt.Sprint("消息 ", i), DedupeKey: fmt.Sprint("k/", i)})
		}
		if got := f.deliver(100); got != 20 {
			t.Fatalf("attempted %d, want 20", got)
		}
		if n := len(rb.Hits()); n != 20 {
			t.Fatalf("the robot got %d, want 20", n)
		}
		sent, back := 0, 0
		for _, r := range f.deliveries() {
			switch {
			case r.State == "sent":
				sent++
			case r.State == "pending" && r.Attempts == 0 && r.LastError == "" && r.Next.Equal(f.clk.Now().Add(time.Minute)):
				back++
			default:
				t.Errorf("delivery %+v", r)
			}
		}
		if sent != 20 || back != 5 {
			t.Errorf("sent %d, pushed back %d; want 20 and 5 (not failed)", sent, back)
		}
		f.clk.Advance(30 * time.Second)
		if got := f.deliver(100); got != 0 {
			t.Errorf("within the minute, attempted %d", got)
		}
		f.clk.Advance(30 * time.Second)
		if got := f.deliver(100); got != 5 {
			t.Errorf("a minute later, attempted %d, want 5", got)
		}
	})
}

func TestFeishuRateLimitPerSecond(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		rb := newRobot(t, func(hit) (int, string) { return 200, `{"code":0,"msg":"success"}` })
		f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "feishu", Name: "飞书", Target: rb.URL + "/open-apis/bot/v2/hook/t"})
		for i := 0; i < 7; i++ {
			f.enqueue(notify.Recipient{OrgIDs: []int64{f.org}}, notify.Message{Title: "x", DedupeKey: fmt.Sprint("k/", i)})
		}
		if got := f.deliver(100); got != 5 {
			t.Fatalf("attempted %d, want 5 in one second", got)
		}
		f.clk.Advance(time.Second)
		if got := f.deliver(100); got != 2 {
			t.Fatalf("next second: attempted %d, want 2", got)
		}
	})
}

func TestDisabledChannelDeliveryIsDead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		rb := newRobot(t, ok0)
		id := f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "dingtalk", Name: "群", Target: rb.URL + "/robot/send?access_token=t"})
		f.enqueue(notify.Recipient{OrgIDs: []int64{f.org}}, notify.Message{Title: "x"})
		off := false
		if _, err := f.svc.UpdateChannel(ctx, auth.CommandLine(), id, notify.ChannelPatch{Enabled: &off}); err != nil {
			t.Fatal(err)
		}
		if got := f.deliver(10); got != 0 || len(rb.Hits()) != 0 {
			t.Fatalf("attempted %d", got)
		}
		if r := f.deliveries()[0]; r.State != "dead" || !strings.Contains(r.LastError, "disabled") {
			t.Errorf("%+v", r)
		}
	})
}

func TestConcurrentDeliverSendsOnce(t *testing.T) {
	d := dbtest.Postgres(t)
	f := newFixture(t, d)
	var mu sync.Mutex
	seen := map[string]int{}
	rb := newRobot(t, func(h hit) (int, string) {
		var v notify.WebhookPayload
		json.Unmarshal(h.Body, &v)
		mu.Lock()
		seen[v.DedupeKey]++
		mu.Unlock()
		time.Sleep(3 * time.Millisecond)
		return 200, ""
	})
	f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "webhook", Name: "通用", Target: rb.URL + "/in"})
	const n = 60
	for i := 0; i < n; i++ {
		f.enqueue(notify.Recipient{OrgIDs: []int64{f.org}}, notify.Message{Title: "x", DedupeKey: fmt.Sprint("k/", i)})
	}
	var wg sync.WaitGroup
	var total int
	var errs []error
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := f.svc.Deliver(ctx, 7)
				mu.Lock()
				total += got
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
				if got == 0 || err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if total != n || len(seen) != n {
		t.Fatalf("attempted %d, %d distinct messages received; want %d", total, len(seen), n)
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("%s received %d times", k, c)
		}
	}
	if c := f.count("SELECT count(*) FROM notify_deliveries WHERE state = 'sent' AND attempts = 1"); c != n {
		t.Errorf("%d sent once, want %d", c, n)
	}
}

// ---- e-mail ----

// fakeSMTP speaks just enough SMTP to take one message.
type fakeSMTP struct {
	addr string
	mu   sync.Mutex
	auth string
	from string
	rcpt string
	data string
}

func newFakeSMTP(t *testing.T) *fakeSMTP {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &fakeSMTP{addr: l.Addr().String()}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 fake ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		cmd := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-fake")
			say("250 AUTH PLAIN")
		case strings.HasPrefix(cmd, "AUTH PLAIN"):
			b, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(line[len("AUTH PLAIN"):]))
			s.mu.Lock()
			s.auth = string(b)
			s.mu.Unlock()
			say("235 ok")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			s.mu.Lock()
			s.from = line[len("MAIL FROM:"):]
			s.mu.Unlock()
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			s.mu.Lock()
			s.rcpt = line[len("RCPT TO:"):]
			s.mu.Unlock()
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.data = b.String()
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 no")
		}
	}
}

func TestEmail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mail := newFakeSMTP(t)
		host, port, _ := net.SplitHostPort(mail.addr)
		p, _ := strconv.Atoi(port)
		f.svc.SMTP = notify.SMTPConfig{Host: host, Port: p, Username: "anwen", Password: "pw", From: "安稳 <anwen@example.gov.cn>"}
		f.channel(notify.ChannelInput{OwnerKind: "user", OwnerID: f.users[1], Kind: "email", Name: "邮箱", Target: "zhang@example.gov.cn"})
		title := "青山镇 11 月 27 日日报汇总"
		f.enqueue(notify.Recipient{UserIDs: []int64{f.users[1]}}, notify.Message{Title: title, Body: "3 个村未报。", Link: "/daily-reports/board?date=2026-11-27", DedupeKey: "digest/mail"})
		if got := f.deliver(10); got != 1 {
			t.Fatalf("attempted %d", got)
		}
		if r := f.deliveries()[0]; r.State != "sent" {
			t.Fatalf("%+v", r)
		}
		mail.mu.Lock()
		defer mail.mu.Unlock()
		if mail.auth != "\x00anwen\x00pw" || mail.from != "<anwen@example.gov.cn>" || mail.rcpt != "<zhang@example.gov.cn>" {
			t.Errorf("auth %q from %q rcpt %q", mail.auth, mail.from, mail.rcpt)
		}
		head, body, _ := strings.Cut(mail.data, "\r\n\r\n")
		var subject string
		for _, l := range strings.Split(head, "\r\n") {
			if s, ok := strings.CutPrefix(l, "Subject: "); ok {
				subject = s
			}
		}
		if !strings.HasPrefix(subject, "=?utf-8?q?") {
			t.Errorf("subject %q is not Q-encoded", subject)
		}
		dec, err := new(mime.WordDecoder).DecodeHeader(subject)
		if err != nil || dec != title {
			t.Errorf("subject decodes to %q (%v), want %q", dec, err, title)
		}
		text, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(body, "\r\n", ""))
		if err != nil || !strings.Contains(string(text), "3 个村未报。") || !strings.Contains(string(text), "https://anwen.example.gov.cn/daily-reports/board?date=2026-11-27") {
			t.Errorf("body %q (%v)", text, err)
		}
	})
}

func TestEmailWithoutServerFailsVisibly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.channel(notify.ChannelInput{OwnerKind: "user", OwnerID: f.users[1], Kind: "email", Name: "邮箱", Target: "zhang@example.gov.cn"})
		f.enqueue(notify.Recipient{UserIDs: []int64{f.users[1]}}, notify.Message{Title: "x"})
		f.deliver(10)
		if r := f.deliveries()[0]; r.State != "failed" || !strings.Contains(r.LastError, "SMTP") {
			t.Errorf("%+v", r)
		}
	})
}

func TestRunDeliversUntilCancelled(t *testing.T) {
	d := dbtest.SQLite(t)
	f := newFixture(t, d)
	rb := newRobot(t, ok0)
	f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "dingtalk", Name: "群", Target: rb.URL + "/robot/send?access_token=t"})
	f.enqueue(notify.Recipient{OrgIDs: []int64{f.org}}, notify.Message{Title: "x"})
	f.svc.Interval = 10 * time.Millisecond
	c, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { f.svc.Run(c); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(rb.Hits()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	// A message enqueued while it runs goes out on a later round.
	f.enqueue(notify.Recipient{OrgIDs: []int64{f.org}}, notify.Message{Title: "y"})
	for len(rb.Hits()) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if n := len(rb.Hits()); n != 2 {
		t.Errorf("Run sent %d, want 2", n)
	}
}

// TestEnqueueManyIsEnqueueEach checks that the batched path leaves exactly
// the rows of one Enqueue per message, across several INSERT chunks, with
// duplicate keys inside one batch and a message for nobody.
func TestEnqueueManyIsEnqueueEach(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		rb := newRobot(t, ok0)
		f.channel(notify.ChannelInput{OwnerKind: "user", OwnerID: f.users[1], Kind: "dingtalk", Name: "个人", Target: rb.URL + "/robot/send?access_token=a", MentionMobiles: f.phones[1]})
		f.channel(notify.ChannelInput{OwnerKind: "org", OwnerID: f.org, Kind: "wecom", Name: "镇群", Target: rb.URL + "/w?key=b", MentionMobiles: "13900000009"})
		var envs []notify.Envelope
		for i := 0; i < 300; i++ {
			m := notify.Message{Title: fmt.Sprintf("第 %d 条", i), Body: "正文", DedupeKey: fmt.Sprintf("test/%d", i%280), Mention: []string{f.phones[2]}}
			if i%7 == 0 {
				m.Priority = notify.Urgent
			}
			to := notify.Recipient{UserIDs: []int64{f.users[i%3], f.users[(i+1)%3]}}
			if i%2 == 0 {
				to.OrgIDs = []int64{f.org}
			}
			envs = append(envs, notify.Envelope{To: to, Message: m})
		}
		envs = append(envs, notify.Envelope{Message: notify.Message{Title: "无人"}})
		dump := func() []string {
			var out []string
			for _, q := range []string{
				"SELECT user_id, kind, title, body, link, priority, COALESCE(dedupe_key, ''), created_at FROM notifications ORDER BY user_id, dedupe_key, title",
				"SELECT channel_id, COALESCE(notification_dedupe_key, ''), title, priority, mention, state, next_attempt_at FROM notify_deliveries ORDER BY channel_id, notification_dedupe_key, title",
			} {
				rows, err := d.Query(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				cols, _ := rows.Columns()
				for rows.Next() {
					vals := make([]any, len(cols))
					ptrs := make([]any, len(cols))
					for i := range vals {
						ptrs[i] = &vals[i]
					}
					if err := rows.Scan(ptrs...); err != nil {
						t.Fatal(err)
					}
					out = append(out, fmt.Sprint(vals...))
				}
				rows.Close()
			}
			return out
		}
		for _, e := range envs {
			f.enqueue(e.To, e.Message)
		}
		one := dump()
		if _, err := d.Exec(ctx, "DELETE FROM notify_deliveries"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, "DELETE FROM notifications"); err != nil {
			t.Fatal(err)
		}
		if err := d.InTx(ctx, func(tx *db.Tx) error { return f.svc.EnqueueMany(ctx, tx, envs) }); err != nil {
			t.Fatal(err)
		}
		many := dump()
		// 280 keys: users 0..2 each reached by some of them; deliveries per
		// key to the org channel (even i only) and to user 1's channel.
		if len(one) < 500 {
			t.Fatalf("only %d rows: the fixture does not exercise the chunks", len(one))
		}
		if len(one) != len(many) {
			t.Fatalf("Enqueue each: %d rows, EnqueueMany: %d", len(one), len(many))
		}
		for i := range one {
			if one[i] != many[i] {
				t.Fatalf("row %d differs:\n each: %s\n many: %s", i, one[i], many[i])
			}
		}
	})
}
