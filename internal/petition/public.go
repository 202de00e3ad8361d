package petition

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/sealed"
)

// The public portal's service functions (网上信访): a citizen submits a
// petition online and gets a query code; with the code and their phone
// they see its milestones, rate the answer (满意/基本满意/不满意) and ask
// for a review. The portal's pages, rate limits and captcha are the
// portal's; these functions check everything else. A wrong code and a
// right code with another phone answer the same 404, so that neither can
// be guessed apart.

// publicActor is who acts for the petitioner in the timeline and the trail.
var publicActor = &auth.Actor{Login: "(public)", Name: "信访人（网上）", ClientAddr: "portal"}

// PublicInput is a petition submitted online by the petitioner.
type PublicInput struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"` // a mobile: it and the query code open the case
	IDNumber string `json:"id_number,omitempty"`
	Address  string `json:"address,omitempty"`
	Category string `json:"category"`
	Subject  string `json:"subject"`
	Place    string `json:"place,omitempty"`
	// PlaceOrgID: the township or village the matter is in (the portal offers the tree).
	PlaceOrgID *int64 `json:"place_org_id,omitempty"`
	Request    string `json:"request"`
	Facts      string `json:"facts"`
	// Accused (an accusation): who, as written.
	Accused string `json:"accused,omitempty"`
	// AttachmentIDs: files the portal's form stored as the public actor's
	// pending uploads in the same request (never taken from JSON: an
	// anonymous caller could name another's upload).
	AttachmentIDs []int64 `json:"-"`
}

// Receipt is what the petitioner keeps: the number and the query code
// (shown once; only its hash is stored).
type Receipt struct {
	Number    string `json:"number"`
	QueryCode string `json:"query_code"`
}

// codeAlphabet leaves out 0/O, 1/I/L so that a code read aloud is not misheard.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// CodeLength is the length of a query code (31^12 ≈ 8·10^17).
const CodeLength = 12

func newQueryCode() (string, error) {
	b := make([]byte, CodeLength)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b), nil
}

func hashCode(code string) string {
	code = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	sum := sha256.Sum256([]byte("anwen/petition/query-code/" + code))
	return hex.EncodeToString(sum[:])
}

// SubmitPublic registers a petition submitted online (channel online) and
// returns its number and query code.
func (s *Service) SubmitPublic(ctx context.Context, in PublicInput) (*Receipt, error) {
	p, err := s.checkPublic(ctx, in)
	if err != nil {
		return nil, err
	}
	code, err := newQueryCode()
	if err != nil {
		return nil, err
	}
	p.codeHash = hashCode(code)
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err = s.write(ctx, tx, portalActor(ctx), p)
		return err
	})
	if err != nil {
		return nil, err
	}
	var number string
	if err := s.DB.QueryRow(ctx, "SELECT number FROM petitions WHERE id = ?", id).Scan(&number); err != nil {
		return nil, err
	}
	return &Receipt{Number: number, QueryCode: code[:4] + "-" + code[4:8] + "-" + code[8:]}, nil
}

// checkPublic validates a submission as SubmitPublic does, without
// writing anything (the portal checks a form before it spends the
// challenge). The place, when named by org, is a township, street, zone,
// village or community.
func (s *Service) checkPublic(ctx context.Context, in PublicInput) (*plan, error) {
	if !sealed.ValidMobile(in.Phone) {
		return nil, apperr.Field(apperr.EINVALID, "phone", "请填写 11 位手机号码，用于查询办理进展 / give an 11-digit mobile number: it opens the case with the query code")
	}
	b, err := bureau(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	if in.PlaceOrgID != nil {
		var kind string
		err := s.DB.QueryRow(ctx, "SELECT kind FROM orgs WHERE id = ?", *in.PlaceOrgID).Scan(&kind)
		if err != nil || !publicPlaceKinds[kind] {
			return nil, apperr.Field(apperr.EINVALID, "place_org_id", "请选择事发地所在的乡镇（街道） / choose the township or street the matter is in")
		}
	}
	reg := Input{Channel: ChannelOnline, Category: in.Category, Subject: in.Subject, Place: in.Place, PlaceOrgID: in.PlaceOrgID,
		Request: in.Request, Facts: in.Facts, Accused: in.Accused, AttachmentIDs: in.AttachmentIDs,
		Petitioners: []PersonInput{{Name: in.Name, Phone: in.Phone, IDNumber: in.IDNumber, Address: in.Address}}}
	p, err := s.check(ctx, reg, b, true)
	if err != nil {
		// The portal's form has flat fields: name the field as it knows it.
		if e, ok := apperr.As(err); ok && strings.HasPrefix(e.Field, "petitioners[0].") {
			return nil, apperr.Field(e.Code, strings.TrimPrefix(e.Field, "petitioners[0]."), "%s", e.Message)
		}
		return nil, err
	}
	return p, nil
}

// publicPlaceKinds are the kinds of org a citizen may name as the place.
var publicPlaceKinds = map[string]bool{org.Township: true, org.Street: true, org.Zone: true, org.Village: true, org.Community: true}

// byCode finds the case of a query code whose petitioners include phone;
// ENOTFOUND for a wrong code and a wrong phone alike. Both take the same
// path: one query by the code's hash, the phone's blind index compared in
// constant time with every petitioner's (with a stand-in when the code is
// unknown), no early return before the comparison.
func (s *Service) byCode(ctx context.Context, code, phone string) (*Petition, error) {
	notFound := apperr.New(apperr.ENOTFOUND, "查询码或手机号码不正确 / the query code or the phone is wrong")
	valid := strings.TrimSpace(code) != "" && sealed.ValidPhone(phone)
	want := []byte(s.index(IndexPhone, sealed.NormalizePhone(phone)))
	rows, err := s.DB.Query(ctx, `SELECT p.id, pp.phone_index FROM petitions p JOIN petition_people pp ON pp.petition_id = p.id
		WHERE p.query_code_hash = ? ORDER BY pp.seq`, hashCode(code))
	if err != nil {
		return nil, err
	}
	var id int64
	match, seen := 0, false
	for rows.Next() {
		var pid int64
		var idx string
		if err := rows.Scan(&pid, &idx); err != nil {
			rows.Close()
			return nil, err
		}
		seen = true
		if subtle.ConstantTimeCompare([]byte(idx), want) == 1 && len(want) > 0 {
			match, id = 1, pid
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	if !seen {
		// The same comparison against a stand-in, so that an unknown code
		// costs what a known one with the wrong phone does.
		subtle.ConstantTimeCompare([]byte(stand), want)
	}
	if match == 0 || !valid {
		return nil, notFound
	}
	return s.load(ctx, s.DB, id)
}

// stand is the stand-in blind index of byCode (32 hex digits, as an index).
var stand = strings.Repeat("0", 32)

// Milestone is one public step of a case.
type Milestone struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"` // the step (register, transfer, accept …), for a client's own wording
	Title  string    `json:"title"`
	Detail string    `json:"detail,omitempty"`
}

// PublicAnswer is a written answer as the petitioner receives it.
type PublicAnswer struct {
	Kind      string `json:"kind"`  // 处理意见书, 复查意见, 复核意见
	Round     int    `json:"round"` // 0 the answer, 1 the review, 2 the second review
	Code      string `json:"decision_code"`
	Org       string `json:"org"`
	Decision  string `json:"decision"`
	Facts     string `json:"facts,omitempty"`
	Reasons   string `json:"reasons"`
	Basis     string `json:"basis,omitempty"`
	ServedDay string `json:"served_day"`
}

// PublicStatus is what the petitioner sees of their case.
type PublicStatus struct {
	Number       string         `json:"number"`
	Status       string         `json:"status"`
	StatusName   string         `json:"status_name"`
	Category     string         `json:"category"`
	SubjectName  string         `json:"subject_name"`
	RegisteredAt time.Time      `json:"registered_at"`
	Milestones   []Milestone    `json:"milestones"`
	Answers      []PublicAnswer `json:"answers"`
	Rating       string         `json:"rating"`
	CanRate      bool           `json:"can_rate"`
	// ReviewUntil: the last day to ask for a (second) review, when one can be asked for.
	ReviewUntil string `json:"review_until,omitempty"`
}

// publicSteps are the steps a petitioner sees, with their public wording.
var publicSteps = map[string]string{ActRegister: "已登记", ActTransfer: "已转送有权处理的机关", ActAssign: "已交办有权处理的机关",
	ActToDiscipline: "已转交纪检监察机关", ActAccept: "已受理", ActDecline: "不予受理", ActReply: "已作出书面答复", ActRequestReview: "已请求复查",
	ActAnswerReview: "已作出复查意见", ActRequestReview2: "已请求复核", ActAnswerReview2: "已作出复核意见（终结）", ActLapse: "已办结", ActExtend: "办理期限已延长",
	EventRate: "已评价"}

// publicStatus names a state for the petitioner (objections and the
// discipline queue are internal: the case is simply being routed).
var publicStatus = map[string]string{Registered: "已登记，正在转办", Routed: "已转办，等待受理", Objected: "已登记，正在转办", Discipline: "已转交纪检监察机关",
	Accepted: "已受理，正在办理", Declined: "不予受理", Replied: "已答复", ReviewRequested: "复查中", Reviewed: "已复查",
	RereviewRequested: "复核中", Concluded: "已终结", Closed: "已办结"}

// Milestones shows the petitioner their case: its public steps (where it
// was routed, for a case that is not an accusation), its written answers,
// whether they may rate it and until when they may ask for a review.
func (s *Service) Milestones(ctx context.Context, code, phone string) (*PublicStatus, error) {
	p, err := s.byCode(ctx, code, phone)
	if err != nil {
		return nil, err
	}
	out := &PublicStatus{Number: p.Number, Status: p.Status, StatusName: publicStatus[p.Status], Category: p.Category, SubjectName: p.SubjectName,
		RegisteredAt: p.RegisteredAt, Rating: p.Rating, Milestones: []Milestone{}, Answers: []PublicAnswer{}}
	steps, err := s.steps(ctx, s.DB, p.ID)
	if err != nil {
		return nil, err
	}
	for _, st := range steps {
		title, ok := publicSteps[st.Action]
		if !ok {
			continue
		}
		m := Milestone{At: st.At, Action: st.Action, Title: title}
		switch st.Action {
		case ActTransfer, ActAssign:
			// Where it went, except for an accusation (the accused's superior may be named).
			if p.Category != Accusation && st.OrgName != "" {
				m.Detail = strings.TrimPrefix(st.Detail, ActionZH[st.Action]+"至 ")
				if i := strings.Index(m.Detail, "；"); i > 0 {
					m.Detail = m.Detail[:i]
				}
			}
		case ActAccept, ActDecline:
			// The written notice only: the staff's comment is internal.
			m.Detail = st.Notice
		case ActExtend:
			m.Detail = st.Reason
		}
		out.Milestones = append(out.Milestones, m)
	}
	ops, err := s.opinions(ctx, s.DB, p.ID)
	if err != nil {
		return nil, err
	}
	for _, o := range ops {
		out.Answers = append(out.Answers, PublicAnswer{Kind: []string{"处理意见书", "复查意见", "复核意见"}[o.Round], Round: o.Round, Code: o.Decision,
			Org: o.OrgName, Decision: DecisionZH[o.Decision],
			Facts: o.Facts, Reasons: o.Reasons, Basis: o.Basis, ServedDay: o.ServedDay})
	}
	out.CanRate = p.ServedDay != "" && p.Rating == ""
	if t, err := Lookup(p.state(), reviewAction(p)); err == nil && t != nil && p.ServedDay != "" {
		if served, err := calendar.ParseDate(p.ServedDay); err == nil && !s.today().After(served.AddDays(RequestDays)) {
			out.ReviewUntil = served.AddDays(RequestDays).String()
		}
	}
	return out, nil
}

// reviewAction is the review the petitioner of p may ask for next.
func reviewAction(p *Petition) string {
	if p.Round == 0 {
		return ActRequestReview
	}
	return ActRequestReview2
}

// Ratings a petitioner may give.
var Ratings = map[string]string{"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}

// Rate records the petitioner's rating of the answer (once).
func (s *Service) Rate(ctx context.Context, code, phone, rating string) error {
	p, err := s.byCode(ctx, code, phone)
	if err != nil {
		return err
	}
	name, ok := Ratings[rating]
	if !ok {
		return apperr.Field(apperr.EINVALID, "rating", "评价只能是 satisfied（满意）、basic（基本满意）、unsatisfied（不满意） / rating is satisfied, basic or unsatisfied")
	}
	if p.ServedDay == "" {
		return apperr.Field(apperr.ERULE, "rating", "答复作出后方可评价 / a case is rated after its answer")
	}
	if p.Rating != "" {
		return apperr.Field(apperr.ECONFLICT, "rating", "已经评价过 / the case is already rated")
	}
	now := s.Clock.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE petitions SET rating = ?, rated_at = ? WHERE id = ? AND rating = ''", rating, now, p.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Field(apperr.ECONFLICT, "rating", "已经评价过 / the case is already rated")
		}
		if err := tallyRated(ctx, tx, p, rating, now); err != nil {
			return err
		}
		act := portalActor(ctx)
		if _, err := insertStep(ctx, tx, act, now, stepRow{petitionID: p.ID, action: EventRate, from: p.Status, to: p.Status, detail: "信访人评价：" + name}); err != nil {
			return err
		}
		e := act.Entry(now, "petition.rate", "petition", itoa(p.ID), p.BureauOrgID)
		e.Detail = p.Number + " " + rating
		return audit.Append(ctx, tx, e)
	})
}

// RequestReview asks, for the petitioner, for the review (复查) of the
// answer, or for the second review (复核) of the review, within 30 days of
// it: the same row of the lifecycle table as the bureau's, on the
// bureau's side.
func (s *Service) RequestReview(ctx context.Context, code, phone, reason string) (*PublicStatus, error) {
	p, err := s.byCode(ctx, code, phone)
	if err != nil {
		return nil, err
	}
	t, err := Lookup(p.state(), reviewAction(p))
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	in := TransitionInput{Action: t.Action, Reason: reason}
	req, err := s.checkNeeds(ctx, p, t, &in, now)
	if err != nil {
		return nil, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var status string
		if err := tx.QueryRow(ctx, "SELECT status FROM petitions WHERE id = ?", p.ID).Scan(&status); err != nil {
			return err
		}
		if status != p.Status {
			return apperr.New(apperr.ECONFLICT, "请稍后重试 / try again")
		}
		return s.apply(ctx, tx, portalActor(ctx), p, t, in, req, now)
	})
	if err != nil {
		return nil, err
	}
	return s.Milestones(ctx, code, phone)
}
