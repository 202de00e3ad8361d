package app

import (
	"context"

	"github.com/anwen-gov/anwen/internal/notify"
)

func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		notify.Register(a.Web, a.Notify)
		return nil
	})
	Document(
		Operation{Method: "GET", Path: "/api/v1/notifications", Tag: "notify", Summary: "The caller's own inbox, newest first (at most 200)", Response: []notify.Notification{},
			Query: []Param{{"unread", "string", "1: unread items only"}}},
		Operation{Method: "POST", Path: "/api/v1/notifications/{id}/read", Tag: "notify", Summary: "Mark one of the caller's notifications read", Status: 204},
		Operation{Method: "POST", Path: "/api/v1/notifications/read-all", Tag: "notify", Summary: "Mark all the caller's notifications read", Status: 204},
		Operation{Method: "GET", Path: "/api/v1/notify/channels", Tag: "notify", Summary: "The caller's own channels, then organisations' channels in the caller's notify.manage scope; secrets are never returned and robot tokens are masked", Response: []notify.Channel{}},
		Operation{Method: "POST", Path: "/api/v1/notify/channels", Tag: "notify", Summary: "Add a channel (own, or an organisation's with notify.manage)", Request: notify.ChannelInput{}, Response: notify.Channel{}, Status: 201},
		Operation{Method: "PATCH", Path: "/api/v1/notify/channels/{id}", Tag: "notify", Summary: "Change a channel; an empty secret removes it", Request: notify.ChannelPatch{}, Response: notify.Channel{}},
		Operation{Method: "DELETE", Path: "/api/v1/notify/channels/{id}", Tag: "notify", Summary: "Delete a channel and its queued deliveries", Status: 204},
		Operation{Method: "POST", Path: "/api/v1/notify/channels/{id}/test", Tag: "notify", Summary: "Send a test message now and report the channel's answer", Response: notify.TestResult{}},
		Operation{Method: "GET", Path: "/api/v1/notify/deliveries", Tag: "notify", Summary: "The outbox with each delivery's last error, for administrators (notify.manage)", Response: []notify.Delivery{},
			Query: []Param{{"state", "string", "pending, sent, failed or dead"}}},
		Operation{Method: "POST", Path: "/api/v1/notify/deliveries/{id}/retry", Tag: "notify", Summary: "Queue a failed or dead delivery again with a fresh set of attempts", Status: 204},
		Operation{Method: "GET", Path: "/api/v1/notify/settings", Tag: "notify", Summary: "The quiet hours (Beijing time)", Response: notify.Settings{}},
		Operation{Method: "PUT", Path: "/api/v1/notify/settings", Tag: "notify", Summary: "Set the quiet hours (notify.manage)", Request: notify.Settings{}, Response: notify.Settings{}},
	)
}
