package enterprise

import (
	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// The workbook of the register (企业场所台账): one sheet of enterprises,
// one of explanations and one of codes. Import reads the sheet by name (or
// the first sheet that is not an explanation), finds the header row by its
// column names (a title row above it is fine), and reads each data row.
// Reading is internal/sheet's (as for the directory): all or nothing, every
// problem reported with its sheet, row, column and cell; merged cells and a
// founding date typed as text are problems.

// Limits on what an upload may hold.
const (
	MaxFileSize     = sheet.MaxSize // bytes
	MaxRowsPerSheet = sheet.MaxRows // data rows, after the header
)

// Sheet names.
const (
	SheetData  = "企业场所"
	SheetHelp  = "说明"
	SheetCodes = "代码表"
)

var dataSheetAliases = []string{SheetData, "企业", "场所", "企业台账", "生产经营单位", "enterprises", "register"}

// RowError is one problem found in the workbook.
type RowError = sheet.RowError

// Fields of the columns.
const (
	colID            = "id"
	colKind          = "kind"
	colName          = "name"
	colUSCC          = "uscc"
	colAddress       = "address"
	colTerritoryCode = "territory_code"
	colTerritoryName = "territory_name" // written by the export, ignored on import
	colIndustry      = "industry"
	colRegulatorCode = "regulator_code"
	colRegulatorName = "regulator_name" // written by the export, ignored on import
	colRisk          = "risk"
	colKey           = "key"
	colCrowded       = "crowded"
	colMajorHazard   = "major_hazard"
	colPrincipal     = "principal_name"
	colPrincipalTel  = "principal_phone"
	colOfficer       = "officer_name"
	colOfficerTel    = "officer_phone"
	colFounded       = "founded_on"
	colClosed        = "closed"
)

var columns = []sheet.Column{
	{Field: colID, Header: "系统编号", Width: 9, Aliases: []string{"系统编号", "编号", "id"}},
	{Field: colKind, Header: "类型", Width: 7, Aliases: []string{"类型", "单位类型", "kind", "type"}},
	{Field: colName, Header: "名称（必填）", Required: true, Width: 30, Aliases: []string{"名称", "单位名称", "企业名称", "场所名称", "企业（场所）名称", "name"}},
	{Field: colUSCC, Header: "统一社会信用代码", Required: true, Width: 22, Aliases: []string{"统一社会信用代码", "社会信用代码", "信用代码", "uscc", "credit code", "unified social credit code"}},
	{Field: colAddress, Header: "地址", Width: 30, Aliases: []string{"地址", "详细地址", "经营地址", "注册地址", "address"}},
	{Field: colTerritoryCode, Header: "属地编码（必填）", Required: true, Width: 13, Aliases: []string{"属地编码", "属地组织编码", "属地代码", "territory code"}},
	{Field: colTerritoryName, Header: "属地名称", Width: 12, Aliases: []string{"属地名称", "属地", "territory", "territory name"}},
	{Field: colIndustry, Header: "行业（必填）", Required: true, Width: 13, Aliases: []string{"行业", "行业类别", "所属行业", "industry"}},
	{Field: colRegulatorCode, Header: "监管部门编码", Width: 13, Aliases: []string{"监管部门编码", "行业监管部门编码", "regulator code"}},
	{Field: colRegulatorName, Header: "行业监管部门", Width: 20, Aliases: []string{"行业监管部门", "监管部门", "regulator"}},
	{Field: colRisk, Header: "风险等级（必填）", Required: true, Width: 10, Aliases: []string{"风险等级", "风险级别", "风险分级", "risk level", "risk"}},
	{Field: colKey, Header: "重点企业", Width: 9, Aliases: []string{"重点企业", "是否重点企业", "key enterprise"}},
	{Field: colCrowded, Header: "人员密集场所", Width: 11, Aliases: []string{"人员密集场所", "是否人员密集场所", "crowded place"}},
	{Field: colMajorHazard, Header: "重大危险源", Width: 10, Aliases: []string{"重大危险源", "是否重大危险源", "major hazard source"}},
	{Field: colPrincipal, Header: "主要负责人", Width: 11, Aliases: []string{"主要负责人", "负责人", "法定代表人", "principal"}},
	{Field: colPrincipalTel, Header: "主要负责人电话", Width: 15, Aliases: []string{"主要负责人电话", "负责人电话", "主要负责人手机", "principal phone"}},
	{Field: colOfficer, Header: "安全管理人员", Width: 11, Aliases: []string{"安全管理人员", "安全负责人", "安全员", "safety officer"}},
	{Field: colOfficerTel, Header: "安全管理人员电话", Width: 15, Aliases: []string{"安全管理人员电话", "安全负责人电话", "安全员电话", "safety officer phone"}},
	{Field: colFounded, Header: "成立日期", Date: true, Width: 12, Aliases: []string{"成立日期", "成立时间", "founded", "founded on", "founding date"}},
	{Field: colClosed, Header: "已关闭", Width: 8, Aliases: []string{"已关闭", "是否关闭", "关闭", "closed"}},
}

// readWorkbook opens data and reads the data sheet: the one named as
// such, or else the first that is neither the explanations nor the codes.
func readWorkbook(data []byte) (*sheet.Sheet, error) {
	f, err := sheet.Open(data, MaxFileSize)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	name := sheet.FindSheet(f, dataSheetAliases...)
	if name == "" {
		for _, n := range f.GetSheetList() {
			if nn := sheet.Norm(n); nn != sheet.Norm(SheetHelp) && nn != sheet.Norm(SheetCodes) {
				name = n
				break
			}
		}
	}
	if name == "" {
		return nil, apperr.Field(apperr.EINVALID, "file", "工作簿中没有企业场所工作表 / the workbook has no sheet of enterprises")
	}
	return sheet.Read(f, name, columns, sheet.Options{MaxRows: MaxRowsPerSheet})
}
