package dailyreport

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Chinese labels for the workbooks (the desks read them; the pages translate).
var (
	statusZH   = map[string]string{OnTime: "按时", Late: "迟报", Missing: "未报", Pending: "待报", NotRequired: "无需报告"}
	severityZH = map[string]string{"normal": "一般", "serious": "较重", "urgent": "紧急"}
	halfZH     = map[string]string{"safety": "安全生产", "stability": "信访稳定"}
	tierZH     = map[string]string{TierTownship: "乡镇（街道）", TierVillage: "村（社区）"}
)

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func shanghai(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(calendar.Location).Format("2006-01-02 15:04")
}

// sheet is a worksheet with a bold, frozen header row.
type sheet struct {
	f    *excelize.File
	name string
	next int
}

func newSheet(f *excelize.File, name string, first bool, header []string, widths []float64) (*sheet, error) {
	if first {
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := f.NewSheet(name); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F7"}}})
	if err != nil {
		return nil, err
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(name, col, col, w); err != nil {
			return nil, err
		}
	}
	if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	s := &sheet{f: f, name: name, next: 1}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = h
	}
	if err := s.row(cells...); err != nil {
		return nil, err
	}
	last, _ := excelize.CoordinatesToCellName(len(header), 1)
	return s, f.SetCellStyle(name, "A1", last, bold)
}

// row writes one row; strings are stored as text, never as formulas.
func (s *sheet) row(cells ...any) error {
	cell, err := excelize.CoordinatesToCellName(1, s.next)
	if err != nil {
		return err
	}
	s.next++
	return s.f.SetSheetRow(s.name, cell, &cells)
}

// BoardWorkbook lays a board out in two sheets: 单位 (units) and 事项 (items).
func BoardWorkbook(b *Board) (*excelize.File, error) {
	f := excelize.NewFile()
	units, err := newSheet(f, "单位", true, []string{"单位", "层级", "状态", "截止时间", "报送时间", "迟报分钟", "版本数", "无事报平安"},
		[]float64{22, 12, 10, 18, 18, 10, 8, 12})
	if err != nil {
		f.Close()
		return nil, err
	}
	for _, u := range b.Units {
		nothing := ""
		if u.SubmittedAt != nil {
			nothing = yesNo(u.Nothing)
		}
		dl := u.Deadline
		if err := units.row(u.Name, tierZH[u.Tier], statusZH[u.Status], shanghai(&dl), shanghai(u.SubmittedAt), u.MinutesLate, u.Versions, nothing); err != nil {
			f.Close()
			return nil, err
		}
	}
	items, err := newSheet(f, "事项", false, []string{"单位", "部分", "类别", "摘要", "地点", "时间", "严重程度", "需后续跟进", "签收时间", "后续任务"},
		[]float64{18, 10, 12, 50, 18, 14, 10, 10, 18, 10})
	if err != nil {
		f.Close()
		return nil, err
	}
	for _, it := range b.Items {
		link := ""
		if it.LinkKind != "" {
			link = it.LinkKind + " #" + it.LinkRef
		}
		if err := items.row(it.OrgName, halfZH[it.Half], it.Category, it.Summary, it.Place, it.OccurredAt, severityZH[it.Severity], yesNo(it.FollowUp), shanghai(it.AcknowledgedAt), link); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

func rateCell(r *float64) any {
	if r == nil {
		return ""
	}
	return *r
}

// StatsWorkbook lays the statistics out in one sheet, 统计, with the total last.
func StatsWorkbook(st *Stats) (*excelize.File, error) {
	f := excelize.NewFile()
	sh, err := newSheet(f, "统计", true, []string{"单位", "应报天数", "按时", "迟报", "未报", "按时率"}, []float64{24, 10, 8, 8, 8, 10})
	if err != nil {
		f.Close()
		return nil, err
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		f.Close()
		return nil, err
	}
	lines := append([]UnitStats(nil), st.Units...)
	lines = append(lines, UnitStats{Name: "合计", StatCounts: st.Total})
	for _, u := range lines {
		if err := sh.row(u.Name, u.RequiredDays, u.OnTime, u.Late, u.Missing, rateCell(u.OnTimeRate)); err != nil {
			f.Close()
			return nil, err
		}
	}
	last, _ := excelize.CoordinatesToCellName(6, sh.next-1)
	if err := f.SetCellStyle(sh.name, "F2", last, pct); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// sendWorkbook answers with the workbook as a download named name.
func (h *handlers) sendWorkbook(w http.ResponseWriter, f *excelize.File, name string) error {
	defer f.Close()
	buf, err := f.WriteToBuffer()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	if _, err := buf.WriteTo(w); err != nil {
		h.srv.Log.Warn("send daily report export", "err", err)
	}
	return nil
}

func (h *handlers) recordExport(r *http.Request, a *auth.Actor, what string, orgID int64) error {
	return audit.AppendAlone(r.Context(), h.svc.DB, a.Entry(h.svc.Clock.Now(), "dailyreport.export", "daily_report", what, orgID))
}

func compact(d calendar.Date) string { return strings.ReplaceAll(d.String(), "-", "") }

func (h *handlers) apiBoardXLSX(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	d, err := h.dateParam(r)
	if err != nil {
		return err
	}
	orgID, err := orgParam(r)
	if err != nil {
		return err
	}
	b, err := h.svc.Board(r.Context(), a, d, orgID)
	if err != nil {
		return err
	}
	f, err := BoardWorkbook(b)
	if err != nil {
		return err
	}
	if err := h.recordExport(r, a, "board/"+d.String(), b.OrgID); err != nil {
		f.Close()
		return err
	}
	return h.sendWorkbook(w, f, fmt.Sprintf("daily-report-board-%d-%s.xlsx", b.OrgID, compact(d)))
}

func (h *handlers) apiStatsXLSX(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	orgID, err := orgParam(r)
	if err != nil {
		return err
	}
	from, to, err := h.periodParams(r)
	if err != nil {
		return err
	}
	st, err := h.svc.Stats(r.Context(), a, orgID, from, to)
	if err != nil {
		return err
	}
	f, err := StatsWorkbook(st)
	if err != nil {
		return err
	}
	if err := h.recordExport(r, a, "stats/"+from.String()+"/"+to.String(), st.OrgID); err != nil {
		f.Close()
		return err
	}
	return h.sendWorkbook(w, f, fmt.Sprintf("daily-report-stats-%d-%s-%s.xlsx", st.OrgID, compact(from), compact(to)))
}
