package feedback

import (
	"embed"
	"net/http"
	"net/url"
	"strconv"
	"time"

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

// Register adds the feedback API and pages. The layout's footer links every
// page to /feedback.
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("POST", "/api/v1/feedback", h.apiSubmit)
	srv.API("GET", "/api/v1/feedback", h.apiMine)
	srv.API("GET", "/api/v1/feedback/inbox", h.apiInbox)
	srv.API("POST", "/api/v1/feedback/{id}/reply", h.apiReply)
	srv.Page("GET", "/feedback", h.formPage)
	srv.Page("POST", "/feedback", h.submitForm)
	srv.Page("GET", "/feedback/inbox", h.inboxPage)
	srv.Page("POST", "/feedback/{id}/reply", h.replyForm)
	srv.AddMenu(web.MenuItem{Href: "/feedback/inbox", Label: "nav.feedback_admin", Group: web.MenuAdmin, Weight: 60, Show: func(a *auth.Actor) bool { return a.CanAnywhere(auth.FeedbackView) }})
	web.AddMessages(messages)
}

// Created is what POST /api/v1/feedback answers.
type Created struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Body      string    `json:"body"`
	Page      string    `json:"page"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

func (h *handlers) apiSubmit(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Input
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	f, err := h.svc.Submit(r.Context(), a, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, Created{ID: f.ID, Kind: f.Kind, Body: f.Body, Page: f.Page, Status: f.Status, CreatedAt: f.CreatedAt})
	return nil
}

func (h *handlers) apiMine(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	list, err := h.svc.Mine(r.Context(), a)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiInbox(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	in, err := h.svc.List(r.Context(), a, r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, in)
	return nil
}

func (h *handlers) apiReply(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	// Someone without the permission learns nothing, not even about a bad body.
	if err := h.svc.Authorize(r.Context(), a, id); err != nil {
		return err
	}
	var in ReplyInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	f, err := h.svc.Reply(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, f)
	return nil
}

// ---- pages ----

type formData struct {
	Form  Input
	Mine  []Feedback
	Kinds []string
}

// pageOf is the page a person came from: ?page= first, else the path of a
// same-site Referer (never /feedback itself).
func pageOf(r *http.Request) string {
	if p := CleanPage(r.URL.Query().Get("page")); p != "" {
		return p
	}
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || ref.Path == "/feedback" {
		return ""
	}
	return CleanPage(ref.Path)
}

func (h *handlers) formPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	return h.renderForm(w, r, a, Input{Page: pageOf(r)}, nil)
}

func (h *handlers) renderForm(w http.ResponseWriter, r *http.Request, a *auth.Actor, form Input, failure error) error {
	mine, err := h.svc.Mine(r.Context(), a)
	if err != nil {
		return err
	}
	v := h.srv.NewView(r, a, web.Translate(web.Lang(r), "feedback.title"), formData{Form: form, Mine: mine, Kinds: Kinds})
	if failure != nil {
		e, ok := apperr.As(failure)
		if !ok {
			return failure
		}
		v.Error, v.Status = e, web.Status(e)
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/form.html", "templates/partials.html"), v)
	return nil
}

func (h *handlers) submitForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	in := Input{Kind: r.PostFormValue("kind"), Body: r.PostFormValue("body"), Page: r.PostFormValue("page")}
	if _, err := h.svc.Submit(r.Context(), a, in); err != nil {
		return h.renderForm(w, r, a, in, err)
	}
	h.srv.Flash(r, "feedback.sent")
	web.Redirect(w, r, "/feedback")
	return nil
}

type inboxData struct {
	Inbox    *Inbox
	Status   string
	Statuses []string
	// The item whose reply failed, to show its form open with what was typed.
	FailedID    int64
	FailedReply string
}

func (h *handlers) inboxPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	return h.renderInbox(w, r, a, r.URL.Query().Get("status"), 0, "", nil)
}

func (h *handlers) renderInbox(w http.ResponseWriter, r *http.Request, a *auth.Actor, status string, failedID int64, failedReply string, failure error) error {
	if err := h.svc.Authorize(r.Context(), a, 0); err != nil {
		return err
	}
	if status != "" && !oneOf(status, Statuses) {
		status = ""
	}
	in, err := h.svc.List(r.Context(), a, status)
	if err != nil {
		return err
	}
	v := h.srv.NewView(r, a, web.Translate(web.Lang(r), "nav.feedback_admin"),
		inboxData{Inbox: in, Status: status, Statuses: Statuses, FailedID: failedID, FailedReply: failedReply})
	if failure != nil {
		e, ok := apperr.As(failure)
		if !ok {
			return failure
		}
		v.Error, v.Status = e, web.Status(e)
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/inbox.html", "templates/partials.html"), v)
	return nil
}

func (h *handlers) replyForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc.Authorize(r.Context(), a, id); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	in := ReplyInput{Reply: r.PostFormValue("reply"), Status: r.PostFormValue("status")}
	back := r.PostFormValue("back")
	if back != "" && !oneOf(back, Statuses) {
		back = ""
	}
	if _, err := h.svc.Reply(r.Context(), a, id, in); err != nil {
		if apperr.Code(err) == apperr.ENOTFOUND {
			return err
		}
		return h.renderInbox(w, r, a, back, id, in.Reply, err)
	}
	h.srv.Flash(r, "feedback.replied")
	to := "/feedback/inbox"
	if back != "" {
		to += "?status=" + back
	}
	web.Redirect(w, r, to+"#f"+strconv.FormatInt(id, 10))
	return nil
}
