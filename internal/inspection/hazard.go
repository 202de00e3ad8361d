package inspection

import (
	"context"
	"fmt"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
)

// HazardRequest names what becomes a hazard: a failed answer or a free
// finding of the inspection (exactly one).
type HazardRequest struct {
	AnswerID  int64  `json:"answer_id,omitempty"`
	FindingID int64  `json:"finding_id,omitempty"`
	Deadline  string `json:"deadline,omitempty"` // YYYY-MM-DD rectification deadline; default: the ledger's
}

// HazardLink is the hazard registered from an answer or finding.
type HazardLink struct {
	InspectionID int64  `json:"inspection_id"`
	AnswerID     int64  `json:"answer_id,omitempty"`
	FindingID    int64  `json:"finding_id,omitempty"`
	HazardID     int64  `json:"hazard_id"`
	HazardNumber string `json:"hazard_number"`
}

// RegisterHazard turns a failed answer or a free finding of a submitted
// inspection into a hazard, prefilled with everything the inspection
// knows, and records the hazard on the row: once (a second time answers 409
// naming the hazard). The hazard, the link and the audit record commit
// together.
func (s *Service) RegisterHazard(ctx context.Context, a *auth.Actor, id int64, req HazardRequest) (*HazardLink, error) {
	i, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, a, auth.InspectionRecord, i.Path, i.Kind, itoa(id), i.TerritoryOrgID); err != nil {
		return nil, err
	}
	if (req.AnswerID == 0) == (req.FindingID == 0) {
		return nil, apperr.Field(apperr.EINVALID, "answer_id", "请指明一个不合格项（answer_id）或一条发现的问题（finding_id） / name one failed item (answer_id) or one finding (finding_id)")
	}
	if i.Status != StatusSubmitted {
		return nil, apperr.New(apperr.ERULE, "请先提交检查记录，再登记隐患 / submit the inspection first, then register hazards")
	}
	reg := s.Registrar()
	if reg == nil {
		return nil, apperr.New(apperr.ERULE, "hazard registration not available / 隐患登记功能未启用")
	}
	if req.Deadline = strings.TrimSpace(req.Deadline); req.Deadline != "" {
		d, err := calendar.ParseDate(req.Deadline)
		if err != nil {
			return nil, apperr.Field(apperr.EINVALID, "deadline", "整改期限须为 YYYY-MM-DD 格式的日期 / the deadline must be a date YYYY-MM-DD")
		}
		req.Deadline = d.String()
	}
	f := Finding{InspectionID: i.ID, InspectionKind: i.Kind, EnterpriseID: i.EnterpriseID, EnterpriseName: i.EnterpriseName,
		TerritoryOrgID: i.TerritoryOrgID, FoundAt: i.InspectedAt, FinderUserID: i.CreatedBy.ID, FinderName: i.CreatedBy.Name,
		CampaignID: i.CampaignID, Deadline: req.Deadline, Inspectors: []string{}}
	for _, p := range i.Inspectors {
		f.Inspectors = append(f.Inspectors, p.Name)
	}
	if i.Leader != nil && !contains(f.Inspectors, i.Leader.Name) {
		f.Inspectors = append([]string{i.Leader.Name}, f.Inspectors...)
	}
	location := i.Place
	if location == "" {
		location = i.Address
	}
	var table, col, existing string
	var rowID int64
	if req.AnswerID != 0 {
		var an *Answer
		for k := range i.Answers {
			if i.Answers[k].ID == req.AnswerID {
				an = &i.Answers[k]
			}
		}
		if an == nil {
			return nil, apperr.Field(apperr.EINVALID, "answer_id", "检查项 %d 不属于这条检查记录 / answer %d is not this inspection's", req.AnswerID, req.AnswerID)
		}
		if an.Result != Fail {
			return nil, apperr.Field(apperr.ERULE, "answer_id", "第 %d 项不是不合格项，不能登记为隐患 / item %d did not fail: it is no hazard", an.Number, an.Number)
		}
		f.AnswerID, f.Category, f.Basis = an.ID, an.Category, an.Basis
		f.SourceRef = fmt.Sprintf("inspection %d item %d", i.ID, an.Number)
		f.Description = fmt.Sprintf("%s（检查表第 %d 项不合格：%s）", an.Note, an.Number, an.Text)
		f.Location = location
		for _, att := range an.Files {
			f.AttachmentIDs = append(f.AttachmentIDs, att.ID)
		}
		table, col, existing, rowID = "inspection_answers", "answer_id", an.HazardNumber, an.ID
	} else {
		var fd *FreeFinding
		for k := range i.Findings {
			if i.Findings[k].ID == req.FindingID {
				fd = &i.Findings[k]
			}
		}
		if fd == nil {
			return nil, apperr.Field(apperr.EINVALID, "finding_id", "发现的问题 %d 不属于这条检查记录 / finding %d is not this inspection's", req.FindingID, req.FindingID)
		}
		f.FreeFindingID, f.Category = fd.ID, fd.Category
		f.SourceRef = fmt.Sprintf("inspection %d finding %d", i.ID, fd.Number)
		f.Description = fd.Text
		if fd.Note != "" {
			f.Description += "（" + fd.Note + "）"
		}
		f.Location = fd.Location
		if f.Location == "" {
			f.Location = location
		}
		for _, att := range fd.Files {
			f.AttachmentIDs = append(f.AttachmentIDs, att.ID)
		}
		table, col, existing, rowID = "inspection_findings", "finding_id", fd.HazardNumber, fd.ID
	}
	if existing != "" {
		return nil, alreadyRegistered(col, existing)
	}
	// Within what a hazard takes (1,000 characters of description, 200 of place).
	f.Description, f.Location = cutRunes(f.Description, 1000), cutRunes(f.Location, 200)
	link := &HazardLink{InspectionID: i.ID, AnswerID: f.AnswerID, FindingID: f.FreeFindingID}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		// Claim the row: a second press waits here for the first to commit,
		// then finds the hazard written and stops.
		res, err := tx.Exec(ctx, "UPDATE "+table+" SET hazard_number = hazard_number WHERE id = ? AND hazard_id IS NULL", rowID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var number string
			if err := tx.QueryRow(ctx, "SELECT hazard_number FROM "+table+" WHERE id = ?", rowID).Scan(&number); err != nil {
				return err
			}
			return alreadyRegistered(col, number)
		}
		hid, number, err := reg.RegisterFromInspection(ctx, tx, a, f)
		if err != nil {
			return err
		}
		if hid <= 0 {
			return fmt.Errorf("inspection: the hazard registrar returned no hazard id")
		}
		if _, err := tx.Exec(ctx, "UPDATE "+table+" SET hazard_id = ?, hazard_number = ? WHERE id = ?", hid, number, rowID); err != nil {
			return err
		}
		link.HazardID, link.HazardNumber = hid, number
		e := a.Entry(s.Clock.Now(), "inspection.hazard", "inspection", itoa(i.ID), i.TerritoryOrgID)
		e.Detail = fmt.Sprintf("%s %d registered as hazard %d %s", strings.TrimSuffix(col, "_id"), rowID, hid, number)
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		// The registrar's refusal rolled everything back; the trail still
		// hears of it.
		if c := apperr.Code(err); c == apperr.EFORBIDDEN || c == apperr.ENOTFOUND {
			return nil, s.refuse(ctx, a, auth.HazardReport, itoa(i.ID), i.TerritoryOrgID, err)
		}
		return nil, err
	}
	return link, nil
}

func alreadyRegistered(col, number string) error {
	return apperr.Field(apperr.ECONFLICT, col, "已登记为隐患 %s / already registered as hazard %s", number, number)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// cutRunes shortens s to at most n characters.
func cutRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
