package directoryimport

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/org"
)

// kindNames maps what a sheet may say in the 类型 (kind) column to an org kind.
var kindNames = map[string]string{
	"区": org.District, "县": org.District, "区县": org.District,
	"乡镇": org.Township, "镇": org.Township, "乡": org.Township,
	"街道": org.Street, "街道办": org.Street, "街道办事处": org.Street,
	"开发区": org.Zone, "园区": org.Zone,
	"村": org.Village, "行政村": org.Village,
	"社区":  org.Community,
	"部门":  org.Department,
	"派出所": org.PoliceStation,
}

// kindLabel is the Chinese name written on export and in the template.
var kindLabel = map[string]string{
	org.District: "区", org.Township: "乡镇", org.Street: "街道", org.Zone: "开发区",
	org.Village: "村", org.Community: "社区", org.Department: "部门", org.PoliceStation: "派出所",
}

// parseKind reads a kind cell: a Chinese name or an English code.
func parseKind(s string) (string, bool) {
	k := strings.TrimSpace(s)
	if v, ok := kindNames[k]; ok {
		return v, true
	}
	k = strings.ToLower(strings.ReplaceAll(k, " ", "_"))
	if k == "policestation" {
		k = org.PoliceStation
	}
	for _, x := range org.Kinds {
		if x == k {
			return x, true
		}
	}
	return "", false
}

// roleNames maps Chinese role names (and a few names offices use) to roles.
var roleNames = map[string]string{
	"系统管理员": auth.RoleSysadmin,
	"安全管理员": auth.RoleSecadmin, "安全保密管理员": auth.RoleSecadmin,
	"审计管理员": auth.RoleAuditor, "安全审计员": auth.RoleAuditor, "审计员": auth.RoleAuditor,
	"领导":   auth.RoleLeader,
	"工作人员": auth.RoleStaff,
	"网格员":  auth.RoleGridWorker,
	"督查人员": auth.RoleSupervisor, "督查": auth.RoleSupervisor, "督查员": auth.RoleSupervisor,
	"企业联络人": auth.RoleEnterprise, "企业": auth.RoleEnterprise,
}

// roleLabel is the Chinese name written on export and in the template.
var roleLabel = map[string]string{
	auth.RoleSysadmin: "系统管理员", auth.RoleSecadmin: "安全管理员", auth.RoleAuditor: "审计管理员",
	auth.RoleLeader: "领导", auth.RoleStaff: "工作人员", auth.RoleGridWorker: "网格员",
	auth.RoleSupervisor: "督查人员", auth.RoleEnterprise: "企业联络人",
}

func parseRole(s string) (string, bool) {
	if v, ok := roleNames[s]; ok {
		return v, true
	}
	k := strings.ToLower(s)
	if k == "gridworker" || k == "grid-worker" {
		k = auth.RoleGridWorker
	}
	if auth.ValidRole(k) {
		return k, true
	}
	return "", false
}

// RoleRef is one role of a roles cell: the role and the code of its scope
// organisation ("" means the person's own organisation).
type RoleRef struct {
	Role string
	Code string
}

// maxRoleItems bounds a roles cell; no official holds this many roles.
const maxRoleItems = 50

// ParseRoles reads a roles cell such as "工作人员@SFQ-QS; 网格员@SFQ-QS-01" or
// "staff@SFQ-QS". Items are separated by ; ； , ， 、 or line breaks; a role
// without "@code" is held within the person's own organisation. It reports
// every bad item in one error and never panics, whatever the cell holds.
func ParseRoles(cell string) ([]RoleRef, error) {
	items := strings.FieldsFunc(cell, func(r rune) bool {
		switch r {
		case ';', '；', ',', '，', '、', '\n', '\r':
			return true
		}
		return false
	})
	var out []RoleRef
	var bad []string
	for _, it := range items {
		it = strings.TrimFunc(it, unicode.IsSpace)
		if it == "" {
			continue
		}
		if len(out)+len(bad) >= maxRoleItems {
			bad = append(bad, fmt.Sprintf("角色超过 %d 项 / more than %d roles", maxRoleItems, maxRoleItems))
			break
		}
		name, code := it, ""
		if i := strings.IndexAny(it, "@＠"); i >= 0 {
			_, w := utf8.DecodeRuneInString(it[i:])
			name, code = it[:i], it[i+w:]
			code = strings.TrimFunc(code, unicode.IsSpace)
			if code == "" {
				bad = append(bad, fmt.Sprintf("%q 的 @ 后缺少管辖范围编码 / %q has no scope code after @", short(it), short(it)))
				continue
			}
		}
		name = strings.TrimFunc(name, unicode.IsSpace)
		role, ok := parseRole(name)
		if !ok {
			bad = append(bad, fmt.Sprintf("未知角色 %q / unknown role %q", short(name), short(name)))
			continue
		}
		out = append(out, RoleRef{Role: role, Code: code})
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("%s", strings.Join(bad, "；"))
	}
	return out, nil
}

// short cuts a cell value for an error message.
func short(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "�")
	}
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// FormatRoles writes grants as a roles cell, the inverse of ParseRoles.
func FormatRoles(refs []RoleRef) string {
	parts := make([]string, 0, len(refs))
	for _, r := range refs {
		name := roleLabel[r.Role]
		if name == "" {
			name = r.Role
		}
		if r.Code != "" {
			name += "@" + r.Code
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, "; ")
}
