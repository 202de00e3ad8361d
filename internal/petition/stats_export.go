package petition

import (
	"context"
	"io"
	"math"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// statsColumns are the statistics table's columns (the page's, in full).
var statsColumns = []sheet.Column{
	{Field: "org", Header: "单位", Width: 22},
	{Field: "registered", Header: "登记/转交办", Width: 11},
	{Field: "repeats", Header: "重复信访", Width: 9},
	{Field: "accepted", Header: "受理", Width: 8},
	{Field: "declined", Header: "不予受理", Width: 9},
	{Field: "decide_on_time_rate", Header: "按期受理率(%)", Width: 12},
	{Field: "replied", Header: "答复", Width: 8},
	{Field: "reply_on_time_rate", Header: "按期办结率(%)", Width: 12},
	{Field: "extended", Header: "延期", Width: 7},
	{Field: "rated", Header: "参评", Width: 7},
	{Field: "satisfied", Header: "满意及基本满意", Width: 12},
	{Field: "satisfaction_rate", Header: "满意率(%)", Width: 10},
	{Field: "rating_rate", Header: "参评率(%)", Width: 10},
	{Field: "reviews", Header: "复查/复核", Width: 10},
	{Field: "open", Header: "在办", Width: 8},
	{Field: "overdue_now", Header: "逾期", Width: 8},
	{Field: "due_soon", Header: "临期", Width: 8},
}

// StatsHeaders are the workbook's column headers, in order.
func StatsHeaders() []string {
	out := make([]string, len(statsColumns))
	for i, c := range statsColumns {
		out[i] = c.Header
	}
	return out
}

// ExportStats writes the statistics table of f as an Excel workbook: a row
// per child org, then the total (合计).
func (s *Service) ExportStats(ctx context.Context, a *auth.Actor, f StatsFilter, w io.Writer) error {
	st, err := s.Stats(ctx, a, f)
	if err != nil {
		return err
	}
	x, err := sheet.NewLedger("信访事项统计", "信访事项统计 · "+st.OrgName+" · "+st.From+" 至 "+st.To, s.Clock.Now(), statsColumns)
	if err != nil {
		return err
	}
	defer x.Close()
	for _, r := range st.Rows {
		name := r.Name
		if r.Own {
			name += "（本级）"
		}
		if err := x.Row(statsRow(name, r.Counts)); err != nil {
			return err
		}
	}
	if err := x.Row(statsRow("合计", st.Total)); err != nil {
		return err
	}
	return x.Write(w)
}

func statsRow(name string, c Counts) []any {
	pct := func(r *float64) any {
		if r == nil {
			return nil
		}
		return math.Round(*r*1000) / 10
	}
	return []any{name, c.Registered, c.Repeats, c.Accepted, c.Declined, pct(c.DecideOnTimeRate), c.Replied, pct(c.ReplyOnTimeRate), c.Extended,
		c.Rated, c.Satisfied, pct(c.SatisfactionRate), pct(c.RatingRate), c.Reviews, c.Open, c.OverdueNow, c.DueSoon}
}
