package petition

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// XLSXType is the media type of an Excel workbook.
const XLSXType = sheet.XLSXType

// MaxExportRows bounds one export.
const MaxExportRows = 200000

// exportSheet is the ledger's sheet.
const exportSheet = "信访事项台账"

// exportChunk is how many cases are read at a time (with their petitioners).
const exportChunk = 500

// exportColumns are the ledger's columns in the order offices use
// (reference/ledger-columns.md, Petitions), then Anwen's own. 包案领导
// stays empty until key cases get their responsibility groups.
var exportColumns = []sheet.Column{
	{Field: "number", Header: "编号", Width: 20},
	{Field: "channel", Header: "来源", Width: 10},
	{Field: "registered", Header: "登记时间", Width: 12, Date: true},
	{Field: "petitioner", Header: "信访人", Width: 14},
	{Field: "id_number", Header: "身份证号", Width: 20},
	{Field: "phone", Header: "联系电话", Width: 14},
	{Field: "content", Header: "内容", Width: 40},
	{Field: "place", Header: "地点", Width: 16},
	{Field: "org", Header: "责任单位", Width: 16},
	{Field: "lead", Header: "包案领导", Width: 10},
	{Field: "progress", Header: "办理情况", Width: 30},
	{Field: "done", Header: "是否办结/终结", Width: 10},
	{Field: "category", Header: "信访类别", Width: 12},
	{Field: "subject", Header: "问题类别", Width: 12},
	{Field: "head_count", Header: "人数", Width: 6},
	{Field: "last_day", Header: "当前期限", Width: 12, Date: true},
}

// Export streams the ledger matching f as an Excel workbook into w, newest
// first (at most MaxExportRows). The workbook leaves the system, so the
// petitioners' name, ID number and phone are written masked as on screen,
// and an accusation's content not at all. One audit record names the count.
func (s *Service) Export(ctx context.Context, a *auth.Actor, f Filter, w io.Writer) (int, error) {
	if err := f.validate(); err != nil {
		return 0, err
	}
	q, err := s.build(ctx, a, &f)
	if err != nil {
		return 0, err
	}
	now := s.Clock.Now()
	x, err := sheet.NewLedger(exportSheet, "信访事项台账", now, exportColumns)
	if err != nil {
		return 0, err
	}
	defer x.Close()
	// The ids first (an index walk), then the cases a chunk at a time.
	rows, err := s.DB.Query(ctx, "SELECT p.id FROM petitions p"+q.where()+" ORDER BY p.registered_at DESC, p.id DESC LIMIT "+strconv.Itoa(MaxExportRows), q.args...)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), exportChunk)]
		ids = ids[len(chunk):]
		list, err := s.byIDs(ctx, chunk)
		if err != nil {
			return n, err
		}
		people, err := s.people(ctx, s.DB, chunk...)
		if err != nil {
			return n, err
		}
		for _, p := range list {
			n++
			if err := x.Row(exportRow(x, p, people[p.ID])); err != nil {
				return n, err
			}
		}
	}
	e := a.Entry(now, "petition.export", "petition", "", a.OrgID)
	e.Detail = fmt.Sprintf("%d rows; %s", n, f.Query().Encode())
	if err := audit.AppendAlone(ctx, s.DB, e); err != nil {
		return n, err
	}
	return n, x.Write(w)
}

// exportRow is one case in the columns of exportColumns.
func exportRow(x *sheet.Ledger, p *Petition, people []Person) []any {
	var names, ids, phones []string
	for _, pr := range people {
		names = append(names, pr.Name)
		if pr.IDNumber != "" {
			ids = append(ids, pr.IDNumber)
		}
		if pr.Phone != "" {
			phones = append(phones, pr.Phone)
		}
	}
	petitioner := strings.Join(names, "、")
	if p.Collective {
		petitioner += fmt.Sprintf("（集体访，%d人）", p.HeadCount)
	}
	content := p.Request
	if p.Category == Accusation {
		content = summary(p)
	}
	org := p.HandlingName
	if org == "" {
		org = "信访局（待转办）"
	}
	var lastDay any
	if p.Clock.LastDay != "" {
		lastDay = x.DayText(p.Clock.LastDay)
	}
	return []any{
		p.Number,
		ChannelZH[p.Channel],
		x.Day(calendar.DateOf(p.RegisteredAt)),
		petitioner,
		strings.Join(ids, "、"),
		strings.Join(phones, "、"),
		content,
		p.Place,
		org,
		nil,
		progress(p),
		doneCell(p.Status),
		CategoryZH[p.Category],
		p.SubjectName,
		p.HeadCount,
		lastDay,
	}
}

// progress is 办理情况: the state, the clock on it, and any extension.
func progress(p *Petition) string {
	s := StatusZH[p.Status]
	switch c := p.Clock; {
	case c.Period == "":
	case c.Overdue:
		s += fmt.Sprintf("；已逾期%d天（期限%s）", c.DaysOverdue, c.LastDay)
	default:
		s += fmt.Sprintf("；%s前（剩%d天）", c.LastDay, c.DaysLeft)
	}
	if p.ExtensionDays > 0 {
		s += fmt.Sprintf("；已延期%d天", p.ExtensionDays)
	}
	return s
}

// doneCell is 是否办结/终结.
func doneCell(status string) string {
	switch status {
	case Concluded:
		return "终结"
	case Closed, Declined, Replied, Reviewed:
		return "办结"
	}
	return "否"
}

// exportName is the download's file name.
func exportName(now time.Time) string {
	return "信访事项台账-" + now.In(calendar.Location).Format("20060102-1504") + ".xlsx"
}
