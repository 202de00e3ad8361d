package petition

// The public portal's pages (网上信访), without sign-in, in a layout of
// their own (portal_layout.html: the portal's name, its two entries and
// the language switch; no staff menu): the landing page, the form with its
// challenge, the receipt that shows the query code once, the look-up and
// the case's milestones with the rating and the review request. Nothing
// here uses the session: the code and the phone travel with each form.

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/sealed"
	"github.com/anwen-gov/anwen/internal/web"
)

func (p *portal) registerPages() {
	web.AddMessages(portalMessages)
	p.srv.Stylesheet("/static/portal.css", assets, "static/portal.css")
	p.srv.PublicPage("GET", "/public/petitions", p.homePage)
	p.srv.PublicPage("GET", "/public/petitions/new", p.newPage)
	p.srv.PublicPage("POST", "/public/petitions/new", p.submitForm)
	p.srv.PublicPage("GET", "/public/petitions/query", p.queryPage)
	p.srv.PublicPage("POST", "/public/petitions/query", p.queryForm)
	p.srv.PublicPage("POST", "/public/petitions/query/rating", p.rateForm)
	p.srv.PublicPage("POST", "/public/petitions/query/review", p.reviewForm)
}

// portalBase is what every portal page has.
type portalBase struct {
	tools
	Bureau string
}

// Msg is the half of a bilingual message ("中文 / English") in the page's language.
func (b portalBase) Msg(e *apperr.Error) string {
	if e == nil {
		return ""
	}
	zh, en, ok := strings.Cut(e.Message, " / ")
	if !ok {
		return e.Message
	}
	if b.lang == web.English {
		return en
	}
	return zh
}

// Step names a milestone in the page's language.
func (b portalBase) Step(m Milestone) string {
	if b.lang == web.English {
		if en, ok := publicStepsEN[m.Action]; ok {
			return en
		}
	}
	return m.Title
}

// StatusName names the case's state for the petitioner.
func (b portalBase) StatusName(st *PublicStatus) string {
	if b.lang == web.English {
		if en, ok := publicStatusEN[st.Status]; ok {
			return en
		}
	}
	return st.StatusName
}

// SubjectOf names a subject given by its Chinese name.
func (b portalBase) SubjectOf(zh string) string {
	for _, s := range Subjects {
		if s.Name == zh {
			return b.Subject(s.Code)
		}
	}
	return zh
}

// AnswerKind names a written answer.
func (b portalBase) AnswerKind(a PublicAnswer) string {
	return web.Translate(b.lang, "portal.answer."+strconv.Itoa(a.Round))
}

var (
	publicStepsEN = map[string]string{ActRegister: "Registered", ActTransfer: "Sent to the body that handles it", ActAssign: "Assigned to the body that handles it",
		ActToDiscipline: "Sent to the discipline inspection organ", ActAccept: "Accepted", ActDecline: "Not accepted", ActReply: "Answered in writing",
		ActRequestReview: "Review asked for", ActAnswerReview: "Review answered", ActRequestReview2: "Second review asked for",
		ActAnswerReview2: "Second review answered (final)", ActLapse: "Closed", ActExtend: "Handling period extended", EventRate: "Rated"}
	publicStatusEN = map[string]string{Registered: "Registered, being routed", Routed: "Routed, awaiting acceptance", Objected: "Registered, being routed",
		Discipline: "With the discipline inspection organ", Accepted: "Accepted, being handled", Declined: "Not accepted", Replied: "Answered",
		ReviewRequested: "Under review", Reviewed: "Reviewed", RereviewRequested: "Under second review", Concluded: "Concluded", Closed: "Closed"}
)

func (p *portal) base(r *http.Request) portalBase {
	b := portalBase{tools: tools{web.Lang(r)}}
	if o, err := bureau(r.Context(), p.svc.DB); err == nil {
		b.Bureau = o.Name
	}
	return b
}

// render shows a portal page; path is where the language switch returns.
func (p *portal) render(w http.ResponseWriter, r *http.Request, file, titleKey, path string, data any, failure error) {
	lang := web.Lang(r)
	v := p.srv.NewView(r, nil, web.Translate(lang, titleKey), data)
	if path != "" {
		v.Path = path
	}
	if failure != nil {
		e, ok := apperr.As(failure)
		if !ok {
			p.svc.log().Error("petition portal", "path", r.URL.Path, "err", failure)
			e = &apperr.Error{Code: apperr.EINTERNAL, Message: "服务器内部错误，已记录，请稍后再试 / internal error, logged: try again later"}
		}
		v.Error, v.Status = e, web.Status(e)
	}
	p.srv.Render(w, r, p.srv.Template(assets, "templates/portal_layout.html", "templates/"+file), v)
}

// errorPage answers a failure that no form can help with.
func (p *portal) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	p.render(w, r, "portal_error.html", "error.title", "/public/petitions", p.base(r), err)
}

// ---- the landing page ----

func (p *portal) homePage(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, "portal_home.html", "portal.name", "", p.base(r), nil)
}

// ---- the form ----

type newData struct {
	portalBase
	In         PublicInput
	Consent    bool
	Challenge  Challenge
	Answer     string
	FieldErr   string
	Categories []string
	Subjects   []Subject
	Places     []orgOption
	Accept     string
	MaxFiles   int
	Kept       int    // files stored by an earlier try
	FileIDs    string // their ids, signed
	FileSig    string
	FilesLost  bool // files were chosen and not kept: choose them again
}

// Bad marks the field the error is about.
func (d *newData) Bad(field string) template.HTMLAttr {
	if d.FieldErr == field {
		return `aria-invalid="true" autofocus`
	}
	return ""
}

// places are the townships, streets and zones, for the place's select.
func (p *portal) places(ctx context.Context) []orgOption {
	root, err := org.Root(ctx, p.svc.DB)
	if err != nil || root == nil {
		return nil
	}
	sub, err := org.Subtree(ctx, p.svc.DB, root.Path)
	if err != nil {
		return nil
	}
	var out []orgOption
	for _, o := range sub {
		if o.ParentID != nil && *o.ParentID == root.ID && org.Territorial(o.Kind) {
			out = append(out, orgOption{ID: o.ID, Name: o.Name})
		}
	}
	return out
}

func (p *portal) newData(r *http.Request, in PublicInput) *newData {
	return &newData{portalBase: p.base(r), In: in, Categories: Categories, Subjects: Subjects, Places: p.places(r.Context()),
		Accept: web.AttachmentAccept, MaxFiles: PortalMaxFiles, Challenge: p.guard.issue(p.svc.Clock.Now())}
}

func (p *portal) newPage(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, "portal_new.html", "portal.new_title", "", p.newData(r, PublicInput{}), nil)
}

// formInput reads the portal's form.
func formInput(r *http.Request) (PublicInput, error) {
	in := PublicInput{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), IDNumber: r.PostFormValue("id_number"),
		Address: r.PostFormValue("address"), Category: r.PostFormValue("category"), Subject: r.PostFormValue("subject"),
		Place: r.PostFormValue("place"), Request: r.PostFormValue("request"), Facts: r.PostFormValue("facts")}
	if in.Category == Accusation {
		in.Accused = r.PostFormValue("accused")
	}
	id, err := optID(r, "place_org_id")
	in.PlaceOrgID = id
	return in, err
}

// chosenFiles counts the files picked in the form's file input.
func chosenFiles(r *http.Request) int {
	if r.MultipartForm == nil {
		return 0
	}
	n := 0
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Filename != "" || fh.Size > 0 {
			n++
		}
	}
	return n
}

func (p *portal) submitForm(w http.ResponseWriter, r *http.Request) {
	if err := p.allow(w, r, p.attempt); err != nil {
		p.render(w, r, "portal_new.html", "portal.new_title", "", p.newData(r, PublicInput{}), err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, portalMaxBody)
	var perr error
	if isMultipart(r) {
		perr = r.ParseMultipartForm(1 << 20)
	} else {
		perr = r.ParseForm()
	}
	if perr != nil {
		var mbe *http.MaxBytesError
		err := apperr.Field(apperr.EINVALID, "files", "表单格式错误或上传中断，请重试 / the form is malformed or the upload broke off: try again")
		if errors.As(perr, &mbe) {
			err = apperr.Field(apperr.ETOOLARGE, "files", "附件合计不能超过 %d MB / the files may not exceed %d MB together", portalMaxBody>>20, portalMaxBody>>20)
		}
		p.render(w, r, "portal_new.html", "portal.new_title", "", p.newData(r, PublicInput{}), err)
		return
	}
	in, ierr := formInput(r)
	consent := r.PostFormValue("consent") != ""
	token, answer := r.PostFormValue("challenge"), r.PostFormValue("answer")
	kept := p.guard.keptFiles(r.PostFormValue("files_ids"), r.PostFormValue("files_sig"))
	chosen := chosenFiles(r)
	in.AttachmentIDs = kept
	var rc *Receipt
	var err error
	switch {
	case ierr != nil:
		err = &submitError{err: apperr.Field(apperr.EINVALID, "place_org_id", "请选择事发地所在的乡镇（街道） / choose the township or street the matter is in"), stage: stageChecked}
	case chosen+len(kept) > PortalMaxFiles:
		err = &submitError{err: apperr.Field(apperr.EINVALID, "files", "最多上传 %d 个附件 / at most %d files", PortalMaxFiles, PortalMaxFiles), stage: stageChecked}
	case chosen > 0 && p.svc.Attachments == nil:
		err = &submitError{err: apperr.Field(apperr.EINVALID, "files", "暂不能上传附件 / files cannot be uploaded here"), stage: stageChecked}
	default:
		var files func(ctx context.Context) ([]int64, error)
		if chosen > 0 {
			files = func(ctx context.Context) ([]int64, error) {
				return p.svc.Attachments.FromForm(ctx, portalActor(ctx), r, "files")
			}
		}
		rc, err = p.submitChecked(w, r, in, consent, token, answer, r.PostFormValue("website"), files)
	}
	if err == nil {
		p.render(w, r, "portal_receipt.html", "portal.receipt_title", "/public/petitions/query",
			receiptData{portalBase: p.base(r), Number: rc.Number, Code: rc.QueryCode, Phone: sealed.MaskPhone(sealed.NormalizePhone(in.Phone))}, nil)
		return
	}
	var se *submitError
	if !errors.As(err, &se) || !(web.FormError(se.err) || apperr.Code(se.err) == apperr.ERATELIMIT) {
		p.errorPage(w, r, err)
		return
	}
	d := p.newData(r, in)
	d.Consent, d.FilesLost = consent, chosen > 0
	if e, ok := apperr.As(se.err); ok {
		d.FieldErr = e.Field
	}
	keep := kept
	switch se.stage {
	case stageChecked: // the same question, answered or not
		d.Challenge, d.Answer = p.guard.again(r.Context(), token, p.svc.Clock.Now()), strings.TrimSpace(answer)
	case stageFiles:
		if len(se.files) > 0 { // stored: they go with the next try
			keep, d.FilesLost = se.files, false
		}
	}
	d.Kept = len(keep)
	d.FileIDs, d.FileSig = p.guard.signFiles(keep)
	p.render(w, r, "portal_new.html", "portal.new_title", "", d, se.err)
}

type receiptData struct {
	portalBase
	Number, Code, Phone string
}

// ---- the look-up ----

type queryData struct {
	portalBase
	Code, Phone string
}

func (p *portal) queryPage(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, "portal_query.html", "portal.query_title", "", queryData{portalBase: p.base(r)}, nil)
}

type statusData struct {
	portalBase
	S           *PublicStatus
	Code, Phone string
	Notice      string // a message key
	ReviewDays  int
	ReviewRound int // 1 the review (复查), 2 the second review (复核)
	Reason      string
	Next        string // a message key: what happens next
}

// readLookup bounds and reads a look-up form: the code and the phone.
func readLookup(w http.ResponseWriter, r *http.Request) (code, phone string) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	r.ParseForm()
	return strings.TrimSpace(r.PostFormValue("code")), strings.TrimSpace(r.PostFormValue("phone"))
}

// showStatus renders the case of code and phone; a wrong pair goes back to
// the look-up form (the same 404 for a wrong code and a wrong phone).
func (p *portal) showStatus(w http.ResponseWriter, r *http.Request, code, phone, notice, reason string, failure error) {
	st, err := p.svc.Milestones(p.ctx(r), code, phone)
	if err != nil {
		p.lookupFailed(w, r, code, phone, err)
		return
	}
	d := statusData{portalBase: p.base(r), S: st, Code: code, Phone: phone, Notice: notice, Reason: reason, ReviewRound: len(st.Answers)}
	if st.ReviewUntil != "" {
		if until, err := calendar.ParseDate(st.ReviewUntil); err == nil {
			d.ReviewDays = p.svc.today().DaysUntil(until)
		}
	}
	switch st.Status {
	case Registered, Objected, Routed, Accepted, Discipline, ReviewRequested, RereviewRequested:
		d.Next = "portal.next." + st.Status
	}
	if failure != nil && !web.FormError(failure) {
		p.errorPage(w, r, failure)
		return
	}
	p.render(w, r, "portal_status.html", "portal.status_title", "/public/petitions/query", d, failure)
}

func (p *portal) lookupFailed(w http.ResponseWriter, r *http.Request, code, phone string, err error) {
	if c := apperr.Code(err); c != apperr.ENOTFOUND && c != apperr.ERATELIMIT {
		p.errorPage(w, r, err)
		return
	}
	p.render(w, r, "portal_query.html", "portal.query_title", "", queryData{portalBase: p.base(r), Code: code, Phone: phone}, err)
}

func (p *portal) queryForm(w http.ResponseWriter, r *http.Request) {
	code, phone := readLookup(w, r)
	if err := p.allow(w, r, p.lookup); err != nil {
		p.lookupFailed(w, r, code, phone, err)
		return
	}
	p.showStatus(w, r, code, phone, "", "", nil)
}

func (p *portal) rateForm(w http.ResponseWriter, r *http.Request) {
	code, phone := readLookup(w, r)
	if err := p.allow(w, r, p.lookup); err != nil {
		p.lookupFailed(w, r, code, phone, err)
		return
	}
	err := p.svc.Rate(p.ctx(r), code, phone, r.PostFormValue("rating"))
	if apperr.Code(err) == apperr.ENOTFOUND {
		p.lookupFailed(w, r, code, phone, err)
		return
	}
	notice := ""
	if err == nil {
		notice = "portal.rated"
	}
	p.showStatus(w, r, code, phone, notice, "", err)
}

func (p *portal) reviewForm(w http.ResponseWriter, r *http.Request) {
	code, phone := readLookup(w, r)
	if err := p.allow(w, r, p.lookup); err != nil {
		p.lookupFailed(w, r, code, phone, err)
		return
	}
	reason := r.PostFormValue("reason")
	var err error
	if strings.TrimSpace(reason) == "" {
		err = errReason()
	} else {
		_, err = p.svc.RequestReview(p.ctx(r), code, phone, reason)
	}
	if apperr.Code(err) == apperr.ENOTFOUND {
		p.lookupFailed(w, r, code, phone, err)
		return
	}
	if err == nil {
		p.showStatus(w, r, code, phone, "portal.review_asked", "", nil)
		return
	}
	p.showStatus(w, r, code, phone, "", reason, plainReview(err))
}

// portalMessages are the portal's texts, Chinese first: plain words for a
// citizen, each legal term explained where it appears.
var portalMessages = map[string][2]string{
	"portal.name":            {"网上信访", "Online petitions"},
	"portal.nav":             {"网上信访", "Online petitions"},
	"portal.nav_new":         {"我要反映", "Submit"},
	"portal.nav_query":       {"查询进展", "Track"},
	"portal.footer_privacy":  {"您的个人信息加密保存，仅用于办理您反映的事项。", "Your personal data is stored encrypted and used only to handle your petition."},
	"portal.staff_signin":    {"工作人员登录", "Staff sign-in"},
	"portal.back_home":       {"返回网上信访", "Back to online petitions"},
	"portal.home_lead":       {"向%s反映问题、提出建议或者检举控告。提交后您会得到一个查询码，凭查询码和手机号码可以随时查看办理进展、评价答复。", "Raise a problem, make a suggestion or report wrongdoing to %s. You get a query code when you submit: with it and your phone number you can follow the handling and rate the answer."},
	"portal.home_lead_plain": {"向信访部门反映问题、提出建议或者检举控告。提交后您会得到一个查询码，凭查询码和手机号码可以随时查看办理进展、评价答复。", "Raise a problem, make a suggestion or report wrongdoing. You get a query code when you submit: with it and your phone number you can follow the handling and rate the answer."},
	"portal.home_new":        {"我要反映问题", "Submit a petition"},
	"portal.home_new_hint":   {"约需 5 分钟，可上传照片或 PDF", "About 5 minutes; photos or PDFs welcome"},
	"portal.home_query":      {"查询办理进展", "Track a petition"},
	"portal.home_query_hint": {"需要查询码和手机号码", "You need the query code and your phone number"},
	"portal.how_title":       {"办理时限", "How long it takes"},
	"portal.how_1":           {"登记后 15 日内，转送给有权处理的机关。", "Within 15 days of registration, it is sent to the body that can handle it."},
	"portal.how_2":           {"处理机关收到后 15 日内，告知您是否受理。", "Within 15 days of receiving it, that body tells you whether it accepts it."},
	"portal.how_3":           {"受理后 60 日内书面答复；情况复杂的可延长，最多 30 日，并告知您理由。", "It answers in writing within 60 days of acceptance; a complex matter may take up to 30 days more, and you are told why."},
	"portal.how_4":           {"对答复不服的，可在收到答复之日起 30 日内请求复查（由上一级机关重新审查）。", "If you do not accept the answer, you may ask for a review (by the body above) within 30 days of receiving it."},
	"portal.emergency":       {"紧急情况请直接拨打 110、119、120。已经进入诉讼、仲裁、行政复议程序的事项，请通过相应的法定途径解决。", "In an emergency call 110, 119 or 120. Matters before a court, in arbitration or in administrative reconsideration follow those procedures."},

	"portal.new_title":           {"我要反映问题", "Submit a petition"},
	"portal.new_lead":            {"请如实填写。带 * 的为必填项。提交后会显示查询码，请记下。", "Please write truthfully. Fields marked * are required. A query code is shown when you submit: write it down."},
	"portal.what_kind":           {"您要反映什么", "What is it about"},
	"portal.cat.claim":           {"请求解决问题", "Solve a problem"},
	"portal.cat.claim.hint":      {"申诉求决：请求解决您自己遇到的具体问题，如拖欠工资、征地补偿、社保待遇", "A claim: you ask for a problem of your own to be solved, such as unpaid wages, compensation for land or social insurance"},
	"portal.cat.suggestion":      {"提出意见建议", "Make a suggestion"},
	"portal.cat.suggestion.hint": {"建议意见：对政府工作提出意见或建议，如道路、公共设施、办事流程", "A suggestion: you comment on public work, such as roads, public facilities or how services are run"},
	"portal.cat.accusation":      {"检举控告", "Report wrongdoing"},
	"portal.cat.accusation.hint": {"检举控告：反映公职人员或单位的违法违纪行为。您的身份和检举内容严格保密", "An accusation: you report unlawful conduct by an official or a public body. Who you are and what you report are kept confidential"},
	"portal.the_matter":          {"事情经过", "The matter"},
	"portal.subject":             {"涉及哪方面 *", "Area *"},
	"portal.subject_hint":        {"不确定就选“其他”", "Not sure? Choose “Other”"},
	"portal.choose":              {"请选择", "Choose"},
	"portal.township":            {"发生在哪个乡镇（街道）", "Township or street"},
	"portal.township_unsure":     {"不确定", "Not sure"},
	"portal.place":               {"具体地点", "Exact place"},
	"portal.place_ph":            {"例如：上坪村 3 组", "e.g. Shangping village, group 3"},
	"portal.request":             {"您的诉求 *", "What you ask for *"},
	"portal.request_hint":        {"希望有关部门为您做什么", "What you want the authorities to do"},
	"portal.facts":               {"事实和理由 *", "Facts and reasons *"},
	"portal.facts_hint":          {"发生了什么、什么时候、涉及谁；已经找过哪些部门、怎么答复的", "What happened, when, who is involved; whom you have already asked and what they said"},
	"portal.accused":             {"被检举的人或单位", "Who is accused"},
	"portal.accused_hint":        {"姓名、职务或单位名称，知道多少写多少", "Name, post or body, as much as you know"},
	"portal.files":               {"照片或材料", "Photos or documents"},
	"portal.files_hint":          {"可选。照片（JPG、PNG、HEIC）或 PDF，最多 %d 个，每个不超过 20 MB", "Optional. Photos (JPG, PNG, HEIC) or PDFs, up to %d files of at most 20 MB each"},
	"portal.files_kept":          {"已收到您上次选择的 %d 个附件，会随本次提交。", "The %d files you chose before were received and go with this submission."},
	"portal.files_lost":          {"您选择的附件还没有上传，请重新选择。", "The files you chose were not uploaded yet: choose them again."},
	"portal.about_you":           {"您的联系方式", "How to reach you"},
	"portal.about_you_hint":      {"处理机关需要联系您、书面答复您。身份证号和地址可以不填。", "The handling body needs to reach you and answer you in writing. The ID number and address are optional."},
	"portal.fullname":            {"姓名 *", "Name *"},
	"portal.phone":               {"手机号码 *", "Mobile number *"},
	"portal.phone_hint":          {"查询进展时需要用到", "You need it to track your petition"},
	"portal.id_number":           {"身份证号", "ID card number"},
	"portal.address":             {"联系地址", "Address"},
	"portal.optional":            {"（可不填）", "(optional)"},
	"portal.confirm":             {"确认提交", "Confirm and submit"},
	"portal.consent":             {"我同意信访部门为办理本事项使用我填写的个人信息。个人信息加密保存，只有办理本事项的工作人员可以查看，不会公开。", "I agree that the petition authorities use the personal data I give to handle this petition. It is stored encrypted, seen only by the staff who handle it, and never published."},
	"portal.challenge_hint":      {"请用数字作答，例如 12。这一步用来防止机器自动提交。", "Answer in digits, e.g. 12. This keeps out automated submissions."},
	"portal.hp":                  {"请勿填写此项", "Leave this empty"},
	"portal.legal":               {"请如实反映情况。捏造、歪曲事实或者诬告陷害他人的，依法承担法律责任。", "Please tell the truth: inventing or distorting facts, or falsely accusing others, carries legal liability."},
	"portal.submit":              {"提交", "Submit"},

	"portal.receipt_title":  {"已收到您反映的事项", "Your petition was received"},
	"portal.receipt_number": {"事项编号：%s", "Case number: %s"},
	"portal.your_code":      {"查询码", "Query code"},
	"portal.copy":           {"复制查询码", "Copy the code"},
	"portal.copied":         {"已复制", "Copied"},
	"portal.code_once":      {"请现在就抄写或截图保存查询码。为保护您的信息，查询码只显示这一次，系统不保存原文，遗失后无法找回。", "Write the code down or take a screenshot now. To protect your data the code is shown only this once and is not stored: a lost code cannot be recovered."},
	"portal.code_phone":     {"查询时需要：查询码 + 您填写的手机号码（%s）。", "To track your petition you need the code and the mobile number you gave (%s)."},
	"portal.next_title":     {"接下来", "What happens next"},
	"portal.go_query":       {"查询办理进展", "Track your petition"},

	"portal.query_title":      {"查询办理进展", "Track a petition"},
	"portal.query_lead":       {"输入提交时得到的查询码和您填写的手机号码。", "Enter the query code you got when you submitted, and the mobile number you gave."},
	"portal.code":             {"查询码", "Query code"},
	"portal.query_phone":      {"手机号码", "Mobile number"},
	"portal.query_phone_hint": {"提交时填写的手机号码", "The mobile number you gave when you submitted"},
	"portal.query_submit":     {"查询", "Look up"},
	"portal.lost_code":        {"忘记查询码？请带身份证件到信访接待场所，或致电信访部门查询。", "Lost the code? Visit the petition reception office with your ID card, or call the petition bureau."},

	"portal.status_title":            {"办理进展", "Progress"},
	"portal.query_other":             {"查询其他事项", "Look up another petition"},
	"portal.number":                  {"事项编号", "Case number"},
	"portal.registered_on":           {"登记于 %s", "Registered on %s"},
	"portal.progress":                {"办理进展", "Progress"},
	"portal.next.registered":         {"信访部门将在登记后 15 日内转送有权处理的机关。", "The petition bureau sends it to the body that can handle it within 15 days of registration."},
	"portal.next.objected":           {"信访部门将在登记后 15 日内转送有权处理的机关。", "The petition bureau sends it to the body that can handle it within 15 days of registration."},
	"portal.next.routed":             {"处理机关将在收到后 15 日内告知您是否受理。", "The handling body tells you within 15 days of receiving it whether it accepts it."},
	"portal.next.discipline":         {"纪检监察机关依照规定办理，并反馈办理结果。", "The discipline inspection organ handles it under its rules and reports the outcome."},
	"portal.next.accepted":           {"处理机关将在受理后 60 日内书面答复您。", "The handling body answers you in writing within 60 days of accepting it."},
	"portal.next.review_requested":   {"复查机关将在收到复查请求后 30 日内书面答复您。", "The reviewing body answers you in writing within 30 days of your request."},
	"portal.next.rereview_requested": {"复核机关将在收到复核请求后 30 日内书面答复您。", "The body of the second review answers you in writing within 30 days of your request."},
	"portal.answer.0":                {"处理意见书", "Written answer"},
	"portal.answer.1":                {"复查意见", "Review decision"},
	"portal.answer.2":                {"复核意见", "Second review decision"},
	"portal.served":                  {"送达日期 %s", "Served on %s"},
	"portal.decision":                {"处理结果", "Outcome"},
	"portal.op_facts":                {"查明的事实", "Facts found"},
	"portal.op_reasons":              {"理由", "Reasons"},
	"portal.op_basis":                {"依据", "Legal basis"},
	"portal.rate_title":              {"您对这份答复满意吗？", "Are you satisfied with the answer?"},
	"portal.rate_hint":               {"只能评价一次。评价不影响您请求复查的权利。", "You can rate once. Rating does not affect your right to ask for a review."},
	"portal.rating.satisfied":        {"满意", "Satisfied"},
	"portal.rating.basic":            {"基本满意", "Mostly satisfied"},
	"portal.rating.unsatisfied":      {"不满意", "Not satisfied"},
	"portal.rated_as":                {"您的评价：", "Your rating:"},
	"portal.rated":                   {"感谢您的评价。", "Thank you for your rating."},
	"portal.review_title":            {"对答复不服，请求复查", "Not accepting the answer? Ask for a review"},
	"portal.rereview_title":          {"对复查意见不服，请求复核", "Not accepting the review? Ask for a second review"},
	"portal.review_hint":             {"复查由处理机关的上一级机关重新审查，30 日内书面答复。", "The body above the one that answered looks at it again and answers in writing within 30 days."},
	"portal.rereview_hint":           {"复核由复查机关的上一级机关审查，30 日内书面答复。复核意见作出后，同一事实和理由的诉求不再受理。", "The body above the reviewing one looks at it and answers in writing within 30 days. After a second review the same claim on the same facts is not taken up again."},
	"portal.review_until":            {"请在 %s 前提出（还有 %d 天）。", "Ask by %s (%d days left)."},
	"portal.review_last_day":         {"今天（%s）是提出的最后一天。", "Today (%s) is the last day to ask."},
	"portal.review_reason":           {"不服的理由 *", "Why you do not accept it *"},
	"portal.review_submit":           {"请求复查", "Ask for a review"},
	"portal.rereview_submit":         {"请求复核", "Ask for a second review"},
	"portal.review_asked":            {"已收到您的请求，复查机关将在 30 日内书面答复。", "Your request was received: you will be answered in writing within 30 days."},
}
