package directoryimport

import (
	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// Limits on what an upload may hold.
const (
	MaxFileSize     = sheet.MaxSize // bytes
	MaxRowsPerSheet = sheet.MaxRows // data rows, after the header
)

// Sheet names, Chinese first; a workbook is read by these names.
const (
	SheetOrgs   = "组织机构"
	SheetPeople = "人员"
	SheetHelp   = "说明"
)

var sheetAliases = map[string][]string{
	SheetOrgs:   {"组织机构", "组织", "机构", "orgs", "organisations", "organizations"},
	SheetPeople: {"人员", "people", "users", "persons"},
}

// RowError is one problem found in the workbook.
type RowError = sheet.RowError

// The columns of each sheet: the field each fills, the header the template
// and export write, and the names (Chinese and English, with variants)
// recognised.
var orgColumns = []sheet.Column{
	{Field: "name", Header: "名称（必填）", Required: true, Width: 28, Aliases: []string{"名称", "组织名称", "机构名称", "单位名称", "name", "org name"}},
	{Field: "kind", Header: "类型（必填）", Required: true, Width: 12, Aliases: []string{"类型", "组织类型", "机构类型", "单位类型", "kind", "type"}},
	{Field: "code", Header: "编码（必填）", Required: true, Width: 18, Aliases: []string{"编码", "组织编码", "机构编码", "单位编码", "代码", "code"}},
	{Field: "parent_code", Header: "上级编码", Required: true, Width: 18, Aliases: []string{"上级编码", "上级组织编码", "上级机构编码", "上级单位编码", "上级代码", "parent code", "parent"}},
	{Field: "sort", Header: "排序", Width: 8, Aliases: []string{"排序", "排序号", "顺序", "sort", "sort order", "order"}},
}

var personColumns = []sheet.Column{
	{Field: "login", Header: "登录名（必填）", Required: true, Width: 20, Aliases: []string{"登录名", "账号", "帐号", "用户名", "login", "username", "user name", "account"}},
	{Field: "name", Header: "姓名（必填）", Required: true, Width: 12, Aliases: []string{"姓名", "名字", "name", "full name"}},
	{Field: "org_code", Header: "所属组织编码（必填）", Required: true, Width: 22, Aliases: []string{"所属组织编码", "所属组织", "组织编码", "所属单位编码", "单位编码", "org code", "org", "organisation code", "organization code"}},
	{Field: "post", Header: "职务", Width: 18, Aliases: []string{"职务", "岗位", "职位", "post", "position", "title"}},
	{Field: "phone", Header: "手机", Width: 16, Aliases: []string{"手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile"}},
	{Field: "roles", Header: "角色", Width: 40, Aliases: []string{"角色", "角色与管辖范围", "roles", "role"}},
	{Field: "password", Header: "初始密码", Width: 18, Aliases: []string{"初始密码", "密码", "password", "initial password"}},
}

// workbook is what an upload held: either sheet may be absent.
type workbook struct {
	orgs   *sheet.Sheet
	people *sheet.Sheet
}

// readWorkbook opens data and reads the orgs and people sheets, each found
// by its name; the header may stand below a title.
func readWorkbook(data []byte) (*workbook, error) {
	f, err := sheet.Open(data, MaxFileSize)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	wb := &workbook{}
	opts := sheet.Options{MaxRows: MaxRowsPerSheet}
	if name := sheet.FindSheet(f, sheetAliases[SheetOrgs]...); name != "" {
		if wb.orgs, err = sheet.Read(f, name, orgColumns, opts); err != nil {
			return nil, err
		}
	}
	if name := sheet.FindSheet(f, sheetAliases[SheetPeople]...); name != "" {
		if wb.people, err = sheet.Read(f, name, personColumns, opts); err != nil {
			return nil, err
		}
	}
	if wb.orgs == nil && wb.people == nil {
		return nil, apperr.Field(apperr.EINVALID, "file", "工作簿中没有名为“组织机构”或“人员”的工作表 / the workbook has no sheet named 组织机构 (orgs) or 人员 (people)")
	}
	return wb, nil
}
