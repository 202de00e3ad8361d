package hazard

import (
	"context"
	"database/sql"
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

// SheetName is the ledger's sheet.
const SheetName = "隐患台账"

// Columns are the ledger's columns in the order offices use
// (reference/ledger-columns.md), then Anwen's own: the header the export
// writes and its width, and the headers (with close variants) the import
// recognises. The import cannot do without the Required ones; Date columns
// are read as dates.
var Columns = []sheet.Column{
	{Field: "seq", Header: "序号", Width: 6, Aliases: []string{"序号", "序", "no", "序列号"}},
	{Field: "location", Header: "检查地点", Width: 18, Aliases: []string{"检查地点", "地点", "隐患地点", "隐患部位", "检查部位", "部位", "位置", "隐患位置", "具体位置"}},
	{Field: "description", Header: "存在问题及隐患", Width: 40, Required: true, Aliases: []string{"存在问题及隐患", "存在问题和隐患", "存在问题", "存在的问题", "隐患描述", "隐患内容", "问题描述", "隐患情况", "隐患名称", "隐患"}},
	{Field: "grade", Header: "隐患等级", Width: 10, Aliases: []string{"隐患等级", "隐患级别", "等级", "级别"}},
	{Field: "category", Header: "隐患类型", Width: 10, Aliases: []string{"隐患类型", "隐患类别", "隐患分类", "类型", "类别"}},
	{Field: "source", Header: "隐患来源", Width: 10, Aliases: []string{"隐患来源", "来源", "发现途径", "发现方式"}},
	{Field: "found", Header: "排查时间", Width: 12, Required: true, Date: true, Aliases: []string{"排查时间", "排查日期", "检查时间", "检查日期", "发现时间", "发现日期"}},
	{Field: "finder", Header: "排查人员", Width: 10, Aliases: []string{"排查人员", "排查人", "检查人员", "检查人", "发现人"}},
	{Field: "mode", Header: "整改方式", Width: 10, Aliases: []string{"整改方式", "整改类型"}},
	{Field: "measures", Header: "整改措施", Width: 30, Aliases: []string{"整改措施", "整改要求", "措施", "整改意见"}},
	{Field: "deadline", Header: "整改时间（期限）", Width: 12, Required: true, Date: true, Aliases: []string{"整改时间期限", "整改时间", "整改期限", "整改时限", "完成时限", "整改完成时限", "整改完成期限", "限期", "期限"}},
	{Field: "funds", Header: "整改资金（元）", Width: 10, Aliases: []string{"整改资金", "资金", "整改费用", "投入资金"}},
	{Field: "unit", Header: "整改单位", Width: 18, Aliases: []string{"整改单位", "整改责任单位", "责任单位"}},
	{Field: "person", Header: "整改责任人", Width: 10, Aliases: []string{"整改责任人", "责任人", "整改负责人", "负责人"}},
	{Field: "status", Header: "完成情况", Width: 10, Aliases: []string{"完成情况", "整改情况", "整改完成情况", "整改状态", "状态", "整改进度"}},
	{Field: "acceptor", Header: "验收人", Width: 10, Aliases: []string{"验收人", "验收人员"}},
	{Field: "supervising", Header: "督办单位", Width: 16, Aliases: []string{"督办单位", "督办部门"}},
	{Field: "supervisor", Header: "督办人员", Width: 10, Aliases: []string{"督办人员", "督办人"}},
	{Field: "closed", Header: "销号日期", Width: 12, Date: true, Aliases: []string{"销号日期", "销号时间", "验收日期", "验收时间"}},
	{Field: "photos_before", Header: "整改前照片", Width: 10, Aliases: []string{"整改前照片", "整改前", "整改前图片"}},
	{Field: "photos_after", Header: "整改后照片", Width: 10, Aliases: []string{"整改后照片", "整改后", "整改后图片"}},
	{Field: "number", Header: "隐患编号", Width: 16, Aliases: []string{"隐患编号", "编号"}},
	{Field: "enterprise", Header: "企业/场所", Width: 20, Aliases: []string{"企业场所", "企业/场所", "企业名称", "企业", "场所", "单位名称", "被检查单位", "生产经营单位"}},
	{Field: "territory", Header: "属地", Width: 12, Aliases: []string{"属地", "所属乡镇", "乡镇街道", "所属区域", "属地单位", "所属单位"}},
	{Field: "standard", Header: "判定依据", Width: 30, Aliases: []string{"判定依据", "重大隐患判定依据", "判定标准"}},
	{Field: "industry", Header: "行业", Width: 10, Aliases: []string{"行业", "所属行业"}},
}

// ledgerStatus is the 完成情况 of each state.
var ledgerStatus = map[string]string{Registered: "未整改", Rectifying: "整改中", AwaitingAcceptance: "待验收", Closed: "已验收", Cancelled: "已撤销"}

const exportCols = `h.id, h.number, h.location, h.description, h.grade, COALESCE(c.name, h.category), h.source, h.found_at, h.finder_name,
	h.rectify_mode, h.measures, h.deadline, h.funds_cents, h.responsible_unit, h.responsible_person, h.status, h.closed_by_name,
	so.name, h.listed_org_id, lo.name, lu.name, h.closed_day, h.enterprise_name, t.name, h.standard_id, h.industry,
	(SELECT count(*) FROM attachments a WHERE a.owner_type = 'hazard' AND a.owner_id = h.id),
	(SELECT count(*) FROM attachments a JOIN hazard_steps st ON a.owner_type = 'hazard_step' AND a.owner_id = st.id
		WHERE st.hazard_id = h.id AND st.action IN ('submit_evidence', 'fix_on_spot'))`

const exportFrom = ` FROM hazards h JOIN orgs t ON t.id = h.territory_org_id JOIN orgs so ON so.id = h.supervising_org_id
	LEFT JOIN orgs lo ON lo.id = h.listed_org_id LEFT JOIN users lu ON lu.id = h.listed_by LEFT JOIN hazard_categories c ON c.code = h.category`

// Export streams the ledger matching f as an Excel workbook into w: a
// title row, the header, one row per hazard in the sort of f, written
// through excelize's stream writer so that memory stays flat however many
// rows there are (at most MaxExportRows). One audit record names the count.
func (s *Service) Export(ctx context.Context, a *auth.Actor, f Filter, w io.Writer) (int, error) {
	q, err := s.build(ctx, a, &f)
	if err != nil {
		return 0, err
	}
	standards := map[int64]string{}
	if all, err := Standards(ctx, s.DB, true); err == nil {
		for _, st := range all {
			standards[st.ID] = st.Label()
		}
	}
	_, _, order := sortSQL(f.Sort, false)
	where, args := q.where(false)
	rows, err := s.DB.Query(ctx, "SELECT "+exportCols+exportFrom+where+order+" LIMIT "+strconv.Itoa(MaxExportRows), args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	now := s.Clock.Now()
	x, err := sheet.NewLedger(SheetName, "隐患排查治理台账", now, Columns)
	if err != nil {
		return 0, err
	}
	defer x.Close()
	n := 0
	vals := make([]any, len(Columns))
	for rows.Next() {
		var id, fundsCents int64
		var number, location, desc, grade, cat, source, finder, mode, measures, deadline, unit, person, status, acceptor, supName, industry string
		var entName, terrName string
		var found time.Time
		var listedOrg, standard sql.NullInt64
		var listedName, listedBy, closedDay sql.NullString
		var before, after int
		if err := rows.Scan(&id, &number, &location, &desc, &grade, &cat, &source, &found, &finder, &mode, &measures, &deadline, &fundsCents,
			&unit, &person, &status, &acceptor, &supName, &listedOrg, &listedName, &listedBy, &closedDay, &entName, &terrName, &standard, &industry,
			&before, &after); err != nil {
			return n, err
		}
		n++
		supervising, supervisor := supName, ""
		if listedOrg.Valid {
			supervising, supervisor = listedName.String, listedBy.String
		}
		vals[0] = n
		vals[1], vals[2] = location, desc
		vals[3], vals[4], vals[5] = GradeZH[grade], cat, SourceZH[source]
		vals[6] = x.Day(calendar.DateOf(found))
		vals[7], vals[8], vals[9] = finder, ModeZH[mode], measures
		vals[10] = x.DayText(deadline)
		vals[11] = float64(fundsCents) / 100
		if fundsCents == 0 {
			vals[11] = nil
		}
		vals[12], vals[13], vals[14], vals[15] = unit, person, ledgerStatus[status], acceptor
		vals[16], vals[17] = supervising, supervisor
		vals[18] = x.DayText(closedDay.String)
		vals[19], vals[20] = photoCount(before), photoCount(after)
		vals[21], vals[22], vals[23] = number, entName, terrName
		vals[24] = ""
		if standard.Valid {
			vals[24] = standards[standard.Int64]
		}
		vals[25] = industry
		if err := x.Row(vals); err != nil {
			return n, err
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if a != nil {
		e := a.Entry(now, "hazard.export", "hazard", "", a.OrgID)
		e.Detail = fmt.Sprintf("%d rows; filter %s", n, f.Query().Encode())
		if err := audit.AppendAlone(ctx, s.DB, e); err != nil {
			return n, err
		}
	}
	return n, x.Write(w)
}

func ptr[T any](v T) *T { return &v }

func photoCount(n int) any {
	if n == 0 {
		return nil
	}
	return strconv.Itoa(n) + " 张"
}

// exportName is the download's file name.
func exportName(now time.Time) string {
	return "隐患台账-" + strings.ReplaceAll(now.In(calendar.Location).Format("20060102-1504"), " ", "") + ".xlsx"
}
