package sealed

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Masks (脱敏) for lists, pages and exports. They work on the plain value
// and show only what lets a person recognise a record they already know.

// MaskIDNumber keeps the first 3 and the last 4 characters of a resident
// ID number (身份证号): 110***********1234 for 18 characters, 110********1234
// for the old 15. Anything shorter than 8 characters is starred whole.
func MaskIDNumber(s string) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	if n < 8 {
		return strings.Repeat("*", n)
	}
	r := []rune(s)
	return string(r[:3]) + strings.Repeat("*", n-7) + string(r[n-4:])
}

// MaskPhone keeps the first 3 and last 4 digits of a phone number:
// 138****5678; a landline keeps its area code: 0731****1234. Separators and
// a +86 prefix are dropped first. Fewer than 7 digits keep only the last 2.
func MaskPhone(s string) string {
	d := NormalizePhone(s)
	n := len(d)
	switch {
	case n == 0:
		if strings.TrimSpace(s) == "" {
			return ""
		}
		return "****"
	case n < 7:
		return strings.Repeat("*", max(n-2, 2)) + d[max(n-2, 0):]
	case d[0] == '0' && n > 8:
		area := 4
		if d[1] == '1' || d[1] == '2' { // 010, 02x: three-digit area codes
			area = 3
		}
		return d[:area] + strings.Repeat("*", n-area-4) + d[n-4:]
	}
	return d[:3] + strings.Repeat("*", n-7) + d[n-4:]
}

// compoundSurnames are the two-character surnames (复姓) a mask keeps whole.
var compoundSurnames = map[string]bool{}

func init() {
	for _, s := range strings.Fields(`欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 夏侯 长孙 宇文 司徒 轩辕 端木 独孤 南宫 西门
		澹台 呼延 赫连 百里 东郭 钟离 闻人 申屠 太史 万俟 濮阳 淳于 单于 公冶 宗政 司空 亓官 仲孙 鲜于 闾丘 第五 梁丘 左丘 拓跋 
		夹谷 谷梁 宰父 微生 羊舌 乐正 壤驷 公良 漆雕 公西 巫马 公羊 东门 段干 太叔 公输`) {
		compoundSurnames[s] = true
	}
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// MaskName keeps the surname and stars the given name, one star a
// character: 张三 → 张*，张三丰 → 张**，欧阳娜娜 → 欧阳**. A name in Latin
// letters keeps its first letter: Smith → S****. A name of one character is
// starred whole.
func MaskName(s string) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	n := len(r)
	switch {
	case n == 0:
		return ""
	case n == 1:
		return "*"
	}
	if isHan(r[0]) {
		keep := 1
		if n >= 3 && compoundSurnames[string(r[:2])] {
			keep = 2
		}
		var b strings.Builder
		b.WriteString(string(r[:keep]))
		for _, c := range r[keep:] {
			if c == '·' || c == '•' {
				b.WriteRune(c)
				continue
			}
			b.WriteByte('*')
		}
		return b.String()
	}
	var b strings.Builder
	b.WriteRune(r[0])
	for _, c := range r[1:] {
		if unicode.IsSpace(c) {
			b.WriteRune(c)
			continue
		}
		b.WriteByte('*')
	}
	return b.String()
}

// adminSuffixes end the administrative part of a Chinese address, down to
// the township (乡镇街道); what follows (village, road, building, room) is
// the part a mask hides.
var adminSuffixes = []string{"自治区", "特别行政区", "自治州", "自治县", "街道", "省", "市", "州", "盟", "区", "县", "旗", "镇", "乡"}

// notAdmin tells the suffixes that end a place name, not an
// administrative unit: 小区, 社区, 园区, 校区, 景区, 厂区, 矿区, 超市.
func notAdmin(r []rune, i int, suf string) bool {
	if i == 0 {
		return false
	}
	switch suf {
	case "区":
		return strings.ContainsRune("小社园校景厂矿营库", r[i-1])
	case "市":
		return strings.ContainsRune("超集夜", r[i-1])
	}
	return false
}

// MaskAddress keeps the administrative part of an address, down to the
// township, and hides the rest: 湖南省长沙市示范区青山镇上坪村3组12号 →
// 湖南省长沙市示范区青山镇****. An address without such a part keeps its
// first third (at most 6 characters).
func MaskAddress(s string) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	n := len(r)
	if n == 0 {
		return ""
	}
	keep := 0
	// The administrative part is at the start: look in the first 24 characters.
	limit := min(n, 24)
	for i := 0; i < limit; i++ {
		for _, suf := range adminSuffixes {
			sr := []rune(suf)
			if i+len(sr) <= limit && string(r[i:i+len(sr)]) == suf && !notAdmin(r, i, suf) {
				// A suffix that would leave nothing to hide is not the end of the admin part.
				if i+len(sr) < n {
					keep = i + len(sr)
				}
				i += len(sr) - 1
				break
			}
		}
	}
	if keep == 0 {
		keep = min(n/3, 6)
	}
	return string(r[:keep]) + "****"
}

// NormalizePhone is a phone number as digits only, without a +86 or 0086
// country prefix, for comparison and the blind index.
func NormalizePhone(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c >= '０' && c <= '９':
			b.WriteRune(c - '０' + '0')
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "0086") && len(d) > 11:
		d = d[4:]
	case strings.HasPrefix(d, "86") && len(d) == 13:
		d = d[2:]
	}
	return d
}

// ValidMobile reports whether s is a mainland mobile number (11 digits starting with 1).
func ValidMobile(s string) bool {
	d := NormalizePhone(s)
	return len(d) == 11 && d[0] == '1' && d[1] >= '3'
}

// ValidPhone accepts a mobile number or a landline of 7–12 digits (with area code).
func ValidPhone(s string) bool {
	d := NormalizePhone(s)
	if ValidMobile(d) {
		return true
	}
	return len(d) >= 7 && len(d) <= 12 && d[0] != '1'
}

// NormalizeIDNumber is an ID number without spaces, with a final x in upper case.
func NormalizeIDNumber(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.ToUpper(s)
}

// ValidIDNumber checks an 18-character resident ID number (GB 11643): 17
// digits and the ISO 7064 MOD 11-2 check character.
func ValidIDNumber(s string) bool {
	s = NormalizeIDNumber(s)
	if len(s) != 18 {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * weights[i]
	}
	return s[17] == "10X98765432"[sum%11]
}
