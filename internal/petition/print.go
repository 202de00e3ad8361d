package petition

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/web"
)

// The written documents served on the petitioner (信访工作条例 第二十三条,
// 第三十二条, 第三十五条, 第三十六条), printed from the case: the notice of
// acceptance or of a decline, the reply (信访处理意见书) and the review and
// second-review opinions. They carry the petitioner's full name and
// address, so only those who may open the personal data print them, and
// each print is an unmasking in the trail (Reveal).

// Documents a case can print.
const (
	DocAccept   = "accept"   // 受理告知书
	DocDecline  = "decline"  // 不予受理告知书
	DocReply    = "reply"    // 信访事项处理意见书
	DocReview   = "review"   // 复查意见书
	DocRereview = "rereview" // 复核意见书
)

// Document is one printable document of a case.
type Document struct {
	Kind      string
	Title     string
	Issuer    string // the org that issues it
	Number    string
	To        string // the petitioners, full names
	Address   string // the first petitioner's address
	Received  string // 2026年11月28日
	Request   string
	Facts     string
	Notice    string // accept, decline: the written notice
	Reason    string // decline: why
	Opinion   *Opinion
	Decision  string
	NextOrg   string // where a review is asked for ("" after the second review)
	Final     bool   // the second review: the matter is concluded
	Date      string // the document's date, 2026年11月28日
	Agreement string
}

// opinionRound maps the opinion documents to their round.
var opinionRound = map[string]int{DocReply: 0, DocReview: 1, DocRereview: 2}

// docTitles name the documents.
var docTitles = map[string]string{DocAccept: "信访事项受理告知书", DocDecline: "信访事项不予受理告知书", DocReply: "信访事项处理意见书",
	DocReview: "信访事项复查意见书", DocRereview: "信访事项复核意见书"}

// Documents lists the documents case d can print now, in the order they were issued.
func (d *Detail) Documents() []string {
	var out []string
	for _, st := range d.Steps {
		switch st.Action {
		case ActAccept:
			out = appendOnce(out, DocAccept)
		case ActDecline:
			out = appendOnce(out, DocDecline)
		}
	}
	for _, o := range d.Opinions {
		out = appendOnce(out, []string{DocReply, DocReview, DocRereview}[o.Round])
	}
	return out
}

func appendOnce(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// Document builds document kind of case id for a, opening the personal
// data (audited as an unmasking). ENOTFOUND when the case has no such
// document yet.
func (s *Service) Document(ctx context.Context, a *auth.Actor, id int64, kind string) (*Document, error) {
	if _, ok := docTitles[kind]; !ok {
		return nil, apperr.NotFound("document")
	}
	d, err := s.Detail(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(d.Documents(), kind) {
		return nil, apperr.NotFound("document")
	}
	rev, err := s.Reveal(ctx, a, id)
	if err != nil {
		return nil, err
	}
	doc := &Document{Kind: kind, Title: docTitles[kind], Number: d.Number, Received: zhDate(calendar.DateOf(d.ReceivedAt)), Request: rev.Request, Facts: rev.Facts}
	var names []string
	for _, p := range rev.Petitioners {
		names = append(names, p.Name)
	}
	doc.To = strings.Join(names, "、")
	if len(rev.Petitioners) > 0 {
		doc.Address = rev.Petitioners[0].Address
	}
	switch kind {
	case DocAccept, DocDecline:
		action := map[string]string{DocAccept: ActAccept, DocDecline: ActDecline}[kind]
		for _, st := range d.Steps {
			if st.Action == action { // the latest of them
				doc.Issuer, doc.Notice, doc.Reason, doc.Date = st.OrgName, st.Notice, st.Reason, zhDate(calendar.DateOf(st.At))
			}
		}
	default:
		round := opinionRound[kind]
		for i := range d.Opinions {
			if d.Opinions[i].Round == round {
				doc.Opinion = &d.Opinions[i]
			}
		}
		o := doc.Opinion
		doc.Issuer, doc.Decision, doc.Agreement = o.OrgName, DecisionZH[o.Decision], agreementZH[o.Agreement]
		day := calendar.DateOf(o.CreatedAt)
		if served, err := calendar.ParseDate(o.ServedDay); err == nil {
			day = served
		}
		doc.Date = zhDate(day)
		if round == 2 {
			doc.Final = true
		} else if b, err := bureau(ctx, s.DB); err == nil {
			if up, err := superior(ctx, s.DB, o.OrgID, b); err == nil {
				doc.NextOrg = up.Name
			}
		}
	}
	return doc, nil
}

// zhDate writes a day as documents do: 2026年11月28日.
func zhDate(d calendar.Date) string {
	return fmt.Sprintf("%d年%d月%d日", d.Year, d.Month, d.Day)
}

// agreementZH names the agreements a reply may attach.
var agreementZH = map[string]string{"mediation": "调解协议书", "settlement": "和解协议书"}

type printData struct {
	tools
	ID  int64
	Doc *Document
}

// printPage renders a document for the browser's print (A4).
func (h *handlers) printPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	doc, err := h.svc.Document(r.Context(), a, id, r.PathValue("doc"))
	if err != nil {
		return err
	}
	return h.render(w, r, a, doc.Title, "print.html", printData{tools: tools{web.Lang(r)}, ID: id, Doc: doc}, nil)
}

// DocTitle names a document kind for the templates.
func (tools) DocTitle(kind string) string { return docTitles[kind] }
