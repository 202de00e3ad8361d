package hazard

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sync"
	"time"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
)

// demoClock is a clock the demo seed moves by hand, so that each hazard's
// steps carry the times they would have had.
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

// demoHazard is one fictional hazard: what, where and how far it got.
type demoHazard struct {
	cat, desc, loc, measures string
	major                    bool
}

var demoHazards = []demoHazard{
	{"electrical", "配电箱线路老化、私拉乱接，未安装漏电保护器", "一楼配电间", "更换老化线路，加装漏电保护器", false},
	{"fire", "消防通道堆放杂物，安全出口被锁闭", "仓库东侧通道", "清理通道杂物，打开安全出口", false},
	{"fire", "灭火器过期未检验，部分压力不足", "车间二楼", "送检或更换灭火器并建立检查记录", false},
	{"gas", "后厨燃气软管老化开裂，未安装可燃气体报警器", "后厨操作间", "更换金属软管，安装报警器并与切断阀联动", false},
	{"special_equipment", "叉车未定期检验，司机无证驾驶", "成品仓库", "送检叉车，安排司机培训取证", false},
	{"hazchem", "危化品仓库未分类存放，氧化剂与易燃物混放", "危化品仓库", "按性质分区存放，设置隔离和标识", false},
	{"confined_space", "污水井未设置有限空间警示标志，无作业审批记录", "厂区污水处理站", "设置警示标志，建立台账和审批制度", false},
	{"dust", "除尘器未设置泄爆装置，粉尘清扫不及时", "抛光车间", "加装泄爆片，落实每班清扫制度", false},
	{"construction", "脚手架连墙件缺失，作业人员未系安全带", "在建3号楼", "补设连墙件，落实高处作业防护", false},
	{"traffic", "村道急弯处无警示标志和防护栏", "村委会至学校路段", "增设警示标志和波形护栏", false},
	{"electrical", "宿舍内电动自行车违规充电", "员工宿舍一楼", "设置集中充电点，清理室内充电", false},
	{"fire", "自动喷水灭火系统末端试水压力不足", "商场三层", "检修消防水泵和管网", false},
	{"gas", "瓶装液化气钢瓶与灶具安全间距不足", "沿街门面", "调整钢瓶位置，加装防护", false},
	{"construction", "塔吊基础积水，限位装置失效", "项目部工地", "排水并修复限位装置，复检后使用", false},
	{"other", "员工宿舍与生产车间未有效分隔", "车间夹层", "拆除夹层宿舍，另行安排住宿", false},
	{"dust", "粉尘爆炸危险场所设在多层建筑内，与员工宿舍相邻", "木制品加工车间", "", true},
	{"confined_space", "有限空间作业未执行“先通风、再检测、后作业”", "发酵池", "", true},
	{"hazchem", "液氨充装未使用万向管道充装系统", "充装站", "", true},
}

// SeedDemo registers about sixty fictional hazards in every state over the
// enterprises there are (over the territories when there are none), as the
// demo's own people, with the times they would have had: the last ten
// weeks of finding, rectifying, accepting, extending and listing. It runs
// once: a database that has demo hazards is left alone. Overdue ones are
// left for the clock engine to find at its next sweep.
func SeedDemo(ctx context.Context, s *Service) (int, error) {
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM hazards WHERE source_ref LIKE 'demo-%'").Scan(&n); err != nil || n > 0 {
		return 0, err
	}
	clk := &demoClock{}
	ds := *s
	ds.Clock = clk
	ds.Notifier = nil // the demo's past sends nothing
	now := s.Clock.Now()
	type place struct {
		enterprise int64
		territory  int64
		path       string
	}
	var places []place
	rows, err := s.DB.Query(ctx, `SELECT e.id, e.territory_org_id, o.path FROM enterprises e JOIN orgs o ON o.id = e.territory_org_id WHERE NOT e.closed ORDER BY e.id LIMIT 40`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var p place
		if err := rows.Scan(&p.enterprise, &p.territory, &p.path); err != nil {
			rows.Close()
			return 0, err
		}
		places = append(places, p)
	}
	rows.Close()
	if len(places) == 0 {
		rows, err := s.DB.Query(ctx, `SELECT id, path FROM orgs WHERE kind IN ('township', 'street', 'zone', 'village', 'community') ORDER BY path LIMIT 60`)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var p place
			if err := rows.Scan(&p.territory, &p.path); err != nil {
				rows.Close()
				return 0, err
			}
			places = append(places, p)
		}
		rows.Close()
	}
	if len(places) == 0 {
		return 0, nil
	}
	acceptor, err := demoActor(ctx, s, "", "staff")
	if err != nil {
		return 0, err
	}
	supervisor, _ := demoActor(ctx, s, "", "leader")
	if supervisor == nil {
		supervisor = acceptor
	}
	var evidence func(a *auth.Actor) []int64
	if s.Attachments != nil {
		evidence = func(a *auth.Actor) []int64 {
			att, err := s.Attachments.Store(ctx, a, "整改后照片.png", bytes.NewReader(demoPhoto(len(places))))
			if err != nil {
				return nil
			}
			return []int64{att.ID}
		}
	}
	standards, _ := Standards(ctx, s.DB, false)
	stdFor := func(cat string) *int64 {
		for _, st := range standards {
			if st.Category == cat {
				id := st.ID
				return &id
			}
		}
		if len(standards) > 0 {
			id := standards[0].ID
			return &id
		}
		return nil
	}
	// The plan: how far along each hazard is, and when it was found.
	type fate struct {
		end     string // the state it ends in, or "overdue", "late", "spot", "extension"
		daysAgo int    // found this many days ago
		days    int    // the deadline this many days after finding
	}
	var fates []fate
	add := func(end string, count, from, step, days int) {
		for i := 0; i < count; i++ {
			fates = append(fates, fate{end, from + i*step, days})
		}
	}
	add(Closed, 18, 12, 3, 10)
	add("late", 4, 40, 6, 7)
	add(Rectifying, 9, 2, 1, 14)
	add(Registered, 7, 1, 1, 10)
	add("overdue", 7, 20, 4, 7)
	add(AwaitingAcceptance, 5, 6, 2, 10)
	add("spot", 3, 3, 9, 0)
	add(Cancelled, 2, 15, 11, 10)
	add("extension", 2, 9, 3, 10)
	created := 0
	for i, fa := range fates {
		p := places[(i*7)%len(places)]
		dh := demoHazards[i%len(demoHazards)]
		reg, err := demoActor(ctx, s, p.path, "")
		if err != nil || reg == nil {
			reg = acceptor
		}
		found := calendar.DateOf(now).AddDays(-fa.daysAgo).Time().Add(time.Duration(9+i%8)*time.Hour + time.Duration(i*7%60)*time.Minute)
		clk.set(found)
		in := Input{Source: []string{SourceInspection, SourceInspection, SourceSelfReport, SourceTip, SourceInspection}[i%5], SourceRef: fmt.Sprintf("demo-%d", i+1),
			Description: dh.desc, Location: dh.loc, Category: dh.cat, Measures: dh.measures, FoundAt: &found,
			ResponsiblePerson: []string{"王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆"}[i%6], FundsYuan: float64((i%5)*1500 + 500),
			Deadline: calendar.DateOf(found).AddDays(fa.days).String()}
		if p.enterprise != 0 {
			id := p.enterprise
			in.EnterpriseID = &id
		} else {
			in.OrgID = p.territory
		}
		if dh.major && fa.end != "spot" {
			in.Grade, in.StandardID = Major, stdFor(dh.cat)
			in.Major = &MajorReport{StateCause: "检查发现" + dh.desc + "，原因是企业安全投入不足、日常排查流于形式。", Harm: "一旦发生事故可能造成多人伤亡，需停产整改，整改难度较大。",
				PlanGoal: "限期消除隐患，恢复安全生产条件", PlanMethod: "停产整改，委托专业机构设计改造方案", PlanFunds: "企业自筹约 30 万元", PlanStaff: "主要负责人牵头，安全员具体落实",
				PlanSchedule: "30 日内完成改造并申请复查", PlanSafety: "整改期间设置警戒区，制定专项应急预案"}
			in.Deadline = calendar.DateOf(found).AddDays(30).String()
		}
		if fa.end == "spot" {
			in.FixedOnSpot, in.Deadline, in.Comment = true, "", "现场立即整改完毕"
			if evidence == nil {
				continue
			}
			in.EvidenceIDs = evidence(reg)
		}
		h, err := ds.Register(ctx, reg, in)
		if err != nil {
			return created, fmt.Errorf("demo hazard %d: %w", i+1, err)
		}
		created++
		step := func(a *auth.Actor, at time.Time, t TransitionInput) error {
			clk.set(at)
			_, err := ds.Transition(ctx, a, h.ID, t)
			return err
		}
		deadline := h.DeadlineDate().Time().Add(15 * time.Hour)
		var serr error
		switch fa.end {
		case Rectifying, "overdue", "extension":
			serr = step(reg, found.Add(20*time.Hour), TransitionInput{Action: ActStart, Comment: "已安排人员整改"})
			if serr == nil && fa.end == "extension" {
				serr = step(reg, found.Add(40*time.Hour), TransitionInput{Action: ActRequestExtension, Reason: "所需设备需定制，到货需要时间",
					NewDeadline: h.DeadlineDate().AddDays(14).String()})
			}
		case AwaitingAcceptance, Closed, "late":
			at := found.Add(30 * time.Hour)
			if fa.end == "late" {
				at = deadline.Add(3 * 24 * time.Hour)
			}
			if evidence == nil {
				break
			}
			serr = step(reg, at, TransitionInput{Action: ActSubmitEvidence, Comment: "已按要求完成整改：" + dh.measures, AttachmentIDs: evidence(reg)})
			if serr == nil && fa.end != AwaitingAcceptance {
				serr = step(acceptor, at.Add(26*time.Hour), TransitionInput{Action: ActAccept, Comment: "经现场复核，整改到位，同意销号"})
			}
		case Cancelled:
			serr = step(acceptor, found.Add(24*time.Hour), TransitionInput{Action: ActCancel, Reason: "经核实与已登记隐患重复"})
		}
		if serr == nil && h.Grade == Major && fa.end != Closed && fa.end != "late" && fa.end != Cancelled && supervisor != nil {
			serr = step(supervisor, found.Add(48*time.Hour), TransitionInput{Action: ActSupervise, NewDeadline: calendar.DateOf(now).AddDays(20).String(),
				Comment: "区安委办挂牌督办，请按方案限期整改并报送进展"})
		}
		if serr != nil {
			s.log().Warn("demo hazard step", "n", i+1, "err", serr)
		}
	}
	// The district leader in charge hears of overdue major hazards.
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var leader int64
		if err := tx.QueryRow(ctx, "SELECT id FROM users WHERE post LIKE ? ORDER BY id LIMIT 1", "%分管安全生产副区长%").Scan(&leader); err != nil {
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE hazard_settings SET leader_user_id = ?, updated_at = ? WHERE id = 1 AND leader_user_id IS NULL", leader, now); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(command line)", ClientAddr: "local", Action: "hazard.demo", Result: audit.OK,
			Detail: fmt.Sprintf("%d demo hazards", created)})
	})
	return created, err
}

// demoActor is a demo person who works where path is: the staff or grid
// worker closest to it, or (path "") someone of role at the district.
func demoActor(ctx context.Context, s *Service, path, role string) (*auth.Actor, error) {
	var uid int64
	var err error
	if path == "" {
		err = s.DB.QueryRow(ctx, `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id JOIN orgs o ON o.id = r.scope_org_id
			WHERE r.role = ? AND o.parent_id IS NULL AND NOT u.disabled ORDER BY u.id LIMIT 1`, role).Scan(&uid)
	} else {
		err = s.DB.QueryRow(ctx, `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id JOIN orgs o ON o.id = r.scope_org_id
			WHERE r.role IN ('staff', 'grid_worker') AND ? >= o.path AND ? < `+concatZero(s.DB.Dialect)+` AND NOT u.disabled AND o.parent_id IS NOT NULL
			ORDER BY o.depth DESC, r.role DESC, u.id LIMIT 1`, path, path).Scan(&uid)
	}
	if err != nil {
		return nil, err
	}
	return s.Auth.LoadActor(ctx, uid, "demo")
}

// concatZero is the upper bound of o.path's subtree: the path with its
// final "/" turned into "0" (see org.SubtreeRange).
func concatZero(d db.Dialect) string {
	if d == db.Postgres {
		return "(left(o.path, length(o.path) - 1) || '0')"
	}
	return "(substr(o.path, 1, length(o.path) - 1) || '0')"
}

// demoPhoto is a small picture standing for a photo: a calm gradient.
func demoPhoto(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for y := 0; y < 120; y++ {
		for x := 0; x < 160; x++ {
			img.Set(x, y, color.RGBA{uint8(120 + x/4), uint8(150 + y/3), uint8(170 + (seed*13)%60), 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
