package dispute

import (
	"math"
	"strconv"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// The ledger workbook: its columns in the order offices use
// (reference/ledger-columns.md, Disputes), then Anwen's own. The export
// writes them in this order; the import recognises each header and its
// close variants (internal/sheet reads the file).
var Columns = []sheet.Column{
	{Field: "seq", Header: "序号", Width: 6, Aliases: []string{"序", "no"}},
	{Field: "occurred", Header: "发生/受理时间", Width: 12, Required: true, Date: true,
		Aliases: []string{"发生受理时间", "发生时间", "受理时间", "排查时间", "登记时间", "发现时间", "发生日期", "受理日期", "时间", "日期"}},
	{Field: "parties", Header: "涉及人员及人数", Width: 22, Aliases: []string{"涉及人员", "当事人及人数", "当事人", "涉及对象", "纠纷当事人", "双方当事人"}},
	{Field: "place", Header: "地点", Width: 16, Aliases: []string{"发生地点", "纠纷地点", "所在地", "地址"}},
	{Field: "type", Header: "类型", Width: 10, Required: true, Aliases: []string{"纠纷类型", "矛盾纠纷类型", "矛盾类型", "纠纷类别", "类别"}},
	{Field: "territory", Header: "管辖单位", Width: 12, Aliases: []string{"属地", "所属乡镇", "乡镇街道", "属地单位", "所属单位", "排查单位"}},
	{Field: "unit", Header: "责任单位", Width: 16, Aliases: []string{"化解责任单位", "主办单位", "承办单位"}},
	{Field: "person", Header: "负责人", Width: 10, Aliases: []string{"单位负责人", "责任单位负责人"}},
	{Field: "method", Header: "化解方式", Width: 12, Aliases: []string{"调处方式", "调解方式", "处理方式", "化解措施"}},
	{Field: "urgency", Header: "紧急程度", Width: 8, Aliases: []string{"缓急程度"}},
	{Field: "risk", Header: "风险等级", Width: 8, Aliases: []string{"风险级别", "稳定风险等级", "等级", "预警等级"}},
	{Field: "status", Header: "化解状态", Width: 10, Aliases: []string{"化解情况", "化解进度", "办理情况", "状态", "是否化解"}},
	{Field: "lead", Header: "包案领导（姓名、职务）", Width: 18, Aliases: []string{"包案领导", "包案领导及职务", "包保领导", "责任领导"}},
	{Field: "resolver", Header: "化解责任人", Width: 10, Aliases: []string{"责任人", "调解员", "调解人", "经办人"}},
	{Field: "supervising", Header: "督办部门", Width: 14, Aliases: []string{"督办单位"}},
	{Field: "outcome", Header: "调解结果", Width: 28, Aliases: []string{"化解结果", "处理结果", "调处结果", "调解情况"}},
	{Field: "attachments", Header: "反馈附件", Width: 10, Aliases: []string{"附件"}},
	{Field: "number", Header: "纠纷编号", Width: 16, Aliases: []string{"编号"}},
	{Field: "summary", Header: "纠纷简要情况", Width: 40, Aliases: []string{"简要情况", "矛盾纠纷简要情况", "纠纷情况", "基本情况", "主要诉求", "纠纷内容", "矛盾纠纷内容", "事由"}},
	{Field: "amount", Header: "涉及金额（元）", Width: 12, Aliases: []string{"涉及金额", "涉案金额", "金额", "标的金额", "涉及资金"}},
	{Field: "deadline", Header: "化解期限", Width: 12, Date: true, Aliases: []string{"办结时限", "化解时限", "期限", "完成时限"}},
	{Field: "count", Header: "涉及人数", Width: 8, Aliases: []string{"人数", "当事人人数"}},
}

// exportColumns are the columns the export writes: all but the separate
// count, which the export puts into 涉及人员及人数.
var exportColumns = Columns[:len(Columns)-1]

// Import limits.
const (
	MaxImportSize = sheet.MaxSize
	MaxImportRows = sheet.MaxRows
)

var readOptions = sheet.Options{MinKnown: 3, RequireHeader: true, TextDates: true, Serial: []string{"seq"}}

// readLedger opens the workbook and reads the ledger sheet: the first whose
// header names the dispute's type, else the first with a header at all.
func readLedger(data []byte) (*sheet.Sheet, error) {
	f, err := sheet.Open(data, MaxImportSize)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var first *sheet.Sheet
	for _, name := range f.GetSheetList() {
		sh, err := sheet.Read(f, name, Columns, readOptions)
		if err != nil {
			return nil, err
		}
		if !sh.Found {
			continue
		}
		if sh.Has("type") {
			first = sh
			break
		}
		if first == nil {
			first = sh
		}
	}
	if first == nil {
		return nil, apperr.Field(apperr.EINVALID, "file", "工作簿中找不到矛盾纠纷台账的表头（如“发生/受理时间”“涉及人员及人数”“类型”） / no sheet has a dispute ledger header (发生/受理时间, 涉及人员及人数, 类型)")
	}
	if !first.Has("parties") && !first.Has("count") {
		first.Problems = append(first.Problems, sheet.RowError{Sheet: first.Name, Row: first.HeaderRow, Column: "涉及人员及人数",
			Message: "缺少“涉及人员及人数”或“涉及人数”列 / the column 涉及人员及人数 (or 涉及人数) is missing"})
	}
	return first, nil
}

// parseAmount reads an amount in yuan: 1200, 1,200.50, 1.2万, 3000元.
func parseAmount(s string, wan bool) (float64, bool) {
	s = strings.TrimSpace(strings.NewReplacer(",", "", "，", "", "元", "", "¥", "", "￥", "").Replace(s))
	mult := 1.0
	if wan {
		mult = 10000
	}
	if strings.HasSuffix(s, "万") {
		s, mult = strings.TrimSuffix(s, "万"), 10000
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v * mult, true
}
