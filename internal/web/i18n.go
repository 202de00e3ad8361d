package web

import (
	"fmt"
	"net/http"
	"sync"
)

// Languages: Chinese first, English available.
const (
	Chinese = "zh"
	English = "en"
)

var (
	msgMu    sync.RWMutex
	messages = map[string][2]string{} // key → {zh, en}
)

// AddMessages registers translations: key → {Chinese, English}. Capabilities
// call it from init with their own keys.
func AddMessages(m map[string][2]string) {
	msgMu.Lock()
	defer msgMu.Unlock()
	for k, v := range m {
		messages[k] = v
	}
}

// Translate returns key in lang, or the key itself when it is unknown (so a
// missing translation shows, rather than an empty space).
func Translate(lang, key string) string {
	msgMu.RLock()
	m, ok := messages[key]
	msgMu.RUnlock()
	if !ok {
		return key
	}
	if lang == English && m[1] != "" {
		return m[1]
	}
	return m[0]
}

// Translatef translates and formats.
func Translatef(lang, key string, args ...any) string {
	return fmt.Sprintf(Translate(lang, key), args...)
}

// Lang returns the request's language: the lang cookie, else Chinese.
func Lang(r *http.Request) string {
	if c, err := r.Cookie("lang"); err == nil && c.Value == English {
		return English
	}
	return Chinese
}

func init() {
	AddMessages(map[string][2]string{
		"app.name":             {"安稳", "Anwen"},
		"app.tagline":          {"安全生产与信访稳定工作平台", "Work safety and petitions platform"},
		"demo.banner":          {"演示系统：数据均为虚构，请勿录入真实信息", "Demo install: all data is fictional; do not enter real information"},
		"nav.home":             {"工作台", "Home"},
		"nav.group.safety":     {"安全生产", "Work safety"},
		"nav.group.stability":  {"信访维稳", "Petitions"},
		"nav.group.admin":      {"管理", "Admin"},
		"nav.orgs":             {"组织机构", "Organisations"},
		"nav.users":            {"人员", "People"},
		"nav.calendar":         {"工作日历", "Calendar"},
		"nav.audit":            {"审计日志", "Audit trail"},
		"nav.feedback":         {"意见反馈", "Feedback"},
		"nav.feedback_admin":   {"反馈处理", "Feedback inbox"},
		"nav.account":          {"账号安全", "Account"},
		"nav.signout":          {"退出", "Sign out"},
		"nav.lang":             {"English", "中文"},
		"error.title":          {"出错了", "Something went wrong"},
		"error.back":           {"返回工作台", "Back to home"},
		"error.not_found":      {"页面不存在，或您无权查看", "This page does not exist, or you may not see it"},
		"signin.title":         {"登录", "Sign in"},
		"signin.login":         {"登录名", "Login"},
		"signin.password":      {"密码", "Password"},
		"signin.submit":        {"登录", "Sign in"},
		"signin.demo_waiver":   {"演示系统已免除管理员的双因素认证；正式部署中系统管理员、安全管理员、审计管理员必须使用动态验证码登录。", "This demo waives two-factor sign-in for administrators; a real install requires a one-time code for the three administrator roles."},
		"signin.demo_accounts": {"演示账号（密码均为 %s）", "Demo accounts (password %s for all)"},
		"signin.totp_title":    {"动态验证码", "One-time code"},
		"signin.totp_hint":     {"请输入身份验证器应用中显示的 6 位数字。", "Enter the 6-digit code shown in your authenticator app."},
		"signin.totp_code":     {"验证码", "Code"},
		"signin.verify":        {"验证", "Verify"},
		"signin.rate_limited":  {"尝试过于频繁，请稍后再试", "Too many attempts; try again later"},
		"home.title":           {"工作台", "Home"},
		"home.greeting":        {"您好，%s", "Hello, %s"},
		"home.pending":         {"我的待办", "My pending items"},
		"home.pending_empty":   {"暂无待办事项。", "Nothing pending."},
		"footer.feedback":      {"对本系统有意见或建议？", "A complaint or suggestion about this system?"},
		"footer.feedback_link": {"意见反馈", "Send feedback"},
		"common.save":          {"保存", "Save"},
		"common.create":        {"新增", "Create"},
		"common.edit":          {"编辑", "Edit"},
		"common.cancel":        {"取消", "Cancel"},
		"common.search":        {"查询", "Search"},
		"common.export":        {"导出 Excel", "Export to Excel"},
		"common.none":          {"无", "None"},
		"common.yes":           {"是", "Yes"},
		"common.no":            {"否", "No"},
		"common.actions":       {"操作", "Actions"},
		"common.saved":         {"已保存", "Saved"},
		"common.total":         {"共 %d 条", "%d in all"},
		"common.prev":          {"上一页", "Previous"},
		"common.next":          {"下一页", "Next"},
		"kind.district":        {"区", "District"},
		"kind.township":        {"乡镇", "Township"},
		"kind.street":          {"街道", "Street"},
		"kind.zone":            {"开发区", "Development zone"},
		"kind.village":         {"村", "Village"},
		"kind.community":       {"社区", "Community"},
		"kind.department":      {"部门", "Department"},
		"kind.police_station":  {"派出所", "Police station"},
		"role.sysadmin":        {"系统管理员", "System administrator"},
		"role.secadmin":        {"安全管理员", "Security administrator"},
		"role.auditor":         {"审计管理员", "Audit administrator"},
		"role.leader":          {"领导", "Leader"},
		"role.staff":           {"工作人员", "Staff"},
		"role.grid_worker":     {"网格员", "Grid worker"},
		"role.supervisor":      {"督查人员", "Supervisor"},
		"role.enterprise":      {"企业联络人", "Enterprise contact"},
	})
}
