package notify

import (
	"embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/web"
)

//go:embed templates
var templates embed.FS

type handlers struct {
	srv *web.Server
	svc *Service
}

// Register adds the inbox, channel and outbox API and pages, the menu
// entries and the home-page block of unread items. It starts nothing: the
// application runs svc.Run.
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("GET", "/api/v1/notifications", h.apiInbox)
	srv.API("POST", "/api/v1/notifications/{id}/read", h.apiRead)
	srv.API("POST", "/api/v1/notifications/read-all", h.apiReadAll)
	srv.API("GET", "/api/v1/notify/channels", h.apiChannels)
	srv.API("POST", "/api/v1/notify/channels", h.apiCreateChannel)
	srv.API("PATCH", "/api/v1/notify/channels/{id}", h.apiUpdateChannel)
	srv.API("DELETE", "/api/v1/notify/channels/{id}", h.apiDeleteChannel)
	srv.API("POST", "/api/v1/notify/channels/{id}/test", h.apiTestChannel)
	srv.API("GET", "/api/v1/notify/deliveries", h.apiDeliveries)
	srv.API("POST", "/api/v1/notify/deliveries/{id}/retry", h.apiRetry)
	srv.API("GET", "/api/v1/notify/settings", h.apiSettings)
	srv.API("PUT", "/api/v1/notify/settings", h.apiSetSettings)

	srv.Page("GET", "/inbox", h.inboxPage)
	srv.Page("GET", "/inbox/{id}", h.openItem)
	srv.Page("POST", "/inbox/read-all", h.readAllForm)
	srv.Page("GET", "/notify/channels", h.channelsPage)
	srv.Page("POST", "/notify/channels", h.createChannelForm)
	srv.Page("POST", "/notify/channels/{id}/test", h.testChannelForm)
	srv.Page("POST", "/notify/channels/{id}/enabled", h.enableChannelForm)
	srv.Page("POST", "/notify/channels/{id}/delete", h.deleteChannelForm)
	srv.Page("GET", "/notify/deliveries", h.deliveriesPage)
	srv.Page("POST", "/notify/deliveries/{id}/retry", h.retryForm)
	srv.Page("POST", "/notify/settings", h.settingsForm)

	srv.AddMenu(web.MenuItem{Href: "/inbox", Label: "nav.inbox", Group: web.MenuPersonal})
	srv.AddMenu(web.MenuItem{Href: "/notify/deliveries", Label: "nav.notify_deliveries", Group: web.MenuAdmin, Weight: 50, Show: func(a *auth.Actor) bool { return a.CanAnywhere(auth.NotifyManage) }})
	srv.AddHomeSection(h.homeUnread)
	web.AddMessages(messages)
}

// pathID parses an id path value; junk is a plain 404.
// ---- API ----

func (h *handlers) apiInbox(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	unread := false
	switch r.URL.Query().Get("unread") {
	case "", "0", "false":
	case "1", "true":
		unread = true
	default:
		return apperr.Field(apperr.EINVALID, "unread", "unread 只能是 1 或 0 / unread must be 1 or 0")
	}
	list, err := h.svc.Inbox(r.Context(), a, unread, 0)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiRead(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.MarkRead(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiReadAll(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if _, err := h.svc.MarkAllRead(r.Context(), a); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiChannels(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	list, err := h.svc.Channels(r.Context(), a)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiCreateChannel(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in ChannelInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.CreateChannel(r.Context(), a, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, c)
	return nil
}

func (h *handlers) apiUpdateChannel(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	// Someone who may not touch the channel learns nothing, not even about a bad body.
	if _, err := h.svc.channelFor(r.Context(), a, h.svc.DB, id); err != nil {
		return err
	}
	var p ChannelPatch
	if err := web.DecodeJSON(w, r, &p); err != nil {
		return err
	}
	c, err := h.svc.UpdateChannel(r.Context(), a, id, p)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *handlers) apiDeleteChannel(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteChannel(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiTestChannel(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	res, err := h.svc.TestChannel(r.Context(), a, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiDeliveries(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if err := h.svc.AuthorizeOutbox(r.Context(), a, "notify_delivery", 0); err != nil {
		return err
	}
	list, err := h.svc.ListDeliveries(r.Context(), r.URL.Query().Get("state"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiRetry(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc.RetryDelivery(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiSettings(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	st, err := h.svc.Settings(r.Context())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (h *handlers) apiSetSettings(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if err := h.svc.AuthorizeOutbox(r.Context(), a, "notify_settings", 0); err != nil {
		return err
	}
	var st Settings
	if err := web.DecodeJSON(w, r, &st); err != nil {
		return err
	}
	out, err := h.svc.SetSettings(r.Context(), a, st)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// ---- pages ----

func withError(v *web.View, failure error) error {
	if failure == nil {
		return nil
	}
	e, ok := apperr.As(failure)
	if !ok {
		return failure
	}
	v.Error, v.Status = e, web.Status(e)
	return nil
}

type inboxData struct {
	Items  []Notification
	Unread int
	Only   bool // unread only
}

func (h *handlers) inboxPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	only := r.URL.Query().Get("unread") == "1"
	items, err := h.svc.Inbox(r.Context(), a, only, 100)
	if err != nil {
		return err
	}
	n, err := h.svc.UnreadCount(r.Context(), a)
	if err != nil {
		return err
	}
	v := h.srv.NewView(r, a, web.Translate(web.Lang(r), "nav.inbox"), inboxData{Items: items, Unread: n, Only: only})
	h.srv.Render(w, r, h.srv.Template(templates, "templates/inbox.html", "templates/partials.html"), v)
	return nil
}

// openItem marks an item read and follows its link.
func (h *handlers) openItem(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	n, err := h.svc.MarkRead(r.Context(), a, id)
	if err != nil {
		return err
	}
	to := "/inbox"
	if n.Link != "" && localPath(n.Link) {
		to = n.Link
	}
	web.Redirect(w, r, to)
	return nil
}

func (h *handlers) readAllForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if _, err := h.svc.MarkAllRead(r.Context(), a); err != nil {
		return err
	}
	h.srv.Flash(r, "notify.all_read")
	web.Redirect(w, r, "/inbox")
	return nil
}

// homeUnread shows the five newest unread items; nothing when there are none.
func (h *handlers) homeUnread(r *http.Request, a *auth.Actor) (template.HTML, error) {
	if a == nil || a.UserID == 0 {
		return "", nil
	}
	items, err := h.svc.Inbox(r.Context(), a, true, 5)
	if err != nil || len(items) == 0 {
		return "", err
	}
	n, err := h.svc.UnreadCount(r.Context(), a)
	if err != nil {
		return "", err
	}
	v := h.srv.NewView(r, a, "", inboxData{Items: items, Unread: n})
	return web.RenderFragment(h.srv.Template(templates, "templates/inbox.html", "templates/partials.html"), "home-inbox", v)
}

type orgOption struct {
	ID     int64
	Name   string
	Indent int
}

type channelsData struct {
	Mine, Orgs []Channel
	CanManage  bool
	OrgOptions []orgOption
	Kinds      []string
	Form       ChannelInput
	Owner      string // "user" or "org:ID", the form's owner choice
	TestedID   int64
	Test       *TestResult
}

// orgOptions lists the organisations where a may manage channels, as a tree.
func (h *handlers) orgOptions(r *http.Request, a *auth.Actor) ([]orgOption, error) {
	var out []orgOption
	for _, p := range a.Scopes(auth.NotifyManage) {
		cond, args := subtree("path", p)
		rows, err := h.svc.DB.Query(r.Context(), "SELECT id, name, depth FROM orgs WHERE "+cond+" ORDER BY path LIMIT 1000", args...)
		if err != nil {
			return nil, err
		}
		top := -1
		for rows.Next() {
			var o orgOption
			var depth int
			if err := rows.Scan(&o.ID, &o.Name, &depth); err != nil {
				rows.Close()
				return nil, err
			}
			if top < 0 {
				top = depth
			}
			o.Indent = depth - top
			out = append(out, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (h *handlers) channelsPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	return h.renderChannels(w, r, a, channelsData{Owner: OwnerUser, Form: ChannelInput{Kind: DingTalk}}, nil)
}

func (h *handlers) renderChannels(w http.ResponseWriter, r *http.Request, a *auth.Actor, d channelsData, failure error) error {
	list, err := h.svc.Channels(r.Context(), a)
	if err != nil {
		return err
	}
	d.Mine, d.Orgs = []Channel{}, []Channel{}
	for _, c := range list {
		if c.OwnerKind == OwnerUser {
			d.Mine = append(d.Mine, c)
		} else {
			d.Orgs = append(d.Orgs, c)
		}
	}
	d.CanManage = a.CanAnywhere(auth.NotifyManage)
	d.Kinds = []string{DingTalk, WeCom, Feishu, Email}
	if d.CanManage {
		d.Kinds = Kinds
		if d.OrgOptions, err = h.orgOptions(r, a); err != nil {
			return err
		}
	}
	v := h.srv.NewView(r, a, web.Translate(web.Lang(r), "notify.channels_title"), d)
	if err := withError(v, failure); err != nil {
		return err
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/channels.html", "templates/partials.html"), v)
	return nil
}

func (h *handlers) createChannelForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	owner := r.PostFormValue("owner")
	in := ChannelInput{OwnerKind: OwnerUser, Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name"), Target: r.PostFormValue("target"),
		Secret: r.PostFormValue("secret"), MentionMobiles: r.PostFormValue("mention_mobiles")}
	if id, ok := strings.CutPrefix(owner, "org:"); ok {
		in.OwnerKind = OwnerOrg
		in.OwnerID, _ = strconv.ParseInt(id, 10, 64)
	} else {
		owner = OwnerUser
	}
	if _, err := h.svc.CreateChannel(r.Context(), a, in); err != nil {
		if apperr.Code(err) == apperr.ENOTFOUND {
			return err
		}
		in.Secret = "" // never echoed back into the page
		return h.renderChannels(w, r, a, channelsData{Form: in, Owner: owner}, err)
	}
	h.srv.Flash(r, "notify.channel_added")
	web.Redirect(w, r, "/notify/channels")
	return nil
}

func (h *handlers) testChannelForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	res, err := h.svc.TestChannel(r.Context(), a, id)
	if err != nil {
		return err
	}
	return h.renderChannels(w, r, a, channelsData{Owner: OwnerUser, Form: ChannelInput{Kind: DingTalk}, TestedID: id, Test: res}, nil)
}

func (h *handlers) enableChannelForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	on := r.PostFormValue("enabled") == "1"
	if _, err := h.svc.UpdateChannel(r.Context(), a, id, ChannelPatch{Enabled: &on}); err != nil {
		return err
	}
	h.srv.Flash(r, "common.saved")
	web.Redirect(w, r, "/notify/channels")
	return nil
}

func (h *handlers) deleteChannelForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteChannel(r.Context(), a, id); err != nil {
		return err
	}
	h.srv.Flash(r, "notify.channel_deleted")
	web.Redirect(w, r, "/notify/channels")
	return nil
}

type deliveriesData struct {
	Items    []Delivery
	Counts   map[string]int
	State    string // "" = failed and dead
	States   []string
	Settings Settings
}

func (h *handlers) deliveriesPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	return h.renderDeliveries(w, r, a, r.URL.Query().Get("state"), nil, nil)
}

func (h *handlers) renderDeliveries(w http.ResponseWriter, r *http.Request, a *auth.Actor, state string, form *Settings, failure error) error {
	if err := h.svc.AuthorizeOutbox(r.Context(), a, "notify_delivery", 0); err != nil {
		return err
	}
	if !oneOf(state, States) {
		state = ""
	}
	d := deliveriesData{State: state, States: []string{Failed, Dead, Pending, Sent}}
	var err error
	if state == "" {
		var failed, dead []Delivery
		if failed, err = h.svc.ListDeliveries(r.Context(), Failed); err == nil {
			dead, err = h.svc.ListDeliveries(r.Context(), Dead)
		}
		d.Items = append(dead, failed...)
	} else {
		d.Items, err = h.svc.ListDeliveries(r.Context(), state)
	}
	if err != nil {
		return err
	}
	if d.Counts, err = h.svc.DeliveryCounts(r.Context()); err != nil {
		return err
	}
	if form != nil {
		d.Settings = *form
	} else if d.Settings, err = h.svc.Settings(r.Context()); err != nil {
		return err
	}
	v := h.srv.NewView(r, a, web.Translate(web.Lang(r), "nav.notify_deliveries"), d)
	if err := withError(v, failure); err != nil {
		return err
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/deliveries.html", "templates/partials.html"), v)
	return nil
}

func (h *handlers) retryForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	back := r.PostFormValue("back")
	if !oneOf(back, States) {
		back = ""
	}
	if err := h.svc.RetryDelivery(r.Context(), a, id); err != nil {
		if apperr.Code(err) == apperr.ENOTFOUND {
			return err
		}
		return h.renderDeliveries(w, r, a, back, nil, err)
	}
	h.srv.Flash(r, "notify.retry_queued")
	to := "/notify/deliveries"
	if back != "" {
		to += "?state=" + back
	}
	web.Redirect(w, r, to)
	return nil
}

func (h *handlers) settingsForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if err := h.svc.AuthorizeOutbox(r.Context(), a, "notify_settings", 0); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	st := Settings{QuietStart: strings.TrimSpace(r.PostFormValue("quiet_start")), QuietEnd: strings.TrimSpace(r.PostFormValue("quiet_end"))}
	if _, err := h.svc.SetSettings(r.Context(), a, st); err != nil {
		if apperr.Code(err) == apperr.ENOTFOUND {
			return err
		}
		return h.renderDeliveries(w, r, a, "", &st, err)
	}
	h.srv.Flash(r, "common.saved")
	web.Redirect(w, r, "/notify/deliveries")
	return nil
}
