package petition

import (
	"context"
	"errors"
	"fmt"
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

// PersonInput is a petitioner as registered (plain; sealed before it is stored).
type PersonInput struct {
	Name           string `json:"name"`
	IDNumber       string `json:"id_number,omitempty"` // 身份证号, checked (GB 11643)
	Phone          string `json:"phone,omitempty"`
	Address        string `json:"address,omitempty"`
	Representative bool   `json:"representative,omitempty"` // 代表 of a collective visit
}

// Input registers a petition (登记).
type Input struct {
	Channel    string     `json:"channel"`               // online, letter, phone, fax, visit, hotline, transferred, assigned
	ReceivedAt *time.Time `json:"received_at,omitempty"` // 收到 (default now); the routing period runs from it
	SourceOrg  string     `json:"source_org,omitempty"`  // the higher level it came from (transferred, assigned)
	SourceRef  string     `json:"source_ref,omitempty"`  // its number there
	// Petitioners: one to five named (a collective visit's representatives);
	// HeadCount: how many people in all (default: the named ones).
	Petitioners []PersonInput `json:"petitioners"`
	HeadCount   int           `json:"head_count,omitempty"`
	Category    string        `json:"category"` // suggestion, accusation, claim
	Subject     string        `json:"subject"`  // subject code (GET /api/v1/petitions/subjects)
	Place       string        `json:"place,omitempty"`
	PlaceOrgID  *int64        `json:"place_org_id,omitempty"` // where the matter is (a township, a village)
	Request     string        `json:"request"`                // 诉求
	Facts       string        `json:"facts"`                  // 事实和理由
	// An accusation's accused: the org (its members never see the case),
	// the person's account when they have one, and who, as written.
	AccusedOrgID  *int64 `json:"accused_org_id,omitempty"`
	AccusedUserID *int64 `json:"accused_user_id,omitempty"`
	Accused       string `json:"accused,omitempty"`
	// AttachmentIDs: the letter, the materials (uploaded first with POST /api/v1/attachments).
	AttachmentIDs []int64 `json:"attachment_ids,omitempty"`
	// RepeatOf links an earlier case of the same petitioners or matter
	// (重复信访, see GET /api/v1/petitions/similar); SameClaim says it is the
	// same claim on the same facts.
	RepeatOf  *int64 `json:"repeat_of,omitempty"`
	SameClaim bool   `json:"same_claim,omitempty"`
	Comment   string `json:"comment,omitempty"`
}

// plan is a checked registration.
type plan struct {
	in       Input
	now      time.Time
	received time.Time
	bureau   *org.Org
	// direct: the org that received the petition itself and registers it
	// (a township, street, zone or department), which then has the case
	// to accept or decline, as if the bureau had routed it there.
	direct   *org.Org
	accused  *org.Org
	public   bool   // from the public portal (SubmitPublic)
	codeHash string // the public query code, hashed
}

// Register registers a petition and returns it.
func (s *Service) Register(ctx context.Context, a *auth.Actor, in Input) (*Petition, error) {
	p, err := s.plan(ctx, a, in)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err = s.write(ctx, tx, a, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	out, _, err := s.visible(ctx, a, id)
	return out, err
}

// directKinds are the orgs that register the petitions they receive
// themselves (信访工作条例第十七条: petitions go to the organ that has the
// power to handle them); villages and communities pass theirs on.
var directKinds = map[string]bool{org.Township: true, org.Street: true, org.Zone: true, org.Department: true}

// registersAt is where a registers petitions: the bureau (direct nil), or
// their own township, street, zone or department (direct); b is nil when
// a registers nowhere.
func (s *Service) registersAt(ctx context.Context, a *auth.Actor) (b, direct *org.Org, err error) {
	v, err := s.viewerFor(ctx, s.DB, a, 0)
	if err != nil {
		return nil, nil, err
	}
	if b, err = bureau(ctx, s.DB); err != nil {
		return nil, nil, err
	}
	if v.member(auth.PetitionRegister, b.Path) {
		return b, nil, nil
	}
	if a.OrgID == 0 {
		return nil, nil, nil
	}
	own, err := org.ByID(ctx, s.DB, a.OrgID)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if own.ParentID != nil && directKinds[own.Kind] && v.member(auth.PetitionRegister, own.Path) {
		return b, own, nil
	}
	return nil, nil, nil
}

// MayRegister reports, without recording a refusal, whether a registers
// petitions (at the bureau or at their own org).
func (s *Service) MayRegister(ctx context.Context, a *auth.Actor) bool {
	b, _, err := s.registersAt(ctx, a)
	return err == nil && b != nil
}

// registrar checks that a may register a petition (see registersAt): 404
// for whoever does not work with petitions, 403 for those who read them
// but register nowhere (leaders, villages).
func (s *Service) registrar(ctx context.Context, a *auth.Actor) (b, direct *org.Org, err error) {
	if a == nil {
		return nil, nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if b, direct, err = s.registersAt(ctx, a); err != nil || b != nil {
		return b, direct, err
	}
	if a.CanAnywhere(auth.PetitionView) {
		return nil, nil, s.Auth.Refuse(ctx, a, auth.PetitionRegister, "petition", apperr.New(apperr.EFORBIDDEN,
			"信访事项由信访局或乡镇（街道）、部门登记 / petitions are registered by the petition bureau, a township or a department"))
	}
	return nil, nil, s.Auth.Refuse(ctx, a, auth.PetitionRegister, "petition", apperr.NotFound("petition"))
}

// plan checks in for a and fills in what is known.
func (s *Service) plan(ctx context.Context, a *auth.Actor, in Input) (*plan, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	b, direct, err := s.registrar(ctx, a)
	if err != nil {
		return nil, err
	}
	p, err := s.check(ctx, in, b, false)
	if err != nil {
		return nil, err
	}
	if direct != nil && p.in.Category == Accusation {
		// Accusation material must not stay with an org that may be
		// accused or close to it (第三十条): the bureau or the discipline
		// organ registers it.
		return nil, apperr.Field(apperr.ERULE, "category", "检举控告类信访事项请转信访局或纪检监察机关登记 / an accusation is registered by the petition bureau or the discipline organ")
	}
	p.direct = direct
	return p, nil
}

// check validates a registration (the bureau's or the public portal's).
func (s *Service) check(ctx context.Context, in Input, b *org.Org, public bool) (*plan, error) {
	p := &plan{now: s.Clock.Now(), bureau: b, public: public}
	var err error
	if _, ok := ChannelZH[in.Channel]; !ok {
		return nil, apperr.Field(apperr.EINVALID, "channel", "信访形式只能是 %s / channel is one of %s", strings.Join(Channels, "、"), strings.Join(Channels, ", "))
	}
	if in.SourceOrg, err = clean("source_org", in.SourceOrg, maxShort, in.Channel == ChannelTransferred || in.Channel == ChannelAssigned); err != nil {
		return nil, err
	}
	if in.SourceRef, err = clean("source_ref", in.SourceRef, 50, false); err != nil {
		return nil, err
	}
	p.received = p.now
	if in.ReceivedAt != nil {
		p.received = in.ReceivedAt.UTC().Truncate(time.Second)
		if p.received.After(p.now.Add(10 * time.Minute)) {
			return nil, apperr.Field(apperr.EINVALID, "received_at", "收到时间不能晚于现在 / received_at cannot be in the future")
		}
		if p.received.Before(p.now.AddDate(-1, 0, 0)) {
			return nil, apperr.Field(apperr.EINVALID, "received_at", "收到时间不能早于一年前 / received_at cannot be more than a year ago")
		}
	}
	// The petitioners.
	if len(in.Petitioners) == 0 {
		return nil, apperr.Field(apperr.EINVALID, "petitioners", "请填写信访人 / give at least one petitioner")
	}
	if len(in.Petitioners) > MaxNamed {
		return nil, apperr.Field(apperr.EINVALID, "petitioners", "至多登记 %d 名信访人；多人走访的，推选代表不超过 5 人，其余计入人数 / at most %d named petitioners: a collective visit names at most 5 representatives and gives the head count",
			MaxNamed, MaxNamed)
	}
	for i := range in.Petitioners {
		pi := &in.Petitioners[i]
		f := func(name string) string { return fmt.Sprintf("petitioners[%d].%s", i, name) }
		if pi.Name, err = clean(f("name"), pi.Name, 50, true); err != nil {
			return nil, err
		}
		if pi.Address, err = clean(f("address"), pi.Address, 200, false); err != nil {
			return nil, err
		}
		if pi.IDNumber = sealed.NormalizeIDNumber(pi.IDNumber); pi.IDNumber != "" && !sealed.ValidIDNumber(pi.IDNumber) {
			return nil, apperr.Field(apperr.EINVALID, f("id_number"), "身份证号不正确（18 位，末位校验码） / the ID number is not valid (18 characters with its check character)")
		}
		if pi.Phone = strings.TrimSpace(pi.Phone); pi.Phone != "" {
			if !sealed.ValidPhone(pi.Phone) {
				return nil, apperr.Field(apperr.EINVALID, f("phone"), "联系电话格式不对（手机 11 位，座机带区号） / the phone is not a number (a mobile has 11 digits, a landline its area code)")
			}
			pi.Phone = sealed.NormalizePhone(pi.Phone)
		}
	}
	if in.HeadCount == 0 {
		in.HeadCount = len(in.Petitioners)
	}
	if in.HeadCount < len(in.Petitioners) || in.HeadCount > 100000 {
		return nil, apperr.Field(apperr.EINVALID, "head_count", "人数不能少于登记的信访人（%d），也不能超过 100000 / head_count is at least the named petitioners (%d) and at most 100000",
			len(in.Petitioners), len(in.Petitioners))
	}
	// What and where.
	if !contains(Categories, in.Category) {
		return nil, apperr.Field(apperr.EINVALID, "category", "事项类别只能是 claim（申诉求决类）、suggestion（建议意见类）、accusation（检举控告类） / category is claim, suggestion or accusation")
	}
	if SubjectName(in.Subject) == in.Subject {
		return nil, apperr.Field(apperr.EINVALID, "subject", "没有领域“%s”（见 /api/v1/petitions/subjects） / no subject %q (see /api/v1/petitions/subjects)", in.Subject, in.Subject)
	}
	if in.Request, err = clean("request", in.Request, maxText, true); err != nil {
		return nil, err
	}
	if in.Facts, err = clean("facts", in.Facts, maxText, true); err != nil {
		return nil, err
	}
	if in.Place, err = clean("place", in.Place, maxShort, false); err != nil {
		return nil, err
	}
	if in.Comment, err = clean("comment", in.Comment, maxComment, false); err != nil {
		return nil, err
	}
	if in.PlaceOrgID != nil {
		po, err := org.ByID(ctx, s.DB, *in.PlaceOrgID)
		if err != nil {
			return nil, apperr.Field(apperr.EINVALID, "place_org_id", "地点所属单位 %d 不存在 / org %d does not exist", *in.PlaceOrgID, *in.PlaceOrgID)
		}
		if in.Place == "" {
			in.Place = po.Name
		}
	}
	// The accused.
	if in.Accused, err = clean("accused", in.Accused, maxShort, false); err != nil {
		return nil, err
	}
	if in.Category != Accusation {
		if in.AccusedOrgID != nil || in.AccusedUserID != nil || in.Accused != "" {
			return nil, apperr.Field(apperr.EINVALID, "accused_org_id", "只有检举控告类事项登记被检举人 / only an accusation names the accused")
		}
	} else {
		if in.AccusedOrgID != nil {
			if p.accused, err = org.ByID(ctx, s.DB, *in.AccusedOrgID); err != nil {
				return nil, apperr.Field(apperr.EINVALID, "accused_org_id", "被检举单位 %d 不存在 / org %d does not exist", *in.AccusedOrgID, *in.AccusedOrgID)
			}
			if auth.Covers(p.accused.Path, b.Path) {
				return nil, apperr.Field(apperr.ERULE, "accused_org_id", "检举控告涉及信访局本身或其上级，应直接转上级机关或纪检监察机关 / an accusation against the petition bureau or an org above it goes to the higher level or the discipline organ directly")
			}
		}
		if in.AccusedUserID != nil {
			var n int
			if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM users WHERE id = ?", *in.AccusedUserID).Scan(&n); err != nil || n == 0 {
				return nil, apperr.Field(apperr.EINVALID, "accused_user_id", "被检举人账号 %d 不存在 / user %d does not exist", *in.AccusedUserID, *in.AccusedUserID)
			}
		}
	}
	// A repeat petition.
	if in.RepeatOf != nil {
		var status, category string
		if err := s.DB.QueryRow(ctx, "SELECT status, category FROM petitions WHERE id = ?", *in.RepeatOf).Scan(&status, &category); err != nil {
			return nil, apperr.Field(apperr.EINVALID, "repeat_of", "信访事项 %d 不存在 / petition %d does not exist", *in.RepeatOf, *in.RepeatOf)
		}
		if in.SameClaim && status == Concluded {
			return nil, apperr.Field(apperr.ERULE, "repeat_of", "该诉求已经复核终结，以同一事实和理由提出的不再受理（信访工作条例第三十六条） / the claim was concluded by a second review: the same claim on the same facts is not accepted again (Art. 36)")
		}
	} else if in.SameClaim {
		return nil, apperr.Field(apperr.EINVALID, "repeat_of", "同一诉求须关联原信访事项 / link the earlier case of the same claim")
	}
	p.in = in
	return p, nil
}

// nextNumber takes the next number of the area and year: 990101-2026-000123.
func nextNumber(ctx context.Context, tx *db.Tx, area string, year int) (string, error) {
	var last int64
	err := tx.QueryRow(ctx, `INSERT INTO petition_counters (area, year, last) VALUES (?, ?, 1)
		ON CONFLICT (area, year) DO UPDATE SET last = petition_counters.last + 1 RETURNING last`, area, year).Scan(&last)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%04d-%06d", area, year, last), nil
}

// seal seals s under context, failing without a cipher.
func (s *Service) seal(v, context string) (string, error) {
	if v == "" {
		return "", nil
	}
	if s.Cipher == nil {
		return "", errors.New("petition: no field cipher to seal personal data")
	}
	return s.Cipher.SealString(v, context)
}

func (s *Service) index(kind, v string) string {
	if s.Cipher == nil || v == "" {
		return ""
	}
	return s.Cipher.Index(kind, v)
}

// write inserts a planned registration inside tx: the row, the petitioners
// sealed, the timeline, the routing clock, the attachments and the trail.
func (s *Service) write(ctx context.Context, tx *db.Tx, a *auth.Actor, p *plan) (int64, error) {
	in := p.in
	area, err := areaCode(ctx, tx)
	if err != nil {
		return 0, err
	}
	number, err := nextNumber(ctx, tx, area, calendar.DateOf(p.now).Year)
	if err != nil {
		return 0, err
	}
	request, facts := in.Request, in.Facts
	var reqSeal, factsSeal, accSeal, accPath string
	if in.Category == Accusation {
		// The content of an accusation is sealed, and kept out of the search.
		if reqSeal, err = s.seal(request, CtxRequest); err != nil {
			return 0, err
		}
		if factsSeal, err = s.seal(facts, CtxFacts); err != nil {
			return 0, err
		}
		if accSeal, err = s.seal(in.Accused, CtxAccused); err != nil {
			return 0, err
		}
		request, facts = "", ""
		if p.accused != nil {
			accPath = p.accused.Path
		}
	}
	text := strings.ToLower(strings.Join([]string{number, in.Place, SubjectName(in.Subject), cut(request, 200)}, " "))
	var createdBy any
	if a != nil && a.UserID != 0 {
		createdBy = a.UserID
	}
	// Registered at the bureau, or received by an org itself: routed there
	// at once (route kind "direct"), the org's 15 days to accept running.
	status, side := Registered, p.bureau
	var handlingID, routedAt any
	handlingPath, routeKind := "", ""
	if p.direct != nil {
		status, side = Routed, p.direct
		handlingID, handlingPath, routedAt = p.direct.ID, p.direct.Path, p.now // route kind "": RouteDirect
	}
	id, err := db.InsertID(ctx, tx, `INSERT INTO petitions (number, channel, source_org, source_ref, received_at, registered_at, registered_day, category, subject,
		place, place_org_id, request, facts, request_sealed, facts_sealed, accused_sealed, petitioner_count, head_count, collective, accused_org_id,
		accused_path, accused_user_id, bureau_org_id, bureau_path, status, repeat_of, same_claim, query_code_hash, search_text, created_by, created_at, updated_at,
		handling_org_id, handling_path, route_kind, routed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		number, in.Channel, in.SourceOrg, in.SourceRef, p.received, p.now, calendar.DateOf(p.now).String(), in.Category, in.Subject,
		in.Place, nullInt(in.PlaceOrgID), request, facts, reqSeal, factsSeal, accSeal, len(in.Petitioners), in.HeadCount, in.HeadCount >= CollectiveAt,
		nullInt(in.AccusedOrgID), accPath, nullInt(in.AccusedUserID), p.bureau.ID, p.bureau.Path, status, nullInt(in.RepeatOf), in.SameClaim,
		p.codeHash, text, createdBy, p.now, p.now, handlingID, handlingPath, routeKind, routedAt)
	if err != nil {
		return 0, err
	}
	var direct *int64
	if p.direct != nil {
		direct = &p.direct.ID
	}
	if err := tallyRegistered(ctx, tx, calendar.DateOf(p.now).String(), in.Category, in.Channel, in.Subject, direct, in.RepeatOf != nil); err != nil {
		return 0, err
	}
	for i, pi := range in.Petitioners {
		var name, idn, phone, addr string
		if name, err = s.seal(pi.Name, CtxName); err != nil {
			return 0, err
		}
		if idn, err = s.seal(pi.IDNumber, CtxIDNumber); err != nil {
			return 0, err
		}
		if phone, err = s.seal(pi.Phone, CtxPhone); err != nil {
			return 0, err
		}
		if addr, err = s.seal(pi.Address, CtxAddress); err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO petition_people (petition_id, seq, representative, name_sealed, id_sealed, id_index, phone_sealed, phone_index, address_sealed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, i+1, pi.Representative, name, idn, s.index(IndexIDNum, pi.IDNumber), phone, s.index(IndexPhone, pi.Phone), addr); err != nil {
			return 0, err
		}
	}
	detail := fmt.Sprintf("%s · %s · %s", ChannelZH[in.Channel], CategoryZH[in.Category], SubjectName(in.Subject))
	if in.HeadCount >= CollectiveAt {
		detail += fmt.Sprintf(" · 集体访 %d 人", in.HeadCount)
	}
	if in.SourceOrg != "" {
		detail += " · 来自 " + in.SourceOrg
		if in.SourceRef != "" {
			detail += "（" + in.SourceRef + "）"
		}
	}
	if p.public {
		detail += " · 信访人网上提交"
	}
	pet := &Petition{ID: id}
	if p.direct != nil {
		// The org has 15 days from receipt to accept or decline in
		// writing, and 5 working days to pass a petition that is not its
		// own back to the bureau (异议), as after a routing.
		end := s.calendar(ctx).AddWorkingDays(calendar.DateOf(p.now), ObjectWorkingDays)
		detail += fmt.Sprintf(" · %s直接登记；%s前受理或书面告知，非本单位职责的%s前退回信访局", p.direct.Name,
			calendar.DateOf(periodEnd(p.received, AcceptDays).Add(-time.Second)), end)
		if _, err := insertStep(ctx, tx, a, p.now, stepRow{petitionID: id, action: ActRegister, to: status, orgID: &p.direct.ID, comment: in.Comment, detail: detail}); err != nil {
			return 0, err
		}
		if err := s.arm(ctx, tx, p.now, pet, PeriodAccept, p.received, periodEnd(p.received, AcceptDays)); err != nil {
			return 0, err
		}
		if err := s.openWindow(ctx, tx, p.now, pet, "object", end); err != nil {
			return 0, err
		}
	} else {
		if _, err := insertStep(ctx, tx, a, p.now, stepRow{petitionID: id, action: ActRegister, to: status, orgID: &p.bureau.ID, comment: in.Comment, detail: detail}); err != nil {
			return 0, err
		}
		// The bureau has 15 days from receipt to route it.
		if err := s.arm(ctx, tx, p.now, pet, PeriodRoute, p.received, periodEnd(p.received, RouteDays)); err != nil {
			return 0, err
		}
	}
	if len(in.AttachmentIDs) > 0 {
		if s.Attachments == nil {
			return 0, apperr.Field(apperr.EINVALID, "attachment_ids", "附件服务未启用 / attachments are not available")
		}
		if err := s.Attachments.Link(ctx, tx, a, in.AttachmentIDs, OwnerType, id, side.ID); err != nil {
			return 0, err
		}
	}
	e := audit.Entry{At: p.now, UserLogin: "(public)", OrgID: side.ID, Action: "petition." + ActRegister, ObjectType: "petition", ObjectID: itoa(id), Result: audit.OK}
	if a != nil {
		e = a.Entry(p.now, "petition."+ActRegister, "petition", itoa(id), side.ID)
	}
	e.Detail = fmt.Sprintf("%s %s %s %s", number, in.Channel, in.Category, in.Subject)
	// The trail proves, it does not copy: the personal data is digested with the rest.
	e.After = map[string]any{"number": number, "channel": in.Channel, "category": in.Category, "petitioners": len(in.Petitioners), "head_count": in.HeadCount, "status": status}
	return id, audit.Append(ctx, tx, e)
}

// SimilarQuery asks for earlier cases of the same petitioners (by ID
// number or phone, through their blind indexes) or about the same matter
// (the same subject at the same place within a year).
type SimilarQuery struct {
	IDNumbers  []string `json:"id_numbers,omitempty"`
	Phones     []string `json:"phones,omitempty"`
	Subject    string   `json:"subject,omitempty"`
	PlaceOrgID int64    `json:"place_org_id,omitempty"`
	Exclude    int64    `json:"exclude,omitempty"`
}

// SimilarCase is an earlier case a registrar may link as a repeat petition (重复信访).
type SimilarCase struct {
	ID           int64     `json:"id"`
	Number       string    `json:"number"`
	Status       string    `json:"status"`
	Category     string    `json:"category"`
	SubjectName  string    `json:"subject_name"`
	Place        string    `json:"place"`
	Summary      string    `json:"summary"`
	Petitioner   string    `json:"petitioner"` // masked
	RegisteredAt time.Time `json:"registered_at"`
	SamePerson   bool      `json:"same_person"`
	SameMatter   bool      `json:"same_matter"`
	Concluded    bool      `json:"concluded"` // 复核终结: the same claim is not accepted again
}

// MaxSimilar bounds the suggestions.
const MaxSimilar = 10

// Similar suggests earlier cases for a registration (the bureau's registrars only).
func (s *Service) Similar(ctx context.Context, a *auth.Actor, q SimilarQuery) ([]SimilarCase, error) {
	if _, _, err := s.registrar(ctx, a); err != nil {
		return nil, err
	}
	person := map[int64]bool{}
	var idx []any
	for _, n := range q.IDNumbers {
		if n = sealed.NormalizeIDNumber(n); n != "" {
			idx = append(idx, s.index(IndexIDNum, n))
		}
	}
	var ph []any
	for _, n := range q.Phones {
		if n = sealed.NormalizePhone(n); n != "" {
			ph = append(ph, s.index(IndexPhone, n))
		}
	}
	var ids []int64
	add := func(query string, args ...any) error {
		rows, err := s.DB.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if id != q.Exclude && !containsID(ids, id) {
				ids = append(ids, id)
			}
		}
		return rows.Err()
	}
	if len(idx) > 0 {
		if err := add("SELECT DISTINCT petition_id FROM petition_people WHERE id_index IN ("+placeholders(len(idx))+") ORDER BY petition_id DESC LIMIT 20", idx...); err != nil {
			return nil, err
		}
	}
	if len(ph) > 0 {
		if err := add("SELECT DISTINCT petition_id FROM petition_people WHERE phone_index IN ("+placeholders(len(ph))+") ORDER BY petition_id DESC LIMIT 20", ph...); err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		person[id] = true
	}
	if q.Subject != "" && q.PlaceOrgID != 0 {
		if err := add("SELECT id FROM petitions WHERE subject = ? AND place_org_id = ? AND registered_at > ? ORDER BY registered_at DESC LIMIT 10",
			q.Subject, q.PlaceOrgID, s.Clock.Now().AddDate(-1, 0, 0)); err != nil {
			return nil, err
		}
	}
	out := []SimilarCase{}
	if len(ids) == 0 {
		return out, nil
	}
	v, err := s.viewerFor(ctx, s.DB, a, 0)
	if err != nil {
		return nil, err
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.DB.Query(ctx, "SELECT "+petitionCols+petitionFrom+" WHERE p.id IN ("+placeholders(len(ids))+") ORDER BY p.registered_at DESC, p.id DESC", args...)
	if err != nil {
		return nil, err
	}
	var list []*Petition
	for rows.Next() {
		p, err := s.scan(rows, s.Clock.Now())
		if err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var shown []int64
	for _, p := range list {
		if v.sees(p) {
			shown = append(shown, p.ID)
		}
	}
	people, err := s.people(ctx, s.DB, shown...)
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		if !containsID(shown, p.ID) || len(out) >= MaxSimilar {
			continue
		}
		c := SimilarCase{ID: p.ID, Number: p.Number, Status: p.Status, Category: p.Category, SubjectName: p.SubjectName, Place: p.Place,
			Summary: summary(p), RegisteredAt: p.RegisteredAt, SamePerson: person[p.ID], SameMatter: p.Subject == q.Subject && p.PlaceOrgID != nil && *p.PlaceOrgID == q.PlaceOrgID,
			Concluded: p.Status == Concluded}
		if ps := people[p.ID]; len(ps) > 0 {
			c.Petitioner = ps[0].Name
		}
		out = append(out, c)
	}
	return out, nil
}

// summary is a case's one line for lists: its request, or a notice that an
// accusation's content is sealed.
func summary(p *Petition) string {
	if p.Category == Accusation {
		return "（检举控告内容已加密，仅办理人员可见）"
	}
	return cut(p.Request, 60)
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
