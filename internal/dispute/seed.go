package dispute

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
)

// demoClock is a clock the demo seed moves by hand, so that each step
// carries the time it would have had.
type demoClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *demoClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *demoClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t.UTC().Truncate(time.Microsecond)
	c.mu.Unlock()
}

// demoStep is a step taken some days after the dispute, by handler.
type demoStep struct {
	day int
	in  TransitionInput
}

// demoDispute is one fictional dispute and how far it got. All names and
// numbers are made up.
type demoDispute struct {
	org, registrar, handler string // org code, logins
	daysAgo                 int
	in                      Input
	respOrg                 string // org code of the responsible unit
	steps                   []demoStep
}

func session(method, outcome, mediator, note string) TransitionInput {
	return TransitionInput{Action: ActRecordSession, Session: &SessionInput{Method: method, Outcome: outcome, Mediator: mediator, Note: note}}
}

var demoDisputes = []demoDispute{
	{org: "SFQ-QS-01", registrar: "wanggeyuan", handler: "qingshan", daysAgo: 26, respOrg: "SFQ-RSJ",
		in: Input{Type: "wages", Summary: "某建筑劳务队拖欠上坪村务工人员工资，多次讨要未果，务工人员表示将集体到镇政府反映", Parties: "务工村民与劳务队", PartyCount: 12,
			PartyName: "刘某明", PartyPhone: "13900001201", AmountYuan: 186000, RiskLevel: "red", Urgency: UrgencyUrgent, Place: "上坪村安置点工地", Resolver: "上坪村调委会"},
		steps: []demoStep{{1, TransitionInput{Action: ActStart}},
			{3, session(MethodPeople, OutcomeContinuing, "上坪村调委会", "劳务队负责人承认欠薪，提出分期支付，务工人员不同意")},
			{9, session(MethodAdministrative, OutcomePartial, "区人社局劳动监察大队", "总包单位先行垫付 60%，余款约定本月底前付清")}}},
	{org: "SFQ-QS-02", registrar: "qingshan", handler: "qingshan", daysAgo: 40,
		in: Input{Type: "land", Summary: "两户村民因承包地界址不清发生争执，一方毁坏对方青苗", Parties: "两户村民", PartyCount: 2, RiskLevel: "yellow", Place: "竹园村四组"},
		steps: []demoStep{{1, TransitionInput{Action: ActStart}},
			{4, session(MethodPeople, OutcomeAgreed, "竹园村调委会", "对照确权图重新勘界，毁苗方赔偿 800 元")},
			{5, TransitionInput{Action: ActResolve, Comment: "双方签订调解协议，重新埋设界桩，赔偿款已当场付清"}}}},
	{org: "SFQ-QS-03", registrar: "qingshan", handler: "qingshan", daysAgo: 33,
		in: Input{Type: "expropriation", Summary: "县道拓宽征地补偿标准存在异议，部分农户拒绝签约，阻挠施工", Parties: "被征地农户", PartyCount: 9,
			PartyName: "陈某华", PartyPhone: "13900001203", AmountYuan: 450000, RiskLevel: "orange", Place: "枫林村县道沿线"},
		steps: []demoStep{{2, TransitionInput{Action: ActStart}},
			{6, session(MethodJoint, OutcomeFailed, "镇综治中心", "农户要求按新标准补偿，暂未达成一致")},
			{12, TransitionInput{Action: ActStabilize, Comment: "已停止阻工，包村干部每周走访，等待区里复核补偿标准"}}}},
	{org: "SFQ-QS-04", registrar: "qingshan", handler: "qingshan", daysAgo: 2,
		in: Input{Type: "neighbour", Summary: "邻里因排水沟堵塞、雨后积水引发口角", Parties: "相邻两户", PartyCount: 2, RiskLevel: "blue", Place: "石桥村二组"}},
	{org: "SFQ-QS-01", registrar: "wanggeyuan", handler: "qingshan", daysAgo: 45,
		in: Input{Type: "family", Summary: "老人因赡养问题与子女长期不和，要求子女按月支付赡养费", Parties: "老人与三名子女", PartyCount: 4,
			PartyName: "黄某英", PartyPhone: "13900001205", AmountYuan: 24000, RiskLevel: "yellow", Deadline: "", Place: "上坪村五组"},
		steps: []demoStep{{3, TransitionInput{Action: ActStart}}, {10, session(MethodPeople, OutcomeContinuing, "上坪村调委会", "两名子女同意，一名子女在外务工暂未联系上")}}},
	{org: "SFQ-QS-08", registrar: "qingshan", handler: "qingshan", daysAgo: 15,
		in:    Input{Type: "property", Summary: "小区物业费上涨引发业主不满，部分业主拒交物业费，物业公司拟停止保洁", Parties: "业主与物业公司", PartyCount: 36, RiskLevel: "orange", Place: "青山社区锦苑小区"},
		steps: []demoStep{{1, TransitionInput{Action: ActStart}}, {7, session(MethodAdministrative, OutcomePartial, "镇住建办", "物业公司公示成本明细，涨幅由 30% 调为 15%，部分业主仍有异议")}}},
	{org: "SFQ-QS-05", registrar: "qingshan", handler: "qingshan", daysAgo: 50,
		in: Input{Type: "construction", Summary: "新建安置房墙体开裂、屋面渗水，购房户要求开发商维修并赔偿", Parties: "安置户与开发商", PartyCount: 18,
			PartyName: "周某军", PartyPhone: "13900001207", AmountYuan: 300000, RiskLevel: "red", Urgency: UrgencyUrgent, Place: "杨家湾安置小区"},
		steps: []demoStep{{1, TransitionInput{Action: ActStart}},
			{5, session(MethodJoint, OutcomeFailed, "镇综治中心、区住建局", "开发商仅同意维修，不同意赔偿")},
			{14, TransitionInput{Action: ActToPetition, Reason: "购房户向区信访局提出信访事项，转入信访程序依法办理", TransferRef: "XF-2026-000318"}}}},
	{org: "SFQ-QS-06", registrar: "qingshan", handler: "qingshan", daysAgo: 38,
		in: Input{Type: "environment", Summary: "养猪场异味扰民，周边村民多次反映", Parties: "周边村民与养殖户", PartyCount: 23, RiskLevel: "orange", Place: "茶岭村三组"},
		steps: []demoStep{{2, TransitionInput{Action: ActStart}},
			{8, session(MethodAdministrative, OutcomeAgreed, "区生态环境分局", "养殖户同意限期建设粪污处理设施，年底前迁出居民区")},
			{9, TransitionInput{Action: ActResolve, Comment: "签订整改承诺书，粪污处理设施已动工，村民代表签字认可"}}}},
	{org: "SFQ-QS-07", registrar: "qingshan", handler: "qingshan", daysAgo: 6,
		in:    Input{Type: "traffic", Summary: "摩托车与三轮车相撞致一人受伤，双方就医疗费承担发生争执", Parties: "事故双方", PartyCount: 3, AmountYuan: 80000, RiskLevel: "yellow", Place: "龙潭村村道"},
		steps: []demoStep{{1, session(MethodPeople, OutcomeContinuing, "龙潭村调委会", "等待交警事故认定书")}}},
	{org: "SFQ-DC-01", registrar: "xfj", handler: "xfj", daysAgo: 20,
		in:    Input{Type: "property", Summary: "老旧小区加装电梯，一楼住户担心采光受影响，反对施工", Parties: "楼栋住户", PartyCount: 11, RiskLevel: "yellow", Place: "东门社区解放路 12 号院"},
		steps: []demoStep{{2, TransitionInput{Action: ActStart}}, {6, session(MethodPeople, OutcomeContinuing, "东门社区调委会", "拟由加装住户给予一楼适当补偿")}}},
	{org: "SFQ-LH-01", registrar: "xfj", handler: "xfj", daysAgo: 60,
		in: Input{Type: "land", Summary: "林地承包合同到期后双方对续包价格争议，一方已向法院起诉", Parties: "承包户与村集体", PartyCount: 5, AmountYuan: 120000, RiskLevel: "orange", Place: "河口村后山林地"},
		steps: []demoStep{{3, session(MethodPeople, OutcomeFailed, "河口村调委会", "双方分歧较大")},
			{10, TransitionInput{Action: ActToCourt, Reason: "承包户已向区人民法院起诉，引导通过诉讼解决", TransferRef: "（2026）示民初 1204 号"}}}},
	{org: "SFQ-NH-02", registrar: "xfj", handler: "xfj", daysAgo: 28,
		in: Input{Type: "wages", Summary: "餐饮店停业，拖欠 7 名员工两个月工资", Parties: "员工与餐饮店", PartyCount: 7, AmountYuan: 56000, RiskLevel: "orange", Place: "湖滨社区滨湖路"},
		steps: []demoStep{{1, TransitionInput{Action: ActStart}},
			{4, session(MethodArbitration, OutcomeAgreed, "区劳动人事争议仲裁院", "仲裁调解书确认欠薪数额，店主一次付清")},
			{5, TransitionInput{Action: ActResolve, Comment: "工资已全部支付，员工签字确认"}}}},
}

// SeedDemo registers about a dozen fictional disputes in every state, as
// the demo's own people, with the times they would have had over the last
// two months. It runs once: a database that has demo disputes is left
// alone. Overdue ones are left for the clock engine to find at its next
// sweep.
func SeedDemo(ctx context.Context, s *Service) (int, error) {
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM disputes WHERE source_ref LIKE 'demo-%'").Scan(&n); err != nil || n > 0 {
		return 0, err
	}
	clk := &demoClock{}
	ds := *s
	ds.Clock = clk
	ds.Notifier = nil // the demo's past sends nothing
	now := s.Clock.Now()
	actors := map[string]*auth.Actor{}
	actor := func(login string) (*auth.Actor, error) {
		if a, ok := actors[login]; ok {
			return a, nil
		}
		var id int64
		if err := s.DB.QueryRow(ctx, "SELECT id FROM users WHERE login = ?", login).Scan(&id); err != nil {
			return nil, fmt.Errorf("demo disputes: login %s: %w", login, err)
		}
		a, err := s.Auth.LoadActor(ctx, id, "demo")
		if err != nil {
			return nil, err
		}
		actors[login] = a
		return a, nil
	}
	orgID := func(code string) (int64, error) {
		var id int64
		err := s.DB.QueryRow(ctx, "SELECT id FROM orgs WHERE code = ?", code).Scan(&id)
		return id, err
	}
	created := 0
	for i, dd := range demoDisputes {
		tid, err := orgID(dd.org)
		if err != nil {
			continue // a district without this org: skip it
		}
		reg, err := actor(dd.registrar)
		if err != nil {
			return created, err
		}
		start := now.AddDate(0, 0, -dd.daysAgo).Add(-time.Duration(i*37) * time.Minute)
		clk.set(start)
		in := dd.in
		in.OrgID = tid
		at := start.Add(-2 * time.Hour)
		in.OccurredAt = &at
		if dd.respOrg != "" {
			if rid, err := orgID(dd.respOrg); err == nil {
				in.ResponsibleOrgID = &rid
			}
		}
		p, err := ds.plan(ctx, s.DB, reg, in, false)
		if err != nil {
			return created, fmt.Errorf("demo dispute %d: %w", i, err)
		}
		p.sourceRef = fmt.Sprintf("demo-%d", i+1)
		var id int64
		if err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			id, err = ds.write(ctx, tx, reg, p)
			return err
		}); err != nil {
			return created, fmt.Errorf("demo dispute %d: %w", i, err)
		}
		created++
		h, err := actor(dd.handler)
		if err != nil {
			return created, err
		}
		for j, st := range dd.steps {
			clk.set(start.AddDate(0, 0, st.day).Add(time.Duration(j+1) * time.Hour))
			if clk.Now().After(now) {
				break
			}
			in := st.in
			if in.Session != nil {
				se := *in.Session
				held := clk.Now().Add(-30 * time.Minute)
				se.HeldAt = &held
				in.Session = &se
			}
			if _, err := ds.Transition(ctx, h, id, in); err != nil {
				return created, fmt.Errorf("demo dispute %d step %s: %w", i, in.Action, err)
			}
		}
	}
	return created, nil
}
