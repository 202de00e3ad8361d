package hazard

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
)

// QuarterlySheet is the statistics table's sheet.
const QuarterlySheet = "隐患排查治理情况统计表"

// QuarterlyHeaderRows is the number of rows above the first enterprise:
// the title, the unit, the period line and the two header rows.
const QuarterlyHeaderRows = 5

// quarterlyCol is one column of the table: its group header (merged over
// the columns of the group), its own header and its width.
type quarterlyCol struct {
	group, header string
	width         float64
}

// QuarterlyColumns are the table's columns in order. A column without a
// group has its header over both header rows.
var quarterlyColumns = []quarterlyCol{
	{"", "序号", 6},
	{"", "单位名称", 28},
	{"", "属地", 12},
	{"一般隐患", "排查数（项）", 9},
	{"一般隐患", "已整改销号（项）", 10},
	{"一般隐患", "整改率", 9},
	{"重大隐患", "排查数（项）", 9},
	{"重大隐患", "已整改销号（项）", 10},
	{"重大隐患", "整改率", 9},
	{"合计", "排查数（项）", 9},
	{"合计", "已整改销号（项）", 10},
	{"合计", "整改率", 9},
	{"", "本期整改销号（含往期发现）", 12},
	{"期末未销号", "整改中（项）", 9},
	{"期末未销号", "其中逾期（项）", 9},
	{"重大隐患治理", "未销号（项）", 9},
	{"重大隐患治理", "挂牌督办（项）", 9},
	{"重大隐患治理", "治理方案落实（项）", 10},
	{"", "整改资金（元）", 14},
}

// QuarterlyHeaders are the columns' own headers (the second header row,
// or the only one), for tests and readers.
func QuarterlyHeaders() []string {
	out := make([]string, len(quarterlyColumns))
	for i, c := range quarterlyColumns {
		out[i] = c.header
	}
	return out
}

// quarterlyName is the download's file name.
func quarterlyName(q *Quarterly) string {
	return "隐患排查治理情况统计表-" + q.Name + "-" + q.Period.Code + ".xlsx"
}

// quarterlyTitle is the table's title: marked 未结束 while the period runs.
func quarterlyTitle(q *Quarterly) string {
	label := q.Period.Label("zh")
	if !q.Ended {
		label += "，未结束"
	}
	what := "企业隐患排查治理情况统计表"
	if q.Scope == "org" {
		what = "企业隐患排查治理情况汇总表"
	}
	return what + "（" + label + "）"
}

// ExportQuarterly writes the table of req as an Excel workbook into w and
// records the download in the audit trail.
func (s *Service) ExportQuarterly(ctx context.Context, a *auth.Actor, q *Quarterly, w io.Writer) error {
	now := s.Clock.Now()
	if err := WriteQuarterly(q, now, w); err != nil {
		return err
	}
	e := a.Entry(now, "hazard.quarterly_export", q.Scope, itoa(q.EnterpriseID+q.OrgID), a.OrgID)
	e.Detail = fmt.Sprintf("%s %s: %d rows", q.Period.Code, q.Name, len(q.Rows))
	return audit.AppendAlone(ctx, s.DB, e)
}

// WriteQuarterly lays q out as the statistics table: the title (with the
// period, and 未结束 while it runs), the unit, the period with the due
// date, two header rows, a row per enterprise (and a total row for an
// org), the notes and the signature line (主要负责人签字). Written through
// the stream writer: an org's table may have thousands of rows.
func WriteQuarterly(q *Quarterly, now time.Time, w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", QuarterlySheet); err != nil {
		return err
	}
	border := []excelize.Border{{Type: "left", Color: "B8C4D0", Style: 1}, {Type: "right", Color: "B8C4D0", Style: 1},
		{Type: "top", Color: "B8C4D0", Style: 1}, {Type: "bottom", Color: "B8C4D0", Style: 1}}
	style := func(st *excelize.Style) int {
		id, err := x.NewStyle(st)
		if err != nil {
			panic(err) // the styles are constants
		}
		return id
	}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	var (
		title = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
		info  = style(&excelize.Style{Font: &excelize.Font{Size: 11}, Alignment: &excelize.Alignment{Vertical: "center"}})
		head  = style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F7"}},
			Alignment: center, Border: border})
		text    = style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}, Border: border})
		num     = style(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}, Border: border})
		pct     = style(&excelize.Style{CustomNumFmt: ptr("0.0%"), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}, Border: border})
		money   = style(&excelize.Style{CustomNumFmt: ptr("#,##0.00"), Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}, Border: border})
		bold    = excelize.Font{Bold: true}
		totText = style(&excelize.Style{Font: &bold, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F5F6F8"}}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}, Border: border})
		totNum  = style(&excelize.Style{Font: &bold, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F5F6F8"}}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}, Border: border})
		totPct  = style(&excelize.Style{Font: &bold, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F5F6F8"}}, CustomNumFmt: ptr("0.0%"), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}, Border: border})
		totMon  = style(&excelize.Style{Font: &bold, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F5F6F8"}}, CustomNumFmt: ptr("#,##0.00"), Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}, Border: border})
		note    = style(&excelize.Style{Font: &excelize.Font{Size: 9, Color: "66727F"}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
		sign    = style(&excelize.Style{Font: &excelize.Font{Size: 12}, Alignment: &excelize.Alignment{Vertical: "bottom"}})
	)
	// Printed landscape on A4, one page across (the stream writer keeps
	// what is set before it starts).
	landscape, a4, wide, tall, yes := "landscape", 9, 1, 0, true
	if err := x.SetSheetProps(QuarterlySheet, &excelize.SheetPropsOptions{FitToPage: &yes}); err != nil {
		return err
	}
	if err := x.SetPageLayout(QuarterlySheet, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(QuarterlySheet)
	if err != nil {
		return err
	}
	n := len(quarterlyColumns)
	for i, c := range quarterlyColumns {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: QuarterlyHeaderRows, TopLeftCell: fmt.Sprintf("A%d", QuarterlyHeaderRows+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	last := func(row int) string { c, _ := excelize.CoordinatesToCellName(n, row); return c }
	merge := func(a, b string) error { return sw.MergeCell(a, b) }
	for row := 1; row <= 3; row++ {
		if err := merge(fmt.Sprintf("A%d", row), last(row)); err != nil {
			return err
		}
	}
	_, _, due := q.Period.Dates()
	unit := "填报单位：" + q.Name
	if q.Scope == "enterprise" && len(q.Rows) == 1 {
		if r := q.Rows[0]; r.USCC != "" {
			unit += "（统一社会信用代码 " + r.USCC + "）"
		}
		unit += "　　属地：" + q.Rows[0].TerritoryName
	} else {
		unit = fmt.Sprintf("汇总范围：%s（含下级）所属企业 %d 家", q.Name, len(q.Rows))
	}
	period := fmt.Sprintf("统计期间：%s 至 %s　　报送期限：%d年%d月%d日前", q.Period.From, q.Period.To, due.Year, int(due.Month), due.Day)
	if q.Ended {
		period += "　　数据截至期末"
	} else {
		period += "　　统计期未结束，数据截至 " + q.AsOf
	}
	period += "　　生成时间：" + now.In(calendar.Location).Format("2006-01-02 15:04")
	for i, line := range []struct {
		v      string
		style  int
		height float64
	}{{quarterlyTitle(q), title, 30}, {unit, info, 20}, {period, info, 20}} {
		if err := sw.SetRow(fmt.Sprintf("A%d", i+1), []any{excelize.Cell{StyleID: line.style, Value: line.v}}, excelize.RowOpts{Height: line.height}); err != nil {
			return err
		}
	}
	// Two header rows: groups above, the columns' own headers below; a
	// column without a group spans both.
	top, bottom := make([]any, n), make([]any, n)
	for i, c := range quarterlyColumns {
		top[i], bottom[i] = excelize.Cell{StyleID: head}, excelize.Cell{StyleID: head, Value: c.header}
		cellTop, _ := excelize.CoordinatesToCellName(i+1, 4)
		cellBottom, _ := excelize.CoordinatesToCellName(i+1, 5)
		switch {
		case c.group == "":
			top[i] = excelize.Cell{StyleID: head, Value: c.header}
			bottom[i] = excelize.Cell{StyleID: head}
			if err := merge(cellTop, cellBottom); err != nil {
				return err
			}
		case i == 0 || quarterlyColumns[i-1].group != c.group:
			top[i] = excelize.Cell{StyleID: head, Value: c.group}
			j := i
			for j+1 < n && quarterlyColumns[j+1].group == c.group {
				j++
			}
			end, _ := excelize.CoordinatesToCellName(j+1, 4)
			if err := merge(cellTop, end); err != nil {
				return err
			}
		}
	}
	if err := sw.SetRow("A4", top, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	if err := sw.SetRow("A5", bottom, excelize.RowOpts{Height: 36}); err != nil {
		return err
	}
	rateCell := func(style int, r *float64) excelize.Cell {
		if r == nil {
			return excelize.Cell{StyleID: style, Value: "—"}
		}
		return excelize.Cell{StyleID: style, Value: *r}
	}
	figures := func(f QuarterlyFigures, num, pct, money int) []any {
		return []any{
			excelize.Cell{StyleID: num, Value: f.GeneralFound}, excelize.Cell{StyleID: num, Value: f.GeneralClosed}, rateCell(pct, f.GeneralRate),
			excelize.Cell{StyleID: num, Value: f.MajorFound}, excelize.Cell{StyleID: num, Value: f.MajorClosed}, rateCell(pct, f.MajorRate),
			excelize.Cell{StyleID: num, Value: f.Found}, excelize.Cell{StyleID: num, Value: f.Closed}, rateCell(pct, f.ClosureRate),
			excelize.Cell{StyleID: num, Value: f.ClosedInPeriod},
			excelize.Cell{StyleID: num, Value: f.OpenAtEnd}, excelize.Cell{StyleID: num, Value: f.OverdueAtEnd},
			excelize.Cell{StyleID: num, Value: f.MajorOpenAtEnd}, excelize.Cell{StyleID: num, Value: f.MajorListed}, excelize.Cell{StyleID: num, Value: f.MajorPlanned},
			excelize.Cell{StyleID: money, Value: f.FundsYuan},
		}
	}
	row := QuarterlyHeaderRows
	for i, r := range q.Rows {
		row++
		vals := append([]any{excelize.Cell{StyleID: num, Value: i + 1}, excelize.Cell{StyleID: text, Value: r.Name}, excelize.Cell{StyleID: text, Value: r.TerritoryName}},
			figures(r.QuarterlyFigures, num, pct, money)...)
		if err := sw.SetRow(fmt.Sprintf("A%d", row), vals, excelize.RowOpts{Height: 20}); err != nil {
			return err
		}
	}
	if q.Scope == "org" {
		row++
		if err := merge(fmt.Sprintf("A%d", row), fmt.Sprintf("C%d", row)); err != nil {
			return err
		}
		vals := append([]any{excelize.Cell{StyleID: totText, Value: "合计"}, excelize.Cell{StyleID: totText}, excelize.Cell{StyleID: totText}},
			figures(q.Total, totNum, totPct, totMon)...)
		if err := sw.SetRow(fmt.Sprintf("A%d", row), vals, excelize.RowOpts{Height: 22}); err != nil {
			return err
		}
	}
	// Notes, then the signature line.
	row += 2
	notes := []string{
		"说明：1. 排查数为统计期内发现的隐患（已撤销的不计）；已整改销号、整改率按统计期末（统计期未结束的，按生成当日）的状态计算。",
		"2. 期末未销号为截至期末尚未验收销号的全部隐患（含往期发现），其中逾期为已过整改期限仍未整改完成的；整改期限以现行期限（含批准的延期）为准。",
		"3. 挂牌督办为统计期内处于挂牌督办的重大隐患；治理方案落实为未销号重大隐患中目标任务、方法措施、经费物资、机构人员、时限要求、安全措施和应急预案六项齐全的。",
		fmt.Sprintf("4. 本表每季度结束后 15 日内、每年 1 月 31 日前报送属地乡镇（街道）和行业监管部门，由主要负责人签字。本期报送期限：%d年%d月%d日。", due.Year, int(due.Month), due.Day),
	}
	for _, t := range notes {
		if err := merge(fmt.Sprintf("A%d", row), last(row)); err != nil {
			return err
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", row), []any{excelize.Cell{StyleID: note, Value: t}}, excelize.RowOpts{Height: 26}); err != nil {
			return err
		}
		row++
	}
	row++
	line := "主要负责人（签字）：＿＿＿＿＿＿＿＿＿＿＿＿　　　填表人：＿＿＿＿＿＿＿＿　　　联系电话：＿＿＿＿＿＿＿＿＿＿　　　填报日期：　　　　年　　月　　日"
	if q.Scope == "enterprise" && len(q.Rows) == 1 && strings.TrimSpace(q.Rows[0].Principal) != "" {
		line = "主要负责人（签字）：＿＿＿＿＿＿＿＿＿＿＿＿（" + q.Rows[0].Principal + "）　　　填表人：＿＿＿＿＿＿＿＿　　　联系电话：＿＿＿＿＿＿＿＿＿＿　　　填报日期：　　　　年　　月　　日"
	}
	if q.Scope == "org" {
		line = "填表人：＿＿＿＿＿＿＿＿　　　审核人：＿＿＿＿＿＿＿＿　　　填报单位（盖章）：＿＿＿＿＿＿＿＿＿＿＿＿　　　填报日期：　　　　年　　月　　日"
	}
	if err := merge(fmt.Sprintf("A%d", row), last(row)); err != nil {
		return err
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", row), []any{excelize.Cell{StyleID: sign, Value: line}}, excelize.RowOpts{Height: 36}); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return x.Write(w)
}
