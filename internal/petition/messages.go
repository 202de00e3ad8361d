package petition

// pageMessages are the pages' texts, Chinese first.
var pageMessages = map[string][2]string{
	"nav.petitions":            {"信访事项", "Petitions"},
	"pet.ledger_title":         {"信访事项", "Petition cases"},
	"pet.new_title":            {"登记信访事项", "Register a petition"},
	"pet.register":             {"登记信访事项", "Register a petition"},
	"pet.total_n":              {"共 %d 件", "%d cases"},
	"pet.total_more":           {"超过 %d 件", "more than %d"},
	"pet.chip.all":             {"全部", "All"},
	"pet.chip.open":            {"待办", "To do"},
	"pet.chip.due_soon":        {"即将到期", "Due soon"},
	"pet.chip.overdue":         {"已逾期", "Overdue"},
	"pet.chip.key":             {"重点案件", "Key cases"},
	"pet.chip.closed":          {"已办结", "Closed"},
	"pet.filters":              {"更多筛选", "More filters"},
	"pet.filters_n":            {"筛选（%d）", "Filters (%d)"},
	"pet.all":                  {"全部", "All"},
	"pet.clear":                {"清除", "Clear"},
	"pet.from":                 {"登记日期起", "Registered from"},
	"pet.to":                   {"登记日期止", "Registered to"},
	"pet.org":                  {"办理单位", "Handling org"},
	"pet.number_ph":            {"输入编号查找", "Find by number"},
	"pet.phone":                {"信访人电话", "Petitioner's phone"},
	"pet.id_number":            {"身份证号", "ID number"},
	"pet.phone_hint":           {"按电话、身份证号查找会记入审计日志", "Searches by phone or ID number are recorded in the audit trail"},
	"pet.no_rows":              {"没有符合条件的信访事项", "No cases match"},
	"pet.first_page":           {"第一页", "First page"},
	"pet.number":               {"编号", "Number"},
	"pet.petitioner":           {"信访人", "Petitioner"},
	"pet.summary":              {"诉求", "Request"},
	"pet.category":             {"类别", "Category"},
	"pet.subject":              {"领域", "Subject"},
	"pet.handling":             {"办理单位", "Handling org"},
	"pet.status":               {"状态", "Status"},
	"pet.clock":                {"法定时限", "Legal time limit"},
	"pet.registered":           {"登记", "Registered"},
	"pet.channel":              {"信访形式", "Channel"},
	"pet.received":             {"收到时间", "Received"},
	"pet.place":                {"事发地点", "Place"},
	"pet.place_org":            {"所属单位", "Place (org)"},
	"pet.head_count":           {"人数", "People"},
	"pet.people_n":             {"等 %d 人", "and others, %d people"},
	"pet.collective":           {"集体访", "Collective"},
	"pet.request":              {"诉求", "Request"},
	"pet.facts":                {"事实和理由", "Facts and reasons"},
	"pet.accused":              {"被检举人", "Accused"},
	"pet.accused_org":          {"被检举单位", "Accused org"},
	"pet.accused_hint":         {"被检举单位的人员和被检举人本人看不到本事项，材料也不会转给他们", "Members of the accused org and the accused person never see this case, and the material is never passed to them"},
	"pet.source":               {"转交单位及原编号", "From (higher level) and its number"},
	"pet.source_org":           {"转交单位", "From"},
	"pet.source_ref":           {"原编号", "Its number"},
	"pet.repeat_of":            {"重复信访", "Repeat of"},
	"pet.same_claim":           {"同一事实和理由的诉求", "Same claim on the same facts"},
	"pet.key_case":             {"重点案件", "Key case"},
	"pet.supervised_n":         {"已督办 %d 次", "Supervised %d times"},
	"pet.extended_n":           {"已延期 %d 日", "Extended by %d days"},
	"pet.days_left":            {"剩 %d 天", "%d days left"},
	"pet.due_today":            {"今日到期", "Due today"},
	"pet.overdue_days":         {"逾期 %d 天", "%d days overdue"},
	"pet.overdue":              {"已逾期", "Overdue"},
	"pet.last_day":             {"最后一日 %s", "Last day %s"},
	"pet.no_clock":             {"当前没有进行中的法定时限", "No legal time limit is running"},
	"pet.clock_title":          {"法定时限", "Legal time limit"},
	"pet.clock_elapsed":        {"已用 %d%%", "%d%% used"},
	"pet.clock_marks":          {"75% 和 90% 时提醒，逾期报告信访局和单位负责人", "Reminders at 75% and 90%; lateness goes to the bureau and the org's head"},
	"pet.window.object":        {"异议期至 %s（5个工作日）", "Objection period until %s (5 working days)"},
	"pet.window.review":        {"信访人可于 %s 前请求复查", "The petitioner may ask for a review until %s"},
	"pet.window.rereview":      {"信访人可于 %s 前请求复核", "The petitioner may ask for a second review until %s"},
	"pet.details":              {"基本信息", "Details"},
	"pet.people":               {"信访人", "Petitioners"},
	"pet.person.name":          {"姓名", "Name"},
	"pet.person.phone":         {"电话", "Phone"},
	"pet.person.id":            {"身份证号", "ID number"},
	"pet.person.address":       {"住址", "Address"},
	"pet.person.rep":           {"代表", "Representative"},
	"pet.reveal":               {"显示完整信息", "Show in full"},
	"pet.reveal_hint":          {"个人信息已脱敏；显示完整信息会记入审计日志", "Personal data is masked; showing it in full is recorded in the audit trail"},
	"pet.revealed_note":        {"已显示完整信息，本次查看已记入审计日志", "Shown in full; this viewing is recorded in the audit trail"},
	"pet.content":              {"诉求与事实", "Request and facts"},
	"pet.sealed_content":       {"检举控告内容已加密，仅办理人员点击“显示完整信息”后可见", "The accusation's content is encrypted; those who handle the case see it with “Show in full”"},
	"pet.opinions":             {"书面答复", "Written answers"},
	"pet.opinion.0":            {"处理意见书", "Answer (处理意见书)"},
	"pet.opinion.1":            {"复查意见", "Review"},
	"pet.opinion.2":            {"复核意见", "Second review"},
	"pet.served":               {"送达", "Served"},
	"pet.timeline":             {"办理过程", "Timeline"},
	"pet.actions":              {"办理", "Actions"},
	"pet.no_actions":           {"您对本事项暂无可办理的操作", "Nothing for you to do on this case now"},
	"pet.recusals":             {"回避人员", "Stepped aside"},
	"pet.attachments":          {"材料", "Materials"},
	"pet.reason":               {"理由", "Reason"},
	"pet.notice":               {"书面告知内容", "Written notice to the petitioner"},
	"pet.comment":              {"说明", "Note"},
	"pet.route_to":             {"办理单位", "Route to"},
	"pet.choose":               {"请选择", "Choose"},
	"pet.ext_days":             {"延长天数（不超过 30 日）", "Days (at most 30)"},
	"pet.ext_told":             {"已告知信访人延期理由", "The petitioner was told the reason"},
	"pet.ext_hint":             {"经本单位负责人批准，只能延长一次", "Approved by the org's head; once only"},
	"pet.decision":             {"处理意见", "Decision"},
	"pet.op_facts":             {"认定的事实", "Facts found"},
	"pet.op_reasons":           {"理由", "Reasons"},
	"pet.op_basis":             {"法律法规政策依据", "Legal basis"},
	"pet.agreement":            {"调解、和解协议", "Agreement"},
	"pet.agreement.none":       {"无", "None"},
	"pet.agreement.mediation":  {"调解协议书", "Mediation agreement"},
	"pet.agreement.settlement": {"和解协议书", "Settlement agreement"},
	"pet.served_on":            {"送达日期", "Served on"},
	"pet.requested_on":         {"信访人请求日期", "Asked on"},
	"pet.review_org":           {"复查（复核）机关", "Reviewing org"},
	"pet.review_default":       {"上一级机关（默认）", "The superior org (default)"},
	"pet.recuse_who":           {"回避人员", "Who steps aside"},
	"pet.discipline_org":       {"纪检监察机关", "Discipline organ"},
	"pet.accept_hint":          {"受理后须于 60 日内办结答复", "Once accepted, it is answered within 60 days"},
	"pet.object_hint":          {"不属于本单位职权范围的，自收到之日起 5 个工作日内提出异议并说明理由", "Not yours to handle: object within 5 working days of receipt, with reasons"},
	"pet.registered_flash":     {"已登记", "Registered"},
	"pet.step_flash":           {"已办理", "Done"},
	"pet.recused_flash":        {"您已回避，不再接触该信访事项", "You stepped aside and no longer see the case"},
	"pet.form.source":          {"来源", "Source"},
	"pet.form.people":          {"信访人", "Petitioners"},
	"pet.form.people_hint":     {"至多登记 5 人；多人走访的，推选代表不超过 5 人，其余计入人数。电话、身份证号、住址加密保存。", "At most 5 named; a collective visit names at most 5 representatives and gives the head count. Phones, ID numbers and addresses are stored encrypted."},
	"pet.form.more_people":     {"添加更多信访人", "More petitioners"},
	"pet.form.matter":          {"信访事项", "The matter"},
	"pet.form.accusation":      {"检举控告", "Accusation"},
	"pet.form.check":           {"查找重复信访", "Look for repeat petitions"},
	"pet.form.similar":         {"可能的重复信访", "Possible repeat petitions"},
	"pet.form.similar_none":    {"未发现同一信访人或同一事项的信访记录", "No earlier case of the same petitioners or matter"},
	"pet.form.link":            {"关联", "Link"},
	"pet.form.no_link":         {"不关联", "Do not link"},
	"pet.form.same_person":     {"同一信访人", "Same petitioner"},
	"pet.form.same_matter":     {"同一事项", "Same matter"},
	"pet.form.concluded":       {"已复核终结", "Concluded"},
	"pet.form.submit":          {"登记", "Register"},
	"pet.form.files":           {"信件及材料", "Letter and materials"},
	"pet.form.received_hint":   {"15 日转送交办期限自收到之日起算", "The 15 days to route run from receipt"},
	"pet.route.transfer":       {"转送", "transferred"},
	"pet.route.assign":         {"交办", "assigned"},
	"pet.route.discipline":     {"转纪检监察机关", "with the discipline organ"},
}

func init() {
	for _, s := range States {
		pageMessages["pet.status."+s] = [2]string{StatusZH[s], statusEN[s]}
	}
	for _, c := range Categories {
		pageMessages["pet.category."+c] = [2]string{CategoryZH[c], categoryEN[c]}
	}
	for _, c := range Channels {
		pageMessages["pet.channel."+c] = [2]string{ChannelZH[c], channelEN[c]}
	}
	for a, zh := range ActionZH {
		pageMessages["pet.action."+a] = [2]string{zh, actionEN[a]}
	}
	for p, zh := range PeriodZH {
		pageMessages["pet.period."+p] = [2]string{zh, periodEN[p]}
	}
	for d, zh := range DecisionZH {
		pageMessages["pet.decision."+d] = [2]string{zh, decisionEN[d]}
	}
}

var (
	statusEN = map[string]string{Registered: "Registered", Routed: "Routed", Objected: "Objected", Discipline: "With the discipline organ",
		Accepted: "Being handled", Declined: "Not accepted", Replied: "Answered", ReviewRequested: "Under review", Reviewed: "Reviewed",
		RereviewRequested: "Under second review", Concluded: "Concluded", Closed: "Closed"}
	categoryEN = map[string]string{Suggestion: "Suggestion", Accusation: "Accusation", Claim: "Claim"}
	channelEN  = map[string]string{ChannelOnline: "Online", ChannelLetter: "Letter", ChannelPhone: "Phone", ChannelFax: "Fax", ChannelVisit: "Visit",
		ChannelHotline: "12345 hotline", ChannelTransferred: "Transferred from above", ChannelAssigned: "Assigned from above"}
	actionEN = map[string]string{ActRegister: "Register", ActTransfer: "Transfer", ActAssign: "Assign", ActToDiscipline: "To the discipline organ",
		ActOverrule: "Objection overruled", ActAccept: "Accept", ActDecline: "Decline", ActObject: "Object", ActExtend: "Extend",
		ActReply: "Answer", ActRequestReview: "Review asked", ActAnswerReview: "Review answer", ActRequestReview2: "Second review asked",
		ActAnswerReview2: "Second review answer", ActSupervise: "Supervise", ActFlagKey: "Make a key case", ActUnflagKey: "No longer key",
		ActRecuse: "Step aside", ActLapse: "Closed (no review asked)", EventWarn75: "75% of the period", EventWarn90: "90% of the period",
		EventOverdue: "Overdue", EventWindowClosed: "Objection period over", EventRate: "Rated"}
	periodEN   = map[string]string{PeriodRoute: "Routing", PeriodAccept: "Acceptance", PeriodHandle: "Handling", PeriodReview: "Review", PeriodRereview: "Second review"}
	decisionEN = map[string]string{DecSupport: "Supported", DecExplain: "Explained", DecNotSupport: "Not supported", DecAdopt: "Adopted", DecPartly: "Partly adopted",
		DecNotAdopt: "Not adopted", DecFeedback: "Feedback", DecUphold: "Upheld", DecChange: "Changed", DecRevoke: "Revoked"}
)
