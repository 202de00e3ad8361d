package demo

import (
	"fmt"

	"github.com/anwen-gov/anwen/internal/enterprise/uscc"
)

// Enterprise is one fictional entry of the register (企业场所) of the demo
// district. Names, codes, addresses and people are made up; the unified
// social credit codes carry the division code 990102, which no real place
// has, and a check character computed as GB 32100-2015 prescribes, so that
// they pass validation without belonging to anyone.
type Enterprise struct {
	Key               string // stable unique key, e.g. "e-qs-hazchem"
	Kind              string // enterprise | place
	Name              string
	USCC              string // "" for a place without one
	Address           string
	TerritoryKey      string // the org it belongs to (属地)
	RegulatorKey      string // a department, "" for none
	Industry          string // an industry code of internal/enterprise
	RiskLevel         string // major | large | general | low
	KeyEnterprise     bool   // 重点企业
	CrowdedPlace      bool   // 人员密集场所
	MajorHazardSource bool   // 重大危险源
	Closed            bool
	PrincipalName     string
	PrincipalPhone    string
	OfficerName       string // 安全管理人员
	OfficerPhone      string
	FoundedOn         string   // YYYY-MM-DD, "" when unknown
	Contacts          []string // logins of the demo people who speak for it (企业联络人)
}

// Risk levels and kinds, as internal/enterprise names them.
const (
	riskMajor   = "major"
	riskLarge   = "large"
	riskGeneral = "general"
	riskLow     = "low"
	kindEnt     = "enterprise"
	kindPlace   = "place"
)

// entSpec is one row of the table below.
type entSpec struct {
	key, territory, regulator string
	kind                      string
	reg                       string // the first two characters of the credit code: 91 company, 92 sole trader, 93 cooperative, 12 public institution; "" for none
	name, address             string
	industry, risk            string
	keyEnt, crowded, hazard   bool
	closed                    bool
	contact                   bool // the enterprise contact of the territory org speaks for it
}

// entSpecs: forty entries over the townships, streets and the zone; eleven
// in 青山镇, two of them in 上坪村 where the "qiye" sign-in works.
var entSpecs = []entSpec{
	// 青山镇
	{"e-qs-hazchem", "v-qingshan-01", "d-yjj", kindEnt, "91", "示范区青山瑞丰化工仓储有限公司", "青山镇上坪村工业路 8 号", "hazchem", riskLarge, true, false, true, false, true},
	{"e-qs-gas", "v-qingshan-01", "d-zjj", kindEnt, "91", "示范区青山燃气供应站", "青山镇上坪村坪前组 16 号", "gas", riskLarge, true, false, false, false, false},
	{"e-qs-fireworks", "v-qingshan-02", "d-yjj", kindEnt, "92", "青山镇竹园烟花爆竹零售店", "青山镇竹园村竹园街 21 号", "fireworks", riskGeneral, false, false, false, false, false},
	{"e-qs-station", "v-qingshan-03", "d-yjj", kindEnt, "91", "示范区青山枫林加油站", "青山镇枫林村省道旁", "hazchem", riskGeneral, false, false, false, false, false},
	{"e-qs-site", "v-qingshan-04", "d-zjj", kindEnt, "91", "示范区宏筑建设工程有限公司（石桥安置小区二期项目部）", "青山镇石桥村安置小区二期工地", "construction", riskLarge, true, false, false, false, false},
	{"e-qs-wood", "v-qingshan-05", "d-yjj", kindEnt, "91", "示范区杨家湾木制品加工厂", "青山镇杨家湾村 3 组", "dust", riskGeneral, false, false, false, false, false},
	{"e-qs-tea", "v-qingshan-06", "d-nyj", kindEnt, "93", "青山镇茶岭茶叶专业合作社", "青山镇茶岭村茶厂 1 号", "other", riskLow, false, false, false, false, false},
	{"e-qs-quarry", "v-qingshan-07", "d-yjj", kindEnt, "91", "示范区龙潭石料有限公司", "青山镇龙潭村后山", "mining", riskMajor, true, false, false, false, false},
	{"e-qs-restaurant", "c-qingshan-08", "d-scj", kindEnt, "92", "青山老街香满楼酒家", "青山镇青山社区老街 45 号", "catering", riskGeneral, false, false, false, false, false},
	{"e-qs-market", "c-qingshan-08", "d-scj", kindPlace, "", "青山农贸集贸市场", "青山镇青山社区集贸路", "crowded", riskGeneral, false, true, false, false, false},
	{"e-qs-school", "c-qingshan-08", "d-jyj", kindPlace, "12", "青山镇中心小学", "青山镇青山社区学堂路 2 号", "fire_key", riskLow, false, true, false, false, false},
	// 柳河镇
	{"e-lh-parts", "v-liuhe-01", "d-yjj", kindEnt, "91", "示范区柳河机械配件厂", "柳河镇河口村工业小区 5 号", "metallurgy", riskGeneral, false, false, false, false, true},
	{"e-lh-bus", "c-liuhe-07", "d-jtj", kindPlace, "12", "柳河汽车客运站", "柳河镇柳河社区车站路 1 号", "transport", riskGeneral, false, true, false, false, false},
	{"e-lh-brick", "v-liuhe-03", "d-yjj", kindEnt, "91", "示范区柳河新庄砖瓦有限公司", "柳河镇新庄村窑厂路", "metallurgy", riskLow, false, false, false, false, false},
	// 桃源镇
	{"e-ty-scenic", "v-taoyuan-01", "", kindPlace, "", "桃源桃花山景区", "桃源镇桃花村桃花山", "crowded", riskGeneral, false, true, false, false, false},
	{"e-ty-feed", "v-taoyuan-05", "d-yjj", kindEnt, "91", "示范区桃源饲料有限公司", "桃源镇高桥村高桥路 9 号", "dust", riskLarge, true, false, false, false, false},
	{"e-ty-clinic", "c-taoyuan-07", "d-wjj", kindPlace, "12", "桃源镇卫生院", "桃源镇桃源社区健康路 6 号", "fire_key", riskLow, false, true, false, false, false},
	// 白水镇
	{"e-bs-plating", "v-baishui-02", "d-yjj", kindEnt, "91", "示范区白水表面处理有限公司", "白水镇三河村河东路 12 号", "hazchem", riskLarge, true, false, false, false, true},
	{"e-bs-hydro", "v-baishui-04", "d-slj", kindEnt, "91", "示范区白水水磨电站", "白水镇水磨村电站路", "other", riskLow, false, false, false, false, false},
	{"e-bs-canteen", "c-baishui-07", "d-scj", kindEnt, "92", "白水福满楼餐厅", "白水镇白水社区中街 8 号", "catering", riskLow, false, false, false, false, false},
	// 石门镇
	{"e-sm-lime", "v-shimen-01", "d-yjj", kindEnt, "91", "示范区石门岩口石灰石矿", "石门镇岩口村矿山路", "mining", riskMajor, true, false, false, false, false},
	{"e-sm-elderly", "c-shimen-06", "d-mzj", kindPlace, "12", "石门镇敬老院", "石门镇石门社区福寿路 3 号", "fire_key", riskGeneral, false, true, false, false, false},
	// 云溪乡
	{"e-yx-fireworks", "v-yunxi-01", "d-yjj", kindEnt, "91", "示范区云溪烟花爆竹批发有限公司", "云溪乡云溪村库房路 1 号", "fireworks", riskLarge, true, false, true, false, false},
	// 松岭乡
	{"e-sl-timber", "v-songling-02", "d-yjj", kindEnt, "91", "示范区松岭林产品加工厂", "松岭乡松林村林场路 7 号", "dust", riskGeneral, false, false, false, false, false},
	// 东城街道
	{"e-dc-mall", "c-dongcheng-01", "d-xfdd", kindEnt, "91", "示范区东城国贸购物广场有限公司", "东城街道东门社区人民路 88 号", "crowded", riskLarge, true, true, false, false, false},
	{"e-dc-hotel", "c-dongcheng-05", "d-scj", kindEnt, "91", "示范区滨江大酒店有限公司", "东城街道滨江社区滨江路 18 号", "catering", riskGeneral, false, true, false, false, false},
	{"e-dc-market", "c-dongcheng-03", "d-scj", kindPlace, "", "东城解放路农贸市场", "东城街道解放路社区解放路 120 号", "crowded", riskGeneral, false, true, false, false, false},
	// 南湖街道
	{"e-nh-cinema", "c-nanhu-01", "d-xfdd", kindEnt, "91", "示范区南湖影城有限公司", "南湖街道南湖社区湖心路 6 号", "crowded", riskGeneral, false, true, false, false, false},
	{"e-nh-site", "c-nanhu-04", "d-zjj", kindEnt, "91", "示范区翠湖置业有限公司（翠湖湾三期项目）", "南湖街道翠湖社区翠湖湾三期工地", "construction", riskLarge, true, false, false, false, false},
	// 文昌街道
	{"e-wc-school", "c-wenchang-03", "d-jyj", kindPlace, "12", "示范区文昌实验中学", "文昌街道学府社区学府路 1 号", "fire_key", riskGeneral, false, true, false, false, false},
	{"e-wc-hotpot", "c-wenchang-01", "d-scj", kindEnt, "92", "文昌老街火锅店", "文昌街道文昌社区文昌街 33 号", "catering", riskLow, false, false, false, false, false},
	// 北苑街道
	{"e-by-lpg", "c-beiyuan-05", "d-zjj", kindEnt, "91", "示范区北苑液化石油气储配站", "北苑街道工农社区储运路 2 号", "gas", riskMajor, true, false, true, false, false},
	{"e-by-depot", "c-beiyuan-02", "d-jtj", kindEnt, "91", "示范区北苑公交停保场", "北苑街道新华社区北环路 50 号", "transport", riskGeneral, false, false, false, false, false},
	// 金桥经济开发区
	{"e-jq-materials", "c-jinqiao-02", "d-yjj", kindEnt, "91", "示范区金桥新材料科技有限公司", "金桥经济开发区工业园社区纬二路 6 号", "hazchem", riskMajor, true, false, true, false, true},
	{"e-jq-aluminium", "v-jinqiao-04", "d-yjj", kindEnt, "91", "示范区金桥铝制品有限公司", "金桥经济开发区金桥村经三路 15 号", "dust", riskLarge, true, false, false, false, true},
	{"e-jq-food", "v-jinqiao-05", "d-yjj", kindEnt, "91", "示范区银湖食品有限公司", "金桥经济开发区银湖村食品园 3 号", "metallurgy", riskGeneral, false, false, false, false, true},
	{"e-jq-cranes", "c-jinqiao-03", "d-scj", kindEnt, "91", "示范区金桥起重设备有限公司", "金桥经济开发区创业社区经一路 20 号", "special_equipment", riskGeneral, false, false, false, false, false},
	{"e-jq-logistics", "c-jinqiao-02", "d-jtj", kindEnt, "91", "示范区金桥物流有限公司", "金桥经济开发区工业园社区纬一路 11 号", "transport", riskLow, false, false, false, false, false},
	{"e-jq-steel", "v-jinqiao-06", "d-yjj", kindEnt, "91", "示范区汇川钢结构有限公司", "金桥经济开发区汇川村经五路 4 号", "metallurgy", riskGeneral, false, false, false, true, false},
	{"e-jq-warehouse", "v-jinqiao-04", "d-xfdd", kindEnt, "91", "示范区金桥冷链仓储有限公司", "金桥经济开发区金桥村经三路 27 号", "fire_key", riskLow, false, false, false, false, false},
}

// demoDivision is the administrative division code of the demo's credit
// codes: 99 is no province, so no real code can match.
const demoDivision = "990102"

// enterpriseUSCC makes the credit code of the i-th entry: the registration
// prefix, the division, a nine-character organisation code, the check character.
func enterpriseUSCC(reg string, i int) string {
	code, err := uscc.Complete(fmt.Sprintf("%s%sMA%07d", reg, demoDivision, 2600000+i*37))
	if err != nil {
		panic("demo: " + err.Error())
	}
	return code
}

// addEnterprises fills ds.Enterprises: principals and safety officers get
// fictional names and phones from the same walks as the people; where the
// territory has an enterprise contact (企业联络人) among the people, that
// person is the flagged enterprise's contact and its safety officer.
func (b *builder) addEnterprises() {
	contactOf := map[string]Person{}
	for _, p := range b.ds.People {
		for _, r := range p.Roles {
			if r.Role == RoleEnterprise {
				contactOf[r.ScopeOrgKey] = p
			}
		}
	}
	for i, s := range entSpecs {
		if !b.orgs[s.territory] || (s.regulator != "" && !b.orgs[s.regulator]) {
			panic("demo: unknown org for enterprise " + s.key)
		}
		e := Enterprise{Key: s.key, Kind: s.kind, Name: s.name, Address: s.address, TerritoryKey: s.territory, RegulatorKey: s.regulator,
			Industry: s.industry, RiskLevel: s.risk, KeyEnterprise: s.keyEnt, CrowdedPlace: s.crowded, MajorHazardSource: s.hazard, Closed: s.closed}
		if s.reg != "" {
			e.USCC = enterpriseUSCC(s.reg, i)
			e.FoundedOn = fmt.Sprintf("%d-%02d-%02d", 1996+(i*7)%27, 1+(i*5)%12, 1+(i*11)%28)
		}
		e.PrincipalName, _ = b.nextName()
		b.names[e.PrincipalName] = true
		e.PrincipalPhone = b.nextPhone()
		if c, ok := contactOf[s.territory]; ok && s.contact {
			e.OfficerName, e.OfficerPhone = c.Name, c.Phone
			e.Contacts = []string{c.Login}
		} else if s.kind == kindEnt {
			e.OfficerName, _ = b.nextName()
			b.names[e.OfficerName] = true
			e.OfficerPhone = b.nextPhone()
		}
		b.ds.Enterprises = append(b.ds.Enterprises, e)
	}
}
