package dispute

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
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// XLSXType is the media type of an Excel workbook.
const XLSXType = sheet.XLSXType

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
	now := s.Clock.Now()
	x, err := sheet.NewLedger(SheetName, "矛盾纠纷排查化解台账", now, exportColumns)
	if err != nil {
		return 0, err
	}
	defer x.Close()
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
			if err := x.Row(exportRow(x, n, d, sessions[d.ID])); err != nil {
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
func exportRow(x *sheet.Ledger, n int, d *Dispute, sessions []Session) []any {
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
		x.Day(calendar.DateOf(d.OccurredAt)),
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
		x.DayText(d.Deadline),
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

// exportName is the download's file name.
func exportName(now time.Time) string {
	return "矛盾纠纷台账-" + now.In(calendar.Location).Format("20060102-1504") + ".xlsx"
}
