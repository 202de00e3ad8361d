package enterprise

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// help is the 说明 sheet.
var help = [][]string{
	{"企业场所台账导入说明"},
	{""},
	{"1. 在“企业场所”表中每行填写一家企业或一处场所；第一行为表头（表头上方可以有标题行），表头不要合并单元格，数据行也不要合并单元格。最多 5000 行，文件不超过 10 MiB。"},
	{"2. 导入前会检查全部行：只要有一处问题，就不会写入任何数据，并按“工作表、行号、列、问题”列出全部问题。建议先勾选“先检查，不导入”。"},
	{"3. 填有“系统编号”的行更新该条记录；没有系统编号、但统一社会信用代码已登记的行更新该企业；其余的行新增登记。导出的文件带有系统编号，修改后可直接导入。"},
	{"4. “属地名称”“行业监管部门”两列只供阅读，导入时以“属地编码”“监管部门编码”为准；编码见“代码表”。"},
	{"5. 示例行中的 DEMO-XZ 只是占位，请改为实际编码，或删除示例行。"},
	{""},
	{"列", "是否必填", "说明"},
	{"系统编号", "选填", "本系统给每条记录的编号；新登记留空。"},
	{"类型", "选填", "企业或场所，默认企业。场所（如集贸市场、车站）可以没有统一社会信用代码。"},
	{"名称", "必填", "最长 100 字。"},
	{"统一社会信用代码", "企业必填", "18 位，由数字和大写字母组成（不含 I、O、S、V、Z），最后一位是校验位，系统会核对。请把该列设为文本格式，以免 Excel 把代码当成数字。"},
	{"地址", "选填", "最长 200 字。"},
	{"属地编码", "必填", "企业所在乡镇、街道、开发区或村、社区的编码，如 SFQ-QS-01。"},
	{"行业", "必填", "危险化学品、烟花爆竹、工贸/冶金、粉尘涉爆、建筑施工、燃气、交通运输、特种设备、人员密集场所、消防重点单位、餐饮、矿山、其他。"},
	{"监管部门编码", "选填", "行业监管部门（区直部门）的编码，如 SFQ-YJJ。"},
	{"风险等级", "必填", "重大、较大、一般、低（分别显示为红、橙、黄、蓝）。"},
	{"重点企业、人员密集场所、重大危险源、已关闭", "选填", "填“是”或“否”，留空为否。关闭的企业保留在台账中，不会删除。"},
	{"主要负责人、安全管理人员", "选填", "姓名最长 50 字；电话为 11 位手机号或带区号的固定电话。"},
	{"成立日期", "选填", "须为日期格式的单元格（如 2019-03-01）；写成文字的日期（如“2019年3月1日”）会被指出，请改为日期格式。"},
}

// exampleRow is the template's example; its codes are placeholders.
var exampleRow = []string{"", "企业", "示例化工有限公司", "91350100M000100Y43", "示例镇示例路 1 号", "DEMO-XZ", "示例镇", "危险化学品", "DEMO-YJJ", "区应急管理局",
	"较大", "是", "否", "是", "张三", "13800000000", "李四", "13900000000", "", "否"}

type styles struct{ head, text, date int }

func newStyles(f *excelize.File) (styles, error) {
	var st styles
	var err error
	if st.head, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49,
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8F0FA"}},
		Border: []excelize.Border{{Type: "bottom", Color: "B8C4D0", Style: 1}}}); err != nil {
		return st, err
	}
	if st.text, err = f.NewStyle(&excelize.Style{NumFmt: 49}); err != nil { // "@": codes and phones stay text
		return st, err
	}
	dateFmt := "yyyy-mm-dd"
	st.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	return st, err
}

// writeHelp fills the 说明 sheet and the 代码表 sheet (territories the actor
// keeps, departments, industries, risk levels).
func writeHelp(f *excelize.File, st styles, territories, departments []org.Org) error {
	if _, err := f.NewSheet(SheetHelp); err != nil {
		return err
	}
	for i, line := range help {
		for j, v := range line {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(SheetHelp, cell, v); err != nil {
				return err
			}
		}
	}
	f.SetColWidth(SheetHelp, "A", "A", 26)
	f.SetColWidth(SheetHelp, "B", "B", 10)
	f.SetColWidth(SheetHelp, "C", "C", 90)
	f.SetCellStyle(SheetHelp, "A9", "C9", st.head)
	if _, err := f.NewSheet(SheetCodes); err != nil {
		return err
	}
	heads := []string{"属地编码", "属地名称", "", "监管部门编码", "监管部门", "", "行业", "", "风险等级"}
	for j, h := range heads {
		cell, _ := excelize.CoordinatesToCellName(j+1, 1)
		f.SetCellStr(SheetCodes, cell, h)
	}
	f.SetCellStyle(SheetCodes, "A1", "I1", st.head)
	for i, o := range territories {
		f.SetCellStr(SheetCodes, "A"+strconv.Itoa(i+2), o.Code)
		f.SetCellStr(SheetCodes, "B"+strconv.Itoa(i+2), strings.Repeat("　", max(o.Depth-territories[0].Depth, 0))+o.Name)
	}
	for i, o := range departments {
		f.SetCellStr(SheetCodes, "D"+strconv.Itoa(i+2), o.Code)
		f.SetCellStr(SheetCodes, "E"+strconv.Itoa(i+2), o.Name)
	}
	for i, ind := range Industries {
		f.SetCellStr(SheetCodes, "G"+strconv.Itoa(i+2), ind.Name)
	}
	for i, r := range RiskLevels {
		f.SetCellStr(SheetCodes, "I"+strconv.Itoa(i+2), strings.TrimSuffix(riskNames[r][0], "风险"))
	}
	for col, w := range map[string]float64{"A": 14, "B": 22, "C": 2, "D": 14, "E": 24, "F": 2, "G": 14, "H": 2, "I": 10} {
		f.SetColWidth(SheetCodes, col, col, w)
	}
	return nil
}

// codeLists reads what the 代码表 lists: the territorial orgs the actor
// sees enterprises in, and every department.
func (s *Service) codeLists(ctx context.Context, a *auth.Actor) (territories, departments []org.Org, err error) {
	cond, args := ScopeSQL(a, auth.EnterpriseView, "path", "0")
	rows, err := s.DB.Query(ctx, "SELECT id, name, kind, COALESCE(code, ''), depth, path FROM orgs WHERE "+cond+" ORDER BY path", args...)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var o org.Org
		if err := rows.Scan(&o.ID, &o.Name, &o.Kind, &o.Code, &o.Depth, &o.Path); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if territoryKinds[o.Kind] && o.Code != "" {
			territories = append(territories, o)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	departments, err = Departments(ctx, s.DB)
	return territories, departments, err
}

// Departments lists the departments an enterprise may be regulated by.
func Departments(ctx context.Context, q db.Querier) ([]org.Org, error) {
	rows, err := q.Query(ctx, "SELECT id, name, COALESCE(code, '') FROM orgs WHERE kind = ? ORDER BY depth, sort, name, id", org.Department)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.Org
	for rows.Next() {
		o := org.Org{Kind: org.Department}
		if err := rows.Scan(&o.ID, &o.Name, &o.Code); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func bytesOf(f *excelize.File) ([]byte, error) {
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Template returns the empty workbook: headers, one example row, drop-down
// lists for the industry, the risk level and the yes/no columns, and the
// 说明 and 代码表 sheets.
func (s *Service) Template(ctx context.Context, a *auth.Actor) ([]byte, error) {
	territories, departments, err := s.codeLists(ctx, a)
	if err != nil {
		return nil, err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetData); err != nil {
		return nil, err
	}
	st, err := newStyles(f)
	if err != nil {
		return nil, err
	}
	last, _ := excelize.ColumnNumberToName(len(columns))
	if err := f.SetColStyle(SheetData, "A:"+last, st.text); err != nil {
		return nil, err
	}
	for i, c := range columns {
		name, _ := excelize.ColumnNumberToName(i + 1)
		f.SetCellStr(SheetData, name+"1", c.Header)
		f.SetColWidth(SheetData, name, name, c.Width)
		if c.Field == colFounded {
			f.SetColStyle(SheetData, name, st.date)
		}
		if v := exampleRow[i]; v != "" {
			f.SetCellStr(SheetData, name+"2", v)
		}
		var list []string
		switch c.Field {
		case colIndustry:
			for _, ind := range Industries {
				list = append(list, ind.Name)
			}
		case colRisk:
			list = []string{"重大", "较大", "一般", "低"}
		case colKind:
			list = []string{"企业", "场所"}
		case colKey, colCrowded, colMajorHazard, colClosed:
			list = []string{"是", "否"}
		}
		if list != nil {
			dv := excelize.NewDataValidation(true)
			dv.Sqref = fmt.Sprintf("%s2:%s%d", name, name, MaxRowsPerSheet+1)
			if err := dv.SetDropList(list); err != nil {
				return nil, err
			}
			if err := f.AddDataValidation(SheetData, dv); err != nil {
				return nil, err
			}
		}
	}
	f.SetCellStyle(SheetData, "A1", last+"1", st.head)
	f.SetPanes(SheetData, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if err := writeHelp(f, st, territories, departments); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	return bytesOf(f)
}

// exportChunk is how many enterprises an export reads per query.
const exportChunk = 5000

// Export writes the enterprises of the filter that the actor may see, in
// the import format, with the stream writer (the register may hold tens of
// thousands). Phones are masked where the actor may not keep the register.
// The export is recorded in the trail.
func (s *Service) Export(ctx context.Context, a *auth.Actor, flt Filter) ([]byte, int, error) {
	if !a.Operator && !a.CanAnywhere(auth.EnterpriseView) {
		return nil, 0, s.Auth.Refuse(ctx, a, auth.EnterpriseView, "enterprise", apperr.NotFound("enterprise"))
	}
	territories, departments, err := s.codeLists(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetData); err != nil {
		return nil, 0, err
	}
	st, err := newStyles(f)
	if err != nil {
		return nil, 0, err
	}
	sw, err := f.NewStreamWriter(SheetData)
	if err != nil {
		return nil, 0, err
	}
	for i, c := range columns {
		if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return nil, 0, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, 0, err
	}
	head := make([]any, len(columns))
	for i, c := range columns {
		head[i] = excelize.Cell{StyleID: st.head, Value: c.Header}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, 0, err
	}
	codes := map[int64]string{}
	codeOf := func(id int64) (string, error) {
		if c, ok := codes[id]; ok {
			return c, nil
		}
		o, err := org.ByID(ctx, s.DB, id)
		if err != nil {
			return "", err
		}
		codes[id] = o.Code
		return o.Code, nil
	}
	yes := func(b bool) string {
		if b {
			return "是"
		}
		return "否"
	}
	n := 0
	flt.Limit = exportChunk
	for flt.Offset = 0; ; flt.Offset += exportChunk {
		page, total, err := s.list(ctx, a, flt, exportChunk)
		if err != nil {
			return nil, 0, err
		}
		for _, e := range page {
			tcode, err := codeOf(e.TerritoryOrgID)
			if err != nil {
				return nil, 0, err
			}
			rcode := ""
			if e.RegulatorOrgID != nil {
				if rcode, err = codeOf(*e.RegulatorOrgID); err != nil {
					return nil, 0, err
				}
			}
			kind := "企业"
			if e.Kind == KindPlace {
				kind = "场所"
			}
			values := []string{strconv.FormatInt(e.ID, 10), kind, e.Name, e.USCC, e.Address, tcode, e.TerritoryName, IndustryName("zh", e.Industry),
				rcode, e.RegulatorName, strings.TrimSuffix(riskNames[e.RiskLevel][0], "风险"), yes(e.KeyEnterprise), yes(e.CrowdedPlace),
				yes(e.MajorHazardSource), e.PrincipalName, e.PrincipalPhone, e.SafetyOfficerName, e.SafetyOfficerPhone, "", yes(e.Closed)}
			row := make([]any, len(values))
			for i, v := range values {
				row[i] = excelize.Cell{StyleID: st.text, Value: v}
			}
			if e.FoundedOn != "" {
				if d, err := time.Parse("2006-01-02", e.FoundedOn); err == nil {
					row[18] = excelize.Cell{StyleID: st.date, Value: d}
				}
			}
			n++
			cell, _ := excelize.CoordinatesToCellName(1, n+1)
			if err := sw.SetRow(cell, row); err != nil {
				return nil, 0, err
			}
		}
		if len(page) == 0 || flt.Offset+len(page) >= total {
			break
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, 0, err
	}
	if err := writeHelp(f, st, territories, departments); err != nil {
		return nil, 0, err
	}
	f.SetActiveSheet(0)
	out, err := bytesOf(f)
	if err != nil {
		return nil, 0, err
	}
	e := a.Entry(s.Clock.Now(), "enterprise.export", "enterprise", "", 0)
	e.Detail = fmt.Sprintf("exported %d enterprises", n)
	if err := audit.AppendAlone(ctx, s.DB, e); err != nil {
		return nil, 0, err
	}
	return out, n, nil
}
