package dispute

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
)

// XLSXType is the media type of an Excel workbook.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// MaxExportRows bounds one export.
const MaxExportRows = 200000

// SheetName is the ledger's sheet.
const SheetName = "矛盾纠纷台账"

// exportChunk is how many disputes are read before their sessions.
const exportChunk = 500

// Export streams the ledger matching f as an Excel workbook into w: a
// title row, the header in the columns offices use, one row per dispute,
// newest first, through excelize's stream writer (at most MaxExportRows).
// No personal data of the parties is written: the workbook leaves the
// system. One audit record names the count.
func (s *Service) Export(ctx context.Context, a *auth.Actor, f Filter, w io.Writer) (int, error) {
	if err := f.validate(); err != nil {
		return 0, err
	}
	where, args, err := s.where(ctx, a, &f)
	if err != nil {
		return 0, err
	}
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", SheetName); err != nil {
		return 0, err
	}
	sw, err := x.NewStreamWriter(SheetName)
	if err != nil {
		return 0, err
	}
	head, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F7"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}, Border: []excelize.Border{{Type: "bottom", Color: "B8C4D0", Style: 1}}})
	if err != nil {
		return 0, err
	}
	title, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return 0, err
	}
	fmtDate := "yyyy-mm-dd"
	date, err := x.NewStyle(&excelize.Style{CustomNumFmt: &fmtDate})
	if err != nil {
		return 0, err
	}
	for i, c := range exportColumns {
		if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return 0, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return 0, err
	}
	last, _ := excelize.CoordinatesToCellName(len(exportColumns), 1)
	if err := sw.MergeCell("A1", last); err != nil {
		return 0, err
	}
	now := s.Clock.Now()
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: title, Value: fmt.Sprintf("矛盾纠纷排查化解台账（导出于 %s）", now.In(calendar.Location).Format("2006-01-02 15:04"))}},
		excelize.RowOpts{Height: 24}); err != nil {
		return 0, err
	}
	header := make([]any, len(exportColumns))
	for i, c := range exportColumns {
		header[i] = excelize.Cell{StyleID: head, Value: c.Header}
	}
	if err := sw.SetRow("A2", header, excelize.RowOpts{Height: 30}); err != nil {
		return 0, err
	}
	rows, err := s.DB.Query(ctx, "SELECT "+disputeCols+disputeFrom+where+" ORDER BY d.occurred_at DESC, d.id DESC LIMIT "+strconv.Itoa(MaxExportRows), args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	today := s.today()
	n := 0
	var chunk []*Dispute
	flush := func() error {
		sessions, err := sessionsOf(ctx, s.DB, chunk)
		if err != nil {
			return err
		}
		for _, d := range chunk {
			n++
			cell, _ := excelize.CoordinatesToCellName(1, n+2)
			if err := sw.SetRow(cell, exportRow(n, d, sessions[d.ID], date)); err != nil {
				return err
			}
		}
		chunk = chunk[:0]
		return nil
	}
	for rows.Next() {
		d, err := s.scan(rows, today)
		if err != nil {
			return n, err
		}
		chunk = append(chunk, d)
		if len(chunk) == exportChunk {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	if a != nil {
		e := a.Entry(now, "dispute.export", "dispute", "", a.OrgID)
		e.Detail = fmt.Sprintf("%d rows; %s", n, f.Describe())
		if err := audit.AppendAlone(ctx, s.DB, e); err != nil {
			return n, err
		}
	}
	return n, x.Write(w)
}

// sessionsOf reads the sessions of the disputes, by dispute.
func sessionsOf(ctx context.Context, q db.Querier, ds []*Dispute) (map[int64][]Session, error) {
	out := map[int64][]Session{}
	if len(ds) == 0 {
		return out, nil
	}
	args := make([]any, len(ds))
	for i, d := range ds {
		args[i] = d.ID
	}
	rows, err := q.Query(ctx, "SELECT dispute_id, id, held_at, method, mediator, outcome, note FROM dispute_sessions WHERE dispute_id IN ("+
		strings.TrimSuffix(strings.Repeat("?, ", len(ds)), ", ")+") ORDER BY dispute_id, held_at, id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var se Session
		if err := rows.Scan(&id, &se.ID, &se.HeldAt, &se.Method, &se.Mediator, &se.Outcome, &se.Note); err != nil {
			return nil, err
		}
		out[id] = append(out[id], se)
	}
	return out, rows.Err()
}

// PartiesLine is 涉及人员及人数 as the ledger writes it: 村民与施工方（12人）.
func PartiesLine(parties string, count int) string {
	if parties == "" {
		return strconv.Itoa(count) + "人"
	}
	return parties + "（" + strconv.Itoa(count) + "人）"
}

// exportRow is one dispute in the columns of exportColumns.
func exportRow(n int, d *Dispute, sessions []Session, dateStyle int) []any {
	var methods []string
	seen := map[string]bool{}
	for _, se := range sessions {
		if !seen[se.Method] {
			seen[se.Method] = true
			methods = append(methods, MethodZH[se.Method])
		}
	}
	outcome := d.Outcome
	if outcome == "" && d.TransferReason != "" {
		outcome = StatusZH[d.Status] + "：" + d.TransferReason
	}
	if outcome == "" && len(sessions) > 0 {
		last := sessions[len(sessions)-1]
		outcome = OutcomeZH[last.Outcome]
		if last.Note != "" {
			outcome += "：" + last.Note
		}
	}
	var amount any
	if d.amountCents > 0 {
		amount = float64(d.amountCents) / 100
	}
	return []any{
		n,
		excelize.Cell{StyleID: dateStyle, Value: dayValue(calendar.DateOf(d.OccurredAt))},
		PartiesLine(d.Parties, d.PartyCount),
		d.Place,
		d.TypeName,
		d.TerritoryName,
		d.ResponsibleUnit,
		d.ResponsiblePerson,
		strings.Join(methods, "、"),
		UrgencyZH[d.Urgency],
		d.RiskName,
		StatusZH[d.Status],
		leadCell(d.Lead),
		d.Resolver,
		d.SupervisingName,
		outcome,
		nil, // 反馈附件: attachments come later
		d.Number,
		d.Summary,
		amount,
		dateCell(dateStyle, d.Deadline),
	}
}

func leadCell(l Lead) string {
	switch {
	case l.Name == "":
		return ""
	case l.Title == "":
		return l.Name
	}
	return l.Name + "（" + l.Title + "）"
}

// dayValue is a date as Excel stores it (midnight, no zone).
func dayValue(d calendar.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

func dateCell(style int, s string) any {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: dayValue(d)}
}

// exportName is the download's file name.
func exportName(now time.Time) string {
	return "矛盾纠纷台账-" + now.In(calendar.Location).Format("20060102-1504") + ".xlsx"
}
