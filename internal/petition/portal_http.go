package petition

// The public portal (网上信访) over HTTP, without sign-in: the JSON API
// (POST /public/petitions, GET /public/petitions/{code} and the rating and
// review requests) and what guards it, shared with the pages
// (portal_pages.go): the per-address rate limits and the challenge.
//
// Rate limits are counted per client address (web.Server.ClientAddr, which
// honours a trusted proxy; an IPv6 address counts by its /64) in memory,
// in a sliding window, for a bounded number of addresses (the least
// recently seen are forgotten first). With several servers on one
// PostgreSQL each server counts on its own, so an address gets the limit
// once per server: balance the portal by client address (ip_hash) to keep
// one count. The limits slow scripts down; what keeps a case private is
// the query code (31^12 codes) together with the phone.
//
// The challenge is a small sum in words ("七加五等于几？") whose token
// carries the question, the time it was issued and a nonce, signed with a
// key derived from the field-encryption keyring's index key, so that every
// server checks it without shared state. A token is good once (the nonces
// seen are remembered for its lifetime), from ChallengeMinAge after it was
// issued (a script that posts at once fails) until ChallengeTTL. The form
// also has a field that people do not see and scripts fill in.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/web"
)

// The portal's limits, per client address.
const (
	// PortalWindow is the sliding window every limit counts in.
	PortalWindow = 10 * time.Minute
	// PortalSubmitLimit: petitions accepted from one address per window.
	PortalSubmitLimit = 5
	// PortalAttemptLimit: submission requests (accepted or not, the form's
	// and the API's) from one address per window.
	PortalAttemptLimit = 20
	// PortalLookupLimit: look-ups, ratings and review requests from one
	// address per window.
	PortalLookupLimit = 30

	// ChallengeTTL is how long a challenge may be answered; ChallengeMinAge
	// how soon (a person takes longer to fill in the form).
	ChallengeTTL    = time.Hour
	ChallengeMinAge = 3 * time.Second

	// PortalMaxFiles: photos and PDFs one online petition may carry.
	PortalMaxFiles = 5
	// portalMaxBody bounds a submission (the files with the form).
	portalMaxBody = 60 << 20

	// PhoneHeader carries the petitioner's phone with the JSON API's
	// look-up, rating and review, so that it stays out of URLs and logs.
	PhoneHeader = "X-Petitioner-Phone"
)

type clientAddrKey struct{}

// WithClientAddr returns ctx carrying the portal caller's address, which
// the trail records with the petitioner's writes (SubmitPublic, Rate,
// RequestReview).
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// portalActor is who acts for the petitioner, with the caller's address.
func portalActor(ctx context.Context) *auth.Actor {
	a := *publicActor
	if addr, _ := ctx.Value(clientAddrKey{}).(string); addr != "" {
		a.ClientAddr = addr
	}
	return &a
}

// addrKey is what a limit counts by: an IPv4 address, an IPv6 /64.
func addrKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil {
		return addr
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// ---- the challenge ----

// Challenge is a question to answer with a submission.
type Challenge struct {
	// Token goes back with the answer (the form's field challenge).
	Token      string    `json:"token"`
	Question   string    `json:"question"`
	QuestionEN string    `json:"question_en"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// guard issues and checks challenges and signs the files a form keeps.
// The spent challenges are in the database (portal_nonces), so that a
// challenge answered on one server is spent on all.
type guard struct {
	key []byte
	db  *db.DB
}

func newGuard(s *Service) *guard {
	g := &guard{db: s.DB}
	if s.Cipher != nil {
		// A key of its own, derived from the index key every server shares.
		g.key = []byte(s.Cipher.Index("petition/portal-key", "v1"))
	} else {
		g.key = make([]byte, 32)
		rand.Read(g.key)
	}
	return g
}

func (g *guard) mac(kind string, parts ...string) string {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(kind))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

var (
	zhDigits = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	enDigits = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
)

// issue makes a new challenge at now.
func (g *guard) issue(now time.Time) Challenge {
	a, b := 2+mrand.IntN(8), 2+mrand.IntN(8)
	var nonce [12]byte
	rand.Read(nonce[:])
	payload := strings.Join([]string{strconv.FormatInt(now.Unix(), 36), base64.RawURLEncoding.EncodeToString(nonce[:]), strconv.Itoa(a), strconv.Itoa(b)}, ".")
	return g.describe(payload+"."+g.mac("challenge", payload), now.Truncate(time.Second), a, b)
}

func (g *guard) describe(token string, issued time.Time, a, b int) Challenge {
	return Challenge{Token: token, Question: fmt.Sprintf("%s加%s等于几？", zhDigits[a], zhDigits[b]),
		QuestionEN: fmt.Sprintf("What is %s plus %s?", enDigits[a], enDigits[b]), ExpiresAt: issued.Add(ChallengeTTL).UTC()}
}

// parsed is a token whose signature holds.
type parsed struct {
	issued time.Time
	nonce  string
	a, b   int
}

func (g *guard) parse(token string) (*parsed, bool) {
	f := strings.Split(token, ".")
	if len(f) != 5 || !hmac.Equal([]byte(f[4]), []byte(g.mac("challenge", strings.Join(f[:4], ".")))) {
		return nil, false
	}
	sec, err1 := strconv.ParseInt(f[0], 36, 64)
	a, err2 := strconv.Atoi(f[2])
	b, err3 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil || err3 != nil || a < 0 || a > 10 || b < 0 || b > 10 {
		return nil, false
	}
	return &parsed{issued: time.Unix(sec, 0), nonce: f[1], a: a, b: b}, true
}

// again is the challenge of a token not spent yet, to show once more when
// the form is refused for another reason; a new one when it cannot be.
func (g *guard) again(ctx context.Context, token string, now time.Time) Challenge {
	p, ok := g.parse(token)
	if !ok || now.Sub(p.issued) > ChallengeTTL-5*time.Minute || g.spent(ctx, p.nonce) {
		return g.issue(now)
	}
	return g.describe(token, p.issued, p.a, p.b)
}

// spent reports whether the challenge nonce was answered (on any server).
func (g *guard) spent(ctx context.Context, nonce string) bool {
	var n int
	if err := g.db.QueryRow(ctx, "SELECT count(*) FROM portal_nonces WHERE nonce = ?", nonce).Scan(&n); err != nil {
		return true // unknown: ask a new question rather than show a spent one
	}
	return n > 0
}

// spend records nonce as answered until forget, and reports whether it was
// answered before. Now and then it deletes the nonces of expired tokens.
func (g *guard) spend(ctx context.Context, nonce string, now, forget time.Time) (seen bool, err error) {
	err = g.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "INSERT INTO portal_nonces (nonce, forget_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING", nonce, forget)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		seen = n == 0
		if mrand.IntN(100) == 0 {
			_, err = tx.Exec(ctx, "DELETE FROM portal_nonces WHERE forget_at < ?", now)
		}
		return err
	})
	return seen, err
}

// errChallenge is the answer to any failed challenge: it does not say
// what failed.
func errChallenge() error {
	return apperr.Field(apperr.EINVALID, "answer", "验证题回答不正确或已过期，请回答新的验证题 / the answer to the check question is wrong or has expired: answer the new question")
}

// verify checks the answer to a token at now and spends the token (a
// token is answered once, rightly or wrongly); honeypot is the field
// people do not see.
func (g *guard) verify(ctx context.Context, token, answer, honeypot string, now time.Time) error {
	p, ok := g.parse(token)
	if !ok {
		return errChallenge()
	}
	age := now.Sub(p.issued)
	if age > ChallengeTTL || age < 0 {
		return errChallenge()
	}
	seen, err := g.spend(ctx, p.nonce, now, p.issued.Add(ChallengeTTL+time.Minute))
	if err != nil {
		return err
	}
	if seen || age < ChallengeMinAge || strings.TrimSpace(honeypot) != "" {
		return errChallenge()
	}
	if n, ok := parseAnswer(answer); !ok || n != p.a+p.b {
		return errChallenge()
	}
	return nil
}

// parseAnswer reads a number written in digits (half or full width) or in
// Chinese (七, 十二, 二十).
func parseAnswer(s string) (int, bool) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, c := range s {
		if c >= '０' && c <= '９' {
			c = c - '０' + '0'
		}
		b.WriteRune(c)
	}
	s = b.String()
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	zh := map[string]int{}
	for i, d := range zhDigits {
		zh[d] = i
	}
	zh["两"] = 2
	r := []rune(s)
	switch {
	case len(r) == 1:
		n, ok := zh[s]
		return n, ok
	case len(r) == 2 && r[0] == '十':
		n, ok := zh[string(r[1])]
		return 10 + n, ok && n < 10
	case len(r) == 2 && r[1] == '十':
		n, ok := zh[string(r[0])]
		return n * 10, ok && n < 10
	case len(r) == 3 && r[1] == '十':
		t, ok1 := zh[string(r[0])]
		u, ok2 := zh[string(r[2])]
		return t*10 + u, ok1 && ok2 && t < 10 && u < 10
	}
	return 0, false
}

// signFiles signs the ids of files a refused form keeps for its next try.
func (g *guard) signFiles(ids []int64) (string, string) {
	if len(ids) == 0 {
		return "", ""
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	list := strings.Join(s, ",")
	return list, g.mac("files", list)
}

// keptFiles reads the signed ids back; nothing when the signature fails.
func (g *guard) keptFiles(list, sig string) []int64 {
	if list == "" || !hmac.Equal([]byte(sig), []byte(g.mac("files", list))) {
		return nil
	}
	var ids []int64
	for _, s := range strings.Split(list, ",") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) > PortalMaxFiles {
		return nil
	}
	return ids
}

// ---- the portal ----

type portal struct {
	srv     *web.Server
	svc     *Service
	guard   *guard
	attempt *limiter // submission requests
	submit  *limiter // petitions accepted
	lookup  *limiter // look-ups, ratings, review requests
}

// RegisterPortal adds the public portal: its JSON API and its pages.
func RegisterPortal(srv *web.Server, svc *Service) {
	p := &portal{srv: srv, svc: svc, guard: newGuard(svc),
		attempt: newLimiter(svc.DB, "attempt", "submission requests", PortalAttemptLimit, PortalWindow),
		submit:  newLimiter(svc.DB, "submit", "petitions submitted", PortalSubmitLimit, PortalWindow),
		lookup:  newLimiter(svc.DB, "lookup", "look-ups", PortalLookupLimit, PortalWindow)}
	srv.PublicAPI("GET", "/public/petitions/challenge", p.apiChallenge)
	srv.PublicAPI("POST", "/public/petitions", p.apiSubmit)
	srv.PublicAPI("GET", "/public/petitions/{code}", p.apiStatus)
	srv.PublicAPI("POST", "/public/petitions/{code}/rating", p.apiRate)
	srv.PublicAPI("POST", "/public/petitions/{code}/review", p.apiReview)
	p.registerPages()
}

// ctx is the request's context with the caller's address for the trail.
func (p *portal) ctx(r *http.Request) context.Context {
	return WithClientAddr(r.Context(), p.srv.ClientAddr(r))
}

// allow counts a hit of the request's address on l. Over the limit it sets
// Retry-After, records the first refusal in the trail and answers
// ERATELIMIT (429).
func (p *portal) allow(w http.ResponseWriter, r *http.Request, l *limiter) error {
	addr := p.srv.ClientAddr(r)
	now := p.svc.Clock.Now()
	ok, wait, first, err := l.take(r.Context(), addrKey(addr), now)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	secs := int((wait + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	if first {
		e := audit.Entry{At: now, UserLogin: publicActor.Login, Action: "petition.portal_limit", ObjectType: "petition_portal", Result: audit.Denied,
			ClientAddr: addr, Detail: fmt.Sprintf("%s: %d per %s from %s", l.name, l.max, l.window, addrKey(addr))}
		if err := audit.AppendAlone(r.Context(), p.svc.DB, e); err != nil {
			p.svc.log().Warn("petition portal: record a rate limit", "err", err)
		}
	}
	mins := (secs + 59) / 60
	return apperr.New(apperr.ERATELIMIT, "来自您网络地址的请求过于频繁，请 %d 分钟后再试 / too many requests from your address: try again in %d minutes", mins, mins)
}

// PortalSubmission is a petition submitted through the JSON API: the
// petition, the answer to a challenge (GET /public/petitions/challenge) and
// the petitioner's consent to the use of their personal data.
type PortalSubmission struct {
	PublicInput
	Challenge string `json:"challenge"` // the challenge's token
	Answer    string `json:"answer"`    // its answer, in digits
	Consent   bool   `json:"consent"`   // must be true
}

// PortalReceipt is what a submission answers: the case number and the
// query code, shown this once (only its hash is kept).
type PortalReceipt struct {
	Number string `json:"number"`
	Code   string `json:"code"`
}

// RatingInput rates an answer: satisfied (满意), basic (基本满意), unsatisfied (不满意).
type RatingInput struct {
	Rating string `json:"rating"`
}

// ReviewInput asks for a review of an answer, with the petitioner's reasons.
type ReviewInput struct {
	Reason string `json:"reason"`
}

func errConsent() error {
	return apperr.Field(apperr.EINVALID, "consent", "请阅读并同意个人信息的使用说明 / read and agree to how your personal data is used")
}

func (p *portal) fail(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("Cache-Control", "no-store")
	p.srv.WriteError(w, r, err)
}

func (p *portal) apiChallenge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, p.guard.issue(p.svc.Clock.Now()))
}

func (p *portal) apiSubmit(w http.ResponseWriter, r *http.Request) {
	if err := p.allow(w, r, p.attempt); err != nil {
		p.fail(w, r, err)
		return
	}
	var in PortalSubmission
	if err := web.DecodeJSON(w, r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	rc, err := p.submitChecked(w, r, in.PublicInput, in.Consent, in.Challenge, in.Answer, "", nil)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusCreated, PortalReceipt{Number: rc.Number, Code: rc.QueryCode})
}

// submitStage says how far a refused submission got.
type submitStage int

const (
	stageChecked   submitStage = iota // the petition was refused; the challenge is unspent
	stageChallenge                    // the challenge was refused (and spent)
	stageLimited                      // the challenge passed; the address is over its limit
	stageFiles                        // the challenge passed; the files or the write failed
)

type submitError struct {
	err   error
	stage submitStage
	files []int64 // files stored before the failure (kept for the next try)
}

func (e *submitError) Error() string { return e.err.Error() }
func (e *submitError) Unwrap() error { return e.err }

// submitChecked submits in after checking, in this order: the consent and
// the petition (nothing spent), the challenge (spent), the address's limit
// of accepted petitions; then it stores the form's files (files, when not
// nil: called only now) and writes. A refusal is a *submitError.
func (p *portal) submitChecked(w http.ResponseWriter, r *http.Request, in PublicInput, consent bool, token, answer, honeypot string,
	files func(ctx context.Context) ([]int64, error)) (*Receipt, error) {
	ctx := p.ctx(r)
	if !consent {
		return nil, &submitError{err: errConsent(), stage: stageChecked}
	}
	if _, err := p.svc.checkPublic(ctx, in); err != nil {
		return nil, &submitError{err: err, stage: stageChecked}
	}
	if err := p.guard.verify(ctx, token, answer, honeypot, p.svc.Clock.Now()); err != nil {
		return nil, &submitError{err: err, stage: stageChallenge}
	}
	if err := p.allow(w, r, p.submit); err != nil {
		return nil, &submitError{err: err, stage: stageLimited}
	}
	key := addrKey(p.srv.ClientAddr(r))
	if files != nil {
		ids, err := files(ctx)
		if err != nil {
			p.submit.refund(ctx, key)
			return nil, &submitError{err: err, stage: stageFiles}
		}
		in.AttachmentIDs = append(in.AttachmentIDs, ids...)
	}
	rc, err := p.svc.SubmitPublic(ctx, in)
	if err != nil {
		p.submit.refund(ctx, key)
		return nil, &submitError{err: err, stage: stageFiles, files: in.AttachmentIDs}
	}
	return rc, nil
}

func (p *portal) apiStatus(w http.ResponseWriter, r *http.Request) {
	if err := p.allow(w, r, p.lookup); err != nil {
		p.fail(w, r, err)
		return
	}
	st, err := p.svc.Milestones(p.ctx(r), r.PathValue("code"), r.Header.Get(PhoneHeader))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, st)
}

func (p *portal) apiRate(w http.ResponseWriter, r *http.Request) {
	if err := p.allow(w, r, p.lookup); err != nil {
		p.fail(w, r, err)
		return
	}
	var in RatingInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	ctx, code, phone := p.ctx(r), r.PathValue("code"), r.Header.Get(PhoneHeader)
	if err := p.svc.Rate(ctx, code, phone, in.Rating); err != nil {
		p.fail(w, r, err)
		return
	}
	st, err := p.svc.Milestones(ctx, code, phone)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, st)
}

func errReason() error {
	return apperr.Field(apperr.EINVALID, "reason", "请写明不服答复的理由 / say why you do not accept the answer")
}

// plainReview words a review request the lifecycle table does not have for
// the petitioner (the table's own message names the bureau's actions).
func plainReview(err error) error {
	if _, ok := apperr.AllowedActions(err); ok {
		return apperr.Field(apperr.ERULE, "reason", "目前不能请求复查或复核：复查、复核只适用于申诉求决类事项，在收到书面答复（或复查意见）之日起 30 日内提出，各一次 / a review cannot be asked for now: reviews apply to claims only, asked for once within 30 days of the written answer (or of the review)")
	}
	return err
}

func (p *portal) apiReview(w http.ResponseWriter, r *http.Request) {
	if err := p.allow(w, r, p.lookup); err != nil {
		p.fail(w, r, err)
		return
	}
	var in ReviewInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	if strings.TrimSpace(in.Reason) == "" {
		p.fail(w, r, errReason())
		return
	}
	st, err := p.svc.RequestReview(p.ctx(r), r.PathValue("code"), r.Header.Get(PhoneHeader), in.Reason)
	if err != nil {
		p.fail(w, r, plainReview(err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, st)
}
