package notify_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/notify"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// service is a notify.Service on the test instance's database and clock, for
// enqueueing and delivering as the application would.
func service(env *apptest.Env) *notify.Service {
	return &notify.Service{DB: env.App.DB, Auth: env.App.Auth, Clock: env.Clock, AllowLocalTargets: true}
}

func countRows(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type apiChannel struct {
	ID             int64  `json:"id"`
	OwnerKind      string `json:"owner_kind"`
	OwnerID        int64  `json:"owner_id"`
	OwnerName      string `json:"owner_name"`
	Kind           string `json:"kind"`
	Name           string `json:"name"`
	Target         string `json:"target"`
	HasSecret      bool   `json:"has_secret"`
	MentionMobiles string `json:"mention_mobiles"`
	Enabled        bool   `json:"enabled"`
}

func TestChannelAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		admin := env.TokenClient("admin")
		qingshan := env.TokenClient("qingshan")
		good := newRobot(t, ok0)
		bad := newRobot(t, func(hit) (int, string) { return 200, `{"errcode":310000,"errmsg":"sign not match"}` })
		channels := func() int { return countRows(t, d, "SELECT count(*) FROM notify_channels") }

		// Create: the secret is stored, never returned; the token is masked.
		created := env.AuditCount("notify.channel.create", audit.OK)
		r := admin.SendJSON("POST", "/api/v1/notify/channels", map[string]any{"kind": "dingtalk", "name": "我的钉钉群",
			"target": good.URL + "/robot/send?access_token=0123456789abcdef", "secret": "SECtopsecret123", "mention_mobiles": "13800000001"})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		var mine apiChannel
		r.JSON(t, &mine)
		if strings.Contains(string(r.Body), "SECtopsecret123") || strings.Contains(string(r.Body), `"secret"`) || strings.Contains(string(r.Body), "0123456789abcdef") {
			t.Errorf("the answer leaks a credential: %s", r.Body)
		}
		if !mine.HasSecret || mine.OwnerKind != "user" || mine.OwnerID != env.UserID("admin") || !mine.Enabled || mine.MentionMobiles != "13800000001" ||
			!strings.HasSuffix(mine.Target, "access_token=0123…") {
			t.Errorf("created %+v", mine)
		}
		var stored string
		if err := d.QueryRow(ctx, "SELECT secret FROM notify_channels WHERE id = ?", mine.ID).Scan(&stored); err != nil || stored != "SECtopsecret123" {
			t.Errorf("stored secret %q, %v", stored, err)
		}
		if n := env.AuditCount("notify.channel.create", audit.OK); n != created+1 {
			t.Errorf("create audited %d times", n-created)
		}

		// An organisation's channel, by the administrator.
		r = admin.SendJSON("POST", "/api/v1/notify/channels", map[string]any{"owner_kind": "org", "owner_id": env.OrgID("SFQ-QS"), "kind": "wecom",
			"name": "青山镇安全生产群", "target": good.URL + "/cgi-bin/webhook/send?key=k", "enabled": true})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("create org channel: %d %s", r.StatusCode, r.Body)
		}
		var orgCh apiChannel
		r.JSON(t, &orgCh)
		if orgCh.OwnerName != "青山镇" || orgCh.HasSecret {
			t.Errorf("org channel %+v", orgCh)
		}

		// Lists: each sees their own; qingshan no organisation's.
		var list []apiChannel
		admin.Get("/api/v1/notify/channels").JSON(t, &list)
		if len(list) != 2 || list[0].ID != mine.ID || list[1].ID != orgCh.ID {
			t.Errorf("admin's list %+v", list)
		}
		r = qingshan.Get("/api/v1/notify/channels")
		if r.StatusCode != 200 || strings.TrimSpace(string(r.Body)) != "[]" {
			t.Errorf("qingshan's list: %d %s", r.StatusCode, r.Body)
		}

		// qingshan cannot see or touch the administrator's channels.
		for _, id := range []int64{mine.ID, orgCh.ID} {
			for _, c := range []struct{ method, path, body string }{
				{"PATCH", "/api/v1/notify/channels/" + itoa(id), `{"name":"改"}`},
				{"DELETE", "/api/v1/notify/channels/" + itoa(id), ""},
				{"POST", "/api/v1/notify/channels/" + itoa(id) + "/test", ""},
			} {
				denied := env.AuditCount("", audit.Denied)
				var r *apptest.Response
				if c.body != "" {
					r = qingshan.SendJSON(c.method, c.path, c.body)
				} else {
					r = qingshan.Do(c.method, c.path, nil, "")
				}
				if r.StatusCode != http.StatusNotFound || r.ErrorCode() != "not_found" {
					t.Errorf("qingshan %s %s: %d %s", c.method, c.path, r.StatusCode, r.Body)
				}
				if env.AuditCount("", audit.Denied) != denied+1 {
					t.Errorf("qingshan %s %s: refusal not recorded", c.method, c.path)
				}
			}
		}
		if channels() != 2 || len(good.Hits()) != 0 {
			t.Fatalf("qingshan's attempts changed something: %d channels, %d robot hits", channels(), len(good.Hits()))
		}

		// Nor create one for an organisation.
		r = qingshan.SendJSON("POST", "/api/v1/notify/channels", map[string]any{"owner_kind": "org", "owner_id": env.OrgID("SFQ-QS"), "kind": "wecom", "name": "x", "target": good.URL + "/w?key=k"})
		if r.StatusCode != http.StatusNotFound || channels() != 2 {
			t.Errorf("qingshan creating an org channel: %d %s", r.StatusCode, r.Body)
		}
		// Nor a generic webhook, which may point anywhere.
		r = qingshan.SendJSON("POST", "/api/v1/notify/channels", map[string]any{"kind": "webhook", "name": "x", "target": good.URL + "/hook"})
		if r.StatusCode != http.StatusUnprocessableEntity || channels() != 2 {
			t.Errorf("qingshan creating a webhook: %d %s", r.StatusCode, r.Body)
		}

		// Bad input: nothing written.
		bads := []struct {
			name, body string
			status     int
			field      string
		}{
			{"bad kind", `{"kind":"sms","name":"x","target":"https://oapi.dingtalk.com/robot/send?access_token=t"}`, 400, "kind"},
			{"ftp URL", `{"kind":"dingtalk","name":"x","target":"ftp://oapi.dingtalk.com/robot"}`, 400, "target"},
			{"not the vendor's host", `{"kind":"dingtalk","name":"x","target":"https://evil.example.com/robot/send?access_token=t"}`, 400, "target"},
			{"plain http to the vendor", `{"kind":"feishu","name":"x","target":"http://open.feishu.cn/open-apis/bot/v2/hook/t"}`, 400, "target"},
			{"credentials in the URL", `{"kind":"dingtalk","name":"x","target":"https://u:p@oapi.dingtalk.com/robot/send"}`, 400, "target"},
			{"unknown field", `{"kind":"dingtalk","name":"x","target":"https://oapi.dingtalk.com/robot/send?access_token=t","colour":"red"}`, 400, "colour"},
			{"bad e-mail", `{"kind":"email","name":"x","target":"张三 <zhang@example.gov.cn>"}`, 400, "target"},
			{"empty name", `{"kind":"email","name":" ","target":"zhang@example.gov.cn"}`, 400, "name"},
			{"bad phone", `{"kind":"dingtalk","name":"x","target":"https://oapi.dingtalk.com/robot/send?access_token=t","mention_mobiles":"138abc"}`, 400, "mention_mobiles"},
			{"WeCom has no secret", `{"kind":"wecom","name":"x","target":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k","secret":"s"}`, 400, "secret"},
			{"bad owner kind", `{"owner_kind":"group","kind":"email","name":"x","target":"zhang@example.gov.cn"}`, 400, "owner_kind"},
			{"someone else as owner", `{"owner_kind":"user","owner_id":` + itoa(env.UserID("admin")) + `,"kind":"email","name":"x","target":"zhang@example.gov.cn"}`, 404, ""},
		}
		audits := env.AuditCount("notify.channel", "")
		for _, b := range bads {
			t.Run(b.name, func(t *testing.T) {
				r := qingshan.SendJSON("POST", "/api/v1/notify/channels", b.body)
				var e struct {
					Error struct{ Code, Field string } `json:"error"`
				}
				r.JSON(t, &e)
				if r.StatusCode != b.status || e.Error.Field != b.field {
					t.Errorf("%d %s, want %d on field %q", r.StatusCode, r.Body, b.status, b.field)
				}
			})
		}
		if channels() != 2 || env.AuditCount("notify.channel", "") != audits {
			t.Errorf("bad input wrote something: %d channels", channels())
		}
		r = admin.SendJSON("PATCH", "/api/v1/notify/channels/"+itoa(mine.ID), `{"owner_id":5}`)
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("PATCH of the owner: %d", r.StatusCode)
		}

		// qingshan's own channel works for qingshan.
		r = qingshan.SendJSON("POST", "/api/v1/notify/channels", map[string]any{"kind": "email", "name": "我的邮箱", "target": "lin@example.gov.cn"})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("qingshan's own: %d %s", r.StatusCode, r.Body)
		}

		// Update, keeping the secret unless given.
		updated := env.AuditCount("notify.channel.update", audit.OK)
		r = admin.SendJSON("PATCH", "/api/v1/notify/channels/"+itoa(mine.ID), `{"name":"改名的群","enabled":false}`)
		var up apiChannel
		r.JSON(t, &up)
		if r.StatusCode != 200 || up.Name != "改名的群" || up.Enabled || !up.HasSecret {
			t.Errorf("patch: %d %+v", r.StatusCode, up)
		}
		r = admin.SendJSON("PATCH", "/api/v1/notify/channels/"+itoa(mine.ID), `{"secret":"","enabled":true}`)
		r.JSON(t, &up)
		if up.HasSecret || !up.Enabled {
			t.Errorf("clearing the secret: %+v", up)
		}
		if env.AuditCount("notify.channel.update", audit.OK) != updated+2 {
			t.Error("updates not audited")
		}

		// Test sends: the robot's answer decides.
		var res notify.TestResult
		r = admin.Do("POST", "/api/v1/notify/channels/"+itoa(mine.ID)+"/test", nil, "")
		r.JSON(t, &res)
		if r.StatusCode != 200 || !res.OK || res.Error != "" || len(good.Hits()) != 1 {
			t.Errorf("test: %d %s", r.StatusCode, r.Body)
		}
		r = admin.SendJSON("PATCH", "/api/v1/notify/channels/"+itoa(mine.ID), map[string]any{"target": bad.URL + "/robot/send?access_token=x"})
		if r.StatusCode != 200 {
			t.Fatalf("retarget: %d %s", r.StatusCode, r.Body)
		}
		failedTests := env.AuditCount("notify.channel.test", audit.Failed)
		r = admin.Do("POST", "/api/v1/notify/channels/"+itoa(mine.ID)+"/test", nil, "")
		res = notify.TestResult{}
		r.JSON(t, &res)
		if r.StatusCode != 200 || res.OK || !strings.Contains(res.Error, "310000") {
			t.Errorf("failing test: %d %s", r.StatusCode, r.Body)
		}
		if env.AuditCount("notify.channel.test", audit.Failed) != failedTests+1 {
			t.Error("the failed test is not in the trail")
		}

		// Delete, with the channel's queued deliveries.
		svc := service(env)
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			return svc.Enqueue(ctx, tx, notify.Recipient{UserIDs: []int64{env.UserID("admin")}}, notify.Message{Title: "x"})
		}); err != nil {
			t.Fatal(err)
		}
		if countRows(t, d, "SELECT count(*) FROM notify_deliveries WHERE channel_id = ?", mine.ID) != 1 {
			t.Fatal("no delivery queued")
		}
		r = admin.Do("DELETE", "/api/v1/notify/channels/"+itoa(mine.ID), nil, "")
		if r.StatusCode != http.StatusNoContent || countRows(t, d, "SELECT count(*) FROM notify_channels WHERE id = ?", mine.ID) != 0 ||
			countRows(t, d, "SELECT count(*) FROM notify_deliveries WHERE channel_id = ?", mine.ID) != 0 {
			t.Errorf("delete: %d", r.StatusCode)
		}
		if env.AuditCount("notify.channel.delete", audit.OK) != 1 {
			t.Error("delete not audited")
		}
	})
}

type apiItem struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	Priority  string     `json:"priority"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

func TestInboxAPIAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		svc := service(env)
		qs, adminID := env.UserID("qingshan"), env.UserID("admin")
		send := func(to int64, m notify.Message) {
			if err := d.InTx(ctx, func(tx *db.Tx) error { return svc.Enqueue(ctx, tx, notify.Recipient{UserIDs: []int64{to}}, m) }); err != nil {
				t.Fatal(err)
			}
		}
		send(qs, notify.Message{Title: "上坪村日报未报", Body: "请提醒上坪村填报今日日报。", Link: "/orgs", DedupeKey: "dailyreport/remind/1"})
		env.Clock.Advance(time.Minute)
		send(qs, notify.Message{Title: "险情通报", Priority: "urgent", DedupeKey: "emergency/1"})
		send(adminID, notify.Message{Title: "管理员的通知"})

		api := env.TokenClient("qingshan")
		admin := env.TokenClient("admin")
		var items []apiItem
		r := api.Get("/api/v1/notifications")
		r.JSON(t, &items)
		if r.StatusCode != 200 || len(items) != 2 || items[0].Title != "险情通报" || items[0].Priority != "urgent" || items[0].Kind != "emergency" ||
			items[1].Link != "/orgs" || items[1].Kind != "dailyreport" || items[1].ReadAt != nil || items[1].Body != "请提醒上坪村填报今日日报。" {
			t.Fatalf("qingshan's inbox: %d %s", r.StatusCode, r.Body)
		}
		var theirs []apiItem
		admin.Get("/api/v1/notifications").JSON(t, &theirs)
		if len(theirs) != 1 || theirs[0].Title != "管理员的通知" {
			t.Errorf("admin's inbox %+v", theirs)
		}

		// Someone else's item: 404, recorded, unchanged.
		denied := env.AuditCount("", audit.Denied)
		r = admin.Do("POST", fmt.Sprintf("/api/v1/notifications/%d/read", items[1].ID), nil, "")
		if r.StatusCode != http.StatusNotFound || env.AuditCount("", audit.Denied) != denied+1 ||
			countRows(t, d, "SELECT count(*) FROM notifications WHERE id = ? AND read_at IS NULL", items[1].ID) != 1 {
			t.Errorf("admin reading qingshan's item: %d", r.StatusCode)
		}
		if r := api.Do("POST", "/api/v1/notifications/999999/read", nil, ""); r.StatusCode != http.StatusNotFound {
			t.Errorf("absent item: %d", r.StatusCode)
		}
		if r := api.Get("/api/v1/notifications?unread=maybe"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("unread=maybe: %d", r.StatusCode)
		}

		// Mark one read, twice.
		for i := 0; i < 2; i++ {
			if r := api.Do("POST", fmt.Sprintf("/api/v1/notifications/%d/read", items[1].ID), nil, ""); r.StatusCode != http.StatusNoContent {
				t.Fatalf("read: %d %s", r.StatusCode, r.Body)
			}
		}
		if n := env.AuditCount("notify.read", audit.OK); n != 1 {
			t.Errorf("%d read records, want 1 (the second read changes nothing)", n)
		}
		var unread []apiItem
		api.Get("/api/v1/notifications?unread=1").JSON(t, &unread)
		if len(unread) != 1 || unread[0].ID != items[0].ID {
			t.Errorf("unread %+v", unread)
		}

		// The home page shows the unread one; the inbox page shows both, the unread bold.
		web := env.SignIn("qingshan")
		home := web.Get("/")
		if home.StatusCode != 200 || !strings.Contains(string(home.Body), "险情通报") || strings.Contains(string(home.Body), "上坪村日报未报") {
			t.Errorf("home: %d", home.StatusCode)
		}
		page := web.Get("/inbox")
		body := string(page.Body)
		if page.StatusCode != 200 || !strings.Contains(body, `<strong><a href="/inbox/`+itoa(items[0].ID)+`">险情通报</a></strong>`) ||
			!strings.Contains(body, `<a href="/inbox/`+itoa(items[1].ID)+`">上坪村日报未报</a>`) || !strings.Contains(body, `action="/inbox/read-all"`) {
			t.Errorf("inbox page: %d %s", page.StatusCode, body)
		}
		if r := env.SignIn("admin").Get("/inbox/" + itoa(items[0].ID)); r.StatusCode != http.StatusNotFound {
			t.Errorf("admin opening qingshan's item: %d", r.StatusCode)
		}
		// Opening follows the link and marks it read.
		send(qs, notify.Message{Title: "带链接", Link: "/calendar?year=2026"})
		var all []apiItem
		api.Get("/api/v1/notifications").JSON(t, &all)
		r = web.Get("/inbox/" + itoa(all[0].ID))
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/calendar?year=2026" {
			t.Errorf("open: %d %s", r.StatusCode, r.Header.Get("Location"))
		}

		// Mark all read: by page, then by API (nothing left).
		if r := web.PostForm("/inbox/read-all", url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Errorf("read-all form: %d", r.StatusCode)
		}
		if r := api.Do("POST", "/api/v1/notifications/read-all", nil, ""); r.StatusCode != http.StatusNoContent {
			t.Errorf("read-all: %d", r.StatusCode)
		}
		if n := countRows(t, d, "SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", qs); n != 0 {
			t.Errorf("%d unread left", n)
		}
		if n := countRows(t, d, "SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", adminID); n != 1 {
			t.Errorf("qingshan's read-all touched admin's inbox")
		}
		if home := web.Get("/"); strings.Contains(string(home.Body), `id="inbox"`) {
			t.Error("the home page shows the block with nothing unread")
		}
	})
}

type apiDelivery struct {
	ID        int64  `json:"id"`
	ChannelID int64  `json:"channel_id"`
	State     string `json:"state"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
	OwnerName string `json:"owner_name"`
}

func TestOutboxAPIAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		svc := service(env)
		rb := newRobot(t, func(hit) (int, string) { return 200, `{"errcode":310000,"errmsg":"keywords not in content"}` })
		admin, qingshan := env.TokenClient("admin"), env.TokenClient("qingshan")
		r := admin.SendJSON("POST", "/api/v1/notify/channels", map[string]any{"owner_kind": "org", "owner_id": env.OrgID("SFQ-QS"), "kind": "dingtalk",
			"name": "青山镇群", "target": rb.URL + "/robot/send?access_token=t"})
		if r.StatusCode != http.StatusCreated {
			t.Fatal(r.StatusCode, string(r.Body))
		}
		for i := 0; i < 2; i++ {
			if err := d.InTx(ctx, func(tx *db.Tx) error {
				return svc.Enqueue(ctx, tx, notify.Recipient{OrgIDs: []int64{env.OrgID("SFQ-QS")}}, notify.Message{Title: fmt.Sprint("汇总 ", i), DedupeKey: fmt.Sprint("d/", i)})
			}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := svc.Deliver(ctx, 10); err != nil || n != 2 {
			t.Fatal(n, err)
		}
		// The second one has given up.
		if _, err := d.Exec(ctx, "UPDATE notify_deliveries SET state = 'dead', attempts = 8 WHERE notification_dedupe_key = 'd/1'"); err != nil {
			t.Fatal(err)
		}

		var list []apiDelivery
		r = admin.Get("/api/v1/notify/deliveries?state=failed")
		r.JSON(t, &list)
		if r.StatusCode != 200 || len(list) != 1 || list[0].Attempts != 1 || !strings.Contains(list[0].LastError, "310000") || list[0].OwnerName != "青山镇" {
			t.Errorf("failed: %d %s", r.StatusCode, r.Body)
		}
		admin.Get("/api/v1/notify/deliveries?state=dead").JSON(t, &list)
		if len(list) != 1 || list[0].State != "dead" {
			t.Fatalf("dead: %+v", list)
		}
		dead := list[0].ID
		if r := admin.Get("/api/v1/notify/deliveries?state=lost"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("state=lost: %d", r.StatusCode)
		}
		for _, c := range []struct{ method, path string }{{"GET", "/api/v1/notify/deliveries"}, {"POST", "/api/v1/notify/deliveries/" + itoa(dead) + "/retry"}} {
			denied := env.AuditCount("", audit.Denied)
			if r := qingshan.Do(c.method, c.path, nil, ""); r.StatusCode != http.StatusNotFound || env.AuditCount("", audit.Denied) != denied+1 {
				t.Errorf("qingshan %s %s: %d", c.method, c.path, r.StatusCode)
			}
		}

		// Retry: back to pending with a fresh set of attempts, audited.
		if r := admin.Do("POST", "/api/v1/notify/deliveries/"+itoa(dead)+"/retry", nil, ""); r.StatusCode != http.StatusNoContent {
			t.Fatalf("retry: %d %s", r.StatusCode, r.Body)
		}
		var state string
		var attempts int
		d.QueryRow(ctx, "SELECT state, attempts FROM notify_deliveries WHERE id = ?", dead).Scan(&state, &attempts)
		if state != "pending" || attempts != 0 || env.AuditCount("notify.delivery.retry", audit.OK) != 1 {
			t.Errorf("after retry: %s %d", state, attempts)
		}
		if _, err := d.Exec(ctx, "UPDATE notify_deliveries SET state = 'sent' WHERE id = ?", dead); err != nil {
			t.Fatal(err)
		}
		if r := admin.Do("POST", "/api/v1/notify/deliveries/"+itoa(dead)+"/retry", nil, ""); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("retrying a sent one: %d", r.StatusCode)
		}

		// Quiet hours.
		var st notify.Settings
		qingshan.Get("/api/v1/notify/settings").JSON(t, &st)
		if st != notify.DefaultSettings {
			t.Errorf("settings %+v", st)
		}
		if r := admin.SendJSON("PUT", "/api/v1/notify/settings", `{"quiet_start":"23:00","quiet_end":"06:30"}`); r.StatusCode != 200 {
			t.Errorf("put: %d %s", r.StatusCode, r.Body)
		}
		if r := admin.SendJSON("PUT", "/api/v1/notify/settings", `{"quiet_start":"25:00","quiet_end":"06:30"}`); r.StatusCode != http.StatusBadRequest {
			t.Errorf("25:00: %d", r.StatusCode)
		}
		if r := qingshan.SendJSON("PUT", "/api/v1/notify/settings", `{"quiet_start":"00:00","quiet_end":"00:00"}`); r.StatusCode != http.StatusNotFound {
			t.Errorf("qingshan: %d", r.StatusCode)
		}
		admin.Get("/api/v1/notify/settings").JSON(t, &st)
		if st.QuietStart != "23:00" || st.QuietEnd != "06:30" || env.AuditCount("notify.settings", audit.OK) != 1 {
			t.Errorf("settings %+v", st)
		}

		// Pages.
		page := env.SignIn("admin").Get("/notify/deliveries")
		if page.StatusCode != 200 || !strings.Contains(string(page.Body), "keywords not in content") || !strings.Contains(string(page.Body), `action="/notify/deliveries/`) {
			t.Errorf("deliveries page: %d", page.StatusCode)
		}
		if r := env.SignIn("leader").Get("/notify/deliveries"); r.StatusCode != http.StatusNotFound {
			t.Errorf("leader: %d", r.StatusCode)
		}
		if r := env.SignIn("admin").PostForm("/notify/settings", url.Values{"quiet_start": {"22:30"}, "quiet_end": {"7:00"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("bad settings form: %d", r.StatusCode)
		}
	})
}

func TestChannelPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		env := apptest.Start(t, d)
		rb := newRobot(t, ok0)
		admin := env.SignIn("admin")
		page := admin.Get("/notify/channels")
		if page.StatusCode != 200 || !strings.Contains(string(page.Body), `value="org:`+itoa(env.OrgID("SFQ-QS"))+`"`) {
			t.Fatalf("admin's channels page: %d", page.StatusCode)
		}
		r := admin.PostForm("/notify/channels", url.Values{"owner": {"org:" + itoa(env.OrgID("SFQ-QS"))}, "kind": {"dingtalk"}, "name": {"青山镇群"},
			"target": {rb.URL + "/robot/send?access_token=abcdefgh"}, "secret": {"SECx"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create form: %d %s", r.StatusCode, r.Body)
		}
		var id int64
		var ownerKind string
		if err := d.QueryRow(ctx, "SELECT id, owner_kind FROM notify_channels WHERE name = '青山镇群'").Scan(&id, &ownerKind); err != nil || ownerKind != "org" {
			t.Fatal(ownerKind, err)
		}
		body := string(admin.Get("/notify/channels").Body)
		if !strings.Contains(body, "青山镇群") || strings.Contains(body, "SECx") || strings.Contains(body, "abcdefgh") {
			t.Errorf("the page lists the channel without its credentials")
		}
		// A bad form re-renders with the error and without the secret.
		r = admin.PostForm("/notify/channels", url.Values{"kind": {"dingtalk"}, "name": {"x"}, "target": {"https://evil.example/robot"}, "secret": {"SEChidden"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(string(r.Body), `class="alert"`) || strings.Contains(string(r.Body), "SEChidden") {
			t.Errorf("bad form: %d", r.StatusCode)
		}
		r = admin.PostForm("/notify/channels/"+itoa(id)+"/test", url.Values{})
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), "测试消息已送达") || len(rb.Hits()) != 1 {
			t.Errorf("test form: %d", r.StatusCode)
		}
		r = admin.PostForm("/notify/channels/"+itoa(id)+"/enabled", url.Values{"enabled": {"0"}})
		if r.StatusCode != http.StatusSeeOther || countRows(t, d, "SELECT count(*) FROM notify_channels WHERE id = ? AND enabled = FALSE", id) != 1 {
			t.Errorf("disable: %d", r.StatusCode)
		}
		// qingshan sees no organisations' channels and cannot touch them.
		qs := env.SignIn("qingshan")
		if body := string(qs.Get("/notify/channels").Body); strings.Contains(body, "青山镇群") || strings.Contains(body, `value="org:`) {
			t.Error("qingshan's page shows organisations' channels")
		}
		if r := qs.PostForm("/notify/channels/"+itoa(id)+"/delete", url.Values{}); r.StatusCode != http.StatusNotFound {
			t.Errorf("qingshan delete: %d", r.StatusCode)
		}
		if r := admin.PostForm("/notify/channels/"+itoa(id)+"/delete", url.Values{}); r.StatusCode != http.StatusSeeOther || countRows(t, d, "SELECT count(*) FROM notify_channels") != 0 {
			t.Errorf("delete: %d", r.StatusCode)
		}
	})
}
