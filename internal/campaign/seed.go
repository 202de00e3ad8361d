package campaign

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	dl "github.com/anwen-gov/anwen/internal/deadline"
)

// DemoInspector records a submitted inspection of an enterprise for a
// campaign, made by a at the time at; with a problem, the problem becomes a
// hazard of the campaign due on deadline. internal/app implements it with
// the inspection capability, which this package does not import.
type DemoInspector func(ctx context.Context, a *auth.Actor, campaignID, enterpriseID int64, at time.Time, problem, deadline string) error

// demoVisit is one inspection of the demo: the enterprise, how many days
// ago, and the problem found ("" none).
type demoVisit struct {
	enterprise string
	daysAgo    int
	problem    string
}

// SeedDemo runs the demo district's campaigns (排查整治行动), once: an
// earlier district campaign, closed, whose hazards are still partly open;
// the running district campaign, launched two weeks ago with its
// inspections, a hazard or two, a re-check (回头看) recorded and the
// halfway checkpoint's flags; and a township's draft. The commands that
// load the demo call it after the hazards; it does nothing when any
// campaign exists or the demo's people are missing. Past moments run on a
// clock of their own, and the demo's past sends no messages.
func SeedDemo(ctx context.Context, s *Service, inspect DemoInspector) (int, error) {
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM campaigns").Scan(&n); err != nil || n > 0 {
		return 0, err
	}
	yjj, err := demoActor(ctx, s, "yjj")
	if err != nil || yjj == nil {
		return 0, err
	}
	township, err := demoActor(ctx, s, "qingshan")
	if err != nil || township == nil {
		return 0, err
	}
	now := s.Clock.Now()
	today := calendar.DateOf(now)
	at := func(daysAgo int) *Service {
		past := *s
		past.Clock = clock.NewManual(now.AddDate(0, 0, -daysAgo))
		past.Notifier = nil
		return &past
	}
	ent := func(name string) int64 {
		var id int64
		if err := s.DB.QueryRow(ctx, "SELECT id FROM enterprises WHERE name = ? AND NOT closed", name).Scan(&id); err != nil {
			return 0
		}
		return id
	}
	visit := func(c *Campaign, who *auth.Actor, visits []demoVisit) error {
		for _, v := range visits {
			id := ent(v.enterprise)
			if id == 0 {
				continue
			}
			when := now.AddDate(0, 0, -v.daysAgo).Add(-time.Duration(v.daysAgo%5) * time.Hour)
			deadline := calendar.DateOf(when).AddDays(10).String()
			if err := inspect(ctx, who, c.ID, id, when, v.problem, deadline); err != nil {
				return err
			}
		}
		return nil
	}

	// The earlier campaign: before the flood season, now closed.
	earlier, err := at(60).Create(ctx, yjj, Input{Title: "汛期前安全隐患大排查", Description: "重点检查危险化学品、烟花爆竹、人员密集场所的防汛防雷和用电安全。",
		PeriodStart: today.AddDays(-60).String(), PeriodEnd: today.AddDays(-35).String(), Deadline: today.AddDays(-30).String()})
	if err != nil {
		return 0, err
	}
	if err := visit(earlier, yjj, []demoVisit{
		{"示范区青山瑞丰化工仓储有限公司", 55, "防雷接地检测报告过期，储罐区静电接地线断开"},
		{"青山镇竹园烟花爆竹零售店", 52, "店内烟花爆竹超量存放，与居住场所未有效分隔"},
		{"示范区东城国贸购物广场有限公司", 50, "地下车库两处消火栓被杂物遮挡"},
		{"示范区金桥铝制品有限公司", 48, "抛光车间除尘器泄爆片破损未更换"},
		{"示范区青山燃气供应站", 46, ""},
		{"柳河汽车客运站", 44, ""},
	}); err != nil {
		return 0, err
	}
	if _, err := at(28).Transition(ctx, yjj, earlier.ID, TransitionInput{Action: ActClose, Note: "按期结束，未整改隐患转入下一轮回头看"}); err != nil {
		return 0, err
	}

	// The running campaign: year end, over the whole district.
	var tmpl *int64
	var tid int64
	if err := s.DB.QueryRow(ctx, "SELECT id FROM inspection_templates WHERE code = 'crowded_fire' AND active").Scan(&tid); err == nil {
		tmpl = &tid
	}
	current, err := at(16).Create(ctx, yjj, Input{Title: "岁末年初安全生产隐患排查整治", TemplateID: tmpl,
		Description: "岁末年初是事故易发期。各乡镇（街道）、村（社区）对辖区生产经营单位逐一排查，对上一轮未整改隐患开展回头看，做到排查全覆盖、整治全闭环。",
		PeriodStart: today.AddDays(-16).String(), PeriodEnd: today.AddDays(13).String(), Deadline: today.AddDays(15).String()})
	if err != nil {
		return 0, err
	}
	if err := visit(current, township, []demoVisit{
		{"示范区青山瑞丰化工仓储有限公司", 12, "危化品仓库应急照明不亮"},
		{"示范区青山燃气供应站", 11, ""},
		{"青山镇竹园烟花爆竹零售店", 10, ""},
		{"示范区青山枫林加油站", 9, ""},
		{"青山老街香满楼酒家", 8, "厨房燃气软管老化开裂"},
		{"青山农贸集贸市场", 7, ""},
		{"青山镇中心小学", 6, ""},
	}); err != nil {
		return 0, err
	}
	if err := visit(current, yjj, []demoVisit{
		{"示范区东城国贸购物广场有限公司", 9, ""},
		{"东城解放路农贸市场", 8, "市场内电动自行车违规停放充电"},
		{"示范区南湖影城有限公司", 7, ""},
		{"示范区金桥新材料科技有限公司", 6, ""},
		{"示范区金桥铝制品有限公司", 5, ""},
		{"示范区北苑液化石油气储配站", 4, ""},
		{"桃源桃花山景区", 3, ""},
	}); err != nil {
		return 0, err
	}
	// 回头看: 上坪村 went back to the chemical warehouse.
	var rid int64
	err = s.DB.QueryRow(ctx, `SELECT r.id FROM campaign_rechecks r JOIN hazards h ON h.id = r.hazard_id
		WHERE r.campaign_id = ? AND h.enterprise_name = '示范区青山瑞丰化工仓储有限公司' ORDER BY r.id LIMIT 1`, current.ID).Scan(&rid)
	if err == nil {
		if _, err := s.Recheck(ctx, township, current.ID, rid, RecheckInput{Outcome: StillOpen, Note: "接地线已接上，检测报告仍未更新"}); err != nil {
			return 0, err
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	// The halfway checkpoint has passed: its flags, as the engine left them.
	times, err := s.checkpointTimes(ctx, current)
	if err != nil {
		return 0, err
	}
	if half := times[PointHalf]; half.Before(now) {
		quiet := *s
		quiet.Notifier = nil
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			c, err := load(ctx, tx, current.ID)
			if err != nil {
				return err
			}
			if err := quiet.checkpoint(ctx, tx, c, PointHalf, half, now); err != nil {
				return err
			}
			return dl.Cancel(ctx, tx, now, KindCheckpoint, cpKey(current.ID, PointHalf))
		})
		if err != nil {
			return 0, err
		}
	}

	// A township's draft.
	if _, err := s.Create(ctx, township, Input{Title: "青山镇燃气使用安全专项检查", Industries: []string{"gas", "catering"}, Draft: true,
		Description: "对辖区燃气供应站和餐饮场所逐户检查燃气报警器、软管和气瓶存放。",
		PeriodStart: today.AddDays(3).String(), PeriodEnd: today.AddDays(20).String(), Deadline: today.AddDays(22).String()}); err != nil {
		return 0, err
	}
	return 3, nil
}

// demoActor loads the demo person with login (nil when there is none).
func demoActor(ctx context.Context, s *Service, login string) (*auth.Actor, error) {
	var id int64
	err := s.DB.QueryRow(ctx, "SELECT id FROM users WHERE login = ? AND NOT disabled", login).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a, err := s.Auth.LoadActor(ctx, id, "demo")
	if err != nil {
		return nil, err
	}
	a.ClientAddr = "local"
	return a, nil
}
