package directoryimport

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/people"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// help is the 说明 sheet: what each column takes.
var help = [][]string{
	{"人员与组织机构导入说明"},
	{""},
	{"1. 本工作簿含“组织机构”“人员”两张表，可只填其中一张；表名和表头不要改动（中英文表头均可识别）。"},
	{"2. 每张表的表头只占一行（表头上方可以有标题行），表头之下每行一条；空行会被跳过；表头和数据都不要合并单元格。每张表最多 5000 行，文件不超过 10 MiB。"},
	{"3. 导入前会检查全部行：只要有一处问题，就不会写入任何数据，并按“工作表、行号、列、问题”列出全部问题。建议先勾选“先检查，不导入”。"},
	{"4. 先导入组织机构，再导入人员；人员可引用本文件中新增的组织。"},
	{"5. 示例行中的 DEMO-XZ 等编码只是占位，请改为本区实际编码，或删除示例行。"},
	{"6. 导出的文件与本模板格式相同，可修改后再导入；导出时手机号已脱敏（如 138****5678），再次导入前请填写完整号码或清空该格；导出文件中的组织和人员已存在，再次导入会提示编码、登录名重复。"},
	{""},
	{"工作表", "列", "是否必填", "说明"},
	{"组织机构", "名称", "必填", "组织全称，最长 100 字。"},
	{"组织机构", "类型", "必填", "区、乡镇（或镇、乡）、街道、开发区、村、社区、部门、派出所；也可填英文代码 district、township、street、zone、village、community、department、police_station。"},
	{"组织机构", "编码", "必填", "组织的唯一编码，最长 40 位，不含空格和 ; , @，例如 SFQ-QS-09。本表和人员表靠编码相互引用；已存在的编码不能重复导入。"},
	{"组织机构", "上级编码", "必填", "上级组织的编码：可以是系统中已有的组织，也可以是本表中写在前面的行。村、社区须在乡镇、街道或开发区之下；部门在区或部门之下；派出所在部门或区之下。区级根组织只能在服务器命令行创建。"},
	{"组织机构", "排序", "选填", "整数，同级组织按此排序，越小越靠前。"},
	{"人员", "登录名", "必填", "2–32 位小写字母、数字或 . _ -，以字母或数字开头；不能与已有账号重复。"},
	{"人员", "姓名", "必填", "最长 50 字。"},
	{"人员", "所属组织编码", "必填", "人员所在组织的编码（系统中已有的，或组织机构表中新增的）。"},
	{"人员", "职务", "选填", "最长 50 字。"},
	{"人员", "手机", "选填", "11 位手机号或带区号的固定电话，如 13812345678、0731-12345678。导出的号码已脱敏，导入时须填完整号码。"},
	{"人员", "角色", "选填", "写成“角色@管辖范围编码”，多个角色用分号、逗号或换行分隔，例如：工作人员@SFQ-QS; 网格员@SFQ-QS-01。省略“@编码”表示在本人所属组织范围内。角色：系统管理员、安全管理员、审计管理员、领导、工作人员、网格员、督查人员、企业联络人（也可写英文代码 staff 等）。三员（系统管理员、安全管理员、审计管理员）不能由同一人兼任，三员角色只能由安全管理员授予。"},
	{"人员", "初始密码", "选填", "至少 8 位，含大写字母、小写字母、数字、符号中的至少三类，不能包含登录名。留空则由系统随机生成，导入成功后只显示一次，请通过安全渠道交给本人。所有导入的人员首次登录时都须修改密码。"},
}

// Example rows of the template; the codes are placeholders.
var (
	exampleOrg    = []string{"示例村", "村", "DEMO-XZ-99", "DEMO-XZ", "10"}
	examplePerson = []string{"zhangsan.demo", "张三", "DEMO-XZ-99", "网格员", "13800000000", "网格员@DEMO-XZ-99", ""}
)

// newBook makes a workbook with the three sheets, headers and styles.
func newBook() (*excelize.File, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", SheetOrgs); err != nil {
		return nil, err
	}
	for _, name := range []string{SheetPeople, SheetHelp} {
		if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
	}
	head, err := f.NewStyle(&excelize.Style{
		Font:   &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8F0FA"}},
		Border: []excelize.Border{{Type: "bottom", Color: "B8C4D0", Style: 1}},
		NumFmt: 49,
	})
	if err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": phone numbers and codes stay text
	if err != nil {
		return nil, err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	if err != nil {
		return nil, err
	}
	for _, sh := range []struct {
		name string
		cols []sheet.Column
	}{
		{SheetOrgs, orgColumns},
		{SheetPeople, personColumns},
	} {
		last, _ := excelize.ColumnNumberToName(len(sh.cols))
		if err := f.SetColStyle(sh.name, "A:"+last, text); err != nil {
			return nil, err
		}
		for i, c := range sh.cols {
			name, _ := excelize.ColumnNumberToName(i + 1)
			if err := f.SetCellStr(sh.name, name+"1", c.Header); err != nil {
				return nil, err
			}
			if err := f.SetColWidth(sh.name, name, name, c.Width); err != nil {
				return nil, err
			}
		}
		if err := f.SetCellStyle(sh.name, "A1", last+"1", head); err != nil {
			return nil, err
		}
		if err := f.SetPanes(sh.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
	}
	for i, line := range help {
		row := strconv.Itoa(i + 1)
		for j, v := range line {
			name, _ := excelize.ColumnNumberToName(j + 1)
			if err := f.SetCellStr(SheetHelp, name+row, v); err != nil {
				return nil, err
			}
		}
	}
	f.SetColWidth(SheetHelp, "A", "A", 12)
	f.SetColWidth(SheetHelp, "B", "B", 14)
	f.SetColWidth(SheetHelp, "C", "C", 10)
	f.SetColWidth(SheetHelp, "D", "D", 90)
	f.SetCellStyle(SheetHelp, "A1", "A1", bold)
	f.SetCellStyle(SheetHelp, "D11", fmt.Sprintf("D%d", len(help)), wrap)
	f.SetCellStyle(SheetHelp, "A10", "D10", head)
	f.SetActiveSheet(0)
	return f, nil
}

func setRow(f *excelize.File, sheet string, row int, values []string) error {
	for j, v := range values {
		if v == "" {
			continue
		}
		name, _ := excelize.ColumnNumberToName(j + 1)
		if err := f.SetCellStr(sheet, name+strconv.Itoa(row), v); err != nil {
			return err
		}
	}
	return nil
}

func bytesOf(f *excelize.File) ([]byte, error) {
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Template returns the empty workbook with one example row on each sheet.
func Template() ([]byte, error) {
	f, err := newBook()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := setRow(f, SheetOrgs, 2, exampleOrg); err != nil {
		return nil, err
	}
	if err := setRow(f, SheetPeople, 2, examplePerson); err != nil {
		return nil, err
	}
	return bytesOf(f)
}

// Export writes the organisations and people the actor may see in the import
// format, phone numbers masked and the password column empty. The export of
// personal data is recorded in the trail.
func (s *Service) Export(ctx context.Context, a *auth.Actor) ([]byte, error) {
	orgs, err := s.Orgs.Visible(ctx, a)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*org.Org{}
	for i := range orgs {
		byID[orgs[i].ID] = &orgs[i]
	}
	codeOf := func(id int64) (string, error) {
		if o, ok := byID[id]; ok {
			return o.Code, nil
		}
		o, err := org.ByID(ctx, s.DB, id)
		if err != nil {
			return "", err
		}
		byID[id] = o
		return o.Code, nil
	}
	var list []people.Person
	if a.CanAnywhere(auth.UserView) || a.Operator {
		for {
			page, total, err := s.People.List(ctx, a, people.Filter{Limit: 5000, Offset: len(list)})
			if err != nil {
				return nil, err
			}
			list = append(list, page...)
			if len(page) == 0 || len(list) >= total {
				break
			}
		}
	}
	f, err := newBook()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	for i, o := range orgs {
		parent := ""
		if o.ParentID != nil {
			if parent, err = codeOf(*o.ParentID); err != nil {
				return nil, err
			}
		}
		if err := setRow(f, SheetOrgs, i+2, []string{o.Name, kindLabel[o.Kind], o.Code, parent, strconv.Itoa(o.Sort)}); err != nil {
			return nil, err
		}
	}
	for i, p := range list {
		orgCode, err := codeOf(p.OrgID)
		if err != nil {
			return nil, err
		}
		refs := make([]RoleRef, 0, len(p.Roles))
		for _, g := range p.Roles {
			code, err := codeOf(g.ScopeOrgID)
			if err != nil {
				return nil, err
			}
			if code == "" { // a scope without a code cannot be named: say so rather than drop the scope
				code = "（无编码）" + byID[g.ScopeOrgID].Name
			}
			refs = append(refs, RoleRef{Role: g.Role, Code: code})
		}
		if err := setRow(f, SheetPeople, i+2, []string{p.Login, p.Name, orgCode, p.Post, p.Phone, FormatRoles(refs), ""}); err != nil {
			return nil, err
		}
	}
	out, err := bytesOf(f)
	if err != nil {
		return nil, err
	}
	e := a.Entry(s.Clock.Now(), "directory.export", "directory", "", 0)
	e.Detail = fmt.Sprintf("exported %d organisations and %d people (phones masked)", len(orgs), len(list))
	if err := audit.AppendAlone(ctx, s.DB, e); err != nil {
		return nil, err
	}
	return out, nil
}
