package app

import (
	"context"
	"fmt"
	"sync"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/notify"
	"github.com/anwen-gov/anwen/internal/petition"
)

// petitionServices holds each App's petition service until App gets a
// field of its own for it (see Petitions).
var petitionServices sync.Map // *App → *petition.Service

// Petitions is the petition service (信访事项) of a, for the public portal
// (SubmitPublic, Milestones, Rate, RequestReview), the demo and tests.
func (a *App) Petitions() *petition.Service {
	s, _ := petitionServices.Load(a)
	p, _ := s.(*petition.Service)
	return p
}

// Petition cases (信访事项): registration, routing, handling, review, the
// legal clocks and the day's digest. This file sorts after
// wire_attachment.go, so a.Attachments is set when it runs.
func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		kr, err := a.FieldCipher()
		if err != nil {
			return err
		}
		svc := &petition.Service{DB: a.DB, Auth: a.Auth, Clock: a.Clock, Cipher: kr, Attachments: a.Attachments,
			Notifier: petitionNotifier{a.Notify}, Log: a.Log, DisputesOf: a.disputesOf,
			FromDispute: a.petitionFromDispute, PassDispute: a.passDispute}
		if a.WorkCalendar != nil {
			svc.Calendar = a.WorkCalendar
		}
		petitionServices.Store(a, svc)
		svc.RegisterClock(a.Engine)
		a.planners = append(a.planners, svc.Plan)
		if a.Attachments != nil {
			// Who may see a case may see its materials; an accusation's
			// material only those who handle it.
			a.Attachments.RegisterOwner(petition.OwnerType, svc.CanView)
		}
		petition.Register(a.Web, svc)
		petition.RegisterPortal(a.Web, svc)
		return nil
	})
	var list []Param
	for _, p := range petition.FilterParams {
		list = append(list, Param{p[0], p[1], p[2]})
	}
	Document(
		Operation{Method: "POST", Path: "/api/v1/petitions", Tag: "petitions",
			Summary: "Register a petition (登记): the petition bureau's staff at the bureau (15 days to route it from received_at); a township, street, zone or department's staff " +
				"a petition their org received itself, which is then the org's to accept or decline within 15 days of receipt (route_kind direct; object passes it back to the bureau; " +
				"an accusation: 422 on category). Fields: channel, received_at, one to five petitioners " +
				"(name; phone, id_number, address sealed at rest), head_count (5 or more: collective), category (claim, suggestion, accusation), subject, place, request, facts; " +
				"an accusation's accused_org_id / accused_user_id / accused (its members and the person never see the case); repeat_of and same_claim link an earlier case " +
				"(POST /api/v1/petitions/similar suggests them; the same claim after a concluded second review: 422 naming repeat_of). Numbered <area code>-<year>-<serial>.",
			Request: petition.Input{}, Response: petition.Detail{}, Status: 201},
		Operation{Method: "GET", Path: "/api/v1/petitions", Tag: "petitions",
			Summary:  "The ledger: the cases the caller may see, newest first by keyset (next/prev cursors), personal data masked; the total counted up to 10,000",
			Response: petition.Page{}, Query: list},
		Operation{Method: "GET", Path: "/api/v1/petitions/export.xlsx", Tag: "petitions",
			Summary:      "The ledger as an Excel workbook in the columns offices use (编号 · 来源 · 登记时间 · 信访人 · 身份证号 · 联系电话 · 内容 · 地点 · 责任单位 · 包案领导 · 办理情况 · 是否办结/终结, then 信访类别 · 问题类别 · 人数 · 当前期限), newest first, streamed, at most 200,000 rows; the list's filters apply; names, ID numbers and phones masked as on screen, an accusation's content not written; audited (petition.export)",
			ResponseType: petition.XLSXType, Query: list},
		Operation{Method: "GET", Path: "/api/v1/petitions/stats", Tag: "petitions",
			Summary: "Statistics (信访事项统计) of an org subtree (the handling orgs; default: the caller's widest scope where they may view petitions; 404 outside it) and period: " +
				"one row per child org (and the org's own), and the total: received (registered with the org or routed to it in the period, still its), repeats, accepted, declined, " +
				"decided within 15 days (decide_on_time_rate, 按期受理率), answers served (replied) and within the limit incl. an extension (reply_on_time_rate, 按期办结率), extended, " +
				"rated, satisfied or basically (satisfaction_rate 满意率, rating_rate 参评率), reviews asked for; open, overdue and due soon now; the months' trend; for the district " +
				"the cases registered by category, channel and subject (top 10). Counts only: nothing names a petitioner, an accused or what a case is about. From a tally kept with each step",
			Response: petition.Stats{}, Query: []Param{{"org_id", "integer", "default: the caller's scope"}, {"from", "string", "YYYY-MM-DD, default 1 January"}, {"to", "string", "YYYY-MM-DD, default today"}}},
		Operation{Method: "GET", Path: "/api/v1/petitions/stats.xlsx", Tag: "petitions",
			Summary:      "The statistics table as an Excel workbook (信访事项统计): a row per child org, then 合计; the same query and scope as GET /api/v1/petitions/stats",
			ResponseType: petition.XLSXType, Query: []Param{{"org_id", "integer", "default: the caller's scope"}, {"from", "string", "YYYY-MM-DD, default 1 January"}, {"to", "string", "YYYY-MM-DD, default today"}}},
		Operation{Method: "GET", Path: "/api/v1/petitions/{id}", Tag: "petitions",
			Summary:  "A case with its legal clock (period, last day, days left, overdue), window (objection or review request period), timeline, written answers and the actions the caller may take now (allowed_actions); 404 outside the caller's reach, to the accused org's members and the accused, and to whoever stepped aside",
			Response: petition.Detail{}},
		Operation{Method: "POST", Path: "/api/v1/petitions/{id}/transitions", Tag: "petitions",
			Summary: "Take one step of the lifecycle table. The bureau: transfer / assign (org_id), to_discipline (accusations), overrule (reason), request_review / request_rereview " +
				"(requested_on at most 30 days after the answer was served, else 422 naming requested_on; review_org_id), supervise (comment), flag_key, unflag_key (reason). " +
				"The handling org: accept (notice), object (reason, within 5 working days), decline (reason, notice), extend (the org's head: extension_days 1–30 once, reason, " +
				"petitioner_told), reply (opinion: decision, facts, reasons, basis; agreement). The reviewing org: answer_review, answer_rereview (opinion). Anyone on the case: " +
				"recuse (user_id, reason). A step the table does not have answers 422 with error.allowed_actions (a reply before acceptance, a second extension, a second review after the second review).",
			Request: petition.TransitionInput{}, Response: petition.Detail{}},
		Operation{Method: "GET", Path: "/api/v1/petitions/{id}/personal", Tag: "petitions",
			Summary:  "The petitioners' names, ID numbers, phones and addresses (and an accusation's content) in full, for those who handle the case (petition.reveal); every call is recorded in the audit trail (petition.reveal)",
			Response: petition.Revealed{}},
		Operation{Method: "POST", Path: "/api/v1/petitions/similar", Tag: "petitions",
			Summary: "Earlier cases of the same petitioners (ID numbers, phones: matched by blind index) or the same matter (subject and place within a year), for the registrar to link as repeat petitions (重复信访)",
			Request: petition.SimilarQuery{}, Response: []petition.SimilarCase{}},
		Operation{Method: "GET", Path: "/api/v1/petitions/subjects", Tag: "petitions", Summary: "The subject areas (涉及领域)", Response: []petition.Subject{}},
		Operation{Method: "GET", Path: "/api/v1/petitions/settings", Tag: "petitions", Summary: "The petition bureau, the discipline organ and the area code numbers start with", Response: petition.Settings{}},
		Operation{Method: "PUT", Path: "/api/v1/petitions/settings", Tag: "petitions", Summary: "Set them (petition.configure, the system administrator)", Request: petition.Settings{}, Response: petition.Settings{}},
	)
}

// The public portal (网上信访): no sign-in; the phone travels in the
// X-Petitioner-Phone header; every route is rate-limited per client address
// (429 with Retry-After).
func init() {
	limits := fmt.Sprintf(" Limited per client address to %d look-ups, ratings and review requests per %s (429 rate_limited with Retry-After).",
		petition.PortalLookupLimit, petition.PortalWindow)
	phone := " The petitioner's mobile number goes in the " + petition.PhoneHeader + " header (kept out of URLs and logs); a wrong code and a wrong phone answer the same 404."
	Document(
		Operation{Method: "GET", Path: "/public/petitions/challenge", Tag: "public-portal", Public: true,
			Summary: fmt.Sprintf("A challenge for a submission: a small sum in words (question in Chinese, question_en in English), answered in digits with its token; good once, from %s after it is issued until expires_at (%s)",
				petition.ChallengeMinAge, petition.ChallengeTTL),
			Response: petition.Challenge{}},
		Operation{Method: "POST", Path: "/public/petitions", Tag: "public-portal", Public: true, Status: 201,
			Summary: fmt.Sprintf("A citizen submits a petition online (channel online): category (claim, suggestion, accusation), subject (see the subject list), place and place_org_id (a township, street, zone, village or community), request, facts, accused (an accusation), name, phone (an 11-digit mobile, required), id_number and address (optional); challenge (the token of GET /public/petitions/challenge) and answer; consent (true). "+
				"Answers the case number and the query code, shown this once (only its hash is kept). Files are taken by the portal's form only. Limited per client address to %d accepted petitions and %d requests per %s (429 rate_limited with Retry-After); a wrong or reused answer is 400 on the field answer.",
				petition.PortalSubmitLimit, petition.PortalAttemptLimit, petition.PortalWindow),
			Request: petition.PortalSubmission{}, Response: petition.PortalReceipt{}},
		Operation{Method: "GET", Path: "/public/petitions/{code}", Tag: "public-portal", Public: true,
			Summary:  "The petitioner's view of their case by query code: its public milestones with dates (registered, routed with the org for all but accusations, accepted, declined with the notice, extended with the reason, answered, reviewed, rated), the written answers, whether it may be rated (can_rate) and the last day to ask for a review (review_until)." + phone + limits,
			Response: petition.PublicStatus{}},
		Operation{Method: "POST", Path: "/public/petitions/{code}/rating", Tag: "public-portal", Public: true,
			Summary: "Rate the answer once: satisfied (满意), basic (基本满意) or unsatisfied (不满意); 422 before an answer, 409 when already rated." + phone + limits,
			Request: petition.RatingInput{}, Response: petition.PublicStatus{}},
		Operation{Method: "POST", Path: "/public/petitions/{code}/review", Tag: "public-portal", Public: true,
			Summary: "Ask for the review (复查) of a claim's answer, or the second review (复核) of the review, within 30 days of it (422 after), with the reasons (required)." + phone + limits,
			Request: petition.ReviewInput{}, Response: petition.PublicStatus{}},
	)
}

// petitionNotifier hands the petition messages to the notify platform, in
// the caller's transaction.
type petitionNotifier struct{ n *notify.Service }

func (x petitionNotifier) Notify(ctx context.Context, tx *db.Tx, notes ...petition.Note) error {
	envs := make([]notify.Envelope, len(notes))
	for i, n := range notes {
		envs[i] = notify.Envelope{To: notify.Recipient{UserIDs: n.UserIDs, OrgIDs: n.OrgIDs},
			Message: notify.Message{Kind: "petition", Title: n.Title, Body: n.Body, Link: n.Link, DedupeKey: n.DedupeKey}}
	}
	return x.n.EnqueueMany(ctx, tx, envs)
}
