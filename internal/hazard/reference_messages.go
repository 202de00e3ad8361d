package hazard

var referenceMessages = map[string][2]string{
	"hazard.ref.nav":             {"隐患设置", "Hazard settings"},
	"hazard.ref.button":          {"设置", "Settings"},
	"hazard.ref.title":           {"隐患设置", "Hazard settings"},
	"hazard.ref.lead":            {"隐患类别和重大事故隐患判定标准供登记隐患时选择；停用后不再可选，已登记的隐患保持原样。", "Categories and grading clauses are what a registration chooses from; retired ones are no longer offered, and hazards already registered keep theirs."},
	"hazard.ref.read_only":       {"只有区级隐患管理人员可以修改。", "Only district hazard managers may change them."},
	"hazard.ref.categories":      {"隐患类别", "Categories"},
	"hazard.ref.categories_hint": {"代码用于接口和导入，创建后不能更改；名称可以修改。", "The code is used by the API and imports and cannot change; the names can."},
	"hazard.ref.standards":       {"判定标准", "Grading reference"},
	"hazard.ref.standards_hint":  {"重大隐患须注明所符合的判定标准条款。标准按版本保存：新版本逐条添加，旧版本条款停用而不删除，已登记的隐患仍指向原条款。", "A major hazard names the clause it meets. Standards are kept by version: add a new version clause by clause and retire the old clauses; they are never deleted, and registered hazards keep pointing at them."},
	"hazard.ref.rules":           {"提醒与上报", "Reminders and escalation"},
	"hazard.ref.code":            {"代码", "Code"},
	"hazard.ref.code_hint":       {"小写字母、数字和下划线，如 lightning", "Lower-case letters, digits and underscores, e.g. lightning"},
	"hazard.ref.name":            {"名称", "Name"},
	"hazard.ref.name_en":         {"英文名称", "English name"},
	"hazard.ref.sort":            {"排序", "Order"},
	"hazard.ref.active_label":    {"启用（登记时可选）", "Active (offered when registering)"},
	"hazard.ref.on":              {"启用", "Active"},
	"hazard.ref.off":             {"已停用", "Inactive"},
	"hazard.ref.retired":         {"已废止", "Retired"},
	"hazard.ref.activate":        {"启用", "Activate"},
	"hazard.ref.deactivate":      {"停用", "Deactivate"},
	"hazard.ref.retire":          {"废止", "Retire"},
	"hazard.ref.edit":            {"修改", "Edit"},
	"hazard.ref.save":            {"保存", "Save"},
	"hazard.ref.cancel":          {"取消", "Cancel"},
	"hazard.ref.add":             {"添加", "Add"},
	"hazard.ref.add_category":    {"新增类别", "Add a category"},
	"hazard.ref.add_standard":    {"添加条款或新版本", "Add a clause or a new version"},
	"hazard.ref.version_n":       {"%s 版", "version %s"},
	"hazard.ref.clauses_n":       {"%d 条，其中启用 %d 条", "%d clauses, %d active"},
	"hazard.ref.no_standards":    {"还没有判定标准", "No grading clauses yet"},
	"hazard.ref.std_name":        {"标准名称", "Standard"},
	"hazard.ref.std_code":        {"文号", "Reference number"},
	"hazard.ref.std_version":     {"版本", "Version"},
	"hazard.ref.std_clause":      {"条款", "Clause"},
	"hazard.ref.std_clause_ph":   {"如 第四条第（二）项", "e.g. Art. 4 (2)"},
	"hazard.ref.std_text":        {"条款内容", "Text of the clause"},
	"hazard.ref.none":            {"（不限）", "(any)"},
	"hazard.ref.version_hint":    {"同一标准的新版本：填写相同的名称和文号、新的版本号，逐条添加后再废止旧版本的条款。", "A new version of a standard: the same name and number with a new version, clause by clause; then retire the old clauses."},
	"hazard.ref.remind_days":     {"到期前提醒（天）", "Remind before the deadline (days)"},
	"hazard.ref.remind_hint":     {"整改期限前几天上午 9 点提醒整改责任方；0 为不提醒。", "Days before a deadline that the responsible side is reminded at 09:00; 0: no reminder."},
	"hazard.ref.escalate_days":   {"逾期上报区级（天）", "Escalate when overdue (days)"},
	"hazard.ref.escalate_hint":   {"逾期达到此天数仍未整改的，通知区应急管理部门。", "Overdue this many days: the district hears of it."},
	"hazard.ref.leader":          {"分管领导", "Leader in charge"},
	"hazard.ref.leader_hint":     {"逾期的重大隐患同时通知此人。", "Overdue major hazards reach this person too."},
	"hazard.ref.leader_none":     {"（未指定）", "(none)"},
	"hazard.ref.days":            {"%d 天", "%d days"},
}

func init() {
	for k, v := range map[string]string{"remind_days": "提前提醒天数", "escalate_days": "逾期上报天数", "sort": "排序", "name": "名称", "name_en": "英文名称",
		"code": "代码", "version": "版本", "clause": "条款", "text": "条款内容", "leader_user_id": "分管领导", "period": "统计期"} {
		if _, ok := fieldNames[k]; !ok {
			fieldNames[k] = v
		}
	}
}
