// Package demo holds a pure, deterministic demonstration dataset describing
// a fictional Chinese district named 示范区 (the "demo district") for the
// work-safety and petition platform.
//
// Everything here is made up: the district, its townships, villages,
// departments, people, names and phone numbers. The package performs no I/O,
// uses no randomness and touches no database; District returns exactly the
// same value on every call, so callers (seeders, tests, documentation
// generators) can rely on stable keys, codes and logins.
package demo

import (
	"fmt"
	"strings"
)

// Org kinds.
const (
	KindDistrict      = "district"
	KindTownship      = "township"
	KindStreet        = "street"
	KindZone          = "zone"
	KindVillage       = "village"
	KindCommunity     = "community"
	KindDepartment    = "department"
	KindPoliceStation = "police_station"
)

// Role names.
const (
	RoleSysadmin   = "sysadmin"
	RoleSecadmin   = "secadmin"
	RoleAuditor    = "auditor"
	RoleLeader     = "leader"
	RoleStaff      = "staff"
	RoleGridWorker = "grid_worker"
	RoleSupervisor = "supervisor"
	RoleEnterprise = "enterprise"
)

// DistrictKey is the key of the root org.
const DistrictKey = "district"

// DemoPassword is the one password every demo person gets. It is at least
// 8 characters long and uses upper case, lower case, digit and symbol
// classes.
const DemoPassword = "Anwen@2026"

// Org is one organisation node of the district tree.
type Org struct {
	Key       string // stable unique key, e.g. "district", "t-qingshan", "v-qingshan-01", "d-yjj"
	ParentKey string // "" for the district
	Name      string // Chinese name
	Kind      string // one of: district, township, street, zone, village, community, department, police_station
	Code      string // short unique ASCII code, e.g. "SFQ", "SFQ-QS"
}

// Role is one role grant, scoped to an org subtree.
type Role struct {
	Role        string // sysadmin, secadmin, auditor, leader, staff, grid_worker, supervisor, enterprise
	ScopeOrgKey string
}

// Person is one demo account.
type Person struct {
	Login  string // unique ASCII login, lowercase pinyin-like
	Name   string // fictional Chinese full name
	OrgKey string
	Post   string // 职务 in Chinese
	Phone  string // fictional, unique 11-digit mobile number
	Roles  []Role
}

// Dataset is the whole demo district. Orgs are ordered so that every parent
// comes before its children.
type Dataset struct {
	Orgs   []Org
	People []Person
	// Enterprises is the register of enterprises and places (企业场所), see enterprises.go.
	Enterprises []Enterprise
}

// SignIn is one sign-in worth printing at start-up and listing in the README.
type SignIn struct {
	Login       string
	Name        string // the person's name
	Description string // Chinese description of the role
	English     string // the same in English
	OrgName     string
}

// ---------------------------------------------------------------------------
// Static territory and department tables.

// unitSpec describes one territorial unit (township, street or zone) and the
// villages/communities beneath it. Places ending in 社区 are communities,
// everything else is a village.
type unitSpec struct {
	slug   string // pinyin slug used in keys, e.g. "qingshan"
	name   string // 青山镇
	base   string // short name used for the police station, e.g. 青山
	kind   string
	code   string // two-letter code, e.g. "QS"
	places []string
}

var units = []unitSpec{
	{"qingshan", "青山镇", "青山", KindTownship, "QS", []string{"上坪村", "竹园村", "枫林村", "石桥村", "杨家湾村", "茶岭村", "龙潭村", "青山社区"}},
	{"liuhe", "柳河镇", "柳河", KindTownship, "LH", []string{"河口村", "下湾村", "新庄村", "柳林村", "塘坝村", "黄泥岗村", "柳河社区"}},
	{"taoyuan", "桃源镇", "桃源", KindTownship, "TY", []string{"桃花村", "李家坪村", "梅子沟村", "溪口村", "高桥村", "马鞍山村", "桃源社区"}},
	{"baishui", "白水镇", "白水", KindTownship, "BS", []string{"清泉村", "三河村", "沙坝村", "水磨村", "王家庄村", "红星村", "白水社区"}},
	{"shimen", "石门镇", "石门", KindTownship, "SM", []string{"岩口村", "双井村", "古槐村", "大坪村", "花园村", "石门社区"}},
	{"yunxi", "云溪乡", "云溪", KindTownship, "YX", []string{"云溪村", "云峰村", "观音岩村", "白果村", "杉木村", "凉水井村"}},
	{"songling", "松岭乡", "松岭", KindTownship, "SL", []string{"松岭村", "松林村", "鹿鸣村", "金竹村", "田坝村", "长岭村"}},
	{"dongcheng", "东城街道", "东城", KindStreet, "DC", []string{"东门社区", "朝阳社区", "解放路社区", "建设路社区", "滨江社区", "锦绣社区", "和平社区", "东苑社区"}},
	{"nanhu", "南湖街道", "南湖", KindStreet, "NH", []string{"南湖社区", "湖滨社区", "荷花池社区", "翠湖社区", "桂园社区", "南岸社区", "望湖社区"}},
	{"wenchang", "文昌街道", "文昌", KindStreet, "WC", []string{"文昌社区", "书院社区", "学府社区", "文华社区", "状元桥社区", "月明社区", "文庙社区"}},
	{"beiyuan", "北苑街道", "北苑", KindStreet, "BY", []string{"北苑社区", "新华社区", "康乐社区", "北关社区", "工农社区", "幸福社区"}},
	{"jinqiao", "金桥经济开发区", "金桥", KindZone, "JQ", []string{"金桥社区", "工业园社区", "创业社区", "金桥村", "银湖村", "汇川村"}},
}

// deptSpec describes one district-level department.
type deptSpec struct {
	slug     string // key is "d-" + slug; also the login suffix
	name     string
	code     string // without the "SFQ-" prefix
	headPost string // post of the head, e.g. 局长
	deputy   string // post of the deputy head
	clerk    string // post of an ordinary staff member
}

var departments = []deptSpec{
	{"zfb", "区委区政府办公室", "ZFB", "主任", "副主任", "科员"},
	{"dsj", "区大数据中心", "DSJ", "主任", "副主任", "工程师"},
	{"dcs", "区委区政府两办督查室", "DCS", "主任", "副主任", "督查专员"},
	{"jw", "区纪委监委", "JWJW", "书记", "副书记", "纪检监察员"},
	{"zzb", "区委组织部", "ZZB", "部长", "副部长", "科员"},
	{"yjj", "区应急管理局", "YJJ", "局长", "副局长", "科员"},
	{"xfj", "区信访局", "XFJ", "局长", "副局长", "科员"},
	{"gaj", "区公安分局", "GAJ", "局长", "副局长", "民警"},
	{"zjj", "区住房和城乡建设局", "ZJJ", "局长", "副局长", "科员"},
	{"jtj", "区交通运输局", "JTJ", "局长", "副局长", "科员"},
	{"scj", "区市场监督管理局", "SCJ", "局长", "副局长", "科员"},
	{"xfdd", "区消防救援大队", "XFDD", "大队长", "副大队长", "参谋"},
	{"jyj", "区教育局", "JYJ", "局长", "副局长", "科员"},
	{"wjj", "区卫生健康局", "WJJ", "局长", "副局长", "科员"},
	{"zrj", "区自然资源局", "ZRJ", "局长", "副局长", "科员"},
	{"hbj", "区生态环境分局", "HBJ", "局长", "副局长", "科员"},
	{"rsj", "区人力资源和社会保障局", "RSJ", "局长", "副局长", "科员"},
	{"nyj", "区农业农村局", "NYJ", "局长", "副局长", "科员"},
	{"swj", "区商务局", "SWJ", "局长", "副局长", "科员"},
	{"slj", "区水利局", "SLJ", "局长", "副局长", "科员"},
	{"mzj", "区民政局", "MZJ", "局长", "副局长", "科员"},
}

// ---------------------------------------------------------------------------
// Fictional name material. Names are produced by a fixed arithmetic walk over
// these tables, never by a random generator.

type syllable struct{ han, pinyin string }

// surnames is weighted: the most common surnames appear twice.
var surnames = []syllable{
	{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"},
	{"杨", "yang"}, {"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"},
	{"徐", "xu"}, {"孙", "sun"}, {"马", "ma"}, {"朱", "zhu"}, {"胡", "hu"},
	{"郭", "guo"}, {"何", "he"}, {"林", "lin"}, {"罗", "luo"}, {"高", "gao"},
	{"郑", "zheng"}, {"梁", "liang"}, {"谢", "xie"}, {"宋", "song"}, {"唐", "tang"},
	{"许", "xu"}, {"韩", "han"}, {"冯", "feng"}, {"邓", "deng"}, {"曹", "cao"},
	{"彭", "peng"}, {"曾", "zeng"}, {"肖", "xiao"}, {"田", "tian"}, {"董", "dong"},
	{"袁", "yuan"}, {"潘", "pan"}, {"蒋", "jiang"}, {"蔡", "cai"}, {"余", "yu"},
	{"杜", "du"}, {"叶", "ye"}, {"程", "cheng"}, {"魏", "wei"}, {"苏", "su"},
	{"吕", "lv"}, {"丁", "ding"}, {"任", "ren"}, {"沈", "shen"}, {"姚", "yao"},
	{"卢", "lu"}, {"钟", "zhong"}, {"姜", "jiang"}, {"崔", "cui"}, {"谭", "tan"},
	{"陆", "lu"}, {"范", "fan"}, {"廖", "liao"}, {"石", "shi"}, {"贺", "he"},
	// second copy of the most common surnames
	{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"},
	{"杨", "yang"}, {"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"},
}

var givenNames = []syllable{
	{"建国", "jianguo"}, {"建军", "jianjun"}, {"建华", "jianhua"}, {"志强", "zhiqiang"}, {"志刚", "zhigang"},
	{"海涛", "haitao"}, {"海燕", "haiyan"}, {"秀英", "xiuying"}, {"秀兰", "xiulan"}, {"桂英", "guiying"},
	{"丽娟", "lijuan"}, {"丽华", "lihua"}, {"红梅", "hongmei"}, {"春梅", "chunmei"}, {"晓燕", "xiaoyan"},
	{"晓东", "xiaodong"}, {"晓峰", "xiaofeng"}, {"文斌", "wenbin"}, {"文静", "wenjing"}, {"俊杰", "junjie"},
	{"永强", "yongqiang"}, {"永红", "yonghong"}, {"国平", "guoping"}, {"国庆", "guoqing"}, {"玉兰", "yulan"},
	{"玉梅", "yumei"}, {"明辉", "minghui"}, {"明亮", "mingliang"}, {"德明", "deming"}, {"德胜", "desheng"},
	{"卫东", "weidong"}, {"卫国", "weiguo"}, {"新民", "xinmin"}, {"振华", "zhenhua"}, {"振宇", "zhenyu"},
	{"宏伟", "hongwei"}, {"宏亮", "hongliang"}, {"立新", "lixin"}, {"立群", "liqun"}, {"学军", "xuejun"},
	{"学文", "xuewen"}, {"家豪", "jiahao"}, {"子轩", "zixuan"}, {"雨萱", "yuxuan"}, {"思远", "siyuan"},
	{"思琪", "siqi"}, {"佳慧", "jiahui"}, {"佳怡", "jiayi"}, {"婷婷", "tingting"}, {"静怡", "jingyi"},
	{"淑珍", "shuzhen"}, {"淑芬", "shufen"}, {"凤英", "fengying"}, {"金花", "jinhua"}, {"长林", "changlin"},
	{"树林", "shulin"}, {"春生", "chunsheng"}, {"秋菊", "qiuju"}, {"冬梅", "dongmei"}, {"光明", "guangming"},
	{"继红", "jihong"}, {"继军", "jijun"}, {"亚军", "yajun"}, {"亚楠", "yanan"}, {"雪梅", "xuemei"},
	{"雪峰", "xuefeng"}, {"天宇", "tianyu"}, {"浩然", "haoran"}, {"博文", "bowen"}, {"嘉欣", "jiaxin"},
	{"梦瑶", "mengyao"}, {"欣怡", "xinyi"}, {"晨曦", "chenxi"}, {"若兰", "ruolan"}, {"正阳", "zhengyang"},
	{"安琪", "anqi"}, {"少华", "shaohua"}, {"成林", "chenglin"}, {"国栋", "guodong"}, {"兴旺", "xingwang"},
	{"福生", "fusheng"}, {"荣华", "ronghua"}, {"宝山", "baoshan"}, {"大勇", "dayong"}, {"小军", "xiaojun"},
	{"小红", "xiaohong"}, {"小兰", "xiaolan"}, {"文华", "wenhua"}, {"进财", "jincai"}, {"美玲", "meiling"},
	// single-character given names make two-character full names
	{"伟", "wei"}, {"敏", "min"}, {"磊", "lei"}, {"军", "jun"}, {"艳", "yan"},
	{"斌", "bin"}, {"萍", "ping"}, {"娟", "juan"}, {"辉", "hui"}, {"霞", "xia"},
	{"鹏", "peng"}, {"琳", "lin"}, {"芳", "fang"}, {"刚", "gang"}, {"丹", "dan"},
}

// famousNames lists well-known real people whose names the generator must
// never produce (including homonyms). It is consulted for every generated
// name and checked again by the tests.
var famousNames = map[string]bool{
	"黄磊": true, "张敏": true, "李勇": true, "朱军": true, "刘欣": true,
	"刘伟": true, "孙杨": true, "李宁": true, "林丹": true, "马云": true,
	"李国庆": true, "林俊杰": true, "王振华": true, "胡志明": true, "刘德华": true,
	"张国荣": true, "王刚": true, "李静": true, "郭涛": true, "杨洋": true,
	"刘洋": true, "张杰": true, "王菲": true, "李娜": true, "刘翔": true,
	"陈红": true, "马丽": true, "周涛": true, "李琳": true, "孙俪": true,
	"王丹": true, "陈敏": true, "郭伟": true, "吴刚": true, "陈刚": true,
	"林芳": true, "罗刚": true, "高磊": true, "宋丹": true, "李冰": true,
	"李斌": true, "姚敏": true, "王军": true, "张伟": true, "刘刚": true,
	"王敏": true, "李鹏": true, "陈建华": true, "王鹏": true, "周伟": true,
	"程琳": true, "王建国": true,
}

// ---------------------------------------------------------------------------
// Builder.

type builder struct {
	ds       Dataset
	orgs     map[string]bool
	names    map[string]bool
	logins   map[string]bool
	nameSeq  int
	phoneSeq int
}

func newBuilder() *builder {
	return &builder{
		orgs:   map[string]bool{},
		names:  map[string]bool{},
		logins: map[string]bool{},
	}
}

func (b *builder) addOrg(key, parent, name, kind, code string) {
	if b.orgs[key] {
		panic("demo: duplicate org key " + key)
	}
	if parent != "" && !b.orgs[parent] {
		panic("demo: parent " + parent + " not yet defined for " + key)
	}
	b.orgs[key] = true
	b.ds.Orgs = append(b.ds.Orgs, Org{Key: key, ParentKey: parent, Name: name, Kind: kind, Code: code})
}

// phonePrefixes are ordinary mainland mobile prefixes.
var phonePrefixes = []string{"138", "139", "137", "136", "135", "150", "151", "152", "158", "159", "186", "187", "188", "177", "189"}

// nextPhone returns a fictional but well-formed mobile number. The last eight
// digits walk a permutation of 0..99999999 (31415927 is coprime to 10^8), so
// no two people share a number whatever the prefix.
func (b *builder) nextPhone() string {
	i := b.phoneSeq
	b.phoneSeq++
	prefix := phonePrefixes[i%len(phonePrefixes)]
	return fmt.Sprintf("%s%08d", prefix, (i*31415927+20260417)%100000000)
}

// nextName returns the next unused, non-famous fictional name and its pinyin.
func (b *builder) nextName() (han, pinyin string) {
	for tries := 0; tries < 100000; tries++ {
		i := b.nameSeq
		b.nameSeq++
		// Multipliers are coprime to the table lengths so that every
		// surname and given name is visited; the i/len terms shift the
		// pairing on each lap so combinations keep changing.
		s := surnames[(i*37+i/len(surnames)*3)%len(surnames)]
		g := givenNames[(i*53+i/len(givenNames)*7)%len(givenNames)]
		han = s.han + g.han
		if b.names[han] || famousNames[han] {
			continue
		}
		return han, s.pinyin + g.pinyin
	}
	panic("demo: name space exhausted")
}

// add appends a person with an explicit login and name.
func (b *builder) add(login, name, orgKey, post string, roles ...Role) {
	if b.logins[login] {
		panic("demo: duplicate login " + login)
	}
	if !b.orgs[orgKey] {
		panic("demo: unknown org " + orgKey + " for " + login)
	}
	b.logins[login] = true
	b.names[name] = true
	b.ds.People = append(b.ds.People, Person{
		Login:  login,
		Name:   name,
		OrgKey: orgKey,
		Post:   post,
		Phone:  b.nextPhone(),
		Roles:  roles,
	})
}

// gen appends a person with a generated name; the login is the pinyin of the
// name plus "." plus tag, with a digit appended on the rare homophone clash.
func (b *builder) gen(tag, orgKey, post string, roles ...Role) {
	han, py := b.nextName()
	login := py + "." + tag
	for n := 2; b.logins[login]; n++ {
		login = fmt.Sprintf("%s%d.%s", py, n, tag)
	}
	b.add(login, han, orgKey, post, roles...)
}

func r(role, scope string) Role { return Role{Role: role, ScopeOrgKey: scope} }

func unitKey(u unitSpec) string {
	switch u.kind {
	case KindTownship:
		return "t-" + u.slug
	case KindStreet:
		return "s-" + u.slug
	default:
		return "z-" + u.slug
	}
}

func placeKind(name string) string {
	if strings.HasSuffix(name, "社区") {
		return KindCommunity
	}
	return KindVillage
}

func placeKey(u unitSpec, i int, name string) string {
	p := "v-"
	if placeKind(name) == KindCommunity {
		p = "c-"
	}
	return fmt.Sprintf("%s%s-%02d", p, u.slug, i+1)
}

// unitPosts returns the posts of the party secretary, the head and the
// deputy head in charge of work safety for a territorial unit.
func unitPosts(u unitSpec) (secretary, head, deputy string) {
	switch u.kind {
	case KindStreet:
		return "党工委书记", "办事处主任", "分管安全生产副主任"
	case KindZone:
		return "党工委书记", "管委会主任", "分管安全生产副主任"
	}
	if strings.HasSuffix(u.name, "乡") {
		return "党委书记", "乡长", "分管安全生产副乡长"
	}
	return "党委书记", "镇长", "分管安全生产副镇长"
}

// Keys of the orgs the special sign-ins belong to.
const (
	keyQingshan  = "t-qingshan"
	keyShangping = "v-qingshan-01" // 上坪村, 青山镇
)

// special sign-ins, reserved before any generated name.
var specials = []struct {
	login, name, org, post, desc, en string
	roles                            []Role
}{
	{"admin", "赵明远", "d-dsj", "系统管理员", "系统管理员（三员之一：账号、组织与系统配置）", "System administrator (accounts, organisations, settings)", []Role{r(RoleSysadmin, DistrictKey)}},
	{"secadmin", "钱卫东", "d-dsj", "安全保密管理员", "安全管理员（三员之一：权限分配与安全策略）", "Security administrator (roles, security policy)", []Role{r(RoleSecadmin, DistrictKey)}},
	{"auditor", "孙静怡", "d-dsj", "安全审计员", "审计管理员（三员之一：审计日志查阅）", "Audit administrator (reads the audit trail)", []Role{r(RoleAuditor, DistrictKey)}},
	{"leader", "陈志远", DistrictKey, "区长", "区长（区级领导，全区范围）", "District head (whole district)", []Role{r(RoleLeader, DistrictKey)}},
	{"yjj", "刘海波", "d-yjj", "科员", "应急管理局科员（安全生产，全区范围）", "Emergency management bureau (work safety, whole district)", []Role{r(RoleStaff, DistrictKey)}},
	{"xfj", "周晓芸", "d-xfj", "科员", "信访局科员（信访事项，全区范围）", "Petition bureau (petitions, whole district)", []Role{r(RoleStaff, DistrictKey)}},
	{"duchashi", "吴振东", "d-dcs", "督查专员", "两办督查室督查专员（督查督办，全区范围）", "Supervision office (whole district)", []Role{r(RoleSupervisor, DistrictKey)}},
	{"qingshan", "林思远", keyQingshan, "党政办科员", "青山镇党政办科员（本镇范围）", "Qingshan township office (the township)", []Role{r(RoleStaff, keyQingshan)}},
	{"wanggeyuan", "黄秀兰", keyShangping, "网格员", "上坪村网格员（本村范围）", "Grid worker, Shangping village (the village)", []Role{r(RoleGridWorker, keyShangping)}},
	{"qiye", "何建军", keyShangping, "企业安全负责人", "企业安全负责人（所在村范围）", "Enterprise safety contact (the village)", []Role{r(RoleEnterprise, keyShangping)}},
}

// District returns the complete demo dataset. Every call builds a fresh,
// identical value; callers may modify the result freely.
func District() Dataset {
	b := newBuilder()

	// --- Orgs -----------------------------------------------------------
	b.addOrg(DistrictKey, "", "示范区", KindDistrict, "SFQ")
	for _, u := range units {
		b.addOrg(unitKey(u), DistrictKey, u.name, u.kind, "SFQ-"+u.code)
	}
	for _, u := range units {
		for i, p := range u.places {
			b.addOrg(placeKey(u, i, p), unitKey(u), p, placeKind(p), fmt.Sprintf("SFQ-%s-%02d", u.code, i+1))
		}
	}
	for _, d := range departments {
		b.addOrg("d-"+d.slug, DistrictKey, d.name, KindDepartment, "SFQ-"+d.code)
	}
	for _, u := range units {
		b.addOrg("p-"+u.slug, "d-gaj", u.base+"派出所", KindPoliceStation, "SFQ-GA-"+u.code)
	}

	// --- Special sign-ins ---------------------------------------------------
	for _, s := range specials {
		b.add(s.login, s.name, s.org, s.post, s.roles...)
	}

	// --- District leadership --------------------------------------------
	lead := r(RoleLeader, DistrictKey)
	b.gen("sfq", DistrictKey, "区委书记", lead)
	b.gen("sfq", DistrictKey, "区委副书记", lead)
	b.gen("sfq", DistrictKey, "常务副区长", lead)
	b.gen("sfq", DistrictKey, "分管安全生产副区长", lead)
	b.gen("sfq", DistrictKey, "分管信访工作副区长", lead)
	b.gen("sfq", DistrictKey, "分管城建交通副区长", lead)

	// --- Departments ----------------------------------------------------
	for _, d := range departments {
		key := "d-" + d.slug
		own := r(RoleLeader, key)
		b.gen(d.slug, key, d.headPost, own)
		b.gen(d.slug, key, d.deputy, own)
		switch d.slug {
		case "yjj":
			// The safety desk sees the whole district.
			b.gen(d.slug, key, "安全生产综合协调股股长", r(RoleStaff, DistrictKey))
			b.gen(d.slug, key, "危化品监管股科员", r(RoleStaff, DistrictKey))
			b.gen(d.slug, key, "执法大队队员", r(RoleStaff, DistrictKey))
			b.gen(d.slug, key, d.clerk, r(RoleStaff, DistrictKey))
		case "xfj":
			b.gen(d.slug, key, "接访科科长", r(RoleStaff, DistrictKey))
			b.gen(d.slug, key, "办信科科员", r(RoleStaff, DistrictKey))
			b.gen(d.slug, key, d.clerk, r(RoleStaff, DistrictKey))
		case "dcs":
			b.gen(d.slug, key, d.clerk, r(RoleSupervisor, DistrictKey))
			b.gen(d.slug, key, d.clerk, r(RoleSupervisor, DistrictKey))
		case "jw":
			b.gen(d.slug, key, "第一监督检查室主任", r(RoleSupervisor, DistrictKey))
			b.gen(d.slug, key, d.clerk, r(RoleSupervisor, DistrictKey))
		case "zzb":
			b.gen(d.slug, key, "干部监督科科长", r(RoleSupervisor, DistrictKey))
		case "dsj":
			b.gen(d.slug, key, d.clerk, r(RoleStaff, key))
		default:
			b.gen(d.slug, key, d.clerk, r(RoleStaff, key))
		}
	}

	// --- Police stations ------------------------------------------------
	for _, u := range units {
		key := "p-" + u.slug
		tag := "pcs-" + strings.ToLower(u.code)
		b.gen(tag, key, "所长", r(RoleStaff, key))
		b.gen(tag, key, "教导员", r(RoleStaff, key))
		b.gen(tag, key, "社区民警", r(RoleStaff, key))
	}

	// --- Townships, streets and the zone --------------------------------
	for _, u := range units {
		key := unitKey(u)
		tag := strings.ToLower(u.code)
		sec, head, deputy := unitPosts(u)
		b.gen(tag, key, sec, r(RoleLeader, key))
		b.gen(tag, key, head, r(RoleLeader, key))
		b.gen(tag, key, deputy, r(RoleLeader, key))
		b.gen(tag, key, "应急办主任", r(RoleStaff, key))
		b.gen(tag, key, "信访办主任", r(RoleStaff, key))
		if key != keyQingshan { // 青山镇's 党政办科员 is the "qingshan" sign-in
			b.gen(tag, key, "党政办科员", r(RoleStaff, key))
		}
	}

	// --- Villages and communities ----------------------------------------
	for _, u := range units {
		for i, p := range u.places {
			key := placeKey(u, i, p)
			tag := fmt.Sprintf("%s%02d", strings.ToLower(u.code), i+1)
			if placeKind(p) == KindCommunity {
				b.gen(tag, key, "社区书记", r(RoleStaff, key))
			} else {
				b.gen(tag, key, "村党支部书记", r(RoleStaff, key))
				if i%2 == 1 {
					b.gen(tag, key, "村委会主任", r(RoleStaff, key))
				}
			}
			if key != keyShangping { // 上坪村's grid worker is the "wanggeyuan" sign-in
				b.gen(tag, key, "网格员", r(RoleGridWorker, key))
			}
		}
	}

	// --- A few more enterprise contacts ------------------------------------
	for _, key := range []string{"c-jinqiao-02", "v-jinqiao-04", "v-jinqiao-05", "v-liuhe-01", "v-baishui-02"} {
		b.gen("qy", key, "企业安全负责人", r(RoleEnterprise, key))
	}

	// --- Enterprises and places (after the people: their walks go on) ------
	b.addEnterprises()

	return b.ds
}

// SignIns returns the handful of sign-ins worth printing at start-up and
// listing in the README, in a fixed order. All of them use DemoPassword.
func SignIns() []SignIn {
	ds := District()
	orgName := make(map[string]string, len(ds.Orgs))
	for _, o := range ds.Orgs {
		orgName[o.Key] = o.Name
	}
	out := make([]SignIn, 0, len(specials))
	for _, s := range specials {
		out = append(out, SignIn{Login: s.login, Name: s.name, Description: s.desc, English: s.en, OrgName: orgName[s.org]})
	}
	return out
}
