package petition

import (
	"context"
	"fmt"
	"time"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
)

// DemoAreaCode is the demo district's fictional area code (no province has 99).
const DemoAreaCode = "990101"

// SeedDemo registers the demo district's fictional petition cases, once
// (nothing when any case exists): a collective visit over unpaid wages
// being handled and flagged as a key case, a letter about to run out of
// its routing days, a hotline call already late, a suggestion assigned to
// a street, an accusation in the discipline organ's queue, a claim
// answered and open to review, a claim through review and second review
// to its conclusion, and a case transferred from the city. It names the
// discipline organ and the demo's area code in the settings when they are
// unset. People, phones and ID numbers are made up (the ID numbers carry
// a valid check character but start with the fictional area code).
func SeedDemo(ctx context.Context, s *Service) (int, error) {
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM petitions").Scan(&n); err != nil || n > 0 {
		return 0, err
	}
	var jw, qs, dc, ty, lh int64
	for _, o := range []struct {
		code string
		dst  *int64
	}{{"SFQ-JWJW", &jw}, {"SFQ-QS", &qs}, {"SFQ-DC", &dc}, {"SFQ-TY", &ty}, {"SFQ-LH", &lh}} {
		if err := s.DB.QueryRow(ctx, "SELECT id FROM orgs WHERE code = ?", o.code).Scan(o.dst); err != nil {
			return 0, nil // not the demo district
		}
	}
	now := s.Clock.Now()
	if err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE petition_settings SET discipline_org_id = COALESCE(discipline_org_id, ?),
			area_code = CASE WHEN area_code = '' THEN ? ELSE area_code END, updated_at = ? WHERE id = 1`, jw, DemoAreaCode, now)
		return err
	}); err != nil {
		return 0, err
	}
	actor := func(login string) (*auth.Actor, error) {
		var id int64
		if err := s.DB.QueryRow(ctx, "SELECT id FROM users WHERE login = ?", login).Scan(&id); err != nil {
			return nil, fmt.Errorf("demo petitions: login %s: %w", login, err)
		}
		return s.Auth.LoadActor(ctx, id, "demo")
	}
	byPost := func(code, post string) (*auth.Actor, error) {
		var login string
		if err := s.DB.QueryRow(ctx, "SELECT u.login FROM users u JOIN orgs o ON o.id = u.org_id WHERE o.code = ? AND u.post = ? ORDER BY u.id LIMIT 1",
			code, post).Scan(&login); err != nil {
			return nil, fmt.Errorf("demo petitions: %s %s: %w", code, post, err)
		}
		return actor(login)
	}
	xfj, err := actor("xfj")
	if err != nil {
		return 0, err
	}
	qsStaff, err := actor("qingshan")
	if err != nil {
		return 0, err
	}
	tyStaff, err := byPost("SFQ-TY", "信访办主任")
	if err != nil {
		return 0, err
	}
	jwStaff, err := byPost("SFQ-JWJW", "第一监督检查室主任")
	if err != nil {
		return 0, err
	}
	ago := func(days int) *time.Time { t := now.AddDate(0, 0, -days); return &t }
	person := func(name, phone, idBody, addr string, rep bool) PersonInput {
		return PersonInput{Name: name, Phone: phone, IDNumber: withCheck(idBody), Address: addr, Representative: rep}
	}
	reg := func(in Input) (int64, error) {
		p, err := s.Register(ctx, xfj, in)
		if err != nil {
			return 0, fmt.Errorf("demo petition %q: %w", cut(in.Request, 20), err)
		}
		return p.ID, nil
	}
	step := func(a *auth.Actor, id int64, in TransitionInput) error {
		if _, err := s.Transition(ctx, a, id, in); err != nil {
			return fmt.Errorf("demo petition %d %s: %w", id, in.Action, err)
		}
		return nil
	}
	count := 0
	// 1. A collective visit over unpaid wages: accepted by 青山镇, a key case, supervised.
	id, err := reg(Input{Channel: ChannelVisit, Category: Claim, Subject: "labour", PlaceOrgID: &qs, Place: "青山镇安居小区二期工地",
		Petitioners: []PersonInput{person("王德胜", "13807310001", "99010119750312461", "青山镇竹园村4组", true),
			person("李桂英", "13807310002", "99010119780921352", "青山镇竹园村6组", true), person("赵春生", "13807310003", "99010119820105573", "青山镇枫林村2组", true)},
		HeadCount: 12, Request: "请求督促安居小区二期施工方支付拖欠的 12 名农民工工资共计 38.6 万元",
		Facts:   "2026 年 3 月至 9 月在安居小区二期工地从事钢筋、木工作业，项目完工后施工方以甲方未付工程款为由拖欠工资，多次讨要未果。",
		Comment: "集体来访，推选代表 3 人，现场秩序平稳。"})
	if err != nil {
		return count, err
	}
	count++
	for _, st := range []struct {
		a  *auth.Actor
		in TransitionInput
	}{
		{xfj, TransitionInput{Action: ActTransfer, OrgID: &qs, Comment: "属地管理，请青山镇牵头，人社部门配合。"}},
		{qsStaff, TransitionInput{Action: ActAccept, Notice: "您反映的问题已受理，我镇将会同区人社局核实处理，于 60 日内书面答复。"}},
		{xfj, TransitionInput{Action: ActFlagKey}},
		{xfj, TransitionInput{Action: ActSupervise, Comment: "涉及人数多，春节前须兑付到位，请每周报送进展。"}},
	} {
		if err := step(st.a, id, st.in); err != nil {
			return count, err
		}
	}
	// 2. A letter received 13 days ago, not routed yet: its 15 days are nearly out.
	if _, err := reg(Input{Channel: ChannelLetter, ReceivedAt: ago(13), Category: Claim, Subject: "land", PlaceOrgID: &ty, Place: "桃源镇李家坪村",
		Petitioners: []PersonInput{person("孙立新", "13907310004", "99010119680715231", "桃源镇李家坪村1组", false)},
		Request:     "请求重新测量承包地面积，更正确权登记", Facts: "2019 年确权时承包地少登记 0.6 亩，村组多次答复“以后再说”。"}); err != nil {
		return count, err
	}
	count++
	// 3. A 12345 hotline call 18 days ago, still not routed: late.
	if _, err := reg(Input{Channel: ChannelHotline, ReceivedAt: ago(18), Category: Claim, Subject: "environment", PlaceOrgID: &lh, Place: "柳河镇河口村",
		Petitioners: []PersonInput{person("周秀兰", "13607310005", "99010119900208664", "", false)},
		Request:     "请求处理河口村石料厂夜间作业噪声扰民", Facts: "石料厂每晚 22 时后仍在破碎作业，噪声很大，影响附近村民休息。"}); err != nil {
		return count, err
	}
	count++
	// 4. A suggestion, assigned to 东城街道.
	id, err = reg(Input{Channel: ChannelOnline, Category: Suggestion, Subject: "transport", PlaceOrgID: &dc, Place: "东城街道解放路与建设路交叉口",
		Petitioners: []PersonInput{person("林晓东", "15807310006", "99010119950430112", "", false)},
		Request:     "建议在解放路与建设路交叉口增设公交停靠站", Facts: "附近三个小区居民出行须步行 1 公里以上才能乘车，老年人尤其不便。"})
	if err != nil {
		return count, err
	}
	count++
	if err := step(xfj, id, TransitionInput{Action: ActAssign, OrgID: &dc, Comment: "请于 60 日内办结并反馈。"}); err != nil {
		return count, err
	}
	// 5. An accusation, in the discipline organ's queue and accepted there.
	id, err = reg(Input{Channel: ChannelLetter, Category: Accusation, Subject: "discipline", PlaceOrgID: &lh, AccusedOrgID: &lh, Accused: "柳河镇某站所负责人",
		Petitioners: []PersonInput{person("陈国庆", "18607310007", "99010119710923557", "柳河镇柳河社区", false)},
		Request:     "检举柳河镇某站所负责人在危房改造补助发放中收受好处", Facts: "2025 年危房改造补助名单中有两户不符合条件，据称曾向其送礼。"})
	if err != nil {
		return count, err
	}
	count++
	if err := step(xfj, id, TransitionInput{Action: ActToDiscipline, OrgID: &jw}); err != nil {
		return count, err
	}
	if err := step(jwStaff, id, TransitionInput{Action: ActAccept}); err != nil {
		return count, err
	}
	// 6. A claim answered by 桃源镇: the petitioner may still ask for a review.
	id, err = reg(Input{Channel: ChannelVisit, Category: Claim, Subject: "civil", PlaceOrgID: &ty, Place: "桃源镇桃花村",
		Petitioners: []PersonInput{person("黄玉梅", "13707310008", "99010119620517448", "桃源镇桃花村3组", false)},
		Request:     "请求将本人纳入农村低保", Facts: "丈夫去年病故，本人患慢性病无劳动能力，家庭收入低于低保标准。"})
	if err != nil {
		return count, err
	}
	count++
	for _, st := range []struct {
		a  *auth.Actor
		in TransitionInput
	}{
		{xfj, TransitionInput{Action: ActTransfer, OrgID: &ty}},
		{tyStaff, TransitionInput{Action: ActAccept}},
		{tyStaff, TransitionInput{Action: ActReply, Opinion: &OpinionInput{Decision: DecSupport, Facts: "经入户核查，申请人家庭人均收入低于本地低保标准，符合条件。",
			Reasons: "申请人符合农村最低生活保障条件。", Basis: "《社会救助暂行办法》第九条、第十一条"}}},
	} {
		if err := step(st.a, id, st.in); err != nil {
			return count, err
		}
	}
	// 7. A claim through review and second review, concluded.
	id, err = reg(Input{Channel: ChannelLetter, Category: Claim, Subject: "urban", PlaceOrgID: &qs, Place: "青山镇青山社区",
		Petitioners: []PersonInput{person("吴建军", "18807310009", "99010119660228339", "青山镇青山社区", false)},
		Request:     "请求提高房屋征收补偿标准", Facts: "认为评估价格低于周边二手房成交价。"})
	if err != nil {
		return count, err
	}
	count++
	op := func(dec, reasons string) *OpinionInput {
		return &OpinionInput{Decision: dec, Facts: "征收评估由依法选定的评估机构作出，程序合法。", Reasons: reasons, Basis: "《国有土地上房屋征收与补偿条例》第十九条"}
	}
	for _, st := range []struct {
		a  *auth.Actor
		in TransitionInput
	}{
		{xfj, TransitionInput{Action: ActTransfer, OrgID: &qs}},
		{qsStaff, TransitionInput{Action: ActAccept}},
		{qsStaff, TransitionInput{Action: ActReply, Opinion: op(DecNotSupport, "补偿标准符合规定，请求缺乏依据。")}},
		{xfj, TransitionInput{Action: ActRequestReview, Reason: "不服处理意见"}},
		{xfj, TransitionInput{Action: ActAnswerReview, Opinion: op(DecUphold, "原处理意见认定事实清楚，维持。")}},
		{xfj, TransitionInput{Action: ActRequestReview2, Reason: "仍不服"}},
		{xfj, TransitionInput{Action: ActAnswerReview2, Opinion: op(DecUphold, "复查意见正确，维持；同一诉求不再受理。")}},
	} {
		if err := step(st.a, id, st.in); err != nil {
			return count, err
		}
	}
	// 8. A case transferred from the city's petition bureau, registered today.
	if _, err := reg(Input{Channel: ChannelTransferred, SourceOrg: "市信访局", SourceRef: "SX-2026-08157", Category: Claim, Subject: "health", PlaceOrgID: &dc,
		Petitioners: []PersonInput{person("郑丽华", "15907310010", "99010119880811774", "", false)},
		Request:     "请求协调解决母亲住院费用报销问题", Facts: "异地就医备案后报销比例与告知不一致。"}); err != nil {
		return count, err
	}
	count++
	return count, nil
}

// withCheck appends the ISO 7064 MOD 11-2 check character to 17 digits.
func withCheck(body string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17 && i < len(body); i++ {
		sum += int(body[i]-'0') * weights[i]
	}
	return body + string("10X98765432"[sum%11])
}
