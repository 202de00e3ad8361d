package enterprise

import "strings"

// Industry is one sector of the register (行业), as a select shows it. The
// code is what the database and the API carry; the names are for people.
type Industry struct {
	Code string `json:"code"`
	Name string `json:"name"` // 中文
	En   string `json:"en"`
}

// Industries is the fixed list, in display order. Codes never change; a new
// sector is appended.
var Industries = []Industry{
	{"hazchem", "危险化学品", "Hazardous chemicals"},
	{"fireworks", "烟花爆竹", "Fireworks"},
	{"metallurgy", "工贸/冶金", "Industry, trade and metallurgy"},
	{"dust", "粉尘涉爆", "Combustible dust"},
	{"construction", "建筑施工", "Construction"},
	{"gas", "燃气", "Gas supply and use"},
	{"transport", "交通运输", "Transport"},
	{"special_equipment", "特种设备", "Special equipment"},
	{"crowded", "人员密集场所", "Crowded place"},
	{"fire_key", "消防重点单位", "Key fire-safety unit"},
	{"catering", "餐饮", "Catering"},
	{"mining", "矿山", "Mining"},
	{"other", "其他", "Other"},
}

// IndustryByCode returns the industry with code.
func IndustryByCode(code string) (Industry, bool) {
	for _, i := range Industries {
		if i.Code == code {
			return i, true
		}
	}
	return Industry{}, false
}

// ParseIndustry accepts a code or a name in either language, as an import
// cell may hold ("工贸", "冶金" and "工贸/冶金" all match).
func ParseIndustry(s string) (Industry, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Industry{}, false
	}
	ls := strings.ToLower(s)
	for _, i := range Industries {
		if ls == i.Code || s == i.Name || ls == strings.ToLower(i.En) {
			return i, true
		}
	}
	for _, i := range Industries {
		for _, part := range strings.Split(i.Name, "/") {
			if s == part {
				return i, true
			}
		}
	}
	return Industry{}, false
}

// IndustryName returns the name of code in lang ("zh" or "en"); unknown
// codes show as they are.
func IndustryName(lang, code string) string {
	i, ok := IndustryByCode(code)
	if !ok {
		return code
	}
	if lang == "en" {
		return i.En
	}
	return i.Name
}

// Risk levels (风险等级), most severe first.
const (
	RiskMajor   = "major"   // 重大 (red)
	RiskLarge   = "large"   // 较大 (orange)
	RiskGeneral = "general" // 一般 (yellow)
	RiskLow     = "low"     // 低 (blue)
)

// RiskLevels lists the levels, most severe first.
var RiskLevels = []string{RiskMajor, RiskLarge, RiskGeneral, RiskLow}

var riskNames = map[string][2]string{
	RiskMajor:   {"重大风险", "Major"},
	RiskLarge:   {"较大风险", "Large"},
	RiskGeneral: {"一般风险", "General"},
	RiskLow:     {"低风险", "Low"},
}

// ValidRisk reports whether s is a risk level.
func ValidRisk(s string) bool { _, ok := riskNames[s]; return ok }

// ParseRisk accepts a code or a Chinese name with or without 风险 ("重大", "重大风险", "红").
func ParseRisk(s string) (string, bool) {
	s = strings.TrimSpace(s)
	ls := strings.ToLower(s)
	for _, r := range RiskLevels {
		n := riskNames[r][0]
		if ls == r || s == n || s == strings.TrimSuffix(n, "风险") || ls == strings.ToLower(riskNames[r][1]) {
			return r, true
		}
	}
	switch s {
	case "红", "红色":
		return RiskMajor, true
	case "橙", "橙色":
		return RiskLarge, true
	case "黄", "黄色":
		return RiskGeneral, true
	case "蓝", "蓝色", "低":
		return RiskLow, true
	}
	return "", false
}

// RiskName returns the name of a risk level in lang.
func RiskName(lang, r string) string {
	n, ok := riskNames[r]
	if !ok {
		return r
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

// Kinds of register entry: an enterprise (生产经营单位) or a place (场所)
// such as a market or a station, which may have no credit code.
const (
	KindEnterprise = "enterprise"
	KindPlace      = "place"
)

// IndustryLabel is the industry's name in lang, for pages.
func (e Enterprise) IndustryLabel(lang string) string { return IndustryName(lang, e.Industry) }

// RiskLabel is the risk level's name in lang, for pages.
func (e Enterprise) RiskLabel(lang string) string { return RiskName(lang, e.RiskLevel) }
